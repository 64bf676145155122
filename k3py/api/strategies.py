"""Per-kind rules applied on create and update (the apiserver's REST strategies), pure but for new uids.

A write goes through what the apiserver does between decoding and storage: defaults
(``k3py.api.defaults``, including the decoding checks that answer 400), the strategy's own
changes, then validation (``k3py.api.validation``, 422 with Kubernetes' causes and message). The
strategy's changes: a namespace is Active with the ``kubernetes`` finalizer and its name label; a
pod starts Pending with its QoS class; a Job gets its generated selector; a Service switching type
loses the fields of its former type; any resource with a status subresource starts with the
status the server gives it, not the one the client sent.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from k3py.api import defaults, groupvalidation, validation

if TYPE_CHECKING:
    from k3py.api.registry import ResourceType

Obj = dict[str, Any]
NAME_LABEL = "kubernetes.io/metadata.name"
# Every kind's validation: core, apps and batch, then the other groups.
RULES = {**validation.RULES, **groupvalidation.RULES}


def prepare_for_create(rt: ResourceType, obj: Obj) -> None:
    """Default, complete and validate a new object; raises BadRequest (400) or Invalid (422)."""
    if "status" in rt.subresources:
        obj.pop("status", None)
    key = (rt.group, rt.plural)
    metadata = obj["metadata"]
    try:
        defaults.apply_defaults(rt, obj)
        if key == ("", "namespaces"):
            _name_label(obj)
            if obj.get("spec") is None:
                obj["spec"] = {}
            if obj["spec"].get("finalizers") is None:
                obj["spec"]["finalizers"] = ["kubernetes"]
            obj["status"] = {"phase": "Active"}
        elif key == ("", "pods"):
            obj["status"] = {"phase": "Pending", "qosClass": pod_qos_class(obj.get("spec") or {})}
        elif key == ("batch", "jobs"):
            generate_job_selector(obj)
        causes = validation.validate_create(rt, obj, RULES)
    except defaults.Malformed as exc:
        raise defaults.decode_error(rt, exc) from None
    if causes:
        raise validation.invalid(rt, str(metadata.get("name") or ""), causes)


def prepare_for_update(rt: ResourceType, old: Obj, new: Obj) -> None:
    """Default and validate ``new`` replacing ``old``; raises BadRequest (400) or Invalid (422)."""
    key = (rt.group, rt.plural)
    try:
        defaults.apply_defaults(rt, new)
        if key == ("", "namespaces"):
            _name_label(new)
        elif key == ("", "services"):
            drop_type_dependent_fields(old, new)
        causes = validation.validate_update(rt, old, new, RULES)
    except defaults.Malformed as exc:
        raise defaults.decode_error(rt, exc) from None
    if causes:
        raise validation.invalid(rt, str(new["metadata"].get("name") or ""), causes)


def _name_label(namespace: Obj) -> None:
    metadata = namespace["metadata"]
    if defaults.string_map(metadata, "labels", "metadata.labels") is None:
        metadata["labels"] = {}
    metadata["labels"][NAME_LABEL] = metadata["name"]


def generate_job_selector(job: Obj) -> None:
    """The Job strategy's ``generateSelector``: unless ``manualSelector``, the Job selects its pods by its uid.

    The pods get the job-name and controller-uid labels (legacy and ``batch.kubernetes.io/`` ones),
    the selector the controller-uid; a Job whose labels were defaulted from its template gets them
    too. The apiserver knows the uid by then; when the object has none yet, one is chosen here.
    """
    spec = job["spec"]
    if spec.get("manualSelector") is True:
        return
    metadata = job["metadata"]
    uid = str(metadata.get("uid") or "") or str(uuid.uuid4())
    metadata["uid"] = uid
    template_meta = spec["template"].get("metadata")
    if template_meta is None:
        template_meta = spec["template"]["metadata"] = {}
    labels = template_meta.get("labels")
    defaulted = not metadata.get("labels") or metadata.get("labels") == labels
    if labels is None:
        labels = template_meta["labels"] = {}
    name = str(metadata.get("name") or "")
    for label, value in (
        (validation.LEGACY_JOB_NAME_LABEL, name),
        (validation.JOB_NAME_LABEL, name),
        (validation.LEGACY_CONTROLLER_UID_LABEL, uid),
        (validation.CONTROLLER_UID_LABEL, uid),
    ):
        labels.setdefault(label, value)  # a conflicting label of the user's is rejected by validation
    selector = spec.get("selector")
    if selector is None:
        selector = spec["selector"] = {}
    if selector.get("matchLabels") is None:
        selector["matchLabels"] = {}
    selector["matchLabels"].setdefault(validation.CONTROLLER_UID_LABEL, uid)
    if defaulted:
        metadata["labels"] = dict(labels)


def drop_type_dependent_fields(old: Obj, new: Obj) -> None:
    """A Service changing type drops what only its former type needed, when the client left it as it was
    (``dropTypeDependentFields``), so ``kubectl patch -p '{"spec":{"type":"ClusterIP"}}'`` works."""
    old_spec, spec = old.get("spec") or {}, new.get("spec")
    if not isinstance(spec, dict):
        return
    new_type = spec.get("type")
    ports = [port for port in spec.get("ports") or [] if isinstance(port, dict)]
    old_node_ports = [port.get("nodePort") for port in old_spec.get("ports") or [] if isinstance(port, dict)]
    if new_type not in ("NodePort", "LoadBalancer") and [p.get("nodePort") for p in ports] == old_node_ports:
        for port in ports:
            port.pop("nodePort", None)
    externally = new_type in ("NodePort", "LoadBalancer") or (new_type == "ClusterIP" and spec.get("externalIPs"))
    if not externally and spec.get("externalTrafficPolicy") == old_spec.get("externalTrafficPolicy"):
        spec.pop("externalTrafficPolicy", None)
    if new_type != "LoadBalancer":
        for key in ("healthCheckNodePort", "allocateLoadBalancerNodePorts", "loadBalancerClass"):
            if spec.get(key) == old_spec.get(key):
                spec.pop(key, None)
    if new_type == "ExternalName" and old_spec.get("type") != "ExternalName":
        for key in ("clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"):
            if spec.get(key) == old_spec.get(key):
                spec.pop(key, None)


def pod_qos_class(spec: Obj) -> str:
    """Guaranteed, Burstable or BestEffort, as ``qos.GetPodQOS`` decides (cpu and memory only)."""
    containers = list(spec.get("containers") or []) + list(spec.get("initContainers") or [])
    any_set, guaranteed = False, True
    for container in containers:
        resources = container.get("resources") or {}
        requests, limits = resources.get("requests") or {}, resources.get("limits") or {}
        for name in ("cpu", "memory"):
            if name in requests or name in limits:
                any_set = True
            limit = limits.get(name)
            if limit is None or requests.get(name, limit) != limit:
                guaranteed = False
    if not any_set:
        return "BestEffort"
    return "Guaranteed" if guaranteed else "Burstable"
