"""Matching pods to nodes and to each other: node selectors, taints and tolerations, pod affinity
terms and topology spread constraints, read from raw objects once and matched many times. Pure.

The rules are component-helpers' and the scheduler framework's:

- a ``NodeSelectorTerm`` with neither expressions nor fields matches nothing; terms are ORed and
  the requirements inside one are ANDed; ``Gt``/``Lt`` compare integers and fail on anything else;
  ``matchFields`` knows only ``metadata.name``;
- a toleration with an empty key (and ``Exists``) tolerates every taint; an empty effect matches
  every effect (``Toleration.ToleratesTaint``);
- a pod affinity term's nil ``labelSelector`` matches no pod, an empty one every pod; with neither
  ``namespaces`` nor ``namespaceSelector`` it looks in its own pod's namespace, and an empty
  ``namespaceSelector`` means every namespace (``framework.AffinityTerm``);
- ``matchLabelKeys`` (and ``mismatchLabelKeys``) add ``key in (value)`` (``notin``) for the pod's
  own value of each key, as the apiserver merges them into the selector.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from k3py.core import errors
from k3py.core.selectors import LabelSelector, Requirement, selector_from_label_selector

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    #: a namespace's labels by its name (None when the namespace is unknown)
    NamespaceLabelsFn = Callable[[str], Mapping[str, str] | None]


NO_SCHEDULE: Final = "NoSchedule"
PREFER_NO_SCHEDULE: Final = "PreferNoSchedule"
NO_EXECUTE: Final = "NoExecute"
HOSTNAME: Final = "kubernetes.io/hostname"
DO_NOT_SCHEDULE: Final = "DoNotSchedule"
SCHEDULE_ANYWAY: Final = "ScheduleAnyway"
HONOR: Final = "Honor"
IGNORE: Final = "Ignore"


# -- nodes ----------------------------------------------------------------------------------------


def _mapping(raw: object) -> Mapping[str, Any]:
    return raw if isinstance(raw, dict) else {}


def _int(text: object) -> int | None:
    if isinstance(text, bool):
        return None
    if isinstance(text, int):
        return text
    if isinstance(text, str):
        try:
            return int(text.strip())
        except ValueError:
            return None
    return None


def _requirement_matches(expr: Mapping[str, Any], value: str | None) -> bool:
    """One ``NodeSelectorRequirement`` against the label (or field) value, None when absent."""
    operator = expr.get("operator")
    values = [str(v) for v in expr.get("values") or []]
    if operator == "In":
        return value is not None and value in values
    if operator == "NotIn":
        return value is None or value not in values
    if operator == "Exists":
        return value is not None
    if operator == "DoesNotExist":
        return value is None
    if operator in ("Gt", "Lt"):
        if value is None or len(values) != 1:
            return False
        have, want = _int(value), _int(values[0])
        if have is None or want is None:
            return False
        return have > want if operator == "Gt" else have < want
    return False


def node_selector_term_matches(term: Mapping[str, Any], name: str, labels: Mapping[str, str]) -> bool:
    expressions = term.get("matchExpressions") or []
    fields = term.get("matchFields") or []
    if not expressions and not fields:
        return False
    for expr in expressions:
        if not isinstance(expr, dict) or not _requirement_matches(expr, labels.get(str(expr.get("key", "")))):
            return False
    for expr in fields:
        if not isinstance(expr, dict) or expr.get("key") != "metadata.name":
            return False
        if expr.get("operator") not in ("In", "NotIn") or not _requirement_matches(expr, name):
            return False
    return True


@dataclass(frozen=True, slots=True)
class NodeAffinity:
    """A pod's node requirements (``nodeSelector`` and required node affinity) and preferences."""

    selector: tuple[tuple[str, str], ...] = ()
    required: tuple[Mapping[str, Any], ...] | None = None  # None: no required node affinity
    preferred: tuple[tuple[int, Mapping[str, Any]], ...] = ()

    @classmethod
    def of(cls, spec: Mapping[str, Any]) -> NodeAffinity:
        selector = tuple(sorted((str(k), str(v)) for k, v in _mapping(spec.get("nodeSelector")).items()))
        node_affinity = _mapping(_mapping(spec.get("affinity")).get("nodeAffinity"))
        required_raw = node_affinity.get("requiredDuringSchedulingIgnoredDuringExecution")
        required = None
        if isinstance(required_raw, dict):
            required = tuple(t for t in required_raw.get("nodeSelectorTerms") or [] if isinstance(t, dict))
        preferred = tuple(
            (_int(p.get("weight")) or 0, _mapping(p.get("preference")))
            for p in node_affinity.get("preferredDuringSchedulingIgnoredDuringExecution") or []
            if isinstance(p, dict)
        )
        return cls(selector, required, preferred)

    def matches(self, name: str, labels: Mapping[str, str]) -> bool:
        """``nodeSelector`` and required node affinity both hold (``GetRequiredNodeAffinity``)."""
        for key, value in self.selector:
            if labels.get(key) != value:
                return False
        if self.required is None:
            return True
        return any(node_selector_term_matches(term, name, labels) for term in self.required)

    def preferred_weight(self, name: str, labels: Mapping[str, str]) -> int:
        return sum(w for w, term in self.preferred if node_selector_term_matches(term, name, labels))


# -- taints ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Taint:
    key: str
    value: str
    effect: str

    @classmethod
    def of(cls, raw: Mapping[str, Any]) -> Taint:
        return cls(str(raw.get("key") or ""), str(raw.get("value") or ""), str(raw.get("effect") or ""))


@dataclass(frozen=True, slots=True)
class Toleration:
    key: str
    operator: str
    value: str
    effect: str

    @classmethod
    def of(cls, raw: Mapping[str, Any]) -> Toleration:
        return cls(
            str(raw.get("key") or ""),
            str(raw.get("operator") or "Equal"),
            str(raw.get("value") or ""),
            str(raw.get("effect") or ""),
        )

    def tolerates(self, taint: Taint) -> bool:
        if self.effect and self.effect != taint.effect:
            return False
        if self.key and self.key != taint.key:
            return False
        if self.operator == "Exists":
            return True
        return self.operator == "Equal" and self.value == taint.value


def tolerations_of(spec: Mapping[str, Any]) -> tuple[Toleration, ...]:
    return tuple(Toleration.of(t) for t in spec.get("tolerations") or [] if isinstance(t, dict))


def tolerated(taint: Taint, tolerations: Sequence[Toleration]) -> bool:
    return any(t.tolerates(taint) for t in tolerations)


def first_untolerated(
    taints: Sequence[Taint], tolerations: Sequence[Toleration], effects: frozenset[str]
) -> Taint | None:
    """``FindMatchingUntoleratedTaint`` over the taints with one of ``effects``."""
    for taint in taints:
        if taint.effect in effects and not tolerated(taint, tolerations):
            return taint
    return None


# -- pods -----------------------------------------------------------------------------------------


def label_selector(raw: object) -> LabelSelector | None:
    """A ``metav1.LabelSelector``: None (matches nothing) when absent or invalid."""
    if not isinstance(raw, dict):
        return None
    try:
        return selector_from_label_selector(raw)
    except errors.BadRequest:
        return None


def _with_label_keys(
    selector: LabelSelector | None, labels: Mapping[str, str], match_keys: object, mismatch_keys: object
) -> LabelSelector | None:
    if selector is None:
        return None
    extra: list[Requirement] = []
    for keys, op in ((match_keys, "in"), (mismatch_keys, "notin")):
        for key in keys if isinstance(keys, list) else ():
            if isinstance(key, str) and key in labels:
                extra.append(Requirement(key, op, frozenset({labels[key]})))
    if not extra:
        return selector
    return LabelSelector((*selector.requirements, *extra))


@dataclass(frozen=True, slots=True)
class AffinityTerm:
    """A ``PodAffinityTerm`` as the scheduler matches it (``framework.AffinityTerm``)."""

    selector: LabelSelector | None
    namespaces: frozenset[str]
    namespace_selector: LabelSelector | None
    topology_key: str
    weight: int = 0  # for preferred terms

    @classmethod
    def of(cls, raw: Mapping[str, Any], namespace: str, labels: Mapping[str, str], weight: int = 0) -> AffinityTerm:
        selector = _with_label_keys(
            label_selector(raw.get("labelSelector")), labels, raw.get("matchLabelKeys"), raw.get("mismatchLabelKeys")
        )
        names = [str(n) for n in raw.get("namespaces") or []]
        ns_raw = raw.get("namespaceSelector")
        namespaces = frozenset(names) if names or ns_raw is not None else frozenset({namespace})
        return cls(selector, namespaces, label_selector(ns_raw), str(raw.get("topologyKey") or ""), weight)

    def matches(self, namespace: str, labels: Mapping[str, str], namespace_labels: NamespaceLabelsFn) -> bool:
        """Whether a pod in ``namespace`` with ``labels`` is one this term is about."""
        if self.selector is None:
            return False
        if namespace not in self.namespaces:
            if self.namespace_selector is None:
                return False
            if self.namespace_selector.requirements:
                ns_labels = namespace_labels(namespace)
                if ns_labels is None or not self.namespace_selector.matches(ns_labels):
                    return False
        return self.selector.matches(labels)


def no_namespace_labels(_: str) -> Mapping[str, str] | None:
    return None


@dataclass(frozen=True, slots=True)
class PodAffinity:
    """All four lists of a pod's inter-pod affinity, parsed."""

    required: tuple[AffinityTerm, ...] = ()
    required_anti: tuple[AffinityTerm, ...] = ()
    preferred: tuple[AffinityTerm, ...] = ()
    preferred_anti: tuple[AffinityTerm, ...] = ()

    @classmethod
    def of(cls, spec: Mapping[str, Any], namespace: str, labels: Mapping[str, str]) -> PodAffinity:
        affinity = _mapping(spec.get("affinity"))
        pod_affinity = _mapping(affinity.get("podAffinity"))
        anti = _mapping(affinity.get("podAntiAffinity"))

        def required(section: Mapping[str, Any]) -> tuple[AffinityTerm, ...]:
            raw = section.get("requiredDuringSchedulingIgnoredDuringExecution") or []
            return tuple(AffinityTerm.of(t, namespace, labels) for t in raw if isinstance(t, dict))

        def preferred(section: Mapping[str, Any]) -> tuple[AffinityTerm, ...]:
            raw = section.get("preferredDuringSchedulingIgnoredDuringExecution") or []
            return tuple(
                AffinityTerm.of(_mapping(t.get("podAffinityTerm")), namespace, labels, _int(t.get("weight")) or 0)
                for t in raw
                if isinstance(t, dict)
            )

        return cls(required(pod_affinity), required(anti), preferred(pod_affinity), preferred(anti))

    @property
    def any(self) -> bool:
        return bool(self.required or self.required_anti or self.preferred or self.preferred_anti)


@dataclass(frozen=True, slots=True)
class SpreadConstraint:
    """A ``TopologySpreadConstraint`` as the scheduler uses it."""

    max_skew: int
    topology_key: str
    when_unsatisfiable: str
    selector: LabelSelector | None
    min_domains: int = 1
    node_affinity_policy: str = HONOR
    node_taints_policy: str = IGNORE

    @classmethod
    def of(cls, raw: Mapping[str, Any], labels: Mapping[str, str]) -> SpreadConstraint:
        selector = _with_label_keys(label_selector(raw.get("labelSelector")), labels, raw.get("matchLabelKeys"), None)
        return cls(
            max_skew=_int(raw.get("maxSkew")) or 1,
            topology_key=str(raw.get("topologyKey") or ""),
            when_unsatisfiable=str(raw.get("whenUnsatisfiable") or DO_NOT_SCHEDULE),
            selector=selector,
            min_domains=_int(raw.get("minDomains")) or 1,
            node_affinity_policy=str(raw.get("nodeAffinityPolicy") or HONOR),
            node_taints_policy=str(raw.get("nodeTaintsPolicy") or IGNORE),
        )

    def counts(self, namespace: str, labels: Mapping[str, str], pod_namespace: str) -> bool:
        """Whether a pod (not terminating) in ``namespace`` counts in this constraint's domains."""
        return namespace == pod_namespace and self.selector is not None and self.selector.matches(labels)


def spread_constraints_of(spec: Mapping[str, Any], labels: Mapping[str, str]) -> tuple[SpreadConstraint, ...]:
    return tuple(
        SpreadConstraint.of(c, labels) for c in spec.get("topologySpreadConstraints") or [] if isinstance(c, dict)
    )
