"""The Endpoints controller: each Service with a selector gets an Endpoints object listing its pods.

A pod counts once it has an IP: ready pods are ``addresses``, the others ``notReadyAddresses``
(all of them are ready when the Service publishes not-ready addresses). Named target ports are
looked up in each pod's containers, so pods that give a port name different numbers end up in
different subsets, as kube-controller-manager's endpoint controller repacks them. Services
without a selector are left alone (their Endpoints are someone else's); an Endpoints object
whose Service is gone is deleted.

The pod helpers here (readiness, port lookup, which pods belong in endpoints, the trigger-time
tracker) are shared with the EndpointSlice controller. The planning functions are pure; only
:class:`EndpointsController` does I/O, through the Client.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import logging
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import trio

from k3py.controllers.informer import Informer, key_of, split_key
from k3py.controllers.workqueue import WorkQueue, run_worker
from k3py.core import errors

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from k3py.api.client import Client

logger = logging.getLogger(__name__)

Obj = dict[str, Any]

LAST_CHANGE_TRIGGER_TIME = "endpoints.kubernetes.io/last-change-trigger-time"
OVER_CAPACITY = "endpoints.kubernetes.io/over-capacity"
HEADLESS_LABEL = "service.kubernetes.io/headless"
# Kubernetes' limit on the addresses of one Endpoints object (EndpointSlices have no such cap);
# beyond it the object is truncated and annotated, as the endpoint controller does.
MAX_CAPACITY = 1000
# Parallel reconciles; the queue never gives one service to two workers. Kubernetes runs 5.
WORKERS = 4


# -- pods ------------------------------------------------------------------------------------------


def condition(obj: Obj, kind: str) -> Obj | None:
    """The status condition of type ``kind`` (pods and nodes), if there is one."""
    for cond in (obj.get("status") or {}).get("conditions") or []:
        if isinstance(cond, dict) and cond.get("type") == kind:
            return cond
    return None


def is_pod_ready(pod: Obj) -> bool:
    cond = condition(pod, "Ready")
    return cond is not None and cond.get("status") == "True"


def should_pod_be_in_endpoints(pod: Obj, *, include_terminating: bool) -> bool:
    """Whether ``pod`` is listed at all (ready or not), as ``endpointsliceutil.ShouldPodBeInEndpoints``
    decides: it needs an IP, must not be finished for good (its restart policy says whether
    Failed or Succeeded is final), and a terminating pod only counts when asked for."""
    status = pod.get("status") or {}
    if not status.get("podIP") and not status.get("podIPs"):
        return False
    if not include_terminating and (pod.get("metadata") or {}).get("deletionTimestamp"):
        return False
    phase = status.get("phase")
    policy = (pod.get("spec") or {}).get("restartPolicy") or "Always"
    if policy == "Never":
        return phase not in ("Failed", "Succeeded")
    if policy == "OnFailure":
        return phase != "Succeeded"
    return True


def pod_ips(pod: Obj) -> list[str]:
    status = pod.get("status") or {}
    ips = [str(entry["ip"]) for entry in status.get("podIPs") or [] if isinstance(entry, dict) and entry.get("ip")]
    if not ips and status.get("podIP"):
        ips = [str(status["podIP"])]
    return ips


def ip_family(ip: str) -> str:
    return "IPv6" if ":" in ip else "IPv4"


def pod_ip(pod: Obj, family: str) -> str:
    """The pod's address in ``family`` ("IPv4" or "IPv6"); empty when it has none."""
    return next((ip for ip in pod_ips(pod) if ip_family(ip) == family), "")


def address_family(service: Obj, pod: Obj) -> str:
    """The address family the Endpoints of ``service`` list: its first IP family, else its cluster
    IP's, else (headless, from an old server) the pod's own."""
    spec = service.get("spec") or {}
    families = spec.get("ipFamilies") or []
    if families:
        return str(families[0])
    cluster_ip = str(spec.get("clusterIP") or "")
    if cluster_ip and cluster_ip != "None":
        return ip_family(cluster_ip)
    ips = pod_ips(pod)
    return ip_family(ips[0]) if ips else "IPv4"


def find_port(pod: Obj, service_port: Obj) -> int | None:
    """The pod's port number for ``service_port``: its targetPort, or the container port of that
    name and protocol (sidecar init containers count); None when the pod has no such port."""
    target = service_port.get("targetPort", service_port.get("port"))
    if isinstance(target, int):
        return target
    if not isinstance(target, str) or not target:
        return None
    protocol = service_port.get("protocol") or "TCP"
    spec = pod.get("spec") or {}
    containers = list(spec.get("containers") or []) + [
        c for c in spec.get("initContainers") or [] if isinstance(c, dict) and c.get("restartPolicy") == "Always"
    ]
    for container in containers:
        for port in container.get("ports") or []:
            if port.get("name") == target and (port.get("protocol") or "TCP") == protocol:
                number = port.get("containerPort")
                return number if isinstance(number, int) else None
    return None


def should_set_hostname(pod: Obj, service: Obj) -> bool:
    """A pod is known by its hostname in the Service that its ``subdomain`` names (headless DNS)."""
    spec, pod_meta, svc_meta = pod.get("spec") or {}, pod.get("metadata") or {}, service.get("metadata") or {}
    return (
        bool(spec.get("hostname"))
        and spec.get("subdomain") == svc_meta.get("name")
        and pod_meta.get("namespace") == svc_meta.get("namespace")
    )


def selects(selector: Mapping[str, Any], labels: Mapping[str, Any] | None) -> bool:
    """A Service's equality selector (never empty here: an empty one selects nothing)."""
    labels = labels or {}
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def target_ref(pod: Obj) -> Obj:
    metadata = pod.get("metadata") or {}
    ref = {"kind": "Pod", "namespace": metadata.get("namespace", ""), "name": metadata.get("name", "")}
    if metadata.get("uid"):
        ref["uid"] = metadata["uid"]
    return ref


def is_headless(service: Obj) -> bool:
    return (service.get("spec") or {}).get("clusterIP") == "None"


# -- times -----------------------------------------------------------------------------------------

_FRACTION = re.compile(r"\.(\d+)")


def parse_time(text: object) -> datetime | None:
    """An RFC 3339 timestamp as written in objects (nanoseconds cut to microseconds); None if unset."""
    if not isinstance(text, str) or not text:
        return None
    text = _FRACTION.sub(lambda m: "." + m.group(1)[:6].ljust(6, "0"), text, count=1)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def format_time(at: datetime) -> str:
    """Go's RFC3339Nano in UTC: the fraction only when there is one, without trailing zeros."""
    at = at.astimezone(UTC)
    fraction = f".{at.microsecond:06d}".rstrip("0") if at.microsecond else ""
    return at.strftime("%Y-%m-%dT%H:%M:%S") + fraction + "Z"


@dataclass
class TriggerState:
    pods: dict[str, datetime] = field(default_factory=dict)
    service: datetime | None = None


@dataclass
class TriggerTimeTracker:
    """When did the change behind an endpoints update happen? (Kubernetes' TriggerTimeTracker.)

    A pod's trigger time is when its Ready condition last changed, a service's is its creation.
    Each computation returns the earliest of those that moved since the last one committed for
    the same service (so network programming latency can be measured from the annotation; None
    when nothing moved), and the state to :meth:`commit` once the write that reports it succeeded:
    a failed write must not lose the time of a change it could not report.
    """

    states: dict[str, TriggerState] = field(default_factory=dict)

    def compute(self, service_key: str, service: Obj, pods: Iterable[Obj]) -> tuple[datetime | None, TriggerState]:
        previous = self.states.get(service_key) or TriggerState()
        state = TriggerState()
        earliest: datetime | None = None
        for pod in pods:
            cond = condition(pod, "Ready")
            at = parse_time(cond.get("lastTransitionTime")) if cond else None
            if at is None:
                continue
            name = str((pod.get("metadata") or {}).get("name", ""))
            state.pods[name] = at
            seen = previous.pods.get(name)
            if seen is None or at > seen:
                earliest = at if earliest is None else min(earliest, at)
        created = parse_time((service.get("metadata") or {}).get("creationTimestamp"))
        if created is not None and (previous.service is None or created > previous.service):
            earliest = created if earliest is None else min(earliest, created)
        state.service = created
        return earliest, state

    def commit(self, service_key: str, state: TriggerState) -> None:
        self.states[service_key] = state

    def forget(self, service_key: str) -> None:
        self.states.pop(service_key, None)


# -- planning --------------------------------------------------------------------------------------


# A headless service without ports still lists its pods: they offer this stand-in port.
_NO_PORTS = ("", -1, "", "")


def _address_key(address: Obj) -> tuple[str, str, str]:
    ref = address.get("targetRef") or {}
    return str(address.get("ip", "")), str(ref.get("uid", "")), str(ref.get("name", ""))


def _port_key(port: Obj) -> tuple[str, int, str, str]:
    return (
        str(port.get("name", "")),
        int(port.get("port", 0)),
        str(port.get("protocol", "")),
        str(port.get("appProtocol", "")),
    )


def endpoint_ports(pod: Obj, service: Obj) -> list[Obj]:
    """The pod's ports for the service's ports (``EndpointPort``), skipping those it lacks."""
    ports = []
    for service_port in (service.get("spec") or {}).get("ports") or []:
        number = find_port(pod, service_port)
        if number is None:
            continue
        port: Obj = {"port": number, "protocol": service_port.get("protocol") or "TCP"}
        if service_port.get("name"):
            port["name"] = service_port["name"]
        if service_port.get("appProtocol"):
            port["appProtocol"] = service_port["appProtocol"]
        ports.append(port)
    return ports


def plan_subsets(service: Obj, pods: Iterable[Obj]) -> list[Obj]:
    """The ``subsets`` of the service's Endpoints, sorted, before any truncation.

    Each pod's address goes with every port it resolves; addresses offering the same port set
    are packed into one subset (``endpoints.RepackSubsets``), ready wins over not ready.
    """
    spec = service.get("spec") or {}
    publish = bool(spec.get("publishNotReadyAddresses"))
    service_ports = spec.get("ports") or []
    # address -> ready?, and port -> the addresses offering it (_NO_PORTS: a headless service without ports)
    addresses: dict[tuple[str, str, str], Obj] = {}
    ready: dict[tuple[str, str, str], bool] = {}
    by_port: dict[tuple[str, int, str, str], set[tuple[str, str, str]]] = {}
    ports: dict[tuple[str, int, str, str], Obj] = {}
    for pod in pods:
        if not should_pod_be_in_endpoints(pod, include_terminating=publish):
            continue
        ip = pod_ip(pod, address_family(service, pod))
        if not ip:
            continue
        address: Obj = {"ip": ip}
        if should_set_hostname(pod, service):
            address["hostname"] = pod["spec"]["hostname"]
        node_name = (pod.get("spec") or {}).get("nodeName")
        if node_name:
            address["nodeName"] = node_name
        address["targetRef"] = target_ref(pod)
        key = _address_key(address)
        is_ready = publish or is_pod_ready(pod)
        if service_ports:
            offered: list[tuple[str, int, str, str]] = []
            for port in endpoint_ports(pod, service):
                port_key = _port_key(port)
                ports[port_key] = port
                offered.append(port_key)
            if not offered:
                continue
        elif is_headless(service):
            offered = [_NO_PORTS]
        else:
            continue  # a ClusterIP service without ports has nothing to reach
        addresses[key] = address
        ready[key] = ready.get(key, False) or is_ready
        for port_key in offered:
            by_port.setdefault(port_key, set()).add(key)
    # group the ports by the exact set of addresses offering them
    groups: dict[frozenset[tuple[str, str, str]], list[tuple[str, int, str, str]]] = {}
    for port_key, offering in by_port.items():
        group = groups.setdefault(frozenset(offering), [])
        if port_key != _NO_PORTS:
            group.append(port_key)
    subsets = []
    for members, port_keys in groups.items():
        subset: Obj = {}
        ready_list = [addresses[k] for k in sorted(members) if ready[k]]
        not_ready_list = [addresses[k] for k in sorted(members) if not ready[k]]
        if ready_list:
            subset["addresses"] = ready_list
        if not_ready_list:
            subset["notReadyAddresses"] = not_ready_list
        if port_keys:
            subset["ports"] = [ports[k] for k in sorted(port_keys)]
        subsets.append(subset)
    subsets.sort(key=_subset_order)
    return subsets


def _subset_order(subset: Obj) -> tuple[list[tuple[str, str, str]], list[tuple[str, int, str, str]]]:
    keys = [_address_key(a) for a in (subset.get("addresses") or []) + (subset.get("notReadyAddresses") or [])]
    return sorted(keys), [_port_key(p) for p in subset.get("ports") or []]


def truncate(subsets: list[Obj], capacity: int = MAX_CAPACITY) -> bool:
    """Cut ``subsets`` (in place) to ``capacity`` addresses, not-ready ones first, each subset
    keeping its share (``truncateEndpoints``); True when something was cut."""
    total_ready = sum(len(s.get("addresses") or []) for s in subsets)
    total_not_ready = sum(len(s.get("notReadyAddresses") or []) for s in subsets)
    if total_ready + total_not_ready <= capacity:
        return False
    truncate_ready = total_ready > capacity
    most, total = (capacity, total_ready) if truncate_ready else (capacity - total_ready, total_not_ready)
    room = most
    for subset in subsets:
        field_name = "addresses" if truncate_ready else "notReadyAddresses"
        entries = subset.get(field_name) or []
        share = min(math.ceil(len(entries) / total * most), room)
        kept = entries[:share]
        room -= len(kept)
        if kept:
            subset[field_name] = kept
        else:
            subset.pop(field_name, None)
        if truncate_ready:
            subset.pop("notReadyAddresses", None)
    return True


def plan_endpoints(service: Obj, pods: Iterable[Obj], current: Obj | None, trigger: datetime | None) -> Obj | None:
    """The Endpoints object to write for ``service``, or None when ``current`` is already right.

    ``current``'s other labels and annotations are kept; its labels become the service's (plus
    the headless label), and the trigger-time annotation records ``trigger`` when there is one.
    """
    subsets = plan_subsets(service, pods)
    truncated = truncate(subsets)
    svc_meta = service.get("metadata") or {}
    labels = dict(svc_meta.get("labels") or {})
    if is_headless(service):
        labels[HEADLESS_LABEL] = ""
    if current is not None:
        cur_meta = current.get("metadata") or {}
        annotations = cur_meta.get("annotations") or {}
        if (
            (current.get("subsets") or []) == subsets
            and (cur_meta.get("labels") or {}) == labels
            and (OVER_CAPACITY in annotations) == truncated
        ):
            return None
        desired = copy.deepcopy(current)
    else:
        desired = {
            "apiVersion": "v1",
            "kind": "Endpoints",
            "metadata": {"name": svc_meta.get("name", ""), "namespace": svc_meta.get("namespace", "")},
        }
    metadata = desired["metadata"]
    annotations = dict(metadata.get("annotations") or {})
    if trigger is not None:
        annotations[LAST_CHANGE_TRIGGER_TIME] = format_time(trigger)
    else:
        annotations.pop(LAST_CHANGE_TRIGGER_TIME, None)
    if truncated:
        annotations[OVER_CAPACITY] = "truncated"
    else:
        annotations.pop(OVER_CAPACITY, None)
    metadata["annotations"] = annotations or None
    metadata["labels"] = labels or None
    for name in ("annotations", "labels"):
        if metadata[name] is None:
            del metadata[name]
    desired["subsets"] = subsets
    return desired


# -- the controller --------------------------------------------------------------------------------


class ServicePodIndex:
    """Services and pods by namespace, and which services a pod change concerns: what the
    Endpoints and the EndpointSlice controllers both follow (their informers feed these handlers)."""

    queue: WorkQueue
    services: Informer
    pods: Informer
    _services_in: dict[str, set[str]]
    _pods_in: dict[str, set[str]]

    def _service_changed(self, old: Obj | None, new: Obj | None) -> None:
        obj = new if new is not None else old
        assert obj is not None
        key = key_of(obj)
        namespace, _ = split_key(key)
        if new is None:
            self._services_in.get(namespace, set()).discard(key)
        else:
            self._services_in.setdefault(namespace, set()).add(key)
        self.queue.add(key)

    def _pod_changed(self, old: Obj | None, new: Obj | None) -> None:
        obj = new if new is not None else old
        assert obj is not None
        key = key_of(obj)
        namespace, _ = split_key(key)
        if new is None:
            self._pods_in.get(namespace, set()).discard(key)
        else:
            self._pods_in.setdefault(namespace, set()).add(key)
        if old is not None and new is not None and old is not new and not pod_update_matters(old, new):
            return
        labels = [((o.get("metadata") or {}).get("labels") or {}) for o in (old, new) if o is not None]
        for service_key in self._services_in.get(namespace, ()):
            service = self.services.get(service_key)
            selector = ((service or {}).get("spec") or {}).get("selector") or {}
            if any(selects(selector, lbls) for lbls in labels):
                self.queue.add(service_key)

    def pods_in(self, namespace: str) -> list[Obj]:
        return [pod for key in sorted(self._pods_in.get(namespace, ())) if (pod := self.pods.get(key)) is not None]


@dataclass
class EndpointsController(ServicePodIndex):
    """Keeps every selecting Service's Endpoints current, from informers on services, pods and endpoints."""

    client: Client
    queue: WorkQueue = field(default_factory=WorkQueue)
    tracker: TriggerTimeTracker = field(default_factory=TriggerTimeTracker)
    services: Informer = field(init=False)
    pods: Informer = field(init=False)
    endpoints: Informer = field(init=False)
    _services_in: dict[str, set[str]] = field(default_factory=dict)
    _pods_in: dict[str, set[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.services = Informer(self.client, "v1", "services")
        self.pods = Informer(self.client, "v1", "pods")
        self.endpoints = Informer(self.client, "v1", "endpoints")

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Reconcile until cancelled; ``started()`` once the caches are synced and workers run.

        **Cancellation:** cancelling stops the informers' watches and the workers; a write in
        flight is abandoned (the next leader reconciles again from what is stored).
        """
        self.services.on_change(self._service_changed)
        self.pods.on_change(self._pod_changed)
        self.endpoints.on_change(self._endpoints_changed)
        async with trio.open_nursery() as nursery:
            for informer in (self.services, self.pods, self.endpoints):
                await nursery.start(informer.run)
            for key in self.endpoints.cache:  # left over from services deleted while nobody watched
                if key not in self.services.cache:
                    self.queue.add(key)
            for _ in range(WORKERS):
                nursery.start_soon(functools.partial(run_worker, self.queue, self.reconcile, name="endpoints"))
            logger.info("Starting controller endpoints")
            task_status.started()

    # -- events ------------------------------------------------------------------------------------

    def _endpoints_changed(self, old: Obj | None, new: Obj | None) -> None:
        if old is not None and new is not None and old is new:
            return  # a resync: the service's own resync covers it
        obj = new if new is not None else old
        assert obj is not None
        self.queue.add(key_of(obj))

    # -- reconciling -------------------------------------------------------------------------------

    async def reconcile(self, key: str) -> None:
        namespace, name = split_key(key)
        service = self.services.get(key)
        if service is None:
            self.tracker.forget(key)
            if self.endpoints.get(key) is not None:
                with contextlib.suppress(errors.NotFound):
                    await self.client.delete("v1", "endpoints", name, namespace=namespace)
                    logger.info("endpoints: deleted %s: its service is gone", key)
            return
        spec = service.get("spec") or {}
        if not spec.get("selector") or spec.get("type") == "ExternalName":
            return  # endpoints of selectorless services are managed by their users
        selector = spec["selector"]
        pods = [pod for pod in self.pods_in(namespace) if selects(selector, (pod.get("metadata") or {}).get("labels"))]
        trigger, seen = self.tracker.compute(key, service, pods)
        current = self.endpoints.get(key)
        desired = plan_endpoints(service, pods, current, trigger)
        if desired is None:
            self.tracker.commit(key, seen)
            return
        try:
            if current is None:
                await self.client.create("v1", "endpoints", desired, namespace=namespace)
                logger.debug("endpoints: created %s", key)
            else:
                await self.client.update("v1", "endpoints", desired, namespace=namespace)
                logger.debug("endpoints: updated %s", key)
            self.tracker.commit(key, seen)
        except (errors.AlreadyExists, errors.Conflict):
            # The cache is behind our own or someone's write; the watch event bringing it up to
            # date queues this service again.
            logger.debug("endpoints: %s changed meanwhile; waiting for the cache", key)
        except (errors.Forbidden, errors.NotFound) as exc:
            logger.debug("endpoints: %s not written: %s", key, exc)  # its namespace is going away


def pod_update_matters(old: Obj, new: Obj) -> bool:
    """Whether a pod update can change any Endpoints (status noise such as container restarts cannot)."""
    old_meta, new_meta = old.get("metadata") or {}, new.get("metadata") or {}
    if old_meta.get("labels") != new_meta.get("labels"):
        return True
    if bool(old_meta.get("deletionTimestamp")) != bool(new_meta.get("deletionTimestamp")):
        return True
    if condition(old, "Ready") != condition(new, "Ready"):
        return True
    old_status, new_status = old.get("status") or {}, new.get("status") or {}
    if pod_ips(old) != pod_ips(new) or old_status.get("phase") != new_status.get("phase"):
        return True
    old_spec, new_spec = old.get("spec") or {}, new.get("spec") or {}
    fields = ("nodeName", "hostname", "subdomain", "containers", "initContainers")
    return any(old_spec.get(k) != new_spec.get(k) for k in fields)
