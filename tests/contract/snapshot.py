"""The OpenAPI documents of every service, and the committed snapshot of their operationIds.

A client generated from the documents names its functions after the operationIds
(``researchers.register`` -> ``researchers_register``), so an id that changes breaks every
caller: the snapshot under ``operation_ids/`` makes such a change visible in review.
After a deliberate change, regenerate it with::

    make contract-snapshots      # = uv run --frozen python tests/contract/snapshot.py --write
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

SERVICES = ("accreditation", "projects", "clearance", "access", "booking", "ops", "notify")
SNAPSHOTS = Path(__file__).with_name("operation_ids")
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


def openapi(service: str, **settings: Any) -> dict[str, Any]:
    """The service's document, from its app built with default settings (no I/O)."""
    module = importlib.import_module(f"srs_{service}.app")
    if settings:
        settings_module = importlib.import_module(f"srs_{service}.settings")
        classes = [
            v
            for k, v in vars(settings_module).items()
            if k.endswith("Settings") and getattr(v, "__module__", "") == settings_module.__name__
        ]
        app = module.create_app(classes[0](**settings))
    else:
        app = module.create_app()
    document: dict[str, Any] = app.openapi()
    return document


def operations(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """``("METHOD /path", operation)`` for every operation of the document."""
    found = []
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                found.append((f"{method.upper()} {path}", item[method]))
    return found


def operation_ids(document: dict[str, Any]) -> dict[str, str]:
    return dict(sorted((route, op["operationId"]) for route, op in operations(document)))


def snapshot_path(service: str) -> Path:
    return SNAPSHOTS / f"{service}.json"


def write() -> None:
    SNAPSHOTS.mkdir(exist_ok=True)
    for service in SERVICES:
        ids = operation_ids(openapi(service))
        snapshot_path(service).write_text(json.dumps(ids, indent=2) + "\n")
        print(f"wrote {snapshot_path(service)} ({len(ids)} operations)")


if __name__ == "__main__":
    if "--write" in sys.argv:
        write()
    else:
        for service in SERVICES:
            print(json.dumps({service: operation_ids(openapi(service))}, indent=2))
