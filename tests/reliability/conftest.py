"""Reliability schedules: ``reliability`` (short, in CI) and ``reliability_full``
(``uv run pytest tests/reliability -m reliability_full -s``; skipped unless selected)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "reliability: the short fault schedule (CI)")
    config.addinivalue_line(
        "markers",
        "reliability_full: the full fault schedule "
        "(make reliability; select with -m reliability_full)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "reliability_full" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="full fault schedule: select with -m reliability_full")
    for item in items:
        if "reliability_full" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def var_dir(request: pytest.FixtureRequest) -> Iterator[Path]:
    """Databases and process logs, outside pytest's shared temporary root (other
    sessions' pytest runs prune it while this one runs); kept when the test fails."""
    path = Path(tempfile.mkdtemp(prefix="srs-reliability-"))
    yield path
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.passed and not os.environ.get("SRS_RELIABILITY_KEEP"):
        shutil.rmtree(path, ignore_errors=True)
    else:
        print(f"\nreliability logs kept in {path}/logs")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    report = yield
    if report.when == "call":
        item.rep_call = report  # type: ignore[attr-defined]
    return report
