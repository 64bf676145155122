"""kill -9 of a process writing in a loop loses no acknowledged write and leaves no half write.

``crash_writer.py`` writes to a SQLite store with several concurrent tasks (creates of new keys,
compare-and-swap updates of a few shared keys) and prints a line for every acknowledged write.
This test SIGKILLs it at a random moment, 20 times on the same database file, and after each
kill checks the files as a crash left them, with plain ``sqlite3`` and by reopening the store:

* every acknowledged write is there (a create's key exists at that revision or later; an
  acknowledged update's revision is in the history with that very value, and the key is at that
  revision or later);
* nothing is half there: every stored row (``k3py_log``, where a key's newest row is its value)
  passes its checksum, and each shared key's history counts up by one per update with no gap and
  no repeat;
* ``PRAGMA integrity_check`` is ok;
* revisions only go up: every write after a restart gets a revision above everything stored or
  acknowledged before it.

The random seed is printed (``-s`` or a failure shows it); set ``K3PY_CRASH_SEED`` to replay.
"""

from __future__ import annotations

import importlib.util
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import trio

from k3py.store import StoreSettings, open_store

pytestmark = pytest.mark.integration

ROUNDS = 20
CHILD = Path(__file__).with_name("crash_writer.py")
_spec = importlib.util.spec_from_file_location("k3py_crash_writer", CHILD)
assert _spec is not None and _spec.loader is not None
crash_writer: Any = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(crash_writer)

CREATE, UPDATE = 1, 2
_OPS = {"create": CREATE, "update": UPDATE}


@dataclass(frozen=True, slots=True)
class Ack:
    op: str
    key: str
    rev: int
    counter: int
    digest: str


@dataclass(slots=True)
class RoundOutput:
    open_rev: int | None = None
    acks: list[Ack] = field(default_factory=list)
    got_acks: trio.Event = field(default_factory=trio.Event)
    wanted: int = 0


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The database as plain ``sqlite3`` reads it."""

    kv: dict[str, tuple[int, int]]  # key -> (create_rev, mod_rev); the value is the log row at mod_rev
    log: list[tuple[int, str, int, int, bytes]]  # (rev, key, type, create_rev, value), by rev
    meta: dict[str, int]

    def current(self) -> dict[str, tuple[int, int, bytes]]:
        """key -> (create_rev, mod_rev, value), the value read from the log row at mod_rev."""
        values = {rev: value for rev, _, _, _, value in self.log}
        return {key: (create_rev, mod_rev, values[mod_rev]) for key, (create_rev, mod_rev) in self.kv.items()}

    @property
    def max_rev(self) -> int:
        return self.log[-1][0] if self.log else 0


def copy_database(src: Path, dst: Path) -> Path:
    """Copy the database and its WAL as the crash left them (the ``-shm`` index is rebuilt)."""
    dst.mkdir()
    for suffix in ("", "-wal"):
        if Path(f"{src}{suffix}").exists():
            shutil.copyfile(f"{src}{suffix}", dst / f"{src.name}{suffix}")
    return dst / src.name


def read_raw(path: Path) -> Snapshot:
    """Recover and read the database with plain sqlite3, asserting ``PRAGMA integrity_check``."""
    conn = sqlite3.connect(path)
    try:
        check = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        assert check == ["ok"], f"integrity_check: {check[:5]}"
        log = [
            (rev, key, typ, create_rev, bytes(value))
            for rev, key, typ, create_rev, value in conn.execute(
                "SELECT rev, key, type, create_rev, value FROM k3py_log ORDER BY rev"
            )
        ]
        kv: dict[str, tuple[int, int]] = {}
        for rev, key, typ, create_rev, _ in log:  # a key's newest row is its value, unless a delete
            if typ == 3:
                kv.pop(key, None)
            else:
                kv[key] = (create_rev, rev)
        meta = dict(conn.execute("SELECT name, value FROM k3py_meta").fetchall())
    finally:
        conn.close()
    return Snapshot(kv, log, meta)


def check_consistent(snap: Snapshot) -> None:
    """No half writes: values are whole, each key's history is whole, shared keys count up without gaps."""
    assert snap.meta.get("compacted", 0) == 0, "no compaction was expected in this test"
    by_key: dict[str, list[tuple[int, int, int, bytes]]] = {}
    for rev, key, typ, create_rev, value in snap.log:
        value_key, _counter = crash_writer.parse_value(value)  # raises on a damaged value
        assert value_key == key, f"rev {rev}: the value of {value_key} is stored under {key}"
        by_key.setdefault(key, []).append((rev, typ, create_rev, value))
    assert set(snap.kv) == set(by_key), (
        f"keys only in kv: {sorted(set(snap.kv) - set(by_key))[:5]}, "
        f"keys only in the log: {sorted(set(by_key) - set(snap.kv))[:5]}"
    )
    for key, rows in by_key.items():
        first_rev, first_type, first_create, _ = rows[0]
        assert first_type == CREATE and first_create == first_rev, f"{key}: history starts with {rows[0][:3]}"
        for n, (rev, typ, create_rev, value) in enumerate(rows):
            assert n == 0 or typ == UPDATE, f"{key}: a second create at rev {rev}"
            assert create_rev == first_rev, f"{key} rev {rev}: create_rev {create_rev}, created at {first_rev}"
            assert crash_writer.parse_value(value)[1] == n, f"{key} rev {rev}: counter is not {n} (lost/doubled update)"
        # The kv row points at the key's newest log row (which holds the current value).
        assert snap.kv[key] == (first_rev, rows[-1][0]), (
            f"{key}: kv row (create_rev, mod_rev) {snap.kv[key]} does not match its history "
            f"(created {first_rev}, last written {rows[-1][0]})"
        )


def check_acks(snap: Snapshot, acks: list[Ack]) -> None:
    """Every acknowledged write is durable, with its value."""
    log = {rev: (key, typ, value) for rev, key, typ, _, value in snap.log}
    for ack in acks:
        assert ack.key in snap.kv, f"acknowledged {ack} is lost: the key is missing"
        _, mod_rev = snap.kv[ack.key]
        assert mod_rev >= ack.rev, f"acknowledged {ack} is lost: the key is back at revision {mod_rev}"
        assert ack.rev in log, f"acknowledged {ack} is lost: no history row at its revision"
        key, typ, value = log[ack.rev]
        assert (key, typ) == (ack.key, _OPS[ack.op]), f"acknowledged {ack}: history has {key} type {typ}"
        assert crash_writer.digest(value) == ack.digest, f"acknowledged {ack}: the stored value differs"


async def check_with_store(path: Path, snap: Snapshot) -> None:
    """Reopened, the store serves exactly what sqlite3 read, at the newest stored revision."""
    async with open_store(StoreSettings(endpoint=str(path), max_revisions=10**9, max_age=10.0**9)) as store:
        assert store.revision == snap.max_rev
        listed = await store.list(crash_writer.PREFIX)
        assert listed.revision == snap.max_rev
        got = {kv.key: (kv.create_rev, kv.mod_rev, kv.value) for kv in listed.items}
        assert got == snap.current()
        for key in crash_writer.SHARED_KEYS:
            kv = await store.get(key)
            assert (kv is None and key not in snap.kv) or (kv is not None and kv.mod_rev == snap.kv[key][1])


async def run_and_kill(db: Path, round_no: int, rng: random.Random, stderr_path: Path) -> RoundOutput:
    """Start the writer, let it acknowledge some writes, SIGKILL it at a random moment."""
    out = RoundOutput(wanted=rng.choice([0, rng.randint(1, 20), rng.randint(20, 400)]))
    delay = rng.uniform(0.0, 0.15)
    argv = [sys.executable, str(CHILD), str(db), str(round_no), str(rng.getrandbits(32))]
    with stderr_path.open("wb") as stderr:
        proc = await trio.lowlevel.open_process(argv, stdout=subprocess.PIPE, stderr=stderr)
    assert proc.stdout is not None
    try:

        async def read_lines() -> None:
            assert proc.stdout is not None
            buf = b""
            async for chunk in proc.stdout:
                buf += chunk
                *lines, buf = buf.split(b"\n")
                for line in lines:
                    word, *rest = line.decode().split()
                    if word == "open":
                        out.open_rev = int(rest[0])
                    else:
                        assert word == "ack", line
                        op, key, rev, counter, dig = rest
                        out.acks.append(Ack(op, key, int(rev), int(counter), dig))
                    if out.open_rev is not None and len(out.acks) >= out.wanted:
                        out.got_acks.set()
            # A partial last line (if any) was never acknowledged as a whole: ignore it.

        async with trio.open_nursery() as nursery:
            nursery.start_soon(read_lines)
            with trio.move_on_after(20) as waiting:
                async with trio.open_nursery() as watch:

                    async def exited() -> None:
                        await proc.wait()
                        watch.cancel_scope.cancel()

                    watch.start_soon(exited)
                    await out.got_acks.wait()
                    watch.cancel_scope.cancel()
            if proc.returncode is not None or waiting.cancelled_caught:
                rc = proc.returncode
                proc.kill()
                await proc.wait()
                pytest.fail(
                    f"round {round_no}: the writer {'hung' if rc is None else 'exited'} "
                    f"(rc {rc}, {len(out.acks)} acks); stderr:\n{stderr_path.read_text()[-3000:]}"
                )
            await trio.sleep(delay)
            proc.send_signal(signal.SIGKILL)
            await proc.wait()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode == -signal.SIGKILL, stderr_path.read_text()[-3000:]
    return out


@pytest.mark.slow
async def test_sqlite_store_kill9_during_writes_loses_no_acknowledged_write(tmp_path: Path) -> None:
    """20 SIGKILLs of a busy writer keep every acked write, no half write, and rising revisions."""
    seed = int(os.environ.get("K3PY_CRASH_SEED", random.SystemRandom().randrange(2**32)))
    print(f"crash test seed: {seed} (K3PY_CRASH_SEED={seed} replays the kill moments)")
    rng = random.Random(seed)
    db = tmp_path / "data" / "state.db"
    acked: list[Ack] = []
    max_acked = stored = 0
    totals = {"acks": 0, "unacked": 0}
    for round_no in range(ROUNDS):
        context = f"seed {seed}, round {round_no}"
        out = await run_and_kill(db, round_no, rng, tmp_path / f"stderr-{round_no}.txt")
        assert out.open_rev == stored, f"{context}: reopened at revision {out.open_rev}, {stored} is stored"
        if out.acks:
            first = min(ack.rev for ack in out.acks)
            assert first > max(max_acked, stored), (
                f"{context}: a write after the restart got revision {first}, "
                f"but revision {max(max_acked, stored)} was stored or acknowledged before"
            )
        acked.extend(out.acks)
        max_acked = max([max_acked, *(ack.rev for ack in out.acks)])

        raw = read_raw(copy_database(db, tmp_path / f"raw-{round_no}"))
        try:
            check_consistent(raw)
            check_acks(raw, acked)
        except AssertionError as exc:
            raise AssertionError(f"{context}: {exc}") from exc
        await check_with_store(copy_database(db, tmp_path / f"store-{round_no}"), raw)
        acked_revs = {ack.rev for ack in acked}
        totals["acks"] = len(acked_revs)
        totals["unacked"] = sum(1 for row in raw.log if row[0] not in acked_revs)
        stored = raw.max_rev
        shutil.rmtree(tmp_path / f"raw-{round_no}")
        shutil.rmtree(tmp_path / f"store-{round_no}")

    # Finally the original files, recovered in place by the store itself.
    await check_with_store(db, raw)
    final = read_raw(db)
    assert final == raw
    print(
        f"{ROUNDS} kills, {totals['acks']} acknowledged writes, {totals['unacked']} durable but unacknowledged, "
        f"last revision {stored}, database {db.stat().st_size / 2**20:.1f} MiB"
    )
