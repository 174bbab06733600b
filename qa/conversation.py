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
ELLIPSIS = re.compile(r"^\s*(and|but|also|what about|how about|and what about|what else)\b", re.I)
QUESTION_WORDS = re.compile(r"^\s*(who|what|when|where|which|why|how)\b", re.I)
MAX_ANTECEDENT_WORDS = 8
PREPOSITIONS = {"on", "in", "at", "about", "for", "with", "from", "to", "by", "during", "after", "before", "of"}


@dataclass(frozen=True)
class ResolvedQuestion:
    """The question to read with and the query to retrieve with; ``rewritten`` tells whether history was used."""

    question: str
    retrieval_query: str
    rewritten: bool


def refers_back(question: str) -> bool:
    """True when the question leans on an earlier turn: a pronoun, or an opening such as "And ..."/"What about ..."."""
    return bool(ELLIPSIS.match(question) or REFERRING.search(question)) or len(question.split()) <= 2


def substitute(question: str, antecedent: str) -> str:
    """Replace the first person pronoun with the antecedent (possessives get 's)."""
    def replace(match: re.Match) -> str:
        word = match.group(0).lower()
        return f"{antecedent}'s" if re.fullmatch(POSSESSIVE_PRONOUNS, word) else antecedent

    pattern = rf"\b({SUBJECT_PRONOUNS}|{OBJECT_PRONOUNS}|{POSSESSIVE_PRONOUNS})\b"
    return re.sub(pattern, replace, question, count=1, flags=re.I)


def replace_phrase(previous: str, fragment: str) -> str:
    """Put the fragment in the previous question: "... on YouTube" + "on Twitter" gives "... on Twitter"."""
    preposition = fragment.split()[0].lower() if fragment else ""
    if preposition in PREPOSITIONS:
        match = re.search(rf"\b{preposition}\b[^,;]*$", previous, re.I)
        if match:
            return previous[: match.start()] + fragment
    return f"{previous} {fragment}"


def resolve(question: str, history: list[Turn] | None) -> ResolvedQuestion:
    """Rewrite a follow-up with the last turn; a self-contained question is returned unchanged.

    A person pronoun becomes the last answer when that answer is short (a name); otherwise, and for
    elliptical follow-ups, the last question is added as context for the reader and the retriever.
    """
    question = question.strip()
    if not history or not refers_back(question):
        return ResolvedQuestion(question=question, retrieval_query=question, rewritten=False)
    last = history[-1]
    answer = (last.answer or "").strip()
    context = f"{last.question.strip()} {answer}".strip()
    person_pronoun = re.search(rf"\b({SUBJECT_PRONOUNS}|{OBJECT_PRONOUNS}|{POSSESSIVE_PRONOUNS})\b", question, re.I)
    if answer and person_pronoun and len(answer.split()) <= MAX_ANTECEDENT_WORDS:
        rewritten = substitute(question, answer)
        return ResolvedQuestion(question=rewritten, retrieval_query=f"{rewritten} {last.question.strip()}", rewritten=True)
    if ELLIPSIS.match(question) and not QUESTION_WORDS.search(ELLIPSIS.sub("", question)):
        fragment = ELLIPSIS.sub("", question).strip(" ?,")
        rewritten = f"{replace_phrase(last.question.strip().rstrip('?'), fragment)}?"
        return ResolvedQuestion(question=rewritten, retrieval_query=f"{rewritten} {answer}".strip(), rewritten=True)
    return ResolvedQuestion(question=question, retrieval_query=f"{question} {context}", rewritten=True)
