"""The bridge to OS threads: batches, results posted back to trio, failures reported."""

from __future__ import annotations

import threading

import pytest
import trio

from k3py.concurrency import bridge


def test_inbox_get_batch_drains_queue_up_to_max_and_times_out() -> None:
    inbox: bridge.Inbox[int] = bridge.Inbox()
    for n in range(5):
        inbox.put(n)
    assert inbox.get_batch(3) == [0, 1, 2]
    assert inbox.get_batch(10) == [3, 4]
    assert inbox.get_batch(10, timeout=0.01) == []
    assert inbox.get_batch(10, timeout=0) == []


def test_inbox_close_hands_out_earlier_items_first() -> None:
    inbox: bridge.Inbox[int] = bridge.Inbox()
    inbox.put(1)
    inbox.close()
    assert inbox.get_batch(10) == [1]
    with pytest.raises(bridge.InboxClosed):
        inbox.get_batch(10)


async def test_dedicated_thread_processes_batches_and_answers_in_trio() -> None:
    results: list[tuple[list[int], bool]] = []
    got = trio.Event()

    def record(batch: list[int]) -> None:
        results.append((batch, threading.current_thread() is threading.main_thread()))
        if sum(len(b) for b, _ in results) == 3:
            got.set()

    def body(handle: bridge.DedicatedThread[int]) -> None:
        assert threading.current_thread() is not threading.main_thread()
        while True:
            handle.call_in_trio(record, handle.inbox.get_batch(10))

    async with bridge.dedicated_thread("test", body) as handle:
        for n in range(3):
            handle.inbox.put(n)
        with trio.fail_after(5):
            await got.wait()
    assert handle.finished.is_set()
    assert handle.exception is None
    assert [n for batch, _ in results for n in batch] == [0, 1, 2]
    assert all(on_trio for _, on_trio in results)  # callbacks ran on the trio (main) thread


async def test_dedicated_thread_failure_is_reported_to_owner() -> None:
    seen: list[BaseException | None] = []

    def body(handle: bridge.DedicatedThread[int]) -> None:
        handle.inbox.get_batch(1)
        raise OSError("disk on fire")

    async with bridge.dedicated_thread("failing", body, seen.append) as handle:
        handle.inbox.put(1)
        with trio.fail_after(5):
            await handle.finished.wait()
    assert isinstance(handle.exception, OSError)
    assert seen == [handle.exception]


async def test_run_blocking_runs_in_a_thread_with_named_limiter() -> None:
    name = await bridge.run_blocking(lambda: threading.current_thread().name, limiter_name="unit")
    assert name != threading.main_thread().name
    assert bridge.limiter("unit").total_tokens == 4
