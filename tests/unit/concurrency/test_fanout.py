"""Fan-out never blocks the publisher: a full subscriber is dropped with its reason."""

from __future__ import annotations

import pytest
import trio

from k3py.concurrency.fanout import Fanout


class Overflow(Exception):
    pass


async def test_publish_delivers_to_accepting_subscribers_only() -> None:
    fan: Fanout[int] = Fanout(lambda sub: Overflow())
    evens = fan.subscribe(lambda n: n % 2 == 0, buffer=10)
    everything = fan.subscribe(lambda n: True, buffer=10)
    for n in range(4):
        fan.publish(n)
    assert [await evens.receive() for _ in range(2)] == [0, 2]
    assert [await everything.receive() for _ in range(4)] == [0, 1, 2, 3]


async def test_full_subscriber_is_dropped_after_its_buffer_and_others_continue() -> None:
    fan: Fanout[int] = Fanout(lambda sub: Overflow("too slow"))
    slow = fan.subscribe(lambda n: True, buffer=2)
    fast = fan.subscribe(lambda n: True, buffer=100)
    for n in range(5):
        fan.publish(n)  # never blocks
    assert len(fan) == 1
    assert [await slow.receive(), await slow.receive()] == [0, 1]
    with pytest.raises(Overflow, match="too slow"):
        await slow.receive()
    assert [await fast.receive() for _ in range(5)] == [0, 1, 2, 3, 4]


async def test_closed_subscription_is_forgotten_by_publish() -> None:
    fan: Fanout[int] = Fanout(lambda sub: Overflow())
    with fan.subscribe(lambda n: True, buffer=1):
        pass
    fan.publish(1)
    assert len(fan) == 0


async def test_close_ends_subscribers_with_error() -> None:
    fan: Fanout[int] = Fanout(lambda sub: Overflow())
    sub = fan.subscribe(lambda n: True, buffer=1)
    fan.close(RuntimeError("closing"))
    with pytest.raises(RuntimeError, match="closing"):
        await sub.receive()
    sub2 = Fanout[int](lambda s: Overflow()).subscribe(lambda n: True, buffer=1)
    sub2._fanout.close()
    with pytest.raises(trio.EndOfChannel):
        await sub2.receive()
