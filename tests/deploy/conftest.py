"""What the code says the platform is made of, and the deployment files to check against it.

Services (the workspace's ``services/*``), ports, topics and dead-letter topics are read
from ``srs_common.contracts`` and each service's settings, never listed here, so a new
service or topic that the deployment files miss fails these tests.
"""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from srs_common.config import PlatformSettings, ServiceSettings
from srs_common.contracts import SERVICE_TOPICS
from srs_common.devstack import FRONT_ENDS

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
OVERLAYS = ("dev", "prod")
SCHEMAS = Path(__file__).resolve().parent / "schemas"


@dataclass(frozen=True)
class CodeService:
    """One service as its code describes it."""

    name: str
    settings: ServiceSettings

    @property
    def env_prefix(self) -> str:
        return f"SRS_{self.name.upper()}_"

    @property
    def port(self) -> int:
        return self.settings.port

    @property
    def topic(self) -> str:
        return self.settings.topic

    @property
    def dead_letter_topic(self) -> str:
        return self.settings.dead_letter_topic

    @property
    def own_dead_letter_topics(self) -> list[str]:
        return self.settings.own_dead_letter_topics

    @property
    def database(self) -> str:
        return f"srs_{self.name}"

    @property
    def front_end(self) -> bool:
        """A web front end (the portal): no topic, relay, consumers or metrics port."""
        return self.name in FRONT_ENDS


def _settings_of(service: str) -> ServiceSettings:
    module = importlib.import_module(f"srs_{service}.settings")
    (settings_class,) = [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, ServiceSettings)
        and value is not ServiceSettings
    ]
    return settings_class()


def code_services() -> list[CodeService]:
    """Every service of the workspace (``services/*``), each with its settings; front ends
    (the portal) included, their ``front_end`` set."""
    names = sorted(p.parent.name for p in (ROOT / "services").glob("*/pyproject.toml"))
    assert set(SERVICE_TOPICS) <= set(names)
    assert set(FRONT_ENDS) <= set(names)
    return [CodeService(name, _settings_of(name)) for name in names]


def code_topics() -> set[str]:
    """Each publisher's topic (``SERVICE_TOPICS``) and every service's dead-letter topic."""
    services = [s for s in code_services() if not s.front_end]
    for service in services:
        if service.name in SERVICE_TOPICS:
            assert service.topic == SERVICE_TOPICS[service.name]
    return set(SERVICE_TOPICS.values()) | {t for s in services for t in s.own_dead_letter_topics}


@pytest.fixture(scope="session")
def services() -> list[CodeService]:
    """Every service and front end."""
    return code_services()


@pytest.fixture(scope="session")
def back_ends(services) -> list[CodeService]:
    """The services with topics, relays, consumers and metrics (every one but the front
    ends)."""
    return [s for s in services if not s.front_end]


@pytest.fixture(scope="session")
def front_ends(services) -> list[CodeService]:
    fronts = [s for s in services if s.front_end]
    assert fronts, "the portal is meant to be deployed"
    return fronts


@pytest.fixture(scope="session")
def topics() -> set[str]:
    """Every service topic and dead-letter topic the code names."""
    return code_topics()


@pytest.fixture(scope="session")
def platform() -> PlatformSettings:
    return PlatformSettings()


def kubectl() -> str:
    """A kubectl with kustomize v5: the workspace's (deploy/tools/install.sh) or the system's."""
    local = Path(sys.executable).parent / "kubectl"
    found = str(local) if local.exists() else shutil.which("kubectl")
    if found is None:
        pytest.fail("kubectl not found: run deploy/tools/install.sh")
    return found


def render(overlay: Path) -> list[dict[str, Any]]:
    result = subprocess.run(
        [kubectl(), "kustomize", str(overlay)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


@pytest.fixture(scope="session")
def rendered() -> dict[str, list[dict[str, Any]]]:
    """Every overlay rendered by kustomize: overlay name -> its objects."""
    return {name: render(K8S / "overlays" / name) for name in OVERLAYS}
