"""CustomResourceDefinitions: their validation and defaults, their status, and the resources they serve.

The pure half of apiextensions-apiserver. For a CRD: defaults (``SetDefaults_CustomResourceDefinition``),
validation (the common checks of ``apis/apiextensions/validation``), which names it may use beside
the other CRDs of its group (the naming controller), the status the server gives it (NamesAccepted,
Established, Terminating, ``acceptedNames``, ``storedVersions``) and the :class:`ResourceType` of
each served version. For a custom resource: decoding (prune unknown fields, drop disallowed nulls,
apply defaults) and validation against its version's schema, with ``structural`` doing the walking.
No I/O: ``customresources`` applies all this to the store and the registry.

Conversion is ``None`` only: every version of a CRD shares one key space and an object differs
between versions by its ``apiVersion`` alone, as apiextensions' nopConverter does.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from k3py.api import openapi, structural
from k3py.api.registry import BUILTINS, STANDARD_VERBS, Custom, ResourceType, ScalePaths, version_priority
from k3py.core import errors, meta

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

Obj = dict[str, Any]
Cause = errors.Cause

GROUP = "apiextensions.k8s.io"
RESOURCE = "customresourcedefinitions"
KIND = "CustomResourceDefinition"
# Held by a CRD while its custom resources are deleted (apiextensions' CustomResourceCleanupFinalizer).
CLEANUP_FINALIZER = "customresourcecleanup.apiextensions.k8s.io"
APPROVAL_ANNOTATION = "api-approved.kubernetes.io"
# Groups served by k3py itself: a CRD there would shadow (or be shadowed by) built-in resources.
BUILTIN_GROUPS = frozenset(rt.group for rt in BUILTINS if rt.group)
COLUMN_TYPES = ("boolean", "date", "integer", "number", "string")
COLUMN_FORMATS = ("byte", "date", "date-time", "double", "float", "int32", "int64", "password")
SCOPES = ("Cluster", "Namespaced")

DNS1035_LABEL = "[a-z]([-a-z0-9]*[a-z0-9])?"
_DNS1035_RE = re.compile(DNS1035_LABEL)
_DNS1035_MESSAGE = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
    "character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for "
    f"validation is '{DNS1035_LABEL}')"
)


def is_crd(rt: ResourceType) -> bool:
    return (rt.group, rt.plural) == (GROUP, RESOURCE)


def _dict(value: object) -> Obj:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _dns1035(value: str) -> list[str]:
    out = []
    if len(value) > meta.LABEL_MAX:
        out.append(f"must be no more than {meta.LABEL_MAX} characters")
    if not _DNS1035_RE.fullmatch(value):
        out.append(_DNS1035_MESSAGE)
    return out


# --------------------------------------------------------------------------------------------
# Defaults and validation of the CRD itself


def set_defaults(crd: Obj) -> None:
    """What the apiserver fills in on every write: names.singular and listKind, conversion None."""
    spec = crd.get("spec")
    if not isinstance(spec, dict):
        return
    names = spec.get("names")
    if isinstance(names, dict) and isinstance(names.get("kind"), str) and names["kind"]:
        if not names.get("singular"):
            names["singular"] = names["kind"].lower()
        if not names.get("listKind"):
            names["listKind"] = names["kind"] + "List"
    conversion = spec.setdefault("conversion", {"strategy": "None"})
    if isinstance(conversion, dict) and not conversion.get("strategy"):
        conversion["strategy"] = "None"


def invalid_crd(crd: Mapping[str, Any], causes: Sequence[Cause]) -> errors.Invalid:
    name = str(_dict(crd.get("metadata")).get("name", ""))
    return errors.Invalid(
        f'{KIND}.{GROUP} "{name}" is invalid: {structural.message(causes)}',
        kind=KIND,
        group=GROUP,
        name=name,
        causes=tuple(causes),
    )


def validate(crd: Mapping[str, Any], *, old: Mapping[str, Any] | None = None) -> list[Cause]:
    """The field errors of a CRD (``old`` set on update: then immutability and stored versions too)."""
    out: list[Cause] = []
    metadata = _dict(crd.get("metadata"))
    spec = crd.get("spec")
    if not isinstance(spec, dict):
        out.append(structural.required("spec"))
        return out
    group = spec.get("group")
    names = _dict(spec.get("names"))
    name = str(metadata.get("name", ""))
    if name != f"{names.get('plural', '')}.{group or ''}":
        out.append(structural.invalid("metadata.name", name, 'must be spec.names.plural+"."+spec.group'))
    out.extend(_validate_group(group, metadata))
    scope = spec.get("scope")
    if not scope:
        out.append(structural.required("spec.scope"))
    elif scope not in SCOPES:
        out.append(structural.not_supported("spec.scope", scope, list(SCOPES)))
    out.extend(_validate_versions(spec))
    out.extend(_validate_names(names))
    if spec.get("preserveUnknownFields") is True:
        out.append(
            structural.invalid(
                "spec.preserveUnknownFields",
                True,
                "cannot set to true, set x-kubernetes-preserve-unknown-fields to true in "
                "spec.versions[*].schema instead",
            )
        )
    strategy = _dict(spec.get("conversion")).get("strategy", "None")
    if strategy != "None":
        # k3py calls no conversion webhooks: a CRD that needs one could not be served faithfully.
        out.append(structural.not_supported("spec.conversion.strategy", strategy, ["None"]))
    if old is not None:
        out.extend(_validate_update(crd, old))
    return out


def _validate_group(group: object, metadata: Mapping[str, Any]) -> list[Cause]:
    if not group or not isinstance(group, str):
        return [structural.required("spec.group")]
    problems = meta.name_errors(group, "subdomain")
    if problems:
        return [structural.invalid("spec.group", group, ",".join(problems))]
    if "." not in group:
        return [structural.invalid("spec.group", group, "should be a domain with at least one dot")]
    if group in BUILTIN_GROUPS:
        return [structural.invalid("spec.group", group, "is served by built-in resources of this server")]
    if _protected(group):
        # apihelpers.GetAPIApprovalState: protected community groups need an approval link
        annotations = _dict(metadata.get("annotations"))
        approval = annotations.get(APPROVAL_ANNOTATION)
        where = f"metadata.annotations[{APPROVAL_ANNOTATION}]"
        if approval is None:
            detail = (
                f'protected groups must have approval annotation "{APPROVAL_ANNOTATION}", see '
                "https://github.com/kubernetes/enhancements/pull/1111"
            )
            return [structural.required(where, detail)]
        if not str(approval).startswith(("https://", "http://", "unapproved")):
            return [structural.invalid(where, approval, "protected groups must have approval annotation")]
    return []


def _protected(group: str) -> bool:
    return group in ("k8s.io", "kubernetes.io") or group.endswith((".k8s.io", ".kubernetes.io"))


def _validate_versions(spec: Mapping[str, Any]) -> list[Cause]:
    out: list[Cause] = []
    versions = spec.get("versions")
    if not isinstance(versions, list):
        versions = []
    seen: set[str] = set()
    unique, storage = True, 0
    for index, version in enumerate(versions):
        path = f"spec.versions[{index}]"
        if not isinstance(version, dict):
            out.append(structural.invalid(path, version, "must be an object"))
            continue
        name = version.get("name")
        if not isinstance(name, str) or not name:
            out.append(structural.required(f"{path}.name"))
        else:
            if name in seen:
                unique = False
            seen.add(name)
            problems = _dns1035(name)
            if problems:
                out.append(structural.invalid(f"{path}.name", name, ",".join(problems)))
        storage += version.get("storage") is True
        subresources = _dict(version.get("subresources"))
        schema = _dict(version.get("schema")).get("openAPIV3Schema")
        if schema is None:
            out.append(structural.required(f"{path}.schema.openAPIV3Schema"))
        else:
            status_enabled = isinstance(subresources.get("status"), dict)
            out.extend(structural.check_schema(schema, f"{path}.schema.openAPIV3Schema", status_enabled=status_enabled))
        out.extend(_validate_subresources(subresources, f"{path}.subresources"))
        for column_index, column in enumerate(_list(version.get("additionalPrinterColumns"))):
            out.extend(_validate_column(column, f"{path}.additionalPrinterColumns[{column_index}]"))
    if not unique:
        out.append(structural.invalid("spec.versions", versions, "must contain unique version names"))
    if storage != 1:
        out.append(
            structural.invalid("spec.versions", versions, "must have exactly one version marked as storage version")
        )
    return out


def _simple_path(value: object, path: str) -> list[Cause]:
    """validateSimpleJSONPath: a dot path such as ``.spec.replicas``."""
    if not isinstance(value, str) or not value:
        return [structural.invalid(path, value, "must not be empty")]
    if not value.startswith("."):
        return [structural.invalid(path, value, "must be a simple json path starting with .")]
    return []


def _validate_subresources(subresources: Mapping[str, Any], path: str) -> list[Cause]:
    out: list[Cause] = []
    scale = subresources.get("scale")
    if not isinstance(scale, dict):
        return out
    for key, under in (("specReplicasPath", ".spec."), ("statusReplicasPath", ".status.")):
        value = scale.get(key)
        where = f"{path}.scale.{key}"
        if not value:
            out.append(structural.required(where))
            continue
        problems = _simple_path(value, where)
        if problems:
            out.extend(problems)
        elif not str(value).startswith(under):
            out.append(structural.invalid(where, value, f"should be a json path under {under.rstrip('.')}"))
    selector = scale.get("labelSelectorPath")
    if selector:
        where = f"{path}.scale.labelSelectorPath"
        problems = _simple_path(selector, where)
        if problems:
            out.extend(problems)
        elif not str(selector).startswith((".spec.", ".status.")):
            out.append(structural.invalid(where, selector, "should be a json path under either .spec or .status"))
    return out


def _validate_column(column: object, path: str) -> list[Cause]:
    if not isinstance(column, dict):
        return [structural.invalid(path, column, "must be an object")]
    out: list[Cause] = []
    if not column.get("name"):
        out.append(structural.required(f"{path}.name"))
    kind = column.get("type")
    allowed = f"must be one of {','.join(COLUMN_TYPES)}"
    if not kind:
        out.append(structural.required(f"{path}.type", allowed))
    elif kind not in COLUMN_TYPES:
        out.append(structural.invalid(f"{path}.type", kind, allowed))
    column_format = column.get("format")
    if column_format and column_format not in COLUMN_FORMATS:
        out.append(structural.invalid(f"{path}.format", column_format, f"must be one of {','.join(COLUMN_FORMATS)}"))
    json_path = column.get("jsonPath")
    if not json_path:
        out.append(structural.required(f"{path}.JSONPath"))
    else:
        out.extend(_simple_path(json_path, f"{path}.JSONPath"))
    return out


def _validate_names(names: Mapping[str, Any]) -> list[Cause]:
    out: list[Cause] = []
    for key in ("plural", "singular", "kind", "listKind"):
        if not names.get(key):
            out.append(structural.required(f"spec.names.{key}"))
    for key in ("plural", "singular"):
        value = names.get(key)
        if isinstance(value, str) and value and (problems := _dns1035(value)):
            out.append(structural.invalid(f"spec.names.{key}", value, ",".join(problems)))
    for key in ("kind", "listKind"):
        value = names.get(key)
        if isinstance(value, str) and value and (problems := _dns1035(value.lower())):
            detail = "may have mixed case, but should otherwise match: " + ",".join(problems)
            out.append(structural.invalid(f"spec.names.{key}", value, detail))
    for key in ("shortNames", "categories"):
        for index, value in enumerate(_list(names.get(key))):
            problems = _dns1035(value) if isinstance(value, str) else [_DNS1035_MESSAGE]
            if problems:
                out.append(structural.invalid(f"spec.names.{key}[{index}]", value, ",".join(problems)))
    if names.get("kind") and names.get("kind") == names.get("listKind"):
        out.append(
            structural.invalid("spec.names.listKind", names["listKind"], "kind and listKind may not be the same")
        )
    return out


def _validate_update(crd: Mapping[str, Any], old: Mapping[str, Any]) -> list[Cause]:
    out: list[Cause] = []
    spec, old_spec = _dict(crd.get("spec")), _dict(old.get("spec"))
    names, old_names = _dict(spec.get("names")), _dict(old_spec.get("names"))
    immutable = [("spec.group", spec.get("group"), old_spec.get("group"))]
    immutable.append(("spec.names.plural", names.get("plural"), old_names.get("plural")))
    if condition_true(old, "Established"):
        immutable.append(("spec.scope", spec.get("scope"), old_spec.get("scope")))
        immutable.append(("spec.names.kind", names.get("kind"), old_names.get("kind")))
    for path, new_value, old_value in immutable:
        if new_value != old_value:
            out.append(structural.invalid(path, new_value, "field is immutable"))
    version_names = {v.get("name") for v in _list(spec.get("versions")) if isinstance(v, dict)}
    for index, stored in enumerate(_list(_dict(old.get("status")).get("storedVersions"))):
        if stored not in version_names:
            out.append(
                structural.invalid(
                    f"status.storedVersions[{index}]",
                    stored,
                    f"missing from spec.versions; {stored} was previously a storage version, and must remain in "
                    f"spec.versions until a storage migration ensures no data remains persisted in {stored} and "
                    f"removes {stored} from status.storedVersions",
                )
            )
    return out


# --------------------------------------------------------------------------------------------
# Names, conditions and status (the naming and establishing controllers)


def condition_true(crd: Mapping[str, Any], kind: str) -> bool:
    return any(
        isinstance(c, dict) and c.get("type") == kind and c.get("status") == "True"
        for c in _list(_dict(crd.get("status")).get("conditions"))
    )


@dataclass(frozen=True)
class Decision:
    """What the server makes of one CRD: the names it may use and whether it is served."""

    accepted_names: Obj
    names_reason: str  # "NoConflicts" or e.g. "KindConflict"
    names_message: str
    established: bool

    @property
    def names_accepted(self) -> bool:
        return self.names_reason == "NoConflicts"


def _requested_names(crd: Mapping[str, Any]) -> Obj:
    names = copy.deepcopy(_dict(_dict(crd.get("spec")).get("names")))
    return {k: v for k, v in names.items() if v not in (None, "", [])}


def decide(definitions: Iterable[Mapping[str, Any]]) -> dict[str, Decision]:
    """The names each CRD may use, as the naming controller decides.

    A name is refused (NamesAccepted False, with the conflict's reason) while another CRD of the
    group holds it in its ``status.acceptedNames``; names once accepted stay, so a served CRD
    keeps being served. New claims are settled oldest CRD first.
    """
    ordered = sorted(
        definitions,
        key=lambda c: (
            str(_dict(c.get("metadata")).get("creationTimestamp", "")),
            _dict(c.get("metadata")).get("name"),
        ),
    )
    held: dict[str, tuple[str, Obj]] = {}  # CRD name -> (group, accepted names)
    for crd in ordered:
        group = str(_dict(crd.get("spec")).get("group", ""))
        held[_name(crd)] = (group, _dict(_dict(crd.get("status")).get("acceptedNames")))
    out: dict[str, Decision] = {}
    for crd in ordered:
        name, group = _name(crd), str(_dict(crd.get("spec")).get("group", ""))
        resources: set[str] = set()
        kinds: set[str] = set()
        for other, (other_group, names) in held.items():
            if other != name and other_group == group:
                resources.update(str(names[k]) for k in ("plural", "singular") if names.get(k))
                resources.update(str(s) for s in names.get("shortNames") or [])
                kinds.update(str(names[k]) for k in ("kind", "listKind") if names.get(k))
        decision = _names_of(crd, resources, kinds)
        held[name] = (group, decision.accepted_names)
        out[name] = decision
    return out


def _name(crd: Mapping[str, Any]) -> str:
    return str(_dict(crd.get("metadata")).get("name", ""))


def _names_of(crd: Mapping[str, Any], resources: set[str], kinds: set[str]) -> Decision:
    """calculateNamesAndConditions: each requested name that is ours already or still free is taken."""
    requested = _requested_names(crd)
    previous = _dict(_dict(crd.get("status")).get("acceptedNames"))
    accepted = {k: copy.deepcopy(v) for k, v in previous.items() if v not in (None, "", [])}
    conflicts: list[tuple[str, str]] = []

    def take(key: str, used: set[str], reason: str) -> None:
        wanted = requested.get(key)
        if wanted is not None and wanted != accepted.get(key) and wanted in used:
            conflicts.append((reason, f'"{wanted}" is already in use'))
        elif wanted is not None:
            accepted[key] = wanted
        else:
            accepted.pop(key, None)

    # in the naming controller's order: the last conflict found names the condition's reason
    take("plural", resources, "PluralConflict")
    take("singular", resources, "SingularConflict")
    short_names = [str(s) for s in requested.get("shortNames") or []]
    mine = set(accepted.get("shortNames") or [])
    taken = [s for s in short_names if s not in mine and s in resources]
    if taken:
        text = ", ".join(f'"{s}" is already in use' for s in taken)
        conflicts.append(("ShortNamesConflict", text if len(taken) == 1 else f"[{text}]"))
    elif short_names:
        accepted["shortNames"] = short_names
    else:
        accepted.pop("shortNames", None)
    take("kind", kinds, "KindConflict")
    take("listKind", kinds, "ListKindConflict")
    if requested.get("categories"):
        accepted["categories"] = list(requested["categories"])
    else:
        accepted.pop("categories", None)
    reason, message = conflicts[-1] if conflicts else ("NoConflicts", "no conflicts found")
    established = bool(accepted.get("plural") and accepted.get("kind")) and (
        not conflicts or condition_true(crd, "Established")
    )
    return Decision(accepted, reason, message, established)


def _condition(kind: str, status: bool, reason: str, message: str, old: Mapping[str, Any] | None, now: str) -> Obj:
    text = "True" if status else "False"
    since = old.get("lastTransitionTime") if old and old.get("status") == text else None
    return {"type": kind, "status": text, "lastTransitionTime": since or now, "reason": reason, "message": message}


def desired_status(crd: Mapping[str, Any], decision: Decision, *, terminating: str, now: str) -> Obj:
    """The CRD's status as the server keeps it; ``terminating`` is "" or the Terminating reason."""
    status = _dict(crd.get("status"))
    old = {c.get("type"): c for c in _list(status.get("conditions")) if isinstance(c, dict)}
    conditions = [
        _condition(
            "NamesAccepted",
            decision.names_accepted,
            decision.names_reason,
            decision.names_message,
            old.get("NamesAccepted"),
            now,
        ),
        _condition(
            "Established",
            decision.established,
            "InitialNamesAccepted" if decision.established else "NotAccepted",
            "the initial names have been accepted" if decision.established else "not all names are accepted",
            old.get("Established"),
            now,
        ),
    ]
    if terminating:
        text = {
            "InstanceDeletionPending": "CustomResourceDefinition marked for deletion; CustomResource deletion will "
            "begin soon",
            "InstanceDeletionInProgress": "CustomResource deletion is in progress",
        }.get(terminating, "CustomResource deletion is in progress")
        conditions.append(_condition("Terminating", True, terminating, text, old.get("Terminating"), now))
    stored = [v for v in _list(status.get("storedVersions")) if isinstance(v, str)]
    storage = storage_version(crd)
    if storage and storage not in stored:
        stored.append(storage)
    return {"conditions": conditions, "acceptedNames": decision.accepted_names, "storedVersions": stored}


def status_differs(current: Mapping[str, Any] | None, wanted: Mapping[str, Any]) -> bool:
    return json.dumps(current or {}, sort_keys=True) != json.dumps(wanted, sort_keys=True)


# --------------------------------------------------------------------------------------------
# What a CRD serves


def storage_version(crd: Mapping[str, Any]) -> str:
    for version in _list(_dict(crd.get("spec")).get("versions")):
        if isinstance(version, dict) and version.get("storage") is True:
            return str(version.get("name", ""))
    return ""


def served_versions(crd: Mapping[str, Any]) -> list[Obj]:
    """The versions with ``served: true`` (a missing ``served`` is false, as in Go's bool)."""
    return [
        v
        for v in _list(_dict(crd.get("spec")).get("versions"))
        if isinstance(v, dict) and v.get("served") is True and isinstance(v.get("name"), str)
    ]


def _scale_paths(version: Mapping[str, Any]) -> ScalePaths | None:
    scale = _dict(version.get("subresources")).get("scale")
    if not isinstance(scale, dict):
        return None
    return ScalePaths(
        str(scale.get("specReplicasPath", "")),
        str(scale.get("statusReplicasPath", "")),
        str(scale.get("labelSelectorPath") or ""),
    )


def resource_types(crd: Mapping[str, Any], names: Mapping[str, Any]) -> list[ResourceType]:
    """One registry entry per served version, named by the accepted ``names``."""
    spec = _dict(crd.get("spec"))
    name = str(_dict(crd.get("metadata")).get("name", ""))
    group = str(spec.get("group", ""))
    kind, plural = str(names.get("kind", "")), str(names.get("plural", ""))
    versions = served_versions(crd)
    preferred = min((str(v["name"]) for v in versions), key=version_priority, default="")
    storage = storage_version(crd)
    out = []
    for version in versions:
        subresources = _dict(version.get("subresources"))
        subs = tuple(sub for sub in ("status", "scale") if isinstance(subresources.get(sub), dict))
        schema = _dict(version.get("schema")).get("openAPIV3Schema")
        custom = Custom(
            crd=name,
            storage_version=storage,
            singular=str(names.get("singular") or kind.lower()),
            list_kind=str(names.get("listKind") or kind + "List"),
            schema=schema if isinstance(schema, dict) else None,
            printer_columns=tuple(c for c in _list(version.get("additionalPrinterColumns")) if isinstance(c, dict)),
            scale=_scale_paths(version),
        )
        out.append(
            ResourceType(
                group,
                str(version["name"]),
                kind,
                plural,
                spec.get("scope") != "Cluster",
                short_names=tuple(str(s) for s in names.get("shortNames") or ()),
                categories=tuple(str(c) for c in names.get("categories") or ()),
                verbs=STANDARD_VERBS,
                subresources=subs,
                preferred=version["name"] == preferred,
                custom=custom,
            )
        )
    return out


def openapi_resources(types: Iterable[ResourceType]) -> list[openapi.CustomResource]:
    """The schemas the OpenAPI documents publish for these custom resource versions."""
    return [
        openapi.CustomResource(
            group=rt.group,
            version=rt.version,
            kind=rt.kind,
            list_kind=rt.list_kind,
            plural=rt.plural,
            namespaced=rt.namespaced,
            schema=rt.custom.schema,
            subresources=rt.subresources,
        )
        for rt in types
        if rt.custom is not None
    ]


# --------------------------------------------------------------------------------------------
# Custom resources


def invalid_object(rt: ResourceType, obj: Mapping[str, Any], causes: Sequence[Cause]) -> errors.Invalid:
    """422 as ``NewInvalid(GroupKind, name, errs)`` words it: ``CronTab.stable.example.com "x" is invalid: ...``."""
    name = str(_dict(obj.get("metadata")).get("name", ""))
    return errors.Invalid(
        f'{rt.kind}.{rt.group} "{name}" is invalid: {structural.message(causes)}',
        kind=rt.kind,
        group=rt.group,
        name=name,
        causes=tuple(causes),
    )


def prune(rt: ResourceType, obj: Obj) -> list[str]:
    """Drop the fields the version's schema does not know; their paths (what fieldValidation=Strict refuses)."""
    schema = rt.custom.schema if rt.custom is not None else None
    return [] if schema is None else structural.prune(obj, schema)


def decode(rt: ResourceType, obj: Obj) -> list[str]:
    """What decoding an object to store does: prune unknown fields (their paths are returned), drop nulls, default."""
    unknown = prune(rt, obj)
    apply_defaults(rt, obj)
    return unknown


def apply_defaults(rt: ResourceType, obj: Obj) -> None:
    """Drop the nulls the schema does not allow and fill in its defaults (also done on every read)."""
    schema = rt.custom.schema if rt.custom is not None else None
    if schema is None:
        return
    root = {k: v for k, v in obj.items() if k not in structural.META_FIELDS}
    structural.prune_nulls(root, schema)
    structural.apply_defaults(root, schema)
    for key in [k for k in obj if k not in structural.META_FIELDS and k not in root]:
        del obj[key]
    obj.update(root)


def admit(rt: ResourceType, obj: Obj) -> None:
    """Decode and validate a custom resource about to be stored; 422 with field causes if invalid."""
    decode(rt, obj)
    schema = rt.custom.schema if rt.custom is not None else None
    causes = structural.validate(obj, schema)
    if causes:
        raise invalid_object(rt, obj, causes)


def in_version(rt: ResourceType, obj: Obj) -> Obj:
    """``obj`` as version ``rt`` of its resource: conversion None only changes apiVersion."""
    if "apiVersion" in obj or "kind" in obj:
        obj["apiVersion"] = rt.api_version
    return obj


def fingerprint(crd: Mapping[str, Any], decision: Decision) -> str:
    """Changes exactly when what the CRD serves changes (its spec or its accepted names)."""
    return json.dumps([crd.get("spec"), decision.accepted_names, decision.established], sort_keys=True)
