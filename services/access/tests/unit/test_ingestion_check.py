"""The ingestion check on real small files built here: packages from public repositories are
refused by what the files are, whatever the request says."""

from __future__ import annotations

import io
import tarfile
import zipfile

from srs_access.ingestion.check import FindingKind, Severity, check_files, check_passed


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _tar_gz(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


R_DESCRIPTION = b"Package: dplyr\nVersion: 1.1.4\nTitle: A Grammar\nRepository: CRAN\n"
WHEEL_METADATA = b"Metadata-Version: 2.1\nName: pandas\nVersion: 2.2.0\n"
GIT_CONFIG = (
    b'[core]\n\tbare = false\n[remote "origin"]\n\turl = git@github.com:tidyverse/dplyr.git\n'
)


def test_own_data_and_code_pass_with_no_findings() -> None:
    files = [
        ("earnings.csv", b"id,wage\n1,20000\n"),
        ("derive.do", b"use earnings, clear\ngen log_wage = log(wage)\n"),
        ("model.py", b"import pandas as pd\nprint(pd.__version__)\n"),
    ]
    findings = check_files(files)
    assert findings == [] and check_passed(findings)


def test_an_r_package_is_refused_by_its_description_and_namespace() -> None:
    findings = check_files(
        [("DESCRIPTION", R_DESCRIPTION), ("NAMESPACE", b"export(mutate)\nimport(rlang)\n")]
    )
    assert [(f.file, f.kind) for f in findings] == [
        ("DESCRIPTION", FindingKind.r_package),
        ("NAMESPACE", FindingKind.r_package),
    ]
    assert "dplyr" in findings[0].reason and "CRAN" in findings[0].reason
    assert not check_passed(findings)


def test_a_wheel_is_refused_by_the_metadata_inside_it() -> None:
    wheel = _zip({"pandas/__init__.py": b"", "pandas-2.2.0.dist-info/METADATA": WHEEL_METADATA})
    findings = check_files([("helpers.whl", wheel)])
    assert [(f.file, f.kind, f.severity) for f in findings] == [
        (
            "helpers.whl!pandas-2.2.0.dist-info/METADATA",
            FindingKind.python_distribution,
            Severity.refuse,
        )
    ]
    assert "pandas" in findings[0].reason


def test_an_sdist_tarball_and_a_pyproject_package_are_refused() -> None:
    sdist = _tar_gz({"requests-2.32.0/PKG-INFO": b"Metadata-Version: 2.1\nName: requests\n"})
    pyproject = b'[project]\nname = "requests"\nversion = "2.32.0"\n'
    findings = check_files([("code.tar.gz", sdist), ("pyproject.toml", pyproject)])
    assert [f.file for f in findings] == ["code.tar.gz!requests-2.32.0/PKG-INFO", "pyproject.toml"]
    assert {f.kind for f in findings} == {FindingKind.python_distribution}


def test_a_pyproject_without_project_metadata_is_only_tool_settings() -> None:
    assert check_files([("pyproject.toml", b"[tool.ruff]\nline-length = 100\n")]) == []


def test_a_git_checkout_of_github_is_refused_even_named_innocently() -> None:
    checkout = _zip({"analysis/.git/config": GIT_CONFIG, "analysis/run.R": b"x <- 1\n"})
    findings = check_files([("my-own-analysis.zip", checkout)])
    assert [(f.file, f.kind) for f in findings] == [
        ("my-own-analysis.zip!analysis/.git/config", FindingKind.public_git_checkout)
    ]
    assert "GitHub" in findings[0].reason


def test_a_git_checkout_with_a_private_remote_passes() -> None:
    config = b'[remote "origin"]\n\turl = https://git.ons.internal/team/analysis.git\n'
    assert check_files([(".git/config", config)]) == []


def test_an_r_package_inside_a_nested_archive_is_found() -> None:
    inner = _tar_gz({"dplyr/DESCRIPTION": R_DESCRIPTION})
    outer = _zip({"bundle/dplyr_1.1.4.tar.gz": inner})
    findings = check_files([("bundle.zip", outer)])
    assert [f.file for f in findings] == ["bundle.zip!bundle/dplyr_1.1.4.tar.gz!dplyr/DESCRIPTION"]


def test_an_unknown_binary_is_flagged_for_the_team_not_refused() -> None:
    elf = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64
    findings = check_files([("tool", elf), ("survey.dta", b"\x72\x00\x01\x00" * 8)])
    assert [(f.file, f.kind, f.severity) for f in findings] == [
        ("tool", FindingKind.unknown_binary, Severity.flag)
    ]
    assert check_passed(findings)


def test_a_broken_archive_is_flagged() -> None:
    findings = check_files([("data.zip", b"PK\x03\x04 not really a zip")])
    assert [(f.kind, f.severity) for f in findings] == [
        (FindingKind.unreadable_archive, Severity.flag)
    ]
