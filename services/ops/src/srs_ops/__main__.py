from srs_common.cli import main
from srs_ops import MIGRATIONS_DIR
from srs_ops.app import spec
from srs_ops.settings import OpsSettings

if __name__ == "__main__":
    main(spec, OpsSettings, MIGRATIONS_DIR)
