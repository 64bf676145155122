"""One MQTT 5 session, paho-mqtt driven from trio: its socket watched by trio, no thread of its own.

paho-mqtt can run without its network thread: the owner calls ``loop_read`` when the socket is
readable, ``loop_write`` while ``want_write()`` says bytes are queued, and ``loop_misc`` about once a
second (keepalive pings, retries). :class:`Session` does exactly that in one trio task, so a
device's MQTT traffic costs no thread and no polling, and paho's callbacks run on the trio thread
(they only hand messages and state to trio channels and events).

The one blocking step is paho's ``connect`` (name lookup, TCP and TLS handshakes); it runs through
the bridge (:mod:`k3py.concurrency.bridge`) with paho's own connect timeout as its deadline.
A lost connection is retried with jittered exponential backoff, as a flaky uplink needs: many
devices of a fleet coming back after a broker restart must not all reconnect in the same second.
"""

from __future__ import annotations

import contextlib
import logging
import math
import random
import ssl
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import paho.mqtt.client as paho
import trio
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from k3py.concurrency import bridge

if TYPE_CHECKING:
    from collections.abc import Iterable

logger = logging.getLogger(__name__)

#: how often paho's housekeeping runs (keepalive pings, QoS retries): what it wants with its own thread
MISC_INTERVAL: Final = 1.0
CONNECT_TIMEOUT: Final = 10.0
BACKOFF_FIRST: Final = 1.0
BACKOFF_MAX: Final = 300.0
#: messages waiting for the session's owner; paho acknowledges a QoS 1 message once handed over
INBOX_SIZE: Final = 256


class MQTTError(Exception):
    """The broker refused the session (bad credentials, not authorised) or a request failed."""


@dataclass(frozen=True, slots=True)
class Will:
    """The message the broker publishes for the client if it vanishes (presence: "offline")."""

    topic: str
    payload: bytes
    qos: int = 1
    retain: bool = True


@dataclass(frozen=True, slots=True)
class Message:
    topic: str
    payload: bytes
    retain: bool


@dataclass(frozen=True, slots=True)
class Settings:
    host: str
    port: int
    client_id: str
    username: str | None = None
    password: str | None = None
    tls: ssl.SSLContext | None = None
    keepalive: int = 60
    #: how long the broker keeps the session (subscriptions, queued QoS 1 messages) while away
    session_expiry: int = 7 * 24 * 3600
    will: Will | None = None
    subscriptions: tuple[tuple[str, int], ...] = ()


def backoff_delays(
    first: float = BACKOFF_FIRST, cap: float = BACKOFF_MAX, rng: random.Random | None = None
) -> Iterable[float]:
    """Full-jitter exponential backoff: each delay uniform in [0, min(cap, first * 2**n)]."""
    rng = rng or random.Random()
    attempt = 0
    while True:
        yield rng.uniform(0, min(cap, first * math.pow(2, attempt)))
        attempt = min(attempt + 1, 32)


class Session:
    """A kept-up MQTT session: :meth:`run` connects, reconnects and delivers; :meth:`publish` queues."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._send, self.messages = trio.open_memory_channel[Message](INBOX_SIZE)
        self.connected = trio.Event()
        self._client: paho.Client | None = None
        self._wake: trio.CancelScope | None = None
        self._lost = trio.Event()
        self._refused: str = ""

    # -- what the owner calls ---------------------------------------------------------------------

    def publish(self, topic: str, payload: bytes, *, qos: int = 1, retain: bool = False) -> None:
        """Queue a message; it leaves when connected (paho keeps QoS 1 messages across reconnects)."""
        if self._client is None:
            raise MQTTError("the session has not started")
        info = self._client.publish(topic, payload, qos=qos, retain=retain)
        if info.rc not in (paho.MQTT_ERR_SUCCESS, paho.MQTT_ERR_NO_CONN):
            raise MQTTError(f"publish to {topic} failed: {paho.error_string(info.rc)}")
        self._poke()

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Keep the session up until cancelled; ``started()`` once the first connection is made.

        Raises:
            MQTTError: the broker refused the credentials (retrying would not help).
        """
        self._client = self._make_client()
        try:
            await self._keep_up(task_status)
        finally:
            self._close()

    async def _keep_up(self, task_status: trio.TaskStatus[None]) -> None:
        delays = iter(backoff_delays())
        started = False
        while True:
            try:
                await self._connect()
            except OSError as exc:
                delay = next(delays)
                logger.warning("MQTT %s:%d unreachable (%s); retrying in %.1f s", *self._where(), exc, delay)
                await trio.sleep(delay)
                continue
            if not started:
                task_status.started()
                started = True
            await self._drive()
            if self._refused:
                raise MQTTError(f"the broker refused the session: {self._refused}")
            delay = next(delays)
            logger.info("MQTT connection lost; reconnecting in %.1f s", delay)
            await trio.sleep(delay)

    # -- paho, driven ---------------------------------------------------------------------------------

    def _make_client(self) -> paho.Client:
        s = self.settings
        client = paho.Client(CallbackAPIVersion.VERSION2, client_id=s.client_id, protocol=paho.MQTTv5)
        client.connect_timeout = CONNECT_TIMEOUT
        if s.username is not None:
            client.username_pw_set(s.username, s.password)
        if s.tls is not None:
            client.tls_set_context(s.tls)
        if s.will is not None:
            client.will_set(s.will.topic, s.will.payload, qos=s.will.qos, retain=s.will.retain)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        return client

    def _where(self) -> tuple[str, int]:
        return self.settings.host, self.settings.port

    async def _connect(self) -> None:
        assert self._client is not None
        properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        properties.SessionExpiryInterval = self.settings.session_expiry
        self.connected = trio.Event()
        self._lost = trio.Event()
        self._refused = ""
        host, port = self._where()
        client, keepalive = self._client, self.settings.keepalive

        def connect() -> None:
            client.connect(host, port, keepalive=keepalive, clean_start=False, properties=properties)

        await bridge.run_blocking(connect, limiter_name="mqtt")

    async def _drive(self) -> None:
        """Read, write and keep alive until the connection is lost."""
        client = self._client
        assert client is not None
        sock = client.socket()
        if sock is None:
            return
        next_misc = trio.current_time() + MISC_INTERVAL
        while not self._lost.is_set():
            if client.want_write():
                await trio.lowlevel.wait_writable(sock)
                rc = client.loop_write()
            elif isinstance(sock, ssl.SSLSocket) and sock.pending():
                rc = client.loop_read()  # TLS holds decrypted bytes the socket no longer shows
            else:
                with trio.CancelScope(deadline=next_misc) as self._wake:
                    await trio.lowlevel.wait_readable(sock)
                woken = self._wake.cancelled_caught  # by publish() or the housekeeping timer
                self._wake = None
                rc = paho.MQTT_ERR_SUCCESS if woken else client.loop_read()
            if rc not in (paho.MQTT_ERR_SUCCESS, paho.MQTT_ERR_AGAIN):
                logger.info("MQTT connection closed: %s", paho.error_string(rc))
                break
            if trio.current_time() >= next_misc:
                if client.loop_misc() != paho.MQTT_ERR_SUCCESS:
                    break
                next_misc = trio.current_time() + MISC_INTERVAL
        self.connected = trio.Event()
        if client.socket() is not None:
            client.disconnect()  # tidy up paho's side; the broker sees the socket close

    def _close(self) -> None:
        """Leave cleanly where the link still works (a DISCONNECT: the broker drops the will, as
        for a device shut down on purpose), and release the socket in any case."""
        client = self._client
        sock = client.socket() if client is not None else None
        if client is None or sock is None:
            return
        if self.connected.is_set():
            client.disconnect()
            with contextlib.suppress(OSError):
                client.loop_write()
        sock.close()
        self.connected = trio.Event()

    def _poke(self) -> None:
        if self._wake is not None:
            self._wake.cancel()

    # -- paho's callbacks (on the trio thread, inside loop_read/loop_write) -----------------------

    def _on_connect(self, client: paho.Client, _userdata: Any, _flags: Any, reason: Any, _props: Any) -> None:
        if reason.is_failure:
            self._refused = str(reason)
            self._lost.set()
            return
        for topic, qos in self.settings.subscriptions:
            client.subscribe(topic, qos=qos)
        self.connected.set()
        logger.info("MQTT connected to %s:%d as %s", *self._where(), self.settings.client_id)

    def _on_disconnect(self, _client: paho.Client, _userdata: Any, _flags: Any, reason: Any, _props: Any) -> None:
        self._lost.set()

    def _on_message(self, _client: paho.Client, _userdata: Any, message: paho.MQTTMessage) -> None:
        try:
            self._send.send_nowait(Message(message.topic, bytes(message.payload), bool(message.retain)))
        except trio.WouldBlock:
            logger.warning("MQTT inbox full: dropped a message on %s", message.topic)
