"""The work queue's promises: one reconcile for many adds, never two workers on one key, backoff."""

from __future__ import annotations

import pytest
import trio
import trio.testing

from k3py.controllers.workqueue import ShutDown, WorkQueue, run_worker


async def test_adds_of_a_waiting_key_are_merged() -> None:
    queue = WorkQueue()
    for key in ("a", "b", "a", "a"):
        queue.add(key)
    assert len(queue) == 2
    assert [await queue.get(), await queue.get()] == ["a", "b"]


async def test_a_key_added_while_processed_waits_until_done() -> None:
    queue = WorkQueue()
    queue.add("a")
    assert await queue.get() == "a"
    queue.add("a")
    assert len(queue) == 0  # not handed to a second worker meanwhile
    queue.done("a")
    assert await queue.get() == "a"


async def test_retries_back_off_exponentially_until_forgotten(autojump_clock: trio.testing.MockClock) -> None:
    queue = WorkQueue(base_delay=1.0, max_delay=5.0)
    delays = []
    for _ in range(5):
        queue.add("k")
        key = await queue.get()
        start = trio.current_time()
        queue.done(key)
        delays.append(queue.retry(key))
        assert await queue.get() == "k"
        assert trio.current_time() - start == pytest.approx(delays[-1])
        queue.done("k")
    assert delays == [1.0, 2.0, 4.0, 5.0, 5.0]
    queue.forget("k")
    assert queue.failures("k") == 0


async def test_shut_down_wakes_waiting_workers() -> None:
    queue = WorkQueue()
    async with trio.open_nursery() as nursery:

        async def waiter() -> None:
            with pytest.raises(ShutDown):
                await queue.get()

        nursery.start_soon(waiter)
        await trio.testing.wait_all_tasks_blocked()
        queue.shut_down()


async def test_run_worker_retries_failures_and_forgets_successes(autojump_clock: trio.testing.MockClock) -> None:
    queue = WorkQueue(base_delay=0.5)
    attempts: list[str] = []

    async def reconcile(key: str) -> None:
        attempts.append(key)
        if attempts.count(key) < 3:
            raise RuntimeError("not yet")
        if key == "a":
            queue.shut_down()

    queue.add("a")
    with trio.fail_after(10):
        await run_worker(queue, reconcile, name="test")
    assert attempts == ["a", "a", "a"]
    assert queue.failures("a") == 0
