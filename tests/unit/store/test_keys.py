"""Key layout and continue tokens (the apiserver's own token format)."""

from __future__ import annotations

import base64
import json

import pytest

from k3py.store import keys
from k3py.store.errors import BadContinueToken


def test_object_key_core_group_and_cluster_scope() -> None:
    assert keys.object_key("", "pods", "default", "web") == "/registry/core/pods/default/web"
    assert keys.object_key("apps", "deployments", "ns", "d") == "/registry/apps/deployments/ns/d"
    assert keys.object_key("", "nodes", "", "n1") == "/registry/core/nodes/n1"


def test_continue_token_round_trip_uses_apiserver_format() -> None:
    prefix = "/registry/core/pods/"
    token = keys.encode_continue(42, prefix, prefix + "ns/b\x00")
    body = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    assert body == {"v": "meta.k8s.io/v1", "rv": 42, "start": "ns/b\x00"}
    assert keys.decode_continue(token, prefix) == (42, prefix + "ns/b\x00")


def _token(body: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(body).encode()).decode()


@pytest.mark.parametrize(
    "token",
    [
        pytest.param("%%%", id="not-base64"),
        pytest.param(base64.urlsafe_b64encode(b"{not json").decode(), id="not-json"),
        pytest.param(_token({"v": "other", "rv": 1, "start": "a"}), id="wrong-version"),
        pytest.param(_token({"v": "meta.k8s.io/v1", "rv": 0, "start": "a"}), id="zero-revision"),
        pytest.param(_token({"v": "meta.k8s.io/v1", "rv": True, "start": "a"}), id="bool-revision"),
        pytest.param(_token({"v": "meta.k8s.io/v1", "rv": 3, "start": "../secrets/x"}), id="escapes-prefix"),
        pytest.param(_token({"v": "meta.k8s.io/v1", "rv": 3, "start": "/abs"}), id="absolute"),
        pytest.param(_token({"v": "meta.k8s.io/v1", "rv": 3, "start": ""}), id="empty-start"),
    ],
)
def test_decode_continue_rejects_bad_tokens(token: str) -> None:
    with pytest.raises(BadContinueToken):
        keys.decode_continue(token, "/registry/core/pods/")
