"""Paths and methods to verbs, as apiserver's RequestInfoFactory reads them."""

from __future__ import annotations

import pytest

from k3py.api.requestinfo import DiscoveryPath, RequestInfo, parse


@pytest.mark.parametrize(
    ("method", "path", "watch", "expected"),
    [
        ("GET", "/api", False, DiscoveryPath("api")),
        ("GET", "/apis", False, DiscoveryPath("apis")),
        ("GET", "/apis/apps", False, DiscoveryPath("apis", "apps")),
        ("GET", "/api/v1", False, DiscoveryPath("api", "", "v1")),
        ("GET", "/apis/apps/v1", False, DiscoveryPath("apis", "apps", "v1")),
        ("GET", "/api/v1/pods", False, RequestInfo("", "v1", "pods", verb="list")),
        ("GET", "/api/v1/pods", True, RequestInfo("", "v1", "pods", verb="watch")),
        ("GET", "/api/v1/watch/pods", False, RequestInfo("", "v1", "pods", verb="watch")),
        ("GET", "/api/v1/namespaces", False, RequestInfo("", "v1", "namespaces", verb="list")),
        ("GET", "/api/v1/namespaces/ns1", False, RequestInfo("", "v1", "namespaces", name="ns1", verb="get")),
        (
            "PUT",
            "/api/v1/namespaces/ns1/status",
            False,
            RequestInfo("", "v1", "namespaces", name="ns1", subresource="status", verb="update"),
        ),
        (
            "POST",
            "/api/v1/namespaces/ns1/pods",
            False,
            RequestInfo("", "v1", "pods", namespace="ns1", verb="create"),
        ),
        (
            "GET",
            "/api/v1/namespaces/ns1/pods/p/log",
            False,
            RequestInfo("", "v1", "pods", "ns1", "p", "log", "get"),
        ),
        (
            "DELETE",
            "/apis/apps/v1/namespaces/ns1/deployments",
            False,
            RequestInfo("apps", "v1", "deployments", namespace="ns1", verb="deletecollection"),
        ),
        (
            "PATCH",
            "/apis/apps/v1/namespaces/ns1/deployments/d/scale",
            False,
            RequestInfo("apps", "v1", "deployments", "ns1", "d", "scale", "patch"),
        ),
        ("GET", "/healthz", False, None),
    ],
)
def test_parse(method: str, path: str, watch: bool, expected: object) -> None:
    assert parse(path, method, watch_param=watch) == expected
