"""The local backend: SQLite with in-memory FAISS and BM25, in an index folder."""

from typing import TYPE_CHECKING

from qa.store.local.catalog import LocalCatalog as Catalog
from qa.store.local.store import LocalStore as Store

LOCATION = "index_dir"  # a store is an index folder

if TYPE_CHECKING:  # mypy checks that the store and the catalog implement every method of their protocols
    from qa.store.collections import Catalog as CatalogProtocol
    from qa.store.protocol import DocumentStore

    def _conforms(store: Store, catalog: Catalog) -> tuple[DocumentStore, CatalogProtocol]:
        return store, catalog


__all__ = ["LOCATION", "Catalog", "Store"]
