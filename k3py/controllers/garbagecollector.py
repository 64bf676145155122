"""The garbage collector: objects whose owners are gone go too (Kubernetes' ownerReferences).

It keeps a graph of every object's owner references, fed by one informer per deletable resource,
and reconciles by uid:

- a dependent whose owners are all gone is deleted; references to owners that are gone are
  removed while another owner remains (an owner counts as gone only after a live read says so,
  since informers of different resources may lag one another);
- an owner deleted with ``propagationPolicy=Orphan`` (finalizer ``orphan``) has its dependents'
  references to it removed, then its finalizer;
- an owner deleted with ``Foreground`` (finalizer ``foregroundDeletion``) has its dependents
  deleted first (foreground too when they block it) and its finalizer removed once no dependent
  with ``blockOwnerDeletion`` remains.

Background deletion needs nothing special: the owner goes at once and its dependents follow.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import trio

from k3py.controllers.informer import Informer, key_of, split_key
from k3py.controllers.workqueue import WorkQueue, run_worker
from k3py.core import errors

if TYPE_CHECKING:
    from collections.abc import Iterable

    from k3py.api.client import Client, Resource

logger = logging.getLogger(__name__)

Obj = dict[str, Any]
ORPHAN = "orphan"
FOREGROUND = "foregroundDeletion"
WORKERS = 4


@dataclass
class _Node:
    resource: Resource
    key: str
    owners: list[Obj]
    finalizers: list[str]
    deleting: bool


@dataclass
class GarbageCollector:
    client: Client
    #: the resources to watch; all deletable ones the server serves when None
    resources: list[Resource] | None = None
    queue: WorkQueue = field(default_factory=WorkQueue)
    nodes: dict[str, _Node] = field(default_factory=dict)
    dependents: dict[str, set[str]] = field(default_factory=dict)
    _informers: dict[tuple[str, str], Informer] = field(default_factory=dict)
    _plurals: dict[tuple[str, str], Resource] = field(default_factory=dict)

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        resources = self.resources
        if resources is None:
            resources = [r for r in await self.client.resources() if {"list", "watch", "delete"} <= set(r.verbs)]
        self._plurals = {(r.api_version, r.kind): r for r in resources}
        async with trio.open_nursery() as nursery:
            for resource in resources:
                informer = Informer(self.client, resource.api_version, resource.plural)
                informer.on_change(self._observer(resource))
                self._informers[(resource.api_version, resource.plural)] = informer
                await nursery.start(informer.run)
            for uid, node in self.nodes.items():  # the graph is complete: check what it holds
                if node.owners or node.deleting:
                    self.queue.add(uid)
            for _ in range(WORKERS):
                nursery.start_soon(functools.partial(run_worker, self.queue, self.reconcile, name="garbage collector"))
            task_status.started()

    # -- the graph ----------------------------------------------------------------------------------

    def _observer(self, resource: Resource) -> Any:
        def observe(old: Obj | None, new: Obj | None) -> None:
            if new is None:
                assert old is not None
                self._forget(_uid(old))
            else:
                self._remember(resource, new)

        return observe

    def _remember(self, resource: Resource, obj: Obj) -> None:
        metadata = obj.get("metadata") or {}
        uid = _uid(obj)
        previous = self.nodes.get(uid)
        owners = [ref for ref in metadata.get("ownerReferences") or [] if isinstance(ref, dict) and ref.get("uid")]
        finalizers = list(metadata.get("finalizers") or [])
        node = _Node(resource, key_of(obj), owners, finalizers, bool(metadata.get("deletionTimestamp")))
        self.nodes[uid] = node
        if previous is not None:
            for ref in previous.owners:
                self.dependents.get(str(ref["uid"]), set()).discard(uid)
        for ref in owners:
            self.dependents.setdefault(str(ref["uid"]), set()).add(uid)
        if owners or (node.deleting and {ORPHAN, FOREGROUND} & set(node.finalizers)):
            self.queue.add(uid)

    def _forget(self, uid: str) -> None:
        node = self.nodes.pop(uid, None)
        if node is None:
            return
        for ref in node.owners:
            owner = str(ref["uid"])
            self.dependents.get(owner, set()).discard(uid)
            self.queue.add(owner)  # a foreground owner may now be free to go
        for dependent in self.dependents.get(uid, ()):
            self.queue.add(dependent)

    def _object(self, uid: str) -> Obj | None:
        node = self.nodes.get(uid)
        if node is None:
            return None
        informer = self._informers.get((node.resource.api_version, node.resource.plural))
        return informer.get(node.key) if informer is not None else None

    # -- reconciling --------------------------------------------------------------------------------

    async def reconcile(self, uid: str) -> None:
        node = self.nodes.get(uid)
        if node is None:
            return
        if node.deleting and ORPHAN in node.finalizers:
            await self._orphan_dependents(uid, node)
        elif node.deleting and FOREGROUND in node.finalizers:
            await self._delete_dependents_first(uid, node)
        if node.owners:
            await self._check_owners(uid, node)

    async def _orphan_dependents(self, uid: str, node: _Node) -> None:
        for dependent in list(self.dependents.get(uid, ())):
            child = self.nodes.get(dependent)
            if child is not None:
                await self._set_owners(child, [ref for ref in child.owners if ref["uid"] != uid])
        await self._remove_finalizer(node, ORPHAN)

    async def _delete_dependents_first(self, uid: str, node: _Node) -> None:
        blocking = 0
        for dependent in list(self.dependents.get(uid, ())):
            child = self.nodes.get(dependent)
            if child is None:
                continue
            blocks = any(ref["uid"] == uid and ref.get("blockOwnerDeletion") for ref in child.owners)
            blocking += blocks
            if not child.deleting:
                await self._delete(child, "Foreground" if blocks else "Background")
        if not blocking:
            await self._remove_finalizer(node, FOREGROUND)

    async def _check_owners(self, uid: str, node: _Node) -> None:
        alive = [ref for ref in node.owners if str(ref["uid"]) in self.nodes or await self._exists(ref)]
        if not alive:
            if not node.deleting:
                logger.info("garbage collector: deleting %s %s: its owners are gone", node.resource.plural, node.key)
                await self._delete(node, "Background")
        elif len(alive) < len(node.owners):
            await self._set_owners(node, alive)

    async def _exists(self, ref: Obj) -> bool:
        """Whether the owner a reference names exists, by a live read (the cache may lag)."""
        resource = self._plurals.get((str(ref.get("apiVersion", "")), str(ref.get("kind", ""))))
        if resource is None:
            return False  # a kind nobody serves cannot own anything
        namespace = ""
        for node in self.nodes.values():  # a namespaced owner lives in its dependents' namespace
            if ref in node.owners:
                namespace = split_key(node.key)[0] if resource.namespaced else ""
                break
        try:
            owner = await self.client.get(resource.api_version, resource.plural, str(ref["name"]), namespace=namespace)
        except errors.NotFound:
            return False
        return _uid(owner) == str(ref["uid"])

    async def _delete(self, node: _Node, propagation: str) -> None:
        namespace, name = split_key(node.key)
        with contextlib.suppress(errors.NotFound):  # gone already: what was wanted
            await self.client.delete(
                node.resource.api_version,
                node.resource.plural,
                name,
                namespace=namespace,
                propagation_policy=propagation,
            )

    async def _set_owners(self, node: _Node, owners: Iterable[Obj]) -> None:
        await self._patch_metadata(node, "ownerReferences", list(owners))

    async def _remove_finalizer(self, node: _Node, finalizer: str) -> None:
        await self._patch_metadata(node, "finalizers", [f for f in node.finalizers if f != finalizer])

    async def _patch_metadata(self, node: _Node, field_name: str, value: list[Any]) -> None:
        """Replace one list of the metadata (a merge patch replaces lists whole; empty removes it)."""
        namespace, name = split_key(node.key)
        patch = {"metadata": {field_name: value or None}}
        with contextlib.suppress(errors.NotFound):
            await self.client.patch(node.resource.api_version, node.resource.plural, name, patch, namespace=namespace)


def _uid(obj: Obj) -> str:
    return str((obj.get("metadata") or {}).get("uid", ""))
