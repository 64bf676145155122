"""Pod eviction in process: a delete unless the pod's disruption budget forbids it now, with the
budget charged in its status, and the rules that let a pod go without asking the budget."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from k3py.api import bootstrap, eviction
from k3py.api.app import App
from k3py.core import errors
from k3py.store import StoreSettings, open_store

NS = "default"
PODS = f"/api/v1/namespaces/{NS}/pods"
PDBS = f"/apis/policy/v1/namespaces/{NS}/poddisruptionbudgets"
MERGE = {"content-type": "application/merge-patch+json"}
READY = [{"type": "Ready", "status": "True"}]


@pytest.fixture
async def app() -> AsyncIterator[App]:
    async with open_store(StoreSettings(endpoint="memory://")) as store:
        application = App(store)
        await bootstrap.ensure_defaults(application.resources, application.registry)
        yield application


@pytest.fixture
async def client(app: App) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://k3py") as c:
        yield c


async def make_pod(
    client: httpx.AsyncClient,
    name: str,
    *,
    phase: str = "Running",
    conditions: list[dict[str, str]] | None = None,
    node: str = "",
    labels: dict[str, str] | None = None,
) -> dict[str, Any]:
    spec: dict[str, Any] = {"containers": [{"name": "c", "image": "busybox"}]}
    if node:
        spec["nodeName"] = node
    body = {"metadata": {"name": name, "labels": {"app": "web"} if labels is None else labels}, "spec": spec}
    r = await client.post(PODS, json=body)
    assert r.status_code == 201, r.text
    if phase != "Pending":
        status = {"status": {"phase": phase, "conditions": READY if conditions is None else conditions}}
        r = await client.patch(f"{PODS}/{name}/status", content=json.dumps(status), headers=MERGE)
        assert r.status_code == 200, r.text
    pod: dict[str, Any] = r.json()
    return pod


async def make_budget(
    client: httpx.AsyncClient, name: str = "web", status: dict[str, Any] | None = None, **spec: Any
) -> None:
    body = {
        "metadata": {"name": name},
        "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "web"}}, **spec},
    }
    r = await client.post(PDBS, json=body)
    assert r.status_code == 201, r.text
    if status is not None:
        r = await client.patch(f"{PDBS}/{name}/status", content=json.dumps({"status": status}), headers=MERGE)
        assert r.status_code == 200, r.text


def processed(allowed: int, *, current: int = 2, desired: int = 1) -> dict[str, Any]:
    """A budget status as the disruption controller writes it."""
    return {
        "observedGeneration": 1,
        "disruptionsAllowed": allowed,
        "currentHealthy": current,
        "desiredHealthy": desired,
        "expectedPods": current,
    }


async def evict(client: httpx.AsyncClient, name: str, query: str = "", **body: Any) -> httpx.Response:
    eviction_body = {"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": name}, **body}
    return await client.post(f"{PODS}/{name}/eviction{query}", json=eviction_body)


async def exists(client: httpx.AsyncClient, name: str) -> bool:
    return (await client.get(f"{PODS}/{name}")).status_code == 200


SUCCESS = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}


async def test_a_pod_without_a_budget_is_deleted(client: httpx.AsyncClient) -> None:
    await make_pod(client, "web-0")
    r = await evict(client, "web-0")
    assert (r.status_code, r.json()) == (201, SUCCESS)
    assert not await exists(client, "web-0")


@pytest.mark.parametrize("phase", ["Pending", "Succeeded", "Failed"])
async def test_a_pod_not_running_goes_whatever_its_budget(client: httpx.AsyncClient, phase: str) -> None:
    await make_budget(client, status=processed(0))
    await make_pod(client, "web-0", phase=phase)
    assert (await evict(client, "web-0")).status_code == 201
    assert not await exists(client, "web-0")


async def test_a_budget_not_processed_yet_refuses_with_retry_after(client: httpx.AsyncClient) -> None:
    await make_budget(client)  # no status: the disruption controller has not seen it
    await make_pod(client, "web-0")
    r = await evict(client, "web-0")
    assert (r.status_code, r.headers["retry-after"]) == (429, "10")
    assert r.json() == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": "Cannot evict pod as it would violate the pod's disruption budget.",
        "reason": "TooManyRequests",
        "code": 429,
        "details": {
            "causes": [
                {
                    "reason": "DisruptionBudget",
                    "message": "The disruption budget web is still being processed by the server.",
                }
            ],
            "retryAfterSeconds": 10,
        },
    }
    assert await exists(client, "web-0")


async def test_the_budget_is_charged_until_it_allows_no_more(client: httpx.AsyncClient) -> None:
    await make_budget(client, status=processed(1))
    await make_pod(client, "web-0")
    await make_pod(client, "web-1")
    assert (await evict(client, "web-0")).status_code == 201
    assert not await exists(client, "web-0")
    status = (await client.get(f"{PDBS}/web")).json()["status"]
    assert status["disruptionsAllowed"] == 0
    assert list(status["disruptedPods"]) == ["web-0"]
    (condition,) = status["conditions"]
    assert {k: condition[k] for k in ("type", "status", "reason", "observedGeneration")} == {
        "type": "DisruptionAllowed",
        "status": "False",
        "reason": "InsufficientPods",
        "observedGeneration": 1,
    }

    r = await evict(client, "web-1")
    assert (r.status_code, r.json()["message"]) == (
        429,
        "Cannot evict pod as it would violate the pod's disruption budget.",
    )
    assert "retry-after" not in r.headers
    assert r.json()["details"]["causes"] == [
        {"reason": "DisruptionBudget", "message": "The disruption budget web needs 1 healthy pods and has 2 currently"}
    ]
    assert await exists(client, "web-1")


async def test_dry_run_checks_but_changes_nothing(client: httpx.AsyncClient) -> None:
    await make_budget(client, status=processed(1))
    await make_pod(client, "web-0")
    for query, body in (("?dryRun=All", {}), ("", {"deleteOptions": {"dryRun": ["All"]}})):
        r = await evict(client, "web-0", query, **body)
        assert (r.status_code, r.json()) == (201, SUCCESS)
    assert await exists(client, "web-0")
    assert (await client.get(f"{PDBS}/web")).json()["status"] == processed(1)
    r = await evict(client, "web-0", "?dryRun=All", deleteOptions={"dryRun": ["Other"]})
    assert (r.status_code, r.json()["message"]) == (
        400,
        "Non-matching dry-run options in request and content: [All] and [Other]",
    )


async def test_an_unready_pod_goes_uncharged_when_the_budget_is_met_without_it(client: httpx.AsyncClient) -> None:
    await make_budget(client, status=processed(0, current=2, desired=2))
    await make_pod(client, "sick", conditions=[{"type": "Ready", "status": "False"}])
    assert (await evict(client, "sick")).status_code == 201
    assert not await exists(client, "sick")
    assert (await client.get(f"{PDBS}/web")).json()["status"] == processed(0, current=2, desired=2)
    # not met: an unready pod is charged like any other
    await make_pod(client, "sick")
    r = await client.patch(f"{PDBS}/web/status", content=json.dumps({"status": {"currentHealthy": 1}}), headers=MERGE)
    assert r.status_code == 200
    assert (await evict(client, "sick")).status_code == 429


async def test_always_allow_lets_unready_pods_go(client: httpx.AsyncClient) -> None:
    await make_budget(client, status=processed(0), unhealthyPodEvictionPolicy="AlwaysAllow")
    await make_pod(client, "sick", conditions=[])
    await make_pod(client, "well")
    assert (await evict(client, "sick")).status_code == 201
    assert (await evict(client, "well")).status_code == 429


async def test_a_pod_in_two_budgets_is_refused(client: httpx.AsyncClient) -> None:
    await make_budget(client, "a", status=processed(1))
    await make_budget(client, "b", status=processed(1))
    await make_pod(client, "web-0")
    r = await evict(client, "web-0")
    assert (r.status_code, r.json()["message"]) == (500, eviction.MULTIPLE_BUDGETS)
    assert await exists(client, "web-0")


async def test_only_matching_budgets_of_the_namespace_count(client: httpx.AsyncClient) -> None:
    await make_budget(client, status=processed(0))  # app=web, here
    assert (await client.post("/api/v1/namespaces", json={"metadata": {"name": "other"}})).status_code == 201
    elsewhere = {"metadata": {"name": "db"}, "spec": {"selector": {"matchLabels": {"app": "db"}}}}
    assert (
        await client.post("/apis/policy/v1/namespaces/other/poddisruptionbudgets", json=elsewhere)
    ).status_code == 201
    await make_pod(client, "db-0", labels={"app": "db"})
    assert (await evict(client, "db-0")).status_code == 201


async def test_the_eviction_must_name_an_existing_pod(client: httpx.AsyncClient) -> None:
    r = await evict(client, "ghost")
    assert (r.status_code, r.json()["message"]) == (404, 'pods "ghost" not found')
    await make_pod(client, "web-0")
    r = await client.post(f"{PODS}/web-0/eviction", json={"metadata": {"name": "web-1"}})
    assert (r.status_code, r.json()["message"]) == (400, "name in URL does not match name in Eviction object")
    r = await client.post(f"{PODS}/web-0/eviction", json={"kind": "Scale", "metadata": {"name": "web-0"}})
    assert (r.status_code, r.json()["reason"]) == (400, "BadRequest")
    r = await client.post(f"{PODS}/web-0/eviction?fieldValidation=Strict", json={"metadata": {"name": "web-0"}, "x": 1})
    assert (r.status_code, r.json()["message"]) == (400, 'strict decoding error: unknown field "x"')
    r = await client.post(
        f"{PODS}/web-0/eviction", json={"apiVersion": "policy/v1beta1", "metadata": {"name": "web-0"}}
    )
    assert r.status_code == 201


async def test_delete_options_are_honoured(client: httpx.AsyncClient) -> None:
    pod = await make_pod(client, "web-0", node="pi-1")
    assert (await client.post("/api/v1/nodes", json={"metadata": {"name": "pi-1"}})).status_code == 201
    r = await evict(client, "web-0", deleteOptions={"preconditions": {"uid": "someone-else"}})
    assert (r.status_code, r.json()["reason"]) == (409, "Conflict")
    r = await evict(client, "web-0", deleteOptions={"propagationPolicy": "Sideways"})
    assert (r.status_code, r.json()["reason"]) == (422, "Invalid")
    # a pod its node runs is marked for its grace period, which the options may shorten
    r = await evict(
        client, "web-0", deleteOptions={"gracePeriodSeconds": 20, "preconditions": {"uid": pod["metadata"]["uid"]}}
    )
    assert r.status_code == 201, r.text
    marked = (await client.get(f"{PODS}/web-0")).json()["metadata"]
    assert (marked["deletionGracePeriodSeconds"], bool(marked["deletionTimestamp"])) == (20, True)
    r = await evict(client, "web-0", deleteOptions={"gracePeriodSeconds": 0})
    assert r.status_code == 201
    assert not await exists(client, "web-0")


async def test_a_terminating_pod_goes_without_asking_its_budget(client: httpx.AsyncClient) -> None:
    await make_budget(client, status=processed(0))
    await make_pod(client, "web-0", node="pi-1")
    assert (await client.post("/api/v1/nodes", json={"metadata": {"name": "pi-1"}})).status_code == 201
    assert (await client.delete(f"{PODS}/web-0")).status_code == 202
    r = await evict(client, "web-0", deleteOptions={"gracePeriodSeconds": 0})
    assert r.status_code == 201, r.text
    assert not await exists(client, "web-0")


def budget(selector: Any, status: dict[str, Any] | None = None) -> dict[str, Any]:
    obj: dict[str, Any] = {"metadata": {"name": "b", "generation": 1}, "spec": {}}
    if selector is not ...:
        obj["spec"]["selector"] = selector
    if status is not None:
        obj["status"] = status
    return obj


@pytest.mark.parametrize(
    ("selector", "labels", "expected"),
    [
        ({"matchLabels": {"app": "web"}}, {"app": "web", "tier": "x"}, True),
        ({"matchLabels": {"app": "web"}}, {"app": "db"}, False),
        ({"matchExpressions": [{"key": "app", "operator": "In", "values": ["web", "db"]}]}, {"app": "db"}, True),
        ({}, {"anything": "x"}, True),  # policy/v1: an empty selector covers the namespace
        (..., {"app": "web"}, False),  # no selector: nothing
        (None, {"app": "web"}, False),
        ({"matchExpressions": [{"key": "app", "operator": "Near"}]}, {"app": "web"}, False),  # invalid: nothing
    ],
)
def test_which_budgets_cover_a_pod(selector: Any, labels: dict[str, str], expected: bool) -> None:
    assert eviction.matches(budget(selector), {"metadata": {"labels": labels}}) is expected


def test_a_corrupt_or_overloaded_budget_is_forbidden() -> None:
    with pytest.raises(errors.Forbidden, match=r'poddisruptionbudget.policy "b" is forbidden: .* negative'):
        eviction.charge(budget({}, {"observedGeneration": 1, "disruptionsAllowed": -1}), "p", "now")
    crowded = {f"p{i}": "t" for i in range(eviction.MAX_DISRUPTED_PODS + 1)}
    with pytest.raises(errors.Forbidden, match="DisruptedPods map too big"):
        eviction.charge(
            budget({}, {"observedGeneration": 1, "disruptionsAllowed": 1, "disruptedPods": crowded}), "p", "t"
        )
    charged = eviction.charge(budget({}, {"observedGeneration": 1, "disruptionsAllowed": 3}), "p", "t")
    assert charged["status"] == {"observedGeneration": 1, "disruptionsAllowed": 2, "disruptedPods": {"p": "t"}}


def test_the_condition_turns_false_once_and_keeps_its_transition_time() -> None:
    earlier = {"type": "DisruptionAllowed", "status": "False", "lastTransitionTime": "t0", "reason": "InsufficientPods"}
    status = {"observedGeneration": 2, "disruptionsAllowed": 1, "conditions": [earlier]}
    charged = eviction.charge({"metadata": {"name": "b", "generation": 2}, "status": status}, "p", "t1")
    assert charged["status"]["conditions"][0]["lastTransitionTime"] == "t0"
    status = {"observedGeneration": 2, "disruptionsAllowed": 1, "conditions": [dict(earlier, status="True")]}
    charged = eviction.charge({"metadata": {"name": "b", "generation": 2}, "status": status}, "p", "t1")
    assert charged["status"]["conditions"][0] == {
        "type": "DisruptionAllowed",
        "status": "False",
        "lastTransitionTime": "t1",
        "reason": "InsufficientPods",
        "observedGeneration": 2,
        "message": "",
    }
