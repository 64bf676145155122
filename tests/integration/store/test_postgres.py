"""The store on a real PostgreSQL server: durability, compare-and-swap, group commit, outages.

The contract suite (``test_store_contract.py``) runs the etcd semantics on every backend; these
tests add what only a database server can show: the data is in PostgreSQL (read back with
psycopg and through the unix socket), concurrent writers meet the server's transactions, and the
server can go away and come back while the store stays open.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
import trio

from k3py.store import EventType, KeyValue, RevisionMismatch, StoreSettings, StoreUnavailable, open_store

if TYPE_CHECKING:
    from tests.conftest import PostgresServer

pytestmark = pytest.mark.integration

P = "/registry/core/configmaps/"


def _dbname(endpoint: str) -> str:
    return endpoint.rsplit("/", 1)[1].split("?", 1)[0]


def _query(server: PostgresServer, dbname: str, sql: str) -> list[tuple[object, ...]]:
    with server.connect(dbname) as conn:
        return conn.execute(sql).fetchall()


def _snapshot(kvs: list[KeyValue]) -> list[tuple[str, bytes, int, int]]:
    return [(kv.key, kv.value, kv.create_rev, kv.mod_rev) for kv in kvs]


async def test_postgres_reopen_keeps_values_history_revisions_and_compaction(
    postgres_endpoint: str, postgres_server: PostgresServer
) -> None:
    """Creates, updates, deletes, the revision and the compact revision all come back after reopening."""
    settings = StoreSettings(endpoint=postgres_endpoint)
    async with open_store(settings) as store:
        a = await store.create(P + "ns/a", b"a1")
        b = await store.create(P + "ns/b", b"b1")
        a2 = await store.update(P + "ns/a", b"a2", expected_rev=a.mod_rev)
        await store.delete(P + "ns/b", expected_rev=b.mod_rev)
        await store.create(P + "ns/c", b"c1")
        await store.compact(a2.mod_rev)  # history up to rev 3 goes; stored with the next commit
        d = await store.create(P + "ns/d", b"d1")
        before = _snapshot((await store.list(P)).items)
        revision, compacted = store.revision, store.compact_revision
    assert (revision, compacted) == (d.mod_rev, a2.mod_rev) == (6, 3)

    dbname = _dbname(postgres_endpoint)
    assert _query(postgres_server, dbname, "SELECT value FROM k3py_meta WHERE name = 'compacted'") == [(3,)]
    # Rows up to the compacted revision may stay only as some key's current value (its newest row).
    stale = (
        "SELECT count(*) FROM k3py_log old WHERE rev <= 3 AND (type = 3 OR EXISTS "
        "(SELECT 1 FROM k3py_log new WHERE new.key = old.key AND new.rev > old.rev))"
    )
    assert _query(postgres_server, dbname, stale) == [(0,)], "compacted history is still stored"

    # The same database over the unix socket (``?host=`` in the endpoint), as a restarted server sees it.
    socket_settings = StoreSettings(endpoint=postgres_server.socket_endpoint(dbname))
    async with open_store(socket_settings) as store:
        assert (store.revision, store.compact_revision) == (6, 3)
        assert (
            _snapshot((await store.list(P)).items)
            == before
            == [
                (P + "ns/a", b"a2", 1, 3),
                (P + "ns/c", b"c1", 5, 5),
                (P + "ns/d", b"d1", 6, 6),
            ]
        )
        with store.watch(P, after=3) as watch:  # the history after the compact revision is kept
            events = [await anext(watch) for _ in range(3)]
        assert [(ev.type, ev.kv.key, ev.revision) for ev in events] == [
            (EventType.DELETE, P + "ns/b", 4),
            (EventType.CREATE, P + "ns/c", 5),
            (EventType.CREATE, P + "ns/d", 6),
        ]
        assert events[0].kv.value == b"b1"  # a delete keeps the last value
        e = await store.create(P + "ns/e", b"e1")
        assert e.mod_rev == 7  # revisions continue where they stopped


async def test_postgres_concurrent_cas_updates_one_winner_per_revision(postgres_endpoint: str) -> None:
    """16 tasks race compare-and-swap on one key: one winner per revision, the rest RevisionMismatch."""
    settings = StoreSettings(endpoint=postgres_endpoint)
    key = P + "ns/counter"
    wins: list[tuple[int, int]] = []  # (revision the winner expected, revision it made)
    lost: list[tuple[int, int]] = []  # (revision the loser expected, revision the key was at)

    async with open_store(settings) as store:
        await store.create(key, b"0")

        async def racer() -> None:
            for _ in range(10):
                current = await store.get(key)
                assert current is not None
                try:
                    new = await store.update(key, b"%d" % (int(current.value) + 1), expected_rev=current.mod_rev)
                except RevisionMismatch as exc:
                    lost.append((current.mod_rev, exc.current.mod_rev))
                else:
                    wins.append((current.mod_rev, new.mod_rev))

        async with trio.open_nursery() as nursery:
            for _ in range(16):
                nursery.start_soon(racer)
        final = await store.get(key)
        last_revision = store.revision

    expected = sorted(rev for rev, _ in wins)
    assert len(expected) == len(set(expected)), "two writers won the same revision"
    assert sorted(rev for _, rev in wins) == list(range(2, len(wins) + 2))  # every update took the next revision
    assert len(wins) + len(lost) == 160
    assert lost, "no race happened"
    assert all(current > expected for expected, current in lost)  # a loser is told the newer revision
    assert final is not None
    assert (int(final.value), final.mod_rev, final.create_rev) == (len(wins), len(wins) + 1, 1)

    async with open_store(settings) as store:  # the stored history agrees: 1, 2, 3, ... no lost update
        assert store.revision == last_revision
        assert await store.get(key) == final
        with store.watch(key, after=0) as watch:
            events = [await anext(watch) for _ in range(len(wins) + 1)]
        assert [int(ev.kv.value) for ev in events] == list(range(len(wins) + 1))
        assert [ev.revision for ev in events] == list(range(1, len(wins) + 2))


async def test_postgres_group_commit_concurrent_creates_acknowledged_durable_and_ordered(
    postgres_endpoint: str, postgres_server: PostgresServer
) -> None:
    """400 concurrent creates: all acknowledged, unique dense revisions, fewer commits than writes, durable."""
    settings = StoreSettings(endpoint=postgres_endpoint)
    tasks, per_task = 40, 10
    acknowledged: dict[str, KeyValue] = {}
    per_task_revisions: list[list[int]] = [[] for _ in range(tasks)]

    async with open_store(settings) as store:
        before = store.stats()

        async def writer(task: int) -> None:
            for i in range(per_task):
                kv = await store.create(P + f"ns/t{task:02d}-{i:02d}", (b"%d" % task) * 100)
                acknowledged[kv.key] = kv
                per_task_revisions[task].append(kv.mod_rev)

        async with trio.open_nursery() as nursery:
            for task in range(tasks):
                nursery.start_soon(writer, task)
        stats = store.stats()

    total = tasks * per_task
    revisions = sorted(kv.mod_rev for kv in acknowledged.values())
    assert len(acknowledged) == total
    assert revisions == list(range(1, total + 1)), "revisions are not unique and dense"
    for task_revisions in per_task_revisions:  # a task's writes are ordered as it made them
        assert task_revisions == sorted(task_revisions)
        assert len(set(task_revisions)) == per_task
    assert stats.writes - before.writes == total
    assert stats.commits - before.commits < total / 4, f"{stats.commits - before.commits} commits for {total} writes"

    rows = _query(postgres_server, _dbname(postgres_endpoint), "SELECT count(*), min(rev), max(rev) FROM k3py_log")
    assert rows == [(total, 1, total)]
    async with open_store(settings) as store:
        assert store.revision == total
        stored = {kv.key: kv for kv in (await store.list(P)).items}
        assert stored == acknowledged


async def test_postgres_server_outage_fails_writes_serves_reads_and_recovers(
    make_postgres_server: Callable[[], PostgresServer],
) -> None:
    """With the server stopped, writes raise StoreUnavailable and reads work; once it is back, writes work
    again without reopening the store and nothing acknowledged was lost."""
    server = await trio.to_thread.run_sync(make_postgres_server)
    endpoint = f"postgres://k3py:s3cret@127.0.0.1:{server.port}/postgres"  # trust auth: the password is unused
    settings = StoreSettings(endpoint=endpoint)
    acknowledged: dict[str, KeyValue] = {}

    async with open_store(settings) as store:
        with trio.fail_after(10):
            for i in range(5):
                kv = await store.create(P + f"ns/before-{i}", b"v%d" % i)
                acknowledged[kv.key] = kv
            kv = await store.update(P + "ns/before-0", b"v0b", expected_rev=acknowledged[P + "ns/before-0"].mod_rev)
            acknowledged[kv.key] = kv
        revision = store.revision
        watch = store.watch(P, after=revision)

        await trio.to_thread.run_sync(server.stop)

        with trio.fail_after(15):  # a dead connection, then a refused reconnect: an error each, no hang
            for attempt in range(3):
                with pytest.raises(StoreUnavailable) as info:
                    await store.create(P + f"ns/during-{attempt}", b"lost")
                assert not info.value.fatal
                assert "s3cret" not in str(info.value)
                with pytest.raises(StoreUnavailable):
                    await store.update(P + "ns/before-1", b"lost", expected_rev=acknowledged[P + "ns/before-1"].mod_rev)
            # Reads are served from memory meanwhile, and failed writes took no revision.
            assert store.revision == revision
            assert await store.get(P + "ns/before-0") == acknowledged[P + "ns/before-0"]
            assert await store.get(P + "ns/during-0") is None
            assert {kv.key: kv for kv in (await store.list(P)).items} == acknowledged

        await trio.to_thread.run_sync(server.start)

        with trio.fail_after(15):
            kv = await store.create(P + "ns/after-0", b"a0")
            assert kv.mod_rev == revision + 1
            acknowledged[kv.key] = kv
            kv = await store.update(P + "ns/before-1", b"v1b", expected_rev=acknowledged[P + "ns/before-1"].mod_rev)
            acknowledged[kv.key] = kv
            kv = await store.create(P + "ns/during-0", b"now")  # the failed create left nothing behind
            acknowledged[kv.key] = kv
            event = await anext(watch)  # the watch outlived the outage and saw no failed write
            assert (event.type, event.kv.key, event.revision) == (EventType.CREATE, P + "ns/after-0", revision + 1)
            watch.close()
        final_revision = store.revision

    async with open_store(settings) as store:
        assert store.revision == final_revision == revision + 3
        assert {kv.key: kv for kv in (await store.list(P)).items} == acknowledged
