"""qa.documents.outlook: Outlook messages (.msg), written here by another library, read as e-mail messages are."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage

import pytest
from aspose.email_foss import msg

from qa.documents.loading import attachment_text, load_document, scan_folder
from qa.documents.markup import decoded
from qa.documents.outlook import decompressed_rtf, msg_to_text
from qa.errors import DocumentError

# The two examples of MS-OXRTFCP (4.1, 4.2): compressed RTF and what it holds.
HELLO = bytes.fromhex(
    "2d0000002b0000004c5a4675f1c5c7a703000a007263706731323542320af32068656c090020627705b06c647d0a800fa0"
)
REPEATED = bytes.fromhex("1a0000001c0000004c5a4675e2d44b51410004205758595a0d6e7d010eb0")
BOOLEAN, INTEGER, BINARY = 0x000B, 0x0003, 0x0102


def outlook_message(subject: str = "Boiler repair – quote", body: str = "", **options) -> msg.MapiMessage:
    """A message from Priya Raman to Maya, copied to Josh (a blind copy to Eve), sent on 6 February 2024."""
    message = msg.MapiMessage.create(subject, body, **options)
    message.set_property(msg.PropertyId.SENDER_NAME, "Raman, Priya")
    message.set_property(msg.PropertyId.SENDER_EMAIL_ADDRESS, "priya@example.com")
    message.set_property(msg.PropertyId.MESSAGE_DELIVERY_TIME, datetime(2024, 2, 6, 9, 14, tzinfo=UTC))
    message.add_recipient("maya@example.com", display_name="Maya Ødegård")
    message.add_recipient("josh@example.com", display_name="Josh", recipient_type=2)
    message.add_recipient("eve@example.com", display_name="Eve", recipient_type=3)
    return message


def read(message: msg.MapiMessage):
    return msg_to_text(message.to_bytes(), attachment_text)


def test_the_headers_outlook_shows_come_before_the_body_and_the_subject_is_the_title():
    message = outlook_message(body="Hi all,\r\n\r\nZoë says the diverter valve has failed.\r\n")
    message.add_attachment("quote.txt", "Replacing it costs £227.60.\n".encode(), mime_type="text/plain")
    text, title, sections = read(message)
    assert text == (
        'Subject: Boiler repair – quote\nFrom: "Raman, Priya" <priya@example.com>\n'
        "To: Maya Ødegård <maya@example.com>\nCc: Josh <josh@example.com>\nDate: Tue, 06 Feb 2024 09:14:00 +0000\n\n"
        "Hi all,\n\nZoë says the diverter valve has failed.\n\nAttachment: quote.txt\nReplacing it costs £227.60."
    )
    assert title == "Boiler repair – quote"
    assert [(s.start, s.title, s.level) for s in sections] == [
        (0, "Boiler repair – quote", 1),
        (text.index("Attachment: quote.txt"), "Attachment: quote.txt", 2),
    ]


def test_strings_written_as_bytes_are_read_in_the_messages_code_page():
    text, title, _ = read(outlook_message(body="Zoë’s quote: £227.60", unicode_strings=False))
    assert title == "Boiler repair – quote"  # the en dash is 0x96 in code page 1252, a control character in Latin-1
    assert "To: Maya Ødegård <maya@example.com>" in text and text.endswith("\n\nZoë’s quote: £227.60")
    assert decoded("Привет".encode("cp1251"), 1251) == "Привет"
    assert decoded("Zoë".encode(), 65001) == "Zoë"
    assert decoded(b"caf\xe9", 999_999) == "café"  # a code page Python does not know: 1252


def test_a_sender_without_an_internet_address_is_shown_by_name():
    message = msg.MapiMessage.create("Rota", "Room 3 on Wednesday.")
    message.set_property(msg.PropertyId.SENDER_NAME, "Zoë Brandt")
    message.set_property(msg.PropertyId.SENDER_EMAIL_ADDRESS, "/O=EXCHANGELABS/OU=EXCHANGE/CN=RECIPIENTS/CN=ZBRANDT")
    assert read(message)[0] == "Subject: Rota\nFrom: Zoë Brandt\n\nRoom 3 on Wednesday."


def test_an_html_body_alone_is_read_as_a_page_with_its_headings():
    message = msg.MapiMessage.create("Rota")
    message.body_html = "<html><head><style>p {color: red}</style></head><body><h2>Wednesday</h2><p>Zoë: Room 3</p>"
    text, _, sections = read(message)
    assert text == "Subject: Rota\n\nWednesday\nZoë: Room 3"
    assert [(s.start, s.title, s.level) for s in sections] == [(0, "Rota", 1), (15, "Wednesday", 3)]


def test_a_rich_text_body_alone_is_read_from_its_compressed_rtf():
    message = msg.MapiMessage.create("Greeting")
    message.set_property(0x1009, BINARY, HELLO)
    assert read(message)[0] == "Subject: Greeting\n\nhello world"
    unknown = msg.MapiMessage.create("Greeting")
    unknown.set_property(0x1009, BINARY, HELLO[:8] + b"ZZZZ" + HELLO[12:])
    assert read(unknown)[0] == "Subject: Greeting"  # a body of a kind not known is not read; the rest is


def test_compressed_rtf_is_decompressed_as_the_specification_shows():
    assert decompressed_rtf(HELLO) == b"{\\rtf1\\ansi\\ansicpg1252\\pard hello world}\r\n"
    assert decompressed_rtf(REPEATED) == b"{\\rtf1 WXYZWXYZWXYZWXYZWXYZ}"  # a run that overlaps what it writes
    raw = b"{\\rtf1 plain}"
    assert decompressed_rtf(len(raw).to_bytes(4, "little") * 2 + b"MELA" + bytes(4) + raw + b"\x00") == raw
    with pytest.raises(DocumentError, match="rich text body is of an unknown kind"):
        decompressed_rtf(b"LZFu")


def test_a_message_attached_as_an_outlook_item_is_read_as_a_forwarded_message_to_three_deep():
    innermost = msg.MapiMessage.create("Fourth", "Too deep to read.")
    for subject in ("Third", "Second"):
        holder = msg.MapiMessage.create(subject, f"The {subject.lower()} message.")
        holder.add_embedded_message_attachment(innermost, filename=f"Re: {innermost.subject}")
        innermost = holder
    message = outlook_message(body="See the quote below.")
    message.add_embedded_message_attachment(innermost, filename="Re: Second")
    text, _, sections = read(message)
    assert text.endswith(
        "See the quote below.\n\nAttachment: Re: Second\nSubject: Second\n\nThe second message.\n\n"
        "Attachment: Re: Third\nSubject: Third\n\nThe third message.\n\n"
        "Attachment: Re: Fourth\n(a forwarded message, not read: forwarded within too many others)"
    )
    assert [(s.title, s.level) for s in sections][1:4] == [
        ("Attachment: Re: Second", 2),
        ("Second", 3),
        ("Attachment: Re: Third", 4),
    ]


def test_a_picture_the_body_shows_is_left_out_and_another_named_as_not_read():
    message = outlook_message(body="The boiler's plate is in the photo.")
    logo = message.add_attachment("logo.png", b"\x89PNG\r\n\x1a\n", mime_type="image/png")
    logo.set_property(0x7FFE, BOOLEAN, True)  # hidden: shown within an HTML body
    message.add_attachment("plate.jpg", b"\xff\xd8\xff\xe0", mime_type="image/jpeg")
    text = read(message)[0]
    assert "logo.png" not in text
    assert text.endswith("\n\nAttachment: plate.jpg\n(not read: its type, image/jpeg, is not supported)")


def test_a_file_that_is_no_outlook_message_gets_a_one_line_error(tmp_path):
    (tmp_path / "notes.msg").write_text("Not an Outlook message at all.", encoding="utf-8")
    with pytest.raises(DocumentError, match=r"^not an Outlook message \(not an OLE2 compound file\)$"):
        load_document(tmp_path / "notes.msg")
    whole = outlook_message(body="The diverter valve has failed.").to_bytes()
    (tmp_path / "cut.msg").write_bytes(whole[: len(whole) // 2])
    with pytest.raises(DocumentError, match="^not a readable Outlook message") as raised:
        load_document(tmp_path / "cut.msg")
    assert "\n" not in str(raised.value)


def test_a_folder_reads_an_outlook_message_and_an_e_mail_reads_one_attached_to_it(tmp_path):
    saved = outlook_message(body="Zoë says the diverter valve has failed.").to_bytes()
    (tmp_path / "boiler.msg").write_bytes(saved)
    assert scan_folder(tmp_path) == ([tmp_path / "boiler.msg"], [])
    document = load_document(tmp_path / "boiler.msg")
    assert document.title == "Boiler repair – quote" and document.text.endswith("the diverter valve has failed.")
    mail = EmailMessage()
    mail["Subject"] = "Fwd: Boiler repair"
    mail.set_content("Forwarding Priya's message.")
    mail.add_attachment(saved, "application", "vnd.ms-outlook", filename="Boiler repair – quote.msg")
    (tmp_path / "forward.eml").write_bytes(bytes(mail))
    read_back = load_document(tmp_path / "forward.eml")
    assert "Attachment: Boiler repair – quote.msg\nSubject: Boiler repair – quote\n" in read_back.text
    assert read_back.text.endswith("Zoë says the diverter valve has failed.")
