"""Extractive readers: a span model read with start/end logits, and a sentence-similarity baseline."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Protocol

import numpy as np

from qa.calibration import Calibration, confidence_features
from qa.chunking import sentence_spans
from qa.config import TRAINED_READER_DIR
from qa.embedding import Embedder
from qa.models import Passage
from qa.validation import loading_model


@dataclass(frozen=True)
class ReaderSpan:
    """A candidate answer: ``document text[start:end] == text``, read from one passage."""

    document_id: str
    passage_id: str
    start: int
    end: int
    text: str
    score: float


class Reader(Protocol):
    """Reads passages for a question and returns candidate spans, best first."""

    threshold: float

    def warm_up(self) -> None: ...

    def read(self, question: str, passages: list[Passage], top_n: int = 5) -> list[ReaderSpan]: ...

    def confidence(self, candidates: Sequence[tuple[str, float]]) -> float | None:
        """P(the first of ``candidates`` ((text, score), best first) is right); None for a reader not calibrated."""
        ...


def truncate_question(tokenizer, question: str, max_tokens: int) -> str:
    """The question cut to ``max_tokens`` word pieces; training and reading both use it so windows match."""
    tokens = tokenizer.tokenize(question)
    return question if len(tokens) <= max_tokens else tokenizer.convert_tokens_to_string(tokens[:max_tokens])


def best_spans(
    start_logits: np.ndarray,
    end_logits: np.ndarray,
    context_mask: np.ndarray,
    max_answer_tokens: int,
    top_n: int,
) -> list[tuple[int, int, float]]:
    """Top (start token, end token, score) spans inside the context, end >= start, at most ``max_answer_tokens`` long.

    The score is start + end logit minus the window's no-answer score (the logits at position 0), so it is
    comparable across windows and passages: above 0 the model prefers the span to "no answer".
    """
    positions = np.flatnonzero(context_mask)
    if not len(positions):
        return []
    null_score = float(start_logits[0] + end_logits[0])
    starts, ends = start_logits[positions], end_logits[positions]
    scores = starts[:, None] + ends[None, :]
    offsets = positions[None, :] - positions[:, None]
    scores = np.where((offsets >= 0) & (offsets < max_answer_tokens), scores, -np.inf)
    flat = np.argsort(scores, axis=None)[::-1][:top_n]
    found = []
    for index in flat:
        i, j = np.unravel_index(index, scores.shape)
        if np.isfinite(scores[i, j]):
            found.append((int(positions[i]), int(positions[j]), float(scores[i, j]) - null_score))
    return found


QUOTE_PAIRS = {"“": "”", "‘": "’", "«": "»", '"': '"', "'": "'"}  # opening mark: closing mark


def trim_quotes(text: str, start: int, end: int) -> tuple[int, int]:
    """``start, end`` shrunk past quote marks whose partner is outside the span ("“moving slowly" → "moving slowly"),
    and past white space."""
    while start < end:
        first, last = text[start], text[end - 1]
        if first.isspace() or (first in QUOTE_PAIRS and QUOTE_PAIRS[first] not in text[start + 1 : end]):
            start += 1
        elif last.isspace() or (
            last in QUOTE_PAIRS.values()
            and not any(o in text[start : end - 1] for o, c in QUOTE_PAIRS.items() if c == last)
        ):
            end -= 1
        else:
            break
    return start, end


def merge_spans(spans: list[ReaderSpan]) -> list[ReaderSpan]:
    """One span per document position (overlapping passages and windows read the same text), best score kept, best first."""
    best: dict[tuple[str, int, int], ReaderSpan] = {}
    for span in spans:
        key = (span.document_id, span.start, span.end)
        if key not in best or span.score > best[key].score:
            best[key] = span
    return sorted(best.values(), key=lambda s: -s.score)


class SpanReader:
    """Any AutoModelForQuestionAnswering read over strided windows of question + passage."""

    def __init__(
        self,
        model: str = "",
        max_length: int = 256,
        stride: int = 128,
        max_question_tokens: int = 64,
        max_answer_tokens: int = 30,
        threshold: float = 0.0,
        batch_size: int = 16,
    ):
        self.model_name = model
        self.max_length = max_length
        self.stride = stride
        self.max_question_tokens = max_question_tokens
        self.max_answer_tokens = max_answer_tokens
        self.threshold = threshold
        self.batch_size = batch_size
        self._lock = threading.Lock()

    @cached_property
    def path(self) -> str:
        if self.model_name:
            return self.model_name
        if not (TRAINED_READER_DIR / "config.json").exists():
            raise FileNotFoundError(
                f"the trained reader is missing from {TRAINED_READER_DIR}; "
                "train one with 'qa train-reader' or pick the sentence reader"
            )
        return str(TRAINED_READER_DIR)

    @cached_property
    def tokenizer(self):
        from transformers import AutoTokenizer

        with loading_model("reader_model", self.model_name):
            return AutoTokenizer.from_pretrained(self.path)

    @cached_property
    def model(self):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import torch
        from transformers import AutoModelForQuestionAnswering

        with loading_model("reader_model", self.model_name):
            model = AutoModelForQuestionAnswering.from_pretrained(self.path, dtype=torch.float32)
        return model.eval()

    def warm_up(self) -> None:
        with self._lock:
            self.tokenizer  # noqa: B018 - loads once
            self.model  # noqa: B018
            self.calibration  # noqa: B018

    @cached_property
    def calibration(self) -> Calibration | None:
        """The confidence model kept beside the weights (``calibration.json``); None when there is none."""
        folder = Path(self.path)
        return Calibration.load(folder) if folder.is_dir() else None

    def confidence(self, candidates: Sequence[tuple[str, float]]) -> float | None:
        if self.calibration is None or not candidates:
            return None
        return self.calibration.probability(confidence_features(candidates))

    def logits(self, encoded) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Start and end logits of every window, in input order. Windows are batched by length (each batch is
        padded to its longest window, so one long window does not make short ones pay for its padding)."""
        import torch

        names = [n for n in ("input_ids", "token_type_ids", "attention_mask") if n in encoded]
        count = len(encoded["input_ids"])
        order = sorted(range(count), key=lambda i: len(encoded["input_ids"][i]))
        starts: list[np.ndarray] = [np.empty(0)] * count
        ends: list[np.ndarray] = [np.empty(0)] * count
        with torch.inference_mode():
            for begin in range(0, count, self.batch_size):
                chosen = order[begin : begin + self.batch_size]
                width = max(len(encoded["input_ids"][i]) for i in chosen)
                batch = {}
                for name in names:
                    pad = self.tokenizer.pad_token_id if name == "input_ids" else 0
                    batch[name] = torch.tensor(
                        [encoded[name][i] + [pad] * (width - len(encoded[name][i])) for i in chosen]
                    )
                output = self.model(**batch)
                for row, window in enumerate(chosen):
                    starts[window] = output.start_logits[row].float().numpy()
                    ends[window] = output.end_logits[row].float().numpy()
        return starts, ends

    def read(self, question: str, passages: list[Passage], top_n: int = 5) -> list[ReaderSpan]:
        """Candidate spans from all passages, merged and best first (scores: see ``best_spans``)."""
        readable = [p for p in passages if p.text.strip()]
        if not readable or not question.strip():
            return []
        self.warm_up()
        with self._lock:  # a fast tokenizer must not be called from two threads at once
            asked = truncate_question(self.tokenizer, question, self.max_question_tokens)
            encoded = self.tokenizer(
                [asked] * len(readable),
                [p.text for p in readable],
                truncation="only_second",
                max_length=self.max_length,
                stride=self.stride,
                return_overflowing_tokens=True,
                return_offsets_mapping=True,
            )
        starts, ends = self.logits(encoded)
        spans = []
        for window, passage_number in enumerate(encoded["overflow_to_sample_mapping"]):
            passage = readable[passage_number]
            offsets = encoded["offset_mapping"][window]
            length = len(offsets)
            context_mask = np.array([s == 1 for s in encoded.sequence_ids(window)])
            for first, last, score in best_spans(
                starts[window][:length], ends[window][:length], context_mask, self.max_answer_tokens, top_n
            ):
                begin, end = trim_quotes(passage.text, offsets[first][0], offsets[last][1])
                text = passage.text[begin:end]
                if not text or "\n\n" in text:
                    continue  # only a quote mark, or an answer running across a paragraph break
                spans.append(
                    ReaderSpan(
                        document_id=passage.document_id,
                        passage_id=passage.id,
                        start=passage.start + begin,
                        end=passage.start + end,
                        text=text,
                        score=score,
                    )
                )
        return merge_spans(spans)[:top_n]


class SentenceReader:
    """Baseline: the sentences of the passages most similar to the question (cosine of sentence embeddings)."""

    def __init__(self, embedder: Embedder, threshold: float = 0.35):
        self.embedder = embedder
        self.threshold = threshold

    def warm_up(self) -> None:
        self.embedder.warm_up()

    def confidence(self, candidates: Sequence[tuple[str, float]]) -> float | None:
        return None  # similarities are not probabilities, and no calibration was fitted for them

    def read(self, question: str, passages: list[Passage], top_n: int = 5) -> list[ReaderSpan]:
        sentences = [(p, span) for p in passages for span in sentence_spans(p.text)]
        if not sentences or not question.strip():
            return []
        vectors = self.embedder.embed([question] + [p.text[s.start : s.end] for p, s in sentences])
        similarities = vectors[1:] @ vectors[0]
        spans = [
            ReaderSpan(
                document_id=p.document_id,
                passage_id=p.id,
                start=p.start + s.start,
                end=p.start + s.end,
                text=p.text[s.start : s.end],
                score=float(similarity),
            )
            for (p, s), similarity in zip(sentences, similarities, strict=True)
        ]
        return merge_spans(spans)[:top_n]
