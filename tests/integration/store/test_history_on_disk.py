"""On disk, compaction keeps every current value and one window of history, nothing more."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from k3py.store import StoreSettings, open_store
from k3py.store.writer import COMPACT_CHUNK

KEYS = 5


async def test_compacted_history_is_deleted_and_current_values_survive(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    settings = StoreSettings(endpoint=str(path), max_revisions=100)
    async with open_store(settings) as store:
        await store.create("/registry/core/configmaps/ns/untouched", b"first")
        kvs = [await store.create(f"/registry/core/configmaps/ns/k{i}", b"0") for i in range(KEYS)]
        for n in range(3 * COMPACT_CHUNK):
            kv = kvs[n % KEYS]
            kvs[n % KEYS] = await store.update(kv.key, b"%d" % n, expected_rev=kv.mod_rev)
        await store.delete(kvs[0].key)
        expected = [(kv.key, kv.value, kv.mod_rev) for kv in (await store.list("/registry/")).items]
        last = store.revision
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT count(*) FROM k3py_log").fetchone()[0]
        compacted = conn.execute("SELECT value FROM k3py_meta WHERE name = 'compacted'").fetchone()[0]
    assert compacted >= last - 100 - COMPACT_CHUNK
    assert rows <= (last - compacted) + KEYS + 1, f"{rows} rows kept for a window of {last - compacted}"
    async with open_store(settings) as store:
        assert [(kv.key, kv.value, kv.mod_rev) for kv in (await store.list("/registry/")).items] == expected
        assert store.revision == last
