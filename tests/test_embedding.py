"""Embedding: a plain mean-pooling model runs without sentence-transformers, with its vectors, in each runtime."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
from conftest import REPO
from test_runtime import threads_of_passes

from qa.embedding import Embedder, MeanPoolingShape, mean_pooling_shape, resolve_embedding_model, unit_rows
from qa.runtime import on_torch_lane

PACKAGED = resolve_embedding_model("")


@pytest.fixture
def model_copy(tmp_path):
    """The packaged model's small files (not its weights) in a folder of its own, to be edited."""
    folder = tmp_path / "model"
    shutil.copytree(PACKAGED, folder, ignore=shutil.ignore_patterns("*.safetensors", "*.bin", "*.onnx", "README.md"))
    return folder


def edit(path, **changes) -> None:
    path.write_text(json.dumps({**json.loads(path.read_text(encoding="utf-8")), **changes}), encoding="utf-8")


def test_the_packaged_model_is_read_as_mean_pooling_without_loading_it():
    assert mean_pooling_shape(PACKAGED) == MeanPoolingShape(max_seq_length=256, dimension=384)
    embedder = Embedder()
    assert (embedder.dimension, embedder.max_tokens) == (384, 254)
    assert "model" not in embedder.__dict__
    twin = embedder.twin()
    assert twin.shape == embedder.shape and "model" not in twin.__dict__
    assert not twin.spinning and embedder.twin(spinning=True).spinning  # questions do not spin; indexing does
    assert embedder.twin(spinning=True).twin().spinning


@pytest.mark.parametrize(
    "change",
    [
        lambda f: edit(f / "1_Pooling" / "config.json", pooling_mode_mean_tokens=False, pooling_mode_cls_token=True),
        lambda f: edit(f / "1_Pooling" / "config.json", pooling_mode_max_tokens=True),
        lambda f: edit(f / "sentence_bert_config.json", do_lower_case=True),
        lambda f: edit(f / "config_sentence_transformers.json", prompts={"query": "query: "}),
        lambda f: (f / "modules.json").write_text(
            json.dumps([*json.loads((f / "modules.json").read_text()), {"type": "sentence_transformers.models.Dense"}])
        ),
        lambda f: (f / "1_Pooling" / "config.json").unlink(),
        lambda f: (f / "modules.json").write_text("not json"),
    ],
    ids=["cls-pooling", "max-pooling", "lower-case", "prompts", "dense-layer", "no-pooling-config", "broken"],
)
def test_any_other_model_is_left_to_sentence_transformers(model_copy, change):
    assert mean_pooling_shape(str(model_copy)) == MeanPoolingShape(256, 384)
    change(model_copy)
    assert mean_pooling_shape(str(model_copy)) is None


def test_a_model_name_is_not_a_folder():
    assert mean_pooling_shape("sentence-transformers/all-MiniLM-L6-v2") is None


def test_a_hub_name_missing_from_the_cache_is_one_line_and_never_tries_the_network(no_network):
    from qa.reading.reader import SpanReader
    from qa.validation import OptionError

    name = "no-such-owner/no-such-model"
    missing = f"{{}} {name!r} cannot be loaded: no such folder, nor a model of that name in the Hugging Face cache."
    for load in (lambda: Embedder(name).tokenizer, lambda: Embedder(name).dimension):
        with pytest.raises(OptionError) as raised:
            load()
        assert str(raised.value) == missing.format("embedding_model")
    for load in (lambda: SpanReader(name).tokenizer, lambda: SpanReader(name).model):
        with pytest.raises(OptionError) as raised:
            load()
        assert str(raised.value) == missing.format("reader_model")
    assert no_network == []


def test_without_normalisation_the_shape_says_so(model_copy):
    modules = json.loads((model_copy / "modules.json").read_text())
    (model_copy / "modules.json").write_text(json.dumps(modules[:2]))
    assert mean_pooling_shape(str(model_copy)) == MeanPoolingShape(256, 384, normalize=False)


def test_a_model_onnx_cannot_run_runs_in_pytorch(model_copy):
    edit(model_copy / "1_Pooling" / "config.json", pooling_mode_mean_tokens=False, pooling_mode_cls_token=True)
    assert Embedder(str(model_copy), runtime="onnx", precision="int8").runtime == ("torch", "fp32")
    assert Embedder(runtime="onnx", precision="int8").runtime == ("onnx", "int8")


def test_unit_rows_are_unit_length_in_float32():
    rows = unit_rows(np.array([[3.0, 4.0], [0.0, 0.0]], dtype=np.float16))
    assert rows.dtype == np.float32
    assert np.allclose(rows, [[0.6, 0.8], [0.0, 0.0]], atol=1e-3)


@pytest.mark.slow
def test_the_vectors_are_sentence_transformers_vectors(embedder):
    from sentence_transformers import SentenceTransformer

    texts = [
        "What did Lavrov warn about?",
        "  spaces around  ",
        "Zoë’s café — “quotes” and 日本語",
        "word " * 400,  # longer than the model reads: both cut it at 256 tokens
        "",
    ]
    reference = SentenceTransformer(PACKAGED, device="cpu").encode(texts, batch_size=2, normalize_embeddings=True)
    assert "model" not in embedder.__dict__  # no sentence-transformers model was loaded
    assert np.abs(embedder.embed(texts, batch_size=2) - reference).max() < 1e-5
    assert np.abs(embedder.embed(texts) - reference).max() < 1e-5


@pytest.mark.slow
def test_questions_embedded_together_get_their_own_vectors(embedder):
    import threading

    questions = [f"Who signed treaty number {n} in Zoë’s café?" for n in range(8)]
    alone = embedder.embed(questions)
    release, together = threading.Barrier(len(questions)), [None] * len(questions)

    def ask(number: int) -> None:
        release.wait()
        together[number] = embedder.embed_together([questions[number]])

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(len(questions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(v is not None and v.shape == (1, embedder.dimension) for v in together)
    assert np.abs(np.vstack(together) - alone).max() < 1e-3  # int8 rows padded with others move a little
    assert embedder.embed_together([]).shape == (0, embedder.dimension)


@pytest.mark.slow
def test_embedding_does_not_import_sentence_transformers():
    code = (
        "import sys; from qa.embedding import Embedder; Embedder().embed(['a question']); "
        "print('sentence_transformers' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"},
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "False"


TEXTS = [
    "Russian space agency Roscosmos raised concerns over NATO's space launches.",
    "Who heads Roscosmos?",
    "Ж. Ролан écrit « Jean-Christophe » à Genève; 東京 is far away.",
    "short",
    " ".join(["A much longer passage about the treaty, its signatories and what it forbids."] * 30),
]


@pytest.mark.parametrize(
    ("runtime", "precision", "least"), [("onnx", "fp32", 0.9999), ("onnx", "int8", 0.98), ("torch", "bf16", 0.99)]
)
def test_each_runtime_gives_the_fp32_vectors(embedder, tmp_path, monkeypatch, runtime, precision, least):
    monkeypatch.setenv("QA_CACHE_DIR", str(tmp_path))
    ours = Embedder(runtime=runtime, precision=precision)
    vectors = ours.embed(TEXTS, batch_size=2)  # batches of different lengths, put back in order
    reference = embedder.embed(TEXTS)
    cosines = (vectors * reference).sum(axis=1)
    assert vectors.shape == reference.shape and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert cosines.min() >= least and cosines.mean() >= max(least, 0.99)
    assert (ours.dimension, ours.max_tokens) == (embedder.dimension, embedder.max_tokens)
    twin = ours.twin()
    assert twin.runtime == (runtime, precision)
    if runtime == "onnx":  # each text runs alone: the same numbers whatever it is batched with
        assert np.array_equal(twin.embed(TEXTS[:2]), vectors[:2])


def test_embedding_never_shares_the_tokenizer_chunking_counts_with():
    """Indexing chunks the next files in one thread while it embeds in another: a fast tokenizer keeps its padding
    settings between calls, so a shared one padded a batch to ragged rows ("setting an array element with a
    sequence")."""
    embedder = Embedder()
    assert embedder._batch_tokenizer is not embedder.tokenizer
    twin = embedder.twin()
    assert twin.tokenizer is not embedder.tokenizer and twin._batch_tokenizer is not embedder._batch_tokenizer


def test_pytorch_embeds_questions_on_the_torch_lane_and_passages_on_other_threads():
    import threading

    embedder = Embedder(runtime="torch", precision="fp32")
    embedder.warm_up()
    lane = on_torch_lane(threading.get_ident)
    with threads_of_passes() as questions:
        embedder.embed_together(["Who signed the treaty?"])
    with threads_of_passes() as passages:
        embedder.embed(["The treaty was signed in Zoë’s café.", "It rained."])
    assert questions == {lane}
    assert passages and passages.isdisjoint({lane, threading.get_ident()})  # (an ended thread's id may be reused)


def test_pytorch_pads_a_batch_to_a_step_and_each_text_keeps_its_own_vector():
    from qa.embedding import LENGTH_STEP

    embedder = Embedder(runtime="torch", precision="fp32")
    widths, pooled = [], embedder.pooled
    embedder.__dict__["pooled"] = lambda batch: widths.append(batch["input_ids"].shape[1]) or pooled(batch)
    texts = ["Who signed the treaty?", "Zoë’s café — “quotes”", "Who heads the agency that signed it, and when?"]
    vectors = embedder.embed(texts, batch_size=1)
    assert widths and all(width % LENGTH_STEP == 0 for width in widths)
    unpadded = [dict(embedder._batch_tokenizer([text], return_tensors="np")) for text in texts]
    assert any(features["input_ids"].shape[1] % LENGTH_STEP for features in unpadded)  # some were padded
    for features, vector in zip(unpadded, vectors, strict=True):
        assert np.allclose(vector, unit_rows(pooled(features))[0], atol=1e-5)


@pytest.mark.parametrize(("runtime", "longest", "step"), [("torch", 256, 8), ("torch", 250, None), ("onnx", 256, None)])
def test_a_batch_is_padded_to_a_step_only_in_pytorch_and_never_past_the_longest_text(
    model_copy, runtime, longest, step
):
    edit(model_copy / "sentence_bert_config.json", max_seq_length=longest)
    assert Embedder(str(model_copy), runtime=runtime, precision="fp32").length_step == step
