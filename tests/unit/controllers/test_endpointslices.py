"""The EndpointSlice controller: slice planning (placement, splitting, placeholders, ownership),
then the controller over the in-process API with pods whose status plays the kubelet."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import trio

from k3py.api.client import Client
from k3py.controllers import endpointslices as es
from k3py.controllers.endpointslices import EndpointSliceController

Obj = dict[str, Any]
NS = "default"
SVC_UID = "uid-svc"


def pod(
    name: str, ip: str, *, ready: bool = True, deleting: bool = False, port: int = 8080, labels: Obj | None = None
) -> Obj:
    metadata: Obj = {"name": name, "namespace": NS, "uid": f"uid-{name}", "labels": labels or {"app": "web"}}
    if deleting:
        metadata["deletionTimestamp"] = "2024-01-01T00:00:00Z"
    return {
        "metadata": metadata,
        "spec": {
            "nodeName": "node-1",
            "containers": [{"name": "c", "image": "i", "ports": [{"name": "http", "containerPort": port}]}],
        },
        "status": {
            "phase": "Running",
            "podIP": ip,
            "podIPs": [{"ip": ip}],
            "conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
        },
    }


def service(*, publish: bool = False, labels: Obj | None = None, families: list[str] | None = None) -> Obj:
    spec: Obj = {
        "selector": {"app": "web"},
        "ports": [{"name": "web", "port": 80, "protocol": "TCP", "targetPort": "http"}],
        "clusterIP": "10.43.0.10",
        "ipFamilies": families or ["IPv4"],
    }
    if publish:
        spec["publishNotReadyAddresses"] = True
    metadata: Obj = {"name": "web", "namespace": NS, "uid": SVC_UID}
    if labels:
        metadata["labels"] = labels
    return {"apiVersion": "v1", "kind": "Service", "metadata": metadata, "spec": spec}


def pods(n: int, *, start: int = 0) -> list[Obj]:
    return [pod(f"p{i:03d}", f"10.42.{i // 256}.{i % 256}") for i in range(start, start + n)]


def stored(plan_create: Obj, name: str) -> Obj:
    """A planned slice as the API would store it."""
    obj = dict(plan_create)
    obj["metadata"] = {**plan_create["metadata"], "name": name, "resourceVersion": "1"}
    obj["metadata"].pop("generateName", None)
    return obj


def names(endpoints: list[Obj]) -> list[str]:
    return [e["targetRef"]["name"] for e in endpoints]


def test_a_new_service_gets_one_slice_with_labels_and_owner() -> None:
    plan = es.plan_slices(service(labels={"team": "a"}), pods(2), [])
    assert not plan.update
    assert not plan.delete
    [created] = plan.create
    assert created["metadata"]["generateName"] == "web-"
    assert created["metadata"]["labels"] == {
        "team": "a",
        es.SERVICE_NAME_LABEL: "web",
        es.MANAGED_BY_LABEL: es.CONTROLLER_NAME,
    }
    assert created["metadata"]["ownerReferences"] == [
        {
            "apiVersion": "v1",
            "kind": "Service",
            "name": "web",
            "uid": SVC_UID,
            "controller": True,
            "blockOwnerDeletion": True,
        }
    ]
    assert created["addressType"] == "IPv4"
    assert created["ports"] == [{"name": "web", "port": 8080, "protocol": "TCP"}]
    assert created["endpoints"][0] == {
        "addresses": ["10.42.0.0"],
        "conditions": {"ready": True, "serving": True, "terminating": False},
        "targetRef": {"kind": "Pod", "namespace": NS, "name": "p000", "uid": "uid-p000"},
        "nodeName": "node-1",
    }


@pytest.mark.parametrize(
    ("p", "svc", "conditions"),
    [
        pytest.param(pod("a", "10.42.0.2"), service(), (True, True, False), id="ready"),
        pytest.param(pod("a", "10.42.0.2", ready=False), service(), (False, False, False), id="not-ready"),
        pytest.param(pod("a", "10.42.0.2", deleting=True), service(), (False, True, True), id="terminating-serving"),
        pytest.param(
            pod("a", "10.42.0.2", ready=False, deleting=True), service(), (False, False, True), id="terminating"
        ),
        pytest.param(pod("a", "10.42.0.2", ready=False), service(publish=True), (True, False, False), id="publish"),
    ],
)
def test_endpoint_conditions(p: Obj, svc: Obj, conditions: tuple[bool, bool, bool]) -> None:
    ready, serving, terminating = conditions
    assert es.slice_endpoint(svc, p, "10.42.0.2")["conditions"] == {
        "ready": ready,
        "serving": serving,
        "terminating": terminating,
    }


@pytest.mark.parametrize(
    ("count", "sizes"),
    [
        pytest.param(100, [100], id="exactly-full"),
        pytest.param(101, [100, 1], id="one-over"),
        pytest.param(250, [100, 100, 50], id="several"),
    ],
)
def test_at_most_max_endpoints_per_slice(count: int, sizes: list[int]) -> None:
    plan = es.plan_slices(service(), pods(count), [])
    assert [len(s["endpoints"]) for s in plan.create] == sizes


def test_no_endpoints_means_one_placeholder_slice_which_is_kept() -> None:
    plan = es.plan_slices(service(), [], [])
    [placeholder] = plan.create
    assert placeholder["endpoints"] == []
    assert placeholder["ports"] == []
    assert not es.plan_slices(service(), [], [stored(placeholder, "web-aaaaa")])


def test_the_placeholder_goes_when_endpoints_come() -> None:
    placeholder = stored(es.plan_slices(service(), [], []).create[0], "web-aaaaa")
    plan = es.plan_slices(service(), pods(1), [placeholder])
    assert len(plan.create) == 1
    assert plan.delete == [placeholder]


def test_the_last_endpoint_going_leaves_a_placeholder() -> None:
    current = stored(es.plan_slices(service(), pods(1), []).create[0], "web-aaaaa")
    plan = es.plan_slices(service(), [], [current])
    assert plan.delete == [current]
    assert [s["endpoints"] for s in plan.create] == [[]]


def test_endpoints_stay_in_their_slice_and_only_changed_slices_are_written() -> None:
    first = stored(es.plan_slices(service(), pods(2), []).create[0], "web-aaaaa")
    second = stored(es.plan_slices(service(), pods(1, start=2), []).create[0], "web-bbbbb")
    changed = pods(3)
    changed[1] = pod("p001", "10.42.0.1", ready=False)
    plan = es.plan_slices(service(), changed, [first, second])
    assert not plan.create
    assert not plan.delete
    [updated] = plan.update
    assert updated["metadata"]["name"] == "web-aaaaa"
    assert [e["conditions"]["ready"] for e in updated["endpoints"]] == [True, False]


def test_new_endpoints_fill_a_slice_being_written_anyway() -> None:
    current = stored(es.plan_slices(service(), pods(100), []).create[0], "web-aaaaa")
    replaced = pods(99) + pods(1, start=500)  # p099 went, p500 came
    plan = es.plan_slices(service(), replaced, [current], max_endpoints=100)
    assert not plan.create
    [updated] = plan.update
    assert names(updated["endpoints"])[-1] == "p500"
    assert len(updated["endpoints"]) == 100


def test_a_few_new_endpoints_go_into_an_untouched_slice_with_room() -> None:
    full = stored(es.plan_slices(service(), pods(4), [], max_endpoints=4).create[0], "web-aaaaa")
    roomy = stored(es.plan_slices(service(), pods(1, start=4), [], max_endpoints=4).create[0], "web-bbbbb")
    plan = es.plan_slices(service(), pods(7), [full, roomy], max_endpoints=4)
    assert not plan.create
    [updated] = plan.update
    assert updated["metadata"]["name"] == "web-bbbbb"
    assert names(updated["endpoints"]) == ["p004", "p005", "p006"]


def test_pods_with_different_port_numbers_get_different_slices() -> None:
    plan = es.plan_slices(service(), [pod("a", "10.42.0.2"), pod("b", "10.42.0.3", port=9090)], [])
    assert sorted((s["ports"][0]["port"], names(s["endpoints"])[0]) for s in plan.create) == [(8080, "a"), (9090, "b")]


def test_slices_of_another_owner_or_address_type_are_deleted() -> None:
    mine = stored(es.plan_slices(service(), pods(1), []).create[0], "web-aaaaa")
    stale = stored(mine, "web-bbbbb")
    stale["metadata"]["ownerReferences"] = [{**mine["metadata"]["ownerReferences"][0], "uid": "an-older-service"}]
    v6 = stored(mine, "web-ccccc")
    v6["addressType"] = "IPv6"
    plan = es.plan_slices(service(), pods(1), [mine, stale, v6])
    assert not plan.create
    assert not plan.update
    assert sorted(s["metadata"]["name"] for s in plan.delete) == ["web-bbbbb", "web-ccccc"]


def test_dual_stack_services_get_a_slice_per_family() -> None:
    p = pod("a", "10.42.0.2")
    p["status"]["podIPs"] = [{"ip": "10.42.0.2"}, {"ip": "fd00::2"}]
    plan = es.plan_slices(service(families=["IPv4", "IPv6"]), [p], [])
    assert sorted((s["addressType"], s["endpoints"][0]["addresses"][0]) for s in plan.create) == [
        ("IPv4", "10.42.0.2"),
        ("IPv6", "fd00::2"),
    ]


def test_service_label_changes_update_the_slices() -> None:
    current = stored(es.plan_slices(service(labels={"team": "a"}), pods(1), []).create[0], "web-aaaaa")
    plan = es.plan_slices(service(labels={"team": "b"}), pods(1), [current])
    [updated] = plan.update
    assert updated["metadata"]["labels"]["team"] == "b"


def test_written_slices_carry_the_trigger_time() -> None:
    at = datetime(2024, 1, 1, 0, 0, 1, 250000, tzinfo=UTC)
    [created] = es.plan_slices(service(), pods(1), [], trigger=at).create
    assert created["metadata"]["annotations"] == {es.ep.LAST_CHANGE_TRIGGER_TIME: "2024-01-01T00:00:01.25Z"}


# -- over the API ----------------------------------------------------------------------------------


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 5) -> None:
    with trio.fail_after(timeout):
        while not await check():
            await trio.sleep(0.01)


async def create_pod(client: Client, name: str) -> None:
    body = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": {"app": "web"}},
        "spec": {
            "nodeName": "node-1",
            "containers": [{"name": "c", "image": "i", "ports": [{"name": "http", "containerPort": 8080}]}],
        },
    }
    await client.create("v1", "pods", body, namespace=NS)


async def set_status(client: Client, name: str, ip: str, *, ready: bool) -> None:
    """Play the kubelet: the pod runs at ``ip``, ready or not."""
    status = {
        "phase": "Running",
        "podIP": ip,
        "podIPs": [{"ip": ip}],
        "conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
    }
    await client.patch("v1", "pods", name, {"status": status}, namespace=NS, subresource="status")


async def create_service(client: Client) -> Obj:
    body = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "web"},
        "spec": {"selector": {"app": "web"}, "ports": [{"name": "web", "port": 80, "targetPort": "http"}]},
    }
    return await client.create("v1", "services", body, namespace=NS)


async def slices(client: Client) -> list[Obj]:
    listing = await client.list(*es.SLICES, namespace=NS, label_selector=f"{es.SERVICE_NAME_LABEL}=web")
    return list(listing["items"])


async def endpoints_by_pod(client: Client) -> dict[str, Obj]:
    return {e["targetRef"]["name"]: e["conditions"] for s in await slices(client) for e in s.get("endpoints") or []}


@pytest.fixture
async def controller(client: Client) -> AsyncIterator[EndpointSliceController]:
    ctl = EndpointSliceController(client, max_endpoints_per_slice=2)
    async with trio.open_nursery() as nursery:
        await nursery.start(ctl.run)
        yield ctl
        nursery.cancel_scope.cancel()


async def test_slices_follow_pods_through_readiness_and_termination(
    client: Client, controller: EndpointSliceController
) -> None:
    # a node that exists makes pod deletion graceful: the pod stays, terminating
    await client.create("v1", "nodes", {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-1"}})
    svc = await create_service(client)

    async def placeholder_only() -> bool:
        found = await slices(client)
        return len(found) == 1 and not found[0].get("endpoints")

    await eventually(placeholder_only)
    for i, name in enumerate(["a", "b", "c"]):
        await create_pod(client, name)
        await set_status(client, name, f"10.42.0.{i + 2}", ready=name != "c")

    async def all_listed() -> bool:
        return await endpoints_by_pod(client) == {
            "a": {"ready": True, "serving": True, "terminating": False},
            "b": {"ready": True, "serving": True, "terminating": False},
            "c": {"ready": False, "serving": False, "terminating": False},
        }

    await eventually(all_listed)
    found = await slices(client)
    assert sorted(len(s["endpoints"]) for s in found) == [1, 2]  # two per slice in this test
    for slice_ in found:
        assert slice_["metadata"]["labels"][es.MANAGED_BY_LABEL] == es.CONTROLLER_NAME
        assert slice_["metadata"]["ownerReferences"][0]["uid"] == svc["metadata"]["uid"]
        assert slice_["ports"] == [{"name": "web", "port": 8080, "protocol": "TCP"}]

    await client.delete("v1", "pods", "a", namespace=NS)

    async def a_terminating() -> bool:
        return (await endpoints_by_pod(client)).get("a") == {"ready": False, "serving": True, "terminating": True}

    await eventually(a_terminating)
    await client.delete("v1", "pods", "a", namespace=NS, grace_period_seconds=0)
    await client.delete("v1", "pods", "b", namespace=NS, grace_period_seconds=0)

    async def only_c() -> bool:
        return list(await endpoints_by_pod(client)) == ["c"]

    await eventually(only_c)
    assert len(await slices(client)) == 1  # the emptied slice is gone


async def test_slices_are_recreated_when_deleted_and_removed_with_their_service(
    client: Client, controller: EndpointSliceController
) -> None:
    await create_service(client)
    await create_pod(client, "a")
    await set_status(client, "a", "10.42.0.2", ready=True)

    async def listed() -> bool:
        found = await slices(client)  # the placeholder slice is gone too
        return len(found) == 1 and list(await endpoints_by_pod(client)) == ["a"]

    await eventually(listed)
    [slice_] = await slices(client)
    await client.delete(*es.SLICES, slice_["metadata"]["name"], namespace=NS)
    await eventually(listed)
    await client.delete("v1", "services", "web", namespace=NS)

    async def none_left() -> bool:
        return not await slices(client)

    await eventually(none_left)


async def test_many_pods_at_once_make_no_duplicate_slices(client: Client, controller: EndpointSliceController) -> None:
    await create_service(client)
    for i in range(7):
        await create_pod(client, f"p{i}")
        await set_status(client, f"p{i}", f"10.42.0.{i + 2}", ready=True)

    async def all_listed() -> bool:
        return len(await endpoints_by_pod(client)) == 7

    await eventually(all_listed)
    await trio.sleep(0.2)  # let any stray reconcile finish
    found = await slices(client)
    listed = [e["targetRef"]["name"] for s in found for e in s["endpoints"]]
    assert sorted(listed) == [f"p{i}" for i in range(7)]  # each once
    assert len(found) == 4


async def test_cancelling_the_controller_stops_it(client: Client) -> None:
    ctl = EndpointSliceController(client)
    with trio.CancelScope() as scope:
        async with trio.open_nursery() as nursery:
            await nursery.start(ctl.run)
            scope.cancel()
    assert scope.cancelled_caught
    await create_service(client)
    await trio.sleep(0.2)
    assert await slices(client) == []
