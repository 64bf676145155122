"""What the workload controllers share: controller references and claiming, expectations, pod
predicates, the order in which surplus pods go, slow-start batches, an event budget, and cache
helpers (indexes by namespace and by controller, the latest writes).

Ports of kube-controller-manager's ``controller_utils.go`` and ``controller_ref_manager.go`` and
of client-go's event spam filter (Apache-2.0, The Kubernetes Authors), reshaped for trio and raw
JSON objects. Everything here is pure except :func:`slow_start_batch` and :class:`RefManager`,
which write through the Client.

Theory of operation (expectations): a controller that creates pods learns of them only when its
pod informer reports them, which may be after its next reconcile. Before creating or deleting it
records how many additions and which deletions it expects; the informer handlers count them
down, and the controller does not create or delete again until they are all seen (or
:data:`EXPECTATIONS_TIMEOUT` passed, in case an event was lost). Without them a slow informer
means double creates.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import trio

from k3py.api.client import JSON_PATCH
from k3py.core import errors
from k3py.core.selectors import LabelSelector, Requirement, selector_from_label_selector

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterable

    from k3py.api.client import Client
    from k3py.controllers.informer import Informer

logger = logging.getLogger(__name__)

Obj = dict[str, Any]

#: creations or deletions one sync may start (kube-controller-manager's BurstReplicas)
BURST_REPLICAS = 500
#: the first slow-start batch (controller.SlowStartInitialBatchSize)
SLOW_START_INITIAL_BATCH = 1
#: requests one sync has in flight at once. The in-process API runs on the same trio thread as the
#: controllers: beyond a few dozen, more concurrency adds no throughput, only runnable tasks that
#: starve the watches (a watcher falling a store's watch buffer behind is dropped). A guess, measured
#: with 1,000 pods.
MAX_IN_FLIGHT = 16
#: events about one object recorded at once, then per second (client-go's spam filter defaults)
EVENT_BURST = 25
EVENT_RATE = 1 / 300
#: how long unmet expectations hold a controller back: a lost watch event must not stall it forever
EXPECTATIONS_TIMEOUT = 300.0
POD_DELETION_COST = "controller.kubernetes.io/pod-deletion-cost"
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
# The least wait :func:`available_in` reports for a pod not available yet (a zero would read as "now").
MIN_WAIT = 1e-6
_ZERO_TIME = datetime.min.replace(tzinfo=UTC)
# The order of phases when choosing pods to delete: earlier phases go first (podPhaseToOrdinal).
_PHASE_ORDINAL = {"Pending": 0, "Unknown": 1, "Running": 2}


# -- time --------------------------------------------------------------------------------------------


def stamp(moment: datetime) -> str:
    """A metav1.Time as the API writes it (whole seconds, UTC)."""
    return moment.astimezone(UTC).strftime(TIME_FORMAT)


def parse_time(text: object) -> datetime | None:
    """A metav1.Time or MicroTime, or None when missing or malformed (Go's zero time)."""
    if not isinstance(text, str) or not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def utc_now() -> datetime:
    return datetime.now(UTC)


# -- object helpers ------------------------------------------------------------------------------------


def meta(obj: Obj) -> Obj:
    value = obj.get("metadata")
    return value if isinstance(value, dict) else {}


def uid_of(obj: Obj) -> str:
    return str(meta(obj).get("uid") or "")


def namespace_of(obj: Obj) -> str:
    return str(meta(obj).get("namespace") or "")


def name_of(obj: Obj) -> str:
    return str(meta(obj).get("name") or "")


def labels_of(obj: Obj) -> dict[str, str]:
    """The object's labels as stored (the API made them strings): read them, do not change them."""
    labels = meta(obj).get("labels")
    return labels if isinstance(labels, dict) else {}


def deleting(obj: Obj) -> bool:
    return bool(meta(obj).get("deletionTimestamp"))


def created_at(obj: Obj) -> datetime:
    return parse_time(meta(obj).get("creationTimestamp")) or _ZERO_TIME


def by_creation(objs: Iterable[Obj]) -> list[Obj]:
    """Oldest first, names breaking ties (ReplicaSetsByCreationTimestamp)."""
    return sorted(objs, key=lambda obj: (created_at(obj), name_of(obj)))


def condition(obj: Obj, kind: str) -> Obj | None:
    """The status condition of type ``kind``, if there is one."""
    for cond in (obj.get("status") or {}).get("conditions") or []:
        if isinstance(cond, dict) and cond.get("type") == kind:
            return cond
    return None


def int_field(section: object, name: str, default: int = 0) -> int:
    """An integer field of a spec or status; missing, null or malformed reads as ``default``."""
    value = section.get(name) if isinstance(section, dict) else None
    if isinstance(value, bool) or not isinstance(value, int):
        return default
    return value


def controller_of(obj: Obj) -> Obj | None:
    """The owner reference with ``controller: true`` (metav1.GetControllerOf)."""
    for ref in meta(obj).get("ownerReferences") or []:
        if isinstance(ref, dict) and ref.get("controller"):
            return ref
    return None


def controller_ref(owner: Obj, api_version: str, kind: str) -> Obj:
    """A reference making ``owner`` the controller of a dependent (metav1.NewControllerRef): the
    garbage collector then deletes the dependent with it, and foreground deletion waits for it."""
    return {
        "apiVersion": api_version,
        "kind": kind,
        "name": name_of(owner),
        "uid": uid_of(owner),
        "controller": True,
        "blockOwnerDeletion": True,
    }


def selector_of(spec_selector: object) -> LabelSelector | None:
    """A metav1.LabelSelector as a selector; None (matching nothing) when it is empty or invalid, as
    the workload controllers treat a selector that validation should have refused."""
    if not isinstance(spec_selector, dict):
        return None
    try:
        selector = selector_from_label_selector(spec_selector)
    except errors.K3pyError:
        return None
    return None if selector.empty else selector


def selector_of_map(labels: object) -> LabelSelector | None:
    """A ReplicationController's plain-map selector; None when empty."""
    if not isinstance(labels, dict) or not labels:
        return None
    return LabelSelector(tuple(Requirement(str(k), "=", frozenset({str(v)})) for k, v in sorted(labels.items())))


# -- pods ----------------------------------------------------------------------------------------------


def is_pod_active(pod: Obj) -> bool:
    """Not finished and not being deleted: counted against the replicas (controller.IsPodActive)."""
    phase = (pod.get("status") or {}).get("phase")
    return phase not in ("Succeeded", "Failed") and not deleting(pod)


def is_pod_ready(pod: Obj) -> bool:
    cond = condition(pod, "Ready")
    return cond is not None and cond.get("status") == "True"


def ready_since(pod: Obj) -> datetime | None:
    """When a ready pod became ready (its Ready condition's lastTransitionTime); None otherwise."""
    cond = condition(pod, "Ready")
    if cond is None or cond.get("status") != "True":
        return None
    return parse_time(cond.get("lastTransitionTime"))


def available_in(pod: Obj, min_ready_seconds: int, now: datetime) -> float | None:
    """Seconds until ``pod`` counts as available: 0 once it is (ready for more than
    ``min_ready_seconds``, podutil.IsPodAvailable), None while it is not ready at all."""
    if not is_pod_ready(pod):
        return None
    if min_ready_seconds <= 0:
        return 0.0
    since = ready_since(pod)
    if since is None:
        return None  # ready without a transition time: never available (as Kubernetes decides)
    remaining = (since - now).total_seconds() + min_ready_seconds
    if remaining < 0:
        return 0.0
    return max(remaining, MIN_WAIT)  # exactly at the edge it is not available yet: strictly after


def is_pod_available(pod: Obj, min_ready_seconds: int, now: datetime) -> bool:
    return available_in(pod, min_ready_seconds, now) == 0.0


def _max_restarts(pod: Obj) -> int:
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    return max((int_field(s, "restartCount") for s in statuses if isinstance(s, dict)), default=0)


def _deletion_cost(pod: Obj) -> int:
    """The pod-deletion-cost annotation; unparsable or out of int32 range counts as 0, as the
    controller reads it (the API would have refused it)."""
    raw = (meta(pod).get("annotations") or {}).get(POD_DELETION_COST)
    try:
        cost = int(str(raw).strip()) if raw is not None else 0
    except ValueError:
        return 0
    return cost if -(2**31) <= cost < 2**31 else 0


def _node(pod: Obj) -> str:
    return str((pod.get("spec") or {}).get("nodeName") or "")


def _log_rank_diff(t1: datetime, t2: datetime, now: datetime) -> int:
    """Base-2 logarithmic ranks of two ages in nanoseconds (logarithmicRankDiff): pods of similar
    age rank equal, and then fall back to a pseudo-random order by uid."""

    def rank(moment: datetime) -> int:
        age = now - moment
        nanos = (age.days * 86400 + age.seconds) * 1_000_000_000 + age.microseconds * 1000
        return int(math.log2(nanos)) if nanos > 0 else -1

    return rank(t1) - rank(t2)


def _after_or_zero(t1: datetime | None, t2: datetime | None) -> bool:
    """Whether ``t1`` is after ``t2``; a zero (missing) time counts as after any other."""
    if t1 is None or t2 is None:
        return t1 is None
    return t1 > t2


@dataclass(frozen=True, slots=True)
class _Ranked:
    pod: Obj
    rank: int


def _deletes_first(a: _Ranked, b: _Ranked, now: datetime | None) -> bool:
    """Whether ``a`` should be deleted before ``b`` (ActivePodsWithRanks.Less, with the
    PodDeletionCost and LogarithmicScaleDown features on, as they are by default)."""
    pa, pb = a.pod, b.pod
    node_a, node_b = _node(pa), _node(pb)
    if node_a != node_b and (not node_a or not node_b):  # 1. unassigned < assigned
        return not node_a
    phase_a = _PHASE_ORDINAL.get(str((pa.get("status") or {}).get("phase")), 0)
    phase_b = _PHASE_ORDINAL.get(str((pb.get("status") or {}).get("phase")), 0)
    if phase_a != phase_b:  # 2. Pending < Unknown < Running
        return phase_a < phase_b
    ready_a, ready_b = is_pod_ready(pa), is_pod_ready(pb)
    if ready_a != ready_b:  # 3. not ready < ready
        return not ready_a
    cost_a, cost_b = _deletion_cost(pa), _deletion_cost(pb)
    if cost_a != cost_b:  # 4. lower deletion cost first
        return cost_a < cost_b
    if a.rank != b.rank:  # 5. doubled up (more related pods on its node) first
        return a.rank > b.rank
    if ready_a and ready_b:  # 6. ready for less time first
        since_a, since_b = ready_since(pa), ready_since(pb)
        if since_a != since_b:
            if now is None or since_a is None or since_b is None:
                return _after_or_zero(since_a, since_b)
            diff = _log_rank_diff(since_a, since_b, now)
            return uid_of(pa) < uid_of(pb) if diff == 0 else diff < 0
    restarts_a, restarts_b = _max_restarts(pa), _max_restarts(pb)
    if restarts_a != restarts_b:  # 7. more restarts first
        return restarts_a > restarts_b
    born_a = parse_time(meta(pa).get("creationTimestamp"))
    born_b = parse_time(meta(pb).get("creationTimestamp"))
    if born_a != born_b:  # 8. newer first
        if now is None or born_a is None or born_b is None:
            return _after_or_zero(born_a, born_b)
        diff = _log_rank_diff(born_a, born_b, now)
        return uid_of(pa) < uid_of(pb) if diff == 0 else diff < 0
    return False


def deletion_order(pods: Iterable[Obj], related: Iterable[Obj], now: datetime | None) -> list[Obj]:
    """``pods`` in the order a controller deletes them (getPodsRankedByRelatedPodsOnSameNode, then
    ActivePodsWithRanks): unscheduled, pending and not-ready pods first, then those sharing a node
    with more of their relatives, then the youngest. ``related`` are the pods of every controller
    with the same owner (a Deployment's ReplicaSets); ``now`` None compares times exactly."""
    on_node: dict[str, int] = {}
    for pod in related:
        if is_pod_active(pod):
            on_node[_node(pod)] = on_node.get(_node(pod), 0) + 1
    ranked = [_Ranked(pod, on_node.get(_node(pod), 0)) for pod in pods]

    def compare(a: _Ranked, b: _Ranked) -> int:
        if _deletes_first(a, b, now):
            return -1
        return 1 if _deletes_first(b, a, now) else 0

    return [item.pod for item in sorted(ranked, key=functools.cmp_to_key(compare))]


def pods_to_delete(pods: list[Obj], related: Iterable[Obj], count: int, now: datetime | None) -> list[Obj]:
    """The ``count`` pods to delete first (getPodsToDelete; no sorting when all of them go)."""
    if count >= len(pods):
        return list(pods)
    return deletion_order(pods, related, now)[:count]


def pod_from_template(template: Obj, owner: Obj, ref: Obj) -> Obj:
    """A pod to create for ``owner`` (controller.GetPodFromTemplate): the template's labels,
    annotations, finalizers and spec, a generated name ``<owner>-<5 random>``, and ``ref``."""
    found = template.get("metadata")
    template_meta: Obj = found if isinstance(found, dict) else {}
    metadata: Obj = {"generateName": f"{name_of(owner)}-", "ownerReferences": [ref]}
    for key in ("labels", "annotations", "finalizers"):
        value = template_meta.get(key)
        if value:
            metadata[key] = _copy(value)
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": _copy(template.get("spec") or {})}


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


# -- expectations ------------------------------------------------------------------------------------


@dataclass
class _Expected:
    creations: int
    deletions: int
    since: float
    pending: set[str] = field(default_factory=set)


class Expectations:
    """Creations and deletions a controller waits to see, per controller key (client-go's
    UIDTrackingControllerExpectations: deletions are tracked by pod key, so a pod first marked for
    deletion and later gone counts once)."""

    def __init__(
        self, *, timeout: float = EXPECTATIONS_TIMEOUT, clock: Callable[[], float] = trio.current_time
    ) -> None:
        self.timeout = timeout
        self.clock = clock
        self._expected: dict[str, _Expected] = {}

    def satisfied(self, key: str) -> bool:
        """Whether ``key`` may create or delete again: all seen, none recorded, or expired."""
        expected = self._expected.get(key)
        if expected is None or (expected.creations <= 0 and expected.deletions <= 0):
            return True
        if self.clock() - expected.since > self.timeout:
            logger.info("expectations of %s expired: %d creations, %d deletions unseen", key, *self.pending(key))
            return True
        return False

    def pending(self, key: str) -> tuple[int, int]:
        expected = self._expected.get(key)
        return (expected.creations, expected.deletions) if expected is not None else (0, 0)

    def expect_creations(self, key: str, count: int) -> None:
        self._expected[key] = _Expected(count, 0, self.clock())

    def expect_deletions(self, key: str, pod_keys: Iterable[str]) -> None:
        pending = set(pod_keys)
        self._expected[key] = _Expected(0, len(pending), self.clock(), pending)

    def creation_observed(self, key: str, count: int = 1) -> None:
        expected = self._expected.get(key)
        if expected is not None:
            expected.creations -= count

    def deletion_observed(self, key: str, pod_key: str) -> None:
        expected = self._expected.get(key)
        if expected is not None and pod_key in expected.pending:
            expected.pending.discard(pod_key)
            expected.deletions -= 1

    def forget(self, key: str) -> None:
        self._expected.pop(key, None)


# -- slow start ----------------------------------------------------------------------------------------


async def slow_start_batch(
    count: int, initial: int, call: Callable[[], Awaitable[None]], *, in_flight: int = MAX_IN_FLIGHT
) -> tuple[int, Exception | None]:
    """Call ``call`` ``count`` times in concurrent batches of 1, 2, 4... (slowStartBatch), stopping
    after the first batch with a failure, so that a quota or an admission error costs one request
    rather than hundreds. At most ``in_flight`` calls run at once. Returns the successes and the
    first failure.

    Cancellation: cancelling stops the current batch (the nursery cancels its calls)."""
    remaining, successes = count, 0
    batch = min(remaining, initial)
    limiter = trio.CapacityLimiter(in_flight)

    async def one(failures: list[Exception]) -> None:
        try:
            async with limiter:
                await call()
        except Exception as exc:  # a failure is a value here: counted, then reported by the caller
            failures.append(exc)

    while batch > 0:
        failures: list[Exception] = []
        async with trio.open_nursery() as nursery:
            for _ in range(batch):
                nursery.start_soon(one, failures)
        successes += batch - len(failures)
        if failures:
            return successes, failures[0]
        remaining -= batch
        batch = min(2 * batch, remaining)
    return successes, None


# -- events ------------------------------------------------------------------------------------------


class EventBudget:
    """How many events one component may record about one object: client-go's
    EventSourceObjectSpamFilter (a token bucket per object, 25 at once, then one per 5 minutes). A
    ReplicaSet scaled to 1,000 records a few dozen events, not 1,000 (each one a write to the
    store)."""

    def __init__(
        self,
        *,
        burst: int = EVENT_BURST,
        per_second: float = EVENT_RATE,
        clock: Callable[[], float] = trio.current_time,
        max_objects: int = 4096,
    ) -> None:
        self.burst = burst
        self.per_second = per_second
        self.clock = clock
        self.max_objects = max_objects
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, when)

    def allow(self, obj: Obj) -> bool:
        key = uid_of(obj) or f"{namespace_of(obj)}/{name_of(obj)}"
        now = self.clock()
        tokens, since = self._buckets.pop(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - since) * self.per_second)
        allowed = tokens >= 1.0
        self._buckets[key] = (tokens - 1.0 if allowed else tokens, now)  # most recent last
        if len(self._buckets) > self.max_objects:
            self._buckets.pop(next(iter(self._buckets)))
        return allowed


# -- indexes -------------------------------------------------------------------------------------------


class NamespaceIndex:
    """An informer's objects by namespace, kept by its handler (controllers look at one namespace at
    a time; scanning the whole cache per reconcile would cost O(cluster) each time)."""

    def __init__(self, informer: Informer) -> None:
        self._by_namespace: dict[str, dict[str, Obj]] = {}
        informer.on_change(self._observe)

    def _observe(self, old: Obj | None, new: Obj | None) -> None:
        if new is None:
            assert old is not None
            bucket = self._by_namespace.get(namespace_of(old))
            if bucket is not None:
                bucket.pop(name_of(old), None)
                if not bucket:
                    del self._by_namespace[namespace_of(old)]
        else:
            self._by_namespace.setdefault(namespace_of(new), {})[name_of(new)] = new

    def items(self, namespace: str) -> list[Obj]:
        return list(self._by_namespace.get(namespace, {}).values())


class OwnerIndex:
    """An informer's objects by the uid of their controller, and those without one by namespace.

    What a controller may claim is exactly what it controls plus the orphans of its namespace
    (anything else has another controller), so a reconcile looks at its own pods, not at every
    pod of the namespace: claiming stays linear in the size of one ReplicaSet.
    """

    def __init__(self, informer: Informer) -> None:
        self._owned: dict[str, dict[str, Obj]] = {}
        self._orphans: dict[str, dict[str, Obj]] = {}
        self._where: dict[str, tuple[dict[str, dict[str, Obj]], str]] = {}
        informer.on_change(self._observe)

    def _observe(self, old: Obj | None, new: Obj | None) -> None:
        obj = new if new is not None else old
        assert obj is not None
        key = f"{namespace_of(obj)}/{name_of(obj)}"
        previous = self._where.pop(key, None)
        if previous is not None:
            table, bucket_key = previous
            bucket = table.get(bucket_key)
            if bucket is not None:
                bucket.pop(key, None)
                if not bucket:
                    del table[bucket_key]
        if new is None:
            return
        ref = controller_of(new)
        table, bucket_key = (
            (self._owned, str(ref.get("uid"))) if ref is not None else (self._orphans, namespace_of(new))
        )
        table.setdefault(bucket_key, {})[key] = new
        self._where[key] = (table, bucket_key)

    def owned_by(self, uid: str) -> list[Obj]:
        return list(self._owned.get(uid, {}).values())

    def orphans(self, namespace: str) -> list[Obj]:
        return list(self._orphans.get(namespace, {}).values())


class LatestWrites:
    """What controllers last wrote, per object, until their cache shows it or something newer.

    A reconcile that runs before the informer delivered the controller's own last write would
    otherwise start from a stale copy, and its next write would only earn a 409. Versions are
    compared as numbers: k3py's resourceVersion is the store's revision (ARCHITECTURE section 3);
    anything else leaves the cached copy in charge. Controllers writing the same kind share one.
    """

    def __init__(self) -> None:
        self._written: dict[str, Obj] = {}

    def wrote(self, obj: Obj) -> Obj:
        self._written[f"{namespace_of(obj)}/{name_of(obj)}"] = obj
        return obj

    def newest(self, cached: Obj) -> Obj:
        """``cached``, or the version written since if the cache has not caught up with it."""
        key = f"{namespace_of(cached)}/{name_of(cached)}"
        written = self._written.get(key)
        if written is None:
            return cached
        if uid_of(written) == uid_of(cached) and _revision(written) > _revision(cached):
            return written
        del self._written[key]  # caught up (or another object by that name): the cache is right
        return cached

    def forget(self, obj: Obj) -> None:
        self._written.pop(f"{namespace_of(obj)}/{name_of(obj)}", None)


def _revision(obj: Obj) -> int:
    text = str(meta(obj).get("resourceVersion") or "")
    return int(text) if text.isdigit() else -1


# -- claiming ------------------------------------------------------------------------------------------


@dataclass
class RefManager:
    """Adopts orphans that match a controller's selector and releases what it owns that no longer
    matches (ControllerRefManager.ClaimObject), writing the owner references with JSON patches that
    test what they change, so a concurrent writer makes the patch fail instead of being overwritten."""

    client: Client
    owner: Obj
    owner_api_version: str
    owner_kind: str
    selector: LabelSelector | None
    #: the dependents' resource (``v1``, ``pods``)
    api_version: str
    plural: str
    #: a live check that the owner may adopt (not being deleted, still the same object); run at most once
    can_adopt: Callable[[], Awaitable[None]]
    _checked: bool = False

    def matches(self, obj: Obj) -> bool:
        return self.selector is not None and self.selector.matches(labels_of(obj))

    async def claim(self, candidates: Iterable[Obj]) -> list[Obj]:
        """The candidates the owner controls once adoptions and releases are written (the written
        version of what was adopted). Raises the first adoption failure, as ClaimObject reports it."""
        claimed: list[Obj] = []
        failure: errors.K3pyError | None = None
        owner_uid = uid_of(self.owner)
        for obj in candidates:
            ref = controller_of(obj)
            if ref is not None:
                if str(ref.get("uid")) != owner_uid:
                    continue  # another controller's
                if self.matches(obj):
                    claimed.append(obj)
                elif not deleting(self.owner):
                    await self._release(obj)
                continue
            if deleting(self.owner) or not self.matches(obj) or deleting(obj):
                continue
            if namespace_of(obj) != namespace_of(self.owner):
                continue
            try:
                adopted = await self._adopt(obj)
            except errors.K3pyError as exc:
                failure = failure or exc
                continue
            if adopted is not None:
                claimed.append(adopted)
        if failure is not None:
            raise failure
        return claimed

    async def _adopt(self, obj: Obj) -> Obj | None:
        if not self._checked:
            await self.can_adopt()
            self._checked = True
        ref = controller_ref(self.owner, self.owner_api_version, self.owner_kind)
        refs = meta(obj).get("ownerReferences")
        operations: list[Obj] = [{"op": "test", "path": "/metadata/uid", "value": uid_of(obj)}]
        if isinstance(refs, list) and refs:
            operations += [
                {"op": "test", "path": "/metadata/ownerReferences", "value": refs},
                {"op": "add", "path": "/metadata/ownerReferences/-", "value": ref},
            ]
        else:  # nothing to test a list against: test the whole object's revision instead
            operations += [
                {"op": "test", "path": "/metadata/resourceVersion", "value": meta(obj).get("resourceVersion")},
                {"op": "add", "path": "/metadata/ownerReferences", "value": [ref]},
            ]
        logger.info(
            "%s %s/%s adopts %s %s", self.owner_kind, namespace_of(obj), name_of(self.owner), self.plural, name_of(obj)
        )
        try:
            return await self.client.patch(
                self.api_version,
                self.plural,
                name_of(obj),
                operations,
                namespace=namespace_of(obj),
                patch_type=JSON_PATCH,
            )
        except errors.NotFound:
            return None  # gone meanwhile: nothing to adopt

    async def _release(self, obj: Obj) -> None:
        refs = meta(obj).get("ownerReferences") or []
        owner_uid = uid_of(self.owner)
        index = next(i for i, ref in enumerate(refs) if isinstance(ref, dict) and str(ref.get("uid")) == owner_uid)
        operations = [
            {"op": "test", "path": "/metadata/uid", "value": uid_of(obj)},
            {"op": "test", "path": f"/metadata/ownerReferences/{index}/uid", "value": owner_uid},
            {"op": "remove", "path": f"/metadata/ownerReferences/{index}"},
        ]
        logger.info(
            "%s %s/%s releases %s %s",
            self.owner_kind,
            namespace_of(obj),
            name_of(self.owner),
            self.plural,
            name_of(obj),
        )
        # gone, or changed hands meanwhile (ReleasePod ignores both): the next sync sees it
        with contextlib.suppress(errors.NotFound, errors.Invalid):
            await self.client.patch(
                self.api_version,
                self.plural,
                name_of(obj),
                operations,
                namespace=namespace_of(obj),
                patch_type=JSON_PATCH,
            )


def recheck_owner(client: Client, api_version: str, plural: str, owner: Obj) -> Callable[[], Awaitable[None]]:
    """A live read making sure ``owner`` is neither being deleted nor replaced by a namesake before
    it adopts anything (RecheckDeletionTimestamp: the cache may not show a deletion yet)."""

    async def check() -> None:
        fresh = await client.get(api_version, plural, name_of(owner), namespace=namespace_of(owner))
        if uid_of(fresh) != uid_of(owner):
            raise errors.Conflict(
                f"original {plural} {namespace_of(owner)}/{name_of(owner)} is gone: "
                f"got uid {uid_of(fresh)}, wanted {uid_of(owner)}"
            )
        if deleting(fresh):
            raise errors.Conflict(
                f"{plural} {namespace_of(owner)}/{name_of(owner)} has just been deleted "
                f"at {meta(fresh).get('deletionTimestamp')}"
            )

    return check
