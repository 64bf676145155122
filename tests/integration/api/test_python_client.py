"""The official ``kubernetes`` Python client against a real k3py server."""

from __future__ import annotations

from typing import Any

import pytest
from kubernetes import client, dynamic, watch

from .conftest import Server


def test_typed_crud_for_core_and_apps(kubernetes_api: Any, namespace: str) -> None:
    v1 = client.CoreV1Api(kubernetes_api)
    created = v1.create_namespaced_config_map(
        namespace, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="cfg", labels={"a": "b"}), data={"k": "v"})
    )
    assert created.metadata.uid and int(created.metadata.resource_version) > 0
    created.data["k"] = "v2"
    replaced = v1.replace_namespaced_config_map("cfg", namespace, created)
    assert replaced.data == {"k": "v2"}
    assert [c.metadata.name for c in v1.list_namespaced_config_map(namespace, label_selector="a=b").items] == ["cfg"]
    apps = client.AppsV1Api(kubernetes_api)
    deployment = apps.create_namespaced_deployment(
        namespace,
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web"},
            "spec": {
                "replicas": 2,
                "selector": {"matchLabels": {"app": "web"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "c", "image": "busybox"}]},
                },
            },
        },
    )
    assert (deployment.metadata.generation, deployment.spec.replicas) == (1, 2)
    v1.delete_namespaced_config_map("cfg", namespace)
    with pytest.raises(client.ApiException) as info:
        v1.read_namespaced_config_map("cfg", namespace)
    assert info.value.status == 404


def test_conflict_and_already_exists_surface_as_api_exceptions(kubernetes_api: Any, namespace: str) -> None:
    v1 = client.CoreV1Api(kubernetes_api)
    body = client.V1ConfigMap(metadata=client.V1ObjectMeta(name="dup"))
    first = v1.create_namespaced_config_map(namespace, body)
    with pytest.raises(client.ApiException) as info:
        v1.create_namespaced_config_map(namespace, body)
    assert info.value.status == 409
    v1.replace_namespaced_config_map("dup", namespace, first)  # bumps the revision
    with pytest.raises(client.ApiException) as info:
        v1.replace_namespaced_config_map("dup", namespace, first)  # stale resourceVersion
    assert info.value.status == 409


def test_list_then_watch_from_the_lists_resource_version(kubernetes_api: Any, namespace: str) -> None:
    v1 = client.CoreV1Api(kubernetes_api)
    v1.create_namespaced_config_map(namespace, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="before")))
    listed = v1.list_namespaced_config_map(namespace)
    v1.create_namespaced_config_map(namespace, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="after")))
    v1.delete_namespaced_config_map("before", namespace)
    events = [
        (event["type"], event["object"].metadata.name)
        for event in watch.Watch().stream(
            v1.list_namespaced_config_map,
            namespace,
            resource_version=listed.metadata.resource_version,
            timeout_seconds=2,
        )
    ]
    assert events == [("ADDED", "after"), ("DELETED", "before")]


def test_dynamic_client_finds_resources_through_discovery(kubernetes_api: Any, namespace: str) -> None:
    dyn = dynamic.DynamicClient(kubernetes_api)
    configmaps = dyn.resources.get(api_version="v1", kind="ConfigMap")
    configmaps.create(namespace=namespace, body={"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "d"}})
    names = [item.metadata.name for item in configmaps.get(namespace=namespace).items]
    assert names == ["d", "kube-root-ca.crt"]  # the second one is the ServiceAccount controller's, as in Kubernetes
    leases = dyn.resources.get(api_version="coordination.k8s.io/v1", kind="Lease")
    assert leases.namespaced


def test_server_fixture_is_the_real_subprocess(k3py_server: Server) -> None:
    assert k3py_server.process.poll() is None


def test_create_from_yaml_with_several_documents_and_a_list(kubernetes_api: Any, namespace: str, tmp_path: Any) -> None:
    from kubernetes import utils

    manifest = tmp_path / "multi.yaml"
    manifest.write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: m1}\n---\n"
        "apiVersion: v1\nkind: List\nitems:\n"
        "- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: m2}\n"
        "- apiVersion: apps/v1\n  kind: Deployment\n  metadata: {name: m3}\n  spec:\n"
        "    selector: {matchLabels: {a: b}}\n"
        "    template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: x}]}}\n"
    )
    created = utils.create_from_yaml(kubernetes_api, str(manifest), namespace=namespace)
    assert sorted(obj.metadata.name for group in created for obj in group) == ["m1", "m2", "m3"]
    assert client.AppsV1Api(kubernetes_api).read_namespaced_deployment("m3", namespace).spec.selector.match_labels == {
        "a": "b"
    }
