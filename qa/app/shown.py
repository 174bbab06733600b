"""What a person is shown of an answer beside it: the alternatives that say something else, none surer than it."""

from __future__ import annotations

import re

from qa.models import Answer, AskResult, Citation
from qa.reading.answers import overlapped

# Where an answer's trailing clause begins: "Navan, the booking tool" is "Navan" with a clause, "300 pounds. Anna Berg
# approved it." is "300 pounds" with a sentence (not at "Dr. Smith": a word's end before the full stop).
CLAUSE_BOUNDARY = re.compile(r"\s*[,;:(\[]|\s+[–—-]\s|(?<=[a-z0-9]{2})\.\s")
# Words a span may open with that lead into its answer rather than say it: a verb, an article, a preposition.
LEAD_IN = frozenset("is was are were be the a an of in on at by to for from with".split())
SHOWN_FROM = 0.005  # an alternative less likely than this would show as "confidence 0%": no candidate worth a line


def answer_key(text: str) -> str:
    """An answer's text as compared with another's: case folded, punctuation and spacing ignored, and the words that
    lead into it (LEAD_IN: "is 300 pounds" is "300 pounds", "the CFO" is "CFO")."""
    words = re.sub(r"[\W_]+", " ", text.casefold()).split()
    while len(words) > 1 and words[0] in LEAD_IN:
        words = words[1:]
    return " ".join(words)


def answer_head(text: str) -> str:
    """An answer's text up to its first clause boundary (a comma, semicolon, colon, bracket, dash or full stop)."""
    return CLAUSE_BOUNDARY.split(text, maxsplit=1)[0]


def same_answer(first: str, second: str) -> bool:
    """Whether two answers say the same: equal but for punctuation and case ("Priya Raman," and "Priya Raman"), or
    one is the other with a trailing clause ("Navan" and "Navan, the booking tool")."""
    one, other = answer_key(first), answer_key(second)
    return one == other or answer_key(answer_head(first)) == other or one == answer_key(answer_head(second))


def merged_alternatives(answer: str, alternatives: list[Answer], parts: list[str] | None = None) -> list[Answer]:
    """The alternatives less those that say the same as the answer (or one of its ``parts``) and, of several that
    say the same as each other, all but the best-scored."""
    kept: list[Answer] = []
    for alternative in sorted(alternatives, key=lambda a: -a.score):
        said = [answer, *(parts or []), *(k.text for k in kept)]
        if not any(same_answer(alternative.text, text) for text in said):
            kept.append(alternative)
    return kept


def ranks_below(alternative: Answer, result: AskResult) -> bool:
    """Whether ``alternative`` is no surer than the result's answer: by confidence when both have one, else by score."""
    if alternative.confidence is not None and result.confidence is not None:
        return alternative.confidence <= result.confidence
    return result.score is None or alternative.score <= result.score


def shown_alternatives(result: AskResult) -> list[Answer]:
    """The other candidates the chat shows beside an answer, best first: merged (see ``merged_alternatives``), none
    read where the answer or a better one was (``read_there``), none surer than the answer itself (a two-part
    answer's confidence is its weaker part's), none shown at 0%."""
    if result.answer is None:
        return []
    shown: list[Answer] = []
    for alternative in merged_alternatives(result.answer, result.alternatives, [p.text for p in result.parts]):
        places = [*result.citations, *(a.citations[0] for a in shown)]
        if ranks_below(alternative, result) and worth_showing(alternative) and not read_there(alternative, places):
            shown.append(alternative)
    return shown


def worth_showing(alternative: Answer) -> bool:
    """Whether an alternative is likely enough to be worth a line: its confidence shown as 1% or more (one without
    a confidence, from a reader without calibration, always is)."""
    return alternative.confidence is None or alternative.confidence >= SHOWN_FROM


def read_there(alternative: Answer, cited: list[Citation]) -> bool:
    """Whether ``alternative`` was read where the answer was (its first citation shares characters with one of
    ``cited``): the same answer in more or fewer words ("three days", "up to three" where "three" was read)."""
    return bool(alternative.citations) and any(overlapped(alternative.citations[0], place) for place in cited)
