"""Each service's Dockerfile: multi-stage uv build, non-root, health-checked, and its build
stage really installs the service with its migrations.

No Docker engine here: the build stage's COPY and ``uv sync`` steps are replayed in a
scratch directory from the repository (uv's cache, as CI has it after ``make install``), and
the result must run ``python -m srs_<svc>`` and find its migrations.
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


@dataclass
class Stage:
    name: str
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [args for kw, args in self.instructions if kw == keyword]


def parse(path: Path) -> list[Stage]:
    """Instructions by stage (continuation lines joined, comments dropped)."""
    text = re.sub(r"\\\n", " ", path.read_text())
    stages: list[Stage] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, args = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            alias = re.search(r"\bAS\s+(\S+)", args, re.IGNORECASE)
            stages.append(Stage(alias.group(1) if alias else args))
        elif stages:
            stages[-1].instructions.append((keyword, args.strip()))
    return stages


def dockerfile(service: str) -> Path:
    return ROOT / "services" / service / "Dockerfile"


def test_every_service_has_a_multi_stage_non_root_dockerfile(services):
    for service in services:
        path = dockerfile(service.name)
        assert path.exists(), f"{service.name} has no Dockerfile"
        stages = parse(path)
        runtime = stages[-1]
        assert len(stages) >= 2
        assert not any("uv sync" in run for run in runtime.all("RUN")), (
            "the runtime stage must not build"
        )
        (user,) = runtime.all("USER")
        assert user.split(":")[0] not in {"root", "0"}
        assert runtime.all("EXPOSE") == [str(service.port)]
        (entrypoint,) = runtime.all("ENTRYPOINT")
        assert entrypoint == f'["python", "-m", "srs_{service.name}"]'
        (healthcheck,) = runtime.all("HEALTHCHECK")
        assert "/healthz" in healthcheck
        env = " ".join(runtime.all("ENV"))
        assert f"{service.env_prefix}HOST=0.0.0.0" in env
        assert f"{service.env_prefix}PORT={service.port}" in env


def test_every_dockerfile_installs_its_own_package_from_the_lock(services):
    for service in services:
        build = parse(dockerfile(service.name))[-2]
        runs = " ".join(build.all("RUN"))
        assert f"uv sync --frozen --package srs-{service.name} --no-dev" in runs
        copies = " ".join(build.all("COPY"))
        # The frozen lock, the shared library and the service itself; other members'
        # pyproject.toml files are optional with --frozen (the replays below show it).
        for needed in (
            "uv.lock",
            "libs/common/pyproject.toml",
            f"services/{service.name}/pyproject.toml",
        ):
            assert needed in copies, f"{service.name}'s Dockerfile does not copy {needed}"


def test_dockerignore_keeps_local_state_out_of_the_build_context():
    ignored = (ROOT / ".dockerignore").read_text().split()
    for local in (".venv", "var", ".git"):
        assert local in ignored


def _replay_build_stage(service: str, workdir: Path) -> Path:
    """Run the build stage's COPY (from the context) and uv steps; returns the venv."""
    build = parse(dockerfile(service))[-2]
    app = workdir / "app"
    app.mkdir()
    venv = workdir / "venv"
    env = {**os.environ, "UV_PROJECT_ENVIRONMENT": str(venv)}
    env.pop("VIRTUAL_ENV", None)
    for keyword, args in build.instructions:
        if keyword == "COPY" and not args.startswith("--from"):
            *sources, destination = shlex.split(args)
            for source in sources:
                if (ROOT / source).is_dir():
                    shutil.copytree(
                        ROOT / source,
                        app / destination,
                        dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns(".venv", "__pycache__"),
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


@pytest.mark.parametrize("service_name", ["access", "ops"])
def test_the_build_stage_installs_the_service_and_its_migrations(tmp_path, service_name):
    # Two stand for all: their build stages differ only in the name, which the tests above
    # check; access's copies fewer workspace members than the newest services have.
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
