from srs_booking import MIGRATIONS_DIR
from srs_booking.app import spec
from srs_booking.seed import seed
from srs_booking.settings import BookingSettings
from srs_common.cli import main

if __name__ == "__main__":
    main(spec, BookingSettings, MIGRATIONS_DIR, seed=seed)
