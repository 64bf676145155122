"""The store's public surface is exactly its ``__all__`` (httpx's test_exported_members idea)."""

from __future__ import annotations

import k3py.store


def test_store_all_lists_every_public_name_and_only_those() -> None:
    public = {name for name in vars(k3py.store) if not name.startswith("_")}
    modules = {"backend", "coalesce", "errors", "keys", "revlog", "sql", "store", "writer"}
    assert set(k3py.store.__all__) == public - modules
