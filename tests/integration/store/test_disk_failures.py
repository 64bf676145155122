"""What the SQLite store does when the disk is bad: refuse clearly, never "repair", survive a full disk.

* A data file that is not a SQLite database, or a corrupt one, is refused with an error naming
  the path and the cause, and left byte for byte as it was.
* A read-only data directory (a remounted tmpfs) is refused with an error naming it.
* A full disk (a small tmpfs plus a filler file) fails the writes at hand with ``StoreFull`` and
  nothing else: reads keep serving every acknowledged write, later writes fail at once (no
  hang), and once space is freed writes succeed again in the same open store. Nothing is lost
  or half written, whether the disk fills while the WAL grows, while SQLite checkpoints the
  WAL into the database file, or while it grows the ``-shm`` WAL index (which SQLite reports as
  an I/O error, ``SQLITE_IOERR_SHMSIZE``, and the store must still treat as a full disk).
* Opening on a full disk is ``StoreFull`` too, not a fatal "disk I/O error".

The mount tests need root (``mount -t tmpfs``); each unmounts in a ``finally``.
"""

from __future__ import annotations

import itertools
import os
import random
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
import trio

from k3py.store import KeyValue, Store, StoreFull, StoreSettings, StoreUnavailable, open_store
from k3py.store.sql import WAL_AUTOCHECKPOINT_PAGES

pytestmark = pytest.mark.integration

PAGE = 4096  # SQLite's default page size
WAL_FRAME = PAGE + 24
WAL_INDEX_FIRST_FRAMES = 4062  # frames the first 32 KiB of the -shm WAL index covers
VALUE = 1024
PREFIX = "/registry/configmaps/"


# -- helpers ---------------------------------------------------------------------------------------


@contextmanager
def tmpfs(mountpoint: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` at ``mountpoint``, unmounted on the way out whatever happened."""
    if os.geteuid() != 0:
        pytest.fail("needs root to mount a tmpfs (deselect with -m 'not needs_root')")
    mountpoint.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(mountpoint)], check=True)
    try:
        yield mountpoint
    finally:
        if subprocess.run(["umount", str(mountpoint)], check=False).returncode != 0:
            subprocess.run(["umount", "--lazy", str(mountpoint)], check=True)  # busy: detach it anyway
        assert not os.path.ismount(mountpoint)


def remount_read_only(mountpoint: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(mountpoint)], check=True)


def fill(filler: Path, leave: int) -> None:
    """Write ``filler`` until only about ``leave`` bytes are free on its filesystem."""
    st = os.statvfs(filler.parent)
    size = max(0, st.f_bavail * st.f_frsize - leave)
    with filler.open("wb") as f:
        f.write(b"\0" * size)


def resize_filler(filler: Path, leave: int) -> None:
    """Grow or shrink ``filler`` so that exactly ``leave`` bytes (whole pages) stay free."""
    size = filler.stat().st_size if filler.exists() else 0
    target = max(0, size + free_bytes(filler.parent) - leave)
    if target < size:
        os.truncate(filler, target)
    else:
        with filler.open("ab") as f:
            f.write(b"\0" * (target - size))


def sqlite_error_name(error: BaseException) -> str:
    """The SQLite error (``SQLITE_FULL``, ...) a store error was translated from."""
    cause = error.__cause__
    return str(getattr(getattr(cause, "orig", cause), "sqlite_errorname", ""))


def free_bytes(directory: Path) -> int:
    st = os.statvfs(directory)
    return st.f_bavail * st.f_frsize


def wal_frames(db: Path) -> int:
    wal = Path(f"{db}-wal")
    return max(0, (wal.stat().st_size - 32) // WAL_FRAME) if wal.exists() else 0


def integrity(db: Path) -> list[str]:
    with closing(sqlite3.connect(db)) as conn:
        return [row[0] for row in conn.execute("PRAGMA integrity_check")]


async def make_store_db(path: Path, rows: int) -> None:
    """A valid store database in WAL mode with ``rows`` keys, closed cleanly (no ``-wal`` left)."""
    rng = random.Random(1)
    async with open_store(StoreSettings(endpoint=str(path))) as store:
        for i in range(rows):
            await store.create(f"{PREFIX}ns/k{i:05d}", rng.randbytes(VALUE))
    assert not Path(f"{path}-wal").exists()


async def open_fails(path: Path) -> StoreUnavailable:
    with pytest.raises(StoreUnavailable) as info:
        async with open_store(StoreSettings(endpoint=str(path))):
            pass
    assert info.value.path == str(path)
    assert str(path) in str(info.value)
    return info.value


# -- files that are not (sound) SQLite databases ---------------------------------------------------


async def test_sqlite_store_random_bytes_file_refused_untouched(tmp_path: Path) -> None:
    """A data file of random bytes is refused as "not a SQLite database" and left byte-identical."""
    path = tmp_path / "data" / "state.db"
    path.parent.mkdir()
    content = random.Random(7).randbytes(64 * 1024)
    path.write_bytes(content)
    error = await open_fails(path)
    assert "not a SQLite database" in str(error)
    assert path.read_bytes() == content
    assert sorted(p.name for p in path.parent.iterdir()) == ["state.db"]


async def test_sqlite_store_corrupt_database_refused_untouched(tmp_path: Path) -> None:
    """A database whose pages were partly overwritten is refused as "corrupt" and left byte-identical."""
    path = tmp_path / "data" / "state.db"
    await make_store_db(path, rows=300)
    damaged = bytearray(path.read_bytes())
    rng = random.Random(11)
    for page in range(1, len(damaged) // PAGE, 3):  # page 1 (header and schema) stays whole
        offset = page * PAGE + rng.randrange(PAGE // 2)
        damaged[offset : offset + PAGE // 2] = rng.randbytes(PAGE // 2)
    path.write_bytes(damaged)
    error = await open_fails(path)
    assert "corrupt" in str(error)
    assert error.fatal
    assert path.read_bytes() == damaged


# -- read-only mounts ------------------------------------------------------------------------------


@pytest.mark.needs_root
async def test_sqlite_store_read_only_data_dir_refused_naming_path(tmp_path: Path) -> None:
    """An existing database on a filesystem remounted read-only is refused, saying read-only."""
    with tmpfs(tmp_path / "mnt", "4m") as mnt:
        path = mnt / "data" / "state.db"
        await make_store_db(path, rows=10)
        content = path.read_bytes()
        remount_read_only(mnt)
        error = await open_fails(path)
        assert "read-only" in str(error).lower()
        assert path.read_bytes() == content


@pytest.mark.needs_root
async def test_sqlite_store_missing_dir_on_read_only_mount_refused_naming_dir(tmp_path: Path) -> None:
    """A data directory that does not exist and cannot be made on a read-only mount is named in the error."""
    with tmpfs(tmp_path / "mnt", "1m") as mnt:
        remount_read_only(mnt)
        path = mnt / "var" / "lib" / "k3py" / "state.db"
        error = await open_fails(path)
        assert f"data directory {mnt / 'var' / 'lib' / 'k3py'}" in str(error)
        assert "read-only" in str(error).lower()
        assert not (mnt / "var").exists()


# -- a full disk -----------------------------------------------------------------------------------


class Writes:
    """Writes to the store, remembering every acknowledged one (the newest per key)."""

    def __init__(self, store: Store, db: Path) -> None:
        self.store = store
        self.db = db
        self.acked: dict[str, KeyValue] = {}
        self.rng = random.Random(3)
        self.names = itertools.count()
        self.failures: list[StoreFull] = []

    def value(self) -> bytes:
        return self.rng.randbytes(VALUE)

    async def create(self, group: str) -> KeyValue:
        key = f"{PREFIX}{group}/k{next(self.names):06d}"
        kv = await self.store.create(key, self.value())
        self.acked[key] = kv
        return kv

    async def update(self, key: str) -> KeyValue:
        kv = await self.store.update(key, self.value(), expected_rev=self.acked[key].mod_rev)
        self.acked[key] = kv
        return kv

    async def until_full(self, updated: list[str]) -> None:
        """Two creators and one updater per key in ``updated``, concurrently, each until StoreFull."""

        async def creator() -> None:
            while True:
                try:
                    await self.create("full")
                except StoreFull as exc:
                    self.failures.append(exc)
                    return

        async def updater(key: str) -> None:
            while True:
                try:
                    await self.update(key)
                except StoreFull as exc:
                    self.failures.append(exc)
                    return

        with trio.fail_after(60):
            async with trio.open_nursery() as nursery:
                for _ in range(2):
                    nursery.start_soon(creator)
                for key in updated:
                    nursery.start_soon(updater, key)

    async def assert_reads_serve_acked(self) -> None:
        for key, kv in self.acked.items():
            assert await self.store.get(key) == kv
        listed = await self.store.list(PREFIX)
        assert {kv.key: kv for kv in listed.items} == self.acked
        assert self.store.revision == max(kv.mod_rev for kv in self.acked.values())

    def assert_full_error(self, error: StoreFull) -> None:
        assert error.path == str(self.db)
        assert str(self.db) in str(error)
        assert "no space" in str(error)
        assert not error.fatal


@pytest.mark.needs_root
@pytest.mark.parametrize("phase", ["wal-growth", "checkpoint"])
async def test_sqlite_store_full_disk_fails_writes_then_recovers_without_reopen(tmp_path: Path, phase: str) -> None:
    """A full disk fails writes with StoreFull only; reads go on, and writes resume once space is freed."""
    with tmpfs(tmp_path / "mnt", "8m") as mnt:
        db = mnt / "data" / "state.db"
        filler = mnt / "filler"
        async with open_store(StoreSettings(endpoint=str(db))) as store:
            writes = Writes(store, db)
            updated = [(await writes.create("cas")).key for _ in range(2)]
            if phase == "checkpoint":
                # Grow the WAL to just below the autocheckpoint threshold, then leave only enough
                # room for the WAL frames that cross it: the checkpoint has to grow the database
                # file and runs out of space there.
                while wal_frames(db) < WAL_AUTOCHECKPOINT_PAGES - 25:
                    await writes.create("wal")
                db_size = db.stat().st_size
                fill(filler, leave=40 * WAL_FRAME)
            else:
                assert wal_frames(db) < WAL_AUTOCHECKPOINT_PAGES // 4
                fill(filler, leave=60 * WAL_FRAME)
            before = len(writes.acked)

            await writes.until_full(updated)
            assert len(writes.acked) > before, "no write succeeded before the disk was full"
            for error in writes.failures:
                writes.assert_full_error(error)
            if phase == "checkpoint":
                # The commit that crossed the threshold was acknowledged, so SQLite ran (and
                # failed) a checkpoint: it wrote into the database file until the space ran out.
                assert wal_frames(db) >= WAL_AUTOCHECKPOINT_PAGES
                assert db.stat().st_size > db_size
            assert free_bytes(mnt) < WAL_FRAME

            # Reads serve exactly the acknowledged writes: the failed ones left nothing behind.
            await writes.assert_reads_serve_acked()

            # More writes keep failing, promptly. (A failed group commit may leave WAL space
            # allocated that a smaller single write fits in: first fill that up.)
            with trio.fail_after(30):
                while True:
                    try:
                        await writes.create("drain")
                    except StoreFull:
                        break
            for _ in range(3):
                with trio.fail_after(10):
                    with pytest.raises(StoreFull) as info:
                        await writes.create("more")
                    writes.assert_full_error(info.value)
                    with pytest.raises(StoreFull) as info:
                        await writes.update(updated[0])
                    writes.assert_full_error(info.value)
            await writes.assert_reads_serve_acked()

            # Free the space: the same open store writes again.
            filler.unlink()
            with trio.fail_after(30):
                for _ in range(20):
                    await writes.create("after")
                    for key in updated:
                        await writes.update(key)
            await writes.assert_reads_serve_acked()
            if phase == "checkpoint":
                # and the checkpoint went through: the data is in the database file now
                assert db.stat().st_size >= len(writes.acked) * VALUE

        assert integrity(db) == ["ok"]
        async with open_store(StoreSettings(endpoint=str(db))) as store:
            reopened = Writes(store, db)
            reopened.acked = writes.acked
            await reopened.assert_reads_serve_acked()
        assert integrity(db) == ["ok"]


@pytest.mark.needs_root
async def test_sqlite_store_open_on_full_disk_raises_store_full(tmp_path: Path) -> None:
    """Opening a cleanly closed database on a full disk is StoreFull ("no space"), not an I/O error."""
    with tmpfs(tmp_path / "mnt", "4m") as mnt:
        db = mnt / "data" / "state.db"
        await make_store_db(db, rows=20)
        content = db.read_bytes()
        filler = mnt / "filler"
        fill(filler, leave=0)
        # SQLite must create the -shm WAL index, which reports ENOSPC as SQLITE_IOERR_SHMSIZE.
        error = await open_fails(db)
        assert isinstance(error, StoreFull), error
        assert "no space" in str(error)
        assert not error.fatal
        assert db.read_bytes() == content

        filler.unlink()
        async with open_store(StoreSettings(endpoint=str(db))) as store:
            assert len((await store.list(PREFIX)).items) == 20
        assert integrity(db) == ["ok"]


@pytest.mark.needs_root
async def test_sqlite_store_full_disk_while_wal_index_grows_is_store_full_not_fatal(tmp_path: Path) -> None:
    """ENOSPC while SQLite grows the -shm WAL index fails the write with StoreFull; the store goes on."""
    with tmpfs(tmp_path / "mnt", "48m") as mnt:
        db = mnt / "data" / "state.db"
        filler = mnt / "filler"
        shm = Path(f"{db}-shm")
        async with open_store(StoreSettings(endpoint=str(db))) as store:
            writes = Writes(store, db)
            await writes.create("first")
            # A reader holding a snapshot (a backup tool, say) keeps the WAL from being reset, so
            # it grows past the frames that the first 32 KiB of the WAL index covers.
            with closing(sqlite3.connect(db, isolation_level=None)) as reader:
                reader.execute("BEGIN")
                reader.execute("SELECT count(*) FROM k3py_log").fetchall()
                with trio.fail_after(60):
                    while wal_frames(db) < WAL_INDEX_FIRST_FRAMES - 8:
                        await writes.create("wal")
                index_size = shm.stat().st_size
                # Leave room for the WAL frames of the write that crosses over, but not for the
                # 32 KiB more of WAL index it needs (a smaller room fails on the frames: widen it).
                room = 4 * PAGE
                error: StoreFull | None = None
                with trio.fail_after(60):
                    while error is None or sqlite_error_name(error) != "SQLITE_IOERR_SHMSIZE":
                        resize_filler(filler, leave=room)
                        error = None
                        try:
                            await writes.create("grow")
                        except StoreFull as exc:
                            error = exc
                        if error is None:
                            assert shm.stat().st_size == index_size, "the WAL index grew: could not fill the disk there"
                        elif sqlite_error_name(error) == "SQLITE_FULL":
                            room += PAGE  # the frames did not fit
                        else:
                            assert sqlite_error_name(error) == "SQLITE_IOERR_SHMSIZE", error
                writes.assert_full_error(error)
                assert wal_frames(db) > WAL_INDEX_FIRST_FRAMES
                await writes.assert_reads_serve_acked()
                with trio.fail_after(10), pytest.raises(StoreFull):
                    await writes.create("more")

                filler.unlink()
                with trio.fail_after(30):
                    for _ in range(20):
                        await writes.create("after")
                assert shm.stat().st_size > index_size
                await writes.assert_reads_serve_acked()
        assert integrity(db) == ["ok"]
        async with open_store(StoreSettings(endpoint=str(db))) as store:
            reopened = Writes(store, db)
            reopened.acked = writes.acked
            await reopened.assert_reads_serve_acked()
