"""The datastore: a durable revision log with etcd's semantics (ARCHITECTURE.md section 3)."""

from k3py.store.errors import (
    BadContinueToken,
    Compacted,
    FutureRevision,
    KeyExists,
    KeyNotFound,
    RevisionMismatch,
    StoreClosed,
    StoreError,
    StoreFull,
    StoreUnavailable,
    WatchDropped,
)
from k3py.store.revlog import Event, EventType, KeyValue
from k3py.store.store import ListResult, Store, StoreSettings, StoreStats, Watch, describe, open_store

__all__ = [
    "BadContinueToken",
    "Compacted",
    "Event",
    "EventType",
    "FutureRevision",
    "KeyExists",
    "KeyNotFound",
    "KeyValue",
    "ListResult",
    "RevisionMismatch",
    "Store",
    "StoreClosed",
    "StoreError",
    "StoreFull",
    "StoreSettings",
    "StoreStats",
    "StoreUnavailable",
    "Watch",
    "WatchDropped",
    "describe",
    "open_store",
]
