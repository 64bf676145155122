"""Authentication: service-account JWTs, the static token file, client certificate identities,
the middleware's 401s, and how the TLS handshake hands the client certificate to the app."""

from __future__ import annotations

import base64
import datetime
import json
import ssl
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import trio
import trio.testing
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from k3py.api import auth, pki

NOW = 1_800_000_000.0
NAMES = pki.ServingNames.build(node_name="pi-1")


@pytest.fixture(scope="module")
def server_pki(tmp_path_factory: pytest.TempPathFactory) -> pki.ServerPKI:
    return pki.ensure(tmp_path_factory.mktemp("pki"), NAMES)


@pytest.fixture(scope="module")
def sa_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def issue(key: Any, **overrides: Any) -> str:
    args: dict[str, Any] = {"namespace": "ns", "name": "builder", "uid": "uid-1", "now": NOW}
    args.update(overrides)
    return auth.issue_service_account_token(key, **args)


def jwt_parts(token: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    header, claims, signature = token.split(".")

    def decode(part: str) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
        return value

    return decode(header), decode(claims), signature


def encode(obj: Mapping[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


# -- service-account JWTs --------------------------------------------------------------------------


def test_jwt_round_trip_gives_the_service_account_user(sa_key: ec.EllipticCurvePrivateKey) -> None:
    token = issue(sa_key, pod=("web-0", "pod-uid"), node=("pi-1", "node-uid"))
    user = auth.verify_service_account_token(sa_key.public_key(), token, now=NOW + 10)
    assert user.name == "system:serviceaccount:ns:builder"
    assert user.uid == "uid-1"
    assert user.groups == ("system:serviceaccounts", "system:serviceaccounts:ns", "system:authenticated")
    assert user.extra["authentication.kubernetes.io/pod-name"] == ("web-0",)
    assert user.extra["authentication.kubernetes.io/pod-uid"] == ("pod-uid",)
    assert user.extra["authentication.kubernetes.io/node-name"] == ("pi-1",)
    assert user.extra["authentication.kubernetes.io/credential-id"][0].startswith("JTI=")


def test_jwt_has_kubernetes_claims(sa_key: ec.EllipticCurvePrivateKey) -> None:
    header, claims, signature = jwt_parts(issue(sa_key, expiration_seconds=600))
    assert header == {"alg": "ES256", "kid": auth.key_id(sa_key.public_key())}
    assert claims["iss"] == "https://kubernetes.default.svc.cluster.local"
    assert claims["sub"] == "system:serviceaccount:ns:builder"
    assert claims["aud"] == list(auth.DEFAULT_AUDIENCES)
    assert (claims["iat"], claims["nbf"], claims["exp"]) == (int(NOW), int(NOW), int(NOW) + 600)
    assert claims["kubernetes.io"] == {"namespace": "ns", "serviceaccount": {"name": "builder", "uid": "uid-1"}}
    assert len(base64.urlsafe_b64decode(signature + "==")) == 64  # r || s, not DER


def test_jwt_with_rsa_key_is_rs256() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = issue(key)
    assert jwt_parts(token)[0]["alg"] == "RS256"
    assert auth.verify_service_account_token(key, token, now=NOW).name == "system:serviceaccount:ns:builder"


@pytest.mark.parametrize(
    ("offset", "valid"),
    [
        pytest.param(3600 + 59, True, id="within-leeway"),
        pytest.param(3600 + 61, False, id="expired"),
        pytest.param(-59, True, id="clock-behind-within-leeway"),
        pytest.param(-61, False, id="not-valid-yet"),
    ],
)
def test_jwt_times(sa_key: ec.EllipticCurvePrivateKey, offset: int, valid: bool) -> None:
    token = issue(sa_key, expiration_seconds=3600)
    if valid:
        auth.verify_service_account_token(sa_key, token, now=NOW + offset)
    else:
        with pytest.raises(auth.InvalidToken, match=r"expired|not valid yet"):
            auth.verify_service_account_token(sa_key, token, now=NOW + offset)


def test_jwt_signed_with_another_key_is_refused(sa_key: ec.EllipticCurvePrivateKey) -> None:
    other = ec.generate_private_key(ec.SECP256R1())
    with pytest.raises(auth.InvalidToken, match="another key"):
        auth.verify_service_account_token(sa_key, issue(other), now=NOW)
    _, claims, signature = issue(other).split(".")
    no_kid = f"{encode({'alg': 'ES256'})}.{claims}.{signature}"
    with pytest.raises(auth.InvalidToken, match="bad signature"):
        auth.verify_service_account_token(sa_key, no_kid, now=NOW)


def test_jwt_for_another_audience_is_refused(sa_key: ec.EllipticCurvePrivateKey) -> None:
    token = issue(sa_key, audiences=["vault"])
    with pytest.raises(auth.InvalidToken, match="audience"):
        auth.verify_service_account_token(sa_key, token, now=NOW)
    assert auth.verify_service_account_token(sa_key, token, audiences=["vault"], now=NOW).name.endswith(":builder")


def test_jwt_from_another_issuer_is_refused(sa_key: ec.EllipticCurvePrivateKey) -> None:
    with pytest.raises(auth.InvalidToken, match="issuer"):
        auth.verify_service_account_token(sa_key, issue(sa_key, issuer="https://evil.example"), now=NOW)


def test_jwt_with_changed_claims_is_refused(sa_key: ec.EllipticCurvePrivateKey) -> None:
    header, _, signature = issue(sa_key).split(".")
    forged = jwt_parts(issue(sa_key))[1]
    forged["sub"] = "system:serviceaccount:kube-system:admin"
    with pytest.raises(auth.InvalidToken, match="bad signature"):
        auth.verify_service_account_token(sa_key, f"{header}.{encode(forged)}.{signature}", now=NOW)


@pytest.mark.parametrize("alg", ["none", "HS256", "ES384"])
def test_jwt_with_another_algorithm_is_refused(sa_key: ec.EllipticCurvePrivateKey, alg: str) -> None:
    _, claims, signature = issue(sa_key).split(".")
    token = f"{encode({'alg': alg})}.{claims}.{signature if alg != 'none' else ''}"
    with pytest.raises(auth.InvalidToken, match="algorithm"):
        auth.verify_service_account_token(sa_key, token, now=NOW)


@pytest.mark.parametrize("token", ["a.b.c", "...", "e30.e30", "bm90IGpzb24.e30.e30"])
def test_malformed_jwt_is_refused(sa_key: ec.EllipticCurvePrivateKey, token: str) -> None:
    with pytest.raises(auth.InvalidToken):
        auth.verify_service_account_token(sa_key, token, now=NOW)


def test_jwt_whose_claims_disagree_with_the_subject_is_refused(sa_key: ec.EllipticCurvePrivateKey) -> None:
    claims = jwt_parts(issue(sa_key))[1]
    claims["kubernetes.io"]["namespace"] = "other"
    header = {"alg": "ES256", "kid": auth.key_id(sa_key.public_key())}
    signing_input = f"{encode(header)}.{encode(claims)}"
    token = f"{signing_input}.{_es256(sa_key, signing_input.encode())}"
    with pytest.raises(auth.InvalidToken, match="do not match"):
        auth.verify_service_account_token(sa_key, token, now=NOW)


def _es256(key: ec.EllipticCurvePrivateKey, data: bytes) -> str:
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
    return base64.urlsafe_b64encode(r.to_bytes(32, "big") + s.to_bytes(32, "big")).rstrip(b"=").decode()


# -- the authenticator: tokens ---------------------------------------------------------------------


def test_authenticator_accepts_jwts_until_they_expire(sa_key: ec.EllipticCurvePrivateKey) -> None:
    clock = [NOW]
    authenticator = auth.Authenticator(service_account_key=sa_key, now=lambda: clock[0])
    token = issue(sa_key, expiration_seconds=5)
    user = authenticator.authenticate(token=token)
    assert user is not None and user.name == "system:serviceaccount:ns:builder"
    assert authenticator.authenticate(token=token) == user  # from the cache
    clock[0] = NOW + 5 + auth.LEEWAY_SECONDS + 1
    assert authenticator.authenticate(token=token) is None  # the cache never outlives exp


def test_authenticator_static_and_join_tokens(server_pki: pki.ServerPKI) -> None:
    authenticator = auth.Authenticator.from_pki(server_pki, tokens={"t0k3n": auth.User("alice", "u1", ("dev",))})
    assert authenticator.authenticate(token="t0k3n") == auth.User("alice", "u1", ("dev", "system:authenticated"))
    agent = authenticator.authenticate(token=server_pki.join_token)
    assert agent == auth.User("system:k3py:agent", "", ("system:nodes", "system:authenticated"))
    secret_only = server_pki.join_token.rpartition(":")[2]
    assert authenticator.authenticate(token=secret_only) is None
    assert authenticator.authenticate(token="nope") is None
    assert authenticator.authenticate() is None


def test_authenticator_accepts_its_own_service_account_tokens(server_pki: pki.ServerPKI) -> None:
    authenticator = auth.Authenticator.from_pki(server_pki)
    token = auth.issue_service_account_token(server_pki.service_key, namespace="kube-system", name="coredns", uid="u")
    user = authenticator.authenticate(token=token)
    assert user is not None and user.name == "system:serviceaccount:kube-system:coredns"


# -- the static token file -------------------------------------------------------------------------


def test_token_file_in_kube_apiserver_format(tmp_path: Path) -> None:
    path = tmp_path / "tokens.csv"
    path.write_text('tok1,alice,uid-a,"dev,ops"\n\ntok2,bob,uid-b\ntok3,carol,uid-c,""\ntok4,dave,uid-d,single\n')
    assert auth.load_token_file(path) == {
        "tok1": auth.User("alice", "uid-a", ("dev", "ops")),
        "tok2": auth.User("bob", "uid-b"),
        "tok3": auth.User("carol", "uid-c"),
        "tok4": auth.User("dave", "uid-d", ("single",)),
    }


def test_token_file_missing_means_no_tokens(tmp_path: Path) -> None:
    assert auth.load_token_file(tmp_path / "tokens.csv") == {}


def test_token_file_line_with_two_columns_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "tokens.csv"
    path.write_text("tok1,alice,uid\ntok2,bob\n")
    with pytest.raises(auth.TokenFileError, match="at least 3 columns"):
        auth.load_token_file(path)


def test_token_file_skips_empty_tokens_and_last_duplicate_wins(tmp_path: Path) -> None:
    path = tmp_path / "tokens.csv"
    path.write_text(",nobody,uid-0\ntok,first,uid-1\ntok,second,uid-2\n")
    assert auth.load_token_file(path) == {"tok": auth.User("second", "uid-2")}


# -- the authenticator: client certificates --------------------------------------------------------


def _client_cert(
    ca_cert: x509.Certificate,
    ca_key: Any,
    *,
    cn: str = "alice",
    orgs: tuple[str, ...] = ("dev", "ops"),
    usage: x509.ObjectIdentifier = ExtendedKeyUsageOID.CLIENT_AUTH,
    days: int = 30,
) -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    attributes = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, o) for o in orgs]
    if cn:
        attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    start = datetime.datetime.fromtimestamp(NOW, datetime.UTC) - datetime.timedelta(days=1)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name(attributes))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=days))
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.DER)


def _client_ca(server_pki: pki.ServerPKI) -> tuple[x509.Certificate, Any]:
    key = serialization.load_pem_private_key((server_pki.tls_dir / "client-ca.key").read_bytes(), password=None)
    return server_pki.client_ca, key


def test_admin_certificate_identity(server_pki: pki.ServerPKI) -> None:
    der = x509.load_pem_x509_certificate(server_pki.admin_cert_pem).public_bytes(serialization.Encoding.DER)
    user = auth.Authenticator.from_pki(server_pki).authenticate(client_cert=der)
    assert user == auth.User("system:admin", "", ("system:masters", "system:authenticated"))


def test_certificate_identity_is_cn_and_organizations(server_pki: pki.ServerPKI) -> None:
    ca, key = _client_ca(server_pki)
    authenticator = auth.Authenticator(client_ca=ca, now=lambda: NOW)
    user = authenticator.authenticate(client_cert=_client_cert(ca, key))
    assert user == auth.User("alice", "", ("dev", "ops", "system:authenticated"))


@pytest.mark.parametrize("case", ["other-ca", "expired", "server-usage", "no-cn", "garbage"])
def test_certificate_that_does_not_identify_is_refused(server_pki: pki.ServerPKI, tmp_path: Path, case: str) -> None:
    ca, key = _client_ca(server_pki)
    clock = NOW
    if case == "other-ca":
        other = pki.ensure(tmp_path, NAMES)
        der = _client_cert(*_client_ca(other))
    elif case == "expired":
        der, clock = _client_cert(ca, key, days=2), NOW + 2 * 86400
    elif case == "server-usage":
        der = _client_cert(ca, key, usage=ExtendedKeyUsageOID.SERVER_AUTH)
    elif case == "no-cn":
        der = _client_cert(ca, key, cn="")
    else:
        der = b"\x30\x03garbage"
    assert auth.Authenticator(client_ca=ca, now=lambda: clock).authenticate(client_cert=der) is None


def test_valid_certificate_wins_over_a_bad_token(server_pki: pki.ServerPKI) -> None:
    der = x509.load_pem_x509_certificate(server_pki.admin_cert_pem).public_bytes(serialization.Encoding.DER)
    user = auth.Authenticator.from_pki(server_pki).authenticate(client_cert=der, token="bad")
    assert user is not None and user.name == "system:admin"


# -- the middleware --------------------------------------------------------------------------------


class Recorder:
    """An inner ASGI app that records the scope it got and answers 200."""

    def __init__(self) -> None:
        self.scopes: list[Mapping[str, Any]] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.scopes.append(scope)
        if scope["type"] == "http":
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"ok"})


async def call(app: Any, scope: dict[str, Any]) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []
    inbox = [{"type": "websocket.connect"} if scope["type"] == "websocket" else {"type": "http.request"}]

    async def receive() -> dict[str, Any]:
        return inbox.pop(0) if inbox else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent


def http_scope(path: str, headers: list[tuple[bytes, bytes]] | None = None, **extra: Any) -> dict[str, Any]:
    return {"type": "http", "method": "GET", "path": path, "headers": headers or [], **extra}


@pytest.fixture
def middleware(server_pki: pki.ServerPKI) -> tuple[auth.AuthMiddleware, Recorder]:
    recorder = Recorder()
    authenticator = auth.Authenticator.from_pki(server_pki, tokens={"t0k3n": auth.User("alice")})
    return auth.AuthMiddleware(recorder, authenticator), recorder


async def test_middleware_answers_anonymous_with_401_status(middleware: tuple[auth.AuthMiddleware, Recorder]) -> None:
    app, recorder = middleware
    sent = await call(app, http_scope("/api/v1/pods"))
    assert sent[0]["status"] == 401
    assert dict(sent[0]["headers"])[b"content-type"] == b"application/json"
    assert json.loads(sent[1]["body"]) == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": "Unauthorized",
        "reason": "Unauthorized",
        "code": 401,
    }
    assert recorder.scopes == []


@pytest.mark.parametrize("header", [b"Bearer nope", b"Basic dXNlcjpwdw==", b"Bearer", b"Bearer "])
async def test_middleware_treats_bad_credentials_as_anonymous(
    middleware: tuple[auth.AuthMiddleware, Recorder], header: bytes
) -> None:
    app, _ = middleware
    sent = await call(app, http_scope("/api", [(b"authorization", header)]))
    assert sent[0]["status"] == 401


async def test_middleware_lets_public_paths_through(middleware: tuple[auth.AuthMiddleware, Recorder]) -> None:
    app, recorder = middleware
    for path in ("/readyz", "/livez", "/healthz", "/version"):
        sent = await call(app, http_scope(path))
        assert sent[0]["status"] == 200, path
    assert [scope[auth.SCOPE_USER_KEY] for scope in recorder.scopes] == [None] * 4


async def test_middleware_puts_the_user_into_the_scope(middleware: tuple[auth.AuthMiddleware, Recorder]) -> None:
    app, recorder = middleware
    sent = await call(app, http_scope("/api", [(b"authorization", b"bearer t0k3n")]))
    assert sent[0]["status"] == 200
    assert recorder.scopes[0][auth.SCOPE_USER_KEY] == auth.User("alice", groups=("system:authenticated",))


async def test_middleware_reads_the_asgi_tls_extension(
    middleware: tuple[auth.AuthMiddleware, Recorder], server_pki: pki.ServerPKI
) -> None:
    app, recorder = middleware
    tls = {"client_cert_chain": [server_pki.admin_cert_pem.decode()]}
    sent = await call(app, http_scope("/api", extensions={"tls": tls}))
    assert sent[0]["status"] == 200
    assert recorder.scopes[0][auth.SCOPE_USER_KEY].name == "system:admin"


async def test_middleware_takes_the_connection_certificate_and_fills_the_tls_extension(
    middleware: tuple[auth.AuthMiddleware, Recorder], server_pki: pki.ServerPKI
) -> None:
    app, recorder = middleware
    der = x509.load_pem_x509_certificate(server_pki.admin_cert_pem).public_bytes(serialization.Encoding.DER)
    token = auth._PEER_CERTIFICATE.set(der)
    try:
        sent = await call(app, http_scope("/api", extensions={}))
    finally:
        auth._PEER_CERTIFICATE.reset(token)
    assert sent[0]["status"] == 200
    scope = recorder.scopes[0]
    assert scope[auth.SCOPE_USER_KEY].name == "system:admin"
    assert scope["extensions"]["tls"]["client_cert_chain"] == [ssl.DER_cert_to_PEM_cert(der)]


async def test_middleware_refuses_anonymous_websockets_before_accepting(
    middleware: tuple[auth.AuthMiddleware, Recorder],
) -> None:
    app, recorder = middleware
    scope = {"type": "websocket", "path": "/api/v1/namespaces/ns/pods/p/exec", "headers": []}
    sent = await call(app, {**scope, "extensions": {"websocket.http.response": {}}})
    assert [m["type"] for m in sent] == ["websocket.http.response.start", "websocket.http.response.body"]
    assert sent[0]["status"] == 401
    assert await call(app, scope) == [{"type": "websocket.close", "code": 1008}]
    assert recorder.scopes == []


async def test_middleware_takes_the_websocket_bearer_subprotocol(
    middleware: tuple[auth.AuthMiddleware, Recorder],
) -> None:
    app, recorder = middleware
    encoded = base64.urlsafe_b64encode(b"t0k3n").rstrip(b"=")
    protocols = b"base64url.bearer.authorization.k8s.io." + encoded + b", v5.channel.k8s.io"
    scope = {"type": "websocket", "path": "/exec", "headers": [(b"sec-websocket-protocol", protocols)]}
    await call(app, scope)
    assert recorder.scopes[0][auth.SCOPE_USER_KEY].name == "alice"


async def test_middleware_passes_lifespan_through(middleware: tuple[auth.AuthMiddleware, Recorder]) -> None:
    app, recorder = middleware
    await call(app, {"type": "lifespan"})
    assert recorder.scopes == [{"type": "lifespan"}]


# -- the TLS handshake hands the certificate to the connection's tasks ------------------------------


async def test_handshake_records_the_client_certificate_for_that_connection_only(server_pki: pki.ServerPKI) -> None:
    """What hypercorn relies on: the connection task handshakes, then spawns one task per request."""
    server_context = auth.server_ssl_context(
        server_pki.serving_cert_file, server_pki.serving_key_file, server_pki.client_ca_file
    )
    admin_der = x509.load_pem_x509_certificate(server_pki.admin_cert_pem).public_bytes(serialization.Encoding.DER)
    seen: dict[str, bytes | None] = {}

    async def serve_connection(name: str, stream: trio.abc.Stream) -> None:
        tls = trio.SSLStream(stream, server_context, server_side=True)
        await tls.do_handshake()

        async def request() -> None:
            seen[name] = auth.connection_certificate()

        async with trio.open_nursery() as requests:
            requests.start_soon(request)

    async def connect(name: str, *, client_cert: bool) -> None:
        context = ssl.create_default_context(cafile=server_pki.server_ca_file)
        if client_cert:
            context.load_cert_chain(server_pki.tls_dir / "client-admin.crt", server_pki.tls_dir / "client-admin.key")
        client_raw, server_raw = trio.testing.memory_stream_pair()
        async with trio.open_nursery() as nursery:
            nursery.start_soon(serve_connection, name, server_raw)
            client = trio.SSLStream(client_raw, context, server_hostname="localhost")
            await client.do_handshake()
            await client.send_all(b"x")  # TLS 1.3: lets the server finish reading the client's flight

    with trio.fail_after(10):
        async with trio.open_nursery() as nursery:
            nursery.start_soon(lambda: connect("admin", client_cert=True))
            nursery.start_soon(lambda: connect("anonymous", client_cert=False))
    assert seen == {"admin": admin_der, "anonymous": None}
    assert auth.connection_certificate() is None


def test_server_ssl_context_trusts_only_the_client_ca(server_pki: pki.ServerPKI) -> None:
    context = auth.server_ssl_context(
        server_pki.serving_cert_file, server_pki.serving_key_file, server_pki.client_ca_file
    )
    assert context.verify_mode == ssl.CERT_OPTIONAL
    assert len(context.get_ca_certs()) == 1  # the client CA; no system CAs
    assert context.minimum_version == ssl.TLSVersion.TLSv1_2
