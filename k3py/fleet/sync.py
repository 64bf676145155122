"""The edge sync: a device's one task between its hub's broker and its local API.

Bundles arrive on the device's retained desired topic; each is verified offline
(:func:`k3py.fleet.bundle.open_sealed`, against the revision the device last applied, which
survives reboots in the local store) and applied (:class:`k3py.fleet.edge.EdgeApplier`). The
device answers on its reported topic with one retained message per change: the revision it runs,
what became of each object, or why it refused a bundle. Presence is a retained ``online`` message
and a last will saying ``offline``, so the hub knows a device is gone without polling it.

At start the device applies its stored bundle again (verified again), before any link is needed.
While the broker is away the device simply keeps running what it applied; when the link returns,
the broker hands it the one retained bundle (the newest) and takes the one retained report: one
message each way, however long the device was away.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any, Final

import trio

from k3py.fleet import bundle as wire
from k3py.fleet.edge import EdgeApplier
from k3py.fleet.mqtt import Session, Settings, Will

if TYPE_CHECKING:
    from k3py.api.client import Client
    from k3py.fleet.enrollment import Enrollment

logger = logging.getLogger(__name__)

ONLINE: Final = b'{"online":true}'
OFFLINE: Final = b'{"online":false}'


def settings_for(enrollment: Enrollment) -> Settings:
    return Settings(
        host=enrollment.host,
        port=enrollment.port,
        client_id=enrollment.device,
        username=enrollment.username,
        password=enrollment.password,
        tls=enrollment.tls(),
        will=Will(enrollment.topic("presence"), OFFLINE),
        subscriptions=((enrollment.topic("desired"), 1),),
    )


async def run_edge_sync(
    client: Client, enrollment: Enrollment, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED
) -> None:
    """Keep this device in step with its hub until cancelled."""
    applier = EdgeApplier(client)
    state = await applier.load()
    report: dict[str, Any] = {"device": enrollment.device, "revision": state.revision}
    if state.sealed:
        # back to the last desired state before any link is needed: a reboot while offline, or
        # local edits of what the fleet owns, must not outlast a restart
        try:
            kept = wire.open_sealed(
                state.sealed, enrollment.public_key(), device=enrollment.device, applied_revision=state.revision - 1
            )
        except wire.BundleRejected as exc:
            logger.error("fleet: the stored bundle no longer verifies (%s): %s", exc.reason, exc)
        else:
            await applier.apply(kept, state.sealed)
            logger.info("fleet: revision %d applied again from the local store", kept.revision)
    session = Session(settings_for(enrollment))
    async with trio.open_nursery() as nursery:
        await nursery.start(session.run)
        session.publish(enrollment.topic("presence"), ONLINE, qos=1, retain=True)
        logger.info(
            "fleet: device %s follows %s from revision %d", enrollment.device, enrollment.broker, state.revision
        )
        task_status.started()
        async for message in session.messages:
            if message.topic != enrollment.topic("desired"):
                continue
            try:
                bundle = wire.open_sealed(
                    message.payload, enrollment.public_key(), device=enrollment.device, applied_revision=state.revision
                )
            except wire.Stale as exc:
                logger.info("fleet: %s", exc)  # the retained bundle the device already runs
                continue
            except wire.BundleRejected as exc:
                logger.warning("fleet: bundle refused (%s): %s", exc.reason, exc)
                report = {**report, "rejected": {"reason": exc.reason, "message": str(exc)}}
            else:
                results = await applier.apply(bundle, message.payload)
                state = await applier.load()
                report = {
                    "device": enrollment.device,
                    "revision": bundle.revision,
                    "objects": [r.report() for r in results],
                }
                failed = sum(r.outcome == "Failed" for r in results)
                logger.info("fleet: applied revision %d (%d objects, %d failed)", bundle.revision, len(results), failed)
            body = json.dumps(report, sort_keys=True, separators=(",", ":")).encode()
            session.publish(enrollment.topic("reported"), body, qos=1, retain=True)
