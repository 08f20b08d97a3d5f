"""One mechanism per HTTP concern (docs/DEVELOPING.md, "One way to do it"), checked so the
habit does not fade: every JSON request body of every service is an ``srs_common.inputs.Input``
(unknown fields and NUL refused), no service pages by hand (``keyset_page`` does), names its
caller by a helper of its own (``Principal.actor_id`` does) or builds default settings below
its app factory (``srs_common.context`` hands them out)."""

from __future__ import annotations

import importlib
import re
import typing
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from pydantic import BaseModel

from srs_common.inputs import Input

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ["accreditation", "projects", "clearance", "access", "booking", "ops", "notify"]
# Where building settings from the environment is the point: the app factory and commands.
ENTRY_POINTS = {"app.py", "__main__.py", "sink.py"}


def _routes(routes: list[Any]) -> list[APIRoute]:
    """Every route, those of included routers too (kept as one entry per router)."""
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):
            found += _routes(route.original_router.routes)
    return found


def _body_models(service: str) -> list[tuple[str, type[BaseModel]]]:
    spec = importlib.import_module(f"srs_{service}.app").spec()
    models = []
    for router in spec.routers:
        for route in _routes(router.routes):
            for param in route.dependant.body_params:
                annotation = param.field_info.annotation
                for kind in typing.get_args(annotation) or (annotation,):
                    if isinstance(kind, type) and issubclass(kind, BaseModel):
                        models.append((f"{sorted(route.methods)} {route.path}", kind))
    return models


@pytest.mark.parametrize("service", SERVICES)
def test_every_request_body_is_an_input(service: str) -> None:
    models = _body_models(service)
    assert models, f"{service} declares no JSON request body"
    loose = [
        f"{where}: {model.__name__}" for where, model in models if not issubclass(model, Input)
    ]
    assert loose == [], f"request bodies not built on srs_common.inputs.Input: {loose}"


def _sources(service: str) -> list[Path]:
    return sorted((ROOT / "services" / service / "src").rglob("*.py"))


RULES = [
    (re.compile(r"limit \+ 1"), "a hand-written page: use srs_common.pagination.keyset_page"),
    (
        re.compile(r"researcher_id or [\w.]*\bsub\b"),
        "a caller helper of its own: use Principal.actor_id",
    ),
    (re.compile(r"def (caller_\w*|actor_of|_who)\("), "use Principal.actor_id"),
]


@pytest.mark.parametrize("service", SERVICES)
def test_no_service_pages_or_names_its_caller_its_own_way(service: str) -> None:
    found = []
    for path in _sources(service):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            for pattern, advice in RULES:
                if pattern.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {advice}")
    assert found == []


@pytest.mark.parametrize("service", SERVICES)
def test_no_default_settings_below_the_app_factory(service: str) -> None:
    built = re.compile(r"\b[A-Z]\w*Settings\(\)")
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in _sources(service)
        if path.name not in ENTRY_POINTS
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if built.search(line)
    ]
    assert found == [], "settings come from srs_common.context (app_settings, settings_of)"
