"""What every cluster has from the start: the system namespaces and the ``kubernetes`` service.

Idempotent: it creates what is missing and leaves what exists alone, so it runs on every start.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from k3py.api import allocators
from k3py.core import errors

if TYPE_CHECKING:
    from k3py.api.handlers import Resources
    from k3py.api.registry import Registry

logger = logging.getLogger(__name__)

SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")


async def ensure_defaults(resources: Resources, registry: Registry, *, https_port: int = 6443) -> None:
    namespaces = registry.lookup("", "v1", "namespaces")
    services = registry.lookup("", "v1", "services")
    assert namespaces is not None
    assert services is not None
    for name in SYSTEM_NAMESPACES:
        try:
            await resources.create(namespaces, "", {"metadata": {"name": name}})
            logger.info("Created namespace %s", name)
        except errors.AlreadyExists:
            pass
    kubernetes = {
        "metadata": {"name": "kubernetes", "labels": {"component": "apiserver", "provider": "kubernetes"}},
        "spec": {
            "type": "ClusterIP",
            "clusterIP": allocators.KUBERNETES_SERVICE_IP,
            "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": https_port}],
        },
    }
    try:
        await resources.create(services, "default", kubernetes)
        logger.info("Created service default/kubernetes at %s", allocators.KUBERNETES_SERVICE_IP)
    except errors.AlreadyExists:
        pass
