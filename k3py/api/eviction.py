"""Pod eviction (``POST .../pods/{name}/eviction``): a delete that respects PodDisruptionBudgets.

``kubectl drain`` and the cluster autoscaler evict rather than delete, so that a budget saying
"at most one of these may be down" holds while nodes are emptied. As kube-apiserver's
``EvictionREST`` (``pkg/registry/core/pod/storage/eviction.go``):

- A pod that is not running yet (Pending), is finished (Succeeded, Failed) or is already being
  deleted goes at once: evicting it disrupts nothing more.
- Otherwise the budgets of the pod's namespace whose selector matches its labels are consulted.
  None: delete. More than one: refused (500, kube-apiserver's answer; it cannot tell which to charge).
- With one budget, an unready pod may go without charging it if the budget's policy is
  ``AlwaysAllow``, or if the budget is met without it (currentHealthy >= desiredHealthy > 0).
- Otherwise the budget is charged: refused with 429 while its status has not caught up with its
  spec (a budget the disruption controller has not processed yet, such as one without status),
  or when ``status.disruptionsAllowed`` is 0; else ``disruptionsAllowed`` is decremented and the
  pod recorded in ``status.disruptedPods`` (so the controller does not count it as available)
  in one compare-and-swap write, and the pod is deleted with the Eviction's deleteOptions.

The answer is the ``201`` Success Status kube-apiserver sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from k3py.api import reviews
from k3py.api.handlers import ListOptions
from k3py.api.registry import CREATE_ONLY, ResourceType
from k3py.core import errors, selectors

if TYPE_CHECKING:
    from collections.abc import Sequence

    from k3py.api.handlers import Resources
    from k3py.api.registry import Registry

Obj = dict[str, Any]

#: the body of the subresource (for decoding and field validation; never stored)
EVICTION = ResourceType("policy", "v1", "Eviction", "evictions", True, verbs=CREATE_ONLY, virtual=True)
API_VERSIONS = ("policy/v1", "policy/v1beta1")
PROPAGATION_POLICIES = ("Foreground", "Background", "Orphan")
VIOLATION = "Cannot evict pod as it would violate the pod's disruption budget."
MULTIPLE_BUDGETS = "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support."
# kube-apiserver's MaxDisruptedPodSize: past it, evictions wait for the disruption controller.
MAX_DISRUPTED_PODS = 2000
# How often a pod that changed between its check and its delete is checked again (EvictionsRetry).
RETRIES = 20
# Retry-After for a budget the controller has not processed yet, as kube-apiserver suggests.
UNPROCESSED_RETRY_SECONDS = 10


@dataclass(frozen=True, slots=True)
class DeleteOptions:
    """The parts of an Eviction's deleteOptions (and the request's dryRun) that the delete honours."""

    grace_period: int | None = None
    preconditions: Obj | None = None
    dry_run: bool = False

    @property
    def resource_version_set(self) -> bool:
        return bool((self.preconditions or {}).get("resourceVersion"))

    def with_resource_version(self, resource_version: str) -> DeleteOptions:
        return DeleteOptions(
            self.grace_period, {**(self.preconditions or {}), "resourceVersion": resource_version}, self.dry_run
        )


async def evict(
    resources: Resources, registry: Registry, namespace: str, name: str, body: Obj, *, dry_run: Sequence[str] = ()
) -> Obj:
    """Evict the pod ``namespace/name`` as the Eviction ``body`` asks; the Success Status to answer.

    Args:
        dry_run: the request's ``dryRun`` parameter values.

    Raises:
        errors.NotFound: the pod does not exist.
        errors.TooManyRequests: a disruption budget does not allow it now (retry later).
        errors.BadRequest: the body is not an Eviction of this pod, or its deleteOptions are malformed.
        errors.Invalid: the deleteOptions have an unknown propagation policy.
        errors.Conflict: a precondition of the deleteOptions does not hold.
        errors.Internal: more than one budget matches the pod (kube-apiserver's answer).
    """
    reviews.check_type(body, EVICTION.kind, API_VERSIONS)
    metadata = body.get("metadata")
    if not isinstance(metadata, dict):
        metadata = {}
    if metadata.get("namespace") and metadata["namespace"] != namespace:
        raise errors.BadRequest("the namespace of the provided object does not match the namespace sent on the request")
    if metadata.get("name") != name:
        raise errors.BadRequest("name in URL does not match name in Eviction object")
    options = delete_options(body.get("deleteOptions"), dry_run)
    pods = _lookup(registry, "", "pods")
    pod = await _delete_unguarded(resources, pods, namespace, name, options)
    if pod is None:
        return success()
    budgets = await _budgets_of(resources, registry, pod)
    if len(budgets) > 1:
        raise errors.Internal(MULTIPLE_BUDGETS)
    if not budgets:
        await _delete(resources, pods, namespace, name, options)
        return success()
    budget = budgets[0]
    budget_name = str(budget["metadata"]["name"])
    if not pod_ready(pod) and unhealthy_may_go(budget):
        # the pod does not count towards the budget, so it is not charged; deleting exactly the
        # pod checked makes sure it did not become ready (and counted) meanwhile
        try:
            await _delete(resources, pods, namespace, name, options.with_resource_version(_rv(pod)))
        except errors.Conflict:
            if options.resource_version_set:
                raise
            raise _unprocessed(budget_name) from None
        return success()
    await resources.modify(
        _lookup(registry, "policy", "poddisruptionbudgets"),
        namespace,
        budget_name,
        lambda current: charge(current, name, resources.clock()),
        subresource="status",
        dry_run=options.dry_run,
    )
    await _delete(resources, pods, namespace, name, options)
    return success()


def check_propagation_policy(policy: Any) -> None:
    """DeleteOptions.propagationPolicy, if given, must be one Kubernetes knows (422 otherwise)."""
    if policy is not None and policy not in PROPAGATION_POLICIES:
        supported = ", ".join(f'"{p}"' for p in PROPAGATION_POLICIES)
        message = f'Unsupported value: "{policy}": supported values: {supported}'
        raise errors.Invalid(
            f'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: {message}',
            kind="DeleteOptions",
            group="meta.k8s.io",
            causes=(errors.Cause("FieldValueNotSupported", message, "propagationPolicy"),),
        )


def success() -> Obj:
    """The Status a create handler answers for a Status result: Success, and the 201 it is sent with."""
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}


def delete_options(raw: object, dry_run: Sequence[str]) -> DeleteOptions:
    """The Eviction's deleteOptions, with the request's dryRun merged in (``propagateDryRun``).

    Raises:
        errors.BadRequest: malformed options, or dryRun values that differ between the two.
        errors.Invalid: an unknown propagation policy.
    """
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise errors.BadRequest("the body of the request could not be decoded: deleteOptions: expected object")
    grace = raw.get("gracePeriodSeconds")
    if grace is not None and (isinstance(grace, bool) or not isinstance(grace, int)):
        raise errors.BadRequest("the body of the request could not be decoded: deleteOptions.gracePeriodSeconds")
    preconditions = raw.get("preconditions")
    if preconditions is not None and not isinstance(preconditions, dict):
        raise errors.BadRequest("the body of the request could not be decoded: deleteOptions.preconditions")
    check_propagation_policy(raw.get("propagationPolicy"))
    in_body = raw.get("dryRun") or []
    if not isinstance(in_body, list):
        raise errors.BadRequest("the body of the request could not be decoded: deleteOptions.dryRun")
    if in_body and dry_run and list(dry_run) != in_body:
        raise errors.BadRequest(
            f"Non-matching dry-run options in request and content: [{' '.join(dry_run)}] and [{' '.join(in_body)}]"
        )
    return DeleteOptions(grace, preconditions, "All" in (in_body or dry_run))


def can_ignore_budgets(pod: Obj) -> bool:
    """A pod not running yet, finished, or already being deleted goes without asking budgets (``canIgnorePDB``)."""
    phase = (pod.get("status") or {}).get("phase") or "Pending"  # the API starts every pod Pending
    return phase in ("Pending", "Succeeded", "Failed") or bool(pod["metadata"].get("deletionTimestamp"))


def enforce_resource_version(pod: Obj) -> bool:
    """Whether to delete only the pod as checked: not needed for a finished or terminating one."""
    phase = (pod.get("status") or {}).get("phase")
    return phase not in ("Succeeded", "Failed") and not pod["metadata"].get("deletionTimestamp")


def pod_ready(pod: Obj) -> bool:
    """The pod's Ready condition is True (``podutil.IsPodReady``, what budgets count as healthy)."""
    conditions = (pod.get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions if isinstance(c, dict))


def matches(budget: Obj, pod: Obj) -> bool:
    """Whether ``budget`` covers ``pod``: policy/v1 semantics, an empty selector matches every pod
    of the namespace and a missing one none; an invalid selector matches nothing."""
    selector = (budget.get("spec") or {}).get("selector")
    if not isinstance(selector, dict):
        return False
    try:
        parsed = selectors.selector_from_label_selector(selector)
    except errors.BadRequest:
        return False
    return parsed.matches(pod["metadata"].get("labels") or {})


def unhealthy_may_go(budget: Obj) -> bool:
    """Whether an unready pod may be evicted without charging ``budget``: its policy says
    AlwaysAllow, or the application is healthy enough without the pod."""
    if (budget.get("spec") or {}).get("unhealthyPodEvictionPolicy") == "AlwaysAllow":
        return True
    status = budget.get("status") or {}
    desired = _int(status.get("desiredHealthy"))
    return _int(status.get("currentHealthy")) >= desired > 0


def charge(budget: Obj, pod_name: str, now: str) -> Obj:
    """``budget`` with one disruption taken for ``pod_name`` (``checkAndDecrement``).

    Raises:
        errors.TooManyRequests: the controller has not processed the budget's spec yet, or no
            disruption is allowed now.
        errors.Forbidden: the status is corrupt (negative allowance), or too many evictions wait
            for the controller.
    """
    name = str(budget["metadata"]["name"])
    status = budget.get("status") or {}
    if _int(status.get("observedGeneration")) < _int(budget["metadata"].get("generation")):
        raise _unprocessed(name)
    allowed = _int(status.get("disruptionsAllowed"))
    if allowed < 0:
        raise _forbidden(name, "pdb disruptions allowed is negative")
    disrupted = status.get("disruptedPods") or {}
    if len(disrupted) > MAX_DISRUPTED_PODS:
        raise _forbidden(name, "DisruptedPods map too big - too many evictions not confirmed by PDB controller")
    if allowed == 0:
        raise errors.TooManyRequests(
            VIOLATION,
            causes=(
                errors.Cause(
                    "DisruptionBudget",
                    f"The disruption budget {name} needs {_int(status.get('desiredHealthy'))} healthy pods and has "
                    f"{_int(status.get('currentHealthy'))} currently",
                ),
            ),
        )
    status["disruptionsAllowed"] = allowed - 1
    if allowed == 1:
        _set_disruption_allowed(status, now)
    status["disruptedPods"] = {**disrupted, pod_name: now}
    budget["status"] = status
    return budget


def _set_disruption_allowed(status: Obj, now: str) -> None:
    """The DisruptionAllowed condition once no disruption is left (``UpdateDisruptionAllowedCondition``)."""
    conditions = [c for c in status.get("conditions") or [] if isinstance(c, dict)]
    wanted = {
        "type": "DisruptionAllowed",
        "status": "False",
        "observedGeneration": _int(status.get("observedGeneration")),
        "reason": "InsufficientPods",
        "message": "",
    }
    for condition in conditions:
        if condition.get("type") == "DisruptionAllowed":
            if condition.get("status") != "False":
                condition["lastTransitionTime"] = now
            condition.update(wanted)
            break
    else:
        conditions.append({**wanted, "lastTransitionTime": now})
    status["conditions"] = conditions


async def _delete_unguarded(
    resources: Resources, pods: ResourceType, namespace: str, name: str, options: DeleteOptions
) -> Obj | None:
    """Delete the pod at once if budgets need not be asked (``None``); else the pod to ask them for."""
    conflicts = 0
    while True:
        pod = await resources.get(pods, namespace, name)
        if not can_ignore_budgets(pod):
            return pod
        attempt = options
        if enforce_resource_version(pod) and not options.resource_version_set:
            # delete the pod as checked: one that started running meanwhile is checked again
            attempt = options.with_resource_version(_rv(pod))
        try:
            await _delete(resources, pods, namespace, name, attempt)
        except errors.Conflict:
            conflicts += 1
            if options.resource_version_set or conflicts >= RETRIES:
                raise
            continue
        return None


async def _budgets_of(resources: Resources, registry: Registry, pod: Obj) -> list[Obj]:
    budgets = await resources.list(
        _lookup(registry, "policy", "poddisruptionbudgets"), pod["metadata"]["namespace"], ListOptions()
    )
    return [budget for budget in budgets["items"] if matches(budget, pod)]


async def _delete(resources: Resources, pods: ResourceType, namespace: str, name: str, options: DeleteOptions) -> None:
    await resources.delete(
        pods,
        namespace,
        name,
        preconditions=options.preconditions,
        grace_period=options.grace_period,
        dry_run=options.dry_run,
    )


def _unprocessed(name: str) -> errors.TooManyRequests:
    return errors.TooManyRequests(
        VIOLATION,
        causes=(
            errors.Cause("DisruptionBudget", f"The disruption budget {name} is still being processed by the server."),
        ),
        retry_after_seconds=UNPROCESSED_RETRY_SECONDS,
    )


def _forbidden(name: str, why: str) -> errors.Forbidden:
    return errors.Forbidden(
        f'poddisruptionbudget.policy "{name}" is forbidden: {why}',
        kind="poddisruptionbudget",
        group="policy",
        name=name,
    )


def _rv(obj: Obj) -> str:
    return str(obj["metadata"]["resourceVersion"])


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _lookup(registry: Registry, group: str, plural: str) -> ResourceType:
    rt = registry.lookup(group, "v1", plural)
    if rt is None:  # the built-in registry always serves these
        raise errors.NotFound("the server could not find the requested resource")
    return rt
