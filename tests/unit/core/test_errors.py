"""The error hierarchy renders to Kubernetes Status and parses back to the same class."""

from __future__ import annotations

import pytest

from k3py.core import errors


@pytest.mark.parametrize(
    ("cls", "code", "reason"),
    [
        (errors.BadRequest, 400, "BadRequest"),
        (errors.Unauthorized, 401, "Unauthorized"),
        (errors.Forbidden, 403, "Forbidden"),
        (errors.NotFound, 404, "NotFound"),
        (errors.MethodNotSupported, 405, "MethodNotAllowed"),
        (errors.NotAcceptable, 406, "NotAcceptable"),
        (errors.AlreadyExists, 409, "AlreadyExists"),
        (errors.Conflict, 409, "Conflict"),
        (errors.Gone, 410, "Gone"),
        (errors.Expired, 410, "Expired"),
        (errors.Invalid, 422, "Invalid"),
        (errors.TooManyRequests, 429, "TooManyRequests"),
        (errors.Internal, 500, "InternalError"),
        (errors.ServiceUnavailable, 503, "ServiceUnavailable"),
        (errors.Timeout, 504, "Timeout"),
    ],
)
def test_status_round_trip_keeps_class_code_and_reason(cls: type[errors.K3pyError], code: int, reason: str) -> None:
    status = errors.to_status(cls("boom", kind="Pod", name="web"))
    assert (status["code"], status["reason"], status["status"], status["kind"]) == (code, reason, "Failure", "Status")
    back = errors.from_status(status)
    assert type(back) is cls
    assert (back.message, back.kind, back.name) == ("boom", "Pod", "web")


def test_invalid_carries_field_causes() -> None:
    cause = errors.Cause("FieldValueRequired", "Required value", "spec.containers")
    status = errors.to_status(errors.Invalid("Pod is invalid", kind="Pod", name="p", causes=(cause,)))
    assert status["details"]["causes"] == [
        {"reason": "FieldValueRequired", "message": "Required value", "field": "spec.containers"}
    ]
    assert errors.from_status(status).causes == (cause,)


def test_foreign_exception_becomes_internal_without_leaking_details() -> None:
    status = errors.to_status(KeyError("secret-detail"))
    assert status["code"] == 500
    assert "secret-detail" not in status["message"]


def test_from_status_unknown_reason_falls_back_to_code() -> None:
    assert type(errors.from_status({"code": 404, "message": "x"})) is errors.NotFound
    assert type(errors.from_status({"code": 599})) is errors.Internal
