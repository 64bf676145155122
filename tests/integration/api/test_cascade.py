"""kubectl delete --cascade against the real server: its garbage collector runs in the server."""

from __future__ import annotations

import json
import time

import pytest

from .conftest import Server


def create_owned(server: Server, namespace: str, owner: str, child: str) -> None:
    server.kubectl("create", "configmap", owner, "-n", namespace)
    uid = server.kubectl("get", "configmap", owner, "-n", namespace, "-o", "jsonpath={.metadata.uid}")
    ref = {"apiVersion": "v1", "kind": "ConfigMap", "name": owner, "uid": uid, "blockOwnerDeletion": True}
    dependent = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": child, "ownerReferences": [ref]}}
    server.kubectl("create", "-n", namespace, "-f", "-", stdin=json.dumps(dependent))


def names(server: Server, namespace: str) -> set[str]:
    out = server.kubectl("get", "configmaps", "-n", namespace, "-o", "name")
    return {line.removeprefix("configmap/") for line in out.split()} - {"kube-root-ca.crt"}


def wait_for(server: Server, namespace: str, expected: set[str], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while (found := names(server, namespace)) != expected:
        if time.monotonic() > deadline:
            raise AssertionError(f"configmaps {sorted(found)}, expected {sorted(expected)}")
        time.sleep(0.2)


@pytest.mark.parametrize("cascade", ["background", "foreground"])
def test_deleting_an_owner_deletes_its_dependents(k3py_server: Server, namespace: str, cascade: str) -> None:
    create_owned(k3py_server, namespace, "owner", "child")
    k3py_server.kubectl("delete", "configmap", "owner", "-n", namespace, f"--cascade={cascade}", timeout=60)
    wait_for(k3py_server, namespace, set())


def test_orphan_cascade_keeps_the_dependents(k3py_server: Server, namespace: str) -> None:
    create_owned(k3py_server, namespace, "owner", "child")
    k3py_server.kubectl("delete", "configmap", "owner", "-n", namespace, "--cascade=orphan", timeout=60)
    wait_for(k3py_server, namespace, {"child"})
    child = json.loads(k3py_server.kubectl("get", "configmap", "child", "-n", namespace, "-o", "json"))
    assert "ownerReferences" not in child["metadata"]
