"""Node and Pod objects for scheduler tests, as a kubelet and a user would write them."""

from __future__ import annotations

from typing import Any

from k3py.scheduler.cache import Cache, PodInfo

Obj = dict[str, Any]


def node(
    name: str,
    *,
    cpu: str = "4",
    memory: str = "8Gi",
    pods: str = "110",
    labels: dict[str, str] | None = None,
    taints: list[Obj] | None = None,
    ready: str | None = "True",
    unschedulable: bool = False,
    images: list[Obj] | None = None,
    extra: dict[str, str] | None = None,
) -> Obj:
    allocatable = {"cpu": cpu, "memory": memory, "pods": pods, **(extra or {})}
    spec: Obj = {}
    if taints:
        spec["taints"] = taints
    if unschedulable:
        spec["unschedulable"] = True
    status: Obj = {"allocatable": allocatable, "capacity": dict(allocatable)}
    if ready is not None:
        status["conditions"] = [{"type": "Ready", "status": ready}]
    if images:
        status["images"] = images
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name, **(labels or {})}},
        "spec": spec,
        "status": status,
    }


def pod(
    name: str,
    *,
    namespace: str = "default",
    cpu: str | None = None,
    memory: str | None = None,
    labels: dict[str, str] | None = None,
    node_name: str = "",
    priority: int | None = None,
    image: str = "busybox",
    **spec: Any,
) -> Obj:
    requests = {k: v for k, v in (("cpu", cpu), ("memory", memory)) if v is not None}
    container: Obj = {"name": "c", "image": image}
    if requests:
        container["resources"] = {"requests": requests}
    body: Obj = {"containers": [container], **spec}
    if node_name:
        body["nodeName"] = node_name
    if priority is not None:
        body["priority"] = priority
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "labels": labels or {}},
        "spec": body,
    }


def cache_of(nodes: list[Obj], pods: list[Obj] | None = None, priorities: dict[str, int] | None = None) -> Cache:
    """A scheduler cache holding ``nodes`` and the bound ``pods`` (priority by pod name)."""
    cache = Cache()
    for obj in nodes:
        cache.set_node(obj)
    for obj in pods or []:
        cache.set_pod(PodInfo.of(obj, (priorities or {}).get(obj["metadata"]["name"], 0)))
    return cache


def anti_affinity(key: str = "kubernetes.io/hostname", **match: str) -> Obj:
    return {
        "podAntiAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": [
                {"labelSelector": {"matchLabels": match}, "topologyKey": key}
            ]
        }
    }


def pod_affinity(key: str = "kubernetes.io/hostname", **match: str) -> Obj:
    return {
        "podAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": [
                {"labelSelector": {"matchLabels": match}, "topologyKey": key}
            ]
        }
    }
