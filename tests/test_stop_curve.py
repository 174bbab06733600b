"""eval.stop_curve: what stopping after the first passage gives and costs, from both stages' answers."""

from __future__ import annotations

import pytest

from eval.stop_curve import Read, curve, fit_stop_model, model_curve


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


def test_a_stop_model_fitted_on_the_reads_learns_when_stopping_loses_nothing():
    reads = []
    for n in range(200):  # when both retrievers put the first passage first, its answer is as good as any
        both_first = n % 2 == 0
        first, every = ("Paris", "Lyon") if both_first else ("Lyon", "Paris")
        features = [0.5, 5.0, 1.0, 1.0 if both_first else 0.5, 1.0, float(both_first)]
        reads.append(Read(["Paris"], first, 0.5, every, 0.5, passages=5, features=features))
    reads.append(Read(["Paris"], None, None, "Paris", 0.5, passages=5))  # no answer in the first: not fitted on
    model = fit_stop_model(reads, "made up")
    assert model.examples == 200 and model.positive_share == pytest.approx(0.5)
    rows = {row["stop_probability"]: row for row in model_curve(reads, model, min_confidence=0.2, stops=(0.9, 1.0))}
    assert rows[0.9]["stopped"] == pytest.approx(100 * 100 / 201)
    assert rows[0.9]["F1 always answering"] == pytest.approx(100.0)
    assert rows[1.0]["stopped"] == 0 and rows[1.0]["F1 always answering"] == pytest.approx(100 * 101 / 201)
