"""Wiring of ``k3py server``: the PKI and the datastore first, then the HTTPS server on top of them, then signals.

It owns the order of start and stop (the k3s ``control.Server`` idea) and nothing else: no
request handling (``api/``) and no storage rules (``store/``). The store's failure stops the
process, because there are no writes without a store (ARCHITECTURE.md section 1).

Theory of operation::

    run()  signal receiver (SIGTERM, SIGINT)
     └─ nursery
         ├─ _handle_signals: 1st signal -> graceful stop; a 2nd one, or one during start -> cancel
         └─ _serve: PKI, token (thread) ──> open_store ──> bind the socket ──> kubeconfig (thread)
                    ──> hypercorn (TLS, AuthMiddleware around the app) ──> task_status.started()
                    └─ nursery
                        ├─ hypercorn.trio.serve(shutdown_trigger=stop.wait)
                        ├─ _stop_when_store_fails: store.wait_failed() -> stop, then re-raise
                        └─ _run_controllers (once serving): the controller manager, through the
                           in-process client (the whole API pipeline, no sockets), while it leads

A graceful stop lets hypercorn finish open requests (``GRACEFUL_TIMEOUT_SECONDS``), runs the
app's lifespan shutdown, and only then leaves ``open_store``, which flushes the store.

TLS: hypercorn serves with the serving certificate from ``DATA_DIR/tls`` and asks for (but does
not require) a client certificate from the client CA; ``api.auth`` explains how that certificate
reaches the app. HTTP/2 and HTTP/1.1 are offered through ALPN, as kube-apiserver does.
"""

from __future__ import annotations

import logging
import signal
import socket
import ssl
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import hypercorn.config
import hypercorn.trio
import trio

import k3py
from k3py.api import app as api_app
from k3py.api import auth, kubeconfig, pki
from k3py.api.client import AppTransport, Client
from k3py.concurrency import bridge
from k3py.controllers.manager import run_controllers
from k3py.fleet import edge
from k3py.fleet import enrollment as enrollments
from k3py.fleet.mqtt import MQTTError
from k3py.fleet.sync import run_edge_sync
from k3py.store import StoreError, StoreSettings, describe, open_store

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from k3py.fleet.enrollment import Enrollment
    from k3py.store import Store

logger = logging.getLogger(__name__)

DEFAULT_DATA_DIR = Path("/var/lib/k3py")
DEFAULT_HTTPS_LISTEN_PORT = 6443  # the apiserver's port in K3s
DEFAULT_BIND_ADDRESS = "0.0.0.0"
DEFAULT_WRITE_KUBECONFIG = Path("/etc/k3py/k3py.yaml")
DEFAULT_WRITE_KUBECONFIG_MODE = kubeconfig.DEFAULT_MODE
#: kube-apiserver's --token-auth-file format; read at start, if it is there
TOKEN_AUTH_FILE = Path("tls") / "tokens.csv"

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
    #: the secret of the node join token (or a full ``K10...`` token); empty: keep or make one
    token: str = field(default="", repr=False)
    #: where the admin kubeconfig is written at start
    write_kubeconfig: Path = DEFAULT_WRITE_KUBECONFIG
    write_kubeconfig_mode: int = DEFAULT_WRITE_KUBECONFIG_MODE
    #: extra names and IPs for the serving certificate
    tls_san: tuple[str, ...] = ()
    #: reserved: the server runs no agent yet
    disable_agent: bool = False
    #: run no controllers (garbage collector, ...) in this server, as K3s' --disable-controller-manager
    disable_controller_manager: bool = False
    #: the file with this device's enrollment line: follow that fleet hub (``k3py.fleet.sync``)
    hub_config: Path | None = None
    debug: bool = False

    @property
    def datastore(self) -> str:
        """The datastore endpoint actually used."""
        return self.datastore_endpoint or str(self.data_dir / "db" / "state.db")


class ListenError(Exception):
    """The server cannot listen on its address (in use, not permitted, no such address)."""


class SetupError(Exception):
    """The server cannot set up its TLS files, token or kubeconfig (damaged CA, no permission)."""


@dataclass(slots=True)
class _Lifecycle:
    """What the signal handler needs to know about, and do to, the running server."""

    cancel_scope: trio.CancelScope
    stop: trio.Event = field(default_factory=trio.Event)
    serving: bool = False


async def run(config: ServerConfig, *, task_status: trio.TaskStatus[list[str]] = trio.TASK_STATUS_IGNORED) -> None:
    """Run the server until SIGTERM or SIGINT; ``task_status.started(urls)`` once it is listening.

    Returns after a signal. Raises ``StoreError`` when the datastore cannot be opened or fails
    while serving, ``ListenError`` when the address cannot be bound, and ``SetupError`` when
    the PKI, the token or the kubeconfig cannot be written (through the nursery, so possibly
    inside an ``ExceptionGroup``).

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
    server_pki, tokens = await bridge.run_blocking(_prepare_pki, config, limiter_name="files")
    enrollment = None
    if config.hub_config is not None:
        try:
            enrollment = await bridge.run_blocking(enrollments.load, config.hub_config, limiter_name="files")
        except enrollments.EnrollmentError as exc:
            raise SetupError(str(exc)) from None
    logger.info("Opening datastore %s", describe(config.datastore))
    async with open_store(StoreSettings(endpoint=config.datastore)) as store:
        sock = await _listen_socket(config.bind_address, config.https_listen_port)
        port = sock.getsockname()[1]
        try:
            await bridge.run_blocking(_write_kubeconfig, config, port, server_pki, limiter_name="files")
        except SetupError:
            sock.close()
            raise
        authenticator = auth.Authenticator.from_pki(server_pki, tokens=tokens)
        failures: list[StoreError] = []
        app = api_app.make_app(store)
        async with trio.open_nursery() as nursery:

            async def serve_http(*, task_status: trio.TaskStatus[list[str]]) -> None:
                await hypercorn.trio.serve(
                    auth.AuthMiddleware(app, authenticator),
                    _hypercorn_config(config, sock, server_pki),
                    shutdown_trigger=lifecycle.stop.wait,
                    task_status=task_status,
                )
                nursery.cancel_scope.cancel()  # the store watcher has nothing left to guard

            nursery.start_soon(_stop_when_store_fails, store, lifecycle, failures)
            urls = await nursery.start(serve_http)
            lifecycle.serving = True
            for url in urls:
                logger.info("k3py server listening on %s", url)
            if not config.disable_controller_manager:
                nursery.start_soon(_run_controllers, app, authenticator, config.node_name, server_pki.server_ca_pem)
            if enrollment is not None:
                nursery.start_soon(_run_edge_sync, app, authenticator, enrollment)
            task_status.started(urls)
        logger.info("HTTPS server stopped")
        if failures:
            raise failures[0]


async def _run_controllers(
    app: api_app.App, authenticator: auth.Authenticator, node_name: str, root_ca_pem: bytes
) -> None:
    """The controller manager on the in-process client; it campaigns for the Lease as this node."""
    async with trio.open_nursery() as requests:
        transport = AppTransport(app, requests, authenticator=authenticator)
        async with httpx.AsyncClient(transport=transport, base_url="https://k3py.internal") as http:
            client = Client(http, field_manager="k3py-controller-manager")
            await run_controllers(client, identity=f"{node_name}_{uuid.uuid4()}", root_ca_pem=root_ca_pem)
        requests.cancel_scope.cancel()


async def _run_edge_sync(app: api_app.App, authenticator: auth.Authenticator, enrollment: Enrollment) -> None:
    """The fleet's edge sync on the in-process client, applying as ``k3py-fleet``."""
    async with trio.open_nursery() as requests:
        transport = AppTransport(app, requests, authenticator=authenticator)
        async with httpx.AsyncClient(transport=transport, base_url="https://k3py.internal") as http:
            try:
                await run_edge_sync(Client(http, field_manager=edge.FIELD_MANAGER), enrollment)
            except MQTTError as exc:  # retrying cannot help; the device runs on with what it has
                logger.error("fleet: %s; this device no longer follows its hub", exc)
        requests.cancel_scope.cancel()


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


def _prepare_pki(config: ServerConfig) -> tuple[pki.ServerPKI, dict[str, auth.User]]:
    """Blocking: the TLS files and the join token (created or reused), and the static tokens."""
    names = pki.ServingNames.build(
        node_name=config.node_name, bind_address=config.bind_address, tls_sans=config.tls_san
    )
    token_file = config.data_dir / TOKEN_AUTH_FILE
    try:
        server_pki = pki.ensure(config.data_dir, names, token_secret=config.token)
        tokens = auth.load_token_file(token_file)
    except pki.PKIError as exc:
        raise SetupError(str(exc)) from exc
    except (auth.TokenFileError, OSError) as exc:
        raise SetupError(f"cannot read {token_file}: {exc}") from exc
    return server_pki, tokens


def _write_kubeconfig(config: ServerConfig, port: int, server_pki: pki.ServerPKI) -> None:
    """Blocking: the admin kubeconfig, rewritten at every start as K3s does."""
    url = kubeconfig.server_url(config.bind_address, port)
    try:
        kubeconfig.write(config.write_kubeconfig, url, server_pki, mode=config.write_kubeconfig_mode)
    except OSError as exc:
        raise SetupError(
            f"cannot write the kubeconfig {config.write_kubeconfig}: {exc.strerror or exc} "
            "(choose another place with --write-kubeconfig)"
        ) from exc


class _TLSConfig(hypercorn.config.Config):
    """hypercorn's config with our TLS context (client CA only, client certificates recorded: ``api.auth``)."""

    def __init__(self, server_pki: pki.ServerPKI) -> None:
        super().__init__()
        self.server_pki = server_pki
        # Set for hypercorn's own checks (``ssl_enabled``: serve these sockets with TLS); the
        # context itself comes from create_ssl_context below.
        self.certfile = str(server_pki.serving_cert_file)
        self.keyfile = str(server_pki.serving_key_file)
        self.ca_certs = str(server_pki.client_ca_file)
        self.verify_mode = ssl.CERT_OPTIONAL
        self.alpn_protocols = ["h2", "http/1.1"]

    def create_ssl_context(self) -> ssl.SSLContext:
        return auth.server_ssl_context(
            self.server_pki.serving_cert_file,
            self.server_pki.serving_key_file,
            self.server_pki.client_ca_file,
            alpn=self.alpn_protocols,
        )


def _hypercorn_config(config: ServerConfig, sock: socket.socket, server_pki: pki.ServerPKI) -> hypercorn.config.Config:
    hc = _TLSConfig(server_pki)
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
