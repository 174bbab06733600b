"""What reading in stages costs and saves: SQuAD v1.1 dev open, each answer read from the first passage alone and from
every passage, scored at each stop confidence (QA_STOP_CONFIDENCE) and, with the reader's stop model, at each stop
probability (QA_STOP_PROBABILITY) in one pass; ``--fit`` fits the stop model on other questions first."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from qa.app.cli import DATA_DIR
from qa.evaluation.datasets import corpus_cache_folder, squad_corpus
from qa.evaluation.metrics import exact_match, f1_score
from qa.evaluation.squad import load_squad
from qa.reading.calibration import fit_calibration
from qa.reading.reader import SpanReader
from qa.reading.stages import first_answer, read_more
from qa.reading.stopping import StopModel, stop_features

STOPS = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0)
STOP_PROBABILITIES = (0.8, 0.85, 0.9, 0.92, 0.95, 1.0)


@dataclass
class Read:
    """A question's best answer and its confidence, read from the first passage and from all of them, and the stop
    features of the first (None when it holds no answer)."""

    answers: list[str]
    first: str | None
    first_confidence: float | None
    every: str | None
    every_confidence: float | None
    passages: int
    features: list[float] | None = None

    @property
    def stopping_loses_nothing(self) -> bool:
        """Whether the first passage's answer is as good as the answer read from every passage (the stop model's
        label)."""
        return f1_score(self.first or "", self.answers) >= f1_score(self.every or "", self.answers)


def read_both(engine, questions, description: str = "questions") -> list[Read]:
    """Each question read in the first passage alone and in all of them (hybrid retrieval), keeping both answers."""
    reader = engine.reader()
    reads = []
    for question in tqdm(questions, desc=description, unit="q"):
        found = engine.retriever.search(question.question, engine.settings.top_k, "hybrid").passages
        passages = [p.passage for p in found]
        first = read_more(reader, question.question, [], passages[:1])
        text, confidence, score = first_answer(reader, first) or (None, None, 0.0)
        every = first_answer(reader, read_more(reader, question.question, first, passages[1:])) or (None, None, 0.0)
        features = None if text is None or confidence is None else stop_features(confidence, score, found)
        reads.append(Read(question.answers, text, confidence, every[0], every[1], len(found), features))
    return reads


def rows_for(
    reads: list[Read], min_confidence: float, stopped_by: Callable[[Read, float], bool], thresholds, name: str
) -> list[dict]:
    """Per threshold of ``stopped_by``: the share of questions stopped after the first passage, passages read per
    question, and EM/F1 always answering and as ``ask`` answers (declining below ``min_confidence``)."""
    rows = []
    for threshold in thresholds:
        stopped = [stopped_by(r, threshold) for r in reads]
        picked = [
            (r.first, r.first_confidence) if s else (r.every, r.every_confidence)
            for r, s in zip(reads, stopped, strict=True)
        ]
        always = [f1_score(text or "", r.answers) for r, (text, _) in zip(reads, picked, strict=True)]
        given = [
            f1 if conf is not None and conf >= min_confidence else 0.0
            for f1, (_, conf) in zip(always, picked, strict=True)
        ]
        exact = [exact_match(text or "", r.answers) for r, (text, _) in zip(reads, picked, strict=True)]
        rows.append(
            {
                name: threshold,
                "stopped": 100 * sum(stopped) / len(reads),
                "passages read": sum(1 if s else r.passages for r, s in zip(reads, stopped, strict=True)) / len(reads),
                "EM always answering": 100 * sum(exact) / len(reads),
                "F1 always answering": 100 * sum(always) / len(reads),
                "F1 as ask() answers": 100 * sum(given) / len(reads),
            }
        )
    return rows


def curve(reads: list[Read], min_confidence: float, stops=STOPS) -> list[dict]:
    """``rows_for`` stopping when the first passage's answer is at least this confident (1: never)."""

    def confident(read: Read, stop: float) -> bool:
        return read.first_confidence is not None and read.first_confidence >= stop and stop < 1

    return rows_for(reads, min_confidence, confident, stops, "stop_confidence")


def model_curve(reads: list[Read], model: StopModel, min_confidence: float, stops=STOP_PROBABILITIES) -> list[dict]:
    """``rows_for`` stopping when ``model`` gives at least this probability that reading on changes nothing."""

    def likely(read: Read, stop: float) -> bool:
        return read.features is not None and stop < 1 and model.probability(read.features) >= stop

    return rows_for(reads, min_confidence, likely, stops, "stop_probability")


def fit_stop_model(reads: list[Read], fitted_on: str) -> StopModel:
    """A stop model fitted on the reads whose first passage holds an answer: does stopping lose nothing?"""
    usable = [r for r in reads if r.features is not None]
    rows = np.array([r.features for r in usable])
    labels = np.array([r.stopping_loses_nothing for r in usable], dtype=float)
    model = fit_calibration(rows, labels, fitted_on, kind=StopModel)
    assert isinstance(model, StopModel)
    return model


def table(title: str, rows: list[dict]) -> str:
    lines = [title, "| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    lines += [
        "| " + " | ".join(f"{v:.2f}" if isinstance(v, float) else str(v) for v in row.values()) + " |" for row in rows
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DATA_DIR / "squad-v1.1-dev.json.gz")
    parser.add_argument("--limit", type=int, default=2000, help="questions measured, from the first (0: all)")
    parser.add_argument("--cache", type=Path, default=Path("eval/cache"), help="folder caching the corpus index")
    parser.add_argument(
        "--fit",
        type=int,
        default=0,
        metavar="N",
        help="first fit the reader's stop model on N questions from --fit-from (articles apart from those measured) "
        "and save it beside its weights",
    )
    parser.add_argument("--fit-from", type=int, default=5000, help="the first question the stop model is fitted on")
    args = parser.parse_args()

    from qa.pipeline import QA

    settings = QA().settings
    questions, documents, _ = squad_corpus(load_squad(args.data), args.data.name)
    measured = questions[: args.limit] if args.limit else questions
    if args.fit and args.fit_from < len(measured):
        parser.error(f"--fit-from {args.fit_from} overlaps the {len(measured)} questions measured")
    engine = QA(settings=settings, index_dir=corpus_cache_folder(args.data, settings, args.cache))
    engine.index_documents(documents)
    reader = engine.reader()
    if not isinstance(reader, SpanReader):
        parser.error("the stop curve needs the trained reader (QA_READER=trained)")
    model = reader.stop_model
    if args.fit:
        fitted_on = questions[args.fit_from : args.fit_from + args.fit]
        description = f"{args.data.name} questions {args.fit_from}-{args.fit_from + len(fitted_on)}, open, hybrid, top {settings.top_k}"
        model = fit_stop_model(read_both(engine, fitted_on, "fitting"), description)
        print(
            f"stop model fitted on {model.examples} questions ({description}): saved in {model.save(Path(reader.path))}"
        )
        print(model.model_dump_json())
    reads = read_both(engine, measured)
    print(f"{args.data.name}, open, hybrid, first {len(measured)} questions, top {settings.top_k} passages")
    rows = curve(reads, settings.min_confidence)
    print(table("by the first passage's answer confidence (QA_STOP_CONFIDENCE):", rows))
    if model is not None:
        model_rows = model_curve(reads, model, settings.min_confidence)
        print(table("by the stop model (QA_STOP_PROBABILITY):", model_rows))
        rows += model_rows
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
