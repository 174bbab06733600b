"""Scanned pages saved as TIFF images (.tif, .tiff: a scanner's, a fax's), read page by page by OCR."""

from __future__ import annotations

import io

from PIL import Image, ImageSequence

from qa.documents import ocr
from qa.documents.loading import PAGE_SEPARATOR, join_pages
from qa.documents.pdf import scanned_paragraphs
from qa.errors import DocumentError


def tiff_to_text(data: bytes) -> tuple[str, list[int]]:
    """The text OCR reads on each page of a TIFF image (its paragraphs joined as a scanned PDF's are), and where each
    page begins in it. Raises DocumentError when Tesseract is not installed, or ``data`` is no readable image."""
    if not ocr.installed():
        raise DocumentError(f"a scanned image, which only OCR reads: {ocr.INSTALL}")
    try:
        with Image.open(io.BytesIO(data)) as image, ocr.pages_progress(getattr(image, "n_frames", 1), "scans") as bar:
            texts = []
            for page in ImageSequence.Iterator(image):  # one page in memory at a time: a fax may have hundreds
                texts.append(PAGE_SEPARATOR.join(scanned_paragraphs(ocr.page_paragraphs(page.convert("L")))))
                bar.update()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:  # Pillow's for a bad image
        raise DocumentError(f"not a readable TIFF image ({error})") from None
    return join_pages(texts)
