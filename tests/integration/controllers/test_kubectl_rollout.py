"""``kubectl rollout`` (status, history, undo, pause, resume, restart), ``set image`` and ``scale``
against a real server: what the Deployment controller writes is what the real kubectl reads."""

from __future__ import annotations

import json
import time
from typing import Any

from .conftest import Server, report_ready

ROLLOUT_SECONDS = 30.0


def roll_out(server: Server, namespace: str, name: str = "web") -> str:
    """Play the kubelet until ``kubectl rollout status`` says the rollout is done; its last words."""
    deadline = time.monotonic() + ROLLOUT_SECONDS
    while True:
        report_ready(server, namespace)
        said = server.kubectl("-n", namespace, "rollout", "status", f"deployment/{name}", "--watch=false")
        if "successfully rolled out" in said or time.monotonic() > deadline:
            return said
        time.sleep(0.1)


def replica_sets(server: Server, namespace: str) -> list[dict[str, Any]]:
    return json.loads(server.kubectl("-n", namespace, "get", "rs", "-o", "json"))["items"]


def image(server: Server, namespace: str) -> str:
    return server.kubectl(
        "-n", namespace, "get", "deployment", "web", "-o", "jsonpath={.spec.template.spec.containers[0].image}"
    )


def test_rollout_status_history_and_undo(k3py_server: Server, namespace: str) -> None:
    ns = ("-n", namespace)
    k3py_server.kubectl(*ns, "create", "deployment", "web", "--image=nginx:1.25", "--replicas=2")
    assert roll_out(k3py_server, namespace) == 'deployment "web" successfully rolled out\n'
    k3py_server.kubectl(*ns, "set", "image", "deployment/web", "nginx=nginx:1.26")
    assert "successfully rolled out" in roll_out(k3py_server, namespace)
    history = k3py_server.kubectl(*ns, "rollout", "history", "deployment/web")
    assert [line.split()[0] for line in history.splitlines()[2:] if line.strip()] == ["1", "2"]
    assert "nginx:1.25" in k3py_server.kubectl(*ns, "rollout", "history", "deployment/web", "--revision=1")

    assert k3py_server.kubectl(*ns, "rollout", "undo", "deployment/web").strip() == "deployment.apps/web rolled back"
    assert "successfully rolled out" in roll_out(k3py_server, namespace)
    assert image(k3py_server, namespace) == "nginx:1.25"
    assert len(replica_sets(k3py_server, namespace)) == 2  # the first ReplicaSet came back
    history = k3py_server.kubectl(*ns, "rollout", "history", "deployment/web")
    assert [line.split()[0] for line in history.splitlines()[2:] if line.strip()] == ["2", "3"]
    done = k3py_server.kubectl(*ns, "rollout", "status", "deployment/web", "--revision=3", "--timeout=10s")
    assert done == 'deployment "web" successfully rolled out\n'
    describe = k3py_server.kubectl(*ns, "describe", "deployment", "web")
    assert "ScalingReplicaSet" in describe and "NewReplicaSetAvailable" in describe


def test_rollout_pause_resume_restart_and_scale(k3py_server: Server, namespace: str) -> None:
    ns = ("-n", namespace)
    k3py_server.kubectl(*ns, "create", "deployment", "web", "--image=nginx:1.25", "--replicas=2")
    assert "successfully rolled out" in roll_out(k3py_server, namespace)
    k3py_server.kubectl(*ns, "set", "image", "deployment/web", "nginx=nginx:1.26")
    assert "successfully rolled out" in roll_out(k3py_server, namespace)

    assert "paused" in k3py_server.kubectl(*ns, "rollout", "pause", "deployment/web")
    refused = k3py_server.kubectl(*ns, "rollout", "undo", "deployment/web", check=False)
    assert "you cannot rollback a paused deployment" in refused
    k3py_server.kubectl(*ns, "set", "image", "deployment/web", "nginx=nginx:1.27")
    time.sleep(0.5)
    assert len(replica_sets(k3py_server, namespace)) == 2  # paused: nothing rolls out
    assert "resumed" in k3py_server.kubectl(*ns, "rollout", "resume", "deployment/web")
    assert "successfully rolled out" in roll_out(k3py_server, namespace)
    assert image(k3py_server, namespace) == "nginx:1.27"
    assert len(replica_sets(k3py_server, namespace)) == 3

    assert "restarted" in k3py_server.kubectl(*ns, "rollout", "restart", "deployment/web")
    assert "successfully rolled out" in roll_out(k3py_server, namespace)
    assert len(replica_sets(k3py_server, namespace)) == 4

    k3py_server.kubectl(*ns, "scale", "deployment/web", "--replicas=3")
    assert "successfully rolled out" in roll_out(k3py_server, namespace)
    ready = k3py_server.kubectl(*ns, "get", "deployment", "web", "-o", "jsonpath={.status.readyReplicas}")
    assert ready == "3"
    current = [rs for rs in replica_sets(k3py_server, namespace) if rs["spec"]["replicas"]]
    assert len(current) == 1 and current[0]["status"]["availableReplicas"] == 3
