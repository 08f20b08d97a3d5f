from srs_booking.models import Base
from srs_common.migrations import run_env

run_env(Base.metadata)
