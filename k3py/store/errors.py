"""The store's own sentinels, in the spirit of kine's ``ErrKeyExists``/``ErrCompacted``.

They say what happened in storage terms; ``api/storage_errors.py`` (a later layer) turns them
into Kubernetes errors verb by verb, adding the resource and the name.

    StoreError
    ├── KeyExists          create of a key that exists
    ├── KeyNotFound        update or delete of a key that does not exist
    ├── RevisionMismatch   compare-and-swap lost: carries the current value
    ├── Compacted          a revision older than the kept history (the API's 410 Expired)
    ├── FutureRevision     a revision newer than the store has reached
    ├── BadContinueToken   a continue token that is not one of ours
    ├── WatchDropped       a watcher fell behind its bounded buffer and was closed
    ├── StoreClosed        the store is shutting down
    └── StoreUnavailable   the datastore cannot be used (names the path and the cause)
        └── StoreFull      the disk is full; writes work again once space is back
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from k3py.store.revlog import KeyValue


class StoreError(Exception):
    """Base of the store's errors."""


class KeyExists(StoreError):
    def __init__(self, key: str) -> None:
        super().__init__(f"key {key} already exists")
        self.key = key


class KeyNotFound(StoreError):
    def __init__(self, key: str) -> None:
        super().__init__(f"key {key} not found")
        self.key = key


class RevisionMismatch(StoreError):
    """The key changed since the caller read it; ``current`` is its value now (retry with it)."""

    def __init__(self, key: str, expected: int, current: KeyValue) -> None:
        super().__init__(f"key {key} is at revision {current.mod_rev}, not {expected}")
        self.key = key
        self.expected = expected
        self.current = current


class Compacted(StoreError):
    """The requested revision is older than the history the store keeps: list again."""

    def __init__(self, requested: int, compacted: int) -> None:
        super().__init__(f"revision {requested} has been compacted (history starts after {compacted})")
        self.requested = requested
        self.compacted = compacted


class FutureRevision(StoreError):
    def __init__(self, requested: int, current: int) -> None:
        super().__init__(f"revision {requested} is newer than the current revision {current}")
        self.requested = requested
        self.current = current


class BadContinueToken(StoreError):
    """The continue token is malformed or belongs to another list."""


class WatchDropped(StoreError):
    """The watcher did not keep up with its bounded buffer; watch again from its last revision."""


class StoreClosed(StoreError):
    """The store is closing or closed."""


class StoreUnavailable(StoreError):
    """The datastore at ``path`` cannot be used because of ``cause``.

    ``fatal`` errors (corruption, I/O errors) stop the store: after a failed fsync the state on
    disk is unknown, so writing on would risk the data. Non-fatal ones (a full disk, a read-only
    mount) fail the writes at hand and the store keeps trying.
    """

    fatal: bool = False

    def __init__(self, path: str, cause: str, *, fatal: bool | None = None) -> None:
        super().__init__(f"datastore {path}: {cause}")
        self.path = path
        self.cause = cause
        if fatal is not None:
            self.fatal = fatal


class StoreFull(StoreUnavailable):
    """No space left for the datastore; writes succeed again once space is freed."""
