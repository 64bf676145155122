"""Name rules and generateName, with apimachinery's messages."""

from __future__ import annotations

import random

import pytest

from k3py.api.strategies import pod_qos_class
from k3py.core import meta


@pytest.mark.parametrize(
    ("name", "rule", "ok"),
    [
        ("web", "subdomain", True),
        ("web.example.com", "subdomain", True),
        ("Web", "subdomain", False),
        ("-web", "subdomain", False),
        ("a" * 253, "subdomain", True),
        ("a" * 254, "subdomain", False),
        ("my-ns", "label", True),
        ("my.ns", "label", False),
        ("a" * 64, "label", False),
        ("system:controller:x", "path", True),
        ("..", "path", False),
        ("a/b", "path", False),
    ],
)
def test_name_errors(name: str, rule: str, ok: bool) -> None:
    assert (not meta.name_errors(name, rule)) is ok


def test_subdomain_message_matches_apimachinery() -> None:
    (cause,) = meta.name_causes("Bad_Name", "subdomain")
    assert cause.field == "metadata.name"
    assert cause.message.startswith('Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of')


def test_generate_name_appends_five_characters_from_the_alphabet() -> None:
    name = meta.generate_name("web-", random.Random(1))
    assert name.startswith("web-") and len(name) == 9
    assert set(name[4:]) <= set(meta.GENERATE_ALPHABET)
    assert len(meta.generate_name("x" * 100)) == 63


@pytest.mark.parametrize(
    ("containers", "qos"),
    [
        ([{}], "BestEffort"),
        ([{"resources": {"requests": {"cpu": "1"}}}], "Burstable"),
        ([{"resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}], "Guaranteed"),
        ([{"resources": {"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "500m"}}}], "Burstable"),
    ],
)
def test_pod_qos_class(containers: list[dict[str, object]], qos: str) -> None:
    assert pod_qos_class({"containers": containers}) == qos
