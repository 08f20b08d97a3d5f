"""The automatic check of an ingestion request's files: what the files ARE, not what the
request says. Pure: bytes in, findings out, no I/O.

Packages from public repositories (CRAN, PyPI, GitHub...) are refused: an R package
(``DESCRIPTION`` with ``Package:``, ``NAMESPACE``), a Python distribution (a wheel's
``*.dist-info/METADATA``, an sdist's ``PKG-INFO``, ``setup.py`` or a ``pyproject.toml``
``[project]`` table), a git checkout whose ``.git/config`` names a public remote. Zip and
tar archives are looked into (one level of nesting). A binary file of no known data format
is flagged for the SRS team to look at, not refused.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from enum import StrEnum

from srs_access.domain import public_package_repository

# Archives inside archives are opened this deep, and no further (a zip bomb stops here).
MAX_DEPTH = 2
# An archive's members are read up to this size each; larger ones are flagged unread.
MAX_MEMBER_BYTES = 64 * 1024 * 1024


class Severity(StrEnum):
    """A refusal fails the check; a flag asks the team to look."""

    refuse = "refuse"
    flag = "flag"


class FindingKind(StrEnum):
    r_package = "r_package"
    python_distribution = "python_distribution"
    public_git_checkout = "public_git_checkout"
    unknown_binary = "unknown_binary"
    unreadable_archive = "unreadable_archive"


@dataclass(frozen=True)
class Finding:
    """One thing the check found: the file (``archive.zip!inner/path`` inside an archive),
    what it is and why that matters, in words."""

    file: str
    kind: FindingKind
    severity: Severity
    reason: str

    def as_json(self) -> dict[str, str]:
        return {k: str(v) for k, v in asdict(self).items()}


def check_passed(findings: list[Finding]) -> bool:
    """The check passes unless a finding refuses."""
    return not any(f.severity is Severity.refuse for f in findings)


# Data and code formats the service expects: text, and binary formats of statistical tools.
_TEXT_LIKE = {
    ".csv", ".tsv", ".txt", ".do", ".ado", ".r", ".rmd", ".py", ".sas", ".sps", ".sql",
    ".md", ".json", ".xml", ".yaml", ".yml", ".ipynb", ".log", ".dct", ".inc", ".toml",
    ".cfg", ".ini",
}  # fmt: skip
_DATA_MAGIC: dict[bytes, str] = {
    b"PK\x03\x04": "zip",
    b"\x1f\x8b": "gzip",
    b"%PDF": "pdf",
    b"\xd0\xcf\x11\xe0": "office",
    b"PAR1": "parquet",
    b"RDX2": "rdata",
    b"RDX3": "rdata",
}
_DATA_SUFFIXES = {
    ".dta", ".sav", ".sas7bdat", ".xpt", ".rds", ".rdata", ".rda", ".parquet", ".feather",
    ".xlsx", ".xls", ".docx", ".pdf", ".dat", ".zsav", ".por",
}  # fmt: skip


def check_files(files: list[tuple[str, bytes]]) -> list[Finding]:
    """Findings over every file of one request (name, content), in the order given."""
    findings: list[Finding] = []
    findings += _checkout_findings(files, prefix="")
    for name, data in files:
        findings += _file_findings(name, data, depth=0)
    return findings


def _file_findings(name: str, data: bytes, *, depth: int) -> list[Finding]:
    lower = name.lower()
    base = lower.rsplit("/", 1)[-1]
    if lower.endswith(".whl") or lower.endswith(".zip") or data[:4] == b"PK\x03\x04":
        return _archive_findings(name, data, depth=depth, opener=_zip_members)
    if lower.endswith((".tar.gz", ".tgz", ".tar")) or data[:2] == b"\x1f\x8b":
        return _archive_findings(name, data, depth=depth, opener=_tar_members)
    single = _package_file_finding(name, base, data)
    if single is not None:
        return [single]
    if _looks_binary(data) and not _known_data(base, data):
        return [
            Finding(
                name,
                FindingKind.unknown_binary,
                Severity.flag,
                "a binary file of no data format the service knows (it may be a program "
                "or a compiled library): the team will look at it",
            )
        ]
    return []


def _package_file_finding(name: str, base: str, data: bytes) -> Finding | None:
    text = _text(data)
    if text is None:
        return None
    if base == "description" and re.search(r"(?m)^Package:\s*\S", text):
        package = re.search(r"(?m)^Package:\s*(\S+)", text)
        repository = re.search(r"(?m)^Repository:\s*(\S+)", text)
        where = f" published on {repository.group(1)}" if repository else ""
        return Finding(
            name,
            FindingKind.r_package,
            Severity.refuse,
            f"an R package description (package {package.group(1) if package else '?'}"
            f"{where}): packages from public repositories such as CRAN cannot be brought in",
        )
    if base == "namespace" and re.search(r"(?m)^(export|import|S3method|useDynLib)\(", text):
        return Finding(
            name,
            FindingKind.r_package,
            Severity.refuse,
            "an R package NAMESPACE file: R packages cannot be brought in",
        )
    is_metadata = (base == "metadata" and "dist-info" in name.lower()) or base == "pkg-info"
    package = re.search(r"(?m)^Name:\s*(\S+)", text)
    if is_metadata and package and re.search(r"(?m)^Metadata-Version:", text):
        return Finding(
            name,
            FindingKind.python_distribution,
            Severity.refuse,
            f"Python package metadata (package {package.group(1)}): "
            "distributions of the kind published on PyPI cannot be brought in",
        )
    if base == "setup.py" and re.search(r"\bsetup\s*\(", text) and "name=" in text:
        return Finding(
            name,
            FindingKind.python_distribution,
            Severity.refuse,
            "a setup.py that builds a Python package: packages cannot be brought in",
        )
    project_table = re.search(r"(?m)^\[project\]", text)
    if base == "pyproject.toml" and project_table and re.search(r"(?m)^name\s*=", text):
        return Finding(
            name,
            FindingKind.python_distribution,
            Severity.refuse,
            "a pyproject.toml with [project] metadata naming a Python package: "
            "packages cannot be brought in",
        )
    return None


def _checkout_findings(files: list[tuple[str, bytes]], *, prefix: str) -> list[Finding]:
    findings = []
    for name, data in files:
        if not name.replace("\\", "/").endswith(".git/config"):
            continue
        text = _text(data) or ""
        for url in re.findall(r"(?m)^\s*url\s*=\s*(\S+)", text):
            repository = public_package_repository(_git_host(url))
            if repository is not None:
                findings.append(
                    Finding(
                        f"{prefix}{name}",
                        FindingKind.public_git_checkout,
                        Severity.refuse,
                        f"a git checkout of a {repository} repository ({url}): code from "
                        "public code repositories cannot be brought in",
                    )
                )
    return findings


def _git_host(url: str) -> str:
    # git@github.com:org/repo.git names its host before the colon.
    if "://" not in url and "@" in url and ":" in url:
        return url.split("@", 1)[1].split(":", 1)[0]
    return url


def _archive_findings(name: str, data: bytes, *, depth: int, opener: _Opener) -> list[Finding]:
    if depth >= MAX_DEPTH:
        return [_unreadable(name, "an archive nested too deep to look into")]
    import tarfile  # on first use: the access service's processes need not load it

    try:
        members = list(opener(data))
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError):
        return [_unreadable(name, "an archive that cannot be opened")]
    inner = [(f"{name}!{member}", content) for member, content in members if content is not None]
    findings = _checkout_findings(inner, prefix="")
    for member, content in members:
        if content is None:
            findings.append(_unreadable(f"{name}!{member}", "a member too large to look into"))
        else:
            findings += _file_findings(f"{name}!{member}", content, depth=depth + 1)
    return findings


def _unreadable(name: str, what: str) -> Finding:
    return Finding(
        name, FindingKind.unreadable_archive, Severity.flag, f"{what}: the team will look at it"
    )


_Opener = Callable[[bytes], Iterator[tuple[str, bytes | None]]]


def _zip_members(data: bytes) -> Iterator[tuple[str, bytes | None]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            if info.file_size > MAX_MEMBER_BYTES:
                yield info.filename, None
            else:
                yield info.filename, archive.read(info)


def _tar_members(data: bytes) -> Iterator[tuple[str, bytes | None]]:
    import tarfile

    with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as archive:
        for member in archive.getmembers():
            if not member.isfile():
                continue
            if member.size > MAX_MEMBER_BYTES:
                yield member.name, None
                continue
            handle = archive.extractfile(member)
            yield member.name, handle.read() if handle is not None else b""


def _text(data: bytes) -> str | None:
    if _looks_binary(data):
        return None
    return data[: 1024 * 1024].decode("utf-8", errors="replace")


def _looks_binary(data: bytes) -> bool:
    return b"\x00" in data[:8192]


def _known_data(base: str, data: bytes) -> bool:
    suffix = "." + base.rsplit(".", 1)[-1] if "." in base else ""
    if suffix in _DATA_SUFFIXES or suffix in _TEXT_LIKE:
        return True
    return any(data.startswith(magic) for magic in _DATA_MAGIC)
