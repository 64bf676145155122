"""Fixtures for scheduler tests: the API in process over a memory store, reached by the Client
(the same as the controllers' tests), and builders of Node and Pod objects."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import trio
import trio.testing

from k3py.api import bootstrap
from k3py.api.app import App
from k3py.api.client import AppTransport, Client
from k3py.store import StoreSettings, open_store


@pytest.fixture
async def app() -> AsyncIterator[App]:
    async with open_store(StoreSettings(endpoint="memory://", max_revisions=1000)) as store:
        application = App(store)
        await bootstrap.ensure_defaults(application.resources, application.registry)
        yield application


@pytest.fixture
async def client(app: App) -> AsyncIterator[Client]:
    async with trio.open_nursery() as nursery:
        async with httpx.AsyncClient(transport=AppTransport(app, nursery), base_url="https://k3py") as http:
            yield Client(http, field_manager="test")
        nursery.cancel_scope.cancel()


@pytest.fixture
def autojump_clock() -> trio.testing.MockClock:
    """Virtual time that jumps ahead only when every task has waited a little real time: the store's
    writer thread answers within that, so its waits are not mistaken for idleness."""
    return trio.testing.MockClock(autojump_threshold=0.02)
