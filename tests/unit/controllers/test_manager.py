"""The controller manager: it takes the Lease, then its controllers act."""

from __future__ import annotations

import trio

from k3py.api.client import Client
from k3py.controllers.leaderelection import LEASES
from k3py.controllers.manager import LEASE_NAME, run_controllers
from k3py.core import errors


async def test_controllers_run_once_this_server_leads(client: Client) -> None:
    owner = await client.create(
        "v1",
        "configmaps",
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "owner"}},
        namespace="default",
    )
    ref = {"apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": owner["metadata"]["uid"]}
    child = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "child", "ownerReferences": [ref]}}
    await client.create("v1", "configmaps", child, namespace="default")
    async with trio.open_nursery() as nursery:
        nursery.start_soon(lambda: run_controllers(client, identity="server-1"))
        await client.delete("v1", "configmaps", "owner", namespace="default")
        with trio.fail_after(10):
            while True:
                try:
                    await client.get("v1", "configmaps", "child", namespace="default")
                except errors.NotFound:
                    break
                await trio.sleep(0.02)
        lease = await client.get(*LEASES, LEASE_NAME, namespace="kube-system")
        assert lease["spec"]["holderIdentity"] == "server-1"
        nursery.cancel_scope.cancel()
