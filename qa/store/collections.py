"""Named collections in one store location: each a store of its own (a subfolder, a schema), listed in a catalog."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np
from pydantic import BaseModel, ValidationError

from qa.models import Document, Passage, Section
from qa.store.protocol import (
    DocumentStore,
    DocumentWrite,
    StoreDamaged,
    StoredDocument,
    StoreError,
    StoreManifest,
    StoreReadOnly,
    StoreSettings,
    StoreUnavailable,
    open_store,
)
from qa.validation import CollectionError, FolderError

if TYPE_CHECKING:
    import psycopg

CATALOG_FILE = "collections.json"
CATALOG_LOCK = "collections.lock"
LEGACY_NAME = "default"  # an index made before collections, until a folder whose files it holds claims it
LOCAL_LEGACY = "."  # its store sits in the index folder itself
POSTGRES_LEGACY = "public"  # its tables sit in the public schema
SHOWN_NAMES = 5


class CollectionInfo(BaseModel):
    """One collection: its name, the documents folder it mirrors (resolved; None for documents given as texts) and
    where its store lives inside the location (a subfolder of the index, a schema of the database)."""

    name: str
    folder: str | None = None
    namespace: str


@runtime_checkable
class Catalog(Protocol):
    """The collections of one store location; every backend passes ``tests/test_collections.py``."""

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
    """The catalog of collections at ``location`` ('local': an index folder; 'postgres': a libpq URI)."""
    if backend == "local":
        return LocalCatalog(location, read_only)
    if backend == "postgres":
        return PostgresCatalog(location, read_only)
    open_store(backend, location)  # raises the store's one-line error for an unknown backend
    raise StoreUnavailable(f"the {backend} store has no collections")


class LocalCatalog:
    """Collections in an index folder: ``collections.json`` lists them, each store in ``collections/<name>-<hash>``."""

    backend = "local"

    def __init__(self, location: str | Path, read_only: bool = False):
        self.folder = Path(location).expanduser()
        self.shown = str(self.folder)
        self.read_only = read_only

    def collections(self) -> list[CollectionInfo]:
        listed = self._read()
        if all(c.namespace != LOCAL_LEGACY for c in listed) and (self.folder / "store.sqlite").exists():
            listed.append(CollectionInfo(name=LEGACY_NAME, namespace=LOCAL_LEGACY))
        return sorted(listed, key=lambda c: c.name)

    def create(self, name: str, folder: str | None, namespace: str | None = None) -> CollectionInfo:
        with self._locked():
            listed = self._read()
            found = next((c for c in listed if c.name == name), None)
            if found is not None:
                return found
            slug = re.sub(r"[^a-z0-9]+", "-", Path(name).name.lower()).strip("-")[:24]
            namespace = namespace or f"collections/{slug + '-' if slug else ''}{digest(name)}"
            info = CollectionInfo(name=name, folder=folder, namespace=namespace)
            self._write([c for c in listed if c.namespace != namespace] + [info])
            return info

    def open(self, info: CollectionInfo, read_only: bool = False) -> DocumentStore:
        return open_store("local", str(self.folder / info.namespace), read_only=read_only or self.read_only)

    def drop(self, name: str) -> bool:
        import shutil

        with self._locked():
            listed = self._read()
            found = next((c for c in self.collections() if c.name == name), None)
            if found is None:
                return False
            self._write([c for c in listed if c.name != name])
            if found.namespace == LOCAL_LEGACY:
                for leftover in self.folder.glob("store.sqlite*"):
                    leftover.unlink()
            else:
                shutil.rmtree(self.folder / found.namespace, ignore_errors=True)
            return True

    def _read(self) -> list[CollectionInfo]:
        path = self.folder / CATALOG_FILE
        try:
            entries = json.loads(path.read_text(encoding="utf-8"))["collections"]
            return [CollectionInfo.model_validate(entry) for entry in entries]
        except FileNotFoundError:
            return []
        except (OSError, ValueError, KeyError, TypeError, ValidationError) as error:
            raise StoreDamaged(f"the list of collections {path} is unreadable ({error})") from None

    def _write(self, listed: list[CollectionInfo]) -> None:
        """Replace the catalog file at once (a reader sees the old list or the new one)."""
        path = self.folder / CATALOG_FILE
        temporary = path.with_name(f".{CATALOG_FILE}.{os.getpid()}.tmp")
        entries = [c.model_dump() for c in sorted(listed, key=lambda c: c.name)]
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump({"collections": entries}, handle, indent=1, ensure_ascii=False)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(path)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        import filelock

        if self.read_only:
            raise StoreReadOnly(f"the index in {self.folder} is read-only: no collection can be added or removed")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with filelock.FileLock(self.folder / CATALOG_LOCK, timeout=60):
                yield
        except filelock.Timeout:
            raise StoreReadOnly(f"the list of collections in {self.folder} stayed locked for 60 s") from None
        except PermissionError:
            raise StoreReadOnly(f"the index in {self.folder} is read-only: no collection can be added") from None


CATALOG_SCHEMA = """
CREATE TABLE IF NOT EXISTS public.qa_collections (
    name text PRIMARY KEY,
    folder text,
    namespace text NOT NULL UNIQUE
)
"""


class PostgresCatalog:
    """Collections in one database: ``public.qa_collections`` lists them, each store in a schema ``qa_<hash>``."""

    backend = "postgres"

    def __init__(self, location: str, read_only: bool = False):
        from qa.store.postgres.store import masked_location

        self.location = location
        self.shown = masked_location(location)
        self.read_only = read_only

    def collections(self) -> list[CollectionInfo]:
        with self._connect() as connection:
            catalog, legacy = connection.execute(
                "SELECT to_regclass('public.qa_collections') IS NOT NULL, to_regclass('public.store_meta') IS NOT NULL"
            ).fetchone() or (False, False)
            query = "SELECT name, folder, namespace FROM public.qa_collections"
            rows = connection.execute(query).fetchall() if catalog else []
        listed = [CollectionInfo(name=n, folder=f, namespace=s) for n, f, s in rows]
        if legacy and all(c.namespace != POSTGRES_LEGACY for c in listed):
            listed.append(CollectionInfo(name=LEGACY_NAME, namespace=POSTGRES_LEGACY))
        return sorted(listed, key=lambda c: c.name)

    def create(self, name: str, folder: str | None, namespace: str | None = None) -> CollectionInfo:
        namespace = namespace or f"qa_{digest(name, 16)}"
        with self._connect(writing=True) as connection:
            connection.execute(
                "INSERT INTO public.qa_collections (name, folder, namespace) VALUES (%s, %s, %s) "
                "ON CONFLICT (name) DO NOTHING",
                (name, folder, namespace),
            )
        found = find(self, name)
        if found is None:
            raise StoreDamaged(f"the collection {name!r} was added to {self.shown} but is not listed")
        return found

    def open(self, info: CollectionInfo, read_only: bool = False) -> DocumentStore:
        from qa.store.postgres.store import PostgresStore

        schema = None if info.namespace == POSTGRES_LEGACY else info.namespace
        return PostgresStore(self.location, read_only=read_only or self.read_only, schema=schema)

    def drop(self, name: str) -> bool:
        found = find(self, name)
        if found is None:
            return False
        if found.namespace == POSTGRES_LEGACY:
            raise CollectionError(f"The collection {name!r} sits in the public schema; drop its tables yourself.")
        with self._connect(writing=True) as connection, connection.transaction():
            connection.execute(f'DROP SCHEMA IF EXISTS "{found.namespace}" CASCADE')
            connection.execute("DELETE FROM public.qa_collections WHERE name = %s", (name,))
        return True

    @contextmanager
    def _connect(self, writing: bool = False) -> Iterator[psycopg.Connection]:
        """A connection of its own (a catalog is read once per engine), with the catalog table when writing;
        psycopg's errors become the store's."""
        import psycopg

        if writing and self.read_only:
            raise StoreReadOnly(f"the store at {self.shown} is read-only: no collection can be added or removed")
        try:
            with psycopg.connect(self.location, autocommit=True, connect_timeout=10) as connection:
                if writing:
                    connection.execute(CATALOG_SCHEMA)
                yield connection
        except (psycopg.errors.ReadOnlySqlTransaction, psycopg.errors.InsufficientPrivilege):
            raise StoreReadOnly(f"the store at {self.shown} is read-only: no collection can be added") from None
        except psycopg.Error as error:
            from qa.store.postgres.store import _one_line, unreachable_hint

            hint = unreachable_hint(error, self.location)
            raise StoreUnavailable(f"cannot open the store at {self.shown}: {_one_line(error, None)}{hint}") from None


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

    def set_source(
        self,
        document_id: str,
        source: str,
        size: int,
        mtime: float,
        page_starts: list[int] | None = None,
        sections: list[Section] | None = None,
    ) -> None:
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
