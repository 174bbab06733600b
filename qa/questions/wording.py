"""Chat wording the reader reads poorly ("Can you tell me who…", "the name of the person who…", a bare noun phrase), put
plainly."""

from __future__ import annotations

import re

from qa.questions.parts import capitalised

# A polite opening around the question itself: "Can you tell me", "Do you know", "I'd like to know", "Hi, quick
# question:", "Quick one -", "One more thing:"; what follows must be a question word or "the name(s) of", not
# "if"/"whether" (a yes/no question).
OPENING = re.compile(
    r"""^\s*(?:(?:hi|hey|hello|ok|okay|so|sorry|quick\s+(?:question|one)|(?:one\s+)?(?:more|last)\s+(?:thing|question)
        |question)\b[\s,!.:;–—-]*)*
        (?:please[\s,]+)?
        (?:(?:(?:can|could|would|will)\s+(?:you|u)\s+(?:please\s+)?
            (?:tell\s+me|remind\s+me|let\s+me\s+know|find\s+out|check)
          |(?:can|could)\s+(?:any|some)(?:one|body)\s+(?:please\s+)?tell\s+me
          |do\s+(?:you|u)\s+(?:happen\s+to\s+)?know
          |does\s+any(?:one|body)\s+know
          |i\s+(?:was|am|['’]m)\s+wondering
          |i(?:\s+am|['’]m)\s+trying\s+to\s+(?:find\s+out|remember|work\s+out|figure\s+out)
          |i(?:['’]d|\s+would)\s+like\s+to\s+know
          |i\s+(?:want|need)\s+to\s+know
          |(?:tell|remind)\s+me
          |any\s+idea)
        [\s,:]+(?:please[\s,]+)?)?
        (?=(?:what|who|whom|whose|which|when|where|why|how|the\s+names?\s+of)\b)""",
    re.IGNORECASE | re.VERBOSE,
)
# Thanks or a "please" after the question mark ("Who is the CFO? Thanks!"): courtesy, not part of what is asked.
COURTESY = re.compile(
    r"""(?<=\?)[ \t]*(?:(?:many\s+)?thanks(?:\s+(?:a\s+lot|in\s+advance|so\s+much))?|thank\s+you(?:\s+(?:so\s+much|in\s+advance))?
        |thx|cheers|ta|please|pls|much\s+appreciated)[\s!.,:)]*$""",
    re.IGNORECASE | re.VERBOSE,
)
# "What is the name of the person who approves trips?": a question that asks who.
NAME_OF_SOMEONE = re.compile(
    r"""^\s*(?:what|which)\s*(?:is|was|are|were|['’]s|['’]re)\s+the\s+(?:full\s+)?names?\s+of\s+the\s+
        (?:person|persons|people|man|men|woman|women|individual|individuals|one|ones)\s+(?:who|that)\b""",
    re.IGNORECASE | re.VERBOSE,
)

# A contraction typed without its apostrophe ("whats the garage VAT reg number", "who doesnt pay rent?"): the reader and
# the rules that read what a question asks ("what's", "n't") know it with one. Words that are words of their own
# ("cant", "wont", "hows" and "whys" as nouns) are left as they are.
TYPED_CONTRACTION = re.compile(
    r"(?<![\w'’-])(?:(?P<wh>what|who|where|when|that|there)s|(?P<verb>do|does|did|is|are|was|were|has|have|had|could"
    r"|should|would)nt)(?![\w'’-])",
    re.IGNORECASE,
)


def with_apostrophes(question: str) -> str:
    """``question`` with its contractions typed without an apostrophe given one ("whats" is "what's", "doesnt" is
    "doesn't")."""
    return TYPED_CONTRACTION.sub(
        lambda typed: f"{typed.group('wh')}'s" if typed.group("wh") else f"{typed.group('verb')}n't", question
    )


# A question typed as a bare noun phrase ("council tax band for the flat we rent?", "Purpose of Telnet"): no question
# word, no verb that asks or links ("is", "can", "does": a yes/no question, or a sentence to complete, "The symbol
# for mercuric oxide is?"), not opened by a verb that asks ("Name the …", "Tell me …"), a word that joins it to what
# came before ("and the CFO?") or a preposition, a number or a blank ("___"); not ended by a full stop (a sentence)
# or by a word that leaves it open ("… later models of"); two words or more.
QUESTION_WORD = re.compile(r"\b(?:what|which|who|whom|whose|when|where|why|how)\b", re.IGNORECASE)
LINKING_VERB = re.compile(
    r"\b(?:is|are|was|were|am|be|been|do|does|did|has|have|had|can|could|will|would|shall|should|may|might|must)\b"
    r"|n['’]t\b|_",
    re.IGNORECASE,
)
NOT_A_PHRASE_OPENING = re.compile(
    r"""^\W*(?:\d|(?:and|or|but|also|so|then|yes|no|ok|okay|thanks|thank|hi|hey|hello|please
        |name|list|give|tell|describe|explain|define|find|show|identify|state|compare|summarise|summarize|according
        |in|on|at|during|by|for|from|after|before|since|to|of|with|about|between|under|over|than|as|if|whether)\b)""",
    re.IGNORECASE | re.VERBOSE,
)
PHRASE_CUT_SHORT = re.compile(r"(?:\.|\b(?:of|to|in|on|at|by|for|from|with|the|a|an|and|or))\W*$", re.IGNORECASE)
DETERMINER_OPENING = re.compile(r"^(?:the|a|an|our|my|your|their|his|her|its|this|that|these|those)\b", re.IGNORECASE)


def phrase_asked(question: str) -> str:
    """``question`` asked as "What is …?" when it is a bare noun phrase (``QUESTION_WORD``, ``LINKING_VERB``,
    ``NOT_A_PHRASE_OPENING``, ``PHRASE_CUT_SHORT``): "council tax band for the flat?" is "What is the council tax
    band for the flat?", "Graham Teale's phone number" is "What is Graham Teale's phone number?" ("the" before a
    phrase that opens with a word in lower case and no determiner; an opening determiner in lower case). Any other
    question comes back as it is."""
    phrase = question.strip()
    if (
        len(phrase.split()) < 2
        or QUESTION_WORD.search(phrase)
        or LINKING_VERB.search(phrase)
        or NOT_A_PHRASE_OPENING.match(phrase)
        or PHRASE_CUT_SHORT.search(phrase)
    ):
        return question
    if opening := DETERMINER_OPENING.match(phrase):
        phrase = opening.group().lower() + phrase[opening.end() :]  # "The atomic number of …" within the question
    article = "the " if phrase[:1].islower() and not opening else ""
    return f"What is {article}{phrase.rstrip('?.!').rstrip()}?"


def plain_question(question: str) -> str:
    """``question`` as the reader reads best: without a polite opening before what it asks ("Can you tell me who
    heads Roscosmos?" is "Who heads Roscosmos?"; "Do you know the name of the CFO?" is "What is the name of the
    CFO?"), and asking "Who …" where it asks the name of the person who … ("What is the name of the person who
    approves trips?" is "Who approves trips?"), without thanks after its question mark, its contractions with their
    apostrophes (``with_apostrophes``). A question without such wording comes back as it is."""
    question = with_apostrophes(COURTESY.sub("", question))
    if (opening := OPENING.match(question)) and question[: opening.end()].strip():
        rest = question[opening.end() :]
        question = f"What is {rest}" if rest[:3].casefold() == "the" else capitalised(rest)
    if someone := NAME_OF_SOMEONE.match(question):
        question = "Who" + question[someone.end() :]
    return question
