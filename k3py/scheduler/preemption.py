"""Preemption: which lower-priority pods to evict, and from which node, so that a pod fits. Pure.

A port of kube-scheduler's DefaultPreemption (``framework/preemption`` and
``plugins/defaultpreemption``, Apache-2.0, The Kubernetes Authors), reduced to one node's worth
of victims, as upstream does too:

1. The pod must be eligible: not ``preemptionPolicy: Never``, and not already waiting for pods it
   preempted on its nominated node to go.
2. Only nodes whose filters said *Unschedulable* (not *UnschedulableAndUnresolvable*) are tried.
   On each, every pod of lower priority is removed; if the pod still does not fit, the node is no
   candidate. Otherwise the removed pods are put back one at a time, the most important first
   (priority, then the one running longest) and those whose PodDisruptionBudget would be
   violated before the others, and each that still leaves room stays: the rest are the victims.
3. Among the candidates, the node with the fewest budget violations wins, then the lowest highest
   victim priority, the lowest sum of priorities, the fewest victims, the latest start of its most
   important victims, then the first.

Budgets are best effort, as in Kubernetes: they steer the choice, they never forbid it (the victims
are deleted, not evicted).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from k3py.scheduler import framework
from k3py.scheduler.affinity import label_selector
from k3py.scheduler.filters import CycleState, prefilter, run_filters_with_nominated
from k3py.scheduler.framework import Code, Status
from k3py.scheduler.priorities import NEVER

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from k3py.core.selectors import LabelSelector
    from k3py.scheduler.affinity import NamespaceLabelsFn
    from k3py.scheduler.cache import Cache, NodeInfo, PodInfo

PREEMPTION_PREFIX = "preemption: "
DISRUPTION_TARGET = "DisruptionTarget"
PREEMPTION_BY_SCHEDULER = "PreemptionByScheduler"
#: sorts after every timestamp: a pod that has not started counts as started now
_NOT_STARTED = "~"
#: sum of priorities is offset by this so that negative priorities still add up sensibly
_PRIORITY_OFFSET = 2**31


@dataclass(frozen=True, slots=True)
class Budget:
    """A PodDisruptionBudget as preemption weighs it."""

    namespace: str
    selector: LabelSelector | None
    allowed: int
    disrupted: frozenset[str]

    @classmethod
    def of(cls, pdb: Mapping[str, Any]) -> Budget:
        metadata, spec, status = pdb.get("metadata") or {}, pdb.get("spec") or {}, pdb.get("status") or {}
        allowed = status.get("disruptionsAllowed")
        return cls(
            str(metadata.get("namespace") or ""),
            label_selector(spec.get("selector")),
            allowed if isinstance(allowed, int) and not isinstance(allowed, bool) else 0,
            frozenset(str(name) for name in status.get("disruptedPods") or {}),
        )

    def covers(self, pod: PodInfo) -> bool:
        # a budget with an empty selector covers nothing (filterPodsWithPDBViolation)
        return (
            pod.namespace == self.namespace
            and self.selector is not None
            and bool(self.selector.requirements)
            and self.selector.matches(pod.labels)
        )


@dataclass(frozen=True, slots=True)
class Candidate:
    node: str
    #: most important first
    victims: tuple[PodInfo, ...]
    budget_violations: int


@dataclass(frozen=True, slots=True)
class Outcome:
    """What preemption decided: a candidate (then ``message`` is empty), or why there is none."""

    candidate: Candidate | None
    message: str
    #: lower-priority pods nominated to the candidate's node, whose nomination must go
    displaced: tuple[PodInfo, ...] = ()
    #: no node would do even with preemption: the pod's own nomination goes too
    #: (an ineligible pod keeps it: it is waiting for the victims it already chose)
    clear_nomination: bool = False


def _start(pod: PodInfo) -> str:
    return pod.start_time or _NOT_STARTED


def importance(pod: PodInfo) -> tuple[int, str]:
    """Sort key, most important first (``util.MoreImportantPod``): higher priority, then earlier start."""
    return (-pod.priority, _start(pod))


def split_by_budgets(pods: Sequence[PodInfo], budgets: Sequence[Budget]) -> tuple[list[PodInfo], list[PodInfo]]:
    """``filterPodsWithPDBViolation``: the pods whose eviction would exceed a budget, and the others,
    each in the order given."""
    allowed = [b.allowed for b in budgets]
    violating: list[PodInfo] = []
    fine: list[PodInfo] = []
    for pod in pods:
        violated = False
        if pod.labels:
            for i, budget in enumerate(budgets):
                if not budget.covers(pod) or pod.name in budget.disrupted:
                    continue
                allowed[i] -= 1
                if allowed[i] < 0:
                    violated = True
        (violating if violated else fine).append(pod)
    return violating, fine


def terminating_by_preemption(pod: PodInfo) -> bool:
    if not pod.terminating:
        return False
    for condition in (pod.obj.get("status") or {}).get("conditions") or []:
        if isinstance(condition, dict) and condition.get("type") == DISRUPTION_TARGET:
            return condition.get("status") == "True" and condition.get("reason") == PREEMPTION_BY_SCHEDULER
    return False


def ineligible(pod: PodInfo, cache: Cache, statuses: Mapping[str, Status]) -> str:
    """Why the pod may not preempt now (``PodEligibleToPreemptOthers``), or ``""``."""
    if pod.preemption_policy == NEVER:
        return framework.PREEMPTION_NEVER
    nominated = pod.nominated_node
    if nominated:
        status = statuses.get(nominated)
        if status is not None and status.code == Code.UNRESOLVABLE:
            return ""
        node = cache.nodes.get(nominated)
        if node is not None and any(
            p.priority < pod.priority and terminating_by_preemption(p) for p in node.pods.values()
        ):
            return framework.TERMINATING_ON_NOMINATED
    return ""


def select_victims(
    state: CycleState, node: NodeInfo, budgets: Sequence[Budget], nominated: Iterable[PodInfo]
) -> tuple[list[PodInfo], int, Status | None]:
    """``SelectVictimsOnNode``: the fewest pods to remove from ``node`` (most important first), how
    many of them break a budget, or why removing pods does not help."""
    pod = state.pod
    state, node = state.copy(), node.copy()
    nominated = list(nominated)
    potential = [p for p in node.pods.values() if p.priority < pod.priority]
    if not potential:
        return [], 0, Status.unresolvable("", framework.NO_VICTIMS)
    for victim in potential:
        node.remove_pod(victim.key)
        state.remove_pod(victim, node)
    status = run_filters_with_nominated(state, node, nominated)
    if status is not None:
        return [], 0, status
    potential.sort(key=importance)
    violating, fine = split_by_budgets(potential, budgets)
    victims: list[PodInfo] = []
    violations = 0

    def reprieve(candidate: PodInfo) -> bool:
        node.add_pod(candidate)
        state.add_pod(candidate, node)
        if run_filters_with_nominated(state, node, nominated) is None:
            return True
        node.remove_pod(candidate.key)
        state.remove_pod(candidate, node)
        victims.append(candidate)
        return False

    for candidate in violating:
        if not reprieve(candidate):
            violations += 1
    for candidate in fine:
        reprieve(candidate)
    if violating and fine:
        victims.sort(key=importance)
    return victims, violations, None


def _earliest_start_of_most_important(victims: Sequence[PodInfo]) -> str:
    top = max(v.priority for v in victims)
    return min(_start(v) for v in victims if v.priority == top)


def pick_candidate(candidates: Sequence[Candidate]) -> Candidate | None:
    """``pickOneNodeForPreemption``: each rule narrows the ties of the one before."""
    if not candidates:
        return None
    rules = (
        lambda c: -c.budget_violations,
        lambda c: -c.victims[0].priority,
        lambda c: -sum(v.priority + _PRIORITY_OFFSET for v in c.victims),
        lambda c: -len(c.victims),
    )
    remaining = list(candidates)
    for rule in rules:
        best = max(rule(c) for c in remaining)
        remaining = [c for c in remaining if rule(c) == best]
        if len(remaining) == 1:
            return remaining[0]
    latest = max(_earliest_start_of_most_important(c.victims) for c in remaining)
    return next(c for c in remaining if _earliest_start_of_most_important(c.victims) == latest)


def preempt(
    pod: PodInfo,
    cache: Cache,
    statuses: Mapping[str, Status],
    budgets: Sequence[Budget],
    namespace_labels: NamespaceLabelsFn | None = None,
) -> Outcome:
    """Find where ``pod`` could run by evicting lower-priority pods (``Evaluator.Preempt``).

    Args:
        statuses: why each node refused the pod in its scheduling attempt.
        budgets: the cluster's PodDisruptionBudgets.
    """
    why = ineligible(pod, cache, statuses)
    if why:
        return Outcome(None, PREEMPTION_PREFIX + why)
    nodes = cache.node_list()
    potential = [n for n in nodes if (s := statuses.get(n.name)) is not None and s.code == Code.UNSCHEDULABLE]
    dry_run: dict[str, Status] = {}
    candidates: list[Candidate] = []
    if potential:
        state = prefilter(pod, nodes, namespace_labels)
        for node in potential:
            victims, violations, status = select_victims(state, node, budgets, cache.nominated_pods(node.name))
            if status is None:
                candidates.append(Candidate(node.name, tuple(victims), violations))
            else:
                dry_run[node.name] = status
    chosen = pick_candidate(candidates)
    if chosen is None:
        message = framework.fit_error_message(len(nodes), dry_run, absent=framework.NOT_HELPFUL)
        return Outcome(None, PREEMPTION_PREFIX + message, clear_nomination=True)
    displaced = tuple(p for p in cache.nominated_pods(chosen.node) if p.priority < pod.priority and p.key != pod.key)
    return Outcome(chosen, "", displaced)
