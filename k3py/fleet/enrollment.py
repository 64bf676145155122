"""A device's enrollment: the one line of configuration that ties it to its hub.

``k3py hub enroll`` prints it; an operator puts it in a file that ``k3py server --hub-config``
reads (the Raspberry Pi image's first-boot file can carry it). It holds everything the device
needs and nothing it must not have: the broker's address, the device's own MQTT credentials, the
hub's public signing key (to verify bundles offline) and, for ``mqtts``, the CA that signed the
broker's certificate. Format: ``K3PYHUB1.`` and base64url of compact JSON, so that it survives
copying through terminals, YAML files and kernel command lines.
"""

from __future__ import annotations

import base64
import json
import ssl
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

if TYPE_CHECKING:
    from pathlib import Path

PREFIX: Final = "K3PYHUB1."
TOPIC_ROOT: Final = "k3py/devices"


class EnrollmentError(ValueError):
    """The enrollment line is not one (truncated, edited, from another tool)."""


@dataclass(frozen=True, slots=True)
class Enrollment:
    broker: str  # mqtt://host:port or mqtts://host:port
    device: str
    username: str
    password: str
    hub_key: bytes  # raw Ed25519 public key
    ca_pem: str = ""

    @property
    def host(self) -> str:
        return urlsplit(self.broker).hostname or ""

    @property
    def port(self) -> int:
        parts = urlsplit(self.broker)
        return parts.port or (8883 if parts.scheme == "mqtts" else 1883)

    def public_key(self) -> Ed25519PublicKey:
        return Ed25519PublicKey.from_public_bytes(self.hub_key)

    def tls(self) -> ssl.SSLContext | None:
        if urlsplit(self.broker).scheme != "mqtts":
            return None
        return ssl.create_default_context(cadata=self.ca_pem or None)

    def topic(self, kind: str) -> str:
        """``desired``, ``reported`` or ``presence``: the device's own topics, which its ACL allows."""
        return f"{TOPIC_ROOT}/{self.device}/{kind}"

    def line(self) -> str:
        document = {
            "broker": self.broker,
            "device": self.device,
            "username": self.username,
            "password": self.password,
            "hubKey": base64.b64encode(self.hub_key).decode(),
        }
        if self.ca_pem:
            document["ca"] = self.ca_pem
        packed = json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
        return PREFIX + base64.urlsafe_b64encode(packed).decode().rstrip("=")


def parse(line: str) -> Enrollment:
    """The enrollment in ``line`` (surrounding whitespace ignored)."""
    text = line.strip()
    if not text.startswith(PREFIX):
        raise EnrollmentError(f"an enrollment line starts with {PREFIX!r}")
    body = text[len(PREFIX) :]
    try:
        document: Any = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        for key in ("broker", "device", "username", "password", "hubKey"):
            if not isinstance(document[key], str):
                raise TypeError(f"{key} is not text")
        enrollment = Enrollment(
            broker=str(document["broker"]),
            device=str(document["device"]),
            username=str(document["username"]),
            password=str(document["password"]),
            hub_key=base64.b64decode(document["hubKey"]),
            ca_pem=str(document.get("ca") or ""),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise EnrollmentError(f"the enrollment line is damaged: {exc}") from None
    if urlsplit(enrollment.broker).scheme not in ("mqtt", "mqtts") or not enrollment.host:
        raise EnrollmentError(f"the broker must be mqtt://HOST:PORT or mqtts://HOST:PORT, not {enrollment.broker!r}")
    if len(enrollment.hub_key) != 32:
        raise EnrollmentError("the hub key is not an Ed25519 public key")
    if not enrollment.device or "/" in enrollment.device or "+" in enrollment.device or "#" in enrollment.device:
        raise EnrollmentError(f"{enrollment.device!r} cannot name a device (no '/', '+' or '#')")
    return enrollment


def load(path: Path) -> Enrollment:
    """The enrollment in the file ``--hub-config`` names: its one line."""
    try:
        return parse(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise EnrollmentError(f"cannot read the hub config {path}: {exc.strerror or exc}") from None
