"""Pod priorities resolved from PriorityClasses, as the Priority admission plugin would."""

from __future__ import annotations

from typing import Any

import pytest

from k3py.scheduler.priorities import Priorities

Obj = dict[str, Any]


def priority_class(name: str, value: int, *, default: bool = False, policy: str | None = None) -> Obj:
    obj: Obj = {"metadata": {"name": name}, "value": value, "globalDefault": default}
    if policy:
        obj["preemptionPolicy"] = policy
    return obj


@pytest.fixture
def priorities() -> Priorities:
    found = Priorities()
    for obj in (
        priority_class("high", 1000, policy="Never"),
        priority_class("low", -5),
        priority_class("default-a", 50, default=True),
        priority_class("default-b", 20, default=True),
    ):
        found.set(obj)
    return found


@pytest.mark.parametrize(
    ("spec", "priority", "policy"),
    [
        pytest.param({"priority": 7}, 7, "PreemptLowerPriority", id="already-resolved"),
        pytest.param({"priorityClassName": "high"}, 1000, "Never", id="named-class"),
        pytest.param(
            {"priorityClassName": "high", "preemptionPolicy": "PreemptLowerPriority"},
            1000,
            "PreemptLowerPriority",
            id="pods-own-policy",
        ),
        pytest.param({"priorityClassName": "low"}, -5, "PreemptLowerPriority", id="negative"),
        pytest.param({}, 20, "PreemptLowerPriority", id="lowest-global-default"),
        pytest.param({"priorityClassName": "system-node-critical"}, 2000001000, "PreemptLowerPriority", id="built-in"),
        pytest.param({"priorityClassName": "missing"}, 0, "PreemptLowerPriority", id="unknown-class"),
    ],
)
def test_priority_resolution(priorities: Priorities, spec: Obj, priority: int, policy: str) -> None:
    pod = {"spec": spec}
    assert priorities.priority(pod) == priority
    assert priorities.preemption_policy(pod) == policy


def test_without_a_global_default_priority_is_zero(priorities: Priorities) -> None:
    priorities.remove("default-a")
    priorities.remove("default-b")
    assert priorities.priority({"spec": {}}) == 0
