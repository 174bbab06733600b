"""OLE2 compound files (Outlook's .msg, Word's .doc and Excel's .xls of 1997-2003) opened for reading, or refused."""

from __future__ import annotations

import olefile

from qa.errors import DocumentError


def opened(data: bytes, kind: str) -> olefile.OleFileIO:
    """``data``, a compound file of ``kind`` ("Outlook message"), opened; raises DocumentError when it is none, or
    when a stream in it claims more bytes than the file holds (a damaged file, which would be read without end)."""
    if not olefile.isOleFile(data=data):
        raise DocumentError(f"not {article(kind)} {kind} (not an OLE2 compound file)")
    try:
        ole = olefile.OleFileIO(data)
    except (OSError, ValueError) as error:  # olefile's errors for a damaged file
        raise DocumentError(f"not a readable {kind} ({error})") from None
    if any(ole.get_size("/".join(entry)) > len(data) for entry in ole.listdir()):
        ole.close()
        raise DocumentError(f"not a readable {kind} (a part of it larger than the file)")
    return ole


def article(kind: str) -> str:
    """The article before ``kind``: "an" before a vowel ("an Outlook message"), else "a"."""
    return "an" if kind[:1].lower() in "aeiou" else "a"
