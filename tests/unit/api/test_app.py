"""The API in process (httpx's ASGI transport over a memory store): verbs, discovery, errors, watch."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest
import trio

from k3py.api import bootstrap
from k3py.api.app import App
from k3py.store import Store, StoreSettings, open_store

CM = "/api/v1/namespaces/default/configmaps"


@pytest.fixture
async def app() -> AsyncIterator[App]:
    async with open_store(StoreSettings(endpoint="memory://", max_revisions=50)) as store:
        application = App(store)
        await bootstrap.ensure_defaults(application.resources, application.registry)
        yield application


@pytest.fixture
async def client(app: App) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://k3py") as c:
        yield c


def cm(name: str, **data: str) -> dict[str, object]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}


async def test_system_namespaces_exist_and_are_active(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/namespaces")
    names = {item["metadata"]["name"]: item for item in r.json()["items"]}
    assert set(names) == {"default", "kube-system", "kube-public", "kube-node-lease"}
    assert names["default"]["status"] == {"phase": "Active"}
    assert names["default"]["metadata"]["labels"] == {"kubernetes.io/metadata.name": "default"}


async def test_create_get_update_delete_round_trip(client: httpx.AsyncClient) -> None:
    r = await client.post(CM, json=cm("a", k="1"))
    assert r.status_code == 201, r.text
    created = r.json()
    meta = created["metadata"]
    assert (meta["namespace"], meta["generation"]) == ("default", 1)
    assert meta["uid"] and meta["creationTimestamp"].endswith("Z") and int(meta["resourceVersion"]) > 0
    got = (await client.get(f"{CM}/a")).json()
    assert got == created
    got["data"]["k"] = "2"
    r = await client.put(f"{CM}/a", json=got)
    assert r.status_code == 200, r.text
    assert int(r.json()["metadata"]["resourceVersion"]) > int(meta["resourceVersion"])
    assert r.json()["metadata"]["uid"] == meta["uid"]
    r = await client.put(f"{CM}/a", json=got)  # the old resourceVersion again
    assert r.status_code == 409
    assert r.json()["reason"] == "Conflict"
    assert r.json()["message"].startswith('Operation cannot be fulfilled on configmaps "a"')
    r = await client.delete(f"{CM}/a")
    assert r.status_code == 200
    assert (await client.get(f"{CM}/a")).status_code == 404


async def test_errors_are_status_objects_with_kubernetes_messages(client: httpx.AsyncClient) -> None:
    r = await client.get(f"{CM}/missing")
    assert (r.status_code, r.json()["reason"], r.json()["message"]) == (
        404,
        "NotFound",
        'configmaps "missing" not found',
    )
    await client.post(CM, json=cm("dup"))
    r = await client.post(CM, json=cm("dup"))
    assert (r.status_code, r.json()["reason"], r.json()["message"]) == (
        409,
        "AlreadyExists",
        'configmaps "dup" already exists',
    )
    r = await client.post(CM, json=cm("Bad_Name"))
    assert (r.status_code, r.json()["reason"]) == (422, "Invalid")
    assert r.json()["details"]["causes"][0]["field"] == "metadata.name"
    assert r.json()["message"].startswith('ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value')
    r = await client.post(CM, content=b"{not json", headers={"content-type": "application/json"})
    assert (r.status_code, r.json()["reason"]) == (400, "BadRequest")
    r = await client.post(CM, content=b"a: [", headers={"content-type": "application/yaml"})
    assert r.status_code == 400
    r = await client.post(CM, content=b"x", headers={"content-type": "text/plain"})
    assert r.status_code == 415
    r = await client.post(CM, json={**cm("x"), "kind": "Secret"})
    assert r.status_code == 400
    r = await client.post(
        CM, content=b"{" + b" " * (4 * 1024 * 1024) + b"}", headers={"content-type": "application/json"}
    )
    assert r.status_code == 413
    r = await client.post("/api/v1/namespaces/nope/configmaps", json=cm("x"))
    assert (r.status_code, r.json()["message"]) == (404, 'namespaces "nope" not found')
    assert (await client.get("/apis/nope/v1/things")).status_code == 404


async def test_yaml_body_and_generate_name(client: httpx.AsyncClient) -> None:
    body = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  generateName: gen-\ndata:\n  k: v\n"
    r = await client.post(CM, content=body, headers={"content-type": "application/yaml"})
    assert r.status_code == 201, r.text
    name = r.json()["metadata"]["name"]
    assert name.startswith("gen-") and len(name) == len("gen-") + 5


async def test_list_with_label_and_field_selectors_and_pages(client: httpx.AsyncClient) -> None:
    for i in range(5):
        body = cm(f"c{i}")
        body["metadata"]["labels"] = {"app": "web" if i % 2 else "db", "n": str(i)}  # type: ignore[index]
        await client.post(CM, json=body)
    web = (await client.get(CM, params={"labelSelector": "app=web"})).json()
    assert [item["metadata"]["name"] for item in web["items"]] == ["c1", "c3"]
    notin = (await client.get(CM, params={"labelSelector": "n notin (0,1),app"})).json()
    assert [item["metadata"]["name"] for item in notin["items"]] == ["c2", "c3", "c4"]
    by_name = (await client.get(CM, params={"fieldSelector": "metadata.name=c4"})).json()
    assert [item["metadata"]["name"] for item in by_name["items"]] == ["c4"]
    page = (await client.get(CM, params={"limit": "2"})).json()
    assert len(page["items"]) == 2 and page["metadata"]["continue"] and page["metadata"]["remainingItemCount"] == 3
    rest = (await client.get(CM, params={"limit": "10", "continue": page["metadata"]["continue"]})).json()
    assert [i["metadata"]["name"] for i in page["items"] + rest["items"]] == [f"c{i}" for i in range(5)]
    all_ns = (await client.get("/api/v1/configmaps")).json()
    assert all_ns["kind"] == "ConfigMapList" and len(all_ns["items"]) == 5
    bad = await client.get(CM, params={"labelSelector": "a in (b"})
    assert bad.status_code == 400


async def test_discovery_legacy_and_aggregated(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api")).json()["versions"] == ["v1"]
    groups = {g["name"] for g in (await client.get("/apis")).json()["groups"]}
    assert {"apps", "batch", "rbac.authorization.k8s.io", "apiextensions.k8s.io"} <= groups
    resources = {r["name"]: r for r in (await client.get("/api/v1")).json()["resources"]}
    assert resources["pods"]["shortNames"] == ["po"] and resources["pods"]["categories"] == ["all"]
    assert "pods/status" in resources
    accept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"
    r = await client.get("/apis", headers={"accept": accept})
    assert r.headers["content-type"] == "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
    apps = next(item for item in r.json()["items"] if item["metadata"]["name"] == "apps")
    deployments = next(res for res in apps["versions"][0]["resources"] if res["resource"] == "deployments")
    assert deployments["scope"] == "Namespaced"
    assert (await client.get("/version")).json()["major"] == "1"


async def test_watch_from_resource_version_replays_events_in_order(client: httpx.AsyncClient) -> None:
    """(httpx's ASGI transport buffers a response, so this watch ends by timeout; the server tests
    stream live.)"""
    start = (await client.get(CM)).json()["metadata"]["resourceVersion"]
    created = (await client.post(CM, json=cm("w", k="1"))).json()
    created["data"]["k"] = "2"
    await client.put(f"{CM}/w", json=created)
    await client.delete(f"{CM}/w")
    with trio.fail_after(10):
        r = await client.get(CM, params={"watch": "1", "resourceVersion": start, "timeoutSeconds": "1"})
    events = [json.loads(line) for line in r.text.splitlines()]
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [
        ("ADDED", "w"),
        ("MODIFIED", "w"),
        ("DELETED", "w"),
    ]
    revisions = [int(e["object"]["metadata"]["resourceVersion"]) for e in events]
    assert revisions == sorted(revisions) and revisions[0] > int(start)


async def test_watch_from_compacted_version_sends_410_error_event(client: httpx.AsyncClient) -> None:
    for i in range(60):  # the fixture keeps 50 revisions of history
        await client.post(CM, json=cm(f"x{i}"))
    r = await client.get(CM, params={"watch": "1", "resourceVersion": "1", "timeoutSeconds": "5"})
    event = json.loads(r.text.splitlines()[0])
    assert event["type"] == "ERROR"
    assert (event["object"]["code"], event["object"]["reason"]) == (410, "Expired")


async def test_send_initial_events_is_refused_like_a_server_without_watch_list(client: httpx.AsyncClient) -> None:
    r = await client.get(
        CM,
        params={
            "watch": "1",
            "sendInitialEvents": "true",
            "resourceVersionMatch": "NotOlderThan",
            "resourceVersion": "",
        },
    )
    assert r.status_code in (400, 422)


async def test_namespace_of_object_must_match_url(client: httpx.AsyncClient) -> None:
    body = cm("a")
    body["metadata"]["namespace"] = "kube-system"  # type: ignore[index]
    r = await client.post(CM, json=body)
    assert r.status_code == 400
    assert "does not match the namespace" in r.json()["message"]


async def test_status_subresource_and_main_resource_own_their_parts(client: httpx.AsyncClient) -> None:
    dep = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "d"},
        "spec": {
            "selector": {"matchLabels": {"a": "b"}},
            "template": {"metadata": {"labels": {"a": "b"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}},
        },
        "status": {"replicas": 99},
    }
    url = "/apis/apps/v1/namespaces/default/deployments"
    created = (await client.post(url, json=dep)).json()
    assert "status" not in created  # the client's status is dropped on create
    created["status"] = {"replicas": 3}
    updated = (await client.put(f"{url}/d/status", json=created)).json()
    assert updated["status"] == {"replicas": 3}
    assert updated["metadata"]["generation"] == 1  # status changes don't bump generation
    updated["spec"]["replicas"] = 5
    updated["status"] = {"replicas": 0}
    again = (await client.put(f"{url}/d", json=updated)).json()
    assert again["status"] == {"replicas": 3}  # the main resource can't write status
    assert again["metadata"]["generation"] == 2


async def test_store_revision_store_type_is_store(app: App) -> None:
    assert isinstance(app.store, Store)


TABLE = (
    "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"
)


async def test_kubectl_accept_gets_tables_for_get_list_and_watch(client: httpx.AsyncClient) -> None:
    await client.post(CM, json=cm("t", a="1", b="2"))
    listing = await client.get(CM, headers={"accept": TABLE})
    assert listing.headers["content-type"] == "application/json;as=Table;v=v1;g=meta.k8s.io"
    table = listing.json()
    assert table["kind"] == "Table"
    assert [c["name"] for c in table["columnDefinitions"]] == ["Name", "Data", "Age"]
    (row,) = table["rows"]
    assert row["cells"][:2] == ["t", 2]
    assert row["object"]["kind"] == "PartialObjectMetadata"
    one = (await client.get(f"{CM}/t", headers={"accept": TABLE}, params={"includeObject": "Object"})).json()
    assert one["rows"][0]["object"]["data"] == {"a": "1", "b": "2"}
    start = table["metadata"]["resourceVersion"]
    await client.delete(f"{CM}/t")
    watched = await client.get(
        CM, headers={"accept": TABLE}, params={"watch": "1", "resourceVersion": start, "timeoutSeconds": "1"}
    )
    (event,) = [json.loads(line) for line in watched.text.splitlines()]
    assert event["type"] == "DELETED" and event["object"]["kind"] == "Table"


async def test_partial_object_metadata_and_not_acceptable(client: httpx.AsyncClient) -> None:
    await client.post(CM, json=cm("p"))
    accept = "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io"
    partial = (await client.get(CM, headers={"accept": accept})).json()
    assert partial["kind"] == "PartialObjectMetadataList"
    assert partial["items"][0] == {
        "apiVersion": "meta.k8s.io/v1",
        "kind": "PartialObjectMetadata",
        "metadata": partial["items"][0]["metadata"],
    }
    r = await client.get(CM, headers={"accept": "application/vnd.kubernetes.protobuf"})
    assert (r.status_code, r.json()["reason"]) == (406, "NotAcceptable")


SVC = "/api/v1/namespaces/default/services"


async def test_services_get_cluster_ips_and_node_ports_and_keep_them(client: httpx.AsyncClient) -> None:
    kubernetes = (await client.get(f"{SVC}/kubernetes")).json()
    assert kubernetes["spec"]["clusterIP"] == "10.43.0.1"
    body = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "web"},
        "spec": {"type": "NodePort", "selector": {"app": "web"}, "ports": [{"port": 80}]},
    }
    created = (await client.post(SVC, json=body)).json()
    spec = created["spec"]
    assert spec["clusterIP"].startswith("10.43.") and spec["clusterIP"] != "10.43.0.1"
    assert spec["clusterIPs"] == [spec["clusterIP"]]
    assert 30000 <= spec["ports"][0]["nodePort"] <= 32767
    assert (spec["ports"][0]["protocol"], spec["ports"][0]["targetPort"]) == ("TCP", 80)
    allocated = spec["clusterIP"]
    created["spec"]["clusterIP"] = "10.43.9.9"
    r = await client.put(f"{SVC}/web", json=created)
    assert (r.status_code, r.json()["details"]["causes"][0]["field"]) == (422, "spec.clusterIPs[0]")
    taken = {**body, "metadata": {"name": "web2"}, "spec": {"clusterIP": allocated, "ports": [{"port": 1}]}}
    r = await client.post(SVC, json=taken)
    assert r.status_code == 422
    assert "already allocated" in r.json()["message"]
    outside = {**body, "metadata": {"name": "web3"}, "spec": {"clusterIP": "192.168.1.1", "ports": [{"port": 1}]}}
    assert (await client.post(SVC, json=outside)).status_code == 422


async def test_field_validation_strict_warn_and_ignore(client: httpx.AsyncClient) -> None:
    body = {**cm("fv"), "bogus": 1, "[:": None}
    strict = await client.post(CM, json=body, params={"fieldValidation": "Strict"})
    assert strict.status_code == 400
    assert 'strict decoding error: unknown field "bogus"' in strict.json()["message"]
    warned = await client.post(CM, json=body)  # Warn is the default
    assert warned.status_code == 201
    assert 'unknown field \\"bogus\\"' in warned.headers["warning"]
    assert "bogus" not in warned.json() and "[:" not in warned.json()
    ignored = await client.post(CM, json={**cm("fv2"), "bogus": 1}, params={"fieldValidation": "Ignore"})
    assert ignored.status_code == 201 and "warning" not in ignored.headers
    bad = await client.post(CM, json=cm("fv3"), params={"fieldValidation": "Loud"})
    assert bad.status_code == 400


async def test_scale_subresource_reads_and_writes_replicas(client: httpx.AsyncClient) -> None:
    url = "/apis/apps/v1/namespaces/default/deployments"
    dep = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "s"},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "s"}},
            "template": {"metadata": {"labels": {"app": "s"}}, "spec": {"containers": [{"name": "c", "image": "x"}]}},
        },
    }
    await client.post(url, json=dep)
    scale = (await client.get(f"{url}/s/scale")).json()
    assert (scale["kind"], scale["apiVersion"], scale["spec"], scale["status"]) == (
        "Scale",
        "autoscaling/v1",
        {"replicas": 2},
        {"replicas": 0, "selector": "app=s"},
    )
    scale["spec"]["replicas"] = 5
    assert (await client.put(f"{url}/s/scale", json=scale)).json()["spec"]["replicas"] == 5
    assert (await client.put(f"{url}/s/scale", json=scale)).status_code == 409  # stale resourceVersion
    patched = await client.patch(
        f"{url}/s/scale", content=b'{"spec":{"replicas":1}}', headers={"content-type": "application/merge-patch+json"}
    )
    assert patched.json()["spec"]["replicas"] == 1
    deployment = (await client.get(f"{url}/s")).json()
    assert (deployment["spec"]["replicas"], deployment["metadata"]["generation"]) == (1, 3)
    negative = await client.patch(
        f"{url}/s/scale", content=b'{"spec":{"replicas":-1}}', headers={"content-type": "application/merge-patch+json"}
    )
    assert negative.status_code == 422


async def test_binding_assigns_a_pod_once(client: httpx.AsyncClient) -> None:
    pods = "/api/v1/namespaces/default/pods"
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "b"},
        "spec": {"containers": [{"name": "c", "image": "i"}]},
    }
    await client.post(pods, json=pod)
    binding = {
        "apiVersion": "v1",
        "kind": "Binding",
        "metadata": {"name": "b"},
        "target": {"kind": "Node", "name": "n1"},
    }
    r = await client.post(f"{pods}/b/binding", json=binding)
    assert r.status_code == 201 and r.json()["status"] == "Success"
    got = (await client.get(f"{pods}/b")).json()
    assert got["spec"]["nodeName"] == "n1"
    assert got["status"]["conditions"][0]["type"] == "PodScheduled"
    again = await client.post(f"{pods}/b/binding", json={**binding, "target": {"name": "n2"}})
    assert again.status_code == 409


def namespace_body(name: str) -> dict[str, object]:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}


async def test_deleting_a_namespace_deletes_its_content(client: httpx.AsyncClient) -> None:
    await client.post(
        "/api/v1/namespaces", json={"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "gone"}}
    )
    await client.post("/api/v1/namespaces/gone/configmaps", json=cm("inside"))
    await client.post("/api/v1/namespaces/default/configmaps", json=cm("outside"))
    r = await client.delete("/api/v1/namespaces/gone")
    assert r.status_code == 200
    assert (await client.get("/api/v1/namespaces/gone")).status_code == 404
    names = [item["metadata"]["name"] for item in (await client.get("/api/v1/configmaps")).json()["items"]]
    assert names == ["outside"]


async def test_namespace_with_finalized_content_stays_terminating_and_refuses_new_content(
    client: httpx.AsyncClient,
) -> None:
    await client.post(
        "/api/v1/namespaces", json={"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "held"}}
    )
    held = cm("held")
    held["metadata"]["finalizers"] = ["example.com/keep"]  # type: ignore[index]
    await client.post("/api/v1/namespaces/held/configmaps", json=held)
    r = await client.delete("/api/v1/namespaces/held")
    assert r.status_code == 202
    assert r.json()["status"]["phase"] == "Terminating"
    kept = (await client.get("/api/v1/namespaces/held/configmaps/held")).json()
    assert kept["metadata"]["deletionTimestamp"]
    refused = await client.post("/api/v1/namespaces/held/configmaps", json=cm("new"))
    assert (refused.status_code, refused.json()["reason"]) == (403, "Forbidden")


async def test_an_unknown_propagation_policy_is_invalid(client: httpx.AsyncClient) -> None:
    await client.post(CM, json=cm("doomed"))
    r = await client.delete(f"{CM}/doomed", params={"propagationPolicy": "Sometimes"})
    assert r.status_code == 422
    (cause,) = r.json()["details"]["causes"]
    assert (cause["reason"], cause["field"]) == ("FieldValueNotSupported", "propagationPolicy")
    assert (await client.get(f"{CM}/doomed")).status_code == 200
    r = await client.request("DELETE", f"{CM}/doomed", json={"propagationPolicy": "Background"})
    assert r.status_code == 200
