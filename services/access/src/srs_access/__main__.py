from srs_access import MIGRATIONS_DIR
from srs_access.app import spec
from srs_access.seed import seed
from srs_access.settings import AccessSettings
from srs_common.cli import main

if __name__ == "__main__":
    main(spec, AccessSettings, MIGRATIONS_DIR, seed=seed)
