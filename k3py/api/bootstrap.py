"""What every cluster has from the start: the system namespaces (and, later, the kubernetes service).

Idempotent: it creates what is missing and leaves what exists alone, so it runs on every start.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from k3py.core import errors

if TYPE_CHECKING:
    from k3py.api.handlers import Resources
    from k3py.api.registry import Registry

logger = logging.getLogger(__name__)

SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")


async def ensure_defaults(resources: Resources, registry: Registry) -> None:
    namespaces = registry.lookup("", "v1", "namespaces")
    assert namespaces is not None
    for name in SYSTEM_NAMESPACES:
        try:
            await resources.create(namespaces, "", {"metadata": {"name": name}})
            logger.info("Created namespace %s", name)
        except errors.AlreadyExists:
            pass
