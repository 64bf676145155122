"""The scheduler's cache: bound and assumed pods, nodes coming and going, nominations."""

from __future__ import annotations

import pytest

from k3py.scheduler.affinity import Taint
from k3py.scheduler.cache import Cache, PodInfo, host_ports, node_taints, normalized_image

from .builders import node, pod


def test_an_assumed_pod_takes_room_until_forgotten() -> None:
    cache = Cache()
    cache.set_node(node("n", cpu="2"))
    info = PodInfo.of(pod("p", cpu="1500m"))
    cache.assume(info, "n")
    assert cache.is_assumed("default/p")
    assert cache.nodes["n"].requested.milli_cpu == 1500
    placed = cache.pod("default/p")
    assert placed is not None and placed.node_name == "n"
    cache.forget("default/p")
    assert cache.nodes["n"].requested.milli_cpu == 0
    assert not cache.is_assumed("default/p")


def test_the_watched_binding_replaces_the_assumption() -> None:
    cache = Cache()
    cache.set_node(node("n", cpu="2"))
    cache.assume(PodInfo.of(pod("p", cpu="1")), "n")
    cache.set_pod(PodInfo.of(pod("p", cpu="1", node_name="n")))
    assert not cache.is_assumed("default/p")
    cache.forget("default/p")  # a late failure report must not remove the real pod
    assert cache.nodes["n"].requested.milli_cpu == 1000


def test_a_pod_moving_nodes_is_counted_once() -> None:
    cache = Cache()
    for name in ("a", "b"):
        cache.set_node(node(name))
    cache.set_pod(PodInfo.of(pod("p", cpu="1", node_name="a")))
    cache.set_pod(PodInfo.of(pod("p", cpu="1", node_name="b")))
    assert (cache.nodes["a"].requested.milli_cpu, cache.nodes["b"].requested.milli_cpu) == (0, 1000)
    assert cache.remove_pod("default/p") is not None
    assert cache.remove_pod("default/p") is None


def test_pods_on_unknown_nodes_wait_for_them() -> None:
    cache = Cache()
    cache.set_pod(PodInfo.of(pod("p", cpu="1", node_name="later")))
    assert cache.node_list() == []
    cache.set_node(node("later"))
    assert cache.nodes["later"].requested.milli_cpu == 1000
    cache.remove_node("later")
    assert cache.node_list() == []
    assert "later" in cache.nodes  # its pod still counts
    cache.remove_pod("default/p")
    assert "later" not in cache.nodes


def test_nominations() -> None:
    cache = Cache()
    info = PodInfo.of(pod("p"))
    cache.nominate(info, "n")
    assert cache.nominated_node("default/p") == "n"
    assert [p.key for p in cache.nominated_pods("n")] == ["default/p"]
    cache.nominate(info, "m")
    assert list(cache.nominated_pods("n")) == []
    cache.assume(info, "m")
    assert cache.nominated_node("default/p") == ""


@pytest.mark.parametrize(
    ("name", "normalized"),
    [
        ("nginx", "nginx:latest"),
        ("nginx:1.25", "nginx:1.25"),
        ("registry:5000/app", "registry:5000/app:latest"),
        ("registry:5000/app:v1", "registry:5000/app:v1"),
        ("app@sha256:abc", "app@sha256:abc"),
    ],
)
def test_normalized_image_names(name: str, normalized: str) -> None:
    assert normalized_image(name) == normalized


def test_host_ports_of_containers_and_sidecars() -> None:
    spec = {
        "containers": [{"ports": [{"containerPort": 80, "hostPort": 8080}, {"containerPort": 81}]}],
        "initContainers": [
            {
                "restartPolicy": "Always",
                "ports": [{"containerPort": 9, "hostPort": 9090, "protocol": "UDP", "hostIP": "10.0.0.1"}],
            },
            {"ports": [{"containerPort": 7, "hostPort": 7070}]},
        ],
    }
    assert host_ports(spec) == (("0.0.0.0", "TCP", 8080), ("10.0.0.1", "UDP", 9090))


def test_the_ready_condition_stands_for_its_taint_once() -> None:
    down = node("n", ready="False")
    assert node_taints(down) == (Taint("node.kubernetes.io/not-ready", "", "NoSchedule"),)
    down["spec"]["taints"] = [{"key": "node.kubernetes.io/not-ready", "effect": "NoSchedule"}]
    assert len(node_taints(down)) == 1
    assert node_taints(node("n")) == ()
