"""The ``k3py`` command: argv and environment in, a config out, the one ``trio.run``, an exit code.

No logic lives here beyond that. Flags and environment variables follow K3s names where the
meaning is the same (ARCHITECTURE.md section 7). Startup errors a user can fix (a bad datastore,
a port in use) are printed as one ``k3py: error:`` line with exit code 1, never a traceback.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import socket
import sys
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import trio

import k3py
from k3py import server
from k3py.store import StoreError

if TYPE_CHECKING:
    from collections.abc import Sequence

logger = logging.getLogger(__name__)

# The collector's thresholds for the server process. With Python's default (700, 10, 10), a server
# start plus ~2,700 API requests ran ~280 young and 2-3 full collections: 0.3 s of CPU, each full
# one a 63-68 ms pause (a request's decoded objects fill the young generation in a few requests).
# With these, and the freeze in ``_serve``: 6 young collections, 0.02 s, and start to ready went
# from 0.86 s to 0.72-0.78 s (medians, 2-vCPU VM; tests/bench/api.py measures both). Cyclic
# garbage is rare here (refcounting frees nearly everything), so the larger young generation
# costs little memory (idle RSS unchanged).
GC_THRESHOLDS = (10_000, 10, 10)

_TRUE = frozenset({"1", "t", "true", "y", "yes", "on"})
_FALSE = frozenset({"", "0", "f", "false", "n", "no", "off"})


def version_string() -> str:
    import platform  # only --version needs it

    return f"k3py version v{k3py.__version__} (python {platform.python_version()})"


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``k3py`` with ``argv`` (default: ``sys.argv[1:]``); returns the exit code."""
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors: argparse has printed already
        return exc.code if isinstance(exc.code, int) else 2
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        config = server_config(args)
    except ValueError as exc:
        print(f"k3py {args.command}: error: {exc}", file=sys.stderr)
        return 2
    setup_logging(debug=config.debug)
    errors: list[BaseException] = []
    thresholds = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        trio.run(partial(_serve, config))
    except* (StoreError, server.ListenError, server.SetupError) as group:
        errors.extend(_leaves(group))
    except* KeyboardInterrupt:
        pass  # Ctrl-C before the server took over SIGINT: nothing is running yet to stop
    finally:
        # As it was, for a caller that goes on (tests run main in their own process).
        gc.unfreeze()
        gc.set_threshold(*thresholds)
    for error in errors:
        print(f"k3py: error: {error}", file=sys.stderr)
    return 1 if errors else 0


async def _serve(config: server.ServerConfig) -> None:
    """``server.run``, and once it listens, ``gc.freeze()``: the ~70,000 objects made by imports
    and start-up (modules, the registry, schemas) live as long as the process, and every full
    collection walked all of them again; frozen, a full collection walks only what was made since.
    This belongs to the process, not to ``server.run``, which tests also run inside pytest."""
    async with trio.open_nursery() as nursery:
        await nursery.start(server.run, config)
        gc.freeze()


def build_parser() -> argparse.ArgumentParser:
    """The argument parser; defaults come from the environment as it is when this is called."""
    parser = argparse.ArgumentParser(
        prog="k3py", description="A K3s-style Kubernetes distribution in Python for edge and IoT boards."
    )
    parser.add_argument("--version", action="version", version=version_string())
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    srv = commands.add_parser(
        "server",
        help="run the server (datastore and the Kubernetes API over HTTPS)",
        description="Run the k3py server: it creates its CAs and certificates under DATA_DIR/tls on first "
        "start, writes the node join token to DATA_DIR/token and the admin kubeconfig, opens the datastore "
        "and serves the API over HTTPS. The agent comes later.",
    )
    srv.add_argument(
        "-d",
        "--data-dir",
        type=Path,
        default=Path(os.environ.get("K3PY_DATA_DIR") or server.DEFAULT_DATA_DIR),
        help="folder for the server's state: the SQLite datastore DATA_DIR/db/state.db, the certificates in "
        "DATA_DIR/tls, the join token DATA_DIR/token (default: %(default)s) [$K3PY_DATA_DIR]",
    )
    srv.add_argument(
        "--https-listen-port",
        type=_port,
        default=server.DEFAULT_HTTPS_LISTEN_PORT,
        help="HTTPS port the server listens on (default: %(default)s)",
    )
    srv.add_argument(
        "--bind-address",
        default=server.DEFAULT_BIND_ADDRESS,
        help="address the server listens on (default: %(default)s)",
    )
    srv.add_argument(
        "--tls-san",
        action="append",
        metavar="NAME",
        help="an extra host name or IP address for the serving certificate; repeat it or separate "
        "with commas [$K3PY_TLS_SAN]",
    )
    srv.add_argument(
        "--datastore-endpoint",
        default=os.environ.get("K3PY_DATASTORE_ENDPOINT", ""),
        help="a SQLite file path, or postgres://user:pass@host:port/db (default: SQLite at "
        "DATA_DIR/db/state.db) [$K3PY_DATASTORE_ENDPOINT]",
    )
    srv.add_argument(
        "--node-name",
        default=os.environ.get("K3PY_NODE_NAME") or socket.gethostname().lower(),
        help="this node's name (default: the host name) [$K3PY_NODE_NAME]",
    )
    srv.add_argument(
        "--token",
        default=os.environ.get("K3PY_TOKEN", ""),
        help="the secret of the token agents join with (a full K10... token works too); by default one is "
        "made on first start and kept in DATA_DIR/token [$K3PY_TOKEN]",
    )
    srv.add_argument(
        "-o",
        "--write-kubeconfig",
        type=Path,
        default=Path(os.environ.get("K3PY_KUBECONFIG_OUTPUT") or server.DEFAULT_WRITE_KUBECONFIG),
        help="where the admin kubeconfig is written at every start (default: %(default)s) [$K3PY_KUBECONFIG_OUTPUT]",
    )
    srv.add_argument(
        "--write-kubeconfig-mode",
        type=_file_mode,
        default=os.environ.get("K3PY_KUBECONFIG_MODE") or f"0{server.DEFAULT_WRITE_KUBECONFIG_MODE:o}",
        metavar="MODE",
        help="the kubeconfig's file mode, in octal (default: %(default)s) [$K3PY_KUBECONFIG_MODE]",
    )
    srv.add_argument(
        "--disable-agent",
        action="store_true",
        help="reserved: do not run the agent on this node; the server runs no agent yet",
    )
    srv.add_argument(
        "--disable-controller-manager",
        action="store_true",
        help="run no controllers in this server (garbage collector, ...) [$K3PY_DISABLE_CONTROLLER_MANAGER]",
    )
    srv.add_argument(
        "--hub-config",
        type=Path,
        default=Path(os.environ["K3PY_HUB_CONFIG"]) if os.environ.get("K3PY_HUB_CONFIG") else None,
        metavar="FILE",
        help="a file holding this device's enrollment line (`k3py hub enroll` prints it): follow that hub, "
        "applying the bundles it sends and reporting back [$K3PY_HUB_CONFIG]",
    )
    srv.add_argument(
        "--debug",
        action="store_true",
        help="log at DEBUG level, with HTTP access logs [$K3PY_DEBUG]",
    )
    return parser


def server_config(args: argparse.Namespace) -> server.ServerConfig:
    """The server's config from parsed arguments; raises ``ValueError`` for a bad environment variable."""
    return server.ServerConfig(
        data_dir=args.data_dir,
        https_listen_port=args.https_listen_port,
        bind_address=args.bind_address,
        datastore_endpoint=args.datastore_endpoint,
        node_name=args.node_name,
        token=args.token,
        write_kubeconfig=args.write_kubeconfig,
        write_kubeconfig_mode=args.write_kubeconfig_mode,
        tls_san=_split_list(args.tls_san if args.tls_san is not None else [os.environ.get("K3PY_TLS_SAN", "")]),
        disable_agent=args.disable_agent,
        disable_controller_manager=args.disable_controller_manager or env_bool("K3PY_DISABLE_CONTROLLER_MANAGER"),
        hub_config=args.hub_config,
        debug=args.debug or env_bool("K3PY_DEBUG"),
    )


def setup_logging(*, debug: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
        force=True,
    )
    if not debug:
        # hypercorn repeats our "listening on" line at INFO; keep its warnings and errors.
        logging.getLogger("hypercorn.error").setLevel(logging.WARNING)
        # httpx logs every request at INFO: the in-process client's, for the controllers, are many.
        logging.getLogger("httpx").setLevel(logging.WARNING)


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port out of range 1-65535: {port}")
    return port


def _file_mode(text: str) -> int:
    """An octal file mode as K3s takes it (``0644``, ``644``)."""
    try:
        mode = int(text, 8)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an octal file mode: {text!r}") from None
    if not 0 <= mode <= 0o777:
        raise argparse.ArgumentTypeError(f"file mode out of range 0-0777: {text!r}")
    return mode


def _split_list(values: Sequence[str]) -> tuple[str, ...]:
    """Repeated and comma-separated values in one list, as K3s' list flags take them."""
    return tuple(item.strip() for value in values for item in value.split(",") if item.strip())


def env_bool(name: str) -> bool:
    """The boolean environment variable ``name`` (unset or empty: false), as K3s parses them."""
    value = os.environ.get(name, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"${name}: expected true or false, got {value!r}")


def _leaves(group: BaseExceptionGroup[BaseException]) -> list[BaseException]:
    out: list[BaseException] = []
    for exc in group.exceptions:
        out.extend(_leaves(exc) if isinstance(exc, BaseExceptionGroup) else [exc])
    return out
