"""Named collections in one store location: each a store of its own (a subfolder, a schema), listed in a catalog."""

from __future__ import annotations

import hashlib
import os
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
from pydantic import BaseModel

from qa.models import Document, Passage
from qa.store.protocol import (
    DocumentStore,
    DocumentWrite,
    Relocation,
    StoredDocument,
    StoreError,
    StoreManifest,
    StoreReadOnly,
    StoreSettings,
    backend_package,
)
from qa.validation import CollectionError, FolderError

LEGACY_NAME = "default"  # an index made before collections, until a folder whose files it holds claims it
SHOWN_NAMES = 5


class CollectionInfo(BaseModel):
    """One collection: its name, the documents folder it mirrors (resolved; None for documents given as texts) and
    where its store lives inside the location (a subfolder of the index, a schema of the database)."""

    name: str
    folder: str | None = None
    namespace: str


@runtime_checkable
class Catalog(Protocol):
    """The collections of one store location; every backend passes ``qa.testing.collections``."""

    backend: str
    shown: str  # the location as messages show it (no password)

    def collections(self) -> list[CollectionInfo]:
        """Every collection, ordered by name (an index made before collections is one, named LEGACY_NAME)."""
        ...

    def create(self, name: str, folder: str | None, namespace: str | None = None) -> CollectionInfo:
        """The collection ``name``, recorded with ``folder`` when new (``namespace``: claim an existing store)."""
        ...

    def open(self, info: CollectionInfo, read_only: bool = False) -> DocumentStore:
        """The store of a collection listed here."""
        ...

    def drop(self, name: str) -> bool:
        """Remove a collection with its documents; False when there is none of that name."""
        ...


def collection_names(setting: str | list[str]) -> list[str]:
    """The collections a ``collection`` setting names: none (empty), one, or several (a list; JSON in QA_COLLECTION)."""
    names = [setting] if isinstance(setting, str) else list(setting)
    return list(dict.fromkeys(name for name in names if name))


def folder_collection(folder: str | Path) -> str:
    """The name of a documents folder's own collection: its resolved path."""
    return str(Path(folder).expanduser().resolve())


def digest(name: str, length: int = 12) -> str:
    return hashlib.sha256(name.encode("utf-8")).hexdigest()[:length]


def find(catalog: Catalog, name: str) -> CollectionInfo | None:
    return next((c for c in catalog.collections() if c.name == name), None)


def names_line(collections: list[CollectionInfo]) -> str:
    """The collections' names as a message lists them: the first few, then how many more."""
    names = [c.name for c in collections]
    more = len(names) - SHOWN_NAMES
    return ", ".join(names[:SHOWN_NAMES]) + (f" and {more} more" if more > 0 else "")


def choose(
    catalog: Catalog,
    wanted: str | None,
    folder: Path | None,
    writable: bool,
    folder_needed: bool = True,
) -> CollectionInfo:
    """The collection a question or an indexing run works on: the one named ``wanted`` (made when missing), else
    ``folder``'s own (an index made before collections is claimed by the folder whose files it holds), else the only
    collection there is. Raises CollectionError when that is none or several, StoreReadOnly when a read-only catalog
    lacks it, FolderError when it would be made for a missing folder (unless not ``folder_needed``: documents are
    given as texts)."""
    if wanted is None and folder is None:
        listed = catalog.collections()
        if len(listed) == 1:
            return listed[0]
        if not listed:
            raise CollectionError(f"Nothing is indexed in {catalog.shown} yet: index a folder first (qa index FOLDER).")
        raise CollectionError(
            f"{catalog.shown} holds {len(listed)} collections ({names_line(listed)}): choose one with "
            "--collection NAME (QA_COLLECTION)."
        )
    name = wanted if wanted is not None else folder_collection(folder)  # type: ignore[arg-type]
    found = find(catalog, name)
    if found is not None and folder is not None and found.folder not in (None, folder_collection(folder)):
        raise CollectionError(
            f"The collection {name!r} holds the documents of {found.folder}, not of {folder}: name another collection "
            "for this folder, or drop that one first (qa collections --drop NAME)."
        )
    if found is not None:
        return found
    legacy = find(catalog, LEGACY_NAME)
    if wanted is None and folder is not None and legacy is not None and legacy.folder is None:
        if holds_files_of(catalog, legacy, folder):
            return catalog.create(name, folder_collection(folder), legacy.namespace) if writable else legacy
    if not writable:
        raise StoreReadOnly(f"{catalog.shown} is read-only and holds no collection {name!r} yet")
    if folder_needed and folder is not None and not folder.is_dir():
        raise FolderError(f"documents folder not found: {folder}")
    return catalog.create(name, folder_collection(folder) if folder is not None else None)


def holds_files_of(catalog: Catalog, info: CollectionInfo, folder: Path) -> bool:
    """Whether a collection's store is empty or holds a document read from a file in ``folder`` (a source may be
    relative to the folder the index was made from: it is tried from here too); a store too damaged to tell is
    taken to be the folder's, so that verifying and repairing it goes on."""
    try:
        store = catalog.open(info, read_only=True)
        try:
            sources = [d.source for d in store.documents()]
        finally:
            store.close()
    except StoreError:
        return True
    root = Path(folder).expanduser().resolve()
    return not sources or any(Path(os.path.abspath(source)).is_relative_to(root) for source in sources)


def writable_folder(folder: Path) -> bool:
    """Whether ``folder`` (or, when it does not exist yet, the nearest folder above it) can be written to."""
    folder = Path(folder).expanduser().absolute()
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return os.access(folder, os.W_OK)


def open_catalog(backend: str, location: str, read_only: bool = False) -> Catalog:
    """The catalog of collections at ``location`` (what the backend's ``LOCATION`` setting holds)."""
    return backend_package(backend).Catalog(location, read_only=read_only)


class CombinedStore:
    """Several collections asked as one (read-only): searches merge their results by score, reads look in each."""

    backend = "combined"

    def __init__(self, stores: list[DocumentStore], names: list[str]):
        self.stores = stores
        self.names = names
        self.read_only = True

    def bind(self, settings: StoreSettings) -> bool:
        return all(store.bind(settings) for store in self.stores)

    def clear(self) -> None:
        raise self._refused("clear")

    def writer(self, timeout: float = 60.0) -> AbstractContextManager[None]:
        raise self._refused("index")

    def write(self, items: list[DocumentWrite]) -> None:
        raise self._refused("write")

    def delete(self, document_ids: list[str]) -> int:
        raise self._refused("delete")

    def set_source(self, moved: Relocation) -> None:
        raise self._refused("write")

    def ignore(self, sources: list[str], ignored: bool = True) -> None:
        raise self._refused("write")

    def ignored(self) -> set[str]:
        return set().union(*(store.ignored() for store in self.stores))

    def documents(self, ids: list[str] | None = None) -> list[StoredDocument]:
        found = {d.id: d for store in self.stores for d in store.documents(ids)}
        return sorted(found.values(), key=lambda d: d.source)

    def get_documents(self, ids: list[str]) -> dict[str, Document]:
        return {k: v for store in reversed(self.stores) for k, v in store.get_documents(ids).items()}

    def get_passages(self, ids: list[str]) -> dict[str, Passage]:
        return {k: v for store in reversed(self.stores) for k, v in store.get_passages(ids).items()}

    def get_vectors(self, ids: list[str]) -> dict[str, np.ndarray]:
        return {k: v for store in reversed(self.stores) for k, v in store.get_vectors(ids).items()}

    def dense_search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        return merged([store.dense_search(vector, k) for store in self.stores], k)

    def keyword_search(self, text: str, k: int) -> list[tuple[str, float]]:
        return merged([store.keyword_search(text, k) for store in self.stores], k)

    def manifest(self) -> StoreManifest:
        manifests = [store.manifest() for store in self.stores]
        return StoreManifest(
            backend=self.backend,
            location=" + ".join(m.location for m in manifests),
            settings=manifests[0].settings if manifests else None,
            document_count=sum(m.document_count for m in manifests),
            passage_count=sum(m.passage_count for m in manifests),
            generation=sum(m.generation for m in manifests),
        )

    def verify(self) -> list[str]:
        return [line for store in self.stores for line in store.verify()]

    def repair(self) -> list[str]:
        raise self._refused("repair")

    def backup(self, path: str | Path) -> None:
        raise self._refused("back up")

    def restore(self, path: str | Path) -> None:
        raise self._refused("restore")

    def close(self) -> None:
        for store in self.stores:
            store.close()

    def _refused(self, action: str) -> StoreReadOnly:
        return StoreReadOnly(
            f"the collections {', '.join(self.names)} are asked together, which is read-only: {action} each one alone"
        )


def merged(results: list[list[tuple[str, float]]], k: int) -> list[tuple[str, float]]:
    """The ``k`` best (id, score) pairs of several searches, best first, each id once (at its best score)."""
    best: dict[str, float] = {}
    for pid, score in (pair for result in results for pair in result):
        best[pid] = max(score, best.get(pid, score))
    return sorted(best.items(), key=lambda pair: -pair[1])[:k]
