"""Per-kind rules applied on create and update (the apiserver's REST strategies), pure.

Only what clients observe from the start lives here: a namespace is Active with the
``kubernetes`` finalizer and its name label; a pod starts Pending; any resource with a status
subresource starts with the status the server gives it, not the one the client sent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from k3py.api.registry import ResourceType

Obj = dict[str, Any]
NAME_LABEL = "kubernetes.io/metadata.name"


def prepare_for_create(rt: ResourceType, obj: Obj) -> None:
    if "status" in rt.subresources:
        obj.pop("status", None)
    key = (rt.group, rt.plural)
    metadata = obj["metadata"]
    if key == ("", "namespaces"):
        obj.setdefault("spec", {}).setdefault("finalizers", ["kubernetes"])
        obj["status"] = {"phase": "Active"}
        metadata.setdefault("labels", {})[NAME_LABEL] = metadata["name"]
    elif key == ("", "pods"):
        obj["status"] = {"phase": "Pending", "qosClass": pod_qos_class(obj.get("spec") or {})}


def prepare_for_update(rt: ResourceType, old: Obj, new: Obj) -> None:
    if (rt.group, rt.plural) == ("", "namespaces"):
        new["metadata"].setdefault("labels", {})[NAME_LABEL] = new["metadata"]["name"]


def pod_qos_class(spec: Obj) -> str:
    """Guaranteed, Burstable or BestEffort, as ``qos.GetPodQOS`` decides (cpu and memory only)."""
    containers = list(spec.get("containers") or []) + list(spec.get("initContainers") or [])
    any_set, guaranteed = False, True
    for container in containers:
        resources = container.get("resources") or {}
        requests, limits = resources.get("requests") or {}, resources.get("limits") or {}
        for name in ("cpu", "memory"):
            if name in requests or name in limits:
                any_set = True
            limit = limits.get(name)
            if limit is None or requests.get(name, limit) != limit:
                guaranteed = False
    if not any_set:
        return "BestEffort"
    return "Guaranteed" if guaranteed else "Burstable"
