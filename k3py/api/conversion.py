"""Conversion between versions of one resource that the API serves from one key space.

events.k8s.io/v1 Events are core/v1 Events under other field names, and autoscaling/v1
HorizontalPodAutoscalers are autoscaling/v2 ones with only a CPU target (the other metrics ride
in annotations, as Kubernetes' own conversion keeps them). Objects are stored in the storage
version (core/v1, autoscaling/v2) and turned into the requested one on the way in and out, so a
client of either version sees every object. Pure functions.
"""

from __future__ import annotations

import copy
import json
from typing import Any

Obj = dict[str, Any]

# (group, version, plural) served from another version's storage -> that storage apiVersion
STORED_AS = {
    ("events.k8s.io", "v1", "events"): "v1",
    ("autoscaling", "v1", "horizontalpodautoscalers"): "autoscaling/v2",
}

# core/v1 Event field -> events.k8s.io/v1 Event field
_EVENT_FIELDS = (
    ("involvedObject", "regarding"),
    ("related", "related"),
    ("message", "note"),
    ("reason", "reason"),
    ("type", "type"),
    ("eventTime", "eventTime"),
    ("series", "series"),
    ("action", "action"),
    ("reportingComponent", "reportingController"),
    ("reportingInstance", "reportingInstance"),
    ("firstTimestamp", "deprecatedFirstTimestamp"),
    ("lastTimestamp", "deprecatedLastTimestamp"),
    ("count", "deprecatedCount"),
    ("source", "deprecatedSource"),
)
HPA = "HorizontalPodAutoscaler"
METRICS_ANNOTATION = "autoscaling.alpha.kubernetes.io/metrics"
CURRENT_METRICS_ANNOTATION = "autoscaling.alpha.kubernetes.io/current-metrics"
BEHAVIOR_ANNOTATION = "autoscaling.alpha.kubernetes.io/behavior"
CONDITIONS_ANNOTATION = "autoscaling.alpha.kubernetes.io/conditions"


def storage_version(group: str, version: str, plural: str) -> str | None:
    """The apiVersion objects of this resource are stored in, when it is not the resource's own."""
    return STORED_AS.get((group, version, plural))


def to_storage(group: str, version: str, plural: str, obj: Obj) -> Obj:
    stored_as = storage_version(group, version, plural)
    if stored_as is None or obj.get("apiVersion") == stored_as:
        return obj
    if plural == "events":
        return _rename(obj, "v1", [(new, old) for old, new in _EVENT_FIELDS])
    return _hpa_v1_to_v2(obj)


def from_storage(group: str, version: str, plural: str, obj: Obj) -> Obj:
    stored_as = storage_version(group, version, plural)
    wanted = f"{group}/{version}" if group else version
    if stored_as is None or obj.get("apiVersion") == wanted:
        return obj
    if plural == "events":
        return _rename(obj, wanted, list(_EVENT_FIELDS))
    return _hpa_v2_to_v1(obj)


def _rename(obj: Obj, api_version: str, fields: list[tuple[str, str]]) -> Obj:
    out: Obj = {"apiVersion": api_version, "kind": obj.get("kind", "Event"), "metadata": obj.get("metadata", {})}
    for source, target in fields:
        if source in obj:
            out[target] = obj[source]
    return out


def _hpa_v2_to_v1(obj: Obj) -> Obj:
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    metadata = copy.deepcopy(obj.get("metadata") or {})
    annotations = metadata.get("annotations") or {}
    metrics = list(spec.get("metrics") or [])
    cpu = next((m for m in metrics if _is_cpu_utilization(m)), None)
    others = [m for m in metrics if m is not cpu]
    if others:
        annotations[METRICS_ANNOTATION] = json.dumps(others, separators=(",", ":"))
    if spec.get("behavior"):
        annotations[BEHAVIOR_ANNOTATION] = json.dumps(spec["behavior"], separators=(",", ":"))
    if status.get("conditions"):
        annotations[CONDITIONS_ANNOTATION] = json.dumps(status["conditions"], separators=(",", ":"))
    current = list(status.get("currentMetrics") or [])
    current_cpu = next(
        (m for m in current if m.get("type") == "Resource" and (m.get("resource") or {}).get("name") == "cpu"), None
    )
    if current and [m for m in current if m is not current_cpu]:
        annotations[CURRENT_METRICS_ANNOTATION] = json.dumps(
            [m for m in current if m is not current_cpu], separators=(",", ":")
        )
    if annotations:
        metadata["annotations"] = annotations
    v1_spec = {k: spec[k] for k in ("scaleTargetRef", "minReplicas", "maxReplicas") if k in spec}
    if cpu is not None:
        v1_spec["targetCPUUtilizationPercentage"] = cpu["resource"]["target"]["averageUtilization"]
    out: Obj = {"apiVersion": "autoscaling/v1", "kind": HPA, "metadata": metadata, "spec": v1_spec}
    if status:
        v1_status = {
            k: status[k]
            for k in ("observedGeneration", "lastScaleTime", "currentReplicas", "desiredReplicas")
            if k in status
        }
        utilization = ((current_cpu or {}).get("resource") or {}).get("current", {}).get("averageUtilization")
        if utilization is not None:
            v1_status["currentCPUUtilizationPercentage"] = utilization
        out["status"] = v1_status
    return out


def _hpa_v1_to_v2(obj: Obj) -> Obj:
    spec = obj.get("spec") or {}
    status = obj.get("status")
    metadata = copy.deepcopy(obj.get("metadata") or {})
    annotations = dict(metadata.get("annotations") or {})
    metrics = _annotation_list(annotations, METRICS_ANNOTATION)
    if "targetCPUUtilizationPercentage" in spec:
        target = {"type": "Utilization", "averageUtilization": spec["targetCPUUtilizationPercentage"]}
        metrics.insert(0, {"type": "Resource", "resource": {"name": "cpu", "target": target}})
    v2_spec = {k: spec[k] for k in ("scaleTargetRef", "minReplicas", "maxReplicas") if k in spec}
    if metrics:
        v2_spec["metrics"] = metrics
    behavior = annotations.pop(BEHAVIOR_ANNOTATION, None)
    if behavior:
        v2_spec["behavior"] = json.loads(behavior)
    out: Obj = {"apiVersion": "autoscaling/v2", "kind": HPA, "metadata": metadata, "spec": v2_spec}
    conditions = _annotation_list(annotations, CONDITIONS_ANNOTATION)
    current = _annotation_list(annotations, CURRENT_METRICS_ANNOTATION)
    if status is not None:
        v2_status = {
            k: status[k]
            for k in ("observedGeneration", "lastScaleTime", "currentReplicas", "desiredReplicas")
            if k in status
        }
        if "currentCPUUtilizationPercentage" in status:
            utilization = {"averageUtilization": status["currentCPUUtilizationPercentage"]}
            current.insert(0, {"type": "Resource", "resource": {"name": "cpu", "current": utilization}})
        if current:
            v2_status["currentMetrics"] = current
        if conditions:
            v2_status["conditions"] = conditions
        out["status"] = v2_status
    if annotations:
        metadata["annotations"] = annotations
    else:
        metadata.pop("annotations", None)
    return out


def _annotation_list(annotations: Obj, name: str) -> list[Any]:
    raw = annotations.pop(name, None)
    try:
        value = json.loads(raw) if isinstance(raw, str) else []
    except ValueError:
        return []
    return value if isinstance(value, list) else []


def _is_cpu_utilization(metric: Obj) -> bool:
    resource = metric.get("resource") or {}
    target = resource.get("target") or {}
    return (
        metric.get("type") == "Resource"
        and resource.get("name") == "cpu"
        and target.get("type") == "Utilization"
        and "averageUtilization" in target
    )
