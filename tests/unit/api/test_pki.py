"""The PKI under DATA_DIR/tls and the join token: created once, reused, reissued when they must
be; and the admin kubeconfig built from it."""

from __future__ import annotations

import base64
import datetime
import hashlib
import ipaddress
import time
from pathlib import Path

import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from k3py.api import kubeconfig, pki

NAMES = pki.ServingNames.build(node_name="pi-1", tls_sans=["k3py.example.com", "192.0.2.10", "2001:db8::1"])
ALL_FILES = (
    "server-ca.crt",
    "server-ca.key",
    "client-ca.crt",
    "client-ca.key",
    "serving-kube-apiserver.crt",
    "serving-kube-apiserver.key",
    "client-admin.crt",
    "client-admin.key",
    "service.key",
)


def cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def snapshot(data_dir: Path) -> dict[str, bytes]:
    files = {name: (data_dir / "tls" / name).read_bytes() for name in ALL_FILES}
    files["token"] = (data_dir / "token").read_bytes()
    return files


def test_ensure_creates_every_file_with_private_modes(tmp_path: Path) -> None:
    pki.ensure(tmp_path, NAMES)
    tls = tmp_path / "tls"
    assert tls.stat().st_mode & 0o777 == 0o700
    for name in ALL_FILES:
        mode = (tls / name).stat().st_mode & 0o777
        assert mode == (0o600 if name.endswith(".key") else 0o644), name
    assert (tmp_path / "token").stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tls.iterdir()) == sorted(ALL_FILES)  # no temp files left behind


def test_ensure_tightens_an_existing_tls_dir(tmp_path: Path) -> None:
    (tmp_path / "tls").mkdir(mode=0o755)
    pki.ensure(tmp_path, NAMES)
    assert (tmp_path / "tls").stat().st_mode & 0o777 == 0o700


def test_first_ensure_is_fast(tmp_path: Path) -> None:
    """The whole PKI in well under the start budget (ECDSA P-256; RSA would take far longer on a Pi)."""
    pki.ensure(tmp_path / "warm", NAMES)  # imports and first-use costs out of the way
    started = time.perf_counter()
    pki.ensure(tmp_path / "timed", NAMES)
    assert time.perf_counter() - started < 0.25


def test_serving_certificate_names_and_chain(tmp_path: Path) -> None:
    server = pki.ensure(tmp_path, NAMES)
    serving = cert(server.serving_cert_file)
    serving.verify_directly_issued_by(cert(server.server_ca_file))
    sans = serving.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    dns = set(sans.get_values_for_type(x509.DNSName))
    ips = {str(ip) for ip in sans.get_values_for_type(x509.IPAddress)}
    assert {
        "localhost",
        "kubernetes",
        "kubernetes.default",
        "kubernetes.default.svc",
        "kubernetes.default.svc.cluster.local",
        "pi-1",
        "k3py.example.com",
    } <= dns
    assert ips == {"127.0.0.1", "::1", "10.43.0.1", "192.0.2.10", "2001:db8::1"}
    usages = serving.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(usages) == [ExtendedKeyUsageOID.SERVER_AUTH]
    key = serving.public_key()
    assert isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1)


def test_serving_names_include_the_host_name_and_a_specific_bind_address() -> None:
    names = pki.ServingNames.build(node_name="Node-A", bind_address="10.0.0.7")
    assert "node-a" in names.dns
    assert ipaddress.ip_address("10.0.0.7") in names.ips
    assert ipaddress.ip_address("0.0.0.0") not in pki.ServingNames.build(bind_address="0.0.0.0").ips


def test_admin_certificate_is_system_admin_in_system_masters(tmp_path: Path) -> None:
    server = pki.ensure(tmp_path, NAMES)
    admin = x509.load_pem_x509_certificate(server.admin_cert_pem)
    admin.verify_directly_issued_by(server.client_ca)
    assert admin.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "system:admin"
    assert [a.value for a in admin.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)] == ["system:masters"]
    usages = admin.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(usages) == [ExtendedKeyUsageOID.CLIENT_AUTH]
    assert (tmp_path / "tls" / "client-admin.key").read_bytes() == server.admin_key_pem


def test_cas_are_cas_and_distinct(tmp_path: Path) -> None:
    server = pki.ensure(tmp_path, NAMES)
    server_ca, client_ca = cert(server.server_ca_file), cert(server.client_ca_file)
    for ca in (server_ca, client_ca):
        assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert server_ca.public_key() != client_ca.public_key()


def test_second_ensure_reuses_everything(tmp_path: Path) -> None:
    first = pki.ensure(tmp_path, NAMES)
    before = snapshot(tmp_path)
    second = pki.ensure(tmp_path, NAMES)
    assert snapshot(tmp_path) == before
    assert second.join_token == first.join_token


def test_changed_sans_reissue_only_the_serving_certificate(tmp_path: Path) -> None:
    pki.ensure(tmp_path, NAMES)
    before = snapshot(tmp_path)
    more = pki.ServingNames.build(node_name="pi-1", tls_sans=["k3py.example.com", "192.0.2.10", "2001:db8::1", "new"])
    pki.ensure(tmp_path, more)
    after = snapshot(tmp_path)
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {"serving-kube-apiserver.crt", "serving-kube-apiserver.key"}
    serving = cert(tmp_path / "tls" / "serving-kube-apiserver.crt")
    assert "new" in serving.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(
        x509.DNSName
    )


def test_leaves_expiring_soon_are_reissued(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pki, "LEAF_LIFETIME", datetime.timedelta(days=30))
    pki.ensure(tmp_path, NAMES)
    before = snapshot(tmp_path)
    monkeypatch.undo()
    pki.ensure(tmp_path, NAMES)
    after = snapshot(tmp_path)
    assert {name for name in before if before[name] != after[name]} == {
        "serving-kube-apiserver.crt",
        "serving-kube-apiserver.key",
        "client-admin.crt",
        "client-admin.key",
    }


def test_a_leaf_from_another_ca_is_reissued(tmp_path: Path) -> None:
    pki.ensure(tmp_path / "a", NAMES)
    pki.ensure(tmp_path / "b", NAMES)
    foreign = (tmp_path / "b" / "tls" / "client-admin.crt").read_bytes()
    (tmp_path / "a" / "tls" / "client-admin.crt").write_bytes(foreign)
    (tmp_path / "a" / "tls" / "client-admin.key").write_bytes(
        (tmp_path / "b" / "tls" / "client-admin.key").read_bytes()
    )
    server = pki.ensure(tmp_path / "a", NAMES)
    assert server.admin_cert_pem != foreign
    x509.load_pem_x509_certificate(server.admin_cert_pem).verify_directly_issued_by(server.client_ca)


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param("garbage", id="garbage-ca-cert"),
        pytest.param("missing-key", id="missing-ca-key"),
        pytest.param("other-key", id="ca-key-of-another-ca"),
    ],
)
def test_a_damaged_ca_is_an_error_not_replaced(tmp_path: Path, damage: str) -> None:
    pki.ensure(tmp_path / "d", NAMES)
    tls = tmp_path / "d" / "tls"
    if damage == "garbage":
        (tls / "server-ca.crt").write_bytes(b"not a certificate")
    elif damage == "missing-key":
        (tls / "server-ca.key").unlink()
    else:
        (tls / "server-ca.key").write_bytes((tls / "client-ca.key").read_bytes())
    before = {p.name: p.read_bytes() for p in tls.iterdir()}
    with pytest.raises(pki.PKIError, match="server-ca"):
        pki.ensure(tmp_path / "d", NAMES)
    assert {p.name: p.read_bytes() for p in tls.iterdir()} == before


def test_token_has_k3s_format_and_survives_restarts(tmp_path: Path) -> None:
    server = pki.ensure(tmp_path, NAMES)
    digest = hashlib.sha256(server.server_ca_pem).hexdigest()
    assert server.join_token.startswith(f"K10{digest}::server:")
    secret = server.join_token.rpartition(":")[2]
    assert len(secret) == 32 and int(secret, 16) >= 0
    assert (tmp_path / "token").read_text() == server.join_token + "\n"
    assert pki.ensure(tmp_path, NAMES).join_token == server.join_token


def test_token_flag_sets_the_secret(tmp_path: Path) -> None:
    server = pki.ensure(tmp_path, NAMES, token_secret="s3cret")
    assert server.join_token == pki.format_token(server.server_ca_pem, "s3cret")
    assert pki.ensure(tmp_path, NAMES, token_secret=server.join_token).join_token == server.join_token
    assert pki.ensure(tmp_path, NAMES).join_token == server.join_token  # kept without the flag


def test_full_token_for_another_ca_is_refused(tmp_path: Path) -> None:
    other = pki.ensure(tmp_path / "other", NAMES)
    with pytest.raises(pki.PKIError, match="CA hash"):
        pki.ensure(tmp_path / "mine", NAMES, token_secret=other.join_token)


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        pytest.param("K10abc::server:s3cret", ("abc", "s3cret"), id="full"),
        pytest.param("K10abc::node:pw", ("abc", "pw"), id="full-other-user"),
        pytest.param("s3cret", ("", "s3cret"), id="bare"),
    ],
)
def test_token_secret_parses_k3s_tokens(token: str, expected: tuple[str, str]) -> None:
    assert pki.token_secret(token) == expected


def test_unwritable_data_dir_is_a_pki_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(pki.PKIError, match="cannot set up"):
        pki.ensure(tmp_path / "file" / "data", NAMES)


def test_write_file_atomic_replaces_with_mode(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_text("old")
    path.chmod(0o644)
    pki.write_file_atomic(path, b"new", 0o600)
    assert path.read_bytes() == b"new"
    assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["f"]


# -- the kubeconfig --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bind", "url"),
    [
        pytest.param("0.0.0.0", "https://127.0.0.1:6443", id="any-v4"),
        pytest.param("::", "https://127.0.0.1:6443", id="any-v6"),
        pytest.param("", "https://127.0.0.1:6443", id="empty"),
        pytest.param("192.0.2.1", "https://192.0.2.1:6443", id="v4"),
        pytest.param("::1", "https://[::1]:6443", id="v6"),
        pytest.param("pi.local", "https://pi.local:6443", id="name"),
    ],
)
def test_kubeconfig_server_url(bind: str, url: str) -> None:
    assert kubeconfig.server_url(bind, 6443) == url


def test_kubeconfig_embeds_ca_and_admin_credentials(tmp_path: Path) -> None:
    server = pki.ensure(tmp_path / "data", NAMES)
    path = tmp_path / "etc" / "k3py" / "k3py.yaml"
    kubeconfig.write(path, "https://127.0.0.1:6443", server)
    assert path.stat().st_mode & 0o777 == 0o600
    config = yaml.safe_load(path.read_text())
    assert config["apiVersion"] == "v1" and config["kind"] == "Config"
    assert config["current-context"] == "default"
    assert config["contexts"] == [{"name": "default", "context": {"cluster": "default", "user": "default"}}]
    (cluster,) = config["clusters"]
    assert cluster["name"] == "default"
    assert cluster["cluster"]["server"] == "https://127.0.0.1:6443"
    assert base64.b64decode(cluster["cluster"]["certificate-authority-data"]) == server.server_ca_pem
    (user,) = config["users"]
    assert user["name"] == "default"
    assert base64.b64decode(user["user"]["client-certificate-data"]) == server.admin_cert_pem
    assert base64.b64decode(user["user"]["client-key-data"]) == server.admin_key_pem


def test_kubeconfig_mode_is_applied_on_rewrite(tmp_path: Path) -> None:
    server = pki.ensure(tmp_path / "data", NAMES)
    path = tmp_path / "k3py.yaml"
    kubeconfig.write(path, "https://127.0.0.1:6443", server)
    kubeconfig.write(path, "https://127.0.0.1:6443", server, mode=0o644)
    assert path.stat().st_mode & 0o777 == 0o644


def test_kubeconfig_unchanged_is_not_rewritten(tmp_path: Path) -> None:
    server = pki.ensure(tmp_path / "data", NAMES)
    path = tmp_path / "k3py.yaml"
    kubeconfig.write(path, "https://127.0.0.1:6443", server)
    inode = path.stat().st_ino
    kubeconfig.write(path, "https://127.0.0.1:6443", server)
    assert path.stat().st_ino == inode  # an atomic rewrite would have made a new file
    kubeconfig.write(path, "https://127.0.0.1:7443", server)
    assert path.stat().st_ino != inode
    assert "https://127.0.0.1:7443" in path.read_text()
