"""The controller manager: every controller of a server, run only while this server leads.

Like kube-controller-manager with ``--leader-elect``: a second server pointed at the same
datastore waits on the Lease and takes over when the leader stops renewing it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import trio

from k3py.controllers.garbagecollector import GarbageCollector
from k3py.controllers.leaderelection import LeaderElector
from k3py.scheduler.scheduler import Scheduler

if TYPE_CHECKING:
    from k3py.api.client import Client

logger = logging.getLogger(__name__)

LEASE_NAME = "k3py-controller-manager"


async def run_controllers(client: Client, *, identity: str) -> None:
    """Lead, then run the controllers until cancelled (or until leadership is lost, then lead again)."""

    async def controllers() -> None:
        async with trio.open_nursery() as nursery:
            await nursery.start(GarbageCollector(client).run)
            await nursery.start(Scheduler(client).run)
            logger.info("controllers running: garbage collector, scheduler")

    await LeaderElector(client, LEASE_NAME, identity).run(controllers)
