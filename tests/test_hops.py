"""Second-hop reading: which names lead elsewhere, and where the answers read through them are cited."""

from __future__ import annotations

import pytest
from conftest import citing

from qa.models import Answer, Citation, Passage
from qa.reading.hops import (
    Hop,
    bridge_names,
    bridge_question,
    bridges,
    completing,
    described_elsewhere,
    gives,
    hop_from,
    lacks_its_number,
    names_in_sentence,
    read_hop,
    uncovered,
)
from qa.reading.reader import ReaderSpan

SECURITY = "Multi-factor authentication (MFA) is required for TripDesk, company e-mail and the HR portal."
BRIDGE = "The Vell bridge was built in 1911 by Kvist & Sons of Zorblat. It is 140 metres long."
TABLE = "| Code | Meaning | What to do |\n| E7 | Internal pressure sensor fault. | Contact Brevano Customer Care. |"


@pytest.mark.parametrize(
    ("question", "text", "names"),
    [
        ("Which booking portal requires multi-factor authentication?", SECURITY, ["TripDesk", "HR"]),
        ("Who founded the company that built the Vell bridge?", BRIDGE, ["Kvist & Sons", "Zorblat"]),
        (
            "What number should I call if my machine shows error E7?",
            TABLE,
            ["Contact Brevano Customer Care", "Brevano Customer Care"],
        ),
        ("Who is Kvist & Sons?", "Kvist & Sons was founded in 1874.", []),
    ],
)
def test_a_bridge_is_a_name_the_passage_gives_and_the_question_does_not(question, text, names):
    assert bridge_names(question, text) == names


def test_the_best_answers_that_are_names_are_followed_first():
    question = "Who founded the company that built the Vell bridge?"
    assert bridges(question, ["Kvist & Sons.", "140 metres"], BRIDGE, limit=2) == ["Kvist & Sons", "Zorblat"]
    assert bridges(question, ["Zorblat"], BRIDGE, limit=1) == ["Zorblat"]


def test_uncovered_words_are_the_questions_content_words_the_passage_lacks():
    assert uncovered("Who founded the company that built the Vell bridge?", BRIDGE) == {"found", "compani"}
    assert uncovered("When was the Vell bridge built?", BRIDGE) == set()


class ScriptedReader:
    """A reader double: answers the given texts wherever they stand in the one passage it is handed."""

    def __init__(self, *answers: tuple[str, float]):
        self.answers = answers

    def read(self, question, passages, top_n=10):
        (passage,) = passages
        return [
            ReaderSpan(
                document_id=passage.document_id,
                passage_id=passage.id,
                start=passage.text.index(text),
                end=passage.text.index(text) + len(text),
                text=text,
                score=score,
            )
            for text, score in self.answers
            if text in passage.text
        ]


def passage(document: str, text: str, start: int) -> Passage:
    return Passage(id=f"{document}:0", document_id=document, start=start, end=start + len(text), text=text)


def test_answers_read_through_a_hop_are_cited_where_the_chain_ends():
    first = passage("bridge", BRIDGE, 40)
    second = passage("company", "Kvist & Sons is a builder. It was founded in 1874 by Elna Kvist.", 100)
    hop = hop_from(first, second, "Kvist & Sons")
    assert hop == Hop(first, second, "Kvist & Sons", 40 + BRIDGE.index("Kvist & Sons"))
    spans = read_hop(ScriptedReader(("Elna Kvist", 6.0), ("1911", 4.0), ("Kvist & Sons", 3.0)), "Who?", hop)
    assert [(s.text, s.passage_id) for s in spans] == [("Elna Kvist", "company:0"), ("Kvist & Sons", "company:0")]
    for span in spans:  # offsets in the second document; "1911", only in the first, was read there already
        assert second.text[span.start - second.start : span.end - second.start] == span.text


def test_a_hop_led_by_its_first_passage_gives_nothing_when_asked_to_be_led_by_the_second():
    first = passage("bridge", BRIDGE, 40)
    second = passage("company", "Kvist & Sons is a builder. It was founded in 1874 by Elna Kvist.", 100)
    hop = hop_from(first, second, "Kvist & Sons")
    assert hop is not None
    reader = ScriptedReader(("1911", 6.0), ("Elna Kvist", 4.0))  # the best, "1911", stands in the first only
    assert [s.text for s in read_hop(reader, "When?", hop)] == ["Elna Kvist"]
    assert read_hop(reader, "When?", hop, led=True) == []
    assert [s.text for s in read_hop(ScriptedReader(("Elna Kvist", 6.0)), "Who?", hop, led=True)] == ["Elna Kvist"]


def test_no_hop_when_a_passage_does_not_name_the_bridge():
    first = passage("bridge", BRIDGE, 0)
    assert hop_from(first, passage("town", "Zorblat is a town.", 0), "Kvist & Sons") is None


@pytest.mark.parametrize(
    ("question", "described", "asked_of_a_name"),
    [
        (
            "Who took over from the secretary who repaired the boathouse roof?",
            "What is the name of the secretary who repaired the boathouse roof?",
            "Who took over from Tomas Brenner?",
        ),
        (
            "Who was the wife of the man who founded Lindholm?",
            "What is the name of the man who founded Lindholm?",
            "Who was the wife of Tomas Brenner?",
        ),
        (
            "How much was awarded to the project that Ana Costa leads?",
            "What is the name of the project that Ana Costa leads?",
            "How much was awarded to Tomas Brenner?",
        ),
        (  # a relative clause without its pronoun
            "Who is the custodian of the instrument the soil project uses?",
            "What is the name of the instrument the soil project uses?",
            "Who is the custodian of Tomas Brenner?",
        ),
        (  # the same with a noun phrase of two words (up to three)
            "Who is the custodian of the gas analyser the soil project uses?",
            "What is the name of the gas analyser the soil project uses?",
            "Who is the custodian of Tomas Brenner?",
        ),
        (  # "which" as a question word first, then opening the clause
            "In which city is the firm which built the Orre dam based?",
            None,  # "which city is" reads as asking for the described thing itself
            None,
        ),
        (
            "In what year did the museum that holds the portrait open?",
            "What is the name of the museum that holds the portrait?",
            "In what year did Tomas Brenner open?",
        ),
        (  # a participle and a name describe it: the phrase ends with the name, wherever it stands
            "When does the grant for the project led by Ana Costa end?",
            "What is the name of the project led by Ana Costa?",
            "When does the grant for Tomas Brenner end?",
        ),
        (
            "When does the grant for the research project led by Ana Costa end?",
            "What is the name of the research project led by Ana Costa?",
            "When does the grant for Tomas Brenner end?",
        ),
        (  # "Which year was" asks for no described thing when a verb follows the phrase
            "Which year was the dam built on the Orre opened?",
            "What is the name of the dam built on the Orre?",
            "Which year was Tomas Brenner opened?",
        ),
        (
            "Who owns the company founded by Elon Musk?",
            "What is the name of the company founded by Elon Musk?",
            "Who owns Tomas Brenner?",
        ),
        (  # the subject, with more than one word after it: where its clause ends cannot be told
            "When did the man who founded Lindholm marry his wife?",
            None,
            None,
        ),
        (  # the question word within the clause: the phrase named by the rest, the clause asked of the name
            "Maren Holt designed a bridge that crosses which river?",
            "Maren Holt designed which bridge?",
            "Tomas Brenner crosses which river?",
        ),
        (
            "Lindholm is the home of a rowing club that was founded by whom?",
            "Lindholm is the home of which rowing club?",
            "Tomas Brenner was founded by whom?",
        ),
        (  # the subject before a verb and its particle
            "In what year did the band that recorded the album break up?",
            "What is the name of the band that recorded the album?",
            "In what year did Tomas Brenner break up?",
        ),
        (  # "In what year was" asks for a value of the described thing, not for the thing
            "In what year was the label that signed the band founded?",
            "What is the name of the label that signed the band?",
            "In what year was Tomas Brenner founded?",
        ),
        (  # opening the question, its subject: cut where its own verb starts
            "The song that Lena Voss covered on the radio was written by whom?",
            "What is the name of the song that Lena Voss covered on the radio?",
            "Tomas Brenner was written by whom?",
        ),
        (  # "where" and "whose" open such a clause too, after a preposition as well
            "The studio where the album was recorded closed in what year?",
            "What is the name of the studio where the album was recorded?",
            "Tomas Brenner closed in what year?",
        ),
        (
            "The river on whose west bank Lindholm lies rises in which hills?",
            "What is the name of the river on whose west bank Lindholm lies?",
            "Tomas Brenner rises in which hills?",
        ),
        (  # "whose" and the question word within its clause: the name's possessive
            "The stone came from a village whose largest quarry closed in what year?",
            "The stone came from which village?",
            "Tomas Brenner's largest quarry closed in what year?",
        ),
        (  # a thing named by what it is to a name
            "Where was the founder of Lindholm born?",
            "What is the name of the founder of Lindholm?",
            "Where was Tomas Brenner born?",
        ),
        (  # the same by the name's possessive
            "Where was Lindholm's founder born?",
            "What is the name of Lindholm's founder?",
            "Where was Tomas Brenner born?",
        ),
        (  # opening the question, the thing's name two words long: it ends before the question's verb
            "Lindholm's twin town stands on which river?",
            "What is the name of Lindholm's twin town?",
            "Tomas Brenner stands on which river?",
        ),
        (  # what a question word and a noun ask of it
            "What nationality was James Henry Miller's wife?",
            "What is the name of James Henry Miller's wife?",
            "What nationality was Tomas Brenner?",
        ),
        (  # opening the question, a title in quotes
            'The director of the film "Big Stone Gap" is based in what city?',
            'What is the name of the director of the film "Big Stone Gap"?',
            "Tomas Brenner is based in what city?",
        ),
    ],
)
def test_a_question_about_a_described_thing_is_cut_in_two(question, described, asked_of_a_name):
    cut = bridge_question(question)
    if described is None:
        assert cut is None
    else:
        assert cut is not None and (cut.described, cut.about("Tomas Brenner")) == (described, asked_of_a_name)


@pytest.mark.parametrize(
    "question",
    [
        "Who was the engineer who designed the Orre dam?",  # asks for the described thing itself
        "What is the name of the person who signs the forms?",
        "Which company can fit the yearly gasket?",  # no relative clause
        "Who founded Lindholm?",
        "Who heads the Security Office and who is the chief financial officer?",  # two asks, not a description
        "By whom was the SI unit of which quantity named after Tesla?",  # "which" asks here
        "Who gave the dog the bone?",  # two objects, no clause
        "What is the name of the river the town stands on?",
        "What is the dam built on the Orre?",  # a participle phrase, asked for itself
        "Who was the engineer of the dam built by 1890?",  # no name after the participle
        "Who was the founder of Lindholm?",  # asks for the thing named by what it is to a name
        "Who was Lindholm's founder?",
        "Who is the head of the Department of Geology at Tarnside?",
        "When did the population of Lindholm reach a million?",  # a value of the name, no thing with a name
        "Which president announced the formation of the Lindholm Rowing Club?",  # no one thing: an abstract noun
        "Which newspaper reported on Lindholm's plans for the harbour?",  # nor a plural
        "What was Lindholm's population in 2021?",
        "In which year did the University of Chicago open?",  # "of" within a name
        "Lindholm's mayor took office in what year?",  # "took office" cannot be told from "twin town"
    ],
)
def test_a_question_that_asks_for_what_it_describes_is_not_cut(question):
    assert bridge_question(question) is None


SESSIONS = "Harrowgate Connect sessions are disconnected automatically after 10 hours."
REMOTE = "Remote staff must use Harrowgate Connect for every internal system."


def cited_at(document: str, text: str, quote: str) -> Citation:
    """The citation of ``quote`` in a passage of ``text`` starting at offset 100 of its document."""
    return citing(quote, text, passage_start=100, document_id=document, passage_id=f"{document}:0")


def test_the_passage_that_says_what_the_answers_passage_leaves_out_is_found_through_a_shared_name():
    question = "After how long is the connection that remote staff must use for internal systems cut off?"
    cited, other = passage("security", SESSIONS, 100), passage("remote", REMOTE, 0)
    unrelated = passage("travel", "Remote staff book trips in TripDesk for internal meetings.", 0)
    answer = cited_at("security", SESSIONS, "10 hours")
    assert completing(question, answer, [cited, unrelated, other]) == (other, "Harrowgate Connect")
    aside = passage("intranet", "Remote staff and internal systems are listed. Harrowgate Connect is a tool.", 0)
    assert completing(question, answer, [cited, aside]) is None  # what it says of the name is not what is missing


@pytest.mark.parametrize(
    ("question", "others"),
    [
        ("How long are Harrowgate Connect sessions?", [REMOTE]),  # the answer's passage says all the question asks
        ("After how long is the connection remote staff use cut off?", [REMOTE.replace("Harrowgate Connect", "a VPN")]),
        ("After how long is the connection that remote staff must use for internal systems cut off?", [SESSIONS]),
        ("After how long is the Harrowgate Connect connection that remote staff must use cut off?", [REMOTE]),
    ],
    ids=["nothing missing", "no shared name", "same document", "the name is the question's own"],
)
def test_no_completing_passage_without_missing_words_a_linking_name_or_another_document(question, others):
    candidates = [passage("security" if text == SESSIONS else "remote", text, 200) for text in others]
    assert completing(question, cited_at("security", SESSIONS, "10 hours"), candidates) is None


def test_the_linking_name_must_be_in_the_answers_sentence():
    question = "After how long is the connection that remote staff must use for internal systems cut off?"
    text = "Harrowgate Connect is the company VPN. Sessions are disconnected automatically after 10 hours."
    other = passage("remote", REMOTE, 0)
    assert completing(question, cited_at("security", text, "10 hours"), [other]) is None
    assert completing(question, cited_at("security", text, "VPN"), [other]) == (other, "Harrowgate Connect")


def test_the_completing_sentence_comes_with_its_own_place_in_its_document():
    question = "After how long is the connection that remote staff must use for internal systems cut off?"
    text = f"Staff may work from home two days a week. {REMOTE} Laptops are encrypted."
    found = completing(question, cited_at("security", SESSIONS, "10 hours"), [passage("remote", text, 50)])
    assert found is not None
    said, name = found
    assert (said.text, name) == (REMOTE, "Harrowgate Connect")
    assert text[said.start - 50 : said.end - 50] == REMOTE and said.id == "remote:0"


def test_the_heading_an_answer_sits_under_links_it_and_a_table_row_is_read_whole():
    question = "What number should I call if my machine shows error E7?"
    text = "Phone: 0800 414 2299 (Monday to Friday, 8:00 to 18:00)"
    row = "| E7 | The machine shows a pressure error. | Unplug it and contact Brevano Customer Care. |"
    table = passage("troubleshooting", f"| Code | Meaning | What to do |\n{row}", 0)
    under = citing("0800 414 2299", text, document_id="warranty", section="Brevano Customer Care")
    found = completing(question, under, [table])
    assert found is not None and (found[0].text, found[1]) == (row, "Brevano Customer Care")
    assert completing(question, under.model_copy(update={"section": None}), [table]) is None


def test_the_answer_is_no_link_to_itself():
    question = "Which connection must remote staff use for internal systems after the upgrade?"
    text = "After the upgrade, sessions run on Harrowgate Connect."
    answer = cited_at("security", text, "Harrowgate Connect")
    assert completing(question, answer, [passage("remote", REMOTE, 0)]) is None


@pytest.mark.parametrize(
    ("question", "passage", "described", "asked_of_a_name"),
    [
        (  # the subject, described by words the passage lacks
            "Where does the third-year PhD student collect her peat samples?",
            "Peat samples are collected at Marsh End Moss. It is Laila Haddad's PhD project.",
            "What is the name of the third-year PhD student?",
            "Where does Tomas Brenner collect her peat samples?",
        ),
        (  # after "does ...", the last word is the question's verb, not part of the description
            "When does the grant for the project led by Kenji Mori end?",
            "The SOILCLOCK grant runs from 1 October 2023 to 30 September 2025.",
            "What is the name of the project led by Kenji Mori?",
            "When does the grant for Tomas Brenner end?",
        ),
        (
            "Which form do I fill in to borrow the projector kept in the basement store?",
            "Fill in form B7 to borrow any equipment.",
            "What is the name of the projector kept in the basement store?",
            "Which form do I fill in to borrow Tomas Brenner?",
        ),
        (  # a particle ending the question goes with the phrase
            "Which extension do I ring for a headset to be sent out?",
            "Ring extension 2200 for help.",
            "What is the name of a headset to be sent out?",
            "Which extension do I ring for Tomas Brenner?",
        ),
    ],
)
def test_a_thing_described_in_words_its_passage_lacks_is_cut_out(question, passage, described, asked_of_a_name):
    cut = described_elsewhere(question, passage)
    assert cut is not None and (cut.described, cut.about("Tomas Brenner")) == (described, asked_of_a_name)


def test_a_capitalised_last_word_is_no_verb_to_leave_after_the_name():
    question = "Where was the practice ground the Panthers used before the Super Bowl?"
    cut = described_elsewhere(question, "The Panthers stayed at the San Jose Marriott.")
    assert cut is not None and cut.about("Tomas Brenner") == "Where was Tomas Brenner?"


@pytest.mark.parametrize(
    ("question", "passage"),
    [
        ("What year did the Normans conquer England?", "In 1066 the Normans conquered England."),  # nothing lacking
        ("Who is the third-year PhD student?", "Laila Haddad collects peat samples."),  # asks for it
        ("Where do the samples go?", "Peat is frozen on site."),  # one word lacking describes nothing
        ("Which ice cream flavour sold best in the heatwave of 2022?", "Vanilla ice cream sold best."),  # no determiner
    ],
)
def test_no_description_is_cut_out_where_the_passage_lacks_none(question, passage):
    assert described_elsewhere(question, passage) is None


def test_an_answer_gives_a_name_when_it_holds_it():
    assert gives("Dev Malhotra (Treasurer), Rosa", "Dev Malhotra")
    assert gives("edmund carrow.", "Edmund Carrow")
    assert not gives("San Jose", "San Jose State")


@pytest.mark.parametrize(
    ("question", "answer", "lacks"),
    [
        ("In what year was the label founded?", "Tallwater Records", True),
        ("In what year was the label founded?", "1978", False),
        ("How many people work there?", "about two thousand", False),
        ("How much was awarded?", "£412,000", False),
        ("Who founded the label?", "Tallwater Records", False),  # asks for no number
    ],
)
def test_an_answer_without_the_number_its_question_asks_for_is_of_another_kind(question, answer, lacks):
    assert lacks_its_number(question, answer) is lacks


def test_whether_an_answer_was_read_in_a_sentence_naming_something():
    text = "Isolde Marrow was born in Port Ellery. In 1975 she married Teodor Halas, who was born in Ravno."
    own = Answer(text="Port Ellery", score=1.0, citations=[citing("Port Ellery", text)])
    his = Answer(text="Ravno", score=1.0, citations=[citing("Ravno", text)])
    assert not names_in_sentence(own, "Teodor Halas")  # read where Isolde Marrow's birth is told
    assert names_in_sentence(his, "Teodor Halas") and names_in_sentence(his, "Mr Halas")
    assert not names_in_sentence(his, "The Company")  # common capitalised words name nothing
    assert not names_in_sentence(Answer(text="Ravno", score=1.0, citations=[]), "Teodor Halas")
