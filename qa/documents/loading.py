"""Load a folder of .txt, .md, .html, .mhtml, .pdf, .docx, .doc, .odt, .rtf, .epub, .pptx, .ppt, .odp, .csv, .tsv,
.xlsx, .xls, .ods, .eml, .msg, .mbox, .vtt, .srt and .zip files, and scans (.tif, .tiff), into documents with their
headings, reporting failures."""

from __future__ import annotations

import bisect
import codecs
import hashlib
import io
import logging
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from qa.documents import ocr
from qa.documents.archive import zip_to_text
from qa.documents.captions import captions_to_text
from qa.documents.delimited import delimited_to_text
from qa.documents.ebook import epub_to_text
from qa.documents.html import html_to_text
from qa.documents.mail import mail_to_text, mbox_to_text, saved_page
from qa.documents.opendocument import odp_to_text, ods_to_text, odt_to_text
from qa.documents.outlook import msg_to_text
from qa.documents.powerpoint97 import ppt_to_text
from qa.documents.rtf import rtf_to_text
from qa.documents.slides import pptx_to_text
from qa.documents.word import docx_to_text
from qa.documents.word97 import doc_to_text
from qa.documents.workbook import workbook_to_text, xls_to_text
from qa.errors import DocumentError, MissingError
from qa.models import Document, LoadFailure, Section

# What reads each format, by version: raised when its loader reads files of it differently, so that the next sync of
# an index reads them again (``qa.index.stale_formats``; a file whose text is the same is not embedded again, its
# title and headings are recorded). An index that records none was read by version 1. Version 2 (2026-12): HTML
# without its site's chrome, Word's text boxes, content controls and notes, PDF tables as rows of cells, Markdown
# titles from front matter and setext headings. Version 3 (2026-12): the header rows of HTML, Word and PDF tables
# ruled off as in Markdown ("| --- |"); in a PDF, a table under a bold header row as one block of rows, a heading
# wrapped over two lines as one, bold labels run in with their values as no heading. Plain text version 2 (2026-12):
# its headings (``plain_text_sections``). Version 4 of HTML, PDF and Word, version 2 of e-mail (2026-12): a table cell's
# own "|" written as "¦", not splitting the cell. OpenDocument text version 2 (2026-12): its charts and list numbers.
# E-mail version 3, mailbox version 2 (2026-12): a plain text body's quote marks left out, the line above a quote its
# heading, "format=flowed" lines joined as their sender wrote them. PDF version 5 (2026-12): a page without text (a
# scan) read by OCR where Tesseract is installed. Spreadsheet version 2 (.csv, .tsv, .xlsx, .xls, .ods; e-mail 4, mailbox
# 3, Outlook message 2, zip 2, which may hold them; 2026-12): the rows above a sheet's table that name no columns (a
# title or a note in one cell, labels with their values) as lines of text, the next row naming the columns. PDF version
# 6 (e-mail 5, mailbox 4, Outlook message 3, zip 3, which may hold one; 2026-12): a line that opens with a field's name
# under another such line is a paragraph of its own (``qa.documents.pdf.FIELD_START``). PDF version 7 (e-mail 6, mailbox
# 5, Outlook message 4, zip 4): a table of figures at a page's right kept whole, a numbered list's items and a quote's
# totals as paragraphs and rows of their own. PDF version 8 (e-mail 7, mailbox 6, Outlook message 5, zip 5): a table's
# rows between a bold header and a bold total told apart as rows (``qa.documents.pdf.body_gaps``), not as one row's
# wrapped cells; a line opening in small letters goes on with the paragraph above it. Spreadsheet version 3 (e-mail,
# mailbox, Outlook message and zip as for PDF version 8): the rows under a sheet's table that fill one cell only (notes)
# as lines of text after it. Word version 5 (e-mail and the rest as for PDF version 8): a table's plain first row of
# column names ruled off as its header (``qa.documents.markup.names_columns``).
READ_BY = MappingProxyType(
    {
        ".txt": 2,
        ".md": 2,
        ".markdown": 2,
        ".html": 4,
        ".htm": 4,
        ".mhtml": 1,
        ".mht": 1,
        ".pdf": 8,
        ".docx": 5,
        ".doc": 1,
        ".rtf": 1,
        ".epub": 1,
        ".odt": 2,
        ".ods": 3,
        ".odp": 1,
        ".pptx": 1,
        ".ppt": 1,
        ".csv": 3,
        ".tsv": 3,
        ".xlsx": 3,
        ".xls": 3,
        ".eml": 7,
        ".mbox": 6,
        ".msg": 5,
        ".zip": 5,
        ".tif": 1,
        ".tiff": 1,
        ".vtt": 1,
        ".srt": 1,
    }
)
# Formats read as a Word document is: their text, their own title (else their first line's) and their headings.
READS_AS_WORD = MappingProxyType(
    {".docx": docx_to_text, ".doc": doc_to_text, ".odt": odt_to_text, ".rtf": rtf_to_text, ".epub": epub_to_text}
)
SUPPORTED_SUFFIXES = frozenset(READ_BY)  # the formats read: those a loader version is recorded for
# Formats whose text may come from OCR: scans, and the files that hold files (attachments, an archive's files).
MAY_HOLD_SCANS = frozenset({".pdf", ".tif", ".tiff", ".eml", ".msg", ".mbox", ".zip"})
# Decoded text with more than this share of control characters is binary data, not text.
MAX_CONTROL_SHARE = 0.01
NOT_TEXT = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ufffd]")
PAGE_SEPARATOR = "\n\n"
FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\n(?P<block>(?:.*\n){0,200}?)(?:---|\.\.\.)[ \t]*(?:\n|\Z)")
FRONT_MATTER_TITLE = re.compile(r"(?m)^title:[ \t]*(.+?)[ \t]*$")
HTML_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.IGNORECASE)
DECLARATION_BYTES = 4096  # how far into a page its charset is looked for (a browser looks within the first 1024)
HIDDEN_FILE = "hidden file"  # why a file whose name starts with a dot is not indexed
HIDDEN_FOLDER = "hidden folder"
BROKEN_LINK = "a link to nothing (its target is missing, or a loop)"
SCANNED_AGAIN = "a folder already scanned as {} (a link loop, or two links to one folder)"
# Text in UTF-16 without a byte order mark: NUL bytes (the high bytes of ASCII characters) at this share or more of
# the odd positions (little-endian) or of the even ones (big-endian), and at under a tenth as many of the others.
# Random and binary bytes have their NULs at both alike; Cyrillic or Greek text has them at its spaces and digits.
UTF16_NUL_SHARE = 0.1
# Encoded data (base64, hex, a minified blob) is 'words' far longer than any word or URL: a document with more than
# ENCODED_SHARE of its characters in such runs of over MAX_WORD_CHARS characters, ENCODED_MIN_CHARS at least, is not
# indexed (it would make thousands of passages nobody asks about). One long URL in a text, or a small blob, is a few
# passages and stays. A run counts when it is at least 90% ASCII with at least 5% ASCII digits or symbols, as every
# encoding's alphabet is: a run of letters alone (a word without its spaces), or Chinese, Japanese or Thai text,
# written without spaces, is text, which the chunker cuts into passages of at most CHARS_PER_TOKEN per token.
MAX_WORD_CHARS = 500
ENCODED_SHARE = 0.5
ENCODED_MIN_CHARS = 10_000
LONG_WORD = re.compile(rf"(?<!\S)\S{{{MAX_WORD_CHARS + 1},}}")
ASCII_SYMBOLS = re.compile(r"[!-@\[-`{-~]+")  # digits and punctuation
# Titles that tools write when nobody gave one: "untitled" (reportlab's default), "Untitled document", Word's
# "Document1", a PDF printed from Office ("Microsoft Word - report.docx"), reportlab's "(anonymous)", PowerPoint's
# "PowerPoint Presentation", or a file name.
# Such a title is taken as missing: the first line of the text is the title instead, as for a text file.
PLACEHOLDER_TITLE = re.compile(
    r"untitled(?:[\s_-]*(?:document|doc))?(?:[\s_-]*\d+)?|document\s*\d*|microsoft\s+\w+\s+-\s+.*|\(anonymous\)"
    r"|(?:microsoft\s+)?powerpoint\s+presentation|presentation\s*\d*"
    r"|.*\.(?:docx?|pdf|txt|rtf|od[tsp]|pptx?|xlsx?)",
    re.IGNORECASE,
)
# Markdown: a fence of a code block, an ATX heading ("## Methods ##") and the line under a setext heading.
MARKDOWN_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
ATX_HEADING = re.compile(r" {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*")
SETEXT_UNDERLINE = re.compile(r" {0,3}(=+|-+)[ \t]*")
# Plain text: a heading is a line in capitals ("APPLIANCE DETAILS", "3. RESULTS") of a few words standing after a blank
# line (or another such line), or a line underlined with three or more "=" or "-". Not a line in columns (two spaces
# within: a table's row) nor a field in capitals with its value ("TOTAL: £1,842.36"; "NOTES:" is a heading).
PLAIN_UNDERLINE = re.compile(r"[ \t]*(={3,}|-{3,})[ \t]*")
PLAIN_HEADING_WORDS = 8
NOT_SETEXT_TEXT = re.compile(r"(?: {4}|\t| {0,3}(?:[-*+>]|\d+[.)])(?:\s|$))")  # code, list items, quotes
# The heading of a reference list, numbered or not: "References", "7. Bibliography", "Works Cited".
REFERENCE_HEADING = re.compile(
    r"(?:(?:\d{1,2}(?:\.\d{1,2})*|[IVXLC]{1,6}|[A-Z])[.):]?\s+)?"
    r"(?:references?(?:\s+(?:and\s+notes|cited))?|notes\s+and\s+references|(?:select(?:ed)?\s+)?bibliography"
    r"|works\s+cited|literature\s+cited|cited\s+literature|reference\s+list|sources|literaturverzeichnis"
    r"|références|bibliographie|referencias|bibliografía)\s*[.:]?",
    re.IGNORECASE,
)


def document_id(text: str) -> str:
    """Stable id of a document: the start of the SHA-256 of its text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def utf16_order(data: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when ``data`` looks like UTF-16 text without a byte order mark, else None."""
    pairs = len(data) // 2
    even, odd = data[0 : 2 * pairs : 2].count(0), data[1 : 2 * pairs : 2].count(0)
    if pairs and odd >= UTF16_NUL_SHARE * pairs and even * 10 < odd:
        return "utf-16-le"
    if pairs and even >= UTF16_NUL_SHARE * pairs and odd * 10 < even:
        return "utf-16-be"
    return None


def decode_text(data: bytes, declared: str | None = None) -> str:
    """Decode bytes of a text file: UTF-8 (with or without BOM), UTF-16 (with BOM, or without it, told by where its
    NUL bytes are), else the encoding the file ``declared`` (an HTML page's charset) when Python knows it, else
    Windows-1252 (random bytes decode; ``check_is_text`` tells them from text)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    order = utf16_order(data) if b"\x00" in data else None
    if order:
        return data.decode(order, errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:  # the five bytes Windows-1252 leaves undefined become U+FFFD, which check_is_text counts
        return data.decode(known_encoding(declared) or "cp1252", errors="replace")


def known_encoding(name: str | None) -> str | None:
    """Python's name of the text encoding ``name`` ("Shift_JIS", "koi8-r"), None when it names none Python knows (or
    a codec of bytes to bytes, "base64", or of text to text, "rot13")."""
    try:
        b"a".decode(name or "", errors="replace")  # raises for a codec that decodes no bytes to text
        return codecs.lookup(name or "").name
    except LookupError:
        return None


def declared_charset(data: bytes) -> str | None:
    """The character encoding an HTML page declares near its start (``<meta charset=...>``, or a content type's
    ``charset=``), None when it declares none."""
    found = HTML_CHARSET.search(data[:DECLARATION_BYTES])
    return found.group(1).decode("ascii") if found else None


def check_is_text(text: str) -> str:
    """The text with its NUL characters made spaces, unless too many of its characters are control characters or
    NULs (random or binary bytes)."""
    sample = text[:100_000]
    share = len(NOT_TEXT.findall(sample)) / max(1, len(sample))
    if share > MAX_CONTROL_SHARE:
        raise DocumentError(f"binary file ({share:.0%} of its characters are not text)")
    return text.replace("\x00", " ")


def encoded(run: str) -> bool:
    """Whether a long run without white space is encoded data: ASCII, with digits or symbols among its letters."""
    ascii_chars = len(run.encode("ascii", "ignore"))
    symbols = sum(len(found) for found in ASCII_SYMBOLS.findall(run))
    return ascii_chars >= 0.9 * len(run) and symbols >= 0.05 * len(run)


def check_not_encoded(text: str) -> str:
    """The text, unless most of it is encoded data (see MAX_WORD_CHARS)."""
    chars = sum(len(run) for run in LONG_WORD.findall(text) if encoded(run))
    share = chars / max(1, len(text))
    if chars >= ENCODED_MIN_CHARS and share > ENCODED_SHARE:
        raise DocumentError(
            f"encoded data, not text: {share:.0%} of it is in 'words' over {MAX_WORD_CHARS:,} characters (base64, "
            "hex or the like)"
        )
    return text


def markdown_sections(text: str) -> list[Section]:
    """The headings of a Markdown text: ATX ("## Methods") and setext (a line underlined with = or -), outside
    fenced code blocks and a leading front matter; each section starts at its heading's words."""
    sections: list[Section] = []
    lines = text.split("\n")
    fence = "---" if lines[0].rstrip() == "---" else None  # front matter, until the next "---" or "..."
    before: tuple[int, str] | None = None  # the line before, when it may be a setext heading's words
    offset = 0
    for number, line in enumerate(lines):
        start, offset = offset, offset + len(line) + 1
        if number == 0 and fence:
            continue
        opened = MARKDOWN_FENCE.match(line)
        if fence:
            if (fence == "---" and line.strip() in ("---", "...")) or (
                opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence)
            ):
                fence = None
            before = None
            continue
        heading = ATX_HEADING.fullmatch(line)
        underline = SETEXT_UNDERLINE.fullmatch(line)
        if opened:
            fence = opened.group(1)
        elif heading and heading.group(2):
            sections.append(
                Section(start=start + heading.start(2), title=heading.group(2), level=len(heading.group(1)))
            )
        elif underline and before:
            level = 1 if underline.group(1)[0] == "=" else 2
            sections.append(Section(start=before[0], title=before[1], level=level))
        elif line.strip() and not underline and not NOT_SETEXT_TEXT.match(line):
            before = (start + len(line) - len(line.lstrip()), line.strip())
            continue
        before = None
    return sections


def plain_text_sections(text: str) -> list[Section]:
    """The headings of a plain text: a line underlined with "=" (level 1) or "-" (level 2, ``PLAIN_UNDERLINE``), or a
    line in capitals (``capitals_heading``) after a blank line, the text's start or another such heading (level 1);
    each section starts at its heading's words."""
    sections: list[Section] = []
    lines = text.split("\n")
    offset = 0
    may_open = True  # the line follows a blank line, the text's start or a heading
    for number, line in enumerate(lines):
        start, offset = offset, offset + len(line) + 1
        words = line.strip()
        underline = PLAIN_UNDERLINE.fullmatch(lines[number + 1]) if number + 1 < len(lines) else None
        heading = bool(words) and not PLAIN_UNDERLINE.fullmatch(line)
        heading = heading and (bool(underline) or (may_open and capitals_heading(words)))
        if heading and len(words.split()) <= PLAIN_HEADING_WORDS:
            level = 2 if underline and underline.group(1)[0] == "-" else 1
            sections.append(Section(start=start + len(line) - len(line.lstrip()), title=words, level=level))
        may_open = not words or heading
    return sections


def capitals_heading(line: str) -> bool:
    """Whether a stripped line reads as a heading in capitals: a few words, two letters or more, none in lower case,
    no run of two spaces (a row of columns), no value after a colon (a field)."""
    letters = [char for char in line if char.isalpha()]
    return (
        len(letters) >= 2
        and not any(char.islower() for char in letters)
        and len(line.split()) <= PLAIN_HEADING_WORDS
        and "  " not in line
        and "\t" not in line
        and not line.rstrip(":").count(":")
    )


def join_pages(pages: list[str]) -> tuple[str, list[int]]:
    """The pages' texts (stripped) separated by blank lines, empty ones dropped, and the offset at which each page
    begins in it: an empty page begins where the next page with text does (the end of the text when none does)."""
    stripped = [page.strip() for page in pages]
    text = PAGE_SEPARATOR.join(page for page in stripped if page)
    starts, offset = [], 0
    for page in stripped:
        starts.append(min(offset, len(text)))
        if page:
            offset += len(page) + len(PAGE_SEPARATOR)
    return text, starts


def page_at(page_starts: list[int] | None, offset: int) -> int | None:
    """The 1-based page holding the character at ``offset`` (a separator belongs to the page before it), given
    where each page begins; None without pages (not a PDF) or before the first."""
    if not page_starts:
        return None
    return bisect.bisect_right(page_starts, offset) or None


def section_at(sections: list[Section] | None, offset: int) -> Section | None:
    """The section holding the character at ``offset``: the one whose heading is the last to begin at or before
    it (sections in text order); None without sections or before the first heading."""
    if not sections:
        return None
    index = bisect.bisect_right([section.start for section in sections], offset)
    return sections[index - 1] if index else None


def section_label(section: Section) -> str:
    """How a section is named to a reader: its heading on one line, numbering included ("3.2 Methods"), cut at a
    word to a readable length."""
    return short_title(" ".join(section.title.split()))


def is_reference_section(title: str) -> bool:
    """Whether a heading is that of a reference list: "References", "7. Bibliography", "Works Cited" and the like."""
    return bool(REFERENCE_HEADING.fullmatch(" ".join(title.split())))


def given_title(title: str | None) -> str | None:
    """A title from a file's metadata, stripped; None when there is none or it is a placeholder (PLACEHOLDER_TITLE)."""
    title = (title or "").strip()
    return None if not title or PLACEHOLDER_TITLE.fullmatch(title) else title


_quiet_lock = threading.Lock()
_quiet_depth = 0
_quiet_level = logging.NOTSET


@contextmanager
def pypdf_quiet() -> Iterator[None]:
    """pypdf's logger raised to ERROR meanwhile (its level restored after the last of overlapping calls): a broken
    PDF makes it log a WARNING line per damaged object, while the file is reported once, as not indexed."""
    global _quiet_depth, _quiet_level
    logger = logging.getLogger("pypdf")
    with _quiet_lock:
        if _quiet_depth == 0:
            _quiet_level = logger.level
            logger.setLevel(logging.ERROR)
        _quiet_depth += 1
    try:
        yield
    finally:
        with _quiet_lock:
            _quiet_depth -= 1
            if _quiet_depth == 0:
                logger.setLevel(_quiet_level)


def pypdf_text(data: bytes) -> tuple[str, list[int], str | None]:
    """Text of every page of a PDF as pypdf extracts it, where each page begins in it (see ``join_pages``), and its
    metadata title: for a PDF that PDFium cannot open, and to say why a broken one cannot be read."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        with pypdf_quiet():
            reader = PdfReader(io.BytesIO(data))
            pages = [page.extract_text() or "" for page in reader.pages]
            title = reader.metadata.title if reader.metadata else None
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as error:
        raise DocumentError(f"broken PDF ({error})") from None
    return *join_pages(pages), given_title(title)


def pdf_to_text(data: bytes) -> tuple[str, list[int], str | None, list[Section]]:
    """A PDF's text in reading order (see ``qa.documents.pdf``), where each page begins in it, its title (from its metadata,
    else its layout: its largest first line, or its first line) and its headings. A PDF that PDFium cannot open is
    read by pypdf, page by page, without headings; one that neither can read raises DocumentError."""
    from qa.documents.pdf import UnreadablePdf, read_pdf

    try:
        pdf = read_pdf(data)
    except UnreadablePdf as error:
        if error.password:
            raise DocumentError("encrypted PDF (it needs a password to be read)") from None
        text, page_starts, title = pypdf_text(data)
        return text, page_starts, title, []
    layout_title = short_title(" ".join(pdf.layout_title.split())) if pdf.layout_title else None
    return pdf.text, pdf.page_starts, given_title(pdf.title) or layout_title, pdf.sections


TITLE_CHARS = 120


def short_title(line: str, limit: int = TITLE_CHARS) -> str:
    """The line, or its words up to ``limit`` characters followed by "…" (never cut inside a word)."""
    if len(line) <= limit:
        return line
    cut = line[: limit + 1].rsplit(None, 1)[0] if " " in line[: limit + 1] else line[:limit]
    return cut.rstrip(" ,;:–—-") + "…"


def first_line_title(text: str, markdown: bool, headings: list[Section] | None = None) -> str | None:
    """The first Markdown heading (``markdown_sections``: ATX or setext, not a "#" line of a code block), else the
    first non-empty line, cut at a word to a readable length. A Markdown file's front matter (``front_matter``) gives
    its title when it has one, and is no line of it. ``headings``: the text's Markdown sections, when already found."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if markdown:
        matter = front_matter(text)
        if matter is not None:
            lines = [line.strip() for line in text[matter.end() :].splitlines() if line.strip()]
            named = matter.group("block") and FRONT_MATTER_TITLE.search(matter.group("block"))
            if named and named.group(1).strip("\"' "):
                return short_title(named.group(1).strip("\"' "))
        headings = markdown_sections(text) if headings is None else headings
        if headings:
            return short_title(headings[0].title)
    return short_title(lines[0]) if lines else None


def front_matter(text: str) -> re.Match[str] | None:
    """The YAML front matter that opens a Markdown file of a static site or a notes app ("---", "title: ...",
    "---"), None when it has none."""
    return FRONT_MATTER.match(text)


def file_format(path: str | Path) -> str:
    """The format a file is read as, by its suffix (".pdf"); a mailbox Apple Mail exported, a folder "Inbox.mbox"
    holding a file "mbox", is a ".mbox"."""
    path = Path(path)
    return ".mbox" if path.name == "mbox" and path.parent.suffix.lower() == ".mbox" else path.suffix.lower()


def file_title(path: Path) -> str:
    """The title a file's name gives it: its name without the suffix; an Apple Mail mailbox's, its folder's
    ("Inbox")."""
    return path.parent.stem if path.suffix.lower() != file_format(path) else path.stem


def load_document(path: str | Path, max_bytes: int = 50_000_000, scans: ocr.Reading | None = None) -> Document:
    """Read one file into a document, its scanned pages (if any) read as ``scans`` says (else in English, their text
    kept nowhere); raises DocumentError with the reason when it cannot."""
    path = Path(path)
    suffix = file_format(path)
    if suffix not in SUPPORTED_SUFFIXES:
        raise DocumentError(
            f"unsupported file type '{suffix or path.name}' (supported: {', '.join(sorted(SUPPORTED_SUFFIXES))})"
        )
    size = path.stat().st_size
    if size > max_bytes:
        raise DocumentError(f"too large ({size:,} bytes; the limit is {max_bytes:,})")
    with ocr.reading(scans or ocr.Reading()):
        read = file_text(suffix, path.read_bytes())
    check_not_encoded(read.text)
    return Document(
        id=document_id(read.text),
        title=read.title or file_title(path),
        source=str(path),
        text=read.text,
        page_starts=read.page_starts,
        sections=read.sections,
    )


@dataclass
class FileText:
    """What a file of a supported format reads as: its text, its title (None: the file's name gives it), its headings
    and, for a PDF, where each page starts."""

    text: str
    title: str | None
    sections: list[Section]
    page_starts: list[int] | None = None


def file_text(suffix: str, data: bytes) -> FileText:
    """The text of a file of a supported format (by its ``suffix``) from its bytes; raises DocumentError when it has
    none or is not of that format."""
    if suffix == ".pdf":
        if not data.startswith(b"%PDF"):
            raise DocumentError("not a PDF file (no %PDF header)")
        text, page_starts, title, sections = pdf_to_text(data)
        read = FileText(text, title or first_line_title(text, markdown=False), sections, page_starts)
    elif suffix in READS_AS_WORD:
        text, title, sections = READS_AS_WORD[suffix](data)
        read = FileText(text, given_title(title) or first_line_title(text, markdown=False), sections)
    elif suffix in (".html", ".htm"):
        read = FileText(*html_to_text(check_is_text(decode_text(data, declared_charset(data)))))
    elif suffix in (".mhtml", ".mht"):
        read = FileText(*html_to_text(check_is_text(saved_page(data))))
    elif suffix in (".pptx", ".ppt", ".odp"):
        read_slides = {".pptx": pptx_to_text, ".ppt": ppt_to_text, ".odp": odp_to_text}[suffix]
        text, own_title, first_title, sections = read_slides(data)
        read = FileText(text, given_title(own_title) or given_title(first_title), sections)
    elif suffix in (".xlsx", ".xls"):
        text, sections = (workbook_to_text if suffix == ".xlsx" else xls_to_text)(data)
        read = FileText(text, None, sections)
    elif suffix == ".ods":
        text, title, sections = ods_to_text(data)
        read = FileText(text, given_title(title), sections)
    elif suffix in (".csv", ".tsv"):
        read = FileText(delimited_to_text(check_is_text(decode_text(data)), suffix == ".tsv"), None, [])
    elif suffix in (".vtt", ".srt"):
        read = FileText(captions_to_text(check_is_text(decode_text(data)), suffix == ".srt"), None, [])
    elif suffix in (".eml", ".msg", ".mbox", ".zip"):
        read = held_files_text(suffix, data)
    elif suffix in (".tif", ".tiff"):
        from qa.documents.scans import tiff_to_text  # it reads PDFs' paragraphs, which import this module

        text, page_starts = tiff_to_text(data)
        read = FileText(text, first_line_title(text, markdown=False), [], page_starts)
    else:
        text = check_is_text(decode_text(data)).replace("\r\n", "\n").replace("\r", "\n")
        markdown = suffix in (".md", ".markdown")
        sections = markdown_sections(text) if markdown else plain_text_sections(text)
        read = FileText(text, first_line_title(text, markdown=markdown, headings=sections), sections)
    if not read.text.strip():
        raise DocumentError(no_text_reason(suffix))
    return read


def held_files_text(suffix: str, data: bytes) -> FileText:
    """The text of a file that holds others: an e-mail message (.eml, .msg: its attachments), a mailbox (.mbox: its
    messages) or a zip archive (.zip: its files), each read as the file itself would be."""
    if suffix in (".eml", ".msg"):
        text, title, sections = (mail_to_text if suffix == ".eml" else msg_to_text)(data, attachment_text)
        return FileText(check_is_text(text), title, sections)
    text, sections = mbox_to_text(data, attachment_text) if suffix == ".mbox" else zip_to_text(data, archived_text)
    return FileText(check_is_text(text), None, sections)


def no_text_reason(suffix: str) -> str:
    """Why a file of the format ``suffix`` that reads as no text is not indexed: for a PDF, a scan, which OCR reads
    where it is installed (``qa.documents.ocr``)."""
    if suffix == ".pdf" and not ocr.installed():
        return f"no text in it (empty, or a scanned PDF without a text layer: {ocr.INSTALL})"
    if suffix in (".pdf", ".tif", ".tiff"):
        return "no text in it (empty, or a scan in which OCR read no text)"
    return "no text in it (empty, or a scanned PDF without a text layer)"


def attachment_text(name: str, data: bytes) -> tuple[str, list[Section]] | None:
    """The text and headings of a file attached to a message (``qa.documents.mail``), read as the file itself would
    be; None when its type is not supported (or it is another message: the message reads those itself)."""
    return contained_text(name, data, ".eml")


def archived_text(name: str, data: bytes) -> tuple[str, list[Section]] | None:
    """The text and headings of a file in a zip archive (``qa.documents.archive``), read as the file itself would
    be; None when its type is not supported (or it is an archive: one is not unpacked within another)."""
    return contained_text(name, data, ".zip")


def contained_text(name: str, data: bytes, left_out: str) -> tuple[str, list[Section]] | None:
    """The text and headings of a file held in another, named ``name``; None when its type is not supported or is
    ``left_out``."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES or suffix == left_out:
        return None
    read = file_text(suffix, data)
    return read.text, read.sections


def _cannot_read(error: OSError) -> str:
    """The reason given for a path that raised ``error`` when read."""
    return f"cannot read it ({error.strerror})"


class _FolderScan:
    """One scan of a documents folder: the files found, those skipped, and the folders already walked."""

    def __init__(self, folder: Path, follow_links: bool) -> None:
        self.folder = folder
        self.root = folder.resolve()
        self.follow_links = follow_links
        self.files: list[Path] = []
        self.skipped: list[LoadFailure] = []
        self.walked = {self.root: folder}  # the real path of each folder to walk -> the path it is walked as

    def skip(self, path: Path | str, reason: str) -> None:
        """Record ``path`` as left out for ``reason``."""
        self.skipped.append(LoadFailure(source=str(path), reason=reason))

    def unreadable(self, error: OSError) -> None:
        """Record a path os.walk could not read."""
        self.skip(error.filename or self.folder, _cannot_read(error))

    def walked_before(self, path: Path) -> str | None:
        """Why the folder ``path`` is not walked (again) when links are followed; None the first time."""
        if not self.follow_links:
            return None  # os.walk does not enter linked folders
        try:
            target = path.resolve()
        except OSError as error:
            return _cannot_read(error)
        if target in self.walked:
            first = self.walked[target]
            return SCANNED_AGAIN.format(
                "the documents folder" if first == self.folder else first.relative_to(self.folder)
            )
        self.walked[target] = path
        return None

    def leaving(self, path: Path) -> str | None:
        """Why ``path`` is left out as a link out of the folder (or unresolvable); None when it may be read."""
        try:
            target = path.resolve()
        except OSError as error:
            return _cannot_read(error)
        if self.follow_links or target.is_relative_to(self.root):
            return None
        return f"a link to {target}, outside the documents folder (QA_FOLLOW_LINKS=1 or --follow-links to index it)"

    def subfolders_to_walk(self, directory: str, subfolders: list[str]) -> list[str]:
        """The names among ``subfolders`` to walk into, recording the others as skipped."""
        kept = []
        for name in sorted(subfolders):
            path = Path(directory, name)
            reason = HIDDEN_FOLDER if name.startswith(".") else self.leaving(path) or self.walked_before(path)
            if reason:
                self.skip(path, reason)
            else:
                kept.append(name)
        return kept

    def file_skip_reason(self, path: Path) -> str | None:
        """Why the regular file ``path`` is not indexed; None when it is."""
        if path.name.startswith("."):
            return HIDDEN_FILE
        if file_format(path) not in SUPPORTED_SUFFIXES:
            return f"unsupported file type '{path.suffix.lower() or path.name}'"
        return self.leaving(path)

    def add_file(self, path: Path) -> None:
        """Keep ``path`` for indexing or record why it is skipped (not a file, a broken link, unreadable...)."""
        try:
            if not path.is_file():
                if path.is_symlink():
                    self.skip(path, BROKEN_LINK)
                return
        except OSError as error:
            self.skip(path, _cannot_read(error))
            return
        reason = self.file_skip_reason(path)
        if reason:
            self.skip(path, reason)
        else:
            self.files.append(path)


def folder_times(folder: str | Path, follow_links: bool = False, leave_out: str | Path | None = None) -> dict[str, int]:
    """The modification time (ns) of ``folder`` and of each folder below it that ``scan_folder`` walks, but
    ``leave_out`` (an index kept there, which changes as it is written): a file added, removed or renamed in a
    folder changes its time."""
    scan = _FolderScan(Path(folder), follow_links)
    left_out = None if leave_out is None else os.path.abspath(leave_out)
    times = {}
    for directory, subfolders, _ in os.walk(folder, followlinks=follow_links):
        walked = scan.subfolders_to_walk(directory, subfolders)
        subfolders[:] = [name for name in walked if os.path.abspath(os.path.join(directory, name)) != left_out]
        if (time := folder_time(directory)) is not None:
            times[directory] = time
    return times


def folder_time(folder: str) -> int | None:
    """``folder``'s modification time in nanoseconds; None when it cannot be seen."""
    try:
        return os.stat(folder).st_mtime_ns
    except OSError:
        return None


def scan_folder(folder: str | Path, follow_links: bool = False) -> tuple[list[Path], list[LoadFailure]]:
    """The files below ``folder`` to index (recursively, in a stable order), and those skipped with the reason:
    hidden (files and folders), of an unsupported type, unreadable, links to nothing, reached through a link that
    leaves the folder (unless ``follow_links``), or folders reached again through a link (each is walked once). One
    bad path never stops the scan."""
    folder = Path(folder)
    if not folder.is_dir():
        raise MissingError(f"documents folder not found: {folder}")
    scan = _FolderScan(folder, follow_links)
    for directory, subfolders, names in os.walk(folder, onerror=scan.unreadable, followlinks=follow_links):
        subfolders[:] = scan.subfolders_to_walk(directory, subfolders)
        for name in sorted(names):
            scan.add_file(Path(directory, name))
    return sorted(scan.files), scan.skipped
