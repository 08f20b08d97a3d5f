"""The webhook routes in the OpenAPI document: summary, errors and examples on each."""

from __future__ import annotations

from srs_common.app import create_service_app
from srs_ops.app import create_app, spec
from srs_ops.settings import OpsSettings


def test_the_served_app_documents_the_webhooks():
    """``python -m srs_ops serve`` builds the app from the spec and settings alone (not
    through create_app): the partners' webhooks are in its document too."""
    schema = create_service_app(spec(), OpsSettings()).openapi()
    assert "srs.project.approved.v1" in schema["webhooks"]


def test_every_webhook_route_documents_summary_errors_and_examples():
    schema = create_app().openapi()
    components = schema["components"]["schemas"]

    def has_example(schema_):
        ref = schema_.get("$ref", "")
        if "Page" in ref:
            schema_ = components[ref.rsplit("/", 1)[-1]]["properties"]["items"]["items"]
            ref = schema_.get("$ref", "")
        return bool(components[ref.rsplit("/", 1)[-1]].get("examples"))

    paths = {p: ops for p, ops in schema["paths"].items() if p.startswith("/v1/webhooks")}
    assert len(paths) == 6
    for path, operations in paths.items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            assert operation.get("summary"), where
            assert {"401", "403"} <= set(operation["responses"]), where
            if "{" in path:
                assert "404" in operation["responses"], where
            for media in operation.get("requestBody", {}).get("content", {}).values():
                assert has_example(media["schema"]), where
            ok = next(r for code, r in operation["responses"].items() if code.startswith("2"))
            for media in ok.get("content", {}).values():
                assert has_example(media["schema"]), where
