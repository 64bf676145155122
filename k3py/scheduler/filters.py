"""The filters: can this pod run on this node? Pure functions of a :class:`CycleState` and a node.

Each filter is one of kube-scheduler's default Filter plugins, run in the default profile's order
(``NodeUnschedulable``, ``NodeName``, ``TaintToleration``, ``NodeAffinity``, ``NodePorts``,
``NodeResourcesFit``, ``PodTopologySpread``, ``InterPodAffinity``); a node's answer is the first
filter that says no, so the message counts one reason per plugin per node, as Kubernetes' does.

Theory of operation: the filters that look beyond one node (pod affinity, topology spread) need
counts over the whole cluster. :func:`prefilter` computes them once per scheduling attempt
(kube's PreFilter) into the cycle state, and :meth:`CycleState.add_pod` / ``remove_pod`` keep them
right when preemption removes pods from a node, or nominated pods are added to one, in a dry run
(kube's PreFilterExtensions), so a dry run never recounts the cluster.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from k3py.scheduler import framework, resources
from k3py.scheduler.affinity import (
    DO_NOT_SCHEDULE,
    HONOR,
    NO_EXECUTE,
    NO_SCHEDULE,
    SpreadConstraint,
    Taint,
    first_untolerated,
    no_namespace_labels,
    tolerated,
)
from k3py.scheduler.cache import TAINT_UNSCHEDULABLE, NodeInfo, PodInfo
from k3py.scheduler.framework import Status

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

    from k3py.scheduler.affinity import AffinityTerm, NamespaceLabelsFn

    Filter = Callable[["CycleState", NodeInfo], Status | None]

#: taints a pod must tolerate to be placed (PreferNoSchedule only lowers the score)
DO_NOT_SCHEDULE_EFFECTS = frozenset({NO_SCHEDULE, NO_EXECUTE})
_UNSCHEDULABLE_TAINT = Taint(TAINT_UNSCHEDULABLE, "", NO_SCHEDULE)

#: (topology key, value)
Pair = tuple[str, str]


# -- pre-filter state -----------------------------------------------------------------------------


def _all_terms_match(terms: Sequence[AffinityTerm], pod: PodInfo, namespace_labels: NamespaceLabelsFn) -> bool:
    return bool(terms) and all(t.matches(pod.namespace, pod.labels, namespace_labels) for t in terms)


@dataclass
class AffinityState:
    """Counts per topology pair for ``InterPodAffinity`` (kube's preFilterState).

    ``existing_anti``: existing pods whose required anti-affinity matches the incoming pod;
    ``affinity``: existing pods matching all the incoming pod's required affinity terms;
    ``anti``: existing pods matching one of its required anti-affinity terms.
    """

    pod: PodInfo
    namespace_labels: NamespaceLabelsFn
    existing_anti: Counter[Pair] = field(default_factory=Counter)
    affinity: Counter[Pair] = field(default_factory=Counter)
    anti: Counter[Pair] = field(default_factory=Counter)

    def copy(self) -> AffinityState:
        return AffinityState(self.pod, self.namespace_labels, +self.existing_anti, +self.affinity, +self.anti)

    def update(self, other: PodInfo, node: NodeInfo, delta: int) -> None:
        labels = node.labels
        pod, ns_labels = self.pod, self.namespace_labels
        for term in other.pod_affinity.required_anti:
            if term.topology_key in labels and term.matches(pod.namespace, pod.labels, ns_labels):
                self.existing_anti[(term.topology_key, labels[term.topology_key])] += delta
        if _all_terms_match(pod.pod_affinity.required, other, ns_labels):
            for term in pod.pod_affinity.required:
                if term.topology_key in labels:
                    self.affinity[(term.topology_key, labels[term.topology_key])] += delta
        for term in pod.pod_affinity.required_anti:
            if term.topology_key in labels and term.matches(other.namespace, other.labels, ns_labels):
                self.anti[(term.topology_key, labels[term.topology_key])] += delta


def affinity_state(
    pod: PodInfo, nodes: Iterable[NodeInfo], namespace_labels: NamespaceLabelsFn
) -> AffinityState | None:
    """The counts, or None when neither the pod nor any existing pod has required (anti-)affinity."""
    state = AffinityState(pod, namespace_labels)
    incoming = bool(pod.pod_affinity.required or pod.pod_affinity.required_anti)
    seen_anti = False
    for node in nodes:
        if node.node is None:
            continue
        if not incoming and not node.with_required_anti_affinity:
            continue
        for other in node.pods.values():
            if other.key == pod.key:
                continue
            if other.has_required_anti_affinity:
                seen_anti = True
            if incoming or other.has_required_anti_affinity:
                state.update(other, node, 1)
    if not incoming and not seen_anti:
        return None
    return state


def spread_includes(constraint: SpreadConstraint, pod: PodInfo, node: NodeInfo) -> bool:
    """``matchNodeInclusionPolicies``: which nodes a constraint's domains are made of."""
    if constraint.node_affinity_policy == HONOR and not pod.node_affinity.matches(node.name, node.labels):
        return False
    return not (
        constraint.node_taints_policy == HONOR
        and first_untolerated(node.taints, pod.tolerations, DO_NOT_SCHEDULE_EFFECTS) is not None
    )


@dataclass
class SpreadState:
    """Matching pods per topology pair for the pod's DoNotSchedule constraints."""

    pod: PodInfo
    constraints: tuple[SpreadConstraint, ...]
    counts: Counter[Pair] = field(default_factory=Counter)
    #: every domain ever counted, zero-count ones included (they are the global minimum)
    domains: dict[str, set[str]] = field(default_factory=dict)
    _minimum: dict[str, int] = field(default_factory=dict)

    def copy(self) -> SpreadState:
        domains = {key: set(values) for key, values in self.domains.items()}
        return SpreadState(self.pod, self.constraints, Counter(self.counts), domains)

    def update(self, other: PodInfo, node: NodeInfo, delta: int) -> None:
        if other.namespace != self.pod.namespace or not all(c.topology_key in node.labels for c in self.constraints):
            return
        for constraint in self.constraints:
            if constraint.selector is None or not constraint.selector.matches(other.labels):
                continue
            if not spread_includes(constraint, self.pod, node):
                continue
            self.counts[(constraint.topology_key, node.labels[constraint.topology_key])] += delta
            self._minimum.pop(constraint.topology_key, None)

    def minimum(self, constraint: SpreadConstraint) -> int:
        """The global minimum of matching pods over the constraint's domains (0 below minDomains)."""
        key = constraint.topology_key
        values = self.domains.get(key, set())
        if len(values) < constraint.min_domains:
            return 0
        if key not in self._minimum:
            self._minimum[key] = min((self.counts[(key, v)] for v in values), default=0)
        return self._minimum[key]


def spread_state(pod: PodInfo, nodes: Iterable[NodeInfo]) -> SpreadState | None:
    constraints = tuple(c for c in pod.spread if c.when_unsatisfiable == DO_NOT_SCHEDULE)
    if not constraints:
        return None
    state = SpreadState(pod, constraints)
    for node in nodes:
        if node.node is None or not all(c.topology_key in node.labels for c in constraints):
            continue
        for constraint in constraints:
            if not spread_includes(constraint, pod, node):
                continue
            value = node.labels[constraint.topology_key]
            state.domains.setdefault(constraint.topology_key, set()).add(value)
            matching = sum(
                1
                for other in node.pods.values()
                if not other.terminating and constraint.counts(other.namespace, other.labels, pod.namespace)
            )
            state.counts[(constraint.topology_key, value)] += matching
    return state


@dataclass
class CycleState:
    """What one scheduling attempt of one pod knows beyond the node at hand."""

    pod: PodInfo
    affinity: AffinityState | None = None
    spread: SpreadState | None = None
    #: the filters with something to check for this pod (the others would pass every node)
    filters: tuple[Filter, ...] = ()

    def __post_init__(self) -> None:
        if not self.filters:
            self.filters = applicable_filters(self)

    def copy(self) -> CycleState:
        return CycleState(
            self.pod,
            self.affinity.copy() if self.affinity is not None else None,
            self.spread.copy() if self.spread is not None else None,
            self.filters,
        )

    def add_pod(self, other: PodInfo, node: NodeInfo) -> None:
        self._update(other, node, 1)

    def remove_pod(self, other: PodInfo, node: NodeInfo) -> None:
        self._update(other, node, -1)

    def _update(self, other: PodInfo, node: NodeInfo, delta: int) -> None:
        if self.affinity is not None:
            self.affinity.update(other, node, delta)
        if self.spread is not None:
            self.spread.update(other, node, delta)


def prefilter(pod: PodInfo, nodes: Sequence[NodeInfo], namespace_labels: NamespaceLabelsFn | None = None) -> CycleState:
    labels = namespace_labels or no_namespace_labels
    return CycleState(pod, affinity_state(pod, nodes, labels), spread_state(pod, nodes))


# -- filters --------------------------------------------------------------------------------------


def node_unschedulable(state: CycleState, node: NodeInfo) -> Status | None:
    if node.unschedulable and not tolerated(_UNSCHEDULABLE_TAINT, state.pod.tolerations):
        return Status.unresolvable(framework.NODE_UNSCHEDULABLE, framework.ERR_UNSCHEDULABLE)
    return None


def node_name(state: CycleState, node: NodeInfo) -> Status | None:
    if state.pod.node_name and state.pod.node_name != node.name:
        return Status.unresolvable(framework.NODE_NAME, framework.ERR_NODE_NAME)
    return None


def taint_toleration(state: CycleState, node: NodeInfo) -> Status | None:
    if first_untolerated(node.taints, state.pod.tolerations, DO_NOT_SCHEDULE_EFFECTS) is not None:
        return Status.unresolvable(framework.TAINT_TOLERATION, framework.ERR_TAINT)
    return None


def node_affinity(state: CycleState, node: NodeInfo) -> Status | None:
    if not state.pod.node_affinity.matches(node.name, node.labels):
        return Status.unresolvable(framework.NODE_AFFINITY, framework.ERR_NODE_AFFINITY)
    return None


def node_ports(state: CycleState, node: NodeInfo) -> Status | None:
    if any(node.port_conflict(port) for port in state.pod.ports):
        return Status.unschedulable(framework.NODE_PORTS, framework.ERR_NODE_PORTS)
    return None


def insufficient_resources(pod: PodInfo, node: NodeInfo) -> list[str]:
    """``fitsRequest``: every resource the node lacks for the pod, in kube's order."""
    found: list[str] = []
    if len(node.pods) + 1 > node.allocatable.allowed_pods:
        found.append(framework.ERR_TOO_MANY_PODS)
    want, free, used = pod.resources.requests, node.allocatable, node.requested
    if want.empty:
        return found
    if want.milli_cpu > 0 and want.milli_cpu > free.milli_cpu - used.milli_cpu:
        found.append(framework.insufficient(resources.CPU))
    if want.memory > 0 and want.memory > free.memory - used.memory:
        found.append(framework.insufficient(resources.MEMORY))
    if want.ephemeral_storage > 0 and want.ephemeral_storage > free.ephemeral_storage - used.ephemeral_storage:
        found.append(framework.insufficient(resources.EPHEMERAL_STORAGE))
    for name, amount in sorted(want.scalars.items()):
        if amount > 0 and amount > free.scalars.get(name, 0) - used.scalars.get(name, 0):
            found.append(framework.insufficient(name))
    return found


def node_resources_fit(state: CycleState, node: NodeInfo) -> Status | None:
    lacking = insufficient_resources(state.pod, node)
    if lacking:
        return Status.unschedulable(framework.NODE_RESOURCES_FIT, *lacking)
    return None


def pod_topology_spread(state: CycleState, node: NodeInfo) -> Status | None:
    spread = state.spread
    if spread is None:
        return None
    pod = state.pod
    for constraint in spread.constraints:
        value = node.labels.get(constraint.topology_key)
        if value is None:
            return Status.unresolvable(framework.POD_TOPOLOGY_SPREAD, framework.ERR_SPREAD_LABEL)
        own = 1 if constraint.selector is not None and constraint.selector.matches(pod.labels) else 0
        skew = spread.counts[(constraint.topology_key, value)] + own - spread.minimum(constraint)
        if skew > constraint.max_skew:
            return Status.unschedulable(framework.POD_TOPOLOGY_SPREAD, framework.ERR_SPREAD)
    return None


def _pod_affinity_holds(affinity: AffinityState, node: NodeInfo) -> bool:
    pod = affinity.pod
    found = True
    for term in pod.pod_affinity.required:
        value = node.labels.get(term.topology_key)
        if value is None:
            return False  # every topology key must exist on the node
        if affinity.affinity[(term.topology_key, value)] <= 0:
            found = False
    if found:
        return True
    # The first of a group of pods with affinity to each other: with no pod anywhere matching the
    # terms, it may go where the pod would match its own terms.
    return not +affinity.affinity and _all_terms_match(pod.pod_affinity.required, pod, affinity.namespace_labels)


def inter_pod_affinity(state: CycleState, node: NodeInfo) -> Status | None:
    affinity = state.affinity
    if affinity is None:
        return None
    if not _pod_affinity_holds(affinity, node):
        return Status.unresolvable(framework.INTER_POD_AFFINITY, framework.ERR_AFFINITY)
    labels = node.labels
    for term in affinity.pod.pod_affinity.required_anti:
        value = labels.get(term.topology_key)
        if value is not None and affinity.anti[(term.topology_key, value)] > 0:
            return Status.unschedulable(framework.INTER_POD_AFFINITY, framework.ERR_ANTI_AFFINITY)
    if +affinity.existing_anti and any(affinity.existing_anti[pair] > 0 for pair in labels.items()):
        return Status.unschedulable(framework.INTER_POD_AFFINITY, framework.ERR_EXISTING_ANTI_AFFINITY)
    return None


FILTERS: tuple[Filter, ...] = (
    node_unschedulable,
    node_name,
    taint_toleration,
    node_affinity,
    node_ports,
    node_resources_fit,
    pod_topology_spread,
    inter_pod_affinity,
)


def applicable_filters(state: CycleState) -> tuple[Filter, ...]:
    """``FILTERS`` without those that cannot refuse this pod (kube's PreFilter Skip)."""
    pod = state.pod
    skip: set[Filter] = set()
    if not pod.node_name:
        skip.add(node_name)
    if not pod.node_affinity.selector and pod.node_affinity.required is None:
        skip.add(node_affinity)
    if not pod.ports:
        skip.add(node_ports)
    if state.spread is None:
        skip.add(pod_topology_spread)
    if state.affinity is None:
        skip.add(inter_pod_affinity)
    return tuple(f for f in FILTERS if f not in skip)


def run_filters(state: CycleState, node: NodeInfo) -> Status | None:
    """The first filter's refusal, or None when the pod fits."""
    for check in state.filters:
        status = check(state, node)
        if status is not None:
            return status
    return None


def run_filters_with_nominated(state: CycleState, node: NodeInfo, nominated: Iterable[PodInfo]) -> Status | None:
    """``RunFilterPluginsWithNominatedPods``: pods nominated to the node with at least the pod's
    priority count as already there (the room preemption freed is theirs); the pod must fit both
    with them and, for what they could only make better (affinity), without them."""
    pod = state.pod
    ahead = [p for p in nominated if p.key != pod.key and p.priority >= pod.priority]
    if ahead:
        with_them, state_with = node.copy(), state.copy()
        for other in ahead:
            with_them.add_pod(other)
            state_with.add_pod(other, with_them)
        status = run_filters(state_with, with_them)
        if status is not None:
            return status
    return run_filters(state, node)


def find_feasible(
    state: CycleState, nodes: Sequence[NodeInfo], nominated: Mapping[str, Mapping[str, PodInfo]]
) -> tuple[list[NodeInfo], dict[str, Status]]:
    """The nodes the pod fits on, and why each other node does not."""
    feasible: list[NodeInfo] = []
    statuses: dict[str, Status] = {}
    for node in nodes:
        pods = nominated.get(node.name)
        status = run_filters_with_nominated(state, node, pods.values()) if pods else run_filters(state, node)
        if status is None:
            feasible.append(node)
        else:
            statuses[node.name] = status
    return feasible, statuses
