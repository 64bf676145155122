"""``k3py server`` end to end: the real console script as a subprocess, k3s style (each test
starts and stops its own server), plus the ASGI app and ``server.run`` in-process."""

from __future__ import annotations

import json
import os
import signal
import socket
import ssl
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import trio
import trio.testing

from k3py import server
from k3py.api import app as api_app
from k3py.store import StoreSettings, open_store

from ...support import serverproc

pytestmark = pytest.mark.integration

K3PY = serverproc.K3PY

READY_WITHIN_SECONDS = 5.0
EXIT_WITHIN_SECONDS = 10.0


# -- the console script as a subprocess ----------------------------------------------------------

ServerProcess = serverproc.ServerProcess
StartServer = Callable[..., ServerProcess]


def run_k3py(k3py_bin: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(k3py_bin), *args], capture_output=True, text=True, timeout=30, check=False)


@pytest.fixture
def k3py_bin() -> Path:
    if not K3PY.exists():
        pytest.skip(f"{K3PY} is missing: install the package into this venv (pip install -e '.[dev]')")
    return K3PY


@pytest.fixture
def start_server(k3py_bin: Path, tmp_path: Path) -> Iterator[StartServer]:
    """``start_server(*extra_args, data_dir=, port=)`` starts ``k3py server`` on a free port with a
    temp data dir; whatever still runs at the end is killed by PID."""
    with serverproc.Launcher(tmp_path) as launcher:
        yield launcher.start


def test_version_prints_version_and_python(k3py_bin: Path) -> None:
    result = run_k3py(k3py_bin, "--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("k3py version v0.1.0 (python 3.")


def test_server_help_lists_the_flags(k3py_bin: Path) -> None:
    result = run_k3py(k3py_bin, "server", "--help")
    assert result.returncode == 0, result.stderr
    for flag in (
        "--data-dir",
        "--https-listen-port",
        "--bind-address",
        "--datastore-endpoint",
        "--node-name",
        "--token",
        "--write-kubeconfig",
        "--disable-agent",
        "--debug",
    ):
        assert flag in result.stdout


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["sigterm", "sigint"])
def test_server_serves_health_then_stops_cleanly_on_signal(start_server: StartServer, signum: signal.Signals) -> None:
    proc = start_server()
    took = proc.wait_ready(READY_WITHIN_SECONDS)
    assert took < READY_WITHIN_SECONDS, f"time from exec to /readyz 200: {took:.2f}s"

    with httpx.Client(base_url=proc.url, timeout=5.0, verify=proc.tls(client_cert=True)) as client:
        for path in ("/livez", "/healthz"):
            response = client.get(path)
            assert (response.status_code, response.text) == (200, "ok"), path
        response = client.get("/nonexistent")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    status = response.json()
    assert (status["kind"], status["apiVersion"], status["code"], status["reason"]) == ("Status", "v1", 404, "NotFound")

    os.kill(proc.process.pid, signum)
    code = proc.wait_exit(EXIT_WITHIN_SECONDS)
    stderr = proc.output()
    assert code == 0, stderr
    assert "Traceback" not in stderr
    assert (proc.data_dir / "db" / "state.db").is_file()
    assert f"k3py server listening on https://127.0.0.1:{proc.port}" in stderr


def test_server_on_garbage_database_exits_1_with_one_line_error(start_server: StartServer, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    db = data_dir / "db" / "state.db"
    db.parent.mkdir(parents=True)
    db.write_bytes(b"this is not a database, " * 1000)

    proc = start_server(data_dir=data_dir)
    code = proc.wait_exit(EXIT_WITHIN_SECONDS)
    stderr = proc.output()
    assert code == 1, stderr
    assert "Traceback" not in stderr
    error_lines = [line for line in stderr.splitlines() if line.startswith("k3py: error:")]
    assert len(error_lines) == 1, stderr
    assert str(db) in error_lines[0]
    assert "not a SQLite database" in error_lines[0]


def test_server_on_port_in_use_exits_1_with_one_line_error(start_server: StartServer) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = start_server(port=port)
        code = proc.wait_exit(EXIT_WITHIN_SECONDS)
    stderr = proc.output()
    assert code == 1, stderr
    assert "Traceback" not in stderr
    assert f"k3py: error: cannot listen on 127.0.0.1:{port}" in stderr


# -- in-process: the ASGI app and server.run -----------------------------------------------------


class Lifespan:
    """Drives an ASGI app's lifespan protocol, as hypercorn does."""

    def __init__(self, app: api_app.App) -> None:
        self.app = app
        self._to_app, self._app_inbox = trio.open_memory_channel[dict[str, Any]](1)
        self._from_app, self._app_outbox = trio.open_memory_channel[dict[str, Any]](1)

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(self.app, {"type": "lifespan"}, self._app_inbox.receive, self._from_app.send)
            await self._to_app.send({"type": "lifespan.startup"})
            assert (await self._app_outbox.receive())["type"] == "lifespan.startup.complete"
            task_status.started()

    async def shutdown(self) -> None:
        await self._to_app.send({"type": "lifespan.shutdown"})
        assert (await self._app_outbox.receive())["type"] == "lifespan.shutdown.complete"


def client_for(app: api_app.App) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://k3py")


async def test_app_health_is_ok_while_the_store_is_open() -> None:
    async with open_store(StoreSettings()) as store, client_for(api_app.make_app(store)) as client:
        for path in sorted(api_app.HEALTH_PATHS):
            response = await client.get(path)
            assert (response.status_code, response.text) == (200, "ok"), path
            assert response.headers["content-type"].startswith("text/plain")


async def test_app_health_is_503_once_the_store_stops() -> None:
    async with trio.open_nursery() as nursery:
        async with open_store(StoreSettings()) as store:
            app = api_app.make_app(store)
            lifespan = Lifespan(app)
            await nursery.start(lifespan.run)
        with trio.fail_after(5):
            await store.wait_failed()
        await trio.testing.wait_all_tasks_blocked()
        async with client_for(app) as client:
            for path in sorted(api_app.HEALTH_PATHS):
                response = await client.get(path)
                assert response.status_code == 503, path
                assert response.text == f"{path[1:]} check failed: datastore\n"
        await lifespan.shutdown()


async def test_app_unknown_path_and_wrong_method_render_status() -> None:
    async with open_store(StoreSettings()) as store, client_for(api_app.make_app(store)) as client:
        response = await client.get("/apis/nope.example.com/v1/things")
        assert response.status_code == 404
        assert response.json() == {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": "the server could not find the requested resource",
            "reason": "NotFound",
            "code": 404,
        }
        response = await client.post("/readyz")
        assert response.status_code == 405
        assert json.loads(response.text)["reason"] == "MethodNotAllowed"


async def test_run_serves_until_sigterm_and_returns(tmp_path: Path) -> None:
    config = server.ServerConfig(
        data_dir=tmp_path,
        https_listen_port=0,
        bind_address="127.0.0.1",
        datastore_endpoint="memory://",
        write_kubeconfig=tmp_path / "kubeconfig.yaml",
    )
    with trio.fail_after(EXIT_WITHIN_SECONDS):
        async with trio.open_nursery() as nursery:
            urls = await nursery.start(server.run, config)
            assert len(urls) == 1
            assert urls[0].startswith("https://127.0.0.1:")
            verify = ssl.create_default_context(cafile=tmp_path / "tls" / "server-ca.crt")
            async with httpx.AsyncClient(base_url=urls[0], verify=verify) as client:
                response = await client.get("/readyz")
            assert (response.status_code, response.text) == (200, "ok")
            os.kill(os.getpid(), signal.SIGTERM)  # run() returns by itself, so the nursery exits
    assert not (tmp_path / "db").exists()  # memory:// writes nothing to the data dir
