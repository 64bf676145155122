"""Node lifecycle: the pure decisions (conditions, taints, tolerations, zones), then silent nodes
over the in-process API on virtual time, with test tasks playing the kubelets (leases, status)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import trio
import trio.testing

from k3py.api.client import Client
from k3py.controllers import nodelifecycle as nl
from k3py.controllers.nodelifecycle import NodeLifecycleController
from k3py.core import errors

Obj = dict[str, Any]
NOW = "2024-01-01T00:10:00Z"
UNREACHABLE_NE = {"key": nl.TAINT_UNREACHABLE, "effect": "NoExecute"}
NOT_READY_NE = {"key": nl.TAINT_NOT_READY, "effect": "NoExecute"}


def node(
    ready: str | None = "True", *, taints: list[Obj] | None = None, unschedulable: bool = False, **conds: str
) -> Obj:
    conditions = [{"type": kind, "status": status} for kind, status in conds.items()]
    if ready is not None:
        conditions.insert(0, {"type": "Ready", "status": ready, "lastHeartbeatTime": "2024-01-01T00:00:00Z"})
    spec: Obj = {}
    if taints is not None:
        spec["taints"] = taints
    if unschedulable:
        spec["unschedulable"] = True
    return {
        "metadata": {"name": "n", "creationTimestamp": "2023-12-31T00:00:00Z"},
        "spec": spec,
        "status": {"conditions": conditions},
    }


# -- conditions ------------------------------------------------------------------------------------


def test_plan_unknown_marks_every_condition_and_keeps_the_heartbeat() -> None:
    conditions = nl.plan_unknown(node("True", MemoryPressure="False"), NOW)
    assert conditions is not None
    ready = conditions[0]
    assert ready == {
        "type": "Ready",
        "status": "Unknown",
        "reason": "NodeStatusUnknown",
        "message": "Kubelet stopped posting node status.",
        "lastHeartbeatTime": "2024-01-01T00:00:00Z",
        "lastTransitionTime": NOW,
    }
    assert {c["type"]: c["status"] for c in conditions} == {
        "Ready": "Unknown",
        "MemoryPressure": "Unknown",
        "DiskPressure": "Unknown",
        "PIDPressure": "Unknown",
    }


def test_plan_unknown_for_a_node_that_never_posted() -> None:
    conditions = nl.plan_unknown(node(None), NOW)
    assert conditions is not None
    assert conditions[0]["reason"] == "NodeStatusNeverUpdated"
    assert conditions[0]["message"] == "Kubelet never posted node status."
    assert conditions[0]["lastHeartbeatTime"] == "2023-12-31T00:00:00Z"


def test_plan_unknown_twice_changes_nothing() -> None:
    marked = node("True")
    conditions = nl.plan_unknown(marked, NOW)
    assert conditions is not None
    marked["status"]["conditions"] = conditions
    assert nl.plan_unknown(marked, NOW) is None


# -- taints ----------------------------------------------------------------------------------------


def keys(taints: list[Obj] | None) -> list[tuple[str, str]] | None:
    return None if taints is None else [(t["key"], t["effect"]) for t in taints]


UNREACHABLE = nl.TAINT_UNREACHABLE
NOT_READY = nl.TAINT_NOT_READY
USER = {"key": "dedicated", "value": "db", "effect": "NoSchedule"}


@pytest.mark.parametrize(
    ("n", "add", "disrupted", "expected"),
    [
        pytest.param(node("True"), True, False, None, id="healthy"),
        pytest.param(
            node("Unknown"),
            True,
            False,
            [(UNREACHABLE, "NoSchedule"), (UNREACHABLE, "NoExecute")],
            id="unreachable",
        ),
        pytest.param(node("False"), True, False, [(NOT_READY, "NoSchedule"), (NOT_READY, "NoExecute")], id="not-ready"),
        pytest.param(node("False"), False, False, [(NOT_READY, "NoSchedule")], id="no-execute-waits-for-the-zone"),
        pytest.param(
            node("Unknown", taints=[{**NOT_READY_NE, "timeAdded": NOW}]),
            False,
            False,
            [(UNREACHABLE, "NoSchedule"), (UNREACHABLE, "NoExecute")],
            id="swapped-at-once",
        ),
        pytest.param(
            node("True", taints=[USER, {"key": UNREACHABLE, "effect": "NoSchedule"}, UNREACHABLE_NE]),
            False,
            False,
            [("dedicated", "NoSchedule")],
            id="back-to-ready-keeps-others-taints",
        ),
        pytest.param(
            node("Unknown", taints=[UNREACHABLE_NE]),
            True,
            True,
            [(UNREACHABLE, "NoSchedule")],
            id="everything-disrupted-no-eviction",
        ),
        pytest.param(node(None, taints=[UNREACHABLE_NE]), True, False, None, id="no-ready-condition-no-decision"),
        pytest.param(
            node("True", unschedulable=True, MemoryPressure="True", DiskPressure="False"),
            True,
            False,
            [("node.kubernetes.io/memory-pressure", "NoSchedule"), (nl.TAINT_UNSCHEDULABLE, "NoSchedule")],
            id="pressure-and-cordon",
        ),
    ],
)
def test_plan_taints(n: Obj, add: bool, disrupted: bool, expected: list[tuple[str, str]] | None) -> None:
    assert keys(nl.plan_taints(n, now=NOW, add_no_execute=add, all_disrupted=disrupted)) == expected


def test_no_execute_taints_record_when_they_were_added_and_keep_it() -> None:
    taints = nl.plan_taints(node("Unknown"), now=NOW, add_no_execute=True)
    assert taints is not None
    assert [t.get("timeAdded") for t in taints] == [None, NOW]
    tainted = node("Unknown", taints=taints)
    assert nl.plan_taints(tainted, now="2024-01-02T00:00:00Z", add_no_execute=True) is None


# -- tolerations -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("toleration", "taint", "tolerated"),
    [
        pytest.param({"operator": "Exists"}, UNREACHABLE_NE, True, id="wildcard"),
        pytest.param({"key": UNREACHABLE, "operator": "Exists"}, UNREACHABLE_NE, True, id="key-any-effect"),
        pytest.param(
            {"key": UNREACHABLE, "operator": "Exists", "effect": "NoSchedule"}, UNREACHABLE_NE, False, id="effect"
        ),
        pytest.param({"key": NOT_READY, "operator": "Exists"}, UNREACHABLE_NE, False, id="other-key"),
        pytest.param({"key": "dedicated", "value": "db"}, USER, True, id="equal-default-operator"),
        pytest.param({"key": "dedicated", "operator": "Equal", "value": "web"}, USER, False, id="value"),
    ],
)
def test_tolerates(toleration: Obj, taint: Obj, tolerated: bool) -> None:
    assert nl.tolerates(toleration, taint) is tolerated


def pod_with(*tolerations: Obj, node_name: str = "node-1") -> Obj:
    return {"metadata": {"name": "p"}, "spec": {"nodeName": node_name, "tolerations": list(tolerations)}}


@pytest.mark.parametrize(
    ("pod", "taints", "delay"),
    [
        pytest.param(pod_with(), [], None, id="no-taints"),
        pytest.param(pod_with(), [{"key": UNREACHABLE, "effect": "NoSchedule"}], None, id="no-schedule-only"),
        pytest.param(pod_with(), [UNREACHABLE_NE], 600.0, id="edge-default"),
        pytest.param(pod_with(), [NOT_READY_NE], 600.0, id="edge-default-not-ready"),
        pytest.param(
            pod_with({"key": UNREACHABLE, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 30}),
            [UNREACHABLE_NE],
            30.0,
            id="own-toleration",
        ),
        pytest.param(
            pod_with({"key": UNREACHABLE, "operator": "Exists", "effect": "NoExecute"}),
            [UNREACHABLE_NE],
            None,
            id="tolerates-forever",
        ),
        pytest.param(pod_with({"operator": "Exists"}), [UNREACHABLE_NE], None, id="tolerates-everything"),
        pytest.param(pod_with(), [{"key": "maintenance", "effect": "NoExecute"}], 0.0, id="untolerated-taint"),
        pytest.param(
            pod_with({"key": UNREACHABLE, "operator": "Exists", "tolerationSeconds": 900}),
            [UNREACHABLE_NE, {"key": "drain", "effect": "NoExecute"}],
            0.0,
            id="one-untolerated-of-two",
        ),
        pytest.param(
            pod_with({"operator": "Exists", "tolerationSeconds": -5}), [UNREACHABLE_NE], 0.0, id="negative-seconds"
        ),
        pytest.param(
            pod_with({"key": NOT_READY, "operator": "Exists", "tolerationSeconds": 60}),
            [NOT_READY_NE, {"key": "x", "effect": "NoExecute", "value": "y"}, UNREACHABLE_NE],
            0.0,
            id="mixed",
        ),
        pytest.param(
            pod_with({"key": "x", "operator": "Exists", "tolerationSeconds": 60}),
            [{"key": "x", "effect": "NoExecute"}, UNREACHABLE_NE],
            60.0,
            id="shortest-wins",
        ),
    ],
)
def test_eviction_delay(pod: Obj, taints: list[Obj], delay: float | None) -> None:
    assert nl.eviction_delay(pod, taints, 600.0) == delay


def test_the_default_toleration_is_a_day() -> None:
    assert nl.DEFAULT_TOLERATION_SECONDS == 86400
    ctl = NodeLifecycleController.__dataclass_fields__["default_toleration_seconds"]
    assert ctl.default == 86400


# -- zones -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("statuses", "state"),
    [
        pytest.param(["True"], nl.ZONE_NORMAL, id="healthy"),
        pytest.param(["Unknown"], nl.ZONE_FULL, id="single-node-down"),
        pytest.param(["True", "Unknown"], nl.ZONE_NORMAL, id="half-of-two"),
        pytest.param(["True", "Unknown", "Unknown"], nl.ZONE_NORMAL, id="two-down-is-not-partial"),
        pytest.param(["True", "Unknown", "False", None], nl.ZONE_PARTIAL, id="three-of-four"),
        pytest.param(["True"] * 3 + ["Unknown"] * 3, nl.ZONE_NORMAL, id="half-below-threshold"),
        pytest.param([None, "False"], nl.ZONE_FULL, id="none-ready"),
    ],
)
def test_zone_state(statuses: list[str | None], state: str) -> None:
    assert nl.zone_state(statuses) == state


def test_zones_are_judged_separately() -> None:
    def zoned(zone: str, ready: str) -> Obj:
        n = node(ready)
        n["metadata"]["labels"] = {"topology.kubernetes.io/zone": zone}
        return n

    states = nl.zone_states([zoned("a", "Unknown"), zoned("b", "True")])
    assert sorted(states.values()) == [nl.ZONE_FULL, nl.ZONE_NORMAL]


# -- over the API, on virtual time -----------------------------------------------------------------

EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
MICRO = "%Y-%m-%dT%H:%M:%S.%fZ"


def virtual_now() -> datetime:
    return EPOCH + timedelta(seconds=trio.current_time())


def stamp() -> str:
    return virtual_now().strftime("%Y-%m-%dT%H:%M:%SZ")


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float) -> None:
    """Poll every virtual second until ``check`` holds (autojump makes the waits free)."""
    with trio.fail_after(timeout):
        while not await check():
            await trio.sleep(1)


class Kubelet:
    """Plays a node's kubelet through the API: registers the node, posts Ready, renews its lease."""

    def __init__(self, client: Client, name: str) -> None:
        self.client = client
        self.name = name

    async def register(self) -> None:
        await self.client.create("v1", "nodes", {"apiVersion": "v1", "kind": "Node", "metadata": {"name": self.name}})
        await self.post_ready("True")
        lease = {
            "apiVersion": "coordination.k8s.io/v1",
            "kind": "Lease",
            "metadata": {"name": self.name},
            "spec": {
                "holderIdentity": self.name,
                "leaseDurationSeconds": 40,
                "renewTime": virtual_now().strftime(MICRO),
            },
        }
        await self.client.create("coordination.k8s.io/v1", "leases", lease, namespace=nl.LEASE_NAMESPACE)

    async def post_ready(self, status: str) -> None:
        node = await self.client.get("v1", "nodes", self.name)
        node["status"] = {
            "conditions": [
                {"type": "Ready", "status": status, "lastHeartbeatTime": stamp(), "lastTransitionTime": stamp()}
            ]
        }
        await self.client.update("v1", "nodes", node, subresource="status")

    async def renew(self) -> None:
        patch = {"spec": {"renewTime": virtual_now().strftime(MICRO)}}
        await self.client.patch("coordination.k8s.io/v1", "leases", self.name, patch, namespace=nl.LEASE_NAMESPACE)

    async def heartbeat(self, every: float = 20) -> None:
        while True:
            await trio.sleep(every)
            await self.renew()

    async def run_pod(self, name: str, *tolerations: Obj) -> None:
        body = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": name},
            "spec": {
                "nodeName": self.name,
                "containers": [{"name": "c", "image": "i"}],
                "tolerations": list(tolerations),
            },
        }
        await self.client.create("v1", "pods", body, namespace="default")
        status = {
            "phase": "Running",
            "podIP": "10.42.0.2",
            "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": stamp()}],
        }
        await self.client.patch("v1", "pods", name, {"status": status}, namespace="default", subresource="status")


async def get_node(client: Client, name: str) -> Obj:
    return await client.get("v1", "nodes", name)


def ready_of(obj: Obj) -> Obj:
    return next(c for c in obj["status"]["conditions"] if c["type"] == "Ready")


async def deleting(client: Client, name: str) -> bool:
    try:
        pod = await client.get("v1", "pods", name, namespace="default")
    except errors.NotFound:
        return True
    return bool(pod["metadata"].get("deletionTimestamp"))


def toleration(seconds: int | None) -> Obj:
    tol: Obj = {"key": nl.TAINT_UNREACHABLE, "operator": "Exists", "effect": "NoExecute"}
    if seconds is not None:
        tol["tolerationSeconds"] = seconds
    return tol


@pytest.fixture
async def kubelets(client: Client) -> AsyncIterator[tuple[Kubelet, Kubelet]]:
    """node-1 (silent unless a test renews it) and node-2 (heartbeating every 20 s). Tests using it
    ask for ``autojump_clock`` themselves: pytest-trio only takes a clock from the test's own arguments."""
    silent, alive = Kubelet(client, "node-1"), Kubelet(client, "node-2")
    await silent.register()
    await alive.register()
    async with trio.open_nursery() as nursery:
        nursery.start_soon(alive.heartbeat)
        yield silent, alive
        nursery.cancel_scope.cancel()


async def start(nursery: trio.Nursery, client: Client, **settings: Any) -> NodeLifecycleController:
    ctl = NodeLifecycleController(client, now=virtual_now, **settings)
    await nursery.start(ctl.run)
    return ctl


async def test_a_silent_node_becomes_unknown_and_tainted_and_its_pods_are_evicted_late(
    client: Client, kubelets: tuple[Kubelet, Kubelet], autojump_clock: trio.testing.MockClock
) -> None:
    silent, alive = kubelets
    await silent.run_pod("quick", toleration(30))
    await silent.run_pod("default")
    await silent.run_pod("forever", toleration(None))
    await alive.run_pod("elsewhere")
    async with trio.open_nursery() as nursery:
        began = trio.current_time()
        await start(nursery, client, default_toleration_seconds=600)
        await trio.sleep(35)
        assert ready_of(await get_node(client, "node-1"))["status"] == "True"  # within the grace period

        async def unknown() -> bool:
            return ready_of(await get_node(client, "node-1"))["status"] == "Unknown"

        await eventually(unknown, timeout=30)
        assert 40 < trio.current_time() - began <= 40 + nl.NODE_MONITOR_PERIOD + 1
        ready = ready_of(await get_node(client, "node-1"))
        assert ready["reason"] == "NodeStatusUnknown"
        assert ready["message"] == "Kubelet stopped posting node status."

        async def tainted() -> bool:
            taints = (await get_node(client, "node-1")).get("spec", {}).get("taints") or []
            return {(t["key"], t["effect"]) for t in taints} == {
                (nl.TAINT_UNREACHABLE, "NoSchedule"),
                (nl.TAINT_UNREACHABLE, "NoExecute"),
            }

        await eventually(tainted, timeout=10)
        tainted_at = trio.current_time()
        assert ready_of(await get_node(client, "node-2"))["status"] == "True"
        assert not (await get_node(client, "node-2")).get("spec", {}).get("taints")

        async def pods_not_ready() -> bool:
            for name in ("quick", "default", "forever"):
                pod = await client.get("v1", "pods", name, namespace="default")
                if ready_of(pod)["status"] != "False":
                    return False
            return True

        await eventually(pods_not_ready, timeout=10)
        elsewhere = await client.get("v1", "pods", "elsewhere", namespace="default")
        assert ready_of(elsewhere)["status"] == "True"

        await eventually(lambda: deleting(client, "quick"), timeout=40)
        assert 29 <= trio.current_time() - tainted_at <= 31
        quick = await client.get("v1", "pods", "quick", namespace="default")
        reasons = {c["type"]: c.get("reason") for c in quick["status"]["conditions"]}
        assert reasons["DisruptionTarget"] == "DeletionByTaintManager"
        assert not await deleting(client, "default")

        await trio.sleep(600 - (trio.current_time() - tainted_at) - 5)  # few polls: each costs real time
        assert not await deleting(client, "default")
        await eventually(lambda: deleting(client, "default"), timeout=15)
        assert 599 <= trio.current_time() - tainted_at <= 601
        assert not await deleting(client, "forever")
        assert not await deleting(client, "elsewhere")
        nursery.cancel_scope.cancel()


async def test_a_node_offline_for_an_hour_keeps_its_pods_under_the_edge_default(
    client: Client, kubelets: tuple[Kubelet, Kubelet], autojump_clock: trio.testing.MockClock
) -> None:
    silent, _ = kubelets
    await silent.run_pod("default")
    async with trio.open_nursery() as nursery:
        # the default toleration (a day); a slower monitor only to spare real time under autojump
        await start(nursery, client, monitor_period=20)

        async def no_execute() -> bool:
            taints = (await get_node(client, "node-1")).get("spec", {}).get("taints") or []
            return any(t["effect"] == "NoExecute" for t in taints)

        await eventually(no_execute, timeout=120)
        await trio.sleep(3600)
        assert not await deleting(client, "default")
        await silent.renew()
        await silent.post_ready("True")
        nursery.start_soon(silent.heartbeat)

        async def untainted() -> bool:
            return not (await get_node(client, "node-1")).get("spec", {}).get("taints")

        await eventually(untainted, timeout=10)
        assert not await deleting(client, "default")
        nursery.cancel_scope.cancel()


async def test_a_pending_eviction_is_forgotten_when_the_node_returns(
    client: Client, kubelets: tuple[Kubelet, Kubelet], autojump_clock: trio.testing.MockClock
) -> None:
    silent, _ = kubelets
    await silent.run_pod("default")
    async with trio.open_nursery() as nursery:
        await start(nursery, client, default_toleration_seconds=600, monitor_period=10)

        async def no_execute() -> bool:
            taints = (await get_node(client, "node-1")).get("spec", {}).get("taints") or []
            return any(t["effect"] == "NoExecute" for t in taints)

        await eventually(no_execute, timeout=80)
        await trio.sleep(400)  # two thirds of the toleration
        await silent.renew()
        await silent.post_ready("True")
        nursery.start_soon(silent.heartbeat)

        async def untainted() -> bool:
            return not (await get_node(client, "node-1")).get("spec", {}).get("taints")

        await eventually(untainted, timeout=10)
        await trio.sleep(900)  # well past when the eviction was due
        assert not await deleting(client, "default")
        assert ready_of(await get_node(client, "node-1"))["status"] == "True"
        nursery.cancel_scope.cancel()


async def test_a_node_reporting_not_ready_is_tainted_not_ready(
    client: Client, kubelets: tuple[Kubelet, Kubelet], autojump_clock: trio.testing.MockClock
) -> None:
    silent, _ = kubelets
    async with trio.open_nursery() as nursery:
        nursery.start_soon(silent.heartbeat)
        await start(nursery, client)
        await silent.post_ready("False")

        async def tainted() -> bool:
            taints = (await get_node(client, "node-1")).get("spec", {}).get("taints") or []
            return {(t["key"], t["effect"]) for t in taints} == {
                (nl.TAINT_NOT_READY, "NoSchedule"),
                (nl.TAINT_NOT_READY, "NoExecute"),
            }

        await eventually(tainted, timeout=nl.NODE_MONITOR_PERIOD + 2)
        assert ready_of(await get_node(client, "node-1"))["status"] == "False"  # the kubelet's word stands
        nursery.cancel_scope.cancel()


async def test_a_pod_not_tolerating_a_no_execute_taint_goes_at_once(
    client: Client, kubelets: tuple[Kubelet, Kubelet], autojump_clock: trio.testing.MockClock
) -> None:
    _, alive = kubelets
    await alive.run_pod("plain")
    await alive.run_pod("tolerant", {"key": "maintenance", "operator": "Exists", "effect": "NoExecute"})
    async with trio.open_nursery() as nursery:
        await start(nursery, client)
        await client.patch(
            "v1", "nodes", "node-2", {"spec": {"taints": [{"key": "maintenance", "effect": "NoExecute"}]}}
        )
        await eventually(lambda: deleting(client, "plain"), timeout=2)
        assert not await deleting(client, "tolerant")
        nursery.cancel_scope.cancel()


async def test_when_every_node_is_silent_nothing_is_evicted(
    client: Client, autojump_clock: trio.testing.MockClock
) -> None:
    only = Kubelet(client, "only")
    await only.register()
    await only.run_pod("quick", toleration(30))
    async with trio.open_nursery() as nursery:
        await start(nursery, client)

        async def unknown() -> bool:
            return ready_of(await get_node(client, "only"))["status"] == "Unknown"

        await eventually(unknown, timeout=60)
        await trio.sleep(120)
        taints = (await get_node(client, "only")).get("spec", {}).get("taints") or []
        assert [(t["key"], t["effect"]) for t in taints] == [(nl.TAINT_UNREACHABLE, "NoSchedule")]
        assert not await deleting(client, "quick")
        nursery.cancel_scope.cancel()


async def test_the_grace_period_is_configurable(
    client: Client, kubelets: tuple[Kubelet, Kubelet], autojump_clock: trio.testing.MockClock
) -> None:
    async with trio.open_nursery() as nursery:
        began = trio.current_time()
        await start(nursery, client, grace_period=300)
        await trio.sleep(295)
        assert ready_of(await get_node(client, "node-1"))["status"] == "True"

        async def unknown() -> bool:
            return ready_of(await get_node(client, "node-1"))["status"] == "Unknown"

        await eventually(unknown, timeout=400)
        assert 300 < trio.current_time() - began <= 300 + nl.NODE_MONITOR_PERIOD + 1
        nursery.cancel_scope.cancel()


async def test_cancelling_the_controller_stops_it(
    client: Client, kubelets: tuple[Kubelet, Kubelet], autojump_clock: trio.testing.MockClock
) -> None:
    silent, _ = kubelets
    await silent.run_pod("quick", toleration(0))
    with trio.CancelScope() as scope:
        async with trio.open_nursery() as nursery:
            await start(nursery, client)
            scope.cancel()
    assert scope.cancelled_caught
    await trio.sleep(600)
    assert ready_of(await get_node(client, "node-1"))["status"] == "True"
    assert not await deleting(client, "quick")
