"""The garbage collector over the in-process API: background, orphan and foreground deletion,
and dependents whose owners vanished while nobody watched."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import trio

from k3py.api.client import Client, Resource
from k3py.controllers.garbagecollector import GarbageCollector
from k3py.core import errors

Obj = dict[str, Any]
CONFIGMAPS = Resource("v1", "configmaps", "ConfigMap", True, ("list", "watch", "delete"))
SECRETS = Resource("v1", "secrets", "Secret", True, ("list", "watch", "delete"))


def configmap(name: str, *owners: Obj, block: bool = False) -> Obj:
    refs = [
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "name": owner["metadata"]["name"],
            "uid": owner["metadata"]["uid"],
            **({"blockOwnerDeletion": True} if block else {}),
        }
        for owner in owners
    ]
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "ownerReferences": refs}}


async def create(client: Client, obj: Obj) -> Obj:
    return await client.create("v1", "configmaps", obj, namespace="default")


async def gone(client: Client, name: str) -> bool:
    try:
        await client.get("v1", "configmaps", name, namespace="default")
    except errors.NotFound:
        return True
    return False


async def eventually(check: Any, timeout: float = 5) -> None:
    with trio.fail_after(timeout):
        while not await check():
            await trio.sleep(0.01)


@pytest.fixture
async def collector(client: Client) -> AsyncIterator[GarbageCollector]:
    gc = GarbageCollector(client, resources=[CONFIGMAPS, SECRETS])
    async with trio.open_nursery() as nursery:
        await nursery.start(gc.run)
        yield gc
        nursery.cancel_scope.cancel()


async def test_background_deletion_takes_the_dependents(client: Client, collector: GarbageCollector) -> None:
    owner = await create(client, configmap("owner"))
    await create(client, configmap("child", owner))
    await create(client, configmap("grandchild", await client.get("v1", "configmaps", "child", namespace="default")))
    await client.delete("v1", "configmaps", "owner", namespace="default", propagation_policy="Background")
    await eventually(lambda: gone(client, "grandchild"))
    assert await gone(client, "child")


async def test_orphan_deletion_keeps_the_dependents_without_the_reference(
    client: Client, collector: GarbageCollector
) -> None:
    owner = await create(client, configmap("owner"))
    await create(client, configmap("child", owner))
    await client.delete("v1", "configmaps", "owner", namespace="default", propagation_policy="Orphan")
    await eventually(lambda: gone(client, "owner"))
    child = await client.get("v1", "configmaps", "child", namespace="default")
    assert "ownerReferences" not in child["metadata"]


async def test_foreground_deletion_removes_blocking_dependents_first(
    client: Client, collector: GarbageCollector
) -> None:
    owner = await create(client, configmap("owner"))
    await create(client, configmap("child", owner, block=True))
    # the child holds a finalizer: the owner must wait for it
    await client.patch("v1", "configmaps", "child", {"metadata": {"finalizers": ["test/hold"]}}, namespace="default")
    await client.delete("v1", "configmaps", "owner", namespace="default", propagation_policy="Foreground")

    async def child_deleting() -> bool:
        return bool(
            (await client.get("v1", "configmaps", "child", namespace="default"))["metadata"].get("deletionTimestamp")
        )

    await eventually(child_deleting)
    waiting = await client.get("v1", "configmaps", "owner", namespace="default")
    assert waiting["metadata"]["finalizers"] == ["foregroundDeletion"]
    assert waiting["metadata"]["deletionTimestamp"]
    await client.patch("v1", "configmaps", "child", {"metadata": {"finalizers": None}}, namespace="default")
    await eventually(lambda: gone(client, "owner"))


async def test_dependents_of_owners_deleted_while_nobody_watched_are_collected(client: Client) -> None:
    owner = await create(client, configmap("owner"))
    survivor = await create(client, configmap("survivor"))
    await create(client, configmap("orphaned", owner))
    await create(client, configmap("shared", owner, survivor))
    await client.delete("v1", "configmaps", "owner", namespace="default")
    gc = GarbageCollector(client, resources=[CONFIGMAPS])
    async with trio.open_nursery() as nursery:
        await nursery.start(gc.run)
        await eventually(lambda: gone(client, "orphaned"))

        async def only_survivor_owns_shared() -> bool:
            shared = await client.get("v1", "configmaps", "shared", namespace="default")
            return [ref["name"] for ref in shared["metadata"]["ownerReferences"]] == ["survivor"]

        await eventually(only_survivor_owns_shared)
        nursery.cancel_scope.cancel()


async def test_a_reference_to_an_owner_the_cache_has_not_seen_yet_is_kept(
    client: Client, collector: GarbageCollector
) -> None:
    secret = await client.create(
        "v1", "secrets", {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}}, namespace="default"
    )
    ref = {"apiVersion": "v1", "kind": "Secret", "name": "s", "uid": secret["metadata"]["uid"]}
    dependent = configmap("dependent")
    dependent["metadata"]["ownerReferences"] = [ref]
    await create(client, dependent)
    await trio.sleep(0.2)
    assert not await gone(client, "dependent")
    await client.delete("v1", "secrets", "s", namespace="default")
    await eventually(lambda: gone(client, "dependent"))
