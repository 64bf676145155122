"""The API's OpenAPI documents (``/openapi/v2``, ``/openapi/v3``), built from Kubernetes' own schemas.

The schemas are never written here: they come from ``data/definitions.json.gz``, generated at build
time by ``scripts/gen_openapi.py`` from the published Kubernetes definitions (PyPI
kubernetes-validate). This module adds what kube-apiserver adds around them: ``paths`` with one
operation per verb of each served resource (operationIds, ``x-kubernetes-action``,
``x-kubernetes-group-version-kind``, parameters, bodies), the v3 split per group-version, the
hashes and ETags, content negotiation, and custom resources' schemas. Pure: no I/O but reading the
bundle once, and it never imports the rest of the API (the registry adapts to
:class:`ServedResource`).

Theory of operation
-------------------
What real clients read, checked against kubectl 1.37 and client-go:

- ``kubectl explain`` reads ``/openapi/v3`` and the group-version's document (JSON), and finds a
  kind's schema by ``x-kubernetes-group-version-kind`` in ``components.schemas``.
- ``kubectl apply`` (client side) reads the same document: it needs a PATCH operation whose
  ``x-kubernetes-group-version-kind`` is the kind and whose request body lists
  ``application/strategic-merge-patch+json``; then it computes the patch with the schema's
  ``x-kubernetes-patch-merge-key``/``-strategy`` (resolving ``allOf``/``$ref``).
- Validation: kubectl looks for a ``fieldValidation`` query parameter on that PATCH operation. When
  present it sends ``?fieldValidation=Strict`` and leaves validation to the server (which must then
  refuse unknown fields: :meth:`Schemas.unknown_fields`); when absent it validates client-side
  with ``/openapi/v2``, which client-go only ever requests as protobuf.
- ``/openapi/v2``: client-go sends ``Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf``
  alone and parses the answer as protobuf; it has no JSON fallback. kube-openapi negotiates
  (JSON, or protobuf under either name) and answers 406 when nothing matches. k3py serves JSON
  only, so a protobuf-only request gets 406 (:func:`negotiate`): an honest "not available" that
  kubectl handles the same way as any other failure to load v2 (apply falls back to its compiled-in
  types, explain needs ``-o plaintext``, the default). A 200 with JSON would only turn into a
  protobuf parse error on the client.
- v3 group-version URLs carry ``?hash=<sha512 of the JSON, upper-case hex>``; a stale hash is
  redirected (301) to the current one, a matching one is cacheable forever (``Cache-Control:
  public, immutable``). Every document has a quoted ETag (the same hash) and honours
  ``If-None-Match``, as kube-openapi's handlers do.

Definitions are kept in the v2 shape (``#/definitions/<name>``); a v3 document converts the ones
it needs (``#/components/schemas/<name>``; a ``$ref`` with siblings becomes ``allOf: [{$ref}]``, as
kube-openapi writes it) and holds only the schemas reachable from its own paths. Returned schema
dicts are shared: read them, never change them.
"""

from __future__ import annotations

import copy
import email.utils
import functools
import gzip
import hashlib
import importlib.resources
import json
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from k3py.core import errors

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

Schema = dict[str, Any]

#: where the generated bundle lives inside this package
BUNDLE = "data/definitions.json.gz"
DEFINITIONS_PREFIX = "#/definitions/"
COMPONENTS_PREFIX = "#/components/schemas/"

JSON = "application/json"
YAML = "application/yaml"
# The two names kube-openapi accepts for the protobuf encodings; client-go sends the first.
PROTOBUF_V2 = (
    "application/com.github.proto-openapi.spec.v2@v1.0+protobuf",
    "application/com.github.proto-openapi.spec.v2.v1.0+protobuf",
)
PROTOBUF_V3 = (
    "application/com.github.proto-openapi.spec.v3@v1.0+protobuf",
    "application/com.github.proto-openapi.spec.v3.v1.0+protobuf",
)
# What k3py encodes objects in; no protobuf, so the documents do not promise it either.
OBJECT_MEDIA_TYPES = (JSON, YAML)
WATCH_MEDIA_TYPES = (JSON, "application/json;stream=watch", YAML)
PATCH_MEDIA_TYPES = (
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/strategic-merge-patch+json",
    "application/apply-patch+yaml",
)

CUSTOM_PATCH_MEDIA_TYPES = tuple(t for t in PATCH_MEDIA_TYPES if t != "application/strategic-merge-patch+json")

OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
LIST_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta"
STATUS = "io.k8s.apimachinery.pkg.apis.meta.v1.Status"
DELETE_OPTIONS = "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions"
PATCH = "io.k8s.apimachinery.pkg.apis.meta.v1.Patch"
WATCH_EVENT = "io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent"
API_RESOURCE_LIST = "io.k8s.apimachinery.pkg.apis.meta.v1.APIResourceList"
INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"
# The two types kube-openapi renders differently per version (their OpenAPIV3OneOfTypes): in v2 a
# string (with format int-or-string for IntOrString), in v3 a oneOf, which kubectl explain shows as
# <IntOrString> and <Quantity>.
V3_ONE_OF: dict[str, Schema] = {
    INT_OR_STRING: {"format": "int-or-string", "oneOf": [{"type": "integer"}, {"type": "string"}]},
    QUANTITY: {"oneOf": [{"type": "string"}, {"type": "number"}]},
}
# Where custom resources borrow the standard apiVersion/kind/metadata descriptions from, as
# apiextensions-apiserver borrows them from TypeMeta and PartialObjectMetadata.
TYPE_META_SOURCE = "io.k8s.api.core.v1.ConfigMap"
LIST_META_SOURCE = "io.k8s.api.core.v1.ConfigMapList"

SECURITY_DEFINITIONS = {
    "BearerToken": {
        "type": "apiKey",
        "name": "authorization",
        "in": "header",
        "description": "Bearer Token authentication",
    }
}


# --------------------------------------------------------------------------------------------
# The bundle and its lookups


def _walk_refs(node: Any) -> Iterator[str]:
    """Every ``$ref`` string under a schema (names of properties are not schemas: skipped)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            elif key in ("properties", "patternProperties") and isinstance(value, dict):
                for child in value.values():
                    yield from _walk_refs(child)
            elif isinstance(value, (dict, list)) and not key.startswith("x-"):
                yield from _walk_refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk_refs(item)


def _ref_name(ref: str) -> str:
    for prefix in (DEFINITIONS_PREFIX, COMPONENTS_PREFIX):
        if ref.startswith(prefix):
            return ref[len(prefix) :]
    if ref.startswith("#"):
        raise KeyError(ref)
    return ref  # a bare definition name


def _reversed_group(group: str) -> str:
    return ".".join(reversed(group.split(".")))


class _Definitions(Mapping[str, Schema]):
    """Definitions kept as compact JSON text and decoded on first use, each once.

    A server looks at a few dozen of Kubernetes' 862 definitions (the kinds written to it and
    what they reference); decoded whole they would cost ~8 MB for ever. ``extra`` holds decoded
    definitions added on top (custom resources), which shadow the encoded ones.
    """

    __slots__ = ("_decoded", "_encoded", "_extra")

    def __init__(
        self,
        encoded: Mapping[str, str],
        extra: Mapping[str, Schema] | None = None,
        decoded: dict[str, Schema] | None = None,
    ) -> None:
        self._encoded = encoded
        self._extra: Mapping[str, Schema] = extra or {}
        # shared with every overlay of the same bundle, so each definition is decoded once
        self._decoded: dict[str, Schema] = {} if decoded is None else decoded

    def with_extra(self, extra: Mapping[str, Schema]) -> _Definitions:
        return _Definitions(self._encoded, {**self._extra, **extra}, self._decoded)

    def __getitem__(self, name: str) -> Schema:
        found = self._extra.get(name)
        if found is not None:
            return found
        decoded = self._decoded.get(name)
        if decoded is None:
            decoded = self._decoded[name] = json.loads(self._encoded[name])
        return decoded

    def __contains__(self, name: object) -> bool:
        return name in self._extra or name in self._encoded

    def __iter__(self) -> Iterator[str]:
        yield from self._encoded
        yield from (name for name in self._extra if name not in self._encoded)

    def __len__(self) -> int:
        return len(self._encoded) + sum(name not in self._encoded for name in self._extra)


GVKIndex = dict[tuple[str, str, str], str]


def _index(definitions: Mapping[str, Schema], index: GVKIndex, custom: frozenset[str]) -> None:
    """Add the kinds of ``definitions`` to ``index`` (custom resources win over a built-in of the
    same GVK, which there should not be; among built-ins the first name in sorted order)."""
    for name, definition in definitions.items():
        for gvk in definition.get("x-kubernetes-group-version-kind", ()):
            key = (gvk.get("group", ""), gvk.get("version", ""), gvk.get("kind", ""))
            if key not in index or name in custom:
                index[key] = name


@dataclass(frozen=True, eq=False)
class Schemas:
    """A set of definitions (v2 shape) with lookups by name, ``$ref`` and group/version/kind.

    :meth:`builtin` is Kubernetes' own set; :meth:`with_custom_resources` adds custom resources.
    """

    definitions: Mapping[str, Schema]
    kubernetes_version: str
    #: names of the definitions that came from CustomResourceDefinitions (OpenAPI v3 schemas)
    custom: frozenset[str] = frozenset()
    #: group/version/kind to definition name; built from ``definitions`` when not given
    by_gvk: GVKIndex | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.by_gvk is None:
            index: GVKIndex = {}
            _index(self.definitions, index, self.custom)
            object.__setattr__(self, "by_gvk", index)

    @classmethod
    def builtin(cls) -> Schemas:
        """Kubernetes' definitions from the bundle, loaded once."""
        return _builtin()

    def name_for(self, group: str, version: str, kind: str) -> str | None:
        """The definition name of a kind (``io.k8s.api.core.v1.Pod``), or None."""
        assert self.by_gvk is not None
        return self.by_gvk.get((group, version, kind))

    def definition_for(self, group: str, version: str, kind: str) -> Schema | None:
        """The schema of a kind, found by its ``x-kubernetes-group-version-kind``, or None."""
        name = self.name_for(group, version, kind)
        return None if name is None else self.definitions[name]

    def resolve(self, ref: str) -> Schema:
        """The definition a ``$ref`` names (``#/definitions/X``, ``#/components/schemas/X`` or ``X``).

        Raises:
            KeyError: no such definition.
        """
        return self.definitions[_ref_name(ref)]

    def closure(self, roots: Iterable[str]) -> list[str]:
        """The names of ``roots`` and of every definition they reach through ``$ref``, sorted."""
        seen: set[str] = set()
        pending = [name for name in roots if name in self.definitions]
        while pending:
            name = pending.pop()
            if name in seen:
                continue
            seen.add(name)
            for ref in _walk_refs(self.definitions[name]):
                target = _ref_name(ref)
                if target not in seen and target in self.definitions:
                    pending.append(target)
        return sorted(seen)

    def with_custom_resources(self, resources: Iterable[CustomResource]) -> Schemas:
        """These schemas plus one object and one list definition per custom resource version.

        Named as apiextensions-apiserver names them (``com.example.stable.v1.CronTab``), shaped
        as its builder shapes them: the CRD's ``openAPIV3Schema`` with ``apiVersion``, ``kind``
        and ``metadata`` added, and the GVK extension.
        """
        definitions: dict[str, Schema] = {}
        custom = set(self.custom)
        type_meta = self.definitions[TYPE_META_SOURCE]["properties"]
        list_meta = self.definitions[LIST_META_SOURCE]["properties"]
        for cr in resources:
            name = cr.definition_name
            if cr.schema is None:
                schema: Schema = {"type": "object"}
            else:
                schema = copy.deepcopy(dict(cr.schema))
                properties = schema.setdefault("properties", {})
                properties["apiVersion"] = copy.deepcopy(type_meta["apiVersion"])
                properties["kind"] = copy.deepcopy(type_meta["kind"])
                properties["metadata"] = {
                    "$ref": DEFINITIONS_PREFIX + OBJECT_META,
                    "description": type_meta["metadata"]["description"],
                }
            schema["x-kubernetes-group-version-kind"] = [{"group": cr.group, "version": cr.version, "kind": cr.kind}]
            definitions[name] = schema
            definitions[name + "List"] = {
                "description": f"{cr.list_kind} is a list of {cr.kind}",
                "type": "object",
                "required": ["items"],
                "properties": {
                    "apiVersion": copy.deepcopy(type_meta["apiVersion"]),
                    "kind": copy.deepcopy(type_meta["kind"]),
                    "items": {
                        "type": "array",
                        "description": f"List of {cr.plural}. More info: "
                        "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md",
                        "items": {"$ref": DEFINITIONS_PREFIX + name},
                    },
                    "metadata": {
                        "$ref": DEFINITIONS_PREFIX + LIST_META,
                        "description": list_meta["metadata"]["description"],
                    },
                },
                "x-kubernetes-group-version-kind": [{"group": cr.group, "version": cr.version, "kind": cr.list_kind}],
            }
            custom.update((name, name + "List"))
        assert self.by_gvk is not None
        index = dict(self.by_gvk)
        _index(definitions, index, frozenset(custom))
        merged = (
            self.definitions.with_extra(definitions)
            if isinstance(self.definitions, _Definitions)
            else {**self.definitions, **definitions}
        )
        return Schemas(merged, self.kubernetes_version, frozenset(custom), index)

    def unknown_fields(
        self, obj: Mapping[str, Any], group: str, version: str, kind: str, *, drop: bool = False
    ) -> list[str]:
        """Paths of the fields of ``obj`` its schema does not know (``spec.containers[0].imagee``).

        What a server answering ``fieldValidation=Strict`` refuses (kube-apiserver's
        ``strict decoding error: unknown field "..."``). Fields under
        ``x-kubernetes-preserve-unknown-fields`` or a schema without ``properties`` are open.
        An unknown kind has no known fields to check: the answer is empty. With ``drop=True``
        the unknown fields are also removed from ``obj`` (a dict it may change), as decoding into
        the typed object does for Warn and Ignore.
        """
        name = self.name_for(group, version, kind)
        if name is None:
            return []
        out: list[str] = []
        self._unknown(obj, {"$ref": DEFINITIONS_PREFIX + name}, "", out, drop)
        return out

    def _deref(self, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        for _ in range(32):  # a chain of references; the bound only guards against a cycle
            all_of = schema.get("allOf")
            if "$ref" not in schema and isinstance(all_of, list) and len(all_of) == 1:
                schema = all_of[0]
            ref = schema.get("$ref")
            if not isinstance(ref, str):
                return schema
            target = self.definitions.get(_ref_name(ref))
            if target is None:
                return {}
            schema = target
        return {}

    def _unknown(self, value: Any, schema: Mapping[str, Any], path: str, out: list[str], drop: bool) -> None:
        schema = self._deref(schema)
        if schema.get("x-kubernetes-preserve-unknown-fields"):
            return
        if isinstance(value, dict):
            properties = schema.get("properties")
            extra = schema.get("additionalProperties")
            for key, item in list(value.items()):
                where = f"{path}.{key}" if path else str(key)
                if isinstance(properties, dict) and key in properties:
                    self._unknown(item, properties[key], where, out, drop)
                elif isinstance(extra, dict):
                    self._unknown(item, extra, where, out, drop)
                elif isinstance(properties, dict) and extra is not True:
                    out.append(where)
                    if drop:
                        del value[key]
        elif isinstance(value, list):
            items = schema.get("items")
            if isinstance(items, dict):
                for index, item in enumerate(value):
                    self._unknown(item, items, f"{path}[{index}]", out, drop)


@functools.cache
def _builtin() -> Schemas:
    resource = importlib.resources.files("k3py.api").joinpath(BUNDLE)
    try:
        data = resource.read_bytes()
    except FileNotFoundError as exc:
        raise FileNotFoundError(
            f"k3py/api/{BUNDLE} is missing: it is built from kubernetes-validate by setup.py; "
            "reinstall k3py (pip install -e '.[dev]') or run: python scripts/gen_openapi.py"
        ) from exc
    bundle = json.loads(gzip.decompress(data))
    index: GVKIndex = {}
    for group, version, kind, name in bundle["kinds"]:  # sorted: the first name of a GVK wins
        index.setdefault((group, version, kind), name)
    return Schemas(_Definitions(bundle["definitions"]), bundle["info"]["kubernetes"], by_gvk=index)


def definitions() -> Mapping[str, Schema]:
    """Kubernetes' definitions by name (``io.k8s.api.core.v1.Pod``), v2 shape; read-only."""
    return _builtin().definitions


def definition_for(group: str, version: str, kind: str) -> Schema | None:
    """The built-in schema of a kind, or None (custom resources: :meth:`Schemas.definition_for`)."""
    return _builtin().definition_for(group, version, kind)


def resolve(ref: str) -> Schema:
    """The built-in definition a ``$ref`` names; KeyError when there is none."""
    return _builtin().resolve(ref)


# --------------------------------------------------------------------------------------------
# What is served


class Served(Protocol):
    """What the documents need to know of a served resource (the registry's entries fit)."""

    @property
    def group(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def plural(self) -> str: ...
    @property
    def namespaced(self) -> bool: ...
    @property
    def verbs(self) -> Sequence[str]: ...
    @property
    def subresources(self) -> Sequence[str]: ...


@dataclass(frozen=True)
class ServedResource:
    """One resource of one group-version, as the API serves it (discovery's verbs)."""

    group: str
    version: str
    kind: str
    plural: str
    namespaced: bool
    verbs: tuple[str, ...] = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
    subresources: tuple[str, ...] = ()


@dataclass(frozen=True)
class CustomResource:
    """One served version of a CustomResourceDefinition, with its ``openAPIV3Schema`` (or None)."""

    group: str
    version: str
    kind: str
    list_kind: str
    plural: str
    namespaced: bool
    schema: Mapping[str, Any] | None = None
    subresources: tuple[str, ...] = ()

    @property
    def definition_name(self) -> str:
        return f"{_reversed_group(self.group)}.{self.version}.{self.kind}"

    def served(self) -> ServedResource:
        return ServedResource(
            self.group, self.version, self.kind, self.plural, self.namespaced, subresources=self.subresources
        )

    @classmethod
    def from_crd(cls, crd: Mapping[str, Any]) -> list[CustomResource]:
        """The served versions of a CustomResourceDefinition object (apiextensions.k8s.io/v1)."""
        spec = crd.get("spec") or {}
        names = spec.get("names") or {}
        out = []
        for version in spec.get("versions") or ():
            if not version.get("served", True):
                continue
            subresources = tuple(sorted((version.get("subresources") or {}).keys()))
            schema = (version.get("schema") or {}).get("openAPIV3Schema")
            out.append(
                cls(
                    group=spec.get("group", ""),
                    version=version["name"],
                    kind=names.get("kind", ""),
                    list_kind=names.get("listKind") or names.get("kind", "") + "List",
                    plural=names.get("plural", ""),
                    namespaced=spec.get("scope", "Namespaced") == "Namespaced",
                    schema=schema,
                    subresources=subresources,
                )
            )
        return out


def group_version_path(group: str, version: str) -> str:
    """The key of a group-version in ``/openapi/v3``: ``api/v1``, ``apis/apps/v1``."""
    return f"apis/{group}/{version}" if group else f"api/{version}"


# --------------------------------------------------------------------------------------------
# Operations, in one neutral shape rendered as v2 or v3


@dataclass(frozen=True)
class _Param:
    name: str
    type: str  # "string", "integer", "boolean"
    description: str
    where: str = "query"
    required: bool = False


def _q(name: str, type_: str, description: str) -> _Param:
    return _Param(name, type_, description)


# Short forms of kube-apiserver's parameter descriptions.
_DRY_RUN = _q("dryRun", "string", "When present, modifications are not persisted. Valid values are: - All")
_FIELD_MANAGER = _q("fieldManager", "string", "fieldManager is a name associated with the actor making these changes.")
_FIELD_VALIDATION = _q(
    "fieldValidation",
    "string",
    "How the server handles unknown or duplicate fields in the request body. Valid values are: "
    "- Ignore - Warn (the default) - Strict: fail the request with a BadRequest error.",
)
_FORCE = _q(
    "force", "boolean", "Force Apply requests: take the fields other managers own. Must be unset for other patches."
)
_CONTINUE = _q("continue", "string", "The continue token of a previous paged list call.")
_FIELD_SELECTOR = _q("fieldSelector", "string", "A selector to restrict the list of returned objects by their fields.")
_LABEL_SELECTOR = _q("labelSelector", "string", "A selector to restrict the list of returned objects by their labels.")
_LIMIT = _q("limit", "integer", "The maximum number of responses to return for a list call.")
_RESOURCE_VERSION = _q(
    "resourceVersion", "string", "A constraint on what resource versions a request may be served from."
)
_RESOURCE_VERSION_MATCH = _q(
    "resourceVersionMatch", "string", "How resourceVersion is applied to list calls: NotOlderThan or Exact."
)
_SEND_INITIAL_EVENTS = _q(
    "sendInitialEvents", "boolean", "With watch=true: synthetic events for the current state, then a bookmark."
)
_TIMEOUT = _q("timeoutSeconds", "integer", "Timeout for the list/watch call.")
_WATCH = _q("watch", "boolean", "Watch for changes to the described resources instead of listing them.")
_BOOKMARKS = _q("allowWatchBookmarks", "boolean", "Requests watch events with type BOOKMARK.")
_GRACE = _q("gracePeriodSeconds", "integer", "The duration in seconds before the object should be deleted.")
_ORPHAN = _q("orphanDependents", "boolean", "Deprecated: use propagationPolicy.")
_PROPAGATION = _q("propagationPolicy", "string", "Garbage collection: Orphan, Background or Foreground.")
_PRETTY = _q("pretty", "string", "If 'true', then the output is pretty printed.")

_LIST_PARAMS = (
    _BOOKMARKS,
    _CONTINUE,
    _FIELD_SELECTOR,
    _LABEL_SELECTOR,
    _LIMIT,
    _RESOURCE_VERSION,
    _RESOURCE_VERSION_MATCH,
    _SEND_INITIAL_EVENTS,
    _TIMEOUT,
    _WATCH,
)
_WRITE_PARAMS = (_DRY_RUN, _FIELD_MANAGER, _FIELD_VALIDATION)
_PATCH_PARAMS = (*_WRITE_PARAMS, _FORCE)
_DELETE_PARAMS = (_DRY_RUN, _GRACE, _ORPHAN, _PROPAGATION)
_DELETE_COLLECTION_PARAMS = (
    _CONTINUE,
    _DRY_RUN,
    _FIELD_SELECTOR,
    _GRACE,
    _LABEL_SELECTOR,
    _LIMIT,
    _ORPHAN,
    _PROPAGATION,
    _RESOURCE_VERSION,
    _RESOURCE_VERSION_MATCH,
    _SEND_INITIAL_EVENTS,
    _TIMEOUT,
)
_STREAM_PARAMS = (
    _q("container", "string", "The container for the call. Defaults to the only container if there is one."),
    _q("stderr", "boolean", "Redirect the standard error stream of the pod for this call."),
    _q("stdin", "boolean", "Redirect the standard input stream of the pod for this call."),
    _q("stdout", "boolean", "Redirect the standard output stream of the pod for this call."),
    _q("tty", "boolean", "Allocate a TTY for the call."),
)
_CONNECT_PARAMS: dict[str, tuple[_Param, ...]] = {
    "exec": (_q("command", "string", "The command to execute (argv, repeated). Not run in a shell."), *_STREAM_PARAMS),
    "attach": _STREAM_PARAMS,
    "portforward": (_q("ports", "integer", "List of ports to forward."),),
    "proxy": (_q("path", "string", "Path is the URL path to use for the current proxy request."),),
}
_LOG_PARAMS = (
    _q("container", "string", "The container for which to stream logs."),
    _q("follow", "boolean", "Follow the log stream of the pod."),
    _q("insecureSkipTLSVerifyBackend", "boolean", "Do not verify the serving certificate of the kubelet."),
    _q("limitBytes", "integer", "The number of bytes to read from the server before terminating the log output."),
    _q("previous", "boolean", "Return previous terminated container logs."),
    _q("sinceSeconds", "integer", "A relative time in seconds before the current time from which to show logs."),
    _q("stream", "string", "The log stream of the container to return: All, Stdout or Stderr."),
    _q("tailLines", "integer", "The number of lines from the end of the logs to show."),
    _q("timestamps", "boolean", "Add an RFC3339 timestamp at the beginning of every line of log output."),
)
_PROXY_METHODS = ("get", "put", "post", "delete", "options", "head", "patch")

# The body kind of subresources that do not carry their parent: (group, version, kind).
_SUBRESOURCE_KINDS: dict[str, tuple[str, str, str]] = {
    "scale": ("autoscaling", "v1", "Scale"),
    "binding": ("", "v1", "Binding"),
    "eviction": ("policy", "v1", "Eviction"),
    "token": ("authentication.k8s.io", "v1", "TokenRequest"),
}
_CREATE_SUBRESOURCES = ("binding", "eviction", "token")
_CONNECT_SUBRESOURCES = ("exec", "attach", "portforward", "proxy")
# kube-apiserver's operation name verbs (apiserver/pkg/endpoints/openapi: the shortest that matches)
_OPERATION_VERBS = ("get", "log", "read", "replace", "patch", "delete", "watch", "connect", "proxy", "list", "create")


def _valid_operation_id(text: str, capitalize_first: bool) -> str:
    """apiserver's ToValidOperationID: drop punctuation, camel-case what follows it."""
    out = []
    capitalize = capitalize_first
    for index, char in enumerate(text):
        if char.isalpha() or char == "_" or (index != 0 and char.isdigit()):
            out.append(char.upper() if capitalize else char)
            capitalize = False
        else:
            capitalize = True
    return "".join(out)


def _operation_id_and_tag(route_operation: str, group: str, version: str) -> tuple[str, str]:
    """apiserver's GetOperationIDAndTags: ``listNamespacedPod`` on apps/v1 -> ``listAppsV1NamespacedPod``."""
    prefix = next(verb for verb in sorted(_OPERATION_VERBS, key=len) if route_operation.startswith(verb))
    rest = route_operation[len(prefix) :]
    trimmed = (group or "core").removesuffix(".k8s.io")
    prefix += _valid_operation_id(trimmed, True) + _valid_operation_id(version, True)
    tag = _valid_operation_id(trimmed, False) + "_" + _valid_operation_id(version, False)
    return prefix + _valid_operation_id(rest, True), tag


def _article(noun: str) -> str:
    """apiserver's GetArticleForNoun, padded with spaces."""
    if noun.endswith("s") and not noun.endswith("ss"):
        return " "
    return " an " if noun[:1].lower() in "aeiou" else " a "


@dataclass(frozen=True)
class _Op:
    method: str  # lower-case HTTP method
    route: str  # kube-apiserver's route operation name, e.g. "listNamespacedPod"
    description: str
    action: str  # x-kubernetes-action
    gvk: tuple[str, str, str]
    params: tuple[_Param, ...] = ()
    body: str | None = None  # definition name of the request body
    body_required: bool = True
    consumes: tuple[str, ...] = ("*/*",)
    responses: tuple[tuple[str, str, str | None], ...] = ()  # (code, description, definition or None=string)
    produces: tuple[str, ...] = OBJECT_MEDIA_TYPES


@dataclass
class _PathItem:
    params: tuple[_Param, ...]
    ops: list[_Op] = field(default_factory=list)


_OK = "OK"


def _ok(definition: str | None, *codes: str) -> tuple[tuple[str, str, str | None], ...]:
    names = {"200": _OK, "201": "Created", "202": "Accepted"}
    return tuple((code, names[code], definition) for code in ("200", *codes))


class _Builder:
    """The paths of a set of served resources, with the definitions they name."""

    def __init__(self, schemas: Schemas) -> None:
        self.schemas = schemas
        self.paths: dict[str, _PathItem] = {}

    def _path(self, path: str, params: tuple[_Param, ...]) -> _PathItem:
        item = self.paths.get(path)
        if item is None:
            item = self.paths[path] = _PathItem(params)
        return item

    def add_group_version(self, group: str, version: str) -> None:
        root = f"/apis/{group}/{version}/" if group else f"/api/{version}/"
        self._path(root, ()).ops.append(
            _Op(
                "get",
                "getAPIResources",
                "get available resources",
                "",
                ("", "", ""),
                responses=_ok(API_RESOURCE_LIST),
            )
        )

    def add(self, rt: Served) -> None:
        name = self.schemas.name_for(rt.group, rt.version, rt.kind)
        if name is None:
            return  # no schema, nothing a client could use: not documented (kube-apiserver has one for all)
        list_name = self.schemas.name_for(rt.group, rt.version, rt.kind + "List")
        kind, gvk, verbs = rt.kind, (rt.group, rt.version, rt.kind), set(rt.verbs)
        base = f"/apis/{rt.group}/{rt.version}" if rt.group else f"/api/{rt.version}"
        ns_param = _Param(
            "namespace", "string", "object name and auth scope, such as for teams and projects", "path", True
        )
        scope = "Namespaced" if rt.namespaced else ""
        collection = f"{base}/namespaces/{{namespace}}/{rt.plural}" if rt.namespaced else f"{base}/{rt.plural}"
        coll_params = (ns_param, _PRETTY) if rt.namespaced else (_PRETTY,)

        def item_params(of: str) -> tuple[_Param, ...]:
            name_param = _Param("name", "string", f"name of the {of}", "path", True)
            return (name_param, ns_param, _PRETTY) if rt.namespaced else (name_param, _PRETTY)

        ops = self._path(collection, coll_params).ops
        if "list" in verbs and list_name:
            ops.append(
                _Op(
                    "get",
                    f"list{scope}{kind}",
                    f"list or watch objects of kind {kind}" if "watch" in verbs else f"list objects of kind {kind}",
                    "list",
                    gvk,
                    _LIST_PARAMS,
                    responses=_ok(list_name),
                    produces=WATCH_MEDIA_TYPES,
                )
            )
        if "create" in verbs:
            ops.append(
                _Op(
                    "post",
                    f"create{scope}{kind}",
                    f"create{_article(kind)}{kind}",
                    "post",
                    gvk,
                    _WRITE_PARAMS,
                    body=name,
                    responses=_ok(name, "201", "202"),
                )
            )
        if "deletecollection" in verbs:
            ops.append(
                _Op(
                    "delete",
                    f"deletecollection{scope}{kind}",
                    f"delete collection of {kind}",
                    "deletecollection",
                    gvk,
                    _DELETE_COLLECTION_PARAMS,
                    body=DELETE_OPTIONS,
                    body_required=False,
                    responses=_ok(STATUS),
                )
            )
        item = f"{collection}/{{name}}"
        ops = self._path(item, item_params(kind)).ops
        if "get" in verbs:
            ops.append(_Op("get", f"read{scope}{kind}", f"read the specified {kind}", "get", gvk, responses=_ok(name)))
        if "update" in verbs:
            ops.append(
                _Op(
                    "put",
                    f"replace{scope}{kind}",
                    f"replace the specified {kind}",
                    "put",
                    gvk,
                    _WRITE_PARAMS,
                    body=name,
                    responses=_ok(name, "201"),
                )
            )
        if "patch" in verbs:
            ops.append(self._patch(f"patch{scope}{kind}", f"partially update the specified {kind}", gvk, name))
        if "delete" in verbs:
            ops.append(
                _Op(
                    "delete",
                    f"delete{scope}{kind}",
                    f"delete{_article(kind)}{kind}",
                    "delete",
                    gvk,
                    _DELETE_PARAMS,
                    body=DELETE_OPTIONS,
                    body_required=False,
                    responses=_ok(STATUS, "202"),
                )
            )
        if not self.paths[item].ops:
            del self.paths[item]
        if not self.paths[collection].ops:
            del self.paths[collection]
        if "list" in verbs and list_name and rt.namespaced:
            self._path(f"{base}/{rt.plural}", (_PRETTY,)).ops.append(
                _Op(
                    "get",
                    f"list{kind}ForAllNamespaces",
                    f"list or watch objects of kind {kind}",
                    "list",
                    gvk,
                    _LIST_PARAMS,
                    responses=_ok(list_name),
                    produces=WATCH_MEDIA_TYPES,
                )
            )
        if "watch" in verbs:
            self._watch(rt, base, gvk, scope, item_params(kind))
        for sub in rt.subresources:
            self._subresource(rt, sub, f"{item}/{sub}", gvk, scope, item_params)

    def _patch(self, route: str, description: str, gvk: tuple[str, str, str], name: str) -> _Op:
        # Custom resources have no patch strategies: kubectl's apply reads the patch media types
        # here to choose between a strategic merge patch and a JSON merge patch.
        custom = self.schemas.name_for(*gvk) in self.schemas.custom
        return _Op(
            "patch",
            route,
            description,
            "patch",
            gvk,
            _PATCH_PARAMS,
            body=PATCH,
            consumes=CUSTOM_PATCH_MEDIA_TYPES if custom else PATCH_MEDIA_TYPES,
            responses=_ok(name, "201"),
        )

    def _watch(
        self, rt: Served, base: str, gvk: tuple[str, str, str], scope: str, item_params: tuple[_Param, ...]
    ) -> None:
        """The deprecated ``/watch/`` paths, still published by kube-apiserver."""
        kind, plural = rt.kind, rt.plural
        watch_base = f"{base}/watch/namespaces/{{namespace}}/{plural}" if rt.namespaced else f"{base}/watch/{plural}"
        deprecated = ". deprecated: use the 'watch' parameter with a list operation instead"
        ns_params = tuple(p for p in item_params if p.name != "name")
        self._path(watch_base, (*_LIST_PARAMS, *ns_params)).ops.append(
            _Op(
                "get",
                f"watch{scope}{kind}List",
                f"watch individual changes to a list of {kind}{deprecated}.",
                "watchlist",
                gvk,
                responses=_ok(WATCH_EVENT),
                produces=WATCH_MEDIA_TYPES,
            )
        )
        self._path(f"{watch_base}/{{name}}", (*_LIST_PARAMS, *item_params)).ops.append(
            _Op(
                "get",
                f"watch{scope}{kind}",
                f"watch changes to an object of kind {kind}{deprecated}, "
                "filtered to a single item with the 'fieldSelector' parameter.",
                "watch",
                gvk,
                responses=_ok(WATCH_EVENT),
                produces=WATCH_MEDIA_TYPES,
            )
        )
        if rt.namespaced:
            self._path(f"{base}/watch/{plural}", (*_LIST_PARAMS, _PRETTY)).ops.append(
                _Op(
                    "get",
                    f"watch{kind}ListForAllNamespaces",
                    f"watch individual changes to a list of {kind}{deprecated}.",
                    "watchlist",
                    gvk,
                    responses=_ok(WATCH_EVENT),
                    produces=WATCH_MEDIA_TYPES,
                )
            )

    def _subresource(
        self,
        rt: Served,
        sub: str,
        path: str,
        parent_gvk: tuple[str, str, str],
        scope: str,
        item_params: Callable[[str], tuple[_Param, ...]],
    ) -> None:
        kind, title = rt.kind, sub.title()
        if sub in _CONNECT_SUBRESOURCES:
            options = kind + ("PortForward" if sub == "portforward" else title) + "Options"
            gvk = (rt.group, rt.version, options)
            methods = _PROXY_METHODS if sub == "proxy" else ("get", "post")
            variants: list[tuple[str, str, tuple[_Param, ...], tuple[_Param, ...]]] = [
                ("", path, _CONNECT_PARAMS[sub], ())
            ]
            if sub == "proxy":  # and /proxy/{path}, where the path is in the URL, not a parameter
                path_param = _Param("path", "string", "path to the resource", "path", True)
                variants.append(("WithPath", f"{path}/{{path}}", (), (path_param,)))
            for suffix, where, params, extra in variants:
                path_params = tuple(p for p in item_params(options) if p.name != "pretty")
                ops = self._path(where, (*path_params, *extra)).ops
                for method in methods:
                    ops.append(
                        _Op(
                            method,
                            f"connect{method.title()}{scope}{kind}{title}{suffix}",
                            f"connect {method.upper()} requests to {sub} of {kind}",
                            "connect",
                            gvk,
                            params,
                            responses=_ok(None),
                            produces=("*/*",),
                        )
                    )
            return
        if sub == "log":
            self._path(path, item_params(kind)).ops.append(
                _Op(
                    "get",
                    f"read{scope}{kind}Log",
                    f"read log of the specified {kind}",
                    "get",
                    parent_gvk,
                    _LOG_PARAMS,
                    responses=_ok(None),
                    produces=("text/plain", *OBJECT_MEDIA_TYPES),
                )
            )
            return
        body_gvk = _SUBRESOURCE_KINDS.get(sub, parent_gvk)
        body = self.schemas.name_for(*body_gvk)
        if body is None:
            return
        ops = self._path(path, item_params(kind)).ops
        if sub in _CREATE_SUBRESOURCES:
            ops.append(
                _Op(
                    "post",
                    f"create{scope}{kind}{title}",
                    f"create {sub} of{_article(kind)}{kind}",
                    "post",
                    body_gvk,
                    _WRITE_PARAMS,
                    body=body,
                    responses=_ok(body, "201", "202"),
                )
            )
            return
        if sub != "finalize":
            ops.append(
                _Op(
                    "get",
                    f"read{scope}{kind}{title}",
                    f"read {sub} of the specified {kind}",
                    "get",
                    body_gvk,
                    responses=_ok(body),
                )
            )
        ops.append(
            _Op(
                "put",
                f"replace{scope}{kind}{title}",
                f"replace {sub} of the specified {kind}",
                "put",
                body_gvk,
                _WRITE_PARAMS,
                body=body,
                responses=_ok(body, "201"),
            )
        )
        if sub != "finalize":
            ops.append(
                self._patch(
                    f"patch{scope}{kind}{title}", f"partially update {sub} of the specified {kind}", body_gvk, body
                )
            )

    def referenced(self) -> list[str]:
        """The definitions the paths name, with everything they reach."""
        roots: set[str] = set()
        for item in self.paths.values():
            for op in item.ops:
                roots.update(name for _, _, name in op.responses if name)
                if op.body:
                    roots.add(op.body)
        return self.schemas.closure(roots)


def _gvk_extension(gvk: tuple[str, str, str]) -> dict[str, str]:
    return {"group": gvk[0], "kind": gvk[2], "version": gvk[1]}


def _v2_param(param: _Param) -> Schema:
    out: Schema = {"name": param.name, "in": param.where, "description": param.description, "type": param.type}
    out["uniqueItems"] = True
    if param.required:
        out["required"] = True
    return out


def _v3_param(param: _Param) -> Schema:
    out: Schema = {"name": param.name, "in": param.where, "description": param.description}
    if param.required:
        out["required"] = True
    out["schema"] = {"type": param.type, "uniqueItems": True}
    return out


def _v2_operation(op: _Op, group: str, version: str) -> Schema:
    operation_id, tag = _operation_id_and_tag(op.route, group, version)
    params: list[Schema] = []
    if op.body:
        body: Schema = {"name": "body", "in": "body", "schema": {"$ref": DEFINITIONS_PREFIX + op.body}}
        if op.body_required:
            body["required"] = True
        params.append(body)
    params.extend(_v2_param(p) for p in op.params)
    out: Schema = {
        "description": op.description,
        "consumes": list(op.consumes),
        "produces": list(op.produces),
        "schemes": ["https"],
        "tags": [tag],
        "operationId": operation_id,
        "responses": {
            code: {"description": text, "schema": {"$ref": DEFINITIONS_PREFIX + name} if name else {"type": "string"}}
            for code, text, name in op.responses
        }
        | {"401": {"description": "Unauthorized"}},
    }
    if params:
        out["parameters"] = params
    if op.action:
        out["x-kubernetes-action"] = op.action
        out["x-kubernetes-group-version-kind"] = _gvk_extension(op.gvk)
    return out


def _v3_operation(op: _Op, group: str, version: str) -> Schema:
    operation_id, tag = _operation_id_and_tag(op.route, group, version)
    out: Schema = {"tags": [tag], "description": op.description, "operationId": operation_id}
    if op.params:
        out["parameters"] = [_v3_param(p) for p in op.params]
    if op.body:
        ref = {"schema": {"$ref": COMPONENTS_PREFIX + op.body}}
        out["requestBody"] = {"content": {media: ref for media in op.consumes}}
        if op.body_required:
            out["requestBody"]["required"] = True
    out["responses"] = {
        code: {
            "description": text,
            "content": {
                media: {"schema": {"$ref": COMPONENTS_PREFIX + name} if name else {"type": "string"}}
                for media in op.produces
            },
        }
        for code, text, name in op.responses
    } | {"401": {"description": "Unauthorized"}}
    if op.action:
        out["x-kubernetes-action"] = op.action
        out["x-kubernetes-group-version-kind"] = _gvk_extension(op.gvk)
    return out


def _path_group_version(path: str) -> tuple[str, str]:
    parts = path.strip("/").split("/")
    return ("", parts[1]) if parts[0] == "api" else (parts[1], parts[2])


def _v2_definition(schema: Any) -> Any:
    """A custom resource's OpenAPI v3 schema made v2-safe, as apiextensions' ToStructuralOpenAPIV2 does."""
    if not isinstance(schema, dict):
        return schema
    out = {key: value for key, value in schema.items() if key not in ("allOf", "oneOf", "anyOf", "not")}
    if out.pop("nullable", False):
        for key in ("type", "items", "properties"):
            out.pop(key, None)
    if out.get("x-kubernetes-preserve-unknown-fields"):
        out.pop("items", None)
        out.pop("properties", None)
        if out.get("type") == "object":
            del out["type"]
    if out.get("type") == "array" and "items" not in out:
        del out["type"]
    if isinstance(out.get("properties"), dict):
        properties = out["properties"]
        nullable = {key for key, value in properties.items() if isinstance(value, dict) and value.get("nullable")}
        out["properties"] = {key: _v2_definition(value) for key, value in properties.items()}
        if nullable and isinstance(out.get("required"), list):
            out["required"] = [key for key in out["required"] if key not in nullable] or None
            if out["required"] is None:
                del out["required"]
    for key in ("items", "additionalProperties"):
        if isinstance(out.get(key), dict):
            out[key] = _v2_definition(out[key])
    return out


def _v3_definition(name: str, definition: Schema) -> Any:
    one_of = V3_ONE_OF.get(name)
    if one_of is None:
        return _v3_schema(definition)
    return {key: value for key, value in definition.items() if key not in ("type", "format")} | one_of


def _v3_schema(node: Any) -> Any:
    """A v2 schema as kube-openapi writes it in v3: components refs, ``allOf`` around a ``$ref`` with siblings."""
    if isinstance(node, list):
        return [_v3_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: Schema = {}
    for key, value in node.items():
        if key == "$ref" and isinstance(value, str):
            continue
        if key in ("properties", "patternProperties") and isinstance(value, dict):
            out[key] = {name: _v3_schema(child) for name, child in value.items()}
        elif key.startswith("x-") or key in ("enum", "default", "example", "required"):
            out[key] = value
        else:
            out[key] = _v3_schema(value)
    ref = node.get("$ref")
    if isinstance(ref, str):
        target = {"$ref": COMPONENTS_PREFIX + _ref_name(ref)}
        if not out:
            return target
        out["allOf"] = [target]
    return out


# --------------------------------------------------------------------------------------------
# The documents


def build_v2(resources: Iterable[Served], schemas: Schemas | None = None) -> Schema:
    """The Swagger 2.0 document of ``/openapi/v2`` for these served resources."""
    schemas = schemas or Schemas.builtin()
    builder = _builder(resources, schemas)
    paths: Schema = {}
    for path in sorted(builder.paths):
        item = builder.paths[path]
        group, version = _path_group_version(path)
        entry: Schema = {op.method: _v2_operation(op, group, version) for op in item.ops}
        if item.params:
            entry["parameters"] = [_v2_param(p) for p in item.params]
        paths[path] = entry
    definitions = {
        name: _v2_definition(schemas.definitions[name]) if name in schemas.custom else schemas.definitions[name]
        for name in builder.referenced()
    }
    return {
        "swagger": "2.0",
        "info": {"title": "Kubernetes", "version": schemas.kubernetes_version},
        "paths": paths,
        "definitions": definitions,
        "securityDefinitions": SECURITY_DEFINITIONS,
        "security": [{"BearerToken": []}],
    }


def build_v3(resources: Iterable[Served], schemas: Schemas | None = None) -> dict[str, Schema]:
    """The OpenAPI 3.0 documents of ``/openapi/v3/<gv>``, keyed ``api/v1``, ``apis/apps/v1``..."""
    schemas = schemas or Schemas.builtin()
    by_gv: dict[tuple[str, str], list[Served]] = {}
    for rt in resources:
        by_gv.setdefault((rt.group, rt.version), []).append(rt)
    out: dict[str, Schema] = {}
    for (group, version), members in sorted(by_gv.items()):
        builder = _builder(members, schemas)
        paths: Schema = {}
        for path in sorted(builder.paths):
            item = builder.paths[path]
            entry: Schema = {op.method: _v3_operation(op, group, version) for op in item.ops}
            if item.params:
                entry["parameters"] = [_v3_param(p) for p in item.params]
            paths[path] = entry
        out[group_version_path(group, version)] = {
            "openapi": "3.0.0",
            "info": {"title": "Kubernetes", "version": schemas.kubernetes_version},
            "paths": paths,
            "components": {
                "schemas": {name: _v3_definition(name, schemas.definitions[name]) for name in builder.referenced()},
                "securitySchemes": SECURITY_DEFINITIONS,
            },
        }
    return out


def _builder(resources: Iterable[Served], schemas: Schemas) -> _Builder:
    builder = _Builder(schemas)
    group_versions: set[tuple[str, str]] = set()
    for rt in sorted(resources, key=lambda r: (r.group, r.version, r.plural)):
        if (rt.group, rt.version) not in group_versions:
            group_versions.add((rt.group, rt.version))
            builder.add_group_version(rt.group, rt.version)
        builder.add(rt)
    return builder


def encode(document: Mapping[str, Any]) -> bytes:
    """A document's JSON bytes: compact, key order as built, so the hash is stable."""
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


def content_hash(body: bytes) -> str:
    """kube-openapi's computeETag: SHA-512 of the JSON, upper-case hex."""
    return hashlib.sha512(body).hexdigest().upper()


@dataclass(frozen=True)
class Document:
    """One served document: its JSON bytes and their hash (the ETag, without quotes)."""

    body: bytes
    hash: str

    @classmethod
    def of(cls, document: Mapping[str, Any]) -> Document:
        body = encode(document)
        return cls(body, content_hash(body))

    @property
    def etag(self) -> str:
        return f'"{self.hash}"'


@dataclass(frozen=True)
class Answer:
    """What to send for an OpenAPI request (the app turns it into its own response type)."""

    code: int
    body: bytes
    content_type: str = JSON
    headers: tuple[tuple[str, str], ...] = ()


class Documents:
    """The OpenAPI documents of one set of served resources, built on first use and kept.

    Build a new one when the served resources or the schemas change (a CRD is added): the
    hashes in ``/openapi/v3`` then change, which is how clients notice.
    """

    def __init__(self, resources: Iterable[Served], schemas: Schemas | None = None) -> None:
        self._resources = list(resources)
        self._schemas = schemas
        self._v2: Document | None = None
        self._v3: dict[str, Document] | None = None
        self._v3_root: Document | None = None

    @property
    def schemas(self) -> Schemas:
        return self._schemas or Schemas.builtin()

    def v2(self) -> Document:
        if self._v2 is None:
            self._v2 = Document.of(build_v2(self._resources, self.schemas))
        return self._v2

    def v3_group_versions(self) -> dict[str, Document]:
        if self._v3 is None:
            self._v3 = {gv: Document.of(doc) for gv, doc in build_v3(self._resources, self.schemas).items()}
        return self._v3

    def v3_root(self) -> Document:
        """``{"paths": {"api/v1": {"serverRelativeURL": "/openapi/v3/api/v1?hash=..."}, ...}}``."""
        if self._v3_root is None:
            paths = {
                gv: {"serverRelativeURL": server_relative_url(gv, doc.hash)}
                for gv, doc in sorted(self.v3_group_versions().items())
            }
            self._v3_root = Document.of({"paths": paths})
        return self._v3_root

    def v3(self, group_version: str) -> Document | None:
        """The document of ``api/v1`` or ``apis/<group>/<version>``, or None if not served."""
        return self.v3_group_versions().get(group_version.strip("/"))

    def answer(
        self, path: str, *, accept: str | None = None, if_none_match: str | None = None, query_hash: str | None = None
    ) -> Answer:
        """The answer to ``GET path`` (``/openapi/v2``, ``/openapi/v3``, ``/openapi/v3/<gv>``), as kube-openapi's.

        Raises:
            errors.NotFound: no such document.
            errors.NotAcceptable: the Accept header allows no type served here.
        """
        path = path.rstrip("/")
        if path == "/openapi/v2":
            negotiate(accept, protobuf=PROTOBUF_V2)
            return _conditional(self.v2(), if_none_match, (("Vary", "Accept"),))
        if path == "/openapi/v3":
            # the discovery document is JSON whatever the Accept header says, as in kube-openapi
            return _conditional(self.v3_root(), if_none_match, ())
        prefix = "/openapi/v3/"
        document = self.v3(path[len(prefix) :]) if path.startswith(prefix) else None
        if document is None:
            raise errors.NotFound(f"the server could not find the requested resource ({path})")
        negotiate(accept, protobuf=PROTOBUF_V3)
        headers: tuple[tuple[str, str], ...] = (("Vary", "Accept"),)
        if query_hash:
            gv = path[len(prefix) :].strip("/")
            if query_hash != document.hash:
                location = server_relative_url(gv, document.hash)
                return Answer(301, b"", "text/html; charset=utf-8", (("Location", location), *headers))
            expires = email.utils.formatdate(time.time() + 365 * 24 * 3600, usegmt=True)
            headers = (*headers, ("Cache-Control", "public, immutable"), ("Expires", expires))
        return _conditional(document, if_none_match, headers)


def _conditional(document: Document, if_none_match: str | None, headers: tuple[tuple[str, str], ...]) -> Answer:
    headers = (("ETag", document.etag), *headers)
    if if_none_match and _etag_matches(if_none_match, document.etag):
        return Answer(304, b"", JSON, headers)
    return Answer(200, document.body, JSON, headers)


def _etag_matches(if_none_match: str, etag: str) -> bool:
    candidates = [item.strip().removeprefix("W/") for item in if_none_match.split(",")]
    return "*" in candidates or etag in candidates


def server_relative_url(group_version: str, hash_: str) -> str:
    """``/openapi/v3/apis/apps/v1?hash=<HASH>``, the URL the v3 root lists."""
    return f"/openapi/v3/{group_version}?hash={hash_}"


def negotiate(accept: str | None, *, protobuf: Sequence[str] = PROTOBUF_V2) -> str:
    """The content type to answer an OpenAPI request with: always JSON, or NotAcceptable.

    kube-openapi walks the Accept clauses by preference (goautoneg) and serves the first of JSON
    or protobuf (``protobuf`` names both spellings) that one matches; no match is a 406. k3py
    has no protobuf encoder, so only JSON can match (``application/json``, ``application/*``,
    ``*/*``, or no Accept header at all). client-go asks for v2 with the protobuf type *alone*
    and cannot read JSON there, so that request gets the 406 rather than a body it would fail
    to parse.

    Raises:
        errors.NotAcceptable: no clause allows JSON (e.g. protobuf only).
    """
    clauses = _accept_clauses(accept or "*/*")
    for _, media in clauses:
        if media in (JSON, "application/*", "*/*"):
            return JSON
    wanted = ", ".join(media for _, media in clauses) or "nothing"
    hint = " (protobuf is not served; ask for application/json)" if any(m in protobuf for _, m in clauses) else ""
    raise errors.NotAcceptable(f"only application/json is available, not {wanted}{hint}")


def _accept_clauses(accept: str) -> list[tuple[float, str]]:
    """``(q, type/subtype)`` of each Accept clause with q > 0, most preferred first (parameters dropped)."""
    clauses: list[tuple[float, int, int, str]] = []
    for index, part in enumerate(accept.split(",")):
        media, *params = (piece.strip() for piece in part.split(";"))
        if not media:
            continue
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q <= 0:
            continue
        specificity = 0 if media == "*/*" else 1 if media.endswith("/*") else 2
        clauses.append((-q, -specificity, index, media.lower()))
    clauses.sort()
    return [(-q, media) for q, _, _, media in clauses]
