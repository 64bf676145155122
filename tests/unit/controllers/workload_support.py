"""Test support for the workload controllers (not a test module).

No scheduler or kubelet runs in these tests, so :class:`FakeKubelet` plays the kubelet's part
through the API, as kwok does: it binds pods to a node and reports them Running and Ready (or
not) through ``pods/status``. :class:`WallClock` is a wall clock on trio's clock, so that
``autojump_clock`` moves the time the controllers write into conditions along with their timers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import trio

from k3py.api.client import Client
from k3py.controllers import podcontrol as pc

Obj = dict[str, Any]
NAMESPACE = "default"


class WallClock:
    """Now, as trio's clock (virtual under ``autojump_clock``) has moved since this was made."""

    def __init__(self) -> None:
        self.base = datetime.now(UTC).replace(microsecond=0)
        self.start = trio.current_time()

    def __call__(self) -> datetime:
        return self.base + timedelta(seconds=trio.current_time() - self.start)


def template(labels: dict[str, str], image: str = "nginx:1.25") -> Obj:
    return {"metadata": {"labels": dict(labels)}, "spec": {"containers": [{"name": "app", "image": image}]}}


class FakeKubelet:
    """Reports pods as a kubelet would, through the API only."""

    def __init__(self, client: Client, now: Callable[[], datetime]) -> None:
        self.client = client
        self.now = now

    async def ready(self, pod: Obj, *, ready: bool = True) -> Obj:
        """The pod Running, with a Ready condition that changed now."""
        status = {
            "phase": "Running",
            "conditions": [
                {"type": "Ready", "status": "True" if ready else "False", "lastTransitionTime": pc.stamp(self.now())}
            ],
        }
        return await self.client.patch(
            "v1", "pods", pc.name_of(pod), {"status": status}, namespace=pc.namespace_of(pod), subresource="status"
        )

    async def bind(self, pod: Obj, node: str) -> None:
        binding = {
            "apiVersion": "v1",
            "kind": "Binding",
            "metadata": {"name": pc.name_of(pod)},
            "target": {"apiVersion": "v1", "kind": "Node", "name": node},
        }
        await self.client.create(
            "v1", "pods", binding, namespace=pc.namespace_of(pod), name=pc.name_of(pod), subresource="binding"
        )

    async def ready_all(self, pods: list[Obj]) -> None:
        for pod in pods:
            if not pc.is_pod_ready(pod):
                await self.ready(pod)


async def pods(client: Client, selector: str = "", namespace: str = NAMESPACE) -> list[Obj]:
    """The pods now (live), oldest first, terminating ones left out."""
    items = (await client.list("v1", "pods", namespace=namespace, label_selector=selector))["items"]
    return pc.by_creation(pod for pod in items if not pc.deleting(pod))


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 10.0, interval: float = 0.01) -> None:
    """Wait until ``check`` holds (on trio's clock: virtual under autojump)."""
    with trio.fail_after(timeout):
        while not await check():
            await trio.sleep(interval)


async def events_about(client: Client, name: str, namespace: str = NAMESPACE) -> list[Obj]:
    items = (await client.list("v1", "events", namespace=namespace))["items"]
    return [event for event in items if (event.get("involvedObject") or {}).get("name") == name]
