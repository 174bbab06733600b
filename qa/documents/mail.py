"""E-mail messages (.eml) and mailboxes (.mbox) as text: each message's headers, its body (plain text, or HTML read as a
page) and attachments; and the page a web page saved as one file (.mhtml) holds, as MIME too."""

from __future__ import annotations

import re
from collections.abc import Callable
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from mimetypes import guess_extension

from qa.documents.html import html_to_text
from qa.documents.markup import joined_texts, shifted
from qa.errors import DocumentError
from qa.models import Section

HEADERS = ("Subject", "From", "To", "Cc", "Date")  # what a mail program shows above a message, in its order
MAX_DEPTH = 3  # messages forwarded as attachments read within one another, at most
ATTACHMENT = "Attachment: {}"  # the heading an attachment is read under, naming it
# Reads an attachment by its file name and bytes: its text and headings, None when its type is not supported;
# raises DocumentError when it is of a supported type but holds no text (``qa.documents.loading.attachment_text``).
AttachmentReader = Callable[[str, bytes], "tuple[str, list[Section]] | None"]
# A mailbox's line that opens a message (its envelope, "From nadia@example.com Tue Feb  6 09:14:00 2024"), and a line
# of a message that would read as one, written with a ">" before it (more ">" for one that had some: mboxrd).
ENVELOPE = re.compile(rb"^From [^\n]*\n?", re.MULTILINE)
QUOTED_FROM = re.compile(rb"^>(>*From )", re.MULTILINE)
# What opens a line of a plain text reply that quotes an earlier message: its quote marks (">", "> >", ">>"), each
# level's; and the line a mail program writes above the quote ("On Tue, 6 Feb 2024 at 16:41, Gareth Pryce
# <g@example.com> wrote:", Outlook's "-----Original Message-----"), read as the heading of what it quotes.
QUOTE_MARKS = re.compile(r"^(?:[ \t]?>)+[ \t]?")
ATTRIBUTION = re.compile(
    r"^(?:On\b.{4,200}\bwrote|-{2,}[ \t]*Original Message[ \t]*-{2,})[ \t]*:?[ \t]*$", re.IGNORECASE
)
SIGNATURE_SEPARATOR = "-- "  # the line above a signature, which is never joined to the next (RFC 3676)


def mail_to_text(data: bytes, read_attachment: AttachmentReader) -> tuple[str, str | None, list[Section]]:
    """The text of a message saved as an .eml file, its title (its subject) and its headings: the headers a mail program
    shows (subject, from, to, cc, date), the body (its plain text, else its HTML read as a page), then each attachment
    under a heading that names it, read as the file itself would be by ``read_attachment`` (a forwarded message as a
    message), or named with why it is not read (an image, a type not supported)."""
    message = parsed(data)
    text, sections = message_text(message, read_attachment, 1)
    subject = header(message, "Subject")
    return text, subject or None, sections


def mbox_to_text(data: bytes, read_attachment: AttachmentReader) -> tuple[str, list[Section]]:
    """The text of a mailbox (.mbox: a mail folder exported from Thunderbird or Apple Mail, Gmail's by Google Takeout)
    and its headings: its messages in order, each read as an .eml file is (``message_text``) under a heading of its
    subject (of its first line when it has none), a blank line between them. Raises DocumentError when ``data`` is no
    mailbox."""
    if not data.strip():
        return "", []
    if not data.startswith(b"From "):
        raise DocumentError('not a mailbox (it does not begin with a "From " line)')
    envelopes = list(ENVELOPE.finditer(data))
    text, sections = "", list[Section]()
    for envelope, following in zip(envelopes, [*envelopes[1:], None], strict=True):
        written = data[envelope.end() : following.start() if following else len(data)]
        read, read_sections = boxed_message(QUOTED_FROM.sub(rb"\1", written), read_attachment)
        if read.strip():
            text, sections = joined_texts(text, sections, read, read_sections)
    return text, sections


def boxed_message(data: bytes, read_attachment: AttachmentReader) -> tuple[str, list[Section]]:
    """A mailbox's message as text and headings (``message_text``); without a subject, its first line heads it."""
    read, sections = message_text(parsed(data), read_attachment, 1)
    if not read or (sections and sections[0].start == 0 and sections[0].level == 1):
        return read, sections
    return read, [Section(start=0, title=read.split("\n", 1)[0], level=1), *sections]


def saved_page(data: bytes) -> str:
    """The HTML of a web page saved as one file (.mhtml, .mht: a browser's "Webpage, Single File"): its first HTML
    part (the page; the others are its pictures, style sheets and frames), decoded. Raises DocumentError when it holds
    none."""
    page = next((part for part in parsed(data).walk() if part.get_content_type() == "text/html"), None)
    if page is None:
        raise DocumentError("not a saved web page (no HTML part in it)")
    return part_text(page)


def parsed(data: bytes) -> EmailMessage:
    """A message from its bytes, as a mail program reads it (the parser keeps what it cannot read as it was)."""
    message = BytesParser(policy=policy.default).parsebytes(data)
    if not isinstance(message, EmailMessage):  # the default policy makes EmailMessage; a guard for type checkers
        raise DocumentError("not an e-mail message")
    return message


def message_text(message: EmailMessage, read_attachment: AttachmentReader, depth: int) -> tuple[str, list[Section]]:
    """A message's headers, body and attachments as text, with its headings: its subject's (the message's), its
    body's and, below them, each attachment's (see ``mail_to_text``); ``depth``: how deep in forwarded messages it
    lies."""
    lines = [f"{name}: {value}" for name in HEADERS if (value := header(message, name))]
    subject = header(message, "Subject")
    text, sections = "\n".join(lines), [Section(start=0, title=subject, level=1)] if subject else []
    body, body_sections = body_text(message)
    if body:
        text, sections = joined_texts(text, sections, body, deeper(body_sections, 1))
    for number, part in enumerate(attachments(message), start=1):
        forwarded = part.get_content_type() == "message/rfc822"
        title = ATTACHMENT.format(part.get_filename() or ("a forwarded message" if forwarded else f"part {number}"))
        read, read_sections = attachment(part, read_attachment, depth)
        heading = Section(start=0, title=title, level=2)
        below = shifted(deeper(read_sections, 2), len(title) + 1)
        text, sections = joined_texts(text, sections, f"{title}\n{read.rstrip()}", [heading, *below])
    return text, sections


def attachments(message: EmailMessage) -> list[EmailMessage]:
    """A message's attachments: its parts that are no body, or the message itself when it is one part and that an
    attachment (a scanner's or a report generator's mail carries a file alone, no text around it)."""
    if message.is_multipart():
        return list(message.iter_attachments())
    alone = message.get_content_disposition() == "attachment" or message.get_content_maintype() != "text"
    return [message] if alone else []


def deeper(sections: list[Section], by: int) -> list[Section]:
    """``sections`` as headings ``by`` levels further down (those of an attachment, below its heading)."""
    return [section.model_copy(update={"level": section.level + by}) for section in sections]


def header(message: Message, name: str) -> str:
    """A header's value as a mail program shows it (encoded words decoded, folded lines joined); "" when it has
    none or it cannot be read."""
    try:
        value = message.get(name)
    except (ValueError, LookupError, IndexError):  # a malformed header the parser kept as it was
        return ""
    return " ".join(str(value).split()) if value is not None else ""


def body_text(message: EmailMessage) -> tuple[str, list[Section]]:
    """A message's body: its plain text part, else its HTML part read as a page (``html_to_text``), with that page's
    headings; "" when it has neither."""
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        return "", []
    content = part_text(body)
    if body.get_content_subtype() == "html":
        text, _, sections = html_to_text(content)
        return text, sections
    flowed = body.get_param("format", "", header="content-type") == "flowed"
    deleting = body.get_param("delsp", "", header="content-type") == "yes"
    lines = content.replace("\r\n", "\n").replace("\r", "\n").strip("\n").split("\n")
    return replied(flowed_lines(lines, deleting) if flowed else [QUOTE_MARKS.sub("", line) for line in lines])


def flowed_lines(lines: list[str], deleting: bool) -> list[str]:
    """The lines of a body sent as "format=flowed" (RFC 3676: Apple Mail's, Thunderbird's) as their sender wrote
    them: a line that ends with a space runs on into the next of the same quote depth (that space left out when
    ``deleting``: "delsp=yes"), quote marks and the space that stuffs a line's start left out."""
    joined: list[str] = []
    running = False  # the line before ran on into this one
    depth = 0
    for line in lines:
        marks = len(line) - len(line.lstrip(">"))
        text = line[marks:]
        text = text[1:] if text.startswith(" ") else text  # space-stuffed
        if running and marks == depth:
            joined[-1] += text
        else:
            joined.append(text)
        depth = marks
        running = text.endswith(" ") and text != SIGNATURE_SEPARATOR
        if running and deleting:
            joined[-1] = joined[-1][:-1]
    return joined


def replied(lines: list[str]) -> tuple[str, list[Section]]:
    """A plain text body of ``lines`` (quote marks left out) as text and headings: the line above each quote of an
    earlier message ("On ..., Gareth Pryce <...> wrote:") is the heading of what follows it."""
    text = "\n".join(lines)
    sections, start = [], 0
    for line in lines:
        if ATTRIBUTION.match(line):
            sections.append(Section(start=start, title=line.strip().rstrip(":").strip(" -"), level=1))
        start += len(line) + 1
    return text, sections


def part_text(part: Message) -> str:
    """A text part's content, decoded from its transfer encoding and its character set (UTF-8 when the set it names
    is unknown, unreadable bytes replaced)."""
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return data.decode(charset, errors="replace")
    except LookupError:
        return data.decode("utf-8", errors="replace")


def attachment(part: EmailMessage, read_attachment: AttachmentReader, depth: int) -> tuple[str, list[Section]]:
    """An attachment's text and headings: a forwarded message read as a message (to MAX_DEPTH), a text part without a
    file name as text, a file by ``read_attachment`` (one without a name as its type's files: a PDF as a ".pdf");
    else a line saying why it is not read."""
    if part.get_content_type() == "message/rfc822":
        inner = part.get_content()
        if isinstance(inner, EmailMessage) and depth < MAX_DEPTH:
            return message_text(inner, read_attachment, depth + 1)
        return "(a forwarded message, not read: forwarded within too many others)", []
    if part.get_filename() is None and part.get_content_maintype() == "text":
        return part_text(part).replace("\r\n", "\n").strip("\n"), []
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        return "(not read: it holds nothing)", []
    try:
        read = read_attachment(part.get_filename() or f"part{guess_extension(part.get_content_type()) or ''}", data)
    except DocumentError as error:
        return f"(not read: {error})", []
    return read if read is not None else (f"(not read: its type, {part.get_content_type()}, is not supported)", [])
