"""The in-memory reference backend: the whole store protocol in this process's memory, for tests and examples."""

from typing import TYPE_CHECKING

from qa.store.memory.catalog import MemoryCatalog as Catalog
from qa.store.memory.store import MemoryStore as Store

LOCATION = "index_dir"  # a store is named by the index folder's path (nothing is written there)

if TYPE_CHECKING:  # mypy checks that the store and the catalog implement every method of their protocols
    from qa.store.collections import Catalog as CatalogProtocol
    from qa.store.protocol import DocumentStore

    def _conforms(store: Store, catalog: Catalog) -> tuple[DocumentStore, CatalogProtocol]:
        return store, catalog


__all__ = ["LOCATION", "Catalog", "Store"]
