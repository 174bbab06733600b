"""The collections conformance suite: a mixin of tests that every backend's catalog passes (Haystack-style)."""

from __future__ import annotations

import pytest

from qa.store.collections import LEGACY_NAME, Catalog, choose, folder_collection, holds_files_of
from qa.store.protocol import StoreReadOnly, open_store
from qa.testing.store import SETTINGS, make_write


def filled(catalog: Catalog, name: str, folder: str | None, *documents: tuple[str, int]):
    """The collection ``name`` with the given documents (TEXTS name, seed) written into its store."""
    store = catalog.open(catalog.create(name, folder))
    assert store.bind(SETTINGS)
    store.write([make_write(text, seed, source=f"{folder or '/docs'}/{text}.txt") for text, seed in documents])
    return store


class CatalogConformance:
    """What every backend's Catalog does. A test module composes it (``class TestCatalog(CatalogConformance): pass``)
    with a ``catalog_factory`` fixture: ``catalog_factory(read_only=False)`` opens a catalog on one fresh location of
    one backend (named by its ``backend`` attribute, the location by ``location``); the stores opened through it are
    closed after the test."""

    def test_a_new_location_has_no_collections(self, catalog_factory):
        assert catalog_factory().collections() == []

    def test_collections_are_listed_by_name_with_their_folders(self, catalog_factory):
        catalog = catalog_factory()
        catalog.create("papers", "/home/ada/papers")
        catalog.create("notes", None)
        listed = catalog.collections()
        assert [(c.name, c.folder) for c in listed] == [("notes", None), ("papers", "/home/ada/papers")]
        assert len({c.namespace for c in listed}) == 2
        assert catalog_factory().collections() == listed  # another handle sees them

    def test_creating_a_collection_again_returns_the_same_one(self, catalog_factory):
        catalog = catalog_factory()
        first = catalog.create("papers", "/home/ada/papers")
        assert catalog.create("papers", "/elsewhere") == first
        assert len(catalog.collections()) == 1

    def test_collections_hold_their_own_documents(self, catalog_factory):
        catalog = catalog_factory()
        papers = filled(catalog, "papers", "/papers", ("eiffel", 0), ("gasket", 1))
        notes = filled(catalog, "notes", "/notes", ("everest", 2))
        assert {d.title for d in papers.documents()} == {"Eiffel", "Gasket"}
        assert {d.title for d in notes.documents()} == {"Everest"}
        assert notes.keyword_search("Eiffel Tower", 5) == []
        assert {pid.split(":")[0] for pid, _ in notes.dense_search(make_write("eiffel", 0).vectors[0], 10)} == {
            make_write("everest", 2).document.id
        }

    def test_clearing_or_deleting_in_one_collection_leaves_the_others(self, catalog_factory):
        catalog = catalog_factory()
        papers = filled(catalog, "papers", "/papers", ("eiffel", 0), ("gasket", 1))
        notes = filled(catalog, "notes", "/notes", ("everest", 2), ("unicode", 3))
        notes.delete([make_write("everest", 2).document.id])
        notes.clear()
        assert notes.manifest().document_count == 0
        assert papers.manifest().document_count == 2
        assert {d.title for d in papers.documents()} == {"Eiffel", "Gasket"}

    def test_the_same_text_in_two_collections_is_two_documents(self, catalog_factory):
        catalog = catalog_factory()
        papers = filled(catalog, "papers", "/papers", ("eiffel", 0))
        notes = filled(catalog, "notes", "/notes", ("eiffel", 0))
        papers.delete([make_write("eiffel", 0).document.id])
        assert [d.source for d in notes.documents()] == ["/notes/eiffel.txt"]

    def test_dropping_a_collection_removes_it_alone(self, catalog_factory):
        catalog = catalog_factory()
        papers = filled(catalog, "papers", "/papers", ("eiffel", 0))
        filled(catalog, "notes", "/notes", ("everest", 2)).close()
        assert catalog.drop("notes")
        assert not catalog.drop("notes")
        assert [c.name for c in catalog.collections()] == ["papers"]
        assert papers.manifest().document_count == 1
        again = catalog.open(catalog.create("notes", "/notes"))
        assert again.manifest().document_count == 0

    def test_a_read_only_catalog_lists_but_adds_nothing(self, catalog_factory):
        filled(catalog_factory(), "papers", "/papers", ("eiffel", 0))
        read_only = catalog_factory(read_only=True)
        assert [c.name for c in read_only.collections()] == ["papers"]
        with pytest.raises(StoreReadOnly):
            read_only.create("notes", None)
        with pytest.raises(StoreReadOnly):
            read_only.drop("papers")
        assert read_only.open(read_only.collections()[0]).manifest().document_count == 1

    def test_a_store_made_before_collections_is_one_claimed_by_the_folder_of_its_files(self, catalog_factory, tmp_path):
        location = catalog_factory.location
        legacy = open_store(catalog_factory.backend, location)
        try:
            assert legacy.bind(SETTINGS)
            papers = tmp_path / "papers"
            papers.mkdir()
            legacy.write([make_write("eiffel", 0, source=str(papers / "eiffel.txt"))])
        finally:
            legacy.close()
        catalog = catalog_factory()
        assert [(c.name, c.folder) for c in catalog.collections()] == [(LEGACY_NAME, None)]
        other = tmp_path / "other"
        other.mkdir()
        assert not holds_files_of(catalog, catalog.collections()[0], other)
        chosen = choose(catalog, None, other, writable=True)
        assert chosen.name == folder_collection(other)
        claimed = choose(catalog, None, papers, writable=True)
        assert (claimed.name, claimed.folder) == (folder_collection(papers), folder_collection(papers))
        assert catalog.open(claimed).manifest().document_count == 1
        assert {c.name for c in catalog_factory().collections()} == {
            folder_collection(papers),
            folder_collection(other),
        }
