"""PowerPoint 97-2003 presentations (.ppt) as text: each slide a heading, its shapes' text, tables' rows and notes."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass

from qa.documents.compound import opened, summary_title
from qa.documents.markup import collapsed, table_text
from qa.documents.slides import NOTES, slides_lines
from qa.errors import DocumentError
from qa.models import Section

# Record types (MS-PPT 2.13.24): the edits and where they put each object, the document and its lists of slides and
# notes, a slide and its properties, a notes page; a drawing's groups, shapes, their text and their places.
USER_EDIT, PERSIST_DIRECTORY, DOCUMENT, SLIDE_LIST, SLIDE_PERSIST = 0x0FF5, 0x1772, 0x03E8, 0x0FF0, 0x03F3
SLIDE, SLIDE_ATOM, NOTES_PAGE = 0x03EE, 0x03EF, 0x03F0
TEXT_HEADER, TEXT_CHARS, TEXT_BYTES, OUTLINE_REFERENCE = 0x0F9F, 0x0FA0, 0x0FA8, 0x0F9E
GROUP, SHAPE, TEXT_BOX, CLIENT_ANCHOR, CHILD_ANCHOR = 0xF003, 0xF004, 0xF00D, 0xF010, 0xF00F
CLIENT_DATA, PLACEHOLDER = 0xF011, 0x0BC3
RUNNING_PLACEHOLDERS = {0x07, 0x08, 0x09, 0x0A}  # the date's, the slide number's, the footer's and the header's
RUNNING_FIELDS = {0x0FD8, 0x0FF7, 0x0FF8, 0x0FF9, 0x0FFA, 0x1015}  # a slide number, dates, a header, a footer
SLIDES, NOTES_LIST = 0, 2  # the instances of the slide lists that hold the slides and the notes pages
TITLE_TYPES, OTHER_TEXT = {0, 6}, 4  # text types: a title placeholder's (title, centred title), a text box's
BREAKS = str.maketrans({"\r": "\n", "\x0b": "\n"})  # a paragraph's end, a line break within one


@dataclass(frozen=True)
class Record:
    """A record of the PowerPoint Document stream: its type, its instance, where its body starts and ends, and
    whether it holds other records (a container)."""

    type: int
    instance: int
    start: int
    end: int
    container: bool


@dataclass(frozen=True)
class Listed:
    """A slide list's entry: the slide's (or notes page's) object, its identifier, and the texts listed with it (its
    outline's: a title's or a body's, each as its text type and text)."""

    persist_id: int
    identifier: int
    outline: list[tuple[int, str]]


@dataclass(frozen=True)
class Placed:
    """A shape's text, or a table's rows, with its top and left where the drawing gives them."""

    lines: list[str]
    top: int
    left: int
    kind: int | None = None  # its text's type (TITLE_TYPES: a title), None when it has none


def ppt_to_text(data: bytes) -> tuple[str, str | None, str | None, list[Section]]:
    """The text of a PowerPoint 97-2003 presentation, its own title (its summary's), its first slide's title and its
    headings, as a .pptx presentation's (``qa.documents.slides.slides_lines``): each slide, in the order shown, a
    heading naming it by its title, then its shapes' text in the order they are drawn (a table's cells as its rows),
    then its notes. Raises DocumentError when ``data`` is no such presentation or one that cannot be read."""
    try:
        with opened(data, "PowerPoint 97-2003 presentation") as ole:
            if not ole.exists("PowerPoint Document"):
                raise DocumentError("not a PowerPoint presentation (no PowerPoint Document stream in it)")
            stream = ole.openstream("PowerPoint Document").read()
            current = ole.openstream("Current User").read() if ole.exists("Current User") else b""
            title = summary_title(ole)
        lines, sections, first_title = slides_lines(Deck(stream, current).slides())
    except DocumentError:
        raise
    except (OSError, ValueError, LookupError, ArithmeticError, struct.error) as error:  # a damaged file
        raise DocumentError(f"not a readable PowerPoint 97-2003 presentation ({error})") from None
    return "\n".join(lines), title, first_title, sections


def records(data: bytes, start: int, end: int) -> Iterator[Record]:
    """The records between ``start`` and ``end`` of ``data``, one after another (not those within them)."""
    at = start
    while at + 8 <= end:
        version, kind, length = struct.unpack_from("<HHI", data, at)
        body_end = min(at + 8 + length, end)
        yield Record(kind, version >> 4, at + 8, body_end, version & 0xF == 0xF)
        at = body_end


def within(data: bytes, record: Record) -> Iterator[Record]:
    """The records a container holds, directly."""
    return records(data, record.start, record.end) if record.container else iter(())


class Deck:
    """A presentation's PowerPoint Document stream read: where its edits put each object, its slides and notes."""

    def __init__(self, stream: bytes, current_user: bytes) -> None:
        self.data = stream
        self.places, document = persist_places(stream, current_user)
        found = self.at(document)
        if found is None or found.type != DOCUMENT:
            raise DocumentError("not a readable PowerPoint 97-2003 presentation (no document record)")
        lists = {record.instance: record for record in within(stream, found) if record.type == SLIDE_LIST}
        self.slide_list = self.listed(lists.get(SLIDES))
        self.notes = {entry.identifier: entry for entry in self.listed(lists.get(NOTES_LIST))}

    def at(self, persist_id: int) -> Record | None:
        """The record the edits put the object ``persist_id`` in; None when none does."""
        place = self.places.get(persist_id)
        return next(records(self.data, place, len(self.data)), None) if place is not None else None

    def listed(self, slide_list: Record | None) -> list[Listed]:
        """A slide list's entries, in order."""
        entries: list[Listed] = []
        kind = OTHER_TEXT
        for record in within(self.data, slide_list) if slide_list else ():
            if record.type == SLIDE_PERSIST and record.end - record.start >= 16:
                persist_id, _, _, identifier = struct.unpack_from("<IIiI", self.data, record.start)
                entries.append(Listed(persist_id, identifier, []))
            elif record.type == TEXT_HEADER and entries:
                kind = struct.unpack_from("<I", self.data, record.start)[0]
            elif record.type in (TEXT_CHARS, TEXT_BYTES) and entries:
                entries[-1].outline.append((kind, self.text(record)))
        return entries

    def text(self, record: Record) -> str:
        """A text atom's text: UTF-16, or one byte a character."""
        body = self.data[record.start : record.end]
        return body.decode("utf-16-le", errors="replace") if record.type == TEXT_CHARS else body.decode("latin-1")

    def slides(self) -> Iterator[tuple[str | None, list[str]]]:
        """Each slide, in the order shown, as its title (None when it has none) and its other lines, its notes last."""
        for entry in self.slide_list:
            slide = self.at(entry.persist_id)
            if slide is None or slide.type != SLIDE:
                continue
            placed = self.drawn(slide, entry.outline)
            title = next((collapsed(" ".join(p.lines)) for p in placed if p.kind in TITLE_TYPES), None)
            lines = [line for p in placed if p.kind not in TITLE_TYPES for line in p.lines]
            notes = self.notes_lines(slide)
            yield title or None, [*lines, *([NOTES, *notes] if notes else [])]

    def notes_lines(self, slide: Record) -> list[str]:
        """The lines of a slide's notes page (its text but the slide's picture), [] when it has none."""
        atom = next((record for record in within(self.data, slide) if record.type == SLIDE_ATOM), None)
        if atom is None or atom.end - atom.start < 20:
            return []
        entry = self.notes.get(struct.unpack_from("<I", self.data, atom.start + 16)[0])
        page = self.at(entry.persist_id) if entry else None
        if entry is None or page is None or page.type != NOTES_PAGE:
            return []
        return [line for placed in self.drawn(page, entry.outline) for line in placed.lines]

    def drawn(self, container: Record, outline: list[tuple[int, str]]) -> list[Placed]:
        """The texts of a slide's or notes page's shapes in the order they are drawn (a group's within it; one that
        is a table as its rows), and the outline's texts no shape refers to after them."""
        placed: list[Placed] = []
        referred: set[int] = set()
        for record in self.walk(container, {GROUP, SHAPE}):
            if record.type == SHAPE:
                placed += self.shape_text(record, outline, referred)
                continue
            placed.append(self.group(record, outline, referred))
        placed += [
            Placed(lines_of([text]), 0, 0, kind) for index, (kind, text) in enumerate(outline) if index not in referred
        ]
        return [p for p in placed if p.lines]

    def walk(self, record: Record, wanted: set[int]) -> Iterator[Record]:
        """The records of ``wanted`` types within ``record``, in order, not looking into those found but the
        drawing's own top group (a group found is one within it)."""
        for inner in within(self.data, record):
            if inner.type in wanted and not (inner.type == GROUP and self.is_top_group(inner)):
                yield inner
            elif inner.container:
                yield from self.walk(inner, wanted)

    def is_top_group(self, group: Record) -> bool:
        """Whether a group is a drawing's own, the one every shape is in: its first shape is the group's
        (OfficeArt's "patriarch"), with no text and no place given."""
        first = next(within(self.data, group), None)
        return (
            first is not None
            and first.type == SHAPE
            and not any(record.type in (TEXT_BOX, CLIENT_ANCHOR, CHILD_ANCHOR) for record in within(self.data, first))
        )

    def shape_text(self, shape: Record, outline: list[tuple[int, str]], referred: set[int]) -> list[Placed]:
        """A shape's text with its place: its own, or the outline's text it refers to; [] for one without text or a
        placeholder of the date, the slide's number, a header or a footer (the character that stands for such a
        field in other text, "*", left out)."""
        box = next((record for record in within(self.data, shape) if record.type == TEXT_BOX), None)
        if box is None or self.placeholder(shape) in RUNNING_PLACEHOLDERS:
            return []
        kind, texts, fields = OTHER_TEXT, [], set()
        for record in within(self.data, box):
            if record.type in RUNNING_FIELDS and record.end - record.start >= 4:
                fields.add(struct.unpack_from("<I", self.data, record.start)[0])
            elif record.type == TEXT_HEADER:
                kind = struct.unpack_from("<I", self.data, record.start)[0]
            elif record.type in (TEXT_CHARS, TEXT_BYTES):
                texts.append(self.text(record))
            elif record.type == OUTLINE_REFERENCE:
                index = struct.unpack_from("<I", self.data, record.start)[0]
                if index < len(outline):
                    referred.add(index)
                    kind, texts = outline[index][0], [*texts, outline[index][1]]
        text = "".join(character for at, character in enumerate("\r".join(texts)) if at not in fields)
        top, left = self.place(shape)
        return [Placed(lines_of([text]), top, left, kind)]

    def placeholder(self, shape: Record) -> int | None:
        """The kind of placeholder a shape is (MS-PPT 2.13.21), None when it is none."""
        for data in within(self.data, shape):
            for atom in within(self.data, data) if data.type == CLIENT_DATA else ():
                if atom.type == PLACEHOLDER and atom.end - atom.start >= 5:
                    return self.data[atom.start + 4]
        return None

    def place(self, shape: Record) -> tuple[int, int]:
        """A shape's top and left: its anchor on the slide (top, left, ... as 16-bit numbers) or in its group (left,
        top, ... as 32-bit numbers); (0, 0) when it has none."""
        for record in within(self.data, shape):
            if record.type == CLIENT_ANCHOR and record.end - record.start >= 4:
                return struct.unpack_from("<hh", self.data, record.start)
            if record.type == CHILD_ANCHOR and record.end - record.start >= 8:
                left, top = struct.unpack_from("<ii", self.data, record.start)
                return top, left
        return 0, 0

    def group(self, group: Record, outline: list[tuple[int, str]], referred: set[int]) -> Placed:
        """A group's shapes' text: as a table's rows ("| Plot | Fee |", the first naming the columns: ``table_text``)
        when its shapes stand in rows of one width (two columns or more), else one after another; placed where its
        first shape is."""
        shapes = [placed for shape in self.walk(group, {SHAPE}) for placed in self.shape_text(shape, outline, referred)]
        top, left = (shapes[0].top, shapes[0].left) if shapes else (0, 0)
        rows: dict[int, list[Placed]] = {}
        for shape in shapes:
            rows.setdefault(shape.top, []).append(shape)
        widths = {len(row) for row in rows.values()}
        if len(rows) >= 2 and len(widths) == 1 and widths.pop() >= 2:
            cells = [sorted(row, key=lambda shape: shape.left) for _, row in sorted(rows.items())]
            return Placed(table_text([[" ".join(cell.lines) for cell in row] for row in cells]).splitlines(), top, left)
        return Placed([line for shape in shapes for line in shape.lines], top, left)


def lines_of(texts: list[str]) -> list[str]:
    """Texts' paragraphs and lines as lines, white space collapsed, empty ones left out."""
    return [line for text in texts for line in (collapsed(part) for part in text.translate(BREAKS).split("\n")) if line]


def persist_places(stream: bytes, current_user: bytes) -> tuple[dict[int, int], int]:
    """Where each object is in the stream, by its persist id, as the edits saved in it put them (the oldest first,
    each later one replacing what it changes), and the document's persist id. Raises DocumentError when the
    current edit cannot be found."""
    if len(current_user) < 20:
        raise DocumentError("not a readable PowerPoint 97-2003 presentation (no Current User stream)")
    edit_at = struct.unpack_from("<I", current_user, 16)[0]
    edits: list[Record] = []  # the newest first
    while 0 < edit_at + 8 <= len(stream) and all(edit_at != edit.start - 8 for edit in edits):
        edit = next(records(stream, edit_at, len(stream)))
        if edit.type != USER_EDIT or edit.end - edit.start < 20:
            break
        edits.append(edit)
        edit_at = struct.unpack_from("<I", stream, edit.start + 8)[0]
    if not edits:
        raise DocumentError("not a readable PowerPoint 97-2003 presentation (its current edit is not where it says)")
    places: dict[int, int] = {}
    for edit in reversed(edits):
        directory_at = struct.unpack_from("<I", stream, edit.start + 12)[0]
        directory = next(records(stream, directory_at, len(stream)), None)
        if directory is not None and directory.type == PERSIST_DIRECTORY:
            places.update(directory_entries(stream, directory))
    return places, struct.unpack_from("<I", stream, edits[0].start + 16)[0]


def directory_entries(stream: bytes, directory: Record) -> dict[int, int]:
    """A persist directory's places: runs of (first id: 20 bits, count: 12 bits) followed by that many offsets."""
    places, at = {}, directory.start
    while at + 4 <= directory.end:
        run = struct.unpack_from("<I", stream, at)[0]
        first, count = run & 0xFFFFF, run >> 20
        at += 4
        for index in range(count):
            if at + 4 > directory.end:
                break
            places[first + index] = struct.unpack_from("<I", stream, at)[0]
            at += 4
    return places
