"""The local backend's collections: ``collections.json`` in the index folder lists them, each a subfolder's store."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pydantic import ValidationError

from qa.store.collections import LEGACY_NAME, CollectionInfo, digest
from qa.store.local.store import DATABASE_FILE, LocalStore
from qa.store.protocol import DocumentStore, StoreDamaged, StoreReadOnly

CATALOG_FILE = "collections.json"
CATALOG_LOCK = "collections.lock"
LOCAL_LEGACY = "."  # an index made before collections: its store sits in the index folder itself


class LocalCatalog:
    """Collections in an index folder: ``collections.json`` lists them, each store in ``collections/<name>-<hash>``."""

    backend = "local"

    def __init__(self, location: str | Path, read_only: bool = False):
        self.folder = Path(location).expanduser()
        self.shown = str(self.folder)
        self.read_only = read_only

    def collections(self) -> list[CollectionInfo]:
        listed = self._read()
        if all(c.namespace != LOCAL_LEGACY for c in listed) and (self.folder / DATABASE_FILE).exists():
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
        return LocalStore(self.folder / info.namespace, read_only=read_only or self.read_only)

    def drop(self, name: str) -> bool:
        import shutil

        with self._locked():
            listed = self._read()
            found = next((c for c in self.collections() if c.name == name), None)
            if found is None:
                return False
            self._write([c for c in listed if c.name != name])
            if found.namespace == LOCAL_LEGACY:
                for leftover in self.folder.glob(f"{DATABASE_FILE}*"):
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
