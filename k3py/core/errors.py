"""The one error hierarchy of k3py and its mapping to Kubernetes ``Status`` objects.

Every error a client can see is a :class:`K3pyError`. Each class fixes the HTTP code and the
Kubernetes ``reason`` it is rendered with (h11's ``error_status_hint`` idea), so the API layer
renders any of them with :func:`to_status` and a client turns a ``Status`` back into the same
class with :func:`from_status`. Controllers therefore catch ``NotFound``, never ``404``.

    K3pyError
    ├── BadRequest            400 BadRequest
    ├── Unauthorized          401 Unauthorized
    ├── Forbidden             403 Forbidden
    ├── NotFound              404 NotFound
    ├── MethodNotSupported    405 MethodNotAllowed
    ├── NotAcceptable         406 NotAcceptable
    ├── AlreadyExists         409 AlreadyExists
    ├── Conflict              409 Conflict
    ├── Gone                  410 Gone
    │   └── Expired           410 Expired
    ├── RequestEntityTooLarge 413 RequestEntityTooLarge
    ├── UnsupportedMediaType  415 UnsupportedMediaType
    ├── Invalid               422 Invalid (with field causes)
    ├── TooManyRequests       429 TooManyRequests
    ├── Internal              500 InternalError
    ├── ServiceUnavailable    503 ServiceUnavailable
    └── Timeout               504 Timeout

Nothing else builds or parses ``Status`` JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True, slots=True)
class Cause:
    """One entry of ``status.details.causes``: what is wrong with which field."""

    reason: str  # e.g. "FieldValueRequired", "FieldValueInvalid"
    message: str
    field: str = ""

    def to_dict(self) -> dict[str, str]:
        out = {"reason": self.reason, "message": self.message}
        if self.field:
            out["field"] = self.field
        return out


class K3pyError(Exception):
    """Base of every error that a client may see, rendered as a Kubernetes ``Status``."""

    code: ClassVar[int] = 500
    reason: ClassVar[str] = "InternalError"

    def __init__(
        self,
        message: str,
        *,
        kind: str = "",
        group: str = "",
        name: str = "",
        causes: tuple[Cause, ...] = (),
        retry_after_seconds: int = 0,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.group = group
        self.name = name
        self.causes = causes
        self.retry_after_seconds = retry_after_seconds


class BadRequest(K3pyError):
    """The request is malformed: bad JSON, an unknown parameter value, a bad patch."""

    code = 400
    reason = "BadRequest"


class Unauthorized(K3pyError):
    """No valid credentials came with the request."""

    code = 401
    reason = "Unauthorized"


class Forbidden(K3pyError):
    """The caller is known but may not do this."""

    code = 403
    reason = "Forbidden"


class NotFound(K3pyError):
    """The object (or the resource type) does not exist."""

    code = 404
    reason = "NotFound"


class MethodNotSupported(K3pyError):
    """The verb is not supported on this resource."""

    code = 405
    reason = "MethodNotAllowed"


class NotAcceptable(K3pyError):
    """No representation the client accepts can be produced (e.g. protobuf only)."""

    code = 406
    reason = "NotAcceptable"


class AlreadyExists(K3pyError):
    """A create named an object that exists already."""

    code = 409
    reason = "AlreadyExists"


class Conflict(K3pyError):
    """The write was based on a stale resourceVersion: read again and retry."""

    code = 409
    reason = "Conflict"


class Gone(K3pyError):
    """What was asked for is gone for good."""

    code = 410
    reason = "Gone"


class Expired(Gone):
    """A watch or continue token refers to a revision older than the kept history: relist."""

    reason = "Expired"


class RequestEntityTooLarge(K3pyError):
    """The request body is larger than the server accepts."""

    code = 413
    reason = "RequestEntityTooLarge"


class UnsupportedMediaType(K3pyError):
    """The Content-Type is not one this verb accepts."""

    code = 415
    reason = "UnsupportedMediaType"


class Invalid(K3pyError):
    """The object fails validation; ``causes`` names each bad field."""

    code = 422
    reason = "Invalid"


class TooManyRequests(K3pyError):
    """The server is shedding load; retry after ``retry_after_seconds``."""

    code = 429
    reason = "TooManyRequests"


class Internal(K3pyError):
    """A bug or an unexpected failure; the server logged the details."""

    code = 500
    reason = "InternalError"


class ServiceUnavailable(K3pyError):
    """A part the request needs (the datastore, a node) is unavailable for now; retry later."""

    code = 503
    reason = "ServiceUnavailable"


class Timeout(K3pyError):
    """The request could not finish in time; retry after ``retry_after_seconds``."""

    code = 504
    reason = "Timeout"


# Most specific first: Expired and Gone share a code, and so do AlreadyExists and Conflict.
_BY_REASON: dict[str, type[K3pyError]] = {
    cls.reason: cls
    for cls in (
        BadRequest,
        Unauthorized,
        Forbidden,
        NotFound,
        MethodNotSupported,
        NotAcceptable,
        AlreadyExists,
        Conflict,
        Expired,
        Gone,
        RequestEntityTooLarge,
        UnsupportedMediaType,
        Invalid,
        TooManyRequests,
        Internal,
        ServiceUnavailable,
        Timeout,
    )
}
_BY_CODE: dict[int, type[K3pyError]] = {}
for _cls in _BY_REASON.values():
    _BY_CODE.setdefault(_cls.code, _cls)


def to_status(exc: BaseException) -> dict[str, Any]:
    """Render an exception as a Kubernetes ``Status``; anything not a K3pyError is a 500."""
    if not isinstance(exc, K3pyError):
        exc = Internal("an internal error occurred; the server log has the details")
    details: dict[str, Any] = {}
    if exc.name:
        details["name"] = exc.name
    if exc.group:
        details["group"] = exc.group
    if exc.kind:
        details["kind"] = exc.kind
    if exc.causes:
        details["causes"] = [cause.to_dict() for cause in exc.causes]
    if exc.retry_after_seconds:
        details["retryAfterSeconds"] = exc.retry_after_seconds
    status: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": exc.message,
        "reason": exc.reason,
        "code": exc.code,
    }
    if details:
        status["details"] = details
    return status


def from_status(status: dict[str, Any], *, code: int = 0) -> K3pyError:
    """Turn a ``Status`` (from the wire) back into the matching error class."""
    reason = str(status.get("reason") or "")
    http_code = int(status.get("code") or code or 500)
    cls = _BY_REASON.get(reason) or _BY_CODE.get(http_code) or Internal
    details = status.get("details") or {}
    causes = tuple(
        Cause(reason=str(c.get("reason", "")), message=str(c.get("message", "")), field=str(c.get("field", "")))
        for c in details.get("causes") or ()
    )
    return cls(
        str(status.get("message") or reason or f"HTTP {http_code}"),
        kind=str(details.get("kind", "")),
        group=str(details.get("group", "")),
        name=str(details.get("name", "")),
        causes=causes,
        retry_after_seconds=int(details.get("retryAfterSeconds") or 0),
    )
