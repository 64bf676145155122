"""Outcomes of the scheduling plugins as values, and the messages Kubernetes users know. Pure.

As in kube-scheduler's framework, a filter answers with a :class:`Status`: success, or a code and
the reasons a node does not fit. ``UNSCHEDULABLE`` means removing pods could help (preemption
will look at the node); ``UNRESOLVABLE`` (UnschedulableAndUnresolvable) means it could not.

The reasons are kube-scheduler's words, because people search for them ("Insufficient cpu",
"node(s) didn't match Pod's node affinity/selector"), and :func:`fit_error_message` counts them
as ``FitError.Error`` does: ``0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match
Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful
for scheduling.``
"""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Mapping

DEFAULT_SCHEDULER: Final = "default-scheduler"
MAX_NODE_SCORE: Final = 100

# Plugin names (framework/plugins/names): a failure records which plugin said no, so that only
# the cluster changes that could change that answer retry the pod.
NODE_UNSCHEDULABLE: Final = "NodeUnschedulable"
NODE_NAME: Final = "NodeName"
TAINT_TOLERATION: Final = "TaintToleration"
NODE_AFFINITY: Final = "NodeAffinity"
NODE_PORTS: Final = "NodePorts"
NODE_RESOURCES_FIT: Final = "NodeResourcesFit"
POD_TOPOLOGY_SPREAD: Final = "PodTopologySpread"
INTER_POD_AFFINITY: Final = "InterPodAffinity"
BALANCED_ALLOCATION: Final = "NodeResourcesBalancedAllocation"
IMAGE_LOCALITY: Final = "ImageLocality"

# Reasons, word for word.
ERR_UNSCHEDULABLE: Final = "node(s) were unschedulable"
ERR_NODE_NAME: Final = "node(s) didn't match the requested node name"
ERR_TAINT: Final = "node(s) had untolerated taint(s)"
ERR_NODE_AFFINITY: Final = "node(s) didn't match Pod's node affinity/selector"
ERR_NODE_PORTS: Final = "node(s) didn't have free ports for the requested pod ports"
ERR_TOO_MANY_PODS: Final = "Too many pods"
ERR_SPREAD: Final = "node(s) didn't match pod topology spread constraints"
ERR_SPREAD_LABEL: Final = ERR_SPREAD + " (missing required label)"
ERR_AFFINITY: Final = "node(s) didn't match pod affinity rules"
ERR_ANTI_AFFINITY: Final = "node(s) didn't match pod anti-affinity rules"
ERR_EXISTING_ANTI_AFFINITY: Final = "node(s) didn't satisfy existing pods anti-affinity rules"
NO_NODES_AVAILABLE: Final = "no nodes available to schedule pods"
NO_VICTIMS: Final = "No preemption victims found for incoming pod"
NOT_HELPFUL: Final = "Preemption is not helpful for scheduling"
PREEMPTION_NEVER: Final = "not eligible due to preemptionPolicy=Never."
TERMINATING_ON_NOMINATED: Final = "not eligible due to a terminating pod on the nominated node."


def insufficient(resource: str) -> str:
    return f"Insufficient {resource}"


class Code(enum.Enum):
    SUCCESS = "Success"
    UNSCHEDULABLE = "Unschedulable"
    UNRESOLVABLE = "UnschedulableAndUnresolvable"


@dataclass(frozen=True, slots=True)
class Status:
    """Why one node does not fit (no Status means it does)."""

    code: Code
    reasons: tuple[str, ...]
    plugin: str = ""

    @classmethod
    def unschedulable(cls, plugin: str, *reasons: str) -> Status:
        return cls(Code.UNSCHEDULABLE, reasons, plugin)

    @classmethod
    def unresolvable(cls, plugin: str, *reasons: str) -> Status:
        return cls(Code.UNRESOLVABLE, reasons, plugin)


def fit_error_message(
    num_nodes: int, statuses: Mapping[str, Status], *, absent: str = "", post_filter: str = ""
) -> str:
    """``FitError.Error``: the reasons counted per node and sorted, then the preemption's message.

    Args:
        num_nodes: every node considered.
        statuses: the failing nodes' statuses.
        absent: the reason counted for each node missing from ``statuses``.
        post_filter: what preemption said (``preemption: ...``), appended as is.
    """
    reasons: Counter[str] = Counter()
    for status in statuses.values():
        reasons.update(status.reasons)
    if absent and len(statuses) < num_nodes:
        reasons[absent] += num_nodes - len(statuses)
    message = f"0/{num_nodes} nodes are available:"
    histogram = sorted(f"{count} {reason}" for reason, count in reasons.items())
    if histogram:
        message += f" {', '.join(histogram)}."
    if post_filter:
        message += f" {post_filter}"
    return message
