"""The ``qa`` command: index a folder, ask questions, evaluate, train the reader, serve the chat."""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import logging
import os
import sys
import textwrap
import time
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from qa.config import Settings
    from qa.models import AskResult, Citation
    from qa.store.protocol import DocumentStore

CLI_STARTED = time.perf_counter()  # this module's first line: what came before is Python starting

DATA_DIR = Path("../shared/data")
DEFAULT_TRAIN_FILES = [
    DATA_DIR / "squad-v1.1-train.json.gz",
    DATA_DIR / "tydiqa-goldp-en-train.json.gz",
    DATA_DIR / "qed-nq-train.json.gz",
]


def number(text: str) -> int | float | str:
    """A flag's value as the number it spells (so that messages show it as the API's would), else the text."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def add_engine_options(parser: argparse.ArgumentParser) -> None:
    """Flags that override the settings (each also readable from a QA_* environment variable). Their values are
    checked by ``settings_from`` against the settings' bounds, as the environment's and the API's are."""
    from qa.store.protocol import BACKENDS

    backends = "{" + ",".join(sorted(BACKENDS)) + "}"
    group = parser.add_argument_group("engine settings (also QA_* environment variables)")
    group.add_argument(
        "--documents", dest="documents_dir", help="documents folder (QA_DOCUMENTS_DIR; default documents/)"
    )
    group.add_argument(
        "--index", dest="index_dir", help="index folder of the local store (QA_INDEX_DIR; default index/)"
    )
    group.add_argument(
        "--collection",
        action="append",
        metavar="NAME",
        help="collection of the store to use (QA_COLLECTION; default: the documents folder's own, or the only one); "
        "given several times, they are asked together",
    )
    group.add_argument("--store", metavar=backends, help="where the index is kept (QA_STORE; default local)")
    group.add_argument("--store-url", help="libpq URI of the database for --store postgres (QA_STORE_URL)")
    group.add_argument("--top-k", type=number, metavar="N", help="passages the reader reads, 1 to 100 (QA_TOP_K)")
    group.add_argument("--retrieval", dest="retrieval_mode", metavar="{hybrid,dense,bm25}", help="QA_RETRIEVAL_MODE")
    group.add_argument(
        "--reader", metavar="{trained,sentence}", help="trained span reader or sentence baseline (QA_READER)"
    )
    group.add_argument("--runtime", metavar="{auto,torch,onnx}", help="the models' runtime (QA_RUNTIME; default auto)")
    group.add_argument(
        "--precision", metavar="{auto,fp32,bf16,int8}", help="the models' precision (QA_PRECISION; default auto)"
    )
    group.add_argument("--reader-model", help="AutoModelForQuestionAnswering name or path (QA_READER_MODEL)")
    group.add_argument("--embedding-model", help="sentence-transformers name or path (QA_EMBEDDING_MODEL)")
    group.add_argument(
        "--threshold",
        dest="answer_threshold",
        type=number,
        metavar="SCORE",
        help="answer threshold (QA_ANSWER_THRESHOLD)",
    )
    group.add_argument(
        "--min-confidence",
        dest="min_confidence",
        help="answer only when the estimated probability of being right reaches this, 0 to 1 (QA_MIN_CONFIDENCE)",
    )
    group.add_argument(
        "--follow-links",
        action="store_true",
        default=None,
        help="index files reached through links that leave the folder (QA_FOLLOW_LINKS)",
    )


ENGINE_SETTINGS = (
    "documents_dir",
    "index_dir",
    "store",
    "store_url",
    "collection",
    "top_k",
    "retrieval_mode",
    "reader",
    "reader_model",
    "runtime",
    "precision",
    "embedding_model",
    "answer_threshold",
    "min_confidence",
    "follow_links",
)


def settings_from(args: argparse.Namespace) -> Settings:
    """The settings (environment and defaults) with the engine flags given on the command line."""
    from qa.validation import default_settings, environment_settings, settings_with

    flags = {n: getattr(args, n) for n in ENGINE_SETTINGS if getattr(args, n, None) is not None}
    return default_settings(settings_with(environment_settings(), flags))


def engine_from(args: argparse.Namespace):
    """The engine the command's flags ask for; ``main`` closes it when the command returns."""
    from qa.pipeline import QA

    engine = QA(settings=settings_from(args))
    args.engines.append(engine)
    return engine


def command_index(args: argparse.Namespace) -> int:
    from qa.validation import counted

    if args.folder:
        args.documents_dir = args.folder
    engine = engine_from(args)
    store = engine.store
    if args.backup or args.restore:
        return command_backup_or_restore(args, store)
    if args.verify or args.repair:
        problems = engine.verify()
        for problem in problems:
            print(f"damaged: {problem}", file=sys.stderr)
        if not problems:
            print(f"{store.manifest().location}: no damage found")
            return 0
        if not args.repair:
            print(f"{counted(len(problems), 'problem')}; 'qa index --repair' rebuilds what is damaged", file=sys.stderr)
            return 1
        for line in engine.repair():
            print(f"repaired: {line}")
    engine_log = logging.getLogger("qa.pipeline")
    level = engine_log.level
    if not args.verbose:  # its "index updated" line would repeat the summary printed below
        engine_log.setLevel(logging.WARNING)
    try:
        report = engine.refresh_index(progress=True, timeout=args.wait, prune=args.prune, reread=args.reread)
    finally:
        engine_log.setLevel(level)
    manifest = store.manifest()
    print(
        f"{engine.documents_dir}: {counted(manifest.document_count, 'document')}, "
        f"{counted(manifest.passage_count, 'passage')} in {manifest.location} ({len(report.added)} added, "
        f"{len(report.removed)} removed, {len(report.reused)} unchanged; "
        f"{counted(report.embedded_passages, 'passage')} embedded in {report.seconds:.1f} s)"
    )
    for source in report.removed_sources:
        print(f"removed {source}: its file was deleted or can no longer be read")
    for failure in engine.failures:
        print(f"skipped {failure.source}: {failure.reason}", file=sys.stderr)
    return 0


def command_backup_or_restore(args: argparse.Namespace, store: DocumentStore) -> int:
    """``qa index --backup FILE``: copy the store into the new file FILE; ``--restore FILE``: replace its contents."""
    location = store.manifest().location
    if args.backup:
        store.backup(args.backup)
        print(f"backed up {location} to {args.backup}")
        return 0
    from qa.validation import counted

    store.restore(args.restore)
    manifest = store.manifest()
    print(
        f"restored {args.restore} into {location}: {counted(manifest.document_count, 'document')}, "
        f"{counted(manifest.passage_count, 'passage')}; 'qa index' embeds what changed since the backup"
    )
    return 0


def shown_source(source: str, folder: Path) -> str:
    """A document's file as the documents commands show it: relative to the documents folder when it is in it."""
    path = os.path.abspath(source)
    inside = Path(path).is_relative_to(os.path.abspath(folder))
    return os.path.relpath(path, os.path.abspath(folder)) if inside else source


def command_add(args: argparse.Namespace) -> int:
    """Copy each file into the documents folder (a file already in it stays where it is) and index it; one line per
    file: added, already indexed, or skipped with the reason (then the exit status is 1)."""
    from qa.documents.loading import DocumentError, load_document
    from qa.pipeline import refuse_package
    from qa.validation import FolderError, counted

    engine = engine_from(args)
    engine.refuse_several("add documents")
    refuse_package(engine.documents_dir, "add documents")
    try:
        engine.store  # noqa: B018 - opening it chooses the collection, and with it the folder
    except FolderError:
        pass  # a folder named but not made yet: adding the first file makes it
    skipped = 0
    for name in args.files:
        path = Path(name)
        copied = engine.in_folder(path) is None
        folder = engine.documents_dir
        there = set(os.listdir(folder)) if folder.is_dir() else set()
        report, failures = engine.add_documents([path])  # (the first one also catches up with the folder)
        if failures and failures[0].reason.startswith("same text as "):
            if copied and failures[0].source not in there:  # the copy made here is not kept
                (folder / failures[0].source).unlink(missing_ok=True)
            print(f"already indexed: {name} has the {failures[0].reason}")
            continue
        if failures:
            print(f"skipped {name}: {failures[0].reason}", file=sys.stderr)
            skipped += 1
            continue
        try:
            document_id = load_document(path, engine.settings.max_document_bytes, engine.scans).id
        except (DocumentError, OSError) as error:  # changed or gone since: said as a skip
            print(f"skipped {name}: {error}", file=sys.stderr)
            skipped += 1
            continue
        found = engine.store.documents([document_id])
        if not found:
            print(f"skipped {name}: not indexed (it changed while it was added)", file=sys.stderr)
            skipped += 1
            continue
        document = found[0]
        where = shown_source(document.source, folder)
        if document_id in report.added:
            print(f"added {where}: “{document.title}” ({counted(document.passage_count, 'passage')})")
        else:
            print(f"already indexed {where}: “{document.title}”")
    return 1 if skipped else 0


def command_remove(args: argparse.Namespace) -> int:
    """Remove a document, named by its id or by its file, from the index (its file too with --delete-file)."""
    from qa.validation import RemovalError

    engine = engine_from(args)
    engine.refuse_several("remove documents")
    wanted = args.document
    documents = engine.store.documents()
    document = next((d for d in documents if d.id == wanted), None)
    if document is None:  # a path: relative to here, or absolute
        paths = {os.path.abspath(wanted), os.path.realpath(wanted)}
        document = next(
            (d for d in documents if os.path.abspath(d.source) in paths or os.path.realpath(d.source) in paths), None
        )
    if document is None:
        if {os.path.abspath(s) for s in engine.store.ignored()} & {os.path.abspath(wanted)}:
            raise RemovalError(f"{wanted} was removed from the index already (qa add {wanted} to index it again).")
        raise RemovalError(f"No indexed document has the id or file {wanted!r}.")
    engine.remove_document(document.id, delete_file=args.delete_file)
    folder = engine.documents_dir
    where = shown_source(document.source, folder)
    if args.delete_file:
        print(f"removed {where} (“{document.title}”) from the index and deleted its file")
    else:
        again = os.path.relpath(document.source) if os.path.isabs(document.source) else document.source
        print(
            f"removed {where} (“{document.title}”) from the index; its file stays in {folder} and stays out of the "
            f"index (qa add {again} to index it again)"
        )
    return 0


def command_list(args: argparse.Namespace) -> int:
    """One line per document of the collection, once it has caught up with its folder (as ``qa ask`` does): id,
    title, file (relative to the documents folder), passages and status (indexed, changed since indexed, removed by
    you, or skipped with the reason); then a summary line."""
    from qa.store.protocol import StoreBusy, StoreReadOnly
    from qa.validation import counted

    engine = engine_from(args)
    engine.refuse_several("list documents")
    try:
        engine.refresh_index(progress=True, timeout=args.wait)
    except (StoreReadOnly, StoreBusy) as error:  # listed as it is
        print(f"note: {error}; the list is the index as it is", file=sys.stderr)
    folder = engine.documents_dir
    documents = engine.store.documents()
    ignored = {s for s in engine.store.ignored() if os.path.isfile(s)}
    rows = [
        (
            d.id,
            short(d.title),
            shown_source(d.source, folder),
            str(d.passage_count),
            "changed since indexed" if engine.file_changed(d) else "indexed",
        )
        for d in documents
    ]
    rows += [("-", "-", shown_source(source, folder), "-", "removed by you") for source in ignored]
    skipped = [f for f in engine.failures if f.source not in ignored]
    rows += [("-", "-", shown_source(f.source, folder), "-", f"skipped: {f.reason}") for f in skipped]
    rows.sort(key=lambda row: row[2])
    table = [("ID", "TITLE", "FILE", "PASSAGES", "STATUS"), *rows]
    widths = [max(len(row[column]) for row in table) for column in range(4)]
    for row in table:
        print("  ".join([*(cell.ljust(width) for cell, width in zip(row, widths, strict=False)), row[4]]).rstrip())
    passages = sum(d.passage_count for d in documents)
    print(
        f"{folder}: {counted(len(documents), 'document')} indexed ({counted(passages, 'passage')}), "
        f"{len(ignored)} removed by you, {len(skipped)} skipped"
    )
    return 0


LISTED_TITLE_CHARS = 50


def short(title: str) -> str:
    """A title as ``qa list`` shows it: one line, cut at a word to LISTED_TITLE_CHARS."""
    from qa.documents.loading import short_title

    return short_title(" ".join(title.split()), LISTED_TITLE_CHARS)


def command_collections(args: argparse.Namespace) -> int:
    """List the collections of the store (name, documents, passages, folder), or drop one."""
    from qa.validation import counted

    engine = engine_from(args)
    catalog = engine.catalog()
    if args.drop:
        if not catalog.drop(args.drop):
            print(f"error: no collection is named {args.drop!r}", file=sys.stderr)
            return 2
        print(f"dropped the collection {args.drop!r} and its documents (their files stay)")
        return 0
    listed = catalog.collections()
    if not listed:
        print(f"no collections in {catalog.shown}")
    for info in listed:
        store = catalog.open(info, read_only=True)
        try:
            manifest = store.manifest()
        finally:
            store.close()
        folder = f"  from {info.folder}" if info.folder and info.folder != info.name else ""
        documents, passages = counted(manifest.document_count, "document"), counted(manifest.passage_count, "passage")
        print(f"{info.name}: {documents}, {passages}{folder}")
    return 0


def command_cache(args: argparse.Namespace) -> int:
    """Say what the cache folder holds (models exported to ONNX, the text read from scanned pages), or clear it."""
    from qa.cached import clear, contents, described
    from qa.runtime import cache_dir

    folder = cache_dir()
    if args.clear:
        removed = clear(folder, args.clear)
        print(f"removed {' and '.join(described(kind, held) for kind, held in removed.items())} from {folder}")
        return 0
    held = contents(folder)
    print(f"{folder} holds")
    print(f"  {described('models', held['models'])}: exported again at the next start when removed")
    print(f"  {described('ocr', held['ocr'])}: read by OCR again when removed")
    print("qa cache --clear removes both (--clear models or --clear ocr: one of them); nothing indexed is lost")
    return 0


# What a local answer needs imported: the engine, and the libraries its models run on (most of a cold start).
ENGINE_MODULES = ("qa.pipeline", "torch", "transformers.modeling_utils", "transformers.models.auto.tokenization_auto")


def python_start_ms() -> float:
    """Milliseconds from this process's start to this module's first line (Linux; 0 where that cannot be read)."""
    try:
        with open("/proc/self/stat", encoding="ascii") as stat:
            started_ticks = int(stat.read().rsplit(")", 1)[1].split()[19])
        age = time.clock_gettime(time.CLOCK_BOOTTIME) - started_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return 0.0
    return max(0.0, (age - (time.perf_counter() - CLI_STARTED)) * 1000)


class Startup:
    """The parts of a command's start, timed one after another: in a process of its own from the process's start
    (Python starting, then this module's first line on), else from now."""

    def __init__(self, own_process: bool = False) -> None:
        self.parts: dict[str, float] = {}
        self.mark = CLI_STARTED if own_process else time.perf_counter()
        python = python_start_ms() if own_process else 0.0
        if python:
            self.parts["python"] = python

    def lap(self, part: str) -> None:
        now = time.perf_counter()
        self.parts[part] = self.parts.get(part, 0.0) + (now - self.mark) * 1000
        self.mark = now


def import_engine() -> None:
    """Import what a local answer needs, so that the start-up line tells importing from loading."""
    for name in ENGINE_MODULES:
        importlib.import_module(name)


def ask_locally(settings: Settings, question: str, startup: Startup, own_process: bool = False) -> AskResult:
    """Answer with an engine of this process: import, load the models, open the index (each timed), then ask.

    In a process of its own (``qa ask``), the garbage collector stays off meanwhile: a cold start makes millions of
    objects that live until the process ends, and collecting among them took a quarter of the imports' time. They
    are then frozen, so that no later collection goes through them again (the first one would take most of a
    second)."""
    if own_process:
        gc.disable()
    try:
        import_engine()
        from qa.pipeline import QA

        startup.lap("imports")
        engine = QA(settings=settings)
        engine.embedder.warm_up()
        startup.lap("embedder")
        engine.reader().warm_up()
        startup.lap("reader")
        engine.retriever  # noqa: B018 - opens the store and brings the index up to date with the folder
        startup.lap("index")
    finally:
        if own_process:
            gc.freeze()
            gc.enable()
    return engine.ask(question)


class ServerAnswer(NamedTuple):
    """A running server's answer, its address and how long the question took there and back."""

    result: AskResult
    url: str
    request_ms: float


def sign_in_pair() -> tuple[str, str] | None:
    """The first USER:PASSWORD of QA_AUTH (what ``qa serve`` reads too), to sign in to a server that asks for it."""
    if not os.environ.get("QA_AUTH"):
        return None
    from qa.app.web import parse_auth
    from qa.validation import QAError

    try:
        return parse_auth(os.environ["QA_AUTH"])[0]
    except (QAError, OSError) as error:
        logging.getLogger(__name__).info("QA_AUTH gives no sign-in: %s", error)
        return None


def ask_server(settings: Settings, question: str, startup: Startup) -> ServerAnswer | None:
    """The answer of a running ``qa serve`` of the same documents, store and settings; None when there is none or
    it does not answer (the reason is logged; the time spent trying is the start-up's "server" part)."""
    from qa.app.remote import Client, RemoteError, local_sources, running_server
    from qa.models import AskResult

    credentials = sign_in_pair()
    record = running_server(settings, credentials)
    if record is None:
        return None
    startup.lap("imports")
    client = Client(record.url, credentials if record.auth else None)
    options = {
        "top_k": settings.top_k,
        "mode": settings.retrieval_mode,
        "reader": settings.reader,
        "min_confidence": settings.min_confidence,
    }
    try:
        if record.auth:
            client.sign_in()
            startup.lap("sign-in")
        began = time.perf_counter()
        answer = client.ask(question, options)
        result = AskResult.model_validate(local_sources(answer, settings.documents_dir))
    except (RemoteError, ValueError) as error:
        logging.getLogger(__name__).info("answering here: %s", error)
        startup.lap("server")
        return None
    return ServerAnswer(result, record.url, (time.perf_counter() - began) * 1000)


def cited_from(citation: Citation) -> str:
    """Where a citation's quote is, as ``qa ask`` prints it: "from 'Title' (file, § 3.2 Methods, p. 4), passage ...,
    characters a-b" (the section and page when the file has them)."""
    section = f", § {citation.section}" if citation.section else ""
    page = f", p. {citation.page}" if citation.page else ""
    return (
        f"from {citation.title!r} ({citation.source}{section}{page}), passage {citation.passage_id}, "
        f"characters {citation.start}-{citation.end}"
    )


def command_ask(args: argparse.Namespace) -> int:
    from qa.app.shown import shown_alternatives
    from qa.reading.calibration import shown_confidence
    from qa.validation import check_question

    startup = Startup(args.own_process)
    settings = settings_from(args)
    question = check_question(" ".join(args.question), settings.max_question_chars)
    asked = None if args.local else ask_server(settings, question, startup)
    result = asked.result if asked else ask_locally(settings, question, startup, args.own_process)
    if args.json:
        shown = {**result.model_dump(mode="json"), "startup_ms": {k: round(v, 1) for k, v in startup.parts.items()}}
        if asked:
            shown["server"] = asked.url
        print(json.dumps(shown, indent=2, ensure_ascii=False))
        return 0
    if result.answer is None:
        print(f"No answer. {result.no_answer_reason}")
        for passage in result.passages[:3]:
            print(f"\n  closest: {passage.title} [{passage.passage.start}:{passage.passage.end}]")
            print(textwrap.indent(textwrap.fill(passage.passage.text, 100), "    "))
    else:
        print(f"Answer: {result.answer}    ({shown_confidence(result.confidence, result.score or 0.0)})")
        for citation in result.citations:
            print(f"\n  {cited_from(citation)}")
            text = citation.passage_text
            left, right = citation.start - citation.passage_start, citation.end - citation.passage_start
            print(textwrap.indent(textwrap.fill(f"{text[:left]}[[{text[left:right]}]]{text[right:]}", 100), "    "))
        for alternative in shown_alternatives(result)[:3]:  # as the chat shows them (qa.app.shown)
            print(
                f"\n  alternative: {alternative.text}    ({shown_confidence(alternative.confidence, alternative.score)})"
            )
    if result.notice:
        print(f"\nnote: {result.notice}")
    print(f"\n({timing_line(startup.parts, result.timings_ms, asked)})")
    return 0


def timing_line(startup: dict[str, float], stages: dict[str, float], asked: ServerAnswer | None = None) -> str:
    """The start-up's parts, then the stages of the answer (the server's, when one was asked), as in
    ``start 5400 ms: imports 3100, embedder 900...; resolve 0 ms, retrieve 20 ms...``."""
    parts = ", ".join(f"{k} {v:.0f}" for k, v in startup.items())
    where = f"; asked the running server at {asked.url} in {asked.request_ms:.0f} ms: " if asked else "; "
    return f"start {sum(startup.values()):.0f} ms: {parts}{where}" + ", ".join(
        f"{k} {v:.0f} ms" for k, v in stages.items()
    )


def command_eval(args: argparse.Namespace) -> int:
    from qa.evaluation import cli as evaluation

    evaluation.run(args)
    return 0


def command_train_reader(args: argparse.Namespace) -> int:
    from qa.training.fine_tune import default_config, train_reader

    files = [str(f) for f in (args.train_files or DEFAULT_TRAIN_FILES)]
    config = default_config(
        files,
        args.output_dir,
        base_model=args.base_model,
        epochs=args.epochs,
        max_minutes=args.max_minutes,
        learning_rate=args.learning_rate,
        batch_size=args.batch_size,
        seed=args.seed,
        frozen_layers=args.frozen_layers,
        max_questions_per_file=args.max_questions_per_file,
        bf16=not args.no_bf16,
        negative_fraction=args.negative_fraction,
        hard_negative_fraction=args.hard_negative_fraction,
        near_miss_fraction=args.near_miss_fraction,
        device=args.device,
    )
    model_dir = train_reader(config, resume=args.resume)
    print(f"reader written to {model_dir}")
    if args.dev_file:
        dev = [
            "eval",
            "--data",
            args.dev_file,
            "--mode",
            "closed",
            "--reader-model",
            str(model_dir),
            "--limit",
            str(args.dev_limit),
            "--sweep-threshold",
        ]
        return command_eval(build_parser().parse_args(dev))
    return 0


def command_average_readers(args: argparse.Namespace) -> int:
    from qa.training.fine_tune import average_readers

    print(average_readers([Path(f) for f in args.readers], Path(args.output_dir), args.weights))
    return 0


def command_serve(args: argparse.Namespace) -> int:
    from qa.app.web import parse_auth, serve

    auth = parse_auth(args.auth) if args.auth else None
    serve(
        host=args.host,
        port=args.port,
        settings=settings_from(args),
        concurrency=args.concurrency,
        open_browser=args.open,
        auth=auth,
    )
    return 0


def command_postgres(args: argparse.Namespace) -> int:
    from qa.store.postgres.server import promote_embedded, start_embedded, stop_embedded
    from qa.validation import OptionError

    if args.replica_of is not None and args.action != "start":
        raise OptionError("--replica-of goes with qa postgres start")
    if args.action == "stop":
        stopped = stop_embedded(args.data)
        print(
            f"stopped the PostgreSQL server of {args.data}"
            if stopped
            else f"the PostgreSQL server of {args.data} was not running"
        )
        return 0
    if args.action == "promote":
        uri = promote_embedded(args.data)
        print(uri if args.quiet else f"the replica of {args.data} is a primary now: index into it at\n  {uri}")
        return 0
    if args.replica_of is not None:
        return start_replica_command(args)
    uri = start_embedded(args.data)
    print(
        uri
        if args.quiet
        else f"PostgreSQL with pgvector is running on {args.data}; use it with\n"
        f"  qa index --store postgres --store-url '{uri}'\nor QA_STORE=postgres QA_STORE_URL='{uri}'"
    )
    return 0


def start_replica_command(args: argparse.Namespace) -> int:
    """``qa postgres start --replica-of URI``: start (made first when new) a streaming replica; print its URI."""
    from qa.store.postgres.server import start_replica
    from qa.store.postgres.store import masked_location

    uri = start_replica(args.data, args.replica_of)
    print(
        uri
        if args.quiet
        else f"a read-only replica of {masked_location(args.replica_of)} is running on {args.data}; answer from it "
        f"with\n  QA_STORE=postgres QA_STORE_URL='{uri}' QA_STORE_READ_ONLY=1 qa serve\n"
        f"and promote it when the primary is lost: qa postgres promote --data {args.data}"
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qa",
        description="Ask questions of your own documents; answers are exact spans copied from them, with citations.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    commands = parser.add_subparsers(dest="command", required=True)

    index = commands.add_parser("index", help="build or update the index of a documents folder")
    index.add_argument("folder", nargs="?", help="documents folder (default: settings' documents_dir)")
    index.add_argument("--verify", action="store_true", help="check every stored file and row; report damage")
    index.add_argument("--repair", action="store_true", help="rebuild what is damaged, then update the index")
    copies = index.add_mutually_exclusive_group()
    copies.add_argument("--backup", metavar="FILE", help="copy the index into the new file FILE (while it is in use)")
    copies.add_argument("--restore", metavar="FILE", help="replace the index with the backup in FILE")
    index.add_argument(
        "--prune",
        action="store_true",
        help="let a missing or empty folder remove every document of its collection (refused without it)",
    )
    index.add_argument(
        "--reread",
        action="store_true",
        help="read every file again, as after an upgrade of qa that reads a format better; only files whose text "
        "changed are embedded again",
    )
    index.add_argument(
        "--wait",
        type=float,
        default=60.0,
        help="seconds to wait while another process is indexing the same store (default 60)",
    )
    add_engine_options(index)
    index.set_defaults(run=command_index)

    add = commands.add_parser("add", help="copy files into the documents folder and index them")
    add.add_argument("files", nargs="+", metavar="FILE", help="files to add (one already in the folder stays there)")
    add_engine_options(add)
    add.set_defaults(run=command_add)

    remove = commands.add_parser("remove", help="remove a document from the index (its file stays)")
    remove.add_argument("document", metavar="ID|PATH", help="the document's id (qa list) or the path of its file")
    remove.add_argument("--delete-file", action="store_true", help="also delete its file from the documents folder")
    add_engine_options(remove)
    remove.set_defaults(run=command_remove)

    listing = commands.add_parser("list", help="list the documents of the collection and the files not indexed")
    listing.add_argument(
        "--wait", type=float, default=60.0, help="seconds to wait while another process is indexing (default 60)"
    )
    add_engine_options(listing)
    listing.set_defaults(run=command_list)

    collections = commands.add_parser("collections", help="list the collections of the store, or drop one")
    collections.add_argument("--drop", metavar="NAME", help="remove this collection and its documents (files stay)")
    add_engine_options(collections)
    collections.set_defaults(run=command_collections)

    cache = commands.add_parser(
        "cache", help="say what the cache folder holds (exported models, text read from scans), or clear it"
    )
    cache.add_argument(
        "--clear",
        nargs="?",
        const="all",
        choices=["all", "models", "ocr"],
        help="remove it all (or only the exported models, or only the scans' text); nothing indexed is lost",
    )
    cache.set_defaults(run=command_cache)

    ask = commands.add_parser("ask", help="answer a question from the indexed documents")
    ask.add_argument("question", nargs="+")
    ask.add_argument("--json", action="store_true", help="print the whole result as JSON")
    ask.add_argument(
        "--local",
        action="store_true",
        help="answer in this process even when a 'qa serve' of the same documents is running",
    )
    add_engine_options(ask)
    ask.set_defaults(run=command_ask)

    evaluate = commands.add_parser("eval", help="measure answers and retrieval on a question set")
    from qa.evaluation import cli as evaluation

    evaluation.add_arguments(evaluate)
    evaluate.set_defaults(run=command_eval)

    train = commands.add_parser("train-reader", help="fine-tune the extractive span reader")
    train.add_argument(
        "train_files", nargs="*", help=f"SQuAD-format files (default: {', '.join(map(str, DEFAULT_TRAIN_FILES))})"
    )
    train.add_argument("--output-dir", default="runs/reader", help="checkpoints, log and the exported model/")
    train.add_argument("--base-model", default="", help="encoder to start from (default: packaged all-MiniLM-L6-v2)")
    train.add_argument("--epochs", type=float, default=2.0)
    train.add_argument("--max-minutes", type=float, default=0.0, help="time budget; the schedule ends with it")
    train.add_argument("--learning-rate", type=float, default=1e-4)
    train.add_argument("--batch-size", type=int, default=32)
    train.add_argument("--seed", type=int, default=13)
    train.add_argument("--frozen-layers", type=int, default=0, help="lowest encoder layers kept frozen")
    train.add_argument("--max-questions-per-file", type=int, default=0)
    train.add_argument(
        "--negative-fraction",
        type=float,
        default=0.15,
        help="share of questions also paired with a random answerless paragraph of their article",
    )
    train.add_argument(
        "--hard-negative-fraction",
        type=float,
        default=0.35,
        help="share also paired with the answerless paragraph of their article most like the question",
    )
    train.add_argument(
        "--near-miss-fraction",
        type=float,
        default=0.0,
        help="share of answerable questions also given a near-miss edit their own paragraph does not answer "
        "(qa.training.near_miss), labelled no answer",
    )
    train.add_argument("--device", default="", help="torch device (default: cuda when available, else cpu)")
    train.add_argument("--no-bf16", action="store_true", help="train in float32 (bf16 autocast is the default)")
    train.add_argument("--resume", action="store_true", help="continue from the checkpoint in --output-dir")
    train.add_argument(
        "--dev-file",
        default=str(DATA_DIR / "squad-v1.1-dev.json.gz"),
        help="SQuAD-format file to evaluate on at the end, closed mode ('' to skip)",
    )
    train.add_argument("--dev-limit", type=int, default=1000, help="questions of the dev file to evaluate")
    train.set_defaults(run=command_train_reader)

    average = commands.add_parser(
        "average-readers", help="average the weights of readers fine-tuned from one start (one model's reading cost)"
    )
    average.add_argument("readers", nargs="+", help="folders of the readers' weights")
    average.add_argument("--weights", type=float, nargs="+", help="one weight per reader (default: equal)")
    average.add_argument("--output-dir", required=True, help="where the averaged reader is written")
    average.set_defaults(run=command_average_readers)
    postgres = commands.add_parser(
        "postgres", help="start, stop or promote a local PostgreSQL + pgvector server or read replica (quick start)"
    )
    postgres.add_argument("action", choices=["start", "stop", "promote"])
    postgres.add_argument(
        "--data",
        type=Path,
        default=Path("postgres-data"),
        help="its data folder (default "
        "postgres-data/); the server listens on a Unix socket in it and outlives the command",
    )
    postgres.add_argument(
        "--replica-of",
        metavar="URI",
        help="with start: a streaming read replica of the server at URI, its new data folder copied with "
        "pg_basebackup (promote makes it a primary)",
    )
    postgres.add_argument("--quiet", action="store_true", help="print the URI only")
    postgres.set_defaults(run=command_postgres)

    serve = commands.add_parser("serve", help="serve the chat (same as python app.py)")
    serve.add_argument("--host", help="interface to listen on (QA_HOST; default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (QA_PORT; default 7860)")
    serve.add_argument(
        "--auth",
        default=os.environ.get("QA_AUTH"),
        help="sign-in: USER:PASSWORD, several separated by commas, or a file of USER:PASSWORD lines "
        "(QA_AUTH); without it, anyone who reaches the address can ask, upload and remove",
    )
    serve.add_argument("--concurrency", type=int, default=4, help="questions answered at once (default 4)")
    serve.add_argument("--open", action="store_true", help="open the page in a browser")
    add_engine_options(serve)
    serve.set_defaults(run=command_serve)
    return parser


def internal_error(error: Exception, verbose: bool) -> None:
    """Say on stderr that a bug stopped the command: its traceback when ``verbose``, else one line that says how to
    see it."""
    if verbose:
        traceback.print_exception(error, file=sys.stderr)
        return
    message = (str(error).strip().splitlines() or [""])[0]
    print(f"internal error: {type(error).__name__}: {message} (run with -v for the traceback)", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    from qa.errors import Error, StoreError

    # The command line owns its process, and so its environment (the library passes what it needs as arguments).
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # no "Loading weights" bar at every start
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    args = build_parser().parse_args(argv)
    args.own_process = argv is None  # the command line of this process, which ends when main returns
    args.engines = []  # those engine_from opened, closed when the command returns
    chatty = args.verbose or args.command in ("index", "train-reader", "serve")
    logging.basicConfig(
        level=logging.INFO if chatty else logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    for noisy in ("bm25s", "httpx", "faiss.loader", "sentence_transformers"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except StoreError as error:  # busy, damaged, read-only, unavailable: one line, no traceback
        print(f"error: {error}", file=sys.stderr)
        return 3
    except (Error, FileNotFoundError) as error:  # qa's own refusals, and a file named that is not there: one line
        print(f"error: {error}", file=sys.stderr)
        return 2
    except Exception as error:  # noqa: BLE001 - anything else is a bug: one line, its traceback under -v
        internal_error(error, args.verbose)
        return 2
    finally:
        for engine in args.engines:
            engine.close()
        if args.own_process:  # the process ends next: its last collection need not go through what it loaded
            gc.freeze()  # (over a second once torch is imported)


if __name__ == "__main__":
    sys.exit(main())
