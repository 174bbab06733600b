"""Measure answers (SQuAD EM/F1, abstention), retrieval, citation validity and latency on a question set."""

from __future__ import annotations

import argparse
import collections
import hashlib
import json
import math
import re
import string
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
from tqdm import tqdm

from qa.config import RetrievalMode
from qa.documents.loading import document_id
from qa.errors import DataError, MissingError, OptionError
from qa.evaluation.squad import SquadArticle, load_squad
from qa.models import AskResult, Document, Passage
from qa.questions.conversation import resolve
from qa.reading.calibration import expected_calibration_error, gives_answer, is_right, reliability
from qa.reading.reader import candidates_by_text

if TYPE_CHECKING:  # the engine's modules load faiss and bm25s; the CLI imports this module to build its parser
    from qa.pipeline import QA
    from qa.retrieval import Retriever

RETRIEVAL_MODES: tuple[RetrievalMode, ...] = ("hybrid", "dense", "bm25")
RECALL_AT = (1, 5, 20)
MAX_RANK = max(RECALL_AT)
SQUAD_FILE = re.compile(r"\.json(\.gz)?$")
DATA_SUFFIX = re.compile(r"\.(jsonl|json)(\.gz)?$")
PUNCTUATION = frozenset(string.punctuation)


# ---------------------------------------------------------------- answer metrics (the official SQuAD definitions)


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


# ---------------------------------------------------------------- retrieval and latency metrics


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


# ---------------------------------------------------------------- questions and per-question records


@dataclass
class EvalQuestion:
    """A question to evaluate; no answers means unanswerable. SQuAD questions carry their gold paragraph."""

    id: str
    question: str
    answers: list[str]
    history: list[dict[str, str | None]] = field(default_factory=list)
    context: str | None = None
    document_id: str | None = None

    def is_relevant(self, passage: Passage) -> bool:
        """A passage of the gold paragraph (SQuAD), or one that holds a gold answer (our JSONL)."""
        if self.document_id is not None:
            return passage.document_id == self.document_id
        return contains_answer(passage.text, self.answers)


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


# ---------------------------------------------------------------- data sets


def load_jsonl(path: Path) -> list[EvalQuestion]:
    """Our question set: one {id, question, answers, history?} object per line."""
    questions = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                row = json.loads(line)
                questions.append(
                    EvalQuestion(
                        id=str(row["id"]),
                        question=row["question"],
                        answers=list(row["answers"]),
                        history=list(row.get("history") or []),
                    )
                )
    return questions


def squad_corpus(articles: list[SquadArticle], file_name: str) -> tuple[list[EvalQuestion], list[Document], int]:
    """The usable questions, one document per distinct paragraph, and how many questions were skipped as unusable."""
    questions: list[EvalQuestion] = []
    documents: dict[str, Document] = {}
    skipped = 0
    for article_number, article in enumerate(articles):
        for paragraph_number, paragraph in enumerate(article.paragraphs):
            gold_id = document_id(paragraph.context)
            documents.setdefault(
                gold_id,
                Document(
                    id=gold_id,
                    title=f"{article.title} #{paragraph_number + 1}",
                    source=f"{file_name}#{article_number}/{paragraph_number}",
                    text=paragraph.context,
                ),
            )
            for question in paragraph.questions:
                if not question.usable:
                    skipped += 1
                    continue
                questions.append(
                    EvalQuestion(
                        id=question.id,
                        question=question.question,
                        answers=[] if question.is_impossible else question.answers,
                        context=paragraph.context,
                        document_id=gold_id,
                    )
                )
    return questions, list(documents.values()), skipped


def corpus_cache_folder(data: Path, settings, cache_dir: Path, articles: Sequence[str] = ()) -> Path:
    """``cache_dir/<hash of the data file and the chunking settings>``: where a SQuAD corpus's local index lives
    (``articles``: the titles, when the corpus is only those articles of the file)."""
    digest = hashlib.sha256()
    with open(data, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    digest.update(
        json.dumps(
            [
                settings.embedding_model,
                settings.chunk_tokens,
                settings.chunk_overlap_sentences,
                settings.runtime,  # the vectors differ a little with the embedder's runtime and precision
                settings.precision,
            ]
        ).encode()
    )
    if articles:
        digest.update(json.dumps(sorted(articles)).encode())
    return cache_dir / digest.hexdigest()[:16]


# ---------------------------------------------------------------- running the questions


def best_candidate(result: AskResult) -> tuple[str | None, float | None, float | None]:
    """Text, score and confidence of the top answer of ``QA.ask``, given or not (when not, it heads the
    alternatives)."""
    if result.answer is not None:
        return result.answer, result.score, result.confidence
    if result.alternatives:
        best = result.alternatives[0]
        return best.text, best.score, best.confidence
    return None, None, None


def evaluate_closed(
    engine: QA, questions: list[EvalQuestion], threshold: float | None, min_confidence: float | None = None
) -> list[QuestionRecord]:
    """Read each question's gold paragraph alone and answer as ``QA.ask`` decides (confidence or threshold)."""
    reader = engine.reader()
    reader.warm_up()  # so that loading the model is not timed as the first read
    threshold = reader.threshold if threshold is None else threshold
    min_confidence = engine.settings.min_confidence if min_confidence is None else min_confidence
    records = []
    for question in tqdm(questions, desc="closed", unit="q"):
        passage = Passage(
            id=f"{question.document_id}:0",
            document_id=question.document_id,
            start=0,
            end=len(question.context),
            text=question.context,
        )
        began = time.perf_counter()
        spans = reader.read(question.question, [passage], top_n=10)  # the best is scored, the others rival it
        read_ms = round((time.perf_counter() - began) * 1000, 2)
        best = spans[0] if spans else None
        candidates = candidates_by_text(spans)
        confidence = reader.confidence(candidates) if candidates else None
        prediction = predict(best.text, best.score, threshold, confidence, min_confidence) if best else None
        valid = (
            best is not None
            and prediction is not None
            and citation_valid(question.context, best.start, best.end, best.text, prediction)
        )
        records.append(
            QuestionRecord(
                id=question.id,
                question=question.question,
                answers=question.answers,
                prediction=prediction,
                best_text=best.text if best else None,
                best_score=best.score if best else None,
                best_confidence=confidence,
                citations=int(prediction is not None),
                valid_citations=int(valid),
                timings_ms={"read": read_ms},
            )
        )
    return records


def first_relevant_rank(retriever: Retriever, question: EvalQuestion, query: str, mode: RetrievalMode) -> int | None:
    """Rank (from 1) of the first relevant passage in the top MAX_RANK, None when there is none."""
    passages = retriever.retrieve(query, MAX_RANK, mode)
    return next((rank for rank, p in enumerate(passages, start=1) if question.is_relevant(p.passage)), None)


def evaluate_open(
    engine: QA, questions: list[EvalQuestion], modes: list[RetrievalMode], threshold: float | None, answer: bool = True
) -> list[QuestionRecord]:
    """Measure retrieval in each mode for answerable questions, then (unless not ``answer``) answer with ``QA.ask``."""
    from qa.validation import check_history

    engine.warm_up()  # loads the models, the index and BM25, so that the first question is timed like the others
    retriever = engine.retriever
    records = []
    for question in tqdm(questions, desc="open", unit="q"):
        ranks: dict[str, int | None] = {}
        if question.answers:
            query = resolve(
                question.question, check_history(question.history, engine.settings.max_question_chars)
            ).retrieval_query
            ranks = {mode: first_relevant_rank(retriever, question, query, mode) for mode in modes}
        if not answer:
            records.append(
                QuestionRecord(id=question.id, question=question.question, answers=question.answers, ranks=ranks)
            )
            continue
        result = engine.ask(question.question, history=question.history, threshold=threshold)
        best_text, best_score, best_confidence = best_candidate(result)
        documents = engine.store.get_documents([c.document_id for c in result.citations])
        valid = valid_citations(result, {i: d.text for i, d in documents.items()})
        records.append(
            QuestionRecord(
                id=question.id,
                question=question.question,
                answers=question.answers,
                prediction=result.answer,
                best_text=best_text,
                best_score=best_score,
                best_confidence=best_confidence,
                ranks=ranks,
                citations=len(result.citations),
                valid_citations=valid,
                timings_ms=result.timings_ms,
                resolved=result.resolved_question
                + (f" [read with the last {result.history_turns_read} turns]" if result.history_turns_read else ""),
            )
        )
    return records


# ---------------------------------------------------------------- report


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


def percent(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}"


def markdown(report: dict) -> str:
    """The metrics as Markdown tables (EM, F1, accuracies and recalls in percent)."""
    metrics, settings, counts = report["metrics"], report["settings"], report["counts"]
    reader = settings["reader"] + (f" ({settings['reader_model']})" if settings["reader_model"] else "")
    lines = [
        f"# Evaluation: {report['dataset']} ({report['mode']})",
        "",
        f"Data `{report['data']}`; reader {reader}, "
        + (
            f"minimum confidence {settings['min_confidence']:g}; "
            if "calibration" in metrics
            else f"threshold {settings['threshold']:g}; "
        )
        + f"{counts['evaluated']} questions ({counts['answerable']} answerable, {counts['unanswerable']} unanswerable).",
        "",
        "| Metric | Value |",
        "|---|---|",
    ]
    if "exact" in metrics:
        lines += [f"| EM | {percent(metrics['exact'])} |", f"| F1 | {percent(metrics['f1'])} |"]
    if "no_ans_accuracy" in metrics:
        if "has_ans_f1" in metrics:
            lines += [
                f"| HasAns EM | {percent(metrics['has_ans_exact'])} |",
                f"| HasAns F1 | {percent(metrics['has_ans_f1'])} |",
            ]
        lines.append(f"| NoAns accuracy | {percent(metrics['no_ans_accuracy'])} |")
    if "calibration" in metrics:
        rated = metrics["calibration"]
        lines.append(f"| Confidence ECE ({rated['rated']} rated) | {rated['ece']:.3f} |")
    cited = metrics["citations"]
    lines.append(f"| Citation validity | {percent(cited['validity'])} ({cited['valid']}/{cited['checked']}) |")
    if "retrieval" in metrics:
        lines += [
            "",
            f"Retrieval over {metrics['retrieval_questions']} answerable questions:",
            "",
            "| Mode | " + " | ".join(f"R@{k}" for k in RECALL_AT) + " | MRR |",
            "|---" * (len(RECALL_AT) + 2) + "|",
        ]
        for mode, found in metrics["retrieval"].items():
            recalls = " | ".join(percent(found[f"recall@{k}"]) for k in RECALL_AT)
            lines.append(f"| {mode} | {recalls} | {found['mrr']:.3f} |")
    lines += ["", "| Stage | p50 ms | p95 ms |", "|---|---|---|"]
    lines += [f"| {stage} | {t['p50']:.1f} | {t['p95']:.1f} |" for stage, t in metrics["latency_ms"].items()]
    if "threshold_sweep" in report:
        sweep = report["threshold_sweep"]
        found = ", ".join(
            f"{name} {percent(sweep[key])}"
            for name, key in (("HasAns F1", "has_ans_f1"), ("NoAns accuracy", "no_ans_accuracy"))
            if key in sweep
        )
        lines += [
            "",
            f"Best threshold {sweep['threshold']:.4g}: F1 {percent(sweep['f1'])}"
            + (f" ({found})" if found else "")
            + ".",
        ]
    return "\n".join(lines) + "\n"


def plot(report: dict, path: Path) -> None:
    """Recall@k curves per retrieval mode (open mode), the reliability diagram (a calibrated reader) and a histogram
    of per-question latency, side by side."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    retrieval = report["metrics"].get("retrieval")
    calibration = report["metrics"].get("calibration")
    panels = 1 + bool(retrieval) + bool(calibration)
    figure = Figure(figsize=(5 * panels + 1, 4), layout="constrained")
    FigureCanvasAgg(figure)
    axes = list(figure.subplots(1, panels, squeeze=False)[0])
    if retrieval:
        recall_axes = axes.pop(0)
        for mode, found in retrieval.items():
            recall_axes.plot(range(1, len(found["curve"]) + 1), found["curve"], marker="o", markersize=3, label=mode)
        recall_axes.set(
            title="Retrieval recall@k",
            xlabel="k",
            ylabel="recall",
            ylim=(0, 1.02),
            xticks=[1, *range(5, MAX_RANK + 1, 5)],
        )
        recall_axes.grid(alpha=0.3)
        recall_axes.legend()
    if calibration:
        reliability_axes = axes.pop(0)
        bins = calibration["reliability"]
        reliability_axes.bar(
            [(b["low"] + b["high"]) / 2 for b in bins],
            [b["accuracy"] for b in bins],
            width=[0.9 * (b["high"] - b["low"]) for b in bins],
            alpha=0.6,
            label="share right",
        )
        reliability_axes.plot([b["confidence"] for b in bins], [b["accuracy"] for b in bins], "o-", label="per bin")
        reliability_axes.plot([0, 1], [0, 1], "k--", linewidth=1, label="perfect calibration")
        reliability_axes.set(
            title=f"Reliability (ECE {calibration['ece']:.3f})",
            xlabel="confidence of the best answer",
            ylabel="share right",
            xlim=(0, 1),
            ylim=(0, 1),
        )
        reliability_axes.legend(loc="upper left")
    latency_axes = axes[0]
    for stage in ("total", "read"):
        values = [r["timings_ms"][stage] for r in report["records"] if stage in r["timings_ms"]]
        if values:
            latency_axes.hist(values, bins=30, alpha=0.6, label=stage)
    latency_axes.set(title="Latency per question", xlabel="ms", ylabel="questions")
    if latency_axes.get_legend_handles_labels()[0]:
        latency_axes.legend()
    figure.suptitle(f"{report['dataset']} ({report['mode']})")
    figure.savefig(path, dpi=110)


# ---------------------------------------------------------------- command line


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The evaluation's options, for ``qa eval`` and ``python -m eval``."""
    parser.add_argument(
        "--data",
        type=Path,
        default=Path("eval/qa_set.jsonl"),
        help="our JSONL question set (answered over --documents) or a SQuAD v1.1/v2.0 .json[.gz] file",
    )
    parser.add_argument(
        "--mode",
        choices=("closed", "open"),
        help="SQuAD files: read the gold paragraph only (closed, the default) or retrieve from all "
        "paragraphs (open); JSONL sets are always open",
    )
    parser.add_argument("--documents", type=Path, help="documents folder for a JSONL set")
    parser.add_argument("--index", type=Path, help="index folder for a JSONL set")
    parser.add_argument("--store", choices=("local", "postgres"), help="where the index is kept (QA_STORE)")
    parser.add_argument(
        "--store-url",
        help="PostgreSQL URI for --store postgres (QA_STORE_URL); open SQuAD runs "
        "make its database hold exactly that corpus",
    )
    parser.add_argument(
        "--reader",
        choices=("trained", "sentence"),
        help="span reader (trained, the default) or the sentence-similarity baseline",
    )
    parser.add_argument("--reader-model", help="AutoModelForQuestionAnswering path for the span reader")
    parser.add_argument("--threshold", type=float, help="answer threshold (default: the reader's)")
    parser.add_argument("--top-k", type=int, help="passages handed to the reader")
    parser.add_argument("--retrieval", choices=RETRIEVAL_MODES, help="retrieval mode used to answer")
    parser.add_argument(
        "--modes", help="comma-separated retrieval modes to measure recall for (default: the --retrieval mode)"
    )
    parser.add_argument(
        "--limit", type=int, help="evaluate the first N usable questions only (with --dialogues: the first N dialogues)"
    )
    parser.add_argument("--out", type=Path, default=Path("eval/reports"), help="folder for the reports")
    parser.add_argument(
        "--cache", type=Path, default=Path("eval/cache"), help="folder caching the indexes of SQuAD files for open mode"
    )
    parser.add_argument(
        "--retrieval-only", action="store_true", help="open mode: measure retrieval alone, without reading answers"
    )
    parser.add_argument(
        "--off-collection",
        action="store_true",
        help="SQuAD open mode: index every other article only; the questions of the others are asked as unanswerable "
        "(off the collection), interleaved with those of the indexed ones",
    )
    parser.add_argument(
        "--sweep-threshold", action="store_true", help="also find the threshold that maximises overall F1"
    )
    parser.add_argument(
        "--dialogues",
        type=Path,
        help="evaluate follow-up questions on a dialogue JSONL file (eval/dialogues.jsonl) instead of --data: its "
        "sample dialogues over --documents, its SQuAD ones over the articles they name",
    )
    parser.add_argument(
        "--squad-dir",
        type=Path,
        default=Path("../shared/data"),
        help="folder of the SQuAD files that --dialogues names by corpus (<corpus>.json.gz)",
    )


def parse_modes(text: str | None, default: RetrievalMode) -> list[RetrievalMode]:
    modes = [m.strip() for m in text.split(",") if m.strip()] if text else [default]
    unknown = [m for m in modes if m not in RETRIEVAL_MODES]
    if unknown:
        raise OptionError(f"unknown retrieval mode(s) {', '.join(unknown)}; choose from {', '.join(RETRIEVAL_MODES)}")
    return cast(list[RetrievalMode], modes)


def engine_from_args(args: argparse.Namespace) -> QA:
    """The engine the evaluation's flags ask for (the rest from the settings)."""
    from qa.pipeline import QA

    return QA(
        documents_dir=args.documents,
        index_dir=args.index,
        top_k=args.top_k,
        retrieval_mode=args.retrieval,
        reader=args.reader or ("trained" if args.reader_model else None),
        reader_model=args.reader_model,
        store=args.store,
        store_url=args.store_url,
    )


def run(args: argparse.Namespace) -> dict:
    """Evaluate, write ``<data set>-<mode>.json/.md/.png`` into ``args.out``, print the Markdown, return the report."""
    from qa.evaluation import cross_documents
    from qa.evaluation.cross_documents import is_collection_set
    from qa.pipeline import QA

    if getattr(args, "dialogues", None):
        return run_dialogues(args)
    data = Path(args.data)
    if data.suffix == ".jsonl" and is_collection_set(data):  # questions over several collections, by kind
        return cross_documents.run(args)
    is_squad = bool(SQUAD_FILE.search(data.name))
    mode = args.mode or ("closed" if is_squad else "open")
    if mode == "closed" and not is_squad:
        raise OptionError("closed mode needs a SQuAD file (its questions carry their gold paragraph)")
    engine = engine_from_args(args)
    settings = engine.settings
    off_collection = is_squad and mode == "open" and getattr(args, "off_collection", False)
    articles = load_squad(data) if is_squad else []
    indexed = articles[::2] if off_collection else articles
    if is_squad and mode == "open" and settings.store == "local":
        titles = [a.title for a in indexed] if off_collection else []
        engine = QA(settings=settings, index_dir=corpus_cache_folder(data, settings, Path(args.cache), titles))
    modes = parse_modes(args.modes, settings.retrieval_mode)
    questions, documents, skipped = squad_corpus(indexed, data.name) if is_squad else (load_jsonl(data), [], 0)
    if off_collection:
        questions = interleaved(questions, off_the_collection(squad_corpus(articles[1::2], data.name)[0]))
    total = len(questions) + skipped
    questions = questions[: args.limit] if args.limit else questions
    if not questions:
        raise DataError(f"no usable questions in {data}")
    if mode == "closed":
        records = evaluate_closed(engine, questions, args.threshold)
    else:
        if is_squad:
            engine.index_documents(documents)
        records = evaluate_open(engine, questions, modes, args.threshold, answer=not args.retrieval_only)
    dataset = DATA_SUFFIX.sub("", data.name)
    report = {
        "dataset": dataset,
        "data": str(data),
        "mode": mode,
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "settings": report_settings(engine, args, modes if mode == "open" else [], is_squad),
        "counts": {
            "questions": total,
            "skipped_unusable": skipped,
            "evaluated": len(records),
            "answerable": sum(not r.is_impossible for r in records),
            "unanswerable": sum(r.is_impossible for r in records),
        },
        "metrics": summarise(records, modes, answered=not (mode == "open" and args.retrieval_only)),
        "records": [asdict(r) for r in records],
    }
    if args.sweep_threshold and "exact" in report["metrics"]:
        report["threshold_sweep"] = best_threshold(records)
    write_report(report, Path(args.out))
    return report


def report_settings(engine: QA, args: argparse.Namespace, measured_modes: list[RetrievalMode], is_squad: bool) -> dict:
    """The settings an evaluation report records: those of ``engine`` and the run's options."""
    settings = engine.settings
    return {
        "reader": settings.reader,
        "reader_model": settings.reader_model,
        "threshold": engine.reader().threshold if args.threshold is None else args.threshold,
        "min_confidence": settings.min_confidence,
        "top_k": settings.top_k,
        "retrieval_mode": settings.retrieval_mode,
        "measured_modes": measured_modes,
        "limit": args.limit,
        "embedding_model": settings.embedding_model,
        "chunk_tokens": settings.chunk_tokens,
        "chunk_overlap_sentences": settings.chunk_overlap_sentences,
        "documents_dir": str(settings.documents_dir) if not is_squad else None,
    }


def off_the_collection(questions: list[EvalQuestion]) -> list[EvalQuestion]:
    """The questions asked of a collection that does not hold their article: none has an answer there."""
    return [replace(q, answers=[], context=None, document_id=None) for q in questions]


def interleaved(first: list[EvalQuestion], second: list[EvalQuestion]) -> list[EvalQuestion]:
    """One of each in turn while both last, then the rest of the longer."""
    mixed = [q for pair in zip(first, second, strict=False) for q in pair]
    shorter = min(len(first), len(second))
    return mixed + first[shorter:] + second[shorter:]


def write_report(report: dict, out: Path, table: str | None = None) -> None:
    """Write ``<dataset>-<mode>.json/.md/.png`` into ``out`` (the Markdown is ``table``, by default
    ``markdown(report)``), record their paths in ``report["files"]`` and print the Markdown."""
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"{report['dataset']}-{report['mode']}"
    files = {kind: stem.with_name(f"{stem.name}.{kind}") for kind in ("json", "md", "png")}
    report["files"] = {kind: str(path) for kind, path in files.items()}
    table = markdown(report) if table is None else table
    files["md"].write_text(table, encoding="utf-8")
    plot(report, files["png"])
    files["json"].write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    print(table)


# ---------------------------------------------------------------- dialogues: follow-up questions in context

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
