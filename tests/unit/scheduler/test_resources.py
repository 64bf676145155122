"""What pods request and nodes offer, in the scheduler's units (resource.PodRequests' rules)."""

from __future__ import annotations

from typing import Any

import pytest

from k3py.scheduler import resources
from k3py.scheduler.resources import DEFAULT_MEMORY_REQUEST, DEFAULT_MILLI_CPU_REQUEST, Resources

Obj = dict[str, Any]


def container(requests: Obj | None = None, limits: Obj | None = None, **extra: Any) -> Obj:
    res: Obj = {}
    if requests is not None:
        res["requests"] = requests
    if limits is not None:
        res["limits"] = limits
    return {"name": "c", "image": "i", "resources": res, **extra}


def pod_with(**spec: Any) -> Obj:
    return {"metadata": {"name": "p"}, "spec": spec}


@pytest.mark.parametrize(
    ("spec", "milli_cpu", "memory"),
    [
        pytest.param({"containers": [container({"cpu": "500m", "memory": "1Gi"})]}, 500, 2**30, id="one-container"),
        pytest.param(
            {"containers": [container({"cpu": "1"}), container({"cpu": "250m", "memory": "100Mi"})]},
            1250,
            100 * 2**20,
            id="containers-add-up",
        ),
        pytest.param(
            {
                "initContainers": [container({"cpu": "2", "memory": "1G"}), container({"cpu": "2", "memory": "3G"})],
                "containers": [container({"cpu": "2", "memory": "1G"}), container({"cpu": "1", "memory": "1G"})],
            },
            3000,
            3 * 10**9,
            id="init-containers-take-the-largest",
        ),
        pytest.param(
            {
                "initContainers": [
                    container({"cpu": "1"}, restartPolicy="Always"),
                    container({"cpu": "3"}),
                ],
                "containers": [container({"cpu": "1"})],
            },
            4000,
            0,
            id="a-sidecar-runs-beside-the-later-init-containers",
        ),
        pytest.param(
            {
                "initContainers": [container({"cpu": "500m"}, restartPolicy="Always")],
                "containers": [container({"cpu": "1"})],
            },
            1500,
            0,
            id="a-sidecar-runs-beside-the-containers",
        ),
        pytest.param(
            {"containers": [container({"cpu": "1"})], "overhead": {"cpu": "250m", "memory": "120Mi"}},
            1250,
            120 * 2**20,
            id="overhead-comes-on-top",
        ),
        pytest.param({"containers": [container(limits={"cpu": "2", "memory": "1Mi"})]}, 2000, 2**20, id="limits-only"),
        pytest.param(
            {"containers": [container({"cpu": "1"})], "resources": {"requests": {"cpu": "3", "memory": "1Gi"}}},
            3000,
            2**30,
            id="pod-level-requests-win",
        ),
        pytest.param({"containers": [container({"cpu": "0.1m"})]}, 1, 0, id="rounded-up-to-a-millicore"),
        pytest.param({"containers": [container({"cpu": "nonsense"})]}, 0, 0, id="not-a-quantity"),
        pytest.param({}, 0, 0, id="no-containers"),
    ],
)
def test_pod_requests(spec: Obj, milli_cpu: int, memory: int) -> None:
    found = resources.pod_resources(pod_with(**spec)).requests
    assert (found.milli_cpu, found.memory) == (milli_cpu, memory)


def test_extended_and_storage_requests_are_counted() -> None:
    spec = {"containers": [container({"nvidia.com/gpu": "2", "ephemeral-storage": "1Gi", "hugepages-2Mi": "4Mi"})]}
    found = resources.pod_resources(pod_with(**spec)).requests
    assert found.ephemeral_storage == 2**30
    assert found.scalars == {"nvidia.com/gpu": 2, "hugepages-2Mi": 4 * 2**20}


@pytest.mark.parametrize(
    ("spec", "cpu", "memory"),
    [
        pytest.param(
            {"containers": [container(), container({"cpu": "1"})]},
            1000 + DEFAULT_MILLI_CPU_REQUEST,
            2 * DEFAULT_MEMORY_REQUEST,
            id="each-container-without-requests-counts-the-default",
        ),
        pytest.param(
            {"containers": [container({"cpu": "0", "memory": "0"})]}, 0, 0, id="an-explicit-zero-is-not-missing"
        ),
        pytest.param(
            {"containers": [container()], "resources": {"requests": {"cpu": "2"}}},
            2000,
            DEFAULT_MEMORY_REQUEST,
            id="pod-level-cpu-and-default-memory",
        ),
    ],
)
def test_non_zero_requests_spread_best_effort_pods(spec: Obj, cpu: int, memory: int) -> None:
    found = resources.pod_resources(pod_with(**spec))
    assert (found.non_zero_milli_cpu, found.non_zero_memory) == (cpu, memory)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        pytest.param(
            {"allocatable": {"cpu": "3800m", "memory": "7Gi", "pods": "110"}, "capacity": {"cpu": "4"}},
            Resources(3800, 7 * 2**30, 0, 110),
            id="allocatable",
        ),
        pytest.param({"capacity": {"cpu": "2", "pods": "10"}}, Resources(2000, 0, 0, 10), id="capacity-without-it"),
        pytest.param({}, Resources(), id="nothing-reported"),
        pytest.param(
            {"allocatable": {"example.com/dongle": "3", "ephemeral-storage": "10G"}},
            Resources(0, 0, 10 * 10**9, 0, {"example.com/dongle": 3}),
            id="extended",
        ),
    ],
)
def test_node_allocatable(status: Obj, expected: Resources) -> None:
    assert resources.node_allocatable({"status": status}) == expected


def test_resources_add_and_subtract_drop_empty_scalars() -> None:
    total = Resources(100, 10, 1, 0, {"gpu": 1})
    total.add(Resources(50, 5, 0, 0, {"gpu": 1}), -1)
    assert total == Resources(50, 5, 1, 0, {})
    assert not total.empty
    assert Resources(scalars={"gpu": 0}).empty
