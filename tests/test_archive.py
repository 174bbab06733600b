"""qa.documents.archive: a zip archive read as the files in it that qa reads, each under a heading naming it."""

from __future__ import annotations

import io
import struct
import zipfile
from email.message import EmailMessage

import docx
import pytest

from qa.documents.archive import zip_to_text
from qa.documents.loading import archived_text, load_document
from qa.errors import DocumentError


def zipped(files: dict[str, bytes | str]) -> bytes:
    """A zip archive of ``files`` (its name in the archive: its bytes, or text written in UTF-8), in that order."""
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return data.getvalue()


def minutes_docx() -> bytes:
    document = docx.Document()
    document.add_heading("Committee minutes – March", 1)
    document.add_paragraph("Zoë Brandt was elected treasurer.")
    data = io.BytesIO()
    document.save(data)
    return data.getvalue()


def encrypted(data: bytes, name: str) -> bytes:
    """``data``, a zip archive, with the file ``name`` marked as encrypted with a password: the first bit of its
    flags set in its local header (signature PK 3 4: the flags at 6, the name at 30) and its central directory entry
    (PK 1 2: the flags at 8, the name at 46)."""
    marked = bytearray(data)
    for signature, flags_at, name_at in ((b"PK\x03\x04", 6, 30), (b"PK\x01\x02", 8, 46)):
        at = marked.find(signature)
        while marked[at + name_at : at + name_at + len(name)] != name.encode():
            at = marked.find(signature, at + 1)
        struct.pack_into("<H", marked, at + flags_at, struct.unpack_from("<H", marked, at + flags_at)[0] | 1)
    return bytes(marked)


def test_each_file_read_is_under_a_heading_naming_it_and_what_is_not_read_left_out_or_named():
    files: dict[str, bytes | str] = {
        "minutes/": b"",  # a folder
        "minutes/2024-03.docx": minutes_docx(),
        "notes.txt": "Plot 14b is vacant.\nThe rent is £64 a year.",
        "photo.jpg": b"\xff\xd8\xff\xe0",  # a type not read: left out
        ".DS_Store": b"\x00\x00\x00\x01Bud1",  # hidden
        "__MACOSX/._notes.txt": b"\x00\x05\x16\x07",  # macOS's copy of a file's attributes
        "old.zip": zipped({"inner.txt": "Not unpacked within another archive."}),
        "broken.pdf": b"%PDF-1.4 not really",
    }
    text, sections = zip_to_text(zipped(files), archived_text)
    read, broken = text.split("\n\nFile: broken.pdf\n")
    assert read == (
        "File: minutes/2024-03.docx\nCommittee minutes – March\nZoë Brandt was elected treasurer.\n\n"
        "File: notes.txt\nPlot 14b is vacant.\nThe rent is £64 a year."
    )
    assert broken.startswith("(not read: broken PDF (") and "\n" not in broken  # a file that cannot be read: why
    assert [(text[s.start :].split("\n", 1)[0], s.title, s.level) for s in sections][:3] == [
        ("File: minutes/2024-03.docx", "File: minutes/2024-03.docx", 1),
        ("Committee minutes – March", "Committee minutes – March", 2),  # the document's own heading, one deeper
        ("File: notes.txt", "File: notes.txt", 1),
    ]


def test_an_encrypted_file_is_named_as_not_read_and_the_others_are_read():
    data = encrypted(
        zipped({"secret.txt": "The safe code is 4471.", "open.txt": "The shed key is under the pot."}), "secret.txt"
    )
    text, _ = zip_to_text(data, archived_text)
    assert text == "File: secret.txt\n(not read: it is encrypted)\n\nFile: open.txt\nThe shed key is under the pot."


def test_an_archive_too_large_to_unpack_or_no_archive_is_refused_in_one_line(tmp_path):
    data = zipped({"zeros.txt": "0" * 50_000})
    with pytest.raises(DocumentError, match=r"^a zip archive that unpacks to 50,000 bytes \(the limit is 10,000\)$"):
        zip_to_text(data, archived_text, max_unpacked=10_000)
    (tmp_path / "notes.zip").write_text("Not an archive.", encoding="utf-8")
    with pytest.raises(DocumentError, match=r"^not a zip archive \(File is not a zip file\)$"):
        load_document(tmp_path / "notes.zip")
    (tmp_path / "photos.zip").write_bytes(zipped({"photo.jpg": b"\xff\xd8\xff\xe0"}))
    with pytest.raises(DocumentError, match="^no text in it"):
        load_document(tmp_path / "photos.zip")


def test_a_folder_reads_an_archive_named_by_its_file_and_an_e_mail_one_attached_to_it(tmp_path):
    archive = zipped({"notes.txt": "Plot 14b is vacant.", "minutes.docx": minutes_docx()})
    (tmp_path / "allotment papers.zip").write_bytes(archive)
    document = load_document(tmp_path / "allotment papers.zip")
    assert document.title == "allotment papers" and document.text.startswith("File: notes.txt\nPlot 14b is vacant.")
    mail = EmailMessage()
    mail["Subject"] = "Papers for the AGM"
    mail.set_content("Both are in the zip.")
    mail.add_attachment(archive, "application", "zip", filename="papers.zip")
    (tmp_path / "agm.eml").write_bytes(bytes(mail))
    read = load_document(tmp_path / "agm.eml").text
    assert (
        "Attachment: papers.zip\nFile: notes.txt\nPlot 14b is vacant.\n\nFile: minutes.docx\nCommittee minutes" in read
    )
