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
from qa.documents.loading import HIDDEN_FILE, DocumentError, load_document
from qa.embedding import Embedder
from qa.index import Indexer, UpdateReport, stored_changed
from qa.models import Answer, AskResult, Document, LoadFailure, RetrievedPassage
from qa.questions.conversation import HISTORY_SEPARATOR, ResolvedQuestion, resolutions
from qa.questions.parts import two_part_questions
from qa.questions.wording import phrase_asked, plain_question
from qa.reading.answers import answered, best_passage, citation_at, distinct_answers, rated, widened
from qa.reading.bridges import (
    BridgeQuestion,
    bridge_question,
    can_name,
    described_elsewhere,
    names_the_person,
    person_role,
)
from qa.reading.hops import (
    MAX_BRIDGES,
    Hop,
    bridges,
    gives,
    hop_from,
    overlaps,
    read_hop,
    trimmed,
)
from qa.reading.joint import (
    HOP_BELOW,
    HOP_CANDIDATES,
    brought_in,
    chain_leads,
    completed,
    completions,
    corroborated,
    further_citations,
    looks_further,
    supported,
)
from qa.reading.reader import Reader, ReaderSpan, SentenceReader, SpanReader, merge_spans
from qa.reading.stages import read_in_stages, stop_rule
from qa.retrieval import Retrieval, Retriever
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
        """Load the models (the follow-up reader too: a chat's first follow-up does not wait for it) and bring the
        index up to date with the documents folder."""
        self._check_open()
        self.embedder.warm_up()
        self.reader().warm_up()
        self.follow_up_reader().warm_up()
        self.retriever.warm_up()

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
        elsewhere, for example by another machine into a shared database, are not checked)."""
        return Path(os.path.abspath(document.source)).is_relative_to(self._folder) and stored_changed(document)

    def _watch(self, report: UpdateReport) -> None:
        """Remember the files of the folder that left the index or stayed out of it because they were gone or could
        not be read (an editor saving, a sync tool), so that they are read again once they come back."""
        sources = report.removed_sources + [f.source for f in report.failures]
        inside = [s for s in sources if Path(os.path.abspath(s)).is_relative_to(self._folder)]
        self._away = {source: file_state(source) for source in inside[:MAX_WATCHED]}

    def _came_back(self) -> bool:
        """Whether a file that left the index (see ``_watch``) has appeared or changed since."""
        return any(file_state(source) != state for source, state in self._away.items())

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
        )

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
        except (StoreError, OSError) as error:
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
                    load_document(path, self.settings.max_document_bytes)
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
        chosen_reader = self.reader(options.reader)
        follow_up_reader = self.follow_up_reader(options.reader) if turns else chosen_reader
        asked = plain_question(question)  # "Can you tell me who heads X?" is read as "Who heads X?"
        asked = asked if turns else phrase_asked(asked)  # "deposit for the flat?": "What is the deposit for the flat?"
        readings = resolutions(asked, turns, self.settings.follow_up_readings, follow_up_reader.history_turns)
        if len(readings) > 1 or readings[0].rewritten:  # a follow-up: the follow-up reader reads each reading
            chosen_reader = follow_up_reader
        timings["resolve"] = (time.perf_counter() - began) * 1000
        resolved, (retrieval, answers) = most_confident_reading(
            readings, lambda r: self._read(r.question, r.retrieval_query, options, chosen_reader, timings)
        )
        passages = retrieval.passages
        if (retrieval.changed_documents or self._came_back()) and not self._read_only and self.refresh_in_background():
            log.info("%d documents changed on disk; updating the index", len(retrieval.changed_documents))
        result = AskResult(
            question=question,
            resolved_question=question if resolved.with_history else resolved.question,
            history_turns_read=min(len(turns), chosen_reader.history_turns) if resolved.with_history else 0,
            answer=None,
            score=None,
            passages=passages,
            alternatives=answers,
        )
        notice = self._changed_notice(retrieval.changed_documents) or self.notice
        if notice:
            result.notice = notice
        self._give_best_answer(result, answers, chosen_reader, options)
        questions = [] if resolved.with_history else two_part_questions(resolved.question)
        found = [self._read(part, f"{part} {question}", options, chosen_reader, timings)[1] for part in questions]
        given = [answers[0] if answers and answered(answers[0], chosen_reader, options) else None for answers in found]
        answer_in_parts(result, questions, given)
        timings["total"] = (time.perf_counter() - began) * 1000
        result.timings_ms = {k: round(v, 2) for k, v in timings.items()}
        return result

    def _changed_notice(self, changed: list[StoredDocument]) -> str | None:
        """The notice for an answer read while ``changed`` documents are out of date on disk; None when none is."""
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
        elif not answers or not answered(answers[0], reader, options):
            result.no_answer_reason = "The documents do not say. No passage holds a confident answer."
        else:
            best = answers[0]
            result.answer, result.score, result.citations = best.text, best.score, best.citations
            result.supporting = best.supporting
            result.confidence = best.confidence
            result.alternatives = answers[1:]

    def _read(
        self, question: str, query: str, options: AskOptions, reader: Reader, timings: dict[str, float]
    ) -> tuple[Retrieval, list[Answer]]:
        """Retrieve passages for ``query`` and read ``question`` in them (``_read_passages``): the candidate answers,
        best first, each with its confidence (the stages' times are added to ``timings``)."""
        tick = time.perf_counter()
        retrieval = self.retriever.search(query, options.top_k, options.mode)
        timings["retrieve"] = timings.get("retrieve", 0.0) + (time.perf_counter() - tick) * 1000
        tick = time.perf_counter()
        answers = self._read_passages(question, retrieval, reader, options)
        answers = self._person_named(question, answers, retrieval, reader, options)
        if options.answerability and reader.answerability is not None:  # open mode: retrieval's evidence weighs in
            size = self.store.manifest().passage_count
            answers = reader.answerability.rated(question, answers, retrieval.passages, size)
        answers = widened(answers, retrieval.passages, self.settings.answer_slack)
        completed(question, answers[:1], retrieval.passages)
        timings["read"] = timings.get("read", 0.0) + (time.perf_counter() - tick) * 1000
        return retrieval, answers

    def _read_passages(self, question: str, retrieval: Retrieval, reader: Reader, options: AskOptions) -> list[Answer]:
        """``question`` read in ``retrieval``'s passages: the first alone; then, when the question describes what it
        asks about by a clause and that passage's answers would send the reader on, the chain through the described
        thing's name (``_chained``, ``early``: it leads only for what its passages hold, not for being surer than
        answers read in one passage, which the others might make sure); when that does not lead, the other passages
        in stages and, when none alone answers, across documents (``_read_jointly``). Each question of a chain is
        read once."""
        rule = stop_rule(options, reader)
        read_once = remembered(lambda query: self._read_once(query, options, reader))
        first = None if rule.never_stops else read_in_stages(reader, question, retrieval.passages[:1], rule)
        asked = question.split(HISTORY_SEPARATOR)[0]  # a follow-up read with its history: the question's own words
        clause = bridge_question(asked) if first and options.joint_reading else None
        if first and clause is not None:
            answers = self._answers(retrieval, first, reader)
            if looks_further(asked, answers, retrieval.passages[:1], reader, options):
                led = self._chained(question, answers, retrieval, reader, options, read_once, clause, early=True)
                if led is not None:
                    return led
        spans = read_in_stages(reader, question, retrieval.passages, rule, first)
        return self._read_jointly(question, spans, retrieval, reader, options, read_once)

    def _read_jointly(
        self,
        question: str,
        spans: list[ReaderSpan],
        retrieval: Retrieval,
        reader: Reader,
        options: AskOptions,
        read_once: Callable[[str], Found],
    ) -> list[Answer]:
        """The answers of ``spans`` read in ``retrieval``'s passages, and when none alone answers (``looks_further``),
        of the passages read across documents: the chain through the name of what the question describes by a
        clause, first; when it does not lead, second hops, completing sentences and the chain again (of what the
        question describes in words the best passage lacks, too)."""
        answers = self._answers(retrieval, spans, reader)
        asked = question.split(HISTORY_SEPARATOR)[0]  # a follow-up read with its history: the question's own words
        if not options.joint_reading or not looks_further(asked, answers, retrieval.passages, reader, options):
            return answers
        clause = bridge_question(asked)
        led = self._chained(question, answers, retrieval, reader, options, read_once, clause)
        if led is not None:
            return led
        # the best passage may name what leads to the answer in another document, or leave out what another says
        hops = self._hops(question, answers, retrieval, reader, options) + completions(
            question, answers, retrieval, reader
        )
        spans = merge_spans(spans + [span for _, found in hops for span in found])
        answers = self._answers(retrieval, spans, reader)
        supported(answers, hops, retrieval.passages)
        # the question may ask about something it describes (by a relative clause or in words its passage lacks)
        cut = clause or described_elsewhere(asked, best_passage(answers, retrieval.passages))
        return self._chained(question, answers, retrieval, reader, options, read_once, cut) or answers

    def _hops(
        self, question: str, answers: list[Answer], retrieval: Retrieval, reader: Reader, options: AskOptions
    ) -> list[tuple[Hop, list[ReaderSpan]]]:
        """Second hops from the best answer's passage (else the best passage): for each name it gives that the
        question does not (the best answers first), the best passage of another document naming it (retrieved with
        the question and the name, added to ``retrieval``), read together with the first (``read_hop``)."""
        if not retrieval.passages:
            return []
        found_in = {p.passage.id: p.passage for p in retrieval.passages}
        first = found_in.get(answers[0].citations[0].passage_id) if answers else None
        first = first or retrieval.passages[0].passage
        hops = []
        for bridge in bridges(question, [a.text for a in answers[:MAX_BRIDGES]], first.text):
            k = max(options.top_k, HOP_CANDIDATES)
            found = self.retriever.search(f"{question} {bridge}", k, options.mode).passages
            second = next(
                (p for p in found if p.passage.document_id != first.document_id and p.passage.text.find(bridge) >= 0),
                None,
            )
            hop = hop_from(first, second.passage, bridge) if second is not None else None
            if second is None or hop is None:
                continue
            if all(p.passage.id != second.passage.id for p in retrieval.passages):
                retrieval.passages.append(second)
            hops.append((hop, read_hop(reader, question, hop)))
        return hops

    def _person_named(
        self, question: str, answers: list[Answer], retrieval: Retrieval, reader: Reader, options: AskOptions
    ) -> list[Answer]:
        """``answers`` led by the person whom another passage names for the role the best answer gives to a question
        that asks who ("Who chairs the board?" answered "Finance Director", then "Who is the Finance Director?" read
        where a passage gives a name beside that role: "Owen Brady (Finance Director)"), at the product of both
        readings' confidences and citing the role's passage too; ``answers`` as they are when there is no such name."""
        asked = question.split(HISTORY_SEPARATOR)[0]
        role = person_role(asked, answers[0].text) if answers and options.joint_reading else None
        if role is None:
            return answers
        found, named = self._read_once(f"Who is the {role}?", options, reader)
        person = next(
            (a for a in named[:MAX_BRIDGES] if names_the_person(a.text, role, best_passage([a], found.passages))), None
        )
        if person is None or trimmed(person.text) in {trimmed(a.text) for a in answers[:1]}:
            return answers
        best = person.model_copy(deep=True)
        best.confidence = (person.confidence or 0.0) * (answers[0].confidence or 0.0)
        if not answered(best, reader, options):
            return answers
        best.supporting = further_citations(best, answers[0].citations[:1])
        brought_in(retrieval, found.passages, {c.passage_id for c in best.citations})
        return [best, *(a for a in answers if a.text != best.text)]

    def _answers(self, retrieval: Retrieval, spans: list[ReaderSpan], reader: Reader) -> list[Answer]:
        """The spans read in ``retrieval``'s passages as answers (``group_answers``), each rated, best first."""
        return rated(self.group_answers(retrieval.passages, spans), reader)

    def _read_once(self, query: str, options: AskOptions, reader: Reader) -> Found:
        """Retrieve passages for ``query`` and read it in them, in stages: the candidate answers, best first."""
        retrieval = self.retriever.search(query, options.top_k, options.mode)
        spans = read_in_stages(reader, query, retrieval.passages, stop_rule(options, reader))
        return retrieval, self._answers(retrieval, spans, reader)

    def _chained(
        self,
        question: str,
        answers: list[Answer],
        retrieval: Retrieval,
        reader: Reader,
        options: AskOptions,
        read_once: Callable[[str], Found],
        cut: BridgeQuestion | None,
        early: bool = False,
    ) -> list[Answer] | None:
        """``answers`` led by the answer of a chain when the question describes what it asks about (``cut``: by a
        relative clause, ``bridge_question``, or in words the best passage lacks, ``described_elsewhere``): the
        described thing is named by one reading ("What is the name of the man who founded Varrowdale?", read by
        ``read_once``), the question asked of that name by another ("Who was the wife of Edmund Carrow?"). The
        chain's answer, at the product of both confidences (``corroborated`` when the direct best is the same), leads
        when it is given, is not the name itself, and the best answer is the name (what the question describes, not
        what it asks) or ``chain_leads``; None when it does not lead."""
        if cut is None:
            return None
        naming, named = read_once(cut.described)
        if not named:
            return None
        bridge = named[0]
        if cut.named and (not can_name(cut, bridge.text) or trimmed(bridge.text).casefold() in question.casefold()):
            return None  # what a name's founder or wife is named is another name, not one the question gives
        found, chained = read_once(cut.about(bridge.text))
        # the best answer gives what the question describes (surely named), not what it asks
        names_it = bool(answers) and answered(bridge, reader, options) and gives(answers[0].text, bridge.text)
        if not chained or overlaps(chained[0].text, bridge.text):
            return None
        best = chained[0].model_copy(deep=True)  # a reading remembered may be judged again, after hops
        best.confidence = corroborated((best.confidence or 0.0) * (bridge.confidence or 0.0), best, answers)
        # a thing named by what it is to a name is often what the question asks itself: its chain must be surer
        names_it = names_it and (not cut.named or (best.confidence or 0.0) >= HOP_BELOW)
        others = answers if cut.named else [a for a in answers if not overlaps(a.text, bridge.text)]
        leads = names_it or chain_leads(cut, best, found, others, retrieval, bridge, early)
        if not answered(best, reader, options) or not leads:
            return None
        best.supporting = further_citations(best, bridge.citations[:1])
        named_in = {c.passage_id for c in [*best.citations, *best.supporting]}
        brought_in(retrieval, naming.passages + found.passages, named_in)  # where the name and the answer were read
        return [best, *(a for a in answers if a.text != best.text)]

    @staticmethod
    def group_answers(passages: list[RetrievedPassage], spans: list[ReaderSpan]) -> list[Answer]:
        """Spans with the same text become one answer citing every place (each quote equals it); answers best first."""
        found = {p.passage.id: p for p in passages}
        grouped: dict[str, Answer] = {}
        for span in spans:
            citation = citation_at(found[span.passage_id], span.start, span.end)
            if span.text in grouped:
                grouped[span.text].citations.append(citation)
            else:
                grouped[span.text] = Answer(text=span.text, score=span.score, citations=[citation])
        return sorted(grouped.values(), key=lambda a: -a.score)


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


Found = tuple[Retrieval, list[Answer]]  # the passages retrieved for a question and its answers, best first


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


def remembered(read: Callable[[str], Found]) -> Callable[[str], Found]:
    """``read`` that reads each query once (the chain of one question may be asked twice, before and after hops, and
    first after the first passage: ``QA._read_passages``)."""
    found: dict[str, Found] = {}

    def read_once(query: str) -> Found:
        if query not in found:
            found[query] = read(query)
        return found[query]

    return read_once


def answer_in_parts(result: AskResult, questions: list[str], given: list[Answer | None]) -> None:
    """Make ``result`` the answers of a two-part question's parts (``given``: each part's answer, None where the
    documents do not say) when each part has its own answer, or when some have and the question read whole has none
    or one of theirs (a split that misfired keeps the whole question's answer); the parts without an answer are named
    in ``unanswered_parts`` and the notice."""
    answers = [answer for answer in given if answer is not None]
    if len(questions) < 2 or not answers or not distinct_answers(answers):
        return
    if len(answers) < len(questions) and result.answer not in (None, *(a.text for a in answers)):
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
