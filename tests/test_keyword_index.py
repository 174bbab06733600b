"""The in-memory BM25 index: the same ranking as bm25s, additions, removals, compaction and saving."""

from __future__ import annotations

import numpy as np
import pytest

from qa.store.local.keywords import KeywordIndex
from qa.store.rules import keyword_tokens

TEXTS = [
    "The Eiffel Tower stands in Paris and was completed in 1889.",
    "Photosynthesis lets plants turn sunlight into chemical energy; plants need light.",
    "The QZ-7 gasket seal must be replaced every 400 hours of operation.",
    "Mount Everest is the highest mountain above sea level; Everest climbers start in Nepal.",
    "Paris is the capital of France, and the tower is its best known sight.",
]
QUERIES = [
    "tower in Paris",
    "plants light energy",
    "replacing the gasket",
    "highest mountain Everest",
    "capital",
    "Everest, Everest: the Paris mountain",
]


def test_ranking_and_scores_match_bm25s():
    import bm25s

    tokens = keyword_tokens(TEXTS)
    reference = bm25s.BM25(method="lucene", k1=1.2, b=0.75)
    reference.index(tokens, show_progress=False)
    index = KeywordIndex.build([(np.arange(10, 10 + len(TEXTS)), tokens)])
    for query in QUERIES:
        words = keyword_tokens([query])[0]
        ours = index.search(words, 5)
        scores = reference.get_scores(words)
        expected = [int(i) + 10 for i in np.argsort(-scores, kind="stable") if scores[i] > 0]
        assert [doc for doc, _ in ours] == expected[: len(ours)] and len(ours) == len(expected)
        ratio = [score / scores[doc - 10] for doc, score in ours]
        assert np.allclose(ratio, ratio[0], rtol=1e-4)  # bm25s leaves out the constant (k1 + 1)


def test_additions_and_removals_are_searchable_at_once():
    tokens = keyword_tokens(TEXTS)
    index = KeywordIndex.build([(np.arange(2), tokens[:2]), (np.arange(2, 4), tokens[2:4])])
    assert index.search(keyword_tokens(["capital"])[0], 3) == []
    index.add(4, tokens[4])
    assert index.search(keyword_tokens(["capital"])[0], 3)[0][0] == 4
    index.remove(0)
    assert [d for d, _ in index.search(keyword_tokens(["tower Paris"])[0], 5)] == [4]
    index.add(7, tokens[0])
    assert sorted(d for d, _ in index.search(keyword_tokens(["tower Paris"])[0], 5)) == [4, 7]
    assert index.count == 5


def test_saving_folds_the_delta_and_keeps_the_ranking(tmp_path):
    tokens = keyword_tokens(TEXTS)
    index = KeywordIndex.build([(np.array([0, 1, 2]), tokens[:3])])
    index.add(3, tokens[3])
    index.add(4, tokens[4])
    index.remove(1)
    before = [index.search(keyword_tokens([q])[0], 5) for q in QUERIES]
    index.save(tmp_path / "keywords.npz")
    loaded = KeywordIndex.load(tmp_path / "keywords.npz")
    assert not loaded.delta and loaded.count == 4
    for query, expected in zip(QUERIES, before, strict=True):
        found = loaded.search(keyword_tokens([query])[0], 5)
        assert [d for d, _ in found] == [d for d, _ in expected]
        assert [s for _, s in found] == pytest.approx([s for _, s in expected])


def test_empty_and_unknown_words_find_nothing():
    assert KeywordIndex().search(["anything"], 3) == []
    index = KeywordIndex.build([(np.arange(2), keyword_tokens(TEXTS[:2]))])
    assert index.search([], 3) == [] and index.search(["zzzz"], 3) == []


def test_threads_stemming_at_once_get_what_one_thread_gets():
    import threading

    from qa.store.rules import _stemmer

    texts = [f"{text} running runners ran {n} connections connected connecting" for n, text in enumerate(TEXTS * 40)]
    alone = keyword_tokens(texts)
    start, together, stemmers = threading.Barrier(8), [None] * 8, [None] * 8

    def stem(number: int) -> None:
        start.wait()
        stemmers[number] = _stemmer()
        together[number] = [keyword_tokens(texts) for _ in range(5)]

    threads = [threading.Thread(target=stem, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(runs == [alone] * 5 for runs in together)
    assert len({id(stemmer) for stemmer in stemmers}) == 8 and _stemmer() is _stemmer()  # one per thread, kept
