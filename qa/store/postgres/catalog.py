"""The PostgreSQL backend's collections: ``public.qa_collections`` lists them, each a schema's store."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from qa.store.collections import LEGACY_NAME, CollectionInfo, digest, find
from qa.store.protocol import DocumentStore, StoreDamaged, StoreReadOnly, StoreUnavailable
from qa.validation import CollectionError

if TYPE_CHECKING:
    import psycopg

POSTGRES_LEGACY = "public"  # an index made before collections: its tables sit in the public schema

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
