"""The one mechanism per HTTP concern every service uses: who the caller is
(``Principal.actor_id``), the clock and the settings (``srs_common.context``), the input
base model (``srs_common.inputs.Input``)."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from fastapi import FastAPI
from pydantic import ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from srs_common.auth import Principal
from srs_common.config import PlatformSettings, ServiceSettings
from srs_common.context import AppSettings, Now, now, settings_of
from srs_common.errors import install_error_handlers
from srs_common.inputs import Input

FIXED = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)


# --- who the caller is ---------------------------------------------------------------


def test_a_researcher_acts_under_their_researcher_id() -> None:
    researcher = Principal(sub="user-7", roles=frozenset({"researcher"}), researcher_id="R-7")
    assert researcher.actor_id == "R-7"


def test_staff_and_partner_clients_act_under_their_subject() -> None:
    checker = Principal(sub="staff-3", roles=frozenset({"checker"}))
    partner = Principal(sub="client-abc", roles=frozenset({"partner"}), org="ORG-1")
    assert checker.actor_id == "staff-3"
    assert partner.actor_id == "client-abc"


# --- the clock and the settings --------------------------------------------------------


def clock_app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    app.state.settings = ServiceSettings(
        service_name="widgets", platform=PlatformSettings(log_json=False)
    )

    @app.get("/now")
    async def read_now(when: Now, settings: AppSettings) -> dict[str, str]:
        return {"now": when.isoformat(), "service": settings.service_name}

    return app


async def get(app: FastAPI, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return await client.get(path)


async def test_routes_read_the_wall_clock_and_the_apps_settings() -> None:
    before = dt.datetime.now(dt.UTC)
    body = (await get(clock_app(), "/now")).json()
    when = dt.datetime.fromisoformat(body["now"])
    assert when.tzinfo is not None
    assert before <= when <= dt.datetime.now(dt.UTC)
    assert body["service"] == "widgets"


async def test_a_test_overrides_the_clock_as_a_dependency() -> None:
    app = clock_app()
    app.dependency_overrides[now] = lambda: FIXED
    assert (await get(app, "/now")).json()["now"] == FIXED.isoformat()


async def test_a_test_moves_a_clock_set_on_the_app() -> None:
    app = clock_app()
    moments = iter([FIXED, FIXED + dt.timedelta(days=3)])
    app.state.clock = lambda: next(moments)
    assert (await get(app, "/now")).json()["now"] == FIXED.isoformat()
    later = (await get(app, "/now")).json()["now"]
    assert later == (FIXED + dt.timedelta(days=3)).isoformat()


class WidgetSettings(ServiceSettings):
    widget_days: int = 7


def test_below_the_routes_settings_come_from_the_session_never_from_defaults() -> None:
    settings = WidgetSettings(service_name="widgets", widget_days=30)
    assert settings_of(AsyncSession(info={"settings": settings}), WidgetSettings).widget_days == 30
    with pytest.raises(RuntimeError, match="WidgetSettings"):
        settings_of(AsyncSession(), WidgetSettings)
    with pytest.raises(RuntimeError):  # another service's settings are not these
        settings_of(AsyncSession(info={"settings": ServiceSettings()}), WidgetSettings)


# --- the input base model ---------------------------------------------------------------


class NoteCreate(Input):
    model_config = ConfigDict(json_schema_extra={"examples": [{"title": "a note"}]})

    title: str = Field(max_length=50)
    tags: list[str] = []
    labels: dict[str, str] = {}


def input_app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)

    @app.post("/notes")
    async def create(body: NoteCreate) -> dict[str, str]:
        return {"title": body.title}

    return app


async def post(app: FastAPI, body: dict[str, object]) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return await client.post("/notes", json=body)


async def test_a_valid_body_is_accepted() -> None:
    response = await post(input_app(), {"title": "results", "tags": ["a"], "labels": {"k": "v"}})
    assert response.status_code == 200
    assert response.json() == {"title": "results"}


async def test_an_unknown_field_is_a_422_naming_it() -> None:
    response = await post(input_app(), {"title": "results", "titel": "typo"})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "body.titel" in response.json()["detail"]


async def test_nul_anywhere_in_text_is_a_422_naming_the_field() -> None:
    app = input_app()
    for body, field in [
        ({"title": "bad\x00title"}, "body.title"),
        ({"title": "ok", "tags": ["fine", "b\x00d"]}, "body.tags"),
        ({"title": "ok", "labels": {"k\x00": "v"}}, "body.labels"),
        ({"title": "ok", "labels": {"k": "v\x00"}}, "body.labels"),
    ]:
        response = await post(app, body)
        assert response.status_code == 422, body
        problem = response.json()
        assert field in problem["detail"], problem
        assert any("NUL" in e["message"] for e in problem["errors"]), problem


def test_a_subclass_keeps_its_examples_and_the_bases_refusals() -> None:
    schema = NoteCreate.model_json_schema()
    assert schema["examples"] == [{"title": "a note"}]
    assert schema["additionalProperties"] is False
