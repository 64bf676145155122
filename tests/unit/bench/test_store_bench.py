"""The pure parts of the store benchmark (tests/bench/store.py): percentiles, ratios, goals."""

from __future__ import annotations

from pathlib import Path

import pytest

from ...support.modules import load_module

BENCH = Path(__file__).resolve().parents[2] / "bench" / "store.py"


bench = load_module("k3py_bench_store", BENCH)


def test_percentile_is_nearest_rank() -> None:
    values = [float(i) for i in range(1, 101)]
    assert bench.percentile(values, 50) == 50.0
    assert bench.percentile(values, 99) == 99.0
    assert bench.percentile(values, 100) == 100.0
    assert bench.percentile([3.0], 99) == 3.0
    assert bench.percentile([], 50) is None
    assert bench.percentile([1.0, 2.0, 3.0, 4.0], 0) == 1.0


def test_lat_summary_in_milliseconds() -> None:
    summary = bench.lat_summary([0.003, 0.001, 0.002])
    assert summary == {"n": 3, "p50_ms": 2.0, "p90_ms": 3.0, "p99_ms": 3.0, "max_ms": 3.0, "mean_ms": 2.0}
    assert bench.lat_summary([]) == {"n": 0}


def test_ratio_handles_missing_and_zero() -> None:
    assert bench.ratio(5.0, 10.0) == 0.5
    assert bench.ratio(None, 10.0) is None
    assert bench.ratio(5.0, None) is None
    assert bench.ratio(5.0, 0.0) is None


def test_merge_headlines_takes_the_median_per_key() -> None:
    merged = bench.merge_headlines([{"a": 1.0, "b": 5.0}, {"a": 3.0}, {"a": 2.0, "c": 7.0}])
    assert merged == {"a": 2.0, "b": 5.0, "c": 7.0}


def test_per_hour_extrapolation() -> None:
    assert bench.per_hour(1000, 60.0) == 60_000.0
    assert bench.per_hour(1000, 0.0) is None


def test_ratios_and_goals() -> None:
    k3py = {
        "create_16_per_s": 20_000.0,
        "create_1_per_s": 1_000.0,
        "watch_p99_ms": 2.0,
        "idle_write_bytes_per_hour": 500_000.0,
    }
    anchors = {
        "sqlite_group100_full_rows_per_s": 30_000.0,
        "etcd_put_16c_per_s": 2_000.0,
        "kine_watch_notify_p99_ms": 4.0,
        "kine_watch_poll1s_p99_ms": 1000.0,
    }
    ratios, notes = bench.compute_ratios(k3py, anchors, {})
    assert ratios["create_16_vs_sqlite_group_commit"] == pytest.approx(0.6667, abs=1e-4)
    assert ratios["create_16_vs_etcd"] == 10.0
    assert ratios["watch_p99_vs_kine"] == 0.5
    assert ratios["watch_p99_vs_kine_poll1s"] == 0.002
    assert ratios["watch_p99_ms"] == 2.0
    assert ratios["idle_write_bytes_per_hour"] == 500_000.0
    assert "create_16_vs_etcd" not in notes
    assert bench.check_goals(ratios) == {
        "create_16_vs_sqlite_group_commit_ge_0_5": True,
        "create_16_vs_etcd_ge_1": True,
        "watch_p99_ms_lt_5": True,
        "idle_write_bytes_per_hour_lt_1mib": True,
    }


def test_missing_etcd_gives_null_ratio_with_reason() -> None:
    k3py = {"create_16_per_s": 10_000.0, "watch_p99_ms": 9.0, "idle_write_bytes_per_hour": 2.0 * 2**20}
    anchors = {"sqlite_group100_full_rows_per_s": 40_000.0}
    ratios, notes = bench.compute_ratios(k3py, anchors, {"etcd": "RuntimeError('etcd binary not found')"})
    assert ratios["create_16_vs_etcd"] is None
    assert "etcd binary not found" in notes["create_16_vs_etcd"]
    goals = bench.check_goals(ratios)
    assert goals["create_16_vs_etcd_ge_1"] is None
    assert goals["create_16_vs_sqlite_group_commit_ge_0_5"] is False
    assert goals["watch_p99_ms_lt_5"] is False
    assert goals["idle_write_bytes_per_hour_lt_1mib"] is False


def test_parse_proc_io() -> None:
    text = "rchar: 10\nwchar: 20\nsyscr: 1\nsyscw: 2\nread_bytes: 0\nwrite_bytes: 4096\ncancelled_write_bytes: 0\n"
    assert bench.parse_proc_io(text)["write_bytes"] == 4096
    assert bench.parse_proc_io(text)["wchar"] == 20


def test_lease_object_renewals_are_coalescable() -> None:
    from k3py.store import coalesce

    old, new = bench.lease_object("2026-01-01T00:00:00.000000Z"), bench.lease_object("2026-01-01T00:00:10.000000Z")
    assert old != new
    assert coalesce.is_renewal_only(bench.LEASE_KEY, old, new)


def test_values_are_one_kib_and_carry_their_tag() -> None:
    value = bench.make_value(42)
    assert len(value) == 1024
    assert int.from_bytes(value[:8], "big") == 42
