"""One scheduling attempt: filter every node, score the ones left, pick one. Pure.

``schedulePod`` of kube-scheduler: a pod with a nominated node (preemption made room there) tries
that node first; when only one node fits there is nothing to score. The answer is a
:class:`Decision`, either a node or the per-node reasons for the FailedScheduling message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from k3py.scheduler import filters, framework, scores

if TYPE_CHECKING:
    import random

    from k3py.scheduler.affinity import NamespaceLabelsFn
    from k3py.scheduler.cache import Cache, PodInfo
    from k3py.scheduler.framework import Status


@dataclass(frozen=True)
class Decision:
    """The node chosen (``""`` for none) and, when none, why each node refused."""

    node: str
    num_nodes: int
    statuses: dict[str, Status] = field(default_factory=dict)

    @property
    def plugins(self) -> frozenset[str]:
        """The plugins that refused the pod somewhere (empty: no node at all)."""
        return frozenset(s.plugin for s in self.statuses.values() if s.plugin)

    def message(self, post_filter: str = "") -> str:
        if self.num_nodes == 0:
            return framework.NO_NODES_AVAILABLE
        return framework.fit_error_message(self.num_nodes, self.statuses, post_filter=post_filter)


def schedule(
    pod: PodInfo, cache: Cache, rng: random.Random, namespace_labels: NamespaceLabelsFn | None = None
) -> Decision:
    nodes = cache.node_list()
    if not nodes:
        return Decision("", 0)
    state = filters.prefilter(pod, nodes, namespace_labels)
    nominated = cache.nodes.get(pod.nominated_node) if pod.nominated_node else None
    if nominated is not None and nominated.node is not None:
        pods = cache.nominated_pods(nominated.name)
        if filters.run_filters_with_nominated(state, nominated, pods) is None:
            return Decision(nominated.name, len(nodes))
    feasible, statuses = filters.find_feasible(state, nodes, cache.nominated)
    if not feasible:
        return Decision("", len(nodes), statuses)
    if len(feasible) == 1:
        return Decision(feasible[0].name, len(nodes))
    totals = scores.score_nodes(pod, feasible, nodes, cache.image_nodes, namespace_labels)
    return Decision(scores.select_host(totals, rng), len(nodes))
