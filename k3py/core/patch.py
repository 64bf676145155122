"""The three PATCH algorithms of the API server: JSON patch, JSON merge patch, strategic merge patch.

Pure and standard library only: documents in, new documents out. No I/O, no decoding of request
bodies (the API layer parses the JSON and picks the algorithm from the Content-Type). The inputs
are never mutated and the result shares no structure with them, so a caller may change it freely.

Theory of operation
-------------------
* :func:`json_patch` (RFC 6902, ``application/json-patch+json``) applies the operations one by one
  to a deep copy of the document. The first failing operation raises and the copy is dropped, so a
  patch is all or nothing. JSON pointers follow RFC 6901 (``~1`` is ``/``, ``~0`` is ``~``; ``-``
  appends to an array). Array indices are strict RFC ones (no negative indices or leading zeros).
* :func:`merge_patch` (RFC 7386, ``application/merge-patch+json``): objects merge recursively,
  ``null`` deletes a key, anything else (arrays included) replaces.
* :func:`strategic_merge_patch` (``application/strategic-merge-patch+json``, what ``kubectl apply``
  and ``kubectl patch`` send) is a port of apimachinery's ``strategicpatch.StrategicMergeMapPatch``
  with the server-side options (``MergeParallelList``, ``IgnoreUnmatchedNulls``). It is a merge
  patch whose lists may merge: for a field whose ``x-kubernetes-patch-strategy`` contains
  ``merge``, lists of objects merge element by element on ``x-kubernetes-patch-merge-key`` and
  lists of scalars merge as an ordered set union; every other list is replaced. The patch may also
  carry directives:

  - ``$patch: replace`` in an object replaces the object; in a list element it replaces the list;
  - ``$patch: delete`` in an object empties it (or leaves it out if the live object has none); in
    a list element it deletes the live elements with the same merge key;
  - ``$setElementOrder/<field>: [...]`` gives the order of the merged list (items of the patch and
    of the live list keep their relative order, the directive wins);
  - ``$retainKeys: [...]`` (fields with strategy ``retainKeys``) drops every key of the live object
    that is not listed;
  - ``$deleteFromPrimitiveList/<field>: [...]`` removes scalars from a list.

  The port keeps upstream's quirks where clients can see them: an element appended to a merged
  list is taken verbatim (nulls and all), a ``replace`` strategy takes the patch value verbatim,
  and the final order reproduces how apimachinery's in-place slice edits feed $setElementOrder
  (:class:`_GoSliceAlias`; the upstream test tables pin that order).

  The field metadata comes from a :class:`SchemaNode`, which the API layer builds from the OpenAPI
  definitions; :class:`DictSchema` reads them from OpenAPI-shaped dicts. Without a schema
  (``schema=None``) every list is replaced and every object merges, as a merge patch with
  directives. (Kubernetes refuses strategic merge patches on custom resources; the API does too.)

Errors are :mod:`k3py.core.errors` classes with the codes kube-apiserver answers with (see
:data:`JSON_PATCH_REJECTED` and :func:`strategic_merge_patch`).
"""

from __future__ import annotations

import dataclasses
import json
import re
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias

from k3py.core import errors

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = [
    "ERR_BAD_JSON_DOC",
    "ERR_BAD_PATCH_FORMAT_FOR_PRIMITIVE_LIST",
    "ERR_BAD_PATCH_FORMAT_FOR_RETAIN_KEYS",
    "ERR_BAD_PATCH_FORMAT_FOR_SET_ELEMENT_ORDER_LIST",
    "ERR_NO_LIST_OF_LISTS",
    "JSON",
    "JSON_PATCH_REJECTED",
    "MAX_JSON_PATCH_OPERATIONS",
    "DictSchema",
    "JSONObject",
    "SchemaNode",
    "json_patch",
    "merge_patch",
    "strategic_merge_patch",
]

JSON: TypeAlias = Any  # a decoded JSON value: dict, list, str, int, float, bool or None
JSONObject: TypeAlias = dict[str, Any]

# kube-apiserver caps a JSON patch at 10000 operations and answers 413 beyond
# (maxJSONPatchOperations in apiserver's endpoints/handlers/patch.go).
MAX_JSON_PATCH_OPERATIONS = 10000

# The message kube-apiserver answers a JSON patch that does not apply with: jsonPatcher.applyJSPatch
# turns every error of Apply (a failed "test", a missing path, an unknown op) into
# NewGenericServerResponse(422, ...), whose message is this fixed text, reason Invalid. Clients
# match on it (a failed "test" is how optimistic writers detect a lost race), so it is kept
# verbatim; the specific reason is chained as the exception's __cause__ for logs and tests.
JSON_PATCH_REJECTED = "the server rejected our request due to an error in our request"

# The errors of apimachinery's mergepatch package that kube-apiserver maps to codes
# (interpretStrategicMergePatchError, formerly interpretPatchError, in
# staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go): these five are 400 BadRequest,
# ErrNoListOfLists and ErrPatchContentNotMatchRetainKeys are 422. Kubernetes lets every other
# strategic merge patch error through as a 500; here those caused by the patch (a missing merge
# key, an unknown $patch value, a $setElementOrder that contradicts the patch) are 400 instead,
# and only a schema that makes no sense is a 500.
ERR_BAD_JSON_DOC = "invalid JSON document"
ERR_BAD_PATCH_FORMAT_FOR_PRIMITIVE_LIST = "invalid patch format of primitive list"
ERR_BAD_PATCH_FORMAT_FOR_RETAIN_KEYS = "invalid patch format of retainKeys"
ERR_BAD_PATCH_FORMAT_FOR_SET_ELEMENT_ORDER_LIST = "invalid patch format of setElementOrder list"
ERR_NO_LIST_OF_LISTS = "lists of lists are not supported"

_DIRECTIVE_MARKER = "$patch"
_DELETE_DIRECTIVE = "delete"
_REPLACE_DIRECTIVE = "replace"
_MERGE_DIRECTIVE = "merge"
_RETAIN_KEYS_STRATEGY = "retainKeys"
_DELETE_FROM_PRIMITIVE_LIST_PREFIX = "$deleteFromPrimitiveList"
_RETAIN_KEYS_DIRECTIVE = "$retainKeys"
_SET_ELEMENT_ORDER_PREFIX = "$setElementOrder"


def _copy(value: JSON) -> JSON:
    """Deep copy of a JSON value (faster than copy.deepcopy; tuples become lists)."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_copy(v) for v in value]
    return value


def _json_equal(a: JSON, b: JSON) -> bool:
    """JSON equality (RFC 6902 §4.6): numbers by value, but ``true`` is not ``1``."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_json_equal(v, b[k]) for k, v in a.items())
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_json_equal(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and bool(a == b)


def _describe(value: JSON) -> str:
    """A short rendering of a value for error messages."""
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= 200 else text[:197] + "..."


# --------------------------------------------------------------------------------------------
# JSON patch (RFC 6902)


class _PatchFailure(Exception):
    """Why an operation does not apply; the caller sees it as the ``__cause__`` of ``Invalid``."""


_ARRAY_INDEX = re.compile(r"0|[1-9][0-9]*")
_BAD_ESCAPE = re.compile(r"~(?![01])")


def _parse_pointer(pointer: JSON) -> list[str]:
    """Split an RFC 6901 JSON pointer into unescaped reference tokens ("" is the whole document)."""
    if not isinstance(pointer, str):
        raise _PatchFailure(f"a JSON pointer must be a string, not {_describe(pointer)}")
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise _PatchFailure(f"JSON pointer {pointer!r} must be empty or start with '/'")
    tokens = pointer[1:].split("/")
    for token in tokens:
        if _BAD_ESCAPE.search(token):
            raise _PatchFailure(f"JSON pointer {pointer!r} has a '~' not followed by '0' or '1'")
    return [token.replace("~1", "/").replace("~0", "~") for token in tokens]


def _array_index(token: str, length: int, *, allow_end: bool) -> int:
    """The index ``token`` names in an array of ``length`` items (``-`` and ``length`` only to add)."""
    if token == "-" and allow_end:
        return length
    if not _ARRAY_INDEX.fullmatch(token):
        raise _PatchFailure(f"{token!r} is not an array index")
    index = int(token)
    if index > length or (index == length and not allow_end):
        raise _PatchFailure(f"array index {index} is out of bounds (the array has {length} items)")
    return index


def _walk(doc: JSON, tokens: list[str]) -> JSON:
    """The value at ``tokens`` in ``doc``; every step must exist."""
    node = doc
    for depth, token in enumerate(tokens):
        if isinstance(node, dict):
            if token not in node:
                raise _PatchFailure(f"missing key {'/'.join(tokens[: depth + 1])!r}")
            node = node[token]
        elif isinstance(node, list):
            node = node[_array_index(token, len(node), allow_end=False)]
        else:
            raise _PatchFailure(f"cannot descend into a {type(node).__name__} at {'/'.join(tokens[:depth])!r}")
    return node


def _add(doc: JSON, tokens: list[str], value: JSON) -> JSON:
    if not tokens:
        return value
    parent, last = _walk(doc, tokens[:-1]), tokens[-1]
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list):
        parent.insert(_array_index(last, len(parent), allow_end=True), value)
    else:
        raise _PatchFailure(f"cannot add {last!r} to a {type(parent).__name__}")
    return doc


def _remove(doc: JSON, tokens: list[str]) -> JSON:
    """Remove the value at ``tokens`` and return it."""
    if not tokens:
        raise _PatchFailure("cannot remove the whole document")
    parent, last = _walk(doc, tokens[:-1]), tokens[-1]
    if isinstance(parent, dict):
        if last not in parent:
            raise _PatchFailure(f"cannot remove missing key {last!r}")
        return parent.pop(last)
    if isinstance(parent, list):
        return parent.pop(_array_index(last, len(parent), allow_end=False))
    raise _PatchFailure(f"cannot remove {last!r} from a {type(parent).__name__}")


def _replace(doc: JSON, tokens: list[str], value: JSON) -> JSON:
    if not tokens:
        return value
    parent, last = _walk(doc, tokens[:-1]), tokens[-1]
    if isinstance(parent, dict):
        if last not in parent:
            raise _PatchFailure(f"cannot replace missing key {last!r}")
        parent[last] = value
    elif isinstance(parent, list):
        parent[_array_index(last, len(parent), allow_end=False)] = value
    else:
        raise _PatchFailure(f"cannot replace {last!r} in a {type(parent).__name__}")
    return doc


def _operand(operation: JSONObject, name: str) -> JSON:
    if name not in operation:
        raise _PatchFailure(f"operation {operation.get('op')!r} needs a {name!r} member")
    return operation[name]


def _apply_operation(doc: JSON, operation: JSONObject) -> JSON:
    """Apply one operation to ``doc`` (in place where possible) and return the new document."""
    op = operation.get("op")
    path = _parse_pointer(_operand(operation, "path"))
    if op == "add":
        return _add(doc, path, _copy(_operand(operation, "value")))
    if op == "remove":
        _remove(doc, path)
        return doc
    if op == "replace":
        return _replace(doc, path, _copy(_operand(operation, "value")))
    if op == "test":
        if not _json_equal(_walk(doc, path), _operand(operation, "value")):
            raise _PatchFailure(f"test failed: the value at {operation['path']!r} differs")
        return doc
    if op == "move":
        source = _parse_pointer(_operand(operation, "from"))
        if source == path:
            _walk(doc, source)  # RFC 6902 §4.4: "from" must exist, even for a no-op move
            return doc
        if path[: len(source)] == source:
            raise _PatchFailure("cannot move a value into one of its own children")
        return _add(doc, path, _remove(doc, source))
    if op == "copy":
        source = _parse_pointer(_operand(operation, "from"))
        return _add(doc, path, _copy(_walk(doc, source)))
    raise _PatchFailure(f"unknown operation {op!r}")


def json_patch(doc: JSON, operations: JSON) -> JSON:
    """Apply an RFC 6902 JSON patch, all or nothing, and return the patched copy of ``doc``.

    Args:
        doc: the document (usually the object as stored); never modified.
        operations: the decoded patch, a list of operation objects.

    Raises:
        errors.BadRequest: ``operations`` is not a list of objects (apiserver: 400 when the body does
            not decode as a JSON patch).
        errors.RequestEntityTooLarge: more than :data:`MAX_JSON_PATCH_OPERATIONS` operations.
        errors.Invalid: an operation does not apply (a failed ``test``, a missing path, an unknown
            ``op``...). The message is :data:`JSON_PATCH_REJECTED`, as kube-apiserver's; the
            reason is the ``__cause__``.
    """
    if not isinstance(operations, list) or not all(isinstance(op, dict) for op in operations):
        raise errors.BadRequest("a JSON patch must be a JSON array of operation objects")
    if len(operations) > MAX_JSON_PATCH_OPERATIONS:
        raise errors.RequestEntityTooLarge(
            "Request entity too large: The allowed maximum operations in a JSON patch is "
            f"{MAX_JSON_PATCH_OPERATIONS}, got {len(operations)}"
        )
    result = _copy(doc)
    for number, operation in enumerate(operations):
        try:
            result = _apply_operation(result, operation)
        except _PatchFailure as exc:
            failure = _PatchFailure(f"operation {number} ({_describe(operation)}): {exc}")
            raise errors.Invalid(JSON_PATCH_REJECTED) from failure
    return result


# --------------------------------------------------------------------------------------------
# JSON merge patch (RFC 7386)


def merge_patch(target: JSON, patch: JSON) -> JSON:
    """Apply an RFC 7386 JSON merge patch and return the patched copy of ``target``.

    A patch that is not an object replaces the target, as the RFC says. kube-apiserver refuses
    ``null`` and scalar merge patches with 400 (evanphx/json-patch's ErrBadJSONPatch); that check
    belongs to the API layer, which knows the request.
    """
    if not isinstance(patch, dict):
        return _copy(patch)
    result = _copy(target) if isinstance(target, dict) else {}
    _merge_into(result, patch)
    return result


def _merge_into(target: JSONObject, patch: JSONObject) -> None:
    for key, value in patch.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict):
            child = target.get(key)
            if not isinstance(child, dict):
                child = target[key] = {}
            _merge_into(child, value)
        else:
            target[key] = _copy(value)


# --------------------------------------------------------------------------------------------
# Strategic merge patch: the schema


class SchemaNode(Protocol):
    """What a strategic merge patch needs to know about one field of an API type.

    A node stands for a field (a property of an OpenAPI definition) together with its type.
    ``patch_strategy`` and ``patch_merge_key`` are the field's ``x-kubernetes-patch-strategy``
    and ``x-kubernetes-patch-merge-key`` ("" when absent); the root node (the kind itself) has
    neither. ``field`` and ``items`` step into the field's type:

    * ``field(name)``: the node for property ``name`` of an object type, or for the values of a
      map type (``additionalProperties``); ``None`` if unknown, which makes everything under it
      schema-less (merge objects, replace lists);
    * ``items()``: the node for the elements of an array type; ``None`` if unknown. Its own
      patch metadata is not used: a list's strategy is on the list's field. (Kubernetes' own
      OpenAPI always has ``items`` on a list field; :class:`DictSchema` also copes without.)

    Example: ``pod.field("spec").field("containers")`` has strategy ``"merge"`` and merge key
    ``"name"``, and ``.items().field("ports")`` has merge key ``"containerPort"``.
    """

    @property
    def patch_strategy(self) -> str:
        """``""``, ``"merge"``, ``"replace"``, ``"retainKeys"`` or ``"merge,retainKeys"``."""
        ...

    @property
    def patch_merge_key(self) -> str: ...

    def field(self, name: str) -> SchemaNode | None: ...

    def items(self) -> SchemaNode | None: ...


_RESOLVED: dict[tuple[int, int], tuple[Mapping[str, Any], Mapping[str, Any], Mapping[str, Any]]] = {}
_RESOLVED_LIMIT = 100_000  # far more nodes than Kubernetes' definitions have; CRD churn is dropped whole


@dataclasses.dataclass(frozen=True, slots=True)
class DictSchema:
    """A :class:`SchemaNode` over OpenAPI-shaped dicts (Swagger 2.0 ``definitions`` or v3 schemas).

    A schema dict may have ``properties``, ``additionalProperties``, ``items``, a ``$ref``
    (``#/definitions/<name>`` or ``#/components/schemas/<name>``, resolved in ``definitions``;
    also inside ``allOf``, as v3 writes references), and on properties the extensions
    ``x-kubernetes-patch-strategy`` and ``x-kubernetes-patch-merge-key``. Everything else is
    ignored, so a real OpenAPI document works as is::

        DictSchema.from_definitions(spec["definitions"], "io.k8s.api.core.v1.Pod")
        DictSchema({"properties": {"finalizers": {"type": "array", "x-kubernetes-patch-strategy": "merge"}}})
    """

    schema: Mapping[str, Any]
    definitions: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    @classmethod
    def from_definitions(cls, definitions: Mapping[str, Any], name: str) -> DictSchema:
        """The root node for the definition ``name``."""
        return cls({"$ref": f"#/definitions/{name}"}, definitions)

    @property
    def patch_strategy(self) -> str:
        return str(self.schema.get("x-kubernetes-patch-strategy", ""))

    @property
    def patch_merge_key(self) -> str:
        return str(self.schema.get("x-kubernetes-patch-merge-key", ""))

    def _extension(self, name: str) -> Any:
        """An ``x-kubernetes-*`` extension, on the field or else on the type it refers to."""
        if name in self.schema:
            return self.schema[name]
        return self._resolved().get(name)

    @property
    def list_type(self) -> str:
        """How server-side apply treats the list: ``x-kubernetes-list-type``, else what the patch
        strategy implies (a merge key: a keyed map; merge alone: a set), else atomic."""
        declared = self._extension("x-kubernetes-list-type")
        if declared in ("atomic", "set", "map"):
            return str(declared)
        if "merge" in self.patch_strategy.split(","):
            return "map" if self.patch_merge_key else "set"
        return "atomic"

    @property
    def list_map_keys(self) -> tuple[str, ...]:
        keys = self._extension("x-kubernetes-list-map-keys")
        if isinstance(keys, list) and keys:
            return tuple(str(k) for k in keys)
        return (self.patch_merge_key,) if self.patch_merge_key else ()

    @property
    def map_atomic(self) -> bool:
        return bool(self._extension("x-kubernetes-map-type") == "atomic")

    def declares(self, name: str) -> bool:
        properties = self._resolved().get("properties")
        return isinstance(properties, dict) and name in properties

    def _resolved(self) -> Mapping[str, Any]:
        # Every write walks the schema of its object (field ownership), so resolutions are kept:
        # keyed by identity, holding both dicts so that an identity is never reused meanwhile.
        key = (id(self.schema), id(self.definitions))
        cached = _RESOLVED.get(key)
        if cached is not None and cached[0] is self.schema and cached[1] is self.definitions:
            return cached[2]
        resolved = self._resolve()
        if len(_RESOLVED) >= _RESOLVED_LIMIT:
            _RESOLVED.clear()
        _RESOLVED[key] = (self.schema, self.definitions, resolved)
        return resolved

    def _resolve(self) -> Mapping[str, Any]:
        schema = self.schema
        for _ in range(32):  # a chain of references; the bound only guards against a cycle
            all_of = schema.get("allOf")
            if isinstance(all_of, list) and all_of and isinstance(all_of[0], dict) and "$ref" not in schema:
                schema = all_of[0]
            ref = schema.get("$ref")
            if not isinstance(ref, str):
                return schema
            target = self.definitions.get(ref.rsplit("/", 1)[-1])
            if not isinstance(target, dict):
                return {}
            schema = target
        return {}

    def field(self, name: str) -> DictSchema | None:
        resolved = self._resolved()
        properties = resolved.get("properties")
        if isinstance(properties, dict) and isinstance(properties.get(name), dict):
            return DictSchema(properties[name], self.definitions)
        values = resolved.get("additionalProperties")
        if isinstance(values, dict):
            return DictSchema(values, self.definitions)
        return None

    def items(self) -> DictSchema | None:
        resolved = self._resolved()
        items = resolved.get("items")
        if isinstance(items, dict):
            return DictSchema(items, self.definitions)
        # No "items": the schema stands for its own elements, as in apimachinery's OpenAPI lookups
        # (a Go field that points to a list of structs is described as the struct).
        return self if isinstance(resolved.get("properties"), dict) else None


def _patch_strategy(node: SchemaNode | None) -> str:
    """The field's strategy other than ``retainKeys`` (apimachinery's extractRetainKeysPatchStrategy)."""
    if node is None or not node.patch_strategy:
        return ""
    strategies = node.patch_strategy.split(",")
    others = [s for s in strategies if s != _RETAIN_KEYS_STRATEGY]
    if len(strategies) > 2 or (len(strategies) == 2 and len(others) != 1):
        raise errors.Internal(f"unexpected patch strategy: {node.patch_strategy!r}")
    return others[0] if others else ""


def _lookup_map(schema: SchemaNode | None, key: str) -> tuple[SchemaNode | None, str]:
    """The schema of the object field ``key`` and its strategy."""
    node = schema.field(key) if schema is not None else None
    return node, _patch_strategy(node)


def _lookup_list(schema: SchemaNode | None, key: str) -> tuple[SchemaNode | None, str, str]:
    """The schema of the elements of list field ``key``, its strategy and its merge key."""
    node = schema.field(key) if schema is not None else None
    if node is None:
        return None, "", ""
    return node.items(), _patch_strategy(node), node.patch_merge_key


# --------------------------------------------------------------------------------------------
# Strategic merge patch: the algorithm (a port of apimachinery's strategicpatch, Apache-2.0)
#
# The helpers work in place on private deep copies made by strategic_merge_patch, as the Go code
# works on maps it is allowed to mutate; this keeps the port close to the original.


def strategic_merge_patch(original: JSON, patch: JSON, schema: SchemaNode | None = None) -> JSONObject:
    """Apply a Kubernetes strategic merge patch and return the patched copy of ``original``.

    Ported from apimachinery's ``StrategicMergeMapPatchUsingLookupPatchMeta`` (Apache-2.0, The
    Kubernetes Authors), with the options the API server uses.

    Args:
        original: the object as stored; never modified.
        patch: the decoded patch body.
        schema: the root :class:`SchemaNode` of the object's kind, or ``None`` for no field
            metadata (every list replaced).

    Raises:
        errors.BadRequest: the patch is malformed (not an object, a bad directive, a list item
            without its merge key, an order that contradicts the patch...).
        errors.Invalid: a list of lists, as kube-apiserver (ErrNoListOfLists is 422).
        errors.Internal: the schema has an impossible patch strategy.
    """
    if not isinstance(original, dict) or not isinstance(patch, dict):
        raise errors.BadRequest(ERR_BAD_JSON_DOC)
    return _merge_map(_copy(original), _copy(patch), schema)


def _merge_map(original: JSONObject | None, patch: JSONObject, schema: SchemaNode | None) -> JSONObject:
    """apimachinery's mergeMap with MergeParallelList and IgnoreUnmatchedNulls set."""
    if _DIRECTIVE_MARKER in patch:
        return _map_directive(patch)
    if original is None:
        original = {}
    _apply_retain_keys(original, patch)
    _merge_ordered_lists(original, patch, schema)

    for raw_key, patch_value in list(patch.items()):
        key, is_delete_list = raw_key, False
        if raw_key.startswith(_DELETE_FROM_PRIMITIVE_LIST_PREFIX):
            key = _extract_key(raw_key, _DELETE_FROM_PRIMITIVE_LIST_PREFIX, ERR_BAD_PATCH_FORMAT_FOR_PRIMITIVE_LIST)
            is_delete_list = True

        if patch_value is None:
            original.pop(key, None)  # as upstream, also for a null $deleteFromPrimitiveList
            continue
        if key not in original or type(original[key]) is not type(patch_value):
            # New key, or the type changes (a null in the original included): take the patch value.
            # A deletion list never adds anything.
            if not is_delete_list:
                _discard_nulls(patch_value)
                _set_without_directives(original, key, patch_value)
            continue

        current = original[key]
        if isinstance(current, dict):
            subschema, strategy = _lookup_map(schema, key)
            original[key] = (
                patch_value if strategy == _REPLACE_DIRECTIVE else _merge_map(current, patch_value, subschema)
            )
        elif isinstance(current, list):
            items, strategy, merge_key = _lookup_list(schema, key)
            merged, _ = _merge_list_field(current, patch_value, items, strategy, merge_key, is_delete_list)
            original[key] = merged
        else:
            _set_without_directives(original, key, patch_value)
    return original


def _map_directive(patch: JSONObject) -> JSONObject:
    """An object patch with ``$patch`` (apimachinery's handleDirectiveInMergeMap)."""
    directive = patch[_DIRECTIVE_MARKER]
    if directive == _REPLACE_DIRECTIVE:
        del patch[_DIRECTIVE_MARKER]
        return patch
    if directive == _DELETE_DIRECTIVE:
        return {}
    raise errors.BadRequest(f"unknown patch type: {directive} in map: {_describe(patch)}")


def _extract_key(key: str, prefix: str, message: str) -> str:
    """The field name in ``<prefix>/<field>``."""
    head, sep, rest = key.partition("/")
    if not sep or head != prefix:
        raise errors.BadRequest(message)
    return rest


def _set_without_directives(target: JSONObject, key: str, value: JSON) -> None:
    cleaned, keep = _remove_directives(value)
    if keep:
        target[key] = cleaned
    else:
        target.pop(key, None)


def _remove_directives(value: JSON) -> tuple[JSON, bool]:
    """Drop every object carrying ``$patch``; return the value and whether to keep it at all."""
    if isinstance(value, dict):
        if _DIRECTIVE_MARKER in value:
            return None, False
        for key in list(value):
            cleaned, keep = _remove_directives(value[key])
            if keep:
                value[key] = cleaned
            else:
                del value[key]
        return value, True
    if isinstance(value, list):
        kept = []
        for item in value:
            cleaned, keep = _remove_directives(item)
            if keep:
                kept.append(cleaned)
        return kept, True
    return value, True


def _discard_nulls(value: JSON) -> None:
    """Delete null members of every object in ``value`` (nulls in lists stay)."""
    if isinstance(value, dict):
        for key in list(value):
            if value[key] is None:
                del value[key]
            else:
                _discard_nulls(value[key])
    elif isinstance(value, list):
        for item in value:
            _discard_nulls(item)


def _apply_retain_keys(original: JSONObject, patch: JSONObject) -> None:
    """``$retainKeys``: drop the keys of ``original`` not listed (apimachinery's applyRetainKeysDirective)."""
    if _RETAIN_KEYS_DIRECTIVE not in patch:
        return
    retain = patch.pop(_RETAIN_KEYS_DIRECTIVE)
    if not isinstance(retain, list):
        raise errors.BadRequest(ERR_BAD_PATCH_FORMAT_FOR_RETAIN_KEYS)
    keep = {key for key in retain if isinstance(key, str)}
    for key, value in patch.items():
        if value is None or key.startswith((_DELETE_FROM_PRIMITIVE_LIST_PREFIX, _SET_ELEMENT_ORDER_PREFIX)):
            continue
        if key not in keep:  # every field the patch sets must be retained
            raise errors.BadRequest(ERR_BAD_PATCH_FORMAT_FOR_RETAIN_KEYS)
    for key in [key for key in original if key not in keep]:
        del original[key]


def _merge_ordered_lists(original: JSONObject, patch: JSONObject, schema: SchemaNode | None) -> None:
    """Merge each list that has a ``$setElementOrder`` and put it in that order.

    apimachinery's mergePatchIntoOriginal: the order is $setElementOrder first, then the order in
    the patch, then the order in the live list. The merged lists leave the patch, so the main loop
    does not merge them again.
    """
    for order_key in [key for key in patch if key.startswith(_SET_ELEMENT_ORDER_PREFIX)]:
        order = patch.pop(order_key)
        if not isinstance(order, list):
            raise errors.BadRequest(ERR_BAD_PATCH_FORMAT_FOR_SET_ELEMENT_ORDER_LIST)
        key = _extract_key(order_key, _SET_ELEMENT_ORDER_PREFIX, ERR_BAD_PATCH_FORMAT_FOR_SET_ELEMENT_ORDER_LIST)
        # A null live list counts as absent: Kubernetes decodes the object into its Go type first,
        # where an empty list is simply left out.
        live_value, patch_value = original.get(key), patch.get(key)
        found_live, found_patch = live_value is not None, key in patch
        if found_live and not isinstance(live_value, list):
            raise errors.BadRequest(f"expected a list for {key!r}, but the object has {_describe(live_value)}")
        if found_patch and not isinstance(patch_value, list):
            raise errors.BadRequest(f"expected a list for {key!r}, but the patch has {_describe(patch_value)}")
        live: list[JSON] = live_value or []
        patch_list: list[JSON] = patch_value or []
        items, strategy, merge_key = _lookup_list(schema, key)
        kind = _element_type(live, patch_list)
        # Objects can only be ordered by their merge key. Without one (no schema) the directive is
        # ignored; upstream always has a schema here.
        ordered = kind is not None and (bool(merge_key) or kind is not dict)
        if ordered:
            _check_patch_follows_order(patch_list, order, merge_key if kind is dict else "")

        live_order = live  # what apimachinery orders the server-only items by (see _GoSliceAlias)
        if found_live and found_patch:
            merged, live_order = _merge_list_field(live, patch_list, items, strategy, merge_key, False)
        elif found_live:
            merged = live
        elif found_patch:
            merged, _ = _remove_directives(patch_list)
        else:
            continue
        patch.pop(key, None)
        if kind is None or not ordered:  # nothing to order (upstream errors out on two empty lists)
            original[key] = merged
            continue
        patch_items, server_only = _partition(merged, order, merge_key if kind is dict else "")
        original[key] = _normalize_element_order(patch_items, server_only, order, live_order, merge_key, kind)


def _check_patch_follows_order(patch_list: list[JSON], order: list[JSON], merge_key: str) -> None:
    """The patch items must appear in ``$setElementOrder``, in the same relative order.

    apimachinery's validatePatchWithSetOrderList; deletions and other directives are ignored.
    """
    if not order or not patch_list:
        return
    items = patch_list
    if merge_key:
        items = [item for item in patch_list if not _is_directive(item, _DELETE_DIRECTIVE)]
    patch_index = order_index = 0
    while patch_index < len(items) and order_index < len(order):
        item = items[patch_index]
        if isinstance(item, dict) and _DIRECTIVE_MARKER in item:
            patch_index += 1
            continue
        if _same_item(item, order[order_index], merge_key):
            patch_index += 1
        order_index += 1
    if patch_index < len(items):
        raise errors.BadRequest(
            f"The order in patch list:\n{_describe(patch_list)}\n doesn't match "
            f"{_SET_ELEMENT_ORDER_PREFIX} list:\n{_describe(order)}\n"
        )


def _merge_list_field(
    current: list[JSON],
    patch_list: list[JSON],
    items: SchemaNode | None,
    strategy: str,
    merge_key: str,
    is_delete_list: bool,
) -> tuple[list[JSON], list[JSON]]:
    """Merge or replace a list field (apimachinery's mergeSliceHandler); see :func:`_merge_list`."""
    if strategy == _MERGE_DIRECTIVE or is_delete_list:  # deletion lists apply whatever the strategy
        return _merge_list(current, patch_list, items, merge_key, is_delete_list)
    return patch_list, current


def _merge_list(
    original: list[JSON], patch: list[JSON], items: SchemaNode | None, merge_key: str, is_delete_list: bool
) -> tuple[list[JSON], list[JSON]]:
    """apimachinery's mergeSlice: merge, apply the element directives, then restore the order.

    Returns the merged list and the live list as the Go caller's slice sees it afterwards (see
    :class:`_GoSliceAlias`); only $setElementOrder uses the latter.
    """
    kind = _element_type(original, patch)
    if kind is None:
        return original, original
    if kind is not dict:
        if is_delete_list:
            doomed = {_scalar_key(item) for item in patch}
            return [item for item in original if _scalar_key(item) not in doomed], original
        merged = _unique(original + patch)
        alias = original
    else:
        if not merge_key:
            raise errors.BadRequest("cannot merge lists of objects without a merge key")
        live = _GoSliceAlias(original)
        original, patch, replaced = _apply_element_directives(live, patch, merge_key)
        merged = _merge_by_key(original, patch, items, merge_key, None if replaced else live)
        alias = live.values
    patch_items, server_only = _partition(merged, patch, merge_key if kind is dict else "")
    return _normalize_element_order(patch_items, server_only, patch, original, merge_key, kind), alias


class _GoSliceAlias:
    """The live list as the Go slice that mergeSlice edits in place, seen by its caller.

    apimachinery deletes list elements with ``append(s[:i], s[i+1:]...)`` and appends new ones to
    the shortened slice, both in the backing array of the live list. mergePatchIntoOriginal then
    orders the merged list by that array as it reads it (the full original length): after k
    deletions, the first k appended elements show up in its last slots. The upstream cases pin the
    resulting order (a new element lands after the live elements the patch does not mention), so
    the port reproduces it: ``values`` is what the caller sees, ``length`` the edited slice's.
    """

    __slots__ = ("length", "values")

    def __init__(self, values: list[JSON]) -> None:
        self.values = list(values)
        self.length = len(values)

    def current(self) -> list[JSON]:
        return self.values[: self.length]

    def delete(self, index: int) -> None:
        self.values[index : self.length - 1] = self.values[index + 1 : self.length]
        self.length -= 1

    def append(self, item: JSON) -> None:
        if self.length < len(self.values):  # beyond that, Go's append moves to a new array
            self.values[self.length] = item
        self.length += 1


def _apply_element_directives(
    live: _GoSliceAlias, patch: list[JSON], merge_key: str
) -> tuple[list[JSON], list[JSON], bool]:
    """Handle ``$patch`` elements; return the live list, the patch without them, and whether replaced.

    apimachinery's mergeSliceWithSpecialElements: ``delete`` drops the live elements with the same
    merge key, ``replace`` makes the rest of the patch the whole list.
    """
    plain: list[JSON] = []
    replace = False
    for item in patch:
        if _DIRECTIVE_MARKER not in item:
            plain.append(item)
            continue
        directive = item[_DIRECTIVE_MARKER]
        if directive == _DELETE_DIRECTIVE:
            if merge_key not in item:
                raise errors.BadRequest(_no_merge_key(item, merge_key))
            while (index := _find_by_key(live.current(), merge_key, item[merge_key])) >= 0:
                live.delete(index)
        elif directive == _REPLACE_DIRECTIVE:
            replace = True  # keep going: the other $patch elements must still be dropped
        elif directive == _MERGE_DIRECTIVE:
            raise errors.BadRequest("merging lists cannot yet be specified in the patch")
        else:
            raise errors.BadRequest(f"unknown patch type: {directive} in map: {_describe(item)}")
    if replace:
        return plain, [], True
    return live.current(), plain, False


def _merge_by_key(
    original: list[JSON], patch: list[JSON], items: SchemaNode | None, merge_key: str, live: _GoSliceAlias | None
) -> list[JSON]:
    """Merge each patch element into the live one with the same merge key, or append it.

    apimachinery's mergeSliceWithoutSpecialElements. An appended element is taken as is, nulls and
    nested directives included, as upstream does.
    """
    merged = list(original)
    for item in patch:
        if merge_key not in item:
            raise errors.BadRequest(_no_merge_key(item, merge_key))
        index = _find_by_key(merged, merge_key, item[merge_key])
        if index >= 0:
            merged[index] = _merge_map(merged[index], item, items)
        else:
            merged.append(item)
            if live is not None:
                live.append(item)
    return merged


def _normalize_element_order(
    patch_items: list[JSON],
    server_only: list[JSON],
    patch_order: list[JSON],
    server_order: list[JSON],
    merge_key: str,
    kind: type,
) -> list[JSON]:
    """Sort the patch's items by ``patch_order``, the others by ``server_order``, then interleave.

    apimachinery's normalizeElementOrder + mergeSortedSlice: each server-only item goes before the
    first patch item that comes after it in the live list, so both relative orders are kept.
    """
    patch_items = _sort_by(patch_items, patch_order, merge_key, kind)
    server_only = _sort_by(server_only, server_order, merge_key, kind)
    result: list[JSON] = []
    left = right = 0
    while left < len(server_only) or right < len(patch_items):
        if right >= len(patch_items):
            result.append(server_only[left])
            left += 1
        elif left >= len(server_only):
            result.append(patch_items[right])
            right += 1
        else:
            left_index = _index(server_order, server_only[left], merge_key, kind)
            right_index = _index(server_order, patch_items[right], merge_key, kind)
            if left_index >= 0 and right_index >= 0 and left_index < right_index:
                result.append(server_only[left])
                left += 1
            else:
                result.append(patch_items[right])
                right += 1
    return result


def _sort_by(items: list[JSON], order: list[JSON], merge_key: str, kind: type) -> list[JSON]:
    """Stable sort of ``items`` by their position in ``order`` (apimachinery's normalizeSliceOrder).

    Items missing from ``order`` go last (upstream's comparator leaves them anywhere; valid patches
    never have any). For objects, ``$patch: delete`` items go last and every item needs the key.
    """
    doomed: list[JSON] = []
    if kind is dict:
        for item in (*items, *order):
            if merge_key not in _as_map(item):
                raise errors.BadRequest(_no_merge_key(item, merge_key))
        doomed = [item for item in items if _is_directive(item, _DELETE_DIRECTIVE)]
        items = [item for item in items if not _is_directive(item, _DELETE_DIRECTIVE)]
    positions = [_index(order, item, merge_key, kind) for item in items]
    ranked = sorted(range(len(items)), key=lambda i: (positions[i] < 0, positions[i]))
    return [items[i] for i in ranked] + doomed


def _partition(merged: list[JSON], present: list[JSON], merge_key: str) -> tuple[list[JSON], list[JSON]]:
    """Split ``merged`` into the items that are in ``present`` and the others (by merge key if any)."""
    inside: list[JSON] = []
    outside: list[JSON] = []
    if not merge_key:
        keys = {_scalar_key(item) for item in present}
        for item in merged:
            (inside if _scalar_key(item) in keys else outside).append(item)
        return inside, outside
    for item in merged:
        if merge_key not in _as_map(item):
            raise errors.BadRequest(_no_merge_key(item, merge_key))
        (inside if _find_by_key(present, merge_key, item[merge_key]) >= 0 else outside).append(item)
    return inside, outside


def _index(items: list[JSON], value: JSON, merge_key: str, kind: type) -> int:
    """Position of ``value`` in ``items`` (by merge key for objects), or -1."""
    if kind is dict:
        wanted = _scalar_key(value.get(merge_key) if isinstance(value, dict) else None)
        for position, item in enumerate(items):
            if _scalar_key(item.get(merge_key) if isinstance(item, dict) else None) == wanted:
                return position
        return -1
    wanted = _scalar_key(value)
    for position, item in enumerate(items):
        if _scalar_key(item) == wanted:
            return position
    return -1


def _find_by_key(items: list[JSON], merge_key: str, value: JSON) -> int:
    """Position of the object whose ``merge_key`` equals ``value``, or -1."""
    wanted = _scalar_key(value)
    for position, item in enumerate(items):
        item_map = _as_map(item)
        if merge_key in item_map and _scalar_key(item_map[merge_key]) == wanted:
            return position
    return -1


def _same_item(item: JSON, other: JSON, merge_key: str) -> bool:
    """apimachinery's mergeKeyValueEqual."""
    if not merge_key:
        return _scalar_key(item) == _scalar_key(other)
    for value in (item, other):
        if merge_key not in _as_map(value):
            raise errors.BadRequest(_no_merge_key(value, merge_key))
    return bool(_scalar_key(item[merge_key]) == _scalar_key(other[merge_key]))


def _unique(items: Iterable[JSON]) -> list[JSON]:
    """The items without repeats, first occurrence kept."""
    seen: set[tuple[str, Any]] = set()
    result = []
    for item in items:
        key = _scalar_key(item)
        if key not in seen:
            seen.add(key)
            result.append(item)
    return result


def _element_type(*lists: list[JSON]) -> type | None:
    """The one JSON type of all elements (None if there are none); apimachinery's sliceElementType."""
    kind: type | None = None
    for items in lists:
        for item in items:
            item_kind = _json_type(item)
            if kind is None:
                if item_kind is list:
                    raise errors.Invalid(ERR_NO_LIST_OF_LISTS)
                kind = item_kind
            elif item_kind is not kind:
                raise errors.BadRequest(f"list element types are not identical: {_describe(list(lists))}")
    return kind


def _json_type(value: JSON) -> type:
    """The JSON type of ``value``; ints and floats are both numbers."""
    return float if isinstance(value, int | float) and not isinstance(value, bool) else type(value)


def _scalar_key(value: JSON) -> tuple[str, Any]:
    """A hashable identity for comparing list items: ``1`` and ``1.0`` are equal, ``true`` and ``1`` not."""
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int | float):
        return ("number", value)
    if isinstance(value, str):
        return ("string", value)
    if value is None:
        return ("null", None)
    return ("json", json.dumps(value, sort_keys=True))


def _as_map(value: JSON) -> JSONObject:
    if not isinstance(value, dict):
        raise errors.BadRequest(f"expected an object in a list merged by key, but received {_describe(value)}")
    return value


def _is_directive(item: JSON, directive: str) -> bool:
    return isinstance(item, dict) and item.get(_DIRECTIVE_MARKER) == directive


def _no_merge_key(item: JSON, merge_key: str) -> str:
    return f"map: {_describe(item)} does not contain declared merge key: {merge_key}"
