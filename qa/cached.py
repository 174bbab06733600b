"""What the cache folder holds (models exported to ONNX, the text OCR read from scanned pages), measured and cleared."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from qa.app.remote import process_alive
from qa.validation import counted

KINDS = ("models", "ocr")  # what ``clear`` may be told to remove; "all" is both
Kind = Literal["models", "ocr", "all"]
OCR_FOLDER = "ocr"  # the kept pages' text: ocr/<first two hex digits of a page's key>/<key>.txt
EXPORT_KINDS = ("reader", "embedder")  # an export is <kind>-<fingerprint>[-7bit]-<precision>.onnx


@dataclass(frozen=True)
class Held:
    """Files of one kind in the cache folder: how many, and their bytes."""

    files: int = 0
    size: int = 0


def exported_models(folder: Path) -> Iterator[Path]:
    """The models exported to ONNX in ``folder``, and what an interrupted export left (a hidden scratch folder named
    with its process's id; not one whose process still runs: it is being written)."""
    if not folder.is_dir():
        return
    for path in folder.iterdir():
        if not path.name.lstrip(".").startswith(tuple(f"{kind}-" for kind in EXPORT_KINDS)):
            continue
        if path.suffix == ".onnx" or (path.name.startswith(".") and path.is_dir() and not still_running(path)):
            yield path


def still_running(scratch: Path) -> bool:
    """Whether the process whose id ends the name of the export's ``scratch`` folder is running."""
    pid = scratch.name.rsplit("-", 1)[-1]
    return pid.isdigit() and process_alive(int(pid))


def scans_text(folder: Path) -> Iterator[Path]:
    """The files of the text read from scanned pages kept in ``folder`` (and any a crash left half written)."""
    kept = folder / OCR_FOLDER
    if kept.is_dir():
        yield from (path for path in kept.glob("*/*") if path.suffix in (".txt", ".part") and path.is_file())


def held(paths: Iterable[Path]) -> Held:
    """How many ``paths`` there are and their bytes; one gone meanwhile counts nothing."""
    files = size = 0
    for path in paths:
        with contextlib.suppress(OSError):
            size += bytes_of(path)
            files += 1
    return Held(files, size)


def bytes_of(path: Path) -> int:
    """The bytes of the file ``path``, or of the files in the folder ``path``."""
    if path.is_dir():
        return sum(inside.stat().st_size for inside in path.rglob("*") if inside.is_file())
    return path.stat().st_size


def contents(folder: Path) -> dict[str, Held]:
    """What ``folder`` holds, by kind ("models", "ocr")."""
    return {"models": held(exported_models(folder)), "ocr": held(scans_text(folder))}


def clear(folder: Path, kind: Kind = "all") -> dict[str, Held]:
    """Remove from ``folder`` what qa keeps there of ``kind`` (nothing else), and say what was removed. A process
    running meanwhile loses nothing: a model it loaded stays loaded and is exported again at its next start, a page
    is read by OCR again when its text is gone."""
    removed = {}
    for name in KINDS if kind == "all" else (kind,):
        paths = list(exported_models(folder) if name == "models" else scans_text(folder))
        removed[name] = held(paths)
        for path in paths:
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
    if kind in ("ocr", "all"):
        remove_empty_folders(folder / OCR_FOLDER)
    return removed


def remove_empty_folders(folder: Path) -> None:
    """Remove ``folder``'s empty subfolders, then ``folder`` itself when empty (one that is not stays)."""
    if not folder.is_dir():
        return
    for place in sorted(folder.iterdir(), reverse=True):
        if place.is_dir():
            with contextlib.suppress(OSError):
                place.rmdir()
    with contextlib.suppress(OSError):
        folder.rmdir()


def described(kind: str, held: Held) -> str:
    """What ``held`` of ``kind`` is, in words: "2 models exported to ONNX (44.0 MB)", "the text of 31 scanned pages
    (116 KB)"."""
    if kind == "models":
        return f"{counted(held.files, 'model')} exported to ONNX ({size_in_words(held.size)})"
    return f"the text of {counted(held.files, 'scanned page')} ({size_in_words(held.size)})"


def size_in_words(size: int) -> str:
    """A size in bytes as a person reads it: "812 bytes", "116 KB", "44.0 MB", "1.2 GB" (powers of 1,000)."""
    if size < 1000:
        return f"{size} bytes"
    if size < 999_500:
        return f"{size / 1e3:.0f} KB"
    return f"{size / 1e6:.1f} MB" if size < 999_950_000 else f"{size / 1e9:.1f} GB"
