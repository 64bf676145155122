"""Node lifecycle: nodes whose kubelet went silent are marked, tainted, and their pods evicted late.

A node's ``Ready`` condition is its kubelet's. What this controller adds, as kube-controller-
manager's node lifecycle and taint eviction controllers do:

- **Health.** A kubelet shows it is alive by renewing its Lease (``kube-node-lease/<node>``) or by
  posting a new Ready heartbeat. When neither happened for ``grace_period`` (40 s; 60 s for a
  node that never posted status) the node's conditions become Unknown ("Kubelet stopped posting
  node status.") and the Ready condition of its pods False.
- **Taints.** Ready False gives ``node.kubernetes.io/not-ready``, Ready Unknown
  ``node.kubernetes.io/unreachable``, both NoSchedule and NoExecute; the pressure conditions and
  ``spec.unschedulable`` give their NoSchedule taints. They go when the condition does.
- **Eviction.** A pod on a node with NoExecute taints is deleted once the shortest
  ``tolerationSeconds`` of its tolerations for them has passed (at once for a taint it does not
  tolerate, never when it tolerates them all without a limit).

**Edge default.** Kubernetes' DefaultTolerationSeconds admission gives every pod 300 s
tolerations for not-ready and unreachable. Here a device being offline is normal, so a pod
without its own toleration for those two taints is treated as tolerating them for
``default_toleration_seconds`` (24 hours by default): its workload is not moved away when a
board loses its network for a while.

Disruption, as Kubernetes judges it per zone (``topology.kubernetes.io/region`` and ``zone``):
when every node of every zone is not ready (this server lost its network, or the only node is
down) no NoExecute taint is added and those there are removed; in a zone where more than two
nodes and at least 55 % are not ready, no new NoExecute taint is added. Unlike Kubernetes there
is no eviction rate limit otherwise.

Theory of operation: durations are measured on trio's clock from when this controller saw each
sign of life (never from timestamps in objects, so clock skew between devices does not matter),
and restart from zero when it starts leading, as in Kubernetes. A monitor pass every
``monitor_period`` marks silent nodes, then adds NoExecute taints knowing every zone's state;
node events remove taints and set NoSchedule ones at once; each pod to evict waits in a delayed
work queue.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import logging
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import trio

from k3py.api.client import STRATEGIC_MERGE_PATCH
from k3py.controllers.events import NORMAL, EventRecorder
from k3py.controllers.informer import Informer, key_of
from k3py.controllers.workqueue import WorkQueue, run_worker
from k3py.core import errors

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from k3py.api.client import Client

logger = logging.getLogger(__name__)

Obj = dict[str, Any]

# kube-controller-manager's --node-monitor-grace-period (40 s up to 1.31), --node-startup-grace-period
# and --node-monitor-period.
NODE_MONITOR_GRACE_PERIOD = 40.0
NODE_STARTUP_GRACE_PERIOD = 60.0
NODE_MONITOR_PERIOD = 5.0
# The edge default for pods without their own not-ready/unreachable toleration (Kubernetes: 300).
DEFAULT_TOLERATION_SECONDS = 86400.0
# --unhealthy-zone-threshold: the share of not-ready nodes from which a zone is partially disrupted.
UNHEALTHY_ZONE_THRESHOLD = 0.55
LEASE_NAMESPACE = "kube-node-lease"
WORKERS = 2

TAINT_NOT_READY = "node.kubernetes.io/not-ready"
TAINT_UNREACHABLE = "node.kubernetes.io/unreachable"
TAINT_UNSCHEDULABLE = "node.kubernetes.io/unschedulable"
NO_SCHEDULE, NO_EXECUTE = "NoSchedule", "NoExecute"
#: (condition, status) -> the NoSchedule taint it means (nodeConditionToTaintKeyStatusMap)
CONDITION_TAINTS = {
    ("Ready", "False"): TAINT_NOT_READY,
    ("Ready", "Unknown"): TAINT_UNREACHABLE,
    ("MemoryPressure", "True"): "node.kubernetes.io/memory-pressure",
    ("DiskPressure", "True"): "node.kubernetes.io/disk-pressure",
    ("NetworkUnavailable", "True"): "node.kubernetes.io/network-unavailable",
    ("PIDPressure", "True"): "node.kubernetes.io/pid-pressure",
}
NO_SCHEDULE_KEYS = frozenset([*CONDITION_TAINTS.values(), TAINT_UNSCHEDULABLE])
NO_EXECUTE_KEYS = frozenset([TAINT_NOT_READY, TAINT_UNREACHABLE])
# The conditions besides Ready that become Unknown with it (remainingNodeConditionTypes).
OTHER_CONDITIONS = ("MemoryPressure", "DiskPressure", "PIDPressure")
STOPPED_POSTING = "Kubelet stopped posting node status."
NEVER_POSTED = "Kubelet never posted node status."

ZONE_NORMAL, ZONE_PARTIAL, ZONE_FULL = "Normal", "PartialDisruption", "FullDisruption"


def _now() -> datetime:
    return datetime.now(UTC)


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- planning --------------------------------------------------------------------------------------


def node_condition(node: Obj, kind: str) -> Obj | None:
    for cond in (node.get("status") or {}).get("conditions") or []:
        if isinstance(cond, dict) and cond.get("type") == kind:
            return cond
    return None


def ready_status(node: Obj) -> str | None:
    cond = node_condition(node, "Ready")
    return str(cond.get("status")) if cond is not None else None


def plan_unknown(node: Obj, now: str) -> list[Obj] | None:
    """The node's conditions once marked Unknown because its kubelet is silent, or None when they
    already are. Heartbeat times are kept: they say when the kubelet was last heard."""
    conditions = [dict(c) for c in (node.get("status") or {}).get("conditions") or [] if isinstance(c, dict)]
    created = (node.get("metadata") or {}).get("creationTimestamp") or now
    changed = False
    for kind in ("Ready", *OTHER_CONDITIONS):
        cond = next((c for c in conditions if c.get("type") == kind), None)
        if cond is None:
            conditions.append(
                {
                    "type": kind,
                    "status": "Unknown",
                    "reason": "NodeStatusNeverUpdated",
                    "message": NEVER_POSTED,
                    "lastHeartbeatTime": created,
                    "lastTransitionTime": now,
                }
            )
            changed = True
        elif cond.get("status") != "Unknown":
            cond.update(status="Unknown", reason="NodeStatusUnknown", message=STOPPED_POSTING, lastTransitionTime=now)
            changed = True
    return conditions if changed else None


def _same_taint(a: Obj, b: Obj) -> bool:
    return a.get("key") == b.get("key") and a.get("effect") == b.get("effect")


def _managed(taint: Obj) -> bool:
    effect, key = taint.get("effect"), taint.get("key")
    return (effect == NO_SCHEDULE and key in NO_SCHEDULE_KEYS) or (effect == NO_EXECUTE and key in NO_EXECUTE_KEYS)


def plan_taints(node: Obj, *, now: str, add_no_execute: bool, all_disrupted: bool = False) -> list[Obj] | None:
    """The node's taints as its conditions ask, or None when they already are.

    NoSchedule taints follow the conditions at once. A NoExecute taint is removed when the node
    is Ready again or every zone is disrupted, swapped at once between not-ready and unreachable,
    and only added when ``add_no_execute`` (the zone's state allows it). Taints of others are kept.
    """
    taints = [t for t in (node.get("spec") or {}).get("taints") or [] if isinstance(t, dict)]
    statuses = {str(c.get("type")): c.get("status") for c in (node.get("status") or {}).get("conditions") or []}
    wanted: list[Obj] = [
        {"key": key, "effect": NO_SCHEDULE}
        for (kind, status), key in CONDITION_TAINTS.items()
        if statuses.get(kind) == status
    ]
    if (node.get("spec") or {}).get("unschedulable"):
        wanted.append({"key": TAINT_UNSCHEDULABLE, "effect": NO_SCHEDULE})
    ready = statuses.get("Ready")
    present = {str(t.get("key")) for t in taints if t.get("effect") == NO_EXECUTE and t.get("key") in NO_EXECUTE_KEYS}
    target = {"False": TAINT_NOT_READY, "Unknown": TAINT_UNREACHABLE}.get(str(ready))
    if ready is None or (ready not in ("True", "False", "Unknown")):
        wanted.extend({"key": key, "effect": NO_EXECUTE} for key in sorted(present))  # nothing to decide on
    elif target is not None and not all_disrupted and (present or add_no_execute):
        wanted.append({"key": target, "effect": NO_EXECUTE, "timeAdded": now})
    result = [t for t in taints if not _managed(t) or any(_same_taint(t, w) for w in wanted)]
    result.extend(w for w in wanted if not any(_same_taint(t, w) for t in taints))
    return None if result == taints else result


def tolerates(toleration: Obj, taint: Obj) -> bool:
    """``Toleration.ToleratesTaint``: the effect and key match (empty matches all), and the value
    too unless the operator is Exists."""
    effect = toleration.get("effect") or ""
    if effect and effect != taint.get("effect"):
        return False
    key = toleration.get("key") or ""
    if key and key != taint.get("key"):
        return False
    operator = toleration.get("operator") or "Equal"
    if operator == "Exists":
        return True
    return operator == "Equal" and (toleration.get("value") or "") == (taint.get("value") or "")


def eviction_delay(pod: Obj, taints: Iterable[Obj], default_toleration_seconds: float) -> float | None:
    """Seconds ``pod`` may stay on a node with ``taints``: 0 for a NoExecute taint it does not
    tolerate, else the shortest ``tolerationSeconds`` among its tolerations of them; None when
    there is no NoExecute taint or it tolerates them all forever.

    A pod with no toleration of the not-ready or unreachable taint is given one of
    ``default_toleration_seconds`` (the edge default, where Kubernetes' admission adds 300 s).
    """
    tolerations = [t for t in (pod.get("spec") or {}).get("tolerations") or [] if isinstance(t, dict)]
    shortest = math.inf
    for taint in taints:
        if taint.get("effect") != NO_EXECUTE:
            continue
        matching = [t for t in tolerations if tolerates(t, taint)]
        if not matching:
            if taint.get("key") not in NO_EXECUTE_KEYS:
                return 0.0
            matching = [{"tolerationSeconds": default_toleration_seconds}]
        for toleration in matching:
            seconds = toleration.get("tolerationSeconds")
            if isinstance(seconds, int | float) and not isinstance(seconds, bool):
                shortest = min(shortest, max(float(seconds), 0.0))
    return None if shortest == math.inf else shortest


def zone_of(node: Obj) -> str:
    labels = (node.get("metadata") or {}).get("labels") or {}
    return f"{labels.get('topology.kubernetes.io/region', '')}:\x00:{labels.get('topology.kubernetes.io/zone', '')}"


def zone_state(ready_statuses: Iterable[str | None], threshold: float = UNHEALTHY_ZONE_THRESHOLD) -> str:
    """``ComputeZoneState``: full disruption when no node is ready, partial when more than two and
    at least ``threshold`` of them are not."""
    statuses = list(ready_statuses)
    ready = sum(1 for s in statuses if s == "True")
    not_ready = len(statuses) - ready
    if ready == 0 and not_ready > 0:
        return ZONE_FULL
    if not_ready > 2 and not_ready / len(statuses) >= threshold:
        return ZONE_PARTIAL
    return ZONE_NORMAL


def zone_states(nodes: Iterable[Obj], threshold: float = UNHEALTHY_ZONE_THRESHOLD) -> dict[str, str]:
    zones: dict[str, list[str | None]] = {}
    for node in nodes:
        zones.setdefault(zone_of(node), []).append(ready_status(node))
    return {zone: zone_state(statuses, threshold) for zone, statuses in zones.items()}


def _no_execute(node: Obj | None) -> list[Obj]:
    taints = ((node or {}).get("spec") or {}).get("taints") or []
    return [t for t in taints if isinstance(t, dict) and t.get("effect") == NO_EXECUTE]


# -- the controller --------------------------------------------------------------------------------


@dataclass
class _Health:
    probe: float  # trio time of the last sign of life seen
    heartbeat: str = ""  # the Ready condition's lastHeartbeatTime then
    renew: str = ""  # the Lease's renewTime then


@dataclass
class NodeLifecycleController:
    """Marks silent nodes, taints nodes by their conditions and evicts pods from NoExecute nodes."""

    client: Client
    #: how long a node may go without a lease renewal or heartbeat before it is Unknown
    grace_period: float = NODE_MONITOR_GRACE_PERIOD
    #: the same for a node whose kubelet never posted a Ready condition
    startup_grace_period: float = NODE_STARTUP_GRACE_PERIOD
    monitor_period: float = NODE_MONITOR_PERIOD
    #: how long pods without their own not-ready/unreachable toleration stay (the edge default)
    default_toleration_seconds: float = DEFAULT_TOLERATION_SECONDS
    unhealthy_zone_threshold: float = UNHEALTHY_ZONE_THRESHOLD
    #: wall-clock time for timestamps written into objects (conditions, taints, events)
    now: Callable[[], datetime] = _now
    node_queue: WorkQueue = field(default_factory=WorkQueue)
    pod_queue: WorkQueue = field(default_factory=WorkQueue)
    nodes: Informer = field(init=False)
    leases: Informer = field(init=False)
    pods: Informer = field(init=False)
    recorder: EventRecorder = field(init=False)
    eviction_recorder: EventRecorder = field(init=False)
    _health: dict[str, _Health] = field(default_factory=dict)
    _pods_on: dict[str, set[str]] = field(default_factory=dict)
    _eviction_start: dict[str, float] = field(default_factory=dict)
    _all_disrupted: bool = False

    def __post_init__(self) -> None:
        self.nodes = Informer(self.client, "v1", "nodes")
        self.leases = Informer(self.client, "coordination.k8s.io/v1", "leases", namespace=LEASE_NAMESPACE)
        self.pods = Informer(self.client, "v1", "pods")
        self.recorder = EventRecorder(self.client, "node-controller", clock=self._stamp)
        self.eviction_recorder = EventRecorder(self.client, "taint-eviction-controller", clock=self._stamp)

    def _stamp(self) -> str:
        return _stamp(self.now())

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Monitor and reconcile until cancelled; ``started()`` once the caches are synced.

        **Cancellation:** stops the monitor, the workers and the watches; pending evictions are
        forgotten (the next leader counts their toleration time again from when it starts).
        """
        self.nodes.on_change(self._node_changed)
        self.leases.on_change(self._lease_changed)
        self.pods.on_change(self._pod_changed)
        async with trio.open_nursery() as nursery:
            for informer in (self.nodes, self.leases, self.pods):
                await nursery.start(informer.run)
            self._all_disrupted = self._disrupted_everywhere(
                zone_states(self.nodes.list(), self.unhealthy_zone_threshold)
            )
            for _ in range(WORKERS):
                nursery.start_soon(
                    functools.partial(run_worker, self.node_queue, self.reconcile_node, name="node lifecycle")
                )
                nursery.start_soon(
                    functools.partial(run_worker, self.pod_queue, self.reconcile_pod, name="taint eviction")
                )
            nursery.start_soon(self._monitor)
            logger.info(
                "Starting controller node-lifecycle (grace period %.0fs, default toleration %.0fs)",
                self.grace_period,
                self.default_toleration_seconds,
            )
            task_status.started()

    # -- events ------------------------------------------------------------------------------------

    def _node_changed(self, old: Obj | None, new: Obj | None) -> None:
        obj = new if new is not None else old
        assert obj is not None
        name = key_of(obj)
        if new is None:
            self._health.pop(name, None)
        else:
            cond = node_condition(new, "Ready") or {}
            heartbeat = str(cond.get("lastHeartbeatTime") or "")
            health = self._health.get(name)
            if health is None:
                self._health[name] = _Health(trio.current_time(), heartbeat=heartbeat)
            elif heartbeat != health.heartbeat:
                health.heartbeat, health.probe = heartbeat, trio.current_time()
            self.node_queue.add(name)
        if _no_execute(old) != _no_execute(new):
            for pod_key in self._pods_on.get(name, ()):
                self.pod_queue.add(pod_key)

    def _lease_changed(self, old: Obj | None, new: Obj | None) -> None:
        if new is None:
            return
        name = str((new.get("metadata") or {}).get("name", ""))
        renew = str((new.get("spec") or {}).get("renewTime") or "")
        health = self._health.get(name)
        if health is None:
            self._health[name] = _Health(trio.current_time(), renew=renew)
        elif renew != health.renew:
            health.renew, health.probe = renew, trio.current_time()

    def _pod_changed(self, old: Obj | None, new: Obj | None) -> None:
        key = key_of(new if new is not None else old or {})
        old_node = ((old or {}).get("spec") or {}).get("nodeName") or ""
        new_node = ((new or {}).get("spec") or {}).get("nodeName") or ""
        if old_node and old_node != new_node:
            on = self._pods_on.get(old_node, set())
            on.discard(key)
            if not on:
                self._pods_on.pop(old_node, None)
        if new is None:
            self._eviction_start.pop(key, None)
            return
        if new_node:
            self._pods_on.setdefault(new_node, set()).add(key)
            self.pod_queue.add(key)

    # -- health ------------------------------------------------------------------------------------

    async def _monitor(self) -> None:
        while True:
            await self.monitor_once()
            await trio.sleep(self.monitor_period)

    async def monitor_once(self) -> None:
        """One pass: silent nodes become Unknown and their pods not ready, then NoExecute taints
        are added where the zones' states allow."""
        now = trio.current_time()
        latest: dict[str, Obj] = {}
        for name, node in list(self.nodes.cache.items()):
            health = self._health.setdefault(name, _Health(now))
            grace = self.grace_period if node_condition(node, "Ready") is not None else self.startup_grace_period
            if now - health.probe > grace:
                node = await self._mark_unknown(node, now - health.probe)
            latest[name] = node
            if ready_status(node) == "Unknown":
                await self._mark_pods_not_ready(name)
        states = zone_states(latest.values(), self.unhealthy_zone_threshold)
        all_disrupted = self._disrupted_everywhere(states)
        if all_disrupted != self._all_disrupted:
            self._all_disrupted = all_disrupted
            if all_disrupted:
                logger.warning("node lifecycle: no node is ready; evictions stop until one is")
            else:
                logger.info("node lifecycle: a node is ready again; health is measured afresh")
                for health in self._health.values():
                    health.probe = trio.current_time()
        for node in latest.values():
            allowed = states.get(zone_of(node)) != ZONE_PARTIAL
            await self._taint(node, add_no_execute=allowed)

    @staticmethod
    def _disrupted_everywhere(states: dict[str, str]) -> bool:
        return bool(states) and all(state == ZONE_FULL for state in states.values())

    async def _mark_unknown(self, node: Obj, silent_for: float) -> Obj:
        name = key_of(node)
        for attempt in range(2):
            conditions = plan_unknown(node, self._stamp())
            if conditions is None:
                return node
            was_ready = ready_status(node) == "True"
            updated = copy.deepcopy(node)
            updated.setdefault("status", {})["conditions"] = conditions
            try:
                written = await self.client.update("v1", "nodes", updated, subresource="status")
            except errors.Conflict:
                if attempt:
                    return node  # the next pass tries again
                with contextlib.suppress(errors.NotFound):
                    node = await self.client.get("v1", "nodes", name)
                continue
            except errors.NotFound:
                return node
            logger.warning("node lifecycle: node %s silent for %.0fs: Ready Unknown", name, silent_for)
            if was_ready:
                await self.recorder.record(written, NORMAL, "NodeNotReady", f"Node {name} status is now: NodeNotReady")
            return written
        return node

    async def _mark_pods_not_ready(self, node_name: str) -> None:
        """Pods of an unreachable node stop counting as ready (endpoints drop them), as
        ``MarkPodsNotReady`` does; their own kubelet cannot say so."""
        for pod_key in sorted(self._pods_on.get(node_name, ())):
            pod = self.pods.get(pod_key)
            if pod is None or (pod.get("spec") or {}).get("nodeName") != node_name:
                continue
            ready = next(
                (c for c in (pod.get("status") or {}).get("conditions") or [] if c.get("type") == "Ready"), None
            )
            if ready is None or ready.get("status") == "False":
                continue
            metadata = pod["metadata"]
            patch = {
                "status": {"conditions": [{"type": "Ready", "status": "False", "lastTransitionTime": self._stamp()}]}
            }
            try:
                written = await self.client.patch(
                    "v1",
                    "pods",
                    metadata["name"],
                    patch,
                    namespace=metadata.get("namespace", ""),
                    subresource="status",
                    patch_type=STRATEGIC_MERGE_PATCH,
                )
            except errors.NotFound:
                continue
            await self.recorder.record(written, "Warning", "NodeNotReady", "Node is not ready")

    # -- taints ------------------------------------------------------------------------------------

    async def reconcile_node(self, name: str) -> None:
        """Taints as a node event asks: NoSchedule ones, NoExecute removals and swaps (additions
        wait for the monitor, which knows every zone's state)."""
        node = self.nodes.get(name)
        if node is not None:
            await self._taint(node, add_no_execute=False)

    async def _taint(self, node: Obj, *, add_no_execute: bool) -> None:
        name = key_of(node)
        taints = plan_taints(node, now=self._stamp(), add_no_execute=add_no_execute, all_disrupted=self._all_disrupted)
        if taints is None:
            return
        updated = copy.deepcopy(node)
        spec = updated.setdefault("spec", {})
        if taints:
            spec["taints"] = taints
        else:
            spec.pop("taints", None)
        try:
            await self.client.update("v1", "nodes", updated)
        except errors.Conflict:
            # The node changed since: its watch event queues it again (and the monitor retries).
            logger.debug("node lifecycle: node %s changed meanwhile; waiting for the cache", name)
            return
        except errors.NotFound:
            return
        before = {(t.get("key"), t.get("effect")) for t in _no_execute(node)}
        after = {(t.get("key"), t.get("effect")) for t in _no_execute(updated)}
        if before != after:
            logger.info(
                "node lifecycle: node %s NoExecute taints now %s", name, sorted(str(k) for k, _ in after) or "none"
            )

    # -- eviction ----------------------------------------------------------------------------------

    async def reconcile_pod(self, key: str) -> None:
        pod = self.pods.get(key)
        metadata = (pod or {}).get("metadata") or {}
        node_name = ((pod or {}).get("spec") or {}).get("nodeName")
        node = self.nodes.get(node_name) if node_name else None
        if pod is None or node is None or metadata.get("deletionTimestamp"):
            self._eviction_start.pop(key, None)
            return
        delay = eviction_delay(pod, _no_execute(node), self.default_toleration_seconds)
        if delay is None:
            self._eviction_start.pop(key, None)
            return
        now = trio.current_time()
        start = self._eviction_start.setdefault(key, now)
        remaining = start + delay - now
        if remaining > 0:
            self.pod_queue.add_after(key, remaining)
            return
        await self._evict(pod)
        self._eviction_start.pop(key, None)

    async def _evict(self, pod: Obj) -> None:
        """Delete ``pod``, saying why in a DisruptionTarget condition first (as the taint eviction
        controller does). A pod on a live node is then stopped gracefully by its kubelet."""
        metadata = pod["metadata"]
        name, namespace = str(metadata["name"]), str(metadata.get("namespace", ""))
        condition = {
            "type": "DisruptionTarget",
            "status": "True",
            "reason": "DeletionByTaintManager",
            "message": "Taint manager: deleting due to NoExecute taint",
            "lastTransitionTime": self._stamp(),
        }
        try:
            await self.client.patch(
                "v1",
                "pods",
                name,
                {"status": {"conditions": [condition]}},
                namespace=namespace,
                subresource="status",
                patch_type=STRATEGIC_MERGE_PATCH,
            )
            await self.client.delete("v1", "pods", name, namespace=namespace)
        except errors.NotFound:
            return
        logger.info("taint eviction: deleted pod %s/%s from node %s", namespace, name, pod["spec"].get("nodeName"))
        await self.eviction_recorder.record(
            pod, NORMAL, "TaintManagerEviction", f"Marking for deletion Pod {namespace}/{name}"
        )
