"""Split a two-part question ("What is the stipend and the meal allowance?") into the questions it asks."""

from __future__ import annotations

import re

DETERMINERS = r"the|a|an|our|your|my|this|that|these|those"  # not his/its/their: "Newcastle and its area" is one
JOINING = re.compile(r"\b(?:between|both|among|combined|together|relation|relationship|difference|ratio)\b", re.I)
TWO_PART = re.compile(
    rf"""^(?P<head>\s*(?:what|who|which|when|where|how\s+(?:much|many|long|old|big|far))\b[^?]*?
         \b(?:is|are|was|were|'s)\s+)
        (?P<first>(?:{DETERMINERS})\s[^?]+?),?\s+and\s+
        (?P<second>(?:{DETERMINERS})\s[^?]+?)\s*\??\s*$""",
    re.IGNORECASE | re.VERBOSE,
)


def two_part_questions(question: str) -> list[str]:
    """The two questions of "WH … is/are <the X> and <the Y>?" (each side a phrase of its own, opened by a
    determiner), or [] when the question asks one thing ("Moscow and Beijing", "the space, moon, and lunar
    research" are one phrase; "the difference between the X and the Y" joins them)."""
    match = TWO_PART.match(question)
    if not match or JOINING.search(match["first"]):  # "the difference between the X and the Y" asks one thing
        return []
    head = match["head"].strip()
    return [f"{head} {match['first'].strip()}?", f"{head} {match['second'].strip()}?"]
