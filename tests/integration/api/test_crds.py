"""CustomResourceDefinitions end to end: the real kubectl and the official Python client against a real server.

Each test installs its own CRD in a group of its own and deletes it at the end, so tests sharing
the module's server never see each other's resources. kubectl gets a fresh discovery cache per
test (``--cache-dir``): it caches discovery for hours, as it would against any cluster.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import Server

pytestmark = pytest.mark.integration

SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "A widget someone ordered.",
    "properties": {
        "spec": {
            "type": "object",
            "description": "What the widget should be.",
            "required": ["size"],
            "properties": {
                "size": {"type": "string", "enum": ["small", "large"], "description": "How big it is."},
                "replicas": {"type": "integer", "minimum": 0, "maximum": 10, "default": 1},
                "color": {"type": "string", "default": "blue"},
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


def widget_crd(group: str, *, scope: str = "Namespaced", plural: str = "widgets", kind: str = "Widget") -> str:
    short = "wd" if plural == "widgets" else plural[:3]
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.{group}"},
        "spec": {
            "group": group,
            "scope": scope,
            "names": {"plural": plural, "kind": kind, "shortNames": [short], "categories": ["all"]},
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {"openAPIV3Schema": SCHEMA},
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
                        {"name": "Color", "type": "string", "jsonPath": ".spec.color", "priority": 1},
                        {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"},
                    ],
                },
                {"name": "v1beta1", "served": True, "storage": False, "schema": {"openAPIV3Schema": SCHEMA}},
            ],
        },
    }
    return yaml.safe_dump(crd)


def widget(group: str, name: str, version: str = "v1", kind: str = "Widget", **spec: Any) -> str:
    return yaml.safe_dump(
        {
            "apiVersion": f"{group}/{version}",
            "kind": kind,
            "metadata": {"name": name},
            "spec": {"size": "small", **spec},
        }
    )


class Kubectl:
    """The real kubectl with a discovery cache of this test's own."""

    def __init__(self, server: Server, cache: Path) -> None:
        self.server, self.cache = server, cache

    def __call__(self, *args: str, stdin: str | None = None, check: bool = True) -> str:
        return self.server.kubectl("--cache-dir", str(self.cache), *args, stdin=stdin, check=check)


@pytest.fixture
def kubectl(k3py_server: Server, tmp_path: Path) -> Kubectl:
    return Kubectl(k3py_server, tmp_path / "cache")


@pytest.fixture
def group() -> str:
    return f"t{os.urandom(3).hex()}.example.com"


@contextmanager
def installed(kubectl: Kubectl, manifest: str) -> Iterator[str]:
    """Apply a CRD, wait until it is established, and delete it (with its resources) afterwards."""
    name = yaml.safe_load(manifest)["metadata"]["name"]
    kubectl("apply", "-f", "-", stdin=manifest)
    try:
        out = kubectl("wait", "--for", "condition=established", "--timeout=20s", f"crd/{name}")
        assert "condition met" in out
        yield name
    finally:
        kubectl("delete", "crd", name, "--ignore-not-found", "--wait=true", "--timeout=30s")


def test_kubectl_installs_a_crd_and_waits_until_it_is_established(kubectl: Kubectl, group: str) -> None:
    with installed(kubectl, widget_crd(group)) as name:
        crd = json.loads(kubectl("get", "crd", name, "-o", "json"))
        conditions = {c["type"]: c["status"] for c in crd["status"]["conditions"]}
        assert conditions == {"NamesAccepted": "True", "Established": "True"}
        assert crd["status"]["acceptedNames"]["shortNames"] == ["wd"]
        assert crd["spec"]["names"]["singular"] == "widget"  # defaulted
        assert name in kubectl("get", "crds")
        resources = kubectl("api-resources", "--api-group", group, "--no-headers")
        assert resources.split() == ["widgets", "wd", f"{group}/v1", "true", "Widget"]
        assert set(kubectl("api-versions").split()) >= {f"{group}/v1", f"{group}/v1beta1"}


def test_kubectl_refuses_an_invalid_crd_with_the_field_path(kubectl: Kubectl, group: str) -> None:
    crd = yaml.safe_load(widget_crd(group))
    crd["metadata"]["name"] = f"other.{group}"
    crd["spec"]["versions"][1]["storage"] = True
    out = kubectl("apply", "-f", "-", stdin=yaml.safe_dump(crd), check=False)
    assert f'The CustomResourceDefinition "other.{group}" is invalid' in out
    assert 'metadata.name: Invalid value: "other.' in out
    assert "must have exactly one version marked as storage version" in out


def test_kubectl_gets_custom_resources_with_printer_columns_short_names_and_categories(
    kubectl: Kubectl, group: str, namespace: str
) -> None:
    with installed(kubectl, widget_crd(group)):
        kubectl("-n", namespace, "apply", "-f", "-", stdin=widget(group, "first", replicas=2))
        kubectl(
            "-n",
            namespace,
            "patch",
            "widget",
            "first",
            "--subresource=status",
            "--type=merge",
            "-p",
            '{"status":{"conditions":[{"type":"Ready","status":"True"}]}}',
        )
        table = kubectl("-n", namespace, "get", "widgets").splitlines()
        assert table[0].split() == ["NAME", "SIZE", "REPLICAS", "READY", "AGE"]
        assert table[1].split()[:4] == ["first", "small", "2", "True"]
        wide = kubectl("-n", namespace, "get", "wd", "-o", "wide").splitlines()
        assert wide[0].split() == ["NAME", "SIZE", "REPLICAS", "READY", "COLOR", "AGE"]
        assert wide[1].split()[:5] == ["first", "small", "2", "True", "blue"]
        everything = kubectl("-n", namespace, "get", "all")
        assert f"widget.{group}/first" in everything


def test_kubectl_explain_reads_the_crd_schema(kubectl: Kubectl, group: str) -> None:
    with installed(kubectl, widget_crd(group)):
        out = kubectl("explain", f"widgets.{group}.spec")
        assert "What the widget should be." in out
        assert "size\t<string> -required-" in out
        assert "How big it is." in out
        assert "replicas\t<integer>" in out


def test_kubectl_patch_and_scale_a_custom_resource(kubectl: Kubectl, group: str, namespace: str) -> None:
    with installed(kubectl, widget_crd(group)):
        kubectl("-n", namespace, "apply", "-f", "-", stdin=widget(group, "w", color="red"))
        out = kubectl("-n", namespace, "apply", "-f", "-", stdin=widget(group, "w"))  # a JSON merge patch
        assert out.strip() == f"widget.{group}/w configured"
        kubectl("-n", namespace, "patch", "widget", "w", "--type", "merge", "-p", '{"spec":{"size":"large"}}')
        kubectl("-n", namespace, "scale", "widget", "w", "--replicas=4")
        got = json.loads(kubectl("-n", namespace, "get", "widget", "w", "-o", "json"))
        assert got["spec"] == {"size": "large", "replicas": 4, "color": "blue"}  # color: dropped, then defaulted
        assert got["metadata"]["generation"] == 4
        scale = json.loads(kubectl("-n", namespace, "get", "widget", "w", "--subresource=scale", "-o", "json"))
        assert (scale["kind"], scale["spec"]["replicas"]) == ("Scale", 4)
        out = kubectl("-n", namespace, "scale", "widget", "w", "--replicas=40", check=False)
        assert "spec.replicas in body should be less than or equal to 10" in out


def test_an_invalid_custom_resource_is_refused_with_the_field_path(
    kubectl: Kubectl, group: str, namespace: str
) -> None:
    with installed(kubectl, widget_crd(group)):
        out = kubectl("-n", namespace, "create", "-f", "-", stdin=widget(group, "bad", replicas="many"), check=False)
        assert 'The Widget "bad" is invalid' in out
        assert 'spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"' in out
        out = kubectl("-n", namespace, "create", "-f", "-", stdin=widget(group, "bad", size="huge"), check=False)
        assert 'spec.size: Unsupported value: "huge": supported values: "small", "large"' in out
        assert "bad" not in kubectl("-n", namespace, "get", "widgets", "-o", "name")


def test_unknown_fields_are_refused_by_strict_validation_and_pruned_otherwise(
    kubectl: Kubectl, group: str, namespace: str
) -> None:
    with installed(kubectl, widget_crd(group)):
        manifest = widget(group, "extra", flavour="mint")
        out = kubectl("-n", namespace, "create", "-f", "-", stdin=manifest, check=False)
        assert 'strict decoding error: unknown field "spec.flavour"' in out
        kubectl("-n", namespace, "create", "--validate=false", "-f", "-", stdin=manifest)
        got = json.loads(kubectl("-n", namespace, "get", "widget", "extra", "-o", "json"))
        assert got["spec"] == {"size": "small", "replicas": 1, "color": "blue"}  # pruned, then defaulted


def test_two_versions_are_served_from_one_store(kubectl: Kubectl, group: str, namespace: str) -> None:
    with installed(kubectl, widget_crd(group)):
        kubectl("-n", namespace, "create", "-f", "-", stdin=widget(group, "old", version="v1beta1"))
        kubectl("-n", namespace, "create", "-f", "-", stdin=widget(group, "new"))
        as_beta = json.loads(kubectl("-n", namespace, "get", f"widgets.v1beta1.{group}", "new", "-o", "json"))
        assert as_beta["apiVersion"] == f"{group}/v1beta1"
        names = kubectl("-n", namespace, "get", f"widgets.v1.{group}", "-o", "name").split()
        assert names == [f"widget.{group}/new", f"widget.{group}/old"]
        as_v1 = json.loads(kubectl("-n", namespace, "get", f"widgets.v1.{group}", "old", "-o", "json"))
        assert as_v1["apiVersion"] == f"{group}/v1"


def test_cluster_scoped_custom_resources(kubectl: Kubectl, group: str) -> None:
    with installed(kubectl, widget_crd(group, scope="Cluster", plural="gizmos", kind="Gizmo")):
        kubectl("create", "-f", "-", stdin=widget(group, "g1", kind="Gizmo"))
        got = json.loads(kubectl("get", "gizmo", "g1", "-o", "json"))
        assert "namespace" not in got["metadata"]
        assert kubectl("get", "giz", "--no-headers").split()[:2] == ["g1", "small"]
        kubectl("delete", "gizmo", "g1")
        assert "No resources found" in kubectl("get", "gizmos", check=False)


def test_deleting_the_crd_deletes_its_resources_and_the_type(
    k3py_server: Server, kubectl: Kubectl, group: str, namespace: str, tmp_path: Path
) -> None:
    with installed(kubectl, widget_crd(group)) as name:
        kubectl("-n", namespace, "create", "-f", "-", stdin=widget(group, "doomed"))
        kubectl("delete", "crd", name)
        assert "not found" in kubectl("get", "crd", name, check=False)
    fresh = Kubectl(k3py_server, tmp_path / "after")
    out = fresh("-n", namespace, "get", "widgets", check=False)
    assert 'error: the server doesn\'t have a resource type "widgets"' in out
    with installed(kubectl, widget_crd(group)):  # installed again: empty, the old objects are gone
        assert "No resources found" in kubectl("-n", namespace, "get", "widgets", check=False)


def test_the_python_clients_custom_objects_api(
    kubectl: Kubectl, kubernetes_api: Any, group: str, namespace: str
) -> None:
    from kubernetes import client
    from kubernetes.client.rest import ApiException

    api = client.CustomObjectsApi(kubernetes_api)
    with installed(kubectl, widget_crd(group)):
        body = yaml.safe_load(widget(group, "py", replicas=3))
        created = api.create_namespaced_custom_object(group, "v1", namespace, "widgets", body)
        assert created["spec"] == {"size": "small", "replicas": 3, "color": "blue"}
        got = api.get_namespaced_custom_object(group, "v1", namespace, "widgets", "py")
        assert got["metadata"]["uid"] == created["metadata"]["uid"]
        listing = api.list_namespaced_custom_object(group, "v1", namespace, "widgets")
        assert [item["metadata"]["name"] for item in listing["items"]] == ["py"]
        patched = api.patch_namespaced_custom_object(
            group, "v1", namespace, "widgets", "py", {"spec": {"size": "large"}}
        )
        assert patched["spec"]["size"] == "large"
        status = api.patch_namespaced_custom_object_status(
            group, "v1", namespace, "widgets", "py", {"status": {"replicas": 3, "selector": "app=py"}}
        )
        assert status["status"] == {"replicas": 3, "selector": "app=py"}
        scale = api.get_namespaced_custom_object_scale(group, "v1", namespace, "widgets", "py")
        assert (scale["spec"]["replicas"], scale["status"]["selector"]) == (3, "app=py")
        api.patch_namespaced_custom_object_scale(group, "v1", namespace, "widgets", "py", {"spec": {"replicas": 5}})
        assert api.get_namespaced_custom_object(group, "v1", namespace, "widgets", "py")["spec"]["replicas"] == 5
        with pytest.raises(ApiException) as caught:
            api.create_namespaced_custom_object(
                group, "v1", namespace, "widgets", yaml.safe_load(widget(group, "bad", size="huge"))
            )
        assert caught.value.status == 422
        details = json.loads(caught.value.body)["details"]
        assert details["causes"][0]["field"] == "spec.size"
        api.delete_namespaced_custom_object(group, "v1", namespace, "widgets", "py")
        assert api.list_namespaced_custom_object(group, "v1", namespace, "widgets")["items"] == []


def test_the_python_dynamic_client(kubectl: Kubectl, kubernetes_api: Any, group: str, tmp_path: Path) -> None:
    from kubernetes import dynamic

    with installed(kubectl, widget_crd(group, scope="Cluster", plural="gizmos", kind="Gizmo")):
        dyn = dynamic.DynamicClient(kubernetes_api, cache_file=str(tmp_path / "discovery.json"))
        gizmos = dyn.resources.get(api_version=f"{group}/v1", kind="Gizmo")
        assert (gizmos.name, gizmos.namespaced, gizmos.short_names) == ("gizmos", False, ["giz"])
        created = gizmos.create(body=yaml.safe_load(widget(group, "dyn", kind="Gizmo")))
        assert created.spec.replicas == 1
        gizmos.patch(name="dyn", body={"spec": {"replicas": 2}}, content_type="application/merge-patch+json")
        assert gizmos.get(name="dyn").spec.replicas == 2
        beta = dyn.resources.get(api_version=f"{group}/v1beta1", kind="Gizmo")
        assert beta.get(name="dyn").apiVersion == f"{group}/v1beta1"
        gizmos.delete(name="dyn")
        assert gizmos.get().items == []
