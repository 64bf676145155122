"""One store, two versions: events.k8s.io/v1 and core/v1 Events, autoscaling/v1 and v2 HPAs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from k3py.api import bootstrap
from k3py.api.app import App
from k3py.api.conversion import from_storage, to_storage
from k3py.store import StoreSettings, open_store

Obj = dict[str, Any]
CORE_EVENTS = "/api/v1/namespaces/default/events"
NEW_EVENTS = "/apis/events.k8s.io/v1/namespaces/default/events"
HPA_V1 = "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers"
HPA_V2 = "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers"


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with open_store(StoreSettings(endpoint="memory://")) as store:
        app = App(store)
        await bootstrap.ensure_defaults(app.resources, app.registry)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://k3py") as c:
            yield c


def hpa_v2(name: str, *metrics: Obj) -> Obj:
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": name},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
            "minReplicas": 1,
            "maxReplicas": 5,
            "metrics": list(metrics),
        },
    }


CPU_70 = {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}
MEMORY = {"type": "Resource", "resource": {"name": "memory", "target": {"type": "AverageValue", "averageValue": "1Gi"}}}


def test_hpa_versions_round_trip_without_loss() -> None:
    stored = hpa_v2("web", CPU_70, MEMORY)
    v1 = from_storage("autoscaling", "v1", "horizontalpodautoscalers", stored)
    assert v1["spec"]["targetCPUUtilizationPercentage"] == 70
    assert "metrics" not in v1["spec"]
    assert to_storage("autoscaling", "v1", "horizontalpodautoscalers", v1) == stored


def test_events_round_trip_without_loss() -> None:
    core = {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": "e"},
        "involvedObject": {"kind": "Pod", "name": "p"},
        "message": "hello",
        "reason": "Started",
        "type": "Normal",
        "count": 3,
        "source": {"component": "kubelet"},
    }
    new = from_storage("events.k8s.io", "v1", "events", core)
    assert (new["regarding"], new["note"], new["deprecatedCount"]) == (core["involvedObject"], "hello", 3)
    assert to_storage("events.k8s.io", "v1", "events", new) == core


async def test_an_event_written_in_one_version_reads_in_the_other(client: httpx.AsyncClient) -> None:
    event = {
        "apiVersion": "events.k8s.io/v1",
        "kind": "Event",
        "metadata": {"name": "scheduled"},
        "eventTime": "2026-01-01T00:00:00.000000Z",
        "regarding": {"kind": "Pod", "name": "web", "namespace": "default"},
        "reason": "Scheduled",
        "note": "Successfully assigned default/web to node-1",
        "type": "Normal",
        "action": "Binding",
        "reportingController": "default-scheduler",
        "reportingInstance": "default-scheduler-node-1",
    }
    r = await client.post(NEW_EVENTS, json=event)
    assert r.status_code == 201, r.text
    assert r.json()["note"] == event["note"]
    core = (await client.get(f"{CORE_EVENTS}/scheduled")).json()
    assert (core["apiVersion"], core["message"], core["involvedObject"]["name"]) == ("v1", event["note"], "web")
    listing = (await client.get(NEW_EVENTS)).json()
    assert [(i["apiVersion"], i["note"]) for i in listing["items"]] == [("events.k8s.io/v1", event["note"])]


async def test_an_hpa_written_as_v1_keeps_its_v2_metrics(client: httpx.AsyncClient) -> None:
    r = await client.post(HPA_V2, json=hpa_v2("web", CPU_70, MEMORY))
    assert r.status_code == 201, r.text
    v1 = (await client.get(f"{HPA_V1}/web")).json()
    assert (v1["apiVersion"], v1["spec"]["targetCPUUtilizationPercentage"]) == ("autoscaling/v1", 70)
    v1["spec"]["maxReplicas"] = 9
    v1["spec"]["targetCPUUtilizationPercentage"] = 50
    r = await client.put(f"{HPA_V1}/web", json=v1)
    assert r.status_code == 200, r.text
    v2 = (await client.get(f"{HPA_V2}/web")).json()
    assert v2["spec"]["maxReplicas"] == 9
    cpu = {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 50}}}
    assert v2["spec"]["metrics"] == [cpu, MEMORY]
    assert "annotations" not in v2["metadata"]
