"""Validation of storage, RBAC, networking, policy and scheduling kinds as kubectl and the official
Python client see it, against a real server."""

from __future__ import annotations

import json

import pytest
from kubernetes import client

from .conftest import Server

VALID = """\
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: "reader:pods"}
rules:
- {apiGroups: [""], resources: [pods], verbs: [get, list]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: read-pods}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: "reader:pods"}
subjects:
- {kind: ServiceAccount, name: default}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  rules:
  - host: web.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: web}}}]
    ports: [{port: 5432}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec:
  maxUnavailable: 1
  selector: {matchLabels: {app: web}}
"""


def failure(server: Server, *args: str, stdin: str) -> str:
    out: str = server.kubectl(*args, stdin=stdin, check=False)
    assert "invalid" in out.lower(), out
    return out


def test_valid_objects_of_every_kind_are_stored_with_their_defaults(k3py_server: Server, namespace: str) -> None:
    k3py_server.kubectl("-n", namespace, "apply", "-f", "-", stdin=VALID)
    policy = json.loads(k3py_server.kubectl("-n", namespace, "get", "networkpolicy", "db", "-o", "json"))
    assert policy["spec"]["policyTypes"] == ["Ingress"]
    assert policy["spec"]["ingress"][0]["ports"][0]["protocol"] == "TCP"
    claim = json.loads(k3py_server.kubectl("-n", namespace, "get", "pvc", "data", "-o", "json"))
    assert claim["spec"]["volumeMode"] == "Filesystem"


@pytest.mark.parametrize(
    ("manifest", "expected"),
    [
        pytest.param(
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: bad}\nspec:\n  rules:\n"
            "  - http:\n      paths:\n      - {path: /, backend: {service: {name: web, port: {number: 80}}}}\n",
            'The Ingress "bad" is invalid: spec.rules[0].http.paths[0].pathType: Required value: '
            "pathType must be specified",
            id="ingress-without-path-type",
        ),
        pytest.param(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: bad}\n"
            "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Group, name: x}\n",
            'The RoleBinding "bad" is invalid: roleRef.kind: Unsupported value: "Group": supported values: '
            '"Role", "ClusterRole"',
            id="rolebinding-roleref-kind",
        ),
        pytest.param(
            "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: bad}\n"
            "spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: '0'}}}\n",
            'The PersistentVolumeClaim "bad" is invalid: spec.resources[storage]: Invalid value: "0": '
            "must be greater than zero",
            id="pvc-zero-storage",
        ),
    ],
)
def test_kubectl_shows_kubernetes_errors(k3py_server: Server, namespace: str, manifest: str, expected: str) -> None:
    out = failure(k3py_server, "-n", namespace, "create", "-f", "-", stdin=manifest)
    assert expected in out


def test_a_claim_spec_cannot_change_but_binding_may_set_it_once(
    k3py_server: Server, namespace: str, kubernetes_api: client.ApiClient
) -> None:
    v1 = client.CoreV1Api(kubernetes_api)
    claim = client.V1PersistentVolumeClaim(
        metadata=client.V1ObjectMeta(name="fixed"),
        spec=client.V1PersistentVolumeClaimSpec(
            access_modes=["ReadWriteOnce"], resources=client.V1VolumeResourceRequirements(requests={"storage": "1Gi"})
        ),
    )
    v1.create_namespaced_persistent_volume_claim(namespace, claim)
    # what the binder writes: the volume's name, once
    v1.patch_namespaced_persistent_volume_claim("fixed", namespace, {"spec": {"volumeName": "pv-1"}})
    with pytest.raises(client.ApiException) as caught:
        v1.patch_namespaced_persistent_volume_claim("fixed", namespace, {"spec": {"accessModes": ["ReadWriteMany"]}})
    status = json.loads(caught.value.body or "{}")
    assert (caught.value.status, status["reason"]) == (422, "Invalid")
    [cause] = status["details"]["causes"]
    assert (cause["field"], cause["reason"]) == ("spec", "FieldValueForbidden")
    assert cause["message"].startswith(
        "Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName"
    )
