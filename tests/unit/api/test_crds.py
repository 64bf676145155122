"""CustomResourceDefinitions: the pure rules (``crds``), then the API serving them in process over a memory store."""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import trio

from k3py.api import bootstrap, crds, registry, subresources
from k3py.api.app import App
from k3py.core import errors
from k3py.store import StoreSettings, open_store

CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io"
AGGREGATED = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "spec": {
            "type": "object",
            "required": ["size"],
            "properties": {
                "size": {"type": "string", "enum": ["small", "large"]},
                "replicas": {"type": "integer", "minimum": 0, "maximum": 10, "default": 1},
                "selector": {"type": "string"},
            },
        },
        "status": {
            "type": "object",
            "properties": {
                "replicas": {"type": "integer"},
                "selector": {"type": "string"},
                "conditions": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {"type": {"type": "string"}, "status": {"type": "string"}},
                    },
                },
            },
        },
    },
}


def widget_crd(group: str = "example.com", *, scope: str = "Namespaced", **names: Any) -> dict[str, Any]:
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"widgets.{group}"},
        "spec": {
            "group": group,
            "scope": scope,
            "names": {"plural": "widgets", "kind": "Widget", "shortNames": ["wd"], "categories": ["all"], **names},
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {"openAPIV3Schema": copy.deepcopy(SCHEMA)},
                    "subresources": {
                        "status": {},
                        "scale": {
                            "specReplicasPath": ".spec.replicas",
                            "statusReplicasPath": ".status.replicas",
                            "labelSelectorPath": ".status.selector",
                        },
                    },
                    "additionalPrinterColumns": [
                        {"name": "Size", "type": "string", "jsonPath": ".spec.size"},
                        {"name": "Replicas", "type": "integer", "jsonPath": ".spec.replicas"},
                        {
                            "name": "Ready",
                            "type": "string",
                            "jsonPath": '.status.conditions[?(@.type=="Ready")].status',
                        },
                        {"name": "Selector", "type": "string", "jsonPath": ".spec.selector", "priority": 1},
                        {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"},
                    ],
                },
                {
                    "name": "v1beta1",
                    "served": True,
                    "storage": False,
                    "schema": {"openAPIV3Schema": copy.deepcopy(SCHEMA)},
                },
            ],
        },
    }


def widget(name: str, version: str = "v1", **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": f"example.com/{version}",
        "kind": "Widget",
        "metadata": {"name": name},
        "spec": {"size": "small", **spec},
    }


def causes(crd: dict[str, Any], old: dict[str, Any] | None = None) -> list[tuple[str, str]]:
    crds.set_defaults(crd)
    return [(c.field, c.message) for c in crds.validate(crd, old=old)]


# --- defaults and validation of CRDs ----------------------------------------------------------------


def test_defaults_fill_singular_list_kind_and_conversion() -> None:
    crd = widget_crd()
    crds.set_defaults(crd)
    assert crd["spec"]["names"]["singular"] == "widget"
    assert crd["spec"]["names"]["listKind"] == "WidgetList"
    assert crd["spec"]["conversion"] == {"strategy": "None"}


def test_a_good_crd_is_valid() -> None:
    assert causes(widget_crd()) == []


def _without_storage(crd: dict[str, Any]) -> None:
    crd["spec"]["versions"][0]["storage"] = False


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        pytest.param(
            lambda c: c["metadata"].update(name="gadgets.example.com"),
            "metadata.name",
            'Invalid value: "gadgets.example.com": must be spec.names.plural+"."+spec.group',
            id="name",
        ),
        pytest.param(
            _without_storage,
            "spec.versions",
            "must have exactly one version marked as storage version",
            id="no-storage-version",
        ),
        pytest.param(
            lambda c: c["spec"].update(scope="Global"),
            "spec.scope",
            'Unsupported value: "Global": supported values: "Cluster", "Namespaced"',
            id="scope",
        ),
        pytest.param(
            lambda c: c["spec"]["names"].pop("plural"),
            "spec.names.plural",
            "Required value",
            id="plural",
        ),
        pytest.param(
            lambda c: c["spec"]["names"].pop("kind"),
            "spec.names.kind",
            "Required value",
            id="kind",
        ),
        pytest.param(
            lambda c: c["spec"]["versions"][0].pop("schema"),
            "spec.versions[0].schema.openAPIV3Schema",
            "Required value",
            id="schema",
        ),
        pytest.param(
            lambda c: c["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"].update(
                bad={"type": "list"}
            ),
            "spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[bad].type",
            "Unsupported value",
            id="schema-type",
        ),
        pytest.param(
            lambda c: c["spec"]["names"].update(shortNames=["Bad_Name"]),
            "spec.names.shortNames[0]",
            "a DNS-1035 label",
            id="short-name",
        ),
        pytest.param(
            lambda c: c["spec"]["versions"][0]["additionalPrinterColumns"][0].update(type="text"),
            "spec.versions[0].additionalPrinterColumns[0].type",
            'Invalid value: "text": must be one of boolean,date,integer,number,string',
            id="column-type",
        ),
        pytest.param(
            lambda c: c["spec"]["versions"][0]["subresources"]["scale"].update(specReplicasPath=".status.replicas"),
            "spec.versions[0].subresources.scale.specReplicasPath",
            "should be a json path under .spec",
            id="scale-path",
        ),
        pytest.param(
            lambda c: c["spec"].update(conversion={"strategy": "Webhook"}),
            "spec.conversion.strategy",
            'Unsupported value: "Webhook"',
            id="webhook-conversion",
        ),
        pytest.param(
            lambda c: c["spec"]["versions"][1].update(name="v1"),
            "spec.versions",
            "must contain unique version names",
            id="duplicate-versions",
        ),
    ],
)
def test_invalid_crds(change: Any, field: str, message: str) -> None:
    crd = widget_crd()
    change(crd)
    found = causes(crd)
    assert any(f == field and message in m for f, m in found), found


@pytest.mark.parametrize(
    ("group", "message"),
    [
        pytest.param("apps", "should be a domain with at least one dot", id="no-dot"),
        pytest.param("networking.k8s.io", "is served by built-in resources of this server", id="built-in"),
        pytest.param("Example.COM", "a lowercase RFC 1123 subdomain", id="not-a-subdomain"),
    ],
)
def test_groups_that_cannot_be_used(group: str, message: str) -> None:
    found = causes(widget_crd(group))
    assert any(f == "spec.group" and message in m for f, m in found), found


def test_protected_groups_need_the_approval_annotation() -> None:
    crd = widget_crd("things.k8s.io")
    assert ("metadata.annotations[api-approved.kubernetes.io]", "Required value: protected groups must have") in [
        (f, m[: len("Required value: protected groups must have")]) for f, m in causes(crd)
    ]
    crd["metadata"]["annotations"] = {"api-approved.kubernetes.io": "https://github.com/kubernetes/kubernetes/pull/1"}
    assert causes(crd) == []


def test_updates_keep_group_plural_scope_kind_and_stored_versions() -> None:
    old = widget_crd()
    crds.set_defaults(old)
    old["status"] = {
        "conditions": [{"type": "Established", "status": "True"}],
        "storedVersions": ["v1beta1", "v1"],
    }
    new = copy.deepcopy(old)
    new["spec"]["scope"] = "Cluster"
    new["spec"]["names"]["kind"] = "Gadget"
    new["spec"]["names"]["listKind"] = "GadgetList"
    new["spec"]["versions"].pop(1)
    found = causes(new, old)
    assert ("spec.scope", 'Invalid value: "Cluster": field is immutable') in found
    assert ("spec.names.kind", 'Invalid value: "Gadget": field is immutable') in found
    assert any(f == "status.storedVersions[0]" and "v1beta1 was previously a storage version" in m for f, m in found)


# --- names, status and what a CRD serves --------------------------------------------------------------


def stored(crd: dict[str, Any], created: str) -> dict[str, Any]:
    crds.set_defaults(crd)
    crd["metadata"]["creationTimestamp"] = created
    return crd


def test_the_older_crd_keeps_its_names_and_the_newer_one_is_not_established() -> None:
    first = stored(widget_crd(), "2024-01-01T00:00:00Z")
    second = stored(widget_crd(), "2024-01-02T00:00:00Z")
    second["metadata"]["name"] = "gadgets.example.com"
    second["spec"]["names"] = {"plural": "gadgets", "kind": "Widget", "shortNames": ["wd"]}
    crds.set_defaults(second)
    decisions = crds.decide([second, first])
    assert decisions["widgets.example.com"].names_accepted
    assert decisions["widgets.example.com"].established
    late = decisions["gadgets.example.com"]
    assert (late.names_reason, late.established) == ("ListKindConflict", False)
    assert late.accepted_names == {"plural": "gadgets"}  # its singular "widget" is taken as well
    status = crds.desired_status(second, late, terminating="", now="2024-01-03T00:00:00Z")
    assert [(c["type"], c["status"], c["reason"]) for c in status["conditions"]] == [
        ("NamesAccepted", "False", "ListKindConflict"),
        ("Established", "False", "NotAccepted"),
    ]


def test_status_keeps_transition_times_and_stored_versions() -> None:
    crd = stored(widget_crd(), "2024-01-01T00:00:00Z")
    decision = crds.decide([crd])[crd["metadata"]["name"]]
    first = crds.desired_status(crd, decision, terminating="", now="2024-01-01T00:00:01Z")
    assert first["storedVersions"] == ["v1"]
    assert first["acceptedNames"]["categories"] == ["all"]
    crd["status"] = first
    again = crds.desired_status(crd, decision, terminating="InstanceDeletionInProgress", now="2024-01-01T00:00:09Z")
    assert [c["lastTransitionTime"] for c in again["conditions"]] == [
        "2024-01-01T00:00:01Z",
        "2024-01-01T00:00:01Z",
        "2024-01-01T00:00:09Z",
    ]
    assert again["conditions"][2]["type"] == "Terminating"
    assert not crds.status_differs(first, copy.deepcopy(first))


def test_resource_types_per_served_version() -> None:
    crd = stored(widget_crd(), "2024-01-01T00:00:00Z")
    crd["spec"]["versions"].append(
        {"name": "v2alpha1", "served": False, "storage": False, "schema": {"openAPIV3Schema": {"type": "object"}}}
    )
    decision = crds.decide([crd])["widgets.example.com"]
    v1, v1beta1 = crds.resource_types(crd, decision.accepted_names)
    assert (v1.group, v1.version, v1.kind, v1.plural, v1.namespaced) == ("example.com", "v1", "Widget", "widgets", True)
    assert (v1.short_names, v1.categories, v1.subresources) == (("wd",), ("all",), ("status", "scale"))
    assert (v1.preferred, v1beta1.preferred, v1beta1.subresources) == (True, False, ())
    assert v1.custom is not None and v1.custom.storage_version == "v1"
    assert v1.custom.scale == registry.ScalePaths(".spec.replicas", ".status.replicas", ".status.selector")
    assert (v1.singular, v1.list_kind, v1.storage_group_resource) == (
        "widget",
        "WidgetList",
        ("example.com", "widgets"),
    )
    assert v1.storage_group_resource == v1beta1.storage_group_resource  # one key space
    assert [cr.definition_name for cr in crds.openapi_resources([v1, v1beta1])] == [
        "com.example.v1.Widget",
        "com.example.v1beta1.Widget",
    ]


def test_version_priority_orders_as_kubernetes_does() -> None:
    names = ["v1alpha1", "foo", "v2", "v1beta1", "v1", "v11alpha2", "v1beta2", "bar"]
    assert sorted(names, key=registry.version_priority) == [
        "v2",
        "v1",
        "v1beta2",
        "v1beta1",
        "v11alpha2",
        "v1alpha1",
        "bar",
        "foo",
    ]


def test_registry_add_and_remove_custom_versions() -> None:
    reg = registry.Registry.builtin()
    crd = stored(widget_crd(), "2024-01-01T00:00:00Z")
    types = crds.resource_types(crd, crds.decide([crd])["widgets.example.com"].accepted_names)
    for rt in reversed(types):
        reg.add(rt)
    assert reg.group_versions()["example.com"] == ["v1", "v1beta1"]
    for rt in types:
        reg.remove(rt)
    assert "example.com" not in reg.group_versions()
    assert reg.lookup("apps", "v1", "deployments") is not None


def test_decode_prunes_defaults_and_admit_validates() -> None:
    crd = stored(widget_crd(), "2024-01-01T00:00:00Z")
    v1 = crds.resource_types(crd, crds.decide([crd])["widgets.example.com"].accepted_names)[0]
    obj = widget("w", bogus=True)
    assert crds.decode(v1, obj) == ["spec.bogus"]
    assert obj["spec"] == {"size": "small", "replicas": 1}
    bad = widget("w", size="huge")
    with pytest.raises(errors.Invalid) as caught:
        crds.admit(v1, bad)
    assert caught.value.message == (
        'Widget.example.com "w" is invalid: spec.size: Unsupported value: "huge": supported values: "small", "large"'
    )
    assert (caught.value.kind, caught.value.group, caught.value.name) == ("Widget", "example.com", "w")


def test_custom_scale_reads_and_writes_the_crd_paths() -> None:
    crd = stored(widget_crd(), "2024-01-01T00:00:00Z")
    v1 = crds.resource_types(crd, crds.decide([crd])["widgets.example.com"].accepted_names)[0]
    obj = widget("w", replicas=2)
    obj["metadata"].update(namespace="ns", uid="u", resourceVersion="7")
    obj["status"] = {"replicas": 1, "selector": "app=w"}
    assert subresources.scalable(v1)
    assert subresources.scale_of(v1, obj) == {
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {"name": "w", "namespace": "ns", "uid": "u", "resourceVersion": "7"},
        "spec": {"replicas": 2},
        "status": {"replicas": 1, "selector": "app=w"},
    }
    empty: dict[str, Any] = {"metadata": {"name": "e"}}
    assert subresources.scale_of(v1, empty)["spec"] == {"replicas": 0}
    assert subresources.with_replicas(v1, empty, 5)["spec"] == {"replicas": 5}


# --- the API, in process ---------------------------------------------------------------------------


@pytest.fixture
async def app() -> AsyncIterator[App]:
    async with open_store(StoreSettings(endpoint="memory://", max_revisions=200)) as store:
        application = App(store)
        await bootstrap.ensure_defaults(application.resources, application.registry)
        yield application


@pytest.fixture
async def client(app: App) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://k3py") as c:
        yield c


async def create_crd(client: httpx.AsyncClient, crd: dict[str, Any] | None = None) -> dict[str, Any]:
    r = await client.post(CRDS, json=crd or widget_crd())
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


W = "/apis/example.com/v1/namespaces/default/widgets"
W_BETA = "/apis/example.com/v1beta1/namespaces/default/widgets"


async def test_a_created_crd_is_established_and_served_at_once(client: httpx.AsyncClient) -> None:
    created = await create_crd(client)
    status = created["status"]
    assert [(c["type"], c["status"], c["reason"]) for c in status["conditions"]] == [
        ("NamesAccepted", "True", "NoConflicts"),
        ("Established", "True", "InitialNamesAccepted"),
    ]
    assert status["acceptedNames"] == {
        "plural": "widgets",
        "singular": "widget",
        "kind": "Widget",
        "listKind": "WidgetList",
        "shortNames": ["wd"],
        "categories": ["all"],
    }
    assert status["storedVersions"] == ["v1"]
    group = (await client.get("/apis/example.com")).json()
    assert group["preferredVersion"]["version"] == "v1"
    assert [v["version"] for v in group["versions"]] == ["v1", "v1beta1"]
    listing = (await client.get("/apis/example.com/v1")).json()
    assert [r["name"] for r in listing["resources"]] == ["widgets", "widgets/status", "widgets/scale"]
    assert listing["resources"][0]["shortNames"] == ["wd"]
    assert listing["resources"][0]["categories"] == ["all"]
    aggregated = (await client.get("/apis", headers={"accept": AGGREGATED})).json()
    (doc,) = [item for item in aggregated["items"] if item["metadata"]["name"] == "example.com"]
    assert [v["version"] for v in doc["versions"]] == ["v1", "v1beta1"]
    assert doc["versions"][0]["resources"][0]["singularResource"] == "widget"
    root = (await client.get("/openapi/v3")).json()["paths"]
    assert {"apis/example.com/v1", "apis/example.com/v1beta1"} <= set(root)
    v3 = (await client.get(root["apis/example.com/v1"]["serverRelativeURL"])).json()
    schema = v3["components"]["schemas"]["com.example.v1.Widget"]
    assert schema["properties"]["spec"]["properties"]["size"]["enum"] == ["small", "large"]
    assert schema["x-kubernetes-group-version-kind"] == [{"group": "example.com", "kind": "Widget", "version": "v1"}]
    v2 = (await client.get("/openapi/v2")).json()
    assert "com.example.v1.Widget" in v2["definitions"]
    assert "/apis/example.com/v1/namespaces/{namespace}/widgets/{name}/scale" in v2["paths"]


async def test_an_invalid_crd_is_refused_with_field_causes(client: httpx.AsyncClient) -> None:
    crd = widget_crd()
    crd["metadata"]["name"] = "wrong.example.com"
    crd["spec"]["versions"][1]["storage"] = True
    r = await client.post(CRDS, json=crd)
    assert r.status_code == 422
    status = r.json()
    assert status["message"].startswith(
        'CustomResourceDefinition.apiextensions.k8s.io "wrong.example.com" is invalid: ['
    )
    assert [c["field"] for c in status["details"]["causes"]] == ["metadata.name", "spec.versions"]
    assert (await client.get("/apis/example.com")).status_code == 404


async def test_custom_resources_in_two_versions_share_one_key_space(app: App, client: httpx.AsyncClient) -> None:
    await create_crd(client)
    r = await client.post(W, json=widget("a"))
    assert r.status_code == 201, r.text
    assert r.json()["spec"] == {"size": "small", "replicas": 1}
    r = await client.post(W_BETA, json=widget("b", "v1beta1", replicas=2))
    assert r.status_code == 201, r.text
    got = (await client.get(f"{W_BETA}/a")).json()
    assert (got["apiVersion"], got["kind"]) == ("example.com/v1beta1", "Widget")
    listing = (await client.get(W)).json()
    assert (listing["kind"], listing["apiVersion"]) == ("WidgetList", "example.com/v1")
    assert [(i["metadata"]["name"], i["apiVersion"]) for i in listing["items"]] == [
        ("a", "example.com/v1"),
        ("b", "example.com/v1"),
    ]
    keys = [kv.key for kv in (await app.store.list("/registry/example.com/widgets/")).items]
    assert keys == ["/registry/example.com/widgets/default/a", "/registry/example.com/widgets/default/b"]
    r = await client.post(W, json={**widget("c"), "apiVersion": "example.com/v1beta1"})
    assert r.status_code == 400  # the body's version must be the URL's


async def test_invalid_custom_resources_get_422_with_field_paths(client: httpx.AsyncClient) -> None:
    await create_crd(client)
    r = await client.post(W, json=widget("bad", replicas="many", size="huge"))
    assert r.status_code == 422
    status = r.json()
    assert status["message"] == (
        'Widget.example.com "bad" is invalid: [spec.size: Unsupported value: "huge": supported values: "small", '
        '"large", spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"]'
    )
    assert status["details"]["causes"][1] == {
        "reason": "FieldValueTypeInvalid",
        "message": 'Invalid value: "string": spec.replicas in body must be of type integer: "string"',
        "field": "spec.replicas",
    }
    r = await client.post(W, json={"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "x"}})
    assert r.status_code == 201  # spec is not required
    r = await client.put(f"{W}/x", json={**widget("x"), "spec": {}})
    assert (r.status_code, r.json()["details"]["causes"][0]["field"]) == (422, "spec.size")
    r = await client.patch(
        f"{W}/x", content=b'{"spec":{"replicas":11}}', headers={"content-type": "application/merge-patch+json"}
    )
    assert r.status_code == 422
    assert "spec.replicas in body should be less than or equal to 10" in r.json()["message"]


async def test_unknown_fields_are_pruned_warned_or_refused(client: httpx.AsyncClient) -> None:
    await create_crd(client)
    r = await client.post(W, json=widget("warn", extra=1))
    assert r.status_code == 201
    assert r.headers.get_list("warning") == ['299 - "unknown field \\"spec.extra\\""']
    assert "extra" not in r.json()["spec"]
    r = await client.post(W + "?fieldValidation=Ignore", json=widget("ignore", extra=1))
    assert (r.status_code, r.headers.get_list("warning")) == (201, [])
    assert "extra" not in (await client.get(f"{W}/ignore")).json()["spec"]
    r = await client.post(W + "?fieldValidation=Strict", json=widget("strict", extra=1))
    assert (r.status_code, r.json()["message"]) == (400, 'strict decoding error: unknown field "spec.extra"')


async def test_defaults_apply_on_create_update_and_read(app: App, client: httpx.AsyncClient) -> None:
    crd = await create_crd(client)
    await client.post(W, json=widget("a", replicas=3))
    got = (await client.get(f"{W}/a")).json()
    got["spec"].pop("replicas")
    r = await client.put(f"{W}/a", json=got)
    assert r.json()["spec"]["replicas"] == 1  # defaulted again on update
    for version in crd["spec"]["versions"]:
        version["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]["selector"]["default"] = "all"
    r = await client.put(f"{CRDS}/widgets.example.com", json=crd)
    assert r.status_code == 200, r.text
    assert (await client.get(f"{W}/a")).json()["spec"]["selector"] == "all"  # on read
    raw = json.loads((await app.store.get("/registry/example.com/widgets/default/a")).value)  # type: ignore[union-attr]
    assert "selector" not in raw["spec"]  # not written by a read


async def test_status_subresource_splits_spec_and_status(client: httpx.AsyncClient) -> None:
    await create_crd(client)
    body = widget("a")
    body["status"] = {"replicas": 9}
    created = (await client.post(W, json=body)).json()
    assert "status" not in created  # the server gives the status
    created["status"] = {"replicas": 2}
    created["spec"]["replicas"] = 2
    r = await client.put(f"{W}/a/status", json=created)
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["spec"]["replicas"], r.json()["metadata"]["generation"]) == (
        {"replicas": 2},
        1,
        1,
    )
    current = r.json()
    current["status"] = {"replicas": 5}
    current["metadata"]["labels"] = {"a": "b"}
    r = await client.put(f"{W}/a", json=current)
    assert (r.json()["status"], r.json()["metadata"]["generation"]) == ({"replicas": 2}, 1)  # metadata only
    current = r.json()
    current["spec"]["size"] = "large"
    r = await client.put(f"{W}/a", json=current)
    assert r.json()["metadata"]["generation"] == 2
    r = await client.patch(
        f"{W}/a/status",
        content=b'{"status":{"replicas":"x"}}',
        headers={"content-type": "application/merge-patch+json"},
    )
    assert (r.status_code, r.json()["details"]["causes"][0]["field"]) == (422, "status.replicas")


async def test_scale_subresource_of_a_custom_resource(client: httpx.AsyncClient) -> None:
    await create_crd(client)
    await client.post(W, json=widget("a", replicas=2))
    await client.patch(
        f"{W}/a/status",
        content=b'{"status":{"replicas":2,"selector":"app=a"}}',
        headers={"content-type": "application/merge-patch+json"},
    )
    scale = (await client.get(f"{W}/a/scale")).json()
    assert (scale["kind"], scale["spec"], scale["status"]) == (
        "Scale",
        {"replicas": 2},
        {"replicas": 2, "selector": "app=a"},
    )
    scale["spec"]["replicas"] = 4
    r = await client.put(f"{W}/a/scale", json=scale)
    assert (r.status_code, r.json()["spec"]["replicas"]) == (200, 4)
    assert (await client.get(f"{W}/a")).json()["spec"]["replicas"] == 4
    r = await client.patch(
        f"{W}/a/scale", content=b'{"spec":{"replicas":20}}', headers={"content-type": "application/merge-patch+json"}
    )
    assert r.status_code == 422  # the schema's maximum still holds


async def test_tables_show_printer_columns(app: App, client: httpx.AsyncClient) -> None:
    await create_crd(client)
    await client.post(W, json=widget("a", replicas=3, selector="app=a"))
    await client.patch(
        f"{W}/a/status",
        content=b'{"status":{"conditions":[{"type":"Ready","status":"True"}]}}',
        headers={"content-type": "application/merge-patch+json"},
    )
    table = (await client.get(W, headers={"accept": TABLE})).json()
    assert [(c["name"], c["type"], c["priority"]) for c in table["columnDefinitions"]] == [
        ("Name", "string", 0),
        ("Size", "string", 0),
        ("Replicas", "integer", 0),
        ("Ready", "string", 0),
        ("Selector", "string", 1),
        ("Age", "date", 0),
    ]
    cells = table["rows"][0]["cells"]
    assert cells[:5] == ["a", "small", 3, "True", "app=a"]
    assert cells[5].endswith("s")  # an age, as translateTimestampSince prints it
    beta = (await client.get(W_BETA, headers={"accept": TABLE})).json()
    assert [c["name"] for c in beta["columnDefinitions"]] == ["Name", "Age"]  # no columns: Name and Age


async def test_cluster_scoped_custom_resources(client: httpx.AsyncClient) -> None:
    await create_crd(client, widget_crd("cluster.example.com", scope="Cluster"))
    r = await client.post(
        "/apis/cluster.example.com/v1/widgets", json={**widget("c"), "apiVersion": "cluster.example.com/v1"}
    )
    assert r.status_code == 201, r.text
    assert "namespace" not in r.json()["metadata"]
    assert (await client.get("/apis/cluster.example.com/v1/widgets/c")).status_code == 200
    assert (await client.get("/apis/cluster.example.com/v1")).json()["resources"][0]["namespaced"] is False


async def test_deleting_a_crd_deletes_its_resources_and_stops_serving_them(app: App, client: httpx.AsyncClient) -> None:
    await create_crd(client)
    await client.post("/api/v1/namespaces", json={"metadata": {"name": "other"}})
    await client.post(W, json=widget("a"))
    await client.post("/apis/example.com/v1/namespaces/other/widgets", json=widget("b"))
    old_hash = (await client.get("/openapi/v3")).json()["paths"]["apis/example.com/v1"]
    r = await client.delete(f"{CRDS}/widgets.example.com")
    assert r.status_code == 200
    assert (await app.store.list("/registry/example.com/")).items == []
    assert (await client.get(W)).status_code == 404
    assert (await client.get("/apis/example.com/v1")).status_code == 404
    assert "example.com" not in [g["name"] for g in (await client.get("/apis")).json()["groups"]]
    assert "apis/example.com/v1" not in (await client.get("/openapi/v3")).json()["paths"]
    assert (await client.get(old_hash["serverRelativeURL"])).status_code == 404
    await create_crd(client)  # and it can come back, empty
    assert (await client.get(W)).json()["items"] == []


async def test_a_crd_waits_for_finalizers_of_its_resources(client: httpx.AsyncClient) -> None:
    await create_crd(client)
    held = widget("held")
    held["metadata"]["finalizers"] = ["example.com/hold"]
    await client.post(W, json=held)
    await client.post(W, json=widget("free"))
    r = await client.delete(f"{CRDS}/widgets.example.com")
    assert r.status_code == 202
    crd = (await client.get(f"{CRDS}/widgets.example.com")).json()
    assert crd["metadata"]["finalizers"] == [crds.CLEANUP_FINALIZER]
    assert ("Terminating", "True") in [(c["type"], c["status"]) for c in crd["status"]["conditions"]]
    assert [i["metadata"]["name"] for i in (await client.get(W)).json()["items"]] == ["held"]
    r = await client.post(W, json=widget("new"))
    assert (r.status_code, r.json()["message"]) == (
        405,
        "create not allowed while custom resource definition is terminating",
    )
    r = await client.patch(
        f"{W}/held",
        content=b'{"metadata":{"finalizers":null}}',
        headers={"content-type": "application/merge-patch+json"},
    )
    assert r.status_code == 200, r.text
    assert (await client.get(f"{CRDS}/widgets.example.com")).status_code == 404
    assert (await client.get(W)).status_code == 404


async def test_a_conflicting_crd_is_not_served(client: httpx.AsyncClient) -> None:
    await create_crd(client)
    other = widget_crd()
    other["metadata"]["name"] = "gizmos.example.com"
    other["spec"]["names"] = {"plural": "gizmos", "kind": "Gizmo", "shortNames": ["wd"]}
    created = await create_crd(client, other)
    names = {c["type"]: c for c in created["status"]["conditions"]}
    assert (names["NamesAccepted"]["status"], names["NamesAccepted"]["reason"]) == ("False", "ShortNamesConflict")
    assert names["NamesAccepted"]["message"] == '"wd" is already in use'
    assert names["Established"]["status"] == "False"
    assert (await client.get("/apis/example.com/v1/namespaces/default/gizmos")).status_code == 404
    await client.delete(f"{CRDS}/widgets.example.com")
    again = (await client.get(f"{CRDS}/gizmos.example.com")).json()
    assert [(c["type"], c["status"]) for c in again["status"]["conditions"]] == [
        ("NamesAccepted", "True"),
        ("Established", "True"),
    ]


async def test_crd_updates_change_what_is_served(client: httpx.AsyncClient) -> None:
    crd = await create_crd(client)
    crd["spec"]["versions"][1]["served"] = False
    crd["spec"]["names"]["shortNames"] = ["wdg"]
    r = await client.put(f"{CRDS}/widgets.example.com", json=crd)
    assert r.status_code == 200, r.text
    assert (await client.get(W_BETA)).status_code == 404
    assert (await client.get("/apis/example.com/v1")).json()["resources"][0]["shortNames"] == ["wdg"]
    crd = r.json()
    crd["spec"]["group"] = "other.example.com"
    r = await client.put(f"{CRDS}/widgets.example.com", json=crd)
    assert r.status_code == 422
    assert [c["field"] for c in r.json()["details"]["causes"]][-1] == "spec.group"


async def test_watching_custom_resources_gives_the_requested_version(client: httpx.AsyncClient) -> None:
    await create_crd(client)
    await client.post(W, json=widget("a"))
    with trio.fail_after(10):  # httpx's ASGI transport buffers the answer: the watch ends by its timeout
        r = await client.get(W_BETA, params={"watch": "1", "timeoutSeconds": "1"})
    first = json.loads(r.text.splitlines()[0])
    assert (first["type"], first["object"]["apiVersion"]) == ("ADDED", "example.com/v1beta1")
    assert first["object"]["spec"]["replicas"] == 1


async def test_deleting_a_namespace_deletes_its_custom_resources(client: httpx.AsyncClient) -> None:
    await create_crd(client)
    await client.post("/api/v1/namespaces", json={"metadata": {"name": "gone"}})
    await client.post("/apis/example.com/v1/namespaces/gone/widgets", json=widget("a"))
    r = await client.delete("/api/v1/namespaces/gone")
    assert r.status_code == 200
    assert (await client.get("/apis/example.com/v1/widgets")).json()["items"] == []


async def test_stored_crds_are_served_when_the_server_starts() -> None:
    async with open_store(StoreSettings(endpoint="memory://")) as store:
        first = App(store)
        await bootstrap.ensure_defaults(first.resources, first.registry)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=first), base_url="http://k3py") as c:
            await create_crd(c)
            assert (await c.post(W, json=widget("kept"))).status_code == 201
        second = App(store)
        assert second.registry.lookup("example.com", "v1", "widgets") is None
        to_app_send, to_app_receive = trio.open_memory_channel[dict[str, Any]](1)
        from_app_send, from_app_receive = trio.open_memory_channel[dict[str, Any]](1)

        async def send(message: dict[str, Any]) -> None:
            await from_app_send.send(message)

        async with trio.open_nursery() as nursery:
            nursery.start_soon(second, {"type": "lifespan"}, to_app_receive.receive, send)
            await to_app_send.send({"type": "lifespan.startup"})
            assert (await from_app_receive.receive())["type"] == "lifespan.startup.complete"
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=second), base_url="http://k3py") as c:
                assert (await c.get(f"{W}/kept")).json()["spec"]["replicas"] == 1
            await to_app_send.send({"type": "lifespan.shutdown"})
            assert (await from_app_receive.receive())["type"] == "lifespan.shutdown.complete"


async def test_server_side_apply_defaults_the_result_not_the_configuration(client: httpx.AsyncClient) -> None:
    """A default in the applied configuration would make its manager own the field and reset it."""
    await create_crd(client)
    apply = {"content-type": "application/apply-patch+yaml"}
    r = await client.patch(f"{W}/s", params={"fieldManager": "me"}, content=json.dumps(widget("s")), headers=apply)
    assert (r.status_code, r.json()["spec"]) == (201, {"size": "small", "replicas": 1})
    r = await client.patch(
        f"{W}/s/scale", content=b'{"spec":{"replicas":4}}', headers={"content-type": "application/merge-patch+json"}
    )
    assert r.status_code == 200
    config = json.dumps(widget("s", size="large"))
    r = await client.patch(f"{W}/s", params={"fieldManager": "me"}, content=config, headers=apply)
    assert (r.status_code, r.json()["spec"]) == (200, {"size": "large", "replicas": 4})
    r = await client.patch(
        f"{W}/s", params={"fieldManager": "me"}, content=json.dumps(widget("s", size="huge")), headers=apply
    )
    assert r.status_code == 422


async def test_custom_resources_refuse_strategic_merge_patches(client: httpx.AsyncClient) -> None:
    await create_crd(client)
    await client.post(W, json=widget("p"))
    smp = {"content-type": "application/strategic-merge-patch+json"}
    r = await client.patch(f"{W}/p", content=json.dumps({"spec": {"replicas": 3}}), headers=smp)
    assert r.status_code == 415
    merge = {"content-type": "application/merge-patch+json"}
    r = await client.patch(f"{W}/p", content=json.dumps({"spec": {"replicas": 3}}), headers=merge)
    assert (r.status_code, r.json()["spec"]["replicas"]) == (200, 3)
