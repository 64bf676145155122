"""SQLite and PostgreSQL through SQLAlchemy Core: schema, group commit, error translation.

The only module that imports ``sqlalchemy``, ``sqlite3`` or ``psycopg``. It runs entirely in the
store's writer thread, which owns the one connection (SQLite's ``check_same_thread`` holds us to
that, and one writer is all SQLite allows anyway).

Tables: ``k3py_log`` holds one row per revision with its value (for a delete, the last value),
and a key's current value is its newest row, as in kine; ``k3py_meta`` holds two counters. A
write is one row appended at the end of one B-tree: a separate table of current values, keyed by
key, cost a scattered index insert per write and tripled the WAL frames of a group commit (31.5
frames for 16 creates, against 9 for the log alone). The writer knows which rows are current and
deletes only the others. SQLite runs in WAL mode with ``synchronous=FULL``: a commit returns only
once its WAL frames are fsynced.

The statements on the write path are compiled by SQLAlchemy once, for the connection's dialect,
and run through ``exec_driver_sql`` with plain tuples: per-row parameter processing in
``Connection.execute`` cost as much as the fsync for a batch of 16 (about 30 us a row).
"""

from __future__ import annotations

import logging
import os
import sqlite3
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from k3py.store.backend import META_COMPACTED, META_RESERVED, Commit, Loaded, LogRow
from k3py.store.errors import StoreError, StoreFull, StoreUnavailable
from k3py.store.revlog import EventType, KeyValue

if TYPE_CHECKING:
    from collections.abc import Iterator

logger = logging.getLogger(__name__)

# WAL frames are checkpointed into the database every this many pages (SQLite's default), and
# the WAL file is truncated back to JOURNAL_SIZE_LIMIT after a checkpoint, so it stays bounded.
WAL_AUTOCHECKPOINT_PAGES = 1000
JOURNAL_SIZE_LIMIT = 4 * 1024 * 1024
BUSY_TIMEOUT_MS = 5000
# libpq settings: give up connecting after 10 s, notice a silent peer within ~30 s.
PG_CONNECT_ARGS = {
    "connect_timeout": 10,
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
    "tcp_user_timeout": 30_000,
}
# An I/O error while growing the WAL index counts as a full disk when less than this is free.
FULL_BELOW_BYTES = 1024 * 1024

_REV = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # INTEGER PRIMARY KEY is SQLite's rowid

metadata = sa.MetaData()
log_table = sa.Table(
    "k3py_log",
    metadata,
    sa.Column("rev", _REV, primary_key=True, autoincrement=False),
    sa.Column("key", sa.Text, nullable=False),
    sa.Column("type", sa.SmallInteger, nullable=False),
    sa.Column("create_rev", sa.BigInteger, nullable=False),
    sa.Column("value", sa.LargeBinary, nullable=False),
)
meta_table = sa.Table(
    "k3py_meta",
    metadata,
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
)

_EVENT_CODES = {EventType.CREATE: 1, EventType.UPDATE: 2, EventType.DELETE: 3}

_INSERT_LOG = log_table.insert()
_DELETE_LOG = log_table.delete().where(log_table.c.rev == sa.bindparam("b_rev"))
_SET_META = meta_table.update().where(meta_table.c.name == sa.bindparam("b_name")).values(value=sa.bindparam("b_v"))


class _Prepared:
    """A statement compiled once for a dialect, then run with tuples in ``names`` order."""

    def __init__(
        self, statement: sa.Insert | sa.Update | sa.Delete, dialect: sa.Dialect, names: tuple[str, ...]
    ) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = str(compiled)
        self.names = names
        order = tuple(compiled.positiontup or ()) if compiled.positional else None
        if order is not None and set(order) != set(names):
            raise AssertionError(f"parameters {order} of {self.sql!r} are not {names}")
        self._positional = order is not None
        self._reorder = None if order in (None, names) else [names.index(name) for name in order or ()]

    def run(self, conn: sa.Connection, rows: list[tuple[Any, ...]]) -> None:
        params: list[Any]
        if not self._positional:
            params = [dict(zip(self.names, row, strict=True)) for row in rows]
        elif self._reorder is not None:
            params = [tuple(row[i] for i in self._reorder) for row in rows]
        else:
            params = rows
        conn.exec_driver_sql(self.sql, params if len(params) != 1 else params[0])


def sqlalchemy_url(endpoint: str) -> str:
    """Map a k3s-style ``--datastore-endpoint`` (or a plain file path) to a SQLAlchemy URL.

    ``sqlite:///var/lib/k3py/db/state.db?_journal=WAL`` is read the way K3s (kine) reads it: an
    absolute path, with options for kine's Go driver that mean nothing here (this store always
    uses WAL and ``synchronous=FULL``), so they are dropped.
    """
    for scheme in ("postgres://", "postgresql://"):
        if endpoint.startswith(scheme):
            return "postgresql+psycopg://" + endpoint[len(scheme) :]
    path = endpoint
    if endpoint.startswith("sqlite://"):
        path = endpoint[len("sqlite://") :].partition("?")[0]
        if path in ("", ":memory:", "/:memory:"):
            return "sqlite://"  # an in-memory database, as SQLAlchemy spells it
        if path.startswith("/"):  # kine's sqlite:///abs and SQLAlchemy's sqlite:////abs alike
            path = "/" + path.lstrip("/")
    return "sqlite:///" + os.path.abspath(path)


class SqlBackend:
    """The store's database, opened and used by the writer thread only."""

    def __init__(self, endpoint: str) -> None:
        self.url = sa.make_url(sqlalchemy_url(endpoint))
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        if self.is_sqlite:
            self.location = self.url.database or ":memory:"
        else:  # never show a password, whether in the user part or in the query string
            safe = self.url.difference_update_query(["password"])
            self.location = safe.render_as_string(hide_password=True)
        self._engine: sa.Engine | None = None
        self._conn: sa.Connection | None = None
        self._statements: dict[str, _Prepared] = {}

    # -- lifecycle -------------------------------------------------------------------------------

    def open(self) -> Loaded:
        if self.is_sqlite:
            self._check_sqlite_path()
        with self.errors():
            try:
                self._engine = self._create_engine()
            except ImportError as exc:
                raise StoreUnavailable(
                    self.location, f"the database driver is not installed ({exc}): pip install 'k3py[postgres]'"
                ) from exc
            self._conn = self._engine.connect()
            if self.is_sqlite:
                self._check_integrity()
            with self._conn.begin():
                metadata.create_all(self._conn)
                present = {row.name for row in self._conn.execute(sa.select(meta_table.c.name))}
                for name in (META_COMPACTED, META_RESERVED):
                    if name not in present:
                        self._conn.execute(meta_table.insert().values(name=name, value=0))
            with self._conn.begin():
                meta = {row.name: row.value for row in self._conn.execute(sa.select(meta_table))}
                rows = [
                    LogRow(row.rev, row.key, row.type, row.create_rev, bytes(row.value))
                    for row in self._conn.execute(sa.select(log_table).order_by(log_table.c.rev))
                ]
            current: dict[str, LogRow] = {}
            for row in rows:  # replay: the newest row of each key is its value, unless a delete
                if row.type == _EVENT_CODES[EventType.DELETE]:
                    current.pop(row.key, None)
                else:
                    current[row.key] = row
            compacted = meta[META_COMPACTED]
            live = {row.rev for row in current.values()}
            kvs = [KeyValue(row.key, row.value, row.create_rev, row.rev) for row in current.values()]
            log = [row for row in rows if row.rev > compacted]
            garbage = [row.rev for row in rows if row.rev <= compacted and row.rev not in live]
            dialect = self._engine.dialect
            self._statements = {
                "insert_log": _Prepared(_INSERT_LOG, dialect, ("rev", "key", "type", "create_rev", "value")),
                "delete_log": _Prepared(_DELETE_LOG, dialect, ("b_rev",)),
                "set_meta": _Prepared(_SET_META, dialect, ("b_v", "b_name")),
            }
        logger.info("datastore %s: %d keys, %d history rows", self.location, len(kvs), len(log))
        return Loaded(kvs=kvs, log=log, meta=meta, garbage=garbage)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
        if self._engine is not None:
            self._engine.dispose()
        self._conn = self._engine = None

    def _create_engine(self) -> sa.Engine:
        if not self.is_sqlite:
            # A server that hangs or a cut link must not block the writer thread for ever.
            return sa.create_engine(self.url, pool_pre_ping=True, connect_args=PG_CONNECT_ARGS)
        engine = sa.create_engine(self.url, poolclass=sa.pool.SingletonThreadPool)

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            mode = cur.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if self.location != ":memory:" and str(mode).lower() != "wal":
                raise StoreUnavailable(self.location, f"could not switch to WAL mode (got {mode})", fatal=True)
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT_PAGES}")
            cur.execute(f"PRAGMA journal_size_limit={JOURNAL_SIZE_LIMIT}")
            cur.close()

        return engine

    def _check_sqlite_path(self) -> None:
        """Name the problem before SQLite's terse "unable to open database file" does."""
        path = self.location
        if path in ("", ":memory:"):
            return
        directory = os.path.dirname(path) or "."
        try:
            os.makedirs(directory, exist_ok=True)
        except OSError as exc:
            raise StoreUnavailable(path, f"cannot create the data directory {directory}: {exc.strerror}") from exc
        if not os.access(directory, os.W_OK):
            raise StoreUnavailable(path, f"the data directory {directory} is not writable (read-only?)")
        if os.path.exists(path) and not os.access(path, os.W_OK):
            raise StoreUnavailable(path, "the database file is not writable (read-only?)")

    def _check_integrity(self) -> None:
        assert self._conn is not None
        rows = [r[0] for r in self._conn.exec_driver_sql("PRAGMA quick_check").fetchall()]
        self._conn.rollback()
        if rows != ["ok"]:
            raise StoreUnavailable(self.location, "the database is corrupt: " + "; ".join(rows[:3]), fatal=True)

    # -- the group commit ------------------------------------------------------------------------

    def commit(self, commit: Commit) -> None:
        if self._engine is None:
            raise StoreUnavailable(self.location, "the datastore is not open")
        with self.errors():
            for attempt in range(2):
                if self._conn is None:  # dropped when the server went away (below): connect again
                    self._conn = self._engine.connect()
                conn = self._conn
                transaction = conn.begin()
                try:
                    self._write(conn, commit)
                except sa_exc.DBAPIError:
                    lost = conn.invalidated
                    self._abandon(conn, transaction)
                    if lost and attempt == 0:
                        # The connection had died while idle (a PostgreSQL restart). Nothing was
                        # committed, so trying once more on a new connection is safe.
                        continue
                    raise
                try:
                    transaction.commit()
                except sa_exc.DBAPIError as exc:
                    lost = conn.invalidated
                    self._abandon(conn, transaction)
                    if lost:
                        # The server may or may not have committed: the writer's view of revisions
                        # could now disagree with the database. Stop; a restart reloads the truth.
                        raise StoreUnavailable(
                            self.location,
                            f"the connection was lost during COMMIT, outcome unknown ({exc.orig})",
                            fatal=True,
                        ) from exc
                    raise
                return

    def _write(self, conn: sa.Connection, commit: Commit) -> None:
        run = self._statements
        if commit.log:
            run["insert_log"].run(
                conn,
                [(ev.kv.mod_rev, ev.kv.key, _EVENT_CODES[ev.type], ev.kv.create_rev, ev.kv.value) for ev in commit.log],
            )
        if commit.delete_revs:
            run["delete_log"].run(conn, [(rev,) for rev in commit.delete_revs])
        if commit.meta:
            run["set_meta"].run(conn, [(v, n) for n, v in commit.meta.items()])

    def _abandon(self, conn: sa.Connection, transaction: sa.RootTransaction) -> None:
        """Roll back after a failure; drop the connection if it is dead so the next commit reconnects."""
        with suppress(sa_exc.DBAPIError):
            transaction.rollback()
        if conn.invalidated:
            self._conn = None
            conn.close()

    # -- errors ----------------------------------------------------------------------------------

    @contextmanager
    def errors(self) -> Iterator[None]:
        """The one place where database errors become store errors (raised ``from`` the original)."""
        try:
            yield
        except StoreError:
            raise
        except sa_exc.DBAPIError as exc:
            raise self.translate(exc.orig, str(exc.orig)) from exc
        except sa_exc.SQLAlchemyError as exc:
            raise StoreUnavailable(self.location, str(exc)) from exc
        except sqlite3.Error as exc:
            raise self.translate(exc, str(exc)) from exc
        except OSError as exc:
            raise StoreUnavailable(self.location, f"{exc.strerror or exc}", fatal=True) from exc

    def translate(self, orig: BaseException | None, text: str) -> StoreUnavailable:
        name = str(getattr(orig, "sqlite_errorname", "") or "")
        sqlstate = str(getattr(orig, "sqlstate", "") or "")
        if name == "SQLITE_FULL" or sqlstate == "53100":
            return StoreFull(self.location, f"no space left on the device ({text})")
        if name.startswith("SQLITE_READONLY") or name == "SQLITE_PERM":
            return StoreUnavailable(self.location, f"the datastore is read-only ({text})")
        if name == "SQLITE_NOTADB":
            return StoreUnavailable(self.location, f"not a SQLite database ({text})", fatal=True)
        if name.startswith("SQLITE_CORRUPT"):
            return StoreUnavailable(self.location, f"the database is corrupt ({text})", fatal=True)
        if name.startswith("SQLITE_CANTOPEN"):
            return StoreUnavailable(self.location, f"cannot open the database file ({text})")
        if name == "SQLITE_IOERR_SHMSIZE" and self._out_of_space():
            # SQLite grows the -shm WAL index by writing a byte into each new page and reports
            # ENOSPC there as an I/O error, not SQLITE_FULL: at open on a full disk, or when the
            # WAL outgrows the index. No database or WAL page failed to write, so it is a full
            # disk like any other (and the connection stays usable), not a reason to stop.
            return StoreFull(self.location, f"no space left on the device for the WAL index ({text})")
        if name.startswith("SQLITE_IOERR"):
            # After a failed write or fsync the state of the page cache is unknown: stop.
            return StoreUnavailable(self.location, f"I/O error ({text})", fatal=True)
        if sqlstate.startswith(("08", "57")):
            return StoreUnavailable(self.location, f"the database server is unavailable ({text})")
        return StoreUnavailable(self.location, text)

    def _out_of_space(self) -> bool:
        """Whether the SQLite file's filesystem is full (less than ``FULL_BELOW_BYTES`` left)."""
        try:
            st = os.statvfs(os.path.dirname(self.location) or ".")
        except OSError:
            return False
        return st.f_bavail * st.f_frsize < FULL_BELOW_BYTES
