"""Write the PDF and the Word file of the sample handbook (``handbook/``) from the text kept here.

``python -m eval.make_handbook`` writes ``handbook/travel-policy.pdf`` (two pages, a title in its metadata) and
``handbook/security-policy.docx`` (headings, a table); ``--output DIR`` writes them elsewhere. The other three files
of the handbook (.txt, .md, .html) are written by hand. The same text makes the same bytes, so running it again
changes nothing unless the text here changed.
"""

from __future__ import annotations

import argparse
import io
import zipfile
from datetime import datetime
from pathlib import Path

HANDBOOK_DIR = Path(__file__).resolve().parents[1] / "handbook"
COMPANY = "Kestrel Maps"
FIXED_TIME = datetime(2026, 1, 15, 9, 0, 0)  # the files' creation date, fixed so that the bytes are reproducible

# A document is a title, then sections: (heading, paragraphs); a heading of PAGE_BREAK starts a new page (PDF).
PAGE_BREAK = "\f"
Section = tuple[str, list[str]]

TRAVEL_TITLE = "Travel and expenses policy"
TRAVEL: list[Section] = [
    (
        "",
        [
            "Kestrel Maps staff travel to meet customers, partners and each other. This policy says how to book a "
            "trip, how to travel and what the company pays for. It applies to every business trip, whether it "
            "lasts an afternoon or a month.",
        ],
    ),
    (
        "Booking a trip",
        [
            "All business trips are booked through Navan, our travel booking system. Navan shows the fares the "
            "company has agreed with airlines, rail operators and hotels, and sends each booking to your manager "
            "for approval. Trips booked elsewhere are not reimbursed, except in an emergency.",
            "Book at least two weeks ahead when you can: late bookings cost more, and the approval may take a few "
            "days. Changes and cancellations are made in Navan too.",
        ],
    ),
    (
        "Choosing how to travel",
        [
            "Take the train for trips under 500 km, and for longer ones when the train is not more than two hours "
            "slower than flying. Trains are booked in second class; first class is allowed when the journey takes "
            "more than four hours.",
            "Flights are booked in economy class. For flights longer than six hours, premium economy is allowed. "
            "Checked luggage is paid for when the trip lasts more than three days.",
            "Using your own car is reimbursed at 0.42 euros per kilometre, with parking and tolls. Taxis are paid "
            "for only when there is no reasonable public transport, or after 22:00.",
        ],
    ),
    (
        "Hotels",
        [
            "Hotels are booked in Navan, up to 150 euros per night within the EU and 200 euros per night in London, "
            "Zurich, New York and other expensive cities. Breakfast is included where the hotel offers it.",
        ],
    ),
    (PAGE_BREAK, []),
    (
        "Meals and daily allowances",
        [
            "Within the EU, the meal allowance is 35 euros per day. Outside the EU, it is 50 euros per day. The "
            "allowance is paid for every day of the trip, including the days you travel; meals paid for by a "
            "customer or included in a conference fee are deducted from it.",
            "Alcohol, minibar items and entertainment are never reimbursed.",
        ],
    ),
    (
        "Expense claims",
        [
            "Submit your expenses in the HR portal within 30 days of returning, with a photo of every receipt. They "
            "are reimbursed with the next salary. Employees who travel more than six times a year may ask for a "
            "company credit card.",
        ],
    ),
    (
        "Safety and insurance",
        [
            "Every business trip is covered by the company's travel insurance; the insurer's emergency number is "
            "shown in Navan with each booking. Before travelling outside the EU, ask the Security Office whether to "
            "take a loan laptop instead of your own.",
            "If something goes wrong on a trip, call your manager first, then the People and Culture team.",
        ],
    ),
]

SECURITY_TITLE = "Information security policy"
SECURITY: list[Section] = [
    (
        "",
        [
            "This policy protects our customers' data, our maps and each other. It applies to everyone who works "
            "for Kestrel Maps, including contractors and interns. Version 4, January 2026.",
        ],
    ),
    (
        "The Security Office",
        [
            "The Security Office is led by Ingrid Vos. Her team of four writes this policy, runs the security "
            "training every new starter completes in the first week, and handles incidents day and night at "
            "security@kestrelmaps.example.",
        ],
    ),
    (
        "Passwords",
        [
            "Passwords must be at least 14 characters long and different for every account. Keep them in the "
            "company password manager, never in a file or on paper. Never share a password, not even with the IT "
            "helpdesk: the helpdesk never asks for one.",
        ],
    ),
    (
        "Multi-factor authentication",
        [
            "Multi-factor authentication (MFA) is required for Navan, e-mail and the HR portal, and for every "
            "other company system that offers it. Use the authenticator app on your phone or a hardware key from "
            "the IT helpdesk; text messages are not accepted as a second factor.",
        ],
    ),
    (
        "Laptops and phones",
        [
            "Company laptops have encrypted disks and lock their screen after five minutes. Install updates within "
            "a week of their release. Report a lost or stolen device to the Security Office within one hour, so "
            "that it can be locked and wiped.",
        ],
    ),
    (
        "Phishing",
        [
            "Report suspicious e-mails with the Report button in your mail program; do not open their attachments "
            "or links. If you clicked a link you should not have, tell the Security Office at once: reporting a "
            "mistake quickly is always right.",
        ],
    ),
    (
        "Classifying information",
        [
            "Every document is public, internal or confidential. Confidential documents are shared only with "
            "named people, never through personal e-mail or chat accounts.",
        ],
    ),
]
CLASSES = [
    ("Class", "Examples", "May be shared with"),
    ("Public", "published maps, press releases", "anyone"),
    ("Internal", "this handbook, team plans", "everyone at Kestrel Maps"),
    ("Confidential", "customer data, contracts, salaries", "the people named on it"),
]


def write_pdf(path: Path, title: str, sections: list[Section]) -> Path:
    """A PDF with the title as its first heading and in its metadata, and a heading over each section."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer

    styles = getSampleStyleSheet()
    document = SimpleDocTemplate(
        str(path),
        pagesize=A4,
        title=title,
        author=COMPANY,
        subject=f"{COMPANY} handbook",
        leftMargin=2.5 * cm,
        rightMargin=2.5 * cm,
        topMargin=2.5 * cm,
        bottomMargin=2.5 * cm,
        invariant=True,  # no creation date or random id: the same text makes the same bytes
    )
    story = [Paragraph(title, styles["Title"])]
    for heading, paragraphs in sections:
        if heading == PAGE_BREAK:
            story.append(PageBreak())
            continue
        if heading:
            story.append(Paragraph(heading, styles["Heading2"]))
        for text in paragraphs:
            story += [Paragraph(text, styles["BodyText"]), Spacer(1, 4)]
    document.build(story)
    return path


def write_docx(path: Path, title: str, sections: list[Section], table: list[tuple[str, str, str]]) -> Path:
    """A Word document with the title as its heading and in its properties, a heading over each section, and the
    table after the last section."""
    from docx import Document

    word = Document()
    word.core_properties.title = title
    word.core_properties.author = COMPANY
    word.core_properties.created = word.core_properties.modified = FIXED_TIME
    word.core_properties.revision = 1
    word.add_heading(title, level=0)
    for heading, paragraphs in sections:
        if heading:
            word.add_heading(heading, level=1)
        for text in paragraphs:
            word.add_paragraph(text)
    grid = word.add_table(rows=len(table), cols=len(table[0]))
    grid.style = "Light Grid Accent 1"
    for row, values in zip(grid.rows, table, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    buffer = io.BytesIO()
    word.save(buffer)
    path.write_bytes(fixed_zip_times(buffer.getvalue()))
    return path


def fixed_zip_times(data: bytes) -> bytes:
    """The zip archive ``data`` with every entry dated FIXED_TIME (python-docx dates them now)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=FIXED_TIME.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(entry))
    return out.getvalue()


def make_handbook(folder: Path = HANDBOOK_DIR) -> list[Path]:
    """Write the handbook's PDF and Word file into ``folder``; their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    return [
        write_pdf(folder / "travel-policy.pdf", TRAVEL_TITLE, TRAVEL),
        write_docx(folder / "security-policy.docx", SECURITY_TITLE, SECURITY, CLASSES),
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=HANDBOOK_DIR, help="folder to write into (default: handbook/)")
    for path in make_handbook(parser.parse_args(argv).output):
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
