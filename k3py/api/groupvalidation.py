"""Kubernetes' validation of the storage, networking, RBAC, policy and scheduling kinds, pure.

The companion of :mod:`k3py.api.validation` (which holds the helpers, the core/apps/batch kinds and
the entry points) for the kinds of the other groups, plus the two core storage kinds
(PersistentVolume, PersistentVolumeClaim) that belong with StorageClass rather than with pods.
Each rule is Kubernetes' own (``pkg/apis/{core,storage,networking,rbac,policy,scheduling}/
validation``), with its field paths, cause types and messages. Where Go prints a struct it cannot
be reproduced from JSON (pointers print as addresses), the value is shown in the same shape with
its fields, which ``kubectl`` shows the same way.

:data:`RULES` is looked up by ``validation.validate_create``/``validate_update`` through the
``rules`` the strategies pass; this module imports validation, never the other way round.
"""

from __future__ import annotations

import copy
import ipaddress
import re
from typing import TYPE_CHECKING, Any, Final

from k3py.api.defaults import int_or_string, integer, mapping, objects, string_map, strings, text
from k3py.api.validation import (
    HOST_PATH_TYPES,
    Errors,
    GoText,
    Rule,
    dns1035_label_errors,
    dns_subdomain_errors,
    go_quote,
    int_or_percent,
    not_over_100,
    port_name_errors,
    qualified_name_errors,
    range_error,
    spec_diff,
    validate_selector,
)
from k3py.core import meta, quantity

if TYPE_CHECKING:
    from collections.abc import Mapping

Obj = dict[str, Any]

RBAC_GROUP: Final = "rbac.authorization.k8s.io"
ACCESS_MODES: Final = ("ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod")
VOLUME_MODES: Final = ("Block", "Filesystem")
PV_RECLAIM_POLICIES: Final = ("Delete", "Recycle", "Retain")
CLASS_RECLAIM_POLICIES: Final = ("Delete", "Retain")
BINDING_MODES: Final = ("Immediate", "WaitForFirstConsumer")
# The persistent volume sources of core.PersistentVolumeSource, in Go's field order (the "more
# than 1 volume type" error names the second one found in this order).
PV_SOURCES: Final = (
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "hostPath",
    "glusterfs",
    "nfs",
    "rbd",
    "quobyte",
    "cephfs",
    "iscsi",
    "cinder",
    "fc",
    "flocker",
    "flexVolume",
    "azureFile",
    "vsphereVolume",
    "azureDisk",
    "photonPersistentDisk",
    "portworxVolume",
    "scaleIO",
    "local",
    "storageos",
    "csi",
)
PATH_TYPES: Final = ("Exact", "ImplementationSpecific", "Prefix")
INVALID_PATH_SEQUENCES: Final = ("//", "/./", "/../", "%2f", "%2F")
INVALID_PATH_SUFFIXES: Final = ("/..", "/.")
MAX_INGRESS_CLASS_CONTROLLER: Final = 250
# in the order networking validation lists them (core validation sorts its own)
NETWORK_POLICY_PROTOCOLS: Final = ("TCP", "UDP", "SCTP")
POLICY_TYPES: Final = ("Ingress", "Egress")
PREEMPTION_POLICIES: Final = ("Never", "PreemptLowerPriority")
UNHEALTHY_POD_EVICTION_POLICIES: Final = ("AlwaysAllow", "IfHealthyBudget")
HIGHEST_USER_PRIORITY: Final = 1_000_000_000
SYSTEM_PRIORITY_PREFIX: Final = "system-"
SYSTEM_PRIORITY_CLASSES: Final = {"system-node-critical": 2_000_001_000, "system-cluster-critical": 2_000_000_000}
MAX_STORAGE_PARAMETERS: Final = 512
MAX_STORAGE_PARAMETERS_SIZE: Final = 256 * 1024
_WILDCARD_SUBDOMAIN: Final = r"\*\." + meta.DNS1123_SUBDOMAIN
_DOMAIN_PREFIXED_PATH: Final = 'must be a domain-prefixed path (such as "acme.io/foo")'


def _spec(obj: Obj) -> Obj:
    return mapping(obj, "spec", "spec") or {}


def _wildcard_errors(host: str) -> list[str]:
    """``IsWildcardDNS1123Subdomain``."""
    out = []
    if len(host) > meta.SUBDOMAIN_MAX:
        out.append(f"must be no more than {meta.SUBDOMAIN_MAX} characters")
    if not re.fullmatch(_WILDCARD_SUBDOMAIN, host):
        out.append(
            "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must "
            "consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character "
            f"(e.g. '*.example.com', regex used for validation is '{_WILDCARD_SUBDOMAIN}')"
        )
    return out


def _port_number_errors(port: int) -> list[str]:
    """``IsValidPortNum``."""
    return [] if 1 <= port <= 65535 else [range_error(1, 65535)]


def _path_segment_errors(name: str) -> list[str]:
    """``path.IsValidPathSegmentName``: RBAC's names (they hold ':')."""
    if name in (".", ".."):
        return [f"may not be '{name}'"]
    return [f"may not contain '{bad}'" for bad in ("/", "%") if bad in name]


def _domain_prefixed_path(errs: Errors, value: str, path: str) -> None:
    """``IsDomainPrefixedPath``: ``host/path`` with a DNS subdomain host."""
    if not value:
        errs.required(path)
        return
    host, slash, rest = value.partition("/")
    if not slash or not rest:
        errs.invalid(path, value, _DOMAIN_PREFIXED_PATH)
        return
    errs.each(path, host, dns_subdomain_errors(host))
    if not re.fullmatch(r"[A-Za-z0-9/\-._~%!$&'()*+,;=:]+", rest):
        errs.invalid(path, rest, "Invalid path")


def _storage_class_name(errs: Errors, spec: Obj, path: str) -> None:
    name = text(spec, "storageClassName", path)
    if name:
        errs.each(path, name, dns_subdomain_errors(name))


def _access_modes(errs: Errors, spec: Obj, path: str, required_detail: str) -> None:
    modes = strings(spec, "accessModes", path)
    if not modes:
        errs.required(path, required_detail)
    for mode in modes:
        if mode not in ACCESS_MODES:
            errs.not_supported(path, mode, ACCESS_MODES)
    if "ReadWriteOncePod" in modes and len(set(modes)) > 1:
        errs.forbidden(path, "may not use ReadWriteOncePod with other access modes")


def _volume_mode(errs: Errors, spec: Obj, path: str) -> None:
    mode = text(spec, "volumeMode", path)
    if mode is not None and mode not in VOLUME_MODES:
        errs.not_supported(path, mode, VOLUME_MODES)


def _positive_quantity(errs: Errors, value: object, path: str) -> None:
    """``ValidatePositiveQuantityValue`` (defaulting has already made the value canonical)."""
    try:
        amount = quantity.parse(value)
    except quantity.QuantityError:
        return  # defaulting reports the format
    if amount.value <= 0:
        errs.invalid(path, str(value), "must be greater than zero")


# -- core/v1: PersistentVolume, PersistentVolumeClaim ---------------------------------------------------------


def _persistent_volume_claim(errs: Errors, obj: Obj, old: Obj | None) -> None:
    spec = _spec(obj)
    _claim_spec(errs, spec, "spec")
    if old is not None:
        _claim_update(errs, obj, old)


def _claim_spec(errs: Errors, spec: Obj, path: str) -> None:
    """``ValidatePersistentVolumeClaimSpec``."""
    _access_modes(errs, spec, f"{path}.accessModes", "at least 1 access mode is required")
    selector = mapping(spec, "selector", f"{path}.selector")
    if selector is not None:
        validate_selector(errs, selector, f"{path}.selector")
    resources = mapping(spec, "resources", f"{path}.resources") or {}
    requests = mapping(resources, "requests", f"{path}.resources.requests") or {}
    if "storage" not in requests:
        errs.required(f"{path}.resources[storage]")
    else:
        _positive_quantity(errs, requests["storage"], f"{path}.resources[storage]")
    _storage_class_name(errs, spec, f"{path}.storageClassName")
    _volume_mode(errs, spec, f"{path}.volumeMode")


def _claim_update(errs: Errors, obj: Obj, old: Obj) -> None:
    """``ValidatePersistentVolumeClaimUpdate``: the spec is fixed, but for what binding sets once
    (volumeName, a storage class where there was none) and, on a bound claim, a storage request
    that grows (volume expansion) and volumeAttributesClassName."""
    new_spec, old_spec = copy.deepcopy(_spec(obj)), copy.deepcopy(_spec(old))
    if not old_spec.get("volumeName"):
        old_spec["volumeName"] = new_spec.get("volumeName")
    if old_spec.get("storageClassName") is None:
        old_spec["storageClassName"] = new_spec.get("storageClassName")
    old_spec["volumeAttributesClassName"] = new_spec.get("volumeAttributesClassName")
    bound = ((obj.get("status") or {}).get("phase")) == "Bound"
    if bound:
        new_storage = ((new_spec.get("resources") or {}).get("requests") or {}).get("storage")
        old_storage = ((old_spec.get("resources") or {}).get("requests") or {}).get("storage")
        if new_storage is not None and old_storage is not None and _less(new_storage, old_storage):
            errs.forbidden("spec.resources.requests.storage", "field can not be less than previous value")
        old_spec["resources"] = new_spec.get("resources")
    cleaned_new = {k: v for k, v in new_spec.items() if v is not None}
    cleaned_old = {k: v for k, v in old_spec.items() if v is not None}
    if cleaned_new != cleaned_old:
        errs.forbidden(
            "spec",
            "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound "
            f"claims\n{spec_diff(cleaned_old, cleaned_new, 'core.PersistentVolumeClaimSpec')}",
        )


def _less(a: object, b: object) -> bool:
    try:
        return bool(quantity.parse(a).value < quantity.parse(b).value)
    except quantity.QuantityError:
        return False


def _persistent_volume(errs: Errors, obj: Obj, old: Obj | None) -> None:
    spec = _spec(obj)
    _access_modes(errs, spec, "spec.accessModes", "")
    capacity = mapping(spec, "capacity", "spec.capacity") or {}
    if not capacity:
        errs.required("spec.capacity")
    if "storage" not in capacity or len(capacity) > 1:
        errs.not_supported("spec.capacity", GoText(_resource_list_text(capacity)), ("storage",))
    for name, value in capacity.items():
        _positive_quantity(errs, value, f"spec.capacity[{name}]")
    policy = text(spec, "persistentVolumeReclaimPolicy", "spec.persistentVolumeReclaimPolicy")
    if policy is not None and policy not in PV_RECLAIM_POLICIES:
        errs.not_supported("spec.persistentVolumeReclaimPolicy", policy, PV_RECLAIM_POLICIES)
    _storage_class_name(errs, spec, "spec.storageClassName")
    _volume_mode(errs, spec, "spec.volumeMode")
    found = [source for source in PV_SOURCES if spec.get(source) is not None]
    if not found:
        errs.required("spec", "must specify a volume type")
    elif len(found) > 1:
        errs.forbidden(f"spec.{found[1]}", "may not specify more than 1 volume type")
    host_path = mapping(spec, "hostPath", "spec.hostPath")
    if host_path is not None:
        path = text(host_path, "path", "spec.hostPath.path") or ""
        if not path:
            errs.required("spec.hostPath.path")
        elif ".." in path.split("/"):
            errs.invalid("spec.hostPath.path", path, "must not contain '..'")
        kind = text(host_path, "type", "spec.hostPath.type")
        if kind is not None and kind not in HOST_PATH_TYPES:
            errs.not_supported("spec.hostPath.type", kind, HOST_PATH_TYPES)
    local = mapping(spec, "local", "spec.local")
    if local is not None:
        if not text(local, "path", "spec.local.path"):
            errs.required("spec.local.path")
        if spec.get("nodeAffinity") is None:
            errs.required("spec.nodeAffinity", "Local volume requires node affinity")
    if old is not None:
        old_spec = _spec(old)
        new_source = {key: spec.get(key) for key in PV_SOURCES if spec.get(key) is not None}
        old_source = {key: old_spec.get(key) for key in PV_SOURCES if old_spec.get(key) is not None}
        if new_source != old_source:
            errs.forbidden(
                "spec.persistentvolumesource",
                "spec.persistentvolumesource is immutable after creation\n"
                + spec_diff(old_source, new_source, "core.PersistentVolumeSource"),
            )
        errs.immutable("volumeMode", spec.get("volumeMode"), old_spec.get("volumeMode"))
        if old_spec.get("nodeAffinity") is not None:
            errs.immutable("nodeAffinity", spec.get("nodeAffinity"), old_spec.get("nodeAffinity"))


def _resource_list_text(resources: Mapping[str, Any]) -> str:
    shown = ", ".join(f"{go_quote(k)}:{go_quote(str(v))}" for k, v in sorted(resources.items()))
    return f"core.ResourceList{{{shown}}}"


# -- storage.k8s.io -------------------------------------------------------------------------------------------


def _storage_class(errs: Errors, obj: Obj, old: Obj | None) -> None:
    provisioner = text(obj, "provisioner", "provisioner") or ""
    if not provisioner:
        errs.required("provisioner")
    else:
        errs.each("provisioner", provisioner, qualified_name_errors(provisioner.lower()))
    parameters = string_map(obj, "parameters", "parameters") or {}
    if len(parameters) > MAX_STORAGE_PARAMETERS:
        errs.too_many("parameters", len(parameters), MAX_STORAGE_PARAMETERS)
    else:
        for key in parameters:
            if not key:
                errs.invalid("parameters", key, "field can not be empty.")
        if sum(len(k) + len(v) for k, v in parameters.items()) > MAX_STORAGE_PARAMETERS_SIZE:
            errs.too_long("parameters", MAX_STORAGE_PARAMETERS_SIZE)
    policy = text(obj, "reclaimPolicy", "reclaimPolicy")
    if policy and policy not in CLASS_RECLAIM_POLICIES:
        errs.not_supported("reclaimPolicy", policy, CLASS_RECLAIM_POLICIES)
    mode = text(obj, "volumeBindingMode", "volumeBindingMode")
    if mode is None:
        errs.required("volumeBindingMode")
    elif mode not in BINDING_MODES:
        errs.not_supported("volumeBindingMode", mode, BINDING_MODES)
    if old is not None:
        if (obj.get("parameters") or {}) != (old.get("parameters") or {}):
            errs.forbidden("parameters", "updates to parameters are forbidden.")
        if provisioner != old.get("provisioner"):
            errs.forbidden("provisioner", "updates to provisioner are forbidden.")
        if policy != old.get("reclaimPolicy"):
            errs.forbidden("reclaimPolicy", "updates to reclaimPolicy are forbidden.")
        errs.immutable("volumeBindingMode", mode, old.get("volumeBindingMode"))


# -- rbac.authorization.k8s.io ----------------------------------------------------------------------------------


def _policy_rules(errs: Errors, obj: Obj, namespaced: bool) -> None:
    for index, rule in enumerate(objects(obj, "rules", "rules", "rbac.PolicyRule")):
        path = f"rules[{index}]"
        if not strings(rule, "verbs", f"{path}.verbs"):
            errs.required(f"{path}.verbs", "verbs must contain at least one value")
        urls = strings(rule, "nonResourceURLs", f"{path}.nonResourceURLs")
        groups = strings(rule, "apiGroups", f"{path}.apiGroups")
        resources = strings(rule, "resources", f"{path}.resources")
        names = strings(rule, "resourceNames", f"{path}.resourceNames")
        if urls:
            if namespaced:
                errs.invalid(f"{path}.nonResourceURLs", urls, "namespaced rules cannot apply to non-resource URLs")
            if groups or resources or names:
                errs.invalid(
                    f"{path}.nonResourceURLs",
                    urls,
                    "rules cannot apply to both regular resources and non-resource URLs",
                )
            continue
        if not groups:
            errs.required(f"{path}.apiGroups", "resource rules must supply at least one api group")
        if not resources:
            errs.required(f"{path}.resources", "resource rules must supply at least one resource")
        if names and len(resources) > 1:
            errs.required(f"{path}.resourceNames", "resource names cannot apply to multiple resources")


def _role(errs: Errors, obj: Obj, old: Obj | None) -> None:
    _policy_rules(errs, obj, namespaced=True)


def _cluster_role(errs: Errors, obj: Obj, old: Obj | None) -> None:
    _policy_rules(errs, obj, namespaced=False)


def _binding(errs: Errors, obj: Obj, old: Obj | None, *, namespaced: bool) -> None:
    ref = mapping(obj, "roleRef", "roleRef", "rbac.RoleRef") or {}
    group = text(ref, "apiGroup", "roleRef.apiGroup") or ""
    if group != RBAC_GROUP:
        errs.not_supported("roleRef.apiGroup", group, (RBAC_GROUP,))
    kind = text(ref, "kind", "roleRef.kind") or ""
    kinds = ("Role", "ClusterRole") if namespaced else ("ClusterRole",)
    if kind not in kinds:
        errs.not_supported("roleRef.kind", kind, kinds)
    name = text(ref, "name", "roleRef.name") or ""
    if not name:
        errs.required("roleRef.name")
    else:
        errs.each("roleRef.name", name, _path_segment_errors(name))
    for index, subject in enumerate(objects(obj, "subjects", "subjects", "rbac.Subject")):
        _subject(errs, subject, f"subjects[{index}]", namespaced)
    if old is not None and (old.get("roleRef") or {}) != ref:
        shown = f"rbac.RoleRef{{APIGroup:{go_quote(group)}, Kind:{go_quote(kind)}, Name:{go_quote(name)}}}"
        errs.invalid("roleRef", GoText(shown), "cannot change roleRef")


def _subject(errs: Errors, subject: Obj, path: str, namespaced: bool) -> None:
    name = text(subject, "name", f"{path}.name") or ""
    group = text(subject, "apiGroup", f"{path}.apiGroup") or ""
    kind = text(subject, "kind", f"{path}.kind") or ""
    if not name:
        errs.required(f"{path}.name")
    if kind == "ServiceAccount":
        if name:
            errs.each(f"{path}.name", name, dns_subdomain_errors(name))
        if group:
            errs.not_supported(f"{path}.apiGroup", group, ("",))
        if not namespaced and not text(subject, "namespace", f"{path}.namespace"):
            errs.required(f"{path}.namespace")
    elif kind in ("User", "Group"):
        if not name:
            errs.invalid(f"{path}.name", name, f"{kind.lower()} name cannot be empty")
        if group != RBAC_GROUP:
            errs.not_supported(f"{path}.apiGroup", group, (RBAC_GROUP,))
    else:
        errs.not_supported(f"{path}.kind", kind, ("ServiceAccount", "User", "Group"))


def _role_binding(errs: Errors, obj: Obj, old: Obj | None) -> None:
    _binding(errs, obj, old, namespaced=True)


def _cluster_role_binding(errs: Errors, obj: Obj, old: Obj | None) -> None:
    _binding(errs, obj, old, namespaced=False)


# -- networking.k8s.io ----------------------------------------------------------------------------------------


def _ingress(errs: Errors, obj: Obj, old: Obj | None) -> None:
    spec = _spec(obj)
    rules = objects(spec, "rules", "spec.rules", "networking.IngressRule")
    backend = mapping(spec, "defaultBackend", "spec.defaultBackend")
    if not rules and backend is None:
        shown = GoText("[]networking.IngressRule(nil)" if spec.get("rules") is None else "[]networking.IngressRule{}")
        errs.invalid("spec", shown, "either `defaultBackend` or `rules` must be specified")
    if backend is not None:
        _ingress_backend(errs, backend, "spec.defaultBackend")
    for index, rule in enumerate(rules):
        path = f"spec.rules[{index}]"
        host = text(rule, "host", f"{path}.host") or ""
        if host:
            if _is_ip(host):
                errs.invalid(f"{path}.host", host, "must be a DNS name, not an IP address")
            errors_of = _wildcard_errors if "*" in host else dns_subdomain_errors
            errs.each(f"{path}.host", host, errors_of(host))
        http = mapping(rule, "http", f"{path}.http")
        if http is None:
            continue
        paths = objects(http, "paths", f"{path}.http.paths", "networking.HTTPIngressPath")
        if not paths:
            errs.required(f"{path}.http.paths")
        for number, item in enumerate(paths):
            _ingress_path(errs, item, f"{path}.http.paths[{number}]")
    for index, tls in enumerate(objects(spec, "tls", "spec.tls", "networking.IngressTLS")):
        for number, host in enumerate(strings(tls, "hosts", f"spec.tls[{index}].hosts")):
            errors_of = _wildcard_errors if "*" in host else dns_subdomain_errors
            errs.each(f"spec.tls[{index}].hosts[{number}]", host, errors_of(host))
    class_name = text(spec, "ingressClassName", "spec.ingressClassName")
    if class_name is not None:
        errs.each("spec.ingressClassName", class_name, dns_subdomain_errors(class_name))


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _ingress_path(errs: Errors, item: Obj, path: str) -> None:
    kind = text(item, "pathType", f"{path}.pathType")
    value = text(item, "path", f"{path}.path") or ""
    if kind is None:
        errs.required(f"{path}.pathType", "pathType must be specified")
        return
    if kind in ("Exact", "Prefix"):
        if not value.startswith("/"):
            errs.invalid(f"{path}.path", value, "must be an absolute path")
        if value:
            for sequence in INVALID_PATH_SEQUENCES:
                if sequence in value:
                    errs.invalid(f"{path}.path", value, f"must not contain '{sequence}'")
            for suffix in INVALID_PATH_SUFFIXES:
                if value.endswith(suffix):
                    errs.invalid(f"{path}.path", value, f"cannot end with '{suffix}'")
    elif kind == "ImplementationSpecific":
        if value and not value.startswith("/"):
            errs.invalid(f"{path}.path", value, "must be an absolute path")
    else:
        errs.not_supported(f"{path}.pathType", kind, PATH_TYPES)
    _ingress_backend(errs, mapping(item, "backend", f"{path}.backend") or {}, f"{path}.backend")


def _ingress_backend(errs: Errors, backend: Obj, path: str) -> None:
    resource = mapping(backend, "resource", f"{path}.resource")
    service = mapping(backend, "service", f"{path}.service")
    if resource is not None and service is not None:
        errs.invalid(path, "", "cannot set both resource and service backends")
        return
    if resource is not None:
        for key in ("kind", "name"):
            if not text(resource, key, f"{path}.resource.{key}"):
                errs.required(f"{path}.resource.{key}")
        return
    if service is None:
        errs.invalid(path, "", "resource or service backend is required")
        return
    name = text(service, "name", f"{path}.service.name") or ""
    if not name:
        errs.required(f"{path}.service.name")
    else:
        errs.each(f"{path}.service.name", name, dns1035_label_errors(name))
    port = mapping(service, "port", f"{path}.service.port") or {}
    port_name = text(port, "name", f"{path}.service.port.name") or ""
    number = integer(port, "number", f"{path}.service.port.number") or 0
    if port_name and number:
        errs.invalid(path, "", "cannot set both port name & port number")
    elif port_name:
        errs.each(f"{path}.service.port.name", port_name, port_name_errors(port_name))
    elif number:
        errs.each(f"{path}.service.port.number", number, _port_number_errors(number))
    else:
        errs.required(path, "port name or number is required")


def _ingress_class(errs: Errors, obj: Obj, old: Obj | None) -> None:
    spec = _spec(obj)
    controller = text(spec, "controller", "spec.controller") or ""
    if len(controller) > MAX_INGRESS_CLASS_CONTROLLER:
        errs.too_long("spec.controller", MAX_INGRESS_CLASS_CONTROLLER)
    _domain_prefixed_path(errs, controller, "spec.controller")
    parameters = mapping(spec, "parameters", "spec.parameters")
    if parameters is not None:
        for key in ("kind", "name"):
            if not text(parameters, key, f"spec.parameters.{key}"):
                errs.required(f"spec.parameters.{key}")
        scope = text(parameters, "scope", "spec.parameters.scope")
        if scope is not None and scope not in ("Cluster", "Namespace"):
            errs.not_supported("spec.parameters.scope", scope, ("Cluster", "Namespace"))
    if old is not None:
        errs.immutable("spec.controller", controller, (_spec(old)).get("controller") or "")


def _network_policy(errs: Errors, obj: Obj, old: Obj | None) -> None:
    spec = _spec(obj)
    validate_selector(errs, mapping(spec, "podSelector", "spec.podSelector") or {}, "spec.podSelector")
    for direction, peers in (("ingress", "from"), ("egress", "to")):
        for index, rule in enumerate(objects(spec, direction, f"spec.{direction}", "networking.NetworkPolicyRule")):
            path = f"spec.{direction}[{index}]"
            for number, port in enumerate(objects(rule, "ports", f"{path}.ports", "networking.NetworkPolicyPort")):
                _network_policy_port(errs, port, f"{path}.ports[{number}]")
            for number, peer in enumerate(objects(rule, peers, f"{path}.{peers}", "networking.NetworkPolicyPeer")):
                _network_policy_peer(errs, peer, f"{path}.{peers}[{number}]")
    types = strings(spec, "policyTypes", "spec.policyTypes")
    if len(types) > len(POLICY_TYPES):
        errs.invalid("spec.policyTypes", types, "may not specify more than two policyTypes")
        return
    for index, kind in enumerate(types):
        if kind not in POLICY_TYPES:
            errs.not_supported(f"spec.policyTypes[{index}]", kind, POLICY_TYPES)


def _network_policy_port(errs: Errors, port: Obj, path: str) -> None:
    protocol = text(port, "protocol", f"{path}.protocol")
    if protocol is not None and protocol not in NETWORK_POLICY_PROTOCOLS:
        errs.not_supported(f"{path}.protocol", protocol, NETWORK_POLICY_PROTOCOLS)
    number = int_or_string(port, "port", f"{path}.port")
    end = integer(port, "endPort", f"{path}.endPort")
    if isinstance(number, int):
        errs.each(f"{path}.port", number, _port_number_errors(number))
        if end is not None:
            if end < number:
                errs.invalid(f"{path}.endPort", number, "must be greater than or equal to `port`")
            errs.each(f"{path}.endPort", end, _port_number_errors(end))
    elif isinstance(number, str):
        if end is not None:
            errs.invalid(f"{path}.endPort", end, "may not be specified when `port` is non-numeric")
        errs.each(f"{path}.port", number, port_name_errors(number))
    elif end is not None:
        errs.invalid(f"{path}.endPort", end, "may not be specified when `port` is not specified")


def _network_policy_peer(errs: Errors, peer: Obj, path: str) -> None:
    count = 0
    for key in ("podSelector", "namespaceSelector"):
        selector = mapping(peer, key, f"{path}.{key}")
        if selector is not None:
            count += 1
            validate_selector(errs, selector, f"{path}.{key}")
    block = mapping(peer, "ipBlock", f"{path}.ipBlock")
    if block is not None:
        count += 1
        _ip_block(errs, block, f"{path}.ipBlock")
    if count == 0:
        errs.required(path, "must specify a peer")
    elif count > 1 and block is not None:
        errs.forbidden(path, "may not specify both ipBlock and another peer")


def _cidr(value: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(value, strict=False)
    except ValueError:
        return None


def _ip_block(errs: Errors, block: Obj, path: str) -> None:
    cidr_text = text(block, "cidr", f"{path}.cidr") or ""
    if not cidr_text:
        errs.required(f"{path}.cidr")
        return
    cidr_error = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"
    cidr = _cidr(cidr_text)
    if cidr is None:
        errs.invalid(f"{path}.cidr", cidr_text, cidr_error)
        return
    for index, except_text in enumerate(strings(block, "except", f"{path}.except")):
        excepted = _cidr(except_text)
        if excepted is None:
            errs.invalid(f"{path}.except[{index}]", except_text, cidr_error)
            continue
        if (
            excepted.version != cidr.version
            or excepted.network_address not in cidr
            or cidr.prefixlen >= excepted.prefixlen
        ):
            errs.invalid(f"{path}.except[{index}]", except_text, "must be a strict subset of `cidr`")


# -- policy/v1 and scheduling.k8s.io/v1 ---------------------------------------------------------------------


def _pod_disruption_budget(errs: Errors, obj: Obj, old: Obj | None) -> None:
    spec = _spec(obj)
    available = int_or_string(spec, "minAvailable", "spec.minAvailable")
    unavailable = int_or_string(spec, "maxUnavailable", "spec.maxUnavailable")
    if available is not None and unavailable is not None:
        shown = f"policy.PodDisruptionBudgetSpec{{MinAvailable:{available!r}, MaxUnavailable:{unavailable!r}}}"
        errs.invalid("spec", GoText(shown), "minAvailable and maxUnavailable cannot be both set")
    for key, value in (("minAvailable", available), ("maxUnavailable", unavailable)):
        if value is not None:
            int_or_percent(errs, value, f"spec.{key}")
            not_over_100(errs, value, f"spec.{key}")
    selector = mapping(spec, "selector", "spec.selector")
    if selector is not None:
        validate_selector(errs, selector, "spec.selector")
    policy = text(spec, "unhealthyPodEvictionPolicy", "spec.unhealthyPodEvictionPolicy")
    if policy is not None and policy not in UNHEALTHY_POD_EVICTION_POLICIES:
        errs.not_supported("spec.unhealthyPodEvictionPolicy", policy, UNHEALTHY_POD_EVICTION_POLICIES)


def _priority_class(errs: Errors, obj: Obj, old: Obj | None) -> None:
    name = str((obj.get("metadata") or {}).get("name") or "")
    value = integer(obj, "value", "value") or 0
    default = bool(obj.get("globalDefault"))
    if name.startswith(SYSTEM_PRIORITY_PREFIX):
        problem = _system_priority_problem(name, value, default)
        if problem:
            errs.forbidden(
                "metadata.name",
                f"priority class names with '{SYSTEM_PRIORITY_PREFIX}' prefix are reserved for system use only. "
                f"error: {problem}",
            )
    elif value > HIGHEST_USER_PRIORITY:
        errs.forbidden("value", f"maximum allowed value of a user defined priority is {HIGHEST_USER_PRIORITY}")
    policy = text(obj, "preemptionPolicy", "preemptionPolicy")
    if policy is not None and policy not in PREEMPTION_POLICIES:
        errs.not_supported("preemptionPolicy", policy, PREEMPTION_POLICIES)
    if old is not None:
        if value != (old.get("value") or 0):
            errs.forbidden("value", "may not be changed in an update.")
        errs.immutable("preemptionPolicy", policy, old.get("preemptionPolicy"))


def _system_priority_problem(name: str, value: int, default: bool) -> str:
    """``IsKnownSystemPriorityClass``: "" when it is one, else why not."""
    expected = SYSTEM_PRIORITY_CLASSES.get(name)
    if expected is None:
        return f"{name} is not a known system priority class"
    if value != expected:
        return f"value of {name} PriorityClass must be {expected}"
    if default:
        return f"globalDefault of {name} PriorityClass must be false"
    return ""


RULES: Final[Mapping[tuple[str, str], Rule]] = {
    ("", "persistentvolumes"): _persistent_volume,
    ("", "persistentvolumeclaims"): _persistent_volume_claim,
    ("storage.k8s.io", "storageclasses"): _storage_class,
    ("rbac.authorization.k8s.io", "roles"): _role,
    ("rbac.authorization.k8s.io", "clusterroles"): _cluster_role,
    ("rbac.authorization.k8s.io", "rolebindings"): _role_binding,
    ("rbac.authorization.k8s.io", "clusterrolebindings"): _cluster_role_binding,
    ("networking.k8s.io", "ingresses"): _ingress,
    ("networking.k8s.io", "ingressclasses"): _ingress_class,
    ("networking.k8s.io", "networkpolicies"): _network_policy,
    ("policy", "poddisruptionbudgets"): _pod_disruption_budget,
    ("scheduling.k8s.io", "priorityclasses"): _priority_class,
}
