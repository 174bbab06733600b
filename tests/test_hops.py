"""Second-hop reading: which names lead elsewhere, and where the answers read through them are cited."""

from __future__ import annotations

import pytest
from conftest import citing

from qa.models import Answer, Citation, Passage
from qa.reading.hops import (
    Hop,
    bridge_names,
    bridges,
    completing,
    gives,
    hop_from,
    names_in_sentence,
    read_hop,
    uncovered,
)
from qa.testing.reader import ScriptedReader

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
        (  # a name with an inner capital goes on with the capitalised words after it
            "What postcode do customers post their returns to?",
            "Post it to our fulfilment partner, ParcelNest Fulfilment, not to TripDesk Support.",
            ["ParcelNest Fulfilment", "TripDesk Support"],
        ),
        (  # a name in capitals goes on with the words in capitals after it, one space apart
            "Who sent the brake pads?",
            "Job card of BRACKLEY ROAD GARAGE LTD — WORKSHOP JOB CARD. Supplier: Zoë’s Motor Factors",
            ["BRACKLEY ROAD GARAGE LTD", "WORKSHOP JOB CARD"],
        ),
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


def test_an_answer_gives_a_name_when_it_holds_it():
    assert gives("Dev Malhotra (Treasurer), Rosa", "Dev Malhotra")
    assert gives("edmund carrow.", "Edmund Carrow")
    assert not gives("San Jose", "San Jose State")


def test_whether_an_answer_was_read_in_a_sentence_naming_something():
    text = "Isolde Marrow was born in Port Ellery. In 1975 she married Teodor Halas, who was born in Ravno."
    own = Answer(text="Port Ellery", score=1.0, citations=[citing("Port Ellery", text)])
    his = Answer(text="Ravno", score=1.0, citations=[citing("Ravno", text)])
    assert not names_in_sentence(own, "Teodor Halas")  # read where Isolde Marrow's birth is told
    assert names_in_sentence(his, "Teodor Halas") and names_in_sentence(his, "Mr Halas")
    assert not names_in_sentence(his, "The Company")  # common capitalised words name nothing
    assert not names_in_sentence(Answer(text="Ravno", score=1.0, citations=[]), "Teodor Halas")
