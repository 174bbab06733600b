"""How long a 60-page two-column PDF takes to read and to index: python -m eval.long_pdf [--pages 60]."""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from pathlib import Path

WORDS = (
    "the virus cells patients infection protein vaccine response samples study results analysis model data were "
    "observed measured reported increased reduced significant associated clinical trial cohort method expression"
).split()


def sentence(chance: random.Random) -> str:
    words = [chance.choice(WORDS) for _ in range(chance.randint(12, 24))]
    return " ".join(words).capitalize() + "."


def write_paper(path: Path, pages: int, seed: int = 7) -> int:
    """A journal-like PDF of at least ``pages`` pages: two columns, a running head, page numbers, numbered headings;
    the number of pages it has."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph

    chance = random.Random(seed)
    styles = getSampleStyleSheet()
    width, height = A4
    column = (width - 2 * 50 - 20) / 2

    def running_head(canvas, document) -> None:
        canvas.setFont("Helvetica", 8)
        canvas.drawString(50, height - 35, "Journal of Long Documents 12 (2026)")
        canvas.drawCentredString(width / 2, 30, str(document.page))

    frames = [Frame(50 + i * (column + 20), 50, column, height - 110) for i in range(2)]
    document = BaseDocTemplate(str(path), pagesize=A4, pageTemplates=[PageTemplate(frames=frames, onPage=running_head)])
    story = []
    for section in range(1, pages * 3 // 2 + 1):  # a section (heading, three paragraphs) takes 2/3 page
        story.append(Paragraph(f"{section} Section {section}", styles["Heading2"]))
        story.extend(Paragraph(" ".join(sentence(chance) for _ in range(8)), styles["BodyText"]) for _ in range(3))
    document.build(story)
    return int(document.page)


def main() -> None:
    from eval.hostile import cpu_name
    from qa.documents.loading import load_document
    from qa.pipeline import QA

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        documents = Path(folder, "documents")
        documents.mkdir()
        pages = write_paper(documents / "paper.pdf", args.pages)
        began = time.perf_counter()
        document = load_document(documents / "paper.pdf")
        read = time.perf_counter() - began
        engine = QA(documents_dir=documents, index_dir=Path(folder, "index"))
        engine.embedder.warm_up()  # the model loads before the clock starts, as in a running chat
        began = time.perf_counter()
        report = engine.refresh_index()
        indexed = time.perf_counter() - began
    print(f"CPU: {cpu_name()} ({os.cpu_count()} cores); a {pages}-page two-column PDF, {len(document.text):,} chars")
    print(f"read (text, pages, {len(document.sections or [])} sections): {read:.1f} s")
    print(f"indexed (read, chunked, embedded, stored; {report.embedded_passages} passages): {indexed:.1f} s")


if __name__ == "__main__":
    main()
