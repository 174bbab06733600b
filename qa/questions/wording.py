"""Chat wording the reader reads poorly ("Can you tell me who…", "the name of the person who…"), put plainly."""

from __future__ import annotations

import re

from qa.questions.parts import capitalised

# A polite opening around the question itself: "Can you tell me", "Do you know", "I'd like to know", "Hi, quick
# question:"; what follows must be a question word or "the name(s) of", not "if"/"whether" (a yes/no question).
OPENING = re.compile(
    r"""^\s*(?:(?:hi|hey|hello|ok|okay|so|sorry|quick\s+question)\b[\s,!.:;-]*)*
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


def plain_question(question: str) -> str:
    """``question`` as the reader reads best: without a polite opening before what it asks ("Can you tell me who
    heads Roscosmos?" is "Who heads Roscosmos?"; "Do you know the name of the CFO?" is "What is the name of the
    CFO?"), and asking "Who …" where it asks the name of the person who … ("What is the name of the person who
    approves trips?" is "Who approves trips?"), without thanks after its question mark. A question without such
    wording comes back as it is."""
    question = COURTESY.sub("", question)
    if (opening := OPENING.match(question)) and question[: opening.end()].strip():
        rest = question[opening.end() :]
        question = f"What is {rest}" if rest[:3].casefold() == "the" else capitalised(rest)
    if someone := NAME_OF_SOMEONE.match(question):
        question = "Who" + question[someone.end() :]
    return question
