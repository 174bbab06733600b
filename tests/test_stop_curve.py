"""eval.stop_curve: what stopping after the first passage gives and costs, from both stages' answers."""

from __future__ import annotations

import pytest

from eval.stop_curve import Read, curve


def test_the_curve_takes_the_first_passages_answer_only_when_it_is_confident_enough():
    reads = [
        Read(["Paris"], "Paris", 0.9, "Paris", 0.95, passages=5),  # stops at 0.5 and 0.8, right either way
        Read(["1911"], "1903", 0.6, "1911", 0.7, passages=5),  # stopping at 0.5 keeps the wrong first answer
        Read(["Curie"], None, None, "Curie", 0.1, passages=4),  # nothing in the first passage; declined at 0.2
    ]
    rows = {row["stop_confidence"]: row for row in curve(reads, min_confidence=0.2, stops=(0.5, 0.8, 1.0))}
    assert rows[0.5]["stopped"] == pytest.approx(200 / 3)
    assert rows[0.5]["passages read"] == pytest.approx((1 + 1 + 4) / 3)
    assert rows[0.5]["F1 always answering"] == pytest.approx(200 / 3)
    assert rows[0.8]["stopped"] == pytest.approx(100 / 3)
    assert rows[0.8]["F1 always answering"] == pytest.approx(100.0)
    assert rows[0.8]["F1 as ask() answers"] == pytest.approx(200 / 3)  # "Curie" at 0.1 is not given
    assert rows[1.0]["stopped"] == 0 and rows[1.0]["passages read"] == pytest.approx(14 / 3)
