"""The OpenAPI document: every route has a summary, its errors, and examples."""

from __future__ import annotations

from srs_clearance.app import create_app


def test_every_route_documents_summary_errors_and_examples():
    schema = create_app().openapi()
    components = schema["components"]["schemas"]

    def has_example(ref_or_schema):
        ref = ref_or_schema.get("$ref") or (ref_or_schema.get("items") or {}).get("$ref")
        if ref is None:
            return True  # multipart upload, plain files
        return bool(components[ref.rsplit("/", 1)[-1]].get("examples"))

    for path, operations in schema["paths"].items():
        if not path.startswith("/v1/") or path == "/v1/messaging":
            continue
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            assert operation.get("summary"), where
            assert "401" in operation["responses"], where
            if "{output_id}" in path:
                assert "404" in operation["responses"], where
            body = operation.get("requestBody", {}).get("content", {})
            for media_type, media in body.items():
                if media_type != "multipart/form-data":  # a file: its bytes are the example
                    assert has_example(media["schema"]), where
            ok = next(r for code, r in operation["responses"].items() if code.startswith("2"))
            for media in ok.get("content", {}).values():
                schema_ = media["schema"]
                if "Page" in schema_.get("$ref", ""):
                    page = components[schema_["$ref"].rsplit("/", 1)[-1]]
                    schema_ = page["properties"]["items"]
                assert has_example(schema_), where
