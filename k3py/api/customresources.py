"""Serving CustomResourceDefinitions: the stored CRDs kept in step with the registry, and custom resources' rules.

:class:`CustomResources` is the API's :class:`~k3py.api.handlers.Resources` with apiextensions-apiserver's
behaviour put around the generic verbs, so that every writer (REST verbs, patches, server-side
apply, the scale subresource, in-process clients) goes through it:

- A CRD is defaulted and validated on every write (422 with field causes). After each write the
  stored CRDs are read back (:meth:`CustomResources.sync`): the names each may use are decided,
  its status (NamesAccepted, Established, Terminating, acceptedNames, storedVersions) is written,
  and the registry serves exactly the versions of the established ones. ``on_change`` tells the
  owner (the app rebuilds its OpenAPI documents). So a CRD is served when its create returns, and
  gone when its delete does, as discovery and the OpenAPI documents see them.
- Deleting a CRD deletes its custom resources first. Those with finalizers are only marked; the
  CRD then stays, Terminating, with the ``customresourcecleanup.apiextensions.k8s.io`` finalizer,
  until the last of them is gone (creates are refused meanwhile), as apiextensions' finalizer
  controller does.
- A custom resource is decoded (unknown fields pruned, nulls dropped, defaults applied) and
  validated against its version's schema before any write; reads apply the defaults again and
  give the object the requested version (conversion ``None``: one key space for all versions).

Everything else (keys, metadata, status/spec split, finalizers) stays the generic verbs' work.
"""

from __future__ import annotations

import contextlib
import copy
import logging
from typing import TYPE_CHECKING, Any

import trio

from k3py.api import crds
from k3py.api.handlers import ListOptions, Resources
from k3py.api.registry import ResourceType
from k3py.core import errors

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

    from k3py.api.registry import Registry
    from k3py.store import Store

logger = logging.getLogger(__name__)

Obj = dict[str, Any]


def _matches_type(rt: ResourceType, obj: Obj) -> bool:
    """Whether ``obj`` may be ``rt`` (its kind, apiVersion and metadata): else the generic verbs answer 400 first."""
    kind, api_version = obj.get("kind"), obj.get("apiVersion")
    return (
        (not kind or kind == rt.kind)
        and (not api_version or api_version == rt.api_version)
        and isinstance(obj.get("metadata", {}), dict)
    )


def _candidate(rt: ResourceType, current: Obj, new: Obj, subresource: str) -> Obj:
    """The object a write will store, for validation: the spec/status split applied as the generic verbs apply it."""
    if subresource == "status":
        candidate = copy.deepcopy(current)
        if new.get("status") is None:
            candidate.pop("status", None)
        else:
            candidate["status"] = copy.deepcopy(new["status"])
        return candidate
    candidate = copy.deepcopy(new)
    if "status" in rt.subresources:
        if "status" in current:
            candidate["status"] = copy.deepcopy(current["status"])
        else:
            candidate.pop("status", None)
    return candidate


class CustomResources(Resources):
    """The generic verbs plus CustomResourceDefinitions and their custom resources."""

    def __init__(
        self, store: Store, registry: Registry, *, on_change: Callable[[], None] | None = None, **options: Any
    ) -> None:
        super().__init__(store, **options)
        self.registry = registry
        self._on_change = on_change
        self._lock = trio.Lock()
        #: CRD name -> the registry entries it serves
        self._served: dict[str, list[ResourceType]] = {}
        self._fingerprints: dict[str, str] = {}
        #: names of the CRDs being deleted: their resources are served, but not created
        self._terminating: set[str] = set()

    @property
    def custom_types(self) -> list[ResourceType]:
        """Every custom resource version served now."""
        return [rt for types in self._served.values() for rt in types]

    def _crd_type(self) -> ResourceType:
        rt = self.registry.lookup(crds.GROUP, "v1", crds.RESOURCE)
        assert rt is not None, "the registry serves apiextensions.k8s.io/v1 customresourcedefinitions"
        return rt

    # -- reads ------------------------------------------------------------------------------------

    def _as_read(self, rt: ResourceType, obj: Obj) -> Obj:
        if rt.custom is not None:
            crds.in_version(rt, obj)
            crds.apply_defaults(rt, obj)
        return obj

    async def get(self, rt: ResourceType, namespace: str, name: str) -> Obj:
        return self._as_read(rt, await super().get(rt, namespace, name))

    async def list(self, rt: ResourceType, namespace: str, opts: ListOptions) -> Obj:
        listing = await super().list(rt, namespace, opts)
        for item in listing["items"]:
            self._as_read(rt, item)
        return listing

    async def watch(
        self, rt: ResourceType, namespace: str, opts: ListOptions, **options: Any
    ) -> AsyncIterator[tuple[str, Obj]]:
        async for kind, obj in super().watch(rt, namespace, opts, **options):
            yield kind, self._as_read(rt, obj)

    # -- writes -----------------------------------------------------------------------------------

    async def create(self, rt: ResourceType, namespace: str, obj: Obj, **options: Any) -> Obj:
        if rt.custom is not None:
            if rt.custom.crd in self._terminating:
                raise errors.MethodNotSupported(
                    "create not allowed while custom resource definition is terminating", kind=rt.plural
                )
            if _matches_type(rt, obj):
                if "status" in rt.subresources:
                    obj.pop("status", None)  # the server gives the status, whatever the client sent
                crds.admit(rt, obj)
        elif crds.is_crd(rt) and _matches_type(rt, obj):
            crds.set_defaults(obj)
            causes = crds.validate(obj)
            if causes:
                raise crds.invalid_crd(obj, causes)
        created = await super().create(rt, namespace, obj, **options)
        return await self._settled(rt, created, options)

    async def update(self, rt: ResourceType, namespace: str, name: str, obj: Obj, **options: Any) -> Obj:
        subresource = str(options.get("subresource", ""))
        if rt.custom is not None and _matches_type(rt, obj):
            current = await self.get(rt, namespace, name)
            obj.setdefault("metadata", {}).setdefault("name", name)
            crds.decode(rt, obj)
            self._admit(rt, current, obj, subresource)
        elif crds.is_crd(rt) and _matches_type(rt, obj) and subresource != "status":
            current = await super().get(rt, namespace, name)
            obj.setdefault("metadata", {}).setdefault("name", name)
            crds.set_defaults(obj)
            causes = crds.validate(_candidate(rt, current, obj, subresource), old=current)
            if causes:
                raise crds.invalid_crd(obj, causes)
        updated = await super().update(rt, namespace, name, obj, **options)
        return await self._settled(rt, updated, options)

    async def modify(
        self, rt: ResourceType, namespace: str, name: str, change: Callable[[Obj], Obj], **options: Any
    ) -> Obj:
        subresource = str(options.get("subresource", ""))
        wrapped = change
        if rt.custom is not None:

            def wrapped(current: Obj) -> Obj:
                self._as_read(rt, current)
                before = copy.deepcopy(current)
                new = change(current)
                if _matches_type(rt, new):
                    crds.decode(rt, new)
                    self._admit(rt, before, new, subresource)
                return new

        elif crds.is_crd(rt) and subresource != "status":

            def wrapped(current: Obj) -> Obj:
                before = copy.deepcopy(current)
                new = change(current)
                if _matches_type(rt, new):
                    crds.set_defaults(new)
                    causes = crds.validate(_candidate(rt, before, new, subresource), old=before)
                    if causes:
                        raise crds.invalid_crd(new, causes)
                return new

        modified = await super().modify(rt, namespace, name, wrapped, **options)
        return await self._settled(rt, modified, options)

    def _admit(self, rt: ResourceType, current: Obj, new: Obj, subresource: str) -> None:
        candidate = _candidate(rt, current, new, subresource)
        candidate.setdefault("metadata", {}).setdefault("name", (current.get("metadata") or {}).get("name", ""))
        crds.admit(rt, candidate)

    async def _settled(self, rt: ResourceType, written: Obj, options: dict[str, Any]) -> Obj:
        """The answer to a write, once what it implies is done.

        A written CRD is synced, and answered as it is then (with the status the sync gave it, so
        a client's next update does not conflict with that status write). A write to a resource of
        a Terminating CRD may have let its last resource go: then the CRD goes too.
        """
        if options.get("dry_run"):
            return self._as_read(rt, written)
        if crds.is_crd(rt):
            await self.sync()
            with contextlib.suppress(errors.NotFound):
                return await Resources.get(self, rt, "", str(written["metadata"]["name"]))
        elif rt.custom is not None and rt.custom.crd in self._terminating:
            await self.sync()
        return self._as_read(rt, written)

    async def delete(self, rt: ResourceType, namespace: str, name: str, **options: Any) -> tuple[Obj, bool]:
        if crds.is_crd(rt):
            return await self._delete_crd(rt, name, **options)
        obj, deleted = await super().delete(rt, namespace, name, **options)
        return await self._settled(rt, obj, options), deleted

    async def _delete_crd(self, crd_rt: ResourceType, name: str, **options: Any) -> tuple[Obj, bool]:
        """Delete a CRD's custom resources, then the CRD (Terminating while finalizers hold some)."""
        crd = await super().get(crd_rt, "", name)
        if options.get("dry_run") or (crd.get("metadata") or {}).get("deletionTimestamp"):
            return await super().delete(crd_rt, "", name, **options)
        # The preconditions (uid, resourceVersion) are checked before anything is deleted.
        await super().delete(crd_rt, "", name, **{**options, "dry_run": True})
        remaining = await self._delete_instances(crd)
        if remaining:
            logger.info("CRD %s: %d custom resources wait for their finalizers", name, remaining)

            def hold(current: Obj) -> Obj:
                finalizers = current["metadata"].setdefault("finalizers", [])
                if crds.CLEANUP_FINALIZER not in finalizers:
                    finalizers.append(crds.CLEANUP_FINALIZER)
                return current

            await super().modify(crd_rt, "", name, hold)
        result = await super().delete(crd_rt, "", name, **options)
        await self.sync()
        return result

    def _instances_type(self, crd: Obj) -> ResourceType:
        """An entry whose key space holds the CRD's custom resources (any version: they share it)."""
        name = str(crd["metadata"]["name"])
        served = self._served.get(name)
        if served:
            return served[0]
        spec = crd.get("spec") or {}
        names = spec.get("names") or {}
        return ResourceType(
            str(spec.get("group", "")),
            crds.storage_version(crd) or "v1",
            str(names.get("kind", "")),
            str(names.get("plural", "")),
            spec.get("scope") != "Cluster",
        )

    async def _delete_instances(self, crd: Obj) -> int:
        """Delete every custom resource of ``crd``; how many remain (held by finalizers)."""
        rt = self._instances_type(crd)
        if not rt.plural or not rt.group:
            return 0
        remaining = 0
        listing = await super().list(rt, "", ListOptions())
        for item in listing["items"]:
            metadata = item.get("metadata") or {}
            try:
                _, deleted = await super().delete(rt, str(metadata.get("namespace", "")), str(metadata["name"]))
            except errors.NotFound:
                continue
            remaining += not deleted
        return remaining

    # -- the registry -----------------------------------------------------------------------------

    async def sync(self) -> None:
        """Bring CRD statuses and the registry in line with the stored CRDs (idempotent).

        Cancellation: the registry is changed in one synchronous step at the end, so a cancelled
        sync leaves the previous set served; the next write or start syncs again.
        """
        async with self._lock:
            crd_rt = self._crd_type()
            listing = await Resources.list(self, crd_rt, "", ListOptions())
            items: list[Obj] = []
            for crd in listing["items"]:
                if await self._finish_deletion(crd_rt, crd):
                    continue
                items.append(crd)
            decisions = crds.decide(items)
            served: dict[str, list[ResourceType]] = {}
            fingerprints: dict[str, str] = {}
            terminating: set[str] = set()
            for crd in items:
                name = str(crd["metadata"]["name"])
                decision = decisions[name]
                deleting = bool(crd["metadata"].get("deletionTimestamp"))
                if deleting:
                    terminating.add(name)
                wanted = crds.desired_status(
                    crd, decision, terminating="InstanceDeletionInProgress" if deleting else "", now=self.clock()
                )
                if crds.status_differs(crd.get("status"), wanted):
                    await self._write_status(crd_rt, name, wanted)
                problems = crds.validate(crd)
                if problems:
                    logger.warning("CRD %s is not served: %s", name, problems[0].message)
                elif decision.established:
                    served[name] = crds.resource_types(crd, decision.accepted_names)
                    fingerprints[name] = crds.fingerprint(crd, decision)
            self._terminating = terminating
            if fingerprints != self._fingerprints:
                for types in self._served.values():
                    for rt in types:
                        self.registry.remove(rt)
                for types in served.values():
                    for rt in types:
                        self.registry.add(rt)
                added, removed = set(served) - set(self._served), set(self._served) - set(served)
                self._served, self._fingerprints = served, fingerprints
                for name in sorted(added):
                    logger.info("Serving custom resources of %s", name)
                for name in sorted(removed):
                    logger.info("Stopped serving custom resources of %s", name)
                if self._on_change is not None:
                    self._on_change()

    async def _write_status(self, crd_rt: ResourceType, name: str, status: Obj) -> None:
        def set_status(current: Obj) -> Obj:
            current["status"] = copy.deepcopy(status)
            return current

        with contextlib.suppress(errors.NotFound):  # deleted meanwhile: the next sync forgets it
            await Resources.modify(self, crd_rt, "", name, set_status, subresource="status")

    async def _finish_deletion(self, crd_rt: ResourceType, crd: Obj) -> bool:
        """A Terminating CRD whose resources are all gone loses its finalizer (and so goes); True if it went."""
        metadata = crd["metadata"]
        if not metadata.get("deletionTimestamp") or crds.CLEANUP_FINALIZER not in (metadata.get("finalizers") or []):
            return False
        if await self._delete_instances(crd):
            return False

        def release(current: Obj) -> Obj:
            current["metadata"]["finalizers"] = [
                f for f in current["metadata"].get("finalizers") or [] if f != crds.CLEANUP_FINALIZER
            ]
            return current

        try:
            obj = await Resources.modify(self, crd_rt, "", str(metadata["name"]), release)
        except errors.NotFound:
            return True
        return not (obj.get("metadata") or {}).get("finalizers")
