"""Resource quantities (``1500m``, ``128Mi``, ``1e3``) as apimachinery's ``resource.Quantity`` reads and prints them.

The API stores a quantity in its canonical form (``1000m`` comes back as ``1``, ``1024Mi`` as ``1Gi``), so
clients that compare what they sent with what they read see what a real apiserver gives them. Values are
exact decimals: no float ever touches them. Pure.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import ROUND_UP, Decimal, localcontext
from typing import Final

#: ParseQuantity's error for anything that is not a number followed by a suffix, word for word
FORMAT_ERROR: Final = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
SUFFIX_ERROR: Final = "unable to parse quantity's suffix"

DECIMAL_SI: Final = "DecimalSI"
BINARY_SI: Final = "BinarySI"
DECIMAL_EXPONENT: Final = "DecimalExponent"

#: the smallest unit a parsed quantity keeps (ParseQuantity rounds up to it)
NANO: Final = -9
#: the unit resource lists are rounded up to by the API's defaulting (SetDefaults_ResourceList)
MILLI: Final = -3

_DECIMAL_SUFFIXES: Final = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_DECIMAL_BY_EXPONENT: Final = {exp: suffix for suffix, exp in _DECIMAL_SUFFIXES.items()}
_BINARY_SUFFIXES: Final = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_BINARY_BY_POWER: Final = ("", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei")
_SUFFIX_CHARS: Final = frozenset("eEinumkKMGTP")
_DIGITS: Final = frozenset("0123456789")
_MAX_DECIMAL_EXPONENT: Final = 18


class QuantityError(ValueError):
    """The text is not a quantity; the message is apimachinery's."""


@dataclass(frozen=True, slots=True)
class Quantity:
    """An exact amount and the format it prints in (the one its suffix chose)."""

    value: Decimal
    format: str = DECIMAL_SI

    def __str__(self) -> str:
        return _canonical(self.value, self.format)

    def rounded_up(self, exponent: int) -> Quantity:
        """Rounded away from zero to a multiple of ``10**exponent`` (``Quantity.RoundUp``)."""
        return Quantity(_round_up(self.value, exponent), self.format)


def parse(text: object) -> Quantity:
    """What ``Quantity.UnmarshalJSON`` makes of a JSON string or number; raises :class:`QuantityError`."""
    if isinstance(text, bool) or not isinstance(text, str | int | float):
        raise QuantityError(FORMAT_ERROR)
    source = text.strip() if isinstance(text, str) else _number_text(text)
    if not source:
        raise QuantityError(FORMAT_ERROR)
    negative, whole, fraction, suffix = _split(source)
    value_format, scale = _interpret(suffix)
    with localcontext() as ctx:
        ctx.prec = 200
        amount = Decimal(f"{whole}.{fraction or '0'}")
        if value_format == BINARY_SI:
            amount *= 2**scale
        else:
            amount = amount.scaleb(scale)
        if negative:
            amount = -amount
        amount = _round_up(amount, NANO)
    return Quantity(amount, value_format)


def canonical(text: object, round_to: int = NANO) -> str:
    """The string the API stores for ``text``, rounded up to ``10**round_to``."""
    if isinstance(text, str):
        return _canonical_text(text, round_to)
    return str(parse(text).rounded_up(round_to))


@functools.lru_cache(maxsize=1024)
def _canonical_text(text: str, round_to: int) -> str:
    """Cached: every write of a pod defaults its quantities again, and they are few and repeat
    ("100m", "64Mi"), while parsing one costs ~10 us of Decimal arithmetic."""
    return str(parse(text).rounded_up(round_to))


def _number_text(number: int | float) -> str:
    if isinstance(number, int):
        return str(number)
    with localcontext() as ctx:
        ctx.prec = 200
        return format(Decimal(repr(number)), "f")


def _split(text: str) -> tuple[bool, str, str, str]:
    """``parseQuantityString``: sign, numerator, denominator and suffix, or the format error."""
    pos, end = 0, len(text)
    negative = False
    if text[0] in "+-":
        negative = text[0] == "-"
        pos = 1
    start = pos
    while pos < end and text[pos] in _DIGITS:
        pos += 1
    whole = text[start:pos] or "0"
    fraction = ""
    if pos < end and text[pos] == ".":
        pos += 1
        start = pos
        while pos < end and text[pos] in _DIGITS:
            pos += 1
        fraction = text[start:pos]
    suffix_start = pos
    while pos < end and text[pos] in _SUFFIX_CHARS:
        pos += 1
    if pos < end and text[pos] in "+-":
        pos += 1
    while pos < end and text[pos] in _DIGITS:
        pos += 1
    if pos != end:
        raise QuantityError(FORMAT_ERROR)
    return negative, whole, fraction, text[suffix_start:]


def _interpret(suffix: str) -> tuple[str, int]:
    """The format a suffix selects and its scale: a power of 10, or of 2 for binary suffixes."""
    if suffix in _DECIMAL_SUFFIXES:
        return DECIMAL_SI, _DECIMAL_SUFFIXES[suffix]
    if suffix in _BINARY_SUFFIXES:
        return BINARY_SI, _BINARY_SUFFIXES[suffix]
    if len(suffix) > 1 and suffix[0] in "eE":
        digits = suffix[1:]
        body = digits[1:] if digits[0] in "+-" else digits
        if body and set(body) <= _DIGITS:
            return DECIMAL_EXPONENT, int(digits)
    raise QuantityError(SUFFIX_ERROR)


def _round_up(amount: Decimal, exponent: int) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 200
        return amount.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_UP) if amount else Decimal(0)


def _canonical(amount: Decimal, value_format: str) -> str:
    """``Quantity.String``: ``CanonicalizeBytes`` of the amount in its format."""
    if not amount:
        return "0"
    with localcontext() as ctx:
        ctx.prec = 200
        sign = "-" if amount < 0 else ""
        magnitude = abs(amount)
        # BinarySI only for whole numbers outside (-1024, 1024); anything else would lose precision.
        if value_format == BINARY_SI and (magnitude < 1024 or magnitude != magnitude.to_integral_value()):
            value_format = DECIMAL_SI
        if value_format == BINARY_SI:
            number, power = int(magnitude), 0
            while number % 1024 == 0 and power < len(_BINARY_BY_POWER) - 1:
                number //= 1024
                power += 1
            return f"{sign}{number}{_BINARY_BY_POWER[power]}"
        _, digits, exponent = magnitude.normalize().as_tuple()
        mantissa = int("".join(map(str, digits)))
        exponent = int(exponent)
        while exponent % 3:
            mantissa *= 10
            exponent -= 1
        if value_format == DECIMAL_EXPONENT:
            return f"{sign}{mantissa}{f'e{exponent}' if exponent else ''}"
        while exponent > _MAX_DECIMAL_EXPONENT:
            mantissa *= 1000
            exponent -= 3
        return f"{sign}{mantissa}{_DECIMAL_BY_EXPONENT[exponent]}"
