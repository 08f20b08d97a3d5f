from srs_accreditation import MIGRATIONS_DIR
from srs_accreditation.app import spec
from srs_accreditation.seed import seed
from srs_accreditation.settings import AccreditationSettings
from srs_common.cli import main

if __name__ == "__main__":
    main(spec, AccreditationSettings, MIGRATIONS_DIR, seed=seed)
