"""Bridge questions: where a question is cut around the thing it describes, and the two questions made of it."""

from __future__ import annotations

import pytest

from qa.reading.bridges import (
    bridge_question,
    can_name,
    contact_question,
    described_elsewhere,
    has_form,
    names_the_person,
    person_role,
)


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
        (  # the question's verb after its subject, then a particle and an adverb
            "After how long is the connection that remote staff must use for internal systems cut off automatically?",
            "What is the name of the connection that remote staff must use for internal systems?",
            "After how long is Tomas Brenner cut off automatically?",
        ),
        (
            "When was the company that made the engine set up?",
            "What is the name of the company that made the engine?",
            "When was Tomas Brenner set up?",
        ),
        (
            "When was the museum that holds the portrait opened officially?",
            "What is the name of the museum that holds the portrait?",
            "When was Tomas Brenner opened officially?",
        ),
        (  # a relative clause without its pronoun, a personal pronoun its subject
            "council tax band for the flat we rent from Graham Teale?",
            "What is the name of the flat we rent from Graham Teale?",
            "council tax band for Tomas Brenner?",
        ),
        (
            "What order code do I use to buy the part I should replace when the pump is loud?",
            "What is the name of the part I should replace when the pump is loud?",
            "What order code do I use to buy Tomas Brenner?",
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
        (  # the subject before a verb and its object, a determiner and a noun
            "When did the man who founded Lindholm marry his wife?",
            "What is the name of the man who founded Lindholm?",
            "When did Tomas Brenner marry his wife?",
        ),
        (  # ... and a particle
            "which room does the teacher who's leading the Year 8 trip run their club in?",
            "What is the name of the teacher who's leading the Year 8 trip?",
            "which room does Tomas Brenner run their club in?",
        ),
        (  # the subject, with a name after it: where its clause ends cannot be told
            "When did the man who founded Lindholm visit Paris?",
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
        (  # "where" and a preposition with "which" open a clause after a noun, before a name or a noun phrase
            "What was the population of the town where Ana Costa was born?",
            "What is the name of the town where Ana Costa was born?",
            "What was the population of Tomas Brenner?",
        ),
        (
            "What is the highest point of the hills in which the River Orre rises?",
            "What is the name of the hills in which the River Orre rises?",
            "What is the highest point of Tomas Brenner?",
        ),
        (  # after "is", the subject runs to the end unless a participle of the question's own ends it
            "How high is the observatory where the comet was discovered?",
            "What is the name of the observatory where the comet was discovered?",
            "How high is Tomas Brenner?",
        ),
        (
            "How tall is the building in which Quill Systems has its head office?",
            "What is the name of the building in which Quill Systems has its head office?",
            "How tall is Tomas Brenner?",
        ),
        (
            "Where was the astronomer who discovered the comet born?",
            "What is the name of the astronomer who discovered the comet?",
            "Where was Tomas Brenner born?",
        ),
        (  # after "is", a word that opens a predicate ends the subject
            "When is Gareth's nephew due to start his part of the job?",
            "What is the name of Gareth's nephew?",
            "When is Tomas Brenner due to start his part of the job?",
        ),
        (
            "When was Lindholm's founder supposed to arrive?",
            "What is the name of Lindholm's founder?",
            "When was Tomas Brenner supposed to arrive?",
        ),
        (  # a relative pronoun with its verb contracted
            "What's the phone number for the company that's doing our windows?",
            "What is the name of the company that's doing our windows?",
            "What's the phone number for Tomas Brenner?",
        ),
        (
            "What's the email of the person who's in charge of payroll?",
            "What is the name of the person who's in charge of payroll?",
            "What's the email of Tomas Brenner?",
        ),
        (  # "about" opens no described noun phrase ("the inventory say about the window"): the room is described
            "What does the inventory say about the window in Ciarán's room?",
            "What is the name of Ciarán's room?",
            "What does the inventory say about the window in Tomas Brenner?",
        ),
        (  # a participle with a prefix
            "How many employees does the software company co-founded by Ana Costa have?",
            "What is the name of the software company co-founded by Ana Costa?",
            "How many employees does Tomas Brenner have?",
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
    ("question", "described", "asked_of_a_name"),
    [
        (
            "What number should I call if my boiler shows fault F28?",
            "Who should I contact if my boiler shows fault F28?",
            "What is the phone number of Tomas Brenner?",
        ),
        (
            "Which extension do staff ring to order a second monitor?",
            "Who should staff contact to order a second monitor?",
            "What is the phone extension of Tomas Brenner?",
        ),
        (
            "What's the number to call about a lost parking permit?",
            "Who should I contact about a lost parking permit?",
            "What is the phone number of Tomas Brenner?",
        ),
        (
            "Which email address do we use for a refund?",
            "Who should we contact for a refund?",
            "What is the email address of Tomas Brenner?",
        ),
        (
            "What telephone number must tenants dial in case of a gas leak?",
            "Who should tenants contact in case of a gas leak?",
            "What is the telephone number of Tomas Brenner?",
        ),
    ],
)
def test_a_question_for_how_to_reach_whoever_handles_something_is_cut_at_them(question, described, asked_of_a_name):
    cut = bridge_question(question)
    assert cut is not None and (cut.described, cut.about("Tomas Brenner")) == (described, asked_of_a_name)
    assert cut.named  # whoever it is must be named before the number is asked of them


@pytest.mark.parametrize(
    ("question", "answer", "has_it"),
    [
        ("Which email address do we use for a refund?", "refunds@zoe.example", True),
        ("Which email address do we use for a refund?", "the IT helpdesk", False),  # names whom, not the address
        ("What number should I call if my boiler shows fault F28?", "0345 600 1212", True),
        ("What number should I call if my boiler shows fault F28?", "serial number", False),
        ("Who was the wife of the man who founded Lindholm?", "Elna Kvist", True),  # asks for no such form
    ],
)
def test_an_answer_to_a_contact_question_must_be_an_address_or_a_number(question, answer, has_it):
    cut = bridge_question(question)
    assert cut is not None and has_form(cut, answer) is has_it


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("IT helpdesk", True),
        ("the front desk", True),
        ("Brevano Customer Care", True),
        ("Stop using the machine, unplug it", False),
    ],
)
def test_whoever_handles_something_may_be_named_in_a_few_words_in_lower_case(text, names):
    contact = contact_question("What number should I call if my boiler shows fault F28?")
    assert contact is not None and can_name(contact, text) is names
    described = bridge_question("Who was the wife of the man who founded Lindholm?")
    assert described is not None and can_name(described, "the front desk") is False  # elsewhere a name is needed


@pytest.mark.parametrize(
    "question",
    [
        "What number should I call?",  # no purpose to ask who handles
        "What is the phone number of the IT Service Desk?",  # names whom to reach
        "Which number is printed on the label?",
        "What number should I enter if the form asks for a reference?",  # not a call
        "Who should I call if the boiler breaks down?",  # asks who, which the passage answers directly
    ],
)
def test_a_question_that_names_whom_to_reach_or_reaches_no_one_is_no_contact_question(question):
    assert contact_question(question) is None


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
        "In which year did the club move?",  # "in which" asks here: no clause follows
        "What was the only thing that showed up on the image?",  # "what was" asks what the subject is
        "When is the last time a fumble return touchdown happened in a Super Bowl?",  # a time, not a thing
        "Which customers were the only people who could stream the game?",
        "Relations with Tibet ended during who's reign?",  # "who's" for "whose", a question word
        "What was the final score of the game between the Panthers and the Seahawks?",  # a preposition: no clause
        "Within how many days of buying the machine do I have to register it?",  # "do I": the question's own subject
        "How much notice do we have to give the agent if we want to leave?",  # "if": a conjunction, no clause
        "What's the most we can claim back under the heating clause?",  # a value, not a thing with a name
        "What was the price we paid for the boiler?",
        "What population density did she say is the most the rainforest can sustain through hunting?",
    ],
)
def test_a_question_that_asks_for_what_it_describes_is_not_cut(question):
    assert bridge_question(question) is None


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
        ("Who's the third-year PhD student?", "Laila Haddad collects peat samples."),  # asks for it, as typed
        ("what's the name of our project sponsor on Millbrook?", "Risk Register. Scores are reported monthly."),
        ("Where do the samples go?", "Peat is frozen on site."),  # one word lacking describes nothing
        ("Which ice cream flavour sold best in the heatwave of 2022?", "Vanilla ice cream sold best."),  # no determiner
    ],
)
def test_no_description_is_cut_out_where_the_passage_lacks_none(question, passage):
    assert described_elsewhere(question, passage) is None


@pytest.mark.parametrize(
    ("question", "answer", "role"),
    [
        ("Who chairs the board the project manager reports to?", "the Finance Director", "Finance Director"),
        (
            "Can you tell me the name of the person acting as client representative?",
            "Operations Manager",
            "Operations Manager",
        ),
        ("The noise risk - who actually owns that, by name?", "Site lead", "Site lead"),
        ("Who is the sponsor?", "Director of Operations", "Director of Operations"),
        ("Who appoints the board?", "European Council", None),  # an organisation answers "who" itself
        ("Who chairs the board?", "Owen Brady", None),  # a person
        ("What is her job?", "Finance Director", None),  # no "who" asked
        ("Who runs the site?", "the engineer who was hired by the council in the spring of last year", None),
        # a company asked for, described in lower case: its name is asked for
        ("Which company can fit the gasket for me?", "Our service partner", "service partner"),
        ("What firm services the boiler?", "the installation partner", "installation partner"),
        ("Which company can fit the gasket for me?", "Kettleby Repairs", None),  # a name
        ("Which company can fit the gasket for me?", "anyone who has been trained to fit it", None),  # a clause
        ("Which gasket should I fit?", "the larger one", None),  # asks for no company
    ],
)
def test_a_role_given_for_who_is_asked_of_by_name(question, answer, role):
    assert person_role(question, answer) == role


@pytest.mark.parametrize(
    ("answer", "passage", "names"),
    [
        ("Owen Brady", "Attendees: Helen Okafor (Director of Operations); Owen Brady (Finance Director)", True),
        ("Gwen Parry", "Site lead: Gwen Parry (full-time on site from 7 July).", True),
        ("Helen Okafor", "Helen Okafor chaired. " + "Much else was said. " * 8 + "The Finance Director left.", False),
        # the role named first far from the name, then beside it: "## 4. Finance Director's report" above the officers
        ("Ann Lee", "Finance Director's report. " + "Much else was said. " * 8 + "- Finance Director: Ann Lee", True),
        ("Ann Lee", "Ann Lee spoke. " + "Much else was said. " * 8 + "Ann Lee is Finance Director.", True),
        ("Finance Director", "Owen Brady (Finance Director)", False),  # a role for a role
        ("the board", "the board (Finance Director)", False),  # no name
        ("R-01", "| R-01 | Supply interruption during outages | 10 | Site lead | Open |", False),  # a code, no person
    ],
)
def test_a_person_is_named_beside_the_role(answer, passage, names):
    assert names_the_person(answer, "Finance Director" if "Finance" in passage else "Site lead", passage) is names
