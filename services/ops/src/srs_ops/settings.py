"""Ops service settings (env prefix ``SRS_OPS_``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field, IPvAnyNetwork, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from srs_common.config import ServiceSettings
from srs_common.contracts import SERVICE_TOPICS

if TYPE_CHECKING:
    from srs_common.app import Runtime

# Every service that consumes events has a dead-letter topic ``srs.dlq.<service>``.
CONSUMING_SERVICES = (
    "accreditation",
    "projects",
    "clearance",
    "access",
    "booking",
    "ops",
    "ops-webhooks",
    "notify",
)
DEFAULT_PORTS = {
    "accreditation": 8001,
    "projects": 8002,
    "clearance": 8003,
    "access": 8004,
    "booking": 8005,
    "ops": 8006,
    "notify": 8007,
}


class OpsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SRS_OPS_", extra="ignore")

    service_name: str = "ops"
    database_url: str = "sqlite+aiosqlite:///var/ops.db"
    port: int = 8006

    # Policy: how long the event store keeps events.
    retention_days: int = Field(default=30, ge=1)
    retention_sweep_seconds: float = 3600.0
    monitored_topics: list[str] = Field(default_factory=lambda: sorted(SERVICE_TOPICS.values()))
    dead_letter_topics: list[str] = Field(
        default_factory=lambda: [f"srs.dlq.{s}" for s in CONSUMING_SERVICES]
    )
    dead_letter_group: str = "srs-ops-dlq"
    # Consumer groups whose lag the monitor reports.
    lag_groups: list[str] = Field(default_factory=lambda: [f"srs-{s}" for s in CONSUMING_SERVICES])
    # Base URLs of the services whose outbox backlog and relay state the monitor gathers.
    service_urls: dict[str, str] = Field(
        default_factory=lambda: {
            s: f"http://127.0.0.1:{p}" for s, p in DEFAULT_PORTS.items() if s != "ops"
        }
    )

    # -- the console (docs/guides/operators.md): operators sign in with OpenID Connect
    # (authorization code + PKCE) at the provider, the access service by default. Its
    # redirect URI and the address after sign-out are built from ``public_url`` (the
    # address operators reach this service at; unset: http://127.0.0.1:<port>) and must be
    # registered with the provider.
    oidc_issuer_url: str = "http://127.0.0.1:8004"
    console_client_id: str = "srs-ops-console"
    console_client_secret: SecretStr = SecretStr(
        "embedded-default-console-secret-not-for-production"
    )
    # Signs the console's session cookie (the session itself lives in the database).
    console_session_secret: SecretStr = SecretStr(
        "embedded-default-console-session-not-for-production"
    )
    # A console session unused this long is gone; operators sign in again.
    console_session_idle_seconds: int = Field(default=8 * 3600, ge=60)
    # Consumer lag, summed over a group's partitions, from which the console shows the
    # group as warning, then critical; and how often its lag view refreshes itself.
    lag_warning_at: int = Field(default=100, ge=1)
    lag_critical_at: int = Field(default=1000, ge=1)
    lag_refresh_seconds: float = Field(default=5.0, ge=1)

    # -- webhooks: delivery runs as its own consumer so a slow partner never slows the
    # event store or the platform.
    webhook_consumer: str = "ops-webhooks"
    # Plain http endpoints only outside production (local receivers in development).
    webhook_allow_http: bool = False
    # TEST ONLY, empty (off) by default: networks webhooks may reach although they are
    # internal, for a test's local receiver (e.g. ["127.0.0.1/32"]). Never set in
    # production: every loopback, private, link-local, multicast, reserved and unspecified
    # address is refused at registration and at every delivery.
    webhook_test_allowed_networks: list[IPvAnyNetwork] = Field(default_factory=list)
    webhook_poll_seconds: float = Field(default=1.0, gt=0)
    webhook_idle_poll_seconds: float = Field(default=5.0, gt=0)
    webhook_batch_size: int = Field(default=50, ge=1)
    webhook_concurrency: int = Field(default=10, ge=1)
    webhook_connect_timeout_seconds: float = 3.0
    webhook_timeout_seconds: float = 10.0
    # Retries: exponential backoff with jitter from base to max, for up to this long.
    webhook_backoff_base_seconds: float = Field(default=5.0, gt=0)
    webhook_backoff_max_seconds: float = Field(default=3 * 3600.0, gt=0)
    webhook_retry_hours: float = Field(default=24.0, gt=0)
    # A subscription is disabled once its endpoint has failed for this long without a
    # success, or this many attempts in a row, whichever comes first.
    webhook_disable_after_hours: float = Field(default=24.0, gt=0)
    webhook_disable_after_failures: int = Field(default=100, ge=1)
    # After a rotation the previous secret keeps signing for this long.
    webhook_secret_overlap_hours: float = Field(default=24.0, ge=0)

    @model_validator(mode="after")
    def _thresholds_in_order(self) -> OpsSettings:
        if self.lag_critical_at <= self.lag_warning_at:
            raise ValueError("lag_critical_at must be above lag_warning_at")
        return self

    @property
    def console_base_url(self) -> str:
        return (self.public_url or f"http://127.0.0.1:{self.port}").rstrip("/")

    @property
    def console_redirect_uri(self) -> str:
        return self.console_base_url + "/console/auth/callback"

    @property
    def console_after_sign_out_url(self) -> str:
        return self.console_base_url + "/console"

    def production_problems(self) -> dict[str, str]:
        """Webhooks to plain http or to internal networks are for local receivers only."""
        problems = super().production_problems()
        if self.webhook_test_allowed_networks:
            problems["SRS_OPS_WEBHOOK_TEST_ALLOWED_NETWORKS"] = (
                "is a test-only setting: leave it empty"
            )
        if self.webhook_allow_http:
            problems["SRS_OPS_WEBHOOK_ALLOW_HTTP"] = "allows plain-http webhooks: leave it false"
        return problems

    @property
    def own_dead_letter_topics(self) -> list[str]:
        return [self.dead_letter_topic, f"srs.dlq.{self.webhook_consumer}"]


def ops_settings(runtime: Runtime) -> OpsSettings:
    """The settings of the ops service's runtime (its jobs and start-up hooks)."""
    settings = runtime.settings
    if not isinstance(settings, OpsSettings):
        raise RuntimeError("the runtime carries no OpsSettings")
    return settings
