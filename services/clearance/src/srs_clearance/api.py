"""Routes of the clearance API: each feature package's router, in the order the API
documents them."""

from __future__ import annotations

from fastapi import APIRouter

from srs_clearance.audit.routes import router as audit
from srs_clearance.comments.routes import router as comments
from srs_clearance.destruction.routes import router as destruction
from srs_clearance.downloads.routes import router as downloads
from srs_clearance.drafting.routes import router as drafting
from srs_clearance.outputs.routes import router as outputs
from srs_clearance.queue.routes import router as queue
from srs_clearance.review.routes import router as review
from srs_clearance.sdc.routes import router as sdc
from srs_clearance.submission.routes import router as submission

router = APIRouter()
for feature in (
    sdc,
    outputs,
    drafting,
    downloads,
    submission,
    queue,
    review,
    audit,
    comments,
    destruction,
):
    router.include_router(feature)
