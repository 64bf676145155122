"""What a pod asks of a node and what a node offers, in the scheduler's integer units. Pure.

CPU is counted in millicores and everything else in whole units (bytes, devices), each rounded up,
as apimachinery's ``Quantity.MilliValue()`` and ``Value()`` do, so that comparisons are exact
integer ones like kube-scheduler's. Quantities are read with :mod:`k3py.core.quantity`.

A pod's request follows component-helpers' ``resource.PodRequests``: regular containers add up;
init containers run one at a time, so only the largest one counts, plus the restartable
(sidecar) init containers started before it, which also keep running beside the regular
containers; pod-level ``spec.resources.requests`` replace the container sum for cpu and memory;
``spec.overhead`` comes on top. A resource a container limits but does not request is requested
at its limit (the API's defaulting does the same; doing it here too keeps objects written
before that defaulting right).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal
from typing import TYPE_CHECKING, Any, Final

from k3py.core import quantity

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping


CPU: Final = "cpu"
MEMORY: Final = "memory"
EPHEMERAL_STORAGE: Final = "ephemeral-storage"
PODS: Final = "pods"
#: resources that are neither scalars nor scheduled on (PersistentVolume sizes)
_NOT_SCALAR: Final = frozenset({CPU, MEMORY, EPHEMERAL_STORAGE, PODS, "storage"})
#: what the scheduler assumes a container without a cpu or memory request uses, when it spreads
#: pods (schedutil.DefaultMilliCPURequest and DefaultMemoryRequest): 0.1 core and 200 MB
DEFAULT_MILLI_CPU_REQUEST: Final = 100
DEFAULT_MEMORY_REQUEST: Final = 200 * 1024 * 1024
#: the pod-level requests a pod may set (IsSupportedPodLevelResource)
_POD_LEVEL: Final = frozenset({CPU, MEMORY})


@dataclass(slots=True)
class Resources:
    """An amount of every resource (framework.Resource)."""

    milli_cpu: int = 0
    memory: int = 0
    ephemeral_storage: int = 0
    allowed_pods: int = 0
    scalars: dict[str, int] = field(default_factory=dict)

    def copy(self) -> Resources:
        return Resources(self.milli_cpu, self.memory, self.ephemeral_storage, self.allowed_pods, dict(self.scalars))

    def add(self, other: Resources, sign: int = 1) -> None:
        self.milli_cpu += sign * other.milli_cpu
        self.memory += sign * other.memory
        self.ephemeral_storage += sign * other.ephemeral_storage
        self.allowed_pods += sign * other.allowed_pods
        for name, amount in other.scalars.items():
            total = self.scalars.get(name, 0) + sign * amount
            if total:
                self.scalars[name] = total
            else:
                self.scalars.pop(name, None)

    def get(self, name: str) -> int:
        if name == CPU:
            return self.milli_cpu
        if name == MEMORY:
            return self.memory
        if name == EPHEMERAL_STORAGE:
            return self.ephemeral_storage
        if name == PODS:
            return self.allowed_pods
        return self.scalars.get(name, 0)

    @property
    def empty(self) -> bool:
        return not (self.milli_cpu or self.memory or self.ephemeral_storage or any(self.scalars.values()))


@dataclass(frozen=True, slots=True)
class PodResources:
    """A pod's requests, and the cpu and memory the scheduler counts for it when it spreads pods."""

    requests: Resources
    non_zero_milli_cpu: int
    non_zero_memory: int


def is_scalar(name: str) -> bool:
    """Extended resources (``vendor.com/gpu``), hugepages and the like: counted, never defaulted."""
    return name not in _NOT_SCALAR


@functools.lru_cache(maxsize=4096)
def _parse(text: str | int | float) -> Decimal:
    try:
        return quantity.parse(text).value
    except quantity.QuantityError:
        return Decimal(0)  # the API validates quantities; an invalid one asks for nothing


def amount(text: object) -> Decimal:
    """A quantity's exact value; 0 for anything that is not one."""
    if isinstance(text, bool) or not isinstance(text, str | int | float):
        return Decimal(0)
    return _parse(text)


def _ceil(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_CEILING))


def to_resources(amounts: Mapping[str, Decimal]) -> Resources:
    """A resource list in the scheduler's units (``Resource.Add``)."""
    result = Resources()
    for name, value in amounts.items():
        if name == CPU:
            result.milli_cpu = _ceil(value * 1000)
        elif name == MEMORY:
            result.memory = _ceil(value)
        elif name == EPHEMERAL_STORAGE:
            result.ephemeral_storage = _ceil(value)
        elif name == PODS:
            result.allowed_pods = _ceil(value)
        elif is_scalar(name):
            result.scalars[name] = _ceil(value)
    return result


def resource_list(raw: object) -> dict[str, Decimal]:
    """A ``ResourceList`` object read into exact values (entries that are not quantities dropped)."""
    if not isinstance(raw, dict):
        return {}
    return {str(name): amount(value) for name, value in raw.items()}


def container_requests(container: Mapping[str, Any]) -> dict[str, Decimal]:
    """Requests, with limits standing in for what is limited but not requested."""
    resources = container.get("resources") or {}
    if not isinstance(resources, dict):
        return {}
    requests = resource_list(resources.get("requests"))
    for name, value in resource_list(resources.get("limits")).items():
        requests.setdefault(name, value)
    return requests


def _add(total: dict[str, Decimal], more: Mapping[str, Decimal]) -> None:
    for name, value in more.items():
        total[name] = total.get(name, Decimal(0)) + value


def _max(total: dict[str, Decimal], other: Mapping[str, Decimal]) -> None:
    for name, value in other.items():
        if value > total.get(name, Decimal(0)):
            total[name] = value


def _with_defaults(requests: dict[str, Decimal], defaults: Mapping[str, Decimal]) -> dict[str, Decimal]:
    if not defaults:
        return requests
    merged = dict(requests)
    for name, value in defaults.items():
        merged.setdefault(name, value)
    return merged


def aggregate_requests(spec: Mapping[str, Any], defaults: Mapping[str, Decimal] | None = None) -> dict[str, Decimal]:
    """``PodRequests`` of a pod spec; ``defaults`` fill what a container does not request
    (``NonMissingContainerRequests``)."""
    defaults = defaults or {}
    total: dict[str, Decimal] = {}
    for container in _containers(spec.get("containers")):
        _add(total, _with_defaults(container_requests(container), defaults))
    sidecars: dict[str, Decimal] = {}
    init_peak: dict[str, Decimal] = {}
    for container in _containers(spec.get("initContainers")):
        requests = _with_defaults(container_requests(container), defaults)
        if container.get("restartPolicy") == "Always":
            _add(total, requests)
            _add(sidecars, requests)
            _max(init_peak, sidecars)
        else:
            running = dict(requests)
            _add(running, sidecars)
            _max(init_peak, running)
    _max(total, init_peak)
    pod_level = resource_list(
        (spec.get("resources") or {}).get("requests") if isinstance(spec.get("resources"), dict) else None
    )
    for name, value in pod_level.items():
        if name in _POD_LEVEL:
            total[name] = value
    _add(total, resource_list(spec.get("overhead")))
    return total


def pod_resources(pod: Mapping[str, Any]) -> PodResources:
    """A pod's requests, and its non-zero cpu and memory (``PodInfo.CalculateResource``)."""
    spec = pod.get("spec") or {}
    requests = aggregate_requests(spec)
    pod_level = (spec.get("resources") or {}).get("requests") if isinstance(spec.get("resources"), dict) else None
    defaults: dict[str, Decimal] = {}
    if isinstance(pod_level, dict) and any(name in _POD_LEVEL for name in pod_level):
        # pod-level requests stand for every container; the default only fills what neither sets
        if CPU not in requests:
            defaults[CPU] = Decimal(DEFAULT_MILLI_CPU_REQUEST) / 1000
        if MEMORY not in requests:
            defaults[MEMORY] = Decimal(DEFAULT_MEMORY_REQUEST)
    else:
        defaults = {CPU: Decimal(DEFAULT_MILLI_CPU_REQUEST) / 1000, MEMORY: Decimal(DEFAULT_MEMORY_REQUEST)}
    non_zero = aggregate_requests(spec, defaults) if defaults else requests
    non_zero_resources = to_resources({name: non_zero[name] for name in (CPU, MEMORY) if name in non_zero})
    return PodResources(to_resources(requests), non_zero_resources.milli_cpu, non_zero_resources.memory)


def node_allocatable(node: Mapping[str, Any]) -> Resources:
    """What a node offers pods: ``status.allocatable`` (its capacity when it reports no
    allocatable at all, which only hand-made Node objects do)."""
    status = node.get("status") or {}
    raw = status.get("allocatable")
    if not raw:
        raw = status.get("capacity")
    return to_resources(resource_list(raw))


def _containers(raw: object) -> Iterable[Mapping[str, Any]]:
    if not isinstance(raw, list):
        return ()
    return [c for c in raw if isinstance(c, dict)]
