"""The store as trio sees it: etcd semantics over the revision log, the writer thread and watches.

Reads never touch the database. The current value of every key (``revlog.KeySpace``) and the
window of recent events (``revlog.History``) live in memory on the trio thread, updated in one
synchronous step per group commit. A get, a list or the start of a watch therefore always sees
one consistent revision, with no locks and no threads, and a watch's replay and its live
events meet without a gap or a duplicate (both are taken in the same step). Writes go to the
writer thread (``store.writer``) and are answered only once durable.

The database is read once, at start. The memory cost is the data plus the history window, which
is what Kubernetes' own watch cache keeps; ``max_revisions`` bounds it.

Cancellation of a write: the request may already be in the writer's batch, so a cancelled caller
does not know whether its write happened (as with a lost etcd response). Read before retrying.
"""

from __future__ import annotations

import itertools
import logging
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import trio

from k3py.concurrency import bridge, fanout
from k3py.store import keys, revlog
from k3py.store.backend import META_COMPACTED, Backend, Loaded, LogRow, MemoryBackend
from k3py.store.errors import StoreClosed, StoreError, StoreUnavailable, WatchDropped
from k3py.store.revlog import Event, EventType, KeyValue
from k3py.store.writer import CompactTo, Flush, Message, Writer, WriteRequest

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator, Sequence
    from types import TracebackType

logger = logging.getLogger(__name__)

_LOG_TYPES = {1: EventType.CREATE, 2: EventType.UPDATE, 3: EventType.DELETE}


@dataclass(frozen=True, slots=True)
class StoreSettings:
    """How the store keeps its data. The defaults suit a Raspberry Pi class board."""

    #: a SQLite file path (or ``sqlite:///path``), ``postgres://...``, or ``memory://`` for tests
    endpoint: str = "memory://"
    #: history window, by count: watches and paged lists older than this get Compacted (410)
    max_revisions: int = 10_000
    #: history window, by age in seconds
    max_age: float = 600.0
    #: renew-only lease updates are written at most once per this many seconds: each write costs
    #: about 16 KiB on disk (a WAL page straddling two cache pages, the WAL index), so two
    #: minutes keeps an idle node near 0.5 MiB an hour (tests/bench/store.py measures it)
    coalesce_interval: float = 120.0
    #: revisions reserved ahead durably for coalesced updates (see store.writer)
    revision_reserve: int = 1000
    #: events a watcher may fall behind before it is dropped
    watch_buffer: int = 1000
    #: the most writes in one group commit
    max_batch: int = 1000


@dataclass(frozen=True, slots=True)
class StoreStats:
    #: transactions committed (each one fsync)
    commits: int
    #: writes answered successfully, including coalesced ones
    writes: int


@dataclass(frozen=True, slots=True)
class ListResult:
    items: list[KeyValue]
    revision: int
    #: pass back to :meth:`Store.list` to get the next page; empty when there is none
    continue_token: str = ""
    #: how many items follow this page (an estimate when listing an older revision)
    remaining: int = 0


def describe(endpoint: str) -> str:
    """How logs and errors name the datastore at ``endpoint`` (never with its password)."""
    return backend_for(endpoint).location


def backend_for(endpoint: str) -> Backend:
    if endpoint in ("", "memory://"):
        return MemoryBackend()
    from k3py.store.sql import SqlBackend  # keeps SQLAlchemy out of memory-only processes

    return SqlBackend(endpoint)


class Watch:
    """Events under a prefix after a revision, oldest first: first the history, then live.

    Use it as a context manager (leaving it unsubscribes) and iterate it. Iteration raises
    ``WatchDropped`` if the watcher fell ``watch_buffer`` events behind (watch again from the
    last revision received) and ``StoreClosed`` when the store shuts down.
    """

    def __init__(self, replay: list[Event], subscription: fanout.Subscription[Event]) -> None:
        self._replay: Iterator[Event] | None = iter(replay)
        self._subscription = subscription

    def __enter__(self) -> Watch:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._subscription.close()

    def __aiter__(self) -> Watch:
        return self

    async def __anext__(self) -> Event:
        if self._replay is not None:
            event = next(self._replay, None)
            if event is not None:
                await trio.lowlevel.checkpoint()
                return event
            self._replay = None
        try:
            return await self._subscription.receive()
        except trio.EndOfChannel:
            raise StopAsyncIteration from None


class Store:
    """Create, get, list, update, delete, watch and compact keys with etcd's semantics."""

    def __init__(self, settings: StoreSettings, location: str, writer: Writer) -> None:
        self.settings = settings
        self.location = location
        self._writer = writer
        self._keys = revlog.KeySpace()
        self._history = revlog.History(max_events=settings.max_revisions)
        self._revision = 0
        self._fanout: fanout.Fanout[Event] = fanout.Fanout(self._watch_overflow)
        self._outstanding: set[WriteRequest] = set()
        self._inbox: bridge.Inbox[Message] | None = None
        self._compact_sent = 0
        self._evicted_at = 0.0
        self._closed: StoreError | None = None
        self._failed = trio.Event()

    # -- reads -----------------------------------------------------------------------------------

    @property
    def revision(self) -> int:
        """The newest revision. When a watcher has drained its events, it has seen all up to here."""
        return self._revision

    def stats(self) -> StoreStats:
        """Group-commit counters: ``writes / commits`` is the mean batch size."""
        return StoreStats(commits=self._writer.commits, writes=self._writer.writes)

    @property
    def compact_revision(self) -> int:
        """History at or before this revision is gone."""
        return self._history.compact_rev

    async def get(self, key: str) -> KeyValue | None:
        await trio.lowlevel.checkpoint()
        return self._keys.get(key)

    async def list(self, prefix: str, *, limit: int = 0, continue_token: str = "", revision: int = 0) -> ListResult:
        """Keys under ``prefix`` in key order, at one consistent revision.

        Args:
            limit: the most items to return (0: all). When more follow, the result carries a
                continue token for the rest at the same revision.
            continue_token: from an earlier page; it fixes the revision and the start.
            revision: list as of this revision (0: the newest). Raises ``Compacted`` when it is
                older than the history window, ``FutureRevision`` when newer than the store.
        """
        await trio.lowlevel.checkpoint()
        current = self._revision
        start, end = prefix, revlog.prefix_end(prefix)
        if continue_token:
            revision, start = keys.decode_continue(continue_token, prefix)
        if revision and revision != current:
            self._history.check(revision, current)
            values: Iterator[KeyValue] = self._keys.range_at(start, end, revision, self._history)
        else:
            revision = current
            values = self._keys.range(start, end)
        if limit <= 0:
            return ListResult(list(values), revision)
        items = list(itertools.islice(values, limit + 1))
        if len(items) <= limit:
            return ListResult(items, revision)
        del items[limit:]
        next_key = items[-1].key + "\x00"
        return ListResult(
            items,
            revision,
            continue_token=keys.encode_continue(revision, prefix, next_key),
            remaining=self._keys.count(next_key, end),
        )

    def watch(self, prefix: str, *, after: int) -> Watch:
        """Watch keys under ``prefix`` for events after revision ``after``.

        Raises ``Compacted`` at once when ``after`` is older than the history window. A revision
        in the future is fine: its events arrive when they happen.
        """
        if self._closed is not None:
            raise self._closed
        if after < self._history.compact_rev:
            self._history.check(after, self._revision)
        replay = self._history.after(after, prefix) if after < self._revision else []
        subscription = self._fanout.subscribe(
            lambda ev: ev.kv.key.startswith(prefix) and ev.kv.mod_rev > after, self.settings.watch_buffer
        )
        return Watch(replay, subscription)

    def _watch_overflow(self, _subscription: fanout.Subscription[Event]) -> Exception:
        return WatchDropped(
            f"the watcher fell more than {self.settings.watch_buffer} events behind and was closed; "
            f"watch again from the last revision received"
        )

    # -- writes ----------------------------------------------------------------------------------

    async def create(self, key: str, value: bytes) -> KeyValue:
        """Create ``key``; raises ``KeyExists`` if it exists."""
        return await self._write(revlog.Create(key, value))

    async def update(self, key: str, value: bytes, *, expected_rev: int) -> KeyValue:
        """Replace ``key`` if it is still at ``expected_rev``; else ``RevisionMismatch``."""
        return await self._write(revlog.Update(key, value, expected_rev))

    async def delete(self, key: str, *, expected_rev: int | None = None) -> KeyValue:
        """Delete ``key`` (if still at ``expected_rev``, when given); returns its last value,
        with ``mod_rev`` set to the revision of the delete."""
        return await self._write(revlog.Delete(key, expected_rev))

    async def compact(self, revision: int) -> None:
        """Drop history at or before ``revision`` now (automatic compaction does this too)."""
        await trio.lowlevel.checkpoint()
        self._history.compact(min(revision, self._revision))
        self._send_compaction()

    async def _write(self, op: revlog.Op) -> KeyValue:
        if self._closed is not None or self._inbox is None:
            raise self._closed or StoreClosed("the store is not open")
        request = WriteRequest(op)
        self._outstanding.add(request)
        self._inbox.put(request)
        await request.done.wait()
        if request.error is not None:
            raise request.error
        assert request.result is not None
        return request.result

    # -- the trio side of the writer -------------------------------------------------------------

    def _load(self, loaded: Loaded, revision: int) -> None:
        self._revision = revision
        self._keys = revlog.KeySpace(loaded.kvs)
        compacted = loaded.meta.get(META_COMPACTED, 0)
        self._history = revlog.History(compacted, max_events=self.settings.max_revisions)
        now = trio.current_time()
        last: dict[str, KeyValue] = {}
        for row in loaded.log:
            self._history.append(_event_from_row(row, last), now)
        self._compact_sent = compacted
        self._evicted_at = now

    def _on_batch(self, events: Sequence[Event], answered: Sequence[WriteRequest], revision: int) -> None:
        """Runs on the trio thread after each group commit, in commit order."""
        now = trio.current_time()
        for event in events:
            self._keys.apply(event)
            self._history.append(event, now)
            self._fanout.publish(event)
        self._revision = max(self._revision, revision)
        for request in answered:
            self._outstanding.discard(request)
            request.done.set()
        if now - self._evicted_at >= 1.0:
            # Age-based eviction rides along with writes: an idle store's history does not grow.
            self._evicted_at = now
            self._history.evict_older_than(now - self.settings.max_age)
        self._send_compaction()

    def _send_compaction(self) -> None:
        if self._history.compact_rev > self._compact_sent and self._inbox is not None:
            self._compact_sent = self._history.compact_rev
            self._inbox.put(CompactTo(self._compact_sent))

    @property
    def failure(self) -> StoreError | None:
        """Why the store no longer works (``StoreClosed`` once closed); None while it works."""
        return self._closed

    async def wait_failed(self) -> StoreError:
        """Wait until the store stops working (or closes) and return why."""
        await self._failed.wait()
        assert self._closed is not None
        return self._closed

    def _fail(self, error: StoreError) -> None:
        """Answer every outstanding write and end every watch with ``error``."""
        if self._closed is None:
            self._closed = error
        self._failed.set()
        for request in list(self._outstanding):
            if not request.done.is_set():
                request.error = error
                request.done.set()
        self._outstanding.clear()
        self._fanout.close(error)


def _event_from_row(row: LogRow, last: dict[str, KeyValue]) -> Event:
    """Rebuild an event from its log row; its predecessor is known if it is in the log too."""
    kind = _LOG_TYPES[row.type]
    kv = KeyValue(row.key, row.value, row.create_rev, row.rev)
    prev = last.get(row.key)
    prev_known = kind is EventType.CREATE or prev is not None
    if kind is EventType.DELETE:
        last.pop(row.key, None)
    else:
        last[row.key] = kv
    return Event(kind, kv, prev if kind is not EventType.CREATE else None, prev_known)


@asynccontextmanager
async def open_store(settings: StoreSettings) -> AsyncIterator[Store]:
    """Open the datastore, yield the :class:`Store`, flush and close it on exit.

    Raises ``StoreUnavailable`` (naming the path and the cause) when the datastore cannot be
    opened. If the writer thread fails later (an I/O error), every pending write and watch gets
    the error, later calls raise it, and :meth:`Store.wait_failed` returns it: the owner stops,
    because there are no writes without a store. No task runs in the background, so nothing
    here needs a nursery.
    """
    backend = backend_for(settings.endpoint)
    writer = Writer(
        backend,
        coalesce_interval=settings.coalesce_interval,
        revision_reserve=settings.revision_reserve,
        max_batch=settings.max_batch,
    )
    store = Store(settings, backend.location, writer)
    opened = trio.Event()
    open_error: list[StoreError] = []

    def on_open(loaded: Loaded | None, error: StoreError | None) -> None:
        if error is not None:
            open_error.append(error)
        else:
            assert loaded is not None
            store._load(loaded, writer.revision)
        opened.set()

    def body(handle: bridge.DedicatedThread[Message]) -> None:
        try:
            loaded = writer.open()
        except StoreError as exc:
            backend.close()
            handle.call_in_trio(on_open, None, exc)
            return
        handle.call_in_trio(on_open, loaded, None)
        try:
            writer.run(handle, store._on_batch)
        finally:
            backend.close()

    def on_exit(exc: BaseException | None) -> None:
        if not opened.is_set():  # the thread died before it could report
            open_error.append(StoreUnavailable(store.location, f"the writer failed to start: {exc!r}"))
            opened.set()
        if isinstance(exc, StoreError):
            store._fail(exc)
        elif exc is not None:
            store._fail(StoreUnavailable(store.location, f"the writer failed: {exc!r}", fatal=True))
        else:
            store._fail(StoreClosed("the store is closed"))

    async with bridge.dedicated_thread("store-writer", body, on_exit) as handle:
        await opened.wait()
        if open_error:
            raise open_error[0]
        store._inbox = handle.inbox
        store._send_compaction()
        logger.info("datastore %s open at revision %d", store.location, store.revision)
        try:
            yield store
        finally:
            # Coalesced lease renewals are written before the thread stops; writes already
            # queued are still answered, later ones get StoreClosed.
            handle.inbox.put(Flush())
            store._inbox = None
