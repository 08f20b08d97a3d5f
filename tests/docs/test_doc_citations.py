"""Comments, docstrings and notes outside docs/ that cite a document cite one that exists.

A comment saying "see BROKER.md" or "docs/rules/x.md" sends the reader to nothing once the
file is gone or merged; this finds every such citation in the tracked files.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# A path under docs/ ending in .md, or a bare upper-case document name (README.md,
# DESIGN.md); the character before must not continue a path or a word.
CITATION = re.compile(r"(?<![\w/.-])(docs/[\w./-]+?\.md|[A-Z][A-Z_-]+\.md)\b")
SOURCES = (".py", ".toml", ".yml", ".yaml", ".sh", ".cfg", ".ini", ".sql", ".md", ".j2")
NAMED = ("Makefile", "Dockerfile", "run")


def cited_documents(text: str) -> list[str]:
    return CITATION.findall(text)


def tracked_sources() -> list[Path]:
    listing = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return [
        ROOT / name
        for name in listing
        # docs/ is checked by the strict MkDocs build; mkdocs.yml names pages relative to
        # docs/; this directory's tests cite missing pages on purpose.
        if not name.startswith(("docs/", "tests/docs/"))
        and name != "mkdocs.yml"
        and (name.endswith(SOURCES) or Path(name).name in NAMED)
        and (ROOT / name).is_file()
    ]


def missing_citations(files: list[Path], root: Path = ROOT) -> list[str]:
    missing = []
    for path in files:
        for cited in cited_documents(path.read_text(errors="replace")):
            # Bare names (README.md) are looked for at the root and beside the citing file.
            if not any((base / cited).exists() for base in (root, path.parent)):
                missing.append(f"{path.relative_to(root)}: {cited}")
    return missing


def test_every_cited_document_exists() -> None:
    assert missing_citations(tracked_sources()) == []


def test_citations_are_found_and_a_missing_one_is_reported(tmp_path: Path) -> None:
    source = tmp_path / "module.py"
    source.write_text(
        '"""The differences (BROKER.md) and the rules (docs/rules/oidc.md); see README.md."""\n'
        'URL = "https://example.org/docs/page.md"  # a URL, not a citation\n'
    )
    assert cited_documents(source.read_text()) == ["BROKER.md", "docs/rules/oidc.md", "README.md"]
    (tmp_path / "README.md").write_text("# here\n")
    assert [line.split(": ")[1] for line in missing_citations([source], root=tmp_path)] == [
        "BROKER.md",
        "docs/rules/oidc.md",
    ]
