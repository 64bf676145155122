"""The FailedScheduling message, counted and worded as kube-scheduler's FitError."""

from __future__ import annotations

import pytest

from k3py.scheduler import framework
from k3py.scheduler.framework import Status


def refused(*reasons: str) -> Status:
    return Status.unschedulable("Plugin", *reasons)


@pytest.mark.parametrize(
    ("num_nodes", "statuses", "absent", "post_filter", "message"),
    [
        pytest.param(
            3,
            {
                "a": refused("Insufficient cpu"),
                "b": refused(framework.ERR_NODE_AFFINITY),
                "c": refused(framework.ERR_NODE_AFFINITY),
            },
            "",
            "preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.",
            "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector. "
            "preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.",
            id="kubernetes-example",
        ),
        pytest.param(
            2,
            {"a": refused("Insufficient cpu", "Insufficient memory"), "b": refused("Insufficient memory")},
            "",
            "",
            "0/2 nodes are available: 1 Insufficient cpu, 2 Insufficient memory.",
            id="several-reasons-per-node",
        ),
        pytest.param(
            10,
            {"a": refused("Too many pods")},
            framework.NOT_HELPFUL,
            "",
            "0/10 nodes are available: 1 Too many pods, 9 Preemption is not helpful for scheduling.",
            id="absent-nodes",
        ),
        pytest.param(
            12,
            {f"n{i}": refused("Insufficient cpu") for i in range(10)}
            | {"x": refused("Insufficient memory"), "y": refused("Insufficient memory")},
            "",
            "",
            "0/12 nodes are available: 10 Insufficient cpu, 2 Insufficient memory.",
            id="sorted-as-strings",
        ),
        pytest.param(
            1,
            {},
            "",
            "preemption: not eligible due to preemptionPolicy=Never.",
            "0/1 nodes are available: preemption: not eligible due to preemptionPolicy=Never.",
            id="no-filter-reasons",
        ),
    ],
)
def test_fit_error_message(
    num_nodes: int, statuses: dict[str, Status], absent: str, post_filter: str, message: str
) -> None:
    assert framework.fit_error_message(num_nodes, statuses, absent=absent, post_filter=post_filter) == message
