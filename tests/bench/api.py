#!/usr/bin/env python3
"""Benchmark of the k3py API server: a real ``k3py server`` subprocess driven over HTTPS with httpx,
reported against anchors measured in the same run.

Usage::

    .venv/bin/python tests/bench/api.py [--quick] [--dir DIR] [--out FILE] [--skip-anchors]

The server is the ``k3py`` console script of this venv (``tests/support/serverproc.py`` starts it),
with its data dir under ``--dir`` (default ``/var/tmp/k3py-bench``, the disk whose figures you
want), on a free loopback port. The clients use the admin kubeconfig the server writes
(``--write-kubeconfig``): its CA and its client certificate. Each client is its own
``httpx.AsyncClient`` (one kept-alive HTTP/1.1 connection) in trio tasks of this process.

What it measures:

* (a) start to ready: from the exec to ``/readyz`` answering 200 "ok", on a fresh data dir (PKI
  creation included) and on a restart, after one warm-up start (bytecode, page cache);
* (b) idle RSS: a fresh server after ready and a settling pause (``VmRSS``; ``Pss`` and the
  anonymous part are reported too);
* (c) with 1 and 32 concurrent clients: create, get and update (PUT) of pods, and list of 1,000
  pods: ops/s, p50/p99 latency, and CPU per op of the server and of this process (the client);
* (d) watch event latency: paced updates (50/s) of one ConfigMap on one connection, watched on
  others (1 watcher, then 32): from the write's response (and from its start) to the event;
* (e) RSS with 10,000 ConfigMaps stored (about 1 KiB each), on a second fresh server, and after a
  restart on the same data. ``--quick`` stores fewer and extrapolates (see ``configmaps``).

Anchors in the same run, on the same disk: the k3py store in-process (``store.py``'s phases, 1 and
32 writers, and its watch), raw SQLite group commit of 32 rows per COMMIT, and
``shared/bench/anchors_datastore.py`` (SQLite and etcd, driven through etcd's HTTP gateway with 1
and 32 clients). Ratios divide by their medians.

Progress goes to stderr. On stdout: one pass/fail line per goal, then, as the last line, one JSON
object. ``--quick`` finishes within 60 s. This is not a pytest test and not part of the timed suite.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import json
import os
import select
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import trio

from k3py.api import pki
from k3py.store import StoreSettings, open_store

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterable, Sequence
    from types import ModuleType

HERE = Path(__file__).resolve().parent


def _load(name: str, path: Path) -> ModuleType:
    """A module by path, once: this script runs with ``tests/bench`` on ``sys.path``, and
    ``tests`` is no installed package (pytest makes it a namespace package; a script cannot count on that)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


store_bench: Any = _load("k3py_bench_store", HERE / "store.py")
serverproc: Any = sys.modules.get("tests.support.serverproc") or _load(
    "k3py_test_serverproc", HERE.parent / "support" / "serverproc.py"
)

# The store benchmark's statistics, so that both report percentiles the same way (the anchors' way).
percentile = store_bench.percentile
lat_summary = store_bench.lat_summary
ratio = store_bench.ratio
median_or_none = store_bench.median_or_none
merge_headlines = store_bench.merge_headlines
run_phase = store_bench.run_phase

SCHEMA = "k3py-bench-api/1"
DEFAULT_DIR = store_bench.DEFAULT_DIR
MANY = 32  # the concurrent clients of the "32" figures
LIST_PODS = 1000
CONFIGMAPS_TARGET = 10_000
MIB_KIB = 1024  # /proc reports KiB; figures are MiB ("mb" in key names)
WATCH_RATE = 50.0
WATCH_WARMUP = 3  # unmeasured updates before the paced ones

# Ratio name -> (k3py headline key, anchor headline key, "higher" or "lower" is better).
RATIO_SPECS: dict[str, tuple[str, str, str]] = {
    # What the HTTP layer keeps of the k3py store's own rate (the same store, in-process, this run).
    "creates_32_vs_store_create_32": ("creates_per_s_32", "store_create_32_per_s", "higher"),
    "creates_1_vs_store_create_1": ("creates_per_s_1", "store_create_1_per_s", "higher"),
    "watch_p99_vs_store_watch_p99": ("watch_p99_ms", "store_watch_p99_ms", "lower"),
    # The physical limit: 32 clients with one write in flight each make group commits of <= 32 rows.
    "creates_32_vs_sqlite_group32": ("creates_per_s_32", "sqlite_group32_full_rows_per_s", "higher"),
    "creates_1_vs_sqlite_commit_full": ("creates_per_s_1", "sqlite_commit_full_per_s", "higher"),
    # etcd through its HTTP gateway: also an HTTP write answered once durable, also on loopback.
    "creates_32_vs_etcd_put_32": ("creates_per_s_32", "etcd_put_32c_per_s", "higher"),
    "creates_1_vs_etcd_put_1": ("creates_per_s_1", "etcd_put_1c_per_s", "higher"),
    "mutating_p99_32_vs_etcd_put_32_p99": ("mutating_p99_ms_32", "etcd_put_32c_p99_ms", "lower"),
    "gets_1_vs_etcd_get": ("gets_per_s_1", "etcd_get_per_s", "higher"),
    # etcd's and the store's watch latencies run from the start of the write, so this one does too.
    "watch_p99_vs_etcd": ("watch_p99_ms", "etcd_watch_p99_ms", "lower"),
    # The HTTP floor (http_floor.py): the same creates against hypercorn serving an app that does
    # nothing, with k3py's TLS setup. What k3py keeps of what its HTTP server can carry at all.
    "creates_32_vs_http_floor_32": ("creates_per_s_32", "http_floor_create_32_per_s", "higher"),
    "creates_1_vs_http_floor_1": ("creates_per_s_1", "http_floor_create_1_per_s", "higher"),
    "mutating_p99_32_vs_http_floor_32_p99": ("mutating_p99_ms_32", "http_floor_create_32_p99_ms", "lower"),
}

# Goal name -> (headline key, comparison, threshold, what the line says).
GOALS: dict[str, tuple[str, str, float, str]] = {
    "idle_rss_lt_60mb": ("idle_rss_mb", "<", 60.0, "idle RSS < 60 MiB"),
    "ready_lt_1s": ("ready_s", "<", 1.0, "start to /readyz < 1 s"),
    "creates_32_ge_1000_per_s": ("creates_per_s_32", ">=", 1000.0, "32 clients: >= 1,000 creates/s"),
    "mutating_p99_32_lt_50ms": ("mutating_p99_ms_32", "<", 50.0, "32 clients: mutating p99 < 50 ms"),
    "watch_p99_lt_10ms": ("watch_p99_ms", "<", 10.0, "watch p99 < 10 ms (from the write's start)"),
}


T0 = time.perf_counter()


def log(*parts: object) -> None:
    print(f"[bench-api {time.perf_counter() - T0:5.1f}s]", *parts, file=sys.stderr, flush=True)


# -- pure helpers (unit-tested) ----------------------------------------------------------------


def check_goals(
    figures: dict[str, Any], goals: dict[str, tuple[str, str, float, str]] = GOALS
) -> dict[str, bool | None]:
    """Each goal as a boolean, or None when its figure is missing."""
    out: dict[str, bool | None] = {}
    for name, (key, op, threshold, _label) in goals.items():
        value = figures.get(key)
        if value is None:
            out[name] = None
        elif op == ">=":
            out[name] = value >= threshold
        elif op == "<":
            out[name] = value < threshold
        else:
            raise ValueError(f"goal {name}: unknown comparison {op!r}")
    return out


def goal_lines(
    figures: dict[str, Any], results: dict[str, bool | None], goals: dict[str, tuple[str, str, float, str]] = GOALS
) -> list[str]:
    """One ``PASS``/``FAIL``/``MISSING`` line per goal, with the figure it was judged on."""
    lines = []
    for name, (key, _op, _threshold, label) in goals.items():
        verdict = {True: "PASS", False: "FAIL", None: "MISSING"}[results.get(name)]
        lines.append(f"goal {verdict}: {label} ({key} = {figures.get(key)})")
    return lines


def compute_ratios(
    k3py: dict[str, Any], anchors: dict[str, float], anchor_errors: dict[str, str]
) -> tuple[dict[str, float | None], dict[str, str]]:
    """The report's ratios and, for each ratio that is None, why."""
    ratios: dict[str, float | None] = {}
    notes: dict[str, str] = {}
    for name, (mine, theirs, _better) in RATIO_SPECS.items():
        ratios[name] = ratio(k3py.get(mine), anchors.get(theirs))
        if ratios[name] is not None:
            continue
        if k3py.get(mine) is None:
            notes[name] = f"k3py figure {mine} is missing"
        else:
            section = theirs.split("_", 1)[0]
            error = anchor_errors.get(section) or anchor_errors.get("import")
            notes[name] = f"anchor figure {theirs} is missing" + (f": {error}" if error else "")
    return ratios, notes


def waits_after_response(latencies: Iterable[float]) -> list[float]:
    """Event arrival minus the write's answer, where an event that came first counts as 0: from
    the writer's point of view it was already there."""
    return [max(0.0, x) for x in latencies]


def mib(kib: float | None) -> float | None:
    return None if kib is None else round(kib / MIB_KIB, 2)


def parse_kib_fields(text: str) -> dict[str, int]:
    """The ``Key:  N kB`` lines of ``/proc/<pid>/status`` or ``smaps_rollup``, in KiB."""
    out: dict[str, int] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        parts = value.split()
        if sep and len(parts) == 2 and parts[1] == "kB" and parts[0].isdigit():
            out[key.strip()] = int(parts[0])
    return out


def parse_stat_cpu_ticks(text: str) -> int:
    """utime + stime (clock ticks) from ``/proc/<pid>/stat``; the command name may hold spaces."""
    fields = text.rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def extrapolate(samples: Sequence[tuple[int, float]], target: int) -> tuple[float | None, str]:
    """The figure at ``target`` from ``(count, figure)`` samples sorted by count, and how it was got.

    Measured if a sample is at ``target`` or beyond; otherwise linear from the last two samples,
    so the growth per object leaves out the one-off costs of the first objects (first use of code
    paths, arenas): with one sample only, the slope would include them and overstate.
    """
    if not samples:
        return None, "not measured"
    count, value = samples[-1]
    if count >= target:
        return round(value, 2), f"measured with {count} objects"
    if len(samples) < 2:
        return None, f"only one sample ({count} objects): no slope to extrapolate with"
    (c0, v0), (c1, v1) = samples[-2], samples[-1]
    slope = (v1 - v0) / (c1 - c0)
    return round(v1 + slope * (target - c1), 2), (
        f"extrapolated linearly from {c1} objects, with the growth per object between {c0} and {c1}"
    )


def phase_figures(phases: dict[str, Any]) -> dict[str, float | None]:
    """The flat HTTP figures from the phase results (``create_1``, ``get_32``, ``list_1``, ...)."""
    h: dict[str, float | None] = {}
    for verb, plural in (("create", "creates"), ("get", "gets"), ("update", "updates"), ("list", "lists")):
        for tasks in (1, MANY):
            p = phases.get(f"{verb}_{tasks}")
            h[f"{plural}_per_s_{tasks}"] = p["ops_per_s"] if p else None
            h[f"{verb}_p50_ms_{tasks}"] = p["latency"].get("p50_ms") if p else None
            h[f"{verb}_p99_ms_{tasks}"] = p["latency"].get("p99_ms") if p else None
            h[f"{verb}_server_cpu_us_{tasks}"] = p.get("server_cpu_us_per_op") if p else None
            h[f"{verb}_client_cpu_us_{tasks}"] = p.get("client_cpu_us_per_op") if p else None
    for tasks in (1, MANY):
        mutating = phases.get(f"mutating_{tasks}")
        h[f"mutating_p99_ms_{tasks}"] = mutating.get("p99_ms") if mutating else None
    # With wrk at hand the 32-connection figures are wrk's: the httpx clients of this process cap
    # at about the server's rate (see the HTTP floor), so they would measure themselves.
    h[f"creates_per_s_{MANY}_httpx"] = h[f"creates_per_s_{MANY}"]
    h[f"mutating_p99_ms_{MANY}_httpx"] = h[f"mutating_p99_ms_{MANY}"]
    create, patch = phases.get(f"wrk_create_{MANY}"), phases.get(f"wrk_patch_{MANY}")
    if create:
        h[f"creates_per_s_{MANY}"] = create["ops_per_s"]
        h[f"create_p99_ms_{MANY}"] = create["latency"].get("p99_ms")
        h[f"create_server_cpu_us_{MANY}"] = create.get("server_cpu_us_per_op")
    if patch:
        h[f"patches_per_s_{MANY}"] = patch["ops_per_s"]
        h[f"patch_p99_ms_{MANY}"] = patch["latency"].get("p99_ms")
    if create and patch:
        # wrk reports percentiles per run, not the latencies: the p99 of both is at most the larger
        p99s = [p["latency"].get("p99_ms") for p in (create, patch)]
        h[f"mutating_p99_ms_{MANY}"] = max(p99s) if None not in p99s else None
    for watchers, suffix in ((1, ""), (MANY, f"_{MANY}")):
        w = phases.get(f"watch_{watchers}")
        # The headline is timed from the write's start, like the etcd and store anchors: the event is
        # published at commit, so timed from the write's answer it is nearly always "before" (0 ms).
        h[f"watch_p50_ms{suffix}"] = w["from_write_start"].get("p50_ms") if w else None
        h[f"watch_p99_ms{suffix}"] = w["from_write_start"].get("p99_ms") if w else None
        h[f"watch_after_answer_p99_ms{suffix}"] = w["from_response"].get("p99_ms") if w else None
    return h


def k3py_headline(
    phases: dict[str, Any], ready: dict[str, Any] | None, memory: dict[str, Any] | None
) -> dict[str, Any]:
    """Every k3py figure of the run, flat: what goals and ratios are judged on."""
    h: dict[str, Any] = {}
    fresh = (ready or {}).get("fresh_s") or []
    restarts = (ready or {}).get("restart_s") or []
    h["ready_s"] = median_or_none(fresh)
    h["ready_restart_s"] = median_or_none(restarts)
    h["ready_min_s"] = round(min(fresh), 4) if fresh else None
    memory = memory or {}
    idle = [s["rss_mb"] for s in memory.get("idle", []) if s.get("rss_mb") is not None]
    h["idle_rss_mb"] = median_or_none(idle)
    h["idle_pss_mb"] = median_or_none(s.get("pss_mb") for s in memory.get("idle", []))
    h["idle_rss_anon_mb"] = median_or_none(s.get("rss_anon_mb") for s in memory.get("idle", []))
    h["stack_imports_rss_mb"] = stack = (memory.get("stack_imports") or {}).get("rss_mb")
    # what k3py's own code and state add to the libraries' floor
    h["idle_rss_above_stack_mb"] = (
        None if stack is None or h["idle_rss_mb"] is None else round(h["idle_rss_mb"] - stack, 2)
    )
    cms = memory.get("configmaps") or {}
    h["rss_10k_configmaps_mb"] = cms.get("rss_10k_mb")
    h["rss_10k_configmaps_extrapolated"] = cms.get("extrapolated")
    h["configmaps_stored"] = cms.get("stored")
    h["rss_configmaps_restarted_mb"] = cms.get("restarted", {}).get("rss_mb")
    h.update(phase_figures(phases))
    return h


def anchor_figures(
    store_round: dict[str, Any] | None, anchor_headline: dict[str, float], http_floor: dict[str, Any] | None = None
) -> dict[str, float]:
    """The anchors' headline plus the in-process k3py store's and the HTTP floor's figures of this run."""
    figures = dict(anchor_headline)
    floor = http_floor or {}
    for tasks in (1, MANY):
        p = floor.get(f"wrk_create_{tasks}") or floor.get(f"create_{tasks}")
        if p and p.get("ops_per_s") is not None:
            figures[f"http_floor_create_{tasks}_per_s"] = p["ops_per_s"]
        if p and p.get("latency", {}).get("p99_ms") is not None:
            figures[f"http_floor_create_{tasks}_p99_ms"] = p["latency"]["p99_ms"]
    if store_round:
        for tasks in (1, MANY):
            p = store_round.get(f"create_{tasks}")
            if p and p.get("ops_per_s") is not None:
                figures[f"store_create_{tasks}_per_s"] = p["ops_per_s"]
        watch = store_round.get("watch")
        if watch and watch["latency_from_write_start"].get("p99_ms") is not None:
            figures["store_watch_p99_ms"] = watch["latency_from_write_start"]["p99_ms"]
    return figures


def assemble(
    *,
    base: dict[str, Any],
    phases: dict[str, Any],
    ready: dict[str, Any] | None,
    memory: dict[str, Any] | None,
    store_round: dict[str, Any] | None,
    anchor_runs: list[dict[str, Any]],
    group32_runs: list[dict[str, Any]],
    anchor_errors: dict[str, str],
    http_floor: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The report: headline, ratios (with why any is null), goals; ``base`` carries host and params."""
    headline = k3py_headline(phases, ready, memory)
    anchor_headline = merge_headlines([r["headline"] for r in anchor_runs])
    group32 = median_or_none(r.get("rows_per_s") for r in group32_runs)
    if group32 is not None:
        anchor_headline[f"sqlite_group{MANY}_full_rows_per_s"] = group32
    anchors = anchor_figures(store_round, anchor_headline, http_floor)
    ratios, notes = compute_ratios(headline, anchors, anchor_errors)
    goals = check_goals(headline)
    return {
        **base,
        # The keys the issue asks for, first, then everything else.
        "idle_rss_mb": headline["idle_rss_mb"],
        "rss_10k_configmaps_mb": headline["rss_10k_configmaps_mb"],
        "ready_s": headline["ready_s"],
        "creates_per_s_32": headline["creates_per_s_32"],
        "mutating_p99_ms_32": headline["mutating_p99_ms_32"],
        "watch_p99_ms": headline["watch_p99_ms"],
        "k3py": {"headline": headline, "phases": phases, "ready": ready, "memory": memory},
        "anchors": {
            "figures": anchors,
            "store_round": store_round,
            "http_floor": http_floor,
            "runs": anchor_runs,
            "group32_runs": group32_runs,
            "errors": anchor_errors,
        },
        "ratios": ratios,
        "ratio_direction": {name: spec[2] for name, spec in RATIO_SPECS.items()},
        "ratio_notes": notes,
        "goals": goals,
        "goal_thresholds": {name: f"{key} {op} {threshold:g}" for name, (key, op, threshold, _) in GOALS.items()},
    }


# -- configuration -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Config:
    quick: bool
    phase_seconds: float  # per create/get/update/list phase
    max_ops: int  # per phase
    ready_fresh: int  # starts on a new data dir
    ready_restarts: int  # restarts on one of those
    settle_seconds: float  # after ready, before reading idle RSS (a checkpoint waits 1 s)
    watch_writes: int  # with one watcher; half as many with 32
    configmaps: tuple[int, ...]  # RSS checkpoints; the last is the count stored
    interleave: bool  # anchors before and after the server runs (else once, before)

    @classmethod
    def make(cls, quick: bool) -> Config:
        if quick:
            return cls(True, 0.7, 50_000, 2, 1, 1.0, 50, (1000, 2000), False)
        return cls(False, 4.0, 500_000, 5, 5, 5.0, 500, (2500, 5000, CONFIGMAPS_TARGET), True)


# -- the HTTP load -------------------------------------------------------------------------------


class Unexpected(Exception):
    """The server answered something other than what the benchmark's request should get."""


def expect(response: httpx.Response, code: int) -> dict[str, Any]:
    if response.status_code != code:
        raise Unexpected(
            f"{response.request.method} {response.request.url.path}: {response.status_code} {response.text}"
        )
    body: dict[str, Any] = response.json()
    return body


def pod(name: str, task: int) -> dict[str, Any]:
    """A small pod as a controller would create it: labels, one container with requests."""
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": {"app": "bench", "client": str(task)}},
        "spec": {
            "containers": [
                {
                    "name": "app",
                    "image": "registry.k8s.io/pause:3.10",
                    "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}},
                }
            ]
        },
    }


CONFIG_TEXT = "".join(f"key{i:03d}: value-{i:03d}-{'x' * 12}\n" for i in range(36))  # ~1 KiB


def configmap(name: str, **data: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "labels": {"app": "bench"}},
        "data": {"config.yaml": CONFIG_TEXT, **data},
    }


def read_cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        return parse_stat_cpu_ticks(f.read()) / os.sysconf("SC_CLK_TCK")


def read_memory(pid: int) -> dict[str, float | None]:
    """RSS (and its parts) and PSS of ``pid``, in MiB."""
    with open(f"/proc/{pid}/status") as f:
        status = parse_kib_fields(f.read())
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            rollup = parse_kib_fields(f.read())
    except OSError:
        rollup = {}
    return {
        "rss_mb": mib(status.get("VmRSS")),
        "rss_anon_mb": mib(status.get("RssAnon")),
        "rss_file_mb": mib(status.get("RssFile")),
        "hwm_mb": mib(status.get("VmHWM")),
        "pss_mb": mib(rollup.get("Pss")),
    }


class Clients:
    """``MANY + 1`` kept-alive HTTPS connections to one server (the last one writes during watches)."""

    def __init__(self, url: str, tls: ssl.SSLContext) -> None:
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        self.all = [httpx.AsyncClient(base_url=url, verify=tls, timeout=30.0, limits=limits) for _ in range(MANY + 1)]

    async def aclose(self) -> None:
        for client in self.all:
            await client.aclose()


async def measured_http(
    server_pid: int, cfg: Config, tasks: int, op: Callable[[int, int], Awaitable[None]]
) -> tuple[dict[str, Any], list[float]]:
    """One phase with its latency summary and the CPU it cost the server and this process per op."""
    server0, client0 = read_cpu_seconds(server_pid), time.process_time()
    summary, lats = await run_phase(tasks, op, cfg.phase_seconds, cfg.max_ops)
    server1, client1 = read_cpu_seconds(server_pid), time.process_time()
    summary["latency"] = lat_summary(lats)
    summary["server_cpu_us_per_op"] = ratio((server1 - server0) * 1e6, len(lats), 1)
    summary["client_cpu_us_per_op"] = ratio((client1 - client0) * 1e6, len(lats), 1)
    summary["server_cores"] = ratio(server1 - server0, summary["wall_s"], 3)
    return summary, lats


async def fill(clients: Clients, path: str, make: Callable[[int, int], dict[str, Any]], start: int, stop: int) -> float:
    """Create objects ``start..stop-1`` with all the connections; the creates per second."""
    next_index = start
    t0 = time.perf_counter()

    async def worker(task: int) -> None:
        nonlocal next_index
        while next_index < stop:
            i = next_index
            next_index += 1
            expect(await clients.all[task].post(path, json=make(i, task)), 201)

    async with trio.open_nursery() as nursery:
        for task in range(MANY):
            nursery.start_soon(worker, task)
    return round((stop - start) / (time.perf_counter() - t0), 1)


async def crud_phases(clients: Clients, server_pid: int, cfg: Config, out: dict[str, Any]) -> None:
    """Create, update and get pods with 1 and with 32 clients, each client on its own pods."""
    mine: dict[int, dict[int, list[dict[str, Any]]]] = {}
    lats: dict[str, list[float]] = {}
    for tasks in (1, MANY):
        ns = f"bench-c{tasks}"
        expect(await clients.all[0].post("/api/v1/namespaces", json={"metadata": {"name": ns}}), 201)
        objects: dict[int, list[dict[str, Any]]] = {t: [] for t in range(tasks)}
        mine[tasks] = objects

        async def create(t: int, i: int, ns: str = ns, objects: dict[int, list[dict[str, Any]]] = objects) -> None:
            body = pod(f"p-{t:02d}-{i:06d}", t)
            objects[t].append(expect(await clients.all[t].post(f"/api/v1/namespaces/{ns}/pods", json=body), 201))

        log(f"create pods, {tasks} client(s)")
        out[f"create_{tasks}"], lats[f"create_{tasks}"] = await measured_http(server_pid, cfg, tasks, create)
    for tasks in (1, MANY):
        objects = mine[tasks]

        async def update(t: int, i: int, objects: dict[int, list[dict[str, Any]]] = objects) -> None:
            slot = i % len(objects[t])
            obj = objects[t][slot]
            obj["metadata"].setdefault("annotations", {})["bench/update"] = str(i)
            path = f"/api/v1/namespaces/{obj['metadata']['namespace']}/pods/{obj['metadata']['name']}"
            objects[t][slot] = expect(await clients.all[t].put(path, json=obj), 200)

        log(f"update pods, {tasks} client(s)")
        out[f"update_{tasks}"], lats[f"update_{tasks}"] = await measured_http(server_pid, cfg, tasks, update)
        out[f"mutating_{tasks}"] = lat_summary(lats[f"create_{tasks}"] + lats[f"update_{tasks}"])
    for tasks in (1, MANY):
        objects = mine[tasks]

        async def get(t: int, i: int, objects: dict[int, list[dict[str, Any]]] = objects) -> None:
            meta = objects[t][i % len(objects[t])]["metadata"]
            expect(await clients.all[t].get(f"/api/v1/namespaces/{meta['namespace']}/pods/{meta['name']}"), 200)

        log(f"get pods, {tasks} client(s)")
        out[f"get_{tasks}"], _ = await measured_http(server_pid, cfg, tasks, get)
    sample = mine[1][0][0] if mine[1][0] else None
    out["pod_bytes"] = len(json.dumps(sample, separators=(",", ":"))) if sample else None


async def list_phases(clients: Clients, server_pid: int, cfg: Config, out: dict[str, Any]) -> None:
    ns = "bench-list"
    expect(await clients.all[0].post("/api/v1/namespaces", json={"metadata": {"name": ns}}), 201)
    log(f"fill {ns} with {LIST_PODS} pods")
    out["list_fill_creates_per_s"] = await fill(
        clients, f"/api/v1/namespaces/{ns}/pods", lambda i, t: pod(f"l-{i:06d}", t), 0, LIST_PODS
    )
    for tasks in (1, MANY):

        async def list_pods(t: int, _i: int) -> None:
            items = expect(await clients.all[t].get(f"/api/v1/namespaces/{ns}/pods"), 200)["items"]
            if len(items) != LIST_PODS:
                raise Unexpected(f"list returned {len(items)} pods, expected {LIST_PODS}")

        log(f"list {LIST_PODS} pods, {tasks} client(s)")
        out[f"list_{tasks}"], _ = await measured_http(server_pid, cfg, tasks, list_pods)


async def watch_phase(clients: Clients, watchers: int, writes: int) -> dict[str, Any]:
    """Paced updates of one ConfigMap on the last connection, watched on the first ``watchers``."""
    ns = f"bench-watch-{watchers}"
    expect(await clients.all[0].post("/api/v1/namespaces", json={"metadata": {"name": ns}}), 201)
    writer = clients.all[MANY]
    obj = expect(await writer.post(f"/api/v1/namespaces/{ns}/configmaps", json=configmap("watched", seq="0")), 201)
    path = f"/api/v1/namespaces/{ns}/configmaps/watched"
    pc = time.perf_counter
    t_start: dict[int, float] = {}
    t_return: dict[int, float] = {}
    t_event: list[dict[int, float]] = [{} for _ in range(watchers)]
    ready = [trio.Event() for _ in range(watchers)]
    params = {"watch": "1", "resourceVersion": obj["metadata"]["resourceVersion"]}

    async def watch(w: int) -> None:
        seen = t_event[w]
        async with clients.all[w].stream("GET", f"/api/v1/namespaces/{ns}/configmaps", params=params) as response:
            if response.status_code != 200:
                raise Unexpected(f"watch: {response.status_code} {(await response.aread()).decode()}")
            ready[w].set()
            async for line in response.aiter_lines():
                now = pc()
                event = json.loads(line)
                seq = int(event["object"]["data"]["seq"])
                if seq > 0:
                    seen[seq] = now
                if seq >= writes:
                    return

    log(f"watch latency: {writes} updates at {WATCH_RATE:g}/s, {watchers} watcher(s)")
    with trio.fail_after(writes / WATCH_RATE + 30):
        async with trio.open_nursery() as nursery:
            for w in range(watchers):
                nursery.start_soon(watch, w)
            for event in ready:
                await event.wait()
            await trio.sleep(0.2)  # every watch registered in the server, not just answered
            for _ in range(WATCH_WARMUP):  # the first writes of a kind build caches: not what is measured
                obj = expect(await writer.put(path, json=obj), 200)
            base = pc()
            for seq in range(1, writes + 1):
                delay = base + (seq - 1) / WATCH_RATE - pc()
                if delay > 0:
                    await trio.sleep(delay)
                obj["data"]["seq"] = str(seq)
                t0 = pc()
                obj = expect(await writer.put(path, json=obj), 200)
                t_return[seq] = pc()
                t_start[seq] = t0
            with trio.move_on_after(5):
                while any(len(seen) < writes for seen in t_event):
                    await trio.sleep(0.01)
            nursery.cancel_scope.cancel()
    raw = [seen[s] - t for seen in t_event for s, t in t_return.items() if s in seen]
    from_start = [seen[s] - t for seen in t_event for s, t in t_start.items() if s in seen]
    return {
        "watchers": watchers,
        "writes": writes,
        "write_rate_per_s": WATCH_RATE,
        "expected_events": writes * watchers,
        "received": len(raw),
        "before_response": sum(1 for x in raw if x < 0),
        "from_response": lat_summary(waits_after_response(raw)),
        "from_response_raw": lat_summary(raw),
        "from_write_start": lat_summary(from_start),
        "note": (
            "the server publishes the event at commit, before it finishes the write's answer (on another "
            "connection), so most events arrive before the answer: from_response counts those as 0 ms (the "
            "client waits for nothing once answered), from_response_raw keeps the negative values"
        ),
    }


async def load_phases(url: str, tls: ssl.SSLContext, server_pid: int, cfg: Config, out: dict[str, Any]) -> None:
    """Every HTTP phase, into ``out`` as each ends (a failure keeps what was measured before it)."""
    out["clients"] = "one httpx.AsyncClient (HTTP/1.1 keep-alive) per client, trio tasks of this process"
    clients = Clients(url, tls)
    try:
        for client in clients.all:  # connect and warm up every connection (TLS handshakes)
            expect(await client.get("/version"), 200)
        await crud_phases(clients, server_pid, cfg, out)
        await list_phases(clients, server_pid, cfg, out)
        out["watch_1"] = await watch_phase(clients, 1, cfg.watch_writes)
        out[f"watch_{MANY}"] = await watch_phase(clients, MANY, max(10, cfg.watch_writes // 2))
    finally:
        await clients.aclose()


async def fill_configmaps(
    url: str, tls: ssl.SSLContext, pid: int, checkpoints: Sequence[int], samples: list[dict[str, Any]]
) -> None:
    """Fill to each checkpoint and sample memory there, on one set of connections: reopening them
    would put their cost between two checkpoints and skew the growth per ConfigMap."""
    clients = Clients(url, tls)
    try:
        expect(await clients.all[0].post("/api/v1/namespaces", json={"metadata": {"name": "bench-cm"}}), 201)
        stored = 0
        for checkpoint in checkpoints:
            log(f"configmaps: fill to {checkpoint}")
            rate = await fill(
                clients,
                "/api/v1/namespaces/bench-cm/configmaps",
                lambda i, _t: configmap(f"cm-{i:06d}"),
                stored,
                checkpoint,
            )
            stored = checkpoint
            await trio.sleep(1.0)
            samples.append({"configmaps": stored, "creates_per_s": rate, "after_s": 1.0, **read_memory(pid)})
    finally:
        await clients.aclose()


# -- the servers ---------------------------------------------------------------------------------


def measure_ready(launcher: Any, work: Path, cfg: Config) -> dict[str, Any]:
    """Start-to-ready on fresh data dirs and on restarts, after one warm-up start."""
    warm = launcher.start(data_dir=work / "ready-warm", name="ready-warm")
    warm.wait_ready()
    warm.stop()
    fresh: list[float] = []
    restart: list[float] = []
    codes: list[int | None] = []
    for attempt in range(cfg.ready_fresh):
        data_dir = work / f"ready-{attempt}"
        first = launcher.start(data_dir=data_dir, name=f"ready-{attempt}")
        fresh.append(round(first.wait_ready(), 4))
        codes.append(first.stop())
        if attempt < cfg.ready_restarts:
            again = launcher.start(data_dir=data_dir, name=f"ready-{attempt}-again")
            restart.append(round(again.wait_ready(), 4))
            codes.append(again.stop())
        shutil.rmtree(data_dir, ignore_errors=True)
    log(f"ready: fresh {fresh} s, restart {restart} s")
    return {"fresh_s": fresh, "restart_s": restart, "exit_codes": codes, "poll_interval_s": serverproc.POLL_SECONDS}


# The libraries the server imports (the stack ARCHITECTURE.md decides), imported by a bare
# interpreter that does nothing else: the floor under the server's idle RSS.
STACK_IMPORTS = (
    "import k3py, trio, sqlalchemy, hypercorn.trio, httpx, yaml, ssl; "
    "from cryptography import x509; "
    "from cryptography.hazmat.primitives.asymmetric import ec, rsa, padding"
)


def stack_import_memory() -> dict[str, Any]:
    """VmRSS of a Python that imported the stack and nothing of k3py's own but its package."""
    code = f"{STACK_IMPORTS}; print(open('/proc/self/status').read())"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    fields = parse_kib_fields(done.stdout)
    return {"imports": STACK_IMPORTS, "rss_mb": mib(fields.get("VmRSS")), "rss_anon_mb": mib(fields.get("RssAnon"))}


def settled_memory(server: Any, seconds: float) -> dict[str, Any]:
    time.sleep(seconds)
    return {"after_s": seconds, **read_memory(server.pid)}


def run_main_server(launcher: Any, work: Path, cfg: Config, memory: dict[str, Any], phases: dict[str, Any]) -> None:
    """A fresh server without its controllers: the API's own figures, then the load phases.

    The controllers would react to every benchmark pod (with no node, the scheduler records each
    one as unschedulable), which is their cost, not the API's, and their writes would make the
    update phase's compare-and-swap conflict. The headline idle RSS is the full server's (the
    ConfigMap server's); this one's is kept apart as ``idle_without_controllers``.
    """
    data_dir = work / "main"
    (data_dir / "tls").mkdir(parents=True)
    (data_dir / "tls" / "tokens.csv").write_text(f'{BENCH_TOKEN},k3py-bench,k3py-bench,"system:masters"\n')
    server = launcher.start("--disable-controller-manager", data_dir=data_dir, name="main")
    try:
        server.wait_ready()
        memory["idle_without_controllers"] = {"server": "main", **settled_memory(server, cfg.settle_seconds)}
        memory["stack_imports"] = stack_import_memory()
        url, tls = serverproc.kubeconfig_tls(server.kubeconfig)
        if url != server.url:
            raise Unexpected(f"the kubeconfig names {url}, the server listens on {server.url}")
        trio.run(load_phases, url, tls, server.pid, cfg, phases)
        phases.update(wrk_phases(url, tls, server.pid, cfg, work, patch=True))
        memory["after_load"] = {"server": "main", **read_memory(server.pid)}
    finally:
        code = server.stop()
        phases["server_exit_code"] = code


def run_configmap_server(launcher: Any, work: Path, cfg: Config, memory: dict[str, Any]) -> None:
    """A second fresh server: idle memory, memory at each ConfigMap checkpoint, then after a restart."""
    data_dir = work / "configmaps"
    server = launcher.start(data_dir=data_dir, name="configmaps")
    samples: list[dict[str, Any]] = []
    info: dict[str, Any] = {"checkpoints": samples, "target": CONFIGMAPS_TARGET}
    memory["configmaps"] = info
    try:
        server.wait_ready()
        idle = settled_memory(server, cfg.settle_seconds)
        memory["idle"].append({"server": "configmaps", **idle})
        samples.append({"configmaps": 0, **idle})
        url, tls = serverproc.kubeconfig_tls(server.kubeconfig)
        trio.run(fill_configmaps, url, tls, server.pid, cfg.configmaps, samples)
    finally:
        server.stop()
    stored = samples[-1]["configmaps"]
    info["stored"] = stored
    info["configmap_bytes"] = len(json.dumps(configmap("cm-000000"), separators=(",", ":")))
    points = [(s["configmaps"], s["rss_mb"]) for s in samples if s.get("rss_mb") is not None]
    info["rss_10k_mb"], info["method"] = extrapolate(points, CONFIGMAPS_TARGET)
    info["extrapolated"] = stored < CONFIGMAPS_TARGET
    if len(points) >= 2:
        (c0, v0), (c1, v1) = points[-2], points[-1]
        info["kib_per_configmap"] = round((v1 - v0) * MIB_KIB / (c1 - c0), 2)
    again = launcher.start(data_dir=data_dir, name="configmaps-again")
    try:
        ready_s = again.wait_ready()
        info["restarted"] = {
            "configmaps": stored,
            "ready_s": round(ready_s, 4),
            **settled_memory(again, cfg.settle_seconds),
        }
    finally:
        again.stop()


# -- the 32-connection load from wrk ---------------------------------------------------------------

WRK = shutil.which("wrk")
# A static token (``--token-auth-file``, ``tls/tokens.csv``) for wrk, which has no client
# certificates; the admin's certificate and this token are both looked up once per request or
# connection, and both map to system:masters.
BENCH_TOKEN = "k3py-bench-" + os.urandom(8).hex()
WRK_NAMESPACE = "bench-wrk"
# wrk runs one thread (one core of two is the server's); each request is made in Lua. Pod names
# count up, so every create is new; patches cycle over the pods the create run made (listed
# after it: wrk may build a request it never sends).
# Both scripts show the first failures on stderr (wrk itself only counts them).
WRK_SHOW_FAILURES_LUA = """
local failed = 0
response = function(status, headers, body)
  if status >= 300 and failed < 3 then
    failed = failed + 1
    io.stderr:write(string.format("HTTP %d: %s\\n", status, body))
  end
end
"""
WRK_CREATE_LUA = (
    """
local n = 0
local token = os.getenv("K3PY_BENCH_TOKEN")
local head = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}
request = function()
  n = n + 1
  local body = string.format(os.getenv("K3PY_BENCH_POD"), n)
  return wrk.format("POST", os.getenv("K3PY_BENCH_PATH"), head, body)
end
"""
    + WRK_SHOW_FAILURES_LUA
)
WRK_PATCH_LUA = (
    """
local n = 0
local pods = {}
for name in io.lines(os.getenv("K3PY_BENCH_PODS")) do pods[#pods + 1] = name end
local token = os.getenv("K3PY_BENCH_TOKEN")
local head = {["Content-Type"] = "application/merge-patch+json", ["Authorization"] = "Bearer " .. token}
request = function()
  n = n + 1
  local path = string.format("%s/%s", os.getenv("K3PY_BENCH_PATH"), pods[(n % #pods) + 1])
  return wrk.format("PATCH", path, head, string.format('{"metadata":{"annotations":{"bench/patch":"%d"}}}', n))
end
"""
    + WRK_SHOW_FAILURES_LUA
)


def wrk_pod_template() -> str:
    """The benchmark's pod as a Lua format string (``%07d``: the counter), like ``pod()``'s body."""
    body = json.dumps(pod("NAME", 0), separators=(",", ":")).replace("%", "%%")
    return body.replace('"name":"NAME"', '"name":"w-%07d"', 1)


def parse_wrk(text: str) -> dict[str, Any]:
    """wrk's ``--latency`` report: requests, rate, latency percentiles, non-2xx and socket errors."""
    out: dict[str, Any] = {"latency": {}}
    units = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
    for line in text.splitlines():
        words = line.split()
        if len(words) == 2 and words[0] in ("50%", "75%", "90%", "99%"):
            number = words[1].rstrip("usm")
            unit = words[1][len(number) :]
            out["latency"][f"p{words[0][:-1]}_ms"] = round(float(number) * units[unit], 4)
        elif line.startswith("Requests/sec:"):
            out["ops_per_s"] = float(words[1])
        elif " requests in " in line:
            out["n"] = int(words[0])
        elif line.strip().startswith("Non-2xx or 3xx responses:"):
            out["non_2xx"] = int(words[-1])
        elif line.strip().startswith("Socket errors:"):
            out["socket_errors"] = line.strip()[len("Socket errors: ") :]
    return out


def wrk_phase(url: str, lua: str, seconds: float, pid: int, env: dict[str, str], work: Path) -> dict[str, Any]:
    """One wrk run of ``MANY`` connections, with the server's CPU per request."""
    assert WRK is not None
    script = work / f"wrk-{os.urandom(4).hex()}.lua"
    script.write_text(lua)
    command = [WRK, "-t1", f"-c{MANY}", f"-d{max(1, round(seconds))}s", "--latency", "-s", str(script), url]
    cpu0 = read_cpu_seconds(pid)
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **env}, timeout=seconds + 30)
    cpu1 = read_cpu_seconds(pid)
    result = parse_wrk(done.stdout)
    if done.returncode != 0 or "ops_per_s" not in result:
        raise Unexpected(f"wrk failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")
    if result.get("non_2xx") or result.get("socket_errors"):
        raise Unexpected(f"wrk saw failures: {result}; the first: {done.stderr.strip()}")
    result["server_cpu_us_per_op"] = ratio((cpu1 - cpu0) * 1e6, result.get("n"), 1)
    result["server_cores"] = ratio(cpu1 - cpu0, seconds, 3)
    return result


def wrk_phases(url: str, tls: ssl.SSLContext, pid: int, cfg: Config, work: Path, *, patch: bool) -> dict[str, Any]:
    """wrk's creates (and patches of what they made) with ``MANY`` connections, into a new namespace."""
    out: dict[str, Any] = {}
    if WRK is None:
        return out
    namespace = {"metadata": {"name": WRK_NAMESPACE}}
    with httpx.Client(base_url=url, verify=tls) as http:
        if patch:
            expect(http.post("/api/v1/namespaces", json=namespace), 201)
    path = f"/api/v1/namespaces/{WRK_NAMESPACE}/pods"
    env = {"K3PY_BENCH_TOKEN": BENCH_TOKEN, "K3PY_BENCH_PATH": path, "K3PY_BENCH_POD": wrk_pod_template()}
    seconds = max(2.0, cfg.phase_seconds)
    log(f"wrk: create pods, {MANY} connections")
    out[f"wrk_create_{MANY}"] = wrk_phase(url, WRK_CREATE_LUA, seconds, pid, env, work)
    if patch:
        log(f"wrk: patch pods, {MANY} connections")
        with httpx.Client(base_url=url, verify=tls, timeout=30.0) as http:
            names = [p["metadata"]["name"] for p in expect(http.get(path), 200)["items"]]
        listing = work / "wrk-pods.txt"
        listing.write_text("".join(f"{name}\n" for name in names))
        env["K3PY_BENCH_PODS"] = str(listing)
        out[f"wrk_patch_{MANY}"] = wrk_phase(url, WRK_PATCH_LUA, seconds, pid, env, work)
    return out


# -- anchors -------------------------------------------------------------------------------------


async def floor_phases(url: str, tls: ssl.SSLContext, floor_pid: int, cfg: Config, out: dict[str, Any]) -> None:
    """The create phases of ``crud_phases``, same bodies and clients, against the HTTP floor."""
    clients = Clients(url, tls)
    try:
        for tasks in (1, MANY):

            async def create(t: int, i: int) -> None:
                expect(
                    await clients.all[t].post("/api/v1/namespaces/floor/pods", json=pod(f"p-{t:02d}-{i:06d}", t)), 201
                )

            log(f"HTTP floor: create, {tasks} client(s)")
            out[f"create_{tasks}"], _ = await measured_http(floor_pid, cfg, tasks, create)
    finally:
        await clients.aclose()


def run_http_floor(work: Path, cfg: Config) -> dict[str, Any]:
    """Start ``http_floor.py`` on a PKI of its own, run ``floor_phases`` against it, stop it by PID."""
    data_dir = work / "floor"
    port = serverproc.free_port()
    command = [sys.executable, str(HERE / "http_floor.py"), str(data_dir), str(port)]
    floor = subprocess.Popen(command, stdout=subprocess.PIPE, env=serverproc.server_env())
    try:
        assert floor.stdout is not None
        readable, _, _ = select.select([floor.stdout], [], [], serverproc.START_TIMEOUT_SECONDS)
        if not readable or floor.stdout.readline().strip() != b"ready":
            raise Unexpected(f"the HTTP floor did not start within {serverproc.START_TIMEOUT_SECONDS} s")
        floor_pki = pki.ensure(data_dir, pki.ServingNames.build())
        tls = ssl.create_default_context(cadata=floor_pki.server_ca_pem.decode())
        with tempfile.TemporaryDirectory(prefix="k3py-floor-client-") as scratch:
            cert, key = Path(scratch) / "client.crt", Path(scratch) / "client.key"
            cert.write_bytes(floor_pki.admin_cert_pem)
            key.write_bytes(floor_pki.admin_key_pem)
            tls.load_cert_chain(cert, key)
        out: dict[str, Any] = {}
        trio.run(floor_phases, f"https://127.0.0.1:{port}", tls, floor.pid, cfg, out)
        out.update(wrk_phases(f"https://127.0.0.1:{port}", tls, floor.pid, cfg, work, patch=False))
        return out
    finally:
        floor.terminate()
        try:
            floor.wait(serverproc.STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            floor.kill()
            floor.wait()


async def store_round_async(directory: Path, cfg: Config) -> dict[str, Any]:
    """The k3py store in-process, on this disk: creates with 1 and 32 writers, and its watch."""
    scfg = store_bench.Config.make(cfg.quick)
    value = store_bench.make_value()
    out: dict[str, Any] = {"durability": "SQLite WAL, synchronous=FULL (one fsync per group commit)"}
    async with open_store(StoreSettings(endpoint=str(directory / "state.db"))) as store:
        for i in range(20):  # compile the statements, fault the code in
            await store.create(f"/registry/bench/warmup/{i}", value)
        for tasks in (1, MANY):

            async def create(t: int, i: int, tasks: int = tasks) -> None:
                await store.create(f"/registry/bench/c{tasks}/{t:02d}/{i:08d}", value)

            log(f"k3py store in-process: create, {tasks} writer(s)")
            out[f"create_{tasks}"] = await store_bench.measured(store, scfg, tasks, create)
        out["watch"] = await store_bench.watch_phase(store, scfg)
    return out


def run_anchor(module: Any, quick: bool, directory: Path) -> dict[str, Any]:
    """The anchors without kine (no ratio here uses it), etcd with ``MANY`` clients like ours."""
    log("anchors: sqlite, etcd")
    res: dict[str, Any] = module.measure(quick=quick, directory=str(directory), skip=("kine",), etcd_clients=MANY)
    return {
        "headline": res.get("headline", {}),
        "errors": res.get("errors", {}),
        "wall_s": res.get("total_wall_s"),
        "loadavg": [res.get("host", {}).get("loadavg_start"), res.get("host", {}).get("loadavg_end")],
        "etcd_rss_kib_end": (res.get("etcd") or {}).get("rss_kib_end"),
    }


# -- the run -------------------------------------------------------------------------------------


def run(cfg: Config, base_dir: Path, out_path: str | None, skip_anchors: bool) -> dict[str, Any]:
    t_all = time.perf_counter()
    base_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="k3py-bench-api-", dir=base_dir))
    base: dict[str, Any] = {
        "schema": SCHEMA,
        "started_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "host": store_bench.host_facts(),
        "params": {
            **asdict(cfg),
            "dir": str(base_dir),
            "clients": [1, MANY],
            "list_pods": LIST_PODS,
            "watch_rate_per_s": WATCH_RATE,
            "memory_unit": "MiB (2**20 bytes); keys say mb",
        },
        "errors": {},
    }
    errors: dict[str, str] = base["errors"]
    phases: dict[str, Any] = {}
    ready: dict[str, Any] | None = None
    memory: dict[str, Any] = {"idle": []}
    store_round: dict[str, Any] | None = None
    anchor_runs: list[dict[str, Any]] = []
    group32_runs: list[dict[str, Any]] = []
    http_floor: dict[str, Any] | None = None
    anchors: Any = None

    def attempt(name: str, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except Exception as exc:  # the other figures are still worth printing
            errors[name] = repr(exc)
            log(f"{name} failed: {exc!r}")
            return None

    def anchor() -> None:
        if anchors is not None:
            run_ = attempt(f"anchors_run_{len(anchor_runs)}", lambda: run_anchor(anchors, cfg.quick, base_dir))
            if run_ is not None:
                anchor_runs.append(run_)

    try:
        if not skip_anchors:
            anchors = attempt("anchors_import", store_bench.load_anchors)
        anchor()
        if anchors is not None and hasattr(anchors, "sqlite_group_commit"):
            log(f"anchors: sqlite group commit, {MANY} rows/COMMIT, synchronous=FULL")
            scratch = work / "group32"
            scratch.mkdir()
            seconds = store_bench.Config.make(cfg.quick).phase_seconds
            value = store_bench.make_value()
            g = attempt(
                "group32", lambda: anchors.sqlite_group_commit(str(scratch), "FULL", MANY, seconds, 200_000, value)
            )
            if g is not None:
                group32_runs.append(g)
        store_dir = work / "store"
        store_dir.mkdir()
        store_round = attempt("store_round", lambda: trio.run(store_round_async, store_dir, cfg))
        with serverproc.Launcher(work, die_with_parent=True) as launcher:
            log(f"start to ready: 1 warm-up, {cfg.ready_fresh} fresh start(s), {cfg.ready_restarts} restart(s)")
            ready = attempt("ready", lambda: measure_ready(launcher, work, cfg))
            attempt("main_server", lambda: run_main_server(launcher, work, cfg, memory, phases))
            attempt("configmaps", lambda: run_configmap_server(launcher, work, cfg, memory))
        if not skip_anchors:
            http_floor = attempt("http_floor", lambda: run_http_floor(work, cfg))
        if cfg.interleave:
            anchor()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    anchor_errors: dict[str, str] = {}
    for r in anchor_runs:
        anchor_errors.update(r["errors"])
    if skip_anchors:
        anchor_errors["import"] = "--skip-anchors"
    elif anchors is None:
        anchor_errors["import"] = errors.get("anchors_import", "anchors not loaded")
    base["host"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    result = assemble(
        base=base,
        phases=phases,
        ready=ready,
        memory=memory,
        store_round=store_round,
        anchor_runs=anchor_runs,
        group32_runs=group32_runs,
        anchor_errors=anchor_errors,
        http_floor=http_floor,
    )
    result["anchors"]["source"] = str(store_bench.shared_bench_dir() / "anchors_datastore.py")
    result["wall_s"] = round(time.perf_counter() - t_all, 2)
    if out_path:
        Path(out_path).write_text(json.dumps(result, indent=1) + "\n")
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="k3py API server benchmark (ratios to anchors in the same run)")
    ap.add_argument("--quick", action="store_true", help="CI mode: finishes within 60 s")
    ap.add_argument("--dir", default=DEFAULT_DIR, help=f"directory on the disk to measure (default {DEFAULT_DIR})")
    ap.add_argument("--out", help="also write the JSON (indented) to this file")
    ap.add_argument("--skip-anchors", action="store_true", help="k3py figures only (ratios are null)")
    args = ap.parse_args(argv)

    def on_term(_signum: int, _frame: object) -> None:
        # As in store.py: SIGTERM becomes Ctrl-C, so every ``finally`` runs and stops the servers.
        signal.raise_signal(signal.SIGINT)

    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, on_term)
    cfg = Config.make(args.quick)
    try:
        result = run(cfg, Path(args.dir), args.out, args.skip_anchors)
    except (KeyboardInterrupt, BaseExceptionGroup) as exc:
        if isinstance(exc, BaseExceptionGroup) and exc.split(KeyboardInterrupt)[1] is not None:
            raise
        log("interrupted; the servers are stopped and the temp dirs removed")
        return 130
    log(f"done in {result['wall_s']} s")
    for line in goal_lines(result["k3py"]["headline"], result["goals"]):
        print(line, flush=True)
    print(json.dumps(result, separators=(",", ":")), flush=True)
    return 1 if result["errors"] or result["anchors"]["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
