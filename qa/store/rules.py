"""The rules every backend follows, in one place: binding settings, the writer lock, verify's lines, the checks a read
makes and its one error; and the helpers both backends share (keyword tokens, layout checks, backup files).

``qa/testing/store_rules.py`` pins them on every backend. The rules:

* Binding: a store that holds no documents takes the settings it is bound to, whatever it was stamped with before;
  one holding documents made with other settings (or with none recorded) refuses until it is cleared. An empty store
  holds nothing the new settings could contradict, so refusing would only force a pointless ``clear``; a stored
  document's passages were cut and embedded with its stamp, so taking others would mix two kinds of vector. Settings
  that make the same vectors and record anew what read the files (``read_by``, after a whole sync) or another way of
  making keyword tokens (``keywords``, once the indexer has written every document again) are taken by a store
  holding documents too; those that record nothing leave its record as it is.
* The writer lock: every change (write, delete, set_source, ignore, clear, restore, repair, and a bind that stamps)
  waits for, then holds, the cross-process writer lock, for ``write_timeout`` seconds at most (StoreBusy then); a
  handle already inside ``writer()`` re-enters it. Changes of two handles never interleave.
* Verify: one problem a line, ``problem_line``'s format; ``problem_document`` reads the document back from a line.
* Reads: documents, passages and vectors are checked as they are read (``document_problem``, ``passage_problem``,
  ``vector_problem``; a backend adds its own, the local store its checksums); a failed check raises ``damaged``'s
  StoreDamaged, whose message names the store and the line, and says how to mend it.
"""

from __future__ import annotations

import functools
import itertools
import os
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Concatenate, ParamSpec, Protocol, TypeVar

import numpy as np
from pydantic import TypeAdapter

from qa.errors import StoreBusy, StoreDamaged, StoreError
from qa.models import Section

if TYPE_CHECKING:
    from qa.store.protocol import DocumentWrite, StoreSettings

# ------------------------------------------------------------------------------------------------ binding


def bind_verdict(current: StoreSettings | None, settings: StoreSettings, holds_documents: bool) -> bool | None:
    """What ``bind(settings)`` does to a store stamped ``current`` (None: no stamp): True, bound to them already (or
    to settings that make the same vectors, when ``settings`` say nothing of what read the files); False, it holds
    documents made with other settings (or with unknown ones) and refuses until cleared; None, it takes them: it is
    empty, or its vectors are made the same way and ``settings`` record anew what read its files (``read_by``) or
    how its keyword tokens were made (``keywords``: the indexer has made them so first). A backend stamps it, then
    decides again under the writer lock."""
    if current == settings:
        return True
    if current is not None and current.same_vectors(settings):
        return None if settings.read_by is not None or settings.keywords != current.keywords else True
    return False if holds_documents else None


# ------------------------------------------------------------------------------------------------ the writer lock

WRITE_TIMEOUT = 60.0  # seconds a change waits for another handle's writer lock before StoreBusy


class LockedStore(Protocol):
    write_timeout: float

    def writer(self, timeout: float = ...) -> AbstractContextManager[None]: ...


P = ParamSpec("P")
R = TypeVar("R")
S = TypeVar("S", bound=LockedStore)


def under_writer_lock(method: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
    """A change that waits for, then holds, the store's writer lock (``write_timeout`` seconds at most, then
    StoreBusy); inside the handle's own ``writer()`` it re-enters it."""

    @functools.wraps(method)
    def locked(self: S, *args: P.args, **kwargs: P.kwargs) -> R:
        with self.writer(timeout=self.write_timeout):
            return method(self, *args, **kwargs)

    return locked


def busy(shown: str, timeout: float) -> StoreBusy:
    """The error of a writer lock not had within ``timeout`` seconds (``shown``: "the index in ...", "the store at ...")."""
    return StoreBusy(f"{shown} is busy: another process is writing (waited {timeout:g} s)")


# ------------------------------------------------------------------------------------------------ verify's lines


def problem_line(problem: str, document_id: str | None = None, passage_id: str | None = None, source: str = "") -> str:
    """One line of ``verify``: "passage P (document D): problem", "document D (source): problem" ("document D:
    problem" without a source), or the problem alone for one of the store as a whole."""
    problem = " ".join(problem.split())  # one line, always
    if passage_id is not None:
        return f"passage {passage_id} (document {document_id}): {problem}"
    if document_id is not None:
        return f"document {document_id}{f' ({source})' if source else ''}: {problem}"
    return problem


PROBLEM_DOCUMENT = re.compile(r"^(?:passage \S+ \(document (?P<of>[^)\s]+)\)|document (?P<id>\S+?))(?: \(.*?\))?: ")


def problem_document(line: str) -> str | None:
    """The document a ``problem_line`` is about, or None for a problem of the store as a whole."""
    found = PROBLEM_DOCUMENT.match(line)
    return None if found is None else found["of"] or found["id"]


# ------------------------------------------------------------------------------------------------ checks on read

REPAIR_HINT = "run 'qa index --verify' or '--repair'"


def damaged(shown: str, line: str) -> StoreDamaged:
    """The one error of a damaged store (``shown``: "the index in ...", "the store at ..."): what is damaged (a
    ``problem_line``) and how to mend it, on one line."""
    return StoreDamaged(f"{shown} is damaged ({' '.join(line.split())}); {REPAIR_HINT}")


def document_problem(document_id: str, text: str) -> str | None:
    """What is wrong with a stored document's text: its id is the content hash of it (see Document.id)."""
    from qa.documents.loading import document_id as content_hash

    return None if content_hash(text) == document_id else "its text does not match its content hash"


def passage_problem(start: int, end: int, text: str, document_length: int) -> str | None:
    """What is wrong with a stored passage's offsets: they must lie inside its document and span its text."""
    if not 0 <= start <= end <= document_length:
        return f"its offsets {start}-{end} lie outside its document ({document_length} characters)"
    if end - start != len(text):
        return f"its offsets {start}-{end} do not span its {len(text)} characters"
    return None


def vector_problem(vector: np.ndarray, dimension: int | None) -> str | None:
    """What is wrong with a stored vector: it must have the settings' dimension and be finite."""
    if dimension and vector.shape != (dimension,):
        return f"its vector has {vector.size} numbers, the settings say {dimension}"
    if not np.isfinite(vector).all():
        return "its vector is not finite"
    return None


def write_problem(passages: int, vectors: np.ndarray, dimension: int) -> str | None:
    """What is wrong with the vectors of a document to write: one finite vector of the settings' dimension a
    passage (checked before anything is written)."""
    shape = np.shape(vectors)
    if shape != (passages, dimension) and (passages or np.size(vectors)):  # no passages: any empty array will do
        shown = "×".join(str(size) for size in shape)
        return f"vectors of shape {shown} for {passages} passages of dimension {dimension}"
    if passages and not np.isfinite(vectors).all():
        return "its vectors are not all finite"
    return None


def write_error(document_id: str, problem: str) -> StoreError:
    """The error of a write refused by ``write_problem`` (nothing was written)."""
    return StoreError(problem_line(f"cannot be written: {problem}", document_id))


def no_settings(shown: str) -> StoreError:
    """The error of a write into a store that was never bound."""
    return StoreError(f"{shown} has no settings yet: bind it before writing")


# ------------------------------------------------------------------------------------------------ shared helpers


@contextmanager
def new_backup_file(path: str | Path) -> Iterator[Path]:
    """A temporary file beside ``path`` to write a backup into; once written it is synced and renamed to ``path``
    (the folder synced too), and removed when writing fails. An existing ``path`` is refused, never overwritten."""
    target = Path(path).expanduser()
    if target.exists():
        raise StoreError(f"{target} exists already: remove it or choose another backup file")
    if not target.parent.is_dir():
        raise StoreError(f"cannot write the backup {target}: its folder does not exist")
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        yield temporary
        with open(temporary, "rb") as handle:
            os.fsync(handle.fileno())
        temporary.replace(target)
        folder = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
    except OSError as error:
        raise StoreError(f"cannot write the backup {target}: {error.strerror or error}") from None
    finally:
        temporary.unlink(missing_ok=True)


def backup_file(path: str | Path) -> Path:
    """The existing backup file ``path`` (to restore from); StoreError when there is none."""
    source = Path(path).expanduser()
    if not source.is_file():
        raise StoreError(f"no backup file {source}")
    return source


def keyword_tokens(texts: list[str]) -> list[list[str]]:
    """Lower-cased, stop-word-free, Snowball-stemmed word tokens, the same for passages and questions."""
    import bm25s

    return bm25s.tokenize(texts, stopwords="en", stemmer=_stemmer(), return_ids=False, show_progress=False)


# How the keyword tokens of stored passages are made (``StoreSettings.keywords``): 1, of their words alone; 2, of their
# words and their file's name's (``passage_tokens``). A store stamped with a lower version has them made anew.
KEYWORDS = 2


def file_words(source: str) -> str:
    """The words of the name of the file ``source`` ("builder_quote_HS-Q-2291.txt" gives "builder quote HS Q 2291"):
    its suffix and folders left out, and a part of a file named after "#"."""
    name = source.split("#", 1)[0].replace("\\", "/").rsplit("/", 1)[-1]
    return re.sub(r"[\W_]+", " ", name.rsplit(".", 1)[0] if "." in name.strip(".") else name).strip()


def passage_tokens(sourced: list[tuple[str, str]]) -> list[list[str]]:
    """The keyword tokens of passages given as (source, text) pairs: each passage's words and its file's name's
    (``file_words``). People name their files for what they hold ("boiler_warranty.pdf", "tenancy_agreement.txt"),
    so every passage of a file is found by the words of its name too."""
    return keyword_tokens([f"{file_words(source)}\n{text}" for source, text in sourced]) if sourced else []


def written_tokens(items: list[DocumentWrite]) -> list[list[str]]:
    """The keyword tokens (``passage_tokens``) of every passage of ``items``, in order."""
    return passage_tokens([(item.document.source, p.text) for item in items for p in item.passages])


_stemmers = threading.local()


def _stemmer():
    """This thread's Snowball stemmer: PyStemmer's must not be called from two threads at once."""
    stemmer = getattr(_stemmers, "english", None)
    if stemmer is None:
        import Stemmer

        stemmer = _stemmers.english = Stemmer.Stemmer("english")
    return stemmer


def starts_problem(starts: list[int], text_length: int, what: str) -> str | None:
    """What is wrong with offsets into a document's text (``what`` names them): they must never decrease and stay
    within its text; or None."""
    if any(b < a for a, b in itertools.pairwise(starts)) or (starts and (starts[0] < 0 or starts[-1] > text_length)):
        return f"its {what} go backwards or past its text"
    return None


def page_starts_problem(page_starts: list[int] | None, text_length: int) -> str | None:
    """What is wrong with a document's page starts (they must begin at 0, never decrease and stay within its
    text), or None."""
    if page_starts is None:
        return None
    if not page_starts or page_starts[0] != 0:
        return "its page starts do not begin at 0"
    return starts_problem(page_starts, text_length, "page starts")


def sections_problem(sections: list[Section] | None, text_length: int) -> str | None:
    """What is wrong with a document's headings (their starts must never decrease and stay within its text), or
    None."""
    return None if sections is None else starts_problem([s.start for s in sections], text_length, "sections")


SECTION_LIST = TypeAdapter(list[Section])


def stored_sections(stored: object) -> list[Section] | None:
    """Sections as a store keeps them: JSON text, or the lists and dicts a jsonb column reads as (None: not
    recorded); ValueError when they are not sections."""
    if stored is None:
        return None
    if isinstance(stored, str | bytes):
        return SECTION_LIST.validate_json(stored)
    return SECTION_LIST.validate_python(stored)


def read_sections(shown: str, document_id: str, stored: object) -> list[Section] | None:
    """A document's sections as read (``stored_sections``); the store's StoreDamaged when they cannot be read."""
    try:
        return stored_sections(stored)
    except ValueError:
        raise damaged(shown, problem_line("its sections are unreadable", document_id)) from None


def layout_problems(page_starts: list[int] | None, sections: object, text_length: int) -> list[str]:
    """What is wrong with a stored document's page starts and its sections (as stored, see ``stored_sections``),
    one line each."""
    problems = [page_starts_problem(page_starts, text_length)]
    try:
        problems.append(sections_problem(stored_sections(sections), text_length))
    except ValueError:
        problems.append("its sections are unreadable")
    return [problem for problem in problems if problem is not None]


def batched(items: list, size: int = 900) -> Iterator[list]:
    """Consecutive slices of at most ``size`` items (900 keeps SQL parameter lists under the limits)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
