"""The review APIs, TokenRequest and pod eviction against a real server, with the real kubectl
(``auth whoami``, ``auth can-i``, ``create token``, ``drain``) and the official Python client."""

from __future__ import annotations

import base64
import json
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import BIN, Server

VIOLATION = "Cannot evict pod as it would violate the pod's disruption budget."


def token_kubeconfig(server: Server, token: str, where: Path) -> Path:
    """The admin kubeconfig with its client certificate replaced by ``token``."""
    config = yaml.safe_load(server.kubeconfig.read_text())
    config["users"][0]["user"] = {"token": token}
    path = where / "token-kubeconfig.yaml"
    path.write_text(yaml.safe_dump(config))
    path.chmod(0o600)
    return path


def kubectl_with(kubeconfig: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "kubectl"), "--kubeconfig", str(kubeconfig), *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def claims(token: str) -> dict[str, Any]:
    part = token.split(".")[1]
    value: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return value


def make_ready(server: Server, namespace: str, *names: str) -> None:
    """What a kubelet would report: running and ready (no kubelet runs in these tests)."""
    status = json.dumps({"status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}})
    for name in names:
        server.kubectl("patch", "pod", name, "-n", namespace, "--subresource=status", "--type=merge", "-p", status)


def set_budget_status(server: Server, namespace: str, name: str, allowed: int) -> None:
    """What the disruption controller would write: processed, with ``allowed`` disruptions left."""
    status = {"observedGeneration": 1, "disruptionsAllowed": allowed, "currentHealthy": 2, "desiredHealthy": 1}
    patch = json.dumps({"status": {**status, "expectedPods": 2}})
    server.kubectl("patch", "pdb", name, "-n", namespace, "--subresource=status", "--type=merge", "-p", patch)


def web_pods_and_budget(server: Server, namespace: str, node: str = "") -> None:
    node_field = f"nodeName: {node}, " if node else ""
    manifest = "\n---\n".join(
        [
            *(
                f"apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, labels: {{app: web}}}}\n"
                f"spec: {{{node_field}containers: [{{name: c, image: nginx}}]}}"
                for name in ("web-1", "web-2")
            ),
            "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web}\n"
            "spec: {minAvailable: 1, selector: {matchLabels: {app: web}}}",
        ]
    )
    server.kubectl("create", "-n", namespace, "-f", "-", stdin=manifest)
    make_ready(server, namespace, "web-1", "web-2")


# -- kubectl --------------------------------------------------------------------------------------


def test_kubectl_auth_whoami_and_can_i(k3py_server: Server) -> None:
    whoami = k3py_server.kubectl("auth", "whoami")
    rows = {line.split()[0]: line.split(None, 1)[1].strip() for line in whoami.splitlines()[1:]}
    assert rows == {"Username": "system:admin", "Groups": "[system:masters system:authenticated]"}
    assert k3py_server.kubectl("auth", "can-i", "create", "pods") == "yes\n"
    assert k3py_server.kubectl("auth", "can-i", "delete", "secrets", "-n", "kube-system", "--as=nobody") == "yes\n"
    assert k3py_server.kubectl("auth", "can-i", "get", "/metrics") == "yes\n"
    listing = k3py_server.kubectl("auth", "can-i", "--list").splitlines()
    assert listing[0].split() == ["Resources", "Non-Resource", "URLs", "Resource", "Names", "Verbs"]
    assert listing[1].split() == ["*.*", "[]", "[]", "[*]"]
    assert listing[2].split() == ["[*]", "[]", "[*]"]


def wait_for_default_service_account(server: Server, namespace: str, timeout: float = 20) -> None:
    """The service-account controller makes ``default`` in every namespace; wait for it."""
    deadline = time.monotonic() + timeout
    while "serviceaccount/default" not in server.kubectl("get", "serviceaccounts", "-n", namespace, "-o", "name"):
        assert time.monotonic() < deadline, f"no default service account in {namespace}"
        time.sleep(0.1)


def test_kubectl_create_token_gives_a_token_the_server_accepts(
    k3py_server: Server, namespace: str, tmp_path: Path
) -> None:
    wait_for_default_service_account(k3py_server, namespace)
    token = k3py_server.kubectl("create", "token", "default", "-n", namespace).strip()
    payload = claims(token)
    assert payload["sub"] == f"system:serviceaccount:{namespace}:default"
    assert payload["exp"] - payload["iat"] == 3600

    as_account = token_kubeconfig(k3py_server, token, tmp_path)
    whoami = kubectl_with(as_account, "auth", "whoami")
    assert whoami.returncode == 0, whoami.stderr
    assert f"system:serviceaccount:{namespace}:default" in whoami.stdout
    assert f"[system:serviceaccounts system:serviceaccounts:{namespace} system:authenticated]" in whoami.stdout
    listed = kubectl_with(as_account, "get", "serviceaccounts", "-n", namespace, "-o", "name")
    assert (listed.returncode, listed.stdout) == (0, "serviceaccount/default\n")

    short = k3py_server.kubectl("create", "token", "default", "-n", namespace, "--duration=5m", check=False)
    assert "spec.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes" in short
    missing = k3py_server.kubectl("create", "token", "nobody", "-n", namespace, check=False)
    assert 'serviceaccounts "nobody" not found' in missing


def test_kubectl_create_token_bound_to_a_pod_for_an_audience(
    k3py_server: Server, kubernetes_api: Any, namespace: str
) -> None:
    from kubernetes import client

    wait_for_default_service_account(k3py_server, namespace)
    k3py_server.kubectl("run", "web", "--image=nginx", "-n", namespace)
    pod_uid = k3py_server.kubectl("get", "pod", "web", "-n", namespace, "-o", "jsonpath={.metadata.uid}")
    create_token = ("create", "token", "default", "-n", namespace)
    bound = ("--bound-object-kind=Pod", "--bound-object-name=web")
    token = k3py_server.kubectl(*create_token, *bound, "--audience=vault", "--duration=20m").strip()
    payload = claims(token)
    assert payload["aud"] == ["vault"] and payload["exp"] - payload["iat"] == 1200
    assert payload["kubernetes.io"]["pod"] == {"name": "web", "uid": pod_uid}

    authn = client.AuthenticationV1Api(kubernetes_api)
    review = authn.create_token_review(client.V1TokenReview(spec=client.V1TokenReviewSpec(token=token)))
    assert review.status.authenticated is False  # not for the server's audiences
    wanted = client.V1TokenReviewSpec(token=token, audiences=["vault"])
    review = authn.create_token_review(client.V1TokenReview(spec=wanted))
    assert (review.status.authenticated, review.status.audiences) == (True, ["vault"])
    assert review.status.user.extra["authentication.kubernetes.io/pod-uid"] == [pod_uid]

    gone = k3py_server.kubectl(*create_token, "--bound-object-kind=Secret", "--bound-object-name=nope", check=False)
    assert 'secrets "nope" not found' in gone


# -- the official Python client -------------------------------------------------------------------


def test_python_client_token_request_and_reviews(kubernetes_api: Any, namespace: str) -> None:
    from kubernetes import client
    from kubernetes.client.rest import ApiException

    core = client.CoreV1Api(kubernetes_api)
    core.create_namespaced_service_account(
        namespace, client.V1ServiceAccount(metadata=client.V1ObjectMeta(name="robot"))
    )
    request = client.AuthenticationV1TokenRequest(spec=client.V1TokenRequestSpec(audiences=[], expiration_seconds=600))
    issued = core.create_namespaced_service_account_token("robot", namespace, request)
    assert issued.spec.audiences == ["https://kubernetes.default.svc.cluster.local", "k3py"]
    assert (issued.status.expiration_timestamp - issued.metadata.creation_timestamp).total_seconds() == 600

    authn = client.AuthenticationV1Api(kubernetes_api)
    review = authn.create_token_review(client.V1TokenReview(spec=client.V1TokenReviewSpec(token=issued.status.token)))
    assert review.status.authenticated is True
    assert review.status.user.username == f"system:serviceaccount:{namespace}:robot"
    bad = authn.create_token_review(client.V1TokenReview(spec=client.V1TokenReviewSpec(token="not-a-token")))
    assert (bad.status.authenticated, bad.status.error) == (False, "invalid bearer token")
    me = authn.create_self_subject_review(client.V1SelfSubjectReview())
    assert me.status.user_info.username == "system:admin"

    authz = client.AuthorizationV1Api(kubernetes_api)
    attributes = client.V1ResourceAttributes(namespace=namespace, verb="delete", resource="pods")
    sar = authz.create_subject_access_review(
        client.V1SubjectAccessReview(spec=client.V1SubjectAccessReviewSpec(user="bob", resource_attributes=attributes))
    )
    assert sar.status.allowed is True and "no authorization" in sar.status.reason
    local = authz.create_namespaced_local_subject_access_review(
        namespace,
        client.V1LocalSubjectAccessReview(
            spec=client.V1SubjectAccessReviewSpec(groups=["devs"], resource_attributes=attributes)
        ),
    )
    assert local.status.allowed is True
    with pytest.raises(ApiException) as refused:
        authz.create_subject_access_review(
            client.V1SubjectAccessReview(spec=client.V1SubjectAccessReviewSpec(resource_attributes=attributes))
        )
    status = json.loads(refused.value.body)
    assert (refused.value.status, status["reason"]) == (422, "Invalid")
    assert status["details"]["causes"][0]["field"] == "spec.user"
    rules = authz.create_self_subject_rules_review(
        client.V1SelfSubjectRulesReview(spec=client.V1SelfSubjectRulesReviewSpec(namespace=namespace))
    )
    assert rules.status.incomplete is False
    assert [(r.verbs, r.api_groups, r.resources) for r in rules.status.resource_rules] == [(["*"], ["*"], ["*"])]


def test_python_client_eviction_honours_the_budget(k3py_server: Server, kubernetes_api: Any, namespace: str) -> None:
    from kubernetes import client
    from kubernetes.client.rest import ApiException

    core, policy = client.CoreV1Api(kubernetes_api), client.PolicyV1Api(kubernetes_api)
    web_pods_and_budget(k3py_server, namespace)

    def evict(name: str) -> Any:
        body = client.V1Eviction(metadata=client.V1ObjectMeta(name=name, namespace=namespace))
        return core.create_namespaced_pod_eviction(name, namespace, body)

    with pytest.raises(ApiException) as unprocessed:
        evict("web-1")
    assert (unprocessed.value.status, unprocessed.value.headers["Retry-After"]) == (429, "10")
    cause = json.loads(unprocessed.value.body)["details"]["causes"][0]
    assert cause == {
        "reason": "DisruptionBudget",
        "message": "The disruption budget web is still being processed by the server.",
    }

    set_budget_status(k3py_server, namespace, "web", allowed=1)
    evict("web-1")
    assert [p.metadata.name for p in core.list_namespaced_pod(namespace).items] == ["web-2"]
    budget = policy.read_namespaced_pod_disruption_budget("web", namespace)
    assert (budget.status.disruptions_allowed, list(budget.status.disrupted_pods)) == (0, ["web-1"])

    with pytest.raises(ApiException) as refused:
        evict("web-2")
    status = json.loads(refused.value.body)
    assert (refused.value.status, status["message"]) == (429, VIOLATION)
    assert (
        status["details"]["causes"][0]["message"]
        == "The disruption budget web needs 1 healthy pods and has 2 currently"
    )
    with pytest.raises(ApiException) as missing:
        evict("ghost")
    assert missing.value.status == 404


def test_kubectl_drain_evicts_within_the_budget(k3py_server: Server, namespace: str) -> None:
    node = f"{namespace}-node"
    k3py_server.kubectl(
        "create", "-f", "-", stdin=json.dumps({"apiVersion": "v1", "kind": "Node", "metadata": {"name": node}})
    )
    try:
        web_pods_and_budget(k3py_server, namespace, node)
        set_budget_status(k3py_server, namespace, "web", allowed=1)
        drain = ("drain", node, "--pod-selector=app=web", "--force", "--grace-period=0")
        blocked = k3py_server.kubectl(*drain, "--timeout=2s", check=False)
        assert f"node/{node} cordoned" in blocked
        assert blocked.count(" evicted") == 1, blocked
        assert VIOLATION in blocked and f"node/{node} drained" not in blocked
        left = k3py_server.kubectl("get", "pods", "-n", namespace, "-o", "name").split()
        assert len(left) == 1

        set_budget_status(k3py_server, namespace, "web", allowed=1)  # the controller saw the pod go
        drained = k3py_server.kubectl(*drain, "--timeout=20s")
        assert f"{left[0]} evicted" in drained and f"node/{node} drained" in drained
        assert k3py_server.kubectl("get", "pods", "-n", namespace, "-o", "name") == ""
    finally:
        k3py_server.kubectl("delete", "node", node)
