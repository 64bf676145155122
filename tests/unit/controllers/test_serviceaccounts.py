"""The ServiceAccount controller and root CA publisher: a ``default`` ServiceAccount and the
``kube-root-ca.crt`` ConfigMap in every active namespace, put back when deleted or changed."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import trio

from k3py.api.client import Client
from k3py.controllers import serviceaccounts as sa
from k3py.controllers.serviceaccounts import ServiceAccountsController
from k3py.core import errors

Obj = dict[str, Any]
CA = b"-----BEGIN CERTIFICATE-----\nMIIBdummy\n-----END CERTIFICATE-----\n"


@pytest.mark.parametrize(
    ("namespace", "active"),
    [
        pytest.param({"metadata": {"name": "a"}, "status": {"phase": "Active"}}, True, id="active"),
        pytest.param({"metadata": {"name": "a"}}, True, id="no-status-yet"),
        pytest.param({"metadata": {"name": "a"}, "status": {"phase": "Terminating"}}, False, id="terminating"),
        pytest.param(
            {"metadata": {"name": "a", "deletionTimestamp": "2024-01-01T00:00:00Z"}, "status": {"phase": "Active"}},
            False,
            id="being-deleted",
        ),
        pytest.param(None, False, id="gone"),
    ],
)
def test_is_active(namespace: Obj | None, active: bool) -> None:
    assert sa.is_active(namespace) is active


def configmap(data: Obj, annotations: Obj | None = None) -> Obj:
    metadata: Obj = {"name": sa.ROOT_CA_CONFIGMAP, "namespace": "a", "resourceVersion": "7"}
    if annotations is not None:
        metadata["annotations"] = annotations
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata, "data": data}


RIGHT = configmap({"ca.crt": "pem"}, {sa.DESCRIPTION_ANNOTATION: sa.ROOT_CA_DESCRIPTION})


@pytest.mark.parametrize(
    ("current", "writes"),
    [
        pytest.param(None, True, id="missing"),
        pytest.param(RIGHT, False, id="right"),
        pytest.param(configmap({"ca.crt": "old"}, {sa.DESCRIPTION_ANNOTATION: "x"}), True, id="stale-ca"),
        pytest.param(configmap({"ca.crt": "pem"}), True, id="no-description"),
        pytest.param(
            configmap({"ca.crt": "pem", "extra": "x"}, {sa.DESCRIPTION_ANNOTATION: "x"}), True, id="extra-key"
        ),
    ],
)
def test_plan_root_ca(current: Obj | None, writes: bool) -> None:
    planned = sa.plan_root_ca("a", current, "pem")
    assert (planned is not None) is writes
    if planned is not None:
        assert planned["data"] == {"ca.crt": "pem"}
        assert planned["metadata"]["annotations"][sa.DESCRIPTION_ANNOTATION]
        assert planned["metadata"].get("resourceVersion") == (current or {}).get("metadata", {}).get("resourceVersion")


def test_plan_root_ca_keeps_other_annotations() -> None:
    planned = sa.plan_root_ca("a", configmap({"ca.crt": "old"}, {"note": "mine"}), "pem")
    assert planned is not None
    assert planned["metadata"]["annotations"]["note"] == "mine"


# -- over the API ----------------------------------------------------------------------------------


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 5) -> None:
    with trio.fail_after(timeout):
        while not await check():
            await trio.sleep(0.01)


async def get(client: Client, plural: str, namespace: str, name: str) -> Obj | None:
    try:
        return await client.get("v1", plural, name, namespace=namespace)
    except errors.NotFound:
        return None


@pytest.fixture
async def controller(client: Client) -> AsyncIterator[ServiceAccountsController]:
    ctl = ServiceAccountsController(client, root_ca_pem=CA)
    async with trio.open_nursery() as nursery:
        await nursery.start(ctl.run)
        yield ctl
        nursery.cancel_scope.cancel()


async def test_every_namespace_gets_a_default_account_and_the_root_ca(
    client: Client, controller: ServiceAccountsController
) -> None:
    await client.create("v1", "namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}})
    for namespace in ("default", "kube-system", "team"):

        async def present(namespace: str = namespace) -> bool:
            account = await get(client, "serviceaccounts", namespace, "default")
            ca = await get(client, "configmaps", namespace, sa.ROOT_CA_CONFIGMAP)
            return account is not None and ca is not None

        await eventually(present)
    ca = await get(client, "configmaps", "team", sa.ROOT_CA_CONFIGMAP)
    assert ca is not None
    assert ca["data"] == {"ca.crt": CA.decode()}
    assert ca["metadata"]["annotations"][sa.DESCRIPTION_ANNOTATION] == sa.ROOT_CA_DESCRIPTION


async def test_a_deleted_default_account_comes_back(client: Client, controller: ServiceAccountsController) -> None:
    async def present() -> bool:
        return await get(client, "serviceaccounts", "default", "default") is not None

    await eventually(present)
    first = await get(client, "serviceaccounts", "default", "default")
    assert first is not None
    await client.delete("v1", "serviceaccounts", "default", namespace="default")

    async def recreated() -> bool:
        again = await get(client, "serviceaccounts", "default", "default")
        return again is not None and again["metadata"]["uid"] != first["metadata"]["uid"]

    await eventually(recreated)


async def test_a_changed_or_deleted_root_ca_is_put_back(client: Client, controller: ServiceAccountsController) -> None:
    async def right() -> bool:
        ca = await get(client, "configmaps", "default", sa.ROOT_CA_CONFIGMAP)
        return ca is not None and ca["data"] == {"ca.crt": CA.decode()}

    await eventually(right)
    await client.patch("v1", "configmaps", sa.ROOT_CA_CONFIGMAP, {"data": {"ca.crt": "forged"}}, namespace="default")
    await eventually(right)
    await client.delete("v1", "configmaps", sa.ROOT_CA_CONFIGMAP, namespace="default")
    await eventually(right)


async def test_without_a_ca_only_accounts_are_made(client: Client) -> None:
    ctl = ServiceAccountsController(client)
    async with trio.open_nursery() as nursery:
        await nursery.start(ctl.run)

        async def present() -> bool:
            return await get(client, "serviceaccounts", "kube-public", "default") is not None

        await eventually(present)
        assert await get(client, "configmaps", "kube-public", sa.ROOT_CA_CONFIGMAP) is None
        nursery.cancel_scope.cancel()


async def test_a_deleted_namespace_gets_nothing_new(client: Client, controller: ServiceAccountsController) -> None:
    await client.create("v1", "namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "brief"}})

    async def present() -> bool:
        return await get(client, "serviceaccounts", "brief", "default") is not None

    await eventually(present)
    await client.delete("v1", "namespaces", "brief")
    await trio.sleep(0.2)
    assert await get(client, "serviceaccounts", "brief", "default") is None
    assert await get(client, "configmaps", "brief", sa.ROOT_CA_CONFIGMAP) is None


async def test_cancelling_the_controller_stops_it(client: Client) -> None:
    ctl = ServiceAccountsController(client, root_ca_pem=CA)
    with trio.CancelScope() as scope:
        async with trio.open_nursery() as nursery:
            await nursery.start(ctl.run)
            scope.cancel()
    assert scope.cancelled_caught
    await client.create("v1", "namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "late"}})
    await trio.sleep(0.2)
    assert await get(client, "serviceaccounts", "late", "default") is None
