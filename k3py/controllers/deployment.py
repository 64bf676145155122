"""The Deployment controller: rollouts of a pod template through ReplicaSets, as Kubernetes does them.

Each template gets a ReplicaSet named ``<deployment>-<pod-template-hash>``; a rollout scales the
new one up and the old ones down, within ``maxSurge`` and ``maxUnavailable`` (RollingUpdate) or
all old ones to zero first (Recreate). What the controller writes is what kubectl and other
clients read: the revision annotations on the ReplicaSets and the Deployment
(``deployment.kubernetes.io/revision``, ``revision-history``, ``desired-replicas``,
``max-replicas``), the status counts, the Progressing and Available conditions, and
``ScalingReplicaSet`` events. ``kubectl rollout undo`` works client-side by copying an old
ReplicaSet's template back into the Deployment; this controller then finds that ReplicaSet again
(templates are compared semantically, ignoring the hash label) and gives it the next revision.

Theory of operation: ``reconcile(key)`` follows kube-controller-manager's ``syncDeployment``:
claim the ReplicaSets (adopt matching orphans, release those that stopped matching); while the
Deployment is being deleted only write its status; otherwise record pause and resume in the
Progressing condition, scale proportionally on scaling events and while paused, else roll out.
The arithmetic and the status are pure functions (``plan_*``, :func:`rollout_status`...), ported
from Kubernetes' ``pkg/controller/deployment`` (Apache-2.0, The Kubernetes Authors);
:class:`DeploymentController` does the I/O, through the Client only. One reconcile keeps its own
view of the objects it wrote (:class:`_Pass`), so it never writes over its own writes.

The pod-template-hash: Kubernetes hashes the template as Go's spew prints it (FNV-32a), which
cannot be reproduced outside Go. Here the hash is FNV-32a of the template's canonical JSON (keys
sorted, no whitespace, nulls and empty maps and lists left out, so kubectl's round trips through
Go types do not change it), then the collision count as 4 little-endian bytes when there is one,
written as Kubernetes writes it (the decimal digits mapped onto ``bcdfghjklmnpqrstvwxz2456789``).
Hashes therefore look like Kubernetes' but differ from what a real cluster would compute for the
same template; nothing relies on them being equal, only on them being stable.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import json
import logging
import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import trio

from k3py.controllers import podcontrol as pc
from k3py.controllers.events import NORMAL, WARNING, EventRecorder
from k3py.controllers.informer import Informer, key_of
from k3py.controllers.workqueue import WorkQueue, run_worker
from k3py.core import errors

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence
    from datetime import datetime

    from k3py.api.client import Client
    from k3py.core.selectors import LabelSelector

logger = logging.getLogger(__name__)

Obj = dict[str, Any]

APPS = "apps/v1"
HASH_LABEL = "pod-template-hash"
REVISION = "deployment.kubernetes.io/revision"
REVISION_HISTORY = "deployment.kubernetes.io/revision-history"
DESIRED_REPLICAS = "deployment.kubernetes.io/desired-replicas"
MAX_REPLICAS = "deployment.kubernetes.io/max-replicas"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
ROLLBACK_TO = "deprecated.deployment.rollback.to"
#: annotations of a Deployment not copied to its ReplicaSets (and kept by kubectl rollout undo)
ANNOTATIONS_TO_SKIP = frozenset({LAST_APPLIED, REVISION, REVISION_HISTORY, DESIRED_REPLICAS, MAX_REPLICAS, ROLLBACK_TO})
# The revision-history annotation is cut to about 100 revisions (sync.go's maxRevHistoryLengthInChars).
MAX_REVISION_HISTORY_CHARS = 2000
MAX_INT32 = 2**31 - 1
ROLLING_UPDATE, RECREATE = "RollingUpdate", "Recreate"
# The API's defaults (apps/v1 SetDefaults_Deployment); the API does not fill them in yet, so the
# controller reads a Deployment through them.
DEFAULT_MAX_SURGE = DEFAULT_MAX_UNAVAILABLE = "25%"
DEFAULT_REVISION_HISTORY_LIMIT = 10
DEFAULT_PROGRESS_DEADLINE_SECONDS = 600

PROGRESSING, AVAILABLE, REPLICA_FAILURE = "Progressing", "Available", "ReplicaFailure"
# Condition reasons, as kubectl and dashboards match them.
REPLICA_SET_UPDATED = "ReplicaSetUpdated"
FAILED_RS_CREATE = "ReplicaSetCreateError"
NEW_REPLICA_SET = "NewReplicaSetCreated"
FOUND_NEW_RS = "FoundNewReplicaSet"
NEW_RS_AVAILABLE = "NewReplicaSetAvailable"
TIMED_OUT = "ProgressDeadlineExceeded"
PAUSED = "DeploymentPaused"
RESUMED = "DeploymentResumed"
MINIMUM_REPLICAS_AVAILABLE = "MinimumReplicasAvailable"
MINIMUM_REPLICAS_UNAVAILABLE = "MinimumReplicasUnavailable"
SCALING_REPLICA_SET = "ScalingReplicaSet"
COMPONENT = "deployment-controller"
# Parallel reconciles; the queue never gives one Deployment to two workers. Kubernetes runs 5.
WORKERS = 4
# A stuck rollout is looked at again this long after its deadline, against clock skew (requeueStuckDeployment).
DEADLINE_MARGIN = 1.0
_INT = re.compile(r"[+-]?\d+")
_PERCENT = re.compile(r"([+-]?\d+)%")


class InvalidSpec(ValueError):
    """A Deployment the API should have refused (an unparsable maxSurge, an unknown strategy)."""


# -- the spec --------------------------------------------------------------------------------------


def _section(obj: Obj, name: str) -> Obj:
    """``obj[name]`` if it is a dict, else an empty one (for reading)."""
    value = obj.get(name)
    return value if isinstance(value, dict) else {}


def _dict(parent: Obj, name: str) -> Obj:
    """``parent[name]`` as a dict, made one when missing or null."""
    value = parent.get(name)
    if not isinstance(value, dict):
        value = parent[name] = {}
    return value


def defaulted(deployment: Obj) -> Obj:
    """A copy of ``deployment`` with the API's defaults filled in where its spec has none."""
    d = copy.deepcopy(deployment)
    spec = _dict(d, "spec")
    for name, default in (
        ("replicas", 1),
        ("revisionHistoryLimit", DEFAULT_REVISION_HISTORY_LIMIT),
        ("progressDeadlineSeconds", DEFAULT_PROGRESS_DEADLINE_SECONDS),
        ("minReadySeconds", 0),
    ):
        if spec.get(name) is None:
            spec[name] = default
    strategy = _dict(spec, "strategy")
    if not strategy.get("type"):
        strategy["type"] = ROLLING_UPDATE
    if strategy["type"] == ROLLING_UPDATE:
        rolling = _dict(strategy, "rollingUpdate")
        for param in ("maxSurge", "maxUnavailable"):
            if rolling.get(param) is None:
                rolling[param] = DEFAULT_MAX_SURGE if param == "maxSurge" else DEFAULT_MAX_UNAVAILABLE
    _dict(d, "metadata")
    _dict(d, "status")
    return d


def replicas(obj: Obj | None) -> int:
    """``spec.replicas`` of a Deployment or ReplicaSet (1 when unset, as the API defaults it)."""
    return 0 if obj is None else pc.int_field(obj.get("spec"), "replicas", 1)


def status_count(obj: Obj | None, name: str) -> int:
    return 0 if obj is None else pc.int_field(obj.get("status"), name)


def generation(obj: Obj) -> int:
    return pc.int_field(obj.get("metadata"), "generation")


def annotations_of(obj: Obj) -> dict[str, str]:
    value = pc.meta(obj).get("annotations")
    return value if isinstance(value, dict) else {}


def strategy_type(d: Obj) -> str:
    return str(((d.get("spec") or {}).get("strategy") or {}).get("type") or ROLLING_UPDATE)


def is_rolling(d: Obj) -> bool:
    return strategy_type(d) == ROLLING_UPDATE


def scaled_value(value: object, total: int, *, round_up: bool) -> int:
    """An int-or-percent (maxSurge, maxUnavailable) against ``total`` (GetScaledValueFromIntOrPercent):
    percentages round up for surge, down for unavailability."""
    if isinstance(value, bool):
        raise InvalidSpec(f"invalid value for IntOrString: {value!r}")
    if isinstance(value, int):
        return value
    match = _PERCENT.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise InvalidSpec(f"invalid value for IntOrString: invalid type: string is not a percentage: {value!r}")
    part = int(match.group(1)) * total
    return -(-part // 100) if round_up else part // 100


def resolve_fenceposts(max_surge: object, max_unavailable: object, desired: int) -> tuple[int, int]:
    """maxSurge and maxUnavailable as numbers of pods (ResolveFenceposts). Both resolving to zero
    (a small percentage rounded down) would stall a rollout: then one pod may be unavailable."""
    surge = scaled_value(0 if max_surge is None else max_surge, desired, round_up=True)
    unavailable = scaled_value(0 if max_unavailable is None else max_unavailable, desired, round_up=False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


def _rolling_params(d: Obj) -> Obj:
    return ((d.get("spec") or {}).get("strategy") or {}).get("rollingUpdate") or {}


def max_surge(d: Obj) -> int:
    if not is_rolling(d):
        return 0
    params = _rolling_params(d)
    return resolve_fenceposts(params.get("maxSurge"), params.get("maxUnavailable"), replicas(d))[0]


def max_unavailable(d: Obj) -> int:
    if not is_rolling(d) or replicas(d) == 0:
        return 0
    params = _rolling_params(d)
    unavailable = resolve_fenceposts(params.get("maxSurge"), params.get("maxUnavailable"), replicas(d))[1]
    return min(unavailable, replicas(d))


def has_progress_deadline(d: Obj) -> bool:
    value = (d.get("spec") or {}).get("progressDeadlineSeconds")
    return isinstance(value, int) and value != MAX_INT32


def has_revision_history_limit(d: Obj) -> bool:
    value = (d.get("spec") or {}).get("revisionHistoryLimit")
    return isinstance(value, int) and value != MAX_INT32


# -- templates and the hash ------------------------------------------------------------------------


def semantic(value: Any) -> Any:
    """``value`` without nulls, empty maps and empty lists in maps: what Go's typed decoding makes
    equal (``creationTimestamp: null``, ``resources: {}`` from a kubectl round trip)."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            item = semantic(item)
            if item is not None and item != {} and item != []:
                out[key] = item
        return out
    if isinstance(value, list):
        return [semantic(item) for item in value]
    return value


def _without_hash(template: object) -> Any:
    clean: Obj = semantic(template) if isinstance(template, dict) else {}
    metadata = clean.get("metadata") or {}
    labels = metadata.get("labels")
    if isinstance(labels, dict) and HASH_LABEL in labels:
        labels = {k: v for k, v in labels.items() if k != HASH_LABEL}
        clean["metadata"] = semantic({**metadata, "labels": labels})
    return semantic(clean)


def equal_ignore_hash(template1: object, template2: object) -> bool:
    """Whether two pod templates are the same but for the pod-template-hash label (EqualIgnoreHash)."""
    return bool(_without_hash(template1) == _without_hash(template2))


def fnv32a(data: bytes) -> int:
    value = 0x811C9DC5
    for byte in data:
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


_SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"  # apimachinery's rand alphanums: no vowels, no 0, 1, 3


def safe_encode(text: str) -> str:
    """apimachinery's rand.SafeEncodeString: each byte mapped onto an alphabet that cannot spell words."""
    return "".join(_SAFE_ALPHABET[byte % len(_SAFE_ALPHABET)] for byte in text.encode())


def pod_template_hash(template: object, collision_count: int | None) -> str:
    """The pod-template-hash label value of ``template`` (see the module docstring for how it
    differs from Kubernetes' own)."""
    canonical = json.dumps(semantic(template), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    data = canonical.encode()
    if collision_count is not None:
        data += (collision_count & 0xFFFFFFFF).to_bytes(4, "little")
    return safe_encode(str(fnv32a(data)))


# -- ReplicaSets -------------------------------------------------------------------------------------


def _parse_int(text: object) -> int | None:
    return int(text) if isinstance(text, str) and _INT.fullmatch(text) else None


def revision(obj: Obj) -> int | None:
    """The revision annotation: 0 when missing, None when unparsable (Revision's error)."""
    raw = annotations_of(obj).get(REVISION)
    return 0 if raw is None else _parse_int(raw)


def max_revision(rss: Iterable[Obj]) -> int:
    return max((r for rs in rss if (r := revision(rs)) is not None), default=0)


def find_new_rs(d: Obj, rss: Iterable[Obj]) -> Obj | None:
    """The oldest ReplicaSet whose template is the Deployment's (FindNewReplicaSet)."""
    template = (d.get("spec") or {}).get("template")
    for rs in pc.by_creation(rss):
        if equal_ignore_hash((rs.get("spec") or {}).get("template"), template):
            return rs
    return None


def find_old_rss(d: Obj, rss: Sequence[Obj]) -> tuple[list[Obj], list[Obj]]:
    """The old ReplicaSets with pods, and all of them (FindOldReplicaSets)."""
    new = find_new_rs(d, rss)
    old = [rs for rs in rss if new is None or pc.uid_of(rs) != pc.uid_of(new)]
    return [rs for rs in old if replicas(rs) != 0], old


def active(rss: Iterable[Obj | None]) -> list[Obj]:
    """The ReplicaSets that should have pods (FilterActiveReplicaSets)."""
    return [rs for rs in rss if rs is not None and replicas(rs) > 0]


def set_replicas_annotations(rs: Obj, desired: int, maximum: int) -> bool:
    found = _dict(_dict(rs, "metadata"), "annotations")
    changed = False
    for name, value in ((DESIRED_REPLICAS, str(desired)), (MAX_REPLICAS, str(maximum))):
        if found.get(name) != value:
            found[name] = value
            changed = True
    return changed


def replicas_annotations_need_update(rs: Obj, desired: int, maximum: int) -> bool:
    found = annotations_of(rs)
    return found.get(DESIRED_REPLICAS) != str(desired) or found.get(MAX_REPLICAS) != str(maximum)


def set_new_rs_annotations(d: Obj, rs: Obj, new_revision: str, *, exists: bool) -> bool:
    """Bring the new ReplicaSet's annotations up to date (SetNewReplicaSetAnnotations): the
    Deployment's own (but those in :data:`ANNOTATIONS_TO_SKIP`), a revision raised to
    ``new_revision`` with the one it replaces kept in the revision history (a rollback to it), and,
    for one about to be created, desired-replicas and max-replicas. Returns whether any changed."""
    found = _dict(_dict(rs, "metadata"), "annotations")
    changed = False
    for key, value in annotations_of(d).items():
        if key in ANNOTATIONS_TO_SKIP or found.get(key) == value:
            continue
        found[key] = value
        changed = True
    had_revision = REVISION in found
    old_text = str(found.get(REVISION, ""))
    old = _parse_int(old_text)
    if old is None:
        if old_text:
            logger.info("replica set %s: revision %r is not a number; left alone", pc.name_of(rs), old_text)
            return False
        old = 0
    new = _parse_int(new_revision)
    if new is None:
        return False
    if old < new:
        found[REVISION] = new_revision
        changed = True
        if had_revision:  # a rollback to this ReplicaSet: remember the revisions it served
            history = str(found.get(REVISION_HISTORY, ""))
            previous = history.split(",")
            if not previous[0]:
                found[REVISION_HISTORY] = old_text
            else:
                total, start = len(history) + len(old_text) + 1, 0
                while total > MAX_REVISION_HISTORY_CHARS and start < len(previous):
                    total -= len(previous[start]) + 1
                    start += 1
                if total <= MAX_REVISION_HISTORY_CHARS:
                    found[REVISION_HISTORY] = ",".join([*previous[start:], old_text])
    if not exists and set_replicas_annotations(rs, replicas(d), replicas(d) + max_surge(d)):
        changed = True
    return changed


def new_rs_new_replicas(d: Obj, all_rss: Iterable[Obj], new_rs: Obj) -> int:
    """How many replicas the new ReplicaSet may have now (NewRSNewReplicas): up to the surge limit
    for RollingUpdate, all of them for Recreate."""
    kind = strategy_type(d)
    if kind == ROLLING_UPDATE:
        surge = scaled_value(_rolling_params(d).get("maxSurge", 0), replicas(d), round_up=True)
        current = sum(replicas(rs) for rs in all_rss)
        max_total = replicas(d) + surge
        if current >= max_total:
            return replicas(new_rs)
        return replicas(new_rs) + min(max_total - current, replicas(d) - replicas(new_rs))
    if kind == RECREATE:
        return replicas(d)
    raise InvalidSpec(f"deployment type {kind} isn't supported")


def is_saturated(d: Obj, rs: Obj | None) -> bool:
    """Whether the new ReplicaSet holds and runs every desired replica (IsSaturated)."""
    if rs is None:
        return False
    desired = _parse_int(annotations_of(rs).get(DESIRED_REPLICAS))
    return desired == replicas(d) == replicas(rs) and status_count(rs, "availableReplicas") == replicas(d)


def find_active_or_latest(new_rs: Obj | None, old_rss: Sequence[Obj]) -> Obj | None:
    """The only ReplicaSet with pods, or the newest when none has any; None with several."""
    if new_rs is None and not old_rss:
        return None
    newest_first = list(reversed(pc.by_creation(old_rss)))
    running = active([*newest_first, new_rs])
    if not running:
        return new_rs if new_rs is not None else newest_first[0]
    return running[0] if len(running) == 1 else None


def desired_annotation(rs: Obj) -> int | None:
    return _parse_int(annotations_of(rs).get(DESIRED_REPLICAS))


def is_scaling_event(d: Obj, rss: Iterable[Obj | None]) -> bool:
    """Whether ``spec.replicas`` changed since the active ReplicaSets were last sized (isScalingEvent)."""
    return any((desired := desired_annotation(rs)) is not None and desired != replicas(d) for rs in active(rss))


def _max_replicas_annotation(rs: Obj) -> int | None:
    return _parse_int(annotations_of(rs).get(MAX_REPLICAS))


def _round(value: float) -> int:
    """integer.RoundToInt32: halves away from zero."""
    return int(value - 0.5) if value < 0 else int(value + 0.5)


def replica_set_fraction(rs: Obj, d: Obj) -> int:
    """How many replicas ``rs`` gains (or loses) in a proportional scaling (getReplicaSetFraction)."""
    if replicas(d) == 0:
        return -replicas(rs)
    deployment_replicas = replicas(d) + max_surge(d)
    annotated = _max_replicas_annotation(rs)
    if annotated is None:
        annotated = status_count(d, "replicas")
    if annotated <= 0:
        return 0  # proportions of nothing: leave it to the leftover on the largest ReplicaSet
    return _round(replicas(rs) * deployment_replicas / annotated) - replicas(rs)


def proportion(rs: Obj, d: Obj, to_add: int, added: int) -> int:
    """``rs``'s share of ``to_add`` replicas, ``added`` of which are handed out already (GetProportion)."""
    if replicas(rs) == 0 or to_add == 0 or to_add == added:
        return 0
    fraction = replica_set_fraction(rs, d)
    allowed = to_add - added
    return min(fraction, allowed) if to_add > 0 else max(fraction, allowed)


def _by_size(rss: list[Obj], *, newer_first: bool) -> list[Obj]:
    """Largest first; among equals newer first (ReplicaSetsBySizeNewer) or older first (...Older)."""

    def compare(a: Obj, b: Obj) -> int:
        if replicas(a) != replicas(b):
            return -1 if replicas(a) > replicas(b) else 1
        ka, kb = (pc.created_at(a), pc.name_of(a)), (pc.created_at(b), pc.name_of(b))
        if ka == kb:
            return 0
        older = -1 if ka < kb else 1
        return -older if newer_first else older

    return sorted(rss, key=functools.cmp_to_key(compare))


@dataclass(frozen=True, slots=True)
class ScalePlan:
    """ReplicaSet sizes to write, in order. ``operation`` ("up", "down" or "") names the scaling in
    events of a proportional plan, whose steps are written even at an unchanged size (to update
    the replica annotations); other plans skip those and name each step by its direction."""

    steps: tuple[tuple[Obj, int], ...]
    proportional: bool = False
    operation: str = ""


def plan_scale(d: Obj, new_rs: Obj | None, old_rss: Sequence[Obj]) -> ScalePlan:
    """A scaling event (or a paused Deployment): sizes for the ReplicaSets (sync.go's scale). With
    one active ReplicaSet it gets all replicas; with a saturated new one the old ones go to zero;
    during a rolling update the change is shared out in proportion to their sizes, the leftover
    going to the largest."""
    latest = find_active_or_latest(new_rs, old_rss)
    if latest is not None:
        return ScalePlan(() if replicas(latest) == replicas(d) else ((latest, replicas(d)),))
    if is_saturated(d, new_rs):
        return ScalePlan(tuple((rs, 0) for rs in active(old_rss)))
    if not is_rolling(d):
        return ScalePlan(())
    running = active([*old_rss, new_rs])
    allowed = replicas(d) + max_surge(d) if replicas(d) > 0 else 0
    to_add = allowed - sum(replicas(rs) for rs in running)
    operation = ""
    if to_add > 0:
        running, operation = _by_size(running, newer_first=True), "up"
    elif to_add < 0:
        running, operation = _by_size(running, newer_first=False), "down"
    sizes: list[int] = []
    added = 0
    for rs in running:
        share = proportion(rs, d, to_add, added) if to_add else 0
        sizes.append(replicas(rs) + share)
        added += share
    if running and to_add:
        sizes[0] = max(sizes[0] + to_add - added, 0)
    return ScalePlan(tuple(zip(running, sizes, strict=True)), proportional=True, operation=operation)


def plan_old_scale_down(d: Obj, all_rss: Sequence[Obj], old_rss: Sequence[Obj], new_rs: Obj) -> list[tuple[Obj, int]]:
    """New sizes for the old (active) ReplicaSets of a rolling update (reconcileOldReplicaSets):
    first their unavailable pods, which costs no availability, then available ones while more
    than ``replicas - maxUnavailable`` pods are available, oldest ReplicaSets first. Pods the new
    ReplicaSet has not made available yet count against the budget, so a broken new template
    does not eat the old pods. Each ReplicaSet appears once, with its final size."""
    if sum(replicas(rs) for rs in old_rss) == 0:
        return []
    min_available = replicas(d) - max_unavailable(d)
    new_unavailable = replicas(new_rs) - status_count(new_rs, "availableReplicas")
    budget = sum(replicas(rs) for rs in all_rss) - min_available - new_unavailable
    if budget <= 0:
        return []
    ordered = pc.by_creation(old_rss)
    sizes = {pc.uid_of(rs): replicas(rs) for rs in ordered}
    cleaned = 0
    for rs in ordered:  # cleanupUnhealthyReplicas
        if cleaned >= budget:
            break
        size, available = sizes[pc.uid_of(rs)], status_count(rs, "availableReplicas")
        if size == 0 or size == available:
            continue
        count = min(budget - cleaned, size - available)
        sizes[pc.uid_of(rs)] = size - count
        cleaned += count
    # availability counts the new ReplicaSet and the active old ones (inactive ones may lag behind)
    available_pods = status_count(new_rs, "availableReplicas")
    available_pods += sum(status_count(rs, "availableReplicas") for rs in ordered)
    if available_pods > min_available:  # scaleDownOldReplicaSetsForRollingUpdate
        allowed, removed = available_pods - min_available, 0
        for rs in ordered:
            if removed >= allowed:
                break
            size = sizes[pc.uid_of(rs)]
            if size == 0:
                continue
            count = min(size, allowed - removed)
            sizes[pc.uid_of(rs)] = size - count
            removed += count
    return [(rs, sizes[pc.uid_of(rs)]) for rs in ordered if sizes[pc.uid_of(rs)] != replicas(rs)]


def _by_revision(rss: Iterable[Obj]) -> list[Obj]:
    """Oldest revision first; unparsable or equal revisions by creation (ReplicaSetsByRevision)."""

    def compare(a: Obj, b: Obj) -> int:
        ra, rb = revision(a), revision(b)
        if ra is None or rb is None or ra == rb:
            ka, kb = (pc.created_at(a), pc.name_of(a)), (pc.created_at(b), pc.name_of(b))
            return (ka > kb) - (ka < kb)
        return -1 if ra < rb else 1

    return sorted(rss, key=functools.cmp_to_key(compare))


def plan_history_cleanup(d: Obj, old_rss: Iterable[Obj]) -> list[Obj]:
    """The old ReplicaSets to delete beyond ``revisionHistoryLimit`` (cleanupDeployment): the oldest
    revisions, and only those scaled to zero whose controller has seen that."""
    if not has_revision_history_limit(d):
        return []
    cleanable = [rs for rs in old_rss if not pc.deleting(rs)]
    excess = len(cleanable) - pc.int_field(d.get("spec"), "revisionHistoryLimit")
    if excess <= 0:
        return []
    return [
        rs
        for rs in _by_revision(cleanable)[:excess]
        if status_count(rs, "replicas") == 0
        and replicas(rs) == 0
        and generation(rs) <= status_count(rs, "observedGeneration")
        and not pc.deleting(rs)
    ]


def old_pods_running(new_rs: Obj | None, old_rss: Iterable[Obj], pod_map: dict[str, list[Obj]]) -> bool:
    """Whether an old ReplicaSet still counts pods or any of its pods is not finished (oldPodsRunning):
    Recreate waits for that before it starts new pods."""
    if sum(status_count(rs, "replicas") for rs in old_rss) > 0:
        return True
    new_uid = pc.uid_of(new_rs) if new_rs is not None else None
    return any(
        (pod.get("status") or {}).get("phase") not in ("Failed", "Succeeded")
        for uid, pods in pod_map.items()
        if uid != new_uid
        for pod in pods
    )


# -- status ------------------------------------------------------------------------------------------


def new_condition(kind: str, status: str, reason: str, message: str, now: datetime) -> Obj:
    moment = pc.stamp(now)
    return {
        "type": kind,
        "status": status,
        "lastUpdateTime": moment,
        "lastTransitionTime": moment,
        "reason": reason,
        "message": message,
    }


def get_condition(status: Obj, kind: str) -> Obj | None:
    for cond in status.get("conditions") or []:
        if isinstance(cond, dict) and cond.get("type") == kind:
            return cond
    return None


def set_condition(status: Obj, cond: Obj) -> None:
    """Set ``cond`` unless one of its type has the same status and reason (SetDeploymentCondition);
    the transition time stays while the status does."""
    current = get_condition(status, cond["type"])
    if current is not None and current.get("status") == cond["status"] and current.get("reason") == cond["reason"]:
        return
    if current is not None and current.get("status") == cond["status"]:
        cond = {**cond, "lastTransitionTime": current.get("lastTransitionTime")}
    remove_condition(status, cond["type"])
    status["conditions"] = [*status.get("conditions", []), cond]


def remove_condition(status: Obj, kind: str) -> None:
    status["conditions"] = [c for c in status.get("conditions") or [] if c.get("type") != kind]


def compact_status(status: object) -> Obj:
    """A Deployment status as Go writes it: zero counts and empty lists omitted (collisionCount, a
    pointer, kept even at zero), so statuses compare equal however they were written."""
    if not isinstance(status, dict):
        return {}
    return {k: v for k, v in status.items() if (k == "collisionCount" and v is not None) or v not in (0, None, [], {})}


def calculate_status(all_rss: Sequence[Obj], new_rs: Obj | None, d: Obj, now: datetime) -> Obj:
    """The Deployment's status from its ReplicaSets' (calculateStatus), the Available condition
    included; other conditions are kept as they are."""
    available = sum(status_count(rs, "availableReplicas") for rs in all_rss)
    total = sum(replicas(rs) for rs in all_rss)
    old = _section(d, "status")
    status: Obj = {
        "observedGeneration": generation(d),
        "replicas": sum(status_count(rs, "replicas") for rs in all_rss),
        "updatedReplicas": status_count(new_rs, "replicas"),
        "readyReplicas": sum(status_count(rs, "readyReplicas") for rs in all_rss),
        "availableReplicas": available,
        "unavailableReplicas": max(total - available, 0),
        "conditions": [dict(c) for c in old.get("conditions") or [] if isinstance(c, dict)],
    }
    if old.get("collisionCount") is not None:
        status["collisionCount"] = old["collisionCount"]
    if available >= replicas(d) - max_unavailable(d):
        cond = new_condition(AVAILABLE, "True", MINIMUM_REPLICAS_AVAILABLE, "Deployment has minimum availability.", now)
    else:
        cond = new_condition(
            AVAILABLE, "False", MINIMUM_REPLICAS_UNAVAILABLE, "Deployment does not have minimum availability.", now
        )
    set_condition(status, cond)
    return status


def deployment_complete(d: Obj, status: Obj) -> bool:
    """Every desired replica updated and available, no old one left, the spec observed."""
    want = replicas(d)
    return (
        pc.int_field(status, "updatedReplicas") == want
        and pc.int_field(status, "replicas") == want
        and pc.int_field(status, "availableReplicas") == want
        and pc.int_field(status, "observedGeneration") >= generation(d)
    )


def deployment_progressing(d: Obj, status: Obj) -> bool:
    """Whether ``status`` shows progress over the Deployment's current one: more updated, ready or
    available pods, or fewer old ones (DeploymentProgressing)."""
    old = d.get("status") or {}
    old_old = pc.int_field(old, "replicas") - pc.int_field(old, "updatedReplicas")
    new_old = pc.int_field(status, "replicas") - pc.int_field(status, "updatedReplicas")
    return (
        pc.int_field(status, "updatedReplicas") > pc.int_field(old, "updatedReplicas")
        or new_old < old_old
        or pc.int_field(status, "readyReplicas") > pc.int_field(old, "readyReplicas")
        or pc.int_field(status, "availableReplicas") > pc.int_field(old, "availableReplicas")
    )


def _deadline(d: Obj) -> timedelta:
    return timedelta(seconds=pc.int_field(d.get("spec"), "progressDeadlineSeconds", DEFAULT_PROGRESS_DEADLINE_SECONDS))


def deployment_timed_out(d: Obj, status: Obj, now: datetime) -> bool:
    """Whether the last progress (the Progressing condition's lastUpdateTime) is older than
    ``progressDeadlineSeconds`` (DeploymentTimedOut); never after a completed rollout."""
    if not has_progress_deadline(d):
        return False
    cond = get_condition(status, PROGRESSING)
    if cond is None or cond.get("reason") == NEW_RS_AVAILABLE:
        return False
    if cond.get("reason") == TIMED_OUT:
        return True
    since = pc.parse_time(cond.get("lastUpdateTime"))
    return since is not None and since + _deadline(d) < now


def rollout_status(d: Obj, all_rss: Sequence[Obj], new_rs: Obj | None, now: datetime) -> Obj:
    """The status during a rollout (syncRolloutStatus): the counts, then the Progressing condition
    (NewReplicaSetAvailable once complete, ReplicaSetUpdated while progressing, refreshed with
    each progress, ProgressDeadlineExceeded when that stopped for longer than the deadline) and
    the ReplicaSets' ReplicaFailure condition, the new ReplicaSet's first."""
    status = calculate_status(all_rss, new_rs, d, now)
    deadline = has_progress_deadline(d)
    if not deadline:
        remove_condition(status, PROGRESSING)
    current = get_condition(d.get("status") or {}, PROGRESSING)
    complete_already = (
        pc.int_field(status, "replicas") == pc.int_field(status, "updatedReplicas")
        and current is not None
        and current.get("reason") == NEW_RS_AVAILABLE
    )
    name = pc.name_of(d)
    subject = f'ReplicaSet "{pc.name_of(new_rs)}"' if new_rs is not None else f'Deployment "{name}"'
    if deadline and not complete_already:
        if deployment_complete(d, status):
            set_condition(
                status,
                new_condition(PROGRESSING, "True", NEW_RS_AVAILABLE, f"{subject} has successfully progressed.", now),
            )
        elif deployment_progressing(d, status):
            cond = new_condition(PROGRESSING, "True", REPLICA_SET_UPDATED, f"{subject} is progressing.", now)
            if current is not None:  # progress moves lastUpdateTime, even with the same reason
                if current.get("status") == "True":
                    cond["lastTransitionTime"] = current.get("lastTransitionTime")
                remove_condition(status, PROGRESSING)
            set_condition(status, cond)
        elif deployment_timed_out(d, status, now):
            set_condition(
                status, new_condition(PROGRESSING, "False", TIMED_OUT, f"{subject} has timed out progressing.", now)
            )
    failures = replica_failures(all_rss, new_rs)
    if failures:
        set_condition(status, failures[0])
    else:
        remove_condition(status, REPLICA_FAILURE)
    return status


def replica_failures(all_rss: Iterable[Obj], new_rs: Obj | None) -> list[Obj]:
    """The ReplicaSets' ReplicaFailure conditions as Deployment conditions, the new one's first."""

    def of(rs: Obj) -> list[Obj]:
        return [
            {
                "type": c.get("type"),
                "status": c.get("status"),
                "lastUpdateTime": c.get("lastTransitionTime"),
                "lastTransitionTime": c.get("lastTransitionTime"),
                "reason": c.get("reason"),
                "message": c.get("message"),
            }
            for c in (rs.get("status") or {}).get("conditions") or []
            if isinstance(c, dict) and c.get("type") == REPLICA_FAILURE
        ]

    if new_rs is not None and (found := of(new_rs)):
        return found
    return [cond for rs in all_rss for cond in of(rs)]


def stuck_requeue(d: Obj, status: Obj, now: datetime) -> float | None:
    """Seconds until a rollout showing no progress must be looked at for its deadline
    (requeueStuckDeployment); None when there is nothing to wait for."""
    current = get_condition(d.get("status") or {}, PROGRESSING)
    if not has_progress_deadline(d) or current is None:
        return None
    if deployment_complete(d, status) or current.get("reason") == TIMED_OUT:
        return None
    since = pc.parse_time(current.get("lastUpdateTime"))
    if since is None:
        return None
    return max((since + _deadline(d) - now).total_seconds(), 0.0) + DEADLINE_MARGIN


# -- the controller ----------------------------------------------------------------------------------


@dataclass
class _Pass:
    """One reconcile's view of a Deployment (defaulted) and its ReplicaSets, replaced by what the
    API answers to each write, so a pass never writes with a resourceVersion it made stale."""

    key: str
    d: Obj
    rss: list[Obj]

    def fresh(self, rs: Obj) -> Obj:
        uid = pc.uid_of(rs)
        return next((current for current in self.rss if pc.uid_of(current) == uid), rs)

    def fresh_all(self, rss: Iterable[Obj | None]) -> list[Obj]:
        return [self.fresh(rs) for rs in rss if rs is not None]

    def written(self, rs: Obj) -> Obj:
        uid = pc.uid_of(rs)
        self.rss = [rs if pc.uid_of(current) == uid else current for current in self.rss]
        if all(pc.uid_of(current) != uid for current in self.rss):
            self.rss.append(rs)
        return rs

    def written_deployment(self, answer: Obj) -> None:
        """Take the metadata and status the API answered; keep the defaulted spec and the
        generation this pass acts on (a newer one is a change it has not looked at)."""
        metadata = dict(answer.get("metadata") or {})
        metadata["generation"] = generation(self.d)
        self.d["metadata"] = metadata
        self.d["status"] = answer.get("status") or {}


@dataclass
class DeploymentController:
    """Rollouts for the Deployments of the cluster.

    ``deployments``, ``replicasets`` and ``pods`` may be informers shared with other controllers:
    they are then run by whoever made them, and this controller only listens. Informers it makes
    itself it also runs.
    """

    client: Client
    deployments: Informer | None = None
    replicasets: Informer | None = None
    pods: Informer | None = None
    #: wall-clock time for conditions and events, and for progress deadlines
    now: Callable[[], datetime] = pc.utc_now
    workers: int = WORKERS
    queue: WorkQueue = field(default_factory=WorkQueue)
    #: what this controller (and others sharing them) last wrote of Deployments and ReplicaSets
    written_deployments: pc.LatestWrites = field(default_factory=pc.LatestWrites)
    written_replicasets: pc.LatestWrites = field(default_factory=pc.LatestWrites)
    _own: list[Informer] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.deployments is None:
            self.deployments = Informer(self.client, APPS, "deployments")
            self._own.append(self.deployments)
        if self.replicasets is None:
            self.replicasets = Informer(self.client, APPS, "replicasets")
            self._own.append(self.replicasets)
        if self.pods is None:
            self.pods = Informer(self.client, "v1", "pods")
            self._own.append(self.pods)
        self._deployments: Informer = self.deployments
        self._replicasets: Informer = self.replicasets
        self._pods: Informer = self.pods
        self._deployment_index = pc.NamespaceIndex(self._deployments)
        self._rs_index = pc.NamespaceIndex(self._replicasets)
        self._pod_index = pc.OwnerIndex(self._pods)
        self._deployments.on_change(self._on_deployment)
        self._replicasets.on_change(self._on_replicaset)
        self._pods.on_change(self._on_pod)
        self.events = pc.EventBudget()
        self.recorder = EventRecorder(self.client, COMPONENT, clock=lambda: pc.stamp(self.now()))

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Reconcile until cancelled; ``started()`` once the caches are synced and workers run."""
        logger.info("Starting controller %s", COMPONENT)
        async with trio.open_nursery() as nursery:
            for informer in self._own:
                await nursery.start(informer.run)
            for informer in (self._deployments, self._replicasets, self._pods):
                await informer.synced.wait()
            for obj in self._deployments.list():
                self.queue.add(key_of(obj))
            for _ in range(self.workers):
                nursery.start_soon(functools.partial(run_worker, self.queue, self.reconcile, name=COMPONENT))
            task_status.started()

    async def _record(self, obj: Obj, kind: str, reason: str, message: str) -> None:
        """An event about ``obj``, within its budget (best effort, as events are)."""
        if self.events.allow(obj):
            await self.recorder.record(obj, kind, reason, message)

    # -- events from the informers ----------------------------------------------------------------

    def _on_deployment(self, old: Obj | None, new: Obj | None) -> None:
        obj = new if new is not None else old
        assert obj is not None
        if new is None:
            self.written_deployments.forget(obj)
        self.queue.add(key_of(obj))

    def _on_replicaset(self, old: Obj | None, new: Obj | None) -> None:
        if new is None:
            assert old is not None
            self.written_replicasets.forget(old)
            self._enqueue_owner(old)
            return
        if old is None:
            if not pc.deleting(new) and pc.controller_of(new) is None:
                self._enqueue_matching(new)  # an orphan: whoever may adopt it looks
            else:
                self._enqueue_owner(new)
            return
        if pc.meta(old).get("resourceVersion") == pc.meta(new).get("resourceVersion"):
            return  # a resync: nothing changed
        ref, old_ref = pc.controller_of(new), pc.controller_of(old)
        ref_changed = (ref or {}).get("uid") != (old_ref or {}).get("uid")
        if ref_changed and old_ref is not None:
            self._enqueue_owner(old)
        if ref is not None:
            self._enqueue_owner(new)
        elif ref_changed or pc.labels_of(old) != pc.labels_of(new):
            self._enqueue_matching(new)

    def _on_pod(self, old: Obj | None, new: Obj | None) -> None:
        """A pod gone may let a Recreate rollout start its new pods (the only pod event that matters)."""
        if new is not None or old is None:
            return
        ref = pc.controller_of(old)
        rs = self._replicasets.get(f"{pc.namespace_of(old)}/{ref.get('name', '')}") if ref else None
        if ref is None or rs is None or pc.uid_of(rs) != str(ref.get("uid")):
            return
        d = self._owner_of(rs)
        if d is not None and strategy_type(d) == RECREATE:
            self.queue.add(key_of(d))

    def _owner_of(self, rs: Obj) -> Obj | None:
        ref = pc.controller_of(rs)
        if ref is None or ref.get("kind") != "Deployment":
            return None
        d = self._deployments.get(f"{pc.namespace_of(rs)}/{ref.get('name', '')}")
        return d if d is not None and pc.uid_of(d) == str(ref.get("uid")) else None

    def _enqueue_owner(self, rs: Obj) -> None:
        d = self._owner_of(rs)
        if d is not None:
            self.queue.add(key_of(d))

    def _enqueue_matching(self, rs: Obj) -> None:
        labels = pc.labels_of(rs)
        if not labels:
            return
        for d in self._deployment_index.items(pc.namespace_of(rs)):
            selector = pc.selector_of((d.get("spec") or {}).get("selector"))
            if selector is not None and selector.matches(labels):
                self.queue.add(key_of(d))

    # -- reconciling ------------------------------------------------------------------------------

    async def reconcile(self, key: str) -> None:
        """One pass over one Deployment (syncDeployment)."""
        cached = self._deployments.get(key)
        if cached is None:
            return
        d = defaulted(self.written_deployments.newest(cached))
        try:
            await self._sync(key, d)
        except InvalidSpec as exc:
            # the API should have refused it; only a change of the spec can help, and that requeues
            logger.warning("deployment %s: %s", key, exc)
        except errors.Conflict as exc:
            # this pass read a cache that lags a newer version; the watch event bringing that
            # version queues the Deployment again (for a ReplicaSet, through its owner)
            logger.debug("deployment %s: %s; waiting for the newer version", key, exc)

    async def _sync(self, key: str, d: Obj) -> None:
        selector = pc.selector_of(d["spec"].get("selector"))
        if selector is None:
            await self._record(
                d, WARNING, "SelectingAll", "This deployment is selecting all pods. A non-empty selector is required."
            )
            if status_count(d, "observedGeneration") < generation(d):
                await self._write_status(_Pass(key, d, []), {**d["status"], "observedGeneration": generation(d)})
            return
        p = _Pass(key, d, await self._claim_replicasets(d, selector))
        if pc.deleting(d):
            new_rs, old_rss = await self._replica_sets(p, create=False)
            await self._sync_status(p, [*old_rss, new_rs], new_rs)
            return
        await self._check_paused_conditions(p)
        if d["spec"].get("paused"):
            await self._sync_scaling(p)
            return
        new_rs, old_rss = await self._replica_sets(p, create=False)
        if is_scaling_event(p.d, [*old_rss, new_rs]):
            await self._sync_scaling(p)
        elif strategy_type(d) == RECREATE:
            await self._rollout_recreate(p, self._pod_map(d, selector, p.rss))
        else:
            await self._rollout_rolling(p)

    async def _claim_replicasets(self, d: Obj, selector: LabelSelector) -> list[Obj]:
        refs = pc.RefManager(
            self.client,
            d,
            APPS,
            "Deployment",
            selector,
            APPS,
            "replicasets",
            pc.recheck_owner(self.client, APPS, "deployments", d),
        )
        candidates = [self.written_replicasets.newest(rs) for rs in self._rs_index.items(pc.namespace_of(d))]
        return await refs.claim(candidates)

    def _pod_map(self, d: Obj, selector: LabelSelector, rss: Iterable[Obj]) -> dict[str, list[Obj]]:
        """The Deployment's pods by the uid of their ReplicaSet, finished ones included (only
        Recreate needs them: it waits until no old pod runs)."""
        return {
            pc.uid_of(rs): [
                pod for pod in self._pod_index.owned_by(pc.uid_of(rs)) if selector.matches(pc.labels_of(pod))
            ]
            for rs in rss
        }

    async def _replica_sets(self, p: _Pass, *, create: bool) -> tuple[Obj | None, list[Obj]]:
        """The new ReplicaSet (made if ``create`` and missing) and all old ones, with the new one's
        annotations and the Deployment's revision brought up to date (getAllReplicaSetsAndSyncRevision)."""
        _, old_rss = find_old_rss(p.d, p.rss)
        return await self._new_replica_set(p, old_rss, create=create), old_rss

    async def _new_replica_set(self, p: _Pass, old_rss: list[Obj], *, create: bool) -> Obj | None:
        d = p.d
        new_revision = str(max_revision(old_rss) + 1)
        existing = find_new_rs(d, p.rss)
        if existing is not None:
            rs = copy.deepcopy(existing)
            changed = set_new_rs_annotations(d, rs, new_revision, exists=True)
            min_ready = pc.int_field(d["spec"], "minReadySeconds")
            if changed or pc.int_field(rs.get("spec"), "minReadySeconds") != min_ready:
                _dict(rs, "spec")["minReadySeconds"] = min_ready
                return await self._update_rs(p, rs)
            await self._set_revision(p, annotations_of(rs).get(REVISION, ""))
            if has_progress_deadline(d) and get_condition(d["status"], PROGRESSING) is None:
                status = copy.deepcopy(d["status"])
                message = f'Found new replica set "{pc.name_of(rs)}"'
                set_condition(status, new_condition(PROGRESSING, "True", FOUND_NEW_RS, message, self.now()))
                await self._write_status(p, status)
            return rs
        if not create:
            return None
        return await self._create_new_replica_set(p, old_rss, new_revision)

    async def _create_new_replica_set(self, p: _Pass, old_rss: list[Obj], new_revision: str) -> Obj:
        d = p.d
        namespace = pc.namespace_of(d)
        collisions = (d["status"] or {}).get("collisionCount")
        template = copy.deepcopy(d["spec"].get("template") or {})
        template_hash = pod_template_hash(template, collisions if isinstance(collisions, int) else None)
        template_meta = _dict(template, "metadata")
        labels = {**(template_meta.get("labels") or {}), HASH_LABEL: template_hash}
        template_meta["labels"] = labels
        selector = copy.deepcopy(d["spec"]["selector"])
        _dict(selector, "matchLabels")[HASH_LABEL] = template_hash
        name = f"{pc.name_of(d)}-{template_hash}"
        rs: Obj = {
            "apiVersion": APPS,
            "kind": "ReplicaSet",
            "metadata": {
                "name": name,
                "namespace": namespace,
                "labels": dict(labels),
                "ownerReferences": [pc.controller_ref(d, APPS, "Deployment")],
            },
            "spec": {
                "replicas": 0,
                "minReadySeconds": pc.int_field(d["spec"], "minReadySeconds"),
                "selector": selector,
                "template": template,
            },
        }
        count = new_rs_new_replicas(d, [*old_rss, rs], rs)
        rs["spec"]["replicas"] = count
        set_new_rs_annotations(d, rs, new_revision, exists=False)
        existed = False
        try:
            created = await self.client.create(APPS, "replicasets", rs, namespace=namespace)
        except errors.AlreadyExists:
            # a lagging cache (ours), or a hash collision with another template
            live = await self.client.get(APPS, "replicasets", name, namespace=namespace)
            ref = pc.controller_of(live)
            same = equal_ignore_hash(d["spec"].get("template"), (live.get("spec") or {}).get("template"))
            if ref is None or str(ref.get("uid")) != pc.uid_of(d) or not same:
                status = copy.deepcopy(d["status"])
                status["collisionCount"] = (collisions if isinstance(collisions, int) else 0) + 1
                await self._write_status(p, status)
                logger.info(
                    "deployment %s: hash collision on %s; collisionCount now %d", p.key, name, status["collisionCount"]
                )
                raise
            created, existed = live, True
        except errors.K3pyError as exc:
            if isinstance(exc, errors.Forbidden) and "being terminated" in str(exc):
                raise
            message = f'Failed to create new replica set "{name}": {exc}'
            if has_progress_deadline(d):
                status = copy.deepcopy(d["status"])
                set_condition(status, new_condition(PROGRESSING, "False", FAILED_RS_CREATE, message, self.now()))
                with contextlib.suppress(errors.K3pyError):  # the failure to create is what this pass reports
                    await self._write_status(p, status)
            await self._record(d, WARNING, FAILED_RS_CREATE, message)
            raise
        p.written(self.written_replicasets.wrote(created))
        if not existed and count > 0:
            await self._record(d, NORMAL, SCALING_REPLICA_SET, f"Scaled up replica set {name} to {count} from 0")
        await self._set_revision(p, new_revision)
        if not existed and has_progress_deadline(d):
            status = copy.deepcopy(p.d["status"])
            message = f'Created new replica set "{name}"'
            set_condition(status, new_condition(PROGRESSING, "True", NEW_REPLICA_SET, message, self.now()))
            await self._write_status(p, status)
        return created

    async def _check_paused_conditions(self, p: _Pass) -> None:
        """Mark pauses and resumes in the Progressing condition, so the time spent paused does not
        count against the progress deadline (checkPausedConditions)."""
        d = p.d
        if not has_progress_deadline(d):
            return
        cond = get_condition(d["status"], PROGRESSING)
        if cond is not None and cond.get("reason") == TIMED_OUT:
            return
        paused_marked = cond is not None and cond.get("reason") == PAUSED
        paused = bool(d["spec"].get("paused"))
        if paused == paused_marked:
            return
        status = copy.deepcopy(d["status"])
        if paused:
            set_condition(status, new_condition(PROGRESSING, "Unknown", PAUSED, "Deployment is paused", self.now()))
        else:
            set_condition(status, new_condition(PROGRESSING, "Unknown", RESUMED, "Deployment is resumed", self.now()))
        await self._write_status(p, status)

    async def _sync_scaling(self, p: _Pass) -> None:
        """Scaling events and paused Deployments: resize, no rollout (sync.go's sync)."""
        new_rs, old_rss = await self._replica_sets(p, create=False)
        plan = plan_scale(p.d, new_rs, old_rss)
        for rs, size in plan.steps:
            if plan.proportional:
                await self._scale_rs(p, rs, size, plan.operation)
            else:
                await self._scale_and_record(p, rs, size)
        if p.d["spec"].get("paused"):
            await self._cleanup(p, old_rss)
        await self._sync_status(p, p.fresh_all([*old_rss, new_rs]), _fresh_or_none(p, new_rs))

    async def _rollout_rolling(self, p: _Pass) -> None:
        """One step of a RollingUpdate (rolloutRolling): scale the new ReplicaSet up if the surge
        allows, else the old ones down if availability allows, else clean up the history."""
        new_rs, old_rss = await self._replica_sets(p, create=True)
        assert new_rs is not None
        d = p.d
        want = replicas(d)
        if replicas(new_rs) != want:
            target = want if replicas(new_rs) > want else new_rs_new_replicas(d, [*old_rss, new_rs], new_rs)
            scaled, new_rs = await self._scale_and_record(p, new_rs, target)
            if scaled:
                await self._sync_rollout_status(p, p.fresh_all([*old_rss, new_rs]), new_rs)
                return
        steps = plan_old_scale_down(d, p.fresh_all([*old_rss, new_rs]), active(p.fresh_all(old_rss)), new_rs)
        scaled_down = False
        for rs, size in steps:
            scaled, _ = await self._scale_and_record(p, rs, size)
            scaled_down = scaled_down or scaled
        if not scaled_down and deployment_complete(d, d["status"]):
            await self._cleanup(p, old_rss)
        await self._sync_rollout_status(p, p.fresh_all([*old_rss, new_rs]), p.fresh(new_rs))

    async def _rollout_recreate(self, p: _Pass, pod_map: dict[str, list[Obj]]) -> None:
        """One step of a Recreate rollout (rolloutRecreate): old ReplicaSets to zero, wait until
        their pods are gone, then the new ReplicaSet at full size."""
        new_rs, old_rss = await self._replica_sets(p, create=False)
        scaled = False
        for rs in active(old_rss):
            done, _ = await self._scale_and_record(p, rs, 0)
            scaled = scaled or done
        if scaled or old_pods_running(new_rs, p.fresh_all(old_rss), pod_map):
            await self._sync_rollout_status(p, p.fresh_all([*old_rss, new_rs]), _fresh_or_none(p, new_rs))
            return
        if new_rs is None:
            new_rs, old_rss = await self._replica_sets(p, create=True)
            assert new_rs is not None
        _, new_rs = await self._scale_and_record(p, new_rs, replicas(p.d))
        if deployment_complete(p.d, p.d["status"]):
            await self._cleanup(p, old_rss)
        await self._sync_rollout_status(p, p.fresh_all([*old_rss, new_rs]), new_rs)

    # -- writes ----------------------------------------------------------------------------------------

    async def _scale_and_record(self, p: _Pass, rs: Obj, size: int) -> tuple[bool, Obj]:
        """Resize ``rs`` unless it has that size already (scaleReplicaSetAndRecordEvent)."""
        rs = p.fresh(rs)
        if replicas(rs) == size:
            return False, rs
        return await self._scale_rs(p, rs, size, "up" if replicas(rs) < size else "down")

    async def _scale_rs(self, p: _Pass, rs: Obj, size: int, operation: str) -> tuple[bool, Obj]:
        """Write ``rs``'s size and replica annotations where they differ (scaleReplicaSet), with a
        ScalingReplicaSet event when the size changes."""
        rs = p.fresh(rs)
        d = p.d
        desired, maximum = replicas(d), replicas(d) + max_surge(d)
        resize = replicas(rs) != size
        if not resize and not replicas_annotations_need_update(rs, desired, maximum):
            return False, rs
        before = replicas(rs)
        changed = copy.deepcopy(rs)
        _dict(changed, "spec")["replicas"] = size
        set_replicas_annotations(changed, desired, maximum)
        written = await self._update_rs(p, changed)
        if resize:
            message = f"Scaled {operation} replica set {pc.name_of(written)} to {size} from {before}"
            await self._record(d, NORMAL, SCALING_REPLICA_SET, message)
        return resize, written

    async def _update_rs(self, p: _Pass, rs: Obj) -> Obj:
        written = await self.client.update(APPS, "replicasets", rs, namespace=pc.namespace_of(rs))
        return p.written(self.written_replicasets.wrote(written))

    async def _cleanup(self, p: _Pass, old_rss: Iterable[Obj]) -> None:
        """Delete the old ReplicaSets beyond the revision history limit (cleanupDeployment)."""
        for rs in plan_history_cleanup(p.d, p.fresh_all(old_rss)):
            logger.info("deployment %s: deleting old replica set %s (revision history limit)", p.key, pc.name_of(rs))
            with contextlib.suppress(errors.NotFound):  # gone already: what was wanted
                await self.client.delete(APPS, "replicasets", pc.name_of(rs), namespace=pc.namespace_of(rs))

    async def _set_revision(self, p: _Pass, value: str) -> None:
        """The Deployment's revision annotation (kubectl rollout status --revision reads it). A
        metadata patch: unlike Kubernetes' status subresource for Deployments, ours keeps metadata."""
        if not value or annotations_of(p.d).get(REVISION) == value:
            return
        patch = {"metadata": {"annotations": {REVISION: value}}}
        answer = await self.client.patch(APPS, "deployments", pc.name_of(p.d), patch, namespace=pc.namespace_of(p.d))
        p.written_deployment(self.written_deployments.wrote(answer))

    async def _write_status(self, p: _Pass, status: Obj) -> None:
        body = copy.deepcopy(p.d)
        body["status"] = compact_status(status)
        answer = await self.client.update(
            APPS, "deployments", body, namespace=pc.namespace_of(p.d), subresource="status"
        )
        p.written_deployment(self.written_deployments.wrote(answer))

    async def _sync_status(self, p: _Pass, all_rss: Sequence[Obj | None], new_rs: Obj | None) -> None:
        """Write the counts and the Available condition if they changed (syncDeploymentStatus)."""
        status = calculate_status([rs for rs in all_rss if rs is not None], new_rs, p.d, self.now())
        if compact_status(status) != compact_status(p.d["status"]):
            await self._write_status(p, status)

    async def _sync_rollout_status(self, p: _Pass, all_rss: Sequence[Obj], new_rs: Obj | None) -> None:
        """Write the rollout's status if it changed; if not, look again when its deadline may have
        passed (syncRolloutStatus and requeueStuckDeployment)."""
        now = self.now()
        status = rollout_status(p.d, all_rss, new_rs, now)
        if compact_status(status) != compact_status(p.d["status"]):
            await self._write_status(p, status)
            return
        wait = stuck_requeue(p.d, status, now)
        if wait is not None:
            self.queue.add_after(p.key, wait)


def _fresh_or_none(p: _Pass, rs: Obj | None) -> Obj | None:
    return p.fresh(rs) if rs is not None else None
