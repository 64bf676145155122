"""Datastore endpoints become SQLAlchemy URLs, and error messages name them without the password."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from k3py.store.sql import SqlBackend, sqlalchemy_url


@pytest.mark.parametrize(
    ("endpoint", "url"),
    [
        ("postgres://k3s:pw@db.example:5432/kubernetes", "postgresql+psycopg://k3s:pw@db.example:5432/kubernetes"),
        ("postgresql://k3s:pw@db.example/kubernetes", "postgresql+psycopg://k3s:pw@db.example/kubernetes"),
        (
            "postgres://k3s@/kubernetes?host=/run/postgresql",
            "postgresql+psycopg://k3s@/kubernetes?host=/run/postgresql",
        ),
        ("postgres://k3s:p%40ss@db/k?sslmode=require", "postgresql+psycopg://k3s:p%40ss@db/k?sslmode=require"),
    ],
)
def test_sqlalchemy_url_postgres_schemes_map_to_psycopg_keeping_the_rest(endpoint: str, url: str) -> None:
    assert sqlalchemy_url(endpoint) == url


@pytest.mark.parametrize(
    ("endpoint", "url"),
    [
        pytest.param("sqlite:////var/lib/k3py/state.db", "sqlite:////var/lib/k3py/state.db", id="sqlalchemy-absolute"),
        pytest.param(
            "sqlite:///var/lib/k3py/state.db?_journal=WAL&cache=shared",
            "sqlite:////var/lib/k3py/state.db",
            id="kine-absolute-with-driver-options",
        ),
        pytest.param("sqlite:///:memory:", "sqlite://", id="memory"),
        pytest.param("sqlite://", "sqlite://", id="empty-is-memory"),
    ],
)
def test_sqlalchemy_url_sqlite_endpoints(endpoint: str, url: str) -> None:
    assert sqlalchemy_url(endpoint) == url


def test_sqlalchemy_url_absolute_path_becomes_sqlite_url() -> None:
    assert sqlalchemy_url("/var/lib/k3py/state.db") == "sqlite:////var/lib/k3py/state.db"


def test_sqlalchemy_url_relative_path_is_resolved_against_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert sqlalchemy_url("db/state.db") == "sqlite:///" + os.path.join(os.getcwd(), "db", "state.db")


def test_sql_backend_postgres_location_hides_password() -> None:
    backend = SqlBackend("postgres://k3s:hunter2@db.example:5432/kubernetes")
    assert not backend.is_sqlite
    assert backend.location == "postgresql+psycopg://k3s:***@db.example:5432/kubernetes"
    assert backend.url.password == "hunter2"  # the connection itself still has it


def test_sql_backend_postgres_location_hides_percent_encoded_password() -> None:
    backend = SqlBackend("postgres://k3s:p%40ss%2Fw0rd@db/kubernetes")
    assert "p%40ss" not in backend.location and "p@ss" not in backend.location
    assert backend.location == "postgresql+psycopg://k3s:***@db/kubernetes"
    assert backend.url.password == "p@ss/w0rd"


def test_sql_backend_postgres_location_hides_password_in_query() -> None:
    backend = SqlBackend("postgres://k3s@db/kubernetes?password=hunter2&sslmode=require")
    assert "hunter2" not in backend.location
    assert "sslmode=require" in backend.location


def test_sql_backend_postgres_location_without_password_names_socket_host() -> None:
    backend = SqlBackend("postgres://k3s@/kubernetes?host=/run/postgresql")
    assert "***" not in backend.location
    url = sa.make_url(backend.location)
    assert (url.username, url.database, url.query.get("host")) == ("k3s", "kubernetes", "/run/postgresql")


@pytest.mark.parametrize(
    ("endpoint", "location"),
    [
        ("/var/lib/k3py/state.db", "/var/lib/k3py/state.db"),
        ("sqlite:////var/lib/k3py/state.db", "/var/lib/k3py/state.db"),
        ("sqlite:///:memory:", ":memory:"),
    ],
)
def test_sql_backend_sqlite_location_is_file_path(endpoint: str, location: str) -> None:
    backend = SqlBackend(endpoint)
    assert backend.is_sqlite
    assert backend.location == location


def test_sql_backend_constructor_does_not_connect() -> None:
    """Building the backend only parses the endpoint: an unreachable server fails later, in open()."""
    backend = SqlBackend("postgres://k3s@203.0.113.1:1/unreachable")
    assert backend.location == "postgresql+psycopg://k3s@203.0.113.1:1/unreachable"


def test_describe_names_datastores_without_password() -> None:
    from k3py.store import describe

    assert describe("postgres://k3s:hunter2@db/kubernetes") == "postgresql+psycopg://k3s:***@db/kubernetes"
    assert describe("/var/lib/k3py/db/state.db") == "/var/lib/k3py/db/state.db"
    assert describe("memory://") == "memory"
