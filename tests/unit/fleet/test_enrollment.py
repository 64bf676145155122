"""The enrollment line (``k3py.fleet.enrollment``): what it carries and what it refuses."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from k3py.fleet import enrollment as enrollments
from k3py.fleet.enrollment import Enrollment

KEY = bytes(range(32))


def test_the_line_carries_everything_and_only_once() -> None:
    original = Enrollment("mqtts://hub.example.com", "pi-1", "pi-1", "s3cret", KEY, ca_pem="PEM")
    line = original.line()
    assert line.startswith("K3PYHUB1.") and "\n" not in line and "=" not in line
    parsed = enrollments.parse(f"  {line}\n")
    assert parsed == original
    assert (parsed.host, parsed.port) == ("hub.example.com", 8883)
    assert parsed.topic("desired") == "k3py/devices/pi-1/desired"
    assert enrollments.parse(Enrollment("mqtt://10.0.0.2:1884", "d", "u", "p", KEY).line()).port == 1884


def _line(**document: object) -> str:
    base = {"broker": "mqtt://h:1883", "device": "pi-1", "username": "u", "password": "p"}
    base["hubKey"] = base64.b64encode(KEY).decode()
    packed = json.dumps({**base, **document}).encode()
    return "K3PYHUB1." + base64.urlsafe_b64encode(packed).decode()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        pytest.param("hello", "starts with", id="no-prefix"),
        pytest.param("K3PYHUB1.@@@", "damaged", id="not-base64"),
        pytest.param(_line(broker="http://h"), "mqtt://HOST:PORT", id="http-broker"),
        pytest.param(_line(device="a/b"), "cannot name a device", id="slash-in-device"),
        pytest.param(_line(hubKey=base64.b64encode(b"short").decode()), "not an Ed25519", id="short-key"),
        pytest.param(_line(password=None), "password is not text", id="null-password"),
    ],
)
def test_a_damaged_line_is_refused_with_the_reason(line: str, message: str) -> None:
    with pytest.raises(enrollments.EnrollmentError, match=message):
        enrollments.parse(line)


def test_an_unreadable_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(enrollments.EnrollmentError, match="cannot read the hub config"):
        enrollments.load(tmp_path / "missing")
