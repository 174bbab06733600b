"""Run the engine over a question set: closed (the gold paragraph alone) or open (retrieval, then ``QA.ask``)."""

from __future__ import annotations

import argparse
import time
from typing import TYPE_CHECKING, cast

from tqdm import tqdm

from qa.config import RetrievalMode
from qa.errors import OptionError
from qa.evaluation.datasets import EvalQuestion
from qa.evaluation.metrics import MAX_RANK, QuestionRecord, citation_valid, predict, valid_citations
from qa.models import AskResult, Passage
from qa.questions.conversation import resolve
from qa.reading.reader import SpanReader, candidates_by_text

if TYPE_CHECKING:  # the engine's modules load faiss and bm25s; the CLI imports this module to build its parser
    from qa.pipeline import QA
    from qa.retrieval import Retriever

RETRIEVAL_MODES: tuple[RetrievalMode, ...] = ("hybrid", "dense", "bm25")


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
    if isinstance(reader, SpanReader):
        reader.trace_passes()  # as an engine warmed up for many questions reads (``QA.warm_up``)
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
