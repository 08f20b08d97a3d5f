"""The code-file scan measured on a labelled corpus (``codescan_corpus.txt``): every search
for a single entity and every command printing rows is found; benign analysis code
(aggregates, models, plots, filters on ordinary columns) rarely is."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from srs_clearance.sdc import codescan

CORPUS = Path(__file__).with_name("codescan_corpus.txt")
MAX_FALSE_POSITIVE_RATE = 0.10
LANGUAGES = {".r": "R", ".py": "Python", ".do": "Stata", ".sas": "SAS", ".sql": "SQL"}


@dataclass(frozen=True)
class Snippet:
    filename: str
    label: str  # entity, rows or benign
    catalogue: tuple[str, ...]
    code: str


def load_corpus() -> list[Snippet]:
    snippets: list[Snippet] = []
    header: list[str] | None = None
    body: list[str] = []
    for line in [*CORPUS.read_text().splitlines(), "### end | end"]:
        if line.startswith("### "):
            if header is not None:
                catalogue = next(
                    (
                        h.removeprefix("catalogue=")
                        for h in header[2:]
                        if h.startswith("catalogue=")
                    ),
                    "",
                )
                snippets.append(
                    Snippet(
                        header[0],
                        header[1],
                        tuple(c for c in catalogue.split(",") if c),
                        "\n".join(body) + "\n",
                    )
                )
            header, body = [p.strip() for p in line[4:].split("|")], []
        elif header is not None:
            body.append(line)
    return snippets


def flagged(snippet: Snippet) -> bool:
    """Whether the scan reports the snippet (thin annotation aside: snippets are short)."""
    findings = codescan.scan_code(
        snippet.code, filename=snippet.filename, identifier_columns=snippet.catalogue
    )
    return any(f.rule != "annotation" for f in findings)


def measure(snippets: list[Snippet]) -> dict[str, object]:
    results = [(s, flagged(s)) for s in snippets]
    entity = [hit for s, hit in results if s.label == "entity"]
    rows = [hit for s, hit in results if s.label == "rows"]
    benign = [hit for s, hit in results if s.label == "benign"]
    return {
        "entity_recall": sum(entity) / len(entity),
        "rows_recall": sum(rows) / len(rows),
        "false_positive_rate": sum(benign) / len(benign),
        "counts": (len(entity), len(rows), len(benign)),
        "missed": [s.filename for s, hit in results if s.label != "benign" and not hit],
        "false_positives": [s.filename for s, hit in results if s.label == "benign" and hit],
    }


def test_the_corpus_is_large_mixed_and_half_benign():
    snippets = load_corpus()
    assert len(snippets) >= 100
    assert {s.label for s in snippets} == {"entity", "rows", "benign"}
    benign_share = sum(s.label == "benign" for s in snippets) / len(snippets)
    assert 0.4 <= benign_share <= 0.6
    for language in LANGUAGES:
        of_language = [s for s in snippets if s.filename.lower().endswith(language)]
        assert {s.label for s in of_language} == {"entity", "rows", "benign"}, language


def test_recall_on_single_entity_searches_is_total_and_false_positives_are_rare(request):
    metrics = measure(load_corpus())
    entities, rows, benign = metrics["counts"]  # type: ignore[misc]
    summary = (
        f"code scan corpus: single-entity recall {metrics['entity_recall']:.1%} "
        f"({entities} snippets), row-printing recall {metrics['rows_recall']:.1%} "
        f"({rows}), false-positive rate {metrics['false_positive_rate']:.1%} "
        f"({benign} benign); missed {metrics['missed']}, "
        f"false positives {metrics['false_positives']}"
    )
    print(summary)  # shown with -s
    capture = request.config.pluginmanager.getplugin("capturemanager")
    reporter = request.config.pluginmanager.getplugin("terminalreporter")
    if capture is not None and reporter is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(f"\n{summary}")  # shown in the normal output too
    assert metrics["entity_recall"] == 1.0, metrics["missed"]
    assert metrics["rows_recall"] == 1.0, metrics["missed"]
    assert metrics["false_positive_rate"] <= MAX_FALSE_POSITIVE_RATE, metrics["false_positives"]


@pytest.mark.parametrize(
    "snippet", [s for s in load_corpus() if s.label != "benign"], ids=lambda s: s.filename
)
def test_each_single_entity_search_or_row_print_is_a_finding(snippet):
    findings = codescan.scan_code(
        snippet.code, filename=snippet.filename, identifier_columns=snippet.catalogue
    )
    assert any(f.rule == "row-level" for f in findings), findings
