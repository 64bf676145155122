"""The pure parts of the API server benchmark (tests/bench/api.py): percentiles, goals, ratios,
extrapolation, /proc parsing and the JSON it prints."""

from __future__ import annotations

import json
import ssl
from pathlib import Path
from typing import Any

import pytest

from k3py.api import auth, kubeconfig, pki

from ...support.modules import load_module

BENCH = Path(__file__).resolve().parents[2] / "bench" / "api.py"


bench = load_module("k3py_bench_api", BENCH)


def test_percentiles_are_nearest_rank_like_the_store_bench_and_the_anchors() -> None:
    values = [float(i) for i in range(1, 101)]
    assert bench.percentile(values, 50) == 50.0
    assert bench.percentile(values, 99) == 99.0
    assert bench.percentile([], 99) is None
    assert bench.lat_summary([0.003, 0.001, 0.002]) == {
        "n": 3,
        "p50_ms": 2.0,
        "p90_ms": 3.0,
        "p99_ms": 3.0,
        "max_ms": 3.0,
        "mean_ms": 2.0,
    }


def test_an_event_before_the_answer_is_a_wait_of_zero() -> None:
    assert bench.waits_after_response([-0.002, 0.0, 0.003]) == [0.0, 0.0, 0.003]
    assert bench.lat_summary(bench.waits_after_response([-0.001] * 99 + [0.004]))["p99_ms"] == 0.0


def test_goals_pass_fail_and_missing() -> None:
    figures = {
        "idle_rss_mb": 59.9,
        "ready_s": 1.0,  # not < 1
        "creates_per_s_32": 1000.0,  # >= 1000
        "mutating_p99_ms_32": 51.0,
        "watch_p99_ms": None,
    }
    assert bench.check_goals(figures) == {
        "idle_rss_lt_60mb": True,
        "ready_lt_1s": False,
        "creates_32_ge_1000_per_s": True,
        "mutating_p99_32_lt_50ms": False,
        "watch_p99_lt_10ms": None,
    }


def test_goal_with_an_unknown_comparison_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown comparison"):
        bench.check_goals({"x": 1.0}, {"x_goal": ("x", "<=", 2.0, "x <= 2")})


def test_goal_lines_name_the_verdict_and_the_figure() -> None:
    figures = {"idle_rss_mb": 64.9, "ready_s": 0.9}
    goals = {
        "idle_rss_lt_60mb": ("idle_rss_mb", "<", 60.0, "idle RSS < 60 MiB"),
        "ready_lt_1s": ("ready_s", "<", 1.0, "ready < 1 s"),
        "watch": ("watch_p99_ms", "<", 10.0, "watch p99 < 10 ms"),
    }
    results = bench.check_goals(figures, goals)
    assert bench.goal_lines(figures, results, goals) == [
        "goal FAIL: idle RSS < 60 MiB (idle_rss_mb = 64.9)",
        "goal PASS: ready < 1 s (ready_s = 0.9)",
        "goal MISSING: watch p99 < 10 ms (watch_p99_ms = None)",
    ]


def test_ratios_divide_by_the_anchor_and_say_why_one_is_missing() -> None:
    k3py = {"creates_per_s_32": 300.0, "creates_per_s_1": 100.0, "watch_p99_ms": 20.0}
    anchors = {"store_create_32_per_s": 15_000.0, "etcd_put_1c_per_s": 800.0, "store_watch_p99_ms": 5.0}
    ratios, notes = bench.compute_ratios(k3py, anchors, {"etcd": "RuntimeError('etcd binary not found')"})
    assert ratios["creates_32_vs_store_create_32"] == 0.02
    assert ratios["creates_1_vs_etcd_put_1"] == 0.125
    assert ratios["watch_p99_vs_store_watch_p99"] == 4.0
    assert ratios["creates_32_vs_etcd_put_32"] is None
    assert "etcd binary not found" in notes["creates_32_vs_etcd_put_32"]
    assert ratios["gets_1_vs_etcd_get"] is None
    assert notes["gets_1_vs_etcd_get"] == "k3py figure gets_per_s_1 is missing"
    assert "creates_32_vs_store_create_32" not in notes


def test_extrapolation_uses_the_growth_between_the_last_two_samples() -> None:
    value, how = bench.extrapolate([(0, 60.0), (1000, 80.0), (2000, 85.0)], 10_000)
    assert value == 125.0  # 85 + 5/1000 * 8000, not 60 + 25/2000 * 10000
    assert "extrapolated" in how
    assert "2000" in how
    value, how = bench.extrapolate([(0, 60.0), (10_000, 110.0)], 10_000)
    assert (value, how) == (110.0, "measured with 10000 objects")
    assert bench.extrapolate([(500, 70.0)], 10_000)[0] is None
    assert bench.extrapolate([], 10_000) == (None, "not measured")


def test_quick_stores_fewer_configmaps_and_the_full_run_the_target() -> None:
    quick, full = bench.Config.make(True), bench.Config.make(False)
    assert quick.configmaps[-1] < bench.CONFIGMAPS_TARGET
    assert full.configmaps[-1] == bench.CONFIGMAPS_TARGET
    assert len(quick.configmaps) >= 2  # a slope to extrapolate with


def test_proc_parsing() -> None:
    status = "Name:\tpython3\nVmHWM:\t   66132 kB\nVmRSS:\t   66092 kB\nRssAnon:\t   43136 kB\nThreads:\t3\n"
    assert bench.parse_kib_fields(status) == {"VmHWM": 66132, "VmRSS": 66092, "RssAnon": 43136}
    stat = "4242 (k3py (server) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 37 0 0 20 0 3 0 1 0 0"
    assert bench.parse_stat_cpu_ticks(stat) == 287
    assert bench.mib(66092) == 64.54
    assert bench.mib(None) is None


def _phase(rate: float, p50: float, p99: float) -> dict[str, Any]:
    return {
        "ops_per_s": rate,
        "latency": {"p50_ms": p50, "p99_ms": p99},
        "server_cpu_us_per_op": 2000.0,
        "client_cpu_us_per_op": 1500.0,
    }


def _watch(p99: float, from_start_p99: float) -> dict[str, Any]:
    return {"from_response": {"p50_ms": 0.0, "p99_ms": p99}, "from_write_start": {"p99_ms": from_start_p99}}


def test_assemble_puts_the_asked_for_keys_first_and_judges_the_goals() -> None:
    phases = {
        "create_1": _phase(100.0, 9.0, 15.0),
        "create_32": _phase(1200.0, 20.0, 40.0),
        "update_32": _phase(1100.0, 22.0, 45.0),
        "get_1": _phase(300.0, 3.0, 6.0),
        "mutating_32": {"p99_ms": 44.0},
        "watch_1": _watch(0.5, 8.0),
        "watch_32": _watch(2.0, 30.0),
    }
    ready = {"fresh_s": [0.8, 0.9, 1.2], "restart_s": [0.7]}
    memory = {
        "idle": [{"rss_mb": 58.0, "pss_mb": 40.0, "rss_anon_mb": 36.0}, {"rss_mb": 59.0}],
        "configmaps": {"rss_10k_mb": 150.0, "extrapolated": True, "stored": 1000, "restarted": {"rss_mb": 70.0}},
    }
    store_round = {
        "create_1": {"ops_per_s": 1000.0},
        "create_32": {"ops_per_s": 12_000.0},
        "watch": {"latency_from_write_start": {"p99_ms": 4.0}},
    }
    anchor_runs = [{"headline": {"etcd_put_32c_per_s": 2000.0, "etcd_put_1c_per_s": 800.0}}]
    result = bench.assemble(
        base={"schema": bench.SCHEMA, "errors": {}},
        phases=phases,
        ready=ready,
        memory=memory,
        store_round=store_round,
        anchor_runs=anchor_runs,
        group32_runs=[{"rows_per_s": 24_000.0}],
        anchor_errors={},
    )
    asked = [
        "idle_rss_mb",
        "rss_10k_configmaps_mb",
        "ready_s",
        "creates_per_s_32",
        "mutating_p99_ms_32",
        "watch_p99_ms",
    ]
    assert list(result)[2 : 2 + len(asked)] == asked
    assert [result[k] for k in asked] == [58.5, 150.0, 0.9, 1200.0, 44.0, 8.0]
    headline = result["k3py"]["headline"]
    assert headline["configmaps_stored"] == 1000
    assert headline["rss_10k_configmaps_extrapolated"] is True
    assert headline["ready_restart_s"] == 0.7
    assert headline["watch_p99_ms_32"] == 30.0
    assert headline["watch_after_answer_p99_ms"] == 0.5
    assert headline["gets_per_s_32"] is None
    assert result["anchors"]["figures"]["sqlite_group32_full_rows_per_s"] == 24_000.0
    assert result["anchors"]["figures"]["store_create_32_per_s"] == 12_000.0
    assert result["ratios"]["creates_32_vs_etcd_put_32"] == 0.6
    assert result["ratios"]["creates_32_vs_sqlite_group32"] == 0.05
    assert result["ratios"]["watch_p99_vs_store_watch_p99"] == 2.0
    assert result["goals"] == {
        "idle_rss_lt_60mb": True,
        "ready_lt_1s": True,
        "creates_32_ge_1000_per_s": True,
        "mutating_p99_32_lt_50ms": True,
        "watch_p99_lt_10ms": True,
    }
    json.dumps(result)  # the printed line must be JSON


def test_assemble_without_measurements_leaves_every_figure_null() -> None:
    result = bench.assemble(
        base={},
        phases={},
        ready=None,
        memory=None,
        store_round=None,
        anchor_runs=[],
        group32_runs=[],
        anchor_errors={"import": "--skip-anchors"},
    )
    assert result["idle_rss_mb"] is None
    assert set(result["goals"].values()) == {None}
    assert result["ratio_notes"]["creates_32_vs_store_create_32"] == "k3py figure creates_per_s_32 is missing"


def test_kubeconfig_tls_trusts_the_ca_and_presents_the_client_certificate(tmp_path: Path) -> None:
    """A TLS handshake in memory against the server's own context: the CA verifies the serving
    certificate and the server receives the admin client certificate."""
    server_pki = pki.ensure(tmp_path / "data", pki.ServingNames.build())
    path = tmp_path / "kubeconfig.yaml"
    kubeconfig.write(path, "https://127.0.0.1:6443", server_pki)
    url, client_context = bench.serverproc.kubeconfig_tls(path)
    assert url == "https://127.0.0.1:6443"
    server_context = auth.server_ssl_context(
        server_pki.serving_cert_file, server_pki.serving_key_file, server_pki.client_ca_file, alpn=["http/1.1"]
    )
    to_server, to_client = ssl.MemoryBIO(), ssl.MemoryBIO()
    client = client_context.wrap_bio(to_client, to_server, server_hostname="127.0.0.1")
    server = server_context.wrap_bio(to_server, to_client, server_side=True)
    done = {"client": False, "server": False}
    for _ in range(10):
        for name, side in (("client", client), ("server", server)):
            if not done[name]:
                try:
                    side.do_handshake()
                    done[name] = True
                except ssl.SSLWantReadError:
                    pass
    assert done == {"client": True, "server": True}
    peer = server.getpeercert()
    assert peer is not None
    assert dict(pair for rdn in peer["subject"] for pair in rdn)["organizationName"] == "system:masters"
    assert list(tmp_path.glob("**/client.key")) == []  # the key's temp copy is gone


WRK_REPORT = """Running 2s test @ https://127.0.0.1:37725
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    30.38ms    2.78ms  61.71ms   92.24%
    Req/Sec     1.05k   190.73     1.29k    66.00%
  Latency Distribution
     50%  850.00us
     75%   30.68ms
     90%   32.34ms
     99%    1.20s
  2084 requests in 2.00s, 1.82MB read
  Non-2xx or 3xx responses: 3
Requests/sec:   1042.40
Transfer/sec:      0.91MB
"""


def test_wrk_report_is_read_in_milliseconds_with_its_failures() -> None:
    result = bench.parse_wrk(WRK_REPORT)
    assert result["latency"] == {"p50_ms": 0.85, "p75_ms": 30.68, "p90_ms": 32.34, "p99_ms": 1200.0}
    assert result["ops_per_s"] == 1042.4
    assert result["n"] == 2084
    assert result["non_2xx"] == 3


def test_wrk_pod_is_the_benchmark_pod_with_a_counted_name() -> None:
    template = bench.wrk_pod_template()
    assert template.count("%07d") == 1
    body = json.loads(template % 42)
    expected = bench.pod("w-0000042", 0)
    assert body == expected


def test_wrk_figures_replace_the_32_client_ones_and_keep_httpx_beside_them() -> None:
    httpx_create = {"ops_per_s": 500.0, "latency": {"p99_ms": 80.0}}
    phases = {
        "create_32": httpx_create,
        "mutating_32": {"p99_ms": 90.0},
        "wrk_create_32": {"ops_per_s": 1000.0, "latency": {"p99_ms": 40.0}, "server_cpu_us_per_op": 900.0},
        "wrk_patch_32": {"ops_per_s": 800.0, "latency": {"p99_ms": 45.0}},
    }
    h = bench.phase_figures(phases)
    assert (h["creates_per_s_32"], h["creates_per_s_32_httpx"]) == (1000.0, 500.0)
    assert (h["mutating_p99_ms_32"], h["mutating_p99_ms_32_httpx"]) == (45.0, 90.0)
    assert h["patches_per_s_32"] == 800.0
