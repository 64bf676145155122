"""Server-side printers: the ``meta.k8s.io/v1`` ``Table`` that ``kubectl get`` prints, as pure functions.

``kubectl get`` asks for ``application/json;as=Table;v=v1;g=meta.k8s.io`` and prints the columns the
server chose. This module owns those columns and cells for built-in resources, custom resources
(``additionalPrinterColumns``) and everything else (the default Name / Created At table). It does no
I/O and reads no clock: the caller passes ``now``. Standard library and ``k3py.core`` only.

Ported from Kubernetes (Apache License 2.0, Copyright The Kubernetes Authors):
``pkg/printers/internalversion/printers.go`` (``AddHandlers`` and the ``print*`` functions, v1.33
era), ``pkg/printers/tablegenerator.go``, ``pkg/registry/storage/storageclass/tableconvertor.go``,
``staging/src/k8s.io/apiserver/pkg/registry/rest/table.go`` (``defaultTableConvertor``),
``staging/src/k8s.io/apiserver/pkg/endpoints/handlers/response.go`` (``asTable``),
``staging/src/k8s.io/apiextensions-apiserver/pkg/registry/customresource/tableconvertor``,
``staging/src/k8s.io/kube-aggregator/pkg/registry/apiservice/etcd`` (APIService columns),
``staging/src/k8s.io/apimachinery/pkg/util/duration`` (``HumanDuration``),
``staging/src/k8s.io/apimachinery/pkg/api/resource`` (``Quantity.String``) and the label selector
formatting of ``apimachinery/pkg/labels``. Column descriptions are the ``SwaggerDoc()`` texts of
``k8s.io/api`` that the Go code references.

Theory of operation
-------------------
The apiserver always renders tables with ``GenerateOptions{Wide: true}``: every row carries every
cell, and columns with ``priority: 1`` are the ones ``kubectl`` hides unless ``-o wide``. Printers in
Go work on internal types, after defaulting and version conversion; here they read the stored v1
JSON, so where the Go printer relies on a default that the API always sets (a Service's ``type``, a
Deployment's ``replicas``, a PV's ``volumeMode``) the row applies that default itself.
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from decimal import ROUND_UP, Decimal, localcontext
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Final, TypedDict

from k3py.core import errors

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

__all__ = [
    "Cell",
    "ColumnDefinition",
    "build_table",
    "columns_for",
    "custom_columns",
    "custom_row",
    "human_duration",
    "row_for",
]


class ColumnDefinition(TypedDict):
    """One ``metav1.TableColumnDefinition``: every key is always present on the wire."""

    name: str
    type: str  # OpenAPI type: "string", "integer", "number", "boolean", "date"
    format: str  # "name" on the column holding the object's name, else ""
    description: str
    priority: int  # 0: always shown; 1: only with ``kubectl get -o wide``


# A table cell: what a Go printer appends (string, int64, bool) or what a CR column yields.
Cell = str | int | float | bool | None

INCLUDE_OBJECT_VALUES: Final = ("Metadata", "Object", "None", "")
# Labels and reasons the Go printers hard-code (printers.go constants).
_LABEL_NODE_ROLE_PREFIX: Final = "node-role.kubernetes.io/"
_NODE_LABEL_ROLE: Final = "kubernetes.io/role"
# node.NodeUnreachablePodReason: the node lifecycle controller marks pods of lost nodes with it.
_NODE_UNREACHABLE_POD_REASON: Final = "NodeLost"
_BETA_STORAGE_CLASS_ANNOTATION: Final = "volume.beta.kubernetes.io/storage-class"
_DEFAULT_CLASS_ANNOTATIONS: Final = (
    "storageclass.kubernetes.io/is-default-class",
    "storageclass.beta.kubernetes.io/is-default-class",
)
# autoscaling.DefaultCPUUtilization: the target every HPA without metrics is defaulted to.
_DEFAULT_CPU_UTILIZATION: Final = 80

_NANOSECOND: Final = 1
_SECOND: Final = 1_000_000_000 * _NANOSECOND
_MINUTE: Final = 60 * _SECOND
_HOUR: Final = 60 * _MINUTE


# --------------------------------------------------------------------------------------------------
# Durations and timestamps


def human_duration(d: timedelta) -> str:
    """A succinct, 2-3 significant figure rendering of ``d``: apimachinery's ``duration.HumanDuration``.

    Up to 2 s in the past counts as "0s" (clock skew between machines); further is "<invalid>".
    """
    return _human_duration_ns((d.days * 86_400 + d.seconds) * _SECOND + d.microseconds * 1_000)


def _human_duration_ns(ns: int) -> str:
    seconds = -(-ns // _SECOND) if ns < 0 else ns // _SECOND  # Go's int(d.Seconds()) truncates
    if seconds < -1:
        return "<invalid>"
    if seconds < 0:
        return "0s"
    if seconds < 60 * 2:
        return f"{seconds}s"
    minutes = ns // _MINUTE
    if minutes < 10:
        s = (ns // _SECOND) % 60
        return f"{minutes}m" if s == 0 else f"{minutes}m{s}s"
    if minutes < 60 * 3:
        return f"{minutes}m"
    hours = ns // _HOUR
    if hours < 8:
        m = (ns // _MINUTE) % 60
        return f"{hours}h" if m == 0 else f"{hours}h{m}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        h = hours % 24
        return f"{hours // 24}d" if h == 0 else f"{hours // 24}d{h}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        dy = (hours // 24) % 365
        return f"{hours // 24 // 365}y" if dy == 0 else f"{hours // 24 // 365}y{dy}d"
    return f"{hours // 24 // 365}y"


# time.RFC3339 as Go parses it: fractional seconds optional, offset required.
_RFC3339 = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})")
_ZERO_TIME: Final = datetime(1, 1, 1, tzinfo=UTC)  # Go's time.Time{}: metav1.Time.IsZero()


def _parse_rfc3339(text: str) -> datetime:
    """``time.Parse(time.RFC3339, text)`` to microseconds; raises ValueError when malformed."""
    match = _RFC3339.fullmatch(text)
    if match is None:
        raise ValueError(text)
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    fraction = match.group(7)
    micros = int((fraction[1:] + "000000")[:6]) if fraction else 0
    offset = match.group(8)
    tz = UTC
    if offset != "Z":
        sign = 1 if offset[0] == "+" else -1
        tz = timezone(sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6])))
    try:
        return datetime(year, month, day, hour, minute, second, micros, tzinfo=tz)
    except OverflowError as exc:
        raise ValueError(text) from exc


def _is_zero(value: datetime) -> bool:
    try:
        return value == _ZERO_TIME
    except OverflowError:  # an offset pushing year 1 out of range
        return False


def _parse_time(value: object) -> datetime | None:
    """A ``metav1.Time``/``MicroTime`` JSON value; ``None`` for missing, null, zero or malformed."""
    if not isinstance(value, str):
        return None
    try:
        parsed = _parse_rfc3339(value)
    except ValueError:
        return None
    return None if _is_zero(parsed) else parsed


def _aware(now: datetime) -> datetime:
    return now if now.tzinfo is not None else now.replace(tzinfo=UTC)


def _since(value: object, now: datetime) -> str:
    """``translateTimestampSince``: the age of a timestamp, or "<unknown>" when unset."""
    parsed = value if isinstance(value, datetime) else _parse_time(value)
    if parsed is None or _is_zero(parsed):
        return "<unknown>"
    return human_duration(_aware(now) - parsed)


def _rfc3339(value: object) -> str:
    """``Time.UTC().Format(time.RFC3339)``, the zero time included, as the default table prints it."""
    parsed = (_parse_time(value) or _ZERO_TIME).astimezone(UTC)
    return f"{parsed.year:04d}-{parsed:%m-%dT%H:%M:%S}Z"  # strftime's %Y does not pad year 1


# --------------------------------------------------------------------------------------------------
# Reading JSON objects defensively: a missing or mistyped field reads as Go's zero value.


def _dig(obj: object, *path: str) -> Any:
    for key in path:
        if not isinstance(obj, Mapping):
            return None
        obj = obj.get(key)
    return obj


def _str(obj: object, *path: str) -> str:
    value = _dig(obj, *path)
    return value if isinstance(value, str) else ""


def _int(obj: object, *path: str, default: int = 0) -> int:
    value = _dig(obj, *path)
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return default


def _opt_int(obj: object, *path: str) -> int | None:
    value = _dig(obj, *path)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return int(value)


def _bool(obj: object, *path: str, default: bool = False) -> bool:
    value = _dig(obj, *path)
    return value if isinstance(value, bool) else default


def _list(obj: object, *path: str) -> list[Any]:
    value = _dig(obj, *path)
    return value if isinstance(value, list) else []


def _map(obj: object, *path: str) -> Mapping[str, Any]:
    value = _dig(obj, *path)
    return value if isinstance(value, Mapping) else {}


def _maps(obj: object, *path: str) -> list[Mapping[str, Any]]:
    return [item for item in _list(obj, *path) if isinstance(item, Mapping)]


def _name(obj: Mapping[str, Any]) -> str:
    return _str(obj, "metadata", "name")


def _age(obj: Mapping[str, Any], now: datetime) -> str:
    return _since(_dig(obj, "metadata", "creationTimestamp"), now)


def _deleting(obj: Mapping[str, Any]) -> bool:
    return _parse_time(_dig(obj, "metadata", "deletionTimestamp")) is not None


def _int_or_string(value: object) -> str:
    """``intstr.IntOrString.String()``."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _condition(obj: object, *path: str, kind: str) -> Mapping[str, Any] | None:
    for condition in _maps(obj, *path):
        if condition.get("type") == kind:
            return condition
    return None


# --------------------------------------------------------------------------------------------------
# Quantities: resource.Quantity.String(), the canonical form a round trip through the API gives.

_DECIMAL_SUFFIXES: Final = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_DECIMAL_BY_EXPONENT: Final = {exp: suffix for suffix, exp in _DECIMAL_SUFFIXES.items()}
_BINARY_SUFFIXES: Final = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_BINARY_BY_POWER: Final = ("", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei")
_QUANTITY = re.compile(r"([+-]?)(\d*)(?:\.(\d*))?([eE][+-]?\d+|[KMGTPE]i|[numkMGTPE])?")
_NANO: Final = Decimal("1e-9")


def _quantity(value: object) -> str:
    """The canonical string of a quantity; "0" when unset, the input itself when unparseable."""
    if value is None:
        return "0"
    text = _int_or_string(value) if not isinstance(value, str) else value
    match = _QUANTITY.fullmatch(text.strip())
    if match is None or not (match.group(2) or match.group(3)):
        return text
    sign, whole, fraction, suffix = match.group(1), match.group(2), match.group(3), match.group(4) or ""
    with localcontext() as ctx:
        ctx.prec = 200
        amount = Decimal(f"{whole or '0'}.{fraction or '0'}")
        if suffix in _BINARY_SUFFIXES:
            fmt = "BinarySI"
            amount *= 2 ** _BINARY_SUFFIXES[suffix]
        elif len(suffix) > 1:
            fmt = "DecimalExponent"
            amount = amount.scaleb(int(suffix[1:]))
        else:
            fmt = "DecimalSI"
            amount = amount.scaleb(_DECIMAL_SUFFIXES[suffix])
        # ParseQuantity rounds up to the nano unit: if you asked for some, you get some.
        amount = amount.quantize(_NANO, rounding=ROUND_UP)
        if amount == 0:
            return "0"
        negative = sign == "-"
        # CanonicalizeBytes: BinarySI only for whole numbers of at least 1024.
        if fmt == "BinarySI" and (amount < 1024 or amount != amount.to_integral_value()):
            fmt = "DecimalSI"
        if fmt == "BinarySI":
            number, power = int(amount), 0
            while number >= 1024 and number % 1024 == 0 and power < len(_BINARY_BY_POWER) - 1:
                number //= 1024
                power += 1
            unit = _BINARY_BY_POWER[power]
        else:
            number, exponent = int(amount.scaleb(9)), -9
            while number % 10 == 0:
                number //= 10
                exponent += 1
            while exponent % 3:
                number *= 10
                exponent -= 1
            if fmt == "DecimalExponent":
                unit = f"e{exponent}" if exponent else ""
            else:
                unit = _DECIMAL_BY_EXPONENT.get(exponent, "")
    return f"{'-' if negative else ''}{number}{unit}"


# --------------------------------------------------------------------------------------------------
# Labels and selectors, formatted as apimachinery's labels package does.

_QUALIFIED_NAME = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
_DNS1123_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")


def _valid_label_key(key: str) -> bool:
    prefix, slash, name = key.rpartition("/")
    if slash and (not prefix or len(prefix) > 253 or not _DNS1123_SUBDOMAIN.fullmatch(prefix)):
        return False
    return 0 < len(name) <= 63 and _QUALIFIED_NAME.fullmatch(name) is not None


def _valid_label_value(value: str) -> bool:
    return len(value) <= 63 and (value == "" or _QUALIFIED_NAME.fullmatch(value) is not None)


def _format_labels(labels: object) -> str:
    """``labels.FormatLabels``: sorted ``k=v`` pairs, or "<none>"."""
    pairs = sorted(f"{k}={v}" for k, v in labels.items()) if isinstance(labels, Mapping) else []
    return ",".join(pairs) or "<none>"


def selector_string(selector: object) -> str | None:
    """``LabelSelectorAsSelector(s).String()``; ``None`` when the selector is invalid.

    A missing selector selects nothing and an empty one everything; both print as "".
    """
    if selector is None:
        return ""
    if not isinstance(selector, Mapping):
        return None
    match_labels = selector.get("matchLabels") or {}
    expressions = selector.get("matchExpressions") or []
    if not isinstance(match_labels, Mapping) or not isinstance(expressions, list):
        return None
    requirements: list[tuple[str, str]] = []
    for key, value in match_labels.items():
        if not isinstance(value, str) or not _valid_label_key(key) or not _valid_label_value(value):
            return None
        requirements.append((key, f"{key}={value}"))
    for expression in expressions:
        if not isinstance(expression, Mapping):
            return None
        key, operator = expression.get("key"), expression.get("operator")
        values = expression.get("values") or []
        if not isinstance(key, str) or not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            return None
        if not _valid_label_key(key) or not all(_valid_label_value(v) for v in values):
            return None
        if operator in ("In", "NotIn"):
            if not values:
                return None
            joined = values[0] if len(values) == 1 else ",".join(sorted(values))
            requirements.append((key, f"{key} {'in' if operator == 'In' else 'notin'} ({joined})"))
        elif operator in ("Exists", "DoesNotExist"):
            if values:
                return None
            requirements.append((key, key if operator == "Exists" else f"!{key}"))
        else:
            return None
    requirements.sort(key=lambda requirement: requirement[0])
    return ",".join(text for _, text in requirements)


def _format_label_selector(selector: object) -> str:
    """``metav1.FormatLabelSelector``: "<none>" when it selects by nothing, "<error>" when invalid."""
    text = selector_string(selector)
    if text is None:
        return "<error>"
    return text or "<none>"


def _containers(spec: object) -> tuple[str, str]:
    """``layoutContainerCells``: container names and images, comma-joined."""
    containers = _maps(spec, "containers")
    return ",".join(_str(c, "name") for c in containers), ",".join(_str(c, "image") for c in containers)


def _join_host_port(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _list_with_more(items: list[str], more: bool, count: int, maximum: int) -> str:
    text = ",".join(items)
    if more:
        return f"{text} + {count - maximum} more..."
    return text or "<unset>"


def _bool_text(value: bool) -> str:
    return "True" if value else "False"


# --------------------------------------------------------------------------------------------------
# Column descriptions: the SwaggerDoc() texts the Go column definitions reference, keyed
# "<group>/<version> <Type>.<field>" after the k8s.io/api package they come from.

_DOCS: Final[dict[str, str]] = {
    "meta/v1 ObjectMeta.name": (
        "Name must be unique within a namespace. Is required when creating resources, although some resources may "
        "allow a client to request the generation of an appropriate name automatically. Name is primarily intended "
        "for creation idempotence and configuration definition. Cannot be updated. More info: "
        "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"
    ),
    "meta/v1 ObjectMeta.creationTimestamp": (
        "CreationTimestamp is a timestamp representing the server time when this object was created. It is not "
        "guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It "
        "is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More "
        "info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"
    ),
    "core/v1 PodStatus.podIP": (
        "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated."
    ),
    "core/v1 PodStatus.nominatedNodeName": (
        "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled "
        "right away as preemption victims receive their graceful termination periods. This field does not guarantee "
        "that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes "
        "become available sooner. Scheduler may also decide to give the resources on this node to a higher priority "
        "pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when "
        "the pod is scheduled."
    ),
    "core/v1 PodSpec.nodeName": (
        "NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by "
        "the scheduler defined in schedulerName. Once this field is set, the kubelet for this node becomes "
        "responsible for the lifecycle of this pod. This field should not be used to express a desire for the pod to "
        "be scheduled on a specific node. "
        "https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename"
    ),
    "core/v1 PodSpec.readinessGates": (
        "If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its "
        'containers are ready AND all conditions specified in the readiness gates have status equal to "True" More '
        "info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates"
    ),
    "core/v1 PodSpec.nodeSelector": (
        "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a "
        "node's labels for the pod to be scheduled on that node. More info: "
        "https://kubernetes.io/docs/concepts/configuration/assign-pod-node/"
    ),
    "core/v1 ReplicationControllerSpec.replicas": (
        "Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and "
        "unspecified. Defaults to 1. More info: "
        "https://kubernetes.io/docs/concepts/workloads/controlle"
        "rs/replicationcontroller#what-is-a-replicationcontroller"
    ),
    "core/v1 ReplicationControllerSpec.selector": (
        "Selector is a label query over pods that should match the Replicas count. If Selector is empty, it is "
        "defaulted to the labels present on the Pod template. Label keys and values that must match in order to be "
        "controlled by this replication controller, if empty defaulted to labels on Pod template. More info: "
        "https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors"
    ),
    "core/v1 ReplicationControllerStatus.replicas": (
        "Replicas is the most recently observed number of replicas. More info: "
        "https://kubernetes.io/docs/concepts/workloads/controlle"
        "rs/replicationcontroller#what-is-a-replicationcontroller"
    ),
    "core/v1 ReplicationControllerStatus.readyReplicas": (
        "The number of ready replicas for this replication controller."
    ),
    "core/v1 ServiceSpec.type": (
        "type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, "
        'ClusterIP, NodePort, and LoadBalancer. "ClusterIP" allocates a cluster-internal IP address for '
        "load-balancing to endpoints. Endpoints are determined by the selector or if that is not specified, by manual "
        'construction of an Endpoints object or EndpointSlice objects. If clusterIP is "None", no virtual IP is '
        'allocated and the endpoints are published as a set of endpoints rather than a virtual IP. "NodePort" '
        "builds on ClusterIP and allocates a port on every node which routes to the same endpoints as the clusterIP. "
        '"LoadBalancer" builds on NodePort and creates an external load-balancer (if supported in the current '
        'cloud) which routes to the same endpoints as the clusterIP. "ExternalName" aliases this service to the '
        "specified externalName. Several other fields do not apply to ExternalName services. More info: "
        "https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types"
    ),
    "core/v1 ServiceSpec.clusterIP": (
        "clusterIP is the IP address of the service and is usually assigned randomly. If an address is specified "
        "manually, is in-range (as per system configuration), and is not in use, it will be allocated to the service; "
        "otherwise creation of the service will fail. This field may not be changed through updates unless the type "
        "field is also being changed to ExternalName (which requires this field to be blank) or the type field is "
        "being changed from ExternalName (in which case this field may optionally be specified, as describe above).  "
        'Valid values are "None", empty string (""), or a valid IP address. Setting this to "None" makes a '
        '"headless service" (no virtual IP), which is useful when direct endpoint connections are preferred and '
        "proxying is not required.  Only applies to types ClusterIP, NodePort, and LoadBalancer. If this field is "
        "specified when creating a Service of type ExternalName, creation will fail. This field will be wiped when "
        "updating a Service to type ExternalName. More info: "
        "https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies"
    ),
    "core/v1 ServiceSpec.externalIPs": (
        "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this "
        "service.  These IPs are not managed by Kubernetes.  The user is responsible for ensuring that traffic "
        "arrives at a node with this IP.  A common example is external load-balancers that are not part of the "
        "Kubernetes system."
    ),
    "core/v1 ServiceSpec.ports": (
        "The list of ports that are exposed by this service. More info: "
        "https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies"
    ),
    "core/v1 ServiceSpec.selector": (
        "Route service traffic to pods with label keys and values matching this selector. If empty or not present, "
        "the service is assumed to have an external process managing its endpoints, which Kubernetes will not modify. "
        "Only applies to types ClusterIP, NodePort, and LoadBalancer. Ignored if type is ExternalName. More info: "
        "https://kubernetes.io/docs/concepts/services-networking/service/"
    ),
    "core/v1 Endpoints.subsets": (
        "The set of all endpoints is the union of all subsets. Addresses are placed into subsets according to the IPs "
        "they share. A single address with multiple ports, some of which are ready and some of which are not (because "
        "they come from different containers) will result in the address being displayed in different subsets for the "
        "different ports. No address will appear in both Addresses and NotReadyAddresses in the same subset. Sets of "
        "addresses and ports that comprise a service."
    ),
    "core/v1 NodeSystemInfo.kubeletVersion": "Kubelet Version reported by the node.",
    "core/v1 NodeSystemInfo.osImage": (
        "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy))."
    ),
    "core/v1 NodeSystemInfo.kernelVersion": (
        "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64)."
    ),
    "core/v1 NodeSystemInfo.containerRuntimeVersion": (
        "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2)."
    ),
    "core/v1 NodeStatus.addresses": (
        "List of addresses reachable to the node. Queried from cloud provider, if available. More info: "
        "https://kubernetes.io/docs/reference/node/node-status/#addresses Note: This field is declared as mergeable, "
        "but the merge key is not sufficiently unique, which can cause data corruption when it is merged. Callers "
        "should instead use a full-replacement patch. See https://pr.k8s.io/79391 for an example. Consumers should "
        "assume that addresses can change during the lifetime of a Node. However, there are some exceptions where "
        "this may not be possible, such as Pods that inherit a Node's address in its own status or consumers of the "
        "downward API (status.hostIP)."
    ),
    "core/v1 Event.lastTimestamp": "The time at which the most recent occurrence of this event was recorded.",
    "core/v1 Event.type": "Type of this event (Normal, Warning), new types could be added in the future",
    "core/v1 Event.reason": (
        "This should be a short, machine understandable string that gives the reason for the transition into the "
        "object's current status."
    ),
    "core/v1 Event.involvedObject": "The object that this event is about.",
    "core/v1 Event.source": "The component reporting this event. Should be a short machine understandable string.",
    "core/v1 Event.message": "A human-readable description of the status of this operation.",
    "core/v1 Event.firstTimestamp": (
        "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)"
    ),
    "core/v1 Event.count": "The number of times this event has occurred.",
    "core/v1 ObjectReference.fieldPath": (
        "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go "
        "field access statement, such as desiredState.manifest.containers[2]. For example, if the object reference is "
        'to a container within a pod, this would take on a value like: "spec.containers{name}" (where "name" '
        "refers to the name of the container that triggered the event) or if no container name is specified "
        '"spec.containers[2]" (container with index 2 in this pod). This syntax is chosen only to have some '
        "well-defined way of referencing a part of an object."
    ),
    "core/v1 Secret.type": (
        "Used to facilitate programmatic handling of secret data. More info: "
        "https://kubernetes.io/docs/concepts/configuration/secret/#secret-types"
    ),
    "core/v1 Secret.data": (
        "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The "
        "serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly "
        "non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4"
    ),
    "core/v1 ServiceAccount.secrets": (
        "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are "
        "allowed to use. Pods are only limited to this list if this service account has a "
        '"kubernetes.io/enforce-mountable-secrets" annotation set to "true". The '
        '"kubernetes.io/enforce-mountable-secrets" annotation is deprecated since v1.32. Prefer separate namespaces '
        "to isolate access to mounted secrets. This field should not be used to find auto-generated service account "
        "token secrets for use outside of pods. Instead, tokens can be requested directly using the TokenRequest API, "
        "or service account token secrets can be manually created. More info: "
        "https://kubernetes.io/docs/concepts/configuration/secret"
    ),
    "core/v1 PersistentVolumeSpec.capacity": (
        "capacity is the description of the persistent volume's resources and capacity. More info: "
        "https://kubernetes.io/docs/concepts/storage/persistent-volumes#capacity"
    ),
    "core/v1 PersistentVolumeSpec.accessModes": (
        "accessModes contains all ways the volume can be mounted. More info: "
        "https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes"
    ),
    "core/v1 PersistentVolumeSpec.persistentVolumeReclaimPolicy": (
        "persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim. "
        "Valid options are Retain (default for manually created PersistentVolumes), Delete (default for dynamically "
        "provisioned PersistentVolumes), and Recycle (deprecated). Recycle must be supported by the volume plugin "
        "underlying this PersistentVolume. More info: "
        "https://kubernetes.io/docs/concepts/storage/persistent-volumes#reclaiming"
    ),
    "core/v1 PersistentVolumeSpec.claimRef": (
        "claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim. Expected to "
        "be non-nil when bound. claim.VolumeName is the authoritative bind between PV and PVC. More info: "
        "https://kubernetes.io/docs/concepts/storage/persistent-volumes#binding"
    ),
    "core/v1 PersistentVolumeSpec.volumeMode": (
        "volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block "
        "state. Value of Filesystem is implied when not included in spec."
    ),
    "core/v1 PersistentVolumeStatus.phase": (
        "phase indicates if a volume is available, bound to a claim, or released by a claim. More info: "
        "https://kubernetes.io/docs/concepts/storage/persistent-volumes#phase"
    ),
    "core/v1 PersistentVolumeStatus.reason": (
        "reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy "
        "display in the CLI."
    ),
    "core/v1 PersistentVolumeClaimStatus.phase": "phase represents the current phase of PersistentVolumeClaim.",
    "core/v1 PersistentVolumeClaimStatus.capacity": (
        "capacity represents the actual resources of the underlying volume."
    ),
    "core/v1 PersistentVolumeClaimStatus.accessModes": (
        "accessModes contains the actual access modes the volume backing the PVC has. More info: "
        "https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes-1"
    ),
    "core/v1 PersistentVolumeClaimSpec.volumeName": (
        "volumeName is the binding reference to the PersistentVolume backing this claim."
    ),
    "core/v1 PersistentVolumeClaimSpec.volumeMode": (
        "volumeMode defines what type of volume is required by the claim. Value of Filesystem is implied when not "
        "included in claim spec."
    ),
    "core/v1 ConfigMap.data": (
        "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. "
        "Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap "
        "with the keys in the BinaryData field, this is enforced during validation process."
    ),
    "extensions/v1beta1 ReplicaSetSpec.replicas": (
        "Replicas is the number of desired pods. This is a pointer to distinguish between explicit zero and "
        "unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicaset"
    ),
    "extensions/v1beta1 ReplicaSetSpec.selector": (
        "Selector is a label query over pods that should match the replica count. If the selector is empty, it is "
        "defaulted to the labels present on the pod template. Label keys and values that must match in order to be "
        "controlled by this replica set. More info: "
        "https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors"
    ),
    "extensions/v1beta1 ReplicaSetStatus.replicas": (
        "Replicas is the most recently observed number of non-terminating pods. More info: "
        "https://kubernetes.io/docs/concepts/workloads/controllers/replicaset"
    ),
    "extensions/v1beta1 ReplicaSetStatus.readyReplicas": (
        "The number of non-terminating pods targeted by this ReplicaSet with a Ready Condition."
    ),
    "extensions/v1beta1 DaemonSetStatus.desiredNumberScheduled": (
        "The total number of nodes that should be running the daemon pod (including nodes correctly running the "
        "daemon pod). More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/"
    ),
    "extensions/v1beta1 DaemonSetStatus.currentNumberScheduled": (
        "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod. More "
        "info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/"
    ),
    "extensions/v1beta1 DaemonSetStatus.numberReady": (
        "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and "
        "ready."
    ),
    "extensions/v1beta1 DaemonSetStatus.updatedNumberScheduled": (
        "The total number of nodes that are running updated daemon pod"
    ),
    "extensions/v1beta1 DaemonSetStatus.numberAvailable": (
        "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and "
        "available (ready for at least spec.minReadySeconds)"
    ),
    "extensions/v1beta1 DaemonSetSpec.selector": (
        "A label query over pods that are managed by the daemon set. Must match in order to be controlled. If empty, "
        "defaulted to labels on Pod template. More info: "
        "https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors"
    ),
    "extensions/v1beta1 DeploymentStatus.updatedReplicas": (
        "Total number of non-terminating pods targeted by this deployment that have the desired template spec."
    ),
    "extensions/v1beta1 DeploymentStatus.availableReplicas": (
        "Total number of available non-terminating pods (ready for at least minReadySeconds) targeted by this "
        "deployment."
    ),
    "extensions/v1beta1 DeploymentSpec.selector": (
        "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by "
        "this deployment."
    ),
    "extensions/v1beta1 NetworkPolicySpec.podSelector": (
        "Selects the pods to which this NetworkPolicy object applies.  The array of ingress rules is applied to any "
        "pods selected by this field. Multiple network policies can select the same set of pods.  In this case, the "
        "ingress rules for each are combined additively. This field is NOT optional and follows standard label "
        "selector semantics. An empty podSelector matches all pods in this namespace."
    ),
    "batch/v1 JobStatus.succeeded": (
        "The number of pods which reached phase Succeeded. The value increases monotonically for a given spec. "
        "However, it may decrease in reaction to scale down of elastic indexed jobs."
    ),
    "batch/v1 JobSpec.selector": (
        "A label query over pods that should match the pod count. Normally, the system sets this field for you. More "
        "info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors"
    ),
    "batch/v1beta1 CronJobSpec.schedule": "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.",
    "batch/v1beta1 CronJobSpec.timeZone": (
        "The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones. "
        "If not specified, this will default to the time zone of the kube-controller-manager process. The set of "
        "valid time zone names and the time zone offset is loaded from the system-wide time zone database by the API "
        "server during CronJob validation and the controller manager during execution. If no system-wide time zone "
        "database can be found a bundled version of the database is used instead. If the time zone name becomes "
        "invalid during the lifetime of a CronJob or due to a change in host configuration, the controller will stop "
        "creating new new Jobs and will create a system event with the reason UnknownTimeZone. More information can "
        "be found in https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#time-zones"
    ),
    "batch/v1beta1 CronJobSpec.suspend": (
        "This flag tells the controller to suspend subsequent executions, it does not apply to already started "
        "executions.  Defaults to false."
    ),
    "batch/v1beta1 CronJobStatus.active": "A list of pointers to currently running jobs.",
    "batch/v1beta1 CronJobStatus.lastScheduleTime": (
        "Information when was the last time the job was successfully scheduled."
    ),
    "autoscaling/v2beta1 HorizontalPodAutoscalerSpec.scaleTargetRef": (
        "scaleTargetRef points to the target resource to scale, and is used to the pods for which metrics should be "
        "collected, as well as to actually change the replica count."
    ),
    "autoscaling/v2beta1 HorizontalPodAutoscalerSpec.metrics": (
        "metrics contains the specifications for which to use to calculate the desired replica count (the maximum "
        "replica count across all metrics will be used).  The desired replica count is calculated multiplying the "
        "ratio between the target value and the current value by the current number of pods.  Ergo, metrics used must "
        "decrease as the pod count is increased, and vice-versa.  See the individual metric source types for more "
        "information about how each type of metric must respond."
    ),
    "autoscaling/v2beta1 HorizontalPodAutoscalerSpec.minReplicas": (
        "minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.  It "
        "defaults to 1 pod.  minReplicas is allowed to be 0 if the alpha feature gate HPAScaleToZero is enabled and "
        "at least one Object or External metric is configured.  Scaling is active as long as at least one metric "
        "value is available."
    ),
    "autoscaling/v2beta1 HorizontalPodAutoscalerSpec.maxReplicas": (
        "maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up. It cannot be "
        "less that minReplicas."
    ),
    "autoscaling/v2beta1 HorizontalPodAutoscalerStatus.currentReplicas": (
        "currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the "
        "autoscaler."
    ),
    "rbac/v1beta1 RoleBinding.roleRef": (
        "roleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the "
        "RoleRef cannot be resolved, the Authorizer must return an error."
    ),
    "rbac/v1beta1 ClusterRoleBinding.roleRef": (
        "roleRef can only reference a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the "
        "Authorizer must return an error."
    ),
    "coordination/v1 LeaseSpec.holderIdentity": (
        "holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader Election is "
        "used, the holder identity must be equal to the elected LeaseCandidate.metadata.name field."
    ),
    "storage/v1 StorageClass.provisioner": "provisioner indicates the type of the provisioner.",
    "storage/v1 StorageClass.reclaimPolicy": (
        "reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage "
        "class. Defaults to Delete."
    ),
    "storage/v1 StorageClass.volumeBindingMode": (
        "volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.  When unset, "
        "VolumeBindingImmediate is used. This field is only honored by servers that enable the VolumeScheduling "
        "feature."
    ),
    "storage/v1 StorageClass.allowVolumeExpansion": (
        "allowVolumeExpansion shows whether the storage class allow volume expand."
    ),
    "storage/v1 VolumeAttachmentSpec.attacher": (
        "attacher indicates the name of the volume driver that MUST handle this request. This is the name returned by "
        "GetPluginName()."
    ),
    "storage/v1 VolumeAttachmentSpec.nodeName": "nodeName represents the node that the volume should be attached to.",
    "storage/v1 VolumeAttachmentSource.persistentVolumeName": (
        "persistentVolumeName represents the name of the persistent volume to attach."
    ),
    "storage/v1 VolumeAttachmentStatus.attached": (
        "attached indicates the volume is successfully attached. This field must only be set by the entity completing "
        "the attach operation, i.e. the external-attacher."
    ),
    "storage/v1 CSIDriverSpec.attachRequired": (
        "attachRequired indicates this CSI volume driver requires an attach operation (because it implements the CSI "
        "ControllerPublishVolume() method), and that the Kubernetes attach detach controller should call the attach "
        "volume interface which checks the volumeattachment status and waits until the volume is attached before "
        "proceeding to mounting. The CSI external-attacher coordinates with CSI volume driver and updates the "
        "volumeattachment status when the attach operation is complete. If the value is specified to false, the "
        "attach operation will be skipped. Otherwise the attach operation will be called.\n\nThis field is immutable."
    ),
    "storage/v1 CSIDriverSpec.podInfoOnMount": (
        "podInfoOnMount indicates this CSI volume driver requires additional pod information (like podName, podUID, "
        "etc.) during mount operations, if set to true. If set to false, pod information will not be passed on mount. "
        "Default is false.\n\nThe CSI driver specifies podInfoOnMount as part of driver deployment. If true, Kubelet "
        "will pass pod information as VolumeContext in the CSI NodePublishVolume() calls. The CSI driver is "
        "responsible for parsing and validating the information passed in as VolumeContext.\n\nThe following "
        "VolumeContext will be passed if podInfoOnMount is set to true. This list might grow, but the prefix will be "
        'used. "csi.storage.k8s.io/pod.name": pod.Name "csi.storage.k8s.io/pod.namespace": pod.Namespace '
        '"csi.storage.k8s.io/pod.uid": string(pod.UID) "csi.storage.k8s.io/ephemeral": "true" if the volume is '
        "an ephemeral inline volume\n                                defined by a CSIVolumeSource, otherwise "
        '"false"\n\n"csi.storage.k8s.io/ephemeral" is a new feature in Kubernetes 1.16. It is only required for '
        'drivers which support both the "Persistent" and "Ephemeral" VolumeLifecycleMode. Other drivers can leave '
        "pod info disabled and/or ignore this field. As Kubernetes 1.15 doesn't support this field, drivers can only "
        "support one mode when deployed on such a cluster and the deployment determines which mode that is, for "
        "example via a command line parameter of the driver.\n\nThis field was immutable in Kubernetes < 1.29 and now "
        "is mutable."
    ),
    "storage/v1 CSIDriverSpec.storageCapacity": (
        "storageCapacity indicates that the CSI volume driver wants pod scheduling to consider the storage capacity "
        "that the driver deployment will report by creating CSIStorageCapacity objects with capacity information, if "
        "set to true.\n\nThe check can be enabled immediately when deploying a driver. In that case, provisioning new "
        "volumes with late binding will pause until the driver deployment has published some suitable "
        "CSIStorageCapacity object.\n\nAlternatively, the driver can be deployed with the field unset or false and it "
        "can be flipped later when storage capacity information has been published.\n\nThis field was immutable in "
        "Kubernetes <= 1.22 and now is mutable."
    ),
    "storage/v1 CSIDriverSpec.tokenRequests": (
        "tokenRequests indicates the CSI driver needs pods' service account tokens it is mounting volume for to do "
        "necessary authentication. Kubelet will pass the tokens in VolumeContext in the CSI NodePublishVolume calls. "
        "The CSI driver should parse and validate the following VolumeContext: "
        '"csi.storage.k8s.io/serviceAccount.tokens": {\n  "<audience>": {\n    "token": <token>,\n    '
        '"expirationTimestamp": <expiration timestamp in RFC3339>,\n  },\n  ...\n}\n\nNote: Audience in each '
        "TokenRequest should be different and at most one token is empty string. To receive a new token after expiry, "
        "RequiresRepublish can be used to trigger NodePublishVolume periodically."
    ),
    "storage/v1 CSIDriverSpec.requiresRepublish": (
        "requiresRepublish indicates the CSI driver wants `NodePublishVolume` being periodically called to reflect "
        "any possible change in the mounted volume. This field defaults to false.\n\nNote: After a successful initial "
        "NodePublishVolume call, subsequent calls to NodePublishVolume should only update the contents of the volume. "
        "New mount points will not be seen by a running container."
    ),
    "storage/v1 CSIDriverSpec.volumeLifecycleModes": (
        "volumeLifecycleModes defines what kind of volumes this CSI volume driver supports. The default if the list "
        'is empty is "Persistent", which is the usage defined by the CSI specification and implemented in '
        'Kubernetes via the usual PV/PVC mechanism.\n\nThe other mode is "Ephemeral". In this mode, volumes are '
        "defined inline inside the pod spec with CSIVolumeSource and their lifecycle is tied to the lifecycle of that "
        "pod. A driver has to be aware of this because it is only going to get a NodePublishVolume call for such a "
        "volume.\n\nFor more information about implementing this mode, see "
        "https://kubernetes-csi.github.io/docs/ephemeral-local-volumes.html A driver can support one or more of these "
        "modes and more modes may be added in the future.\n\nThis field is beta. This field is immutable."
    ),
    "apps/v1beta1 ControllerRevision.revision": "revision indicates the revision of the state represented by Data.",
    "scheduling/v1 PriorityClass.value": (
        "value represents the integer value of this priority class. This is the actual priority that pods receive "
        "when they have the name of this class in their pod spec."
    ),
    "scheduling/v1 PriorityClass.globalDefault": (
        "globalDefault specifies whether this PriorityClass should be considered as the default priority for pods "
        "that do not have any priority class. Only one PriorityClass can be marked as `globalDefault`. However, if "
        "more than one PriorityClasses exists with their `globalDefault` field set to true, the smallest value of "
        "such global default PriorityClasses will be used as the default priority."
    ),
    "scheduling/v1 PriorityClass.preemptionPolicy": (
        "preemptionPolicy is the Policy for preempting pods with lower priority. One of Never, PreemptLowerPriority. "
        "Defaults to PreemptLowerPriority if unset."
    ),
    "certificates/v1beta1 CertificateSigningRequestSpec.signerName": (
        "Requested signer for the request. It is a qualified name in the form: `scope-hostname.io/name`. If empty, it "
        "will be defaulted:\n 1. If it's a kubelet client certificate, it is assigned\n    "
        '"kubernetes.io/kube-apiserver-client-kubelet".\n 2. If it\'s a kubelet serving certificate, it is '
        'assigned\n    "kubernetes.io/kubelet-serving".\n 3. Otherwise, it is assigned '
        '"kubernetes.io/legacy-unknown".\nDistribution of trust for signers happens out of band. You can select on '
        "this field using `spec.signerName`."
    ),
    "certificates/v1beta1 CertificateSigningRequestSpec.request": "Base64-encoded PKCS#10 CSR data",
    "certificates/v1beta1 CertificateSigningRequestSpec.expirationSeconds": (
        "expirationSeconds is the requested duration of validity of the issued certificate. The certificate signer "
        "may issue a certificate with a different validity duration so a client must check the delta between the "
        "notBefore and and notAfter fields in the issued certificate to determine the actual duration.\n\nThe v1.22+ "
        "in-tree implementations of the well-known Kubernetes signers will honor this field as long as the requested "
        "duration is not greater than the maximum duration they will honor per the --cluster-signing-duration CLI "
        "flag to the Kubernetes controller manager.\n\nCertificate signers may not honor this field for various "
        "reasons:\n\n  1. Old signer that is unaware of the field (such as the in-tree\n     implementations prior to "
        "v1.22)\n  2. Signer whose configured maximum is shorter than the requested duration\n  3. Signer whose "
        "configured minimum is longer than the requested duration\n\nThe minimum valid value for expirationSeconds is "
        "600, i.e. 10 minutes."
    ),
    "certificates/v1beta1 CertificateSigningRequestStatus.conditions": (
        "Conditions applied to the request, such as approval or denial."
    ),
    "flowcontrol/v1 PriorityLevelConfigurationReference.name": (
        "`name` is the name of the priority level configuration being referenced Required."
    ),
    "flowcontrol/v1 FlowSchemaSpec.matchingPrecedence": (
        "`matchingPrecedence` is used to choose among the FlowSchemas that match a given request. The chosen "
        "FlowSchema is among those with the numerically lowest (which we take to be logically highest) "
        "MatchingPrecedence.  Each MatchingPrecedence value must be ranged in [1,10000]. Note that if the precedence "
        "is not specified, it will be set to 1000 as default."
    ),
    "flowcontrol/v1 FlowSchemaSpec.distinguisherMethod": (
        "`distinguisherMethod` defines how to compute the flow distinguisher for requests that match this schema. "
        "`nil` specifies that the distinguisher is disabled and thus will always be the empty string."
    ),
    "flowcontrol/v1 PriorityLevelConfigurationSpec.type": (
        "`type` indicates whether this priority level is subject to limitation on request execution.  A value of "
        '`"Exempt"` means that requests of this priority level are not subject to a limit (and thus are never '
        "queued) and do not detract from the capacity made available to other priority levels.  A value of "
        '`"Limited"` means that (a) requests of this priority level _are_ subject to limits and (b) some of the '
        "server's limited capacity is made available exclusively to this priority level. Required."
    ),
    "flowcontrol/v1 LimitedPriorityLevelConfiguration.nominalConcurrencyShares": (
        "`nominalConcurrencyShares` (NCS) contributes to the computation of the NominalConcurrencyLimit (NominalCL) "
        "of this level. This is the number of execution seats available at this priority level. This is used both for "
        "requests dispatched from this priority level as well as requests dispatched from other priority levels "
        "borrowing seats from this level. The server's concurrency limit (ServerCL) is divided among the Limited "
        "priority levels in proportion to their NCS values:\n\nNominalCL(i)  = ceil( ServerCL * NCS(i) / sum_ncs ) "
        "sum_ncs = sum[priority level k] NCS(k)\n\nBigger numbers mean a larger nominal concurrency limit, at the "
        "expense of every other priority level.\n\nIf not specified, this field defaults to a value of 30.\n\nSetting "
        'this field to zero supports the construction of a "jail" for this priority level that is used to hold some '
        "request(s)"
    ),
    "flowcontrol/v1 QueuingConfiguration.queues": (
        "`queues` is the number of queues for this priority level. The queues exist independently at each apiserver. "
        "The value must be positive.  Setting it to 1 effectively precludes shufflesharding and thus makes the "
        "distinguisher method of associated flow schemas irrelevant.  This field has a default value of 64."
    ),
    "flowcontrol/v1 QueuingConfiguration.handSize": (
        "`handSize` is a small positive number that configures the shuffle sharding of requests into queues.  When "
        "enqueuing a request at this priority level the request's flow identifier (a string pair) is hashed and the "
        "hash value is used to shuffle the list of queues and deal a hand of the size specified here.  The request is "
        "put into one of the shortest queues in that hand. `handSize` must be no larger than `queues`, and should be "
        "significantly smaller (so that a few heavy flows do not saturate most of the queues).  See the user-facing "
        "documentation for more extensive guidance on setting this field.  This field has a default value of 8."
    ),
    "flowcontrol/v1 QueuingConfiguration.queueLengthLimit": (
        "`queueLengthLimit` is the maximum number of requests allowed to be waiting in a given queue of this priority "
        "level at a time; excess requests are rejected.  This value must be positive.  If not specified, it will be "
        "defaulted to 50."
    ),
    "storage/v1 CSIStorageCapacity.storageClassName": (
        "storageClassName represents the name of the StorageClass that the reported capacity applies to. It must meet "
        "the same requirements as the name of a StorageClass object (non-empty, DNS subdomain). If that object no "
        "longer exists, the CSIStorageCapacity object is obsolete and should be removed by its creator. This field is "
        "immutable."
    ),
    "storage/v1 CSIStorageCapacity.capacity": (
        "capacity is the value reported by the CSI driver in its GetCapacityResponse for a GetCapacityRequest with "
        "topology and parameters that match the previous fields.\n\nThe semantic is currently (CSI spec 1.2) defined "
        "as: The available capacity, in bytes, of the storage that can be used to provision volumes. If not set, that "
        "information is currently unavailable."
    ),
    "discovery/v1beta1 EndpointSlice.addressType": (
        "addressType specifies the type of address carried by this EndpointSlice. All addresses in this slice must be "
        "the same type. This field is immutable after creation. The following address types are currently supported: "
        "* IPv4: Represents an IPv4 Address. * IPv6: Represents an IPv6 Address. * FQDN: Represents a Fully Qualified "
        "Domain Name."
    ),
    "discovery/v1beta1 EndpointSlice.ports": (
        "ports specifies the list of network ports exposed by each endpoint in this slice. Each port must have a "
        "unique name. When ports is empty, it indicates that there are no defined ports. When a port is defined with "
        'a nil port value, it indicates "all ports". Each slice may include a maximum of 100 ports.'
    ),
    "discovery/v1beta1 EndpointSlice.endpoints": (
        "endpoints is a list of unique endpoints in this slice. Each slice may include a maximum of 1000 endpoints."
    ),
}


def _doc(key: str) -> str:
    return _DOCS[key]


def _col(
    name: str, type_: str = "string", description: str = "", *, fmt: str = "", priority: int = 0
) -> ColumnDefinition:
    return {"name": name, "type": type_, "format": fmt, "description": description, "priority": priority}


_NAME_DOC: Final = _DOCS["meta/v1 ObjectMeta.name"]
_CREATED_DOC: Final = _DOCS["meta/v1 ObjectMeta.creationTimestamp"]
_NAME: Final = _col("Name", description=_NAME_DOC, fmt="name")
_AGE: Final = _col("Age", description=_CREATED_DOC)
_CONTAINERS: Final = _col("Containers", description="Names of each container in the template.", priority=1)
_IMAGES: Final = _col("Images", description="Images referenced by each container in the template.", priority=1)
_DEFAULT_COLUMNS: Final = (_NAME, _col("Created At", "date", _CREATED_DOC))


# --------------------------------------------------------------------------------------------------
# Row printers, one per resource. Each returns every cell, wide ones included.

Row = list[Cell]


def _pod_row(pod: Mapping[str, Any], now: datetime) -> Row:
    spec, status = _map(pod, "spec"), _map(pod, "status")
    restarts = 0
    sidecar_restarts = 0
    total = len(_list(spec, "containers"))
    ready = 0
    last_restart: datetime | None = None
    last_sidecar_restart: datetime | None = None

    # The registry sets phase Pending on create, so a stored pod always has one.
    phase = _str(status, "phase") or "Pending"
    reason = _str(status, "reason") or phase
    for condition in _maps(status, "conditions"):
        if condition.get("type") == "PodScheduled" and condition.get("reason") == "SchedulingGated":
            reason = "SchedulingGated"

    init_specs = _maps(spec, "initContainers")
    restartable = {_str(c, "name") for c in init_specs if c.get("restartPolicy") == "Always"}
    total += sum(1 for c in init_specs if c.get("restartPolicy") == "Always")

    def later(current: datetime | None, status_: Mapping[str, Any]) -> datetime | None:
        finished = _parse_time(_dig(status_, "lastState", "terminated", "finishedAt"))
        if _dig(status_, "lastState", "terminated") is None or finished is None:
            return current
        return finished if current is None or current < finished else current

    initializing = False
    for i, container in enumerate(_maps(status, "initContainerStatuses")):
        count = _int(container, "restartCount")
        restarts += count
        last_restart = later(last_restart, container)
        is_sidecar = _str(container, "name") in restartable
        if is_sidecar:
            sidecar_restarts += count
            last_sidecar_restart = later(last_sidecar_restart, container)
        terminated = _dig(container, "state", "terminated")
        waiting_reason = _str(container, "state", "waiting", "reason")
        if isinstance(terminated, Mapping) and _int(terminated, "exitCode") == 0:
            continue
        if is_sidecar and _bool(container, "started"):
            if _bool(container, "ready"):
                ready += 1
            continue
        if isinstance(terminated, Mapping):
            if terminated.get("reason"):
                reason = "Init:" + _str(terminated, "reason")
            elif _int(terminated, "signal"):
                reason = f"Init:Signal:{_int(terminated, 'signal')}"
            else:
                reason = f"Init:ExitCode:{_int(terminated, 'exitCode')}"
        elif waiting_reason and waiting_reason != "PodInitializing":
            reason = "Init:" + waiting_reason
        else:
            reason = f"Init:{i}/{len(init_specs)}"
        initializing = True
        break

    initialized = _condition(status, "conditions", kind="Initialized")
    if not initializing or (initialized is not None and initialized.get("status") == "True"):
        restarts = sidecar_restarts
        last_restart = last_sidecar_restart
        has_running = False
        for container in reversed(_maps(status, "containerStatuses")):
            restarts += _int(container, "restartCount")
            last_restart = later(last_restart, container)
            state = _map(container, "state")
            terminated = state.get("terminated")
            if _str(state, "waiting", "reason"):
                reason = _str(state, "waiting", "reason")
            elif isinstance(terminated, Mapping) and _str(terminated, "reason"):
                reason = _str(terminated, "reason")
            elif isinstance(terminated, Mapping):
                signal = _int(terminated, "signal")
                reason = f"Signal:{signal}" if signal else f"ExitCode:{_int(terminated, 'exitCode')}"
            elif _bool(container, "ready") and isinstance(state.get("running"), Mapping):
                has_running = True
                ready += 1
        # A container still running turns "Completed" back into Running (or NotReady).
        if reason == "Completed" and has_running:
            pod_ready = any(c.get("type") == "Ready" and c.get("status") == "True" for c in _maps(status, "conditions"))
            reason = "Running" if pod_ready else "NotReady"

    if _deleting(pod) and _str(status, "reason") == _NODE_UNREACHABLE_POD_REASON:
        reason = "Unknown"
    elif _deleting(pod) and phase not in ("Succeeded", "Failed"):
        reason = "Terminating"

    restarts_text = str(restarts)
    if restarts != 0 and last_restart is not None:
        restarts_text = f"{restarts} ({_since(last_restart, now)} ago)"

    pod_ips = _maps(status, "podIPs")
    pod_ip = (_str(pod_ips[0], "ip") if pod_ips else _str(status, "podIP")) or "<none>"
    gates = _maps(spec, "readinessGates")
    readiness_gates = "<none>"
    if gates:
        passed = 0
        for gate in gates:
            found = _condition(status, "conditions", kind=_str(gate, "conditionType"))
            if found is not None and found.get("status") == "True":
                passed += 1
        readiness_gates = f"{passed}/{len(gates)}"
    return [
        _name(pod),
        f"{ready}/{total}",
        reason,
        restarts_text,
        _age(pod, now),
        pod_ip,
        _str(spec, "nodeName") or "<none>",
        _str(status, "nominatedNodeName") or "<none>",
        readiness_gates,
    ]


def _pod_conditions(pod: Mapping[str, Any]) -> list[dict[str, str]]:
    """The ``Completed`` row condition printers put on finished pods (clients may dim those rows)."""
    phase = _str(pod, "status", "phase")
    if phase == "Succeeded":
        return [
            {
                "type": "Completed",
                "status": "True",
                "reason": "Succeeded",
                "message": "The pod has completed successfully.",
            }
        ]
    if phase == "Failed":
        return [{"type": "Completed", "status": "True", "reason": "Failed", "message": "The pod failed."}]
    return []


def _pod_template_row(obj: Mapping[str, Any], now: datetime) -> Row:
    names, images = _containers(_map(obj, "template", "spec"))
    return [_name(obj), names, images, _format_labels(_dig(obj, "template", "metadata", "labels"))]


def _replication_controller_row(obj: Mapping[str, Any], now: datetime) -> Row:
    template = _dig(obj, "spec", "template")
    names, images = _containers(_map(template, "spec"))
    # Defaulting copies the template's labels into an empty selector.
    selector = _map(obj, "spec", "selector") or _map(template, "metadata", "labels")
    return [
        _name(obj),
        _int(obj, "spec", "replicas", default=1),
        _int(obj, "status", "replicas"),
        _int(obj, "status", "readyReplicas"),
        _age(obj, now),
        names,
        images,
        _format_labels(selector),
    ]


def _replica_set_row(obj: Mapping[str, Any], now: datetime) -> Row:
    names, images = _containers(_map(obj, "spec", "template", "spec"))
    return [
        _name(obj),
        _int(obj, "spec", "replicas", default=1),
        _int(obj, "status", "replicas"),
        _int(obj, "status", "readyReplicas"),
        _age(obj, now),
        names,
        images,
        _format_label_selector(_dig(obj, "spec", "selector")),
    ]


def _deployment_row(obj: Mapping[str, Any], now: datetime) -> Row:
    names, images = _containers(_map(obj, "spec", "template", "spec"))
    selector = selector_string(_dig(obj, "spec", "selector"))
    return [
        _name(obj),
        f"{_int(obj, 'status', 'readyReplicas')}/{_int(obj, 'spec', 'replicas', default=1)}",
        _int(obj, "status", "updatedReplicas"),
        _int(obj, "status", "availableReplicas"),
        _age(obj, now),
        names,
        images,
        "<invalid>" if selector is None else selector,
    ]


def _stateful_set_row(obj: Mapping[str, Any], now: datetime) -> Row:
    names, images = _containers(_map(obj, "spec", "template", "spec"))
    ready, desired = _int(obj, "status", "readyReplicas"), _int(obj, "spec", "replicas", default=1)
    return [_name(obj), f"{ready}/{desired}", _age(obj, now), names, images]


def _daemon_set_row(obj: Mapping[str, Any], now: datetime) -> Row:
    pod_spec = _map(obj, "spec", "template", "spec")
    names, images = _containers(pod_spec)
    return [
        _name(obj),
        _int(obj, "status", "desiredNumberScheduled"),
        _int(obj, "status", "currentNumberScheduled"),
        _int(obj, "status", "numberReady"),
        _int(obj, "status", "updatedNumberScheduled"),
        _int(obj, "status", "numberAvailable"),
        _format_labels(pod_spec.get("nodeSelector")),
        _age(obj, now),
        names,
        images,
        _format_label_selector(_dig(obj, "spec", "selector")),
    ]


def _job_condition(obj: Mapping[str, Any], kind: str) -> bool:
    """``hasJobCondition``: the first condition of that type decides."""
    found = _condition(obj, "status", "conditions", kind=kind)
    return found is not None and found.get("status") == "True"


def _job_row(obj: Mapping[str, Any], now: datetime) -> Row:
    succeeded = _int(obj, "status", "succeeded")
    completions_spec = _opt_int(obj, "spec", "completions")
    if completions_spec is not None:
        completions = f"{succeeded}/{completions_spec}"
    else:
        parallelism = _int(obj, "spec", "parallelism")
        completions = f"{succeeded}/1 of {parallelism}" if parallelism > 1 else f"{succeeded}/1"
    start = _parse_time(_dig(obj, "status", "startTime"))
    end = _parse_time(_dig(obj, "status", "completionTime"))
    duration = ""
    if start is not None:
        duration = human_duration((end if end is not None else _aware(now)) - start)
    if _job_condition(obj, "Complete"):
        status = "Complete"
    elif _job_condition(obj, "Failed"):
        status = "Failed"
    elif _deleting(obj):
        status = "Terminating"
    elif _job_condition(obj, "Suspended"):
        status = "Suspended"
    elif _job_condition(obj, "FailureTarget"):
        status = "FailureTarget"
    else:
        status = "Running"
    names, images = _containers(_map(obj, "spec", "template", "spec"))
    selector = _format_label_selector(_dig(obj, "spec", "selector"))
    return [_name(obj), status, completions, duration, _age(obj, now), names, images, selector]


def _cron_job_row(obj: Mapping[str, Any], now: datetime) -> Row:
    last = _dig(obj, "status", "lastScheduleTime")
    names, images = _containers(_map(obj, "spec", "jobTemplate", "spec", "template", "spec"))
    return [
        _name(obj),
        _str(obj, "spec", "schedule"),
        _str(obj, "spec", "timeZone") or "<none>",
        _bool_text(_bool(obj, "spec", "suspend")),  # defaulted to false; printBoolPtr
        len(_list(obj, "status", "active")),
        "<none>" if last is None else _since(last, now),
        _age(obj, now),
        names,
        images,
        _format_label_selector(_dig(obj, "spec", "jobTemplate", "spec", "selector")),
    ]


def _load_balancer_ingress(status: Mapping[str, Any]) -> list[str]:
    """``loadBalancerStatusStringer`` with wide=true: sorted, unique IPs or hostnames."""
    found = {_str(i, "ip") or _str(i, "hostname") for i in _maps(status, "ingress")}
    found.discard("")
    return sorted(found)


def _service_external_ip(obj: Mapping[str, Any], service_type: str) -> str:
    external_ips = [ip for ip in _list(obj, "spec", "externalIPs") if isinstance(ip, str)]
    if service_type in ("ClusterIP", "NodePort"):
        return ",".join(external_ips) or "<none>"
    if service_type == "LoadBalancer":
        lb_ips = _load_balancer_ingress(_map(obj, "status", "loadBalancer"))
        if external_ips:
            return ",".join(lb_ips + external_ips)
        return ",".join(lb_ips) or "<pending>"
    if service_type == "ExternalName":
        return _str(obj, "spec", "externalName")
    return "<unknown>"


def _service_ports(ports: list[Mapping[str, Any]]) -> str:
    """``makePortString``: ``80/TCP``, or ``80:30080/TCP`` with a node port."""
    pieces = []
    for port in ports:
        protocol = _str(port, "protocol") or "TCP"
        node_port = _int(port, "nodePort")
        if node_port > 0:
            pieces.append(f"{_int(port, 'port')}:{node_port}/{protocol}")
        else:
            pieces.append(f"{_int(port, 'port')}/{protocol}")
    return ",".join(pieces)


def _service_row(obj: Mapping[str, Any], now: datetime) -> Row:
    service_type = _str(obj, "spec", "type") or "ClusterIP"
    cluster_ips = [ip for ip in _list(obj, "spec", "clusterIPs") if isinstance(ip, str)]
    cluster_ip = cluster_ips[0] if cluster_ips else _str(obj, "spec", "clusterIP")
    return [
        _name(obj),
        service_type,
        cluster_ip or "<none>",
        _service_external_ip(obj, service_type),
        _service_ports(_maps(obj, "spec", "ports")) or "<none>",
        _age(obj, now),
        _format_labels(_dig(obj, "spec", "selector")),
    ]


def _format_endpoints(obj: Mapping[str, Any]) -> str:
    subsets = _maps(obj, "subsets")
    if not subsets:
        return "<none>"
    items: list[str] = []
    maximum, more, count = 3, False, 0
    for subset in subsets:
        addresses = _maps(subset, "addresses")
        ports = _maps(subset, "ports")
        if not ports:
            # Headless services may have no ports.
            count += len(addresses)
            for address in addresses:
                if len(items) == maximum:
                    more = True
                    break
                items.append(_str(address, "ip"))
            continue
        for port in ports:
            count += len(addresses)
            for address in addresses:
                if len(items) == maximum:
                    more = True
                    break
                items.append(_join_host_port(_str(address, "ip"), _int(port, "port")))
    text = ",".join(items)
    return f"{text} + {count - maximum} more..." if more else text


def _endpoints_row(obj: Mapping[str, Any], now: datetime) -> Row:
    return [_name(obj), _format_endpoints(obj), _age(obj, now)]


def _endpoint_slice_row(obj: Mapping[str, Any], now: datetime) -> Row:
    maximum = 3
    ports: list[str] = []
    more, count = False, 0
    for port in _maps(obj, "ports"):
        if len(ports) < maximum:
            if _opt_int(port, "port") is not None:
                ports.append(str(_opt_int(port, "port")))
            elif isinstance(port.get("name"), str):
                ports.append(port["name"])
            else:
                ports.append("*")
        elif len(ports) == maximum:
            more = True
        count += 1
    port_text = _list_with_more(ports, more, count, maximum)
    addresses: list[str] = []
    more, count = False, 0
    for endpoint in _maps(obj, "endpoints"):
        for address in _list(endpoint, "addresses"):
            if len(addresses) < maximum:
                addresses.append(str(address))
            elif len(addresses) == maximum:
                more = True
            count += 1
    endpoint_text = _list_with_more(addresses, more, count, maximum)
    return [_name(obj), _str(obj, "addressType"), port_text, endpoint_text, _age(obj, now)]


def _ingress_row(obj: Mapping[str, Any], now: datetime) -> Row:
    rules = _maps(obj, "spec", "rules")
    hosts: list[str] = []
    maximum, more = 3, False
    for rule in rules:
        if len(hosts) == maximum:
            more = True
        if not more and _str(rule, "host"):
            hosts.append(_str(rule, "host"))
    if not hosts:
        host_text = "*"
    elif more:
        host_text = f"{','.join(hosts)} + {len(rules) - maximum} more..."
    else:
        host_text = ",".join(hosts)
    class_name = _dig(obj, "spec", "ingressClassName")
    return [
        _name(obj),
        class_name if isinstance(class_name, str) else "<none>",
        host_text,
        ",".join(_load_balancer_ingress(_map(obj, "status", "loadBalancer"))),
        "80, 443" if _list(obj, "spec", "tls") else "80",
        _age(obj, now),
    ]


def _ingress_class_row(obj: Mapping[str, Any], now: datetime) -> Row:
    parameters = "<none>"
    params = _dig(obj, "spec", "parameters")
    if isinstance(params, Mapping):
        parameters = _str(params, "kind")
        if isinstance(params.get("apiGroup"), str):
            parameters += "." + params["apiGroup"]
        parameters += "/" + _str(params, "name")
    return [_name(obj), _str(obj, "spec", "controller"), parameters, _age(obj, now)]


def _network_policy_row(obj: Mapping[str, Any], now: datetime) -> Row:
    # spec.podSelector is a struct, not a pointer: unset means the empty selector.
    selector = _dig(obj, "spec", "podSelector")
    return [_name(obj), _format_label_selector(selector if selector is not None else {}), _age(obj, now)]


def _node_roles(obj: Mapping[str, Any]) -> list[str]:
    roles: set[str] = set()
    for key, value in _map(obj, "metadata", "labels").items():
        if key.startswith(_LABEL_NODE_ROLE_PREFIX):
            role = key[len(_LABEL_NODE_ROLE_PREFIX) :]
            if role:
                roles.add(role)
        elif key == _NODE_LABEL_ROLE and value:
            roles.add(str(value))
    return sorted(roles)


def _node_address(obj: Mapping[str, Any], kind: str) -> str:
    for address in _maps(obj, "status", "addresses"):
        if address.get("type") == kind:
            return _str(address, "address")
    return "<none>"


def _node_row(obj: Mapping[str, Any], now: datetime) -> Row:
    ready: Mapping[str, Any] | None = None
    for condition in _maps(obj, "status", "conditions"):
        if condition.get("type") == "Ready":
            ready = condition  # a map keyed by type in Go: the last one wins
    status = []
    if ready is not None:
        status.append("Ready" if ready.get("status") == "True" else "NotReady")
    else:
        status.append("Unknown")
    if _bool(obj, "spec", "unschedulable"):
        status.append("SchedulingDisabled")
    info = _map(obj, "status", "nodeInfo")
    return [
        _name(obj),
        ",".join(status),
        ",".join(_node_roles(obj)) or "<none>",
        _age(obj, now),
        _str(info, "kubeletVersion"),
        _node_address(obj, "InternalIP"),
        _node_address(obj, "ExternalIP"),
        _str(info, "osImage") or "<unknown>",
        _str(info, "kernelVersion") or "<unknown>",
        _str(info, "containerRuntimeVersion") or "<unknown>",
    ]


def _namespace_row(obj: Mapping[str, Any], now: datetime) -> Row:
    return [_name(obj), _str(obj, "status", "phase") or "Active", _age(obj, now)]


def _core_event(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    """An ``events.k8s.io/v1`` Event in ``core/v1`` field names, as the conversion maps them."""
    return {
        "metadata": obj.get("metadata"),
        "involvedObject": obj.get("regarding"),
        "reason": obj.get("reason"),
        "message": obj.get("note"),
        "source": obj.get("deprecatedSource"),
        "firstTimestamp": obj.get("deprecatedFirstTimestamp"),
        "lastTimestamp": obj.get("deprecatedLastTimestamp"),
        "count": obj.get("deprecatedCount"),
        "type": obj.get("type"),
        "eventTime": obj.get("eventTime"),
        "series": obj.get("series"),
        "reportingComponent": obj.get("reportingController"),
        "reportingInstance": obj.get("reportingInstance"),
    }


def _event_row(obj: Mapping[str, Any], now: datetime) -> Row:
    first_seen = _since(obj.get("firstTimestamp"), now)
    if _parse_time(obj.get("firstTimestamp")) is None:
        first_seen = _since(obj.get("eventTime"), now)
    last_seen = _since(obj.get("lastTimestamp"), now)
    if _parse_time(obj.get("lastTimestamp")) is None:
        last_seen = first_seen
    count = _int(obj, "count")
    series = obj.get("series")
    if isinstance(series, Mapping):
        last_seen = _since(series.get("lastObservedTime"), now)
        count = _int(series, "count")
    elif count == 0:
        count = 1  # singleton events of the new API carry no count
    kind = _str(obj, "involvedObject", "kind").lower()
    involved_name = _str(obj, "involvedObject", "name")
    target = f"{kind}/{involved_name}" if involved_name else kind
    component = _str(obj, "source", "component") or _str(obj, "reportingComponent")
    instance = _str(obj, "source", "host") or _str(obj, "reportingInstance")
    return [
        last_seen,
        _str(obj, "type"),
        _str(obj, "reason"),
        target,
        _str(obj, "involvedObject", "fieldPath"),
        f"{component}, {instance}" if instance else component,
        _str(obj, "message").strip(),
        first_seen,
        count,
        _name(obj),
    ]


def _events_v1_row(obj: Mapping[str, Any], now: datetime) -> Row:
    return _event_row(_core_event(obj), now)


def _secret_row(obj: Mapping[str, Any], now: datetime) -> Row:
    # stringData is write-only: the API merges it into data before storing.
    keys = set(_map(obj, "data")) | set(_map(obj, "stringData"))
    return [_name(obj), _str(obj, "type") or "Opaque", len(keys), _age(obj, now)]


def _config_map_row(obj: Mapping[str, Any], now: datetime) -> Row:
    return [_name(obj), len(_map(obj, "data")) + len(_map(obj, "binaryData")), _age(obj, now)]


def _service_account_row(obj: Mapping[str, Any], now: datetime) -> Row:
    return [_name(obj), len(_list(obj, "secrets")), _age(obj, now)]


_ACCESS_MODES: Final = (
    ("ReadWriteOnce", "RWO"),
    ("ReadOnlyMany", "ROX"),
    ("ReadWriteMany", "RWX"),
    ("ReadWriteOncePod", "RWOP"),
)


def _access_modes(modes: list[Any]) -> str:
    """``helper.GetAccessModesAsString``: abbreviations in a fixed order, duplicates dropped."""
    return ",".join(short for mode, short in _ACCESS_MODES if mode in modes)


def _persistent_volume_row(obj: Mapping[str, Any], now: datetime) -> Row:
    claim = ""
    claim_ref = _dig(obj, "spec", "claimRef")
    if isinstance(claim_ref, Mapping):
        claim = f"{_str(claim_ref, 'namespace')}/{_str(claim_ref, 'name')}"
    phase = "Terminating" if _deleting(obj) else (_str(obj, "status", "phase") or "Pending")
    annotations = _map(obj, "metadata", "annotations")
    storage_class = annotations.get(_BETA_STORAGE_CLASS_ANNOTATION)
    if not isinstance(storage_class, str):
        storage_class = _str(obj, "spec", "storageClassName")
    attributes_class = _dig(obj, "spec", "volumeAttributesClassName")
    return [
        _name(obj),
        _quantity(_dig(obj, "spec", "capacity", "storage")),
        _access_modes(_list(obj, "spec", "accessModes")),
        _str(obj, "spec", "persistentVolumeReclaimPolicy") or "Retain",
        phase,
        claim,
        storage_class,
        attributes_class if isinstance(attributes_class, str) else "<unset>",
        _str(obj, "status", "reason"),
        _age(obj, now),
        _str(obj, "spec", "volumeMode") or "Filesystem",
    ]


def _persistent_volume_claim_row(obj: Mapping[str, Any], now: datetime) -> Row:
    phase = "Terminating" if _deleting(obj) else (_str(obj, "status", "phase") or "Pending")
    capacity = access_modes = ""
    if _str(obj, "spec", "volumeName"):
        access_modes = _access_modes(_list(obj, "status", "accessModes"))
        capacity = _quantity(_dig(obj, "status", "capacity", "storage"))
    annotations = _map(obj, "metadata", "annotations")
    storage_class = annotations.get(_BETA_STORAGE_CLASS_ANNOTATION)
    if not isinstance(storage_class, str):
        storage_class = _str(obj, "spec", "storageClassName")
    attributes_class = _dig(obj, "spec", "volumeAttributesClassName")
    return [
        _name(obj),
        phase,
        _str(obj, "spec", "volumeName"),
        capacity,
        access_modes,
        storage_class,
        attributes_class if isinstance(attributes_class, str) else "<unset>",
        _age(obj, now),
        _str(obj, "spec", "volumeMode") or "Filesystem",
    ]


def _is_default_class(obj: Mapping[str, Any]) -> bool:
    annotations = _map(obj, "metadata", "annotations")
    return any(annotations.get(key) == "true" for key in _DEFAULT_CLASS_ANNOTATIONS)


def _storage_class_row(obj: Mapping[str, Any], now: datetime) -> Row:
    name = _name(obj)
    if _is_default_class(obj):
        name += " (default)"
    return [
        name,
        _str(obj, "provisioner"),
        _str(obj, "reclaimPolicy") or "Delete",
        _str(obj, "volumeBindingMode") or "Immediate",
        _bool(obj, "allowVolumeExpansion"),
        _age(obj, now),
    ]


def _lease_row(obj: Mapping[str, Any], now: datetime) -> Row:
    return [_name(obj), _str(obj, "spec", "holderIdentity"), _age(obj, now)]


def _priority_class_row(obj: Mapping[str, Any], now: datetime) -> Row:
    return [
        _name(obj),
        _int(obj, "value"),
        _bool(obj, "globalDefault"),
        _age(obj, now),
        _str(obj, "preemptionPolicy") or "PreemptLowerPriority",
    ]


def _pod_disruption_budget_row(obj: Mapping[str, Any], now: datetime) -> Row:
    min_available = _dig(obj, "spec", "minAvailable")
    max_unavailable = _dig(obj, "spec", "maxUnavailable")
    return [
        _name(obj),
        "N/A" if min_available is None else _int_or_string(min_available),
        "N/A" if max_unavailable is None else _int_or_string(max_unavailable),
        _int(obj, "status", "disruptionsAllowed"),
        _age(obj, now),
    ]


def _hpa_metrics(obj: Mapping[str, Any]) -> tuple[list[Mapping[str, Any]], list[Mapping[str, Any]]]:
    """``spec.metrics`` and ``status.currentMetrics`` of an HPA in any version, defaults applied."""
    specs = _maps(obj, "spec", "metrics")
    statuses = _maps(obj, "status", "currentMetrics")
    if not specs:
        # autoscaling/v1 keeps one CPU target; every version defaults to 80% CPU utilization.
        target = _opt_int(obj, "spec", "targetCPUUtilizationPercentage")
        utilization = _DEFAULT_CPU_UTILIZATION if target is None else target
        specs = [
            {
                "type": "Resource",
                "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": utilization}},
            }
        ]
    current = _opt_int(obj, "status", "currentCPUUtilizationPercentage")
    if not statuses and current is not None:
        statuses = [{"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": current}}}]
    return specs, statuses


def _pointer_quantity(value: object) -> str:
    """``(*resource.Quantity).String()``: a nil pointer prints "<nil>"."""
    return "<nil>" if value is None else _quantity(value)


def _format_hpa_metrics(specs: list[Mapping[str, Any]], statuses: list[Mapping[str, Any]]) -> str:
    if not specs:
        return "<none>"
    items: list[str] = []
    maximum, count = 2, 0
    for i, spec in enumerate(specs):
        status: Mapping[str, Any] = statuses[i] if i < len(statuses) else {}
        kind = spec.get("type")
        if kind in ("External", "Object"):
            field = kind.lower()
            target = _map(spec, field, "target")
            current_source = status.get(field)
            if target.get("averageValue") is not None:
                current = "<unknown>"
                if isinstance(current_source, Mapping) and _dig(current_source, "current", "averageValue") is not None:
                    current = _quantity(_dig(current_source, "current", "averageValue"))
                items.append(f"{current}/{_quantity(target['averageValue'])} (avg)")
            else:
                current = "<unknown>"
                if isinstance(current_source, Mapping):
                    current = _pointer_quantity(_dig(current_source, "current", "value"))
                items.append(f"{current}/{_pointer_quantity(target.get('value'))}")
        elif kind == "Pods":
            current = "<unknown>"
            if isinstance(status.get("pods"), Mapping):
                current = _pointer_quantity(_dig(status, "pods", "current", "averageValue"))
            items.append(f"{current}/{_pointer_quantity(_dig(spec, 'pods', 'target', 'averageValue'))}")
        elif kind in ("Resource", "ContainerResource"):
            field = "resource" if kind == "Resource" else "containerResource"
            resource_name = _str(spec, field, "name")
            target = _map(spec, field, "target")
            current_source = status.get(field)
            if target.get("averageValue") is not None:
                current = "<unknown>"
                if isinstance(current_source, Mapping):
                    current = _pointer_quantity(_dig(current_source, "current", "averageValue"))
                items.append(f"{resource_name}: {current}/{_quantity(target['averageValue'])}")
            else:
                current = "<unknown>"
                utilization = _opt_int(current_source, "current", "averageUtilization")
                if isinstance(current_source, Mapping) and utilization is not None:
                    current = f"{utilization}%"
                wanted = _opt_int(target, "averageUtilization")
                items.append(f"{resource_name}: {current}/{'<auto>' if wanted is None else f'{wanted}%'}")
        else:
            items.append("<unknown type>")
        count += 1
    if count > maximum:
        return f"{', '.join(items[:maximum])} + {count - maximum} more..."
    return ", ".join(items)


def _horizontal_pod_autoscaler_row(obj: Mapping[str, Any], now: datetime) -> Row:
    ref = _map(obj, "spec", "scaleTargetRef")
    min_replicas = _opt_int(obj, "spec", "minReplicas")
    return [
        _name(obj),
        f"{_str(ref, 'kind')}/{_str(ref, 'name')}",
        _format_hpa_metrics(*_hpa_metrics(obj)),
        str(1 if min_replicas is None else min_replicas),  # defaulted to 1 in every version
        _int(obj, "spec", "maxReplicas"),
        _int(obj, "status", "currentReplicas"),
        _age(obj, now),
    ]


def _subjects(obj: Mapping[str, Any]) -> tuple[str, str, str]:
    """``rbac.SubjectsStrings``: users, groups and ``namespace/name`` service accounts."""
    users, groups, accounts = [], [], []
    for subject in _maps(obj, "subjects"):
        kind = subject.get("kind")
        if kind == "ServiceAccount":
            accounts.append(f"{_str(subject, 'namespace')}/{_str(subject, 'name')}")
        elif kind == "User":
            users.append(_str(subject, "name"))
        elif kind == "Group":
            groups.append(_str(subject, "name"))
    return ", ".join(users), ", ".join(groups), ", ".join(accounts)


def _role_binding_row(obj: Mapping[str, Any], now: datetime) -> Row:
    role = f"{_str(obj, 'roleRef', 'kind')}/{_str(obj, 'roleRef', 'name')}"
    return [_name(obj), role, _age(obj, now), *_subjects(obj)]


def _controller_revision_row(obj: Mapping[str, Any], now: datetime) -> Row:
    controller = "<none>"
    for ref in _maps(obj, "metadata", "ownerReferences"):
        if ref.get("controller") is True:
            api_version = _str(ref, "apiVersion")
            group = api_version.split("/", 1)[0] if "/" in api_version else ""
            kind = _str(ref, "kind")
            if group or kind:
                group_kind = f"{kind}.{group}" if group else kind
                controller = f"{group_kind.lower()}/{_str(ref, 'name')}"
            else:
                controller = _str(ref, "name")
            break
    return [_name(obj), controller, _int(obj, "revision"), _age(obj, now)]


def _resource_quota_row(obj: Mapping[str, Any], now: datetime) -> Row:
    hard, used = _map(obj, "status", "hard"), _map(obj, "status", "used")
    requests: list[str] = []
    limits: list[str] = []
    for resource in sorted(hard):
        pieces = resource.split(".")
        column = limits if len(pieces) > 1 and pieces[0] == "limits" else requests
        column.append(f"{resource}: {_quantity(used.get(resource))}/{_quantity(hard[resource])}")
    return [_name(obj), ", ".join(requests), ", ".join(limits), _age(obj, now)]


def _csi_driver_row(obj: Mapping[str, Any], now: datetime) -> Row:
    spec = _map(obj, "spec")
    token_requests = "<unset>"
    if isinstance(spec.get("tokenRequests"), list):
        token_requests = ",".join(_str(t, "audience") for t in _maps(spec, "tokenRequests"))
    # Defaulting sets volumeLifecycleModes to [Persistent] when empty.
    modes = ",".join(str(m) for m in _list(spec, "volumeLifecycleModes")) or "Persistent"
    return [
        _name(obj),
        _bool(spec, "attachRequired", default=True),
        _bool(spec, "podInfoOnMount"),
        _bool(spec, "storageCapacity"),
        token_requests,
        _bool(spec, "requiresRepublish"),
        modes,
        _age(obj, now),
    ]


def _csi_node_row(obj: Mapping[str, Any], now: datetime) -> Row:
    return [_name(obj), len(_list(obj, "spec", "drivers")), _age(obj, now)]


def _csi_storage_capacity_row(obj: Mapping[str, Any], now: datetime) -> Row:
    capacity = obj.get("capacity")
    return [_name(obj), _str(obj, "storageClassName"), "<unset>" if capacity is None else _quantity(capacity)]


def _volume_attachment_row(obj: Mapping[str, Any], now: datetime) -> Row:
    return [
        _name(obj),
        _str(obj, "spec", "attacher"),
        _str(obj, "spec", "source", "persistentVolumeName"),
        _str(obj, "spec", "nodeName"),
        _bool(obj, "status", "attached"),
        _age(obj, now),
    ]


def _webhook_configuration_row(obj: Mapping[str, Any], now: datetime) -> Row:
    return [_name(obj), len(_list(obj, "webhooks")), _age(obj, now)]


def _validating_admission_policy_row(obj: Mapping[str, Any], now: datetime) -> Row:
    param_kind = _dig(obj, "spec", "paramKind")
    kind = "<unset>"
    if isinstance(param_kind, Mapping):
        kind = f"{_str(param_kind, 'apiVersion')}/{_str(param_kind, 'kind')}"
    return [_name(obj), len(_list(obj, "spec", "validations")), kind, _age(obj, now)]


def _validating_admission_policy_binding_row(obj: Mapping[str, Any], now: datetime) -> Row:
    param_name = "<unset>"
    ref = _dig(obj, "spec", "paramRef")
    if isinstance(ref, Mapping):
        if _str(ref, "name"):
            namespace = _str(ref, "namespace")
            param_name = f"{namespace}/{_str(ref, 'name')}" if namespace else f"*/{_str(ref, 'name')}"
        elif ref.get("selector") is not None:
            # Go prints the selector struct's debug String(); the selector text stands in for it.
            param_name = selector_string(ref.get("selector")) or ""
    return [_name(obj), _str(obj, "spec", "policyName"), param_name, _age(obj, now)]


def _api_service_row(obj: Mapping[str, Any], now: datetime) -> Row:
    service = "Local"
    ref = _dig(obj, "spec", "service")
    if isinstance(ref, Mapping):
        service = f"{_str(ref, 'namespace')}/{_str(ref, 'name')}"
    available = "Unknown"
    condition = _condition(obj, "status", "conditions", kind="Available")
    if condition is not None:
        status, reason = _str(condition, "status"), _str(condition, "reason")
        available = f"{status} ({reason})" if status != "True" and reason else status
    return [_name(obj), service, available, _age(obj, now)]


def _runtime_class_row(obj: Mapping[str, Any], now: datetime) -> Row:
    return [_name(obj), _str(obj, "handler"), _age(obj, now)]


def _certificate_signing_request_row(obj: Mapping[str, Any], now: datetime) -> Row:
    kinds = {_str(c, "type") for c in _maps(obj, "status", "conditions")}
    # In order of precedence, as extractCSRStatus checks them.
    status = "Denied" if "Denied" in kinds else "Approved" if "Approved" in kinds else "Pending"
    if "Failed" in kinds:
        status += ",Failed"
    if _str(obj, "status", "certificate"):
        status += ",Issued"
    seconds = _opt_int(obj, "spec", "expirationSeconds")
    return [
        _name(obj),
        _age(obj, now),
        _str(obj, "spec", "signerName") or "<none>",
        _str(obj, "spec", "username"),
        "<none>" if seconds is None else human_duration(timedelta(seconds=seconds)),
        status,
    ]


def _component_status_row(obj: Mapping[str, Any], now: datetime) -> Row:
    status, message, error = "Unknown", "", ""
    condition = _condition(obj, "conditions", kind="Healthy")
    if condition is not None:
        status = "Healthy" if condition.get("status") == "True" else "Unhealthy"
        message, error = _str(condition, "message"), _str(condition, "error")
    return [_name(obj), status, message, error]


def _flow_schema_row(obj: Mapping[str, Any], now: datetime) -> Row:
    method = _dig(obj, "spec", "distinguisherMethod")
    dangling = _condition(obj, "status", "conditions", kind="Dangling")
    return [
        _name(obj),
        _str(obj, "spec", "priorityLevelConfiguration", "name"),
        _int(obj, "spec", "matchingPrecedence") or 1000,  # defaulting turns 0 into 1000
        _str(method, "type") if isinstance(method, Mapping) else "<none>",
        _age(obj, now),
        "?" if dangling is None else _str(dangling, "status"),
    ]


def _priority_level_row(obj: Mapping[str, Any], now: datetime) -> Row:
    shares: Cell = "<none>"
    queues: Cell = "<none>"
    hand_size: Cell = "<none>"
    queue_length_limit: Cell = "<none>"
    limited = _dig(obj, "spec", "limited")
    if isinstance(limited, Mapping):
        # flowcontrol/v1 defaults: 30 shares; queuing 64 queues, hand size 8, 50 per queue.
        shares = _int(limited, "nominalConcurrencyShares", default=30)
        queuing = _dig(limited, "limitResponse", "queuing")
        if isinstance(queuing, Mapping):
            queues = _int(queuing, "queues") or 64
            hand_size = _int(queuing, "handSize") or 8
            queue_length_limit = _int(queuing, "queueLengthLimit") or 50
    return [_name(obj), _str(obj, "spec", "type"), shares, queues, hand_size, queue_length_limit, _age(obj, now)]


def _default_row(obj: Mapping[str, Any], now: datetime) -> Row:
    """``rest.defaultTableConvertor``: the name and the creation time in RFC 3339."""
    return [_name(obj), _rfc3339(_dig(obj, "metadata", "creationTimestamp"))]


# --------------------------------------------------------------------------------------------------
# The registry: (group, resource) -> columns and row printer, in AddHandlers order.


@dataclass(frozen=True, slots=True)
class _Printer:
    columns: tuple[ColumnDefinition, ...]
    row: Callable[[Mapping[str, Any], datetime], Row]


_WEBHOOK_COLUMNS: Final = (
    _NAME,
    _col("Webhooks", "integer", "Webhooks indicates the number of webhooks registered in this configuration"),
    _AGE,
)


def _binding_columns(kind: str, role_doc: str) -> tuple[ColumnDefinition, ...]:
    return (
        _NAME,
        _col("Role", description=_doc(role_doc)),
        _AGE,
        _col("Users", description=f"Users in the {kind}", priority=1),
        _col("Groups", description=f"Groups in the {kind}", priority=1),
        _col("ServiceAccounts", description=f"ServiceAccounts in the {kind}", priority=1),
    )


_EVENT_COLUMNS: Final = (
    _col("Last Seen", description=_doc("core/v1 Event.lastTimestamp")),
    _col("Type", description=_doc("core/v1 Event.type")),
    _col("Reason", description=_doc("core/v1 Event.reason")),
    _col("Object", description=_doc("core/v1 Event.involvedObject")),
    _col("Subobject", description=_doc("core/v1 ObjectReference.fieldPath"), priority=1),
    _col("Source", description=_doc("core/v1 Event.source"), priority=1),
    _col("Message", description=_doc("core/v1 Event.message")),
    _col("First Seen", description=_doc("core/v1 Event.firstTimestamp"), priority=1),
    _col("Count", description=_doc("core/v1 Event.count"), priority=1),
    _col("Name", description=_NAME_DOC, fmt="name", priority=1),
)

_PRINTERS: Final[dict[tuple[str, str], _Printer]] = {
    ("", "pods"): _Printer(
        (
            _NAME,
            _col("Ready", description="The aggregate readiness state of this pod for accepting traffic."),
            _col("Status", description="The aggregate status of the containers in this pod."),
            _col(
                "Restarts",
                description="The number of times the containers in this pod have been restarted and when the last "
                "container in this pod has restarted.",
            ),
            _AGE,
            _col("IP", description=_doc("core/v1 PodStatus.podIP"), priority=1),
            _col("Node", description=_doc("core/v1 PodSpec.nodeName"), priority=1),
            _col("Nominated Node", description=_doc("core/v1 PodStatus.nominatedNodeName"), priority=1),
            _col("Readiness Gates", description=_doc("core/v1 PodSpec.readinessGates"), priority=1),
        ),
        _pod_row,
    ),
    ("", "podtemplates"): _Printer(
        (
            _NAME,
            _col("Containers", description="Names of each container in the template."),
            _col("Images", description="Images referenced by each container in the template."),
            _col("Pod Labels", description="The labels for the pod template."),
        ),
        _pod_template_row,
    ),
    ("policy", "poddisruptionbudgets"): _Printer(
        (
            _NAME,
            _col("Min Available", description="The minimum number of pods that must be available."),
            _col("Max Unavailable", description="The maximum number of pods that may be unavailable."),
            _col("Allowed Disruptions", "integer", "Calculated number of pods that may be disrupted at this time."),
            _AGE,
        ),
        _pod_disruption_budget_row,
    ),
    ("", "replicationcontrollers"): _Printer(
        (
            _NAME,
            _col("Desired", "integer", _doc("core/v1 ReplicationControllerSpec.replicas")),
            _col("Current", "integer", _doc("core/v1 ReplicationControllerStatus.replicas")),
            _col("Ready", "integer", _doc("core/v1 ReplicationControllerStatus.readyReplicas")),
            _AGE,
            _CONTAINERS,
            _IMAGES,
            _col("Selector", description=_doc("core/v1 ReplicationControllerSpec.selector"), priority=1),
        ),
        _replication_controller_row,
    ),
    ("apps", "replicasets"): _Printer(
        (
            _NAME,
            _col("Desired", "integer", _doc("extensions/v1beta1 ReplicaSetSpec.replicas")),
            _col("Current", "integer", _doc("extensions/v1beta1 ReplicaSetStatus.replicas")),
            _col("Ready", "integer", _doc("extensions/v1beta1 ReplicaSetStatus.readyReplicas")),
            _AGE,
            _CONTAINERS,
            _IMAGES,
            _col("Selector", description=_doc("extensions/v1beta1 ReplicaSetSpec.selector"), priority=1),
        ),
        _replica_set_row,
    ),
    ("apps", "daemonsets"): _Printer(
        (
            _NAME,
            _col("Desired", "integer", _doc("extensions/v1beta1 DaemonSetStatus.desiredNumberScheduled")),
            _col("Current", "integer", _doc("extensions/v1beta1 DaemonSetStatus.currentNumberScheduled")),
            _col("Ready", "integer", _doc("extensions/v1beta1 DaemonSetStatus.numberReady")),
            _col("Up-to-date", "integer", _doc("extensions/v1beta1 DaemonSetStatus.updatedNumberScheduled")),
            _col("Available", "integer", _doc("extensions/v1beta1 DaemonSetStatus.numberAvailable")),
            _col("Node Selector", description=_doc("core/v1 PodSpec.nodeSelector")),
            _AGE,
            _CONTAINERS,
            _IMAGES,
            _col("Selector", description=_doc("extensions/v1beta1 DaemonSetSpec.selector"), priority=1),
        ),
        _daemon_set_row,
    ),
    ("batch", "jobs"): _Printer(
        (
            _NAME,
            _col("Status", description="Status of the job."),
            _col("Completions", description=_doc("batch/v1 JobStatus.succeeded")),
            _col("Duration", description="Time required to complete the job."),
            _AGE,
            _CONTAINERS,
            _IMAGES,
            _col("Selector", description=_doc("batch/v1 JobSpec.selector"), priority=1),
        ),
        _job_row,
    ),
    ("batch", "cronjobs"): _Printer(
        (
            _NAME,
            _col("Schedule", description=_doc("batch/v1beta1 CronJobSpec.schedule")),
            _col("Timezone", description=_doc("batch/v1beta1 CronJobSpec.timeZone")),
            _col("Suspend", "boolean", _doc("batch/v1beta1 CronJobSpec.suspend")),
            _col("Active", "integer", _doc("batch/v1beta1 CronJobStatus.active")),
            _col("Last Schedule", description=_doc("batch/v1beta1 CronJobStatus.lastScheduleTime")),
            _AGE,
            _CONTAINERS,
            _IMAGES,
            _col("Selector", description=_doc("batch/v1 JobSpec.selector"), priority=1),
        ),
        _cron_job_row,
    ),
    ("", "services"): _Printer(
        (
            _NAME,
            _col("Type", description=_doc("core/v1 ServiceSpec.type")),
            _col("Cluster-IP", description=_doc("core/v1 ServiceSpec.clusterIP")),
            _col("External-IP", description=_doc("core/v1 ServiceSpec.externalIPs")),
            _col("Port(s)", description=_doc("core/v1 ServiceSpec.ports")),
            _AGE,
            _col("Selector", description=_doc("core/v1 ServiceSpec.selector"), priority=1),
        ),
        _service_row,
    ),
    ("networking.k8s.io", "ingresses"): _Printer(
        (
            _NAME,
            _col(
                "Class",
                description="The name of the IngressClass resource that should be used for additional configuration",
            ),
            _col("Hosts", description="Hosts that incoming requests are matched against before the ingress rule"),
            _col("Address", description="Address is a list containing ingress points for the load-balancer"),
            _col("Ports", description="Ports of TLS configurations that open"),
            _AGE,
        ),
        _ingress_row,
    ),
    ("networking.k8s.io", "ingressclasses"): _Printer(
        (
            _NAME,
            _col("Controller", description="Controller that is responsible for handling this class"),
            _col("Parameters", description="A reference to a resource with additional parameters"),
            _AGE,
        ),
        _ingress_class_row,
    ),
    ("apps", "statefulsets"): _Printer(
        (_NAME, _col("Ready", description="Number of the pod with ready state"), _AGE, _CONTAINERS, _IMAGES),
        _stateful_set_row,
    ),
    ("", "endpoints"): _Printer(
        (_NAME, _col("Endpoints", description=_doc("core/v1 Endpoints.subsets")), _AGE),
        _endpoints_row,
    ),
    ("", "nodes"): _Printer(
        (
            _NAME,
            _col("Status", description="The status of the node"),
            _col("Roles", description="The roles of the node"),
            _AGE,
            _col("Version", description=_doc("core/v1 NodeSystemInfo.kubeletVersion")),
            _col("Internal-IP", description=_doc("core/v1 NodeStatus.addresses"), priority=1),
            _col("External-IP", description=_doc("core/v1 NodeStatus.addresses"), priority=1),
            _col("OS-Image", description=_doc("core/v1 NodeSystemInfo.osImage"), priority=1),
            _col("Kernel-Version", description=_doc("core/v1 NodeSystemInfo.kernelVersion"), priority=1),
            _col("Container-Runtime", description=_doc("core/v1 NodeSystemInfo.containerRuntimeVersion"), priority=1),
        ),
        _node_row,
    ),
    ("", "events"): _Printer(_EVENT_COLUMNS, _event_row),
    ("events.k8s.io", "events"): _Printer(_EVENT_COLUMNS, _events_v1_row),
    ("", "namespaces"): _Printer(
        (_NAME, _col("Status", description="The status of the namespace"), _AGE),
        _namespace_row,
    ),
    ("", "secrets"): _Printer(
        (
            _NAME,
            _col("Type", description=_doc("core/v1 Secret.type")),
            _col("Data", description=_doc("core/v1 Secret.data")),
            _AGE,
        ),
        _secret_row,
    ),
    ("", "serviceaccounts"): _Printer(
        (_NAME, _col("Secrets", description=_doc("core/v1 ServiceAccount.secrets")), _AGE),
        _service_account_row,
    ),
    ("", "persistentvolumes"): _Printer(
        (
            _NAME,
            _col("Capacity", description=_doc("core/v1 PersistentVolumeSpec.capacity")),
            _col("Access Modes", description=_doc("core/v1 PersistentVolumeSpec.accessModes")),
            _col("Reclaim Policy", description=_doc("core/v1 PersistentVolumeSpec.persistentVolumeReclaimPolicy")),
            _col("Status", description=_doc("core/v1 PersistentVolumeStatus.phase")),
            _col("Claim", description=_doc("core/v1 PersistentVolumeSpec.claimRef")),
            _col("StorageClass", description="StorageClass of the pv"),
            _col("VolumeAttributesClass", description="VolumeAttributesClass of the pv"),
            _col("Reason", description=_doc("core/v1 PersistentVolumeStatus.reason")),
            _AGE,
            _col("VolumeMode", description=_doc("core/v1 PersistentVolumeSpec.volumeMode"), priority=1),
        ),
        _persistent_volume_row,
    ),
    ("", "persistentvolumeclaims"): _Printer(
        (
            _NAME,
            _col("Status", description=_doc("core/v1 PersistentVolumeClaimStatus.phase")),
            _col("Volume", description=_doc("core/v1 PersistentVolumeClaimSpec.volumeName")),
            _col("Capacity", description=_doc("core/v1 PersistentVolumeClaimStatus.capacity")),
            _col("Access Modes", description=_doc("core/v1 PersistentVolumeClaimStatus.accessModes")),
            _col("StorageClass", description="StorageClass of the pvc"),
            _col("VolumeAttributesClass", description="VolumeAttributesClass of the pvc"),
            _AGE,
            _col("VolumeMode", description=_doc("core/v1 PersistentVolumeClaimSpec.volumeMode"), priority=1),
        ),
        _persistent_volume_claim_row,
    ),
    ("", "componentstatuses"): _Printer(
        (
            _NAME,
            _col("Status", description="Status of the component conditions"),
            _col("Message", description="Message of the component conditions"),
            _col("Error", description="Error of the component conditions"),
        ),
        _component_status_row,
    ),
    ("apps", "deployments"): _Printer(
        (
            _NAME,
            _col("Ready", description="Number of the pod with ready state"),
            _col("Up-to-date", description=_doc("extensions/v1beta1 DeploymentStatus.updatedReplicas")),
            _col("Available", description=_doc("extensions/v1beta1 DeploymentStatus.availableReplicas")),
            _AGE,
            _CONTAINERS,
            _IMAGES,
            _col("Selector", description=_doc("extensions/v1beta1 DeploymentSpec.selector"), priority=1),
        ),
        _deployment_row,
    ),
    ("autoscaling", "horizontalpodautoscalers"): _Printer(
        (
            _NAME,
            _col("Reference", description=_doc("autoscaling/v2beta1 HorizontalPodAutoscalerSpec.scaleTargetRef")),
            _col("Targets", description=_doc("autoscaling/v2beta1 HorizontalPodAutoscalerSpec.metrics")),
            _col("MinPods", description=_doc("autoscaling/v2beta1 HorizontalPodAutoscalerSpec.minReplicas")),
            _col("MaxPods", description=_doc("autoscaling/v2beta1 HorizontalPodAutoscalerSpec.maxReplicas")),
            _col("Replicas", description=_doc("autoscaling/v2beta1 HorizontalPodAutoscalerStatus.currentReplicas")),
            _AGE,
        ),
        _horizontal_pod_autoscaler_row,
    ),
    ("", "configmaps"): _Printer(
        (_NAME, _col("Data", description=_doc("core/v1 ConfigMap.data")), _AGE),
        _config_map_row,
    ),
    ("networking.k8s.io", "networkpolicies"): _Printer(
        (_NAME, _col("Pod-Selector", description=_doc("extensions/v1beta1 NetworkPolicySpec.podSelector")), _AGE),
        _network_policy_row,
    ),
    ("rbac.authorization.k8s.io", "rolebindings"): _Printer(
        _binding_columns("roleBinding", "rbac/v1beta1 RoleBinding.roleRef"),
        _role_binding_row,
    ),
    ("rbac.authorization.k8s.io", "clusterrolebindings"): _Printer(
        _binding_columns("clusterRoleBinding", "rbac/v1beta1 ClusterRoleBinding.roleRef"),
        _role_binding_row,
    ),
    ("certificates.k8s.io", "certificatesigningrequests"): _Printer(
        (
            _NAME,
            _AGE,
            _col("SignerName", description=_doc("certificates/v1beta1 CertificateSigningRequestSpec.signerName")),
            _col("Requestor", description=_doc("certificates/v1beta1 CertificateSigningRequestSpec.request")),
            _col(
                "RequestedDuration",
                description=_doc("certificates/v1beta1 CertificateSigningRequestSpec.expirationSeconds"),
            ),
            _col("Condition", description=_doc("certificates/v1beta1 CertificateSigningRequestStatus.conditions")),
        ),
        _certificate_signing_request_row,
    ),
    ("coordination.k8s.io", "leases"): _Printer(
        (_NAME, _col("Holder", description=_doc("coordination/v1 LeaseSpec.holderIdentity")), _AGE),
        _lease_row,
    ),
    ("storage.k8s.io", "storageclasses"): _Printer(
        (
            _NAME,
            _col("Provisioner", description=_doc("storage/v1 StorageClass.provisioner")),
            _col("ReclaimPolicy", description=_doc("storage/v1 StorageClass.reclaimPolicy")),
            _col("VolumeBindingMode", description=_doc("storage/v1 StorageClass.volumeBindingMode")),
            _col("AllowVolumeExpansion", description=_doc("storage/v1 StorageClass.allowVolumeExpansion")),
            _AGE,
        ),
        _storage_class_row,
    ),
    ("apps", "controllerrevisions"): _Printer(
        (
            _NAME,
            _col("Controller", description="Controller of the object"),
            _col("Revision", description=_doc("apps/v1beta1 ControllerRevision.revision")),
            _AGE,
        ),
        _controller_revision_row,
    ),
    ("", "resourcequotas"): _Printer(
        (
            _NAME,
            _col(
                "Request",
                description="Request represents a minimum amount of cpu/memory that a container may consume.",
            ),
            _col(
                "Limit",
                description="Limits control the maximum amount of cpu/memory that a container may use independent "
                "of contention on the node.",
            ),
            _AGE,
        ),
        _resource_quota_row,
    ),
    ("scheduling.k8s.io", "priorityclasses"): _Printer(
        (
            _NAME,
            _col("Value", "integer", _doc("scheduling/v1 PriorityClass.value")),
            _col("Global-Default", "boolean", _doc("scheduling/v1 PriorityClass.globalDefault")),
            _AGE,
            _col("PreemptionPolicy", description=_doc("scheduling/v1 PriorityClass.preemptionPolicy")),
        ),
        _priority_class_row,
    ),
    ("node.k8s.io", "runtimeclasses"): _Printer(
        # The Go code reads ObjectMeta's SwaggerDoc()["handler"], which does not exist: "".
        (_NAME, _col("Handler"), _AGE),
        _runtime_class_row,
    ),
    ("storage.k8s.io", "volumeattachments"): _Printer(
        (
            _NAME,
            _col("Attacher", description=_doc("storage/v1 VolumeAttachmentSpec.attacher"), fmt="name"),
            _col("PV", description=_doc("storage/v1 VolumeAttachmentSource.persistentVolumeName")),
            _col("Node", description=_doc("storage/v1 VolumeAttachmentSpec.nodeName")),
            _col("Attached", "boolean", _doc("storage/v1 VolumeAttachmentStatus.attached")),
            _AGE,
        ),
        _volume_attachment_row,
    ),
    ("discovery.k8s.io", "endpointslices"): _Printer(
        (
            _NAME,
            _col("AddressType", description=_doc("discovery/v1beta1 EndpointSlice.addressType")),
            _col("Ports", description=_doc("discovery/v1beta1 EndpointSlice.ports")),
            _col("Endpoints", description=_doc("discovery/v1beta1 EndpointSlice.endpoints")),
            _AGE,
        ),
        _endpoint_slice_row,
    ),
    ("storage.k8s.io", "csinodes"): _Printer(
        (
            _NAME,
            _col("Drivers", "integer", "Drivers indicates the number of CSI drivers registered on the node"),
            _AGE,
        ),
        _csi_node_row,
    ),
    ("storage.k8s.io", "csidrivers"): _Printer(
        (
            _NAME,
            _col("AttachRequired", "boolean", _doc("storage/v1 CSIDriverSpec.attachRequired")),
            _col("PodInfoOnMount", "boolean", _doc("storage/v1 CSIDriverSpec.podInfoOnMount")),
            _col("StorageCapacity", "boolean", _doc("storage/v1 CSIDriverSpec.storageCapacity")),
            _col("TokenRequests", description=_doc("storage/v1 CSIDriverSpec.tokenRequests")),
            _col("RequiresRepublish", "boolean", _doc("storage/v1 CSIDriverSpec.requiresRepublish")),
            _col("Modes", description=_doc("storage/v1 CSIDriverSpec.volumeLifecycleModes")),
            _AGE,
        ),
        _csi_driver_row,
    ),
    ("storage.k8s.io", "csistoragecapacities"): _Printer(
        (
            _NAME,
            _col("StorageClassName", description=_doc("storage/v1 CSIStorageCapacity.storageClassName")),
            _col("Capacity", description=_doc("storage/v1 CSIStorageCapacity.capacity")),
        ),
        _csi_storage_capacity_row,
    ),
    ("admissionregistration.k8s.io", "mutatingwebhookconfigurations"): _Printer(
        _WEBHOOK_COLUMNS, _webhook_configuration_row
    ),
    ("admissionregistration.k8s.io", "validatingwebhookconfigurations"): _Printer(
        _WEBHOOK_COLUMNS, _webhook_configuration_row
    ),
    ("admissionregistration.k8s.io", "validatingadmissionpolicies"): _Printer(
        (
            _NAME,
            _col(
                "Validations",
                "integer",
                "Validations indicates the number of validation rules defined in this configuration",
            ),
            _col("ParamKind", description="ParamKind specifies the kind of resources used to parameterize this policy"),
            _AGE,
        ),
        _validating_admission_policy_row,
    ),
    ("admissionregistration.k8s.io", "validatingadmissionpolicybindings"): _Printer(
        (
            _NAME,
            _col(
                "PolicyName",
                description="PolicyName indicates the policy definition which the policy binding binded to",
            ),
            _col("ParamRef", description="ParamRef indicates the param resource which sets the configration param"),
            _AGE,
        ),
        _validating_admission_policy_binding_row,
    ),
    ("flowcontrol.apiserver.k8s.io", "flowschemas"): _Printer(
        (
            _NAME,
            _col("PriorityLevel", description=_doc("flowcontrol/v1 PriorityLevelConfigurationReference.name")),
            _col("MatchingPrecedence", description=_doc("flowcontrol/v1 FlowSchemaSpec.matchingPrecedence")),
            _col("DistinguisherMethod", description=_doc("flowcontrol/v1 FlowSchemaSpec.distinguisherMethod")),
            _AGE,
            _col("MissingPL", description="references a broken or non-existent PriorityLevelConfiguration"),
        ),
        _flow_schema_row,
    ),
    ("flowcontrol.apiserver.k8s.io", "prioritylevelconfigurations"): _Printer(
        (
            _NAME,
            _col("Type", description=_doc("flowcontrol/v1 PriorityLevelConfigurationSpec.type")),
            _col(
                "NominalConcurrencyShares",
                description=_doc("flowcontrol/v1 LimitedPriorityLevelConfiguration.nominalConcurrencyShares"),
            ),
            _col("Queues", description=_doc("flowcontrol/v1 QueuingConfiguration.queues")),
            _col("HandSize", description=_doc("flowcontrol/v1 QueuingConfiguration.handSize")),
            _col("QueueLengthLimit", description=_doc("flowcontrol/v1 QueuingConfiguration.queueLengthLimit")),
            _AGE,
        ),
        _priority_level_row,
    ),
    # kube-aggregator's own TableConvertor.
    ("apiregistration.k8s.io", "apiservices"): _Printer(
        (
            _NAME,
            _col("Service", description="The reference to the service that hosts this API endpoint."),
            _col("Available", description="Whether this service is available."),
            _AGE,
        ),
        _api_service_row,
    ),
}
_DEFAULT_PRINTER: Final = _Printer(_DEFAULT_COLUMNS, _default_row)


def _printer(group: str, resource: str) -> _Printer:
    return _PRINTERS.get(("" if group == "core" else group, resource), _DEFAULT_PRINTER)


def columns_for(group: str, resource: str) -> list[ColumnDefinition]:
    """The column definitions of a built-in resource's table, wide ones (``priority: 1``) included.

    Resources without a printer (roles, clusterroles, limitranges, customresourcedefinitions and any
    unknown resource) get ``rest.defaultTableConvertor``'s columns: "Name" and "Created At" (a
    ``date`` in RFC 3339). Custom resources go through :func:`custom_columns` instead.
    """
    return [ColumnDefinition(**column) for column in _printer(group, resource).columns]


def row_for(group: str, resource: str, obj: Mapping[str, Any], now: datetime) -> list[Cell]:
    """The cells of ``obj``'s row, one per column of :func:`columns_for`, wide cells included.

    ``now`` is the time ages are computed against; a naive datetime is taken as UTC.
    """
    return _printer(group, resource).row(obj, now)


# --------------------------------------------------------------------------------------------------
# Custom resources: additionalPrinterColumns through a subset of client-go's JSONPath.


class _JSONPathSyntaxError(ValueError):
    """The path does not parse: like apiextensions, drop this column and every one after it."""


class _JSONPathUnsupported(ValueError):
    """Valid JSONPath this subset does not evaluate (``..``, functions): the column prints null."""


class _EvalError(Exception):
    """An evaluation error (index out of range, filter on a non-list): the cell is null."""


@dataclass(frozen=True, slots=True)
class _Step:
    kind: str  # "field", "wildcard", "slice", "union", "filter"
    names: tuple[str, ...] = ()
    bounds: tuple[int | None, int | None, int | None] = (None, None, None)  # slice: start, end, step
    indices: tuple[int, ...] = ()
    left: tuple[_Step, ...] = ()  # filter: path from @ (an empty path is @ itself)
    op: str = ""  # filter operator, "exists" without one
    right: tuple[_Step, ...] | None = None  # filter: path from @, or None for a literal
    literal: object = None


_FILTER_OPS: Final = ("==", "!=", "<=", ">=", "<", ">")
_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?")


def _parse_path(text: str, *, relative: bool = False) -> tuple[_Step, ...]:
    """Parse ``.a.b[0]['c'][?(@.x=="y")].d``; ``relative`` paths start at ``@`` (filters)."""
    steps: list[_Step] = []
    i = 0
    text = text.strip()
    if relative:
        if not text.startswith("@"):
            raise _JSONPathSyntaxError(text)
        i = 1
    elif text.startswith("$"):
        i = 1
    while i < len(text):
        ch = text[i]
        if ch == ".":
            if text.startswith("..", i):
                raise _JSONPathUnsupported(text)
            i += 1
            name = []
            while i < len(text) and text[i] not in ".[]{}$@, \t\r\n":
                if text[i] == "\\" and i + 1 < len(text):
                    i += 1
                name.append(text[i])
                i += 1
            field = "".join(name)
            if field == "*":
                steps.append(_Step("wildcard"))
            elif field:
                steps.append(_Step("field", names=(field,)))
            elif i < len(text) and text[i] == "[":
                continue  # ".[0]" reads as "[0]"
            else:
                raise _JSONPathSyntaxError(text)
        elif ch == "[":
            end = _closing_bracket(text, i)
            steps.append(_parse_bracket(text[i + 1 : end].strip(), text))
            i = end + 1
        else:
            raise _JSONPathSyntaxError(text)
    return tuple(steps)


def _closing_bracket(text: str, start: int) -> int:
    depth, quote = 0, ""
    for j in range(start, len(text)):
        ch = text[j]
        if quote:
            if ch == "\\":
                continue
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
            if depth == 0:
                if ch != "]":
                    raise _JSONPathSyntaxError(text)
                return j
    raise _JSONPathSyntaxError(text)


def _parse_bracket(inner: str, text: str) -> _Step:
    if not inner:
        raise _JSONPathSyntaxError(text)
    if inner == "*":
        return _Step("wildcard")
    if inner.startswith("?"):
        body = inner[1:].strip()
        if not (body.startswith("(") and body.endswith(")")):
            raise _JSONPathSyntaxError(text)
        return _parse_filter(body[1:-1].strip(), text)
    if inner[0] in "'\"":
        names = []
        for part in _split_union(inner):
            if len(part) < 2 or part[0] not in "'\"" or part[-1] != part[0]:
                raise _JSONPathSyntaxError(text)
            names.append(part[1:-1])
        return _Step("field", names=tuple(names))
    if ":" in inner:
        pieces = [p.strip() for p in inner.split(":")]
        if len(pieces) > 3 or not all(p == "" or re.fullmatch(r"-?\d+", p) for p in pieces):
            raise _JSONPathSyntaxError(text)
        values = [int(p) if p else None for p in pieces] + [None] * (3 - len(pieces))
        return _Step("slice", bounds=(values[0], values[1], values[2]))
    parts = _split_union(inner)
    if not all(re.fullmatch(r"-?\d+", p) for p in parts):
        raise _JSONPathUnsupported(text)  # functions, expressions
    return _Step("union", indices=tuple(int(p) for p in parts))


def _split_union(inner: str) -> list[str]:
    parts, current, quote = [], [], ""
    for ch in inner:
        if quote:
            current.append(ch)
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
            current.append(ch)
        elif ch == ",":
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    parts.append("".join(current).strip())
    return parts


def _parse_filter(body: str, text: str) -> _Step:
    quote = ""
    for j, ch in enumerate(body):
        if quote:
            if ch == quote:
                quote = ""
            continue
        if ch in "'\"":
            quote = ch
            continue
        for op in _FILTER_OPS:
            if body.startswith(op, j):
                left = _parse_path(body[:j].strip(), relative=True)
                right_text = body[j + len(op) :].strip()
                if right_text.startswith("@"):
                    return _Step("filter", left=left, op=op, right=_parse_path(right_text, relative=True))
                return _Step("filter", left=left, op=op, literal=_parse_literal(right_text, text))
    return _Step("filter", left=_parse_path(body, relative=True), op="exists")


def _parse_literal(literal: str, text: str) -> object:
    if len(literal) >= 2 and literal[0] in "'\"" and literal[-1] == literal[0]:
        return literal[1:-1]
    if literal in ("true", "false"):
        return literal == "true"
    if _NUMBER.fullmatch(literal):
        number = float(literal)
        return int(literal) if re.fullmatch(r"-?\d+", literal) else number
    raise _JSONPathSyntaxError(text)


def _evaluate(steps: Sequence[_Step], values: list[Any]) -> list[Any]:
    for step in steps:
        values = _apply(step, values)
    return values


def _apply(step: _Step, values: list[Any]) -> list[Any]:
    out: list[Any] = []
    for value in values:
        if step.kind == "field":
            if isinstance(value, Mapping):
                out.extend(value[name] for name in step.names if name in value)
        elif step.kind == "wildcard":
            if isinstance(value, Mapping):
                out.extend(value.values())
            elif isinstance(value, list):
                out.extend(value)
        elif step.kind in ("slice", "union"):
            if value is None:
                continue
            if not isinstance(value, list):
                raise _EvalError("not a list")
            out.extend(_index(step, value))
        elif step.kind == "filter":
            if not isinstance(value, list):
                raise _EvalError("not a list")
            out.extend(item for item in value if _filter_passes(step, item))
    return out


def _index(step: _Step, items: list[Any]) -> list[Any]:
    length = len(items)
    if step.kind == "union":
        picked = []
        for index in step.indices:
            position = index + length if index < 0 else index
            if not 0 <= position < length:
                raise _EvalError("index out of range")
            picked.append(items[position])
        return picked
    start, end, stride = step.bounds
    start = 0 if start is None else (start + length if start < 0 else start)
    end = length if end is None else (end + length if end < 0 else end)
    if stride is not None and stride <= 0:
        raise _EvalError("step must be > 0")
    if start == end:
        return []
    if not 0 <= start < length or not 0 <= end <= length or start > end:
        raise _EvalError("index out of range")
    return items[start : end : stride or 1]


def _filter_passes(step: _Step, item: Any) -> bool:
    lefts = _evaluate(step.left, [item])
    if step.op == "exists":
        return bool(lefts)
    if not lefts:
        return False
    if len(lefts) > 1:
        raise _EvalError("can only compare one element at a time")
    if step.right is not None:
        rights = _evaluate(step.right, [item])
        if not rights:
            return False
        if len(rights) > 1:
            raise _EvalError("can only compare one element at a time")
        right = rights[0]
    else:
        right = step.literal
    return _compare(step.op, lefts[0], right)


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    return "other"


def _compare(op: str, left: Any, right: Any) -> bool:
    """text/template's eq/ne/lt/...: only same basic kinds compare; bools only for equality."""
    kind = _kind(left)
    if kind != _kind(right) or kind == "other" or (kind == "bool" and op not in ("==", "!=")):
        raise _EvalError("incompatible types for comparison")
    if op == "==":
        return bool(left == right)
    if op == "!=":
        return bool(left != right)
    if op == "<":
        return bool(left < right)
    if op == ">":
        return bool(left > right)
    if op == "<=":
        return bool(left <= right)
    return bool(left >= right)


@dataclass(frozen=True, slots=True)
class _CustomColumn:
    definition: ColumnDefinition
    steps: tuple[_Step, ...] | None  # None: unsupported path, the cell is null


# serveDefaultColumnsIfEmpty: a CRD version without printer columns shows its age.
_CR_DEFAULT_COLUMNS: Final = (
    {"name": "Age", "type": "date", "description": _CREATED_DOC, "jsonPath": ".metadata.creationTimestamp"},
)


@lru_cache(maxsize=256)
def _compile(path: str) -> tuple[_Step, ...] | None:
    try:
        return _parse_path(path)
    except _JSONPathUnsupported:
        return None


def _custom_columns(printer_columns: Sequence[Mapping[str, Any]]) -> list[_CustomColumn]:
    columns: list[_CustomColumn] = []
    for column in printer_columns or _CR_DEFAULT_COLUMNS:
        path = _str(column, "jsonPath")
        try:
            steps = _compile(path)
        except _JSONPathSyntaxError:
            break  # tableconvertor.New stops at the first column it cannot parse
        priority = _opt_int(column, "priority")
        definition: ColumnDefinition = {
            "name": _str(column, "name"),
            "type": _str(column, "type"),
            "format": _str(column, "format"),
            "description": _str(column, "description")
            or f"Custom resource definition column (in JSONPath format): {path}",
            "priority": 0 if priority is None else priority,
        }
        columns.append(_CustomColumn(definition, steps))
    return columns


def custom_columns(printer_columns: Sequence[Mapping[str, Any]]) -> list[ColumnDefinition]:
    """The columns of a custom resource: "Name", then the CRD version's ``additionalPrinterColumns``.

    Empty ``printer_columns`` mean one "Age" column (type ``date``) from ``.metadata.creationTimestamp``,
    as apiextensions serves them. A column whose ``jsonPath`` does not parse ends the list there.
    """
    return [ColumnDefinition(**_NAME), *(column.definition for column in _custom_columns(printer_columns))]


def custom_row(printer_columns: Sequence[Mapping[str, Any]], obj: Mapping[str, Any], now: datetime) -> list[Cell]:
    """The cells of a custom resource's row, one per column of :func:`custom_columns`.

    A path that finds nothing, or fails (index out of range, comparing a string with a number),
    gives ``None``; kubectl prints that as ``<none>``.
    """
    cells: list[Cell] = [_name(obj)]
    for column in _custom_columns(printer_columns):
        cells.append(_custom_cell(column, obj, now))
    return cells


def _custom_cell(column: _CustomColumn, obj: Mapping[str, Any], now: datetime) -> Cell:
    if column.steps is None:
        return None
    try:
        results = _evaluate(column.steps, [obj])
    except _EvalError:
        return None
    if not results:
        return None
    value = results[0]
    kind = column.definition["type"]
    if kind == "string":
        return _go_print(value)
    if value is None:
        return None
    if kind == "integer" and not isinstance(value, bool) and isinstance(value, (int, float)):
        return int(value)
    if kind == "number" and not isinstance(value, bool) and isinstance(value, (int, float)):
        return float(value)
    if kind == "boolean" and isinstance(value, bool):
        return value
    if kind == "date" and isinstance(value, str):
        if value in ("", "null"):  # metav1.Time.UnmarshalQueryParameter: the zero time
            return "<unknown>"
        try:
            parsed = _parse_rfc3339(value)
        except ValueError:
            return "<invalid>"
        return _since(parsed, now)
    return None


def _go_print(value: object) -> str:
    """How client-go's JSONPath prints one value: text for scalars, compact JSON for the rest."""
    if value is None:
        return "<no value>"  # text/template's rendering of a missing value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _go_float(value, "g")
    if isinstance(value, str):
        return value
    return _go_json(value)


def _go_float(value: float, fmt: str) -> str:
    """strconv.FormatFloat(v, fmt, -1, 64) for fmt "g" (fmt's %v), "f" or "e"."""
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if math.isnan(value):
        return "NaN"
    sign = "-" if math.copysign(1.0, value) < 0 else ""
    if value == 0:
        return f"{sign}0" if fmt != "e" else f"{sign}0e+00"
    decimal_value = Decimal(repr(abs(value)))
    digits_tuple = decimal_value.as_tuple()
    digits = "".join(str(d) for d in digits_tuple.digits).rstrip("0") or "0"
    exponent = int(digits_tuple.exponent) + len(digits_tuple.digits) - 1  # of the first digit
    if fmt == "g":
        fmt = "e" if exponent < -4 or exponent >= 6 else "f"  # shortest %g decides with precision 6
    if fmt == "e":
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mantissa}e{'-' if exponent < 0 else '+'}{abs(exponent):02d}"
    point = exponent + 1  # digits before the decimal point
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return f"{sign}{digits}{'0' * (point - len(digits))}"
    return f"{sign}{digits[:point]}.{digits[point:]}"


def _go_json(value: object) -> str:
    """encoding/json.Marshal: sorted keys, no spaces, HTML-safe escapes, Go float formatting."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        magnitude = abs(value)
        text = _go_float(value, "e" if magnitude != 0 and (magnitude < 1e-6 or magnitude >= 1e21) else "f")
        return re.sub(r"e([+-])0(\d)$", r"e\1\2", text)
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
        for raw, escaped in (
            ("<", "\\u003c"),
            (">", "\\u003e"),
            ("&", "\\u0026"),
            ("\u2028", "\\u2028"),
            ("\u2029", "\\u2029"),
        ):
            text = text.replace(raw, escaped)
        return text
    if isinstance(value, Mapping):
        return "{" + ",".join(f"{_go_json(str(k))}:{_go_json(v)}" for k, v in sorted(value.items())) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_go_json(v) for v in value) + "]"
    return _go_json(str(value))


# --------------------------------------------------------------------------------------------------
# The Table


def _storage_class_default(objects: Sequence[Mapping[str, Any]]) -> str | None:
    """The effective default StorageClass: the newest annotated one, then the first by name.

    As the storageclass TableConvertor decides it, so only one row says "(default)".
    """
    annotated = [obj for obj in objects if _is_default_class(obj)]
    if not annotated:
        return None

    def newest_first(obj: Mapping[str, Any]) -> tuple[float, str]:
        created = _parse_time(_dig(obj, "metadata", "creationTimestamp"))
        return (-(created.timestamp() if created is not None else float("-inf")), _name(obj))

    return _name(min(annotated, key=newest_first))


def _flow_schema_order(obj: Mapping[str, Any]) -> tuple[int, str]:
    """``FlowSchemaSequence``: by matching precedence, then name."""
    return (_int(obj, "spec", "matchingPrecedence") or 1000, _name(obj))


def build_table(
    group: str,
    resource: str,
    objects: Iterable[Mapping[str, Any]],
    *,
    now: datetime,
    include_object: str = "Metadata",
    resource_version: str = "",
    continue_token: str = "",
    remaining: int | None = None,
    printer_columns: Sequence[Mapping[str, Any]] | None = None,
    no_headers: bool = False,
    api_version: str = "meta.k8s.io/v1",
) -> dict[str, Any]:
    """The ``meta.k8s.io/v1`` ``Table`` for ``objects``, as the apiserver answers ``as=Table``.

    Args:
        group: API group of the resource ("" for core).
        resource: plural resource name, e.g. "pods".
        objects: the items of a list, or the one object of a get or a watch event.
        now: the time ages are computed against (naive means UTC).
        include_object: the ``includeObject`` query parameter: "Metadata" (default, and what "" means)
            puts a ``PartialObjectMetadata`` in each row, "Object" the object itself, "None" nothing
            (``object: null``, as Go marshals an empty ``RawExtension``).
        resource_version: ``metadata.resourceVersion`` of the table (the list's, or the object's).
        continue_token: ``metadata.continue`` of the table.
        remaining: ``metadata.remainingItemCount``, omitted when ``None``.
        printer_columns: set for a custom resource: the ``additionalPrinterColumns`` of the served
            version (possibly empty). ``None`` means a built-in resource.
        no_headers: leave ``columnDefinitions`` null, as a watch does after its first event.
        api_version: ``meta.k8s.io/v1`` or ``meta.k8s.io/v1beta1``, as negotiated.

    Raises:
        errors.BadRequest: ``include_object`` is not one of Metadata, Object, None or "".
    """
    if include_object not in INCLUDE_OBJECT_VALUES:
        raise errors.BadRequest(
            "Unable to convert to Table as requested: includeObject: Invalid value: "
            f"{json.dumps(include_object)}: must be 'Metadata', 'Object', 'None', or empty"
        )
    group = "" if group == "core" else group
    items = list(objects)
    rows: list[dict[str, Any]] | None
    columns: list[ColumnDefinition]
    if printer_columns is not None:
        columns = custom_columns(printer_columns)
        rows = [{"cells": custom_row(printer_columns, obj, now)} for obj in items]
    else:
        printer = _printer(group, resource)
        columns = [ColumnDefinition(**column) for column in printer.columns]
        if (group, resource) == ("flowcontrol.apiserver.k8s.io", "flowschemas"):
            items.sort(key=_flow_schema_order)
        rows = [{"cells": printer.row(obj, now)} for obj in items]
        if (group, resource) == ("", "pods"):
            for row, obj in zip(rows, items, strict=True):
                if conditions := _pod_conditions(obj):
                    row["conditions"] = conditions
        elif (group, resource) == ("storage.k8s.io", "storageclasses"):
            effective = _storage_class_default(items)
            for row, obj in zip(rows, items, strict=True):
                row["cells"][0] = _name(obj) + (" (default)" if _name(obj) == effective else "")
        elif printer is _DEFAULT_PRINTER and not items:
            rows = None  # defaultTableConvertor leaves Rows nil: "rows": null
    for row, obj in zip(rows or [], items, strict=True):
        row["object"] = _row_object(obj, include_object, api_version)

    metadata: dict[str, Any] = {}
    if resource_version:
        metadata["resourceVersion"] = resource_version
    if continue_token:
        metadata["continue"] = continue_token
    if remaining is not None:
        metadata["remainingItemCount"] = remaining
    return {
        "kind": "Table",
        "apiVersion": api_version,
        "metadata": metadata,
        "columnDefinitions": None if no_headers else columns,
        "rows": rows,
    }


def _row_object(obj: Mapping[str, Any], include_object: str, api_version: str) -> dict[str, Any] | None:
    if include_object == "None":
        return None
    if include_object == "Object":
        return copy.deepcopy(dict(obj))
    return {
        "kind": "PartialObjectMetadata",
        "apiVersion": api_version,
        "metadata": copy.deepcopy(dict(_map(obj, "metadata"))),
    }
