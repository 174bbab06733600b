"""The PostgreSQL backend: pgvector HNSW and BM25 postings in one database, and a local server."""

from typing import TYPE_CHECKING

from qa.store.postgres.catalog import PostgresCatalog as Catalog
from qa.store.postgres.store import PostgresStore as Store

LOCATION = "store_url"  # a store is a database, named by its libpq URI

if TYPE_CHECKING:  # mypy checks that the store and the catalog implement every method of their protocols
    from qa.store.collections import Catalog as CatalogProtocol
    from qa.store.protocol import DocumentStore

    def _conforms(store: Store, catalog: Catalog) -> tuple[DocumentStore, CatalogProtocol]:
        return store, catalog


__all__ = ["LOCATION", "Catalog", "Store"]
