"""Structural schemas (a CRD version's ``openAPIV3Schema``): pruning, defaulting and validating custom resources.

What apiextensions-apiserver does to a custom resource between decoding and storage, on plain JSON
values: unknown fields are pruned (``pruning/algorithm.go``), nulls the schema does not allow are
dropped and ``default`` values filled in (``defaulting/prunenulls.go``, ``defaulting/algorithm.go``),
then the object is validated (kube-openapi's validator, its errors turned into field errors as
``apiserver/validation/validation.go`` does, plus the ``x-kubernetes-list-type`` and embedded
resource checks). :func:`check_schema` is the other side: whether a CRD's schema is structural
and usable at all, checked when the CRD is written. Pure: no I/O; schemas are never changed.

Messages follow apimachinery's ``field.Error`` (``spec.replicas: Invalid value: "string":
spec.replicas in body must be of type integer: "string"``), because kubectl shows them verbatim.
Two path spellings coexist, as upstream: kube-openapi's (``spec.labels.key``, ``spec.items[0]``)
for schema violations and ``field.Path``'s (``spec.labels[key]``) for list-type duplicates and
schema checks.

Ported in spirit from Kubernetes (Apache License 2.0, Copyright The Kubernetes Authors):
``staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/schema`` and
``k8s.io/kube-openapi/pkg/validation``.
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from functools import lru_cache
from typing import Any

from k3py.core import errors

Schema = Mapping[str, Any]

TYPES = ("array", "boolean", "integer", "number", "object", "string")
# TypeMeta and ObjectMeta: never pruned or validated by the schema at a resource's root (or in an
# embedded resource); the generic object rules own them.
META_FIELDS = frozenset({"apiVersion", "kind", "metadata"})
# What a resource's metadata keeps (ObjectMeta's fields); the rest is pruned, as decoding into
# ObjectMeta (objectmeta.Coerce for embedded resources) drops it.
OBJECT_META_FIELDS = frozenset(
    {
        "name",
        "generateName",
        "namespace",
        "selfLink",
        "uid",
        "resourceVersion",
        "generation",
        "creationTimestamp",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "labels",
        "annotations",
        "ownerReferences",
        "finalizers",
        "managedFields",
    }
)
LIST_TYPES = ("atomic", "map", "set")
# The JSON types of the schema keywords that are not schemas themselves (JSONSchemaProps' Go
# types): a CRD whose schema breaks them is refused, as decoding it into the Go struct fails.
_KEYWORD_TYPES: dict[str, tuple[str, tuple[type, ...]]] = {
    "type": ("string", (str,)),
    "format": ("string", (str,)),
    "description": ("string", (str,)),
    "pattern": ("string", (str,)),
    "required": ("array of strings", (list,)),
    "enum": ("array", (list,)),
    "allOf": ("array", (list,)),
    "anyOf": ("array", (list,)),
    "oneOf": ("array", (list,)),
    "not": ("object", (dict,)),
    "items": ("object", (dict,)),
    "additionalProperties": ("object or boolean", (dict, bool)),
    "maxLength": ("integer", (int,)),
    "minLength": ("integer", (int,)),
    "maxItems": ("integer", (int,)),
    "minItems": ("integer", (int,)),
    "maxProperties": ("integer", (int,)),
    "minProperties": ("integer", (int,)),
    "maximum": ("number", (int, float)),
    "minimum": ("number", (int, float)),
    "multipleOf": ("number", (int, float)),
    "exclusiveMaximum": ("boolean", (bool,)),
    "exclusiveMinimum": ("boolean", (bool,)),
    "nullable": ("boolean", (bool,)),
    "x-kubernetes-preserve-unknown-fields": ("boolean", (bool,)),
    "x-kubernetes-int-or-string": ("boolean", (bool,)),
    "x-kubernetes-embedded-resource": ("boolean", (bool,)),
    "x-kubernetes-list-map-keys": ("array of strings", (list,)),
}
MAP_TYPES = ("atomic", "granular")


# --------------------------------------------------------------------------------------------
# Field errors, worded as apimachinery's field package words them


def go_value(value: object) -> str:
    """How ``field.Error`` prints a bad value: ``%v`` for numbers and bools, ``%q`` for strings, JSON else."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return go_float(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def go_float(value: float) -> str:
    """Go's ``%v`` of a float64 (shortest digits, ``%e`` past six integer digits): ``10``, ``1.5``, ``1e+06``."""
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if math.isnan(value):
        return "NaN"
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    parts = Decimal(repr(abs(value))).as_tuple()  # repr: the shortest digits that round-trip, as Go's
    digits = "".join(str(d) for d in parts.digits).rstrip("0") or "0"
    exponent = int(parts.exponent) + len(parts.digits) - 1
    if exponent < -4 or exponent >= 6:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mantissa}e{'-' if exponent < 0 else '+'}{abs(exponent):02d}"
    point = exponent + 1
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return f"{sign}{digits}{'0' * (point - len(digits))}"
    return f"{sign}{digits[:point]}.{digits[point:]}"


def required(path: str, detail: str = "") -> errors.Cause:
    return errors.Cause("FieldValueRequired", "Required value" + (f": {detail}" if detail else ""), path)


def invalid(path: str, value: object, detail: str) -> errors.Cause:
    return errors.Cause("FieldValueInvalid", f"Invalid value: {go_value(value)}: {detail}", path)


def type_invalid(path: str, value: object, detail: str) -> errors.Cause:
    return errors.Cause("FieldValueTypeInvalid", f"Invalid value: {go_value(value)}: {detail}", path)


def not_supported(path: str, value: object, supported: list[str]) -> errors.Cause:
    listed = ", ".join(json.dumps(s, ensure_ascii=False) for s in supported)
    detail = f": supported values: {listed}" if supported else ""
    return errors.Cause("FieldValueNotSupported", f"Unsupported value: {go_value(value)}{detail}", path)


def forbidden(path: str, detail: str) -> errors.Cause:
    return errors.Cause("FieldValueForbidden", f"Forbidden: {detail}", path)


def duplicate(path: str, value: object) -> errors.Cause:
    return errors.Cause("FieldValueDuplicate", f"Duplicate value: {go_value(value)}", path)


def too_long(path: str, maximum: int) -> errors.Cause:
    unit = "byte" if maximum == 1 else "bytes"
    return errors.Cause("FieldValueTooLong", f"Too long: may not be more than {maximum} {unit}", path)


def too_many(path: str, actual: int, maximum: int) -> errors.Cause:
    unit = "item" if maximum == 1 else "items"
    return errors.Cause("FieldValueTooMany", f"Too many: {actual}: must have at most {maximum} {unit}", path)


def message(causes: Iterable[errors.Cause]) -> str:
    """``ErrorList.ToAggregate()``: one error as is, several in brackets, duplicates once."""
    seen: list[str] = []
    for cause in causes:
        text = f"{cause.field}: {cause.message}"
        if text not in seen:
            seen.append(text)
    return seen[0] if len(seen) == 1 else "[" + ", ".join(seen) + "]"


# --------------------------------------------------------------------------------------------
# Schema lookups


def _properties(schema: Schema) -> Mapping[str, Any]:
    properties = schema.get("properties")
    return properties if isinstance(properties, Mapping) else {}


def _additional(schema: Schema) -> Schema | None:
    """The schema of a map's values; ``additionalProperties: true`` is an open, untyped value."""
    extra = schema.get("additionalProperties")
    if isinstance(extra, Mapping):
        return extra
    if extra is True:
        return {"x-kubernetes-preserve-unknown-fields": True}
    return None


def _items(schema: Schema) -> Schema | None:
    items = schema.get("items")
    return items if isinstance(items, Mapping) else None


def _child(schema: Schema | None, key: str) -> Schema | None:
    if schema is None:
        return None
    properties = _properties(schema)
    if key in properties and isinstance(properties[key], Mapping):
        child: Schema = properties[key]
        return child
    return _additional(schema)


def _preserves(schema: Schema | None) -> bool:
    return schema is not None and bool(schema.get("x-kubernetes-preserve-unknown-fields"))


def _embedded(schema: Schema | None) -> bool:
    return schema is not None and bool(schema.get("x-kubernetes-embedded-resource"))


def _json_kind(value: object) -> str:
    """kube-openapi's name for the type of a decoded JSON value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _json_equal(a: object, b: object) -> bool:
    """JSON equality: 1 equals 1.0, but true is not 1 (Python's bool is an int)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_json_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_json_equal(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


# --------------------------------------------------------------------------------------------
# Pruning


def prune(obj: Any, schema: Schema | None, *, root: bool = True) -> list[str]:
    """Drop the fields ``schema`` does not specify from ``obj`` (changed in place); their paths, sorted.

    At a resource's root (``root``) and in embedded resources, apiVersion, kind and metadata stay
    (metadata loses what is not ObjectMeta, as decoding it does); under
    ``x-kubernetes-preserve-unknown-fields`` only the specified fields are pruned further.
    """
    out: list[str] = []
    if root:
        schema = dict(schema or {})
        schema["x-kubernetes-embedded-resource"] = True
    _prune(obj, schema, "", out)
    return sorted(out)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _prune(value: Any, schema: Schema | None, path: str, out: list[str]) -> None:
    if _preserves(schema):
        _skip_prune(value, schema, path, out)
        return
    if isinstance(value, dict):
        if schema is None:
            for key in list(value):
                out.append(_join(path, key))
                del value[key]
            return
        properties, extra = _properties(schema), _additional(schema)
        for key in list(value):
            if _embedded(schema) and key in META_FIELDS:
                if key == "metadata":
                    _prune_object_meta(value[key], _join(path, key), out)
                continue
            if key in properties:
                _prune(value[key], _child(schema, key), _join(path, key), out)
            elif extra is not None:
                _prune(value[key], extra, _join(path, key), out)
            else:
                if key not in META_FIELDS or path:
                    out.append(_join(path, key))
                del value[key]
    elif isinstance(value, list):
        items = _items(schema) if schema is not None else None
        for index, item in enumerate(value):
            _prune(item, items, f"{path}[{index}]", out)


def _skip_prune(value: Any, schema: Schema | None, path: str, out: list[str]) -> None:
    if schema is None:
        return
    if isinstance(value, dict):
        properties, extra = _properties(schema), _additional(schema)
        for key in list(value):
            if _embedded(schema) and key in META_FIELDS:
                if key == "metadata":
                    _prune_object_meta(value[key], _join(path, key), out)
                continue
            if key in properties:
                _prune(value[key], _child(schema, key), _join(path, key), out)
            elif extra is not None:
                _prune(value[key], extra, _join(path, key), out)
    elif isinstance(value, list):
        items = _items(schema)
        for index, item in enumerate(value):
            _skip_prune(item, items, f"{path}[{index}]", out)


def _prune_object_meta(metadata: Any, path: str, out: list[str]) -> None:
    if isinstance(metadata, dict):
        for key in list(metadata):
            if key not in OBJECT_META_FIELDS:
                out.append(f"{path}.{key}")
                del metadata[key]


# --------------------------------------------------------------------------------------------
# Nulls and defaults


def _nullable(schema: Schema | None) -> bool:
    return schema is not None and bool(schema.get("nullable"))


def prune_nulls(value: Any, schema: Schema | None) -> None:
    """Drop null fields the schema neither allows (``nullable``) nor defaults (PruneNonNullableNullsWithoutDefaults)."""
    if isinstance(value, dict):
        for key in list(value):
            child = _child(schema, key)
            if value[key] is None and child is not None and not _nullable(child) and "default" not in child:
                del value[key]
            else:
                prune_nulls(value[key], child)
    elif isinstance(value, list):
        items = _items(schema) if schema is not None else None
        for item in value:
            prune_nulls(item, items)


def apply_defaults(value: Any, schema: Schema | None) -> None:
    """Fill in ``default`` values where a field is missing (or null but not nullable); deep copies.

    Top-down, as apiextensions' defaulting does: a defaulted object gets its own fields' defaults.
    """
    if schema is None:
        return
    if isinstance(value, dict):
        for key, prop in _properties(schema).items():
            if not isinstance(prop, Mapping) or "default" not in prop:
                continue
            if key not in value or (value[key] is None and not _nullable(prop)):
                value[key] = copy.deepcopy(prop["default"])
        properties, extra = _properties(schema), _additional(schema)
        for key in value:
            if key in properties:
                apply_defaults(value[key], _child(schema, key))
            elif extra is not None:
                if value[key] is None and not _nullable(extra) and "default" in extra:
                    value[key] = copy.deepcopy(extra["default"])
                apply_defaults(value[key], extra)
    elif isinstance(value, list):
        items = _items(schema)
        if items is None:
            return
        for index, item in enumerate(value):
            if item is None and not _nullable(items) and "default" in items:
                value[index] = copy.deepcopy(items["default"])
            apply_defaults(value[index], items)


# --------------------------------------------------------------------------------------------
# Validation


@lru_cache(maxsize=512)
def _regex(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except re.error:
        return None


def validate(obj: Mapping[str, Any], schema: Schema | None) -> list[errors.Cause]:
    """The field errors of the custom resource ``obj`` under ``schema`` (empty when valid)."""
    out: list[errors.Cause] = []
    if schema is None:
        return out
    root = {key: value for key, value in obj.items() if key not in META_FIELDS}
    _validate(root, {k: v for k, v in schema.items() if k != "required"}, "", out)
    for key in _strings(schema.get("required")):
        if key not in obj and key not in META_FIELDS:
            out.append(required(key))
    meta_schema = _properties(schema).get("metadata")
    metadata = obj.get("metadata")
    if isinstance(meta_schema, Mapping) and isinstance(metadata, Mapping):
        for key in ("name", "generateName"):
            child = _properties(meta_schema).get(key)
            if key in metadata and isinstance(child, Mapping):
                _validate(metadata[key], child, f"metadata.{key}", out)
    _validate_list_types(root, schema, "", out)
    _validate_embedded(root, schema, "", out)
    return out


def _type_matches(value: object, kind: str) -> bool:
    actual = _json_kind(value)
    if kind == "integer":
        return actual == "integer" or (isinstance(value, float) and value.is_integer())
    if kind == "number":
        return actual in ("integer", "number")
    return actual == kind


def _validate(value: Any, schema: Schema, path: str, out: list[errors.Cause]) -> None:
    kind = schema.get("type")
    if value is None:
        if kind and not schema.get("nullable"):
            out.append(type_invalid(path, "null", f'{path} in body must be of type {kind}: "null"'))
        return
    if schema.get("x-kubernetes-int-or-string") and not kind:
        if _json_kind(value) not in ("integer", "string"):
            actual = _json_kind(value)
            out.append(type_invalid(path, actual, f'{path} in body must be of type integer,string: "{actual}"'))
            return
    elif isinstance(kind, str) and kind and not _type_matches(value, kind):
        actual = _json_kind(value)
        out.append(type_invalid(path, actual, f'{path} in body must be of type {kind}: "{actual}"'))
        return
    _value_validation(value, schema, path, out)
    if isinstance(value, str):
        _validate_string(value, schema, path, out)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        _validate_number(value, schema, path, out)
    elif isinstance(value, list):
        _validate_array(value, schema, path, out)
    enum = schema.get("enum")
    if isinstance(enum, list) and enum and not any(_json_equal(value, allowed) for allowed in enum):
        listed = [e if isinstance(e, str) else json.dumps(e, separators=(",", ":")) for e in enum]
        out.append(not_supported(path, value, listed))
    if isinstance(value, dict):
        _validate_object(value, schema, path, out)


def _value_validation(value: Any, schema: Schema, path: str, out: list[errors.Cause]) -> None:
    """allOf, anyOf, oneOf and not: value constraints without types of their own."""
    name = path or "<root>"
    for sub in _schemas(schema.get("allOf")):
        _validate(value, sub, path, out)
    any_of = _schemas(schema.get("anyOf"))
    int_or_string = bool(schema.get("x-kubernetes-int-or-string"))
    if any_of and not int_or_string and not any(_passes(value, sub, path) for sub in any_of):
        out.append(invalid(path, value, f'"{name}" must validate at least one schema (anyOf)'))
    one_of = _schemas(schema.get("oneOf"))
    if one_of:
        passing = sum(_passes(value, sub, path) for sub in one_of)
        if passing != 1:
            out.append(invalid(path, value, f'"{name}" must validate one and only one schema (oneOf)'))
    not_schema = schema.get("not")
    if isinstance(not_schema, Mapping) and _passes(value, not_schema, path):
        out.append(invalid(path, value, f'"{name}" must not validate the schema (not)'))


def _schemas(value: object) -> list[Schema]:
    return [sub for sub in value if isinstance(sub, Mapping)] if isinstance(value, list) else []


def _strings(value: object) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _passes(value: Any, schema: Schema, path: str) -> bool:
    found: list[errors.Cause] = []
    _validate(value, schema, path, found)
    return not found


def _validate_string(value: str, schema: Schema, path: str, out: list[errors.Cause]) -> None:
    length = len(value)
    maximum, minimum, pattern = schema.get("maxLength"), schema.get("minLength"), schema.get("pattern")
    if isinstance(maximum, int) and length > maximum:
        out.append(too_long(path, maximum))
    elif isinstance(minimum, int) and length < minimum:
        out.append(invalid(path, value, f"{path} in body should be at least {minimum} chars long"))
    elif isinstance(pattern, str):
        regex = _regex(pattern)
        if regex is not None and not regex.search(value):
            out.append(invalid(path, value, f"{path} in body should match '{pattern}'"))


def _number_text(value: object) -> str:
    return go_float(float(value)) if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)


def _validate_number(value: float, schema: Schema, path: str, out: list[errors.Cause]) -> None:
    multiple = schema.get("multipleOf")
    if isinstance(multiple, (int, float)) and multiple > 0:
        quotient = value / multiple
        if not math.isclose(quotient, round(quotient), rel_tol=0, abs_tol=1e-9):
            out.append(invalid(path, value, f"{path} in body should be a multiple of {_number_text(multiple)}"))
    maximum = schema.get("maximum")
    if isinstance(maximum, (int, float)) and not isinstance(maximum, bool):
        if schema.get("exclusiveMaximum") and value >= maximum:
            out.append(invalid(path, value, f"{path} in body should be less than {_number_text(maximum)}"))
        elif value > maximum:
            detail = f"{path} in body should be less than or equal to {_number_text(maximum)}"
            out.append(invalid(path, value, detail))
    minimum = schema.get("minimum")
    if isinstance(minimum, (int, float)) and not isinstance(minimum, bool):
        if schema.get("exclusiveMinimum") and value <= minimum:
            out.append(invalid(path, value, f"{path} in body should be greater than {_number_text(minimum)}"))
        elif value < minimum:
            detail = f"{path} in body should be greater than or equal to {_number_text(minimum)}"
            out.append(invalid(path, value, detail))


def _validate_array(value: list[Any], schema: Schema, path: str, out: list[errors.Cause]) -> None:
    maximum, minimum = schema.get("maxItems"), schema.get("minItems")
    if isinstance(maximum, int) and len(value) > maximum:
        out.append(too_many(path, len(value), maximum))
    if isinstance(minimum, int) and len(value) < minimum:
        out.append(invalid(path, len(value), f"{path} in body should have at least {minimum} items"))
    items = _items(schema)
    if items is not None:
        for index, item in enumerate(value):
            _validate(item, items, f"{path}[{index}]", out)


def _validate_object(value: dict[str, Any], schema: Schema, path: str, out: list[errors.Cause]) -> None:
    maximum, minimum = schema.get("maxProperties"), schema.get("minProperties")
    if isinstance(maximum, int) and len(value) > maximum:
        out.append(too_many(path, len(value), maximum))
    if isinstance(minimum, int) and len(value) < minimum:
        out.append(invalid(path, len(value), f"{path} in body should have at least {minimum} properties"))
    properties, extra = _properties(schema), _additional(schema)
    for key, item in value.items():
        if key in properties and isinstance(properties[key], Mapping):
            _validate(item, properties[key], _join(path, key), out)
        elif extra is not None:
            _validate(item, extra, _join(path, key), out)
    for key in _strings(schema.get("required")):
        if key not in value:
            out.append(required(_join(path, key)))


def _validate_list_types(value: Any, schema: Schema | None, path: str, out: list[errors.Cause]) -> None:
    """Duplicates in ``x-kubernetes-list-type: set`` and ``map`` lists (listtype/validation.go)."""
    if schema is None:
        return
    if isinstance(value, dict):
        properties, extra = _properties(schema), _additional(schema)
        for key, item in value.items():
            if key in properties:
                _validate_list_types(item, _child(schema, key), _join(path, key), out)
            elif extra is not None:
                _validate_list_types(item, extra, f"{path}[{key}]", out)
    elif isinstance(value, list):
        list_type = schema.get("x-kubernetes-list-type")
        if list_type == "set":
            seen: list[object] = []
            reported: list[object] = []
            for index, item in enumerate(value):
                if any(_json_equal(item, other) for other in seen):
                    if not any(_json_equal(item, other) for other in reported):
                        out.append(duplicate(f"{path}[{index}]", item))
                        reported.append(item)
                else:
                    seen.append(item)
        elif list_type == "map":
            keys = _strings(schema.get("x-kubernetes-list-map-keys"))
            seen_keys: list[dict[str, Any]] = []
            for index, item in enumerate(value):
                if not isinstance(item, dict):
                    continue
                key_values = {k: item.get(k) for k in keys}
                if key_values in seen_keys:
                    out.append(duplicate(f"{path}[{index}]", key_values))
                else:
                    seen_keys.append(key_values)
        items = _items(schema)
        for index, item in enumerate(value):
            _validate_list_types(item, items, f"{path}[{index}]", out)


def _validate_embedded(value: Any, schema: Schema | None, path: str, out: list[errors.Cause]) -> None:
    """An ``x-kubernetes-embedded-resource`` needs apiVersion and kind (objectmeta/validation.go)."""
    if schema is None:
        return
    if isinstance(value, dict):
        if _embedded(schema):
            for key in ("apiVersion", "kind"):
                if key not in value:
                    out.append(required(_join(path, key)))
                elif not isinstance(value[key], str):
                    out.append(invalid(_join(path, key), value[key], "must be a string"))
                elif not value[key]:
                    out.append(invalid(_join(path, key), value[key], "must not be empty"))
        properties, extra = _properties(schema), _additional(schema)
        for key, item in value.items():
            if key in properties:
                _validate_embedded(item, _child(schema, key), _join(path, key), out)
            elif extra is not None:
                _validate_embedded(item, extra, f"{path}[{key}]", out)
    elif isinstance(value, list):
        items = _items(schema)
        for index, item in enumerate(value):
            _validate_embedded(item, items, f"{path}[{index}]", out)


# --------------------------------------------------------------------------------------------
# Checking a schema when its CRD is written


def check_schema(schema: Any, path: str, *, status_enabled: bool) -> list[errors.Cause]:
    """What is wrong with a CRD version's ``openAPIV3Schema`` (at ``path``): empty when it is usable.

    The checks of apiextensions' ``ValidateCustomResourceDefinitionOpenAPISchema`` and
    ``ValidateStructural`` that matter in practice: known types, a type everywhere a value is
    specified, ``items`` for arrays, an object at the root, no ``$ref``, no ``additionalProperties``
    beside ``properties`` or at the root, the metadata restrictions, valid patterns and list types,
    and defaults that validate and survive pruning.
    """
    out: list[errors.Cause] = []
    if not isinstance(schema, Mapping):
        out.append(invalid(path, schema, "must be an object"))
        return out
    if schema.get("nullable"):
        out.append(forbidden(f"{path}.nullable", "nullable cannot be true at the root"))
    if status_enabled and schema.get("type") not in (None, "object"):
        out.append(
            invalid(
                f"{path}.type",
                schema.get("type"),
                'only "object" is allowed as the type at the root of the schema if the status subresource is enabled',
            )
        )
    if schema.get("type") not in (None, "object"):
        out.append(invalid(f"{path}.type", schema.get("type"), "must be object at the root"))
    if "additionalProperties" in schema:
        out.append(forbidden(f"{path}.additionalProperties", "must not be used at the root"))
    _check_node(schema, path, "root", out)
    metadata = _properties(schema).get("metadata")
    if isinstance(metadata, Mapping):
        allowed = {"name", "generateName"}
        extra_keys = set(metadata) - {"type", "properties", "description"}
        if set(_properties(metadata)) - allowed or extra_keys:
            out.append(
                forbidden(
                    f"{path}.properties[metadata]",
                    "must not specify anything other than name and generateName, but metadata is implicitly specified",
                )
            )
    if not out:
        _check_defaults(schema, path, out, root=True)
    return out


def _check_node(schema: Mapping[str, Any], path: str, level: str, out: list[errors.Cause]) -> None:
    for keyword, (name, types) in _KEYWORD_TYPES.items():
        value = schema.get(keyword)
        if value is None:
            continue
        wrong = not isinstance(value, types) or (isinstance(value, bool) and bool not in types)
        if not wrong and name == "array of strings":
            wrong = not all(isinstance(item, str) for item in value)
        if wrong:
            out.append(invalid(f"{path}.{keyword}", value, f"must be {'an' if name[0] in 'aeiou' else 'a'} {name}"))
            return
    kind = schema.get("type")
    if "$ref" in schema:
        out.append(forbidden(f"{path}.$ref", "$ref is not supported"))
    if kind is not None and kind not in TYPES:
        out.append(not_supported(f"{path}.type", kind, list(TYPES)))
    int_or_string = bool(schema.get("x-kubernetes-int-or-string"))
    preserve = bool(schema.get("x-kubernetes-preserve-unknown-fields"))
    embedded = bool(schema.get("x-kubernetes-embedded-resource"))
    if embedded and kind != "object":
        if not kind:
            out.append(required(f"{path}.type", "must be object if x-kubernetes-embedded-resource is true"))
        else:
            out.append(invalid(f"{path}.type", kind, "must be object if x-kubernetes-embedded-resource is true"))
    elif not kind and not int_or_string and not preserve:
        where = {
            "root": "at the root",
            "items": "for specified array items",
            "field": "for specified object fields",
        }[level]
        out.append(required(f"{path}.type", f"must not be empty {where}"))
    if int_or_string and preserve:
        out.append(
            invalid(
                f"{path}.x-kubernetes-preserve-unknown-fields",
                True,
                "must be false if x-kubernetes-int-or-string is true",
            )
        )
    if int_or_string and kind:
        out.append(invalid(f"{path}.type", kind, "must be empty if x-kubernetes-int-or-string is true"))
    if kind == "array" and _items(schema) is None:
        out.append(required(f"{path}.items", "must be specified"))
    if schema.get("uniqueItems"):
        out.append(
            forbidden(
                f"{path}.uniqueItems",
                "uniqueItems cannot be set to true since the runtime complexity becomes quadratic",
            )
        )
    if "properties" in schema and "additionalProperties" in schema:
        out.append(
            forbidden(f"{path}.additionalProperties", "additionalProperties and properties are mutual exclusive")
        )
    if schema.get("additionalProperties") is False:
        out.append(forbidden(f"{path}.additionalProperties", "additionalProperties cannot be set to false"))
    pattern = schema.get("pattern")
    if isinstance(pattern, str) and _regex(pattern) is None:
        out.append(invalid(f"{path}.pattern", pattern, "must be a valid regular expression, but isn't"))
    list_type = schema.get("x-kubernetes-list-type")
    if list_type is not None:
        if list_type not in LIST_TYPES:
            out.append(not_supported(f"{path}.x-kubernetes-list-type", list_type, list(LIST_TYPES)))
        elif kind != "array":
            out.append(invalid(f"{path}.x-kubernetes-list-type", list_type, "must only be used on type array"))
        elif list_type == "map" and not schema.get("x-kubernetes-list-map-keys"):
            out.append(
                required(f"{path}.x-kubernetes-list-map-keys", "must not be empty if x-kubernetes-list-type is map")
            )
    map_type = schema.get("x-kubernetes-map-type")
    if map_type is not None and map_type not in MAP_TYPES:
        out.append(not_supported(f"{path}.x-kubernetes-map-type", map_type, list(MAP_TYPES)))
    properties = schema.get("properties")
    if properties is not None and not isinstance(properties, Mapping):
        out.append(invalid(f"{path}.properties", properties, "must be an object"))
    for key, child in _properties(schema).items():
        if isinstance(child, Mapping):
            _check_node(child, f"{path}.properties[{key}]", "field", out)
        else:
            out.append(invalid(f"{path}.properties[{key}]", child, "must be an object"))
    items = _items(schema)
    if items is not None:
        _check_node(items, f"{path}.items", "items", out)
    extra = schema.get("additionalProperties")
    if isinstance(extra, Mapping):
        _check_node(extra, f"{path}.additionalProperties", "field", out)
    for combinator in ("allOf", "anyOf", "oneOf"):
        for index, sub in enumerate(_schemas(schema.get(combinator))):
            if ("additionalProperties" in sub or "type" in sub) and not (int_or_string and combinator == "anyOf"):
                for key in ("type", "additionalProperties"):
                    if key in sub:
                        out.append(forbidden(f"{path}.{combinator}[{index}].{key}", "must be empty to be structural"))


def _check_defaults(node: Schema, path: str, out: list[errors.Cause], *, root: bool = False) -> None:
    for key, child in _properties(node).items():
        if isinstance(child, Mapping):
            child_path = f"{path}.properties[{key}]"
            if root and key == "metadata" and "default" in child:
                out.append(forbidden(f"{child_path}.default", "must not be set"))
                continue
            _check_default(child, child_path, out)
            _check_defaults(child, child_path, out)
    items = _items(node)
    if items is not None:
        _check_default(items, f"{path}.items", out)
        _check_defaults(items, f"{path}.items", out)
    extra = node.get("additionalProperties")
    if isinstance(extra, Mapping):
        _check_default(extra, f"{path}.additionalProperties", out)
        _check_defaults(extra, f"{path}.additionalProperties", out)


def _check_default(schema: Schema, path: str, out: list[errors.Cause]) -> None:
    """A default must validate against its own schema and be pruned already (defaulting/validation.go)."""
    if "default" not in schema:
        return
    default = schema["default"]
    if default is None and not _nullable(schema):
        out.append(invalid(f"{path}.default", default, "must not be null for non-nullable schemas"))
        return
    _validate(copy.deepcopy(default), schema, f"{path}.default", out)
    pruned = copy.deepcopy(default)
    if _prune_paths(pruned, schema):
        out.append(invalid(f"{path}.default", default, "must not have unknown fields"))


def _prune_paths(value: Any, schema: Schema) -> list[str]:
    out: list[str] = []
    _prune(value, schema, "", out)
    return out
