"""Kubernetes' validation of the built-in kinds (``pkg/apis/*/validation``), pure.

Each rule reports what the apiserver reports: the same field path (``spec.containers[0].image``),
the same cause type (``FieldValueRequired``...) and the same message body, with values printed the
way Go's ``field.Error`` prints them (strings quoted, maps as ``map[string]string{"app":"x"}``), so
that ``kubectl`` shows users the errors they know. :func:`invalid` builds the 422 the way
``errors.NewInvalid`` does.

Validation runs after defaulting (``k3py.api.defaults``), which has already checked the JSON types
of what it walked; the accessors raise :class:`~k3py.api.defaults.Malformed` for anything else.
Covered: metadata of every kind (labels, annotations, finalizers, owner references), pods and pod
templates, ReplicationControllers, Services, ConfigMaps, Secrets, Namespaces, Nodes,
ServiceAccounts, the apps/v1 workloads, Jobs and CronJobs; :mod:`k3py.api.groupvalidation` covers
the storage, networking, RBAC, policy and scheduling kinds with these helpers.
"""

from __future__ import annotations

import copy
import json
import re
import zoneinfo
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final

from k3py.api import defaults
from k3py.api.defaults import (
    Malformed,
    boolean,
    int_or_string,
    integer,
    items,
    mapping,
    objects,
    string_map,
    strings,
    text,
)
from k3py.core import errors, meta, quantity
from k3py.core.errors import Cause

if TYPE_CHECKING:
    from k3py.api.registry import ResourceType

Obj = dict[str, Any]

# -- limits and messages of apimachinery ----------------------------------------------------------------------

TOTAL_ANNOTATION_SIZE: Final = 256 * 1024
MAX_SECRET_SIZE: Final = 1024 * 1024
MAX_INT32: Final = 2**31 - 1
NEGATIVE: Final = "must be greater than or equal to 0"
IMMUTABLE: Final = "field is immutable"
IMMUTABLE_WHEN_SET: Final = "field is immutable when `immutable` is set"
STANDARD_FINALIZERS: Final = frozenset({"kubernetes", "orphan", "foregroundDeletion"})
#: groups whose objects the apiserver validates with apimachinery's ObjectMeta rules, not core's
APIMACHINERY_META_GROUPS: Final = frozenset({"apiextensions.k8s.io", "apiregistration.k8s.io"})

_LABEL_NAME: Final = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_LABEL_NAME_RE: Final = re.compile(_LABEL_NAME)
_LABEL_VALUE: Final = f"({_LABEL_NAME})?"
_DNS1035: Final = "[a-z]([-a-z0-9]*[a-z0-9])?"
_CONFIG_KEY: Final = "[-._a-zA-Z0-9]+"
_PERCENT: Final = "[0-9]+%"
_HTTP_HEADER: Final = "[-A-Za-z0-9]+"
_LABEL_RE: Final = re.compile(meta.DNS1123_LABEL)
_SUBDOMAIN_RE: Final = re.compile(meta.DNS1123_SUBDOMAIN)


def regex_error(message: str, regex: str, *examples: str) -> str:
    """apimachinery's ``RegexError``, down to its double spaces between examples."""
    if not examples:
        return f"{message} (regex used for validation is '{regex}')"
    listed = " or ".join(f"'{example}', " for example in examples)
    return f"{message} (e.g. {listed}regex used for validation is '{regex}')"


def max_len_error(length: int) -> str:
    return f"must be no more than {length} characters"


def range_error(low: int, high: int) -> str:
    return f"must be between {low} and {high}, inclusive"


def dns_label_errors(value: str) -> list[str]:
    """``IsDNS1123Label``."""
    out = []
    if len(value) > meta.LABEL_MAX:
        out.append(max_len_error(meta.LABEL_MAX))
    if not _LABEL_RE.fullmatch(value):
        if _SUBDOMAIN_RE.fullmatch(value):
            out.append("must not contain dots")
        else:
            out.append(
                regex_error(
                    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "
                    "start and end with an alphanumeric character",
                    meta.DNS1123_LABEL,
                    "my-name",
                    "123-abc",
                )
            )
    return out


def dns_subdomain_errors(value: str) -> list[str]:
    """``IsDNS1123Subdomain``."""
    out = []
    if len(value) > meta.SUBDOMAIN_MAX:
        out.append(max_len_error(meta.SUBDOMAIN_MAX))
    if not _SUBDOMAIN_RE.fullmatch(value):
        out.append(
            regex_error(
                "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and "
                "must start and end with an alphanumeric character",
                meta.DNS1123_SUBDOMAIN,
                "example.com",
            )
        )
    return out


def dns1035_label_errors(value: str) -> list[str]:
    out = []
    if len(value) > meta.LABEL_MAX:
        out.append(max_len_error(meta.LABEL_MAX))
    if not re.fullmatch(_DNS1035, value):
        out.append(
            regex_error(
                "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
                "alphabetic character, and end with an alphanumeric character",
                _DNS1035,
                "my-name",
                "abc-123",
            )
        )
    return out


def qualified_name_errors(value: str) -> list[str]:
    """``IsQualifiedName``: label keys, annotation keys, finalizers, condition types."""
    out: list[str] = []
    parts = value.split("/")
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            out.append("prefix part must be non-empty")
        else:
            out.extend("prefix part " + message for message in dns_subdomain_errors(prefix))
    else:
        return [
            "a qualified name "
            + regex_error(
                "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
                "alphanumeric character",
                _LABEL_NAME,
                "MyName",
                "my.name",
                "123-abc",
            )
            + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
        ]
    if not name:
        out.append("name part must be non-empty")
    elif len(name) > meta.LABEL_MAX:
        out.append("name part " + max_len_error(meta.LABEL_MAX))
    if not _LABEL_NAME_RE.fullmatch(name):
        out.append(
            "name part "
            + regex_error(
                "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
                "alphanumeric character",
                _LABEL_NAME,
                "MyName",
                "my.name",
                "123-abc",
            )
        )
    return out


def label_value_errors(value: str) -> list[str]:
    out = []
    if len(value) > meta.LABEL_MAX:
        out.append(max_len_error(meta.LABEL_MAX))
    if not re.fullmatch(_LABEL_VALUE, value):
        out.append(
            regex_error(
                "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and "
                "must start and end with an alphanumeric character",
                _LABEL_VALUE,
                "MyValue",
                "my_value",
                "12345",
            )
        )
    return out


def config_key_errors(value: str) -> list[str]:
    """``IsConfigMapKey``: keys of ConfigMaps and Secrets."""
    out = []
    if len(value) > meta.SUBDOMAIN_MAX:
        out.append(max_len_error(meta.SUBDOMAIN_MAX))
    if not re.fullmatch(_CONFIG_KEY, value):
        out.append(
            regex_error(
                "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
                _CONFIG_KEY,
                "key.name",
                "KEY_NAME",
                "key-name",
            )
        )
    if value == ".":
        out.append("must not be '.'")
    elif value == "..":
        out.append("must not be '..'")
    elif value.startswith(".."):
        out.append("must not start with '..'")
    return out


def port_name_errors(value: str) -> list[str]:
    """``IsValidPortName`` (IANA service names)."""
    out = []
    if len(value) > 15:
        out.append(max_len_error(15))
    if not re.fullmatch("[-a-z0-9]+", value):
        out.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not re.search("[a-z]", value):
        out.append("must contain at least one letter (a-z)")
    if "--" in value:
        out.append("must not contain consecutive hyphens")
    if value and (value[0] == "-" or value[-1] == "-"):
        out.append("must not begin or end with a hyphen")
    return out


def env_name_errors(value: str) -> list[str]:
    """``IsRelaxedEnvVarName`` (RelaxedEnvironmentVariableValidation is on by default)."""
    if not value:
        return ["environment variable name must be non-empty"]
    if any(not (32 <= ord(char) < 127) or char == "=" for char in value):
        return ["a valid environment variable name must consist only of printable ASCII characters other than '='"]
    return []


# -- values printed as Go prints them -------------------------------------------------------------------------


class GoText:
    """A value already in Go's ``%#v`` form (structs the API would print)."""

    def __init__(self, text_: str) -> None:
        self.text = text_


_GO_ESCAPES: Final = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}


def go_quote(value: str) -> str:
    """``strconv.Quote``."""
    out = ['"']
    for char in value:
        code = ord(char)
        if char in ('"', "\\"):
            out.append("\\" + char)
        elif char in _GO_ESCAPES:
            out.append(_GO_ESCAPES[char])
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        elif not char.isprintable():
            out.append(f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def go_repr(value: object) -> str:
    """How ``field.Error.ErrorBody`` prints a bad value."""
    if isinstance(value, GoText):
        return value.text
    if value is None:
        return '"null"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e21 else repr(value)
    if isinstance(value, str):
        return go_quote(value)
    if isinstance(value, dict):
        if all(isinstance(v, str) for v in value.values()):
            return go_string_map(value)
        return (
            "map[string]interface {}{" + ", ".join(f"{go_quote(str(k))}:{go_repr(v)}" for k, v in value.items()) + "}"
        )
    if isinstance(value, list):
        if all(isinstance(v, str) for v in value):
            return go_string_list(value)
        return "[]interface {}{" + ", ".join(go_repr(v) for v in value) + "}"
    return go_quote(str(value))


def go_string_map(value: Mapping[str, str] | None) -> str:
    if value is None:
        return "map[string]string(nil)"
    return "map[string]string{" + ", ".join(f"{go_quote(k)}:{go_quote(value[k])}" for k in sorted(value)) + "}"


def go_string_list(value: list[str] | None) -> str:
    if value is None:
        return "[]string(nil)"
    return "[]string{" + ", ".join(go_quote(v) for v in value) + "}"


def go_selector(selector: Obj | None) -> GoText:
    """A ``metav1.LabelSelector`` as ``%#v`` shows it."""
    if selector is None:
        return GoText('"null"')
    labels = selector.get("matchLabels")
    expressions = selector.get("matchExpressions")
    if expressions is None:
        shown = "[]v1.LabelSelectorRequirement(nil)"
    else:
        shown = (
            "[]v1.LabelSelectorRequirement{"
            + ", ".join(
                f"v1.LabelSelectorRequirement{{Key:{go_quote(str(e.get('key', '')))}, "
                f"Operator:{go_quote(str(e.get('operator', '')))}, Values:{go_string_list(e.get('values'))}}}"
                for e in expressions
                if isinstance(e, dict)
            )
            + "}"
        )
    return GoText(f"v1.LabelSelector{{MatchLabels:{go_string_map(labels)}, MatchExpressions:{shown}}}")


# -- the error list -----------------------------------------------------------------------------------------


class Errors:
    """A ``field.ErrorList``: causes in the order the apiserver finds them."""

    def __init__(self) -> None:
        self.causes: list[Cause] = []

    def __bool__(self) -> bool:
        return bool(self.causes)

    def _add(self, reason: str, path: str, body: str, detail: str = "") -> None:
        self.causes.append(Cause(reason, f"{body}: {detail}" if detail else body, path))

    def required(self, path: str, detail: str = "") -> None:
        self._add("FieldValueRequired", path, "Required value", detail)

    def invalid(self, path: str, value: object, detail: str) -> None:
        self._add("FieldValueInvalid", path, f"Invalid value: {go_repr(value)}", detail)

    def not_supported(self, path: str, value: object, supported: Iterable[str]) -> None:
        listed = ", ".join(go_quote(item) for item in supported)
        self._add("FieldValueNotSupported", path, f"Unsupported value: {go_repr(value)}", f"supported values: {listed}")

    def duplicate(self, path: str, value: object) -> None:
        self._add("FieldValueDuplicate", path, f"Duplicate value: {go_repr(value)}")

    def forbidden(self, path: str, detail: str) -> None:
        self._add("FieldValueForbidden", path, "Forbidden", detail)

    def too_many(self, path: str, actual: int, limit: int) -> None:
        self._add("FieldValueTooMany", path, f"Too many: {actual}", f"must have at most {limit} items")

    def too_long(self, path: str, max_bytes: int) -> None:
        self._add("FieldValueTooLong", path, "Too long", f"may not be more than {max_bytes} bytes")

    def not_found(self, path: str, value: object) -> None:
        self._add("FieldValueNotFound", path, f"Not found: {go_repr(value)}")

    def each(self, path: str, value: object, messages: Iterable[str]) -> None:
        for message in messages:
            self.invalid(path, value, message)

    def nonnegative(self, path: str, value: int | None) -> None:
        if value is not None and value < 0:
            self.invalid(path, value, NEGATIVE)

    def immutable(self, path: str, new: object, old: object, shown: object = None) -> None:
        if new != old:
            self.invalid(path, new if shown is None else shown, IMMUTABLE)


def qualified_kind(rt: ResourceType) -> str:
    return f"{rt.kind}.{rt.group}" if rt.group else rt.kind


def invalid(rt: ResourceType, name: str, causes: list[Cause]) -> errors.Invalid:
    """``errors.NewInvalid``: one message with every cause (duplicates once), the causes in the details."""
    lines: list[str] = []
    for cause in causes:
        line = f"{cause.field}: {cause.message}"
        if line not in lines:
            lines.append(line)
    shown = lines[0] if len(lines) == 1 else "[" + ", ".join(lines) + "]"
    return errors.Invalid(
        f'{qualified_kind(rt)} "{name}" is invalid: {shown}',
        kind=rt.kind,
        group=rt.group,
        name=name,
        causes=tuple(causes),
    )


# -- entry points -------------------------------------------------------------------------------------------


def validate_create(rt: ResourceType, obj: Obj, rules: Mapping[tuple[str, str], Rule] | None = None) -> list[Cause]:
    """What is wrong with a new ``obj``; raises :class:`Malformed` for a value of the wrong type.

    ``rules`` by group and plural: this module's :data:`RULES` unless given (the strategies add
    :mod:`k3py.api.groupvalidation`'s, which builds on this module and so cannot be imported here).
    """
    errs = Errors()
    _object_meta(errs, rt, obj)
    name = str((obj.get("metadata") or {}).get("name") or "")
    if name:
        _name_rules(errs, rt, name)
    if rt.custom is None:
        rule = (RULES if rules is None else rules).get((rt.group, rt.plural))
        if rule is not None:
            rule(errs, obj, None)
    return errs.causes


def validate_update(
    rt: ResourceType, old: Obj, new: Obj, rules: Mapping[tuple[str, str], Rule] | None = None
) -> list[Cause]:
    """What is wrong with ``new`` replacing ``old``: the create rules plus the update-only ones."""
    errs = Errors()
    _object_meta(errs, rt, new)
    _object_meta_update(errs, old, new)
    if rt.custom is None:
        rule = (RULES if rules is None else rules).get((rt.group, rt.plural))
        if rule is not None:
            # Stored objects are defaulted when read, as the apiserver does: older objects compare fairly.
            previous = copy.deepcopy(old)
            try:
                defaults.apply_defaults(rt, previous)
            except Malformed:
                previous = old
            rule(errs, new, previous)
    return errs.causes


# -- metadata -----------------------------------------------------------------------------------------------


def validate_labels(errs: Errors, labels: Mapping[str, str] | None, path: str) -> None:
    """``ValidateLabels``: every error at the map's path, keys checked before values."""
    for key in sorted(labels or {}):
        errs.each(path, key, qualified_name_errors(key))
        errs.each(path, labels[key], label_value_errors(labels[key]))  # type: ignore[index]


def validate_annotations(errs: Errors, annotations: Mapping[str, str] | None, path: str) -> None:
    for key in sorted(annotations or {}):
        errs.each(path, key, qualified_name_errors(key.lower()))
    size = sum(len(k.encode()) + len(v.encode()) for k, v in (annotations or {}).items())
    if size > TOTAL_ANNOTATION_SIZE:
        errs.too_long(path, TOTAL_ANNOTATION_SIZE)


def _object_meta(errs: Errors, rt: ResourceType, obj: Obj) -> None:
    metadata = mapping(obj, "metadata", "metadata", "v1.ObjectMeta") or {}
    validate_labels(errs, string_map(metadata, "labels", "metadata.labels"), "metadata.labels")
    validate_annotations(errs, string_map(metadata, "annotations", "metadata.annotations"), "metadata.annotations")
    controller = ""
    references = objects(metadata, "ownerReferences", "metadata.ownerReferences", "v1.OwnerReference")
    for ref in references:
        api_version = text(ref, "apiVersion", "metadata.ownerReferences.apiVersion") or ""
        version = api_version.rpartition("/")[2]
        kind = text(ref, "kind", "metadata.ownerReferences.kind") or ""
        if not version:
            errs.invalid("metadata.ownerReferences.apiVersion", api_version, "version must not be empty")
        if not kind:
            errs.invalid("metadata.ownerReferences.kind", kind, "must not be empty")
        for key in ("name", "uid"):
            if not text(ref, key, f"metadata.ownerReferences.{key}"):
                errs.invalid(f"metadata.ownerReferences.{key}", ref.get(key) or "", "must not be empty")
        if api_version == "v1" and kind == "Event":
            errs.invalid(
                "metadata.ownerReferences", GoText(_go_owner(ref)), "/v1, Kind=Event is disallowed from being an owner"
            )
        if boolean(ref, "controller", "metadata.ownerReferences.controller"):
            current = f"{kind}/{ref.get('name', '')}"
            if controller:
                errs.invalid(
                    "metadata.ownerReferences",
                    GoText("[]v1.OwnerReference{...}"),
                    f'Only one reference can have Controller set to true. Found "true" in references for {controller} '
                    f"and {current}",
                )
            else:
                controller = current
    finalizers = strings(metadata, "finalizers", "metadata.finalizers")
    for finalizer in finalizers:
        errs.each("metadata.finalizers", finalizer, qualified_name_errors(finalizer))
    if "orphan" in finalizers and "foregroundDeletion" in finalizers:
        errs.invalid("metadata.finalizers", finalizers, "finalizer orphan and foregroundDeletion cannot be both set")
    if rt.custom is None and rt.group not in APIMACHINERY_META_GROUPS:
        for index, finalizer in enumerate(finalizers):
            kube_finalizer(errs, finalizer, f"metadata.finalizers[{index}]")


def kube_finalizer(errs: Errors, finalizer: str, path: str) -> None:
    """``validateKubeFinalizerName``: a standard finalizer, or a domain-qualified one."""
    errs.each(path, finalizer, qualified_name_errors(finalizer))
    if "/" not in finalizer and finalizer not in STANDARD_FINALIZERS:
        errs.invalid(path, finalizer, "name is neither a standard finalizer name nor is it fully qualified")


def _go_owner(ref: Obj) -> str:
    return (
        f"v1.OwnerReference{{APIVersion:{go_quote(str(ref.get('apiVersion', '')))}, "
        f"Kind:{go_quote(str(ref.get('kind', '')))}, Name:{go_quote(str(ref.get('name', '')))}}}"
    )


def _name_rules(errs: Errors, rt: ResourceType, name: str) -> None:
    """Name rules stricter than the handlers' DNS subdomain / label check."""
    key = (rt.group, rt.plural)
    if key == ("", "services"):
        errs.each("metadata.name", name, dns1035_label_errors(name))
    elif key == ("apps", "statefulsets"):
        errs.each("metadata.name", name, dns_label_errors(name))
    elif key == ("batch", "cronjobs") and len(name) > 52:
        errs.invalid("metadata.name", name, "must be no more than 52 characters")


def _object_meta_update(errs: Errors, old: Obj, new: Obj) -> None:
    old_meta, new_meta = old.get("metadata") or {}, new.get("metadata") or {}
    if old_meta.get("deletionTimestamp"):
        before = {f for f in old_meta.get("finalizers") or [] if isinstance(f, str)}
        added = sorted(set(strings(new_meta, "finalizers", "metadata.finalizers")) - before)
        if added:
            errs.forbidden(
                "metadata.finalizers",
                f"no new finalizers can be added if the object is being deleted, found new finalizers "
                f"{go_string_list(added)}",
            )


# -- label selectors ----------------------------------------------------------------------------------------

_SELECTOR_OPERATORS: Final = ("In", "NotIn", "Exists", "DoesNotExist")


def validate_selector(errs: Errors, selector: Obj | None, path: str) -> None:
    """``ValidateLabelSelector`` (strict: label values must be valid)."""
    if selector is None:
        return
    validate_labels(errs, string_map(selector, "matchLabels", path + ".matchLabels"), path + ".matchLabels")
    for index, expression in enumerate(objects(selector, "matchExpressions", path + ".matchExpressions")):
        at = f"{path}.matchExpressions[{index}]"
        operator = text(expression, "operator", at + ".operator") or ""
        values = strings(expression, "values", at + ".values")
        if operator in ("In", "NotIn"):
            if not values:
                errs.required(at + ".values", "must be specified when `operator` is 'In' or 'NotIn'")
        elif operator in ("Exists", "DoesNotExist"):
            if values:
                errs.forbidden(at + ".values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'")
        else:
            errs.invalid(at + ".operator", operator, "not a valid selector operator")
        key = text(expression, "key", at + ".key") or ""
        errs.each(at + ".key", key, qualified_name_errors(key))
        for value_index, value in enumerate(values):
            errs.each(f"{at}.values[{value_index}]", value, label_value_errors(value))


def _selector_convertible(selector: Obj) -> bool:
    """Whether ``LabelSelectorAsSelector`` accepts the selector."""
    for key, value in (selector.get("matchLabels") or {}).items():
        if qualified_name_errors(key) or label_value_errors(value):
            return False
    for expression in selector.get("matchExpressions") or []:
        operator, values = expression.get("operator"), expression.get("values") or []
        if operator not in _SELECTOR_OPERATORS or qualified_name_errors(str(expression.get("key") or "")):
            return False
        if (operator in ("In", "NotIn")) != bool(values) or any(label_value_errors(v) for v in values):
            return False
    return True


def selector_matches(selector: Obj | None, labels: Mapping[str, str] | None) -> bool:
    """``LabelSelectorAsSelector(selector).Matches(labels)``: nil matches nothing, empty everything."""
    if selector is None:
        return False
    labels = labels or {}
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions") or []:
        key, operator, values = expression.get("key"), expression.get("operator"), expression.get("values") or []
        present = key in labels
        if operator == "In" and not (present and labels[key] in values):
            return False
        if operator == "NotIn" and present and labels[key] in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
    return True


def _selector_empty(selector: Obj) -> bool:
    return not selector.get("matchLabels") and not selector.get("matchExpressions")


# -- pods ---------------------------------------------------------------------------------------------------

RESTART_POLICIES: Final = ("Always", "OnFailure", "Never")
DNS_POLICIES: Final = ("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None")
PULL_POLICIES: Final = ("Always", "IfNotPresent", "Never")
PROTOCOLS: Final = ("SCTP", "TCP", "UDP")
TERMINATION_MESSAGE_POLICIES: Final = ("File", "FallbackToLogsOnError")
HOST_PATH_TYPES: Final = (
    "",
    "BlockDevice",
    "CharDevice",
    "Directory",
    "DirectoryOrCreate",
    "File",
    "FileOrCreate",
    "Socket",
)
TOLERATION_OPERATORS: Final = ("Equal", "Exists")
TAINT_EFFECTS: Final = ("NoSchedule", "PreferNoSchedule", "NoExecute")
FILE_MODE_ERROR: Final = "must be a number between 0 and 0777 (octal), both inclusive"
STANDARD_CONTAINER_RESOURCES: Final = frozenset({"cpu", "memory", "ephemeral-storage"})
UPDATABLE_POD_FIELDS: Final = (
    "`spec.containers[*].image`",
    "`spec.initContainers[*].image`",
    "`spec.activeDeadlineSeconds`",
    "`spec.tolerations` (only additions to existing tolerations)",
    "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
)
DOWNWARD_FIELD_LABELS: Final = frozenset(
    {
        "metadata.annotations",
        "metadata.labels",
        "metadata.name",
        "metadata.namespace",
        "metadata.uid",
        "spec.nodeName",
        "spec.restartPolicy",
        "spec.serviceAccountName",
        "spec.schedulerName",
        "status.phase",
        "status.hostIP",
        "status.hostIPs",
        "status.podIP",
        "status.podIPs",
    }
)
ENV_FIELD_PATHS: Final = (
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
    "spec.nodeName",
    "spec.serviceAccountName",
    "status.hostIP",
    "status.hostIPs",
    "status.podIP",
    "status.podIPs",
)
ENV_RESOURCE_FIELDS: Final = (
    "limits.cpu",
    "limits.ephemeral-storage",
    "limits.memory",
    "requests.cpu",
    "requests.ephemeral-storage",
    "requests.memory",
)


def _pod(errs: Errors, pod: Obj, old: Obj | None) -> None:
    spec = mapping(pod, "spec", "spec", "v1.PodSpec") or {}
    pod_spec(errs, spec, "spec", is_pod=True)
    for field_name in ("containers", "initContainers"):
        for index, container in enumerate(objects(spec, field_name, f"spec.{field_name}")):
            image = container.get("image")
            if isinstance(image, str) and image != image.strip():
                errs.invalid(f"spec.{field_name}[{index}].image", image, "must not have leading or trailing whitespace")
    if old is None:
        if spec.get("ephemeralContainers"):
            errs.forbidden("spec.ephemeralContainers", "cannot be set on create")
        if spec.get("nodeName") and spec.get("schedulingGates"):
            errs.forbidden("spec.nodeName", "cannot be set until all schedulingGates have been cleared")
    else:
        _pod_update(errs, old.get("spec") or {}, spec)


def pod_template(errs: Errors, template: Obj | None, path: str) -> None:
    """``ValidatePodTemplateSpec``; note the apiserver's paths: ``<path>.labels``, not ``.metadata.labels``."""
    template = template or {}
    metadata = mapping(template, "metadata", path + ".metadata") or {}
    validate_labels(errs, string_map(metadata, "labels", path + ".metadata.labels"), path + ".labels")
    validate_annotations(
        errs, string_map(metadata, "annotations", path + ".metadata.annotations"), path + ".annotations"
    )
    spec = mapping(template, "spec", path + ".spec", "v1.PodSpec") or {}
    pod_spec(errs, spec, path + ".spec", is_pod=False)
    if spec.get("ephemeralContainers"):
        errs.forbidden(path + ".spec.ephemeralContainers", "ephemeral containers not allowed in pod template")


def pod_spec(errs: Errors, spec: Obj, path: str, *, is_pod: bool) -> None:
    """``ValidatePodSpec``."""
    grace = integer(spec, "terminationGracePeriodSeconds", path + ".terminationGracePeriodSeconds", "int64")
    if grace is None:
        errs.required(path + ".terminationGracePeriodSeconds")
    volumes = _volumes(errs, objects(spec, "volumes", path + ".volumes"), path + ".volumes")
    containers = objects(spec, "containers", path + ".containers")
    init_containers = objects(spec, "initContainers", path + ".initContainers")
    if not containers:
        errs.required(path + ".containers")
    names: set[str] = set()
    for index, container in enumerate(containers):
        at = f"{path}.containers[{index}]"
        _container_common(errs, container, volumes, at)
        name = container.get("name") or ""
        if name in names:
            errs.duplicate(at + ".name", name)
        else:
            names.add(name)
        lifecycle = mapping(container, "lifecycle", at + ".lifecycle")
        if lifecycle is not None:
            _lifecycle(errs, lifecycle, grace, at + ".lifecycle")
        _probes(errs, container, grace, at)
        if container.get("restartPolicy") is not None:
            errs.forbidden(at + ".restartPolicy", "may not be set for non-init containers")
    _host_ports(errs, containers, path + ".containers")
    for index, container in enumerate(init_containers):
        at = f"{path}.initContainers[{index}]"
        _container_common(errs, container, volumes, at)
        restart = text(container, "restartPolicy", at + ".restartPolicy")
        if restart is not None and restart != "Always":
            errs.not_supported(at + ".restartPolicy", restart, ["Always"])
        name = container.get("name") or ""
        if name in names:
            errs.duplicate(at + ".name", name)
        elif name:
            names.add(name)
        _host_ports(errs, [container], path + ".initContainers")
        if restart == "Always":
            lifecycle = mapping(container, "lifecycle", at + ".lifecycle")
            if lifecycle is not None:
                _lifecycle(errs, lifecycle, grace, at + ".lifecycle")
            _probes(errs, container, grace, at)
        else:
            for forbidden in ("lifecycle", "livenessProbe", "readinessProbe", "startupProbe"):
                if container.get(forbidden) is not None:
                    errs.forbidden(
                        f"{at}.{forbidden}", "may not be set for init containers without restartPolicy=Always"
                    )
    for index, container in enumerate(objects(spec, "ephemeralContainers", path + ".ephemeralContainers")):
        at = f"{path}.ephemeralContainers[{index}]"
        _container_common(errs, container, volumes, at)
        name = container.get("name") or ""
        if name in names:
            errs.duplicate(at + ".name", name)
        else:
            names.add(name)
    if boolean(spec, "hostNetwork", path + ".hostNetwork"):
        for index, container in enumerate(containers):
            for port_index, port in enumerate(container.get("ports") or []):
                host, container_port = port.get("hostPort") or 0, port.get("containerPort") or 0
                if (is_pod or host) and host != container_port:
                    errs.invalid(
                        f"{path}.containers[{index}].ports[{port_index}].hostPort",
                        host,
                        "must match `containerPort` when `hostNetwork` is true",
                    )
    _enum(errs, spec, "restartPolicy", path, RESTART_POLICIES)
    _enum(errs, spec, "dnsPolicy", path, DNS_POLICIES)
    validate_labels(errs, string_map(spec, "nodeSelector", path + ".nodeSelector"), path + ".nodeSelector")
    _pod_security_context(errs, mapping(spec, "securityContext", path + ".securityContext"), path + ".securityContext")
    for index, secret in enumerate(objects(spec, "imagePullSecrets", path + ".imagePullSecrets")):
        if set(secret) - {"name"}:
            errs.invalid(
                f"{path}.imagePullSecrets[{index}]", GoText("core.LocalObjectReference{...}"), "only name may be set"
            )
    _dns_config(errs, spec, path)
    for index, gate in enumerate(objects(spec, "readinessGates", path + ".readinessGates")):
        condition = text(gate, "conditionType", f"{path}.readinessGates[{index}].conditionType") or ""
        errs.each(f"{path}.readinessGates[{index}].conditionType", condition, qualified_name_errors(condition))
    for key, rule in (("serviceAccountName", dns_subdomain_errors), ("nodeName", dns_subdomain_errors)):
        value = text(spec, key, f"{path}.{key}")
        if value:
            errs.each(f"{path}.{key}", value, rule(value))
    deadline = integer(spec, "activeDeadlineSeconds", path + ".activeDeadlineSeconds", "int64")
    if deadline is not None and not 1 <= deadline <= MAX_INT32:
        errs.invalid(path + ".activeDeadlineSeconds", deadline, range_error(1, MAX_INT32))
    for key in ("hostname", "subdomain"):
        value = text(spec, key, f"{path}.{key}")
        if value:
            errs.each(f"{path}.{key}", value, dns_label_errors(value))
    tolerations(errs, objects(spec, "tolerations", path + ".tolerations"), path + ".tolerations")
    priority_class = text(spec, "priorityClassName", path + ".priorityClassName")
    if priority_class:
        errs.each(path + ".priorityClassName", priority_class, dns_subdomain_errors(priority_class))
    overhead = mapping(spec, "overhead", path + ".overhead")
    if overhead is not None:
        _resources(errs, {"limits": overhead}, path + ".overhead")


def _enum(errs: Errors, spec: Obj, key: str, path: str, supported: tuple[str, ...]) -> None:
    value = text(spec, key, f"{path}.{key}")
    if not value:
        errs.required(f"{path}.{key}")
    elif value not in supported:
        errs.not_supported(f"{path}.{key}", value, supported)


def _pod_security_context(errs: Errors, context: Obj | None, path: str) -> None:
    if context is None:
        return
    for key in ("runAsUser", "runAsGroup", "fsGroup"):
        value = integer(context, key, f"{path}.{key}", "int64")
        if value is not None and not 0 <= value <= 0xFFFFFFFF:
            errs.invalid(f"{path}.{key}", value, range_error(0, 0xFFFFFFFF))
    for index, group in enumerate(items(context, "supplementalGroups", path + ".supplementalGroups") or []):
        if isinstance(group, int) and not 0 <= group <= 0xFFFFFFFF:
            errs.invalid(f"{path}.supplementalGroups[{index}]", group, range_error(0, 0xFFFFFFFF))
    policy = text(context, "fsGroupChangePolicy", path + ".fsGroupChangePolicy")
    if policy is not None and policy not in ("Always", "OnRootMismatch"):
        errs.not_supported(path + ".fsGroupChangePolicy", policy, ["Always", "OnRootMismatch"])


def _dns_config(errs: Errors, spec: Obj, path: str) -> None:
    config = mapping(spec, "dnsConfig", path + ".dnsConfig")
    if spec.get("dnsPolicy") == "None":
        if config is None:
            errs.required(path + ".dnsConfig", "must provide `dnsConfig` when `dnsPolicy` is None")
            return
        if not config.get("nameservers"):
            errs.required(
                path + ".dnsConfig.nameservers", "must provide at least one DNS nameserver when `dnsPolicy` is None"
            )
            return
    if config is None:
        return
    nameservers = strings(config, "nameservers", path + ".dnsConfig.nameservers")
    if len(nameservers) > 3:
        errs.invalid(path + ".dnsConfig.nameservers", nameservers, "must not have more than 3 nameservers")
    searches = strings(config, "searches", path + ".dnsConfig.searches")
    if len(searches) > 32:
        errs.invalid(path + ".dnsConfig.searches", searches, "must not have more than 32 search paths")
    for index, option in enumerate(objects(config, "options", path + ".dnsConfig.options")):
        if not option.get("name"):
            errs.required(f"{path}.dnsConfig.options[{index}]", "must not be empty")


def tolerations(errs: Errors, entries: list[Obj], path: str) -> None:
    """``ValidateTolerations``."""
    for index, toleration in enumerate(entries):
        at = f"{path}[{index}]"
        key = text(toleration, "key", at + ".key") or ""
        operator = text(toleration, "operator", at + ".operator") or ""
        value = text(toleration, "value", at + ".value") or ""
        effect = text(toleration, "effect", at + ".effect") or ""
        seconds = integer(toleration, "tolerationSeconds", at + ".tolerationSeconds", "int64")
        if key:
            errs.each(at + ".key", key, qualified_name_errors(key))
        if not key and operator != "Exists":
            errs.invalid(
                at + ".operator",
                operator,
                'operator must be Exists when `key` is empty, which means "match all values and all keys"',
            )
        if seconds is not None and effect != "NoExecute":
            errs.invalid(at + ".effect", effect, "effect must be 'NoExecute' when `tolerationSeconds` is set")
        if operator in ("Equal", ""):
            messages = label_value_errors(value)
            if messages:
                errs.invalid(at + ".operator", value, ";".join(messages))
        elif operator == "Exists":
            if value:
                errs.invalid(at + ".operator", value, "value must be empty when `operator` is 'Exists'")
        else:
            errs.not_supported(at + ".operator", operator, TOLERATION_OPERATORS)
        if effect and effect not in TAINT_EFFECTS:
            errs.not_supported(at + ".effect", effect, TAINT_EFFECTS)


def _volumes(errs: Errors, volumes: list[Obj], path: str) -> dict[str, Obj]:
    """``ValidateVolumes``: the valid volumes by name, for the mounts to refer to."""
    found: dict[str, Obj] = {}
    for index, volume in enumerate(volumes):
        at = f"{path}[{index}]"
        local = Errors()
        _volume_source(local, volume, at)
        name = text(volume, "name", at + ".name") or ""
        if not name:
            local.required(at + ".name")
        else:
            local.each(at + ".name", name, dns_label_errors(name))
        if name in found:
            local.duplicate(at + ".name", name)
        if local:
            errs.causes.extend(local.causes)
        else:
            found[name] = volume
    return found


def _volume_source(errs: Errors, volume: Obj, path: str) -> None:
    count = 0
    for source in defaults.VOLUME_SOURCES:
        value = mapping(volume, source, f"{path}.{source}")
        if value is None:
            continue
        if count:
            errs.forbidden(f"{path}.{source}", "may not specify more than 1 volume type")
            continue
        count += 1
        _volume_details(errs, source, value, f"{path}.{source}")
    if not count:
        errs.required(path, "must specify a volume type")


def _volume_details(errs: Errors, source: str, value: Obj, path: str) -> None:
    if source == "hostPath":
        host_path = text(value, "path", path + ".path") or ""
        if not host_path:
            errs.required(path + ".path")
            return
        if ".." in host_path.split("/"):
            errs.invalid(path + ".path", host_path, "must not contain '..'")
        kind = text(value, "type", path + ".type")
        if kind is not None and kind not in HOST_PATH_TYPES:
            errs.not_supported(path + ".type", kind, HOST_PATH_TYPES)
    elif source == "emptyDir":
        limit = value.get("sizeLimit")
        if limit is not None and _parse_quantity(limit).value < 0:
            errs.forbidden(path + ".sizeLimit", "SizeLimit field must be a valid resource quantity")
    elif source in ("secret", "configMap"):
        key = "secretName" if source == "secret" else "name"
        name = text(value, key, f"{path}.{key}")
        if source == "secret" and not name:
            errs.required(f"{path}.{key}")
        _file_mode(errs, value, path + ".defaultMode")
        _key_to_paths(errs, objects(value, "items", path + ".items"), path + ".items")
    elif source in ("downwardAPI", "projected"):
        _file_mode(errs, value, path + ".defaultMode")
    elif source == "persistentVolumeClaim":
        if not text(value, "claimName", path + ".claimName"):
            errs.required(path + ".claimName")
    elif source == "nfs":
        if not text(value, "server", path + ".server"):
            errs.required(path + ".server")
        nfs_path = text(value, "path", path + ".path") or ""
        if not nfs_path:
            errs.required(path + ".path")
        elif not nfs_path.startswith("/"):
            errs.invalid(path + ".path", nfs_path, "must be an absolute path")


def _file_mode(errs: Errors, value: Obj, path: str) -> None:
    mode = integer(value, "defaultMode", path)
    if mode is not None and not 0 <= mode <= 0o777:
        errs.invalid(path, mode, FILE_MODE_ERROR)


def _key_to_paths(errs: Errors, entries: list[Obj], path: str) -> None:
    for index, item in enumerate(entries):
        at = f"{path}[{index}]"
        if not text(item, "key", at + ".key"):
            errs.required(at + ".key")
        target = text(item, "path", at + ".path") or ""
        if not target:
            errs.required(at + ".path")
        else:
            _relative_path(errs, target, at + ".path")
        mode = integer(item, "mode", at + ".mode")
        if mode is not None and not 0 <= mode <= 0o777:
            errs.invalid(at + ".mode", mode, FILE_MODE_ERROR)


def _relative_path(errs: Errors, target: str, path: str) -> None:
    """``validateLocalDescendingPath``."""
    if target.startswith("/"):
        errs.invalid(path, target, "must be a relative path")
    if ".." in target.split("/"):
        errs.invalid(path, target, "must not contain '..'")


def _container_common(errs: Errors, container: Obj, volumes: Mapping[str, Obj], path: str) -> None:
    """``validateContainerCommon``: what every kind of container must get right."""
    name = text(container, "name", path + ".name") or ""
    if not name:
        errs.required(path + ".name")
    else:
        errs.each(path + ".name", name, dns_label_errors(name))
    if not text(container, "image", path + ".image"):
        errs.required(path + ".image")
    _enum(errs, container, "terminationMessagePolicy", path, TERMINATION_MESSAGE_POLICIES)
    _container_ports(errs, objects(container, "ports", path + ".ports"), path + ".ports")
    _env(errs, objects(container, "env", path + ".env"), path + ".env")
    _env_from(errs, objects(container, "envFrom", path + ".envFrom"), path + ".envFrom")
    _volume_mounts(errs, objects(container, "volumeMounts", path + ".volumeMounts"), volumes, path + ".volumeMounts")
    _enum(errs, container, "imagePullPolicy", path, PULL_POLICIES)
    resources = mapping(container, "resources", path + ".resources")
    if resources is not None:
        _resources(errs, resources, path + ".resources")


def _container_ports(errs: Errors, ports: list[Obj], path: str) -> None:
    names: set[str] = set()
    for index, port in enumerate(ports):
        at = f"{path}[{index}]"
        name = text(port, "name", at + ".name") or ""
        if name:
            messages = port_name_errors(name)
            if messages:
                errs.each(at + ".name", name, messages)
            elif name in names:
                errs.duplicate(at + ".name", name)
            else:
                names.add(name)
        number = integer(port, "containerPort", at + ".containerPort") or 0
        if not number:
            errs.required(at + ".containerPort")
        elif not 1 <= number <= 65535:
            errs.invalid(at + ".containerPort", number, range_error(1, 65535))
        host = integer(port, "hostPort", at + ".hostPort") or 0
        if host and not 1 <= host <= 65535:
            errs.invalid(at + ".hostPort", host, range_error(1, 65535))
        protocol = text(port, "protocol", at + ".protocol")
        if not protocol:
            errs.required(at + ".protocol")
        elif protocol not in PROTOCOLS:
            errs.not_supported(at + ".protocol", protocol, PROTOCOLS)


def _host_ports(errs: Errors, containers: list[Obj], path: str) -> None:
    """``checkHostPortConflicts``: one protocol/hostIP/port per pod."""
    seen: set[str] = set()
    for index, container in enumerate(containers):
        for port_index, port in enumerate(container.get("ports") or []):
            host = port.get("hostPort")
            if not host:
                continue
            key = f"{port.get('protocol') or ''}/{port.get('hostIP') or ''}/{host}"
            if key in seen:
                errs.duplicate(f"{path}[{index}].ports[{port_index}].hostPort", key)
            seen.add(key)


def _env(errs: Errors, env: list[Obj], path: str) -> None:
    for index, var in enumerate(env):
        at = f"{path}[{index}]"
        name = text(var, "name", at + ".name") or ""
        if not name:
            errs.required(at + ".name")
        else:
            errs.each(at + ".name", name, env_name_errors(name))
        value_from = mapping(var, "valueFrom", at + ".valueFrom")
        if value_from is None:
            continue
        sources = 0
        field_ref = mapping(value_from, "fieldRef", at + ".valueFrom.fieldRef")
        if field_ref is not None:
            sources += 1
            _field_ref(errs, field_ref, at + ".valueFrom.fieldRef")
        resource_ref = mapping(value_from, "resourceFieldRef", at + ".valueFrom.resourceFieldRef")
        if resource_ref is not None:
            sources += 1
            resource = text(resource_ref, "resource", at + ".valueFrom.resourceFieldRef.resource") or ""
            if not resource:
                errs.required(at + ".valueFrom.resourceFieldRef.resource")
            elif resource not in ENV_RESOURCE_FIELDS and not resource.startswith(
                ("requests.hugepages-", "limits.hugepages-")
            ):
                errs.not_supported(at + ".valueFrom.resourceFieldRef.resource", resource, ENV_RESOURCE_FIELDS)
        for ref_name in ("configMapKeyRef", "secretKeyRef"):
            ref = mapping(value_from, ref_name, f"{at}.valueFrom.{ref_name}")
            if ref is None:
                continue
            sources += 1
            ref_path = f"{at}.valueFrom.{ref_name}"
            ref_target = text(ref, "name", ref_path + ".name") or ""
            errs.each(ref_path + ".name", ref_target, dns_subdomain_errors(ref_target))
            key = text(ref, "key", ref_path + ".key") or ""
            if not key:
                errs.required(ref_path + ".key")
            else:
                errs.each(ref_path + ".key", key, config_key_errors(key))
        if not sources:
            errs.invalid(
                at + ".valueFrom",
                "",
                "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`",
            )
        elif var.get("value"):
            errs.invalid(at + ".valueFrom", "", "may not be specified when `value` is not empty")
        elif sources > 1:
            errs.invalid(at + ".valueFrom", "", "may not have more than one field specified at a time")


def _field_ref(errs: Errors, ref: Obj, path: str) -> None:
    if not text(ref, "apiVersion", path + ".apiVersion"):
        errs.required(path + ".apiVersion")
        return
    field_path = text(ref, "fieldPath", path + ".fieldPath") or ""
    if not field_path:
        errs.required(path + ".fieldPath")
        return
    subscripted = re.fullmatch(r"(metadata\.(?:annotations|labels))\['(.*)'\]", field_path)
    if subscripted:
        key = subscripted.group(2)
        errs.each(path, key, qualified_name_errors(key.lower() if "annotations" in field_path else key))
    elif field_path not in DOWNWARD_FIELD_LABELS:
        errs.invalid(
            path + ".fieldPath", field_path, f"error converting fieldPath: field label not supported: {field_path}"
        )
    elif field_path not in ENV_FIELD_PATHS:
        errs.not_supported(path + ".fieldPath", field_path, ENV_FIELD_PATHS)


def _env_from(errs: Errors, sources: list[Obj], path: str) -> None:
    for index, source in enumerate(sources):
        at = f"{path}[{index}]"
        prefix = text(source, "prefix", at + ".prefix")
        if prefix:
            errs.each(at + ".prefix", prefix, env_name_errors(prefix))
        count = 0
        for ref_name in ("configMapRef", "secretRef"):
            ref = mapping(source, ref_name, f"{at}.{ref_name}")
            if ref is None:
                continue
            count += 1
            name = text(ref, "name", f"{at}.{ref_name}.name") or ""
            if not name:
                errs.required(f"{at}.{ref_name}.name")
            else:
                errs.each(f"{at}.{ref_name}.name", name, dns_subdomain_errors(name))
        if not count:
            errs.invalid(path, "", "must specify one of: `configMapRef` or `secretRef`")
        elif count > 1:
            errs.invalid(path, "", "may not have more than one field specified at a time")


def _volume_mounts(errs: Errors, mounts: list[Obj], volumes: Mapping[str, Obj], path: str) -> None:
    points: set[str] = set()
    for index, mount in enumerate(mounts):
        at = f"{path}[{index}]"
        name = text(mount, "name", at + ".name") or ""
        if not name:
            errs.required(at + ".name")
        if name not in volumes:
            errs.not_found(at + ".name", name)
        mount_path = text(mount, "mountPath", at + ".mountPath") or ""
        if not mount_path:
            errs.required(at + ".mountPath")
        if mount_path in points:
            errs.invalid(at + ".mountPath", mount_path, "must be unique")
        points.add(mount_path)
        sub_path = text(mount, "subPath", at + ".subPath") or ""
        if sub_path:
            _relative_path(errs, sub_path, path + ".subPath")
        sub_path_expr = text(mount, "subPathExpr", at + ".subPathExpr") or ""
        if sub_path_expr:
            if sub_path:
                errs.invalid(at + ".subPathExpr", sub_path_expr, "subPathExpr and subPath are mutually exclusive")
            _relative_path(errs, sub_path_expr, path + ".subPathExpr")


def _resource_name_errors(errs: Errors, name: str, path: str) -> None:
    """``validateContainerResourceName``."""
    errs.each(path, name, qualified_name_errors(name))
    if "/" not in name:
        if name not in STANDARD_CONTAINER_RESOURCES and not name.startswith("hugepages-"):
            errs.invalid(path, name, "must be a standard resource for containers")
    elif not _native_resource(name) and name.startswith("requests."):
        errs.invalid(path, name, "doesn't follow extended resource name standard")


def _native_resource(name: str) -> bool:
    return "/" not in name or "kubernetes.io/" in name


def _overcommit_allowed(name: str) -> bool:
    return _native_resource(name) and not name.startswith("hugepages-")


def _resources(errs: Errors, resources: Obj, path: str) -> None:
    """``ValidateContainerResourceRequirements``: names, non-negative amounts, requests within limits."""
    limits = mapping(resources, "limits", path + ".limits") or {}
    requests = mapping(resources, "requests", path + ".requests") or {}
    limit_values: dict[str, quantity.Quantity] = {}
    for name in sorted(limits):
        at = f"{path}.limits[{name}]"
        _resource_name_errors(errs, name, at)
        limit_values[name] = amount = _parse_quantity(limits[name])
        _quantity_value(errs, name, amount, at)
    for name in sorted(requests):
        at = f"{path}.requests[{name}]"
        _resource_name_errors(errs, name, at)
        amount = _parse_quantity(requests[name])
        _quantity_value(errs, name, amount, at)
        limit = limit_values.get(name)
        if limit is not None:
            if amount.value != limit.value and not _overcommit_allowed(name):
                errs.invalid(path + ".requests", str(amount), f"must be equal to {name} limit of {limit}")
            elif amount.value > limit.value:
                errs.invalid(path + ".requests", str(amount), f"must be less than or equal to {name} limit of {limit}")
        elif not _overcommit_allowed(name):
            errs.required(path + ".limits", "Limit must be set for non overcommitable resources")


def _parse_quantity(value: object) -> quantity.Quantity:
    try:
        return quantity.parse(value)
    except quantity.QuantityError as exc:
        raise Malformed(str(exc)) from None


def _quantity_value(errs: Errors, name: str, amount: quantity.Quantity, path: str) -> None:
    if amount.value < 0:
        errs.invalid(path, str(amount), NEGATIVE)
    if not _native_resource(name) and amount.value != amount.value.to_integral_value():
        errs.invalid(path, str(amount), "must be an integer")


def _probes(errs: Errors, container: Obj, grace: int | None, path: str) -> None:
    for name in ("livenessProbe", "readinessProbe", "startupProbe"):
        probe = mapping(container, name, f"{path}.{name}")
        if probe is None:
            continue
        at = f"{path}.{name}"
        _handler(errs, probe, ("exec", "httpGet", "tcpSocket", "grpc"), grace, at)
        for key in ("initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"):
            errs.nonnegative(f"{at}.{key}", integer(probe, key, f"{at}.{key}"))
        probe_grace = integer(probe, "terminationGracePeriodSeconds", at + ".terminationGracePeriodSeconds", "int64")
        if probe_grace is not None and probe_grace <= 0:
            errs.invalid(at + ".terminationGracePeriodSeconds", probe_grace, "must be greater than 0")
        if name != "readinessProbe" and probe.get("successThreshold") != 1:
            errs.invalid(at + ".successThreshold", probe.get("successThreshold"), "must be 1")
        if name == "readinessProbe" and probe_grace is not None:
            errs.invalid(at + ".terminationGracePeriodSeconds", probe_grace, "must not be set for readinessProbes")


def _lifecycle(errs: Errors, lifecycle: Obj, grace: int | None, path: str) -> None:
    for hook in ("postStart", "preStop"):
        handler = mapping(lifecycle, hook, f"{path}.{hook}")
        if handler is not None:
            _handler(errs, handler, ("exec", "httpGet", "tcpSocket", "sleep"), grace, f"{path}.{hook}")


def _handler(errs: Errors, handler: Obj, kinds: tuple[str, ...], grace: int | None, path: str) -> None:
    """``validateHandler``: exactly one action, each well formed."""
    count = 0
    for kind in kinds:
        action = mapping(handler, kind, f"{path}.{kind}")
        if action is None:
            continue
        if count:
            errs.forbidden(f"{path}.{kind}", "may not specify more than 1 handler type")
            continue
        count += 1
        at = f"{path}.{kind}"
        if kind == "exec" and not strings(action, "command", at + ".command"):
            errs.required(at + ".command")
        elif kind == "httpGet":
            if not text(action, "path", at + ".path"):
                errs.required(at + ".path")
            port_number_or_name(errs, int_or_string(action, "port", at + ".port"), at + ".port")
            scheme = text(action, "scheme", at + ".scheme") or ""
            if scheme not in ("HTTP", "HTTPS"):
                errs.not_supported(at + ".scheme", scheme, ["HTTP", "HTTPS"])
            for header in objects(action, "httpHeaders", at + ".httpHeaders"):
                name = text(header, "name", at + ".httpHeaders.name") or ""
                if not re.fullmatch(_HTTP_HEADER, name):
                    errs.invalid(
                        at + ".httpHeaders",
                        name,
                        regex_error(
                            "a valid HTTP header must consist of alphanumeric characters or '-'",
                            _HTTP_HEADER,
                            "X-Header-Name",
                        ),
                    )
        elif kind == "tcpSocket":
            port_number_or_name(errs, int_or_string(action, "port", at + ".port"), at + ".port")
        elif kind == "grpc":
            port_number_or_name(errs, integer(action, "port", at + ".port") or 0, at + ".port")
        elif kind == "sleep":
            seconds = integer(action, "seconds", at + ".seconds", "int64") or 0
            if grace is not None and not 0 <= seconds <= grace:
                errs.invalid(at, seconds, f"must be non-negative and less than terminationGracePeriodSeconds ({grace})")
    if not count:
        errs.required(path, "must specify a handler type")


def port_number_or_name(errs: Errors, port: int | str | None, path: str) -> None:
    """``ValidatePortNumOrName``."""
    if isinstance(port, str):
        errs.each(path, port, port_name_errors(port))
    elif not 1 <= (port or 0) <= 65535:
        errs.invalid(path, port or 0, range_error(1, 65535))


def _pod_update(errs: Errors, old: Obj, new: Obj) -> None:
    """``ValidatePodUpdate``: only images, activeDeadlineSeconds, added tolerations and a first node may change."""
    for field_name in ("containers", "initContainers"):
        old_list, new_list = old.get(field_name) or [], new.get(field_name) or []
        if len(old_list) != len(new_list):
            errs.forbidden(f"spec.{field_name}", "pod updates may not add or remove containers")
            return
    deadline, old_deadline = new.get("activeDeadlineSeconds"), old.get("activeDeadlineSeconds")
    if deadline is not None:
        if not 0 <= deadline <= MAX_INT32:
            errs.invalid("spec.activeDeadlineSeconds", deadline, range_error(0, MAX_INT32))
            return
        if old_deadline is not None and old_deadline < deadline:
            errs.invalid("spec.activeDeadlineSeconds", deadline, "must be less than or equal to previous value")
            return
    elif old_deadline is not None:
        errs.invalid("spec.activeDeadlineSeconds", None, "must not update from a positive integer to nil value")

    def stripped(toleration: object) -> object:
        if not isinstance(toleration, dict):
            return toleration
        return {k: v for k, v in toleration.items() if k != "tolerationSeconds"}

    kept = [stripped(t) for t in new.get("tolerations") or []]
    for old_toleration in old.get("tolerations") or []:
        if stripped(old_toleration) not in kept:
            errs.forbidden("spec.tolerations", "existing toleration can not be modified except its tolerationSeconds")
            break
    if new == old:
        return
    munged = copy.deepcopy(new)
    for field_name in ("containers", "initContainers"):
        for container, before in zip(munged.get(field_name) or [], old.get(field_name) or [], strict=True):
            if isinstance(container, dict) and isinstance(before, dict):
                container["image"] = before.get("image")
    for key in ("activeDeadlineSeconds", "tolerations", "schedulingGates"):
        _copy_key(munged, old, key)
    # The binding subresource reaches here as an update: a pod gets its node once.
    if not old.get("nodeName"):
        _copy_key(munged, old, "nodeName")
    old_grace = old.get("terminationGracePeriodSeconds")
    if isinstance(old_grace, int) and old_grace < 0 and munged.get("terminationGracePeriodSeconds") == 1:
        munged["terminationGracePeriodSeconds"] = old_grace
    if munged != old:
        errs.forbidden(
            "spec",
            f"pod updates may not change fields other than {','.join(UPDATABLE_POD_FIELDS)}\n{spec_diff(old, munged)}",
        )


def _copy_key(target: Obj, source: Obj, key: str) -> None:
    if key in source:
        target[key] = copy.deepcopy(source[key])
    else:
        target.pop(key, None)


def spec_diff(old: Obj, new: Obj, go_type: str = "core.PodSpec") -> str:
    """A diff of the top-level fields in go-cmp's spirit (the apiserver prints ``cmp.Diff``)."""
    lines = [f"  {go_type}{{"]
    for key in sorted(set(old) | set(new)):
        if old.get(key) == new.get(key):
            continue
        if key in old:
            lines.append(f"- \t{key}: {json.dumps(old[key], sort_keys=True)},")
        if key in new:
            lines.append(f"+ \t{key}: {json.dumps(new[key], sort_keys=True)},")
    lines.append("  }")
    return "\n".join(lines) + "\n"


# -- core/v1 kinds ------------------------------------------------------------------------------------------


def _pod_template_kind(errs: Errors, obj: Obj, old: Obj | None) -> None:
    pod_template(errs, mapping(obj, "template", "template"), "template")


def _replication_controller(errs: Errors, obj: Obj, old: Obj | None) -> None:
    spec = mapping(obj, "spec", "spec") or {}
    errs.nonnegative("spec.minReadySeconds", integer(spec, "minReadySeconds", "spec.minReadySeconds"))
    selector = string_map(spec, "selector", "spec.selector")
    if not selector:
        errs.required("spec.selector")
    errs.nonnegative("spec.replicas", integer(spec, "replicas", "spec.replicas"))
    template = mapping(spec, "template", "spec.template")
    if template is None:
        errs.required("spec.template")
        return
    labels = (template.get("metadata") or {}).get("labels")
    if selector and any(labels is None or labels.get(k) != v for k, v in selector.items()):
        errs.invalid(
            "spec.template.metadata.labels",
            GoText(go_string_map(labels)),
            "`selector` does not match template `labels`",
        )
    pod_template(errs, template, "spec.template")
    _always_restarts(errs, template, "spec.template", "ReplicationController")


def _always_restarts(errs: Errors, template: Obj, path: str, kind: str) -> None:
    """Controllers that keep pods running: ``restartPolicy: Always`` and no deadline."""
    spec = template.get("spec") or {}
    policy = spec.get("restartPolicy")
    if policy != "Always":
        errs.not_supported(path + ".spec.restartPolicy", policy or "", ["Always"])
    if spec.get("activeDeadlineSeconds") is not None:
        errs.forbidden(path + ".spec.activeDeadlineSeconds", f"activeDeadlineSeconds in {kind} is not Supported")


SERVICE_TYPES: Final = ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort")


def _service(errs: Errors, obj: Obj, old: Obj | None) -> None:
    """``ValidateService`` (addresses are the allocator's, in handlers)."""
    spec = mapping(obj, "spec", "spec") or {}
    service_type = text(spec, "type", "spec.type") or ""
    ports = objects(spec, "ports", "spec.ports")
    cluster_ips = strings(spec, "clusterIPs", "spec.clusterIPs")
    cluster_ip = text(spec, "clusterIP", "spec.clusterIP") or (cluster_ips[0] if cluster_ips else "")
    headless = cluster_ip == "None"
    if not ports and not headless and service_type != "ExternalName":
        errs.required("spec.ports")
    if service_type in ("LoadBalancer", "NodePort") and headless:
        errs.invalid("spec.clusterIPs[0]", "None", f"may not be set to 'None' for {service_type} services")
    elif service_type == "ExternalName":
        if cluster_ip:
            errs.forbidden("spec.clusterIPs", "may not be set for ExternalName services")
        if strings(spec, "ipFamilies", "spec.ipFamilies"):
            errs.forbidden("spec.ipFamilies", "may not be set for ExternalName services")
        if spec.get("ipFamilyPolicy") is not None:
            errs.forbidden("spec.ipFamilyPolicy", "may not be set for ExternalName services")
        cname = (text(spec, "externalName", "spec.externalName") or "").removesuffix(".")
        if cname:
            errs.each("spec.externalName", cname, dns_subdomain_errors(cname))
        else:
            errs.required("spec.externalName")
    names: set[str] = set()
    for index, port in enumerate(ports):
        _service_port(errs, port, len(ports) > 1, names, f"spec.ports[{index}]")
    validate_labels(errs, string_map(spec, "selector", "spec.selector"), "spec.selector")
    affinity = text(spec, "sessionAffinity", "spec.sessionAffinity") or ""
    if not affinity:
        errs.required("spec.sessionAffinity")
    elif affinity not in ("ClientIP", "None"):
        errs.not_supported("spec.sessionAffinity", affinity, ["ClientIP", "None"])
    if affinity == "ClientIP":
        config = (mapping(spec, "sessionAffinityConfig", "spec.sessionAffinityConfig") or {}).get("clientIP") or {}
        timeout = integer(config, "timeoutSeconds", "spec.sessionAffinityConfig.clientIP.timeoutSeconds")
        if timeout is None:
            errs.required(
                "spec.sessionAffinityConfig.clientIP.timeoutSeconds", "when session affinity type is ClientIP"
            )
        elif not 0 < timeout <= 86400:
            errs.invalid(
                "spec.sessionAffinityConfig.clientIP.timeoutSeconds",
                timeout,
                "must be greater than 0 and less than 86400",
            )
    elif affinity == "None" and spec.get("sessionAffinityConfig") is not None:
        errs.forbidden("spec.sessionAffinityConfig", "must not be set when session affinity is None")
    if not service_type:
        errs.required("spec.type")
    elif service_type not in SERVICE_TYPES:
        errs.not_supported("spec.type", service_type, SERVICE_TYPES)
    if service_type == "ClusterIP":
        for index, port in enumerate(ports):
            if port.get("nodePort"):
                errs.forbidden(f"spec.ports[{index}].nodePort", "may not be used when `type` is 'ClusterIP'")
    node_ports: set[tuple[object, object]] = set()
    pairs: set[tuple[object, object]] = set()
    for index, port in enumerate(ports):
        node_port = port.get("nodePort")
        if node_port:
            if (port.get("protocol"), node_port) in node_ports:
                errs.duplicate(f"spec.ports[{index}].nodePort", node_port)
            node_ports.add((port.get("protocol"), node_port))
        pair = (port.get("protocol"), port.get("port"))
        if pair in pairs:
            errs.duplicate(
                f"spec.ports[{index}]",
                GoText(f'core.ServicePort{{Name:"", Protocol:{go_quote(str(pair[0]))}, Port:{pair[1]}}}'),
            )
        pairs.add(pair)
    if spec.get("allocateLoadBalancerNodePorts") is not None and service_type != "LoadBalancer":
        errs.forbidden("spec.allocateLoadBalancerNodePorts", "may only be used when `type` is 'LoadBalancer'")
    externally = service_type in ("LoadBalancer", "NodePort") or (
        service_type == "ClusterIP" and spec.get("externalIPs")
    )
    external_policy = text(spec, "externalTrafficPolicy", "spec.externalTrafficPolicy") or ""
    if not externally:
        if external_policy:
            errs.invalid(
                "spec.externalTrafficPolicy", external_policy, "may only be set for externally-accessible services"
            )
    elif not external_policy:
        errs.required("spec.externalTrafficPolicy")
    elif external_policy not in ("Cluster", "Local"):
        errs.not_supported("spec.externalTrafficPolicy", external_policy, ["Cluster", "Local"])
    internal_policy = text(spec, "internalTrafficPolicy", "spec.internalTrafficPolicy")
    if internal_policy is None and service_type in ("NodePort", "LoadBalancer", "ClusterIP"):
        errs.required("spec.internalTrafficPolicy")
    elif internal_policy is not None and internal_policy not in ("Cluster", "Local"):
        errs.not_supported("spec.internalTrafficPolicy", internal_policy, ["Cluster", "Local"])


def _service_port(errs: Errors, port: Obj, require_name: bool, names: set[str], path: str) -> None:
    name = text(port, "name", path + ".name") or ""
    if require_name and not name:
        errs.required(path + ".name")
    elif name:
        errs.each(path + ".name", name, dns_label_errors(name))
        if name in names:
            errs.duplicate(path + ".name", name)
        else:
            names.add(name)
    number = integer(port, "port", path + ".port") or 0
    if not 1 <= number <= 65535:
        errs.invalid(path + ".port", number, range_error(1, 65535))
    protocol = text(port, "protocol", path + ".protocol")
    if not protocol:
        errs.required(path + ".protocol")
    elif protocol not in PROTOCOLS:
        errs.not_supported(path + ".protocol", protocol, PROTOCOLS)
    port_number_or_name(errs, int_or_string(port, "targetPort", path + ".targetPort"), path + ".targetPort")
    app_protocol = text(port, "appProtocol", path + ".appProtocol")
    if app_protocol is not None:
        errs.each(path + ".appProtocol", app_protocol, qualified_name_errors(app_protocol))
    node_port = integer(port, "nodePort", path + ".nodePort")
    if node_port and not 1 <= node_port <= 65535:
        errs.invalid(path + ".nodePort", node_port, range_error(1, 65535))


def _config_map(errs: Errors, obj: Obj, old: Obj | None) -> None:
    data = string_map(obj, "data", "data") or {}
    binary = mapping(obj, "binaryData", "binaryData") or {}
    for key in sorted(data):
        errs.each(f"data[{key}]", key, config_key_errors(key))
        if key in binary:
            errs.invalid(f"data[{key}]", key, "duplicate of key present in binaryData")
    for key in sorted(binary):
        errs.each(f"binaryData[{key}]", key, config_key_errors(key))
    if defaults.config_map_size(obj) > MAX_SECRET_SIZE:
        errs.too_long("", MAX_SECRET_SIZE)
    if old is not None:
        _immutable_data(errs, obj, old, ("data", "binaryData"))


def _immutable_data(errs: Errors, obj: Obj, old: Obj, keys: tuple[str, ...]) -> None:
    if old.get("immutable") is not True:
        return
    if boolean(obj, "immutable", "immutable") is not True:
        errs.forbidden("immutable", IMMUTABLE_WHEN_SET)
    for key in keys:
        if (obj.get(key) or {}) != (old.get(key) or {}):
            errs.forbidden(key, IMMUTABLE_WHEN_SET)


SECRET_REQUIRED_KEYS: Final = {
    "kubernetes.io/dockercfg": (".dockercfg",),
    "kubernetes.io/dockerconfigjson": (".dockerconfigjson",),
    "kubernetes.io/ssh-auth": ("ssh-privatekey",),
    "kubernetes.io/tls": ("tls.crt", "tls.key"),
}


def _secret(errs: Errors, obj: Obj, old: Obj | None) -> None:
    data = mapping(obj, "data", "data") or {}
    for key in sorted(data):
        errs.each(f"data[{key}]", key, config_key_errors(key))
    if defaults.secret_size(obj) > MAX_SECRET_SIZE:
        errs.too_long("data", MAX_SECRET_SIZE)
    secret_type = text(obj, "type", "type") or ""
    if secret_type == "kubernetes.io/service-account-token":
        annotations = (obj.get("metadata") or {}).get("annotations") or {}
        if not annotations.get("kubernetes.io/service-account.name"):
            errs.required("metadata.annotations[kubernetes.io/service-account.name]")
    elif secret_type == "kubernetes.io/basic-auth":
        if "username" not in data and "password" not in data:
            errs.required("data[username]")
            errs.required("data[password]")
    elif secret_type in SECRET_REQUIRED_KEYS:
        for key in SECRET_REQUIRED_KEYS[secret_type]:
            if key not in data:
                errs.required(f"data[{key}]")
    if old is not None:
        errs.immutable("type", secret_type, old.get("type") or "")
        _immutable_data(errs, obj, old, ("data",))


def _namespace(errs: Errors, obj: Obj, old: Obj | None) -> None:
    spec = mapping(obj, "spec", "spec") or {}
    for finalizer in strings(spec, "finalizers", "spec.finalizers"):
        errs.each("spec.finalizers", finalizer, qualified_name_errors(finalizer))
        kube_finalizer(errs, finalizer, "spec.finalizers")


def _node(errs: Errors, obj: Obj, old: Obj | None) -> None:
    spec = mapping(obj, "spec", "spec") or {}
    seen: dict[str, set[str]] = {}
    for index, taint in enumerate(objects(spec, "taints", "spec.taints")):
        at = f"metadata.taints[{index}]"
        key = text(taint, "key", at + ".key") or ""
        errs.each(at + ".key", key, qualified_name_errors(key))
        value = text(taint, "value", at + ".value") or ""
        messages = label_value_errors(value)
        if messages:
            errs.invalid(at + ".value", value, ";".join(messages))
        effect = text(taint, "effect", at + ".effect") or ""
        if not effect:
            errs.required(at + ".effect")
        elif effect not in TAINT_EFFECTS:
            errs.not_supported(at + ".effect", effect, TAINT_EFFECTS)
        if key in seen.get(effect, set()):
            errs.causes.append(
                Cause(
                    "FieldValueDuplicate",
                    f"Duplicate value: core.Taint{{Key:{go_quote(key)}, Value:{go_quote(value)}, "
                    f"Effect:{go_quote(effect)}}}: taints must be unique by key and effect pair",
                    at,
                )
            )
            continue
        seen.setdefault(effect, set()).add(key)
    if old is not None:
        old_spec = old.get("spec") or {}
        if old_spec.get("podCIDRs") and old_spec.get("podCIDRs") != spec.get("podCIDRs"):
            errs.forbidden("spec.podCIDRs", 'node updates may not change podCIDR except from "" to valid')
        if old_spec.get("providerID") and old_spec.get("providerID") != spec.get("providerID"):
            errs.forbidden("spec.providerID", 'node updates may not change providerID except from "" to valid')


def _service_account(errs: Errors, obj: Obj, old: Obj | None) -> None:
    for index, secret in enumerate(objects(obj, "secrets", "secrets", "v1.ObjectReference")):
        text(secret, "name", f"secrets[{index}].name")
    for index, secret in enumerate(objects(obj, "imagePullSecrets", "imagePullSecrets", "v1.LocalObjectReference")):
        text(secret, "name", f"imagePullSecrets[{index}].name")
    boolean(obj, "automountServiceAccountToken", "automountServiceAccountToken")


# -- apps/v1 ------------------------------------------------------------------------------------------------


def _template_matches(errs: Errors, selector: Obj | None, template: Obj) -> None:
    """The template's labels must be selected (a missing selector selects nothing, an empty one all)."""
    labels = (template.get("metadata") or {}).get("labels")
    if selector is not None and _selector_empty(selector):
        return
    if not selector_matches(selector, labels):
        errs.invalid(
            "spec.template.metadata.labels",
            GoText(go_string_map(labels)),
            "`selector` does not match template `labels`",
        )


def _replica_set_template(errs: Errors, spec: Obj) -> None:
    """``ValidateReplicaSetSpec``'s selector and template part, which Deployments share (messages included)."""
    selector = mapping(spec, "selector", "spec.selector", "v1.LabelSelector")
    if selector is None:
        errs.required("spec.selector")
    else:
        validate_selector(errs, selector, "spec.selector")
        if _selector_empty(selector):
            errs.invalid("spec.selector", go_selector(selector), "empty selector is invalid for deployment")
    template = mapping(spec, "template", "spec.template") or {}
    if selector is not None and not _selector_convertible(selector):
        errs.invalid("spec.selector", go_selector(selector), "invalid label selector")
        return
    _template_matches(errs, selector, template)
    pod_template(errs, template, "spec.template")
    _always_restarts(errs, template, "spec.template", "ReplicaSet")


def _selector_immutable(errs: Errors, obj: Obj, old: Obj | None) -> None:
    if old is None:
        return
    new_selector = (obj.get("spec") or {}).get("selector")
    old_selector = (old.get("spec") or {}).get("selector")
    errs.immutable(
        "spec.selector", _normal_selector(new_selector), _normal_selector(old_selector), go_selector(new_selector)
    )


def _normal_selector(selector: object) -> object:
    """Selectors compared as the apiserver does: empty lists and maps are the same as missing ones."""
    if not isinstance(selector, dict):
        return selector
    return {k: v for k, v in selector.items() if v not in (None, {}, [])}


def _deployment(errs: Errors, obj: Obj, old: Obj | None) -> None:
    spec = mapping(obj, "spec", "spec") or {}
    errs.nonnegative("spec.replicas", integer(spec, "replicas", "spec.replicas"))
    _replica_set_template(errs, spec)
    _deployment_strategy(errs, mapping(spec, "strategy", "spec.strategy") or {})
    min_ready = integer(spec, "minReadySeconds", "spec.minReadySeconds") or 0
    errs.nonnegative("spec.minReadySeconds", min_ready)
    errs.nonnegative("spec.revisionHistoryLimit", integer(spec, "revisionHistoryLimit", "spec.revisionHistoryLimit"))
    deadline = integer(spec, "progressDeadlineSeconds", "spec.progressDeadlineSeconds")
    if deadline is not None:
        errs.nonnegative("spec.progressDeadlineSeconds", deadline)
        if deadline <= min_ready:
            errs.invalid("spec.progressDeadlineSeconds", deadline, "must be greater than minReadySeconds")
    _selector_immutable(errs, obj, old)


def _deployment_strategy(errs: Errors, strategy: Obj) -> None:
    kind = text(strategy, "type", "spec.strategy.type") or ""
    rolling = mapping(strategy, "rollingUpdate", "spec.strategy.rollingUpdate")
    if kind == "Recreate":
        if rolling is not None:
            errs.forbidden("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'")
    elif kind == "RollingUpdate":
        if rolling is None:
            errs.required("spec.strategy.rollingUpdate", "this should be defaulted and never be nil")
            return
        path = "spec.strategy.rollingUpdate"
        unavailable = int_or_string(rolling, "maxUnavailable", path + ".maxUnavailable")
        surge = int_or_string(rolling, "maxSurge", path + ".maxSurge")
        int_or_percent(errs, unavailable, path + ".maxUnavailable")
        int_or_percent(errs, surge, path + ".maxSurge")
        if _int_or_percent_value(unavailable) == 0 and _int_or_percent_value(surge) == 0:
            errs.invalid(path + ".maxUnavailable", go_int_or_string(unavailable), "may not be 0 when `maxSurge` is 0")
        not_over_100(errs, unavailable, path + ".maxUnavailable")
    else:
        shown = GoText(
            f"apps.DeploymentStrategy{{Type:{go_quote(kind)}, RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}}"
        )
        errs.not_supported("spec.strategy", shown, ["Recreate", "RollingUpdate"])


def go_int_or_string(value: int | str | None) -> GoText:
    if isinstance(value, str):
        return GoText(f"intstr.IntOrString{{Type:1, IntVal:0, StrVal:{go_quote(value)}}}")
    return GoText(f'intstr.IntOrString{{Type:0, IntVal:{value or 0}, StrVal:""}}')


def int_or_percent(errs: Errors, value: int | str | None, path: str) -> None:
    """``ValidatePositiveIntOrPercent``."""
    if isinstance(value, str):
        if not re.fullmatch(_PERCENT, value):
            errs.invalid(
                path,
                go_int_or_string(value),
                regex_error(
                    "a valid percent string must be a numeric string followed by an ending '%'", _PERCENT, "1%", "93%"
                ),
            )
    elif value is not None and value < 0:
        errs.invalid(path, value, NEGATIVE)


def _int_or_percent_value(value: int | str | None) -> int:
    if isinstance(value, str):
        return int(value[:-1]) if re.fullmatch(_PERCENT, value) else 0
    return value or 0


def not_over_100(errs: Errors, value: int | str | None, path: str) -> None:
    if isinstance(value, str) and re.fullmatch(_PERCENT, value) and int(value[:-1]) > 100:
        errs.invalid(path, go_int_or_string(value), "must not be greater than 100%")


def _replica_set(errs: Errors, obj: Obj, old: Obj | None) -> None:
    spec = mapping(obj, "spec", "spec") or {}
    errs.nonnegative("spec.replicas", integer(spec, "replicas", "spec.replicas"))
    errs.nonnegative("spec.minReadySeconds", integer(spec, "minReadySeconds", "spec.minReadySeconds"))
    _replica_set_template(errs, spec)
    _selector_immutable(errs, obj, old)


STATEFUL_SET_MUTABLE: Final = (
    "replicas",
    "ordinals",
    "template",
    "updateStrategy",
    "persistentVolumeClaimRetentionPolicy",
    "minReadySeconds",
)


def _stateful_set(errs: Errors, obj: Obj, old: Obj | None) -> None:
    spec = mapping(obj, "spec", "spec") or {}
    policy = text(spec, "podManagementPolicy", "spec.podManagementPolicy") or ""
    if not policy:
        errs.required("spec.podManagementPolicy")
    elif policy not in ("OrderedReady", "Parallel"):
        errs.invalid("spec.podManagementPolicy", policy, "must be 'OrderedReady' or 'Parallel'")
    strategy = mapping(spec, "updateStrategy", "spec.updateStrategy") or {}
    kind = text(strategy, "type", "spec.updateStrategy.type") or ""
    rolling = mapping(strategy, "rollingUpdate", "spec.updateStrategy.rollingUpdate")
    if not kind:
        errs.required("spec.updateStrategy")
    elif kind == "OnDelete":
        if rolling is not None:
            errs.invalid(
                "spec.updateStrategy.rollingUpdate",
                GoText("apps.RollingUpdateStatefulSetStrategy{...}"),
                "only allowed for updateStrategy 'RollingUpdate'",
            )
    elif kind == "RollingUpdate":
        if rolling is not None:
            path = "spec.updateStrategy.rollingUpdate"
            errs.nonnegative(path + ".partition", integer(rolling, "partition", path + ".partition"))
            unavailable = int_or_string(rolling, "maxUnavailable", path + ".maxUnavailable")
            if unavailable is not None:
                int_or_percent(errs, unavailable, path + ".maxUnavailable")
                if _int_or_percent_value(unavailable) == 0:
                    errs.invalid(path + ".maxUnavailable", go_int_or_string(unavailable), "cannot be 0")
                not_over_100(errs, unavailable, path + ".maxUnavailable")
    else:
        errs.invalid(
            "spec.updateStrategy",
            GoText(f"apps.StatefulSetUpdateStrategy{{Type:{go_quote(kind)}}}"),
            "must be 'RollingUpdate' or 'OnDelete'",
        )
    retention = mapping(spec, "persistentVolumeClaimRetentionPolicy", "spec.persistentVolumeClaimRetentionPolicy")
    if retention is not None:
        for key in ("whenDeleted", "whenScaled"):
            value = text(retention, key, f"spec.persistentVolumeClaimRetentionPolicy.{key}") or ""
            if value not in ("Retain", "Delete"):
                errs.not_supported(f"spec.persistentVolumeClaimRetentionPolicy.{key}", value, ["Retain", "Delete"])
    errs.nonnegative("spec.replicas", integer(spec, "replicas", "spec.replicas"))
    errs.nonnegative("spec.minReadySeconds", integer(spec, "minReadySeconds", "spec.minReadySeconds"))
    selector = mapping(spec, "selector", "spec.selector")
    if selector is None:
        errs.required("spec.selector")
    else:
        validate_selector(errs, selector, "spec.selector")
        if _selector_empty(selector):
            errs.invalid("spec.selector", go_selector(selector), "empty selector is invalid for statefulset")
    template = mapping(spec, "template", "spec.template") or {}
    if selector is not None and not _selector_convertible(selector):
        errs.invalid("spec.selector", go_selector(selector), "")
    else:
        _template_matches(errs, selector, template)
        # The apiserver checks only the template's labels and annotations here (its pod spec check is a TODO).
        metadata = template.get("metadata") or {}
        validate_labels(errs, metadata.get("labels"), "spec.template.labels")
        validate_annotations(errs, metadata.get("annotations"), "spec.template.annotations")
    template_spec = template.get("spec") or {}
    if template_spec.get("restartPolicy") != "Always":
        errs.not_supported("spec.template.spec.restartPolicy", template_spec.get("restartPolicy") or "", ["Always"])
    if template_spec.get("activeDeadlineSeconds") is not None:
        errs.forbidden(
            "spec.template.spec.activeDeadlineSeconds", "activeDeadlineSeconds in StatefulSet is not Supported"
        )
    if old is not None:
        old_spec = old.get("spec") or {}
        kept = {k: v for k, v in spec.items() if k not in STATEFUL_SET_MUTABLE}
        before = {k: v for k, v in old_spec.items() if k not in STATEFUL_SET_MUTABLE}
        if (
            _normal_selector(kept.pop("selector", None)) != _normal_selector(before.pop("selector", None))
            or kept != before
        ):
            errs.forbidden(
                "spec",
                "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', "
                "'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
            )


def _daemon_set(errs: Errors, obj: Obj, old: Obj | None) -> None:
    spec = mapping(obj, "spec", "spec") or {}
    selector = mapping(spec, "selector", "spec.selector")
    validate_selector(errs, selector, "spec.selector")
    template = mapping(spec, "template", "spec.template") or {}
    if selector is None or _selector_convertible(selector):
        _template_matches(errs, selector, template)
    if selector is not None and _selector_empty(selector):
        errs.invalid("spec.selector", go_selector(selector), "empty selector is invalid for daemonset")
    pod_template(errs, template, "spec.template")
    _always_restarts(errs, template, "spec.template", "DaemonSet")
    errs.nonnegative("spec.minReadySeconds", integer(spec, "minReadySeconds", "spec.minReadySeconds"))
    strategy = mapping(spec, "updateStrategy", "spec.updateStrategy") or {}
    kind = text(strategy, "type", "spec.updateStrategy.type") or ""
    if kind == "RollingUpdate":
        rolling = mapping(strategy, "rollingUpdate", "spec.updateStrategy.rollingUpdate")
        if rolling is None:
            errs.required("spec.updateStrategy.rollingUpdate")
        else:
            path = "spec.updateStrategy.rollingUpdate"
            unavailable = int_or_string(rolling, "maxUnavailable", path + ".maxUnavailable")
            surge = int_or_string(rolling, "maxSurge", path + ".maxSurge")
            int_or_percent(errs, unavailable, path + ".maxUnavailable")
            int_or_percent(errs, surge, path + ".maxSurge")
            not_over_100(errs, unavailable, path + ".maxUnavailable")
            not_over_100(errs, surge, path + ".maxSurge")
            has_unavailable, has_surge = _int_or_percent_value(unavailable) != 0, _int_or_percent_value(surge) != 0
            if has_unavailable and has_surge:
                errs.invalid(
                    path + ".maxSurge", go_int_or_string(surge), "may not be set when maxUnavailable is non-zero"
                )
            elif not has_unavailable and not has_surge:
                errs.required(path + ".maxUnavailable", "cannot be 0 when maxSurge is 0")
    elif kind != "OnDelete":
        shown = GoText(
            f"apps.DaemonSetUpdateStrategy{{Type:{go_quote(kind)}, RollingUpdate:(*apps.RollingUpdateDaemonSet)(nil)}}"
        )
        errs.not_supported("spec.updateStrategy", shown, ["RollingUpdate", "OnDelete"])
    errs.nonnegative("spec.revisionHistoryLimit", integer(spec, "revisionHistoryLimit", "spec.revisionHistoryLimit"))
    _selector_immutable(errs, obj, old)


# -- batch/v1 -----------------------------------------------------------------------------------------------

CONTROLLER_UID_LABEL: Final = "batch.kubernetes.io/controller-uid"
JOB_NAME_LABEL: Final = "batch.kubernetes.io/job-name"
LEGACY_CONTROLLER_UID_LABEL: Final = "controller-uid"
LEGACY_JOB_NAME_LABEL: Final = "job-name"
CONCURRENCY_POLICIES: Final = ("Allow", "Forbid", "Replace")


def _job(errs: Errors, obj: Obj, old: Obj | None) -> None:
    metadata = obj.get("metadata") or {}
    spec = mapping(obj, "spec", "spec") or {}
    if spec.get("manualSelector") is not True and spec.get("selector") is not None and old is None:
        _generated_selector(errs, metadata, spec)
    job_spec(errs, spec, "spec")
    selector = mapping(spec, "selector", "spec.selector")
    if selector is None:
        errs.required("spec.selector")
    else:
        validate_selector(errs, selector, "spec.selector")
    if selector is None or _selector_convertible(selector):
        labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels")
        if not selector_matches(selector, labels):
            errs.invalid(
                "spec.template.metadata.labels",
                GoText(go_string_map(labels)),
                "`selector` does not match template `labels`",
            )
    completions, mode = spec.get("completions"), spec.get("completionMode")
    name = str(metadata.get("name") or "")
    if mode == "Indexed" and isinstance(completions, int) and completions > 0 and name:
        hostname = f"{name}-{completions - 1}"
        if dns_label_errors(hostname):
            errs.invalid("metadata.name", name, f"will not able to create pod with invalid DNS label: {hostname}")
    if old is not None:
        old_spec = old.get("spec") or {}
        errs.immutable("spec.completions", spec.get("completions"), old_spec.get("completions"))
        new_selector, old_selector = spec.get("selector"), old_spec.get("selector")
        errs.immutable(
            "spec.selector", _normal_selector(new_selector), _normal_selector(old_selector), go_selector(new_selector)
        )
        errs.immutable(
            "spec.template", spec.get("template"), old_spec.get("template"), GoText("core.PodTemplateSpec{...}")
        )
        for key in ("completionMode", "podFailurePolicy", "backoffLimitPerIndex", "managedBy", "successPolicy"):
            errs.immutable(f"spec.{key}", spec.get(key), old_spec.get(key))


def _generated_selector(errs: Errors, metadata: Obj, spec: Obj) -> None:
    """``ValidateGeneratedSelector``: a generated selector names this Job's uid and its pods carry it."""
    uid, name = str(metadata.get("uid") or ""), str(metadata.get("name") or "")
    if not uid:
        errs.required("metadata.uid")
    labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
    for key, expected in (
        (LEGACY_CONTROLLER_UID_LABEL, uid),
        (LEGACY_JOB_NAME_LABEL, name),
        (CONTROLLER_UID_LABEL, uid),
        (JOB_NAME_LABEL, name),
    ):
        if key not in labels:
            errs.required(f"spec.template.metadata.labels[{key}]", f"must be '{expected}'")
        elif labels[key] != expected:
            errs.invalid(
                f"spec.template.metadata.labels[{key}]", GoText(go_string_map(labels)), f"must be '{expected}'"
            )
    selector = spec.get("selector")
    if isinstance(selector, dict) and _selector_convertible(selector):
        expected_labels = {CONTROLLER_UID_LABEL: uid, JOB_NAME_LABEL: name}
        if not selector_matches(selector, expected_labels):
            errs.invalid("spec.selector", go_selector(selector), "`selector` not auto-generated")


def job_spec(errs: Errors, spec: Obj, path: str) -> None:
    """``validateJobSpec``: counts, modes and a pod template that does not restart forever."""
    for key in ("parallelism", "completions", "activeDeadlineSeconds", "backoffLimit", "ttlSecondsAfterFinished"):
        value = spec.get(key)
        errs.nonnegative(f"{path}.{key}", value if isinstance(value, int) else None)
    mode = text(spec, "completionMode", path + ".completionMode")
    if mode is not None:
        if mode not in ("NonIndexed", "Indexed"):
            errs.not_supported(path + ".completionMode", mode, ["NonIndexed", "Indexed"])
        if mode == "Indexed" and spec.get("completions") is None:
            errs.required(path + ".completions", "when completion mode is Indexed")
    replacement = text(spec, "podReplacementPolicy", path + ".podReplacementPolicy")
    if replacement is not None and replacement not in ("TerminatingOrFailed", "Failed"):
        errs.not_supported(path + ".podReplacementPolicy", replacement, ["TerminatingOrFailed", "Failed"])
    template = mapping(spec, "template", path + ".template") or {}
    pod_template(errs, template, path + ".template")
    policy = (template.get("spec") or {}).get("restartPolicy") or ""
    if policy in ("Always", ""):
        errs.required(path + ".template.spec.restartPolicy", 'valid values: "OnFailure", "Never"')
    elif policy not in ("OnFailure", "Never"):
        errs.not_supported(path + ".template.spec.restartPolicy", policy, ["OnFailure", "Never"])
    elif spec.get("podFailurePolicy") is not None and policy != "Never":
        errs.invalid(
            path + ".template.spec.restartPolicy",
            policy,
            'only "Never" is supported when podFailurePolicy is specified',
        )


def _cron_job(errs: Errors, obj: Obj, old: Obj | None) -> None:
    spec = mapping(obj, "spec", "spec") or {}
    old_spec = (old or {}).get("spec") or {}
    schedule = text(spec, "schedule", "spec.schedule") or ""
    time_zone = text(spec, "timeZone", "spec.timeZone")
    if not schedule:
        errs.required("spec.schedule")
    else:
        problem = cron_error(schedule)
        if problem:
            errs.invalid("spec.schedule", schedule, problem)
        allow_tz = "TZ" in str(old_spec.get("schedule") or "")
        if allow_tz and "TZ" in schedule and time_zone is not None:
            errs.invalid("spec.schedule", schedule, "cannot use both timeZone field and TZ or CRON_TZ in schedule")
        elif not allow_tz and "TZ" in schedule:
            errs.invalid("spec.schedule", schedule, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead")
    errs.nonnegative("spec.startingDeadlineSeconds", spec.get("startingDeadlineSeconds"))
    if old is None or time_zone != old_spec.get("timeZone"):
        _time_zone(errs, time_zone)
    policy = text(spec, "concurrencyPolicy", "spec.concurrencyPolicy") or ""
    if not policy:
        errs.required("spec.concurrencyPolicy")
    elif policy not in CONCURRENCY_POLICIES:
        errs.not_supported("spec.concurrencyPolicy", policy, CONCURRENCY_POLICIES)
    job_template = mapping(spec, "jobTemplate", "spec.jobTemplate") or {}
    template_spec = mapping(job_template, "spec", "spec.jobTemplate.spec") or {}
    job_spec(errs, template_spec, "spec.jobTemplate.spec")
    if template_spec.get("selector") is not None:
        errs.invalid(
            "spec.jobTemplate.spec.selector",
            go_selector(template_spec["selector"]),
            "`selector` will be auto-generated",
        )
    if template_spec.get("manualSelector") is True:
        errs.not_supported("spec.jobTemplate.spec.manualSelector", True, ["nil", "false"])
    for key in ("successfulJobsHistoryLimit", "failedJobsHistoryLimit"):
        errs.nonnegative(f"spec.{key}", spec.get(key))


def _time_zone(errs: Errors, zone: str | None) -> None:
    if zone is None:
        return
    if not zone:
        errs.invalid("spec.timeZone", zone, "timeZone must be nil or non-empty string")
        return
    for part in zone.split("/"):
        if part in (".", "..") or part.startswith("-") or not re.fullmatch(r"[A-Za-z\.\-_0-9+]{1,14}", part):
            errs.invalid("spec.timeZone", zone, f"unknown time zone {zone}")
            return
    if zone.lower() == "local":
        errs.invalid(
            "spec.timeZone",
            zone,
            "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones",
        )
        return
    try:
        zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        errs.invalid("spec.timeZone", zone, f"unknown time zone {zone}")


# -- cron schedules (robfig/cron v3's ParseStandard) ------------------------------------------------------------

_CRON_FIELDS: Final = (
    (0, 59, None),
    (0, 23, None),
    (1, 31, None),
    (
        1,
        12,
        {
            m: i + 1
            for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"))
        },
    ),
    (0, 6, {d: i for i, d in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))}),
)
_CRON_DESCRIPTORS: Final = frozenset({"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"})
_GO_DURATION: Final = re.compile(r"[-+]?(?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+|[-+]?0")


def cron_error(schedule: str) -> str:
    """Why ``cron.ParseStandard`` rejects ``schedule`` ("" when it parses), in its words."""
    if not schedule:
        return "empty spec string"
    spec = schedule
    if spec.startswith(("TZ=", "CRON_TZ=")):
        zone, _, spec = spec.partition(" ")
        name = zone.split("=", 1)[1]
        try:
            zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return f"provided bad location {name}: unknown time zone {name}"
        spec = spec.strip()
    fields = spec.split()
    if spec.startswith("@"):
        if spec in _CRON_DESCRIPTORS:
            return ""
        if spec.startswith("@every "):
            duration = spec[len("@every ") :]
            if not _GO_DURATION.fullmatch(duration):
                return f'failed to parse duration {spec}: time: invalid duration "{duration}"'
            return ""
        return f"unrecognized descriptor: {spec}"
    if len(fields) != 5:
        return f"expected exactly 5 fields, found {len(fields)}: [{' '.join(fields)}]"
    for value, bounds in zip(fields, _CRON_FIELDS, strict=True):
        for expression in (part for part in value.split(",") if part):
            problem = _cron_range(expression, *bounds)
            if problem:
                return problem
    return ""


def _cron_range(expression: str, low: int, high: int, names: dict[str, int] | None) -> str:
    range_and_step = expression.split("/")
    low_and_high = range_and_step[0].split("-")
    if low_and_high[0] in ("*", "?"):
        start, end = low, high
    else:
        parsed = _cron_number(low_and_high[0], names)
        if isinstance(parsed, str):
            return parsed
        start = end = parsed
        if len(low_and_high) == 2:
            parsed = _cron_number(low_and_high[1], names)
            if isinstance(parsed, str):
                return parsed
            end = parsed
        elif len(low_and_high) > 2:
            return f"too many hyphens: {expression}"
    step = 1
    if len(range_and_step) == 2:
        parsed = _cron_number(range_and_step[1], None)
        if isinstance(parsed, str):
            return parsed
        step = parsed
        if len(low_and_high) == 1 and low_and_high[0] not in ("*", "?"):
            end = high
    elif len(range_and_step) > 2:
        return f"too many slashes: {expression}"
    if start < low:
        return f"beginning of range ({start}) below minimum ({low}): {expression}"
    if end > high:
        return f"end of range ({end}) above maximum ({high}): {expression}"
    if start > end:
        return f"beginning of range ({start}) beyond end of range ({end}): {expression}"
    if step == 0:
        return f"step of range should be a positive number: {expression}"
    return ""


def _cron_number(value: str, names: dict[str, int] | None) -> int | str:
    if names is not None and value.lower() in names:
        return names[value.lower()]
    if not re.fullmatch(r"[+-]?\d+", value):
        return f"failed to parse int from {value}: strconv.Atoi: parsing {go_quote(value)}: invalid syntax"
    number = int(value)
    if number < 0:
        return f"negative number ({number}) not allowed: {value}"
    return number


# -- the table ----------------------------------------------------------------------------------------------

Rule = Callable[[Errors, Obj, Obj | None], None]

RULES: Final[dict[tuple[str, str], Rule]] = {
    ("", "pods"): _pod,
    ("", "podtemplates"): _pod_template_kind,
    ("", "replicationcontrollers"): _replication_controller,
    ("", "services"): _service,
    ("", "configmaps"): _config_map,
    ("", "secrets"): _secret,
    ("", "namespaces"): _namespace,
    ("", "nodes"): _node,
    ("", "serviceaccounts"): _service_account,
    ("apps", "deployments"): _deployment,
    ("apps", "replicasets"): _replica_set,
    ("apps", "statefulsets"): _stateful_set,
    ("apps", "daemonsets"): _daemon_set,
    ("batch", "jobs"): _job,
    ("batch", "cronjobs"): _cron_job,
}
