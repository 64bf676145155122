"""Defaulting and validation as kubectl and the official Python client see them, against a real server."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from kubernetes import client

from .conftest import Server

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {{app: {selected}}}
  template:
    metadata:
      labels: {{app: {labelled}}}
    spec:
      containers:
      - name: web
        image: nginx:1.25
        ports:
        - containerPort: 80
        resources:
          limits: {{cpu: 500m, memory: 128Mi}}
"""


def deployment(selected: str = "web", labelled: str = "web") -> str:
    return DEPLOYMENT.format(selected=selected, labelled=labelled)


def failure(server: Server, *args: str, stdin: str | None = None) -> str:
    """kubectl's output for a command that must fail."""
    out = server.kubectl(*args, stdin=stdin, check=False)
    assert "error" in out.lower() or "invalid" in out.lower(), out
    return out


def get(server: Server, namespace: str, *what: str) -> Any:
    return json.loads(server.kubectl("-n", namespace, "get", *what, "-o", "json"))


def test_kubectl_shows_a_selector_mismatch_as_kubernetes_does(k3py_server: Server, namespace: str) -> None:
    out = failure(k3py_server, "-n", namespace, "apply", "-f", "-", stdin=deployment(labelled="x"))
    assert (
        'The Deployment "web" is invalid: spec.template.metadata.labels: Invalid value: '
        'map[string]string{"app":"x"}: `selector` does not match template `labels`'
    ) in out
    assert not get(k3py_server, namespace, "deployments")["items"]  # nothing was stored


def test_the_python_client_gets_a_422_with_causes(kubernetes_api: Any, namespace: str) -> None:
    apps = client.AppsV1Api(kubernetes_api)
    body = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "x"}}, "spec": {"containers": [{"name": "c", "image": "x"}]}},
        },
    }
    with pytest.raises(client.ApiException) as caught:
        apps.create_namespaced_deployment(namespace, body)
    assert caught.value.status == 422
    status = json.loads(caught.value.body)
    assert status["reason"] == "Invalid"
    assert status["message"] == (
        'Deployment.apps "web" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"x"}: '
        "`selector` does not match template `labels`"
    )
    assert status["details"] == {
        "name": "web",
        "group": "apps",
        "kind": "Deployment",
        "causes": [
            {
                "reason": "FieldValueInvalid",
                "message": 'Invalid value: map[string]string{"app":"x"}: `selector` does not match template `labels`',
                "field": "spec.template.metadata.labels",
            }
        ],
    }


def test_a_pod_without_image_is_refused(k3py_server: Server, kubernetes_api: Any, namespace: str) -> None:
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "c"}]}}
    with pytest.raises(client.ApiException) as caught:
        client.CoreV1Api(kubernetes_api).create_namespaced_pod(namespace, pod)
    assert caught.value.status == 422
    causes = json.loads(caught.value.body)["details"]["causes"]
    assert causes == [
        {"reason": "FieldValueRequired", "message": "Required value", "field": "spec.containers[0].image"}
    ]
    out = failure(k3py_server, "-n", namespace, "create", "-f", "-", stdin=json.dumps(pod))
    assert 'The Pod "p" is invalid: spec.containers[0].image: Required value' in out


def test_kubectl_lists_several_causes(k3py_server: Server, namespace: str) -> None:
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": {
            "restartPolicy": "Sometimes",
            "containers": [{"name": "c", "image": "x", "ports": [{"containerPort": 0}]}],
        },
    }
    out = failure(k3py_server, "-n", namespace, "create", "-f", "-", stdin=json.dumps(pod))
    assert 'The Pod "p" is invalid:' in out
    assert "* spec.containers[0].ports[0].containerPort: Required value" in out
    assert (
        '* spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"' in out
    )


def test_the_selector_of_a_deployment_is_immutable(k3py_server: Server, kubernetes_api: Any, namespace: str) -> None:
    k3py_server.kubectl("-n", namespace, "apply", "-f", "-", stdin=deployment())
    out = failure(k3py_server, "-n", namespace, "apply", "-f", "-", stdin=deployment(selected="v2", labelled="v2"))
    assert (
        'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"v2"}, '
        "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"
    ) in out
    apps = client.AppsV1Api(kubernetes_api)
    with pytest.raises(client.ApiException) as caught:
        apps.patch_namespaced_deployment("web", namespace, {"spec": {"selector": {"matchLabels": {"app": "v3"}}}})
    assert caught.value.status == 422
    fields = [c["field"] for c in json.loads(caught.value.body)["details"]["causes"]]
    assert "spec.selector" in fields
    live = apps.read_namespaced_deployment("web", namespace)
    assert live.spec.selector.match_labels == {"app": "web"}  # unchanged


def test_defaults_are_visible_and_a_second_apply_is_unchanged(k3py_server: Server, namespace: str) -> None:
    assert "deployment.apps/web created" in k3py_server.kubectl("-n", namespace, "apply", "-f", "-", stdin=deployment())
    live = get(k3py_server, namespace, "deployment", "web")
    spec = live["spec"]
    assert spec["strategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}}
    assert (spec["revisionHistoryLimit"], spec["progressDeadlineSeconds"], spec["replicas"]) == (10, 600, 2)
    pod_spec = spec["template"]["spec"]
    assert pod_spec["restartPolicy"] == "Always" and pod_spec["dnsPolicy"] == "ClusterFirst"
    assert pod_spec["schedulerName"] == "default-scheduler" and pod_spec["terminationGracePeriodSeconds"] == 30
    assert pod_spec["securityContext"] == {}
    web = pod_spec["containers"][0]
    assert web["imagePullPolicy"] == "IfNotPresent"
    assert web["terminationMessagePath"] == "/dev/termination-log" and web["terminationMessagePolicy"] == "File"
    assert web["ports"] == [{"containerPort": 80, "protocol": "TCP"}]
    assert web["resources"] == {"limits": {"cpu": "500m", "memory": "128Mi"}}  # requests only default in Pods
    again = k3py_server.kubectl("-n", namespace, "apply", "-f", "-", stdin=deployment())
    assert "deployment.apps/web unchanged" in again
    after = get(k3py_server, namespace, "deployment", "web")  # (its controller may have written status since)
    assert after["metadata"]["generation"] == 1
    assert after["spec"] == spec


def test_server_side_apply_keeps_defaults_and_stays_idempotent(k3py_server: Server, namespace: str) -> None:
    ns = ["-n", namespace]
    k3py_server.kubectl(*ns, "apply", "--server-side", "-f", "-", stdin=deployment())
    first = get(k3py_server, namespace, "deployment", "web")
    assert first["spec"]["strategy"]["type"] == "RollingUpdate"
    assert "serverside-applied" in k3py_server.kubectl(*ns, "apply", "--server-side", "-f", "-", stdin=deployment())
    second = get(k3py_server, namespace, "deployment", "web")
    assert second["metadata"]["generation"] == 1 and second["spec"] == first["spec"]


def test_kubectl_generators_produce_objects_with_kubernetes_defaults(k3py_server: Server, namespace: str) -> None:
    ns = ["-n", namespace]
    k3py_server.kubectl(*ns, "run", "solo", "--image=busybox", "--restart=Never", "--", "sleep", "1")
    pod = get(k3py_server, namespace, "pod", "solo")
    assert pod["spec"]["enableServiceLinks"] is True and pod["spec"]["restartPolicy"] == "Never"
    assert pod["spec"]["containers"][0]["imagePullPolicy"] == "Always"  # no tag: latest
    assert pod["status"]["qosClass"] == "BestEffort"
    k3py_server.kubectl(*ns, "create", "service", "nodeport", "edge", "--tcp=80:8080")
    svc = get(k3py_server, namespace, "service", "edge")["spec"]
    assert (svc["externalTrafficPolicy"], svc["internalTrafficPolicy"], svc["sessionAffinity"]) == (
        "Cluster",
        "Cluster",
        "None",
    )
    assert svc["ports"][0]["protocol"] == "TCP" and svc["ports"][0]["targetPort"] == 8080
    k3py_server.kubectl(*ns, "create", "job", "once", "--image=busybox", "--", "true")
    job = get(k3py_server, namespace, "job", "once")
    assert job["spec"]["backoffLimit"] == 6 and job["spec"]["completions"] == 1
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    generated = job["spec"]["selector"]["matchLabels"]["batch.kubernetes.io/controller-uid"]
    assert job["spec"]["template"]["metadata"]["labels"]["controller-uid"] == generated
    assert job["metadata"]["labels"]["batch.kubernetes.io/job-name"] == "once"
    k3py_server.kubectl(*ns, "create", "cronjob", "tick", "--image=busybox", "--schedule=*/5 * * * *")
    cron = get(k3py_server, namespace, "cronjob", "tick")["spec"]
    assert (cron["concurrencyPolicy"], cron["successfulJobsHistoryLimit"], cron["failedJobsHistoryLimit"]) == (
        "Allow",
        3,
        1,
    )
    out = failure(k3py_server, *ns, "create", "cronjob", "bad", "--image=busybox", "--schedule=61 * * * *")
    assert 'spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61' in out


def test_secrets_and_config_maps(k3py_server: Server, kubernetes_api: Any, namespace: str) -> None:
    v1 = client.CoreV1Api(kubernetes_api)
    secret = v1.create_namespaced_secret(
        namespace, {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "stringData": {"user": "admin"}}
    )
    assert secret.type == "Opaque" and secret.string_data is None
    assert base64.b64decode(secret.data["user"]) == b"admin"
    frozen = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "frozen"},
        "data": {"a": "1"},
        "immutable": True,
    }
    v1.create_namespaced_config_map(namespace, frozen)
    with pytest.raises(client.ApiException) as caught:
        v1.patch_namespaced_config_map("frozen", namespace, {"data": {"a": "2"}})
    assert caught.value.status == 422
    assert json.loads(caught.value.body)["details"]["causes"] == [
        {
            "reason": "FieldValueForbidden",
            "message": "Forbidden: field is immutable when `immutable` is set",
            "field": "data",
        }
    ]
    bad = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "bad"}, "data": {"a/b": "1"}}
    out = failure(k3py_server, "-n", namespace, "create", "-f", "-", stdin=json.dumps(bad))
    assert (
        'The ConfigMap "bad" is invalid: data[a/b]: Invalid value: "a/b": a valid config key must consist of '
        "alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for "
        "validation is '[-._a-zA-Z0-9]+')"
    ) in out


def test_a_value_of_the_wrong_type_is_a_400(k3py_server: Server, namespace: str) -> None:
    bad = deployment().replace("replicas: 2", 'replicas: "three"')
    out = failure(k3py_server, "-n", namespace, "create", "-f", "-", stdin=bad)
    assert (
        'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct '
        "field Deployment.spec.replicas of type int32"
    ) in out
    quantity = deployment().replace("cpu: 500m", "cpu: lots")
    out = failure(k3py_server, "-n", namespace, "create", "-f", "-", stdin=quantity)
    assert "quantities must match the regular expression" in out
