"""The writer thread: group commit, lease-renewal coalescing and history deletion.

Theory of operation
-------------------
Every write goes to one OS thread that owns the database connection (``concurrency.bridge``).
It takes all queued requests at once, decides each against its own view of the keys (with
``revlog.apply_op``), writes them in one transaction and commits: one fsync for the whole batch.
Only then does it hand the events and the answers to the trio thread in one call, where the
store updates what readers see, feeds the watchers and wakes the callers. So a caller is answered
only after its write is durable, and no reader ever sees a write that might still be lost.

If the commit fails, the whole batch fails: the view and the revision counter are rolled back
and every request in it gets the error. A full disk is not fatal; the next batch tries again.

The database is a log of rows, one per revision; a key's current value is its newest row. The
writer knows which rows are current (``stored``), so history deletion keeps them: it deletes, a
chunk of ``COMPACT_CHUNK`` revisions at a time, the rows of the compacted range that are no
current value, plus rows that stopped being current after their range was compacted.

Renew-only lease updates (``coalesce``) take a revision and are answered at once without a
commit; the newest value of each such key is written with the next commit after the coalescing
interval. Revisions handed out this way are covered by a durable reservation
(``META_RESERVED``), so that after a crash the counter resumes above every revision a client
may have seen, and a resourceVersion is never given twice.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import trio

from k3py.store import coalesce, revlog
from k3py.store.backend import META_COMPACTED, META_RESERVED, Backend, Commit, Loaded
from k3py.store.errors import StoreError, StoreUnavailable
from k3py.store.revlog import Event, EventType, KeyValue

if TYPE_CHECKING:
    from k3py.concurrency import bridge

logger = logging.getLogger(__name__)

# History is deleted this many revisions at a time, riding along with a commit: deleting in
# chunks keeps the cost off most commits (one more statement and WAL frame each), and a chunk
# bounds how long the DELETE holds up the callers in its batch.
COMPACT_CHUNK = 1000
# Superseded rows below the window are deleted with the next chunk, or once this many gather.
GARBAGE_CHUNK = 256


class WriteRequest:
    """One write on its way through the writer; answered on the trio thread."""

    __slots__ = ("done", "error", "op", "result")

    def __init__(self, op: revlog.Op) -> None:
        self.op = op
        self.result: KeyValue | None = None
        self.error: StoreError | None = None
        self.done = trio.Event()


@dataclass(frozen=True, slots=True)
class CompactTo:
    """Delete stored history at or before ``revision``."""

    revision: int


@dataclass(frozen=True, slots=True)
class Flush:
    """Write coalesced values now (sent before closing)."""


Message = WriteRequest | CompactTo | Flush

# Called on the trio thread after each batch: (events, answered requests, revision).
BatchSink = Callable[[list[Event], list[WriteRequest], int], None]


class Writer:
    """State and loop of the writer thread. Only that thread touches it after :meth:`open`."""

    def __init__(
        self,
        backend: Backend,
        *,
        coalesce_interval: float,
        revision_reserve: int,
        max_batch: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.backend = backend
        self.coalesce_interval = coalesce_interval
        self.revision_reserve = revision_reserve
        self.max_batch = max_batch
        self.clock = clock
        self.revision = 0
        self.view: dict[str, KeyValue] = {}
        self.pending: dict[str, Event] = {}  # coalesced updates not yet written
        self.reserved = 0
        self.compacted = 0  # stored history is deleted up to here
        self.compact_target = 0
        self.stored: dict[str, int] = {}  # key -> the log row holding its current value on disk
        self.live: set[int] = set()  # the values of ``stored``
        self.garbage: list[int] = []  # rows at or below ``compacted`` that are no longer current
        self.last_flush = clock()
        # Counters for tests and benchmarks (read from other threads; ints are safe to read).
        self.commits = 0
        self.writes = 0

    def open(self) -> Loaded:
        loaded = self.backend.open()
        self.view = {kv.key: kv for kv in loaded.kvs}
        self.stored = {kv.key: kv.mod_rev for kv in loaded.kvs}
        self.live = set(self.stored.values())
        self.garbage = list(loaded.garbage)
        self.compacted = self.compact_target = loaded.meta.get(META_COMPACTED, 0)
        self.reserved = loaded.meta.get(META_RESERVED, 0)
        self.revision = max(
            self.compacted,
            self.reserved,
            max((kv.mod_rev for kv in loaded.kvs), default=0),
            loaded.log[-1].rev if loaded.log else 0,
        )
        return loaded

    def run(self, handle: bridge.DedicatedThread[Message], sink: BatchSink) -> None:
        """Loop until the inbox closes; a fatal store error propagates and stops the store."""
        while True:
            timeout = None
            if self.pending:
                timeout = max(0.0, self.last_flush + self.coalesce_interval - self.clock())
            batch = handle.inbox.get_batch(self.max_batch, timeout)
            events, answered, fatal = self.process(batch)
            if events or answered:
                handle.call_in_trio(sink, events, answered, self.revision)
            if fatal is not None:
                raise fatal

    def process(self, batch: list[Message]) -> tuple[list[Event], list[WriteRequest], StoreError | None]:
        """Decide, commit and return ``(events, answered requests, fatal error or None)``."""
        start_revision, start_reserved = self.revision, self.reserved
        pending_before = dict(self.pending)
        undo: list[tuple[str, KeyValue | None]] = []
        events: list[Event] = []
        requests: list[WriteRequest] = []
        commit = Commit()
        written: set[str] = set()  # keys written through in this batch
        flush = False
        for msg in batch:
            if isinstance(msg, CompactTo):
                self.compact_target = max(self.compact_target, msg.revision)
                continue
            if isinstance(msg, Flush):
                flush = True
                continue
            requests.append(msg)
            op = msg.op
            current = self.view.get(op.key)
            try:
                event = revlog.apply_op(op, current, self.revision + 1)
            except StoreError as exc:
                msg.error = exc
                continue
            self.revision += 1
            undo.append((op.key, current))
            key, kv = op.key, event.kv
            if event.type is EventType.DELETE:
                del self.view[key]
            else:
                self.view[key] = kv
            msg.result = kv
            events.append(event)
            if (
                event.type is EventType.UPDATE
                and current is not None
                and key not in written  # a key written in this batch is written through
                and coalesce.is_renewal_only(key, current.value, kv.value)
            ):
                self.pending[key] = event
                continue
            self.pending.pop(key, None)
            written.add(key)
            commit.log.append(event)

        if self.pending and self.revision > self.reserved:
            self.reserved = self.revision + self.revision_reserve
            commit.meta[META_RESERVED] = self.reserved
        flushed = bool(self.pending) and (flush or self.clock() - self.last_flush >= self.coalesce_interval)
        if flushed:
            commit.log.extend(self.pending.values())
            self.pending.clear()
        compact_to = self._plan_deletions(commit, force=flush)
        if not commit:
            return events, requests, None
        commit.log.sort(key=lambda ev: ev.revision)
        try:
            self.backend.commit(commit)
        except StoreError as exc:
            for key, previous in reversed(undo):
                if previous is None:
                    self.view.pop(key, None)
                else:
                    self.view[key] = previous
            self.revision, self.reserved, self.pending = start_revision, start_reserved, pending_before
            for req in requests:
                if req.error is None:
                    req.result, req.error = None, exc
            fatal = exc if isinstance(exc, StoreUnavailable) and exc.fatal else None
            if fatal is None:
                logger.warning("group commit of %d writes failed: %s", len(requests), exc)
            return [], requests, fatal
        self.commits += 1
        self.writes += len(events)
        if flushed:
            self.last_flush = self.clock()
        self._note_committed(commit, compact_to)
        return events, requests, None

    def _plan_deletions(self, commit: Commit, *, force: bool) -> int:
        """Add history deletions to ``commit`` when a chunk is due; return the new compacted revision."""
        target = min(self.compact_target, self.compacted + COMPACT_CHUNK)
        compact = target > self.compacted and (force or self.compact_target - self.compacted >= COMPACT_CHUNK)
        if compact or len(self.garbage) >= GARBAGE_CHUNK or (force and self.garbage):
            commit.delete_revs.extend(self.garbage)
        if not compact:
            return self.compacted
        commit.delete_revs.extend(rev for rev in range(self.compacted + 1, target + 1) if rev not in self.live)
        commit.meta[META_COMPACTED] = target
        return target

    def _note_committed(self, commit: Commit, compacted: int) -> None:
        """Track which rows hold current values now that ``commit`` is durable."""
        if commit.delete_revs:
            self.garbage.clear()
        self.compacted = compacted
        for event in commit.log:
            key = event.kv.key
            previous = self.stored.pop(key, None)
            if previous is not None:
                self.live.discard(previous)
                if previous <= self.compacted:  # below the window already: no later chunk covers it
                    self.garbage.append(previous)
            if event.type is not EventType.DELETE:
                self.stored[key] = event.revision
                self.live.add(event.revision)
