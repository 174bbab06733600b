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
# A phrase before the question word that the whole question shares ("From September, what time ...", "In 2024, who
# ..."): words without a question mark or a comma, then a comma.
OPENER = re.compile(rf"^\s*(?P<opener>[^?,]{{1,60}}?,)\s*(?={WH}\b)", re.IGNORECASE)
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
    phrase; "the difference between the X and the Y" joins them). A phrase before them that both share ("From
    September, what time will the gates open and what time is registration?") opens each."""
    if parts := questions_asked(question):
        return parts
    opener = OPENER.match(question)
    parts = questions_asked(question[opener.end() :]) if opener else []
    return [f"{opener['opener']} {part[0].lower()}{part[1:]}" for part in parts] if opener else []


def questions_asked(question: str) -> list[str]:
    """The two questions ``question`` asks at once, opening with its first question word (``two_part_questions``)."""
    if match := AND_WH.match(question):
        rest = match["rest"].strip()
        return [f"{capitalised(match['word'])} {rest}?", f"{capitalised(match['second'].strip())} {rest}?"]
    if match := TWO_WORDS.match(question):
        rest = match["rest"].strip()
        return [f"{capitalised(match['first'])} {rest}?", f"{capitalised(match['second'])} {rest}?"]
    if match := two_questions(question):
        return [f"{capitalised(match['first'].strip())}?", f"{capitalised(match['second'].strip())}?"]
    match = TWO_THINGS.match(question)
    if not match or JOINING.search(match["first"]) or SHARED_NOUN.match(match["first"].strip()):
        return []  # "the difference between the X and the Y", "the second and the third wave" ask of one thing
    head = match["head"].strip()
    return [f"{head} {match['first'].strip()}?", f"{head} {match['second'].strip()}?"]


def asks_by_two_words(question: str) -> bool:
    """Whether ``question`` asks its two things by two question words ("When and where ...", "When was X founded, and
    by whom?", "Who leads X and who is the CFO?"): a split that cannot take one thing for two, as "What is the X and
    the Y?" may."""
    opener = OPENER.match(question)
    return by_two_words(question) or (opener is not None and by_two_words(question[opener.end() :]))


def by_two_words(question: str) -> bool:
    """Whether ``question``, opening with its question word, asks by two of them (``asks_by_two_words``)."""
    return any(
        found is not None for found in (two_questions(question), AND_WH.match(question), TWO_WORDS.match(question))
    )


def two_questions(question: str) -> re.Match[str] | None:
    """``question`` matched as two whole questions (``TWO_QUESTIONS``); None when it is not, or when its second
    question word opens a relative clause within the first ("the people who lived and who died")."""
    match = TWO_QUESTIONS.match(question)
    return None if match is None or re.search(rf"\s{match['word']}\b", match["first"], re.I) else match


def capitalised(text: str) -> str:
    """``text`` with its first letter upper-case (the rest kept: names and acronyms stay as written)."""
    return text[:1].upper() + text[1:]


# What ends the noun phrase a question asks about: a preposition but "of", an auxiliary, a question word, a conjunction.
PHRASE_ENDS = frozenset(
    "in on at for from by with to into after before during since under over about as is are was were be been do does "
    "did can could will would should must may might has have had what who which when where why how and or but".split()
)
SUBJECT_PHRASE = re.compile(rf"\b(?:{DETERMINERS})\s+[\w'’-]+", re.IGNORECASE)
# A name's possessive ("Varrowdale's population", "billing-service's SLO"): the name is what the question is about.
POSSESSOR = re.compile(
    rf"\b(?!(?i:{WH}|that|it|there|here|let)['’])([A-Z][\w-]*(?:\s+[A-Z][\w-]*)*|[a-z]+(?:-[a-z]+)+)['’]s\s+\w"
)
COPULA = re.compile(r"\b(?:is|are|was|were)\s+(?:the|a|an|our|your|my|this|that|these|those)\s", re.IGNORECASE)
OBJECT_WORDS = frozenset("us them me him her it out up down off back over away on".split())  # after a verb at the end
PARTICIPLE_END = re.compile(r"(?:ed|en|wn|ght|ilt|ept|eft)$")  # "completed", "written", "shown", "bought", "built"
ASKS_WITH_DO = re.compile(
    r"\b(?:do|does|did|can|will|should)\b", re.IGNORECASE
)  # before a subject, its verb at the end
IT = re.compile(r"\b(it|its)\b", re.IGNORECASE)
OBJECT_OPENERS = frozenset("the a an its his her their our my your this that these those".split())
MAX_SUBJECT_WORDS = 6


def subject_of(question: str) -> str | None:
    """The thing a question asks about, that a later question's "it" points back to: a name in the possessive
    ("What was Varrowdale's population?": "Varrowdale"), else its first noun phrase opened by a determiner, without
    the question's own verb ("When does the service agreement run out?": "the service agreement"; "When does the
    group hold its meeting?": "the group"), with a code it is of ("the total due on INV-2207")."""
    text = question.strip().rstrip(" ?")
    if possessor := POSSESSOR.search(text):
        return possessor.group(1)
    found = SUBJECT_PHRASE.search(text)
    if found is None:
        return None
    words = text[found.start() :].split()
    end = next((n for n, word in enumerate(words[1:], 1) if word.casefold() in PHRASE_ENDS), len(words))
    end += len(code_after(words[end:]))
    if end == len(words) and ASKS_WITH_DO.search(text[: found.start()]):  # the question's verb follows its subject
        words = without_verb(words)
    elif COPULA.search(text) and end > 2 and end == len(words) and PARTICIPLE_END.search(words[-1]):
        words = words[:-1]  # "When was the Corn Exchange [completed]"
    return " ".join(words[: min(end, MAX_SUBJECT_WORDS)])


PREPOSITIONS = frozenset("in on at for from to with under".split())  # of PHRASE_ENDS, those that may open "on INV-2207"
CODE_WORD = re.compile(r"(?=.*\d)(?=.*[^\W\d_])[\w/-]+", re.IGNORECASE)  # letters and digits: "INV-2207", "12b"
NAMING_WORD = re.compile(rf"(?!(?:{DETERMINERS})\b)[^\W\d_]+", re.IGNORECASE)  # "job" of "job 4471"


def code_after(words: list[str]) -> list[str]:
    """The preposition and code that ``words`` open with ("on INV-2207", "for job 4471", "in May 2025"; not "in 2010",
    "in the 1990s"): they belong to the phrase before them ("the total due on INV-2207"); else []."""
    if not words or words[0].casefold() not in PREPOSITIONS:
        return []
    if len(words) >= 2 and CODE_WORD.fullmatch(words[1]):
        return words[:2]
    if len(words) >= 3 and NAMING_WORD.fullmatch(words[1]) and re.fullmatch(r"\d[\w/-]*", words[2]):
        return words[:3]
    return []


def without_verb(words: list[str]) -> list[str]:
    """The words of a question's subject, ``words`` being it and the question's verb after it: the verb's object
    opens with a determiner ("the group [hold its meeting]") or the verb ends them, perhaps with a particle or an
    object pronoun ("the service agreement [run out]", "the foundation [give us]")."""
    opens_object = next((n for n, word in enumerate(words[2:], 2) if word.casefold() in OBJECT_OPENERS), None)
    if opens_object is not None:
        return words[: opens_object - 1]
    while len(words) > 2 and words[-1].casefold() in OBJECT_WORDS:
        words = words[:-1]
    return words[:-1] if len(words) > 2 else words


def pointing_back(first: str, second: str) -> str | None:
    """``second`` (a later part of a question) with its "it" or "its" put as what ``first`` asks about ("How much is
    the rent, and what day is it due?": "What day is the rent due?"); None when it has no such word or ``first``
    names nothing."""
    subject = subject_of(first)
    if not subject or not IT.search(second):
        return None
    return IT.sub(lambda m: f"{subject}'s" if m.group(1).casefold() == "its" else subject, second, count=1)
