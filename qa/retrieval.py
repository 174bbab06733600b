"""Find the passages that may answer a question: dense (FAISS), BM25 (bm25s), or both fused by reciprocal rank."""

from __future__ import annotations

import threading
from functools import cached_property

import bm25s
import Stemmer

from qa.config import RetrievalMode
from qa.embedding import Embedder
from qa.index import PassageIndex
from qa.models import RetrievedPassage

CANDIDATES_PER_RETRIEVER = 100


def bm25_tokens(texts: list[str], stemmer) -> list[list[str]]:
    """Lower-cased, stop-word-free, stemmed word tokens, the same for passages and questions."""
    return bm25s.tokenize(texts, stopwords="en", stemmer=stemmer, return_ids=False, show_progress=False)


class Bm25Index:
    """A BM25 index over an index's passages, built in memory (it takes well under a second per 10,000 passages)."""

    def __init__(self, passages_text: list[str]):
        self.stemmer = Stemmer.Stemmer("english")
        self.size = len(passages_text)
        self.retriever = bm25s.BM25()
        if passages_text:
            self.retriever.index(bm25_tokens(passages_text, self.stemmer), show_progress=False)

    def search(self, question: str, k: int) -> list[tuple[int, float]]:
        """(passage row, BM25 score) of the best ``k`` passages sharing a word with the question."""
        if not self.size:
            return []
        vocabulary = self.retriever.vocab_dict
        tokens = [t for t in bm25_tokens([question], self.stemmer)[0] if t in vocabulary]
        if not tokens:
            return []
        rows, scores = self.retriever.retrieve([tokens], k=min(k, self.size), show_progress=False, n_threads=1)
        return [(int(r), float(s)) for r, s in zip(rows[0], scores[0]) if s > 0]


def reciprocal_rank_fusion(rankings: list[list[int]], k: int = 60) -> list[tuple[int, float]]:
    """Rows ordered by the sum of 1 / (k + rank) over the rankings that hold them (ranks from 1)."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, row in enumerate(ranking, start=1):
            scores[row] = scores.get(row, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


class Retriever:
    """Dense, BM25 or hybrid retrieval over one PassageIndex."""

    def __init__(self, index: PassageIndex, embedder: Embedder, rrf_k: int = 60):
        self.index = index
        self.embedder = embedder
        self.rrf_k = rrf_k
        self._lock = threading.Lock()

    @cached_property
    def bm25(self) -> Bm25Index:
        return Bm25Index([p.text for p in self.index.passages])

    def warm_up(self) -> None:
        with self._lock:
            self.bm25  # noqa: B018 - builds the BM25 index once

    def retrieve(self, question: str, k: int = 5, mode: RetrievalMode = "hybrid") -> list[RetrievedPassage]:
        """The ``k`` best passages for the question, best first, with each retriever's rank."""
        dense = self.index.search(self.embedder.embed([question])[0], CANDIDATES_PER_RETRIEVER) if mode != "bm25" else []
        if mode != "dense":
            self.warm_up()
        sparse = self.bm25.search(question, CANDIDATES_PER_RETRIEVER) if mode != "dense" else []
        dense_rank = {row: rank for rank, (row, _) in enumerate(dense, start=1)}
        sparse_rank = {row: rank for rank, (row, _) in enumerate(sparse, start=1)}
        if mode == "dense":
            ranked = dense
        elif mode == "bm25":
            ranked = sparse
        else:
            ranked = reciprocal_rank_fusion([[r for r, _ in dense], [r for r, _ in sparse]], self.rrf_k)
        results = []
        for row, score in ranked[:k]:
            passage = self.index.passages[row]
            document = self.index.documents[passage.document_id]
            results.append(RetrievedPassage(passage=passage, title=document.title, source=document.source,
                                            score=score, dense_rank=dense_rank.get(row), bm25_rank=sparse_rank.get(row)))
        return results
