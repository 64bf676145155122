"""Structural schemas: pruning, null dropping, defaulting and validation of custom resources, and schema checks.

The expected messages are apiextensions-apiserver's, as kubectl prints them.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from k3py.api import structural
from k3py.core import errors

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "spec": {
            "type": "object",
            "required": ["cronSpec"],
            "properties": {
                "cronSpec": {"type": "string", "pattern": r"^(\d+|\*)(/\d+)?(\s+(\d+|\*)(/\d+)?){4}$"},
                "replicas": {"type": "integer", "minimum": 1, "maximum": 10, "default": 1},
                "ratio": {"type": "number", "exclusiveMaximum": True, "maximum": 1.5},
                "mode": {"type": "string", "enum": ["Fast", "Slow"], "default": "Slow"},
                "name": {"type": "string", "minLength": 3, "maxLength": 5},
                "tags": {"type": "array", "minItems": 1, "maxItems": 2, "items": {"type": "string"}},
                "port": {"x-kubernetes-int-or-string": True},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                "note": {"type": "string", "nullable": True},
                "template": {
                    "type": "object",
                    "x-kubernetes-embedded-resource": True,
                    "x-kubernetes-preserve-unknown-fields": True,
                },
                "set": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}},
                "ports": {
                    "type": "array",
                    "x-kubernetes-list-type": "map",
                    "x-kubernetes-list-map-keys": ["name"],
                    "items": {
                        "type": "object",
                        "properties": {"name": {"type": "string"}, "port": {"type": "integer", "default": 80}},
                    },
                },
            },
        },
        "status": {"type": "object", "properties": {"ready": {"type": "boolean"}}},
    },
}


def cr(**spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "stable.example.com/v1",
        "kind": "CronTab",
        "metadata": {"name": "c", "labels": {"a": "b"}},
        "spec": {"cronSpec": "* * * * *", **spec},
    }


def fields(causes: list[errors.Cause]) -> list[tuple[str, str, str]]:
    return [(c.field, c.reason, c.message) for c in causes]


# --- pruning -------------------------------------------------------------------------------------


def test_prune_drops_unknown_fields_and_reports_their_paths() -> None:
    obj = cr(foo=1, tags=["a"], ports=[{"name": "http", "extra": True}])
    obj["top"] = {"x": 1}
    obj["metadata"]["lables"] = {"typo": "x"}
    assert structural.prune(obj, SCHEMA) == ["metadata.lables", "spec.foo", "spec.ports[0].extra", "top"]
    assert obj["spec"] == {"cronSpec": "* * * * *", "tags": ["a"], "ports": [{"name": "http"}]}
    assert obj["metadata"] == {"name": "c", "labels": {"a": "b"}}  # ObjectMeta's fields stay


def test_prune_keeps_preserved_and_map_values_and_embedded_type_meta() -> None:
    obj = cr(
        free={"anything": {"deep": [1]}},
        labels={"k": "v"},
        template={"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "bogus": 1}, "spec": {"x": 1}},
    )
    assert structural.prune(obj, SCHEMA) == ["spec.template.metadata.bogus"]
    assert obj["spec"]["free"] == {"anything": {"deep": [1]}}
    assert obj["spec"]["labels"] == {"k": "v"}
    assert obj["spec"]["template"] == {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"x": 1}}


def test_prune_inside_preserve_unknown_fields_still_prunes_specified_properties() -> None:
    schema = {
        "type": "object",
        "x-kubernetes-preserve-unknown-fields": True,
        "properties": {"spec": {"type": "object", "properties": {"a": {"type": "string"}}}},
    }
    obj = {"spec": {"a": "x", "b": "y"}, "other": 1}
    assert structural.prune(obj, schema) == ["spec.b"]
    assert obj == {"spec": {"a": "x"}, "other": 1}


def test_prune_of_an_object_without_properties_empties_it() -> None:
    schema = {"type": "object", "properties": {"spec": {"type": "object"}}}
    obj = {"spec": {"a": 1}}
    assert structural.prune(obj, schema) == ["spec.a"]
    assert obj == {"spec": {}}


# --- nulls and defaults --------------------------------------------------------------------------


def test_nulls_are_dropped_unless_nullable_and_defaults_fill_them() -> None:
    obj = cr(replicas=None, note=None, image=None)
    root = {k: v for k, v in obj.items() if k not in structural.META_FIELDS}
    structural.prune_nulls(root, SCHEMA)
    structural.apply_defaults(root, SCHEMA)
    assert root["spec"] == {"cronSpec": "* * * * *", "replicas": 1, "note": None, "mode": "Slow", "image": None}


def test_defaults_apply_to_missing_fields_inside_lists_and_defaulted_objects() -> None:
    schema = {
        "type": "object",
        "properties": {
            "spec": {
                "type": "object",
                "default": {},
                "properties": {
                    "size": {"type": "integer", "default": 3},
                    "ports": SCHEMA["properties"]["spec"]["properties"]["ports"],
                },
            }
        },
    }
    empty: dict[str, Any] = {}
    structural.apply_defaults(empty, schema)
    assert empty == {"spec": {"size": 3}}  # the default object, then its own defaults
    obj = {"spec": {"ports": [{"name": "a"}, {"name": "b", "port": 8080}]}}
    structural.apply_defaults(obj, schema)
    assert obj["spec"]["ports"] == [{"name": "a", "port": 80}, {"name": "b", "port": 8080}]


def test_defaults_are_copies() -> None:
    schema = {"type": "object", "properties": {"tags": {"type": "array", "items": {"type": "string"}, "default": []}}}
    first: dict[str, Any] = {}
    second: dict[str, Any] = {}
    structural.apply_defaults(first, schema)
    structural.apply_defaults(second, schema)
    first["tags"].append("x")
    assert second == {"tags": []}
    assert schema["properties"]["tags"]["default"] == []


# --- validation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        pytest.param(
            {"replicas": "string"},
            (
                "spec.replicas",
                "FieldValueTypeInvalid",
                'Invalid value: "string": spec.replicas in body must be of type integer: "string"',
            ),
            id="type",
        ),
        pytest.param(
            {"replicas": 15},
            (
                "spec.replicas",
                "FieldValueInvalid",
                "Invalid value: 15: spec.replicas in body should be less than or equal to 10",
            ),
            id="maximum",
        ),
        pytest.param(
            {"replicas": 0},
            (
                "spec.replicas",
                "FieldValueInvalid",
                "Invalid value: 0: spec.replicas in body should be greater than or equal to 1",
            ),
            id="minimum",
        ),
        pytest.param(
            {"ratio": 1.5},
            ("spec.ratio", "FieldValueInvalid", "Invalid value: 1.5: spec.ratio in body should be less than 1.5"),
            id="exclusive-maximum",
        ),
        pytest.param(
            {"mode": "Medium"},
            ("spec.mode", "FieldValueNotSupported", 'Unsupported value: "Medium": supported values: "Fast", "Slow"'),
            id="enum",
        ),
        pytest.param(
            {"cronSpec": "bad"},
            (
                "spec.cronSpec",
                "FieldValueInvalid",
                r"""Invalid value: "bad": spec.cronSpec in body should match """
                r"""'^(\d+|\*)(/\d+)?(\s+(\d+|\*)(/\d+)?){4}$'""",
            ),
            id="pattern",
        ),
        pytest.param(
            {"name": "ab"},
            (
                "spec.name",
                "FieldValueInvalid",
                'Invalid value: "ab": spec.name in body should be at least 3 chars long',
            ),
            id="min-length",
        ),
        pytest.param(
            {"name": "abcdef"},
            ("spec.name", "FieldValueTooLong", "Too long: may not be more than 5 bytes"),
            id="max-length",
        ),
        pytest.param(
            {"tags": []},
            ("spec.tags", "FieldValueInvalid", "Invalid value: 0: spec.tags in body should have at least 1 items"),
            id="min-items",
        ),
        pytest.param(
            {"tags": ["a", "b", "c"]},
            ("spec.tags", "FieldValueTooMany", "Too many: 3: must have at most 2 items"),
            id="max-items",
        ),
        pytest.param(
            {"tags": ["a", 1]},
            (
                "spec.tags[1]",
                "FieldValueTypeInvalid",
                'Invalid value: "integer": spec.tags[1] in body must be of type string: "integer"',
            ),
            id="item-type",
        ),
        pytest.param(
            {"port": True},
            (
                "spec.port",
                "FieldValueTypeInvalid",
                'Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"',
            ),
            id="int-or-string",
        ),
        pytest.param(
            {"labels": {"k": 1}},
            (
                "spec.labels.k",
                "FieldValueTypeInvalid",
                'Invalid value: "integer": spec.labels.k in body must be of type string: "integer"',
            ),
            id="map-value",
        ),
        pytest.param(
            {"tags": None},
            (
                "spec.tags",
                "FieldValueTypeInvalid",
                'Invalid value: "null": spec.tags in body must be of type array: "null"',
            ),
            id="null",
        ),
        pytest.param(
            {"set": ["a", "b", "a"]},
            ("spec.set[2]", "FieldValueDuplicate", 'Duplicate value: "a"'),
            id="list-type-set",
        ),
        pytest.param(
            {"ports": [{"name": "a"}, {"name": "a", "port": 1}]},
            ("spec.ports[1]", "FieldValueDuplicate", 'Duplicate value: {"name":"a"}'),
            id="list-type-map",
        ),
        pytest.param(
            {"template": {"kind": "Pod"}},
            ("spec.template.apiVersion", "FieldValueRequired", "Required value"),
            id="embedded-resource",
        ),
    ],
)
def test_validation_errors_are_worded_as_kubernetes_words_them(
    spec: dict[str, Any], expected: tuple[str, str, str]
) -> None:
    assert fields(structural.validate(cr(**spec), SCHEMA)) == [expected]


def test_valid_objects_have_no_errors() -> None:
    obj = cr(
        replicas=3,
        ratio=1,
        mode="Fast",
        name="abc",
        tags=["x"],
        port="http",
        labels={"k": "v"},
        free={"x": [1, {"y": None}]},
        note=None,
        template={"apiVersion": "v1", "kind": "Pod"},
        set=["a", "b"],
        ports=[{"name": "a"}, {"name": "b"}],
    )
    assert structural.validate(obj, SCHEMA) == []
    assert structural.validate(cr(replicas=2.0, port=8080), SCHEMA) == []  # 2.0 is an integer in JSON


def test_required_fields_and_root_required() -> None:
    schema = {**SCHEMA, "required": ["spec"]}
    obj = {"apiVersion": "x/v1", "kind": "K", "metadata": {"name": "n"}}
    assert fields(structural.validate(obj, schema)) == [("spec", "FieldValueRequired", "Required value")]
    obj["spec"] = {}
    assert fields(structural.validate(obj, schema)) == [("spec.cronSpec", "FieldValueRequired", "Required value")]


def test_metadata_name_is_validated_against_the_schema() -> None:
    schema = {
        "type": "object",
        "properties": {"metadata": {"type": "object", "properties": {"name": {"type": "string", "maxLength": 3}}}},
    }
    causes = structural.validate({"metadata": {"name": "toolong"}}, schema)
    assert fields(causes) == [("metadata.name", "FieldValueTooLong", "Too long: may not be more than 3 bytes")]


def test_any_of_and_one_of() -> None:
    schema = {
        "type": "object",
        "properties": {
            "v": {"type": "string", "anyOf": [{"pattern": "^a"}, {"pattern": "^b"}]},
            "w": {"type": "integer", "oneOf": [{"minimum": 0}, {"maximum": 10}]},
        },
    }
    assert structural.validate({"v": "bx", "w": 20}, schema) == []
    assert fields(structural.validate({"v": "cx", "w": 5}, schema)) == [
        ("v", "FieldValueInvalid", 'Invalid value: "cx": "v" must validate at least one schema (anyOf)'),
        ("w", "FieldValueInvalid", 'Invalid value: 5: "w" must validate one and only one schema (oneOf)'),
    ]


def test_booleans_are_not_numbers_and_numbers_not_booleans() -> None:
    schema = {"type": "object", "properties": {"n": {"type": "integer", "enum": [1]}, "b": {"type": "boolean"}}}
    assert [c.field for c in structural.validate({"n": True, "b": 1}, schema)] == ["n", "b"]


def test_message_aggregates_like_error_lists() -> None:
    one = errors.Cause("FieldValueRequired", "Required value", "spec.a")
    two = errors.Cause("FieldValueRequired", "Required value", "spec.b")
    assert structural.message([one]) == "spec.a: Required value"
    assert structural.message([one, two, one]) == "[spec.a: Required value, spec.b: Required value]"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (10.0, "10"),
        (1.5, "1.5"),
        (1e6, "1e+06"),
        (123456.0, "123456"),
        (0.0001, "0.0001"),
        (1e-5, "1e-05"),
        (-2.5, "-2.5"),
    ],
)
def test_go_float_prints_as_go_prints_float64(value: float, text: str) -> None:
    assert structural.go_float(value) == text


# --- schema checks -------------------------------------------------------------------------------


def check(schema: Any, *, status: bool = False) -> list[tuple[str, str, str]]:
    return fields(structural.check_schema(schema, "s", status_enabled=status))


def test_a_good_schema_passes() -> None:
    assert check(copy.deepcopy(SCHEMA), status=True) == []


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        pytest.param(
            {"type": "object", "properties": {"a": {"description": "x"}}},
            (
                "s.properties[a].type",
                "FieldValueRequired",
                "Required value: must not be empty for specified object fields",
            ),
            id="field-without-type",
        ),
        pytest.param(
            {"type": "object", "properties": {"a": {"type": "array"}}},
            ("s.properties[a].items", "FieldValueRequired", "Required value: must be specified"),
            id="array-without-items",
        ),
        pytest.param(
            {"type": "object", "properties": {"a": {"type": "strin"}}},
            (
                "s.properties[a].type",
                "FieldValueNotSupported",
                'Unsupported value: "strin": supported values: '
                '"array", "boolean", "integer", "number", "object", "string"',
            ),
            id="unknown-type",
        ),
        pytest.param(
            {"type": "object", "additionalProperties": {"type": "string"}},
            ("s.additionalProperties", "FieldValueForbidden", "Forbidden: must not be used at the root"),
            id="root-additional-properties",
        ),
        pytest.param(
            {"type": "object", "properties": {"a": {"$ref": "#/x"}}},
            ("s.properties[a].$ref", "FieldValueForbidden", "Forbidden: $ref is not supported"),
            id="ref",
        ),
        pytest.param(
            {"type": "object", "properties": {"a": {"type": "integer", "default": "x"}}},
            (
                "s.properties[a].default",
                "FieldValueTypeInvalid",
                'Invalid value: "string": s.properties[a].default in body must be of type integer: "string"',
            ),
            id="default-of-the-wrong-type",
        ),
        pytest.param(
            {"type": "object", "properties": {"a": {"type": "object", "default": {"x": 1}}}},
            ("s.properties[a].default", "FieldValueInvalid", 'Invalid value: {"x":1}: must not have unknown fields'),
            id="default-not-pruned",
        ),
        pytest.param(
            {
                "type": "object",
                "properties": {"metadata": {"type": "object", "properties": {"labels": {"type": "object"}}}},
            },
            (
                "s.properties[metadata]",
                "FieldValueForbidden",
                "Forbidden: must not specify anything other than name and generateName, but metadata is implicitly "
                "specified",
            ),
            id="metadata",
        ),
        pytest.param(
            {"type": "object", "properties": {"a": {"type": "string", "pattern": "("}}},
            (
                "s.properties[a].pattern",
                "FieldValueInvalid",
                'Invalid value: "(": must be a valid regular expression, but isn\'t',
            ),
            id="pattern",
        ),
        pytest.param(
            {"type": "string"},
            ("s.type", "FieldValueInvalid", 'Invalid value: "string": must be object at the root'),
            id="root-not-object",
        ),
    ],
)
def test_schema_check_errors(schema: dict[str, Any], expected: tuple[str, str, str]) -> None:
    assert expected in check(schema)


@pytest.mark.parametrize(
    ("keyword", "value", "message"),
    [
        pytest.param("required", 5, "Invalid value: 5: must be an array of strings", id="required"),
        pytest.param("maxLength", "3", 'Invalid value: "3": must be an integer', id="max-length"),
        pytest.param("nullable", "yes", 'Invalid value: "yes": must be a boolean', id="nullable"),
        pytest.param("minimum", True, "Invalid value: true: must be a number", id="minimum"),
        pytest.param("allOf", {"a": 1}, 'Invalid value: {"a":1}: must be an array', id="all-of"),
    ],
)
def test_schema_keywords_of_the_wrong_type_are_refused(keyword: str, value: Any, message: str) -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string", keyword: value}}}
    assert (f"s.properties[a].{keyword}", "FieldValueInvalid", message) in check(schema)
    assert isinstance(structural.validate({"a": "x"}, schema), list)  # and the walkers do not trip on it
