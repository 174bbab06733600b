"""Scanned PDFs read by OCR: SQuAD v1.1 dev paragraphs printed as pictures of pages, one PDF each, read by Tesseract;
the words OCR gets back, its seconds a page, and the answers to the paragraphs' questions over the scans against over
the same paragraphs as text. python -m eval.scans [--data FILE] [--paragraphs 12] [--seed 7] (needs tesseract)"""

from __future__ import annotations

import argparse
import io
import random
import re
import statistics
import tempfile
import textwrap
import time
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from qa.app.cli import DATA_DIR
from qa.documents import ocr
from qa.documents.loading import load_document
from qa.evaluation.metrics import score_prediction
from qa.evaluation.squad import SquadQuestion, load_squad
from qa.pipeline import QA

WORDS = re.compile(r"\w+")


def scanned(text: str) -> bytes:
    """``text`` as a scanner saves a printed page: an A4 picture at 300 dots an inch (wrapped at 62 characters, at 11
    points), in a PDF without text."""
    page = Image.new("L", (2480, 3508), 255)
    draw = ImageDraw.Draw(page)
    font = scanned_font()
    for number, line in enumerate(textwrap.wrap(text, 62)):
        draw.text((220, 250 + 64 * number), line, font=font, fill=0)
    data = io.BytesIO()
    page.save(data, "PDF", resolution=300)
    return data.getvalue()


def scanned_font() -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """The font pages are printed in: one with every letter SQuAD writes ("–", "Ś") where the system has it, else
    Pillow's own (which has fewer)."""
    try:
        return ImageFont.truetype("DejaVuSerif.ttf", 46)
    except OSError:
        return ImageFont.load_default(size=46)


def font_name(font: ImageFont.FreeTypeFont | ImageFont.ImageFont) -> str:
    """A font's family name ("DejaVu Serif")."""
    return font.getname()[0] or "?" if isinstance(font, ImageFont.FreeTypeFont) else "a bitmap font"


def word_recall(truth: str, read: str) -> float:
    """The share of ``truth``'s words (lower-cased, with their counts) that ``read`` has."""
    wanted, found = WORDS.findall(truth.lower()), WORDS.findall(read.lower())
    left = {word: found.count(word) for word in set(found)}
    hits = 0
    for word in wanted:
        if left.get(word, 0) > 0:
            hits, left[word] = hits + 1, left[word] - 1
    return hits / max(1, len(wanted))


def answers_f1(folder: Path, questions: list[SquadQuestion]) -> tuple[float, float]:
    """Open-mode (EM, F1) of ``questions`` over the documents in ``folder``, declines counting 0."""
    with tempfile.TemporaryDirectory() as index:
        engine = QA(documents_dir=folder, index_dir=Path(index))
        scores = [score_prediction(engine.ask(q.question).answer, q.answers) for q in questions]
        engine.close()
    return 100 * statistics.mean(s[0] for s in scores), 100 * statistics.mean(s[1] for s in scores)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", default=str(DATA_DIR / "squad-v1.1-dev.json.gz"))
    parser.add_argument("--paragraphs", type=int, default=12)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if not ocr.installed():
        raise SystemExit(f"Tesseract is not installed: {ocr.INSTALL}")
    paragraphs = [p for article in load_squad(args.data) for p in article.paragraphs if len(p.context) < 1800]
    chosen = random.Random(args.seed).sample(paragraphs, args.paragraphs)
    questions = [q for p in chosen for q in p.questions if q.usable]
    with tempfile.TemporaryDirectory() as work:
        texts, scans = Path(work, "texts"), Path(work, "scans")
        texts.mkdir()
        scans.mkdir()
        recalls, seconds, again = [], [], []
        kept = ocr.Reading(kept_in=Path(work, "kept"))  # each page's text kept, as the index keeps it
        for number, paragraph in enumerate(chosen):
            (texts / f"p{number:02d}.txt").write_text(paragraph.context, encoding="utf-8")
            (scans / f"p{number:02d}.pdf").write_bytes(scanned(paragraph.context))
            started = time.perf_counter()
            read = load_document(scans / f"p{number:02d}.pdf", scans=kept).text
            seconds.append(time.perf_counter() - started)
            recalls.append(word_recall(paragraph.context, read))
            started = time.perf_counter()
            if load_document(scans / f"p{number:02d}.pdf", scans=kept).text != read:
                raise SystemExit(f"page {number} read again from its kept text differs from the page OCR read")
            again.append(time.perf_counter() - started)
        print(
            f"{len(chosen)} scanned pages ({font_name(scanned_font())}): OCR {statistics.median(seconds):.2f} s a "
            f"page (median; read again from the text kept: {statistics.median(again):.3f} s), words read back "
            f"{100 * statistics.mean(recalls):.1f}% (lowest page {100 * min(recalls):.1f}%)"
        )
        for name, folder in (("as text", texts), ("scanned, read by OCR", scans)):
            em, f1 = answers_f1(folder, questions)
            print(f"{len(questions)} questions, open, over the paragraphs {name}: EM {em:.1f}, F1 {f1:.1f}")


if __name__ == "__main__":
    main()
