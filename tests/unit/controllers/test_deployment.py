"""The Deployment controller: the pure parts (rollout arithmetic, hashing, annotations, status and
conditions) table-driven, then rollouts over the in-process API with the ReplicaSet controller
running and a fake kubelet reporting readiness. kubectl's client-side parts of ``rollout status``,
``undo`` and ``history`` are ported here (from kubectl's polymorphichelpers) to check that what the
controller writes is what they read."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import trio
import trio.testing

from k3py.api.client import JSON_PATCH, STRATEGIC_MERGE_PATCH, Client
from k3py.controllers import deployment as dc
from k3py.controllers import podcontrol as pc
from k3py.controllers import workloads
from k3py.controllers.deployment import DeploymentController

from .workload_support import NAMESPACE, FakeKubelet, WallClock, events_about, eventually, pods, template

Obj = dict[str, Any]
NOW = datetime(2024, 6, 1, 12, 0, 0, tzinfo=UTC)
LABELS = {"app": "web"}


def ago(seconds: float) -> str:
    return pc.stamp(NOW - timedelta(seconds=seconds))


def deployment(
    replicas: int = 10,
    *,
    surge: object = "25%",
    unavailable: object = "25%",
    strategy: str = "RollingUpdate",
    status: Obj | None = None,
    generation: int = 1,
    **spec: Any,
) -> Obj:
    obj: Obj = {
        "metadata": {"name": "web", "namespace": NAMESPACE, "uid": "d-uid", "generation": generation},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": LABELS},
            "template": template(LABELS),
            "strategy": {"type": strategy},
            **spec,
        },
        "status": status or {},
    }
    if strategy == "RollingUpdate":
        obj["spec"]["strategy"]["rollingUpdate"] = {"maxSurge": surge, "maxUnavailable": unavailable}
    return dc.defaulted(obj)


def rs(
    name: str,
    replicas: int,
    *,
    available: int | None = None,
    age: float = 100,
    revision: str | None = None,
    max_replicas: int | None = None,
    desired: int | None = None,
    image: str = "nginx:1.25",
    status_replicas: int | None = None,
    generation: int = 1,
    observed: int = 1,
    deleting: bool = False,
) -> Obj:
    annotations: Obj = {}
    if revision is not None:
        annotations[dc.REVISION] = revision
    if max_replicas is not None:
        annotations[dc.MAX_REPLICAS] = str(max_replicas)
    if desired is not None:
        annotations[dc.DESIRED_REPLICAS] = str(desired)
    metadata: Obj = {
        "name": name,
        "namespace": NAMESPACE,
        "uid": f"uid-{name}",
        "creationTimestamp": ago(age),
        "annotations": annotations,
        "generation": generation,
    }
    if deleting:
        metadata["deletionTimestamp"] = ago(1)
    return {
        "metadata": metadata,
        "spec": {"replicas": replicas, "template": template({**LABELS, dc.HASH_LABEL: name}, image)},
        "status": {
            "replicas": replicas if status_replicas is None else status_replicas,
            "availableReplicas": replicas if available is None else available,
            "observedGeneration": observed,
        },
    }


def sizes(steps: Any) -> dict[str, int]:
    return {pc.name_of(obj): size for obj, size in steps}


# -- the spec ----------------------------------------------------------------------------------------


def test_defaulted_fills_in_what_the_api_defaults_and_keeps_explicit_zeros() -> None:
    bare = {"metadata": {"name": "web"}, "spec": {"selector": {"matchLabels": LABELS}, "template": template(LABELS)}}
    spec = dc.defaulted(bare)["spec"]
    assert spec["replicas"] == 1
    assert spec["strategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}}
    assert (spec["revisionHistoryLimit"], spec["progressDeadlineSeconds"], spec["minReadySeconds"]) == (10, 600, 0)
    assert "replicas" not in bare["spec"]  # a copy
    explicit = dc.defaulted(deployment(0, surge=0, unavailable=1, revisionHistoryLimit=0))["spec"]
    assert (explicit["replicas"], explicit["revisionHistoryLimit"]) == (0, 0)
    assert explicit["strategy"]["rollingUpdate"] == {"maxSurge": 0, "maxUnavailable": 1}
    assert "rollingUpdate" not in deployment(strategy="Recreate")["spec"]["strategy"]


@pytest.mark.parametrize(
    ("surge", "unavailable", "desired", "expected"),
    [
        pytest.param("25%", "25%", 10, (3, 2), id="25%-of-10-surge-rounds-up-unavailable-down"),
        pytest.param("25%", "25%", 4, (1, 1), id="25%-of-4"),
        pytest.param("25%", "25%", 1, (1, 0), id="25%-of-1"),
        pytest.param(0, "1%", 2, (0, 1), id="both-zero-after-rounding-allows-one-unavailable"),
        pytest.param("1%", "25%", 2, (1, 0), id="1%-surge-rounds-up"),
        pytest.param("0%", "0%", 3, (0, 1), id="zero-percent-both"),
        pytest.param(2, 0, 5, (2, 0), id="absolute"),
        pytest.param("50%", "50%", 3, (2, 1), id="half-of-odd"),
        pytest.param(None, None, 5, (0, 1), id="unset"),
        pytest.param("100%", "100%", 0, (0, 1), id="no-replicas"),
    ],
)
def test_resolve_fenceposts(surge: object, unavailable: object, desired: int, expected: tuple[int, int]) -> None:
    assert dc.resolve_fenceposts(surge, unavailable, desired) == expected


@pytest.mark.parametrize("value", ["5", "5.5%", "x%", True, 2.5])
def test_int_or_percent_rejects_what_validation_would(value: object) -> None:
    with pytest.raises(dc.InvalidSpec):
        dc.scaled_value(value, 10, round_up=True)


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        pytest.param(deployment(10), (3, 2), id="rolling"),
        pytest.param(deployment(3, surge=0, unavailable=5), (0, 3), id="unavailable-capped-at-replicas"),
        pytest.param(deployment(0), (0, 0), id="no-replicas-none-unavailable"),
        pytest.param(deployment(10, strategy="Recreate"), (0, 0), id="recreate"),
    ],
)
def test_max_surge_and_max_unavailable(d: Obj, expected: tuple[int, int]) -> None:
    assert (dc.max_surge(d), dc.max_unavailable(d)) == expected


@pytest.mark.parametrize(
    ("d", "old", "new", "expected"),
    [
        pytest.param(deployment(10), [rs("old", 10)], rs("new", 0), 3, id="first-step-up-to-surge"),
        pytest.param(deployment(10), [rs("old", 8)], rs("new", 3), 5, id="room-after-old-scaled-down"),
        pytest.param(deployment(10), [rs("old", 10)], rs("new", 3), 3, id="at-max-surge-no-change"),
        pytest.param(deployment(3, surge=3), [rs("old", 0)], rs("new", 1), 3, id="never-above-desired"),
        pytest.param(deployment(10, strategy="Recreate"), [rs("old", 0)], rs("new", 0), 10, id="recreate-all-at-once"),
    ],
)
def test_new_rs_new_replicas(d: Obj, old: list[Obj], new: Obj, expected: int) -> None:
    assert dc.new_rs_new_replicas(d, [*old, new], new) == expected


# -- rolling update steps (cases of Kubernetes' TestDeploymentController_reconcileOldReplicaSets) -----------


@pytest.mark.parametrize(
    ("replicas", "max_unavailable", "old", "new", "old_available", "new_available", "expected_old"),
    [
        pytest.param(10, 0, 10, 0, 10, 0, None, id="no-unavailability-allowed"),
        pytest.param(10, 2, 10, 0, 10, 0, 8, id="scale-down-by-max-unavailable"),
        pytest.param(10, 2, 10, 0, 5, 0, 8, id="unhealthy-old-first-within-budget"),
        pytest.param(10, 2, 10, 0, 0, 0, 8, id="all-old-unhealthy"),
        pytest.param(10, 2, 10, 3, 10, 0, 8, id="new-pods-unavailable-count-against-budget"),
        pytest.param(10, 2, 10, 3, 10, 2, 6, id="some-new-available"),
        pytest.param(10, 2, 8, 3, 8, 3, 5, id="all-new-available"),
        pytest.param(10, 2, 10, 3, 10, 3, 5, id="surge-and-unavailable-together"),
        pytest.param(10, 2, 0, 10, 0, 10, None, id="nothing-old-left"),
    ],
)
def test_plan_old_scale_down(
    replicas: int,
    max_unavailable: int,
    old: int,
    new: int,
    old_available: int,
    new_available: int,
    expected_old: int | None,
) -> None:
    d = deployment(replicas, surge=3, unavailable=max_unavailable)
    old_rs, new_rs = rs("old", old, available=old_available), rs("new", new, available=new_available, age=1)
    steps = dc.plan_old_scale_down(d, [old_rs, new_rs], dc.active([old_rs]), new_rs)
    assert sizes(steps) == ({} if expected_old is None else {"old": expected_old})


def test_plan_old_scale_down_takes_the_oldest_replica_sets_first() -> None:
    d = deployment(10, surge=3, unavailable=4)
    oldest, older, new = rs("oldest", 3, age=300), rs("older", 7, age=200), rs("new", 0, age=1)
    steps = dc.plan_old_scale_down(d, [older, oldest, new], [older, oldest], new)
    assert [(pc.name_of(obj), size) for obj, size in steps] == [("oldest", 0), ("older", 6)]


# -- proportional scaling (scaling events and paused deployments) --------------------------------------


@pytest.mark.parametrize(
    ("d", "new", "old", "expected"),
    [
        pytest.param(deployment(12, surge=0, unavailable=1), rs("new", 10), [], {"new": 12}, id="single-active"),
        pytest.param(
            deployment(5), rs("new", 0, age=1), [rs("old", 0)], {"new": 5}, id="none-active-the-new-one-grows"
        ),
        pytest.param(
            deployment(5), None, [rs("older", 0, age=200), rs("old", 0, age=100)], {"old": 5}, id="else-the-newest-old"
        ),
        pytest.param(
            deployment(10, surge=0, unavailable=1),
            rs("new", 2, max_replicas=5, age=1),
            [rs("old", 3, max_replicas=5)],
            {"old": 6, "new": 4},
            id="up-5-to-10",
        ),
        pytest.param(
            deployment(5, surge=0, unavailable=1),
            rs("new", 4, max_replicas=10, age=1),
            [rs("old", 6, max_replicas=10)],
            {"old": 3, "new": 2},
            id="down-10-to-5",
        ),
        pytest.param(
            deployment(7, surge=0, unavailable=1),
            rs("new", 2, max_replicas=5, age=1),
            [rs("old", 3, max_replicas=5)],
            {"old": 4, "new": 3},
            id="rounding",
        ),
        pytest.param(
            deployment(4, surge=0, unavailable=1),
            rs("new", 1, max_replicas=3, age=1),
            [rs("mid", 1, max_replicas=3, age=50), rs("old", 1, max_replicas=3, age=100)],
            {"new": 2, "mid": 1, "old": 1},
            id="leftover-to-the-largest-newest",
        ),
        pytest.param(
            deployment(0, surge=0, unavailable=1),
            rs("new", 2, max_replicas=5, age=1),
            [rs("old", 3, max_replicas=5)],
            {"old": 0, "new": 0},
            id="down-to-zero",
        ),
    ],
)
def test_plan_scale(d: Obj, new: Obj | None, old: list[Obj], expected: dict[str, int]) -> None:
    assert sizes(dc.plan_scale(d, new, old).steps) == expected


def test_plan_scale_with_a_saturated_new_replica_set_empties_the_old_ones() -> None:
    d = deployment(3)
    plan = dc.plan_scale(d, rs("new", 3, desired=3, age=1), [rs("old", 2)])
    assert sizes(plan.steps) == {"old": 0}
    assert not plan.proportional


def test_scaling_event_is_a_desired_replicas_annotation_out_of_date() -> None:
    d = deployment(5)
    assert dc.is_scaling_event(d, [rs("a", 3, desired=3), None])
    assert not dc.is_scaling_event(d, [rs("a", 3, desired=5), rs("b", 0, desired=3)])  # inactive ones do not count
    assert not dc.is_scaling_event(d, [rs("a", 3)])


# -- templates, hashes, revisions ------------------------------------------------------------------


def test_fnv32a_and_safe_encoding_match_go() -> None:
    assert dc.fnv32a(b"") == 0x811C9DC5
    assert dc.fnv32a(b"a") == 0xE40C292C
    assert dc.fnv32a(b"foobar") == 0xBF9CF968
    assert dc.safe_encode("0123456789") == "456789bcdf"


def test_pod_template_hash_is_stable_and_ignores_what_go_round_trips_add() -> None:
    tpl = template(LABELS)
    h = dc.pod_template_hash(tpl, None)
    assert h == dc.pod_template_hash(copy.deepcopy(tpl), None)
    assert set(h) <= set("456789bcdf") and 1 <= len(h) <= 10
    round_tripped = copy.deepcopy(tpl)
    round_tripped["metadata"]["creationTimestamp"] = None
    round_tripped["spec"]["containers"][0]["resources"] = {}
    assert dc.pod_template_hash(round_tripped, None) == h
    assert dc.pod_template_hash(template(LABELS, "nginx:2"), None) != h
    assert len({h, dc.pod_template_hash(tpl, 0), dc.pod_template_hash(tpl, 1)}) == 3


def test_equal_ignore_hash() -> None:
    tpl = template(LABELS)
    hashed = copy.deepcopy(tpl)
    hashed["metadata"]["labels"][dc.HASH_LABEL] = "abc"
    hashed["metadata"]["creationTimestamp"] = None
    assert dc.equal_ignore_hash(tpl, hashed)
    assert not dc.equal_ignore_hash(tpl, template(LABELS, "nginx:2"))
    assert not dc.equal_ignore_hash(tpl, template({"app": "other"}))


def test_find_new_rs_is_the_oldest_with_the_template() -> None:
    d = deployment(3)
    first, second = rs("first", 1, age=300), rs("second", 1, age=100)
    other = rs("other", 1, age=500, image="nginx:2")
    assert dc.find_new_rs(d, [second, other, first]) is first
    assert dc.find_new_rs(d, [other]) is None
    required, everything = dc.find_old_rss(d, [second, other, first, rs("zero", 0, image="x")])
    assert [pc.name_of(o) for o in required] == ["second", "other"]  # a younger twin counts as old
    assert {pc.name_of(o) for o in everything} == {"second", "other", "zero"}


def test_new_replica_set_annotations_on_creation() -> None:
    d = deployment(4, surge=1)
    d["metadata"]["annotations"] = {
        "kubernetes.io/change-cause": "kubectl set image",
        dc.LAST_APPLIED: "{}",
        dc.REVISION: "7",
    }
    new = rs("new", 0)
    new["metadata"].pop("annotations")
    assert dc.set_new_rs_annotations(d, new, "3", exists=False)
    assert new["metadata"]["annotations"] == {
        "kubernetes.io/change-cause": "kubectl set image",
        dc.REVISION: "3",
        dc.DESIRED_REPLICAS: "4",
        dc.MAX_REPLICAS: "5",
    }
    assert not dc.set_new_rs_annotations(d, new, "3", exists=True)


def test_a_rollback_keeps_the_revisions_a_replica_set_served() -> None:
    d = deployment(3)
    back = rs("back", 0, revision="1")
    assert dc.set_new_rs_annotations(d, back, "3", exists=True)
    assert (dc.annotations_of(back)[dc.REVISION], dc.annotations_of(back)[dc.REVISION_HISTORY]) == ("3", "1")
    dc.set_new_rs_annotations(d, back, "5", exists=True)
    assert dc.annotations_of(back)[dc.REVISION_HISTORY] == "1,3"
    assert not dc.set_new_rs_annotations(d, back, "4", exists=True)  # never lowered
    long = rs("long", 0, revision="999")
    long["metadata"]["annotations"][dc.REVISION_HISTORY] = ",".join(str(n) for n in range(1, 600))
    dc.set_new_rs_annotations(d, long, "1000", exists=True)
    history = dc.annotations_of(long)[dc.REVISION_HISTORY]
    assert len(history) <= dc.MAX_REVISION_HISTORY_CHARS and history.endswith(",598,599,999")
    broken = rs("broken", 0, revision="x")
    assert not dc.set_new_rs_annotations(d, broken, "2", exists=True)


@pytest.mark.parametrize(
    ("limit", "old", "expected"),
    [
        pytest.param(
            2,
            [rs(f"r{n}", 0, revision=str(n), status_replicas=0) for n in (4, 1, 3, 2)],
            ["r1", "r2"],
            id="oldest-revisions-beyond-the-limit",
        ),
        pytest.param(
            1,
            [rs("r1", 1, revision="1"), rs("r2", 0, revision="2"), rs("r3", 0, revision="3")],
            ["r2"],
            id="ones-with-replicas-are-kept",
        ),
        pytest.param(
            1, [rs("r1", 0, revision="1", generation=2, observed=1), rs("r2", 0, revision="2")], [], id="unobserved"
        ),
        pytest.param(
            1,
            [rs("r1", 0, revision="1", deleting=True), rs("r2", 0, revision="2"), rs("r3", 0, revision="3")],
            ["r2"],
            id="deleting-ones-do-not-count",
        ),
        pytest.param(dc.MAX_INT32, [rs("r1", 0, revision="1")], [], id="unlimited"),
        pytest.param(0, [rs("r1", 0, revision="1")], ["r1"], id="none-kept"),
    ],
)
def test_plan_history_cleanup(limit: int, old: list[Obj], expected: list[str]) -> None:
    d = deployment(3, revisionHistoryLimit=limit)
    assert [pc.name_of(o) for o in dc.plan_history_cleanup(d, old)] == expected


def test_old_pods_running() -> None:
    new, old = rs("new", 1), rs("old", 0, status_replicas=0)
    running = {"metadata": {"name": "p"}, "status": {"phase": "Running"}}
    done = {"metadata": {"name": "q"}, "status": {"phase": "Succeeded"}}
    assert not dc.old_pods_running(new, [old], {pc.uid_of(new): [running], pc.uid_of(old): [done]})
    assert dc.old_pods_running(new, [old], {pc.uid_of(old): [running]})
    assert dc.old_pods_running(new, [rs("lagging", 0, status_replicas=1)], {})


# -- status and conditions -------------------------------------------------------------------------------


def cond(kind: str, status: str, reason: str, updated: float = 0, transitioned: float | None = None) -> Obj:
    return {
        "type": kind,
        "status": status,
        "reason": reason,
        "message": "",
        "lastUpdateTime": ago(updated),
        "lastTransitionTime": ago(updated if transitioned is None else transitioned),
    }


def test_calculate_status_counts_and_availability() -> None:
    d = deployment(4, surge=1, unavailable=1, generation=3, status={"collisionCount": 0})
    new, old = rs("new", 3, available=2), rs("old", 2, available=2)
    new["status"]["readyReplicas"] = 3
    status = dc.calculate_status([old, new], new, d, NOW)
    assert {k: v for k, v in status.items() if k != "conditions"} == {
        "observedGeneration": 3,
        "replicas": 5,
        "updatedReplicas": 3,
        "readyReplicas": 3,
        "availableReplicas": 4,
        "unavailableReplicas": 1,
        "collisionCount": 0,
    }
    assert dc.get_condition(status, "Available") == {
        "type": "Available",
        "status": "True",
        "lastUpdateTime": pc.stamp(NOW),
        "lastTransitionTime": pc.stamp(NOW),
        "reason": "MinimumReplicasAvailable",
        "message": "Deployment has minimum availability.",
    }
    short = dc.calculate_status([rs("new", 4, available=2)], None, d, NOW)
    assert dc.get_condition(short, "Available")["reason"] == "MinimumReplicasUnavailable"  # type: ignore[index]


def test_set_condition_keeps_the_transition_time_while_the_status_holds() -> None:
    status: Obj = {"conditions": [cond("Progressing", "True", "NewReplicaSetCreated", updated=50)]}
    dc.set_condition(status, dc.new_condition("Progressing", "True", "ReplicaSetUpdated", "m", NOW))
    assert status["conditions"][0]["lastTransitionTime"] == ago(50)
    assert status["conditions"][0]["lastUpdateTime"] == pc.stamp(NOW)
    unchanged = copy.deepcopy(status)
    dc.set_condition(status, dc.new_condition("Progressing", "True", "ReplicaSetUpdated", "other", NOW))
    assert status == unchanged  # same status and reason: left alone


def progressing(status: Obj) -> Obj:
    found = dc.get_condition(status, "Progressing")
    assert found is not None
    return found


def test_rollout_status_complete() -> None:
    d = deployment(2, status={"conditions": [cond("Progressing", "True", "ReplicaSetUpdated", 30)]})
    new = rs("web-abc", 2)
    found = progressing(dc.rollout_status(d, [new], new, NOW))
    assert (found["status"], found["reason"]) == ("True", "NewReplicaSetAvailable")
    assert found["message"] == 'ReplicaSet "web-abc" has successfully progressed.'


def test_rollout_status_progress_moves_the_update_time() -> None:
    old_status = {
        "replicas": 3,
        "updatedReplicas": 1,
        "conditions": [cond("Progressing", "True", "ReplicaSetUpdated", updated=30, transitioned=90)],
    }
    d = deployment(2, status=old_status)
    new, old = rs("web-new", 2, available=0, age=1), rs("web-old", 1)
    found = progressing(dc.rollout_status(d, [old, new], new, NOW))
    assert found["reason"] == "ReplicaSetUpdated"
    assert found["message"] == 'ReplicaSet "web-new" is progressing.'
    assert (found["lastUpdateTime"], found["lastTransitionTime"]) == (pc.stamp(NOW), ago(90))


@pytest.mark.parametrize(
    ("since", "timed_out"),
    [pytest.param(601, True, id="past-the-deadline"), pytest.param(600, False, id="at-the-deadline-not-yet")],
)
def test_rollout_status_without_progress_times_out(since: float, timed_out: bool) -> None:
    old_status = {
        "replicas": 2,
        "updatedReplicas": 2,
        "conditions": [cond("Progressing", "True", "ReplicaSetUpdated", since)],
    }
    d = deployment(2, status=old_status)
    new = rs("web-new", 2, available=0)
    found = progressing(dc.rollout_status(d, [new], new, NOW))
    if timed_out:
        assert (found["status"], found["reason"]) == ("False", "ProgressDeadlineExceeded")
        assert found["message"] == 'ReplicaSet "web-new" has timed out progressing.'
        assert dc.stuck_requeue(d, dc.rollout_status(d, [new], new, NOW), NOW) is not None  # d's own is not yet
    else:
        assert found["reason"] == "ReplicaSetUpdated"
        assert dc.stuck_requeue(d, dc.rollout_status(d, [new], new, NOW), NOW) == pytest.approx(dc.DEADLINE_MARGIN)


def test_rollout_status_without_a_deadline_has_no_progressing_condition() -> None:
    d = deployment(2, progressDeadlineSeconds=dc.MAX_INT32, status={"conditions": [cond("Progressing", "True", "x")]})
    new = rs("web-new", 2)
    assert dc.get_condition(dc.rollout_status(d, [new], new, NOW), "Progressing") is None


def test_rollout_status_carries_replica_failures_of_the_new_replica_set_first() -> None:
    d = deployment(2)
    new, old = rs("new", 2, available=0), rs("old", 1)
    failure = {
        "type": "ReplicaFailure",
        "status": "True",
        "reason": "FailedCreate",
        "message": "m",
        "lastTransitionTime": ago(5),
    }
    new["status"]["conditions"] = [failure]
    old["status"]["conditions"] = [{**failure, "reason": "FailedDelete"}]
    found = dc.get_condition(dc.rollout_status(d, [old, new], new, NOW), "ReplicaFailure")
    assert found is not None and found["reason"] == "FailedCreate" and found["lastUpdateTime"] == ago(5)
    clean = rs("new", 2)
    d_failing = deployment(2, status={"conditions": [{**failure, "lastUpdateTime": ago(5)}]})
    assert dc.get_condition(dc.rollout_status(d_failing, [clean], clean, NOW), "ReplicaFailure") is None


@pytest.mark.parametrize(
    ("conditions", "new_status", "expected"),
    [
        pytest.param([cond("Progressing", "True", "ReplicaSetUpdated", 100)], {}, 501.0, id="wait-for-the-deadline"),
        pytest.param([cond("Progressing", "True", "ReplicaSetUpdated", 900)], {}, 1.0, id="overdue-look-soon"),
        pytest.param([], {}, None, id="no-condition"),
        pytest.param([cond("Progressing", "False", "ProgressDeadlineExceeded", 100)], {}, None, id="timed-out"),
        pytest.param(
            [cond("Progressing", "True", "ReplicaSetUpdated", 100)],
            {"updatedReplicas": 2, "replicas": 2, "availableReplicas": 2, "observedGeneration": 1},
            None,
            id="complete",
        ),
    ],
)
def test_stuck_requeue(conditions: list[Obj], new_status: Obj, expected: float | None) -> None:
    d = deployment(2, status={"conditions": conditions})
    assert dc.stuck_requeue(d, new_status, NOW) == expected


def test_compact_status_drops_zeros_but_keeps_a_zero_collision_count() -> None:
    assert dc.compact_status({"replicas": 0, "conditions": [], "collisionCount": 0, "readyReplicas": 2}) == {
        "collisionCount": 0,
        "readyReplicas": 2,
    }


# -- what kubectl does client-side (ported from kubectl's polymorphichelpers) ----------------------------


def kubectl_rollout_status(d: Obj) -> tuple[str, bool]:
    """DeploymentStatusViewer.Status."""
    name, spec, status = d["metadata"]["name"], d["spec"], d.get("status") or {}
    if d["metadata"].get("generation", 0) > status.get("observedGeneration", 0):
        return "Waiting for deployment spec update to be observed...", False
    found = dc.get_condition(status, "Progressing")
    if found is not None and found.get("reason") == "ProgressDeadlineExceeded":
        raise AssertionError(f'deployment "{name}" exceeded its progress deadline')
    updated, total, available = (status.get(k, 0) for k in ("updatedReplicas", "replicas", "availableReplicas"))
    if spec.get("replicas") is not None and updated < spec["replicas"]:
        message = f"{updated} out of {spec['replicas']} new replicas have been updated..."
        return f'Waiting for deployment "{name}" rollout to finish: {message}', False
    waiting = f'Waiting for deployment "{name}" rollout to finish'
    if total > updated:
        return f"{waiting}: {total - updated} old replicas are pending termination...", False
    if available < updated:
        return f"{waiting}: {available} of {updated} updated replicas are available...", False
    return f'deployment "{name}" successfully rolled out', True


async def owned_replica_sets(client: Client, d: Obj) -> list[Obj]:
    """deploymentutil.GetAllReplicaSets as kubectl has it: by selector, then controlled by ``d``."""
    selector = ",".join(f"{k}={v}" for k, v in d["spec"]["selector"]["matchLabels"].items())
    items = (await client.list("apps/v1", "replicasets", namespace=NAMESPACE, label_selector=selector))["items"]
    return [item for item in items if (pc.controller_of(item) or {}).get("uid") == pc.uid_of(d)]


async def kubectl_history(client: Client, name: str = "web") -> list[tuple[int, str]]:
    d = await client.get("apps/v1", "deployments", name, namespace=NAMESPACE)
    found = [
        (int(dc.annotations_of(item)[dc.REVISION]), dc.annotations_of(item).get("kubernetes.io/change-cause", "<none>"))
        for item in await owned_replica_sets(client, d)
    ]
    return sorted(found)


async def kubectl_undo(client: Client, name: str = "web", to_revision: int = 0) -> str:
    """DeploymentRollbacker.Rollback: the old ReplicaSet's template (as Go marshals it) and
    annotations copied into the Deployment with a JSON patch."""
    d = await client.get("apps/v1", "deployments", name, namespace=NAMESPACE)
    by_revision = {
        int(dc.annotations_of(item).get(dc.REVISION, "0")): item for item in await owned_replica_sets(client, d)
    }
    if to_revision == 0:
        if len(by_revision) < 2:
            raise AssertionError(f'no rollout history found for deployment "{name}"')
        to_revision = sorted(by_revision)[-2]
    target = by_revision[to_revision]
    if d["spec"].get("paused"):
        raise AssertionError("you cannot rollback a paused deployment")
    if dc.equal_ignore_hash(target["spec"]["template"], d["spec"]["template"]):
        return f"skipped rollback (current template already matches revision {to_revision})"
    restored = copy.deepcopy(target["spec"]["template"])
    restored["metadata"]["labels"].pop(dc.HASH_LABEL, None)
    restored["metadata"]["creationTimestamp"] = None  # what Go's json.Marshal of a PodTemplateSpec writes
    for container in restored["spec"]["containers"]:
        container.setdefault("resources", {})
    annotations = {k: v for k, v in dc.annotations_of(d).items() if k in dc.ANNOTATIONS_TO_SKIP}
    annotations |= {k: v for k, v in dc.annotations_of(target).items() if k not in dc.ANNOTATIONS_TO_SKIP}
    patch = [
        {"op": "replace", "path": "/spec/template", "value": restored},
        {"op": "replace", "path": "/metadata/annotations", "value": annotations},
    ]
    await client.patch("apps/v1", "deployments", name, patch, namespace=NAMESPACE, patch_type=JSON_PATCH)
    return "rolled back"


# -- over the API ---------------------------------------------------------------------------------------


def deployment_object(replicas: int = 3, image: str = "nginx:1.25", **spec: Any) -> Obj:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": LABELS},
            "template": template(LABELS, image),
            **spec,
        },
    }


class Rollouts:
    """The running controllers, their clock and a fake kubelet, with the reads the tests need."""

    def __init__(self, client: Client, clock: WallClock) -> None:
        self.client = client
        self.now = clock
        self.kubelet = FakeKubelet(client, clock)

    async def deployment(self) -> Obj:
        return await self.client.get("apps/v1", "deployments", "web", namespace=NAMESPACE)

    async def replica_sets(self) -> list[Obj]:
        """By revision (creation times have whole seconds: several ReplicaSets may share one)."""
        items = (await self.client.list("apps/v1", "replicasets", namespace=NAMESPACE))["items"]
        return sorted(items, key=lambda item: int(dc.annotations_of(item).get(dc.REVISION, "0")))

    async def set_image(self, image: str) -> None:
        patch = {"spec": {"template": {"spec": {"containers": [{"name": "app", "image": image}]}}}}
        await self.client.patch(
            "apps/v1", "deployments", "web", patch, namespace=NAMESPACE, patch_type=STRATEGIC_MERGE_PATCH
        )

    async def rolled_out(self) -> bool:
        """One kubelet round (every pod Ready), then whether kubectl rollout status would be done."""
        await self.kubelet.ready_all(await pods(self.client, "app=web"))
        return kubectl_rollout_status(await self.deployment())[1]

    async def scaling_events(self) -> list[str]:
        events = sorted(
            (e for e in await events_about(self.client, "web") if e["reason"] == "ScalingReplicaSet"),
            key=lambda e: int(e["metadata"]["resourceVersion"]),  # the order they were written in
        )
        return [e["message"] for e in events]


@pytest.fixture
async def rollouts(client: Client) -> AsyncIterator[Rollouts]:
    clock = WallClock()
    async with trio.open_nursery() as nursery:
        await nursery.start(lambda task_status: workloads.run(client, now=clock, task_status=task_status))
        yield Rollouts(client, clock)
        nursery.cancel_scope.cancel()


async def test_a_new_deployment_rolls_out_its_first_replica_set(client: Client, rollouts: Rollouts) -> None:
    await client.create("apps/v1", "deployments", deployment_object(3), namespace=NAMESPACE)
    await eventually(rollouts.rolled_out)
    d = await rollouts.deployment()
    [only] = await rollouts.replica_sets()
    template_hash = only["metadata"]["labels"][dc.HASH_LABEL]
    assert pc.name_of(only) == f"web-{template_hash}"
    assert only["spec"]["selector"]["matchLabels"] == {**LABELS, dc.HASH_LABEL: template_hash}
    assert pc.controller_of(only) == pc.controller_ref(d, "apps/v1", "Deployment")
    assert {k: v for k, v in dc.annotations_of(only).items()} == {
        dc.REVISION: "1",
        dc.DESIRED_REPLICAS: "3",
        dc.MAX_REPLICAS: "4",
    }
    assert dc.annotations_of(d)[dc.REVISION] == "1"
    for member in await pods(client, "app=web"):
        assert member["metadata"]["labels"][dc.HASH_LABEL] == template_hash
    status = d["status"]
    assert {k: status.get(k) for k in ("replicas", "updatedReplicas", "readyReplicas", "availableReplicas")} == {
        "replicas": 3,
        "updatedReplicas": 3,
        "readyReplicas": 3,
        "availableReplicas": 3,
    }
    assert status["observedGeneration"] == d["metadata"]["generation"]
    assert "unavailableReplicas" not in status
    reasons = {c["type"]: (c["status"], c["reason"]) for c in status["conditions"]}
    assert reasons == {
        "Available": ("True", "MinimumReplicasAvailable"),
        "Progressing": ("True", "NewReplicaSetAvailable"),
    }
    assert await rollouts.scaling_events() == [f"Scaled up replica set web-{template_hash} to 3 from 0"]


async def test_a_rolling_update_stays_within_surge_and_unavailability(client: Client, rollouts: Rollouts) -> None:
    strategy = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}
    await client.create("apps/v1", "deployments", deployment_object(4, strategy=strategy), namespace=NAMESPACE)
    await eventually(rollouts.rolled_out)
    [first] = await rollouts.replica_sets()
    await rollouts.set_image("nginx:1.26")
    seen_progressing = False
    with trio.fail_after(20):
        while True:
            replica_sets = await rollouts.replica_sets()
            assert sum(dc.replicas(r) for r in replica_sets) <= 5  # never beyond replicas + maxSurge
            ready = [p for p in await pods(client, "app=web") if pc.is_pod_ready(p)]
            assert len(ready) >= 4  # maxUnavailable 0: never fewer ready pods than desired
            d = await rollouts.deployment()
            cond = dc.get_condition(d.get("status") or {}, "Progressing")
            seen_progressing = seen_progressing or (cond is not None and cond["reason"] == "ReplicaSetUpdated")
            done = kubectl_rollout_status(d)[1] and len(replica_sets) == 2
            if done:
                break
            for member in await pods(client, "app=web"):  # the kubelet starts one new pod per round
                if not pc.is_pod_ready(member):
                    await rollouts.kubelet.ready(member)
                    break
            await trio.sleep(0.02)
    assert seen_progressing
    old, new = await rollouts.replica_sets()
    assert pc.name_of(old) == pc.name_of(first)
    assert (dc.replicas(old), dc.replicas(new)) == (0, 4)
    assert (dc.annotations_of(old)[dc.REVISION], dc.annotations_of(new)[dc.REVISION]) == ("1", "2")
    assert dc.annotations_of(await rollouts.deployment())[dc.REVISION] == "2"
    events = await rollouts.scaling_events()
    assert f"Scaled up replica set {pc.name_of(new)} to 1 from 0" in events
    assert f"Scaled down replica set {pc.name_of(old)} to 3 from 4" in events
    assert events[-1] == f"Scaled down replica set {pc.name_of(old)} to 0 from 1"


async def test_recreate_removes_the_old_pods_before_starting_new_ones(client: Client, rollouts: Rollouts) -> None:
    await client.create(
        "apps/v1", "deployments", deployment_object(3, strategy={"type": "Recreate"}), namespace=NAMESPACE
    )
    await eventually(rollouts.rolled_out)
    [first] = await rollouts.replica_sets()
    old_hash = first["metadata"]["labels"][dc.HASH_LABEL]
    await rollouts.set_image("nginx:1.26")
    with trio.fail_after(20):
        while True:
            hashes = {p["metadata"]["labels"][dc.HASH_LABEL] for p in await pods(client, "app=web")}
            assert len(hashes) <= 1, "old and new pods at once"
            if hashes and hashes != {old_hash}:
                break
            await trio.sleep(0.005)
    await eventually(rollouts.rolled_out)
    old, new = await rollouts.replica_sets()
    assert (dc.replicas(old), dc.replicas(new)) == (0, 3)
    assert (await rollouts.scaling_events())[-2:] == [
        f"Scaled down replica set {pc.name_of(old)} to 0 from 3",
        f"Scaled up replica set {pc.name_of(new)} to 3 from 0",
    ]


async def test_undo_brings_back_the_old_replica_set_as_the_next_revision(client: Client, rollouts: Rollouts) -> None:
    await client.create("apps/v1", "deployments", deployment_object(2), namespace=NAMESPACE)
    await eventually(rollouts.rolled_out)
    first_name = pc.name_of((await rollouts.replica_sets())[0])
    change = {  # as kubectl set image --record writes it: the cause with the change
        "metadata": {"annotations": {"kubernetes.io/change-cause": "upgrade to 1.26"}},
        "spec": {"template": {"spec": {"containers": [{"name": "app", "image": "nginx:1.26"}]}}},
    }
    await client.patch("apps/v1", "deployments", "web", change, namespace=NAMESPACE, patch_type=STRATEGIC_MERGE_PATCH)
    await eventually(rollouts.rolled_out)
    assert await kubectl_history(client) == [(1, "<none>"), (2, "upgrade to 1.26")]
    assert await kubectl_undo(client) == "rolled back"
    await eventually(rollouts.rolled_out)
    second, first = await rollouts.replica_sets()  # no third: the first came back, as revision 3
    assert (pc.name_of(first), dc.replicas(first), dc.replicas(second)) == (first_name, 2, 0)
    assert dc.annotations_of(first)[dc.REVISION] == "3"
    assert dc.annotations_of(first)[dc.REVISION_HISTORY] == "1"
    d = await rollouts.deployment()
    assert dc.annotations_of(d)[dc.REVISION] == "3"
    assert d["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.25"
    assert [revision for revision, _ in await kubectl_history(client)] == [2, 3]
    assert await kubectl_undo(client, to_revision=3) == "skipped rollback (current template already matches revision 3)"


async def test_a_paused_deployment_scales_but_does_not_roll_out(client: Client, rollouts: Rollouts) -> None:
    await client.create("apps/v1", "deployments", deployment_object(2), namespace=NAMESPACE)
    await eventually(rollouts.rolled_out)
    await client.patch("apps/v1", "deployments", "web", {"spec": {"paused": True}}, namespace=NAMESPACE)

    async def condition_reason_is(reason: str) -> bool:
        found = dc.get_condition((await rollouts.deployment()).get("status") or {}, "Progressing")
        return found is not None and found["reason"] == reason and found["status"] == "Unknown"

    await eventually(lambda: condition_reason_is("DeploymentPaused"))
    await rollouts.set_image("nginx:1.26")
    await client.patch(
        "apps/v1", "deployments", "web", {"spec": {"replicas": 4}}, namespace=NAMESPACE, subresource="scale"
    )

    async def scaled_in_place() -> bool:
        replica_sets = await rollouts.replica_sets()
        return len(replica_sets) == 1 and dc.replicas(replica_sets[0]) == 4

    await eventually(scaled_in_place)

    async def observed() -> bool:
        d = await rollouts.deployment()
        return bool(d["status"].get("observedGeneration") == d["metadata"]["generation"])

    await eventually(observed)  # paused, the spec is observed all the same
    await trio.sleep(0.1)
    assert len(await rollouts.replica_sets()) == 1
    assert kubectl_rollout_status(await rollouts.deployment()) == (
        'Waiting for deployment "web" rollout to finish: 0 out of 4 new replicas have been updated...',
        False,
    )
    await client.patch("apps/v1", "deployments", "web", {"spec": {"paused": False}}, namespace=NAMESPACE)
    await eventually(rollouts.rolled_out)
    old, new = await rollouts.replica_sets()
    assert (dc.replicas(old), dc.replicas(new)) == (0, 4)
    assert new["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.26"


async def test_old_replica_sets_beyond_the_history_limit_are_deleted(client: Client, rollouts: Rollouts) -> None:
    await client.create("apps/v1", "deployments", deployment_object(1, revisionHistoryLimit=1), namespace=NAMESPACE)
    await eventually(rollouts.rolled_out)
    for version in ("1.26", "1.27", "1.28"):
        await rollouts.set_image(f"nginx:{version}")
        await eventually(rollouts.rolled_out)

    async def two_left() -> bool:
        return len(await rollouts.replica_sets()) == 2

    await eventually(two_left)
    old, new = await rollouts.replica_sets()
    assert (dc.annotations_of(old)[dc.REVISION], dc.annotations_of(new)[dc.REVISION]) == ("3", "4")
    assert old["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.27"


async def test_scaling_a_deployment_scales_its_replica_set(client: Client, rollouts: Rollouts) -> None:
    await client.create("apps/v1", "deployments", deployment_object(3), namespace=NAMESPACE)
    await eventually(rollouts.rolled_out)
    await client.patch(
        "apps/v1", "deployments", "web", {"spec": {"replicas": 5}}, namespace=NAMESPACE, subresource="scale"
    )
    await eventually(rollouts.rolled_out)
    [only] = await rollouts.replica_sets()
    assert dc.replicas(only) == 5
    assert dc.annotations_of(only)[dc.DESIRED_REPLICAS] == "5"
    assert (await rollouts.scaling_events())[-1] == f"Scaled up replica set {pc.name_of(only)} to 5 from 3"


async def test_rollout_restart_rolls_out_a_new_replica_set(client: Client, rollouts: Rollouts) -> None:
    await client.create("apps/v1", "deployments", deployment_object(2), namespace=NAMESPACE)
    await eventually(rollouts.rolled_out)
    restarted = {"kubectl.kubernetes.io/restartedAt": pc.stamp(rollouts.now())}
    await client.patch(
        "apps/v1",
        "deployments",
        "web",
        {"spec": {"template": {"metadata": {"annotations": restarted}}}},
        namespace=NAMESPACE,
        patch_type=STRATEGIC_MERGE_PATCH,
    )
    await eventually(rollouts.rolled_out)
    old, new = await rollouts.replica_sets()
    assert (dc.replicas(old), dc.replicas(new)) == (0, 2)
    assert new["spec"]["template"]["metadata"]["annotations"] == restarted


async def test_a_matching_orphan_replica_set_is_adopted_as_the_new_one(client: Client, rollouts: Rollouts) -> None:
    orphan = {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {"name": "web-manual", "labels": LABELS},
        "spec": {"replicas": 2, "selector": {"matchLabels": LABELS}, "template": template(LABELS)},
    }
    await client.create("apps/v1", "replicasets", orphan, namespace=NAMESPACE)
    d = await client.create("apps/v1", "deployments", deployment_object(2), namespace=NAMESPACE)
    await eventually(rollouts.rolled_out)
    [only] = await rollouts.replica_sets()
    assert pc.name_of(only) == "web-manual"
    assert pc.controller_of(only) == pc.controller_ref(d, "apps/v1", "Deployment")
    assert dc.annotations_of(only)[dc.REVISION] == "1"


async def test_a_hash_collision_bumps_the_collision_count(client: Client, rollouts: Rollouts) -> None:
    """Another ReplicaSet already has the name the template's hash gives: the Deployment counts a
    collision and names its ReplicaSet after the hash with the count."""
    paused = await client.create("apps/v1", "deployments", deployment_object(1, paused=True), namespace=NAMESPACE)
    taken = f"web-{dc.pod_template_hash(paused['spec']['template'], None)}"
    squatter = {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {"name": taken},
        "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "other"}}, "template": template({"app": "other"})},
    }
    await client.create("apps/v1", "replicasets", squatter, namespace=NAMESPACE)
    await client.patch("apps/v1", "deployments", "web", {"spec": {"paused": False}}, namespace=NAMESPACE)
    await eventually(rollouts.rolled_out)
    d = await rollouts.deployment()
    assert d["status"]["collisionCount"] == 1
    owned = [item for item in await rollouts.replica_sets() if pc.controller_of(item)]
    assert [pc.name_of(item) for item in owned] == [f"web-{dc.pod_template_hash(d['spec']['template'], 1)}"]


async def test_a_stuck_rollout_exceeds_its_progress_deadline_then_recovers(
    client: Client, autojump_clock: trio.testing.MockClock
) -> None:
    clock = WallClock()
    kubelet = FakeKubelet(client, clock)
    async with trio.open_nursery() as nursery:
        await nursery.start(lambda task_status: workloads.run(client, now=clock, task_status=task_status))
        await client.create(
            "apps/v1", "deployments", deployment_object(2, progressDeadlineSeconds=30), namespace=NAMESPACE
        )
        started = trio.current_time()

        async def timed_out() -> bool:
            d = await client.get("apps/v1", "deployments", "web", namespace=NAMESPACE)
            found = dc.get_condition(d.get("status") or {}, "Progressing")
            return found is not None and found["reason"] == "ProgressDeadlineExceeded"

        await eventually(timed_out, timeout=120, interval=1.0)
        assert trio.current_time() - started >= 30
        d = await client.get("apps/v1", "deployments", "web", namespace=NAMESPACE)
        found = dc.get_condition(d["status"], "Progressing")
        assert found is not None and found["status"] == "False"
        [replica_set] = (await client.list("apps/v1", "replicasets", namespace=NAMESPACE))["items"]
        assert found["message"] == f'ReplicaSet "{pc.name_of(replica_set)}" has timed out progressing.'
        with pytest.raises(AssertionError, match="exceeded its progress deadline"):
            kubectl_rollout_status(d)
        await kubelet.ready_all(await pods(client, "app=web"))

        async def recovered() -> bool:
            d = await client.get("apps/v1", "deployments", "web", namespace=NAMESPACE)
            found = dc.get_condition(d.get("status") or {}, "Progressing")
            return found is not None and found["reason"] == "NewReplicaSetAvailable" and kubectl_rollout_status(d)[1]

        await eventually(recovered, timeout=60, interval=1.0)
        nursery.cancel_scope.cancel()


async def test_cancelling_the_workload_controllers_stops_them(client: Client) -> None:
    with trio.fail_after(5):
        async with trio.open_nursery() as nursery:
            await nursery.start(workloads.run, client)
            nursery.cancel_scope.cancel()
    await client.create("apps/v1", "deployments", deployment_object(1), namespace=NAMESPACE)
    await trio.sleep(0.2)
    assert (await client.list("apps/v1", "replicasets", namespace=NAMESPACE))["items"] == []


async def test_a_deployment_controller_alone_runs_its_own_informers(client: Client) -> None:
    alone = DeploymentController(client)
    async with trio.open_nursery() as nursery:
        await nursery.start(alone.run)
        await client.create("apps/v1", "deployments", deployment_object(1), namespace=NAMESPACE)

        async def replica_set_made() -> bool:
            return len((await client.list("apps/v1", "replicasets", namespace=NAMESPACE))["items"]) == 1

        await eventually(replica_set_made)
        nursery.cancel_scope.cancel()
