"""The in-memory backend's collections: listed per location in this process, each a memory store named inside it."""

from __future__ import annotations

import threading
from pathlib import Path

from qa.store.collections import LEGACY_NAME, CollectionInfo, digest, find
from qa.store.memory.store import MemoryStore, forget, place
from qa.store.protocol import DocumentStore, StoreReadOnly

MEMORY_LEGACY = "."  # a store made before collections: the one named by the location itself

_listed: dict[str, dict[str, CollectionInfo]] = {}  # location -> name -> collection
_listed_lock = threading.Lock()


class MemoryCatalog:
    """The collections of one memory location: each a memory store named ``<location>/collections/<hash>``."""

    backend = "memory"

    def __init__(self, location: str | Path, read_only: bool = False):
        self.location = str(location)
        self.shown = self.location
        self.read_only = read_only

    def collections(self) -> list[CollectionInfo]:
        with _listed_lock:
            listed = list(_listed.get(self.location, {}).values())
        if all(c.namespace != MEMORY_LEGACY for c in listed) and place(self.location, create=False) is not None:
            listed.append(CollectionInfo(name=LEGACY_NAME, namespace=MEMORY_LEGACY))
        return sorted(listed, key=lambda c: c.name)

    def create(self, name: str, folder: str | None, namespace: str | None = None) -> CollectionInfo:
        self._refuse_if_read_only()
        with _listed_lock:
            listed = _listed.setdefault(self.location, {})
            if name not in listed:
                namespace = namespace or f"collections/{digest(name)}"
                for other in [n for n, c in listed.items() if c.namespace == namespace]:
                    del listed[other]
                listed[name] = CollectionInfo(name=name, folder=folder, namespace=namespace)
            return listed[name]

    def open(self, info: CollectionInfo, read_only: bool = False) -> DocumentStore:
        return MemoryStore(self._where(info), read_only=read_only or self.read_only)

    def drop(self, name: str) -> bool:
        self._refuse_if_read_only()
        found = find(self, name)
        if found is None:
            return False
        with _listed_lock:
            _listed.get(self.location, {}).pop(name, None)
        forget(self._where(found))
        return True

    def _where(self, info: CollectionInfo) -> str:
        """The location of a collection's store."""
        return self.location if info.namespace == MEMORY_LEGACY else f"{self.location}/{info.namespace}"

    def _refuse_if_read_only(self) -> None:
        if self.read_only:
            raise StoreReadOnly(f"the memory store {self.shown!r} is read-only: no collection can be added or removed")
