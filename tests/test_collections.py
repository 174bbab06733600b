"""Collections: every backend's catalog passes the conformance suite (qa.testing); choosing one never removes another's
documents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa.store.collections import choose
from qa.store.local.catalog import LocalCatalog
from qa.store.protocol import StoreReadOnly
from qa.testing.collections import CatalogConformance
from qa.validation import CollectionError, FolderError


class TestCatalog(CatalogConformance):
    """Every backend's catalog passes the conformance suite (conftest's ``catalog_factory`` runs each test on each)."""


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
