"""The documentation site: every page under docs/ is in the nav, the README's links lead
to files that exist, and the strict MkDocs build passes (what `make docs` and CI run).

A page left out of the nav is a page nobody finds; a README link to a moved file is the
first thing a newcomer clicks.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
MKDOCS = ROOT / "mkdocs.yml"
README = ROOT / "README.md"

# Markdown links and images: [text](target) and ![alt](target); the target ends at a space
# (a title may follow) or at the closing parenthesis.
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)[^)]*\)")


class _ConfigLoader(yaml.SafeLoader):
    """Reads mkdocs.yml, whose `!!python/name:` tags name Python objects we do not need."""


_ConfigLoader.add_multi_constructor(
    "tag:yaml.org,2002:python/name:", lambda loader, suffix, node: suffix
)


def nav_pages(entries: Any) -> list[str]:
    """Every page a (nested) MkDocs nav names, in order."""
    pages: list[str] = []
    if isinstance(entries, str):
        pages.append(entries)
    elif isinstance(entries, list):
        for entry in entries:
            pages.extend(nav_pages(entry))
    elif isinstance(entries, dict):
        for value in entries.values():
            pages.extend(nav_pages(value))
    return pages


def missing_from_nav(docs: Path, nav: Any) -> list[str]:
    listed = {page for page in nav_pages(nav) if not page.startswith(("http://", "https://"))}
    pages = {path.relative_to(docs).as_posix() for path in docs.rglob("*.md")}
    return sorted(pages - listed)


def broken_links(markdown: Path) -> list[str]:
    """Relative links of a Markdown file whose target file does not exist."""
    broken = []
    for target in LINK.findall(markdown.read_text()):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
            continue  # a URL (http:, mailto:) or an anchor in the same page
        path = target.split("#", 1)[0]
        if not (markdown.parent / path).exists():
            broken.append(target)
    return broken


def test_every_page_under_docs_is_in_the_nav() -> None:
    config = yaml.load(MKDOCS.read_text(), Loader=_ConfigLoader)
    assert config["docs_dir"] == "docs"
    assert missing_from_nav(DOCS, config["nav"]) == []


def test_a_page_left_out_of_the_nav_is_reported(tmp_path: Path) -> None:
    (tmp_path / "guides").mkdir()
    (tmp_path / "index.md").write_text("# Home\n")
    (tmp_path / "guides" / "forgotten.md").write_text("# Forgotten\n")
    assert missing_from_nav(tmp_path, [{"Home": "index.md"}]) == ["guides/forgotten.md"]


def test_every_page_in_the_nav_exists() -> None:
    config = yaml.load(MKDOCS.read_text(), Loader=_ConfigLoader)
    absent = [page for page in nav_pages(config["nav"]) if not (DOCS / page).is_file()]
    assert absent == []


def test_readme_links_lead_to_files_that_exist() -> None:
    assert broken_links(README) == []


def test_a_readme_link_to_a_missing_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "here.md").write_text("# Here\n")
    readme = tmp_path / "README.md"
    readme.write_text(
        "[here](docs/here.md), [anchor](docs/here.md#part), [web](https://example.org), "
        "[gone](docs/rules/gone.md) and ![shot](docs/images/gone.png)\n"
    )
    assert broken_links(readme) == ["docs/rules/gone.md", "docs/images/gone.png"]


def dated_figures(markdown: str) -> list[str]:
    """Prose naming a day (2026-12-01) or a measurement taken ("Measured: 96 MB"); code
    blocks and code spans (example bodies) do not count."""
    prose = re.sub(r"```.*?```", "", markdown, flags=re.S)
    prose = re.sub(r"`[^`\n]*`", "", prose)
    return re.findall(r"\b(?:19|20)\d\d-\d\d-\d\d\b|\bMeasured\b[^.\n]*", prose)


def test_dated_figures_live_only_in_the_report() -> None:
    found = {
        path.relative_to(DOCS).as_posix(): dated_figures(path.read_text())
        for path in DOCS.rglob("*.md")
        if path.name != "reliability-report.md"
    }
    assert {page: hits for page, hits in found.items() if hits} == {}


def test_a_dated_figure_is_found_outside_code() -> None:
    page = (
        "Measured on 2026-12-01: peak 96 MB.\n"
        '```\ncurl -d \'{"starts_at": "2027-01-05T09:00:00Z"}\'\n```\n'
        'An example body: `{"day": "2027-01-05"}`.\n'
        "The last run, on 2026-11-30, took 79 s.\n"
    )
    assert dated_figures(page) == ["Measured on 2026-12-01: peak 96 MB", "2026-11-30"]


def test_the_strict_build_passes(tmp_path: Path) -> None:
    """`mkdocs build --strict`: a broken link, a missing anchor or a page out of the nav
    fails it (mkdocs.yml turns each into a warning)."""
    mkdocs = shutil.which("mkdocs", path=str(Path(sys.executable).parent)) or "mkdocs"
    result = subprocess.run(
        [mkdocs, "build", "--strict", "--config-file", str(MKDOCS), "--site-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    assert (tmp_path / "architecture" / "index.html").is_file()
