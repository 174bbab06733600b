"""The question-answering engine: keeps the index in step with a documents folder and answers questions with citations."""

from __future__ import annotations

import logging
import math
import os
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Self

from qa.config import (  # noqa: F401 - SAMPLE_DOCUMENTS_DIR: the sample's place
    FOLLOW_UP_READER_DIR,
    PACKAGE_DIR,
    SAMPLE_DOCUMENTS_DIR,
    ReaderKind,
    RetrievalMode,
    Settings,
)
from qa.documents import ocr
from qa.documents.loading import HIDDEN_FILE, DocumentError, folder_time, folder_times, load_document
from qa.embedding import Embedder
from qa.index import Indexer, UpdateReport, stored_changed
from qa.models import Answer, AskResult, Document, LoadFailure, Turn
from qa.questions.conversation import ResolvedQuestion, resolutions
from qa.questions.parts import asks_by_two_words, pointing_back, two_part_questions
from qa.questions.wording import phrase_asked, plain_question
from qa.reading.answers import best_given, distinct_answers, told_apart
from qa.reading.finder import AnswerFinder, Found
from qa.reading.joint import corroborated
from qa.reading.reader import Reader, SentenceReader, SpanReader
from qa.reading.remembering import RememberingReader
from qa.retrieval import EmbeddedAhead, Retriever
from qa.runtime import cache_dir
from qa.store.collections import (
    Catalog,
    CollectionInfo,
    CombinedStore,
    choose,
    collection_names,
    digest,
    find,
    names_line,
    open_catalog,
    writable_folder,
)
from qa.store.protocol import (
    DocumentStore,
    StoreBusy,
    StoredDocument,
    StoreError,
    StoreReadOnly,
    StoreUnavailable,
    location_setting,
)
from qa.validation import (
    AskOptions,
    ClosedError,
    CollectionError,
    FolderError,
    OptionError,
    RemovalError,
    ask_options,
    check_history,
    check_question,
    check_setting,
    counted,
    default_settings,
    environment_settings,
    settings_with,
    shown,
)

log = logging.getLogger(__name__)


class QA:
    """Answers questions from the documents in ``documents_dir``, with an index kept in a store.

    Creating it is cheap; models and the store open on ``warm_up()`` or on the first question. Safe to share
    between threads: questions read the store's last committed state while an update (in another thread or
    process) writes the next one, so a question never waits for indexing. ``close()`` (or a ``with`` block) lets go
    of the store's connections and the models' threads.
    """

    def __init__(
        self,
        documents_dir: str | Path | None = None,
        index_dir: str | Path | None = None,
        settings: Settings | None = None,
        embedder: Embedder | None = None,
        index_embedder: Embedder | None = None,
        **overrides,
    ):
        settings = settings or environment_settings()
        updates = {
            k: v
            for k, v in {"documents_dir": documents_dir, "index_dir": index_dir, **overrides}.items()
            if v is not None
        }
        self.settings = settings_with(settings, updates)
        self.embedder = embedder or Embedder(
            self.settings.embedding_model, runtime=self.settings.runtime, precision=self.settings.precision
        )
        self.failures: list[LoadFailure] = []
        self.notice: str | None = None  # set while the index is catching up with changed files
        self._store: DocumentStore | None = None
        self._collection: CollectionInfo | None = None
        self._parts: list[QA] = []  # the engines of several collections asked together
        self._given_texts = False  # documents come from index_documents, not from the folder
        self._read_only = False  # the store refused to be written: answers come from it as it is
        self._away: dict[str, tuple[int, float] | None] = {}  # files that left the index, by their state then
        self._kept = False  # a sync in the background found the folder missing or emptied: its documents were kept
        self._folder_times: dict[str, int] = {}  # the folder's and its subfolders' times when it was last synced
        self._retriever: Retriever | None = None
        self._index_embedder = index_embedder
        self._readers: dict[str, Reader] = {}
        self._owns = (embedder is None, index_embedder is None, True)  # what close() closes: the models made here
        self._open_lock = threading.Lock()
        self._update_lock = threading.RLock()
        self._background: threading.Thread | None = None
        self._closed = False

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exception: object) -> None:
        self.close()

    def close(self) -> None:
        """Let go of the store's connections and the threads of the models this engine made (an ``embedder`` or
        ``index_embedder`` passed in is the caller's to close), once an update running in the background has ended.
        Call it when no question is under way; calling it again does nothing, and asking after raises ClosedError."""
        with self._open_lock:
            if self._closed:
                return
            self._closed = True
            background = self._background
        if background is not None:
            background.join()  # (it commits as it goes; stopped here, it would only leave work for the next run)
        for part in self._parts:
            part.close()
        if self._store is not None and not self._parts:  # (several collections: their engines closed theirs)
            self._store.close()
        own_embedder, own_index_embedder, own_readers = self._owns
        if own_embedder:
            self.embedder.close()
        if own_index_embedder and self._index_embedder is not None:
            self._index_embedder.close()
        for reader in self._readers.values() if own_readers else ():
            reader.close()

    def _check_open(self) -> None:
        """Raise ClosedError once ``close()`` has been called."""
        if self._closed:
            raise ClosedError("This engine is closed; make a new QA to go on.")

    @property
    def documents_dir(self) -> Path:
        return Path(self.settings.documents_dir)

    @property
    def index_dir(self) -> Path:
        return Path(self.settings.index_dir)

    def warm_up(self) -> None:
        """Load the models (the follow-up reader too: a chat's first follow-up does not wait for it), bring the
        index up to date with the documents folder, and trace the PyTorch models' passes (``qa.runtime.traced``): an
        engine warmed up answers many questions (``qa ask`` alone, answering one, loads the models but traces
        nothing)."""
        self._check_open()
        self.embedder.warm_up()
        self.reader().warm_up()
        self.follow_up_reader().warm_up()
        self.retriever.warm_up()
        self.embedder.trace_passes()
        for reader in (self.reader(), self.follow_up_reader()):
            if isinstance(reader, SpanReader):
                reader.trace_passes()

    @property
    def store(self) -> DocumentStore:
        """The store of this engine's collection (see ``collection``), opened on first use."""
        with self._open_lock:
            if self._store is None:
                self._check_open()  # (a closed engine keeps its closed store; it opens no other)
            if self._store is None and len(names := collection_names(self.settings.collection)) > 1:
                self._parts = [self.for_collection(name) for name in names]
                self._store = CombinedStore([part.store for part in self._parts], names)
                self._collection = CollectionInfo(name=" + ".join(names), namespace="")
            if self._store is None:
                catalog = self.catalog()
                read_only = self.settings.store_read_only or getattr(catalog, "read_only", False)
                wanted = next(iter(collection_names(self.settings.collection)), None)
                folder = self._named_folder()
                info = choose(catalog, wanted, folder, not read_only, not self._given_texts)
                if folder is None and info.folder is not None:  # the folder it was indexed from
                    self.settings = self.settings.model_copy(update={"documents_dir": Path(info.folder)})
                self._store, self._collection = catalog.open(info, read_only), info
            return self._store

    @property
    def collection(self) -> CollectionInfo:
        """The collection this engine indexes and asks: the one named by ``collection``, else the documents folder's
        own (named by its resolved path), else the only one the store holds."""
        self.store  # noqa: B018 - opening the store chooses it
        assert self._collection is not None  # chosen with the store
        return self._collection

    def for_collection(self, name: str) -> QA:
        """An engine over another collection of the same store (which must hold it), sharing this one's models."""
        catalog = self.catalog()
        if find(catalog, name) is None:
            raise CollectionError(f"No collection is named {name!r}; there are: {names_line(catalog.collections())}.")
        fields = {**self.settings.model_dump(), "collection": name, "documents_dir": Path("documents")}
        settings = Settings.model_construct(
            self.settings.model_fields_set - {"documents_dir"} | {"collection"}, **fields
        )
        engine = QA(settings=settings, embedder=self.embedder, index_embedder=self._index_embedder)
        engine._readers = self._readers  # loaded once for both
        engine._owns = (*engine._owns[:2], False)  # the readers are this engine's to close
        return engine

    def refuse_several(self, action: str) -> None:
        """Raise CollectionError when this engine asks several collections together: documents go to one."""
        if len(collection_names(self.settings.collection)) > 1:
            raise CollectionError(
                f"Cannot {action}: the collections {self.collection.name} are asked together; choose one of them."
            )

    def catalog(self) -> Catalog:
        """The collections of this engine's store location."""
        s = self.settings
        in_folder = location_setting(s.store) == "index_dir"  # else the backend is located by store_url
        if not in_folder and not s.store_url:
            raise StoreUnavailable(f"the {s.store} store needs a database URL (QA_STORE_URL or --store-url)")
        location = str(self.index_dir) if in_folder else s.store_url
        read_only = s.store_read_only or (in_folder and not writable_folder(self.index_dir))
        return open_catalog(s.store, location, read_only)

    def collections(self) -> list[CollectionInfo]:
        """Every collection of this engine's store location, by name."""
        return self.catalog().collections()

    def _named_folder(self) -> Path | None:
        """The documents folder this engine mirrors: the one named (setting, argument or QA_DOCUMENTS_DIR), else
        ./documents when it exists and no collection is named; None otherwise (the collection names its folder)."""
        if "documents_dir" in self.settings.model_fields_set:
            return self.documents_dir
        return self.documents_dir if not self.settings.collection and self.documents_dir.is_dir() else None

    @property
    def retriever(self) -> Retriever:
        """The retriever; the first use brings the index up to date with the folder (or answers from what the
        store holds when it cannot be updated: read-only, or another process is indexing)."""
        if self._retriever is None:
            with self._update_lock:
                if self._retriever is None:
                    try:
                        report = self.refresh_index()
                    except (StoreReadOnly, StoreBusy) as error:
                        log.warning("answering from the index as it is: %s", error)
                        self.notice = str(error)
                        self._read_only = isinstance(error, StoreReadOnly)
                        self._check_embedder()
                    else:
                        if report.changed:  # an indexing run: what it skipped is said once, not at every start
                            for failure in report.failures:
                                log.warning("skipped %s: %s", failure.source, failure.reason)
                    self._retriever = Retriever(
                        self.store, self.embedder, self.settings.rrf_k, self.file_changed, not self._read_only
                    )
        return self._retriever

    @property
    def finder(self) -> AnswerFinder:
        """What reads a question in this collection, with the engine's settings as they are now: through the retriever
        (brought up to date on first use) and the store's size; for one ``ask`` (what it embeds ahead is its own)."""
        ahead = EmbeddedAhead(lambda questions: self.retriever.embedder.embed_together(questions))
        return AnswerFinder(
            lambda query, k, mode: self.retriever.search(query, k, mode, None if mode == "bm25" else ahead.take(query)),
            lambda: self.store.manifest().passage_count,
            self.settings.answer_slack,
            ahead.embed,
        )

    @property
    def read_only(self) -> bool:
        """Whether this engine answers from its store as it is, unable to index (read-only, or several collections)."""
        return self._read_only or bool(self._parts)

    def _check_embedder(self) -> None:
        """Raise StoreError when the store, which this engine cannot re-index, holds vectors of another model."""
        s = self.settings
        own = Indexer(self.store, self.embedder, s.chunk_tokens, s.chunk_overlap_sentences).store_settings()
        stored = self.store.manifest().settings
        if stored is not None and (stored.embedding_model, stored.dimension) != (own.embedding_model, own.dimension):
            raise StoreError(
                f"the index in {self.store.manifest().location} was built with the embedding model "
                f"{stored.embedding_model!r} ({stored.dimension} dimensions), not {own.embedding_model!r}, and "
                f"cannot be rebuilt here: ask it with --embedding-model {stored.embedding_model!r}"
            )

    def file_changed(self, document: StoredDocument) -> bool:
        """Whether a document read from this engine's folder no longer matches its file (documents indexed from
        elsewhere, for example by another machine into a shared database, are not checked; nor those of a folder
        gone, see ``_folder_gone``: they are read as indexed)."""
        inside = Path(os.path.abspath(document.source)).is_relative_to(self._folder)
        return inside and not self._folder_gone() and stored_changed(document)

    def _folder_gone(self) -> bool:
        """Whether this engine's folder is missing (unmounted, moved) or was found emptied by a sync in the
        background, which kept its documents (``refuse_wiping``): they are answered from as they were indexed."""
        if self._parts or self._given_texts:
            return False
        return self._kept or not self._folder.is_dir()

    def _watch(self, report: UpdateReport) -> None:
        """Remember the files of the folder that left the index or stayed out of it because they were gone or could
        not be read (an editor saving, a sync tool), as the sync saw them (``UpdateReport.seen_as``), so that they are
        read again once they come back: also when they came back while it ran."""
        sources = report.removed_sources + [f.source for f in report.failures]
        inside = [s for s in sources if Path(os.path.abspath(s)).is_relative_to(self._folder)]
        seen = report.seen_as
        self._away = {s: seen.get(os.path.abspath(s), file_state(s)) for s in inside[:MAX_WATCHED]}

    def _came_back(self) -> bool:
        """Whether a file that left the index (see ``_watch``) has appeared or changed since."""
        return any(file_state(source) != state for source, state in self._away.items())

    def _times_now(self) -> dict[str, int]:
        """The times of the folder and its subfolders (``folder_times``; its first MAX_WATCHED), but the index's."""
        if not self._folder.is_dir():
            return {}
        times = folder_times(self._folder, self.settings.follow_links, leave_out=self.index_dir)
        return dict(list(times.items())[:MAX_WATCHED])

    def _files_moved(self) -> bool:
        """Whether a file was added, removed or renamed in the folder or a subfolder since it was last synced (a
        file dropped into the folder of a running chat is indexed by itself)."""
        return any(folder_time(folder) != time for folder, time in self._folder_times.items())

    @property
    def _folder(self) -> Path:
        return Path(os.path.abspath(self.documents_dir))

    def reader(self, kind: ReaderKind | None = None) -> Reader:
        """The reader of ``kind`` (default: the settings' reader), loaded once; an unknown kind raises OptionError."""
        kind = self.settings.reader if kind is None else check_setting("reader", kind)
        with self._open_lock:
            if kind not in self._readers:
                s = self.settings
                if kind == "sentence":
                    self._readers[kind] = SentenceReader(self.embedder, s.sentence_threshold)
                else:
                    self._readers[kind] = self._span_reader(s.reader_model)
            return self._readers[kind]

    def follow_up_reader(self, kind: ReaderKind | None = None) -> Reader:
        """The reader of follow-up questions: for the trained reader, the follow-up reader (``follow_up_reader_model``,
        trained on follow-ups read with their history: ``qa.training.follow_ups``) when there is one; else ``reader(kind)``."""
        main = self.reader(kind)
        name = self.settings.follow_up_reader_model
        if not isinstance(main, SpanReader) or name == "none" or (not name and not FOLLOW_UP_READER_DIR.is_dir()):
            return main
        with self._open_lock:
            if "follow-up" not in self._readers:
                self._readers["follow-up"] = self._span_reader(name or str(FOLLOW_UP_READER_DIR))
            return self._readers["follow-up"]

    def _span_reader(self, model: str) -> SpanReader:
        s = self.settings
        return SpanReader(
            model,
            s.reader_max_length,
            s.reader_stride,
            s.max_question_tokens,
            s.max_answer_tokens,
            s.answer_threshold,
            runtime=s.runtime,
            precision=s.precision,
            workers=s.reader_workers,
        )

    @property
    def index_embedder(self) -> Embedder:
        """A second copy of the embedding model for indexing, so that questions never queue behind it."""
        with self._open_lock:
            if self._index_embedder is None:
                self._index_embedder = self.embedder.twin(spinning=True)  # bulk: runs follow each other
            return self._index_embedder

    def indexer(self) -> Indexer:
        s = self.settings
        return Indexer(
            self.store,
            self.index_embedder,
            s.chunk_tokens,
            s.chunk_overlap_sentences,
            checkpoints=self.checkpoints_dir,
            max_document_passages=s.max_document_passages,
            scans=self.scans,
        )

    @property
    def scans(self) -> ocr.Reading:
        """How scanned pages are read: in the languages of the settings, the text of each kept in the cache folder
        (``QA_CACHE_DIR``'s ``ocr``), so that a scan is OCR'd once."""
        return ocr.Reading(self.settings.ocr_languages, cache_dir() / "ocr")

    @property
    def checkpoints_dir(self) -> Path:
        """Where the vectors of a long document of this collection are kept while it is embedded."""
        return self.index_dir / "checkpoints" / digest(self.collection.name)

    def refresh_index(
        self, progress: bool = True, timeout: float = 60.0, prune: bool = False, reread: bool = False
    ) -> UpdateReport:
        """Sync the collection with its documents folder: embed new and changed files, drop the documents whose files
        were deleted. A folder that is missing or empty while the collection holds documents raises FolderError
        unless ``prune``; ``reread`` reads every file again, embedding those whose text changed (see
        ``Indexer.sync_folder``).

        Each batch is committed as it is embedded: an interrupted run keeps them and the next one goes on.
        """
        self._check_open()
        self.store  # noqa: B018 - opening it chooses the collection, or several (their engines in _parts)
        if self._parts:  # each catches up with its own folder
            return joined_reports([part.refresh_index(progress, timeout, prune, reread) for part in self._parts])
        with self._update_lock:
            times = self._times_now()  # before the scan: what changes while it runs is caught up with after it
            report = self.indexer().sync_folder(
                self.documents_dir,
                self.settings.max_document_bytes,
                progress,
                timeout,
                self.settings.follow_links,
                prune,
                reread,
            )
            self._watch(report)
            self.failures = report.failures
            if report.changed or report.embedded_passages:
                manifest = self.store.manifest()
                log.info(
                    "index updated: %d documents, %d passages (%d added, %d removed, %d unchanged) in %.1f s",
                    manifest.document_count,
                    manifest.passage_count,
                    len(report.added),
                    len(report.removed),
                    len(report.reused),
                    report.seconds,
                )
            self.notice = None
            self._kept = False
            self._folder_times = times
            return report

    def index_documents(self, documents: list[Document], progress: bool = True) -> UpdateReport:
        """Make the store hold exactly ``documents`` (loaded elsewhere, not files: an evaluation corpus) and answer
        from them."""
        self._check_open()
        with self._update_lock:
            self._given_texts = True
            report = self.indexer().sync_documents(documents, progress)
            self._retriever = Retriever(self.store, self.embedder, self.settings.rrf_k)
            return report

    def verify(self) -> list[str]:
        """Problems of the index, one line each: what the store finds damaged, or else, its rows whole, the documents
        whose stored vectors are not what the embedding model makes of their passages (a sample embedded again)."""
        self._check_open()
        problems = self.store.verify()
        if problems:
            return problems  # (their vectors are compared once ``repair`` has mended the rows)
        return [
            f"document {m.document.id} ({m.document.source}): {m.wrong} of {m.sampled} sampled vectors do not match "
            "the embedding model; 'qa index --repair' re-embeds it"
            for m in self.indexer().mismatched()
        ]

    def repair(self) -> list[str]:
        """Mend what ``verify`` finds: the store rebuilds what is damaged, then the documents whose vectors do not
        match the embedding model are dropped, for the next sync of the folder to embed again; one line per step."""
        self._check_open()
        with self._update_lock:
            done = self.store.repair()
            mismatched = [m.document.id for m in self.indexer().mismatched()]
            if mismatched:
                self.store.delete(mismatched)
                done.append(
                    f"dropped {counted(len(mismatched), 'document')} whose vectors do not match the embedding model; "
                    "indexing the folder embeds them again"
                )
            return done

    def refresh_in_background(self) -> bool:
        """Start bringing the index up to date in a background thread; False when one is already running (or the
        engine is closed)."""
        with self._open_lock:
            if self._closed or (self._background is not None and self._background.is_alive()):
                return False
            self._background = threading.Thread(target=self._refresh_quietly, name="qa-refresh", daemon=True)
            self._background.start()
            return True

    def _refresh_quietly(self) -> None:
        try:
            self.refresh_index(progress=False)
        except ClosedError:
            pass  # closed before it began
        except FolderError as error:  # missing or emptied while its collection holds documents: they are kept
            if not self._kept:
                log.warning("%s; answering from its documents as they were indexed", error)
            self._kept = True
        except (StoreError, OSError, OptionError) as error:  # OptionError: an OCR language uninstalled since
            log.warning("could not bring the index up to date: %s", error)

    def documents(self) -> list[StoredDocument]:
        """The indexed documents (id, title, source, passage count), ordered by source."""
        self._check_open()
        self.retriever  # noqa: B018 - the first use syncs the folder
        return self.store.documents()

    def add_documents(self, paths: list[str | Path]) -> tuple[UpdateReport, list[LoadFailure]]:
        """Copy readable files into the documents folder and index them; unreadable and hidden ones are reported,
        not copied, and so is a copied file that indexing skips (the same text as another). A file already in the
        folder is indexed where it is, not copied; one the user removed earlier is indexed again when it is added
        again."""
        self._check_open()
        failures, copied = [], []
        self.refuse_several("add documents")
        refuse_package(self.documents_dir, "add documents")
        with self._update_lock:
            self.documents_dir.mkdir(parents=True, exist_ok=True)
            for path in map(Path, paths):
                try:
                    if path.name.startswith("."):  # the folder scan would skip it
                        raise DocumentError(HIDDEN_FILE)
                    load_document(path, self.settings.max_document_bytes, self.scans)
                except (DocumentError, OSError) as error:
                    failures.append(LoadFailure(source=path.name, reason=str(error)))
                    continue
                target = self.in_folder(path)
                if target is None:
                    target = self.documents_dir / path.name
                    number = 1
                    while target.exists() and target.read_bytes() != path.read_bytes():
                        target = self.documents_dir / f"{path.stem}-{number}{path.suffix}"
                        number += 1
                    shutil.copyfile(path, target)
                copied.append(str(target))
            if copied:
                self.store.ignore(copied, ignored=False)
            report = self.refresh_index(progress=False)
        failures += [
            LoadFailure(source=Path(f.source).name, reason=f.reason) for f in report.failures if f.source in copied
        ]
        return report, failures

    def in_folder(self, path: str | Path) -> Path | None:
        """``path`` as the documents folder's scan names it (the folder's path joined with the file's place in it),
        when it is a file of that folder (also through links above it); None when it is not."""
        for inside, folder in (
            (Path(os.path.abspath(path)), self._folder),
            (Path(path).resolve(), self._folder.resolve()),
        ):
            if inside.is_relative_to(folder) and inside != folder:
                return self.documents_dir / inside.relative_to(folder)
        return None

    def remove_document(self, document_id: str, delete_file: bool = False) -> UpdateReport:
        """Forget a document: it leaves the index and stays out of it (across restarts) until it is added again.
        Its file stays in the folder unless ``delete_file``."""
        self._check_open()
        self.refuse_several("remove documents")
        with self._update_lock:
            found = self.store.documents([document_id]) if isinstance(document_id, str) else []
            if not found:
                raise RemovalError(f"No document has the id {shown(document_id)}.")
            source = found[0].source
            if delete_file:
                refuse_package(Path(source), "delete its file")
                path = Path(source).resolve()
                if self.documents_dir.resolve() not in path.parents:
                    raise RemovalError(f"{path} is outside the documents folder; remove it there yourself.")
                path.unlink(missing_ok=True)
            else:
                self.store.ignore([source])
            self.store.delete([document_id])
            return UpdateReport(removed=[document_id])

    def ask(
        self,
        question: str,
        history=None,
        top_k: int | None = None,
        mode: RetrievalMode | None = None,
        reader: ReaderKind | None = None,
        threshold: float | None = None,
        min_confidence: float | None = None,
    ) -> AskResult:
        """Answer from the documents: an exact span with citations, or None with the reason.

        A calibrated reader answers when its confidence (the estimated probability that the answer is right)
        reaches ``min_confidence`` (default: the settings'); a reader without calibration when its score reaches
        ``threshold``.

        ``history``: earlier turns (Turn objects, {"question", "answer"} dicts or pairs). Every argument is checked
        (``qa.validation``): a bad one raises ``qa.QAError`` with a one-line message.
        """
        self._check_open()
        timings: dict[str, float] = {}
        began = time.perf_counter()
        question = check_question(question, self.settings.max_question_chars)
        turns = check_history(history, self.settings.max_question_chars)
        options = ask_options(self.settings, top_k, mode, reader, threshold, min_confidence)
        readings, chosen = self._readings(question, turns, options)
        chosen_reader = RememberingReader(chosen)  # hops, chains and parts may ask a reading again
        timings["resolve"] = (time.perf_counter() - began) * 1000
        finder = self.finder
        resolved, (retrieval, answers) = most_confident_reading(
            readings, lambda r: finder.find(r.question, r.retrieval_query, options, chosen_reader, timings)
        )
        files_moved = self._catch_up(retrieval.changed_documents)
        result = AskResult(
            question=question,
            resolved_question=question if resolved.with_history else resolved.question,
            history_turns_read=min(len(turns), chosen_reader.history_turns) if resolved.with_history else 0,
            answer=None,
            score=None,
            passages=retrieval.passages,
            alternatives=answers,
            notice=self._changed_notice(retrieval.changed_documents, files_moved) or self.notice,
        )
        self._give_best_answer(result, answers, chosen_reader, options)
        if not resolved.with_history:  # a two-part question is answered part by part
            parts = two_part_questions(resolved.question)
            named, given = self._read_parts(parts, question, answers, options, chosen_reader, timings)
            answer_in_parts(result, named, given, asks_by_two_words(resolved.question))
        timings["total"] = (time.perf_counter() - began) * 1000
        result.timings_ms = {k: round(v, 2) for k, v in timings.items()}
        return result

    def _read_parts(
        self,
        parts: list[str],
        question: str,
        whole: list[Answer],
        options: AskOptions,
        reader: Reader,
        timings: dict[str, float],
    ) -> tuple[list[str], list[Answer | None]]:
        """The parts as read, and each part's best answer given (None where the documents do not say;
        ``parts_given``, with the answers of the whole question read at once, ``whole``), retrieved with the whole
        question. A later part whose "it" points back to what the first asks about ("How much is the rent, and what
        day is it due?") is also read with that thing put in ("What day is the rent due?", ``pointing_back``), the
        reading the reader is surest of kept; the part is named so."""
        found, named = [], []
        for number, part in enumerate(parts):
            put_in = pointing_back(parts[0], part) if number else None
            readings = [part, put_in] if put_in else [part]
            named.append(put_in or part)
            _, (_, answers) = most_confident_reading(
                [ResolvedQuestion(reading, f"{reading} {question}", False) for reading in readings],
                lambda r: self.finder.find(r.question, r.retrieval_query, options, reader, timings),
            )
            found.append(answers)
        return named, parts_given(found, whole, reader, options)

    def _readings(self, question: str, turns: list[Turn], options: AskOptions) -> tuple[list[ResolvedQuestion], Reader]:
        """The readings of ``question`` (``resolutions``: a follow-up read with its history, or rewritten by it), as a
        person means it ("Can you tell me who heads X?" is read as "Who heads X?", "deposit for the flat?" as "What is
        the deposit for the flat?"), and the reader that reads them: the follow-up reader for a follow-up."""
        chosen = self.reader(options.reader)
        follow_up = self.follow_up_reader(options.reader) if turns else chosen
        asked = plain_question(question)
        asked = asked if turns else phrase_asked(asked)
        readings = resolutions(asked, turns, self.settings.follow_up_readings, follow_up.history_turns)
        return readings, follow_up if len(readings) > 1 or readings[0].rewritten else chosen

    def _catch_up(self, changed: list[StoredDocument]) -> bool:
        """Read again, in the background, documents that changed on disk since they were indexed (or came back),
        the folder while it is gone (until it is back), and files added, removed or renamed in it: whether those
        last were (the folder's files moved)."""
        files_moved = not self._read_only and self._files_moved()
        moved = changed or self._came_back() or self._folder_gone() or files_moved
        if moved and not self._read_only and self.refresh_in_background():
            log.info("%d documents changed on disk; updating the index", len(changed))
        return files_moved

    def _changed_notice(self, changed: list[StoredDocument], files_moved: bool) -> str | None:
        """The notice for an answer read while ``changed`` documents are out of date on disk, while the folder is
        gone, or while files added, removed or renamed in it (``files_moved``) are read; None when none is so. The
        folder is named, not where it is (a visitor of the web chat sees it)."""
        if self._folder_gone():
            how = "missing" if not self._folder.is_dir() else "empty"
            return f"The folder {self._folder.name} is {how}; its documents are kept, and answers come from them as indexed."
        if files_moved and not changed:
            return f"Catching up: files were added, removed or renamed in the folder {self._folder.name}; they are being read."
        if not changed:
            return None
        names = ", ".join(Path(d.source).name for d in changed[:3])
        if self._read_only:
            return (
                f"{names} changed since it was indexed; this index is read-only, so answers come from the indexed "
                "version."
            )
        return f"Catching up: {names} changed since it was indexed and is being read again."

    def _give_best_answer(self, result: AskResult, answers: list[Answer], reader: Reader, options: AskOptions) -> None:
        """Put the best of ``answers`` into ``result`` when it is confident enough, else the reason there is none."""
        if not result.passages and not self.store.manifest().document_count:
            result.no_answer_reason = (
                "Nothing is indexed yet (the collection holds no document): add documents to its folder and ask again."
            )
        elif not result.passages:
            result.no_answer_reason = "Nothing in the documents matches the question."
        elif best_given(answers, reader, options) is None:
            result.no_answer_reason = "The documents do not say. No passage holds a confident answer."
        else:
            best = answers[0]
            result.answer, result.score, result.citations = best.text, best.score, best.citations
            result.supporting = best.supporting
            result.confidence = best.confidence
            result.alternatives = answers[1:]


MAX_WATCHED = 1000  # files that left the index watched for their return; more are read again at the next sync


def file_state(source: str) -> tuple[int, float] | None:
    """A file's size and modification time, or None when it cannot be seen."""
    try:
        stat = os.stat(source)
    except OSError:
        return None
    return stat.st_size, stat.st_mtime


def joined_reports(reports: list[UpdateReport]) -> UpdateReport:
    """One report of several collections' indexing runs."""
    joined = UpdateReport(seconds=sum(r.seconds for r in reports), rebuilt=any(r.rebuilt for r in reports))
    for report in reports:
        joined.added += report.added
        joined.removed += report.removed
        joined.reused += report.reused
        joined.removed_sources += report.removed_sources
        joined.seen_as.update(report.seen_as)
        joined.failures += report.failures
        joined.embedded_passages += report.embedded_passages
    return joined


def refuse_package(path: Path, action: str) -> None:
    """Raise FolderError when ``path`` lies inside the installed package (the sample article): it is never written."""
    if Path(path).resolve().is_relative_to(PACKAGE_DIR):
        raise FolderError(
            f"Cannot {action}: the sample article is part of the installed package and is never changed; "
            "use a documents folder of your own (--documents DIR, QA_DOCUMENTS_DIR)."
        )


def parts_given(
    found: list[list[Answer]], whole: list[Answer], reader: Reader, options: AskOptions
) -> list[Answer | None]:
    """The best of each part's answers (``found``) when it is given, or when the whole question read at once gave it
    too (``given_by_whole``) and no other part's answer is the same ("Who heads the Security Office and who is the
    CFO?" read whole answers the first part; the second part's best, under the bar, is that same name), or it comes
    from a document another part's answer comes from (``given_beside``); else None. Parts that read one answer best
    are given their own answers when they have them (``told_apart``)."""
    given = [best_given(answers, reader, options) for answers in found]
    if None not in given and not distinct_answers([answer for answer in given if answer is not None]):
        return list(told_apart(found, reader, options) or given)  # parts read the same answer best: told apart
    for number, answers in enumerate(found):
        if given[number] is not None:
            continue
        rescued = given_by_whole(answers, whole, reader, options) or given_beside(answers, given, options)
        if rescued is not None and distinct_answers([rescued, *(answer for answer in given if answer is not None)]):
            given[number] = rescued
    return given


def given_beside(answers: list[Answer], given: list[Answer | None], options: AskOptions) -> Answer | None:
    """The best of a part's ``answers``, not given alone, when it reaches half the bar (``min_confidence``) and
    comes from a document another part's ``given`` answer comes from: the two parts ask of one thing ("When does the
    service agreement run out, and how much does it cost a year?": its end date at 14%, beside its cost)."""
    best = answers[0] if answers else None
    if best is None or best.confidence is None or best.confidence < options.min_confidence / 2:
        return None
    documents = {c.document_id for answer in given if answer is not None for c in answer.citations}
    return best if documents & {c.document_id for c in best.citations} else None


def given_by_whole(answers: list[Answer], whole: list[Answer], reader: Reader, options: AskOptions) -> Answer | None:
    """The best of a part's ``answers``, not given alone, given when the whole question read at once gave the same
    answer (the best of ``whole``): either reading may be right (``corroborated``). "Who was re-elected chair at the
    AGM, and who was re-elected secretary?" read whole gives "Rosa Kim", its second part alone the same at 17%."""
    if not answers or answers[0].confidence is None or best_given(whole, reader, options) is None:
        return None
    confidence = corroborated(answers[0].confidence, answers[0], whole)
    return answers[0].model_copy(update={"confidence": confidence}) if confidence > answers[0].confidence else None


def most_confident_reading(
    readings: list[ResolvedQuestion], read: Callable[[ResolvedQuestion], Found]
) -> tuple[ResolvedQuestion, Found]:
    """The reading of a question (see ``resolutions``) whose best answer the reader is most confident in (by score
    for a reader without calibration; the earlier reading on a tie), with what ``read`` found for it."""
    chosen: tuple[float, ResolvedQuestion, Found] | None = None
    for reading in readings:
        found = read(reading)
        best = found[1][0] if found[1] else None
        rank = -math.inf if best is None else best.score if best.confidence is None else best.confidence
        if chosen is None or rank > chosen[0]:
            chosen = (rank, reading, found)
    if chosen is None:
        raise ValueError("a question has at least one reading")
    return chosen[1], chosen[2]


def answer_in_parts(
    result: AskResult, questions: list[str], given: list[Answer | None], by_two_words: bool = False
) -> None:
    """Make ``result`` the answers of a two-part question's parts (``given``: each part's answer, None where the
    documents do not say) when each part has its own answer, or when some have and the question asks by two question
    words (``by_two_words``: its split cannot misfire) or the question read whole has none or one of theirs (a split
    that misfired keeps the whole question's answer); the parts without an answer are named in ``unanswered_parts``
    and the notice."""
    answers = [answer for answer in given if answer is not None]
    if len(questions) < 2 or not answers or not distinct_answers(answers):
        return
    if len(answers) < len(questions) and not by_two_words and result.answer not in (None, *(a.text for a in answers)):
        return
    result.parts = answers
    result.answer = "; ".join(part.text for part in answers)
    result.score = min(part.score for part in answers)
    confidences = [part.confidence for part in answers]
    result.confidence = None if None in confidences else min(c for c in confidences if c is not None)
    result.citations = [citation for part in answers for citation in part.citations]
    result.alternatives = [a for a in result.alternatives if a.text not in {p.text for p in answers}]
    result.no_answer_reason = None
    result.unanswered_parts = [q for q, answer in zip(questions, given, strict=True) if answer is None]
    if result.unanswered_parts:
        missing = " ".join(result.unanswered_parts)
        result.notice = " ".join(filter(None, [f"The documents do not say: {missing}", result.notice]))


_default_engine: QA | None = None
_default_lock = threading.Lock()


def default_engine() -> QA:
    """The engine ``ask()`` uses: ./documents and ./index, or the packaged sample article when ./documents is absent."""
    global _default_engine
    with _default_lock:
        if _default_engine is None:
            _default_engine = QA(settings=default_settings())
        return _default_engine


def ask(question: str, history=None, **options) -> AskResult:
    """Answer a question from the default documents (see ``default_engine``)."""
    return default_engine().ask(question, history=history, **options)
