"""An MQTT session driven from trio (``k3py.fleet.mqtt``) against a real mosquitto: retained
signed bundles, presence by last will, reconnection after the link or the broker goes away."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import trio
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from k3py.fleet import bundle as wire
from k3py.fleet.mqtt import Session, Settings, Will

from ...support import mosquitto

HUB_KEY = Ed25519PrivateKey.generate()
DESIRED = "k3py/devices/pi-1/desired"
PRESENCE = "k3py/devices/pi-1/presence"


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[mosquitto.Broker]:
    with mosquitto.broker(tmp_path) as running:
        yield running


def settings(broker: mosquitto.Broker, client_id: str, **extra: object) -> Settings:
    return Settings(broker.host, broker.port, client_id, **extra)  # type: ignore[arg-type]


async def next_message(session: Session, topic: str, seconds: float = 10) -> bytes:
    with trio.fail_after(seconds):
        async for message in session.messages:
            if message.topic == topic:
                return message.payload
    raise AssertionError("the session ended")


async def test_a_device_that_comes_later_gets_the_retained_bundle_once_and_verifies_it(
    broker: mosquitto.Broker,
) -> None:
    bundle = wire.Bundle(
        "pi-1", 7, "2026-11-24T00:00:00Z", ({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}},)
    )
    async with trio.open_nursery() as nursery:
        hub = Session(settings(broker, "hub"))
        await nursery.start(hub.run)
        hub.publish(DESIRED, wire.seal(bundle, HUB_KEY), qos=1, retain=True)
        await trio.sleep(0.2)  # the broker holds it; the device is not even connected yet
        device = Session(settings(broker, "pi-1", subscriptions=((DESIRED, 1),)))
        await nursery.start(device.run)
        payload = await next_message(device, DESIRED)
        opened = wire.open_sealed(payload, HUB_KEY.public_key(), device="pi-1", applied_revision=6)
        assert opened == bundle
        nursery.cancel_scope.cancel()


async def test_a_vanished_device_is_reported_by_its_will_and_reconnects(broker: mosquitto.Broker) -> None:
    will = Will(PRESENCE, b"offline")
    async with trio.open_nursery() as nursery:
        watcher = Session(settings(broker, "hub-watch", subscriptions=((PRESENCE, 1),)))
        await nursery.start(watcher.run)
        device = Session(settings(broker, "pi-1", will=will, keepalive=5))
        await nursery.start(device.run)
        device.publish(PRESENCE, b"online", qos=1, retain=True)
        assert await next_message(watcher, PRESENCE) == b"online"
        # the uplink drops without a DISCONNECT: the broker publishes the will
        sock = device._client.socket() if device._client else None  # the link, as the kernel sees it
        assert isinstance(sock, socket.socket)
        sock.shutdown(socket.SHUT_RDWR)
        assert await next_message(watcher, PRESENCE) == b"offline"
        with trio.fail_after(10):  # and the device comes back by itself (backoff starts at <= 1 s)
            while not device.connected.is_set():
                await trio.sleep(0.05)
        device.publish(PRESENCE, b"online", qos=1, retain=True)
        assert await next_message(watcher, PRESENCE) == b"online"
        nursery.cancel_scope.cancel()


async def test_sessions_survive_a_broker_restart(broker: mosquitto.Broker) -> None:
    async with trio.open_nursery() as nursery:
        device = Session(settings(broker, "pi-1", subscriptions=((DESIRED, 1),)))
        await nursery.start(device.run)
        hub = Session(settings(broker, "hub"))
        await nursery.start(hub.run)
        await trio.to_thread.run_sync(broker.restart)
        with trio.fail_after(15):
            while not (device.connected.is_set() and hub.connected.is_set()):
                await trio.sleep(0.05)
        # the broker lost its sessions (no persistence): subscriptions are made again on connect
        hub.publish(DESIRED, wire.seal(wire.Bundle("pi-1", 1, "t", ()), HUB_KEY), qos=1, retain=True)
        payload = await next_message(device, DESIRED, 15)
        assert wire.open_sealed(payload, HUB_KEY.public_key(), device="pi-1", applied_revision=0).revision == 1
        nursery.cancel_scope.cancel()
