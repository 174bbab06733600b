"""PostgreSQL servers that stop, restart, replicate and fail over, with the real embedding model.

Every test starts servers of its own (the wheel's PostgreSQL 18, on Unix sockets in their data folders, never TCP)
and stops each one, whatever happens: a primary stopped in the middle of an indexing transaction, a database stopped
under a running engine, a read replica answering while the primary indexes, and the replica promoted when the
primary is lost.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

import qa.index
import qa.store.postgres.store
from qa.app.cli import main
from qa.documents.loading import document_id
from qa.pipeline import QA
from qa.store.postgres.catalog import PostgresCatalog
from qa.store.postgres.server import (
    embedded_running,
    is_embedded_data,
    is_replica,
    run_as_server,
    start_embedded,
    stop_embedded,
)
from qa.store.postgres.store import REPLICA, PostgresStore
from qa.store.protocol import StoreReadOnly, StoreUnavailable

CHUNK_TOKENS, OVERLAP = 40, 0  # two passages per report
ANIMALS = ["otter", "heron", "lynx", "badger", "falcon", "marten", "beaver", "osprey", "ibex", "walrus"]
MAX_LAG_S = 5.0  # a commit on the primary must be answered from on the replica within this


def report_text(number: int) -> str:
    animal = ANIMALS[number]
    return (
        f"The {animal} colony of Port Vel{number:02d} counted {100 + 7 * number} animals in spring. "
        f"Warden Ilsa Korr{number:02d} keeps its register in cabinet {number * 3 + 1}. "
        f"Boats land at pier {number % 4 + 1} after the tide turns. "
        f"Visitors to the {animal}s pay {number + 2} crowns at the gate."
    )


def question(number: int) -> str:
    return f"How many animals did the {ANIMALS[number]} colony of Port Vel{number:02d} count?"


def write_reports(folder: Path, numbers) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for number in numbers:
        (folder / f"report-{number:02d}.txt").write_text(report_text(number), encoding="utf-8")
    return folder


def answers(engine: QA, number: int) -> bool:
    """Whether the engine answers report ``number``'s question from that report."""
    result = engine.ask(question(number))
    cited = [c.document_id for c in result.citations]
    return (
        result.answer is not None
        and str(100 + 7 * number) in result.answer
        and document_id(report_text(number)) in cited
    )


def one_line(message: str) -> str:
    assert message and "\n" not in message, message
    return message


@pytest.fixture
def servers() -> Iterator[Path]:
    """A folder for the test's data folders (not under pytest's: see conftest's postgres_server); every server
    started in one is stopped afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="qa-replica-"))
    try:
        yield folder
    finally:
        for data in folder.iterdir():
            halt(data)
        shutil.rmtree(folder, ignore_errors=True)


def halt(data: Path) -> None:
    """Stop the server of ``data`` (at once when the wheel's own stop leaves it running)."""
    if is_embedded_data(data) and embedded_running(data):
        stop_embedded(data)
    if is_embedded_data(data) and embedded_running(data):
        run_as_server(["pg_ctl", "stop", f"--pgdata={data}", "--mode=immediate", "--wait"], data)


@pytest.fixture
def reports(tmp_path) -> Path:
    return write_reports(tmp_path / "documents", range(4))


def engine_on(uri: str, documents: Path, index: Path, embedder, read_only: bool = False) -> QA:
    """An engine over ``documents`` in the database at ``uri`` (the sentence reader: no reader model to load)."""
    return QA(
        documents_dir=documents,
        index_dir=index,
        embedder=embedder,
        index_embedder=embedder,
        store="postgres",
        store_url=uri,
        store_read_only=read_only,
        chunk_tokens=CHUNK_TOKENS,
        chunk_overlap_sentences=OVERLAP,
        reader="sentence",
    )


def whole_documents(store: PostgresStore) -> int:
    """How many documents the store holds, each with every passage it records; fails on a half-written one."""
    stored = store.documents()
    for entry in stored:
        ids = [f"{entry.id}:{i}" for i in range(entry.passage_count)]
        assert sorted(store.get_passages(ids)) == ids, f"{entry.source} is half-written"
    assert store.verify() == []
    return len(stored)


# ---------------------------------------------------------------------------------------------- qa postgres


@pytest.fixture
def scratch() -> Iterator[Path]:
    """A temporary folder outside pytest's (which root's server user cannot reach)."""
    folder = Path(tempfile.mkdtemp(prefix="qa-replica-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_a_replica_of_a_server_that_is_not_there_is_one_line_and_leaves_no_folder(scratch, capsys):
    primary = f"postgresql://postgres:hunter2@/postgres?host={scratch / 'nothing'}"
    assert main(["postgres", "start", "--data", str(scratch / "replica"), "--replica-of", primary]) == 3
    assert capsys.readouterr().err == (
        f"error: cannot copy the primary at postgresql://postgres:***@/postgres?host={scratch / 'nothing'}: connection "
        f'to server on socket "{scratch / "nothing" / ".s.PGSQL.5432"}" failed: No such file or directory\n'
    )
    assert list(scratch.iterdir()) == []


def test_a_replica_needs_an_empty_folder_and_only_a_running_replica_is_promoted(scratch, capsys):
    (scratch / "notes.txt").write_text("mine")
    assert main(["postgres", "start", "--data", str(scratch), "--replica-of", "postgresql:///qa"]) == 3
    assert capsys.readouterr().err == f"error: {scratch} is not empty: a replica needs a new or empty folder\n"
    assert main(["postgres", "promote", "--data", str(scratch)]) == 3
    assert capsys.readouterr().err == (
        f"error: the PostgreSQL server of {scratch} is not running (qa postgres start --data {scratch})\n"
    )
    assert main(["postgres", "stop", "--data", str(scratch), "--replica-of", "postgresql:///qa"]) == 2
    assert capsys.readouterr().err == "error: --replica-of goes with qa postgres start\n"
    assert [path.name for path in scratch.iterdir()] == ["notes.txt"]


# ---------------------------------------------------------------------------------------------- a stopped server


@pytest.mark.slow
def test_a_primary_stopped_mid_indexing_leaves_whole_documents_and_indexing_resumes(
    servers, reports, tmp_path, embedder, monkeypatch
):
    write_reports(reports, range(4, 8))  # 8 reports, 16 passages: 4 commits of 2 documents
    data = servers / "primary"
    store = PostgresStore(start_embedded(data), schema="qa_reports")
    indexer = qa.index.Indexer(store, embedder, CHUNK_TOKENS, OVERLAP)
    monkeypatch.setattr(qa.index, "COMMIT_PASSAGES", 4)
    account, commits = qa.store.postgres.store._account, []

    def stop_in_the_second_commit(cursor, ids, sign):
        if sign > 0:  # the last step of a write's transaction: its rows are in, not yet committed
            commits.append(ids)
            if len(commits) == 2:
                stop_embedded(data)
        account(cursor, ids, sign)

    try:
        with monkeypatch.context() as patch:
            patch.setattr(qa.store.postgres.store, "_account", stop_in_the_second_commit)
            with pytest.raises(StoreUnavailable) as lost:
                indexer.sync_folder(reports, 10**6, progress=False)
        assert one_line(str(lost.value)).startswith(f"lost the store at {store.shown} while writing documents: ")
        assert len(commits) == 2 and not embedded_running(data)
        start_embedded(data)
        assert whole_documents(store) == 2  # the first commit, all of it; nothing of the second
        resumed = indexer.sync_folder(reports, 10**6, progress=False)  # the same handle, its connections renewed
        assert (len(resumed.reused), len(resumed.added), resumed.embedded_passages) == (2, 6, 12)
        assert whole_documents(store) == 8
    finally:
        store.close()


@pytest.mark.slow
def test_a_stopped_database_is_one_line_to_a_running_engine_which_answers_again_when_it_returns(
    servers, reports, tmp_path, embedder
):
    from qa.app.web import STORE_UNAVAILABLE, public_error

    data = servers / "primary"
    engine = engine_on(start_embedded(data), reports, tmp_path / "index", embedder)
    assert answers(engine, 1)
    stop_embedded(data)
    with pytest.raises(StoreUnavailable) as lost:
        engine.ask(question(1))
    assert one_line(str(lost.value)).startswith(f"cannot open the store at {engine.store.shown}: ")
    assert public_error(lost.value) == STORE_UNAVAILABLE  # what the chat shows
    start_embedded(data)
    assert answers(engine, 1)
    store = engine.store
    assert isinstance(store, PostgresStore)
    with ExitStack() as borrowed:  # four idle connections, all ended by a restart between two questions
        for _ in range(4):
            borrowed.enter_context(store._connections.borrow())
    stop_embedded(data)
    start_embedded(data)
    assert all(answers(engine, n) for n in range(4))  # the first question after the restart is answered too
    engine.store.close()


# ---------------------------------------------------------------------------------------------- read replicas


@pytest.fixture
def replicated(servers, reports, tmp_path, embedder, capsys) -> dict:
    """A primary holding the reports' collection and a streaming replica of it made with ``qa postgres start
    --replica-of``: their data folders, URIs and an engine indexing into the primary."""
    primary_uri = start_embedded(servers / "primary")
    writer = engine_on(primary_uri, reports, tmp_path / "index", embedder)
    assert writer.refresh_index(progress=False).added
    capsys.readouterr()
    assert main(["postgres", "start", "--data", str(servers / "replica"), "--replica-of", primary_uri, "--quiet"]) == 0
    replica_uri = capsys.readouterr().out.strip()
    assert replica_uri == f"postgresql://postgres:@/postgres?host={servers / 'replica'}"
    assert is_replica(servers / "replica")
    yield {"primary": servers / "primary", "replica": servers / "replica", "uri": replica_uri, "writer": writer}
    writer.store.close()


@pytest.mark.slow
def test_a_replica_answers_while_the_primary_indexes_and_holds_each_commit_within_the_lag(
    replicated, reports, tmp_path, embedder
):
    chat = engine_on(replicated["uri"], reports, tmp_path / "index", embedder, read_only=True)
    assert answers(chat, 1)
    asked, failures, done = [], [], threading.Event()

    def keep_asking() -> None:
        while not done.is_set():
            try:
                asked.append(answers(chat, 1))
            except Exception as error:  # noqa: BLE001 - every failure is one to report
                failures.append(f"{type(error).__name__}: {error}")

    asking = threading.Thread(target=keep_asking, daemon=True)
    asking.start()
    try:
        write_reports(reports, range(4, 8))
        assert len(replicated["writer"].refresh_index(progress=False).added) == 4
    finally:
        done.set()
        asking.join(60)
    assert failures == [] and asked and all(asked)
    lag = lag_of_one_commit(replicated["writer"], chat, reports, 8)
    print(f"replica lag: held {lag[0] * 1000:.1f} ms, answered {lag[1] * 1000:.0f} ms after the commit")
    assert lag[0] < lag[1] < MAX_LAG_S
    assert all(answers(chat, n) for n in range(9))
    stop_embedded(replicated["replica"])  # a stopped replica starts again as one and catches up
    write_reports(reports, [9])
    assert len(replicated["writer"].refresh_index(progress=False).added) == 1
    assert main(["postgres", "start", "--data", str(replicated["replica"]), "--quiet"]) == 0
    assert is_replica(replicated["replica"])
    deadline = time.monotonic() + MAX_LAG_S
    while not answers(chat, 9) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert answers(chat, 9)
    chat.store.close()


def lag_of_one_commit(writer: QA, chat: QA, reports: Path, number: int) -> tuple[float, float]:
    """Seconds from the commit of report ``number`` on the primary until the replica holds it, and until it
    answers its question."""
    store, wanted = writer.store, f"{document_id(report_text(number))}:0"
    write, committed = store.write, []

    def timed_write(items):
        write(items)
        committed.append(time.monotonic())

    store.write = timed_write
    try:
        write_reports(reports, [number])
        writer.refresh_index(progress=False)
    finally:
        del store.write
    deadline = committed[-1] + MAX_LAG_S
    while not chat.store.get_passages([wanted]) and time.monotonic() < deadline:
        time.sleep(0.001)
    held = time.monotonic() - committed[-1]
    while not answers(chat, number) and time.monotonic() < deadline:
        time.sleep(0.01)
    return held, time.monotonic() - committed[-1]


@pytest.mark.slow
def test_a_replica_refuses_writes_in_one_line(replicated, reports, tmp_path, embedder):
    uri = replicated["uri"]
    chat = engine_on(uri, reports, tmp_path / "index", embedder)  # not told it is read-only
    write_reports(reports, [4])
    with pytest.raises(StoreReadOnly) as refused:
        chat.refresh_index(progress=False)
    shown = f"the store at {uri} is read-only: "
    assert one_line(str(refused.value)) == shown + REPLICA
    assert answers(chat, 1) and chat.read_only  # it answers from the replica as it is
    with pytest.raises(StoreReadOnly) as refused:
        chat.store.delete([document_id(report_text(1))])
    assert one_line(str(refused.value)) == shown + REPLICA
    with pytest.raises(StoreReadOnly) as refused:
        PostgresCatalog(uri).create("another", None)
    assert one_line(str(refused.value)) == shown + "no collection can be added"
    with pytest.raises(StoreReadOnly) as refused:
        PostgresStore(uri, schema="qa_new")
    assert one_line(str(refused.value)).startswith(shown)
    chat.store.close()


@pytest.mark.slow
def test_a_promoted_replica_keeps_the_chat_answering_and_takes_the_indexing(
    replicated, reports, tmp_path, embedder, capsys
):
    chat = engine_on(replicated["uri"], reports, tmp_path / "index", embedder, read_only=True)
    assert answers(chat, 2)
    primary = replicated["primary"]
    run_as_server(["pg_ctl", "stop", f"--pgdata={primary}", "--mode=immediate", "--wait"], primary)  # lost
    assert not embedded_running(primary)
    assert answers(chat, 2)  # a standby without its primary still answers
    capsys.readouterr()
    assert main(["postgres", "promote", "--data", str(replicated["replica"])]) == 0
    assert capsys.readouterr().out == (
        f"the replica of {replicated['replica']} is a primary now: index into it at\n  {replicated['uri']}\n"
    )
    assert not is_replica(replicated["replica"])
    assert answers(chat, 3)  # the same engine, its connections kept
    write_reports(reports, [4])
    writer = engine_on(replicated["uri"], reports, tmp_path / "index", embedder)
    assert writer.refresh_index(progress=False).added == [document_id(report_text(4))]
    assert answers(chat, 4)
    assert main(["postgres", "promote", "--data", str(replicated["replica"])]) == 3
    assert capsys.readouterr().err == (
        f"error: the PostgreSQL server of {replicated['replica']} is a primary already: only a replica can be "
        "promoted\n"
    )
    writer.store.close()
    chat.store.close()
