"""Near-miss unanswerable questions, SQuAD-2.0-style: rule-made edits of a question that its own paragraph no longer answers."""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from qa.evaluation.squad import SquadArticle, SquadQuestion

SWAP_KINDS = ("title", "date", "year", "number", "name")
KINDS = (*SWAP_KINDS, "antonym", "negation", "attribute")

UPPER = "A-ZÀ-ÖØ-Þ"
MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
PATTERNS = {
    "title": re.compile(r"[\"“](\w[^\"“”\n]{0,78}[\w.!?])[\"”]"),  # text between two quotes starts with a space
    "date": re.compile(
        rf"\b(?:\d{{1,2}} {MONTH}(?:,? \d{{4}})?|{MONTH} \d{{1,2}}(?:st|nd|rd|th)?(?:, \d{{4}})?|{MONTH} \d{{4}})\b"
    ),
    "year": re.compile(r"(?<![\w.,])(?:1[0-9]{3}|20[0-9]{2})(?![\w]|[.,]\d)"),
    "number": re.compile(r"(?<![\w.,])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\w]|[.,]\d)"),
    "name": re.compile(rf"[{UPPER}][\w'’-]*(?:\s+(?:(?:of|the|de|da|del|von|van|der|la|le|du)\s+)*[{UPPER}][\w'’-]*)*"),
}
# Capitalised words that start clauses or ask, never a name on their own.
NOT_NAMES = frozenset(
    """what who whom whose when where which why how the a an in on at of for by to from with as and but or if it its
    this that these those he she they we i you his her their our my is was are were did do does can could will would
    has have had after before during since while although according besides other some many most one two there here
    then than also however not no yes""".split()
)
SENTENCE_END = '.!?:;"“('
ANTONYMS = {
    "largest": "smallest",
    "biggest": "smallest",
    "smallest": "largest",
    "highest": "lowest",
    "lowest": "highest",
    "longest": "shortest",
    "shortest": "longest",
    "oldest": "newest",
    "newest": "oldest",
    "earliest": "latest",
    "latest": "earliest",
    "first": "last",
    "last": "first",
    "most": "least",
    "least": "most",
    "best": "worst",
    "worst": "best",
    "maximum": "minimum",
    "minimum": "maximum",
    "larger": "smaller",
    "smaller": "larger",
    "higher": "lower",
    "lower": "higher",
    "older": "younger",
    "younger": "older",
    "increase": "decrease",
    "decrease": "increase",
    "increased": "decreased",
    "decreased": "increased",
    "northern": "southern",
    "southern": "northern",
    "eastern": "western",
    "western": "eastern",
}
ANTONYM = re.compile(r"(?<!-)\b(" + "|".join(ANTONYMS) + r")\b(?!-)", re.IGNORECASE)  # not in "lower-case"
NEGATION_CUES = re.compile(
    r"\b(?:not|never|no|none|nor|neither|nobody|nothing|without|except|fail\w*|refus\w*|lack\w*)\b|n't\b", re.IGNORECASE
)
NOT_AFTER = re.compile(
    r"^(\s*(?:who|what|which)\s+(?:is|was|are|were|has|have|had|can|could|will|would|should)\s+)"
    r"(?=(?:be|been|\w+ed|\w+en|known|made|built|won|held|led|given|taken|seen|done|found|sold|sent|said)\b)",
    re.IGNORECASE,
)
NEVER_FOR_FIRST = re.compile(r"^(\s*(?:who|what|which)\s+)first\b", re.IGNORECASE)
HEAD = re.compile(
    r"\b(?:what|which|how many)\s+(?:(?:kind|type|sort|form|part)s?\s+of\s+(?:the\s+|an?\s+)?)?([a-z]+)"
    r"(?=\s+(?:did|does|do|was|is|are|were|has|have|had|can|could|would|will|should|of)\b)",
    re.IGNORECASE,
)
NOT_HEADS = frozenset(
    """is was are were did do does has have had can could would will should of the a an kind type sort form part
    other else exactly specifically""".split()
)
# Heads the paragraph's other facts can answer by inference (a year gives its decade and century, a percentage is
# also an amount): never swapped.
INFERABLE_HEADS = frozenset(
    """year years decade decades century centuries date dates month months day days era age period time percentage
    percent amount number proportion share rate frequency fraction ratio total size value""".split()
)
NUMBER_WORDS = frozenset("one two three four five six seven eight nine ten hundred thousand million billion".split())
TRIES = 20
# A year after or before one of these bounds a range, which another year inside it would still answer.
RANGE_BEFORE = re.compile(
    r"(?:\b(?:before|after|since|until|till|by|to|between|and|from|prior to)\s+|[-–]\s*)$", re.IGNORECASE
)
RANGE_AFTER = re.compile(r"^(?:\s*[-–]|\s+(?:to|and)\b)", re.IGNORECASE)


@dataclass(frozen=True)
class NearMiss:
    """An edited question, the rule that made it, and the text it took out and put in."""

    question: str
    kind: str
    removed: str
    inserted: str


@dataclass(frozen=True)
class Pools:
    """Replacement texts by ``shape`` (from the question's own article first, then from its whole file), head words
    by answer type, and the file's common lower-case words."""

    article: dict[tuple, list[str]]
    corpus: dict[tuple, list[str]]
    heads: dict[str, list[str]]
    head_types: dict[str, str]
    common: frozenset[str]


def mentions(text: str) -> list[tuple[str, int, int]]:
    """Non-overlapping (kind, start, end) spans of titles, dates, years, numbers and names, in that priority.

    A name is a run of capitalised words; a run that starts a sentence loses its first word, leading words of
    ``NOT_NAMES`` are dropped and a trailing possessive 's is cut.
    """
    found: list[tuple[str, int, int]] = []
    taken = [False] * len(text)
    for kind in SWAP_KINDS:
        for match in PATTERNS[kind].finditer(text):
            start, end = match.span(1) if kind == "title" else match.span()
            if kind == "name":
                start, end = name_span(text, start, end)
                if end - start < 2:
                    continue
            if any(taken[start:end]):
                continue
            taken[start:end] = [True] * (end - start)
            found.append((kind, start, end))
    return sorted(found, key=lambda mention: mention[1])


def name_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Trim a capitalised run to its name: see ``mentions``; an empty span when nothing is left."""
    if text[end - 2 : end] in ("'s", "’s"):
        end -= 2
    end = start + len(text[start:end].rstrip("'’-"))
    words = [m.span() for m in re.finditer(r"\S+", text[start:end])]
    before = text[:start].rstrip()
    if not before or before[-1] in SENTENCE_END:
        words = words[1:]
    while words and text[start + words[0][0] : start + words[0][1]].lower() in NOT_NAMES:
        words = words[1:]
    if not words:
        return start, start
    return start + words[0][0], end


def occurs(text: str, lowered: str) -> bool:
    """Whether ``text`` is in the lower-cased ``lowered``: anywhere for words, as a whole number for digits."""
    text = text.lower()
    if any(c.isdigit() for c in text):
        return re.search(r"(?<!\d)" + re.escape(text) + r"(?!\d)", lowered) is not None
    return text in lowered


def touches_answer(removed: str, answer: str) -> bool:
    """Whether the removed question text is part of the answer (or holds it), so the old answer might still fit."""
    removed, answer = removed.lower().strip(), answer.lower().strip()
    return bool(removed) and (removed in answer or answer in removed)


def shape(kind: str, text: str, common: frozenset[str]) -> tuple:
    """The kind of a mention and what a replacement must share with it: for names the word count, a demonym-like
    ending, being an acronym and a generic last word ("University", "River"); the century of years; the whole
    digits and decimal point of numbers; the word count of dates."""
    words = text.split()
    if kind == "name":
        last = words[-1].lower() if len(words) > 1 and words[-1].lower() in common else ""
        return kind, len(words), len(words) == 1 and words[0].endswith(("an", "ish", "ese", "ic")), text.isupper(), last
    if kind == "year":
        return kind, text[:2]
    if kind == "number":
        whole, _, decimals = text.replace(",", "").partition(".")
        return kind, len(whole), bool(decimals)
    if kind == "date":
        return kind, len(words)
    return (kind,)


def common_words(texts: Iterable[str], min_count: int = 2) -> frozenset[str]:
    """Words written in lower case at least ``min_count`` times in ``texts``: capitalised, they are no name."""
    counts = Counter(word for text in texts for word in re.findall(r"\b[a-z][a-z'-]*\b", text))
    return frozenset(word for word, count in counts.items() if count >= min_count)


def is_name(text: str, common: frozenset[str]) -> bool:
    """Whether a capitalised run is likely a name: some word of it is not a common lower-case word."""
    return any(word.lower() not in common for word in text.split())


def article_pools(texts: Iterable[str], common: frozenset[str]) -> dict[tuple, list[str]]:
    """Mentions in ``texts`` (names only when ``is_name``) by their ``shape``, deduplicated and sorted."""
    pools: dict[tuple, set[str]] = {}
    for text in texts:
        for kind, start, end in mentions(text):
            mention = text[start:end]
            if kind != "name" or is_name(mention, common):
                pools.setdefault(shape(kind, mention, common), set()).add(mention)
    return {key: sorted(values) for key, values in pools.items()}


def answer_type(answer: str) -> str:
    """A rough type of an answer: year, number, name or other."""
    answer = answer.strip()
    if PATTERNS["year"].fullmatch(answer) or PATTERNS["date"].search(answer):
        return "year"
    if answer[:1].isdigit() or answer.split(" ")[0].lower() in NUMBER_WORDS:
        return "number"
    if answer[:1].isupper():
        return "name"
    return "other"


def question_heads(pairs: Iterable[tuple[str, str]], min_count: int = 5) -> dict[str, str]:
    """The words asked about after what/which/how many (``HEAD``) in (question, answer) pairs, seen at least
    ``min_count`` times, each with the type its answers have most often; ``INFERABLE_HEADS`` left out."""
    types: dict[str, Counter] = {}
    for question, answer in pairs:
        match = HEAD.search(question)
        head = match.group(1).lower() if match else ""
        if head and head not in NOT_HEADS and head not in INFERABLE_HEADS:
            types.setdefault(head, Counter())[answer_type(answer)] += 1
    return {
        head: counts.most_common(1)[0][0] for head, counts in sorted(types.items()) if sum(counts.values()) >= min_count
    }


def file_pools(articles: list[SquadArticle]) -> list[Pools]:
    """One ``Pools`` per article of a file: its paragraphs' mentions, the whole file's, and the file's head words."""
    contexts = [p.context for article in articles for p in article.paragraphs]
    common = common_words(contexts)
    per_article = [article_pools((p.context for p in article.paragraphs), common) for article in articles]
    corpus: dict[tuple, set[str]] = {}
    for pools in per_article:
        for key, values in pools.items():
            corpus.setdefault(key, set()).update(values)
    head_types = question_heads(
        (q.question, q.answers[0]) for article in articles for p in article.paragraphs for q in p.questions if q.answers
    )
    heads: dict[str, list[str]] = {}
    for head, kind in head_types.items():
        heads.setdefault(kind, []).append(head)
    sorted_corpus = {key: sorted(values) for key, values in corpus.items()}
    return [Pools(pools, sorted_corpus, heads, head_types, common) for pools in per_article]


def pick(candidates: list[str], fits, rng: random.Random) -> str | None:
    """A random candidate for which ``fits`` holds, trying at most ``TRIES`` draws."""
    if not candidates:
        return None
    for _ in range(TRIES):
        candidate = rng.choice(candidates)
        if fits(candidate):
            return candidate
    return None


def replace_span(question: str, start: int, end: int, inserted: str) -> str:
    """``question`` with ``question[start:end]`` replaced, lower-casing the insert when the question is lower case."""
    if question == question.lower():
        inserted = inserted.lower()
    return question[:start] + inserted + question[end:]


def swap_mention(question: str, lowered: str, answer: str, pools: Pools, rng: random.Random) -> NearMiss | None:
    """Swap a title, date, year, number or name the paragraph mentions for one of its kind the paragraph lacks."""
    spans = [
        (kind, start, end)
        for kind, start, end in mentions(question)
        if occurs(question[start:end], lowered)
        and not touches_answer(question[start:end], answer)
        and (kind != "name" or is_name(question[start:end], pools.common))
        and not (kind == "year" and (RANGE_BEFORE.search(question[:start]) or RANGE_AFTER.match(question[end:])))
    ]
    if question == question.lower():  # lower-case queries (QED): look for the article's names case-insensitively
        spans += [
            ("name", match.start(), match.end())
            for key, names in pools.article.items()
            if key[0] == "name"
            for name in names
            if " " in name
            for match in [re.search(r"\b" + re.escape(name.lower()) + r"\b", question)]
            if match and occurs(name, lowered) and not touches_answer(name, answer)
        ]
    rng.shuffle(spans)
    for kind, start, end in spans:
        removed = question[start:end]
        key = shape(kind, removed, pools.common)

        def absent(candidate: str) -> bool:
            return not occurs(candidate, lowered)

        inserted = pick(pools.article.get(key, []), absent, rng) or pick(pools.corpus.get(key, []), absent, rng)
        if inserted:
            return NearMiss(replace_span(question, start, end, inserted), kind, removed, inserted)
    return None


def swap_antonym(question: str, lowered: str, answer: str, rng: random.Random) -> NearMiss | None:
    """Turn a superlative or comparative the paragraph uses into its opposite, which the paragraph does not use."""
    matches = [
        m
        for m in ANTONYM.finditer(question)
        if occurs(m.group(1), lowered)
        and not occurs(ANTONYMS[m.group(1).lower()], lowered)
        and not touches_answer(m.group(1), answer)
    ]
    if not matches:
        return None
    match = rng.choice(matches)
    word = match.group(1)
    opposite = ANTONYMS[word.lower()]
    if word[0].isupper():
        opposite = opposite.capitalize()
    return NearMiss(question[: match.start()] + opposite + question[match.end() :], "antonym", word, opposite)


def negate(question: str, lowered: str) -> NearMiss | None:
    """ "Who first ..." becomes "Who never ...", "Who was ..." becomes "Who was not ...", only when the paragraph
    holds no negation at all."""
    if NEGATION_CUES.search(lowered):
        return None
    match = NEVER_FOR_FIRST.match(question)
    if match:
        return NearMiss(question[: match.end(1)] + "never" + question[match.end() :], "negation", "first", "never")
    match = NOT_AFTER.match(question)
    if match:
        return NearMiss(question[: match.end(1)] + "not " + question[match.end(1) :], "negation", "", "not")
    return None


def swap_head(question: str, lowered: str, answer: str, pools: Pools, rng: random.Random) -> NearMiss | None:
    """Ask for another attribute: the word after what/which/how many becomes a head word of the same answer type
    (``Pools.head_types``) that the paragraph lacks."""
    match = HEAD.search(question)
    head = match.group(1).lower() if match else ""
    if not match or head not in pools.head_types or touches_answer(head, answer):
        return None
    plural = head.endswith("s") and not head.endswith("ss")

    def fits(candidate: str) -> bool:
        return (
            candidate[:4] != head[:4]
            and (candidate.endswith("s") and not candidate.endswith("ss")) == plural
            and not occurs(candidate, lowered)
        )

    inserted = pick(pools.heads[pools.head_types[head]], fits, rng)
    if not inserted:
        return None
    start, end = match.span(1)
    return NearMiss(replace_span(question, start, end, inserted), "attribute", match.group(1), inserted)


def candidates(question: str, context: str, answer: str, pools: Pools, rng: random.Random) -> list[NearMiss]:
    """Every rule's edit of ``question`` (at most one each) that passes the guards against ``context`` and ``answer``."""
    lowered = context.lower()
    made = [
        swap_mention(question, lowered, answer, pools, rng),
        swap_antonym(question, lowered, answer, rng),
        negate(question, lowered),
        swap_head(question, lowered, answer, pools, rng),
    ]
    return [m for m in made if m and still_differs(question, m, answer)]


def still_differs(question: str, made: NearMiss, answer: str) -> bool:
    """The guard every edit passes: a new question, no mere variant of the removed text, and not naming the answer
    (as in "Latin or Cyrillic?" turned into "Latin or Portuguese?")."""
    removed, inserted = made.removed.lower(), made.inserted.lower()
    return (
        made.question.strip().lower() != question.strip().lower()
        and not (removed and (removed in inserted or inserted in removed))
        and answer.strip().lower() not in made.question.lower()
    )


def near_miss(question: str, context: str, answer: str, pools: Pools, rng: random.Random) -> NearMiss | None:
    """One near-miss edit of ``question`` that ``context`` does not answer, the rule chosen at random; None if none applies."""
    made = candidates(question, context, answer, pools, rng)
    return rng.choice(made) if made else None


def file_near_misses(
    articles: list[SquadArticle], rng: random.Random
) -> Iterator[tuple[str, SquadQuestion, NearMiss | None]]:
    """(context, question, its near miss or None) for every answerable question of a file."""
    for article, pools in zip(articles, file_pools(articles), strict=True):
        for paragraph in article.paragraphs:
            for question in paragraph.questions:
                if question.answers and not question.is_impossible:
                    made = near_miss(question.question, paragraph.context, question.answers[0], pools, rng)
                    yield paragraph.context, question, made
