import json

import pytest

from eval.document_formats import convert, list_style
from qa.documents.loading import load_document

MARKDOWN = """# Brevano Duo 300: Warranty

Repairs are done by our *authorised* service partner, **Kettleby Repairs**.

## Contacts

- **Phone:** 0800 414 2299
- **Hours:** Monday to Friday
  - nested item

1. Unplug it.
2. Wait.

| Code | Meaning |
|---|---|
| E7 | Sensor fault |
"""

LINES = [
    "Brevano Duo 300: Warranty",
    "Repairs are done by our authorised service partner, Kettleby Repairs.",
    "Contacts",
    "- Phone: 0800 414 2299",
    "- Hours: Monday to Friday",
    "- nested item",
    "1. Unplug it.",
    "2. Wait.",
    "| Code | Meaning |",
    "| --- | --- |",
    "| E7 | Sensor fault |",
]


@pytest.fixture
def markdown_set(tmp_path):
    data = tmp_path / "set" / "cross_documents.jsonl"
    (data.parent / "cross_documents" / "manual").mkdir(parents=True)
    (data.parent / "cross_documents" / "manual" / "warranty.md").write_text(MARKDOWN, encoding="utf-8")
    question = {"id": "m1", "collection": "manual", "kind": "single", "question": "Who repairs it?"}
    data.write_text(json.dumps({**question, "documents": ["warranty.md"]}) + "\n", encoding="utf-8")
    return data


@pytest.mark.parametrize("to", ["html", "docx"])
def test_a_converted_document_loads_as_the_lines_the_markdown_shows(markdown_set, tmp_path, to):
    converted = convert(markdown_set, to, tmp_path / to)
    document = load_document(tmp_path / to / "cross_documents" / "manual" / f"warranty.{to}")
    assert document.text.split("\n") == LINES
    assert [s.title for s in document.sections] == ["Brevano Duo 300: Warranty", "Contacts"]
    assert json.loads(converted.read_text(encoding="utf-8"))["documents"] == [f"warranty.{to}"]


@pytest.mark.parametrize(("layout", "chrome"), [("landmarks", "<nav"), ("tables", "<td width")])
def test_a_page_of_a_site_loads_as_its_own_text_with_the_site_around_it(markdown_set, tmp_path, layout, chrome):
    convert(markdown_set, "html", tmp_path / "site", sites=layout)
    page = tmp_path / "site" / "cross_documents" / "manual" / "warranty.html"
    html = page.read_text(encoding="utf-8")
    assert chrome in html and "footer" in html and "Manual intranet" in html
    document = load_document(page)
    assert document.text.split("\n") == LINES
    assert document.title == "Brevano Duo 300: Warranty"


def test_list_styles_by_depth():
    assert list_style([]) is None
    assert list_style(["List Bullet"]) == "List Bullet"
    assert list_style(["List Number", "List Bullet"]) == "List Bullet 2"


def test_a_converted_pdf_keeps_its_bullets_headings_and_title(markdown_set, tmp_path):
    convert(markdown_set, "pdf", tmp_path / "pdf")
    document = load_document(tmp_path / "pdf" / "cross_documents" / "manual" / "warranty.pdf")
    paragraphs = document.text.split("\n\n")
    assert paragraphs[:5] == [LINES[0], LINES[1], "Contacts", "• Phone: 0800 414 2299", "• Hours: Monday to Friday"]
    assert document.title == "Brevano Duo 300: Warranty"
    assert [s.title for s in document.sections] == ["Contacts"]  # the largest first line is the title
    assert paragraphs[-1] == "\n".join(LINES[-3:])  # the table under its bold header row, ruled off as in Markdown


def test_field_lists_become_tables_of_two_columns():
    from eval.document_formats import fields_as_tables

    assert fields_as_tables("## Grant\n\n- **Award:** £412,000\n- Period: 2023–2026\n\nText.") == (
        "## Grant\n\n| Item | Details |\n|---|---|\n| Award | £412,000 |\n| Period | 2023–2026 |\n\nText."
    )


def test_a_plain_text_document_is_copied_as_it_is_and_keeps_its_name(markdown_set, tmp_path):
    letter = markdown_set.with_suffix("") / "manual" / "letter.txt"
    letter.write_text("Dear Zoë,\nyour repair is booked.\n", encoding="utf-8")
    question = {"id": "m2", "collection": "manual", "kind": "single", "question": "Who wrote?"}
    parts = [{"question": "Who?", "documents": ["warranty.md"]}, {"question": "When?", "documents": ["letter.txt"]}]
    with markdown_set.open("a", encoding="utf-8") as lines:
        lines.write(json.dumps({**question, "documents": ["letter.txt", "warranty.md"], "parts": parts}) + "\n")
    converted = convert(markdown_set, "html", tmp_path / "html")
    assert (tmp_path / "html" / "cross_documents" / "manual" / "letter.txt").read_bytes() == letter.read_bytes()
    written = json.loads(converted.read_text(encoding="utf-8").splitlines()[1])
    assert written["documents"] == ["letter.txt", "warranty.html"]
    assert [part["documents"] for part in written["parts"]] == [["warranty.html"], ["letter.txt"]]
