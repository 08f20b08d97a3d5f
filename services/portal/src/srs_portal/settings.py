"""Portal settings (env prefix ``SRS_PORTAL_``)."""

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from srs_common.config import ServiceSettings

HERE = Path(__file__).resolve().parent


class PortalSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SRS_PORTAL_", extra="ignore")

    service_name: str = "portal"
    database_url: str = "sqlite+aiosqlite:///var/portal.db"
    port: int = 8008
    # The address people reach the portal at: the OIDC redirect URI and the post-sign-out
    # address are built from it, and must be registered with the provider.
    public_url: str = "http://127.0.0.1:8008"

    # The OpenID Connect provider: the access service by default, any provider in
    # production (e.g. Keycloak). The portal is a confidential client of it.
    oidc_issuer_url: str = "http://127.0.0.1:8004"
    oidc_client_id: str = "srs-portal"
    oidc_client_secret: SecretStr = SecretStr("embedded-default-portal-secret-not-for-production")
    oidc_scope: str = "openid profile email"

    # Signs the session cookie (the session itself lives in the database).
    session_secret: SecretStr = SecretStr("embedded-default-portal-session-not-for-production")
    # A session unused this long is gone.
    session_idle_seconds: int = Field(default=8 * 3600, ge=60)
    # How often expired sessions are deleted. Cookies get ``Secure`` when the public URL
    # is https.
    session_purge_seconds: float = Field(default=3600.0, gt=0)

    # Base URLs of the services whose public REST APIs the portal calls.
    service_urls: dict[str, str] = Field(
        default_factory=lambda: {
            "accreditation": "http://127.0.0.1:8001",
            "projects": "http://127.0.0.1:8002",
            "clearance": "http://127.0.0.1:8003",
            "access": "http://127.0.0.1:8004",
            "booking": "http://127.0.0.1:8005",
            "notify": "http://127.0.0.1:8007",
        }
    )
    api_timeout_seconds: float = 10.0

    # Where `make` puts the front-end assets (GOV.UK Frontend, htmx) from the npm lock file.
    static_dir: Path = HERE / "static"

    @property
    def redirect_uri(self) -> str:
        return self.public_url.rstrip("/") + "/auth/callback"

    @property
    def after_sign_out_url(self) -> str:
        return self.public_url.rstrip("/") + "/"
