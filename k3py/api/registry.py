"""The table of resources the API serves: one entry per group/version/resource.

Built-ins and custom resources register the same way; adding a built-in is one entry here (plus
its validation), and a CustomResourceDefinition adds (and removes) one entry per served version,
carrying what the CRD says beyond the names in :class:`Custom`. Pure data and lookups: no I/O,
no store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping

# The verbs of an ordinary resource, as discovery lists them.
STANDARD_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
# Create-only "virtual" resources (reviews): nothing is stored.
CREATE_ONLY = ("create",)


@dataclass(frozen=True, slots=True)
class ScalePaths:
    """A custom resource's scale subresource: where its replicas and selector live (simple JSON paths)."""

    spec_replicas: str
    status_replicas: str
    label_selector: str = ""


@dataclass(frozen=True, eq=False)
class Custom:
    """What a CustomResourceDefinition says about one served version beyond its names."""

    #: the CustomResourceDefinition's name (``crontabs.stable.example.com``)
    crd: str
    #: the version objects are stored in (one key space for all versions: conversion is None)
    storage_version: str
    singular: str
    list_kind: str
    #: the version's ``openAPIV3Schema`` (None only for a schema-less legacy CRD)
    schema: Mapping[str, Any] | None = None
    printer_columns: tuple[Mapping[str, Any], ...] = ()
    scale: ScalePaths | None = None


@dataclass(frozen=True, slots=True)
class ResourceType:
    """One resource of one group/version."""

    group: str
    version: str
    kind: str
    plural: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    verbs: tuple[str, ...] = STANDARD_VERBS
    subresources: tuple[str, ...] = ()
    #: where objects are kept, when another group/version owns the storage
    #: (events.k8s.io/v1 events are core/v1 events; autoscaling/v1 and v2 share the HPAs)
    storage: tuple[str, str] | None = None
    #: True for create-only reviews whose answer is computed, not stored
    virtual: bool = False
    #: the version preferred for the group (discovery's preferredVersion)
    preferred: bool = True
    #: set for a custom resource: what its CustomResourceDefinition adds
    custom: Custom | None = field(default=None, compare=False, repr=False)

    @property
    def singular(self) -> str:
        return self.custom.singular if self.custom is not None else self.kind.lower()

    @property
    def group_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def api_version(self) -> str:
        return self.group_version

    @property
    def list_kind(self) -> str:
        return self.custom.list_kind if self.custom is not None else self.kind + "List"

    @property
    def storage_group_resource(self) -> tuple[str, str]:
        return self.storage or (self.group, self.plural)


def _ns(group: str, version: str, kind: str, plural: str, *subs: str, **kw: object) -> ResourceType:
    return ResourceType(group, version, kind, plural, True, subresources=subs, **kw)  # type: ignore[arg-type]


def _cl(group: str, version: str, kind: str, plural: str, *subs: str, **kw: object) -> ResourceType:
    return ResourceType(group, version, kind, plural, False, subresources=subs, **kw)  # type: ignore[arg-type]


ALL = ("all",)

BUILTINS: tuple[ResourceType, ...] = (
    # core/v1
    _cl("", "v1", "Namespace", "namespaces", "status", "finalize", short_names=("ns",)),
    _ns(
        "",
        "v1",
        "Pod",
        "pods",
        "status",
        "binding",
        "eviction",
        "log",
        "exec",
        "attach",
        "portforward",
        "ephemeralcontainers",
        short_names=("po",),
        categories=ALL,
    ),
    _ns("", "v1", "Service", "services", "status", "proxy", short_names=("svc",), categories=ALL),
    _ns("", "v1", "Endpoints", "endpoints", short_names=("ep",)),
    _ns("", "v1", "ConfigMap", "configmaps", short_names=("cm",)),
    _ns("", "v1", "Secret", "secrets"),
    _ns("", "v1", "ServiceAccount", "serviceaccounts", "token", short_names=("sa",)),
    _cl("", "v1", "Node", "nodes", "status", "proxy", short_names=("no",)),
    _ns("", "v1", "Event", "events", short_names=("ev",)),
    _cl("", "v1", "PersistentVolume", "persistentvolumes", "status", short_names=("pv",)),
    _ns("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", "status", short_names=("pvc",)),
    _ns(
        "",
        "v1",
        "ReplicationController",
        "replicationcontrollers",
        "status",
        "scale",
        short_names=("rc",),
        categories=ALL,
    ),
    _ns("", "v1", "ResourceQuota", "resourcequotas", "status", short_names=("quota",)),
    _ns("", "v1", "LimitRange", "limitranges", short_names=("limits",)),
    _ns("", "v1", "PodTemplate", "podtemplates"),
    _ns("", "v1", "Binding", "bindings", verbs=CREATE_ONLY),
    _cl("", "v1", "ComponentStatus", "componentstatuses", verbs=("get", "list"), short_names=("cs",)),
    # apps/v1
    _ns("apps", "v1", "Deployment", "deployments", "status", "scale", short_names=("deploy",), categories=ALL),
    _ns("apps", "v1", "ReplicaSet", "replicasets", "status", "scale", short_names=("rs",), categories=ALL),
    _ns("apps", "v1", "StatefulSet", "statefulsets", "status", "scale", short_names=("sts",), categories=ALL),
    _ns("apps", "v1", "DaemonSet", "daemonsets", "status", short_names=("ds",), categories=ALL),
    _ns("apps", "v1", "ControllerRevision", "controllerrevisions"),
    # batch/v1
    _ns("batch", "v1", "Job", "jobs", "status", categories=ALL),
    _ns("batch", "v1", "CronJob", "cronjobs", "status", short_names=("cj",), categories=ALL),
    # autoscaling
    _ns(
        "autoscaling",
        "v2",
        "HorizontalPodAutoscaler",
        "horizontalpodautoscalers",
        "status",
        short_names=("hpa",),
        categories=ALL,
    ),
    _ns(
        "autoscaling",
        "v1",
        "HorizontalPodAutoscaler",
        "horizontalpodautoscalers",
        "status",
        short_names=("hpa",),
        categories=ALL,
        preferred=False,
        storage=("autoscaling", "horizontalpodautoscalers"),
    ),
    # coordination, discovery, events
    _ns("coordination.k8s.io", "v1", "Lease", "leases"),
    _ns("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices"),
    # one store with core/v1 events (k3py.api.conversion)
    _ns("events.k8s.io", "v1", "Event", "events", short_names=("ev",), storage=("", "events")),
    # networking
    _ns("networking.k8s.io", "v1", "Ingress", "ingresses", "status", short_names=("ing",)),
    _cl("networking.k8s.io", "v1", "IngressClass", "ingressclasses"),
    _ns("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", short_names=("netpol",)),
    # policy
    _ns("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", "status", short_names=("pdb",)),
    # rbac
    _ns("rbac.authorization.k8s.io", "v1", "Role", "roles"),
    _ns("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings"),
    _cl("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles"),
    _cl("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings"),
    # storage
    _cl("storage.k8s.io", "v1", "StorageClass", "storageclasses", short_names=("sc",)),
    _cl("storage.k8s.io", "v1", "CSIDriver", "csidrivers"),
    _cl("storage.k8s.io", "v1", "VolumeAttachment", "volumeattachments", "status"),
    # scheduling
    _cl("scheduling.k8s.io", "v1", "PriorityClass", "priorityclasses", short_names=("pc",)),
    # admission registration
    _cl("admissionregistration.k8s.io", "v1", "ValidatingWebhookConfiguration", "validatingwebhookconfigurations"),
    _cl("admissionregistration.k8s.io", "v1", "MutatingWebhookConfiguration", "mutatingwebhookconfigurations"),
    # apiregistration (stored only)
    _cl("apiregistration.k8s.io", "v1", "APIService", "apiservices", "status"),
    # apiextensions
    _cl(
        "apiextensions.k8s.io",
        "v1",
        "CustomResourceDefinition",
        "customresourcedefinitions",
        "status",
        short_names=("crd", "crds"),
    ),
    # reviews: computed, never stored
    _cl(
        "authorization.k8s.io",
        "v1",
        "SelfSubjectAccessReview",
        "selfsubjectaccessreviews",
        verbs=CREATE_ONLY,
        virtual=True,
    ),
    _cl("authorization.k8s.io", "v1", "SubjectAccessReview", "subjectaccessreviews", verbs=CREATE_ONLY, virtual=True),
    _ns(
        "authorization.k8s.io",
        "v1",
        "LocalSubjectAccessReview",
        "localsubjectaccessreviews",
        verbs=CREATE_ONLY,
        virtual=True,
    ),
    _cl(
        "authorization.k8s.io",
        "v1",
        "SelfSubjectRulesReview",
        "selfsubjectrulesreviews",
        verbs=CREATE_ONLY,
        virtual=True,
    ),
    _cl("authentication.k8s.io", "v1", "TokenReview", "tokenreviews", verbs=CREATE_ONLY, virtual=True),
    _cl("authentication.k8s.io", "v1", "SelfSubjectReview", "selfsubjectreviews", verbs=CREATE_ONLY, virtual=True),
)


@dataclass
class Registry:
    """All served resources, looked up by URL parts."""

    _by_path: dict[tuple[str, str, str], ResourceType] = field(default_factory=dict)

    @classmethod
    def builtin(cls) -> Registry:
        registry = cls()
        for rt in BUILTINS:
            registry.add(rt)
        return registry

    def add(self, rt: ResourceType) -> None:
        self._by_path[(rt.group, rt.version, rt.plural)] = rt

    def remove(self, rt: ResourceType) -> None:
        """Stop serving ``rt`` (a deleted CRD's version); absent entries are fine."""
        self._by_path.pop((rt.group, rt.version, rt.plural), None)

    def lookup(self, group: str, version: str, plural: str) -> ResourceType | None:
        return self._by_path.get((group, version, plural))

    def resources(self) -> list[ResourceType]:
        return list(self._by_path.values())

    def group_versions(self) -> dict[str, list[str]]:
        """Group -> its versions, the preferred one first (the core group is "").

        The versions of custom resource groups are in Kubernetes' version priority order
        (``v1`` > ``v1beta2`` > ``v1beta1`` > ``v1alpha1`` > ``foo``), as apiextensions-apiserver
        lists them, whichever of the group's CRDs serves them.
        """
        out: dict[str, list[str]] = {}
        custom_groups: set[str] = set()
        for rt in self._by_path.values():
            versions = out.setdefault(rt.group, [])
            if rt.custom is not None:
                custom_groups.add(rt.group)
            if rt.version not in versions:
                if rt.preferred:
                    versions.insert(0, rt.version)
                else:
                    versions.append(rt.version)
        for group in custom_groups:
            out[group].sort(key=version_priority)
        return out

    def in_group_version(self, group: str, version: str) -> list[ResourceType]:
        return [rt for rt in self._by_path.values() if rt.group == group and rt.version == version]


_KUBE_VERSION = re.compile(r"v([1-9][0-9]*)(?:(alpha|beta)([1-9][0-9]*))?")


def version_priority(version: str) -> tuple[int, int, int, str]:
    """Sort key for Kubernetes version names, highest priority first (apimachinery's CompareKubeAwareVersionStrings).

    GA before beta before alpha, higher numbers first within each, then anything else by name.
    """
    match = _KUBE_VERSION.fullmatch(version)
    if match is None:
        return (3, 0, 0, version)
    major, stage, minor = int(match.group(1)), match.group(2), int(match.group(3) or 0)
    rank = {None: 0, "beta": 1, "alpha": 2}[stage]
    return (rank, -major, -minor, "")
