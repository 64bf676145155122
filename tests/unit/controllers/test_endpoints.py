"""The Endpoints controller: the pure planning (subsets, ports, readiness, truncation, trigger
times), then the controller over the in-process API with pods whose status plays the kubelet."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import trio

from k3py.api.client import Client
from k3py.controllers import endpoints
from k3py.controllers.endpoints import EndpointsController
from k3py.core import errors

Obj = dict[str, Any]
NS = "default"


# -- pure ------------------------------------------------------------------------------------------


def pod(
    name: str,
    ip: str = "",
    *,
    ready: bool | None = True,
    labels: Obj | None = None,
    ports: list[Obj] | None = None,
    node: str = "node-1",
    phase: str = "Running",
    deleting: bool = False,
    restart_policy: str = "",
    hostname: str = "",
    subdomain: str = "",
    ready_since: str = "2024-01-01T00:00:00Z",
) -> Obj:
    spec: Obj = {"nodeName": node, "containers": [{"name": "c", "image": "i", "ports": ports or []}]}
    if restart_policy:
        spec["restartPolicy"] = restart_policy
    if hostname:
        spec["hostname"] = hostname
    if subdomain:
        spec["subdomain"] = subdomain
    status: Obj = {"phase": phase}
    if ip:
        status["podIP"] = ip
        status["podIPs"] = [{"ip": ip}]
    if ready is not None:
        status["conditions"] = [
            {"type": "Ready", "status": "True" if ready else "False", "lastTransitionTime": ready_since}
        ]
    metadata: Obj = {"name": name, "namespace": NS, "uid": f"uid-{name}", "labels": labels or {"app": "web"}}
    if deleting:
        metadata["deletionTimestamp"] = "2024-01-01T00:00:00Z"
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec, "status": status}


def service(
    ports: list[Obj] | None = None,
    *,
    name: str = "web",
    selector: Obj | None = None,
    publish: bool = False,
    cluster_ip: str = "10.43.0.10",
    labels: Obj | None = None,
) -> Obj:
    spec: Obj = {
        "selector": {"app": "web"} if selector is None else selector,
        "ports": [{"port": 80, "protocol": "TCP", "targetPort": 8080}] if ports is None else ports,
        "clusterIP": cluster_ip,
        "ipFamilies": ["IPv4"],
    }
    if publish:
        spec["publishNotReadyAddresses"] = True
    metadata: Obj = {"name": name, "namespace": NS, "uid": "uid-svc", "creationTimestamp": "2023-12-31T00:00:00Z"}
    if labels:
        metadata["labels"] = labels
    return {"apiVersion": "v1", "kind": "Service", "metadata": metadata, "spec": spec}


def address(name: str, ip: str, **extra: str) -> Obj:
    return {
        "ip": ip,
        **extra,
        "nodeName": "node-1",
        "targetRef": {"kind": "Pod", "namespace": NS, "name": name, "uid": f"uid-{name}"},
    }


HTTP = {"name": "http", "containerPort": 8080}
HTTP_OTHER = {"name": "http", "containerPort": 9090}
NAMED = [{"name": "web", "port": 80, "protocol": "TCP", "targetPort": "http"}]


@pytest.mark.parametrize(
    ("svc", "pods", "expected"),
    [
        pytest.param(
            service(),
            [pod("a", "10.42.0.2"), pod("b", "10.42.0.3", ready=False)],
            [
                {
                    "addresses": [address("a", "10.42.0.2")],
                    "notReadyAddresses": [address("b", "10.42.0.3")],
                    "ports": [{"port": 8080, "protocol": "TCP"}],
                }
            ],
            id="ready-and-not-ready",
        ),
        pytest.param(
            service(publish=True),
            [pod("a", "10.42.0.2"), pod("b", "10.42.0.3", ready=False)],
            [
                {
                    "addresses": [address("a", "10.42.0.2"), address("b", "10.42.0.3")],
                    "ports": [{"port": 8080, "protocol": "TCP"}],
                }
            ],
            id="publish-not-ready-addresses",
        ),
        pytest.param(service(), [pod("a")], [], id="no-ip-yet"),
        pytest.param(service(), [pod("a", "10.42.0.2", deleting=True)], [], id="terminating-left-out"),
        pytest.param(
            service(publish=True),
            [pod("a", "10.42.0.2", deleting=True, ready=False)],
            [{"addresses": [address("a", "10.42.0.2")], "ports": [{"port": 8080, "protocol": "TCP"}]}],
            id="terminating-kept-when-publishing",
        ),
        pytest.param(
            service(), [pod("a", "10.42.0.2", phase="Failed", restart_policy="Never")], [], id="failed-for-good"
        ),
        pytest.param(
            service(),
            [pod("a", "10.42.0.2", phase="Failed", restart_policy="OnFailure", ready=False)],
            [{"notReadyAddresses": [address("a", "10.42.0.2")], "ports": [{"port": 8080, "protocol": "TCP"}]}],
            id="failed-will-restart",
        ),
        pytest.param(
            service(NAMED),
            [pod("a", "10.42.0.2", ports=[HTTP]), pod("b", "10.42.0.3", ports=[HTTP_OTHER]), pod("c", "10.42.0.4")],
            [
                {"addresses": [address("a", "10.42.0.2")], "ports": [{"port": 8080, "protocol": "TCP", "name": "web"}]},
                {"addresses": [address("b", "10.42.0.3")], "ports": [{"port": 9090, "protocol": "TCP", "name": "web"}]},
            ],
            id="named-port-numbers-split-subsets",
        ),
        pytest.param(
            service([{"name": "dns", "port": 53, "protocol": "UDP", "targetPort": "http"}]),
            [pod("a", "10.42.0.2", ports=[HTTP])],
            [],
            id="named-port-protocol-must-match",
        ),
        pytest.param(
            service([], cluster_ip="None"),
            [pod("a", "10.42.0.2", hostname="a", subdomain="web"), pod("b", "10.42.0.3", hostname="b")],
            [{"addresses": [address("a", "10.42.0.2", hostname="a"), address("b", "10.42.0.3")]}],
            id="headless-without-ports-hostname-by-subdomain",
        ),
        pytest.param(service([]), [pod("a", "10.42.0.2")], [], id="cluster-ip-without-ports"),
        pytest.param(
            service([{"name": "a", "port": 80, "targetPort": 8080}, {"name": "b", "port": 81, "targetPort": 8081}]),
            [pod("a", "10.42.0.2")],
            [
                {
                    "addresses": [address("a", "10.42.0.2")],
                    "ports": [
                        {"name": "a", "port": 8080, "protocol": "TCP"},
                        {"name": "b", "port": 8081, "protocol": "TCP"},
                    ],
                }
            ],
            id="several-ports-one-subset",
        ),
    ],
)
def test_plan_subsets(svc: Obj, pods: list[Obj], expected: list[Obj]) -> None:
    assert endpoints.plan_subsets(svc, pods) == expected


def test_plan_subsets_ignores_pods_of_another_family() -> None:
    v6 = pod("a")
    v6["status"].update(podIP="fd00::2", podIPs=[{"ip": "fd00::2"}])
    assert endpoints.plan_subsets(service(), [v6]) == []


@pytest.mark.parametrize(
    ("target", "container_ports", "expected"),
    [
        pytest.param(8080, [], 8080, id="number"),
        pytest.param("http", [{"name": "http", "containerPort": 8080}], 8080, id="name"),
        pytest.param("http", [{"name": "http", "containerPort": 8080, "protocol": "UDP"}], None, id="protocol"),
        pytest.param("metrics", [{"name": "http", "containerPort": 8080}], None, id="missing"),
        pytest.param(None, [], 80, id="defaults-to-port"),
    ],
)
def test_find_port(target: object, container_ports: list[Obj], expected: int | None) -> None:
    service_port: Obj = {"port": 80, "protocol": "TCP"}
    if target is not None:
        service_port["targetPort"] = target
    assert endpoints.find_port(pod("a", ports=container_ports), service_port) == expected


def test_find_port_looks_in_sidecar_init_containers() -> None:
    p = pod("a")
    p["spec"]["initContainers"] = [
        {"name": "once", "ports": [{"name": "http", "containerPort": 1}]},
        {"name": "sidecar", "restartPolicy": "Always", "ports": [{"name": "http", "containerPort": 2}]},
    ]
    assert endpoints.find_port(p, {"port": 80, "protocol": "TCP", "targetPort": "http"}) == 2


@pytest.mark.parametrize(
    ("ready", "not_ready", "kept_ready", "kept_not_ready"),
    [
        pytest.param(600, 600, 600, 400, id="not-ready-cut-first"),
        pytest.param(1200, 10, 1000, 0, id="ready-cut-when-too-many"),
        pytest.param(500, 500, 500, 500, id="at-capacity"),
    ],
)
def test_truncate(ready: int, not_ready: int, kept_ready: int, kept_not_ready: int) -> None:
    def addresses(n: int, offset: int) -> list[Obj]:
        return [
            {"ip": f"10.{(offset + i) // 65536}.{(offset + i) // 256 % 256}.{(offset + i) % 256}"} for i in range(n)
        ]

    half = ready // 2
    subsets = [
        {"addresses": addresses(half, 0), "notReadyAddresses": addresses(not_ready // 2, 100000)},
        {
            "addresses": addresses(ready - half, 50000),
            "notReadyAddresses": addresses(not_ready - not_ready // 2, 200000),
        },
    ]
    cut = endpoints.truncate(subsets)
    assert cut == (ready + not_ready > endpoints.MAX_CAPACITY)
    assert sum(len(s.get("addresses") or []) for s in subsets) == kept_ready
    assert sum(len(s.get("notReadyAddresses") or []) for s in subsets) == kept_not_ready


def test_plan_endpoints_marks_truncation() -> None:
    pods = [pod(f"p{i}", f"10.42.{i // 256}.{i % 256}") for i in range(1001)]
    planned = endpoints.plan_endpoints(service(), pods, None, None)
    assert planned is not None
    assert planned["metadata"]["annotations"] == {endpoints.OVER_CAPACITY: "truncated"}
    assert len(planned["subsets"][0]["addresses"]) == 1000


def test_plan_endpoints_writes_nothing_when_current_is_right() -> None:
    svc = service(labels={"team": "a"})
    planned = endpoints.plan_endpoints(svc, [pod("a", "10.42.0.2")], None, None)
    assert planned is not None
    assert planned["metadata"] == {"name": "web", "namespace": NS, "labels": {"team": "a"}}
    assert endpoints.plan_endpoints(svc, [pod("a", "10.42.0.2")], planned, None) is None
    relabelled = service(labels={"team": "b"})
    again = endpoints.plan_endpoints(relabelled, [pod("a", "10.42.0.2")], planned, None)
    assert again is not None
    assert again["metadata"]["labels"] == {"team": "b"}


def test_plan_endpoints_labels_headless_services() -> None:
    planned = endpoints.plan_endpoints(service([], cluster_ip="None"), [], None, None)
    assert planned is not None
    assert planned["metadata"]["labels"] == {endpoints.HEADLESS_LABEL: ""}


def test_trigger_time_is_the_earliest_change_not_yet_reported() -> None:
    tracker = endpoints.TriggerTimeTracker()
    svc = service()

    def compute(pods: list[Obj], *, commit: bool = True) -> datetime | None:
        at, state = tracker.compute("default/web", svc, pods)
        if commit:
            tracker.commit("default/web", state)
        return at

    first = [pod("a", ready_since="2024-01-01T00:00:05Z"), pod("b", ready_since="2024-01-01T00:00:03Z")]
    assert compute(first) == datetime(2023, 12, 31, tzinfo=UTC)  # the service itself is the first change
    assert compute(first) is None  # nothing moved
    later = [pod("a", ready_since="2024-01-01T00:01:00Z"), pod("b", ready_since="2024-01-01T00:00:59.5Z")]
    expected = datetime(2024, 1, 1, 0, 0, 59, 500000, tzinfo=UTC)
    assert compute(later, commit=False) == expected  # the write failed: the change is still unreported
    assert compute(later) == expected
    assert compute(later) is None
    tracker.forget("default/web")
    assert compute(later) == datetime(2023, 12, 31, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z", id="seconds"),
        pytest.param("2024-01-01T00:00:00.123456789Z", "2024-01-01T00:00:00.123456Z", id="nanoseconds"),
        pytest.param("2024-01-01T01:00:00.5+01:00", "2024-01-01T00:00:00.5Z", id="offset"),
    ],
)
def test_times_round_trip_as_rfc3339nano(text: str, expected: str) -> None:
    parsed = endpoints.parse_time(text)
    assert parsed is not None
    assert endpoints.format_time(parsed) == expected


def test_pod_update_matters_only_for_what_endpoints_show() -> None:
    before = pod("a", "10.42.0.2")
    restarted = pod("a", "10.42.0.2")
    restarted["status"]["containerStatuses"] = [{"name": "c", "restartCount": 1}]
    assert not endpoints.pod_update_matters(before, restarted)
    assert endpoints.pod_update_matters(before, pod("a", "10.42.0.2", ready=False))
    assert endpoints.pod_update_matters(before, pod("a", "10.42.0.3"))
    assert endpoints.pod_update_matters(before, pod("a", "10.42.0.2", labels={"app": "other"}))


# -- over the API ----------------------------------------------------------------------------------


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 5) -> None:
    with trio.fail_after(timeout):
        while not await check():
            await trio.sleep(0.01)


async def create_pod(client: Client, name: str, ports: list[Obj] | None = None, labels: Obj | None = None) -> Obj:
    body = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": labels or {"app": "web"}},
        "spec": {"nodeName": "node-1", "containers": [{"name": "c", "image": "i", "ports": ports or []}]},
    }
    return await client.create("v1", "pods", body, namespace=NS)


async def set_status(client: Client, name: str, ip: str, *, ready: bool) -> None:
    """Play the kubelet: the pod runs at ``ip``, ready or not."""
    status = {
        "phase": "Running",
        "podIP": ip,
        "podIPs": [{"ip": ip}],
        "conditions": [
            {"type": "Ready", "status": "True" if ready else "False", "lastTransitionTime": "2024-01-01T00:00:00Z"}
        ],
    }
    await client.patch("v1", "pods", name, {"status": status}, namespace=NS, subresource="status")


async def create_service(client: Client, name: str = "web", **spec: Any) -> Obj:
    body = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name},
        "spec": {"selector": {"app": "web"}, "ports": [{"name": "web", "port": 80, "targetPort": "http"}], **spec},
    }
    return await client.create("v1", "services", body, namespace=NS)


async def get_endpoints(client: Client, name: str = "web") -> Obj | None:
    try:
        return await client.get("v1", "endpoints", name, namespace=NS)
    except errors.NotFound:
        return None


def ips(obj: Obj | None, field: str = "addresses") -> list[str]:
    return sorted(a["ip"] for s in (obj or {}).get("subsets") or [] for a in s.get(field) or [])


@pytest.fixture
async def controller(client: Client) -> AsyncIterator[EndpointsController]:
    ctl = EndpointsController(client)
    async with trio.open_nursery() as nursery:
        await nursery.start(ctl.run)
        yield ctl
        nursery.cancel_scope.cancel()


async def test_endpoints_follow_pod_readiness_and_deletion(client: Client, controller: EndpointsController) -> None:
    await create_service(client)
    await create_pod(client, "a", [HTTP])
    await create_pod(client, "b", [HTTP_OTHER])

    async def has_endpoints() -> bool:
        return await get_endpoints(client) is not None

    await eventually(has_endpoints)  # an empty Endpoints at first: no pod has an IP
    await set_status(client, "a", "10.42.0.2", ready=True)
    await set_status(client, "b", "10.42.0.3", ready=False)

    async def both_listed() -> bool:
        found = await get_endpoints(client)
        return ips(found) == ["10.42.0.2"] and ips(found, "notReadyAddresses") == ["10.42.0.3"]

    await eventually(both_listed)
    found = await get_endpoints(client)
    assert found is not None
    ports = sorted(s["ports"][0]["port"] for s in found["subsets"])
    assert ports == [8080, 9090]  # "http" is 8080 in one pod and 9090 in the other: two subsets
    assert found["subsets"][0]["addresses"][0]["targetRef"]["name"] == "a"
    assert found["metadata"]["annotations"][endpoints.LAST_CHANGE_TRIGGER_TIME]

    await set_status(client, "b", "10.42.0.3", ready=True)

    async def both_ready() -> bool:
        return ips(await get_endpoints(client)) == ["10.42.0.2", "10.42.0.3"]

    await eventually(both_ready)
    await client.delete("v1", "pods", "a", namespace=NS, grace_period_seconds=0)

    async def only_b() -> bool:
        return ips(await get_endpoints(client)) == ["10.42.0.3"]

    await eventually(only_b)


async def test_a_relabelled_pod_leaves_the_endpoints(client: Client, controller: EndpointsController) -> None:
    await create_service(client)
    await create_pod(client, "a", [HTTP])
    await set_status(client, "a", "10.42.0.2", ready=True)

    async def listed() -> bool:
        return ips(await get_endpoints(client)) == ["10.42.0.2"]

    await eventually(listed)
    await client.patch("v1", "pods", "a", {"metadata": {"labels": {"app": "other"}}}, namespace=NS)

    async def gone() -> bool:
        return ips(await get_endpoints(client)) == []

    await eventually(gone)


async def test_publish_not_ready_addresses_lists_unready_pods_as_ready(
    client: Client, controller: EndpointsController
) -> None:
    await create_service(client, publishNotReadyAddresses=True)
    await create_pod(client, "a", [HTTP])
    await set_status(client, "a", "10.42.0.2", ready=False)

    async def listed() -> bool:
        return ips(await get_endpoints(client)) == ["10.42.0.2"]

    await eventually(listed)


async def test_endpoints_go_with_their_service_and_selectorless_ones_are_left_alone(
    client: Client, controller: EndpointsController
) -> None:
    manual = {
        "apiVersion": "v1",
        "kind": "Endpoints",
        "metadata": {"name": "external"},
        "subsets": [{"addresses": [{"ip": "192.0.2.1"}], "ports": [{"port": 5432, "protocol": "TCP"}]}],
    }
    external = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "external"},
        "spec": {"ports": [{"port": 5432}]},
    }
    await client.create("v1", "services", external, namespace=NS)
    await client.create("v1", "endpoints", manual, namespace=NS)
    await create_service(client)

    async def created() -> bool:
        return await get_endpoints(client) is not None

    await eventually(created)
    await client.delete("v1", "services", "web", namespace=NS)

    async def deleted() -> bool:
        return await get_endpoints(client) is None

    await eventually(deleted)
    kept = await get_endpoints(client, "external")
    assert kept is not None
    assert ips(kept) == ["192.0.2.1"]


async def test_deleted_endpoints_come_back(client: Client, controller: EndpointsController) -> None:
    await create_service(client)
    await create_pod(client, "a", [HTTP])
    await set_status(client, "a", "10.42.0.2", ready=True)

    async def listed() -> bool:
        return ips(await get_endpoints(client)) == ["10.42.0.2"]

    await eventually(listed)
    await client.delete("v1", "endpoints", "web", namespace=NS)
    await eventually(listed)


async def test_leftover_endpoints_of_a_deleted_service_are_removed_at_start(client: Client) -> None:
    leftover = {"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "old"}, "subsets": []}
    await client.create("v1", "endpoints", leftover, namespace=NS)
    ctl = EndpointsController(client)
    async with trio.open_nursery() as nursery:
        await nursery.start(ctl.run)

        async def removed() -> bool:
            return await get_endpoints(client, "old") is None

        await eventually(removed)
        nursery.cancel_scope.cancel()


async def test_cancelling_the_controller_stops_it(client: Client) -> None:
    ctl = EndpointsController(client)
    with trio.CancelScope() as scope:
        async with trio.open_nursery() as nursery:
            await nursery.start(ctl.run)
            scope.cancel()
    assert scope.cancelled_caught
    await create_service(client)
    await trio.sleep(0.2)
    assert await get_endpoints(client) is None  # nobody reconciles any more
