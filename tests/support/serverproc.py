"""A real ``k3py server`` subprocess for tests and benchmarks: start it, wait for ``/readyz``, stop it by PID.

The integration tests (``tests/integration/server``, ``tests/integration/api/conftest.py``) and the
API benchmark (``tests/bench/api.py``) all start the server the same way, from here: the console
script of this venv, a free loopback port, a data dir and an admin kubeconfig of the caller's, and
stdout and stderr in one log file. None of them may leave a server running, so every start is
paired with a stop or a kill by PID (:class:`Launcher` kills what it started, whatever happened).

Importing it: pytest runs with ``--import-mode=importlib``, which makes ``tests`` a namespace
package, so test modules and conftests import it relatively (``from ...support import
serverproc``). The benchmarks run as scripts and load it by path (``tests/bench/api.py``).
"""

from __future__ import annotations

import base64
import contextlib
import os
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import yaml

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import TracebackType

BIN = Path(sys.executable).parent
K3PY = BIN / "k3py"
KUBECTL = BIN / "kubectl"
START_TIMEOUT_SECONDS = 10.0
STOP_TIMEOUT_SECONDS = 10.0
# Seconds between two /readyz polls: short, because start-to-ready is itself a measured figure.
POLL_SECONDS = 0.005
PR_SET_PDEATHSIG = 1


class ServerProcessError(AssertionError):
    """The server did not do what a test or a benchmark needs (start, get ready, stop).

    An ``AssertionError`` so that pytest reports it as the failure it is, with the server's log.
    """


def free_port() -> int:
    """A loopback port free right now (the server binds it a moment later; a race, rarely lost)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env() -> dict[str, str]:
    """This environment without ``K3PY_*`` (they would change the server's flags) and with bytecode
    caching on, as in a real install: a test environment that sets ``PYTHONDONTWRITEBYTECODE``
    would otherwise time how fast Python compiles k3py at every start."""
    return {k: v for k, v in os.environ.items() if not k.startswith("K3PY_") and k != "PYTHONDONTWRITEBYTECODE"}


def kubeconfig_tls(kubeconfig: Path) -> tuple[str, ssl.SSLContext]:
    """The server URL and a TLS context from an admin kubeconfig: its CA, its client certificate.

    ``ssl`` loads a client key from a file only, so the key goes through a private temp file that
    is gone when this returns.
    """
    config = yaml.safe_load(kubeconfig.read_text())
    cluster = config["clusters"][0]["cluster"]
    user = config["users"][0]["user"]
    context = ssl.create_default_context(cadata=base64.b64decode(cluster["certificate-authority-data"]).decode())
    with tempfile.TemporaryDirectory(prefix="k3py-kubeconfig-") as scratch:
        cert, key = Path(scratch) / "client.crt", Path(scratch) / "client.key"
        cert.write_bytes(base64.b64decode(user["client-certificate-data"]))
        key.touch(mode=0o600)
        key.write_bytes(base64.b64decode(user["client-key-data"]))
        context.load_cert_chain(cert, key)
    return str(cluster["server"]), context


def _die_with_parent() -> None:
    """In the child, between fork and exec: SIGKILL when the thread that started it ends, so that
    even a killed benchmark leaves no server behind. ``_PRCTL`` is looked up before the fork."""
    if _PRCTL is not None:
        _PRCTL(PR_SET_PDEATHSIG, signal.SIGKILL)


def _load_prctl() -> Callable[..., int] | None:
    try:
        import ctypes

        prctl: Callable[..., int] = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    return prctl


_PRCTL = _load_prctl()


@dataclass
class ServerProcess:
    """A ``k3py server`` subprocess and what a client needs to reach it."""

    process: subprocess.Popen[bytes]
    port: int
    data_dir: Path
    kubeconfig: Path
    #: the server's stdout and stderr
    log: Path
    #: ``time.monotonic()`` right before the exec
    started_at: float

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def tls_dir(self) -> Path:
        return self.data_dir / "tls"

    @property
    def ca_file(self) -> Path:
        return self.tls_dir / "server-ca.crt"

    def output(self) -> str:
        """What the server has logged so far."""
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return "(no log)"

    def tls(self, *, client_cert: bool = False) -> ssl.SSLContext:
        """Trusts the server's CA (made at its first start); presents the admin certificate if asked."""
        context = ssl.create_default_context(cafile=self.ca_file)
        if client_cert:
            context.load_cert_chain(self.tls_dir / "client-admin.crt", self.tls_dir / "client-admin.key")
        return context

    def client(
        self, *, client_cert: bool = False, token: str = "", http2: bool = False, timeout: float = 5.0
    ) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(
            base_url=self.url, verify=self.tls(client_cert=client_cert), headers=headers, http2=http2, timeout=timeout
        )

    def wait_ready(self, timeout: float = START_TIMEOUT_SECONDS, *, poll: float = POLL_SECONDS) -> float:
        """Poll ``/readyz`` (verified with the server's CA) until it answers 200 "ok"; return the
        seconds since the exec. Raises :class:`ServerProcessError` if the server exits or is not
        ready ``timeout`` seconds after the exec."""
        deadline = self.started_at + timeout
        client: httpx.Client | None = None
        try:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise ServerProcessError(f"k3py server exited with {self.process.returncode}:\n{self.output()}")
                try:
                    if client is None and self.ca_file.exists():  # written atomically: there means complete
                        client = httpx.Client(verify=ssl.create_default_context(cafile=self.ca_file), timeout=1.0)
                    response = client.get(self.url + "/readyz") if client is not None else None
                except httpx.TransportError:
                    response = None
                if response is not None and (response.status_code, response.text) == (200, "ok"):
                    return time.monotonic() - self.started_at
                time.sleep(poll)
        finally:
            if client is not None:
                client.close()
        raise ServerProcessError(f"/readyz did not answer 200 within {timeout} s:\n{self.output()}")

    def wait_exit(self, timeout: float = STOP_TIMEOUT_SECONDS) -> int:
        """Wait for the process to end on its own (or after a signal sent by the caller); its exit code."""
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise ServerProcessError(f"k3py server still running after {timeout} s:\n{self.output()}") from None

    def stop(self, timeout: float = STOP_TIMEOUT_SECONDS) -> int | None:
        """SIGTERM and wait: the exit code. A server still running after ``timeout`` is killed and
        the answer is None, which no ``== 0`` check accepts."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return None

    def kill(self) -> None:
        """SIGKILL by PID if it still runs, and reap it."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=STOP_TIMEOUT_SECONDS)

    def kubectl(self, *args: str, stdin: str | None = None, check: bool = True, timeout: float = 30) -> str:
        """Run the real kubectl against this server; returns stdout (raises with stderr on failure).

        With ``check=False`` it never raises and returns stdout followed by stderr.
        """
        proc = subprocess.run(
            [str(KUBECTL), "--kubeconfig", str(self.kubeconfig), *args],
            input=stdin.encode() if stdin is not None else None,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
        out, err = proc.stdout.decode(), proc.stderr.decode()
        if check and proc.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed ({proc.returncode}):\n{err}\n{out}")
        return out if check else out + err


def start(
    base: Path,
    *extra: str,
    data_dir: Path | None = None,
    port: int | None = None,
    name: str = "server",
    k3py: Path = K3PY,
    die_with_parent: bool = False,
) -> ServerProcess:
    """Exec ``k3py server`` on 127.0.0.1 with ``extra`` flags; returns at once (see ``wait_ready``).

    Defaults: data dir ``base/data``, a free port, the kubeconfig ``base/{name}-kubeconfig.yaml``,
    the log ``base/{name}.log``. ``die_with_parent`` has the kernel kill the server when the
    calling thread ends (``PR_SET_PDEATHSIG``): for benchmark scripts, started from their main
    thread. Tests leave it off: their fixtures stop the server, and a fork hook in a process with
    other threads running is best avoided.
    """
    if not k3py.exists():
        raise ServerProcessError(f"{k3py} is missing: install the package into this venv (pip install -e '.[dev]')")
    data_dir = data_dir or base / "data"
    port = port or free_port()
    kubeconfig = base / f"{name}-kubeconfig.yaml"
    log = base / f"{name}.log"
    args = ["server", "--data-dir", str(data_dir), "--https-listen-port", str(port), "--bind-address", "127.0.0.1"]
    args += ["--write-kubeconfig", str(kubeconfig), *extra]
    preexec = _die_with_parent if die_with_parent and threading.current_thread() is threading.main_thread() else None
    with log.open("wb") as out:
        started_at = time.monotonic()
        process = subprocess.Popen(
            [str(k3py), *args],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=server_env(),
            preexec_fn=preexec,
        )
    return ServerProcess(process, port, data_dir, kubeconfig, log, started_at)


@dataclass
class Launcher:
    """Starts servers under one base directory and kills by PID whichever still run at :meth:`close`.

    A context manager: tests use it in fixtures, the benchmark around its whole run, so that a
    failure anywhere still stops every server.
    """

    base: Path
    die_with_parent: bool = False
    started: list[ServerProcess] = field(default_factory=list)

    def start(
        self, *extra: str, data_dir: Path | None = None, port: int | None = None, name: str | None = None
    ) -> ServerProcess:
        server = start(
            self.base,
            *extra,
            data_dir=data_dir,
            port=port,
            name=name or f"server-{len(self.started)}",
            die_with_parent=self.die_with_parent,
        )
        self.started.append(server)
        return server

    def close(self) -> None:
        for server in self.started:
            server.kill()

    def __enter__(self) -> Launcher:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
