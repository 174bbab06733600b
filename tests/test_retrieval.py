"""Retrieval: reciprocal rank fusion, BM25 and dense search, and the hybrid default on real passages."""

from __future__ import annotations

import pytest

from qa.documents import document_id
from qa.index import build_index
from qa.models import Document
from qa.retrieval import Bm25Index, Retriever, reciprocal_rank_fusion

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


def test_bm25_matches_stemmed_words_and_ignores_stopwords():
    bm25 = Bm25Index(TEXTS)
    assert bm25.search("replacing gaskets", 2)[0][0] == 2
    assert bm25.search("the of and", 5) == []
    assert Bm25Index([]).search("anything", 3) == []


@pytest.fixture(scope="module")
def retriever(embedder):
    documents = [Document(id=document_id(t), title=f"doc {i}", source=f"{i}.txt", text=t) for i, t in enumerate(TEXTS)]
    index, _ = build_index(documents, embedder, 200, 1, progress=False)
    return Retriever(index, embedder)


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
