"""Which writes may wait in memory: lease renewals that change nothing but the renew time.

A node's kubelet renews its Lease every 10 s, and leader election renews others every few
seconds. Written through, each renewal costs a WAL commit and an fsync on the SD card: several
megabytes an hour for no lasting value, since a renew time is only interesting while fresh. So
the store keeps such updates in memory (reads and watches see them at once) and writes the
newest one at most once per coalescing interval. Losing the last minute of renewals in a power
cut is harmless: the holder renews again, and a stale resourceVersion only costs it one retry.

Pure functions; no I/O.
"""

from __future__ import annotations

import json
from typing import Any

LEASE_PREFIX = "/registry/coordination.k8s.io/leases/"


def is_renewal_only(key: str, old: bytes, new: bytes) -> bool:
    """True when ``new`` differs from ``old`` in ``spec.renewTime`` (and managedFields times) only."""
    if not key.startswith(LEASE_PREFIX):
        return False
    try:
        old_obj, new_obj = json.loads(old), json.loads(new)
    except ValueError:
        return False
    if not isinstance(old_obj, dict) or not isinstance(new_obj, dict):
        return False
    return _without_renewal(old_obj) == _without_renewal(new_obj)


def _without_renewal(obj: dict[str, Any]) -> dict[str, Any]:
    out = dict(obj)
    spec = out.get("spec")
    if isinstance(spec, dict):
        out["spec"] = {k: v for k, v in spec.items() if k != "renewTime"}
    meta = out.get("metadata")
    if isinstance(meta, dict) and isinstance(meta.get("managedFields"), list):
        meta = dict(meta)
        meta["managedFields"] = [
            {k: v for k, v in entry.items() if k != "time"} if isinstance(entry, dict) else entry
            for entry in meta["managedFields"]
        ]
        out["metadata"] = meta
    return out
