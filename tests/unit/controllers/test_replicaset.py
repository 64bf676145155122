"""The ReplicaSet and ReplicationController controllers: the pure parts (which pods go first, the
status, expectations, slow start) table-driven, then the controller over the in-process API with a
fake kubelet reporting readiness."""

from __future__ import annotations

import copy
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import trio
import trio.testing

from k3py.api.client import Client
from k3py.controllers import podcontrol as pc
from k3py.controllers import replicaset as rsc
from k3py.controllers.informer import Informer
from k3py.controllers.replicaset import REPLICATION_CONTROLLER, ReplicaSetController
from k3py.core import errors

from .workload_support import NAMESPACE, FakeKubelet, WallClock, events_about, eventually, pods, template

Obj = dict[str, Any]
NOW = datetime(2024, 6, 1, 12, 0, 0, tzinfo=UTC)
LABELS = {"app": "web"}
GENERATED = re.compile(r"^web-[bcdfghjklmnpqrstvwxz2456789]{5}$")


def ago(seconds: float) -> str:
    return pc.stamp(NOW - timedelta(seconds=seconds))


def pod(
    name: str,
    *,
    node: str = "",
    phase: str = "Pending",
    ready_since: float | None = None,
    cost: str | None = None,
    restarts: int = 0,
    age: float | None = 100,
    uid: str = "",
    labels: dict[str, str] | None = None,
    deleting: bool = False,
) -> Obj:
    metadata: Obj = {"name": name, "namespace": NAMESPACE, "uid": uid or f"uid-{name}", "labels": labels or LABELS}
    if age is not None:
        metadata["creationTimestamp"] = ago(age)
    if cost is not None:
        metadata["annotations"] = {pc.POD_DELETION_COST: cost}
    if deleting:
        metadata["deletionTimestamp"] = ago(1)
    status: Obj = {"phase": phase, "containerStatuses": [{"name": "app", "restartCount": restarts}]}
    if ready_since is not None:
        status["conditions"] = [{"type": "Ready", "status": "True", "lastTransitionTime": ago(ready_since)}]
    return {"metadata": metadata, "spec": {"nodeName": node}, "status": status}


# -- which pods go first -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second", "related"),
    [
        pytest.param(pod("a"), pod("b", node="n1"), [], id="unscheduled-before-scheduled"),
        pytest.param(pod("a", node="n1"), pod("b", node="n1", phase="Running"), [], id="pending-before-running"),
        pytest.param(
            pod("a", node="n1", phase="Unknown"), pod("b", node="n1", phase="Running"), [], id="unknown-before-running"
        ),
        pytest.param(
            pod("a", node="n1", phase="Running"),
            pod("b", node="n1", phase="Running", ready_since=50),
            [],
            id="not-ready-before-ready",
        ),
        pytest.param(
            pod("a", node="n1", phase="Running", ready_since=50, cost="-5"),
            pod("b", node="n1", phase="Running", ready_since=50, cost="10"),
            [],
            id="lower-deletion-cost-first",
        ),
        pytest.param(
            pod("a", node="busy", phase="Running", ready_since=50),
            pod("b", node="calm", phase="Running", ready_since=50),
            [pod(f"r{i}", node="busy", phase="Running") for i in range(3)] + [pod("r9", node="calm", phase="Running")],
            id="doubled-up-first",
        ),
        pytest.param(
            pod("a", node="n1", phase="Running", ready_since=10),
            pod("b", node="n1", phase="Running", ready_since=1000),
            [],
            id="ready-for-less-time-first",
        ),
        pytest.param(
            pod("a", node="n1", phase="Running", ready_since=40, uid="0001"),
            pod("b", node="n1", phase="Running", ready_since=50, uid="0002"),
            [],
            id="same-log2-ready-bucket-uid-order",
        ),
        pytest.param(
            pod("a", node="n1", phase="Running", restarts=4),
            pod("b", node="n1", phase="Running", restarts=1),
            [],
            id="more-restarts-first",
        ),
        pytest.param(pod("a", node="n1", age=10), pod("b", node="n1", age=1000), [], id="newer-first"),
        pytest.param(pod("a", node="n1", age=None), pod("b", node="n1", age=10), [], id="no-creation-time-first"),
        pytest.param(
            pod("a", node="n1", age=40, uid="0001"),
            pod("b", node="n1", age=50, uid="0002"),
            [],
            id="same-log2-age-bucket-uid-order",
        ),
        pytest.param(
            pod("a", cost="junk", age=10), pod("b", cost="0", age=20), [], id="unparsable-cost-counts-as-zero"
        ),
    ],
)
def test_deletion_order_prefers_the_least_useful_pod(first: Obj, second: Obj, related: list[Obj]) -> None:
    assert pc.deletion_order([second, first], related, NOW) == [first, second]
    assert pc.deletion_order([first, second], related, NOW) == [first, second]


def test_pods_to_delete_takes_the_first_in_order_or_all_without_sorting() -> None:
    ready = pod("ready", node="n1", phase="Running", ready_since=100)
    pending = pod("pending", node="n1")
    unscheduled = pod("unscheduled")
    assert pc.pods_to_delete([ready, pending, unscheduled], [], 2, NOW) == [unscheduled, pending]
    assert pc.pods_to_delete([ready, pending], [], 5, NOW) == [ready, pending]


@pytest.mark.parametrize(
    ("candidate", "min_ready", "expected"),
    [
        pytest.param(pod("p"), 0, None, id="not-ready"),
        pytest.param(pod("p", ready_since=5), 0, 0.0, id="ready-no-min"),
        pytest.param(pod("p", ready_since=5), 10, 5.0, id="ready-5s-of-10"),
        pytest.param(pod("p", ready_since=10), 10, pc.MIN_WAIT, id="exactly-at-the-edge-not-yet"),
        pytest.param(pod("p", ready_since=11), 10, 0.0, id="past-the-edge"),
    ],
)
def test_available_in(candidate: Obj, min_ready: int, expected: float | None) -> None:
    assert pc.available_in(candidate, min_ready, NOW) == expected


def test_pod_from_template_is_owned_and_named_after_its_owner() -> None:
    owner = {"metadata": {"name": "web", "namespace": NAMESPACE, "uid": "u1"}}
    tpl = template(LABELS)
    tpl["metadata"]["annotations"] = {"note": "x"}
    ref = pc.controller_ref(owner, "apps/v1", "ReplicaSet")
    made = pc.pod_from_template(tpl, owner, ref)
    assert made["metadata"] == {
        "generateName": "web-",
        "labels": LABELS,
        "annotations": {"note": "x"},
        "ownerReferences": [
            {
                "apiVersion": "apps/v1",
                "kind": "ReplicaSet",
                "name": "web",
                "uid": "u1",
                "controller": True,
                "blockOwnerDeletion": True,
            }
        ],
    }
    assert made["spec"] == tpl["spec"] and made["spec"] is not tpl["spec"]


# -- status ----------------------------------------------------------------------------------------


def replica_set(replicas: int = 3, *, min_ready: int = 0, status: Obj | None = None, generation: int = 2) -> Obj:
    return {
        "metadata": {"name": "web", "namespace": NAMESPACE, "uid": "rs-uid", "generation": generation},
        "spec": {
            "replicas": replicas,
            "minReadySeconds": min_ready,
            "selector": {"matchLabels": LABELS},
            "template": template({**LABELS, "tier": "front"}),
        },
        "status": status or {},
    }


FULL = {**LABELS, "tier": "front"}


@pytest.mark.parametrize(
    ("owner", "members", "failure", "expected"),
    [
        pytest.param(replica_set(), [], None, {"replicas": 0, "observedGeneration": 2}, id="empty"),
        pytest.param(
            replica_set(),
            [pod("a", labels=FULL), pod("b", ready_since=5, labels=FULL), pod("c", ready_since=5)],
            None,
            {
                "replicas": 3,
                "fullyLabeledReplicas": 2,
                "readyReplicas": 2,
                "availableReplicas": 2,
                "observedGeneration": 2,
            },
            id="counts",
        ),
        pytest.param(
            replica_set(min_ready=10),
            [pod("a", ready_since=5, labels=FULL), pod("b", ready_since=20, labels=FULL)],
            None,
            {
                "replicas": 2,
                "fullyLabeledReplicas": 2,
                "readyReplicas": 2,
                "availableReplicas": 1,
                "observedGeneration": 2,
            },
            id="min-ready-seconds",
        ),
        pytest.param(
            replica_set(),
            [],
            "quota exceeded",
            {
                "replicas": 0,
                "observedGeneration": 2,
                "conditions": [
                    {
                        "type": "ReplicaFailure",
                        "status": "True",
                        "lastTransitionTime": pc.stamp(NOW),
                        "reason": "FailedCreate",
                        "message": "quota exceeded",
                    }
                ],
            },
            id="failure-adds-condition",
        ),
        pytest.param(
            replica_set(status={"replicas": 0, "conditions": [{"type": "ReplicaFailure", "reason": "FailedCreate"}]}),
            [],
            None,
            {"replicas": 0, "observedGeneration": 2},
            id="success-removes-condition",
        ),
        pytest.param(
            replica_set(status={"conditions": [{"type": "ReplicaFailure", "message": "old"}]}),
            [],
            "new failure",
            {"replicas": 0, "observedGeneration": 2, "conditions": [{"type": "ReplicaFailure", "message": "old"}]},
            id="failure-keeps-first-condition",
        ),
    ],
)
def test_calculate_status(owner: Obj, members: list[Obj], failure: str | None, expected: Obj) -> None:
    assert rsc.calculate_status(owner, members, failure, "FailedCreate", NOW) == expected


def test_compact_status_treats_zeros_as_absent() -> None:
    assert rsc.compact_status({"replicas": 0, "readyReplicas": 0, "conditions": []}) == {"replicas": 0}
    assert rsc.compact_status(None) == {"replicas": 0}


def test_next_availability_check_is_the_first_pod_to_become_available() -> None:
    owner = replica_set(min_ready=30)
    members = [pod("a", ready_since=10), pod("b", ready_since=25), pod("c")]
    assert rsc.next_availability_check(owner, members, NOW) == pytest.approx(5 + rsc.AVAILABILITY_MARGIN)
    assert rsc.next_availability_check(replica_set(), members, NOW) is None


def test_replication_controller_selects_by_its_template_labels_when_it_has_no_selector() -> None:
    rc = {"spec": {"template": template({"app": "legacy"})}}
    selector = REPLICATION_CONTROLLER.selector(rc)
    assert selector is not None and selector.matches({"app": "legacy", "x": "y"})
    assert REPLICATION_CONTROLLER.selector({"spec": {}}) is None
    assert rsc.REPLICA_SET.selector({"spec": {"selector": {}}}) is None  # an empty selector selects nothing


# -- expectations and slow start ---------------------------------------------------------------------


def test_expectations_count_creations_and_each_deletion_once() -> None:
    now = [0.0]
    expectations = pc.Expectations(timeout=300, clock=lambda: now[0])
    assert expectations.satisfied("ns/web")
    expectations.expect_creations("ns/web", 2)
    expectations.creation_observed("ns/web")
    assert not expectations.satisfied("ns/web")
    expectations.creation_observed("ns/web")
    assert expectations.satisfied("ns/web")
    expectations.expect_deletions("ns/web", ["ns/a", "ns/b"])
    expectations.deletion_observed("ns/web", "ns/a")
    expectations.deletion_observed("ns/web", "ns/a")  # marked for deletion, then gone: once
    expectations.deletion_observed("ns/web", "ns/other")
    assert expectations.pending("ns/web") == (0, 1)
    now[0] = 301.0
    assert expectations.satisfied("ns/web")  # expired: a lost event must not stall the controller
    expectations.forget("ns/web")
    assert expectations.pending("ns/web") == (0, 0)


async def test_slow_start_doubles_batches_and_stops_after_a_failing_one() -> None:
    calls = 0

    async def call() -> None:
        nonlocal calls
        calls += 1
        if calls == 9:
            raise errors.Forbidden("quota")

    successes, failure = await pc.slow_start_batch(20, 1, call)
    # batches of 1, 2, 4, then 8 with the ninth call failing: 15 calls, 14 successes
    assert calls == 15
    assert successes == 14
    assert isinstance(failure, errors.Forbidden)


async def test_slow_start_without_failures_makes_every_call() -> None:
    sizes: list[int] = []
    inflight = 0

    async def call() -> None:
        nonlocal inflight
        inflight += 1
        sizes.append(inflight)
        await trio.sleep(0.01)
        inflight -= 1

    assert await pc.slow_start_batch(10, 1, call) == (10, None)
    assert max(sizes) == 4  # 1 + 2 + 4 + 3: never more than a batch at once


async def test_slow_start_is_cancellable() -> None:
    started = 0

    async def call() -> None:
        nonlocal started
        started += 1
        await trio.sleep_forever()

    with trio.move_on_after(0.05) as scope:
        await pc.slow_start_batch(5, 2, call)
    assert scope.cancelled_caught
    assert started == 2


# -- over the API -----------------------------------------------------------------------------------


def rs_object(name: str = "web", replicas: int = 3, labels: dict[str, str] | None = None, **spec: Any) -> Obj:
    labels = labels or LABELS
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {"name": name},
        "spec": {"replicas": replicas, "selector": {"matchLabels": labels}, "template": template(labels), **spec},
    }


@pytest.fixture
async def controller(client: Client) -> AsyncIterator[ReplicaSetController]:
    made = ReplicaSetController(client, now=WallClock())
    async with trio.open_nursery() as nursery:
        await nursery.start(made.run)
        yield made
        nursery.cancel_scope.cancel()


async def get_rs(client: Client, name: str = "web") -> Obj:
    return await client.get("apps/v1", "replicasets", name, namespace=NAMESPACE)


async def count_is(client: Client, n: int, selector: str = "app=web") -> bool:
    return len(await pods(client, selector)) == n


async def test_replicaset_creates_owned_pods_named_after_it(client: Client, controller: ReplicaSetController) -> None:
    owner = await client.create("apps/v1", "replicasets", rs_object(), namespace=NAMESPACE)
    await eventually(lambda: count_is(client, 3))

    async def status_written() -> bool:
        return ((await get_rs(client)).get("status") or {}).get("replicas") == 3

    await eventually(status_written)
    for member in await pods(client, "app=web"):
        assert GENERATED.match(pc.name_of(member))
        assert member["metadata"]["ownerReferences"] == [
            {
                "apiVersion": "apps/v1",
                "kind": "ReplicaSet",
                "name": "web",
                "uid": owner["metadata"]["uid"],
                "controller": True,
                "blockOwnerDeletion": True,
            }
        ]
    status = (await get_rs(client))["status"]
    assert status == {"replicas": 3, "fullyLabeledReplicas": 3, "observedGeneration": 1}

    async def creations_recorded() -> bool:  # each event follows its creation
        return [event["reason"] for event in await events_about(client, "web")].count("SuccessfulCreate") == 3

    await eventually(creations_recorded)


async def test_scale_down_deletes_not_ready_pods_first(client: Client, controller: ReplicaSetController) -> None:
    kubelet = FakeKubelet(client, controller.now)
    await client.create("apps/v1", "replicasets", rs_object(replicas=4), namespace=NAMESPACE)
    await eventually(lambda: count_is(client, 4))
    members = await pods(client, "app=web")
    keep = members[:2]
    for member in keep:
        await kubelet.ready(member)

    async def two_ready() -> bool:
        return ((await get_rs(client)).get("status") or {}).get("readyReplicas") == 2

    await eventually(two_ready)
    await client.patch(
        "apps/v1", "replicasets", "web", {"spec": {"replicas": 2}}, namespace=NAMESPACE, subresource="scale"
    )
    await eventually(lambda: count_is(client, 2))
    assert {pc.name_of(p) for p in await pods(client, "app=web")} == {pc.name_of(p) for p in keep}

    async def deletions_recorded() -> bool:  # each event follows its deletion
        return [event["reason"] for event in await events_about(client, "web")].count("SuccessfulDelete") == 2

    await eventually(deletions_recorded)


async def test_a_deleted_pod_is_replaced(client: Client, controller: ReplicaSetController) -> None:
    await client.create("apps/v1", "replicasets", rs_object(replicas=2), namespace=NAMESPACE)
    await eventually(lambda: count_is(client, 2))
    victim = (await pods(client, "app=web"))[0]
    await client.delete("v1", "pods", pc.name_of(victim), namespace=NAMESPACE)

    async def replaced() -> bool:
        names = {pc.name_of(p) for p in await pods(client, "app=web")}
        return len(names) == 2 and pc.name_of(victim) not in names

    await eventually(replaced)


async def test_a_terminating_pod_is_replaced_before_it_is_gone(
    client: Client, controller: ReplicaSetController
) -> None:
    """A pod on a live node is only marked for deletion: it no longer counts, so its replacement
    starts at once (and the mark counts once for the expectations, as does the later removal)."""
    kubelet = FakeKubelet(client, controller.now)
    await client.create("v1", "nodes", {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-1"}})
    await client.create("apps/v1", "replicasets", rs_object(replicas=1), namespace=NAMESPACE)
    await eventually(lambda: count_is(client, 1))
    victim = (await pods(client, "app=web"))[0]
    await kubelet.bind(victim, "node-1")
    await client.delete("v1", "pods", pc.name_of(victim), namespace=NAMESPACE)
    marked = await client.get("v1", "pods", pc.name_of(victim), namespace=NAMESPACE)
    assert pc.deleting(marked)

    async def replaced() -> bool:
        return [pc.name_of(p) for p in await pods(client, "app=web")] not in ([], [pc.name_of(victim)])

    await eventually(replaced)
    await client.delete("v1", "pods", pc.name_of(victim), namespace=NAMESPACE, grace_period_seconds=0)
    await trio.sleep(0.2)
    assert len(await pods(client, "app=web")) == 1


async def test_orphans_are_adopted_and_pods_that_stop_matching_are_released(
    client: Client, controller: ReplicaSetController
) -> None:
    orphan = {"apiVersion": "v1", "kind": "Pod", **template(LABELS)}
    orphan["metadata"] = {"name": "orphan", "labels": LABELS}
    await client.create("v1", "pods", orphan, namespace=NAMESPACE)
    owner = await client.create("apps/v1", "replicasets", rs_object(replicas=2), namespace=NAMESPACE)
    await eventually(lambda: count_is(client, 2))
    adopted = await client.get("v1", "pods", "orphan", namespace=NAMESPACE)
    assert pc.controller_of(adopted) == pc.controller_ref(owner, "apps/v1", "ReplicaSet")

    await client.patch("v1", "pods", "orphan", {"metadata": {"labels": {"app": "other"}}}, namespace=NAMESPACE)

    async def released_and_replaced() -> bool:
        released = await client.get("v1", "pods", "orphan", namespace=NAMESPACE)
        return not released["metadata"].get("ownerReferences") and await count_is(client, 2)

    await eventually(released_and_replaced)


async def test_pods_of_another_controller_are_left_alone(client: Client, controller: ReplicaSetController) -> None:
    foreign = {"apiVersion": "v1", "kind": "Pod", **template(LABELS)}
    other_owner = {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "name": "other",
        "uid": "other-uid",
        "controller": True,
    }
    foreign["metadata"] = {"name": "foreign", "labels": LABELS, "ownerReferences": [other_owner]}
    await client.create("v1", "pods", foreign, namespace=NAMESPACE)
    await client.create("apps/v1", "replicasets", rs_object(replicas=2), namespace=NAMESPACE)
    await eventually(lambda: count_is(client, 3))
    await trio.sleep(0.1)
    assert len(await pods(client, "app=web")) == 3
    kept = await client.get("v1", "pods", "foreign", namespace=NAMESPACE)
    assert kept["metadata"]["ownerReferences"] == [other_owner]


def test_owner_index_files_objects_under_their_controller_or_as_orphans() -> None:
    class Source:
        handler: Any = None

        def on_change(self, handler: Any) -> None:
            self.handler = handler

    source = Source()
    index = pc.OwnerIndex(source)  # type: ignore[arg-type]
    owned = pod("a")
    owned["metadata"]["ownerReferences"] = [{"uid": "rs-1", "controller": True}]
    orphan = pod("b")
    source.handler(None, owned)
    source.handler(None, orphan)
    assert (index.owned_by("rs-1"), index.orphans(NAMESPACE)) == ([owned], [orphan])
    adopted = copy.deepcopy(orphan)
    adopted["metadata"]["ownerReferences"] = [{"uid": "rs-1", "controller": True}]
    source.handler(orphan, adopted)
    assert (len(index.owned_by("rs-1")), index.orphans(NAMESPACE)) == (2, [])
    source.handler(owned, None)
    assert index.owned_by("rs-1") == [adopted]


def test_event_budget_allows_a_burst_then_one_per_interval() -> None:
    now = [0.0]
    budget = pc.EventBudget(burst=3, per_second=1 / 300, clock=lambda: now[0])
    subject = pod("a")
    assert [budget.allow(subject) for _ in range(4)] == [True, True, True, False]
    assert budget.allow(pod("b"))  # another object has its own budget
    now[0] = 299.0
    assert not budget.allow(subject)
    now[0] = 301.0
    assert budget.allow(subject)
    assert not budget.allow(subject)


async def test_a_slow_pod_informer_does_not_cause_double_creates(client: Client) -> None:
    """With the pod informer stopped (so its cache shows none of the new pods), a second pass
    creates nothing: it waits for the creations it expects."""
    pods_informer = Informer(client, "v1", "pods")
    owners = Informer(client, "apps/v1", "replicasets")
    made = ReplicaSetController(client, pods=pods_informer, owners=owners)
    await client.create("apps/v1", "replicasets", rs_object(replicas=3), namespace=NAMESPACE)
    async with trio.open_nursery() as informers:
        await informers.start(pods_informer.run)
        await informers.start(owners.run)
        informers.cancel_scope.cancel()
    assert owners.get("default/web") is not None
    await made.reconcile("default/web")
    assert made.expectations.pending("default/web") == (3, 0)
    await made.reconcile("default/web")
    await made.reconcile("default/web")
    assert len(await pods(client, "app=web")) == 3
    async with trio.open_nursery() as informers:
        informers.start_soon(pods_informer.run)  # watches on from where it stopped

        async def all_seen() -> bool:
            return made.expectations.satisfied("default/web")

        await eventually(all_seen)
        await made.reconcile("default/web")
        informers.cancel_scope.cancel()
    assert len(await pods(client, "app=web")) == 3


async def test_create_failures_show_in_a_replica_failure_condition(
    client: Client, controller: ReplicaSetController
) -> None:
    """A pod template the ReplicaSet passes validation with but pods do not (an image with
    surrounding whitespace is refused for pods only, as in Kubernetes)."""
    broken = rs_object(replicas=2)
    broken["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.25 "
    await client.create("apps/v1", "replicasets", broken, namespace=NAMESPACE)

    async def failing() -> bool:
        cond = pc.condition(await get_rs(client), "ReplicaFailure")
        return cond is not None and cond["reason"] == "FailedCreate" and cond["status"] == "True"

    await eventually(failing)
    assert await pods(client, "app=web") == []

    async def failure_recorded() -> bool:
        return "FailedCreate" in [event["reason"] for event in await events_about(client, "web")]

    await eventually(failure_recorded)
    fixed = await get_rs(client)
    fixed["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.25"
    await client.update("apps/v1", "replicasets", fixed, namespace=NAMESPACE)

    async def recovered() -> bool:
        return pc.condition(await get_rs(client), "ReplicaFailure") is None and await count_is(client, 2)

    await eventually(recovered)


async def test_available_replicas_wait_for_min_ready_seconds(
    client: Client, autojump_clock: trio.testing.MockClock
) -> None:
    clock = WallClock()
    made = ReplicaSetController(client, now=clock)
    kubelet = FakeKubelet(client, clock)
    async with trio.open_nursery() as nursery:
        await nursery.start(made.run)
        await client.create("apps/v1", "replicasets", rs_object(replicas=2, minReadySeconds=30), namespace=NAMESPACE)
        await eventually(lambda: count_is(client, 2))
        await kubelet.ready_all(await pods(client, "app=web"))
        ready_at = trio.current_time()

        async def status_is(ready: int, available: int) -> bool:
            status = (await get_rs(client)).get("status") or {}
            return status.get("readyReplicas", 0) == ready and status.get("availableReplicas", 0) == available

        await eventually(lambda: status_is(2, 0))
        # polled each virtual second: autojump waits for real idleness before each jump
        await eventually(lambda: status_is(2, 2), timeout=60, interval=1.0)
        assert trio.current_time() - ready_at >= 30
        nursery.cancel_scope.cancel()


async def test_replication_controller_keeps_its_pods(client: Client) -> None:
    made = ReplicaSetController(client, workload=REPLICATION_CONTROLLER)
    rc = {
        "apiVersion": "v1",
        "kind": "ReplicationController",
        "metadata": {"name": "web"},
        "spec": {"replicas": 2, "template": template(LABELS)},
    }
    async with trio.open_nursery() as nursery:
        await nursery.start(made.run)
        owner = await client.create("v1", "replicationcontrollers", rc, namespace=NAMESPACE)
        await eventually(lambda: count_is(client, 2))

        async def status_written() -> bool:
            found = await client.get("v1", "replicationcontrollers", "web", namespace=NAMESPACE)
            return (found.get("status") or {}).get("replicas") == 2

        await eventually(status_written)
        for member in await pods(client, "app=web"):
            assert pc.controller_of(member) == pc.controller_ref(owner, "v1", "ReplicationController")
        nursery.cancel_scope.cancel()


async def test_cancelling_the_controller_stops_it_and_its_informers(client: Client) -> None:
    made = ReplicaSetController(client)
    with trio.fail_after(5):
        async with trio.open_nursery() as nursery:
            await nursery.start(made.run)
            nursery.cancel_scope.cancel()
    await client.create("apps/v1", "replicasets", rs_object(replicas=1), namespace=NAMESPACE)
    await trio.sleep(0.2)
    assert await pods(client, "app=web") == []  # nothing left running to act on it
