"""The scheduler over the in-process API: bindings, FailedScheduling events and conditions,
retries when the cluster changes, priorities and preemption."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import trio

from k3py.api.client import Client
from k3py.core import errors
from k3py.scheduler.scheduler import Scheduler

from .builders import node, pod

Obj = dict[str, Any]


async def eventually(check: Any, timeout: float = 10) -> Any:
    with trio.fail_after(timeout):
        while True:
            found = await check()
            if found:
                return found
            await trio.sleep(0.05)


async def add_node(client: Client, obj: Obj) -> Obj:
    """Register a node as its kubelet does: the object, then its status."""
    created = await client.create("v1", "nodes", {**obj, "status": {}})
    created["status"] = obj["status"]
    return await client.update("v1", "nodes", created, subresource="status")


async def get_pod(client: Client, name: str, namespace: str = "default") -> Obj:
    return await client.get("v1", "pods", name, namespace=namespace)


async def bound_to(client: Client, name: str) -> str:
    return str((await get_pod(client, name))["spec"].get("nodeName") or "")


async def events_of(client: Client, name: str, reason: str) -> list[Obj]:
    listing = await client.list("v1", "events", namespace="default")
    return [e for e in listing["items"] if e["involvedObject"].get("name") == name and e.get("reason") == reason]


def condition(pod_obj: Obj, kind: str = "PodScheduled") -> Obj | None:
    return next((c for c in pod_obj.get("status", {}).get("conditions") or [] if c["type"] == kind), None)


@pytest.fixture
async def scheduler(client: Client) -> AsyncIterator[Scheduler]:
    import random

    sched = Scheduler(client, rng=random.Random(7))
    async with trio.open_nursery() as nursery:
        await nursery.start(sched.run)
        yield sched
        nursery.cancel_scope.cancel()


async def test_a_pending_pod_is_bound_to_the_node_that_fits(client: Client, scheduler: Scheduler) -> None:
    await add_node(client, node("small", cpu="1"))
    await add_node(client, node("big", cpu="8"))
    await client.create("v1", "pods", pod("web", cpu="2"), namespace="default")
    assert await eventually(lambda: bound_to(client, "web")) == "big"
    scheduled = await eventually(lambda: events_of(client, "web", "Scheduled"))
    assert scheduled[0]["message"] == "Successfully assigned default/web to big"
    assert scheduled[0]["source"]["component"] == "default-scheduler"
    scheduled_condition = condition(await get_pod(client, "web"))
    assert scheduled_condition is not None and scheduled_condition["status"] == "True"


async def create_pod(client: Client, obj: Obj) -> Obj:
    return await client.create("v1", "pods", obj, namespace=obj["metadata"].get("namespace", "default"))


async def failed_message(client: Client, name: str) -> str:
    found = await eventually(lambda: events_of(client, name, "FailedScheduling"))
    return str(found[-1]["message"])


async def test_an_unschedulable_pod_gets_a_warning_event_and_its_condition(
    client: Client, scheduler: Scheduler
) -> None:
    await add_node(client, node("small", cpu="1", labels={"disk": "ssd"}))
    await add_node(client, node("hdd-1", labels={"disk": "hdd"}))
    await add_node(client, node("hdd-2", labels={"disk": "hdd"}))
    await create_pod(client, pod("db", cpu="2", nodeSelector={"disk": "ssd"}))
    expected = (
        "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector. "
        "preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, "
        "2 Preemption is not helpful for scheduling."
    )
    assert await failed_message(client, "db") == expected
    event = (await events_of(client, "db", "FailedScheduling"))[0]
    assert event["type"] == "Warning"
    assert event["source"]["component"] == "default-scheduler"

    async def unschedulable() -> Obj | None:
        found = condition(await get_pod(client, "db"))
        return found if found and found["status"] == "False" else None

    found = await eventually(unschedulable)
    assert found["reason"] == "Unschedulable"
    assert found["message"] == expected
    assert not (await get_pod(client, "db"))["spec"].get("nodeName")


async def test_a_cluster_without_nodes_says_so(client: Client, scheduler: Scheduler) -> None:
    await create_pod(client, pod("lonely"))
    assert await failed_message(client, "lonely") == "no nodes available to schedule pods"


async def test_a_pending_pod_is_bound_once_a_node_that_fits_is_added(
    client: Client, scheduler: Scheduler, autojump_clock: Any
) -> None:
    await add_node(client, node("small", cpu="500m"))
    await create_pod(client, pod("batch", cpu="1"))
    await failed_message(client, "batch")
    await add_node(client, node("large", cpu="2"))
    assert await eventually(lambda: bound_to(client, "batch"), timeout=30) == "large"


async def test_a_pending_pod_is_bound_once_a_pod_in_its_way_is_deleted(
    client: Client, scheduler: Scheduler, autojump_clock: Any
) -> None:
    await add_node(client, node("only", cpu="1"))
    await create_pod(client, pod("first", cpu="800m"))
    assert await eventually(lambda: bound_to(client, "first")) == "only"
    await create_pod(client, pod("second", cpu="800m"))
    assert "1 Insufficient cpu" in await failed_message(client, "second")
    await client.delete("v1", "pods", "first", namespace="default", grace_period_seconds=0)
    assert await eventually(lambda: bound_to(client, "second"), timeout=30) == "only"


async def test_node_heartbeats_do_not_rewrite_a_pending_pod(
    client: Client, scheduler: Scheduler, autojump_clock: Any
) -> None:
    created = await add_node(client, node("busy", cpu="1"))
    await create_pod(client, pod("big", cpu="2"))

    async def reported() -> Obj | None:
        found = await get_pod(client, "big")
        return found if condition(found) else None

    before = (await eventually(reported))["metadata"]["resourceVersion"]
    for _ in range(3):
        created["status"]["conditions"][0]["lastHeartbeatTime"] = "2030-01-01T00:00:00Z"
        created = await client.update("v1", "nodes", created, subresource="status")
        await trio.sleep(15)
    assert (await get_pod(client, "big"))["metadata"]["resourceVersion"] == before
    assert len(await events_of(client, "big", "FailedScheduling")) == 1


async def test_pods_of_other_schedulers_and_bound_pods_are_left_alone(client: Client, scheduler: Scheduler) -> None:
    await add_node(client, node("n1"))
    await create_pod(client, pod("custom", schedulerName="my-scheduler"))
    await create_pod(client, pod("pinned", node_name="elsewhere"))
    await create_pod(client, pod("mine"))
    assert await eventually(lambda: bound_to(client, "mine")) == "n1"
    assert not (await get_pod(client, "custom"))["spec"].get("nodeName")
    assert (await get_pod(client, "pinned"))["spec"]["nodeName"] == "elsewhere"
    assert await events_of(client, "custom", "FailedScheduling") == []


async def test_a_not_ready_node_gets_no_pods(client: Client, scheduler: Scheduler) -> None:
    await add_node(client, node("down", ready="False"))
    await create_pod(client, pod("web"))
    assert await failed_message(client, "web") == (
        "0/1 nodes are available: 1 node(s) had untolerated taint(s). "
        "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling."
    )
    tolerant = pod(
        "agent", tolerations=[{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoSchedule"}]
    )
    await create_pod(client, tolerant)
    assert await eventually(lambda: bound_to(client, "agent")) == "down"


async def test_anti_affinity_spreads_replicas_over_hostnames(client: Client, scheduler: Scheduler) -> None:
    for name in ("a", "b"):
        await add_node(client, node(name))
    anti = {
        "podAntiAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": [
                {"labelSelector": {"matchLabels": {"app": "web"}}, "topologyKey": "kubernetes.io/hostname"}
            ]
        }
    }
    for i in range(3):
        await create_pod(client, pod(f"web-{i}", labels={"app": "web"}, affinity=anti))
    first = await eventually(lambda: bound_to(client, "web-0"))
    second = await eventually(lambda: bound_to(client, "web-1"))
    assert {first, second} == {"a", "b"}
    assert "2 node(s) didn't match pod anti-affinity rules" in await failed_message(client, "web-2")


async def test_the_higher_priority_pod_goes_first(client: Client) -> None:
    await client.create(
        "scheduling.k8s.io/v1",
        "priorityclasses",
        {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": "high"}, "value": 1000},
    )
    await add_node(client, node("one", cpu="1"))
    await create_pod(client, pod("low", cpu="1"))
    await create_pod(client, pod("high", cpu="1", priorityClassName="high"))
    async with trio.open_nursery() as nursery:
        await nursery.start(Scheduler(client).run)
        assert await eventually(lambda: bound_to(client, "high")) == "one"
        assert "1 Insufficient cpu" in await failed_message(client, "low")
        assert await bound_to(client, "low") == ""
        nursery.cancel_scope.cancel()


async def test_preemption_evicts_a_lower_priority_pod(
    client: Client, scheduler: Scheduler, autojump_clock: Any
) -> None:
    await add_node(client, node("only", cpu="2"))
    await create_pod(client, pod("batch", cpu="2", priority=10, terminationGracePeriodSeconds=0))
    assert await eventually(lambda: bound_to(client, "batch")) == "only"
    created = await create_pod(client, pod("urgent", cpu="1", priority=1000))
    assert await eventually(lambda: bound_to(client, "urgent"), timeout=30) == "only"
    with pytest.raises(errors.NotFound):
        await get_pod(client, "batch")
    preempted = await events_of(client, "batch", "Preempted")
    assert preempted[0]["message"] == f"Preempted by pod {created['metadata']['uid']} on node only"
    assert await failed_message(client, "urgent") == "0/1 nodes are available: 1 Insufficient cpu."


async def test_a_preemptor_waits_for_its_victims_on_its_nominated_node(
    client: Client, scheduler: Scheduler, autojump_clock: Any
) -> None:
    await add_node(client, node("only", cpu="2"))
    await create_pod(client, pod("batch", cpu="2", priority=10, terminationGracePeriodSeconds=30))
    assert await eventually(lambda: bound_to(client, "batch")) == "only"
    await create_pod(client, pod("urgent", cpu="2", priority=1000))

    async def nominated() -> str:
        return str((await get_pod(client, "urgent")).get("status", {}).get("nominatedNodeName") or "")

    assert await eventually(nominated) == "only"
    victim = await get_pod(client, "batch")
    assert victim["metadata"].get("deletionTimestamp")
    target = condition(victim, "DisruptionTarget")
    assert target is not None and target["reason"] == "PreemptionByScheduler"
    assert target["message"] == "default-scheduler: preempting to accommodate a higher priority pod"
    await trio.sleep(20)
    assert await bound_to(client, "urgent") == ""  # the victim still runs
    await client.delete("v1", "pods", "batch", namespace="default", grace_period_seconds=0)  # its kubelet is done
    assert await eventually(lambda: bound_to(client, "urgent"), timeout=30) == "only"


async def test_a_pod_that_may_not_preempt_says_why(client: Client, scheduler: Scheduler) -> None:
    await add_node(client, node("only", cpu="1"))
    await create_pod(client, pod("batch", cpu="1", priority=10))
    assert await eventually(lambda: bound_to(client, "batch")) == "only"
    await create_pod(client, pod("polite", cpu="1", priority=1000, preemptionPolicy="Never"))
    assert await failed_message(client, "polite") == (
        "0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never."
    )
    assert (await get_pod(client, "batch"))["spec"]["nodeName"] == "only"


async def test_a_new_scheduler_picks_up_where_a_cancelled_one_stopped(client: Client) -> None:
    await add_node(client, node("n1"))
    with trio.CancelScope() as scope:
        first = Scheduler(client)
        async with trio.open_nursery() as nursery:
            await nursery.start(first.run)
            await create_pod(client, pod("before"))
            assert await eventually(lambda: bound_to(client, "before")) == "n1"
            scope.cancel()
    assert scope.cancelled_caught
    await create_pod(client, pod("after"))
    await trio.sleep(0.2)
    assert await bound_to(client, "after") == ""
    second = Scheduler(client)
    async with trio.open_nursery() as nursery:
        await nursery.start(second.run)
        assert await eventually(lambda: bound_to(client, "after")) == "n1"
        nursery.cancel_scope.cancel()
