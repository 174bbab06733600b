"""One validation path: what good values become (the hostile ones, refused, are in tests/test_hostile.py)."""

from __future__ import annotations

from pathlib import Path

from qa.config import Settings
from qa.models import Turn
from qa.validation import (
    ask_options,
    check_history,
    check_question,
    settings_with,
    text_problem,
)


def test_good_values_pass_and_defaults_fill_in():
    settings = Settings()
    options = ask_options(settings, top_k="7", threshold="1.5")
    assert (options.top_k, options.mode, options.reader, options.threshold) == (7, "hybrid", "trained", 1.5)
    assert ask_options(settings).threshold is None
    assert check_question("  Who heads\tRoscosmos?\r\n ", 1000) == "Who heads\tRoscosmos?"
    assert check_question("Qui dirige Roscosmos ? 🚀", 1000) == "Qui dirige Roscosmos ? 🚀"  # (not surrogates)
    turns = check_history([Turn(question="a", answer=None), {"question": "b", "answer": "c"}, ("d", None)], 100)
    assert [(t.question, t.answer) for t in turns] == [("a", None), ("b", "c"), ("d", None)]
    assert check_history([("Who?", "page\x0cbreak")], 100)[0].answer == "page break"  # a document's span: cleaned
    assert [t.question for t in check_history([(str(i), None) for i in range(30)], 100)] == [
        str(i) for i in range(10, 30)
    ]  # the last 20 turns
    assert settings_with(settings, {"top_k": 9, "documents_dir": "x"}).top_k == 9


def test_text_that_is_not_plain_text_is_named_with_where():
    assert text_problem("Who heads\tRoscosmos?\r\n") is None
    assert text_problem("Who\ud800?") == "a lone surrogate (U+D800) at character 4"
    assert text_problem("\udcff") == "a lone surrogate (U+DCFF) at character 1"  # an undecodable byte of argv
    assert text_problem("a\x00b") == "a control character (U+0000) at character 2"
    assert text_problem("a\x85b") == "a control character (U+0085) at character 2"
    assert text_problem("page\x0cbreak", controls=False) is None
    assert text_problem("page\x0cbreak\udfff", controls=False) == "a lone surrogate (U+DFFF) at character 11"


def test_folders_given_with_a_tilde_are_the_users(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert settings_with(Settings(), {"documents_dir": "~/papers"}).documents_dir == tmp_path / "papers"
    monkeypatch.setenv("QA_INDEX_DIR", "~/papers-index")  # quoted in a shell, so not expanded there
    assert Settings().index_dir == tmp_path / "papers-index"
    assert Settings().documents_dir == Path("documents")  # a relative folder stays relative
