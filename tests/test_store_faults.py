"""Faults the local store must survive: kill -9 while indexing and while saving, two writers at once, a writer
with readers, each stored file truncated, overwritten or deleted, a read-only index folder.

Nothing committed may be lost, and each failure is told in one line. Indexing uses the real embedding model; the
processes are real (``python -m qa.app.cli`` or ``qa.app.cli.main`` behind small hooks) and every wait is bounded.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from functools import partial
from pathlib import Path

import numpy as np
import pytest
from conftest import run_qa as run_cli

from qa.app.cli import main
from qa.documents.loading import document_id, load_document
from qa.index import Indexer
from qa.models import Document, Passage
from qa.store.local.store import (
    DATABASE_FILE,
    DENSE_CACHE_FILE,
    DENSE_CACHE_INFO,
    KEYWORD_CACHE_FILE,
    LOCK_FILE,
    LocalStore,
)
from qa.store.protocol import DocumentWrite, StoreBusy, StoreDamaged, StoreReadOnly, StoreSettings

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
CHUNK_TOKENS, OVERLAP = 40, 0  # two passages per report below
SETTINGS_ENV = {"QA_CHUNK_TOKENS": str(CHUNK_TOKENS), "QA_CHUNK_OVERLAP_SENTENCES": str(OVERLAP)}
CHILD_ENV = {**SETTINGS_ENV, "OMP_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false"}
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(REPO), **CHILD_ENV}
run_qa = partial(run_cli, env=CHILD_ENV, timeout=120)
REPORTS = 12
ANIMALS = [
    "otter",
    "heron",
    "lynx",
    "badger",
    "falcon",
    "marten",
    "beaver",
    "osprey",
    "ibex",
    "walrus",
    "puffin",
    "stoat",
]
GARBAGE = bytes(range(0xF0, 0x100))  # 16 bytes: not UTF-8; as float32s, about -4e31
ONE_LINE_DAMAGE = "damaged ({}); run 'qa index --verify' or '--repair'"

# Hooks that print STAGE and sleep there, for the test to kill the process (-9) at that very point.
HOOKS = r"""
import sys, time
from pathlib import Path
import faiss
import qa.store.local.store as local

stage = sys.argv[1]

def halt(name):
    if name == stage:
        print(name, flush=True)
        time.sleep(300)

write_index = faiss.write_index
def write_index_then_halt(index, path):
    write_index(index, path)
    halt("cache-written")  # the new dense cache is in its temporary file, nothing replaced yet
faiss.write_index = write_index_then_halt

replace = Path.replace
def replace_halting(self, target):
    if Path(target).name == local.DENSE_CACHE_INFO:
        halt("cache-swapped")  # vectors.faiss is the new one, vectors.json still the old one
    replaced = replace(self, target)
    if Path(target).name == local.DENSE_CACHE_INFO:
        halt("cache-saved")  # the new cache is whole; the change log it holds is not dropped yet
    return replaced
Path.replace = replace_halting
"""

# `qa index ARGS`, committing every COMMIT passages: python -c INDEXER STAGE COMMIT ARGS...
INDEXER = (
    HOOKS
    + r"""
import qa.index as indexing
from qa.app.cli import main
from qa.embedding import Embedder

indexing.COMMIT_PASSAGES = int(sys.argv[2])
commits = 0

write = local.LocalStore.write
def counted_write(self, items):
    global commits
    write(self, items)
    commits += 1
local.LocalStore.write = counted_write

embeds = 0
embed = Embedder.embed
def embed_halting(self, texts, *args, **kwargs):
    global embeds
    embeds += 1
    if embeds == 3 and stage == "embedding":  # the third batch (embedded while the second one is committed)
        while commits < 2:
            time.sleep(0.01)
        halt("embedding")  # two batches committed, the third one being embedded
    return embed(self, texts, *args, **kwargs)
Embedder.embed = embed_halting

tokens = local.written_tokens
def tokens_in_transaction(items):  # called by write() inside its transaction, its document row already inserted
    if commits == 2:
        halt("transaction")  # two batches committed, the third one half written
    return tokens(items)
local.written_tokens = tokens_in_transaction

sys.exit(main(["index", *sys.argv[3:]]))
"""
)

# Documents deleted from an index, which then rewrites its dense cache: python -c DELETER STAGE INDEX ID...
DELETER = (
    HOOKS
    + r"""
local.LocalStore(sys.argv[2]).delete(sys.argv[3:])
"""
)


def report_text(number: int) -> str:
    animal = ANIMALS[number % len(ANIMALS)]
    return (
        f"The {animal} colony of Port Vel{number:02d} counted {100 + 7 * number} animals in spring. "
        f"Warden Ilsa Korr{number:02d} keeps its register in cabinet {number * 3 + 1}. "
        f"Boats land at pier {number % 4 + 1} after the tide turns. "
        f"Visitors to the {animal}s pay {number + 2} crowns at the gate."
    )


def write_reports(folder: Path, numbers) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for number in numbers:
        (folder / f"report-{number:02d}.txt").write_text(report_text(number), encoding="utf-8")
    return folder


def report_id(number: int) -> str:
    return document_id(report_text(number))


def sync(store: LocalStore, folder: Path, embedder):
    return Indexer(store, embedder, CHUNK_TOKENS, OVERLAP).sync_folder(folder, 10**6, progress=False)


_vectors: dict[str, np.ndarray] = {}


def check_intact(store: LocalStore, embedder) -> dict[str, int]:
    """Every stored document equals its file, holds all its passages, each the exact slice of its text, and dense
    search finds each passage first with its own vector; returns {document id: passage count}."""
    stored = store.documents()
    documents = store.get_documents([d.id for d in stored])
    passages: list[Passage] = []
    for entry in stored:
        text = load_document(Path(entry.source), 10**6).text
        assert documents[entry.id].text == text and entry.id == document_id(text), entry.source
        ids = [f"{entry.id}:{i}" for i in range(entry.passage_count)]
        found = store.get_passages(ids)
        assert sorted(found) == ids, f"{entry.source}: passages {sorted(found)}, expected {ids}"
        for passage in found.values():
            assert text[passage.start : passage.end] == passage.text
        passages += found.values()
    missing = [p.text for p in passages if p.text not in _vectors]
    if missing:
        _vectors.update(zip(missing, embedder.embed(missing), strict=True))
    for passage in passages:
        best, score = store.dense_search(_vectors[passage.text], 3)[0]
        assert (best, round(score, 3)) == (passage.id, 1.0), f"dense search for {passage.id} found {best} ({score})"
    return {d.id: d.passage_count for d in stored}


def documents_in(location: Path) -> int:
    """Documents committed to the index, as another process sees them."""
    db = sqlite3.connect(f"file:{location / DATABASE_FILE}?mode=ro", uri=True, timeout=5)
    try:
        return db.execute("SELECT count(*) FROM documents").fetchone()[0]
    finally:
        db.close()


def one_line(message: str) -> str:
    assert message and "\n" not in message.strip(), message
    return message


def damage(path: Path, kind: str, offset: int | None = None) -> None:
    """Truncate ``path`` to half, overwrite 16 bytes in its middle (or at ``offset``) with garbage, or delete it."""
    if kind == "truncated":
        os.truncate(path, path.stat().st_size // 2)
    elif kind == "overwritten":
        with open(path, "r+b") as handle:
            handle.seek(path.stat().st_size // 2 if offset is None else offset)
            handle.write(GARBAGE)
    else:
        path.unlink()


def bounded_line(process: subprocess.Popen, expected: str, seconds: float, log: Path) -> None:
    """Wait for ``expected`` on the process's stdout; after ``seconds`` the process is killed and the test fails."""
    watchdog = threading.Timer(seconds, process.kill)
    watchdog.start()
    try:
        for line in process.stdout:
            if line.strip() == expected:
                return
    finally:
        watchdog.cancel()
    pytest.fail(f"the worker never reached {expected!r}: {log.read_text(errors='replace')[-2000:]}")


def spawn(script: str, stage: str, log: Path, *args) -> subprocess.Popen:
    """``python -c SCRIPT STAGE ARGS``, its stderr going to ``log``."""
    with open(log, "w") as errors:
        return subprocess.Popen(
            [sys.executable, "-c", script, stage, *map(str, args)],
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            env=ENV,
            cwd=log.parent,
        )


def run_main(monkeypatch, capsys, embedder, *args) -> tuple[int, str, str]:
    """``qa ARGS`` in this process, on the session's embedding model: (exit code, stdout, stderr)."""
    monkeypatch.setattr("qa.pipeline.Embedder", lambda *_, **__: embedder)
    for name, value in SETTINGS_ENV.items():
        monkeypatch.setenv(name, value)
    capsys.readouterr()
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def summary(out: str) -> str:
    """The counts of `qa index`'s last line: '(A added, R removed, U unchanged; P passages embedded'."""
    line = out.strip().splitlines()[-1]
    return line[line.index("(") + 1 : line.index(" in ", line.index(" embedded"))]


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> Path:
    return write_reports(tmp_path_factory.mktemp("reports"), range(REPORTS))


@pytest.fixture(scope="module")
def built(tmp_path_factory, reports, embedder) -> Path:
    """An index of ``reports``, closed (no journal left), with its dense cache written."""
    location = tmp_path_factory.mktemp("built") / "index"
    store = LocalStore(location)
    assert sync(store, reports, embedder).embedded_passages == 2 * REPORTS
    store.close()
    assert {p.name for p in location.iterdir()} == {
        DATABASE_FILE,
        DENSE_CACHE_FILE,
        KEYWORD_CACHE_FILE,
        DENSE_CACHE_INFO,
        LOCK_FILE,
    }
    return location


@pytest.fixture
def index(built, tmp_path) -> Path:
    """A copy of the built index for one test to damage."""
    return Path(shutil.copytree(built, tmp_path / "index"))


@pytest.fixture
def store(index):
    handles = []

    def open_store(location: Path = index) -> LocalStore:
        handles.append(LocalStore(location))
        return handles[-1]

    yield open_store
    for handle in handles:
        handle.close()


# ---------------------------------------------------------------------------------------------- kill -9


def kill_at(workers: dict[str, tuple[subprocess.Popen, Path]], stage: str) -> None:
    process, log = workers[stage]
    bounded_line(process, stage, 180, log)
    process.kill()
    assert process.wait(30) == -signal.SIGKILL


def stop(workers: dict[str, tuple[subprocess.Popen, Path]]) -> None:
    for process, _ in workers.values():
        process.kill()
        process.wait(30)
        process.stdout.close()


def check_after_kill(
    location: Path, documents: Path, committed_count: int, label: str, embedder, problem: str | None = None
) -> None:
    """The index opens and verifies (or has only ``problem``), holds ``committed_count`` documents intact, and the
    next sync embeds only the others, leaving it whole."""
    store = LocalStore(location)
    try:
        problems = store.verify()
        if problem is None:
            assert problems == [], label
        else:
            assert len(problems) == 1 and problem in problems[0], label
        committed = check_intact(store, embedder)
        assert len(committed) == committed_count and all(count == 2 for count in committed.values()), label
        everything = {report_id(n) for n in range(REPORTS)}
        report = sync(store, documents, embedder)
        assert sorted(report.reused) == sorted(committed), label
        assert sorted(report.added) == sorted(everything - set(committed)), label
        assert report.embedded_passages == 2 * (REPORTS - len(committed)), label
        assert store.verify() == [], label
        assert len(check_intact(store, embedder)) == REPORTS, label
        assert not list(location.glob(".*.tmp")), label
    finally:
        store.close()


def test_kill_9_while_indexing_loses_nothing_committed(tmp_path, embedder):
    documents = write_reports(tmp_path / "documents", range(4))
    seeded = tmp_path / "seeded"
    store = LocalStore(seeded)
    sync(store, documents, embedder)
    store.close()
    write_reports(documents, range(4, REPORTS))  # 8 more: 16 passages, 4 commits of 4
    stages = ["random", "embedding", "transaction"]
    workers = {}
    for stage in stages:
        log = tmp_path / f"{stage}.log"
        location = shutil.copytree(seeded, tmp_path / stage)
        workers[stage] = spawn(INDEXER, stage, log, 4, documents, "--index", location), log
    try:
        # the random one runs on until its first commit is visible from outside, then a little longer
        process = workers["random"][0]
        deadline = time.monotonic() + 180
        while process.poll() is None and time.monotonic() < deadline and documents_in(tmp_path / "random") <= 4:
            time.sleep(0.02)
        delay = random.uniform(0, 0.5)
        time.sleep(delay)
        process.kill()
        assert process.wait(30) in (-signal.SIGKILL, 0)
        kill_at(workers, "embedding")
        kill_at(workers, "transaction")
    finally:
        stop(workers)
    random_count = documents_in(tmp_path / "random")
    assert random_count > 4
    check_after_kill(
        tmp_path / "random", documents, random_count, f"random (killed {delay:.2f} s after its first commit)", embedder
    )
    for stage in ("embedding", "transaction"):  # two commits of two documents each after the 4 seeded ones
        check_after_kill(tmp_path / stage, documents, 8, stage, embedder)


def test_kill_9_while_saving_the_dense_cache_loses_nothing_committed(tmp_path, built, reports, embedder):
    stages = ["cache-written", "cache-swapped", "cache-saved"]
    gone = [report_id(n) for n in range(4)]  # a third of the passages: the dense cache is rewritten after it
    workers = {}
    for stage in stages:
        log = tmp_path / f"{stage}.log"
        workers[stage] = spawn(DELETER, stage, log, shutil.copytree(built, tmp_path / stage), *gone), log
    try:
        for stage in stages:
            kill_at(workers, stage)
            if stage == "cache-written":
                assert list((tmp_path / stage).glob(f".{DENSE_CACHE_FILE}.*.tmp"))
    finally:
        stop(workers)
    for stage in stages:  # the new cache file with the old info fails its checksum until the next save
        problem = f"{DENSE_CACHE_FILE} fails its checksum" if stage == "cache-swapped" else None
        check_after_kill(tmp_path / stage, reports, REPORTS - len(gone), stage, embedder, problem)


# ---------------------------------------------------------------------------------------------- concurrency


def test_two_writers_and_readers_at_once(tmp_path, embedder):
    documents = write_reports(tmp_path / "documents", range(REPORTS))
    location = tmp_path / "index"
    readers = [LocalStore(location) for _ in range(2)]
    questions = embedder.embed(["How many otters live in Port Vel00?", "Which pier do boats land at?"])
    errors, seen, stop = [], set(), threading.Event()

    def read(store: LocalStore) -> None:
        while not stop.is_set():
            try:
                listed = store.documents()
                seen.add(len(listed))
                wanted = [f"{d.id}:{i}" for d in listed for i in range(d.passage_count)]
                found = store.get_passages(wanted)
                assert sorted(found) == sorted(wanted), f"{len(found)} of {len(wanted)} passages of listed documents"
                for question in questions:
                    hits = store.dense_search(question, 10)
                    assert all(-1.01 <= score <= 1.01 for _, score in hits), hits
                    assert set(store.get_passages([pid for pid, _ in hits])) == {pid for pid, _ in hits}
                hits = store.keyword_search("colony register pier", 10)
                assert set(store.get_passages([pid for pid, _ in hits])) == {pid for pid, _ in hits}
                time.sleep(0.005)  # leave the writers some CPU
            except Exception as error:  # noqa: BLE001 - every failure is one to report
                errors.append(f"{type(error).__name__}: {error}")
                return

    threads = [threading.Thread(target=read, args=(store,), daemon=True) for store in readers]
    for thread in threads:
        thread.start()
    writers = [
        spawn(INDEXER, "none", tmp_path / f"writer-{n}.log", 4, documents, "--index", location) for n in range(2)
    ]
    try:
        for process in writers:
            process.wait(240)
    finally:
        stop.set()
        for process in writers:
            process.kill()
        for thread in threads:
            thread.join(30)
    outputs = []
    for process in writers:
        outputs.append(process.stdout.read())
        process.stdout.close()
    logs = [(tmp_path / f"writer-{n}.log").read_text() for n in range(2)]
    assert [p.returncode for p in writers] == [0, 0], logs
    assert errors == []
    assert sorted(summary(out) for out in outputs) == [
        f"0 added, 0 removed, {REPORTS} unchanged; 0 passages embedded",
        f"{REPORTS} added, 0 removed, 0 unchanged; {2 * REPORTS} passages embedded",
    ]
    assert any(0 < count < REPORTS for count in seen), f"the readers never saw a partly indexed folder: {seen}"
    assert len(check_intact(readers[0], embedder)) == REPORTS and readers[1].verify() == []

    with readers[0].writer(timeout=5):  # a third one, told not to wait, says so in one line
        busy = run_qa("index", documents, "--index", location, "--wait", "0", cwd=tmp_path, timeout=60)
    assert busy.returncode == 3 and "Traceback" not in busy.stderr
    assert one_line(busy.stderr).startswith(f"error: the index in {location} is busy")
    for store in readers:
        store.close()


def test_a_reader_misses_no_change_when_the_change_log_is_compacted_under_it(tmp_path):
    settings = StoreSettings(embedding_model="test", dimension=8, chunk_tokens=200, chunk_overlap_sentences=0)

    def write(number: int) -> DocumentWrite:
        text = f"Note number {number} is short."
        vector = np.random.default_rng(number).normal(size=(1, 8)).astype(np.float32)
        document = Document(id=document_id(text), title=str(number), source=f"/notes/{number}", text=text)
        passage = Passage(id=f"{document.id}:0", document_id=document.id, start=0, end=len(text), text=text)
        return DocumentWrite(document, [passage], vector / np.linalg.norm(vector))

    writer, reader = LocalStore(tmp_path), LocalStore(tmp_path)
    writer.bind(settings)
    writer.write([write(n) for n in range(10)])
    assert reader.dense_search(write(3).vectors[0], 1)[0][0] == write(3).passages[0].id
    writer.write([write(10)])
    compacted, interleaved = reader._compacted, []

    def compacted_then_written() -> int:  # another process commits between two of the reader's queries
        value = compacted()
        if not interleaved:
            interleaved.append(True)
            writer.write([write(n) for n in range(11, 20)])  # rewrites the dense cache, drops the change log
            writer.write([write(20)])
        return value

    reader._compacted = compacted_then_written
    reader.dense_search(write(0).vectors[0], 1)
    assert interleaved
    for number in range(21):
        item = write(number)
        assert reader.dense_search(item.vectors[0], 1)[0][0] == item.passages[0].id, number
    writer.close()
    reader.close()


# ---------------------------------------------------------------------------------------------- damaged files


@pytest.mark.parametrize("kind", ["truncated", "overwritten", "deleted"])
@pytest.mark.parametrize("name", [DENSE_CACHE_FILE, KEYWORD_CACHE_FILE, DENSE_CACHE_INFO])
def test_a_damaged_dense_cache_is_rebuilt_from_the_database(name, kind, index, store, reports, embedder, caplog):
    damage(index / name, kind)
    damaged = store()
    problems = damaged.verify()
    if (name, kind) == (DENSE_CACHE_INFO, "deleted"):  # no cache at all: nothing wrong, it is built anew
        assert problems == []
    else:
        assert len(problems) == 1 and ("dense cache" in problems[0] or name in problems[0]), problems
    assert len(check_intact(damaged, embedder)) == REPORTS  # answers still right
    report = sync(damaged, reports, embedder)  # a writer goes on (and may rewrite the cache)
    assert (len(report.reused), report.embedded_passages) == (REPORTS, 0)
    assert damaged.repair()[-1] == f"rebuilt the dense and keyword indexes ({2 * REPORTS} passages)"
    assert damaged.verify() == []
    caplog.clear()
    assert len(check_intact(store(), embedder)) == REPORTS
    assert "rebuilding" not in caplog.text  # the rewritten cache is whole and used


@pytest.mark.parametrize("kind", ["truncated", "overwritten", "deleted", "deleted while held"])
def test_a_damaged_or_deleted_writer_lock_is_harmless(kind, index, store, reports, embedder):
    first, second = store(), store()
    deleted = [report_id(1)] if kind == "deleted while held" else []
    if deleted:
        with first.writer(timeout=5):
            (index / LOCK_FILE).unlink()
            try:  # a lock file made anew does not exclude its holder: a second writer may get in, and must do no harm
                with second.writer(timeout=1):
                    second.delete([report_id(0)])
                    deleted.append(report_id(0))
            except StoreBusy:
                pass
            first.delete([report_id(1)])
    else:
        (index / LOCK_FILE).write_bytes(b"pid 12345\n" * 3)
        damage(index / LOCK_FILE, kind)
    report = sync(first, reports, embedder)
    assert sorted(report.added) == sorted(deleted) and report.embedded_passages == 2 * len(deleted)
    assert (index / LOCK_FILE).exists() and first.verify() == []
    assert len(check_intact(second, embedder)) == REPORTS
    with second.writer(timeout=1), pytest.raises(StoreBusy, match="busy"), first.writer(timeout=0.2):
        pass


def row_offset(index: Path, passage_id: str, part: str) -> int:
    """Where a passage's vector or text lies in store.sqlite: found by its bytes (text followed by vector)."""
    with sqlite3.connect(index / DATABASE_FILE) as db:
        text, vector = db.execute("SELECT text, vector FROM passages WHERE id = ?", (passage_id,)).fetchone()
    db.close()
    data = (index / DATABASE_FILE).read_bytes()
    row = text.encode() + vector
    assert data.count(row) == 1
    return data.index(row) + (len(text.encode()) + 100 if part == "vector" else 10)


@pytest.mark.parametrize("damaged_bytes", ["vector", "text", "text (not UTF-8)"])
def test_a_damaged_row_is_caught_by_its_checksum_and_repaired_alone(
    damaged_bytes, index, store, reports, embedder, monkeypatch, capsys
):
    victim, passage = report_id(5), f"{report_id(5)}:1"
    offset = row_offset(index, passage, damaged_bytes.split()[0])
    with open(index / DATABASE_FILE, "r+b") as handle:
        handle.seek(offset)
        handle.write(GARBAGE if damaged_bytes != "text" else b"XXXXXXXXXXXXXXXX")
    damaged = store()
    assert damaged.verify() == [f"passage {passage} (document {victim}): fails its checksum"]
    last_sentence = report_text(5)[report_text(5).index("Visitors") :]  # the damaged passage
    hits = dict(damaged.dense_search(embedder.embed([last_sentence])[0], 5))  # the cache holds its vector as it was
    assert passage in hits and all(-1.01 <= score <= 1.01 for score in hits.values()), hits
    with pytest.raises(StoreDamaged) as raised:
        damaged.get_passages([passage])
    assert one_line(str(raised.value)).endswith(
        ONE_LINE_DAMAGE.format(f"passage {passage} (document {victim}): fails its checksum")
    )
    for name in (DENSE_CACHE_FILE, DENSE_CACHE_INFO):  # without the cache, dense search reads the damaged row
        (index / name).unlink()
    with pytest.raises(StoreDamaged, match="--repair"):
        store().dense_search(embedder.embed(["Which pier do boats land at?"])[0], 5)

    checked = run_qa("index", reports, "--index", index, "--verify", cwd=index.parent, timeout=60)
    assert checked.returncode == 1 and "Traceback" not in checked.stderr
    assert checked.stderr.strip().splitlines() == [
        f"damaged: passage {passage} (document {victim}): fails its checksum",
        "1 problem; 'qa index --repair' rebuilds what is damaged",
    ]

    code, out, err = run_main(monkeypatch, capsys, embedder, "index", reports, "--index", index, "--repair")
    assert code == 0, err
    assert "repaired: dropped 1 damaged document; indexing the folder embeds them again" in out.splitlines()
    assert summary(out) == f"1 added, 0 removed, {REPORTS - 1} unchanged; 2 passages embedded"
    repaired = store()
    assert repaired.verify() == [] and len(check_intact(repaired, embedder)) == REPORTS


def table_page(index: Path, table: str) -> int:
    with sqlite3.connect(index / DATABASE_FILE) as db:
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        root = db.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    db.close()
    return (root - 1) * page_size


@pytest.mark.parametrize("kind", ["header overwritten", "truncated", "table page overwritten"])
def test_a_damaged_database_fails_in_one_line_and_repair_rebuilds_it(
    kind, index, store, reports, embedder, monkeypatch, capsys
):
    database = index / DATABASE_FILE
    if kind == "truncated":
        damage(database, "truncated")
    else:
        damage(database, "overwritten", 0 if kind.startswith("header") else table_page(index, "passages"))
    question = ["ask", "Who keeps the register of the otter colony?", "--documents", reports, "--index", index]
    if kind.startswith("header"):  # the real command once; in this process (same code, no model to load) else
        asked = run_qa(*question, cwd=index.parent)
        code, err = asked.returncode, asked.stderr
    else:
        code, _, err = run_main(monkeypatch, capsys, embedder, *question)
    assert code == 3 and "Traceback" not in err, err
    last = err.strip().splitlines()[-1]
    assert last.startswith(f"error: the index in {index} is damaged (") and last.endswith("'--repair'"), last

    checked = run_qa("index", reports, "--index", index, "--verify", cwd=index.parent, timeout=60)
    assert checked.returncode == 1 and "Traceback" not in checked.stderr
    assert checked.stderr.strip().splitlines()[0].startswith("damaged: ")

    code, out, err = run_main(monkeypatch, capsys, embedder, "index", reports, "--index", index, "--repair")
    assert code == 0, err
    assert (
        "repaired: set the damaged database aside as store.sqlite.damaged; indexing the folder embeds every "
        "document again"
    ) in out.splitlines()
    assert summary(out) == f"{REPORTS} added, 0 removed, 0 unchanged; {2 * REPORTS} passages embedded"
    repaired = store()
    assert repaired.verify() == [] and len(check_intact(repaired, embedder)) == REPORTS
    assert (index / f"{DATABASE_FILE}.damaged").exists()


def test_a_deleted_database_is_rebuilt_without_trusting_the_old_dense_cache(index, store, reports, tmp_path, embedder):
    (index / DATABASE_FILE).unlink()
    fewer = Path(shutil.copytree(reports, tmp_path / "fewer"))
    (fewer / "report-00.txt").unlink()  # so that every passage gets another rowid than before
    fresh = store()
    assert fresh.verify() == [
        f"dense cache in {index} does not match this database (made from another one, or from a later state of it)"
    ]
    report = sync(fresh, fewer, embedder)
    assert (len(report.added), report.embedded_passages) == (REPORTS - 1, 2 * (REPORTS - 1))
    assert fresh.verify() == []
    assert len(check_intact(store(), embedder)) == REPORTS - 1
    shutil.rmtree(index)  # and a deleted index folder is built anew
    assert sync(store(), reports, embedder).embedded_passages == 2 * REPORTS


@pytest.fixture(scope="module")
def crashed(tmp_path_factory, reports, built, embedder) -> Path:
    """An index as a crash leaves it: three documents (and a dense cache that holds them) committed to the journal
    (store.sqlite-wal) only."""
    location = Path(shutil.copytree(built, tmp_path_factory.mktemp("crashed") / "live"))
    store = LocalStore(location)
    store.delete([report_id(n) for n in (9, 10, 11)])
    store.close()  # checkpointed: the database file holds 9 documents
    store = LocalStore(location)
    image = location.parent / "image"
    with pytest.MonkeyPatch.context() as patch:  # it crashes before the journal is copied into the database file
        patch.setattr(LocalStore, "_checkpoint_journal", lambda self: None)
        report = sync(store, reports, embedder)
        assert (len(report.added), report.embedded_passages) == (3, 6)
        shutil.copytree(location, image)  # the files as they are while it runs
    store.close()
    assert (image / f"{DATABASE_FILE}-wal").stat().st_size > 0
    return image


@pytest.mark.parametrize("kind", ["truncated", "overwritten", "deleted"])
def test_a_damaged_journal_loses_only_what_it_held_and_the_next_sync_restores_it(
    kind, crashed, reports, tmp_path, embedder
):
    location = Path(shutil.copytree(crashed, tmp_path / "index"))
    damage(location / f"{DATABASE_FILE}-wal", kind)
    store = LocalStore(location)
    try:
        problems = store.verify()
        assert all("dense cache" in line for line in problems), problems
        kept = check_intact(store, embedder)  # the cache, newer than what is left, must not answer for it
        assert (len(kept) == 9) if kind == "deleted" else (9 <= len(kept) <= REPORTS)
        store.delete([report_id(0)])  # rowids from here on differ from those the journal had given out
        report = sync(store, reports, embedder)
        assert len(report.added) == REPORTS - len(kept) + 1
        assert store.verify() == [] and len(check_intact(store, embedder)) == REPORTS
    finally:
        store.close()


# ---------------------------------------------------------------------------------------------- read-only


def stored_bytes(index: Path) -> dict[str, bytes]:
    """What the index holds (aside from the files any SQLite reader may create: shared memory, an empty journal)."""
    files = {p.name: p.read_bytes() for p in index.iterdir() if not p.name.endswith("-shm")}
    return {name: data for name, data in files.items() if data or not name.endswith("-wal")}


@pytest.mark.parametrize("how", ["asked for", "folder not writable"])
def test_a_read_only_store_answers_through_the_engine_and_says_it_cannot_update(
    how, index, reports, embedder, monkeypatch
):
    from qa.pipeline import QA

    before = stored_bytes(index)
    engine = QA(
        documents_dir=reports,
        index_dir=index,
        embedder=embedder,
        index_embedder=embedder,
        chunk_tokens=CHUNK_TOKENS,
        chunk_overlap_sentences=OVERLAP,
        store_read_only=how == "asked for",
    )
    with monkeypatch.context() as patch:
        if how == "folder not writable":
            patch.setattr(os, "access", lambda *_: False)  # what a read-only folder answers, even to root
        assert engine.store.read_only
    result = engine.ask("How many animals did the heron colony of Port Vel01 count?")
    assert "107" in result.answer and result.citations[0].document_id == report_id(1)
    assert result.notice == f"the index in {index} is read-only: it answers but cannot be updated"
    with pytest.raises(StoreReadOnly, match="read-only"):
        engine.refresh_index(progress=False)
    assert stored_bytes(index) == before
    engine.store.close()


def crash_image(folder: Path, embedder) -> tuple[Path, Path]:
    """Documents and an index as a crash leaves them: the last documents in the journal only."""
    documents = write_reports(folder / "documents", range(8))
    live = folder / "live"
    store = LocalStore(live)
    sync(store, documents, embedder)
    store.close()
    write_reports(documents, range(8, REPORTS))
    store = LocalStore(live)
    with pytest.MonkeyPatch.context() as patch:  # it crashes before the journal is copied into the database file
        patch.setattr(LocalStore, "_checkpoint_journal", lambda self: None)
        sync(store, documents, embedder)
        index = Path(shutil.copytree(live, folder / "index"))
    store.close()
    return documents, index


def test_a_read_only_folder_is_answered_from_as_it_is(shared_dir, embedder, unprivileged):
    options = unprivileged
    documents, index = crash_image(shared_dir, embedder)
    assert (index / f"{DATABASE_FILE}-wal").stat().st_size > 0
    for path in [shared_dir, *shared_dir.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    before = stored_bytes(index)
    asked = run_qa(
        "ask",
        "How many animals did the walrus colony of Port Vel09 count?",
        "--documents",
        documents,
        "--index",
        index,
        cwd=shared_dir,
        **options,
    )
    assert asked.returncode == 0 and "Traceback" not in asked.stderr, asked.stderr
    assert "Answer: 163" in asked.stdout  # report 9 was in the journal only
    notices = [line for line in asked.stderr.splitlines() if "read-only" in line]
    assert len(notices) == 1 and notices[0].endswith(
        f"the index in {index} is read-only: it answers but cannot be updated"
    )
    indexed = run_qa("index", documents, "--index", index, cwd=shared_dir, timeout=60, **options)
    assert indexed.returncode == 3 and "Traceback" not in indexed.stderr
    assert one_line(indexed.stderr).strip() == (
        f"error: the index in {index} is read-only: it answers but cannot be updated"
    )
    assert stored_bytes(index) == before


def test_an_unwritable_journal_makes_the_store_read_only_not_unusable(shared_dir, embedder, unprivileged):
    """The folder and the database may be written, but not the journal a crash left (another user's): SQLite refuses
    to write, and the store falls back to reading."""
    options = unprivileged
    documents, index = crash_image(shared_dir, embedder)
    for path in [shared_dir, documents, index]:
        path.chmod(0o777)
    (index / DATABASE_FILE).chmod(0o666)
    for suffix in ("-wal", "-shm"):
        Path(f"{index / DATABASE_FILE}{suffix}").chmod(0o444)
    script = (
        "import sys; from qa.store.local.store import LocalStore\n"
        "store = LocalStore(sys.argv[1])\n"
        "print(store.read_only, store.manifest().document_count)\n"
        "with store.writer(): pass\n"
    )
    opened = subprocess.run(
        [sys.executable, "-c", script, str(index)],
        capture_output=True,
        text=True,
        env=ENV,
        cwd=shared_dir,
        timeout=60,
        **options,
    )
    assert opened.stdout.split() == ["True", str(REPORTS)], opened.stderr
    assert opened.stderr.strip().splitlines()[-1] == (
        f"qa.errors.StoreReadOnly: the index in {index} is read-only: it answers but cannot be updated"
    )
