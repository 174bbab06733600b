"""Dialogues: follow-up questions asked in context, with gold, own and no history, and their report."""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from qa.errors import DataError, MissingError, OptionError
from qa.evaluation.datasets import DATA_SUFFIX, EvalQuestion, corpus_cache_folder, squad_corpus
from qa.evaluation.metrics import QuestionRecord, answer_metrics, summarise
from qa.evaluation.report import markdown, percent, report_settings, require_plotting, write_report
from qa.evaluation.runners import engine_from_args, evaluate_open, parse_modes
from qa.evaluation.squad import SquadArticle, load_squad

if TYPE_CHECKING:
    from qa.config import RetrievalMode
    from qa.pipeline import QA

SAMPLE_CORPUS = "sample"  # a dialogue over the documents folder; any other corpus names a SQuAD file

FOLLOW_UP_KINDS = ("pronoun", "ellipsis", "topic_shift_back", "no_rewrite")

DIALOGUE_PASSES = ("gold_history", "own_history", "oracle")

PASS_NAMES = {
    "gold_history": "follow-ups, gold history",
    "own_history": "follow-ups, own history",
    "oracle": "oracle follow-ups, no history",
}

TARGET_GAP_F1 = 0.05  # issue #11: oracle follow-up F1 - follow-up F1 at most 5 points

TARGET_SAMPLE_F1 = 0.90  # issue #11: follow-ups on the sample article at least 90 F1


@dataclass
class DialogueTurn:
    """One turn: the question as typed, its gold answers (none: unanswerable), the same question written out in full
    (``oracle``) and its kind (``first``, or one of FOLLOW_UP_KINDS)."""

    question: str
    answers: list[str]
    oracle: str
    kind: str


@dataclass
class Dialogue:
    """A conversation over one corpus: the documents folder (``sample``) or an article of a SQuAD file."""

    id: str
    corpus: str
    turns: list[DialogueTurn]
    article: str | None = None


def load_dialogues(path: Path) -> list[Dialogue]:
    """Our dialogue set: one {id, corpus, article (SQuAD), turns: [{question, answers, oracle, kind}]} per line."""
    dialogues: list[Dialogue] = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                raise DataError(f"{where}: not JSON ({error})") from None
            try:
                dialogue = Dialogue(
                    id=str(row["id"]),
                    corpus=str(row["corpus"]),
                    article=row.get("article"),
                    turns=[
                        DialogueTurn(
                            question=turn["question"],
                            answers=list(turn["answers"]),
                            oracle=turn["oracle"],
                            kind=turn["kind"],
                        )
                        for turn in row["turns"]
                    ],
                )
            except KeyError as error:
                raise DataError(
                    f"{where}: no {error.args[0]!r} (a dialogue has id, corpus, article for SQuAD and turns; "
                    "a turn has question, answers, oracle and kind)"
                ) from None
            except (TypeError, AttributeError):
                raise DataError(f"{where}: not a dialogue object with a list of turn objects") from None
            if not dialogue.turns:
                raise DataError(f"{where}: dialogue {dialogue.id} has no turns")
            for turn_number, turn in enumerate(dialogue.turns, start=1):
                expected = ("first",) if turn_number == 1 else FOLLOW_UP_KINDS
                if turn.kind not in expected:
                    raise DataError(
                        f"{where}: turn {turn_number} of dialogue {dialogue.id} has kind {turn.kind!r}; "
                        f"expected {' or '.join(expected)}"
                    )
            if dialogue.corpus != SAMPLE_CORPUS and not dialogue.article:
                raise DataError(f"{where}: dialogue {dialogue.id} names no article of {dialogue.corpus}")
            if any(d.id == dialogue.id for d in dialogues):
                raise DataError(f"{where}: dialogue id {dialogue.id} is used twice")
            dialogues.append(dialogue)
    return dialogues


def dialogue_articles(dialogues: list[Dialogue], squad_dir: Path) -> dict[str, tuple[Path, list[SquadArticle]]]:
    """Per SQuAD corpus the dialogues name: its file (``squad_dir/<corpus>.json.gz``) and the articles they name."""
    titles: dict[str, set[str]] = {}
    for dialogue in dialogues:
        if dialogue.corpus != SAMPLE_CORPUS:
            titles.setdefault(dialogue.corpus, set()).add(cast(str, dialogue.article))
    found = {}
    for corpus, wanted in titles.items():
        path = squad_dir / f"{corpus}.json.gz"
        if not path.is_file():
            raise MissingError(f"{path} not found: the dialogues name the SQuAD corpus {corpus!r} (see --squad-dir)")
        articles = [article for article in load_squad(path) if article.title in wanted]
        missing = wanted - {article.title for article in articles}
        if missing:
            raise DataError(f"no article {', '.join(sorted(missing))} in {path}")
        found[corpus] = (path, articles)
    return found


History = list[dict[str, str | None]]

AskedTurn = tuple[Dialogue, int, str, History]  # a dialogue, a turn's number (from 0), the text asked, the history


def dialogue_history(dialogue: Dialogue, number: int, answers: Sequence[str | None]) -> History:
    """The history before turn ``number`` (from 0) of a dialogue: its earlier questions with ``answers``."""
    earlier = dialogue.turns[:number]
    return [{"question": turn.question, "answer": answer} for turn, answer in zip(earlier, answers, strict=True)]


def gold_answers(dialogue: Dialogue, number: int) -> list[str | None]:
    """What a chat would have shown for the turns before ``number`` answered right: each one's first gold answer
    (none for an unanswerable turn)."""
    return [turn.answers[0] if turn.answers else None for turn in dialogue.turns[:number]]


def ask_by_corpus(
    engines: dict[str, QA],
    items: list[AskedTurn],
    modes: list[RetrievalMode],
    threshold: float | None,
) -> list[QuestionRecord]:
    """``evaluate_open`` on (dialogue, turn number, question text, history) items with ``engines[dialogue.corpus]``,
    one call per corpus; the records come in the items' order."""
    records: dict[int, QuestionRecord] = {}
    for corpus, engine in engines.items():
        positions = [n for n, item in enumerate(items) if item[0].corpus == corpus]
        if not positions:
            continue
        questions = []
        for n in positions:
            dialogue, number, text, history = items[n]
            answers = dialogue.turns[number].answers
            questions.append(
                EvalQuestion(id=f"{dialogue.id}/{number + 1}", question=text, answers=answers, history=history)
            )
        records.update(zip(positions, evaluate_open(engine, questions, modes, threshold), strict=True))
    return [records[n] for n in range(len(items))]


def evaluate_dialogues(
    engines: dict[str, QA], dialogues: list[Dialogue], modes: list[RetrievalMode], threshold: float | None
) -> dict[str, list[list[QuestionRecord]]]:
    """Ask every turn of every dialogue with ``engines[corpus]``: records per pass, per dialogue, per turn.

    ``gold_history``: each turn after the earlier turns with their first gold answers; ``own_history``: after the
    earlier turns with the answers the system gave them in this pass (asked turn by turn across the dialogues);
    ``oracle``: each follow-up's ``oracle`` question without history. First turns have no history: they are asked
    once, and their record stands in all three passes.
    """
    missing = sorted({dialogue.corpus for dialogue in dialogues} - engines.keys())
    if missing:
        raise DataError(f"no engine for the corpus {', '.join(missing)}")
    every_turn = [
        (d, n, d.turns[n].question, dialogue_history(d, n, gold_answers(d, n)))
        for d in dialogues
        for n in range(len(d.turns))
    ]
    found = iter(ask_by_corpus(engines, every_turn, modes, threshold))
    gold = [[next(found) for _ in dialogue.turns] for dialogue in dialogues]
    own = [[records[0]] for records in gold]
    for number in range(1, max(len(dialogue.turns) for dialogue in dialogues)):
        going_on = [n for n, dialogue in enumerate(dialogues) if number < len(dialogue.turns)]
        items = [
            (
                dialogues[n],
                number,
                dialogues[n].turns[number].question,
                dialogue_history(dialogues[n], number, [record.prediction for record in own[n]]),
            )
            for n in going_on
        ]
        for n, record in zip(going_on, ask_by_corpus(engines, items, modes, threshold), strict=True):
            own[n].append(record)
    follow_ups: list[AskedTurn] = [(d, n, d.turns[n].oracle, []) for d in dialogues for n in range(1, len(d.turns))]
    found = iter(ask_by_corpus(engines, follow_ups, modes, threshold))
    oracle = [[records[0]] + [next(found) for _ in records[1:]] for records in gold]
    return {"gold_history": gold, "own_history": own, "oracle": oracle}


def dialogue_metrics(dialogues: list[Dialogue], passes: dict[str, list[list[QuestionRecord]]]) -> dict:
    """Answer metrics of first turns and, per pass, of follow-ups (all, and per kind), over all dialogues and per
    corpus, with ``gap_f1``: oracle follow-up F1 minus follow-up F1, per pass with history."""
    corpora = list(dict.fromkeys(dialogue.corpus for dialogue in dialogues))
    groups = {"all": dialogues, **{c: [d for d in dialogues if d.corpus == c] for c in corpora}}
    position = {dialogue.id: n for n, dialogue in enumerate(dialogues)}
    metrics = {}
    for group, members in groups.items():
        first = [passes["gold_history"][position[d.id]][0] for d in members]
        summary: dict[str, Any] = {
            "first": {"count": len(first), **answer_metrics(first)},
            "follow_ups": {},
            "by_kind": {},
        }
        for name in DIALOGUE_PASSES:
            later = [
                (turn.kind, passes[name][position[d.id]][number])
                for d in members
                for number, turn in enumerate(d.turns)
                if number
            ]
            if not later:
                continue
            summary["follow_ups"][name] = {"count": len(later), **answer_metrics([record for _, record in later])}
            for kind in FOLLOW_UP_KINDS:
                of_kind = [record for named, record in later if named == kind]
                if of_kind:
                    summary["by_kind"].setdefault(kind, {"count": len(of_kind)})[name] = answer_metrics(of_kind)
        if summary["follow_ups"]:
            oracle_f1 = summary["follow_ups"]["oracle"]["f1"]
            summary["gap_f1"] = {name: oracle_f1 - summary["follow_ups"][name]["f1"] for name in DIALOGUE_PASSES[:2]}
            for found in summary["by_kind"].values():
                found["gap_f1"] = {name: found["oracle"]["f1"] - found[name]["f1"] for name in DIALOGUE_PASSES[:2]}
        metrics[group] = summary
    return metrics


def dialogue_turn_records(dialogues: list[Dialogue], passes: dict[str, list[list[QuestionRecord]]]) -> list[dict]:
    """One entry per turn: the turn, and per pass the question the reader was given (the reading of the follow-up
    that ``QA.ask`` answered, given that pass's history), the answer and its EM/F1."""

    entries = []
    for n, dialogue in enumerate(dialogues):
        for number, turn in enumerate(dialogue.turns):
            entry: dict[str, Any] = {
                "id": f"{dialogue.id}/{number + 1}",
                "dialogue": dialogue.id,
                "corpus": dialogue.corpus,
                "article": dialogue.article,
                "turn": number + 1,
                **asdict(turn),
                "passes": {},
            }
            for name in DIALOGUE_PASSES:
                record = passes[name][n][number]
                asked = turn.oracle if name == "oracle" and number else turn.question
                entry["passes"][name] = {
                    "resolved": record.resolved or asked,
                    "prediction": record.prediction,
                    "exact": record.exact,
                    "f1": record.f1,
                }
            entries.append(entry)
    return entries


def dialogue_markdown(report: dict) -> str:
    """The dialogue tables: EM/F1 of first turns and of follow-ups per pass, per corpus; F1 per kind; the targets."""
    found, counts = report["dialogue_metrics"], report["counts"]
    groups = list(found)
    kinds = ", ".join(f"{count} {kind}" for kind, count in counts["by_kind"].items())
    corpora = ", ".join(f"{count} {corpus}" for corpus, count in counts["by_corpus"].items())
    lines = [
        "",
        "## Dialogues",
        "",
        f"{counts['dialogues']} dialogues ({corpora}), {counts['first_turns'] + counts['follow_ups']} turns: "
        f"{counts['first_turns']} first turns and {counts['follow_ups']} follow-ups ({kinds}). The table above has "
        "every turn asked after the gold answers of the turns before it.",
        "",
        "| Questions | " + " | ".join(f"{group} turns | {group} EM | {group} F1" for group in groups) + " |",
        "|---" * (1 + 3 * len(groups)) + "|",
    ]
    lines += dialogue_pass_rows(found)
    by_kind = found["all"]["by_kind"]
    lines += [
        "",
        "Follow-ups per kind (all corpora), F1:",
        "",
        "| Kind | Turns | Gold history | Own history | Oracle | Gap (gold) | Gap (own) |",
        "|---|---|---|---|---|---|---|",
    ]
    for kind, metrics in by_kind.items():
        scores = " | ".join(percent(metrics[name]["f1"]) for name in DIALOGUE_PASSES)
        gaps = " | ".join(f"{100 * metrics['gap_f1'][name]:+.1f}" for name in DIALOGUE_PASSES[:2])
        lines.append(f"| {kind} | {metrics['count']} | {scores} | {gaps} |")
    targets = report["targets"]
    lines += [
        "",
        f"Targets (issue #11): a gap of at most {100 * targets['gap_f1_at_most']:.0f} points, sample follow-ups at "
        f"least {100 * targets['sample_follow_up_f1_at_least']:.0f} F1: "
        + "; ".join(target_checks(found, targets))
        + ".",
    ]
    return "\n".join(lines) + "\n"


def dialogue_pass_rows(found: dict) -> list[str]:
    """The rows of the dialogue table: EM/F1 of first turns and of the follow-ups of each pass, then the F1 gaps
    between the oracle and the other passes, a column group per corpus of ``found`` (``dialogue_metrics``)."""
    rows = [("first turns", lambda summary: summary["first"])] + [
        (PASS_NAMES[name], lambda summary, name=name: summary["follow_ups"].get(name)) for name in DIALOGUE_PASSES
    ]
    lines = []
    for title, pick in rows:
        cells = []
        for metrics in (pick(summary) for summary in found.values()):
            cells += (
                [str(metrics["count"]), percent(metrics["exact"]), percent(metrics["f1"])]
                if metrics
                else ["0"] + ["n/a"] * 2
            )
        lines.append(f"| {title} | " + " | ".join(cells) + " |")
    for name in DIALOGUE_PASSES[:2]:
        cells = []
        for summary in found.values():
            gap = summary.get("gap_f1", {}).get(name)
            cells += ["", "", "n/a" if gap is None else f"{100 * gap:+.1f}"]
        lines.append(f"| F1 gap: oracle - {PASS_NAMES[name]} | " + " | ".join(cells) + " |")
    return lines


def target_checks(found: dict, targets: dict) -> list[str]:
    """Whether the dialogue ``targets`` are met by ``found`` (``dialogue_metrics``), one phrase per target measured."""
    checks = []
    for name in DIALOGUE_PASSES[:2]:
        gap = found["all"].get("gap_f1", {}).get(name)
        if gap is not None:
            met = "met" if gap <= targets["gap_f1_at_most"] else "not met"
            checks.append(f"oracle - {PASS_NAMES[name]} F1 {100 * gap:+.1f} points ({met})")
    sample = found.get(SAMPLE_CORPUS, {}).get("follow_ups", {})
    for name in DIALOGUE_PASSES[:2]:
        if name in sample:
            met = "met" if sample[name]["f1"] >= targets["sample_follow_up_f1_at_least"] else "not met"
            checks.append(f"sample {PASS_NAMES[name]} F1 {percent(sample[name]['f1'])} ({met})")
    return checks


def run_dialogues(args: argparse.Namespace, engines: dict[str, QA] | None = None) -> dict:
    """Evaluate ``args.dialogues`` in its three passes, write ``<file name>-open.json/.md/.png`` into ``args.out``,
    print the Markdown and return the report.

    Sample dialogues are answered over ``args.documents``; the dialogues of a SQuAD corpus over the paragraphs of
    every article of it that the file names (indexed once into a folder of ``args.cache``). ``engines``: engines
    already made, per corpus (a SQuAD one is given exactly those paragraphs); the others are made from ``args``.
    """
    if args.mode == "closed" or args.retrieval_only or args.sweep_threshold:
        raise OptionError("--dialogues is evaluated in open mode, without --retrieval-only or --sweep-threshold")
    require_plotting()
    path = Path(args.dialogues)
    dialogues = load_dialogues(path)
    articles = dialogue_articles(dialogues, Path(args.squad_dir))
    dialogues = dialogues[: args.limit] if args.limit else dialogues
    if not dialogues:
        raise DataError(f"no dialogues in {path}")
    corpora = list(dict.fromkeys(dialogue.corpus for dialogue in dialogues))
    base, engines = dialogue_engines(args, corpora, articles, engines)
    settings = base.settings
    modes = parse_modes(args.modes, settings.retrieval_mode)
    passes = evaluate_dialogues(engines, dialogues, modes, args.threshold)
    records = [record for per_dialogue in passes["gold_history"] for record in per_dialogue]
    follow_ups = [turn for dialogue in dialogues for turn in dialogue.turns[1:]]
    report = {
        "dataset": DATA_SUFFIX.sub("", path.name),
        "data": str(path),
        "mode": "open",
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "settings": {
            **report_settings(base, args, modes, is_squad=SAMPLE_CORPUS not in engines),
            "squad_files": {corpus: str(articles[corpus][0]) for corpus in corpora if corpus != SAMPLE_CORPUS},
            "squad_articles": {
                corpus: [article.title for article in articles[corpus][1]]
                for corpus in corpora
                if corpus != SAMPLE_CORPUS
            },
        },
        "counts": {
            "questions": len(records),
            "skipped_unusable": 0,
            "evaluated": len(records),
            "answerable": sum(not r.is_impossible for r in records),
            "unanswerable": sum(r.is_impossible for r in records),
            "dialogues": len(dialogues),
            "by_corpus": {corpus: sum(d.corpus == corpus for d in dialogues) for corpus in corpora},
            "first_turns": len(dialogues),
            "follow_ups": len(follow_ups),
            "by_kind": {kind: sum(t.kind == kind for t in follow_ups) for kind in FOLLOW_UP_KINDS},
        },
        "metrics": summarise(records, modes),
        "dialogue_metrics": dialogue_metrics(dialogues, passes),
        "targets": {"gap_f1_at_most": TARGET_GAP_F1, "sample_follow_up_f1_at_least": TARGET_SAMPLE_F1},
        "turns": dialogue_turn_records(dialogues, passes),
        "records": [asdict(r) for r in records],
    }
    write_report(report, Path(args.out), markdown(report) + dialogue_markdown(report))
    return report


def dialogue_engines(
    args: argparse.Namespace,
    corpora: list[str],
    articles: dict[str, tuple[Path, list[SquadArticle]]],
    engines: dict[str, QA] | None,
) -> tuple[QA, dict[str, QA]]:
    """The engine of the sample documents and one per corpus of ``corpora``, each SQuAD one given the paragraphs of
    its articles: those in ``engines`` reused, the others made from ``args``."""
    from qa.pipeline import QA

    engines = dict(engines or {})
    base = engines.get(SAMPLE_CORPUS) or engine_from_args(args)
    settings = base.settings
    for corpus in corpora:
        if corpus == SAMPLE_CORPUS:
            engines.setdefault(corpus, base)
            continue
        squad_path, squad_articles = articles[corpus]
        if corpus not in engines:
            if settings.store != "local":
                raise OptionError("--dialogues needs the local store: it keeps the SQuAD articles' index under --cache")
            titles = [article.title for article in squad_articles]
            folder = corpus_cache_folder(squad_path, settings, Path(args.cache), titles)
            engines[corpus] = QA(settings=settings, index_dir=folder, embedder=base.embedder)
        engines[corpus].index_documents(squad_corpus(squad_articles, squad_path.name)[1])
    return base, {corpus: engines[corpus] for corpus in corpora}
