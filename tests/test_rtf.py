"""qa.documents.rtf: Rich Text Format files as lines of paragraphs, headings, list items and table rows."""

from __future__ import annotations

import pytest

from qa.documents.loading import load_document
from qa.documents.rtf import rtf_to_text
from qa.errors import DocumentError

# As Word and LibreOffice write one: a font table (a Cyrillic font among them), a style sheet (headings by outline
# level, by name, and a character style), metadata, a running header, then the body.
WORD_LIKE = (
    r"{\rtf1\ansi\ansicpg1252\deff0\uc1"
    r"{\fonttbl{\f0\froman\fcharset0 Times New Roman;}{\f1\fswiss\fcharset204 Arial Cyr;}"
    r"{\f2\froman\fcharset2 Symbol;}{\f3\fnil\fcharset0 Liberation Sans{\*\falt Arial};}}"
    r"{\colortbl;\red0\green0\blue0;}"
    r"{\stylesheet{\ql Normal;}{\s1\outlinelevel0\b\fs32 Report heading;}{\s2 heading 2;}"
    r"{\*\cs10 Default Paragraph Font;}{\s3 Title;}}"
    r"{\info{\title Boiler service report}{\author Zo\'eb Brandt}{\subject Servicing}}"
    r"{\header\pard\plain Riverside Housing \endash  confidential\par}"
    "\n"
    r"\pard\plain\s3 Boiler report\par"
    r"\pard\plain\s1 1. Findings\par"
    r"\pard\plain The engineer, Zo\'eb Brandt, serviced it \u8212\'97 see "
    r'{\field{\*\fldinst HYPERLINK "https://example.com"}{\fldrslt the log}}'
    r"{\*\bkmkstart x}.{\v  hidden note}{\footnote\pard Footnote text.\par} "
    r"{\f1 \'cf\'f0\'e8\'e2\'e5\'f2}, {\uc2\u20320\'c4\'e3\u22909\'ba\'c3} \u-10179?\u-8704?"
    "\r\n"
    r"\par"
    r"\pard\plain\s2 1.1 Readings\par"
    r"\pard\plain\ls1{\listtext\pard\plain\f2 \'b7\tab}Flue gas checked\par"
    r"{\listtext\pard\plain 2.\tab}Diverter valve replaced\par"
    r"\pard\plain\outlinelevel2 Table of readings\par"
    r"\trowd\trhdr\cellx2000\cellx4000\pard\intbl Reading\cell Value\cell\row"
    r"\trowd\cellx2000\cellx4000\pard\intbl CO | flue\cell 42\par ppm\cell\row"
    r"\trowd\cellx2000\cellx4000\pard\intbl Pressure\cell 1.2 bar\cell\row"
    r"\pard\plain Next service: May 2026.{\pict\pngblip 89504e470d0a}{\pict\bin8 }LEAK{ }}\par}"
)


def test_paragraphs_headings_lists_and_tables_are_lines_in_their_order():
    text, title, sections = rtf_to_text(WORD_LIKE.encode("ascii"))
    assert text == (
        "Boiler report\n"
        "1. Findings\n"
        "The engineer, Zoë Brandt, serviced it — see the log. Привет, 你好 😀\n"  # fallbacks skipped, a pair joined
        "1.1 Readings\n"
        "- Flue gas checked\n"  # a bullet
        "2. Diverter valve replaced\n"  # a number, as written
        "Table of readings\n"
        "| Reading | Value |\n| --- | --- |\n"  # the rule under a header row
        "| CO ¦ flue | 42 ppm |\n"  # a cell's paragraphs joined by a space
        "| Pressure | 1.2 bar |\n"
        "Next service: May 2026."
    )
    assert title == "Boiler service report"
    levels = [(s.title, s.level) for s in sections]
    assert levels == [("Boiler report", 1), ("1. Findings", 1), ("1.1 Readings", 2), ("Table of readings", 3)]
    assert all(text[s.start : s.start + len(s.title)] == s.title for s in sections)


def test_textedits_rtf_its_paragraphs_ended_by_escaped_line_breaks_is_read():
    textedit = (
        b"{\\rtf1\\ansi\\ansicpg1252\\cocoartf2761\n{\\fonttbl\\f0\\fswiss\\fcharset0 Helvetica;}\n"
        b"{\\*\\expandedcolortbl;;}\n\\pard\\tx566\\pardirnatural\\partightenfactor0\n\n"
        b"\\f0\\fs24 \\cf0 Caf\\'e9 opening hours\\\nWe open at 8am \\'96 Zo\\'eb has the keys.\\\n"
        b"\\ls1\\ilvl0 {\\listtext\t\\uc0\\u8226 \t}Espresso: \\'a32.20\\\n}"
    )
    text, title, sections = rtf_to_text(textedit)
    assert text == "Café opening hours\nWe open at 8am – Zoë has the keys.\n- Espresso: £2.20"
    assert (title, sections) == (None, [])


def test_an_rtf_file_loads_titled_by_its_metadata_else_its_first_line(tmp_path):
    (tmp_path / "report.rtf").write_bytes(WORD_LIKE.encode("ascii"))
    (tmp_path / "notes.rtf").write_bytes(rb"{\rtf1\ansi{\info{\title Untitled}}Gate code: 4417\par}")
    report, notes = load_document(tmp_path / "report.rtf"), load_document(tmp_path / "notes.rtf")
    assert report.title == "Boiler service report" and [s.title for s in report.sections or []][1] == "1. Findings"
    assert (notes.title, notes.text) == ("Gate code: 4417", "Gate code: 4417")  # "Untitled" is no title


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"Plain text named .rtf", "^not a Rich Text Format file \\(it does not begin with \\{\\\\rtf\\)$"),
        (rb"{\rtf1\ansi{\fonttbl{\f0 Arial;}}{\pict 0a0b}\par}", "^no text in it"),
    ],
    ids=["not-rtf", "no-words"],
)
def test_what_is_no_rtf_text_is_refused_in_one_line(tmp_path, data, reason):
    (tmp_path / "file.rtf").write_bytes(data)
    with pytest.raises(DocumentError, match=reason):
        load_document(tmp_path / "file.rtf")
