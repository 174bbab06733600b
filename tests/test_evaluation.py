"""Tests of the evaluation: SQuAD metrics, retrieval metrics, the threshold sweep, and whole runs on tiny data."""

from __future__ import annotations

import argparse
import json
import math

import pytest
from conftest import citing

from qa.evaluation.cli import add_arguments, run
from qa.evaluation.metrics import (
    QuestionRecord,
    answer_metrics,
    best_threshold,
    citation_valid,
    contains_answer,
    exact_match,
    f1_score,
    latency_metrics,
    normalize_answer,
    one_window_passage,
    predict,
    retrieval_metrics,
    score_prediction,
    summarise,
    window_latency,
)
from qa.evaluation.runners import parse_modes


def test_normalize_answer_follows_squad():
    assert normalize_answer("The  Quick, brown fox!") == "quick brown fox"
    assert normalize_answer("An apple a day keeps THE doctor away.") == "apple day keeps doctor away"
    assert normalize_answer("theatre") == "theatre"  # articles are whole words only
    assert normalize_answer("U.S.-led") == "usled"


def test_exact_match_and_f1_on_hand_computed_examples():
    assert exact_match("the Eiffel Tower", ["Eiffel Tower!"]) == 1.0
    assert exact_match("Eiffel", ["Eiffel Tower"]) == 0.0
    # 2 shared tokens: precision 2/4, recall 2/2 -> F1 2/3
    assert f1_score("Eiffel Tower in Paris", ["the Eiffel Tower"]) == pytest.approx(2 / 3)
    # the best gold counts: "paris france" gives precision 1, recall 1/2 -> 2/3
    assert f1_score("Paris", ["London", "paris France"]) == pytest.approx(2 / 3)
    assert f1_score("Berlin", ["Paris"]) == 0.0
    # repeated tokens are counted with their multiplicity: 1 shared of 3 predicted -> P 1/3, R 1 -> 1/2
    assert f1_score("1889 1889 1889", ["1889"]) == pytest.approx(0.5)


def test_v2_scoring_of_abstention():
    assert score_prediction(None, []) == (1.0, 1.0)
    assert score_prediction("Paris", []) == (0.0, 0.0)
    assert score_prediction(None, ["Paris"]) == (0.0, 0.0)
    assert score_prediction("in Paris", ["Paris"]) == (0.0, pytest.approx(2 / 3))


def test_predict_answers_at_or_above_the_threshold():
    assert predict("Paris", 0.5, 0.5) == "Paris"
    assert predict("Paris", 0.49, 0.5) is None
    assert predict(None, None, -10.0) is None


def test_a_calibrated_reader_answers_by_confidence_not_score():
    assert predict("Paris", -5.0, 3.0, best_confidence=0.8, min_confidence=0.5) == "Paris"
    assert predict("Paris", 10.0, 3.0, best_confidence=0.2, min_confidence=0.5) is None
    assert predict("Paris", 10.0, 3.0, best_confidence=0.5, min_confidence=0.5) == "Paris"


def test_the_summary_measures_calibration_when_candidates_carry_confidences():
    records = [
        QuestionRecord(id="a", question="q", answers=["Paris"], best_text="Paris", best_score=9, best_confidence=0.95),
        QuestionRecord(id="b", question="q", answers=["Paris"], best_text="Lyon", best_score=1, best_confidence=0.15),
        QuestionRecord(id="c", question="q", answers=[], best_text="Lyon", best_score=1, best_confidence=0.15),
        QuestionRecord(id="d", question="q", answers=["Paris"], best_text=None),  # nothing read: not rated
    ]
    assert [r.best_is_right for r in records] == [True, False, False, False]
    calibration = summarise(records, [])["calibration"]
    assert calibration["rated"] == 3
    # bins: 0.95 holds one right answer (gap 0.05), 0.15 two wrong ones (gap 0.15 each)
    assert calibration["ece"] == pytest.approx((0.05 + 2 * 0.15) / 3)
    assert [(b["low"], b["count"]) for b in calibration["reliability"]] == [(0.1, 2), (0.9, 1)]
    assert "calibration" not in summarise(records[3:], [])


def test_answer_metrics_split_has_and_no_answer():
    records = [
        QuestionRecord(id="a", question="q", answers=["Paris"], prediction="Paris"),
        QuestionRecord(id="b", question="q", answers=["1889"], prediction="in 1889 maybe"),
        QuestionRecord(id="c", question="q", answers=[], prediction=None),
        QuestionRecord(id="d", question="q", answers=[], prediction="London"),
    ]
    metrics = answer_metrics(records)
    assert metrics["exact"] == pytest.approx((1 + 0 + 1 + 0) / 4)
    assert metrics["f1"] == pytest.approx((1 + 0.5 + 1 + 0) / 4)
    assert metrics["has_ans_exact"] == pytest.approx(0.5)
    assert metrics["has_ans_f1"] == pytest.approx(0.75)
    assert metrics["no_ans_accuracy"] == pytest.approx(0.5)
    only_answerable = answer_metrics(records[:2])
    assert "no_ans_accuracy" not in only_answerable


def test_retrieval_metrics_recall_and_mrr():
    metrics = retrieval_metrics([1, 3, None, 7])
    assert metrics["recall@1"] == pytest.approx(0.25)
    assert metrics["recall@5"] == pytest.approx(0.5)
    assert metrics["recall@20"] == pytest.approx(0.75)
    assert metrics["mrr"] == pytest.approx((1 + 1 / 3 + 0 + 1 / 7) / 4)
    assert len(metrics["curve"]) == 20
    assert metrics["curve"][2] == pytest.approx(0.5) and metrics["curve"][6] == pytest.approx(0.75)


def test_latency_percentiles():
    summary = latency_metrics([{"read": 1.0, "total": 2.0}, {"read": 3.0, "total": 4.0}])
    assert summary["read"] == {"p50": 2.0, "p95": 2.9}
    assert summary["total"] == {"p50": 3.0, "p95": 3.9}


PROSE = " ".join(["The chief executive officer of the harbour board walked along the quay at dawn."] * 40)
FIELDS = "\n".join(f"- Pump {n}: {n} bar" for n in range(120))  # each item read as "- Pump n of ... is n bar."


def test_a_window_is_timed_over_a_text_read_in_exactly_one_full_window(tiny_model_dir):
    from qa.reading.reader import SpanReader

    reader = SpanReader(tiny_model_dir, max_length=64, stride=16)
    question = "Who is the chief executive officer?"
    passage = one_window_passage(reader, question, PROSE)
    assert passage is not None and PROSE.startswith(passage.text)
    encoded = reader.tokenizer(question, passage.text)
    assert len(encoded["input_ids"]) == 64  # it fills the window
    assert one_window_passage(reader, question, PROSE[:80]) is None  # too short to fill one
    assert one_window_passage(reader, "Who is the treasurer?", PROSE) is None  # never names the role: not read
    assert one_window_passage(reader, "What is the pump pressure?", FIELDS) is None  # its view is longer: 2 windows
    read_before = reader.windows_read
    alone, batched = window_latency(reader, ["Who is the treasurer?", question], [FIELDS, PROSE], repeats=2)
    assert alone > 0 and batched > 0
    timed = 3 + 3 * reader.batch_size  # one read to warm up and 2 timed, alone and in a batch
    assert timed <= reader.windows_read - read_before < 2 * timed  # of the prose, one window a read (the items: 2)
    with pytest.raises(ValueError, match="exactly one full reader window"):
        window_latency(reader, ["Who is the treasurer?"], [PROSE])


def test_relevance_and_citation_checks():
    assert contains_answer("Dmitry Rogozin, head of Roscosmos.", ["rogozin"])
    assert not contains_answer("Dmitry Rogozin, head of Roscosmos.", ["Rogoz"])
    assert contains_answer("sending “potential weapons carriers” into space", ["potential weapons carriers"])
    assert not contains_answer("a senator said", ["NATO"])
    assert not contains_answer("anything", ["", " "])
    text = "Rogozin spoke on Soloviev Live."
    assert citation_valid(text, 0, 7, "Rogozin", "Rogozin")
    assert citation_valid(text, 17, 30, "Soloviev Live", "Live")
    assert not citation_valid(text, 0, 7, "Rogozin", "Rogozin.")  # answer not inside the quote
    assert not citation_valid(text, 1, 8, "Rogozin", "Rogozin")  # offsets do not give the quote


def test_best_threshold_maximises_overall_f1():
    records = [
        QuestionRecord(id="a", question="q", answers=["Paris"], best_text="Paris", best_score=2.0),
        QuestionRecord(id="b", question="q", answers=[], best_text="London", best_score=1.0),
        QuestionRecord(id="c", question="q", answers=["1889"], best_text="in 1889 maybe", best_score=0.5),
        QuestionRecord(id="d", question="q", answers=[], best_text="x", best_score=-1.0),
    ]
    # overall F1 sums: abstain everywhere 2, t=2.0 -> 3, t=1.0 -> 2, t=0.5 -> 2.5, t=-1.0 -> 1.5
    found = best_threshold(records)
    assert found["threshold"] == 2.0
    assert found["f1"] == pytest.approx(0.75)
    assert found["has_ans_f1"] == pytest.approx(0.5)
    assert found["no_ans_accuracy"] == pytest.approx(1.0)


def test_best_threshold_edges():
    answerable = [
        QuestionRecord(id=str(i), question="q", answers=["yes"], best_text="yes", best_score=s)
        for i, s in enumerate((0.3, -0.2, 1.0))
    ]
    assert best_threshold(answerable)["threshold"] == -0.2  # answer everything
    unanswerable = [QuestionRecord(id="u", question="q", answers=[], best_text="no", best_score=0.7)]
    found = best_threshold(unanswerable)
    assert found["threshold"] > 0.7 and math.isfinite(found["threshold"])
    assert found["no_ans_accuracy"] == 1.0
    tied = [
        QuestionRecord(id="t1", question="q", answers=["a b"], best_text="a b", best_score=1.0),
        QuestionRecord(id="t2", question="q", answers=[], best_text="c", best_score=1.0),
    ]
    # both answer or neither: 1 either way, so the higher threshold (abstain) wins the tie
    assert best_threshold(tied)["threshold"] > 1.0


def test_parse_modes():
    assert parse_modes(None, "hybrid") == ["hybrid"]
    assert parse_modes("dense, bm25", "hybrid") == ["dense", "bm25"]
    with pytest.raises(ValueError, match="unknown retrieval mode"):
        parse_modes("dense,sparse", "hybrid")


# ---------------------------------------------------------------- whole runs (load the embedding model)

PARAGRAPHS = [
    (
        "Eiffel Tower",
        "The Eiffel Tower is a wrought-iron lattice tower in Paris, France. It was completed in 1889 "
        "for the World's Fair. The tower is 330 metres tall.",
    ),
    (
        "Honey bee",
        "Honey bees live in colonies ruled by a single queen. Worker bees collect nectar from flowers and "
        "turn it into honey. A strong colony holds around 50,000 bees in summer.",
    ),
    (
        "Amazon River",
        "The Amazon River flows through South America and empties into the Atlantic Ocean. It carries "
        "more water than any other river on Earth.",
    ),
]
QUESTIONS = [  # (paragraph, id, question, answer or None for unanswerable)
    (0, "e1", "In which year was the Eiffel Tower completed?", "1889"),
    (1, "b1", "Who rules a colony of honey bees?", "a single queen"),
    (2, "r1", "Into which ocean does the Amazon River empty?", "the Atlantic Ocean"),
    (2, "r2", "Who was the first European to sail down the Amazon River?", None),
]


def write_squad(path):
    data = []
    for number, (title, context) in enumerate(PARAGRAPHS):
        qas = [
            {
                "id": qid,
                "question": question,
                "is_impossible": answer is None,
                "answers": [] if answer is None else [{"text": answer, "answer_start": context.index(answer)}],
            }
            for paragraph, qid, question, answer in QUESTIONS
            if paragraph == number
        ]
        if number == 1:
            qas.append({"id": "unusable", "question": "A question with no answers?", "answers": []})
        data.append({"title": title, "paragraphs": [{"context": context, "qas": qas}]})
    path.write_text(json.dumps({"version": "v2.0", "data": data}), encoding="utf-8")


def evaluate(*argv) -> dict:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return run(parser.parse_args([str(a) for a in argv]))


def check_report(report: dict, stem: str) -> None:
    for kind in ("json", "md", "png"):
        path = report["files"][kind]
        assert path.endswith(f"{stem}.{kind}")
        with open(path, "rb") as handle:
            assert handle.read(8)
    with open(report["files"]["json"], encoding="utf-8") as handle:
        saved = json.load(handle)
    assert saved["metrics"] == report["metrics"] and len(saved["records"]) == report["counts"]["evaluated"]
    for key in ("exact", "f1", "citations", "latency_ms"):
        assert key in report["metrics"]
    cited = report["metrics"]["citations"]
    assert cited["checked"] >= 1 and cited["valid"] == cited["checked"] and cited["validity"] == 1.0


@pytest.mark.slow
def test_run_on_a_tiny_squad_file_closed_and_open(tmp_path):
    data = tmp_path / "tiny-squad.json"
    write_squad(data)
    out = tmp_path / "reports"

    closed = evaluate("--data", data, "--mode", "closed", "--reader", "sentence", "--out", out, "--sweep-threshold")
    check_report(closed, "tiny-squad-closed")
    assert closed["counts"] == {
        "questions": 5,
        "skipped_unusable": 1,
        "evaluated": 4,
        "answerable": 3,
        "unanswerable": 1,
    }
    assert {"has_ans_f1", "no_ans_accuracy"} <= closed["metrics"].keys()
    assert "retrieval" not in closed["metrics"] and list(closed["metrics"]["latency_ms"]) == ["read"]
    assert all(r["best_text"] for r in closed["records"])  # a sentence is always the best candidate
    assert "threshold" in closed["threshold_sweep"]

    opened = evaluate(
        "--data",
        data,
        "--mode",
        "open",
        "--reader",
        "sentence",
        "--out",
        out,
        "--cache",
        tmp_path / "cache",
        "--modes",
        "hybrid,dense,bm25",
    )
    check_report(opened, "tiny-squad-open")
    retrieval = opened["metrics"]["retrieval"]
    assert set(retrieval) == {"hybrid", "dense", "bm25"} and opened["metrics"]["retrieval_questions"] == 3
    for found in retrieval.values():
        assert found["recall@1"] == 1.0 and found["mrr"] == 1.0
    assert {"resolve", "retrieve", "read", "total"} <= opened["metrics"]["latency_ms"].keys()
    assert list((tmp_path / "cache").iterdir())  # the index was cached


@pytest.mark.slow
def test_run_on_a_jsonl_set_with_a_follow_up(tmp_path):
    documents = tmp_path / "documents"
    documents.mkdir()
    for title, context in PARAGRAPHS:
        (documents / f"{title.replace(' ', '-')}.txt").write_text(f"{title}\n\n{context}\n", encoding="utf-8")
    data = tmp_path / "set.jsonl"
    rows = [
        {"id": "q1", "question": "In which year was the Eiffel Tower completed?", "answers": ["1889"]},
        {
            "id": "q2",
            "question": "How tall is it?",
            "answers": ["330 metres"],
            "history": [{"question": "In which year was the Eiffel Tower completed?", "answer": "1889"}],
        },
        {"id": "q3", "question": "What is the capital of Australia?", "answers": []},
    ]
    data.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    report = evaluate(
        "--data",
        data,
        "--documents",
        documents,
        "--index",
        tmp_path / "index",
        "--reader",
        "sentence",
        "--out",
        tmp_path / "reports",
    )
    check_report(report, "set-open")
    assert report["counts"]["answerable"] == 2 and report["counts"]["unanswerable"] == 1
    assert report["metrics"]["retrieval"]["hybrid"]["recall@5"] == 1.0
    assert report["records"][2]["ranks"] == {}  # no retrieval gold for an unanswerable question


def test_a_two_part_answers_citations_are_checked_against_their_own_part():
    from qa.evaluation.metrics import valid_citations
    from qa.models import Answer, AskResult, Citation

    text = "Ingrid Vos heads the Security Office. The meal allowance is 35 euros per day."

    def cited(quote: str, start: int | None = None) -> Citation:
        return citing(quote, text, start=start, title="t", source="s")

    parts = [
        Answer(text="Ingrid Vos", score=5.0, citations=[cited("Ingrid Vos")]),
        Answer(text="35 euros per day", score=4.0, citations=[cited("35 euros per day"), cited("35 euros", 0)]),
    ]
    result = AskResult(
        question="q",
        resolved_question="q",
        answer="Ingrid Vos; 35 euros per day",
        score=4.0,
        parts=parts,
        citations=[c for p in parts for c in p.citations],
    )
    assert valid_citations(result, {"d": text}) == 2  # the third's offsets do not hold its quote
    single = AskResult(
        question="q", resolved_question="q", answer="Ingrid Vos", score=5.0, citations=[cited("Ingrid Vos")]
    )
    assert valid_citations(single, {"d": text}) == 1


def test_off_collection_questions_have_no_answer_and_alternate_with_the_others():
    from qa.evaluation.datasets import EvalQuestion, interleaved, off_the_collection

    inside = [EvalQuestion(id=f"i{n}", question="q", answers=["a"], context="c", document_id="d") for n in range(3)]
    outside = off_the_collection([EvalQuestion(id="o0", question="q", answers=["b"], context="c", document_id="e")])
    assert outside[0].answers == [] and outside[0].context is None and outside[0].document_id is None
    assert [q.id for q in interleaved(inside, outside)] == ["i0", "o0", "i1", "i2"]
