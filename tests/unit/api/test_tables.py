"""Server-side printers: columns and cells as Kubernetes' own printers produce them.

Expected values come from the Go sources; the pod cases marked "upstream" are the cases of
``pkg/printers/internalversion/printers_test.go`` (TestPrintPod and friends) in JSON form.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from k3py.api import tables
from k3py.core import errors

NOW = datetime(2024, 6, 1, 12, 0, 0, tzinfo=UTC)


def ago(**delta: float) -> str:
    """An RFC 3339 timestamp ``delta`` before NOW."""
    return (NOW - timedelta(**delta)).strftime("%Y-%m-%dT%H:%M:%SZ")


def meta(name: str = "x", **extra: Any) -> dict[str, Any]:
    return {"name": name, **extra}


def row(group: str, resource: str, obj: dict[str, Any]) -> list[tables.Cell]:
    return tables.row_for(group, resource, obj, NOW)


def headers(group: str, resource: str, *, wide: bool = False) -> list[str]:
    """Column names as kubectl prints them (upper-cased), wide ones only when asked."""
    return [c["name"].upper() for c in tables.columns_for(group, resource) if wide or c["priority"] == 0]


# --------------------------------------------------------------------------------------------------
# duration.HumanDuration


@pytest.mark.parametrize(
    ("delta", "expected"),
    [
        # TestHumanDuration
        (timedelta(seconds=1), "1s"),
        (timedelta(seconds=70), "70s"),
        (timedelta(seconds=190), "3m10s"),
        (timedelta(minutes=70), "70m"),
        (timedelta(hours=47), "47h"),
        (timedelta(hours=49), "2d1h"),
        (timedelta(hours=8 * 24 + 2), "8d"),
        (timedelta(hours=367 * 24), "367d"),
        (timedelta(hours=365 * 2 * 24 + 25), "2y1d"),
        (timedelta(hours=365 * 8 * 24 + 2), "8y"),
        # TestHumanDurationBoundaries (Go's 1ns steps become 1µs here)
        (timedelta(seconds=-2), "<invalid>"),
        (timedelta(seconds=-2, microseconds=1), "0s"),
        (timedelta(seconds=-1), "0s"),
        (timedelta(0), "0s"),
        (timedelta(seconds=1) - timedelta(milliseconds=1), "0s"),
        (timedelta(seconds=59), "59s"),
        (timedelta(minutes=2) - timedelta(milliseconds=1), "119s"),
        (timedelta(minutes=2), "2m"),
        (timedelta(minutes=2, seconds=1), "2m1s"),
        (timedelta(minutes=2, seconds=3), "2m3s"),
        (timedelta(minutes=10) - timedelta(milliseconds=1), "9m59s"),
        (timedelta(minutes=10), "10m"),
        (timedelta(minutes=10, seconds=1), "10m"),
        (timedelta(hours=3) - timedelta(milliseconds=1), "179m"),
        (timedelta(hours=3), "3h"),
        (timedelta(hours=3, minutes=1), "3h1m"),
        (timedelta(hours=8) - timedelta(milliseconds=1), "7h59m"),
        (timedelta(hours=8), "8h"),
        (timedelta(hours=8, minutes=59), "8h"),
        (timedelta(days=2) - timedelta(milliseconds=1), "47h"),
        (timedelta(days=2), "2d"),
        (timedelta(days=2, hours=1), "2d1h"),
        (timedelta(days=8) - timedelta(milliseconds=1), "7d23h"),
        (timedelta(days=8), "8d"),
        (timedelta(days=8, hours=23), "8d"),
        (timedelta(days=2 * 365) - timedelta(milliseconds=1), "729d"),
        (timedelta(days=2 * 365), "2y"),
        (timedelta(days=2 * 365, hours=23, minutes=59), "2y"),
        (timedelta(days=2 * 365 + 1) - timedelta(milliseconds=1), "2y"),
        (timedelta(days=2 * 365 + 1), "2y1d"),
        (timedelta(days=3 * 365), "3y"),
        (timedelta(days=7 * 365), "7y"),
        (timedelta(days=8 * 365) - timedelta(milliseconds=1), "7y364d"),
        (timedelta(days=8 * 365), "8y"),
        (timedelta(days=8 * 365 + 364), "8y"),
        (timedelta(days=9 * 365), "9y"),
    ],
)
def test_human_duration_matches_apimachinery(delta: timedelta, expected: str) -> None:
    assert tables.human_duration(delta) == expected


@pytest.mark.parametrize(
    ("timestamp", "expected"),
    [
        pytest.param(None, "<unknown>", id="missing"),
        pytest.param("0001-01-01T00:00:00Z", "<unknown>", id="zero-time"),
        pytest.param("yesterday", "<unknown>", id="malformed"),
        pytest.param(ago(seconds=30), "30s", id="utc"),
        pytest.param("2024-06-01T11:55:00.123456789Z", "4m59s", id="fraction"),
        pytest.param("2024-06-01T13:00:00+02:00", "60m", id="offset"),
        pytest.param(ago(seconds=-10), "<invalid>", id="future"),
    ],
)
def test_age_cell_formats_creation_timestamp(timestamp: str | None, expected: str) -> None:
    obj = {"metadata": {"name": "c", "creationTimestamp": timestamp}}
    assert row("", "configmaps", obj)[2] == expected


def test_naive_now_is_taken_as_utc() -> None:
    obj = {"metadata": {"name": "c", "creationTimestamp": ago(minutes=3)}}
    assert tables.row_for("", "configmaps", obj, NOW.replace(tzinfo=None))[2] == "3m"


# --------------------------------------------------------------------------------------------------
# Pods


def containers(n: int) -> list[dict[str, Any]]:
    return [{"name": f"c{i}", "image": f"img{i}"} for i in range(n)]


RUNNING: dict[str, Any] = {"running": {}}
FINISHED_10S = {"terminated": {"finishedAt": ago(seconds=10)}}


def pod(
    name: str = "p",
    *,
    spec: dict[str, Any] | None = None,
    status: dict[str, Any] | None = None,
    **metadata: Any,
) -> dict[str, Any]:
    return {"metadata": meta(name, **metadata), "spec": spec or {}, "status": status or {}}


POD_CASES = [
    pytest.param(
        pod(
            "test1",
            spec={"containers": containers(2)},
            status={
                "phase": "podPhase",
                "containerStatuses": [{"ready": True, "restartCount": 3, "state": RUNNING}, {"restartCount": 3}],
            },
        ),
        ["test1", "1/2", "podPhase", "6"],
        id="upstream-1-ready-and-restarts",
    ),
    pytest.param(
        pod(
            "test2",
            spec={"containers": containers(2)},
            status={
                "phase": "podPhase",
                "containerStatuses": [
                    {"ready": True, "restartCount": 3, "state": RUNNING},
                    {"restartCount": 3, "state": {"waiting": {"reason": "ContainerWaitingReason"}}},
                ],
            },
        ),
        ["test2", "1/2", "ContainerWaitingReason", "6"],
        id="upstream-2-waiting-reason-overrides-phase",
    ),
    pytest.param(
        pod(
            "test3",
            spec={"containers": containers(2)},
            status={
                "phase": "podPhase",
                "containerStatuses": [
                    {"restartCount": 3, "state": {"waiting": {"reason": "ContainerWaitingReason"}}},
                    {"restartCount": 3, "state": {"terminated": {"reason": "ContainerTerminatedReason"}}},
                ],
            },
        ),
        ["test3", "0/2", "ContainerWaitingReason", "6"],
        id="upstream-3-first-container-wins",
    ),
    pytest.param(
        pod(
            "test5",
            spec={"containers": containers(2)},
            status={
                "reason": "podReason",
                "phase": "podPhase",
                "containerStatuses": [
                    {"ready": True, "restartCount": 3, "state": RUNNING},
                    {"ready": True, "restartCount": 3},
                ],
            },
        ),
        ["test5", "1/2", "podReason", "6"],
        id="upstream-5-pod-reason",
    ),
    pytest.param(
        pod(
            "test6",
            spec={"containers": containers(2)},
            status={
                "phase": "Running",
                "containerStatuses": [
                    {"ready": True, "restartCount": 3, "state": {"terminated": {"reason": "Completed", "exitCode": 0}}},
                    {"ready": True, "restartCount": 3, "state": RUNNING},
                ],
            },
        ),
        ["test6", "1/2", "NotReady", "6"],
        id="upstream-6-completed-and-running-not-ready",
    ),
    pytest.param(
        pod(
            "test6",
            spec={"containers": containers(2)},
            status={
                "phase": "Running",
                "conditions": [{"type": "Ready", "status": "True"}],
                "containerStatuses": [
                    {"ready": True, "restartCount": 3, "state": {"terminated": {"reason": "Completed", "exitCode": 0}}},
                    {"ready": True, "restartCount": 3, "state": RUNNING},
                ],
            },
        ),
        ["test6", "1/2", "Running", "6"],
        id="upstream-6b-completed-and-running-ready",
    ),
    pytest.param(
        pod(
            "test7",
            spec={"initContainers": containers(1), "containers": containers(1)},
            status={
                "phase": "podPhase",
                "initContainerStatuses": [{"restartCount": 3, "state": RUNNING, "lastState": FINISHED_10S}],
                "containerStatuses": [{"state": {"waiting": {}}}],
            },
        ),
        ["test7", "0/1", "Init:0/1", "3 (10s ago)"],
        id="upstream-7-init-restarting",
    ),
    pytest.param(
        pod(
            "test9",
            spec={"initContainers": containers(2), "containers": containers(1)},
            status={
                "phase": "podPhase",
                "initContainerStatuses": [
                    {"state": {"terminated": {}}},
                    {"restartCount": 3, "state": RUNNING, "lastState": FINISHED_10S},
                ],
                "containerStatuses": [{"state": {"waiting": {}}}],
            },
        ),
        ["test9", "0/1", "Init:1/2", "3 (10s ago)"],
        id="upstream-9-second-init-running",
    ),
    pytest.param(
        pod(
            "test10",
            spec={"initContainers": containers(2), "containers": containers(1)},
            status={
                "phase": "podPhase",
                "initContainerStatuses": [
                    {
                        "restartCount": 2,
                        "state": {"terminated": {}},
                        "lastState": {"terminated": {"finishedAt": ago(minutes=2)}},
                    },
                    {"restartCount": 3, "state": RUNNING, "lastState": FINISHED_10S},
                ],
                "containerStatuses": [{"state": {"waiting": {}}}],
            },
        ),
        ["test10", "0/1", "Init:1/2", "5 (10s ago)"],
        id="upstream-10-init-restarts-add-up",
    ),
    pytest.param(
        pod(
            "test11",
            spec={"initContainers": containers(1), "containers": containers(1)},
            status={
                "phase": "Running",
                "initContainerStatuses": [
                    {
                        "restartCount": 2,
                        "state": {"terminated": {}},
                        "lastState": {"terminated": {"finishedAt": ago(minutes=2)}},
                    }
                ],
                "containerStatuses": [
                    {
                        "restartCount": 4,
                        "state": RUNNING,
                        "lastState": {"terminated": {"finishedAt": ago(seconds=20)}},
                    }
                ],
            },
        ),
        ["test11", "0/1", "Running", "4 (20s ago)"],
        id="upstream-11-init-done-only-app-restarts-count",
    ),
    pytest.param(
        pod(
            "test14",
            spec={"containers": containers(2)},
            status={
                "phase": "Running",
                "containerStatuses": [
                    {
                        "ready": True,
                        "restartCount": 6,
                        "state": RUNNING,
                        "lastState": {"terminated": {"finishedAt": ago(days=5)}},
                    },
                    {
                        "ready": True,
                        "restartCount": 3,
                        "state": RUNNING,
                        "lastState": {"terminated": {"finishedAt": ago(days=20)}},
                    },
                ],
            },
        ),
        ["test14", "2/2", "Running", "9 (5d ago)"],
        id="upstream-14-latest-restart-wins",
    ),
    pytest.param(
        pod(
            "test15",
            spec={"containers": containers(2)},
            status={
                "phase": "podPhase",
                "conditions": [{"type": "PodScheduled", "status": "False", "reason": "SchedulingGated"}],
            },
        ),
        ["test15", "0/2", "SchedulingGated", "0"],
        id="upstream-15-scheduling-gated",
    ),
    pytest.param(
        pod(
            "test16",
            spec={"containers": containers(1)},
            status={
                "phase": "Succeeded",
                "containerStatuses": [{"state": {"terminated": {"reason": "Completed", "exitCode": 0}}}],
            },
        ),
        ["test16", "0/1", "Completed", "0"],
        id="upstream-16-completed",
    ),
    pytest.param(
        pod(
            "test17",
            spec={"containers": containers(1)},
            status={
                "phase": "Failed",
                "containerStatuses": [{"state": {"terminated": {"reason": "Error", "exitCode": 1}}}],
            },
        ),
        ["test17", "0/1", "Error", "0"],
        id="upstream-17-error",
    ),
    pytest.param(
        pod(
            "test18",
            deletionTimestamp=ago(seconds=10),
            spec={"containers": containers(1)},
            status={
                "phase": "Succeeded",
                "containerStatuses": [{"state": {"terminated": {"reason": "Completed", "exitCode": 0}}}],
            },
        ),
        ["test18", "0/1", "Completed", "0"],
        id="upstream-18-finished-pods-are-not-terminating",
    ),
    pytest.param(
        pod(
            "test19",
            deletionTimestamp=ago(seconds=10),
            spec={"containers": containers(1)},
            status={"phase": "Running", "containerStatuses": [{"state": RUNNING}]},
        ),
        ["test19", "0/1", "Terminating", "0"],
        id="upstream-19-terminating",
    ),
    pytest.param(
        pod(
            "test20", deletionTimestamp=ago(seconds=10), spec={"containers": containers(1)}, status={"phase": "Pending"}
        ),
        ["test20", "0/1", "Terminating", "0"],
        id="upstream-20-pending-terminating",
    ),
    pytest.param(
        pod(
            "test1",
            spec={
                "initContainers": [
                    {"name": "restartable-init-1", "restartPolicy": "Always"},
                    {"name": "restartable-init-2", "restartPolicy": "Always"},
                ],
                "containers": containers(1),
            },
            status={
                "phase": "Pending",
                "initContainerStatuses": [
                    {
                        "name": "restartable-init-1",
                        "restartCount": 3,
                        "state": RUNNING,
                        "started": True,
                        "lastState": FINISHED_10S,
                    },
                    {"name": "restartable-init-2", "state": RUNNING, "started": False},
                ],
                "containerStatuses": [{"state": {"waiting": {}}}],
                "conditions": [{"type": "Initialized", "status": "False"}],
            },
        ),
        ["test1", "0/3", "Init:1/2", "3 (10s ago)"],
        id="upstream-sidecar-second-not-started",
    ),
    pytest.param(
        pod(
            "test2",
            spec={
                "initContainers": [
                    {"name": "restartable-init-1", "restartPolicy": "Always"},
                    {"name": "restartable-init-2", "restartPolicy": "Always"},
                ],
                "containers": containers(1),
            },
            status={
                "phase": "Running",
                "initContainerStatuses": [
                    {
                        "name": "restartable-init-1",
                        "restartCount": 3,
                        "state": RUNNING,
                        "started": True,
                        "lastState": FINISHED_10S,
                    },
                    {"name": "restartable-init-2", "state": RUNNING, "started": True},
                ],
                "containerStatuses": [
                    {
                        "ready": True,
                        "restartCount": 4,
                        "state": RUNNING,
                        "lastState": {"terminated": {"finishedAt": ago(seconds=20)}},
                    }
                ],
                "conditions": [{"type": "Initialized", "status": "True"}],
            },
        ),
        ["test2", "1/3", "Running", "7 (10s ago)"],
        id="upstream-sidecars-started",
    ),
    pytest.param(
        pod(
            "test3",
            spec={
                "initContainers": [
                    {"name": "restartable-init-1", "restartPolicy": "Always"},
                    {"name": "restartable-init-2", "restartPolicy": "Always"},
                ],
                "containers": containers(1),
            },
            status={
                "phase": "Succeeded",
                "initContainerStatuses": [
                    {
                        "name": "restartable-init-1",
                        "restartCount": 3,
                        "state": {"terminated": {"reason": "Error", "exitCode": 137}},
                        "started": False,
                        "lastState": FINISHED_10S,
                    },
                    {
                        "name": "restartable-init-2",
                        "state": {"terminated": {"reason": "Error", "exitCode": 137}},
                        "started": False,
                    },
                ],
                "containerStatuses": [
                    {
                        "restartCount": 4,
                        "state": {"terminated": {"reason": "Completed", "exitCode": 0}},
                        "lastState": {"terminated": {"finishedAt": ago(seconds=20)}},
                    }
                ],
                "conditions": [{"type": "Initialized", "status": "True"}],
            },
        ),
        ["test3", "0/3", "Completed", "7 (10s ago)"],
        id="upstream-sidecars-killed-after-completion",
    ),
    pytest.param(
        pod(
            "test4",
            spec={
                "initContainers": [
                    {"name": "init1", "image": "initimage"},
                    {"name": "sidecar1", "image": "sidecarimage", "restartPolicy": "Always"},
                ],
                "containers": [{"name": "container1", "image": "containerimage"}],
            },
            status={
                "phase": "Running",
                "initContainerStatuses": [{"name": "initinvalid"}, {"name": "init1"}, {"name": "sidecar1"}],
                "containerStatuses": [{"name": "containerinvalid"}, {"name": "container1"}],
            },
        ),
        ["test4", "0/2", "Init:0/2", "0"],
        id="upstream-statuses-of-unknown-containers",
    ),
    pytest.param(
        pod(
            spec={"initContainers": containers(2), "containers": containers(1)},
            status={
                "phase": "Pending",
                "initContainerStatuses": [
                    {"restartCount": 4, "state": {"waiting": {"reason": "CrashLoopBackOff"}}},
                    {"state": {"waiting": {"reason": "PodInitializing"}}},
                ],
            },
        ),
        ["p", "0/1", "Init:CrashLoopBackOff", "4"],
        id="init-crash-loop-without-finish-time",
    ),
    pytest.param(
        pod(
            spec={"initContainers": containers(1), "containers": containers(1)},
            status={
                "phase": "Pending",
                "initContainerStatuses": [{"state": {"waiting": {"reason": "PodInitializing"}}}],
            },
        ),
        ["p", "0/1", "Init:0/1", "0"],
        id="init-pod-initializing-counts-as-progress",
    ),
    pytest.param(
        pod(
            spec={"initContainers": containers(1), "containers": containers(1)},
            status={
                "phase": "Pending",
                "initContainerStatuses": [{"state": {"terminated": {"reason": "OOMKilled", "exitCode": 137}}}],
            },
        ),
        ["p", "0/1", "Init:OOMKilled", "0"],
        id="init-terminated-reason",
    ),
    pytest.param(
        pod(
            spec={"initContainers": containers(1), "containers": containers(1)},
            status={
                "phase": "Pending",
                "initContainerStatuses": [{"state": {"terminated": {"signal": 9, "exitCode": 137}}}],
            },
        ),
        ["p", "0/1", "Init:Signal:9", "0"],
        id="init-signal",
    ),
    pytest.param(
        pod(
            spec={"initContainers": containers(1), "containers": containers(1)},
            status={"phase": "Pending", "initContainerStatuses": [{"state": {"terminated": {"exitCode": 2}}}]},
        ),
        ["p", "0/1", "Init:ExitCode:2", "0"],
        id="init-exit-code",
    ),
    pytest.param(
        pod(
            spec={"containers": containers(1)},
            status={
                "phase": "Running",
                "containerStatuses": [
                    {
                        "restartCount": 7,
                        "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                        "lastState": {"terminated": {"exitCode": 1, "finishedAt": ago(minutes=4, seconds=30)}},
                    }
                ],
            },
        ),
        ["p", "0/1", "CrashLoopBackOff", "7 (4m30s ago)"],
        id="crash-loop-back-off",
    ),
    pytest.param(
        pod(
            spec={"containers": containers(1)},
            status={"phase": "Running", "containerStatuses": [{"state": {"terminated": {"signal": 15}}}]},
        ),
        ["p", "0/1", "Signal:15", "0"],
        id="container-signal",
    ),
    pytest.param(
        pod(
            spec={"containers": containers(1)},
            status={"phase": "Running", "containerStatuses": [{"state": {"terminated": {"exitCode": 3}}}]},
        ),
        ["p", "0/1", "ExitCode:3", "0"],
        id="container-exit-code",
    ),
    pytest.param(
        pod(
            deletionTimestamp=ago(seconds=1),
            spec={"containers": containers(1)},
            status={"phase": "Running", "reason": "NodeLost"},
        ),
        ["p", "0/1", "Unknown", "0"],
        id="deleted-on-lost-node",
    ),
    pytest.param(
        pod(spec={"containers": containers(1)}, status={"phase": "Pending"}),
        ["p", "0/1", "Pending", "0"],
        id="pending",
    ),
    pytest.param(
        pod(spec={"containers": containers(1)}, status={"phase": "Failed", "reason": "Evicted"}),
        ["p", "0/1", "Evicted", "0"],
        id="evicted",
    ),
    pytest.param(pod(spec={"containers": containers(1)}, status={}), ["p", "0/1", "Pending", "0"], id="no-status-yet"),
]


@pytest.mark.parametrize(("obj", "expected"), POD_CASES)
def test_pod_ready_status_and_restarts(obj: dict[str, Any], expected: list[str]) -> None:
    assert row("", "pods", obj)[:4] == expected


def test_pod_wide_cells_are_ip_node_nominated_node_and_readiness_gates() -> None:
    """Upstream TestPrintPodwide: the first pod IP, and how many readiness gates are True."""
    obj = pod(
        "test1",
        creationTimestamp=ago(hours=1),
        spec={
            "containers": containers(2),
            "nodeName": "test1",
            "readinessGates": [{"conditionType": c} for c in ("condition1", "condition2", "condition3")],
        },
        status={
            "phase": "podPhase",
            "podIP": "1.1.1.1",
            "podIPs": [{"ip": "1.1.1.1"}, {"ip": "2001:db8::"}],
            "nominatedNodeName": "node1",
            "conditions": [{"type": "condition1", "status": "False"}, {"type": "condition2", "status": "True"}],
            "containerStatuses": [{"ready": True, "restartCount": 3, "state": RUNNING}, {"restartCount": 3}],
        },
    )
    assert row("", "pods", obj) == ["test1", "1/2", "podPhase", "6", "60m", "1.1.1.1", "test1", "node1", "1/3"]


def test_pod_wide_cells_default_to_none() -> None:
    obj = pod(spec={"containers": containers(1)}, status={"phase": "Pending"})
    assert row("", "pods", obj)[4:] == ["<unknown>", "<none>", "<none>", "<none>", "<none>"]


def test_pod_ip_falls_back_to_pod_ip_field() -> None:
    obj = pod(spec={"containers": containers(1)}, status={"phase": "Running", "podIP": "10.42.0.7"})
    assert row("", "pods", obj)[5] == "10.42.0.7"


def test_pod_columns_match_kubectl() -> None:
    assert headers("", "pods") == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert headers("", "pods", wide=True)[5:] == ["IP", "NODE", "NOMINATED NODE", "READINESS GATES"]
    columns = tables.columns_for("", "pods")
    assert [(c["type"], c["format"], c["priority"]) for c in columns] == [
        ("string", "name", 0),
        ("string", "", 0),
        ("string", "", 0),
        ("string", "", 0),
        ("string", "", 0),
        ("string", "", 1),
        ("string", "", 1),
        ("string", "", 1),
        ("string", "", 1),
    ]


@pytest.mark.parametrize(
    ("phase", "conditions"),
    [
        ("Running", None),
        (
            "Succeeded",
            [
                {
                    "type": "Completed",
                    "status": "True",
                    "reason": "Succeeded",
                    "message": "The pod has completed successfully.",
                }
            ],
        ),
        ("Failed", [{"type": "Completed", "status": "True", "reason": "Failed", "message": "The pod failed."}]),
    ],
)
def test_finished_pods_carry_the_completed_row_condition(phase: str, conditions: list[dict[str, str]] | None) -> None:
    table = tables.build_table("", "pods", [pod(status={"phase": phase})], now=NOW)
    assert table["rows"][0].get("conditions") == conditions


# --------------------------------------------------------------------------------------------------
# Nodes


def node(labels: dict[str, str] | None = None, **status: Any) -> dict[str, Any]:
    return {"metadata": meta("n1", labels=labels or {}, creationTimestamp=ago(days=3)), "spec": {}, "status": status}


@pytest.mark.parametrize(
    ("obj", "status"),
    [
        pytest.param(node(conditions=[{"type": "Ready", "status": "True"}]), "Ready", id="ready"),
        pytest.param(node(conditions=[{"type": "Ready", "status": "False"}]), "NotReady", id="not-ready"),
        pytest.param(node(conditions=[{"type": "Ready", "status": "Unknown"}]), "NotReady", id="ready-unknown"),
        pytest.param(
            node(conditions=[{"type": "MemoryPressure", "status": "True"}]), "Unknown", id="no-ready-condition"
        ),
        pytest.param(
            {**node(conditions=[{"type": "Ready", "status": "True"}]), "spec": {"unschedulable": True}},
            "Ready,SchedulingDisabled",
            id="cordoned",
        ),
        pytest.param({**node(), "spec": {"unschedulable": True}}, "Unknown,SchedulingDisabled", id="cordoned-unknown"),
    ],
)
def test_node_status(obj: dict[str, Any], status: str) -> None:
    assert row("", "nodes", obj)[1] == status


@pytest.mark.parametrize(
    ("labels", "roles"),
    [
        pytest.param({}, "<none>", id="none"),
        pytest.param(
            {"node-role.kubernetes.io/control-plane": "true", "node-role.kubernetes.io/master": "true"},
            "control-plane,master",
            id="k3s-server",
        ),
        pytest.param(
            {"node-role.kubernetes.io/foo": "", "node-role.kubernetes.io/bar": "", "kubernetes.io/role": "node"},
            "bar,foo,node",
            id="both-label-styles",
        ),
        pytest.param({"node-role.kubernetes.io/": "x", "kubernetes.io/role": ""}, "<none>", id="empty-role-names"),
        pytest.param(
            {"kubernetes.io/role": "worker", "node-role.kubernetes.io/worker": ""}, "worker", id="deduplicated"
        ),
    ],
)
def test_node_roles_come_from_labels(labels: dict[str, str], roles: str) -> None:
    assert row("", "nodes", node(labels))[2] == roles


def test_node_row_and_wide_cells() -> None:
    obj = node(
        {"node-role.kubernetes.io/control-plane": "true"},
        conditions=[{"type": "Ready", "status": "True"}],
        addresses=[
            {"type": "Hostname", "address": "n1"},
            {"type": "InternalIP", "address": "192.168.1.10"},
            {"type": "InternalIP", "address": "fd00::10"},
        ],
        nodeInfo={
            "kubeletVersion": "v1.30.2+k3s1",
            "osImage": "Debian GNU/Linux 12 (bookworm)",
            "kernelVersion": "6.1.0-18-amd64",
            "containerRuntimeVersion": "containerd://1.7.15",
        },
    )
    assert row("", "nodes", obj) == [
        "n1",
        "Ready",
        "control-plane",
        "3d",
        "v1.30.2+k3s1",
        "192.168.1.10",
        "<none>",
        "Debian GNU/Linux 12 (bookworm)",
        "6.1.0-18-amd64",
        "containerd://1.7.15",
    ]
    assert headers("", "nodes") == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
    assert headers("", "nodes", wide=True)[5:] == [
        "INTERNAL-IP",
        "EXTERNAL-IP",
        "OS-IMAGE",
        "KERNEL-VERSION",
        "CONTAINER-RUNTIME",
    ]


def test_node_without_node_info_prints_unknown() -> None:
    assert row("", "nodes", node())[4:] == ["", "<none>", "<none>", "<unknown>", "<unknown>", "<unknown>"]


# --------------------------------------------------------------------------------------------------
# Services


def service(spec: dict[str, Any], status: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"metadata": meta("svc", creationTimestamp=ago(minutes=42)), "spec": spec, "status": status or {}}


@pytest.mark.parametrize(
    ("spec", "status", "expected"),
    [
        pytest.param(
            {
                "type": "ClusterIP",
                "clusterIP": "10.43.0.10",
                "clusterIPs": ["10.43.0.10"],
                "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}],
                "selector": {"k8s-app": "kube-dns"},
            },
            None,
            ["svc", "ClusterIP", "10.43.0.10", "<none>", "53/UDP,53/TCP", "42m", "k8s-app=kube-dns"],
            id="cluster-ip",
        ),
        pytest.param(
            {
                "type": "NodePort",
                "clusterIPs": ["10.43.1.1"],
                "ports": [{"port": 80, "nodePort": 30080, "protocol": "TCP"}, {"port": 443, "protocol": "TCP"}],
            },
            None,
            ["svc", "NodePort", "10.43.1.1", "<none>", "80:30080/TCP,443/TCP", "42m", "<none>"],
            id="node-port",
        ),
        pytest.param(
            {"clusterIP": "10.43.1.2", "ports": [{"port": 8080}]},
            None,
            ["svc", "ClusterIP", "10.43.1.2", "<none>", "8080/TCP", "42m", "<none>"],
            id="defaults-type-and-protocol",
        ),
        pytest.param(
            {"type": "ClusterIP", "clusterIP": "None", "clusterIPs": ["None"], "selector": {"b": "2", "a": "1"}},
            None,
            ["svc", "ClusterIP", "None", "<none>", "<none>", "42m", "a=1,b=2"],
            id="headless-no-ports",
        ),
        pytest.param(
            {
                "type": "ClusterIP",
                "clusterIPs": ["10.43.1.3", "fd00::3"],
                "externalIPs": ["1.2.3.4", "5.6.7.8"],
                "ports": [{"port": 80, "protocol": "SCTP"}],
            },
            None,
            ["svc", "ClusterIP", "10.43.1.3", "1.2.3.4,5.6.7.8", "80/SCTP", "42m", "<none>"],
            id="external-ips-dual-stack",
        ),
        pytest.param(
            {
                "type": "LoadBalancer",
                "clusterIPs": ["10.43.1.4"],
                "ports": [{"port": 443, "nodePort": 31443, "protocol": "TCP"}],
            },
            {"loadBalancer": {}},
            ["svc", "LoadBalancer", "10.43.1.4", "<pending>", "443:31443/TCP", "42m", "<none>"],
            id="load-balancer-pending",
        ),
        pytest.param(
            {
                "type": "LoadBalancer",
                "clusterIPs": ["10.43.1.5"],
                "ports": [{"port": 80, "nodePort": 30001, "protocol": "TCP"}],
            },
            {
                "loadBalancer": {
                    "ingress": [
                        {"ip": "192.168.1.20"},
                        {"hostname": "lb.example.com"},
                        {"ip": "192.168.1.11"},
                        {"ip": "192.168.1.20"},
                    ]
                }
            },
            [
                "svc",
                "LoadBalancer",
                "10.43.1.5",
                "192.168.1.11,192.168.1.20,lb.example.com",
                "80:30001/TCP",
                "42m",
                "<none>",
            ],
            id="load-balancer-sorted-unique-untruncated",
        ),
        pytest.param(
            {"type": "LoadBalancer", "clusterIPs": ["10.43.1.6"], "externalIPs": ["9.9.9.9"]},
            {"loadBalancer": {"ingress": [{"ip": "192.168.1.20"}]}},
            ["svc", "LoadBalancer", "10.43.1.6", "192.168.1.20,9.9.9.9", "<none>", "42m", "<none>"],
            id="load-balancer-plus-external-ips",
        ),
        pytest.param(
            {"type": "ExternalName", "externalName": "db.example.com"},
            None,
            ["svc", "ExternalName", "<none>", "db.example.com", "<none>", "42m", "<none>"],
            id="external-name",
        ),
    ],
)
def test_service_row(spec: dict[str, Any], status: dict[str, Any] | None, expected: list[str]) -> None:
    assert row("", "services", service(spec, status)) == expected


def test_service_columns() -> None:
    assert headers("", "services", wide=True) == [
        "NAME",
        "TYPE",
        "CLUSTER-IP",
        "EXTERNAL-IP",
        "PORT(S)",
        "AGE",
        "SELECTOR",
    ]
    assert tables.columns_for("", "services")[-1]["priority"] == 1


# --------------------------------------------------------------------------------------------------
# Workloads


TEMPLATE = {
    "metadata": {"labels": {"app": "web"}},
    "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}, {"name": "sidecar", "image": "busybox"}]},
}


def test_deployment_row_and_columns() -> None:
    obj = {
        "metadata": meta("web", creationTimestamp=ago(days=2, hours=5)),
        "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web", "tier": "fe"}}, "template": TEMPLATE},
        "status": {"replicas": 3, "readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2},
    }
    assert row("apps", "deployments", obj) == [
        "web",
        "2/3",
        3,
        2,
        "2d5h",
        "nginx,sidecar",
        "nginx:1.27,busybox",
        "app=web,tier=fe",
    ]
    assert headers("apps", "deployments") == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
    assert headers("apps", "deployments", wide=True)[5:] == ["CONTAINERS", "IMAGES", "SELECTOR"]
    assert [c["type"] for c in tables.columns_for("apps", "deployments")] == ["string"] * 8


@pytest.mark.parametrize(
    ("spec", "status", "cells"),
    [
        pytest.param({"template": TEMPLATE}, {}, ["0/1", 0, 0], id="replicas-default-to-one"),
        pytest.param({"replicas": 0, "template": TEMPLATE}, {}, ["0/0", 0, 0], id="scaled-to-zero"),
    ],
)
def test_deployment_counts(spec: dict[str, Any], status: dict[str, Any], cells: list[Any]) -> None:
    obj = {"metadata": meta("d"), "spec": spec, "status": status}
    assert row("apps", "deployments", obj)[1:4] == cells


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        pytest.param(None, "", id="missing-selects-nothing"),
        pytest.param({}, "", id="empty-selects-everything"),
        pytest.param(
            {
                "matchLabels": {"app": "web"},
                "matchExpressions": [
                    {"key": "env", "operator": "In", "values": ["prod", "dev"]},
                    {"key": "canary", "operator": "DoesNotExist"},
                    {"key": "app.kubernetes.io/name", "operator": "Exists"},
                    {"key": "zone", "operator": "NotIn", "values": ["b"]},
                ],
            },
            "app=web,app.kubernetes.io/name,!canary,env in (dev,prod),zone notin (b)",
            id="expressions-sorted-by-key",
        ),
        pytest.param(
            {"matchExpressions": [{"key": "a", "operator": "In", "values": []}]}, "<invalid>", id="in-without-values"
        ),
        pytest.param(
            {"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["x"]}]},
            "<invalid>",
            id="exists-with-values",
        ),
        pytest.param(
            {"matchExpressions": [{"key": "a", "operator": "Gt", "values": ["1"]}]}, "<invalid>", id="unknown-operator"
        ),
        pytest.param({"matchLabels": {"bad key": "x"}}, "<invalid>", id="invalid-key"),
    ],
)
def test_deployment_selector_cell(selector: dict[str, Any] | None, expected: str) -> None:
    obj = {"metadata": meta("d"), "spec": {"selector": selector, "template": TEMPLATE}}
    assert row("apps", "deployments", obj)[7] == expected


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        pytest.param(None, "<none>", id="missing"),
        pytest.param({}, "<none>", id="empty"),
        pytest.param({"matchLabels": {"app": "web"}}, "app=web", id="labels"),
        pytest.param({"matchExpressions": [{"key": "a", "operator": "Bogus"}]}, "<error>", id="invalid"),
    ],
)
def test_replica_set_selector_uses_format_label_selector(selector: dict[str, Any] | None, expected: str) -> None:
    obj = {"metadata": meta("rs"), "spec": {"selector": selector, "template": TEMPLATE}}
    assert row("apps", "replicasets", obj)[7] == expected


def test_replica_set_stateful_set_daemon_set_and_replication_controller_rows() -> None:
    created = ago(hours=5)
    rs = {
        "metadata": meta("web-5d4f", creationTimestamp=created),
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}}, "template": TEMPLATE},
        "status": {"replicas": 2, "readyReplicas": 1},
    }
    assert row("apps", "replicasets", rs) == [
        "web-5d4f",
        2,
        2,
        1,
        "5h",
        "nginx,sidecar",
        "nginx:1.27,busybox",
        "app=web",
    ]
    assert headers("apps", "replicasets") == ["NAME", "DESIRED", "CURRENT", "READY", "AGE"]
    assert [c["type"] for c in tables.columns_for("apps", "replicasets")[1:4]] == ["integer"] * 3

    sts = {
        "metadata": meta("db", creationTimestamp=created),
        "spec": {"replicas": 3, "template": TEMPLATE},
        "status": {"readyReplicas": 3},
    }
    assert row("apps", "statefulsets", sts) == ["db", "3/3", "5h", "nginx,sidecar", "nginx:1.27,busybox"]
    assert headers("apps", "statefulsets", wide=True) == ["NAME", "READY", "AGE", "CONTAINERS", "IMAGES"]

    ds_template = {
        "spec": {
            "nodeSelector": {"kubernetes.io/os": "linux"},
            "containers": [{"name": "proxy", "image": "kube-proxy"}],
        }
    }
    ds = {
        "metadata": meta("proxy", creationTimestamp=created),
        "spec": {"selector": {"matchLabels": {"k8s-app": "proxy"}}, "template": ds_template},
        "status": {
            "desiredNumberScheduled": 3,
            "currentNumberScheduled": 3,
            "numberReady": 2,
            "updatedNumberScheduled": 3,
            "numberAvailable": 2,
        },
    }
    assert row("apps", "daemonsets", ds) == [
        "proxy",
        3,
        3,
        2,
        3,
        2,
        "kubernetes.io/os=linux",
        "5h",
        "proxy",
        "kube-proxy",
        "k8s-app=proxy",
    ]
    assert headers("apps", "daemonsets") == [
        "NAME",
        "DESIRED",
        "CURRENT",
        "READY",
        "UP-TO-DATE",
        "AVAILABLE",
        "NODE SELECTOR",
        "AGE",
    ]

    rc = {"metadata": meta("rc", creationTimestamp=created), "spec": {"template": TEMPLATE}, "status": {"replicas": 1}}
    assert row("", "replicationcontrollers", rc) == [
        "rc",
        1,
        1,
        0,
        "5h",
        "nginx,sidecar",
        "nginx:1.27,busybox",
        "app=web",
    ]

    template = {"metadata": meta("tpl"), "template": TEMPLATE}
    assert row("", "podtemplates", template) == ["tpl", "nginx,sidecar", "nginx:1.27,busybox", "app=web"]
    assert headers("", "podtemplates") == ["NAME", "CONTAINERS", "IMAGES", "POD LABELS"]


# --------------------------------------------------------------------------------------------------
# Jobs and CronJobs


def job(spec: dict[str, Any] | None = None, status: dict[str, Any] | None = None, **metadata: Any) -> dict[str, Any]:
    base_spec = {"template": TEMPLATE, "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": "u1"}}}
    return {
        "metadata": meta("pi", creationTimestamp=ago(minutes=30), **metadata),
        "spec": {**base_spec, **(spec or {})},
        "status": status or {},
    }


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        pytest.param(job({"completions": 1}), ["Running", "0/1", ""], id="not-started"),
        pytest.param(
            job({"completions": 3}, {"succeeded": 1, "startTime": ago(minutes=5, seconds=30)}),
            ["Running", "1/3", "5m30s"],
            id="running-duration-to-now",
        ),
        pytest.param(
            job(
                {"completions": 1},
                {
                    "succeeded": 1,
                    "startTime": ago(minutes=30),
                    "completionTime": ago(minutes=28),
                    "conditions": [{"type": "Complete", "status": "True"}],
                },
            ),
            ["Complete", "1/1", "2m"],
            id="complete-duration-start-to-completion",
        ),
        pytest.param(job({"parallelism": 4}, {"succeeded": 2}), ["Running", "2/1 of 4"], id="work-queue-parallel"),
        pytest.param(job({"parallelism": 1}, {}), ["Running", "0/1"], id="no-completions-parallelism-one"),
        pytest.param(
            job(
                {"completions": 2},
                {"failed": 7, "conditions": [{"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded"}]},
            ),
            ["Failed", "0/2"],
            id="failed",
        ),
        pytest.param(
            job(
                {"completions": 1},
                {"conditions": [{"type": "Complete", "status": "True"}, {"type": "Failed", "status": "True"}]},
            ),
            ["Complete"],
            id="complete-beats-failed",
        ),
        pytest.param(job({"completions": 1}, {}, deletionTimestamp=ago(seconds=5)), ["Terminating"], id="terminating"),
        pytest.param(
            job({"completions": 1}, {"conditions": [{"type": "Suspended", "status": "True"}]}),
            ["Suspended"],
            id="suspended",
        ),
        pytest.param(
            job({"completions": 1}, {"conditions": [{"type": "FailureTarget", "status": "True"}]}),
            ["FailureTarget"],
            id="failure-target",
        ),
        pytest.param(
            job({"completions": 1}, {"conditions": [{"type": "Suspended", "status": "False"}]}),
            ["Running"],
            id="resumed",
        ),
    ],
)
def test_job_status_completions_and_duration(obj: dict[str, Any], expected: list[str]) -> None:
    assert row("batch", "jobs", obj)[1 : 1 + len(expected)] == expected


def test_job_columns_and_wide_cells() -> None:
    assert headers("batch", "jobs") == ["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"]
    assert headers("batch", "jobs", wide=True)[5:] == ["CONTAINERS", "IMAGES", "SELECTOR"]
    assert row("batch", "jobs", job())[4:] == [
        "30m",
        "nginx,sidecar",
        "nginx:1.27,busybox",
        "batch.kubernetes.io/controller-uid=u1",
    ]


def test_cron_job_row() -> None:
    obj = {
        "metadata": meta("hello", creationTimestamp=ago(days=1)),
        "spec": {"schedule": "*/5 * * * *", "jobTemplate": {"spec": {"template": TEMPLATE}}},
        "status": {"active": [{"name": "hello-1"}], "lastScheduleTime": ago(minutes=3)},
    }
    assert row("batch", "cronjobs", obj) == [
        "hello",
        "*/5 * * * *",
        "<none>",
        "False",
        1,
        "3m",
        "24h",
        "nginx,sidecar",
        "nginx:1.27,busybox",
        "<none>",
    ]
    suspended = {**obj, "spec": {**obj["spec"], "suspend": True, "timeZone": "Etc/UTC"}, "status": {}}
    assert row("batch", "cronjobs", suspended)[2:6] == ["Etc/UTC", "True", 0, "<none>"]
    assert headers("batch", "cronjobs") == ["NAME", "SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE", "LAST SCHEDULE", "AGE"]
    assert [c["type"] for c in tables.columns_for("batch", "cronjobs")[3:5]] == ["boolean", "integer"]


# --------------------------------------------------------------------------------------------------
# Everything else that has a printer


CREATED = ago(days=10)
RESOURCE_CASES = [
    pytest.param(
        "",
        "endpoints",
        {
            "metadata": meta("svc", creationTimestamp=CREATED),
            "subsets": [
                {"addresses": [{"ip": "10.42.0.5"}, {"ip": "10.42.0.6"}], "ports": [{"port": 8080, "name": "http"}]}
            ],
        },
        ["svc", "10.42.0.5:8080,10.42.0.6:8080", "10d"],
        id="endpoints",
    ),
    pytest.param(
        "",
        "endpoints",
        {
            "metadata": meta("svc", creationTimestamp=CREATED),
            "subsets": [{"addresses": [{"ip": "fd00::1"}, {"ip": "fd00::2"}], "ports": [{"port": 80}, {"port": 443}]}],
        },
        ["svc", "[fd00::1]:80,[fd00::2]:80,[fd00::1]:443 + 1 more...", "10d"],
        id="endpoints-ipv6-and-more",
    ),
    pytest.param(
        "",
        "endpoints",
        {"metadata": meta("headless", creationTimestamp=CREATED), "subsets": [{"addresses": [{"ip": "10.0.0.1"}]}]},
        ["headless", "10.0.0.1", "10d"],
        id="endpoints-without-ports",
    ),
    pytest.param(
        "",
        "endpoints",
        {"metadata": meta("empty", creationTimestamp=CREATED)},
        ["empty", "<none>", "10d"],
        id="endpoints-none",
    ),
    pytest.param(
        "discovery.k8s.io",
        "endpointslices",
        {
            "metadata": meta("svc-abc", creationTimestamp=CREATED),
            "addressType": "IPv4",
            "ports": [{"port": 80, "name": "http"}, {"name": "named"}, {}, {"port": 9}],
            "endpoints": [
                {"addresses": ["10.0.0.1"]},
                {"addresses": ["10.0.0.2", "10.0.0.3"]},
                {"addresses": ["10.0.0.4"]},
            ],
        },
        ["svc-abc", "IPv4", "80,named,* + 1 more...", "10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...", "10d"],
        id="endpointslice",
    ),
    pytest.param(
        "discovery.k8s.io",
        "endpointslices",
        {"metadata": meta("empty", creationTimestamp=CREATED), "addressType": "IPv6"},
        ["empty", "IPv6", "<unset>", "<unset>", "10d"],
        id="endpointslice-empty",
    ),
    pytest.param(
        "networking.k8s.io",
        "ingresses",
        {
            "metadata": meta("web", creationTimestamp=CREATED),
            "spec": {
                "ingressClassName": "traefik",
                "rules": [{"host": "a.example.com"}, {}, {"host": "b.example.com"}],
                "tls": [{"hosts": ["a.example.com"]}],
            },
            "status": {"loadBalancer": {"ingress": [{"ip": "192.168.1.20"}, {"ip": "192.168.1.10"}]}},
        },
        ["web", "traefik", "a.example.com,b.example.com", "192.168.1.10,192.168.1.20", "80, 443", "10d"],
        id="ingress",
    ),
    pytest.param(
        "networking.k8s.io",
        "ingresses",
        {"metadata": meta("many", creationTimestamp=CREATED), "spec": {"rules": [{"host": f"h{i}"} for i in range(5)]}},
        ["many", "<none>", "h0,h1,h2 + 2 more...", "", "80", "10d"],
        id="ingress-many-hosts-no-class",
    ),
    pytest.param(
        "networking.k8s.io",
        "ingresses",
        {"metadata": meta("default", creationTimestamp=CREATED), "spec": {"defaultBackend": {}}},
        ["default", "<none>", "*", "", "80", "10d"],
        id="ingress-catch-all",
    ),
    pytest.param(
        "networking.k8s.io",
        "ingressclasses",
        {
            "metadata": meta("nginx", creationTimestamp=CREATED),
            "spec": {
                "controller": "k8s.io/ingress-nginx",
                "parameters": {"apiGroup": "k8s.example.com", "kind": "IngressParameters", "name": "external-lb"},
            },
        },
        ["nginx", "k8s.io/ingress-nginx", "IngressParameters.k8s.example.com/external-lb", "10d"],
        id="ingressclass",
    ),
    pytest.param(
        "networking.k8s.io",
        "ingressclasses",
        {
            "metadata": meta("traefik", creationTimestamp=CREATED),
            "spec": {"controller": "traefik.io/ingress-controller"},
        },
        ["traefik", "traefik.io/ingress-controller", "<none>", "10d"],
        id="ingressclass-no-parameters",
    ),
    pytest.param(
        "networking.k8s.io",
        "networkpolicies",
        {"metadata": meta("deny", creationTimestamp=CREATED), "spec": {"podSelector": {}}},
        ["deny", "<none>", "10d"],
        id="networkpolicy-all-pods",
    ),
    pytest.param(
        "networking.k8s.io",
        "networkpolicies",
        {"metadata": meta("db", creationTimestamp=CREATED), "spec": {"podSelector": {"matchLabels": {"role": "db"}}}},
        ["db", "role=db", "10d"],
        id="networkpolicy",
    ),
    pytest.param(
        "",
        "namespaces",
        {"metadata": meta("default", creationTimestamp=CREATED), "status": {"phase": "Active"}},
        ["default", "Active", "10d"],
        id="namespace",
    ),
    pytest.param(
        "",
        "namespaces",
        {"metadata": meta("gone", creationTimestamp=CREATED), "status": {"phase": "Terminating"}},
        ["gone", "Terminating", "10d"],
        id="namespace-terminating",
    ),
    pytest.param(
        "",
        "secrets",
        {
            "metadata": meta("tls", creationTimestamp=CREATED),
            "type": "kubernetes.io/tls",
            "data": {"tls.crt": "", "tls.key": ""},
        },
        ["tls", "kubernetes.io/tls", 2, "10d"],
        id="secret",
    ),
    pytest.param(
        "",
        "secrets",
        {"metadata": meta("s", creationTimestamp=CREATED), "stringData": {"a": "b"}},
        ["s", "Opaque", 1, "10d"],
        id="secret-defaults",
    ),
    pytest.param(
        "",
        "configmaps",
        {"metadata": meta("cfg", creationTimestamp=CREATED), "data": {"a": "1", "b": "2"}, "binaryData": {"c": "AA=="}},
        ["cfg", 3, "10d"],
        id="configmap",
    ),
    pytest.param(
        "",
        "serviceaccounts",
        {"metadata": meta("default", creationTimestamp=CREATED)},
        ["default", 0, "10d"],
        id="serviceaccount",
    ),
    pytest.param(
        "",
        "persistentvolumes",
        {
            "metadata": meta("pv1", creationTimestamp=CREATED),
            "spec": {
                "capacity": {"storage": "1024Mi"},
                "accessModes": ["ReadWriteMany", "ReadWriteOnce", "ReadWriteOnce"],
                "persistentVolumeReclaimPolicy": "Delete",
                "claimRef": {"namespace": "default", "name": "data"},
                "storageClassName": "local-path",
                "volumeMode": "Block",
            },
            "status": {"phase": "Bound"},
        },
        ["pv1", "1Gi", "RWO,RWX", "Delete", "Bound", "default/data", "local-path", "<unset>", "", "10d", "Block"],
        id="persistentvolume",
    ),
    pytest.param(
        "",
        "persistentvolumes",
        {
            "metadata": meta(
                "pv2",
                creationTimestamp=CREATED,
                deletionTimestamp=ago(seconds=1),
                annotations={"volume.beta.kubernetes.io/storage-class": "beta"},
            ),
            "spec": {"storageClassName": "ignored", "volumeAttributesClassName": "gold"},
            "status": {"phase": "Released", "reason": "Oops"},
        },
        ["pv2", "0", "", "Retain", "Terminating", "", "beta", "gold", "Oops", "10d", "Filesystem"],
        id="persistentvolume-defaults-terminating-beta-class",
    ),
    pytest.param(
        "",
        "persistentvolumeclaims",
        {
            "metadata": meta("data", creationTimestamp=CREATED),
            "spec": {
                "volumeName": "pv1",
                "storageClassName": "local-path",
                "resources": {"requests": {"storage": "1Gi"}},
            },
            "status": {"phase": "Bound", "capacity": {"storage": "1.5Gi"}, "accessModes": ["ReadWriteOncePod"]},
        },
        ["data", "Bound", "pv1", "1536Mi", "RWOP", "local-path", "<unset>", "10d", "Filesystem"],
        id="persistentvolumeclaim-bound",
    ),
    pytest.param(
        "",
        "persistentvolumeclaims",
        {
            "metadata": meta("pending", creationTimestamp=CREATED),
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
        },
        ["pending", "Pending", "", "", "", "", "<unset>", "10d", "Filesystem"],
        id="persistentvolumeclaim-pending",
    ),
    pytest.param(
        "storage.k8s.io",
        "storageclasses",
        {
            "metadata": meta(
                "local-path",
                creationTimestamp=CREATED,
                annotations={"storageclass.kubernetes.io/is-default-class": "true"},
            ),
            "provisioner": "rancher.io/local-path",
            "reclaimPolicy": "Delete",
            "volumeBindingMode": "WaitForFirstConsumer",
        },
        ["local-path (default)", "rancher.io/local-path", "Delete", "WaitForFirstConsumer", False, "10d"],
        id="storageclass-default",
    ),
    pytest.param(
        "storage.k8s.io",
        "storageclasses",
        {
            "metadata": meta(
                "fast",
                creationTimestamp=CREATED,
                annotations={"storageclass.beta.kubernetes.io/is-default-class": "false"},
            ),
            "provisioner": "csi.example.com",
            "allowVolumeExpansion": True,
        },
        ["fast", "csi.example.com", "Delete", "Immediate", True, "10d"],
        id="storageclass-defaults",
    ),
    pytest.param(
        "coordination.k8s.io",
        "leases",
        {
            "metadata": meta("n1", creationTimestamp=CREATED),
            "spec": {"holderIdentity": "n1", "leaseDurationSeconds": 40},
        },
        ["n1", "n1", "10d"],
        id="lease",
    ),
    pytest.param(
        "coordination.k8s.io",
        "leases",
        {"metadata": meta("free", creationTimestamp=CREATED), "spec": {}},
        ["free", "", "10d"],
        id="lease-unheld",
    ),
    pytest.param(
        "scheduling.k8s.io",
        "priorityclasses",
        {"metadata": meta("system-node-critical", creationTimestamp=CREATED), "value": 2000001000},
        ["system-node-critical", 2000001000, False, "10d", "PreemptLowerPriority"],
        id="priorityclass",
    ),
    pytest.param(
        "scheduling.k8s.io",
        "priorityclasses",
        {
            "metadata": meta("batch", creationTimestamp=CREATED),
            "value": -5,
            "globalDefault": True,
            "preemptionPolicy": "Never",
        },
        ["batch", -5, True, "10d", "Never"],
        id="priorityclass-never",
    ),
    pytest.param(
        "policy",
        "poddisruptionbudgets",
        {
            "metadata": meta("pdb", creationTimestamp=CREATED),
            "spec": {"minAvailable": 2},
            "status": {"disruptionsAllowed": 1},
        },
        ["pdb", "2", "N/A", 1, "10d"],
        id="pdb-min-available",
    ),
    pytest.param(
        "policy",
        "poddisruptionbudgets",
        {"metadata": meta("pdb", creationTimestamp=CREATED), "spec": {"maxUnavailable": "25%"}},
        ["pdb", "N/A", "25%", 0, "10d"],
        id="pdb-max-unavailable",
    ),
    pytest.param(
        "autoscaling",
        "horizontalpodautoscalers",
        {
            "metadata": meta("web", creationTimestamp=CREATED),
            "spec": {
                "scaleTargetRef": {"kind": "Deployment", "name": "web"},
                "minReplicas": 2,
                "maxReplicas": 10,
                "metrics": [
                    {
                        "type": "Resource",
                        "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 60}},
                    },
                    {
                        "type": "Resource",
                        "resource": {"name": "memory", "target": {"type": "AverageValue", "averageValue": "1024Mi"}},
                    },
                ],
            },
            "status": {
                "currentReplicas": 3,
                "currentMetrics": [
                    {"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 45}}},
                    {"type": "Resource", "resource": {"name": "memory", "current": {"averageValue": "300Mi"}}},
                ],
            },
        },
        ["web", "Deployment/web", "cpu: 45%/60%, memory: 300Mi/1Gi", "2", 10, 3, "10d"],
        id="hpa-v2",
    ),
    pytest.param(
        "autoscaling",
        "horizontalpodautoscalers",
        {
            "metadata": meta("web", creationTimestamp=CREATED),
            "spec": {
                "scaleTargetRef": {"kind": "Deployment", "name": "web"},
                "maxReplicas": 5,
                "metrics": [
                    {
                        "type": "Pods",
                        "pods": {"metric": {"name": "qps"}, "target": {"type": "AverageValue", "averageValue": "1k"}},
                    },
                    {
                        "type": "External",
                        "external": {"metric": {"name": "queue"}, "target": {"type": "Value", "value": "30"}},
                    },
                    {
                        "type": "Object",
                        "object": {
                            "metric": {"name": "rps"},
                            "target": {"type": "AverageValue", "averageValue": "500m"},
                        },
                    },
                ],
            },
        },
        ["web", "Deployment/web", "<unknown>/1k, <unknown>/30 + 1 more...", "1", 5, 0, "10d"],
        id="hpa-v2-custom-metrics-more",
    ),
    pytest.param(
        "autoscaling",
        "horizontalpodautoscalers",
        {
            "metadata": meta("v1", creationTimestamp=CREATED),
            "spec": {
                "scaleTargetRef": {"kind": "Deployment", "name": "web"},
                "maxReplicas": 4,
                "targetCPUUtilizationPercentage": 70,
            },
            "status": {"currentReplicas": 1, "currentCPUUtilizationPercentage": 12},
        },
        ["v1", "Deployment/web", "cpu: 12%/70%", "1", 4, 1, "10d"],
        id="hpa-v1",
    ),
    pytest.param(
        "autoscaling",
        "horizontalpodautoscalers",
        {
            "metadata": meta("bare", creationTimestamp=CREATED),
            "spec": {"scaleTargetRef": {"kind": "StatefulSet", "name": "db"}, "maxReplicas": 3},
        },
        ["bare", "StatefulSet/db", "cpu: <unknown>/80%", "1", 3, 0, "10d"],
        id="hpa-defaults-to-cpu-80",
    ),
    pytest.param(
        "rbac.authorization.k8s.io",
        "rolebindings",
        {
            "metadata": meta("rb", creationTimestamp=CREATED),
            "roleRef": {"kind": "Role", "name": "reader"},
            "subjects": [
                {"kind": "User", "name": "alice"},
                {"kind": "Group", "name": "devs"},
                {"kind": "ServiceAccount", "namespace": "ci", "name": "bot"},
                {"kind": "User", "name": "bob"},
            ],
        },
        ["rb", "Role/reader", "10d", "alice, bob", "devs", "ci/bot"],
        id="rolebinding",
    ),
    pytest.param(
        "rbac.authorization.k8s.io",
        "clusterrolebindings",
        {
            "metadata": meta("crb", creationTimestamp=CREATED),
            "roleRef": {"kind": "ClusterRole", "name": "cluster-admin"},
            "subjects": [{"kind": "Group", "name": "system:masters"}],
        },
        ["crb", "ClusterRole/cluster-admin", "10d", "", "system:masters", ""],
        id="clusterrolebinding",
    ),
    pytest.param(
        "apps",
        "controllerrevisions",
        {
            "metadata": meta(
                "web-7d9f",
                creationTimestamp=CREATED,
                ownerReferences=[
                    {"apiVersion": "v1", "kind": "Pod", "name": "other"},
                    {"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "web", "controller": True},
                ],
            ),
            "revision": 2,
        },
        ["web-7d9f", "statefulset.apps/web", 2, "10d"],
        id="controllerrevision",
    ),
    pytest.param(
        "apps",
        "controllerrevisions",
        {"metadata": meta("orphan", creationTimestamp=CREATED), "revision": 1},
        ["orphan", "<none>", 1, "10d"],
        id="controllerrevision-orphan",
    ),
    pytest.param(
        "",
        "resourcequotas",
        {
            "metadata": meta("quota", creationTimestamp=CREATED),
            "spec": {},
            "status": {
                "hard": {
                    "pods": "10",
                    "requests.cpu": "1",
                    "limits.memory": "2Gi",
                    "requests.memory": "1024Mi",
                    "limits.cpu": "2000m",
                },
                "used": {"pods": "3", "requests.cpu": "500m", "limits.memory": "512Mi"},
            },
        },
        [
            "quota",
            "pods: 3/10, requests.cpu: 500m/1, requests.memory: 0/1Gi",
            "limits.cpu: 0/2, limits.memory: 512Mi/2Gi",
            "10d",
        ],
        id="resourcequota",
    ),
    pytest.param(
        "storage.k8s.io",
        "csidrivers",
        {"metadata": meta("csi.example.com", creationTimestamp=CREATED), "spec": {}},
        ["csi.example.com", True, False, False, "<unset>", False, "Persistent", "10d"],
        id="csidriver-defaults",
    ),
    pytest.param(
        "storage.k8s.io",
        "csidrivers",
        {
            "metadata": meta("secrets.csi", creationTimestamp=CREATED),
            "spec": {
                "attachRequired": False,
                "podInfoOnMount": True,
                "storageCapacity": True,
                "tokenRequests": [{"audience": "vault"}, {"audience": "api"}],
                "requiresRepublish": True,
                "volumeLifecycleModes": ["Ephemeral", "Persistent"],
            },
        },
        ["secrets.csi", False, True, True, "vault,api", True, "Ephemeral,Persistent", "10d"],
        id="csidriver",
    ),
    pytest.param(
        "storage.k8s.io",
        "volumeattachments",
        {
            "metadata": meta("csi-123", creationTimestamp=CREATED),
            "spec": {"attacher": "csi.example.com", "nodeName": "n1", "source": {"persistentVolumeName": "pv1"}},
            "status": {"attached": True},
        },
        ["csi-123", "csi.example.com", "pv1", "n1", True, "10d"],
        id="volumeattachment",
    ),
    pytest.param(
        "admissionregistration.k8s.io",
        "validatingwebhookconfigurations",
        {"metadata": meta("v", creationTimestamp=CREATED), "webhooks": [{"name": "a"}, {"name": "b"}]},
        ["v", 2, "10d"],
        id="validatingwebhookconfiguration",
    ),
    pytest.param(
        "admissionregistration.k8s.io",
        "mutatingwebhookconfigurations",
        {"metadata": meta("m", creationTimestamp=CREATED)},
        ["m", 0, "10d"],
        id="mutatingwebhookconfiguration",
    ),
    pytest.param(
        "apiregistration.k8s.io",
        "apiservices",
        {
            "metadata": meta("v1.apps", creationTimestamp=CREATED),
            "spec": {"group": "apps"},
            "status": {"conditions": [{"type": "Available", "status": "True", "reason": "Local"}]},
        },
        ["v1.apps", "Local", "True", "10d"],
        id="apiservice-local",
    ),
    pytest.param(
        "apiregistration.k8s.io",
        "apiservices",
        {
            "metadata": meta("v1beta1.metrics.k8s.io", creationTimestamp=CREATED),
            "spec": {"service": {"namespace": "kube-system", "name": "metrics-server"}},
            "status": {"conditions": [{"type": "Available", "status": "False", "reason": "MissingEndpoints"}]},
        },
        ["v1beta1.metrics.k8s.io", "kube-system/metrics-server", "False (MissingEndpoints)", "10d"],
        id="apiservice-unavailable",
    ),
    pytest.param(
        "apiregistration.k8s.io",
        "apiservices",
        {"metadata": meta("v1.x", creationTimestamp=CREATED)},
        ["v1.x", "Local", "Unknown", "10d"],
        id="apiservice-no-condition",
    ),
    pytest.param(
        "node.k8s.io",
        "runtimeclasses",
        {"metadata": meta("gvisor", creationTimestamp=CREATED), "handler": "runsc"},
        ["gvisor", "runsc", "10d"],
        id="runtimeclass",
    ),
    pytest.param(
        "storage.k8s.io",
        "csinodes",
        {"metadata": meta("n1", creationTimestamp=CREATED), "spec": {"drivers": [{"name": "a"}]}},
        ["n1", 1, "10d"],
        id="csinode",
    ),
    pytest.param(
        "storage.k8s.io",
        "csistoragecapacities",
        {"metadata": meta("cap", creationTimestamp=CREATED), "storageClassName": "fast", "capacity": "2048Mi"},
        ["cap", "fast", "2Gi"],
        id="csistoragecapacity",
    ),
    pytest.param(
        "certificates.k8s.io",
        "certificatesigningrequests",
        {
            "metadata": meta("csr-1", creationTimestamp=CREATED),
            "spec": {
                "signerName": "kubernetes.io/kubelet-serving",
                "username": "system:node:n1",
                "expirationSeconds": 86400,
            },
            "status": {"conditions": [{"type": "Approved", "status": "True"}], "certificate": "LS0t"},
        },
        ["csr-1", "10d", "kubernetes.io/kubelet-serving", "system:node:n1", "24h", "Approved,Issued"],
        id="csr",
    ),
    pytest.param(
        "",
        "componentstatuses",
        {"metadata": meta("etcd-0"), "conditions": [{"type": "Healthy", "status": "True", "message": "ok"}]},
        ["etcd-0", "Healthy", "ok", ""],
        id="componentstatus",
    ),
    pytest.param(
        "flowcontrol.apiserver.k8s.io",
        "prioritylevelconfigurations",
        {
            "metadata": meta("workload-low", creationTimestamp=CREATED),
            "spec": {
                "type": "Limited",
                "limited": {
                    "nominalConcurrencyShares": 100,
                    "limitResponse": {"type": "Queue", "queuing": {"queues": 128}},
                },
            },
        },
        ["workload-low", "Limited", 100, 128, 8, 50, "10d"],
        id="prioritylevelconfiguration",
    ),
    pytest.param(
        "flowcontrol.apiserver.k8s.io",
        "prioritylevelconfigurations",
        {"metadata": meta("exempt", creationTimestamp=CREATED), "spec": {"type": "Exempt", "exempt": {}}},
        ["exempt", "Exempt", "<none>", "<none>", "<none>", "<none>", "10d"],
        id="prioritylevelconfiguration-exempt",
    ),
    pytest.param(
        "admissionregistration.k8s.io",
        "validatingadmissionpolicies",
        {
            "metadata": meta("p", creationTimestamp=CREATED),
            "spec": {"validations": [{"expression": "true"}], "paramKind": {"apiVersion": "v1", "kind": "ConfigMap"}},
        },
        ["p", 1, "v1/ConfigMap", "10d"],
        id="validatingadmissionpolicy",
    ),
    pytest.param(
        "admissionregistration.k8s.io",
        "validatingadmissionpolicybindings",
        {"metadata": meta("b", creationTimestamp=CREATED), "spec": {"policyName": "p", "paramRef": {"name": "cfg"}}},
        ["b", "p", "*/cfg", "10d"],
        id="validatingadmissionpolicybinding",
    ),
]


@pytest.mark.parametrize(("group", "resource", "obj", "expected"), RESOURCE_CASES)
def test_resource_row(group: str, resource: str, obj: dict[str, Any], expected: list[tables.Cell]) -> None:
    assert row(group, resource, obj) == expected


@pytest.mark.parametrize(
    ("group", "resource", "expected"),
    [
        ("", "endpoints", ["NAME", "ENDPOINTS", "AGE"]),
        ("discovery.k8s.io", "endpointslices", ["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"]),
        ("networking.k8s.io", "ingresses", ["NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"]),
        ("networking.k8s.io", "ingressclasses", ["NAME", "CONTROLLER", "PARAMETERS", "AGE"]),
        ("networking.k8s.io", "networkpolicies", ["NAME", "POD-SELECTOR", "AGE"]),
        ("", "namespaces", ["NAME", "STATUS", "AGE"]),
        ("", "secrets", ["NAME", "TYPE", "DATA", "AGE"]),
        ("", "configmaps", ["NAME", "DATA", "AGE"]),
        ("", "serviceaccounts", ["NAME", "SECRETS", "AGE"]),
        (
            "",
            "persistentvolumes",
            [
                "NAME",
                "CAPACITY",
                "ACCESS MODES",
                "RECLAIM POLICY",
                "STATUS",
                "CLAIM",
                "STORAGECLASS",
                "VOLUMEATTRIBUTESCLASS",
                "REASON",
                "AGE",
            ],
        ),
        (
            "",
            "persistentvolumeclaims",
            ["NAME", "STATUS", "VOLUME", "CAPACITY", "ACCESS MODES", "STORAGECLASS", "VOLUMEATTRIBUTESCLASS", "AGE"],
        ),
        (
            "storage.k8s.io",
            "storageclasses",
            ["NAME", "PROVISIONER", "RECLAIMPOLICY", "VOLUMEBINDINGMODE", "ALLOWVOLUMEEXPANSION", "AGE"],
        ),
        ("coordination.k8s.io", "leases", ["NAME", "HOLDER", "AGE"]),
        # PREEMPTIONPOLICY is a wide cell in Go, but its column has priority 0 and the server is always wide.
        ("scheduling.k8s.io", "priorityclasses", ["NAME", "VALUE", "GLOBAL-DEFAULT", "AGE", "PREEMPTIONPOLICY"]),
        ("policy", "poddisruptionbudgets", ["NAME", "MIN AVAILABLE", "MAX UNAVAILABLE", "ALLOWED DISRUPTIONS", "AGE"]),
        (
            "autoscaling",
            "horizontalpodautoscalers",
            ["NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE"],
        ),
        ("rbac.authorization.k8s.io", "rolebindings", ["NAME", "ROLE", "AGE"]),
        ("rbac.authorization.k8s.io", "clusterrolebindings", ["NAME", "ROLE", "AGE"]),
        ("apps", "controllerrevisions", ["NAME", "CONTROLLER", "REVISION", "AGE"]),
        ("", "resourcequotas", ["NAME", "REQUEST", "LIMIT", "AGE"]),
        (
            "storage.k8s.io",
            "csidrivers",
            [
                "NAME",
                "ATTACHREQUIRED",
                "PODINFOONMOUNT",
                "STORAGECAPACITY",
                "TOKENREQUESTS",
                "REQUIRESREPUBLISH",
                "MODES",
                "AGE",
            ],
        ),
        ("storage.k8s.io", "volumeattachments", ["NAME", "ATTACHER", "PV", "NODE", "ATTACHED", "AGE"]),
        ("admissionregistration.k8s.io", "validatingwebhookconfigurations", ["NAME", "WEBHOOKS", "AGE"]),
        ("admissionregistration.k8s.io", "mutatingwebhookconfigurations", ["NAME", "WEBHOOKS", "AGE"]),
        ("apiregistration.k8s.io", "apiservices", ["NAME", "SERVICE", "AVAILABLE", "AGE"]),
        ("", "events", ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]),
        ("events.k8s.io", "events", ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]),
    ],
)
def test_columns_as_kubectl_prints_them(group: str, resource: str, expected: list[str]) -> None:
    assert headers(group, resource) == expected


@pytest.mark.parametrize(
    ("group", "resource", "wide"),
    [
        ("", "persistentvolumes", ["VOLUMEMODE"]),
        ("", "persistentvolumeclaims", ["VOLUMEMODE"]),
        ("rbac.authorization.k8s.io", "rolebindings", ["USERS", "GROUPS", "SERVICEACCOUNTS"]),
        ("", "replicationcontrollers", ["CONTAINERS", "IMAGES", "SELECTOR"]),
        ("apps", "daemonsets", ["CONTAINERS", "IMAGES", "SELECTOR"]),
        ("batch", "cronjobs", ["CONTAINERS", "IMAGES", "SELECTOR"]),
        ("", "events", ["SUBOBJECT", "SOURCE", "FIRST SEEN", "COUNT", "NAME"]),
    ],
)
def test_wide_columns_have_priority_one(group: str, resource: str, wide: list[str]) -> None:
    assert [c["name"].upper() for c in tables.columns_for(group, resource) if c["priority"] == 1] == wide


@pytest.mark.parametrize(
    ("group", "resource"),
    sorted(tables._PRINTERS),  # every registered printer
)
def test_every_printer_fills_every_column_even_for_an_empty_object(group: str, resource: str) -> None:
    columns = tables.columns_for(group, resource)
    assert len(row(group, resource, {})) == len(columns)
    assert all(set(c) == {"name", "type", "format", "description", "priority"} for c in columns)
    assert sum(c["format"] == "name" for c in columns) >= 1
    assert all(c["type"] in ("string", "integer", "boolean", "date") for c in columns)


# --------------------------------------------------------------------------------------------------
# Events


def test_event_row_and_wide_cells() -> None:
    obj = {
        "metadata": meta("web.17a", creationTimestamp=ago(minutes=10)),
        "involvedObject": {"kind": "Pod", "name": "web", "fieldPath": "spec.containers{nginx}"},
        "reason": "BackOff",
        "message": "Back-off restarting failed container\n",
        "type": "Warning",
        "source": {"component": "kubelet", "host": "n1"},
        "firstTimestamp": ago(minutes=10),
        "lastTimestamp": ago(seconds=30),
        "count": 12,
    }
    assert row("", "events", obj) == [
        "30s",
        "Warning",
        "BackOff",
        "pod/web",
        "spec.containers{nginx}",
        "kubelet, n1",
        "Back-off restarting failed container",
        "10m",
        12,
        "web.17a",
    ]


def test_event_of_the_new_api_uses_event_time_and_series() -> None:
    obj = {
        "metadata": meta("n1.1"),
        "involvedObject": {"kind": "Node"},
        "reason": "Starting",
        "eventTime": (NOW - timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "reportingComponent": "kube-proxy",
        "reportingInstance": "kube-proxy-n1",
        "series": {"count": 4, "lastObservedTime": (NOW - timedelta(seconds=5)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")},
    }
    assert row("", "events", obj) == [
        "5s",
        "",
        "Starting",
        "node",
        "",
        "kube-proxy, kube-proxy-n1",
        "",
        "2m",
        4,
        "n1.1",
    ]
    singleton = {**obj, "series": None}
    assert row("", "events", singleton)[0] == "2m"
    assert row("", "events", singleton)[8] == 1


def test_events_k8s_io_events_print_like_core_events() -> None:
    obj = {
        "metadata": meta("web.17b"),
        "regarding": {"kind": "Deployment", "name": "web"},
        "reason": "ScalingReplicaSet",
        "note": "Scaled up replica set web-5d4f to 3",
        "type": "Normal",
        "eventTime": None,
        "reportingController": "deployment-controller",
        "deprecatedFirstTimestamp": ago(hours=1),
        "deprecatedLastTimestamp": ago(minutes=1),
        "deprecatedCount": 2,
        "deprecatedSource": {"component": "deployment-controller"},
    }
    assert row("events.k8s.io", "events", obj) == [
        "60s",
        "Normal",
        "ScalingReplicaSet",
        "deployment/web",
        "",
        "deployment-controller",
        "Scaled up replica set web-5d4f to 3",
        "60m",
        2,
        "web.17b",
    ]


# --------------------------------------------------------------------------------------------------
# The default table (resources without a printer)


@pytest.mark.parametrize(
    ("group", "resource"),
    [
        ("rbac.authorization.k8s.io", "roles"),
        ("rbac.authorization.k8s.io", "clusterroles"),
        ("", "limitranges"),
        ("apiextensions.k8s.io", "customresourcedefinitions"),
        ("example.com", "unknowns"),
    ],
)
def test_resources_without_a_printer_get_name_and_created_at(group: str, resource: str) -> None:
    columns = tables.columns_for(group, resource)
    assert [(c["name"], c["type"], c["format"]) for c in columns] == [
        ("Name", "string", "name"),
        ("Created At", "date", ""),
    ]
    obj = {"metadata": {"name": "admin", "creationTimestamp": "2024-05-01T10:11:12+02:00"}}
    assert row(group, resource, obj) == ["admin", "2024-05-01T08:11:12Z"]
    assert row(group, resource, {"metadata": {"name": "new"}}) == ["new", "0001-01-01T00:00:00Z"]


def test_default_table_of_an_empty_list_has_null_rows() -> None:
    """defaultTableConvertor never allocates Rows; printers return an empty slice."""
    assert tables.build_table("rbac.authorization.k8s.io", "roles", [], now=NOW)["rows"] is None
    assert tables.build_table("", "pods", [], now=NOW)["rows"] == []


# --------------------------------------------------------------------------------------------------
# Custom resources


WIDGET = {
    "apiVersion": "example.com/v1",
    "kind": "Widget",
    "metadata": {"name": "w1", "creationTimestamp": ago(hours=2)},
    "spec": {
        "replicas": 3,
        "ratio": 0.25,
        "big": 12345678.0,
        "enabled": True,
        "size": "large",
        "tags": ["a", "b"],
        "labels": {"z": "1", "a": "<2>"},
        "nothing": None,
        "app.kubernetes.io/name": "dotted",
    },
    "status": {
        "conditions": [
            {"type": "Synced", "status": "True"},
            {"type": "Ready", "status": "False", "lastTransitionTime": ago(minutes=7)},
        ],
        "observedGeneration": 4,
        "lastSync": "not a date",
        "zero": "",
    },
}


def column(name: str, type_: str, path: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": type_, "jsonPath": path, **extra}


@pytest.mark.parametrize(
    ("col", "expected"),
    [
        pytest.param(column("Replicas", "integer", ".spec.replicas"), 3, id="integer"),
        pytest.param(column("Ratio", "integer", ".spec.ratio"), 0, id="integer-truncates-float"),
        pytest.param(column("Ratio", "number", ".spec.ratio"), 0.25, id="number"),
        pytest.param(column("Replicas", "number", ".spec.replicas"), 3.0, id="number-from-integer"),
        pytest.param(column("On", "boolean", ".spec.enabled"), True, id="boolean"),
        pytest.param(column("On", "boolean", ".spec.size"), None, id="boolean-of-string-is-null"),
        pytest.param(column("Size", "string", ".spec.size"), "large", id="string"),
        pytest.param(column("Replicas", "string", ".spec.replicas"), "3", id="string-of-integer"),
        pytest.param(column("Ratio", "string", ".spec.ratio"), "0.25", id="string-of-float"),
        pytest.param(column("Big", "string", ".spec.big"), "1.2345678e+07", id="string-of-float-go-format"),
        pytest.param(column("On", "string", ".spec.enabled"), "true", id="string-of-boolean"),
        pytest.param(column("Tags", "string", ".spec.tags"), '["a","b"]', id="string-of-list-is-json"),
        pytest.param(
            column("Labels", "string", ".spec.labels"), '{"a":"\\u003c2\\u003e","z":"1"}', id="string-of-map-is-go-json"
        ),
        pytest.param(column("Nothing", "string", ".spec.nothing"), "<no value>", id="string-of-null"),
        pytest.param(column("Nothing", "integer", ".spec.nothing"), None, id="integer-of-null"),
        pytest.param(column("Missing", "string", ".spec.missing"), None, id="missing"),
        pytest.param(column("Missing", "string", ".spec.size.deeper"), None, id="field-of-a-string"),
        pytest.param(column("Ready", "string", '.status.conditions[?(@.type=="Ready")].status'), "False", id="filter"),
        pytest.param(
            column("Ready", "string", ".status.conditions[?(@.type=='Synced')].status"),
            "True",
            id="filter-single-quotes",
        ),
        pytest.param(
            column("Ready", "string", '.status.conditions[?(@.type=="Gone")].status'), None, id="filter-no-match"
        ),
        pytest.param(
            column("Ready", "string", ".status.conditions[?(@.type==1)].status"), None, id="filter-type-mismatch"
        ),
        pytest.param(
            column("Ready", "string", ".status.conditions[?(@.lastTransitionTime)].type"), "Ready", id="filter-exists"
        ),
        pytest.param(column("First", "string", ".status.conditions[0].type"), "Synced", id="index"),
        pytest.param(column("Last", "string", ".status.conditions[-1].type"), "Ready", id="negative-index"),
        pytest.param(column("Out", "string", ".status.conditions[5].type"), None, id="index-out-of-range"),
        pytest.param(column("All", "string", ".spec.tags[*]"), "a", id="wildcard-takes-first"),
        pytest.param(column("Slice", "string", ".spec.tags[1:]"), "b", id="slice"),
        pytest.param(column("Index", "string", ".spec.size[0]"), None, id="index-of-a-string"),
        pytest.param(column("Dotted", "string", ".spec.app\\.kubernetes\\.io/name"), "dotted", id="escaped-dots"),
        pytest.param(column("Dotted", "string", ".spec['app.kubernetes.io/name']"), "dotted", id="bracket-field"),
        pytest.param(column("Since", "date", ".status.conditions[1].lastTransitionTime"), "7m", id="date"),
        pytest.param(column("Since", "date", ".status.lastSync"), "<invalid>", id="date-malformed"),
        pytest.param(column("Since", "date", ".status.zero"), "<unknown>", id="date-empty"),
        pytest.param(column("Since", "date", ".status.observedGeneration"), None, id="date-of-number"),
        pytest.param(column("Deep", "string", "..status"), None, id="recursive-descent-unsupported"),
    ],
)
def test_custom_resource_cell(col: dict[str, Any], expected: tables.Cell) -> None:
    assert tables.custom_row([col], WIDGET, NOW) == ["w1", expected]


def test_custom_resource_columns_keep_crd_types_priorities_and_descriptions() -> None:
    printer_columns = [
        column("Size", "string", ".spec.size", description="How big."),
        column("Replicas", "integer", ".spec.replicas", priority=1),
        column("Age", "date", ".metadata.creationTimestamp"),
    ]
    assert tables.custom_columns(printer_columns)[1:] == [
        {"name": "Size", "type": "string", "format": "", "description": "How big.", "priority": 0},
        {
            "name": "Replicas",
            "type": "integer",
            "format": "",
            "description": "Custom resource definition column (in JSONPath format): .spec.replicas",
            "priority": 1,
        },
        {
            "name": "Age",
            "type": "date",
            "format": "",
            "description": "Custom resource definition column (in JSONPath format): .metadata.creationTimestamp",
            "priority": 0,
        },
    ]
    assert tables.custom_columns(printer_columns)[0] == tables.columns_for("", "pods")[0]
    assert tables.custom_row(printer_columns, WIDGET, NOW) == ["w1", "large", 3, "120m"]


def test_custom_resource_without_printer_columns_shows_name_and_age() -> None:
    columns = tables.custom_columns([])
    assert [(c["name"], c["type"], c["format"]) for c in columns] == [("Name", "string", "name"), ("Age", "date", "")]
    assert columns[1]["description"].startswith("CreationTimestamp is a timestamp")
    assert tables.custom_row([], WIDGET, NOW) == ["w1", "120m"]


def test_unparseable_printer_column_drops_it_and_the_rest() -> None:
    """tableconvertor.New stops at the first column whose JSONPath does not parse."""
    printer_columns = [
        column("Size", "string", ".spec.size"),
        column("Broken", "string", ".spec[unclosed"),
        column("Replicas", "integer", ".spec.replicas"),
    ]
    assert [c["name"] for c in tables.custom_columns(printer_columns)] == ["Name", "Size"]
    assert tables.custom_row(printer_columns, WIDGET, NOW) == ["w1", "large"]


def test_build_table_for_a_custom_resource() -> None:
    printer_columns = [column("Ready", "string", '.status.conditions[?(@.type=="Ready")].status')]
    table = tables.build_table("example.com", "widgets", [WIDGET], now=NOW, printer_columns=printer_columns)
    assert [c["name"] for c in table["columnDefinitions"]] == ["Name", "Ready"]
    assert table["rows"][0]["cells"] == ["w1", "False"]
    assert table["rows"][0]["object"]["metadata"]["name"] == "w1"
    assert tables.build_table("example.com", "widgets", [], now=NOW, printer_columns=[])["rows"] == []


# --------------------------------------------------------------------------------------------------
# The Table envelope


SAMPLE_POD = pod(
    "web-0",
    namespace="default",
    uid="u-1",
    resourceVersion="41",
    labels={"app": "web"},
    creationTimestamp=ago(minutes=1),
    spec={"containers": containers(1)},
    status={"phase": "Running"},
)


def test_table_envelope_with_partial_object_metadata_by_default() -> None:
    table = tables.build_table(
        "", "pods", [SAMPLE_POD], now=NOW, resource_version="42", continue_token="tok", remaining=7
    )
    assert list(table) == ["kind", "apiVersion", "metadata", "columnDefinitions", "rows"]
    assert table["kind"] == "Table"
    assert table["apiVersion"] == "meta.k8s.io/v1"
    assert table["metadata"] == {"resourceVersion": "42", "continue": "tok", "remainingItemCount": 7}
    assert table["columnDefinitions"] == tables.columns_for("", "pods")
    assert table["rows"] == [
        {
            "cells": ["web-0", "0/1", "Running", "0", "60s", "<none>", "<none>", "<none>", "<none>"],
            "object": {
                "kind": "PartialObjectMetadata",
                "apiVersion": "meta.k8s.io/v1",
                "metadata": SAMPLE_POD["metadata"],
            },
        }
    ]
    json.dumps(table)  # serializable as is


@pytest.mark.parametrize(
    ("include_object", "expected"),
    [
        pytest.param(
            "",
            {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": SAMPLE_POD["metadata"]},
            id="empty-means-metadata",
        ),
        pytest.param(
            "Metadata",
            {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": SAMPLE_POD["metadata"]},
            id="metadata",
        ),
        pytest.param("Object", SAMPLE_POD, id="object"),
        pytest.param("None", None, id="none"),
    ],
)
def test_include_object(include_object: str, expected: dict[str, Any] | None) -> None:
    table = tables.build_table("", "pods", [SAMPLE_POD], now=NOW, include_object=include_object)
    assert table["rows"][0]["object"] == expected


def test_row_objects_are_copies() -> None:
    table = tables.build_table("", "pods", [SAMPLE_POD], now=NOW, include_object="Object")
    table["rows"][0]["object"]["metadata"]["name"] = "changed"
    assert SAMPLE_POD["metadata"]["name"] == "web-0"


def test_unknown_include_object_is_a_bad_request() -> None:
    with pytest.raises(errors.BadRequest) as caught:
        tables.build_table("", "pods", [], now=NOW, include_object="Everything")
    assert caught.value.message == (
        'Unable to convert to Table as requested: includeObject: Invalid value: "Everything": '
        "must be 'Metadata', 'Object', 'None', or empty"
    )


def test_no_headers_and_v1beta1() -> None:
    table = tables.build_table("", "pods", [SAMPLE_POD], now=NOW, no_headers=True, api_version="meta.k8s.io/v1beta1")
    assert table["columnDefinitions"] is None
    assert table["metadata"] == {}
    assert table["apiVersion"] == "meta.k8s.io/v1beta1"
    assert table["rows"][0]["object"]["apiVersion"] == "meta.k8s.io/v1beta1"


def test_core_group_alias() -> None:
    assert tables.columns_for("core", "pods") == tables.columns_for("", "pods")
    assert tables.build_table("core", "pods", [SAMPLE_POD], now=NOW)["rows"][0]["cells"][2] == "Running"


def storage_class(name: str, created: str, default: bool) -> dict[str, Any]:
    annotations = {"storageclass.kubernetes.io/is-default-class": "true"} if default else {}
    return {"metadata": meta(name, creationTimestamp=created, annotations=annotations), "provisioner": "p"}


def test_only_the_newest_annotated_storage_class_is_the_default() -> None:
    classes = [
        storage_class("old-default", ago(days=9), True),
        storage_class("plain", ago(days=1), False),
        storage_class("b-new-default", ago(days=2), True),
        storage_class("a-new-default", ago(days=2), True),
    ]
    table = tables.build_table("storage.k8s.io", "storageclasses", classes, now=NOW)
    assert [r["cells"][0] for r in table["rows"]] == [
        "old-default",
        "plain",
        "b-new-default",
        "a-new-default (default)",
    ]


def test_flow_schemas_are_listed_by_matching_precedence() -> None:
    schemas = [
        {
            "metadata": meta("global-default"),
            "spec": {"matchingPrecedence": 9900, "priorityLevelConfiguration": {"name": "global-default"}},
        },
        {
            "metadata": meta("exempt"),
            "spec": {"matchingPrecedence": 1, "priorityLevelConfiguration": {"name": "exempt"}},
        },
        {
            "metadata": meta("b"),
            "spec": {"matchingPrecedence": 1000, "distinguisherMethod": {"type": "ByUser"}},
            "status": {"conditions": [{"type": "Dangling", "status": "False"}]},
        },
        {"metadata": meta("a"), "spec": {}},
    ]
    table = tables.build_table("flowcontrol.apiserver.k8s.io", "flowschemas", schemas, now=NOW)
    assert [r["cells"][:4] for r in table["rows"]] == [
        ["exempt", "exempt", 1, "<none>"],
        ["a", "", 1000, "<none>"],
        ["b", "", 1000, "ByUser"],
        ["global-default", "global-default", 9900, "<none>"],
    ]
    assert [r["cells"][5] for r in table["rows"]] == ["?", "?", "False", "?"]


# --------------------------------------------------------------------------------------------------
# Quantities (resource.Quantity.String)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1Gi", "1Gi"),
        ("1024Mi", "1Gi"),
        ("1000Mi", "1000Mi"),
        ("1.5Gi", "1536Mi"),
        ("2048Ki", "2Mi"),
        ("512", "512"),
        ("1024", "1024"),
        ("0.5Ki", "512"),
        ("0.5", "500m"),
        ("100m", "100m"),
        ("1000m", "1"),
        ("1500m", "1500m"),
        ("1000", "1k"),
        ("1500", "1500"),
        ("500M", "500M"),
        ("1e3", "1e3"),
        ("12e6", "12e6"),
        ("129e-2", "1290e-3"),
        ("0.1n", "1n"),
        ("0", "0"),
        ("0Gi", "0"),
        ("-1Ki", "-1Ki"),
        (5, "5"),
        (1.5, "1500m"),
        (None, "0"),
        ("not-a-quantity", "not-a-quantity"),
    ],
)
def test_quantity_canonical_form(value: object, expected: str) -> None:
    assert tables._quantity(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.25, "0.25"),
        (3.0, "3"),
        (123456.0, "123456"),
        (1234567.0, "1.234567e+06"),
        (0.0001, "0.0001"),
        (0.00001, "1e-05"),
        (-2.5, "-2.5"),
    ],
)
def test_float_cells_print_like_go(value: float, expected: str) -> None:
    assert tables.custom_row([column("V", "string", ".v")], {"metadata": {"name": "n"}, "v": value}, NOW)[1] == expected


def test_float_in_json_cells_uses_encoding_json_format() -> None:
    obj = {"metadata": {"name": "n"}, "v": {"a": 3.0, "b": 1e21, "c": 1e-7, "d": 0.5, "e": [1, None, "&"]}}
    cell = tables.custom_row([column("V", "string", ".v")], obj, NOW)[1]
    assert cell == '{"a":3,"b":1e+21,"c":1e-7,"d":0.5,"e":[1,null,"\\u0026"]}'
