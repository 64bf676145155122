"""The scheduling queue: which pending pod to try next, and when to try a failed one again. Pure:
times are passed in, the caller waits.

kube-scheduler's PriorityQueue, in three parts:

- **active**: pods to try now, highest priority first, then the longest waiting;
- **backoff**: pods that failed recently and wait ``1 s * 2**(attempts-1)`` (at most 10 s) since
  their last attempt before they are active again;
- **unschedulable**: pods that no node could take. Only a change in the cluster that could help
  (a node added or changed, a pod deleted...) moves them back, to backoff if their backoff has
  not expired yet, else to active; each failure records which plugins refused, and a change only
  moves the pods refused by a plugin it concerns. Whatever is left there for 5 minutes is tried
  again anyway, in case an event was missed.

A change that arrives while a pod is being tried (to the cluster or to the pod itself) may concern
it, and its attempt will not have seen it: such a pod goes to backoff instead of unschedulable
when it fails (kube's ``moveRequestCycle`` and in-flight events).
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Iterable

#: podInitialBackoffDuration and podMaxBackoffDuration, kube-scheduler's defaults
INITIAL_BACKOFF: Final = 1.0
MAX_BACKOFF: Final = 10.0
#: podMaxInUnschedulablePodsDuration
MAX_UNSCHEDULABLE: Final = 300.0
#: a cluster change that concerns every plugin
ALL_PLUGINS: Final = frozenset({"*"})

ACTIVE, BACKOFF, UNSCHEDULABLE, IN_FLIGHT = "active", "backoff", "unschedulable", "in-flight"


@dataclass
class QueuedPod:
    key: str
    priority: int
    #: when it joined the active queue last (the tie-breaker among equal priorities)
    timestamp: float
    attempts: int = 0
    #: when it was last tried
    last_attempt: float = 0.0
    #: when it entered the unschedulable pool
    unschedulable_since: float = 0.0
    #: the plugins that refused it last time (empty: unknown, any change may help)
    plugins: frozenset[str] = frozenset()
    where: str = ACTIVE
    cycle: int = 0
    #: the pod itself changed while it was being tried: its attempt saw the old version
    changed_in_flight: bool = False
    #: bumped whenever the pod moves, so stale heap entries can be told apart
    generation: int = 0


@dataclass
class SchedulingQueue:
    initial_backoff: float = INITIAL_BACKOFF
    max_backoff: float = MAX_BACKOFF
    max_unschedulable: float = MAX_UNSCHEDULABLE
    pods: dict[str, QueuedPod] = field(default_factory=dict)
    _active: list[tuple[int, float, int, int, str]] = field(default_factory=list)
    _backoff: list[tuple[float, int, int, str]] = field(default_factory=list)
    #: the unschedulable pods, oldest first
    _unschedulable: dict[str, None] = field(default_factory=dict)
    _order: itertools.count[int] = field(default_factory=itertools.count)
    #: the number of pods popped so far: a pod's attempt is the cycle it was popped in
    cycle: int = 0
    _move_cycle: int = -1

    def __len__(self) -> int:
        return len(self.pods)

    def __contains__(self, key: str) -> bool:
        return key in self.pods

    def where(self, key: str) -> str:
        found = self.pods.get(key)
        return found.where if found is not None else ""

    # -- pods coming and going --------------------------------------------------------------------

    def add(self, key: str, priority: int, now: float) -> None:
        """A pod to schedule appeared (or changed): try it now, unless it is being tried or backing off."""
        found = self.pods.get(key)
        if found is None:
            found = self.pods[key] = QueuedPod(key, priority, now)
            self._to_active(found, now)
            return
        found.priority = priority
        if found.where == IN_FLIGHT:
            found.changed_in_flight = True
            return
        if found.where == UNSCHEDULABLE:
            self._move(found, now)
        elif found.where == ACTIVE:
            self._to_active(found, found.timestamp)  # re-sorted with its new priority

    def delete(self, key: str) -> None:
        found = self.pods.pop(key, None)
        self._unschedulable.pop(key, None)
        if found is not None:
            found.generation += 1  # its heap entries are now stale

    # -- attempts ---------------------------------------------------------------------------------

    def pop(self, now: float) -> str | None:
        """The next pod to try (now in flight), or None when none is due."""
        self._flush(now)
        while self._active:
            _, _, _, generation, key = heapq.heappop(self._active)
            found = self.pods.get(key)
            if found is None or found.generation != generation or found.where != ACTIVE:
                continue
            found.where = IN_FLIGHT
            found.changed_in_flight = False
            found.attempts += 1
            found.last_attempt = now
            found.cycle = self.cycle
            self.cycle += 1
            return key
        return None

    def done(self, key: str) -> None:
        """The pod was scheduled (or is gone): it leaves the queue."""
        self.delete(key)

    def failed(self, key: str, now: float, plugins: Iterable[str] = (), *, unschedulable: bool = True) -> None:
        """The attempt failed: wait for a cluster change (``unschedulable``), or just the backoff
        (an error, or a change happened during the attempt)."""
        found = self.pods.get(key)
        if found is None:
            return
        found.plugins = frozenset(plugins)
        found.last_attempt = now
        if unschedulable and self._move_cycle < found.cycle and not found.changed_in_flight:
            found.where = UNSCHEDULABLE
            found.unschedulable_since = now
            found.generation += 1
            self._unschedulable.pop(key, None)
            self._unschedulable[key] = None
        else:
            self._to_backoff_or_active(found, now)

    def backoff_until(self, key: str) -> float:
        found = self.pods.get(key)
        if found is None or found.attempts == 0:
            return 0.0
        delay = min(self.initial_backoff * 2.0 ** (found.attempts - 1), self.max_backoff)
        return found.last_attempt + delay

    # -- cluster changes --------------------------------------------------------------------------

    def move(self, plugins: frozenset[str], now: float) -> int:
        """A cluster change concerning ``plugins`` (``ALL_PLUGINS``: any) happened; returns how many
        unschedulable pods it moved."""
        self._move_cycle = self.cycle
        moved = 0
        for key in list(self._unschedulable):
            found = self.pods[key]
            if "*" in plugins or not found.plugins or found.plugins & plugins:
                self._move(found, now)
                moved += 1
        return moved

    def next_due(self) -> float | None:
        """When :meth:`pop` may next find something new (pods already active aside)."""
        while self._backoff and not self._valid(self._backoff[0][3], self._backoff[0][2], BACKOFF):
            heapq.heappop(self._backoff)
        times = [self._backoff[0][0]] if self._backoff else []
        for key in self._unschedulable:
            times.append(self.pods[key].unschedulable_since + self.max_unschedulable)
            break
        return min(times, default=None)

    # -- internals --------------------------------------------------------------------------------

    def _valid(self, key: str, generation: int, where: str) -> bool:
        found = self.pods.get(key)
        return found is not None and found.generation == generation and found.where == where

    def _to_active(self, found: QueuedPod, timestamp: float) -> None:
        found.where = ACTIVE
        found.timestamp = timestamp
        found.generation += 1
        heapq.heappush(self._active, (-found.priority, timestamp, next(self._order), found.generation, found.key))

    def _to_backoff_or_active(self, found: QueuedPod, now: float) -> None:
        until = self.backoff_until(found.key)
        if until > now:
            found.where = BACKOFF
            found.generation += 1
            heapq.heappush(self._backoff, (until, next(self._order), found.generation, found.key))
        else:
            self._to_active(found, now)

    def _move(self, found: QueuedPod, now: float) -> None:
        self._unschedulable.pop(found.key, None)
        self._to_backoff_or_active(found, now)

    def _flush(self, now: float) -> None:
        while self._backoff and self._backoff[0][0] <= now:
            _, _, generation, key = heapq.heappop(self._backoff)
            if self._valid(key, generation, BACKOFF):
                self._to_active(self.pods[key], now)
        for key in list(self._unschedulable):
            found = self.pods[key]
            if now - found.unschedulable_since < self.max_unschedulable:
                break
            self._move(found, now)
