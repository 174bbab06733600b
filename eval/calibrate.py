"""Fit the reader's confidence (P(answer right)) on data its numbers are never reported on, and choose the threshold."""

from __future__ import annotations

import argparse
import hashlib
import json
import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from qa.app.cli import DATA_DIR
from qa.config import TRAINED_READER_DIR
from qa.evaluation.metrics import score_prediction
from qa.evaluation.squad import load_squad
from qa.models import Passage
from qa.reading.calibration import (
    confidence_features,
    expected_calibration_error,
    fit_calibration,
    is_right,
    reliability,
)
from qa.reading.reader import candidates_by_text
from qa.training.fine_tune import WORD, answerless_paragraphs, hardest_negative
from qa.training.near_miss import file_near_misses

DEFAULT_FILES = [DATA_DIR / "tydiqa-goldp-en-dev.json.gz", DATA_DIR / "qed-nq-dev.json.gz"]
HASANS_WEIGHT = 3.0  # the threshold weighs answerable questions 3:1 against unanswerable ones, as the model card says
HELD_OUT_SHARE = 0.3


@dataclass
class CalibrationExample:
    """A question read against one paragraph; ``answers`` empty when the paragraph does not answer it."""

    question: str
    context: str
    answers: list[str]
    kind: str  # "answerable", "other paragraph", or a near-miss kind
    held_out: bool


def held_out(key: str) -> bool:
    """A stable split by question: about HELD_OUT_SHARE of the questions measure the fit, the rest make it."""
    return int(hashlib.sha1(key.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF < HELD_OUT_SHARE


def calibration_examples(files: list[Path], seed: int = 13) -> list[CalibrationExample]:
    """Each answerable question with its own paragraph, and once unanswerable (half the questions are answerable,
    as in SQuAD v2.0): as a near miss against its own paragraph when one can be made, else against the file's
    paragraph most like it that lacks its answer."""
    rng = random.Random(seed)
    examples = []
    for path in files:
        articles = load_squad(path)
        contexts = [p.context for article in articles for p in article.paragraphs]
        lowered = [c.lower() for c in contexts]
        words = [set(WORD.findall(c)) for c in lowered]
        document_frequency = Counter(w for paragraph_words in words for w in paragraph_words)
        number = {context: index for index, context in enumerate(contexts)}
        for context, question, made in file_near_misses(articles, rng):
            split = held_out(f"{path.name}:{question.id}")
            examples.append(CalibrationExample(question.question, context, question.answers, "answerable", split))
            if made is not None:
                examples.append(CalibrationExample(made.question, context, [], f"near miss: {made.kind}", split))
                continue
            candidates = answerless_paragraphs(question.answers[0], lowered, number[context])
            other = hardest_negative(question.question, candidates, words, document_frequency)
            if other is None and candidates:
                other = rng.choice(candidates)
            if other is not None:
                examples.append(CalibrationExample(question.question, contexts[other], [], "other paragraph", split))
    return examples


def read_candidates(reader, example: CalibrationExample, top_n: int = 5) -> list[tuple[str, float]]:
    """The reader's candidate answers for one example, one per text, best first (as ``QA.ask`` groups them)."""
    passage = Passage(id="p:0", document_id="p", start=0, end=len(example.context), text=example.context)
    return candidates_by_text(reader.read(example.question, [passage], top_n=top_n))


def threshold_curve(probabilities: np.ndarray, answerable: np.ndarray, f1: np.ndarray) -> list[dict]:
    """For minimum confidences 0.05 … 0.95: answerable F1, the share of unanswerable declined, and F1 weighted
    1:1 and HASANS_WEIGHT:1 (answering an unanswerable question scores 0, declining it 1)."""
    rows = []
    for threshold in np.round(np.arange(0.05, 0.96, 0.05), 2):
        answered = probabilities >= threshold
        has_f1 = float(np.mean(np.where(answered[answerable], f1[answerable], 0.0)))
        no_ans = float(np.mean(~answered[~answerable]))
        rows.append(
            {
                "min_confidence": float(threshold),
                "hasans_f1": 100 * has_f1,
                "noans": 100 * no_ans,
                "f1_1to1": 100 * (has_f1 + no_ans) / 2,
                "f1_weighted": 100 * (HASANS_WEIGHT * has_f1 + no_ans) / (HASANS_WEIGHT + 1),
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reader", default=str(TRAINED_READER_DIR), help="folder of the reader's weights")
    parser.add_argument("--data", nargs="+", type=Path, default=DEFAULT_FILES, help="SQuAD-format files to fit on")
    parser.add_argument("--out", type=Path, default=Path("runs/calibration"), help="where the report is written")
    parser.add_argument("--save", action="store_true", help="write calibration.json beside the reader's weights")
    args = parser.parse_args()

    from qa.reading.reader import SpanReader

    reader = SpanReader(args.reader)
    examples = calibration_examples(args.data)
    rows, right, answerable, f1s, kinds, split = [], [], [], [], [], []
    for example in tqdm(examples, desc="reading", unit="q"):
        candidates = read_candidates(reader, example)
        if not candidates:
            continue
        _, f1 = score_prediction(candidates[0][0], example.answers) if example.answers else (0.0, 0.0)
        rows.append(confidence_features(candidates))
        right.append(bool(example.answers) and is_right(f1))
        answerable.append(bool(example.answers))
        f1s.append(f1)
        kinds.append(example.kind)
        split.append(example.held_out)
    x, y, held = np.array(rows), np.array(right), np.array(split)
    has, f1_values = np.array(answerable), np.array(f1s)
    names = ", ".join(path.name for path in args.data)
    trial = fit_calibration(x[~held], y[~held], fitted_on=f"{names} (fitting part)")
    held_probabilities = trial.probabilities(x[held])
    final = fit_calibration(
        x,
        y,
        fitted_on=f"{names}: answerable questions with their paragraph, and each once unanswerable "
        "(a near miss on its own paragraph, or the most similar paragraph of its file that lacks the answer)",
    )
    probabilities = final.probabilities(x)
    curve = threshold_curve(probabilities, has, f1_values)
    report = {
        "reader": args.reader,
        "examples": len(y),
        "kinds": dict(Counter(kinds)),
        "right_share": float(y.mean()),
        "held_out": {
            "examples": int(held.sum()),
            "ece": expected_calibration_error(held_probabilities, y[held]),
            "reliability": reliability(held_probabilities, y[held]),
        },
        "calibration": final.model_dump(),
        "threshold_curve": curve,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "calibration-report.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(f"{len(y)} examples ({dict(Counter(kinds))}), {100 * y.mean():.1f}% right")
    print(f"fitted on {int((~held).sum())}, ECE on the {int(held.sum())} held out: {report['held_out']['ece']:.3f}")
    print(
        f"final fit on all: weights {final.weights}, bias {final.bias:.3f}, ECE on its own data {final.fitted_ece:.3f}"
    )
    print("| min confidence | HasAns F1 | NoAns | F1 1:1 | F1 3:1 |\n|---|---|---|---|---|")
    for row in curve:
        print(
            f"| {row['min_confidence']:.2f} | {row['hasans_f1']:.1f} | {row['noans']:.1f} | {row['f1_1to1']:.1f} "
            f"| {row['f1_weighted']:.1f} |"
        )
    best = max(curve, key=lambda row: row["f1_weighted"])
    print(f"best 3:1 weighted F1 at min confidence {best['min_confidence']:.2f}")
    if args.save:
        print(f"saved {final.save(Path(args.reader))}")


if __name__ == "__main__":
    main()
