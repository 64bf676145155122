"""The controller manager: every controller of a server, run only while this server leads.

Like kube-controller-manager with ``--leader-elect``: a second server pointed at the same
datastore waits on the Lease and takes over when the leader stops renewing it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import trio

from k3py.controllers import nodelifecycle, workloads
from k3py.controllers.endpoints import EndpointsController
from k3py.controllers.endpointslices import EndpointSliceController
from k3py.controllers.garbagecollector import GarbageCollector
from k3py.controllers.leaderelection import LeaderElector
from k3py.controllers.nodelifecycle import NodeLifecycleController
from k3py.controllers.serviceaccounts import ServiceAccountsController
from k3py.scheduler.scheduler import Scheduler

if TYPE_CHECKING:
    from k3py.api.client import Client

logger = logging.getLogger(__name__)

LEASE_NAME = "k3py-controller-manager"


async def run_controllers(
    client: Client,
    *,
    identity: str,
    root_ca_pem: bytes | None = None,
    node_monitor_grace_period: float = nodelifecycle.NODE_MONITOR_GRACE_PERIOD,
    default_toleration_seconds: float = nodelifecycle.DEFAULT_TOLERATION_SECONDS,
) -> None:
    """Lead, then run the controllers until cancelled (or until leadership is lost, then lead again).

    Args:
        root_ca_pem: the server CA, published to every namespace as ``kube-root-ca.crt``
            (none is published without it).
        node_monitor_grace_period: how long a node's kubelet may stay silent before it is Unknown.
        default_toleration_seconds: how long pods stay on a not-ready or unreachable node when
            they do not say (the edge default: a day).
    """

    async def controllers() -> None:
        async with trio.open_nursery() as nursery:
            await nursery.start(GarbageCollector(client).run)
            await nursery.start(Scheduler(client).run)
            await nursery.start(EndpointsController(client).run)
            await nursery.start(EndpointSliceController(client).run)
            await nursery.start(ServiceAccountsController(client, root_ca_pem=root_ca_pem).run)
            lifecycle = NodeLifecycleController(
                client, grace_period=node_monitor_grace_period, default_toleration_seconds=default_toleration_seconds
            )
            await nursery.start(lifecycle.run)
            await nursery.start(workloads.run, client)
            logger.info("controllers running")

    await LeaderElector(client, LEASE_NAME, identity).run(controllers)
