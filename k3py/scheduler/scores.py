"""The scores: among the nodes a pod fits on, which is best? Pure.

Each score is one of kube-scheduler's default Score plugins, normalized to 0..100 the way that
plugin normalizes, then weighted as the default profile weighs it (``WEIGHTS``) and summed:

- ``NodeResourcesFit`` (least allocated): the free share of cpu and memory after placing the pod,
  counting 0.1 core and 200 MB for containers that request nothing, so that such pods spread too;
- ``NodeResourcesBalancedAllocation``: 100 times one minus the standard deviation of the cpu and
  memory shares requested, so nodes stay balanced (skipped for pods requesting nothing);
- ``NodeAffinity``: the weights of the preferred terms the node matches, scaled to the best node;
- ``TaintToleration``: fewer untolerated PreferNoSchedule taints is better;
- ``InterPodAffinity``: the weights of preferred (anti-)affinity terms, both the pod's and those
  of the pods already placed (whose required affinity counts with weight 1), per topology domain,
  scaled between the worst and the best node;
- ``PodTopologySpread``: for ScheduleAnyway constraints, fewer matching pods in the node's domains
  is better (Kubernetes' system default constraints, which need Services and ReplicaSets, are not
  applied);
- ``ImageLocality``: the sizes of the pod's images the node already has, weighted by how many
  nodes have them (so the score does not herd pods onto one node), between 23 MB and 1000 MB
  per container.

Theory of operation: :func:`score_nodes` runs each plugin's pre-score over the cluster once, then
scores the feasible nodes, and returns each node's weighted total; :func:`select_host` picks the
best, breaking ties at random as kube-scheduler does.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import TYPE_CHECKING, Final

from k3py.scheduler import framework
from k3py.scheduler.affinity import HOSTNAME, PREFER_NO_SCHEDULE, SCHEDULE_ANYWAY, SpreadConstraint, no_namespace_labels
from k3py.scheduler.filters import spread_includes

if TYPE_CHECKING:
    import random
    from collections.abc import Mapping, Sequence

    from k3py.scheduler.affinity import AffinityTerm, NamespaceLabelsFn
    from k3py.scheduler.cache import NodeInfo, PodInfo

MAX: Final = framework.MAX_NODE_SCORE
#: the default profile's score weights (apis/config/v1 getDefaultPlugins)
WEIGHTS: Final = {
    framework.TAINT_TOLERATION: 3,
    framework.NODE_AFFINITY: 2,
    framework.NODE_RESOURCES_FIT: 1,
    framework.POD_TOPOLOGY_SPREAD: 2,
    framework.INTER_POD_AFFINITY: 2,
    framework.BALANCED_ALLOCATION: 1,
    framework.IMAGE_LOCALITY: 1,
}
#: InterPodAffinityArgs.hardPodAffinityWeight
HARD_POD_AFFINITY_WEIGHT: Final = 1
MB: Final = 1024 * 1024
IMAGE_MIN_THRESHOLD: Final = 23 * MB
IMAGE_MAX_CONTAINER_THRESHOLD: Final = 1000 * MB


def default_normalize(scores: dict[str, int], *, reverse: bool = False) -> dict[str, int]:
    """``helper.DefaultNormalizeScore``: scaled so the highest is 100 (reversed: lowest is 100)."""
    highest = max(scores.values(), default=0)
    if highest == 0:
        return {name: MAX if reverse else 0 for name in scores}
    result = {}
    for name, score in scores.items():
        scaled = MAX * score // highest
        result[name] = MAX - scaled if reverse else scaled
    return result


# -- resources ------------------------------------------------------------------------------------


def _least_requested(requested: int, capacity: int) -> int:
    if capacity == 0 or requested > capacity:
        return 0
    return (capacity - requested) * MAX // capacity


def least_allocated(pod: PodInfo, node: NodeInfo) -> int:
    """``LeastAllocated`` over cpu and memory, weight 1 each."""
    cpu, memory = node.allocatable.milli_cpu, node.allocatable.memory
    scores = []
    if cpu:
        scores.append(_least_requested(node.non_zero_milli_cpu + pod.resources.non_zero_milli_cpu, cpu))
    if memory:
        scores.append(_least_requested(node.non_zero_memory + pod.resources.non_zero_memory, memory))
    return sum(scores) // len(scores) if scores else 0


def balanced_allocation(pod: PodInfo, node: NodeInfo) -> int:
    """``balancedResourceScorer`` over cpu and memory, with the requests as they are: with two
    resources the standard deviation is half their difference."""
    cpu, memory = node.allocatable.milli_cpu, node.allocatable.memory
    if not cpu or not memory:
        return MAX  # one share (or none): no deviation
    want = pod.resources.requests
    cpu_share = min((node.requested.milli_cpu + want.milli_cpu) / cpu, 1.0)
    memory_share = min((node.requested.memory + want.memory) / memory, 1.0)
    return int((1 - abs(cpu_share - memory_share) / 2) * MAX)


def requests_nothing(pod: PodInfo) -> bool:
    """A best-effort pod (for cpu and memory): balanced allocation does not score it, since every
    node would look equally balanced and they would all pile onto one (kubernetes#129138)."""
    want = pod.resources.requests
    return want.milli_cpu == 0 and want.memory == 0


# -- node affinity and taints ---------------------------------------------------------------------


def node_affinity(pod: PodInfo, node: NodeInfo) -> int:
    return pod.node_affinity.preferred_weight(node.name, node.labels)


def taint_toleration(pod: PodInfo, node: NodeInfo) -> int:
    """The untolerated PreferNoSchedule taints (lower is better: normalized in reverse)."""
    tolerations = [t for t in pod.tolerations if t.effect in ("", PREFER_NO_SCHEDULE)]
    return sum(
        1
        for taint in node.taints
        if taint.effect == PREFER_NO_SCHEDULE and not any(t.tolerates(taint) for t in tolerations)
    )


# -- images ---------------------------------------------------------------------------------------


def image_locality(pod: PodInfo, node: NodeInfo, image_nodes: Mapping[str, int], total_nodes: int) -> int:
    """``ImageLocality``: the images' sizes on the node, scaled by their spread, clamped per container."""
    if not pod.images or total_nodes == 0:
        return 0
    total = 0
    for image in pod.images:
        size = node.images.get(image)
        if size is not None:
            total += int(size * (image_nodes.get(image, 0) / total_nodes))
    highest = IMAGE_MAX_CONTAINER_THRESHOLD * len(pod.images)
    total = min(max(total, IMAGE_MIN_THRESHOLD), highest)
    return MAX * (total - IMAGE_MIN_THRESHOLD) // (highest - IMAGE_MIN_THRESHOLD)


# -- inter-pod affinity ---------------------------------------------------------------------------


def _add_terms(
    scores: dict[str, Counter[str]],
    terms: Sequence[AffinityTerm],
    target: PodInfo,
    node: NodeInfo,
    sign: int,
    namespace_labels: NamespaceLabelsFn,
    weight: int | None = None,
) -> None:
    for term in terms:
        value = node.labels.get(term.topology_key)
        if value is None or not term.matches(target.namespace, target.labels, namespace_labels):
            continue
        scores.setdefault(term.topology_key, Counter())[value] += sign * (term.weight if weight is None else weight)


def pod_affinity_topology(
    pod: PodInfo, nodes: Sequence[NodeInfo], namespace_labels: NamespaceLabelsFn | None = None
) -> dict[str, Counter[str]] | None:
    """``InterPodAffinity`` pre-score: the weight of each topology domain, or None to skip."""
    labels = namespace_labels or no_namespace_labels
    own = pod.pod_affinity
    has_own = bool(own.preferred or own.preferred_anti)
    scores: dict[str, Counter[str]] = {}
    for node in nodes:
        if node.node is None or not node.labels or (not has_own and not node.with_affinity):
            continue
        for other in node.pods.values():
            if other.key == pod.key:
                continue
            if has_own:
                _add_terms(scores, own.preferred, other, node, 1, labels)
                _add_terms(scores, own.preferred_anti, other, node, -1, labels)
            theirs = other.pod_affinity
            if not theirs.any:
                continue
            _add_terms(scores, theirs.required, pod, node, 1, labels, HARD_POD_AFFINITY_WEIGHT)
            _add_terms(scores, theirs.preferred, pod, node, 1, labels)
            _add_terms(scores, theirs.preferred_anti, pod, node, -1, labels)
    if not has_own and not scores:
        return None
    return scores


def pod_affinity(topology: Mapping[str, Counter[str]], node: NodeInfo) -> int:
    return sum(values[node.labels[key]] for key, values in topology.items() if key in node.labels)


def min_max_normalize(scores: dict[str, int]) -> dict[str, int]:
    """``InterPodAffinity.NormalizeScore``: 0 for the worst node, 100 for the best."""
    if not scores:
        return {}
    low, high = min(scores.values()), max(scores.values())
    spread = high - low
    return {name: int(MAX * ((s - low) / spread)) if spread > 0 else 0 for name, s in scores.items()}


# -- topology spread ------------------------------------------------------------------------------


class SpreadScore:
    """``PodTopologySpread`` scoring for the pod's ScheduleAnyway constraints."""

    def __init__(self, pod: PodInfo, constraints: tuple[SpreadConstraint, ...], feasible: Sequence[NodeInfo]) -> None:
        self.pod = pod
        self.constraints = constraints
        self.ignored = {n.name for n in feasible if not all(c.topology_key in n.labels for c in constraints)}
        sizes = [0] * len(constraints)
        self.counts: Counter[tuple[str, str]] = Counter()
        tracked: set[tuple[str, str]] = set()
        for node in feasible:
            if node.name in self.ignored:
                continue
            for i, c in enumerate(constraints):
                if c.topology_key == HOSTNAME:
                    continue
                pair = (c.topology_key, node.labels[c.topology_key])
                if pair not in tracked:
                    tracked.add(pair)
                    sizes[i] += 1
        self.weights = [
            math.log((len(feasible) - len(self.ignored) if c.topology_key == HOSTNAME else sizes[i]) + 2)
            for i, c in enumerate(constraints)
        ]
        self.tracked = tracked

    def count_cluster(self, nodes: Sequence[NodeInfo]) -> None:
        for node in nodes:
            if node.node is None or not all(c.topology_key in node.labels for c in self.constraints):
                continue
            for c in self.constraints:
                pair = (c.topology_key, node.labels[c.topology_key])
                if pair not in self.tracked or not spread_includes(c, self.pod, node):
                    continue
                self.counts[pair] += self._matching(c, node)

    def _matching(self, constraint: SpreadConstraint, node: NodeInfo) -> int:
        ns = self.pod.namespace
        return sum(1 for p in node.pods.values() if not p.terminating and constraint.counts(p.namespace, p.labels, ns))

    def score(self, node: NodeInfo) -> int:
        total = 0.0
        for i, c in enumerate(self.constraints):
            value = node.labels.get(c.topology_key)
            if value is None:
                continue
            count = self._matching(c, node) if c.topology_key == HOSTNAME else self.counts[(c.topology_key, value)]
            total += count * self.weights[i] + (c.max_skew - 1)
        return round(total)

    def normalize(self, scores: dict[str, int]) -> dict[str, int]:
        valid = {name: s for name, s in scores.items() if name not in self.ignored}
        low, high = min(valid.values(), default=0), max(valid.values(), default=0)
        result = {}
        for name, score in scores.items():
            if name in self.ignored:
                result[name] = 0
            elif high == 0:
                result[name] = MAX
            else:
                result[name] = MAX * (high + low - score) // high
        return result


def spread_score(pod: PodInfo, feasible: Sequence[NodeInfo], nodes: Sequence[NodeInfo]) -> SpreadScore | None:
    constraints = tuple(c for c in pod.spread if c.when_unsatisfiable == SCHEDULE_ANYWAY)
    if not constraints:
        return None
    scorer = SpreadScore(pod, constraints, feasible)
    scorer.count_cluster(nodes)
    return scorer


# -- all together ---------------------------------------------------------------------------------


def plugin_scores(
    pod: PodInfo,
    feasible: Sequence[NodeInfo],
    nodes: Sequence[NodeInfo],
    image_nodes: Mapping[str, int],
    namespace_labels: NamespaceLabelsFn | None = None,
) -> dict[str, dict[str, int]]:
    """Each plugin's normalized score (0..100) of each feasible node."""
    names = [n.name for n in feasible]
    result: dict[str, dict[str, int]] = {
        framework.NODE_RESOURCES_FIT: {n.name: least_allocated(pod, n) for n in feasible}
    }
    if any(t.effect == PREFER_NO_SCHEDULE for n in feasible for t in n.taints):
        taints = {n.name: taint_toleration(pod, n) for n in feasible}
        result[framework.TAINT_TOLERATION] = default_normalize(taints, reverse=True)
    else:  # nothing to tell the nodes apart: all are as good as can be
        result[framework.TAINT_TOLERATION] = dict.fromkeys(names, MAX)
    if not requests_nothing(pod):
        result[framework.BALANCED_ALLOCATION] = {n.name: balanced_allocation(pod, n) for n in feasible}
    if pod.node_affinity.preferred:
        result[framework.NODE_AFFINITY] = default_normalize({n.name: node_affinity(pod, n) for n in feasible})
    if any(image in image_nodes for image in pod.images):
        total = sum(1 for n in nodes if n.node is not None)
        result[framework.IMAGE_LOCALITY] = {n.name: image_locality(pod, n, image_nodes, total) for n in feasible}
    topology = pod_affinity_topology(pod, nodes, namespace_labels)
    if topology is not None:
        result[framework.INTER_POD_AFFINITY] = min_max_normalize({n.name: pod_affinity(topology, n) for n in feasible})
    spread = spread_score(pod, feasible, nodes)
    if spread is not None:
        result[framework.POD_TOPOLOGY_SPREAD] = spread.normalize({n.name: spread.score(n) for n in feasible})
    for scores in result.values():
        for name in names:
            scores.setdefault(name, 0)
    return result


def score_nodes(
    pod: PodInfo,
    feasible: Sequence[NodeInfo],
    nodes: Sequence[NodeInfo],
    image_nodes: Mapping[str, int],
    namespace_labels: NamespaceLabelsFn | None = None,
) -> dict[str, int]:
    """Every feasible node's weighted total."""
    totals = {n.name: 0 for n in feasible}
    for plugin, scores in plugin_scores(pod, feasible, nodes, image_nodes, namespace_labels).items():
        weight = WEIGHTS[plugin]
        for name, score in scores.items():
            totals[name] += weight * score
    return totals


def select_host(totals: Mapping[str, int], rng: random.Random) -> str:
    """The best node; among equals one chosen uniformly at random (reservoir sampling, as kube)."""
    best, chosen, seen = -1, "", 0
    for name, score in totals.items():
        if score > best:
            best, chosen, seen = score, name, 1
        elif score == best:
            seen += 1
            if rng.randrange(seen) == 0:
                chosen = name
    return chosen
