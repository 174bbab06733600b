"""The cross-document set as HTML pages, Word documents or PDFs, to measure how the format a folder holds moves answers.
python -m eval.document_formats --to html --out /tmp/set-html, then qa eval --data /tmp/set-html/cross_documents.jsonl"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

FORMATS = ("html", "docx", "pdf", "md")
PAGE = (
    '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{title}</title></head>\n<body>\n{body}</body></html>\n'
)


def markdown_parser() -> MarkdownIt:
    """CommonMark with tables, as static site generators render Markdown."""
    return MarkdownIt("commonmark").enable("table")


def to_html(markdown: str) -> str:
    """A Markdown document as an HTML page, titled by its first heading."""
    tokens = markdown_parser().parse(markdown)
    title = next((tokens[n + 1].content for n, t in enumerate(tokens) if t.type == "heading_open"), "")
    return PAGE.format(title=title, body=markdown_parser().render(markdown))


def to_docx(markdown: str) -> bytes:
    """A Markdown document as a Word document: headings in the Heading styles, list items as list paragraphs (the
    List Bullet and List Number styles), tables as Word tables, bold and italic as runs."""
    import io

    from docx import Document as WordDocument

    word = WordDocument()
    tokens = markdown_parser().parse(markdown)
    lists: list[str] = []  # the styles of the lists the next paragraph is in, innermost last
    style: str | None = None
    rows: list[list[Token]] = []
    in_cell = False
    for token in tokens:
        if token.type in ("bullet_list_open", "ordered_list_open"):
            lists.append("List Bullet" if token.type == "bullet_list_open" else "List Number")
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif token.type == "heading_open":
            style = f"Heading {token.tag[1]}"
        elif token.type in ("paragraph_open", "paragraph_close", "heading_close"):
            style = None if token.type != "paragraph_open" else list_style(lists)
        elif token.type == "tr_open":
            rows.append([])
        elif token.type in ("th_open", "td_open", "th_close", "td_close"):
            in_cell = token.type.endswith("_open")
        elif token.type == "inline" and in_cell:
            rows[-1].append(token)
        elif token.type == "inline":
            write_runs(word.add_paragraph(style=style), token)
        elif token.type == "table_close":
            add_table(word, rows)
            rows = []
        elif token.type in ("fence", "code_block"):
            for line in token.content.splitlines():
                word.add_paragraph(line)
    data = io.BytesIO()
    word.save(data)
    return data.getvalue()


def list_style(lists: list[str]) -> str | None:
    """The Word style of a paragraph in ``lists`` ("List Bullet 2" two lists deep); None outside lists."""
    if not lists:
        return None
    return lists[-1] if len(lists) == 1 else f"{lists[-1]} {min(len(lists), 3)}"


def write_runs(paragraph: Any, inline: Token) -> None:
    """The text of an inline token into a Word paragraph, bold and italic where it is, a line break where it is."""
    bold = italic = False
    for child in inline.children or []:
        if child.type in ("strong_open", "strong_close"):
            bold = child.type == "strong_open"
        elif child.type in ("em_open", "em_close"):
            italic = child.type == "em_open"
        elif child.type in ("text", "code_inline", "softbreak"):
            run = paragraph.add_run(child.content if child.type != "softbreak" else " ")
            run.bold, run.italic = bold or None, italic or None
        elif child.type == "hardbreak":
            paragraph.add_run().add_break()


def add_table(word: Any, rows: list[list[Token]]) -> None:
    """Rows of cells (inline tokens) as a Word table."""
    table = word.add_table(rows=len(rows), cols=max(len(row) for row in rows))
    for row, cells in zip(table.rows, rows, strict=True):
        for cell, inline in zip(row.cells, cells, strict=False):
            write_runs(cell.paragraphs[0], inline)


def to_pdf(markdown: str) -> bytes:
    """A Markdown document as a PDF laid out by reportlab: headings in larger bold type, list items after a bullet
    ("•") or their number, tables ruled, bold and italic as such."""
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table

    styles = getSampleStyleSheet()
    story: list[Any] = []
    tokens = markdown_parser().parse(markdown)
    lists: list[list[int]] = []  # per open list: [number of the next item] (0: a bullet list)
    style, bullet = "BodyText", None
    rows: list[list[str]] = []
    in_cell = False
    for token in tokens:
        if token.type in ("bullet_list_open", "ordered_list_open"):
            lists.append([0 if token.type == "bullet_list_open" else int(token.attrGet("start") or 1)])
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif token.type == "list_item_open":
            bullet = "•" if not lists[-1][0] else f"{lists[-1][0]}."
            lists[-1][0] += 1 if lists[-1][0] else 0
        elif token.type == "heading_open":
            style = f"Heading{min(int(token.tag[1]), 4)}"
        elif token.type == "heading_close":
            style = "BodyText"
        elif token.type == "tr_open":
            rows.append([])
        elif token.type in ("th_open", "td_open", "th_close", "td_close"):
            in_cell = token.type.endswith("_open")
        elif token.type == "inline" and in_cell:
            rows[-1].append(pdf_markup(token))
        elif token.type == "inline":
            shape = styles[style]
            if bullet:
                depth = 18 * len(lists)
                shape = ParagraphStyle(f"item{depth}", parent=shape, leftIndent=depth, bulletIndent=depth - 12)
            story.append(Paragraph(pdf_markup(token), shape, bulletText=bullet))
            bullet = None
        elif token.type == "table_close":
            story.append(Table([[Paragraph(cell, styles["BodyText"]) for cell in row] for row in rows]))
            rows = []
    data = io.BytesIO()
    SimpleDocTemplate(data, pagesize=A4).build(story)
    return data.getvalue()


def pdf_markup(inline: Token) -> str:
    """An inline token's text in reportlab's markup: escaped, bold and italic in their tags."""
    from xml.sax.saxutils import escape

    tags = {"strong_open": "<b>", "strong_close": "</b>", "em_open": "<i>", "em_close": "</i>"}
    parts = []
    for child in inline.children or []:
        if child.type in tags:
            parts.append(tags[child.type])
        elif child.type in ("text", "code_inline"):
            parts.append(escape(child.content))
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" " if child.type == "softbreak" else "<br/>")
    return "".join(parts)


def fields_as_tables(markdown: str) -> str:
    """The document with each list of field items ("- **Award:** £412,000") written as a table of two columns
    instead, as a form or a spec sheet in Word is: "| Award | £412,000 |" under a header row."""
    from qa.reading.views import FIELD_ITEM

    lines, written = markdown.split("\n"), []
    for line in lines:
        item = FIELD_ITEM.fullmatch(line)
        if item is None:
            written.append(line)
            continue
        if not written or not written[-1].startswith("| "):
            written += ["| Item | Details |", "|---|---|"]
        written.append(f"| {item.group('name').strip()} | {item.group('value').strip()} |")
    return "\n".join(written)


def convert(data: Path, to: str, out: Path, tables: bool = False) -> Path:
    """The set ``data`` (a JSON-lines file beside its folder of collections) written to ``out`` in format ``to``:
    each Markdown document converted (its field lists made tables first, with ``tables``), the documents of each
    question and of its parts renamed; the new set's path."""
    source = data.with_suffix("")
    for path in sorted(source.rglob("*.md")):
        target = (out / data.stem / path.relative_to(source)).with_suffix(f".{to}")
        target.parent.mkdir(parents=True, exist_ok=True)
        markdown = path.read_text(encoding="utf-8")
        markdown = fields_as_tables(markdown) if tables else markdown
        if to == "md":
            target.write_text(markdown, encoding="utf-8")
        elif to == "html":
            target.write_text(to_html(markdown), encoding="utf-8")
        else:
            target.write_bytes(to_docx(markdown) if to == "docx" else to_pdf(markdown))
    lines = []
    for line in data.read_text(encoding="utf-8").splitlines():
        question = json.loads(line)
        for asked in [question, *question.get("parts", [])]:
            asked["documents"] = [str(Path(name).with_suffix(f".{to}")) for name in asked.get("documents", [])]
        lines.append(json.dumps(question, ensure_ascii=False))
    converted = out / data.name
    converted.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return converted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("eval/cross_documents.jsonl"))
    parser.add_argument("--to", choices=FORMATS, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--fields-as-tables", action="store_true", help="lists of field items become tables first")
    args = parser.parse_args()
    converted = convert(args.data, args.to, args.out, args.fields_as_tables)
    print(f"{converted}: ask it with  qa eval --data {converted}")


if __name__ == "__main__":
    main()
