"""Hostile cases, table by table, through the Python API, the ``qa`` CLI and the web API: each has its exact outcome."""

from __future__ import annotations

import base64
import errno
import io
import json
import os
import random
import re
import shutil
import subprocess
import time
import zipfile
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from conftest import browser_call, run_qa

from qa import QAError
from qa.config import Settings
from qa.documents.chunking import CHARS_PER_TOKEN
from qa.documents.loading import (
    BROKEN_LINK,
    HIDDEN_FILE,
    HIDDEN_FOLDER,
    SCANNED_AGAIN,
    SUPPORTED_SUFFIXES,
    load_document,
)
from qa.pipeline import QA
from qa.validation import HistoryError, OptionError, QuestionError, RemovalError

REPO = Path(__file__).resolve().parents[1]
QUESTION = "What did Lavrov warn about?"
SAMPLE = "russia-space-militarisation.txt"
REMOVED = "removed from the index by you (qa add FILE to index it again)"


def outside(target: Path | str) -> str:
    """Why a link to ``target``, out of the documents folder, is skipped."""
    return f"a link to {target}, outside the documents folder (QA_FOLLOW_LINKS=1 or --follow-links to index it)"


# ------------------------------------------------------------------------ arguments, questions and histories


@dataclass(frozen=True)
class Ask:
    """Keyword arguments of ``QA.ask`` (the question under "question") refused with ``error`` and ``message``;
    ``web``: the web /ask sends them too (JSON can carry them); ``cli``: so does ``qa ask`` (a flag per option)."""

    name: str
    arguments: dict[str, Any]
    error: type[QAError]
    message: str
    web: bool = True
    cli: bool = False


TOP_K = "top_k must be an integer from 1 to 100, not {}."
MODE = "retrieval_mode must be one of hybrid, dense, bm25, not {}."
READER = "reader must be one of trained, sentence, not {}."
THRESHOLD = "answer_threshold must be a finite number, not {}."
TURN_SHAPE = 'Turn {} of the history must be a {{"question", "answer"}} object or a (question, answer) pair, not {}.'
NOT_PLAIN = "The question is not plain text: it holds {} (U+{:04X}) at character {}."
TURN_NOT_PLAIN = "Turn {} of the history is not plain text: its {} holds {} (U+{:04X}) at character {}."

ASK_CASES = [
    Ask("top_k=-1", {"top_k": -1}, OptionError, TOP_K.format(-1), cli=True),
    Ask("top_k=10**9", {"top_k": 10**9}, OptionError, TOP_K.format(10**9), cli=True),
    Ask("top_k=0", {"top_k": 0}, OptionError, TOP_K.format(0), cli=True),
    Ask("top_k=101", {"top_k": 101}, OptionError, TOP_K.format(101)),
    Ask("top_k=True", {"top_k": True}, OptionError, TOP_K.format(True)),
    Ask("top_k=2.5", {"top_k": 2.5}, OptionError, TOP_K.format(2.5)),
    Ask("top_k=many", {"top_k": "many"}, OptionError, TOP_K.format("'many'")),
    Ask("mode=fuzzy", {"mode": "fuzzy"}, OptionError, MODE.format("'fuzzy'"), cli=True),
    Ask("mode=HYBRID", {"mode": "HYBRID"}, OptionError, MODE.format("'HYBRID'")),
    Ask("mode=int", {"mode": 1}, OptionError, MODE.format(1)),
    Ask("mode=lone-surrogate", {"mode": "hy\ud800brid"}, OptionError, MODE.format(repr("hy\ud800brid"))),
    Ask("reader=gpt-9", {"reader": "gpt-9"}, OptionError, READER.format("'gpt-9'"), cli=True),
    Ask("reader=int", {"reader": 3}, OptionError, READER.format(3)),
    # JSON has no NaN nor infinity: the web API sends them as text
    Ask("threshold=nan", {"threshold": float("nan")}, OptionError, THRESHOLD.format("nan"), web=False, cli=True),
    Ask("threshold=-inf", {"threshold": float("-inf")}, OptionError, THRESHOLD.format("-inf"), web=False, cli=True),
    Ask("threshold=inf", {"threshold": float("inf")}, OptionError, THRESHOLD.format("inf"), web=False),
    Ask("threshold='nan'", {"threshold": "nan"}, OptionError, THRESHOLD.format("'nan'")),
    Ask("threshold='-inf'", {"threshold": "-inf"}, OptionError, THRESHOLD.format("'-inf'")),
    Ask("threshold=high", {"threshold": "high"}, OptionError, THRESHOLD.format("'high'")),
    Ask("question=int", {"question": 42}, QuestionError, "The question must be text, not int."),
    Ask("question=None", {"question": None}, QuestionError, "The question must be text, not NoneType.", web=False),
    Ask("question=bytes", {"question": b"bytes?"}, QuestionError, "The question must be text, not bytes.", web=False),
    Ask("question=list", {"question": ["Who?"]}, QuestionError, "The question must be text, not list."),
    Ask("question=empty", {"question": ""}, QuestionError, "The question is empty."),
    Ask(
        "question=controls",
        {"question": " \x00\x07\x1b "},
        QuestionError,
        NOT_PLAIN.format("a control character", 0, 2),
    ),
    Ask(
        "question=NUL",
        {"question": "Who\x00 heads Roscosmos?"},
        QuestionError,
        NOT_PLAIN.format("a control character", 0, 4),
    ),
    Ask(
        "question=escape-sequence",
        {"question": "\x1b[2JWho heads Roscosmos?"},
        QuestionError,
        NOT_PLAIN.format("a control character", 0x1B, 1),
        cli=True,
    ),
    Ask(
        "question=lone-surrogate",
        {"question": "Who\ud800 heads Roscosmos?"},
        QuestionError,
        NOT_PLAIN.format("a lone surrogate", 0xD800, 4),
    ),
    Ask(  # what Python makes of a byte of argv that is not UTF-8
        "question=undecodable-byte",
        {"question": "Who heads Roscosmos\udcff?"},
        QuestionError,
        NOT_PLAIN.format("a lone surrogate", 0xDCFF, 20),
        cli=True,
    ),
    Ask("question=punctuation", {"question": "?!"}, QuestionError, "The question has no words in it.", cli=True),
    Ask(
        "question=1001-chars",
        {"question": "x" * 1001},
        QuestionError,
        "The question is too long (1,001 characters; the limit is 1,000).",
    ),
    Ask(
        "history=dict",
        {"history": {"question": "Who?", "answer": "Nobody"}},
        HistoryError,
        "The history must be a list of earlier turns, not dict.",
    ),
    Ask(
        "history=str",
        {"history": "Who heads Roscosmos?"},
        HistoryError,
        "The history must be a list of earlier turns, not str.",
    ),
    Ask(
        "history=int",
        {"history": 7},
        HistoryError,
        "The history must be a list of earlier turns, not int.",
    ),
    Ask("history=[int]", {"history": [42]}, HistoryError, TURN_SHAPE.format(1, "int")),
    Ask("history=[bad-keys]", {"history": [{"q": "Who?"}]}, HistoryError, TURN_SHAPE.format(1, "dict")),
    Ask("history=[triple]", {"history": [["a", "b", "c"]]}, HistoryError, TURN_SHAPE.format(1, "list")),
    Ask(
        "history=answer-int",
        {"history": [["Who?", "Rogozin"], ["Why?", 7]]},
        HistoryError,
        "Turn 2 of the history: the question must be text and the answer text or null.",
    ),
    Ask(
        "history=lone-surrogate-in-a-question",
        {"history": [{"question": "Who\ud800?", "answer": None}]},
        HistoryError,
        TURN_NOT_PLAIN.format(1, "question", "a lone surrogate", 0xD800, 4),
    ),
    Ask(
        "history=lone-surrogate-in-an-answer",
        {"history": [["Who?", "Rogozin"], ["Why?", "Rogozin\udfff"]]},
        HistoryError,
        TURN_NOT_PLAIN.format(2, "answer", "a lone surrogate", 0xDFFF, 8),
    ),
    Ask(
        "history=NUL-in-a-question",
        {"history": [["Who\x00?", None]]},
        HistoryError,
        TURN_NOT_PLAIN.format(1, "question", "a control character", 0, 4),
    ),
    Ask(
        "history=turn-too-long",
        {"history": [{"question": "Who?", "answer": "y" * 1001}]},
        HistoryError,
        "Turn 1 of the history is too long (the limit is 1,000 characters each for its question and answer).",
    ),
]


@pytest.fixture(scope="module")
def cold_engine(tmp_path_factory) -> QA:
    """An engine that is never warmed up: every case must be refused before a model or the index loads."""
    return QA(documents_dir=tmp_path_factory.mktemp("documents"), index_dir=tmp_path_factory.mktemp("index"))


def ask_arguments(case: Ask) -> tuple[Any, dict[str, Any]]:
    arguments = {"question": QUESTION, **case.arguments}
    return arguments.pop("question"), arguments


@pytest.mark.parametrize("case", ASK_CASES, ids=lambda c: c.name)
def test_api_ask(cold_engine, case):
    question, arguments = ask_arguments(case)
    with pytest.raises(case.error) as raised:
        cold_engine.ask(question, **arguments)
    assert str(raised.value) == case.message
    assert cold_engine._retriever is None and not cold_engine._readers  # refused before anything loaded


SETTINGS_CASES = [
    ({"top_k": 0}, TOP_K.format(0)),
    ({"top_k": -1}, TOP_K.format(-1)),
    ({"tok_k": 3}, "Unknown setting 'tok_k'; the settings are " + ", ".join(Settings.model_fields) + "."),
    ({"answer_threshold": float("nan")}, THRESHOLD.format("nan")),
    ({"store": "mysql"}, "store must be one of local, memory, postgres, not 'mysql'."),
    ({"chunk_tokens": 1000}, "chunk_tokens must be an integer from 32 to 254, not 1000."),
    ({"retrieval_mode": "semantic"}, MODE.format("'semantic'")),
    ({"reader": "gpt-9"}, READER.format("'gpt-9'")),
    ({"follow_links": "maybe"}, "follow_links must be true or false, not 'maybe'."),
    ({"embedding_model": 3}, "embedding_model must be text, not 3."),
]


@pytest.mark.parametrize(
    ("overrides", "message"), SETTINGS_CASES, ids=lambda v: next(iter(v)) if isinstance(v, dict) else ""
)
def test_api_settings_overrides(tmp_path, overrides, message):
    with pytest.raises(OptionError) as raised:
        QA(documents_dir=tmp_path, **overrides)
    assert str(raised.value) == message


@pytest.mark.slow
def test_api_an_unknown_reader_loads_no_other_reader(sample_engine):
    loaded = dict(sample_engine._readers)
    for refused in (lambda: sample_engine.reader("gpt-9"), lambda: sample_engine.ask(QUESTION, reader="gpt-9")):
        with pytest.raises(OptionError) as raised:
            refused()
        assert str(raised.value) == READER.format("'gpt-9'")
    assert sample_engine._readers == loaded


# ------------------------------------------------------------------------------------------- the CLI

CLI_FLAGS = {"top_k": "--top-k", "mode": "--retrieval", "reader": "--reader", "threshold": "--threshold"}


def one_error_line(done: subprocess.CompletedProcess) -> str:
    """stderr, which must be one line (no traceback, no usage dump)."""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


@pytest.fixture
def folders(tmp_path) -> list[str]:
    """``--documents`` and ``--index`` flags for an empty documents folder."""
    (tmp_path / "documents").mkdir()
    return ["--documents", str(tmp_path / "documents"), "--index", str(tmp_path / "index")]


@pytest.mark.parametrize("case", [c for c in ASK_CASES if c.cli], ids=lambda c: c.name)
def test_cli_ask(tmp_path, folders, case):
    question, arguments = ask_arguments(case)
    flags = [f"{CLI_FLAGS[name]}={value}" for name, value in arguments.items()]
    done = run_qa("ask", question, *folders, *flags, cwd=tmp_path)
    assert (done.returncode, one_error_line(done)) == (2, f"error: {case.message}")


CLI_SETTINGS_CASES = [
    ({"QA_TOP_K": "0"}, [], 2, "error: QA_TOP_K must be an integer from 1 to 100, not '0'."),
    ({"QA_ANSWER_THRESHOLD": "nan"}, [], 2, "error: QA_ANSWER_THRESHOLD must be a finite number, not 'nan'."),
    (
        {"QA_TOP_K": "lots", "QA_RETRIEVAL_MODE": "fuzzy"},
        [],
        2,
        "error: QA_RETRIEVAL_MODE must be one of hybrid, dense, bm25, not 'fuzzy'. "
        "QA_TOP_K must be an integer from 1 to 100, not 'lots'.",
    ),
    (
        {},
        ["--store", "postgres"],
        3,
        "error: the postgres store needs a database URL (QA_STORE_URL or --store-url)",
    ),
    (
        {},
        ["--embedding-model", "all-MiniLM-L6-v3"],
        2,
        "error: embedding_model 'all-MiniLM-L6-v3' cannot be loaded: no such folder, nor a model of that name "
        "in the Hugging Face cache.",
    ),
    (
        {"QA_RUNTIME": "onnx"},
        ["--precision", "bf16"],
        2,
        "error: The onnx runtime runs in fp32 or int8, not bf16 (QA_RUNTIME, QA_PRECISION).",
    ),
    ({"QA_PRECISION": "int4"}, [], 2, "error: QA_PRECISION must be one of auto, fp32, bf16, int8, not 'int4'."),
]


@pytest.mark.parametrize(
    ("env", "flags", "status", "message"),
    CLI_SETTINGS_CASES,
    ids=[
        "QA_TOP_K=0",
        "QA_ANSWER_THRESHOLD=nan",
        "two-bad-variables",
        "postgres-without-url",
        "mistyped-embedding-model",
        "onnx-in-bf16",
        "QA_PRECISION=int4",
    ],
)
def test_cli_settings(tmp_path, folders, env, flags, status, message):
    (tmp_path / "documents" / "note.txt").write_text("The Zorblat bridge opened in 1987.", encoding="utf-8")
    done = run_qa("ask", QUESTION, *folders, *flags, cwd=tmp_path, env=env)
    assert (done.returncode, one_error_line(done)) == (status, message)


def test_cli_a_read_only_index_folder_is_one_line(shared_dir, unprivileged):
    documents, index = shared_dir / "documents", shared_dir / "index"
    shutil.copytree(REPO / "documents", documents)
    index.mkdir(mode=0o555)
    index.chmod(0o555)
    done = run_qa("index", documents, "--index", index, cwd=shared_dir, **unprivileged)
    assert (done.returncode, one_error_line(done)) == (
        3,
        f"error: {index} is read-only and holds no collection {str(documents.resolve())!r} yet",
    )


def test_cli_a_writer_lock_that_is_a_folder_is_named_in_one_line(tmp_path, folders):
    """``writer.lock`` replaced by a folder: ``--verify`` names it as damage and indexing says what to do, in one line."""
    from qa.store.local.store import LOCK_FILE, LocalStore

    index = tmp_path / "index"
    LocalStore(index).close()
    (index / LOCK_FILE).unlink(missing_ok=True)
    (index / LOCK_FILE).mkdir()
    problem = f"{index / LOCK_FILE} is not a lock file (a directory); remove it"
    verified = run_qa("index", "--verify", *folders, cwd=tmp_path)
    assert (verified.returncode, verified.stderr.splitlines()[0]) == (1, f"damaged: {problem}"), verified.stderr
    indexed = run_qa("index", *folders, cwd=tmp_path)
    assert (indexed.returncode, one_error_line(indexed)) == (3, f"error: {problem}")


@pytest.mark.slow
def test_cli_logs_say_each_skipped_file_once_and_nothing_else(tmp_path):
    """A first ``qa -v ask`` says each skipped file in one line and nothing of faiss, bm25s or a missing index;
    the next one, with nothing to index, says nothing of them."""
    documents = tmp_path / "documents"
    shutil.copytree(REPO / "documents", documents)
    (documents / ".notes.txt").write_text("Hidden.", encoding="utf-8")
    (documents / "photo.png").write_bytes(b"\x89PNG")
    (documents / "passwd.txt").symlink_to("/etc/passwd")
    flags = ["--documents", documents, "--index", tmp_path / "index"]
    first = run_qa("-v", "ask", QUESTION, *flags, cwd=tmp_path)
    assert first.returncode == 0 and first.stdout.startswith("Answer: "), first.stderr
    log = [line.split(" ", 2)[2] for line in first.stderr.splitlines() if line[:4].isdigit()]  # the logged lines
    assert [line for line in log if "skipped" in line] == [
        f"WARNING qa.pipeline: skipped {documents / '.notes.txt'}: {HIDDEN_FILE}",
        f"WARNING qa.pipeline: skipped {documents / 'passwd.txt'}: {outside('/etc/passwd')}",
        f"WARNING qa.pipeline: skipped {documents / 'photo.png'}: unsupported file type '.png'",
    ]
    for noise in (
        "swigfaiss",
        "faiss",
        "bm25s",
        "DEBUG",
        "building a new index",
        "CURRENT",
        "Traceback",
        "Loading weights",
    ):
        assert noise not in first.stderr
    second = run_qa("-v", "ask", QUESTION, *flags, cwd=tmp_path)
    assert second.returncode == 0 and second.stdout.startswith("Answer: "), second.stderr
    assert "skipped" not in second.stderr and "Traceback" not in second.stderr


# ------------------------------------------------------------------------------------------- documents


def random_text_bytes(size: int, seed: int = 3) -> bytes:
    """Random bytes with no NUL among them: not text, though every byte but NUL may appear in text."""
    rng = random.Random(seed)
    return bytes(rng.randrange(1, 256) for _ in range(size))


def deep_file(folder: Path, depth_chars: int = 4200) -> Path:
    """A file below folders whose path is longer than PATH_MAX (made relative to open folders, as only that can);
    returns its first folder."""
    top = folder / "deep"
    top.mkdir()
    handle = os.open(top, os.O_RDONLY)
    name, length = "d" * 200, len(str(top))
    while length < depth_chars:
        os.mkdir(name, dir_fd=handle)
        inner = os.open(name, os.O_RDONLY, dir_fd=handle)
        os.close(handle)
        handle, length = inner, length + len(name) + 1
    file = os.open("far.txt", os.O_WRONLY | os.O_CREAT, dir_fd=handle)
    os.write(file, b"A far away text.")
    os.close(file)
    os.close(handle)
    return top


def write_docx(path: Path) -> None:
    from docx import Document as WordDocument

    word = WordDocument()
    word.add_paragraph("The Veltrup office opens in March; Zoë leads it.")
    word.save(str(path))


@dataclass(frozen=True)
class Folder:
    """Files made in a documents folder (beside the good ``good.txt``) and what indexing does with them: the files
    indexed and those skipped, with the reason (each a path relative to the folder)."""

    name: str
    make: Any  # (documents folder, a folder beside it) -> None
    indexed: list[str]
    skipped: list[tuple[str, str]] = field(default_factory=list)
    follow_links: bool = False


def link(name: str, target: Any):
    return lambda folder, beside: (folder / name).symlink_to(target(folder, beside) if callable(target) else target)


def write(name: str, data: bytes | str):
    def make(folder: Path, beside: Path) -> None:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))

    return make


def both(*makers):
    return lambda folder, beside: [make(folder, beside) for make in makers]


ELSEWHERE = "elsewhere.txt"  # a file beside the documents folder


FOLDER_CASES = [
    Folder(
        "random-bytes-without-NUL",
        write("noise.txt", random_text_bytes(20_000)),
        ["good.txt"],
        [("noise.txt", "binary file (13% of its characters are not text)")],
    ),
    Folder(
        "a-NUL-byte-in-text",
        write("nul.txt", b"The Plimbo lighthouse stands on the cape. " * 5 + b"\x00It was built in 1871."),
        ["good.txt", "nul.txt"],
    ),
    Folder(
        "NUL-bytes",
        write("nul.txt", b"text" + b"\x00" * 100 + b"more"),
        ["good.txt"],
        [("nul.txt", "binary file (93% of its characters are not text)")],
    ),
    Folder(
        "UTF-16-LE-without-BOM",
        write("wide.txt", ("The Zorblat bridge opened in 1987. " * 4).encode("utf-16-le")),
        ["good.txt", "wide.txt"],
    ),
    Folder(
        "UTF-16-BE-without-BOM",
        write("wide.txt", ("The Zorblat bridge opened in 1987. " * 4).encode("utf-16-be")),
        ["good.txt", "wide.txt"],
    ),
    Folder(
        "UTF-16-cut-mid-character",
        write("wide.txt", ("\ufeff" + "The Zorblat bridge opened in 1987. " * 4).encode("utf-16-le") + b"Z"),
        ["good.txt", "wide.txt"],
    ),
    Folder(
        "link-to-/etc/passwd",
        link("passwd.txt", "/etc/passwd"),
        ["good.txt"],
        [("passwd.txt", outside("/etc/passwd"))],
    ),
    Folder(
        "link-to-/etc/passwd-followed",
        link("passwd.txt", "/etc/passwd"),
        ["good.txt", "passwd.txt"],
        follow_links=True,
    ),
    Folder(
        "link-to-a-folder-outside",
        link("away", lambda folder, beside: beside),
        ["good.txt"],
        [("away", "OUTSIDE")],
    ),
    Folder(
        "link-to-the-folder-itself-followed",
        link("self", "."),
        ["good.txt"],
        [("self", SCANNED_AGAIN.format("the documents folder"))],
        follow_links=True,
    ),
    Folder(
        "links-up-and-across-followed",
        both(
            write("sub/other.txt", "Another text, about the Plimbo lighthouse."),
            link("sub/up", ".."),
            link("sub/up2", ".."),
            link("sub2", "sub"),
        ),
        ["good.txt", "sub/other.txt"],
        [
            ("sub2", SCANNED_AGAIN.format("sub")),
            ("sub/up", SCANNED_AGAIN.format("the documents folder")),
            ("sub/up2", SCANNED_AGAIN.format("the documents folder")),
        ],
        follow_links=True,
    ),
    Folder("broken-link", link("gone.txt", "/nonexistent/gone.txt"), ["good.txt"], [("gone.txt", BROKEN_LINK)]),
    Folder(
        "link-loop",
        both(
            link("a.txt", lambda folder, beside: folder / "b.txt"),
            link("b.txt", lambda folder, beside: folder / "a.txt"),
        ),
        ["good.txt"],
        [("a.txt", BROKEN_LINK), ("b.txt", BROKEN_LINK)],
    ),
    Folder("hidden-file", write(".notes.txt", "Hidden notes."), ["good.txt"], [(".notes.txt", HIDDEN_FILE)]),
    Folder("hidden-folder", write(".git/HEAD.txt", "ref: main"), ["good.txt"], [(".git", HIDDEN_FOLDER)]),
    Folder(
        "unsupported-type",
        write("photo.png", b"\x89PNG"),
        ["good.txt"],
        [("photo.png", "unsupported file type '.png'")],
    ),
    Folder(
        "no-suffix",
        write("Makefile", "all:"),
        ["good.txt"],
        [("Makefile", "unsupported file type 'Makefile'")],
    ),
    Folder("docx", lambda folder, beside: write_docx(folder / "plan.docx"), ["good.txt", "plan.docx"]),
    Folder(
        "empty-file",
        write("empty.md", " \n"),
        ["good.txt"],
        [("empty.md", "no text in it (empty, or a scanned PDF without a text layer)")],
    ),
    Folder("fake-pdf", write("fake.pdf", "hello"), ["good.txt"], [("fake.pdf", "not a PDF file (no %PDF header)")]),
    Folder(
        "same-text-twice",
        write("sub/copy.txt", "A good document about the Zorblat bridge."),
        ["good.txt"],
        [("sub/copy.txt", "same text as good.txt")],
    ),
]


@pytest.fixture(scope="module")
def index_engine(embedder, tmp_path_factory):
    """Makes engines over a folder, sharing the session's embedder."""

    def make(documents: Path, **overrides) -> QA:
        return QA(
            documents_dir=documents,
            index_dir=documents.parent / "index",
            embedder=embedder,
            index_embedder=embedder,
            **overrides,
        )

    return make


def indexed_and_skipped(engine: QA) -> tuple[list[str], list[tuple[str, str]]]:
    report = engine.refresh_index(progress=False)
    folder = engine.documents_dir
    indexed = sorted(os.path.relpath(d.source, folder) for d in engine.documents())
    return indexed, [(os.path.relpath(f.source, folder), f.reason) for f in report.failures]


@pytest.mark.slow
@pytest.mark.parametrize("case", FOLDER_CASES, ids=lambda c: c.name)
def test_api_documents(tmp_path, index_engine, case):
    documents, beside = tmp_path / "documents", tmp_path / "beside"
    documents.mkdir()
    beside.mkdir()
    (documents / "good.txt").write_text("A good document about the Zorblat bridge.", encoding="utf-8")
    case.make(documents, beside)
    expected = [(source, outside(beside) if reason == "OUTSIDE" else reason) for source, reason in case.skipped]
    engine = index_engine(documents, follow_links=case.follow_links)
    assert indexed_and_skipped(engine) == (case.indexed, expected)


@pytest.mark.slow
def test_api_a_path_longer_than_path_max_skips_that_file_only(tmp_path, index_engine):
    documents = tmp_path / "documents"
    documents.mkdir()
    (documents / "good.txt").write_text("A good document about the Zorblat bridge.", encoding="utf-8")
    top = deep_file(documents)
    try:
        indexed, skipped = indexed_and_skipped(index_engine(documents))
        assert indexed == ["good.txt"]
        [(source, reason)] = skipped
        assert reason == f"cannot read it ({os.strerror(errno.ENAMETOOLONG)})"
        assert len(str(documents / source)) >= os.pathconf("/", "PC_PATH_MAX") and source.startswith("deep/ddd")
    finally:
        shutil.rmtree(top)  # by open folders, as the path is too long to name


@pytest.mark.slow
def test_api_a_megabyte_line_without_spaces_makes_passages_no_longer_than_the_cap(tmp_path, index_engine):
    documents = tmp_path / "documents"
    documents.mkdir()
    line = "".join(random.Random(5).choices("abcdefghijklmnopqrstuvwxyz", k=1_000_000))
    (documents / "line.txt").write_text(line, encoding="utf-8")
    engine = index_engine(documents)
    assert indexed_and_skipped(engine) == (["line.txt"], [])
    [document] = engine.documents()
    passages = sorted(
        engine.store.get_passages([f"{document.id}:{i}" for i in range(document.passage_count)]).values(),
        key=lambda p: p.start,
    )
    assert max(len(p.text) for p in passages) == CHARS_PER_TOKEN * engine.settings.chunk_tokens  # the cap
    assert all(p.text == line[p.start : p.end] for p in passages)
    assert passages[0].start == 0 and passages[-1].end == len(line)  # the whole line, without gaps:
    assert all(after.start <= before.end for before, after in pairwise(passages))


@pytest.mark.slow
def test_api_a_page_of_base64_is_skipped_in_seconds_and_the_files_after_it_indexed(tmp_path, index_engine):
    documents = tmp_path / "documents"
    documents.mkdir()
    blob = base64.b64encode(random.Random(8).randbytes(3_000_000)).decode()  # 4 MB, shown on the page
    page = f"<html><head><title>Scan</title></head><body><p>The scan:</p><p>{blob}</p></body></html>"
    (documents / "a-page.html").write_text(page, encoding="utf-8")  # read before good.txt
    (documents / "good.txt").write_text("A good document about the Zorblat bridge.", encoding="utf-8")
    engine = index_engine(documents)
    began = time.perf_counter()
    indexed, skipped = indexed_and_skipped(engine)
    assert time.perf_counter() - began < 30  # not the 10,000 passages it would make
    reason = "encoded data, not text: 100% of it is in 'words' over 500 characters (base64, hex or the like)"
    assert (indexed, skipped) == (["good.txt"], [("a-page.html", reason)])


@pytest.mark.slow
def test_api_a_document_over_the_passage_cap_is_skipped_and_the_files_after_it_indexed(
    tmp_path, index_engine, monkeypatch
):
    documents = tmp_path / "documents"
    documents.mkdir()
    crates = " ".join(f"Crate {i} holds {i * 3} apples." for i in range(400))
    (documents / "a-crates.txt").write_text(crates, encoding="utf-8")
    (documents / "good.txt").write_text("A good document about the Zorblat bridge.", encoding="utf-8")
    monkeypatch.setenv("QA_MAX_DOCUMENT_PASSAGES", "10")
    indexed, [(source, reason)] = indexed_and_skipped(index_engine(documents))
    assert indexed == ["good.txt"] and source == "a-crates.txt"
    assert re.fullmatch(r"too many passages \(\d\d; the limit is 10, QA_MAX_DOCUMENT_PASSAGES\)", reason)


# ------------------------------------------------------------------------------------------- uploads and removals

UPLOAD_CASES = [
    # (file name, contents, the reason add_documents reports; None: indexed)
    (".secret.txt", "A hidden note.", HIDDEN_FILE),
    ("noise.txt", random_text_bytes(5_000), "binary file (13% of its characters are not text)"),
    (
        "photo.png",
        b"\x89PNG",
        "unsupported file type '.png' (supported: .csv, .doc, .docx, .eml, .epub, .htm, .html, .markdown, .mbox, .md, .mht, .mhtml, .msg, .odp, .ods, .odt, .pdf, .ppt, .pptx, .rtf, .srt, .tif, .tiff, .tsv, .txt, .vtt, .xls, .xlsx, .zip)",
    ),
    ("mail.msg", "A note saved with the wrong name.", "not an Outlook message (not an OLE2 compound file)"),
    ("zz-copy.txt", "A good document about the Zorblat bridge.", "same text as good.txt"),
    ("a-copy.txt", "A good document about the Zorblat bridge.", "same text as good.txt"),  # (listed first)
    ("plan.docx", None, None),
]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "contents", "reason"), UPLOAD_CASES, ids=[c[0] for c in UPLOAD_CASES])
def test_api_uploads(tmp_path, index_engine, name, contents, reason):
    documents, uploads = tmp_path / "documents", tmp_path / "uploads"
    documents.mkdir()
    uploads.mkdir()
    (documents / "good.txt").write_text("A good document about the Zorblat bridge.", encoding="utf-8")
    if contents is None:
        write_docx(uploads / name)
    else:
        write(name, contents)(uploads, tmp_path)
    engine = index_engine(documents)
    engine.refresh_index(progress=False)
    _, failures = engine.add_documents([uploads / name])
    assert [(f.source, f.reason) for f in failures] == ([(name, reason)] if reason else [])
    names = sorted(Path(d.source).name for d in engine.documents())
    assert names == (["good.txt"] if reason else ["good.txt", name])
    assert (documents / name).exists() == (reason in (None, "same text as good.txt"))


@pytest.fixture
def two_documents(tmp_path, index_engine) -> QA:
    documents = tmp_path / "documents"
    documents.mkdir()
    (documents / "good.txt").write_text("A good document about the Zorblat bridge.", encoding="utf-8")
    (documents / "other.txt").write_text("Another document, about the Plimbo lighthouse.", encoding="utf-8")
    engine = index_engine(documents)
    engine.refresh_index(progress=False)
    return engine


def document_of(engine: QA, name: str):
    return next(d for d in engine.documents() if Path(d.source).name == name)


@pytest.mark.slow
def test_api_a_removed_document_keeps_its_file_and_stays_out_across_restarts(two_documents, index_engine):
    engine = two_documents
    engine.remove_document(document_of(engine, "good.txt").id)
    assert (engine.documents_dir / "good.txt").exists()
    engine.store.close()
    again = index_engine(engine.documents_dir)  # a restart
    assert indexed_and_skipped(again) == (["other.txt"], [("good.txt", REMOVED)])


@pytest.mark.slow
def test_api_delete_file_deletes_it(two_documents):
    engine = two_documents
    engine.remove_document(document_of(engine, "good.txt").id, delete_file=True)
    assert not (engine.documents_dir / "good.txt").exists()
    assert indexed_and_skipped(engine) == (["other.txt"], [])


@pytest.mark.slow
@pytest.mark.parametrize(
    ("document_id", "message"),
    [
        ("0000000000000000", "No document has the id '0000000000000000'."),
        (42, "No document has the id 42."),
        (None, "No document has the id None."),
        (["0000000000000000"], "No document has the id ['0000000000000000']."),
    ],
    ids=["unknown", "int", "None", "list"],
)
def test_api_removing_what_is_not_there(two_documents, document_id, message):
    with pytest.raises(RemovalError) as raised:
        two_documents.remove_document(document_id)
    assert str(raised.value) == message
    assert indexed_and_skipped(two_documents) == (["good.txt", "other.txt"], [])


# ------------------------------------------------------------------------------------------- the web API


def web_ask(client, case: Ask):
    """The case through /ask: the history as the JSON text the API takes."""
    question, arguments = ask_arguments(case)
    history = arguments.get("history")
    return client.predict(
        question,
        "" if history is None else json.dumps(history),
        arguments.get("top_k"),
        arguments.get("mode"),
        arguments.get("reader"),
        arguments.get("threshold"),
        api_name="/ask",
    )


def utf8_json(value: Any) -> bool:
    """Whether ``value`` can be sent as UTF-8 JSON (as gradio_client sends it): not with a lone surrogate."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@pytest.mark.slow
@pytest.mark.parametrize("case", [c for c in ASK_CASES if c.web], ids=lambda c: c.name)
def test_web_ask(client, server, web_users, case):
    from gradio_client.exceptions import AppError

    if not utf8_json(case.arguments):  # sent as a browser does: the surrogate as a JSON escape
        question, arguments = ask_arguments(case)
        history = "" if arguments.get("history") is None else json.dumps(arguments["history"])
        data = [question, history, None, arguments.get("mode"), None, None, None, None]
        assert browser_call(server, "ask", data, next(iter(web_users.items()))) == ("error", case.message)
        return
    with pytest.raises(AppError) as raised:
        web_ask(client, case)
    assert str(raised.value) == case.message


@pytest.mark.slow
@pytest.mark.parametrize(
    ("history_json", "message"),
    [
        (
            "{not json",
            "history_json is not valid JSON (Expecting property name enclosed in double quotes at character 1).",
        ),
        ('[{"question": "Who?"}', "history_json is not valid JSON (Expecting ',' delimiter at character 21)."),
        ("NaN", "The history must be a list of earlier turns, not float."),
        ('{"question": "Who?"}', "The history must be a list of earlier turns, not dict."),
    ],
    ids=["not-json", "cut-short", "NaN", "an-object"],
)
def test_web_ask_history_json(client, history_json, message):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError) as raised:
        client.predict(QUESTION, history_json, api_name="/ask")
    assert str(raised.value) == message


@pytest.mark.slow
def test_web_ask_sources_are_relative_to_the_documents_folder(client):
    result = web_ask(client, Ask("good", {}, QAError, ""))
    assert result["answer"]
    sources = {c["source"] for c in result["citations"]} | {p["source"] for p in result["passages"]}
    assert sources == {SAMPLE}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "contents", "line"),
    [
        (".secret.txt", "A hidden note.", f"❌ .secret.txt: not indexed: {HIDDEN_FILE}"),
        (
            "noise.txt",
            random_text_bytes(5_000),
            "❌ noise.txt: not indexed: binary file (13% of its characters are not text)",
        ),
        (
            "photo.png",
            b"\x89PNG",
            "❌ photo.png: not indexed: unsupported file type &#39;.png&#39; (supported: .csv, .doc, .docx, .eml, .epub, .htm, "
            ".html, .markdown, .mbox, .md, .mht, .mhtml, .msg, .odp, .ods, .odt, .pdf, .ppt, .pptx, .rtf, .srt, .tif, .tiff, "
            ".tsv, .txt, .vtt, .xls, .xlsx, .zip)",
        ),
    ],
    ids=["hidden", "random-bytes", "unsupported"],
)
def test_web_uploads_refused(client, tmp_path, documents, name, contents, line):
    from gradio_client import handle_file

    write(name, contents)(tmp_path, tmp_path)
    status, table, _ = client.predict([handle_file(str(tmp_path / name))], api_name="/upload")
    assert status.split("<br>")[0] == line
    assert not (documents / name).exists() and name not in [row[1] for row in table["data"]]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("document_id", "status"),
    [("0000000000000000", "❌ No document has the id &#39;0000000000000000&#39;."), ("", "Pick a document to remove.")],
    ids=["unknown", "none"],
)
def test_web_removing_what_is_not_there(client, document_id, status):
    before = client.predict(api_name="/documents")
    shown, _, _ = client.predict(document_id, api_name="/remove_document")
    assert shown.split("<br>")[0] == status
    assert client.predict(api_name="/documents") == before


@pytest.mark.slow
@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/config"), ("POST", "/gradio_api/call/ask"), ("GET", "/gradio_api/info"), ("POST", "/gradio_api/upload")],
)
def test_web_without_sign_in_is_refused(server, method, path):
    import httpx

    response = httpx.request(method, f"{server}{path}", json={"data": [QUESTION]}, timeout=10)
    assert response.status_code == 401


@pytest.mark.slow
def test_web_logs_one_line_per_user_error_and_no_traceback(client, documents):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError):
        web_ask(client, Ask("top_k=4242", {"top_k": 4242}, OptionError, ""))
    log = (documents.parent / "server.log").read_text(encoding="utf-8")
    assert [line.split(" ", 2)[2] for line in log.splitlines() if "4242" in line] == [
        f"INFO qa.app.web: question refused: {TOP_K.format(4242)}"
    ]
    assert "Traceback" not in log


def zipped(parts: dict[str, str]) -> bytes:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as package:
        for name, text in parts.items():
            package.writestr(name, text)
    return data.getvalue()


MANGLED = {  # what a folder may hold under any file name: noise, a zip of noise, a package of broken XML, an RTF cut off
    "random": random.Random(3).randbytes(3000),
    "zip-of-noise": b"PK\x03\x04" + random.Random(4).randbytes(3000),
    "empty-zip": zipped({"mimetype": "application/zip"}),
    "broken-xml": zipped(
        {
            "[Content_Types].xml": "<Types",
            "content.xml": "<office:document-content><b>",
            "META-INF/container.xml": "<container",
            "word/document.xml": "<w:document",
        }
    ),
    "cut-rtf": b"{\\rtf1\\ansi {\\fonttbl{\\f0 Arial;}} Hello {\\b world",
    "huge-counts": zipped(  # counts of billions of digits, where a count of spaces or cells is a few
        {
            "content.xml": '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
            'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"><office:body><office:text>'
            f'<text:h text:outline-level="{"9" * 5000}">Big<text:s text:c="{"9" * 5000}"/>counts</text:h>'
            f'<table:table><table:table-row><table:table-cell table:number-columns-repeated="{"9" * 5000}">'
            "<text:p>x</text:p></table:table-cell></table:table-row></table:table></office:text>"
            "<office:spreadsheet><table:table>"
            f'<table:table-row table:number-rows-repeated="{"9" * 5000}"><table:table-cell><text:p>y</text:p>'
            "</table:table-cell></table:table-row></table:table></office:spreadsheet></office:body>"
            "</office:document-content>"
        }
    ),
    "huge-times": f"WEBVTT\n\n{'9' * 5000}:00:01.000 --> 00:00:02.000\n1\n00:00:01,000 --> 00:00:02,000\nHi\n".encode(),
    "empty": b"",
}


@pytest.mark.parametrize("suffix", sorted(SUPPORTED_SUFFIXES))
def test_a_mangled_file_of_any_format_is_read_or_refused_in_one_line(tmp_path, suffix):
    from qa.errors import DocumentError

    for name, data in MANGLED.items():
        path = tmp_path / f"{name}{suffix}"
        path.write_bytes(data)
        try:
            document = load_document(path)
        except DocumentError as refused:
            assert "\n" not in str(refused) and str(refused), (name, str(refused))
        else:
            assert document.text.strip(), name
