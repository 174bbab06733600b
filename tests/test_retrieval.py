"""Retrieval: reciprocal rank fusion, BM25 and dense search, and the hybrid default on real passages."""

from __future__ import annotations

import numpy as np
import pytest

from qa.documents.loading import document_id, section_label
from qa.index import Indexer
from qa.models import Document, Passage, Section
from qa.retrieval import (
    REFERENCE_WEIGHT,
    TABLE_LOOKBACK,
    EmbeddedAhead,
    Retriever,
    in_reference_list,
    reciprocal_rank_fusion,
    reference_weighted,
    section_name,
    text_before,
)
from qa.store.protocol import open_store

TEXTS = [
    "The Eiffel Tower stands in Paris and was completed in 1889.",
    "Photosynthesis lets plants turn sunlight into chemical energy.",
    "The QZ-7 gasket seal must be replaced every 400 hours of operation.",
    "Mount Everest is the highest mountain above sea level.",
]


def test_rrf_adds_reciprocal_ranks():
    fused = reciprocal_rank_fusion([[1, 2, 3], [3, 1]], k=60)
    assert [row for row, _ in fused] == [1, 3, 2]
    assert fused[0][1] == pytest.approx(1 / 61 + 1 / 62)
    assert fused[2][1] == pytest.approx(1 / 62)


@pytest.fixture(scope="module")
def retriever(embedder, tmp_path_factory):
    documents = [Document(id=document_id(t), title=f"doc {i}", source=f"{i}.txt", text=t) for i, t in enumerate(TEXTS)]
    store = open_store("local", str(tmp_path_factory.mktemp("index")))
    Indexer(store, embedder, 200, 1).sync_documents(documents, progress=False)
    yield Retriever(store, embedder)
    store.close()


def test_questions_embedded_ahead_are_embedded_together_once_and_each_vector_given_once(embedder):
    calls: list[list[str]] = []

    def embed_together(texts: list[str]) -> np.ndarray:
        calls.append(list(texts))
        return embedder.embed_together(texts)

    ahead = EmbeddedAhead(embed_together)
    asked = ["Where is the Eiffel Tower?", "Which mountain is the highest?", "Where is the Eiffel Tower?"]
    ahead.embed(asked)
    ahead.embed(asked[:1])  # embedded already
    assert calls == [asked[:2]]
    vector = ahead.take(asked[0])
    assert vector is not None and float(vector @ embedder.embed_together(asked[:1])[0]) > 0.999  # as alone
    assert ahead.take(asked[0]) is None and ahead.take("Who built it?") is None
    assert ahead.take(asked[1]) is not None


def test_a_search_given_a_questions_vector_finds_by_it(retriever):
    vector = retriever.embedder.embed_together(["Which mountain is the highest?"])[0]
    found = retriever.search("Where is the Eiffel Tower?", k=1, mode="dense", vector=vector)
    assert found.passages[0].passage.text == TEXTS[3]


def test_passages_of_changed_files_are_left_out(retriever):
    everest = retriever.store.documents([document_id(TEXTS[3])])[0]
    stale = Retriever(retriever.store, retriever.embedder, is_stale=lambda d: d.id == everest.id)
    found = stale.search("tallest peak on earth", k=4, mode="hybrid")
    assert [d.id for d in found.changed_documents] == [everest.id]
    assert everest.id not in {p.passage.document_id for p in found.passages} and len(found.passages) == 3


@pytest.mark.parametrize(
    ("mode", "question", "expected"),
    [
        ("dense", "How do leaves make energy from light?", 1),
        ("bm25", "QZ-7 gasket interval", 2),
        ("hybrid", "Which tower was finished in 1889?", 0),
        ("hybrid", "tallest peak on earth", 3),
    ],
)
def test_modes_find_the_right_passage(retriever, mode, question, expected):
    results = retriever.retrieve(question, k=3, mode=mode)
    assert results[0].passage.text == TEXTS[expected]
    assert results[0].title == f"doc {expected}"
    if mode == "hybrid":
        assert results[0].dense_rank is not None or results[0].bm25_rank is not None
    scores = [r.score for r in results]
    assert scores == sorted(scores, reverse=True)


def test_k_bounds_the_results(retriever):
    assert len(retriever.retrieve("energy", k=2)) == 2
    assert len(retriever.retrieve("energy", k=50, mode="dense")) == len(TEXTS)


def test_reference_lists_are_weighted_down_whatever_the_sign_of_the_score():
    sections = [Section(start=0, title="1 Introduction"), Section(start=100, title="References")]
    assert not in_reference_list(sections, 99) and in_reference_list(sections, 100)
    assert not in_reference_list(None, 5) and not in_reference_list([], 5)
    assert reference_weighted(0.03, sections, 50) == 0.03
    assert reference_weighted(0.03, sections, 120) == pytest.approx(0.03 * REFERENCE_WEIGHT)
    assert reference_weighted(-0.2, sections, 120) < -0.2
    assert section_name(sections, 120) == section_label(sections[1]) and section_name(None, 3) is None


def test_a_reference_entry_is_found_but_ranked_below_body_text_that_matches_as_well(embedder, tmp_path):
    body = "Kelp forests off Tasmania shrank by ninety percent since 1950, divers found."
    paper = "References\nKelp forests off Tasmania shrank by ninety percent. Marine Survey Letters 12, 2019."
    sections = [Section(start=0, title="References")]
    documents = [
        Document(id=document_id(body), title="Survey", source="survey.txt", text=body),
        Document(id=document_id(paper), title="Kelp", source="kelp.pdf", text=paper, sections=sections),
    ]
    store = open_store("local", str(tmp_path / "index"))
    Indexer(store, embedder, 200, 1).sync_documents(documents, progress=False)
    retriever = Retriever(store, embedder)
    question = "Did kelp forests off Tasmania shrink by ninety percent?"
    survey, entry = retriever.retrieve(question, k=5)  # each retriever ranks one first: their fused scores are equal
    assert (survey.title, entry.title) == ("Survey", "Kelp") and {survey.bm25_rank, entry.dense_rank} == {1}
    assert entry.score == pytest.approx(REFERENCE_WEIGHT * survey.score)
    assert (entry.sections, survey.sections) == (sections, None)
    survey, entry = retriever.retrieve(question, k=5, mode="dense")  # the entry is nearer, and still comes second
    assert (survey.title, entry.title, entry.dense_rank) == ("Survey", "Kelp", 1)
    store.close()


def test_the_text_before_a_passage_is_put_together_from_the_overlapping_passages_before_it():
    text = "One. Two. Three. Four. Five."
    cut = [(0, 9), (5, 16), (10, 22)]  # sharing a sentence each, as the chunker cuts
    passages = [Passage(id=f"d:{n}", document_id="d", start=a, end=b, text=text[a:b]) for n, (a, b) in enumerate(cut)]
    last = Passage(id="d:3", document_id="d", start=17, end=28, text=text[17:28])
    assert text_before(last, passages[::-1]) == text[:17]
    assert text_before(last, passages[1:]) == text[5:17]
    assert text_before(last, [passages[0], passages[2]]) == ""  # a gap between them
    assert text_before(last, passages[:1]) == ""  # they end before it begins


@pytest.mark.parametrize("count", [24, 240])  # 8 passages or more before some rows; more than TABLE_LOOKBACK
def test_a_passage_that_begins_within_a_long_table_is_given_the_head_of_its_table(embedder, tmp_path, count):
    rows = "".join(f"| R-{n:03} | Risk number {n} of the pump station | Owner {n} |\n" for n in range(1, count + 1))
    text = f"# Risk register\n\n| ID | Risk | Owner |\n|---|---|---|\n{rows}\nThe register is reviewed monthly."
    store = open_store("local", str(tmp_path / "index"))
    Indexer(store, embedder, 64, 1).sync_documents(
        [Document(id=document_id(text), title="Risks", source="risks.md", text=text)], progress=False
    )
    assert store.manifest().passage_count > (TABLE_LOOKBACK if count > 100 else 8)
    found = Retriever(store, embedder).search(f"Who owns R-{count - 3:03}?", k=8, mode="bm25").passages
    store.close()
    within = [p.passage for p in found if p.passage.text.startswith("| R-")]
    assert within and all(p.table_head == "| ID | Risk | Owner |\n|---|---|---|" for p in within)
    assert all(not p.passage.table_head for p in found if p.passage.text.startswith("# Risk register"))
