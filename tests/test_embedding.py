"""The embedder: the packaged model in each runtime and precision, and which models the ONNX path can run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from qa.embedding import Embedder, MeanPooledLayout, mean_pooled_layout, resolve_embedding_model, unit_rows

TEXTS = [
    "Russian space agency Roscosmos raised concerns over NATO's space launches.",
    "Who heads Roscosmos?",
    "Ж. Ролан écrit « Jean-Christophe » à Genève; 東京 is far away.",
    "short",
    " ".join(["A much longer passage about the treaty, its signatories and what it forbids."] * 30),
]


def model_folder_with_pooling(tmp_path: Path, **pooling) -> Path:
    """A copy of the packaged model's configuration files (not its weights) with other pooling settings."""
    source = Path(resolve_embedding_model(""))
    folder = tmp_path / "model"
    (folder / "1_Pooling").mkdir(parents=True)
    for name in ("modules.json", "sentence_bert_config.json", "config.json"):
        shutil.copy(source / name, folder / name)
    config = json.loads((source / "1_Pooling" / "config.json").read_text()) | pooling
    (folder / "1_Pooling" / "config.json").write_text(json.dumps(config))
    return folder


def test_the_packaged_model_is_mean_pooled_and_normalised():
    layout = mean_pooled_layout(Path(resolve_embedding_model("")))
    assert layout == MeanPooledLayout(max_seq_length=256, dimension=384, normalize=True)


def test_other_pooling_or_a_model_name_is_not_run_in_onnx(tmp_path):
    cls = model_folder_with_pooling(tmp_path, pooling_mode_cls_token=True, pooling_mode_mean_tokens=False)
    assert mean_pooled_layout(cls) is None
    assert mean_pooled_layout(tmp_path / "no-such-model") is None
    assert Embedder(str(cls), runtime="onnx", precision="int8").runtime == ("torch", "fp32")


def test_unit_rows_are_unit_length_in_float32():
    rows = unit_rows(np.array([[3.0, 4.0], [0.0, 0.0]], dtype=np.float16))
    assert rows.dtype == np.float32
    assert np.allclose(rows, [[0.6, 0.8], [0.0, 0.0]], atol=1e-3)


@pytest.mark.parametrize(("runtime", "precision", "least"), [("onnx", "fp32", 0.9999), ("onnx", "int8", 0.98)])
def test_onnx_embeddings_match_pytorch(embedder, tmp_path, monkeypatch, runtime, precision, least):
    monkeypatch.setenv("QA_CACHE_DIR", str(tmp_path))
    ours = Embedder(runtime=runtime, precision=precision)
    vectors = ours.embed(TEXTS, batch_size=2)  # batches of different lengths, put back in order
    reference = embedder.embed(TEXTS)
    cosines = (vectors * reference).sum(axis=1)
    assert vectors.shape == reference.shape and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert cosines.min() >= least and cosines.mean() >= max(least, 0.99)
    assert (ours.dimension, ours.max_tokens) == (embedder.dimension, embedder.max_tokens)
    assert "model" not in ours.__dict__  # the session holds the weights; the PyTorch copy was let go
    twin = ours.twin()
    assert twin.runtime == (runtime, precision)
    assert np.allclose(twin.embed(TEXTS[:2]), vectors[:2], atol=1e-6)
