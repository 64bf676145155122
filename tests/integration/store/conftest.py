"""Fixtures for the store tests: one contract, proven on every backend (kine's idea)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path

import pytest

from k3py.store import Store, StoreSettings, open_store

OpenStore = Callable[..., AbstractAsyncContextManager[Store]]


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def endpoint(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty datastore of each kind."""
    if request.param == "memory":
        return "memory://"
    if request.param == "sqlite":
        return str(tmp_path / "db" / "state.db")
    return str(request.getfixturevalue("postgres_endpoint"))


@pytest.fixture(params=["sqlite", "postgres"])
def durable_endpoint(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh datastore that keeps its data across reopening."""
    if request.param == "sqlite":
        return str(tmp_path / "db" / "state.db")
    return str(request.getfixturevalue("postgres_endpoint"))


@pytest.fixture
def open_at(endpoint: str) -> OpenStore:
    """``open_at(**settings)`` opens the test's datastore with those settings."""

    def opener(**overrides: object) -> AbstractAsyncContextManager[Store]:
        return open_store(StoreSettings(endpoint=endpoint, **overrides))  # type: ignore[arg-type]

    return opener


@pytest.fixture
async def store(open_at: OpenStore) -> AsyncIterator[Store]:
    async with open_at() as st:
        yield st
