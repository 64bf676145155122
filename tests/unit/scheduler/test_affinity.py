"""Node selectors, tolerations, pod affinity terms and spread constraints, as component-helpers match them."""

from __future__ import annotations

from typing import Any

import pytest

from k3py.scheduler.affinity import (
    AffinityTerm,
    NodeAffinity,
    PodAffinity,
    SpreadConstraint,
    Taint,
    Toleration,
    first_untolerated,
    node_selector_term_matches,
)

Obj = dict[str, Any]
LABELS = {"zone": "a", "cores": "8", "gpu": ""}


def expr(key: str, operator: str, *values: str) -> Obj:
    return {"key": key, "operator": operator, "values": list(values)}


@pytest.mark.parametrize(
    ("term", "matches"),
    [
        pytest.param({"matchExpressions": [expr("zone", "In", "a", "b")]}, True, id="in"),
        pytest.param({"matchExpressions": [expr("zone", "In", "b")]}, False, id="in-other"),
        pytest.param({"matchExpressions": [expr("zone", "NotIn", "b")]}, True, id="notin"),
        pytest.param({"matchExpressions": [expr("rack", "NotIn", "b")]}, True, id="notin-missing-key"),
        pytest.param({"matchExpressions": [expr("gpu", "Exists")]}, True, id="exists-empty-value"),
        pytest.param({"matchExpressions": [expr("rack", "Exists")]}, False, id="exists-missing"),
        pytest.param({"matchExpressions": [expr("rack", "DoesNotExist")]}, True, id="does-not-exist"),
        pytest.param({"matchExpressions": [expr("cores", "Gt", "4")]}, True, id="gt"),
        pytest.param({"matchExpressions": [expr("cores", "Gt", "8")]}, False, id="gt-equal"),
        pytest.param({"matchExpressions": [expr("cores", "Lt", "16")]}, True, id="lt"),
        pytest.param({"matchExpressions": [expr("zone", "Lt", "16")]}, False, id="lt-not-a-number"),
        pytest.param({"matchExpressions": [expr("cores", "Gt", "1", "2")]}, False, id="gt-two-values"),
        pytest.param({"matchExpressions": [expr("zone", "Like", "a")]}, False, id="unknown-operator"),
        pytest.param(
            {"matchExpressions": [expr("zone", "In", "a"), expr("cores", "Lt", "4")]}, False, id="expressions-and"
        ),
        pytest.param({"matchFields": [expr("metadata.name", "In", "node-1")]}, True, id="field-name"),
        pytest.param({"matchFields": [expr("metadata.name", "NotIn", "node-1")]}, False, id="field-name-notin"),
        pytest.param({"matchFields": [expr("metadata.uid", "In", "node-1")]}, False, id="field-unknown"),
        pytest.param({"matchFields": [expr("metadata.name", "Exists")]}, False, id="field-exists-invalid"),
        pytest.param({}, False, id="empty-term-matches-nothing"),
    ],
)
def test_node_selector_term(term: Obj, matches: bool) -> None:
    assert node_selector_term_matches(term, "node-1", LABELS) is matches


def required(*terms: Obj) -> Obj:
    return {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": list(terms)}}}


@pytest.mark.parametrize(
    ("spec", "matches"),
    [
        pytest.param({}, True, id="no-requirements"),
        pytest.param({"nodeSelector": {"zone": "a"}}, True, id="selector"),
        pytest.param({"nodeSelector": {"zone": "a", "disk": "ssd"}}, False, id="selector-all-must-match"),
        pytest.param({"affinity": required({"matchExpressions": [expr("zone", "In", "b")]})}, False, id="required"),
        pytest.param(
            {
                "affinity": required(
                    {"matchExpressions": [expr("zone", "In", "b")]},
                    {"matchFields": [expr("metadata.name", "In", "node-1")]},
                )
            },
            True,
            id="terms-or",
        ),
        pytest.param({"affinity": required()}, False, id="no-terms-matches-nothing"),
        pytest.param(
            {"nodeSelector": {"zone": "b"}, "affinity": required({"matchExpressions": [expr("zone", "Exists")]})},
            False,
            id="selector-and-affinity",
        ),
    ],
)
def test_node_affinity_requirements(spec: Obj, matches: bool) -> None:
    assert NodeAffinity.of(spec).matches("node-1", LABELS) is matches


def test_preferred_node_affinity_adds_the_matching_weights() -> None:
    spec = {
        "affinity": {
            "nodeAffinity": {
                "preferredDuringSchedulingIgnoredDuringExecution": [
                    {"weight": 5, "preference": {"matchExpressions": [expr("zone", "In", "a")]}},
                    {"weight": 7, "preference": {"matchExpressions": [expr("cores", "Gt", "2")]}},
                    {"weight": 11, "preference": {"matchExpressions": [expr("zone", "In", "b")]}},
                    {"weight": 13, "preference": {}},
                ]
            }
        }
    }
    assert NodeAffinity.of(spec).preferred_weight("node-1", LABELS) == 12


TAINT = Taint("dedicated", "gpu", "NoSchedule")


@pytest.mark.parametrize(
    ("toleration", "tolerates"),
    [
        pytest.param(
            {"key": "dedicated", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"}, True, id="equal"
        ),
        pytest.param({"key": "dedicated", "value": "gpu"}, True, id="default-operator-any-effect"),
        pytest.param({"key": "dedicated", "operator": "Equal", "value": "cpu"}, False, id="other-value"),
        pytest.param({"key": "dedicated", "operator": "Exists"}, True, id="exists"),
        pytest.param({"operator": "Exists"}, True, id="empty-key-exists-tolerates-all"),
        pytest.param({"key": "dedicated", "operator": "Exists", "effect": "NoExecute"}, False, id="other-effect"),
        pytest.param({"key": "other", "operator": "Exists"}, False, id="other-key"),
        pytest.param({"key": "dedicated", "operator": "Gt", "value": "gpu"}, False, id="unknown-operator"),
    ],
)
def test_tolerations(toleration: Obj, tolerates: bool) -> None:
    assert Toleration.of(toleration).tolerates(TAINT) is tolerates


def test_first_untolerated_taint_looks_only_at_the_given_effects() -> None:
    taints = [Taint("soft", "", "PreferNoSchedule"), Taint("hard", "", "NoExecute")]
    assert first_untolerated(taints, (), frozenset({"NoSchedule", "NoExecute"})) == taints[1]
    tolerating = (Toleration.of({"key": "hard", "operator": "Exists"}),)
    assert first_untolerated(taints, tolerating, frozenset({"NoSchedule", "NoExecute"})) is None


NAMESPACES = {"prod": {"env": "prod"}, "dev": {"env": "dev"}}


@pytest.mark.parametrize(
    ("term", "namespace", "labels", "matches"),
    [
        pytest.param(
            {"labelSelector": {"matchLabels": {"app": "db"}}}, "prod", {"app": "db"}, True, id="own-namespace"
        ),
        pytest.param(
            {"labelSelector": {"matchLabels": {"app": "db"}}}, "dev", {"app": "db"}, False, id="other-namespace"
        ),
        pytest.param({}, "prod", {"app": "db"}, False, id="no-selector-matches-nothing"),
        pytest.param({"labelSelector": {}}, "prod", {"app": "web"}, True, id="empty-selector-matches-all"),
        pytest.param(
            {"labelSelector": {}, "namespaces": ["dev"]}, "prod", {}, False, id="listed-namespaces-replace-own"
        ),
        pytest.param({"labelSelector": {}, "namespaceSelector": {}}, "dev", {}, True, id="empty-namespace-selector"),
        pytest.param(
            {"labelSelector": {}, "namespaceSelector": {"matchLabels": {"env": "dev"}}},
            "dev",
            {},
            True,
            id="namespace-selector",
        ),
        pytest.param(
            {"labelSelector": {}, "namespaceSelector": {"matchLabels": {"env": "dev"}}},
            "unknown",
            {},
            False,
            id="namespace-selector-unknown-namespace",
        ),
        pytest.param(
            {"labelSelector": {"matchExpressions": [{"key": "app", "operator": "Bogus"}]}},
            "prod",
            {"app": "db"},
            False,
            id="invalid-selector",
        ),
    ],
)
def test_affinity_term_matching(term: Obj, namespace: str, labels: dict[str, str], matches: bool) -> None:
    parsed = AffinityTerm.of({"topologyKey": "zone", **term}, "prod", {"version": "1"})
    assert parsed.matches(namespace, labels, NAMESPACES.get) is matches


def test_match_label_keys_use_the_pods_own_values() -> None:
    term = AffinityTerm.of(
        {"labelSelector": {"matchLabels": {"app": "web"}}, "matchLabelKeys": ["version"], "topologyKey": "zone"},
        "prod",
        {"app": "web", "version": "2"},
    )
    assert term.matches("prod", {"app": "web", "version": "2"}, NAMESPACES.get)
    assert not term.matches("prod", {"app": "web", "version": "1"}, NAMESPACES.get)
    anti = AffinityTerm.of(
        {"labelSelector": {}, "mismatchLabelKeys": ["tenant"], "topologyKey": "zone"}, "prod", {"tenant": "a"}
    )
    assert anti.matches("prod", {"tenant": "b"}, NAMESPACES.get)
    assert not anti.matches("prod", {"tenant": "a"}, NAMESPACES.get)


def test_pod_affinity_reads_all_four_lists() -> None:
    term = {"labelSelector": {}, "topologyKey": "zone"}
    spec = {
        "affinity": {
            "podAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": [term],
                "preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 3, "podAffinityTerm": term}],
            },
            "podAntiAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": [term, term],
                "preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 9, "podAffinityTerm": term}],
            },
        }
    }
    parsed = PodAffinity.of(spec, "prod", {})
    assert (len(parsed.required), len(parsed.required_anti)) == (1, 2)
    assert [t.weight for t in parsed.preferred + parsed.preferred_anti] == [3, 9]
    assert parsed.any
    assert not PodAffinity.of({}, "prod", {}).any


def test_spread_constraint_defaults() -> None:
    parsed = SpreadConstraint.of({"maxSkew": 2, "topologyKey": "zone", "labelSelector": {}}, {})
    assert (parsed.max_skew, parsed.when_unsatisfiable, parsed.min_domains) == (2, "DoNotSchedule", 1)
    assert (parsed.node_affinity_policy, parsed.node_taints_policy) == ("Honor", "Ignore")
    assert parsed.counts("prod", {"any": "thing"}, "prod")
    assert not parsed.counts("dev", {}, "prod")
    assert not SpreadConstraint.of({"topologyKey": "zone"}, {}).counts("prod", {}, "prod")
