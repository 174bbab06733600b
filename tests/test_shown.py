"""What a person is shown of an answer beside it (``qa.app.shown``): alternatives merged, none surer than it."""

from __future__ import annotations

from conftest import alternative, answered, citing

from qa.app.shown import merged_alternatives, same_answer, shown_alternatives


def test_alternatives_that_say_the_same_are_merged():
    assert same_answer("Priya Raman,", "Priya Raman") and same_answer("NAVAN", "Navan, the booking tool")
    assert same_answer("Navan (the booking tool)", "navan.") and same_answer("the CFO", "The CFO - Ola Berg")
    assert not same_answer("Navan", "Workday") and not same_answer("Dmitry Rogozin", "Rogozin")
    assert not same_answer("Raman", "Priya Raman")
    assert (
        same_answer("is 300 pounds", "300 pounds.") and same_answer("in 1984", "1984") and same_answer("The CFO", "CFO")
    )
    assert not same_answer("in", "on") and not same_answer("a 300 pound fine", "300 pounds")
    assert same_answer("300 pounds. Anna Berg approved it.", "300 pounds") and not same_answer("Dr. Smith", "Dr")
    merged = merged_alternatives(
        "Priya Raman,",
        [
            alternative("Priya Raman", 8.9),
            alternative("Ola Berg, the CFO", 5.0),
            alternative("ola berg", 6.0),
            alternative("Workday", 4.0),
            alternative("40 euros", 3.0),
        ],
        parts=["40 euros"],
    )
    assert [(a.text, a.score) for a in merged] == [("ola berg", 6.0), ("Workday", 4.0)]  # the best-scored kept


def test_an_alternative_surer_than_the_answer_or_saying_the_same_is_not_shown():
    result = answered(
        "300 pounds",
        6.0,
        0.9,
        alternative("300 pounds.", 5.8, 0.86),
        alternative("£250", 7.0, 0.95),
        alternative("300", 3.0, 0.5),
    )
    assert [a.text for a in shown_alternatives(result)] == ["300"]
    assert shown_alternatives(result.model_copy(update={"answer": None})) == []


def test_an_alternative_read_where_the_answer_was_is_not_shown():
    from qa.models import Answer

    text = "Everyone may work remotely up to three days a week."

    def read(quote: str, score: float, confidence: float) -> Answer:
        return Answer(text=quote, score=score, confidence=confidence, citations=[citing(quote, text)])

    nearby = [read("three days", 12.6, 0.75), read("up to three", 11.6, 0.67), alternative("two", 3.0, 0.1)]
    result = answered("three", 12.7, 0.82, *nearby, citations=[citing("three", text)])
    assert [a.text for a in shown_alternatives(result)] == ["two"]  # "two" was read elsewhere
    elsewhere = answered("ten", 12.7, 0.82, read("three days", 12.6, 0.75), read("up to three", 11.6, 0.67))
    assert [a.text for a in shown_alternatives(elsewhere)] == ["three days"]  # the best of those read in one place


def test_an_alternative_shown_at_0_percent_is_no_candidate():
    result = answered("Navan", 6.0, 0.6, alternative("Okta", 5.0, 0.004), alternative("Workday", 4.0, 0.01))
    assert [a.text for a in shown_alternatives(result)] == ["Workday"]
    assert [a.text for a in shown_alternatives(answered("Navan", 6.0, None, alternative("Okta", 5.0)))] == ["Okta"]
