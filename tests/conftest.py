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
    engine = QA(documents_dir=documents, index_dir=tmp_path_factory.mktemp("index"))
    engine.embedder = embedder
    engine.warm_up()
    return engine
