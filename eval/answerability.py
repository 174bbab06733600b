"""Fit the answerability model on training data only: SQuAD v1.1 train questions asked (open, as ``ask()`` reads)
over an index holding their article (right when the answer scores F1 >= 0.5) and over the same index by questions of
other articles and near misses of its own (never right), and the same over articles each indexed alone (a small
collection on one subject, where every question finds its words); answers resting on two passages left out (the
model leaves their confidence as it is); its bias then moved so that it expects as many questions answerable as not
(``--answerable-share``); held-out ECE and declines printed; ``--save`` keeps it beside the reader's weights.

    python -m eval.answerability --save        # about 20 minutes on 2 cores
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from qa.app.cli import DATA_DIR
from qa.evaluation.datasets import corpus_cache_folder, squad_corpus
from qa.evaluation.metrics import f1_score
from qa.evaluation.squad import SquadArticle, load_squad
from qa.models import Answer
from qa.reading.answerability import AnswerabilityModel, answerability_features, prior_shift
from qa.reading.calibration import expected_calibration_error, fit_calibration, is_right
from qa.reading.reader import SpanReader
from qa.training.near_miss import file_near_misses

# Where a question was asked from: over the large index, of its articles, of others' or as a near miss of its own; the
# same over an article indexed alone ("small ...").
KINDS = ("inside", "outside", "near miss", "small inside", "small outside", "small near miss")
ANSWERABLE = ("inside", "small inside")  # the kinds of questions asked of an index that holds their article


@dataclass
class Asked:
    """A question asked in open mode: where it came from, its features (None: no candidate) and whether it was right."""

    kind: str  # one of KINDS
    features: list[float] | None
    right: bool
    supported: bool = False  # it rests on two passages (a hop, a chain): the model leaves its confidence as it is


def ask(engine, question: str, answers: list[str], kind: str) -> Asked:
    """Ask with every answer given (min confidence 0, the reader's own confidence): its features and label."""
    result = engine.ask(question, min_confidence=0.0)
    if result.answer is None:
        return Asked(kind, None, False)
    best = Answer(
        text=result.answer, score=result.score or 0.0, confidence=result.confidence, citations=result.citations
    )
    right = bool(answers) and is_right(f1_score(result.answer, answers))
    features = answerability_features(question, best, result.passages, engine.store.manifest().passage_count)
    return Asked(kind, features, right, bool(result.supporting))


def questions_of(articles: list[SquadArticle], count: int, rng: random.Random) -> list[tuple[str, list[str]]]:
    """``count`` answerable questions of ``articles`` at random, with their answers."""
    found = [(q.question, q.answers) for a in articles for p in a.paragraphs for q in p.questions if q.answers]
    return rng.sample(found, min(count, len(found)))


def near_misses(articles: list[SquadArticle], count: int, rng: random.Random) -> list[str]:
    """``count`` near-miss questions (edits their own paragraph does not answer) of ``articles``."""
    made = [m.question for _, _, m in file_near_misses(articles, rng) if m is not None]
    return rng.sample(made, min(count, len(made)))


def ask_small(engine, article: SquadArticle, others: list[SquadArticle], count: int, rng: random.Random) -> list[Asked]:
    """``engine`` over ``article`` alone, asked ``count`` of its questions, of ``others``' and near misses of its own."""
    pairs = [
        *(("small inside", q, a) for q, a in questions_of([article], count, rng)),
        *(("small outside", q, []) for q, _ in questions_of(others, count, rng)),
        *(("small near miss", q, []) for q in near_misses([article], count, rng)),
    ]
    return [ask(engine, q, answers, kind) for kind, q, answers in pairs]


def report(asked: list[Asked], model: AnswerabilityModel, threshold: float) -> list[str]:
    """Held-out lines: ECE, and per kind the share answered at ``threshold``."""
    rows = [a for a in asked if a.features is not None]
    features = np.array([a.features for a in rows])
    supported = np.array([a.supported for a in rows], dtype=bool)
    probabilities = np.where(supported, features[:, 0], model.probabilities(features))  # 0: the reader's confidence
    ece = expected_calibration_error(probabilities, np.array([a.right for a in rows], dtype=float))
    lines = [f"held-out ECE {ece:.3f} on {len(rows)} questions with a candidate"]
    for kind in KINDS:
        chosen = [p for a, p in zip(rows, probabilities, strict=True) if a.kind == kind]
        total = sum(a.kind == kind for a in asked)
        answered = sum(p >= threshold for p in chosen)
        lines.append(f"{kind}: {answered / max(1, total):.1%} answered at {threshold} ({total} questions)")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA_DIR / "squad-v1.1-train.json.gz")
    parser.add_argument("--articles", type=int, default=80, help="articles indexed (as many more asked from outside)")
    parser.add_argument("--questions", type=int, default=1000, help="questions asked of each kind")
    parser.add_argument("--near-misses", type=int, default=500)
    parser.add_argument(
        "--small", type=int, default=20, help="articles each indexed alone (a small collection on one subject)"
    )
    parser.add_argument("--small-questions", type=int, default=10, help="questions of each kind asked of each")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument(
        "--answerable-share",
        type=float,
        default=0.5,
        help="share of questions asked that the documents answer, which the model is to expect",
    )
    parser.add_argument("--cache", type=Path, default=Path("eval/cache"))
    parser.add_argument("--save", action="store_true", help="keep the model beside the reader's weights")
    args = parser.parse_args()

    from qa.pipeline import QA

    rng = random.Random(args.seed)
    articles = load_squad(args.data)
    rng.shuffle(articles)
    inside, outside = articles[: args.articles], articles[args.articles : 2 * args.articles]
    settings = QA(answerability=False).settings
    folder = corpus_cache_folder(args.data, settings, args.cache, [a.title for a in inside])
    engine = QA(settings=settings, index_dir=folder)
    engine.index_documents(squad_corpus(inside, args.data.name)[1])

    def alone(article: SquadArticle) -> QA:
        """An engine over ``article`` alone, sharing the embedder."""
        folder = corpus_cache_folder(args.data, settings, args.cache, [article.title])
        small = QA(settings=settings, index_dir=folder, embedder=engine.embedder, index_embedder=engine.embedder)
        small.index_documents(squad_corpus([article], args.data.name)[1], progress=False)
        return small

    asked = [
        ask(engine, q, answers, kind)
        for kind, pairs in (
            ("inside", questions_of(inside, args.questions, rng)),
            ("outside", questions_of(outside, args.questions, rng)),
            ("near miss", [(q, []) for q in near_misses(inside, args.near_misses, rng)]),
        )
        for q, answers in tqdm(pairs, desc=kind, unit="q")
    ]
    for article in tqdm(articles[2 * args.articles : 2 * args.articles + args.small], desc="small", unit="article"):
        with alone(article) as small:
            asked += ask_small(small, article, articles[: 2 * args.articles], args.small_questions, rng)
    rng.shuffle(asked)
    cut = len(asked) * 4 // 5
    fitted = [a for a in asked[:cut] if a.features is not None and not a.supported]
    description = (
        f"{args.data.name}: {args.articles} articles indexed; {args.questions} of their questions, {args.questions} "
        f"of {args.articles} other articles, {args.near_misses} near misses; {args.small} articles indexed alone, "
        f"{args.small_questions} of their questions, of others' and near misses each (seed {args.seed}); 4/5 of them"
    )
    model = fit_calibration(
        np.array([a.features for a in fitted]),
        np.array([a.right for a in fitted], dtype=float),
        description,
        AnswerabilityModel,
    )
    assert isinstance(model, AnswerabilityModel)
    fitted_share = sum(a.kind in ANSWERABLE for a in fitted) / len(fitted)
    model.bias += prior_shift(fitted_share, args.answerable_share)
    model.fitted_on += f"; bias moved to expect {args.answerable_share:.0%} answerable (fitted on {fitted_share:.0%})"
    print(model.model_dump_json(indent=1))
    print("\n".join(report(asked[cut:], model, settings.min_confidence)))
    reader = engine.reader()
    if args.save and isinstance(reader, SpanReader):
        print(f"saved in {model.save(Path(reader.path))}")


if __name__ == "__main__":
    main()
