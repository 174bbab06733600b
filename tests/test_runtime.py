"""The reader's runtime and precision: chosen from the CPU's flags, exported to ONNX once, read like PyTorch."""

from __future__ import annotations

import shutil
import threading
import warnings
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

from qa.reading.reader import SpanReader
from qa.runtime import (
    INPUTS,
    TorchSession,
    choose_runtime,
    cpu_flags,
    exported,
    model_fingerprint,
    on_a_passing_thread,
    on_torch_lane,
    packed_linear_function,
    padded_length,
    prepacked,
    reader_exportable,
    traced,
)
from qa.validation import OptionError

AVX2 = frozenset({"sse4_2", "avx", "avx2", "fma"})
VNNI_AND_BF16 = AVX2 | {"avx512f", "avx512_vnni", "avx512_bf16"}  # AMD EPYC (Zen 4)
AMX = VNNI_AND_BF16 | {"amx_tile", "amx_bf16", "amx_int8"}  # Intel Sapphire Rapids


@pytest.mark.parametrize(
    ("flags", "onnx", "chosen"),
    [
        (AVX2, True, ("onnx", "fp32")),
        (AVX2, False, ("torch", "fp32")),
        (AVX2 | {"avx_vnni"}, True, ("onnx", "int8")),
        (VNNI_AND_BF16, True, ("onnx", "int8")),
        (VNNI_AND_BF16, False, ("torch", "bf16")),
        (AMX, True, ("torch", "bf16")),
        (frozenset(), True, ("onnx", "fp32")),
    ],
)
def test_auto_picks_the_fastest_accurate_choice_for_the_cpu(flags, onnx, chosen):
    assert choose_runtime(flags, onnx_available=onnx) == chosen


@pytest.mark.parametrize(
    ("flags", "chosen"),
    [
        (AVX2, ("onnx", "fp32")),
        (AVX2 | {"avx_vnni"}, ("onnx", "fp32")),
        (VNNI_AND_BF16, ("torch", "bf16")),
        (AMX, ("torch", "bf16")),
    ],
)
def test_the_reader_never_picks_int8_by_itself(flags, chosen):
    assert choose_runtime(flags, int8=False) == chosen
    assert choose_runtime(flags, "auto", "int8", int8=False) == ("onnx", "int8")  # asked for, it gets it


@pytest.mark.parametrize(
    ("runtime", "precision", "chosen"),
    [
        ("torch", "auto", ("torch", "bf16")),
        ("onnx", "auto", ("onnx", "int8")),
        ("auto", "int8", ("onnx", "int8")),
        ("auto", "bf16", ("torch", "bf16")),
        ("auto", "fp32", ("torch", "fp32")),
        ("onnx", "fp32", ("onnx", "fp32")),
    ],
)
def test_a_forced_runtime_or_precision_is_kept(runtime, precision, chosen):
    assert choose_runtime(VNNI_AND_BF16, runtime, precision) == chosen


def test_a_forced_runtime_picks_a_precision_the_cpu_runs_fast():
    assert choose_runtime(AVX2, "torch") == ("torch", "fp32")
    assert choose_runtime(AVX2, "onnx") == ("onnx", "fp32")


@pytest.mark.parametrize(
    ("runtime", "precision", "message"),
    [
        ("torch", "int8", "The torch runtime runs in fp32 or bf16, not int8 (QA_RUNTIME, QA_PRECISION)."),
        ("onnx", "bf16", "The onnx runtime runs in fp32 or int8, not bf16 (QA_RUNTIME, QA_PRECISION)."),
    ],
)
def test_a_pair_that_does_not_exist_is_refused_in_one_line(runtime, precision, message):
    with pytest.raises(OptionError) as error:
        choose_runtime(AMX, runtime, precision)
    assert str(error.value) == message


def test_onnx_asked_for_without_onnxruntime_says_what_to_install():
    with pytest.raises(OptionError, match=r"^int8 needs the onnxruntime package: pip install onnxruntime onnx\.$"):
        choose_runtime(AMX, "auto", "int8", onnx_available=False)
    with pytest.raises(OptionError, match=r"^The onnx runtime needs the onnxruntime package"):
        choose_runtime(AMX, "onnx", onnx_available=False)


def test_cpu_flags_are_read_from_cpuinfo(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nmodel name\t: AMD EPYC\nflags\t\t: fpu avx2 avx512_vnni\n\n", encoding="utf-8")
    assert cpu_flags(cpuinfo) == {"fpu", "avx2", "avx512_vnni"}
    assert cpu_flags(tmp_path / "missing") == frozenset()


def test_quieting_the_quantiser_drops_its_lines_alone_and_sets_every_level_back(caplog):
    import logging
    import os

    import onnxruntime.quantization

    from qa.runtime import quiet_quantiser

    inside = os.path.join(os.path.dirname(onnxruntime.quantization.__file__), "quantize.py")
    tip = compile("import logging\nlogging.warning('Please consider pre-processing')", inside, "exec")
    named = logging.getLogger(onnxruntime.quantization.__name__)
    levels = (logging.getLogger().level, named.level)
    with caplog.at_level(logging.INFO), quiet_quantiser():
        exec(tip)  # as the quantiser logs: on the root logger, from its own file
        named.warning("a named line of the quantiser")
        logging.warning("a line of this test on the root logger")
        logging.getLogger("qa.elsewhere").info("a line of another logger")
        exec(compile("import logging\nlogging.error('the quantiser failed')", inside, "exec"))
    assert [r.getMessage() for r in caplog.records] == [
        "a line of this test on the root logger",
        "a line of another logger",
        "the quantiser failed",
    ]
    assert (logging.getLogger().level, named.level) == levels and not logging.getLogger().filters
    caplog.clear()
    with caplog.at_level(logging.INFO):
        exec(tip)  # heard again once the export is done
    assert [r.getMessage() for r in caplog.records] == ["Please consider pre-processing"]


def test_the_fingerprint_follows_the_weights_not_the_calibration(tiny_model_dir, tmp_path):
    copy = tmp_path / "model"
    shutil.copytree(tiny_model_dir, copy)
    before = model_fingerprint(copy)
    (copy / "calibration.json").write_text("{}", encoding="utf-8")
    assert model_fingerprint(copy) == before
    weights = next(copy.glob("*.safetensors"))
    weights.write_bytes(weights.read_bytes()[:-1] + b"\x00")
    assert model_fingerprint(copy) != before


def test_the_onnx_reader_is_exported_once_and_reads_like_pytorch(tiny_model_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("QA_CACHE_DIR", str(tmp_path))
    torch_reader = SpanReader(tiny_model_dir, max_length=64, stride=16)
    onnx_reader = SpanReader(tiny_model_dir, max_length=64, stride=16, runtime="onnx", precision="fp32")
    texts = ["Marie Curie won the Nobel Prize in 1903 and again in 1911. " * 3, "Paris is the capital of France."]
    encoded = torch_reader.tokenizer(["who won?"] * 2, texts, truncation="only_second", max_length=64)
    for ours, theirs in zip(onnx_reader.logits(encoded), torch_reader.logits(encoded), strict=True):
        for a, b in zip(ours, theirs, strict=True):
            assert np.allclose(a, b, atol=1e-4)
    assert [p.name for p in tmp_path.iterdir()] == [f"reader-{model_fingerprint(Path(tiny_model_dir))}-fp32.onnx"]

    def no_model():
        raise AssertionError("the model was loaded although its export exists")

    export = next(tmp_path.iterdir())
    assert exported("reader", no_model, Path(tiny_model_dir), "fp32", tmp_path) == export


def test_int8_export_is_quantised_and_gives_spans(tiny_model_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("QA_CACHE_DIR", str(tmp_path))
    reader = SpanReader(tiny_model_dir, max_length=64, stride=16, runtime="onnx", precision="int8")
    from qa.models import Passage

    text = "Marie Curie won the Nobel Prize in 1903."
    spans = reader.read("Who won?", [Passage(id="p", document_id="d", start=0, end=len(text), text=text)])
    assert spans and all(text[s.start : s.end] == s.text for s in spans)
    (int8,) = tmp_path.iterdir()
    assert int8.name.endswith("-int8.onnx")
    fp32 = exported("reader", lambda: reader_exportable(reader.model), Path(tiny_model_dir), "fp32", tmp_path)
    assert int8.stat().st_size < fp32.stat().st_size  # weights stored as int8


def test_the_runtime_this_cpu_chooses_answers_the_sample_like_fp32(sample_engine, tmp_path, monkeypatch):
    """The product's default on this machine (whatever its CPU) against the fp32 reader the other tests pin."""
    monkeypatch.setenv("QA_CACHE_DIR", str(tmp_path))
    chosen = SpanReader(runtime="auto", precision="auto")
    fp32 = sample_engine.reader()
    assert fp32.runtime == ("torch", "fp32")
    for question in ("What did Lavrov warn about?", "Who heads Roscosmos?", "When was the Outer Space Treaty signed?"):
        passages = [p.passage for p in sample_engine.retriever.search(question, 5, "hybrid").passages]
        ours, theirs = chosen.read(question, passages), fp32.read(question, passages)
        assert ours[0].text == theirs[0].text, chosen.runtime
        assert ours[0].score == pytest.approx(theirs[0].score, abs=1.5)


def test_int8_gives_a_window_the_same_logits_whatever_is_read_beside_it(tiny_model_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("QA_CACHE_DIR", str(tmp_path))
    together = SpanReader(tiny_model_dir, max_length=64, runtime="onnx", precision="int8", batch_size=4)
    alone = SpanReader(tiny_model_dir, max_length=64, runtime="onnx", precision="int8", batch_size=1)
    texts = ["short one.", "Marie Curie won the Nobel Prize in 1903 and again in 1911. " * 3, "zzz " * 20, "Paris."]
    encoded = together.tokenizer(["who won?"] * 4, texts, truncation="only_second", max_length=64)
    for ours, theirs in zip(together.logits(encoded), alone.logits(encoded), strict=True):
        for a, b in zip(ours, theirs, strict=True):
            assert np.array_equal(a, b)


@contextmanager
def threads_of_passes():
    """The threads every PyTorch module's forward pass ran on meanwhile (a global forward hook of PyTorch's)."""
    import torch

    seen: set[int] = set()
    hook = torch.nn.modules.module.register_module_forward_pre_hook(lambda *_: seen.add(threading.get_ident()))
    try:
        yield seen
    finally:
        hook.remove()


def test_work_on_the_torch_lane_runs_on_one_thread_whichever_thread_asks():
    asked = [threading.Thread(target=on_torch_lane, args=(threading.get_ident,)) for _ in range(2)]
    for thread in asked:
        thread.start()
        thread.join()
    lane = {on_torch_lane(threading.get_ident) for _ in range(3)}
    assert len(lane) == 1 and lane.isdisjoint({threading.get_ident(), *(thread.ident for thread in asked)})


def test_work_on_a_passing_thread_runs_on_a_thread_that_ends_with_it():
    ran_on = on_a_passing_thread(threading.current_thread)
    assert ran_on is not threading.current_thread() and ran_on.ident != on_torch_lane(threading.get_ident)
    ran_on.join(timeout=10)  # (it may still be returning when the result comes)
    assert not ran_on.is_alive()


@pytest.mark.parametrize("where", [on_torch_lane, on_a_passing_thread])
def test_work_that_fails_raises_in_its_caller(where):
    with pytest.raises(ValueError, match="invalid literal"):
        where(int, "seven")


def test_the_pytorch_reader_reads_on_the_torch_lane(tiny_model_dir):
    reader = SpanReader(tiny_model_dir, max_length=64, stride=16, runtime="torch", precision="fp32")
    encoded = reader.tokenizer(["who won?"], ["Marie Curie won the Nobel Prize."], truncation="only_second")
    with threads_of_passes() as seen:
        reader.logits(encoded)
    assert seen == {on_torch_lane(threading.get_ident)}


def padded_batches(rows: int, length: int, seed: int) -> tuple:
    """Token ids, attention masks and token types of ``rows`` texts of ``length`` tokens, all but the first padded."""
    import torch

    generator = torch.Generator().manual_seed(seed)
    ids = torch.randint(1000, 2000, (rows, length), generator=generator)
    mask, types = torch.ones_like(ids), torch.zeros_like(ids)
    types[:, length // 3 :] = 1
    for row in range(1, rows):
        mask[row, length - row * length // (rows + 1) :] = 0
    return ids, mask, types


def test_a_traced_reader_gives_its_own_logits_on_batches_of_any_size_length_and_padding(tiny_model_dir):
    import torch

    from qa.runtime import forward

    module = reader_exportable(SpanReader(tiny_model_dir, runtime="torch", precision="fp32").model).module
    frozen = traced(module, padded_batches(1, 12, seed=0))
    assert isinstance(frozen, torch.jit.ScriptModule)
    for rows, length, seed in [(1, 64, 1), (4, 37, 2), (2, 5, 3)]:
        batch = padded_batches(rows, length, seed)
        for expected, got in zip(forward(module, batch), forward(frozen, batch), strict=True):
            assert torch.allclose(expected, got, atol=1e-5)


def bf16_reader_module(tiny_model_dir: str):
    """The tiny reader in bf16, its linear layers given biases (a new BERT's are zeros)."""
    import torch

    module = reader_exportable(SpanReader(tiny_model_dir, runtime="torch", precision="bf16").model).module
    generator = torch.Generator().manual_seed(5)
    for layer in module.modules():
        if isinstance(layer, torch.nn.Linear):
            layer.bias.data = torch.randn(layer.bias.shape, generator=generator).to(layer.bias.dtype)
    return module


def assert_same_logits_where_read(module, other) -> None:
    """Both modules' logits agree within bf16's rounding on every token a batch reads (its padding aside)."""
    import torch

    from qa.runtime import forward

    for rows, length, seed in [(1, 64, 1), (4, 37, 2), (2, 5, 3)]:
        batch = padded_batches(rows, length, seed)
        read = batch[INPUTS.index("attention_mask")].bool()
        for expected, got in zip(forward(module, batch), forward(other, batch), strict=True):
            assert torch.allclose(expected[read].float(), got[read].float(), rtol=1e-2, atol=1e-2)


def test_a_bf16_module_is_prepacked_over_its_own_weights_where_onednn_runs_bf16(tiny_model_dir):
    import torch

    module = bf16_reader_module(tiny_model_dir)
    packed = prepacked(module)
    if packed_linear_function() is None:  # (PyTorch without oneDNN, or a CPU without AVX-512)
        assert packed is None
        return
    assert packed is not None
    assert not any(isinstance(layer, torch.nn.Linear) for layer in packed.modules())
    assert sum(isinstance(layer, torch.nn.Linear) for layer in module.modules()) == 7  # the module keeps its own
    embeddings = [m.model.bert.embeddings.word_embeddings.weight for m in (module, packed)]
    assert embeddings[0] is embeddings[1]  # the other weights are shared, not copied
    assert_same_logits_where_read(module, packed)


def test_a_fp32_module_is_not_prepacked(tiny_model_dir):
    module = reader_exportable(SpanReader(tiny_model_dir, runtime="torch", precision="fp32").model).module
    assert prepacked(module) is None


def test_a_traced_bf16_reader_runs_prepacked_where_it_can_and_gives_its_own_logits(tiny_model_dir):
    import torch

    module = bf16_reader_module(tiny_model_dir)
    frozen = traced(module, padded_batches(1, 12, seed=0))
    assert isinstance(frozen, torch.jit.ScriptModule)
    assert ("mkldnn::_linear_pointwise" in str(frozen.inlined_graph)) == (packed_linear_function() is not None)
    assert_same_logits_where_read(module, frozen)
    plain = traced(module, padded_batches(1, 12, seed=0), prepack=False)  # as eval.prepacking compares it
    assert isinstance(plain, torch.jit.ScriptModule)
    assert "mkldnn::_linear_pointwise" not in str(plain.inlined_graph)
    assert_same_logits_where_read(module, plain)


def test_a_module_onednn_cannot_pack_is_traced_as_it_is():
    import torch

    class Module(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = torch.nn.Embedding(3000, 4).to(torch.bfloat16)
            self.empty = torch.nn.Linear(0, 4).to(torch.bfloat16)  # no input feature: oneDNN refuses its weight

        def forward(self, input_ids, attention_mask, token_type_ids):
            vectors = self.embedding(input_ids) * attention_mask.unsqueeze(-1)
            return vectors + self.empty(vectors[..., :0])

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (initialising a weight of no element)
        module = Module().eval()
    frozen = traced(module, padded_batches(1, 12, seed=0))
    assert isinstance(frozen, torch.jit.ScriptModule)
    assert "mkldnn::_linear_pointwise" not in str(frozen.inlined_graph)


class Doubling:
    """Modules whose outputs are their token ids' embeddings, doubled as the kind says."""

    @staticmethod
    def made(kind: str):
        import torch

        class Module(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.embedding = torch.nn.Embedding(3000, 4)

            def forward(self, input_ids, attention_mask, token_type_ids):
                vectors = self.embedding(input_ids) * attention_mask.unsqueeze(-1)
                if kind == "by length" and input_ids.shape[1] > 20:  # a Python branch the trace freezes one way
                    return vectors * 2
                if kind == "untraceable" and torch.jit.is_tracing():
                    raise RuntimeError("cannot be traced")
                return vectors

        return Module().eval()


@pytest.mark.parametrize("kind", ["by length", "untraceable"])
def test_a_module_a_trace_would_get_wrong_or_cannot_trace_runs_as_it_is(kind):
    module = Doubling.made(kind)
    assert traced(module, padded_batches(1, 30, seed=0)) is module
    session = TorchSession(module)
    session.trace(as_batch(padded_batches(1, 30, seed=0)))
    assert not session.is_traced
    for length in (8, 30):  # each gives the module's own outputs
        batch = padded_batches(2, length, seed=length)
        np.testing.assert_allclose(session(as_batch(batch))[0], module(*batch).detach().numpy(), atol=1e-6)


def as_batch(tensors: tuple) -> dict:
    """The tensors of ``padded_batches`` as a session's batch."""
    return {name: values.numpy() for name, values in zip(INPUTS, tensors, strict=True)}


def test_a_session_runs_its_module_as_it_is_until_it_is_traced_then_traced(tiny_model_dir):
    module = reader_exportable(SpanReader(tiny_model_dir, runtime="torch", precision="fp32").model).module
    calls = []
    module.register_forward_hook(lambda *_: calls.append(1))  # a traced module calls no Python hook
    session = TorchSession(module)
    batch = as_batch(padded_batches(2, 20, seed=4))
    before = [session(batch) for _ in range(2)]
    assert len(calls) == 2 and not session.is_traced
    session.trace(batch)  # traces it, and checks the trace against the module itself
    traced_at = len(calls)
    after = [session(batch) for _ in range(2)]
    assert session.is_traced and len(calls) == traced_at
    for outputs in before[1:] + after:
        np.testing.assert_allclose(outputs[0], before[0][0], atol=1e-5)


@pytest.mark.parametrize(
    ("length", "step", "most", "padded"),
    [
        (1, 32, 256, 32),
        (32, 32, 256, 32),
        (33, 32, 256, 64),
        (250, 32, 256, 256),
        (256, 32, 256, 256),
        (300, 32, 256, 300),
        (250, 32, 252, 252),
        (11, 8, 256, 16),
    ],
)
def test_a_pass_is_padded_to_a_multiple_of_its_step_but_never_past_its_most(length, step, most, padded):
    assert padded_length(length, step, most) == padded
