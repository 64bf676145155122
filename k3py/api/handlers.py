"""The REST verbs of every stored resource, on top of the store.

It owns what the apiserver's generic registry (``registry/generic/registry/store.go``) owns:
object keys, system metadata (uid, creationTimestamp, generation, resourceVersion), namespace
checks, status subresources, finalizers and graceful deletion, list and watch with selectors.
Per-kind defaulting and validation, admission and patches come in around it.

Objects are stored as compact JSON without ``metadata.resourceVersion``; reads put the store
revision back, as the etcd3 storage does.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import trio

from k3py.api import allocators, conversion, strategies
from k3py.api.storage_errors import interpreted, not_found, qualified
from k3py.core import errors, managedfields, meta, selectors
from k3py.store import Compacted, EventType, RevisionMismatch, keys

if TYPE_CHECKING:
    import builtins
    from collections.abc import AsyncIterator, Callable

    from k3py.api.registry import ResourceType
    from k3py.core.managedfields import FieldSchema
    from k3py.store import KeyValue, Store

    #: the schema of a resource's objects, for field ownership (None: schema-less)
    SchemaLookup = Callable[[ResourceType], FieldSchema | None]

logger = logging.getLogger(__name__)

Obj = dict[str, Any]

# Resources whose names are DNS labels; RBAC names are path segments (they hold ':'); the rest
# are DNS subdomains (apimachinery's NameIsDNSLabel / ValidatePathSegmentName / NameIsDNSSubdomain).
LABEL_NAMED = frozenset({("", "namespaces"), ("", "services")})
PATH_NAMED_GROUPS = frozenset({"rbac.authorization.k8s.io"})
# How many times a read-modify-write retries on a conflict before giving up (GuaranteedUpdate).
UPDATE_RETRIES = 16
# A pod's terminationGracePeriodSeconds when its spec has none (the API's default).
DEFAULT_GRACE_PERIOD = 30


def now_rfc3339() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class ListOptions:
    label_selector: selectors.LabelSelector = field(default_factory=selectors.LabelSelector)
    field_selector: selectors.FieldSelector = field(default_factory=selectors.FieldSelector)
    limit: int = 0
    continue_token: str = ""
    resource_version: str = ""
    resource_version_match: str = ""


def name_rule(rt: ResourceType) -> str:
    if rt.group in PATH_NAMED_GROUPS:
        return "path"
    return "label" if (rt.group, rt.plural) in LABEL_NAMED else "subdomain"


def object_fields(rt: ResourceType, obj: Obj) -> Callable[[str], str | None]:
    """Field selector values of ``obj``: metadata.name/namespace and the per-kind fields."""
    meta_ = obj.get("metadata") or {}

    def get(path: str) -> str | None:
        if path == "metadata.name":
            return str(meta_.get("name", ""))
        if path == "metadata.namespace":
            return str(meta_.get("namespace", ""))
        value: Any = obj
        for part in path.split("."):
            if not isinstance(value, dict):
                return ""
            value = value.get(part)
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    return get


class Resources:
    """Create, read, update, delete, list and watch objects of any registered resource."""

    def __init__(
        self,
        store: Store,
        *,
        clock: Callable[[], str] = now_rfc3339,
        new_uid: Callable[[], str] = lambda: str(uuid.uuid4()),
        schema_for: SchemaLookup | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.new_uid = new_uid
        self.schema_for = schema_for
        # Services choose addresses from what the stored services use: one chooser at a time.
        self._service_lock = trio.Lock()

    # -- keys and decoding -----------------------------------------------------------------------

    @staticmethod
    def key(rt: ResourceType, namespace: str, name: str) -> str:
        group, resource = rt.storage_group_resource
        return keys.object_key(group, resource, namespace if rt.namespaced else "", name)

    @staticmethod
    def prefix(rt: ResourceType, namespace: str) -> str:
        group, resource = rt.storage_group_resource
        return keys.resource_prefix(group, resource, namespace if rt.namespaced else "")

    @staticmethod
    def decode(kv: KeyValue) -> Obj:
        obj: Obj = json.loads(kv.value)
        obj.setdefault("metadata", {})["resourceVersion"] = str(kv.mod_rev)
        return obj

    @staticmethod
    def encode(obj: Obj) -> bytes:
        metadata = obj.get("metadata") or {}
        stored = dict(obj)
        stored["metadata"] = {k: v for k, v in metadata.items() if k != "resourceVersion"}
        return json.dumps(stored, separators=(",", ":"), sort_keys=False).encode()

    @classmethod
    def _decode(cls, rt: ResourceType, kv: KeyValue) -> Obj:
        """A stored object in ``rt``'s version (see ``conversion``)."""
        return conversion.from_storage(rt.group, rt.version, rt.plural, cls.decode(kv))

    @classmethod
    def _encode(cls, rt: ResourceType, obj: Obj) -> bytes:
        return cls.encode(conversion.to_storage(rt.group, rt.version, rt.plural, obj))

    # -- reads -----------------------------------------------------------------------------------

    async def get(self, rt: ResourceType, namespace: str, name: str) -> Obj:
        kv = await self.store.get(self.key(rt, namespace, name))
        if kv is None:
            raise not_found(rt.group, rt.plural, name)
        return self._decode(rt, kv)

    async def list(self, rt: ResourceType, namespace: str, opts: ListOptions) -> Obj:
        name = opts.field_selector.value_of("metadata.name")
        revision = 0
        if opts.resource_version and opts.resource_version != "0" and opts.resource_version_match == "Exact":
            revision = _revision(opts.resource_version)
        one_key = name is not None and not opts.continue_token and not revision and (namespace or not rt.namespaced)
        if one_key:  # metadata.name=X names one key: no need to scan the range
            kv = await self.store.get(self.key(rt, namespace, str(name)))
            items_kv, result_revision, token, remaining = ([kv] if kv else []), self.store.revision, "", 0
        else:
            items_kv, result_revision, token, remaining = await self._page(rt, namespace, opts, revision)
        items = []
        for kv in items_kv:
            obj = self._decode(rt, kv)
            if self._matches(rt, obj, opts):
                items.append(obj)
        metadata: Obj = {"resourceVersion": str(result_revision)}
        if token:
            metadata["continue"] = token
            if remaining:
                metadata["remainingItemCount"] = remaining
        return {"kind": rt.list_kind, "apiVersion": rt.api_version, "metadata": metadata, "items": items}

    async def _page(
        self, rt: ResourceType, namespace: str, opts: ListOptions, revision: int
    ) -> tuple[builtins.list[KeyValue], int, str, int]:
        selective = not opts.label_selector.empty or bool(opts.field_selector.terms)
        with interpreted(rt.group, rt.plural):
            try:
                result = await self.store.list(
                    self.prefix(rt, namespace),
                    limit=0 if selective else opts.limit,  # filters apply before the limit
                    continue_token=opts.continue_token,
                    revision=revision,
                )
            except Compacted as exc:
                if opts.continue_token:
                    raise errors.Expired(
                        "The provided continue parameter is too old to display a consistent list result. You can "
                        "start a new list without the continue parameter, or use the continue token in this "
                        "response to retrieve the remainder of the results.",
                        kind=rt.plural,
                        group=rt.group,
                    ) from exc
                raise
        return result.items, result.revision, result.continue_token, result.remaining

    def _matches(self, rt: ResourceType, obj: Obj, opts: ListOptions) -> bool:
        labels = (obj.get("metadata") or {}).get("labels")
        return opts.label_selector.matches(labels) and opts.field_selector.matches(object_fields(rt, obj))

    async def watch(
        self, rt: ResourceType, namespace: str, opts: ListOptions, *, bookmarks: bool = False
    ) -> AsyncIterator[tuple[str, Obj]]:
        """Watch events as ``(type, object)``: ADDED, MODIFIED, DELETED and BOOKMARK.

        From ``resourceVersion`` "" or "0": a synthetic ADDED for every current object first,
        as the apiserver does. An expired version raises ``Expired`` before anything is sent.
        """
        prefix = self.prefix(rt, namespace)
        if opts.resource_version in ("", "0"):
            with interpreted(rt.group, rt.plural):
                snapshot = await self.store.list(prefix)
            after = snapshot.revision
            initial = [self._decode(rt, kv) for kv in snapshot.items]
        else:
            after = _revision(opts.resource_version)
            initial = []
        with interpreted(rt.group, rt.plural):
            watch = self.store.watch(prefix, after=after)
        with watch:
            for obj in initial:
                if self._matches(rt, obj, opts):
                    yield "ADDED", obj
            async for event in watch:
                obj = self._decode(rt, event.kv)
                now_matches = self._matches(rt, obj, opts)
                if event.type is EventType.CREATE:
                    if now_matches:
                        yield "ADDED", obj
                elif event.type is EventType.DELETE:
                    if now_matches:
                        yield "DELETED", obj
                else:
                    before = event.prev is not None and self._matches(rt, self._decode(rt, event.prev), opts)
                    if now_matches:
                        yield ("MODIFIED" if before or event.prev is None else "ADDED"), obj
                    elif before:
                        yield "DELETED", obj

    # -- writes ----------------------------------------------------------------------------------

    def _check_namespace(self, rt: ResourceType, namespace: str, obj: Obj) -> None:
        metadata = obj.setdefault("metadata", {})
        if not isinstance(metadata, dict):
            raise errors.BadRequest("metadata must be an object")
        if rt.namespaced:
            if not namespace:
                raise errors.BadRequest("the namespace of the object must be set: it is namespaced")
            given = metadata.get("namespace")
            if given and given != namespace:
                raise errors.BadRequest(
                    "the namespace of the provided object does not match the namespace sent on the request"
                )
            metadata["namespace"] = namespace
        else:
            metadata.pop("namespace", None)

    def _check_kind(self, rt: ResourceType, obj: Obj) -> None:
        kind, api_version = obj.get("kind"), obj.get("apiVersion")
        if kind and kind != rt.kind:
            raise errors.BadRequest(
                f"the object provided is unrecognized (must be of type {rt.kind}): "
                f"couldn't get version/kind; json parse error: kind {kind!r} does not match {rt.kind!r}"
            )
        if api_version and api_version != rt.api_version:
            raise errors.BadRequest(
                f"the API version in the data ({api_version}) does not match the expected API version "
                f"({rt.api_version})"
            )
        obj["kind"], obj["apiVersion"] = rt.kind, rt.api_version

    async def create(
        self,
        rt: ResourceType,
        namespace: str,
        obj: Obj,
        *,
        dry_run: bool = False,
        owner: managedfields.Write | None = None,
    ) -> Obj:
        """Create an object; ``owner`` (a field manager's write) is recorded as owning what it set."""
        self._check_kind(rt, obj)
        self._check_namespace(rt, namespace, obj)
        metadata = obj["metadata"]
        name = metadata.get("name") or ""
        if not name and metadata.get("generateName"):
            name = meta.generate_name(str(metadata["generateName"]))
            metadata["name"] = name
        if not name:
            raise errors.Invalid(
                f'{rt.kind} in version "{rt.version}" cannot be handled as a {rt.kind}: name or generateName '
                "is required",
                kind=rt.kind,
                group=rt.group,
                causes=(
                    errors.Cause(
                        "FieldValueRequired", "Required value: name or generateName is required", "metadata.name"
                    ),
                ),
            )
        causes = meta.name_causes(str(name), name_rule(rt))
        if causes:
            raise _invalid(rt, str(name), causes)
        if rt.namespaced:
            await self._check_namespace_open(namespace)
        strategies.prepare_for_create(rt, obj)
        self._track(rt, {}, obj, owner)
        if (rt.group, rt.plural) == ("", "services"):
            async with self._service_lock:
                await self._allocate_service(rt, obj, None)
                return await self._store_new(rt, namespace, str(name), obj, dry_run=dry_run)
        return await self._store_new(rt, namespace, str(name), obj, dry_run=dry_run)

    async def _store_new(self, rt: ResourceType, namespace: str, name: str, obj: Obj, *, dry_run: bool) -> Obj:
        metadata = obj["metadata"]
        metadata["uid"] = self.new_uid()
        metadata["creationTimestamp"] = self.clock()
        metadata["generation"] = 1
        for name_ in ("resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink"):
            metadata.pop(name_, None)
        if dry_run:
            return obj
        with interpreted(rt.group, rt.plural, name):
            kv = await self.store.create(self.key(rt, namespace, name), self._encode(rt, obj))
        obj["metadata"]["resourceVersion"] = str(kv.mod_rev)
        return obj

    async def _allocate_service(self, rt: ResourceType, obj: Obj, old: Obj | None) -> None:
        """Default a Service's spec and give it a cluster IP and node ports (kept on update)."""
        spec = obj.setdefault("spec", {})
        if not isinstance(spec, dict):
            raise errors.BadRequest("spec must be an object")
        old_spec = (old or {}).get("spec") or {}
        kind = spec.setdefault("type", "ClusterIP")
        spec.setdefault("sessionAffinity", "None")
        ports = spec.get("ports") or []
        for port in ports:
            if isinstance(port, dict):
                port.setdefault("protocol", "TCP")
                port.setdefault("targetPort", port.get("port"))
        name = str(obj["metadata"].get("name", ""))
        if kind == "ExternalName":
            return
        services = await self.store.list(keys.resource_prefix("", "services"))
        used_ips: set[str] = set()
        used_ports: set[int] = set()
        for kv in services.items:
            other = json.loads(kv.value).get("spec") or {}
            if kv.key != self.key(rt, obj["metadata"].get("namespace", ""), name):
                used_ips.update(ip for ip in other.get("clusterIPs") or [other.get("clusterIP")] if ip)
                used_ports.update(p["nodePort"] for p in other.get("ports") or [] if p.get("nodePort"))
        wanted = spec.get("clusterIP") or old_spec.get("clusterIP") or ""
        if old_spec.get("clusterIP") and wanted != old_spec["clusterIP"]:
            raise _invalid_service(
                name,
                [
                    errors.Cause(
                        "FieldValueInvalid", f'Invalid value: "{wanted}": field is immutable', "spec.clusterIPs[0]"
                    )
                ],
            )
        if wanted == "None":
            spec["clusterIP"], spec["clusterIPs"] = "None", ["None"]
        else:
            if not wanted:
                wanted = allocators.choose_cluster_ip(used_ips)
            elif not old_spec.get("clusterIP"):
                causes = allocators.check_cluster_ip(wanted, used_ips)
                if causes:
                    raise _invalid_service(name, causes)
            spec["clusterIP"], spec["clusterIPs"] = wanted, [wanted]
        spec.setdefault("ipFamilies", ["IPv4"])
        spec.setdefault("ipFamilyPolicy", "SingleStack")
        spec.setdefault("internalTrafficPolicy", "Cluster")
        if kind in ("NodePort", "LoadBalancer"):
            spec.setdefault("externalTrafficPolicy", "Cluster")
            for port in ports:
                if isinstance(port, dict) and not port.get("nodePort"):
                    port["nodePort"] = allocators.choose_node_port(used_ports)
                    used_ports.add(port["nodePort"])

    async def _check_namespace_open(self, namespace: str) -> None:
        kv = await self.store.get(keys.object_key("", "namespaces", "", namespace))
        if kv is None:
            raise not_found("", "namespaces", namespace)
        ns = json.loads(kv.value)
        if (ns.get("metadata") or {}).get("deletionTimestamp") or (ns.get("status") or {}).get(
            "phase"
        ) == "Terminating":
            raise errors.Forbidden(
                f"unable to create new content in namespace {namespace} because it is being terminated",
                kind="namespaces",
                name=namespace,
            )

    async def update(
        self,
        rt: ResourceType,
        namespace: str,
        name: str,
        obj: Obj,
        *,
        subresource: str = "",
        dry_run: bool = False,
        owner: managedfields.Write | None = None,
    ) -> Obj:
        """Replace an object (PUT). A resourceVersion in ``obj`` makes it compare-and-swap."""
        self._check_kind(rt, obj)
        self._check_namespace(rt, namespace, obj)
        metadata = obj["metadata"]
        if metadata.get("name") and metadata["name"] != name:
            raise errors.BadRequest("the name of the object does not match the name on the URL")
        metadata["name"] = name
        key = self.key(rt, namespace, name)
        expected = metadata.get("resourceVersion")
        with interpreted(rt.group, rt.plural, name):
            current_kv = await self.store.get(key)
            if current_kv is None:
                raise not_found(rt.group, rt.plural, name)
            if expected and _revision(str(expected)) != current_kv.mod_rev:
                raise RevisionMismatch(key, _revision(str(expected)), current_kv)
            current = self._decode(rt, current_kv)
            new = self._merge_update(rt, current, obj, subresource, owner)
            return await self._write_update(rt, key, current_kv, new, dry_run=dry_run)

    def _merge_update(
        self, rt: ResourceType, current: Obj, new: Obj, subresource: str, owner: managedfields.Write | None
    ) -> Obj:
        """Apply the rules of an update: system fields kept, status or main part only."""
        has_status = "status" in rt.subresources
        if subresource == "status":
            merged = dict(current)
            merged["status"] = new.get("status")
            if merged["status"] is None:
                merged.pop("status")
            merged["metadata"] = current["metadata"]
            self._track(rt, current, merged, owner)
            return merged
        if has_status:
            if "status" in current:
                new["status"] = current["status"]
            else:
                new.pop("status", None)
        old_meta, new_meta = current["metadata"], new["metadata"]
        for name_ in meta.SYSTEM_FIELDS:
            if name_ in old_meta:
                new_meta[name_] = old_meta[name_]
            else:
                new_meta.pop(name_, None)
        strategies.prepare_for_update(rt, current, new)
        if meta.spec_changed(current, new):
            new_meta["generation"] = int(old_meta.get("generation") or 1) + 1
        self._track(rt, current, new, owner)
        return new

    def write_for(self, rt: ResourceType, manager: str, subresource: str = "") -> managedfields.Write:
        """How field ownership sees a write of ``manager`` to ``rt`` (or its ``subresource``)."""
        return managedfields.Write.of(
            manager, rt.api_version, self.clock(), has_status="status" in rt.subresources, subresource=subresource
        )

    def schema_of(self, rt: ResourceType) -> FieldSchema | None:
        return self.schema_for(rt) if self.schema_for is not None else None

    def _track(self, rt: ResourceType, old: Obj, new: Obj, owner: managedfields.Write | None) -> None:
        """Record in managedFields what the writer changed (writes without an owner are internal)."""
        if owner is not None:
            managedfields.track_update(old, new, self.schema_of(rt), owner)

    async def _write_update(self, rt: ResourceType, key: str, current_kv: KeyValue, new: Obj, *, dry_run: bool) -> Obj:
        if (rt.group, rt.plural) == ("", "services"):
            async with self._service_lock:
                await self._allocate_service(rt, new, self._decode(rt, current_kv))
                return await self._write_updated(rt, key, current_kv, new, dry_run=dry_run)
        return await self._write_updated(rt, key, current_kv, new, dry_run=dry_run)

    async def _write_updated(self, rt: ResourceType, key: str, current_kv: KeyValue, new: Obj, *, dry_run: bool) -> Obj:
        name = new["metadata"]["name"]
        if new["metadata"].get("deletionTimestamp") and not new["metadata"].get("finalizers"):
            # The last finalizer is gone from an object being deleted: delete it now.
            if dry_run:
                return new
            kv = await self.store.delete(key, expected_rev=current_kv.mod_rev)
            new["metadata"]["resourceVersion"] = str(kv.mod_rev)
            return new
        if dry_run:
            new["metadata"]["resourceVersion"] = str(current_kv.mod_rev)
            return new
        encoded = self._encode(rt, new)
        if encoded == current_kv.value:  # no change: no new revision, as the apiserver does
            new["metadata"]["resourceVersion"] = str(current_kv.mod_rev)
            return new
        with interpreted(rt.group, rt.plural, name):
            kv = await self.store.update(key, encoded, expected_rev=current_kv.mod_rev)
        new["metadata"]["resourceVersion"] = str(kv.mod_rev)
        return new

    async def modify(
        self,
        rt: ResourceType,
        namespace: str,
        name: str,
        change: Callable[[Obj], Obj],
        *,
        subresource: str = "",
        dry_run: bool = False,
        owner: managedfields.Write | None = None,
    ) -> Obj:
        """Read, ``change`` and write back, retrying on conflicts (the apiserver's GuaranteedUpdate)."""
        key = self.key(rt, namespace, name)
        for _ in range(UPDATE_RETRIES):
            current_kv = await self.store.get(key)
            if current_kv is None:
                raise not_found(rt.group, rt.plural, name)
            current = self._decode(rt, current_kv)
            new = change(json.loads(json.dumps(current)))
            self._check_kind(rt, new)
            self._check_namespace(rt, namespace, new)
            new["metadata"]["name"] = name
            new = self._merge_update(rt, current, new, subresource, owner)
            try:
                with interpreted(rt.group, rt.plural, name):
                    return await self._write_update(rt, key, current_kv, new, dry_run=dry_run)
            except errors.Conflict:
                continue
        raise errors.Conflict(
            f'Operation cannot be fulfilled on {qualified(rt.group, rt.plural)} "{name}": too many conflicts',
            kind=rt.plural,
            group=rt.group,
            name=name,
        )

    async def delete(
        self,
        rt: ResourceType,
        namespace: str,
        name: str,
        *,
        preconditions: Obj | None = None,
        grace_period: int | None = None,
        propagation: str = "",
        dry_run: bool = False,
    ) -> tuple[Obj, bool]:
        """Delete an object; returns ``(object, deleted now?)``.

        An object with finalizers is only marked (deletionTimestamp) and stays until they are gone.
        ``propagation`` Orphan or Foreground adds the garbage collector's finalizer for it: the
        collector then orphans or deletes the dependents first (Background: it deletes them after).
        """
        key = self.key(rt, namespace, name)
        with interpreted(rt.group, rt.plural, name):
            current_kv = await self.store.get(key)
            if current_kv is None:
                raise not_found(rt.group, rt.plural, name)
            current = self._decode(rt, current_kv)
            _check_preconditions(rt, name, current, preconditions or {})
            metadata = current["metadata"]
            gc_finalizer = _propagation_finalizer(metadata, propagation)
            if (rt.group, rt.plural) == ("", "pods") and not gc_finalizer:
                grace = await self._pod_grace_period(current, grace_period)
                if grace:
                    return await self._delete_gracefully(key, current_kv, current, grace, dry_run=dry_run), False
            if metadata.get("finalizers"):
                if not metadata.get("deletionTimestamp") or gc_finalizer:
                    metadata.setdefault("deletionTimestamp", self.clock())
                    metadata["deletionGracePeriodSeconds"] = grace_period or 0
                    if not dry_run:
                        kv = await self.store.update(key, self._encode(rt, current), expected_rev=current_kv.mod_rev)
                        metadata["resourceVersion"] = str(kv.mod_rev)
                return current, False
            if dry_run:
                return current, True
            kv = await self.store.delete(key, expected_rev=current_kv.mod_rev)
        metadata["resourceVersion"] = str(kv.mod_rev)
        return current, True

    async def _pod_grace_period(self, pod: Obj, requested: int | None) -> int:
        """How long a pod may take to stop: what the request asks, else its spec's (30 s by default);
        none when no kubelet runs it (not bound, bound to no existing node, or finished)."""
        spec, status = pod.get("spec") or {}, pod.get("status") or {}
        node = spec.get("nodeName")
        if not node or status.get("phase") in ("Succeeded", "Failed"):
            return 0
        if requested is None:
            requested = spec.get("terminationGracePeriodSeconds", DEFAULT_GRACE_PERIOD)
        if not isinstance(requested, int) or requested <= 0:
            return 0
        if await self.store.get(keys.object_key("", "nodes", "", str(node))) is None:
            return 0
        return requested

    async def _delete_gracefully(self, key: str, current_kv: KeyValue, pod: Obj, grace: int, *, dry_run: bool) -> Obj:
        """Mark a running pod for deletion by ``grace`` seconds from now; its kubelet stops the
        containers and deletes it. A later delete may shorten the period, never lengthen it."""
        metadata = pod["metadata"]
        pending = metadata.get("deletionGracePeriodSeconds")
        if metadata.get("deletionTimestamp") and isinstance(pending, int) and pending <= grace:
            return pod
        now = datetime.strptime(self.clock(), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        metadata["deletionTimestamp"] = (now + timedelta(seconds=grace)).strftime("%Y-%m-%dT%H:%M:%SZ")
        metadata["deletionGracePeriodSeconds"] = grace
        if not dry_run:
            kv = await self.store.update(key, self.encode(pod), expected_rev=current_kv.mod_rev)
            metadata["resourceVersion"] = str(kv.mod_rev)
        return pod


ORPHAN_FINALIZER = "orphan"
FOREGROUND_FINALIZER = "foregroundDeletion"


def _propagation_finalizer(metadata: Obj, propagation: str) -> str:
    """Put the garbage collector's finalizer for ``propagation`` on the object (replacing the
    other one, as a later delete may change its mind); returns it when it was added."""
    wanted = {"Orphan": ORPHAN_FINALIZER, "Foreground": FOREGROUND_FINALIZER}.get(propagation)
    if wanted is None:
        return ""
    finalizers = [f for f in metadata.get("finalizers") or [] if f not in (ORPHAN_FINALIZER, FOREGROUND_FINALIZER)]
    if wanted in (metadata.get("finalizers") or []):
        return ""
    metadata["finalizers"] = [*finalizers, wanted]
    return wanted


def _check_preconditions(rt: ResourceType, name: str, current: Obj, preconditions: Obj) -> None:
    metadata = current["metadata"]
    for field_name, label in (("uid", "UID"), ("resourceVersion", "ResourceVersion")):
        wanted, actual = preconditions.get(field_name), metadata.get(field_name)
        if wanted and wanted != actual:
            raise errors.Conflict(
                f'Operation cannot be fulfilled on {qualified(rt.group, rt.plural)} "{name}": Precondition failed: '
                f"{label} in precondition: {wanted}, {label} in object meta: {actual}",
                kind=rt.plural,
                group=rt.group,
                name=name,
            )


def _invalid_service(name: str, causes: list[errors.Cause]) -> errors.Invalid:
    details = ", ".join(f"{c.field}: {c.message}" for c in causes)
    return errors.Invalid(f'Service "{name}" is invalid: {details}', kind="Service", name=name, causes=tuple(causes))


def _invalid(rt: ResourceType, name: str, causes: list[errors.Cause]) -> errors.Invalid:
    details = ", ".join(f"{c.field}: {c.message}" for c in causes)
    return errors.Invalid(
        f'{rt.kind} "{name}" is invalid: {details}', kind=rt.kind, group=rt.group, name=name, causes=tuple(causes)
    )


def _revision(text: str) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise errors.BadRequest(f"invalid resource version: {text!r}") from exc
    if value < 0:
        raise errors.BadRequest(f"invalid resource version: {text!r}")
    return value
