from srs_common.cli import main
from srs_notify import MIGRATIONS_DIR
from srs_notify.app import spec
from srs_notify.settings import NotifySettings

if __name__ == "__main__":
    main(spec, NotifySettings, MIGRATIONS_DIR)
