from eval.loading_speed import large_page, large_word
from qa.documents.html import html_to_text
from qa.documents.word import docx_to_text


def test_the_large_page_and_document_load_as_lines_of_their_parts():
    text, _, sections = html_to_text(large_page(3))
    assert text.split("\n")[:4] == ["Part 0", "Paragraph 0 with bold and a link.", "- Name: value 0", "| a0 | b c |"]
    assert text.endswith("| a2 | b c |\n| d | e |\ndeep down") and [s.title for s in sections] == [
        "Part 0",
        "Part 1",
        "Part 2",
    ]
    text, _, sections = docx_to_text(large_word(11))
    assert text.count("\n- Name: value") == 11 and text.count("| a |  |") == 2 and len(sections) == 11
