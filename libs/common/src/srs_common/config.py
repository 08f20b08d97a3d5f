"""Settings shared by every service.

Each service subclasses :class:`ServiceSettings` with its own ``env_prefix``
(``SRS_<SVC>_``); values common to the whole platform (broker, token issuer) are
read from plain ``SRS_`` variables by :class:`PlatformSettings` and embedded.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

log = logging.getLogger(__name__)

#: Key material a secret setting needs in production (256 bits).
MIN_SECRET_BYTES = 32
# A secret of 32 bytes or more that uses fewer distinct characters than this is a
# placeholder ("xxxx...", "changeme" repeated), not random key material.
MIN_SECRET_DISTINCT_CHARACTERS = 10


class PlatformSettings(BaseSettings):
    """Values every service shares: the event bus and the token issuer."""

    model_config = SettingsConfigDict(env_prefix="SRS_", extra="ignore")

    # "production" (set by the deployment files): a service refuses to start while any of
    # its secrets is a development default, empty or too weak (check_secrets).
    # "development" (`make run`, tests): the defaults work and one warning says so.
    environment: Literal["development", "production"] = "development"

    kafka_bootstrap: str = "127.0.0.1:9092"
    # Apache Kafka supports idempotent producers; the embedded Tansu broker rejects them
    # (docs/reference/broker.md), so this is a setting and correctness never depends on it.
    kafka_idempotence: bool = False
    topic_partitions: int = 4
    # Replication of topics a service creates itself (on Apache Kafka the operator's
    # KafkaTopic objects normally exist first); -1 takes the broker's default.
    topic_replication_factor: int = 1
    # Tansu returns empty fetches for ever below ~20 ms (docs/reference/broker.md).
    fetch_max_wait_ms: int = Field(default=50, ge=20)
    #: The fetch wait of a consumer at rest (srs_common.events.consumer.loop).
    fetch_idle_max_wait_ms: int = Field(default=1000, ge=20, le=30_000)
    session_timeout_ms: int = 6000
    request_timeout_ms: int = 15000

    jwt_issuer: str = "srs-access"
    jwt_audience: str = "srs"
    jwks_url: str = "http://127.0.0.1:8004/.well-known/jwks.json"
    jwks_cache_seconds: int = 300
    # A JWKS document given inline (e.g. mounted from a secret) instead of fetched.
    jwks_json: str | None = None

    # Rate limits ("<n>/<second|minute|hour>"): partner clients always; everyone else
    # only when set. Shared across replicas when a Redis URL is given
    # (e.g. "async+redis://127.0.0.1:6379"), per process otherwise.
    rate_limit_partner: str = "600/minute"
    rate_limit_default: str | None = None
    rate_limit_storage_url: str | None = None
    idempotency_ttl_hours: int = 24

    cors_origins: list[str] = ["http://localhost:3000"]
    log_level: str = "INFO"
    log_json: bool = True

    # Tracing (srs_common.tracing): off unless an OTLP/HTTP endpoint is given here
    # (e.g. "http://otel-collector:4318") or in the standard OTEL_EXPORTER_OTLP_ENDPOINT.
    otel_exporter_otlp_endpoint: str | None = None
    # Share of new traces kept (a trace begun upstream keeps its upstream decision).
    otel_sample_ratio: float = Field(default=1.0, ge=0.0, le=1.0)


class ServiceSettings(BaseSettings):
    """Per-service settings; subclasses set ``env_prefix`` to ``SRS_<SVC>_``."""

    model_config = SettingsConfigDict(extra="ignore")

    service_name: str = "service"
    database_url: str = "sqlite+aiosqlite:///var/service.db"
    db_pool_size: int = 10
    host: str = "127.0.0.1"
    port: int = 8000
    # The base URL clients reach this service at (the OpenAPI document's ``servers``);
    # unset: http://<host>:<port>, the local one.
    public_url: str | None = None
    # Prometheus metrics are served on this port, never on the API port (srs_common.metrics);
    # unset: the API port plus 1000.
    metrics_port: int | None = None

    # Request bodies above this get 413; routes with larger bodies declare their own
    # limit in ServiceSpec.body_limits.
    max_body_bytes: int = 1024 * 1024

    run_relay: bool = True
    run_consumers: bool = True
    relay_batch_size: int = 500
    relay_poll_seconds: float = Field(default=0.5, gt=0, le=1.0)
    relay_lease_seconds: float = 5.0
    #: The longest wait between polls at rest (woken at once by work; on SQLite at most
    #: half the lease, which polling renews).
    relay_idle_poll_seconds: float = Field(default=5.0, gt=0, le=60.0)

    consumer_max_attempts: int = 4
    #: Ordinary records of one fetch applied in one transaction, at most this many (1: each
    #: in its own). A run that fails is applied again one record at a time.
    consumer_max_batch: int = Field(default=100, ge=1, le=1000)
    consumer_backoff_base_seconds: float = 0.05
    consumer_backoff_max_seconds: float = 2.0
    # Rebuild a consumer that has had no partitions or no fetch response for this long.
    consumer_watchdog_seconds: float = 60.0
    #: No record for this long and a consumer fetches at the idle pace.
    consumer_idle_after_seconds: float = Field(default=2.0, gt=0)

    platform: PlatformSettings = Field(default_factory=PlatformSettings)

    def production_problems(self) -> dict[str, str]:
        """Environment variable -> why its value is unfit for production, for every
        secret setting (a ``SecretStr``, or a mapping of them) that has a development
        default: still that default, empty, or too weak. Subclasses add theirs (secrets
        of another shape such as a PEM key, settings meant for tests only)."""
        problems: dict[str, str] = {}
        prefix = str(self.model_config.get("env_prefix", ""))
        for name, info in type(self).model_fields.items():
            default = info.get_default(call_default_factory=True)
            defaults = _secret_values(default)
            if not defaults:
                continue  # no development default (None: optional, e.g. an SMTP password)
            env = f"{prefix}{name}".upper()
            value = getattr(self, name)
            if isinstance(value, dict):
                if not value:
                    problems[env] = "is empty"
                for key, secret in value.items():
                    problem = _secret_problem(secret, defaults)
                    if problem:
                        problems[f"{env}[{key}]"] = problem
            else:
                problem = _secret_problem(value, defaults)
                if problem:
                    problems[env] = problem
        return problems

    @property
    def topic(self) -> str:
        return f"srs.{self.service_name}"

    @property
    def consumer_name(self) -> str:
        return self.service_name

    @property
    def dead_letter_topic(self) -> str:
        return f"srs.dlq.{self.consumer_name}"

    @property
    def own_dead_letter_topics(self) -> list[str]:
        """Every dead-letter topic this service's consumers write (one per consumer)."""
        return [self.dead_letter_topic]


class InsecureSettings(RuntimeError):
    """Production mode and a secret unfit for production: the service must not start."""

    def __init__(self, service: str, problems: dict[str, str]) -> None:
        self.problems = problems
        listed = "; ".join(f"{env} {why}" for env, why in sorted(problems.items()))
        super().__init__(
            f"{service} refuses to start in production mode (SRS_ENVIRONMENT=production): "
            f"{listed}. Give each secret at least {MIN_SECRET_BYTES} bytes of random key "
            "material (see docs/guides/keys.md)."
        )


_warned_development = False


def check_secrets(settings: ServiceSettings) -> None:
    """Refuse (:class:`InsecureSettings`) to run in production with a secret that is a
    development default, empty or too weak; in development log one warning per process
    naming the development secrets in use. Call it before serving anything."""
    global _warned_development
    if settings.platform.environment == "production":
        problems = settings.production_problems()
        if problems:
            raise InsecureSettings(settings.service_name, problems)
        return
    if not _warned_development:
        _warned_development = True
        problems = settings.production_problems()
        log.warning(
            "development mode (SRS_ENVIRONMENT is not production): secrets are not checked%s",
            f"; development secrets in use: {', '.join(sorted(problems))}" if problems else "",
        )


def _secret_values(value: object) -> list[str]:
    if isinstance(value, SecretStr):
        return [value.get_secret_value()]
    if isinstance(value, dict):
        return [v.get_secret_value() for v in value.values() if isinstance(v, SecretStr)]
    return []


def _secret_problem(secret: object, defaults: Sequence[str]) -> str | None:
    value = secret.get_secret_value() if isinstance(secret, SecretStr) else str(secret)
    return secret_strength_problem(value, defaults)


def secret_strength_problem(value: str, development_defaults: Sequence[str] = ()) -> str | None:
    """Why ``value`` is unfit as a production secret, or None."""
    if not value.strip():
        return "is empty"
    if value in development_defaults:
        return "is the development default"
    size = len(value.encode())
    if size < MIN_SECRET_BYTES:
        return f"is too weak: {size} bytes, at least {MIN_SECRET_BYTES} needed"
    if len(set(value)) < MIN_SECRET_DISTINCT_CHARACTERS:
        return "is too weak: too few distinct characters to be random key material"
    return None
