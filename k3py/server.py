"""Wiring of ``k3py server``: the datastore first, then the HTTP server on top of it, then signals.

It owns the order of start and stop (the k3s ``control.Server`` idea) and nothing else: no
request handling (``api/``) and no storage rules (``store/``). The store's failure stops the
process, because there are no writes without a store (ARCHITECTURE.md section 1).

Theory of operation::

    run()  signal receiver (SIGTERM, SIGINT)
     └─ nursery
         ├─ _handle_signals: 1st signal -> graceful stop; a 2nd one, or one during start -> cancel
         └─ _serve: open_store ──> bind the socket ──> hypercorn ──> task_status.started()
                    └─ nursery
                        ├─ hypercorn.trio.serve(shutdown_trigger=stop.wait)
                        └─ _stop_when_store_fails: store.wait_failed() -> stop, then re-raise

A graceful stop lets hypercorn finish open requests (``GRACEFUL_TIMEOUT_SECONDS``), runs the
app's lifespan shutdown, and only then leaves ``open_store``, which flushes the store.
"""

from __future__ import annotations

import logging
import signal
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import hypercorn.config
import hypercorn.trio
import trio

import k3py
from k3py.api import app as api_app
from k3py.store import StoreError, StoreSettings, describe, open_store

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from k3py.store import Store

logger = logging.getLogger(__name__)

DEFAULT_DATA_DIR = Path("/var/lib/k3py")
DEFAULT_HTTPS_LISTEN_PORT = 6443  # the apiserver's port in K3s
DEFAULT_BIND_ADDRESS = "0.0.0.0"
DEFAULT_WRITE_KUBECONFIG = Path("/etc/k3py/k3py.yaml")

# How long open requests may take to finish after a stop signal. Health checks answer in
# microseconds; long watches will be cut at this point, as the apiserver does. A guess.
GRACEFUL_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class ServerConfig:
    """Everything ``k3py server`` is told on its command line (``cli.py`` builds it)."""

    data_dir: Path = DEFAULT_DATA_DIR
    https_listen_port: int = DEFAULT_HTTPS_LISTEN_PORT
    bind_address: str = DEFAULT_BIND_ADDRESS
    #: empty: SQLite at ``data_dir/db/state.db``
    datastore_endpoint: str = ""
    node_name: str = ""
    #: reserved: the join token, used once agents can join
    token: str = field(default="", repr=False)
    #: reserved: written once the Kubernetes API is served
    write_kubeconfig: Path = DEFAULT_WRITE_KUBECONFIG
    #: reserved: the server runs no agent yet
    disable_agent: bool = False
    debug: bool = False

    @property
    def datastore(self) -> str:
        """The datastore endpoint actually used."""
        return self.datastore_endpoint or str(self.data_dir / "db" / "state.db")


class ListenError(Exception):
    """The server cannot listen on its address (in use, not permitted, no such address)."""


@dataclass(slots=True)
class _Lifecycle:
    """What the signal handler needs to know about, and do to, the running server."""

    cancel_scope: trio.CancelScope
    stop: trio.Event = field(default_factory=trio.Event)
    serving: bool = False


async def run(config: ServerConfig, *, task_status: trio.TaskStatus[list[str]] = trio.TASK_STATUS_IGNORED) -> None:
    """Run the server until SIGTERM or SIGINT; ``task_status.started(urls)`` once it is listening.

    Returns after a signal. Raises ``StoreError`` when the datastore cannot be opened or fails
    while serving, and ``ListenError`` when the address cannot be bound (through the nursery, so
    possibly inside an ``ExceptionGroup``).

    **Cancellation:** cancelling stops the HTTP server at once and still flushes the store.
    """
    logger.info("Starting k3py server v%s (node %s, data dir %s)", k3py.__version__, config.node_name, config.data_dir)
    with trio.open_signal_receiver(signal.SIGTERM, signal.SIGINT) as signals:
        async with trio.open_nursery() as nursery:
            lifecycle = _Lifecycle(nursery.cancel_scope)
            nursery.start_soon(_handle_signals, signals, lifecycle)
            await _serve(config, lifecycle, task_status)
            nursery.cancel_scope.cancel()
    logger.info("k3py server stopped")


async def _serve(config: ServerConfig, lifecycle: _Lifecycle, task_status: trio.TaskStatus[list[str]]) -> None:
    logger.info("Opening datastore %s", describe(config.datastore))
    async with open_store(StoreSettings(endpoint=config.datastore)) as store:
        sock = await _listen_socket(config.bind_address, config.https_listen_port)
        failures: list[StoreError] = []
        async with trio.open_nursery() as nursery:

            async def serve_http(*, task_status: trio.TaskStatus[list[str]]) -> None:
                await hypercorn.trio.serve(
                    api_app.make_app(store),
                    _hypercorn_config(config, sock),
                    shutdown_trigger=lifecycle.stop.wait,
                    task_status=task_status,
                )
                nursery.cancel_scope.cancel()  # the store watcher has nothing left to guard

            nursery.start_soon(_stop_when_store_fails, store, lifecycle, failures)
            urls = await nursery.start(serve_http)
            lifecycle.serving = True
            for url in urls:
                logger.info("k3py server listening on %s", url)
            task_status.started(urls)
        logger.info("HTTP server stopped")
        if failures:
            raise failures[0]


async def _listen_socket(host: str, port: int) -> socket.socket:
    """Bind the listening socket here rather than in hypercorn, so a bad address is one clear error."""
    where = f"{host}:{port}"
    try:
        infos = await trio.socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        family, kind, proto, _, address = infos[0]
        sock = socket.socket(family, kind, proto)
    except OSError as exc:
        raise ListenError(f"cannot listen on {where}: {exc.strerror or exc}") from exc
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # restart while old sockets linger
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise ListenError(f"cannot listen on {where}: {exc.strerror or exc}") from exc
    return sock


def _hypercorn_config(config: ServerConfig, sock: socket.socket) -> hypercorn.config.Config:
    hc = hypercorn.config.Config()
    hc.bind = [f"fd://{sock.detach()}"]  # hypercorn owns the socket from here on
    hc.errorlog = logging.getLogger("hypercorn.error")
    hc.accesslog = logging.getLogger("hypercorn.access") if config.debug else None
    hc.graceful_timeout = GRACEFUL_TIMEOUT_SECONDS
    return hc


async def _stop_when_store_fails(store: Store, lifecycle: _Lifecycle, failures: list[StoreError]) -> None:
    error = await store.wait_failed()
    logger.warning("Stopping: the datastore failed")
    failures.append(error)
    lifecycle.stop.set()


async def _handle_signals(signals: AsyncIterator[int], lifecycle: _Lifecycle) -> None:
    async for signum in signals:
        name = signal.Signals(signum).name
        if lifecycle.stop.is_set() or not lifecycle.serving:
            logger.info("%s received, stopping now", name)
            lifecycle.cancel_scope.cancel()
            return
        logger.info("%s received, shutting down (send it again to stop at once)", name)
        lifecycle.stop.set()
