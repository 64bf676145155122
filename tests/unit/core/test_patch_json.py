"""JSON patch (RFC 6902): the RFC's examples, JSON pointers (RFC 6901), atomicity, error codes.

The examples of RFC 6902 Appendix A and RFC 6901 §5 are copied from the RFCs. A.13 (a duplicate
"op" member) is a JSON parsing matter: the patch reaches :func:`patch.json_patch` decoded.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from k3py.core import errors, patch
from k3py.core.patch import json_patch


@pytest.mark.parametrize(
    ("doc", "operations", "expected"),
    [
        pytest.param(
            {"foo": "bar"},
            [{"op": "add", "path": "/baz", "value": "qux"}],
            {"baz": "qux", "foo": "bar"},
            id="A.1-adding-an-object-member",
        ),
        pytest.param(
            {"foo": ["bar", "baz"]},
            [{"op": "add", "path": "/foo/1", "value": "qux"}],
            {"foo": ["bar", "qux", "baz"]},
            id="A.2-adding-an-array-element",
        ),
        pytest.param(
            {"baz": "qux", "foo": "bar"}, [{"op": "remove", "path": "/baz"}], {"foo": "bar"}, id="A.3-removing-a-member"
        ),
        pytest.param(
            {"foo": ["bar", "qux", "baz"]},
            [{"op": "remove", "path": "/foo/1"}],
            {"foo": ["bar", "baz"]},
            id="A.4-removing-an-array-element",
        ),
        pytest.param(
            {"baz": "qux", "foo": "bar"},
            [{"op": "replace", "path": "/baz", "value": "boo"}],
            {"baz": "boo", "foo": "bar"},
            id="A.5-replacing-a-value",
        ),
        pytest.param(
            {"foo": {"bar": "baz", "waldo": "fred"}, "qux": {"corge": "grault"}},
            [{"op": "move", "from": "/foo/waldo", "path": "/qux/thud"}],
            {"foo": {"bar": "baz"}, "qux": {"corge": "grault", "thud": "fred"}},
            id="A.6-moving-a-value",
        ),
        pytest.param(
            {"foo": ["all", "grass", "cows", "eat"]},
            [{"op": "move", "from": "/foo/1", "path": "/foo/3"}],
            {"foo": ["all", "cows", "eat", "grass"]},
            id="A.7-moving-an-array-element",
        ),
        pytest.param(
            {"baz": "qux", "foo": ["a", 2, "c"]},
            [{"op": "test", "path": "/baz", "value": "qux"}, {"op": "test", "path": "/foo/1", "value": 2}],
            {"baz": "qux", "foo": ["a", 2, "c"]},
            id="A.8-testing-a-value-success",
        ),
        pytest.param(
            {"foo": "bar"},
            [{"op": "add", "path": "/child", "value": {"grandchild": {}}}],
            {"foo": "bar", "child": {"grandchild": {}}},
            id="A.10-adding-a-nested-member-object",
        ),
        pytest.param(
            {"foo": "bar"},
            [{"op": "add", "path": "/baz", "value": "qux", "xyz": 123}],
            {"foo": "bar", "baz": "qux"},
            id="A.11-ignoring-unrecognized-elements",
        ),
        pytest.param(
            {"/": 9, "~1": 10},
            [{"op": "test", "path": "/~01", "value": 10}],
            {"/": 9, "~1": 10},
            id="A.14-escape-ordering",
        ),
        pytest.param(
            {"foo": ["bar"]},
            [{"op": "add", "path": "/foo/-", "value": ["abc", "def"]}],
            {"foo": ["bar", ["abc", "def"]]},
            id="A.16-adding-an-array-value",
        ),
    ],
)
def test_json_patch_rfc6902_appendix_a(doc: Any, operations: list[dict[str, Any]], expected: Any) -> None:
    before = copy.deepcopy(doc)
    assert json_patch(doc, operations) == expected
    assert doc == before


@pytest.mark.parametrize(
    ("doc", "operations"),
    [
        pytest.param({"baz": "qux"}, [{"op": "test", "path": "/baz", "value": "bar"}], id="A.9-testing-a-value-error"),
        pytest.param({"foo": "bar"}, [{"op": "add", "path": "/baz/bat", "value": "qux"}], id="A.12-nonexistent-target"),
        pytest.param(
            {"/": 9, "~1": 10}, [{"op": "test", "path": "/~01", "value": "10"}], id="A.15-strings-and-numbers-differ"
        ),
    ],
)
def test_json_patch_rfc6902_appendix_a_errors(doc: Any, operations: list[dict[str, Any]]) -> None:
    with pytest.raises(errors.Invalid):
        json_patch(doc, operations)


RFC6901_DOC = {
    "foo": ["bar", "baz"],
    "": 0,
    "a/b": 1,
    "c%d": 2,
    "e^f": 3,
    "g|h": 4,
    "i\\j": 5,
    'k"l': 6,
    " ": 7,
    "m~n": 8,
}


@pytest.mark.parametrize(
    ("pointer", "value"),
    [
        pytest.param("", RFC6901_DOC, id="whole-document"),
        pytest.param("/foo", ["bar", "baz"], id="foo"),
        pytest.param("/foo/0", "bar", id="foo-0"),
        pytest.param("/", 0, id="empty-key"),
        pytest.param("/a~1b", 1, id="escaped-slash"),
        pytest.param("/c%d", 2, id="percent"),
        pytest.param("/e^f", 3, id="caret"),
        pytest.param("/g|h", 4, id="pipe"),
        pytest.param("/i\\j", 5, id="backslash"),
        pytest.param('/k"l', 6, id="quote"),
        pytest.param("/ ", 7, id="space"),
        pytest.param("/m~0n", 8, id="escaped-tilde"),
    ],
)
def test_json_patch_pointers_follow_rfc6901(pointer: str, value: Any) -> None:
    assert json_patch(RFC6901_DOC, [{"op": "test", "path": pointer, "value": value}]) == RFC6901_DOC


@pytest.mark.parametrize(
    ("doc", "operations", "expected"),
    [
        pytest.param({"a": 1}, [{"op": "add", "path": "", "value": [1]}], [1], id="add-replaces-the-root"),
        pytest.param({"a": 1}, [{"op": "replace", "path": "", "value": {"b": 2}}], {"b": 2}, id="replace-the-root"),
        pytest.param({"a": 1}, [{"op": "add", "path": "/a", "value": 2}], {"a": 2}, id="add-overwrites-a-member"),
        pytest.param({"a": [1]}, [{"op": "add", "path": "/a/1", "value": 2}], {"a": [1, 2]}, id="add-at-array-end"),
        pytest.param({"a": [1]}, [{"op": "add", "path": "/a/0", "value": 0}], {"a": [0, 1]}, id="add-at-array-start"),
        pytest.param({"a": [1, 2]}, [{"op": "replace", "path": "/a/1", "value": 3}], {"a": [1, 3]}, id="replace-item"),
        pytest.param({"a": None}, [{"op": "test", "path": "/a", "value": None}], {"a": None}, id="test-null"),
        pytest.param({"a": 1}, [{"op": "test", "path": "/a", "value": 1.0}], {"a": 1}, id="test-1-equals-1.0"),
        pytest.param(
            {"a": {"x": 1, "y": [1, {"z": True}]}},
            [{"op": "test", "path": "/a", "value": {"y": [1, {"z": True}], "x": 1}}],
            {"a": {"x": 1, "y": [1, {"z": True}]}},
            id="test-objects-ignore-member-order",
        ),
        pytest.param(
            {"a": {"b": 1}}, [{"op": "move", "from": "/a", "path": "/a"}], {"a": {"b": 1}}, id="move-to-itself-is-no-op"
        ),
        pytest.param(
            {"a": {"b": 1}, "c": 2},
            [{"op": "move", "from": "/a/b", "path": "/b"}],
            {"a": {}, "b": 1, "c": 2},
            id="move-out-of-an-object",
        ),
        pytest.param(
            {"a": {"b": [1]}},
            [{"op": "copy", "from": "/a", "path": "/c"}, {"op": "add", "path": "/c/b/-", "value": 2}],
            {"a": {"b": [1]}, "c": {"b": [1, 2]}},
            id="copy-is-deep",
        ),
        pytest.param({"a": 1}, [{"op": "copy", "from": "", "path": "/b"}], {"a": 1, "b": {"a": 1}}, id="copy-the-root"),
        pytest.param({"a": 1}, [], {"a": 1}, id="empty-patch"),
        pytest.param(
            {"metadata": {"annotations": {"a/b": "1"}}},
            [{"op": "remove", "path": "/metadata/annotations/a~1b"}],
            {"metadata": {"annotations": {}}},
            id="remove-annotation-with-slash",
        ),
        pytest.param(
            {"metadata": {"resourceVersion": "5", "labels": {}}},
            [
                {"op": "test", "path": "/metadata/resourceVersion", "value": "5"},
                {"op": "add", "path": "/metadata/labels/app", "value": "web"},
            ],
            {"metadata": {"resourceVersion": "5", "labels": {"app": "web"}}},
            id="optimistic-write-guarded-by-test",
        ),
    ],
)
def test_json_patch_operations(doc: Any, operations: list[dict[str, Any]], expected: Any) -> None:
    before = copy.deepcopy(doc)
    assert json_patch(doc, operations) == expected
    assert doc == before


@pytest.mark.parametrize(
    ("doc", "operation", "reason"),
    [
        pytest.param({"a": 1}, {"op": "bogus", "path": "/a"}, "unknown operation 'bogus'", id="unknown-op"),
        pytest.param({"a": 1}, {"path": "/a"}, "unknown operation None", id="missing-op"),
        pytest.param({"a": 1}, {"op": "add", "value": 1}, "needs a 'path'", id="missing-path"),
        pytest.param({"a": 1}, {"op": "add", "path": "/b"}, "needs a 'value'", id="add-without-value"),
        pytest.param({"a": 1}, {"op": "replace", "path": "/a"}, "needs a 'value'", id="replace-without-value"),
        pytest.param({"a": 1}, {"op": "test", "path": "/a"}, "needs a 'value'", id="test-without-value"),
        pytest.param({"a": 1}, {"op": "move", "path": "/b"}, "needs a 'from'", id="move-without-from"),
        pytest.param({"a": 1}, {"op": "copy", "path": "/b"}, "needs a 'from'", id="copy-without-from"),
        pytest.param({"a": 1}, {"op": "add", "path": 5, "value": 1}, "must be a string", id="path-not-a-string"),
        pytest.param({"a": 1}, {"op": "add", "path": "a", "value": 1}, "start with '/'", id="path-without-slash"),
        pytest.param({"a": 1}, {"op": "test", "path": "/~2", "value": 1}, "'~' not followed", id="bad-escape"),
        pytest.param({"a": 1}, {"op": "remove", "path": "/b"}, "missing key 'b'", id="remove-missing-member"),
        pytest.param({"a": 1}, {"op": "replace", "path": "/b", "value": 1}, "missing key 'b'", id="replace-missing"),
        pytest.param({"a": 1}, {"op": "test", "path": "/b", "value": 1}, "missing key 'b'", id="test-missing"),
        pytest.param({"a": 1}, {"op": "remove", "path": ""}, "cannot remove the whole document", id="remove-root"),
        pytest.param({"a": [1]}, {"op": "add", "path": "/a/2", "value": 1}, "out of bounds", id="add-past-end"),
        pytest.param({"a": [1]}, {"op": "remove", "path": "/a/1"}, "out of bounds", id="remove-past-end"),
        pytest.param(
            {"a": [1]}, {"op": "replace", "path": "/a/-", "value": 1}, "not an array index", id="replace-dash"
        ),
        pytest.param({"a": [1, 2]}, {"op": "remove", "path": "/a/01"}, "not an array index", id="leading-zero"),
        pytest.param({"a": [1, 2]}, {"op": "remove", "path": "/a/-1"}, "not an array index", id="negative-index"),
        pytest.param(
            {"a": 1}, {"op": "add", "path": "/a/b", "value": 1}, "cannot add 'b' to a int", id="add-in-scalar"
        ),
        pytest.param({"a": "s"}, {"op": "test", "path": "/a/b/c", "value": 1}, "cannot descend", id="walk-a-scalar"),
        pytest.param({"a": True}, {"op": "test", "path": "/a", "value": 1}, "test failed", id="true-is-not-1"),
        pytest.param({"a": 0}, {"op": "test", "path": "/a", "value": False}, "test failed", id="0-is-not-false"),
        pytest.param({"a": [1]}, {"op": "test", "path": "/a", "value": [1, 2]}, "test failed", id="test-list-length"),
        pytest.param(
            {"a": {"b": {}}}, {"op": "move", "from": "/a", "path": "/a/b/c"}, "own children", id="move-into-own-child"
        ),
        pytest.param(
            {"a": 1}, {"op": "move", "from": "/x", "path": "/x"}, "missing key 'x'", id="move-missing-to-self"
        ),
        pytest.param({"a": 1}, {"op": "copy", "from": "/x", "path": "/b"}, "missing key 'x'", id="copy-missing"),
    ],
)
def test_json_patch_operation_failures_are_invalid_with_apiserver_message(
    doc: Any, operation: dict[str, Any], reason: str
) -> None:
    """kube-apiserver answers 422 Invalid with a fixed message (jsonPatcher.applyJSPatch); the reason
    is kept as the exception's cause."""
    with pytest.raises(errors.Invalid) as caught:
        json_patch(doc, [operation])
    assert caught.value.message == patch.JSON_PATCH_REJECTED
    assert reason in str(caught.value.__cause__)
    status = errors.to_status(caught.value)
    assert (status["code"], status["reason"], status["message"]) == (422, "Invalid", patch.JSON_PATCH_REJECTED)


def test_json_patch_is_atomic() -> None:
    """A failing operation leaves nothing half-applied: the input is untouched and nothing is returned."""
    doc = {"metadata": {"labels": {"a": "1"}}, "spec": {"items": [1, 2]}}
    before = copy.deepcopy(doc)
    operations = [
        {"op": "add", "path": "/metadata/labels/b", "value": "2"},
        {"op": "remove", "path": "/spec/items/0"},
        {"op": "test", "path": "/metadata/labels/a", "value": "stale"},
        {"op": "add", "path": "/never", "value": 1},
    ]
    with pytest.raises(errors.Invalid) as caught:
        json_patch(doc, operations)
    assert doc == before
    assert "operation 2" in str(caught.value.__cause__)


def test_json_patch_result_shares_nothing_with_inputs() -> None:
    doc = {"keep": {"deep": [1]}}
    value = {"nested": [1]}
    operations = [{"op": "add", "path": "/new", "value": value}, {"op": "replace", "path": "/keep/deep/0", "value": 2}]
    result = json_patch(doc, operations)
    result["new"]["nested"].append(2)
    result["keep"]["deep"].append(3)
    assert value == {"nested": [1]}
    assert doc == {"keep": {"deep": [1]}}


@pytest.mark.parametrize(
    "operations",
    [
        pytest.param({"op": "add", "path": "/a", "value": 1}, id="object-not-array"),
        pytest.param(["add"], id="array-of-strings"),
        pytest.param(None, id="null"),
    ],
)
def test_json_patch_that_is_not_a_list_of_objects_is_bad_request(operations: Any) -> None:
    with pytest.raises(errors.BadRequest):
        json_patch({}, operations)


def test_json_patch_with_too_many_operations_is_request_entity_too_large() -> None:
    """kube-apiserver caps a JSON patch at 10000 operations (maxJSONPatchOperations): 413."""
    operation = {"op": "test", "path": "", "value": {}}
    assert json_patch({}, [operation] * patch.MAX_JSON_PATCH_OPERATIONS) == {}
    with pytest.raises(errors.RequestEntityTooLarge) as caught:
        json_patch({}, [operation] * (patch.MAX_JSON_PATCH_OPERATIONS + 1))
    assert "10000, got 10001" in caught.value.message
