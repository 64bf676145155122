"""Validation of the built-in kinds: Kubernetes' field paths, cause types and messages."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from k3py.api import defaults, strategies, validation
from k3py.api.registry import Registry, ResourceType
from k3py.core import errors

Obj = dict[str, Any]
REGISTRY = Registry.builtin()
KINDS = {
    "Pod": ("", "pods"),
    "PodTemplate": ("", "podtemplates"),
    "ReplicationController": ("", "replicationcontrollers"),
    "Service": ("", "services"),
    "ConfigMap": ("", "configmaps"),
    "Secret": ("", "secrets"),
    "Namespace": ("", "namespaces"),
    "Node": ("", "nodes"),
    "ServiceAccount": ("", "serviceaccounts"),
    "Deployment": ("apps", "deployments"),
    "ReplicaSet": ("apps", "replicasets"),
    "StatefulSet": ("apps", "statefulsets"),
    "DaemonSet": ("apps", "daemonsets"),
    "Job": ("batch", "jobs"),
    "CronJob": ("batch", "cronjobs"),
}
LABEL_NAME_ERROR = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
    "character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)
DNS_LABEL_ERROR = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end "
    "with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)


def rt_of(kind: str) -> ResourceType:
    group, plural = KINDS[kind]
    rt = REGISTRY.lookup(group, "v1", plural)
    assert rt is not None
    return rt


def container(**extra: Any) -> Obj:
    return {"name": "c", "image": "nginx", **extra}


def pod_spec(**extra: Any) -> Obj:
    return {"containers": [container()], **extra}


def template(**spec: Any) -> Obj:
    return {"metadata": {"labels": {"app": "x"}}, "spec": pod_spec(**spec)}


def valid(kind: str) -> Obj:
    """An object of ``kind`` the apiserver accepts, before defaulting."""
    selector = {"matchLabels": {"app": "x"}}
    specs: dict[str, Obj] = {
        "Pod": {"spec": pod_spec()},
        "PodTemplate": {"template": template()},
        "ReplicationController": {"spec": {"template": template()}},
        "Service": {"spec": {"selector": {"app": "x"}, "ports": [{"port": 80}]}},
        "ConfigMap": {"data": {"a.conf": "x"}},
        "Secret": {"data": {"key": "dmFsdWU="}},
        "Namespace": {},
        "Node": {"spec": {"taints": [{"key": "dedicated", "value": "edge", "effect": "NoSchedule"}]}},
        "ServiceAccount": {},
        "Deployment": {"spec": {"selector": selector, "template": template()}},
        "ReplicaSet": {"spec": {"selector": selector, "template": template()}},
        "StatefulSet": {"spec": {"selector": selector, "serviceName": "web", "template": template()}},
        "DaemonSet": {"spec": {"selector": selector, "template": template()}},
        "Job": {"spec": {"template": template(restartPolicy="Never")}},
        "CronJob": {
            "spec": {
                "schedule": "*/5 * * * *",
                "jobTemplate": {"spec": {"template": template(restartPolicy="OnFailure")}},
            }
        },
    }
    group, _ = KINDS[kind]
    api_version = f"{group}/v1" if group else "v1"
    return {"apiVersion": api_version, "kind": kind, "metadata": {"name": "web", "namespace": "default"}, **specs[kind]}


def prepared(kind: str, obj: Obj) -> Obj:
    """``obj`` as validation sees it on create: defaulted, and completed by the strategy."""
    rt = rt_of(kind)
    out = copy.deepcopy(obj)
    defaults.apply_defaults(rt, out)
    if kind == "Job":
        strategies.generate_job_selector(out)
    return out


def create_causes(kind: str, obj: Obj) -> list[tuple[str, str, str]]:
    causes = validation.validate_create(rt_of(kind), prepared(kind, obj))
    return [(c.field, c.reason, c.message) for c in causes]


def update_causes(kind: str, old: Obj, new: Obj) -> list[tuple[str, str, str]]:
    rt = rt_of(kind)
    after = copy.deepcopy(new)
    defaults.apply_defaults(rt, after)
    if kind == "Service":
        strategies.drop_type_dependent_fields(old, after)
    return [(c.field, c.reason, c.message) for c in validation.validate_update(rt, old, after)]


def changed(obj: Obj, change: Callable[[Obj], object]) -> Obj:
    out = copy.deepcopy(obj)
    change(out)
    return out


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_valid_objects_pass(kind: str) -> None:
    assert create_causes(kind, valid(kind)) == []


def set_in(path: str, value: object) -> Callable[[Obj], None]:
    """A change setting ``value`` at a dotted path (``[n]`` indexes lists)."""

    def change(obj: Obj) -> None:
        target: Any = obj
        parts = path.replace("[", ".[").split(".")
        for part in parts[:-1]:
            target = target[int(part[1:-1])] if part.startswith("[") else target.setdefault(part, {})
        last = parts[-1]
        if value is DELETE:
            target.pop(last, None)
        elif last.startswith("["):
            target[int(last[1:-1])] = value
        else:
            target[last] = value

    return change


DELETE = object()

CREATE_CASES: list[tuple[str, str, object, tuple[str, str, str]]] = [
    # metadata, every kind
    (
        "ConfigMap",
        "metadata.labels",
        {"bad key!": "v"},
        ("metadata.labels", "FieldValueInvalid", f'Invalid value: "bad key!": {LABEL_NAME_ERROR}'),
    ),
    (
        "ConfigMap",
        "metadata.labels",
        {"app": "x" * 64},
        ("metadata.labels", "FieldValueInvalid", f'Invalid value: "{"x" * 64}": must be no more than 63 characters'),
    ),
    (
        "ConfigMap",
        "metadata.labels",
        {"/name": "v"},
        ("metadata.labels", "FieldValueInvalid", 'Invalid value: "/name": prefix part must be non-empty'),
    ),
    (
        "ConfigMap",
        "metadata.annotations",
        {"Example.COM/Key": "ok", "a b": "x"},
        ("metadata.annotations", "FieldValueInvalid", f'Invalid value: "a b": {LABEL_NAME_ERROR}'),
    ),
    (
        "ConfigMap",
        "metadata.annotations",
        {"big": "x" * (256 * 1024)},
        ("metadata.annotations", "FieldValueTooLong", "Too long: may not be more than 262144 bytes"),
    ),
    (
        "ConfigMap",
        "metadata.finalizers",
        ["keep"],
        (
            "metadata.finalizers[0]",
            "FieldValueInvalid",
            'Invalid value: "keep": name is neither a standard finalizer name nor is it fully qualified',
        ),
    ),
    (
        "ConfigMap",
        "metadata.finalizers",
        ["orphan", "foregroundDeletion"],
        (
            "metadata.finalizers",
            "FieldValueInvalid",
            'Invalid value: []string{"orphan", "foregroundDeletion"}: '
            "finalizer orphan and foregroundDeletion cannot be both set",
        ),
    ),
    (
        "ConfigMap",
        "metadata.ownerReferences",
        [{"apiVersion": "v1", "kind": "ConfigMap", "name": "o"}],
        ("metadata.ownerReferences.uid", "FieldValueInvalid", 'Invalid value: "": must not be empty'),
    ),
    # pods
    ("Pod", "spec.containers", [], ("spec.containers", "FieldValueRequired", "Required value")),
    ("Pod", "spec.containers[0].image", DELETE, ("spec.containers[0].image", "FieldValueRequired", "Required value")),
    (
        "Pod",
        "spec.containers",
        [container(), container()],
        ("spec.containers[1].name", "FieldValueDuplicate", 'Duplicate value: "c"'),
    ),
    (
        "Pod",
        "spec.containers[0].name",
        "Web_1",
        ("spec.containers[0].name", "FieldValueInvalid", f'Invalid value: "Web_1": {DNS_LABEL_ERROR}'),
    ),
    (
        "Pod",
        "spec.containers[0].name",
        "web.app",
        ("spec.containers[0].name", "FieldValueInvalid", 'Invalid value: "web.app": must not contain dots'),
    ),
    (
        "Pod",
        "spec.containers[0].image",
        " nginx",
        (
            "spec.containers[0].image",
            "FieldValueInvalid",
            'Invalid value: " nginx": must not have leading or trailing whitespace',
        ),
    ),
    (
        "Pod",
        "spec.containers[0].ports",
        [{"containerPort": 70000}],
        (
            "spec.containers[0].ports[0].containerPort",
            "FieldValueInvalid",
            "Invalid value: 70000: must be between 1 and 65535, inclusive",
        ),
    ),
    (
        "Pod",
        "spec.containers[0].ports",
        [{"name": "http"}],
        ("spec.containers[0].ports[0].containerPort", "FieldValueRequired", "Required value"),
    ),
    (
        "Pod",
        "spec.containers[0].ports",
        [{"containerPort": 80, "protocol": "HTTP"}],
        (
            "spec.containers[0].ports[0].protocol",
            "FieldValueNotSupported",
            'Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
        ),
    ),
    (
        "Pod",
        "spec.containers[0].ports",
        [{"containerPort": 80, "name": "web"}, {"containerPort": 81, "name": "web"}],
        ("spec.containers[0].ports[1].name", "FieldValueDuplicate", 'Duplicate value: "web"'),
    ),
    (
        "Pod",
        "spec.containers[0].ports",
        [{"containerPort": 80, "name": "Web--1"}],
        (
            "spec.containers[0].ports[0].name",
            "FieldValueInvalid",
            'Invalid value: "Web--1": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
        ),
    ),
    (
        "Pod",
        "spec.restartPolicy",
        "Sometimes",
        (
            "spec.restartPolicy",
            "FieldValueNotSupported",
            'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
        ),
    ),
    (
        "Pod",
        "spec.dnsPolicy",
        "Google",
        (
            "spec.dnsPolicy",
            "FieldValueNotSupported",
            'Unsupported value: "Google": supported values: '
            '"ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"',
        ),
    ),
    (
        "Pod",
        "spec.containers[0].imagePullPolicy",
        "Sometimes",
        (
            "spec.containers[0].imagePullPolicy",
            "FieldValueNotSupported",
            'Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"',
        ),
    ),
    (
        "Pod",
        "spec.containers[0].env",
        [{"name": "A=B", "value": "x"}],
        (
            "spec.containers[0].env[0].name",
            "FieldValueInvalid",
            'Invalid value: "A=B": '
            "a valid environment variable name must consist only of printable ASCII characters other than '='",
        ),
    ),
    (
        "Pod",
        "spec.containers[0].env",
        [{"value": "x"}],
        ("spec.containers[0].env[0].name", "FieldValueRequired", "Required value"),
    ),
    (
        "Pod",
        "spec.containers[0].env",
        [{"name": "A", "valueFrom": {}}],
        (
            "spec.containers[0].env[0].valueFrom",
            "FieldValueInvalid",
            'Invalid value: "": must specify one of: '
            "`fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`",
        ),
    ),
    (
        "Pod",
        "spec.containers[0].resources",
        {"limits": {"cpu": "1"}, "requests": {"cpu": "1500m"}},
        (
            "spec.containers[0].resources.requests",
            "FieldValueInvalid",
            'Invalid value: "1500m": must be less than or equal to cpu limit of 1',
        ),
    ),
    (
        "Pod",
        "spec.containers[0].resources",
        {"requests": {"memory": "-1Mi"}},
        (
            "spec.containers[0].resources.requests[memory]",
            "FieldValueInvalid",
            'Invalid value: "-1Mi": must be greater than or equal to 0',
        ),
    ),
    (
        "Pod",
        "spec.containers[0].resources",
        {"limits": {"gpu": "1"}},
        (
            "spec.containers[0].resources.limits[gpu]",
            "FieldValueInvalid",
            'Invalid value: "gpu": must be a standard resource for containers',
        ),
    ),
    (
        "Pod",
        "spec.containers[0].resources",
        {"limits": {"example.com/gpu": "1"}, "requests": {"example.com/gpu": "2"}},
        (
            "spec.containers[0].resources.requests",
            "FieldValueInvalid",
            'Invalid value: "2": must be equal to example.com/gpu limit of 1',
        ),
    ),
    (
        "Pod",
        "spec.containers[0].volumeMounts",
        [{"name": "data", "mountPath": "/data"}],
        ("spec.containers[0].volumeMounts[0].name", "FieldValueNotFound", 'Not found: "data"'),
    ),
    (
        "Pod",
        "spec.containers[0].volumeMounts",
        [{"name": "data"}],
        ("spec.containers[0].volumeMounts[0].mountPath", "FieldValueRequired", "Required value"),
    ),
    (
        "Pod",
        "spec.volumes",
        [{"name": "v"}, {"name": "v"}],
        ("spec.volumes[1].name", "FieldValueDuplicate", 'Duplicate value: "v"'),
    ),
    (
        "Pod",
        "spec.volumes",
        [{"name": "v", "emptyDir": {}, "hostPath": {"path": "/x"}}],
        ("spec.volumes[0].hostPath", "FieldValueForbidden", "Forbidden: may not specify more than 1 volume type"),
    ),
    (
        "Pod",
        "spec.volumes",
        [{"name": "v", "secret": {}}],
        ("spec.volumes[0].secret.secretName", "FieldValueRequired", "Required value"),
    ),
    (
        "Pod",
        "spec.volumes",
        [{"name": "v", "configMap": {"name": "c", "defaultMode": 1024}}],
        (
            "spec.volumes[0].configMap.defaultMode",
            "FieldValueInvalid",
            "Invalid value: 1024: must be a number between 0 and 0777 (octal), both inclusive",
        ),
    ),
    (
        "Pod",
        "spec.containers[0].livenessProbe",
        {"exec": {"command": ["true"]}, "tcpSocket": {"port": 80}},
        (
            "spec.containers[0].livenessProbe.tcpSocket",
            "FieldValueForbidden",
            "Forbidden: may not specify more than 1 handler type",
        ),
    ),
    (
        "Pod",
        "spec.containers[0].readinessProbe",
        {"periodSeconds": 5},
        ("spec.containers[0].readinessProbe", "FieldValueRequired", "Required value: must specify a handler type"),
    ),
    (
        "Pod",
        "spec.containers[0].livenessProbe",
        {"tcpSocket": {"port": 80}, "successThreshold": 2},
        ("spec.containers[0].livenessProbe.successThreshold", "FieldValueInvalid", "Invalid value: 2: must be 1"),
    ),
    (
        "Pod",
        "spec.containers[0].livenessProbe",
        {"tcpSocket": {"port": "Web"}},
        (
            "spec.containers[0].livenessProbe.tcpSocket.port",
            "FieldValueInvalid",
            'Invalid value: "Web": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
        ),
    ),
    (
        "Pod",
        "spec.initContainers",
        [container(name="init", readinessProbe={"exec": {"command": ["true"]}})],
        (
            "spec.initContainers[0].readinessProbe",
            "FieldValueForbidden",
            "Forbidden: may not be set for init containers without restartPolicy=Always",
        ),
    ),
    (
        "Pod",
        "spec.initContainers",
        [container()],
        ("spec.initContainers[0].name", "FieldValueDuplicate", 'Duplicate value: "c"'),
    ),
    (
        "Pod",
        "spec.containers[0].restartPolicy",
        "Always",
        (
            "spec.containers[0].restartPolicy",
            "FieldValueForbidden",
            "Forbidden: may not be set for non-init containers",
        ),
    ),
    (
        "Pod",
        "spec.activeDeadlineSeconds",
        0,
        (
            "spec.activeDeadlineSeconds",
            "FieldValueInvalid",
            "Invalid value: 0: must be between 1 and 2147483647, inclusive",
        ),
    ),
    (
        "Pod",
        "spec.hostNetwork",
        True,
        (
            "spec.containers[0].ports[0].hostPort",
            "FieldValueInvalid",
            "Invalid value: 8080: must match `containerPort` when `hostNetwork` is true",
        ),
    ),
    (
        "Pod",
        "spec.tolerations",
        [{"operator": "Equal", "value": "x"}],
        (
            "spec.tolerations[0].operator",
            "FieldValueInvalid",
            'Invalid value: "Equal": operator must be Exists when `key` is empty, '
            'which means "match all values and all keys"',
        ),
    ),
    (
        "Pod",
        "spec.ephemeralContainers",
        [{"name": "debug", "image": "busybox"}],
        ("spec.ephemeralContainers", "FieldValueForbidden", "Forbidden: cannot be set on create"),
    ),
    (
        "Pod",
        "spec.nodeSelector",
        {"disk": "fast ssd"},
        (
            "spec.nodeSelector",
            "FieldValueInvalid",
            'Invalid value: "fast ssd": a valid label must be an empty string or consist of alphanumeric characters, '
            "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  "
            "or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
        ),
    ),
    # workloads
    (
        "Deployment",
        "spec.selector",
        {"matchLabels": {"app": "y"}},
        (
            "spec.template.metadata.labels",
            "FieldValueInvalid",
            'Invalid value: map[string]string{"app":"x"}: `selector` does not match template `labels`',
        ),
    ),
    ("Deployment", "spec.selector", DELETE, ("spec.selector", "FieldValueRequired", "Required value")),
    (
        "Deployment",
        "spec.selector",
        {},
        (
            "spec.selector",
            "FieldValueInvalid",
            "Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), "
            "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment",
        ),
    ),
    (
        "Deployment",
        "spec.selector",
        {"matchExpressions": [{"key": "app", "operator": "Like", "values": ["x"]}]},
        (
            "spec.selector.matchExpressions[0].operator",
            "FieldValueInvalid",
            'Invalid value: "Like": not a valid selector operator',
        ),
    ),
    (
        "Deployment",
        "spec.replicas",
        -1,
        ("spec.replicas", "FieldValueInvalid", "Invalid value: -1: must be greater than or equal to 0"),
    ),
    (
        "Deployment",
        "spec.template.spec.restartPolicy",
        "Never",
        (
            "spec.template.spec.restartPolicy",
            "FieldValueNotSupported",
            'Unsupported value: "Never": supported values: "Always"',
        ),
    ),
    (
        "Deployment",
        "spec.template.spec.containers[0].image",
        "",
        ("spec.template.spec.containers[0].image", "FieldValueRequired", "Required value"),
    ),
    (
        "Deployment",
        "spec.template.metadata.labels",
        {"app": "x", "bad key": "v"},
        ("spec.template.labels", "FieldValueInvalid", f'Invalid value: "bad key": {LABEL_NAME_ERROR}'),
    ),
    (
        "Deployment",
        "spec.strategy",
        {"type": "BlueGreen"},
        (
            "spec.strategy",
            "FieldValueNotSupported",
            'Unsupported value: apps.DeploymentStrategy{Type:"BlueGreen", '
            "RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}: "
            'supported values: "Recreate", "RollingUpdate"',
        ),
    ),
    (
        "Deployment",
        "spec.strategy",
        {"type": "Recreate", "rollingUpdate": {"maxSurge": 1}},
        (
            "spec.strategy.rollingUpdate",
            "FieldValueForbidden",
            "Forbidden: may not be specified when strategy `type` is 'Recreate'",
        ),
    ),
    (
        "Deployment",
        "spec.strategy",
        {"rollingUpdate": {"maxSurge": 0, "maxUnavailable": "0%"}},
        (
            "spec.strategy.rollingUpdate.maxUnavailable",
            "FieldValueInvalid",
            'Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"0%"}: may not be 0 when `maxSurge` is 0',
        ),
    ),
    (
        "Deployment",
        "spec.strategy",
        {"rollingUpdate": {"maxUnavailable": "120%"}},
        (
            "spec.strategy.rollingUpdate.maxUnavailable",
            "FieldValueInvalid",
            'Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"120%"}: must not be greater than 100%',
        ),
    ),
    (
        "Deployment",
        "spec.minReadySeconds",
        700,
        (
            "spec.progressDeadlineSeconds",
            "FieldValueInvalid",
            "Invalid value: 600: must be greater than minReadySeconds",
        ),
    ),
    (
        "ReplicaSet",
        "spec.template.metadata.labels",
        None,
        (
            "spec.template.metadata.labels",
            "FieldValueInvalid",
            "Invalid value: map[string]string(nil): `selector` does not match template `labels`",
        ),
    ),
    (
        "StatefulSet",
        "spec.podManagementPolicy",
        "Random",
        (
            "spec.podManagementPolicy",
            "FieldValueInvalid",
            "Invalid value: \"Random\": must be 'OrderedReady' or 'Parallel'",
        ),
    ),
    (
        "StatefulSet",
        "metadata.name",
        "web.v1",
        ("metadata.name", "FieldValueInvalid", 'Invalid value: "web.v1": must not contain dots'),
    ),
    (
        "StatefulSet",
        "spec.persistentVolumeClaimRetentionPolicy",
        {"whenDeleted": "Keep"},
        (
            "spec.persistentVolumeClaimRetentionPolicy.whenDeleted",
            "FieldValueNotSupported",
            'Unsupported value: "Keep": supported values: "Retain", "Delete"',
        ),
    ),
    (
        "DaemonSet",
        "spec.updateStrategy",
        {"rollingUpdate": {"maxUnavailable": 1, "maxSurge": 1}},
        (
            "spec.updateStrategy.rollingUpdate.maxSurge",
            "FieldValueInvalid",
            'Invalid value: intstr.IntOrString{Type:0, IntVal:1, StrVal:""}: '
            "may not be set when maxUnavailable is non-zero",
        ),
    ),
    (
        "ReplicationController",
        "spec.template.spec.restartPolicy",
        "OnFailure",
        (
            "spec.template.spec.restartPolicy",
            "FieldValueNotSupported",
            'Unsupported value: "OnFailure": supported values: "Always"',
        ),
    ),
    # batch
    (
        "Job",
        "spec.template.spec.restartPolicy",
        DELETE,
        (
            "spec.template.spec.restartPolicy",
            "FieldValueRequired",
            'Required value: valid values: "OnFailure", "Never"',
        ),
    ),
    (
        "Job",
        "spec.completionMode",
        "Sometimes",
        (
            "spec.completionMode",
            "FieldValueNotSupported",
            'Unsupported value: "Sometimes": supported values: "NonIndexed", "Indexed"',
        ),
    ),
    ("Job", "spec.manualSelector", True, ("spec.selector", "FieldValueRequired", "Required value")),
    (
        "Job",
        "spec.backoffLimit",
        -1,
        ("spec.backoffLimit", "FieldValueInvalid", "Invalid value: -1: must be greater than or equal to 0"),
    ),
    ("CronJob", "spec.schedule", "", ("spec.schedule", "FieldValueRequired", "Required value")),
    (
        "CronJob",
        "spec.schedule",
        "61 * * * *",
        ("spec.schedule", "FieldValueInvalid", 'Invalid value: "61 * * * *": end of range (61) above maximum (59): 61'),
    ),
    (
        "CronJob",
        "spec.schedule",
        "CRON_TZ=UTC 0 * * * *",
        (
            "spec.schedule",
            "FieldValueInvalid",
            'Invalid value: "CRON_TZ=UTC 0 * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
        ),
    ),
    (
        "CronJob",
        "spec.timeZone",
        "Mars/Olympus",
        ("spec.timeZone", "FieldValueInvalid", 'Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus'),
    ),
    (
        "CronJob",
        "spec.concurrencyPolicy",
        "Sometimes",
        (
            "spec.concurrencyPolicy",
            "FieldValueNotSupported",
            'Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"',
        ),
    ),
    (
        "CronJob",
        "spec.jobTemplate.spec.selector",
        {"matchLabels": {"app": "x"}},
        (
            "spec.jobTemplate.spec.selector",
            "FieldValueInvalid",
            'Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"x"}, '
            "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: `selector` will be auto-generated",
        ),
    ),
    (
        "CronJob",
        "metadata.name",
        "c" * 53,
        ("metadata.name", "FieldValueInvalid", f'Invalid value: "{"c" * 53}": must be no more than 52 characters'),
    ),
    # services
    ("Service", "spec.ports", [], ("spec.ports", "FieldValueRequired", "Required value")),
    (
        "Service",
        "spec.ports",
        [{"port": 0}],
        ("spec.ports[0].port", "FieldValueInvalid", "Invalid value: 0: must be between 1 and 65535, inclusive"),
    ),
    (
        "Service",
        "spec.ports",
        [{"port": 80}, {"port": 81}],
        ("spec.ports[0].name", "FieldValueRequired", "Required value"),
    ),
    (
        "Service",
        "spec.ports",
        [{"port": 80, "name": "web"}, {"port": 81, "name": "web"}],
        ("spec.ports[1].name", "FieldValueDuplicate", 'Duplicate value: "web"'),
    ),
    (
        "Service",
        "spec.ports",
        [{"port": 80, "protocol": "ICMP"}],
        (
            "spec.ports[0].protocol",
            "FieldValueNotSupported",
            'Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
        ),
    ),
    (
        "Service",
        "spec.type",
        "Internal",
        (
            "spec.type",
            "FieldValueNotSupported",
            'Unsupported value: "Internal": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
        ),
    ),
    (
        "Service",
        "spec.ports",
        [{"port": 80, "nodePort": 30080}],
        ("spec.ports[0].nodePort", "FieldValueForbidden", "Forbidden: may not be used when `type` is 'ClusterIP'"),
    ),
    (
        "Service",
        "spec.sessionAffinity",
        "Cookie",
        (
            "spec.sessionAffinity",
            "FieldValueNotSupported",
            'Unsupported value: "Cookie": supported values: "ClientIP", "None"',
        ),
    ),
    (
        "Service",
        "spec.externalTrafficPolicy",
        "Local",
        (
            "spec.externalTrafficPolicy",
            "FieldValueInvalid",
            'Invalid value: "Local": may only be set for externally-accessible services',
        ),
    ),
    ("Service", "spec.type", "ExternalName", ("spec.externalName", "FieldValueRequired", "Required value")),
    (
        "Service",
        "metadata.name",
        "1web",
        (
            "metadata.name",
            "FieldValueInvalid",
            "Invalid value: \"1web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', "
            "start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "
            "'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
        ),
    ),
    # config maps, secrets, namespaces, nodes
    (
        "ConfigMap",
        "data",
        {"bad/key": "x"},
        (
            "data[bad/key]",
            "FieldValueInvalid",
            "Invalid value: \"bad/key\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' "
            "(e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
        ),
    ),
    (
        "ConfigMap",
        "data",
        {"..x": "x"},
        ("data[..x]", "FieldValueInvalid", "Invalid value: \"..x\": must not start with '..'"),
    ),
    (
        "ConfigMap",
        "data",
        {"big": "x" * (1024 * 1024 + 1)},
        ("", "FieldValueTooLong", "Too long: may not be more than 1048576 bytes"),
    ),
    (
        "ConfigMap",
        "binaryData",
        {"a.conf": "eA=="},
        ("data[a.conf]", "FieldValueInvalid", 'Invalid value: "a.conf": duplicate of key present in binaryData'),
    ),
    ("Secret", "type", "kubernetes.io/tls", ("data[tls.crt]", "FieldValueRequired", "Required value")),
    (
        "Secret",
        "data",
        {"big": "A" * 1398104},
        ("data", "FieldValueTooLong", "Too long: may not be more than 1048576 bytes"),
    ),
    (
        "Namespace",
        "spec.finalizers",
        ["cleanup"],
        (
            "spec.finalizers",
            "FieldValueInvalid",
            'Invalid value: "cleanup": name is neither a standard finalizer name nor is it fully qualified',
        ),
    ),
    (
        "Node",
        "spec.taints",
        [{"key": "a", "effect": "Sometimes"}],
        (
            "metadata.taints[0].effect",
            "FieldValueNotSupported",
            'Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
        ),
    ),
]


@pytest.mark.parametrize(("kind", "path", "value", "expected"), CREATE_CASES)
def test_invalid_objects_are_rejected_with_kubernetes_causes(
    kind: str, path: str, value: object, expected: tuple[str, str, str]
) -> None:
    obj = valid(kind)
    if kind == "Pod" and path == "spec.hostNetwork":
        obj["spec"]["containers"][0]["ports"] = [{"containerPort": 80, "hostPort": 8080}]
    assert expected in create_causes(kind, changed(obj, set_in(path, value)))


def test_a_deployment_without_selector_reports_both_causes_in_one_message() -> None:
    obj = changed(valid("Deployment"), set_in("spec.selector", DELETE))
    with pytest.raises(errors.Invalid) as caught:
        strategies.prepare_for_create(rt_of("Deployment"), obj)
    assert caught.value.message == (
        'Deployment.apps "web" is invalid: [spec.selector: Required value, spec.template.metadata.labels: Invalid '
        'value: map[string]string{"app":"x"}: `selector` does not match template `labels`]'
    )
    assert (caught.value.kind, caught.value.group, caught.value.name) == ("Deployment", "apps", "web")
    assert [c.field for c in caught.value.causes] == ["spec.selector", "spec.template.metadata.labels"]


def test_a_pod_without_image_is_rejected_with_the_core_kind_unqualified() -> None:
    obj = changed(valid("Pod"), set_in("spec.containers[0].image", DELETE))
    with pytest.raises(errors.Invalid) as caught:
        strategies.prepare_for_create(rt_of("Pod"), obj)
    assert caught.value.message == 'Pod "web" is invalid: spec.containers[0].image: Required value'
    assert errors.to_status(caught.value)["details"]["causes"] == [
        {"reason": "FieldValueRequired", "message": "Required value", "field": "spec.containers[0].image"}
    ]


def test_repeated_causes_appear_once_in_the_message_but_all_in_the_details() -> None:
    cause = errors.Cause("FieldValueRequired", "Required value", "spec.x")
    error = validation.invalid(rt_of("Pod"), "p", [cause, cause])
    assert error.message == 'Pod "p" is invalid: spec.x: Required value'
    assert len(error.causes) == 2


def test_malformed_values_are_a_400_not_a_422() -> None:
    obj = changed(valid("Deployment"), set_in("spec.replicas", "three"))
    with pytest.raises(errors.BadRequest) as caught:
        strategies.prepare_for_create(rt_of("Deployment"), obj)
    assert caught.value.message == (
        'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct '
        "field Deployment.spec.replicas of type int32"
    )


def test_a_job_gets_its_generated_selector_and_labels() -> None:
    obj = valid("Job")
    obj["metadata"]["uid"] = "1234"
    strategies.prepare_for_create(rt_of("Job"), obj)
    assert obj["spec"]["selector"] == {"matchLabels": {"batch.kubernetes.io/controller-uid": "1234"}}
    expected = {
        "app": "x",
        "batch.kubernetes.io/controller-uid": "1234",
        "batch.kubernetes.io/job-name": "web",
        "controller-uid": "1234",
        "job-name": "web",
    }
    assert obj["spec"]["template"]["metadata"]["labels"] == expected
    assert obj["metadata"]["labels"] == expected


def test_a_job_keeps_its_own_labels_and_a_manual_selector() -> None:
    obj = valid("Job")
    obj["metadata"]["labels"] = {"team": "a"}
    strategies.prepare_for_create(rt_of("Job"), obj)
    assert obj["metadata"]["labels"] == {"team": "a"}
    manual = changed(valid("Job"), set_in("spec.manualSelector", True))
    manual["spec"]["selector"] = {"matchLabels": {"app": "x"}}
    strategies.prepare_for_create(rt_of("Job"), manual)
    assert manual["spec"]["selector"] == {"matchLabels": {"app": "x"}}
    assert manual["spec"]["template"]["metadata"]["labels"] == {"app": "x"}


def test_a_job_selector_the_server_did_not_generate_is_rejected() -> None:
    obj = changed(valid("Job"), set_in("spec.selector", {"matchLabels": {"app": "x"}}))
    obj["metadata"]["uid"] = "1234"
    with pytest.raises(errors.Invalid) as caught:
        strategies.prepare_for_create(rt_of("Job"), obj)
    assert [(c.field, c.message) for c in caught.value.causes] == [
        (
            "spec.selector",
            'Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"x", '
            '"batch.kubernetes.io/controller-uid":"1234"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: '
            "`selector` not auto-generated",
        )
    ]


def test_an_indexed_job_needs_completions() -> None:
    obj = valid("Job")
    obj["spec"].update(completionMode="Indexed", parallelism=2)
    assert (
        "spec.completions",
        "FieldValueRequired",
        "Required value: when completion mode is Indexed",
    ) in create_causes("Job", obj)
    obj["spec"]["completions"] = 3
    obj["metadata"]["name"] = "j" * 62
    assert (
        "metadata.name",
        "FieldValueInvalid",
        f'Invalid value: "{"j" * 62}": will not able to create pod with invalid DNS label: {"j" * 62}-2',
    ) in create_causes("Job", obj)


def test_namespaces_get_their_name_label_phase_and_finalizer() -> None:
    obj = valid("Namespace")
    strategies.prepare_for_create(rt_of("Namespace"), obj)
    assert obj["metadata"]["labels"] == {"kubernetes.io/metadata.name": "web"}
    assert obj["spec"] == {"finalizers": ["kubernetes"]} and obj["status"] == {"phase": "Active"}


# -- updates --------------------------------------------------------------------------------------------------


def stored(kind: str, obj: Obj | None = None) -> Obj:
    return prepared(kind, obj if obj is not None else valid(kind))


UPDATE_CASES: list[tuple[str, str, object, tuple[str, str, str]]] = [
    (
        "Deployment",
        "spec.selector",
        {"matchLabels": {"app": "x", "tier": "web"}},
        (
            "spec.selector",
            "FieldValueInvalid",
            'Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"x", "tier":"web"}, '
            "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable",
        ),
    ),
    (
        "ReplicaSet",
        "spec.selector",
        {"matchExpressions": [{"key": "app", "operator": "Exists"}]},
        (
            "spec.selector",
            "FieldValueInvalid",
            "Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), "
            "MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{"
            'Key:"app", Operator:"Exists", Values:[]string(nil)}}}: field is immutable',
        ),
    ),
    (
        "StatefulSet",
        "spec.serviceName",
        "other",
        (
            "spec",
            "FieldValueForbidden",
            "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', "
            "'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
        ),
    ),
    ("Job", "spec.completions", 3, ("spec.completions", "FieldValueInvalid", "Invalid value: 3: field is immutable")),
    (
        "Job",
        "spec.template.spec.containers[0].image",
        "nginx:2",
        ("spec.template", "FieldValueInvalid", "Invalid value: core.PodTemplateSpec{...}: field is immutable"),
    ),
    (
        "ConfigMap",
        "data",
        {"a.conf": "y"},
        ("data", "FieldValueForbidden", "Forbidden: field is immutable when `immutable` is set"),
    ),
    (
        "ConfigMap",
        "immutable",
        False,
        ("immutable", "FieldValueForbidden", "Forbidden: field is immutable when `immutable` is set"),
    ),
    ("Secret", "type", "Other", ("type", "FieldValueInvalid", 'Invalid value: "Other": field is immutable')),
    (
        "Pod",
        "spec.containers",
        [container(), container(name="d")],
        ("spec.containers", "FieldValueForbidden", "Forbidden: pod updates may not add or remove containers"),
    ),
    ("Pod", "spec.containers[0].image", "", ("spec.containers[0].image", "FieldValueRequired", "Required value")),
    ("Pod", "spec.nodeName", "node-b", ("spec", "FieldValueForbidden", "")),
    ("Pod", "spec.restartPolicy", "Never", ("spec", "FieldValueForbidden", "")),
    ("Pod", "metadata.finalizers", ["example.com/new"], ("metadata.finalizers", "FieldValueForbidden", "")),
]


@pytest.mark.parametrize(("kind", "path", "value", "expected"), UPDATE_CASES)
def test_forbidden_updates(kind: str, path: str, value: object, expected: tuple[str, str, str]) -> None:
    old = stored(kind)
    if kind == "ConfigMap":
        old["immutable"] = True
    if kind == "Pod":
        old["spec"]["nodeName"] = "node-a"
        old["metadata"]["deletionTimestamp"] = "2024-01-01T00:00:00Z"
    new = changed(old, set_in(path, value))
    if kind == "ConfigMap" and path != "immutable":
        new["immutable"] = True
    causes = update_causes(kind, old, new)
    field, reason, message = expected
    if message:
        assert expected in causes
    else:
        assert any(c[0] == field and c[1] == reason for c in causes), causes


def test_the_pod_update_message_names_what_may_change() -> None:
    old = stored("Pod")
    new = changed(old, set_in("spec.restartPolicy", "Never"))
    (cause,) = update_causes("Pod", old, new)
    assert cause[2].startswith(
        "Forbidden: pod updates may not change fields other than `spec.containers[*].image`,"
        "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing "
        "tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n"
    )
    assert '- \trestartPolicy: "Always",\n+ \trestartPolicy: "Never",' in cause[2]


@pytest.mark.parametrize(
    ("kind", "path", "value"),
    [
        ("Pod", "spec.containers[0].image", "nginx:2"),
        ("Pod", "spec.nodeName", "node-a"),  # the binding subresource's write
        ("Pod", "spec.activeDeadlineSeconds", 30),
        ("Pod", "spec.tolerations", [{"key": "k", "operator": "Exists"}]),
        ("Pod", "metadata.labels", {"tier": "web"}),
        ("Deployment", "spec.template.spec.containers[0].image", "nginx:2"),
        ("Deployment", "spec.replicas", 5),
        ("StatefulSet", "spec.replicas", 3),
        ("Job", "spec.suspend", True),
        ("ConfigMap", "data", {"a.conf": "y"}),
        ("Secret", "data", {"other": "eA=="}),
        ("Service", "spec.type", "NodePort"),
    ],
)
def test_allowed_updates(kind: str, path: str, value: object) -> None:
    old = stored(kind)
    assert update_causes(kind, old, changed(old, set_in(path, value))) == []


def test_objects_stored_before_defaulting_can_still_be_updated() -> None:
    old = valid("Pod")  # as an older k3py stored it: no defaults
    assert update_causes("Pod", old, changed(old, set_in("metadata.labels", {"a": "b"}))) == []


def test_a_service_leaving_node_port_drops_its_node_ports_and_traffic_policy() -> None:
    old = stored("Service", changed(valid("Service"), set_in("spec.type", "NodePort")))
    old["spec"]["ports"][0]["nodePort"] = 30080
    new = changed(old, set_in("spec.type", "ClusterIP"))
    assert update_causes("Service", old, new) == []
    after = copy.deepcopy(new)
    strategies.drop_type_dependent_fields(old, after)
    assert "nodePort" not in after["spec"]["ports"][0] and "externalTrafficPolicy" not in after["spec"]


def test_deleting_objects_may_lose_finalizers_but_not_gain_them() -> None:
    old = stored("ConfigMap", changed(valid("ConfigMap"), set_in("metadata.finalizers", ["example.com/a"])))
    old["metadata"]["deletionTimestamp"] = "2024-01-01T00:00:00Z"
    assert update_causes("ConfigMap", old, changed(old, set_in("metadata.finalizers", []))) == []
    causes = update_causes(
        "ConfigMap", old, changed(old, set_in("metadata.finalizers", ["example.com/a", "example.com/b"]))
    )
    assert causes == [
        (
            "metadata.finalizers",
            "FieldValueForbidden",
            "Forbidden: no new finalizers can be added if the object is being deleted, "
            'found new finalizers []string{"example.com/b"}',
        )
    ]


def test_prepare_for_update_defaults_then_validates() -> None:
    rt = rt_of("Deployment")
    old = stored("Deployment")
    new = copy.deepcopy(valid("Deployment"))
    strategies.prepare_for_update(rt, old, new)
    assert new["spec"]["strategy"]["type"] == "RollingUpdate"
    bad = changed(valid("Deployment"), set_in("spec.selector", {"matchLabels": {"app": "y"}}))
    with pytest.raises(errors.Invalid) as caught:
        strategies.prepare_for_update(rt, old, bad)
    assert [c.field for c in caught.value.causes] == ["spec.template.metadata.labels", "spec.selector"]


# -- messages, values and schedules --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("x", '"x"'),
        ('a"b\n\t\x01é', '"a\\"b\\n\\t\\x01é"'),
        (3, "3"),
        (2.5, "2.5"),
        (3.0, "3"),
        (True, "true"),
        (None, '"null"'),
        ({"b": "2", "a": "1"}, 'map[string]string{"a":"1", "b":"2"}'),
        (["a", "b"], '[]string{"a", "b"}'),
        (validation.GoText("core.X{}"), "core.X{}"),
    ],
)
def test_values_print_as_go_prints_them(value: object, shown: str) -> None:
    assert validation.go_repr(value) == shown


@pytest.mark.parametrize(
    ("schedule", "problem"),
    [
        ("*/5 * * * *", ""),
        ("0 0 * * MON-FRI", ""),
        ("0 0 1 JAN,jul *", ""),
        ("@hourly", ""),
        ("@every 1h30m", ""),
        ("TZ=UTC 0 * * * *", ""),
        ("", "empty spec string"),
        ("* * * *", "expected exactly 5 fields, found 4: [* * * *]"),
        ("* * * * * *", "expected exactly 5 fields, found 6: [* * * * * *]"),
        ("@fortnightly", "unrecognized descriptor: @fortnightly"),
        ("@every soon", 'failed to parse duration @every soon: time: invalid duration "soon"'),
        ("x * * * *", 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax'),
        ("* 24 * * *", "end of range (24) above maximum (23): 24"),
        ("* * 0 * *", "beginning of range (0) below minimum (1): 0"),
        ("5-1 * * * *", "beginning of range (5) beyond end of range (1): 5-1"),
        ("1-2-3 * * * *", "too many hyphens: 1-2-3"),
        ("*/2/3 * * * *", "too many slashes: */2/3"),
        ("*/0 * * * *", "step of range should be a positive number: */0"),
        ("TZ=Nowhere/City 0 * * * *", "provided bad location Nowhere/City: unknown time zone Nowhere/City"),
    ],
)
def test_cron_schedules(schedule: str, problem: str) -> None:
    assert validation.cron_error(schedule) == problem


def test_qualified_names_with_prefixes() -> None:
    assert validation.qualified_name_errors("example.com/name") == []
    assert validation.qualified_name_errors("Example.com/name") == [
        "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
        "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
    ]
    assert validation.qualified_name_errors("a/b/c")[0].startswith("a qualified name must consist of")


# -- robustness: anything a client sends decodes, is rejected, or validates; nothing else ---------------------

JSON_LEAF = st.none() | st.booleans() | st.integers(-5, 70000) | st.floats(allow_nan=False) | st.text(max_size=8)
JSON_VALUE = st.recursive(
    JSON_LEAF,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=15,
)
FIELD_NAMES = st.sampled_from(
    [
        "containers",
        "initContainers",
        "volumes",
        "selector",
        "template",
        "ports",
        "resources",
        "limits",
        "env",
        "strategy",
        "rollingUpdate",
        "maxSurge",
        "spec",
        "metadata",
        "labels",
        "matchLabels",
        "matchExpressions",
        "jobTemplate",
        "schedule",
        "type",
        "data",
        "livenessProbe",
        "httpGet",
        "volumeMounts",
        "replicas",
        "protocol",
        "name",
        "image",
    ]
)
SHAPED = st.recursive(
    JSON_LEAF,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(FIELD_NAMES, inner, max_size=5),
    max_leaves=25,
)


METADATA = st.dictionaries(
    st.sampled_from(["labels", "annotations", "finalizers", "ownerReferences", "uid", "deletionTimestamp"]), JSON_VALUE
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(sorted(KINDS)), body=SHAPED | JSON_VALUE, metadata=METADATA, old=st.booleans())
def test_any_body_is_decoded_rejected_or_validated(kind: str, body: Any, metadata: Obj, old: bool) -> None:
    rt = rt_of(kind)
    obj = valid(kind)
    if isinstance(body, dict):
        obj.update({k: v for k, v in body.items() if k != "metadata"})
    else:
        obj["spec"] = body
    obj["metadata"].update(metadata)
    previous = stored(kind)
    outcome: errors.K3pyError | None = None
    try:
        if old:
            strategies.prepare_for_update(rt, previous, obj)
        else:
            strategies.prepare_for_create(rt, obj)
    except errors.K3pyError as exc:
        outcome = exc
    # Accepted, or refused as the apiserver refuses: a 400 for what does not decode, a 422 for what is invalid.
    assert outcome is None or (type(outcome) in (errors.BadRequest, errors.Invalid) and outcome.message)
