"""The cross-document set as HTML pages, Word documents or PDFs, to measure how the format a folder holds moves answers.
python -m eval.document_formats --to html --out /tmp/set-html, then qa eval --data /tmp/set-html/cross_documents.jsonl"""

from __future__ import annotations

import argparse
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from markdown_it import MarkdownIt
from markdown_it.token import Token

FORMATS = ("html", "docx", "pdf", "md")
PAGE = (
    '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{title}</title></head>\n<body>\n{body}</body></html>\n'
)


def markdown_parser() -> MarkdownIt:
    """CommonMark with tables, as static site generators render Markdown."""
    return MarkdownIt("commonmark").enable("table")


SITE_PAGE = """<a class="skip-link" href="#content">Skip to main content</a>
<div role="dialog" aria-label="Cookies">We use cookies to remember your settings. <button>Accept all</button></div>
<header class="site-header"><a class="brand" href="/">{site}</a>
<nav aria-label="Main menu"><ul>{menu}</ul></nav>
<form role="search" action="/search"><label>Search {site} <input name="q"></label><button>Search</button></form>
</header>
<nav aria-label="Breadcrumb"><ol><li><a href="/">Home</a></li><li><a href="/{slug}/">{site}</a></li><li>{title}</li></ol></nav>
<main id="content"><article>
{body}</article></main>
<aside class="sidebar"><h2>Related pages</h2><ul>{menu}</ul><p>Page owner: Web team. Last reviewed 3 June 2024.</p></aside>
<footer class="site-footer"><p>Questions about this site? Email webteam@example.org or call extension 4100.</p>
<ul><li><a href="/privacy">Privacy</a></li><li><a href="/accessibility">Accessibility</a></li><li><a href="/cookies">Cookie settings</a></li></ul>
<p>© 2024 {site}. All rights reserved.</p></footer>
"""


# The same chrome as an older site lays it out, before HTML5: the menu in a layout table's first cell, the page's text
# in its second, a header and a footer in plain divs.
TABLE_SITE_PAGE = """<div id="header"><a href="/">{site}</a></div>
<table width="100%" cellspacing="0" cellpadding="8" border="0"><tr>
<td width="200" valign="top" class="menu">{links}</td>
<td valign="top">
{body}</td></tr></table>
<div id="footer">Questions about this site? Email webteam@example.org or call extension 4100.<br>
© 2024 {site}. All rights reserved.</div>
"""


class Site(NamedTuple):
    """The site a page is published on, for ``to_html``: its name, every page's title (its menu), and how it lays its
    pages out: "landmarks" (HTML5's header, nav, main, aside, footer) or "tables" (a layout table, as before HTML5)."""

    name: str
    slug: str
    titles: tuple[str, ...]
    layout: str = "landmarks"


def to_html(markdown: str, site: Site | None = None) -> str:
    """A Markdown document as an HTML page, titled by its first heading; with ``site``, as a page of that site, its
    text within a site's chrome, titled "Page | Site": in HTML5's landmarks (a skip link, a cookie notice, a header
    with the site's menu of every page and a search box, breadcrumbs, a sidebar of related pages and a footer), or in
    a layout table beside the menu (TABLE_SITE_PAGE)."""
    from html import escape

    parser = markdown_parser()
    tokens = parser.parse(markdown)
    title = first_heading(tokens)
    body = parser.renderer.render(tokens, parser.options, {})
    if site is None:
        return PAGE.format(title=title, body=body)
    links = [f'<a href="/{site.slug}/{n}">{escape(name)}</a>' for n, name in enumerate(site.titles)]
    if site.layout == "tables":
        page = TABLE_SITE_PAGE.format(site=escape(site.name), links="<br>".join(links), body=body)
        return PAGE.format(title=f"{title} | {site.name}", body=page)
    menu = "".join(f"<li>{link}</li>" for link in links)
    page = SITE_PAGE.format(site=escape(site.name), slug=site.slug, menu=menu, title=escape(title), body=body)
    return PAGE.format(title=f"{title} | {site.name}", body=page)


def first_heading(tokens: list[Token]) -> str:
    """The words of a parsed Markdown document's first heading ("" when it has none)."""
    return next((tokens[n + 1].content for n, t in enumerate(tokens) if t.type == "heading_open"), "")


class Block(NamedTuple):
    """A block of a Markdown document as the converters write it: a heading, a paragraph (in lists, perhaps opening
    an item), a table or a line of code."""

    kind: str  # "heading", "paragraph", "table" or "code"
    inline: Token | None = None  # a heading's or a paragraph's words
    level: int = 0  # a heading's
    lists: tuple[str, ...] = ()  # a paragraph's lists, outermost first: "bullet" or "ordered"
    mark: str | None = None  # what opens the item a paragraph opens: "•", or its number ("2.")
    rows: tuple[tuple[Token, ...], ...] = ()  # a table's cells, row by row
    text: str = ""  # a line of code


def blocks(markdown: str) -> Iterator[Block]:
    """The blocks of a Markdown document in order (CommonMark with tables)."""
    lists: list[list[Any]] = []  # per open list: its kind and the number of its next item
    heading, mark = 0, None
    rows: list[list[Token]] = []
    in_cell = False
    for token in markdown_parser().parse(markdown):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            ordered = token.type == "ordered_list_open"
            lists.append(["ordered", int(token.attrGet("start") or 1)] if ordered else ["bullet", 0])
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif token.type == "list_item_open":
            kind, number = lists[-1]
            mark = f"{number}." if kind == "ordered" else "•"
            lists[-1][1] += kind == "ordered"
        elif token.type in ("heading_open", "heading_close"):
            heading = int(token.tag[1]) if token.type == "heading_open" else 0
        elif token.type == "tr_open":
            rows.append([])
        elif token.type in ("th_open", "td_open", "th_close", "td_close"):
            in_cell = token.type.endswith("_open")
        elif token.type == "inline" and in_cell:
            rows[-1].append(token)
        elif token.type == "inline":
            within = tuple(kind for kind, _ in lists)
            yield (
                Block("heading", token, level=heading)
                if heading
                else Block("paragraph", token, lists=within, mark=mark)
            )
            mark = None
        elif token.type == "table_close":
            yield Block("table", rows=tuple(tuple(row) for row in rows))
            rows = []
        elif token.type in ("fence", "code_block"):
            yield from (Block("code", text=line) for line in token.content.splitlines())


WORD_LISTS = {"bullet": "List Bullet", "ordered": "List Number"}


def to_docx(markdown: str) -> bytes:
    """A Markdown document as a Word document: headings in the Heading styles, list items as list paragraphs (the
    List Bullet and List Number styles), tables as Word tables, bold and italic as runs."""
    import io

    from docx import Document as WordDocument

    word = WordDocument()
    for block in blocks(markdown):
        if block.kind == "heading" and block.inline is not None:
            write_runs(word.add_paragraph(style=f"Heading {block.level}"), block.inline)
        elif block.kind == "paragraph" and block.inline is not None:
            style = list_style([WORD_LISTS[kind] for kind in block.lists])
            write_runs(word.add_paragraph(style=style), block.inline)
        elif block.kind == "table":
            add_table(word, block.rows)
        elif block.kind == "code":
            word.add_paragraph(block.text)
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


def add_table(word: Any, rows: tuple[tuple[Token, ...], ...]) -> None:
    """Rows of cells (inline tokens) as a Word table, its first row (a Markdown table's header) marked as the header
    row, as Word's "Repeat as header row" and pandoc mark it."""
    from docx.oxml import OxmlElement

    table = word.add_table(rows=len(rows), cols=max(len(row) for row in rows))
    for row, cells in zip(table.rows, rows, strict=True):
        for cell, inline in zip(row.cells, cells, strict=False):
            write_runs(cell.paragraphs[0], inline)
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))


def to_pdf(markdown: str) -> bytes:
    """A Markdown document as a PDF laid out by reportlab: headings in larger bold type, list items after a bullet
    ("•") or their number, tables without rules (their header rows in bold), bold and italic as such (code is left
    out)."""
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table

    styles = getSampleStyleSheet()
    story: list[Any] = []
    for block in blocks(markdown):
        if block.kind == "heading" and block.inline is not None:
            story.append(Paragraph(pdf_markup(block.inline), styles[f"Heading{min(block.level, 4)}"]))
        elif block.kind == "paragraph" and block.inline is not None:
            shape = styles["BodyText"]
            if block.mark:
                depth = 18 * len(block.lists)
                shape = ParagraphStyle(f"item{depth}", parent=shape, leftIndent=depth, bulletIndent=depth - 12)
            story.append(Paragraph(pdf_markup(block.inline), shape, bulletText=block.mark))
        elif block.kind == "table":  # the header row in bold, as a report sets it
            cells = [[pdf_markup(cell) for cell in row] for row in block.rows]
            cells[0] = [f"<b>{text}</b>" for text in cells[0]]
            story.append(Table([[Paragraph(text, styles["BodyText"]) for text in row] for row in cells]))
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


def convert(data: Path, to: str, out: Path, tables: bool = False, sites: str | None = None) -> Path:
    """The set ``data`` (a JSON-lines file beside its folder of collections) written to ``out`` in format ``to``:
    each Markdown document converted (other documents copied as they are; its field lists made tables first, with ``tables``; as a page of its
    collection's site laid out as ``sites`` says, with HTML), the documents of each question and of its parts
    renamed; the new set's path."""
    source = data.with_suffix("")
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        target = out / data.stem / renamed(str(path.relative_to(source)), to)
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix != ".md":  # a plain-text document stays as it is
            shutil.copyfile(path, target)
            continue
        markdown = path.read_text(encoding="utf-8")
        markdown = fields_as_tables(markdown) if tables else markdown
        if to == "md":
            target.write_text(markdown, encoding="utf-8")
        elif to == "html":
            target.write_text(to_html(markdown, site_of(path.parent, sites) if sites else None), encoding="utf-8")
        else:
            target.write_bytes(to_docx(markdown) if to == "docx" else to_pdf(markdown))
    lines = []
    for line in data.read_text(encoding="utf-8").splitlines():
        question = json.loads(line)
        for asked in [question, *question.get("parts", [])]:
            asked["documents"] = [renamed(name, to) for name in asked.get("documents", [])]
        lines.append(json.dumps(question, ensure_ascii=False))
    converted = out / data.name
    converted.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return converted


def renamed(name: str, to: str) -> str:
    """A document's name once converted to format ``to``: a Markdown document's suffix changed, any other's kept."""
    return str(Path(name).with_suffix(f".{to}")) if name.endswith(".md") else name


def site_of(collection: Path, layout: str) -> Site:
    """The site a collection's pages are published on, laid out as ``layout`` says ("landmarks" or "tables"): named
    after its folder, its menu every page's title."""
    parser = markdown_parser()
    titles = tuple(
        first_heading(parser.parse(page.read_text(encoding="utf-8"))) for page in sorted(collection.glob("*.md"))
    )
    return Site(f"{collection.name.replace('-', ' ').capitalize()} intranet", collection.name, titles, layout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("eval/cross_documents.jsonl"))
    parser.add_argument("--to", choices=FORMATS, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--fields-as-tables", action="store_true", help="lists of field items become tables first")
    parser.add_argument(
        "--sites",
        choices=("landmarks", "tables"),
        help="HTML pages within a site's menus and footer: in HTML5's landmarks, or in a layout table",
    )
    args = parser.parse_args()
    converted = convert(args.data, args.to, args.out, args.fields_as_tables, args.sites)
    print(f"{converted}: ask it with  qa eval --data {converted}")


if __name__ == "__main__":
    main()
