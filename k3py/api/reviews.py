"""The review APIs: who a token or the caller is, and what a subject may do. Computed, never stored.

authentication.k8s.io/v1 ``TokenReview`` asks the server's own authenticators about a bearer
token (webhook token authenticators and proxies use it); ``SelfSubjectReview`` is the caller
(``kubectl auth whoami``). authorization.k8s.io/v1 ``SubjectAccessReview``,
``LocalSubjectAccessReview``, ``SelfSubjectAccessReview`` (``kubectl auth can-i``) and
``SelfSubjectRulesReview`` (``kubectl auth can-i --list``) ask the authorizer.

k3py has no authorizer yet: every authenticated user may do everything (``auth`` decides only
who a user is), which is kube-apiserver's ``AlwaysAllow`` mode. So every access review that
validates is allowed, with a reason saying why, and the rules review grants everything; when
RBAC comes, :func:`decide` and :func:`rules` are where it answers. The requests are validated as
kube-apiserver validates them (``pkg/apis/authorization/validation``), so a client that gets an
answer from k3py gets the same one from Kubernetes.

Pure: the request body, the caller and the authenticator in; the answer (the body with its
status filled in, as kube-apiserver answers) or a :mod:`k3py.core.errors` error out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from k3py.api import structural
from k3py.core import errors

if TYPE_CHECKING:
    from k3py.api.auth import Authenticator, User
    from k3py.api.registry import ResourceType

Obj = dict[str, Any]

AUTHENTICATION = "authentication.k8s.io"
AUTHORIZATION = "authorization.k8s.io"
#: why every access review is allowed, until there is an authorizer
ALLOWED_REASON = "k3py has no authorization yet: every authenticated user may do everything"
#: the rules of an all-powerful user, as RBAC reports cluster-admin's
ALL_RESOURCE_RULES = ({"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]},)
ALL_NON_RESOURCE_RULES = ({"verbs": ["*"], "nonResourceURLs": ["*"]},)


def review(
    rt: ResourceType,
    namespace: str,
    body: Obj,
    *,
    user: User | None,
    authenticator: Authenticator | None,
    now: str,
) -> Obj:
    """The answer to a create of the review ``rt`` in ``namespace`` (empty for cluster-scoped ones).

    Args:
        user: the caller (``None``: unknown, which the self reviews refuse).
        authenticator: the server's, for a TokenReview (``None``: the review is answered unchanged,
            as kube-apiserver does without token authenticators).
        now: the RFC 3339 time, for the SelfSubjectReview's creationTimestamp.

    Raises:
        errors.BadRequest: the body is not this review, or is malformed.
        errors.Invalid: the review fails validation (422 with field causes).
        errors.MethodNotSupported: ``rt`` is not a review.
    """
    answer = _REVIEWS.get((rt.group, rt.plural))
    if answer is None:
        raise errors.MethodNotSupported(f"create is not supported on {rt.plural}", kind=rt.plural)
    _check_type(rt, body)
    metadata = _mapping("metadata", body.get("metadata"))
    if rt.namespaced:
        given = metadata.get("namespace")
        if given and given != namespace:
            raise errors.BadRequest(
                "the namespace of the provided object does not match the namespace sent on the request"
            )
        metadata["namespace"] = namespace
    else:
        metadata.pop("namespace", None)
    body["metadata"] = metadata
    return answer(rt, body, _Context(namespace, user, authenticator, now))


@dataclass(frozen=True, slots=True)
class _Context:
    """What a review is answered with besides its body."""

    namespace: str
    user: User | None
    authenticator: Authenticator | None
    now: str

    def caller(self) -> User:
        """The user a self review is about; kube-apiserver refuses one without (it cannot happen over HTTPS)."""
        if self.user is None:
            raise errors.BadRequest("no user present on request")
        return self.user


def user_info(user: User) -> Obj:
    """An authentication.k8s.io/v1 ``UserInfo`` (empty fields left out, as Go's omitempty does)."""
    info: Obj = {"username": user.name}
    if user.uid:
        info["uid"] = user.uid
    if user.groups:
        info["groups"] = list(user.groups)
    if user.extra:
        info["extra"] = {key: list(values) for key, values in user.extra.items()}
    return info


def decide(attributes: Mapping[str, Any]) -> Obj:
    """The authorizer's decision on a subject and an action, as a ``SubjectAccessReviewStatus``."""
    return {"allowed": True, "reason": ALLOWED_REASON}


def rules(user: User, namespace: str) -> Obj:
    """What ``user`` may do in ``namespace``, as a ``SubjectRulesReviewStatus``."""
    return {
        "resourceRules": [dict(rule) for rule in ALL_RESOURCE_RULES],
        "nonResourceRules": [dict(rule) for rule in ALL_NON_RESOURCE_RULES],
        "incomplete": False,
    }


# -- authentication.k8s.io ------------------------------------------------------------------------


def _token_review(rt: ResourceType, body: Obj, context: _Context) -> Obj:
    spec = _mapping("spec", body.get("spec"))
    token = spec.get("token")
    if not isinstance(token, str | None):
        raise _decode_error("spec.token", token, "string")
    if not token:
        raise errors.BadRequest(f"token is required for TokenReview in {AUTHENTICATION}")
    audiences = _strings(spec, "spec.audiences", "audiences")
    if context.authenticator is None:
        return body
    result = context.authenticator.review_token(token, audiences)
    status: Obj = {"authenticated": result.user is not None, "user": {}}
    if result.user is not None:
        status["user"] = user_info(result.user)
        if result.audiences:
            status["audiences"] = list(result.audiences)
    if result.error:
        status["error"] = result.error
    body["status"] = status
    return body


def _self_subject_review(rt: ResourceType, body: Obj, context: _Context) -> Obj:
    # kube-apiserver answers a new object, whatever else the request held
    return {
        "kind": rt.kind,
        "apiVersion": rt.api_version,
        "metadata": {"creationTimestamp": context.now},
        "status": {"userInfo": user_info(context.caller())},
    }


# -- authorization.k8s.io -------------------------------------------------------------------------


def _subject_access_review(rt: ResourceType, body: Obj, context: _Context) -> Obj:
    spec = _mapping("spec", body.get("spec"))
    causes = _subject_spec_causes(spec) + _empty_metadata_causes(body["metadata"], "must be empty")
    return _decided(rt, body, spec, causes)


def _local_subject_access_review(rt: ResourceType, body: Obj, context: _Context) -> Obj:
    spec = _mapping("spec", body.get("spec"))
    causes = _subject_spec_causes(spec)
    metadata = {k: v for k, v in body["metadata"].items() if k != "namespace"}
    causes += _empty_metadata_causes(metadata, "must be empty except for namespace")
    attributes = spec.get("resourceAttributes")
    if isinstance(attributes, dict) and (attributes.get("namespace") or "") != context.namespace:
        path = "spec.resourceAttributes.namespace"
        causes.append(structural.invalid(path, attributes.get("namespace") or "", "must match metadata.namespace"))
    if spec.get("nonResourceAttributes") is not None:
        path = "spec.nonResourceAttributes"
        causes.append(structural.invalid(path, spec["nonResourceAttributes"], "disallowed on this kind of request"))
    return _decided(rt, body, spec, causes)


def _self_subject_access_review(rt: ResourceType, body: Obj, context: _Context) -> Obj:
    spec = _mapping("spec", body.get("spec"))
    causes = _access_spec_causes(spec) + _empty_metadata_causes(body["metadata"], "must be empty")
    if causes:
        raise invalid(rt.kind, rt.group, "", causes)
    user = context.caller()
    return _decided(rt, body, dict(spec, user=user.name, groups=list(user.groups), uid=user.uid), [])


def _decided(rt: ResourceType, body: Obj, attributes: Mapping[str, Any], causes: Sequence[errors.Cause]) -> Obj:
    """The review with the authorizer's decision on ``attributes``, if it validated (``causes`` empty)."""
    if causes:
        raise invalid(rt.kind, rt.group, "", causes)
    body["status"] = decide(attributes)
    return body


def _self_subject_rules_review(rt: ResourceType, body: Obj, context: _Context) -> Obj:
    spec = _mapping("spec", body.get("spec"))
    namespace = spec.get("namespace")
    if not isinstance(namespace, str | None):
        raise _decode_error("spec.namespace", namespace, "string")
    user = context.caller()
    if not namespace:
        raise errors.BadRequest("no namespace on request")
    # kube-apiserver answers a new object with the status only
    return {"kind": rt.kind, "apiVersion": rt.api_version, "metadata": {}, "spec": {}, "status": rules(user, namespace)}


def _access_spec_causes(spec: Obj) -> list[errors.Cause]:
    """Exactly one of resourceAttributes and nonResourceAttributes (``ValidateSelfSubjectAccessReviewSpec``)."""
    resource = spec.get("resourceAttributes")
    non_resource = spec.get("nonResourceAttributes")
    for path, value in (("resourceAttributes", resource), ("nonResourceAttributes", non_resource)):
        _mapping(f"spec.{path}", value)
    if resource is not None and non_resource is not None:
        return [
            structural.invalid(
                "spec.nonResourceAttributes", non_resource, "cannot be specified in combination with resourceAttributes"
            )
        ]
    if resource is None and non_resource is None:
        # Go prints the nil nonResourceAttributes pointer it reports as the string "null"
        return [
            structural.invalid(
                "spec.resourceAttributes",
                "null",
                "exactly one of nonResourceAttributes or resourceAttributes must be specified",
            )
        ]
    return []


def _subject_spec_causes(spec: Obj) -> list[errors.Cause]:
    """``ValidateSubjectAccessReviewSpec``: the attributes, and a subject (a user or a group)."""
    causes = _access_spec_causes(spec)
    user, groups = spec.get("user"), _strings(spec, "spec.groups", "groups")
    if not isinstance(user, str | None):
        raise _decode_error("spec.user", user, "string")
    if not user and not groups:
        causes.append(structural.invalid("spec.user", user or "", "at least one of user or group must be specified"))
    return causes


def _empty_metadata_causes(metadata: Mapping[str, Any], detail: str) -> list[errors.Cause]:
    """The metadata of an access review must be empty: clients send at most a null creationTimestamp."""
    kept = {k: v for k, v in metadata.items() if v not in (None, "", [], {}) and k != "managedFields"}
    return [structural.invalid("metadata", kept, detail)] if kept else []


_Answer = Callable[["ResourceType", Obj, _Context], Obj]
_REVIEWS: dict[tuple[str, str], _Answer] = {
    (AUTHENTICATION, "tokenreviews"): _token_review,
    (AUTHENTICATION, "selfsubjectreviews"): _self_subject_review,
    (AUTHORIZATION, "subjectaccessreviews"): _subject_access_review,
    (AUTHORIZATION, "localsubjectaccessreviews"): _local_subject_access_review,
    (AUTHORIZATION, "selfsubjectaccessreviews"): _self_subject_access_review,
    (AUTHORIZATION, "selfsubjectrulesreviews"): _self_subject_rules_review,
}


# -- decoding -------------------------------------------------------------------------------------


def invalid(kind: str, group: str, name: str, causes: Sequence[errors.Cause]) -> errors.Invalid:
    """422 as ``NewInvalid(GroupKind, name, errs)`` words it: ``Kind.group "name" is invalid: ...``."""
    qualified = f"{kind}.{group}" if group else kind
    return errors.Invalid(
        f'{qualified} "{name}" is invalid: {structural.message(causes)}',
        kind=kind,
        group=group,
        name=name,
        causes=tuple(causes),
    )


def check_type(body: Obj, kind: str, api_versions: Sequence[str]) -> None:
    """The body must be a ``kind`` of one of ``api_versions`` (either may be left out, as the decoder allows)."""
    given_kind, api_version = body.get("kind"), body.get("apiVersion")
    if given_kind and given_kind != kind:
        raise errors.BadRequest(
            f"the object provided is unrecognized (must be of type {kind}): "
            f"couldn't get version/kind; json parse error: kind {given_kind!r} does not match {kind!r}"
        )
    if api_version and api_version not in api_versions:
        raise errors.BadRequest(
            f"the API version in the data ({api_version}) does not match the expected API version ({api_versions[0]})"
        )
    rest = {k: v for k, v in body.items() if k not in ("kind", "apiVersion")}
    body.clear()
    body.update(kind=kind, apiVersion=api_version or api_versions[0], **rest)  # the answer reads as kube's does


def _check_type(rt: ResourceType, body: Obj) -> None:
    check_type(body, rt.kind, (rt.api_version,))


def _mapping(path: str, value: object) -> Obj:
    """An object field of the body (absent or null: empty); a decode error (400) if it is not an object."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _decode_error(path, value, "object")
    return value


def _strings(spec: Mapping[str, Any], path: str, name: str) -> list[str]:
    value = spec.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _decode_error(path, value, "[]string")
    return value


def _decode_error(path: str, value: object, expected: str) -> errors.BadRequest:
    """400 as a body the JSON decoder cannot map onto the type is answered."""
    return errors.BadRequest(
        f"the body of the request could not be decoded: {path}: expected {expected}, got {structural.go_value(value)}"
    )
