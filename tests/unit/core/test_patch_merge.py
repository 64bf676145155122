"""JSON merge patch (RFC 7386): the RFC's examples, and that inputs are never shared or changed.

The cases of RFC 7386 Appendix A and the example of its section 3 are copied from the RFC.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from k3py.core.patch import merge_patch


@pytest.mark.parametrize(
    ("target", "patch_doc", "expected"),
    [
        pytest.param({"a": "b"}, {"a": "c"}, {"a": "c"}, id="A-1-replace-member"),
        pytest.param({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}, id="A-2-add-member"),
        pytest.param({"a": "b"}, {"a": None}, {}, id="A-3-null-removes"),
        pytest.param({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}, id="A-4-null-removes-one"),
        pytest.param({"a": ["b"]}, {"a": "c"}, {"a": "c"}, id="A-5-array-replaced-by-scalar"),
        pytest.param({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}, id="A-6-scalar-replaced-by-array"),
        pytest.param({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}, id="A-7-nested-merge"),
        pytest.param({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}, id="A-8-arrays-replaced-not-merged"),
        pytest.param(["a", "b"], ["c", "d"], ["c", "d"], id="A-9-array-target-and-patch"),
        pytest.param({"a": "b"}, ["c"], ["c"], id="A-10-array-patch-replaces-object"),
        pytest.param({"a": "foo"}, None, None, id="A-11-null-patch"),
        pytest.param({"a": "foo"}, "bar", "bar", id="A-12-string-patch"),
        pytest.param({"e": None}, {"a": 1}, {"e": None, "a": 1}, id="A-13-existing-null-kept"),
        pytest.param([1, 2], {"a": "b", "c": None}, {"a": "b"}, id="A-14-object-patch-on-array"),
        pytest.param({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}, id="A-15-nested-nulls-on-missing"),
        pytest.param(
            {
                "title": "Goodbye!",
                "author": {"givenName": "John", "familyName": "Doe"},
                "tags": ["example", "sample"],
                "content": "This will be unchanged",
            },
            {
                "title": "Hello!",
                "phoneNumber": "+01-123-456-7890",
                "author": {"familyName": None},
                "tags": ["example"],
            },
            {
                "title": "Hello!",
                "author": {"givenName": "John"},
                "tags": ["example"],
                "content": "This will be unchanged",
                "phoneNumber": "+01-123-456-7890",
            },
            id="section-3-example",
        ),
        pytest.param({"a": [1]}, {"a": [None, 2]}, {"a": [None, 2]}, id="nulls-inside-arrays-stay"),
        pytest.param({"a": 1}, {}, {"a": 1}, id="empty-patch"),
        pytest.param(
            {"metadata": {"labels": {"app": "web", "tier": "db"}}},
            {"metadata": {"labels": {"tier": None, "env": "prod"}}},
            {"metadata": {"labels": {"app": "web", "env": "prod"}}},
            id="kubectl-patch-type-merge-labels",
        ),
    ],
)
def test_merge_patch_rfc7386(target: Any, patch_doc: Any, expected: Any) -> None:
    before = (copy.deepcopy(target), copy.deepcopy(patch_doc))
    assert merge_patch(target, patch_doc) == expected
    assert (target, patch_doc) == before


def test_merge_patch_result_shares_nothing_with_inputs() -> None:
    target = {"keep": {"deep": [1]}, "m": {"x": 1}}
    patch_doc = {"m": {"y": {"z": [2]}}, "list": [{"a": 1}]}
    result = merge_patch(target, patch_doc)
    result["keep"]["deep"].append(9)
    result["m"]["y"]["z"].append(9)
    result["list"][0]["a"] = 9
    assert target == {"keep": {"deep": [1]}, "m": {"x": 1}}
    assert patch_doc == {"m": {"y": {"z": [2]}}, "list": [{"a": 1}]}
