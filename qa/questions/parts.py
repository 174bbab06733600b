"""Split a two-part question ("What is the stipend and the meal allowance?") into the questions it asks."""

from __future__ import annotations

import re

DETERMINERS = r"the|a|an|our|your|my|this|that|these|those"  # not his/its/their: "Newcastle and its area" is one
JOINING = re.compile(r"\b(?:between|both|among|combined|together|relation|relationship|difference|ratio)\b", re.I)
WH = r"(?:what|who|whom|whose|which|when|where|why|how)"
# "the second and the third wave": a first phrase that is an ordinal or the like alone shares the second one's noun.
SHARED_NOUN = re.compile(
    rf"^(?:{DETERMINERS})\s+(?:first|second|third|fourth|fifth|\d+(?:st|nd|rd|th)|last|next|former|latter|same|other|"
    r"early|late|upper|lower|northern|southern|eastern|western)$",
    re.IGNORECASE,
)
# "WH … is/are <the X> and <the Y>?": one question about two things, each a phrase of its own opened by a determiner.
TWO_THINGS = re.compile(
    rf"""^(?P<head>\s*(?:what|who|which|when|where|how\s+(?:much|many|long|old|big|far))\b[^?]*?
         \b(?:is|are|was|were|'s)\s+)
        (?P<first>(?:{DETERMINERS})\s[^?]+?),?\s+and\s+
        (?P<second>(?:{DETERMINERS})\s[^?]+?)\s*\??\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
# "When and where was X founded?": two question words sharing the rest.
TWO_WORDS = re.compile(rf"^\s*(?P<first>{WH})\s*,?\s+and\s+(?P<second>{WH})\s+(?P<rest>[^?]+?)\s*\??\s*$", re.I)
# "When was X founded, and by whom?": a second question word (with its preposition) asking of the same clause.
AUXILIARY = r"(?:is|are|was|were|do|does|did|has|have|had|can|could|will|would|should)"
AND_WH = re.compile(
    rf"""^\s*(?P<word>{WH})\s+(?P<rest>{AUXILIARY}\b[^?]*?)\s*,?\s+and\s+
        (?P<second>(?:(?:by|from|for|with|to|in|at|of|on)\s+)?{WH})\s*\??\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
# "Who leads X, and who is the CFO?": two whole questions, each opened by its question word ("what's" too), the
# second perhaps by a preposition ("..., and by when is the next check due?").
CONTRACTED = r"(?:['’](?:s|re)\b|\b)"  # "what's", "who're"
TWO_QUESTIONS = re.compile(
    rf"""^\s*(?P<first>{WH}{CONTRACTED}\s+\w[^?]*?)\s*[,;]?\s+and\s+
        (?P<second>(?:(?:by|from|for|until|till|since|with|to|in|at|on)\s+)?(?P<word>{WH}){CONTRACTED}\s+\w[^?]*?)
        \s*\??\s*$""",
    re.IGNORECASE | re.VERBOSE,
)


def two_part_questions(question: str) -> list[str]:
    """The two questions a question asks at once ("When and where…", "Who leads X and who is the CFO?", "What is the
    X and the Y?"), or [] when it asks one thing ("Moscow and Beijing", "the space, moon, and lunar research" are one
    phrase; "the difference between the X and the Y" joins them)."""
    if match := AND_WH.match(question):
        rest = match["rest"].strip()
        return [f"{capitalised(match['word'])} {rest}?", f"{capitalised(match['second'].strip())} {rest}?"]
    if match := TWO_WORDS.match(question):
        rest = match["rest"].strip()
        return [f"{capitalised(match['first'])} {rest}?", f"{capitalised(match['second'])} {rest}?"]
    match = TWO_QUESTIONS.match(question)
    relative = match and re.search(rf"\s{match['word']}\b", match["first"], re.I)  # "the people who lived and who died"
    if match and not relative:
        return [f"{capitalised(match['first'].strip())}?", f"{capitalised(match['second'].strip())}?"]
    match = TWO_THINGS.match(question)
    if not match or JOINING.search(match["first"]) or SHARED_NOUN.match(match["first"].strip()):
        return []  # "the difference between the X and the Y", "the second and the third wave" ask of one thing
    head = match["head"].strip()
    return [f"{head} {match['first'].strip()}?", f"{head} {match['second'].strip()}?"]


def capitalised(text: str) -> str:
    """``text`` with its first letter upper-case (the rest kept: names and acronyms stay as written)."""
    return text[:1].upper() + text[1:]
