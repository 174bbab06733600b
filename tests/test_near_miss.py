"""Near-miss no-answer questions: each rule on hand-written examples, the guard rails, and determinism."""

from __future__ import annotations

import random

from qa.evaluation.squad import SquadArticle, SquadParagraph, SquadQuestion
from qa.training.near_miss import (
    Pools,
    article_pools,
    candidates,
    common_words,
    mentions,
    near_miss,
    negate,
    occurs,
    question_heads,
    swap_antonym,
    swap_head,
    swap_mention,
    touches_answer,
)

PARAGRAPH = (
    "Beyoncé released Dangerously in Love in 2003 with Columbia Records. The album sold 11 million copies and "
    'its single "Crazy in Love" was the largest hit of the year.'
)
OTHER = (
    'In 2008 Rihanna toured Europe with Def Jam Recordings. Her single "Umbrella" sold 14 million copies; '
    "at the time the city and the country praised it, and she released another album in 2011."
)
COMMON = common_words([PARAGRAPH, OTHER, "the records and the copies of the album were in love with the country"])


def pools(heads: dict[str, str] | None = None) -> Pools:
    article = article_pools([PARAGRAPH, OTHER], COMMON)
    heads = heads or {}
    by_type: dict[str, list[str]] = {}
    for head, kind in sorted(heads.items()):
        by_type.setdefault(kind, []).append(head)
    return Pools(article, article, by_type, heads, COMMON)


def text_of(text: str, kind: str) -> list[str]:
    return [text[start:end] for found, start, end in mentions(text) if found == kind]


def test_mentions_find_titles_dates_years_numbers_and_names_not_at_sentence_start():
    text = 'On 4 July 1976 the "Tall Ships" came. Boats sailed past New York Harbor, 212 of them, in 1976\'s heat.'
    assert text_of(text, "title") == ["Tall Ships"]
    assert text_of('He said "go" (meaning: "leave").', "title") == ["go", "leave"]
    assert text_of(text, "date") == ["4 July 1976"]
    assert text_of(text, "year") == ["1976"]
    assert text_of(text, "number") == ["212"]
    assert text_of(text, "name") == ["New York Harbor"]  # "On" and "Boats" start sentences


def test_occurs_matches_words_anywhere_and_numbers_whole():
    lowered = "rivers met in 1750 near 3.5 km"
    assert occurs("River", lowered) and not occurs("7", lowered) and occurs("1750", lowered)
    assert touches_answer("Beyoncé", "Beyoncé Knowles") and not touches_answer("Rihanna", "2003")


def test_a_name_is_swapped_for_one_of_the_article_the_paragraph_lacks():
    made = swap_mention(
        "When did Beyoncé release Dangerously in Love?", PARAGRAPH.lower(), "2003", pools(), random.Random(0)
    )
    assert made and made.kind == "name"
    assert made.question in (
        "When did Rihanna release Dangerously in Love?",
        "When did Beyoncé release Dangerously in Europe?",
    )
    assert not occurs(made.inserted, PARAGRAPH.lower())


def test_years_numbers_and_titles_are_swapped_within_their_kind():
    lowered = PARAGRAPH.lower()
    year = swap_mention("What did Beyoncé release in 2003?", lowered, "Dangerously in Love", pools(), random.Random(1))
    number = swap_mention(
        "Which album sold 11 million copies?", lowered, "Dangerously in Love", pools(), random.Random(0)
    )
    title = swap_mention('Who sang "Crazy in Love"?', lowered, "Beyoncé", pools(), random.Random(0))
    assert year and year.kind == "year" and year.inserted in ("2008", "2011")
    assert number and number.question == "Which album sold 14 million copies?"
    assert title and title.question == 'Who sang "Umbrella"?'


def test_no_swap_inside_the_answer_or_for_text_the_paragraph_holds():
    lowered = PARAGRAPH.lower()
    # "Columbia Records" is the answer: swapping it would leave the old answer fitting.
    assert (
        swap_mention("Did Columbia Records release it?", lowered, "Columbia Records", pools(), random.Random(0)) is None
    )
    # Nothing of the article is absent from a paragraph holding every mention.
    full = Pools(article_pools([PARAGRAPH], COMMON), article_pools([PARAGRAPH], COMMON), {}, {}, COMMON)
    assert swap_mention("When did Beyoncé release it?", lowered, "2003", full, random.Random(0)) is None


def test_antonym_only_where_the_paragraph_uses_the_word_and_not_its_opposite():
    made = swap_antonym("What was the largest hit of the year?", PARAGRAPH.lower(), "Crazy in Love", random.Random(0))
    assert made and made.question == "What was the smallest hit of the year?" and made.kind == "antonym"
    assert swap_antonym("What was the largest hit?", "the largest and the smallest", "x", random.Random(0)) is None
    assert swap_antonym("What was the first hit?", PARAGRAPH.lower(), "x", random.Random(0)) is None
    assert swap_antonym("What is a largest-hit album?", PARAGRAPH.lower(), "x", random.Random(0)) is None


def test_negation_only_in_a_paragraph_without_negation():
    made = negate("Who was signed by Columbia Records?", PARAGRAPH.lower())
    assert made and made.question == "Who was not signed by Columbia Records?" and made.kind == "negation"
    never = negate("Who first recorded Crazy in Love?", PARAGRAPH.lower())
    assert never and never.question == "Who never recorded Crazy in Love?"
    assert negate("Who was signed by Columbia Records?", "she was not signed") is None
    assert negate("What were samurai affiliated with?", PARAGRAPH.lower()) is None  # "not" would break the sentence


def test_attribute_head_swapped_for_one_of_the_same_answer_type_the_paragraph_lacks():
    heads = question_heads([("What city was it in?", "Paris")] * 5 + [("What country did he visit?", "France")] * 5)
    assert heads == {"city": "name", "country": "name"}
    made = swap_head(
        "What label did Beyoncé sign with?",
        PARAGRAPH.lower(),
        "Columbia",
        pools({"label": "name", "city": "name", "country": "name"}),
        random.Random(0),
    )
    assert made and made.kind == "attribute" and made.inserted in ("city", "country")
    assert made.question == f"What {made.inserted} did Beyoncé sign with?"


def test_near_miss_is_deterministic_and_always_differs_from_the_question():
    question = "Who released Dangerously in Love in 2003?"
    first = [near_miss(question, PARAGRAPH, "Beyoncé", pools(), random.Random(seed)) for seed in range(20)]
    again = [near_miss(question, PARAGRAPH, "Beyoncé", pools(), random.Random(seed)) for seed in range(20)]
    assert first == again
    assert all(m and m.question != question for m in first)
    assert {m.kind for m in first if m} >= {"year"}
    assert candidates("Why?", PARAGRAPH, "because", pools(), random.Random(0)) == []


def test_file_level_pools_and_questions_of_a_file():
    from qa.training.near_miss import file_near_misses

    article = SquadArticle(
        "Music",
        [
            SquadParagraph(
                PARAGRAPH, [SquadQuestion("1", "When did Beyoncé release Dangerously in Love?", ["2003"], [60])]
            ),
            SquadParagraph(OTHER, [SquadQuestion("2", "Who is it?", [], [], is_impossible=True)]),
        ],
    )
    made = list(file_near_misses([article], random.Random(0)))
    assert len(made) == 1 and made[0][2] is not None and made[0][2].kind == "name"


def test_guards_drop_edits_naming_the_answer_variants_of_the_removed_text_and_years_in_a_range():
    from qa.training.near_miss import NearMiss, still_differs

    assert not still_differs("Latin or Cyrillic?", NearMiss("Latin or Greek?", "name", "Cyrillic", "Greek"), "Latin")
    assert not still_differs("Who was Jesus?", NearMiss("Who was Jesus'?", "name", "Jesus", "Jesus'"), "a man")
    assert still_differs("Who was Jesus?", NearMiss("Who was Moses?", "name", "Jesus", "Moses"), "a man")
    lowered = "Between 1996 and 2003 it borrowed from Asia.".lower()
    assert swap_mention("Who lent between 1996 and 2003?", lowered, "Asia", pools(), random.Random(0)) is None
    lowered = "In 1996–2003 it borrowed from Asia.".lower()
    assert swap_mention("Who lent in 1996–2003?", lowered, "Asia", pools(), random.Random(0)) is None
