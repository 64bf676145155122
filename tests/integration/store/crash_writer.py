"""Child process of ``test_crash.py``: writes to a SQLite store in a loop until it is killed.

Usage: ``python crash_writer.py DB_PATH ROUND SEED``

Several trio tasks create new keys and several others compare-and-swap a few shared keys, as
fast as the store answers. Every value is ``key|counter|filler|sha256(key|counter|filler)``, so
any stored value can be checked on its own, and the counter of a shared key goes up by one per
update (a gap or a repeat in the stored history would be a lost or doubled write).

Output, one line per event on stdout, each written with one ``write(2)`` right away:

* ``open REVISION`` once the store is open (its revision after recovery);
* ``ack OP KEY REVISION COUNTER DIGEST`` after a write was *acknowledged*, i.e. after the store
  call returned: ``OP`` is ``create`` or ``update``, ``DIGEST`` the sha256 of the whole value.

The process never exits on its own; the parent SIGKILLs it.
"""

from __future__ import annotations

import hashlib
import os
import random
import sys

import trio

from k3py.store import KeyValue, RevisionMismatch, StoreSettings, open_store

PREFIX = "/registry/crash/"
SHARED_KEYS = [f"{PREFIX}shared/s{j}" for j in range(3)]
CREATORS = 4
UPDATERS = 4
MAX_FILLER = 3000  # value sizes vary up to ~6 KiB, so the WAL reaches a checkpoint now and then


def make_value(key: str, counter: int, rng: random.Random) -> bytes:
    """A self-checking value for ``key`` at ``counter``."""
    filler = rng.randbytes(rng.randrange(8, MAX_FILLER)).hex()
    body = f"{key}|{counter}|{filler}".encode()
    return body + b"|" + hashlib.sha256(body).hexdigest().encode()


def parse_value(value: bytes) -> tuple[str, int]:
    """``(key, counter)`` of a value made by :func:`make_value`; ``ValueError`` if it is damaged."""
    body, _, checksum = value.rpartition(b"|")
    if hashlib.sha256(body).hexdigest().encode() != checksum:
        raise ValueError(f"bad checksum in value {value[:80]!r}...")
    key, counter, _filler = body.decode().rsplit("|", 2)
    return key, int(counter)


def digest(value: bytes) -> str:
    return hashlib.sha256(value).hexdigest()


def emit(line: str) -> None:
    """Write one whole line at once: a pipe write under PIPE_BUF bytes is atomic."""
    data = (line + "\n").encode()
    assert len(data) < 4096
    os.write(1, data)


def ack(op: str, kv: KeyValue) -> None:
    _key, counter = parse_value(kv.value)
    emit(f"ack {op} {kv.key} {kv.mod_rev} {counter} {digest(kv.value)}")


async def main(path: str, round_no: int, seed: int) -> None:
    rng = random.Random(seed)
    # No compaction and no age eviction: the parent checks the whole history against the acks.
    settings = StoreSettings(endpoint=path, max_revisions=10**9, max_age=10.0**9)
    async with open_store(settings) as store:
        emit(f"open {store.revision}")
        for key in SHARED_KEYS:
            if await store.get(key) is None:
                ack("create", await store.create(key, make_value(key, 0, rng)))

        async def creator(task: int) -> None:
            for i in range(10**9):
                key = f"{PREFIX}r{round_no:02d}/c{task}/k{i:06d}"
                ack("create", await store.create(key, make_value(key, 0, rng)))

        async def updater() -> None:
            while True:
                key = rng.choice(SHARED_KEYS)
                current = await store.get(key)
                assert current is not None
                _key, counter = parse_value(current.value)
                try:
                    kv = await store.update(key, make_value(key, counter + 1, rng), expected_rev=current.mod_rev)
                except RevisionMismatch:
                    continue  # another updater won this round of the race
                ack("update", kv)

        async with trio.open_nursery() as nursery:
            for task in range(CREATORS):
                nursery.start_soon(creator, task)
            for _ in range(UPDATERS):
                nursery.start_soon(updater)


if __name__ == "__main__":
    trio.run(main, sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
