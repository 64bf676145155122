"""The edge applier (``k3py.fleet.edge``) against the real API in process: apply, prune only what
the fleet owns, report per object, remember across restarts."""

from __future__ import annotations

from typing import Any

import pytest

from k3py.core import errors
from k3py.fleet import edge
from k3py.fleet.bundle import Bundle

from .conftest import ClientFor

Obj = dict[str, Any]


def configmap(name: str, namespace: str = "", **data: str) -> Obj:
    metadata = {"name": name, **({"namespace": namespace} if namespace else {})}
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata, "data": data}


NAMESPACE: Obj = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "sensors"}}
DEPLOYMENT: Obj = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "reader", "namespace": "sensors"},
    "spec": {
        "replicas": 1,
        "selector": {"matchLabels": {"app": "reader"}},
        "template": {
            "metadata": {"labels": {"app": "reader"}},
            "spec": {"containers": [{"name": "reader", "image": "busybox"}]},
        },
    },
}


def bundle(revision: int, *objects: Obj) -> Bundle:
    return Bundle("pi-1", revision, "2026-11-24T00:00:00Z", objects)


def outcomes(results: list[edge.ObjectResult]) -> list[tuple[str, str, str]]:
    return [(r.kind, r.name, r.outcome) for r in results]


async def test_a_bundle_is_applied_as_the_fleet_in_dependency_order(client_for: ClientFor) -> None:
    applier = edge.EdgeApplier(client_for(edge.FIELD_MANAGER))
    # the Deployment comes first in the bundle, its Namespace second: the Namespace is applied first
    results = await applier.apply(bundle(1, DEPLOYMENT, NAMESPACE, configmap("settings", mode="edge")), b"sealed-1")
    assert outcomes(results) == [
        ("Namespace", "sensors", "Applied"),
        ("Deployment", "reader", "Applied"),
        ("ConfigMap", "settings", "Applied"),
    ]
    local = client_for("kubectl")
    deployment = await local.get("apps/v1", "deployments", "reader", namespace="sensors")
    assert edge.managed_by_fleet(deployment)
    assert (await local.get("v1", "configmaps", "settings", namespace="default"))["data"] == {"mode": "edge"}
    state = await applier.load()
    assert (state.revision, state.sealed) == (1, b"sealed-1")


async def test_a_dropped_object_is_pruned_and_what_the_fleet_does_not_own_stays(client_for: ClientFor) -> None:
    applier = edge.EdgeApplier(client_for(edge.FIELD_MANAGER))
    await applier.apply(bundle(1, configmap("a"), configmap("b")), b"1")
    local = client_for("kubectl")
    await local.create("v1", "configmaps", configmap("mine"), namespace="default")
    # "b" changes hands: a local user takes all of its fields over, and the fleet's entry goes
    taken = configmap("b", "default", owner="local")
    await local.apply(taken, "configmaps", force=True)
    current = await local.get("v1", "configmaps", "b", namespace="default")
    current["metadata"]["managedFields"] = [
        e for e in current["metadata"]["managedFields"] if e["manager"] != edge.FIELD_MANAGER
    ]
    await local.update("v1", "configmaps", current, namespace="default")
    results = await applier.apply(bundle(2, configmap("c")), b"2")
    assert outcomes(results) == [("ConfigMap", "c", "Applied"), ("ConfigMap", "a", "Pruned")]
    with pytest.raises(errors.NotFound):
        await local.get("v1", "configmaps", "a", namespace="default")
    for kept in ("b", "mine", "c"):
        await local.get("v1", "configmaps", kept, namespace="default")


async def test_a_bad_object_fails_alone_and_is_reported(client_for: ClientFor) -> None:
    applier = edge.EdgeApplier(client_for(edge.FIELD_MANAGER))
    bad = {**DEPLOYMENT, "metadata": {"name": "reader", "namespace": "default"}, "spec": {"replicas": -1}}
    unknown = {"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {"name": "g"}}
    results = await applier.apply(bundle(1, bad, unknown, configmap("ok")), b"1")
    assert [(r.kind, r.outcome) for r in results] == [
        ("Deployment", "Failed"),
        ("Gadget", "Failed"),
        ("ConfigMap", "Applied"),
    ]
    assert "spec.replicas" in results[0].message
    assert results[1].message == 'no resource serves kind "Gadget" in version "example.com/v1"'
    assert results[2].report() == {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "name": "ok",
        "namespace": "default",
        "outcome": "Applied",
    }


async def test_the_fleet_wins_its_fields_and_local_fields_stay(client_for: ClientFor) -> None:
    applier = edge.EdgeApplier(client_for(edge.FIELD_MANAGER))
    await applier.apply(bundle(1, configmap("shared", mode="edge")), b"1")
    local = client_for("kubectl")
    await local.patch("v1", "configmaps", "shared", {"data": {"mode": "local", "extra": "x"}}, namespace="default")
    await applier.apply(bundle(2, configmap("shared", mode="edge-2")), b"2")
    assert (await local.get("v1", "configmaps", "shared", namespace="default"))["data"] == {
        "mode": "edge-2",
        "extra": "x",
    }


async def test_the_state_survives_a_new_applier_and_only_the_fleet_applies(client_for: ClientFor) -> None:
    await edge.EdgeApplier(client_for(edge.FIELD_MANAGER)).apply(bundle(5, configmap("a")), b"five")
    state = await edge.EdgeApplier(client_for(edge.FIELD_MANAGER)).load()
    assert (state.revision, state.inventory, state.sealed) == (5, [("v1", "ConfigMap", "default", "a")], b"five")
    with pytest.raises(ValueError, match="k3py-fleet"):
        edge.EdgeApplier(client_for("someone-else"))
