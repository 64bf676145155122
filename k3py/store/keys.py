"""Key layout (``/registry/{group}/{resource}/[{namespace}/]{name}``) and continue tokens.

Continue tokens use the apiserver's own format (base64 of ``{"v": "meta.k8s.io/v1", "rv": R,
"start": KEY-SUFFIX}``) so that the API layer can hand them to clients unchanged.
"""

from __future__ import annotations

import base64
import binascii
import json

from k3py.store.errors import BadContinueToken

REGISTRY = "/registry/"
CORE_GROUP = "core"  # the legacy group "" gets a name, so every key has the same shape
_CONTINUE_VERSION = "meta.k8s.io/v1"


def object_key(group: str, resource: str, namespace: str, name: str) -> str:
    """The key of one object; ``namespace`` is empty for cluster-scoped resources."""
    return resource_prefix(group, resource, namespace) + name


def resource_prefix(group: str, resource: str, namespace: str = "") -> str:
    """The prefix under which all objects of a resource (in a namespace, if given) live."""
    prefix = f"{REGISTRY}{group or CORE_GROUP}/{resource}/"
    if namespace:
        prefix += f"{namespace}/"
    return prefix


def encode_continue(revision: int, prefix: str, next_key: str) -> str:
    """A token to continue listing ``prefix`` at ``revision`` from ``next_key`` (inclusive)."""
    if not next_key.startswith(prefix):
        raise ValueError(f"{next_key!r} is not under {prefix!r}")
    body = {"v": _CONTINUE_VERSION, "rv": revision, "start": next_key[len(prefix) :]}
    return base64.urlsafe_b64encode(json.dumps(body, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_continue(token: str, prefix: str) -> tuple[int, str]:
    """Return ``(revision, start_key)``; raises :class:`BadContinueToken` on anything odd."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        body = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise BadContinueToken("continue key is not valid: not base64-encoded JSON") from exc
    if not isinstance(body, dict) or body.get("v") != _CONTINUE_VERSION:
        raise BadContinueToken("continue key is not valid: incorrect encoded start resourceVersion (version)")
    revision, start = body.get("rv"), body.get("start")
    if not isinstance(revision, int) or isinstance(revision, bool) or revision <= 0:
        raise BadContinueToken("continue key is not valid: incorrect encoded start resourceVersion")
    if not isinstance(start, str) or not start or start.startswith("/") or ".." in start.split("/"):
        raise BadContinueToken("continue key is not valid: the start key may not escape the list")
    return revision, prefix + start
