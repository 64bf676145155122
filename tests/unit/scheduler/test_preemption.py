"""Preemption's choices: the fewest, least important victims on the best node, budgets considered."""

from __future__ import annotations

import random
from typing import Any

import pytest

from k3py.scheduler import algorithm, filters, framework, preemption
from k3py.scheduler.cache import Cache, PodInfo
from k3py.scheduler.preemption import Budget, Candidate

from .builders import cache_of, node, pod

Obj = dict[str, Any]


def started(obj: Obj, at: str) -> Obj:
    obj["status"] = {"startTime": at}
    return obj


def attempt(cache: Cache, incoming: PodInfo, budgets: list[Budget] | None = None) -> preemption.Outcome:
    decision = algorithm.schedule(incoming, cache, random.Random(1))
    assert not decision.node
    return preemption.preempt(incoming, cache, decision.statuses, budgets or [])


def test_the_fewest_lowest_priority_victims_are_chosen() -> None:
    cache = cache_of(
        [node("n", cpu="3")],
        [pod("a", cpu="1", node_name="n"), pod("b", cpu="1", node_name="n"), pod("c", cpu="1", node_name="n")],
        priorities={"a": 5, "b": 1, "c": 3},
    )
    outcome = attempt(cache, PodInfo.of(pod("p", cpu="1"), priority=10))
    assert outcome.candidate is not None
    assert [v.name for v in outcome.candidate.victims] == ["b"]
    assert outcome.message == ""


def test_victims_are_as_many_as_needed_most_important_first() -> None:
    cache = cache_of(
        [node("n", cpu="3")],
        [pod("a", cpu="1", node_name="n"), pod("b", cpu="1", node_name="n"), pod("c", cpu="1", node_name="n")],
        priorities={"a": 5, "b": 1, "c": 3},
    )
    outcome = attempt(cache, PodInfo.of(pod("p", cpu="2"), priority=10))
    assert outcome.candidate is not None
    assert [v.name for v in outcome.candidate.victims] == ["c", "b"]


def test_equal_or_higher_priority_pods_are_never_victims() -> None:
    cache = cache_of([node("n", cpu="1")], [pod("a", cpu="1", node_name="n")], priorities={"a": 10})
    outcome = attempt(cache, PodInfo.of(pod("p", cpu="1"), priority=10))
    assert outcome.candidate is None
    assert outcome.message == "preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod."
    assert outcome.clear_nomination


def test_nodes_preemption_cannot_help_are_not_tried() -> None:
    cache = cache_of(
        [node("small", cpu="1"), node("tainted", taints=[{"key": "k", "effect": "NoSchedule"}])],
        [pod("a", cpu="1", node_name="small")],
    )
    outcome = attempt(cache, PodInfo.of(pod("p", cpu="2"), priority=10))
    assert outcome.message == (
        "preemption: 0/2 nodes are available: 1 Insufficient cpu, 1 Preemption is not helpful for scheduling."
    )


def test_budgets_steer_the_choice_of_node() -> None:
    web = {"app": "web"}
    cache = cache_of(
        [node("guarded", cpu="1"), node("free", cpu="1")],
        [pod("w", cpu="1", labels=web, node_name="guarded"), pod("x", cpu="1", node_name="free")],
    )
    budget = Budget.of(
        {
            "metadata": {"namespace": "default"},
            "spec": {"selector": {"matchLabels": web}},
            "status": {"disruptionsAllowed": 0},
        }
    )
    outcome = attempt(cache, PodInfo.of(pod("p", cpu="1"), priority=10), [budget])
    assert outcome.candidate is not None
    assert outcome.candidate.node == "free"
    assert outcome.candidate.budget_violations == 0


def test_budgets_are_best_effort() -> None:
    web = {"app": "web"}
    cache = cache_of([node("guarded", cpu="1")], [pod("w", cpu="1", labels=web, node_name="guarded")])
    budget = Budget.of(
        {
            "metadata": {"namespace": "default"},
            "spec": {"selector": {"matchLabels": web}},
            "status": {"disruptionsAllowed": 0},
        }
    )
    outcome = attempt(cache, PodInfo.of(pod("p", cpu="1"), priority=10), [budget])
    assert outcome.candidate is not None
    assert outcome.candidate.budget_violations == 1


@pytest.mark.parametrize(
    ("budget", "disruptions_allowed", "violating"),
    [
        pytest.param({"matchLabels": {"app": "web"}}, 1, ["w2"], id="one-allowed"),
        pytest.param({"matchLabels": {"app": "web"}}, 2, [], id="two-allowed"),
        pytest.param({}, 0, [], id="empty-selector-covers-nothing"),
        pytest.param(None, 0, [], id="no-selector"),
    ],
)
def test_split_by_budgets(budget: Obj | None, disruptions_allowed: int, violating: list[str]) -> None:
    web = {"app": "web"}
    pods = [PodInfo.of(pod("w1", labels=web)), PodInfo.of(pod("w2", labels=web)), PodInfo.of(pod("x"))]
    spec = {"selector": budget} if budget is not None else {}
    parsed = Budget.of(
        {"metadata": {"namespace": "default"}, "spec": spec, "status": {"disruptionsAllowed": disruptions_allowed}}
    )
    bad, good = preemption.split_by_budgets(pods, [parsed])
    assert [p.name for p in bad] == violating
    assert len(bad) + len(good) == 3


def test_pods_a_budget_already_counts_as_disrupted_do_not_violate_it() -> None:
    budget = Budget.of(
        {
            "metadata": {"namespace": "default"},
            "spec": {"selector": {"matchLabels": {"app": "web"}}},
            "status": {"disruptionsAllowed": 0, "disruptedPods": {"w1": "2030-01-01T00:00:00Z"}},
        }
    )
    bad, _ = preemption.split_by_budgets([PodInfo.of(pod("w1", labels={"app": "web"}))], [budget])
    assert bad == []


def victim(name: str, priority: int, start: str = "2030-01-01T00:00:00Z") -> PodInfo:
    return PodInfo.of(started(pod(name), start), priority=priority)


@pytest.mark.parametrize(
    ("candidates", "chosen"),
    [
        pytest.param(
            [Candidate("a", (victim("x", 1),), 1), Candidate("b", (victim("y", 5),), 0)], "b", id="fewest-violations"
        ),
        pytest.param(
            [Candidate("a", (victim("x", 5),), 0), Candidate("b", (victim("y", 3), victim("z", 3)), 0)],
            "b",
            id="lowest-top-priority",
        ),
        pytest.param(
            [Candidate("a", (victim("x", 3), victim("w", 2)), 0), Candidate("b", (victim("y", 3), victim("z", 1)), 0)],
            "b",
            id="lowest-sum",
        ),
        pytest.param(
            [Candidate("a", (victim("x", 3), victim("w", -5)), 0), Candidate("b", (victim("y", 3),), 0)],
            "b",
            id="negative-priorities-still-count",
        ),
        pytest.param(
            [
                Candidate("a", (victim("x", 3, "2030-01-01T00:00:00Z"),), 0),
                Candidate("b", (victim("y", 3, "2030-06-01T00:00:00Z"),), 0),
            ],
            "b",
            id="latest-start",
        ),
        pytest.param(
            [Candidate("a", (victim("x", 3),), 0), Candidate("b", (victim("y", 3),), 0)], "a", id="first-of-equals"
        ),
    ],
)
def test_pick_candidate(candidates: list[Candidate], chosen: str) -> None:
    picked = preemption.pick_candidate(candidates)
    assert picked is not None and picked.node == chosen


def test_a_pod_that_never_preempts_is_not_eligible() -> None:
    cache = cache_of([node("n", cpu="1")], [pod("a", cpu="1", node_name="n")])
    outcome = attempt(cache, PodInfo.of(pod("p", cpu="1"), priority=10, preemption_policy="Never"))
    assert outcome.candidate is None
    assert outcome.message == "preemption: not eligible due to preemptionPolicy=Never."
    assert not outcome.clear_nomination


def test_a_pod_waits_for_the_victims_it_already_chose() -> None:
    going = pod("a", cpu="1", node_name="n")
    going["metadata"]["deletionTimestamp"] = "2030-01-01T00:00:30Z"
    going["status"] = {
        "conditions": [{"type": "DisruptionTarget", "status": "True", "reason": "PreemptionByScheduler"}]
    }
    cache = cache_of([node("n", cpu="1")], [going])
    nominated = pod("p", cpu="1")
    nominated["status"] = {"nominatedNodeName": "n"}
    outcome = attempt(cache, PodInfo.of(nominated, priority=10))
    assert outcome.message == "preemption: not eligible due to a terminating pod on the nominated node."


def test_lower_priority_nominations_on_the_chosen_node_are_displaced() -> None:
    cache = cache_of([node("n", cpu="1")], [pod("a", cpu="1", node_name="n")])
    cache.nominate(PodInfo.of(pod("lower", cpu="1"), priority=5), "n")
    cache.nominate(PodInfo.of(pod("higher", cpu="1"), priority=50), "other")
    outcome = attempt(cache, PodInfo.of(pod("p", cpu="1"), priority=10))
    assert outcome.candidate is not None
    assert [p.name for p in outcome.displaced] == ["lower"]


def test_a_victim_whose_removal_would_not_help_is_reprieved() -> None:
    cache = cache_of(
        [node("n", cpu="2")],
        [pod("big", cpu="2", node_name="n"), pod("tiny", cpu="0", node_name="n")],
        priorities={"big": 1, "tiny": 1},
    )
    outcome = attempt(cache, PodInfo.of(pod("p", cpu="2"), priority=10))
    assert outcome.candidate is not None
    assert [v.name for v in outcome.candidate.victims] == ["big"]


def test_select_victims_says_why_removing_pods_does_not_help() -> None:
    cache = cache_of([node("n", cpu="1")], [pod("a", cpu="1", node_name="n")])
    incoming = PodInfo.of(pod("p", cpu="2"), priority=10)
    state = filters.prefilter(incoming, cache.node_list())
    victims, _, status = preemption.select_victims(state, cache.nodes["n"], [], [])
    assert victims == []
    assert status is not None and status.reasons == ("Insufficient cpu",)
    assert framework.fit_error_message(1, {"n": status}) == "0/1 nodes are available: 1 Insufficient cpu."
    # the dry run left the cache as it was
    assert list(cache.nodes["n"].pods) == ["default/a"]
