"""Field ownership for server-side apply, checked on Kubernetes' real schemas.

The expected FieldsV1 shapes and conflict messages are what a Kubernetes apiserver answers for
the same requests.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from k3py.api.openapi import Schemas
from k3py.core import errors
from k3py.core.managedfields import (
    BEFORE_FIRST_APPLY,
    LAST_APPLIED,
    Write,
    apply,
    decode_fields,
    encode_fields,
    leaves,
    merge,
    owners,
    to_string,
    track_update,
)
from k3py.core.patch import DictSchema

Obj = dict[str, Any]
NOW = "2026-11-23T10:00:00Z"
LATER = "2026-11-23T11:00:00Z"


def schema(name: str) -> DictSchema:
    return DictSchema.from_definitions(Schemas.builtin().definitions, name)


DEPLOYMENT = schema("io.k8s.api.apps.v1.Deployment")
CONFIGMAP = schema("io.k8s.api.core.v1.ConfigMap")


def write(manager: str, *, now: str = NOW, status: bool = False, subresource: str = "") -> Write:
    return Write.of(manager, "apps/v1", now, has_status=status, subresource=subresource)


def deployment(replicas: int = 2, image: str = "nginx:1", **extra: Any) -> Obj:
    obj: Obj = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"app": "web"}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "nginx", "image": image, "ports": [{"containerPort": 80}]}]},
            },
        },
    }
    obj["spec"].update(extra)
    return obj


def configmap(**data: str) -> Obj:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}, "data": data}


def test_an_applied_deployment_owns_the_fields_kubernetes_lists() -> None:
    obj = apply(None, deployment(), DEPLOYMENT, write("kubectl"))
    (entry,) = obj["metadata"]["managedFields"]
    assert entry == {
        "manager": "kubectl",
        "operation": "Apply",
        "apiVersion": "apps/v1",
        "time": NOW,
        "fieldsType": "FieldsV1",
        "fieldsV1": {
            "f:metadata": {"f:labels": {"f:app": {}}},
            "f:spec": {
                "f:replicas": {},
                "f:selector": {},  # a LabelSelector is atomic
                "f:template": {
                    "f:metadata": {"f:labels": {"f:app": {}}},
                    "f:spec": {
                        "f:containers": {
                            'k:{"name":"nginx"}': {
                                ".": {},
                                "f:image": {},
                                "f:name": {},
                                "f:ports": {
                                    'k:{"containerPort":80,"protocol":"TCP"}': {".": {}, "f:containerPort": {}}
                                },
                            }
                        }
                    },
                },
            },
        },
    }


def test_fields_v1_round_trips() -> None:
    paths = set(leaves(deployment(), DEPLOYMENT))
    assert decode_fields(encode_fields(paths)) == paths


def test_paths_print_as_the_apiserver_prints_them() -> None:
    path = ("f:spec", "f:template", "f:spec", "f:containers", 'k:{"name":"nginx"}', "f:image")
    assert to_string(path) == '.spec.template.spec.containers[name="nginx"].image'
    assert to_string(("f:metadata", "f:finalizers", 'v:"a"')) == '.metadata.finalizers[="a"]'
    ports = ("f:ports", 'k:{"containerPort":80,"protocol":"TCP"}')
    assert to_string(ports) == '.ports[containerPort=80,protocol="TCP"]'


CONTAINERS = DEPLOYMENT.field("spec").field("template").field("spec").field("containers")  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("live", "config", "merged"),
    [
        # new items go after the live items they follow; the shared one is merged in place
        ("abc", "BD", "aBcD"),
        # shared items take the configuration's order; live-only items keep their place
        ("abc", "CA", "bCA"),
        ("", "AB", "AB"),
        ("ab", "", "ab"),
    ],
)
def test_keyed_lists_merge_by_key_keeping_both_orders(live: str, config: str, merged: str) -> None:
    """Lower case: live items (image 1); upper case: configured ones (image 2)."""

    def containers(names: str) -> list[Obj]:
        return [{"name": n.lower(), "image": "2" if n.isupper() else "1"} for n in names]

    assert merge(containers(live), containers(config), CONTAINERS) == containers(merged)


def test_atomic_fields_are_replaced_whole() -> None:
    live = deployment()
    live["spec"]["selector"] = {"matchLabels": {"app": "web", "tier": "x"}}
    merged = merge(live, deployment(), DEPLOYMENT)
    assert merged["spec"]["selector"] == {"matchLabels": {"app": "web"}}


def test_a_second_manager_changing_an_owned_field_conflicts_naming_the_owner() -> None:
    live = apply(None, configmap(key="a"), CONFIGMAP, write("kubectl"))
    with pytest.raises(errors.Conflict) as caught:
        apply(live, configmap(key="b"), CONFIGMAP, write("other"), force=False)
    assert caught.value.message == 'Apply failed with 1 conflict: conflict with "kubectl": .data.key'
    (cause,) = caught.value.causes
    assert (cause.reason, cause.field) == ("FieldManagerConflict", ".data.key")
    assert cause.message == 'conflict with "kubectl"'


def test_the_same_value_is_shared_ownership_not_a_conflict() -> None:
    live = apply(None, configmap(key="a"), CONFIGMAP, write("kubectl"))
    shared = apply(live, configmap(key="a"), CONFIGMAP, write("other"), force=False)
    assert owners(shared["metadata"]["managedFields"]) == {
        "kubectl": {("f:data", "f:key")},
        "other": {("f:data", "f:key")},
    }


def test_force_takes_the_field_over() -> None:
    live = apply(None, configmap(key="a", other="x"), CONFIGMAP, write("kubectl"))
    forced = apply(live, configmap(key="b"), CONFIGMAP, write("other"), force=True)
    assert forced["data"] == {"key": "b", "other": "x"}
    assert owners(forced["metadata"]["managedFields"]) == {
        "kubectl": {("f:data", "f:other")},
        "other": {("f:data", "f:key")},
    }


def test_fields_an_applier_drops_are_removed_unless_someone_else_owns_them() -> None:
    live = apply(None, configmap(a="1", b="2", c="3"), CONFIGMAP, write("kubectl"))
    live = apply(live, configmap(c="3"), CONFIGMAP, write("other"), force=False)
    after = apply(live, configmap(a="1"), CONFIGMAP, write("kubectl"), force=False)
    assert after["data"] == {"a": "1", "c": "3"}  # b went; c stays, "other" owns it


def test_a_dropped_list_item_goes_with_its_fields() -> None:
    two = deployment()
    two["spec"]["template"]["spec"]["containers"].append({"name": "side", "image": "busybox"})
    live = apply(None, two, DEPLOYMENT, write("kubectl"))
    after = apply(live, deployment(), DEPLOYMENT, write("kubectl"), force=False)
    assert [c["name"] for c in after["spec"]["template"]["spec"]["containers"]] == ["nginx"]


def test_a_reapplied_unchanged_configuration_changes_nothing() -> None:
    live = apply(None, deployment(), DEPLOYMENT, write("kubectl"))
    again = apply(live, deployment(), DEPLOYMENT, write("kubectl", now=LATER), force=False)
    assert again == live


def test_an_update_takes_over_what_it_changes_and_later_applies_conflict_with_it() -> None:
    live = apply(None, deployment(replicas=2), DEPLOYMENT, write("kubectl"))
    scaled = copy.deepcopy(live)
    scaled["spec"]["replicas"] = 5
    track_update(live, scaled, DEPLOYMENT, write("kubectl-scale", now=LATER))
    assert owners(scaled["metadata"]["managedFields"])["kubectl-scale"] == {("f:spec", "f:replicas")}
    assert ("f:spec", "f:replicas") not in owners(scaled["metadata"]["managedFields"])["kubectl"]
    with pytest.raises(errors.Conflict) as caught:
        apply(scaled, deployment(replicas=3), DEPLOYMENT, write("kubectl"), force=False)
    assert caught.value.message == (
        f'Apply failed with 1 conflict: conflict with "kubectl-scale" using apps/v1 at {LATER}: .spec.replicas'
    )


def test_several_conflicts_are_listed_by_manager() -> None:
    live = apply(None, configmap(a="1", b="1"), CONFIGMAP, write("x"))
    live = apply(live, configmap(c="1"), CONFIGMAP, write("y"), force=False)
    with pytest.raises(errors.Conflict) as caught:
        apply(live, configmap(a="2", b="2", c="2"), CONFIGMAP, write("z"), force=False)
    assert caught.value.message == (
        'Apply failed with 3 conflicts: conflicts with "x":\n- .data.a\n- .data.b\nconflicts with "y":\n- .data.c'
    )


def test_an_update_that_changes_nothing_keeps_the_record_as_it_was() -> None:
    live = apply(None, deployment(), DEPLOYMENT, write("kubectl"))
    same = copy.deepcopy(live)
    track_update(live, same, DEPLOYMENT, write("kubectl-edit", now=LATER))
    assert same == live


def test_an_update_that_removes_a_field_removes_it_from_every_owner() -> None:
    live = apply(None, configmap(a="1", b="2"), CONFIGMAP, write("kubectl"))
    new = copy.deepcopy(live)
    del new["data"]["b"]
    track_update(live, new, CONFIGMAP, write("kubectl-edit"))
    assert owners(new["metadata"]["managedFields"]) == {"kubectl": {("f:data", "f:a")}}


def test_created_objects_are_owned_by_their_creator() -> None:
    obj = configmap(a="1")
    track_update({}, obj, CONFIGMAP, write("kubectl-create"))
    (entry,) = obj["metadata"]["managedFields"]
    assert (entry["manager"], entry["operation"], entry["fieldsV1"]) == (
        "kubectl-create",
        "Update",
        {"f:data": {".": {}, "f:a": {}}},
    )


def test_a_client_may_clear_the_record_with_an_empty_entry() -> None:
    live = apply(None, configmap(a="1"), CONFIGMAP, write("kubectl"))
    new = copy.deepcopy(live)
    new["metadata"]["managedFields"] = [{}]
    track_update(live, new, CONFIGMAP, write("kubectl-edit"))
    assert "managedFields" not in new["metadata"]


def test_first_apply_to_an_untracked_object_conflicts_with_before_first_apply() -> None:
    with pytest.raises(errors.Conflict) as caught:
        apply(configmap(key="a"), configmap(key="b"), CONFIGMAP, write("kubectl"), force=False)
    assert f'"{BEFORE_FIRST_APPLY}"' in caught.value.message


def test_status_is_nobodys_in_the_main_resource_and_everything_else_in_status() -> None:
    obj = deployment()
    obj["status"] = {"replicas": 1}
    main = apply(None, obj, DEPLOYMENT, write("kubectl", status=True))
    assert all(path[0] != "f:status" for path in owners(main["metadata"]["managedFields"])["kubectl"])
    status = apply(None, obj, DEPLOYMENT, write("ctrl", status=True, subresource="status"))
    (entry,) = status["metadata"]["managedFields"]
    assert entry["subresource"] == "status"
    assert entry["fieldsV1"] == {"f:status": {"f:replicas": {}}}


def test_applied_managed_fields_are_refused() -> None:
    config = configmap(a="1")
    config["metadata"]["managedFields"] = []
    with pytest.raises(errors.BadRequest, match="managedFields must be nil"):
        apply(None, config, CONFIGMAP, write("kubectl"), force=False)


def test_duplicate_keys_in_an_applied_list_are_refused() -> None:
    config = deployment()
    config["spec"]["template"]["spec"]["containers"].append({"name": "nginx", "image": "x"})
    live = apply(None, deployment(), DEPLOYMENT, write("kubectl"))
    with pytest.raises(errors.BadRequest, match="duplicate entries"):
        apply(live, config, DEPLOYMENT, write("kubectl"), force=False)


def test_kubectl_moves_from_client_side_to_server_side_apply_without_conflicts() -> None:
    last = configmap(key="a")
    live = configmap(key="a")
    live["metadata"]["annotations"] = {LAST_APPLIED: json.dumps(last)}
    track_update({}, live, CONFIGMAP, write("kubectl-client-side-apply"))
    upgraded = apply(live, configmap(key="b"), CONFIGMAP, write("kubectl"), force=False)
    assert upgraded["data"] == {"key": "b"}
    with pytest.raises(errors.Conflict):  # only kubectl itself is forgiven
        apply(live, configmap(key="b"), CONFIGMAP, write("other"), force=False)
