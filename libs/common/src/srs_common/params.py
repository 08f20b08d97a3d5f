"""Query parameter types whose documented format the service also enforces."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from pydantic import BeforeValidator

_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def _rfc3339(value: object) -> object:
    # pydantic reads a bare number as seconds since the epoch ("344" -> 1970-01-01T00:05:44);
    # the document says date-time, so only an RFC 3339 date-time is one.
    if isinstance(value, str) and not _RFC3339.match(value):
        raise ValueError("not an RFC 3339 date-time (e.g. 2026-01-31T09:00:00Z)")
    return value


#: A date-time in a query string: RFC 3339 (``2026-01-31T09:00:00Z``), never a bare number.
DateTimeParam = Annotated[dt.datetime, BeforeValidator(_rfc3339)]
