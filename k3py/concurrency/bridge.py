"""The one way from trio into OS threads.

A blocking call on the trio thread freezes every component at once (the API, every watch, the
node lease), so blocking work crosses into threads only here, where the thread limits are visible
and the import linter can ban ``threading`` everywhere else.

Two shapes:

* :func:`run_blocking` runs one call in trio's thread pool behind a named ``CapacityLimiter``.
  A thread cannot be cancelled, so the call must carry its own deadline (a gRPC ``timeout=``,
  SQLite's ``busy_timeout``), and ``abandon=True`` is only for calls without side effects.
* :func:`dedicated_thread` starts one OS thread that owns a resource (the SQLite write
  connection) and takes work from an :class:`Inbox` in batches. The thread answers by scheduling
  plain functions on the trio thread with :meth:`DedicatedThread.call_in_trio`, which never
  blocks the thread on trio: that is what lets the SQLite writer start its next group commit
  while trio is still handing out the results of the last one.
"""

from __future__ import annotations

import logging
import queue
import threading
from contextlib import asynccontextmanager, suppress
from typing import TYPE_CHECKING, Generic, TypeVar

import trio

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

logger = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

_LIMITERS: dict[str, trio.CapacityLimiter] = {}

# How long closing a dedicated thread waits for it to finish its current batch. A SQLite commit
# with fsync on a slow SD card can take a second; ten is a generous guess.
THREAD_STOP_GRACE_SECONDS = 10.0


def limiter(name: str, total_tokens: int = 4) -> trio.CapacityLimiter:
    """The process-wide limiter for one kind of blocking resource ("sqlite-read", "cri", ...)."""
    lim = _LIMITERS.get(name)
    if lim is None:
        lim = _LIMITERS[name] = trio.CapacityLimiter(total_tokens)
    return lim


async def run_blocking(fn: Callable[..., R], *args: object, limiter_name: str = "default", abandon: bool = False) -> R:
    """Run ``fn(*args)`` in a worker thread without blocking trio.

    **Cancellation:** with ``abandon=False`` (the default) a cancelled caller still waits for the
    call to return, because its side effects may matter; with ``abandon=True`` the caller returns
    at once and the result is dropped. Only side-effect-free calls may be abandoned.
    """
    return await trio.to_thread.run_sync(fn, *args, limiter=limiter(limiter_name), abandon_on_cancel=abandon)


class InboxClosed(Exception):
    """Raised in the dedicated thread when its owner has closed the inbox: finish and return."""


class Inbox(Generic[T]):
    """A thread-safe queue from trio (producer) to one dedicated thread (consumer)."""

    _CLOSE = object()

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._closed = False

    def put(self, item: T) -> None:
        """Never blocks; safe from the trio thread."""
        self._queue.put(item)

    def close(self) -> None:
        self._queue.put(self._CLOSE)

    def get_batch(self, max_items: int, timeout: float | None = None) -> list[T]:
        """Block for the first item (at most ``timeout`` seconds), then take what is queued.

        Returns an empty list on timeout. Raises :class:`InboxClosed` once the owner closed the
        inbox and everything before the close has been handed out.
        """
        if self._closed:
            raise InboxClosed
        batch: list[T] = []
        try:
            first = self._queue.get(timeout=timeout) if timeout is None or timeout > 0 else self._queue.get_nowait()
        except queue.Empty:
            return batch
        if first is self._CLOSE:
            self._closed = True
            raise InboxClosed
        batch.append(first)  # type: ignore[arg-type]
        while len(batch) < max_items:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is self._CLOSE:
                # Hand out what came before the close; the next call raises.
                self._closed = True
                break
            batch.append(item)  # type: ignore[arg-type]
        return batch


class DedicatedThread(Generic[T]):
    """Handle on a running dedicated thread, given to its owner by :func:`dedicated_thread`."""

    def __init__(self, name: str, token: trio.lowlevel.TrioToken) -> None:
        self.name = name
        self.inbox: Inbox[T] = Inbox()
        self.finished = trio.Event()
        self.exception: BaseException | None = None
        self._token = token

    def call_in_trio(self, fn: Callable[..., object], *args: object) -> None:
        """From the dedicated thread: run ``fn(*args)`` on the trio thread soon, in call order.

        Does not wait for it. ``fn`` must be synchronous and must not raise.
        """
        self._token.run_sync_soon(fn, *args)


@asynccontextmanager
async def dedicated_thread(
    name: str,
    body: Callable[[DedicatedThread[T]], None],
    on_exit: Callable[[BaseException | None], None] | None = None,
) -> AsyncIterator[DedicatedThread[T]]:
    """Run ``body(handle)`` in a new OS thread for the lifetime of the ``async with`` block.

    ``body`` loops on ``handle.inbox.get_batch(...)`` and returns when it raises
    :class:`InboxClosed`. When the thread ends, ``handle.exception`` is set to what ``body``
    raised (if anything else), ``on_exit(exception)`` runs on the trio thread and
    ``handle.finished`` fires, so the owner can stop (the store does: no writes without a store).

    **Cancellation:** leaving the block closes the inbox and waits, shielded, up to
    ``THREAD_STOP_GRACE_SECONDS`` for the thread to finish its current batch.
    """
    handle: DedicatedThread[T] = DedicatedThread(name, trio.lowlevel.current_trio_token())

    def finish(exc: BaseException | None) -> None:
        handle.exception = exc
        try:
            if on_exit is not None:
                on_exit(exc)
        finally:
            handle.finished.set()

    def main() -> None:
        exc: BaseException | None = None
        try:
            body(handle)
        except InboxClosed:
            pass
        except BaseException as e:  # reported to the owner on the trio side, not lost in a thread
            exc = e
            logger.exception("dedicated thread %s failed", name)
        with suppress(trio.RunFinishedError):
            handle.call_in_trio(finish, exc)

    thread = threading.Thread(target=main, name=f"k3py-{name}", daemon=True)
    thread.start()
    try:
        yield handle
    finally:
        handle.inbox.close()
        with trio.move_on_after(THREAD_STOP_GRACE_SECONDS, shield=True) as scope:
            await handle.finished.wait()
            # The thread has reported its end and is returning: joining takes microseconds.
            await trio.to_thread.run_sync(thread.join)
        if scope.cancelled_caught:
            logger.error("dedicated thread %s did not stop within %.0fs", name, THREAD_STOP_GRACE_SECONDS)
