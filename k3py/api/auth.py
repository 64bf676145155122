"""Authentication: who sent a request, from its TLS client certificate or its bearer token.

It owns the identities kube-apiserver's authenticators give (x509 client certificates, a static
token file, service-account JWTs), the ASGI middleware that answers anonymous requests with
``401`` as kube-apiserver does with anonymous auth disabled (K3s' default), and the TLS server
context that makes the client certificate visible to that middleware. It decides nothing about
what a user may do (that is authorization) and reads no files but the token file.

Theory of operation (how the client certificate reaches the app)::

    hypercorn (trio worker)                              this module
    ───────────────────────                              ───────────
    one task per connection ── SSLStream.do_handshake ─> _PeerCertificateSSLObject.do_handshake
                                                            └ _PEER_CERTIFICATE.set(DER)  (that task's context)
    the same task spawns one task per request ─────────> AuthMiddleware reads _PEER_CERTIFICATE
                                                            (trio copies the spawner's context)

hypercorn 0.18 does not fill in the ASGI TLS extension (``scope["extensions"]["tls"]``), and
its scope has no handle on the connection. But the TLS handshake runs in the connection's own
task, and trio gives every task it spawns a copy of the spawning task's context variables, so a
context variable set when the handshake completes is seen by every request of that connection
and by no other. The middleware prefers a real ``tls`` extension when a server provides one and
fills it in otherwise, so the app finds the certificate where ASGI says it is.

The TLS layer asks for a client certificate but does not require one (``CERT_OPTIONAL``), so
bearer tokens and anonymous health checks still work; a certificate that is sent must chain to
the client CA or the handshake fails. The authenticator checks the signature, validity and usage
again itself, so it never trusts a certificate just because it came out of some TLS stack.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import csv
import io
import json
import logging
import ssl
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from k3py.core import errors

if TYPE_CHECKING:
    from pathlib import Path

    from k3py.api.pki import ServerPKI

logger = logging.getLogger(__name__)

Scope = Mapping[str, Any]
Receive = Callable[[], Awaitable[Mapping[str, Any]]]
Send = Callable[[Any], Awaitable[None]]
ASGIApp = Callable[[Any, Receive, Send], Awaitable[None]]
PublicKey = ec.EllipticCurvePublicKey | rsa.RSAPublicKey
PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey

#: where the middleware puts the :class:`User` (``None``: anonymous, on a public path)
SCOPE_USER_KEY = "k3py.user"
#: paths anyone may ask for: health checks and the version, as probes and ``kubectl version`` need
PUBLIC_PATHS = frozenset({"/healthz", "/livez", "/readyz", "/version"})

AUTHENTICATED_GROUP = "system:authenticated"
NODES_GROUP = "system:nodes"
#: the user the node join token authenticates as
AGENT_USER = "system:k3py:agent"
SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:"
SERVICE_ACCOUNTS_GROUP = "system:serviceaccounts"
#: kube-apiserver's default --service-account-issuer, which K3s keeps
ISSUER = "https://kubernetes.default.svc.cluster.local"
#: K3s' --api-audiences are the issuer and "k3s"; ours are the issuer and "k3py"
DEFAULT_AUDIENCES = (ISSUER, "k3py")
DEFAULT_TOKEN_SECONDS = 3600  # TokenRequest's default expirationSeconds
#: what the bearer-token authenticator says about a token no authenticator accepted
INVALID_BEARER_TOKEN = "invalid bearer token"
# Clock skew allowed on exp/nbf/iat, as go-jose's DefaultLeeway that kube-apiserver uses.
LEEWAY_SECONDS = 60
# A token that verified is believed this long without checking it again, as kube-apiserver's
# token cache (10 s for successes) does; a JWT also never outlives its exp.
TOKEN_CACHE_SECONDS = 10.0
# Bound on each cache; when full it starts again empty (a guess: far more than one board sees).
CACHE_SIZE = 1024
# Ciphers for TLS 1.2 (1.3 picks its own): AES-GCM, and ChaCha20 for boards without AES
# instructions (Raspberry Pi 3 and 4), where it is several times faster. AEAD only, as HTTP/2 needs.
TLS12_CIPHERS = "ECDHE+AESGCM:ECDHE+CHACHA20"
WEBSOCKET_TOKEN_PROTOCOL = "base64url.bearer.authorization.k8s.io."

_JWT_ALGORITHMS = {"ES256", "RS256"}


@dataclass(frozen=True, slots=True)
class User:
    """An authenticated identity, as Kubernetes' ``user.Info``."""

    name: str
    uid: str = ""
    groups: tuple[str, ...] = ()
    extra: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TokenReview:
    """What the authenticators say about one token, as a TokenReview reports it."""

    #: ``None``: not authenticated
    user: User | None
    #: the wanted audiences the token is good for
    audiences: tuple[str, ...] = ()
    #: why it was not authenticated (empty when it was, or when no reason is given)
    error: str = ""


class InvalidToken(Exception):
    """A token (or a client certificate) was not accepted; the message says why, for logs only."""


class TokenFileError(ValueError):
    """The static token file is malformed."""


# -- the TLS server side ---------------------------------------------------------------------------

_PEER_CERTIFICATE: ContextVar[bytes | None] = ContextVar("k3py_peer_certificate", default=None)


class _PeerCertificateSSLObject(ssl.SSLObject):
    """Records the verified client certificate in the handshaking task's context (see the module doc)."""

    def do_handshake(self) -> None:
        super().do_handshake()  # raises SSLWantReadError until the handshake is complete
        if self.server_side and self.context.verify_mode != ssl.CERT_NONE:
            _PEER_CERTIFICATE.set(self.getpeercert(binary_form=True))


def server_ssl_context(
    certfile: Path, keyfile: Path, client_ca_file: Path, *, alpn: Iterable[str] = ("h2", "http/1.1")
) -> ssl.SSLContext:
    """The TLS context to serve with: the serving certificate, client certificates optional and checked.

    Only the client CA is trusted for client certificates (not the system's CAs, which
    ``ssl.create_default_context`` would add).
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2  # RFC 7540 section 9.2
    context.options |= ssl.OP_NO_COMPRESSION  # RFC 7540 section 9.2.1
    context.set_ciphers(TLS12_CIPHERS)
    context.set_alpn_protocols(list(alpn))
    context.load_cert_chain(certfile, keyfile)
    context.load_verify_locations(cafile=client_ca_file)
    context.verify_mode = ssl.CERT_OPTIONAL
    context.sslobject_class = _PeerCertificateSSLObject
    return context


def connection_certificate() -> bytes | None:
    """The DER client certificate of the TLS connection the current task serves, if one was sent."""
    return _PEER_CERTIFICATE.get()


# -- the authenticator ----------------------------------------------------------------------------


class Authenticator:
    """Turns a client certificate or a bearer token into a :class:`User`, or ``None``.

    Tried in kube-apiserver's order: the client certificate, then the token (static tokens,
    then service-account JWTs). The first that succeeds wins.
    """

    def __init__(
        self,
        *,
        client_ca: x509.Certificate | None = None,
        service_account_key: PrivateKey | PublicKey | None = None,
        tokens: Mapping[str, User] | None = None,
        issuer: str = ISSUER,
        audiences: Iterable[str] = DEFAULT_AUDIENCES,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.client_ca = client_ca
        self._sa_public = _public(service_account_key) if service_account_key is not None else None
        # Only a private key can sign the tokens a TokenRequest asks for.
        self._sa_private: PrivateKey | None = None
        if isinstance(service_account_key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
            self._sa_private = service_account_key
        self._tokens = dict(tokens or {})
        self.issuer = issuer
        self.audiences = tuple(audiences)
        self._now = now
        self._cert_cache: dict[bytes, tuple[User, float]] = {}
        self._jwt_cache: dict[str, tuple[User, float]] = {}

    @classmethod
    def from_pki(cls, pki: ServerPKI, *, tokens: Mapping[str, User] | None = None) -> Authenticator:
        """The server's authenticator: its client CA, its service-account key, ``tokens`` and the join token."""
        all_tokens = dict(tokens or {})
        all_tokens[pki.join_token] = User(AGENT_USER, groups=(NODES_GROUP,))
        return cls(client_ca=pki.client_ca, service_account_key=pki.service_key, tokens=all_tokens)

    def authenticate(self, *, client_cert: bytes | None = None, token: str = "") -> User | None:
        """The user behind a DER client certificate or a bearer token; ``None`` if neither is valid."""
        if client_cert:
            user = self.authenticate_certificate(client_cert)
            if user is not None:
                return user
        if token:
            return self.authenticate_token(token)
        return None

    def authenticate_certificate(self, der: bytes) -> User | None:
        """The user of a client certificate signed by the client CA: CN is the name, each O a group."""
        now = self._now()
        cached = self._cert_cache.get(der)
        if cached is not None and now < cached[1]:
            return cached[0]
        try:
            cert = x509.load_der_x509_certificate(der)
            user = self._certificate_user(cert, now)
        except (ValueError, InvalidToken) as exc:
            logger.debug("client certificate rejected: %s", exc)
            return None
        _remember(self._cert_cache, der, user, cert.not_valid_after_utc.timestamp())
        return user

    def _certificate_user(self, cert: x509.Certificate, now: float) -> User:
        if self.client_ca is None:
            raise InvalidToken("no client CA is configured")
        try:
            cert.verify_directly_issued_by(self.client_ca)
        except (ValueError, TypeError, InvalidSignature) as exc:
            raise InvalidToken(f"not issued by the client CA: {exc or type(exc).__name__}") from exc
        if not cert.not_valid_before_utc.timestamp() <= now <= cert.not_valid_after_utc.timestamp():
            raise InvalidToken("outside its validity period")
        try:
            usages = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        except x509.ExtensionNotFound:
            pass
        else:
            if ExtendedKeyUsageOID.CLIENT_AUTH not in usages:
                raise InvalidToken("not valid for client authentication")
        names = [str(a.value) for a in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
        if not names or not names[0]:
            raise InvalidToken("no common name")
        groups = tuple(str(a.value) for a in cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME))
        return _authenticated(User(names[0], groups=groups))

    def authenticate_token(self, token: str) -> User | None:
        """The user of a static token or of a service-account JWT signed with our key."""
        user = self._tokens.get(token)  # a map lookup, as kube-apiserver's token file authenticator
        if user is not None:
            return _authenticated(user)
        if self._sa_public is None or token.count(".") != 2:
            logger.debug("bearer token rejected: unknown token")
            return None
        now = self._now()
        cached = self._jwt_cache.get(token)
        if cached is not None and now < cached[1]:
            return cached[0]
        try:
            user, expires = _verify_jwt(self._sa_public, token, self.issuer, self.audiences, now)
        except InvalidToken as exc:
            logger.debug("service-account token rejected: %s", exc)
            return None
        _remember(self._jwt_cache, token, user, min(expires, now + TOKEN_CACHE_SECONDS))
        return user

    def review_token(self, token: str, audiences: Iterable[str] = ()) -> TokenReview:
        """What a TokenReview answers: the token's user and which of ``audiences`` it is good for.

        ``audiences`` are the ones the reviewer wants (none: the server's own). As with
        kube-apiserver's audience-agnostic authenticators, a static token (and the join token) is
        good for the server's audiences only; a service-account JWT for the wanted ones in its
        ``aud`` claim. Nothing is cached: a review is rare, and may ask for other audiences.
        """
        wanted = tuple(audiences) or self.audiences
        user = self._tokens.get(token)
        if user is not None:
            good = tuple(a for a in wanted if a in self.audiences)
            return TokenReview(_authenticated(user), good) if good else TokenReview(None, error=INVALID_BEARER_TOKEN)
        if self._sa_public is None or token.count(".") != 2:
            return TokenReview(None, error=INVALID_BEARER_TOKEN)
        try:
            user, _ = _verify_jwt(self._sa_public, token, self.issuer, wanted, self._now())
        except InvalidToken as exc:
            return TokenReview(None, error=f"[{INVALID_BEARER_TOKEN}, {exc}]")
        return TokenReview(user, tuple(a for a in wanted if a in _jwt_audiences(token)))

    @property
    def can_issue(self) -> bool:
        """Whether this authenticator holds the private service-account key, so can sign tokens."""
        return self._sa_private is not None

    def issue_token(
        self,
        *,
        namespace: str,
        name: str,
        uid: str,
        audiences: Iterable[str],
        expiration_seconds: int,
        now: float,
        pod: tuple[str, str] | None = None,
        node: tuple[str, str] | None = None,
        secret: tuple[str, str] | None = None,
    ) -> str:
        """A service-account JWT signed with the server's key, bound to the objects given (``(name, uid)``).

        Raises:
            ValueError: there is no private key to sign with (see :attr:`can_issue`).
        """
        if self._sa_private is None:
            raise ValueError("no private service-account key to sign tokens with")
        return issue_service_account_token(
            self._sa_private,
            namespace=namespace,
            name=name,
            uid=uid,
            audiences=audiences,
            expiration_seconds=expiration_seconds,
            now=now,
            issuer=self.issuer,
            pod=pod,
            node=node,
            secret=secret,
        )


def _authenticated(user: User) -> User:
    if AUTHENTICATED_GROUP in user.groups:
        return user
    return User(user.name, user.uid, (*user.groups, AUTHENTICATED_GROUP), user.extra)


def _remember(cache: dict[Any, tuple[User, float]], key: Any, user: User, until: float) -> None:
    if len(cache) >= CACHE_SIZE:
        cache.clear()
    cache[key] = (user, until)


# -- the static token file ------------------------------------------------------------------------


def load_token_file(path: Path) -> dict[str, User]:
    """Read kube-apiserver's ``--token-auth-file`` format: ``token,user,uid,"group1,group2"`` per line.

    A missing file means no static tokens. Like kube-apiserver, a line with fewer than three
    columns is an error, an empty token is skipped with a warning, and the last of duplicate
    tokens wins. The file is read at start only (kube-apiserver does the same).

    Raises:
        TokenFileError: a line has fewer than three columns, or the file is not CSV.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    tokens: dict[str, User] = {}
    try:
        for record in csv.reader(io.StringIO(text)):
            if not record:
                continue  # blank lines, as Go's csv reader skips them
            if len(record) < 3:
                raise TokenFileError(
                    f"token file {path} must have at least 3 columns (token, user name, user uid), "
                    f"found {len(record)} on one line"
                )
            token, name, uid = record[0], record[1], record[2]
            if not token:
                logger.warning("empty token in token file %s: line skipped", path)
                continue
            if token in tokens:
                logger.warning("duplicate token in token file %s: the later line wins", path)
            groups = tuple(g for g in record[3].split(",") if g) if len(record) > 3 else ()
            tokens[token] = User(name, uid, groups)
    except csv.Error as exc:
        raise TokenFileError(f"token file {path}: {exc}") from exc
    logger.info("Loaded %d static token(s) from %s", len(tokens), path)
    return tokens


# -- service-account JWTs -------------------------------------------------------------------------


def issue_service_account_token(
    key: PrivateKey,
    *,
    namespace: str,
    name: str,
    uid: str,
    audiences: Iterable[str] = DEFAULT_AUDIENCES,
    expiration_seconds: int = DEFAULT_TOKEN_SECONDS,
    now: float | None = None,
    issuer: str = ISSUER,
    pod: tuple[str, str] | None = None,
    node: tuple[str, str] | None = None,
    secret: tuple[str, str] | None = None,
) -> str:
    """A service-account JWT with kube-apiserver's claims, signed with ``key`` (ES256 or RS256).

    Args:
        pod: ``(name, uid)`` of the pod the token is bound to, if any.
        node: ``(name, uid)`` of that pod's node, or of the node the token is bound to, if any.
        secret: ``(name, uid)`` of the secret the token is bound to, if any.
    """
    issued = int(time.time() if now is None else now)
    private: dict[str, Any] = {"namespace": namespace, "serviceaccount": {"name": name, "uid": uid}}
    if pod is not None:
        private["pod"] = {"name": pod[0], "uid": pod[1]}
    if node is not None:
        private["node"] = {"name": node[0], "uid": node[1]}
    if secret is not None:
        private["secret"] = {"name": secret[0], "uid": secret[1]}
    claims = {
        "aud": list(audiences),
        "exp": issued + expiration_seconds,
        "iat": issued,
        "iss": issuer,
        "jti": str(uuid.uuid4()),
        "kubernetes.io": private,
        "nbf": issued,
        "sub": f"{SERVICE_ACCOUNT_PREFIX}{namespace}:{name}",
    }
    header = {"alg": _algorithm(key.public_key()), "kid": key_id(key.public_key())}
    signing_input = _b64(_json(header)) + "." + _b64(_json(claims))
    return signing_input + "." + _b64(_sign(key, signing_input.encode()))


def verify_service_account_token(
    key: PublicKey | PrivateKey,
    token: str,
    *,
    issuer: str = ISSUER,
    audiences: Iterable[str] = DEFAULT_AUDIENCES,
    now: float | None = None,
) -> User:
    """The service account a JWT names, after checking signature, issuer, audience and times.

    Raises:
        InvalidToken: with the reason.
    """
    return _verify_jwt(_public(key), token, issuer, tuple(audiences), time.time() if now is None else now)[0]


def key_id(key: PublicKey) -> str:
    """The ``kid`` of a signing key, as kube-apiserver computes it: SHA-256 of the DER public key."""
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    digest = hashes.Hash(hashes.SHA256())
    digest.update(der)
    return _b64(digest.finalize())


def _verify_jwt(key: PublicKey, token: str, issuer: str, audiences: tuple[str, ...], now: float) -> tuple[User, float]:
    try:
        header_b64, claims_b64, signature_b64 = token.split(".")
        header = json.loads(_unb64(header_b64))
        claims = json.loads(_unb64(claims_b64))
        signature = _unb64(signature_b64)
    except (ValueError, binascii.Error) as exc:  # json and unicode errors are ValueErrors too
        raise InvalidToken(f"malformed JWT: {exc}") from exc
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise InvalidToken("malformed JWT: header and claims must be objects")
    alg = header.get("alg")
    if alg not in _JWT_ALGORITHMS or alg != _algorithm(key):
        raise InvalidToken(f"unexpected signing algorithm {alg!r}")
    if "kid" in header and header["kid"] != key_id(key):
        raise InvalidToken("signed with another key (kid)")
    if not _verify_signature(key, f"{header_b64}.{claims_b64}".encode(), signature):
        raise InvalidToken("bad signature")
    if claims.get("iss") != issuer:
        raise InvalidToken(f"unknown issuer {claims.get('iss')!r}")
    aud = claims.get("aud")
    token_audiences = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
    if not set(token_audiences) & set(audiences):
        raise InvalidToken(
            f"token audiences {_go_quoted(token_audiences)} is invalid for the target audiences {_go_quoted(audiences)}"
        )
    exp, nbf = claims.get("exp"), claims.get("nbf")
    if not isinstance(exp, int | float) or isinstance(exp, bool):
        raise InvalidToken("no expiry")
    if now > exp + LEEWAY_SECONDS:
        raise InvalidToken("service account token has expired")
    if isinstance(nbf, int | float) and now < nbf - LEEWAY_SECONDS:
        raise InvalidToken("service account token is not valid yet")
    return _service_account_user(claims), float(exp) + LEEWAY_SECONDS


def _service_account_user(claims: Mapping[str, Any]) -> User:
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub.startswith(SERVICE_ACCOUNT_PREFIX):
        raise InvalidToken("the subject is not a service account")
    namespace, _, name = sub[len(SERVICE_ACCOUNT_PREFIX) :].partition(":")
    private = claims.get("kubernetes.io")
    if not namespace or not name or not isinstance(private, dict):
        raise InvalidToken("no service account claims")
    account = private.get("serviceaccount") or {}
    if private.get("namespace") != namespace or not isinstance(account, dict) or account.get("name") != name:
        raise InvalidToken("the kubernetes.io claims do not match the subject")
    extra: dict[str, tuple[str, ...]] = {}
    for kind in ("pod", "node"):
        ref = private.get(kind)
        if isinstance(ref, dict):
            extra[f"authentication.kubernetes.io/{kind}-name"] = (str(ref.get("name", "")),)
            extra[f"authentication.kubernetes.io/{kind}-uid"] = (str(ref.get("uid", "")),)
    if isinstance(claims.get("jti"), str):
        extra["authentication.kubernetes.io/credential-id"] = (f"JTI={claims['jti']}",)
    groups = (SERVICE_ACCOUNTS_GROUP, f"{SERVICE_ACCOUNTS_GROUP}:{namespace}", AUTHENTICATED_GROUP)
    return User(sub, str(account.get("uid", "")), groups, extra)


def _jwt_audiences(token: str) -> list[str]:
    """The ``aud`` claim of a JWT already verified (so well formed)."""
    aud = json.loads(_unb64(token.split(".")[1])).get("aud")
    return [aud] if isinstance(aud, str) else [a for a in aud if isinstance(a, str)] if isinstance(aud, list) else []


def _go_quoted(values: Iterable[object]) -> str:
    """A list of strings as Go's ``%q`` prints a slice: ``["a" "b"]`` (as kube-apiserver's messages show them)."""
    return "[" + " ".join(json.dumps(str(v)) for v in values) + "]"


def _public(key: PublicKey | PrivateKey) -> PublicKey:
    if isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        return key.public_key()
    return key


def _algorithm(key: PublicKey) -> str:
    if isinstance(key, rsa.RSAPublicKey):
        return "RS256"
    if isinstance(key.curve, ec.SECP256R1):
        return "ES256"
    raise ValueError(f"unsupported service-account key curve {key.curve.name}")


def _sign(key: PrivateKey, data: bytes) -> bytes:
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")  # JWS wants r || s, not DER (RFC 7518 3.4)


def _verify_signature(key: PublicKey, data: bytes, signature: bytes) -> bool:
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        else:
            if len(signature) != 64:
                return False
            der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
            key.verify(der, data, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


def _json(obj: Mapping[str, Any]) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# -- the middleware -------------------------------------------------------------------------------

# The authenticator of the server whose request the current task answers. TokenReview and
# TokenRequest need it (kube-apiserver hands its authenticator and token issuer to those handlers);
# the middleware, which the server builds with it, passes it down this way, as the client
# certificate is, so the app needs no handle on the PKI.
_AUTHENTICATOR: ContextVar[Authenticator | None] = ContextVar("k3py_authenticator", default=None)


def current_authenticator() -> Authenticator | None:
    """The authenticator in effect for the request being answered (``None``: none, e.g. in process)."""
    return _AUTHENTICATOR.get()


@contextlib.contextmanager
def serving(authenticator: Authenticator) -> Iterator[None]:
    """Make ``authenticator`` the one :func:`current_authenticator` returns within the block.

    :class:`AuthMiddleware` does this around every request; an in-process caller of the app
    (the in-process client) may do it too, to review and issue tokens as the server does.
    """
    reset = _AUTHENTICATOR.set(authenticator)
    try:
        yield
    finally:
        _AUTHENTICATOR.reset(reset)


class AuthMiddleware:
    """Puts the caller's :class:`User` into ``scope["k3py.user"]``; answers the anonymous with 401.

    Public paths pass without credentials (the user is ``None`` there unless valid credentials
    came along). Anywhere else a request without valid credentials gets the ``Unauthorized``
    Status kube-apiserver sends when anonymous auth is off; an invalid token counts as none,
    as there. A WebSocket upgrade is refused before it is accepted: with a 401 when the server
    supports ASGI's WebSocket denial response (hypercorn does), else with a close (a 403).
    The app runs with ``authenticator`` as :func:`current_authenticator`.
    """

    def __init__(self, app: ASGIApp, authenticator: Authenticator, public_paths: frozenset[str] = PUBLIC_PATHS) -> None:
        self.app = app
        self.authenticator = authenticator
        self.public_paths = public_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        extensions = dict(scope.get("extensions") or {})
        der = _client_certificate(extensions)
        user = self.authenticator.authenticate(client_cert=der, token=_token(scope))
        if user is None and scope.get("path", "") not in self.public_paths:
            logger.debug("401 for anonymous %s %s", scope.get("method", "WEBSOCKET"), scope.get("path", ""))
            await _unauthorized(scope, receive, send)
            return
        inner = dict(scope)
        inner[SCOPE_USER_KEY] = user
        if der is not None and "tls" not in extensions:
            extensions["tls"] = {
                "server_cert": None,
                "client_cert_chain": [ssl.DER_cert_to_PEM_cert(der)],
                "client_cert_name": None,
                "client_cert_error": None,
                "tls_version": None,
                "cipher_suite": None,
            }
            inner["extensions"] = extensions
        with serving(self.authenticator):
            await self.app(inner, receive, send)


def _client_certificate(extensions: Mapping[str, Any]) -> bytes | None:
    """The DER client certificate: from the ASGI TLS extension if the server fills it in, else ours."""
    tls = extensions.get("tls")
    if isinstance(tls, Mapping):
        chain = list(tls.get("client_cert_chain") or ())
        try:
            return ssl.PEM_cert_to_DER_cert(chain[0]) if chain else None
        except ValueError:
            return None
    return connection_certificate()


def _token(scope: Scope) -> str:
    """The bearer token of ``Authorization``, or (WebSockets) of kube's bearer subprotocol."""
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            parts = value.decode("latin-1").strip().split(" ")
            if len(parts) >= 2 and parts[0].lower() == "bearer" and parts[1]:
                return str(parts[1])
            return ""
    if scope["type"] == "websocket":
        for name, value in scope.get("headers", ()):
            if name != b"sec-websocket-protocol":
                continue
            for protocol in value.decode("latin-1").split(","):
                protocol = protocol.strip()
                if protocol.startswith(WEBSOCKET_TOKEN_PROTOCOL):
                    try:
                        return _unb64(protocol[len(WEBSOCKET_TOKEN_PROTOCOL) :]).decode()
                    except (ValueError, binascii.Error):
                        return ""
    return ""


_UNAUTHORIZED_BODY = json.dumps(errors.to_status(errors.Unauthorized("Unauthorized")), separators=(",", ":")).encode()
_UNAUTHORIZED_HEADERS = [
    (b"content-type", b"application/json"),
    (b"content-length", str(len(_UNAUTHORIZED_BODY)).encode()),
    (b"x-content-type-options", b"nosniff"),
]


async def _unauthorized(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "http":
        await send({"type": "http.response.start", "status": 401, "headers": _UNAUTHORIZED_HEADERS})
        await send({"type": "http.response.body", "body": _UNAUTHORIZED_BODY})
        return
    await receive()  # websocket.connect
    if "websocket.http.response" in (scope.get("extensions") or {}):
        await send({"type": "websocket.http.response.start", "status": 401, "headers": _UNAUTHORIZED_HEADERS})
        await send({"type": "websocket.http.response.body", "body": _UNAUTHORIZED_BODY})
    else:
        await send({"type": "websocket.close", "code": 1008})  # policy violation; servers answer 403
