"""The bundle wire format (``k3py.fleet.bundle``): what a device accepts, and why it refuses the rest."""

from __future__ import annotations

import json
import zlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from k3py.fleet import bundle as wire

HUB = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
OTHER_HUB = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
CONFIGMAP: dict[str, object] = {
    "apiVersion": "v1",
    "kind": "ConfigMap",
    "metadata": {"name": "settings"},
    "data": {"mode": "edge"},
}


def sealed(revision: int = 3, device: str = "pi-1", objects: tuple[dict[str, object], ...] = (CONFIGMAP,)) -> bytes:
    return wire.seal(wire.Bundle(device, revision, "2026-11-24T00:00:00Z", objects), HUB)


def test_a_device_opens_what_its_hub_sealed_for_it() -> None:
    opened = wire.open_sealed(sealed(), HUB.public_key(), device="pi-1", applied_revision=2)
    assert (opened.device, opened.revision, list(opened.objects)) == ("pi-1", 3, [CONFIGMAP])


def test_sealing_is_deterministic_and_compressed() -> None:
    many: tuple[dict[str, object], ...] = tuple({**CONFIGMAP, "metadata": {"name": f"cm-{i}"}} for i in range(200))
    data = sealed(objects=many)
    assert data == sealed(objects=many)
    assert len(data) < len(json.dumps(many)) / 5


@pytest.mark.parametrize(
    ("data", "device", "applied", "rejection"),
    [
        pytest.param(sealed(revision=2), "pi-1", 2, wire.Stale, id="replay-of-the-applied-revision"),
        pytest.param(sealed(revision=1), "pi-1", 2, wire.Stale, id="older-retained-message"),
        pytest.param(sealed(device="pi-2"), "pi-1", 0, wire.WrongDevice, id="another-device"),
        pytest.param(
            wire.seal(wire.Bundle("pi-1", 3, "t", (CONFIGMAP,)), OTHER_HUB),
            "pi-1",
            0,
            wire.BadSignature,
            id="other-key",
        ),
        pytest.param(b"hello", "pi-1", 0, wire.Malformed, id="not-a-bundle"),
        pytest.param(b"K3PB\x02" + bytes(64) + b"x", "pi-1", 0, wire.Malformed, id="unknown-format"),
    ],
)
def test_a_device_refuses_with_a_reason(data: bytes, device: str, applied: int, rejection: type[Exception]) -> None:
    with pytest.raises(rejection) as caught:
        wire.open_sealed(data, HUB.public_key(), device=device, applied_revision=applied)
    assert isinstance(caught.value, wire.BundleRejected)
    assert caught.value.reason == rejection.__name__


def _signed(payload: bytes) -> bytes:
    header = wire.MAGIC + bytes([wire.FORMAT])
    return header + HUB.sign(header + payload) + payload


def test_a_signed_payload_that_inflates_too_far_is_refused_before_parsing() -> None:
    bomb = zlib.compress(b" " * (wire.MAX_PAYLOAD_BYTES + 1), 9)
    with pytest.raises(wire.Malformed, match="inflates to more than"):
        wire.open_sealed(_signed(bomb), HUB.public_key(), device="pi-1", applied_revision=0)


@pytest.mark.parametrize(
    "document",
    [
        {"device": "pi-1", "revision": 0, "issuedAt": "t", "objects": []},
        {"device": "pi-1", "revision": True, "issuedAt": "t", "objects": []},
        {"device": "", "revision": 1, "issuedAt": "t", "objects": []},
        {"device": "pi-1", "revision": 1, "issuedAt": "t", "objects": [{"kind": "ConfigMap"}]},
        {
            "device": "pi-1",
            "revision": 1,
            "issuedAt": "t",
            "objects": [{"apiVersion": "v1", "kind": "X", "metadata": 3}],
        },
        [1, 2],
    ],
)
def test_a_signed_but_wrong_payload_is_malformed(document: object) -> None:
    payload = zlib.compress(json.dumps(document).encode())
    with pytest.raises(wire.Malformed):
        wire.open_sealed(_signed(payload), HUB.public_key(), device="pi-1", applied_revision=0)


def test_revisions_start_at_one() -> None:
    with pytest.raises(ValueError, match="starts at 1"):
        sealed(revision=0)


@settings(max_examples=200, deadline=None)
@given(position=st.integers(min_value=0), flip=st.integers(min_value=1, max_value=255))
def test_any_changed_byte_is_refused(position: int, flip: int) -> None:
    data = bytearray(sealed())
    data[position % len(data)] ^= flip
    with pytest.raises(wire.BundleRejected):
        wire.open_sealed(bytes(data), HUB.public_key(), device="pi-1", applied_revision=0)
