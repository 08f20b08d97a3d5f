"""Settings shared by every service.

Each service subclasses :class:`ServiceSettings` with its own ``env_prefix``
(``SRS_<SVC>_``); values common to the whole platform (broker, token issuer) are
read from plain ``SRS_`` variables by :class:`PlatformSettings` and embedded.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class PlatformSettings(BaseSettings):
    """Values every service shares: the event bus and the token issuer."""

    model_config = SettingsConfigDict(env_prefix="SRS_", extra="ignore")

    kafka_bootstrap: str = "127.0.0.1:9092"
    # Apache Kafka supports idempotent producers; the embedded Tansu broker rejects them
    # (see BROKER.md), so this is a setting and correctness never depends on it.
    kafka_idempotence: bool = False
    topic_partitions: int = 4
    # Replication of topics a service creates itself (on Apache Kafka the operator's
    # KafkaTopic objects normally exist first); -1 takes the broker's default.
    topic_replication_factor: int = 1
    # Tansu returns empty fetches for ever below ~20 ms (BROKER.md): never go lower.
    fetch_max_wait_ms: int = Field(default=50, ge=20)
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

    consumer_max_attempts: int = 4
    #: Ordinary records of one fetch applied in one transaction, at most this many (1: each
    #: in its own). A run that fails is applied again one record at a time.
    consumer_max_batch: int = Field(default=100, ge=1, le=1000)
    consumer_backoff_base_seconds: float = 0.05
    consumer_backoff_max_seconds: float = 2.0
    # Rebuild a consumer that has had no partitions or no fetch response for this long.
    consumer_watchdog_seconds: float = 60.0

    platform: PlatformSettings = Field(default_factory=PlatformSettings)

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
