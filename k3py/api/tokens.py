"""TokenRequest (``POST .../serviceaccounts/{name}/token``): a service-account JWT signed by the server.

This is how ``kubectl create token``, and later the kubelet for projected service-account
volumes, get a token; legacy token Secrets are not made. The token is issued by the same
:class:`~k3py.api.auth.Authenticator` that checks bearer tokens, so it authenticates requests
(and passes a TokenReview) for the audiences it names, until it expires.

As kube-apiserver's ``TokenREST`` (``pkg/registry/core/serviceaccount/storage/token.go``): the
service account must exist; ``spec.audiences`` defaults to the server's API audiences and
``spec.expirationSeconds`` to an hour (at least ten minutes, at most 2^32 seconds, and shortened
with a warning past :data:`MAX_ISSUED_SECONDS`); a ``spec.boundObjectRef`` names a Pod, a Node
or a Secret of the namespace that must exist (and have the UID given, if one is), and goes into
the token's ``kubernetes.io`` claims, with the pod's node for a pod. What kube-apiserver's
authenticator does next, refusing a bound token once its object is gone, k3py does not do yet.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from k3py.api import reviews, structural
from k3py.api.registry import CREATE_ONLY, ResourceType
from k3py.core import errors

if TYPE_CHECKING:
    from k3py.api.auth import Authenticator
    from k3py.api.handlers import Resources
    from k3py.api.registry import Registry

Obj = dict[str, Any]

GROUP = "authentication.k8s.io"
#: the body of the subresource (for decoding and field validation; never stored)
TOKEN_REQUEST = ResourceType(GROUP, "v1", "TokenRequest", "tokenrequests", True, verbs=CREATE_ONLY, virtual=True)
DEFAULT_EXPIRATION_SECONDS = 3600
MIN_EXPIRATION_SECONDS = 600
MAX_EXPIRATION_SECONDS = 1 << 32
# The longest token issued: longer requests are shortened with a warning, as with kube-apiserver's
# --service-account-max-token-expiration (unlimited by default there). A year still serves
# `kubectl create token --duration=8760h`, the longest the usual guides ask for, while a leaked
# token does not live for ever. A guess; no rotation of the signing key exists to bound it otherwise.
MAX_ISSUED_SECONDS = 365 * 24 * 3600
#: what a token may be bound to: kind -> the resource holding it
BINDABLE = {"Pod": "pods", "Node": "nodes", "Secret": "secrets"}


async def request_token(
    resources: Resources,
    registry: Registry,
    authenticator: Authenticator,
    namespace: str,
    name: str,
    body: Obj,
    *,
    now: float | None = None,
) -> tuple[Obj, list[str]]:
    """Issue a token for the service account ``namespace/name``; the answer and its warnings.

    Raises:
        errors.NotFound: the service account, or the bound object, does not exist.
        errors.Invalid: the metadata names another account, or the expiration is out of range.
        errors.BadRequest: the body is not a TokenRequest, or binds to an unsupported kind.
        errors.Conflict: the bound object's UID is not the one given.
    """
    reviews.check_type(body, TOKEN_REQUEST.kind, (TOKEN_REQUEST.api_version,))
    metadata = _check_metadata(body, namespace, name)
    account = await resources.get(_lookup(registry, "serviceaccounts"), namespace, name)
    spec = _spec(body, authenticator.audiences)
    issued = int(time.time() if now is None else now)
    metadata["creationTimestamp"] = _rfc3339(issued)
    body.pop("status", None)
    causes = expiration_causes(spec["expirationSeconds"])
    if causes:
        raise reviews.invalid(TOKEN_REQUEST.kind, GROUP, "", causes)
    bound = await _bound_objects(resources, registry, namespace, name, spec.get("boundObjectRef"))
    warnings = []
    if spec["expirationSeconds"] > MAX_ISSUED_SECONDS:
        warnings.append(
            f"requested expiration of {spec['expirationSeconds']} seconds shortened to {MAX_ISSUED_SECONDS} seconds"
        )
        spec["expirationSeconds"] = MAX_ISSUED_SECONDS
    account_meta = account["metadata"]
    token = authenticator.issue_token(
        namespace=namespace,
        name=name,
        uid=str(account_meta.get("uid", "")),
        audiences=spec["audiences"],
        expiration_seconds=spec["expirationSeconds"],
        now=issued,
        pod=bound.get("pod"),
        node=bound.get("node"),
        secret=bound.get("secret"),
    )
    body["status"] = {"token": token, "expirationTimestamp": _rfc3339(issued + spec["expirationSeconds"])}
    return body, warnings


def expiration_causes(seconds: int) -> list[errors.Cause]:
    """``ValidateTokenRequest``: a token lives at least ten minutes and at most 2^32 seconds."""
    if seconds < MIN_EXPIRATION_SECONDS:
        return [
            structural.invalid("spec.expirationSeconds", seconds, "may not specify a duration less than 10 minutes")
        ]
    if seconds > MAX_EXPIRATION_SECONDS:
        return [
            structural.invalid("spec.expirationSeconds", seconds, "may not specify a duration larger than 2^32 seconds")
        ]
    return []


def bound_kind(ref: Obj, account: str) -> str:
    """The resource a ``boundObjectRef`` points into; 400 for a kind tokens cannot be bound to."""
    api_version, kind = str(ref.get("apiVersion") or ""), str(ref.get("kind") or "")
    group, _, version = api_version.rpartition("/")
    if group or kind not in BINDABLE:
        raise errors.BadRequest(
            f'cannot bind token for serviceaccount "{account}" to object of type {group}/{version}, Kind={kind}'
        )
    return BINDABLE[kind]


def _check_metadata(body: Obj, namespace: str, name: str) -> Obj:
    """The name and namespace, if the body gives them, must be the service account's (then filled in)."""
    metadata = body.get("metadata")
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict):
        raise errors.BadRequest("the body of the request could not be decoded: metadata: expected object")
    for field, expected, what in (("name", name, "name"), ("namespace", namespace, "namespace")):
        given = metadata.get(field)
        if given and given != expected:
            raise reviews.invalid(
                TOKEN_REQUEST.kind,
                GROUP,
                name,
                [structural.invalid(f"metadata.{field}", given, f"must match the service account {what} if specified")],
            )
    metadata["name"], metadata["namespace"] = name, namespace
    body["metadata"] = metadata
    return metadata


def _spec(body: Obj, default_audiences: tuple[str, ...]) -> Obj:
    """``spec`` with its defaults (the server's audiences, an hour), type-checked as the decoder does."""
    spec = body.get("spec")
    if spec is None:
        spec = {}
    if not isinstance(spec, dict):
        raise errors.BadRequest("the body of the request could not be decoded: spec: expected object")
    audiences = spec.get("audiences")
    if audiences is not None and (not isinstance(audiences, list) or not all(isinstance(a, str) for a in audiences)):
        raise errors.BadRequest("the body of the request could not be decoded: spec.audiences: expected []string")
    if not audiences:
        spec["audiences"] = list(default_audiences)
    seconds = spec.get("expirationSeconds")
    if seconds is None:
        spec["expirationSeconds"] = DEFAULT_EXPIRATION_SECONDS
    elif isinstance(seconds, bool) or not isinstance(seconds, int):
        raise errors.BadRequest(
            "the body of the request could not be decoded: spec.expirationSeconds: expected int64, got "
            f"{structural.go_value(seconds)}"
        )
    ref = spec.get("boundObjectRef")
    if ref is not None and not isinstance(ref, dict):
        raise errors.BadRequest("the body of the request could not be decoded: spec.boundObjectRef: expected object")
    body["spec"] = spec
    return spec


async def _bound_objects(
    resources: Resources, registry: Registry, namespace: str, account: str, ref: Obj | None
) -> dict[str, tuple[str, str]]:
    """The ``(name, uid)`` of what the token is bound to, by claim (``pod``, ``node``, ``secret``)."""
    if ref is None:
        return {}
    plural = bound_kind(ref, account)
    name = str(ref.get("name") or "")
    obj = await resources.get(_lookup(registry, plural), "" if plural == "nodes" else namespace, name)
    uid = str(obj["metadata"].get("uid", ""))
    wanted = ref.get("uid")
    if wanted and wanted != uid:
        raise errors.Conflict(
            f'Operation cannot be fulfilled on {ref["kind"]} "{name}": the UID in the bound object reference '
            f"({wanted}) does not match the UID in record. The object might have been deleted and then recreated",
            kind=str(ref["kind"]),
            name=name,
        )
    bound = {plural.removesuffix("s"): (name, uid)}
    node = (obj.get("spec") or {}).get("nodeName") if plural == "pods" else None
    if node:
        # the pod's node goes in too, if it exists (a pod may name a node that is gone)
        try:
            node_obj = await resources.get(_lookup(registry, "nodes"), "", str(node))
        except errors.NotFound:
            return bound
        bound["node"] = (str(node), str(node_obj["metadata"].get("uid", "")))
    return bound


def _lookup(registry: Registry, plural: str) -> ResourceType:
    rt = registry.lookup("", "v1", plural)
    if rt is None:  # the built-in registry always serves these
        raise errors.NotFound("the server could not find the requested resource")
    return rt


def _rfc3339(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
