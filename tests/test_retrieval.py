"""Retrieval: reciprocal rank fusion, BM25 and dense search, and the hybrid default on real passages."""

from __future__ import annotations

import pytest

from qa.documents import document_id
from qa.index import Indexer
from qa.models import Document
from qa.retrieval import Retriever, reciprocal_rank_fusion
from qa.store import open_store

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
