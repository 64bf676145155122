"""Kubernetes protobuf request bodies (``application/vnd.kubernetes.protobuf``) decoded into JSON objects.

client-go sends built-in objects in protobuf, so kubectl's generators (``kubectl create deployment``,
``create configmap``, ``create token``...) do, and it does not retry in JSON when a server answers
415 (kubernetes/kubernetes#86253). k3py keeps every object as JSON, so a protobuf body is turned into
exactly the object kubectl would have sent as JSON, and the rest of the pipeline never knows.

The body is an envelope: the magic ``k8s\\x00`` then a ``runtime.Unknown`` (``typeMeta`` with
``apiVersion`` and ``kind``, ``raw`` holding the object's message, ``contentEncoding``,
``contentType``). The message type follows from the group/version (``apps/v1`` is the proto package
``k8s.io.api.apps.v1``) and the kind; option kinds (``DeleteOptions``...) every group version also
serves are meta/v1's. Field numbers, types and JSON names come from ``data/protobuf.json.gz``, made
from Kubernetes' ``generated.proto`` files and Go types by ``scripts/gen_protobuf.py``.

Which fields appear. Go's marshaller writes every non-pointer field, zero or not, and a pointer field
only when set; the JSON form omits what ``omitempty`` says. So:

- a pointer field on the wire is kept whatever its value (``replicas: 0``, ``storageClassName: ""``,
  ``immutable: false`` were set on purpose);
- a non-pointer ``omitempty`` field holding its zero value (``""``, ``0``, ``false``, no bytes, a zero
  IntOrString) is dropped, as its JSON leaves it out (and the apiserver reads a zero IntOrString as
  unset: a Service port's ``targetPort`` then defaults to its ``port``);
- empty strings and bytes, empty lists and maps and zero times are always dropped: Go's JSON writes
  them as ``""``/``null``, which mean "unset" to every reader;
- other zero numbers and booleans are kept (``port: 0`` is in the JSON too); so is an empty object
  (``status: {}``), as in Go's JSON.

Special types take their JSON forms: ``meta.v1.Time``/``MicroTime`` RFC 3339 strings,
``IntOrString`` an int or a string, ``Quantity`` its string, ``Duration`` Go's duration string,
``RawExtension``/``FieldsV1``/apiextensions ``JSON`` the JSON they carry, ``bytes`` base64, wrappers
of Go slices (``ExtraValue``, ``Verbs``) their items. Unknown field numbers are skipped, as Go's
decoder does, so a newer client's fields are not an error. Malformed input is a BadRequest naming what
is wrong; strings are decoded as Go's JSON would print them (invalid UTF-8 becomes U+FFFD).
"""

from __future__ import annotations

import base64
import functools
import gzip
import importlib.resources
import json
import math
import struct
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from k3py.core import errors

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

MEDIA_TYPE = "application/vnd.kubernetes.protobuf"
MAGIC = b"k8s\x00"
TABLES = "data/protobuf.json.gz"
# Nesting allowed in one body: far beyond any real object (JSONSchemaProps nest deepest), and well
# inside Python's recursion limit, so a crafted body is a 400 rather than a RecursionError.
MAX_DEPTH = 100

Obj = dict[str, Any]

_META = "k8s.io.apimachinery.pkg.apis.meta.v1"
_RUNTIME = "k8s.io.apimachinery.pkg.runtime"
_EXTENSIONS = tuple(f"k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.{v}" for v in ("v1", "v1beta1"))
_UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# Wire types.
_VARINT, _FIXED64, _BYTES, _FIXED32 = 0, 1, 2, 5
_VARINT_TYPES = frozenset({"int32", "int64", "uint32", "uint64", "sint32", "sint64", "bool"})
_FIXED64_TYPES = frozenset({"fixed64", "sfixed64", "double"})
_FIXED32_TYPES = frozenset({"fixed32", "sfixed32", "float"})
_SCALARS = _VARINT_TYPES | _FIXED64_TYPES | _FIXED32_TYPES | {"string", "bytes"}
_WIRE_NAMES = {0: "varint", 1: "64-bit", 2: "length-delimited", 3: "start-group", 4: "end-group", 5: "32-bit"}


@dataclass(frozen=True, slots=True)
class Field:
    """One field of a message: its JSON name, type and Go shape (see the module docstring)."""

    name: str
    type: str  # a scalar, or a message's full name (a map's value type for maps)
    repeated: bool = False
    map: bool = False
    inline: bool = False
    pointer: bool = False
    omitempty: bool = False


@dataclass(eq=False, slots=True)
class Tables:
    """The field tables, by message full name, and how to find an object's message."""

    raw: dict[str, dict[str, list[str]]]  # message full name -> number -> [name, type, flags]
    packages: dict[str, str]  # "apps/v1" (core: "v1") -> proto package
    lists: frozenset[str]  # messages that wrap a Go slice type: JSON arrays of their items
    sources: dict[str, str]
    _fields: dict[str, dict[int, Field]] = field(default_factory=dict)

    def fields(self, message: str) -> dict[int, Field] | None:
        """A message's fields by number (built on first use: a body touches a few dozen of 1,300)."""
        fields = self._fields.get(message)
        if fields is None:
            table = self.raw.get(message)
            if table is None:
                return None
            fields = self._fields[message] = {
                int(number): Field(
                    name,
                    type_,
                    repeated="r" in flags,
                    map="m" in flags,
                    inline="i" in flags,
                    pointer="p" in flags,
                    omitempty="o" in flags,
                )
                for number, (name, type_, flags) in table.items()
            }
        return fields

    def message_for(self, api_version: str, kind: str) -> str | None:
        """The message an object of ``apiVersion``/``kind`` is, or None when k3py has no table for it."""
        package = self.packages.get(api_version)
        if package is None:
            return None
        for candidate in (f"{package}.{kind}", f"{_META}.{kind}"):
            if candidate in self.raw:
                return candidate
        return None


@functools.cache
def tables() -> Tables:
    """The committed tables, read once (about 25 KB gzipped)."""
    bundle = json.loads(gzip.decompress(importlib.resources.files("k3py.api").joinpath(TABLES).read_bytes()))
    raw: dict[str, dict[str, list[str]]] = {}
    packages: dict[str, str] = {}
    for package, info in bundle["packages"].items():
        for message, table in info["messages"].items():
            raw[f"{package}.{message}"] = table
        if "version" in info:
            group = info["group"]
            packages[f"{group}/{info['version']}" if group else info["version"]] = package
    return Tables(raw, packages, frozenset(bundle["lists"]), bundle["sources"])


def decode(body: bytes) -> Obj:
    """The object a protobuf request body holds, as the JSON object a JSON client would have sent."""
    try:
        return _decode(body, 0)
    except RecursionError as exc:  # MAX_DEPTH should come first; this is the backstop
        raise errors.BadRequest("the protobuf body is nested too deeply") from exc


def _decode(body: bytes, depth: int) -> Obj:
    """An envelope and the object in it; ``depth`` counts the messages around it (RawExtensions hold envelopes)."""
    if not body.startswith(MAGIC):
        raise errors.BadRequest("the body is not Kubernetes protobuf: it must start with the magic bytes k8s\\x00")
    api_version = kind = content_encoding = content_type = ""
    raw = b""
    for number, wire, value in _wire(body[len(MAGIC) :], "runtime.Unknown"):
        if number == 1:
            for inner_number, inner_wire, inner in _wire(_expect_bytes(value, wire, "typeMeta"), "TypeMeta"):
                if inner_number == 1:
                    api_version = _string(_expect_bytes(inner, inner_wire, "apiVersion"))
                elif inner_number == 2:
                    kind = _string(_expect_bytes(inner, inner_wire, "kind"))
        elif number == 2:
            raw = _expect_bytes(value, wire, "raw")
        elif number == 3:
            content_encoding = _string(_expect_bytes(value, wire, "contentEncoding"))
        elif number == 4:
            content_type = _string(_expect_bytes(value, wire, "contentType"))
    if content_encoding:
        raise errors.BadRequest(f"protobuf content encoding {content_encoding!r} is not supported")
    if content_type not in ("", MEDIA_TYPE):
        raise errors.BadRequest(f"the protobuf envelope holds {content_type!r}, not {MEDIA_TYPE}")
    if not api_version or not kind:
        raise errors.BadRequest("the protobuf envelope names no apiVersion and kind")
    message = tables().message_for(api_version, kind)
    if message is None:
        raise errors.UnsupportedMediaType(
            f"{kind} of {api_version} cannot be sent as protobuf (no protobuf schema for it): send it as JSON"
        )
    obj: Obj = {"kind": kind, "apiVersion": api_version}
    obj.update(_message(raw, message, depth))
    return obj


def decode_message(data: bytes, message: str) -> Obj:
    """One message (no envelope) by its full name, e.g. ``k8s.io.api.core.v1.ConfigMap``."""
    if tables().fields(message) is None:
        raise errors.BadRequest(f"unknown protobuf message {message}")
    try:
        return _message(data, message, 0)
    except RecursionError as exc:
        raise errors.BadRequest("the protobuf body is nested too deeply") from exc


# --- the wire format -------------------------------------------------------------------------------


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    for index in range(pos, min(pos + 10, len(data))):
        byte = data[index]
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result & 0xFFFFFFFFFFFFFFFF, index + 1
        shift += 7
    if len(data) - pos >= 10:
        raise errors.BadRequest("the protobuf body is malformed: a varint is longer than 10 bytes")
    raise errors.BadRequest("the protobuf body is truncated (in a varint)")


def _wire(data: bytes, where: str) -> Iterator[tuple[int, int, int | bytes]]:
    """(field number, wire type, value) of each field: ints for varints and fixed, bytes otherwise."""
    pos, end = 0, len(data)
    while pos < end:
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        if number == 0 or number >= 1 << 29:
            raise errors.BadRequest(f"the protobuf body is malformed: field number {number} in {where}")
        value: int | bytes
        if wire == _VARINT:
            value, pos = _varint(data, pos)
        elif wire in (_FIXED64, _FIXED32):
            size = 8 if wire == _FIXED64 else 4
            if pos + size > end:
                raise errors.BadRequest(f"the protobuf body is truncated (field {number} of {where})")
            value, pos = int.from_bytes(data[pos : pos + size], "little"), pos + size
        elif wire == _BYTES:
            length, pos = _varint(data, pos)
            if pos + length > end:
                raise errors.BadRequest(f"the protobuf body is truncated (field {number} of {where})")
            value, pos = data[pos : pos + length], pos + length
        else:
            raise errors.BadRequest(
                f"the protobuf body is malformed: wire type {_WIRE_NAMES.get(wire, wire)} "
                f"(field {number} of {where}) is not supported"
            )
        yield number, wire, value


def _expect_bytes(value: int | bytes, wire: int, what: str) -> bytes:
    if wire != _BYTES or not isinstance(value, bytes):
        raise errors.BadRequest(f"the protobuf body is malformed: {what} is not length-delimited")
    return value


def _string(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def _signed(value: int, bits: int) -> int:
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value


def _scalar(type_: str, wire: int, value: int | bytes, where: str) -> Any:
    """One scalar from its wire value, or a BadRequest when the wire type does not fit the type."""
    expected = (
        _VARINT
        if type_ in _VARINT_TYPES
        else _FIXED64
        if type_ in _FIXED64_TYPES
        else _FIXED32
        if type_ in _FIXED32_TYPES
        else _BYTES
    )
    if wire != expected:
        raise errors.BadRequest(
            f"the protobuf body is malformed: {where} ({type_}) has wire type {_WIRE_NAMES[wire]}, "
            f"not {_WIRE_NAMES[expected]}"
        )
    if isinstance(value, bytes):
        return _string(value) if type_ == "string" else base64.b64encode(value).decode()
    if type_ == "bool":
        return value != 0
    if type_ in ("int32", "sfixed32"):
        return _signed(value, 32)
    if type_ in ("int64", "sfixed64"):
        return _signed(value, 64)
    if type_ == "uint32":
        return value & 0xFFFFFFFF
    if type_ in ("sint32", "sint64"):
        return (value >> 1) ^ -(value & 1)
    if type_ in ("double", "float"):
        number: float = struct.unpack(
            "<d" if type_ == "double" else "<f", value.to_bytes(8 if type_ == "double" else 4, "little")
        )[0]
        if not math.isfinite(number):
            raise errors.BadRequest(f"{where} is {number}, which JSON cannot hold")
        return number
    return value  # uint64, fixed32, fixed64


def _packed(type_: str, data: bytes, where: str) -> list[Any]:
    """The elements of a packed repeated scalar."""
    out: list[Any] = []
    pos = 0
    size = 8 if type_ in _FIXED64_TYPES else 4 if type_ in _FIXED32_TYPES else 0
    while pos < len(data):
        if size:
            if pos + size > len(data):
                raise errors.BadRequest(f"the protobuf body is truncated (packed {where})")
            out.append(
                _scalar(
                    type_, _FIXED64 if size == 8 else _FIXED32, int.from_bytes(data[pos : pos + size], "little"), where
                )
            )
            pos += size
        else:
            value, pos = _varint(data, pos)
            out.append(_scalar(type_, _VARINT, value, where))
    return out


# --- messages --------------------------------------------------------------------------------------

_DROP = object()  # what a special type decodes to when its JSON is null (a zero time, no raw JSON)


def _message(data: bytes, message: str, depth: int) -> Obj:
    """A message as a JSON object, by the rules of the module docstring."""
    if depth > MAX_DEPTH:
        raise errors.BadRequest(f"the protobuf body is nested more than {MAX_DEPTH} messages deep")
    fields = tables().fields(message)
    if fields is None:  # every type the tables name is in them; this is a broken table
        raise errors.Internal(f"no protobuf table for {message}")
    short = message.rpartition(".")[2]
    singles: dict[int, Any] = {}
    pieces: dict[int, list[bytes]] = {}  # singular messages: repeated occurrences merge, as in protobuf
    lists: dict[int, list[Any]] = {}
    maps: dict[int, Obj] = {}
    for number, wire, value in _wire(data, short):
        f = fields.get(number)
        if f is None:
            continue  # a field this table does not know: a newer client's, skipped as Go does
        where = f"{short}.{f.name}"
        if f.map:
            key, item = _map_entry(f, _expect_bytes(value, wire, where), where, depth)
            maps.setdefault(number, {})[key] = item
        elif f.type not in _SCALARS:
            raw = _expect_bytes(value, wire, where)
            if f.repeated:
                lists.setdefault(number, []).append(raw)
            else:
                pieces.setdefault(number, []).append(raw)
        elif f.repeated:
            if wire == _BYTES and f.type not in ("string", "bytes"):
                lists.setdefault(number, []).extend(_packed(f.type, _expect_bytes(value, wire, where), where))
            else:
                lists.setdefault(number, []).append(_scalar(f.type, wire, value, where))
        else:
            singles[number] = _scalar(f.type, wire, value, where)

    out: Obj = {}
    inlined: list[Obj] = []
    for number in sorted(fields.keys() & (singles.keys() | pieces.keys() | lists.keys() | maps.keys())):
        f = fields[number]
        if number in maps:
            out[f.name] = maps[number]
        elif number in lists:
            items = lists[number]
            if f.type not in _SCALARS:
                items = [_value(f.type, raw, depth + 1) for raw in items]
                items = [None if item is _DROP else item for item in items]
            if items:
                out[f.name] = items
        elif number in pieces:
            value = _value(f.type, b"".join(pieces[number]), depth + 1)
            if value is _DROP or (f.omitempty and _is_zero_special(f.type, value)):
                continue
            if f.inline and isinstance(value, dict):
                inlined.append(value)
            else:
                out[f.name] = value
        else:
            value = singles[number]
            if _keep(f, singles[number]):
                out[f.name] = value
    for embedded in inlined:
        for key, item in embedded.items():
            out.setdefault(key, item)
    return out


def _keep(f: Field, value: Any) -> bool:
    """Whether a singular scalar read off the wire belongs in the JSON object (module docstring)."""
    if f.pointer:
        return True
    if isinstance(value, str):  # strings, and bytes in base64
        return value != ""
    return not (f.omitempty and not value)


def _map_entry(f: Field, data: bytes, where: str, depth: int) -> tuple[str, Any]:
    """One entry of a map field: a message with the key as field 1 and the value as field 2."""
    key = ""
    value: Any = None
    raw_value: list[bytes] = []
    for number, wire, item in _wire(data, where):
        if number == 1:
            key = _string(_expect_bytes(item, wire, where + " key"))
        elif number == 2:
            if f.type in _SCALARS:
                value = _scalar(f.type, wire, item, where)
            else:
                raw_value.append(_expect_bytes(item, wire, where))
    if f.type not in _SCALARS:
        value = _value(f.type, b"".join(raw_value), depth + 1)
        return key, None if value is _DROP else value
    if value is None:  # the value's zero was left out, as protobuf may
        value = {"string": "", "bytes": "", "bool": False}.get(f.type, 0.0 if f.type in ("double", "float") else 0)
    return key, value


def _value(message: str, data: bytes, depth: int) -> Any:
    """A message-typed value: a special type's JSON form, a list wrapper's items, or an object."""
    special = _SPECIAL.get(message)
    if special is not None:
        return special(data, message, depth)
    if message in tables().lists:
        return list(_message(data, message, depth).get("items", []))
    return _message(data, message, depth)


def _is_zero_special(message: str, value: Any) -> bool:
    """Whether a non-pointer ``omitempty`` special value is its type's zero (JSON leaves those out)."""
    return message.endswith(".IntOrString") and value == 0


def _numbers(data: bytes, where: str) -> dict[int, tuple[int, int | bytes]]:
    """The last occurrence of each field of a small fixed-layout message (protobuf: the last wins)."""
    return {number: (wire, value) for number, wire, value in _wire(data, where)}


def _int(fields: dict[int, tuple[int, int | bytes]], number: int, type_: str, where: str) -> int:
    if number not in fields:
        return 0
    wire, value = fields[number]
    result: int = _scalar(type_, wire, value, where)
    return result


def _text(fields: dict[int, tuple[int, int | bytes]], number: int, where: str) -> str:
    if number not in fields:
        return ""
    wire, value = fields[number]
    return _string(_expect_bytes(value, wire, where))


def _time(data: bytes, message: str, depth: int) -> Any:
    """meta.v1.Time and MicroTime: RFC 3339 in UTC (seconds, or microseconds for MicroTime)."""
    if not data:
        return _DROP  # Go writes a zero time as an empty message; its JSON is null
    short = message.rpartition(".")[2]
    fields = _numbers(data, short)
    seconds = _int(fields, 1, "int64", short + ".seconds")
    nanos = _int(fields, 2, "int32", short + ".nanos")
    micro = short == "MicroTime"  # Time keeps whole seconds (Go drops its nanos on decode)
    try:
        moment = _UNIX_EPOCH + timedelta(seconds=seconds, microseconds=nanos // 1000 if micro else 0)
    except OverflowError as exc:
        raise errors.BadRequest(f"{short} {seconds}s is out of range") from exc
    # by hand, not strftime: %Y does not pad years before 1000 on every platform, and Go pads to four digits
    text = f"{moment.year:04d}-{moment:%m-%dT%H:%M:%S}"
    return f"{text}.{moment.microsecond:06d}Z" if micro else text + "Z"


def _int_or_string(data: bytes, message: str, depth: int) -> Any:
    fields = _numbers(data, "IntOrString")
    if _int(fields, 1, "int64", "IntOrString.type") == 1:
        return _text(fields, 3, "IntOrString.strVal")
    return _int(fields, 2, "int32", "IntOrString.intVal")


def _quantity(data: bytes, message: str, depth: int) -> Any:
    return _text(_numbers(data, "Quantity"), 1, "Quantity.string") or "0"


def _duration(data: bytes, message: str, depth: int) -> Any:
    return go_duration(_int(_numbers(data, "Duration"), 1, "int64", "Duration.duration"))


def _raw_json(data: bytes, message: str, depth: int) -> Any:
    """RawExtension, FieldsV1 and apiextensions JSON: field 1 holds JSON (or an embedded protobuf object)."""
    short = message.rpartition(".")[2]
    raw = _text_bytes(_numbers(data, short), short)
    if not raw:
        return _DROP
    if raw.startswith(MAGIC):
        return _decode(raw, depth + 1)
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise errors.BadRequest(f"the protobuf body's {short} holds no valid JSON: {exc}") from exc


def _text_bytes(fields: dict[int, tuple[int, int | bytes]], where: str) -> bytes:
    if 1 not in fields:
        return b""
    wire, value = fields[1]
    return _expect_bytes(value, wire, where)


def _schema_or(data: bytes, message: str, depth: int) -> Any:
    """JSONSchemaPropsOrBool/OrArray/OrStringArray: the schema, or the bool or list beside it (their MarshalJSON)."""
    short = message.rpartition(".")[2]
    decoded = _message(data, message, depth)
    if short == "JSONSchemaPropsOrBool":
        return decoded["schema"] if "schema" in decoded else bool(decoded.get("allows", False))
    array = decoded.get("jSONSchemas" if short == "JSONSchemaPropsOrArray" else "property")
    if array:
        return array
    return decoded.get("schema", _DROP)


_SPECIAL: dict[str, Callable[[bytes, str, int], Any]] = {
    f"{_META}.Time": _time,
    f"{_META}.MicroTime": _time,
    f"{_META}.Duration": _duration,
    f"{_META}.FieldsV1": _raw_json,
    f"{_RUNTIME}.RawExtension": _raw_json,
    "k8s.io.apimachinery.pkg.util.intstr.IntOrString": _int_or_string,
    "k8s.io.apimachinery.pkg.api.resource.Quantity": _quantity,
    "k8s.io.apimachinery.pkg.api.resource.QuantityValue": _quantity,
    **{
        f"{package}.{name}": special
        for package in _EXTENSIONS
        for name, special in (
            ("JSON", _raw_json),
            ("JSONSchemaPropsOrBool", _schema_or),
            ("JSONSchemaPropsOrArray", _schema_or),
            ("JSONSchemaPropsOrStringArray", _schema_or),
        )
    },
}


def go_duration(nanoseconds: int) -> str:
    """Go's ``time.Duration.String()``: ``1h0m0s``, ``1.5s``, ``300ms``, ``0s``, the JSON of a meta.v1.Duration."""
    if nanoseconds == 0:
        return "0s"
    sign = "-" if nanoseconds < 0 else ""
    u = abs(nanoseconds)
    if u < 1_000_000_000:
        for limit, unit, precision in ((1_000, "ns", 0), (1_000_000, "\u00b5s", 3), (1_000_000_000, "ms", 6)):
            if u < limit:
                fraction, whole = _fraction(u, precision)
                return f"{sign}{whole}{fraction}{unit}"
    fraction, seconds = _fraction(u, 9)
    text = f"{seconds % 60}{fraction}s"
    minutes = seconds // 60
    if minutes:
        text = f"{minutes % 60}m{text}"
        if minutes // 60:
            text = f"{minutes // 60}h{text}"
    return sign + text


def _fraction(value: int, precision: int) -> tuple[str, int]:
    """Go's fmtFrac: ``.5`` for 500 at precision 3 (no trailing zeros, nothing for 0), and the rest."""
    if not precision:
        return "", value
    digits = f"{value % 10**precision:0{precision}d}".rstrip("0")
    return ("." + digits if digits else ""), value // 10**precision
