"""Fixtures shared by all tests: a real PostgreSQL server for the datastore tests.

``postgres_server`` (session) runs one throwaway cluster, initdb'd into a temporary directory and
listening on a unix socket there and on a free port of 127.0.0.1 only, with ``fsync=on``.
``postgres_endpoint`` (per test) creates an empty database on it and drops it afterwards.
``make_postgres_server`` (per test) starts dedicated servers for tests that stop and restart one.

PostgreSQL will not run as root, so when the tests run as root the server runs as the ``postgres``
user of Debian's package (or ``nobody``). Without the binaries these fixtures fail rather than
skip: a skipped test is a defect here (``apt-get install postgresql`` provides them).
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import queue
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    import psycopg

START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
SUPERUSER = "k3py"  # the cluster's superuser role; trust authentication, no password
_INSTALL_HINT = "PostgreSQL server binaries not found: apt-get install postgresql"


@dataclass(frozen=True)
class PostgresBinaries:
    initdb: str
    postgres: str


def find_postgres_binaries() -> PostgresBinaries | None:
    """``initdb`` and ``postgres`` from one directory: the PATH first, then Debian's layout."""
    candidates = [d for d in os.environ.get("PATH", "").split(os.pathsep) if d]

    def version(path: str) -> tuple[int, ...]:
        return tuple(int(n) for n in re.findall(r"\d+", os.path.basename(os.path.dirname(path))))

    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True)
    for directory in candidates:
        initdb, postgres = os.path.join(directory, "initdb"), os.path.join(directory, "postgres")
        if all(os.path.isfile(p) and os.access(p, os.X_OK) for p in (initdb, postgres)):
            return PostgresBinaries(initdb=initdb, postgres=postgres)
    return None


def _server_user() -> pwd.struct_passwd | None:
    """The unprivileged account to run PostgreSQL as, or None to run it as ourselves."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    pytest.fail("running as root and neither a 'postgres' nor a 'nobody' user exists to run PostgreSQL as")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _temp_root(shared: bool) -> str:
    """Where to make the cluster's directory: the usual temporary directory, unless the server's
    own user could not reach it or the socket path would be too long (107 bytes at most)."""
    root = tempfile.gettempdir()
    reachable = all(os.stat(p).st_mode & 0o001 for p in [root, *map(str, Path(root).parents)])
    if len(root) > 60 or (shared and not reachable):
        return "/tmp"
    return root


class PostgresServer:
    """A throwaway PostgreSQL cluster in a temporary directory, owned by this process.

    :meth:`start` and :meth:`stop` may be called repeatedly (the data and the port are kept);
    :meth:`destroy` stops the server and removes the directory.
    """

    def __init__(self, binaries: PostgresBinaries) -> None:
        self.binaries = binaries
        self.user = _server_user()
        self.base = Path(tempfile.mkdtemp(prefix="k3py-pg-", dir=_temp_root(self.user is not None)))
        self.data = self.base / "data"
        self.log_path = self.base / "server.log"
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self._env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        self._env.update(LC_ALL="C", LANG="C")
        if self.user is not None:
            os.chown(self.base, self.user.pw_uid, self.user.pw_gid)
            os.chmod(self.base, 0o700)

    # -- what clients need -----------------------------------------------------------------------

    @property
    def socket_dir(self) -> str:
        return str(self.base)

    def endpoint(self, dbname: str) -> str:
        """A ``postgres://`` endpoint over TCP, as ``open_store`` takes it."""
        return f"postgres://{SUPERUSER}@127.0.0.1:{self.port}/{dbname}"

    def socket_endpoint(self, dbname: str) -> str:
        """The same over the unix socket."""
        return f"postgres://{SUPERUSER}@/{dbname}?host={self.socket_dir}&port={self.port}"

    def connect(self, dbname: str = "postgres", timeout: int = 5) -> psycopg.Connection[Any]:
        """An autocommit connection over the unix socket."""
        import psycopg

        conninfo = psycopg.conninfo.make_conninfo(
            host=self.socket_dir, port=self.port, user=SUPERUSER, dbname=dbname, connect_timeout=timeout
        )
        return psycopg.connect(conninfo, autocommit=True)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-8000:]
        except OSError:
            return "(no server log)"

    # -- lifecycle -------------------------------------------------------------------------------

    def _popen(self, args: list[str], **kwargs: object) -> subprocess.Popen[bytes]:
        if self.user is not None:
            kwargs.update(user=self.user.pw_uid, group=self.user.pw_gid, extra_groups=[])
        return subprocess.Popen(args, env=self._env, cwd=self.base, stdin=subprocess.DEVNULL, **kwargs)  # type: ignore[call-overload,no-any-return]

    def initdb(self) -> None:
        with open(self.base / "initdb.log", "wb") as out:
            proc = self._popen(
                [
                    self.binaries.initdb,
                    "--pgdata",
                    str(self.data),
                    "--username",
                    SUPERUSER,
                    "--auth",
                    "trust",
                    "--encoding",
                    "UTF8",
                    "--locale",
                    "C",
                    "--no-sync",  # a throwaway cluster: the server itself runs with fsync=on
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
            try:
                code = proc.wait(timeout=START_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                code = -1
        if code != 0:
            output = (self.base / "initdb.log").read_text(errors="replace")[-8000:]
            pytest.fail(f"initdb ({self.binaries.initdb}) failed with exit code {code}:\n{output}")

    def start(self) -> None:
        """Start the server (on a new free port the first time) and wait until it takes connections."""
        assert self.process is None, "already running"
        restart = self.port != 0  # a restart keeps its port: clients hold endpoints naming it
        for attempt in itertools.count():
            if not restart:
                self.port = _free_port()
            with open(self.log_path, "ab") as log:
                self.process = self._popen(
                    [
                        self.binaries.postgres,
                        "-D",
                        str(self.data),
                        "-p",
                        str(self.port),
                        "-c",
                        "listen_addresses=127.0.0.1",
                        "-c",
                        f"unix_socket_directories={self.socket_dir}",
                        "-c",
                        "fsync=on",
                        "-c",
                        "synchronous_commit=on",
                        "-c",
                        "max_connections=100",
                        "-c",
                        "logging_collector=off",
                    ],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            error = self._wait_ready()
            if error is None:
                return
            self._kill()
            if not restart and "could not bind" in self.log() and attempt < 3:  # someone took the port meanwhile
                continue
            pytest.fail(f"PostgreSQL did not start ({error}); server log {self.log_path}:\n{self.log()}")

    def _wait_ready(self) -> str | None:
        import psycopg

        assert self.process is not None
        deadline = time.monotonic() + START_TIMEOUT
        last = ""
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return f"the server exited with code {self.process.returncode}"
            try:
                with self.connect(timeout=2) as conn:
                    conn.execute("SELECT 1")
                return None
            except psycopg.OperationalError as exc:
                last = str(exc).strip()
            time.sleep(0.05)
        return f"not ready after {START_TIMEOUT:.0f} s: {last}"

    def stop(self) -> None:
        """Fast shutdown (SIGINT: connections are cut, committed data kept), SIGKILL if it lingers."""
        proc, self.process = self.process, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def _kill(self) -> None:
        proc, self.process = self.process, None
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()

    def destroy(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.base, ignore_errors=True)


def _new_server() -> PostgresServer:
    binaries = find_postgres_binaries()
    if binaries is None:
        pytest.fail(_INSTALL_HINT)
    server = PostgresServer(binaries)
    try:
        server.initdb()
        server.start()
    except BaseException:
        server.destroy()
        raise
    return server


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the whole session (stopped and removed at the end)."""
    server = _new_server()
    try:
        yield server
    finally:
        server.destroy()


class DatabasePool:
    """Creates each test's database ahead of time and drops used ones, in two background threads.

    CREATE and DROP DATABASE each cost a checkpoint's worth of fsyncs (0.1-0.4 s with fsync=on);
    done while tests run, they rarely hold a test up.
    """

    SPARES = 2

    def __init__(self, server: PostgresServer) -> None:
        self.server = server
        self._ready: queue.Queue[str | Exception] = queue.Queue()
        self._create: queue.Queue[str | None] = queue.Queue()
        self._drop: queue.Queue[str | None] = queue.Queue()
        self._threads = [
            threading.Thread(target=self._work, args=(self._create, True), name="k3py-test-createdb", daemon=True),
            threading.Thread(target=self._work, args=(self._drop, False), name="k3py-test-dropdb", daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        for _ in range(self.SPARES):
            self._create.put(self._new_name())

    @staticmethod
    def _new_name() -> str:
        return f"k3py_test_{uuid.uuid4().hex[:16]}"

    def _work(self, jobs: queue.Queue[str | None], create: bool) -> None:
        from psycopg import sql

        conn: psycopg.Connection[Any] | None = None
        while (name := jobs.get()) is not None:
            try:
                if conn is None or conn.closed:
                    conn = self.server.connect()
                if create:
                    conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                    self._ready.put(name)
                else:
                    conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            except Exception as exc:
                if conn is not None:
                    conn.close()
                if create:
                    self._ready.put(exc)
                # A database that could not be dropped goes with the cluster's directory at the end.
        if conn is not None:
            conn.close()

    def take(self) -> str:
        """An empty database of the caller's own; give it back when done."""
        try:
            item = self._ready.get(timeout=START_TIMEOUT)
        except queue.Empty:
            pytest.fail(f"no database created within {START_TIMEOUT:.0f} s; server log:\n{self.server.log()}")
        self._create.put(self._new_name())  # a spare for a later test
        if isinstance(item, Exception):
            pytest.fail(f"CREATE DATABASE failed: {item}; server log:\n{self.server.log()}")
        return item

    def give_back(self, name: str) -> None:
        self._drop.put(name)

    def close(self) -> None:
        """Stop creating; finish the drops asked for so far (bounded by a timeout)."""
        self._create.put(None)
        self._drop.put(None)
        for thread in self._threads:
            thread.join(timeout=STOP_TIMEOUT)


@pytest.fixture(scope="session")
def postgres_databases(postgres_server: PostgresServer) -> Iterator[DatabasePool]:
    pool = DatabasePool(postgres_server)
    try:
        yield pool
    finally:
        pool.close()


@pytest.fixture
def postgres_endpoint(postgres_server: PostgresServer, postgres_databases: DatabasePool) -> Iterator[str]:
    """A fresh, empty database for this test, dropped afterwards: ``postgres://k3py@127.0.0.1:PORT/DBNAME``."""
    dbname = postgres_databases.take()
    try:
        yield postgres_server.endpoint(dbname)
    finally:
        postgres_databases.give_back(dbname)


@pytest.fixture
def make_postgres_server() -> Iterator[Callable[[], PostgresServer]]:
    """``make_postgres_server()`` starts a dedicated server for this test (destroyed afterwards)."""
    servers: list[PostgresServer] = []

    def make() -> PostgresServer:
        server = _new_server()
        servers.append(server)
        return server

    try:
        yield make
    finally:
        for server in servers:
            server.destroy()
