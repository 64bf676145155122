"""The scheduling queue: priority order, backoff, and which cluster changes retry which pods."""

from __future__ import annotations

import pytest

from k3py.scheduler.queue import ACTIVE, ALL_PLUGINS, BACKOFF, IN_FLIGHT, UNSCHEDULABLE, SchedulingQueue


def drain(queue: SchedulingQueue, now: float) -> list[str]:
    popped = []
    while (key := queue.pop(now)) is not None:
        popped.append(key)
    return popped


def test_higher_priority_first_then_first_come() -> None:
    queue = SchedulingQueue()
    queue.add("low", 0, now=1)
    queue.add("high", 100, now=2)
    queue.add("low-later", 0, now=3)
    queue.add("high-later", 100, now=4)
    assert drain(queue, 5) == ["high", "high-later", "low", "low-later"]
    assert all(queue.where(k) == IN_FLIGHT for k in ("high", "low"))


def test_a_priority_change_reorders_a_waiting_pod() -> None:
    queue = SchedulingQueue()
    queue.add("a", 0, now=1)
    queue.add("b", 0, now=2)
    queue.add("b", 10, now=3)
    assert drain(queue, 4) == ["b", "a"]


def test_a_pod_being_tried_is_not_queued_twice() -> None:
    queue = SchedulingQueue()
    queue.add("p", 0, now=0)
    assert queue.pop(0) == "p"
    queue.add("p", 0, now=1)
    assert queue.pop(1) is None
    queue.done("p")
    assert "p" not in queue
    assert len(queue) == 0


@pytest.mark.parametrize(("attempts", "delay"), [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (5, 10.0), (9, 10.0)])
def test_backoff_doubles_up_to_ten_seconds(attempts: int, delay: float) -> None:
    queue = SchedulingQueue()
    queue.add("p", 0, now=0)
    now = 0.0
    for _ in range(attempts):
        now = queue.backoff_until("p") + 100
        assert queue.pop(now) == "p"
        queue.failed("p", now, unschedulable=False)
    assert queue.where("p") == BACKOFF
    assert queue.backoff_until("p") == now + delay
    assert queue.next_due() == now + delay
    assert queue.pop(now + delay - 0.01) is None
    assert queue.pop(now + delay) == "p"


def test_unschedulable_pods_wait_for_a_change_that_concerns_them() -> None:
    queue = SchedulingQueue()
    queue.add("cpu", 0, now=0)
    queue.add("affinity", 0, now=0)
    assert drain(queue, 0) == ["cpu", "affinity"]
    queue.failed("cpu", 0, {"NodeResourcesFit"})
    queue.failed("affinity", 0, {"InterPodAffinity"})
    assert queue.where("cpu") == UNSCHEDULABLE
    assert queue.pop(100) is None
    assert queue.move(frozenset({"InterPodAffinity", "PodTopologySpread"}), now=100) == 1
    assert queue.where("affinity") == ACTIVE
    assert queue.where("cpu") == UNSCHEDULABLE
    assert drain(queue, 100) == ["affinity"]
    assert queue.move(ALL_PLUGINS, now=101) == 1
    assert drain(queue, 101) == ["cpu"]


def test_a_moved_pod_still_serves_its_backoff() -> None:
    queue = SchedulingQueue()
    queue.add("p", 0, now=0)
    queue.pop(0)
    queue.failed("p", 0, {"NodeResourcesFit"})
    queue.move(ALL_PLUGINS, now=0.5)
    assert queue.where("p") == BACKOFF
    assert queue.pop(0.9) is None
    assert queue.pop(1.0) == "p"


def test_a_change_during_an_attempt_sends_the_pod_to_backoff_not_to_wait() -> None:
    queue = SchedulingQueue()
    queue.add("p", 0, now=0)
    queue.pop(0)
    queue.move(ALL_PLUGINS, now=0.1)  # e.g. a node was added while the pod was being tried
    queue.failed("p", 0.2, {"NodeResourcesFit"})
    assert queue.where("p") == BACKOFF


def test_a_failure_with_unknown_plugins_is_moved_by_any_change() -> None:
    queue = SchedulingQueue()
    queue.add("p", 0, now=0)
    queue.pop(0)
    queue.failed("p", 0, ())
    assert queue.move(frozenset({"InterPodAffinity"}), now=10) == 1


def test_leftover_unschedulable_pods_are_retried_after_five_minutes() -> None:
    queue = SchedulingQueue()
    queue.add("p", 0, now=0)
    queue.pop(0)
    queue.failed("p", 0, {"NodeResourcesFit"})
    assert queue.next_due() == 300
    assert queue.pop(299) is None
    assert queue.pop(300) == "p"


def test_an_updated_unschedulable_pod_is_tried_again() -> None:
    queue = SchedulingQueue()
    queue.add("p", 0, now=0)
    queue.pop(0)
    queue.failed("p", 0, {"NodeAffinity"})
    queue.add("p", 0, now=5)  # its spec changed
    assert queue.pop(5) == "p"


def test_deleted_pods_leave_no_trace() -> None:
    queue = SchedulingQueue()
    queue.add("a", 0, now=0)
    queue.add("b", 0, now=0)
    queue.pop(0)
    queue.failed("a", 0, unschedulable=False)
    queue.delete("a")
    queue.delete("b")
    queue.failed("a", 1)
    assert queue.pop(100) is None
    assert queue.next_due() is None
    assert queue.where("a") == ""


def test_a_pod_changed_while_being_tried_goes_to_backoff() -> None:
    queue = SchedulingQueue()
    queue.add("p", 0, now=0)
    queue.pop(0)
    queue.add("p", 0, now=0.1)  # e.g. a toleration was added meanwhile
    queue.failed("p", 0.2, {"TaintToleration"})
    assert queue.where("p") == BACKOFF
    assert queue.pop(1.2) == "p"
    queue.failed("p", 2, {"TaintToleration"})
    assert queue.where("p") == UNSCHEDULABLE
