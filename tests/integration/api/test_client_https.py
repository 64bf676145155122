"""The Client over HTTPS against the real server: what an agent or the hub's tools use."""

from __future__ import annotations

import ssl
from contextlib import aclosing

import httpx
import pytest
import trio

from k3py.api.client import Client
from k3py.core import errors

from .conftest import Server


def https_client(server: Server) -> httpx.AsyncClient:
    tls = server.data_dir / "tls"
    context = ssl.create_default_context(cafile=tls / "server-ca.crt")
    context.load_cert_chain(tls / "client-admin.crt", tls / "client-admin.key")
    return httpx.AsyncClient(base_url=server.url, verify=context)


async def test_the_client_over_https(k3py_server: Server, namespace: str) -> None:
    async with https_client(k3py_server) as http:
        client = Client(http, field_manager="remote-agent")
        listing = await client.list("v1", "configmaps", namespace=namespace)
        events = client.watch(
            "v1", "configmaps", namespace=namespace, resource_version=listing["metadata"]["resourceVersion"]
        )
        async with aclosing(events):
            cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "remote"}, "data": {"k": "v"}}
            created = await client.create("v1", "configmaps", cm, namespace=namespace)
            assert created["metadata"]["managedFields"][0]["manager"] == "remote-agent"
            with trio.fail_after(10):
                # the namespace's kube-root-ca.crt may be published meanwhile: its event is not ours
                kind, obj = await anext(events)
                while obj["metadata"]["name"] == "kube-root-ca.crt":
                    kind, obj = await anext(events)
            assert (kind, obj["metadata"]["name"]) == ("ADDED", "remote")
        with pytest.raises(errors.AlreadyExists):
            await client.create("v1", "configmaps", cm, namespace=namespace)
        await client.delete("v1", "configmaps", "remote", namespace=namespace)
        with pytest.raises(errors.NotFound):
            await client.get("v1", "configmaps", "remote", namespace=namespace)
