"""Leader election over a Lease: one leader at a time, release on stop, takeover after expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import trio
import trio.testing

from k3py.api.client import Client
from k3py.controllers.leaderelection import LEASES, MICRO_TIME, LeaderElector

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


def trio_now() -> datetime:
    """Wall time that follows trio's (mock) clock, so that lease expiry can be tested."""
    return EPOCH + timedelta(seconds=trio.current_time())


def elector(client: Client, identity: str) -> LeaderElector:
    return LeaderElector(client, "controllers", identity, now=trio_now)


async def test_one_leader_at_a_time_and_a_released_lease_passes_at_once(
    client: Client, autojump_clock: trio.testing.MockClock
) -> None:
    terms: list[tuple[str, float, float]] = []
    leading: set[str] = set()

    def work_of(identity: str):  # type: ignore[no-untyped-def]
        async def work() -> None:
            assert not leading, f"{identity} leads while {leading} does"
            leading.add(identity)
            start = trio.current_time()
            try:
                await trio.sleep_forever()
            finally:
                leading.discard(identity)
                terms.append((identity, start, trio.current_time()))

        return work

    first = trio.CancelScope()
    async with trio.open_nursery() as outer:
        outer.start_soon(_run_in, first, elector(client, "a"), work_of("a"))
        await trio.sleep(1)
        outer.start_soon(elector(client, "b").run, work_of("b"))
        await trio.sleep(60)
        assert leading == {"a"}  # b waited all along: a kept renewing
        first.cancel()  # a stops and releases the lease
        await trio.sleep(5)
        assert leading == {"b"}
        outer.cancel_scope.cancel()
    (a_term, b_term) = terms
    assert a_term[0] == "a" and b_term[0] == "b"
    assert b_term[1] - a_term[2] <= 2 * LeaderElector.retry_period


async def _run_in(scope: trio.CancelScope, candidate: LeaderElector, work) -> None:  # type: ignore[no-untyped-def]
    with scope:
        await candidate.run(work)


async def test_a_crashed_leaders_lease_is_taken_after_it_expires(
    client: Client, autojump_clock: trio.testing.MockClock
) -> None:
    stamp = trio_now().strftime(MICRO_TIME)
    lease = {
        "apiVersion": LEASES[0],
        "kind": "Lease",
        "metadata": {"name": "controllers"},
        "spec": {"holderIdentity": "crashed", "leaseDurationSeconds": 15, "renewTime": stamp, "acquireTime": stamp},
    }
    await client.create(*LEASES, lease, namespace="kube-system")
    started = trio.Event()

    async def work() -> None:
        started.set()
        await trio.sleep_forever()

    async with trio.open_nursery() as nursery:
        nursery.start_soon(elector(client, "standby").run, work)
        await started.wait()
        took_over_after = trio.current_time()
        nursery.cancel_scope.cancel()
    assert 15 <= took_over_after <= 15 + 2 * LeaderElector.retry_period
    held = await client.get(*LEASES, "controllers", namespace="kube-system")
    assert held["spec"]["leaseTransitions"] == 1
    assert held["spec"]["holderIdentity"] == ""  # released when the standby stopped


async def test_a_leader_that_cannot_renew_stops_leading(client: Client, autojump_clock: trio.testing.MockClock) -> None:
    candidate = elector(client, "a")
    stopped = trio.Event()

    async def work() -> None:
        try:
            # someone else takes the lease by force (as after a network partition)
            lease = await client.get(*LEASES, "controllers", namespace="kube-system")
            lease["spec"]["holderIdentity"] = "usurper"
            await client.update(*LEASES, lease, namespace="kube-system")
            await trio.sleep_forever()
        finally:
            stopped.set()

    async with trio.open_nursery() as nursery:
        nursery.start_soon(candidate.run, work)
        with trio.fail_after(candidate.renew_deadline + 2 * candidate.retry_period):
            await stopped.wait()
        nursery.cancel_scope.cancel()
    assert stopped.is_set()
