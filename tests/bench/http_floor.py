#!/usr/bin/env python3
"""The HTTP floor for ``tests/bench/api.py``: hypercorn's trio worker serving an app that does nothing.

Usage (the API benchmark starts it; by hand only to look at it)::

    .venv/bin/python tests/bench/http_floor.py DATA_DIR PORT

It serves HTTPS on 127.0.0.1:PORT exactly as ``k3py server`` does (hypercorn's trio worker, the
TLS context of ``k3py.api.auth.server_ssl_context`` over a k3py PKI made in DATA_DIR, client
certificates asked for), with an ASGI app that reads the request body and answers 201 with it,
as a create answers with the object. What k3py adds on top (authentication, decoding, defaults,
validation, managedFields, the store, encoding) is all the API benchmark's figures minus these:
a create rate close to this floor means the HTTP server, not k3py, sets the limit.

It prints ``ready`` on stdout once listening and serves until SIGTERM or SIGINT.
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import hypercorn.config
import hypercorn.trio
import trio

from k3py.api import auth, pki

if TYPE_CHECKING:
    from hypercorn.typing import ASGIFramework

Message = dict[str, Any]


async def echo_app(scope: Message, receive: Any, send: Any) -> None:
    """201 with the request's body (a create's answer is the object, about the same size)."""
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    body = bytearray()
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 201, "headers": headers})
    await send({"type": "http.response.body", "body": bytes(body)})


class FloorConfig(hypercorn.config.Config):
    """hypercorn's config with the TLS context ``k3py server`` uses (``server._TLSConfig``)."""

    def __init__(self, server_pki: pki.ServerPKI, port: int) -> None:
        super().__init__()
        self.server_pki = server_pki
        self.bind = [f"127.0.0.1:{port}"]
        self.certfile = str(server_pki.serving_cert_file)
        self.keyfile = str(server_pki.serving_key_file)
        self.ca_certs = str(server_pki.client_ca_file)
        self.alpn_protocols = ["h2", "http/1.1"]
        self.accesslog = None

    def create_ssl_context(self) -> Any:
        return auth.server_ssl_context(
            self.server_pki.serving_cert_file,
            self.server_pki.serving_key_file,
            self.server_pki.client_ca_file,
            alpn=self.alpn_protocols,
        )


async def serve(data_dir: Path, port: int) -> None:
    server_pki = pki.ensure(data_dir, pki.ServingNames.build())
    stop = trio.Event()

    async def on_signals() -> None:
        with trio.open_signal_receiver(signal.SIGTERM, signal.SIGINT) as signals:
            async for _ in signals:
                stop.set()
                return

    async with trio.open_nursery() as nursery:
        nursery.start_soon(on_signals)
        app, config = cast("ASGIFramework", echo_app), FloorConfig(server_pki, port)
        await nursery.start(
            lambda task_status: hypercorn.trio.serve(app, config, shutdown_trigger=stop.wait, task_status=task_status)
        )
        print("ready", flush=True)
        await stop.wait()
        nursery.cancel_scope.cancel()


def main(argv: list[str]) -> int:
    data_dir, port = Path(argv[0]), int(argv[1])
    trio.run(serve, data_dir, port)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
