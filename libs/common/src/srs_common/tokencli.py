"""``srs-token``: sign a development token with the embedded issuer's key.

python -m srs_common.tokencli --role panel --sub panel
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from srs_common.config import PlatformSettings
from srs_common.tokens import SigningKey, issue_token


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Sign a development access token")
    parser.add_argument("--role", action="append", required=True, help="repeatable")
    parser.add_argument("--sub", required=True)
    parser.add_argument("--researcher-id")
    parser.add_argument("--org")
    parser.add_argument("--scope")
    parser.add_argument("--ttl", type=int, default=900)
    parser.add_argument(
        "--key",
        default=os.environ.get("SRS_ACCESS_SIGNING_KEY_PATH", "var/keys/access-signing.pem"),
    )
    args = parser.parse_args(argv)
    key_path = Path(args.key)
    if not key_path.exists():
        raise SystemExit(f"no signing key at {key_path}: start the platform first (make run)")
    platform = PlatformSettings()
    print(
        issue_token(
            SigningKey.from_pem(key_path.read_text()),
            sub=args.sub,
            roles=args.role,
            issuer=platform.jwt_issuer,
            audience=platform.jwt_audience,
            ttl_seconds=args.ttl,
            researcher_id=args.researcher_id,
            org=args.org,
            scope=args.scope,
        )
    )


if __name__ == "__main__":
    main()
