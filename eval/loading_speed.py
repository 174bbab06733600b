"""How long a large HTML page and a large Word document take to load: python -m eval.loading_speed [--parts 20000]."""

from __future__ import annotations

import argparse
import io
import time


def large_page(parts: int) -> str:
    """An HTML page of ``parts`` sections, each a heading, a paragraph with inline elements, a field list and a
    table of two rows (four blocks and more each); and 3,000 nested divs at its end."""
    section = (
        "<h2>Part {n}</h2><p>Paragraph {n} with <b>bold</b> and <a href='x'>a link</a>.</p>"
        "<ul><li><b>Name:</b> value {n}</li></ul>"
        "<table><tr><td>a{n}</td><td><p>b</p><p>c</p></td></tr><tr><td>d</td><td>e</td></tr></table>"
    )
    deep = "<div>" * 3000 + "deep down" + "</div>" * 3000
    return "<html><body>" + "".join(section.format(n=n) for n in range(parts)) + deep + "</body></html>"


def large_word(parts: int) -> bytes:
    """A Word document of ``parts`` headings, paragraphs and list paragraphs, with a table every ten."""
    from docx import Document as WordDocument

    word = WordDocument()
    for n in range(parts):
        word.add_heading(f"Part {n}", 2)
        word.add_paragraph(f"Paragraph {n} says something.")
        word.add_paragraph(f"Name: value {n}", style="List Bullet")
        if n % 10 == 0:
            table = word.add_table(rows=2, cols=2)
            table.cell(0, 0).text, table.cell(1, 1).text = "a", "b"
    data = io.BytesIO()
    word.save(data)
    return data.getvalue()


def seconds(load, data) -> tuple[float, int]:
    """How long ``load`` takes on ``data``, and how many characters of text it gives."""
    began = time.perf_counter()
    text = load(data)[0]
    return time.perf_counter() - began, len(text)


def main() -> None:
    from eval.hostile import cpu_name
    from qa.documents.html import html_to_text
    from qa.documents.word import docx_to_text

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--parts", type=int, default=20_000, help="sections of the page (a quarter: of the document)")
    args = parser.parse_args()
    page, word = large_page(args.parts), large_word(args.parts // 4)
    print(f"CPU: {cpu_name()}")
    taken, chars = seconds(html_to_text, page)
    print(f"HTML page of {len(page) / 1e6:.1f} MB ({args.parts:,} sections): {taken:.1f} s, {chars:,} characters")
    taken, chars = seconds(docx_to_text, word)
    print(f"Word document of {args.parts // 4 * 3:,} paragraphs: {taken:.1f} s, {chars:,} characters")


if __name__ == "__main__":
    main()
