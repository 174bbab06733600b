"""Extractive readers: a span model read with start/end logits, and a sentence-similarity baseline."""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from qa.batching import SharedBatches
from qa.caching import locked_cached_property
from qa.config import TRAINED_READER_DIR, Precision, Runtime
from qa.documents.chunking import sentence_spans
from qa.embedding import Embedder
from qa.errors import MissingError
from qa.models import Passage
from qa.questions.conversation import HISTORY_SEPARATOR
from qa.reading.calibration import Calibration, confidence_features
from qa.reading.kinds import (
    can_answer,
    date_of_another_year,
    measure_for_money,
    not_the_contact_asked,
    of_a_date,
    other_measure,
    other_rate,
    value_asked,
    when_sent,
    worth_reading,
)
from qa.reading.spans import (
    across_cells,
    across_heading,
    across_lines,
    across_rows,
    only_a_mark,
    trim_span,
    whole_number,
    whole_run,
    whole_words,
)
from qa.reading.stopping import StopModel
from qa.reading.views import keyword_stems, of_another_row, reading_view
from qa.runtime import (
    INPUTS,
    Session,
    TorchSession,
    choose_runtime,
    cpu_flags,
    exported,
    on_torch_lane,
    onnx_available,
    onnx_session,
    padded_length,
    reader_exportable,
)
from qa.validation import OptionError, loading_model, local_model

if TYPE_CHECKING:
    from qa.reading.answerability import AnswerabilityModel

LENGTH_STEP = 32  # a PyTorch batch of windows is padded to a multiple of it: windows of 256 tokens in 8 lengths


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
    windows_read: int  # windows of question and passage read since it was made (what reading cost, for evaluations)

    def warm_up(self) -> None: ...

    def close(self) -> None:
        """End the threads it runs (they start again if it reads again)."""
        ...

    def read(self, question: str, passages: list[Passage], top_n: int = 5) -> list[ReaderSpan]: ...

    def confidence(self, candidates: Sequence[tuple[str, float]]) -> float | None:
        """P(the first of ``candidates`` ((text, score), best first) is right); None for a reader not calibrated."""
        ...

    @property
    def stop_model(self) -> StopModel | None:
        """When reading may stop at the first passage (see ``qa.reading.stopping``); None: by confidence alone."""
        ...

    @property
    def answerability(self) -> AnswerabilityModel | None:
        """Whether to answer in open mode, from the reader and retrieval (see ``qa.reading.answerability``); None: by the
        reader's confidence alone."""
        ...

    @property
    def history_turns(self) -> int:
        """The earlier turns it was trained to read a follow-up with (``qa.questions.conversation.with_history``); 0: none."""
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
    """Top (start token, end token, score) spans inside the context, end >= start, at most ``max_answer_tokens`` long,
    best first; of spans scoring the same, the one that starts first, then the shorter.

    The score is start + end logit minus the window's no-answer score (the logits at position 0), so it is
    comparable across windows and passages: above 0 the model prefers the span to "no answer". Only the band of
    pairs that may form a span is scored (a window's tokens by the answer's longest), not every pair.
    """
    positions = np.flatnonzero(context_mask)
    if not len(positions) or top_n < 1 or max_answer_tokens < 1:
        return []
    null_score = float(start_logits[0] + end_logits[0])
    band = span_band(start_logits[positions], end_logits[positions], positions, max_answer_tokens)
    flat = band.ravel()
    chosen = np.flatnonzero(np.isfinite(flat))
    if len(chosen) > top_n:
        cut = np.partition(flat[chosen], len(chosen) - top_n)[len(chosen) - top_n]
        chosen = chosen[flat[chosen] >= cut]  # ties at the cut kept, to be ordered below
    chosen = chosen[np.lexsort((chosen, -flat[chosen]))][:top_n]  # best first; ties by start, then length
    width = band.shape[1]
    return [
        (int(positions[i // width]), int(positions[i // width + i % width]), float(flat[i]) - null_score)
        for i in chosen
    ]


def span_band(starts: np.ndarray, ends: np.ndarray, positions: np.ndarray, max_answer_tokens: int) -> np.ndarray:
    """Scores (start + end logit) of the spans from each context token ``i`` to the ``k``-th token after it, at row
    ``i`` and column ``k`` (``positions``: the tokens' places in the window, increasing); -inf where the span would
    run past the context or be ``max_answer_tokens`` long or more."""
    width = min(max_answer_tokens, len(positions))
    tail = np.full(width - 1, -np.inf, dtype=ends.dtype)
    band = starts[:, None] + np.lib.stride_tricks.sliding_window_view(np.concatenate([ends, tail]), width)
    last = np.concatenate([positions, np.full(width - 1, np.iinfo(positions.dtype).max)])
    lengths = np.lib.stride_tricks.sliding_window_view(last, width) - positions[:, None]
    return np.where(lengths < max_answer_tokens, band, -np.inf)


def candidates_by_text(spans: list[ReaderSpan]) -> list[tuple[str, float]]:
    """(text, best score) of each distinct answer text among ``spans`` (best first), best first: the candidates a
    confidence is judged on, as ``QA.ask`` groups them."""
    best: dict[str, float] = {}
    for span in spans:
        best.setdefault(span.text, span.score)
    return list(best.items())


def merge_spans(spans: list[ReaderSpan]) -> list[ReaderSpan]:
    """One span per document position (overlapping passages and windows read the same text), best score kept, best first."""
    best: dict[tuple[str, int, int], ReaderSpan] = {}
    for span in spans:
        key = (span.document_id, span.start, span.end)
        if key not in best or span.score > best[key].score:
            best[key] = span
    return sorted(best.values(), key=lambda s: -s.score)


Rows = dict[str, list[list[int]]]  # token ids, token types and attention masks, one list per window
Window = dict[str, list[int]]  # the token ids, token types and attention mask of one window
WindowLogits = tuple[np.ndarray, np.ndarray]  # its start and end logits


class SpanReader:
    """Any AutoModelForQuestionAnswering read over strided windows of question + passage, in the runtime and
    precision chosen for this CPU (``runtime``: the (runtime, precision) pair, see ``qa.runtime.choose_runtime``)."""

    def __init__(
        self,
        model: str = "",
        max_length: int = 256,
        stride: int = 128,
        max_question_tokens: int = 64,
        max_answer_tokens: int = 30,
        threshold: float = 0.0,
        batch_size: int = 16,
        runtime: Runtime = "torch",
        precision: Precision = "fp32",
        workers: int = 0,
    ):
        self.model_name = model
        self.workers = workers  # threads running forward passes (see ``SharedBatches``); 0: two for ONNX, one for torch
        self.runtime = choose_runtime(cpu_flags(), runtime, precision, onnx_available=onnx_available(), int8=False)
        self.max_length = max_length
        self.stride = stride
        self.max_question_tokens = max_question_tokens
        self.max_answer_tokens = max_answer_tokens
        self.threshold = threshold
        self.batch_size = batch_size
        self.windows_read = 0
        self._lock = threading.Lock()

    @locked_cached_property
    def path(self) -> str:
        if self.model_name:
            return self.model_name
        if not (TRAINED_READER_DIR / "config.json").exists():
            raise MissingError(
                f"the trained reader is missing from {TRAINED_READER_DIR}; "
                "train one with 'qa train-reader' or pick the sentence reader"
            )
        return str(TRAINED_READER_DIR)

    @locked_cached_property
    def tokenizer(self):
        from transformers import AutoTokenizer

        with loading_model("reader_model", self.model_name):
            return AutoTokenizer.from_pretrained(local_model(self.path), local_files_only=True)

    @locked_cached_property
    def model(self):
        """The PyTorch model, in bf16 when the reader runs so, else fp32 (the ONNX export starts from it)."""
        import torch
        from transformers import AutoModelForQuestionAnswering

        dtype = torch.bfloat16 if self.runtime == ("torch", "bf16") else torch.float32
        with loading_model("reader_model", self.model_name):
            model = AutoModelForQuestionAnswering.from_pretrained(
                local_model(self.path), dtype=dtype, local_files_only=True
            )
        return model.eval()

    @locked_cached_property
    def torch_passes(self) -> TorchSession:
        """The PyTorch reader's session (its windows' passes; traced once ``trace_passes`` is called)."""
        return TorchSession(reader_exportable(self.model).module)

    @locked_cached_property
    def run_batch(self) -> Session:
        """One forward pass over a padded batch of windows, in the chosen runtime and precision: (start logits, end
        logits)."""
        runtime, precision = self.runtime
        if runtime == "torch":
            session = self.torch_passes
            return lambda batch: on_torch_lane(session, batch)
        folder = Path(self.path)
        if not folder.is_dir():
            raise OptionError(f"The onnx runtime needs the reader as a local folder, not {self.model_name!r}.")
        run = onnx_session(exported("reader", lambda: reader_exportable(self.model), folder, precision), per_token=True)
        self.__dict__.pop("model", None)  # the session holds its own copy of the weights
        return run

    def warm_up(self) -> None:
        with self._lock:
            self.tokenizer  # noqa: B018 - loads once
            self.run_batch  # noqa: B018
            self.calibration  # noqa: B018
            self.stop_model  # noqa: B018
            self.answerability  # noqa: B018
            self.batcher  # noqa: B018

    def trace_passes(self) -> None:
        """Trace the PyTorch reader now, on a short window (``qa.runtime.TorchSession.trace``): at the warm-up of an
        engine that answers many questions. An ONNX reader has nothing to trace."""
        if self.runtime[0] != "torch":
            return
        with self._lock:
            encoded = self.tokenizer("warm up", "warm up")
        on_torch_lane(self.torch_passes.trace, {name: np.array([encoded[name]]) for name in INPUTS if name in encoded})

    @locked_cached_property
    def calibration(self) -> Calibration | None:
        """The confidence model kept beside the weights (``calibration.json``); None when there is none."""
        folder = Path(self.path)
        return Calibration.load(folder) if folder.is_dir() else None

    @locked_cached_property
    def stop_model(self) -> StopModel | None:
        """The stop model kept beside the weights (``stop.json``); None when there is none."""
        folder = Path(self.path)
        return StopModel.load(folder) if folder.is_dir() else None

    @locked_cached_property
    def answerability(self) -> AnswerabilityModel | None:
        """The answerability model kept beside the weights (``answerability.json``); None when there is none."""
        from qa.reading.answerability import AnswerabilityModel

        folder = Path(self.path)
        return AnswerabilityModel.load(folder) if folder.is_dir() else None

    @locked_cached_property
    def history_turns(self) -> int:
        """What its ``training.json`` says (``qa.training.fine_tune.history_turns``); 0 without one."""
        path = Path(self.path) / "training.json"
        if not path.is_file():
            return 0
        try:
            return int(json.loads(path.read_text(encoding="utf-8")).get("history_turns", 0))
        except (ValueError, OSError, AttributeError):
            return 0

    def confidence(self, candidates: Sequence[tuple[str, float]]) -> float | None:
        if self.calibration is None or not candidates:
            return None
        return self.calibration.probability(confidence_features(candidates))

    @locked_cached_property
    def batcher(self) -> SharedBatches[Window, WindowLogits]:
        """Reads the windows of questions asked at the same time in shared passes (see ``SharedBatches``)."""
        workers = self.workers or (2 if self.runtime[0] == "onnx" else 1)
        return SharedBatches(self.forward_windows, workers=workers, name="qa-reader-batches")

    def close(self) -> None:
        """End the threads of its shared passes (they start again if it reads again)."""
        batcher = self.__dict__.pop("batcher", None)
        if batcher is not None:
            batcher.close()

    def logits(self, encoded) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Start and end logits of every window, in input order, read together with the windows of any question
        asked at the same time."""
        names = [n for n in ("input_ids", "token_type_ids", "attention_mask") if n in encoded]
        windows = [{name: list(encoded[name][w]) for name in names} for w in range(len(encoded["input_ids"]))]
        read = self.batcher.run(windows)
        with self._lock:  # a count for evaluations: none lost when two questions are read at once
            self.windows_read += len(windows)
        return [start for start, _ in read], [end for _, end in read]

    def forward_windows(self, windows: list[Window]) -> list[WindowLogits]:
        """``forward`` over windows given one by one: their (start, end) logits."""
        starts, ends = self.forward({name: [w[name] for w in windows] for name in windows[0]})
        return list(zip(starts, ends, strict=True))

    def forward(self, rows: Rows) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Start and end logits of every window (``rows``: token ids, types and masks per window), in input order,
        each as long as its window.
        Windows are batched by length: each batch is padded to its longest window, so one long window does not
        make short ones pay for its padding; in PyTorch, to a multiple of ``LENGTH_STEP`` tokens past it (see
        ``qa.runtime.TorchSession``)."""
        count = len(rows["input_ids"])
        order = sorted(range(count), key=lambda i: len(rows["input_ids"][i]))
        starts: list[np.ndarray] = [np.empty(0)] * count
        ends: list[np.ndarray] = [np.empty(0)] * count
        for begin in range(0, count, self.batch_size):
            chosen = order[begin : begin + self.batch_size]
            width = max(len(rows["input_ids"][i]) for i in chosen)
            if self.runtime[0] == "torch":
                width = padded_length(width, LENGTH_STEP, self.max_length)
            batch = {}
            for name, values in rows.items():
                pad = self.tokenizer.pad_token_id if name == "input_ids" else 0
                batch[name] = np.array([values[i] + [pad] * (width - len(values[i])) for i in chosen], dtype=np.int64)
            start_logits, end_logits = self.run_batch(batch)
            for row, window in enumerate(chosen):
                length = len(rows["input_ids"][window])
                starts[window], ends[window] = start_logits[row][:length], end_logits[row][:length]
        return starts, ends

    def read(self, question: str, passages: list[Passage], top_n: int = 5) -> list[ReaderSpan]:
        """Candidate spans from the passages worth reading (``worth_reading``), merged and best first (scores: see
        ``best_spans``)."""
        own_question = question.split(HISTORY_SEPARATOR)[0]  # of a question read with its history, the question
        readable = worth_reading(own_question, passages)
        if not readable or not question.strip():
            return []
        self.warm_up()
        words = keyword_stems([question.split(HISTORY_SEPARATOR)[0]])[0]  # (a follow-up's own words)
        views = [reading_view(p.text, p.headings, p.table_head, words, p.about) for p in readable]
        with self._lock:  # a fast tokenizer must not be called from two threads at once
            asked = truncate_question(self.tokenizer, question, self.max_question_tokens)
            encoded = self.tokenizer(
                [asked] * len(readable),
                [view.text for view in views],
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
                found = views[passage_number].original(offsets[first][0], offsets[last][1])
                begin, end = whole_run(passage.text, *trim_span(passage.text, *found)) if found else (0, 0)
                begin, end = value_asked(own_question, passage.text, *whole_number(passage.text, begin, end))
                if not may_answer(own_question, passage, begin, end):
                    continue
                spans.append(
                    ReaderSpan(
                        document_id=passage.document_id,
                        passage_id=passage.id,
                        start=passage.start + begin,
                        end=passage.start + end,
                        text=passage.text[begin:end],
                        score=score,
                    )
                )
        return merge_spans(spans)[:top_n]


def may_answer(question: str, passage: Passage, begin: int, end: int) -> bool:
    """Whether ``passage.text[begin:end]``, a span the reader found, may answer ``question``: a phrase that can
    answer it (``can_answer``), not only a list item's mark, and none of the spans below."""
    text = passage.text[begin:end]
    if not can_answer(text, question) or only_a_mark(passage.text, begin, end):
        return False
    if across_heading(passage.text, passage.headings, begin, end):
        return False  # a heading's line and the text beside it
    if of_a_date(question, passage.text, begin, end) or measure_for_money(question, passage.text, begin, end):
        return False  # "14" of "14 January 2024" for "how much", "3" of "3 months" for what it costs
    if date_of_another_year(question, passage.text, begin, end) or when_sent(question, passage.text, begin, end):
        return False  # "17 October" of "17 October 2024" for "when is the AGM in 2025?", an e-mail's "Date:"
    if other_measure(question, passage.text, begin) or other_rate(question, passage.text, begin, end):
        return False  # a row of another size, length or amount than the question's, a price per another time
    if of_another_row(passage.text, passage.table_head, keyword_stems([question])[0], begin):
        return False  # a row of another thing than the rows the question names
    if not_the_contact_asked(question, text, f"{passage.table_head}\n{passage.text}"):
        return False  # a reference for a phone number, a phone number for a fax number
    if not whole_words(passage.text, begin, end) or across_rows(passage.text, begin, end):
        return False  # a piece of a word, or of two lines laid out in columns
    if across_lines(passage.text, begin, end):
        return False  # from a line that ends short into the next
    return not across_cells(passage.text, begin, end)  # two cells of a line laid out in columns


class SentenceReader:
    """Baseline: the sentences of the passages most similar to the question (cosine of sentence embeddings)."""

    def __init__(self, embedder: Embedder, threshold: float = 0.35):
        self.embedder = embedder
        self.threshold = threshold

    def warm_up(self) -> None:
        self.embedder.warm_up()

    def close(self) -> None:
        """Nothing to end: it runs no thread (its embedder is the engine's)."""

    def confidence(self, candidates: Sequence[tuple[str, float]]) -> float | None:
        return None  # similarities are not probabilities, and no calibration was fitted for them

    windows_read = 0  # it reads sentences, embedded, not windows
    stop_model = None  # it never stops early: it has no confidence
    answerability = None  # nor a model of when to answer
    history_turns = 0  # it reads a question alone

    def read(self, question: str, passages: list[Passage], top_n: int = 5) -> list[ReaderSpan]:
        sentences = [(p, span) for p in passages for span in sentence_spans(p.text)]
        if not sentences or not question.strip():
            return []
        vectors = self.embedder.embed_together([question] + [p.text[s.start : s.end] for p, s in sentences])
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
