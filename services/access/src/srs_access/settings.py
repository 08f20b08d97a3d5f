"""Access service settings (env prefix ``SRS_ACCESS_``)."""

from pathlib import Path

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from srs_common.config import ServiceSettings, secret_strength_problem
from srs_common.tokens import MIN_RSA_BITS, SigningKey


class AccessSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SRS_ACCESS_", extra="ignore")

    service_name: str = "access"
    database_url: str = "sqlite+aiosqlite:///var/access.db"
    port: int = 8004
    # The embedded default's token issuer key: PEM in the environment (production
    # secrets), else the file at signing_key_path, created on first start in development
    # only (production never generates one: each replica would make its own).
    signing_key_pem: SecretStr | None = None
    signing_key_path: Path = Path("var/keys/access-signing.pem")
    # Rotation (docs/guides/keys.md): the JWKS also publishes the key about to sign
    # (``next``, so every verifier knows it before the switch) and the key that signed
    # until the switch (``previous``, so its tokens verify until they expire). Tokens are
    # only ever signed with signing_key_pem.
    signing_key_next_pem: SecretStr | None = None
    signing_key_previous_pem: SecretStr | None = None
    token_ttl_seconds: int = 900
    # Ingestion: the researcher's uploads, stored by content hash (the platform's file
    # store, an object store in production), and the project spaces' own stores the
    # approved files are transferred into. Limits per request.
    ingestion_files_dir: Path = Path("var/ingestion")
    project_spaces_dir: Path = Path("var/project-spaces")
    ingestion_max_file_bytes: int = 32 * 1024 * 1024
    ingestion_max_files: int = 20
    # Partner API client secrets are stored as HMAC-SHA256(pepper, secret): the secrets
    # are 256-bit random, so a fast keyed hash suffices and a stolen table is useless
    # without the pepper. Production sets a real one.
    client_secret_pepper: SecretStr = SecretStr("embedded-default-client-pepper-not-for-production")
    # Rotation (docs/guides/keys.md): secrets hashed under the previous pepper still
    # authenticate, and are re-hashed under the current one when they do.
    client_secret_pepper_previous: SecretStr | None = None
    # The longest a rotated-out secret may keep working alongside its replacement.
    client_secret_max_overlap_days: int = 30
    # Guessing at the token endpoint (passwords, client secrets): failed attempts allowed
    # per account (username or client id) from one address; per account from every
    # address together (a much higher ceiling: one address alone cannot lock the real user
    # out); per address over all accounts. Past a limit: 429 with Retry-After.
    token_failures_per_account_address: str = "5/15 minutes"
    token_failures_per_account: str = "100/hour"
    token_failures_per_address: str = "30/15 minutes"

    # Pseudonymisation keys by key id (JSON in SRS_ACCESS_PSEUDONYMISATION_KEYS); new
    # files use the current one, older ids stay so tables made with them still match.
    # The default is for the embedded default only: production sets real secrets.
    pseudonymisation_keys: dict[str, SecretStr] = {
        "k1": SecretStr("embedded-default-pseudonymisation-key-not-for-production")
    }
    pseudonymisation_current_key_id: str = "k1"
    # A CSV record (line, or quoted multi-line record) longer than this is refused: with a
    # 4xx if it is the first record or starts within the first check_before_streaming
    # bytes (read before the answer begins: all of a small file), else by the error
    # trailer ending the stream. Records are measured once they outgrow a 16 KB slice.
    pseudonymisation_max_record_bytes: int = 1_048_576
    pseudonymisation_check_before_streaming_bytes: int = 65_536

    # How often the background sealer links new audit entries into the hash chain.
    audit_seal_interval_seconds: float = 0.5

    # -- OpenID Connect provider (srs_access.oidc), the embedded default's sign-in.
    # The issuer URL in discovery and ID tokens; unset: this service's own base URL.
    oidc_issuer: str | None = None
    oidc_code_ttl_seconds: int = Field(default=60, ge=5, le=600)
    oidc_refresh_ttl_seconds: int = Field(default=8 * 3600, ge=60)
    # The portal, a registered confidential client. Production sets a real secret.
    portal_client_id: str = "srs-portal"
    portal_client_secret: SecretStr = SecretStr("embedded-default-portal-secret-not-for-production")
    portal_redirect_uris: list[str] = [
        "http://127.0.0.1:8008/auth/callback",
        "http://localhost:8008/auth/callback",
    ]
    portal_post_logout_redirect_uris: list[str] = [
        "http://127.0.0.1:8008/",
        "http://localhost:8008/",
    ]
    # The operations console (the ops service's /console), a second confidential client.
    console_client_id: str = "srs-ops-console"
    console_client_secret: SecretStr = SecretStr(
        "embedded-default-console-secret-not-for-production"
    )
    console_redirect_uris: list[str] = [
        "http://127.0.0.1:8006/console/auth/callback",
        "http://localhost:8006/console/auth/callback",
    ]
    console_post_logout_redirect_uris: list[str] = [
        "http://127.0.0.1:8006/console",
        "http://localhost:8006/console",
    ]

    @field_validator(
        "token_failures_per_account_address",
        "token_failures_per_account",
        "token_failures_per_address",
    )
    @classmethod
    def _a_rate(cls, value: str) -> str:
        from limits import parse

        parse(value)  # "5/15 minutes", "100 per hour": raises ValueError otherwise
        return value

    @model_validator(mode="after")
    def _current_key_configured(self) -> "AccessSettings":
        if self.pseudonymisation_current_key_id not in self.pseudonymisation_keys:
            raise ValueError("pseudonymisation_current_key_id names no configured key")
        return self

    def production_problems(self) -> dict[str, str]:
        """The shared checks, and the RSA signing keys: given (never generated in
        production), parseable, and at least MIN_RSA_BITS long."""
        problems = super().production_problems()
        current = self.signing_key_pem.get_secret_value() if self.signing_key_pem else ""
        if current.strip():
            keys = {"SRS_ACCESS_SIGNING_KEY_PEM": current}
        elif self.signing_key_path.exists():
            keys = {"SRS_ACCESS_SIGNING_KEY_PATH": self.signing_key_path.read_text()}
        else:
            keys = {}
            problems["SRS_ACCESS_SIGNING_KEY_PEM"] = (
                "is not set (nor a key file at SRS_ACCESS_SIGNING_KEY_PATH): production "
                "never generates a signing key"
            )
        if self.client_secret_pepper_previous is not None:
            previous = secret_strength_problem(
                self.client_secret_pepper_previous.get_secret_value()
            )
            if previous:
                problems["SRS_ACCESS_CLIENT_SECRET_PEPPER_PREVIOUS"] = previous
        for name, secret in (
            ("SRS_ACCESS_SIGNING_KEY_NEXT_PEM", self.signing_key_next_pem),
            ("SRS_ACCESS_SIGNING_KEY_PREVIOUS_PEM", self.signing_key_previous_pem),
        ):
            if secret is not None:
                keys[name] = secret.get_secret_value()
        for name, pem in keys.items():
            try:
                size = SigningKey.from_pem(pem).key_size
            except (ValueError, TypeError):
                problems[name] = "is not a PEM RSA private key"
                continue
            if size < MIN_RSA_BITS:
                problems[name] = f"is too weak: RSA {size} bits, at least {MIN_RSA_BITS} needed"
        return problems
