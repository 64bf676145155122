"""Fixtures for the fleet tests: the API in process over a memory store, reached by Clients."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest
import trio

from k3py.api import bootstrap
from k3py.api.app import App
from k3py.api.client import AppTransport, Client
from k3py.store import StoreSettings, open_store

ClientFor = Callable[[str], Client]


@pytest.fixture
async def app() -> AsyncIterator[App]:
    async with open_store(StoreSettings(endpoint="memory://")) as store:
        application = App(store)
        await bootstrap.ensure_defaults(application.resources, application.registry)
        yield application


@pytest.fixture
async def client_for(app: App) -> AsyncIterator[ClientFor]:
    """A Client per field manager, all on one in-process transport."""
    async with trio.open_nursery() as nursery:
        async with httpx.AsyncClient(transport=AppTransport(app, nursery), base_url="https://k3py") as http:
            yield lambda manager: Client(http, field_manager=manager)
        nursery.cancel_scope.cancel()
