"""Grafana dashboard and Prometheus alert rules: they parse, and every metric they query is
one the services export.

Expressions are parsed by a real PromQL parser (``promql-parser``); metric names are taken
from the Prometheus registry after importing every service.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import prometheus_client
import promql_parser
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
MONITORING = ROOT / "deploy" / "k8s" / "base" / "monitoring"
DASHBOARD = MONITORING / "dashboards" / "srs-overview.json"
RULES = MONITORING / "prometheus-rules.yaml"

# Metrics the clearance service is to export (issue 8's dashboard needs them) and does not
# yet. Remove an entry once the service registers it; the test then checks it for real.
PENDING_METRICS = {
    "srs_clearance_time_to_decision_seconds": "histogram",
    "srs_clearance_outputs_overdue": "gauge",
}
SERIES_SUFFIXES = {
    "counter": ("_total",),
    "gauge": ("",),
    "histogram": ("_bucket", "_count", "_sum"),
    "summary": ("", "_count", "_sum"),
}


def _series(name: str, kind: str) -> set[str]:
    return {name + suffix for suffix in SERIES_SUFFIXES[kind]}


@pytest.fixture(scope="module")
def exported(services) -> set[str]:
    """Every series name a service can export (counters as ``_total``, histograms by part)."""
    importlib.import_module("srs_common.observability")
    for service in services:
        importlib.import_module(f"srs_{service.name}.app")
    names: set[str] = set()
    for metric in prometheus_client.REGISTRY.collect():
        if metric.name.startswith("srs_"):
            names |= _series(metric.name, metric.type)
    for name, kind in PENDING_METRICS.items():
        names |= _series(name, kind)
    return names


def _metrics_in(expr: str) -> set[str]:
    found: set[str] = set()

    def visit(node: Any) -> None:
        if isinstance(node, promql_parser.VectorSelector):
            found.add(node.name)

    promql_parser.walk(promql_parser.parse(expr), visit)
    return found


@pytest.fixture(scope="module")
def rules() -> list[dict[str, Any]]:
    document = yaml.safe_load(RULES.read_text())
    assert document["kind"] == "PrometheusRule"
    return [rule for group in document["spec"]["groups"] for rule in group["rules"]]


@pytest.fixture(scope="module")
def dashboard() -> dict[str, Any]:
    return json.loads(DASHBOARD.read_text())


def _panel_exprs(dashboard: dict[str, Any]) -> dict[str, list[str]]:
    return {
        panel["title"]: [target["expr"] for target in panel["targets"]]
        for panel in dashboard["panels"]
        if panel["type"] != "row"
    }


def test_every_alert_rule_parses_and_queries_exported_metrics(rules, exported):
    assert rules
    for rule in rules:
        used = _metrics_in(rule["expr"])
        assert used, rule["alert"]
        assert used <= exported, f"{rule['alert']} queries unknown metrics {used - exported}"
        assert rule["labels"]["severity"] in {"warning", "critical"}
        assert rule["annotations"]["summary"]


def test_alerts_cover_lag_dead_letters_backlog_and_clearance_service_level(rules):
    by_metric: dict[str, list[str]] = {}
    for rule in rules:
        for metric in _metrics_in(rule["expr"]):
            by_metric.setdefault(metric, []).append(rule["alert"])
    for metric in (
        "srs_consumer_lag",
        "srs_dead_letters_total",
        "srs_outbox_backlog",
        "srs_clearance_time_to_decision_seconds_bucket",
        "srs_clearance_outputs_overdue",
    ):
        assert metric in by_metric, f"no alert on {metric}"
    dead_letters = next(r for r in rules if "srs_dead_letters_total" in _metrics_in(r["expr"]))
    assert dead_letters["expr"].strip().endswith("> 0"), "any dead letter must alert"


def test_the_metric_check_catches_an_unknown_name(exported):
    assert "srs_outbox_backlog" in exported
    assert not _metrics_in("rate(srs_events_publishd_total[5m])") <= exported
    with pytest.raises(ValueError):
        promql_parser.parse("sum(rate(srs_outbox_backlog[5m])")


def test_dashboard_panels_parse_and_query_exported_metrics(dashboard, exported):
    assert dashboard["uid"] and dashboard["title"]
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    variables = {v["name"] for v in dashboard["templating"]["list"]}
    for title, exprs in _panel_exprs(dashboard).items():
        assert exprs, title
        for expr in exprs:
            used = _metrics_in(expr)
            assert used and used <= exported, f"{title}: unknown metrics {used - exported}"
            for variable in ("$service", "${datasource}"):
                if variable in expr:
                    assert variable.strip("${}") in variables
    for panel in dashboard["panels"]:
        grid = panel["gridPos"]
        assert grid["x"] >= 0 and grid["x"] + grid["w"] <= 24, panel["title"]


def test_dashboard_shows_every_platform_metric_and_clearance(dashboard, exported):
    shown = {m for exprs in _panel_exprs(dashboard).values() for e in exprs for m in _metrics_in(e)}
    wanted = {
        "srs_http_request_duration_seconds_bucket",
        "srs_http_request_duration_seconds_count",
        "srs_events_published_total",
        "srs_events_consumed_total",
        "srs_consumer_lag",
        "srs_outbox_backlog",
        "srs_dead_letters_total",
        "srs_relay_active",
        "srs_clearance_time_to_decision_seconds_bucket",
        "srs_clearance_outputs_overdue",
    }
    assert wanted <= shown, wanted - shown
    errors = [
        e for exprs in _panel_exprs(dashboard).values() for e in exprs if 'status=~"5.."' in e
    ]
    assert errors, "no panel shows HTTP errors"


def test_dashboard_is_shipped_to_grafana_by_both_overlays(rendered, dashboard):
    for overlay, objects in rendered.items():
        (config_map,) = [
            o
            for o in objects
            if o["kind"] == "ConfigMap"
            and o["metadata"].get("labels", {}).get("grafana_dashboard") == "1"
        ]
        assert json.loads(config_map["data"][DASHBOARD.name]) == dashboard, overlay
        (rule,) = [o for o in objects if o["kind"] == "PrometheusRule"]
        assert rule["spec"] == yaml.safe_load(RULES.read_text())["spec"]
