"""A real ``k3py server`` per test module (its controller manager running the workload
controllers), the real kubectl against it, and a stand-in for the kubelet.

No kubelet runs here, so :func:`report_ready` plays its part through the API (as kwok does):
every pod of a namespace is reported Running and Ready through ``pods/status``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from ...support import serverproc

Server = serverproc.ServerProcess
READY_WITHIN_SECONDS = 10.0


@pytest.fixture(scope="module")
def k3py_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serverproc.Launcher(tmp_path_factory.mktemp("k3py")) as launcher:
        server = launcher.start(name="server")
        server.wait_ready(READY_WITHIN_SECONDS)
        try:
            yield server
        finally:
            server.stop()


@pytest.fixture
def namespace(k3py_server: Server, request: pytest.FixtureRequest) -> str:
    """A fresh namespace per test, so tests sharing a server don't see each other's objects."""
    name = "t-" + request.node.name.lower().replace("_", "-")[:40].strip("-") + "-" + os.urandom(2).hex()
    k3py_server.kubectl("create", "namespace", name)
    return name


def report_ready(server: Server, namespace: str) -> int:
    """Every pod of ``namespace`` not yet Ready becomes Running and Ready; how many changed."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    status = {
        "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": now}]}
    }
    changed = 0
    with server.client(client_cert=True) as http:
        pods = http.get(f"/api/v1/namespaces/{namespace}/pods").json()["items"]
        for pod in pods:
            conditions = (pod.get("status") or {}).get("conditions") or []
            if pod["metadata"].get("deletionTimestamp") or any(
                c.get("type") == "Ready" and c.get("status") == "True" for c in conditions
            ):
                continue
            response = http.patch(
                f"/api/v1/namespaces/{namespace}/pods/{pod['metadata']['name']}/status",
                json=status,
                headers={"content-type": "application/merge-patch+json"},
            )
            changed += response.status_code == 200
    return changed
