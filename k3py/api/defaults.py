"""Kubernetes' defaulting of the built-in kinds (``pkg/apis/*/v1/defaults.go`` and the generated defaulters), pure.

The apiserver defaults an object while decoding it, before admission and validation, on create and
on update alike; so does :func:`apply_defaults`, called by the strategies. What a client reads back
(``kubectl get -o yaml``) therefore carries the same defaults a real cluster writes: a container's
``imagePullPolicy`` and ``terminationMessagePath``, a Deployment's rolling-update strategy, a
Service port's protocol, canonical quantities.

Decoding into Go types also rejects values of the wrong JSON type, quantities that do not parse and
Secret data that is not base64, with a ``400 BadRequest``; this module does those checks for every
field it reads (:class:`Malformed`), so what validation sees afterwards has the types it expects.
Only fields a client can observe are defaulted; Go's dropping of zero values is not imitated.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import TYPE_CHECKING, Any, Final

from k3py.core import errors, quantity

if TYPE_CHECKING:
    from k3py.api.registry import ResourceType

Obj = dict[str, Any]

DEFAULT_GRACE_PERIOD: Final = 30
DEFAULT_SCHEDULER: Final = "default-scheduler"
TERMINATION_MESSAGE_PATH: Final = "/dev/termination-log"
#: 0644, the mode of files in configMap, secret, downwardAPI and projected volumes
DEFAULT_FILE_MODE: Final = 420
CLIENT_IP_AFFINITY_SECONDS: Final = 10800
TOKEN_EXPIRATION_SECONDS: Final = 3600
MAX_INT32: Final = 2**31 - 1

#: every member of a VolumeSource, in the order validation counts them; a volume naming none gets an emptyDir
VOLUME_SOURCES: Final = (
    "emptyDir",
    "hostPath",
    "gitRepo",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "secret",
    "nfs",
    "iscsi",
    "glusterfs",
    "flocker",
    "persistentVolumeClaim",
    "rbd",
    "cinder",
    "cephfs",
    "quobyte",
    "downwardAPI",
    "fc",
    "flexVolume",
    "configMap",
    "azureFile",
    "vsphereVolume",
    "photonPersistentDisk",
    "portworxVolume",
    "azureDisk",
    "storageos",
    "projected",
    "scaleIO",
    "csi",
    "ephemeral",
    "image",
)
CONTAINER_LISTS: Final = ("initContainers", "containers", "ephemeralContainers")

# The docker reference grammar (distribution/reference), enough to tell a tag from a port.
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_DOMAIN_PART = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = rf"(?:{_DOMAIN_PART}(?:\.{_DOMAIN_PART})*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?"
_REFERENCE: Final = re.compile(
    rf"(?:{_DOMAIN}/)?{_COMPONENT}(?:/{_COMPONENT})*"
    r"(?::(?P<tag>[\w][\w.-]{0,127}))?"
    r"(?:@(?P<digest>[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?"
)


class Malformed(Exception):
    """A value that cannot decode into its Go type; rendered like the apiserver's decoding error.

    ``{kind}`` in the message stands for the kind being decoded (encoding/json names the Go struct).
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def decode_error(rt: ResourceType, exc: Malformed) -> errors.BadRequest:
    """The 400 the apiserver answers when the body does not decode into ``rt``'s type."""
    detail = exc.message.replace("{kind}", rt.kind)
    return errors.BadRequest(
        f'{rt.kind} in version "{rt.version}" cannot be handled as a {rt.kind}: {detail}', kind=rt.kind, group=rt.group
    )


# -- typed access: what encoding/json checks while decoding -------------------------------------------------


def _json_type(value: object) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return f"number {value}" if isinstance(value, float) else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _mismatch(value: object, path: str, go_type: str) -> Malformed:
    field_path = re.sub(r"\[[^\]]*\]", "", path)
    return Malformed(
        f"json: cannot unmarshal {_json_type(value)} into Go struct field {{kind}}.{field_path} of type {go_type}"
    )


def mapping(parent: Obj, key: str, path: str, go_type: str = "struct") -> Obj | None:
    """``parent[key]`` if it is an object, None if absent or null; anything else is malformed."""
    value = parent.get(key)
    if value is None or isinstance(value, dict):
        return value
    raise _mismatch(value, path, go_type)


def items(parent: Obj, key: str, path: str, go_type: str = "[]struct") -> list[Any] | None:
    value = parent.get(key)
    if value is None or isinstance(value, list):
        return value
    raise _mismatch(value, path, go_type)


def objects(parent: Obj, key: str, path: str, go_type: str = "struct") -> list[Obj]:
    """The objects of the list ``parent[key]`` (empty when absent); a member that is no object is malformed."""
    out: list[Obj] = []
    for index, value in enumerate(items(parent, key, path, "[]" + go_type) or []):
        if not isinstance(value, dict):
            raise _mismatch(value, f"{path}[{index}]", go_type)
        out.append(value)
    return out


def text(parent: Obj, key: str, path: str) -> str | None:
    value = parent.get(key)
    if value is None or isinstance(value, str):
        return value
    raise _mismatch(value, path, "string")


def strings(parent: Obj, key: str, path: str) -> list[str]:
    out: list[str] = []
    for value in items(parent, key, path, "[]string") or []:
        if not isinstance(value, str):
            raise _mismatch(value, path, "string")
        out.append(value)
    return out


def integer(parent: Obj, key: str, path: str, go_type: str = "int32") -> int | None:
    value = parent.get(key)
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        parent[key] = value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _mismatch(value, path, go_type)
    return value


def boolean(parent: Obj, key: str, path: str) -> bool | None:
    value = parent.get(key)
    if value is None or isinstance(value, bool):
        return value
    raise _mismatch(value, path, "bool")


def string_map(parent: Obj, key: str, path: str) -> dict[str, str] | None:
    """A ``map[string]string`` (labels, annotations, selectors, data)."""
    value = mapping(parent, key, path, "map[string]string")
    for item in (value or {}).values():
        if not isinstance(item, str):
            raise _mismatch(item, path, "string")
    return value


def int_or_string(parent: Obj, key: str, path: str) -> int | str | None:
    value = parent.get(key)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        parent[key] = value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise Malformed(f"json: cannot unmarshal {_json_type(value)} into Go value of type intstr.IntOrString")
    return value


def _unset(value: object) -> bool:
    """Go's zero value for a string or number field: what defaulting replaces."""
    return value is None or value == "" or (value == 0 and not isinstance(value, bool))


def _default(obj: Obj, key: str, value: object) -> None:
    if _unset(obj.get(key)):
        obj[key] = value


def _default_pointer(obj: Obj, key: str, value: object) -> None:
    if obj.get(key) is None:
        obj[key] = value


def _child(parent: Obj, key: str, path: str) -> Obj:
    """``parent[key]``, created empty when unset (a struct the defaults write into)."""
    value = mapping(parent, key, path)
    if value is None:
        value = parent[key] = {}
    return value


# -- entry point ---------------------------------------------------------------------------------------------


def apply_defaults(rt: ResourceType, obj: Obj) -> None:
    """Default ``obj`` (a built-in kind) in place; raises :class:`Malformed` for values that cannot decode."""
    if rt.custom is not None:
        return
    kind = _DEFAULTERS.get((rt.group, rt.plural))
    if kind is not None:
        kind(obj)


def _spec(obj: Obj) -> Obj:
    return _child(obj, "spec", "spec")


# -- core/v1 -------------------------------------------------------------------------------------------------


def _pod(obj: Obj) -> None:
    spec = _spec(obj)
    pod_spec(spec, "spec", is_pod=True)


def _pod_template(obj: Obj) -> None:
    template = _child(obj, "template", "template")
    pod_template(template, "template")


def _replication_controller(obj: Obj) -> None:
    spec = _spec(obj)
    template = mapping(spec, "template", "spec.template")
    if template is not None:
        pod_template(template, "spec.template")
        labels = (template.get("metadata") or {}).get("labels")
        if labels is not None:
            if not string_map(spec, "selector", "spec.selector"):
                spec["selector"] = dict(labels)
            metadata = obj.setdefault("metadata", {})
            if not string_map(metadata, "labels", "metadata.labels"):
                metadata["labels"] = dict(labels)
    integer(spec, "replicas", "spec.replicas")
    _default_pointer(spec, "replicas", 1)


def _service(obj: Obj) -> None:
    spec = _spec(obj)
    affinity = text(spec, "sessionAffinity", "spec.sessionAffinity")
    if not affinity:
        spec["sessionAffinity"] = affinity = "None"
    if affinity == "None":
        spec.pop("sessionAffinityConfig", None)
    elif affinity == "ClientIP":
        config = mapping(spec, "sessionAffinityConfig", "spec.sessionAffinityConfig") or {}
        client_ip = mapping(config, "clientIP", "spec.sessionAffinityConfig.clientIP") or {}
        if integer(client_ip, "timeoutSeconds", "spec.sessionAffinityConfig.clientIP.timeoutSeconds") is None:
            spec["sessionAffinityConfig"] = {"clientIP": {"timeoutSeconds": CLIENT_IP_AFFINITY_SECONDS}}
    service_type = text(spec, "type", "spec.type")
    if not service_type:
        spec["type"] = service_type = "ClusterIP"
    for index, port in enumerate(objects(spec, "ports", "spec.ports", "v1.ServicePort")):
        path = f"spec.ports[{index}]"
        _default(port, "protocol", "TCP")
        number = integer(port, "port", path + ".port")
        target = int_or_string(port, "targetPort", path + ".targetPort")
        if target in (None, 0, ""):
            port["targetPort"] = number or 0
        integer(port, "nodePort", path + ".nodePort")
    external_ips = strings(spec, "externalIPs", "spec.externalIPs")
    if service_type in ("LoadBalancer", "NodePort") or (service_type == "ClusterIP" and external_ips):
        _default(spec, "externalTrafficPolicy", "Cluster")
    if service_type in ("NodePort", "LoadBalancer", "ClusterIP"):
        _default_pointer(spec, "internalTrafficPolicy", "Cluster")
    if service_type == "LoadBalancer":
        _default_pointer(spec, "allocateLoadBalancerNodePorts", True)
    if service_type != "ExternalName":
        # The REST allocator's choice in a single-stack IPv4 cluster (handlers allocates the addresses).
        _default_pointer(spec, "ipFamilyPolicy", "SingleStack")
        if not strings(spec, "ipFamilies", "spec.ipFamilies"):
            spec["ipFamilies"] = ["IPv4"]


def _secret(obj: Obj) -> None:
    _default(obj, "type", "Opaque")
    data = mapping(obj, "data", "data", "map[string][]uint8")
    for value in (data or {}).values():
        _base64(value, "data")
    # stringData is write-only: conversion merges it into data and it is never stored.
    plain = string_map(obj, "stringData", "stringData")
    if plain:
        merged = data if data is not None else {}
        for key, value in plain.items():
            merged[key] = base64.b64encode(value.encode()).decode()
        obj["data"] = merged
    obj.pop("stringData", None)


def _config_map(obj: Obj) -> None:
    string_map(obj, "data", "data")
    for value in (mapping(obj, "binaryData", "binaryData", "map[string][]uint8") or {}).values():
        _base64(value, "binaryData")


def _base64(value: object, path: str) -> bytes:
    if value is None:
        return b""
    if not isinstance(value, str):
        raise _mismatch(value, path, "[]uint8")
    try:
        # Go's decoder skips line breaks, as MIME base64 has them.
        return base64.b64decode(value.replace("\r", "").replace("\n", ""), validate=True)
    except (binascii.Error, ValueError):
        raise Malformed(f"illegal base64 data at input byte {_bad_base64_offset(value)}") from None


def _bad_base64_offset(value: str) -> int:
    """Where Go's decoder gives up: the first byte outside the alphabet, else the last full quantum."""
    alphabet = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
    body = value.rstrip("=")
    for index, char in enumerate(body):
        if char not in alphabet:
            return index
    return len(value) - len(value) % 4


def secret_size(obj: Obj) -> int:
    """The decoded size of a Secret's data (validation's 1 MiB limit)."""
    return sum(len(_base64(value, "data")) for value in (obj.get("data") or {}).values())


def config_map_size(obj: Obj) -> int:
    size = sum(len(value.encode()) for value in (obj.get("data") or {}).values() if isinstance(value, str))
    return size + sum(len(_base64(value, "binaryData")) for value in (obj.get("binaryData") or {}).values())


def _endpoints(obj: Obj) -> None:
    for index, subset in enumerate(objects(obj, "subsets", "subsets", "v1.EndpointSubset")):
        for port in objects(subset, "ports", f"subsets[{index}].ports", "v1.EndpointPort"):
            _default(port, "protocol", "TCP")


def _persistent_volume(obj: Obj) -> None:
    spec = _spec(obj)
    _default(spec, "persistentVolumeReclaimPolicy", "Retain")
    _default_pointer(spec, "volumeMode", "Filesystem")
    _resource_list(spec, "capacity", "spec.capacity")
    host_path = mapping(spec, "hostPath", "spec.hostPath")
    if host_path is not None:
        _default_pointer(host_path, "type", "")


def _persistent_volume_claim(obj: Obj) -> None:
    claim_spec(_spec(obj), "spec")


def claim_spec(spec: Obj, path: str) -> None:
    _default_pointer(spec, "volumeMode", "Filesystem")
    resources = mapping(spec, "resources", path + ".resources")
    if resources is not None:
        _resource_list(resources, "limits", path + ".resources.limits")
        _resource_list(resources, "requests", path + ".resources.requests")


def _resource_quota(obj: Obj) -> None:
    _resource_list(_spec(obj), "hard", "spec.hard")


def _limit_range(obj: Obj) -> None:
    for index, item in enumerate(objects(_spec(obj), "limits", "spec.limits", "v1.LimitRangeItem")):
        path = f"spec.limits[{index}]"
        for key in ("max", "min", "default", "defaultRequest", "maxLimitRequestRatio"):
            _resource_list(item, key, f"{path}.{key}")
        if item.get("type") != "Container":
            continue
        default = _child(item, "default", f"{path}.default")
        request = _child(item, "defaultRequest", f"{path}.defaultRequest")
        for name, value in (item.get("max") or {}).items():
            default.setdefault(name, value)
        for name, value in default.items():
            request.setdefault(name, value)
        for name, value in (item.get("min") or {}).items():
            request.setdefault(name, value)


def _namespace(obj: Obj) -> None:
    spec = mapping(obj, "spec", "spec")
    if spec is not None:
        strings(spec, "finalizers", "spec.finalizers")


# -- pod specs -----------------------------------------------------------------------------------------------


def pod_template(template: Obj, path: str) -> None:
    """A PodTemplateSpec: its spec gets the PodSpec defaults, not the Pod-only ones."""
    metadata = mapping(template, "metadata", path + ".metadata")
    if metadata is not None:
        string_map(metadata, "labels", path + ".metadata.labels")
        string_map(metadata, "annotations", path + ".metadata.annotations")
    pod_spec(_child(template, "spec", path + ".spec"), path + ".spec", is_pod=False)


def pod_spec(spec: Obj, path: str, *, is_pod: bool) -> None:
    """``SetDefaults_PodSpec`` and everything nested; ``is_pod`` adds ``SetDefaults_Pod``'s part."""
    _default(spec, "dnsPolicy", "ClusterFirst")
    _default(spec, "restartPolicy", "Always")
    if mapping(spec, "securityContext", path + ".securityContext", "v1.PodSecurityContext") is None:
        spec["securityContext"] = {}
    integer(spec, "terminationGracePeriodSeconds", path + ".terminationGracePeriodSeconds", "int64")
    _default_pointer(spec, "terminationGracePeriodSeconds", DEFAULT_GRACE_PERIOD)
    _default(spec, "schedulerName", DEFAULT_SCHEDULER)
    integer(spec, "activeDeadlineSeconds", path + ".activeDeadlineSeconds", "int64")
    string_map(spec, "nodeSelector", path + ".nodeSelector")
    for index, volume in enumerate(objects(spec, "volumes", path + ".volumes", "v1.Volume")):
        _volume(volume, f"{path}.volumes[{index}]")
    host_network = boolean(spec, "hostNetwork", path + ".hostNetwork")
    for field_name in CONTAINER_LISTS:
        for index, container in enumerate(objects(spec, field_name, f"{path}.{field_name}", "v1.Container")):
            _container(container, f"{path}.{field_name}[{index}]")
            if is_pod and field_name != "ephemeralContainers":
                _requests_from_limits(container)
                if host_network:
                    for port in container.get("ports") or []:
                        if not port.get("hostPort"):
                            port["hostPort"] = port.get("containerPort")
    _resource_list(spec, "overhead", path + ".overhead")
    if is_pod:
        _default_pointer(spec, "enableServiceLinks", True)


def _volume(volume: Obj, path: str) -> None:
    if not any(volume.get(source) is not None for source in VOLUME_SOURCES):
        volume["emptyDir"] = {}
    empty_dir = mapping(volume, "emptyDir", path + ".emptyDir")
    if empty_dir is not None and empty_dir.get("sizeLimit") is not None:
        empty_dir["sizeLimit"] = _quantity(empty_dir["sizeLimit"], quantity.NANO)
    host_path = mapping(volume, "hostPath", path + ".hostPath")
    if host_path is not None:
        _default_pointer(host_path, "type", "")
    for source in ("secret", "configMap", "downwardAPI", "projected"):
        found = mapping(volume, source, f"{path}.{source}")
        if found is None:
            continue
        integer(found, "defaultMode", f"{path}.{source}.defaultMode")
        _default_pointer(found, "defaultMode", DEFAULT_FILE_MODE)
    downward = mapping(volume, "downwardAPI", path + ".downwardAPI")
    if downward is not None:
        _downward_items(downward, path + ".downwardAPI")
    projected = mapping(volume, "projected", path + ".projected")
    if projected is not None:
        for index, projection in enumerate(objects(projected, "sources", path + ".projected.sources")):
            source_path = f"{path}.projected.sources[{index}]"
            downward = mapping(projection, "downwardAPI", source_path + ".downwardAPI")
            if downward is not None:
                _downward_items(downward, source_path + ".downwardAPI")
            token = mapping(projection, "serviceAccountToken", source_path + ".serviceAccountToken")
            if token is not None:
                _default_pointer(token, "expirationSeconds", TOKEN_EXPIRATION_SECONDS)
    ephemeral = mapping(volume, "ephemeral", path + ".ephemeral")
    if ephemeral is not None:
        template = mapping(ephemeral, "volumeClaimTemplate", path + ".ephemeral.volumeClaimTemplate")
        if template is not None:
            claim_spec(_child(template, "spec", path + ".ephemeral.volumeClaimTemplate.spec"), path)


def _downward_items(source: Obj, path: str) -> None:
    for index, item in enumerate(objects(source, "items", path + ".items")):
        field_ref = mapping(item, "fieldRef", f"{path}.items[{index}].fieldRef")
        if field_ref is not None:
            _default(field_ref, "apiVersion", "v1")


def image_tag(image: str) -> str:
    """The tag ``parsers.ParseImageName`` finds: "latest" when there is neither tag nor digest,
    "" when the reference does not parse (the kubelet then reports the bad image)."""
    match = _REFERENCE.fullmatch(image)
    if match is None:
        return ""
    return match.group("tag") or ("" if match.group("digest") else "latest")


def _container(container: Obj, path: str) -> None:
    image = text(container, "image", path + ".image") or ""
    if not container.get("imagePullPolicy"):
        container["imagePullPolicy"] = "Always" if image_tag(image) == "latest" else "IfNotPresent"
    _default(container, "terminationMessagePath", TERMINATION_MESSAGE_PATH)
    _default(container, "terminationMessagePolicy", "File")
    for index, port in enumerate(objects(container, "ports", path + ".ports", "v1.ContainerPort")):
        _default(port, "protocol", "TCP")
        integer(port, "containerPort", f"{path}.ports[{index}].containerPort")
        integer(port, "hostPort", f"{path}.ports[{index}].hostPort")
    for index, env in enumerate(objects(container, "env", path + ".env", "v1.EnvVar")):
        text(env, "name", f"{path}.env[{index}].name")
        text(env, "value", f"{path}.env[{index}].value")
        value_from = mapping(env, "valueFrom", f"{path}.env[{index}].valueFrom")
        if value_from is not None:
            field_ref = mapping(value_from, "fieldRef", f"{path}.env[{index}].valueFrom.fieldRef")
            if field_ref is not None:
                _default(field_ref, "apiVersion", "v1")
    resources = mapping(container, "resources", path + ".resources", "v1.ResourceRequirements")
    if resources is not None:
        _resource_list(resources, "limits", path + ".resources.limits")
        _resource_list(resources, "requests", path + ".resources.requests")
    for probe_name in ("livenessProbe", "readinessProbe", "startupProbe"):
        probe = mapping(container, probe_name, f"{path}.{probe_name}", "v1.Probe")
        if probe is not None:
            _probe(probe, f"{path}.{probe_name}")
    lifecycle = mapping(container, "lifecycle", path + ".lifecycle", "v1.Lifecycle")
    for hook in ("postStart", "preStop"):
        handler = mapping(lifecycle or {}, hook, f"{path}.lifecycle.{hook}", "v1.LifecycleHandler")
        if handler is not None:
            _http_get(handler, f"{path}.lifecycle.{hook}")


def _probe(probe: Obj, path: str) -> None:
    for key, value in (("timeoutSeconds", 1), ("periodSeconds", 10), ("successThreshold", 1), ("failureThreshold", 3)):
        integer(probe, key, f"{path}.{key}")
        _default(probe, key, value)
    integer(probe, "initialDelaySeconds", path + ".initialDelaySeconds")
    _http_get(probe, path)


def _http_get(handler: Obj, path: str) -> None:
    http_get = mapping(handler, "httpGet", path + ".httpGet", "v1.HTTPGetAction")
    if http_get is not None:
        _default(http_get, "path", "/")
        _default(http_get, "scheme", "HTTP")
        int_or_string(http_get, "port", path + ".httpGet.port")


def _requests_from_limits(container: Obj) -> None:
    """A Pod's container asks for what it is limited to when it asks nothing (``SetDefaults_Pod``)."""
    resources = container.get("resources")
    if not isinstance(resources, dict) or resources.get("limits") is None:
        return
    requests = resources.get("requests")
    if requests is None:
        requests = resources["requests"] = {}
    for name, value in resources["limits"].items():
        requests.setdefault(name, value)


def _quantity(value: object, round_to: int) -> str:
    try:
        return quantity.canonical(value, round_to)
    except quantity.QuantityError as exc:
        raise Malformed(str(exc)) from None


def _resource_list(parent: Obj, key: str, path: str) -> None:
    """``SetDefaults_ResourceList``: every quantity rounded up to milli units, in canonical form."""
    resources = mapping(parent, key, path, "v1.ResourceList")
    for name, value in list((resources or {}).items()):
        if value is not None:
            resources[name] = _quantity(value, quantity.MILLI)  # type: ignore[index]


# -- apps/v1 -------------------------------------------------------------------------------------------------


def _template_of(spec: Obj) -> None:
    pod_template(_child(spec, "template", "spec.template"), "spec.template")


def _replicas(spec: Obj) -> None:
    integer(spec, "replicas", "spec.replicas")
    _default_pointer(spec, "replicas", 1)


def _history(spec: Obj) -> None:
    integer(spec, "revisionHistoryLimit", "spec.revisionHistoryLimit")
    _default_pointer(spec, "revisionHistoryLimit", 10)


def _deployment(obj: Obj) -> None:
    spec = _spec(obj)
    _replicas(spec)
    strategy = _child(spec, "strategy", "spec.strategy")
    _default(strategy, "type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = _child(strategy, "rollingUpdate", "spec.strategy.rollingUpdate")
        int_or_string(rolling, "maxUnavailable", "spec.strategy.rollingUpdate.maxUnavailable")
        int_or_string(rolling, "maxSurge", "spec.strategy.rollingUpdate.maxSurge")
        _default_pointer(rolling, "maxUnavailable", "25%")
        _default_pointer(rolling, "maxSurge", "25%")
    _history(spec)
    integer(spec, "progressDeadlineSeconds", "spec.progressDeadlineSeconds")
    _default_pointer(spec, "progressDeadlineSeconds", 600)
    _template_of(spec)


def _replica_set(obj: Obj) -> None:
    spec = _spec(obj)
    _replicas(spec)
    _template_of(spec)


def _stateful_set(obj: Obj) -> None:
    spec = _spec(obj)
    _default(spec, "podManagementPolicy", "OrderedReady")
    strategy = _child(spec, "updateStrategy", "spec.updateStrategy")
    if not strategy.get("type"):
        strategy["type"] = "RollingUpdate"
        if mapping(strategy, "rollingUpdate", "spec.updateStrategy.rollingUpdate") is None:
            strategy["rollingUpdate"] = {}
    rolling = mapping(strategy, "rollingUpdate", "spec.updateStrategy.rollingUpdate")
    if strategy["type"] == "RollingUpdate" and rolling is not None:
        integer(rolling, "partition", "spec.updateStrategy.rollingUpdate.partition")
        _default_pointer(rolling, "partition", 0)
    retention = _child(spec, "persistentVolumeClaimRetentionPolicy", "spec.persistentVolumeClaimRetentionPolicy")
    _default(retention, "whenDeleted", "Retain")
    _default(retention, "whenScaled", "Retain")
    _replicas(spec)
    _history(spec)
    _template_of(spec)
    for index, claim in enumerate(objects(spec, "volumeClaimTemplates", "spec.volumeClaimTemplates")):
        path = f"spec.volumeClaimTemplates[{index}]"
        claim_spec(_child(claim, "spec", path + ".spec"), path + ".spec")
        _default(_child(claim, "status", path + ".status"), "phase", "Pending")


def _daemon_set(obj: Obj) -> None:
    spec = _spec(obj)
    strategy = _child(spec, "updateStrategy", "spec.updateStrategy")
    _default(strategy, "type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = _child(strategy, "rollingUpdate", "spec.updateStrategy.rollingUpdate")
        int_or_string(rolling, "maxUnavailable", "spec.updateStrategy.rollingUpdate.maxUnavailable")
        int_or_string(rolling, "maxSurge", "spec.updateStrategy.rollingUpdate.maxSurge")
        _default_pointer(rolling, "maxUnavailable", 1)
        _default_pointer(rolling, "maxSurge", 0)
    _history(spec)
    _template_of(spec)


# -- batch/v1 ------------------------------------------------------------------------------------------------


def _job(obj: Obj) -> None:
    spec = _spec(obj)
    job_spec(spec, "spec")
    completions = integer(spec, "completions", "spec.completions")
    parallelism = integer(spec, "parallelism", "spec.parallelism")
    if completions is None and parallelism is None:
        spec["completions"] = 1
    _default_pointer(spec, "parallelism", 1)
    if integer(spec, "backoffLimit", "spec.backoffLimit") is None:
        per_index = integer(spec, "backoffLimitPerIndex", "spec.backoffLimitPerIndex")
        spec["backoffLimit"] = MAX_INT32 if per_index is not None else 6
    labels = (spec["template"].get("metadata") or {}).get("labels")
    metadata = obj.setdefault("metadata", {})
    if labels is not None and not metadata.get("labels"):
        metadata["labels"] = dict(labels)
    _default_pointer(spec, "completionMode", "NonIndexed")
    _default_pointer(spec, "suspend", False)
    failure_policy = mapping(spec, "podFailurePolicy", "spec.podFailurePolicy")
    _default_pointer(spec, "podReplacementPolicy", "Failed" if failure_policy is not None else "TerminatingOrFailed")


def job_spec(spec: Obj, path: str) -> None:
    """What a Job and a CronJob's jobTemplate share: the typed fields and the pod template."""
    for key in ("completions", "parallelism", "backoffLimit", "ttlSecondsAfterFinished"):
        integer(spec, key, f"{path}.{key}")
    integer(spec, "activeDeadlineSeconds", path + ".activeDeadlineSeconds", "int64")
    boolean(spec, "manualSelector", path + ".manualSelector")
    boolean(spec, "suspend", path + ".suspend")
    text(spec, "completionMode", path + ".completionMode")
    mapping(spec, "selector", path + ".selector", "v1.LabelSelector")
    pod_template(_child(spec, "template", path + ".template"), path + ".template")


def _cron_job(obj: Obj) -> None:
    spec = _spec(obj)
    _default(spec, "concurrencyPolicy", "Allow")
    boolean(spec, "suspend", "spec.suspend")
    _default_pointer(spec, "suspend", False)
    for key, value in (("successfulJobsHistoryLimit", 3), ("failedJobsHistoryLimit", 1)):
        integer(spec, key, f"spec.{key}")
        _default_pointer(spec, key, value)
    integer(spec, "startingDeadlineSeconds", "spec.startingDeadlineSeconds", "int64")
    text(spec, "schedule", "spec.schedule")
    text(spec, "timeZone", "spec.timeZone")
    job_template = _child(spec, "jobTemplate", "spec.jobTemplate")
    job_spec(_child(job_template, "spec", "spec.jobTemplate.spec"), "spec.jobTemplate.spec")


def _storage_class(obj: Obj) -> None:
    """``SetDefaults_StorageClass``."""
    text(obj, "reclaimPolicy", "reclaimPolicy")
    _default_pointer(obj, "reclaimPolicy", "Delete")
    text(obj, "volumeBindingMode", "volumeBindingMode")
    _default_pointer(obj, "volumeBindingMode", "Immediate")


def _network_policy(obj: Obj) -> None:
    """``SetDefaults_NetworkPolicyPort`` (TCP) and ``SetDefaults_NetworkPolicy`` (policyTypes)."""
    spec = _spec(obj)
    for direction in ("ingress", "egress"):
        for index, rule in enumerate(objects(spec, direction, f"spec.{direction}", "v1.NetworkPolicyRule")):
            for port in objects(rule, "ports", f"spec.{direction}[{index}].ports", "v1.NetworkPolicyPort"):
                _default_pointer(port, "protocol", "TCP")
    if not strings(spec, "policyTypes", "spec.policyTypes"):
        spec["policyTypes"] = ["Ingress", "Egress"] if spec.get("egress") else ["Ingress"]


def _priority_class(obj: Obj) -> None:
    """``SetDefaults_PriorityClass``."""
    text(obj, "preemptionPolicy", "preemptionPolicy")
    _default_pointer(obj, "preemptionPolicy", "PreemptLowerPriority")


_DEFAULTERS: Final = {
    ("", "pods"): _pod,
    ("", "podtemplates"): _pod_template,
    ("", "replicationcontrollers"): _replication_controller,
    ("", "services"): _service,
    ("", "secrets"): _secret,
    ("", "configmaps"): _config_map,
    ("", "endpoints"): _endpoints,
    ("", "persistentvolumes"): _persistent_volume,
    ("", "persistentvolumeclaims"): _persistent_volume_claim,
    ("", "resourcequotas"): _resource_quota,
    ("", "limitranges"): _limit_range,
    ("", "namespaces"): _namespace,
    ("apps", "deployments"): _deployment,
    ("apps", "replicasets"): _replica_set,
    ("apps", "statefulsets"): _stateful_set,
    ("apps", "daemonsets"): _daemon_set,
    ("batch", "jobs"): _job,
    ("batch", "cronjobs"): _cron_job,
    ("storage.k8s.io", "storageclasses"): _storage_class,
    ("networking.k8s.io", "networkpolicies"): _network_policy,
    ("scheduling.k8s.io", "priorityclasses"): _priority_class,
}
