"""The device's side of the fleet: apply a bundle to the local API, prune what it dropped, remember.

What a device applies it applies with server-side apply under its own field manager,
``k3py-fleet``, forcing conflicts (the hub is the authority for the fields it sets; a local
``kubectl apply`` of other fields of the same objects keeps working beside it). It prunes only what
an earlier bundle applied and the new one no longer holds, and only while ``k3py-fleet`` still
manages the object: an object a local user created, or took over, is never touched.

Everything a device must remember across a reboot with the uplink down lives in the local store,
in one ConfigMap (``kube-system/k3py-fleet-state``): the applied revision (replays and older
retained messages are refused against it), the inventory of what was applied (what to prune
next time) and the sealed bundle itself (the last desired state, verified again on load). The
workloads themselves are ordinary objects in the store, so they run on without the hub.
"""

from __future__ import annotations

import base64
import json
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from k3py.core import errors

if TYPE_CHECKING:
    from k3py.api.client import Client, Resource
    from k3py.fleet.bundle import Bundle

logger = logging.getLogger(__name__)

FIELD_MANAGER: Final = "k3py-fleet"
STATE_NAMESPACE: Final = "kube-system"
STATE_NAME: Final = "k3py-fleet-state"
# Applied first, so that what lives in them or is made of them exists when the rest arrives.
FIRST_KINDS: Final = ("Namespace", "CustomResourceDefinition")

Obj = dict[str, Any]
Ref = tuple[str, str, str, str]  # apiVersion, kind, namespace, name


@dataclass(frozen=True, slots=True)
class ObjectResult:
    """What became of one object of a bundle (the per-resource health a device reports)."""

    api_version: str
    kind: str
    namespace: str
    name: str
    #: Applied, Failed or Pruned
    outcome: str
    message: str = ""

    def report(self) -> Obj:
        out: Obj = {"apiVersion": self.api_version, "kind": self.kind, "name": self.name, "outcome": self.outcome}
        if self.namespace:
            out["namespace"] = self.namespace
        if self.message:
            out["message"] = self.message
        return out


@dataclass(slots=True)
class State:
    """What the device remembers of the fleet (the ConfigMap's content)."""

    revision: int = 0
    inventory: list[Ref] = field(default_factory=list)
    sealed: bytes = b""


class EdgeApplier:
    """Applies bundles through ``client``, whose field manager must be :data:`FIELD_MANAGER`."""

    def __init__(self, client: Client) -> None:
        if client.field_manager != FIELD_MANAGER:
            raise ValueError(f"the edge applies as {FIELD_MANAGER!r}, not {client.field_manager!r}")
        self.client = client
        self._kinds: dict[tuple[str, str], Resource] | None = None

    async def load(self) -> State:
        """The remembered state; an empty one on a device that never applied a bundle."""
        try:
            stored = await self.client.get("v1", "configmaps", STATE_NAME, namespace=STATE_NAMESPACE)
        except errors.NotFound:
            return State()
        data = stored.get("data") or {}
        inventory = [tuple(ref) for ref in json.loads(data.get("inventory") or "[]")]
        return State(
            revision=int(data.get("revision") or 0),
            inventory=[(str(a), str(k), str(ns), str(n)) for a, k, ns, n in inventory],
            sealed=base64.b64decode((stored.get("binaryData") or {}).get("bundle") or ""),
        )

    async def apply(self, bundle: Bundle, sealed: bytes) -> list[ObjectResult]:
        """Apply ``bundle`` (verified by the caller: :func:`k3py.fleet.bundle.open_sealed`), prune
        what the previous one held and this one does not, and remember both."""
        previous = await self.load()
        kinds = await self._discover()
        results: list[ObjectResult] = []
        inventory: list[Ref] = []
        for obj in sorted(bundle.objects, key=lambda o: o.get("kind") not in FIRST_KINDS):
            result, ref = await self._apply_one(obj, kinds)
            results.append(result)
            if ref is not None:
                inventory.append(ref)
        kept = set(inventory)
        for ref in previous.inventory:
            if ref not in kept:
                pruned = await self._prune(ref, kinds)
                if pruned is not None:
                    results.append(pruned)
        await self._remember(State(bundle.revision, inventory, sealed))
        return results

    async def _discover(self, *, again: bool = False) -> dict[tuple[str, str], Resource]:
        if self._kinds is None or again:
            self._kinds = {(r.api_version, r.kind): r for r in await self.client.resources()}
        return self._kinds

    async def _apply_one(self, obj: Obj, kinds: dict[tuple[str, str], Resource]) -> tuple[ObjectResult, Ref | None]:
        api_version, kind = str(obj["apiVersion"]), str(obj["kind"])
        metadata = dict(obj["metadata"])
        resource = kinds.get((api_version, kind))
        if resource is None:  # a CRD of this very bundle may have just made it
            resource = (await self._discover(again=True)).get((api_version, kind))
        namespace = str(metadata.get("namespace") or ("default" if resource and resource.namespaced else ""))
        name = str(metadata["name"])
        if resource is None:
            message = f'no resource serves kind "{kind}" in version "{api_version}"'
            return ObjectResult(api_version, kind, namespace, name, "Failed", message), None
        if resource.namespaced:
            metadata["namespace"] = namespace
        ref: Ref = (api_version, kind, namespace, name)
        try:
            await self.client.apply({**obj, "metadata": metadata}, resource.plural, force=True)
        except errors.K3pyError as exc:
            logger.warning("fleet: %s %s/%s not applied: %s", kind, namespace, name, exc)
            return ObjectResult(api_version, kind, namespace, name, "Failed", str(exc)), ref
        return ObjectResult(api_version, kind, namespace, name, "Applied"), ref

    async def _prune(self, ref: Ref, kinds: dict[tuple[str, str], Resource]) -> ObjectResult | None:
        api_version, kind, namespace, name = ref
        resource = kinds.get((api_version, kind))
        if resource is None:
            return None
        try:
            current = await self.client.get(api_version, resource.plural, name, namespace=namespace)
        except errors.NotFound:
            return None
        if not managed_by_fleet(current):
            logger.info("fleet: %s %s/%s left alone: no longer managed by %s", kind, namespace, name, FIELD_MANAGER)
            return None
        uid = str((current.get("metadata") or {}).get("uid") or "")
        try:
            await self.client.delete(
                api_version,
                resource.plural,
                name,
                namespace=namespace,
                propagation_policy="Background",
                preconditions={"uid": uid} if uid else None,
            )
        except errors.NotFound:
            return None
        except errors.K3pyError as exc:
            return ObjectResult(api_version, kind, namespace, name, "Failed", f"not pruned: {exc}")
        return ObjectResult(api_version, kind, namespace, name, "Pruned")

    async def _remember(self, state: State) -> None:
        configmap = {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": STATE_NAME, "namespace": STATE_NAMESPACE},
            "data": {"revision": str(state.revision), "inventory": json.dumps([list(r) for r in state.inventory])},
            "binaryData": {"bundle": base64.b64encode(state.sealed).decode()},
        }
        await self.client.apply(configmap, "configmaps", force=True)


def managed_by_fleet(obj: Obj) -> bool:
    """Whether the fleet's field manager still owns fields of ``obj`` through apply."""
    entries = (obj.get("metadata") or {}).get("managedFields") or []
    return any(e.get("manager") == FIELD_MANAGER and e.get("operation") == "Apply" for e in entries)
