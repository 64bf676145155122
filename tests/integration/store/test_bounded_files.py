"""Under a sustained update loop, SQLite's database and WAL files stay bounded.

The bound, with the default settings (a history of ``max_revisions`` = 10,000 revisions): the
database holds one row per key plus the history window, whose deletion on disk lags by at most one
chunk (``COMPACT_CHUNK``) and one group commit (``max_batch``). A row of 1 KiB fills a third of a
4 KiB page, so the database stays under
``(max_revisions + COMPACT_CHUNK + max_batch + keys) * (page size / rows per page) + 1 MiB``,
17.0 MiB here. The WAL is checkpointed every 1,000 pages and truncated to 4 MiB, so it stays under
4 MiB plus one group commit (bounded here by 8 MiB).
"""

from __future__ import annotations

import os
from pathlib import Path

import trio

from k3py.store import RevisionMismatch, StoreSettings, open_store
from k3py.store.sql import JOURNAL_SIZE_LIMIT
from k3py.store.writer import COMPACT_CHUNK

UPDATES = 50_000
KEYS = 100
VALUE = 1024
WRITERS = 16
PAGE = 4096  # SQLite's default page size
ROW_OVERHEAD = 64  # a generous guess at key, header and cell pointer bytes per row


async def test_sustained_updates_keep_database_and_wal_bounded(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    settings = StoreSettings(endpoint=str(path))
    row_bytes = PAGE / (PAGE // (VALUE + ROW_OVERHEAD))  # rows do not straddle pages at this size
    db_bound = (settings.max_revisions + COMPACT_CHUNK + settings.max_batch + KEYS) * row_bytes + (1 << 20)
    wal_bound = 2 * JOURNAL_SIZE_LIMIT
    max_db = max_wal = 0
    done = 0

    def sample() -> None:
        nonlocal max_db, max_wal
        max_db = max(max_db, os.path.getsize(path))
        wal = Path(f"{path}-wal")
        max_wal = max(max_wal, wal.stat().st_size if wal.exists() else 0)

    async with open_store(settings) as store:
        for k in range(KEYS):
            await store.create(f"/registry/core/configmaps/ns/k{k:03d}", os.urandom(VALUE))

        async def updater(first: int) -> None:
            nonlocal done
            for n in range(first, UPDATES, WRITERS):
                key = f"/registry/core/configmaps/ns/k{n % KEYS:03d}"
                while True:  # retry when a writer racing on the same key wins
                    current = await store.get(key)
                    assert current is not None
                    try:
                        await store.update(key, os.urandom(VALUE), expected_rev=current.mod_rev)
                        break
                    except RevisionMismatch:
                        continue
                done += 1
                if done % 1000 == 0:
                    sample()

        with trio.fail_after(240):
            async with trio.open_nursery() as nursery:
                for first in range(WRITERS):
                    nursery.start_soon(updater, first)
        assert done == UPDATES
        sample()
        assert store.revision >= KEYS + UPDATES
    assert max_db <= db_bound, f"database grew to {max_db} B (bound {db_bound} B)"
    assert max_wal <= wal_bound, f"WAL grew to {max_wal} B (bound {wal_bound} B)"
    print(f"max database {max_db / 2**20:.1f} MiB (bound {db_bound / 2**20:.1f}), max WAL {max_wal / 2**20:.1f} MiB")
