from srs_common.migrations import run_env
from srs_notify.models import Base

run_env(Base.metadata)
