"""Each service's migrations build the schema its models describe: a fresh database
migrated to head (PostgreSQL when TEST_DATABASE_URL is set, SQLite otherwise) differs from
the models' metadata in no table, column, index or constraint. A model changed without
its migration (or the reverse) fails here, not on a production upgrade."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine

from srs_common.testing import database_url_for, prepare_database

ROOT = Path(__file__).resolve().parents[2]
SERVICES = [
    "accreditation",
    "projects",
    "clearance",
    "access",
    "booking",
    "ops",
    "notify",
    "portal",
]


@pytest.mark.parametrize("service", SERVICES)
async def test_migrations_at_head_match_the_models(service: str, tmp_path: Path) -> None:
    url = database_url_for(service, tmp_path, suffix="_schema")
    prepare_database(url, ROOT / "services" / service / "migrations")
    importlib.import_module(f"srs_{service}.app")  # every module that maps a table
    metadata = importlib.import_module(f"srs_{service}.models").Base.metadata
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            differences = await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), metadata)
            )
    finally:
        await engine.dispose()
    assert differences == [], "\n".join(str(d) for d in differences)
