"""Validation of the storage, networking, RBAC, policy and scheduling kinds (``k3py.api.groupvalidation``):
Kubernetes' field paths, cause types and messages, through the strategies as a write goes."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from k3py.api import defaults, strategies, validation
from k3py.api.registry import Registry, ResourceType

Obj = dict[str, Any]
REGISTRY = Registry.builtin()
KINDS = {
    "PersistentVolume": ("", "v1", "persistentvolumes"),
    "PersistentVolumeClaim": ("", "v1", "persistentvolumeclaims"),
    "StorageClass": ("storage.k8s.io", "v1", "storageclasses"),
    "Role": ("rbac.authorization.k8s.io", "v1", "roles"),
    "ClusterRole": ("rbac.authorization.k8s.io", "v1", "clusterroles"),
    "RoleBinding": ("rbac.authorization.k8s.io", "v1", "rolebindings"),
    "ClusterRoleBinding": ("rbac.authorization.k8s.io", "v1", "clusterrolebindings"),
    "Ingress": ("networking.k8s.io", "v1", "ingresses"),
    "IngressClass": ("networking.k8s.io", "v1", "ingressclasses"),
    "NetworkPolicy": ("networking.k8s.io", "v1", "networkpolicies"),
    "PodDisruptionBudget": ("policy", "v1", "poddisruptionbudgets"),
    "PriorityClass": ("scheduling.k8s.io", "v1", "priorityclasses"),
}
RBAC = "rbac.authorization.k8s.io"


def rt_of(kind: str) -> ResourceType:
    group, version, plural = KINDS[kind]
    rt = REGISTRY.lookup(group, version, plural)
    assert rt is not None
    return rt


def valid(kind: str) -> Obj:
    meta = {"name": "x"}
    bodies: dict[str, Obj] = {
        "PersistentVolume": {
            "spec": {"accessModes": ["ReadWriteOnce"], "capacity": {"storage": "1Gi"}, "hostPath": {"path": "/srv/x"}}
        },
        "PersistentVolumeClaim": {
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}
        },
        "StorageClass": {"provisioner": "rancher.io/local-path"},
        "Role": {"rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]},
        "ClusterRole": {"rules": [{"nonResourceURLs": ["/healthz"], "verbs": ["get"]}]},
        "RoleBinding": {
            "roleRef": {"apiGroup": RBAC, "kind": "Role", "name": "system:reader"},
            "subjects": [
                {"kind": "ServiceAccount", "name": "default"},
                {"kind": "User", "apiGroup": RBAC, "name": "a"},
            ],
        },
        "ClusterRoleBinding": {
            "roleRef": {"apiGroup": RBAC, "kind": "ClusterRole", "name": "view"},
            "subjects": [{"kind": "ServiceAccount", "name": "default", "namespace": "default"}],
        },
        "Ingress": {
            "spec": {
                "rules": [
                    {
                        "host": "*.example.com",
                        "http": {
                            "paths": [
                                {
                                    "path": "/",
                                    "pathType": "Prefix",
                                    "backend": {"service": {"name": "web", "port": {"number": 80}}},
                                }
                            ]
                        },
                    }
                ]
            }
        },
        "IngressClass": {"spec": {"controller": "k3py.io/ingress"}},
        "NetworkPolicy": {
            "spec": {
                "podSelector": {"matchLabels": {"app": "db"}},
                "ingress": [
                    {
                        "from": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]}}],
                        "ports": [{"port": 5432}],
                    }
                ],
            }
        },
        "PodDisruptionBudget": {"spec": {"minAvailable": "50%", "selector": {"matchLabels": {"app": "web"}}}},
        "PriorityClass": {"value": 1000},
    }
    group, version, _ = KINDS[kind]
    return {"apiVersion": f"{group}/{version}" if group else version, "kind": kind, "metadata": meta, **bodies[kind]}


def causes_of(kind: str, obj: Obj, old: Obj | None = None) -> list[tuple[str, str, str]]:
    """The 422's causes of creating ``obj`` (or replacing ``old`` with it): (field, reason, message)."""
    rt = rt_of(kind)
    new = copy.deepcopy(obj)
    defaults.apply_defaults(rt, new)
    if old is None:
        found = validation.validate_create(rt, new, strategies.RULES)
    else:
        before = copy.deepcopy(old)
        defaults.apply_defaults(rt, before)
        found = validation.validate_update(rt, before, new, strategies.RULES)
    return [(c.field, c.reason, c.message) for c in found]


def with_(obj: Obj, path: str, value: object) -> Obj:
    """``obj`` with ``value`` at a dotted path (``[n]`` indexes lists; None deletes)."""
    out = copy.deepcopy(obj)
    parts = path.replace("]", "").replace("[", ".").split(".")
    target: Any = out
    for part in parts[:-1]:
        target = target[int(part)] if isinstance(target, list) else target.setdefault(part, {})
    last = parts[-1]
    if value is None:
        del target[int(last) if isinstance(target, list) else last]
    elif isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return out


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_valid_objects_pass(kind: str) -> None:
    assert causes_of(kind, valid(kind)) == []


@pytest.mark.parametrize(
    ("kind", "path", "value", "expected"),
    [
        pytest.param(
            "PersistentVolumeClaim",
            "spec.accessModes",
            None,
            ("spec.accessModes", "FieldValueRequired", "Required value: at least 1 access mode is required"),
            id="pvc-access-modes",
        ),
        pytest.param(
            "PersistentVolumeClaim",
            "spec.accessModes",
            ["ReadWriteOncePod", "ReadOnlyMany"],
            (
                "spec.accessModes",
                "FieldValueForbidden",
                "Forbidden: may not use ReadWriteOncePod with other access modes",
            ),
            id="pvc-rwop-mixed",
        ),
        pytest.param(
            "PersistentVolumeClaim",
            "spec.resources.requests",
            {},
            ("spec.resources[storage]", "FieldValueRequired", "Required value"),
            id="pvc-storage-required",
        ),
        pytest.param(
            "PersistentVolumeClaim",
            "spec.resources.requests.storage",
            "0",
            ("spec.resources[storage]", "FieldValueInvalid", 'Invalid value: "0": must be greater than zero'),
            id="pvc-storage-positive",
        ),
        pytest.param(
            "PersistentVolumeClaim",
            "spec.volumeMode",
            "Raw",
            (
                "spec.volumeMode",
                "FieldValueNotSupported",
                'Unsupported value: "Raw": supported values: "Block", "Filesystem"',
            ),
            id="pvc-volume-mode",
        ),
        pytest.param(
            "PersistentVolume",
            "spec.hostPath",
            None,
            ("spec", "FieldValueRequired", "Required value: must specify a volume type"),
            id="pv-no-source",
        ),
        pytest.param(
            "PersistentVolume",
            "spec.nfs",
            {"server": "nfs", "path": "/x"},
            ("spec.nfs", "FieldValueForbidden", "Forbidden: may not specify more than 1 volume type"),
            id="pv-two-sources",
        ),
        pytest.param(
            "PersistentVolume",
            "spec.persistentVolumeReclaimPolicy",
            "Keep",
            (
                "spec.persistentVolumeReclaimPolicy",
                "FieldValueNotSupported",
                'Unsupported value: "Keep": supported values: "Delete", "Recycle", "Retain"',
            ),
            id="pv-reclaim-policy",
        ),
        pytest.param(
            "StorageClass",
            "volumeBindingMode",
            "Later",
            (
                "volumeBindingMode",
                "FieldValueNotSupported",
                'Unsupported value: "Later": supported values: "Immediate", "WaitForFirstConsumer"',
            ),
            id="storageclass-binding-mode",
        ),
        pytest.param(
            "StorageClass",
            "provisioner",
            "",
            ("provisioner", "FieldValueRequired", "Required value"),
            id="storageclass-provisioner",
        ),
        pytest.param(
            "Role",
            "rules[0].verbs",
            [],
            ("rules[0].verbs", "FieldValueRequired", "Required value: verbs must contain at least one value"),
            id="role-verbs",
        ),
        pytest.param(
            "Role",
            "rules[0]",
            {"nonResourceURLs": ["/metrics"], "verbs": ["get"]},
            (
                "rules[0].nonResourceURLs",
                "FieldValueInvalid",
                'Invalid value: []string{"/metrics"}: namespaced rules cannot apply to non-resource URLs',
            ),
            id="role-non-resource-urls",
        ),
        pytest.param(
            "ClusterRole",
            "rules[0]",
            {"verbs": ["get"], "resources": ["pods"]},
            (
                "rules[0].apiGroups",
                "FieldValueRequired",
                "Required value: resource rules must supply at least one api group",
            ),
            id="clusterrole-api-groups",
        ),
        pytest.param(
            "RoleBinding",
            "roleRef.kind",
            "Group",
            (
                "roleRef.kind",
                "FieldValueNotSupported",
                'Unsupported value: "Group": supported values: "Role", "ClusterRole"',
            ),
            id="rolebinding-roleref-kind",
        ),
        pytest.param(
            "ClusterRoleBinding",
            "roleRef.kind",
            "Role",
            ("roleRef.kind", "FieldValueNotSupported", 'Unsupported value: "Role": supported values: "ClusterRole"'),
            id="clusterrolebinding-roleref-kind",
        ),
        pytest.param(
            "ClusterRoleBinding",
            "subjects[0].namespace",
            None,
            ("subjects[0].namespace", "FieldValueRequired", "Required value"),
            id="clusterrolebinding-sa-namespace",
        ),
        pytest.param(
            "RoleBinding",
            "subjects[1].apiGroup",
            "",
            (
                "subjects[1].apiGroup",
                "FieldValueNotSupported",
                'Unsupported value: "": supported values: "rbac.authorization.k8s.io"',
            ),
            id="rolebinding-user-api-group",
        ),
        pytest.param(
            "Ingress",
            "spec.rules[0].http.paths[0].pathType",
            None,
            (
                "spec.rules[0].http.paths[0].pathType",
                "FieldValueRequired",
                "Required value: pathType must be specified",
            ),
            id="ingress-path-type",
        ),
        pytest.param(
            "Ingress",
            "spec.rules[0].http.paths[0].path",
            "api",
            ("spec.rules[0].http.paths[0].path", "FieldValueInvalid", 'Invalid value: "api": must be an absolute path'),
            id="ingress-relative-path",
        ),
        pytest.param(
            "Ingress",
            "spec.rules[0].host",
            "10.0.0.1",
            (
                "spec.rules[0].host",
                "FieldValueInvalid",
                'Invalid value: "10.0.0.1": must be a DNS name, not an IP address',
            ),
            id="ingress-ip-host",
        ),
        pytest.param(
            "Ingress",
            "spec.rules[0].http.paths[0].backend.service.port",
            {"number": 80, "name": "http"},
            (
                "spec.rules[0].http.paths[0].backend",
                "FieldValueInvalid",
                'Invalid value: "": cannot set both port name & port number',
            ),
            id="ingress-port-name-and-number",
        ),
        pytest.param(
            "Ingress",
            "spec.rules",
            None,
            (
                "spec",
                "FieldValueInvalid",
                "Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified",
            ),
            id="ingress-nothing",
        ),
        pytest.param(
            "IngressClass",
            "spec.controller",
            "nginx",
            (
                "spec.controller",
                "FieldValueInvalid",
                'Invalid value: "nginx": must be a domain-prefixed path (such as "acme.io/foo")',
            ),
            id="ingressclass-controller",
        ),
        pytest.param(
            "NetworkPolicy",
            "spec.ingress[0].from[0].ipBlock.except",
            ["192.168.0.0/16"],
            (
                "spec.ingress[0].from[0].ipBlock.except[0]",
                "FieldValueInvalid",
                'Invalid value: "192.168.0.0/16": must be a strict subset of `cidr`',
            ),
            id="networkpolicy-except",
        ),
        pytest.param(
            "NetworkPolicy",
            "spec.ingress[0].from[0].podSelector",
            {},
            (
                "spec.ingress[0].from[0]",
                "FieldValueForbidden",
                "Forbidden: may not specify both ipBlock and another peer",
            ),
            id="networkpolicy-peers",
        ),
        pytest.param(
            "NetworkPolicy",
            "spec.ingress[0].ports[0].endPort",
            80,
            (
                "spec.ingress[0].ports[0].endPort",
                "FieldValueInvalid",
                "Invalid value: 5432: must be greater than or equal to `port`",
            ),
            id="networkpolicy-end-port",
        ),
        pytest.param(
            "PodDisruptionBudget",
            "spec.minAvailable",
            "150%",
            (
                "spec.minAvailable",
                "FieldValueInvalid",
                'Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"150%"}: must not be greater than 100%',
            ),
            id="pdb-over-100",
        ),
        pytest.param(
            "PriorityClass",
            "value",
            2_000_000_000,
            (
                "value",
                "FieldValueForbidden",
                "Forbidden: maximum allowed value of a user defined priority is 1000000000",
            ),
            id="priorityclass-value",
        ),
        pytest.param(
            "PriorityClass",
            "metadata.name",
            "system-mine",
            (
                "metadata.name",
                "FieldValueForbidden",
                "Forbidden: priority class names with 'system-' prefix are reserved for system use only. "
                "error: system-mine is not a known system priority class",
            ),
            id="priorityclass-system-prefix",
        ),
    ],
)
def test_each_rule_gives_kubernetes_cause(kind: str, path: str, value: object, expected: tuple[str, str, str]) -> None:
    assert expected in causes_of(kind, with_(valid(kind), path, value))


def test_pdb_with_both_bounds_is_refused() -> None:
    obj = with_(valid("PodDisruptionBudget"), "spec.maxUnavailable", 1)
    [(path, reason, message)] = causes_of("PodDisruptionBudget", obj)
    assert (path, reason) == ("spec", "FieldValueInvalid")
    assert message.endswith("minAvailable and maxUnavailable cannot be both set")


def test_defaults_fill_what_kubernetes_fills() -> None:
    sc = valid("StorageClass")
    defaults.apply_defaults(rt_of("StorageClass"), sc)
    assert (sc["reclaimPolicy"], sc["volumeBindingMode"]) == ("Delete", "Immediate")
    policy = valid("NetworkPolicy")
    defaults.apply_defaults(rt_of("NetworkPolicy"), policy)
    assert policy["spec"]["policyTypes"] == ["Ingress"]
    assert policy["spec"]["ingress"][0]["ports"][0]["protocol"] == "TCP"
    pc = valid("PriorityClass")
    defaults.apply_defaults(rt_of("PriorityClass"), pc)
    assert pc["preemptionPolicy"] == "PreemptLowerPriority"


def test_a_claim_is_fixed_but_for_what_binding_sets_and_growing_a_bound_one() -> None:
    old = valid("PersistentVolumeClaim")
    bound = with_(with_(old, "spec.volumeName", "pv-1"), "spec.storageClassName", "local-path")
    assert causes_of("PersistentVolumeClaim", bound, old) == []  # the binder's first write
    grown = with_(with_(bound, "spec.resources.requests.storage", "2Gi"), "status", {"phase": "Bound"})
    assert causes_of("PersistentVolumeClaim", grown, bound) == []
    shrunk = with_(with_(bound, "spec.resources.requests.storage", "512Mi"), "status", {"phase": "Bound"})
    assert (
        "spec.resources.requests.storage",
        "FieldValueForbidden",
        "Forbidden: field can not be less than previous value",
    ) in causes_of("PersistentVolumeClaim", shrunk, bound)
    moved = with_(bound, "spec.accessModes", ["ReadWriteMany"])
    [(path, reason, message)] = causes_of("PersistentVolumeClaim", moved, bound)
    assert (path, reason) == ("spec", "FieldValueForbidden")
    assert message.startswith(
        "Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName "
        "for bound claims\n  core.PersistentVolumeClaimSpec{"
    )


@pytest.mark.parametrize(
    ("kind", "path", "value", "expected"),
    [
        pytest.param(
            "StorageClass",
            "parameters",
            {"type": "ssd"},
            ("parameters", "FieldValueForbidden", "Forbidden: updates to parameters are forbidden."),
            id="storageclass-parameters",
        ),
        pytest.param(
            "StorageClass",
            "provisioner",
            "example.com/other",
            ("provisioner", "FieldValueForbidden", "Forbidden: updates to provisioner are forbidden."),
            id="storageclass-provisioner",
        ),
        pytest.param(
            "RoleBinding",
            "roleRef.name",
            "admin",
            (
                "roleRef",
                "FieldValueInvalid",
                'Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"Role", Name:"admin"}: '
                "cannot change roleRef",
            ),
            id="rolebinding-roleref",
        ),
        pytest.param(
            "PriorityClass",
            "value",
            2000,
            ("value", "FieldValueForbidden", "Forbidden: may not be changed in an update."),
            id="priorityclass-value",
        ),
        pytest.param(
            "IngressClass",
            "spec.controller",
            "k3py.io/other",
            ("spec.controller", "FieldValueInvalid", 'Invalid value: "k3py.io/other": field is immutable'),
            id="ingressclass-controller",
        ),
        pytest.param(
            "PersistentVolume",
            "spec.hostPath.path",
            "/srv/y",
            ("spec.persistentvolumesource", "FieldValueForbidden", None),
            id="pv-source",
        ),
    ],
)
def test_update_rules(kind: str, path: str, value: object, expected: tuple[str, str, str | None]) -> None:
    old = valid(kind)
    found = causes_of(kind, with_(old, path, value), old)
    if expected[2] is None:  # a message with a diff: its first line
        assert any(
            (f, r) == expected[:2]
            and m.startswith("Forbidden: spec.persistentvolumesource is immutable after creation\n")
            for f, r, m in found
        ), found
    else:
        assert expected in found
