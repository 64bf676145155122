"""Events about objects (``kubectl describe`` shows them), as client-go's event recorder writes them.

Repeats of the same event (same object, reason and message) are folded into one Event whose
``count`` and ``lastTimestamp`` grow, so a controller retrying in a loop does not flood the store
(an SD card's worth of writes). Recording never fails the caller: an event is best effort.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from k3py.core import errors

if TYPE_CHECKING:
    from collections.abc import Callable

    from k3py.api.client import Client

logger = logging.getLogger(__name__)

Obj = dict[str, Any]
NORMAL, WARNING = "Normal", "Warning"
# Folded events remembered per recorder; beyond this the oldest are forgotten (a new Event is written).
MAX_REMEMBERED = 4096


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class EventRecorder:
    """Records core/v1 Events as ``component`` (e.g. ``default-scheduler``) on ``host``."""

    client: Client
    component: str
    host: str = ""
    clock: Callable[[], str] = _now
    _folded: dict[tuple[str, str, str, str], tuple[str, str, int]] = field(default_factory=dict)

    async def record(self, obj: Obj, event_type: str, reason: str, message: str) -> None:
        """One event about ``obj`` (a full object or one with apiVersion/kind/metadata)."""
        metadata = obj.get("metadata") or {}
        namespace = str(metadata.get("namespace") or "default")
        involved = {
            "apiVersion": obj.get("apiVersion", ""),
            "kind": obj.get("kind", ""),
            "name": metadata.get("name", ""),
            "namespace": metadata.get("namespace", ""),
            "uid": metadata.get("uid", ""),
            "resourceVersion": metadata.get("resourceVersion", ""),
        }
        now = self.clock()
        fold_key = (str(involved["uid"]) or str(involved["name"]), reason, message, event_type)
        folded = self._folded.get(fold_key)
        try:
            if folded is not None:
                name, ns, count = folded
                patch = {"count": count + 1, "lastTimestamp": now}
                await self.client.patch("v1", "events", name, patch, namespace=ns)
                self._folded[fold_key] = (name, ns, count + 1)
                return
            name = f"{involved['name']}.{secrets.token_hex(8)}"
            event = {
                "apiVersion": "v1",
                "kind": "Event",
                "metadata": {"name": name, "namespace": namespace},
                "involvedObject": {k: v for k, v in involved.items() if v},
                "reason": reason,
                "message": message,
                "type": event_type,
                "source": {"component": self.component, **({"host": self.host} if self.host else {})},
                "reportingComponent": self.component,
                "reportingInstance": self.host or self.component,
                "firstTimestamp": now,
                "lastTimestamp": now,
                "count": 1,
            }
            await self.client.create("v1", "events", event, namespace=namespace)
        except errors.K3pyError as exc:
            logger.debug("event %s on %s not recorded: %s", reason, involved["name"], exc)
            self._folded.pop(fold_key, None)
            return
        if len(self._folded) >= MAX_REMEMBERED:
            self._folded.pop(next(iter(self._folded)))
        self._folded[fold_key] = (name, namespace, 1)
