"""The models' runtime and precision for this CPU (PyTorch fp32 or bf16, ONNX fp32 or int8 exported once), and their threads."""

from __future__ import annotations

import copy
import hashlib
import logging
import os
import threading
import warnings
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from qa.config import Precision, Runtime
from qa.validation import OptionError

log = logging.getLogger(__name__)

PRECISIONS: dict[str, tuple[str, ...]] = {"torch": ("fp32", "bf16"), "onnx": ("fp32", "int8")}

# What each choice needs of the CPU to be worth it: bf16 is emulated (about 5x slower) without these.
BF16_FLAGS = ("amx_bf16", "avx512_bf16")
VNNI_FLAGS = ("avx512_vnni", "avx_vnni", "amx_int8")

Batch = Mapping[str, np.ndarray]  # token ids, token types and attention masks, padded: (texts, tokens) each
Session = Callable[[Batch], list[np.ndarray]]  # a forward pass: the model's outputs, float32, one row per text
INPUTS = ("input_ids", "attention_mask", "token_type_ids")  # what every exported module takes, in this order
Output = TypeVar("Output")

# oneDNN's linear layer over a reordered weight, in TorchScript: a traced pass calls it without Python (which would
# wait for the GIL at every layer while another thread runs Python), and its list of optional scalars has a type
# ("number") that only TorchScript's own source can name.
PACKED_LINEAR = """
def packed_linear(x: Tensor, weight: Tensor, bias: Optional[Tensor]) -> Tensor:
    scalars: List[Optional[number]] = []
    return torch.ops.mkldnn._linear_pointwise(x, weight, bias, "none", scalars, "")
"""


@cache
def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> frozenset[str]:
    """The instruction-set flags of this CPU (empty where they cannot be read)."""
    try:
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("flags"):
                return frozenset(line.partition(":")[2].split())
    except OSError:
        pass
    return frozenset()


def choose_runtime(
    flags: frozenset[str],
    runtime: Runtime = "auto",
    precision: Precision = "auto",
    onnx_available: bool = True,
    int8: bool = True,
) -> tuple[str, str]:
    """(runtime, precision) for a CPU with ``flags``; "auto" picks what is fastest there at the model's accuracy
    (measured in ``python -m eval.benchmark``): bf16 in PyTorch with AMX; per-channel int8 in ONNX Runtime with VNNI
    when ``int8`` (the embedder; the reader's int8 logits keep its F1 but move its calibrated confidences, so it
    never picks int8 by itself); bf16 with avx512_bf16; ONNX Runtime fp32 (its fused kernels beat PyTorch's) or
    PyTorch fp32 elsewhere. Raises OptionError for a pair that does not exist (torch int8)."""
    if runtime != "auto" and precision != "auto" and precision not in PRECISIONS[runtime]:
        allowed = " or ".join(PRECISIONS[runtime])
        raise OptionError(f"The {runtime} runtime runs in {allowed}, not {precision} (QA_RUNTIME, QA_PRECISION).")
    if runtime == "onnx" and not onnx_available:
        raise OptionError("The onnx runtime needs the onnxruntime package: pip install onnxruntime onnx.")
    bf16 = any(f in flags for f in BF16_FLAGS)
    vnni = int8 and any(f in flags for f in VNNI_FLAGS)
    if precision != "auto":
        if runtime != "auto":
            return runtime, precision
        if precision == "int8" and not onnx_available:
            raise OptionError("int8 needs the onnxruntime package: pip install onnxruntime onnx.")
        return ("onnx" if precision == "int8" else "torch"), precision
    if runtime == "torch":
        return "torch", "bf16" if bf16 else "fp32"
    if runtime == "onnx":
        return "onnx", "int8" if vnni else "fp32"
    if "amx_bf16" in flags:
        return "torch", "bf16"
    if vnni and onnx_available:
        return "onnx", "int8"
    if bf16:
        return "torch", "bf16"
    return ("onnx", "fp32") if onnx_available else ("torch", "fp32")


@cache
def onnx_available() -> bool:
    import importlib.util

    return all(importlib.util.find_spec(name) is not None for name in ("onnxruntime", "onnx"))


def cache_dir() -> Path:
    """Where exported models are kept: ``QA_CACHE_DIR``, else ``$XDG_CACHE_HOME/qa`` or ``~/.cache/qa``."""
    if os.environ.get("QA_CACHE_DIR"):
        return Path(os.environ["QA_CACHE_DIR"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "qa"


def model_fingerprint(folder: Path) -> str:
    """A short digest of a model folder's weights and config files (name, size, modification time): an export made
    from other weights is not reused, and no start-up reads the weights to tell."""
    digest = hashlib.sha256(str(folder.resolve()).encode())
    for path in sorted(folder.iterdir()):
        if (path.suffix in (".safetensors", ".bin") or path.name == "config.json") and path.is_file():
            stat = path.stat()
            digest.update(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


_export_lock = threading.Lock()


@dataclass
class Exportable:
    """A PyTorch module to export (inputs: token ids, attention mask, token types), with its BERT config (heads and
    hidden size, for the optimizer) and the names of its outputs."""

    module: Any
    config: Any
    outputs: tuple[str, ...]


def exported(
    kind: str, load: Callable[[], Exportable], folder: Path, precision: str, cache: Path | None = None
) -> Path:
    """The ONNX file of the model in ``folder`` (``kind``: "reader" or "embedder"; ``load`` loads it in fp32) in
    ``precision``: exported, fused by onnxruntime's BERT optimizer and, for int8, quantised per channel (7-bit weights
    on a CPU without VNNI), the first time; reused after. Written under a temporary name and renamed: an interrupted export leaves nothing behind."""
    import onnxruntime  # noqa: F401 - fail here, before exporting, when it is missing

    cache = cache or cache_dir()
    # without VNNI, ONNX Runtime's int8 products can saturate: 7-bit weights keep them exact (its documented remedy)
    reduce_range = precision == "int8" and not any(f in cpu_flags() for f in VNNI_FLAGS)
    target = cache / f"{kind}-{model_fingerprint(folder)}{'-7bit' if reduce_range else ''}-{precision}.onnx"
    with _export_lock:
        if target.exists():
            return target
        cache.mkdir(parents=True, exist_ok=True)
        log.info("exporting the %s to ONNX (%s), once: %s", kind, precision, target)
        scratch = target.with_name(f".{target.stem}-{os.getpid()}")
        scratch.mkdir(exist_ok=True)
        try:
            fused = _export_fused(load(), scratch)
            if precision == "int8":
                from onnxruntime.quantization import QuantType, quantize_dynamic

                with quiet_quantiser():  # it logs a tip on pre-processing that is not ours to act on
                    quantize_dynamic(
                        fused,
                        scratch / "int8.onnx",
                        per_channel=True,  # per-tensor int8 costs the reader 5-6 EM
                        weight_type=QuantType.QInt8,
                        reduce_range=reduce_range,
                        extra_options={"DefaultTensorType": 1},
                    )
                fused = scratch / "int8.onnx"
            os.replace(fused, target)
        finally:
            for leftover in scratch.iterdir():
                leftover.unlink()
            scratch.rmdir()
        return target


class FromFolder(logging.Filter):
    """Lets through the records logged from outside ``folder`` (by their source file), and errors from anywhere."""

    def __init__(self, folder: str) -> None:
        super().__init__()
        self.folder = folder

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.ERROR or not record.pathname.startswith(self.folder)


_quiet_lock = threading.Lock()


@contextmanager
def quiet_quantiser() -> Iterator[None]:
    """onnxruntime's quantiser's info and warnings dropped meanwhile, and nothing else: it logs on the root logger
    itself (``logging.warning``), where a filter sees only what is logged there from its files; its own named
    loggers are raised to ERROR and set back after. Every other record, from any thread, goes through."""
    import onnxruntime.quantization

    quiet = FromFolder(os.path.dirname(onnxruntime.quantization.__file__) + os.sep)
    named = logging.getLogger(onnxruntime.quantization.__name__)
    root = logging.getLogger()
    with _quiet_lock:
        level = named.level
        named.setLevel(logging.ERROR)
        root.addFilter(quiet)
        try:
            yield
        finally:
            root.removeFilter(quiet)
            named.setLevel(level)


def _export_fused(model: Exportable, folder: Path) -> Path:
    import torch
    from onnxruntime.transformers import optimizer

    names = list(INPUTS)
    sample = torch.ones((2, 16), dtype=torch.long)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's notes on shapes it keeps as constants: the tests compare outputs
        torch.onnx.export(
            model.module,
            (sample, sample, torch.zeros_like(sample)),
            folder / "plain.onnx",
            dynamo=False,
            input_names=names,
            output_names=list(model.outputs),
            dynamic_axes={name: {0: "texts", 1: "tokens"} for name in names}
            | {name: {0: "texts"} for name in model.outputs},
            opset_version=17,
        )
    fused = optimizer.optimize_model(
        str(folder / "plain.onnx"),
        model_type="bert",
        num_heads=model.config.num_attention_heads,
        hidden_size=model.config.hidden_size,
    )
    fused.save_model_to_file(str(folder / "fused.onnx"))
    return folder / "fused.onnx"


def onnx_session(path: Path, per_token: bool, spinning: bool = True) -> Session:
    """A forward pass through the ONNX model at ``path``: its outputs, float32, for a batch padded on the right
    (``per_token``: the outputs have a token axis, padded back to the batch's width with zeros; ``spinning``: its
    threads busy-wait for the next run, which speeds runs that follow each other, as in indexing, but takes the cores
    from the work between runs that come now and then, as a question's embedding: 16 sample questions in a row took
    0.80 s with spinning and 0.62 s without).

    Each row runs alone, without its padding: int8 quantises activations with a scale measured on the whole run,
    so a row read beside others would get other numbers. Alone, a text gets the same numbers whatever else is asked
    at the same time; ONNX Runtime gains little from batching on a CPU (measured in ``eval.benchmark``)."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = os.cpu_count() or 1
    if not spinning:
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    wanted = {i.name for i in session.get_inputs()}
    outputs = [o.name for o in session.get_outputs()]

    def run(batch: Batch) -> list[np.ndarray]:
        feeds = {name: np.asarray(values, dtype=np.int64) for name, values in batch.items() if name in wanted}
        for name in wanted - feeds.keys():  # a tokenizer without token types
            feeds[name] = np.zeros_like(feeds["input_ids"])
        width = feeds["input_ids"].shape[1]
        rows: list[list[np.ndarray]] = []
        for row, length in enumerate(feeds["attention_mask"].sum(axis=1)):
            alone = {name: values[row : row + 1, :length] for name, values in feeds.items()}
            rows.append(session.run(outputs, alone))
        stacked = []
        for number in range(len(outputs)):
            parts = [np.asarray(found[number], dtype=np.float32) for found in rows]
            if per_token:
                parts = [np.pad(part, [(0, 0), (0, width - part.shape[1])]) for part in parts]
            stacked.append(np.concatenate(parts))
        return stacked

    return run


def reader_exportable(model) -> Exportable:
    """A question-answering model as a module returning (start logits, end logits)."""
    import torch

    class Logits(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            output = self.model(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
            return output.start_logits, output.end_logits

    return Exportable(Logits().eval(), model.config, ("start_logits", "end_logits"))


def embedder_exportable(transformer, normalize: bool) -> Exportable:
    """A transformer encoder as a module returning the mean of its token vectors (unit length if ``normalize``):
    what sentence-transformers computes with mean pooling."""
    import torch

    class MeanPooled(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.model = transformer

        def forward(self, input_ids, attention_mask, token_type_ids):
            tokens = self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(tokens.dtype)
            pooled = (tokens * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1) if normalize else pooled

    return Exportable(MeanPooled().eval(), transformer.config, ("embedding",))


@cache
def torch_lane() -> ThreadPoolExecutor:
    """The one thread of this process that runs the PyTorch passes answering questions (the reader's, the question
    embedder's). PyTorch's OpenMP gives each thread that runs a parallel pass a team of worker threads of its own, kept
    while the thread lives; once a second thread had one (the reader's and the embedder's shared batches each run on a
    thread), every pass ran as slowly as with ``OMP_WAIT_POLICY=PASSIVE``, its workers woken from sleep at each
    operator: on two cores a question's embedding took 12 ms instead of 5, a full reader window 27.6 ms instead of
    21.6 (docs/benchmarks.md)."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="qa-torch")


os.register_at_fork(after_in_child=torch_lane.cache_clear)  # a forked child has no lane thread: it starts its own


def on_torch_lane(work: Callable[..., Output], *args: Any, **kwargs: Any) -> Output:
    """``work(*args, **kwargs)`` run on the torch lane (see ``torch_lane``), this thread waiting for it."""
    return torch_lane().submit(work, *args, **kwargs).result()


def on_a_passing_thread(work: Callable[..., Output], *args: Any, **kwargs: Any) -> Output:
    """``work(*args, **kwargs)`` run on a thread started for it, which ends with it and takes its OpenMP team along:
    bulk PyTorch passes (indexing) leave the thread that asked them no team to slow the torch lane with later. They
    do not queue on the lane either, where a question would wait behind a whole batch of passages."""
    done: Future[Output] = Future()

    def run() -> None:
        try:
            done.set_result(work(*args, **kwargs))
        except BaseException as error:  # noqa: BLE001 - raised again in the caller
            done.set_exception(error)

    threading.Thread(target=run, name="qa-torch-bulk", daemon=True).start()
    return done.result()


def padded_length(length: int, step: int, most: int) -> int:
    """``length`` rounded up to a multiple of ``step``, but not past ``most`` (a longer ``length`` stays as it is):
    how long a PyTorch pass pads its batch (see ``TorchSession``)."""
    return max(length, min(-(-length // step) * step, most))


class TorchSession:
    """A forward pass through an exportable PyTorch ``module`` (in whatever dtype it was loaded): its outputs,
    float32, for a padded batch (token types default to zeros). It runs the module as it is until ``trace`` is
    called, then traced and frozen (``traced``) where that gives the module's own outputs.
    Its callers pad their batches to a length in steps (``padded_length``): PyTorch's oneDNN kernels are made for
    each shape they first meet, so a pass over a new shape took about 5 ms longer on two cores (a reader window of
    180 tokens 14.5 against 9.0-9.5 ms, a question embedded 5.6-7.1 against 3.4-4.0 ms) and a question's passes,
    each of its own length, mostly paid it (docs/benchmarks.md)."""

    def __init__(self, module) -> None:
        self.module = module
        self._running = module
        self._tried = False
        self._lock = threading.Lock()

    @property
    def is_traced(self) -> bool:
        """Whether it runs the module traced (``trace`` was called and the trace kept)."""
        return self._running is not self.module

    def __call__(self, batch: Batch) -> list[np.ndarray]:
        outputs = forward(self._running, tensors(batch))
        return [output.float().numpy() for output in (outputs if isinstance(outputs, tuple) else (outputs,))]

    def trace(self, batch: Batch) -> None:
        """Trace the module on a batch like ``batch``, once. For engines that answer many questions (a server, a
        chat, an evaluation: ``QA.warm_up``): the trace costs 0.2-0.3 s a model on two cores, which a process that
        answers one question (a cold ``qa ask``) would not win back."""
        with self._lock:
            if not self._tried:
                self._tried = True
                self._running = traced(self.module, tensors(batch))


def tensors(batch: Batch) -> tuple:
    """The batch's token ids, attention masks and token types (zeros when it has none) as tensors, in ``INPUTS``'
    order."""
    import torch

    ids = np.asarray(batch["input_ids"])
    return tuple(torch.as_tensor(np.asarray(batch[name]) if name in batch else np.zeros_like(ids)) for name in INPUTS)


def forward(module, inputs: tuple) -> Any:
    """``module``'s outputs for ``inputs``, without autograd (a frozen TorchScript module runs under ``no_grad``)."""
    import torch

    frozen = isinstance(module, torch.jit.ScriptModule)
    with torch.no_grad() if frozen else torch.inference_mode():
        return module(*inputs)


def traced(module, inputs: tuple, prepack: bool = True) -> Any:
    """``module`` traced by TorchScript on a padded batch like ``inputs`` (token ids, attention masks, token types)
    and frozen, when the trace gives the module's own outputs on ``inputs`` and on batches of other sizes, lengths and
    padding; else ``module`` itself (a model whose Python takes another branch for another shape, or one that cannot
    be traced). A traced pass skips PyTorch's per-operator Python and the model's own: on 2 cores with AMX, a
    question embedded in 2.8 ms instead of 4.3, a full reader window in bf16 in 11.9 instead of 14.3 ms, 16 of
    them in 101 instead of 147 ms, the same outputs (docs/benchmarks.md). A bf16 module is traced with its linear
    layers prepacked (``prepacked``) where that gives its own outputs on ``inputs``, unless ``prepack`` is False
    (``python -m eval.prepacking`` compares the two)."""
    import torch

    try:
        with torch.no_grad(), quiet_tracing():
            module = prepacked_if_same(module, inputs) if prepack else module
            frozen = torch.jit.freeze(torch.jit.trace(module.eval(), like(inputs, 2, 16), check_trace=False))
        for check in (inputs, like(inputs, 1, 9), like(inputs, 3, 40), like(inputs, 2, 120)):
            if not same_outputs(forward(module, check), forward(frozen, check)):
                log.info(
                    "%s runs untraced: its trace gives other outputs for %s", type(module).__name__, check[0].shape
                )
                return module
    except Exception as error:  # noqa: BLE001 - any model that cannot be traced (or checked) runs as it is
        log.info("%s runs untraced: %s", type(module).__name__, error)
        return module
    return frozen


def prepacked_if_same(module, inputs: tuple) -> Any:
    """``prepacked(module)`` when there is one and it gives ``module``'s own outputs on ``inputs``; else ``module``
    (also where oneDNN cannot reorder one of its weights: it is then traced as it is)."""
    try:
        packed = prepacked(module)
        if packed is not None and same_outputs(forward(module, inputs), forward(packed, inputs)):
            return packed
    except Exception as error:  # noqa: BLE001 - any weight oneDNN refuses: the module runs unpacked
        log.info("%s runs unpacked: %s", type(module).__name__, error)
    return module


def prepacked(module) -> Any | None:
    """A copy of ``module`` (sharing its weights) whose bf16 linear layers multiply by weights oneDNN reordered
    once, for this CPU, instead of a plain weight at every pass (``packed_linear``, ``PACKED_LINEAR``): on 2 cores
    with AMX a question embedded in 2.3 instead of 2.9-3.0 ms, a reader window of 224 tokens in 8.2-8.7 instead of
    10.3-11.7 ms (docs/benchmarks.md). None when it has no bf16 linear layer, or this PyTorch cannot run oneDNN's
    bf16 linear layer (built without oneDNN, or a CPU without AVX-512)."""
    import torch

    def linears(root) -> list[tuple[Any, str, Any]]:
        return [
            (parent, name, child)
            for parent in root.modules()
            for name, child in parent.named_children()
            if isinstance(child, torch.nn.Linear) and child.weight.dtype == torch.bfloat16
        ]

    function = packed_linear_function()
    if not linears(module) or function is None:
        return None
    shared = {id(tensor): tensor for tensor in [*module.parameters(), *module.buffers()]}
    packed = copy.deepcopy(module, shared)  # new modules over the same tensors: ``module`` stays as it is
    for parent, name, linear in linears(packed):
        setattr(parent, name, packed_linear(linear, function))
    return packed


def packed_linear(linear, function: Any) -> Any:
    """``linear`` as a module over its weight reordered once by oneDNN (``torch.ops.mkldnn._reorder_linear_weight``),
    multiplied by it in ``function`` (``packed_linear_function``'s)."""
    import torch

    class PackedLinear(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.register_buffer("weight", torch.ops.mkldnn._reorder_linear_weight(linear.weight.detach()))
            self.register_buffer("bias", None if linear.bias is None else linear.bias.detach())

        def forward(self, x):
            return function(x, self.weight, self.bias)

    return PackedLinear().eval()


@cache
def packed_linear_function() -> Any | None:
    """``PACKED_LINEAR`` compiled (``packed_linear(x, weight, bias)``), or None where oneDNN cannot run bf16 here."""
    import torch

    mkldnn = torch.ops.mkldnn
    if not torch.backends.mkldnn.is_available() or not hasattr(mkldnn, "_linear_pointwise"):
        return None
    if not hasattr(mkldnn, "_is_mkldnn_bf16_supported") or not mkldnn._is_mkldnn_bf16_supported():
        return None
    return torch.jit.CompilationUnit(PACKED_LINEAR).packed_linear


@contextmanager
def quiet_tracing() -> Iterator[None]:
    """The tracer's warnings of Python branches dropped meanwhile (``traced``'s checks judge them), and transformers'
    warnings from its model code, where the tracer reads every property of a model (the unused ``loss_function``
    warns of its loss type)."""
    import transformers
    import transformers.modeling_utils as modeling

    named = logging.getLogger(modeling.__name__)
    quiet = FromFolder(os.path.dirname(transformers.__file__) + os.sep)  # (it warns through transformers' logging)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        named.addFilter(quiet)
        try:
            yield
        finally:
            named.removeFilter(quiet)


def like(inputs: tuple, rows: int, length: int) -> tuple:
    """A batch of ``rows`` texts of ``length`` tokens made of the first text of ``inputs`` (token ids, attention
    masks, token types; its tokens repeated as needed), each row after the first padded over more of its end."""
    made = []
    for values in inputs:
        first = values[0]
        row = first.repeat(-(-length // first.shape[0]))[:length]
        made.append(row.unsqueeze(0).repeat(rows, 1))
    mask = made[INPUTS.index("attention_mask")]
    mask[:] = 1
    for row in range(1, rows):
        mask[row, length - row * length // (rows + 1) :] = 0
    return tuple(made)


def same_outputs(expected: Any, got: Any) -> bool:
    """Whether two forward passes' outputs (a tensor or a tuple of them) agree within bf16's rounding."""
    pairs = zip(*(outputs if isinstance(outputs, tuple) else (outputs,) for outputs in (expected, got)), strict=True)
    return all(np.allclose(a.float().numpy(), b.float().numpy(), rtol=1e-2, atol=1e-2) for a, b in pairs)
