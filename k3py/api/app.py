"""The ASGI application hypercorn serves: routing, health checks and error rendering.

It owns the HTTP face of the server and nothing below it: it reads the store it is handed and
never opens one. For now it answers the health endpoints (``/readyz``, ``/livez``, ``/healthz``)
and renders every other path as a Kubernetes ``NotFound`` Status. No web framework: the ASGI
surface needed here is three message types, and the real API will route through its registry.

The health endpoints answer 503 as soon as the store stops working (``Store.failure``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from k3py.core import errors

if TYPE_CHECKING:
    from k3py.store import Store

logger = logging.getLogger(__name__)

# ASGI's callables. ``send`` takes ``Any`` so that a server's narrower typed send (hypercorn's
# TypedDict union) is accepted where this app is passed in.
Scope = Mapping[str, Any]
Receive = Callable[[], Awaitable[Mapping[str, Any]]]
Send = Callable[[Any], Awaitable[None]]

HEALTH_PATHS = frozenset({"/readyz", "/livez", "/healthz"})


class App:
    """The ASGI app of one server; see the module docstring for how health is decided."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @property
    def healthy(self) -> bool:
        """Whether the health checks pass: the store is working."""
        return self.store.failure is None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._http(scope, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)
        elif kind == "websocket":
            await send({"type": "websocket.close", "code": 1008})  # 403 before the handshake
        else:
            raise ValueError(f"unsupported ASGI scope type {kind!r}")

    async def _http(self, scope: Scope, send: Send) -> None:
        path = scope["path"]
        if path not in HEALTH_PATHS:
            await _send_status(send, errors.NotFound("the server could not find the requested resource"))
            return
        if scope["method"] != "GET":
            await _send_status(send, errors.MethodNotSupported(f"{scope['method']} is not supported on {path}"))
            return
        if self.healthy:
            await _send(send, 200, "text/plain; charset=utf-8", b"ok")
        else:
            # The reason stays in the server log: health endpoints answer anyone (as the
            # apiserver's "reason withheld").
            await _send(send, 503, "text/plain; charset=utf-8", f"{path[1:]} check failed: datastore\n".encode())

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        message = await receive()
        if message["type"] != "lifespan.startup":
            raise ValueError(f"expected lifespan.startup, got {message['type']!r}")
        await send({"type": "lifespan.startup.complete"})
        message = await receive()
        if message["type"] != "lifespan.shutdown":
            raise ValueError(f"expected lifespan.shutdown, got {message['type']!r}")
        await send({"type": "lifespan.shutdown.complete"})


def make_app(store: Store) -> App:
    """The ASGI app serving ``store``."""
    return App(store)


async def _send_status(send: Send, exc: errors.K3pyError) -> None:
    body = json.dumps(errors.to_status(exc), separators=(",", ":")).encode()
    await _send(send, exc.code, "application/json", body)


async def _send(send: Send, code: int, content_type: str, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": code,
            "headers": [
                (b"content-type", content_type.encode()),
                (b"content-length", str(len(body)).encode()),
                # as the apiserver does: clients must not sniff a Status into something else
                (b"x-content-type-options", b"nosniff"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
