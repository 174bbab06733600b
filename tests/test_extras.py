"""Tests of the optional dependencies' guard: a missing one is one line naming the extra that installs it."""

import pytest

from qa.errors import QAError
from qa.extras import MissingExtra, require


def test_a_missing_module_names_the_extra_to_install():
    with pytest.raises(MissingExtra) as raised:
        require("qa_no_such_module.plotting", "eval", "plotting")
    message = str(raised.value)
    assert message == "plotting needs qa_no_such_module: pip install 'qa[eval]'"
    assert "\n" not in message
    assert isinstance(raised.value, QAError) and isinstance(raised.value, ImportError)


def test_an_installed_module_is_returned():
    assert require("json", "eval").dumps([1]) == "[1]"


def test_a_module_that_fails_on_another_missing_import_is_not_blamed_on_the_extra(tmp_path, monkeypatch):
    (tmp_path / "qa_broken_extra.py").write_text("import qa_no_such_dependency\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ModuleNotFoundError) as raised:
        require("qa_broken_extra", "eval")
    assert not isinstance(raised.value, MissingExtra)
