"""One producer, many subscribers, bounded buffers: a slow subscriber is dropped, never waited on.

As apiserver's cacher does: when a watcher's buffer is full, close that watcher with a clear
reason and let the client watch again; the producer (the store's commit path) never blocks and
the other subscribers never stall.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Generic, TypeVar

import trio

if TYPE_CHECKING:
    from collections.abc import Callable

T = TypeVar("T")


class Subscription(Generic[T]):
    """What one subscriber receives. Close it (or use ``with``) to unsubscribe."""

    def __init__(self, fanout: Fanout[T], accept: Callable[[T], bool], buffer: int) -> None:
        self._fanout = fanout
        self.accept = accept
        self._send, self._receive = trio.open_memory_channel[T](buffer)
        self.error: Exception | None = None

    async def receive(self) -> T:
        """The next item; raises the drop reason once dropped, ``trio.EndOfChannel`` once closed."""
        try:
            return await self._receive.receive()
        except trio.EndOfChannel:
            if self.error is not None:
                raise self.error from None
            raise

    def close(self) -> None:
        self._fanout._subscribers.pop(self, None)
        self._send.close()
        self._receive.close()

    def __enter__(self) -> Subscription[T]:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class Fanout(Generic[T]):
    """Publish items to every subscriber whose ``accept`` takes them, without ever blocking."""

    def __init__(self, overflow: Callable[[Subscription[T]], Exception]) -> None:
        self._overflow = overflow
        self._subscribers: dict[Subscription[T], None] = {}  # insertion-ordered set

    def __len__(self) -> int:
        return len(self._subscribers)

    def subscribe(self, accept: Callable[[T], bool], buffer: int) -> Subscription[T]:
        sub = Subscription(self, accept, buffer)
        self._subscribers[sub] = None
        return sub

    def publish(self, item: T) -> None:
        for sub in list(self._subscribers):
            if not sub.accept(item):
                continue
            try:
                sub._send.send_nowait(item)
            except trio.WouldBlock:
                self.drop(sub, self._overflow(sub))
            except (trio.BrokenResourceError, trio.ClosedResourceError):
                self._subscribers.pop(sub, None)

    def drop(self, sub: Subscription[T], error: Exception | None) -> None:
        """End ``sub``: it receives what is buffered, then ``error`` (or end of channel)."""
        self._subscribers.pop(sub, None)
        sub.error = error
        sub._send.close()

    def close(self, error: Exception | None = None) -> None:
        for sub in list(self._subscribers):
            self.drop(sub, error)
