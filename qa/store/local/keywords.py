"""BM25 in memory over integer ids: a compact main segment, a delta of later additions, and removals by mask."""

from __future__ import annotations

import os
from array import array
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import numpy as np

K1 = 1.2
B = 0.75


class KeywordIndex:
    """BM25 (k1 1.2, b 0.75, Lucene's idf) over token lists keyed by non-negative integer ids (passage rowids).

    Postings of the main segment sit in flat arrays ordered by term; additions since it was built go to a delta;
    removals clear an id's ``alive`` flag and leave its postings (term frequencies of the living documents stay
    exact, document frequencies count removed documents until ``compact``).
    """

    def __init__(self) -> None:
        self.vocabulary: dict[str, int] = {}
        self.offsets: np.ndarray = np.zeros(1, dtype=np.int64)  # term t's main postings: [offsets[t], offsets[t + 1])
        self.ids: np.ndarray = np.zeros(0, dtype=np.int32)
        self.frequencies: np.ndarray = np.zeros(0, dtype=np.float32)
        self.delta: dict[int, tuple[array, array]] = {}  # term -> (ids, frequencies), 4 bytes an entry
        self.document_frequency: np.ndarray = np.zeros(0, dtype=np.int64)
        self.lengths: np.ndarray = np.zeros(0, dtype=np.float32)
        self.alive: np.ndarray = np.zeros(0, dtype=bool)
        self.count = 0
        self.total_length = 0.0

    @classmethod
    def build(cls, chunks: Iterable[tuple[np.ndarray, list[list[str]]]]) -> KeywordIndex:
        """An index of every chunk's documents (``ids[i]`` holding ``tokens[i]``), all in the main segment.

        Each chunk's postings are counted and sorted by term with numpy as it comes, then every chunk is copied
        into its place in the term-ordered arrays (memory: the postings about twice, never the tokens of all).
        """
        index = cls()
        vocabulary = index.vocabulary
        parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        for chunk_ids, words in chunks:
            chunk_ids = np.asarray(chunk_ids, dtype=np.int64)
            if not len(chunk_ids):
                continue
            index._grow(int(chunk_ids.max()))
            lengths = np.fromiter(map(len, words), np.int64, len(words))
            terms = np.fromiter(
                (vocabulary.setdefault(w, len(vocabulary)) for row in words for w in row), np.int64, int(lengths.sum())
            )
            keys, counts = np.unique(terms << 32 | np.repeat(chunk_ids, lengths), return_counts=True)  # by term
            parts.append(
                ((keys >> 32).astype(np.int32), (keys & 0xFFFFFFFF).astype(np.int32), counts.astype(np.float32))
            )
            index.lengths[chunk_ids] = lengths
            index.alive[chunk_ids] = True
            index.count += len(chunk_ids)
            index.total_length += float(lengths.sum())
        frequency = np.zeros(len(vocabulary), np.int64)
        for terms, _, _ in parts:
            frequency += np.bincount(terms, minlength=len(vocabulary))
        index.document_frequency = frequency
        index.offsets = np.concatenate([[0], np.cumsum(frequency)]).astype(np.int64)
        index.ids = np.empty(int(index.offsets[-1]), np.int32)
        index.frequencies = np.empty(int(index.offsets[-1]), np.float32)
        filled = index.offsets[:-1].copy()  # next free slot of each term
        while parts:
            terms, doc_ids, counts = parts.pop(0)
            run_starts = np.flatnonzero(np.r_[True, terms[1:] != terms[:-1]])
            run_lengths = np.diff(np.r_[run_starts, len(terms)])
            rank = np.arange(len(terms)) - np.repeat(run_starts, run_lengths)
            slots = filled[terms] + rank
            index.ids[slots], index.frequencies[slots] = doc_ids, counts
            filled[terms[run_starts]] += run_lengths
        return index

    def _term(self, term: str) -> int:
        number = self.vocabulary.get(term)
        if number is None:
            number = self.vocabulary[term] = len(self.vocabulary)
        return number

    def _grow(self, doc_id: int) -> None:
        if doc_id >= len(self.lengths):
            size = max(doc_id + 1, 2 * len(self.lengths), 1024)
            self.lengths = np.concatenate([self.lengths, np.zeros(size - len(self.lengths), np.float32)])
            self.alive = np.concatenate([self.alive, np.zeros(size - len(self.alive), bool)])

    def _admit(self, doc_id: int, length: int) -> None:
        self.lengths[doc_id] = length
        self.alive[doc_id] = True
        self.count += 1
        self.total_length += length

    def add(self, doc_id: int, words: list[str]) -> None:
        """Index one more document (into the delta)."""
        if doc_id < len(self.alive) and self.alive[doc_id]:
            self.remove(doc_id)
        self._grow(doc_id)
        for term, frequency in Counter(words).items():
            number = self._term(term)
            ids, frequencies = self.delta.setdefault(number, (array("i"), array("f")))
            ids.append(doc_id)
            frequencies.append(frequency)
            if number >= len(self.document_frequency):
                self.document_frequency = np.concatenate(
                    [self.document_frequency, np.zeros(number + 1 - len(self.document_frequency), np.int64)]
                )
            self.document_frequency[number] += 1
        self._admit(doc_id, len(words))

    def remove(self, doc_id: int) -> None:
        """Forget a document: it is never returned again."""
        if doc_id < len(self.alive) and self.alive[doc_id]:
            self.alive[doc_id] = False
            self.count -= 1
            self.total_length -= float(self.lengths[doc_id])

    def search(self, words: list[str], k: int) -> list[tuple[int, float]]:
        """(id, BM25 score) of the best ``k`` living documents sharing a word with ``words``, best first (a word
        given twice counts twice, as in bm25s)."""
        repeats = Counter(self.vocabulary[w] for w in words if w in self.vocabulary)
        terms = list(repeats)
        if not terms or not self.count or k <= 0:
            return []
        average = self.total_length / self.count
        touched, gains = [], []
        for term in terms:
            start, end = (self.offsets[term], self.offsets[term + 1]) if term + 1 < len(self.offsets) else (0, 0)
            ids, frequencies = self.ids[start:end], self.frequencies[start:end]
            if term in self.delta:
                extra_ids, extra_frequencies = self.delta[term]
                ids = np.concatenate([ids, np.frombuffer(extra_ids, np.int32)])
                frequencies = np.concatenate([frequencies, np.frombuffer(extra_frequencies, np.float32)])
            frequency = self.document_frequency[term]
            idf = np.log(1.0 + (self.count - frequency + 0.5) / (frequency + 0.5))
            norm = K1 * (1.0 - B + B * self.lengths[ids] / average)
            touched.append(ids)
            gains.append((repeats[term] * idf * frequencies * (K1 + 1.0) / (frequencies + norm)).astype(np.float32))
        ids = np.concatenate(touched)
        gain = np.concatenate(gains)
        keep = self.alive[ids]
        ids, gain = ids[keep], gain[keep]
        if not len(ids):
            return []
        unique, inverse = np.unique(ids, return_inverse=True)
        totals = np.bincount(inverse, weights=gain).astype(np.float32)
        best = np.argpartition(-totals, min(k, len(totals)) - 1)[:k] if len(totals) > k else np.arange(len(totals))
        best = best[np.lexsort((unique[best], -totals[best]))]
        return [(int(unique[i]), float(totals[i])) for i in best if totals[i] > 0]

    def save(self, path: Path) -> None:
        """Write the index to ``path`` (npz format) and sync it to disk; the delta is folded in first."""
        self.compact_delta()
        terms = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        with open(path, "wb") as handle:
            np.savez(
                handle,
                offsets=self.offsets,
                ids=self.ids,
                frequencies=self.frequencies,
                document_frequency=self.document_frequency,
                lengths=self.lengths,
                alive=self.alive,
                totals=np.array([self.count, self.total_length]),
                vocabulary=np.frombuffer("\n".join(terms).encode("utf-8"), dtype=np.uint8),
            )
            handle.flush()
            os.fsync(handle.fileno())

    @classmethod
    def load(cls, path: Path) -> KeywordIndex:
        index = cls()
        with np.load(path) as data:
            index.offsets, index.ids, index.frequencies = data["offsets"], data["ids"], data["frequencies"]
            index.document_frequency, index.lengths, index.alive = (
                data["document_frequency"],
                data["lengths"],
                data["alive"],
            )
            count, total = data["totals"]
            words = data["vocabulary"].tobytes().decode("utf-8")
        index.count, index.total_length = int(count), float(total)
        index.vocabulary = {w: i for i, w in enumerate(words.split("\n"))} if words else {}
        return index

    def compact_delta(self) -> None:
        """Fold the delta's postings into the main segment (document frequencies are unchanged)."""
        if not self.delta:
            return
        terms = len(self.vocabulary)
        sizes = np.zeros(terms, dtype=np.int64)
        sizes[: len(self.offsets) - 1] = np.diff(self.offsets)
        for term, (ids, _) in self.delta.items():
            sizes[term] += len(ids)
        offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        new_ids = np.empty(int(offsets[-1]), np.int32)
        new_frequencies = np.empty(int(offsets[-1]), np.float32)
        old_terms = len(self.offsets) - 1
        for term in range(terms):
            at = offsets[term]
            if term < old_terms:
                start, end = self.offsets[term], self.offsets[term + 1]
                new_ids[at : at + end - start] = self.ids[start:end]
                new_frequencies[at : at + end - start] = self.frequencies[start:end]
                at += end - start
            if term in self.delta:
                ids, frequencies = self.delta[term]
                new_ids[at : at + len(ids)] = np.frombuffer(ids, np.int32)
                new_frequencies[at : at + len(ids)] = np.frombuffer(frequencies, np.float32)
        self.offsets, self.ids, self.frequencies, self.delta = offsets, new_ids, new_frequencies, {}
