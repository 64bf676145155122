"""Server-side apply with the real kubectl and the official Python client: managedFields,
conflicts naming their managers, --force-conflicts, pruning of dropped fields, dry-run."""

from __future__ import annotations

import json
import ssl
import textwrap
from typing import Any

import httpx
import pytest

from .conftest import Server

Obj = dict[str, Any]


def configmap(namespace: str, name: str = "settings", **data: str) -> str:
    lines = "\n".join(f"  {k}: {json.dumps(v)}" for k, v in data.items())
    return (
        textwrap.dedent(f"""\
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: {name}
          namespace: {namespace}
        data:
        """)
        + lines
        + "\n"
    )


def deployment(namespace: str, replicas: int) -> str:
    return textwrap.dedent(f"""\
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: {namespace}
        spec:
          replicas: {replicas}
          selector:
            matchLabels: {{app: web}}
          template:
            metadata:
              labels: {{app: web}}
            spec:
              containers:
              - name: nginx
                image: nginx:1.25
                ports:
                - containerPort: 80
        """)


def get(server: Server, *args: str) -> Obj:
    out: Obj = json.loads(server.kubectl("get", *args, "-o", "json", "--show-managed-fields"))
    return out


def managers(obj: Obj) -> dict[tuple[str, str], Obj]:
    return {(e["manager"], e["operation"]): e["fieldsV1"] for e in obj["metadata"].get("managedFields", [])}


def test_server_side_apply_creates_then_is_unchanged(k3py_server: Server, namespace: str) -> None:
    out = k3py_server.kubectl("apply", "--server-side", "-f", "-", stdin=configmap(namespace, key="a"))
    assert out.strip() == "configmap/settings serverside-applied"
    first = get(k3py_server, "configmap", "settings", "-n", namespace)
    assert managers(first) == {("kubectl", "Apply"): {"f:data": {"f:key": {}}}}
    k3py_server.kubectl("apply", "--server-side", "-f", "-", stdin=configmap(namespace, key="a"))
    again = get(k3py_server, "configmap", "settings", "-n", namespace)
    assert again["metadata"]["resourceVersion"] == first["metadata"]["resourceVersion"]


def test_a_conflict_names_the_manager_and_force_takes_the_field(k3py_server: Server, namespace: str) -> None:
    k3py_server.kubectl("apply", "--server-side", "-f", "-", stdin=configmap(namespace, key="a", keep="x"))
    other = configmap(namespace, key="b")
    out = k3py_server.kubectl("apply", "--server-side", "--field-manager=other", "-f", "-", stdin=other, check=False)
    assert 'Apply failed with 1 conflict: conflict with "kubectl": .data.key' in out
    assert get(k3py_server, "configmap", "settings", "-n", namespace)["data"] == {"key": "a", "keep": "x"}

    k3py_server.kubectl("apply", "--server-side", "--field-manager=other", "--force-conflicts", "-f", "-", stdin=other)
    obj = get(k3py_server, "configmap", "settings", "-n", namespace)
    assert obj["data"] == {"key": "b", "keep": "x"}
    assert managers(obj) == {
        ("kubectl", "Apply"): {"f:data": {"f:keep": {}}},
        ("other", "Apply"): {"f:data": {"f:key": {}}},
    }


def test_fields_dropped_from_the_configuration_are_removed(k3py_server: Server, namespace: str) -> None:
    k3py_server.kubectl("apply", "--server-side", "-f", "-", stdin=configmap(namespace, a="1", b="2"))
    k3py_server.kubectl("apply", "--server-side", "-f", "-", stdin=configmap(namespace, a="1"))
    assert get(k3py_server, "configmap", "settings", "-n", namespace)["data"] == {"a": "1"}


def test_an_imperative_change_conflicts_with_the_next_apply(k3py_server: Server, namespace: str) -> None:
    k3py_server.kubectl("apply", "--server-side", "-f", "-", stdin=deployment(namespace, 2))
    k3py_server.kubectl("scale", "deployment/web", "--replicas=5", "-n", namespace)
    obj = get(k3py_server, "deployment", "web", "-n", namespace)
    assert obj["spec"]["replicas"] == 5
    # (the deployment controller writes the status too: only kubectl's entries matter here)
    scalers = [e for e in obj["metadata"]["managedFields"] if e["operation"] == "Update" and e["manager"] == "kubectl"]
    assert [(e["manager"], e.get("subresource"), e["fieldsV1"]) for e in scalers] == [
        ("kubectl", "scale", {"f:spec": {"f:replicas": {}}})
    ]
    out = k3py_server.kubectl("apply", "--server-side", "-f", "-", stdin=deployment(namespace, 2), check=False)
    assert 'conflict with "kubectl" with subresource "scale" using apps/v1' in out
    assert ".spec.replicas" in out
    # the container list is keyed by name: the apply owns its fields item by item
    applied = managers(obj)[("kubectl", "Apply")]
    containers = applied["f:spec"]["f:template"]["f:spec"]["f:containers"]
    assert set(containers['k:{"name":"nginx"}']) == {".", "f:image", "f:name", "f:ports"}


def test_dry_run_applies_nothing(k3py_server: Server, namespace: str) -> None:
    out = k3py_server.kubectl(
        "apply", "--server-side", "--dry-run=server", "-f", "-", stdin=configmap(namespace, key="a")
    )
    assert "serverside-applied (server dry run)" in out
    missing = k3py_server.kubectl("get", "configmap", "settings", "-n", namespace, check=False)
    assert "NotFound" in missing


def test_ordinary_writes_record_their_manager(k3py_server: Server, namespace: str) -> None:
    k3py_server.kubectl("create", "-f", "-", stdin=configmap(namespace, key="a"))
    k3py_server.kubectl("label", "configmap", "settings", "tier=web", "-n", namespace)
    obj = get(k3py_server, "configmap", "settings", "-n", namespace)
    by_manager = {e["manager"]: e for e in obj["metadata"]["managedFields"]}
    assert by_manager["kubectl-create"]["fieldsV1"] == {"f:data": {".": {}, "f:key": {}}}
    assert by_manager["kubectl-label"]["fieldsV1"] == {"f:metadata": {"f:labels": {".": {}, "f:tier": {}}}}
    assert {e["operation"] for e in by_manager.values()} == {"Update"}


def test_the_python_clients_server_side_apply(kubernetes_api: Any, namespace: str) -> None:
    from kubernetes import dynamic
    from kubernetes.dynamic.exceptions import ConflictError

    client = dynamic.DynamicClient(kubernetes_api)
    configmaps = client.resources.get(api_version="v1", kind="ConfigMap")
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "py"}, "data": {"k": "v1"}}
    created = configmaps.server_side_apply(body=body, namespace=namespace, field_manager="py")
    assert created.data.k == "v1"
    body["data"] = {"k": "v2"}
    with pytest.raises(ConflictError) as caught:
        configmaps.server_side_apply(body=body, namespace=namespace, field_manager="py2")
    assert caught.value.status == 409
    status = json.loads(caught.value.body)
    assert status["reason"] == "Conflict"
    assert status["details"]["causes"] == [
        {"reason": "FieldManagerConflict", "message": 'conflict with "py"', "field": ".data.k"}
    ]
    forced = configmaps.server_side_apply(body=body, namespace=namespace, field_manager="py2", force_conflicts=True)
    assert forced.data.k == "v2"


def test_apply_without_a_field_manager_is_invalid(k3py_server: Server, namespace: str) -> None:
    tls = k3py_server.data_dir / "tls"
    context = ssl.create_default_context(cafile=tls / "server-ca.crt")
    context.load_cert_chain(tls / "client-admin.crt", tls / "client-admin.key")
    with httpx.Client(verify=context, base_url=k3py_server.url) as http:
        url = f"/api/v1/namespaces/{namespace}/configmaps/x"
        body = configmap(namespace, name="x", k="v")
        answer = http.patch(url, content=body, headers={"content-type": "application/apply-patch+yaml"})
        assert answer.status_code == 422
        assert answer.json()["details"]["causes"][0]["field"] == "fieldManager"
        answer = http.patch(
            url + "?force=true",
            content=json.dumps({"data": {"k": "v"}}),
            headers={"content-type": "application/merge-patch+json"},
        )
        assert answer.status_code == 422
        assert "may not be specified for non-apply patch" in answer.json()["message"]


def test_kubectl_moves_an_object_from_client_side_to_server_side_apply(k3py_server: Server, namespace: str) -> None:
    k3py_server.kubectl("apply", "-f", "-", stdin=configmap(namespace, a="1", b="2"))
    k3py_server.kubectl("apply", "--server-side", "-f", "-", stdin=configmap(namespace, a="1", b="3"))
    obj = get(k3py_server, "configmap", "settings", "-n", namespace)
    assert obj["data"] == {"a": "1", "b": "3"}
    # kubectl then hands the client-side apply's fields to its server-side apply
    assert ("kubectl", "Apply") in managers(obj)
    k3py_server.kubectl("apply", "--server-side", "-f", "-", stdin=configmap(namespace, a="1"))
    assert get(k3py_server, "configmap", "settings", "-n", namespace)["data"] == {"a": "1"}
