"""Discovery documents built from the registry: legacy and aggregated.

Legacy: ``/api`` (APIVersions), ``/apis`` (APIGroupList), ``/apis/{g}`` (APIGroup) and the
resource lists ``/api/v1``, ``/apis/{g}/{v}`` (APIResourceList). Aggregated (kubectl's first
choice): ``/api`` and ``/apis`` as ``apidiscovery.k8s.io/v2`` ``APIGroupDiscoveryList``, answered
only when the Accept header asks for it, with the ``g=``/``v=``/``as=`` parameters echoed in the
Content-Type (without them kubectl treats the answer as legacy). Pure: no I/O.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from k3py.api.registry import Registry, ResourceType

AGGREGATED_V2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
AGGREGATED_V2BETA1 = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList"


def wants_aggregated(accept: str) -> str:
    """The aggregated content type to answer with, or "" for legacy (first match in Accept order)."""
    for part in accept.split(","):
        params = {p.strip().partition("=")[0]: p.strip().partition("=")[2] for p in part.split(";")[1:]}
        if params.get("g") == "apidiscovery.k8s.io" and params.get("as") == "APIGroupDiscoveryList":
            if params.get("v") == "v2":
                return AGGREGATED_V2
            if params.get("v") == "v2beta1":
                return AGGREGATED_V2BETA1
    return ""


def api_versions(server_address: str = "") -> dict[str, Any]:
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}],
    }


def _group(name: str, versions: list[str]) -> dict[str, Any]:
    gvs = [{"groupVersion": f"{name}/{v}", "version": v} for v in versions]
    return {"name": name, "versions": gvs, "preferredVersion": gvs[0]}


def api_group_list(registry: Registry) -> dict[str, Any]:
    groups = [_group(g, vs) for g, vs in registry.group_versions().items() if g]
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def api_group(registry: Registry, group: str) -> dict[str, Any] | None:
    versions = registry.group_versions().get(group)
    if not group or not versions:
        return None
    return {"kind": "APIGroup", "apiVersion": "v1", **_group(group, versions)}


def _names(rt: ResourceType) -> dict[str, Any]:
    """The optional naming fields both discovery formats share (omitted when empty)."""
    out: dict[str, Any] = {}
    if rt.short_names:
        out["shortNames"] = list(rt.short_names)
    if rt.categories:
        out["categories"] = list(rt.categories)
    return out


def _resource(rt: ResourceType) -> dict[str, Any]:
    return {
        "name": rt.plural,
        "singularName": rt.singular,
        "namespaced": rt.namespaced,
        "kind": rt.kind,
        "verbs": list(rt.verbs),
        **_names(rt),
    }


SUBRESOURCE_VERBS = {
    "status": ["get", "patch", "update"],
    "scale": ["get", "patch", "update"],
    "binding": ["create"],
    "eviction": ["create"],
    "token": ["create"],
    "finalize": ["update"],
    "ephemeralcontainers": ["get", "patch", "update"],
    "log": ["get"],
    "exec": ["create", "get"],
    "attach": ["create", "get"],
    "portforward": ["create", "get"],
    "proxy": ["create", "delete", "get", "patch", "update"],
}
SUBRESOURCE_KINDS = {
    "scale": ("autoscaling", "v1", "Scale"),
    "binding": ("", "v1", "Binding"),
    "eviction": ("policy", "v1", "Eviction"),
    "token": ("authentication.k8s.io", "v1", "TokenRequest"),
    "exec": ("", "v1", "PodExecOptions"),
    "attach": ("", "v1", "PodAttachOptions"),
    "portforward": ("", "v1", "PodPortForwardOptions"),
    "proxy": ("", "v1", "NodeProxyOptions"),
    "log": ("", "v1", "Pod"),
}


def api_resource_list(registry: Registry, group: str, version: str) -> dict[str, Any] | None:
    resources = sorted(registry.in_group_version(group, version), key=lambda rt: rt.plural)
    if not resources:
        return None
    items = []
    for rt in resources:
        items.append(_resource(rt))
        for sub in rt.subresources:
            sub_group, sub_version, sub_kind = SUBRESOURCE_KINDS.get(sub, (rt.group, rt.version, rt.kind))
            entry: dict[str, Any] = {
                "name": f"{rt.plural}/{sub}",
                "singularName": "",
                "namespaced": rt.namespaced,
                "kind": sub_kind,
                "verbs": SUBRESOURCE_VERBS.get(sub, ["get"]),
            }
            if (sub_group, sub_version) != (rt.group, rt.version):
                entry["group"], entry["version"] = sub_group, sub_version
            items.append(entry)
    gv = f"{group}/{version}" if group else version
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": items}


def aggregated(registry: Registry, *, legacy: bool, content_type: str) -> dict[str, Any]:
    """``APIGroupDiscoveryList`` for ``/api`` (legacy=True, the core group) or ``/apis``."""
    api_version = "apidiscovery.k8s.io/" + ("v2" if content_type == AGGREGATED_V2 else "v2beta1")
    items = []
    for group, versions in registry.group_versions().items():
        if bool(group) == legacy:
            continue
        version_docs = []
        for version in versions:
            resources = []
            for rt in sorted(registry.in_group_version(group, version), key=lambda r: r.plural):
                doc: dict[str, Any] = {
                    "resource": rt.plural,
                    "responseKind": {"group": rt.group, "version": rt.version, "kind": rt.kind},
                    "scope": "Namespaced" if rt.namespaced else "Cluster",
                    "singularResource": rt.singular,
                    "verbs": list(rt.verbs),
                    **_names(rt),
                }
                if rt.subresources:
                    doc["subresources"] = [
                        {
                            "subresource": sub,
                            "responseKind": dict(
                                zip(
                                    ("group", "version", "kind"),
                                    SUBRESOURCE_KINDS.get(sub, (rt.group, rt.version, rt.kind)),
                                    strict=True,
                                )
                            ),
                            "verbs": SUBRESOURCE_VERBS.get(sub, ["get"]),
                        }
                        for sub in rt.subresources
                    ]
                resources.append(doc)
            version_docs.append({"version": version, "resources": resources, "freshness": "Current"})
        items.append({"metadata": {"name": group, "creationTimestamp": None}, "versions": version_docs})
    return {"kind": "APIGroupDiscoveryList", "apiVersion": api_version, "metadata": {}, "items": items}
