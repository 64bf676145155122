"""Random bodies and patches never make the API answer 500, and a rejected write stores nothing."""

from __future__ import annotations

import json
from typing import Any

import httpx
import trio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from k3py.api import bootstrap
from k3py.api.app import App
from k3py.store import StoreSettings, open_store

JSON_LEAF = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
JSON_VALUE = st.recursive(
    JSON_LEAF,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)
PATHS = st.sampled_from(
    [
        "/api/v1/namespaces/default/configmaps",
        "/api/v1/namespaces/default/pods",
        "/api/v1/namespaces",
        "/apis/apps/v1/namespaces/default/deployments",
        "/apis/rbac.authorization.k8s.io/v1/clusterroles",
        "/api/v1/nodes",
    ]
)
TEMPLATE = {"metadata": {"labels": {"app": "a"}}, "spec": {"containers": [{"name": "c", "image": "busybox"}]}}
# Valid objects named "a" (path, kind, apiVersion, spec) for updates and patches to hit.
SEEDS = [
    ("/api/v1/namespaces/default/configmaps", "ConfigMap", "v1", None),
    (
        "/apis/apps/v1/namespaces/default/deployments",
        "Deployment",
        "apps/v1",
        {"selector": {"matchLabels": {"app": "a"}}, "template": TEMPLATE},
    ),
    ("/apis/rbac.authorization.k8s.io/v1/clusterroles", "ClusterRole", "rbac.authorization.k8s.io/v1", None),
]
CONTENT_TYPES = st.sampled_from(
    [
        "application/json",
        "application/yaml",
        "application/merge-patch+json",
        "application/json-patch+json",
        "application/strategic-merge-patch+json",
        "text/plain",
        "",
    ]
)
OBJECTS = st.fixed_dictionaries(
    {},
    optional={
        "apiVersion": st.sampled_from(["v1", "apps/v1", "x/y"]) | st.text(max_size=5),
        "kind": st.sampled_from(["ConfigMap", "Pod", "Deployment", "Namespace", "Node"]) | st.text(max_size=5),
        "metadata": st.fixed_dictionaries(
            {},
            optional={
                "name": st.from_regex(r"[a-z0-9][a-z0-9.-]{0,10}", fullmatch=True) | st.text(max_size=12),
                "generateName": st.text(max_size=8),
                "labels": JSON_VALUE,
                "namespace": st.sampled_from(["default", "other", ""]),
                "resourceVersion": st.text(max_size=5),
                "finalizers": JSON_VALUE,
            },
        )
        | JSON_VALUE,
        "data": JSON_VALUE,
        "spec": JSON_VALUE,
        "status": JSON_VALUE,
    },
)


def run(coro_fn: Any) -> Any:
    return trio.run(coro_fn)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(["POST", "PUT", "PATCH", "DELETE", "GET"]),
            PATHS,
            st.sampled_from(["", "/a", "/b", "/a/status"]),
            CONTENT_TYPES,
            OBJECTS | JSON_VALUE | st.binary(max_size=30).map(lambda b: b.decode("latin-1")),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_random_requests_never_answer_500(steps: list[tuple[str, str, str, str, Any]]) -> None:
    async def scenario() -> None:
        async with open_store(StoreSettings(endpoint="memory://")) as store:
            app = App(store)
            await bootstrap.ensure_defaults(app.resources, app.registry)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://k3py") as client:
                for path, kind, api_version, spec in SEEDS:
                    body: dict[str, Any] = {"apiVersion": api_version, "kind": kind, "metadata": {"name": "a"}}
                    if spec is not None:
                        body["spec"] = spec
                    created = await client.post(path, json=body)
                    assert created.status_code == 201, created.text
                for method, path, suffix, content_type, body in steps:
                    content = body if isinstance(body, str) else json.dumps(body)
                    before = store.revision
                    response = await client.request(
                        method, path + suffix, content=content.encode(), headers={"content-type": content_type}
                    )
                    assert response.status_code < 500, (method, path + suffix, content, response.text)
                    if response.status_code >= 400:
                        assert store.revision == before, "a rejected request changed the store"
                        status = response.json()
                        assert status["kind"] == "Status" and status["code"] == response.status_code
                assert (await client.get("/readyz")).text == "ok"

    run(scenario)
