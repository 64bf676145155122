"""kubectl's generator commands (``create deployment``, ``create secret``, ``run``...) against a real k3py server.

Most of them send their object as Kubernetes protobuf, which k3py decodes (``k3py/api/protobuf.py``);
``run`` and ``expose`` send JSON. Each object is read back with ``kubectl get -o json``.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from .conftest import Server

GOLDEN = Path(__file__).parents[2] / "unit" / "api" / "data" / "kubectl_protobuf.json"


def get(server: Server, namespace: str, *what: str) -> Any:
    return json.loads(server.kubectl("-n", namespace, "get", *what, "-o", "json"))


def test_create_deployment(k3py_server: Server, namespace: str) -> None:
    ns = ["-n", namespace]
    out = k3py_server.kubectl(*ns, "create", "deployment", "web", "--image=nginx:1.27", "--replicas=2", "--port=80")
    assert out.strip() == "deployment.apps/web created"
    web = get(k3py_server, namespace, "deployment", "web")
    assert web["metadata"]["labels"] == {"app": "web"}
    assert web["spec"]["replicas"] == 2
    assert web["spec"]["selector"] == {"matchLabels": {"app": "web"}}
    (container,) = web["spec"]["template"]["spec"]["containers"]
    assert container["name"] == "nginx"
    assert container["image"] == "nginx:1.27"
    assert container["ports"][0]["containerPort"] == 80
    assert "hostPort" not in container["ports"][0]  # Go's zero, not the client's choice
    # replicas 0 is a choice (a pointer set to zero), kept rather than defaulted to 1
    k3py_server.kubectl(*ns, "create", "deployment", "idle", "--image=redis", "--image=busybox", "--replicas=0")
    idle = get(k3py_server, namespace, "deployment", "idle")
    assert idle["spec"]["replicas"] == 0
    assert [c["image"] for c in idle["spec"]["template"]["spec"]["containers"]] == ["redis", "busybox"]


def test_create_with_server_side_dry_run_stores_nothing(k3py_server: Server, namespace: str) -> None:
    out = k3py_server.kubectl("-n", namespace, "create", "deployment", "dry", "--image=nginx", "--dry-run=server")
    assert "deployment.apps/dry created (server dry run)" in out
    assert get(k3py_server, namespace, "deployments")["items"] == []


def test_create_configmap_and_secrets(k3py_server: Server, namespace: str) -> None:
    ns = ["-n", namespace]
    k3py_server.kubectl(*ns, "create", "configmap", "cfg", "--from-literal=a=b", "--from-literal=empty=")
    assert get(k3py_server, namespace, "configmap", "cfg")["data"] == {"a": "b", "empty": ""}
    k3py_server.kubectl(
        *ns, "create", "secret", "generic", "s", "--from-literal=user=admin", "--from-literal=pw=p\u00e4ss"
    )
    secret = get(k3py_server, namespace, "secret", "s")
    assert {k: base64.b64decode(v).decode() for k, v in secret["data"].items()} == {"user": "admin", "pw": "p\u00e4ss"}
    k3py_server.kubectl(
        *ns,
        "create",
        "secret",
        "docker-registry",
        "reg",
        "--docker-server=r.example",
        "--docker-username=u",
        "--docker-password=p",
    )
    registry = get(k3py_server, namespace, "secret", "reg")
    assert registry["type"] == "kubernetes.io/dockerconfigjson"
    config = json.loads(base64.b64decode(registry["data"][".dockerconfigjson"]))
    assert config["auths"]["r.example"]["username"] == "u"


def test_create_namespace(k3py_server: Server, namespace: str) -> None:
    name = namespace + "-made"
    assert k3py_server.kubectl("create", "namespace", name).strip() == f"namespace/{name} created"
    made = json.loads(k3py_server.kubectl("get", "namespace", name, "-o", "json"))
    assert made["metadata"]["name"] == name
    assert made["status"]["phase"] == "Active"


def test_create_services(k3py_server: Server, namespace: str) -> None:
    ns = ["-n", namespace]
    k3py_server.kubectl(*ns, "create", "service", "clusterip", "svc", "--tcp=80:8080", "--tcp=443:https")
    svc = get(k3py_server, namespace, "service", "svc")
    assert svc["spec"]["type"] == "ClusterIP"
    assert svc["spec"]["selector"] == {"app": "svc"}
    ports = [(p["name"], p["port"], p["targetPort"], p["protocol"]) for p in svc["spec"]["ports"]]
    assert ports == [("80-8080", 80, 8080, "TCP"), ("443-https", 443, "https", "TCP")]
    assert svc["spec"]["clusterIP"]  # allocated
    k3py_server.kubectl(*ns, "create", "service", "clusterip", "headless", "--clusterip=None")
    assert get(k3py_server, namespace, "service", "headless")["spec"]["clusterIP"] == "None"
    k3py_server.kubectl(*ns, "create", "service", "nodeport", "np", "--tcp=80:8080", "--node-port=30080")
    nodeport = get(k3py_server, namespace, "service", "np")
    assert nodeport["spec"]["type"] == "NodePort"
    assert nodeport["spec"]["ports"][0]["nodePort"] == 30080
    k3py_server.kubectl(*ns, "create", "service", "externalname", "ext", "--external-name=example.com")
    ext = get(k3py_server, namespace, "service", "ext")
    assert (ext["spec"]["type"], ext["spec"]["externalName"]) == ("ExternalName", "example.com")


def test_run_and_expose(k3py_server: Server, namespace: str) -> None:
    ns = ["-n", namespace]
    out = k3py_server.kubectl(
        *ns, "run", "p", "--image=busybox", "--labels=app=p,tier=x", "--env=A=1", "--", "sleep", "1"
    )
    assert out.strip() == "pod/p created"
    pod = get(k3py_server, namespace, "pod", "p")
    assert pod["metadata"]["labels"] == {"app": "p", "tier": "x"}
    (container,) = pod["spec"]["containers"]
    assert (container["image"], container["args"], container["env"]) == (
        "busybox",
        ["sleep", "1"],
        [{"name": "A", "value": "1"}],
    )
    k3py_server.kubectl(*ns, "create", "deployment", "web", "--image=nginx", "--port=8080")
    k3py_server.kubectl(*ns, "expose", "deployment", "web", "--port=80", "--target-port=8080")
    svc = get(k3py_server, namespace, "service", "web")
    assert svc["spec"]["selector"] == {"app": "web"}
    assert [(p["port"], p["targetPort"]) for p in svc["spec"]["ports"]] == [(80, 8080)]


def test_create_job_cronjob_and_job_from_cronjob(k3py_server: Server, namespace: str) -> None:
    ns = ["-n", namespace]
    k3py_server.kubectl(*ns, "create", "job", "j", "--image=busybox", "--", "echo", "hi")
    job = get(k3py_server, namespace, "job", "j")
    (container,) = job["spec"]["template"]["spec"]["containers"]
    assert (container["image"], container["command"]) == ("busybox", ["echo", "hi"])
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    k3py_server.kubectl(*ns, "create", "cronjob", "cj", "--image=busybox", "--schedule=*/5 * * * *", "--", "date")
    cronjob = get(k3py_server, namespace, "cronjob", "cj")
    assert cronjob["spec"]["schedule"] == "*/5 * * * *"
    template = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    assert template["containers"][0]["command"] == ["date"]
    assert template["restartPolicy"] == "OnFailure"
    k3py_server.kubectl(*ns, "create", "job", "manual", "--from=cronjob/cj")
    manual = get(k3py_server, namespace, "job", "manual")
    assert manual["metadata"]["annotations"]["cronjob.kubernetes.io/instantiate"] == "manual"
    assert manual["metadata"]["ownerReferences"][0]["name"] == "cj"
    assert manual["spec"]["template"]["spec"]["containers"][0]["command"] == ["date"]


def test_create_serviceaccount_and_rbac(k3py_server: Server, namespace: str) -> None:
    ns = ["-n", namespace]
    k3py_server.kubectl(*ns, "create", "serviceaccount", "robot")
    assert get(k3py_server, namespace, "serviceaccount", "robot")["metadata"]["name"] == "robot"
    k3py_server.kubectl(*ns, "create", "role", "reader", "--verb=get,list", "--resource=pods,deployments.apps")
    rules = get(k3py_server, namespace, "role", "reader")["rules"]
    assert rules == [
        {"verbs": ["get", "list"], "apiGroups": [""], "resources": ["pods"]},
        {"verbs": ["get", "list"], "apiGroups": ["apps"], "resources": ["deployments"]},
    ]
    k3py_server.kubectl(
        *ns, "create", "rolebinding", "rb", "--role=reader", f"--serviceaccount={namespace}:robot", "--user=alice"
    )
    binding = get(k3py_server, namespace, "rolebinding", "rb")
    assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "reader"}
    assert binding["subjects"] == [
        {"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "alice"},
        {"kind": "ServiceAccount", "name": "robot", "namespace": namespace},
    ]
    role = namespace + "-nodes"
    k3py_server.kubectl("create", "clusterrole", role, "--verb=get", "--resource=nodes", "--non-resource-url=/logs")
    cluster_role = json.loads(k3py_server.kubectl("get", "clusterrole", role, "-o", "json"))
    assert cluster_role["rules"] == [
        {"verbs": ["get"], "apiGroups": [""], "resources": ["nodes"]},
        {"verbs": ["get"], "nonResourceURLs": ["/logs"]},
    ]
    k3py_server.kubectl("create", "clusterrolebinding", role, f"--clusterrole={role}", "--group=devs")
    cluster_binding = json.loads(k3py_server.kubectl("get", "clusterrolebinding", role, "-o", "json"))
    assert cluster_binding["subjects"] == [{"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": "devs"}]


def test_create_token(k3py_server: Server, namespace: str) -> None:
    """A TokenRequest goes as protobuf too; its audiences and lifetime must reach the token."""
    k3py_server.kubectl("-n", namespace, "create", "serviceaccount", "robot")
    token = k3py_server.kubectl("-n", namespace, "create", "token", "robot", "--duration=1h", "--audience=x").strip()
    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["aud"] == ["x"]
    assert claims["exp"] - claims["iat"] == 3600
    assert claims["sub"] == f"system:serviceaccount:{namespace}:robot"


def test_create_quota_pdb_priorityclass_ingress_and_autoscale(k3py_server: Server, namespace: str) -> None:
    ns = ["-n", namespace]
    k3py_server.kubectl(*ns, "create", "quota", "q", "--hard=cpu=1,memory=1Gi,pods=10")
    assert get(k3py_server, namespace, "resourcequota", "q")["spec"]["hard"] == {
        "cpu": "1",
        "memory": "1Gi",
        "pods": "10",
    }
    k3py_server.kubectl(*ns, "create", "poddisruptionbudget", "pdb", "--selector=app=web", "--min-available=50%")
    pdb = get(k3py_server, namespace, "pdb", "pdb")
    assert pdb["spec"] == {"minAvailable": "50%", "selector": {"matchLabels": {"app": "web"}}}
    k3py_server.kubectl(*ns, "create", "ingress", "ing", "--rule=foo.com/bar=svc:80", "--class=nginx")
    ingress = get(k3py_server, namespace, "ingress", "ing")
    assert ingress["spec"]["ingressClassName"] == "nginx"
    (rule,) = ingress["spec"]["rules"]
    assert rule["host"] == "foo.com"
    assert rule["http"]["paths"][0]["backend"] == {"service": {"name": "svc", "port": {"number": 80}}}
    k3py_server.kubectl(*ns, "create", "deployment", "web", "--image=nginx")
    k3py_server.kubectl(*ns, "autoscale", "deployment", "web", "--min=1", "--max=3", "--cpu=50%")
    hpa = get(k3py_server, namespace, "hpa", "web")
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (1, 3)
    assert hpa["spec"]["scaleTargetRef"] == {"kind": "Deployment", "name": "web", "apiVersion": "apps/v1"}
    priority = namespace + "-high"
    k3py_server.kubectl(
        "create", "priorityclass", priority, "--value=1000", "--description=high", "--preemption-policy=Never"
    )
    created = json.loads(k3py_server.kubectl("get", "priorityclass", priority, "-o", "json"))
    assert (created["value"], created["description"], created["preemptionPolicy"]) == (1000, "high", "Never")


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


# create token has no --dry-run; autoscale reads the deployment it scales, which the cluster lacks.
CASES = [case for case in json.loads(GOLDEN.read_text())["bodies"] if case["name"] not in ("token", "autoscale")]


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_golden_objects_are_what_kubectl_prints_as_json(k3py_server: Server, case: dict[str, Any]) -> None:
    """The unit tests' expected objects are kubectl's own JSON for the same commands (nulls aside: Go's zero values)."""
    args = case["kubectl"]
    cut = args.index("--") if "--" in args else len(args)
    printed = k3py_server.kubectl(*args[:cut], "--dry-run=client", "-o", "json", *args[cut:])
    assert _without_nulls(json.loads(printed)) == case["object"]
