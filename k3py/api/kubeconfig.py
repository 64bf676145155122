"""The admin kubeconfig K3s writes at start (``--write-kubeconfig``, mode ``--write-kubeconfig-mode``).

It owns the file's content and writing it atomically, nothing else: the certificates come from
``pki``. The YAML is put together by hand, in the exact layout K3s writes, so reading it needs no
YAML library and writing it needs none either; every value is base64 or a URL, which YAML takes
without quoting. Blocking file I/O: call it through ``concurrency.bridge.run_blocking``.
"""

from __future__ import annotations

import base64
import ipaddress
import logging
from typing import TYPE_CHECKING

from k3py.api import pki

if TYPE_CHECKING:
    from pathlib import Path

logger = logging.getLogger(__name__)

#: K3s' default mode: only root may read the admin credentials
DEFAULT_MODE = 0o600
#: the names K3s gives the cluster, the user and the context
NAME = "default"


def server_url(bind_address: str, port: int) -> str:
    """The URL the kubeconfig names: loopback when listening on every address (as K3s), else that address."""
    host = bind_address.strip("[]") or "127.0.0.1"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return f"https://{host}:{port}"  # a host name
    if ip.is_unspecified:
        return f"https://127.0.0.1:{port}"
    return f"https://[{ip}]:{port}" if ip.version == 6 else f"https://{ip}:{port}"


def render(server: str, ca_pem: bytes, cert_pem: bytes, key_pem: bytes) -> str:
    """The kubeconfig text: cluster, user and context ``default``, everything embedded."""
    return (
        "apiVersion: v1\n"
        "clusters:\n"
        "- cluster:\n"
        f"    certificate-authority-data: {_b64(ca_pem)}\n"
        f"    server: {server}\n"
        f"  name: {NAME}\n"
        "contexts:\n"
        "- context:\n"
        f"    cluster: {NAME}\n"
        f"    user: {NAME}\n"
        f"  name: {NAME}\n"
        f"current-context: {NAME}\n"
        "kind: Config\n"
        "preferences: {}\n"
        "users:\n"
        f"- name: {NAME}\n"
        "  user:\n"
        f"    client-certificate-data: {_b64(cert_pem)}\n"
        f"    client-key-data: {_b64(key_pem)}\n"
    )


def write(path: Path, server: str, server_pki: pki.ServerPKI, *, mode: int = DEFAULT_MODE) -> None:
    """Write the admin kubeconfig for ``server`` to ``path`` with ``mode``, atomically (temp file, rename).

    A file that already says the same with the same mode is left alone. The folder is created
    if missing (readable by all, as ``/etc`` folders are; the file is what holds the key).

    Raises:
        OSError: the folder or the file cannot be written.
    """
    data = render(server, server_pki.server_ca_pem, server_pki.admin_cert_pem, server_pki.admin_key_pem).encode()
    try:
        if path.read_bytes() == data and path.stat().st_mode & 0o777 == mode:
            logger.info("Kubeconfig %s is up to date", path)
            return  # spares an SD card a write and an fsync at every start
    except FileNotFoundError:
        path.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
    pki.write_file_atomic(path, data, mode)
    logger.info("Wrote kubeconfig %s", path)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
