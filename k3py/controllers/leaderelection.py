"""Leader election over a coordination.k8s.io/v1 Lease, as client-go's leaderelection does it.

One server runs the controllers; a second one (a standby) waits and takes over when the leader
stops renewing. The leader renews every ``retry_period``; a renewal changes nothing but
``spec.renewTime``, which the store keeps in memory and writes rarely (SD-card care). A candidate
takes the lease when its renew time is older than ``lease_duration``. A leader that cannot renew
for ``renew_deadline`` stops leading (its work is cancelled) before anyone may take over.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import trio

from k3py.core import errors

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from k3py.api.client import Client

logger = logging.getLogger(__name__)

Obj = dict[str, Any]
LEASES = ("coordination.k8s.io/v1", "leases")
MICRO_TIME = "%Y-%m-%dT%H:%M:%S.%fZ"


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class LeaderElector:
    """Campaign for the Lease ``namespace/name`` as ``identity`` and run ``work`` while leading."""

    client: Client
    name: str
    identity: str
    namespace: str = "kube-system"
    lease_duration: float = 15.0
    renew_deadline: float = 10.0
    retry_period: float = 2.0
    now: Callable[[], datetime] = _now

    async def run(self, work: Callable[[], Awaitable[None]]) -> None:
        """Forever: wait to lead, then run ``work`` until leadership is lost (``work`` is then
        cancelled, and started again on the next term). Cancelling this releases the lease."""
        try:
            while True:
                await self._acquire()
                logger.info("%s leads %s/%s", self.identity, self.namespace, self.name)
                async with trio.open_nursery() as nursery:
                    nursery.start_soon(self._renew, nursery.cancel_scope)
                    await work()
                    nursery.cancel_scope.cancel()  # the work ended by itself: so does this term
                logger.warning("%s no longer leads %s/%s", self.identity, self.namespace, self.name)
        finally:
            with trio.CancelScope(shield=True), trio.move_on_after(self.retry_period):
                await self._release()

    async def _acquire(self) -> None:
        while True:
            if await self._try_acquire_or_renew():
                return
            await trio.sleep(self.retry_period)  # a Lease is polled: nothing announces its expiry

    async def _renew(self, term: trio.CancelScope) -> None:
        last_renewal = trio.current_time()
        while True:
            await trio.sleep(self.retry_period)
            with trio.move_on_after(self.renew_deadline):
                if await self._try_acquire_or_renew():
                    last_renewal = trio.current_time()
                    continue
            if trio.current_time() - last_renewal >= self.renew_deadline:
                term.cancel()
                return

    async def _try_acquire_or_renew(self) -> bool:
        """One attempt; True when this candidate holds the lease afterwards."""
        now = self.now()
        try:
            lease = await self.client.get(*LEASES, self.name, namespace=self.namespace)
        except errors.NotFound:
            try:
                await self.client.create(*LEASES, self._lease(now, transitions=0), namespace=self.namespace)
            except errors.K3pyError:
                return False
            return True
        except errors.K3pyError as exc:
            logger.debug("leader election: %s", exc)
            return False
        spec = lease.get("spec") or {}
        holder = spec.get("holderIdentity") or ""
        transitions = int(spec.get("leaseTransitions") or 0)
        if holder == self.identity:
            spec["renewTime"] = now.strftime(MICRO_TIME)
        elif holder and not self._expired(spec, now):
            return False
        else:
            lease["spec"] = self._lease(now, transitions=transitions + 1)["spec"]
        try:
            await self.client.update(*LEASES, lease, namespace=self.namespace)
        except errors.K3pyError:  # a conflict: someone else wrote it first
            return False
        return True

    async def _release(self) -> None:
        """Let a standby take over at once instead of after the lease duration."""
        try:
            lease = await self.client.get(*LEASES, self.name, namespace=self.namespace)
            spec = lease.get("spec") or {}
            if spec.get("holderIdentity") != self.identity:
                return
            spec["holderIdentity"] = ""
            spec["leaseDurationSeconds"] = 1
            await self.client.update(*LEASES, lease, namespace=self.namespace)
        except errors.K3pyError as exc:
            logger.debug("leader election: release failed: %s", exc)

    def _expired(self, spec: Obj, now: datetime) -> bool:
        renewed = spec.get("renewTime") or spec.get("acquireTime")
        if not isinstance(renewed, str):
            return True
        try:
            at = datetime.strptime(renewed, MICRO_TIME).replace(tzinfo=UTC)
        except ValueError:
            return True
        duration = spec.get("leaseDurationSeconds") or self.lease_duration
        return at + timedelta(seconds=float(duration)) < now

    def _lease(self, now: datetime, *, transitions: int) -> Obj:
        stamp = now.strftime(MICRO_TIME)
        return {
            "apiVersion": LEASES[0],
            "kind": "Lease",
            "metadata": {"name": self.name, "namespace": self.namespace},
            "spec": {
                "holderIdentity": self.identity,
                "leaseDurationSeconds": int(self.lease_duration),
                "acquireTime": stamp,
                "renewTime": stamp,
                "leaseTransitions": transitions,
            },
        }
