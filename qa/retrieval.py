"""Find the passages that may answer a question: the store's dense and keyword searches, fused by reciprocal rank."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np

from qa.config import RetrievalMode
from qa.documents.loading import is_reference_section, section_at, section_label
from qa.documents.tables import may_open_within_table, table_head
from qa.embedding import Embedder
from qa.models import Passage, RetrievedPassage, Section, passage_id
from qa.store.protocol import DocumentStore, StoredDocument

CANDIDATES_PER_RETRIEVER = 100
# A passage in a reference list has its score multiplied by this (see ``reference_weighted``).
REFERENCE_WEIGHT = 0.5
# The most passages walked back for the header of a table that a retrieved passage begins within.
TABLE_LOOKBACK = 64
Id = TypeVar("Id", str, int)


def reciprocal_rank_fusion(rankings: Sequence[Sequence[Id]], k: int = 60) -> list[tuple[Id, float]]:
    """Ids ordered by the sum of 1 / (k + rank) over the rankings that hold them (ranks from 1); ties by id."""
    scores: dict[Id, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


def section_name(sections: list[Section] | None, offset: int) -> str | None:
    """The heading of the section holding the character at ``offset`` as cited ("3.2 Methods"), or None (no
    headings, or before the first)."""
    section = section_at(sections, offset)
    return section_label(section) if section is not None else None


def in_reference_list(sections: list[Section] | None, offset: int) -> bool:
    """Whether the character at ``offset`` is in a reference list: a section whose heading ``is_reference_section``
    ("References", "Bibliography"...)."""
    section = section_at(sections, offset)
    return section is not None and is_reference_section(section.title)


def reference_weighted(score: float, sections: list[Section] | None, start: int) -> float:
    """The score of a passage that starts at ``start``, REFERENCE_WEIGHT times it when that is in a reference list.

    The titles a paper cites hold the words of questions about the paper as much as its own text does, but a cited
    title is seldom the answer: such a passage is still indexed and found, ranked after body text of a similar score
    (in every mode; a hybrid score is the fused one). A negative score (a cosine) is divided instead, which lowers it
    too."""
    if not in_reference_list(sections, start):
        return score
    return score * REFERENCE_WEIGHT if score >= 0 else score / REFERENCE_WEIGHT


class EmbeddedAhead:
    """Questions of one ``ask`` embedded together before they are searched for (a question and the first question of
    its chain, in one pass: ``embed``), each vector given to the first search for its question (``take``)."""

    def __init__(self, embed_together: Callable[[list[str]], np.ndarray]) -> None:
        self.embed_together = embed_together
        self.vectors: dict[str, np.ndarray] = {}

    def embed(self, questions: list[str]) -> None:
        new = list(dict.fromkeys(q for q in questions if q not in self.vectors))
        if new:
            self.vectors.update(zip(new, self.embed_together(new), strict=True))

    def take(self, question: str) -> np.ndarray | None:
        """The vector embedded ahead for ``question`` (given once), or None."""
        return self.vectors.pop(question, None)


@dataclass
class Retrieval:
    """Passages found for a question, best first, and the documents left out because their files changed."""

    passages: list[RetrievedPassage]
    changed_documents: list[StoredDocument] = field(default_factory=list)


class Retriever:
    """Dense, keyword (BM25) or hybrid retrieval over a store, by passage id.

    ``is_stale`` (when given) says whether a document's file changed since it was indexed: its passages are
    left out so that no answer cites text that is no longer in the file.
    """

    def __init__(
        self,
        store: DocumentStore,
        embedder: Embedder,
        rrf_k: int = 60,
        is_stale: Callable[[StoredDocument], bool] | None = None,
        leave_out_stale: bool = True,
    ):
        self.store = store
        self.embedder = embedder
        self.rrf_k = rrf_k
        self.is_stale = is_stale
        self.leave_out_stale = leave_out_stale  # False: stale documents are reported but still read (a read-only index)

    def warm_up(self) -> None:
        self.embedder.warm_up()
        self.store.dense_search(self.embedder.embed_together(["warm up"])[0], 1)

    def search(
        self, question: str, k: int = 5, mode: RetrievalMode = "hybrid", vector: np.ndarray | None = None
    ) -> Retrieval:
        """The ``k`` best passages for the question with each retriever's rank (``vector``: its embedding, when
        already made); those of reference lists ranked down (see ``reference_weighted``)."""
        dense = []
        if mode != "bm25":
            vector = self.embedder.embed_together([question])[0] if vector is None else vector
            dense = self.store.dense_search(vector, CANDIDATES_PER_RETRIEVER)
        sparse = self.store.keyword_search(question, CANDIDATES_PER_RETRIEVER) if mode != "dense" else []
        dense_rank = {pid: rank for rank, (pid, _) in enumerate(dense, start=1)}
        dense_score = dict(dense)
        sparse_rank = {pid: rank for rank, (pid, _) in enumerate(sparse, start=1)}
        if mode == "dense":
            ranked = dense
        elif mode == "bm25":
            ranked = sparse
        else:
            ranked = reciprocal_rank_fusion([[pid for pid, _ in dense], [pid for pid, _ in sparse]], self.rrf_k)
        wanted = ranked[: 2 * k]  # room for passages of changed files, which are left out
        passages = self.store.get_passages([pid for pid, _ in wanted])
        documents = {d.id: d for d in self.store.documents(list({p.document_id for p in passages.values()}))}
        changed = {i: d for i, d in documents.items() if self.is_stale and self.is_stale(d)}
        results = []
        for pid, score in wanted:
            passage = passages.get(pid)
            left_out = self.leave_out_stale and passage is not None and passage.document_id in changed
            if passage is None or left_out or passage.document_id not in documents:
                continue
            ranks = (dense_rank.get(pid), dense_score.get(pid), sparse_rank.get(pid))
            results.append(retrieved(passage, documents[passage.document_id], score, *ranks))
        results.sort(key=lambda found: -found.score)  # stable: only passages of reference lists move down
        return Retrieval([self._with_table_head(found) for found in results[:k]], list(changed.values()))

    def _with_table_head(self, found: RetrievedPassage) -> RetrievedPassage:
        """``found`` with the head of the table its passage begins within (``Passage.table_head``), when an earlier
        passage of its document holds it: the text before it is put together from the passages before it,
        TABLE_LOOKBACK of them at most; when those hold only rows, the table that opens the document (a CSV file's,
        a long register's) is taken for it."""
        passage = found.passage
        suffix = passage.id.rsplit(":", 1)[-1]
        if not suffix.isdigit() or not may_open_within_table(passage.text):
            return found  # (a passage whose id is not its number in its document has no passages before it)
        number = int(suffix)
        for back in (TABLE_LOOKBACK // 8, TABLE_LOOKBACK):
            before = self.store.get_passages([passage_id(passage.document_id, n) for n in range(number - back, number)])
            head = table_head(text_before(passage, list(before.values())))
            if head != "" or number <= back:
                break
        if head == "" and number > TABLE_LOOKBACK:
            first = self.store.get_passages([passage_id(passage.document_id, 0)]).values()
            head = next((table_head(p.text + "\n") for p in first), None)
        if not head:
            return found
        return found.model_copy(update={"passage": passage.model_copy(update={"table_head": head})})

    def retrieve(self, question: str, k: int = 5, mode: RetrievalMode = "hybrid") -> list[RetrievedPassage]:
        """The ``k`` best passages for the question, best first, with each retriever's rank."""
        return self.search(question, k, mode).passages


def text_before(passage: Passage, earlier: list[Passage]) -> str:
    """The document's text from the start of the first of ``earlier`` (passages of the same document, which cover
    it without gaps, as the chunker cuts them) to where ``passage`` begins; "" when they do not reach it."""
    text, reached = "", None
    for part in sorted(earlier, key=lambda p: p.start):
        reached = part.start if reached is None else reached
        if part.start > reached:
            return ""  # a gap: not the passages of one chunking
        text += part.text[reached - part.start :]
        reached = max(reached, part.end)
    if reached is None or reached < passage.start:
        return ""
    return text[: len(text) - (reached - passage.start)]


def retrieved(
    passage: Passage,
    document: StoredDocument,
    score: float,
    dense_rank: int | None = None,
    dense_score: float | None = None,
    bm25_rank: int | None = None,
) -> RetrievedPassage:
    """A passage found with ``score`` (made ``reference_weighted``) and its ranks, with what its document tells:
    title, file, pages and sections."""
    return RetrievedPassage(
        passage=passage,
        title=document.title,
        source=document.source,
        score=reference_weighted(score, document.sections, passage.start),
        dense_rank=dense_rank,
        dense_score=dense_score,
        bm25_rank=bm25_rank,
        page_starts=document.page_starts,
        sections=document.sections,
        document_passages=document.passage_count,
    )
