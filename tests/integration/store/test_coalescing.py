"""Renew-only lease updates wait in memory, yet no resourceVersion is ever handed out twice."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import trio

from k3py.store import StoreSettings, open_store
from k3py.store.revlog import Create, Update
from k3py.store.sql import SqlBackend
from k3py.store.writer import Flush, Writer, WriteRequest

LEASE = "/registry/coordination.k8s.io/leases/kube-node-lease/node1"


def lease(renew: int, holder: str = "node1") -> bytes:
    return json.dumps(
        {
            "apiVersion": "coordination.k8s.io/v1",
            "kind": "Lease",
            "metadata": {"name": "node1", "namespace": "kube-node-lease"},
            "spec": {"holderIdentity": holder, "leaseDurationSeconds": 40, "renewTime": f"t{renew}"},
        }
    ).encode()


def stored(path: Path, key: str) -> tuple[int, bytes] | None:
    """What is durably in the database for ``key`` (read with plain sqlite3)."""
    with sqlite3.connect(path) as conn:
        row = conn.execute(
            "SELECT rev, type, value FROM k3py_log WHERE key = ? ORDER BY rev DESC LIMIT 1", (key,)
        ).fetchone()
    return None if row is None or row[1] == 3 else (row[0], bytes(row[2]))


async def test_renewals_are_visible_at_once_but_written_once_per_interval(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    async with open_store(StoreSettings(endpoint=str(path), coalesce_interval=0.5)) as store:
        kv = await store.create(LEASE, lease(0))
        with store.watch(LEASE, after=kv.mod_rev) as watch:
            for i in range(1, 4):
                kv = await store.update(LEASE, lease(i), expected_rev=kv.mod_rev)
                assert (await anext(watch)).kv == kv  # watchers see every renewal at once
                assert await store.get(LEASE) == kv  # and so do readers
        assert stored(path, LEASE) is not None
        assert stored(path, LEASE) != (kv.mod_rev, kv.value)  # not yet on disk
        await trio.sleep(0.6)
        await store.create("/registry/core/configmaps/ns/other", b"{}")  # any later commit flushes
        assert stored(path, LEASE) == (kv.mod_rev, kv.value)


async def test_idle_store_flushes_renewals_without_other_writes(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    async with open_store(StoreSettings(endpoint=str(path), coalesce_interval=0.3)) as store:
        kv = await store.create(LEASE, lease(0))
        kv = await store.update(LEASE, lease(1), expected_rev=kv.mod_rev)
        with trio.fail_after(5):
            while stored(path, LEASE) != (kv.mod_rev, kv.value):
                await trio.sleep(0.05)


async def test_lease_change_beyond_renew_time_is_written_through(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    async with open_store(StoreSettings(endpoint=str(path), coalesce_interval=3600)) as store:
        kv = await store.create(LEASE, lease(0))
        kv = await store.update(LEASE, lease(1, holder="node2"), expected_rev=kv.mod_rev)
        assert stored(path, LEASE) == (kv.mod_rev, kv.value)


async def test_close_writes_pending_renewals(tmp_path: Path) -> None:
    settings = StoreSettings(endpoint=str(tmp_path / "state.db"), coalesce_interval=3600)
    async with open_store(settings) as store:
        kv = await store.create(LEASE, lease(0))
        for i in range(1, 5):
            kv = await store.update(LEASE, lease(i), expected_rev=kv.mod_rev)
    async with open_store(settings) as store:
        assert await store.get(LEASE) == kv


def _write(writer: Writer, op: Create | Update) -> WriteRequest:
    request = WriteRequest(op)
    writer.process([request])
    assert request.error is None
    return request


def test_crash_before_flush_loses_renewals_but_never_reuses_revisions(tmp_path: Path) -> None:
    """A power cut loses unwritten renewals; the next revision is still above all ever handed out."""
    path = str(tmp_path / "state.db")
    writer = Writer(SqlBackend(path), coalesce_interval=3600, revision_reserve=1000, max_batch=100)
    writer.open()
    kv = _write(writer, Create(LEASE, lease(0))).result
    assert kv is not None
    handed_out = [kv.mod_rev]
    for i in range(1, 6):
        kv = _write(writer, Update(LEASE, lease(i), kv.mod_rev)).result
        assert kv is not None
        handed_out.append(kv.mod_rev)
    writer.backend.close()  # the crash: no Flush

    after = Writer(SqlBackend(path), coalesce_interval=3600, revision_reserve=1000, max_batch=100)
    loaded = after.open()
    assert [kv.value for kv in loaded.kvs] == [lease(0)]  # the renewals were only in memory
    assert after.revision >= max(handed_out)
    new = _write(after, Create("/registry/core/configmaps/ns/x", b"{}")).result
    assert new is not None and new.mod_rev > max(handed_out)
    after.process([Flush()])
    after.backend.close()


def test_reservation_is_renewed_when_revisions_run_past_it(tmp_path: Path) -> None:
    path = str(tmp_path / "state.db")
    writer = Writer(SqlBackend(path), coalesce_interval=3600, revision_reserve=3, max_batch=100)
    writer.open()
    kv = _write(writer, Create(LEASE, lease(0))).result
    assert kv is not None
    for i in range(1, 10):
        kv = _write(writer, Update(LEASE, lease(i), kv.mod_rev)).result
        assert kv is not None
    assert writer.reserved >= kv.mod_rev
    writer.backend.close()
    after = Writer(SqlBackend(path), coalesce_interval=3600, revision_reserve=3, max_batch=100)
    after.open()
    assert after.revision >= kv.mod_rev
    after.backend.close()
