"""One validation path: hostile arguments, questions and histories through the API and the CLI, each refused with
its exact one-line message (a qa.QAError) before any model loads."""

from __future__ import annotations

import subprocess
import sys

import pytest

from qa import QAError
from qa.config import Settings
from qa.models import Turn
from qa.pipeline import QA
from qa.validation import (
    HistoryError,
    OptionError,
    QuestionError,
    ask_options,
    check_history,
    check_question,
    settings_with,
)

ASK_CASES = [
    # (keyword arguments of QA.ask, error class, exact message)
    ({"top_k": -1}, OptionError, "top_k must be an integer from 1 to 100, not -1."),
    ({"top_k": 10**9}, OptionError, "top_k must be an integer from 1 to 100, not 1000000000."),
    ({"top_k": 0}, OptionError, "top_k must be an integer from 1 to 100, not 0."),
    ({"top_k": True}, OptionError, "top_k must be an integer from 1 to 100, not True."),
    ({"top_k": 2.5}, OptionError, "top_k must be an integer from 1 to 100, not 2.5."),
    ({"top_k": "many"}, OptionError, "top_k must be an integer from 1 to 100, not 'many'."),
    ({"mode": "fuzzy"}, OptionError, "retrieval_mode must be one of hybrid, dense, bm25, not 'fuzzy'."),
    ({"mode": "HYBRID"}, OptionError, "retrieval_mode must be one of hybrid, dense, bm25, not 'HYBRID'."),
    ({"reader": "gpt-9"}, OptionError, "reader must be one of trained, sentence, not 'gpt-9'."),
    ({"reader": 3}, OptionError, "reader must be one of trained, sentence, not 3."),
    ({"threshold": float("nan")}, OptionError, "answer_threshold must be a finite number, not nan."),
    ({"threshold": float("-inf")}, OptionError, "answer_threshold must be a finite number, not -inf."),
    ({"threshold": float("inf")}, OptionError, "answer_threshold must be a finite number, not inf."),
    ({"threshold": "high"}, OptionError, "answer_threshold must be a finite number, not 'high'."),
    ({"question": 42}, QuestionError, "The question must be text, not int."),
    ({"question": None}, QuestionError, "The question must be text, not NoneType."),
    ({"question": b"bytes?"}, QuestionError, "The question must be text, not bytes."),
    ({"question": ""}, QuestionError, "The question is empty."),
    ({"question": " \x00\x07\x1b "}, QuestionError, "The question is empty."),
    ({"question": "?!"}, QuestionError, "The question has no words in it."),
    ({"question": "x" * 1001}, QuestionError, "The question is too long (1,001 characters; the limit is 1,000)."),
    (
        {"history": {"question": "Who?", "answer": "Nobody"}},
        HistoryError,
        "The history must be a list of earlier turns, not dict.",
    ),
    ({"history": "Who heads Roscosmos?"}, HistoryError, "The history must be a list of earlier turns, not str."),
    (
        {"history": [42]},
        HistoryError,
        'Turn 1 of the history must be a {"question", "answer"} object or a (question, answer) pair, not int.',
    ),
    (
        {"history": [{"q": "Who?"}]},
        HistoryError,
        'Turn 1 of the history must be a {"question", "answer"} object or a (question, answer) pair, not dict.',
    ),
    (
        {"history": [("Who?", "Rogozin"), ("Why?", 7)]},
        HistoryError,
        "Turn 2 of the history: the question must be text and the answer text or null.",
    ),
    (
        {"history": [{"question": "Who?", "answer": "y" * 1001}]},
        HistoryError,
        "Turn 1 of the history is too long (the limit is 1,000 characters each for its question and answer).",
    ),
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory) -> QA:
    """An engine that is never warmed up: every case must be refused before a model or the index loads."""
    return QA(documents_dir=tmp_path_factory.mktemp("documents"), index_dir=tmp_path_factory.mktemp("index"))


@pytest.mark.parametrize(("arguments", "error", "message"), ASK_CASES)
def test_ask_refuses_with_one_line(engine, arguments, error, message):
    arguments = {"question": "Who heads Roscosmos?", **arguments}
    with pytest.raises(error) as raised:
        engine.ask(arguments.pop("question"), **arguments)
    assert str(raised.value) == message and "\n" not in message
    assert isinstance(raised.value, QAError) and isinstance(raised.value, ValueError)
    assert engine._retriever is None and not engine._readers  # refused before anything loaded


SETTINGS_CASES = [
    ({"top_k": 0}, "top_k must be an integer from 1 to 100, not 0."),
    ({"tok_k": 3}, "Unknown setting 'tok_k'; the settings are " + ", ".join(Settings.model_fields) + "."),
    ({"answer_threshold": float("nan")}, "answer_threshold must be a finite number, not nan."),
    ({"store": "mysql"}, "store must be one of local, postgres, not 'mysql'."),
    ({"chunk_tokens": 1000}, "chunk_tokens must be an integer from 32 to 254, not 1000."),
    ({"retrieval_mode": "semantic"}, "retrieval_mode must be one of hybrid, dense, bm25, not 'semantic'."),
]


@pytest.mark.parametrize(("overrides", "message"), SETTINGS_CASES)
def test_settings_overrides_are_checked(tmp_path, overrides, message):
    with pytest.raises(OptionError) as raised:
        QA(documents_dir=tmp_path, **overrides)
    assert str(raised.value) == message


def test_good_values_pass_and_defaults_fill_in():
    settings = Settings()
    options = ask_options(settings, top_k="7", threshold="1.5")
    assert (options.top_k, options.mode, options.reader, options.threshold) == (7, "hybrid", "trained", 1.5)
    assert ask_options(settings).threshold is None
    assert check_question("  Who\x00 heads\tRoscosmos?\x07 ", 1000) == "Who  heads\tRoscosmos?"
    turns = check_history([Turn(question="a", answer=None), {"question": "b", "answer": "c"}, ("d", None)], 100)
    assert [(t.question, t.answer) for t in turns] == [("a", None), ("b", "c"), ("d", None)]
    assert [t.question for t in check_history([(str(i), None) for i in range(30)], 100)] == [
        str(i) for i in range(10, 30)
    ]  # the last 20 turns
    assert settings_with(settings, {"top_k": 9, "documents_dir": "x"}).top_k == 9


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--top-k", "-1"], "error: top_k must be an integer from 1 to 100, not -1."),
        (["--top-k", "0"], "error: top_k must be an integer from 1 to 100, not 0."),
        (["--threshold", "nan"], "error: answer_threshold must be a finite number, not nan."),
        (["--store", "postgres"], "error: the postgres store needs a database URL (QA_STORE_URL or --store-url)"),
    ],
)
def test_the_cli_prints_one_line_and_exits_2_or_3(tmp_path, flags, message):
    (tmp_path / "documents").mkdir()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "qa.cli",
            "ask",
            "Who heads Roscosmos?",
            "--documents",
            str(tmp_path / "documents"),
            "--index",
            str(tmp_path / "index"),
            *flags,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stderr.strip().splitlines()[-1] == message and "Traceback" not in done.stderr
    assert done.returncode == (3 if "store" in flags[0] else 2)
