"""One scheduling attempt over a whole cluster: filtered, scored, one node picked."""

from __future__ import annotations

import random

from k3py.scheduler import algorithm
from k3py.scheduler.cache import PodInfo

from .builders import cache_of, node, pod


def test_the_least_loaded_fitting_node_wins() -> None:
    cache = cache_of(
        [node("busy", cpu="4", memory="8Gi"), node("idle", cpu="4", memory="8Gi"), node("tiny", cpu="100m")],
        [pod("o", cpu="3", memory="6Gi", node_name="busy")],
    )
    decision = algorithm.schedule(PodInfo.of(pod("p", cpu="500m", memory="1Gi")), cache, random.Random(1))
    assert decision.node == "idle"
    assert decision.num_nodes == 3


def test_pods_spread_over_equal_nodes() -> None:
    cache = cache_of([node(f"n{i}") for i in range(4)])
    rng = random.Random(5)
    for i in range(8):
        info = PodInfo.of(pod(f"p{i}", cpu="100m", memory="100Mi"))
        decision = algorithm.schedule(info, cache, rng)
        cache.assume(info, decision.node)
    assert sorted(len(n.pods) for n in cache.node_list()) == [2, 2, 2, 2]


def test_a_nominated_node_is_tried_first() -> None:
    cache = cache_of([node("empty"), node("nominated")], [pod("o", cpu="3", node_name="nominated")])
    nominee = pod("p", cpu="100m")
    nominee["status"] = {"nominatedNodeName": "nominated"}
    assert algorithm.schedule(PodInfo.of(nominee), cache, random.Random(1)).node == "nominated"


def test_a_refusal_explains_itself() -> None:
    cache = cache_of([node("small", cpu="1", labels={"disk": "ssd"}), node("labelled", labels={"disk": "hdd"})])
    decision = algorithm.schedule(PodInfo.of(pod("p", cpu="2", nodeSelector={"disk": "ssd"})), cache, random.Random(1))
    assert decision.node == ""
    assert decision.plugins == {"NodeResourcesFit", "NodeAffinity"}
    assert decision.message() == (
        "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) didn't match Pod's node affinity/selector."
    )


def test_no_nodes_at_all() -> None:
    decision = algorithm.schedule(PodInfo.of(pod("p")), cache_of([]), random.Random(1))
    assert (decision.node, decision.plugins) == ("", frozenset())
    assert decision.message("ignored") == "no nodes available to schedule pods"
