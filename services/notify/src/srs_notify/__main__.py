"""``python -m srs_notify serve|relay|worker|migrate|revision`` and, for development,
``python -m srs_notify smtp-sink`` (a local SMTP server writing mail under var/mail/)."""

import sys


def run() -> None:
    if sys.argv[1:2] == ["smtp-sink"]:
        from srs_notify.sink import main as sink_main

        sink_main(sys.argv[2:])
        return
    from srs_common.cli import main
    from srs_notify import MIGRATIONS_DIR
    from srs_notify.app import spec
    from srs_notify.settings import NotifySettings

    main(spec, NotifySettings, MIGRATIONS_DIR)


if __name__ == "__main__":
    run()
