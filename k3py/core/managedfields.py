"""Field ownership for server-side apply: field sets, the apply merge, conflicts, managedFields.

A port of the parts of sigs.k8s.io/structured-merge-diff (Apache-2.0) that the apiserver's field
manager uses. Every write records, in ``metadata.managedFields``, which manager set which fields:
an *apply* (``application/apply-patch+yaml``) owns exactly the fields of its configuration and
conflicts with other owners of fields it would change; any other write (*update*) takes over the
fields it changes. Pure functions over JSON-like values; the schema says which lists are keyed
maps, sets or atomic, and which maps are atomic.

Paths are tuples of FieldsV1 elements: ``f:<name>`` (a field or map key), ``k:<json>`` (the item
of a keyed list, by its key fields), ``v:<json>`` (the item of a set).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from k3py.core import errors

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

Path = tuple[str, ...]
Obj = dict[str, Any]

APPLY = "Apply"
UPDATE = "Update"
#: who owns an object's fields when it is first applied but was written before ownership was kept
BEFORE_FIRST_APPLY = "before-first-apply"
MAX_MANAGER_LENGTH = 128
#: kubectl's record of a client-side apply; the fields in it and in the object may move to
#: server-side apply without conflicts, but only for kubectl itself (the apiserver's lastAppliedManager)
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
UPGRADING_MANAGER = "kubectl"

#: fields nobody owns: identity and system metadata (the apiserver's stripMetaManager)
STRIPPED_TOP = frozenset({"f:apiVersion", "f:kind"})
STRIPPED_META = frozenset(
    "f:" + name
    for name in (
        "name",
        "namespace",
        "uid",
        "creationTimestamp",
        "generation",
        "resourceVersion",
        "selfLink",
        "managedFields",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
    )
)
# A keyed list's key field that is absent takes the default the Kubernetes schemas give it, so that
# an applied port without a protocol is the same item as the stored, defaulted one.
KEY_DEFAULTS = {"protocol": "TCP"}
_MEMBER = object()  # the value recorded for a path that is a member only through its children


class FieldSchema(Protocol):
    """What field ownership needs to know about one node of a type (see ``patch.DictSchema``)."""

    @property
    def list_type(self) -> str:
        """``atomic``, ``set`` or ``map`` (a list keyed by :attr:`list_map_keys`)."""
        ...

    @property
    def list_map_keys(self) -> tuple[str, ...]: ...

    @property
    def map_atomic(self) -> bool:
        """Whether the object or map is replaced as a whole (``x-kubernetes-map-type: atomic``)."""
        ...

    def declares(self, name: str) -> bool:
        """Whether ``name`` is a declared property (a struct field) rather than a map key."""
        ...

    def field(self, name: str) -> FieldSchema | None: ...

    def items(self) -> FieldSchema | None: ...


# -- paths and field sets ------------------------------------------------------------------------


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def item_element(item: Any, list_schema: FieldSchema | None) -> str:
    """The path element of one item of a non-atomic list."""
    if list_schema is not None and list_schema.list_type == "map" and isinstance(item, dict):
        key = {}
        for name in list_schema.list_map_keys:
            if name in item:
                key[name] = item[name]
            elif name in KEY_DEFAULTS:
                key[name] = KEY_DEFAULTS[name]
        return "k:" + _json(key)
    return "v:" + _json(item)


def _list_type(schema: FieldSchema | None) -> str:
    return schema.list_type if schema is not None else "atomic"


def leaves(value: Any, schema: FieldSchema | None, *, containers: bool = False) -> dict[Path, Any]:
    """Every path the value sets, with the value at the path (structured-merge-diff's ToFieldSet).

    Scalars, atomic lists and maps, empty maps and nulls are leaves; list items and undeclared map
    keys are members too, recorded with a marker so that only their leaves compare by value.
    ``containers`` adds every object-valued field as a member: an update that adds a map owns the
    map itself, as an update's comparison does in Kubernetes (``f:data: {.: {}, ...}``).
    """
    out: dict[Path, Any] = {}
    _collect(value, schema, (), out, containers)
    return out


def _collect(value: Any, schema: FieldSchema | None, path: Path, out: dict[Path, Any], containers: bool) -> None:
    if isinstance(value, dict):
        if schema is not None and schema.map_atomic:
            out[path] = value
            return
        for key, child in value.items():
            child_path = (*path, "f:" + str(key))
            child_schema = schema.field(str(key)) if schema is not None else None
            _collect(child, child_schema, child_path, out, containers)
            if child is None or child == {}:
                out[child_path] = child
            elif schema is None or not schema.declares(str(key)) or (containers and isinstance(child, dict)):
                out.setdefault(child_path, _MEMBER)
    elif isinstance(value, list):
        if _list_type(schema) == "atomic":
            out[path] = value
            return
        item_schema = schema.items() if schema is not None else None
        for item in value:
            item_path = (*path, item_element(item, schema))
            if isinstance(item, dict | list):
                _collect(item, item_schema, item_path, out, containers)
                out.setdefault(item_path, _MEMBER)
            else:
                out[item_path] = item
    else:
        out[path] = value


@dataclass(frozen=True, slots=True)
class Ignored:
    """Paths nobody owns in one kind of write: system metadata, and the half of a kind with a status
    subresource that the write cannot change (``status`` for the main resource, the rest for it)."""

    only_status: bool = False
    no_status: bool = False

    @classmethod
    def for_write(cls, *, has_status: bool, subresource: str) -> Ignored:
        if subresource == "status":
            return cls(only_status=True)
        return cls(no_status=has_status)

    def covers(self, path: Path) -> bool:
        if path[0] in STRIPPED_TOP or path == ("f:metadata",):
            return True
        if path[0] == "f:metadata" and path[1] in STRIPPED_META:
            return True
        if self.only_status:
            return path[0] != "f:status"
        return self.no_status and path[0] == "f:status"


def to_string(path: Path) -> str:
    """A path as the apiserver prints it in conflicts: ``.spec.containers[name="web"].image``."""
    out = []
    for element in path:
        prefix, _, rest = element.partition(":")
        if prefix == "f":
            out.append("." + rest)
        elif prefix == "k":
            keys = json.loads(rest)
            out.append("[" + ",".join(f"{k}={_json(v)}" for k, v in keys.items()) + "]")
        elif prefix == "v":
            out.append(f"[={rest}]")
        else:
            out.append(f"[{rest}]")
    return "".join(out)


def encode_fields(paths: Iterable[Path]) -> Obj:
    """A path set as FieldsV1: nested ``{element: {...}}``, ``"."`` marking a member with children."""
    tree: Obj = {}
    members: list[Path] = []
    for path in sorted(paths):
        node = tree
        for element in path:
            node = node.setdefault(element, {})
        members.append(path)
    for path in members:
        node = tree
        for element in path:
            node = node[element]
        if node and "." not in node:
            node["."] = {}
    return _sorted_tree(tree)


def _sorted_tree(tree: Obj) -> Obj:
    return {key: _sorted_tree(tree[key]) for key in sorted(tree)}


def decode_fields(fields: Any) -> set[Path]:
    """The path set of a FieldsV1 object (malformed parts are ignored: nothing owns them)."""
    out: set[Path] = set()

    def walk(node: Any, path: Path) -> None:
        if not isinstance(node, dict):
            return
        if (not node or "." in node) and path:
            out.add(path)
        for key, child in node.items():
            if key != ".":
                walk(child, (*path, str(key)))

    walk(fields, ())
    return out


# -- managedFields entries -----------------------------------------------------------------------


@dataclass(slots=True)
class Entry:
    """One managedFields entry: a manager's fields from one kind of operation."""

    manager: str
    operation: str
    api_version: str
    fields: set[Path]
    time: str = ""
    subresource: str = ""

    @property
    def ident(self) -> tuple[str, str, str]:
        return self.manager, self.operation, self.subresource

    def describe(self) -> str:
        """The manager as conflict messages name it (the apiserver's printManager)."""
        text = json.dumps(self.manager)
        if self.subresource:
            text += f" with subresource {json.dumps(self.subresource)}"
        if self.operation == UPDATE:
            text += f" using {self.api_version}"
            if self.time:
                text += f" at {self.time}"
        return text

    def to_dict(self) -> Obj:
        out: Obj = {"manager": self.manager, "operation": self.operation, "apiVersion": self.api_version}
        if self.time:
            out["time"] = self.time
        out["fieldsType"] = "FieldsV1"
        out["fieldsV1"] = encode_fields(self.fields)
        if self.subresource:
            out["subresource"] = self.subresource
        return out


def decode_entries(managed: Any) -> list[Entry]:
    entries = []
    for raw in managed if isinstance(managed, list) else ():
        if not isinstance(raw, dict) or not raw.get("manager"):
            continue
        entries.append(
            Entry(
                manager=str(raw["manager"]),
                operation=str(raw.get("operation", UPDATE)),
                api_version=str(raw.get("apiVersion", "")),
                fields=decode_fields(raw.get("fieldsV1")),
                time=str(raw.get("time", "")),
                subresource=str(raw.get("subresource", "")),
            )
        )
    return entries


def encode_entries(entries: Iterable[Entry]) -> list[Obj]:
    """Non-empty entries in the apiserver's order: applies first, then by time and manager."""
    kept = [e for e in entries if e.fields]
    kept.sort(key=lambda e: (e.operation, e.time, e.manager, e.api_version, e.subresource))
    return [e.to_dict() for e in kept]


def check_manager(manager: str) -> None:
    if len(manager) > MAX_MANAGER_LENGTH:
        message = f"must have at most {MAX_MANAGER_LENGTH} bytes"
        raise errors.Invalid(
            f"fieldManager: Too long: {message}", causes=(errors.Cause("FieldValueTooLong", message, "fieldManager"),)
        )
    if any(not ch.isprintable() for ch in manager):
        raise errors.Invalid(
            "fieldManager: Invalid value: must only contain printable characters",
            causes=(errors.Cause("FieldValueInvalid", "must only contain printable characters", "fieldManager"),),
        )


# -- the apply merge -----------------------------------------------------------------------------


def merge(live: Any, config: Any, schema: FieldSchema | None) -> Any:
    """``config`` merged into ``live``: the configuration wins; keyed lists and sets merge by item."""
    if isinstance(live, dict) and isinstance(config, dict) and not (schema is not None and schema.map_atomic):
        out = dict(live)
        for key, value in config.items():
            if value is None:
                out.pop(key, None)
            elif key in live:
                out[key] = merge(live[key], value, schema.field(key) if schema is not None else None)
            else:
                out[key] = value
        return out
    if isinstance(live, list) and isinstance(config, list) and _list_type(schema) != "atomic":
        return _merge_list(live, config, schema)
    return config


def _merge_list(live: list[Any], config: list[Any], schema: FieldSchema | None) -> list[Any]:
    """Merge two keyed lists or sets keeping both orders where they agree (structured-merge-diff's
    mergingWalker.visitListItems): live items in place, shared ones in the config's order."""
    item_schema = schema.items() if schema is not None else None
    lhs = [item_element(item, schema) for item in live]
    rhs = [item_element(item, schema) for item in config]
    lhs_items = dict(zip(lhs, live, strict=True))
    rhs_items = dict(zip(rhs, config, strict=True))
    if len(rhs_items) != len(rhs):
        duplicate = next(pe for pe in rhs if rhs.count(pe) > 1)
        raise errors.BadRequest(f"the applied list has duplicate entries for {to_string((duplicate,))}")
    shared = [pe for pe in rhs if pe in lhs_items]
    next_shared = shared.pop(0) if shared else None
    merged: set[str] = set()
    out: list[Any] = []
    li = ri = 0
    while li < len(lhs) or ri < len(rhs):
        if li < len(lhs) and ri < len(rhs):
            pe = lhs[li]
            if pe == rhs[ri]:
                merged.add(pe)
                out.append(merge(lhs_items[pe], rhs_items[pe], item_schema))
                li += 1
                ri += 1
                next_shared = shared.pop(0) if shared else None
                continue
            if pe in rhs_items and next_shared is not None and next_shared != pe:
                li += 1
                continue
        if li < len(lhs):
            pe = lhs[li]
            if pe not in rhs_items:
                out.append(live[li])
                li += 1
                continue
            if pe in merged:
                li += 1
                continue
        if ri < len(rhs):
            pe = rhs[ri]
            merged.add(pe)
            out.append(merge(lhs_items[pe], rhs_items[pe], item_schema) if pe in lhs_items else config[ri])
            ri += 1
            if next_shared is not None and next_shared == pe:
                next_shared = shared.pop(0) if shared else None
    return out


def remove_path(obj: Any, path: Path, schema: FieldSchema | None) -> None:
    """Delete what ``path`` names from ``obj`` in place (nothing if it is not there)."""
    if not path:
        return
    element, rest = path[0], path[1:]
    prefix, _, name = element.partition(":")
    if prefix == "f" and isinstance(obj, dict) and name in obj:
        if rest:
            remove_path(obj[name], rest, schema.field(name) if schema is not None else None)
        else:
            del obj[name]
    elif prefix in ("k", "v") and isinstance(obj, list):
        for index, item in enumerate(obj):
            if item_element(item, schema) == element:
                if rest:
                    remove_path(item, rest, schema.items() if schema is not None else None)
                else:
                    del obj[index]
                return


# -- writes --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Write:
    """Who writes and how: the manager, the object's group/version and the write's subresource."""

    manager: str
    api_version: str
    now: str
    ignored: Ignored
    subresource: str = ""

    @classmethod
    def of(cls, manager: str, api_version: str, now: str, *, has_status: bool, subresource: str = "") -> Write:
        ignored = Ignored.for_write(has_status=has_status, subresource=subresource)
        return cls(manager, api_version, now, ignored, subresource)


def _owned(obj: Any, schema: FieldSchema | None, ignored: Ignored, *, containers: bool = False) -> dict[Path, Any]:
    return {p: v for p, v in leaves(obj, schema, containers=containers).items() if not ignored.covers(p)}


def _changes(old: dict[Path, Any], new: dict[Path, Any]) -> tuple[set[Path], set[Path]]:
    """(added or modified, removed) between two leaf maps."""
    changed = {p for p, v in new.items() if p not in old or (v is not _MEMBER and old[p] != v)}
    return changed, set(old) - set(new)


def _copy(value: Obj) -> Obj:
    copied: Obj = json.loads(json.dumps(value))
    return copied


def _stripped_meta(obj: Obj) -> Obj:
    out = dict(obj)
    out["metadata"] = {k: v for k, v in (obj.get("metadata") or {}).items() if k not in ("managedFields",)}
    return out


def track_update(old: Obj, new: Obj, schema: FieldSchema | None, write: Write) -> None:
    """Record an ordinary write (create, update, patch) in ``new``'s managedFields, in place.

    The writer takes over every field it adds or changes, from everyone (updates always force);
    removed fields leave every owner. A client that sends managedFields of its own replaces the
    record (``[{}]`` clears it). A write that changes nothing else keeps the record as it was, so
    it stays a no-op.
    """
    old_meta = old.get("metadata") or {}
    new_meta = new.setdefault("metadata", {})
    sent = new_meta.get("managedFields")
    if sent is not None and sent != old_meta.get("managedFields"):
        if isinstance(sent, list) and all(entry == {} for entry in sent):
            new_meta.pop("managedFields", None)
            return
        entries = decode_entries(sent)
    else:
        if old and _stripped_meta(old) == _stripped_meta(new):
            if "managedFields" in old_meta:
                new_meta["managedFields"] = old_meta["managedFields"]
            return
        entries = decode_entries(old_meta.get("managedFields"))
    changed, removed = _changes(
        _owned(old, schema, write.ignored, containers=True), _owned(new, schema, write.ignored, containers=True)
    )
    mine = (write.manager, UPDATE, write.subresource)
    own = next((e for e in entries if e.ident == mine), None)
    for entry in entries:
        entry.fields -= removed
        if entry is not own:
            entry.fields -= changed
    if own is None:
        own = Entry(write.manager, UPDATE, write.api_version, set(), subresource=write.subresource)
        entries.append(own)
    own.fields |= changed
    own.time, own.api_version = write.now, write.api_version
    _store_entries(new_meta, entries)


def _store_entries(metadata: Obj, entries: list[Entry]) -> None:
    encoded = encode_entries(entries)
    if encoded:
        metadata["managedFields"] = encoded
    else:
        metadata.pop("managedFields", None)


def apply(live: Obj | None, config: Obj, schema: FieldSchema | None, write: Write, *, force: bool = False) -> Obj:
    """The object after applying ``config`` as ``write.manager`` (server-side apply), with its
    managedFields; ``live`` is None when the object does not exist yet.

    Raises:
        errors.Conflict: the configuration changes fields that other managers own (unless forced);
            the causes name each field and manager, as the apiserver's do.
    """
    if (config.get("metadata") or {}).get("managedFields") is not None:
        raise errors.BadRequest("metadata.managedFields must be nil")
    ident = (write.manager, APPLY, write.subresource)
    config = _copy(config)  # the result must not share parts with the caller's configuration
    config_set = set(_owned(config, schema, write.ignored))
    if live is None:
        result = config
        entry = Entry(write.manager, APPLY, write.api_version, config_set, write.now, write.subresource)
        _store_entries(result.setdefault("metadata", {}), [entry])
        return result
    entries = decode_entries((live.get("metadata") or {}).get("managedFields"))
    live_owned = _owned(live, schema, write.ignored)
    if not entries and live_owned:
        # Written before fields were tracked: all of it belongs to a stand-in, not to nobody.
        entries = [Entry(BEFORE_FIRST_APPLY, UPDATE, write.api_version, set(live_owned), write.now)]
    merged = _copy(merge(live, config, schema))  # pruned in place below: nothing shared with live
    changed, _ = _changes(live_owned, _owned(merged, schema, write.ignored))
    conflicts = [(entry, path) for entry in entries if entry.ident != ident for path in sorted(entry.fields & changed)]
    if conflicts and not force:
        forgiven = _client_side_applied(live, schema, write) if write.manager == UPGRADING_MANAGER else set()
        remaining = [(entry, path) for entry, path in conflicts if path not in forgiven]
        if remaining:
            raise conflict_error(remaining)
    for entry, path in conflicts:
        entry.fields.discard(path)
    own = next((e for e in entries if e.ident == ident), None)
    previous = own.fields if own is not None else set()
    owned_by_others: set[Path] = set()
    for entry in entries:
        if entry is not own:
            owned_by_others |= entry.fields
    keep = owned_by_others | config_set
    removed_here: list[Path] = []
    for path in sorted(previous - keep, key=len):
        if any(path[: len(done)] == done for done in removed_here):
            continue  # gone with an ancestor
        if any(len(other) > len(path) and other[: len(path)] == path for other in keep):
            continue  # someone still owns a part of it: only its unowned parts go
        remove_path(merged, path, schema)
        removed_here.append(path)
    _, removed = _changes(live_owned, _owned(merged, schema, write.ignored))
    for entry in entries:
        entry.fields -= removed
    if own is None:
        own = Entry(write.manager, APPLY, write.api_version, set(), subresource=write.subresource)
        entries.append(own)
    own.fields, own.api_version = config_set, write.api_version
    merged_meta = merged.setdefault("metadata", {})
    if _stripped_meta(merged) != _stripped_meta(live) or own.fields != previous or conflicts:
        own.time = write.now
    _store_entries(merged_meta, entries)
    return merged


def _client_side_applied(live: Obj, schema: FieldSchema | None, write: Write) -> set[Path]:
    """The fields kubectl's client-side apply set that the object still has."""
    text = ((live.get("metadata") or {}).get("annotations") or {}).get(LAST_APPLIED)
    try:
        last = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        return set()
    if not isinstance(last, dict):
        return set()
    return set(_owned(last, schema, write.ignored)) & set(_owned(live, schema, write.ignored))


def conflict_error(conflicts: list[tuple[Entry, Path]]) -> errors.Conflict:
    """409 Conflict naming every conflicting field and its manager (the apiserver's message)."""
    causes = tuple(
        errors.Cause("FieldManagerConflict", f"conflict with {entry.describe()}", to_string(path))
        for entry, path in conflicts
    )
    if len(conflicts) == 1:
        entry, path = conflicts[0]
        return errors.Conflict(
            f"Apply failed with 1 conflict: conflict with {entry.describe()}: {to_string(path)}", causes=causes
        )
    by_manager: dict[str, list[str]] = {}
    for entry, path in conflicts:
        by_manager.setdefault(entry.describe(), []).append(to_string(path))
    lines = []
    for manager in sorted(by_manager):
        lines.append(f"conflicts with {manager}:")
        lines.extend(f"- {path}" for path in by_manager[manager])
    return errors.Conflict(f"Apply failed with {len(conflicts)} conflicts: " + "\n".join(lines), causes=causes)


def owners(managed: Any) -> Mapping[str, set[Path]]:
    """Manager name -> the paths it owns (all its entries together); for tests and diagnostics."""
    out: dict[str, set[Path]] = {}
    for entry in decode_entries(managed):
        out.setdefault(entry.manager, set()).update(entry.fields)
    return out
