"""eval.table_rows: each question's table is cut whole from its document, read as rows, and holds the gold answer."""

from __future__ import annotations

import pytest

from eval.table_rows import HERE, QUESTIONS, raw, table_of
from qa.documents.tables import table_rows, text_table_rows


@pytest.mark.parametrize(("path", "question", "golds"), QUESTIONS)
def test_each_question_reads_a_table_that_holds_its_answer(path, question, golds):
    text = table_of((HERE / path).read_text(encoding="utf-8"))
    rows = [*table_rows(text), *text_table_rows(text)]
    assert rows, f"{question}: no table read as rows"
    assert any(gold in text for gold in golds)
    assert not table_rows(raw(text)) and not text_table_rows(raw(text))  # raw: no rule, no columns


def test_a_plain_text_table_is_cut_from_its_header_to_the_blank_line_after_it():
    text = "Intro.\n\nLOG\nDate   Miles   Cost\n----   -----   ----\n1 May   9,880   £1\n\nAfter."
    assert table_of(text) == "LOG\nDate   Miles   Cost\n----   -----   ----\n1 May   9,880   £1"
