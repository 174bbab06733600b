"""Finding answers: each query of a question's chain read once."""

from __future__ import annotations

from qa.reading.finder import remembered
from qa.retrieval import Retrieval


def test_remembered_reads_each_query_once():
    calls = []
    read_once = remembered(lambda query: calls.append(query) or (Retrieval(passages=[]), []))
    assert read_once("a") is read_once("a")
    read_once("b")
    assert calls == ["a", "b"]
