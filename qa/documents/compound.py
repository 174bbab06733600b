"""OLE2 compound files (Outlook's .msg; Word's .doc, Excel's .xls and PowerPoint's .ppt of 1997-2003) opened for
reading, or refused; the title in their summary."""

from __future__ import annotations

import struct

import olefile

from qa.documents.markup import decoded
from qa.errors import DocumentError

SUMMARY = "\x05SummaryInformation"  # the stream of a document's properties: its title, author...


def opened(data: bytes, kind: str) -> olefile.OleFileIO:
    """``data``, a compound file of ``kind`` ("Outlook message"), opened; raises DocumentError when it is none, or
    when a stream in it claims more bytes than the file holds (a damaged file, which would be read without end)."""
    if not olefile.isOleFile(data=data):
        raise DocumentError(f"not {article(kind)} {kind} (not an OLE2 compound file)")
    try:
        ole = olefile.OleFileIO(data)
        oversized = any(ole.get_size("/".join(entry)) > len(data) for entry in ole.listdir())
    except (OSError, ValueError, LookupError, ArithmeticError) as error:  # olefile's errors for a damaged file
        raise DocumentError(f"not a readable {kind} ({error})") from None
    if oversized:
        ole.close()
        raise DocumentError(f"not a readable {kind} (a part of it larger than the file)")
    return ole


def article(kind: str) -> str:
    """The article before ``kind``: "an" before a vowel ("an Outlook message"), else "a"."""
    return "an" if kind[:1].lower() in "aeiou" else "a"


def summary_title(ole: olefile.OleFileIO) -> str | None:
    """The title in an Office document's summary (File > Properties: a property set, MS-OLEPS), None when it has none.
    Read here, not by olefile, whose reading of a damaged summary can run without end."""
    summary = ole.openstream(SUMMARY).read() if ole.exists(SUMMARY) else b""
    if len(summary) < 48:
        return None
    start = struct.unpack_from("<I", summary, 44)[0]
    count = struct.unpack_from("<I", summary, start + 4)[0] if start + 8 <= len(summary) else 0
    at = {}  # where each property's type and value are, by its id
    for index in range(min(count, (len(summary) - start - 8) // 8)):
        identifier, offset = struct.unpack_from("<II", summary, start + 8 + 8 * index)
        at[identifier] = start + offset
    code_page, title = at.get(1), at.get(2)
    if title is None or title + 8 > len(summary):
        return None
    kind, size = struct.unpack_from("<II", summary, title)
    if kind == 0x1F:  # UTF-16, its size in characters
        return (
            summary[title + 8 : title + 8 + 2 * size].decode("utf-16-le", errors="replace").rstrip("\x00").strip()
            or None
        )
    page = struct.unpack_from("<H", summary, code_page + 4)[0] if code_page and code_page + 6 <= len(summary) else None
    written = summary[title + 8 : title + 8 + size] if kind == 0x1E else b""
    return decoded(written, page).rstrip("\x00").strip() or None
