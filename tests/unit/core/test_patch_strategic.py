"""Strategic merge patch: the upstream Kubernetes cases, then k3py's own.

Most cases below are ported from apimachinery's strategic merge patch tests,
``pkg/util/strategicpatch/patch_test.go`` of kubernetes/apimachinery (commit eed236c; the same
file is ``staging/src/k8s.io/apimachinery/pkg/util/strategicpatch/patch_test.go`` in
kubernetes/kubernetes), with their schema ``testdata/swagger-merge-item.json``:

    Copyright 2014 The Kubernetes Authors.

    Licensed under the Apache License, Version 2.0 (the "License");
    you may not use this file except in compliance with the License.
    You may obtain a copy of the License at

        http://www.apache.org/licenses/LICENSE-2.0

    Unless required by applicable law or agreed to in writing, software
    distributed under the License is distributed on an "AS IS" BASIS,
    WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
    See the License for the specific language governing permissions and
    limitations under the License.

Upstream each case checks both halves of strategic merge patch: creating a patch (two-way from
original to modified, three-way from original, modified and current, as kubectl does) and applying
it. The API server only applies, so only that half is ported: the expected two-way patch applied to
``original`` must give ``twoWayResult`` (or ``modified``), and the expected three-way patch applied
to ``current`` must give ``result``. Upstream asserts that the created patch equals the expected
one, so applying the expected patch is the same check. The YAML is kept verbatim (PyYAML is a k3py
dependency) so that the tables can be compared with upstream line by line. Each case runs against
the schema as OpenAPI v2 definitions and as v3 components (upstream also runs a Go-struct schema).
"""

from __future__ import annotations

import copy
import textwrap
from dataclasses import dataclass
from typing import Any

import pytest
import yaml

from k3py.core import errors, patch
from k3py.core.patch import DictSchema, SchemaNode, strategic_merge_patch

# testdata/swagger-merge-item.json (the "mergeItem" definition and the types it references).
MERGE_ITEM_DEFINITIONS: dict[str, Any] = {
    "mergeItem": {
        "description": "MergeItem is type definition for testing strategic merge.",
        "required": [],
        "properties": {
            "name": {"description": "Name field.", "type": "string"},
            "value": {"description": "Value field.", "type": "string"},
            "other": {"description": "Other field.", "type": "string"},
            "mergingList": {
                "description": "MergingList field.",
                "type": "array",
                "items": {"$ref": "#/definitions/mergeItem"},
                "x-kubernetes-patch-merge-key": "name",
                "x-kubernetes-patch-strategy": "merge",
            },
            "nonMergingList": {
                "description": "NonMergingList field.",
                "type": "array",
                "items": {"$ref": "#/definitions/mergeItem"},
            },
            "mergingIntList": {
                "description": "MergingIntList field.",
                "type": "array",
                "items": {"type": "integer", "format": "int32"},
                "x-kubernetes-patch-strategy": "merge",
            },
            "nonMergingIntList": {
                "description": "NonMergingIntList field.",
                "type": "array",
                "items": {"type": "integer", "format": "int32"},
            },
            "mergeItemPtr": {
                "description": "MergeItemPtr field.",
                "$ref": "#/definitions/mergeItem",
                "x-kubernetes-patch-merge-key": "name",
                "x-kubernetes-patch-strategy": "merge",
            },
            "simpleMap": {
                "description": "SimpleMap field.",
                "type": "object",
                "additionalProperties": {"type": "string"},
            },
            "replacingItem": {
                "description": "ReplacingItem field.",
                "$ref": "#/definitions/io.k8s.apimachinery.pkg.runtime.RawExtension",
                "x-kubernetes-patch-strategy": "replace",
            },
            "retainKeysMap": {
                "description": "RetainKeysMap field.",
                "$ref": "#/definitions/retainKeysMergeItem",
                "x-kubernetes-patch-strategy": "retainKeys",
            },
            "retainKeysMergingList": {
                "description": "RetainKeysMergingList field.",
                "type": "array",
                "items": {"$ref": "#/definitions/mergeItem"},
                "x-kubernetes-patch-merge-key": "name",
                "x-kubernetes-patch-strategy": "merge,retainKeys",
            },
            "jsonItem": {"description": "JSON field"},
        },
    },
    "retainKeysMergeItem": {
        "description": "RetainKeysMergeItem is type definition for testing strategic merge.",
        "required": [],
        "properties": {
            "name": {"description": "Name field.", "type": "string"},
            "value": {"description": "Value field.", "type": "string"},
            "other": {"description": "Other field.", "type": "string"},
            "simpleMap": {
                "description": "SimpleMap field.",
                "additionalProperties": "object",
                "items": {"type": "string"},
            },
            "mergingList": {
                "description": "MergingList field.",
                "type": "array",
                "items": {"$ref": "#/definitions/mergeItem"},
                "x-kubernetes-patch-merge-key": "name",
                "x-kubernetes-patch-strategy": "merge",
            },
            "nonMergingList": {
                "description": "NonMergingList field.",
                "type": "array",
                "items": {"$ref": "#/definitions/mergeItem"},
            },
            "mergingIntList": {
                "description": "MergingIntList field.",
                "type": "array",
                "items": {"type": "integer", "format": "int32"},
                "x-kubernetes-patch-strategy": "merge",
            },
        },
    },
    "io.k8s.apimachinery.pkg.runtime.RawExtension": {
        "description": "RawExtension is used to hold extensions in external versions.",
        "required": ["Raw"],
        "properties": {
            "Raw": {"description": "Raw is the underlying serialization of this object.", "type": "string"},
        },
    },
}


def _as_openapi_v3(value: Any) -> Any:
    """The same definitions as OpenAPI v3 writes them: references under components, in ``allOf``."""
    if isinstance(value, list):
        return [_as_openapi_v3(item) for item in value]
    if not isinstance(value, dict):
        return value
    out = {key: _as_openapi_v3(item) for key, item in value.items() if key != "$ref"}
    if "$ref" in value:
        ref = value["$ref"].replace("#/definitions/", "#/components/schemas/")
        if len(value) > 1:  # a property with a description or extensions beside the reference
            out["allOf"] = [{"$ref": ref}]
        else:
            out["$ref"] = ref
    return out


SCHEMAS = {
    "openapi-v2": DictSchema.from_definitions(MERGE_ITEM_DEFINITIONS, "mergeItem"),
    "openapi-v3": DictSchema({"$ref": "#/components/schemas/mergeItem"}, _as_openapi_v3(MERGE_ITEM_DEFINITIONS)),
}


def _yaml(text: str | None) -> Any:
    return None if text is None else yaml.safe_load(textwrap.dedent(text))


@dataclass(frozen=True)
class _RawCase:
    """One of upstream's StrategicMergePatchRawTestCase (YAML documents; ``modified`` is dropped
    where ``two_way_result`` makes it unnecessary)."""

    description: str
    original: str | None = None
    two_way: str | None = None
    modified: str | None = None
    current: str | None = None
    three_way: str | None = None
    result: str | None = None
    two_way_result: str | None = None
    expected_error: str = ""


def _go_string(value: Any) -> str:
    """Go's ``fmt.Sprintf("%v", value)`` for the values the tables use (the upstream sort key)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "<nil>" if value is None else str(value)


def _sort_merge_lists(obj: dict[str, Any], schema: SchemaNode | None) -> dict[str, Any]:
    """Port of upstream's test helper sortMergeListsByNameMap.

    Upstream sorts every merging list (by merge key) and deduplicates and sorts merging scalar
    lists in the structured cases' inputs and expectations, then compares the patched result with
    the sorted expectation byte for byte; this helper lets the port do the same.
    """
    out: dict[str, Any] = {}
    for key, value in obj.items():
        if key == "$retainKeys" or key.startswith("$deleteFromPrimitiveList"):
            value = sorted(value, key=_go_string)
        elif key.startswith("$setElementOrder") or key == "$patch":
            pass
        elif isinstance(value, dict):
            value = _sort_merge_lists(value, schema.field(key) if schema else None)
        elif isinstance(value, list):
            node = schema.field(key) if schema else None
            if node is not None and "merge" in node.patch_strategy.split(","):
                value = _sort_merge_list(value, node.items(), node.patch_merge_key)
        out[key] = value
    return out


def _sort_merge_list(items: list[Any], schema: SchemaNode | None, merge_key: str) -> list[Any]:
    if not items:
        return items
    if not isinstance(items[0], dict):
        unique: list[Any] = []
        for item in items:
            if item not in unique:
                unique.append(item)
        return sorted(unique, key=_go_string)
    return sorted((_sort_merge_lists(item, schema) for item in items), key=lambda m: _go_string(m.get(merge_key)))


def _ids(cases: list[Any], name: Any) -> list[str]:
    """Test ids from descriptions, numbered where upstream repeats a description."""
    seen: dict[str, int] = {}
    ids = []
    for case in cases:
        base = name(case).replace(" ", "-")
        seen[base] = seen.get(base, 0) + 1
        ids.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return ids


def _check_application(
    original: Any, patch_doc: Any, expected: Any, expected_error: str, schema: SchemaNode | None
) -> None:
    """Apply and compare, as upstream's testPatchApplication; the inputs must come back untouched."""
    original = original if original is not None else {}
    before = (copy.deepcopy(original), copy.deepcopy(patch_doc))
    if expected_error:
        with pytest.raises(errors.K3pyError) as caught:
            strategic_merge_patch(original, patch_doc, schema)
        assert expected_error in caught.value.message
    else:
        assert strategic_merge_patch(original, patch_doc, schema) == expected
    assert (original, patch_doc) == before


# createStrategicMergePatchTestCaseData, verbatim. Upstream also has customStrategicMergePatchTestCaseData
# with one case ("unique scalars when merging lists"); it is left out because its `original` is a
# YAML list, not an object, so there is no document to apply its patch to.
CREATE_STRATEGIC_MERGE_PATCH_TEST_CASE_DATA = """
testCases:
  - description: nil original
    twoWay:
      name: 1
      value: 1
    modified:
      name: 1
      value: 1
    current:
      name: 1
      other: a
    threeWay:
      value: 1
    result:
      name: 1
      value: 1
      other: a
  - description: nil patch
    original:
      name: 1
    twoWay:
      {}
    modified:
      name: 1
    current:
      name: 1
    threeWay:
      {}
    result:
      name: 1
  - description: add field to map
    original:
      name: 1
    twoWay:
      value: 1
    modified:
      name: 1
      value: 1
    current:
      name: 1
      other: a
    threeWay:
      value: 1
    result:
      name: 1
      value: 1
      other: a
  - description: add field to map with conflict
    original:
      name: 1
    twoWay:
      value: 1
    modified:
      name: 1
      value: 1
    current:
      name: a
      other: a
    threeWay:
      name: 1
      value: 1
    result:
      name: 1
      value: 1
      other: a
  - description: add field and delete field from map
    original:
      name: 1
    twoWay:
      name: null
      value: 1
    modified:
      value: 1
    current:
      name: 1
      other: a
    threeWay:
      name: null
      value: 1
    result:
      value: 1
      other: a
  - description: add field and delete field from map with conflict
    original:
      name: 1
    twoWay:
      name: null
      value: 1
    modified:
      value: 1
    current:
      name: a
      other: a
    threeWay:
      name: null
      value: 1
    result:
      value: 1
      other: a
  - description: delete field from nested map
    original:
      simpleMap:
        key1: 1
        key2: 1
    twoWay:
      simpleMap:
        key2: null
    modified:
      simpleMap:
        key1: 1
    current:
      simpleMap:
        key1: 1
        key2: 1
        other: a
    threeWay:
      simpleMap:
        key2: null
    result:
      simpleMap:
        key1: 1
        other: a
  - description: delete field from nested map with conflict
    original:
      simpleMap:
        key1: 1
        key2: 1
    twoWay:
      simpleMap:
        key2: null
    modified:
      simpleMap:
        key1: 1
    current:
      simpleMap:
        key1: a
        key2: 1
        other: a
    threeWay:
      simpleMap:
        key1: 1
        key2: null
    result:
      simpleMap:
        key1: 1
        other: a
  - description: delete all fields from map
    original:
      name: 1
      value: 1
    twoWay:
      name: null
      value: null
    modified: {}
    current:
      name: 1
      value: 1
      other: a
    threeWay:
      name: null
      value: null
    result:
      other: a
  - description: delete all fields from map with conflict
    original:
      name: 1
      value: 1
    twoWay:
      name: null
      value: null
    modified: {}
    current:
      name: 1
      value: a
      other: a
    threeWay:
      name: null
      value: null
    result:
      other: a
  - description: add field and delete all fields from map
    original:
      name: 1
      value: 1
    twoWay:
      name: null
      value: null
      other: a
    modified:
      other: a
    current:
      name: 1
      value: 1
      other: a
    threeWay:
      name: null
      value: null
    result:
      other: a
  - description: add field and delete all fields from map with conflict
    original:
      name: 1
      value: 1
    twoWay:
      name: null
      value: null
      other: a
    modified:
      other: a
    current:
      name: 1
      value: 1
      other: b
    threeWay:
      name: null
      value: null
      other: a
    result:
      other: a
  - description: replace list of scalars
    original:
      nonMergingIntList:
        - 1
        - 2
    twoWay:
      nonMergingIntList:
        - 2
        - 3
    modified:
      nonMergingIntList:
        - 2
        - 3
    current:
      nonMergingIntList:
        - 1
        - 2
    threeWay:
      nonMergingIntList:
        - 2
        - 3
    result:
      nonMergingIntList:
        - 2
        - 3
  - description: replace list of scalars with conflict
    original:
      nonMergingIntList:
        - 1
        - 2
    twoWay:
      nonMergingIntList:
        - 2
        - 3
    modified:
      nonMergingIntList:
        - 2
        - 3
    current:
      nonMergingIntList:
        - 1
        - 4
    threeWay:
      nonMergingIntList:
        - 2
        - 3
    result:
      nonMergingIntList:
        - 2
        - 3
  - description: delete all maps from merging list
    original:
      mergingList:
        - name: 1
        - name: 2
    twoWay:
      mergingList:
        - name: 1
          $patch: delete
        - name: 2
          $patch: delete
    modified:
      mergingList: []
    current:
      mergingList:
        - name: 1
        - name: 2
    threeWay:
      mergingList:
        - name: 1
          $patch: delete
        - name: 2
          $patch: delete
    result:
      mergingList: []
  - description: delete all maps from merging list with conflict
    original:
      mergingList:
        - name: 1
        - name: 2
    twoWay:
      mergingList:
        - name: 1
          $patch: delete
        - name: 2
          $patch: delete
    modified:
      mergingList: []
    current:
      mergingList:
        - name: 1
          other: a
        - name: 2
          other: b
    threeWay:
      mergingList:
        - name: 1
          $patch: delete
        - name: 2
          $patch: delete
    result:
      mergingList: []
  - description: delete all maps from empty merging list
    original:
      mergingList:
        - name: 1
        - name: 2
    twoWay:
      mergingList:
        - name: 1
          $patch: delete
        - name: 2
          $patch: delete
    modified:
      mergingList: []
    current:
      mergingList: []
    threeWay:
      mergingList:
        - name: 1
          $patch: delete
        - name: 2
          $patch: delete
    result:
      mergingList: []
  - description: merge empty merging lists
    original:
      mergingList: []
    twoWay:
      {}
    modified:
      mergingList: []
    current:
      mergingList: []
    threeWay:
      {}
    result:
      mergingList: []
  - description: defined null values should propagate overwrite current fields (with conflict)
    original:
      name: 2
    twoWay:
      name: 1
      value: 1
      other: null
    twoWayResult:
      name: 1
      value: 1
    modified:
      name: 1
      value: 1
      other: null
    current:
      name: a
      other: a
    threeWay:
      name: 1
      value: 1
      other: null
    result:
      name: 1
      value: 1
  - description: defined null values should propagate removing original fields
    original:
      name: original-name
      value: original-value
    current:
      name: original-name
      value: original-value
      other: current-other
    modified:
      name: modified-name
      value: null
    twoWay:
      name: modified-name
      value: null
    twoWayResult:
      name: modified-name
    threeWay:
      name: modified-name
      value: null
    result:
      name: modified-name
      other: current-other
  - description: nil patch with retainKeys map
    original:
      name: a
      retainKeysMap:
        name: foo
    current:
      name: a
      value: b
      retainKeysMap:
        name: foo
    modified:
      name: a
      retainKeysMap:
        name: foo
    twoWay: {}
    threeWay: {}
    result:
      name: a
      value: b
      retainKeysMap:
        name: foo
  - description: retainKeys map with no change should not be present
    original:
      name: a
      retainKeysMap:
        name: foo
    current:
      name: a
      other: c
      retainKeysMap:
        name: foo
    modified:
      name: a
      value: b
      retainKeysMap:
        name: foo
    twoWay:
      value: b
    threeWay:
      value: b
    result:
      name: a
      value: b
      other: c
      retainKeysMap:
        name: foo
"""

# strategicMergePatchRawTestCases.
RAW_CASES = [
    _RawCase(
        "nested patch merge with empty list",
        original="""
            name: hi
        """,
        two_way="""
            mergingList:
            - name: hello
            - $patch: delete
              name: doesntexist
        """,
        current="""
            name: hi
            mergingList:
            - name: hello2
        """,
        three_way="""
            $setElementOrder/mergingList:
            - name: hello
            - name: doesntexist
            mergingList:
            - name: hello
        """,
        result="""
            name: hi
            mergingList:
            - name: hello
            - name: hello2
        """,
        two_way_result="""
            name: hi
            mergingList:
            - name: hello
        """,
    ),
    _RawCase(
        "delete items in lists of scalars",
        original="""
            mergingIntList:
              - 1
              - 2
              - 3
        """,
        two_way="""
            $setElementOrder/mergingIntList:
              - 1
              - 2
            $deleteFromPrimitiveList/mergingIntList:
              - 3
        """,
        modified="""
            mergingIntList:
              - 1
              - 2
        """,
        current="""
            mergingIntList:
              - 1
              - 2
              - 3
              - 4
        """,
        three_way="""
            $setElementOrder/mergingIntList:
              - 1
              - 2
            $deleteFromPrimitiveList/mergingIntList:
              - 3
        """,
        result="""
            mergingIntList:
              - 1
              - 2
              - 4
        """,
    ),
    _RawCase(
        "delete all duplicate items in lists of scalars",
        original="""
            mergingIntList:
              - 1
              - 2
              - 3
              - 3
        """,
        two_way="""
            $setElementOrder/mergingIntList:
              - 1
              - 2
            $deleteFromPrimitiveList/mergingIntList:
              - 3
        """,
        modified="""
            mergingIntList:
              - 1
              - 2
        """,
        current="""
            mergingIntList:
              - 1
              - 2
              - 3
              - 3
              - 4
        """,
        three_way="""
            $setElementOrder/mergingIntList:
              - 1
              - 2
            $deleteFromPrimitiveList/mergingIntList:
              - 3
        """,
        result="""
            mergingIntList:
              - 1
              - 2
              - 4
        """,
    ),
    _RawCase(
        "add and delete items in lists of scalars",
        original="""
            mergingIntList:
              - 1
              - 2
              - 3
        """,
        two_way="""
            $setElementOrder/mergingIntList:
              - 1
              - 2
              - 4
            $deleteFromPrimitiveList/mergingIntList:
              - 3
            mergingIntList:
              - 4
        """,
        modified="""
            mergingIntList:
              - 1
              - 2
              - 4
        """,
        current="""
            mergingIntList:
              - 1
              - 2
              - 3
              - 4
        """,
        three_way="""
            $setElementOrder/mergingIntList:
              - 1
              - 2
              - 4
            $deleteFromPrimitiveList/mergingIntList:
              - 3
        """,
        result="""
            mergingIntList:
              - 1
              - 2
              - 4
        """,
    ),
    _RawCase(
        "merge lists of maps",
        original="""
            mergingList:
              - name: 1
              - name: 2
                value: 2
        """,
        two_way="""
            $setElementOrder/mergingList:
              - name: 4
              - name: 1
              - name: 2
              - name: 3
            mergingList:
              - name: 4
                value: 4
              - name: 3
                value: 3
        """,
        modified="""
            mergingList:
              - name: 4
                value: 4
              - name: 1
              - name: 2
                value: 2
              - name: 3
                value: 3
        """,
        current="""
            mergingList:
              - name: 1
                other: a
              - name: 2
                value: 2
                other: b
        """,
        three_way="""
            $setElementOrder/mergingList:
              - name: 4
              - name: 1
              - name: 2
              - name: 3
            mergingList:
              - name: 4
                value: 4
              - name: 3
                value: 3
        """,
        result="""
            mergingList:
              - name: 4
                value: 4
              - name: 1
                other: a
              - name: 2
                value: 2
                other: b
              - name: 3
                value: 3
        """,
    ),
    _RawCase(
        "merge lists of maps with conflict",
        original="""
            mergingList:
              - name: 1
              - name: 2
                value: 2
        """,
        two_way="""
            $setElementOrder/mergingList:
              - name: 1
              - name: 2
              - name: 3
            mergingList:
              - name: 3
                value: 3
        """,
        modified="""
            mergingList:
              - name: 1
              - name: 2
                value: 2
              - name: 3
                value: 3
        """,
        current="""
            mergingList:
              - name: 1
                other: a
              - name: 2
                value: 3
                other: b
        """,
        three_way="""
            $setElementOrder/mergingList:
              - name: 1
              - name: 2
              - name: 3
            mergingList:
              - name: 2
                value: 2
              - name: 3
                value: 3
        """,
        result="""
            mergingList:
              - name: 1
                other: a
              - name: 2
                value: 2
                other: b
              - name: 3
                value: 3
        """,
    ),
    _RawCase(
        "add field to map in merging list",
        original="""
            mergingList:
              - name: 1
              - name: 2
                value: 2
        """,
        two_way="""
            $setElementOrder/mergingList:
              - name: 1
              - name: 2
            mergingList:
              - name: 1
                value: 1
        """,
        modified="""
            mergingList:
              - name: 1
                value: 1
              - name: 2
                value: 2
        """,
        current="""
            mergingList:
              - name: 1
                other: a
              - name: 2
                value: 2
                other: b
        """,
        three_way="""
            $setElementOrder/mergingList:
              - name: 1
              - name: 2
            mergingList:
              - name: 1
                value: 1
        """,
        result="""
            mergingList:
              - name: 1
                value: 1
                other: a
              - name: 2
                value: 2
                other: b
        """,
    ),
    _RawCase(
        "add field to map in merging list",
        original="""
            mergingList:
              - name: 1
              - name: 2
                value: 2
        """,
        two_way="""
            $setElementOrder/mergingList:
              - name: 1
              - name: 2
            mergingList:
              - name: 1
                value: 1
        """,
        modified="""
            mergingList:
              - name: 1
                value: 1
              - name: 2
                value: 2
        """,
        current="""
            mergingList:
              - name: 1
                other: a
              - name: 2
                value: 2
                other: b
        """,
        three_way="""
            $setElementOrder/mergingList:
              - name: 1
              - name: 2
            mergingList:
              - name: 1
                value: 1
        """,
        result="""
            mergingList:
              - name: 1
                value: 1
                other: a
              - name: 2
                value: 2
                other: b
        """,
    ),
    _RawCase(
        "add field to map in merging list with conflict",
        original="""
            mergingList:
              - name: 1
              - name: 2
                value: 2
        """,
        two_way="""
            $setElementOrder/mergingList:
              - name: 1
              - name: 2
            mergingList:
              - name: 1
                value: 1
        """,
        modified="""
            mergingList:
              - name: 1
                value: 1
              - name: 2
                value: 2
        """,
        current="""
            mergingList:
              - name: 1
                other: a
              - name: 3
                value: 2
                other: b
        """,
        three_way="""
            $setElementOrder/mergingList:
              - name: 1
              - name: 2
            mergingList:
              - name: 1
                value: 1
              - name: 2
                value: 2
        """,
        result="""
            mergingList:
              - name: 1
                value: 1
                other: a
              - name: 2
                value: 2
              - name: 3
                value: 2
                other: b
        """,
    ),
    _RawCase(
        "add duplicate field to map in merging list",
        original="""
            mergingList:
              - name: 1
              - name: 2
                value: 2
        """,
        two_way="""
            $setElementOrder/mergingList:
              - name: 1
              - name: 2
            mergingList:
              - name: 1
                value: 1
        """,
        modified="""
            mergingList:
              - name: 1
                value: 1
              - name: 2
                value: 2
        """,
        current="""
            mergingList:
              - name: 1
                value: 1
                other: a
              - name: 2
                value: 2
                other: b
        """,
        three_way="""
            {}
        """,
        result="""
            mergingList:
              - name: 1
                value: 1
                other: a
              - name: 2
                value: 2
                other: b
        """,
    ),
    _RawCase(
        "add an item that already exists in current object in merging list",
        original="""
            mergingList:
              - name: 1
                value: a
              - name: 2
        """,
        two_way="""
            $setElementOrder/mergingList:
              - name: 1
              - name: 2
              - name: 3
            mergingList:
              - name: 3
        """,
        modified="""
            mergingList:
              - name: 1
                value: a
              - name: 2
              - name: 3
        """,
        current="""
            mergingList:
              - name: 1
                value: a
                other: x
              - name: 2
              - name: 3
        """,
        three_way="""
            {}
        """,
        result="""
            mergingList:
              - name: 1
                value: a
                other: x
              - name: 2
              - name: 3
        """,
    ),
    _RawCase(
        "add duplicate field to map in merging list with conflict",
        original="""
            mergingList:
              - name: 1
              - name: 2
                value: 2
        """,
        two_way="""
            $setElementOrder/mergingList:
              - name: 1
              - name: 2
            mergingList:
              - name: 1
                value: 1
        """,
        modified="""
            mergingList:
              - name: 1
                value: 1
              - name: 2
                value: 2
        """,
        current="""
            mergingList:
              - name: 1
                value: 1
                other: a
              - name: 2
                value: 3
                other: b
        """,
        three_way="""
            $setElementOrder/mergingList:
              - name: 1
              - name: 2
            mergingList:
              - name: 2
                value: 2
        """,
        result="""
            mergingList:
              - name: 1
                value: 1
                other: a
              - name: 2
                value: 2
                other: b
        """,
    ),
    _RawCase(
        "replace map field value in merging list",
        original="""
            mergingList:
              - name: 1
                value: 1
              - name: 2
                value: 2
        """,
        two_way="""
            $setElementOrder/mergingList:
              - name: 1
              - name: 2
            mergingList:
              - name: 1
                value: a
        """,
        modified="""
            mergingList:
              - name: 1
                value: a
              - name: 2
                value: 2
        """,
        current="""
            mergingList:
              - name: 1
                value: 1
                other: a
              - name: 2
                value: 2
                other: b
        """,
        three_way="""
            $setElementOrder/mergingList:
              - name: 1
              - name: 2
            mergingList:
              - name: 1
                value: a
        """,
        result="""
            mergingList:
              - name: 1
                value: a
                other: a
              - name: 2
                value: 2
                other: b
        """,
    ),
    _RawCase(
        "replace map field value in merging list with conflict",
        original="""
            mergingList:
              - name: 1
                value: 1
              - name: 2
                value: 2
        """,
        two_way="""
            $setElementOrder/mergingList:
              - name: 1
              - name: 2
            mergingList:
              - name: 1
                value: a
        """,
        modified="""
            mergingList:
              - name: 1
                value: a
              - name: 2
                value: 2
        """,
        current="""
            mergingList:
              - name: 1
                value: 3
                other: a
              - name: 2
                value: 2
                other: b
        """,
        three_way="""
            $setElementOrder/mergingList:
              - name: 1
              - name: 2
            mergingList:
              - name: 1
                value: a
        """,
        result="""
            mergingList:
              - name: 1
                value: a
                other: a
              - name: 2
                value: 2
                other: b
        """,
    ),
    _RawCase(
        "delete map from merging list",
        original="""
            mergingList:
              - name: 1
              - name: 2
        """,
        two_way="""
            $setElementOrder/mergingList:
              - name: 2
            mergingList:
              - name: 1
                $patch: delete
        """,
        modified="""
            mergingList:
              - name: 2
        """,
        current="""
            mergingList:
              - name: 1
              - name: 2
                other: b
        """,
        three_way="""
            $setElementOrder/mergingList:
              - name: 2
            mergingList:
              - name: 1
                $patch: delete
        """,
        result="""
            mergingList:
              - name: 2
                other: b
        """,
    ),
    _RawCase(
        "delete map from merging list with conflict",
        original="""
            mergingList:
              - name: 1
              - name: 2
        """,
        two_way="""
            $setElementOrder/mergingList:
              - name: 2
            mergingList:
              - name: 1
                $patch: delete
        """,
        modified="""
            mergingList:
              - name: 2
        """,
        current="""
            mergingList:
              - name: 1
                other: a
              - name: 2
                other: b
        """,
        three_way="""
            $setElementOrder/mergingList:
              - name: 2
            mergingList:
              - name: 1
                $patch: delete
        """,
        result="""
            mergingList:
              - name: 2
                other: b
        """,
    ),
    _RawCase(
        "delete missing map from merging list",
        original="""
            mergingList:
              - name: 1
              - name: 2
        """,
        two_way="""
            $setElementOrder/mergingList:
              - name: 2
            mergingList:
              - name: 1
                $patch: delete
        """,
        modified="""
            mergingList:
              - name: 2
        """,
        current="""
            mergingList:
              - name: 2
                other: b
        """,
        three_way="""
            $setElementOrder/mergingList:
              - name: 2
            mergingList:
              - name: 1
                $patch: delete
        """,
        result="""
            mergingList:
              - name: 2
                other: b
        """,
    ),
    _RawCase(
        "delete missing map from merging list with conflict",
        original="""
            mergingList:
              - name: 1
              - name: 2
        """,
        two_way="""
            $setElementOrder/mergingList:
              - name: 2
            mergingList:
              - name: 1
                $patch: delete
        """,
        modified="""
            mergingList:
              - name: 2
        """,
        current="""
            mergingList:
              - name: 3
                other: a
        """,
        three_way="""
            $setElementOrder/mergingList:
              - name: 2
            mergingList:
              - name: 2
              - name: 1
                $patch: delete
        """,
        result="""
            mergingList:
              - name: 2
              - name: 3
                other: a
        """,
    ),
    _RawCase(
        "add map and delete map from merging list",
        original="""
            mergingList:
              - name: 1
              - name: 2
        """,
        two_way="""
            $setElementOrder/mergingList:
              - name: 2
              - name: 3
            mergingList:
              - name: 3
              - name: 1
                $patch: delete
        """,
        modified="""
            mergingList:
              - name: 2
              - name: 3
        """,
        current="""
            mergingList:
              - name: 1
              - name: 2
                other: b
              - name: 4
                other: c
        """,
        three_way="""
            $setElementOrder/mergingList:
              - name: 2
              - name: 3
            mergingList:
              - name: 3
              - name: 1
                $patch: delete
        """,
        result="""
            mergingList:
              - name: 2
                other: b
              - name: 4
                other: c
              - name: 3
        """,
    ),
    _RawCase(
        "add map and delete map from merging list with conflict",
        original="""
            mergingList:
              - name: 1
              - name: 2
        """,
        two_way="""
            $setElementOrder/mergingList:
              - name: 2
              - name: 3
            mergingList:
              - name: 3
              - name: 1
                $patch: delete
        """,
        modified="""
            mergingList:
              - name: 2
              - name: 3
        """,
        current="""
            mergingList:
              - name: 1
                other: a
              - name: 4
                other: c
        """,
        three_way="""
            $setElementOrder/mergingList:
              - name: 2
              - name: 3
            mergingList:
              - name: 2
              - name: 3
              - name: 1
                $patch: delete
        """,
        result="""
            mergingList:
              - name: 4
                other: c
              - name: 2
              - name: 3
        """,
    ),
    _RawCase(
        "delete field from map in merging list",
        original="""
            mergingList:
              - name: 1
                value: 1
              - name: 2
                value: 2
        """,
        two_way="""
            $setElementOrder/mergingList:
              - name: 1
              - name: 2
            mergingList:
              - name: 1
                value: null
        """,
        modified="""
            mergingList:
              - name: 1
              - name: 2
                value: 2
        """,
        current="""
            mergingList:
              - name: 1
                value: 1
                other: a
              - name: 2
                value: 2
                other: b
        """,
        three_way="""
            $setElementOrder/mergingList:
              - name: 1
              - name: 2
            mergingList:
              - name: 1
                value: null
        """,
        result="""
            mergingList:
              - name: 1
                other: a
              - name: 2
                value: 2
                other: b
        """,
    ),
    _RawCase(
        "delete field from map in merging list with conflict",
        original="""
            mergingList:
              - name: 1
                value: 1
              - name: 2
                value: 2
        """,
        two_way="""
            $setElementOrder/mergingList:
              - name: 1
              - name: 2
            mergingList:
              - name: 1
                value: null
        """,
        modified="""
            mergingList:
              - name: 1
              - name: 2
                value: 2
        """,
        current="""
            mergingList:
              - name: 1
                value: a
                other: a
              - name: 2
                value: 2
        """,
        three_way="""
            $setElementOrder/mergingList:
              - name: 1
              - name: 2
            mergingList:
              - name: 1
                value: null
        """,
        result="""
            mergingList:
              - name: 1
                other: a
              - name: 2
                value: 2
        """,
    ),
    _RawCase(
        "delete missing field from map in merging list",
        original="""
            mergingList:
              - name: 1
                value: 1
              - name: 2
                value: 2
        """,
        two_way="""
            $setElementOrder/mergingList:
              - name: 1
              - name: 2
            mergingList:
              - name: 1
                value: null
        """,
        modified="""
            mergingList:
              - name: 1
              - name: 2
                value: 2
        """,
        current="""
            mergingList:
              - name: 1
                other: a
              - name: 2
                value: 2
                other: b
        """,
        three_way="""
            $setElementOrder/mergingList:
              - name: 1
              - name: 2
            mergingList:
              - name: 1
                value: null
        """,
        result="""
            mergingList:
              - name: 1
                other: a
              - name: 2
                value: 2
                other: b
        """,
    ),
    _RawCase(
        "delete missing field from map in merging list with conflict",
        original="""
            mergingList:
              - name: 1
                value: 1
              - name: 2
                value: 2
        """,
        two_way="""
            $setElementOrder/mergingList:
              - name: 1
              - name: 2
            mergingList:
              - name: 1
                value: null
        """,
        modified="""
            mergingList:
              - name: 1
              - name: 2
                value: 2
        """,
        current="""
            mergingList:
              - name: 1
                other: a
              - name: 2
                other: b
        """,
        three_way="""
            $setElementOrder/mergingList:
              - name: 1
              - name: 2
            mergingList:
              - name: 1
                value: null
              - name: 2
                value: 2
        """,
        result="""
            mergingList:
              - name: 1
                other: a
              - name: 2
                value: 2
                other: b
        """,
    ),
    _RawCase(
        "replace non merging list nested in merging list",
        original="""
            mergingList:
              - name: 1
                nonMergingList:
                  - name: 1
                  - name: 2
                    value: 2
              - name: 2
        """,
        two_way="""
            $setElementOrder/mergingList:
              - name: 1
              - name: 2
            mergingList:
              - name: 1
                nonMergingList:
                  - name: 1
                    value: 1
        """,
        modified="""
            mergingList:
              - name: 1
                nonMergingList:
                  - name: 1
                    value: 1
              - name: 2
        """,
        current="""
            mergingList:
              - name: 1
                other: a
                nonMergingList:
                  - name: 1
                  - name: 2
                    value: 2
              - name: 2
                other: b
        """,
        three_way="""
            $setElementOrder/mergingList:
              - name: 1
              - name: 2
            mergingList:
              - name: 1
                nonMergingList:
                  - name: 1
                    value: 1
        """,
        result="""
            mergingList:
              - name: 1
                other: a
                nonMergingList:
                  - name: 1
                    value: 1
              - name: 2
                other: b
        """,
    ),
    _RawCase(
        "replace non merging list nested in merging list with value conflict",
        original="""
            mergingList:
              - name: 1
                nonMergingList:
                  - name: 1
                  - name: 2
                    value: 2
              - name: 2
        """,
        two_way="""
            $setElementOrder/mergingList:
              - name: 1
              - name: 2
            mergingList:
              - name: 1
                nonMergingList:
                  - name: 1
                    value: 1
        """,
        modified="""
            mergingList:
              - name: 1
                nonMergingList:
                  - name: 1
                    value: 1
              - name: 2
        """,
        current="""
            mergingList:
              - name: 1
                other: a
                nonMergingList:
                  - name: 1
                    value: c
              - name: 2
                other: b
        """,
        three_way="""
            $setElementOrder/mergingList:
              - name: 1
              - name: 2
            mergingList:
              - name: 1
                nonMergingList:
                  - name: 1
                    value: 1
        """,
        result="""
            mergingList:
              - name: 1
                other: a
                nonMergingList:
                  - name: 1
                    value: 1
              - name: 2
                other: b
        """,
    ),
    _RawCase(
        "replace non merging list nested in merging list with deletion conflict",
        original="""
            mergingList:
              - name: 1
                nonMergingList:
                  - name: 1
                  - name: 2
                    value: 2
              - name: 2
        """,
        two_way="""
            $setElementOrder/mergingList:
              - name: 1
              - name: 2
            mergingList:
              - name: 1
                nonMergingList:
                  - name: 1
                    value: 1
        """,
        modified="""
            mergingList:
              - name: 1
                nonMergingList:
                  - name: 1
                    value: 1
              - name: 2
        """,
        current="""
            mergingList:
              - name: 1
                other: a
                nonMergingList:
                  - name: 2
                    value: 2
              - name: 2
                other: b
        """,
        three_way="""
            $setElementOrder/mergingList:
              - name: 1
              - name: 2
            mergingList:
              - name: 1
                nonMergingList:
                  - name: 1
                    value: 1
        """,
        result="""
            mergingList:
              - name: 1
                other: a
                nonMergingList:
                  - name: 1
                    value: 1
              - name: 2
                other: b
        """,
    ),
    _RawCase(
        "add field to map in merging list nested in merging list",
        original="""
            mergingList:
              - name: 1
                mergingList:
                  - name: 1
                  - name: 2
                    value: 2
              - name: 2
        """,
        two_way="""
            $setElementOrder/mergingList:
              - name: 1
              - name: 2
            mergingList:
              - $setElementOrder/mergingList:
                  - name: 1
                  - name: 2
                name: 1
                mergingList:
                  - name: 1
                    value: 1
        """,
        modified="""
            mergingList:
              - name: 1
                mergingList:
                  - name: 1
                    value: 1
                  - name: 2
                    value: 2
              - name: 2
        """,
        current="""
            mergingList:
              - name: 1
                other: a
                mergingList:
                  - name: 1
                  - name: 2
                    value: 2
              - name: 2
                other: b
        """,
        three_way="""
            $setElementOrder/mergingList:
              - name: 1
              - name: 2
            mergingList:
              - $setElementOrder/mergingList:
                  - name: 1
                  - name: 2
                name: 1
                mergingList:
                  - name: 1
                    value: 1
        """,
        result="""
            mergingList:
              - name: 1
                other: a
                mergingList:
                  - name: 1
                    value: 1
                  - name: 2
                    value: 2
              - name: 2
                other: b
        """,
    ),
    _RawCase(
        "add field to map in merging list nested in merging list with value conflict",
        original="""
            mergingList:
              - name: 1
                mergingList:
                  - name: 1
                  - name: 2
                    value: 2
              - name: 2
        """,
        two_way="""
            $setElementOrder/mergingList:
              - name: 1
              - name: 2
            mergingList:
              - $setElementOrder/mergingList:
                  - name: 1
                  - name: 2
                name: 1
                mergingList:
                  - name: 1
                    value: 1
        """,
        modified="""
            mergingList:
              - name: 1
                mergingList:
                  - name: 1
                    value: 1
                  - name: 2
                    value: 2
              - name: 2
        """,
        current="""
            mergingList:
              - name: 1
                other: a
                mergingList:
                  - name: 1
                    value: a
                    other: c
                  - name: 2
                    value: b
                    other: d
              - name: 2
                other: b
        """,
        three_way="""
            $setElementOrder/mergingList:
              - name: 1
              - name: 2
            mergingList:
              - $setElementOrder/mergingList:
                  - name: 1
                  - name: 2
                name: 1
                mergingList:
                  - name: 1
                    value: 1
                  - name: 2
                    value: 2
        """,
        result="""
            mergingList:
              - name: 1
                other: a
                mergingList:
                  - name: 1
                    value: 1
                    other: c
                  - name: 2
                    value: 2
                    other: d
              - name: 2
                other: b
        """,
    ),
    _RawCase(
        "add field to map in merging list nested in merging list with deletion conflict",
        original="""
            mergingList:
              - name: 1
                mergingList:
                  - name: 1
                  - name: 2
                    value: 2
              - name: 2
        """,
        two_way="""
            $setElementOrder/mergingList:
              - name: 1
              - name: 2
            mergingList:
              - $setElementOrder/mergingList:
                  - name: 1
                  - name: 2
                name: 1
                mergingList:
                  - name: 1
                    value: 1
        """,
        modified="""
            mergingList:
              - name: 1
                mergingList:
                  - name: 1
                    value: 1
                  - name: 2
                    value: 2
              - name: 2
        """,
        current="""
            mergingList:
              - name: 1
                other: a
                mergingList:
                  - name: 2
                    value: 2
                    other: d
              - name: 2
                other: b
        """,
        three_way="""
            $setElementOrder/mergingList:
              - name: 1
              - name: 2
            mergingList:
              - $setElementOrder/mergingList:
                  - name: 1
                  - name: 2
                name: 1
                mergingList:
                  - name: 1
                    value: 1
        """,
        result="""
            mergingList:
              - name: 1
                other: a
                mergingList:
                  - name: 1
                    value: 1
                  - name: 2
                    value: 2
                    other: d
              - name: 2
                other: b
        """,
    ),
    _RawCase(
        "add field to map in merging list nested in merging list with deletion conflict",
        original="""
            mergingList:
              - name: 1
                mergingList:
                  - name: 1
                  - name: 2
                    value: 2
              - name: 2
        """,
        two_way="""
            $setElementOrder/mergingList:
              - name: 1
              - name: 2
            mergingList:
              - $setElementOrder/mergingList:
                  - name: 2
                  - name: 1
                name: 1
                mergingList:
                  - name: 1
                    value: 1
        """,
        modified="""
            mergingList:
              - name: 1
                mergingList:
                  - name: 2
                    value: 2
                  - name: 1
                    value: 1
              - name: 2
        """,
        current="""
            mergingList:
              - name: 1
                other: a
                mergingList:
                  - name: 2
                    value: 2
                    other: d
              - name: 2
                other: b
        """,
        three_way="""
            $setElementOrder/mergingList:
              - name: 1
              - name: 2
            mergingList:
              - $setElementOrder/mergingList:
                  - name: 2
                  - name: 1
                name: 1
                mergingList:
                  - name: 1
                    value: 1
        """,
        result="""
            mergingList:
              - name: 1
                other: a
                mergingList:
                  - name: 2
                    value: 2
                    other: d
                  - name: 1
                    value: 1
              - name: 2
                other: b
        """,
    ),
    _RawCase(
        "add map to merging list by pointer",
        original="""
            mergeItemPtr:
              - name: 1
        """,
        two_way="""
            $setElementOrder/mergeItemPtr:
              - name: 1
              - name: 2
            mergeItemPtr:
              - name: 2
        """,
        modified="""
            mergeItemPtr:
              - name: 1
              - name: 2
        """,
        current="""
            mergeItemPtr:
              - name: 1
                other: a
              - name: 3
        """,
        three_way="""
            $setElementOrder/mergeItemPtr:
              - name: 1
              - name: 2
            mergeItemPtr:
              - name: 2
        """,
        result="""
            mergeItemPtr:
              - name: 1
                other: a
              - name: 2
              - name: 3
        """,
    ),
    _RawCase(
        "add map to merging list by pointer with conflict",
        original="""
            mergeItemPtr:
              - name: 1
        """,
        two_way="""
            $setElementOrder/mergeItemPtr:
              - name: 1
              - name: 2
            mergeItemPtr:
              - name: 2
        """,
        modified="""
            mergeItemPtr:
              - name: 1
              - name: 2
        """,
        current="""
            mergeItemPtr:
              - name: 3
        """,
        three_way="""
            $setElementOrder/mergeItemPtr:
              - name: 1
              - name: 2
            mergeItemPtr:
              - name: 1
              - name: 2
        """,
        result="""
            mergeItemPtr:
              - name: 1
              - name: 2
              - name: 3
        """,
    ),
    _RawCase(
        "add field to map in merging list by pointer",
        original="""
            mergeItemPtr:
              - name: 1
                mergeItemPtr:
                  - name: 1
                  - name: 2
                    value: 2
              - name: 2
        """,
        two_way="""
            $setElementOrder/mergeItemPtr:
              - name: 1
              - name: 2
            mergeItemPtr:
              - $setElementOrder/mergeItemPtr:
                  - name: 1
                  - name: 2
                name: 1
                mergeItemPtr:
                  - name: 1
                    value: 1
        """,
        modified="""
            mergeItemPtr:
              - name: 1
                mergeItemPtr:
                  - name: 1
                    value: 1
                  - name: 2
                    value: 2
              - name: 2
        """,
        current="""
            mergeItemPtr:
              - name: 1
                other: a
                mergeItemPtr:
                  - name: 1
                    other: a
                  - name: 2
                    value: 2
                    other: b
              - name: 2
                other: b
        """,
        three_way="""
            $setElementOrder/mergeItemPtr:
              - name: 1
              - name: 2
            mergeItemPtr:
              - $setElementOrder/mergeItemPtr:
                  - name: 1
                  - name: 2
                name: 1
                mergeItemPtr:
                  - name: 1
                    value: 1
        """,
        result="""
            mergeItemPtr:
              - name: 1
                other: a
                mergeItemPtr:
                  - name: 1
                    value: 1
                    other: a
                  - name: 2
                    value: 2
                    other: b
              - name: 2
                other: b
        """,
    ),
    _RawCase(
        "add field to map in merging list by pointer with conflict",
        original="""
            mergeItemPtr:
              - name: 1
                mergeItemPtr:
                  - name: 1
                  - name: 2
                    value: 2
              - name: 2
        """,
        two_way="""
            $setElementOrder/mergeItemPtr:
              - name: 1
              - name: 2
            mergeItemPtr:
              - $setElementOrder/mergeItemPtr:
                  - name: 1
                  - name: 2
                name: 1
                mergeItemPtr:
                  - name: 1
                    value: 1
        """,
        modified="""
            mergeItemPtr:
              - name: 1
                mergeItemPtr:
                  - name: 1
                    value: 1
                  - name: 2
                    value: 2
              - name: 2
        """,
        current="""
            mergeItemPtr:
              - name: 1
                other: a
                mergeItemPtr:
                  - name: 1
                    value: a
                  - name: 2
                    value: 2
                    other: b
              - name: 2
                other: b
        """,
        three_way="""
            $setElementOrder/mergeItemPtr:
              - name: 1
              - name: 2
            mergeItemPtr:
              - $setElementOrder/mergeItemPtr:
                  - name: 1
                  - name: 2
                name: 1
                mergeItemPtr:
                  - name: 1
                    value: 1
        """,
        result="""
            mergeItemPtr:
              - name: 1
                other: a
                mergeItemPtr:
                  - name: 1
                    value: 1
                  - name: 2
                    value: 2
                    other: b
              - name: 2
                other: b
        """,
    ),
    _RawCase(
        "merge lists of scalars",
        original="""
            mergingIntList:
            - 1
            - 2
        """,
        two_way="""
            $setElementOrder/mergingIntList:
            - 1
            - 2
            - 3
            mergingIntList:
            - 3
        """,
        modified="""
            mergingIntList:
            - 1
            - 2
            - 3
        """,
        current="""
            mergingIntList:
            - 1
            - 2
            - 4
        """,
        three_way="""
            $setElementOrder/mergingIntList:
            - 1
            - 2
            - 3
            mergingIntList:
            - 3
        """,
        result="""
            mergingIntList:
            - 1
            - 2
            - 3
            - 4
        """,
    ),
    _RawCase(
        "add duplicate field to map in merging int list",
        original="""
            mergingIntList:
              - 1
              - 2
        """,
        two_way="""
            $setElementOrder/mergingIntList:
              - 1
              - 2
              - 3
            mergingIntList:
              - 3
        """,
        modified="""
            mergingIntList:
              - 1
              - 2
              - 3
        """,
        current="""
            mergingIntList:
              - 1
              - 2
              - 3
        """,
        three_way="""
            {}
        """,
        result="""
            mergingIntList:
              - 1
              - 2
              - 3
        """,
    ),
    _RawCase(
        "add an item in a list of primitives and preserve order",
        original="""
            mergingIntList:
            - 1
            - 2
        """,
        two_way="""
            $setElementOrder/mergingIntList:
            - 3
            - 1
            - 2
            mergingIntList:
            - 3
        """,
        modified="""
            mergingIntList:
            - 3
            - 1
            - 2
        """,
        current="""
            mergingIntList:
            - 1
            - 4
            - 2
        """,
        three_way="""
            $setElementOrder/mergingIntList:
            - 3
            - 1
            - 2
            mergingIntList:
            - 3
        """,
        result="""
            mergingIntList:
            - 3
            - 1
            - 4
            - 2
        """,
    ),
    _RawCase(
        "delete an item in a list of primitives and preserve order",
        original="""
            mergingIntList:
            - 1
            - 2
            - 3
        """,
        two_way="""
            $setElementOrder/mergingIntList:
            - 2
            - 1
            $deleteFromPrimitiveList/mergingIntList:
            - 3
        """,
        modified="""
            mergingIntList:
            - 2
            - 1
        """,
        current="""
            mergingIntList:
            - 1
            - 2
            - 3
        """,
        three_way="""
            $setElementOrder/mergingIntList:
            - 2
            - 1
            $deleteFromPrimitiveList/mergingIntList:
            - 3
        """,
        result="""
            mergingIntList:
            - 2
            - 1
        """,
    ),
    _RawCase(
        "add an item in a list and preserve order",
        original="""
            mergingList:
              - name: 1
              - name: 2
                value: 2
        """,
        two_way="""
            $setElementOrder/mergingList:
              - name: 3
              - name: 1
              - name: 2
            mergingList:
              - name: 3
                value: 3
        """,
        modified="""
            mergingList:
              - name: 3
                value: 3
              - name: 1
              - name: 2
                value: 2
        """,
        current="""
            mergingList:
              - name: 1
                other: a
              - name: 2
                value: 2
                other: b
        """,
        three_way="""
            $setElementOrder/mergingList:
              - name: 3
              - name: 1
              - name: 2
            mergingList:
              - name: 3
                value: 3
        """,
        result="""
            mergingList:
              - name: 3
                value: 3
              - name: 1
                other: a
              - name: 2
                value: 2
                other: b
        """,
    ),
    _RawCase(
        "add multiple items in a list and preserve order",
        original="""
            mergingList:
              - name: 1
              - name: 2
                value: 2
        """,
        two_way="""
            $setElementOrder/mergingList:
              - name: 1
              - name: 4
              - name: 2
              - name: 3
            mergingList:
              - name: 4
                value: 4
              - name: 3
                value: 3
        """,
        modified="""
            mergingList:
              - name: 1
              - name: 4
                value: 4
              - name: 2
                value: 2
              - name: 3
                value: 3
        """,
        current="""
            mergingList:
              - name: 1
                other: a
              - name: 2
                value: 2
                other: b
        """,
        three_way="""
            $setElementOrder/mergingList:
              - name: 1
              - name: 4
              - name: 2
              - name: 3
            mergingList:
              - name: 4
                value: 4
              - name: 3
                value: 3
        """,
        result="""
            mergingList:
              - name: 1
                other: a
              - name: 4
                value: 4
              - name: 2
                value: 2
                other: b
              - name: 3
                value: 3
        """,
    ),
    _RawCase(
        "delete an item in a list and preserve order",
        original="""
            mergingList:
              - name: 1
              - name: 3
                value: 3
              - name: 2
                value: 2
        """,
        two_way="""
            $setElementOrder/mergingList:
              - name: 2
              - name: 1
            mergingList:
              - name: 3
                $patch: delete
        """,
        modified="""
            mergingList:
              - name: 2
                value: 2
              - name: 1
        """,
        current="""
            mergingList:
              - name: 1
                other: a
              - name: 2
                value: 2
                other: b
              - name: 3
                value: 3
        """,
        three_way="""
            $setElementOrder/mergingList:
              - name: 2
              - name: 1
            mergingList:
              - name: 3
                $patch: delete
        """,
        result="""
            mergingList:
              - name: 2
                value: 2
                other: b
              - name: 1
                other: a
        """,
    ),
    _RawCase(
        "change an item in a list and preserve order",
        original="""
            mergingList:
              - name: 1
              - name: 3
                value: 3
              - name: 2
                value: 2
        """,
        two_way="""
            $setElementOrder/mergingList:
              - name: 2
              - name: 3
              - name: 1
            mergingList:
              - name: 3
                value: x
        """,
        modified="""
            mergingList:
              - name: 2
                value: 2
              - name: 3
                value: x
              - name: 1
        """,
        current="""
            mergingList:
              - name: 1
                other: a
              - name: 2
                value: 2
                other: b
              - name: 3
                value: 3
        """,
        three_way="""
            $setElementOrder/mergingList:
              - name: 2
              - name: 3
              - name: 1
            mergingList:
              - name: 3
                value: x
        """,
        result="""
            mergingList:
              - name: 2
                value: 2
                other: b
              - name: 3
                value: x
              - name: 1
                other: a
        """,
    ),
    _RawCase(
        "add and delete an item in a list and preserve order",
        original="""
            mergingList:
              - name: 1
              - name: 3
                value: 3
              - name: 2
                value: 2
        """,
        two_way="""
            $setElementOrder/mergingList:
              - name: 4
              - name: 2
              - name: 1
            mergingList:
              - name: 4
                value: 4
              - name: 3
                $patch: delete
        """,
        modified="""
            mergingList:
              - name: 4
                value: 4
              - name: 2
                value: 2
              - name: 1
        """,
        current="""
            mergingList:
              - name: 1
                other: a
              - name: 2
                value: 2
                other: b
              - name: 3
                value: 3
        """,
        three_way="""
            $setElementOrder/mergingList:
              - name: 4
              - name: 2
              - name: 1
            mergingList:
              - name: 4
                value: 4
              - name: 3
                $patch: delete
        """,
        result="""
            mergingList:
              - name: 4
                value: 4
              - name: 2
                value: 2
                other: b
              - name: 1
                other: a
        """,
    ),
    _RawCase(
        "set elements order in a list",
        original="""
            mergingList:
              - name: 1
              - name: 3
                value: 3
              - name: 4
                value: 4
              - name: 2
                value: 2
        """,
        two_way="""
            $setElementOrder/mergingList:
              - name: 4
              - name: 2
              - name: 3
              - name: 1
        """,
        modified="""
            mergingList:
              - name: 4
                value: 4
              - name: 2
                value: 2
              - name: 3
                value: 3
              - name: 1
        """,
        current="""
            mergingList:
              - name: 1
                other: a
              - name: 3
                value: 3
              - name: 4
                value: 4
              - name: 2
                value: 2
        """,
        three_way="""
            $setElementOrder/mergingList:
              - name: 4
              - name: 2
              - name: 3
              - name: 1
        """,
        result="""
            mergingList:
              - name: 4
                value: 4
              - name: 2
                value: 2
              - name: 3
                value: 3
              - name: 1
                other: a
        """,
    ),
    _RawCase(
        "set elements order in a list with server-only items",
        original="""
            mergingList:
              - name: 1
              - name: 3
                value: 3
              - name: 4
                value: 4
              - name: 2
                value: 2
        """,
        two_way="""
            $setElementOrder/mergingList:
              - name: 4
              - name: 2
              - name: 3
              - name: 1
        """,
        modified="""
            mergingList:
              - name: 4
                value: 4
              - name: 2
                value: 2
              - name: 3
                value: 3
              - name: 1
        """,
        current="""
            mergingList:
              - name: 1
                other: a
              - name: 3
                value: 3
              - name: 4
                value: 4
              - name: 2
                value: 2
              - name: 9
        """,
        three_way="""
            $setElementOrder/mergingList:
              - name: 4
              - name: 2
              - name: 3
              - name: 1
        """,
        result="""
            mergingList:
              - name: 4
                value: 4
              - name: 2
                value: 2
              - name: 3
                value: 3
              - name: 1
                other: a
              - name: 9
        """,
    ),
    _RawCase(
        "set elements order in a list with server-only items 2",
        original="""
            mergingList:
              - name: 1
              - name: 2
                value: 2
              - name: 3
                value: 3
              - name: 4
                value: 4
        """,
        two_way="""
            $setElementOrder/mergingList:
              - name: 2
              - name: 1
              - name: 4
              - name: 3
        """,
        modified="""
            mergingList:
              - name: 2
                value: 2
              - name: 1
              - name: 4
                value: 4
              - name: 3
                value: 3
        """,
        current="""
            mergingList:
              - name: 1
                other: a
              - name: 2
                value: 2
              - name: 9
              - name: 3
                value: 3
              - name: 4
                value: 4
        """,
        three_way="""
            $setElementOrder/mergingList:
              - name: 2
              - name: 1
              - name: 4
              - name: 3
        """,
        result="""
            mergingList:
              - name: 2
                value: 2
              - name: 1
                other: a
              - name: 9
              - name: 4
                value: 4
              - name: 3
                value: 3
        """,
    ),
    _RawCase(
        "set elements order in a list with server-only items 3",
        original="""
            mergingList:
              - name: 1
              - name: 2
                value: 2
              - name: 3
                value: 3
              - name: 4
                value: 4
        """,
        two_way="""
            $setElementOrder/mergingList:
              - name: 2
              - name: 1
              - name: 4
              - name: 3
        """,
        modified="""
            mergingList:
              - name: 2
                value: 2
              - name: 1
              - name: 4
                value: 4
              - name: 3
                value: 3
        """,
        current="""
            mergingList:
              - name: 1
                other: a
              - name: 2
                value: 2
              - name: 7
              - name: 9
              - name: 8
              - name: 3
                value: 3
              - name: 4
                value: 4
        """,
        three_way="""
            $setElementOrder/mergingList:
              - name: 2
              - name: 1
              - name: 4
              - name: 3
        """,
        result="""
            mergingList:
              - name: 2
                value: 2
              - name: 1
                other: a
              - name: 7
              - name: 9
              - name: 8
              - name: 4
                value: 4
              - name: 3
                value: 3
        """,
    ),
    _RawCase(
        "add an item in a int list and preserve order",
        original="""
            mergingIntList:
              - 1
              - 2
        """,
        two_way="""
            $setElementOrder/mergingIntList:
              - 3
              - 1
              - 2
            mergingIntList:
              - 3
        """,
        modified="""
            mergingIntList:
              - 3
              - 1
              - 2
        """,
        current="""
            mergingIntList:
              - 1
              - 2
        """,
        three_way="""
            $setElementOrder/mergingIntList:
              - 3
              - 1
              - 2
            mergingIntList:
              - 3
        """,
        result="""
            mergingIntList:
              - 3
              - 1
              - 2
        """,
    ),
    _RawCase(
        "add multiple items in a int list and preserve order",
        original="""
            mergingIntList:
              - 1
              - 2
        """,
        two_way="""
            $setElementOrder/mergingIntList:
              - 1
              - 4
              - 2
              - 3
            mergingIntList:
              - 4
              - 3
        """,
        modified="""
            mergingIntList:
              - 1
              - 4
              - 2
              - 3
        """,
        current="""
            mergingIntList:
              - 1
              - 2
        """,
        three_way="""
            $setElementOrder/mergingIntList:
              - 1
              - 4
              - 2
              - 3
            mergingIntList:
              - 4
              - 3
        """,
        result="""
            mergingIntList:
              - 1
              - 4
              - 2
              - 3
        """,
    ),
    _RawCase(
        "delete an item in a int list and preserve order",
        original="""
            mergingIntList:
              - 1
              - 3
              - 2
        """,
        two_way="""
            $setElementOrder/mergingIntList:
              - 2
              - 1
            $deleteFromPrimitiveList/mergingIntList:
              - 3
        """,
        modified="""
            mergingIntList:
              - 2
              - 1
        """,
        current="""
            mergingIntList:
              - 1
              - 2
              - 3
        """,
        three_way="""
            $setElementOrder/mergingIntList:
              - 2
              - 1
            $deleteFromPrimitiveList/mergingIntList:
              - 3
        """,
        result="""
            mergingIntList:
              - 2
              - 1
        """,
    ),
    _RawCase(
        "add and delete an item in a int list and preserve order",
        original="""
            mergingIntList:
              - 1
              - 3
              - 2
        """,
        two_way="""
            $setElementOrder/mergingIntList:
              - 4
              - 2
              - 1
            mergingIntList:
              - 4
            $deleteFromPrimitiveList/mergingIntList:
              - 3
        """,
        modified="""
            mergingIntList:
              - 4
              - 2
              - 1
        """,
        current="""
            mergingIntList:
              - 1
              - 2
              - 3
        """,
        three_way="""
            $setElementOrder/mergingIntList:
              - 4
              - 2
              - 1
            mergingIntList:
              - 4
            $deleteFromPrimitiveList/mergingIntList:
              - 3
        """,
        result="""
            mergingIntList:
              - 4
              - 2
              - 1
        """,
    ),
    _RawCase(
        "set elements order in a int list",
        original="""
            mergingIntList:
              - 1
              - 3
              - 4
              - 2
        """,
        two_way="""
            $setElementOrder/mergingIntList:
              - 4
              - 2
              - 3
              - 1
        """,
        modified="""
            mergingIntList:
              - 4
              - 2
              - 3
              - 1
        """,
        current="""
            mergingIntList:
              - 1
              - 3
              - 4
              - 2
        """,
        three_way="""
            $setElementOrder/mergingIntList:
              - 4
              - 2
              - 3
              - 1
        """,
        result="""
            mergingIntList:
              - 4
              - 2
              - 3
              - 1
        """,
    ),
    _RawCase(
        "set elements order in a int list with server-only items",
        original="""
            mergingIntList:
              - 1
              - 3
              - 4
              - 2
        """,
        two_way="""
            $setElementOrder/mergingIntList:
              - 4
              - 2
              - 3
              - 1
        """,
        modified="""
            mergingIntList:
              - 4
              - 2
              - 3
              - 1
        """,
        current="""
            mergingIntList:
              - 1
              - 3
              - 4
              - 2
              - 9
        """,
        three_way="""
            $setElementOrder/mergingIntList:
              - 4
              - 2
              - 3
              - 1
        """,
        result="""
            mergingIntList:
              - 4
              - 2
              - 3
              - 1
              - 9
        """,
    ),
    _RawCase(
        "set elements order in a int list with server-only items 2",
        original="""
            mergingIntList:
              - 1
              - 2
              - 3
              - 4
        """,
        two_way="""
            $setElementOrder/mergingIntList:
              - 2
              - 1
              - 4
              - 3
        """,
        modified="""
            mergingIntList:
              - 2
              - 1
              - 4
              - 3
        """,
        current="""
            mergingIntList:
              - 1
              - 2
              - 9
              - 3
              - 4
        """,
        three_way="""
            $setElementOrder/mergingIntList:
              - 2
              - 1
              - 4
              - 3
        """,
        result="""
            mergingIntList:
              - 2
              - 1
              - 9
              - 4
              - 3
        """,
    ),
    _RawCase(
        "set elements order in a int list with server-only items 3",
        original="""
            mergingIntList:
              - 1
              - 2
              - 3
              - 4
        """,
        two_way="""
            $setElementOrder/mergingIntList:
              - 2
              - 1
              - 4
              - 3
        """,
        modified="""
            mergingIntList:
              - 2
              - 1
              - 4
              - 3
        """,
        current="""
            mergingIntList:
              - 1
              - 2
              - 7
              - 9
              - 8
              - 3
              - 4
        """,
        three_way="""
            $setElementOrder/mergingIntList:
              - 2
              - 1
              - 4
              - 3
        """,
        result="""
            mergingIntList:
              - 2
              - 1
              - 7
              - 9
              - 8
              - 4
              - 3
        """,
    ),
    _RawCase(
        "behavior of set element order for a merging list with duplicate",
        original="""
            mergingList:
            - name: 1
            - name: 2
              value: dup1
            - name: 3
            - name: 2
              value: dup2
            - name: 4
        """,
        two_way="""
            $setElementOrder/mergingList:
            - name: 2
            - name: 1
            - name: 4
            - name: 3
            - name: 2
        """,
        current="""
            mergingList:
            - name: 1
            - name: 2
              value: dup1
            - name: 3
            - name: 2
              value: dup2
            - name: 4
        """,
        three_way="""
            $setElementOrder/mergingList:
            - name: 2
            - name: 1
            - name: 4
            - name: 3
            - name: 2
        """,
        result="""
            mergingList:
            - name: 2
              value: dup1
            - name: 2
              value: dup2
            - name: 1
            - name: 4
            - name: 3
        """,
        two_way_result="""
            mergingList:
            - name: 2
              value: dup1
            - name: 2
              value: dup2
            - name: 1
            - name: 4
            - name: 3
        """,
    ),
    _RawCase(
        "behavior of set element order for a merging int list with duplicate",
        original="""
            mergingIntList:
            - 1
            - 2
            - 3
            - 2
            - 4
        """,
        two_way="""
            $setElementOrder/mergingIntList:
            - 2
            - 1
            - 4
            - 3
            - 2
        """,
        current="""
            mergingIntList:
            - 1
            - 2
            - 3
            - 2
            - 4
        """,
        three_way="""
            $setElementOrder/mergingIntList:
            - 2
            - 1
            - 4
            - 3
            - 2
        """,
        result="""
            mergingIntList:
            - 2
            - 2
            - 1
            - 4
            - 3
        """,
        two_way_result="""
            mergingIntList:
            - 2
            - 2
            - 1
            - 4
            - 3
        """,
    ),
    _RawCase(
        "retainKeys map should clear defaulted field",
        original="""
            {}
        """,
        two_way="""
            retainKeysMap:
              other: bar
        """,
        modified="""
            retainKeysMap:
              other: bar
        """,
        current="""
            retainKeysMap:
              value: foo
        """,
        three_way="""
            retainKeysMap:
              $retainKeys:
                - other
              other: bar
        """,
        result="""
            retainKeysMap:
              other: bar
        """,
    ),
    _RawCase(
        "retainKeys map should clear defaulted field with conflict (discriminated union)",
        original="""
            {}
        """,
        two_way="""
            retainKeysMap:
              name: type2
              other: bar
        """,
        modified="""
            retainKeysMap:
              name: type2
              other: bar
        """,
        current="""
            retainKeysMap:
              name: type1
              value: foo
        """,
        three_way="""
            retainKeysMap:
              $retainKeys:
                - name
                - other
              name: type2
              other: bar
        """,
        result="""
            retainKeysMap:
              name: type2
              other: bar
        """,
    ),
    _RawCase(
        "retainKeys map adds a field",
        original="""
            retainKeysMap:
              name: foo
        """,
        two_way="""
            retainKeysMap:
              $retainKeys:
                - name
                - value
              value: bar
        """,
        modified="""
            retainKeysMap:
              name: foo
              value: bar
        """,
        current="""
            retainKeysMap:
              name: foo
        """,
        three_way="""
            retainKeysMap:
              $retainKeys:
                - name
                - value
              value: bar
        """,
        result="""
            retainKeysMap:
              name: foo
              value: bar
        """,
    ),
    _RawCase(
        "retainKeys map adds a field and clear a field",
        original="""
            retainKeysMap:
              name: foo
        """,
        two_way="""
            retainKeysMap:
              $retainKeys:
                - name
                - value
              value: bar
        """,
        modified="""
            retainKeysMap:
              name: foo
              value: bar
        """,
        current="""
            retainKeysMap:
              name: foo
              other: a
        """,
        three_way="""
            retainKeysMap:
              $retainKeys:
                - name
                - value
              value: bar
        """,
        result="""
            retainKeysMap:
              name: foo
              value: bar
        """,
    ),
    _RawCase(
        "retainKeys map deletes a field",
        original="""
            retainKeysMap:
              name: foo
              value: bar
        """,
        two_way="""
            retainKeysMap:
              $retainKeys:
                - name
              value: null
        """,
        modified="""
            retainKeysMap:
              name: foo
        """,
        current="""
            retainKeysMap:
              name: foo
              value: bar
        """,
        three_way="""
            retainKeysMap:
              $retainKeys:
                - name
              value: null
        """,
        result="""
            retainKeysMap:
              name: foo
        """,
    ),
    _RawCase(
        "retainKeys map deletes a field and clears a field",
        original="""
            retainKeysMap:
              name: foo
              value: bar
        """,
        two_way="""
            retainKeysMap:
              $retainKeys:
                - name
              value: null
        """,
        modified="""
            retainKeysMap:
              name: foo
        """,
        current="""
            retainKeysMap:
              name: foo
              value: bar
              other: a
        """,
        three_way="""
            retainKeysMap:
              $retainKeys:
                - name
              value: null
        """,
        result="""
            retainKeysMap:
              name: foo
        """,
    ),
    _RawCase(
        "retainKeys map clears a field",
        original="""
            retainKeysMap:
              name: foo
              value: bar
        """,
        two_way="""
            {}
        """,
        modified="""
            retainKeysMap:
              name: foo
              value: bar
        """,
        current="""
            retainKeysMap:
              name: foo
              value: bar
              other: a
        """,
        three_way="""
            retainKeysMap:
              $retainKeys:
                - name
                - value
        """,
        result="""
            retainKeysMap:
              name: foo
              value: bar
        """,
    ),
    _RawCase(
        "retainKeys map nested map with no change",
        original="""
            retainKeysMap:
              name: foo
              simpleMap:
                key1: a
        """,
        two_way="""
            retainKeysMap:
              $retainKeys:
                - name
                - simpleMap
                - value
              value: bar
        """,
        modified="""
            retainKeysMap:
              name: foo
              value: bar
              simpleMap:
                key1: a
        """,
        current="""
            retainKeysMap:
              name: foo
              simpleMap:
                key1: a
        """,
        three_way="""
            retainKeysMap:
              $retainKeys:
                - name
                - simpleMap
                - value
              value: bar
        """,
        result="""
            retainKeysMap:
              name: foo
              value: bar
              simpleMap:
                key1: a
        """,
    ),
    _RawCase(
        "retainKeys map adds a field in a nested map",
        original="""
            retainKeysMap:
              name: foo
              value: bar
              simpleMap:
                key1: a
        """,
        two_way="""
            retainKeysMap:
              $retainKeys:
                - name
                - simpleMap
                - value
              simpleMap:
                key2: b
        """,
        modified="""
            retainKeysMap:
              name: foo
              value: bar
              simpleMap:
                key1: a
                key2: b
        """,
        current="""
            retainKeysMap:
              name: foo
              value: bar
              simpleMap:
                key1: a
                key3: c
        """,
        three_way="""
            retainKeysMap:
              $retainKeys:
                - name
                - simpleMap
                - value
              simpleMap:
                key2: b
        """,
        result="""
            retainKeysMap:
              name: foo
              value: bar
              simpleMap:
                key1: a
                key2: b
                key3: c
        """,
    ),
    _RawCase(
        "retainKeys map deletes a field in a nested map",
        original="""
            retainKeysMap:
              name: foo
              value: bar
              simpleMap:
                key1: a
                key2: b
        """,
        two_way="""
            retainKeysMap:
              $retainKeys:
                - name
                - simpleMap
                - value
              simpleMap:
                key2: null
        """,
        modified="""
            retainKeysMap:
              name: foo
              value: bar
              simpleMap:
                key1: a
        """,
        current="""
            retainKeysMap:
              name: foo
              value: bar
              simpleMap:
                key1: a
                key2: b
                key3: c
        """,
        three_way="""
            retainKeysMap:
              $retainKeys:
                - name
                - simpleMap
                - value
              simpleMap:
                key2: null
        """,
        result="""
            retainKeysMap:
              name: foo
              value: bar
              simpleMap:
                key1: a
                key3: c
        """,
    ),
    _RawCase(
        "retainKeys map changes a field in a nested map",
        original="""
            retainKeysMap:
              name: foo
              value: bar
              simpleMap:
                key1: a
                key2: b
        """,
        two_way="""
            retainKeysMap:
              $retainKeys:
                - name
                - simpleMap
                - value
              simpleMap:
                key1: x
        """,
        modified="""
            retainKeysMap:
              name: foo
              value: bar
              simpleMap:
                key1: x
                key2: b
        """,
        current="""
            retainKeysMap:
              name: foo
              value: bar
              simpleMap:
                key1: a
                key2: b
                key3: c
        """,
        three_way="""
            retainKeysMap:
              $retainKeys:
                - name
                - simpleMap
                - value
              simpleMap:
                key1: x
        """,
        result="""
            retainKeysMap:
              name: foo
              value: bar
              simpleMap:
                key1: x
                key2: b
                key3: c
        """,
    ),
    _RawCase(
        "retainKeys map changes a field in a nested map with conflict",
        original="""
            retainKeysMap:
              name: foo
              value: bar
              simpleMap:
                key1: old
                key2: b
        """,
        two_way="""
            retainKeysMap:
              $retainKeys:
                - name
                - simpleMap
                - value
              simpleMap:
                key1: modified
        """,
        modified="""
            retainKeysMap:
              name: foo
              value: bar
              simpleMap:
                key1: modified
                key2: b
        """,
        current="""
            retainKeysMap:
              name: foo
              value: bar
              simpleMap:
                key1: new
                key2: b
                key3: c
        """,
        three_way="""
            retainKeysMap:
              $retainKeys:
                - name
                - simpleMap
                - value
              simpleMap:
                key1: modified
        """,
        result="""
            retainKeysMap:
              name: foo
              value: bar
              simpleMap:
                key1: modified
                key2: b
                key3: c
        """,
    ),
    _RawCase(
        "retainKeys map replaces non-merging list",
        original="""
            retainKeysMap:
              name: foo
              value: bar
              nonMergingList:
              - name: a
              - name: b
        """,
        two_way="""
            retainKeysMap:
              $retainKeys:
                - name
                - nonMergingList
                - value
              nonMergingList:
              - name: a
              - name: c
              - name: b
        """,
        modified="""
            retainKeysMap:
              name: foo
              value: bar
              nonMergingList:
              - name: a
              - name: c
              - name: b
        """,
        current="""
            retainKeysMap:
              name: foo
              value: bar
              nonMergingList:
              - name: a
              - name: b
        """,
        three_way="""
            retainKeysMap:
              $retainKeys:
                - name
                - nonMergingList
                - value
              nonMergingList:
              - name: a
              - name: c
              - name: b
        """,
        result="""
            retainKeysMap:
              name: foo
              value: bar
              nonMergingList:
              - name: a
              - name: c
              - name: b
        """,
    ),
    _RawCase(
        "retainKeys map nested non-merging list with no change",
        original="""
            retainKeysMap:
              name: foo
              nonMergingList:
              - name: a
              - name: b
        """,
        two_way="""
            retainKeysMap:
              $retainKeys:
                - name
                - nonMergingList
                - value
              value: bar
        """,
        modified="""
            retainKeysMap:
              name: foo
              value: bar
              nonMergingList:
              - name: a
              - name: b
        """,
        current="""
            retainKeysMap:
              name: foo
              nonMergingList:
              - name: a
              - name: b
        """,
        three_way="""
            retainKeysMap:
              $retainKeys:
                - name
                - nonMergingList
                - value
              value: bar
        """,
        result="""
            retainKeysMap:
              name: foo
              value: bar
              nonMergingList:
              - name: a
              - name: b
        """,
    ),
    _RawCase(
        "retainKeys map nested non-merging list with no change with conflict",
        original="""
            retainKeysMap:
              name: foo
              nonMergingList:
              - name: a
              - name: b
        """,
        two_way="""
            retainKeysMap:
              $retainKeys:
                - name
                - nonMergingList
                - value
              value: bar
        """,
        modified="""
            retainKeysMap:
              name: foo
              value: bar
              nonMergingList:
              - name: a
              - name: b
        """,
        current="""
            retainKeysMap:
              name: foo
              nonMergingList:
              - name: a
              - name: b
              - name: c
        """,
        three_way="""
            retainKeysMap:
              $retainKeys:
                - name
                - nonMergingList
                - value
              value: bar
              nonMergingList:
              - name: a
              - name: b
        """,
        result="""
            retainKeysMap:
              name: foo
              value: bar
              nonMergingList:
              - name: a
              - name: b
        """,
    ),
    _RawCase(
        "retainKeys map deletes nested non-merging list",
        original="""
            retainKeysMap:
              name: foo
              nonMergingList:
              - name: a
              - name: b
        """,
        two_way="""
            retainKeysMap:
              $retainKeys:
                - name
                - value
              value: bar
              nonMergingList: null
        """,
        modified="""
            retainKeysMap:
              name: foo
              value: bar
        """,
        current="""
            retainKeysMap:
              name: foo
              nonMergingList:
              - name: a
              - name: b
        """,
        three_way="""
            retainKeysMap:
              $retainKeys:
                - name
                - value
              value: bar
              nonMergingList: null
        """,
        result="""
            retainKeysMap:
              name: foo
              value: bar
        """,
    ),
    _RawCase(
        "retainKeys map delete nested non-merging list with conflict",
        original="""
            retainKeysMap:
              name: foo
              nonMergingList:
              - name: a
              - name: b
        """,
        two_way="""
            retainKeysMap:
              $retainKeys:
                - name
                - value
              value: bar
              nonMergingList: null
        """,
        modified="""
            retainKeysMap:
              name: foo
              value: bar
        """,
        current="""
            retainKeysMap:
              name: foo
              nonMergingList:
              - name: a
              - name: b
              - name: c
        """,
        three_way="""
            retainKeysMap:
              $retainKeys:
                - name
                - value
              value: bar
              nonMergingList: null
        """,
        result="""
            retainKeysMap:
              name: foo
              value: bar
        """,
    ),
    _RawCase(
        "retainKeys map nested merging int list with no change",
        original="""
            retainKeysMap:
              name: foo
              mergingIntList:
              - 1
              - 2
        """,
        two_way="""
            retainKeysMap:
              $retainKeys:
                - mergingIntList
                - name
                - value
              value: bar
        """,
        modified="""
            retainKeysMap:
              name: foo
              value: bar
              mergingIntList:
              - 1
              - 2
        """,
        current="""
            retainKeysMap:
              name: foo
              mergingIntList:
              - 1
              - 2
              - 3
        """,
        three_way="""
            retainKeysMap:
              $retainKeys:
                - mergingIntList
                - name
                - value
              $setElementOrder/mergingIntList:
                - 1
                - 2
              value: bar
        """,
        result="""
            retainKeysMap:
              name: foo
              value: bar
              mergingIntList:
              - 1
              - 2
              - 3
        """,
    ),
    _RawCase(
        "retainKeys map adds an item in nested merging int list",
        original="""
            retainKeysMap:
              name: foo
              mergingIntList:
              - 1
              - 2
        """,
        two_way="""
            retainKeysMap:
              $setElementOrder/mergingIntList:
                - 1
                - 2
                - 4
              $retainKeys:
                - mergingIntList
                - name
              mergingIntList:
              - 4
        """,
        modified="""
            retainKeysMap:
              name: foo
              mergingIntList:
              - 1
              - 2
              - 4
        """,
        current="""
            retainKeysMap:
              name: foo
              mergingIntList:
              - 1
              - 2
              - 3
        """,
        three_way="""
            retainKeysMap:
              $setElementOrder/mergingIntList:
                - 1
                - 2
                - 4
              $retainKeys:
                - mergingIntList
                - name
              mergingIntList:
              - 4
        """,
        result="""
            retainKeysMap:
              name: foo
              mergingIntList:
              - 1
              - 2
              - 4
              - 3
        """,
    ),
    _RawCase(
        "retainKeys map deletes an item in nested merging int list",
        original="""
            retainKeysMap:
              name: foo
              mergingIntList:
              - 1
              - 2
              - 3
        """,
        two_way="""
            retainKeysMap:
              $retainKeys:
                - mergingIntList
                - name
              $deleteFromPrimitiveList/mergingIntList:
              - 2
              $setElementOrder/mergingIntList:
                - 1
                - 3
        """,
        modified="""
            retainKeysMap:
              name: foo
              mergingIntList:
              - 1
              - 3
        """,
        current="""
            retainKeysMap:
              name: foo
              mergingIntList:
              - 1
              - 2
              - 3
              - 4
        """,
        three_way="""
            retainKeysMap:
              $retainKeys:
                - mergingIntList
                - name
              $deleteFromPrimitiveList/mergingIntList:
              - 2
              $setElementOrder/mergingIntList:
                - 1
                - 3
        """,
        result="""
            retainKeysMap:
              name: foo
              mergingIntList:
              - 1
              - 3
              - 4
        """,
    ),
    _RawCase(
        "retainKeys map adds an item and deletes an item in nested merging int list",
        original="""
            retainKeysMap:
              name: foo
              mergingIntList:
              - 1
              - 2
              - 3
        """,
        two_way="""
            retainKeysMap:
              $retainKeys:
                - mergingIntList
                - name
              mergingIntList:
              - 5
              $deleteFromPrimitiveList/mergingIntList:
              - 2
              $setElementOrder/mergingIntList:
                - 1
                - 3
                - 5
        """,
        modified="""
            retainKeysMap:
              name: foo
              mergingIntList:
              - 1
              - 3
              - 5
        """,
        current="""
            retainKeysMap:
              name: foo
              mergingIntList:
              - 1
              - 2
              - 3
              - 4
        """,
        three_way="""
            retainKeysMap:
              $retainKeys:
                - mergingIntList
                - name
              mergingIntList:
              - 5
              $deleteFromPrimitiveList/mergingIntList:
              - 2
              $setElementOrder/mergingIntList:
                - 1
                - 3
                - 5
        """,
        result="""
            retainKeysMap:
              name: foo
              mergingIntList:
              - 1
              - 3
              - 5
              - 4
        """,
    ),
    _RawCase(
        "retainKeys map deletes nested merging int list",
        original="""
            retainKeysMap:
              name: foo
              mergingIntList:
              - 1
              - 2
              - 3
        """,
        two_way="""
            retainKeysMap:
              $retainKeys:
                - name
              mergingIntList: null
        """,
        modified="""
            retainKeysMap:
              name: foo
        """,
        current="""
            retainKeysMap:
              name: foo
              mergingIntList:
              - 1
              - 2
              - 3
        """,
        three_way="""
            retainKeysMap:
              $retainKeys:
                - name
              mergingIntList: null
        """,
        result="""
            retainKeysMap:
              name: foo
        """,
    ),
    _RawCase(
        "retainKeys map nested merging list with no change",
        original="""
            retainKeysMap:
              name: foo
              mergingList:
              - name: a
              - name: b
        """,
        two_way="""
            retainKeysMap:
              $retainKeys:
                - mergingList
                - name
                - value
              value: bar
        """,
        modified="""
            retainKeysMap:
              name: foo
              value: bar
              mergingList:
              - name: a
              - name: b
        """,
        current="""
            retainKeysMap:
              name: foo
              mergingList:
              - name: a
              - name: b
              - name: c
        """,
        three_way="""
            retainKeysMap:
              $retainKeys:
                - mergingList
                - name
                - value
              $setElementOrder/mergingList:
                - name: a
                - name: b
              value: bar
        """,
        result="""
            retainKeysMap:
              name: foo
              value: bar
              mergingList:
              - name: a
              - name: b
              - name: c
        """,
    ),
    _RawCase(
        "retainKeys map adds an item in nested merging list",
        original="""
            retainKeysMap:
              name: foo
              mergingList:
              - name: a
              - name: b
        """,
        two_way="""
            retainKeysMap:
              $retainKeys:
                - mergingList
                - name
              $setElementOrder/mergingList:
                - name: a
                - name: b
                - name: c
              mergingList:
              - name: c
        """,
        modified="""
            retainKeysMap:
              name: foo
              mergingList:
              - name: a
              - name: b
              - name: c
        """,
        current="""
            retainKeysMap:
              name: foo
              mergingList:
              - name: a
              - name: b
              - name: x
        """,
        three_way="""
            retainKeysMap:
              $retainKeys:
                - mergingList
                - name
              $setElementOrder/mergingList:
                - name: a
                - name: b
                - name: c
              mergingList:
              - name: c
        """,
        result="""
            retainKeysMap:
              name: foo
              mergingList:
              - name: a
              - name: b
              - name: c
              - name: x
        """,
    ),
    _RawCase(
        "retainKeys map changes an item in nested merging list",
        original="""
            retainKeysMap:
              name: foo
              mergingList:
              - name: a
              - name: b
                value: foo
        """,
        two_way="""
            retainKeysMap:
              $retainKeys:
                - mergingList
                - name
              $setElementOrder/mergingList:
                - name: a
                - name: b
              mergingList:
              - name: b
                value: bar
        """,
        modified="""
            retainKeysMap:
              name: foo
              mergingList:
              - name: a
              - name: b
                value: bar
        """,
        current="""
            retainKeysMap:
              name: foo
              mergingList:
              - name: a
              - name: b
                value: foo
              - name: x
        """,
        three_way="""
            retainKeysMap:
              $retainKeys:
                - mergingList
                - name
              $setElementOrder/mergingList:
                - name: a
                - name: b
              mergingList:
              - name: b
                value: bar
        """,
        result="""
            retainKeysMap:
              name: foo
              mergingList:
              - name: a
              - name: b
                value: bar
              - name: x
        """,
    ),
    _RawCase(
        "retainKeys map deletes nested merging list",
        original="""
            retainKeysMap:
              name: foo
              mergingList:
              - name: a
              - name: b
        """,
        two_way="""
            retainKeysMap:
              $retainKeys:
                - name
                - value
              value: bar
              mergingList: null
        """,
        modified="""
            retainKeysMap:
              name: foo
              value: bar
        """,
        current="""
            retainKeysMap:
              name: foo
              mergingList:
              - name: a
              - name: b
        """,
        three_way="""
            retainKeysMap:
              $retainKeys:
                - name
                - value
              value: bar
              mergingList: null
        """,
        result="""
            retainKeysMap:
              name: foo
              value: bar
        """,
    ),
    _RawCase(
        "retainKeys map deletes an item in nested merging list",
        original="""
            retainKeysMap:
              name: foo
              mergingList:
              - name: a
              - name: b
        """,
        two_way="""
            retainKeysMap:
              $retainKeys:
                - mergingList
                - name
              $setElementOrder/mergingList:
                - name: a
              mergingList:
              - name: b
                $patch: delete
        """,
        modified="""
            retainKeysMap:
              name: foo
              mergingList:
              - name: a
        """,
        current="""
            retainKeysMap:
              name: foo
              mergingList:
              - name: a
              - name: b
              - name: x
        """,
        three_way="""
            retainKeysMap:
              $retainKeys:
                - mergingList
                - name
              $setElementOrder/mergingList:
                - name: a
              mergingList:
              - name: b
                $patch: delete
        """,
        result="""
            retainKeysMap:
              name: foo
              mergingList:
              - name: a
              - name: x
        """,
    ),
    _RawCase(
        "retainKeys list of maps clears a field",
        original="""
            retainKeysMergingList:
            - name: bar
            - name: foo
              value: a
        """,
        two_way="""
            {}
        """,
        modified="""
            retainKeysMergingList:
            - name: bar
            - name: foo
              value: a
        """,
        current="""
            retainKeysMergingList:
            - name: bar
            - name: foo
              value: a
              other: x
        """,
        three_way="""
            $setElementOrder/retainKeysMergingList:
              - name: bar
              - name: foo
            retainKeysMergingList:
            - $retainKeys:
                - name
                - value
              name: foo
        """,
        result="""
            retainKeysMergingList:
            - name: bar
            - name: foo
              value: a
        """,
    ),
    _RawCase(
        "retainKeys list of maps clears a field with conflict",
        original="""
            retainKeysMergingList:
            - name: bar
            - name: foo
              value: old
        """,
        two_way="""
            $setElementOrder/retainKeysMergingList:
              - name: bar
              - name: foo
            retainKeysMergingList:
            - $retainKeys:
                - name
                - value
              name: foo
              value: modified
        """,
        modified="""
            retainKeysMergingList:
            - name: bar
            - name: foo
              value: modified
        """,
        current="""
            retainKeysMergingList:
            - name: bar
            - name: foo
              value: new
              other: x
        """,
        three_way="""
            $setElementOrder/retainKeysMergingList:
              - name: bar
              - name: foo
            retainKeysMergingList:
            - $retainKeys:
                - name
                - value
              name: foo
              value: modified
        """,
        result="""
            retainKeysMergingList:
            - name: bar
            - name: foo
              value: modified
        """,
    ),
    _RawCase(
        "retainKeys list of maps changes a field and clear a field",
        original="""
            retainKeysMergingList:
            - name: bar
            - name: foo
              value: old
        """,
        two_way="""
            $setElementOrder/retainKeysMergingList:
              - name: bar
              - name: foo
            retainKeysMergingList:
            - $retainKeys:
                - name
                - value
              name: foo
              value: new
        """,
        modified="""
            retainKeysMergingList:
            - name: bar
            - name: foo
              value: new
        """,
        current="""
            retainKeysMergingList:
            - name: bar
            - name: foo
              value: old
              other: x
        """,
        three_way="""
            $setElementOrder/retainKeysMergingList:
              - name: bar
              - name: foo
            retainKeysMergingList:
            - $retainKeys:
                - name
                - value
              name: foo
              value: new
        """,
        result="""
            retainKeysMergingList:
            - name: bar
            - name: foo
              value: new
        """,
    ),
    _RawCase(
        "retainKeys list of maps changes a field and clear a field with conflict",
        original="""
            retainKeysMergingList:
            - name: bar
            - name: foo
              value: old
        """,
        two_way="""
            $setElementOrder/retainKeysMergingList:
              - name: bar
              - name: foo
            retainKeysMergingList:
            - $retainKeys:
                - name
                - value
              name: foo
              value: new
        """,
        modified="""
            retainKeysMergingList:
            - name: bar
            - name: foo
              value: new
        """,
        current="""
            retainKeysMergingList:
            - name: bar
            - name: foo
              value: modified
              other: x
        """,
        three_way="""
            $setElementOrder/retainKeysMergingList:
              - name: bar
              - name: foo
            retainKeysMergingList:
            - $retainKeys:
                - name
                - value
              name: foo
              value: new
        """,
        result="""
            retainKeysMergingList:
            - name: bar
            - name: foo
              value: new
        """,
    ),
    _RawCase(
        "retainKeys list of maps adds a field",
        original="""
            retainKeysMergingList:
            - name: bar
            - name: foo
        """,
        two_way="""
            $setElementOrder/retainKeysMergingList:
              - name: bar
              - name: foo
            retainKeysMergingList:
            - $retainKeys:
                - name
                - value
              name: foo
              value: a
        """,
        modified="""
            retainKeysMergingList:
            - name: bar
            - name: foo
              value: a
        """,
        current="""
            retainKeysMergingList:
            - name: bar
            - name: foo
        """,
        three_way="""
            $setElementOrder/retainKeysMergingList:
              - name: bar
              - name: foo
            retainKeysMergingList:
            - $retainKeys:
                - name
                - value
              name: foo
              value: a
        """,
        result="""
            retainKeysMergingList:
            - name: bar
            - name: foo
              value: a
        """,
    ),
    _RawCase(
        "retainKeys list of maps adds a field and clear a field",
        original="""
            retainKeysMergingList:
            - name: bar
            - name: foo
        """,
        two_way="""
            $setElementOrder/retainKeysMergingList:
              - name: bar
              - name: foo
            retainKeysMergingList:
            - $retainKeys:
                - name
                - value
              name: foo
              value: a
        """,
        modified="""
            retainKeysMergingList:
            - name: bar
            - name: foo
              value: a
        """,
        current="""
            retainKeysMergingList:
            - name: bar
            - name: foo
              other: x
        """,
        three_way="""
            $setElementOrder/retainKeysMergingList:
              - name: bar
              - name: foo
            retainKeysMergingList:
            - $retainKeys:
                - name
                - value
              name: foo
              value: a
        """,
        result="""
            retainKeysMergingList:
            - name: bar
            - name: foo
              value: a
        """,
    ),
    _RawCase(
        "retainKeys list of maps deletes a field",
        original="""
            retainKeysMergingList:
            - name: bar
            - name: foo
              value: a
        """,
        two_way="""
            $setElementOrder/retainKeysMergingList:
              - name: bar
              - name: foo
            retainKeysMergingList:
            - $retainKeys:
                - name
              name: foo
              value: null
        """,
        modified="""
            retainKeysMergingList:
            - name: bar
            - name: foo
        """,
        current="""
            retainKeysMergingList:
            - name: bar
            - name: foo
              value: a
        """,
        three_way="""
            $setElementOrder/retainKeysMergingList:
              - name: bar
              - name: foo
            retainKeysMergingList:
            - $retainKeys:
                - name
              name: foo
              value: null
        """,
        result="""
            retainKeysMergingList:
            - name: bar
            - name: foo
        """,
    ),
    _RawCase(
        "retainKeys list of maps deletes a field and clear a field",
        original="""
            retainKeysMergingList:
            - name: bar
            - name: foo
              value: a
        """,
        two_way="""
            $setElementOrder/retainKeysMergingList:
              - name: bar
              - name: foo
            retainKeysMergingList:
            - $retainKeys:
                - name
              name: foo
              value: null
        """,
        modified="""
            retainKeysMergingList:
            - name: bar
            - name: foo
        """,
        current="""
            retainKeysMergingList:
            - name: bar
            - name: foo
              value: a
              other: x
        """,
        three_way="""
            $setElementOrder/retainKeysMergingList:
              - name: bar
              - name: foo
            retainKeysMergingList:
            - $retainKeys:
                - name
              name: foo
              value: null
        """,
        result="""
            retainKeysMergingList:
            - name: bar
            - name: foo
        """,
    ),
    _RawCase(
        "delete and reorder in one list, reorder in another",
        original="""
            mergingList:
            - name: a
              value: a
            - name: b
              value: b
            mergeItemPtr:
            - name: c
              value: c
            - name: d
              value: d
        """,
        two_way="""
            $setElementOrder/mergingList:
            - name: b
            $setElementOrder/mergeItemPtr:
            - name: d
            - name: c
            mergingList:
            - $patch: delete
              name: a
        """,
        modified="""
            mergingList:
            - name: b
              value: b
            mergeItemPtr:
            - name: d
              value: d
            - name: c
              value: c
        """,
        current="""
            mergingList:
            - name: a
              value: a
            - name: b
              value: b
            mergeItemPtr:
            - name: c
              value: c
            - name: d
              value: d
        """,
        three_way="""
            $setElementOrder/mergingList:
            - name: b
            $setElementOrder/mergeItemPtr:
            - name: d
            - name: c
            mergingList:
            - $patch: delete
              name: a
        """,
        result="""
            mergingList:
            - name: b
              value: b
            mergeItemPtr:
            - name: d
              value: d
            - name: c
              value: c
        """,
    ),
]

# customStrategicMergePatchRawTestCases: application only (two-way) upstream too.
CUSTOM_RAW_CASES = [
    _RawCase(
        "$setElementOrder contains item that is not present in the list to be merged",
        original="""
            mergingList:
              - name: 1
              - name: 3
        """,
        two_way="""
            $setElementOrder/mergingList:
              - name: 3
              - name: 2
              - name: 1
            mergingList:
              - name: 3
                value: 3
              - name: 1
                value: 1
        """,
        modified="""
            mergingList:
              - name: 3
                value: 3
              - name: 1
                value: 1
        """,
    ),
    _RawCase(
        "$setElementOrder contains item that is not present in the int list to be merged",
        original="""
            mergingIntList:
              - 1
              - 3
        """,
        two_way="""
            $setElementOrder/mergingIntList:
              - 3
              - 2
              - 1
        """,
        modified="""
            mergingIntList:
              - 3
              - 1
        """,
    ),
    _RawCase(
        "should check if order in $setElementOrder and patch list match",
        original="""
            mergingList:
              - name: 1
              - name: 3
              - name: 2
        """,
        two_way="""
            $setElementOrder/mergingList:
              - name: 1
              - name: 2
              - name: 3
            mergingList:
              - name: 3
                value: 3
              - name: 1
                value: 1
        """,
        expected_error="doesn't match",
    ),
    _RawCase(
        "$setElementOrder contains item that is not present in the int list to be merged",
        original="""
            mergingIntList:
              - 1
              - 3
              - 2
        """,
        two_way="""
            $setElementOrder/mergingIntList:
              - 1
              - 2
              - 3
            mergingIntList:
              - 3
              - 1
        """,
        expected_error="doesn't match",
    ),
    _RawCase(
        "missing merge key should error out",
        original="""
            mergingList:
              - name: 1
                value: a
        """,
        two_way="""
            mergingList:
              - value: b
        """,
        expected_error="does not contain declared merge key",
    ),
    _RawCase(
        "$deleteFromPrimitiveList of nonexistent item in primitive list should not add the item to the list",
        original="""
            mergingIntList:
              - 1
              - 2
        """,
        two_way="""
            $deleteFromPrimitiveList/mergingIntList:
              - 3
        """,
        modified="""
            mergingIntList:
              - 1
              - 2
        """,
    ),
    _RawCase(
        "$deleteFromPrimitiveList on empty primitive list should not add the item to the list",
        original="""
            mergingIntList:
        """,
        two_way="""
            $deleteFromPrimitiveList/mergingIntList:
              - 3
        """,
        modified="""
            mergingIntList:
        """,
    ),
    _RawCase(
        "$deleteFromPrimitiveList on nonexistent primitive list should not add the primitive list",
        original="""
            foo:
              - bar
        """,
        two_way="""
            $deleteFromPrimitiveList/mergingIntList:
              - 3
        """,
        modified="""
            foo:
              - bar
        """,
    ),
    _RawCase(
        "$deleteFromPrimitiveList should delete item from a list with merge patch strategy",
        original="""
            mergingIntList:
              - 1
              - 2
              - 3
        """,
        two_way="""
            $deleteFromPrimitiveList/mergingIntList:
              - 2
        """,
        modified="""
            mergingIntList:
              - 1
              - 3
        """,
    ),
    _RawCase(
        "$deleteFromPrimitiveList should delete item from a list without merge patch strategy",
        original="""
            nonMergingIntList:
              - 1
              - 2
              - 3
        """,
        two_way="""
            $deleteFromPrimitiveList/nonMergingIntList:
              - 2
        """,
        modified="""
            nonMergingIntList:
              - 1
              - 3
        """,
    ),
]

# replaceRawExtensionPatchTestCases (replacingItem has strategy "replace").
RAW_EXTENSION_CASES = [
    _RawCase(
        "replace RawExtension field, rest unchanched",
        original="""
            name: my-object
            value: some-value
            other: current-other
            replacingItem:
              Some: Generic
              Yaml: Inside
              The: RawExtension
              Field: Period
        """,
        two_way="""
            mergingList:
              - name: 1
              - name: 2
              - name: 3
            replacingItem:
              Newly: Modified
              Yaml: Inside
              The: RawExtension
        """,
        current="""
            name: my-object
            value: some-value
            other: current-other
            mergingList:
              - name: 1
              - name: 2
              - name: 3
            replacingItem:
              Some: Generic
              Yaml: Inside
              The: RawExtension
              Field: Period
        """,
        three_way="""
            replacingItem:
              Newly: Modified
              Yaml: Inside
              The: RawExtension
        """,
        result="""
            name: my-object
            value: some-value
            other: current-other
            mergingList:
              - name: 1
              - name: 2
              - name: 3
            replacingItem:
              Newly: Modified
              Yaml: Inside
              The: RawExtension
        """,
        two_way_result="""
            name: my-object
            value: some-value
            other: current-other
            mergingList:
              - name: 1
              - name: 2
              - name: 3
            replacingItem:
              Newly: Modified
              Yaml: Inside
              The: RawExtension
        """,
    ),
    _RawCase(
        "replace RawExtension field and merge list",
        original="""
            name: my-object
            value: some-value
            other: current-other
            mergingList:
              - name: 1
            replacingItem:
              Some: Generic
              Yaml: Inside
              The: RawExtension
              Field: Period
        """,
        two_way="""
            $setElementOrder/mergingList:
              - name: 1
              - name: 2
            mergingList:
              - name: 2
            replacingItem:
              Newly: Modified
              Yaml: Inside
              The: RawExtension
        """,
        current="""
            name: my-object
            value: some-value
            other: current-other
            mergingList:
              - name: 1
              - name: 3
            replacingItem:
              Some: Generic
              Yaml: Inside
              The: RawExtension
              Field: Period
        """,
        three_way="""
            $setElementOrder/mergingList:
              - name: 1
              - name: 2
            mergingList:
              - name: 2
            replacingItem:
              Newly: Modified
              Yaml: Inside
              The: RawExtension
        """,
        result="""
            name: my-object
            value: some-value
            other: current-other
            mergingList:
              - name: 1
              - name: 2
              - name: 3
            replacingItem:
              Newly: Modified
              Yaml: Inside
              The: RawExtension
        """,
        two_way_result="""
            name: my-object
            value: some-value
            other: current-other
            mergingList:
              - name: 1
              - name: 2
            replacingItem:
              Newly: Modified
              Yaml: Inside
              The: RawExtension
        """,
    ),
]


CREATED_CASES: list[dict[str, Any]] = yaml.safe_load(CREATE_STRATEGIC_MERGE_PATCH_TEST_CASE_DATA)["testCases"]


def _created_params() -> list[Any]:
    """Two-way and three-way applications of createStrategicMergePatchTestCaseData."""
    params = []
    for case, case_id in zip(CREATED_CASES, _ids(CREATED_CASES, lambda c: c["description"]), strict=True):
        two_way_expected = case.get("twoWayResult") or case.get("modified")
        params.append(pytest.param(case.get("original"), case["twoWay"], two_way_expected, id=f"{case_id}/two-way"))
        if case.get("threeWay") is not None and case.get("result"):
            params.append(
                pytest.param(case.get("current"), case["threeWay"], case["result"], id=f"{case_id}/three-way")
            )
    return params


def _raw_params(cases: list[_RawCase]) -> list[Any]:
    """Two-way and three-way applications of a table of raw (YAML) cases."""
    params = []
    for case, case_id in zip(cases, _ids(cases, lambda c: c.description), strict=True):
        if case.two_way is not None:
            expected = _yaml(case.two_way_result if case.two_way_result is not None else case.modified)
            params.append(
                pytest.param(
                    _yaml(case.original), _yaml(case.two_way), expected, case.expected_error, id=f"{case_id}/two-way"
                )
            )
        if case.three_way is not None and case.result is not None:
            params.append(
                pytest.param(
                    _yaml(case.current),
                    _yaml(case.three_way),
                    _yaml(case.result),
                    case.expected_error,
                    id=f"{case_id}/three-way",
                )
            )
    return params


@pytest.mark.parametrize("schema_name", SCHEMAS)
@pytest.mark.parametrize(("original", "patch_doc", "expected"), _created_params())
def test_strategic_merge_patch_upstream_created_cases(
    schema_name: str, original: dict[str, Any] | None, patch_doc: dict[str, Any], expected: dict[str, Any]
) -> None:
    """Upstream's createStrategicMergePatchTestCaseData, compared as upstream does (merge lists sorted)."""
    schema = SCHEMAS[schema_name]
    sort = _sort_merge_lists
    _check_application(
        sort(original, schema) if original is not None else None,
        sort(patch_doc, schema),
        sort(expected, schema),
        "",
        schema,
    )


@pytest.mark.parametrize("schema_name", SCHEMAS)
@pytest.mark.parametrize(
    ("original", "patch_doc", "expected", "expected_error"),
    _raw_params(RAW_CASES) + _raw_params(CUSTOM_RAW_CASES) + _raw_params(RAW_EXTENSION_CASES),
)
def test_strategic_merge_patch_upstream_raw_cases(
    schema_name: str,
    original: dict[str, Any] | None,
    patch_doc: dict[str, Any],
    expected: dict[str, Any] | None,
    expected_error: str,
) -> None:
    """Upstream's strategicMergePatchRawTestCases, customStrategicMergePatchRawTestCases and
    replaceRawExtensionPatchTestCases: order matters, as the documents are compared as they are."""
    _check_application(original, patch_doc, expected, expected_error, SCHEMAS[schema_name])


# TestUnknownField and TestNumberConversion: the application half (patch, document, result as JSON).
# Upstream's "diff" case is left out: it fails while creating the patch, which the server never does.
UNKNOWN_FIELD_CASES = [
    pytest.param(
        {"array": [1, 2, 3], "complex": {"nested": True}, "name": "foo", "scalar": True},
        {},
        {"array": [1, 2, 3], "complex": {"nested": True}, "name": "foo", "scalar": True},
        id="no-diff",
    ),
    pytest.param(
        {"array": [1, 2, 3], "complex": {"nested": True}, "name": "foo", "scalar": True},
        {"complex_nullable": {"key": None}},
        {"array": [1, 2, 3], "complex": {"nested": True}, "complex_nullable": {}, "name": "foo", "scalar": True},
        id="no-diff-even-if-modified-null",
    ),
    pytest.param(
        {"array": [1, 2, 3], "complex": {"nested": True}, "name": "foo", "scalar": True},
        {"complex_nullable": {"key": {"keynotnull": "value", "keynull": None}}},
        {
            "array": [1, 2, 3],
            "complex": {"nested": True},
            "complex_nullable": {"key": {"keynotnull": "value"}},
            "name": "foo",
            "scalar": True,
        },
        id="discard-nulls-in-nested-and-adds-not-nulls",
    ),
    pytest.param({}, {"complex": {"nested": None}}, {"complex": {}}, id="discard-if-modified-all-nulls"),
    pytest.param(
        {}, {"complex": {"nested": None, "nested2": "foo"}}, {"complex": {"nested2": "foo"}}, id="add-only-not-nulls"
    ),
    pytest.param(
        {"thing": None}, {"nested": {"value": 5}}, {"nested": {"value": 5}, "thing": None}, id="null-values-preserved"
    ),
    pytest.param(
        {"complex": {"key": None}, "thing": None},
        {"nested": {"value": 5}},
        {"complex": {"key": None}, "nested": {"value": 5}, "thing": None},
        id="nested-null-values-preserved",
    ),
    pytest.param(
        {"array": [1, 2, 3], "complex": {"nested": True}, "name": "foo", "scalar": True},
        {"complex_nullable": []},
        {"array": [1, 2, 3], "complex": {"nested": True}, "complex_nullable": [], "name": "foo", "scalar": True},
        id="add-empty-slices",
    ),
    pytest.param(
        {},
        {"complex_nullable": [{"inner_one": {"key_one": "foo", "key_two": None}}]},
        {"complex_nullable": [{"inner_one": {"key_one": "foo"}}]},
        id="filter-nulls-from-nested-slices",
    ),
    pytest.param(
        {},
        {"complex_nullable": [{"inner_one": {"key_one": None, "key_two": None}}]},
        {"complex_nullable": [{"inner_one": {}}]},
        id="filter-if-slice-is-all-empty",
    ),
    pytest.param(
        {},
        {"complex_nullable": ["key1", None, "key2"]},
        {"complex_nullable": ["key1", None, "key2"]},
        id="not-filter-nulls-from-non-associative-slice",
    ),
    pytest.param(
        {"name": "foo"},
        {"array": [1, 2, 3], "complex": {"nested": True}, "scalar": True},
        {"array": [1, 2, 3], "complex": {"nested": True}, "name": "foo", "scalar": True},
        id="added-only",
    ),
    pytest.param(
        {"name": "foo", "scalar": True, "complex": {"nested": True}},
        {"complex": None, "scalar": None},
        {"name": "foo"},
        id="removed-only/two-way",
    ),
    pytest.param(
        {"name": "foo", "scalar": True, "complex": {"nested": True}, "array": [1, 2, 3]},
        {"complex": None, "scalar": None},
        {"array": [1, 2, 3], "name": "foo"},
        id="removed-only/three-way",
    ),
    pytest.param(
        {"name": "foo", "jsonItem": {"nested": {"nested2": {"nested3": {}}}}},
        {"jsonItem": {"nested": {"nested2": {"nested3": {"a": "b"}}}}},
        {"jsonItem": {"nested": {"nested2": {"nested3": {"a": "b"}}}}, "name": "foo"},
        id="json",
    ),
]


@pytest.mark.parametrize("schema_name", SCHEMAS)
@pytest.mark.parametrize(("original", "patch_doc", "expected"), UNKNOWN_FIELD_CASES)
def test_strategic_merge_patch_upstream_unknown_fields(
    schema_name: str, original: dict[str, Any], patch_doc: dict[str, Any], expected: dict[str, Any]
) -> None:
    _check_application(original, patch_doc, expected, "", SCHEMAS[schema_name])


@pytest.mark.parametrize(
    ("original", "patch_doc", "expected"),
    [
        pytest.param({}, {}, {}, id="empty"),
        pytest.param({"int32": 1000000}, {"name": "newname"}, {"int32": 1000000, "name": "newname"}, id="int32-medium"),
        pytest.param(
            {"int32": 2147483647}, {"name": "newname"}, {"int32": 2147483647, "name": "newname"}, id="int32-max"
        ),
        pytest.param({"int64": 1000000}, {"name": "newname"}, {"int64": 1000000, "name": "newname"}, id="int64-medium"),
        pytest.param(
            {"int64": 9223372036854775807},
            {"name": "newname"},
            {"int64": 9223372036854775807, "name": "newname"},
            id="int64-max",
        ),
        pytest.param(
            {"float32": 3.4028234663852886e38},
            {"name": "newname"},
            {"float32": 3.4028234663852886e38, "name": "newname"},
            id="float32-max",
        ),
        pytest.param(
            {"float64": 1.7976931348623157e308},
            {"name": "newname"},
            {"float64": 1.7976931348623157e308, "name": "newname"},
            id="float64-max",
        ),
    ],
)
def test_strategic_merge_patch_upstream_number_conversion(
    original: dict[str, Any], patch_doc: dict[str, Any], expected: dict[str, Any]
) -> None:
    """Numbers come back exactly: no float round trip for big integers."""
    result = strategic_merge_patch(original, patch_doc, DictSchema({"properties": {}}))
    assert result == expected
    assert [type(v) for v in result.values()] == [type(v) for v in expected.values()]


# --------------------------------------------------------------------------------------------
# k3py's own cases: a Pod-shaped schema, the schema-less behaviour, errors, the schema helpers.

POD_DEFINITIONS: dict[str, Any] = {
    "io.k8s.api.core.v1.Pod": {
        "properties": {
            "metadata": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"},
            "spec": {"$ref": "#/definitions/io.k8s.api.core.v1.PodSpec"},
        },
    },
    "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta": {
        "properties": {
            "labels": {"type": "object", "additionalProperties": {"type": "string"}},
            "finalizers": {"type": "array", "items": {"type": "string"}, "x-kubernetes-patch-strategy": "merge"},
            "ownerReferences": {
                "type": "array",
                "items": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference"},
                "x-kubernetes-patch-merge-key": "uid",
                "x-kubernetes-patch-strategy": "merge",
            },
        },
    },
    "io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference": {"properties": {"uid": {"type": "string"}}},
    "io.k8s.api.core.v1.PodSpec": {
        "properties": {
            "containers": {
                "type": "array",
                "items": {"$ref": "#/definitions/io.k8s.api.core.v1.Container"},
                "x-kubernetes-patch-merge-key": "name",
                "x-kubernetes-patch-strategy": "merge",
            },
            "volumes": {
                "type": "array",
                "items": {"$ref": "#/definitions/io.k8s.api.core.v1.Volume"},
                "x-kubernetes-patch-merge-key": "name",
                "x-kubernetes-patch-strategy": "merge,retainKeys",
            },
            "tolerations": {"type": "array", "items": {"type": "object"}},
        },
    },
    "io.k8s.api.core.v1.Container": {
        "properties": {
            "name": {"type": "string"},
            "image": {"type": "string"},
            "args": {"type": "array", "items": {"type": "string"}},
            "ports": {
                "type": "array",
                "items": {"$ref": "#/definitions/io.k8s.api.core.v1.ContainerPort"},
                "x-kubernetes-patch-merge-key": "containerPort",
                "x-kubernetes-patch-strategy": "merge",
            },
            "env": {
                "type": "array",
                "items": {"type": "object"},
                "x-kubernetes-patch-merge-key": "name",
                "x-kubernetes-patch-strategy": "merge",
            },
            "volumeMounts": {
                "type": "array",
                "items": {"type": "object"},
                "x-kubernetes-patch-merge-key": "mountPath",
                "x-kubernetes-patch-strategy": "merge",
            },
        },
    },
    "io.k8s.api.core.v1.ContainerPort": {"properties": {"containerPort": {"type": "integer"}}},
    "io.k8s.api.core.v1.Volume": {
        "properties": {
            "name": {"type": "string"},
            "emptyDir": {"type": "object"},
            "hostPath": {"type": "object"},
        },
    },
}
POD = DictSchema.from_definitions(POD_DEFINITIONS, "io.k8s.api.core.v1.Pod")

LIVE_POD: dict[str, Any] = {
    "metadata": {"name": "web", "labels": {"app": "web", "tier": "front"}, "finalizers": ["a", "b"]},
    "spec": {
        "containers": [
            {
                "name": "app",
                "image": "nginx:1",
                "args": ["-v"],
                "ports": [{"containerPort": 80, "name": "http"}, {"containerPort": 443}],
                "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                "volumeMounts": [{"mountPath": "/data", "name": "data"}],
            },
            {"name": "sidecar", "image": "busybox"},
        ],
        "volumes": [{"name": "data", "emptyDir": {}}],
        "tolerations": [{"key": "x"}],
    },
}


@pytest.mark.parametrize(
    ("patch_doc", "expected_spec"),
    [
        pytest.param(
            {"spec": {"containers": [{"name": "app", "image": "nginx:2"}]}},
            {
                **LIVE_POD["spec"],
                "containers": [
                    {**LIVE_POD["spec"]["containers"][0], "image": "nginx:2"},
                    LIVE_POD["spec"]["containers"][1],
                ],
            },
            id="image-of-one-container",
        ),
        pytest.param(
            {"spec": {"containers": [{"name": "app", "ports": [{"containerPort": 8080}]}]}},
            {
                **LIVE_POD["spec"],
                "containers": [
                    {
                        **LIVE_POD["spec"]["containers"][0],
                        "ports": [
                            {"containerPort": 8080},
                            {"containerPort": 80, "name": "http"},
                            {"containerPort": 443},
                        ],
                    },
                    LIVE_POD["spec"]["containers"][1],
                ],
            },
            id="ports-merge-by-containerPort",
        ),
        pytest.param(
            {
                "spec": {
                    "containers": [
                        {
                            "name": "app",
                            "env": [{"name": "B", "value": "3"}, {"name": "A", "$patch": "delete"}],
                            "volumeMounts": [{"mountPath": "/cache", "name": "cache"}],
                            "args": ["-q"],
                        }
                    ]
                }
            },
            {
                **LIVE_POD["spec"],
                "containers": [
                    {
                        **LIVE_POD["spec"]["containers"][0],
                        "env": [{"name": "B", "value": "3"}],
                        "volumeMounts": [
                            {"mountPath": "/cache", "name": "cache"},
                            {"mountPath": "/data", "name": "data"},
                        ],
                        "args": ["-q"],
                    },
                    LIVE_POD["spec"]["containers"][1],
                ],
            },
            id="env-by-name-mounts-by-mountPath-args-replaced",
        ),
        pytest.param(
            {
                "spec": {
                    "$setElementOrder/containers": [{"name": "sidecar"}, {"name": "app"}, {"name": "new"}],
                    "containers": [{"name": "new", "image": "redis"}],
                }
            },
            {
                **LIVE_POD["spec"],
                "containers": [
                    LIVE_POD["spec"]["containers"][1],
                    LIVE_POD["spec"]["containers"][0],
                    {"name": "new", "image": "redis"},
                ],
            },
            id="kubectl-apply-adds-a-container-in-order",
        ),
        pytest.param(
            {
                "spec": {
                    "$setElementOrder/containers": [{"name": "web"}],
                    "containers": [{"name": "web", "image": "x"}, {"name": "app", "$patch": "delete"}],
                }
            },
            # apimachinery's order (see patch._GoSliceAlias): the server-only sidecar stays first.
            {**LIVE_POD["spec"], "containers": [LIVE_POD["spec"]["containers"][1], {"name": "web", "image": "x"}]},
            id="kubectl-apply-renames-a-container",
        ),
        pytest.param(
            {"spec": {"containers": [{"name": "sidecar", "$patch": "delete"}]}},
            {**LIVE_POD["spec"], "containers": [LIVE_POD["spec"]["containers"][0]]},
            id="delete-a-container",
        ),
        pytest.param(
            {"spec": {"containers": [{"name": "only", "image": "x"}, {"$patch": "replace"}]}},
            {**LIVE_POD["spec"], "containers": [{"name": "only", "image": "x"}]},
            id="replace-all-containers",
        ),
        pytest.param(
            {"spec": {"volumes": [{"$retainKeys": ["name", "hostPath"], "name": "data", "hostPath": {"path": "/d"}}]}},
            {**LIVE_POD["spec"], "volumes": [{"name": "data", "hostPath": {"path": "/d"}}]},
            id="retainKeys-switches-volume-source",
        ),
        pytest.param(
            {"spec": {"tolerations": [{"key": "y"}]}},
            {**LIVE_POD["spec"], "tolerations": [{"key": "y"}]},
            id="list-without-strategy-replaced",
        ),
    ],
)
def test_strategic_merge_patch_pod_spec(patch_doc: dict[str, Any], expected_spec: dict[str, Any]) -> None:
    live = copy.deepcopy(LIVE_POD)
    result = strategic_merge_patch(live, patch_doc, POD)
    assert result["spec"] == expected_spec
    assert result["metadata"] == LIVE_POD["metadata"]
    assert live == LIVE_POD


@pytest.mark.parametrize(
    ("patch_doc", "expected_metadata"),
    [
        pytest.param(
            {"metadata": {"labels": {"tier": None, "new": "x"}}},
            {"name": "web", "labels": {"app": "web", "new": "x"}, "finalizers": ["a", "b"]},
            id="null-deletes-a-label",
        ),
        pytest.param(
            {"metadata": {"finalizers": ["c", "a"]}},
            {"name": "web", "labels": {"app": "web", "tier": "front"}, "finalizers": ["c", "a", "b"]},
            id="finalizers-set-union",
        ),
        pytest.param(
            {"metadata": {"$deleteFromPrimitiveList/finalizers": ["a"]}},
            {"name": "web", "labels": {"app": "web", "tier": "front"}, "finalizers": ["b"]},
            id="finalizer-removed",
        ),
        pytest.param(
            {"metadata": {"$setElementOrder/finalizers": ["b", "a"]}},
            {"name": "web", "labels": {"app": "web", "tier": "front"}, "finalizers": ["b", "a"]},
            id="finalizers-reordered",
        ),
        pytest.param(
            {"metadata": {"labels": {"$patch": "replace", "only": "this"}}},
            {"name": "web", "labels": {"only": "this"}, "finalizers": ["a", "b"]},
            id="labels-replaced",
        ),
    ],
)
def test_strategic_merge_patch_object_meta(patch_doc: dict[str, Any], expected_metadata: dict[str, Any]) -> None:
    assert strategic_merge_patch(LIVE_POD, patch_doc, POD)["metadata"] == expected_metadata


@pytest.mark.parametrize(
    ("original", "patch_doc", "expected"),
    [
        pytest.param({"a": [1, 2], "b": 1}, {"a": [3]}, {"a": [3], "b": 1}, id="lists-replaced"),
        pytest.param(
            {"a": [{"name": "x", "v": 1}]},
            {"a": [{"name": "x", "w": 2}]},
            {"a": [{"name": "x", "w": 2}]},
            id="lists-of-objects-replaced",
        ),
        pytest.param({"m": {"x": 1, "y": 2}}, {"m": {"x": None, "z": 3}}, {"m": {"y": 2, "z": 3}}, id="objects-merged"),
        pytest.param({"m": {"x": 1}}, {"m": {"$patch": "replace", "y": 2}}, {"m": {"y": 2}}, id="replace-directive"),
        pytest.param({"m": {"x": 1}, "k": 1}, {"m": {"$patch": "delete"}}, {"m": {}, "k": 1}, id="delete-directive"),
        pytest.param({"k": 1}, {"m": {"$patch": "delete"}}, {"k": 1}, id="delete-directive-on-missing-key"),
        pytest.param(
            {"a": [1, 2, 3]}, {"$deleteFromPrimitiveList/a": [2]}, {"a": [1, 3]}, id="delete-from-primitive-list"
        ),
        pytest.param({"a": 1, "b": 2}, {"$retainKeys": ["b", "c"], "c": 3}, {"b": 2, "c": 3}, id="retain-keys"),
        pytest.param(
            {"a": [{"name": "x"}]},
            {"$setElementOrder/a": [{"name": "y"}], "a": [{"name": "y"}]},
            {"a": [{"name": "y"}]},
            id="element-order-of-objects-ignored",
        ),
        pytest.param(
            {"a": ["x", "y"]}, {"$setElementOrder/a": ["y", "x"]}, {"a": ["y", "x"]}, id="element-order-of-scalars"
        ),
        pytest.param({"a": {"b": 1}}, {"a": "s"}, {"a": "s"}, id="type-change-replaces"),
        pytest.param({"a": None}, {"a": {"b": 1, "c": None}}, {"a": {"b": 1}}, id="null-original-replaced"),
    ],
)
def test_strategic_merge_patch_without_schema(
    original: dict[str, Any], patch_doc: dict[str, Any], expected: dict[str, Any]
) -> None:
    """Without a schema (schema=None): a merge patch that honours the directives; lists are replaced."""
    _check_application(original, patch_doc, expected, "", None)


def test_strategic_merge_patch_result_shares_nothing_with_inputs() -> None:
    original = {"m": {"x": [1]}, "keep": {"deep": [1]}}
    patch_doc = {"m": {"y": {"z": [2]}}, "new": [{"a": 1}]}
    result = strategic_merge_patch(original, patch_doc)
    result["keep"]["deep"].append(9)
    result["m"]["y"]["z"].append(9)
    result["new"][0]["a"] = 9
    assert original == {"m": {"x": [1]}, "keep": {"deep": [1]}}
    assert patch_doc == {"m": {"y": {"z": [2]}}, "new": [{"a": 1}]}


@pytest.mark.parametrize(
    ("original", "patch_doc", "error", "message"),
    [
        pytest.param([], {}, errors.BadRequest, patch.ERR_BAD_JSON_DOC, id="original-not-an-object"),
        pytest.param({}, ["x"], errors.BadRequest, patch.ERR_BAD_JSON_DOC, id="patch-not-an-object"),
        pytest.param(
            {"mergingList": [[1]]},
            {"mergingList": [[2]]},
            errors.Invalid,
            patch.ERR_NO_LIST_OF_LISTS,
            id="list-of-lists-is-422",
        ),
        pytest.param(
            {"mergingIntList": [1]},
            {"$deleteFromPrimitiveListmergingIntList": [1]},
            errors.BadRequest,
            patch.ERR_BAD_PATCH_FORMAT_FOR_PRIMITIVE_LIST,
            id="delete-list-without-slash",
        ),
        pytest.param(
            {"a": 1},
            {"$retainKeys": "a"},
            errors.BadRequest,
            patch.ERR_BAD_PATCH_FORMAT_FOR_RETAIN_KEYS,
            id="retain-keys-not-a-list",
        ),
        pytest.param(
            {"a": 1},
            {"$retainKeys": ["a"], "b": 2},
            errors.BadRequest,
            patch.ERR_BAD_PATCH_FORMAT_FOR_RETAIN_KEYS,
            id="retain-keys-misses-a-patched-key",
        ),
        pytest.param(
            {"mergingList": []},
            {"$setElementOrder/mergingList": "x"},
            errors.BadRequest,
            patch.ERR_BAD_PATCH_FORMAT_FOR_SET_ELEMENT_ORDER_LIST,
            id="set-element-order-not-a-list",
        ),
        pytest.param(
            {"mergingList": []},
            {"$setElementOrder": []},
            errors.BadRequest,
            patch.ERR_BAD_PATCH_FORMAT_FOR_SET_ELEMENT_ORDER_LIST,
            id="set-element-order-without-field",
        ),
        pytest.param(
            {"simpleMap": {}},
            {"simpleMap": {"$patch": "merge"}},
            errors.BadRequest,
            "unknown patch type: merge",
            id="merge-directive-on-map",
        ),
        pytest.param(
            {"mergingList": [{"name": "a"}]},
            {"mergingList": [{"$patch": "merge"}]},
            errors.BadRequest,
            "merging lists cannot yet be specified",
            id="merge-directive-in-list",
        ),
        pytest.param(
            {"mergingList": [{"name": "a"}]},
            {"mergingList": [{"$patch": "bogus", "name": "a"}]},
            errors.BadRequest,
            "unknown patch type: bogus",
            id="unknown-directive-in-list",
        ),
        pytest.param(
            {"mergingList": [{"name": "a"}]},
            {"mergingList": [{"$patch": "delete"}]},
            errors.BadRequest,
            "does not contain declared merge key: name",
            id="delete-directive-without-merge-key",
        ),
        pytest.param(
            {"mergingList": [{"name": "a"}]},
            {"mergingList": ["a"]},
            errors.BadRequest,
            "list element types are not identical",
            id="mixed-element-types",
        ),
    ],
)
def test_strategic_merge_patch_errors_map_to_apiserver_codes(
    original: Any, patch_doc: Any, error: type[errors.K3pyError], message: str
) -> None:
    with pytest.raises(error) as caught:
        strategic_merge_patch(original, patch_doc, SCHEMAS["openapi-v2"])
    assert type(caught.value) is error
    assert message in caught.value.message


def test_strategic_merge_patch_impossible_strategy_is_internal() -> None:
    schema = DictSchema({"properties": {"l": {"x-kubernetes-patch-strategy": "merge,replace"}}})
    with pytest.raises(errors.Internal):
        strategic_merge_patch({"l": [1]}, {"l": [2]}, schema)


def test_dict_schema_reads_openapi_v2_and_v3_shapes() -> None:
    for schema in SCHEMAS.values():
        merging = schema.field("mergingList")
        assert merging is not None
        assert (merging.patch_strategy, merging.patch_merge_key) == ("merge", "name")
        element = merging.items()
        assert element is not None
        nested = element.field("retainKeysMergingList")
        assert nested is not None
        assert (nested.patch_strategy, nested.patch_merge_key) == ("merge,retainKeys", "name")
        pointer = schema.field("mergeItemPtr")
        assert pointer is not None and pointer.field("mergingIntList") is not None
        simple_map = schema.field("simpleMap")
        assert simple_map is not None and simple_map.field("any-key") is not None  # additionalProperties
        assert schema.field("unknown") is None
        name = schema.field("name")
        assert name is not None and name.items() is None and name.field("x") is None
        # Without "items" an object schema stands for its own elements, as upstream's lookups do.
        assert schema.items() is schema
    assert (SCHEMAS["openapi-v2"].patch_strategy, SCHEMAS["openapi-v2"].patch_merge_key) == ("", "")


def test_schema_node_protocol_can_be_implemented_without_dict_schema() -> None:
    """The API layer may implement SchemaNode over its own OpenAPI model."""

    @dataclass(frozen=True)
    class Node:
        patch_strategy: str = ""
        patch_merge_key: str = ""
        fields: dict[str, Node] | None = None
        element: Node | None = None

        def field(self, name: str) -> Node | None:
            return (self.fields or {}).get(name)

        def items(self) -> Node | None:
            return self.element

    root = Node(fields={"l": Node("merge", "k", element=Node())})
    node: SchemaNode = root
    result = strategic_merge_patch({"l": [{"k": 1, "a": 1}]}, {"l": [{"k": 1, "b": 2}, {"k": 2}]}, node)
    assert result == {"l": [{"k": 1, "a": 1, "b": 2}, {"k": 2}]}
