"""Informers: a local, always-current copy of one resource, kept by list and watch.

A controller reads the cache instead of the API and is told of every change through its
handlers, which usually put keys in a :class:`~k3py.controllers.workqueue.WorkQueue`. As
client-go's reflector does, an informer lists, then watches from the list's resourceVersion; when
the watch ends it watches again from the last revision it saw, and when that revision has been
compacted (410 Expired) it lists again and reports the difference as events, so no change is
lost and none is reported twice. ``resync`` re-delivers every cached object periodically, which
makes level-triggered controllers converge even after a bug dropped an event.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import trio

from k3py.core import errors

Obj = dict[str, Any]

if TYPE_CHECKING:
    from collections.abc import Callable

    from k3py.api.client import Client

    #: (old, new): old is None for an addition, new is None for a deletion
    Handler = Callable[[Obj | None, Obj | None], None]

logger = logging.getLogger(__name__)

ADDED, MODIFIED, DELETED, BOOKMARK = "ADDED", "MODIFIED", "DELETED", "BOOKMARK"
# How long to wait before listing again after an error other than Expired (doubling, capped).
RETRY_DELAY = 0.2
MAX_RETRY_DELAY = 30.0
# A watch request's server-side timeout: the watch is then renewed from its last revision.
WATCH_TIMEOUT_SECONDS = 300


def key_of(obj: Obj) -> str:
    """``namespace/name``, or ``name`` for cluster-scoped objects (client-go's MetaNamespaceKeyFunc)."""
    metadata = obj.get("metadata") or {}
    namespace, name = metadata.get("namespace") or "", str(metadata.get("name", ""))
    return f"{namespace}/{name}" if namespace else name


def split_key(key: str) -> tuple[str, str]:
    """``(namespace, name)`` of a key."""
    namespace, _, name = key.rpartition("/")
    return namespace, name


@dataclass
class Informer:
    """One resource (optionally one namespace or selection) listed, watched and cached."""

    client: Client
    api_version: str
    plural: str
    namespace: str = ""
    label_selector: str = ""
    field_selector: str = ""
    resync: float = 0.0
    cache: dict[str, Obj] = field(default_factory=dict)
    synced: trio.Event = field(default_factory=trio.Event)
    _handlers: list[Handler] = field(default_factory=list)
    _revision: str = ""

    def on_change(self, handler: Handler) -> None:
        """Call ``handler(old, new)`` for every change (and every cached object at each resync)."""
        self._handlers.append(handler)

    def get(self, key: str) -> Obj | None:
        return self.cache.get(key)

    def list(self) -> list[Obj]:
        return list(self.cache.values())

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Keep the cache current until cancelled; ``task_status.started()`` once it first holds the
        whole list (the informer is then *synced*)."""
        delay = RETRY_DELAY
        started = False
        async with trio.open_nursery() as nursery:
            if self.resync > 0:
                nursery.start_soon(self._resync)
            while True:
                try:
                    if not self._revision:
                        await self._relist()
                        if not started:
                            started = True
                            task_status.started()
                    await self._watch()
                    delay = RETRY_DELAY
                except errors.Expired:
                    self._revision = ""  # compacted: list again, at once
                except (errors.K3pyError, OSError, ValueError) as exc:
                    logger.warning("informer %s: %s; retrying in %.1fs", self.plural, exc, delay)
                    await trio.sleep(delay)
                    delay = min(delay * 2, MAX_RETRY_DELAY)
                    self._revision = ""

    async def _relist(self) -> None:
        listing = await self.client.list(
            self.api_version,
            self.plural,
            namespace=self.namespace,
            label_selector=self.label_selector,
            field_selector=self.field_selector,
        )
        fresh = {key_of(item): item for item in listing.get("items") or []}
        stale = self.cache
        self.cache = fresh
        self._revision = str((listing.get("metadata") or {}).get("resourceVersion", ""))
        for key, gone in stale.items():
            if key not in fresh:
                self._notify(gone, None)
        for key, new in fresh.items():
            old = stale.get(key)
            if old is None:
                self._notify(None, new)
            elif _revision_of(old) != _revision_of(new):
                self._notify(old, new)
        self.synced.set()

    async def _watch(self) -> None:
        events = self.client.watch(
            self.api_version,
            self.plural,
            namespace=self.namespace,
            resource_version=self._revision,
            label_selector=self.label_selector,
            field_selector=self.field_selector,
            timeout_seconds=WATCH_TIMEOUT_SECONDS,
        )
        async with contextlib.aclosing(events):  # type: ignore[type-var]  # an async generator
            async for kind, obj in events:
                revision = _revision_of(obj)
                if revision:
                    self._revision = revision
                if kind == BOOKMARK:
                    continue
                key = key_of(obj)
                old = self.cache.get(key)
                if kind == DELETED:
                    self.cache.pop(key, None)
                    self._notify(old or obj, None)
                else:
                    self.cache[key] = obj
                    self._notify(old, obj)

    async def _resync(self) -> None:
        await self.synced.wait()
        while True:
            await trio.sleep(self.resync)
            for obj in list(self.cache.values()):
                self._notify(obj, obj)

    def _notify(self, old: Obj | None, new: Obj | None) -> None:
        for handler in self._handlers:
            handler(old, new)


def _revision_of(obj: Obj) -> str:
    return str((obj.get("metadata") or {}).get("resourceVersion", ""))
