from srs_common.migrations import run_env
from srs_portal.models import Base

run_env(Base.metadata)
