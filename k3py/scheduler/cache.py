"""The scheduler's view of the cluster: every node with the pods bound (or assumed bound) to it,
their summed requests, used host ports and images, kept current one event at a time. Pure.

As kube-scheduler's cache does, a pod the scheduler has sent for binding is *assumed* on its node
at once, so the next pod sees the room it takes even before the watch reports the binding; the
watch's version replaces the assumption when it arrives, and a failed binding forgets it.
Pods that finished (Succeeded, Failed) take no room and are left out. A pod bound to a node the
cache does not know yet waits on a placeholder entry until the node appears.

Nominated pods (``status.nominatedNodeName``, set by preemption) are kept apart: they are not on
their node yet, but lower-priority pods must not take the room freed for them.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from k3py.scheduler import affinity, resources
from k3py.scheduler.affinity import NO_SCHEDULE, NodeAffinity, PodAffinity, SpreadConstraint, Taint, Toleration

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping

Obj = dict[str, Any]

TAINT_NOT_READY: Final = "node.kubernetes.io/not-ready"
TAINT_UNREACHABLE: Final = "node.kubernetes.io/unreachable"
TAINT_UNSCHEDULABLE: Final = "node.kubernetes.io/unschedulable"
DEFAULT_BIND_ALL_HOST_IP: Final = "0.0.0.0"
#: the NoSchedule taint a node's Ready condition stands for until the node lifecycle controller
#: writes it (it does within seconds): the scheduler never places pods on a NotReady node meanwhile
_READY_TAINTS: Final = {"False": TAINT_NOT_READY, "Unknown": TAINT_UNREACHABLE}

#: (host IP, protocol, port)
HostPort = tuple[str, str, int]


def pod_key(pod: Mapping[str, Any]) -> str:
    metadata = pod.get("metadata") or {}
    return f"{metadata.get('namespace') or ''}/{metadata.get('name') or ''}"


def normalized_image(name: str) -> str:
    """``normalizedImageName``: a reference without a tag or digest means ``:latest``."""
    if "@" in name or name.rfind(":") > name.rfind("/"):
        return name
    return name + ":latest"


def host_ports(spec: Mapping[str, Any]) -> tuple[HostPort, ...]:
    """The host ports a pod's containers (and sidecars) bind."""
    found: list[HostPort] = []
    host_network = bool(spec.get("hostNetwork"))
    containers = list(spec.get("containers") or [])
    containers += [
        c for c in spec.get("initContainers") or [] if isinstance(c, dict) and c.get("restartPolicy") == "Always"
    ]
    for container in containers:
        if not isinstance(container, dict):
            continue
        for port in container.get("ports") or []:
            if not isinstance(port, dict):
                continue
            number = port.get("hostPort") or (port.get("containerPort") if host_network else 0)
            if not isinstance(number, int) or isinstance(number, bool) or number <= 0:
                continue
            ip = str(port.get("hostIP") or DEFAULT_BIND_ALL_HOST_IP)
            found.append((ip, str(port.get("protocol") or "TCP"), number))
    return tuple(found)


@dataclass(slots=True)
class PodInfo:
    """A pod with what the scheduler reads from it computed once (``framework.PodInfo``)."""

    obj: Obj
    key: str
    namespace: str
    name: str
    uid: str
    labels: Mapping[str, str]
    node_name: str
    priority: int
    preemption_policy: str
    resources: resources.PodResources
    ports: tuple[HostPort, ...]
    node_affinity: NodeAffinity
    tolerations: tuple[Toleration, ...]
    pod_affinity: PodAffinity
    spread: tuple[SpreadConstraint, ...]
    images: tuple[str, ...]
    terminating: bool
    start_time: str
    nominated_node: str

    @classmethod
    def of(cls, pod: Obj, priority: int = 0, preemption_policy: str = "PreemptLowerPriority") -> PodInfo:
        metadata = pod.get("metadata") or {}
        spec = pod.get("spec") or {}
        status = pod.get("status") or {}
        namespace = str(metadata.get("namespace") or "")
        labels = {str(k): str(v) for k, v in (metadata.get("labels") or {}).items()}
        containers = [
            c for c in (spec.get("initContainers") or []) + (spec.get("containers") or []) if isinstance(c, dict)
        ]
        return cls(
            obj=pod,
            key=pod_key(pod),
            namespace=namespace,
            name=str(metadata.get("name") or ""),
            uid=str(metadata.get("uid") or ""),
            labels=labels,
            node_name=str(spec.get("nodeName") or ""),
            priority=priority,
            preemption_policy=preemption_policy,
            resources=resources.pod_resources(pod),
            ports=host_ports(spec),
            node_affinity=NodeAffinity.of(spec),
            tolerations=affinity.tolerations_of(spec),
            pod_affinity=PodAffinity.of(spec, namespace, labels),
            spread=affinity.spread_constraints_of(spec, labels),
            images=tuple(normalized_image(str(c.get("image"))) for c in containers if c.get("image")),
            terminating=bool(metadata.get("deletionTimestamp")),
            start_time=str(status.get("startTime") or metadata.get("creationTimestamp") or ""),
            nominated_node=str(status.get("nominatedNodeName") or ""),
        )

    @property
    def has_required_anti_affinity(self) -> bool:
        return bool(self.pod_affinity.required_anti)


@dataclass(slots=True)
class NodeInfo:
    """A node and what its pods take (``framework.NodeInfo``); ``node`` is None for a placeholder
    holding pods bound to a node not seen yet."""

    name: str
    node: Obj | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    taints: tuple[Taint, ...] = ()
    unschedulable: bool = False
    allocatable: resources.Resources = field(default_factory=resources.Resources)
    images: Mapping[str, int] = field(default_factory=dict)
    pods: dict[str, PodInfo] = field(default_factory=dict)
    requested: resources.Resources = field(default_factory=resources.Resources)
    non_zero_milli_cpu: int = 0
    non_zero_memory: int = 0
    used_ports: Counter[HostPort] = field(default_factory=Counter)
    with_affinity: int = 0
    with_required_anti_affinity: int = 0

    def set_node(self, node: Obj | None) -> None:
        self.node = node
        if node is None:
            self.labels, self.taints, self.unschedulable, self.images = {}, (), False, {}
            self.allocatable = resources.Resources()
            return
        metadata, spec, status = node.get("metadata") or {}, node.get("spec") or {}, node.get("status") or {}
        self.labels = {str(k): str(v) for k, v in (metadata.get("labels") or {}).items()}
        self.taints = node_taints(node)
        self.unschedulable = bool(spec.get("unschedulable"))
        self.allocatable = resources.node_allocatable(node)
        images: dict[str, int] = {}
        for image in status.get("images") or []:
            if not isinstance(image, dict):
                continue
            size = image.get("sizeBytes")
            for name in image.get("names") or []:
                images[str(name)] = size if isinstance(size, int) and not isinstance(size, bool) else 0
        self.images = images

    def add_pod(self, pod: PodInfo) -> None:
        self._account(pod, 1)
        self.pods[pod.key] = pod

    def remove_pod(self, key: str) -> PodInfo | None:
        pod = self.pods.pop(key, None)
        if pod is not None:
            self._account(pod, -1)
        return pod

    def _account(self, pod: PodInfo, sign: int) -> None:
        self.requested.add(pod.resources.requests, sign)
        self.non_zero_milli_cpu += sign * pod.resources.non_zero_milli_cpu
        self.non_zero_memory += sign * pod.resources.non_zero_memory
        for port in pod.ports:
            self.used_ports[port] += sign
            if self.used_ports[port] <= 0:
                del self.used_ports[port]
        if pod.pod_affinity.any:
            self.with_affinity += sign
        if pod.has_required_anti_affinity:
            self.with_required_anti_affinity += sign

    def copy(self) -> NodeInfo:
        """A copy whose pods can be added and removed (preemption's dry runs) without touching this."""
        return NodeInfo(
            name=self.name,
            node=self.node,
            labels=self.labels,
            taints=self.taints,
            unschedulable=self.unschedulable,
            allocatable=self.allocatable,
            images=self.images,
            pods=dict(self.pods),
            requested=self.requested.copy(),
            non_zero_milli_cpu=self.non_zero_milli_cpu,
            non_zero_memory=self.non_zero_memory,
            used_ports=Counter(self.used_ports),
            with_affinity=self.with_affinity,
            with_required_anti_affinity=self.with_required_anti_affinity,
        )

    def port_conflict(self, wanted: HostPort) -> bool:
        """``HostPortInfo.CheckConflict``: 0.0.0.0 clashes with every address of the same port."""
        ip, protocol, port = wanted
        if ip == DEFAULT_BIND_ALL_HOST_IP:
            return any(p == port and proto == protocol for _, proto, p in self.used_ports)
        return (DEFAULT_BIND_ALL_HOST_IP, protocol, port) in self.used_ports or wanted in self.used_ports


def node_taints(node: Mapping[str, Any]) -> tuple[Taint, ...]:
    """The node's taints, plus the NoSchedule taint its Ready condition stands for."""
    taints = [Taint.of(t) for t in (node.get("spec") or {}).get("taints") or [] if isinstance(t, dict)]
    for condition in (node.get("status") or {}).get("conditions") or []:
        if isinstance(condition, dict) and condition.get("type") == "Ready":
            key = _READY_TAINTS.get(str(condition.get("status")))
            if key and not any(t.key == key and t.effect == NO_SCHEDULE for t in taints):
                taints.append(Taint(key, "", NO_SCHEDULE))
    return tuple(taints)


def is_terminal(pod: Mapping[str, Any]) -> bool:
    return (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")


@dataclass
class Cache:
    """Every node's :class:`NodeInfo`, the assumed pods and the nominated ones."""

    nodes: dict[str, NodeInfo] = field(default_factory=dict)
    #: pod key -> the node it is counted on
    placed: dict[str, str] = field(default_factory=dict)
    assumed: set[str] = field(default_factory=set)
    #: how many nodes hold each image (image locality weighs images by how widespread they are)
    image_nodes: Counter[str] = field(default_factory=Counter)
    nominated: dict[str, dict[str, PodInfo]] = field(default_factory=dict)
    _nominated_on: dict[str, str] = field(default_factory=dict)

    # -- nodes ------------------------------------------------------------------------------------

    def set_node(self, node: Obj) -> None:
        name = str((node.get("metadata") or {}).get("name") or "")
        info = self.nodes.get(name)
        if info is None:
            info = self.nodes[name] = NodeInfo(name)
        self._count_images(info, -1)
        info.set_node(node)
        self._count_images(info, 1)

    def remove_node(self, name: str) -> None:
        info = self.nodes.get(name)
        if info is None:
            return
        self._count_images(info, -1)
        if info.pods:
            info.set_node(None)  # its pods stay counted until they are deleted too
        else:
            del self.nodes[name]

    def _count_images(self, info: NodeInfo, sign: int) -> None:
        for image in info.images:
            self.image_nodes[image] += sign
            if self.image_nodes[image] <= 0:
                del self.image_nodes[image]

    def node_list(self) -> list[NodeInfo]:
        """The nodes that exist (placeholders left out), in a stable order."""
        return [info for _, info in sorted(self.nodes.items()) if info.node is not None]

    # -- pods -------------------------------------------------------------------------------------

    def set_pod(self, pod: PodInfo) -> None:
        """Count a bound pod on its node (replacing its previous version or its assumption)."""
        self.remove_pod(pod.key)
        info = self.nodes.get(pod.node_name)
        if info is None:
            info = self.nodes[pod.node_name] = NodeInfo(pod.node_name)
        info.add_pod(pod)
        self.placed[pod.key] = pod.node_name

    def remove_pod(self, key: str) -> PodInfo | None:
        self.assumed.discard(key)
        name = self.placed.pop(key, None)
        if name is None:
            return None
        info = self.nodes.get(name)
        if info is None:
            return None
        removed = info.remove_pod(key)
        if info.node is None and not info.pods:
            del self.nodes[name]
        return removed

    def assume(self, pod: PodInfo, node: str) -> None:
        """Count ``pod`` on ``node`` as if bound, while its binding is under way."""
        self.forget_nomination(pod.key)
        self.set_pod(dataclasses.replace(pod, obj=_bound(pod.obj, node), node_name=node, nominated_node=""))
        self.assumed.add(pod.key)

    def forget(self, key: str) -> None:
        """The binding failed: the assumed pod takes no room any more."""
        if key in self.assumed:
            self.remove_pod(key)

    def pod(self, key: str) -> PodInfo | None:
        """The pod as counted on its node, if it is."""
        name = self.placed.get(key)
        info = self.nodes.get(name) if name is not None else None
        return info.pods.get(key) if info is not None else None

    def is_assumed(self, key: str) -> bool:
        return key in self.assumed

    def pods(self) -> Iterator[tuple[NodeInfo, PodInfo]]:
        for info in self.nodes.values():
            for pod in info.pods.values():
                yield info, pod

    # -- nominations ------------------------------------------------------------------------------

    def nominate(self, pod: PodInfo, node: str) -> None:
        self.forget_nomination(pod.key)
        if node:
            self.nominated.setdefault(node, {})[pod.key] = pod
            self._nominated_on[pod.key] = node

    def forget_nomination(self, key: str) -> None:
        node = self._nominated_on.pop(key, None)
        if node is not None:
            pods = self.nominated.get(node, {})
            pods.pop(key, None)
            if not pods:
                self.nominated.pop(node, None)

    def nominated_node(self, key: str) -> str:
        return self._nominated_on.get(key, "")

    def nominated_pods(self, node: str) -> Iterable[PodInfo]:
        return self.nominated.get(node, {}).values()


def _bound(pod: Obj, node: str) -> Obj:
    spec = dict(pod.get("spec") or {})
    spec["nodeName"] = node
    return {**pod, "spec": spec}
