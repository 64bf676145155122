"""Label and field selectors: parsed once, matched against objects. Pure, stdlib only.

Label selector grammar (apimachinery's ``labels.Parse``): comma-separated requirements, each
``key``, ``!key``, ``key=value``, ``key==value``, ``key!=value``, ``key in (a,b)``,
``key notin (a,b)``. Field selectors (``fields.ParseSelector``): ``path=value``, ``path==value``,
``path!=value``, comma-separated, with ``\\`` escaping ``,``, ``=`` and ``\\`` in values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from k3py.core.errors import BadRequest

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

_IDENT = re.compile(r"[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?")
_SET_OP = re.compile(r"^\s*([^\s!=()]+)\s+(in|notin)\s*\(([^)]*)\)\s*")


@dataclass(frozen=True, slots=True)
class Requirement:
    key: str
    op: str  # "exists", "!exists", "=", "!=", "in", "notin"
    values: frozenset[str] = frozenset()

    def matches(self, labels: Mapping[str, str]) -> bool:
        if self.op == "exists":
            return self.key in labels
        if self.op == "!exists":
            return self.key not in labels
        value = labels.get(self.key)
        if self.op in ("=", "in"):
            return value is not None and value in self.values
        return value is None or value not in self.values  # "!=" and "notin" match a missing key


@dataclass(frozen=True, slots=True)
class LabelSelector:
    requirements: tuple[Requirement, ...] = ()

    def matches(self, labels: Mapping[str, str] | None) -> bool:
        labels = labels or {}
        return all(req.matches(labels) for req in self.requirements)

    @property
    def empty(self) -> bool:
        return not self.requirements


def _split_top_level(text: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def parse_label_selector(text: str) -> LabelSelector:
    """Parse a ``labelSelector`` query value; raises BadRequest with apimachinery-like messages."""
    reqs: list[Requirement] = []
    for part in _split_top_level(text or ""):
        match = _SET_OP.match(part)
        if match:
            key, op, raw = match.groups()
            if match.end() != len(part):
                raise BadRequest(f"unable to parse requirement: {part!r}")
            values = frozenset(v.strip() for v in raw.split(",") if v.strip())
            reqs.append(Requirement(_key(key), op, values))
            continue
        for op in ("==", "!=", "="):
            if op in part:
                key, _, value = part.partition(op)
                reqs.append(Requirement(_key(key.strip()), "!=" if op == "!=" else "=", frozenset({_value(value)})))
                break
        else:
            if part.startswith("!"):
                reqs.append(Requirement(_key(part[1:].strip()), "!exists"))
            else:
                reqs.append(Requirement(_key(part), "exists"))
    return LabelSelector(tuple(reqs))


def _key(key: str) -> str:
    name = key.rsplit("/", 1)[-1]
    if not key or not _IDENT.fullmatch(name) or len(name) > 63:
        raise BadRequest(f"unable to parse requirement: invalid label key {key!r}")
    return key


def _value(value: str) -> str:
    value = value.strip()
    if value and (not _IDENT.fullmatch(value) or len(value) > 63):
        raise BadRequest(f"unable to parse requirement: invalid label value {value!r}")
    return value


def selector_from_label_selector(spec: Mapping[str, Any] | None) -> LabelSelector:
    """A ``metav1.LabelSelector`` object (matchLabels, matchExpressions) as a selector."""
    if not spec:
        return LabelSelector()
    reqs = [Requirement(k, "=", frozenset({str(v)})) for k, v in sorted((spec.get("matchLabels") or {}).items())]
    ops = {"In": "in", "NotIn": "notin", "Exists": "exists", "DoesNotExist": "!exists"}
    for expr in spec.get("matchExpressions") or ():
        op = ops.get(expr.get("operator", ""))
        if op is None:
            raise BadRequest(f"{expr.get('operator')!r} is not a valid label selector operator")
        reqs.append(Requirement(expr.get("key", ""), op, frozenset(expr.get("values") or ())))
    return LabelSelector(tuple(reqs))


@dataclass(frozen=True, slots=True)
class FieldSelector:
    terms: tuple[tuple[str, bool, str], ...] = ()  # (field, equal?, value)

    def matches(self, fields: Callable[[str], str | None]) -> bool:
        for field, equal, value in self.terms:
            actual = fields(field)
            if (actual == value) != equal:
                return False
        return True

    def value_of(self, field: str) -> str | None:
        """The value an equality term requires for ``field`` (e.g. metadata.name), if any."""
        for name, equal, value in self.terms:
            if name == field and equal:
                return value
        return None


def parse_field_selector(text: str) -> FieldSelector:
    terms: list[tuple[str, bool, str]] = []
    for part in _split_escaped(text or ""):
        for op in ("!=", "==", "="):
            index = _find_unescaped(part, op)
            if index >= 0:
                field, value = part[:index].strip(), _unescape(part[index + len(op) :])
                if not field:
                    raise BadRequest(f"invalid selector: {text!r}; can't understand {part!r}")
                terms.append((field, op != "!=", value))
                break
        else:
            raise BadRequest(f"invalid selector: {text!r}; can't understand {part!r}")
    return FieldSelector(tuple(terms))


def _split_escaped(text: str) -> list[str]:
    parts, current, i = [], "", 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            current += text[i : i + 2]
            i += 2
            continue
        if ch == ",":
            parts.append(current)
            current = ""
        else:
            current += ch
        i += 1
    parts.append(current)
    return [p for p in parts if p.strip()]


def _find_unescaped(text: str, op: str) -> int:
    i = 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(op, i):
            return i
        i += 1
    return -1


def _unescape(value: str) -> str:
    return re.sub(r"\\(.)", r"\1", value)
