"""Informers over the in-process API: synced lists, every change once, relists after compaction."""

from __future__ import annotations

from typing import Any

import trio
import trio.testing

from k3py.api.client import Client
from k3py.controllers.informer import Informer, key_of, split_key

Obj = dict[str, Any]


def configmap(name: str, **data: str) -> Obj:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}


def test_keys() -> None:
    assert key_of({"metadata": {"namespace": "ns", "name": "a"}}) == "ns/a"
    assert key_of({"metadata": {"name": "node-1"}}) == "node-1"
    assert split_key("ns/a") == ("ns", "a")
    assert split_key("node-1") == ("", "node-1")


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []
        self.changed = trio.Event()

    def __call__(self, old: Obj | None, new: Obj | None) -> None:
        kind = "add" if old is None else "delete" if new is None else "update"
        self.events.append((kind, key_of(new or old or {})))
        self.changed.set()

    async def wait_for(self, count: int) -> None:
        with trio.fail_after(5):
            while len(self.events) < count:
                self.changed = trio.Event()
                await self.changed.wait()


async def test_an_informer_lists_then_follows_changes(client: Client) -> None:
    await client.create("v1", "configmaps", configmap("before"), namespace="default")
    informer = Informer(client, "v1", "configmaps", namespace="default")
    recorder = Recorder()
    informer.on_change(recorder)
    async with trio.open_nursery() as nursery:
        await nursery.start(informer.run)
        assert informer.synced.is_set()
        assert set(informer.cache) == {"default/before"}
        await client.create("v1", "configmaps", configmap("after"), namespace="default")
        await client.patch("v1", "configmaps", "before", {"data": {"k": "v"}}, namespace="default")
        await client.delete("v1", "configmaps", "after", namespace="default")
        await recorder.wait_for(4)
        nursery.cancel_scope.cancel()
    assert recorder.events == [
        ("add", "default/before"),
        ("add", "default/after"),
        ("update", "default/before"),
        ("delete", "default/after"),
    ]
    assert informer.get("default/before")["data"] == {"k": "v"}  # type: ignore[index]
    assert informer.get("default/after") is None


async def test_after_compaction_a_relist_reports_only_the_difference(client: Client) -> None:
    informer = Informer(client, "v1", "configmaps", namespace="default")
    recorder = Recorder()
    informer.on_change(recorder)
    await client.create("v1", "configmaps", configmap("kept"), namespace="default")
    await client.create("v1", "configmaps", configmap("gone"), namespace="default")
    await informer._relist()  # the informer's state as of now, then it falls far behind
    for i in range(40):  # the store keeps 30 revisions: the informer's revision is compacted
        await client.patch("v1", "configmaps", "kept", {"data": {"i": str(i)}}, namespace="default")
    await client.delete("v1", "configmaps", "gone", namespace="default")
    recorder.events.clear()
    async with trio.open_nursery() as nursery:
        nursery.start_soon(informer.run)
        await recorder.wait_for(2)
        await trio.testing.wait_all_tasks_blocked(0.05)
        nursery.cancel_scope.cancel()
    assert sorted(recorder.events) == [("delete", "default/gone"), ("update", "default/kept")]
    assert informer.cache["default/kept"]["data"] == {"i": "39"}


async def test_resync_redelivers_the_cache(client: Client, autojump_clock: trio.testing.MockClock) -> None:
    await client.create("v1", "configmaps", configmap("a"), namespace="default")
    informer = Informer(client, "v1", "configmaps", namespace="default", resync=30)
    recorder = Recorder()
    informer.on_change(recorder)
    async with trio.open_nursery() as nursery:
        await nursery.start(informer.run)
        await trio.sleep(61)
        nursery.cancel_scope.cancel()
    assert recorder.events == [("add", "default/a"), ("update", "default/a"), ("update", "default/a")]
