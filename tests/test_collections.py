"""Collections: every backend's catalog passes the same tests; choosing one never removes another's documents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_store import SETTINGS, make_write

from qa.store.collections import (
    LEGACY_NAME,
    Catalog,
    LocalCatalog,
    choose,
    folder_collection,
    holds_files_of,
    open_catalog,
)
from qa.store.protocol import StoreReadOnly, open_store
from qa.validation import CollectionError, FolderError


@pytest.fixture(params=["local", "postgres"])
def catalog_factory(request, tmp_path):
    """Opens catalogs of one backend on one fresh location; the stores opened through them are closed afterwards."""
    location = str(tmp_path / "index") if request.param == "local" else request.getfixturevalue("postgres_database")
    opened = []

    def factory(read_only: bool = False) -> Catalog:
        catalog = open_catalog(request.param, location, read_only)
        original = catalog.open

        def open_and_keep(info, read_only: bool = False):
            store = original(info, read_only)
            opened.append(store)
            return store

        catalog.open = open_and_keep  # type: ignore[method-assign]
        return catalog

    factory.backend = request.param  # type: ignore[attr-defined]
    factory.location = location  # type: ignore[attr-defined]
    yield factory
    for store in opened:
        store.close()


def filled(catalog: Catalog, name: str, folder: str | None, *documents: tuple[str, int]):
    """The collection ``name`` with the given documents (TEXTS name, seed) written into its store."""
    store = catalog.open(catalog.create(name, folder))
    assert store.bind(SETTINGS)
    store.write([make_write(text, seed, source=f"{folder or '/docs'}/{text}.txt") for text, seed in documents])
    return store


def test_a_new_location_has_no_collections(catalog_factory):
    assert catalog_factory().collections() == []


def test_collections_are_listed_by_name_with_their_folders(catalog_factory):
    catalog = catalog_factory()
    catalog.create("papers", "/home/ada/papers")
    catalog.create("notes", None)
    listed = catalog.collections()
    assert [(c.name, c.folder) for c in listed] == [("notes", None), ("papers", "/home/ada/papers")]
    assert len({c.namespace for c in listed}) == 2
    assert catalog_factory().collections() == listed  # another handle sees them


def test_creating_a_collection_again_returns_the_same_one(catalog_factory):
    catalog = catalog_factory()
    first = catalog.create("papers", "/home/ada/papers")
    assert catalog.create("papers", "/elsewhere") == first
    assert len(catalog.collections()) == 1


def test_collections_hold_their_own_documents(catalog_factory):
    catalog = catalog_factory()
    papers = filled(catalog, "papers", "/papers", ("eiffel", 0), ("gasket", 1))
    notes = filled(catalog, "notes", "/notes", ("everest", 2))
    assert {d.title for d in papers.documents()} == {"Eiffel", "Gasket"}
    assert {d.title for d in notes.documents()} == {"Everest"}
    assert notes.keyword_search("Eiffel Tower", 5) == []
    assert {pid.split(":")[0] for pid, _ in notes.dense_search(make_write("eiffel", 0).vectors[0], 10)} == {
        make_write("everest", 2).document.id
    }


def test_clearing_or_deleting_in_one_collection_leaves_the_others(catalog_factory):
    catalog = catalog_factory()
    papers = filled(catalog, "papers", "/papers", ("eiffel", 0), ("gasket", 1))
    notes = filled(catalog, "notes", "/notes", ("everest", 2), ("unicode", 3))
    notes.delete([make_write("everest", 2).document.id])
    notes.clear()
    assert notes.manifest().document_count == 0
    assert papers.manifest().document_count == 2
    assert {d.title for d in papers.documents()} == {"Eiffel", "Gasket"}


def test_the_same_text_in_two_collections_is_two_documents(catalog_factory):
    catalog = catalog_factory()
    papers = filled(catalog, "papers", "/papers", ("eiffel", 0))
    notes = filled(catalog, "notes", "/notes", ("eiffel", 0))
    papers.delete([make_write("eiffel", 0).document.id])
    assert [d.source for d in notes.documents()] == ["/notes/eiffel.txt"]


def test_dropping_a_collection_removes_it_alone(catalog_factory):
    catalog = catalog_factory()
    papers = filled(catalog, "papers", "/papers", ("eiffel", 0))
    filled(catalog, "notes", "/notes", ("everest", 2)).close()
    assert catalog.drop("notes")
    assert not catalog.drop("notes")
    assert [c.name for c in catalog.collections()] == ["papers"]
    assert papers.manifest().document_count == 1
    again = catalog.open(catalog.create("notes", "/notes"))
    assert again.manifest().document_count == 0


def test_a_read_only_catalog_lists_but_adds_nothing(catalog_factory):
    filled(catalog_factory(), "papers", "/papers", ("eiffel", 0))
    read_only = catalog_factory(read_only=True)
    assert [c.name for c in read_only.collections()] == ["papers"]
    with pytest.raises(StoreReadOnly):
        read_only.create("notes", None)
    with pytest.raises(StoreReadOnly):
        read_only.drop("papers")
    assert read_only.open(read_only.collections()[0]).manifest().document_count == 1


def test_a_store_made_before_collections_is_one_claimed_by_the_folder_of_its_files(catalog_factory, tmp_path):
    location = catalog_factory.location  # type: ignore[attr-defined]
    legacy = open_store(catalog_factory.backend, location)  # type: ignore[attr-defined]
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
    assert {c.name for c in catalog_factory().collections()} == {folder_collection(papers), folder_collection(other)}


# ------------------------------------------------------------------------ choosing a collection (local catalog)


def test_without_folder_or_name_the_only_collection_is_chosen(tmp_path):
    catalog = LocalCatalog(tmp_path / "index")
    made = catalog.create("papers", str(tmp_path))
    assert choose(catalog, None, None, writable=True) == made


def test_without_folder_or_name_an_empty_index_says_so(tmp_path):
    with pytest.raises(CollectionError) as raised:
        choose(LocalCatalog(tmp_path / "index"), None, None, writable=True)
    assert str(raised.value) == (
        f"Nothing is indexed in {tmp_path / 'index'} yet: index a folder first (qa index FOLDER)."
    )
    assert not (tmp_path / "index").exists()


def test_without_folder_or_name_several_collections_must_be_chosen_from(tmp_path):
    catalog = LocalCatalog(tmp_path / "index")
    for number in range(7):
        catalog.create(f"c{number}", None)
    with pytest.raises(CollectionError) as raised:
        choose(catalog, None, None, writable=True)
    assert str(raised.value) == (
        f"{tmp_path / 'index'} holds 7 collections (c0, c1, c2, c3, c4 and 2 more): choose one with "
        "--collection NAME (QA_COLLECTION)."
    )


def test_a_folder_gets_its_own_collection_named_by_its_resolved_path(tmp_path, monkeypatch):
    (tmp_path / "papers").mkdir()
    monkeypatch.chdir(tmp_path)
    catalog = LocalCatalog(tmp_path / "index")
    chosen = choose(catalog, None, Path("papers"), writable=True)
    assert (chosen.name, chosen.folder) == (str(tmp_path / "papers"), str(tmp_path / "papers"))
    assert chosen.namespace.startswith("collections/papers-")
    assert json.loads((tmp_path / "index" / "collections.json").read_text())["collections"][0]["name"] == chosen.name


def test_a_named_collection_is_made_for_its_folder(tmp_path):
    catalog = LocalCatalog(tmp_path / "index")
    chosen = choose(catalog, "team papers", tmp_path, writable=True)
    assert (chosen.name, chosen.folder) == ("team papers", str(tmp_path))
    assert choose(catalog, "team papers", None, writable=True) == chosen


def test_a_missing_folder_makes_no_collection(tmp_path):
    with pytest.raises(FolderError, match="^documents folder not found: .*nowhere$"):
        choose(LocalCatalog(tmp_path / "index"), None, tmp_path / "nowhere", writable=True)
    assert not (tmp_path / "index").exists()


def test_a_read_only_index_without_the_collection_says_so(tmp_path):
    catalog = LocalCatalog(tmp_path / "index", read_only=True)
    with pytest.raises(StoreReadOnly) as raised:
        choose(catalog, None, tmp_path, writable=False)
    assert str(raised.value) == f"{tmp_path / 'index'} is read-only and holds no collection {str(tmp_path)!r} yet"


def test_a_collection_of_another_folder_is_not_synced_with_this_one(tmp_path):
    catalog = LocalCatalog(tmp_path / "index")
    (tmp_path / "papers").mkdir()
    (tmp_path / "other").mkdir()
    choose(catalog, "papers", tmp_path / "papers", writable=True)
    with pytest.raises(CollectionError) as raised:
        choose(catalog, "papers", tmp_path / "other", writable=True)
    assert str(raised.value) == (
        f"The collection 'papers' holds the documents of {tmp_path / 'papers'}, not of {tmp_path / 'other'}: name "
        "another collection for this folder, or drop that one first (qa collections --drop NAME)."
    )
