"""The EndpointSlice controller: each Service with a selector gets discovery.k8s.io/v1 slices of its pods.

An endpoint is one pod address with its conditions (ready, serving, terminating: terminating
pods stay listed, not ready, so that proxies can drain them), its target reference and node.
Pods that resolve the service's ports to the same numbers share slices; a slice holds at most
``max_endpoints_per_slice`` (100) endpoints. As kube-controller-manager's reconciler does, an
endpoint stays in the slice it is in, new ones fill slices that change anyway before a new slice
is made, emptied slices are deleted, and a service without endpoints keeps one empty placeholder
slice. Slices carry the service's labels, ``kubernetes.io/service-name``, the managed-by label
of this controller and an owner reference to the Service.

Only slices labelled as this controller's are touched: slices written by users or by a mirroring
controller are left alone. :func:`plan_slices` is pure; :class:`EndpointSliceController` does
the I/O.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import trio

from k3py.controllers import endpoints as ep
from k3py.controllers.informer import Informer, key_of, split_key
from k3py.controllers.workqueue import WorkQueue, run_worker
from k3py.core import errors

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime

    from k3py.api.client import Client

logger = logging.getLogger(__name__)

Obj = dict[str, Any]
SLICES = ("discovery.k8s.io/v1", "endpointslices")
SERVICE_NAME_LABEL = "kubernetes.io/service-name"
MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by"
CONTROLLER_NAME = "endpointslice-controller.k8s.io"
RESERVED_LABELS = frozenset({SERVICE_NAME_LABEL, MANAGED_BY_LABEL, ep.HEADLESS_LABEL})
# kube-controller-manager's --max-endpoints-per-slice default.
MAX_ENDPOINTS_PER_SLICE = 100
WORKERS = 4
# How long to wait for the cache to show this controller's own writes before planning again
# anyway (the watch event that shows them normally queues the service sooner). A guess.
STALE_RECHECK = 1.0
# After this long an unseen write is no longer waited for (its object was changed or deleted
# by someone else before the cache saw it). A guess, well above a watch event's delay.
EXPECTATION_TIMEOUT = 30.0

PortsKey = tuple[tuple[str, int, str, str], ...]
EndpointKey = tuple[tuple[str, ...], str, str, str]


# -- planning --------------------------------------------------------------------------------------


def ports_key(ports: Iterable[Obj]) -> PortsKey:
    return tuple(
        sorted(
            (
                str(p.get("name") or ""),
                int(p.get("port") or 0),
                str(p.get("protocol") or ""),
                str(p.get("appProtocol") or ""),
            )
            for p in ports
        )
    )


def endpoint_key(endpoint: Obj) -> EndpointKey:
    """What makes an endpoint the same one across updates (its conditions may change)."""
    ref = endpoint.get("targetRef") or {}
    return (
        tuple(str(a) for a in endpoint.get("addresses") or []),
        str(ref.get("namespace", "")),
        str(ref.get("name", "")),
        str(endpoint.get("hostname", "")),
    )


def slice_ports(pod: Obj, service: Obj) -> list[Obj]:
    """The pod's ``EndpointPort``s: every service port it resolves, the name always present."""
    ports = []
    for port in ep.endpoint_ports(pod, service):
        entry: Obj = {"name": port.get("name", ""), "port": port["port"], "protocol": port["protocol"]}
        if port.get("appProtocol"):
            entry["appProtocol"] = port["appProtocol"]
        ports.append(entry)
    return sorted(ports, key=lambda p: ports_key([p]))


def slice_endpoint(service: Obj, pod: Obj, ip: str) -> Obj:
    """One pod as an endpoint. ``ready`` is never true for a terminating pod unless the service
    publishes not-ready addresses; ``serving`` is the pod's readiness either way."""
    serving = ep.is_pod_ready(pod)
    terminating = bool((pod.get("metadata") or {}).get("deletionTimestamp"))
    ready = bool((service.get("spec") or {}).get("publishNotReadyAddresses")) or (serving and not terminating)
    endpoint: Obj = {
        "addresses": [ip],
        "conditions": {"ready": ready, "serving": serving, "terminating": terminating},
        "targetRef": ep.target_ref(pod),
    }
    node_name = (pod.get("spec") or {}).get("nodeName")
    if node_name:
        endpoint["nodeName"] = node_name
    if ep.should_set_hostname(pod, service):
        endpoint["hostname"] = pod["spec"]["hostname"]
    return endpoint


def desired_endpoints(
    service: Obj, pods: Iterable[Obj], address_type: str
) -> dict[PortsKey, tuple[list[Obj], dict[EndpointKey, Obj]]]:
    """The endpoints of ``address_type`` the service should list, grouped by their ports."""
    wanted: dict[PortsKey, tuple[list[Obj], dict[EndpointKey, Obj]]] = {}
    for pod in sorted(pods, key=lambda p: str((p.get("metadata") or {}).get("name", ""))):
        if not ep.should_pod_be_in_endpoints(pod, include_terminating=True):
            continue
        ip = ep.pod_ip(pod, address_type)
        if not ip:
            continue
        ports = slice_ports(pod, service)
        endpoint = slice_endpoint(service, pod, ip)
        _, group = wanted.setdefault(ports_key(ports), (ports, {}))
        group[endpoint_key(endpoint)] = endpoint
    return wanted


def address_types(service: Obj) -> list[str]:
    return [str(f) for f in (service.get("spec") or {}).get("ipFamilies") or ["IPv4"]]


def slice_labels(service: Obj) -> dict[str, str]:
    metadata = service.get("metadata") or {}
    labels = {k: str(v) for k, v in (metadata.get("labels") or {}).items() if k not in RESERVED_LABELS}
    if ep.is_headless(service) or not (service.get("spec") or {}).get("clusterIP"):
        labels[ep.HEADLESS_LABEL] = ""
    labels[SERVICE_NAME_LABEL] = str(metadata.get("name", ""))
    labels[MANAGED_BY_LABEL] = CONTROLLER_NAME
    return labels


def owner_reference(service: Obj) -> Obj:
    metadata = service.get("metadata") or {}
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "name": metadata.get("name", ""),
        "uid": metadata.get("uid", ""),
        "controller": True,
        "blockOwnerDeletion": True,
    }


def owned_by(slice_: Obj, service: Obj) -> bool:
    uid = (service.get("metadata") or {}).get("uid")
    return any(
        ref.get("uid") == uid and ref.get("kind") == "Service" and ref.get("apiVersion") == "v1"
        for ref in (slice_.get("metadata") or {}).get("ownerReferences") or []
    )


def new_slice(service: Obj, address_type: str, ports: list[Obj], endpoints: list[Obj]) -> Obj:
    metadata = service.get("metadata") or {}
    name = str(metadata.get("name", ""))
    return {
        "apiVersion": SLICES[0],
        "kind": "EndpointSlice",
        "metadata": {
            # the API shortens the base to leave room for the random suffix
            "generateName": f"{name}-",
            "namespace": metadata.get("namespace", ""),
            "labels": slice_labels(service),
            "ownerReferences": [owner_reference(service)],
        },
        "addressType": address_type,
        "endpoints": endpoints,
        "ports": ports,
    }


def _is_placeholder(slice_: Obj) -> bool:
    return not slice_.get("endpoints") and not slice_.get("ports")


@dataclass
class SlicePlan:
    """Writes that make the slices right: created first, then updated, then deleted, so that no
    endpoint disappears from every slice in between."""

    create: list[Obj] = field(default_factory=list)
    update: list[Obj] = field(default_factory=list)
    delete: list[Obj] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.create or self.update or self.delete)


def plan_slices(
    service: Obj,
    pods: Iterable[Obj],
    existing: Iterable[Obj],
    *,
    trigger: datetime | None = None,
    max_endpoints: int = MAX_ENDPOINTS_PER_SLICE,
) -> SlicePlan:
    """What to create, update and delete so that ``existing`` (this controller's slices of the
    service) list exactly the endpoints of ``pods`` (the selected pods)."""
    pods = list(pods)
    plan = SlicePlan()
    supported = address_types(service)
    by_type: dict[str, list[Obj]] = {t: [] for t in supported}
    for slice_ in sorted(existing, key=lambda s: str((s.get("metadata") or {}).get("name", ""))):
        address_type = str(slice_.get("addressType", ""))
        if address_type not in by_type or not owned_by(slice_, service):
            plan.delete.append(slice_)
        else:
            by_type[address_type].append(slice_)
    for address_type in supported:
        _plan_address_type(service, pods, address_type, by_type[address_type], plan, max_endpoints)
    for slice_ in plan.create + plan.update:
        annotations = slice_["metadata"].setdefault("annotations", {})
        if trigger is not None:
            annotations[ep.LAST_CHANGE_TRIGGER_TIME] = ep.format_time(trigger)
        else:
            annotations.pop(ep.LAST_CHANGE_TRIGGER_TIME, None)
        if not annotations:
            del slice_["metadata"]["annotations"]
    return plan


def _plan_address_type(
    service: Obj, pods: list[Obj], address_type: str, existing: list[Obj], plan: SlicePlan, max_endpoints: int
) -> None:
    wanted = desired_endpoints(service, pods, address_type)
    remaining = {key: dict(group) for key, (_, group) in wanted.items()}
    labels, owners = slice_labels(service), [owner_reference(service)]
    updates: list[Obj] = []
    unchanged: list[Obj] = []
    deletes: list[Obj] = []
    for slice_ in existing:
        key = ports_key(slice_.get("ports") or [])
        if key not in remaining:
            deletes.append(slice_)
            continue
        kept = []
        for endpoint in slice_.get("endpoints") or []:
            want = remaining[key].pop(endpoint_key(endpoint), None)
            if want is not None:
                kept.append(want)
        if not kept:
            deletes.append(slice_)
            continue
        metadata = slice_.get("metadata") or {}
        if (
            kept != slice_.get("endpoints")
            or metadata.get("labels") != labels
            or metadata.get("ownerReferences") != owners
        ):
            updates.append(_with(slice_, kept, labels, owners))
        else:
            unchanged.append(slice_)
    creates: list[Obj] = []
    for key, rest in remaining.items():
        todo = list(rest.values())
        # first into slices that are written anyway, fullest first (fewer, fuller slices)
        for slice_ in sorted(updates, key=lambda s: -len(s["endpoints"])):
            if not todo:
                break
            if ports_key(slice_.get("ports") or []) == key and len(slice_["endpoints"]) < max_endpoints:
                room = max_endpoints - len(slice_["endpoints"])
                slice_["endpoints"].extend(todo[:room])
                todo = todo[room:]
        while todo:
            # a last few go into an untouched slice that has room for all of them, else a new slice
            roomy = next(
                (
                    s
                    for s in unchanged
                    if len(todo) < max_endpoints
                    and ports_key(s.get("ports") or []) == key
                    and max_endpoints - len(s.get("endpoints") or []) >= len(todo)
                ),
                None,
            )
            if roomy is not None:
                unchanged.remove(roomy)
                updates.append(_with(roomy, list(roomy.get("endpoints") or []) + todo, labels, owners))
                todo = []
            else:
                creates.append(new_slice(service, address_type, copy.deepcopy(wanted[key][0]), todo[:max_endpoints]))
                todo = todo[max_endpoints:]
    if not creates and not updates and not unchanged:
        # no endpoints at all: keep (or make) one empty placeholder slice, as Kubernetes does
        placeholder = next((s for s in deletes if _is_placeholder(s)), None)
        if placeholder is None:
            creates.append(new_slice(service, address_type, [], []))
        else:
            deletes.remove(placeholder)
            metadata = placeholder.get("metadata") or {}
            if metadata.get("labels") != labels or metadata.get("ownerReferences") != owners:
                updates.append(_with(placeholder, [], labels, owners))
    plan.create.extend(creates)
    plan.update.extend(updates)
    plan.delete.extend(deletes)


def _with(slice_: Obj, endpoints: list[Obj], labels: dict[str, str], owners: list[Obj]) -> Obj:
    updated = copy.deepcopy(slice_)
    updated["endpoints"] = list(endpoints)
    updated["metadata"]["labels"] = dict(labels)
    updated["metadata"]["ownerReferences"] = copy.deepcopy(owners)
    return updated


# -- the controller --------------------------------------------------------------------------------


@dataclass
class _Expectation:
    resource_version: int | None  # None: deleted
    deadline: float


@dataclass
class EndpointSliceController(ep.ServicePodIndex):
    """Keeps every selecting Service's EndpointSlices current, from informers on services, pods and
    this controller's slices."""

    client: Client
    max_endpoints_per_slice: int = MAX_ENDPOINTS_PER_SLICE
    queue: WorkQueue = field(default_factory=WorkQueue)
    tracker: ep.TriggerTimeTracker = field(default_factory=ep.TriggerTimeTracker)
    services: Informer = field(init=False)
    pods: Informer = field(init=False)
    slices: Informer = field(init=False)
    _services_in: dict[str, set[str]] = field(default_factory=dict)
    _pods_in: dict[str, set[str]] = field(default_factory=dict)
    _slices_of: dict[str, set[str]] = field(default_factory=dict)
    # Writes of this controller the slice cache has not shown yet, per service and slice name:
    # planning from a cache without them would, for instance, create a slice twice.
    _expected: dict[str, dict[str, _Expectation]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.services = Informer(self.client, "v1", "services")
        self.pods = Informer(self.client, "v1", "pods")
        self.slices = Informer(self.client, *SLICES, label_selector=f"{MANAGED_BY_LABEL}={CONTROLLER_NAME}")

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Reconcile until cancelled; ``started()`` once the caches are synced and workers run.

        **Cancellation:** cancelling stops the watches and the workers; a write in flight is
        abandoned, and the next run plans again from what is stored.
        """
        self.services.on_change(self._service_changed)
        self.pods.on_change(self._pod_changed)
        self.slices.on_change(self._slice_changed)
        async with trio.open_nursery() as nursery:
            for informer in (self.services, self.pods, self.slices):
                await nursery.start(informer.run)
            for key in self._slices_of:  # slices of services deleted while nobody watched
                self.queue.add(key)
            for _ in range(WORKERS):
                nursery.start_soon(functools.partial(run_worker, self.queue, self.reconcile, name="endpointslices"))
            logger.info("Starting controller endpointslice")
            task_status.started()

    # -- events ------------------------------------------------------------------------------------

    def _slice_changed(self, old: Obj | None, new: Obj | None) -> None:
        obj = new if new is not None else old
        assert obj is not None
        key = key_of(obj)
        namespace, _ = split_key(key)
        service_name = ((obj.get("metadata") or {}).get("labels") or {}).get(SERVICE_NAME_LABEL)
        if not service_name:
            return
        service_key = f"{namespace}/{service_name}"
        if new is None:
            slices = self._slices_of.get(service_key, set())
            slices.discard(key)
            if not slices:
                self._slices_of.pop(service_key, None)
        else:
            self._slices_of.setdefault(service_key, set()).add(key)
        if old is not new:
            self.queue.add(service_key)

    # -- reconciling -------------------------------------------------------------------------------

    def _waiting_for_cache(self, service_key: str) -> bool:
        """Whether the slice cache still lacks a write of ours for this service."""
        expected = self._expected.get(service_key)
        if not expected:
            return False
        namespace, _ = split_key(service_key)
        now = trio.current_time()
        for name, expectation in list(expected.items()):
            cached = self.slices.get(f"{namespace}/{name}")
            if expectation.resource_version is None:
                seen = cached is None
            else:
                seen = cached is not None and _revision(cached) >= expectation.resource_version
            if seen or now >= expectation.deadline:
                del expected[name]
        if not expected:
            del self._expected[service_key]
            return False
        return True

    def _expect(self, service_key: str, written: Obj, *, deleted: bool = False) -> None:
        name = str((written.get("metadata") or {}).get("name", ""))
        revision = None if deleted else _revision(written)
        self._expected.setdefault(service_key, {})[name] = _Expectation(
            revision, trio.current_time() + EXPECTATION_TIMEOUT
        )

    def slices_of(self, service_key: str) -> list[Obj]:
        return [
            s
            for key in sorted(self._slices_of.get(service_key, ()))
            if (s := self.slices.get(key)) is not None and not (s.get("metadata") or {}).get("deletionTimestamp")
        ]

    async def reconcile(self, key: str) -> None:
        namespace, _ = split_key(key)
        if self._waiting_for_cache(key):
            self.queue.add_after(key, STALE_RECHECK)
            return
        service = self.services.get(key)
        spec = (service or {}).get("spec") or {}
        existing = self.slices_of(key)
        if service is None or not spec.get("selector") or spec.get("type") == "ExternalName":
            # The garbage collector would take them too (owner references); a service that lost
            # its selector keeps no slices of pods it no longer selects.
            self.tracker.forget(key)
            await self._write(key, namespace, SlicePlan(delete=existing))
            return
        if (service.get("metadata") or {}).get("deletionTimestamp"):
            return  # going: its slices go with it
        selector = spec["selector"]
        pods = [
            pod for pod in self.pods_in(namespace) if ep.selects(selector, (pod.get("metadata") or {}).get("labels"))
        ]
        trigger, seen = self.tracker.compute(key, service, pods)
        plan = plan_slices(service, pods, existing, trigger=trigger, max_endpoints=self.max_endpoints_per_slice)
        if await self._write(key, namespace, plan):
            self.tracker.commit(key, seen)

    async def _write(self, key: str, namespace: str, plan: SlicePlan) -> bool:
        """Carry out ``plan``; False when a write failed because the cache was behind (the watch
        event that shows why queues the service again) or the namespace is going."""
        if not plan:
            return True
        try:
            for slice_ in plan.create:
                self._expect(key, await self.client.create(*SLICES, slice_, namespace=namespace))
            for slice_ in plan.update:
                self._expect(key, await self.client.update(*SLICES, slice_, namespace=namespace))
            for slice_ in plan.delete:
                name = str(slice_["metadata"]["name"])
                with contextlib.suppress(errors.NotFound):
                    await self.client.delete(*SLICES, name, namespace=namespace)
                self._expect(key, slice_, deleted=True)
        except errors.Conflict:
            # Someone changed a slice after the cache saw it; its watch event queues the service again.
            logger.debug("endpointslices: a slice of %s changed meanwhile; waiting for the cache", key)
            return False
        except (errors.Forbidden, errors.NotFound) as exc:
            logger.debug("endpointslices: slices of %s not written: %s", key, exc)  # the namespace is going
            return False
        logger.debug(
            "endpointslices: %s: %d created, %d updated, %d deleted",
            key,
            len(plan.create),
            len(plan.update),
            len(plan.delete),
        )
        return True


def _revision(obj: Obj) -> int:
    try:
        return int((obj.get("metadata") or {}).get("resourceVersion") or 0)
    except ValueError:
        return 0
