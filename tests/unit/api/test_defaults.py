"""Defaulting of the built-in kinds: what a real apiserver adds to what clients send."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from k3py.api import defaults
from k3py.api.registry import Registry

Obj = dict[str, Any]
REGISTRY = Registry.builtin()


def defaulted(group: str, plural: str, obj: Obj) -> Obj:
    rt = REGISTRY.lookup(group, "v1", plural)
    assert rt is not None
    out = copy.deepcopy(obj)
    defaults.apply_defaults(rt, out)
    return out


def container(**extra: Any) -> Obj:
    return {"name": "c", "image": "nginx", **extra}


def pod(**spec: Any) -> Obj:
    return {"metadata": {"name": "p"}, "spec": {"containers": [container()], **spec}}


def template(**spec: Any) -> Obj:
    return {"metadata": {"labels": {"app": "x"}}, "spec": {"containers": [container()], **spec}}


POD_SPEC_DEFAULTS = {
    "dnsPolicy": "ClusterFirst",
    "restartPolicy": "Always",
    "securityContext": {},
    "terminationGracePeriodSeconds": 30,
    "schedulerName": "default-scheduler",
}
CONTAINER_DEFAULTS = {
    "imagePullPolicy": "Always",
    "terminationMessagePath": "/dev/termination-log",
    "terminationMessagePolicy": "File",
}


def test_a_minimal_pod_gets_every_default_a_real_apiserver_writes() -> None:
    spec = defaulted("", "pods", pod())["spec"]
    assert spec == {
        "containers": [{"name": "c", "image": "nginx", **CONTAINER_DEFAULTS}],
        **POD_SPEC_DEFAULTS,
        "enableServiceLinks": True,
    }


def test_a_pod_template_gets_the_pod_spec_defaults_but_not_the_pod_only_ones() -> None:
    limited = container(resources={"limits": {"cpu": "1"}})
    spec = defaulted("", "podtemplates", {"template": {"spec": {"containers": [limited]}}})["template"]["spec"]
    assert spec == {"containers": [{**limited, **CONTAINER_DEFAULTS}], **POD_SPEC_DEFAULTS}


@pytest.mark.parametrize(
    ("image", "policy"),
    [
        ("nginx", "Always"),
        ("nginx:latest", "Always"),
        ("docker.io/library/nginx", "Always"),
        ("localhost:5000/app", "Always"),
        ("nginx:1.25", "IfNotPresent"),
        ("localhost:5000/app:v2", "IfNotPresent"),
        ("nginx@sha256:" + "a" * 64, "IfNotPresent"),
        ("nginx:1.25@sha256:" + "b" * 64, "IfNotPresent"),
        ("", "IfNotPresent"),  # unparseable: no tag found
        ("Upper/Case", "IfNotPresent"),
    ],
)
def test_image_pull_policy_follows_the_tag(image: str, policy: str) -> None:
    spec = defaulted("", "pods", pod(containers=[container(image=image)]))["spec"]
    assert spec["containers"][0]["imagePullPolicy"] == policy


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ({"imagePullPolicy": "Never"}, {"imagePullPolicy": "Never"}),
        ({"terminationMessagePolicy": "FallbackToLogsOnError"}, {"terminationMessagePolicy": "FallbackToLogsOnError"}),
        ({"terminationMessagePath": "/tmp/x"}, {"terminationMessagePath": "/tmp/x"}),
    ],
)
def test_values_the_client_sets_are_kept(given: Obj, kept: Obj) -> None:
    got = defaulted("", "pods", pod(containers=[container(**given)]))["spec"]["containers"][0]
    assert got.items() >= kept.items()


def test_pod_spec_values_the_client_sets_are_kept() -> None:
    spec = defaulted(
        "",
        "pods",
        pod(restartPolicy="Never", dnsPolicy="Default", terminationGracePeriodSeconds=0, enableServiceLinks=False),
    )["spec"]
    assert (spec["restartPolicy"], spec["dnsPolicy"], spec["terminationGracePeriodSeconds"]) == ("Never", "Default", 0)
    assert spec["enableServiceLinks"] is False


def test_requests_default_to_limits_in_quantities_canonical_form() -> None:
    resources = {"limits": {"cpu": "1000m", "memory": "1024Mi"}, "requests": {"memory": "0.5Gi"}}
    got = defaulted("", "pods", pod(containers=[container(resources=resources)]))["spec"]["containers"][0]
    assert got["resources"] == {"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "1", "memory": "512Mi"}}


def test_resource_quantities_are_rounded_up_to_milli_units() -> None:
    resources = {"requests": {"cpu": "0.0001", "memory": 128}}
    got = defaulted("", "pods", pod(containers=[container(resources=resources)]))["spec"]["containers"][0]
    assert got["resources"]["requests"] == {"cpu": "1m", "memory": "128"}


def test_ports_protocols_probes_and_env_field_references() -> None:
    probe = {"httpGet": {"port": 8080}}
    lifecycle = {"preStop": {"httpGet": {"port": "http"}}}
    env = [{"name": "NODE", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}}]
    given = container(ports=[{"containerPort": 80}], livenessProbe=probe, lifecycle=lifecycle, env=env)
    got = defaulted("", "pods", pod(containers=[given]))["spec"]["containers"][0]
    assert got["ports"] == [{"containerPort": 80, "protocol": "TCP"}]
    assert got["livenessProbe"] == {
        "httpGet": {"port": 8080, "path": "/", "scheme": "HTTP"},
        "timeoutSeconds": 1,
        "periodSeconds": 10,
        "successThreshold": 1,
        "failureThreshold": 3,
    }
    assert got["lifecycle"]["preStop"]["httpGet"] == {"port": "http", "path": "/", "scheme": "HTTP"}
    assert got["env"][0]["valueFrom"]["fieldRef"] == {"fieldPath": "spec.nodeName", "apiVersion": "v1"}


def test_host_network_pods_publish_their_container_ports_on_the_host() -> None:
    given = container(ports=[{"containerPort": 80}, {"containerPort": 53, "hostPort": 53, "protocol": "UDP"}])
    pod_ports = defaulted("", "pods", pod(hostNetwork=True, containers=[given]))["spec"]["containers"][0]["ports"]
    assert [p["hostPort"] for p in pod_ports] == [80, 53]
    template_ports = defaulted(
        "apps", "deployments", {"spec": {"template": template(hostNetwork=True, containers=[given])}}
    )
    assert "hostPort" not in template_ports["spec"]["template"]["spec"]["containers"][0]["ports"][0]


@pytest.mark.parametrize(
    ("volume", "expected"),
    [
        ({"name": "v"}, {"name": "v", "emptyDir": {}}),
        ({"name": "v", "configMap": {"name": "c"}}, {"name": "v", "configMap": {"name": "c", "defaultMode": 420}}),
        (
            {"name": "v", "secret": {"secretName": "s", "defaultMode": 256}},
            {"name": "v", "secret": {"secretName": "s", "defaultMode": 256}},
        ),
        ({"name": "v", "hostPath": {"path": "/x"}}, {"name": "v", "hostPath": {"path": "/x", "type": ""}}),
        (
            {"name": "v", "downwardAPI": {"items": [{"path": "n", "fieldRef": {"fieldPath": "metadata.name"}}]}},
            {
                "name": "v",
                "downwardAPI": {
                    "items": [{"path": "n", "fieldRef": {"fieldPath": "metadata.name", "apiVersion": "v1"}}],
                    "defaultMode": 420,
                },
            },
        ),
        (
            {"name": "v", "projected": {"sources": [{"serviceAccountToken": {"path": "t"}}]}},
            {
                "name": "v",
                "projected": {
                    "sources": [{"serviceAccountToken": {"path": "t", "expirationSeconds": 3600}}],
                    "defaultMode": 420,
                },
            },
        ),
        ({"name": "v", "emptyDir": {"sizeLimit": "1024Mi"}}, {"name": "v", "emptyDir": {"sizeLimit": "1Gi"}}),
    ],
)
def test_volume_defaults(volume: Obj, expected: Obj) -> None:
    assert defaulted("", "pods", pod(volumes=[volume]))["spec"]["volumes"] == [expected]


def test_deployment_defaults() -> None:
    spec = defaulted("apps", "deployments", {"spec": {"template": template()}})["spec"]
    assert {k: v for k, v in spec.items() if k != "template"} == {
        "replicas": 1,
        "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}},
        "revisionHistoryLimit": 10,
        "progressDeadlineSeconds": 600,
    }
    assert spec["template"]["spec"]["restartPolicy"] == "Always"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"replicas": 0}, {"replicas": 0}),
        ({"strategy": {"type": "Recreate"}}, {"strategy": {"type": "Recreate"}}),
        (
            {"strategy": {"rollingUpdate": {"maxSurge": 1}}},
            {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": "25%"}}},
        ),
        ({"revisionHistoryLimit": 0}, {"revisionHistoryLimit": 0}),
    ],
)
def test_deployment_fields_the_client_sets_win(given: Obj, expected: Obj) -> None:
    spec = defaulted("apps", "deployments", {"spec": {"template": template(), **given}})["spec"]
    assert {k: spec[k] for k in expected} == expected


def test_replica_set_stateful_set_and_daemon_set_defaults() -> None:
    assert defaulted("apps", "replicasets", {"spec": {"template": template()}})["spec"]["replicas"] == 1
    claim = {"metadata": {"name": "data"}, "spec": {"resources": {"requests": {"storage": "1Gi"}}}}
    sts = defaulted("apps", "statefulsets", {"spec": {"template": template(), "volumeClaimTemplates": [claim]}})["spec"]
    assert {k: v for k, v in sts.items() if k not in ("template", "volumeClaimTemplates")} == {
        "podManagementPolicy": "OrderedReady",
        "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
        "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"},
        "replicas": 1,
        "revisionHistoryLimit": 10,
    }
    assert sts["volumeClaimTemplates"][0]["spec"]["volumeMode"] == "Filesystem"
    assert sts["volumeClaimTemplates"][0]["status"] == {"phase": "Pending"}
    on_delete = defaulted("apps", "statefulsets", {"spec": {"updateStrategy": {"type": "OnDelete"}}})["spec"]
    assert on_delete["updateStrategy"] == {"type": "OnDelete"}
    ds = defaulted("apps", "daemonsets", {"spec": {"template": template()}})["spec"]
    assert ds["updateStrategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}
    assert ds["revisionHistoryLimit"] == 10


@pytest.mark.parametrize(
    ("given", "completions", "parallelism"),
    [
        ({}, 1, 1),
        ({"completions": 5}, 5, 1),
        ({"parallelism": 3}, None, 3),
        ({"completions": 4, "parallelism": 2}, 4, 2),
    ],
)
def test_job_completions_and_parallelism(given: Obj, completions: int | None, parallelism: int) -> None:
    spec = defaulted("batch", "jobs", {"spec": {"template": template(restartPolicy="Never"), **given}})["spec"]
    assert (spec.get("completions"), spec["parallelism"]) == (completions, parallelism)


def test_job_and_cron_job_defaults() -> None:
    job = defaulted("batch", "jobs", {"metadata": {"name": "j"}, "spec": {"template": template(restartPolicy="Never")}})
    assert {k: v for k, v in job["spec"].items() if k != "template"} == {
        "completions": 1,
        "parallelism": 1,
        "backoffLimit": 6,
        "completionMode": "NonIndexed",
        "suspend": False,
        "podReplacementPolicy": "TerminatingOrFailed",
    }
    assert job["metadata"]["labels"] == {"app": "x"}  # a Job without labels takes its template's
    cron = defaulted(
        "batch", "cronjobs", {"spec": {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": template()}}}}
    )
    assert {k: v for k, v in cron["spec"].items() if k not in ("jobTemplate", "schedule")} == {
        "concurrencyPolicy": "Allow",
        "suspend": False,
        "successfulJobsHistoryLimit": 3,
        "failedJobsHistoryLimit": 1,
    }
    job_spec = cron["spec"]["jobTemplate"]["spec"]
    assert "backoffLimit" not in job_spec  # the Job defaults apply to Jobs, not to their templates
    assert job_spec["template"]["spec"]["dnsPolicy"] == "ClusterFirst"


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (
            {"ports": [{"port": 80}]},
            {
                "type": "ClusterIP",
                "sessionAffinity": "None",
                "ports": [{"port": 80, "protocol": "TCP", "targetPort": 80}],
                "internalTrafficPolicy": "Cluster",
                "ipFamilyPolicy": "SingleStack",
                "ipFamilies": ["IPv4"],
            },
        ),
        (
            {"type": "NodePort", "ports": [{"port": 80, "targetPort": "http", "protocol": "UDP"}]},
            {
                "type": "NodePort",
                "sessionAffinity": "None",
                "ports": [{"port": 80, "targetPort": "http", "protocol": "UDP"}],
                "externalTrafficPolicy": "Cluster",
                "internalTrafficPolicy": "Cluster",
                "ipFamilyPolicy": "SingleStack",
                "ipFamilies": ["IPv4"],
            },
        ),
        (
            {"type": "LoadBalancer", "ports": [{"port": 443}]},
            {
                "type": "LoadBalancer",
                "sessionAffinity": "None",
                "ports": [{"port": 443, "protocol": "TCP", "targetPort": 443}],
                "externalTrafficPolicy": "Cluster",
                "internalTrafficPolicy": "Cluster",
                "allocateLoadBalancerNodePorts": True,
                "ipFamilyPolicy": "SingleStack",
                "ipFamilies": ["IPv4"],
            },
        ),
        (
            {"type": "ExternalName", "externalName": "example.com"},
            {"type": "ExternalName", "externalName": "example.com", "sessionAffinity": "None"},
        ),
        (
            {"sessionAffinity": "ClientIP", "ports": [{"port": 80, "targetPort": 0}]},
            {
                "type": "ClusterIP",
                "sessionAffinity": "ClientIP",
                "sessionAffinityConfig": {"clientIP": {"timeoutSeconds": 10800}},
                "ports": [{"port": 80, "protocol": "TCP", "targetPort": 80}],
                "internalTrafficPolicy": "Cluster",
                "ipFamilyPolicy": "SingleStack",
                "ipFamilies": ["IPv4"],
            },
        ),
        (
            {"ports": [{"port": 80}], "sessionAffinityConfig": {"clientIP": {"timeoutSeconds": 5}}},
            {
                "type": "ClusterIP",
                "sessionAffinity": "None",
                "ports": [{"port": 80, "protocol": "TCP", "targetPort": 80}],
                "internalTrafficPolicy": "Cluster",
                "ipFamilyPolicy": "SingleStack",
                "ipFamilies": ["IPv4"],
            },
        ),
    ],
)
def test_service_defaults(spec: Obj, expected: Obj) -> None:
    assert defaulted("", "services", {"spec": spec})["spec"] == expected


def test_secret_string_data_is_merged_into_data_and_never_kept() -> None:
    secret = defaulted("", "secrets", {"data": {"a": "eA==", "b": "eQ=="}, "stringData": {"b": "plain", "c": "z"}})
    assert secret == {"type": "Opaque", "data": {"a": "eA==", "b": "cGxhaW4=", "c": "eg=="}}
    assert defaulted("", "secrets", {"type": "kubernetes.io/tls"})["type"] == "kubernetes.io/tls"


def test_replication_controller_takes_selector_and_labels_from_its_template() -> None:
    rc = defaulted("", "replicationcontrollers", {"metadata": {"name": "r"}, "spec": {"template": template()}})
    assert rc["spec"]["selector"] == {"app": "x"} and rc["metadata"]["labels"] == {"app": "x"}
    assert rc["spec"]["replicas"] == 1
    explicit = defaulted(
        "",
        "replicationcontrollers",
        {
            "metadata": {"name": "r", "labels": {"team": "a"}},
            "spec": {"selector": {"app": "x"}, "template": template()},
        },
    )
    assert explicit["metadata"]["labels"] == {"team": "a"}


def test_claims_volumes_quotas_endpoints_and_limit_ranges() -> None:
    claim = defaulted("", "persistentvolumeclaims", {"spec": {"resources": {"requests": {"storage": "1024Mi"}}}})
    assert claim["spec"] == {"volumeMode": "Filesystem", "resources": {"requests": {"storage": "1Gi"}}}
    volume = defaulted("", "persistentvolumes", {"spec": {"capacity": {"storage": "1Gi"}, "hostPath": {"path": "/d"}}})
    assert volume["spec"]["persistentVolumeReclaimPolicy"] == "Retain" and volume["spec"]["volumeMode"] == "Filesystem"
    assert volume["spec"]["hostPath"]["type"] == ""
    quota = defaulted("", "resourcequotas", {"spec": {"hard": {"cpu": "2000m"}}})
    assert quota["spec"]["hard"] == {"cpu": "2"}
    endpoints = defaulted("", "endpoints", {"subsets": [{"ports": [{"port": 80}]}]})
    assert endpoints["subsets"][0]["ports"] == [{"port": 80, "protocol": "TCP"}]
    limits = defaulted(
        "", "limitranges", {"spec": {"limits": [{"type": "Container", "max": {"cpu": "2"}, "min": {"memory": "1Mi"}}]}}
    )
    item = limits["spec"]["limits"][0]
    assert item["default"] == {"cpu": "2"} and item["defaultRequest"] == {"cpu": "2", "memory": "1Mi"}


def test_kinds_without_defaults_and_custom_resources_are_untouched() -> None:
    cm = {"metadata": {"name": "c"}, "data": {"a": "b"}}
    assert defaulted("", "configmaps", cm) == cm
    lease = {"spec": {"holderIdentity": "x"}}
    assert defaulted("coordination.k8s.io", "leases", lease) == lease


@pytest.mark.parametrize(
    ("plural", "obj", "message"),
    [
        ("pods", {"spec": []}, "json: cannot unmarshal array into Go struct field {kind}.spec of type struct"),
        (
            "pods",
            {"spec": {"containers": "c"}},
            "json: cannot unmarshal string into Go struct field {kind}.spec.containers of type []v1.Container",
        ),
        (
            "pods",
            {"spec": {"containers": [{"name": "c", "image": 5}]}},
            "json: cannot unmarshal number into Go struct field {kind}.spec.containers.image of type string",
        ),
        (
            "pods",
            {"spec": {"containers": [{"name": "c", "resources": {"limits": {"cpu": "lots"}}}]}},
            "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
        ),
        (
            "pods",
            {"spec": {"containers": [{"name": "c", "resources": {"limits": {"cpu": "1Kii"}}}]}},
            "unable to parse quantity's suffix",
        ),
        (
            "pods",
            {"spec": {"containers": [{"name": "c", "resources": {"limits": {"cpu": "1Z"}}}]}},
            "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
        ),
        ("secrets", {"data": {"a": "not base64!"}}, "illegal base64 data at input byte 3"),
        ("secrets", {"data": {"a": "abc"}}, "illegal base64 data at input byte 0"),
        (
            "services",
            {"spec": {"ports": [{"port": 80, "targetPort": 1.5}]}},
            "json: cannot unmarshal number 1.5 into Go value of type intstr.IntOrString",
        ),
        (
            "pods",
            {"spec": {"terminationGracePeriodSeconds": True}},
            "json: cannot unmarshal bool into Go struct field {kind}.spec.terminationGracePeriodSeconds of type int64",
        ),
    ],
)
def test_values_that_cannot_decode_are_malformed(plural: str, obj: Obj, message: str) -> None:
    with pytest.raises(defaults.Malformed) as caught:
        defaulted("", plural, obj)
    assert caught.value.message == message


def test_decode_errors_name_the_kind_and_version() -> None:
    rt = REGISTRY.lookup("", "v1", "pods")
    assert rt is not None
    error = defaults.decode_error(rt, defaults.Malformed("json: x into Go struct field {kind}.spec of type y"))
    assert error.code == 400
    assert (
        error.message
        == 'Pod in version "v1" cannot be handled as a Pod: json: x into Go struct field Pod.spec of type y'
    )


def test_whole_numbers_sent_as_floats_are_integers() -> None:
    spec = defaulted("apps", "deployments", {"spec": {"replicas": 3.0, "template": template()}})["spec"]
    assert spec["replicas"] == 3 and isinstance(spec["replicas"], int)
