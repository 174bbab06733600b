"""One validation path: what good values become (the hostile ones, refused, are in tests/test_hostile.py)."""

from __future__ import annotations

from qa.config import Settings
from qa.models import Turn
from qa.validation import (
    ask_options,
    check_history,
    check_question,
    settings_with,
)


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
