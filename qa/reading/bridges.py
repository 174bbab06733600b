"""Bridge questions cut in two: one that names the thing a question describes (or the person a role answer gives),
one asked of that name."""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.reading.hops import content_words, looks_like_name, trimmed, uncovered, word_stems

DETERMINERS = r"(?i:the|an?|its|his|her|their|my|our|your)"  # what opens a noun phrase
# A relative pronoun after a noun ("the man who", "the company that's doing"; "who's" only before what opens a verb
# phrase: "during who's reign" asks whose); not after a conjunction ("... and who is the CFO?": a second ask)
# nor a preposition ("the unit of which quantity": a question word). "where" and a preposition with "which" or "whom"
# ("the town where", "the hills in which") only before what opens a clause: a noun phrase, a name or a pronoun (not
# "... in which year").
RELATIVE_PRONOUN = re.compile(
    r"(?<=\w)(?<!\band)(?<!\bor)(?<!\bbut)(?<!\bof)(?<!\bin)(?<!\bon)(?<!\bat)(?<!\bby)(?<!\bfor)(?<!\bto)"
    r"(?<!\bwith)(?<!\bfrom)\s+((?:that|which)['’](?:s|re|ve|d|ll)|who['’](?:s|re|ve|d|ll)(?=\s+(?:\w+ing|been|got|in|on"
    r"|at)\s)|who|whom|whose|that|which|(?:where|(?:in|on|at|from|by|for|with|under|to|through)"
    rf"\s+(?:which|whom))(?=\s+(?:{DETERMINERS}\s|(?-i:[A-Z])|(?:i|you|we|they|he|she|it)\s)))\s+(?=\w)",
    re.IGNORECASE,
)
DETERMINER = re.compile(rf"\b{DETERMINERS}\s")
AUXILIARIES = frozenset(
    "did does do will would can could is was are were has have had should must may might shall".split()
)
# What a question asks when its whole predicate is the described thing: "Who was the engineer who designed it?",
# "Which company was [the maker of X]?" (see ``asks_for_it``: not "In what year was [the label that ...] founded?").
ASKS_FOR_IT = re.compile(
    r"(?:(?:in|on|at|for|from|by|with)\s+)?(?:(?:who|what|which)['’]s|(?:who|what|which)(?:\s+(?P<noun>\w+))?\s+"
    r"(?:is|was|are|were))"
    r"(?:\s+(?:the\s+)?(?:(?:first|last|full|given|family|maiden)\s+)?(?:name|surname|title)\s+of)?",
    re.IGNORECASE,
)
# A question opening with a noun phrase that a relative clause describes: "The studio where the album was recorded".
OPENING_CLAUSE = re.compile(
    rf"{DETERMINERS}\s+(?:[\w'’-]+\s+){{0,4}}?(?:(?:on|in|at|by|with|from|for|of|to|under|near)\s+)?"
    r"(?:who|whom|whose|that|which|where|when)\s+",
    re.IGNORECASE,
)
# A relative clause without its pronoun: a noun phrase followed at once by another ("the instrument the project uses")
# or by a personal pronoun, the clause's subject ("the flat we rent from Graham Teale", "the part I should replace").
# A determiner and up to three words, none a preposition, a conjunction or an auxiliary ("the machine do I have to
# register"): where a described noun phrase opens.
# ("{{1,3}}": an f-string writes a regular expression's braces twice; "{1, 3}" would be a tuple's text.)
PHRASE_OPENING = (
    rf"\b{DETERMINERS}\s+(?:(?!(?:of|in|on|at|for|to|from|with|by|about|into|after|before|during|under|over|through|"
    rf"between|against|without|like|than|and|or|if|whether|unless|because|while|once|until|"
    rf"{'|'.join(sorted(AUXILIARIES))})\s)[a-z][\w'’-]*\s+){{1,3}}?"
)
CLAUSE_SUBJECT = rf"(?:{DETERMINERS}\s+\w+|I|(?i:we|you|they|he|she))"
REDUCED_RELATIVE = re.compile(PHRASE_OPENING + rf"(?={CLAUSE_SUBJECT}\s+[a-z]+)")
# A noun phrase described by a past participle and a name ("the project [led by Kenji Mori]", "the dam built on the
# Orre"): it ends where the name does, so the question can be cut around it wherever it stands.
IRREGULAR_PARTICIPLES = frozenset(
    "built made written run held known given taken drawn shown sold bought taught kept sent won begun chosen born "
    "led found done seen sung grown thrown worn hung set put cut".split()
)
PARTICIPLE_PHRASE = re.compile(
    PHRASE_OPENING + rf"(?:[a-z]+-)?(?:[a-z]+ed|{'|'.join(sorted(IRREGULAR_PARTICIPLES))})"
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
# Words after which a noun phrase has ended: auxiliaries, prepositions, question words and relative pronouns, and
# the words that open a predicate after a question's subject ("When is [Gareth's nephew] due to start?", "Is [the
# founder of X] likely to ...?", "When was [Lindholm's founder] supposed to arrive?").
PREDICATE_OPENINGS = frozenset("due going supposed meant expected scheduled set able likely allowed".split())
PHRASE_ENDS = (
    AUXILIARIES
    | PREPOSITION_WORDS
    | PREDICATE_OPENINGS
    | frozenset("than when where who which whom whose that what why how".split())
)
# A role that names no one thing: an abstract noun ("the formation of", "the design of") or a plural ("the plans of").
ABSTRACT = re.compile(r"(?:tion|sion|ment|ance|ence|ity|ness|ing|ure|ism|ship)$|[^su]s$")
WH_WORD = re.compile(r"\b(?:what|which|who|whom|whose|when|where|why|how)\b", re.IGNORECASE)
# A question asking how to reach whoever handles something, not naming them: "What number should I call if my machine
# shows error E7?", "Which extension do staff ring to order a monitor?", "What's the email to contact about repairs?"
CONTACT_DETAIL = re.compile(
    r"(?:what|which)(?:['’]s|\s+is)?\s+(?:the\s+)?(?P<detail>(?:(?:phone|telephone|mobile)\s+)?(?:number|extension)"
    r"|e-?mail(?:\s+address)?)\s+(?:(?:should|do|does|can|must|shall|would|could)\s+(?P<who>I|we|you|they|staff|"
    r"[a-z]+s)\s+|to\s+)(?:call|ring|phone|dial|e-?mail|contact|use|write\s+to)\s+(?P<purpose>(?:if|when|to|about|"
    r"for|after|in\s+case)\s+[^?]+?)\s*\?*",
    re.IGNORECASE,
)


@dataclass
class BridgeQuestion:
    """A question about something it describes by a relative clause, cut in two: the question that names the
    described thing, and the start of the question to ask of it (its name goes after)."""

    described: str  # "What is the name of the man who founded Varrowdale?"
    asked_of: str  # "Who was the wife of "
    after: str = "?"  # what follows the described thing (" open?" in "In what year did [the museum ...] open?")
    named: bool = False  # named by what it is to a name ("the founder of Varrowdale"): its chain leads more rarely
    form: str = ""  # what an answer to the question has ("@" of an email address); one without it is no answer

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
    itself ("Who was the engineer who designed it?"); a question asking how to reach whoever handles something is cut
    at them (``contact_question``)."""
    contact = contact_question(question)
    if contact is not None:
        return contact
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
    if reduced is None:
        return named_thing(question)
    return None if names_a_value(reduced.group()) else cut_at(question, reduced.start())


# What a clause may describe that is a value, not a thing with a name: "the most [we can claim]", "the price [we paid]"
VALUES = frozenset(
    "most least more less much many same amount number total sum price cost fee rate value date day time year age "
    "percentage share size length height weight distance".split()
)


def names_a_value(phrase: str) -> bool:
    """Whether a noun phrase a clause describes names a value (its last word one of VALUES), not a thing."""
    return phrase.split()[-1].casefold() in VALUES


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


MAX_CONTACT_WORDS = 4  # whoever handles something, named in a few words: "Brevano Customer Care", "the IT helpdesk"


def contact_question(question: str) -> BridgeQuestion | None:
    """``question`` asking for the number (or extension, or email address) by which to reach whoever handles something
    cut in two: who handles it ("Who should I contact if my machine shows error E7?"), a name another passage may
    give the number of ("What is the phone number of Brevano Customer Care?"); None for any other question."""
    found = CONTACT_DETAIL.fullmatch(question.strip())
    if found is None:
        return None
    detail = found.group("detail").casefold()
    detail = "email address" if "mail" in detail else detail if " " in detail else f"phone {detail}"
    who = found.group("who") or "I"
    return BridgeQuestion(
        described=f"Who should {who} contact {found.group('purpose')}?",
        asked_of=f"What is the {detail} of ",
        named=True,
        form="@" if detail == "email address" else r"\d",
    )


def can_name(cut: BridgeQuestion, text: str) -> bool:
    """Whether ``text`` can be what names the thing ``cut`` describes: a name, or for whoever handles something (a
    question asking for their number) also a few words in lower case ("IT helpdesk", "the front desk")."""
    return looks_like_name(text) or (bool(cut.form) and len(text.split()) <= MAX_CONTACT_WORDS)


def has_form(cut: BridgeQuestion, answer: str) -> bool:
    """Whether ``answer`` has what an answer to the cut question has (an email address its "@", a number its digits;
    any answer when the question asks for no such thing)."""
    return not cut.form or re.search(cut.form, answer) is not None


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
    word = re.split("['’]", pronoun.group(1))[0].casefold()  # "that" of "that's"
    of_subject = word in {"who", "that", "which"} and opening.islower()
    if not prefix or WH_WORD.search(prefix) or not WH_WORD.search(clause):
        return cut_at(question, head.start())
    noun = question[head.end() : pronoun.start()].strip()
    if word == "whose":  # "a village whose largest quarry was worked until what year"
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
    question's verb, follows it ("In what year did [the museum that holds the portrait] open"), a verb and its
    particle ("did [the band that recorded it] break up", "was [the company that made it] set up"), or a verb and its
    object of a determiner and a noun ("did [the man who founded it] marry his wife", "does [the teacher who's leading
    the trip] run their club in"), each perhaps followed by adverbs ("is [the connection that staff must use] cut off
    automatically"); None when more follows, for where the phrase ends cannot be told without parsing."""
    head, _, verb = without_trailing_adverbs(text).rpartition(" ")
    if verb.casefold() in PARTICLES and head[start:].count(" ") > 1:
        head, _, verb = head.rpartition(" ")
    if not asks_its_verb(text[:start].split()[-1], head.split()[-1], verb):  # "How long is [the river on which ...]"
        value = any(word.casefold() in ATTRIBUTES for word in text[start:].split()[1:MAX_HEAD_WORDS])  # "the last time"
        return None if value or asks_what_it_is(text[:start]) else BridgeQuestion.around(text, start, len(text))
    if DETERMINER.fullmatch(f"{head[start:].split()[-1]} ") and head[start:].count(" ") > 2:
        head, _, verb = head.rpartition(" ")[0].rpartition(" ")  # the object (its determiner, its noun) set apart
    last = head[start:].split()[-1:]
    if not verb.isalpha() or not verb.islower() or not last or DETERMINER.fullmatch(f"{last[0]} "):
        return None  # "did [the man who ...] give the boy a book": the phrase cannot end in "the"
    return BridgeQuestion.around(text, start, len(head))


ADVERB = re.compile(r"[a-z]{4,}ly")  # "automatically", "usually"; not "apply", "early"
NOT_ADVERBS = frozenset("supply comply multiply family assembly monopoly anomaly butterfly".split())


def without_trailing_adverbs(text: str) -> str:
    """``text`` without the adverbs that end it after its verb ("cut off [automatically]")."""
    words = text.split(" ")
    while len(words) > 1 and ADVERB.fullmatch(words[-1]) and words[-1] not in NOT_ADVERBS:
        words.pop()
    return " ".join(words)


def asks_its_verb(auxiliary: str, before: str, last: str) -> bool:
    """Whether a question whose subject follows ``auxiliary`` ends with its own verb, ``last`` (after ``before``):
    always after "did" or "has" ("did [...] open"); after "is" or "was" only a participle not the subject clause's own
    ("When was [the museum that holds it] opened", not "On which mountain is [the observatory where it was
    discovered]" nor "How long is [the river on which the town stands]")."""
    if auxiliary.casefold() not in COPULAS:
        return True
    participle = PARTICIPLE.fullmatch(last) is not None or last in IRREGULAR_PARTICIPLES
    return participle and before.casefold() not in AUXILIARIES


def asks_what_it_is(prefix: str) -> bool:
    """Whether the words before a question's subject ask what that thing is ("What was [the only thing that showed
    up]", "Which customers were [the only people who ...]"), not a value of it ("What size are", "On which mountain
    is", "How long is")."""
    asks = list(WH_WORD.finditer(prefix))[-1:]
    if not asks or asks[0].group().casefold() not in {"what", "which", "who", "whom"}:
        return False
    before, after = prefix[: asks[0].start()].split()[-1:], prefix[asks[0].end() :].split()[:1]
    return not (before and before[0].casefold() in PREPOSITION_WORDS) and not (
        after and after[0].casefold() in ATTRIBUTES
    )


WORD = re.compile(r"\w[\w'’]*(?:-\w[\w'’]*)*")
COPULAS = frozenset("is are was were".split())
PARTICIPLE = re.compile(r"[a-z]+(?:ed|en)")  # "opened", "written" (others: IRREGULAR_PARTICIPLES)
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


# What a person is to an organisation or a project: an answer ending in one ("the Finance Director", "Site lead",
# "Director of Operations") names no one when a question asks who.
PERSON_ROLES = frozenset(
    "director manager lead leader officer head chair chairman chairwoman chairperson sponsor engineer representative "
    "secretary treasurer coordinator administrator owner president vice-president minister governor mayor chief ceo "
    "cfo cto coo supervisor commissioner inspector captain editor principal headteacher headmaster headmistress "
    "teacher agent landlord landlady tenant architect contractor consultant accountant solicitor lawyer clerk "
    "controller analyst scientist researcher technician curator archivist librarian caretaker steward warden nurse "
    "doctor physician surgeon physiotherapist physio therapist practitioner pharmacist midwife paramedic dentist "
    "counsellor receptionist assistant trustee coach instructor tutor lecturer professor dean registrar bursar "
    "surveyor auditor planner designer developer electrician plumber chef vicar chaplain guide".split()
)
ASKS_WHO = re.compile(
    r"^(?:[^?]*[,;:–—-]\s+)?(?:who|whom)(?:['’]s)?\b|\b(?:name|names) of (?:the|our|my|your|this|that) "
    r"(?:person|man|woman|people)\b|\bwhich (?:person|member|colleague)\b|\bby name\b",
    re.IGNORECASE,
)
ROLE_OPENING = re.compile(rf"^{DETERMINERS}\s+")
MAX_ROLE_WORDS = 6  # "Northern District Operations Manager"; a longer answer is a description, not a role
PERSON_NAME = re.compile(r"^\D*\b[A-Z][a-z]\D*$")  # a capitalised word and no digit: "Gwen Parry", not "R-01"
ROLE_NEAR_NAME = 80  # characters between a name and its role in the passage that gives both


# A question asking which company or other body does something ("Which company can fit the gasket for me?"), and
# what answers it by a description in lower case ("our service partner"), not by a name: of the 483 answered
# training questions (SQuAD v1.1, QED, TyDi QA) that open so, 11 have such an answer ("government", "financial firms").
ASKS_WHICH_BODY = re.compile(
    r"^\W*(?:which|what)\s+(?:company|firm|organi[sz]ation|supplier|business|contractor|agency|provider|"
    r"manufacturer|shop|garage|bank|insurer|charity)\b",
    re.IGNORECASE,
)
MAX_DESCRIPTION_WORDS = 3  # "service partner", "local glazing firm"; a longer answer is a clause, not a description


def person_role(question: str, answer: str) -> str | None:
    """The role ``answer`` gives when ``question`` asks who and the answer is a role, not a person ("Who chairs the
    board?" answered "the Finance Director": "Finance Director", whose holder another passage may name), or asks which
    company and the answer describes one in lower case, without its name ("Which company can fit the gasket?"
    answered "Our service partner": "service partner", which another passage may name: "our authorised service
    partner, Kettleby Repairs"); else None."""
    role = ROLE_OPENING.sub("", trimmed(answer))
    if ASKS_WHO.search(question) and is_role(role):
        return role
    return role if ASKS_WHICH_BODY.search(question) and describes_one(role) else None


def describes_one(text: str) -> bool:
    """Whether ``text`` is a few words in lower case without a digit: what a thing is ("service partner"), no name."""
    words = text.split()
    return 0 < len(words) <= MAX_DESCRIPTION_WORDS and text.islower() and not any(c.isdigit() for c in text)


def is_role(text: str) -> bool:
    """Whether ``text`` names a role (its head word one of PERSON_ROLES: "Site lead", "Director of Operations")."""
    head = re.split(r"\s+(?:of|for|at|in)\s+", text, maxsplit=1)[0].split()
    return bool(head) and head[-1].casefold() in PERSON_ROLES and len(text.split()) <= MAX_ROLE_WORDS


def names_the_person(answer: str, role: str, passage: str) -> bool:
    """Whether ``answer``, read in ``passage`` for a role's name, is a person's name given there beside the role
    ("Helen Okafor (Director of Operations)", "Site lead: Gwen Parry"), not another role nor a code ("R-01", a
    risk's number in a register whose owner column gives the role)."""
    name = trimmed(answer)
    if not looks_like_name(answer) or is_role(ROLE_OPENING.sub("", name)) or not PERSON_NAME.search(name):
        return False
    roles = starts(passage.casefold(), role.casefold())  # the role may be named first elsewhere: "Treasurer's report"
    return any(abs(found - at) <= ROLE_NEAR_NAME for at in starts(passage, name) for found in roles)


def starts(text: str, part: str) -> list[int]:
    """Where ``part`` starts in ``text``, at every place it does."""
    return [found.start() for found in re.finditer(re.escape(part), text)] if part else []
