"""What the writer thread needs from a database, and the in-memory backend for tests.

A backend is driven by exactly one thread (the writer): :meth:`Backend.open` loads everything the
store keeps in memory, :meth:`Backend.commit` makes one group commit durable or raises a store
error and leaves nothing of it behind. ``store.sql`` implements it for SQLite and PostgreSQL.

The database holds one table of rows, one per revision (kine's layout). A key's current value is
its newest row; rows stay while they are in the history window or are some key's current value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from k3py.store.revlog import Event, KeyValue

# Names of the counters kept beside the data.
META_COMPACTED = "compacted"  # history at or before this revision has been deleted
META_RESERVED = "reserved"  # revisions up to here may have been handed out without a log row


@dataclass(slots=True)
class LogRow:
    """One stored history row. For a delete, ``value`` is the last value before it."""

    rev: int
    key: str
    type: int  # 1 create, 2 update, 3 delete
    create_rev: int
    value: bytes


@dataclass(slots=True)
class Loaded:
    """Everything a store keeps in memory, as read at start."""

    #: the current value of every live key (the newest row of each key, unless a delete)
    kvs: list[KeyValue]
    #: the history window: every row after the compacted revision, oldest first
    log: list[LogRow]
    meta: dict[str, int]
    #: rows at or before the compacted revision that are no current value: deletable
    garbage: list[int] = field(default_factory=list)


@dataclass(slots=True)
class Commit:
    """One group commit: all of it becomes durable, or none of it."""

    #: rows to append to the log, one per revision
    log: list[Event] = field(default_factory=list)
    #: log rows to delete (history older than the window that is no current value)
    delete_revs: list[int] = field(default_factory=list)
    meta: dict[str, int] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.log or self.delete_revs or self.meta)


class Backend(Protocol):
    #: what error messages call the datastore: a file path, or a URL without its password
    location: str

    def open(self) -> Loaded: ...

    def commit(self, commit: Commit) -> None: ...

    def close(self) -> None: ...


class MemoryBackend:
    """Keeps nothing: for tests of the layers above, where durability is not the point."""

    location = "memory"

    def open(self) -> Loaded:
        return Loaded(kvs=[], log=[], meta={})

    def commit(self, commit: Commit) -> None:
        pass

    def close(self) -> None:
        pass
