"""The ReplicaSet and ReplicationController controllers: as many pods as ``spec.replicas`` says.

One controller serves both kinds (Kubernetes' replication controller is the ReplicaSet controller
with another kind too). Each reconcile claims the active pods in the owner's namespace (adopting
matching orphans, releasing owned pods that stopped matching), creates the missing pods from the
template in slow-start batches, or deletes the surplus in Kubernetes' order (unscheduled, pending
and not-ready first, then the youngest), then writes the status: replicas, fullyLabeledReplicas,
readyReplicas, availableReplicas (ready for longer than ``minReadySeconds``), observedGeneration
and a ``ReplicaFailure`` condition while creating or deleting fails. Expectations
(:mod:`~k3py.controllers.podcontrol`) keep a lagging pod informer from causing double creates.

The status computation is pure (:func:`calculate_status`); :class:`ReplicaSetController` does the
I/O, through the Client only.
"""

from __future__ import annotations

import copy
import functools
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import trio

from k3py.controllers import podcontrol as pc
from k3py.controllers.events import NORMAL, WARNING, EventRecorder
from k3py.controllers.informer import Informer, key_of
from k3py.controllers.workqueue import WorkQueue, run_worker
from k3py.core import errors

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from datetime import datetime

    from k3py.api.client import Client
    from k3py.core.selectors import LabelSelector

logger = logging.getLogger(__name__)

Obj = dict[str, Any]

REPLICA_FAILURE = "ReplicaFailure"
FAILED_CREATE, FAILED_DELETE = "FailedCreate", "FailedDelete"
SUCCESSFUL_CREATE, SUCCESSFUL_DELETE = "SuccessfulCreate", "SuccessfulDelete"
# Parallel reconciles; the queue never gives one key to two workers. Kubernetes runs 5.
WORKERS = 4
# A requeue for availability lands this long after the pod's minReadySeconds ran out, since a pod
# becomes available only once they are strictly behind it.
AVAILABILITY_MARGIN = 0.001


@dataclass(frozen=True, slots=True)
class Workload:
    """A kind of pod controller this module runs: where it is served and how it selects."""

    api_version: str
    plural: str
    kind: str
    #: the event source and the field manager's name, as kube-controller-manager's
    component: str

    def selector(self, obj: Obj) -> LabelSelector | None:
        """What ``obj`` selects; None (nothing) when its selector is empty or invalid."""
        spec = obj.get("spec") or {}
        if self.kind == "ReplicationController":
            # the API defaults an RC's selector to its template's labels; do it here if it did not
            chosen = spec.get("selector") or ((spec.get("template") or {}).get("metadata") or {}).get("labels")
            return pc.selector_of_map(chosen)
        return pc.selector_of(spec.get("selector"))


REPLICA_SET = Workload("apps/v1", "replicasets", "ReplicaSet", "replicaset-controller")
REPLICATION_CONTROLLER = Workload("v1", "replicationcontrollers", "ReplicationController", "replication-controller")


def desired_replicas(obj: Obj) -> int:
    """``spec.replicas``, 1 when unset (the API's default)."""
    return max(pc.int_field(obj.get("spec"), "replicas", 1), 0)


def min_ready_seconds(obj: Obj) -> int:
    return max(pc.int_field(obj.get("spec"), "minReadySeconds"), 0)


# -- status ----------------------------------------------------------------------------------------


def calculate_status(obj: Obj, pods: Iterable[Obj], failure: str | None, failure_reason: str, now: datetime) -> Obj:
    """The status ``obj`` should have with ``pods`` (its claimed active pods), as the ReplicaSet
    controller's calculateStatus and updateReplicaSetStatus compute it.

    ``failure`` is the message of the last create or delete error of this sync (None if it had
    none), ``failure_reason`` its reason (FailedCreate or FailedDelete). Zero counts and empty
    lists are left out, as Kubernetes' JSON leaves them out (``replicas`` always stays).
    """
    pods = list(pods)
    found = obj.get("status")
    old: Obj = found if isinstance(found, dict) else {}
    template_labels = (((obj.get("spec") or {}).get("template") or {}).get("metadata") or {}).get("labels") or {}
    min_ready = min_ready_seconds(obj)
    fully_labeled = ready = available = 0
    for pod in pods:
        labels = pc.labels_of(pod)
        if all(labels.get(k) == v for k, v in template_labels.items()):
            fully_labeled += 1
        if pc.is_pod_ready(pod):
            ready += 1
            if pc.is_pod_available(pod, min_ready, now):
                available += 1
    conditions = [dict(c) for c in old.get("conditions") or [] if isinstance(c, dict)]
    current = next((c for c in conditions if c.get("type") == REPLICA_FAILURE), None)
    if failure is not None and current is None:
        conditions.append(
            {
                "type": REPLICA_FAILURE,
                "status": "True",
                "lastTransitionTime": pc.stamp(now),
                "reason": failure_reason,
                "message": failure,
            }
        )
    elif failure is None and current is not None:
        conditions = [c for c in conditions if c.get("type") != REPLICA_FAILURE]
    status: Obj = {k: v for k, v in old.items() if k not in _COUNTED}
    status["replicas"] = len(pods)
    for name, value in (
        ("fullyLabeledReplicas", fully_labeled),
        ("readyReplicas", ready),
        ("availableReplicas", available),
    ):
        if value:
            status[name] = value
    status["observedGeneration"] = pc.int_field(obj.get("metadata"), "generation")
    if conditions:
        status["conditions"] = conditions
    return compact_status(status)


_COUNTED = (
    "replicas",
    "fullyLabeledReplicas",
    "readyReplicas",
    "availableReplicas",
    "observedGeneration",
    "conditions",
)


def compact_status(status: object) -> Obj:
    """A ReplicaSet or ReplicationController status as Go writes it: zero counts and empty lists
    omitted, ``replicas`` always present; so statuses compare equal however they were written."""
    if not isinstance(status, dict):
        return {"replicas": 0}
    compact = {k: v for k, v in status.items() if v not in (0, None, [], {}) or k == "replicas"}
    compact.setdefault("replicas", 0)
    return compact


def next_availability_check(obj: Obj, pods: Iterable[Obj], now: datetime) -> float | None:
    """Seconds until the first ready pod becomes available (its ``minReadySeconds`` run out), so
    the status can say so then; None when no pod is waiting for that."""
    min_ready = min_ready_seconds(obj)
    if min_ready <= 0:
        return None
    waits = [wait for pod in pods if (wait := pc.available_in(pod, min_ready, now))]
    return min(waits) + AVAILABILITY_MARGIN if waits else None


# -- the controller --------------------------------------------------------------------------------


@dataclass
class ReplicaSetController:
    """Pods for the ReplicaSets (or, with ``workload=REPLICATION_CONTROLLER``, the
    ReplicationControllers) of the cluster.

    ``pods`` and ``owners`` may be informers shared with other controllers: they are then run by
    whoever made them (before or after :meth:`run` starts), and this controller only listens.
    Informers it makes itself it also runs.
    """

    client: Client
    workload: Workload = REPLICA_SET
    pods: Informer | None = None
    owners: Informer | None = None
    #: wall-clock time for availability and for timestamps written into objects
    now: Callable[[], datetime] = pc.utc_now
    burst_replicas: int = pc.BURST_REPLICAS
    workers: int = WORKERS
    queue: WorkQueue = field(default_factory=WorkQueue)
    expectations: pc.Expectations = field(default_factory=pc.Expectations)
    #: what this controller (and others sharing it) last wrote of the owners
    written: pc.LatestWrites = field(default_factory=pc.LatestWrites)
    _own: list[Informer] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.pods is None:
            self.pods = Informer(self.client, "v1", "pods")
            self._own.append(self.pods)
        if self.owners is None:
            self.owners = Informer(self.client, self.workload.api_version, self.workload.plural)
            self._own.append(self.owners)
        self._pods: Informer = self.pods
        self._owners: Informer = self.owners
        self._pod_index = pc.OwnerIndex(self._pods)
        self._owner_index = pc.NamespaceIndex(self._owners)
        self._pods.on_change(self._on_pod)
        self._owners.on_change(self._on_owner)
        self.events = pc.EventBudget()
        self.recorder = EventRecorder(self.client, self.workload.component, clock=lambda: pc.stamp(self.now()))

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Reconcile until cancelled; ``started()`` once the caches are synced and workers run."""
        logger.info("Starting controller %s", self.workload.component)
        async with trio.open_nursery() as nursery:
            for informer in self._own:
                await nursery.start(informer.run)
            await self._pods.synced.wait()
            await self._owners.synced.wait()
            for obj in self._owners.list():
                self.queue.add(key_of(obj))
            for _ in range(self.workers):
                nursery.start_soon(
                    functools.partial(run_worker, self.queue, self.reconcile, name=self.workload.component)
                )
            task_status.started()

    async def _record(self, obj: Obj, kind: str, reason: str, message: str) -> None:
        """An event about ``obj``, within its budget (best effort, as events are)."""
        if self.events.allow(obj):
            await self.recorder.record(obj, kind, reason, message)

    # -- events from the informers ----------------------------------------------------------------

    def _on_owner(self, old: Obj | None, new: Obj | None) -> None:
        if new is None:
            assert old is not None
            self.expectations.forget(key_of(old))
            self.written.forget(old)
            self.queue.add(key_of(old))
        else:
            self.queue.add(key_of(new))

    def _on_pod(self, old: Obj | None, new: Obj | None) -> None:
        if new is None:
            assert old is not None
            self._pod_deleted(old)
        elif old is None:
            self._pod_added(new)
        else:
            self._pod_updated(old, new)

    def _pod_added(self, pod: Obj) -> None:
        if pc.deleting(pod):  # seen for the first time already going: a deletion, for expectations
            self._pod_deleted(pod)
            return
        ref = pc.controller_of(pod)
        if ref is not None:
            owner = self._resolve(pc.namespace_of(pod), ref)
            if owner is not None:
                self.expectations.creation_observed(key_of(owner))
                self.queue.add(key_of(owner))
            return
        for owner in self._owners_matching(pod):  # an orphan: whoever may adopt it looks
            self.queue.add(key_of(owner))

    def _pod_updated(self, old: Obj, new: Obj) -> None:
        if pc.meta(old).get("resourceVersion") == pc.meta(new).get("resourceVersion"):
            return  # a resync: nothing changed
        labels_changed = pc.labels_of(old) != pc.labels_of(new)
        if pc.deleting(new):
            # marked for deletion: as good as gone for the count (old labels too, in case they moved it)
            self._pod_deleted(new)
            if labels_changed:
                self._pod_deleted(old)
            return
        ref, old_ref = pc.controller_of(new), pc.controller_of(old)
        ref_changed = (ref or {}).get("uid") != (old_ref or {}).get("uid")
        if ref_changed and old_ref is not None:
            previous = self._resolve(pc.namespace_of(old), old_ref)
            if previous is not None:
                self.queue.add(key_of(previous))
        if ref is not None:
            owner = self._resolve(pc.namespace_of(new), ref)
            if owner is not None:
                self.queue.add(key_of(owner))
                minimum = min_ready_seconds(owner)
                if minimum > 0 and not pc.is_pod_ready(old) and pc.is_pod_ready(new):
                    self.queue.add_after(key_of(owner), minimum + AVAILABILITY_MARGIN)
            return
        if labels_changed or ref_changed:
            for owner in self._owners_matching(new):
                self.queue.add(key_of(owner))

    def _pod_deleted(self, pod: Obj) -> None:
        ref = pc.controller_of(pod)
        if ref is None:
            return
        owner = self._resolve(pc.namespace_of(pod), ref)
        if owner is not None:
            self.expectations.deletion_observed(key_of(owner), key_of(pod))
            self.queue.add(key_of(owner))

    def _resolve(self, namespace: str, ref: Obj) -> Obj | None:
        """The owner a controller reference names, if it is one of ours and the same object."""
        if ref.get("kind") != self.workload.kind:
            return None
        owner = self._owners.get(f"{namespace}/{ref.get('name', '')}")
        if owner is None or pc.uid_of(owner) != str(ref.get("uid")):
            return None
        return owner

    def _owners_matching(self, pod: Obj) -> list[Obj]:
        labels = pc.labels_of(pod)
        found = []
        for owner in self._owner_index.items(pc.namespace_of(pod)):
            selector = self.workload.selector(owner)
            if selector is not None and selector.matches(labels):
                found.append(owner)
        return found

    # -- reconciling ------------------------------------------------------------------------------

    async def reconcile(self, key: str) -> None:
        """One pass over one ReplicaSet: claim, create or delete, write the status (syncReplicaSet).

        Raises the create or delete failure after writing it into the status, so the queue
        retries with backoff."""
        cached = self._owners.get(key)
        if cached is None:
            self.expectations.forget(key)
            return
        obj = self.written.newest(cached)
        selector = self.workload.selector(obj)
        if selector is None:
            # validation refuses these; acting on one would release every pod it owns
            logger.warning("%s %s has an empty or invalid selector; left alone", self.workload.kind, key)
            return
        needs_sync = self.expectations.satisfied(key)
        namespace = pc.namespace_of(obj)
        candidates = self._pod_index.owned_by(pc.uid_of(obj)) + self._pod_index.orphans(namespace)
        active = [pod for pod in candidates if pc.is_pod_active(pod)]
        refs = pc.RefManager(
            self.client,
            obj,
            self.workload.api_version,
            self.workload.kind,
            selector,
            "v1",
            "pods",
            pc.recheck_owner(self.client, self.workload.api_version, self.workload.plural, obj),
        )
        pods = await refs.claim(active)
        failure: errors.K3pyError | None = None
        if needs_sync and not pc.deleting(obj):
            try:
                await self._manage_replicas(key, obj, pods)
            except errors.K3pyError as exc:
                failure = exc
        now = self.now()
        reason = FAILED_CREATE if len(pods) < desired_replicas(obj) else FAILED_DELETE
        status = calculate_status(obj, pods, None if failure is None else str(failure), reason, now)
        try:
            written: Obj | None = await self._write_status(obj, status)
        except errors.Conflict as exc:
            # changed twice meanwhile (its Deployment resizing it): the watch event bringing the
            # newer version queues it again, and that pass writes the status
            logger.debug("%s %s: status not written: %s", self.workload.kind, key, exc)
            written = None
        if failure is not None:
            raise failure
        wait = None if written is None else next_availability_check(written, pods, now)
        if wait is not None:
            self.queue.add_after(key, wait)

    async def _manage_replicas(self, key: str, obj: Obj, pods: list[Obj]) -> None:
        """Create or delete pods towards ``spec.replicas``, at most ``burst_replicas`` per sync."""
        diff = len(pods) - desired_replicas(obj)
        if diff < 0:
            await self._create_pods(key, obj, min(-diff, self.burst_replicas))
        elif diff > 0:
            await self._delete_pods(key, obj, pods, min(diff, self.burst_replicas))

    async def _create_pods(self, key: str, obj: Obj, count: int) -> None:
        namespace = pc.namespace_of(obj)
        template = (obj.get("spec") or {}).get("template") or {}
        ref = pc.controller_ref(obj, self.workload.api_version, self.workload.kind)
        logger.debug("%s %s: too few replicas, creating %d", self.workload.kind, key, count)
        self.expectations.expect_creations(key, count)

        async def create() -> None:
            pod = pc.pod_from_template(template, obj, ref)
            try:
                created = await self.client.create("v1", "pods", pod, namespace=namespace)
            except errors.Forbidden as exc:
                if "being terminated" in str(exc):
                    return  # the namespace is going away: every create would fail; nothing to retry
                await self._record(obj, WARNING, FAILED_CREATE, f"Error creating: {exc}")
                raise
            except errors.K3pyError as exc:
                await self._record(obj, WARNING, FAILED_CREATE, f"Error creating: {exc}")
                raise
            await self._record(obj, NORMAL, SUCCESSFUL_CREATE, f"Created pod: {pc.name_of(created)}")

        successes, failure = await pc.slow_start_batch(count, pc.SLOW_START_INITIAL_BATCH, create)
        if successes < count:
            # the informer will never see the pods not attempted, nor the failed ones
            self.expectations.creation_observed(key, count - successes)
        if failure is not None:
            raise failure

    async def _delete_pods(self, key: str, obj: Obj, pods: list[Obj], count: int) -> None:
        namespace = pc.namespace_of(obj)
        victims = pc.pods_to_delete(pods, self._related_pods(obj), count, self.now())
        logger.debug("%s %s: too many replicas, deleting %d", self.workload.kind, key, count)
        self.expectations.expect_deletions(key, [key_of(pod) for pod in victims])
        failures: list[errors.K3pyError] = []
        limiter = trio.CapacityLimiter(pc.MAX_IN_FLIGHT)

        async def delete(pod: Obj) -> None:
            try:
                async with limiter:
                    await self.client.delete("v1", "pods", pc.name_of(pod), namespace=namespace)
            except errors.K3pyError as exc:
                self.expectations.deletion_observed(key, key_of(pod))  # the informer will not see it
                if not isinstance(exc, errors.NotFound):
                    failures.append(exc)
                    await self._record(obj, WARNING, FAILED_DELETE, f"Error deleting: {exc}")
                return
            await self._record(obj, NORMAL, SUCCESSFUL_DELETE, f"Deleted pod: {pc.name_of(pod)}")

        async with trio.open_nursery() as nursery:
            for pod in victims:
                nursery.start_soon(delete, pod)
        if failures:
            raise failures[0]

    def _related_pods(self, obj: Obj) -> list[Obj]:
        """The pods owned by every controller sharing ``obj``'s controller (a Deployment's
        ReplicaSets): pods doubled up on a node with their relatives go first
        (getIndirectlyRelatedPods)."""
        ref = pc.controller_of(obj)
        if ref is None:
            return []
        return [
            pod
            for sibling in self._owner_index.items(pc.namespace_of(obj))
            if (pc.controller_of(sibling) or {}).get("uid") == ref.get("uid")
            for pod in self._pod_index.owned_by(pc.uid_of(sibling))
        ]

    async def _write_status(self, obj: Obj, status: Obj) -> Obj:
        """Write ``status`` unless it is already there; on a conflict, once more on a fresh read
        (updateReplicaSetStatus), with the fresh object's generation."""
        if compact_status(obj.get("status")) == status:
            return obj
        body = copy.deepcopy(obj)
        body["status"] = status
        api_version, plural, namespace = self.workload.api_version, self.workload.plural, pc.namespace_of(obj)
        try:
            written = await self.client.update(api_version, plural, body, namespace=namespace, subresource="status")
        except errors.Conflict:
            fresh = await self.client.get(api_version, plural, pc.name_of(obj), namespace=namespace)
            fresh["status"] = {**status, "observedGeneration": pc.int_field(fresh.get("metadata"), "generation")}
            written = await self.client.update(api_version, plural, fresh, namespace=namespace, subresource="status")
        return self.written.wrote(written)
