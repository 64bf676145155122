"""Which lease updates are renew-only and may wait in memory."""

from __future__ import annotations

import json
from typing import Any

import pytest

from k3py.store.coalesce import is_renewal_only

KEY = "/registry/coordination.k8s.io/leases/kube-node-lease/node1"


def lease(renew: str, holder: str = "node1", manager_time: str = "2026-01-01T00:00:00Z") -> bytes:
    obj: dict[str, Any] = {
        "apiVersion": "coordination.k8s.io/v1",
        "kind": "Lease",
        "metadata": {
            "name": "node1",
            "namespace": "kube-node-lease",
            "managedFields": [{"manager": "kubelet", "operation": "Update", "time": manager_time}],
        },
        "spec": {"holderIdentity": holder, "leaseDurationSeconds": 40, "renewTime": renew},
    }
    return json.dumps(obj).encode()


@pytest.mark.parametrize(
    ("key", "old", "new", "expected"),
    [
        pytest.param(KEY, lease("t1"), lease("t2"), True, id="renew-time-only"),
        pytest.param(KEY, lease("t1"), lease("t2", manager_time="2026-01-02T00:00:00Z"), True, id="managed-time"),
        pytest.param(KEY, lease("t1"), lease("t2", holder="node2"), False, id="holder-changed"),
        pytest.param("/registry/core/configmaps/ns/x", lease("t1"), lease("t2"), False, id="not-a-lease"),
        pytest.param(KEY, b"not json", lease("t2"), False, id="garbage"),
        pytest.param(KEY, b"[]", b"[]", False, id="not-an-object"),
    ],
)
def test_is_renewal_only(key: str, old: bytes, new: bytes, expected: bool) -> None:
    assert is_renewal_only(key, old, new) is expected
