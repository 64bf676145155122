"""The store's contract (etcd semantics), run against every backend: memory, SQLite, PostgreSQL.

Revisions, compare-and-swap, lists at one revision with continue tokens, watches from a revision
(replay then live, no gap, no duplicate), compaction and 410, slow watchers, durability.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

import pytest
import trio

from k3py.store import (
    BadContinueToken,
    Compacted,
    EventType,
    FutureRevision,
    KeyExists,
    KeyNotFound,
    RevisionMismatch,
    Store,
    StoreClosed,
    StoreSettings,
    WatchDropped,
    open_store,
)

OpenStore = Callable[..., AbstractAsyncContextManager[Store]]

P = "/registry/core/configmaps/"


async def test_create_then_get_returns_value_and_revisions(store: Store) -> None:
    kv = await store.create(P + "ns/a", b"one")
    assert (kv.value, kv.create_rev, kv.mod_rev) == (b"one", 1, 1)
    assert await store.get(P + "ns/a") == kv
    assert await store.get(P + "ns/missing") is None
    assert store.revision == 1


async def test_create_existing_key_raises_key_exists(store: Store) -> None:
    await store.create(P + "ns/a", b"one")
    with pytest.raises(KeyExists):
        await store.create(P + "ns/a", b"two")
    assert (await store.get(P + "ns/a")).value == b"one"  # type: ignore[union-attr]
    assert store.revision == 1  # a failed write takes no revision


async def test_revision_is_global_and_strictly_increasing(store: Store) -> None:
    a = await store.create(P + "ns/a", b"1")
    b = await store.create(P + "ns/b", b"1")
    a2 = await store.update(P + "ns/a", b"2", expected_rev=a.mod_rev)
    d = await store.delete(P + "ns/b")
    assert [a.mod_rev, b.mod_rev, a2.mod_rev, d.mod_rev] == [1, 2, 3, 4]
    assert a2.create_rev == 1


async def test_update_with_stale_revision_raises_conflict_with_current_value(store: Store) -> None:
    kv = await store.create(P + "ns/a", b"1")
    kv2 = await store.update(P + "ns/a", b"2", expected_rev=kv.mod_rev)
    with pytest.raises(RevisionMismatch) as info:
        await store.update(P + "ns/a", b"3", expected_rev=kv.mod_rev)
    assert info.value.current == kv2
    with pytest.raises(KeyNotFound):
        await store.update(P + "ns/missing", b"3", expected_rev=1)


async def test_delete_returns_last_value_at_delete_revision(store: Store) -> None:
    kv = await store.create(P + "ns/a", b"last")
    with pytest.raises(RevisionMismatch):
        await store.delete(P + "ns/a", expected_rev=kv.mod_rev + 5)
    gone = await store.delete(P + "ns/a", expected_rev=kv.mod_rev)
    assert (gone.value, gone.create_rev, gone.mod_rev) == (b"last", 1, 2)
    assert await store.get(P + "ns/a") is None
    with pytest.raises(KeyNotFound):
        await store.delete(P + "ns/a")
    again = await store.create(P + "ns/a", b"new")
    assert again.create_rev == 3  # a re-created key is a new object


async def test_concurrent_cas_updates_one_winner_per_revision(store: Store) -> None:
    """16 tasks race compare-and-swap on one key: exactly one wins per revision, the rest conflict."""
    key = P + "ns/counter"
    await store.create(key, b"0")
    wins: list[tuple[int, int]] = []  # (expected revision, task)
    conflicts = 0

    async def racer(task: int) -> None:
        nonlocal conflicts
        for _ in range(10):
            current = await store.get(key)
            assert current is not None
            try:
                await store.update(key, b"%d" % (int(current.value) + 1), expected_rev=current.mod_rev)
                wins.append((current.mod_rev, task))
            except RevisionMismatch:
                conflicts += 1

    async with trio.open_nursery() as nursery:
        for task in range(16):
            nursery.start_soon(racer, task)
    expected_revisions = [rev for rev, _ in wins]
    assert len(expected_revisions) == len(set(expected_revisions)), "two writers won the same revision"
    final = await store.get(key)
    assert final is not None
    assert int(final.value) == len(wins)  # no lost update
    assert len(wins) + conflicts == 160
    assert conflicts > 0


async def test_concurrent_writers_share_group_commits(durable_endpoint: str) -> None:
    """16 concurrent writers: every write acknowledged, in far fewer commits (fsyncs) than writes."""
    async with open_store(StoreSettings(endpoint=durable_endpoint)) as store:
        before = store.stats()

        async def writer(task: int) -> None:
            for i in range(25):
                await store.create(P + f"ns/t{task:02d}-{i:02d}", b"v" * 1024)

        async with trio.open_nursery() as nursery:
            for task in range(16):
                nursery.start_soon(writer, task)
        stats = store.stats()
        assert stats.writes - before.writes == 400
        assert stats.commits - before.commits <= 200, f"{stats.commits - before.commits} commits for 400 writes"
        assert len((await store.list(P)).items) == 400


async def test_list_prefix_is_sorted_and_excludes_sibling_prefixes(store: Store) -> None:
    for key in ("ns/b", "ns/a", "ns2/a", "ns/c"):
        await store.create(P + key, key.encode())
    await store.create("/registry/core/configmapsX/ns/a", b"x")
    result = await store.list(P + "ns/")
    assert [kv.key for kv in result.items] == [P + "ns/a", P + "ns/b", P + "ns/c"]
    assert result.revision == store.revision
    assert [kv.key for kv in (await store.list(P)).items] == [P + "ns/a", P + "ns/b", P + "ns/c", P + "ns2/a"]


async def test_list_pages_stay_at_the_first_pages_revision(store: Store) -> None:
    for i in range(10):
        await store.create(P + f"ns/k{i:02d}", b"v1")
    page = await store.list(P, limit=4)
    assert [kv.key[-3:] for kv in page.items] == ["k00", "k01", "k02", "k03"]
    assert page.remaining == 6
    rev = page.revision
    # Writes between pages must not show in later pages.
    k05 = await store.get(P + "ns/k05")
    assert k05 is not None
    await store.update(P + "ns/k05", b"v2", expected_rev=k05.mod_rev)
    await store.delete(P + "ns/k06")
    await store.create(P + "ns/k045", b"new")
    seen = list(page.items)
    token = page.continue_token
    while token:
        page = await store.list(P, limit=4, continue_token=token)
        assert page.revision == rev
        seen.extend(page.items)
        token = page.continue_token
    assert [kv.key[-3:] for kv in seen] == [f"k{i:02d}" for i in range(10)]
    assert {kv.key[-3:]: kv.value for kv in seen}["k05"] == b"v1"
    assert all(kv.mod_rev <= rev for kv in seen)


async def test_list_at_revision_and_its_errors(store: Store) -> None:
    a = await store.create(P + "ns/a", b"1")
    await store.update(P + "ns/a", b"2", expected_rev=a.mod_rev)
    old = await store.list(P, revision=a.mod_rev)
    assert [(kv.key, kv.value) for kv in old.items] == [(P + "ns/a", b"1")]
    with pytest.raises(FutureRevision):
        await store.list(P, revision=store.revision + 1)
    await store.compact(store.revision)
    with pytest.raises(Compacted):
        await store.list(P, revision=a.mod_rev)


async def test_list_with_foreign_or_garbage_continue_token_raises(store: Store) -> None:
    for i in range(3):
        await store.create(P + f"ns/k{i}", b"v")
    page = await store.list(P + "ns/", limit=1)
    with pytest.raises(BadContinueToken):
        await store.list(P, continue_token="garbage!")
    # A token from one prefix used on another cannot escape that other prefix.
    other = await store.list("/registry/core/secrets/", continue_token=page.continue_token)
    assert other.items == []


async def test_watch_replays_history_then_goes_live_in_order(store: Store) -> None:
    a = await store.create(P + "ns/a", b"1")
    await store.create("/registry/other/x", b"1")
    await store.update(P + "ns/a", b"2", expected_rev=a.mod_rev)
    with store.watch(P, after=0) as watch:
        await store.delete(P + "ns/a")
        events = [await anext(watch) for _ in range(3)]
    assert [(ev.type, ev.revision) for ev in events] == [
        (EventType.CREATE, 1),
        (EventType.UPDATE, 3),
        (EventType.DELETE, 4),
    ]
    assert events[1].prev is not None and events[1].prev.value == b"1"
    assert events[2].kv.value == b"2"  # a delete carries the last value


async def test_watch_under_concurrent_writes_has_no_gap_and_no_duplicate(store: Store) -> None:
    """Writers run while watchers start from various revisions: each sees exactly the later events."""
    total = 300

    async def writer() -> None:
        for i in range(total):
            await store.create(P + f"ns/k{i:04d}", b"v")

    async def watcher(after: int, seen: list[int]) -> None:
        with store.watch(P, after=after) as watch:
            async for event in watch:
                seen.append(event.revision)
                if event.revision == total:
                    return

    results: list[tuple[int, list[int]]] = []
    with trio.fail_after(30):
        async with trio.open_nursery() as nursery:
            nursery.start_soon(writer)
            for _ in range(8):
                await trio.sleep(0.002)
                seen: list[int] = []
                results.append((store.revision, seen))
                nursery.start_soon(watcher, store.revision, seen)
    for after, seen in results:
        assert seen == list(range(after + 1, total + 1))


async def test_watch_from_compacted_revision_raises_compacted(store: Store) -> None:
    for i in range(5):
        await store.create(P + f"ns/k{i}", b"v")
    await store.compact(3)
    with pytest.raises(Compacted) as info:
        store.watch(P, after=2)
    assert info.value.compacted == 3
    with store.watch(P, after=3) as watch:
        assert [(await anext(watch)).revision for _ in range(2)] == [4, 5]


async def test_watch_from_future_revision_waits_for_it(store: Store) -> None:
    await store.create(P + "ns/a", b"1")
    with store.watch(P, after=3) as watch:
        for i in range(4):
            await store.create(P + f"ns/b{i}", b"1")
        assert (await anext(watch)).revision == 4


async def test_slow_watcher_is_dropped_and_never_blocks_writes(open_at: OpenStore) -> None:
    async with open_at(watch_buffer=8) as store:
        with store.watch(P, after=0) as slow, store.watch(P, after=0) as fast:
            with trio.fail_after(10):
                for i in range(20):  # nobody reads `slow`: the writes must still go through
                    await store.create(P + f"ns/k{i:02d}", b"v")
                    assert (await anext(fast)).revision == i + 1
            received = [(await anext(slow)).revision for _ in range(8)]
            assert received == list(range(1, 9))  # what was buffered is delivered first
            with pytest.raises(WatchDropped, match="fell more than 8 events behind"):
                await anext(slow)


async def test_automatic_compaction_by_count_expires_old_watches(open_at: OpenStore) -> None:
    async with open_at(max_revisions=10) as store:
        for i in range(25):
            await store.create(P + f"ns/k{i:02d}", b"v")
        assert store.compact_revision == 15
        with pytest.raises(Compacted):
            store.watch(P, after=14)
        with store.watch(P, after=15) as watch:
            assert (await anext(watch)).revision == 16


async def test_automatic_compaction_by_age(open_at: OpenStore, autojump_clock: trio.testing.MockClock) -> None:
    async with open_at(max_age=60.0) as store:
        await store.create(P + "ns/old", b"v")
        await trio.sleep(120)
        await store.create(P + "ns/new", b"v")
        assert store.compact_revision == 1
        with pytest.raises(Compacted):
            store.watch(P, after=0)


async def test_closed_store_rejects_writes_and_ends_watches(open_at: OpenStore) -> None:
    async with open_at() as store:
        await store.create(P + "ns/a", b"1")
        watch = store.watch(P, after=1)
    with pytest.raises(StoreClosed):
        await store.create(P + "ns/b", b"1")
    with pytest.raises(StoreClosed):
        await anext(watch)


async def test_data_history_and_revisions_survive_reopening(durable_endpoint: str) -> None:
    settings = StoreSettings(endpoint=durable_endpoint)
    async with open_store(settings) as store:
        a = await store.create(P + "ns/a", b"1")
        await store.create(P + "ns/b", b"1")
        await store.update(P + "ns/a", b"2", expected_rev=a.mod_rev)
        await store.delete(P + "ns/b")
        last = store.revision
    async with open_store(settings) as store:
        assert store.revision == last
        assert [(kv.key, kv.value, kv.create_rev, kv.mod_rev) for kv in (await store.list(P)).items] == [
            (P + "ns/a", b"2", 1, 3)
        ]
        with store.watch(P, after=1) as watch:  # history is kept across restarts
            events = [await anext(watch) for _ in range(3)]
        assert [(ev.type, ev.revision) for ev in events] == [
            (EventType.CREATE, 2),
            (EventType.UPDATE, 3),
            (EventType.DELETE, 4),
        ]
        assert events[1].prev is not None and events[1].prev.value == b"1"  # rebuilt from the log
        c = await store.create(P + "ns/c", b"1")
        assert c.mod_rev == last + 1


async def test_compaction_survives_reopening(durable_endpoint: str) -> None:
    settings = StoreSettings(endpoint=durable_endpoint, max_revisions=5)
    async with open_store(settings) as store:
        for i in range(12):
            await store.create(P + f"ns/k{i:02d}", b"v")
        compacted = store.compact_revision
    async with open_store(settings) as store:
        assert store.compact_revision >= compacted
        assert len((await store.list(P)).items) == 12
        with pytest.raises(Compacted):
            store.watch(P, after=compacted - 1)
