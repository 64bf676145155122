"""Events: written once, then folded (count and lastTimestamp) when they repeat."""

from __future__ import annotations

import itertools

from k3py.api.client import Client
from k3py.controllers.events import WARNING, EventRecorder


async def test_repeated_events_are_folded_into_one(client: Client) -> None:
    pod = await client.create(
        "v1",
        "pods",
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "c", "image": "i"}]},
        },
        namespace="default",
    )
    ticks = (f"2026-01-01T00:00:0{i}Z" for i in itertools.count())
    recorder = EventRecorder(client, "default-scheduler", clock=lambda: next(ticks))
    for _ in range(3):
        await recorder.record(pod, WARNING, "FailedScheduling", "0/1 nodes are available: 1 Insufficient cpu.")
    await recorder.record(pod, WARNING, "FailedScheduling", "another message")
    events = (await client.list("v1", "events", namespace="default"))["items"]
    by_message = {e["message"]: e for e in events}
    assert len(events) == 2
    folded = by_message["0/1 nodes are available: 1 Insufficient cpu."]
    assert (folded["count"], folded["firstTimestamp"], folded["lastTimestamp"]) == (
        3,
        "2026-01-01T00:00:00Z",
        "2026-01-01T00:00:02Z",
    )
    assert folded["involvedObject"]["uid"] == pod["metadata"]["uid"]
    assert folded["source"] == {"component": "default-scheduler"}
    assert folded["type"] == "Warning" and folded["reason"] == "FailedScheduling"
