"""The workload controllers (ReplicaSet, ReplicationController, Deployment), run together on shared
pod and ReplicaSet informers, so that each pod event is watched, decoded and cached once for all
three rather than once each (on a small device that is most of their cost)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import trio

from k3py.controllers import podcontrol
from k3py.controllers.deployment import DeploymentController
from k3py.controllers.informer import Informer
from k3py.controllers.replicaset import REPLICATION_CONTROLLER, ReplicaSetController

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from k3py.api.client import Client

logger = logging.getLogger(__name__)


async def run(
    client: Client,
    *,
    now: Callable[[], datetime] = podcontrol.utc_now,
    task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED,
) -> None:
    """Run the three controllers until cancelled; ``started()`` once all of them reconcile."""
    pods = Informer(client, "v1", "pods")
    replicasets = Informer(client, "apps/v1", "replicasets")
    # both write ReplicaSets: each starts from the other's last write when its cache lags behind it
    written = podcontrol.LatestWrites()
    # made before the informers run: each registers its handlers when made
    controllers = (
        ReplicaSetController(client, pods=pods, owners=replicasets, now=now, written=written),
        ReplicaSetController(client, workload=REPLICATION_CONTROLLER, pods=pods, now=now),
        DeploymentController(client, replicasets=replicasets, pods=pods, now=now, written_replicasets=written),
    )
    async with trio.open_nursery() as nursery:
        await nursery.start(pods.run)
        await nursery.start(replicasets.run)
        for controller in controllers:
            await nursery.start(controller.run)
        logger.info("controllers running: replicaset, replicationcontroller, deployment")
        task_status.started()
