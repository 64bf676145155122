"""`k3py server --hub-config` against a real mosquitto, the test playing the hub: bundles applied
and reported, bad ones refused with a reason, and the state kept across a restart with the
broker gone."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import trio
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from k3py.fleet import bundle as wire
from k3py.fleet.enrollment import Enrollment
from k3py.fleet.mqtt import Session, Settings

from ...support import mosquitto, serverproc

HUB_KEY = Ed25519PrivateKey.generate()
STRANGER_KEY = Ed25519PrivateKey.generate()


def configmap(name: str, **data: str) -> dict[str, object]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": "default"}, "data": data}


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[mosquitto.Broker]:
    (tmp_path / "broker").mkdir()
    with mosquitto.broker(tmp_path / "broker") as running:
        yield running


@pytest.fixture
def enrollment(broker: mosquitto.Broker, tmp_path: Path) -> Enrollment:
    raw = HUB_KEY.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return Enrollment(f"mqtt://{broker.host}:{broker.port}", "pi-1", "pi-1", "secret", raw)


@pytest.fixture
def launcher(tmp_path: Path) -> Iterator[serverproc.Launcher]:
    with serverproc.Launcher(tmp_path) as running:
        yield running


async def reported(hub: Session, topic: str, revision: int | None = None, rejected: bool = False) -> dict[str, object]:
    """The device's next report on ``topic`` that is about ``revision`` (or a rejection)."""
    with trio.fail_after(20):
        async for message in hub.messages:
            if message.topic != topic:
                continue
            report = json.loads(message.payload)
            if rejected and "rejected" in report:
                return dict(report)
            if not rejected and report.get("revision") == revision and "rejected" not in report:
                return dict(report)
    raise AssertionError("the hub's session ended")


async def test_a_device_follows_its_hub_and_keeps_what_it_applied_offline(
    broker: mosquitto.Broker, enrollment: Enrollment, launcher: serverproc.Launcher, tmp_path: Path
) -> None:
    config = tmp_path / "hub-config"
    config.write_text(enrollment.line() + "\n")
    data_dir = tmp_path / "device"
    server = launcher.start("--disable-controller-manager", "--hub-config", str(config), data_dir=data_dir, name="pi")
    server.wait_ready(10)
    hub = Session(Settings(broker.host, broker.port, "hub", subscriptions=((enrollment.topic("reported"), 1),)))
    async with trio.open_nursery() as nursery:
        await nursery.start(hub.run)
        first = wire.Bundle("pi-1", 1, "2026-11-24T00:00:00Z", (configmap("a", mode="edge"), configmap("b")))
        hub.publish(enrollment.topic("desired"), wire.seal(first, HUB_KEY), qos=1, retain=True)
        report = await reported(hub, enrollment.topic("reported"), revision=1)
        assert [o["outcome"] for o in report["objects"]] == ["Applied", "Applied"]  # type: ignore[union-attr]
        assert json.loads(server.kubectl("get", "configmap", "a", "-o", "json"))["data"] == {"mode": "edge"}

        # a bundle signed by another key is refused, reported, and changes nothing
        forged = wire.Bundle("pi-1", 2, "t", (configmap("evil"),))
        hub.publish(enrollment.topic("desired"), wire.seal(forged, STRANGER_KEY), qos=1, retain=True)
        report = await reported(hub, enrollment.topic("reported"), rejected=True)
        assert report["rejected"]["reason"] == "BadSignature"  # type: ignore[index]
        assert "NotFound" in server.kubectl("get", "configmap", "evil", check=False)

        second = wire.Bundle("pi-1", 2, "t", (configmap("a", mode="edge-2"),))
        hub.publish(enrollment.topic("desired"), wire.seal(second, HUB_KEY), qos=1, retain=True)
        report = await reported(hub, enrollment.topic("reported"), revision=2)
        assert report["objects"] == [  # "b" left the bundle: pruned
            {"apiVersion": "v1", "kind": "ConfigMap", "name": "a", "namespace": "default", "outcome": "Applied"},
            {"apiVersion": "v1", "kind": "ConfigMap", "name": "b", "namespace": "default", "outcome": "Pruned"},
        ]
        nursery.cancel_scope.cancel()

    # someone edits what the fleet owns; then the broker goes away and the device restarts:
    # it returns to its last desired state from its own store, and keeps its revision
    server.kubectl("patch", "configmap", "a", "--type=merge", "-p", '{"data":{"mode":"local"}}')
    assert json.loads(server.kubectl("get", "configmap", "a", "-o", "json"))["data"] == {"mode": "local"}
    await trio.to_thread.run_sync(broker.stop)
    server.stop()
    again = launcher.start("--disable-controller-manager", "--hub-config", str(config), data_dir=data_dir, name="pi2")
    again.wait_ready(10)
    with trio.fail_after(10):
        while json.loads(again.kubectl("get", "configmap", "a", "-o", "json"))["data"] != {"mode": "edge-2"}:
            await trio.sleep(0.1)
    state = json.loads(again.kubectl("-n", "kube-system", "get", "configmap", "k3py-fleet-state", "-o", "json"))
    assert state["data"]["revision"] == "2"
    again.stop()


def test_a_damaged_hub_config_stops_the_server_with_one_clear_line(
    launcher: serverproc.Launcher, tmp_path: Path
) -> None:
    config = tmp_path / "hub-config"
    config.write_text("K3PYHUB1.not-base64!\n")
    server = launcher.start("--hub-config", str(config), name="bad")
    code = server.wait_exit(10)
    assert code == 1
    assert "k3py: error: the enrollment line is damaged" in server.output()
