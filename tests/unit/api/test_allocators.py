"""Service address choices: free, in range, never the reserved ones."""

from __future__ import annotations

import random

from k3py.api import allocators


def test_choose_cluster_ip_avoids_used_and_reserved() -> None:
    rng = random.Random(7)
    used = {allocators.KUBERNETES_SERVICE_IP}
    for _ in range(200):
        ip = allocators.choose_cluster_ip(used, rng=rng)
        assert ip not in used and ip.startswith("10.43.") and ip not in ("10.43.0.0", "10.43.255.255")
        used.add(ip)


def test_check_cluster_ip_reasons() -> None:
    assert allocators.check_cluster_ip("10.43.1.2", set()) == []
    assert "not in the valid range" in allocators.check_cluster_ip("10.44.0.1", set())[0].message
    assert "already allocated" in allocators.check_cluster_ip("10.43.1.2", {"10.43.1.2"})[0].message
    assert "valid IP" in allocators.check_cluster_ip("nope", set())[0].message


def test_choose_node_port_in_range_and_free() -> None:
    used = set(range(30000, 32767))
    assert allocators.choose_node_port(used) == 32767
