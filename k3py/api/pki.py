"""The server's PKI on disk (``DATA_DIR/tls/``) and the node join token (``DATA_DIR/token``), as K3s lays them out.

It owns creating, reusing and renewing the CAs, the serving certificate, the admin client
certificate and the service-account signing key, and nothing that uses them: TLS serving is
wired in ``server.py``, identities are read by ``auth``. Everything here is blocking file I/O and
CPU work: call it before ``trio.run`` or through ``concurrency.bridge.run_blocking``.

Theory of operation::

    ensure()
     ├─ server CA  (server-ca.crt/key)   signs ──> serving-kube-apiserver.crt/key (SANs)
     ├─ client CA  (client-ca.crt/key)   signs ──> client-admin.crt/key (system:admin, system:masters)
     ├─ service.key                      signs service-account JWTs (``auth``)
     └─ DATA_DIR/token                   K10<sha256 of server-ca.crt>::server:<secret>

A CA is created once and never replaced: replacing it would lock out every client and agent
that trusts it, so a damaged CA is an error for a human to look at. A leaf certificate is issued
again when it is missing, was not signed by the current CA, expires within ``RENEW_BEFORE``, or
(serving only) names a different set of SANs than asked for, as K3s does on start.
All keys are ECDSA P-256: creating the whole PKI takes a few milliseconds even on a Raspberry Pi,
where RSA 2048 key generation can take seconds. Existing RSA keys (copied from elsewhere) are
read and used as they are.
"""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import logging
import os
import secrets
import socket
import time
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv6Address
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

logger = logging.getLogger(__name__)

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
IPAddress = IPv4Address | IPv6Address

# File names as K3s uses them under server/tls/, so its operators find their way around.
SERVER_CA_CERT = "server-ca.crt"
SERVER_CA_KEY = "server-ca.key"
CLIENT_CA_CERT = "client-ca.crt"
CLIENT_CA_KEY = "client-ca.key"
SERVING_CERT = "serving-kube-apiserver.crt"
SERVING_KEY = "serving-kube-apiserver.key"
ADMIN_CERT = "client-admin.crt"
ADMIN_KEY = "client-admin.key"
SERVICE_KEY = "service.key"
TOKEN_FILE = "token"

ADMIN_USER = "system:admin"
ADMIN_GROUP = "system:masters"
# The IP the ``kubernetes`` service will get: the first address of K3s' service CIDR 10.43.0.0/16.
KUBERNETES_SERVICE_IP = ipaddress.ip_address("10.43.0.1")
# The in-cluster names of the API server (kube-apiserver adds the same to its serving cert).
KUBERNETES_NAMES = (
    "kubernetes",
    "kubernetes.default",
    "kubernetes.default.svc",
    "kubernetes.default.svc.cluster.local",
)

# Lifetimes as K3s: CAs ten years, leaves one year, renewed on start within 90 days of the end.
CA_LIFETIME = datetime.timedelta(days=3650)
LEAF_LIFETIME = datetime.timedelta(days=365)
RENEW_BEFORE = datetime.timedelta(days=90)
# Certificates start a little in the past so that a peer whose clock lags accepts them. A guess.
BACKDATE = datetime.timedelta(minutes=5)
# K3s' token prefix: version 1 of the format, then the CA hash, as in "K10<hash>::server:<secret>".
TOKEN_PREFIX = "K10"
TOKEN_SECRET_BYTES = 16  # 32 hex characters, as K3s generates


class PKIError(Exception):
    """The PKI on disk cannot be used as it is (a damaged CA, a token for another CA, no permission)."""


@dataclass(frozen=True, slots=True)
class ServingNames:
    """The subject alternative names the serving certificate must carry."""

    dns: frozenset[str]
    ips: frozenset[IPAddress]

    @classmethod
    def build(cls, *, node_name: str = "", bind_address: str = "", tls_sans: Iterable[str] = ()) -> ServingNames:
        """The default names (loopback, host and node name, the in-cluster names) plus ``tls_sans``.

        An entry that parses as an IP address becomes an IP SAN, anything else a DNS SAN
        (kube-apiserver and K3s sort ``--tls-san`` values the same way). A specific
        ``bind_address`` is added too, since clients will dial it.
        """
        dns = {"localhost", *KUBERNETES_NAMES}
        ips: set[IPAddress] = {ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1"), KUBERNETES_SERVICE_IP}
        candidates = [socket.gethostname(), node_name, *tls_sans]
        if bind_address:
            candidates.append(bind_address)
        for raw in candidates:
            name = raw.strip()
            if not name:
                continue
            try:
                ip = ipaddress.ip_address(name.strip("[]"))
            except ValueError:
                dns.add(name.lower())
            else:
                if not ip.is_unspecified:
                    ips.add(ip)
        return cls(frozenset(dns), frozenset(ips))


@dataclass(frozen=True, slots=True)
class ServerPKI:
    """The server's PKI, loaded: file paths for the TLS server, PEM bytes for kubeconfigs, keys for auth."""

    tls_dir: Path
    server_ca_pem: bytes
    client_ca_pem: bytes
    admin_cert_pem: bytes
    admin_key_pem: bytes = field(repr=False)
    service_key: PrivateKey = field(repr=False)
    #: the full join token, ``K10<ca hash>::server:<secret>``
    join_token: str = field(repr=False)

    @property
    def server_ca_file(self) -> Path:
        return self.tls_dir / SERVER_CA_CERT

    @property
    def client_ca_file(self) -> Path:
        return self.tls_dir / CLIENT_CA_CERT

    @property
    def serving_cert_file(self) -> Path:
        return self.tls_dir / SERVING_CERT

    @property
    def serving_key_file(self) -> Path:
        return self.tls_dir / SERVING_KEY

    @property
    def client_ca(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.client_ca_pem)


def ensure(data_dir: Path, names: ServingNames, *, token_secret: str = "") -> ServerPKI:
    """Create what is missing under ``data_dir/tls`` and ``data_dir/token``, reuse the rest; return it loaded.

    ``token_secret`` (``--token``) sets the secret part of the join token; it may also be a full
    ``K10...`` token, whose CA hash must then match this server's CA. Empty: keep the secret
    of an existing token file, or make a new one.

    Raises:
        PKIError: a CA file is damaged or half there, the token names another CA, or a file
            cannot be written.
    """
    started = time.perf_counter()
    tls_dir = data_dir / "tls"
    try:
        _make_private_dir(tls_dir)
        server_ca, server_ca_key = _ensure_ca(tls_dir, SERVER_CA_CERT, SERVER_CA_KEY, "k3py-server-ca")
        client_ca, client_ca_key = _ensure_ca(tls_dir, CLIENT_CA_CERT, CLIENT_CA_KEY, "k3py-client-ca")
        _ensure_serving(tls_dir, server_ca, server_ca_key, names)
        admin_cert, admin_key = _ensure_admin(tls_dir, client_ca, client_ca_key)
        service_key = _ensure_key(tls_dir / SERVICE_KEY)
        server_ca_pem = server_ca.public_bytes(serialization.Encoding.PEM)
        token = _ensure_token(data_dir / TOKEN_FILE, server_ca_pem, token_secret)
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        raise PKIError(f"cannot set up the TLS files: {where}{exc.strerror or exc}") from exc
    logger.debug("PKI ready in %.1f ms", (time.perf_counter() - started) * 1000)
    return ServerPKI(
        tls_dir=tls_dir,
        server_ca_pem=server_ca_pem,
        client_ca_pem=client_ca.public_bytes(serialization.Encoding.PEM),
        admin_cert_pem=admin_cert.public_bytes(serialization.Encoding.PEM),
        admin_key_pem=_key_pem(admin_key),
        service_key=service_key,
        join_token=token,
    )


def ca_hash(server_ca_pem: bytes) -> str:
    """The CA hash of a K3s token: the SHA-256 of the CA file's bytes, in hex."""
    return hashlib.sha256(server_ca_pem).hexdigest()


def format_token(server_ca_pem: bytes, secret: str) -> str:
    """The full join token, ``K10<ca hash>::server:<secret>``."""
    return f"{TOKEN_PREFIX}{ca_hash(server_ca_pem)}::server:{secret}"


def token_secret(token: str) -> tuple[str, str]:
    """``(ca_hash, secret)`` of a token: a full ``K10<hash>::<user>:<secret>`` one, or a bare secret (no hash)."""
    if token.startswith(TOKEN_PREFIX) and "::" in token:
        digest, _, credentials = token[len(TOKEN_PREFIX) :].partition("::")
        _, _, secret = credentials.rpartition(":")  # "server:<secret>", or a bare "<secret>"
        return digest, secret
    return "", token


def write_file_atomic(path: Path, data: bytes, mode: int) -> None:
    """Write ``data`` to ``path`` with ``mode`` so that readers see the old file or the new one, never a part.

    The bytes are synced before the rename: a power cut (no rare thing on a board) must not
    leave an empty key behind a name that says it is there.
    """
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        try:
            os.fchmod(fd, mode)  # the umask may have taken bits away
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# -- the parts -------------------------------------------------------------------------------------


def _make_private_dir(path: Path) -> None:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o777 != 0o700:
        path.chmod(0o700)


def _ensure_ca(tls_dir: Path, cert_name: str, key_name: str, cn: str) -> tuple[x509.Certificate, PrivateKey]:
    cert_path, key_path = tls_dir / cert_name, tls_dir / key_name
    have_cert, have_key = cert_path.exists(), key_path.exists()
    if have_cert and have_key:
        try:
            cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
            key = _load_key(key_path)
        except ValueError as exc:
            raise PKIError(f"{cert_path} or {key_path} is damaged ({exc}); restore them from a backup") from exc
        if cert.public_key() != key.public_key():
            raise PKIError(f"{key_path} is not the key of {cert_path}; restore the pair from a backup")
        return cert, key
    if have_cert or have_key:
        missing = key_path if have_cert else cert_path
        raise PKIError(f"{missing} is missing; restore it from a backup (a new CA would lock out every client)")
    key = _new_key()
    now = _now()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{cn}@{int(now.timestamp())}")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(now + CA_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_key_usage(digital_signature=True, key_cert_sign=True, crl_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    write_file_atomic(key_path, _key_pem(key), 0o600)
    write_file_atomic(cert_path, cert.public_bytes(serialization.Encoding.PEM), 0o644)
    logger.info("Created CA %s", cert_path)
    return cert, key


def _ensure_serving(tls_dir: Path, ca: x509.Certificate, ca_key: PrivateKey, names: ServingNames) -> None:
    cert_path, key_path = tls_dir / SERVING_CERT, tls_dir / SERVING_KEY
    current = _load_leaf(cert_path, key_path, ca)
    if current is not None:
        if _sans(current[0]) == names:
            return
        logger.info("The serving certificate's names changed: issuing it again")
    sans: list[x509.GeneralName] = [x509.DNSName(n) for n in sorted(names.dns)]
    sans += [x509.IPAddress(ip) for ip in sorted(names.ips, key=lambda ip: (ip.version, int(ip)))]
    _issue(
        cert_path,
        key_path,
        ca,
        ca_key,
        x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kube-apiserver")]),
        ExtendedKeyUsageOID.SERVER_AUTH,
        x509.SubjectAlternativeName(sans),
    )


def _ensure_admin(tls_dir: Path, ca: x509.Certificate, ca_key: PrivateKey) -> tuple[x509.Certificate, PrivateKey]:
    cert_path, key_path = tls_dir / ADMIN_CERT, tls_dir / ADMIN_KEY
    current = _load_leaf(cert_path, key_path, ca)
    if current is not None:
        return current
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ADMIN_GROUP),
            x509.NameAttribute(NameOID.COMMON_NAME, ADMIN_USER),
        ]
    )
    return _issue(cert_path, key_path, ca, ca_key, subject, ExtendedKeyUsageOID.CLIENT_AUTH, None)


def _issue(
    cert_path: Path,
    key_path: Path,
    ca: x509.Certificate,
    ca_key: PrivateKey,
    subject: x509.Name,
    usage: x509.ObjectIdentifier,
    sans: x509.SubjectAlternativeName | None,
) -> tuple[x509.Certificate, PrivateKey]:
    key = _new_key()
    now = _now()
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(min(now + LEAF_LIFETIME, ca.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(digital_signature=True), critical=True)
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
    )
    if sans is not None:
        builder = builder.add_extension(sans, critical=False)
    cert = builder.sign(ca_key, hashes.SHA256())
    write_file_atomic(key_path, _key_pem(key), 0o600)
    write_file_atomic(cert_path, cert.public_bytes(serialization.Encoding.PEM), 0o644)
    logger.info("Issued certificate %s", cert_path)
    return cert, key


def _load_leaf(cert_path: Path, key_path: Path, ca: x509.Certificate) -> tuple[x509.Certificate, PrivateKey] | None:
    """The certificate and key if both are there, match, were signed by ``ca`` and stay valid a while."""
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = _load_key(key_path)
    except FileNotFoundError:
        return None
    except ValueError as exc:
        logger.warning("%s or %s cannot be read (%s): issuing it again", cert_path, key_path, exc)
        return None
    if cert.public_key() != key.public_key():
        logger.warning("%s does not belong to %s: issuing it again", key_path, cert_path)
        return None
    try:
        cert.verify_directly_issued_by(ca)
    except (ValueError, TypeError, InvalidSignature):
        logger.info("%s was not issued by the current CA: issuing it again", cert_path)
        return None
    if cert.not_valid_after_utc - RENEW_BEFORE < _now():
        logger.info("%s expires on %s: issuing it again", cert_path, cert.not_valid_after_utc.date())
        return None
    return cert, key


def _ensure_key(path: Path) -> PrivateKey:
    try:
        return _load_key(path)
    except FileNotFoundError:
        pass
    except ValueError as exc:
        # Service-account tokens signed with the old key stop working, which a new TokenRequest fixes.
        logger.warning("%s cannot be read (%s): making a new one", path, exc)
    key = _new_key()
    write_file_atomic(path, _key_pem(key), 0o600)
    logger.info("Created service-account signing key %s", path)
    return key


def _ensure_token(path: Path, server_ca_pem: bytes, given: str) -> str:
    digest = ca_hash(server_ca_pem)
    if given:
        given_hash, secret = token_secret(given.strip())
        if given_hash and given_hash != digest:
            raise PKIError("the token's CA hash does not match this server's CA (tls/server-ca.crt)")
        if not secret:
            raise PKIError("the token has no secret after its CA hash")
    else:
        try:
            _, secret = token_secret(path.read_text().strip())
        except FileNotFoundError:
            secret = ""
        secret = secret or secrets.token_hex(TOKEN_SECRET_BYTES)
    token = format_token(server_ca_pem, secret)
    try:
        unchanged = path.read_text().strip() == token and path.stat().st_mode & 0o777 == 0o600
    except FileNotFoundError:
        unchanged = False
    if not unchanged:
        write_file_atomic(path, (token + "\n").encode(), 0o600)
        logger.info("Wrote the node join token to %s", path)
    return token


def _sans(cert: x509.Certificate) -> ServingNames:
    try:
        ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return ServingNames(frozenset(), frozenset())
    ips = [ip for ip in ext.get_values_for_type(x509.IPAddress) if isinstance(ip, IPv4Address | IPv6Address)]
    return ServingNames(frozenset(ext.get_values_for_type(x509.DNSName)), frozenset(ips))


def _new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _load_key(path: Path) -> PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise ValueError(f"unsupported key type {type(key).__name__}")
    return key


def _key_pem(key: PrivateKey) -> bytes:
    # SEC1 ("EC PRIVATE KEY") for EC keys, PKCS#1 for RSA, as K3s writes them.
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )


def _key_usage(
    *, digital_signature: bool = False, key_cert_sign: bool = False, crl_sign: bool = False
) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=key_cert_sign,
        crl_sign=crl_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)
