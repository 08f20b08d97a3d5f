"""The one Dockerfile (deploy/Dockerfile) every service and the portal are built from, chosen
by the build argument SERVICE: multi-stage uv build, non-root, health-checked, the portal's
assets from its npm lock file, and its build stage really installs the chosen service with
its migrations.

No Docker engine here: the build stage's COPY and ``uv sync`` steps are replayed in a
scratch directory from the repository (uv's cache, as CI has it after ``make install``) with
SERVICE set, and the result must run ``python -m srs_<svc>`` and find its migrations; the
entry point script is run by ``sh`` with a stand-in ``python`` that prints what it is given.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "deploy" / "Dockerfile"


@dataclass
class Stage:
    name: str
    base: str
    instructions: list[tuple[str, str]] = field(default_factory=list)
    # Inline files (``COPY <<'EOF' <path>``): path -> text.
    heredocs: dict[str, str] = field(default_factory=dict)

    def all(self, keyword: str) -> list[str]:
        return [args for kw, args in self.instructions if kw == keyword]


def parse(path: Path = DOCKERFILE) -> list[Stage]:
    """Instructions by stage (continuation lines joined, comments dropped, heredocs kept)."""
    lines = iter(path.read_text().splitlines())
    stages: list[Stage] = []
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        while line.endswith("\\"):
            line = line[:-1].rstrip() + " " + next(lines).strip()
        keyword, _, args = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            base, *alias = re.split(r"\s+AS\s+", args, flags=re.IGNORECASE)
            stages.append(Stage(alias[0] if alias else base, base))
            continue
        if not stages:
            continue  # the global ARGs (base images), read by the tests from the text
        heredoc = re.search(r"<<-?'?(\w+)'?\s+(\S+)$", args)
        if heredoc:
            body = []
            for body_line in lines:
                if body_line == heredoc.group(1):
                    break
                body.append(body_line)
            stages[-1].heredocs[heredoc.group(2)] = "\n".join(body) + "\n"
        stages[-1].instructions.append((keyword, args.strip()))
    return stages


def stage(name: str) -> Stage:
    (found,) = [s for s in parse() if s.name == name]
    return found


def test_every_service_and_the_portal_build_from_the_one_dockerfile(services):
    assert DOCKERFILE.is_file()
    copies = sorted(p.relative_to(ROOT) for p in (ROOT / "services").glob("*/Dockerfile"))
    assert copies == [], f"per-service Dockerfiles left: {copies}"
    assert "portal" in {s.name for s in services}
    # Every service directory the argument can name has what the build stage copies.
    for service in services:
        assert (ROOT / "services" / service.name / "pyproject.toml").is_file()


def test_the_image_is_multi_stage_non_root_and_health_checked():
    stages = parse()
    assert [s.name for s in stages][-1] == "runtime" and len(stages) >= 3
    runtime = stages[-1]
    assert not any("uv sync" in run or "npm" in run for run in runtime.all("RUN")), (
        "the runtime stage must not build"
    )
    assert "SERVICE" in runtime.all("ARG")
    (user,) = runtime.all("USER")
    assert user.split(":")[0] not in {"root", "0"}
    assert runtime.all("EXPOSE") == ["${PORT}"]
    env = " ".join(runtime.all("ENV"))
    assert "SRS_SERVICE=${SERVICE}" in env and "SRS_SERVICE_PORT=${PORT}" in env
    (entrypoint,) = runtime.all("ENTRYPOINT")
    (healthcheck,) = runtime.all("HEALTHCHECK")
    assert healthcheck.endswith('CMD ["srs", "healthz"]')
    assert entrypoint == '["srs"]'
    assert "/usr/local/bin/srs" in runtime.heredocs
    # Built outside the runtime stage and copied in: the venv and code, the assets.
    froms = [c for c in runtime.all("COPY") if c.startswith("--from=")]
    assert {c.split()[0] for c in froms} == {"--from=build", "--from=assets"}


def test_the_build_stage_installs_the_chosen_package_from_the_lock():
    build = stage("build")
    assert "SERVICE" in build.all("ARG")
    runs = " ".join(build.all("RUN"))
    assert "uv sync --frozen --package srs-${SERVICE} --no-dev --no-install-workspace" in runs
    assert runs.rstrip().endswith("uv sync --frozen --package srs-${SERVICE} --no-dev")
    copies = " ".join(build.all("COPY"))
    for needed in ("uv.lock", "libs/common/pyproject.toml", "services/${SERVICE}/pyproject.toml"):
        assert needed in copies, f"the build stage does not copy {needed}"


def test_the_portal_assets_come_from_its_npm_lock_file_with_node_20():
    assets = stage("assets")
    base_default = re.search(r"ARG NODE_IMAGE=(\S+)", DOCKERFILE.read_text()).group(1)
    assert assets.base == "${NODE_IMAGE}" and base_default.startswith("node:20")
    copies = " ".join(assets.all("COPY"))
    assert "services/portal/package-lock.json" in copies
    runs = " ".join(assets.all("RUN"))
    assert "build-assets.sh" in runs
    script = (ROOT / "services" / "portal" / "build-assets.sh").read_text()
    assert "npm ci" in script  # the lock file, exactly; never `npm install`
    # Nothing is fetched from a CDN, at build or at run time: the only address in the
    # file is the health check's, the container's own.
    urls = re.findall(r"https?://[^\s'\"]+", DOCKERFILE.read_text())
    assert urls and all(url.startswith("http://127.0.0.1:") for url in urls), urls


def test_dockerignore_keeps_local_state_out_of_the_build_context():
    ignored = (ROOT / ".dockerignore").read_text().split()
    for local in (
        ".venv",
        "var",
        ".git",
        "**/node_modules",
        "services/portal/src/srs_portal/static",
    ):
        assert local in ignored


def _entry(tmp_path: Path, *args: str, **env: str) -> list[str]:
    """Run the image's entry point script with a stand-in python; its argv and SRS_ env."""
    script = tmp_path / "srs"
    script.write_text(stage("runtime").heredocs["/usr/local/bin/srs"])
    python = tmp_path / "python"
    python.write_text('#!/bin/sh\nprintf "%s\\n" "$@"\nenv | grep "^SRS_" | sort\n')
    python.chmod(0o755)
    result = subprocess.run(
        ["sh", str(script), *args],
        env={"PATH": f"{tmp_path}:/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=10,
    )
    return result.stdout.splitlines()


def test_the_entry_point_runs_the_chosen_service_on_every_interface(tmp_path):
    image = {"SRS_SERVICE": "portal", "SRS_SERVICE_PORT": "8008"}
    out = _entry(tmp_path, "serve", **image)
    assert out[:3] == ["-m", "srs_portal", "serve"]
    assert "SRS_PORTAL_HOST=0.0.0.0" in out and "SRS_PORTAL_PORT=8008" in out
    # What the deployment sets wins over the image's defaults.
    out = _entry(tmp_path, "migrate", SRS_PORTAL_PORT="9000", SRS_PORTAL_HOST="::", **image)
    assert out[:3] == ["-m", "srs_portal", "migrate"]
    assert "SRS_PORTAL_HOST=::" in out and "SRS_PORTAL_PORT=9000" in out
    # The health check asks the port the process listens on.
    out = _entry(tmp_path, "healthz", SRS_PORTAL_PORT="9000", **image)
    assert out[0] == "-c" and out[1].startswith("import sys, urllib.request")
    assert out[2] == "http://127.0.0.1:9000/healthz"


def _replay_build_stage(service: str, workdir: Path) -> Path:
    """Run the build stage's COPY (from the context) and uv steps with SERVICE set;
    returns the venv."""
    app = workdir / "app"
    app.mkdir()
    venv = workdir / "venv"
    env = {**os.environ, "UV_PROJECT_ENVIRONMENT": str(venv)}
    env.pop("VIRTUAL_ENV", None)
    for keyword, args in stage("build").instructions:
        args = args.replace("${SERVICE}", service)
        if keyword == "COPY" and not args.startswith("--from"):
            *sources, destination = shlex.split(args)
            for source in sources:
                if (ROOT / source).is_dir():
                    shutil.copytree(
                        ROOT / source,
                        app / destination,
                        dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns(".venv", "__pycache__", "node_modules"),
                    )
                    continue
                target = app / destination
                if destination.endswith("/"):
                    target = target / Path(source).name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(ROOT / source, target)
        elif keyword == "RUN":
            command = re.sub(r"--mount=\S+\s*", "", args)
            assert command.startswith("uv "), f"unexpected build step: {command}"
            subprocess.run(
                shlex.split(command), cwd=app, env=env, check=True, capture_output=True, timeout=300
            )
    return venv


@pytest.mark.parametrize("service_name", ["access", "portal"])
def test_the_build_stage_installs_the_service_and_its_migrations(tmp_path, service_name):
    # Two stand for all: the build stage differs only in SERVICE; the portal is the
    # front end, with its templates beside its code.
    venv = _replay_build_stage(service_name, tmp_path)
    python = venv / "bin" / "python"
    usage = subprocess.run(
        [python, "-m", f"srs_{service_name}", "--help"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    assert "migrate" in usage and "serve" in usage
    migrations = subprocess.run(
        [python, "-c", f"import srs_{service_name} as s; print(s.MIGRATIONS_DIR)"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()
    assert Path(migrations).is_relative_to(tmp_path)
    assert list(Path(migrations, "versions").glob("*.py")), "migrations missing from the image"
    # Only this service and the shared library: other services stay out of its image.
    others = subprocess.run(
        [python, "-c", "import srs_booking"], capture_output=True, timeout=60, check=False
    )
    assert others.returncode != 0
