"""Whether to answer in open mode: a logistic model over the reader's confidence and what retrieval knows."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import ClassVar

from pydantic import Field

from qa.models import Answer, RetrievedPassage
from qa.reading.calibration import Calibration
from qa.reading.hops import content_words, uncovered

ANSWERABILITY_FILE = "answerability.json"
ANSWERABILITY_FEATURES = (
    "confidence",
    "score",
    "dense_similarity",
    "dense_reciprocal_rank",
    "bm25_reciprocal_rank",
    "term_coverage",
    "name_coverage",
    "agreement",
    "collection_size",
)
# What a question names: capitalised words after its first, numbers, codes.
QUESTION_NAMES = re.compile(r"(?<!^)(?<![.?!]\s)\b[A-Z][\w'’-]+|\b\d[\d.,:/-]*\b")
AGREEMENT_CAP = 3  # passages besides the cited one that also hold the answer, counted up to this many


def question_names(question: str) -> list[str]:
    """The names and numbers a question holds (its capitalised words but the first, its numbers)."""
    return [m.group() for m in QUESTION_NAMES.finditer(question.strip())]


def coverage(question: str, passage: str) -> tuple[float, float]:
    """The share of the question's content words (stemmed) and of its names and numbers that the passage holds (1
    when the question has none)."""
    asked = content_words(question)
    names = question_names(question)
    lowered = passage.casefold()
    found = sum(name.casefold() in lowered for name in names)
    terms = 1 - len(uncovered(question, passage)) / len(asked) if asked else 1.0
    return terms, (found / len(names) if names else 1.0)


def prior_shift(fitted_share: float, share: float) -> float:
    """What to add to a logistic model's bias so that it expects ``share`` of the questions asked to be answerable
    where the data it was fitted on had ``fitted_share`` (both strictly between 0 and 1)."""
    if not (0 < fitted_share < 1 and 0 < share < 1):
        raise ValueError(f"answerable shares lie strictly between 0 and 1, got {fitted_share} and {share}")
    return math.log(share / (1 - share)) - math.log(fitted_share / (1 - fitted_share))


def answerability_features(
    question: str, answer: Answer, passages: Sequence[RetrievedPassage], collection_passages: int
) -> list[float]:
    """What the answerability model weighs for ``answer`` (its confidence from the reader's calibration, its raw
    score), its cited passage (cosine similarity to the question, each retriever's reciprocal rank, how much of the
    question's words and names it holds), how many other retrieved passages hold the answer too, and the size of the
    collection asked (log10 of its passages: over a few documents on one subject every question finds its words)."""
    cited = answer.citations[0].passage_id if answer.citations else None
    found = next((p for p in passages if p.passage.id == cited), None)
    text = found.passage.text if found else ""
    terms, names = coverage(question, text)
    others = sum(answer.text.casefold() in p.passage.text.casefold() for p in passages if p.passage.id != cited)
    return [
        float(answer.confidence or 0.0),
        float(answer.score),
        float(found.dense_score or 0.0) if found else 0.0,
        1.0 / found.dense_rank if found and found.dense_rank else 0.0,
        1.0 / found.bm25_rank if found and found.bm25_rank else 0.0,
        terms,
        names,
        min(others, AGREEMENT_CAP) / AGREEMENT_CAP,
        math.log10(1 + collection_passages),
    ]


class AnswerabilityModel(Calibration):
    """P(the answer is right, in open mode) = sigmoid(bias + weights · ``answerability_features``): kept beside the
    reader's weights, fitted by ``python -m eval.answerability`` on SQuAD v1.1 train questions asked over an index with
    their article and over one without, plus near misses."""

    FILE: ClassVar[str] = ANSWERABILITY_FILE
    KIND: ClassVar[str] = "answerability model"

    features: list[str] = Field(default_factory=lambda: list(ANSWERABILITY_FEATURES))

    def rated(
        self, question: str, answers: list[Answer], passages: Sequence[RetrievedPassage], collection_passages: int
    ) -> list[Answer]:
        """The answers, in the reader's order (it ranks spans; this model was fitted on its best ones), each read in
        one passage with its confidence replaced by this model's probability; an answer that rests on two (``supporting``
        citations: a hop, a chain) keeps the confidence its readings gave it, for the model was fitted on single ones."""
        for answer in answers:
            if not answer.supporting:
                features = answerability_features(question, answer, passages, collection_passages)
                answer.confidence = self.probability(features)
        return answers
