"""The outbox backlog and relay state of each service, gathered over HTTP from the
services themselves with the operator's own token."""

from __future__ import annotations

import asyncio
import contextlib

import uvicorn

from srs_common.broker import free_port
from srs_common.contracts.projects import ProjectSubmitted
from srs_common.events.outbox import publish

from ..conftest import eventually


@contextlib.asynccontextmanager
async def serving(app):
    """Serve an app (lifespan already run by its test client) on a free port."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
    )
    task = asyncio.create_task(server.serve())

    async def started():
        return server.started

    try:
        await eventually(started, timeout=10)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=10)


async def test_backlog_of_each_service_with_the_callers_token(service_client, tokens):
    async with service_client("projects") as projects, serving(projects.app) as projects_url:
        async with projects.runtime.db.transaction() as session:
            for _ in range(3):
                await publish(
                    session,
                    ProjectSubmitted.model_validate(ProjectSubmitted.example),
                    subject="prj_01J9Z8Q4V6",
                )
        unreachable = f"http://127.0.0.1:{free_port()}"
        async with service_client(
            "ops", service_urls={"projects": projects_url, "access": unreachable}
        ) as ops:
            body = (await ops.get("/v1/services/messaging", headers=tokens.headers("ops"))).json()
            by_service = {s["service"]: s for s in body}
            # Projects answers only an ops/support token: the operator's was forwarded.
            assert by_service["projects"]["reachable"] is True
            assert by_service["projects"]["outbox_backlog"] == 3
            assert by_service["projects"]["error"] is None
            assert by_service["access"]["reachable"] is False
