"""Reading PDFs as a person reads them: columns in order, running heads, page numbers, hyphens, ligatures,
footnotes and headings, on PDFs laid out here from a spec whose text is known."""

from __future__ import annotations

import io
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from qa.documents.loading import DocumentError, is_reference_section, load_document, page_at, section_at, section_label

SOFT = "\u00ad"  # in a spec's text: where a word may be cut at the end of a line (drawn as "-")
PAGE_WIDTH, PAGE_HEIGHT = 612.0, 792.0
MARGIN, GUTTER, TOP, BOTTOM = 72.0, 20.0, 720.0, 72.0


@dataclass
class Block:
    """A piece of a spec: the document's title, a heading, a paragraph, or a footnote of the column it is met in."""

    text: str
    kind: str = "para"
    level: int = 1

    @property
    def plain(self) -> str:
        return self.text.replace(SOFT, "")


@dataclass
class Paper:
    """How a spec is laid out: columns, running heads, page numbers, fonts, and whether headings are bookmarked."""

    columns: int = 2
    header: str | None = "Journal of Imaginary Studies · Vol. 7"
    even_header: str | None = None  # the header of even pages, when it differs
    footer: str | None = "{page}"  # page numbers ("{page}" and "{pages}" filled in)
    fonts: tuple[str, str] = ("Times-Roman", "Times-Bold")
    heading_sizes: tuple[float, float] = (12, 10.5)  # of level 1 and level 2 headings
    outline: bool = False
    stamp: str | None = None  # drawn turned up the left margin of the first page, as arXiv does


@dataclass
class Layout:
    """What was drawn: the pages each block begins and ends on, a line of body text per page, and where words
    were cut at line ends (head, tail)."""

    pages: int = 0
    spans: list[tuple[int, int]] = field(default_factory=list)
    probes: dict[int, str] = field(default_factory=dict)
    cuts: list[tuple[str, str]] = field(default_factory=list)


def cut_word(line: str, word: str, fits) -> tuple[str, str] | None:
    """The longest head of ``word`` that still fits on ``line`` when cut at a soft hyphen (drawn as '-') or after a
    hard one, and the rest; None when no head fits."""
    for index in range(len(word) - 1, 0, -1):
        if word[index] == SOFT:
            head, tail = word[:index] + "-", word[index + 1 :]
        elif word[index - 1] == "-":
            head, tail = word[:index], word[index:]
        else:
            continue
        if fits(f"{line} {head}".strip()):
            return head, tail
    return None


def wrap(text: str, width: float, font: str, size: float, layout: Layout) -> list[str]:
    """The text in greedy lines of at most ``width`` points, words cut where the spec lets them be."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    def fits(candidate: str) -> bool:
        return stringWidth(candidate.replace(SOFT, ""), font, size) <= width

    lines, line = [], ""
    for word in text.split(" "):
        candidate = f"{line} {word}".strip()
        if fits(candidate):
            line = candidate
            continue
        cut = cut_word(line, word, fits)
        if cut:
            layout.cuts.append((cut[0].replace(SOFT, ""), cut[1].replace(SOFT, "")))
            lines.append(f"{line} {cut[0]}".strip())
            line = cut[1]
        else:
            lines.append(line)
            line = word
    return [piece.replace(SOFT, "") for piece in [*lines, line] if piece]


class Typesetter:
    """Lays blocks out over pages in one or two columns with reportlab, the way a journal does."""

    def __init__(self, target, paper: Paper, pages: int) -> None:
        from reportlab.pdfgen import canvas

        self.canvas = canvas.Canvas(target, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=True)
        self.paper, self.total = paper, pages
        self.width = (PAGE_WIDTH - 2 * MARGIN - GUTTER * (paper.columns - 1)) / paper.columns
        self.layout = Layout(pages=1)
        self.column, self.y, self.top, self.floor = 0, TOP, TOP, BOTTOM
        self.furniture()

    def furniture(self) -> None:
        """The running head and the page number of the page begun."""
        page, paper = self.layout.pages, self.paper
        header = paper.even_header if paper.even_header and page % 2 == 0 else paper.header
        self.canvas.setFont(paper.fonts[0], 8)
        if header:
            self.canvas.drawString(MARGIN, 750, header)
        if paper.footer:
            self.canvas.drawCentredString(PAGE_WIDTH / 2, 40, paper.footer.format(page=page, pages=self.total))
        if paper.stamp and page == 1:
            self.canvas.saveState()
            self.canvas.translate(36, 250)
            self.canvas.rotate(90)
            self.canvas.setFont(paper.fonts[0], 16)
            self.canvas.drawString(0, 0, paper.stamp)
            self.canvas.restoreState()

    def next_column(self) -> None:
        self.column += 1
        self.y, self.floor = self.top, BOTTOM
        if self.column == self.paper.columns:
            self.canvas.showPage()
            self.layout.pages += 1
            self.column, self.y, self.top = 0, TOP, TOP
            self.furniture()

    def draw_lines(self, lines: list[str], font: str, size: float, leading: float) -> None:
        for line in lines:
            if self.y < self.floor:
                self.next_column()
            self.canvas.setFont(font, size)
            self.canvas.drawString(MARGIN + self.column * (self.width + GUTTER), self.y, line)
            if size == 10 and len(line) > 30 and not line.endswith("-"):
                self.layout.probes.setdefault(self.layout.pages, line)
            self.y -= leading

    def title(self, block: Block) -> None:
        for line in wrap(block.text, PAGE_WIDTH - 2 * MARGIN, self.paper.fonts[1], 18, self.layout):
            self.canvas.setFont(self.paper.fonts[1], 18)
            self.canvas.drawCentredString(PAGE_WIDTH / 2, self.y, line)
            self.y -= 22
        self.y = self.top = self.y - 12

    def heading(self, block: Block) -> None:
        size = self.paper.heading_sizes[block.level - 1]
        if self.y - 40 < self.floor:
            self.next_column()
        self.y -= 6
        if self.paper.outline:
            key = f"h{len(self.layout.spans)}"
            self.canvas.bookmarkHorizontalAbsolute(key, self.y + size)
            self.canvas.addOutlineEntry(block.plain, key, level=block.level - 1)
        self.draw_lines(
            wrap(block.text, self.width, self.paper.fonts[1], size, self.layout), self.paper.fonts[1], size, 14
        )

    def footnote(self, block: Block) -> None:
        lines = wrap(block.text, self.width, self.paper.fonts[0], 7.5, self.layout)
        x = MARGIN + self.column * (self.width + GUTTER)
        for number, line in enumerate(lines):
            self.canvas.setFont(self.paper.fonts[0], 7.5)
            self.canvas.drawString(x, BOTTOM - 4 + 9 * (len(lines) - 1 - number), line)
        self.floor = BOTTOM + 9 * len(lines) + 8

    def set(self, blocks: list[Block]) -> Layout:
        for block in blocks:
            first = self.layout.pages
            if block.kind == "title":
                self.title(block)
            elif block.kind == "heading":
                self.heading(block)
            elif block.kind == "note":
                self.footnote(block)
            else:
                self.draw_lines(
                    wrap(block.text, self.width, self.paper.fonts[0], 10, self.layout), self.paper.fonts[0], 10, 12
                )
                self.y -= 6
            self.layout.spans.append((first, self.layout.pages))
        self.canvas.save()
        return self.layout


def typeset(path: Path, blocks: list[Block], paper: Paper) -> Layout:
    """Writes the blocks as a PDF at ``path``; returns what was drawn where."""
    counted = paper.footer and "{pages}" in paper.footer
    pages = Typesetter(io.BytesIO(), paper, 0).set(blocks).pages if counted else 0  # a first pass counts them
    return Typesetter(str(path), paper, pages).set(blocks)


WORDS = (
    "the harbour pilots of the northern coast keep a record of every vessel that enters the sound and of the "
    "weather tide and cargo it carries while the survey office compares these records with older charts"
).split()


def prose(seed: int, sentences: int) -> str:
    """Sentences of made-up prose, the same for the same seed."""
    rng = random.Random(seed)
    said = []
    for _ in range(sentences):
        words = [rng.choice(WORDS) for _ in range(rng.randint(8, 16))]
        said.append(" ".join(words).capitalize() + f" {rng.randint(10, 999)}.")
    return " ".join(said)


def paper_blocks() -> list[Block]:
    """A three-page paper: title, numbered headings at two levels, cut words, and a reference list."""
    cut = (
        "The in\u00adfor\u00adma\u00adtion re\u00adtrie\u00adval com\u00admu\u00adni\u00adty studied COVID-19 "
        "re\u00adcords: the COVID-19 wards kept well-known re\u00adgis\u00adters of ad\u00admis\u00adsions, "
        "and the COVID-19 re\u00adcords of the in\u00adfor\u00adma\u00adtion desk were com\u00adpared with "
        "each re\u00adgis\u00adter by COVID-19 teams. "
    )
    return [
        Block("Tides and Records of the Northern Sound", "title"),
        Block(prose(1, 8)),
        Block("1 Introduction", "heading"),
        Block(prose(2, 14)),
        Block((cut * 3).strip()),
        Block("2 Methods", "heading"),
        Block(prose(3, 18)),
        Block("2.1 Data collection", "heading", 2),
        Block(prose(4, 20)),
        Block(prose(5, 16)),
        Block("2.2 Charts", "heading", 2),
        Block(prose(6, 30)),
        Block("3 Results", "heading"),
        Block(prose(7, 40)),
        Block("References", "heading"),
        Block("[1] A. Lind. Pilots of the sound. Harbour Press, 1987."),
        Block("[2] B. Strand and C. Holm. Charting the northern coast. Journal of Tides, 12(3):44-61, 2004."),
    ]


def normalised(text: str) -> str:
    return " ".join(text.split())


def check_reading(document, blocks: list[Block], layout: Layout) -> None:
    """The document's text is the blocks' in order (footnotes at the end, as on a one-page paper), each block on
    one page exactly as written, and each page begins where it should."""
    ordered = [b for b in blocks if b.kind != "note"] + [b for b in blocks if b.kind == "note"]
    assert normalised(document.text) == normalised(" ".join(b.plain for b in ordered))
    for block, (first, last) in zip(blocks, layout.spans, strict=True):
        if first == last:
            assert block.plain in document.text
    assert len(document.page_starts) == layout.pages
    for page, probe in layout.probes.items():
        if document.text.count(probe) == 1:
            assert page_at(document.page_starts, document.text.index(probe)) == page, probe


@pytest.mark.parametrize("columns", [2, 3])
def test_a_paper_in_columns_is_read_column_by_column_without_its_running_heads(tmp_path, columns):
    blocks = paper_blocks()
    paper = Paper(columns=columns, stamp="arXiv:2401.00001v1 [cs.IR] 2 Jan 2024")
    layout = typeset(tmp_path / "paper.pdf", blocks, paper)
    assert layout.pages == 3 if columns == 2 else layout.pages >= 2
    document = load_document(tmp_path / "paper.pdf")
    check_reading(document, blocks, layout)
    text = document.text
    assert "Imaginary" not in text and not re.search(r"(?m)^\d+$", text)  # no running head, no page number
    assert "arXiv" not in text  # turned up the margin
    assert document.title == "Tides and Records of the Northern Sound"
    assert text.startswith(blocks[0].plain + "\n\n" + blocks[1].plain + "\n\n1 Introduction\n\n")


def test_words_cut_at_line_ends_are_joined_and_real_hyphens_kept(tmp_path):
    blocks = paper_blocks()
    layout = typeset(tmp_path / "paper.pdf", blocks, Paper())
    assert ("COVID-", "19") in layout.cuts  # a hyphen of the word's own at a line end
    assert any(head[-2].isalpha() and tail[0].islower() for head, tail in layout.cuts)  # a word cut in two
    text = load_document(tmp_path / "paper.pdf").text
    assert blocks[4].plain in text  # "information", "COVID-19" and "well-known" as written
    assert text.count("COVID-19") == 12 and "COVID- 19" not in text and "infor- mation" not in text


def test_headings_found_by_their_font_are_sections_at_their_levels(tmp_path):
    blocks = paper_blocks()
    typeset(tmp_path / "paper.pdf", blocks, Paper())
    document = load_document(tmp_path / "paper.pdf")
    sections = document.sections
    headings = [b for b in blocks if b.kind == "heading"]
    assert [(s.title, s.level) for s in sections] == [(b.plain, b.level) for b in headings]
    assert all(document.text[s.start : s.start + len(s.title)] == s.title for s in sections)
    assert [s.title for s in sections if is_reference_section(s.title)] == ["References"]
    methods = document.text.index(blocks[8].plain[:60])  # a paragraph under "2.1 Data collection"
    assert section_at(sections, methods).title == "2.1 Data collection"
    assert section_at(sections, document.text.index("[2] B. Strand")).title == "References"
    assert section_at(sections, 0) is None  # the title and the abstract come before the first heading
    assert section_label(section_at(sections, methods)) == "2.1 Data collection"


def test_an_outline_gives_the_sections_and_their_levels(tmp_path):
    blocks = [
        Block("Harbour survey", "title"),
        Block("Background", "heading"),
        Block(prose(11, 16)),
        Block("Earlier surveys", "heading", 2),  # in the font of a top-level heading: the outline tells
        Block(prose(12, 34)),
        Block("Soundings", "heading", 2),
        Block(prose(13, 34)),
        Block("Findings", "heading"),
        Block(prose(14, 20)),
    ]
    layout = typeset(tmp_path / "survey.pdf", blocks, Paper(heading_sizes=(12, 12), outline=True))
    assert layout.pages == 2
    document = load_document(tmp_path / "survey.pdf")
    check_reading(document, blocks, layout)
    expected = [(b.plain, b.level) for b in blocks if b.kind == "heading"]
    assert [(s.title, s.level) for s in document.sections] == expected
    assert all(document.text[s.start : s.start + len(s.title)] == s.title for s in document.sections)


def test_a_footnote_follows_the_page_text_and_cuts_no_sentence(tmp_path):
    note = "1 The pilots' log is kept at the harbour office and copied each spring."
    blocks = [
        Block("Pilots and their logs", "title"),
        Block(prose(21, 4)),
        Block(note, "note"),  # at the foot of the left column, which the next paragraph leaves for the right
        Block(prose(22, 44)),
        Block(prose(23, 3)),
    ]
    layout = typeset(tmp_path / "pilots.pdf", blocks, Paper(header=None))  # one page: no head can be seen to run
    assert layout.pages == 1 and layout.spans[3] == (1, 1)
    document = load_document(tmp_path / "pilots.pdf")
    check_reading(document, blocks, layout)
    assert document.text.endswith(blocks[4].plain + "\n\n" + note)


def test_alternating_running_heads_and_page_x_of_y_are_left_out_and_paragraphs_go_on_over_pages(tmp_path):
    blocks = [Block("Kestrel Maps annual report", "title")] + [Block(prose(30 + n, 14)) for n in range(24)]
    paper = Paper(
        columns=1,
        header="Kestrel Maps annual report",
        even_header="Chapter 2: Harbours",
        footer="Page {page} of {pages}",
    )
    layout = typeset(tmp_path / "report.pdf", blocks, paper)
    assert layout.pages >= 4
    document = load_document(tmp_path / "report.pdf")
    check_reading(document, blocks, layout)
    assert "Chapter 2" not in document.text and "Page " not in document.text
    assert document.text.count("Kestrel Maps annual report") == 1  # the title, not the running head
    over = [(b, first) for b, (first, last) in zip(blocks, layout.spans, strict=True) if last > first]
    joined = [(b, first) for b, first in over if b.plain in document.text]  # one paragraph, though on two pages
    assert joined
    for block, first in joined:
        start = document.text.index(block.plain)
        assert page_at(document.page_starts, start) == first
        assert page_at(document.page_starts, start + len(block.plain) - 1) == first + 1


def dejavu() -> tuple[str, str]:
    """Paths of DejaVu Sans and its bold, as matplotlib ships them (or the system has them)."""
    import matplotlib

    folders = [Path(matplotlib.get_data_path()) / "fonts" / "ttf", Path("/usr/share/fonts/truetype/dejavu")]
    for folder in folders:
        if (folder / "DejaVuSans.ttf").exists() and (folder / "DejaVuSans-Bold.ttf").exists():
            return str(folder / "DejaVuSans.ttf"), str(folder / "DejaVuSans-Bold.ttf")
    pytest.skip("no DejaVu Sans font to draw ligatures with")


def test_ligatures_are_letters_and_unicode_text_is_kept(tmp_path):
    from pypdf import PdfReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    regular, bold = dejavu()
    pdfmetrics.registerFont(TTFont("DejaVuSans", regular))
    pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", bold))
    ligatures = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl"})
    said = (
        "The ﬁrst ﬂoor of the harbour oﬃce holds a baﬄing stuﬀ of charts. Zoë Ærøskøbing met Łukasz in Łódź "
        "and spoke of Ελληνικά, русский язык and the Straße des 17. Juni. "
    )
    blocks = [
        Block("Die Häfen des Nordens", "title"),
        Block("Über die Lotsen", "heading"),
        Block(said * 4 + prose(40, 6)),
        Block("Ελληνικά", "heading"),
        Block(prose(41, 70) + " " + said),
    ]
    layout = typeset(tmp_path / "häfen.pdf", blocks, Paper(fonts=("DejaVuSans", "DejaVuSans-Bold")))
    assert "ﬁ" in PdfReader(tmp_path / "häfen.pdf").pages[0].extract_text()  # the PDF has the ligature glyphs
    document = load_document(tmp_path / "häfen.pdf")
    expected = [Block(b.text.translate(ligatures), b.kind, b.level) for b in blocks]
    check_reading(document, expected, layout)
    assert not re.search("[ﬀ-ﬆ]", document.text) and "first floor of the harbour office" in document.text
    assert [(s.title, s.level) for s in document.sections] == [("Über die Lotsen", 1), ("Ελληνικά", 1)]
    assert document.title == "Die Häfen des Nordens"


def test_an_encrypted_pdf_is_refused_with_why(tmp_path):
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(tmp_path / "locked.pdf"), encrypt="sesame")
    pdf.drawString(72, 720, "The harbour master keeps the key.")
    pdf.save()
    with pytest.raises(DocumentError, match=r"^encrypted PDF \(it needs a password"):
        load_document(tmp_path / "locked.pdf")


def test_sixty_pages_in_two_columns_are_read_in_order(tmp_path):
    """(How fast: python -m eval.long_pdf.)"""
    blocks = [Block(f"{n} Part {n}", "heading") if n % 3 == 0 else Block(prose(100 + n, 30)) for n in range(1, 240)]
    layout = typeset(tmp_path / "long.pdf", blocks, Paper())
    assert layout.pages >= 60
    check_reading(load_document(tmp_path / "long.pdf"), blocks, layout)


def test_justified_columns_with_indented_paragraphs_and_no_space_between_them(tmp_path):
    from reportlab.lib.enums import TA_JUSTIFY
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph

    body = ParagraphStyle(
        "body", fontName="Times-Roman", fontSize=10, leading=12, alignment=TA_JUSTIFY, firstLineIndent=12
    )
    head = ParagraphStyle("head", fontName="Times-Bold", fontSize=11, leading=13, spaceBefore=8, spaceAfter=4)

    def running_head(canvas, document) -> None:  # a title left and the page number right, on one line
        canvas.setFont("Times-Italic", 8)
        canvas.drawString(72, 760, "Proceedings of the Harbour Conference 2024")
        canvas.drawRightString(540, 760, str(document.page))

    width = (PAGE_WIDTH - 2 * MARGIN - 18) / 2
    frames = [Frame(72, 72, width, 648), Frame(72 + width + 18, 72, width, 648)]
    document = BaseDocTemplate(str(tmp_path / "proceedings.pdf"), pagesize=(PAGE_WIDTH, PAGE_HEIGHT))
    document.addPageTemplates([PageTemplate(frames=frames, onPage=running_head)])
    texts = []
    for number in range(1, 6):
        texts.append(f"{number} Tides at station {number}")
        texts += [prose(10 * number + n, 6) for n in range(5)]
    document.build([Paragraph(t, head if "station" in t else body) for t in texts])
    read = load_document(tmp_path / "proceedings.pdf")
    assert len(read.page_starts) == 3 and "Proceedings" not in read.text
    assert read.text == "\n\n".join(texts)  # paragraphs whole, over columns and pages alike
    assert [(s.title, s.level) for s in read.sections] == [(t, 1) for t in texts if "station" in t]


def canvas_under(path: Path, said: str):
    """A page to draw on (reportlab's canvas) with ``said`` set at its top, wrapped; and the height below it."""
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=(PAGE_WIDTH, PAGE_HEIGHT))
    y = TOP
    pdf.setFont("Times-Roman", 10)
    for line in wrap(said, PAGE_WIDTH - 2 * MARGIN, "Times-Roman", 10, Layout()):
        pdf.drawString(MARGIN, y, line)
        y -= 12
    return pdf, y


def lines_pdf(path: Path, lines: list[str], font: str, leading: float) -> None:
    """A page of ``lines`` in 10-point ``font``, one below the other from its top, ``leading`` points apart."""
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=(PAGE_WIDTH, PAGE_HEIGHT))
    pdf.setFont(font, 10)
    for n, line in enumerate(lines):
        pdf.drawString(MARGIN, TOP - leading * n, line)
    pdf.save()


def test_a_table_is_read_row_by_row_not_as_two_columns(tmp_path):

    rows = [(f"Berth {n}", f"{10 + n} crowns a metre, paid at the office") for n in range(1, 13)]
    said = prose(50, 8)
    pdf, y = canvas_under(tmp_path / "dues.pdf", said)
    for key, value in rows:
        y -= 14
        pdf.drawString(MARGIN, y, key)
        pdf.drawString(330, y, value)
    pdf.save()
    text = load_document(tmp_path / "dues.pdf").text
    assert text.startswith(said + "\n\n")
    places = [text.index(f"\n\n| {key} | {value} |") for key, value in rows]  # each row's cells, in order
    assert places == sorted(places)


def test_a_table_whose_cells_wrap_is_read_as_rows_of_whole_cells(tmp_path):
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table

    body = getSampleStyleSheet()["BodyText"]
    rows = [
        ("Code", "Meaning", "What to do"),
        ("E3", "The water tank of the Café Zoë machine is empty or not seated.", "Fill the tank and push it back."),
        ("E7", "Pressure sensor fault.", "Unplug it and call Ærø Customer Care on 0800 414 2299 at once, please."),
    ]
    story = [Paragraph("Error codes shown by the display.", body)]
    story.append(Table([[Paragraph(cell, body) for cell in row] for row in rows], colWidths=[40, 200, 200]))
    story.append(Paragraph("After the table comes prose again, a line long enough to cross the columns above.", body))
    SimpleDocTemplate(str(tmp_path / "codes.pdf"), pagesize=A4).build(story)
    document = load_document(tmp_path / "codes.pdf")
    assert document.text.split("\n\n") == [
        "Error codes shown by the display.",
        *(f"| {' | '.join(row)} |" for row in rows),
        "After the table comes prose again, a line long enough to cross the columns above.",
    ]
    assert document.sections == []  # a bold header row is no heading


def test_a_table_under_a_bold_header_row_is_read_as_a_table_with_its_rows_one_below_the_other(tmp_path):
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table

    from qa.documents.tables import table_rows

    body = getSampleStyleSheet()["BodyText"]
    rows = [
        ("ID", "Risk", "Owner"),
        ("R-07", "Energy saving not achieved", "SCADA engineer"),
        ("R-08", "Supplier delivers late because the steel order for the Zoë site slipped", "Procurement lead"),
    ]
    cells = [[Paragraph(f"<b>{cell}</b>" if n == 0 else cell, body) for cell in row] for n, row in enumerate(rows)]
    story = [Paragraph("The register lists the open risks.", body), Table(cells), Paragraph("Reviewed monthly.", body)]
    SimpleDocTemplate(str(tmp_path / "risks.pdf"), pagesize=A4).build(story)
    document = load_document(tmp_path / "risks.pdf")
    table = "\n".join(
        [f"| {' | '.join(rows[0])} |", "| --- | --- | --- |", *(f"| {' | '.join(r)} |" for r in rows[1:])]
    )
    assert document.text.split("\n\n") == ["The register lists the open risks.", table, "Reviewed monthly."]
    read = table_rows(document.text)
    assert [document.text[row.start : row.end] for row in read] == table.splitlines()[2:]
    assert [name for name, _, _ in read[1].cells] == ["ID", "Risk", "Owner"]


def test_a_table_of_figures_set_right_under_a_header_whose_first_cell_is_empty_is_one_table(tmp_path):

    from qa.documents.tables import table_rows

    header = ("", "Until 6 April 2025", "From 7 April 2025")
    rows = [("Basic Zoë allowance", "£169.50", "£176.45"), ("Extra allowance", "£32.76", "£34.12")]
    rows.append(("Total weekly amount", "£202.26", "£210.57"))
    said = prose(7, 3)
    pdf, y = canvas_under(tmp_path / "letter.pdf", said)
    for n, row in enumerate([header, *rows]):
        y -= 16
        pdf.setFont("Times-Bold" if n == 0 else "Times-Roman", 10)
        pdf.drawString(MARGIN, y, row[0])
        pdf.drawRightString(MARGIN + 270, y, row[1])  # the figures set right, in columns far to the right
        pdf.drawRightString(PAGE_WIDTH - MARGIN, y, row[2])
    pdf.setFont("Times-Roman", 10)
    pdf.drawString(MARGIN, y - 24, "We pay it every four weeks.")
    pdf.save()
    text = load_document(tmp_path / "letter.pdf").text
    table = "\n".join(["| | Until 6 April 2025 | From 7 April 2025 |", "| --- | --- | --- |"])
    table += "".join(f"\n| {' | '.join(row)} |" for row in rows)
    assert text.split("\n\n") == [said, table, "We pay it every four weeks."]
    assert [row.cells[2][:2] for row in table_rows(text)] == [("From 7 April 2025", row[2]) for row in rows]


def test_totals_under_a_quote_s_items_are_rows_of_their_own_and_a_wrapped_cell_goes_on_its_row(tmp_path):
    from reportlab.pdfgen import canvas

    lines = [("1", "Removal: two crew and a Luton van,", "£420.00"), ("", "an estimated four hours", "")]
    lines += [("2", "Disposal of the old sofa", "£45.00"), ("", "Subtotal", "£465.00"), ("", "TOTAL", "£558.00")]
    pdf = canvas.Canvas(str(tmp_path / "quote.pdf"), pagesize=(PAGE_WIDTH, PAGE_HEIGHT))
    pdf.setFont("Times-Roman", 10)
    pdf.drawString(MARGIN, TOP, "Price breakdown for Zoë's move.")
    for n, cells in enumerate(lines):  # evenly spaced: no wider space tells the rows apart
        y = TOP - 24 - 14 * n
        pdf.drawString(MARGIN, y, cells[0]) if cells[0] else None
        pdf.drawString(MARGIN + 40, y, cells[1])
        pdf.drawRightString(PAGE_WIDTH - MARGIN, y, cells[2]) if cells[2] else None
    pdf.save()
    assert load_document(tmp_path / "quote.pdf").text.split("\n\n") == [
        "Price breakdown for Zoë's move.",
        "| 1 | Removal: two crew and a Luton van, an estimated four hours | £420.00 |",
        "| 2 | Disposal of the old sofa | £45.00 |",
        "| | Subtotal | £465.00 |",
        "| | TOTAL | £558.00 |",
    ]


def test_rows_between_a_bold_header_and_a_bold_total_set_further_apart_are_rows_not_one_rows_wrapped_cells(tmp_path):
    from reportlab.pdfgen import canvas

    header, total = ("Booking", "Guest", "Net payout"), ("TOTALS", "£2,148.55")
    rows = [("SC-88213", "Zoë Natarajan", "£1,062.15"), ("SC-88402", "Owen Pritchard", "£1,086.40")]
    pdf = canvas.Canvas(str(tmp_path / "payout.pdf"), pagesize=(PAGE_WIDTH, PAGE_HEIGHT))
    pdf.setFont("Times-Roman", 10)
    pdf.drawString(MARGIN, TOP, "Host payout statement for July.")
    y = TOP - 30
    for cells, font, below in [(header, "Times-Bold", 19), *((row, "Times-Roman", 16) for row in rows)]:
        pdf.setFont(font, 9)
        for x, cell in zip((MARGIN, MARGIN + 100, MARGIN + 250), cells, strict=True):
            pdf.drawString(x, y, cell)
        y -= below
    pdf.setFont("Times-Bold", 9)
    y -= 6  # the total set further below the rows than they are from each other
    pdf.drawString(MARGIN, y, total[0])
    pdf.drawString(MARGIN + 250, y, total[1])
    pdf.save()
    table = "\n".join(["| Booking | Guest | Net payout |", "| --- | --- | --- |"])
    table += "".join(f"\n| {' | '.join(row)} |" for row in rows) + "\n| TOTALS | | £2,148.55 |"
    assert load_document(tmp_path / "payout.pdf").text.split("\n\n") == ["Host payout statement for July.", table]


def test_a_line_opening_in_small_letters_goes_on_with_a_hand_broken_ragged_paragraph(tmp_path):

    lines = [
        "We have now confirmed your registration for the academic year at Kingsmere University",
        "(course: BSc Zoë Studies, year 2). Your total entitlement, based on your",
        "household income assessment, is shown below.",
        "Payments reach you within 3 working days of the date shown, into the account you gave us.",
    ]
    lines_pdf(tmp_path / "letter.pdf", lines, "Times-Roman", 14)
    assert load_document(tmp_path / "letter.pdf").text.split("\n\n") == [
        " ".join(lines[:3]),
        lines[3],  # room left on the line before, and a capital: a paragraph of its own
    ]


def test_each_item_of_a_numbered_list_is_a_paragraph_even_where_its_lines_are_as_full_as_the_next(tmp_path):
    from reportlab.pdfgen import canvas

    items = ["1. A booking deposit of £75.00 confirms Zoë's date.", "2. The balance is due on the day.", "3. Fin."]
    pdf = canvas.Canvas(str(tmp_path / "terms.pdf"), pagesize=(PAGE_WIDTH, PAGE_HEIGHT))
    pdf.setFont("Times-Roman", 10)
    pdf.drawString(MARGIN, TOP, "Terms")
    for n, item in enumerate(items):  # evenly spaced, as one paragraph's lines are
        pdf.drawString(MARGIN, TOP - 24 - 12 * n, item)
    pdf.drawString(MARGIN, TOP - 72, "4 weeks is what 3. above means, in a sentence that runs on to")  # no next number
    pdf.drawString(MARGIN, TOP - 84, "5. lines that open with another number.")
    pdf.save()
    assert load_document(tmp_path / "terms.pdf").text.split("\n\n") == [
        "Terms",
        *items,
        "4 weeks is what 3. above means, in a sentence that runs on to 5. lines that open with another number.",
    ]


def test_a_heading_over_two_lines_is_one_and_bold_labels_run_in_with_their_values_are_no_heading(tmp_path):
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    styles = getSampleStyleSheet()
    title = "Incident report INC-2291: the ledger consumer of the Zoë billing platform stalled after a schema change"
    details = "Severity: SEV1 Report author: Yusuf Demir Reviewed at: 19 June 2025"
    marked = re.sub(r"(\w[\w ]*:)", r"<b>\1</b>", details)  # the labels in bold, their values not
    story = [
        Paragraph(title, styles["Heading1"]),  # wraps: 18-point type on 22-point lines
        Paragraph(marked, styles["BodyText"]),
        Paragraph("Summary", styles["Heading2"]),
        Paragraph(prose(3, 4), styles["BodyText"]),
    ]
    SimpleDocTemplate(str(tmp_path / "report.pdf"), pagesize=A4).build(story)
    document = load_document(tmp_path / "report.pdf")
    assert document.text.split("\n\n") == [title, details, "Summary", prose(3, 4)]
    assert [document.text[s.start : s.start + len(s.title)] for s in document.sections] == ["Summary"]


def test_a_table_drawn_line_by_line_opens_a_row_where_its_first_column_does(tmp_path):
    from reportlab.pdfgen import canvas

    lines = [("Berth 1", "12 crowns a metre,"), ("", "paid at the office"), ("Berth 2", "14 crowns a metre")]
    pdf = canvas.Canvas(str(tmp_path / "dues.pdf"), pagesize=(PAGE_WIDTH, PAGE_HEIGHT))
    pdf.setFont("Times-Roman", 10)
    pdf.drawString(MARGIN, TOP, "Harbour dues, by berth.")
    pdf.drawString(MARGIN, TOP - 24, "Total due this year:          45 crowns")  # one wide gap: no table
    for n, (key, value) in enumerate(lines):  # evenly spaced: no wider space tells the rows apart
        pdf.drawString(MARGIN, TOP - 48 - 12 * n, key) if key else None
        pdf.drawString(250, TOP - 48 - 12 * n, value)
    pdf.save()
    assert load_document(tmp_path / "dues.pdf").text.split("\n\n") == [
        "Harbour dues, by berth.",
        "Total due this year: 45 crowns",
        "| Berth 1 | 12 crowns a metre, paid at the office |",
        "| Berth 2 | 14 crowns a metre |",
    ]


def test_list_items_with_their_marks_set_apart_are_no_table(tmp_path):
    from reportlab.pdfgen import canvas

    items = [("•", "Award: £412,000"), ("•", "Period: 1 April 2023 to 31 March 2026"), ("2.", "Zoë reports each May")]
    pdf = canvas.Canvas(str(tmp_path / "grant.pdf"), pagesize=(PAGE_WIDTH, PAGE_HEIGHT))
    pdf.setFont("Helvetica", 10)
    for n, (mark, text) in enumerate(items):  # the mark at the margin, its text a tab stop further, as Word lays it out
        pdf.drawString(MARGIN, TOP - 14 * n, mark)
        pdf.drawString(MARGIN + 24, TOP - 14 * n, text)
    pdf.save()
    assert load_document(tmp_path / "grant.pdf").text.split("\n\n") == [f"{m} {t}" for m, t in items]


def test_lines_that_open_with_a_fields_name_are_fields_of_their_own(tmp_path):

    lines = [
        "We write to give you notice of a proposed increase in the rent for the above property when your",
        "fixed term comes to an end.",
        "Current rent: £1,150.00 per calendar month",
        "New rent: £1,210.00 per calendar month",
        "New rent payable from: 1 September 2024",
        "Fracture clinic: 5 February 2025 at 10:40, Outpatients Level 2 - check X-ray and removal of the",
        "K-wires by Dr Zoë Lamb.",
    ]
    lines_pdf(tmp_path / "letter.pdf", lines, "Helvetica", 12)  # evenly spaced, as a letter sets its details
    read = load_document(tmp_path / "letter.pdf").text.split("\n\n")
    assert (
        read
        == [
            " ".join(lines[:2]),
            *lines[2:5],  # no room at the end of each for the next one's first word: only their names part them
            " ".join(lines[5:]),  # a field's value wrapped goes on
        ]
    )
