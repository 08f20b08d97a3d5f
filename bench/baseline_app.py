"""The baselines every benchmark row is compared with, measured in the same run:
a bare FastAPI hello world, a bare ORM insert-and-commit, a bare primary-key SELECT.

    SRS_BENCH_DATABASE_URL=postgresql+asyncpg://... uvicorn bench.baseline_app:app
"""

from __future__ import annotations

import os
import uuid
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import String, select
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

URL = os.environ.get("SRS_BENCH_DATABASE_URL", "sqlite+aiosqlite:///var/bench-baseline.db")


class Base(DeclarativeBase):
    pass


class Row(Base):
    __tablename__ = "bench_row"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    payload: Mapped[str] = mapped_column(String(200))


engine = create_async_engine(URL, pool_size=10, max_overflow=10)
sessions = async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def lifespan(_app: FastAPI):
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    async with sessions() as session:
        if await session.get(Row, "known") is None:
            session.add(Row(id="known", payload="x" * 100))
            await session.commit()
    yield
    await engine.dispose()


app = FastAPI(lifespan=lifespan)


@app.get("/hello")
async def hello() -> dict[str, bool]:
    return {"ok": True}


@app.post("/insert")
async def insert_row() -> dict[str, str]:
    async with sessions() as session:
        row = Row(id=uuid.uuid4().hex, payload="x" * 100)
        session.add(row)
        await session.commit()
        return {"id": row.id}


@app.get("/select")
async def select_row() -> dict[str, str]:
    async with sessions() as session:
        row = (await session.execute(select(Row).where(Row.id == "known"))).scalar_one()
        return {"id": row.id, "payload": row.payload}
