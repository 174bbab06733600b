"""Zip archives (.zip) as text: each file in it that qa reads, in order, under a heading that names it."""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePosixPath

from qa.documents.mail import AttachmentReader, deeper
from qa.documents.markup import joined_texts, shifted
from qa.errors import DocumentError
from qa.models import Section

MEMBER = "File: {}"  # the heading a file of the archive is read under, naming it
MAX_FILES = 10_000  # an archive that holds more files is refused
MAX_UNPACKED_BYTES = 200_000_000  # and one that unpacks to more (a "zip bomb"; files are read one at a time)


def zip_to_text(
    data: bytes, read_file: AttachmentReader, max_unpacked: int = MAX_UNPACKED_BYTES
) -> tuple[str, list[Section]]:
    """The text of a zip archive and its headings: each file in it, in the archive's order, under a heading naming
    it ("File: minutes/2024-03.docx") and read as ``read_file`` reads that file (by its name and bytes; None: a type
    not read, left out, as are hidden files, folders and macOS's "__MACOSX" copies); a file that cannot be read is
    named with why. Raises DocumentError when ``data`` is no zip archive, or one of more than MAX_FILES files or that
    unpacks to more than ``max_unpacked`` bytes."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise DocumentError(f"not a zip archive ({error})") from None
    members = [member for member in archive.infolist() if read_as_a_file(member)]
    if len(archive.infolist()) > MAX_FILES:
        raise DocumentError(f"a zip archive of {len(archive.infolist()):,} files (the limit is {MAX_FILES:,})")
    unpacked = sum(member.file_size for member in members)
    if unpacked > max_unpacked:
        raise DocumentError(f"a zip archive that unpacks to {unpacked:,} bytes (the limit is {max_unpacked:,})")
    text, sections = "", list[Section]()
    for member in members:
        read = member_text(archive, member, read_file)
        if read is None:
            continue
        title = MEMBER.format(member.filename)
        below = shifted(deeper(read[1], 1), len(title) + 1)
        text, sections = joined_texts(
            text, sections, f"{title}\n{read[0].rstrip()}", [Section(start=0, title=title, level=1), *below]
        )
    return text, sections


def read_as_a_file(member: zipfile.ZipInfo) -> bool:
    """Whether an archive's entry is a file a person put in it: not a folder, not hidden (a part of its path opening
    with "."), not a copy macOS keeps of a file's attributes ("__MACOSX/...")."""
    parts = PurePosixPath(member.filename).parts
    return not member.is_dir() and parts[:1] != ("__MACOSX",) and not any(part.startswith(".") for part in parts)


def member_text(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, read_file: AttachmentReader
) -> tuple[str, list[Section]] | None:
    """A file of the archive as text and headings (``read_file``); None for a type not read; a line saying why for a
    file that cannot be read (a password set on it, damaged, or a document that cannot be read)."""
    try:
        data = archive.read(member)
    except RuntimeError:  # zipfile's error for a file encrypted with a password
        return "(not read: it is encrypted)", []
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        return f"(not read: {error})", []
    try:
        return read_file(PurePosixPath(member.filename).name, data)
    except DocumentError as error:
        return f"(not read: {error})", []
