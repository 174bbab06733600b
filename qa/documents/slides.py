"""PowerPoint presentations (.pptx) as text: each slide a heading, its text in reading order, tables, charts, notes."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from qa.documents.markup import collapsed, row_line, table_text
from qa.documents.workbook import shown
from qa.errors import DocumentError
from qa.models import Section

SLIDE_HEADING = "Slide {number}: {title}"  # a slide's heading, "Slide 3: Budget"; "Slide 3" when it has no title
NOTES = "Notes:"  # the line before a slide's speaker notes
CHART = "Chart: {title}"  # the line before a chart's data; "Chart" when it has no title
SAME_ROW_EMU = 91_440  # shapes whose tops differ by less (0.1 inch) stand side by side: read left to right
# What python-pptx raises on a part it cannot read (a shape of a kind it does not know, a chart without its data)
UNREADABLE = (KeyError, ValueError, TypeError, IndexError, AttributeError, NotImplementedError)


def pptx_to_text(data: bytes) -> tuple[str, str | None, str | None, list[Section]]:
    """The text of a .pptx presentation, its own title (its properties'), its first slide's title and its headings:
    each slide, in order, a heading line naming it (``SLIDE_HEADING``, its title placeholder's text), then the text
    of its shapes as a person reads them (top to bottom, side by side left to right; a group's shapes within it), one
    line per paragraph, a table as rows between bars (a rule under its header row), a chart as its title and a table
    of its data, then its speaker notes. Raises DocumentError when ``data`` is no presentation or one python-pptx
    cannot read (a part it does not know how to read raises there, not in the folder's sync)."""
    import zipfile

    from lxml.etree import XMLSyntaxError
    from pptx import Presentation
    from pptx.exc import PackageNotFoundError

    try:
        deck = Presentation(io.BytesIO(data))
        lines, sections, first_title = deck_lines(deck)
        own_title = deck.core_properties.title
    except (*UNREADABLE, PackageNotFoundError, zipfile.BadZipFile, XMLSyntaxError) as error:
        raise DocumentError(f"broken PowerPoint presentation ({error})") from None
    return "\n".join(lines), own_title, first_title, sections


def deck_lines(deck: Any) -> tuple[list[str], list[Section], str | None]:
    """A python-pptx presentation's lines, sections and first slide's title (``slides_lines``)."""
    return slides_lines((slide_title(slide), slide_lines(slide)) for slide in deck.slides)


def slides_lines(slides: Iterable[tuple[str | None, list[str]]]) -> tuple[list[str], list[Section], str | None]:
    """The lines of a presentation's slides, each given as its title (None when it has none) and its other lines:
    each a heading line naming it (``SLIDE_HEADING``) then its lines, a blank line between slides; its sections (each
    slide's, at its heading line) and the first slide's title. No lines and no sections when no slide has a word
    (pictures only)."""
    lines: list[str] = []
    sections: list[Section] = []
    first_title = None
    said = False
    offset = 0  # where the next line starts
    for number, (title, read) in enumerate(slides, start=1):
        first_title = first_title or title
        heading = SLIDE_HEADING.format(number=number, title=title) if title else f"Slide {number}"
        if lines:  # a blank line between slides
            lines.append("")
            offset += 1
        sections.append(Section(start=offset, title=heading, level=1))
        said = said or bool(title or read)
        lines += [heading, *read]
        offset += sum(len(line) + 1 for line in [heading, *read])
    return (lines, sections, first_title) if said else ([], [], None)


def slide_title(slide: Any) -> str | None:
    """The text of a slide's title placeholder on one line; None when it has none or it is empty."""
    shape = slide.shapes.title
    title = collapsed(shape.text_frame.text) if shape is not None and shape.has_text_frame else ""
    return title or None


def slide_lines(slide: Any) -> list[str]:
    """A slide's lines but for its title (``shape_lines`` of its shapes in reading order), then its speaker notes."""
    title = slide.shapes.title
    lines = [
        line
        for shape in reading_order(slide.shapes)
        if title is None or shape.shape_id != title.shape_id
        for line in shape_lines(shape)
    ]
    notes = frame_lines(slide.notes_slide.notes_text_frame) if slide.has_notes_slide else []
    if notes:
        lines += [NOTES, *notes]
    return lines


def top_left(shape: Any) -> tuple[float, float]:
    """A python-pptx shape's top and left in EMU, 0 where it has none."""
    return shape.top or 0, shape.left or 0


def reading_order(
    shapes: Iterable[Any], place: Callable[[Any], tuple[float, float]] = top_left, same_row: float = SAME_ROW_EMU
) -> list[Any]:
    """Shapes as a person reads a slide: by their tops, those side by side (tops within ``same_row`` of the row's
    first) left to right. ``place`` gives a shape's top and left (python-pptx's by default: a shape without a
    position, inherited from nowhere, reads first)."""
    placed = sorted(shapes, key=place)
    rows: list[list[Any]] = []
    for shape in placed:
        if rows and place(shape)[0] - place(rows[-1][0])[0] < same_row:
            rows[-1].append(shape)
        else:
            rows.append([shape])
    return [shape for row in rows for shape in sorted(row, key=lambda shape: place(shape)[1])]


def shape_lines(shape: Any) -> Iterator[str]:
    """The lines of one shape: a group's shapes in reading order, a table's rows, a chart's data, a text frame's
    paragraphs; nothing for a picture or a line."""
    from pptx.shapes.group import GroupShape

    if isinstance(shape, GroupShape):
        for inner in reading_order(shape.shapes):
            yield from shape_lines(inner)
    elif getattr(shape, "has_table", False):
        yield from table_lines(shape.table)
    elif getattr(shape, "has_chart", False):
        yield from chart_lines(shape.chart)
    elif shape.has_text_frame:
        yield from frame_lines(shape.text_frame)


def frame_lines(frame: Any) -> list[str]:
    """A text frame's paragraphs, one line each (a line break within one, a new line), white space collapsed."""
    return [line for paragraph in frame.paragraphs for part in paragraph.text.split("\v") if (line := collapsed(part))]


def cell_text(cell: Any) -> str:
    """A table cell's text on one line."""
    return collapsed(" ".join(frame_lines(cell.text_frame)))


def table_lines(table: Any) -> list[str]:
    """A table's rows between bars, a cell merged over others once, the rule under its header row when it marks one
    (``first_row``); rows without a word left out."""
    rows = [[cell_text(cell) for cell in row.cells if not cell.is_spanned] for row in table.rows]
    if table.first_row:
        return table_text(rows).splitlines()
    return [row_line(row) for row in rows if any(row)]


def chart_lines(chart: Any) -> list[str]:
    """A chart as a line naming it (``CHART``) and a table of its data: a row per category, a column per series
    (named in the header row), values as a spreadsheet shows them; the line alone for a chart without categories (a
    scatter chart's points are not read)."""
    title = collapsed(chart.chart_title.text_frame.text) if chart.has_title and chart.chart_title.has_text_frame else ""
    named = CHART.format(title=title) if title else "Chart"
    try:
        plots = list(chart.plots)
        categories = [str(category) for category in plots[0].categories] if plots else []
    except UNREADABLE:  # a chart kind python-pptx does not read
        return [named]
    series = [s for plot in plots for s in plot.series]
    if not categories or not series:
        return [named]
    header = ["", *(s.name or f"Series {n}" for n, s in enumerate(series, start=1))]
    values = [list(s.values) for s in series]
    rows = [[category, *(shown(v[i]) if i < len(v) else "" for v in values)] for i, category in enumerate(categories)]
    return [named, *table_text([header, *rows]).splitlines()]
