from srs_common.migrations import run_env
from srs_ops.models import Base

run_env(Base.metadata)
