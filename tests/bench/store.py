#!/usr/bin/env python3
"""Benchmark of k3py's datastore on SQLite, reported as ratios to anchors measured in the same run.

Usage::

    .venv/bin/python tests/bench/store.py [--quick] [--dir DIR] [--out FILE]

What it measures (all values 1 KiB, durable: WAL + ``synchronous=FULL``, which is what the store
does), in a temp dir under ``--dir`` (default ``/var/tmp/k3py-bench``):

* (a) create, update and get with 1 and with 16 concurrent writers (trio tasks in this process):
  ops/s and p50/p99 latency;
* (b) list of a 1,000-key prefix: lists/s and ms per list;
* (c) watch latency: paced updates (50/s) from one task, latency from the start of the write call
  (and from its return) to the event arriving on a watch in another task;
* (d) idle write volume: a separate subprocess (so ``/proc/<pid>/io`` counts only it) opens an idle
  store in its own data dir and renews a kubelet-like node Lease every 10 s with compare-and-swap;
  after a warm-up it samples ``write_bytes`` and the data dir's file sizes over a window and
  extrapolates to bytes per hour. It starts first and runs in parallel with everything else.

In the same run it calls the anchors (``shared/bench/anchors_datastore.py``, located as
``<repo>/../shared/bench`` or via ``K3PY_SHARED_DIR``) on the same ``--dir``, interleaved as
anchor(sqlite) → k3py → anchor(all) → k3py → anchor(sqlite), and divides by their medians.

Progress goes to stderr; the last line of stdout is one JSON object. ``--quick`` finishes within
60 s. This is not a pytest test and not part of the timed suite.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import importlib
import json
import math
import os
import platform
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import trio

from k3py.store import RevisionMismatch, StoreSettings, open_store

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterable, Sequence

    from k3py.store import Store

SCHEMA = "k3py-bench-store/1"
VALUE_SIZE = 1024
MIB = 1024 * 1024
DEFAULT_DIR = "/var/tmp/k3py-bench"
LEASE_KEY = "/registry/coordination.k8s.io/leases/kube-node-lease/bench-node"
WRITERS = 16

# Ratio name -> (k3py headline key, anchor headline key, "higher" or "lower" is better).
RATIO_SPECS: dict[str, tuple[str, str, str]] = {
    "create_16_vs_sqlite_group_commit": ("create_16_per_s", "sqlite_group100_full_rows_per_s", "higher"),
    "create_16_vs_etcd": ("create_16_per_s", "etcd_put_16c_per_s", "higher"),
    "create_1_vs_sqlite_commit_full": ("create_1_per_s", "sqlite_commit_full_per_s", "higher"),
    "create_1_vs_etcd": ("create_1_per_s", "etcd_put_1c_per_s", "higher"),
    "create_1_vs_kine_full": ("create_1_per_s", "kine_create_full_per_s", "higher"),
    "watch_p99_vs_kine": ("watch_p99_ms", "kine_watch_notify_p99_ms", "lower"),
    "watch_p99_vs_kine_poll1s": ("watch_p99_ms", "kine_watch_poll1s_p99_ms", "lower"),
    "watch_p99_vs_etcd": ("watch_p99_ms", "etcd_watch_p99_ms", "lower"),
    # Like for like: a watch event waits for one durable commit, so its floor is the fsync'd commit.
    "watch_p99_vs_sqlite_commit_full_p99": ("watch_p99_ms", "sqlite_commit_full_p99_ms", "lower"),
    # Like for like: 16 writers with one write in flight each make group commits of at most 16
    # rows, so this (the anchor's group-commit loop run here with 16 rows per COMMIT) is the
    # physical limit of the 16-writer create rate; group100 amortizes one fsync over 100 rows.
    "create_16_vs_sqlite_group16": ("create_16_per_s", "sqlite_group16_full_rows_per_s", "higher"),
}

# Goal name -> (ratio or figure, comparison, threshold).
GOALS: dict[str, tuple[str, str, float]] = {
    "create_16_vs_sqlite_group_commit_ge_0_5": ("create_16_vs_sqlite_group_commit", ">=", 0.5),
    "create_16_vs_etcd_ge_1": ("create_16_vs_etcd", ">=", 1.0),
    "watch_p99_ms_lt_5": ("watch_p99_ms", "<", 5.0),
    "idle_write_bytes_per_hour_lt_1mib": ("idle_write_bytes_per_hour", "<", float(MIB)),
}


def log(*parts: object) -> None:
    print("[bench-store]", *parts, file=sys.stderr, flush=True)


# -- pure helpers (unit-tested) ----------------------------------------------------------------


def percentile(sorted_values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile of an already sorted sequence (the anchors' definition)."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(q / 100.0 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def lat_summary(latencies_s: Iterable[float]) -> dict[str, Any]:
    """Latencies in seconds -> ``{n, p50_ms, p90_ms, p99_ms, max_ms, mean_ms}`` (as the anchors)."""
    v = sorted(latencies_s)
    if not v:
        return {"n": 0}

    def ms(x: float | None) -> float | None:
        return None if x is None else round(x * 1000.0, 4)

    return {
        "n": len(v),
        "p50_ms": ms(percentile(v, 50)),
        "p90_ms": ms(percentile(v, 90)),
        "p99_ms": ms(percentile(v, 99)),
        "max_ms": ms(v[-1]),
        "mean_ms": ms(sum(v) / len(v)),
    }


def ratio(numerator: float | None, denominator: float | None, digits: int = 4) -> float | None:
    """``numerator / denominator``, or None when either is missing or the denominator is not > 0."""
    if numerator is None or denominator is None or denominator <= 0:
        return None
    return round(numerator / denominator, digits)


def median_or_none(values: Iterable[float | None], digits: int = 4) -> float | None:
    present = [v for v in values if v is not None]
    return round(statistics.median(present), digits) if present else None


def merge_headlines(headlines: Sequence[dict[str, float]]) -> dict[str, float]:
    """Per key, the median over the runs that reported it."""
    keys: dict[str, None] = {}
    for h in headlines:
        keys.update(dict.fromkeys(h))
    merged: dict[str, float] = {}
    for key in keys:
        value = median_or_none(h.get(key) for h in headlines)
        if value is not None:
            merged[key] = value
    return merged


def per_hour(amount: float, seconds: float) -> float | None:
    """Extrapolate ``amount`` seen over ``seconds`` to one hour."""
    if seconds <= 0:
        return None
    return round(amount * 3600.0 / seconds, 1)


def compute_ratios(
    k3py: dict[str, float | None], anchors: dict[str, float], anchor_errors: dict[str, str]
) -> tuple[dict[str, float | None], dict[str, str]]:
    """The report's ratios and, for each ratio that is None, why."""
    ratios: dict[str, float | None] = {}
    notes: dict[str, str] = {}
    for name, (mine, theirs, _better) in RATIO_SPECS.items():
        value = ratio(k3py.get(mine), anchors.get(theirs))
        ratios[name] = value
        if value is None:
            if k3py.get(mine) is None:
                notes[name] = f"k3py figure {mine} is missing"
            else:
                section = theirs.split("_", 1)[0]
                error = anchor_errors.get(section) or anchor_errors.get("import")
                why = f": {error}" if error else ""
                notes[name] = f"anchor figure {theirs} is missing{why}"
    ratios["watch_p99_ms"] = k3py.get("watch_p99_ms")
    ratios["idle_write_bytes_per_hour"] = k3py.get("idle_write_bytes_per_hour")
    for name in ("watch_p99_ms", "idle_write_bytes_per_hour"):
        if ratios[name] is None:
            notes[name] = "not measured (see errors)"
    return ratios, notes


def check_goals(ratios: dict[str, float | None]) -> dict[str, bool | None]:
    """Each goal as a boolean, or None when its figure is missing."""
    out: dict[str, bool | None] = {}
    for name, (figure, op, threshold) in GOALS.items():
        value = ratios.get(figure)
        if value is None:
            out[name] = None
        elif op == ">=":
            out[name] = value >= threshold
        else:
            out[name] = value < threshold
    return out


def parse_proc_io(text: str) -> dict[str, int]:
    """The ``key: value`` lines of ``/proc/<pid>/io``."""
    out: dict[str, int] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and value.strip().isdigit():
            out[key.strip()] = int(value)
    return out


# -- configuration -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Config:
    quick: bool
    phase_seconds: float  # per create/update/get phase
    max_ops: int  # per phase
    list_keys: int
    list_seconds: float
    watch_seconds: float
    watch_rate: float
    idle_warmup: float
    idle_window: float
    idle_coalesce: float
    renew_every: float
    interleave: bool

    @classmethod
    def make(cls, quick: bool, interleave: bool = True) -> Config:
        if quick:
            # A 40 s window must fit in 60 s with start-up: renew every 2 s and write every 4 s,
            # which measures about ten flushes; the headline scales bytes per flush to the
            # default interval (an idle store writes nothing between flushes).
            return cls(True, 0.8, 200_000, 1000, 0.8, 2.0, 50.0, 5.0, 40.0, 4.0, 2.0, interleave)
        # The default interval, measured over two whole intervals (the run takes ~4.5 minutes).
        interval = StoreSettings().coalesce_interval
        return cls(False, 3.0, 500_000, 1000, 3.0, 10.0, 50.0, 5.0, 2 * interval + 5.0, interval, 10.0, interleave)


def make_value(tag: int = 0) -> bytes:
    """A 1 KiB value; the first 8 bytes carry ``tag`` (the watch phase's sequence number)."""
    body = bytes((i * 131 + 7) & 0xFF for i in range(VALUE_SIZE - 8))
    return tag.to_bytes(8, "big") + body


# -- (a) create / update / get -------------------------------------------------------------------


async def run_phase(
    tasks: int, op: Callable[[int, int], Awaitable[None]], seconds: float, max_ops: int
) -> tuple[dict[str, Any], list[float]]:
    """``tasks`` trio tasks call ``op(task, i)`` until ``seconds`` pass or ``max_ops`` calls in all."""
    lats: list[float] = []
    count = 0
    pc = time.perf_counter
    start = pc()
    t_end = start + seconds

    async def worker(task: int) -> None:
        nonlocal count
        i = 0
        while count < max_ops:
            t0 = pc()
            if t0 >= t_end:
                return
            count += 1
            await op(task, i)
            lats.append(pc() - t0)
            i += 1

    async with trio.open_nursery() as nursery:
        for t in range(tasks):
            nursery.start_soon(worker, t)
    wall = pc() - start
    return {"tasks": tasks, "ops": len(lats), "wall_s": round(wall, 3), "ops_per_s": ratio(len(lats), wall, 1)}, lats


def commit_counters(store: Store) -> tuple[int, int] | None:
    """``(commits, writes)`` from ``Store.stats()`` when this version of the store has it."""
    stats = getattr(store, "stats", None)
    if stats is None:
        return None
    s = stats()
    return int(s.commits), int(s.writes)


async def measured(store: Store, cfg: Config, tasks: int, op: Callable[[int, int], Awaitable[None]]) -> dict[str, Any]:
    """One phase with its latency summary and the group commits it took (mean batch size)."""
    before = commit_counters(store)
    cpu0 = time.process_time()
    summary, lats = await run_phase(tasks, op, cfg.phase_seconds, cfg.max_ops)
    cpu = time.process_time() - cpu0
    after = commit_counters(store)
    summary["latency"] = lat_summary(lats)
    summary["process_cpu_us_per_op"] = ratio(cpu * 1e6, len(lats), 1)
    if before is not None and after is not None:
        commits, writes = after[0] - before[0], after[1] - before[1]
        summary["commits"] = commits
        summary["mean_batch"] = ratio(writes, commits, 2)
    return summary


async def write_phases(store: Store, cfg: Config, tag: str, with_gets: bool) -> dict[str, Any]:
    value = make_value()
    out: dict[str, Any] = {}
    created: dict[int, dict[int, list[Any]]] = {}  # tasks -> task -> [[key, mod_rev], ...]
    for tasks in (1, WRITERS):
        mine: dict[int, list[Any]] = {t: [] for t in range(tasks)}
        created[tasks] = mine

        async def create(t: int, i: int, tasks: int = tasks, mine: dict[int, list[Any]] = mine) -> None:
            key = f"/registry/bench/{tag}/c{tasks}/{t:02d}/{i:08d}"
            kv = await store.create(key, value)
            mine[t].append([key, kv.mod_rev])

        log(f"k3py[{tag}]: create, {tasks} writer(s)")
        out[f"create_{tasks}"] = await measured(store, cfg, tasks, create)
    for tasks in (1, WRITERS):
        mine = created[tasks]

        async def update(t: int, i: int, mine: dict[int, list[Any]] = mine) -> None:
            slot = mine[t][i % len(mine[t])]
            kv = await store.update(slot[0], value, expected_rev=slot[1])
            slot[1] = kv.mod_rev

        log(f"k3py[{tag}]: update, {tasks} writer(s)")
        out[f"update_{tasks}"] = await measured(store, cfg, tasks, update)
    if with_gets:
        for tasks in (1, WRITERS):
            mine = created[tasks]

            async def get(t: int, i: int, mine: dict[int, list[Any]] = mine) -> None:
                slot = mine[t][i % len(mine[t])]
                if await store.get(slot[0]) is None:
                    raise AssertionError(f"{slot[0]} is missing")

            log(f"k3py[{tag}]: get, {tasks} reader(s)")
            out[f"get_{tasks}"] = await measured(store, cfg, tasks, get)
    return out


# -- (b) list ------------------------------------------------------------------------------------


async def list_phase(store: Store, cfg: Config) -> dict[str, Any]:
    prefix = "/registry/bench/list/"
    value = make_value()
    per_task = math.ceil(cfg.list_keys / WRITERS)

    async def fill(t: int) -> None:
        for i in range(per_task):
            n = t * per_task + i
            if n < cfg.list_keys:
                await store.create(f"{prefix}{n:06d}", value)

    async with trio.open_nursery() as nursery:
        for t in range(WRITERS):
            nursery.start_soon(fill, t)
    log(f"k3py: list of {cfg.list_keys} keys")
    lats: list[float] = []
    pc = time.perf_counter
    start = pc()
    t_end = start + cfg.list_seconds
    n_items = 0
    while len(lats) < cfg.max_ops:
        t0 = pc()
        if t0 >= t_end:
            break
        result = await store.list(prefix)
        lats.append(pc() - t0)
        n_items = len(result.items)
    wall = pc() - start
    if n_items != cfg.list_keys:
        raise AssertionError(f"list returned {n_items} items, expected {cfg.list_keys}")
    return {
        "keys": cfg.list_keys,
        "lists": len(lats),
        "wall_s": round(wall, 3),
        "lists_per_s": ratio(len(lats), wall, 1),
        "ms_per_list": ratio(wall * 1000.0, len(lats), 4),
        "latency": lat_summary(lats),
    }


# -- (c) watch latency ---------------------------------------------------------------------------


async def watch_phase(store: Store, cfg: Config) -> dict[str, Any]:
    """Paced updates of one key; latency from write start (and return) to the event on a watch."""
    key = "/registry/bench/watch/obj"
    kv = await store.create(key, make_value(0))
    n = max(1, min(int(cfg.watch_seconds * cfg.watch_rate), 100_000))
    t_start: dict[int, float] = {}
    t_return: dict[int, float] = {}
    t_event: dict[int, float] = {}
    all_seen = trio.Event()
    log(f"k3py: watch latency ({n} updates at {cfg.watch_rate:g}/s)")
    pc = time.perf_counter
    with store.watch(key, after=kv.mod_rev) as watch:

        async def watcher() -> None:
            async for event in watch:
                seq = int.from_bytes(event.kv.value[:8], "big")
                t_event[seq] = pc()
                if len(t_event) >= n:
                    all_seen.set()
                    return

        async with trio.open_nursery() as nursery:
            nursery.start_soon(watcher)
            base = pc() + 0.05
            for seq in range(1, n + 1):
                delay = base + (seq - 1) / cfg.watch_rate - pc()
                if delay > 0:
                    await trio.sleep(delay)
                t0 = pc()
                kv = await store.update(key, make_value(seq), expected_rev=kv.mod_rev)
                t_return[seq] = pc()
                t_start[seq] = t0
            with trio.move_on_after(5):
                await all_seen.wait()
            nursery.cancel_scope.cancel()
    from_start = [t_event[s] - t for s, t in t_start.items() if s in t_event]
    from_return = [t_event[s] - t for s, t in t_return.items() if s in t_event]
    return {
        "writes": n,
        "write_rate_per_s": cfg.watch_rate,
        "received": len(from_start),
        "latency_from_write_start": lat_summary(from_start),
        "latency_from_write_return": lat_summary(from_return),
        "note": (
            "the event and the write's answer are delivered in the same trio callback after the group "
            "commit (fsync included), so latency from the write returning is ~0 and may be negative"
        ),
    }


async def k3py_round(directory: Path, cfg: Config, tag: str, final: bool) -> dict[str, Any]:
    """One k3py pass on a fresh database: write phases, plus get/list/watch when ``final``."""
    directory.mkdir(parents=True, exist_ok=True)
    settings = StoreSettings(endpoint=str(directory / "state.db"))
    out: dict[str, Any] = {"durability": "SQLite WAL, synchronous=FULL (one fsync per group commit)"}
    t0 = time.perf_counter()
    async with open_store(settings) as store:
        warm = make_value()
        for i in range(20):  # compile SQLAlchemy's statements, fault in the code paths
            await store.create(f"/registry/bench/warmup/{tag}/{i}", warm)
        out.update(await write_phases(store, cfg, tag, with_gets=final))
        if final:
            out["list"] = await list_phase(store, cfg)
            out["watch"] = await watch_phase(store, cfg)
    out["round_wall_s"] = round(time.perf_counter() - t0, 2)
    out["db_files_bytes"] = dir_file_sizes(directory)
    return out


# -- (d) idle write volume: the subprocess --------------------------------------------------------


def lease_object(renew_time: str) -> bytes:
    """A Lease as kubelet keeps it in ``kube-node-lease`` (the apiserver's JSON, ~700 bytes)."""
    obj = {
        "kind": "Lease",
        "apiVersion": "coordination.k8s.io/v1",
        "metadata": {
            "name": "bench-node",
            "namespace": "kube-node-lease",
            "uid": "3c2a8e3e-6d0b-4f3c-9a61-2f1f5b0c9d41",
            "creationTimestamp": "2026-01-01T00:00:00Z",
            "ownerReferences": [
                {
                    "apiVersion": "v1",
                    "kind": "Node",
                    "name": "bench-node",
                    "uid": "a0f5e7b2-1c3d-4e5f-8a9b-0c1d2e3f4a5b",
                }
            ],
            "managedFields": [
                {
                    "manager": "kubelet",
                    "operation": "Update",
                    "apiVersion": "coordination.k8s.io/v1",
                    "time": "2026-01-01T00:00:00Z",
                    "fieldsType": "FieldsV1",
                    "fieldsV1": {
                        "f:metadata": {
                            "f:ownerReferences": {".": {}, 'k:{"uid":"a0f5e7b2-1c3d-4e5f-8a9b-0c1d2e3f4a5b"}': {}}
                        },
                        "f:spec": {"f:holderIdentity": {}, "f:leaseDurationSeconds": {}, "f:renewTime": {}},
                    },
                }
            ],
        },
        "spec": {"holderIdentity": "bench-node", "leaseDurationSeconds": 40, "renewTime": renew_time},
    }
    return json.dumps(obj, separators=(",", ":")).encode()


def micro_time() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def read_proc_io(pid: int | str = "self") -> dict[str, int]:
    with open(f"/proc/{pid}/io") as f:
        return parse_proc_io(f.read())


def dir_file_sizes(directory: Path) -> dict[str, dict[str, int]]:
    """Apparent size and allocated bytes of each file in ``directory``."""
    out: dict[str, dict[str, int]] = {}
    with contextlib.suppress(OSError):
        for entry in sorted(os.scandir(directory), key=lambda e: e.name):
            with contextlib.suppress(OSError):
                st = entry.stat(follow_symlinks=False)
                out[entry.name] = {"size": st.st_size, "allocated": st.st_blocks * 512}
    return out


async def idle_child(
    data_dir: Path, coalesce: float, warmup: float, window: float, renew_every: float
) -> dict[str, Any]:
    """An idle store with one node-lease renewer; ``write_bytes`` of this process over ``window``."""
    data_dir.mkdir(parents=True, exist_ok=True)
    pc = time.perf_counter
    renewals = conflicts = 0
    samples: list[list[float]] = []
    settings = StoreSettings(endpoint=str(data_dir / "state.db"), coalesce_interval=coalesce)
    async with open_store(settings) as store:
        kv = await store.create(LEASE_KEY, lease_object(micro_time()))
        t0 = pc()

        async def renewer() -> None:
            # Like kubelet's lease controller: renew with the last resourceVersion it saw; on a
            # conflict, get the lease and try again. The first renewal comes at once, so the
            # store's one-off revision reservation happens during the warm-up.
            nonlocal kv, renewals, conflicts
            k = 0
            while True:
                current = kv
                try:
                    kv = await store.update(LEASE_KEY, lease_object(micro_time()), expected_rev=current.mod_rev)
                    renewals += 1
                except RevisionMismatch:
                    conflicts += 1
                    got = await store.get(LEASE_KEY)
                    if got is not None:
                        kv = got
                    continue
                k += 1
                await trio.sleep(max(0.0, t0 + k * renew_every - pc()))

        async with trio.open_nursery() as nursery:
            nursery.start_soon(renewer)
            await trio.sleep(max(0.0, t0 + warmup - pc()))
            io0, files0, w0 = read_proc_io(), dir_file_sizes(data_dir), pc()
            renewals0, commits0 = renewals, store.stats().commits
            last = io0["write_bytes"]
            while pc() - w0 < window:
                await trio.sleep(min(1.0, max(0.0, w0 + window - pc())))
                io = read_proc_io()
                if io["write_bytes"] != last:
                    wal = dir_file_sizes(data_dir).get("state.db-wal", {}).get("size", 0)
                    samples.append([round(pc() - w0, 2), io["write_bytes"] - last, wal])
                    last = io["write_bytes"]
            io1, files1, w1 = read_proc_io(), dir_file_sizes(data_dir), pc()
            renewals_in_window = renewals - renewals0
            commits_in_window = store.stats().commits - commits0
            nursery.cancel_scope.cancel()
    seconds = w1 - w0
    # Does this kernel account write_bytes at all? Write and fsync 64 KiB and look.
    probe = data_dir / "io-probe"
    before = read_proc_io()["write_bytes"]
    with open(probe, "wb") as f:
        f.write(b"\0" * 65536)
        f.flush()
        os.fsync(f.fileno())
    probe_delta = read_proc_io()["write_bytes"] - before
    probe.unlink()
    write_bytes = io1["write_bytes"] - io0["write_bytes"]
    growth = {
        name: files1.get(name, {}).get("size", 0) - files0.get(name, {}).get("size", 0)
        for name in sorted(set(files0) | set(files1))
    }
    return {
        "pid": os.getpid(),
        "coalesce_interval_s": coalesce,
        "renew_every_s": renew_every,
        "lease_bytes": len(lease_object(micro_time())),
        "warmup_s": warmup,
        "window_s": round(seconds, 2),
        "renewals_in_window": renewals_in_window,
        "conflicts": conflicts,
        "write_bytes": write_bytes,
        "write_bytes_per_hour": per_hour(write_bytes, seconds),
        "commits_in_window": commits_in_window,
        "write_bytes_per_commit": write_bytes / commits_in_window if commits_in_window else None,
        # What an hour costs at the default interval: one commit per interval, nothing between.
        "write_bytes_per_hour_at_default_interval": (
            write_bytes / commits_in_window * 3600 / StoreSettings().coalesce_interval if commits_in_window else None
        ),
        "wchar": io1["wchar"] - io0["wchar"],
        "syscw": io1["syscw"] - io0["syscw"],
        "cancelled_write_bytes": io1.get("cancelled_write_bytes", 0) - io0.get("cancelled_write_bytes", 0),
        "write_events": samples,
        "write_events_format": "[seconds into window, write_bytes delta, WAL file size]",
        "files_start": files0,
        "files_end": files1,
        "file_size_growth": growth,
        "io_accounting_probe": {"wrote_and_fsynced": 65536, "write_bytes_delta": probe_delta},
    }


def idle_child_main(args: argparse.Namespace) -> int:
    result = trio.run(idle_child, Path(args.idle_child), args.coalesce, args.warmup, args.window, args.renew_every)
    print(json.dumps(result), flush=True)
    return 0


def _pdeathsig() -> None:
    """In the child: get SIGTERM when the parent dies, even by SIGKILL."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def start_idle_child(data_dir: Path, cfg: Config) -> subprocess.Popen[str]:
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--idle-child",
        str(data_dir),
        "--coalesce",
        str(cfg.idle_coalesce),
        "--warmup",
        str(cfg.idle_warmup),
        "--window",
        str(cfg.idle_window),
        "--renew-every",
        str(cfg.renew_every),
    ]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, preexec_fn=_pdeathsig)


def finish_idle_child(proc: subprocess.Popen[str], timeout: float) -> dict[str, Any]:
    try:
        stdout, _ = proc.communicate(timeout=max(1.0, timeout))
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"the idle subprocess did not finish within {timeout:.0f} s") from None
    if proc.returncode != 0:
        raise RuntimeError(f"the idle subprocess exited with status {proc.returncode}")
    lines = [line for line in stdout.splitlines() if line.strip()]
    if not lines:
        raise RuntimeError("the idle subprocess printed nothing")
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def stop_process(proc: subprocess.Popen[str]) -> None:
    """Stop our own child by its PID: SIGTERM, then SIGKILL."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


def idle_sanity(idle: dict[str, Any]) -> dict[str, Any]:
    """Is write_bytes plausible? Compare it with the WAL's growth and the accounting probe."""
    wal_growth = idle["file_size_growth"].get("state.db-wal", 0)
    probe = idle["io_accounting_probe"]["write_bytes_delta"]
    events = len(idle["write_events"])
    per_event = idle["write_bytes"] / events if events else None
    return {
        "write_events_in_window": events,
        "write_bytes_per_event": None if per_event is None else round(per_event),
        # A model, not a measurement: one write event per coalescing interval at the default 60 s.
        "projected_per_hour_at_60s_interval": None if per_event is None else round(per_event * 60),
        "io_accounting_works": probe >= 65536,
        "write_bytes_nonzero": idle["write_bytes"] > 0,
        "wal_growth_bytes": wal_growth,
        "write_bytes_ge_wal_growth": idle["write_bytes"] >= wal_growth,
        "wal_growth_per_hour": per_hour(wal_growth, idle["window_s"]),
        "note": (
            "write_bytes counts page-cache dirtying by this process (WAL frames, checkpoints into the db, "
            "the mmap'd -shm index); ext4 journal writes by jbd2 are not attributed to it. A WAL that "
            "restarted after a checkpoint shows less growth than was written."
        ),
    }


# -- anchors -------------------------------------------------------------------------------------


def shared_bench_dir() -> Path:
    env = os.environ.get("K3PY_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2].parent / "shared" / "bench"


def load_anchors() -> Any:
    directory = str(shared_bench_dir())
    if directory not in sys.path:
        sys.path.insert(0, directory)
    return importlib.import_module("anchors_datastore")


def run_anchor(module: Any, quick: bool, directory: Path, skip: tuple[str, ...]) -> dict[str, Any]:
    which = ", ".join(s for s in ("sqlite", "kine", "etcd") if s not in skip)
    log(f"anchors: {which}")
    res: dict[str, Any] = module.measure(quick=quick, directory=str(directory), skip=skip)
    return {
        "sections": [s for s in ("sqlite", "kine", "etcd") if s not in skip],
        "headline": res.get("headline", {}),
        "errors": res.get("errors", {}),
        "wall_s": res.get("total_wall_s"),
        "loadavg": [res.get("host", {}).get("loadavg_start"), res.get("host", {}).get("loadavg_end")],
        "etcd": _etcd_detail(res.get("etcd")),
    }


def _etcd_detail(etcd: Any) -> dict[str, Any] | None:
    if not isinstance(etcd, dict) or etcd.get("skipped"):
        return None
    return {k: etcd.get(k) for k in ("etcd_version", "startup_s") if k in etcd}


# -- the run -------------------------------------------------------------------------------------


def k3py_headline(rounds: list[dict[str, Any]], idle: dict[str, Any] | None) -> dict[str, float | None]:
    """Flat k3py figures; rates are medians over the rounds that measured them."""
    h: dict[str, float | None] = {}
    for phase in ("create_1", "create_16", "update_1", "update_16", "get_1", "get_16"):
        have = [r[phase] for r in rounds if phase in r]
        h[f"{phase}_per_s"] = median_or_none(p["ops_per_s"] for p in have)
        h[f"{phase}_p50_ms"] = median_or_none(p["latency"].get("p50_ms") for p in have)
        h[f"{phase}_p99_ms"] = median_or_none(p["latency"].get("p99_ms") for p in have)
    final = rounds[-1] if rounds else {}
    lst = final.get("list")
    h["list_1000_per_s"] = lst["lists_per_s"] if lst else None
    h["list_1000_ms"] = lst["ms_per_list"] if lst else None
    watch = final.get("watch")
    h["watch_p50_ms"] = watch["latency_from_write_start"].get("p50_ms") if watch else None
    h["watch_p99_ms"] = watch["latency_from_write_start"].get("p99_ms") if watch else None
    h["watch_from_return_p50_ms"] = watch["latency_from_write_return"].get("p50_ms") if watch else None
    h["watch_from_return_p99_ms"] = watch["latency_from_write_return"].get("p99_ms") if watch else None
    h["idle_write_bytes_per_hour"] = idle["write_bytes_per_hour_at_default_interval"] if idle else None
    h["idle_write_bytes_per_commit"] = idle["write_bytes_per_commit"] if idle else None
    h["idle_commits_measured"] = idle["commits_in_window"] if idle else None
    h["idle_measured_bytes_per_hour"] = idle["write_bytes_per_hour"] if idle else None
    h["idle_measured_coalesce_interval_s"] = idle["coalesce_interval_s"] if idle else None
    h["idle_default_coalesce_interval_s"] = StoreSettings().coalesce_interval
    return h


def host_facts() -> dict[str, Any]:
    """What the figures of a run depend on, printed with them (the API bench uses it too)."""
    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "loadavg_start": [round(x, 2) for x in os.getloadavg()],
    }


def run(cfg: Config, base: Path, out_path: str | None, skip_anchors: bool) -> dict[str, Any]:
    t_all = time.perf_counter()
    base.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="k3py-bench-store-", dir=base))
    result: dict[str, Any] = {
        "schema": SCHEMA,
        "started_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "host": host_facts(),
        "params": {**asdict(cfg), "value_bytes": VALUE_SIZE, "dir": str(base), "writers": WRITERS},
        "errors": {},
    }
    errors: dict[str, str] = result["errors"]
    rounds: list[dict[str, Any]] = []
    anchor_runs: list[dict[str, Any]] = []
    idle: dict[str, Any] | None = None
    child: subprocess.Popen[str] | None = None
    anchors: Any = None
    group16_runs: list[dict[str, Any]] = []
    try:
        log(
            f"idle subprocess: warm-up {cfg.idle_warmup:g} s, window {cfg.idle_window:g} s, "
            f"coalesce interval {cfg.idle_coalesce:g} s"
        )
        child = start_idle_child(workdir / "idle", cfg)
        t_child = time.perf_counter()
        if not skip_anchors:
            try:
                anchors = load_anchors()
            except Exception as exc:  # the k3py figures are still worth printing
                errors["anchors_import"] = f"cannot import anchors_datastore from {shared_bench_dir()}: {exc!r}"
                log(errors["anchors_import"])

        def anchor(skip: tuple[str, ...]) -> None:
            if anchors is None:
                return
            try:
                anchor_runs.append(run_anchor(anchors, cfg.quick, base, skip))
            except Exception as exc:
                errors[f"anchors_run_{len(anchor_runs)}"] = repr(exc)
                log(f"anchors failed: {exc!r}")

        def group16() -> None:
            # The anchor's own group-commit loop at 16 rows per COMMIT, right before k3py's round.
            fn = getattr(anchors, "sqlite_group_commit", None)
            if fn is None:
                return
            log(f"anchors: sqlite group commit, {WRITERS} rows/COMMIT, synchronous=FULL")
            scratch = Path(tempfile.mkdtemp(prefix="group16-", dir=workdir))
            try:
                group16_runs.append(fn(str(scratch), "FULL", WRITERS, cfg.phase_seconds, cfg.max_ops, make_value()))
            except Exception as exc:
                errors[f"group16_{len(group16_runs)}"] = repr(exc)
            finally:
                shutil.rmtree(scratch, ignore_errors=True)

        def k3py(tag: str, final: bool) -> None:
            group16()
            try:
                rounds.append(trio.run(k3py_round, workdir / tag, cfg, tag, final))
            except Exception as exc:
                errors[f"k3py_{tag}"] = repr(exc)
                log(f"k3py round {tag} failed: {exc!r}")

        if cfg.interleave:
            anchor(("kine", "etcd"))
            k3py("r1", False)
            anchor(())
            k3py("r2", True)
            anchor(("kine", "etcd"))
        else:
            anchor(())
            k3py("r1", True)
        wait = cfg.idle_warmup + cfg.idle_window + 30.0 - (time.perf_counter() - t_child)
        log(f"waiting for the idle subprocess (up to {max(1.0, wait):.0f} s)")
        try:
            idle = finish_idle_child(child, wait)
            idle["sanity"] = idle_sanity(idle)
        except Exception as exc:
            errors["idle"] = repr(exc)
            log(f"idle measurement failed: {exc!r}")
    finally:
        if child is not None:
            stop_process(child)
        shutil.rmtree(workdir, ignore_errors=True)

    headline = k3py_headline(rounds, idle)
    anchor_headline = merge_headlines([r["headline"] for r in anchor_runs])
    group16_rate = median_or_none(r.get("rows_per_s") for r in group16_runs)
    if group16_rate is not None:
        anchor_headline[f"sqlite_group{WRITERS}_full_rows_per_s"] = group16_rate
    anchor_errors: dict[str, str] = {}
    for r in anchor_runs:
        anchor_errors.update(r["errors"])
    if anchors is None and not skip_anchors:
        anchor_errors["import"] = errors.get("anchors_import", "anchors not loaded")
    elif skip_anchors:
        anchor_errors["import"] = "--skip-anchors"
    ratios, notes = compute_ratios(headline, anchor_headline, anchor_errors)
    result["k3py"] = {"headline": headline, "rounds": rounds, "idle": idle}
    result["anchors"] = {
        "headline_median": anchor_headline,
        "runs": anchor_runs,
        "group16_runs": group16_runs,
        "errors": anchor_errors,
        "source": str(shared_bench_dir() / "anchors_datastore.py"),
    }
    result["ratios"] = ratios
    result["ratio_direction"] = {name: spec[2] for name, spec in RATIO_SPECS.items()}
    result["ratio_notes"] = notes
    result["goals"] = check_goals(ratios)
    result["host"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    result["wall_s"] = round(time.perf_counter() - t_all, 2)
    if out_path:
        Path(out_path).write_text(json.dumps(result, indent=1) + "\n")
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="k3py datastore benchmark (ratios to anchors in the same run)")
    ap.add_argument("--quick", action="store_true", help="CI mode: finishes within 60 s")
    ap.add_argument("--dir", default=DEFAULT_DIR, help=f"directory on the disk to measure (default {DEFAULT_DIR})")
    ap.add_argument("--out", help="also write the JSON (indented) to this file")
    ap.add_argument("--no-interleave", action="store_true", help="one anchor pass, then one k3py pass")
    ap.add_argument("--skip-anchors", action="store_true", help="k3py figures only (ratios are null)")
    ap.add_argument("--idle-child", help=argparse.SUPPRESS)
    ap.add_argument("--coalesce", type=float, default=60.0, help=argparse.SUPPRESS)
    ap.add_argument("--warmup", type=float, default=5.0, help=argparse.SUPPRESS)
    ap.add_argument("--window", type=float, default=60.0, help=argparse.SUPPRESS)
    ap.add_argument("--renew-every", type=float, default=10.0, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.idle_child:
        return idle_child_main(args)

    def on_term(_signum: int, _frame: object) -> None:
        # Turn SIGTERM into Ctrl-C: trio delivers that safely inside trio.run, and every
        # ``finally`` (the idle subprocess, the anchors' etcd, the temp dirs) still runs.
        signal.raise_signal(signal.SIGINT)

    # A shell starts background jobs with SIGINT ignored; take it back so that Ctrl-C and
    # SIGTERM both end the run through KeyboardInterrupt (trio installs its own handler then).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, on_term)
    cfg = Config.make(args.quick, interleave=not args.no_interleave)
    try:
        result = run(cfg, Path(args.dir), args.out, args.skip_anchors)
    except (KeyboardInterrupt, BaseExceptionGroup) as exc:
        # Inside trio.run, Ctrl-C arrives wrapped in the exception groups of the open nurseries.
        if isinstance(exc, BaseExceptionGroup) and exc.split(KeyboardInterrupt)[1] is not None:
            raise
        log("interrupted; the idle subprocess is stopped and the temp dirs are removed")
        return 130
    log(f"done in {result['wall_s']} s: ratios {json.dumps(result['ratios'])}")
    print(json.dumps(result, separators=(",", ":")), flush=True)
    return 1 if result["errors"] or result["anchors"]["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
