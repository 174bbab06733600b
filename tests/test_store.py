"""The store conformance suite (qa.testing) on every backend named in qa.store.protocol.BACKENDS, and what only some
backends' stores have: a layout of before sections."""

from __future__ import annotations

import pytest

from qa.models import Section
from qa.store.protocol import DocumentStore, Relocation
from qa.store.rules import file_words, passage_tokens
from qa.testing.store import SETTINGS, StoreConformance, make_write, stored_state
from qa.testing.store_rules import StoreRulesConformance


class TestStore(StoreConformance):
    """Every backend passes the conformance suite (conftest's ``store_factory`` runs each test on each)."""


def made_older(store: DocumentStore) -> None:
    """Make a store look as one written before documents recorded their sections: no sections column (and, in the
    local store, the schema version of then)."""
    if store.backend == "local":
        import sqlite3

        from qa.store.local.store import DATABASE_FILE, PREVIOUS_SCHEMAS

        with sqlite3.connect(store.folder / DATABASE_FILE) as db:
            db.execute("ALTER TABLE documents DROP COLUMN sections")
            db.execute("UPDATE meta SET value = ? WHERE key = 'schema'", (PREVIOUS_SCHEMAS[-1],))
        db.close()
    else:
        import psycopg

        with psycopg.connect(store.location, autocommit=True) as db:
            db.execute("ALTER TABLE documents DROP COLUMN sections")


@pytest.mark.parametrize("store_factory", ["local", "postgres"], indirect=True)  # their files of then
def test_a_store_made_before_sections_reads_as_it_is_and_gains_them_in_place(store_factory):
    store = store_factory()
    assert store.bind(SETTINGS)
    everest = make_write("everest", 3, source="/docs/everest.pdf")
    everest.document = everest.document.model_copy(update={"page_starts": [0, 55]})
    store.write([everest, make_write("eiffel", 0)])
    before = stored_state(store)
    store.close()
    made_older(store)

    reader = store_factory(read_only=True)  # read as it is: no sections, all else as it was
    assert stored_state(reader) == before and reader.verify() == []
    assert reader.get_documents([everest.document.id])[everest.document.id] == everest.document
    migrated = store_factory()  # a writer adds the column in place: every passage kept, no section recorded yet
    assert stored_state(migrated) == before and migrated.verify() == []
    sections = [Section(start=0, title="Everest")]
    migrated.set_source(Relocation(everest.document.id, "/docs/everest.pdf", 10, 20.0, [0, 55], sections))
    assert migrated.get_documents([everest.document.id])[everest.document.id].sections == sections
    assert store_factory(read_only=True).documents([everest.document.id])[0].sections == sections


class TestStoreRules(StoreRulesConformance):
    """Every backend follows the shared store rules (qa.store.rules), damaged through its package's ``damage``."""


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("/home/zoë/documents/builder_quote_HS-Q-2291.txt", "builder quote HS Q 2291"),
        ("C:\\Users\\me\\boiler warranty.pdf", "boiler warranty"),
        ("report.final.v2.pdf", "report final v2"),
        ("squad-v1.1-dev.json.gz#3/12", "squad v1 1 dev json"),  # a part of a file: the file's name
        (".bashrc", "bashrc"),
        ("README", "README"),
    ],
)
def test_the_words_of_a_files_name_leave_out_its_folders_and_suffix(source, words):
    assert file_words(source) == words


def test_a_passages_keyword_tokens_are_its_words_and_its_files_names():
    tokens = passage_tokens([("/docs/boiler_warranty.pdf", "Covered for five years."), ("/docs/notes.txt", "Call.")])
    assert tokens == [["boiler", "warranti", "cover", "five", "year"], ["note", "call"]]
