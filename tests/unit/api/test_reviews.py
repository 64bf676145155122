"""The review APIs in process, behind the real authentication middleware: TokenReview and
SelfSubjectReview answer from the server's authenticators, the access reviews validate as
kube-apiserver does and are allowed (no authorizer yet), and nothing is ever stored."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from k3py.api import auth, bootstrap, reviews
from k3py.api.app import App
from k3py.api.registry import Registry
from k3py.store import StoreSettings, open_store

ADMIN_TOKEN = "admin-token"
ADMIN = auth.User("jane", "uid-jane", ("system:masters",))
TOKEN_REVIEWS = "/apis/authentication.k8s.io/v1/tokenreviews"
SELF_REVIEWS = "/apis/authentication.k8s.io/v1/selfsubjectreviews"
SAR = "/apis/authorization.k8s.io/v1/subjectaccessreviews"
SSAR = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"
SSRR = "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews"
ALLOWED = {"allowed": True, "reason": reviews.ALLOWED_REASON}


@pytest.fixture(scope="module")
def sa_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture
def authenticator(sa_key: ec.EllipticCurvePrivateKey) -> auth.Authenticator:
    return auth.Authenticator(service_account_key=sa_key, tokens={ADMIN_TOKEN: ADMIN})


@pytest.fixture
async def app() -> AsyncIterator[App]:
    async with open_store(StoreSettings(endpoint="memory://")) as store:
        application = App(store)
        await bootstrap.ensure_defaults(application.resources, application.registry)
        yield application


@pytest.fixture
async def client(app: App, authenticator: auth.Authenticator) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=auth.AuthMiddleware(app, authenticator))
    headers = {"authorization": f"Bearer {ADMIN_TOKEN}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://k3py", headers=headers) as c:
        yield c


async def token_review(client: httpx.AsyncClient, token: str, audiences: list[str] | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"token": token}
    if audiences is not None:
        spec["audiences"] = audiences
    r = await client.post(
        TOKEN_REVIEWS, json={"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": spec}
    )
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    assert (body["kind"], body["apiVersion"], body["spec"]["token"]) == (
        "TokenReview",
        "authentication.k8s.io/v1",
        token,
    )
    status: dict[str, Any] = body["status"]
    return status


# -- TokenReview ----------------------------------------------------------------------------------


async def test_a_static_token_is_its_user_for_the_server_audiences(client: httpx.AsyncClient) -> None:
    status = await token_review(client, ADMIN_TOKEN)
    assert status == {
        "authenticated": True,
        "user": {"username": "jane", "uid": "uid-jane", "groups": ["system:masters", "system:authenticated"]},
        "audiences": list(auth.DEFAULT_AUDIENCES),
    }
    # audience-agnostic: good for the server's own audiences only, as in kube-apiserver
    assert (await token_review(client, ADMIN_TOKEN, ["k3py"]))["audiences"] == ["k3py"]
    elsewhere = await token_review(client, ADMIN_TOKEN, ["vault"])
    assert elsewhere == {"authenticated": False, "user": {}, "error": "invalid bearer token"}


async def test_an_unknown_token_is_not_authenticated_and_says_why(client: httpx.AsyncClient) -> None:
    assert await token_review(client, "nope") == {"authenticated": False, "user": {}, "error": "invalid bearer token"}
    forged = auth.issue_service_account_token(ec.generate_private_key(ec.SECP256R1()), namespace="a", name="b", uid="c")
    status = await token_review(client, forged)
    assert status["authenticated"] is False
    assert status["error"].startswith("[invalid bearer token, ")


async def test_a_service_account_jwt_is_its_account_with_its_bindings(
    client: httpx.AsyncClient, sa_key: ec.EllipticCurvePrivateKey
) -> None:
    token = auth.issue_service_account_token(
        sa_key, namespace="apps", name="builder", uid="sa-uid", pod=("web-0", "pod-uid"), node=("pi-1", "node-uid")
    )
    status = await token_review(client, token)
    user = status["user"]
    assert status["authenticated"] is True
    assert (user["username"], user["uid"]) == ("system:serviceaccount:apps:builder", "sa-uid")
    assert user["groups"] == ["system:serviceaccounts", "system:serviceaccounts:apps", "system:authenticated"]
    extra = user["extra"]
    assert extra["authentication.kubernetes.io/pod-name"] == ["web-0"]
    assert extra["authentication.kubernetes.io/node-uid"] == ["node-uid"]
    assert extra["authentication.kubernetes.io/credential-id"][0].startswith("JTI=")
    assert status["audiences"] == list(auth.DEFAULT_AUDIENCES)


async def test_a_jwt_is_good_for_the_wanted_audiences_it_names(
    client: httpx.AsyncClient, sa_key: ec.EllipticCurvePrivateKey
) -> None:
    token = auth.issue_service_account_token(sa_key, namespace="a", name="b", uid="c", audiences=["vault", "k3py"])
    assert (await token_review(client, token, ["vault", "other"]))["audiences"] == ["vault"]
    assert (await token_review(client, token))["audiences"] == ["k3py"]
    status = await token_review(client, token, ["other"])
    assert status == {
        "authenticated": False,
        "user": {},
        "error": (
            '[invalid bearer token, token audiences ["vault" "k3py"] is invalid for the target audiences ["other"]]'
        ),
    }


async def test_an_expired_jwt_is_refused_with_the_reason(
    client: httpx.AsyncClient, sa_key: ec.EllipticCurvePrivateKey
) -> None:
    token = auth.issue_service_account_token(sa_key, namespace="a", name="b", uid="c", now=1_000_000.0)
    status = await token_review(client, token)
    assert status == {
        "authenticated": False,
        "user": {},
        "error": "[invalid bearer token, service account token has expired]",
    }


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({}, "token is required for TokenReview in authentication.k8s.io"),
        ({"token": ""}, "token is required for TokenReview in authentication.k8s.io"),
        ({"token": 7}, "spec.token: expected string, got 7"),
        ({"token": "t", "audiences": "k3py"}, 'spec.audiences: expected []string, got "k3py"'),
    ],
)
async def test_a_token_review_needs_a_token(client: httpx.AsyncClient, spec: dict[str, Any], message: str) -> None:
    r = await client.post(TOKEN_REVIEWS, json={"spec": spec})
    assert (r.status_code, r.json()["reason"]) == (400, "BadRequest")
    assert r.json()["message"].endswith(message)


def test_without_an_authenticator_a_token_review_is_answered_unchanged() -> None:
    rt = Registry.builtin().lookup("authentication.k8s.io", "v1", "tokenreviews")
    assert rt is not None
    body = {"spec": {"token": "t"}}
    answer = reviews.review(rt, "", body, user=ADMIN, authenticator=None, now="2026-01-01T00:00:00Z")
    assert answer == {
        "kind": "TokenReview",
        "apiVersion": "authentication.k8s.io/v1",
        "spec": {"token": "t"},
        "metadata": {},
    }


# -- SelfSubjectReview ----------------------------------------------------------------------------


async def test_self_subject_review_is_the_caller(client: httpx.AsyncClient, sa_key: ec.EllipticCurvePrivateKey) -> None:
    r = await client.post(SELF_REVIEWS, json={"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["status"] == {
        "userInfo": {"username": "jane", "uid": "uid-jane", "groups": ["system:masters", "system:authenticated"]}
    }
    assert body["metadata"]["creationTimestamp"].endswith("Z")
    token = auth.issue_service_account_token(sa_key, namespace="apps", name="builder", uid="sa-uid")
    r = await client.post(SELF_REVIEWS, json={}, headers={"authorization": f"Bearer {token}"})
    info = r.json()["status"]["userInfo"]
    assert (info["username"], info["uid"]) == ("system:serviceaccount:apps:builder", "sa-uid")
    assert list(info["extra"]) == ["authentication.kubernetes.io/credential-id"]


async def test_self_reviews_need_a_user(app: App) -> None:
    """In process without the middleware there is no caller: refused as kube-apiserver does."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://k3py") as bare:
        for path, body in ((SELF_REVIEWS, {}), (SSRR, {"spec": {"namespace": "default"}})):
            r = await bare.post(path, json=body)
            assert (r.status_code, r.json()["message"]) == (400, "no user present on request")


# -- access reviews -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "attributes",
    [
        {"resourceAttributes": {"namespace": "default", "verb": "delete", "resource": "secrets", "name": "x"}},
        {"nonResourceAttributes": {"path": "/metrics", "verb": "get"}},
    ],
)
async def test_subject_access_reviews_are_allowed_with_the_reason(
    client: httpx.AsyncClient, attributes: dict[str, Any]
) -> None:
    for subject in ({"user": "bob"}, {"groups": ["devs"]}):
        spec = {**subject, **attributes}
        r = await client.post(
            SAR, json={"kind": "SubjectAccessReview", "metadata": {"creationTimestamp": None}, "spec": spec}
        )
        assert r.status_code == 201, r.text
        assert (r.json()["spec"], r.json()["status"]) == (spec, ALLOWED)


async def test_subject_access_review_validation_names_each_field(client: httpx.AsyncClient) -> None:
    r = await client.post(SAR, json={"spec": {}})
    assert (r.status_code, r.json()["reason"]) == (422, "Invalid")
    assert r.json()["message"] == (
        'SubjectAccessReview.authorization.k8s.io "" is invalid: [spec.resourceAttributes: Invalid value: "null": '
        "exactly one of nonResourceAttributes or resourceAttributes must be specified, spec.user: Invalid value: "
        '"": at least one of user or group must be specified]'
    )
    details = r.json()["details"]
    assert (details["group"], details["kind"]) == ("authorization.k8s.io", "SubjectAccessReview")
    assert [(c["reason"], c["field"]) for c in details["causes"]] == [
        ("FieldValueInvalid", "spec.resourceAttributes"),
        ("FieldValueInvalid", "spec.user"),
    ]
    both = {"user": "bob", "resourceAttributes": {"verb": "get"}, "nonResourceAttributes": {"path": "/", "verb": "get"}}
    r = await client.post(SAR, json={"metadata": {"name": "named"}, "spec": both})
    assert r.status_code == 422
    causes = r.json()["details"]["causes"]
    assert [(c["field"], c["message"].rpartition(": ")[2]) for c in causes] == [
        ("spec.nonResourceAttributes", "cannot be specified in combination with resourceAttributes"),
        ("metadata", "must be empty"),
    ]


async def test_local_subject_access_review_is_about_its_namespace(client: httpx.AsyncClient) -> None:
    local = "/apis/authorization.k8s.io/v1/namespaces/default/localsubjectaccessreviews"
    spec = {"user": "bob", "resourceAttributes": {"namespace": "default", "verb": "list", "resource": "pods"}}
    r = await client.post(local, json={"spec": spec})
    assert r.status_code == 201, r.text
    assert (r.json()["metadata"], r.json()["status"]) == ({"namespace": "default"}, ALLOWED)
    elsewhere = {"user": "bob", "resourceAttributes": {"namespace": "kube-system", "verb": "list"}}
    r = await client.post(local, json={"spec": elsewhere})
    assert r.status_code == 422
    assert r.json()["details"]["causes"][0]["field"] == "spec.resourceAttributes.namespace"
    r = await client.post(local, json={"spec": {"user": "bob", "nonResourceAttributes": {"path": "/", "verb": "get"}}})
    assert r.json()["details"]["causes"][0]["message"].endswith("disallowed on this kind of request")
    r = await client.post(local, json={"metadata": {"namespace": "other"}, "spec": spec})
    assert (r.status_code, r.json()["reason"]) == (400, "BadRequest")
    r = await client.post("/apis/authorization.k8s.io/v1/localsubjectaccessreviews", json={"spec": spec})
    assert r.status_code == 404


async def test_self_subject_access_review_is_allowed(client: httpx.AsyncClient) -> None:
    spec = {"resourceAttributes": {"namespace": "default", "verb": "create", "resource": "pods"}}
    r = await client.post(
        SSAR, json={"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview", "spec": spec}
    )
    assert r.status_code == 201, r.text
    assert (r.json()["spec"], r.json()["status"]) == (spec, ALLOWED)
    r = await client.post(SSAR, json={"spec": {}})
    assert r.status_code == 422
    assert [c["field"] for c in r.json()["details"]["causes"]] == ["spec.resourceAttributes"]
    r = await client.post(SSAR, json={"spec": {"resourceAttributes": "pods"}})
    assert (r.status_code, r.json()["reason"]) == (400, "BadRequest")


async def test_self_subject_rules_review_grants_everything(client: httpx.AsyncClient) -> None:
    r = await client.post(SSRR, json={"kind": "SelfSubjectRulesReview", "spec": {"namespace": "default"}})
    assert r.status_code == 201, r.text
    assert r.json() == {
        "kind": "SelfSubjectRulesReview",
        "apiVersion": "authorization.k8s.io/v1",
        "metadata": {},
        "spec": {},
        "status": {
            "resourceRules": [{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}],
            "nonResourceRules": [{"verbs": ["*"], "nonResourceURLs": ["*"]}],
            "incomplete": False,
        },
    }
    r = await client.post(SSRR, json={"spec": {}})
    assert (r.status_code, r.json()["message"]) == (400, "no namespace on request")


# -- what all reviews share -----------------------------------------------------------------------


async def test_reviews_are_create_only_and_never_stored(app: App, client: httpx.AsyncClient) -> None:
    revision = app.store.revision
    for path, body in (
        (TOKEN_REVIEWS, {"spec": {"token": ADMIN_TOKEN}}),
        (SELF_REVIEWS, {}),
        (SAR, {"spec": {"user": "bob", "nonResourceAttributes": {"path": "/", "verb": "get"}}}),
        (SSRR, {"spec": {"namespace": "default"}}),
    ):
        assert (await client.post(path, json=body)).status_code == 201
        assert (await client.get(path)).status_code == 405
        assert (await client.post(f"{path}/named", json=body)).status_code == 404
    assert app.store.revision == revision


async def test_review_bodies_are_decoded_like_any_other(client: httpx.AsyncClient) -> None:
    r = await client.post(TOKEN_REVIEWS, json={"kind": "Pod", "spec": {"token": "t"}})
    assert (r.status_code, r.json()["reason"]) == (400, "BadRequest")
    r = await client.post(TOKEN_REVIEWS, json={"apiVersion": "authentication.k8s.io/v1beta1", "spec": {"token": "t"}})
    assert r.json()["message"] == (
        "the API version in the data (authentication.k8s.io/v1beta1) does not match the expected API version "
        "(authentication.k8s.io/v1)"
    )
    r = await client.post(f"{TOKEN_REVIEWS}?fieldValidation=Strict", json={"spec": {"token": "t", "bogus": 1}})
    assert (r.status_code, r.json()["message"]) == (400, 'strict decoding error: unknown field "spec.bogus"')
    r = await client.post(TOKEN_REVIEWS, json={"spec": {"token": ADMIN_TOKEN, "bogus": 1}})
    assert r.status_code == 201
    assert r.headers["warning"] == '299 - "unknown field \\"spec.bogus\\""'


def test_user_info_leaves_out_what_a_user_has_not() -> None:
    assert reviews.user_info(auth.User("node")) == {"username": "node"}
    user = auth.User("x", "u", ("g",), {"k": ("v1", "v2")})
    assert reviews.user_info(user) == {"username": "x", "uid": "u", "groups": ["g"], "extra": {"k": ["v1", "v2"]}}


def test_the_authenticator_is_current_only_while_serving(authenticator: auth.Authenticator) -> None:
    assert auth.current_authenticator() is None
    with auth.serving(authenticator):
        assert auth.current_authenticator() is authenticator
    assert auth.current_authenticator() is None
