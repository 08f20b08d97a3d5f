"""Access service settings (env prefix ``SRS_ACCESS_``)."""

from pathlib import Path

from pydantic_settings import SettingsConfigDict

from srs_common.config import ServiceSettings


class AccessSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SRS_ACCESS_", extra="ignore")

    service_name: str = "access"
    database_url: str = "sqlite+aiosqlite:///var/access.db"
    port: int = 8004
    # The embedded default's token issuer key: PEM in the environment (production
    # secrets), else a file created on first start (local runs).
    signing_key_pem: str | None = None
    signing_key_path: Path = Path("var/keys/access-signing.pem")
    token_ttl_seconds: int = 900
