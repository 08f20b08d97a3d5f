"""``python -m srs_portal serve|migrate``."""

from __future__ import annotations

import argparse

from srs_portal import MIGRATIONS_DIR
from srs_portal.settings import PortalSettings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m srs_portal")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="the portal's pages")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    sub.add_parser("migrate", help="apply database migrations (the session table)")
    args = parser.parse_args(argv)
    settings = PortalSettings()
    if args.command == "migrate":
        from srs_common.migrations import upgrade

        upgrade(MIGRATIONS_DIR, settings.database_url)
        return
    from srs_common.cli import run_server
    from srs_portal.app import create_app

    run_server(
        create_app(settings), host=args.host or settings.host, port=args.port or settings.port
    )


if __name__ == "__main__":
    main()
