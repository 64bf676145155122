"""The command line: flags, K3s-style environment variables and defaults, version, exit codes."""

from __future__ import annotations

import platform
import socket
from pathlib import Path

import pytest

import k3py
from k3py import cli, server

ENV_VARS = ("K3PY_DATA_DIR", "K3PY_DATASTORE_ENDPOINT", "K3PY_NODE_NAME", "K3PY_TOKEN", "K3PY_DEBUG")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)


def parse(*argv: str) -> server.ServerConfig:
    return cli.server_config(cli.build_parser().parse_args(["server", *argv]))


def test_server_defaults_follow_k3s() -> None:
    config = parse()
    assert config == server.ServerConfig(
        data_dir=Path("/var/lib/k3py"),
        https_listen_port=6443,
        bind_address="0.0.0.0",
        datastore_endpoint="",
        node_name=socket.gethostname().lower(),
        token="",
        write_kubeconfig=Path("/etc/k3py/k3py.yaml"),
        disable_agent=False,
        debug=False,
    )
    assert config.datastore == "/var/lib/k3py/db/state.db"


def test_server_flags_override_defaults() -> None:
    config = parse(
        "-d",
        "/srv/k3py",
        "--https-listen-port",
        "7443",
        "--bind-address",
        "127.0.0.1",
        "--datastore-endpoint",
        "postgres://k3py:secret@db:5432/k3py",
        "--node-name",
        "pi-1",
        "--token",
        "s3cret",
        "--write-kubeconfig",
        "/tmp/kubeconfig.yaml",
        "--disable-agent",
        "--debug",
    )
    assert config == server.ServerConfig(
        data_dir=Path("/srv/k3py"),
        https_listen_port=7443,
        bind_address="127.0.0.1",
        datastore_endpoint="postgres://k3py:secret@db:5432/k3py",
        node_name="pi-1",
        token="s3cret",
        write_kubeconfig=Path("/tmp/kubeconfig.yaml"),
        disable_agent=True,
        debug=True,
    )
    assert config.datastore == "postgres://k3py:secret@db:5432/k3py"


def test_server_environment_variables_set_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("K3PY_DATA_DIR", "/data/k3py")
    monkeypatch.setenv("K3PY_DATASTORE_ENDPOINT", "/data/other.db")
    monkeypatch.setenv("K3PY_NODE_NAME", "edge-7")
    monkeypatch.setenv("K3PY_TOKEN", "from-env")
    monkeypatch.setenv("K3PY_DEBUG", "true")
    config = parse()
    assert (config.data_dir, config.datastore, config.node_name, config.token, config.debug) == (
        Path("/data/k3py"),
        "/data/other.db",
        "edge-7",
        "from-env",
        True,
    )


def test_server_flags_win_over_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("K3PY_DATA_DIR", "/data/k3py")
    monkeypatch.setenv("K3PY_NODE_NAME", "edge-7")
    config = parse("--data-dir", "/flag", "--node-name", "flag-node")
    assert (config.data_dir, config.node_name) == (Path("/flag"), "flag-node")


def test_server_datastore_defaults_to_sqlite_under_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("K3PY_DATA_DIR", "/data/k3py")
    assert parse().datastore == "/data/k3py/db/state.db"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("1", True, id="one"),
        pytest.param("TRUE", True, id="upper-true"),
        pytest.param("0", False, id="zero"),
        pytest.param("false", False, id="false"),
        pytest.param("", False, id="empty"),
    ],
)
def test_env_bool_parses_like_k3s(monkeypatch: pytest.MonkeyPatch, value: str, expected: bool) -> None:
    monkeypatch.setenv("K3PY_DEBUG", value)
    assert cli.env_bool("K3PY_DEBUG") is expected


def test_main_with_bad_debug_env_exits_2(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("K3PY_DEBUG", "maybe")
    assert cli.main(["server"]) == 2
    assert "K3PY_DEBUG" in capsys.readouterr().err


def test_token_is_not_in_the_config_repr() -> None:
    assert "s3cret" not in repr(parse("--token", "s3cret"))


@pytest.mark.parametrize("port", ["0", "65536", "http"])
def test_main_rejects_bad_port(port: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["server", "--https-listen-port", port]) == 2
    assert "--https-listen-port" in capsys.readouterr().err


def test_main_version_prints_version_and_python(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--version"]) == 0
    out = capsys.readouterr().out.strip()
    assert out == f"k3py version v{k3py.__version__} (python {platform.python_version()})"


def test_main_without_command_prints_usage_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([]) == 2
    assert "server" in capsys.readouterr().err


def test_main_has_no_agent_or_hub_command_yet(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["agent"]) == 2
    assert cli.main(["hub"]) == 2
    assert "invalid choice" in capsys.readouterr().err


def test_main_on_unusable_datastore_prints_one_error_line_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli, "setup_logging", lambda *, debug: None)  # keep pytest's log capture
    db = tmp_path / "db" / "state.db"
    db.parent.mkdir()
    db.write_bytes(b"garbage " * 1000)
    code = cli.main(["server", "-d", str(tmp_path), "--bind-address", "127.0.0.1"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("k3py: error: ")
    assert str(db) in err
    assert "not a SQLite database" in err
    assert "Traceback" not in err
