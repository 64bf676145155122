"""TokenRequest in process, behind the real authentication middleware: the token is signed by the
server's key, authenticates requests and TokenReviews for its audiences, and carries its bindings."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from k3py.api import auth, bootstrap, tokens
from k3py.api.app import App
from k3py.core import errors
from k3py.store import StoreSettings, open_store

ADMIN_TOKEN = "admin-token"
NS = "default"
SA = f"/api/v1/namespaces/{NS}/serviceaccounts"
TOKEN = f"{SA}/builder/token"


@pytest.fixture(scope="module")
def sa_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture
async def app() -> AsyncIterator[App]:
    async with open_store(StoreSettings(endpoint="memory://")) as store:
        application = App(store)
        await bootstrap.ensure_defaults(application.resources, application.registry)
        yield application


def client_for(app: App, authenticator: auth.Authenticator) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=auth.AuthMiddleware(app, authenticator))
    return httpx.AsyncClient(
        transport=transport, base_url="http://k3py", headers={"authorization": f"Bearer {ADMIN_TOKEN}"}
    )


@pytest.fixture
async def client(app: App, sa_key: ec.EllipticCurvePrivateKey) -> AsyncIterator[httpx.AsyncClient]:
    authenticator = auth.Authenticator(service_account_key=sa_key, tokens={ADMIN_TOKEN: auth.User("admin")})
    async with client_for(app, authenticator) as c:
        r = await c.post(SA, json={"metadata": {"name": "builder"}})
        assert r.status_code == 201, r.text
        yield c


def claims(token: str) -> dict[str, Any]:
    part = token.split(".")[1]
    value: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return value


async def request_token(
    client: httpx.AsyncClient, spec: dict[str, Any] | None = None, path: str = TOKEN
) -> httpx.Response:
    body: dict[str, Any] = {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest"}
    if spec is not None:
        body["spec"] = spec
    return await client.post(path, json=body)


async def test_a_token_is_issued_that_authenticates_and_passes_a_review(client: httpx.AsyncClient) -> None:
    account = (await client.get(f"{SA}/builder")).json()
    r = await request_token(client)
    assert r.status_code == 201, r.text
    answer = r.json()
    assert (answer["kind"], answer["apiVersion"]) == ("TokenRequest", "authentication.k8s.io/v1")
    assert (answer["metadata"]["name"], answer["metadata"]["namespace"]) == ("builder", NS)
    assert answer["spec"] == {"audiences": list(auth.DEFAULT_AUDIENCES), "expirationSeconds": 3600}
    created = datetime.fromisoformat(answer["metadata"]["creationTimestamp"])
    expires = datetime.fromisoformat(answer["status"]["expirationTimestamp"])
    assert (expires - created).total_seconds() == 3600
    token = answer["status"]["token"]
    payload = claims(token)
    assert payload["exp"] == expires.timestamp() and payload["iat"] == created.timestamp()
    assert payload["kubernetes.io"]["serviceaccount"] == {"name": "builder", "uid": account["metadata"]["uid"]}

    as_account = {"authorization": f"Bearer {token}"}
    assert (await client.get("/api/v1/namespaces", headers=as_account)).status_code == 200
    r = await client.post("/apis/authentication.k8s.io/v1/tokenreviews", json={"spec": {"token": token}})
    status = r.json()["status"]
    assert status["authenticated"] is True
    assert (status["user"]["username"], status["user"]["uid"]) == (
        "system:serviceaccount:default:builder",
        account["metadata"]["uid"],
    )


async def test_the_service_account_must_exist(client: httpx.AsyncClient) -> None:
    r = await request_token(client, path=f"{SA}/nobody/token")
    assert (r.status_code, r.json()["message"]) == (404, 'serviceaccounts "nobody" not found')
    r = await request_token(client, path="/api/v1/serviceaccounts/builder/token")
    assert r.status_code == 404


async def test_audiences_are_honoured(client: httpx.AsyncClient) -> None:
    r = await request_token(client, {"audiences": ["vault"]})
    assert r.status_code == 201, r.text
    token = r.json()["status"]["token"]
    assert claims(token)["aud"] == ["vault"]
    # not for the server: it is refused there, and a review for the audience accepts it
    assert (await client.get("/api/v1/namespaces", headers={"authorization": f"Bearer {token}"})).status_code == 401
    r = await client.post(
        "/apis/authentication.k8s.io/v1/tokenreviews", json={"spec": {"token": token, "audiences": ["vault"]}}
    )
    assert (r.json()["status"]["authenticated"], r.json()["status"]["audiences"]) == (True, ["vault"])


@pytest.mark.parametrize(
    ("seconds", "message"),
    [
        (599, "spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes"),
        (0, "spec.expirationSeconds: Invalid value: 0: may not specify a duration less than 10 minutes"),
        (
            (1 << 32) + 1,
            "spec.expirationSeconds: Invalid value: 4294967297: may not specify a duration larger than 2^32 seconds",
        ),
    ],
)
async def test_the_expiration_must_be_in_range(client: httpx.AsyncClient, seconds: int, message: str) -> None:
    r = await request_token(client, {"expirationSeconds": seconds})
    assert (r.status_code, r.json()["reason"]) == (422, "Invalid")
    assert r.json()["message"] == f'TokenRequest.authentication.k8s.io "" is invalid: {message}'
    assert r.json()["details"]["causes"][0]["field"] == "spec.expirationSeconds"


async def test_a_long_expiration_is_shortened_with_a_warning(client: httpx.AsyncClient) -> None:
    r = await request_token(client, {"expirationSeconds": 600})
    assert (r.status_code, r.json()["spec"]["expirationSeconds"]) == (201, 600)
    assert "warning" not in r.headers
    r = await request_token(client, {"expirationSeconds": 10 * tokens.MAX_ISSUED_SECONDS})
    assert r.status_code == 201, r.text
    assert r.json()["spec"]["expirationSeconds"] == tokens.MAX_ISSUED_SECONDS
    payload = claims(r.json()["status"]["token"])
    assert payload["exp"] - payload["iat"] == tokens.MAX_ISSUED_SECONDS
    assert r.headers["warning"] == (
        f'299 - "requested expiration of {10 * tokens.MAX_ISSUED_SECONDS} seconds shortened to '
        f'{tokens.MAX_ISSUED_SECONDS} seconds"'
    )


async def test_a_token_bound_to_a_pod_names_the_pod_and_its_node(client: httpx.AsyncClient) -> None:
    node = (await client.post("/api/v1/nodes", json={"metadata": {"name": "pi-1"}})).json()
    pod_body = {"metadata": {"name": "web"}, "spec": {"nodeName": "pi-1", "containers": [{"name": "c", "image": "x"}]}}
    pod = (await client.post(f"/api/v1/namespaces/{NS}/pods", json=pod_body)).json()
    ref = {"apiVersion": "v1", "kind": "Pod", "name": "web", "uid": pod["metadata"]["uid"]}
    r = await request_token(client, {"boundObjectRef": ref})
    assert r.status_code == 201, r.text
    assert r.json()["spec"]["boundObjectRef"] == ref
    token = r.json()["status"]["token"]
    private = claims(token)["kubernetes.io"]
    assert private["pod"] == {"name": "web", "uid": pod["metadata"]["uid"]}
    assert private["node"] == {"name": "pi-1", "uid": node["metadata"]["uid"]}
    r = await client.post("/apis/authentication.k8s.io/v1/tokenreviews", json={"spec": {"token": token}})
    extra = r.json()["status"]["user"]["extra"]
    assert extra["authentication.kubernetes.io/pod-uid"] == [pod["metadata"]["uid"]]
    assert extra["authentication.kubernetes.io/node-name"] == ["pi-1"]


async def test_a_token_bound_to_a_secret_or_a_pod_without_a_node(client: httpx.AsyncClient) -> None:
    secret = (await client.post(f"/api/v1/namespaces/{NS}/secrets", json={"metadata": {"name": "s"}})).json()
    r = await request_token(client, {"boundObjectRef": {"kind": "Secret", "apiVersion": "v1", "name": "s"}})
    assert r.status_code == 201, r.text
    assert claims(r.json()["status"]["token"])["kubernetes.io"]["secret"] == {
        "name": "s",
        "uid": secret["metadata"]["uid"],
    }
    pod_body = {"metadata": {"name": "lost"}, "spec": {"nodeName": "gone", "containers": [{"name": "c", "image": "x"}]}}
    await client.post(f"/api/v1/namespaces/{NS}/pods", json=pod_body)
    r = await request_token(client, {"boundObjectRef": {"kind": "Pod", "name": "lost"}})
    private = claims(r.json()["status"]["token"])["kubernetes.io"]
    assert "pod" in private and "node" not in private


async def test_the_bound_object_must_exist_be_bindable_and_match(client: httpx.AsyncClient) -> None:
    r = await request_token(client, {"boundObjectRef": {"kind": "Pod", "apiVersion": "v1", "name": "ghost"}})
    assert (r.status_code, r.json()["message"]) == (404, 'pods "ghost" not found')
    await client.post(f"/api/v1/namespaces/{NS}/secrets", json={"metadata": {"name": "s"}})
    r = await request_token(
        client, {"boundObjectRef": {"kind": "Secret", "apiVersion": "v1", "name": "s", "uid": "old"}}
    )
    assert (r.status_code, r.json()["reason"]) == (409, "Conflict")
    assert r.json()["message"] == (
        'Operation cannot be fulfilled on Secret "s": the UID in the bound object reference (old) does not match '
        "the UID in record. The object might have been deleted and then recreated"
    )
    r = await request_token(client, {"boundObjectRef": {"kind": "ConfigMap", "apiVersion": "v1", "name": "c"}})
    assert (r.status_code, r.json()["message"]) == (
        400,
        'cannot bind token for serviceaccount "builder" to object of type /v1, Kind=ConfigMap',
    )


async def test_the_metadata_may_only_name_the_service_account(client: httpx.AsyncClient) -> None:
    r = await client.post(TOKEN, json={"metadata": {"name": "builder", "namespace": NS}})
    assert r.status_code == 201
    r = await client.post(TOKEN, json={"metadata": {"name": "other"}})
    assert (r.status_code, r.json()["message"]) == (
        422,
        'TokenRequest.authentication.k8s.io "builder" is invalid: metadata.name: Invalid value: "other": must match '
        "the service account name if specified",
    )
    r = await client.post(TOKEN, json={"kind": "Eviction"})
    assert (r.status_code, r.json()["reason"]) == (400, "BadRequest")
    r = await client.post(TOKEN, json={"spec": {"expirationSeconds": "1h"}})
    assert (r.status_code, r.json()["reason"]) == (400, "BadRequest")


async def test_no_tokens_without_the_private_signing_key(app: App, sa_key: ec.EllipticCurvePrivateKey) -> None:
    """As kube-apiserver without a service-account issuer: the subresource is not served."""
    verifying_only = auth.Authenticator(service_account_key=sa_key.public_key(), tokens={ADMIN_TOKEN: auth.User("a")})
    async with client_for(app, verifying_only) as c:
        assert (await c.post(SA, json={"metadata": {"name": "builder"}})).status_code == 201
        assert (await request_token(c)).status_code == 404
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://k3py") as bare:
        assert (await request_token(bare)).status_code == 404


def test_issue_token_needs_a_private_key(sa_key: ec.EllipticCurvePrivateKey) -> None:
    verifying_only = auth.Authenticator(service_account_key=sa_key.public_key())
    assert not verifying_only.can_issue
    with pytest.raises(ValueError, match="no private service-account key"):
        verifying_only.issue_token(namespace="a", name="b", uid="c", audiences=["x"], expiration_seconds=600, now=0)


def test_bound_kinds() -> None:
    assert tokens.bound_kind({"kind": "Pod", "apiVersion": "v1"}, "sa") == "pods"
    assert tokens.bound_kind({"kind": "Node"}, "sa") == "nodes"
    with pytest.raises(errors.BadRequest, match=r"object of type apps/v1, Kind=Pod"):
        tokens.bound_kind({"kind": "Pod", "apiVersion": "apps/v1"}, "sa")
    assert tokens.expiration_causes(600) == []
    assert tokens.expiration_causes(1 << 32) == []
