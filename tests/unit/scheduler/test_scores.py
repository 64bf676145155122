"""Each score and its normalization, computed by hand from kube-scheduler's formulas."""

from __future__ import annotations

import random
from typing import Any

import pytest

from k3py.scheduler import framework, scores
from k3py.scheduler.cache import Cache, NodeInfo, PodInfo

from .builders import cache_of, node, pod

Obj = dict[str, Any]
MB = 1024 * 1024


def info(obj: Obj) -> PodInfo:
    return PodInfo.of(obj)


def node_info(obj: Obj, *bound: Obj) -> NodeInfo:
    cache = cache_of([obj], list(bound))
    return cache.nodes[obj["metadata"]["name"]]


@pytest.mark.parametrize(
    ("incoming", "target", "bound", "expected"),
    [
        pytest.param(
            pod("p", cpu="3", memory="5000"), node("n", cpu="4", memory="10000"), [], 37, id="half-and-quarter"
        ),
        pytest.param(pod("p", cpu="0", memory="0"), node("n", cpu="4", memory="10000"), [], 100, id="zero-requests"),
        pytest.param(
            pod("p", cpu="1", memory="1Gi"),
            node("n", cpu="4", memory="4Gi"),
            [pod("o", cpu="1", memory="1Gi", node_name="n")],
            50,
            id="with-a-bound-pod",
        ),
        pytest.param(
            pod("p", cpu="8", memory="1"), node("n", cpu="4", memory="100"), [], 49, id="over-capacity-scores-0"
        ),
        pytest.param(pod("p"), node("n", cpu="1", memory="1Gi"), [], 85, id="defaults-for-best-effort"),
        pytest.param(pod("p", cpu="1"), node("n", cpu="2", memory="0"), [], 50, id="memory-not-reported"),
    ],
)
def test_least_allocated(incoming: Obj, target: Obj, bound: list[Obj], expected: int) -> None:
    assert scores.least_allocated(info(incoming), node_info(target, *bound)) == expected


@pytest.mark.parametrize(
    ("incoming", "target", "expected"),
    [
        pytest.param(
            pod("p", cpu="3", memory="5000"), node("n", cpu="4", memory="10000"), 87, id="three-quarters-half"
        ),
        pytest.param(pod("p", cpu="2", memory="5000"), node("n", cpu="4", memory="10000"), 100, id="balanced"),
        pytest.param(pod("p", cpu="8", memory="0"), node("n", cpu="4", memory="10000"), 50, id="shares-capped-at-one"),
        pytest.param(pod("p", cpu="1"), node("n", cpu="4", memory="0"), 100, id="one-resource"),
    ],
)
def test_balanced_allocation(incoming: Obj, target: Obj, expected: int) -> None:
    assert scores.balanced_allocation(info(incoming), node_info(target)) == expected


def test_balanced_allocation_skips_best_effort_pods() -> None:
    nodes = [node_info(node("a")), node_info(node("b"))]
    assert scores.requests_nothing(info(pod("p")))
    assert framework.BALANCED_ALLOCATION not in scores.plugin_scores(info(pod("p")), nodes, nodes, {})
    assert framework.BALANCED_ALLOCATION in scores.plugin_scores(info(pod("p", cpu="1")), nodes, nodes, {})


@pytest.mark.parametrize(
    ("raw", "reverse", "expected"),
    [
        pytest.param({"a": 0, "b": 5, "c": 10}, False, {"a": 0, "b": 50, "c": 100}, id="scaled"),
        pytest.param({"a": 0, "b": 5, "c": 10}, True, {"a": 100, "b": 50, "c": 0}, id="reversed"),
        pytest.param({"a": 0, "b": 0}, False, {"a": 0, "b": 0}, id="all-zero"),
        pytest.param({"a": 0, "b": 0}, True, {"a": 100, "b": 100}, id="all-zero-reversed"),
        pytest.param({"a": 1, "b": 3}, False, {"a": 33, "b": 100}, id="integer-division"),
    ],
)
def test_default_normalize(raw: dict[str, int], reverse: bool, expected: dict[str, int]) -> None:
    assert scores.default_normalize(raw, reverse=reverse) == expected


def test_taint_toleration_prefers_nodes_with_fewer_untolerated_soft_taints() -> None:
    soft = [{"key": "a", "effect": "PreferNoSchedule"}, {"key": "b", "effect": "PreferNoSchedule"}]
    nodes = [
        node_info(node("two", taints=soft)),
        node_info(node("one", taints=soft[:1])),
        node_info(node("none")),
        node_info(node("hard", taints=[{"key": "a", "effect": "NoSchedule"}])),
    ]
    incoming = info(pod("p"))
    assert [scores.taint_toleration(incoming, n) for n in nodes] == [2, 1, 0, 0]
    normalized = scores.plugin_scores(incoming, nodes, nodes, {})[framework.TAINT_TOLERATION]
    assert normalized == {"two": 0, "one": 50, "none": 100, "hard": 100}
    tolerant = info(pod("p", tolerations=[{"key": "a", "operator": "Exists", "effect": "PreferNoSchedule"}]))
    assert [scores.taint_toleration(tolerant, n) for n in nodes] == [1, 0, 0, 0]
    ignoring = info(pod("p", tolerations=[{"key": "a", "operator": "Exists", "effect": "NoSchedule"}]))
    assert scores.taint_toleration(ignoring, nodes[0]) == 2


def test_preferred_node_affinity_is_scaled_to_the_best_node() -> None:
    term = {"preference": {"matchExpressions": [{"key": "disk", "operator": "In", "values": ["ssd"]}]}}
    other = {"preference": {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]}}
    affinity = {
        "nodeAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 30, **term}, {"weight": 10, **other}]
        }
    }
    nodes = [
        node_info(node("both", labels={"disk": "ssd", "zone": "a"})),
        node_info(node("ssd", labels={"disk": "ssd"})),
        node_info(node("neither")),
    ]
    result = scores.plugin_scores(info(pod("p", affinity=affinity)), nodes, nodes, {})[framework.NODE_AFFINITY]
    assert result == {"both": 100, "ssd": 75, "neither": 0}


def images(*entries: tuple[str, int]) -> list[Obj]:
    return [{"names": [name], "sizeBytes": size} for name, size in entries]


def test_image_locality_weighs_image_sizes_by_their_spread() -> None:
    cache = cache_of(
        [
            node("big", images=images(("gcr.io/40:latest", 40 * MB), ("gcr.io/300:latest", 300 * MB))),
            node("small", images=images(("gcr.io/250:latest", 250 * MB))),
        ]
    )
    incoming = info(pod("p", image="gcr.io/40", initContainers=[{"name": "i", "image": "gcr.io/300"}]))
    total = len(cache.node_list())
    big, small = cache.nodes["big"], cache.nodes["small"]
    # (40 MB + 300 MB) / 2 nodes = 170 MB, between 23 MB and 2 containers * 1000 MB
    assert scores.image_locality(incoming, big, cache.image_nodes, total) == 100 * (170 - 23) // (2000 - 23)
    assert scores.image_locality(incoming, small, cache.image_nodes, total) == 0
    assert scores.image_locality(info(pod("q", image="gcr.io/40:latest")), big, cache.image_nodes, total) == 0


def test_image_locality_caps_at_the_largest_useful_size() -> None:
    cache = cache_of([node("n", images=images(("huge:v1", 5000 * MB)))])
    assert scores.image_locality(info(pod("p", image="huge:v1")), cache.nodes["n"], cache.image_nodes, 1) == 100


def preferred(kind: str, weight: int, key: str = "kubernetes.io/hostname", **match: str) -> Obj:
    return {
        kind: {
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {"weight": weight, "podAffinityTerm": {"labelSelector": {"matchLabels": match}, "topologyKey": key}}
            ]
        }
    }


def affinity_scores(incoming: Obj, bound: list[Obj], names: tuple[str, ...] = ("a", "b", "c")) -> dict[str, int]:
    cache = cache_of([node(n, labels={"zone": "z1" if n != "c" else "z2"}) for n in names], bound)
    nodes = cache.node_list()
    return scores.plugin_scores(info(incoming), nodes, nodes, {}).get(framework.INTER_POD_AFFINITY, {})


def test_preferred_pod_affinity_pulls_towards_matching_pods() -> None:
    bound = [pod("db", labels={"app": "db"}, node_name="a")]
    assert affinity_scores(pod("p", affinity=preferred("podAffinity", 5, app="db")), bound) == {
        "a": 100,
        "b": 0,
        "c": 0,
    }
    by_zone = pod("p", affinity=preferred("podAffinity", 5, "zone", app="db"))
    assert affinity_scores(by_zone, bound) == {"a": 100, "b": 100, "c": 0}


def test_preferred_pod_anti_affinity_pushes_away() -> None:
    bound = [pod("db", labels={"app": "db"}, node_name="a")]
    assert affinity_scores(pod("p", affinity=preferred("podAntiAffinity", 5, app="db")), bound) == {
        "a": 0,
        "b": 100,
        "c": 100,
    }


def test_existing_pods_affinity_counts_for_the_incoming_pod() -> None:
    hard = [
        pod(
            "cache",
            node_name="c",
            affinity={
                "podAffinity": {
                    "requiredDuringSchedulingIgnoredDuringExecution": [
                        {"labelSelector": {"matchLabels": {"app": "web"}}, "topologyKey": "zone"}
                    ]
                }
            },
        )
    ]
    assert affinity_scores(pod("p", labels={"app": "web"}), hard) == {"a": 0, "b": 0, "c": 100}
    soft = [pod("cache", node_name="a", affinity=preferred("podAntiAffinity", 10, app="web"))]
    assert affinity_scores(pod("p", labels={"app": "web"}), soft) == {"a": 0, "b": 100, "c": 100}


def test_pod_affinity_scoring_is_skipped_without_any_affinity() -> None:
    assert affinity_scores(pod("p"), [pod("db", node_name="a")]) == {}


def test_schedule_anyway_spread_prefers_emptier_domains() -> None:
    constraint = {
        "maxSkew": 1,
        "topologyKey": "kubernetes.io/hostname",
        "whenUnsatisfiable": "ScheduleAnyway",
        "labelSelector": {"matchLabels": {"app": "web"}},
    }
    web = {"app": "web"}
    cache = cache_of(
        [node("full"), node("empty"), node("half")],
        [
            pod("w1", labels=web, node_name="full"),
            pod("w2", labels=web, node_name="full"),
            pod("w3", labels=web, node_name="half"),
        ],
    )
    nodes = cache.node_list()
    incoming = info(pod("p", labels=web, topologySpreadConstraints=[constraint]))
    result = scores.plugin_scores(incoming, nodes, nodes, {})[framework.POD_TOPOLOGY_SPREAD]
    # weight ln(3 nodes + 2); full: round(2 * 1.609) = 3, half: round(1.609) = 2, empty: 0
    assert result == {"empty": 100, "full": 0, "half": 33}


def test_spread_scoring_ignores_nodes_without_the_topology_key() -> None:
    constraint = {"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "ScheduleAnyway", "labelSelector": {}}
    cache = cache_of([node("zoned", labels={"zone": "a"}), node("bare")])
    nodes = cache.node_list()
    result = scores.plugin_scores(info(pod("p", topologySpreadConstraints=[constraint])), nodes, nodes, {})
    assert result[framework.POD_TOPOLOGY_SPREAD] == {"bare": 0, "zoned": 100}


def test_totals_are_weighted_sums() -> None:
    cache = cache_of(
        [node("a", cpu="4", memory="4Gi"), node("b", cpu="4", memory="4Gi")],
        [pod("o", cpu="2", memory="1Gi", node_name="b")],
    )
    nodes = cache.node_list()
    incoming = info(pod("p", cpu="1", memory="1Gi"))
    per_plugin = scores.plugin_scores(incoming, nodes, nodes, cache.image_nodes)
    totals = scores.score_nodes(incoming, nodes, nodes, cache.image_nodes)
    for name in ("a", "b"):
        assert totals[name] == sum(scores.WEIGHTS[plugin] * s[name] for plugin, s in per_plugin.items())
    assert totals["a"] > totals["b"]


def test_select_host_takes_the_best_and_breaks_ties_at_random() -> None:
    rng = random.Random(3)
    assert scores.select_host({"a": 1, "b": 5, "c": 2}, rng) == "b"
    picks = {scores.select_host({"a": 5, "b": 5, "c": 1}, rng) for _ in range(50)}
    assert picks == {"a", "b"}


def test_cache_counts_images_per_node() -> None:
    cache = Cache()
    cache.set_node(node("a", images=images(("x:1", 1))))
    cache.set_node(node("b", images=images(("x:1", 1), ("y:1", 1))))
    assert cache.image_nodes == {"x:1": 2, "y:1": 1}
    cache.set_node(node("b"))
    assert cache.image_nodes == {"x:1": 1}
    cache.remove_node("a")
    assert cache.image_nodes == {}
