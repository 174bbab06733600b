"""qa.documents.mail: e-mail messages as their headers, their body and their attachments, each under a heading."""

from __future__ import annotations

import mailbox
from email.message import EmailMessage
from pathlib import Path

import pytest

from qa.documents.loading import attachment_text, file_format, load_document, scan_folder
from qa.documents.mail import mail_to_text
from qa.errors import DocumentError


def message(
    subject: str | None = "Boiler repair – quote", body: str = "The diverter valve has failed."
) -> EmailMessage:
    """A message from Nadia to Maya and Josh with a plain text ``body`` (and no attachment)."""
    mail = EmailMessage()
    if subject is not None:
        mail["Subject"] = subject
    mail["From"] = "Nadia Kowal <nadia@example.com>"
    mail["To"] = "Maya Ødegård <maya@example.com>, Josh <josh@example.com>"
    mail["Date"] = "Tue, 06 Feb 2024 09:14:00 +0000"
    mail.set_content(body)
    return mail


def read(mail: EmailMessage):
    return mail_to_text(bytes(mail), attachment_text)


def test_the_headers_a_mail_program_shows_come_before_the_body_and_the_subject_is_the_title():
    text, title, sections = read(message(body="Hi all,\r\n\r\nZoë says the diverter valve has failed.\r\n"))
    assert text == (
        "Subject: Boiler repair – quote\nFrom: Nadia Kowal <nadia@example.com>\n"
        "To: Maya Ødegård <maya@example.com>, Josh <josh@example.com>\nDate: Tue, 06 Feb 2024 09:14:00 +0000\n\n"
        "Hi all,\n\nZoë says the diverter valve has failed."
    )
    assert title == "Boiler repair – quote"
    assert [(s.start, s.title, s.level) for s in sections] == [(0, "Boiler repair – quote", 1)]


def test_the_plain_text_body_is_read_before_the_html_one_and_an_html_body_alone_as_a_page():
    both = message(body="The valve costs £142.60.")
    both.add_alternative("<p>The valve costs <b>£999</b>.</p>", subtype="html")
    assert read(both)[0].endswith("\n\nThe valve costs £142.60.")
    html_only = EmailMessage()
    html_only["Subject"] = "Rota"
    html_only.set_content(
        "<html><head><style>p {color: red}</style></head><body><h2>Wednesday</h2><p>Priya: Room 3</p></body></html>",
        subtype="html",
    )
    text, _, sections = read(html_only)
    assert text == "Subject: Rota\n\nWednesday\nPriya: Room 3"
    assert [(s.start, s.title, s.level) for s in sections] == [
        (0, "Rota", 1),
        (text.index("Wednesday"), "Wednesday", 3),
    ]


def test_encoded_subjects_and_bodies_in_other_character_sets_are_decoded():
    raw = (
        b"Subject: =?utf-8?q?Caf=C3=A9_order_=E2=80=93_Zo=C3=AB?=\r\nFrom: shop@example.com\r\n"
        b"Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
        b"Two caf=E9 au lait at =A33.20 each.\r\n"
    )
    text, title, _ = mail_to_text(raw, attachment_text)
    assert title == "Café order – Zoë"
    assert text.endswith("\n\nTwo café au lait at £3.20 each.")


def test_attachments_are_read_as_their_files_would_be_under_headings_that_name_them():
    mail = message()
    mail.add_attachment(
        b"Item,Price\nDiverter valve,\xc2\xa3142.60\n", maintype="text", subtype="csv", filename="quote.csv"
    )
    mail.add_attachment(b"\x89PNG\r\n\x1a\n" + bytes(64), maintype="image", subtype="png", filename="boiler.png")
    mail.add_attachment(b"%PDF-1.4 not really a pdf", maintype="application", subtype="pdf", filename="scan.pdf")
    forwarded = message(subject="Clause 6.3", body="The landlord covers temporary heating up to £60.")
    mail.add_attachment(forwarded)
    text, _, sections = read(mail)
    headings = [s for s in sections if s.title.startswith("Attachment: ")]
    assert [s.title for s in headings] == [
        "Attachment: quote.csv",
        "Attachment: boiler.png",
        "Attachment: scan.pdf",
        "Attachment: a forwarded message",
    ]
    assert all(text[s.start : s.start + len(s.title)] == s.title and s.level == 2 for s in headings)
    assert "Attachment: quote.csv\n| Item | Price |\n| --- | --- |\n| Diverter valve | £142.60 |\n\n" in text
    assert "Attachment: boiler.png\n(not read: its type, image/png, is not supported)\n\n" in text
    assert "Attachment: scan.pdf\n(not read: " in text  # a broken file is named with its reason, the rest still read
    assert text.endswith(
        "Attachment: a forwarded message\nSubject: Clause 6.3\nFrom: Nadia Kowal <nadia@example.com>\n"
        "To: Maya Ødegård <maya@example.com>, Josh <josh@example.com>\nDate: Tue, 06 Feb 2024 09:14:00 +0000\n\n"
        "The landlord covers temporary heating up to £60."
    )
    inner = next(s for s in sections if s.title == "Clause 6.3")
    assert inner.level == 3 and text[inner.start :].startswith("Subject: Clause 6.3")


@pytest.mark.parametrize(
    ("headers", "read_as"),
    [
        (  # a named file, attached
            'Content-Type: text/csv\r\nContent-Disposition: attachment; filename="quote.csv"',
            "Attachment: quote.csv\n| Item | Price |\n| --- | --- |\n| Valve | £142.60 |",
        ),
        (  # no name, no disposition: read as its type's files are (a PDF that is none, named with why)
            "Content-Type: application/pdf",
            "Attachment: part 1\n(not read: not a PDF file (no %PDF header))",
        ),
    ],
)
def test_a_message_that_is_one_attached_file_reads_that_file(headers, read_as):
    raw = f"Subject: Scan from the office printer\r\n{headers}\r\n\r\nItem,Price\r\nValve,£142.60\r\n"
    text, _, sections = mail_to_text(raw.encode("utf-8"), attachment_text)
    assert text == f"Subject: Scan from the office printer\n\n{read_as}"
    assert sections[-1].title == read_as.split("\n")[0] and text[sections[-1].start :].startswith(read_as)
    assert "Attachment" not in read(message())[0]  # a message of plain text alone has none


def test_an_eml_file_loads_as_a_document_titled_by_its_subject_or_else_by_its_name(tmp_path):
    (tmp_path / "quote.eml").write_bytes(bytes(message()))
    (tmp_path / "untitled.eml").write_bytes(bytes(message(subject=None)))
    files, skipped = scan_folder(tmp_path)
    assert [f.name for f in files] == ["quote.eml", "untitled.eml"] and not skipped
    quote, untitled = (load_document(f) for f in files)
    assert quote.title == "Boiler repair – quote" and untitled.title == "untitled"
    assert quote.text.endswith("The diverter valve has failed.")


@pytest.mark.parametrize(
    ("data", "reason"),
    [(b"", "no text in it"), (bytes(range(256)) * 40, "binary")],
)
def test_an_empty_or_binary_eml_file_is_refused_in_one_line(tmp_path, data, reason):
    path = tmp_path / "broken.eml"
    path.write_bytes(data)
    with pytest.raises(DocumentError, match=reason) as error:
        load_document(path)
    assert "\n" not in str(error.value)


def test_a_mailbox_is_its_messages_in_order_each_under_its_subject_or_first_line(tmp_path):
    box = mailbox.mbox(tmp_path / "Inbox.mbox")  # as Python writes one: a "From " line before each, such lines quoted
    box.add(message())
    quoted = message(subject="Rent", body="The rent is £1,695.")
    quoted.add_attachment(b"Item,Price\nValve,\xc2\xa3142.60\n", maintype="text", subtype="csv", filename="quote.csv")
    box.add(quoted)
    box.add(message(subject=None, body="Notes below.\nFrom the minutes: Zoë chairs in May.\n"))
    box.close()
    document = load_document(tmp_path / "Inbox.mbox")
    assert document.title == "Inbox"  # its file's name
    sections = [(s.title, s.level) for s in document.sections or []]
    first_line = "From: Nadia Kowal <nadia@example.com>"
    assert sections == [("Boiler repair – quote", 1), ("Rent", 1), ("Attachment: quote.csv", 2), (first_line, 1)]
    starts = [document.text[s.start :].split("\n", 1)[0] for s in document.sections or []]
    assert starts == ["Subject: Boiler repair – quote", "Subject: Rent", "Attachment: quote.csv", first_line]
    assert "Valve | £142.60 |" in document.text and "MAILER-DAEMON" not in document.text
    assert document.text.endswith("\n\nNotes below.\nFrom the minutes: Zoë chairs in May.")  # its line as written


def test_a_mailbox_apple_mail_exported_is_read_from_its_folder_and_named_by_it(tmp_path):
    exported = tmp_path / "Work.mbox"  # Apple Mail's "Export Mailbox": a folder holding the mailbox as "mbox"
    exported.mkdir()
    box = mailbox.mbox(exported / "mbox")
    box.add(message())
    box.close()
    (exported / "Info.plist").write_text("<plist version='1.0'><dict/></plist>", encoding="utf-8")
    (tmp_path / "mbox").write_bytes((exported / "mbox").read_bytes())  # a file of that name elsewhere is not one
    files, skipped = scan_folder(tmp_path)
    assert files == [exported / "mbox"]
    assert sorted((Path(f.source).name, f.reason) for f in skipped) == [
        ("Info.plist", "unsupported file type '.plist'"),
        ("mbox", "unsupported file type 'mbox'"),
    ]
    assert (file_format(exported / "mbox"), file_format(tmp_path / "mbox")) == (".mbox", "")
    document = load_document(exported / "mbox")
    assert document.title == "Work" and document.text.startswith("Subject: Boiler repair – quote\nFrom: Nadia")


def test_what_is_no_mailbox_is_refused_in_one_line(tmp_path):
    (tmp_path / "notes.mbox").write_text("Subject: not a mailbox\n\nA message saved alone.")
    (tmp_path / "empty.mbox").write_bytes(b"\n")
    with pytest.raises(DocumentError, match='^not a mailbox \\(it does not begin with a "From " line\\)$'):
        load_document(tmp_path / "notes.mbox")
    with pytest.raises(DocumentError, match="^no text in it"):
        load_document(tmp_path / "empty.mbox")


def test_a_quoted_message_is_read_without_its_quote_marks_under_the_line_that_introduces_it():
    body = (
        "Thursday works for us.\n\nOn Tue, 6 Feb 2024 at 16:41, Gareth Pryce <g@warmflow.example> wrote:\n"
        "> Your service is booked for Thursday 8 February between\n> 8am and 1pm.\n>\n"
        "> > On Mon, 5 Feb 2024, Zoë Kowal wrote:\n> > Can the engineer come on Thursday?\n\n-- \nNadia"
    )
    text, _, sections = read(message(body=body))
    assert text.endswith(
        "Thursday works for us.\n\nOn Tue, 6 Feb 2024 at 16:41, Gareth Pryce <g@warmflow.example> wrote:\n"
        "Your service is booked for Thursday 8 February between\n8am and 1pm.\n\n"
        "On Mon, 5 Feb 2024, Zoë Kowal wrote:\nCan the engineer come on Thursday?\n\n-- \nNadia"
    )
    assert [(s.title, s.level) for s in sections] == [
        ("Boiler repair – quote", 1),
        ("On Tue, 6 Feb 2024 at 16:41, Gareth Pryce <g@warmflow.example> wrote", 2),
        ("On Mon, 5 Feb 2024, Zoë Kowal wrote", 2),
    ]
    assert all(text[s.start :].startswith(s.title) for s in sections[1:])


@pytest.mark.parametrize(("delsp", "soft"), [("no", " \n"), ("yes", "  \n")])  # delsp=yes: the space before a
def test_a_flowed_body_is_read_in_the_lines_its_sender_wrote(delsp, soft):  # soft break is no part of the text
    body = (
        f"The rent will rise to{soft}£1,210 from 1 May.\nOn 1 Mar 2024, Priya Desai <p@halden.example>{soft}wrote:\n"
        f">Your deposit of{soft}>£1,325 stays protected.\n> \n>-- \n>Priya\n-- \nJosh"
    )
    mail = message(body=body)
    mail.set_param("format", "flowed")
    mail.set_param("delsp", delsp)
    text, _, sections = read(mail)
    assert text.endswith(
        "The rent will rise to £1,210 from 1 May.\nOn 1 Mar 2024, Priya Desai <p@halden.example> wrote:\n"
        "Your deposit of £1,325 stays protected.\n\n-- \nPriya\n-- \nJosh"
    )  # a quoted line runs on within its quote, a signature's "-- " into nothing
    assert sections[-1].title == "On 1 Mar 2024, Priya Desai <p@halden.example> wrote"


def test_a_plain_body_keeps_its_lines_but_for_the_quote_marks_that_open_them():
    body = "Total: > £40\n>From the shop\nline one \nline two"  # not flowed: a trailing space breaks no line
    assert read(message(body=body))[0].endswith("Total: > £40\nFrom the shop\nline one \nline two")
