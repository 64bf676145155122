"""What a hub tells one device to run: a bundle, versioned, compressed and signed (ARCHITECTURE section 6).

Sans-IO: bytes in, bytes out; the MQTT side (:mod:`k3py.fleet.mqtt`) only moves them. A bundle is
retained on the device's desired-state topic, so a device that was away for weeks receives exactly
one message, the newest, when it comes back; it must therefore be able to tell, alone and offline,
that the message is the hub's (an Ed25519 signature by the key whose public half the device got at
enrollment), that it is meant for it (the device name is inside what is signed), and that it is
not older than what it already applied (a revision that only grows: a replayed or stale retained
message is refused, never applied).

Wire layout::

    b"K3PB" | format (1 byte) | Ed25519 signature (64 bytes) | zlib(canonical JSON)

The signature covers the magic, the format byte and the compressed payload, so that no part of
what the device acts on is unsigned. The payload is ``{"device", "revision", "issuedAt",
"objects"}``, its JSON canonical (sorted keys, no spaces), so the same bundle always seals to the
same bytes and the hub can tell an unchanged bundle from a new one by comparing them.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from cryptography.exceptions import InvalidSignature

if TYPE_CHECKING:
    from collections.abc import Sequence

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

MAGIC: Final = b"K3PB"
FORMAT: Final = 1
SIGNATURE_SIZE: Final = 64
HEADER_SIZE: Final = len(MAGIC) + 1 + SIGNATURE_SIZE
#: the largest payload a device inflates: a metered link never carries more, and a hostile
#: message must not make a 1 GB board inflate gigabytes (a "zip bomb")
MAX_PAYLOAD_BYTES: Final = 16 * 1024 * 1024


class BundleRejected(Exception):
    """A device refuses a bundle; ``reason`` is the one word its Device status shows the hub."""

    reason = "Malformed"


class Malformed(BundleRejected):
    reason = "Malformed"


class BadSignature(BundleRejected):
    reason = "BadSignature"


class WrongDevice(BundleRejected):
    reason = "WrongDevice"


class Stale(BundleRejected):
    """A revision the device has already applied or passed: a replay, or an old retained message."""

    reason = "Stale"


@dataclass(frozen=True, slots=True)
class Bundle:
    """The desired state of one device at one revision: the objects to apply, in order."""

    device: str
    revision: int
    issued_at: str
    objects: Sequence[dict[str, Any]] = field(default_factory=tuple)

    def payload(self) -> bytes:
        document = {
            "device": self.device,
            "revision": self.revision,
            "issuedAt": self.issued_at,
            "objects": list(self.objects),
        }
        return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def seal(bundle: Bundle, key: Ed25519PrivateKey) -> bytes:
    """The bytes the hub publishes for ``bundle``."""
    if bundle.revision < 1:
        raise ValueError(f"a bundle's revision starts at 1, not {bundle.revision}")
    compressed = zlib.compress(bundle.payload(), 9)
    header = MAGIC + bytes([FORMAT])
    return header + key.sign(header + compressed) + compressed


def open_sealed(data: bytes, key: Ed25519PublicKey, *, device: str, applied_revision: int) -> Bundle:
    """The bundle in ``data`` if the device named ``device``, having applied ``applied_revision``
    (0: none yet), should apply it; otherwise :class:`BundleRejected` says why.

    The checks run cheapest and safest first: the shape, then the signature (nothing is inflated
    or parsed before it holds), then the size while inflating, then what the payload says.
    """
    if len(data) < HEADER_SIZE or not data.startswith(MAGIC):
        raise Malformed("not a k3py bundle")
    if data[len(MAGIC)] != FORMAT:
        raise Malformed(f"bundle format {data[len(MAGIC)]} is not supported (this device reads {FORMAT})")
    signature = data[len(MAGIC) + 1 : HEADER_SIZE]
    compressed = data[HEADER_SIZE:]
    try:
        key.verify(signature, data[: len(MAGIC) + 1] + compressed)
    except InvalidSignature:
        raise BadSignature("the bundle is not signed by this device's hub") from None
    document = _parse(_inflate(compressed))
    bundle = _bundle(document)
    if bundle.device != device:
        raise WrongDevice(f"the bundle is for device {bundle.device!r}, this is {device!r}")
    if bundle.revision <= applied_revision:
        raise Stale(f"revision {bundle.revision} is not newer than the applied revision {applied_revision}")
    return bundle


def _inflate(compressed: bytes) -> bytes:
    inflater = zlib.decompressobj()
    try:
        payload = inflater.decompress(compressed, MAX_PAYLOAD_BYTES)
    except zlib.error as exc:
        raise Malformed(f"the payload does not inflate: {exc}") from None
    if inflater.unconsumed_tail or not inflater.eof:
        raise Malformed(f"the payload is truncated or inflates to more than {MAX_PAYLOAD_BYTES} bytes")
    return payload


def _parse(payload: bytes) -> dict[str, Any]:
    try:
        document = json.loads(payload)
    except ValueError as exc:
        raise Malformed(f"the payload is not JSON: {exc}") from None
    if not isinstance(document, dict):
        raise Malformed("the payload is not a JSON object")
    return document


def _bundle(document: dict[str, Any]) -> Bundle:
    device, revision = document.get("device"), document.get("revision")
    issued_at, objects = document.get("issuedAt"), document.get("objects")
    if not isinstance(device, str) or not device:
        raise Malformed("the payload names no device")
    if isinstance(revision, bool) or not isinstance(revision, int) or revision < 1:
        raise Malformed("the payload's revision is not a positive integer")
    if not isinstance(issued_at, str):
        raise Malformed("the payload has no issuedAt time")
    if not isinstance(objects, list) or not all(_is_object(o) for o in objects):
        raise Malformed("the payload's objects are not a list of Kubernetes objects")
    return Bundle(device, revision, issued_at, tuple(objects))


def _is_object(value: object) -> bool:
    if not isinstance(value, dict):
        return False
    metadata = value.get("metadata")
    return (
        isinstance(value.get("apiVersion"), str)
        and isinstance(value.get("kind"), str)
        and isinstance(metadata, dict)
        and isinstance(metadata.get("name"), str)
    )
