"""The cross-document set's scoring: parts, cited documents (supporting ones too), metrics and the report by kind."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import citing

from qa.documents.loading import load_document
from qa.errors import DataError
from qa.evaluation.cross_documents import CollectionQuestion, kind_metrics, load, markdown, record
from qa.models import Answer, AskResult


def question(**fields) -> CollectionQuestion:
    base = {"id": "q1", "collection": "policies", "kind": "bridge", "question": "Which portal needs MFA?"}
    return CollectionQuestion(**{**base, **fields})


def answered(text: str, *sources: str, supporting: tuple[str, ...] = ()) -> AskResult:
    cited = [citing(text, f"It is {text}.", source=f"/docs/{name}") for name in sources]
    shown = [citing("TripDesk", "Book in TripDesk.", source=f"/docs/{name}") for name in supporting]
    return AskResult(question="q", resolved_question="q", answer=text, score=1.0, citations=cited, supporting=shown)


def test_a_right_answer_cites_every_gold_document_when_a_supporting_citation_names_the_other():
    asked = question(answers=["TripDesk"], documents=["travel.md", "security.md"])
    alone = record(asked, answered("TripDesk", "security.md"), 0.2)
    both = record(asked, answered("TripDesk", "security.md", supporting=("travel.md",)), 0.3)
    assert (alone.exact, alone.all_cited, alone.cited) == (1.0, False, ["security.md"])
    assert (both.all_cited, both.cited) == (True, ["security.md", "travel.md"])


def test_a_two_part_question_scores_each_part():
    asked = question(
        kind="two-part",
        parts=[{"answers": ["£165"], "documents": ["travel.md"]}, {"answers": ["£40"], "documents": ["expenses.md"]}],
    )
    part = Answer(text="£165", score=1.0, citations=answered("£165", "travel.md").citations)
    result = answered("£165", "travel.md").model_copy(update={"parts": [part]})
    scored = record(asked, result, 0.1)
    assert (scored.exact, scored.f1) == (0.5, 0.5)


def test_metrics_by_kind_count_citations_among_right_answers_and_the_median_time():
    asked = question(answers=["TripDesk"], documents=["travel.md", "security.md"])
    records = [
        record(asked, answered("TripDesk", "security.md", supporting=("travel.md",)), 0.1, windows=2),
        record(asked, answered("TripDesk", "security.md"), 0.3, windows=9),
        record(asked, answered("HR portal", "security.md"), 0.5, windows=4),  # wrong: not among the right's citations
    ]
    metrics = kind_metrics(records)
    assert metrics["count"] == 3 and metrics["exact"] == pytest.approx(2 / 3)
    assert metrics["all_cited"] == 0.5 and metrics["p50_ms"] == pytest.approx(300.0)
    assert metrics["p50_windows_read"] == 4.0
    table = markdown({"bridge": metrics}, Path("set.jsonl"), window_ms=30.0)
    assert "| bridge | 3 | 66.7 | 66.7 | 100.0 | 50.0 | 300 | 10.0 | 4.0 |" in table
    assert "reader windows of 30.0 ms" in table


def test_a_line_that_is_not_a_question_is_named(tmp_path):
    data = tmp_path / "set.jsonl"
    data.write_text('{"id": "a", "collection": "c", "kind": "single", "question": "Q?"}\n{"id": "b"}\n')
    with pytest.raises(DataError, match=r"set.jsonl:2: not a question of a collection"):
        load(data)


@pytest.mark.parametrize(
    "name",
    [
        "cross_documents",
        "bridges_heldout",
        "folders_heldout",
        "folders_heldout2",
        "folders_heldout3",
        "folders_heldout4",
        "folders_heldout5",
        "folders_heldout6",
        "folders_heldout7",
        "folders_heldout8",
    ],
)
def test_every_gold_answer_of_a_shipped_set_is_in_its_last_document(name):
    data = Path(__file__).parent.parent / "eval" / f"{name}.jsonl"
    questions = load(data)
    assert len({q.id for q in questions}) == len(questions)
    for asked in questions:
        for part in [asked, *asked.parts]:
            if part.answers:  # an unanswerable question (or a two-part one's whole) has none
                text = load_document(data.parent / name / asked.collection / part.documents[-1]).text
                assert any(answer in text for answer in part.answers), asked.id
    bridges = [q for q in questions if q.kind == "bridge"]
    assert bridges and all(len(set(q.documents)) == 2 for q in bridges)
