"""What a request is about, read from its path and method (apiserver's RequestInfoFactory).

Pure: a path and a method in, a :class:`RequestInfo` out. Paths:

    /api, /apis, /apis/{group}                          discovery
    /api/v1, /apis/{group}/{version}                     resource lists
    /api/v1/{plural}[/{name}[/{sub}]]                    cluster scope, or all namespaces
    /api/v1/namespaces/{ns}/{plural}[/{name}[/{sub}]]    one namespace
    /api/v1/watch/...                                    the old watch prefix
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

_METHOD_VERBS = {"POST": "create", "PUT": "update", "PATCH": "patch", "DELETE": "delete", "GET": "get", "HEAD": "get"}


@dataclass(frozen=True, slots=True)
class RequestInfo:
    """A request on a resource. ``verb`` is the Kubernetes verb (list, watch, deletecollection...)."""

    group: str
    version: str
    plural: str
    namespace: str = ""
    name: str = ""
    subresource: str = ""
    verb: str = ""


@dataclass(frozen=True, slots=True)
class DiscoveryPath:
    """A discovery document: ``/api`` (legacy), ``/apis``, ``/apis/{group}`` or a resource list."""

    prefix: str  # "api" or "apis"
    group: str = ""
    version: str = ""


def parse(path: str, method: str, *, watch_param: bool) -> RequestInfo | DiscoveryPath | None:
    """Classify ``path``; None when it is not under /api or /apis."""
    parts = [unquote(p) for p in path.strip("/").split("/")] if path.strip("/") else []
    if not parts or parts[0] not in ("api", "apis"):
        return None
    prefix, rest = parts[0], parts[1:]
    if prefix == "api":
        if not rest:
            return DiscoveryPath("api")
        group, version, rest = "", rest[0], rest[1:]
    else:
        if not rest:
            return DiscoveryPath("apis")
        if len(rest) == 1:
            return DiscoveryPath("apis", rest[0])
        group, version, rest = rest[0], rest[1], rest[2:]
    if not rest:
        return DiscoveryPath(prefix, group, version)
    watch = False
    if rest[0] == "watch":
        watch, rest = True, rest[1:]
        if not rest:
            return None
    namespace = ""
    if rest[0] == "namespaces" and len(rest) >= 3:
        namespace, rest = rest[1], rest[2:]
        if rest == ["status"] or rest == ["finalize"]:  # /namespaces/{name}/status is the namespace's own
            return _info(group, version, "namespaces", "", namespace, rest[0], method, watch, watch_param)
    plural = rest[0]
    name = rest[1] if len(rest) > 1 else ""
    subresource = "/".join(rest[2:])
    if plural == "namespaces" and not namespace and len(rest) == 2:
        name = rest[1]
    return _info(group, version, plural, namespace, name, subresource, method, watch, watch_param)


def _info(
    group: str,
    version: str,
    plural: str,
    namespace: str,
    name: str,
    subresource: str,
    method: str,
    watch_prefix: bool,
    watch_param: bool,
) -> RequestInfo:
    verb = _METHOD_VERBS.get(method, method.lower())
    if verb == "get" and not name:
        verb = "watch" if (watch_prefix or watch_param) else "list"
    elif verb == "get" and (watch_prefix or watch_param):
        verb = "watch"  # a watch on one object: a list watch with a name field selector
    elif verb == "delete" and not name:
        verb = "deletecollection"
    return RequestInfo(group, version, plural, namespace, name, subresource, verb)
