"""Outlook messages (.msg: a message dragged out of Outlook, or saved from it) read as the e-mail messages they are."""

from __future__ import annotations

import struct
from datetime import UTC, datetime, timedelta
from email import policy
from email.headerregistry import HeaderRegistry, UnstructuredHeader
from email.message import EmailMessage
from email.policy import Policy
from email.utils import format_datetime, formataddr

import olefile

from qa.documents.compound import opened
from qa.documents.mail import MAX_DEPTH, AttachmentReader, header, message_text
from qa.documents.markup import decoded
from qa.documents.rtf import rtf_to_text
from qa.errors import DocumentError
from qa.models import Section

# The properties read (MS-OXPROPS), by their ids; a property of variable length is a stream named by its id and type.
SUBJECT, BODY, HTML, RTF = 0x0037, 0x1000, 0x1013, 0x1009
SENDER_NAME, SENDER_ADDRESS, SENDER_SMTP = 0x0C1A, 0x0C1F, 0x5D01
DISPLAY_TO, DISPLAY_CC = 0x0E04, 0x0E03
SUBMITTED, DELIVERED = 0x0039, 0x0E06
CODE_PAGE, INTERNET_CODE_PAGE = 0x3FFD, 0x3FDE
RECIPIENT_NAME, RECIPIENT_ADDRESS, RECIPIENT_SMTP, RECIPIENT_KIND = 0x3001, 0x3003, 0x39FE, 0x0C15
ATTACHED_DATA, ATTACHED_LONG_NAME, ATTACHED_NAME, ATTACHED_TYPE, ATTACH_METHOD, HIDDEN = (
    0x3701, 0x3707, 0x3704, 0x370E, 0x3705, 0x7FFE
)  # fmt: skip
UNICODE, EIGHT_BIT, BINARY, OBJECT = 0x001F, 0x001E, 0x0102, 0x000D  # property types: strings, bytes, a storage
NARROW = {0x0002: 0xFFFF, 0x0003: 0xFFFFFFFF, 0x000B: 0xFFFF}  # the value's bits of types shorter than 8 bytes
EMBEDDED_MESSAGE = 5  # the attach method of a message attached as an Outlook item (a forwarded message)
RECIPIENT_HEADERS = {1: "To", 2: "Cc"}  # a recipient's kind; blind copies are not shown
# Where a storage's fixed-size property entries begin in its property stream: after a header of this many bytes.
PROPERTIES_AT = {"message": 32, "embedded": 24, "part": 8}
PROPERTIES = "__properties_version1.0"
FILE_TIME_ZERO = datetime(1601, 1, 1, tzinfo=UTC)  # a Windows file time counts 100 ns steps from here
# The dictionary compressed RTF starts from (MS-OXRTFCP 2.1.3.1.1), and the headers' marks of compressed and raw RTF.
RTF_PREFIX = (
    b"{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman \\fswiss \\fmodern \\fscript \\fdecor "
    b"MS Sans SerifSymbolArialTimes New RomanCourier{\\colortbl\\red0\\green0\\blue0\r\n\\par "
    b"\\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx"
)
COMPRESSED, UNCOMPRESSED = b"LZFu", b"MELA"


def msg_to_text(data: bytes, read_attachment: AttachmentReader) -> tuple[str, str | None, list[Section]]:
    """The text of an Outlook message, its title (its subject) and its headings, read as an .eml file is
    (``qa.documents.mail.mail_to_text``): subject, from, to, cc and date, the body (its plain text, else its HTML,
    else its rich text), then each attachment under a heading that names it. Raises DocumentError when ``data`` is
    no Outlook message."""
    try:
        with opened(data, "Outlook message") as ole:
            message = OutlookItem(ole, "", "message").as_email(1)
    except DocumentError:
        raise
    except (OSError, ValueError, ArithmeticError, struct.error) as error:  # olefile's errors for a damaged file
        raise DocumentError(f"not a readable Outlook message ({error})") from None
    text, sections = message_text(message, read_attachment, 1)
    return text, header(message, "Subject") or None, sections


class OutlookItem:
    """A message, a recipient or an attachment: a storage of an Outlook message's file, its properties read from
    its streams (those of variable length) and its property stream (those of fixed size)."""

    def __init__(self, ole: olefile.OleFileIO, path: str, kind: str, code_page: int | None = None) -> None:
        """The storage at ``path`` ("" the file's root, else ending with "/"), of a ``kind`` of PROPERTIES_AT's;
        ``code_page``: that of the message it is part of, which its strings written as bytes are in when it names
        none."""
        self.ole, self.path = ole, path
        self.fixed = fixed_properties(self.stream(PROPERTIES) or b"", PROPERTIES_AT[kind])
        self.code_page = self.number(CODE_PAGE) or code_page

    def stream(self, name: str) -> bytes | None:
        """The bytes of the stream ``name`` within this storage; None when it has none."""
        path = f"{self.path}{name}"
        return self.ole.openstream(path).read() if self.ole.exists(path) else None

    def text(self, property_id: int) -> str:
        """A string property, "" when it is not set: in UTF-16, or in the message's code page when written as bytes."""
        unicode = self.stream(f"__substg1.0_{property_id:04X}{UNICODE:04X}")
        if unicode is not None:
            return unicode.decode("utf-16-le", errors="replace").rstrip("\x00")
        written = self.stream(f"__substg1.0_{property_id:04X}{EIGHT_BIT:04X}")
        return decoded(written, self.code_page).rstrip("\x00") if written is not None else ""

    def binary(self, property_id: int) -> bytes | None:
        """A binary property's bytes; None when it is not set."""
        return self.stream(f"__substg1.0_{property_id:04X}{BINARY:04X}")

    def number(self, property_id: int) -> int | None:
        """A fixed-size property's value as a number (a time as a Windows file time); None when it is not set."""
        return self.fixed.get(property_id)

    def children(self, prefix: str, kind: str) -> list[OutlookItem]:
        """The storages right under this one whose names start with ``prefix`` (its recipients, its attachments),
        in their order, as items of ``kind``."""
        parent = self.path.strip("/").split("/") if self.path else []
        storages = self.ole.listdir(streams=False, storages=True)
        within = sorted("/".join(entry) for entry in storages if entry[:-1] == parent and entry[-1].startswith(prefix))
        return [OutlookItem(self.ole, f"{path}/", kind, self.code_page) for path in within]

    def as_email(self, depth: int) -> EmailMessage:
        """This message as an e-mail message: its headers, its body and its attachments (a message attached as an
        Outlook item as a forwarded message, to MAX_DEPTH)."""
        message = EmailMessage(policy=as_shown())
        for name, value in self.headers().items():
            if value:
                message[name] = " ".join(value.split())
        body, subtype = self.body()
        message.set_content(body, subtype=subtype)
        for attachment in self.children("__attach_version1.0_#", "part"):
            attach(message, attachment, depth)
        return message

    def headers(self) -> dict[str, str]:
        """The headers a mail program shows: subject, from (name and address), to, cc and date."""
        sender = self.text(SENDER_NAME), self.text(SENDER_SMTP) or address(self.text(SENDER_ADDRESS))
        recipients = self.recipients()
        return {
            "Subject": self.text(SUBJECT),
            "From": formataddr(sender) if sender[1] else sender[0],
            "To": recipients.get("To") or self.text(DISPLAY_TO),
            "Cc": recipients.get("Cc") or self.text(DISPLAY_CC),
            "Date": shown_time(self.number(SUBMITTED) or self.number(DELIVERED)),
        }

    def recipients(self) -> dict[str, str]:
        """Who the message is to and who is copied in ("To", "Cc"), each as names and addresses."""
        kinds: dict[str, list[str]] = {}
        for recipient in self.children("__recip_version1.0_#", "part"):
            shown_as = RECIPIENT_HEADERS.get(recipient.number(RECIPIENT_KIND) or 1)
            name = recipient.text(RECIPIENT_NAME)
            mailbox = recipient.text(RECIPIENT_SMTP) or address(recipient.text(RECIPIENT_ADDRESS))
            if shown_as and (name or mailbox):
                kinds.setdefault(shown_as, []).append(formataddr((name, mailbox)) if mailbox else name)
        return {shown_as: ", ".join(names) for shown_as, names in kinds.items()}

    def body(self) -> tuple[str, str]:
        """The body's text and its kind ("plain", "html"): the plain text, else the HTML, else the rich text read
        (none when it is of a kind not known)."""
        plain = self.text(BODY)
        if plain.strip():
            return plain, "plain"
        html = self.binary(HTML)
        if html is not None:
            return decoded(html, self.number(INTERNET_CODE_PAGE) or self.code_page).rstrip("\x00"), "html"
        if (html_text := self.text(HTML)).strip():
            return html_text, "html"
        try:
            return rtf_to_text(decompressed_rtf(self.binary(RTF) or b""))[0], "plain"
        except DocumentError:
            return "", "plain"


def as_shown() -> Policy:
    """The e-mail policy messages are built with: senders and recipients as Outlook shows them, so that a name
    without an address (Exchange's own senders') stays a name, not an address read out of it."""
    registry = HeaderRegistry()
    for name in ("from", "to", "cc"):
        registry.map_to_type(name, UnstructuredHeader)  # type: ignore[arg-type]  # a base the registry mixes in
    return policy.default.clone(header_factory=registry)


def attach(message: EmailMessage, attachment: OutlookItem, depth: int) -> None:
    """``attachment`` added to ``message``: a file by its name and type, an Outlook item as a forwarded message (one
    beyond MAX_DEPTH empty: the message that holds it says it is not read); a hidden one (a picture the body shows)
    left out."""
    if attachment.number(HIDDEN):
        return
    name = attachment.text(ATTACHED_LONG_NAME) or attachment.text(ATTACHED_NAME) or attachment.text(RECIPIENT_NAME)
    inner = f"{attachment.path}__substg1.0_{ATTACHED_DATA:04X}{OBJECT:04X}/"
    if attachment.number(ATTACH_METHOD) == EMBEDDED_MESSAGE and attachment.ole.exists(inner.rstrip("/")):
        item = OutlookItem(attachment.ole, inner, "embedded", attachment.code_page)
        message.add_attachment(item.as_email(depth + 1) if depth < MAX_DEPTH else EmailMessage(), filename=name or None)
        return
    data = attachment.binary(ATTACHED_DATA) or b""
    maintype, _, subtype = (attachment.text(ATTACHED_TYPE) or "application/octet-stream").partition("/")
    if maintype in ("message", "multipart") or not subtype:  # a file's bytes, not a part of a message to parse
        maintype, subtype = "application", "octet-stream"
    message.add_attachment(data, maintype, subtype, filename=name or None)


def fixed_properties(data: bytes, start: int) -> dict[int, int]:
    """A property stream's fixed-size properties (16 bytes each from ``start``: the tag, flags, the value's 8
    bytes) by id, each read as a little-endian number of its type's size (a string's entry holds its length)."""
    entries = struct.iter_unpack("<IIQ", data[start : start + (len(data) - start) // 16 * 16])
    return {tag >> 16: value & NARROW.get(tag & 0xFFFF, -1) for tag, _, value in entries}


def shown_time(file_time: int | None) -> str:
    """A Windows file time as an e-mail's date ("Sun, 15 Mar 2026 10:30:00 +0000"); "" for none or one out of range."""
    try:
        return format_datetime(FILE_TIME_ZERO + timedelta(microseconds=file_time // 10)) if file_time else ""
    except OverflowError:
        return ""


def address(written: str) -> str:
    """An address as a mail program shows it: an Internet address, "" for Exchange's own ("/O=EXCHANGELABS/...")."""
    return written if "@" in written else ""


def decompressed_rtf(data: bytes) -> bytes:
    """The RTF of a message's rich text body, stored compressed (MS-OXRTFCP: "LZFu") or as it is ("MELA"). Raises
    DocumentError for any other."""
    if len(data) < 16 or data[8:12] not in (COMPRESSED, UNCOMPRESSED):
        raise DocumentError("an Outlook message whose rich text body is of an unknown kind")
    if data[8:12] == UNCOMPRESSED:
        return data[16 : 16 + struct.unpack_from("<I", data, 4)[0]]
    window, at, out = bytearray(4096), len(RTF_PREFIX), bytearray()
    window[:at] = RTF_PREFIX
    position = 16
    while position < len(data):
        control, position = data[position], position + 1
        for bit in range(8):
            if position >= len(data):
                break
            if not control >> bit & 1:
                at, position = written(window, at, out, data[position]), position + 1
                continue
            reference, position = int.from_bytes(data[position : position + 2], "big"), position + 2
            offset, length = reference >> 4, (reference & 0xF) + 2
            if offset == at:  # the end
                return bytes(out)
            for step in range(length):  # each byte read after the one before is written: a run may overlap itself
                at = written(window, at, out, window[(offset + step) % 4096])
    return bytes(out)


def written(window: bytearray, at: int, out: bytearray, byte: int) -> int:
    """``byte`` added to the decompressed ``out`` and to the dictionary ``window`` at ``at``; where the next goes."""
    out.append(byte)
    window[at] = byte
    return (at + 1) % len(window)
