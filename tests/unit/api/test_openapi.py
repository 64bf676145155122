"""The OpenAPI bundle, the documents built from it, and the generator that makes the bundle."""

from __future__ import annotations

import gzip
import hashlib
import importlib.resources
import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from k3py.api import openapi, registry
from k3py.core import errors

ROOT = Path(__file__).resolve().parents[3]
POD = "io.k8s.api.core.v1.Pod"
DEPLOYMENT = "io.k8s.api.apps.v1.Deployment"

PODS = openapi.ServedResource("", "v1", "Pod", "pods", True, subresources=("status", "log", "exec", "binding"))
NAMESPACES = openapi.ServedResource("", "v1", "Namespace", "namespaces", False, subresources=("status", "finalize"))
DEPLOYMENTS = openapi.ServedResource("apps", "v1", "Deployment", "deployments", True, subresources=("status", "scale"))
ROLES = openapi.ServedResource("rbac.authorization.k8s.io", "v1", "Role", "roles", True)
SERVED = (PODS, NAMESPACES, DEPLOYMENTS, ROLES)

CRONTAB_CRD: dict[str, Any] = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "crontabs.stable.example.com"},
    "spec": {
        "group": "stable.example.com",
        "scope": "Namespaced",
        "names": {"plural": "crontabs", "kind": "CronTab", "listKind": "CronTabList"},
        "versions": [
            {
                "name": "v1",
                "served": True,
                "subresources": {"status": {}},
                "schema": {
                    "openAPIV3Schema": {
                        "type": "object",
                        "properties": {
                            "spec": {
                                "type": "object",
                                "properties": {
                                    "cronSpec": {"type": "string"},
                                    "size": {"type": "integer", "nullable": True},
                                    "mode": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
                                    "extra": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                                },
                                "required": ["cronSpec", "size"],
                            }
                        },
                    }
                },
            },
            {"name": "v0", "served": False},
        ],
    },
}


def _refs(node: Any) -> list[str]:
    out: list[str] = []

    def walk(value: Any, in_properties: bool = False) -> None:
        if isinstance(value, dict):
            for key, child in value.items():
                if key == "$ref" and not in_properties:
                    out.append(child)
                else:
                    walk(child, key in ("properties", "patternProperties") and not in_properties)
        elif isinstance(value, list):
            for child in value:
                walk(child)

    walk(node)
    return out


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_openapi", ROOT / "scripts" / "gen_openapi.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- the bundle ---------------------------------------------------------------------------


def test_bundle_loads_with_the_kubernetes_release() -> None:
    schemas = openapi.Schemas.builtin()
    assert schemas.kubernetes_version == "v1.37.0"
    assert len(schemas.definitions) > 800
    assert schemas is openapi.Schemas.builtin()  # loaded once


@pytest.mark.parametrize(
    ("group", "version", "kind", "name"),
    [
        pytest.param("", "v1", "Pod", POD, id="pod"),
        pytest.param("", "v1", "ConfigMap", "io.k8s.api.core.v1.ConfigMap", id="configmap"),
        pytest.param("apps", "v1", "Deployment", DEPLOYMENT, id="deployment"),
        pytest.param("batch", "v1", "CronJob", "io.k8s.api.batch.v1.CronJob", id="cronjob"),
        pytest.param("rbac.authorization.k8s.io", "v1", "ClusterRole", "io.k8s.api.rbac.v1.ClusterRole", id="rbac"),
        pytest.param("apps", "v1", "DeleteOptions", "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions", id="meta"),
    ],
)
def test_definition_for_finds_the_kind_by_its_gvk_extension(group: str, version: str, kind: str, name: str) -> None:
    definition = openapi.definition_for(group, version, kind)
    assert definition is openapi.definitions()[name]
    assert {"group": group, "version": version, "kind": kind} in definition["x-kubernetes-group-version-kind"]


def test_definition_for_an_unknown_kind_is_none() -> None:
    assert openapi.definition_for("", "v1", "Nope") is None
    assert openapi.definition_for("apps", "v2", "Deployment") is None


def test_pod_spec_carries_the_patch_extensions() -> None:
    containers = openapi.resolve("#/definitions/io.k8s.api.core.v1.PodSpec")["properties"]["containers"]
    assert containers["x-kubernetes-patch-strategy"] == "merge"
    assert containers["x-kubernetes-patch-merge-key"] == "name"
    assert containers["x-kubernetes-list-type"] == "map"
    assert containers["x-kubernetes-list-map-keys"] == ["name"]
    assert containers["items"] == {"$ref": "#/definitions/io.k8s.api.core.v1.Container"}
    ports = openapi.resolve(containers["items"]["$ref"])["properties"]["ports"]
    assert ports["x-kubernetes-patch-merge-key"] == "containerPort"
    tolerations = openapi.resolve("io.k8s.api.core.v1.PodSpec")["properties"]["tolerations"]
    assert "x-kubernetes-patch-merge-key" not in tolerations  # atomic list


@pytest.mark.parametrize(
    "ref",
    [
        pytest.param("#/definitions/io.k8s.api.core.v1.Container", id="v2"),
        pytest.param("#/components/schemas/io.k8s.api.core.v1.Container", id="v3"),
        pytest.param("io.k8s.api.core.v1.Container", id="bare"),
    ],
)
def test_resolve_accepts_v2_v3_and_bare_names(ref: str) -> None:
    assert openapi.resolve(ref) is openapi.definitions()["io.k8s.api.core.v1.Container"]


@pytest.mark.parametrize("ref", ["#/definitions/io.k8s.Nope", "#/$defs/io.k8s.api.core.v1.Container"])
def test_resolve_an_unknown_ref_raises_key_error(ref: str) -> None:
    with pytest.raises(KeyError):
        openapi.resolve(ref)


def test_bundle_is_in_the_swagger_shape() -> None:
    """The JSON Schema rewrites of kubernetes-validate are undone everywhere."""
    defs = dict(openapi.definitions())  # decoded whole: the walk needs plain dicts
    refs = _refs(defs)
    assert refs
    assert all(ref.startswith("#/definitions/") and ref[len("#/definitions/") :] in defs for ref in refs)
    types: list[Any] = []

    def collect(value: Any, in_properties: bool = False) -> None:
        if isinstance(value, dict):
            for key, child in value.items():
                if key == "type" and not in_properties:
                    types.append(child)
                else:
                    collect(child, key == "properties" and not in_properties)
        elif isinstance(value, list):
            for child in value:
                collect(child)

    collect(defs)
    assert all(isinstance(t, str) for t in types)
    assert "enum" not in defs[POD]["properties"]["apiVersion"]
    assert "enum" not in defs[POD]["properties"]["kind"]
    assert defs["io.k8s.apimachinery.pkg.util.intstr.IntOrString"] == {"type": "string", "format": "int-or-string"}
    assert defs["io.k8s.apimachinery.pkg.api.resource.Quantity"] == {"type": "string"}


def test_every_builtin_resource_has_a_definition() -> None:
    schemas = openapi.Schemas.builtin()
    missing = [rt.kind for rt in registry.BUILTINS if schemas.name_for(rt.group, rt.version, rt.kind) is None]
    assert missing == []


# --- /openapi/v2 ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def v2() -> dict[str, Any]:
    return openapi.build_v2(SERVED)


@pytest.mark.parametrize(
    ("path", "method", "operation_id", "action", "kind"),
    [
        ("/api/v1/namespaces/{namespace}/pods", "get", "listCoreV1NamespacedPod", "list", "Pod"),
        ("/api/v1/namespaces/{namespace}/pods", "post", "createCoreV1NamespacedPod", "post", "Pod"),
        (
            "/api/v1/namespaces/{namespace}/pods",
            "delete",
            "deleteCoreV1CollectionNamespacedPod",
            "deletecollection",
            "Pod",
        ),
        ("/api/v1/namespaces/{namespace}/pods/{name}", "get", "readCoreV1NamespacedPod", "get", "Pod"),
        ("/api/v1/namespaces/{namespace}/pods/{name}", "put", "replaceCoreV1NamespacedPod", "put", "Pod"),
        ("/api/v1/namespaces/{namespace}/pods/{name}", "patch", "patchCoreV1NamespacedPod", "patch", "Pod"),
        ("/api/v1/namespaces/{namespace}/pods/{name}", "delete", "deleteCoreV1NamespacedPod", "delete", "Pod"),
        ("/api/v1/pods", "get", "listCoreV1PodForAllNamespaces", "list", "Pod"),
        ("/api/v1/watch/namespaces/{namespace}/pods", "get", "watchCoreV1NamespacedPodList", "watchlist", "Pod"),
        (
            "/api/v1/namespaces/{namespace}/pods/{name}/status",
            "patch",
            "patchCoreV1NamespacedPodStatus",
            "patch",
            "Pod",
        ),
        ("/api/v1/namespaces/{namespace}/pods/{name}/log", "get", "readCoreV1NamespacedPodLog", "get", "Pod"),
        (
            "/api/v1/namespaces/{namespace}/pods/{name}/exec",
            "post",
            "connectCoreV1PostNamespacedPodExec",
            "connect",
            "PodExecOptions",
        ),
        (
            "/api/v1/namespaces/{namespace}/pods/{name}/binding",
            "post",
            "createCoreV1NamespacedPodBinding",
            "post",
            "Binding",
        ),
        ("/api/v1/namespaces/{name}", "get", "readCoreV1Namespace", "get", "Namespace"),
        ("/api/v1/namespaces/{name}/finalize", "put", "replaceCoreV1NamespaceFinalize", "put", "Namespace"),
        (
            "/apis/apps/v1/namespaces/{namespace}/deployments",
            "get",
            "listAppsV1NamespacedDeployment",
            "list",
            "Deployment",
        ),
        (
            "/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale",
            "get",
            "readAppsV1NamespacedDeploymentScale",
            "get",
            "Scale",
        ),
        (
            "/apis/rbac.authorization.k8s.io/v1/namespaces/{namespace}/roles",
            "get",
            "listRbacAuthorizationV1NamespacedRole",
            "list",
            "Role",
        ),
    ],
)
def test_v2_operations_are_shaped_like_kube_apiserver(
    v2: dict[str, Any], path: str, method: str, operation_id: str, action: str, kind: str
) -> None:
    operation = v2["paths"][path][method]
    assert operation["operationId"] == operation_id
    assert operation["x-kubernetes-action"] == action
    assert operation["x-kubernetes-group-version-kind"]["kind"] == kind
    assert "401" in operation["responses"]


def test_v2_document_has_the_swagger_envelope(v2: dict[str, Any]) -> None:
    assert v2["swagger"] == "2.0"
    assert v2["info"] == {"title": "Kubernetes", "version": "v1.37.0"}
    assert v2["paths"]["/api/v1/"]["get"]["operationId"] == "getCoreV1APIResources"
    tags = {op["tags"][0] for item in v2["paths"].values() for m, op in item.items() if m != "parameters"}
    assert tags == {"core_v1", "apps_v1", "rbacAuthorization_v1"}


def test_v2_bodies_and_parameters(v2: dict[str, Any]) -> None:
    create = v2["paths"]["/api/v1/namespaces/{namespace}/pods"]["post"]
    body = create["parameters"][0]
    assert body == {"name": "body", "in": "body", "schema": {"$ref": f"#/definitions/{POD}"}, "required": True}
    assert create["responses"]["201"]["schema"] == {"$ref": f"#/definitions/{POD}"}
    patch = v2["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"]
    assert "application/strategic-merge-patch+json" in patch["consumes"]
    assert patch["parameters"][0]["schema"] == {"$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch"}
    assert {p["name"] for p in patch["parameters"]} >= {"fieldValidation", "fieldManager", "force", "dryRun"}
    item = v2["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]
    assert [(p["name"], p["in"]) for p in item["parameters"]] == [
        ("name", "path"),
        ("namespace", "path"),
        ("pretty", "query"),
    ]
    assert all(p["required"] for p in item["parameters"] if p["in"] == "path")


def test_v2_definitions_are_what_the_paths_reach(v2: dict[str, Any]) -> None:
    definitions = v2["definitions"]
    assert {POD, DEPLOYMENT, "io.k8s.api.autoscaling.v1.Scale", "io.k8s.api.core.v1.Container"} <= set(definitions)
    assert "io.k8s.api.batch.v1.Job" not in definitions
    for ref in _refs(v2["paths"]) + _refs(definitions):
        assert ref.startswith("#/definitions/")
        assert ref[len("#/definitions/") :] in definitions


# --- /openapi/v3 ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def documents() -> openapi.Documents:
    return openapi.Documents(SERVED)


def test_v3_root_lists_each_group_version_with_the_hash_of_its_document(documents: openapi.Documents) -> None:
    root = json.loads(documents.v3_root().body)
    assert set(root["paths"]) == {"api/v1", "apis/apps/v1", "apis/rbac.authorization.k8s.io/v1"}
    for gv, entry in root["paths"].items():
        document = documents.v3(gv)
        assert document is not None
        digest = hashlib.sha512(document.body).hexdigest().upper()
        assert entry["serverRelativeURL"] == f"/openapi/v3/{gv}?hash={digest}"


def test_v3_document_refs_are_components_and_all_resolve(documents: openapi.Documents) -> None:
    for gv in ("api/v1", "apis/apps/v1"):
        document = documents.v3(gv)
        assert document is not None
        doc = json.loads(document.body)
        assert doc["openapi"] == "3.0.0"
        schemas = doc["components"]["schemas"]
        refs = _refs(doc)
        assert refs
        for ref in refs:
            assert ref.startswith("#/components/schemas/"), ref
            assert ref[len("#/components/schemas/") :] in schemas


def test_v3_document_holds_only_the_schemas_its_paths_reach(documents: openapi.Documents) -> None:
    apps = documents.v3("apis/apps/v1")
    assert apps is not None
    schemas = json.loads(apps.body)["components"]["schemas"]
    assert DEPLOYMENT in schemas
    assert "io.k8s.api.core.v1.PodTemplateSpec" in schemas  # reached through DeploymentSpec
    assert "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions" in schemas
    assert POD not in schemas
    assert "io.k8s.api.rbac.v1.Role" not in schemas
    paths = json.loads(apps.body)["paths"]
    assert all(path.startswith("/apis/apps/v1/") for path in paths)


def test_v3_patch_operation_is_what_kubectl_apply_looks_for(documents: openapi.Documents) -> None:
    """kubectl: PATCH with the GVK, a strategic-merge-patch body, and the fieldValidation parameter."""
    apps = documents.v3("apis/apps/v1")
    assert apps is not None
    doc = json.loads(apps.body)
    patch = doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"]
    assert patch["x-kubernetes-group-version-kind"] == {"group": "apps", "kind": "Deployment", "version": "v1"}
    assert "application/strategic-merge-patch+json" in patch["requestBody"]["content"]
    assert {"name": "fieldValidation", "in": "query"}.items() <= next(
        p for p in patch["parameters"] if p["name"] == "fieldValidation"
    ).items()
    deployment = doc["components"]["schemas"][DEPLOYMENT]
    assert deployment["x-kubernetes-group-version-kind"] == [{"group": "apps", "kind": "Deployment", "version": "v1"}]
    # a $ref with a description becomes allOf, as kube-openapi writes v3
    assert deployment["properties"]["spec"]["allOf"] == [
        {"$ref": "#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec"}
    ]
    assert "description" in deployment["properties"]["spec"]


def test_v3_int_or_string_and_quantity_are_one_of() -> None:
    doc = openapi.build_v3([PODS])["api/v1"]
    schemas = doc["components"]["schemas"]
    assert schemas["io.k8s.apimachinery.pkg.util.intstr.IntOrString"] == {
        "format": "int-or-string",
        "oneOf": [{"type": "integer"}, {"type": "string"}],
    }
    assert schemas["io.k8s.apimachinery.pkg.api.resource.Quantity"] == {
        "oneOf": [{"type": "string"}, {"type": "number"}]
    }


def test_registry_entries_fit_the_served_protocol() -> None:
    docs = openapi.build_v3(registry.BUILTINS)
    assert "apis/autoscaling/v2" in docs
    assert "/api/v1/namespaces/{namespace}/services/{name}/proxy/{path}" in docs["api/v1"]["paths"]


def test_documents_are_deterministic() -> None:
    first = openapi.Documents(SERVED)
    second = openapi.Documents(reversed(SERVED))
    assert first.v2() == second.v2()
    assert first.v3_root() == second.v3_root()


# --- serving ----------------------------------------------------------------------------------


PROTOBUF = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"


@pytest.mark.parametrize(
    "accept",
    [
        pytest.param(None, id="none"),
        pytest.param("application/json", id="json"),
        pytest.param("*/*", id="any"),
        pytest.param("application/*", id="application"),
        pytest.param(f"{PROTOBUF}, application/json;q=0.5", id="protobuf-then-json"),
        pytest.param("application/json;g=apidiscovery.k8s.io;v=v2, */*;q=0.1", id="json-with-params"),
    ],
)
def test_negotiate_answers_json_when_the_client_takes_it(accept: str | None) -> None:
    assert openapi.negotiate(accept) == "application/json"


@pytest.mark.parametrize(
    "accept",
    [
        pytest.param(PROTOBUF, id="client-go-v2"),
        pytest.param("application/com.github.proto-openapi.spec.v2.v1.0+protobuf", id="protobuf-new-name"),
        pytest.param(f"{PROTOBUF}, application/json;q=0", id="json-refused"),
        pytest.param("text/html", id="html"),
    ],
)
def test_negotiate_refuses_what_is_not_json(accept: str) -> None:
    with pytest.raises(errors.NotAcceptable):
        openapi.negotiate(accept)


def test_answer_v2_with_etag_and_not_modified(documents: openapi.Documents) -> None:
    answer = documents.answer("/openapi/v2", accept="application/json")
    assert answer.code == 200
    assert answer.body == documents.v2().body
    headers = dict(answer.headers)
    assert headers["ETag"] == f'"{hashlib.sha512(answer.body).hexdigest().upper()}"'
    assert headers["Vary"] == "Accept"
    again = documents.answer("/openapi/v2", if_none_match=headers["ETag"])
    assert (again.code, again.body) == (304, b"")


def test_answer_v2_to_protobuf_only_is_406(documents: openapi.Documents) -> None:
    with pytest.raises(errors.NotAcceptable):
        documents.answer("/openapi/v2", accept=PROTOBUF)


def test_answer_v3_root_is_json_whatever_the_accept(documents: openapi.Documents) -> None:
    answer = documents.answer("/openapi/v3/", accept=PROTOBUF)
    assert answer.code == 200
    assert json.loads(answer.body)["paths"]


def test_answer_v3_with_the_current_hash_is_cacheable_forever(documents: openapi.Documents) -> None:
    document = documents.v3("apis/apps/v1")
    assert document is not None
    answer = documents.answer("/openapi/v3/apis/apps/v1", query_hash=document.hash)
    headers = dict(answer.headers)
    assert answer.code == 200
    assert headers["Cache-Control"] == "public, immutable"
    assert "Expires" in headers


def test_answer_v3_with_a_stale_hash_redirects_to_the_current_one(documents: openapi.Documents) -> None:
    document = documents.v3("api/v1")
    assert document is not None
    answer = documents.answer("/openapi/v3/api/v1", query_hash="ABC")
    assert answer.code == 301
    assert dict(answer.headers)["Location"] == f"/openapi/v3/api/v1?hash={document.hash}"


def test_answer_v3_of_an_unserved_group_version_is_not_found(documents: openapi.Documents) -> None:
    with pytest.raises(errors.NotFound):
        documents.answer("/openapi/v3/apis/batch/v1")


# --- custom resources -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def crontab() -> openapi.CustomResource:
    (only,) = openapi.CustomResource.from_crd(CRONTAB_CRD)
    return only


def test_from_crd_takes_the_served_versions(crontab: openapi.CustomResource) -> None:
    assert (crontab.group, crontab.version, crontab.kind, crontab.list_kind) == (
        "stable.example.com",
        "v1",
        "CronTab",
        "CronTabList",
    )
    assert crontab.namespaced
    assert crontab.subresources == ("status",)
    assert crontab.definition_name == "com.example.stable.v1.CronTab"


def test_with_custom_resources_adds_object_and_list_definitions(crontab: openapi.CustomResource) -> None:
    builtin = openapi.Schemas.builtin()
    schemas = builtin.with_custom_resources([crontab])
    assert "com.example.stable.v1.CronTab" not in builtin.definitions  # a new set, not a change
    definition = schemas.definition_for("stable.example.com", "v1", "CronTab")
    assert definition is schemas.definitions["com.example.stable.v1.CronTab"]
    assert (
        definition["properties"]["metadata"]["$ref"] == "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
    )
    assert definition["properties"]["spec"]["properties"]["cronSpec"] == {"type": "string"}
    listing = schemas.definition_for("stable.example.com", "v1", "CronTabList")
    assert listing is not None
    assert listing["properties"]["items"]["items"] == {"$ref": "#/definitions/com.example.stable.v1.CronTab"}


def test_custom_resource_documents(crontab: openapi.CustomResource) -> None:
    schemas = openapi.Schemas.builtin().with_custom_resources([crontab])
    v2 = openapi.build_v2([crontab.served()], schemas)
    assert v2["paths"]["/apis/stable.example.com/v1/namespaces/{namespace}/crontabs"]["get"]["operationId"] == (
        "listStableExampleComV1NamespacedCronTab"
    )
    spec = v2["definitions"]["com.example.stable.v1.CronTab"]["properties"]["spec"]
    # made v2-safe as apiextensions-apiserver does: no oneOf, nullable fields untyped and not required
    assert spec["properties"]["mode"] == {}
    assert spec["properties"]["size"] == {}
    assert spec["required"] == ["cronSpec"]
    assert spec["properties"]["extra"] == {"x-kubernetes-preserve-unknown-fields": True}
    v3 = openapi.build_v3([crontab.served()], schemas)["apis/stable.example.com/v1"]
    schema = v3["components"]["schemas"]["com.example.stable.v1.CronTab"]
    assert schema["properties"]["spec"]["properties"]["mode"]["oneOf"]  # v3 keeps the CRD's schema
    assert schema["properties"]["metadata"]["allOf"] == [
        {"$ref": "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}
    ]
    assert "/apis/stable.example.com/v1/namespaces/{namespace}/crontabs/{name}/status" in v3["paths"]


# --- unknown fields (fieldValidation=Strict) ---------------------------------------------------


@pytest.mark.parametrize(
    ("group", "version", "kind", "obj", "unknown"),
    [
        pytest.param(
            "",
            "v1",
            "Pod",
            {"metadata": {"name": "p", "labels": {"any": "x"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}},
            [],
            id="known",
        ),
        pytest.param(
            "",
            "v1",
            "Pod",
            {"spec": {"containers": [{"name": "c", "imagee": "i"}], "bogus": 1}},
            ["spec.containers[0].imagee", "spec.bogus"],
            id="typos",
        ),
        pytest.param("", "v1", "ConfigMap", {"data": {"k": "v"}, "extra": True}, ["extra"], id="top-level"),
        pytest.param(
            "apps",
            "v1",
            "Deployment",
            {"spec": {"template": {"spec": {"containers": [{"name": "c", "resources": {"limits": {"cpu": "1"}}}]}}}},
            [],
            id="maps-of-quantities",
        ),
        pytest.param("", "v1", "Nope", {"anything": 1}, [], id="unknown-kind"),
    ],
)
def test_unknown_fields(group: str, version: str, kind: str, obj: dict[str, Any], unknown: list[str]) -> None:
    assert openapi.Schemas.builtin().unknown_fields(obj, group, version, kind) == unknown


def test_unknown_fields_of_a_custom_resource_respect_preserve_unknown_fields(crontab: openapi.CustomResource) -> None:
    schemas = openapi.Schemas.builtin().with_custom_resources([crontab])
    obj = {"spec": {"cronSpec": "* * * * *", "extra": {"free": 1}, "typo": 2}}
    assert schemas.unknown_fields(obj, "stable.example.com", "v1", "CronTab") == ["spec.typo"]


# --- the generator ----------------------------------------------------------------------------


def test_generator_output_is_deterministic_and_matches_the_installed_bundle() -> None:
    """Built twice, the same bytes; and the bundle k3py loads is exactly that build (never hand-edited)."""
    generator = _generator()
    first = generator.build()
    second = generator.build()
    assert first == second
    assert gzip.decompress(first)  # a valid gzip stream
    assert first[4:8] == b"\0\0\0\0"  # no mtime in the gzip header
    installed = importlib.resources.files("k3py.api").joinpath(openapi.BUNDLE).read_bytes()
    assert installed == first, "k3py/api/data/definitions.json.gz is stale: run python scripts/gen_openapi.py"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param(
            {"A": {"properties": {"b": {"$ref": "#/$defs/B"}}}, "B": {"type": ["string", "null"]}},
            {"A": {"properties": {"b": {"$ref": "#/definitions/B"}}}, "B": {"type": "string"}},
            id="refs-and-null-types",
        ),
        pytest.param(
            {"B": {"type": "object", "properties": {"$ref": {"type": ["string", "null"]}}}},
            {"B": {"type": "object", "properties": {"$ref": {"type": "string"}}}},
            id="a-property-named-ref",
        ),
        pytest.param(
            {
                "K": {
                    "properties": {"apiVersion": {"type": "string", "enum": ["g/v1"]}, "kind": {"enum": ["K"]}},
                    "x-kubernetes-group-version-kind": [{"group": "g", "version": "v1", "kind": "K"}],
                }
            },
            {
                "K": {
                    "properties": {"apiVersion": {"type": "string"}, "kind": {}},
                    "x-kubernetes-group-version-kind": [{"group": "g", "version": "v1", "kind": "K"}],
                }
            },
            id="type-meta-enums",
        ),
        pytest.param(
            {
                "io.k8s.apimachinery.pkg.util.intstr.IntOrString": {
                    "oneOf": [{"type": ["string", "null"]}, {"type": ["integer", "null"]}]
                }
            },
            {"io.k8s.apimachinery.pkg.util.intstr.IntOrString": {"type": "string", "format": "int-or-string"}},
            id="int-or-string",
        ),
    ],
)
def test_generator_normalise(source: dict[str, Any], expected: dict[str, Any]) -> None:
    assert _generator().normalise({"$defs": source}) == expected


@pytest.mark.parametrize(
    "source",
    [
        pytest.param({"A": {"$ref": "#/$defs/Missing"}}, id="dangling-ref"),
        pytest.param({"A": {"$ref": "other.json#/x/A"}}, id="foreign-ref"),
        pytest.param({"A": {"type": ["string", "integer"]}}, id="union-type"),
        pytest.param(
            {
                "K": {
                    "properties": {"kind": {"enum": ["X"]}},
                    "x-kubernetes-group-version-kind": [{"group": "", "version": "v1", "kind": "K"}],
                }
            },
            id="real-enum",
        ),
    ],
)
def test_generator_refuses_unexpected_shapes(source: dict[str, Any]) -> None:
    generator = _generator()
    with pytest.raises(generator.SchemaError):
        generator.normalise({"$defs": source})
