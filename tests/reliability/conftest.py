"""Reliability schedules: ``reliability`` (short, in CI) and ``reliability_full``
(``uv run pytest tests/reliability -m reliability_full -s``; skipped unless selected)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "reliability: the short fault schedule (CI)")
    config.addinivalue_line("markers", "reliability_full: the full fault schedule "
                                       "(make reliability; select with -m reliability_full)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "reliability_full" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="full fault schedule: select with -m reliability_full")
    for item in items:
        if "reliability_full" in item.keywords:
            item.add_marker(skip)
