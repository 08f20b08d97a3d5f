"""RFC 9457 problem+json errors.

Domain code raises an :class:`AppError` subclass; one set of handlers renders every
error - domain, validation, HTTP, database conflict and the unexpected - the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import DBAPIError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from srs_common.db import is_transient

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
# What FastAPI and Starlette say when they cannot parse a request body at all.
UNPARSABLE_BODY = ("There was an error parsing the body", "Invalid multipart")
# PostgreSQL's data exceptions that only input can cause: a value longer than its column
# (22001, asyncpg's StringDataRightTruncationError), a number out of its column's range
# (22003), a NUL or a character the encoding lacks (22021, 22P05), text that is no value of
# its column's type (22P02) or a date out of range (22007, 22008). The API's own limits
# (schemas' max_length, the NUL guard) refuse these first; this is the net under them.
DATA_SQLSTATES = {
    "22001": "a value is longer than its field allows",
    "22003": "a number is out of the range its field allows",
    "22021": "a text value contains a character that cannot be stored",
    "22P05": "a text value contains a character that cannot be stored",
    "22P02": "a value is not valid for its field",
    "22007": "a date or time is not valid for its field",
    "22008": "a date or time is out of the range its field allows",
}


class AppError(Exception):
    """A business rule broken: always a 4xx with a title and a human detail."""

    status: int = 400
    title: str = "Bad request"

    def __init__(
        self,
        detail: str,
        *,
        title: str | None = None,
        status: int | None = None,
        headers: Mapping[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        if title is not None:
            self.title = title
        if status is not None:
            self.status = status
        # Response headers the answer carries (a 412's current ETag).
        self.headers = dict(headers or {})
        self.extra = extra


class NotFound(AppError):
    """Missing, or not the caller's to see: the two are indistinguishable on purpose."""

    status = 404
    title = "Not found"


class Conflict(AppError):
    status = 409
    title = "Conflict"


class IllegalTransition(Conflict):
    """A state machine refused a transition; names the current state."""

    title = "Illegal state transition"

    def __init__(self, entity: str, current: str, action: str) -> None:
        super().__init__(
            f"cannot {action} a {entity} that is {current}", current_state=current, action=action
        )


class RuleViolation(AppError):
    """Valid input that breaks a domain rule (eligibility, policy)."""

    status = 422
    title = "Rule not met"

    def __init__(self, detail: str, *, rule: str, **extra: Any) -> None:
        super().__init__(detail, rule=rule, **extra)


class Forbidden(AppError):
    status = 403
    title = "Forbidden"


class Unauthorized(AppError):
    status = 401
    title = "Unauthorized"


class PreconditionFailed(AppError):
    """A write's ``If-Match`` names a version that is no longer stored
    (``srs_common.concurrency``); names the resource and its ``current_etag``."""

    status = 412
    title = "Precondition failed"


def problem(
    status: int,
    title: str,
    detail: str | None = None,
    *,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail is not None:
        body["detail"] = detail
    if instance is not None:
        body["instance"] = instance
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    errors = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        errors.append(
            {"field": ".".join(loc), "message": err.get("msg", ""), "type": err.get("type", "")}
        )
    return errors


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else {}
        headers.update(exc.headers)
        return problem(
            exc.status,
            exc.title,
            exc.detail,
            instance=request.url.path,
            headers=headers or None,
            **exc.extra,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _field_errors(exc)
        fields = ", ".join(e["field"] for e in errors[:5])
        return problem(
            422,
            "Invalid input",
            f"invalid fields: {fields}",
            instance=request.url.path,
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and str(exc.detail).startswith(UNPARSABLE_BODY):
            # A body that is not UTF-8, or broken multipart: malformed input like any other.
            return problem(
                422,
                "Invalid input",
                "the request body could not be parsed",
                instance=request.url.path,
                errors=[{"field": "body", "message": str(exc.detail), "type": "json_invalid"}],
            )
        titles = {
            404: "Not found",
            405: "Method not allowed",
            401: "Unauthorized",
            403: "Forbidden",
            413: "Content too large",
            415: "Unsupported media type",
        }
        return problem(
            exc.status_code,
            titles.get(exc.status_code, "Error"),
            str(exc.detail) if exc.detail else None,
            instance=request.url.path,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> JSONResponse:
        # A uniqueness or exclusivity constraint decided a race: the loser gets 409.
        log.info("integrity conflict on %s: %s", request.url.path, exc.orig)
        return problem(
            409,
            "Conflict",
            "the change conflicts with the current state",
            instance=request.url.path,
        )

    @app.exception_handler(DBAPIError)
    async def _database(request: Request, exc: DBAPIError) -> JSONResponse:
        if is_transient(exc):
            # The database is away (restart, failover): nothing was written; retry soon.
            log.warning("database unavailable on %s: %s", request.url.path, exc.orig)
            return problem(
                503,
                "Service unavailable",
                "the database is unavailable; retry",
                instance=request.url.path,
                headers={"Retry-After": "1"},
            )
        sqlstate = getattr(exc.orig, "sqlstate", None) or ""
        if sqlstate in DATA_SQLSTATES:
            # Input the schemas let through and the database refused: still bad input.
            log.warning("database refused a value on %s: %s", request.url.path, exc.orig)
            return problem(
                422,
                "Invalid input",
                DATA_SQLSTATES[sqlstate],
                instance=request.url.path,
                errors=[
                    {
                        "field": "body",
                        "message": DATA_SQLSTATES[sqlstate],
                        "type": "database_" + sqlstate,
                    }
                ],
            )
        log.exception("database error on %s", request.url.path)
        return problem(
            500, "Internal server error", "an unexpected error occurred", instance=request.url.path
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        if isinstance(exc, DBAPIError | OSError) and is_transient(exc):
            return await _database(request, exc)  # type: ignore[arg-type]
        log.exception("unhandled error on %s", request.url.path)
        return problem(
            500, "Internal server error", "an unexpected error occurred", instance=request.url.path
        )


# --- OpenAPI: the one way routes document the problems they answer --------------------


class FieldError(BaseModel):
    """One invalid field of a 422 ``Invalid input`` problem."""

    field: str = Field(description="where: body.title, query.limit, path.id")
    message: str
    type: str = Field(description="the kind of error (missing, string_too_long, ...)")


class Problem(BaseModel):
    """RFC 9457 problem details: how every error of the platform is answered
    (``application/problem+json``). Domain errors may add members of their own (``rule``,
    ``action``...)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(default="about:blank", description="a URI naming the problem type")
    title: str = Field(description="a short summary of the problem type")
    status: int = Field(description="the HTTP status code")
    detail: str | None = Field(default=None, description="what went wrong, for a human")
    instance: str | None = Field(default=None, description="the request path")
    errors: list[FieldError] | None = Field(
        default=None, description="422 Invalid input: one entry per invalid field"
    )
    current_state: str | None = Field(
        default=None, description="409 Illegal state transition: the state that refused it"
    )
    current_etag: str | None = Field(
        default=None, description="412 Precondition failed: the resource's current ETag"
    )


PROBLEM_REF = "#/components/schemas/Problem"

# What each status means when a route does not say more.
PROBLEM_DESCRIPTIONS = {
    400: "the request is malformed",
    401: "missing or invalid bearer token",
    403: "the caller's role or scope may not do this",
    404: "not found, or not the caller's to see",
    409: "illegal state transition (names `current_state`) or a conflict",
    412: "the If-Match precondition failed (the resource changed)",
    413: "the request body is larger than this route accepts",
    415: "the request's content type is not accepted",
    422: "invalid input (one entry per field in `errors`) or a broken rule (names `rule`)",
    429: "too many requests (see Retry-After)",
    503: "a dependency is unavailable; retry (see Retry-After)",
}


PROBLEM_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    409: "Conflict",
    412: "Precondition failed",
    413: "Content too large",
    415: "Unsupported media type",
    422: "Invalid input",
    429: "Too many requests",
    503: "Service unavailable",
}


def problem_example(status: int, detail: str) -> dict[str, Any]:
    """An example body of a problem with this status."""
    example: dict[str, Any] = {
        "type": "about:blank",
        "title": PROBLEM_TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if status == 422:
        example["errors"] = [
            {"field": "body.title", "message": "Field required", "type": "missing"}
        ]
    return example


def problem_response(status: int, description: str | None = None) -> dict[str, Any]:
    """One documented problem response: the Problem schema as application/problem+json."""
    text = description or PROBLEM_DESCRIPTIONS.get(status, "an error")
    return {
        "description": text,
        "content": {
            PROBLEM_JSON: {
                "schema": {"$ref": PROBLEM_REF},
                "example": problem_example(status, text),
            }
        },
    }


def problem_responses(*statuses: int | Mapping[int, str]) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route, from the error statuses it can answer.

    Each item is a status (described by :data:`PROBLEM_DESCRIPTIONS`) or a mapping of
    statuses to the route's own descriptions: ``problem_responses(401, 403,
    {404: "no such site"})``. Every entry references the :class:`Problem` schema
    (``srs_common.openapi`` adds it to the document's components)."""
    responses: dict[int | str, dict[str, Any]] = {}
    for item in statuses:
        described = {item: None} if isinstance(item, int) else dict(item)
        for status, description in described.items():
            responses[status] = problem_response(status, description)
    return dict(sorted(responses.items(), key=lambda kv: str(kv[0])))
