"""Resolve follow-up questions ("What did he say on YouTube?") against the earlier turns of a conversation."""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.models import Turn

SUBJECT_PRONOUNS = r"he|she|they"
OBJECT_PRONOUNS = r"him|her|them"
POSSESSIVE_PRONOUNS = r"his|their|its"
THING_PRONOUNS = r"it|this|that|these|those"
REFERRING = re.compile(
    rf"\b({SUBJECT_PRONOUNS}|{OBJECT_PRONOUNS}|{POSSESSIVE_PRONOUNS}|{THING_PRONOUNS}|there|then|the same)\b", re.I
)
PERSON_PRONOUN = re.compile(rf"\b({SUBJECT_PRONOUNS}|{OBJECT_PRONOUNS}|{POSSESSIVE_PRONOUNS})\b", re.I)
ELLIPSIS = re.compile(r"^\s*(and|but|also|what about|how about|and what about|what else)\b", re.I)
QUESTION_WORDS = re.compile(r"^\s*(who|what|when|where|which|why|how)\b", re.I)
MAX_ANTECEDENT_WORDS = 8
PERSON_NOUNS = {
    "president",
    "minister",
    "head",
    "chief",
    "secretary",
    "leader",
    "director",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "author",
    "founder",
    "ceo",
    "chairman",
    "chair",
    "king",
    "queen",
    "prince",
    "princess",
    "general",
    "official",
    "person",
    "man",
    "woman",
    "boss",
    "commander",
    "ambassador",
    "governor",
    "mayor",
    "senator",
    "diplomat",
    "scientist",
    "writer",
    "actor",
    "actress",
    "player",
    "coach",
    "manager",
    "editor",
    "host",
    "expert",
}
AUXILIARIES = {"did", "does", "do", "is", "was", "are", "were", "has", "have", "had", "will", "would", "can", "could"}
NAME = re.compile(r"\b[A-Z][\w'’.-]*(?:\s+(?:of\s+|de\s+|von\s+)?[A-Z][\w'’.-]*)*")
PREPOSITIONS = {"on", "in", "at", "about", "for", "with", "from", "to", "by", "during", "after", "before", "of"}


@dataclass(frozen=True)
class ResolvedQuestion:
    """The question to read with and the query to retrieve with; ``rewritten`` tells whether history was used."""

    question: str
    retrieval_query: str
    rewritten: bool
    with_history: bool = False  # the question followed by the last turns (``with_history``), for a reader trained so


HISTORY_SEPARATOR = " | "
HISTORY_TURNS = 2  # the turns a question is read with: a chat mostly points back one or two turns


def with_history(question: str, history: list[Turn], turns: int = HISTORY_TURNS) -> str:
    """A question as the reader reads it with its history: the question, then each of the last ``turns`` turns,
    newest first, as its question and answer ("What did he say? | Who heads Roscosmos? Dmitry Rogozin"). The
    question comes first so that a long history is what the reader's question limit cuts."""
    earlier = [f"{t.question.strip()} {(t.answer or '').strip()}".strip() for t in reversed(history[-turns:])]
    return HISTORY_SEPARATOR.join([question.strip(), *earlier]) if turns > 0 else question.strip()


def refers_back(question: str) -> bool:
    """True when the question leans on an earlier turn: a pronoun, or an opening such as "And ..."/"What about ..."
    that is not followed by a whole question ("And what did the space agency chief say?" is one)."""
    if REFERRING.search(question) or len(question.split()) <= 2:
        return True
    opening = ELLIPSIS.match(question)
    return opening is not None and not whole_question(question[opening.end() :])


MIN_WHOLE_QUESTION_WORDS = 4
ASKS_ABOUT = re.compile(r"^\s*(what|how)\s+(about|else)\b", re.I)


def whole_question(text: str) -> bool:
    """Whether ``text`` is a question by itself: a question word and at least three more words, not "what about …",
    "what else …" nor only the asking part ("how many ships")."""
    return bool(
        QUESTION_WORDS.match(text)
        and len(text.split()) >= MIN_WHOLE_QUESTION_WORDS
        and not ASKS_ABOUT.match(text)
        and not asks_only(text.strip(" ?,"))
    )


def substitute(question: str, antecedent: str) -> str:
    """Replace the first person pronoun with the antecedent (possessives get 's)."""

    def replace(match: re.Match) -> str:
        word = match.group(0).lower()
        return f"{antecedent}'s" if re.fullmatch(POSSESSIVE_PRONOUNS, word) else antecedent

    return PERSON_PRONOUN.sub(replace, question, count=1)


def replace_phrase(previous: str, fragment: str) -> str:
    """Put the fragment in the previous question: "... on YouTube" + "on Twitter" gives "... on Twitter"."""
    preposition = fragment.split()[0].lower() if fragment else ""
    if preposition in PREPOSITIONS:
        match = re.search(rf"\b{preposition}\b[^,;]*$", previous, re.I)
        if match:
            return previous[: match.start()] + fragment
    return f"{previous} {fragment}"


def asks_for_person(question: str) -> bool:
    """True for "Who ...?" and for "Which president ...?"-style questions, whose answer is a person."""
    words = re.findall(r"[\w'’]+", question.lower())
    if not words:
        return False
    if words[0] in ("who", "whom", "whose"):
        return True
    if words[0] not in ("which", "what"):
        return False
    asked_about = []  # the words naming what is asked for: up to the verb ("Which former US president announced")
    for word in words[1:4]:
        if word in AUXILIARIES:
            break
        asked_about.append(word)
    return any(w in PERSON_NOUNS for w in asked_about)


def names(question: str) -> list[str]:
    """The capitalised names in a question, in order; its opening word alone is none ("Which", "In")."""
    first_word = re.match(r"\s*\w+", question)
    return [
        m.group(0)
        for m in NAME.finditer(question)
        if not (first_word and m.start() == first_word.start() and " " not in m.group(0))
    ]


def last_name(question: str) -> str | None:
    """The last capitalised name in a question ("Which show did Rogozin appear on?" gives "Rogozin")."""
    found = names(question)
    return found[-1] if found else None


def short_answer(turn: Turn) -> str | None:
    """A turn's answer when it is short enough to stand for what a pronoun points back to."""
    answer = (turn.answer or "").strip()
    return answer if answer and len(answer.split()) <= MAX_ANTECEDENT_WORDS else None


def person_antecedent(last: Turn) -> str | None:
    """Whom "he"/"she"/"they" most likely mean: the last answer when it named a person, else a name in the last question."""
    answer = short_answer(last)
    if answer and asks_for_person(last.question):
        return answer
    return last_name(last.question) or answer


def resolve(question: str, history: list[Turn] | None) -> ResolvedQuestion:
    """Rewrite a follow-up with the last turn; a self-contained question is returned unchanged.

    A person pronoun becomes the person the last turn was about (its answer when it asked for a person, else
    a name in its question); otherwise, and for elliptical follow-ups, the last question is added as context
    for the reader and the retriever.
    """
    question = question.strip()
    if not history or not refers_back(question):
        return ResolvedQuestion(question=question, retrieval_query=question, rewritten=False)
    last = history[-1]
    answer = (last.answer or "").strip()
    context = f"{last.question.strip()} {answer}".strip()
    person_pronoun = PERSON_PRONOUN.search(question)
    antecedent = person_antecedent(last) if person_pronoun else None
    if antecedent:
        rewritten = substitute(question, antecedent)
        return ResolvedQuestion(
            question=rewritten, retrieval_query=f"{rewritten} {last.question.strip()}", rewritten=True
        )
    if ELLIPSIS.match(question) and not QUESTION_WORDS.search(ELLIPSIS.sub("", question)):
        fragment = ELLIPSIS.sub("", question).strip(" ?,")
        rewritten = f"{replace_phrase(last.question.strip().rstrip('?'), fragment)}?"
        return ResolvedQuestion(question=rewritten, retrieval_query=f"{rewritten} {answer}".strip(), rewritten=True)
    return ResolvedQuestion(question=question, retrieval_query=f"{question} {context}", rewritten=True)


WH_WORD = re.compile(r"\b(who|whom|whose|what|when|where|which|why|how)\b(\s+\w+)?", re.I)
MAX_SHORT_QUESTION_WORDS = 5


def asks_only(fragment: str) -> bool:
    """Whether a follow-up is only the asking part of a question ("how", "in what year", "by whom", "with how many
    troops"): a few words with a question word not followed by a verb, and no pronoun."""
    words = fragment.split()
    found = WH_WORD.search(fragment)
    if not found or not words or len(words) > MAX_SHORT_QUESTION_WORDS or REFERRING.search(fragment):
        return False
    following = (found.group(2) or "").strip().lower()
    return following not in AUXILIARIES


THING_PRONOUN = re.compile(rf"\b({THING_PRONOUNS}|there|then)\b", re.I)


def antecedents(history: list[Turn], limit: int = 3) -> list[str]:
    """Whom or what a follow-up may point back to, most likely first: each earlier turn's person (its short answer
    when it asked for a person, else a name in its question), then its other short answer, newest turn first."""
    return first_distinct(
        [c for t in reversed(history) for c in (person_antecedent(t), last_name(t.question), short_answer(t))], limit
    )


def thing_antecedents(history: list[Turn], limit: int = 2) -> list[str]:
    """What "it"/"that"/"there" may point back to: the short answers of earlier turns that did not ask for a
    person, newest first."""
    return first_distinct([short_answer(t) for t in reversed(history) if not asks_for_person(t.question)], limit)


def first_distinct(candidates: list[str | None], limit: int) -> list[str]:
    """The first ``limit`` candidates that are given and differ from the earlier ones (case aside)."""
    found: dict[str, str] = {}
    for candidate in candidates:
        if candidate:
            found.setdefault(candidate.casefold(), candidate)
    return list(found.values())[:limit]


def resolutions(
    question: str, history: list[Turn] | None, limit: int = 4, history_turns: int = 0
) -> list[ResolvedQuestion]:
    """The ways a follow-up may be read, the rules' choice (``resolve``) first: the question followed by the last
    ``history_turns`` turns (``with_history``, for a reader trained on follow-ups read so, see ``qa.training.follow_ups``;
    0: not), a short question
    ("And how?", "In what year?") asked of the last question and its answer, its pronoun replaced by each likely
    antecedent, its fragment put into each of the two last questions, and an elliptical question read beside the
    last turn.
    ``QA.ask`` reads each and keeps the one its reader is most confident in: the rules propose and the trained reader
    decides. The rules' reading is left out when it is an elliptical question as asked (read alone, "In what year?"
    finds some year). A self-contained question has one reading: itself."""
    first = resolve(question, history)
    asked = ELLIPSIS.sub("", question).strip(" ?,")
    only_asks = asks_only(asked)  # "In what year?": the asking part of a question, nothing else
    if not history or not (first.rewritten or only_asks):
        return [first]
    question = question.strip()
    last = history[-1]
    found = [first]
    if history_turns:  # a reader trained on follow-ups read with their history
        read_with_history = with_history(question, history, history_turns)
        found.append(ResolvedQuestion(read_with_history, read_with_history, True, with_history=True))
    last_answer = (last.answer or "").strip()
    if only_asks and last_answer:  # "And how?" after "What did the US destroy?" / "a satellite"
        rest = QUESTION_WORDS.sub("", last.question.strip(), count=1).strip().rstrip("?")
        rewritten = f"{asked[0].upper()}{asked[1:]} {rest} {last_answer}?"
        found.append(ResolvedQuestion(rewritten, f"{rewritten} {last.question.strip()}", True))
    if PERSON_PRONOUN.search(question):
        for antecedent in antecedents(history):
            rewritten = substitute(question, antecedent)
            found.append(ResolvedQuestion(rewritten, f"{rewritten} {last.question.strip()}", True))
    elif THING_PRONOUN.search(question):
        for antecedent in thing_antecedents(history):
            rewritten = THING_PRONOUN.sub(antecedent, question, count=1)
            found.append(ResolvedQuestion(rewritten, f"{rewritten} {last.question.strip()}", True))
    elliptical = bool(ELLIPSIS.match(question)) or len(question.split()) <= 3 or only_asks
    if ELLIPSIS.match(question) or len(question.split()) <= 2:
        for turn in reversed(history[-2:]):
            if asked and not QUESTION_WORDS.match(asked):
                rewritten = f"{replace_phrase(turn.question.strip().rstrip('?'), asked)}?"
                found.append(ResolvedQuestion(rewritten, f"{rewritten} {(turn.answer or '').strip()}".strip(), True))
    if elliptical:  # too little to be read alone ("Such as?")
        beside = f"{question} {last.question.strip()} {last_answer}".strip()
        found.append(ResolvedQuestion(beside, beside, True))
    if elliptical and first.question == question:
        found = found[1:]
    distinct: dict[tuple[str, str], ResolvedQuestion] = {}
    for reading in found:
        distinct.setdefault((reading.question, reading.retrieval_query), reading)
    return list(distinct.values())[:limit]
