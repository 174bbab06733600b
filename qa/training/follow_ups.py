"""Synthesise chat follow-ups from SQuAD-format data, to train a reader that reads a question with its history."""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from qa.evaluation.squad import SquadArticle, SquadQuestion, load_squad
from qa.models import Turn
from qa.questions.conversation import AUXILIARIES, PREPOSITIONS, asks_for_person, names, with_history

MAX_MENTION_WORDS = 6  # a longer earlier answer is not what a pronoun stands for
MAX_ELLIPSIS_WORDS = 5  # "And sacks?": the words that differ from the last question
POSSESSIVE = re.compile(r"['’]s$")
FUNCTION_WORDS = (
    AUXILIARIES | PREPOSITIONS | {"and", "or", "but", "that", "which", "who", "as", "than", "when", "where"}
)
FOLLOW_UPS_VERSION = "follow-ups"  # the version a file of follow-ups declares; a reader trained on one reads history
QUESTION_START = re.compile(r"^\s*(who|whom|whose|what|when|where|which|why|how)\b", re.I)


@dataclass(frozen=True)
class FollowUp:
    """A question as a person would ask it after ``history`` (earlier turns with their gold answers), its kind, and
    the gold question it stands for."""

    question: str
    history: list[Turn]
    kind: str  # "pronoun", "earlier_pronoun" (points two turns back), "ellipsis" or "self_contained"
    source: SquadQuestion


def mentions(question: str, turn: Turn) -> list[tuple[str, bool]]:
    """What ``question`` repeats of an earlier turn, longest first, each as written in ``question`` and whether it is
    the turn's answer (when short) rather than a name in its question."""
    answer = (turn.answer or "").strip()
    wanted = {POSSESSIVE.sub("", name): False for name in names(turn.question)}
    if answer and len(answer.split()) <= MAX_MENTION_WORDS:
        wanted[answer] = True
    found = []
    for text in sorted(wanted, key=len, reverse=True):
        is_answer = wanted[text]  # an answer is matched in any case; a name as written
        match = re.search(rf"(?<!\w){re.escape(text)}(?!\w)", question, re.I if is_answer else 0)
        if match and not QUESTION_START.match(match.group(0)) and stands_alone(question, match.start(), match.end()):
            found.append((match.group(0), is_answer))
    return found


def stands_alone(question: str, start: int, end: int) -> bool:
    """Whether ``question[start:end]`` stands for a thing on its own, not as part of a longer name ("Apollo" in
    "Apollo 17") or as a modifier ("Protestant" in "Protestant church", "Yale" in "Yale museum"): the word before is
    not a name, and what follows is a possessive 's, a function word, punctuation or nothing."""
    before = question[:start].split()
    if len(before) > 1 and before[-1][:1].isupper():
        return False
    if question[end:].startswith(("'s", "’s")):
        return True  # "Von Miller's position"
    following = question[end:].split()
    next_word = following[0].strip("?,.;:") if following else ""
    return not next_word or next_word.lower() in FUNCTION_WORDS


def pronoun_for(question: str, mention: str, person: bool | None, rng: random.Random) -> str:
    """The pronoun a person would put for ``mention`` in ``question``: possessive before 's, object after a
    preposition or a verb, else subject; he/she (at random) for a person, it otherwise, any of them when it is not
    known (None)."""
    if person is None:
        person = rng.random() < 0.5
    at = question.find(mention)
    after = question[at + len(mention) :]
    before = question[:at].split()
    previous = before[-1].lower() if before else ""
    plural = re.search(r"[^su']s$", mention) is not None  # "Jews", "the Panthers"; not "Paris's", "Texas"
    objective = previous in PREPOSITIONS or (previous.isalpha() and previous not in AUXILIARIES and len(before) > 1)
    if after.startswith(("'s", "’s")):
        return "their" if plural else rng.choice(["his", "her"]) if person else "its"
    if plural:
        return "them" if objective else "they"
    if person:
        return rng.choice(["him", "her"]) if objective else rng.choice(["he", "she"])
    return "it"


def with_pronoun(question: str, mention: str, person: bool | None, rng: random.Random) -> str:
    """``question`` with its first ``mention`` (and a possessive 's after it) replaced by a pronoun."""
    at = question.find(mention)
    end = at + len(mention)
    if re.search(r"\bthe $", question[:at], re.I):
        at -= 4  # "the Broncos" -> "them", not "the them"
    pronoun = pronoun_for(question, question[at:end], person, rng)
    if pronoun in ("his", "her", "its", "their") and question[end:].startswith(("'s", "’s")):
        end += 2
    return question[:at] + pronoun + question[end:]


def elliptical(previous: str, question: str) -> str | None:
    """ "And sacks?" for "How many sacks did he record?" after "How many solo tackles did he record?": the words
    that differ, when the two questions share their opening (at least two words) and their end; None otherwise."""
    before, after = previous.rstrip(" ?").split(), question.rstrip(" ?").split()
    head = 0
    while head < min(len(before), len(after)) and before[head].lower() == after[head].lower():
        head += 1
    tail = 0
    while tail < min(len(before), len(after)) - head and before[-1 - tail].lower() == after[-1 - tail].lower():
        tail += 1
    differing = after[head : len(after) - tail]
    lowered = [word.lower() for word in differing]
    if not differing or (lowered[0] in FUNCTION_WORDS - PREPOSITIONS) or AUXILIARIES & set(lowered):
        return None  # "And that was crowned?"; "And in 2019?" is one
    if (
        head < 2
        or not (tail >= 2 or (tail == 0 and head >= 3))
        or len(differing) > MAX_ELLIPSIS_WORDS
        or head + tail >= len(before)
    ):
        return None
    return f"And {' '.join(differing)}?"


def follow_ups(questions: list[SquadQuestion], rng: random.Random) -> list[FollowUp]:
    """Follow-ups made of consecutive questions about one paragraph: each question after the one (or two) before it,
    with what it repeats of them put as a pronoun, as the differing words alone ("And ...?"), or as asked."""
    made = []
    turns = [Turn(question=q.question, answer=q.answers[0] if q.answers else None) for q in questions]
    for number in range(1, len(questions)):
        question, last = questions[number], turns[number - 1]
        if not question.answers or question.is_impossible:
            continue
        history = turns[max(0, number - 2) : number]
        short = elliptical(last.question, question.question)
        if short:
            made.append(FollowUp(short, history, "ellipsis", question))
            continue
        found = mentions(question.question, last)
        kind = "pronoun"
        if not found and number >= 2:
            found, kind = mentions(question.question, turns[number - 2]), "earlier_pronoun"
        if found:
            mention, is_answer = found[0]
            antecedent = turns[number - 1] if kind == "pronoun" else turns[number - 2]
            person: bool | None = is_answer and asks_for_person(antecedent.question)
            if not person and not is_answer and " " in mention:
                person = None  # a name of several words may be a person's: either pronoun
            rewritten = with_pronoun(question.question, mention, person, rng)
            made.append(FollowUp(rewritten, history, kind, question))
        else:
            made.append(FollowUp(question.question, history, "self_contained", question))
    return made


def synthesise(articles: list[SquadArticle], seed: int = 13, self_contained: float = 1.0) -> tuple[dict, Counter]:
    """A SQuAD-format file (as a dict) of the follow-ups made of ``articles`` (of the self-contained ones, this
    share), each question read with its history (``with_history``) and the gold answers of the question it stands
    for; and the count of each kind written."""
    rng = random.Random(seed)
    kinds: Counter = Counter()
    data = []
    for article in tqdm(articles, desc="articles", unit="article"):
        paragraphs = []
        for paragraph in article.paragraphs:
            qas = []
            for made in follow_ups(paragraph.questions, rng):
                if made.kind == "self_contained" and rng.random() >= self_contained:
                    continue
                kinds[made.kind] += 1
                answers = [
                    {"text": text, "answer_start": start}
                    for text, start in zip(made.source.answers, made.source.answer_starts, strict=True)
                ]
                qas.append(
                    {
                        "id": f"{made.source.id}-{made.kind}",
                        "question": with_history(made.question, made.history),
                        "answers": answers,
                    }
                )
            if qas:
                paragraphs.append({"context": paragraph.context, "qas": qas})
        if paragraphs:
            data.append({"title": article.title, "paragraphs": paragraphs})
    return {"version": FOLLOW_UPS_VERSION, "data": data}, kinds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("source", type=Path, help="SQuAD-format file (.json or .json.gz) to make follow-ups of")
    parser.add_argument("output", type=Path, help="SQuAD-format file written (.json.gz)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument(
        "--self-contained",
        type=float,
        default=1.0,
        help="share of the questions that repeat nothing of the turns before kept (read with their history, they "
        "teach the reader that a history may not matter)",
    )
    args = parser.parse_args()
    made, kinds = synthesise(load_squad(args.source), args.seed, args.self_contained)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(args.output, "wt", encoding="utf-8") as handle:
        json.dump(made, handle)
    print(f"{sum(kinds.values())} follow-ups written to {args.output}: {dict(kinds.most_common())}")


if __name__ == "__main__":
    main()
