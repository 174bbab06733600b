"""Second-hop reading: follow a name the best passage gives (a bridge) into another document and read the two."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from qa.models import Answer, Citation, Passage
from qa.reading.reader import Reader, ReaderSpan

# A name: capitalised words (joined by "&", "de", "van", "von"), a word with an inner capital or digit (TripDesk, AQ-3),
# an acronym.
NAME = re.compile(
    r"\b(?:[A-Za-z][\w'’-]*[A-Z0-9][\w'’-]*|[A-Z][a-z][\w'’-]*(?:\s+(?:&\s+|de\s+|van\s+|von\s+)?[A-Z][\w'’-]*)*"
    r"|[A-Z]{2,}[\w-]*)"
)
# Capitalised words that open sentences or name nothing in particular.
COMMON = frozenset(
    "The A An This That These Those It Its If In On At For From To Of And Or But When Where Who What Which How Why "
    "All Any Each Every No Not Our Your We You They He She His Her Their There Here Please Note After Before "
    "During Within Without Also Only Some Most Many Monday Tuesday Wednesday Thursday Friday Saturday Sunday "
    "January February March April May June July August September October November December".split()
)
# Words of a question that no passage need hold (keyword_tokens keeps them: they are not English stop words).
QUESTION_WORDS = frozenset(
    "what which who whom whose when where why how my mine should would could can must may might do does did get got "
    "use out call i me we us you he him she her it they them".split()
)
SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+|\n+|\s*\|\s*")  # between sentences, lines and table cells
SENTENCE_OR_ROW_END = re.compile(r"(?<=[.!?;:])\s+(?!\|)|\n+")  # a table row says its cells of one thing
HOW = re.compile(r"\bhow\s+(long|much|many|often|far|old|big|large|soon)\b", re.IGNORECASE)  # words that ask
JOINED = "\n\n"  # between the two passages read together: no answer runs across it (see SpanReader.read)
MAX_BRIDGES = 2


# A question that asks for a year or a count, and what such an answer holds: a digit or a number's word.
ASKS_A_NUMBER = re.compile(r"\b(?:what|which)\s+year\b|\bhow\s+(?:many|much|old)\b", re.IGNORECASE)
NUMBERED = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|sixty|"
    r"seventy|eighty|ninety|hundred|thousand|million|billion|dozen|half|several|few|no|none|once|twice)\b",
    re.IGNORECASE,
)


def lacks_its_number(question: str, answer: str) -> bool:
    """Whether ``question`` asks for a year or a count ("In what year ...?", "How many ...?") and ``answer`` gives
    none ("Tallwater Records"): an answer of another kind."""
    return bool(ASKS_A_NUMBER.search(question)) and not NUMBERED.search(answer)


def words(text: str) -> set[str]:
    return {w.casefold() for w in re.findall(r"\w+", text)}


def bridge_names(question: str, text: str, limit: int = MAX_BRIDGES) -> list[str]:
    """The names ``text`` gives that ``question`` does not (the entity a bridge question leads through), those in
    the sentences sharing most words with the question first (each name ranked by the first sentence that gives it);
    at most ``limit``."""
    asked, initials = words(question), acronyms(question)
    ranked: dict[str, tuple[int, int]] = {}
    for order, sentence in enumerate(SENTENCE_END.split(text)):
        shared = len(words(sentence) & asked)
        for found in NAME.finditer(sentence):
            name = found.group().strip(" -’'")
            opening = not sentence[: found.start()].strip(" #*|-")  # a lone capitalised word opening a sentence or cell
            if (opening and " " not in name and name.istitle()) or name in COMMON or name.casefold() in initials:
                continue
            # a name opening a sentence may start with a capitalised verb ("Contact Brevano Customer Care"): its rest too
            for candidate in [name, name.split(" ", 1)[1]] if opening and " " in name else [name]:
                if (words(candidate) - asked) and len(candidate) >= 2 and candidate not in COMMON:
                    ranked.setdefault(candidate, (-shared, order))
    return sorted(ranked, key=lambda name: ranked[name])[:limit]


def acronyms(question: str) -> set[str]:
    """The acronyms a question spells out ("multi-factor authentication": "mfa", "ma"): no bridge to elsewhere."""
    initials = [w[0].casefold() for w in re.findall(r"[^\W_]+", question)]
    return {"".join(initials[i:j]) for i in range(len(initials)) for j in range(i + 2, min(i + 6, len(initials)) + 1)}


def looks_like_name(text: str) -> bool:
    """Whether an answer is a name (capitalised, a code or a number with letters) that can lead elsewhere."""
    name = trimmed(text)
    return bool(NAME.fullmatch(name)) and name not in COMMON


def bridges(question: str, answers: list[str], text: str, limit: int = MAX_BRIDGES) -> list[str]:
    """The names to follow from a passage: the best answers read in it that are names, then the names it gives that
    the question does not (``bridge_names``); at most ``limit``."""
    named = [name for name in map(trimmed, answers) if looks_like_name(name) and name in text]
    return list(dict.fromkeys(named + bridge_names(question, text, limit)))[:limit]


def content_words(question: str) -> set[str]:
    """The question's content words: its stemmed keyword tokens but question words and the like ("how long")."""
    return stems(question) - stems(" ".join(QUESTION_WORDS)) - stems(" ".join(HOW.findall(question)))


def stems(text: str) -> set[str]:
    """The stemmed keyword tokens of ``text``."""
    from qa.store.rules import keyword_tokens

    return set(keyword_tokens([text])[0])


@lru_cache(maxsize=4096)
def word_stems(word: str) -> frozenset[str]:
    """The stemmed keyword tokens of one word (remembered: questions repeat their words)."""
    return frozenset(stems(word))


def uncovered(question: str, passage: str) -> set[str]:
    """The question's content words (``content_words``) that ``passage`` lacks."""
    return content_words(question) - stems(passage)


def sentence_at(text: str, at: int) -> str:
    """The sentence (or table cell, or line) of ``text`` that holds the character at ``at``."""
    start, end = sentence_bounds(text, at)
    return text[start:end]


def sentence_bounds(text: str, at: int) -> tuple[int, int]:
    """Where the sentence (or table cell, or line) of ``text`` that holds the character at ``at`` starts and ends."""
    starts = [0, *(m.end() for m in SENTENCE_END.finditer(text, 0, at))]
    end = SENTENCE_END.search(text, at)
    return starts[-1], end.start() if end else len(text)


def completing(question: str, answer: Citation, others: list[Passage]) -> tuple[Passage, str] | None:
    """The sentence of another document's passage that says what the passage of ``answer`` leaves out of the question,
    linked to it by a name that the answer's sentence (or the heading of its section) gives and the question does not
    ("[Harrowgate Connect] sessions are cut after 10 hours" / "remote staff must use [Harrowgate Connect] for internal
    systems"), with that name: the sentence must give the name and hold two or more of the question's content words
    that the answer's passage lacks (what it says is about that name). The sentence comes as a Passage of its own
    place in its document. The answer is no link to itself. None when there is none."""
    missing = uncovered(question, answer.passage_text)
    if len(missing) < 2:
        return None
    sentence = sentence_at(answer.passage_text, answer.start - answer.passage_start)
    said_of = f"{sentence}\n{answer.section}" if answer.section else sentence  # what it sits under is what it is about
    linking = [name for name in bridge_names(question, said_of, len(said_of)) if not overlaps(name, answer.quote)]
    best: tuple[int, Passage, str] | None = None
    for other in (p for p in others if p.document_id != answer.document_id):
        for at, said in sentences(other.text):
            name = next((n for n in linking if n in said), None)
            covered = len(missing & stems(said)) if name else 0
            if covered >= 2 and (best is None or covered > best[0]) and name:
                cut = other.model_copy(update={"start": other.start + at, "end": other.start + at + len(said)})
                best = (covered, cut.model_copy(update={"text": said}), name)
    return None if best is None else (best[1], best[2])


def sentences(text: str) -> list[tuple[int, str]]:
    """The sentences (lines, whole table rows) of ``text``, each with its offset in it; empty ones left out."""
    ends = list(SENTENCE_OR_ROW_END.finditer(text))
    bounds = zip([0, *(m.end() for m in ends)], [*(m.start() for m in ends), len(text)], strict=True)
    return [(start, text[start:end]) for start, end in bounds if end > start]


def names_in_sentence(answer: Answer, name: str) -> bool:
    """Whether the sentence ``answer`` was first read in gives ``name`` or a word of it ("Halas" of "Teodor Halas")."""
    if not answer.citations:
        return False
    cited = answer.citations[0]
    start, end = sentence_bounds(cited.passage_text, cited.start - cited.passage_start)
    return bool(name_words(name) & name_words(cited.passage_text[start:end]))


def name_words(text: str) -> set[str]:
    """The capitalised words of ``text`` that are not common ones ("The", "In", month names)."""
    return {w for w in re.findall(r"\w+", text) if w[:1].isupper() and w not in COMMON}


def overlaps(text: str, other: str) -> bool:
    """Whether either text holds the other (case aside): "Dev Malhotra" and "The Treasurer, Dev Malhotra"."""
    a, b = trimmed(text).casefold(), trimmed(other).casefold()
    return a in b or b in a


def gives(answer: str, name: str) -> bool:
    """Whether ``answer`` gives ``name`` (case aside): "Dev Malhotra (Treasurer)" gives "Dev Malhotra", "San Jose" does
    not give "San Jose State"."""
    return trimmed(name).casefold() in answer.casefold()


def trimmed(text: str) -> str:
    """``text`` without the spaces and punctuation a span may carry at its ends ("Priya Raman," is "Priya Raman")."""
    return text.strip(" .,;:")


# A relative pronoun after a noun ("the man who"); not after a conjunction ("... and who is the CFO?": a second ask)
# nor a preposition ("the unit of which quantity": a question word).
RELATIVE_PRONOUN = re.compile(
    r"(?<=\w)(?<!\band)(?<!\bor)(?<!\bbut)(?<!\bof)(?<!\bin)(?<!\bon)(?<!\bat)(?<!\bby)(?<!\bfor)(?<!\bto)"
    r"(?<!\bwith)(?<!\bfrom)\s+(who|whom|whose|that|which)\s+(?=\w)",
    re.IGNORECASE,
)
DETERMINERS = r"(?i:the|an?|its|his|her|their|my|our|your)"  # what opens a noun phrase
DETERMINER = re.compile(rf"\b{DETERMINERS}\s")
AUXILIARIES = frozenset(
    "did does do will would can could is was are were has have had should must may might shall".split()
)
# What a question asks when its whole predicate is the described thing: "Who was the engineer who designed it?",
# "Which company was [the maker of X]?" (see ``asks_for_it``: not "In what year was [the label that ...] founded?").
ASKS_FOR_IT = re.compile(
    r"(?:(?:in|on|at|for|from|by|with)\s+)?(?:who|what|which)(?:\s+(?P<noun>\w+))?\s+(?:is|was|are|were)"
    r"(?:\s+(?:the\s+)?(?:(?:first|last|full|given|family|maiden)\s+)?(?:name|surname|title)\s+of)?",
    re.IGNORECASE,
)
# A question opening with a noun phrase that a relative clause describes: "The studio where the album was recorded".
OPENING_CLAUSE = re.compile(
    rf"{DETERMINERS}\s+(?:[\w'’-]+\s+){{0,4}}?(?:(?:on|in|at|by|with|from|for|of|to|under|near)\s+)?"
    r"(?:who|whom|whose|that|which|where|when)\s+",
    re.IGNORECASE,
)
# A relative clause without its pronoun: a noun phrase followed at once by another ("the instrument the project uses").
# A determiner and up to three words, none a preposition or a conjunction: where a described noun phrase opens.
# ("{{1,3}}": an f-string writes a regular expression's braces twice; "{1, 3}" would be a tuple's text.)
PHRASE_OPENING = rf"\b{DETERMINERS}\s+(?:(?!(?:of|in|on|at|for|to|from|with|by|and|or)\s)[a-z][\w'’-]*\s+){{1,3}}?"
REDUCED_RELATIVE = re.compile(PHRASE_OPENING + rf"(?={DETERMINERS}\s+\w+\s+[a-z]+)")
# A noun phrase described by a past participle and a name ("the project [led by Kenji Mori]", "the dam built on the
# Orre"): it ends where the name does, so the question can be cut around it wherever it stands.
PARTICIPLE_PHRASE = re.compile(
    PHRASE_OPENING
    + r"(?:[a-z]+ed|built|made|written|run|held|known|given|taken|drawn|shown|sold|bought|taught|kept|sent|won|begun|chosen)"
    r"\s+(?:by|in|at|on|for|from|with)\s+(?:the\s+)?[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*"
)
MAX_HEAD_WORDS = 5  # words between a determiner and the relative pronoun of its noun phrase ("the wool merchant who")
PREPOSITION_WORDS = frozenset(
    "in on at for from by with to of into after before during since under over about as throughout".split()
)
PREPOSITIONS = f"(?:{'|'.join(sorted(PREPOSITION_WORDS))})"
# A name: a title in quotes, or capitalised words (joined by "of", "&", "de", "and": "University of Chicago").
NAMED = r"(?:[\"“][^\"”]+[\"”]|[A-Z][\w'’.-]*(?:\s+(?:(?:of|de|and|&)\s+)?[A-Z0-9][\w'’.-]*)*)"
# A thing named by what it is to a name: "the founder of Varrowdale", "the lead singer of the band "Skyline"".
OF_NAME = re.compile(
    rf"\b{DETERMINERS}\s+(?:[a-z][\w'’-]*\s+){{0,2}}(?P<role>[a-z][\w'’-]*)\s+of\s+(?:the\s+)?"
    rf"(?:(?!{PREPOSITIONS}\s)[a-z][\w'’-]*\s+){{0,3}}?{NAMED}"
)
# The same by the name's possessive: "Varrowdale's founder", "James Henry Miller's wife" (the role is one word).
POSSESSIVE = re.compile(rf"(?<![\w'’]){NAMED}['’]s\s+(?P<role>[a-z][\w-]*)")
# What a name has that is a value or a part, no other thing with a name: "the population of Varrowdale".
ATTRIBUTES = frozenset(
    "name names title number amount part parts rest end start beginning middle kind type sort size length height "
    "width depth area population percentage share majority minority total cost price value date year time age "
    "nationality colour color profession occupation religion language genre century decade".split()
)
# Words after which a noun phrase has ended: auxiliaries, prepositions, question words and relative pronouns.
PHRASE_ENDS = (
    AUXILIARIES | PREPOSITION_WORDS | frozenset("than when where who which whom whose that what why how".split())
)
# A role that names no one thing: an abstract noun ("the formation of", "the design of") or a plural ("the plans of").
ABSTRACT = re.compile(r"(?:tion|sion|ment|ance|ence|ity|ness|ing|ure|ism|ship)$|[^su]s$")
WH_WORD = re.compile(r"\b(?:what|which|who|whom|whose|when|where|why|how)\b", re.IGNORECASE)


@dataclass
class BridgeQuestion:
    """A question about something it describes by a relative clause, cut in two: the question that names the
    described thing, and the start of the question to ask of it (its name goes after)."""

    described: str  # "What is the name of the man who founded Varrowdale?"
    asked_of: str  # "Who was the wife of "
    after: str = "?"  # what follows the described thing (" open?" in "In what year did [the museum ...] open?")
    named: bool = False  # named by what it is to a name ("the founder of Varrowdale"): its chain leads more rarely

    @classmethod
    def around(cls, text: str, start: int, end: int, named: bool = False) -> BridgeQuestion:
        """``text`` (a question without its "?") cut around the noun phrase from ``start`` to ``end``: the phrase asked
        for by name (which the reader gives more surely than asked "Who is ...?"), the rest asked of that name."""
        phrase = text[start:end]
        if not start and DETERMINER.match(phrase):  # "[t]he director of ... is based in what city"
            phrase = phrase[0].lower() + phrase[1:]
        return cls(
            described=f"What is the name of {phrase}?", asked_of=text[:start], after=f"{text[end:]}?", named=named
        )

    def about(self, name: str) -> str:
        """The question asked of the described thing, by its name ("Who was the wife of Edmund Carrow?")."""
        return f"{self.asked_of}{name}{self.after}"


def bridge_question(question: str) -> BridgeQuestion | None:
    """``question`` cut at the noun phrase it describes by a relative clause ("the wife of [the man who founded
    Varrowdale]", "the custodian of [the instrument the project uses]"); None when it has none or asks for that thing
    itself ("Who was the engineer who designed it?")."""
    opening = OPENING_CLAUSE.match(question)
    if opening:
        return opening_cut(question, opening.end())
    for pronoun in RELATIVE_PRONOUN.finditer(question):
        before = question[: pronoun.start()]
        heads = [m for m in DETERMINER.finditer(before) if len(before[m.start() :].split()) <= MAX_HEAD_WORDS]
        if heads:
            return clause_cut(question, heads[-1], pronoun)
    described = PARTICIPLE_PHRASE.search(question)
    if described:
        return participle_cut(question, described.start(), described.end())
    reduced = REDUCED_RELATIVE.search(question)
    return cut_at(question, reduced.start()) if reduced else named_thing(question)


def named_thing(question: str) -> BridgeQuestion | None:
    """``question`` cut around the thing it names by what it is to a name ("Where was [the founder of Varrowdale]
    born?", "What nationality was [James Henry Miller's wife]?"); None when it has none, when what it is is a value
    (``ATTRIBUTES``: "the population of Varrowdale") or no one thing (``ABSTRACT``), or when the question asks for
    that thing itself ("Who was the founder of Varrowdale?")."""
    text = question.rstrip(" ?")
    for found in (*OF_NAME.finditer(text), *POSSESSIVE.finditer(text)):
        prefix, after = text[: found.start()].strip(), text[found.end() :]
        role = found.group("role").casefold()
        if role in ATTRIBUTES or ABSTRACT.search(role) or not (prefix or WH_WORD.search(after)):
            continue
        end = found.end() if prefix else opening_end(text, found.end())
        if end is None or not phrase_ends(prefix, text[end:]):
            continue
        if asks_for_it(prefix):  # what follows describes it further: "Who is the head of X at Y?"
            return None
        return BridgeQuestion.around(text, found.start(), end, named=True)
    return None


def opening_end(text: str, end: int) -> int | None:
    """Where a named thing that opens a question ends, found to ``end``: before the question's own verb, up to two
    words further ("[Vessington's twin town] stands on which river?"); None when what comes there does not look like
    a verb (an auxiliary, or a word ending in "s" or "ed": "took office" cannot be told from "twin town")."""
    at = predicate_start(text, end)
    if at is None or len(text[end:at].split()) > 2:
        return None
    verb = WORD.match(text, at)
    looks_a_verb = verb is not None and (verb.group().casefold() in AUXILIARIES or verb.group().endswith(("s", "ed")))
    return len(text[:at].rstrip()) if looks_a_verb else None


def asks_for_it(prefix: str) -> bool:
    """Whether the words of a question before a noun phrase ask for that phrase's thing itself ("Who was", "Which
    company is", "What is the name of"), not for a value of it ("What nationality was", "In what year was":
    ``ATTRIBUTES``)."""
    asks = ASKS_FOR_IT.fullmatch(prefix)
    return asks is not None and (asks.group("noun") or "").casefold() not in ATTRIBUTES


def phrase_ends(prefix: str, after: str) -> bool:
    """Whether a noun phrase ends before ``after`` (the rest of a question without its "?"): nothing follows, or
    punctuation, or a word that opens no noun ("born in", "is based"), or the question's last word, its verb, when
    an auxiliary comes before the phrase ("Where was [the founder of Varrowdale] born"). Not before "merchant
    family" in "the house of the Baryczko merchant family is ...": the name is part of a longer phrase."""
    following = WORD.findall(after)
    if not prefix or not following or not after[:1].isspace():  # an opening phrase ends where ``opening_end`` says
        return True
    subject = prefix.split()[-1].casefold() in AUXILIARIES
    return following[0].casefold() in PHRASE_ENDS or (subject and len(following) == 1)


def participle_cut(question: str, start: int, end: int) -> BridgeQuestion | None:
    """``question`` cut around the noun phrase from ``start`` to ``end`` that a participle and a name describe ("When
    does the grant for [the project led by Kenji Mori] end?"); None when the question asks for that thing itself
    ("What is [the dam built on the Orre]?", not "Which year was [the dam built on the Orre] opened?")."""
    text = question.rstrip(" ?")
    prefix = text[:start].strip()
    if not prefix or (asks_for_it(prefix) and not text[end:].strip()):
        return None
    return BridgeQuestion.around(text, start, end)


def clause_cut(question: str, head: re.Match[str], pronoun: re.Match[str]) -> BridgeQuestion | None:
    """``question`` cut at the noun phrase from ``head`` (its determiner) that a relative clause from ``pronoun``
    describes. When the question word lies within the clause, its subject ("The Oberoi family is part of [a hotel
    company] that has a head office in what city?"), the phrase is named by the rest ("The Oberoi family is part of
    which hotel company?") and the clause asked of that name ("The Oberoi Group has a head office in what city?");
    else see ``cut_at``."""
    prefix, clause = question[: head.start()].strip(), question[pronoun.end() :].rstrip(" ?")
    opening = clause.split(maxsplit=1)[0]
    of_subject = pronoun.group(1).casefold() in {"who", "that", "which"} and opening.islower()
    if not prefix or WH_WORD.search(prefix) or not WH_WORD.search(clause):
        return cut_at(question, head.start())
    noun = question[head.end() : pronoun.start()].strip()
    if pronoun.group(1).casefold() == "whose":  # "a village whose largest quarry was worked until what year"
        return BridgeQuestion(described=f"{prefix} which {noun}?", asked_of="", after=f"'s {clause}?")
    if not of_subject:
        return cut_at(question, head.start())
    if opening.casefold() in PRONOUNS or DETERMINER.match(f"{opening} "):  # "that [she] wrote in what year"
        return cut_at(question, head.start())
    return BridgeQuestion(described=f"{prefix} which {noun}?", asked_of="", after=f" {clause}?")


def opening_cut(question: str, clause: int) -> BridgeQuestion | None:
    """``question`` that opens with a noun phrase a relative clause (ending at ``clause``) describes, its subject, cut
    where its own verb starts (``predicate_start``: "[The song that The Sable Kites covered] was written by whom?",
    "[The studio where the album was recorded] closed in what year?"); None when no question word follows the
    clause, or no word of it lies before the verb."""
    text = question.rstrip(" ?")
    at = predicate_start(text, clause)
    if at is None or not text[clause:at].strip():
        return None
    return BridgeQuestion.around(text, 0, len(text[:at].rstrip()))


def predicate_start(text: str, start: int) -> int | None:
    """Where the predicate of a question that opens with a noun phrase begins, looking from ``start`` (within the
    phrase) on: at the word before its question word (and that word's preposition), or at the auxiliary before that
    word ("was written by whom", "closed in what year"); None when no question word follows."""
    asks = WH_WORD.search(text, start)
    words = list(WORD.finditer(text, start, asks.start())) if asks else []
    while words and words[-1].group().casefold() in PREPOSITION_WORDS:
        words.pop()
    if not words:
        return None
    auxiliary = len(words) > 1 and words[-2].group().casefold() in AUXILIARIES
    return words[-2 if auxiliary else -1].start()


def cut_at(question: str, start: int) -> BridgeQuestion | None:
    """``question`` cut at the noun phrase from ``start`` to its end (see ``bridge_question``): the thing it describes
    is asked for by name ("What is the name of the man who founded Varrowdale?", which the reader answers with a
    name more surely than "Who is the man ...?"), for the name is what the second question is asked of. When the
    phrase is the question's subject ("did [the museum that ...] open?"), see ``subject_cut``."""
    text = question.rstrip(" ?")
    prefix = question[:start].strip()
    if not prefix or asks_for_it(prefix):
        return None
    if prefix.split()[-1].casefold() in AUXILIARIES:
        return subject_cut(text, start)
    return BridgeQuestion.around(text, start, len(text))


def subject_cut(text: str, start: int) -> BridgeQuestion | None:
    """``text`` (a question without its "?") cut at its subject, the noun phrase from ``start``, when one word, the
    question's verb, follows it ("In what year did [the museum that holds the portrait] open"), or a verb and its
    particle ("did [the band that recorded it] break up"); None when more follows, for where the phrase ends cannot
    be told without parsing."""
    head, _, verb = text.rpartition(" ")
    if verb.casefold() in PARTICLES and head[start:].count(" ") > 1:
        head, _, verb = head.rpartition(" ")
    last = head[start:].split()[-1:]
    if not verb.isalpha() or not verb.islower() or not last or DETERMINER.fullmatch(f"{last[0]} "):
        return None  # "did [the man who founded it] marry his wife": the phrase cannot end in "his"
    return BridgeQuestion.around(text, start, len(head))


WORD = re.compile(r"\w[\w'’]*(?:-\w[\w'’]*)*")
PARTICLES = frozenset("up down out off over away back on in".split())  # of a phrasal verb: "break up", "close down"
PRONOUNS = frozenset("i you we they he she it".split())
MIN_DESCRIBING_WORDS = 2  # content words a passage must lack for the phrase holding them to be read as a description


def described_elsewhere(question: str, passage: str) -> BridgeQuestion | None:
    """``question`` cut at the noun phrase it describes in words ``passage`` lacks: "Where does [the third-year PhD
    student] collect her peat samples?" over a passage that says where Laila Haddad collects them. The phrase holds
    the most of the question's content words that the passage lacks (at least MIN_DESCRIBING_WORDS), from the first
    to the last, with fewer words the passage holds among them. It opens at the determiner before them (at most
    MAX_HEAD_WORDS back, else right after the first); as the question's subject ("does the ...") it ends with the last
    of them, else with the question. None when there is no such phrase, or the question asks for the described thing
    itself."""
    text = question.rstrip(" ?")
    lacking, content = uncovered(question, passage), content_words(question)
    words = list(WORD.finditer(text))
    weights = [len(word_stems(w.group()) & lacking) - len(word_stems(w.group()) & content - lacking) for w in words]
    subject = asks_of_subject(words)
    if subject:
        weights[-1] = min(weights[-1], 0)  # after "does the ...", the last word is the question's verb
    best: tuple[int, int, int] | None = None  # (lacking words, first, last)
    for first in (i for i, weight in enumerate(weights) if weight > 0):
        held = count = 0
        for last in range(first, len(words)):
            held, count = held + max(-weights[last], 0), count + max(weights[last], 0)
            if weights[last] > 0 and held < count and count >= MIN_DESCRIBING_WORDS and (not best or count > best[0]):
                best = (count, first, last)
    if best is None:
        return None
    _, first, last = best
    return described_phrase(text, words, first, words[last].end() if subject else len(text))


def asks_of_subject(words: list[re.Match[str]]) -> bool:
    """Whether a question's first auxiliary comes before a noun phrase, its subject, not a pronoun ("What do I use
    ..."), and its last word is a verb after it ("When does the grant ... end"; a capitalised word is none: "Where
    was the practice ground ... before the Super Bowl")."""
    first = next((i for i, w in enumerate(words[:-1]) if w.group().casefold() in AUXILIARIES), None)
    subject = first is not None and words[first + 1].group().casefold() not in PRONOUNS
    return subject and words[-1].group().islower()


def described_phrase(text: str, words: list[re.Match[str]], first: int, end: int) -> BridgeQuestion | None:
    """``text`` cut at the phrase that ends at ``end`` and opens with the determiner before ``words[first]`` (or the
    one right after it) (see ``described_elsewhere``)."""
    near = range(max(0, first - MAX_HEAD_WORDS), min(first + 2, len(words)))
    heads = [i for i in near if DETERMINER.match(text, words[i].start())]
    if not heads:
        return None
    start = words[max((i for i in heads if i <= first), default=heads[0])].start()
    prefix = text[:start].strip()
    if not prefix or asks_for_it(prefix):
        return None
    return BridgeQuestion.around(text, start, end)


@dataclass
class Hop:
    """A second passage reached through a bridge name, and the place of that name in the first passage."""

    first: Passage
    second: Passage
    bridge: str
    bridge_start: int  # offset of the bridge name in the first passage's document


def hop_from(first: Passage, second: Passage, bridge: str) -> Hop | None:
    """The hop from ``first`` to ``second`` through ``bridge`` (None when either passage does not name it)."""
    at = first.text.find(bridge)
    if at < 0 or second.text.find(bridge) < 0:
        return None
    return Hop(first, second, bridge, first.start + at)


def read_hop(reader: Reader, question: str, hop: Hop, led: bool = False) -> list[ReaderSpan]:
    """The answers the reader finds when it reads the two passages of ``hop`` as one text, each at its place in the
    second passage (where the chain ends); an answer found only in the first was read there already. With ``led``,
    none when the best of them is found only in the first: reading both, the reader answers from the first."""
    joined = hop.first.text + JOINED + hop.second.text
    together = Passage(id="hop", document_id="hop", start=0, end=len(joined), text=joined)
    begins = len(hop.first.text) + len(JOINED)
    spans = []
    for rank, span in enumerate(reader.read(question, [together], top_n=10)):
        at = span.start - begins if span.start >= begins else hop.second.text.find(span.text)
        if at < 0 and led and not rank:
            return []
        if at < 0:
            continue
        start = hop.second.start + at
        spans.append(
            ReaderSpan(
                document_id=hop.second.document_id,
                passage_id=hop.second.id,
                start=start,
                end=start + len(span.text),
                text=span.text,
                score=span.score,
            )
        )
    return spans
