"""Tests of the dialogue set (eval/dialogues.jsonl) and of its evaluation with gold, own and no history."""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest

from qa.evaluation.cli import add_arguments
from qa.evaluation.dialogues import (
    FOLLOW_UP_KINDS,
    SAMPLE_CORPUS,
    Dialogue,
    DialogueTurn,
    dialogue_articles,
    dialogue_markdown,
    dialogue_metrics,
    evaluate_dialogues,
    load_dialogues,
    run_dialogues,
)
from qa.evaluation.metrics import QuestionRecord
from qa.models import AskResult

REPO = Path(__file__).resolve().parents[1]
DIALOGUES = REPO / "eval" / "dialogues.jsonl"
HELD_OUT = (
    REPO / "eval" / "dialogues-heldout.jsonl"
)  # written apart, without running the system, after its rules were set
SQUAD_DIR = REPO.parent / "shared" / "data"
SQUAD_CORPUS = "squad-v1.1-dev"


@pytest.fixture(scope="module")
def dialogues() -> list[Dialogue]:
    return load_dialogues(DIALOGUES)


@pytest.fixture(scope="module", params=[DIALOGUES, HELD_OUT], ids=["main", "held-out"])
def each_set(request) -> list[Dialogue]:
    return load_dialogues(request.param)


def follow_ups(dialogues: list[Dialogue]) -> list[DialogueTurn]:
    return [turn for dialogue in dialogues for turn in dialogue.turns[1:]]


# ---------------------------------------------------------------- the data set


def test_the_set_is_big_enough_and_covers_every_kind(dialogues):
    corpora = Counter(dialogue.corpus for dialogue in dialogues)
    assert len(dialogues) >= 60 and set(corpora) == {SAMPLE_CORPUS, SQUAD_CORPUS}
    assert corpora[SAMPLE_CORPUS] >= 20 and corpora[SQUAD_CORPUS] >= 40
    assert len({d.article for d in dialogues if d.corpus == SQUAD_CORPUS}) >= 6  # several articles
    assert len({dialogue.id for dialogue in dialogues}) == len(dialogues)
    later = follow_ups(dialogues)
    kinds = Counter(turn.kind for turn in later)
    assert len(later) >= 150
    assert kinds["pronoun"] >= 40 and kinds["ellipsis"] >= 25
    assert kinds["topic_shift_back"] >= 15 and kinds["no_rewrite"] >= 20
    assert set(kinds) == set(FOLLOW_UP_KINDS)
    turns = [turn for dialogue in dialogues for turn in dialogue.turns]
    assert 5 <= sum(not turn.answers for turn in turns) <= len(turns) // 10  # a few unanswerable turns


def test_the_held_out_set_covers_every_kind_over_the_sample():
    held_out = load_dialogues(HELD_OUT)
    kinds = Counter(turn.kind for turn in follow_ups(held_out))
    assert len(held_out) >= 12 and {d.corpus for d in held_out} == {SAMPLE_CORPUS}
    assert set(kinds) == set(FOLLOW_UP_KINDS) and min(kinds.values()) >= 5 and sum(kinds.values()) >= 40
    assert not {d.id for d in held_out} & {d.id for d in load_dialogues(DIALOGUES)}


def test_follow_ups_that_lean_on_history_have_an_oracle_written_out_in_full(each_set):
    for dialogue in each_set:
        assert dialogue.turns[0].kind == "first"
        for turn in dialogue.turns:
            assert turn.question.strip() and turn.oracle.strip()
            if turn.kind in ("pronoun", "ellipsis", "topic_shift_back"):
                assert turn.oracle != turn.question, (dialogue.id, turn.question)
            assert len(set(turn.answers)) == len(turn.answers), (dialogue.id, turn.question)


def test_every_answer_is_copied_verbatim_from_its_text(each_set):
    dialogues = each_set

    def missing(dialogue: Dialogue, texts: list[str]) -> list[tuple[str, int, str]]:
        return [
            (dialogue.id, number, answer)
            for number, turn in enumerate(dialogue.turns, start=1)
            for answer in turn.answers
            if not any(answer in text for text in texts)
        ]

    sample_texts = [path.read_text(encoding="utf-8") for path in sorted((REPO / "documents").iterdir())]
    assert not [m for d in dialogues if d.corpus == SAMPLE_CORPUS for m in missing(d, sample_texts)]
    if all(d.corpus == SAMPLE_CORPUS for d in dialogues):
        return
    if not (SQUAD_DIR / f"{SQUAD_CORPUS}.json.gz").is_file():
        pytest.skip(f"{SQUAD_DIR} holds no {SQUAD_CORPUS}.json.gz: only the sample answers were checked")
    paragraphs = {
        article.title: [paragraph.context for paragraph in article.paragraphs]
        for article in dialogue_articles(dialogues, SQUAD_DIR)[SQUAD_CORPUS][1]
    }
    assert not [m for d in dialogues if d.corpus == SQUAD_CORPUS for m in missing(d, paragraphs[d.article])]


def test_loading_rejects_malformed_dialogues(tmp_path):
    def load(*rows) -> list[Dialogue]:
        path = tmp_path / "set.jsonl"
        path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
        return load_dialogues(path)

    turn = {"question": "Who heads Roscosmos?", "answers": ["Dmitry Rogozin"], "oracle": "Who heads Roscosmos?"}
    good = {"id": "a", "corpus": "sample", "turns": [{**turn, "kind": "first"}, {**turn, "kind": "no_rewrite"}]}
    assert [t.kind for t in load(good)[0].turns] == ["first", "no_rewrite"]
    with pytest.raises(ValueError, match=r"set\.jsonl:1: turn 2 of dialogue b has kind 'first'; expected pronoun or "):
        load({**good, "id": "b", "turns": [{**turn, "kind": "first"}] * 2})
    with pytest.raises(ValueError, match=r":1: turn 1 of dialogue c has kind 'pronoun'; expected first$"):
        load({**good, "id": "c", "turns": [{**turn, "kind": "pronoun"}]})
    with pytest.raises(ValueError, match=r":2: dialogue id a is used twice$"):
        load(good, good)
    with pytest.raises(ValueError, match=r":1: dialogue d names no article of squad-v1.1-dev$"):
        load({**good, "id": "d", "corpus": "squad-v1.1-dev"})
    with pytest.raises(ValueError, match=r":1: no 'oracle' \(a dialogue has id"):
        load({**good, "turns": [{"question": "q", "answers": [], "kind": "first"}]})
    with pytest.raises(ValueError, match=r":1: dialogue e has no turns$"):
        load({**good, "id": "e", "turns": []})
    with pytest.raises(FileNotFoundError, match=r"squad-v9\.json\.gz not found: the dialogues name the SQuAD corpus"):
        dialogue_articles(load({**good, "corpus": "squad-v9", "article": "X"}), tmp_path)


# ---------------------------------------------------------------- the three passes, with a stand-in engine


class EchoEngine:
    """Answers "<question> after <earlier answers>" at once, so that a test can see which history each turn got."""

    settings = SimpleNamespace(max_question_chars=1000)
    retriever = SimpleNamespace(retrieve=lambda query, k, mode: [])
    store = SimpleNamespace(get_documents=lambda ids: {})

    def warm_up(self) -> None:
        pass

    def ask(self, question, history=None, threshold=None) -> AskResult:
        answer = f"{question} after {', '.join(turn['answer'] or '-' for turn in history or []) or 'nothing'}"
        return AskResult(question=question, resolved_question=question, answer=answer, score=1.0)


def turn(question: str, answers: list[str], kind: str, oracle: str | None = None) -> DialogueTurn:
    return DialogueTurn(question=question, answers=answers, oracle=oracle or question, kind=kind)


def test_each_pass_asks_with_its_own_history():
    dialogues = [
        Dialogue(
            id="d1",
            corpus="sample",
            turns=[
                turn("q1", ["g1"], "first"),
                turn("q2", [], "pronoun", "o2"),
                turn("q3", ["g3"], "ellipsis", "o3"),
            ],
        ),
        Dialogue(id="d2", corpus="other", turns=[turn("p1", ["p1 after nothing"], "first")]),
    ]
    passes = evaluate_dialogues({"sample": EchoEngine(), "other": EchoEngine()}, dialogues, ["hybrid"], None)
    predictions = {name: [[r.prediction for r in rs] for rs in found] for name, found in passes.items()}
    assert predictions["gold_history"] == [["q1 after nothing", "q2 after g1", "q3 after g1, -"], ["p1 after nothing"]]
    assert predictions["own_history"] == [
        ["q1 after nothing", "q2 after q1 after nothing", "q3 after q1 after nothing, q2 after q1 after nothing"],
        ["p1 after nothing"],
    ]
    assert predictions["oracle"] == [["q1 after nothing", "o2 after nothing", "o3 after nothing"], ["p1 after nothing"]]
    assert passes["gold_history"][0][0] is passes["own_history"][0][0] is passes["oracle"][0][0]  # asked once
    assert passes["gold_history"][1][0].exact == 1.0
    with pytest.raises(ValueError, match="^no engine for the corpus other$"):
        evaluate_dialogues({"sample": EchoEngine()}, dialogues, ["hybrid"], None)


def test_metrics_per_pass_kind_and_corpus_and_the_gap_to_the_oracle():
    def records(*predictions_and_golds) -> list[QuestionRecord]:
        return [QuestionRecord(id="x", question="q", answers=g, prediction=p) for p, g in predictions_and_golds]

    dialogues = [
        Dialogue(id="s", corpus="sample", turns=[turn("a", ["A"], "first"), turn("b", ["B c"], "pronoun", "bb")]),
        Dialogue(id="q", corpus="squad", turns=[turn("c", ["C"], "first"), turn("d", [], "ellipsis", "dd")]),
    ]
    first_s, first_q = records(("A", ["A"]))[0], records(("wrong", ["C"]))[0]
    passes = {
        "gold_history": [[first_s, *records(("B", ["B c"]))], [first_q, *records((None, []))]],
        "own_history": [[first_s, *records(("x", ["B c"]))], [first_q, *records(("D", []))]],
        "oracle": [[first_s, *records(("B c", ["B c"]))], [first_q, *records((None, []))]],
    }
    found = dialogue_metrics(dialogues, passes)
    assert list(found) == ["all", "sample", "squad"]
    assert found["all"]["first"] == pytest.approx(
        {"count": 2, "exact": 0.5, "f1": 0.5, "has_ans_exact": 0.5, "has_ans_f1": 0.5}
    )
    follow = found["all"]["follow_ups"]
    assert follow["gold_history"]["f1"] == pytest.approx((2 / 3 + 1) / 2)  # "B" against "B c": P 1, R 1/2
    assert follow["own_history"]["f1"] == 0.0 and follow["oracle"]["f1"] == 1.0
    assert found["all"]["gap_f1"] == pytest.approx({"gold_history": 1 - 5 / 6, "own_history": 1.0})
    assert found["sample"]["by_kind"]["pronoun"]["gold_history"]["f1"] == pytest.approx(2 / 3)
    assert set(found["squad"]["by_kind"]) == {"ellipsis"}
    assert found["squad"]["by_kind"]["ellipsis"]["own_history"]["no_ans_accuracy"] == 0.0
    report = {
        "dialogue_metrics": found,
        "counts": {
            "dialogues": 2,
            "by_corpus": {"sample": 1, "squad": 1},
            "first_turns": 2,
            "follow_ups": 2,
            "by_kind": {"pronoun": 1, "ellipsis": 1},
        },
        "targets": {"gap_f1_at_most": 0.05, "sample_follow_up_f1_at_least": 0.9},
    }
    table = dialogue_markdown(report)
    assert "| follow-ups, gold history | 2 | 50.0 | 83.3 | 1 | 0.0 | 66.7 | 1 | 100.0 | 100.0 |" in table
    assert "| F1 gap: oracle - follow-ups, own history |  |  | +100.0 |" in table
    assert "sample follow-ups, gold history F1 66.7 (not met)" in table


# ---------------------------------------------------------------- a whole run (loads the models)


def test_a_run_on_three_dialogues_reports_every_pass(tmp_path, sample_engine, embedder):
    from qa.pipeline import QA

    chosen = {"sample-01", "sample-07", "squad-21"}  # squad-21 is over Amazon_rainforest, 21 paragraphs
    rows = [line for line in DIALOGUES.read_text(encoding="utf-8").splitlines() if json.loads(line)["id"] in chosen]
    data = tmp_path / "three.jsonl"
    data.write_text("\n".join(rows) + "\n", encoding="utf-8")
    if not (SQUAD_DIR / f"{SQUAD_CORPUS}.json.gz").is_file():
        pytest.skip(f"{SQUAD_DIR} holds no {SQUAD_CORPUS}.json.gz")
    squad_engine = QA(
        documents_dir=tmp_path / "no-documents",
        index_dir=tmp_path / "squad-index",
        embedder=embedder,
        index_embedder=embedder,
    )
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(["--dialogues", str(data), "--squad-dir", str(SQUAD_DIR), "--out", str(tmp_path)])
    report = run_dialogues(args, engines={SAMPLE_CORPUS: sample_engine, SQUAD_CORPUS: squad_engine})

    turns = sum(len(json.loads(row)["turns"]) for row in rows)
    assert report["counts"]["dialogues"] == 3 and report["counts"]["evaluated"] == turns
    assert report["counts"]["follow_ups"] == turns - 3
    assert squad_engine.store.manifest().document_count == 21  # exactly the paragraphs of the named article
    for kind in ("json", "md", "png"):
        assert Path(report["files"][kind]).name == f"three-open.{kind}"
    saved = json.loads(Path(report["files"]["json"]).read_text(encoding="utf-8"))
    assert saved["dialogue_metrics"] == report["dialogue_metrics"] and len(saved["turns"]) == turns
    assert "## Dialogues" in Path(report["files"]["md"]).read_text(encoding="utf-8")
    found = report["dialogue_metrics"]
    assert list(found) == ["all", SAMPLE_CORPUS, SQUAD_CORPUS]
    for summary in found.values():
        assert set(summary["follow_ups"]) == {"gold_history", "own_history", "oracle"}
        for metrics in [summary["first"], *summary["follow_ups"].values()]:
            assert 0.0 <= metrics["exact"] <= metrics["f1"] <= 1.0
        assert set(summary["gap_f1"]) == {"gold_history", "own_history"}
        assert all(-1.0 <= gap <= 1.0 for gap in summary["gap_f1"].values())
    assert found["all"]["first"]["f1"] > 0  # "Who is the chief of Roscosmos?" and its like are answered
    for entry in report["turns"]:
        asked = entry["passes"]
        assert {"resolved", "prediction", "exact", "f1"} <= asked["gold_history"].keys()
        if entry["turn"] == 1:
            assert asked["gold_history"] == asked["own_history"] == asked["oracle"]
        else:
            assert asked["oracle"]["resolved"] == entry["oracle"]  # no history: asked as written
    assert report["metrics"]["citations"]["validity"] in (None, 1.0)
