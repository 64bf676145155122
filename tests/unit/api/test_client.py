"""The Client in process: the whole API pipeline over the app, no sockets; watches stream."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import aclosing

import httpx
import pytest
import trio

from k3py.api import bootstrap
from k3py.api.app import App
from k3py.api.client import AppTransport, Client, path_of
from k3py.core import errors
from k3py.store import StoreSettings, open_store


@pytest.fixture
async def client() -> AsyncIterator[Client]:
    async with open_store(StoreSettings(endpoint="memory://", max_revisions=20)) as store, trio.open_nursery() as n:
        app = App(store)
        await bootstrap.ensure_defaults(app.resources, app.registry)
        async with httpx.AsyncClient(transport=AppTransport(app, n), base_url="https://k3py") as http:
            yield Client(http, field_manager="test-controller")
        n.cancel_scope.cancel()


def configmap(name: str, **data: str) -> dict[str, object]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}


def test_paths() -> None:
    assert path_of("v1", "pods", "ns", "p", "status") == "/api/v1/namespaces/ns/pods/p/status"
    assert path_of("apps/v1", "deployments") == "/apis/apps/v1/deployments"
    assert path_of("v1", "nodes", name="a b") == "/api/v1/nodes/a%20b"


async def test_verbs_go_through_the_api_pipeline(client: Client) -> None:
    created = await client.create("v1", "configmaps", configmap("a", k="1"), namespace="default")
    assert created["metadata"]["managedFields"][0]["manager"] == "test-controller"
    got = await client.get("v1", "configmaps", "a", namespace="default")
    assert got["data"] == {"k": "1"}
    got["data"]["k"] = "2"
    updated = await client.update("v1", "configmaps", got, namespace="default")
    assert updated["data"] == {"k": "2"}
    with pytest.raises(errors.Conflict):
        await client.update("v1", "configmaps", got, namespace="default")  # stale resourceVersion
    patched = await client.patch("v1", "configmaps", "a", {"data": {"x": "y"}}, namespace="default")
    assert patched["data"] == {"k": "2", "x": "y"}
    listing = await client.list("v1", "configmaps", namespace="default", field_selector="metadata.name=a")
    assert [item["metadata"]["name"] for item in listing["items"]] == ["a"]
    await client.delete("v1", "configmaps", "a", namespace="default")
    with pytest.raises(errors.NotFound):
        await client.get("v1", "configmaps", "a", namespace="default")


async def test_apply_owns_fields_and_conflicts(client: Client) -> None:
    obj = configmap("applied", k="1")
    obj["metadata"]["namespace"] = "default"  # type: ignore[index]
    await client.apply(obj, "configmaps")
    other = Client(client.http, field_manager="someone-else")
    obj["data"] = {"k": "2"}
    with pytest.raises(errors.Conflict) as caught:
        await other.apply(obj, "configmaps")
    assert caught.value.causes[0].field == ".data.k"
    assert (await other.apply(obj, "configmaps", force=True))["data"] == {"k": "2"}


async def test_watch_streams_events_in_order(client: Client) -> None:
    listing = await client.list("v1", "configmaps", namespace="default")
    seen: list[tuple[str, str]] = []

    async def watch() -> None:
        revision = listing["metadata"]["resourceVersion"]
        async with aclosing(client.watch("v1", "configmaps", namespace="default", resource_version=revision)) as events:
            async for kind, obj in events:
                seen.append((kind, obj["metadata"]["name"]))
                if len(seen) == 3:
                    return

    with trio.fail_after(5):
        async with trio.open_nursery() as nursery:
            nursery.start_soon(watch)
            await client.create("v1", "configmaps", configmap("w1"), namespace="default")
            await client.create("v1", "configmaps", configmap("w2"), namespace="default")
            await client.delete("v1", "configmaps", "w1", namespace="default")
    assert seen == [("ADDED", "w1"), ("ADDED", "w2"), ("DELETED", "w1")]


async def test_a_watch_from_a_compacted_revision_is_expired(client: Client) -> None:
    for i in range(40):  # max_revisions=20: the early revisions get compacted
        await client.create("v1", "configmaps", configmap(f"c{i}"), namespace="default")
    events = client.watch("v1", "configmaps", namespace="default", resource_version="2")
    async with aclosing(events):
        with pytest.raises(errors.Expired):
            await anext(events)


async def test_closing_a_watch_ends_the_request(client: Client) -> None:
    await client.create("v1", "configmaps", configmap("present"), namespace="default")
    with trio.fail_after(5):
        async with aclosing(client.watch("v1", "configmaps", namespace="default", resource_version="0")) as events:
            kind, _ = await anext(events)
            assert kind == "ADDED"
    # the app saw the client go: a new request is served at once
    with trio.fail_after(5):
        await client.get("v1", "namespaces", "default")


async def test_in_process_token_requests_use_the_servers_authenticator() -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    from k3py.api import auth

    authenticator = auth.Authenticator(service_account_key=ec.generate_private_key(ec.SECP256R1()))
    async with open_store(StoreSettings(endpoint="memory://")) as store, trio.open_nursery() as nursery:
        app = App(store)
        await bootstrap.ensure_defaults(app.resources, app.registry)
        transport = AppTransport(app, nursery, authenticator=authenticator)
        async with httpx.AsyncClient(transport=transport, base_url="https://k3py") as http:
            client = Client(http)
            sa = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "kubelet-proxy"}}
            await client.create("v1", "serviceaccounts", sa, namespace="default")
            request = {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": {}}
            issued = await client.create(
                "v1", "serviceaccounts", request, namespace="default", name="kubelet-proxy", subresource="token"
            )
            user = authenticator.authenticate(token=issued["status"]["token"])
        nursery.cancel_scope.cancel()
    assert user is not None and user.name == "system:serviceaccount:default:kubelet-proxy"


async def test_a_watch_that_falls_behind_ends_and_the_server_goes_on() -> None:
    settings = StoreSettings(endpoint="memory://", watch_buffer=5)
    async with open_store(settings) as store, trio.open_nursery() as nursery:
        app = App(store)
        await bootstrap.ensure_defaults(app.resources, app.registry)
        async with httpx.AsyncClient(transport=AppTransport(app, nursery), base_url="https://k3py") as http:
            client = Client(http)
            listing = await client.list("v1", "configmaps", namespace="default")
            events = client.watch(
                "v1", "configmaps", namespace="default", resource_version=listing["metadata"]["resourceVersion"]
            )
            seen = 0
            async with aclosing(events):
                await client.create("v1", "configmaps", configmap("first"), namespace="default")
                await anext(events)  # the watch is open
                for i in range(200):  # nobody reads the watch meanwhile
                    await client.create("v1", "configmaps", configmap(f"c{i}"), namespace="default")
                with trio.fail_after(5):
                    async for _ in events:
                        seen += 1
            assert 0 < seen < 200  # the stream ended early, without an error
            assert (await client.get("v1", "configmaps", "c199", namespace="default"))["metadata"]["name"] == "c199"
        nursery.cancel_scope.cancel()
