"""qa.reading.views: list items of a field's name and a short value read as sentences, every span mapped back to the passage."""

from __future__ import annotations

import pytest

from qa.documents.tables import table_rows, text_table_rows
from qa.reading.views import (
    ReadingView,
    item_ends,
    keyword_stems,
    of_another_row,
    reading_view,
    row_keys,
    rows_asked,
    spelt_out,
)

SPEC = (
    "## **Café Zoë 300** ##\n\n"
    "- Power: 1450 W, 220–240 V\n"
    "- Pump pressure: 15 bar\n"
    "- **Grant number:** CT-2023-118\n"
    "* **Période**: 1 octobre 2023 – 30 septembre 2025  \n"
    "- Zoë Ødegård: Kraków.\n"
    "Phone: 0800 414 2299\n"
    "- This line has far too many words before its colon: it is a sentence\n"
    "- 12: a number is no field's name\n"
    "- Note:no space after the colon\n"
    "- Covers: one research associate, fieldwork costs, staining reagents and microscope time."
)


def test_field_items_read_as_sentences_and_other_items_ended():
    assert reading_view(SPEC).text == (
        "## **Café Zoë 300** ##\n\n"
        "- Power of the Café Zoë 300 is 1450 W, 220–240 V.\n"
        "- Pump pressure of the Café Zoë 300 is 15 bar.\n"
        "- Grant number of the Café Zoë 300 is CT-2023-118.\n"
        "* Période of the Café Zoë 300 is 1 octobre 2023 – 30 septembre 2025.  \n"
        "- Zoë Ødegård of the Café Zoë 300 is Kraków.\n"
        "Phone: 0800 414 2299\n"
        "- This line has far too many words before its colon: it is a sentence.\n"
        "- 12: a number is no field's name.\n"
        "- Note:no space after the colon.\n"
        "- Covers: one research associate, fieldwork costs, staining reagents and microscope time."
    )


@pytest.mark.parametrize(
    "read, passage",
    [
        ("15 bar", "15 bar"),
        ("CT-2023-118.", "CT-2023-118"),  # the full stop the view added is no part of the passage
        ("Pump pressure of the Café Zoë 300 is 15 bar.", "Pump pressure: 15 bar"),
        ("Grant number of the Café Zoë 300 is CT-2023-118", "Grant number:** CT-2023-118"),
        ("Café Zoë 300 is 15 bar", "15 bar"),  # the heading's words added to the item are no part of it
        ("1 octobre 2023 – 30 septembre 2025", "1 octobre 2023 – 30 septembre 2025"),
        ("Kraków.", "Kraków."),
        ("0800 414 2299", "0800 414 2299"),
    ],
)
def test_a_span_of_the_view_maps_back_to_the_passages_own_characters(read, passage):
    assert behind(SPEC, read) == passage


def behind(text: str, read: str) -> str | None:
    """The characters of ``text`` behind the first ``read`` of its view; None when the view added them all."""
    return behind_view(reading_view(text), text, read)


@pytest.mark.parametrize(
    "text, read",
    [
        ("- Weight: 7.2 kg\n\n## Café Zoë", "- Weight is 7.2 kg."),  # a heading below describes what follows it
        ("## Café Zoë\n\n### Sizes\n\n- Weight: 7.2 kg", "- Weight of the Sizes is 7.2 kg."),  # the nearest
        ("## 4. Zoë’s café\n\n- Weight: 7.2 kg", "- Weight of the Zoë’s café is 7.2 kg."),  # less its number
        ("## 3.2 Sizes\n\n- Weight: 7.2 kg", "- Weight of the Sizes is 7.2 kg."),
        (
            "## What we measured in the first and second year of the study\n\n- Weight: 7.2 kg",
            "- Weight is 7.2 kg.",  # a long heading names no thing
        ),
    ],
)
def test_a_field_item_is_of_the_nearest_short_heading_above_it(text, read):
    assert read in reading_view(text).text


def test_a_bracketed_aside_does_not_make_a_value_long():
    text = "## Café Zoë\n\n- Phone: 0800 414 2299 (Monday to Friday, 8:00 to 18:00, closed on holidays)"
    assert "- Phone of the Café Zoë is 0800 414 2299 (Monday" in reading_view(text).text


def test_the_section_a_passage_starts_in_names_the_thing_of_its_first_items():
    text = "- Weight: 7.2 kg\n\n## Kraków\n\n- Weight: 9 kg"
    assert reading_view(text, [(-1, "Café Zoë")]).text == (
        "- Weight of the Café Zoë is 7.2 kg.\n\n## Kraków\n\n- Weight of the Kraków is 9 kg."
    )


def test_headings_the_document_gives_name_the_things_of_the_items_under_them():
    text = "- Weight: 7.2 kg\nKraków grinder\n- Weight: 9 kg"  # an HTML page's or a Word document's heading
    at = text.index("Kraków")
    assert reading_view(text, [(-1, "Café Zoë"), (at, "Kraków grinder")]).text == (
        "- Weight of the Café Zoë is 7.2 kg.\nKraków grinder\n- Weight of the Kraków grinder is 9 kg."
    )
    assert reading_view(text).text.endswith("- Weight is 9 kg.")


def test_a_span_of_added_characters_only_maps_to_nothing():
    view = reading_view("- Weight: 7.2 kg")
    added = view.text.index(" is ")
    assert view.original(added, added + 4) is None
    assert view.original(len(view.text) - 1, len(view.text)) is None  # the added full stop


def test_text_without_field_items_is_its_own_view():
    text = "Zoë’s café opened in 1911.\n\n- a list item;\n- Kraków.\n- its items:\n  - ended!"
    view = reading_view(text)
    assert view.text == text and view.origin == tuple(range(len(text)))


ITEMS = (
    "Our season in numbers\n"
    "- 412 rounds played\n"
    "- 96 members, including 31 juniors\n"
    "- The greens were cut\n  by volunteers\n"
    "- Fees rose by 4%\n"
    "Next season\n"
    "The club plans two new tees:\n"
    "1. a junior tee\n"
    "2) Zoë’s “short tee”\n"
    "## Kraków trip\n"
)


def test_a_list_item_that_ends_without_a_sentences_mark_is_read_with_one():
    heading = ITEMS.index("Next season")
    assert reading_view(ITEMS, [(heading, "Next season")]).text == (
        "Our season in numbers\n"
        "- 412 rounds played.\n"
        "- 96 members, including 31 juniors.\n"
        "- The greens were cut\n  by volunteers.\n"  # a line that carries the item on ends it
        "- Fees rose by 4%.\n"
        "Next season\n"  # a heading's line carries no item on
        "The club plans two new tees:\n"
        "1. a junior tee.\n"
        "2) Zoë’s “short tee”.\n"
        "## Kraków trip\n"
    )
    assert item_ends("- a\nwhich goes on in small letters") == [len("- a\nwhich goes on in small letters")]
    assert item_ends("- 2 hours\nThe next paragraph") == [len("- 2 hours")]
    assert item_ends("3.2 hours, or\n- Kraków;") == []  # prose that wraps before a number; an item ended by ";"


@pytest.mark.parametrize("read, passage", [("412 rounds played.", "412 rounds played"), (".", None)])
def test_a_span_of_an_ended_item_maps_back_without_its_added_full_stop(read, passage):
    assert behind(ITEMS, read) == passage


def test_a_table_row_of_a_name_and_a_short_value_is_read_as_a_field_item():
    text = (
        "Café Zoë grinder\n| Item | Details |\n|---|---|\n| Burr size | 64 mm |\n| Owner | Zoë Ødegård (since 2021) |\n"
        "| Code | Meaning | What to do |\n| 12 | a number is no name |\n| Notes | " + "word " * 12 + "|"
    )
    view = reading_view(text, [(0, "Café Zoë grinder")])
    assert view.text.split("\n")[1:6] == [
        "| Item | Details |",  # a header, above the rule
        "|---|---|",
        "Burr size of the Café Zoë grinder is 64 mm.",
        "Owner of the Café Zoë grinder is Zoë Ødegård (since 2021).",
        "| Code | Meaning | What to do |",  # three cells
    ]
    assert "| 12 | a number is no name |" in view.text and "| Notes | word" in view.text  # no name; a long value
    begin = view.text.index("64 mm")
    found = view.original(begin, begin + len("64 mm."))
    assert found is not None and text[found[0] : found[1]] == "64 mm"


TABLE = (
    "## Error codes\n\n"
    "| Code | Meaning | What to do |\n"
    "|------|---------|------------|\n"
    "| E3 | The water tank is empty. | Fill the tank. |\n"
    "| E7 | Pressure sensor fault | Call Zoë Ødegård |\n"
    "| E9 |  | Slide the drip tray back |  \n"
    "| E10 | too few cells |\n"
    "\nAfter the table."
)


def test_a_table_row_of_three_or_more_cells_is_read_as_what_it_says_of_its_first_cell():
    lines = reading_view(TABLE).text.split("\n")
    assert lines[2:9] == [
        "| Code | Meaning | What to do |",  # the header and the rule stay
        "|------|---------|------------|",
        "Code E3: E3's Meaning is The water tank is empty. E3's What to do is Fill the tank.",
        "Code E7: E7's Meaning is Pressure sensor fault; E7's What to do is Call Zoë Ødegård.",
        "Code E9: E9's What to do is Slide the drip tray back.  ",  # an empty cell is left out
        "E10 of the Error codes is too few cells.",  # two cells, not the header's three: a field item
        "",
    ]


@pytest.mark.parametrize(
    ("read", "passage"),
    [
        ("Call Zoë Ødegård", "Call Zoë Ødegård"),
        ("E7", "E7"),
        ("Pressure sensor fault;", "Pressure sensor fault"),  # the words between cells are no part of the passage
        (" is Slide the drip tray back.", "Slide the drip tray back"),
    ],
)
def test_a_span_of_a_table_row_maps_back_to_its_cell(read, passage):
    assert behind(TABLE, read) == passage


def test_the_first_cell_repeated_in_a_rows_sentence_maps_back_to_the_first_cell():
    view = reading_view(TABLE)
    repeated = view.text.index("E7's Meaning is")
    assert view.original(repeated, repeated + 2) == (TABLE.index("| E7 |") + 2, TABLE.index("| E7 |") + 4)
    said = repeated + len("E7")
    assert view.original(said, said + len("'s Meaning is ")) is None  # the column's name is added


def test_a_long_first_cell_is_not_repeated_in_its_rows_sentence():
    text = "| Item | Owner | Due |\n|---|---|---|\n| Replace the grinder burrs in Café Zoë | Zoë | 3 May |"
    assert reading_view(text).text.endswith("Item Replace the grinder burrs in Café Zoë: Owner is Zoë; Due is 3 May.")


def test_a_span_across_two_cells_maps_back_across_the_bar_between_them():
    view = reading_view(TABLE)
    begin = view.text.index("Pressure sensor fault")
    end = view.text.index("Call Zoë") + len("Call")
    found = view.original(begin, end)
    assert found is not None and " | " in TABLE[found[0] : found[1]]  # which the reader refuses (across_items)


def test_a_table_of_two_columns_is_not_read_as_rows():
    text = "| Item | Details |\n|---|---|\n| Grinder burrs are replaced every year by the owner | Zoë |"
    assert reading_view(text).text == text


OFFICES = (
    "| Office | Team days in the office |\n|---|---|\n| Carrow Wharf | Tuesday and Thursday |\n| Łódź | Monday |\n"
)


def test_a_table_of_two_columns_is_read_as_rows_when_the_question_asks_what_its_second_column_names():
    view = reading_view(OFFICES, asked=keyword_stems(["Which days do I have to be in at Carrow Wharf?"])[0])
    assert view.text.split("\n")[2:4] == [
        "Office Carrow Wharf: Carrow Wharf's Team days in the office is Tuesday and Thursday.",
        "| Łódź | Monday |",  # a row the question does not name stands as it is
    ]
    assert behind_view(view, OFFICES, "'s Team days in the office is Tuesday") == "Tuesday"
    fields = reading_view(OFFICES, asked=keyword_stems(["Where is Łódź?"])[0]).text  # asks no column: fields
    assert fields.split("\n")[2:4] == ["Carrow Wharf is Tuesday and Thursday.", "Łódź is Monday."]
    roles = "| Role | Who |\n|---|---|\n| Safeguarding lead | Zoë Tate |\n"
    asked = keyword_stems(["Who's our safeguarding lead?"])[0]  # "who" is the question's word, no column's name
    assert reading_view(roles, asked=asked).text.split("\n")[2] == "Safeguarding lead is Zoë Tate."


TIMELINE = (
    "## Hall works\n\n| Date | Milestone |\n|---|---|\n| 10 March | New boiler fitted |\n"
    "| Week of 24 March | Floor sanded |\n| 2 April | Hall reopens to hirers |\n"
)


def test_a_table_of_two_columns_whose_rows_open_with_values_is_read_as_rows_of_the_cell_the_question_names():
    lines = reading_view(TIMELINE, asked=keyword_stems(["When is the new boiler fitted?"])[0]).text.split("\n")
    assert lines[4:7] == [
        "Milestone New boiler fitted: New boiler fitted's Date is 10 March.",  # the row the question names
        "| Week of 24 March | Floor sanded |",  # a row that opens with a word: a row, not a field, as it stands
        "| 2 April | Hall reopens to hirers |",
    ]
    read = reading_view(TIMELINE, asked=keyword_stems(["What happens on 2 April?"])[0]).text
    assert "Date 2 April: 2 April's Milestone is Hall reopens to hirers." in read
    assert behind(TIMELINE, "'s Milestone is Hall reopens") == "Hall reopens"


LOG = (
    "SERVICE LOG\n\n"
    "Date          Mileage   Garage              Cost\n"
    "-----------   -------   -----------------   -------\n"
    "22 May 2019   9,880     Zoë's Garage (Kraków)   £169.00\n"
    "03 Sep 2024   56,920    Ødegård Motors       £178.00\n"
    "20 May 2025             Ødegård Motors      £401.75\n"
    "Notes: the next service is due in May 2026.\n"
    "\n"
    "TOTALS                               £748.75\n"
    "                                     -------   -------\n"
    "After the log."
)


def test_a_plain_text_table_in_columns_is_read_row_by_row_under_its_header():
    lines = reading_view(LOG).text.split("\n")
    assert lines[2:] == [
        "Date          Mileage   Garage              Cost",  # the header and the rule stay
        "-----------   -------   -----------------   -------",
        "Date 22 May 2019: 22 May 2019's Mileage is 9,880; 22 May 2019's Garage is Zoë's Garage (Kraków); "
        "22 May 2019's Cost is £169.00.",
        "Date 03 Sep 2024: 03 Sep 2024's Mileage is 56,920; 03 Sep 2024's Garage is Ødegård Motors; 03 Sep "
        "2024's Cost is £178.00.",
        "Date 20 May 2025: 20 May 2025's Garage is Ødegård Motors; 20 May 2025's Cost is £401.75.",  # an empty cell
        "Notes: the next service is due in May 2026.",  # words across the columns: the table has ended
        "",
        "TOTALS                               £748.75",  # a rule under two columns heads no table
        "                                     -------   -------",
        "After the log.",
    ]


@pytest.mark.parametrize(
    ("read", "passage"),
    [("Zoë's Garage (Kraków)", "Zoë's Garage (Kraków)"), ("56,920", "56,920"), (" is £401.75.", "£401.75")],
)
def test_a_span_of_a_plain_text_table_row_maps_back_to_its_cell(read, passage):
    assert behind(LOG, read) == passage


HEAD = "| ID | Risk | Owner |\n|---|---|---|"  # a table's head, in a passage before the rows below
ROWS = (
    "| R-02 | Asbestos in the pump hall | Zoë Ødegård |\n"
    "| R-03 | Energy saving not achieved | SCADA engineer |\n\nNotes on the risks follow."
)
LOG_HEAD = "Date          Mileage   Garage              Cost\n-----------   -------   -----------------   -------"


def test_rows_a_passage_opens_with_are_read_under_the_columns_an_earlier_passage_gives():
    rest = ROWS
    view = reading_view(rest, table_head=HEAD)
    assert view.text.split("\n")[:2] == [
        "ID R-02: R-02's Risk is Asbestos in the pump hall; R-02's Owner is Zoë Ødegård.",
        "ID R-03: R-03's Risk is Energy saving not achieved; R-03's Owner is SCADA engineer.",
    ]
    owner = view.text.index("Zoë Ødegård")
    found = view.original(owner, owner + len("Zoë Ødegård"))
    assert found is not None and rest[found[0] : found[1]] == "Zoë Ødegård"
    assert reading_view(rest).text == rest  # without the columns: the rows as they are


def test_rows_of_a_plain_text_table_a_passage_opens_with_are_read_under_the_head_an_earlier_passage_gives():
    rest = LOG[LOG.index("03 Sep 2024") :]
    view = reading_view(rest, table_head=LOG_HEAD)
    assert view.text.split("\n")[:3] == [
        "Date 03 Sep 2024: 03 Sep 2024's Mileage is 56,920; 03 Sep 2024's Garage is Ødegård Motors; 03 Sep "
        "2024's Cost is £178.00.",
        "Date 20 May 2025: 20 May 2025's Garage is Ødegård Motors; 20 May 2025's Cost is £401.75.",
        "Notes: the next service is due in May 2026.",
    ]
    cost = view.text.index("£401.75")
    found = view.original(cost, cost + len("£401.75"))
    assert found is not None and rest[found[0] : found[1]] == "£401.75"
    assert reading_view(rest, table_head=HEAD).text == rest  # a Markdown head does not fit plain-text rows


EQUIPMENT = (
    "| Room | Item | Serviced by | Next service |\n|---|---|---|---|\n"
    "| Room 3 | Ultrasound unit | Medequip Servicing Ltd | 14 April 2025 |\n"
    "| Room 4 | Radial shockwave unit (PW-400) | Pulsewave UK Ltd | 2 September 2025 |\n"
    "| Room 4 | Treatment couch | Medequip Servicing Ltd | 8 October 2025 |"
)


def read_for(question: str, text: str = EQUIPMENT) -> list[str]:
    return reading_view(text, asked=keyword_stems([question])[0]).text.split("\n")[2:]


def test_a_row_is_read_as_what_it_says_of_the_cell_the_question_names_it_by():
    lines = read_for("Which firm services our shockwave machine?")
    assert lines[1] == (
        "Item Radial shockwave unit (PW-400): Radial shockwave unit (PW-400)'s Room is Room 4; Radial shockwave unit "
        "(PW-400)'s Serviced by is Pulsewave UK Ltd; Radial shockwave unit (PW-400)'s Next service is 2 September 2025."
    )
    assert lines[0].startswith("| Room 3 |") and lines[2].startswith("| Room 4 | Treatment couch")  # as they stand
    view = reading_view(EQUIPMENT, asked=keyword_stems(["Which firm services our shockwave machine?"])[0])
    firm = view.text.index("Pulsewave UK Ltd")
    found = view.original(firm, firm + len("Pulsewave UK Ltd"))
    assert found is not None and EQUIPMENT[found[0] : found[1]] == "Pulsewave UK Ltd"
    named = view.text.index("Radial shockwave unit (PW-400)'s Room")
    found = view.original(named, named + len("Radial shockwave unit (PW-400)"))  # the key cell repeated: its own
    assert found is not None and EQUIPMENT[found[0] : found[1]] == "Radial shockwave unit (PW-400)"


def test_words_that_name_a_column_or_lie_in_several_rows_name_no_row():
    assert read_for("Who services the rooms?") == read_for("") == reading_view(EQUIPMENT).text.split("\n")[2:]
    lines = read_for("When is Medequip Servicing Ltd next due at the couch?")  # "Medequip": two rows; "couch": one
    assert lines[2].startswith("Item Treatment couch: Treatment couch's Room")
    assert lines[0].startswith("| Room 3 |") and lines[1].startswith("| Room 4 |")  # named less: as they stand
    keys = row_keys(table_rows(EQUIPMENT), keyword_stems(["When is Medequip Servicing Ltd next due at the couch?"])[0])
    assert keys == [0, 0, 1]  # the first row read (were it read) by its first cell: "Medequip" is in two rows


PARTS = (
    "PARTS\n"
    "Qty  Description                 Supplier                   Notes\n"
    "1    Front brake pads (set)      Midshire Motor Factors     –\n"
    "1    Front brake discs (pair)    Northgate Auto Parts       –\n"
    "1    Brake cleaner 500 ml        Workshop stock             Ordered with the pads for Mr Łukasz Żak\n"
)


def asked_rows(question: str, text: str = PARTS) -> list[bool]:
    return rows_asked(text_table_rows(text) + table_rows(text), keyword_stems([question])[0])


def test_only_the_rows_whose_cells_name_most_of_the_question_are_read_as_sentences():
    assert asked_rows("Which supplier sent the front brake pads?") == [True, False, False]
    assert asked_rows("Which supplier sent the brake discs?") == [False, True, False]
    view = reading_view(PARTS, asked=keyword_stems(["Which supplier sent the front brake discs?"])[0])
    assert "Front brake discs (pair)'s Supplier is Northgate Auto Parts" in view.text
    assert "1    Front brake pads (set)      Midshire Motor Factors     –\n" in view.text  # as it stands
    assert "Front brake pads (set)'s" not in view.text and "Brake cleaner 500 ml's" not in view.text
    at = view.text.index("Northgate Auto Parts")
    found = view.original(at, at + len("Northgate Auto Parts"))
    assert found is not None and PARTS[found[0] : found[1]] == "Northgate Auto Parts"


def test_a_row_that_holds_the_words_in_a_long_note_is_read_too():
    # "pads" names the first row; the third holds it in a note of more words than a name: both read
    assert asked_rows("Which supplier sent the pads?") == [True, False, True]


def test_every_row_is_read_when_the_question_names_none_or_only_columns():
    assert asked_rows("Who are our suppliers?") == asked_rows("") == [True, True, True]
    assert asked_rows("What do the notes say?") == [True, True, True]
    both = PARTS + "\n" + EQUIPMENT  # each table on its own: "couch" names no part
    assert asked_rows("Which supplier sent the brake discs for the couch?", both) == [
        False,
        True,
        False,
        False,
        False,
        True,
    ]


def test_rows_are_read_as_what_they_say_of_the_first_column_that_is_no_quantity():
    parts = (
        "| Qty | Part | Supplier |\n|---|---|---|\n| 1 | Brake pads | Ødegård Motors |\n| 1 | Oil filter | Żak Ltd |"
    )
    lines = reading_view(parts).text.split("\n")[2:]
    assert lines[0] == "Part Brake pads: Brake pads's Qty is 1; Brake pads's Supplier is Ødegård Motors."
    plots = "| Plot | Holder | Size |\n|---|---|---|\n| 14 | Zoë Osei | Half |\n| 15 | Ann Lee | Full |"
    assert reading_view(plots).text.split("\n")[2] == "Plot 14: 14's Holder is Zoë Osei; 14's Size is Half."
    rota = "| Date | Day | Volunteer |\n|---|---|---|\n| 2024-04-02 | Tue | Zoë |\n| 2024-04-02 | Tue | Ann |"
    assert reading_view(rota).text.split("\n")[2].startswith("Date 2024-04-02: 2024-04-02's Day is Tue;")  # no count


def test_a_row_whose_first_cell_is_empty_is_read_of_its_first_cell_that_is_not():
    quote = "| Item | Description | Price |\n|---|---|---|\n| 1 | Removal for Zoë | £420.00 |\n| | Subtotal | £630.00 |"
    view = reading_view(quote)
    assert view.text.split("\n")[3] == "Description Subtotal: Subtotal's Price is £630.00."
    said = view.text.index("Subtotal's")
    assert view.original(said, said + len("Subtotal")) == (quote.index("Subtotal"), quote.index("Subtotal") + 8)


CLAUSES = (
    "2. CHARGES\n"
    "2.1  Annual charge: £780 + VAT, payable by direct debit in twelve monthly\n"
    "     instalments of £65 + VAT.\n"
    "  10) Zoë’s grinder\n"
    "2.1.4. Łódź office\n"
    "The visit takes about\n"
    "2.5 hours, or\n"
    "1.5 Days\n"
)


def test_the_number_opening_a_clause_is_left_out_of_the_view():
    assert reading_view(CLAUSES).text == (
        "2. CHARGES.\n"  # a clause's line ends as a sentence
        "Annual charge: £780 + VAT, payable by direct debit in twelve monthly\n"
        "     instalments of £65 + VAT.\n"
        "  10) Zoë’s grinder.\n"  # a list item's number stays
        "Łódź office.\n"
        "The visit takes about\n"
        "2.5 hours, or\n"  # a number before a word in small letters opens no clause
        "Days.\n"
    )


SECTIONS = "You may carry over 5 days.\n8. Sickness absence\nAfter probation, full pay.\n## 10. Notice\nOne month.\n3 Bedrooms\n"


def test_the_number_opening_a_heading_is_left_out_of_the_view():
    given = ((-1, "7. Holidays"), (27, "8. Sickness absence"), (76, "3 Bedrooms"))  # as a Word document's sections
    view = reading_view(SECTIONS, given)
    assert view.text == (
        "You may carry over 5 days.\nSickness absence\nAfter probation, full pay.\n## Notice\nOne month.\n3 Bedrooms\n"
    )  # "3 Bedrooms": a number without its full stop is no section's
    assert behind_view(view, SECTIONS, "Sickness absence") == "Sickness absence"
    assert reading_view(SECTIONS).text == SECTIONS.replace("## 10. ", "## ").replace("absence\n", "absence.\n")


@pytest.mark.parametrize(
    "read, passage",
    [
        ("Annual charge: £780", "Annual charge: £780"),
        ("Zoë’s grinder", "Zoë’s grinder"),
        ("CHARGES.\nAnnual", "CHARGES\n2.1  Annual"),  # a span across a left-out number holds it
        ("2. CHARGES", "2. CHARGES"),
        ("grinder.\nŁódź", "grinder\n2.1.4. Łódź"),
    ],
)
def test_a_span_of_a_view_without_clause_numbers_maps_back_to_the_passages_own_characters(read, passage):
    assert behind(CLAUSES, read) == passage


def test_a_name_the_passage_is_about_is_read_above_it_and_maps_to_nothing():
    view = reading_view("3.1 The Tenant has paid a deposit of £1,100.", about="Flat 4, 12 Kestrel Lane, Łódź")
    assert view.text == "Flat 4, 12 Kestrel Lane, Łódź\n\nThe Tenant has paid a deposit of £1,100."
    assert view.original(0, view.text.index("\n")) is None  # the name is no part of the passage
    assert behind_view(view, "3.1 The Tenant has paid a deposit of £1,100.", "deposit of £1,100") == "deposit of £1,100"


def behind_view(view: ReadingView, text: str, read: str) -> str | None:
    """The characters of ``text`` behind the first ``read`` of ``view`` (its reading view); None when the view added
    them all."""
    begin = view.text.index(read)
    found = view.original(begin, begin + len(read))
    return None if found is None else text[found[0] : found[1]]


def test_the_tail_of_a_row_a_passage_opens_with_is_left_out():
    text = 'Chest sizes 28"–36" | £34.00 |\n\n| Tie | Zoë’s clip-on | – |\nShoes: black.'
    view = reading_view(text)
    assert view.text == "\n\n| Tie | Zoë’s clip-on | – |\nShoes: black." and "£34.00" not in view.text
    at = view.text.index("Zoë’s")
    found = view.original(at, at + len("Zoë’s clip-on"))
    assert found is not None and text[found[0] : found[1]] == "Zoë’s clip-on"
    for kept in ("| Tie | Clip-on | – |\nShoes", "Plain text | not a row", "  | a | b |\n"):
        assert reading_view(kept).text == kept


def test_keyword_stems_are_the_keyword_index_tokens_of_each_text_asked_again_or_not():
    from qa.store.rules import keyword_tokens

    texts = ["Who services the shockwave machines?", "", "Naïve café: 12,5 km — the runners' route", "The the a"]
    expected = [frozenset(tokens) for tokens in keyword_tokens(texts)]
    assert keyword_stems(texts) == expected
    assert keyword_stems(texts[::-1]) == expected[::-1]  # asked again, in another batch
    assert keyword_stems([]) == []


UNIFORM = (
    "Everyday uniform\n"
    "| Item | Details | Price |\n"
    "| --- | --- | --- |\n"
    '| Blazer | Navy with the school crest. Chest sizes 28"–36" | £34.00 |\n'
    '| Blazer (larger sizes) | Chest sizes 38"–46" | £38.00 |\n'
    "| Tie | Clip-on, in house colours (Brontë red, Calder green). Sold by the school office only. | – |\n"
    "| Jumper | Navy V-neck with crest | £16.50 |\n"
)


@pytest.mark.parametrize(
    ("question", "rows_of_others"),
    [
        ("How much is a school tie?", ["£34.00", "£38.00", "£16.50"]),  # its row gives no price: none answers
        ("How much is a blazer?", ["£38.00", "£16.50"]),  # the larger blazer's row names "larger sizes" too
        ("What does a blazer in larger sizes cost?", ["£16.50"]),  # both blazers' rows named
        ("Which item costs £16.50?", []),  # no row named: any may answer
        ("What does the uniform cost in all?", []),
    ],
)
def test_a_span_in_a_row_of_another_thing_than_the_rows_the_question_names_is_told(question, rows_of_others):
    asked = keyword_stems([question])[0]
    found = [
        price for price in ("£34.00", "£38.00", "£16.50") if of_another_row(UNIFORM, "", asked, UNIFORM.index(price))
    ]
    assert found == rows_of_others
    assert not of_another_row(UNIFORM, "", asked, UNIFORM.index("Everyday"))  # no row


def test_rows_of_a_passage_that_opens_within_a_table_are_told_under_its_head():
    asked = keyword_stems(["Who owns the energy saving risk R-03?"])[0]
    assert of_another_row(ROWS, HEAD, asked, ROWS.index("Zoë Ødegård"))  # the row of R-02
    assert not of_another_row(ROWS, HEAD, asked, ROWS.index("SCADA engineer"))
    dated = keyword_stems(["What did the service of 03 Sep 2024 cost?"])[0]  # a plain-text table's row by its date
    assert of_another_row(LOG, "", dated, LOG.index("£169.00")) and not of_another_row(
        LOG, "", dated, LOG.index("£178.00")
    )


@pytest.mark.parametrize(
    ("name", "whole"),
    [
        ("Wed 2", "Wednesday 2"),
        ("Thurs", "Thursday"),
        ("tue.", "tuesday"),
        ("Sept 2025", "September 2025"),
        ("JAN", "JANUARY"),
        ("Monitor", "Monitor"),
        ("Marketing", "Marketing"),
        ("May", "May"),
        ("Sat/Sun", "Saturday/Sunday"),
    ],
)
def test_a_columns_short_weekday_or_month_is_spelt_out(name, whole):
    assert spelt_out(name) == whole
