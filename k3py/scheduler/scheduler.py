"""The scheduler: pending pods in, Bindings out. The trio shell around the pure modules.

Informers keep pods, nodes, PriorityClasses, PodDisruptionBudgets and namespaces current, and
their handlers only update the :mod:`~k3py.scheduler.cache` and the
:mod:`~k3py.scheduler.queue` (as client-go handlers only enqueue). One task pops the next pod,
decides with :func:`~k3py.scheduler.algorithm.schedule` against the cache (no await between
reading the cache and assuming the pod on its node, so every decision sees the ones before),
then binds in the background, several bindings at once, as kube-scheduler's binding cycle does:
the next pod is decided while the API writes the last one.

A pod no node takes gets what Kubernetes gives it: a ``FailedScheduling`` Warning event whose
message counts the reasons per node, and the condition ``PodScheduled=False``
(``Unschedulable``) with the same message; preemption may evict lower-priority pods for it first
and nominate it (``status.nominatedNodeName``) to their node. It then waits in the queue until
the cluster changes in a way that could help.

Only pods for ``spec.schedulerName`` ``default-scheduler`` (or none), not bound, not being
deleted, not finished and without scheduling gates are this scheduler's.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

import trio

from k3py.api.client import STRATEGIC_MERGE_PATCH
from k3py.controllers.events import NORMAL, WARNING, EventRecorder
from k3py.controllers.informer import Informer
from k3py.core import errors
from k3py.scheduler import algorithm, framework, preemption
from k3py.scheduler.cache import Cache, PodInfo, is_terminal, pod_key
from k3py.scheduler.priorities import Priorities
from k3py.scheduler.queue import ALL_PLUGINS, SchedulingQueue

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from k3py.api.client import Client

logger = logging.getLogger(__name__)

Obj = dict[str, Any]

#: bindings under way at once: enough to keep the API busy while the next pods are decided
MAX_CONCURRENT_BINDS: Final = 16
POD_SCHEDULED: Final = "PodScheduled"
UNSCHEDULABLE: Final = "Unschedulable"
#: the plugins a change to an assigned pod's labels (or a new one) can help: only those that look
#: at other pods' labels (AssignedPodAdd / AssignedPodUpdate in kube's queueing hints)
_POD_LABEL_PLUGINS: Final = frozenset({framework.INTER_POD_AFFINITY, framework.POD_TOPOLOGY_SPREAD})
_NAMESPACE_PLUGINS: Final = frozenset({framework.INTER_POD_AFFINITY})


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _metadata(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    return obj.get("metadata") or {}


def _ready(node: Mapping[str, Any]) -> object:
    for condition in (node.get("status") or {}).get("conditions") or []:
        if isinstance(condition, dict) and condition.get("type") == "Ready":
            return condition.get("status")
    return None


def _node_fingerprint(node: Mapping[str, Any]) -> tuple[object, ...]:
    """What of a node can change a filter's answer; heartbeats alone must not retry every pod."""
    status = node.get("status") or {}
    return (_metadata(node).get("labels"), node.get("spec"), status.get("allocatable"), _ready(node))


def _pod_fingerprint(pod: Mapping[str, Any]) -> tuple[object, ...]:
    """What of a pending pod can change its own answer (not its status, which this scheduler writes)."""
    metadata = _metadata(pod)
    return (metadata.get("labels"), metadata.get("annotations"), pod.get("spec"))


@dataclass
class Scheduler:
    """Schedules the cluster's pending pods until cancelled."""

    client: Client
    name: str = framework.DEFAULT_SCHEDULER
    #: breaks ties between equally good nodes
    rng: random.Random = field(default_factory=random.Random)
    #: wall-clock timestamps written into conditions
    clock: Callable[[], str] = _now
    max_concurrent_binds: int = MAX_CONCURRENT_BINDS
    queue: SchedulingQueue = field(default_factory=SchedulingQueue)
    cache: Cache = field(default_factory=Cache)
    priorities: Priorities = field(default_factory=Priorities)
    budgets: dict[str, preemption.Budget] = field(default_factory=dict)
    namespaces: dict[str, Mapping[str, str]] = field(default_factory=dict)
    _pods: Informer | None = None
    _wakeup: trio.Event = field(default_factory=trio.Event)
    _recorder: EventRecorder | None = None

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Schedule until cancelled; ``task_status.started()`` once every informer is synced.

        **Cancellation**: bindings under way are cancelled with the rest; a pod whose binding
        request was cut off is either bound or still pending, and a new leader picks it up.
        """
        client = self.client
        self._recorder = EventRecorder(client, self.name)
        pods = self._pods = Informer(client, "v1", "pods")
        informers = [
            Informer(client, "scheduling.k8s.io/v1", "priorityclasses"),
            Informer(client, "v1", "namespaces"),
            Informer(client, "policy/v1", "poddisruptionbudgets"),
            Informer(client, "v1", "nodes"),
            pods,
        ]
        handlers = [self._on_priority_class, self._on_namespace, self._on_budget, self._on_node, self._on_pod]
        for informer, handler in zip(informers, handlers, strict=True):
            informer.on_change(handler)
        async with trio.open_nursery() as nursery:
            for informer in informers:  # in this order: pods need their priority classes
                await nursery.start(informer.run)
            logger.info(
                "scheduler %s running: %d nodes, %d pods pending", self.name, len(self.cache.nodes), len(self.queue)
            )
            task_status.started()
            await self._schedule_forever(nursery)

    # -- the loop ---------------------------------------------------------------------------------

    async def _schedule_forever(self, nursery: trio.Nursery) -> None:
        binds = trio.Semaphore(self.max_concurrent_binds)
        while True:
            key = await self._next()
            try:
                await self.schedule_one(key, nursery, binds)
            except Exception:
                # a bug with this pod must not stop every other pod: back off and try it again
                logger.exception("scheduler: scheduling %s failed; retrying", key)
                self.cache.forget(key)
                self.queue.failed(key, trio.current_time(), unschedulable=False)

    async def _next(self) -> str:
        while True:
            key = self.queue.pop(trio.current_time())
            if key is not None:
                return key
            due = self.queue.next_due()
            self._wakeup = trio.Event()
            with trio.move_on_at(due if due is not None else math.inf):
                await self._wakeup.wait()

    def _wake(self) -> None:
        self._wakeup.set()

    async def schedule_one(self, key: str, nursery: trio.Nursery, binds: trio.Semaphore) -> None:
        """One attempt for the pod ``key`` (already popped from the queue)."""
        pod = self._pods.get(key) if self._pods is not None else None
        if pod is None or not self._responsible(pod) or self.cache.is_assumed(key):
            self.queue.done(key)
            return
        info = self._pod_info(pod)
        decision = algorithm.schedule(info, self.cache, self.rng, self._namespace_labels)
        if decision.node:
            self.cache.assume(info, decision.node)
            await binds.acquire()
            nursery.start_soon(self._bind, info, decision.node, binds)
            return
        try:
            await self._failed(info, decision)
        except (errors.K3pyError, OSError) as exc:
            logger.warning("scheduler: reporting %s unschedulable failed: %s; retrying", key, exc)
            self.queue.failed(key, trio.current_time(), unschedulable=False)
        else:
            self.queue.failed(key, trio.current_time(), decision.plugins)

    async def _bind(self, info: PodInfo, node: str, binds: trio.Semaphore) -> None:
        binding = {
            "apiVersion": "v1",
            "kind": "Binding",
            "metadata": {"name": info.name, "namespace": info.namespace, "uid": info.uid},
            "target": {"apiVersion": "v1", "kind": "Node", "name": node},
        }
        try:
            await self.client.create(
                "v1", "pods", binding, namespace=info.namespace, name=info.name, subresource="binding"
            )
        except (errors.K3pyError, OSError) as exc:
            binds.release()
            self.cache.forget(info.key)
            if isinstance(exc, errors.NotFound):
                self.queue.done(info.key)
                return
            logger.warning("scheduler: binding %s to %s failed: %s", info.key, node, exc)
            self.queue.failed(info.key, trio.current_time(), unschedulable=False)
            self._wake()
            await self._event(info.obj, WARNING, "FailedScheduling", f"Binding rejected: {exc}")
            return
        binds.release()
        self.queue.done(info.key)
        logger.debug("scheduler: bound %s to %s", info.key, node)
        await self._event(info.obj, NORMAL, "Scheduled", f"Successfully assigned {info.key} to {node}")

    async def _failed(self, info: PodInfo, decision: algorithm.Decision) -> None:
        post_filter = ""
        nominate: str | None = None  # None: leave the nomination as it is
        if decision.statuses:
            outcome = preemption.preempt(
                info, self.cache, decision.statuses, list(self.budgets.values()), self._namespace_labels
            )
            if outcome.candidate is not None:
                await self._preempt(info, outcome)
                nominate = outcome.candidate.node
                self.cache.nominate(info, nominate)
            else:
                post_filter = outcome.message
                if outcome.clear_nomination:
                    nominate = ""
                    self.cache.forget_nomination(info.key)
        message = decision.message(post_filter)
        logger.debug("scheduler: %s unschedulable: %s", info.key, message)
        await self._event(info.obj, WARNING, "FailedScheduling", message)
        patch = self._unschedulable_patch(info.obj, message, nominate)
        if patch is not None:
            await self._patch_status(info, patch)

    async def _preempt(self, pod: PodInfo, outcome: preemption.Outcome) -> None:
        """Delete the victims (marked first, so their controllers know why), and clear the
        nominations of lower-priority pods the room was meant for."""
        assert outcome.candidate is not None
        node = outcome.candidate.node
        for victim in outcome.candidate.victims:
            if victim.terminating:
                continue  # already going
            condition = {
                "type": preemption.DISRUPTION_TARGET,
                "status": "True",
                "reason": preemption.PREEMPTION_BY_SCHEDULER,
                "message": f"{self.name}: preempting to accommodate a higher priority pod",
                "lastTransitionTime": self.clock(),
            }
            try:
                await self._patch_status(victim, {"status": {"conditions": [condition]}})
                await self.client.delete(
                    "v1", "pods", victim.name, namespace=victim.namespace, preconditions={"uid": victim.uid}
                )
            except errors.NotFound:
                continue
            logger.info("scheduler: preempted %s on %s for %s", victim.key, node, pod.key)
            await self._event(victim.obj, NORMAL, "Preempted", f"Preempted by pod {pod.uid} on node {node}")
        for displaced in outcome.displaced:
            self.cache.forget_nomination(displaced.key)
            try:
                await self._patch_status(displaced, {"status": {"nominatedNodeName": None}})
            except errors.NotFound:
                continue

    def _unschedulable_patch(self, pod: Obj, message: str, nominate: str | None) -> Obj | None:
        """The status patch saying so, or None when the pod already says exactly that (each
        retry would otherwise write the same status again)."""
        status = pod.get("status") or {}
        current = next(
            (c for c in status.get("conditions") or [] if isinstance(c, dict) and c.get("type") == POD_SCHEDULED), None
        )
        patch: Obj = {}
        wanted = {"type": POD_SCHEDULED, "status": "False", "reason": UNSCHEDULABLE, "message": message}
        if current is None or any(current.get(k) != v for k, v in wanted.items()):
            if current is None or current.get("status") != "False":
                wanted["lastTransitionTime"] = self.clock()
            patch["conditions"] = [wanted]
        if nominate is not None and nominate != (status.get("nominatedNodeName") or ""):
            patch["nominatedNodeName"] = nominate or None
        return {"status": patch} if patch else None

    async def _patch_status(self, pod: PodInfo, patch: Obj) -> None:
        await self.client.patch(
            "v1",
            "pods",
            pod.name,
            patch,
            namespace=pod.namespace,
            subresource="status",
            patch_type=STRATEGIC_MERGE_PATCH,
        )

    async def _event(self, obj: Obj, kind: str, reason: str, message: str) -> None:
        if self._recorder is not None:
            await self._recorder.record(obj, kind, reason, message)

    # -- what the informers say -------------------------------------------------------------------

    def _responsible(self, pod: Mapping[str, Any]) -> bool:
        spec = pod.get("spec") or {}
        return (
            (spec.get("schedulerName") or framework.DEFAULT_SCHEDULER) == self.name
            and not spec.get("nodeName")
            and not spec.get("schedulingGates")
            and not _metadata(pod).get("deletionTimestamp")
            and not is_terminal(pod)
        )

    def _pod_info(self, pod: Obj) -> PodInfo:
        return PodInfo.of(pod, self.priorities.priority(pod), self.priorities.preemption_policy(pod))

    def _assigned_info(self, key: str, pod: Obj) -> PodInfo:
        """The bound pod's info; when only its status changed (the binding's own condition, a
        kubelet's report), what was parsed from its spec is kept."""
        current = self.cache.pod(key)
        metadata = _metadata(pod)
        if (
            current is None
            or _pod_fingerprint(current.obj) != _pod_fingerprint(pod)
            or current.terminating != bool(metadata.get("deletionTimestamp"))
        ):
            return self._pod_info(pod)
        start = (pod.get("status") or {}).get("startTime") or metadata.get("creationTimestamp") or ""
        return dataclasses.replace(current, obj=pod, start_time=str(start))

    def _namespace_labels(self, name: str) -> Mapping[str, str] | None:
        return self.namespaces.get(name)

    def _moved(self, plugins: frozenset[str]) -> None:
        if self.queue.move(plugins, trio.current_time()):
            self._wake()

    def _on_pod(self, old: Obj | None, new: Obj | None) -> None:
        if new is None:
            assert old is not None
            key = pod_key(old)
            self.queue.delete(key)
            self.cache.forget_nomination(key)
            if self.cache.remove_pod(key) is not None:
                self._moved(ALL_PLUGINS)  # its room is free
            return
        key = pod_key(new)
        if (new.get("spec") or {}).get("nodeName"):
            self._on_assigned_pod(key, old, new)
            return
        if self.cache.is_assumed(key):
            return  # being bound: the assumption stands until the watch shows the binding
        nominated = str((new.get("status") or {}).get("nominatedNodeName") or "")
        if nominated:
            self.cache.nominate(self._pod_info(new), nominated)
        else:
            self.cache.forget_nomination(key)
        if not self._responsible(new):
            self.queue.delete(key)
            return
        if old is not None and key in self.queue and _pod_fingerprint(old) == _pod_fingerprint(new):
            return  # only its status changed (this scheduler's own condition, say)
        self.queue.add(key, self.priorities.priority(new), trio.current_time())
        self._wake()

    def _on_assigned_pod(self, key: str, old: Obj | None, new: Obj) -> None:
        if self.queue.where(key) not in ("", "in-flight"):
            self.queue.delete(key)  # bound by someone else
        self.cache.forget_nomination(key)
        if is_terminal(new):
            if self.cache.remove_pod(key) is not None:
                self._moved(ALL_PLUGINS)
            return
        newly_bound = old is None or not (old.get("spec") or {}).get("nodeName") or is_terminal(old)
        labels_changed = old is not None and _metadata(old).get("labels") != _metadata(new).get("labels")
        self.cache.set_pod(self._assigned_info(key, new))
        if newly_bound or labels_changed:
            self._moved(_POD_LABEL_PLUGINS)

    def _on_node(self, old: Obj | None, new: Obj | None) -> None:
        if new is None:
            assert old is not None
            self.cache.remove_node(str(_metadata(old).get("name") or ""))
            return
        self.cache.set_node(new)
        if old is None or _node_fingerprint(old) != _node_fingerprint(new):
            self._moved(ALL_PLUGINS)

    def _on_priority_class(self, old: Obj | None, new: Obj | None) -> None:
        if new is None:
            assert old is not None
            self.priorities.remove(str(_metadata(old).get("name") or ""))
        else:
            self.priorities.set(new)

    def _on_budget(self, old: Obj | None, new: Obj | None) -> None:
        if new is None:
            assert old is not None
            self.budgets.pop(pod_key(old), None)
        else:
            self.budgets[pod_key(new)] = preemption.Budget.of(new)

    def _on_namespace(self, old: Obj | None, new: Obj | None) -> None:
        if new is None:
            assert old is not None
            self.namespaces.pop(str(_metadata(old).get("name") or ""), None)
            return
        labels = {str(k): str(v) for k, v in (_metadata(new).get("labels") or {}).items()}
        self.namespaces[str(_metadata(new).get("name") or "")] = labels
        if old is not None and _metadata(old).get("labels") != _metadata(new).get("labels"):
            self._moved(_NAMESPACE_PLUGINS)
