"""Subresources that are views of their object: ``scale`` and ``binding``. Pure transformations.

``scale`` is the autoscaling/v1 Scale view of anything with replicas (what ``kubectl scale`` and
the HPA use): built-ins keep them at ``spec.replicas``, custom resources where their CRD's scale
subresource says; ``binding`` is how a scheduler assigns a pod to a node.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from k3py.api.tables import selector_string
from k3py.core import errors

if TYPE_CHECKING:
    from k3py.api.registry import ResourceType, ScalePaths

Obj = dict[str, Any]

SCALABLE = frozenset(
    {("apps", "deployments"), ("apps", "replicasets"), ("apps", "statefulsets"), ("", "replicationcontrollers")}
)


def to_scale(group: str, plural: str, obj: Obj) -> Obj:
    """The Scale of ``obj`` (its metadata, ``spec.replicas``, ``status.replicas`` and selector)."""
    metadata = obj.get("metadata") or {}
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    selector = spec.get("selector")
    if (group, plural) == ("", "replicationcontrollers"):  # a plain map, not a LabelSelector
        text = ",".join(f"{k}={v}" for k, v in sorted((selector or {}).items()))
    else:
        text = selector_string(selector) or ""
    scale_meta = {
        k: metadata[k] for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp") if k in metadata
    }
    return {
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": scale_meta,
        "spec": {"replicas": int(spec.get("replicas", 1))},
        "status": {"replicas": int(status.get("replicas", 0)), "selector": text},
    }


def scalable(rt: ResourceType) -> bool:
    """Whether ``rt`` has a Scale view: the built-ins with replicas, custom resources with a scale subresource."""
    if rt.custom is not None:
        return rt.custom.scale is not None
    return (rt.group, rt.plural) in SCALABLE


def scale_of(rt: ResourceType, obj: Obj) -> Obj:
    """The Scale of ``obj``, an object of ``rt``."""
    if rt.custom is not None and rt.custom.scale is not None:
        return custom_scale(obj, rt.custom.scale)
    return to_scale(rt.group, rt.plural, obj)


def with_replicas(rt: ResourceType, obj: Obj, replicas: int) -> Obj:
    """``obj`` with its desired replicas set to ``replicas`` (where its Scale reads them)."""
    path = rt.custom.scale.spec_replicas if rt.custom is not None and rt.custom.scale is not None else ".spec.replicas"
    target = obj
    *parents, last = _path_parts(path)
    for part in parents:
        child = target.get(part)
        if not isinstance(child, dict):
            child = target[part] = {}
        target = child
    target[last] = replicas
    return obj


def _path_parts(path: str) -> list[str]:
    """A CRD's scale path (``.spec.replicas``) as keys, as apiextensions' splitReplicasPath reads it."""
    return path.removeprefix(".").split(".")


def _nested(obj: Obj, path: str) -> Any:
    value: Any = obj
    for part in _path_parts(path):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def custom_scale(obj: Obj, paths: ScalePaths) -> Obj:
    """The Scale of a custom resource, as apiextensions' scaleFromCustomResource builds it (missing: 0)."""
    metadata = obj.get("metadata") or {}
    spec_replicas, status_replicas = _nested(obj, paths.spec_replicas), _nested(obj, paths.status_replicas)
    selector = _nested(obj, paths.label_selector) if paths.label_selector else ""
    return {
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            k: metadata[k]
            for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
            if k in metadata
        },
        "spec": {"replicas": _int(spec_replicas)},
        "status": {"replicas": _int(status_replicas), "selector": selector if isinstance(selector, str) else ""},
    }


def _int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 0
    return int(value)


def replicas_of(scale: Obj) -> int:
    """``spec.replicas`` of a Scale the client sent; 422 unless a non-negative integer."""
    value = (scale.get("spec") or {}).get("replicas", 0) if isinstance(scale.get("spec", {}), dict) else None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise errors.Invalid(
            f'Scale "{(scale.get("metadata") or {}).get("name", "")}" is invalid: spec.replicas: Invalid value: '
            f"{value!r}: must be greater than or equal to 0",
            kind="Scale",
            group="autoscaling",
            causes=(errors.Cause("FieldValueInvalid", "must be greater than or equal to 0", "spec.replicas"),),
        )
    return value


def bind(pod: Obj, node: str) -> Obj:
    """``pod`` assigned to ``node``; 409 if it is already on a node (the apiserver's binding rules)."""
    spec = pod.setdefault("spec", {})
    name = (pod.get("metadata") or {}).get("name", "")
    if spec.get("nodeName"):
        raise errors.Conflict(
            f'Operation cannot be fulfilled on pods/binding "{name}": pod {name} is already assigned to node '
            f'"{spec["nodeName"]}"',
            kind="pods/binding",
            name=name,
        )
    if not node:
        raise errors.Invalid(
            f'Binding "{name}" is invalid: target.name: Required value',
            kind="Binding",
            causes=(errors.Cause("FieldValueRequired", "Required value", "target.name"),),
        )
    spec["nodeName"] = node
    return pod
