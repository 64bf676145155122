"""Each filter, one node and one pod at a time, with the reasons Kubernetes gives."""

from __future__ import annotations

from typing import Any

import pytest

from k3py.scheduler import filters, framework
from k3py.scheduler.cache import PodInfo
from k3py.scheduler.framework import Code

from .builders import anti_affinity, cache_of, node, pod, pod_affinity

Obj = dict[str, Any]
NS_LABELS = {"default": {"team": "a"}, "other": {"team": "b"}}


def check(
    incoming: Obj, target: Obj, *, others: list[Obj] | None = None, nodes: list[Obj] | None = None
) -> framework.Status | None:
    """Run every filter for ``incoming`` on ``target``, with ``nodes`` and the bound ``others`` around."""
    cache = cache_of([target, *(nodes or [])], others)
    info = PodInfo.of(incoming)
    state = filters.prefilter(info, cache.node_list(), NS_LABELS.get)
    return filters.run_filters(state, cache.nodes[target["metadata"]["name"]])


def reasons(status: framework.Status | None) -> tuple[str, ...]:
    return status.reasons if status is not None else ()


NO_SCHEDULE_TAINT = {"key": "dedicated", "value": "db", "effect": "NoSchedule"}


@pytest.mark.parametrize(
    ("incoming", "target", "expected", "code"),
    [
        pytest.param(pod("p"), node("n"), (), None, id="fits"),
        pytest.param(
            pod("p"), node("n", unschedulable=True), (framework.ERR_UNSCHEDULABLE,), Code.UNRESOLVABLE, id="cordoned"
        ),
        pytest.param(
            pod(
                "p",
                tolerations=[{"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"}],
            ),
            node("n", unschedulable=True),
            (),
            None,
            id="cordoned-tolerated",
        ),
        pytest.param(pod("p", node_name="m"), node("n"), (framework.ERR_NODE_NAME,), Code.UNRESOLVABLE, id="node-name"),
        pytest.param(pod("p", node_name="n"), node("n"), (), None, id="node-name-same"),
        pytest.param(
            pod("p"), node("n", taints=[NO_SCHEDULE_TAINT]), (framework.ERR_TAINT,), Code.UNRESOLVABLE, id="taint"
        ),
        pytest.param(
            pod("p"),
            node("n", taints=[{"key": "k", "effect": "NoExecute"}]),
            (framework.ERR_TAINT,),
            Code.UNRESOLVABLE,
            id="no-execute-taint",
        ),
        pytest.param(
            pod("p"), node("n", taints=[{"key": "k", "effect": "PreferNoSchedule"}]), (), None, id="soft-taint"
        ),
        pytest.param(
            pod("p", tolerations=[{"key": "dedicated", "operator": "Equal", "value": "db", "effect": "NoSchedule"}]),
            node("n", taints=[NO_SCHEDULE_TAINT]),
            (),
            None,
            id="taint-tolerated",
        ),
        pytest.param(pod("p"), node("n", ready="False"), (framework.ERR_TAINT,), Code.UNRESOLVABLE, id="not-ready"),
        pytest.param(pod("p"), node("n", ready="Unknown"), (framework.ERR_TAINT,), Code.UNRESOLVABLE, id="unreachable"),
        pytest.param(
            pod("p", tolerations=[{"key": "node.kubernetes.io/unreachable", "operator": "Exists"}]),
            node("n", ready="Unknown"),
            (),
            None,
            id="unreachable-tolerated",
        ),
        pytest.param(pod("p"), node("n", ready=None), (), None, id="no-conditions-yet"),
        pytest.param(
            pod("p", nodeSelector={"disk": "ssd"}),
            node("n"),
            (framework.ERR_NODE_AFFINITY,),
            Code.UNRESOLVABLE,
            id="selector",
        ),
        pytest.param(
            pod("p", nodeSelector={"disk": "ssd"}), node("n", labels={"disk": "ssd"}), (), None, id="selector-ok"
        ),
        pytest.param(
            pod("p", nodeSelector={"disk": "ssd"}),
            node("n", taints=[NO_SCHEDULE_TAINT]),
            (framework.ERR_TAINT,),
            Code.UNRESOLVABLE,
            id="first-failing-filter-only",
        ),
    ],
)
def test_node_filters(incoming: Obj, target: Obj, expected: tuple[str, ...], code: Code | None) -> None:
    status = check(incoming, target)
    assert reasons(status) == expected
    assert (status.code if status is not None else None) == code


def ports(*entries: tuple[int, str, str]) -> Obj:
    return {
        "containers": [
            {
                "name": "c",
                "image": "i",
                "ports": [
                    {"containerPort": 80, "hostPort": port, "protocol": proto, **({"hostIP": ip} if ip else {})}
                    for port, proto, ip in entries
                ],
            }
        ]
    }


@pytest.mark.parametrize(
    ("wanted", "used", "conflict"),
    [
        pytest.param((8080, "TCP", ""), (8080, "TCP", ""), True, id="same-port"),
        pytest.param((8080, "UDP", ""), (8080, "TCP", ""), False, id="other-protocol"),
        pytest.param((8080, "TCP", "10.0.0.1"), (8080, "TCP", "10.0.0.2"), False, id="other-addresses"),
        pytest.param((8080, "TCP", "10.0.0.1"), (8080, "TCP", ""), True, id="any-address-used"),
        pytest.param((8080, "TCP", ""), (8080, "TCP", "10.0.0.2"), True, id="any-address-wanted"),
        pytest.param((8081, "TCP", ""), (8080, "TCP", ""), False, id="other-port"),
    ],
)
def test_host_ports(wanted: tuple[int, str, str], used: tuple[int, str, str], conflict: bool) -> None:
    existing = pod("old", node_name="n")
    existing["spec"].update(ports(used))
    incoming = pod("new")
    incoming["spec"].update(ports(wanted))
    status = check(incoming, node("n"), others=[existing])
    assert reasons(status) == ((framework.ERR_NODE_PORTS,) if conflict else ())
    if status is not None:
        assert status.code == Code.UNSCHEDULABLE


def test_host_network_binds_the_container_ports() -> None:
    existing = pod("old", node_name="n", hostNetwork=True)
    existing["spec"]["containers"][0]["ports"] = [{"containerPort": 53, "protocol": "UDP"}]
    incoming = pod("new")
    incoming["spec"].update(ports((53, "UDP", "")))
    assert reasons(check(incoming, node("n"), others=[existing])) == (framework.ERR_NODE_PORTS,)


@pytest.mark.parametrize(
    ("incoming", "target", "others", "expected"),
    [
        pytest.param(pod("p", cpu="1", memory="1Gi"), node("n", cpu="1", memory="1Gi"), [], (), id="exactly-fits"),
        pytest.param(
            pod("p", cpu="1"),
            node("n", cpu="2"),
            [pod("o", cpu="1500m", node_name="n")],
            ("Insufficient cpu",),
            id="cpu-taken",
        ),
        pytest.param(
            pod("p", cpu="3", memory="9Gi"),
            node("n", cpu="2"),
            [],
            ("Insufficient cpu", "Insufficient memory"),
            id="all-reasons",
        ),
        pytest.param(pod("p"), node("n", pods="1"), [pod("o", node_name="n")], ("Too many pods",), id="pods"),
        pytest.param(pod("p"), node("n", pods="1", cpu="0"), [], (), id="best-effort-fits-anywhere"),
        pytest.param(
            pod("p", cpu="5"),
            node("n", cpu="1", pods="1"),
            [pod("o", node_name="n")],
            ("Too many pods", "Insufficient cpu"),
            id="pods-first",
        ),
        pytest.param(
            {
                **pod("p"),
                "spec": {
                    "containers": [{"name": "c", "image": "i", "resources": {"requests": {"example.com/gpu": "1"}}}]
                },
            },
            node("n"),
            [],
            ("Insufficient example.com/gpu",),
            id="extended-missing",
        ),
        pytest.param(
            {
                **pod("p"),
                "spec": {
                    "containers": [{"name": "c", "image": "i", "resources": {"requests": {"example.com/gpu": "1"}}}]
                },
            },
            node("n", extra={"example.com/gpu": "1"}),
            [],
            (),
            id="extended",
        ),
        pytest.param(
            {
                **pod("p"),
                "spec": {
                    "containers": [{"name": "c", "image": "i", "resources": {"requests": {"ephemeral-storage": "2Gi"}}}]
                },
            },
            node("n", extra={"ephemeral-storage": "1Gi"}),
            [],
            ("Insufficient ephemeral-storage",),
            id="ephemeral-storage",
        ),
        pytest.param(
            pod("p", cpu="500m", overhead={"cpu": "600m"}), node("n", cpu="1"), [], ("Insufficient cpu",), id="overhead"
        ),
    ],
)
def test_resources_fit(incoming: Obj, target: Obj, others: list[Obj], expected: tuple[str, ...]) -> None:
    status = check(incoming, target, others=others)
    assert reasons(status) == expected
    if status is not None:
        assert status.code == Code.UNSCHEDULABLE


def spread(max_skew: int = 1, key: str = "zone", **extra: Any) -> Obj:
    return {
        "topologySpreadConstraints": [
            {
                "maxSkew": max_skew,
                "topologyKey": key,
                "whenUnsatisfiable": "DoNotSchedule",
                "labelSelector": {"matchLabels": {"app": "web"}},
                **extra,
            }
        ]
    }


WEB = {"app": "web"}
ZONES = [node("a1", labels={"zone": "a"}), node("b1", labels={"zone": "b"})]


@pytest.mark.parametrize(
    ("incoming", "target", "others", "expected"),
    [
        pytest.param(pod("p", labels=WEB, **spread()), ZONES[0], [], (), id="empty-cluster"),
        pytest.param(
            pod("p", labels=WEB, **spread()),
            ZONES[0],
            [pod("o", labels=WEB, node_name="a1")],
            (framework.ERR_SPREAD,),
            id="skew-too-big",
        ),
        pytest.param(
            pod("p", labels=WEB, **spread(2)), ZONES[0], [pod("o", labels=WEB, node_name="a1")], (), id="max-skew-2"
        ),
        pytest.param(
            pod("p", labels=WEB, **spread()), ZONES[1], [pod("o", labels=WEB, node_name="a1")], (), id="other-zone"
        ),
        pytest.param(
            pod("p", labels={"app": "other"}, **spread()),
            ZONES[0],
            [pod("o", labels=WEB, node_name="a1")],
            (),
            id="not-matching-itself",
        ),
        pytest.param(
            pod("p", labels=WEB, **spread()),
            ZONES[0],
            [
                {
                    **pod("o", labels=WEB, node_name="a1"),
                    "metadata": {
                        "name": "o",
                        "namespace": "default",
                        "labels": WEB,
                        "deletionTimestamp": "2030-01-01T00:00:00Z",
                    },
                }
            ],
            (),
            id="terminating-pods-do-not-count",
        ),
        pytest.param(
            pod("p", labels=WEB, **spread()),
            ZONES[0],
            [pod("o", labels=WEB, node_name="a1", namespace="other")],
            (),
            id="other-namespaces-do-not-count",
        ),
        pytest.param(
            pod("p", labels=WEB, **spread()),
            node("x", labels={}),
            [],
            (framework.ERR_SPREAD_LABEL,),
            id="missing-label",
        ),
        pytest.param(
            pod("p", labels=WEB, nodeSelector={"zone": "a"}, **spread()),
            ZONES[0],
            [pod("o", labels=WEB, node_name="a1")],
            (),
            id="only-nodes-the-pod-may-use-count",
        ),
        pytest.param(
            pod("p", labels=WEB, nodeSelector={"zone": "a"}, **spread(nodeAffinityPolicy="Ignore")),
            ZONES[0],
            [pod("o", labels=WEB, node_name="a1")],
            (framework.ERR_SPREAD,),
            id="node-affinity-policy-ignore",
        ),
        pytest.param(
            pod("p", labels=WEB, **spread(minDomains=3)),
            ZONES[0],
            [pod("o", labels=WEB, node_name="a1"), pod("q", labels=WEB, node_name="b1")],
            (framework.ERR_SPREAD,),
            id="min-domains-makes-the-minimum-zero",
        ),
        pytest.param(
            pod("p", labels=WEB, **spread(key="kubernetes.io/hostname")),
            ZONES[0],
            [pod("o", labels=WEB, node_name="a1")],
            (framework.ERR_SPREAD,),
            id="hostname",
        ),
    ],
)
def test_topology_spread(incoming: Obj, target: Obj, others: list[Obj], expected: tuple[str, ...]) -> None:
    nodes = [n for n in ZONES if n is not target]
    assert reasons(check(incoming, target, others=others, nodes=nodes)) == expected


def test_topology_spread_honours_taints_when_asked() -> None:
    tainted = node("b1", labels={"zone": "b"}, taints=[NO_SCHEDULE_TAINT])
    others = [pod("o", labels=WEB, node_name="a1")]
    ignoring = pod("p", labels=WEB, **spread())
    assert reasons(check(ignoring, ZONES[0], others=others, nodes=[tainted])) == (framework.ERR_SPREAD,)
    honouring = pod("p", labels=WEB, **spread(nodeTaintsPolicy="Honor"))
    assert reasons(check(honouring, ZONES[0], others=others, nodes=[tainted])) == ()


ZONED = [
    node("a1", labels={"topology.kubernetes.io/zone": "a"}),
    node("a2", labels={"topology.kubernetes.io/zone": "a"}),
    node("b1", labels={"topology.kubernetes.io/zone": "b"}),
]
ZONE = "topology.kubernetes.io/zone"


@pytest.mark.parametrize(
    ("incoming", "target", "others", "expected"),
    [
        pytest.param(
            pod("p", affinity=pod_affinity(app="db")),
            "a1",
            [pod("db", labels={"app": "db"}, node_name="a1")],
            (),
            id="affinity-same-host",
        ),
        pytest.param(
            pod("p", affinity=pod_affinity(app="db")),
            "a2",
            [pod("db", labels={"app": "db"}, node_name="a1")],
            (framework.ERR_AFFINITY,),
            id="affinity-other-host",
        ),
        pytest.param(
            pod("p", affinity=pod_affinity(ZONE, app="db")),
            "a2",
            [pod("db", labels={"app": "db"}, node_name="a1")],
            (),
            id="affinity-same-zone",
        ),
        pytest.param(
            pod("p", affinity=pod_affinity(ZONE, app="db")),
            "b1",
            [pod("db", labels={"app": "db"}, node_name="a1")],
            (framework.ERR_AFFINITY,),
            id="affinity-other-zone",
        ),
        pytest.param(
            pod("p", affinity=pod_affinity(app="db")), "a1", [], (framework.ERR_AFFINITY,), id="affinity-nobody"
        ),
        pytest.param(
            pod("p", labels={"app": "db"}, affinity=pod_affinity(app="db")),
            "a1",
            [],
            (),
            id="affinity-to-itself-first-of-its-kind",
        ),
        pytest.param(
            pod("p", affinity=pod_affinity("rack", app="db")),
            "a1",
            [pod("db", labels={"app": "db"}, node_name="a1")],
            (framework.ERR_AFFINITY,),
            id="affinity-missing-topology-label",
        ),
        pytest.param(
            pod("p", affinity=anti_affinity(ZONE, app="db")),
            "a2",
            [pod("db", labels={"app": "db"}, node_name="a1")],
            (framework.ERR_ANTI_AFFINITY,),
            id="anti-affinity-zone",
        ),
        pytest.param(
            pod("p", affinity=anti_affinity(ZONE, app="db")),
            "b1",
            [pod("db", labels={"app": "db"}, node_name="a1")],
            (),
            id="anti-affinity-other-zone",
        ),
        pytest.param(
            pod("p", labels={"app": "web"}),
            "a1",
            [pod("db", node_name="a1", affinity=anti_affinity(app="web"))],
            (framework.ERR_EXISTING_ANTI_AFFINITY,),
            id="existing-pods-anti-affinity",
        ),
        pytest.param(
            pod("p", labels={"app": "web"}),
            "a2",
            [pod("db", node_name="a1", affinity=anti_affinity(app="web"))],
            (),
            id="existing-pods-anti-affinity-other-host",
        ),
        pytest.param(
            pod("p", labels={"app": "web"}, namespace="other"),
            "a1",
            [pod("db", node_name="a1", affinity=anti_affinity(app="web"))],
            (),
            id="existing-anti-affinity-own-namespace-only",
        ),
    ],
)
def test_inter_pod_affinity(incoming: Obj, target: str, others: list[Obj], expected: tuple[str, ...]) -> None:
    target_node = next(n for n in ZONED if n["metadata"]["name"] == target)
    nodes = [n for n in ZONED if n is not target_node]
    assert reasons(check(incoming, target_node, others=others, nodes=nodes)) == expected


def test_affinity_namespace_selector_looks_at_namespace_labels() -> None:
    term = {
        "labelSelector": {"matchLabels": {"app": "db"}},
        "namespaceSelector": {"matchLabels": {"team": "b"}},
        "topologyKey": "kubernetes.io/hostname",
    }
    incoming = pod("p", affinity={"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [term]}})
    in_other = [pod("db", labels={"app": "db"}, node_name="a1", namespace="other")]
    in_default = [pod("db", labels={"app": "db"}, node_name="a1")]
    assert reasons(check(incoming, ZONED[0], others=in_other)) == ()
    assert reasons(check(incoming, ZONED[0], others=in_default)) == (framework.ERR_AFFINITY,)


def test_pods_nominated_with_higher_priority_keep_their_room() -> None:
    cache = cache_of([node("n", cpu="2")])
    nominee = PodInfo.of(pod("nominee", cpu="2"), priority=100)
    cache.nominate(nominee, "n")
    low = PodInfo.of(pod("low", cpu="1"), priority=1)
    state = filters.prefilter(low, cache.node_list())
    assert reasons(filters.run_filters_with_nominated(state, cache.nodes["n"], cache.nominated_pods("n"))) == (
        "Insufficient cpu",
    )
    high = PodInfo.of(pod("high", cpu="1"), priority=1000)
    state = filters.prefilter(high, cache.node_list())
    assert filters.run_filters_with_nominated(state, cache.nodes["n"], cache.nominated_pods("n")) is None
    feasible, statuses = filters.find_feasible(state, cache.node_list(), cache.nominated)
    assert [n.name for n in feasible] == ["n"]
    assert statuses == {}


def test_filters_that_cannot_refuse_a_pod_are_skipped() -> None:
    plain = filters.prefilter(PodInfo.of(pod("p")), [])
    assert plain.filters == (filters.node_unschedulable, filters.taint_toleration, filters.node_resources_fit)
    assert len(filters.prefilter(PodInfo.of(pod("p", node_name="n", nodeSelector={"a": "b"})), []).filters) == 5
