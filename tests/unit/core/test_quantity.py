"""Quantities read and printed as apimachinery's resource.Quantity does."""

from __future__ import annotations

from decimal import Decimal

import pytest

from k3py.core import quantity


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("0", "0"),
        ("1000m", "1"),
        ("1500m", "1500m"),
        ("0.5", "500m"),
        ("1.5", "1500m"),
        (".5", "500m"),
        ("1.", "1"),
        ("+3", "3"),
        ("-1", "-1"),
        ("100k", "100k"),
        ("1000k", "1M"),
        ("129000000", "129M"),
        ("128974848", "128974848"),
        ("1024Mi", "1Gi"),
        ("1.5Gi", "1536Mi"),
        ("500Mi", "500Mi"),
        ("1000Ki", "1000Ki"),
        ("1.1Ki", "1126400m"),  # not whole: DecimalSI keeps the precision
        ("512", "512"),
        ("1e3", "1e3"),
        ("12e6", "12e6"),
        ("1.5e3", "1500"),
        ("5e-3", "5e-3"),
        ("0.0000000001", "1n"),  # rounded up to the nano unit
        (1, "1"),
        (0.25, "250m"),
        ("  2 ", "2"),
    ],
)
def test_canonical_form(text: object, canonical: str) -> None:
    assert quantity.canonical(text) == canonical


def test_resource_lists_round_up_to_milli_units() -> None:
    assert quantity.canonical("0.0001", quantity.MILLI) == "1m"
    assert quantity.canonical("100u", quantity.MILLI) == "1m"
    assert quantity.canonical("2500m", quantity.MILLI) == "2500m"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", quantity.FORMAT_ERROR),
        ("abc", quantity.FORMAT_ERROR),
        ("1.2.3", quantity.FORMAT_ERROR),
        ("1 Gi", quantity.FORMAT_ERROR),
        ("1Z", quantity.FORMAT_ERROR),
        ("1K", quantity.SUFFIX_ERROR),  # only lowercase k is kilo
        ("1Kii", quantity.SUFFIX_ERROR),
        ("1e", quantity.SUFFIX_ERROR),
        ("--1", quantity.SUFFIX_ERROR),
        (True, quantity.FORMAT_ERROR),
        (None, quantity.FORMAT_ERROR),
        ([1], quantity.FORMAT_ERROR),
    ],
)
def test_what_does_not_parse(text: object, message: str) -> None:
    with pytest.raises(quantity.QuantityError) as caught:
        quantity.parse(text)
    assert str(caught.value) == message


def test_values_are_exact_and_comparable() -> None:
    assert quantity.parse("1500m").value == Decimal("1.5")
    assert quantity.parse("1Ki").value == 1024
    assert quantity.parse("1G").value > quantity.parse("1Gi").value / 2
    assert quantity.parse("1Gi").format == quantity.BINARY_SI
    assert quantity.parse("1e3").format == quantity.DECIMAL_EXPONENT
