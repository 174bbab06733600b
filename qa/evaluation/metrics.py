"""Scores: SQuAD EM/F1 and abstention, the threshold sweep, citation validity, retrieval recall, latency, calibration."""

from __future__ import annotations

import collections
import math
import re
import string
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from qa.models import AskResult, Passage
from qa.reading.calibration import expected_calibration_error, gives_answer, is_right, reliability

if TYPE_CHECKING:
    from qa.config import RetrievalMode

RECALL_AT = (1, 5, 20)

MAX_RANK = max(RECALL_AT)

PUNCTUATION = frozenset(string.punctuation)


def normalize_answer(text: str) -> str:
    """SQuAD normalisation: lower case, no punctuation, no articles (a, an, the), single spaces."""
    text = "".join(ch for ch in text.lower() if ch not in PUNCTUATION)
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def token_f1(prediction: str, gold: str) -> float:
    prediction_tokens, gold_tokens = normalize_answer(prediction).split(), normalize_answer(gold).split()
    if not prediction_tokens or not gold_tokens:
        return float(prediction_tokens == gold_tokens)
    same = sum((collections.Counter(prediction_tokens) & collections.Counter(gold_tokens)).values())
    if not same:
        return 0.0
    precision, recall = same / len(prediction_tokens), same / len(gold_tokens)
    return 2 * precision * recall / (precision + recall)


def exact_match(prediction: str, golds: Sequence[str]) -> float:
    return float(any(normalize_answer(prediction) == normalize_answer(gold) for gold in golds))


def f1_score(prediction: str, golds: Sequence[str]) -> float:
    return max(token_f1(prediction, gold) for gold in golds)


def score_prediction(prediction: str | None, golds: Sequence[str]) -> tuple[float, float]:
    """(EM, F1) as SQuAD v2.0 scores them: no gold answers means unanswerable, where only abstaining (None) scores 1."""
    if not golds or prediction is None:
        score = float(not golds and prediction is None)
        return score, score
    return exact_match(prediction, golds), f1_score(prediction, golds)


def predict(
    best_text: str | None,
    best_score: float | None,
    threshold: float,
    best_confidence: float | None = None,
    min_confidence: float = 0.0,
) -> str | None:
    """The answer given, as ``QA.ask`` decides: the best candidate when its confidence reaches ``min_confidence``
    (a calibrated reader), or else its score reaches ``threshold``."""
    if best_text is None or best_score is None:
        return None
    return best_text if gives_answer(best_score, best_confidence, threshold, min_confidence) else None


def contains_answer(text: str, answers: Sequence[str]) -> bool:
    """True when a gold answer occurs in the text, ignoring case, not inside a longer word (no "NATO" in "senator")."""
    return any(
        answer.strip() and re.search(rf"(?<!\w){re.escape(answer.strip())}(?!\w)", text, re.IGNORECASE)
        for answer in answers
    )


def citation_valid(document_text: str, start: int, end: int, quote: str, answer: str) -> bool:
    """A citation holds when the document's text at its offsets is its quote and the answer lies in the quote."""
    return document_text[start:end] == quote and answer in quote


def valid_citations(result: AskResult, texts: dict[str, str]) -> int:
    """How many of a result's citations hold (``citation_valid``), each against the answer it cites: a two-part
    answer's citations against their own part's text, not the joined "X; Y"."""
    cited = [(c, part.text) for part in result.parts for c in part.citations] or [
        (c, result.answer or "") for c in result.citations
    ]
    return sum(citation_valid(texts[c.document_id], c.start, c.end, c.quote, answer) for c, answer in cited)


def retrieval_metrics(ranks: Sequence[int | None], max_k: int = MAX_RANK) -> dict:
    """Recall@k for k in RECALL_AT, MRR (a rank past ``max_k`` or None counts 0) and the recall curve for k=1..max_k."""
    count = len(ranks)
    curve = [sum(1 for r in ranks if r is not None and r <= k) / count for k in range(1, max_k + 1)]
    metrics: dict[str, Any] = {f"recall@{k}": curve[k - 1] for k in RECALL_AT if k <= max_k}
    metrics["mrr"] = sum(1 / r for r in ranks if r is not None and r <= max_k) / count
    metrics["curve"] = curve
    return metrics


def latency_metrics(timings: Sequence[dict[str, float]]) -> dict[str, dict[str, float]]:
    """p50 and p95 in milliseconds of every stage found in the timings."""
    stages = list(dict.fromkeys(stage for timing in timings for stage in timing))
    summary = {}
    for stage in stages:
        p50, p95 = np.percentile([t[stage] for t in timings if stage in t], [50, 95])
        summary[stage] = {"p50": round(float(p50), 2), "p95": round(float(p95), 2)}
    return summary


@dataclass
class QuestionRecord:
    """What happened to one question; the best candidate is kept whatever the threshold, for ``best_threshold``."""

    id: str
    question: str
    answers: list[str]
    prediction: str | None = None
    best_text: str | None = None
    best_score: float | None = None
    best_confidence: float | None = None
    ranks: dict[str, int | None] = field(default_factory=dict)
    citations: int = 0
    valid_citations: int = 0
    timings_ms: dict[str, float] = field(default_factory=dict)
    resolved: str | None = None  # the reading of a follow-up that was answered (see ``QA.ask``)
    exact: float = field(init=False)
    f1: float = field(init=False)

    def __post_init__(self) -> None:
        self.exact, self.f1 = score_prediction(self.prediction, self.answers)

    @property
    def is_impossible(self) -> bool:
        return not self.answers

    @property
    def best_is_right(self) -> bool:
        """Whether the best candidate, given or not, is a right answer (never, for an unanswerable question)."""
        return bool(self.answers) and self.best_text is not None and is_right(f1_score(self.best_text, self.answers))


def one_window_passage(reader, question: str, text: str) -> Passage | None:
    """The start of ``text``, as long as fills one reader window after ``question``, when the reader reads it in
    exactly that one window; else None: a text too short, one it skips (it never names the role asked), or one whose
    reading view is longer than the text (list items and table rows read as sentences, ``reading_view``)."""
    from qa.reading.reader import truncate_question

    asked = truncate_question(reader.tokenizer, question, reader.max_question_tokens)
    room = reader.max_length - len(reader.tokenizer(asked)["input_ids"]) - 1  # [CLS] q [SEP] passage [SEP]
    text = text[: reader.max_length * 6]  # enough for one window; the tokenizer warns on texts beyond the model's
    offsets = reader.tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)["offset_mapping"]
    if len(offsets) < room:
        return None
    passage_text = text[: offsets[room - 1][1]]
    passage = Passage(id="bench", document_id="bench", start=0, end=len(passage_text), text=passage_text)
    read_before = reader.windows_read
    reader.read(question, [passage])
    return passage if reader.windows_read - read_before == 1 else None


def window_latency(reader, questions: Sequence[str], texts: Sequence[str], repeats: int = 20) -> tuple[float, float]:
    """Milliseconds to read one full window alone, and per window when a batch of them is read at once: the first of
    ``texts`` read in exactly one window (``one_window_passage``) for the first of ``questions`` that has one."""
    found = ((q, p) for q in questions for text in texts if (p := one_window_passage(reader, q, text)) is not None)
    question, passage = next(found, (None, None))
    if question is None or passage is None:
        raise ValueError("no text is read in exactly one full reader window for these questions")

    def timed(passages) -> float:
        reader.read(question, passages)
        began = time.perf_counter()
        for _ in range(repeats):
            reader.read(question, passages)
        return (time.perf_counter() - began) * 1000 / repeats

    return timed([passage]), timed([passage] * reader.batch_size) / reader.batch_size


def answer_metrics(records: Sequence[QuestionRecord]) -> dict[str, float]:
    """Overall EM/F1, plus HasAns EM/F1 and NoAns accuracy when the set has such questions."""
    has_answer = [r for r in records if not r.is_impossible]
    no_answer = [r for r in records if r.is_impossible]
    metrics = {"exact": float(np.mean([r.exact for r in records])), "f1": float(np.mean([r.f1 for r in records]))}
    if has_answer:
        metrics["has_ans_exact"] = float(np.mean([r.exact for r in has_answer]))
        metrics["has_ans_f1"] = float(np.mean([r.f1 for r in has_answer]))
    if no_answer:
        metrics["no_ans_accuracy"] = float(np.mean([r.exact for r in no_answer]))
    return metrics


def best_threshold(records: Sequence[QuestionRecord]) -> dict[str, float]:
    """The threshold giving the best overall F1 (the highest one on ties) and the answer metrics at it.

    Answering is decided as in ``predict``: score >= threshold. When abstaining everywhere is best, the threshold
    is just above the highest score.
    """
    scored = sorted(((r.best_score, r) for r in records if r.best_score is not None), key=lambda pair: -pair[0])
    total = sum(score_prediction(None, r.answers)[1] for r in records)
    best_total = total
    threshold = math.nextafter(scored[0][0], math.inf) if scored else 0.0
    for position, (score, record) in enumerate(scored):
        total += score_prediction(record.best_text, record.answers)[1] - score_prediction(None, record.answers)[1]
        tied_with_next = position + 1 < len(scored) and scored[position + 1][0] == score
        if not tied_with_next and total > best_total:
            best_total, threshold = total, score
    rescored = [replace(r, prediction=predict(r.best_text, r.best_score, threshold)) for r in records]
    return {"threshold": threshold, **answer_metrics(rescored)}


def summarise(records: list[QuestionRecord], modes: list[RetrievalMode], answered: bool = True) -> dict:
    """Every metric of the run: answers (when answered), citations, latency and (when measured) retrieval per mode."""
    citations = sum(r.citations for r in records)
    valid = sum(r.valid_citations for r in records)
    metrics = {
        **(answer_metrics(records) if answered else {}),
        "citations": {"checked": citations, "valid": valid, "validity": valid / citations if citations else None},
        "latency_ms": latency_metrics([r.timings_ms for r in records]),
    }
    rated = [r for r in records if r.best_confidence is not None]
    if answered and rated:
        confidences = [r.best_confidence for r in rated if r.best_confidence is not None]
        right = [r.best_is_right for r in rated]
        metrics["calibration"] = {
            "rated": len(rated),
            "ece": expected_calibration_error(confidences, right),
            "reliability": reliability(confidences, right),
        }
    with_ranks = [r for r in records if r.ranks]
    if with_ranks:
        metrics["retrieval"] = {mode: retrieval_metrics([r.ranks[mode] for r in with_ranks]) for mode in modes}
        metrics["retrieval_questions"] = len(with_ranks)
    return metrics
