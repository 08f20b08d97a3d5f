from srs_clearance import MIGRATIONS_DIR
from srs_clearance.app import spec
from srs_clearance.settings import ClearanceSettings
from srs_common.cli import main

if __name__ == "__main__":
    main(spec, ClearanceSettings, MIGRATIONS_DIR)
