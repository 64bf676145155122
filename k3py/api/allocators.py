"""ClusterIP and NodePort allocation for Services, as pure choices over what is in use.

The apiserver keeps allocation bitmaps in etcd; k3py runs one API server, so the services in the
store are the record, and the caller serialises service writes while it chooses and creates.
"""

from __future__ import annotations

import ipaddress
import random

from k3py.core import errors

SERVICE_CIDR = ipaddress.ip_network("10.43.0.0/16")  # K3s's default --service-cidr
KUBERNETES_SERVICE_IP = str(SERVICE_CIDR.network_address + 1)
NODE_PORT_RANGE = range(30000, 32768)  # 30000-32767, the apiserver's default


def choose_cluster_ip(used: set[str], *, rng: random.Random | None = None) -> str:
    """A free address of the service CIDR (never the network, .1 or broadcast)."""
    chooser = rng or random.SystemRandom()
    first, last = int(SERVICE_CIDR.network_address) + 2, int(SERVICE_CIDR.broadcast_address) - 1
    for _ in range(64):  # random probes first: cheap while the range is sparse
        candidate = str(ipaddress.ip_address(chooser.randint(first, last)))
        if candidate not in used:
            return candidate
    for value in range(first, last + 1):
        candidate = str(ipaddress.ip_address(value))
        if candidate not in used:
            return candidate
    raise errors.Internal(f"the service CIDR {SERVICE_CIDR} is full")


def check_cluster_ip(ip: str, used: set[str]) -> list[errors.Cause]:
    """Why a requested ``spec.clusterIP`` cannot be had (empty list: it can)."""
    field = "spec.clusterIPs[0]"
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return [errors.Cause("FieldValueInvalid", f'Invalid value: "{ip}": must be a valid IP address', field)]
    if address not in SERVICE_CIDR:
        return [
            errors.Cause(
                "FieldValueInvalid",
                f'Invalid value: "{ip}": failed to allocate IP {ip}: the provided IP ({ip}) is not in the valid '
                f"range. The range of valid IPs is {SERVICE_CIDR}",
                field,
            )
        ]
    if ip in used:
        return [
            errors.Cause(
                "FieldValueInvalid",
                f'Invalid value: "{ip}": failed to allocate IP {ip}: provided IP is already allocated',
                field,
            )
        ]
    return []


def choose_node_port(used: set[int], *, rng: random.Random | None = None) -> int:
    chooser = rng or random.SystemRandom()
    free = [port for port in NODE_PORT_RANGE if port not in used]
    if not free:
        raise errors.Internal("the NodePort range 30000-32767 is full")
    return chooser.choice(free)
