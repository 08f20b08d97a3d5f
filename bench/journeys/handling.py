"""The consumer handling row: what each consumer spent applying one event during the saga,
from the services' own ``srs_event_handling_seconds`` histograms (handler, inbox and
commit, a run's time shared among its events), read before and after the approvals so
that only the saga's events count."""

from __future__ import annotations

from collections import defaultdict

import httpx
from harness import Row
from prometheus_client.parser import text_string_to_metric_families

#: (consumer, event type) -> {bucket's upper bound in seconds: events at or under it}
Buckets = dict[tuple[str, str], dict[float, float]]

METRIC = "srs_event_handling_seconds"
PROVISIONING = ("access", "srs.project.approved.v1")
# The targets fall on bucket bounds (0.002, 0.005), so "met" reads the counts directly.
EVERY_CONSUMER_S = 0.002
PROVISIONING_S = 0.005


def scrape(ctx) -> Buckets:
    """Every service's handling histogram, as cumulative bucket counts."""
    buckets: Buckets = defaultdict(dict)
    with httpx.Client(timeout=10) as client:
        served = [s for s in ctx.stack.processes if s in ctx.stack.metrics_ports]
        urls = {ctx.stack.metrics_url(service) for service in served}
        for url in sorted(urls):
            text = client.get(url).text
            for family in text_string_to_metric_families(text):
                if family.name != METRIC:
                    continue
                for sample in family.samples:
                    if sample.name == f"{METRIC}_bucket":
                        key = (sample.labels["consumer"], sample.labels["type"])
                        buckets[key][float(sample.labels["le"])] = sample.value
    return dict(buckets)


def _since(before: Buckets, after: Buckets, keys: list[tuple[str, str]]) -> dict[float, float]:
    """The cumulative counts of ``keys`` added between the two reads, summed."""
    total: dict[float, float] = defaultdict(float)
    for key in keys:
        earlier = before.get(key, {})
        for bound, count in after.get(key, {}).items():
            total[bound] += count - earlier.get(bound, 0.0)
    return dict(sorted(total.items()))


def _median(cumulative: dict[float, float]) -> float | None:
    """The median in seconds, interpolated within its bucket (None: no events)."""
    events = cumulative.get(float("inf"), 0.0)
    if events <= 0:
        return None
    half, lower, below = events / 2, 0.0, 0.0
    for bound, count in cumulative.items():
        if count >= half:
            if bound == float("inf"):
                return lower
            return lower + (bound - lower) * (half - below) / max(count - below, 1e-9)
        lower, below = bound, count
    return lower


def _share_under(cumulative: dict[float, float], bound: float) -> float:
    events = cumulative.get(float("inf"), 0.0)
    return cumulative.get(bound, 0.0) / events if events else 1.0


def handling_row(before: Buckets, after: Buckets, approvals: int) -> Row:
    """Each consumer's median handling cost per event over the saga's events, and the
    access consumer's for a provisioning (``project.approved``)."""
    consumers = sorted({consumer for consumer, _ in after})
    per_consumer = {
        consumer: _since(before, after, [k for k in after if k[0] == consumer])
        for consumer in consumers
    }
    per_consumer = {c: b for c, b in per_consumer.items() if b.get(float("inf"), 0) > 0}
    provisioning = _since(before, after, [PROVISIONING])
    medians = {c: _median(b) for c, b in per_consumer.items()}
    slow = [c for c, b in per_consumer.items() if _share_under(b, EVERY_CONSUMER_S) < 0.5]
    provisioned = _median(provisioning)
    provisioning_met = _share_under(provisioning, PROVISIONING_S) >= 0.5
    worst = max(medians.items(), key=lambda kv: kv[1] or 0.0, default=("-", None))

    def ms(seconds: float | None) -> str:
        return "-" if seconds is None else f"{seconds * 1000:.1f} ms"

    return Row(
        "consumer handling",
        "median cost per consumed event during the saga (handler, inbox, commit)",
        "-",
        value=f"worst {worst[0]} {ms(worst[1])}; provisioning {ms(provisioned)}",
        base_value="-",
        ratio="-",
        target="every consumer <= 2 ms; provisioning <= 5 ms",
        met=not slow and provisioning_met and bool(per_consumer),
        note=f"{approvals} approvals; by consumer: "
        + ", ".join(
            f"{c} {ms(m)} ({per_consumer[c][float('inf')]:,.0f} events)"
            for c, m in sorted(medians.items(), key=lambda kv: -(kv[1] or 0.0))
        )
        + " (medians interpolated within the histogram's buckets)",
    )
