"""The shared store rules (qa.store.rules) pinned on every backend: binding, the writer lock, verify's lines and the
checks on read. A backend's test module composes ``StoreRulesConformance`` with a ``store_factory`` fixture
(``store_factory(read_only=False)``: a new handle on one fresh location of one backend); the checks on read damage a
store through the ``damage`` module of its backend's package (``damage_passage``, ``damage_document``)."""

from __future__ import annotations

import importlib
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from qa.documents.chunking import joined_passages
from qa.documents.loading import document_id
from qa.models import Document
from qa.store.protocol import (
    BACKENDS,
    DocumentStore,
    DocumentWrite,
    Relocation,
    StoreBusy,
    StoreDamaged,
    StoreError,
    StoreSettings,
)
from qa.store.rules import REPAIR_HINT, passage_problem, problem_document, problem_line, vector_problem

SETTINGS = StoreSettings(embedding_model="rules-model", dimension=8, chunk_tokens=200, chunk_overlap_sentences=1)
OTHER = StoreSettings(embedding_model="other-model", dimension=6, chunk_tokens=100, chunk_overlap_sentences=0)
SHORT = 0.3  # seconds a change waits for the writer lock where it must give up
BOUND = 10.0  # seconds any wait of these tests may take at most


def damage(store: DocumentStore) -> Any:
    """The ``damage`` module of the store's backend package (``damage_passage``, ``damage_document``); the test is
    skipped for a backend that has none."""
    try:
        return importlib.import_module(f"{BACKENDS[store.backend]}.damage")
    except ModuleNotFoundError:
        pytest.skip(f"the {store.backend} backend has no damage module to write damage behind its back")


def rules_write(text: str, seed: int, dimension: int = SETTINGS.dimension) -> DocumentWrite:
    """A document of two sentences, one passage each, with seeded unit vectors of ``dimension``."""
    doc_id = document_id(text)
    cut = text.index(". ") + 1
    passages = joined_passages(doc_id, [text[:cut], text[cut + 1 :]], " ")
    vectors = np.random.default_rng(seed).normal(size=(len(passages), dimension)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    document = Document(id=doc_id, title=f"rules {seed}", source=f"/rules/{seed}.txt", text=text)
    return DocumentWrite(document=document, passages=passages, vectors=vectors, size=len(text), mtime=float(seed))


FERRY = "The ferry leaves the harbour at noon. It stops running in winter."
LIGHTHOUSE = "The lighthouse was built in 1871. Its lamp is seen from twenty miles."


@contextmanager
def held(store: DocumentStore) -> Iterator[None]:
    """``store``'s writer lock held by another thread for as long as the block runs."""
    entered, release = threading.Event(), threading.Event()
    failed: list[BaseException] = []

    def hold() -> None:
        try:
            with store.writer(timeout=BOUND):
                entered.set()
                release.wait(BOUND * 3)
        except BaseException as error:  # noqa: BLE001 - told to the test below
            failed.append(error)
            entered.set()

    holder = threading.Thread(target=hold, daemon=True)
    holder.start()
    try:
        assert entered.wait(BOUND) and not failed, failed
        yield
    finally:
        release.set()
        holder.join(BOUND)
    assert not holder.is_alive() and not failed, failed


class StoreRulesConformance:
    """The rules of qa.store.rules, the same on every backend."""

    # -- damage, written behind the store's back by the backend's own ``damage`` module --------------------------

    def damage_passage(
        self, store: Any, passage_id: str, start: int | None = None, end: int | None = None, vector: Any = None
    ) -> None:
        """Overwrite a stored passage's offsets or vector, keeping whatever checks of the backend's own (the local
        store's checksum) whole, so that only the shared rules can catch it."""
        damage(store).damage_passage(store, passage_id, start, end, vector)

    def damage_document(self, store: Any, doc_id: str, text: str) -> None:
        """Overwrite a stored document's text (its id, the content hash of the old text, kept)."""
        damage(store).damage_document(store, doc_id, text)

    # -- binding ----------------------------------------------------------------------------------------------------

    def test_a_store_holding_no_documents_takes_other_settings(self, store_factory: Callable[..., Any]) -> None:
        store = store_factory()
        assert store.bind(SETTINGS) and store.bind(SETTINGS)
        assert store.bind(OTHER) and store.manifest().settings == OTHER  # bound, empty: it takes them
        write = rules_write(FERRY, 1, OTHER.dimension)
        store.write([write])
        store.delete([write.document.id])  # every document gone: empty again
        assert store.bind(SETTINGS) and store_factory().manifest().settings == SETTINGS
        store.write([rules_write(FERRY, 2)])
        assert store.dense_search(rules_write(FERRY, 2).vectors[0], 1)[0][0] == write.passages[0].id

    def test_a_store_holding_documents_refuses_other_settings_until_cleared(
        self, store_factory: Callable[..., Any]
    ) -> None:
        store, other = store_factory(), store_factory()
        assert store.bind(SETTINGS)
        store.write([rules_write(FERRY, 1)])
        assert not store.bind(OTHER) and not other.bind(OTHER)
        assert store.manifest().settings == SETTINGS and store.manifest().document_count == 1
        other.clear()
        assert store.manifest().settings is None and store.bind(OTHER) and other.manifest().settings == OTHER

    def test_a_store_holding_documents_takes_a_new_record_of_what_read_its_files(
        self, store_factory: Callable[..., Any]
    ) -> None:
        store = store_factory()
        assert store.bind(SETTINGS)
        write = rules_write(FERRY, 1)
        store.write([write])
        recorded = SETTINGS.model_copy(update={"read_by": {".html": 2, ".txt": 1}})
        assert store.bind(recorded) and store_factory().manifest().settings == recorded  # the same vectors
        assert store.bind(SETTINGS) and store.manifest().settings == recorded  # recording nothing leaves it
        assert not store.bind(OTHER.model_copy(update={"read_by": {".html": 2}}))  # other vectors: refused
        assert store.manifest().document_count == 1
        assert store.dense_search(write.vectors[0], 1)[0][0] == write.passages[0].id
        newer = recorded.model_copy(update={"keywords": recorded.keywords + 1})
        assert store.bind(newer) and store_factory().manifest().settings == newer  # its keyword tokens made anew
        assert store.manifest().document_count == 1

    # -- the writer lock --------------------------------------------------------------------------------------------

    def test_every_change_of_another_handle_gives_up_after_its_write_timeout(
        self, store_factory: Callable[..., Any], tmp_path: Path
    ) -> None:
        first, second = store_factory(), store_factory()
        assert first.bind(SETTINGS)
        ferry = rules_write(FERRY, 1)
        first.write([ferry])
        first.backup(tmp_path / "rules.backup")
        second.write_timeout = SHORT
        changes: dict[str, Callable[[], object]] = {
            "write": lambda: second.write([rules_write(LIGHTHOUSE, 2)]),
            "delete": lambda: second.delete([ferry.document.id]),
            "set_source": lambda: second.set_source(Relocation(ferry.document.id, "/rules/moved.txt", 1, 2.0)),
            "ignore": lambda: second.ignore(["/rules/gone.txt"]),
            "clear": second.clear,
            "restore": lambda: second.restore(tmp_path / "rules.backup"),
        }
        with held(first):
            assert second.bind(SETTINGS)  # bound to them already: nothing to change, nothing to wait for
            for name, change in changes.items():
                began = time.monotonic()
                with pytest.raises(StoreBusy, match="busy"):
                    change()
                waited = time.monotonic() - began
                assert SHORT - 0.05 <= waited < BOUND, (name, waited)
        assert [d.id for d in second.documents()] == [ferry.document.id] and second.ignored() == set()
        assert second.documents()[0].source == ferry.document.source

    def test_a_change_of_another_handle_waits_for_the_writer_lock_then_lands(
        self, store_factory: Callable[..., Any]
    ) -> None:
        first, second = store_factory(), store_factory()
        assert first.bind(SETTINGS)
        lighthouse = rules_write(LIGHTHOUSE, 2)
        second.write_timeout = BOUND
        done = threading.Event()
        failed: list[BaseException] = []

        def write() -> None:
            try:
                second.write([lighthouse])
            except BaseException as error:  # noqa: BLE001 - told below
                failed.append(error)
            done.set()

        with held(first):
            writer = threading.Thread(target=write, daemon=True)
            writer.start()
            assert not done.wait(2 * SHORT), failed  # it waits for the lock...
            assert first.manifest().document_count == 0
        writer.join(BOUND)
        assert done.is_set() and not failed, failed  # ...and lands once it is free
        assert [d.id for d in first.documents()] == [lighthouse.document.id]

    def test_a_handle_inside_its_writer_re_enters_it(self, store_factory: Callable[..., Any]) -> None:
        store = store_factory()
        assert store.bind(SETTINGS)
        ferry = rules_write(FERRY, 1)
        began = time.monotonic()
        with store.writer(timeout=SHORT), store.writer(timeout=SHORT):
            store.write([ferry, rules_write(LIGHTHOUSE, 2)])
            store.set_source(Relocation(ferry.document.id, "/rules/moved.txt", 1, 2.0))
            store.ignore(["/rules/gone.txt"])
            store.delete([rules_write(LIGHTHOUSE, 2).document.id])
        assert time.monotonic() - began < BOUND
        assert [d.source for d in store.documents()] == ["/rules/moved.txt"] and store.ignored() == {"/rules/gone.txt"}

    # -- verify's lines and the checks on read ----------------------------------------------------------------------

    def test_verify_lines_share_one_format(self, store_factory: Callable[..., Any]) -> None:
        store = store_factory()
        assert store.bind(SETTINGS)
        ferry, lighthouse = rules_write(FERRY, 1), rules_write(LIGHTHOUSE, 2)
        store.write([ferry, lighthouse])
        store.set_source(Relocation(ferry.document.id, "/rules/1.pdf", 1, 2.0, [3]))
        passage = lighthouse.passages[1]
        self.damage_passage(store, passage.id, passage.start + 1, passage.end + 1)
        problems = store.verify()
        assert problem_line("its page starts do not begin at 0", ferry.document.id) in problems
        assert {problem_document(line) for line in problems} == {ferry.document.id, lighthouse.document.id}
        assert all(line.strip() and "\n" not in line for line in problems)
        assert problem_line("fails its checksum", "d1", "d1:0") == "passage d1:0 (document d1): fails its checksum"
        assert problem_line("1 vector", "d1", source="/a (b).txt") == "document d1 (/a (b).txt): 1 vector"
        assert problem_document("document d1 (/a (b).txt): 1 vector") == "d1" and problem_document("all fine") is None

    def test_a_passage_whose_offsets_leave_its_document_is_damaged_on_read(
        self, store_factory: Callable[..., Any]
    ) -> None:
        store = store_factory()
        assert store.bind(SETTINGS)
        ferry = rules_write(FERRY, 1)
        store.write([ferry])
        passage = ferry.passages[1]
        start, end = len(FERRY) - 3, len(FERRY) - 3 + len(passage.text)
        self.damage_passage(store, passage.id, start, end)
        with pytest.raises(StoreDamaged) as raised:
            store.get_passages([passage.id])
        line = problem_line(str(passage_problem(start, end, passage.text, len(FERRY))), ferry.document.id, passage.id)
        assert str(raised.value).endswith(f"is damaged ({line}); {REPAIR_HINT}")
        assert "\n" not in str(raised.value) and store.get_passages([ferry.passages[0].id])
        assert ferry.document.id in {problem_document(line) for line in store.verify()}

    def test_a_vector_of_another_dimension_is_damaged_on_read(self, store_factory: Callable[..., Any]) -> None:
        store = store_factory()
        assert store.bind(SETTINGS)
        ferry = rules_write(FERRY, 1)
        store.write([ferry])
        passage = ferry.passages[0]
        wrong = np.full(SETTINGS.dimension // 2, 0.5, np.float32)
        self.damage_passage(store, passage.id, vector=wrong)
        with pytest.raises(StoreDamaged) as raised:
            store.get_vectors([passage.id])
        line = problem_line(str(vector_problem(wrong, SETTINGS.dimension)), ferry.document.id, passage.id)
        assert str(raised.value).endswith(f"is damaged ({line}); {REPAIR_HINT}")
        assert set(store.get_vectors([ferry.passages[1].id])) == {ferry.passages[1].id}
        assert ferry.document.id in {problem_document(line) for line in store.verify()}

    def test_a_document_whose_text_changed_is_damaged_on_read(self, store_factory: Callable[..., Any]) -> None:
        store = store_factory()
        assert store.bind(SETTINGS)
        ferry = rules_write(FERRY, 1)
        store.write([ferry])
        self.damage_document(store, ferry.document.id, FERRY.replace("noon", "dawn"))
        with pytest.raises(StoreDamaged) as raised:
            store.get_documents([ferry.document.id])
        line = problem_line("its text does not match its content hash", ferry.document.id)
        assert str(raised.value).endswith(f"is damaged ({line}); {REPAIR_HINT}")

    def test_a_write_of_vectors_that_cannot_be_is_refused_whole(self, store_factory: Callable[..., Any]) -> None:
        store = store_factory()
        assert store.bind(SETTINGS)
        ferry, lighthouse = rules_write(FERRY, 1), rules_write(LIGHTHOUSE, 2)
        lighthouse.vectors[1, 3] = np.nan
        with pytest.raises(StoreError, match="not all finite") as refused:
            store.write([ferry, lighthouse])
        assert str(refused.value).startswith(f"document {lighthouse.document.id}: ")
        with pytest.raises(StoreError, match="shape"):
            store.write([rules_write(FERRY, 3, SETTINGS.dimension + 1)])
        assert store.manifest().document_count == 0
