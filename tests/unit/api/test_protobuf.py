"""Kubernetes protobuf bodies decoded into the JSON objects JSON clients send.

Golden bodies are what kubectl v1.37.1 really sent (data/kubectl_protobuf.json); the wire-format
edge cases are built here with a minimal encoder, since kubectl's generators never produce them.
"""

from __future__ import annotations

import base64
import json
import struct
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from k3py.api import protobuf
from k3py.api.app import Request
from k3py.api.registry import Registry
from k3py.core import errors

GOLDEN = json.loads((Path(__file__).parent / "data" / "kubectl_protobuf.json").read_text())["bodies"]
META = "k8s.io.apimachinery.pkg.apis.meta.v1"


# --- a minimal encoder ----------------------------------------------------------------------------


def varint(value: int) -> bytes:
    value &= (1 << 64) - 1  # negative numbers: two's complement over 64 bits, ten bytes
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def key(number: int, wire: int) -> bytes:
    return varint(number << 3 | wire)


def vint(number: int, value: int) -> bytes:
    return key(number, 0) + varint(value)


def ld(number: int, payload: bytes | str) -> bytes:
    data = payload.encode() if isinstance(payload, str) else payload
    return key(number, 2) + varint(len(data)) + data


def f64(number: int, value: float) -> bytes:
    return key(number, 1) + struct.pack("<d", value)


def entry(number: int, k: str, value: bytes) -> bytes:
    """One map entry: key as field 1, ``value`` already encoded as field 2."""
    return ld(number, ld(1, k) + value)


def envelope(api_version: str, kind: str, raw: bytes, *, content_type: str = "", encoding: str = "") -> bytes:
    type_meta = ld(1, api_version) + ld(2, kind)
    return b"k8s\x00" + ld(1, type_meta) + ld(2, raw) + ld(3, encoding) + ld(4, content_type)


def metadata(name: str) -> bytes:
    return ld(1, ld(1, name))


def deployment(spec: bytes, extra: bytes = b"") -> dict[str, Any]:
    return protobuf.decode(envelope("apps/v1", "Deployment", metadata("d") + ld(2, spec) + extra))


# --- what kubectl really sends --------------------------------------------------------------------


@pytest.mark.parametrize("case", GOLDEN, ids=[case["name"] for case in GOLDEN])
def test_kubectl_bodies_decode_to_their_json_objects(case: dict[str, Any]) -> None:
    assert protobuf.decode(base64.b64decode(case["body"])) == case["object"]


def test_golden_bodies_cover_the_generators() -> None:
    kinds = {case["object"]["kind"] for case in GOLDEN}
    assert {"Deployment", "ConfigMap", "Secret", "Namespace", "Service", "Job", "CronJob", "ServiceAccount"} <= kinds
    assert {"Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding", "TokenRequest"} <= kinds


def test_kubectl_deployment_keeps_zero_replicas_and_drops_go_zero_values() -> None:
    (case,) = [c for c in GOLDEN if c["name"] == "deployment"]
    obj = protobuf.decode(base64.b64decode(case["body"]))
    assert obj["spec"]["replicas"] == 0  # a pointer set to 0 on purpose
    container = obj["spec"]["template"]["spec"]["containers"][0]
    # Go wrote hostPort 0, protocol "", terminationMessagePath "" ...: none of it is in the JSON.
    assert container == {"name": "nginx", "image": "nginx", "ports": [{"containerPort": 8080}], "resources": {}}
    assert "creationTimestamp" not in obj["metadata"]  # a zero time, written as an empty message


def test_kubectl_secret_data_is_base64_and_service_ports_are_int_or_string() -> None:
    bodies = {c["name"]: protobuf.decode(base64.b64decode(c["body"])) for c in GOLDEN}
    assert base64.b64decode(bodies["secret"]["data"]["pw"]).decode() == "s3cr\u00e9t"
    ports = bodies["service"]["spec"]["ports"]
    assert [p["targetPort"] for p in ports] == [8080, "https"]
    assert bodies["configmap"]["data"] == {"a": "b", "empty": ""}  # map values stay, even empty
    assert bodies["quota"]["spec"]["hard"] == {"cpu": "1", "memory": "1Gi", "pods": "10"}


# --- the wire format ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "decoded"),
    [(0, 0), (1, 1), (127, 127), (128, 128), (300, 300), (2**31 - 1, 2**31 - 1), (-1, -1), (-(2**31), -(2**31))],
)
def test_int32_varints_including_negative_ten_byte_ones(value: int, decoded: int) -> None:
    # DeploymentSpec.replicas (3 is minReadySeconds, int32 non-pointer, kept when 0 only without omitempty)
    assert deployment(vint(1, value))["spec"]["replicas"] == decoded
    if value < 0:
        assert len(varint(value)) == 10


@pytest.mark.parametrize("value", [0, 1, 2**40, 2**63 - 1, -1, -(2**63)])
def test_int64_varints(value: int) -> None:
    # PodSpec.activeDeadlineSeconds is an int64 pointer
    pod = protobuf.decode(envelope("v1", "Pod", metadata("p") + ld(2, vint(5, value))))
    assert pod["spec"]["activeDeadlineSeconds"] == value


def test_int32_takes_the_low_32_bits_of_a_64_bit_varint() -> None:
    # Go truncates an int32 read from a wider varint; so does the decoder
    assert deployment(vint(1, 2**32 + 5))["spec"]["replicas"] == 5


def test_varint_longer_than_ten_bytes_is_a_bad_request() -> None:
    with pytest.raises(errors.BadRequest, match="longer than 10 bytes"):
        deployment(key(1, 0) + b"\xff" * 10 + b"\x01")


def test_packed_and_unpacked_repeated_scalars() -> None:
    message = "k8s.io.api.core.v1.PodPortForwardOptions"  # repeated int32 ports = 1
    packed = ld(1, varint(80) + varint(443) + varint(-1))
    assert protobuf.decode_message(packed, message) == {"ports": [80, 443, -1]}
    unpacked = vint(1, 80) + vint(1, 443)
    assert protobuf.decode_message(unpacked, message) == {"ports": [80, 443]}
    assert protobuf.decode_message(packed + vint(1, 8080), message) == {"ports": [80, 443, -1, 8080]}
    assert protobuf.decode_message(ld(1, b""), message) == {}  # an empty packed list


def test_doubles() -> None:
    schema = "k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps"
    assert protobuf.decode_message(f64(9, 2.5) + f64(11, -1.0), schema) == {"maximum": 2.5, "minimum": -1.0}
    assert protobuf.decode_message(f64(9, 0.0), schema) == {"maximum": 0.0}  # a pointer: zero kept
    with pytest.raises(errors.BadRequest, match="JSON cannot hold"):
        protobuf.decode_message(f64(9, float("nan")), schema)


def test_nested_messages_and_inlined_embedded_structs() -> None:
    probe = ld(1, ld(1, ld(1, "ls"))) + vint(2, 5)  # Probe{ProbeHandler{exec{command}} inline, initialDelay}
    container = ld(1, "c") + ld(2, "img") + ld(10, probe)
    volume = ld(1, "cache") + ld(2, ld(2, b""))  # Volume{name, VolumeSource{emptyDir{}} inline}
    pod_spec = ld(1, volume) + ld(2, container)
    obj = deployment(ld(3, ld(1, ld(11, ld(1, "app") + ld(2, "x"))) + ld(2, pod_spec)))
    template = obj["spec"]["template"]
    assert template["metadata"] == {"labels": {"app": "x"}}
    assert template["spec"]["volumes"] == [{"name": "cache", "emptyDir": {}}]
    assert template["spec"]["containers"] == [
        {"name": "c", "image": "img", "livenessProbe": {"exec": {"command": ["ls"]}, "initialDelaySeconds": 5}}
    ]


def test_a_singular_message_seen_twice_is_merged_and_a_scalar_seen_twice_is_the_last() -> None:
    obj = protobuf.decode(
        envelope("v1", "ConfigMap", ld(1, ld(1, "first")) + ld(1, ld(3, "ns")) + ld(1, ld(1, "second")))
    )
    assert obj["metadata"] == {"name": "second", "namespace": "ns"}


def test_maps_of_strings_bytes_and_messages() -> None:
    secret = protobuf.decode(
        envelope(
            "v1",
            "Secret",
            metadata("s") + entry(2, "bin", ld(2, b"\x00\xff")) + entry(2, "none", b"") + entry(4, "plain", ld(2, "x")),
        )
    )
    assert secret["data"] == {"bin": "AP8=", "none": ""}
    assert secret["stringData"] == {"plain": "x"}
    quota = protobuf.decode(envelope("v1", "ResourceQuota", metadata("q") + ld(2, entry(1, "cpu", ld(2, ld(1, "2"))))))
    assert quota["spec"] == {"hard": {"cpu": "2"}}
    # a map entry whose key comes after its value, and an empty map entry
    cm = protobuf.decode(envelope("v1", "ConfigMap", ld(2, ld(2, "v") + ld(1, "k")) + ld(2, b"")))
    assert cm["data"] == {"k": "v", "": ""}


def test_unknown_fields_of_every_wire_type_are_skipped() -> None:
    unknown = vint(900, 7) + ld(901, b"\x01\x02") + key(902, 1) + b"\0" * 8 + key(903, 5) + b"\0" * 4
    body = unknown + ld(1, unknown + ld(1, "cm") + unknown) + ld(2, unknown + ld(1, "k") + unknown + ld(2, "v"))
    obj = protobuf.decode(envelope("v1", "ConfigMap", body))
    assert obj == {"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": "cm"}, "data": {"k": "v"}}


def test_unknown_envelope_fields_are_skipped() -> None:
    body = envelope("v1", "Namespace", metadata("n")) + vint(50, 1)
    assert protobuf.decode(body)["metadata"] == {"name": "n"}


# --- which fields appear --------------------------------------------------------------------------


def test_pointer_zero_values_are_kept() -> None:
    pvc_spec = ld(5, "") + ld(6, "Filesystem")  # storageClassName "" (no class) is a *string
    pvc = protobuf.decode(envelope("v1", "PersistentVolumeClaim", metadata("c") + ld(2, pvc_spec)))
    assert pvc["spec"] == {"storageClassName": "", "volumeMode": "Filesystem"}
    secret = protobuf.decode(envelope("v1", "Secret", metadata("s") + vint(5, 0)))
    assert secret["immutable"] is False


def test_non_pointer_zero_values_follow_omitempty() -> None:
    # ContainerPort: name "" (omitempty), hostPort 0 (omitempty), containerPort 0 (no omitempty)
    port = ld(1, "") + vint(2, 0) + vint(3, 0) + ld(4, "TCP")
    container = ld(1, "c") + ld(6, port) + vint(16, 0)  # stdin false (omitempty)
    obj = deployment(ld(3, ld(2, ld(2, container))))
    assert obj["spec"]["template"]["spec"]["containers"] == [
        {"name": "c", "ports": [{"containerPort": 0, "protocol": "TCP"}]}
    ]
    # ServicePort.port has no omitempty: 0 stays; a zero targetPort (omitempty IntOrString) goes
    service_port = ld(1, "p") + vint(3, 0) + ld(4, vint(1, 0) + vint(2, 0) + ld(3, ""))
    svc = protobuf.decode(envelope("v1", "Service", metadata("s") + ld(2, ld(1, service_port))))
    assert svc["spec"]["ports"] == [{"name": "p", "port": 0}]


def test_empty_lists_strings_and_objects() -> None:
    obj = protobuf.decode(envelope("v1", "Namespace", ld(1, ld(1, "n") + ld(2, "")) + ld(2, b"") + ld(3, b"")))
    assert obj == {"kind": "Namespace", "apiVersion": "v1", "metadata": {"name": "n"}, "spec": {}, "status": {}}


# --- special types --------------------------------------------------------------------------------


def test_times() -> None:
    meta = ld(1, "n") + ld(8, vint(1, 1_700_000_000) + vint(2, 123_456_789)) + ld(9, b"")
    obj = protobuf.decode(envelope("v1", "Namespace", ld(1, meta)))
    # Time is whole seconds (its JSON has no fraction); a zero time (empty message) is left out
    assert obj["metadata"] == {"name": "n", "creationTimestamp": "2023-11-14T22:13:20Z"}
    epoch = protobuf.decode(envelope("v1", "Namespace", ld(1, ld(8, vint(1, 0)))))
    assert epoch["metadata"] == {"creationTimestamp": "1970-01-01T00:00:00Z"}
    before = protobuf.decode(envelope("v1", "Namespace", ld(1, ld(8, vint(1, -1)))))
    assert before["metadata"] == {"creationTimestamp": "1969-12-31T23:59:59Z"}
    early = protobuf.decode(envelope("v1", "Namespace", ld(1, ld(8, vint(1, -62135596799)))))
    assert early["metadata"] == {"creationTimestamp": "0001-01-01T00:00:01Z"}


def test_micro_times() -> None:
    spec = ld(1, "holder") + ld(4, vint(1, 1_700_000_000) + vint(2, 123_456_789))
    lease = protobuf.decode(envelope("coordination.k8s.io/v1", "Lease", metadata("l") + ld(2, spec)))
    assert lease["spec"] == {"holderIdentity": "holder", "renewTime": "2023-11-14T22:13:20.123456Z"}


def test_a_time_out_of_range_is_a_bad_request() -> None:
    with pytest.raises(errors.BadRequest, match="out of range"):
        protobuf.decode(envelope("v1", "Namespace", ld(1, ld(8, vint(1, 2**62)))))


def test_int_or_string() -> None:
    spec = ld(1, ld(1, "p") + vint(3, 80) + ld(4, vint(1, 1) + ld(3, "http")))
    spec += ld(1, ld(1, "q") + vint(3, 81) + ld(4, vint(2, 8081)))
    svc = protobuf.decode(envelope("v1", "Service", metadata("s") + ld(2, spec)))
    assert [p["targetPort"] for p in svc["spec"]["ports"]] == ["http", 8081]
    pdb = protobuf.decode(envelope("policy/v1", "PodDisruptionBudget", metadata("b") + ld(2, ld(1, vint(2, 0)))))
    assert pdb["spec"] == {"minAvailable": 0}  # a pointer: zero kept


def test_quantities() -> None:
    resources = entry(1, "cpu", ld(2, ld(1, "500m"))) + entry(1, "memory", ld(2, b""))
    obj = deployment(ld(3, ld(2, ld(2, ld(1, "c") + ld(8, resources)))))
    assert obj["spec"]["template"]["spec"]["containers"][0]["resources"] == {"limits": {"cpu": "500m", "memory": "0"}}


def test_raw_extensions_hold_json_or_an_embedded_protobuf_object() -> None:
    data = ld(1, json.dumps({"spec": {"a": [1, 2]}}))
    revision = protobuf.decode(envelope("apps/v1", "ControllerRevision", metadata("r") + ld(2, data) + vint(3, 2)))
    assert revision["data"] == {"spec": {"a": [1, 2]}}
    assert revision["revision"] == 2
    inner = envelope("v1", "ConfigMap", metadata("inner"))
    event = protobuf.decode(envelope("meta.k8s.io/v1", "WatchEvent", ld(1, "ADDED") + ld(2, ld(1, inner))))
    assert event == {
        "kind": "WatchEvent",
        "apiVersion": "meta.k8s.io/v1",
        "type": "ADDED",
        "object": {"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": "inner"}},
    }
    with pytest.raises(errors.BadRequest, match="no valid JSON"):
        protobuf.decode(envelope("apps/v1", "ControllerRevision", ld(2, ld(1, "{nope"))))


def test_managed_fields_and_fields_v1() -> None:
    fields = {"f:data": {"f:a": {}}}
    managed = ld(1, "kubectl") + ld(2, "Update") + ld(3, "v1") + ld(6, "FieldsV1") + ld(7, ld(1, json.dumps(fields)))
    cm = protobuf.decode(envelope("v1", "ConfigMap", ld(1, ld(1, "cm") + ld(17, managed))))
    assert cm["metadata"]["managedFields"] == [
        {"manager": "kubectl", "operation": "Update", "apiVersion": "v1", "fieldsType": "FieldsV1", "fieldsV1": fields}
    ]


def test_slice_wrappers_are_plain_lists() -> None:
    user = ld(1, "alice") + entry(4, "scopes", ld(2, ld(1, "a") + ld(1, "b")))
    review = protobuf.decode(envelope("authentication.k8s.io/v1", "TokenReview", ld(3, vint(1, 1) + ld(2, user))))
    assert review["status"] == {"authenticated": True, "user": {"username": "alice", "extra": {"scopes": ["a", "b"]}}}


def test_json_schema_props_special_forms() -> None:
    schema = "k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps"
    # type 5, items 24 (OrArray), additionalProperties 30 (OrBool), default 8 (JSON), enum 20 (repeated JSON)
    nested = ld(5, "string")
    body = ld(5, "object") + ld(30, vint(1, 0)) + ld(24, ld(1, nested)) + ld(8, ld(1, '{"a":1}'))
    body += ld(20, ld(1, '"x"')) + ld(20, ld(1, "null")) + ld(20, b"")
    decoded = protobuf.decode_message(body, schema)
    assert decoded == {
        "type": "object",
        "default": {"a": 1},
        "enum": ["x", None, None],
        "items": {"type": "string"},
        "additionalProperties": False,
    }
    with_schema = protobuf.decode_message(ld(30, vint(1, 1) + ld(2, nested)), schema)
    assert with_schema == {"additionalProperties": {"type": "string"}}
    allowed = protobuf.decode_message(ld(30, vint(1, 1)), schema)
    assert allowed == {"additionalProperties": True}
    as_array = protobuf.decode_message(ld(24, ld(2, nested) + ld(2, ld(6, "int32"))), schema)
    assert as_array == {"items": [{"type": "string"}, {"format": "int32"}]}
    # dependencies 32: map<string, JSONSchemaPropsOrStringArray>; $ref 3 keeps its JSON name
    deps = protobuf.decode_message(
        entry(32, "a", ld(2, ld(2, "b") + ld(2, "c"))) + entry(32, "d", b"") + ld(3, "#/x"), schema
    )
    assert deps == {"$ref": "#/x", "dependencies": {"a": ["b", "c"], "d": None}}


@pytest.mark.parametrize(
    ("nanoseconds", "text"),
    [
        (0, "0s"),
        (1, "1ns"),
        (1_500, "1.5\u00b5s"),
        (1_000_000, "1ms"),
        (1_500_000_000, "1.5s"),
        (60_000_000_000, "1m0s"),
        (3_600_000_000_000, "1h0m0s"),
        (3_723_000_000_001, "1h2m3.000000001s"),
        (-90_000_000_000, "-1m30s"),
    ],
)
def test_go_durations(nanoseconds: int, text: str) -> None:
    assert protobuf.go_duration(nanoseconds) == text


# --- types and envelopes --------------------------------------------------------------------------


def test_options_kinds_of_any_group_version_are_meta_v1s() -> None:
    options = protobuf.decode(envelope("apps/v1", "DeleteOptions", vint(1, 0) + ld(4, "Foreground")))
    assert options == {
        "kind": "DeleteOptions",
        "apiVersion": "apps/v1",
        "gracePeriodSeconds": 0,
        "propagationPolicy": "Foreground",
    }


def test_every_built_in_resource_has_a_message() -> None:
    tables = protobuf.tables()
    missing = [
        f"{rt.api_version} {rt.kind}"
        for rt in Registry.builtin().resources()
        if not rt.virtual and tables.message_for(rt.api_version, rt.kind) is None
    ]
    assert missing == []


def test_every_referenced_type_has_a_table() -> None:
    tables = protobuf.tables()
    scalars = {"string", "bytes", "bool", "int32", "int64", "uint32", "uint64", "double", "float"}
    for message, fields in tables.raw.items():
        for name, type_, _flags in fields.values():
            assert type_ in scalars or type_ in tables.raw, f"{message}.{name}: {type_}"
    assert set(tables.sources) == {
        "k8s.io/api",
        "k8s.io/apimachinery",
        "k8s.io/apiextensions-apiserver",
        "k8s.io/kube-aggregator",
    }


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "must start with the magic"),
        (b'{"kind": "Pod"}', "must start with the magic"),
        (b"k8s\x00", "names no apiVersion and kind"),
        (b"k8s\x00" + ld(2, b""), "names no apiVersion and kind"),
        (envelope("v1", "Pod", b"", encoding="gzip"), "content encoding 'gzip'"),
        (envelope("v1", "Pod", b"", content_type="application/json"), "not application/vnd.kubernetes.protobuf"),
        (b"k8s\x00" + key(1, 2) + varint(100) + b"abc", "truncated"),
        (b"k8s\x00" + key(1, 0) + b"\x80", r"truncated \(in a varint\)"),
        (envelope("v1", "ConfigMap", ld(1, b"\x0a\x05ab")), "truncated"),
        (envelope("v1", "ConfigMap", key(1, 3)), "start-group"),
        (envelope("v1", "ConfigMap", key(1, 7)), "wire type 7"),
        (envelope("v1", "ConfigMap", key(1, 5) + b"\0\0"), "truncated"),
        (envelope("v1", "ConfigMap", key(0, 0) + b"\0"), "field number 0"),
        (envelope("v1", "ConfigMap", vint(1, 5)), "ObjectMeta|metadata"),
        (envelope("v1", "ConfigMap", ld(1, vint(1, 5))), "ObjectMeta.name \\(string\\) has wire type varint"),
    ],
)
def test_malformed_bodies_are_bad_requests(body: bytes, message: str) -> None:
    with pytest.raises(errors.BadRequest, match=message):
        protobuf.decode(body)


@pytest.mark.parametrize("case", GOLDEN[:6], ids=[case["name"] for case in GOLDEN[:6]])
def test_a_real_body_cut_anywhere_is_a_bad_request_or_a_part_of_the_object(case: dict[str, Any]) -> None:
    body = base64.b64decode(case["body"])
    outcomes = []
    for end in range(len(body)):
        try:
            obj = protobuf.decode(body[:end])
        except errors.BadRequest:
            outcomes.append("400")
        else:
            # a cut right after a complete field: the fields before it, nothing made up
            assert set(obj) <= set(case["object"])
            outcomes.append("partial")
    assert outcomes.count("400") > len(body) // 2


@given(st.binary(max_size=300), st.sampled_from(["v1 ConfigMap", "apps/v1 Deployment", "v1 Pod", "v1 Service"]))
@settings(max_examples=300, deadline=None)
def test_random_messages_are_objects_or_bad_requests(raw: bytes, type_: str) -> None:
    api_version, kind = type_.split()
    try:
        obj = protobuf.decode(envelope(api_version, kind, raw))
    except errors.BadRequest:
        return
    assert obj["kind"] == kind
    json.dumps(obj, allow_nan=False)  # whatever decodes is storable JSON


def test_deep_nesting_is_a_bad_request() -> None:
    schema = "k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps"
    body = ld(5, "leaf")
    for _ in range(protobuf.MAX_DEPTH + 5):
        body = ld(24, ld(1, body))  # items: {schema: ...}
    with pytest.raises(errors.BadRequest, match="nested more than"):
        protobuf.decode_message(body, schema)
    # envelopes in RawExtensions count too: a watch event holding a watch event holding ...
    event = envelope("v1", "ConfigMap", metadata("leaf"))
    for _ in range(protobuf.MAX_DEPTH):
        event = envelope("meta.k8s.io/v1", "WatchEvent", ld(1, "ADDED") + ld(2, ld(1, event)))
    with pytest.raises(errors.BadRequest, match="nested more than"):
        protobuf.decode(event)


def test_kinds_without_a_message_are_unsupported_media() -> None:
    with pytest.raises(errors.UnsupportedMediaType, match=r"Widget of example\.com/v1 cannot be sent as protobuf"):
        protobuf.decode(envelope("example.com/v1", "Widget", b""))
    with pytest.raises(errors.UnsupportedMediaType, match="Nothing of apps/v1"):
        protobuf.decode(envelope("apps/v1", "Nothing", b""))


def test_invalid_utf8_becomes_the_replacement_character() -> None:
    obj = protobuf.decode(envelope("v1", "ConfigMap", metadata("cm") + entry(2, "k", ld(2, b"a\xffb"))))
    assert obj["data"] == {"k": "a\ufffdb"}


# --- the request hook -----------------------------------------------------------------------------


def request(content_type: str, body: bytes) -> Request:
    async def receive() -> dict[str, Any]:  # pragma: no cover - the body is given
        raise AssertionError("not read")

    return Request("POST", "/api/v1/namespaces", {}, {"content-type": content_type}, receive, body_bytes=body)


async def test_request_object_decodes_protobuf_bodies() -> None:
    (case,) = [c for c in GOLDEN if c["name"] == "namespace"]
    req = request("application/vnd.kubernetes.protobuf", base64.b64decode(case["body"]))
    assert await req.object() == case["object"]


async def test_request_object_rejects_a_malformed_protobuf_body_with_400() -> None:
    req = request("application/vnd.kubernetes.protobuf", b"k8s\x00" + key(1, 2) + varint(9))
    with pytest.raises(errors.BadRequest, match="truncated"):
        await req.object()


async def test_unknown_media_types_are_415_naming_the_accepted_ones() -> None:
    with pytest.raises(errors.UnsupportedMediaType) as info:
        await request("application/cbor", b"\xa0").object()
    assert "application/json, application/yaml, application/vnd.kubernetes.protobuf" in info.value.message
