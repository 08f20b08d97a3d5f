"""The Python API client generated from every service's OpenAPI document
(openapi-python-client), one package per service: ``srs_<service>_client`` under
``var/client`` (git-ignored: it is built from the code, like the documents themselves).

    make client        # = uv run --frozen python tests/contract/client.py

A package is regenerated only when its service's document changed (the document's
SHA-256 is kept beside it); tests/contract/test_generated_client.py builds them the same
way before importing them, so the client under test is always the current contract's.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from snapshot import SERVICES, openapi  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
CLIENT_DIR = ROOT / "var" / "client"
STAMP = ".openapi-sha256"


def package_name(service: str) -> str:
    return f"srs_{service}_client"


def build(service: str, target: Path = CLIENT_DIR) -> Path:
    """Generate ``srs_<service>_client`` in ``target`` unless it is up to date."""
    document = json.dumps(openapi(service), sort_keys=True)
    digest = hashlib.sha256(document.encode()).hexdigest()
    package = target / package_name(service)
    stamp = package / STAMP
    if stamp.exists() and stamp.read_text() == digest:
        return package
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / f"{service}.json"
        spec.write_text(document)
        generated = Path(tmp) / package_name(service)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "openapi_python_client",
                "generate",
                "--path",
                str(spec),
                "--output-path",
                str(generated),
                "--meta",
                "none",
            ],
            check=True,
            capture_output=True,
        )
        shutil.rmtree(package, ignore_errors=True)
        shutil.copytree(generated, package)
    stamp.write_text(digest)
    return package


def build_all(target: Path = CLIENT_DIR) -> list[Path]:
    return [build(service, target) for service in SERVICES]


if __name__ == "__main__":
    for path in build_all():
        print(f"client: {path.relative_to(ROOT)}")
