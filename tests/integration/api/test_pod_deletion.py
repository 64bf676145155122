"""Graceful deletion of pods with the real kubectl and the official Python client: a pod that a
node runs is only marked (its kubelet finishes the job); an unbound pod goes at once."""

from __future__ import annotations

import json
from typing import Any

from .conftest import Server


def node(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name}}


def pod(name: str, node_name: str = "", grace: int | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"containers": [{"name": "c", "image": "busybox"}]}
    if node_name:
        spec["nodeName"] = node_name
    if grace is not None:
        spec["terminationGracePeriodSeconds"] = grace
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec}


def test_a_pod_on_a_node_is_marked_then_force_deleted(k3py_server: Server, kubernetes_api: Any, namespace: str) -> None:
    from kubernetes import client

    core = client.CoreV1Api(kubernetes_api)
    node_name = f"{namespace}-node"
    core.create_node(node(node_name))
    try:
        core.create_namespaced_pod(namespace, pod("running", node_name, grace=45))
        deleted = core.delete_namespaced_pod("running", namespace)
        assert deleted.metadata.deletion_grace_period_seconds == 45
        marked = core.read_namespaced_pod("running", namespace)
        assert marked.metadata.deletion_timestamp is not None
        assert (marked.metadata.deletion_timestamp - marked.metadata.creation_timestamp).total_seconds() >= 44
        table = k3py_server.kubectl("get", "pod", "running", "-n", namespace)
        assert "Terminating" in table

        # a shorter period replaces a longer one; a longer one does not
        core.delete_namespaced_pod("running", namespace, grace_period_seconds=10)
        assert core.read_namespaced_pod("running", namespace).metadata.deletion_grace_period_seconds == 10
        core.delete_namespaced_pod("running", namespace, grace_period_seconds=20)
        assert core.read_namespaced_pod("running", namespace).metadata.deletion_grace_period_seconds == 10

        k3py_server.kubectl("delete", "pod", "running", "-n", namespace, "--grace-period=0", "--force")
        gone = k3py_server.kubectl("get", "pod", "running", "-n", namespace, check=False)
        assert "NotFound" in gone
    finally:
        core.delete_node(node_name)


def test_pods_nobody_runs_are_deleted_at_once(k3py_server: Server, namespace: str) -> None:
    k3py_server.kubectl("create", "-n", namespace, "-f", "-", stdin=json.dumps(pod("pending")))
    k3py_server.kubectl("create", "-n", namespace, "-f", "-", stdin=json.dumps(pod("orphan", node_name="no-such-node")))
    out = k3py_server.kubectl("delete", "pod", "pending", "orphan", "-n", namespace, "--wait=false")
    assert [line.split(" from ")[0] for line in out.splitlines()] == ['pod "pending" deleted', 'pod "orphan" deleted']
    assert k3py_server.kubectl("get", "pods", "-n", namespace, "-o", "name") == ""
