"""The work queue of a controller: keys to reconcile, deduplicated, with rate-limited retries.

client-go's workqueue semantics, which controllers are written against:

- a key added while it waits is not added twice (many events, one reconcile);
- a key is never handed to two workers at once: added while being processed, it waits until
  :meth:`WorkQueue.done` and is then queued again;
- a failed key comes back after a per-key exponential backoff (:meth:`WorkQueue.retry`), reset by
  :meth:`WorkQueue.forget` once it succeeds.
"""

from __future__ import annotations

import heapq
import itertools
import logging
from collections import deque
from typing import TYPE_CHECKING

import trio

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

logger = logging.getLogger(__name__)

BASE_DELAY = 0.005
MAX_DELAY = 300.0


class ShutDown(Exception):
    """The queue was shut down: workers stop."""


class WorkQueue:
    """Deduplicated keys with per-key exponential retry delays (``BASE_DELAY * 2**failures``)."""

    def __init__(self, *, base_delay: float = BASE_DELAY, max_delay: float = MAX_DELAY) -> None:
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._queue: deque[str] = deque()
        self._dirty: set[str] = set()
        self._processing: set[str] = set()
        self._failures: dict[str, int] = {}
        self._delayed: list[tuple[float, int, str]] = []
        self._order = itertools.count()
        self._changed = trio.Event()
        self._shut_down = False

    def __len__(self) -> int:
        return len(self._queue)

    def add(self, key: str) -> None:
        if self._shut_down or key in self._dirty:
            return
        self._dirty.add(key)
        if key not in self._processing:
            self._queue.append(key)
            self._wake()

    def add_after(self, key: str, delay: float) -> None:
        """Add ``key`` once ``delay`` seconds have passed (at once when it is not positive)."""
        if delay <= 0:
            self.add(key)
            return
        heapq.heappush(self._delayed, (trio.current_time() + delay, next(self._order), key))
        self._wake()

    def retry(self, key: str) -> float:
        """Add ``key`` again after its backoff, which doubles with each failure; returns the delay."""
        failures = self._failures.get(key, 0)
        self._failures[key] = failures + 1
        delay = min(self.base_delay * 2.0**failures, self.max_delay)
        self.add_after(key, delay)
        return delay

    def forget(self, key: str) -> None:
        """``key`` succeeded: its next failure starts the backoff afresh."""
        self._failures.pop(key, None)

    def failures(self, key: str) -> int:
        return self._failures.get(key, 0)

    async def get(self) -> str:
        """The next key to process (mark it :meth:`done` after); raises ShutDown once shut down."""
        while True:
            self._promote_due()
            if self._shut_down:
                raise ShutDown
            if self._queue:
                key = self._queue.popleft()
                self._processing.add(key)
                self._dirty.discard(key)
                return key
            self._changed = trio.Event()
            deadline = self._delayed[0][0] if self._delayed else float("inf")
            with trio.move_on_at(deadline):
                await self._changed.wait()

    def done(self, key: str) -> None:
        self._processing.discard(key)
        if key in self._dirty:
            self._queue.append(key)
            self._wake()

    def shut_down(self) -> None:
        self._shut_down = True
        self._wake()

    def _promote_due(self) -> None:
        now = trio.current_time()
        while self._delayed and self._delayed[0][0] <= now:
            _, _, key = heapq.heappop(self._delayed)
            self.add(key)

    def _wake(self) -> None:
        self._changed.set()


async def run_worker(queue: WorkQueue, reconcile: Callable[[str], Awaitable[None]], *, name: str = "") -> None:
    """Process keys until the queue shuts down; a failing key is retried with backoff, and logged."""
    while True:
        try:
            key = await queue.get()
        except ShutDown:
            return
        try:
            await reconcile(key)
        except Exception:
            delay = queue.retry(key)
            logger.warning("%s: reconciling %s failed; retrying in %.2fs", name, key, delay, exc_info=True)
        else:
            queue.forget(key)
        finally:
            queue.done(key)
