"""Benchmark: indexing throughput and warm ask() latency on a documents folder or on a SQuAD file's paragraphs."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from qa.evaluation.metrics import window_latency
from qa.reading.reader import SpanReader

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def latency_while_indexing(engine, questions: list[str], upload_dir: Path, passages: int) -> tuple[list[float], float]:
    """ask() latencies (ms) while ``add_documents`` embeds about ``passages`` new passages in another thread, and
    the seconds that upload took."""
    import threading

    from qa.app.cli import DATA_DIR
    from qa.evaluation.squad import load_squad

    contexts = [p.context for a in load_squad(DATA_DIR / "squad-v1.1-train.json.gz") for p in a.paragraphs]
    files = []
    for number, context in enumerate(contexts[: int(passages / 1.2)]):
        files.append(upload_dir / f"upload-{number:04d}.txt")
        files[-1].write_text(context, encoding="utf-8")
    done = threading.Event()
    took = []

    def upload():
        began = time.perf_counter()
        engine.add_documents(files)
        took.append(time.perf_counter() - began)
        done.set()

    thread = threading.Thread(target=upload)
    thread.start()
    time.sleep(2.0)  # let it load and start embedding
    latencies = []
    while not done.is_set():
        for question in questions:
            if done.is_set():
                break
            began = time.perf_counter()
            engine.ask(question)
            latencies.append((time.perf_counter() - began) * 1000)
    thread.join()
    return latencies, took[0]


@dataclass
class Load:
    """``questions`` asked by ``clients`` users at once: the seconds they took, and the reader's forward passes."""

    clients: int
    seconds: float
    passes: int
    windows: int
    forward_seconds: float


def under_load(engine, questions: list[str], clients: int) -> Load:
    """``clients`` threads ask ``questions`` between them at once (each takes the next one left), as that many chat
    users would; the reader shares its forward passes among them (counted when it is a span reader)."""
    from concurrent.futures import ThreadPoolExecutor

    batcher = getattr(engine.reader(), "batcher", None)
    before = (batcher.calls, batcher.items, batcher.seconds) if batcher else (0, 0, 0.0)
    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(engine.ask, questions))
    seconds = time.perf_counter() - began
    after = (batcher.calls, batcher.items, batcher.seconds) if batcher else (0, 0, 0.0)
    return Load(clients, seconds, after[0] - before[0], after[1] - before[1], after[2] - before[2])


def embedding_alone(embedder, store) -> tuple[int, float]:
    """The passages of ``store`` and the seconds ``embedder`` takes to embed them alone, in one call: no loading,
    chunking or saving, and batches of 32 taken from all of them sorted by length (indexing can only sort within
    each batch it commits)."""
    ids = [f"{d.id}:{i}" for d in store.documents() for i in range(d.passage_count)]
    texts = [p.text for p in store.get_passages(ids).values()]
    began = time.perf_counter()
    embedder.embed(texts, batch_size=32)
    return len(texts), time.perf_counter() - began


def squad_corpus(path: str, folder: Path, questions_limit: int) -> list[str]:
    """Write every paragraph of a SQuAD file as a .txt document; return some of its questions."""
    from qa.evaluation.squad import load_squad

    questions = []
    for a, article in enumerate(load_squad(path)):
        for p, paragraph in enumerate(article.paragraphs):
            (folder / f"{a:03d}-{p:03d}.txt").write_text(paragraph.context, encoding="utf-8")
            questions += [q.question for q in paragraph.questions[:1]]
    return questions[:questions_limit]


def cold_start(documents: Path, index: Path, question: str, repeats: int = 3) -> dict[str, float]:
    """Medians over ``repeats`` fresh processes, in milliseconds: ``python -c "import torch"``, a whole
    ``qa ask --local`` (its index already built), and that command's start-up parts (``startup_ms``)."""
    import subprocess
    import sys

    def wall(*args: str) -> tuple[float, str]:
        began = time.perf_counter()
        done = subprocess.run([sys.executable, *args], capture_output=True, text=True, check=True, timeout=600)
        return (time.perf_counter() - began) * 1000, done.stdout

    torch_ms, ask_ms, parts = [], [], []
    for _ in range(repeats):  # interleaved, so that a busy spell weighs on both alike
        torch_ms.append(wall("-c", "import torch")[0])
        took, out = wall(
            "-m",
            "qa.app.cli",
            "ask",
            "--local",
            "--json",
            "--documents",
            str(documents),
            "--index",
            str(index),
            question,
        )
        ask_ms.append(took)
        parts.append(json.loads(out)["startup_ms"])
    shown = {"import torch": statistics.median(torch_ms), "qa ask": statistics.median(ask_ms)}
    for name in parts[0]:
        shown[f"  {name}"] = statistics.median(p.get(name, 0.0) for p in parts)
    return shown


def runtime_choices() -> list[tuple[str, str]]:
    """The (runtime, precision) pairs worth timing on this CPU: fp32 always, bf16 where the CPU has it, ONNX Runtime
    fp32 and int8 where it is installed."""
    from qa.runtime import BF16_FLAGS, cpu_flags, onnx_available

    flags = cpu_flags()
    choices = [("torch", "fp32")]
    if any(flag in flags for flag in BF16_FLAGS):
        choices.append(("torch", "bf16"))
    if onnx_available():
        choices += [("onnx", "fp32"), ("onnx", "int8")]
    return choices


def runtime_rows(documents: Path, index: Path, question: str, text: str, accuracy_questions: int) -> list[dict]:
    """Per runtime and precision: the reader's ms per full window (alone and batched) and SQuAD v1.1 dev F1 (closed,
    always answering, the first ``accuracy_questions``) against fp32's, the guard being F1 at most 0.5 below it; the
    embedder's ms per text and the cosine of its vectors to fp32's (of those questions and their paragraphs), the
    guard being a mean of at least 0.99."""
    import math

    from qa.app.cli import DATA_DIR
    from qa.evaluation.datasets import squad_corpus
    from qa.evaluation.metrics import answer_metrics
    from qa.evaluation.runners import evaluate_closed
    from qa.evaluation.squad import load_squad
    from qa.pipeline import QA
    from qa.runtime import choose_runtime, cpu_flags, onnx_available

    questions = squad_corpus(load_squad(DATA_DIR / "squad-v1.1-dev.json.gz"), "squad-v1.1-dev")[0][:accuracy_questions]
    texts = list(dict.fromkeys(q.context or "" for q in questions)) + [q.question for q in questions]
    flags, onnx = cpu_flags(), onnx_available()
    chosen = {
        "reader": choose_runtime(flags, onnx_available=onnx, int8=False),
        "embedder": choose_runtime(flags, onnx_available=onnx),
    }
    rows: list[dict] = []
    for runtime, precision in runtime_choices():
        engine = QA(documents_dir=documents, index_dir=index, reader="trained", runtime=runtime, precision=precision)
        reader = engine.reader()
        reader.warm_up()
        if isinstance(reader, SpanReader):
            reader.trace_passes()  # as a warmed-up engine reads (QA.warm_up)
        engine.embedder.trace_passes()
        alone, batched = window_latency(reader, [question], [text])
        closed = evaluate_closed(engine, questions, threshold=-math.inf, min_confidence=0.0)
        f1 = 100 * answer_metrics(closed)["f1"]
        engine.embedder.embed(texts[:8])
        began = time.perf_counter()
        vectors = engine.embedder.embed(texts)
        embed_ms = (time.perf_counter() - began) * 1000 / len(texts)
        cosines = (vectors * (rows[0]["vectors"] if rows else vectors)).sum(axis=1)
        rows.append(
            {
                "runtime": runtime,
                "precision": precision,
                "alone": alone,
                "batched": batched,
                "f1": f1,
                "chosen for": [model for model, pair in chosen.items() if pair == (runtime, precision)],
                "vectors": vectors,
                "embed_ms": embed_ms,
                "cosine": (float(cosines.mean()), float(cosines.min())),
            }
        )
        del engine, reader  # one model in memory at a time
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", default="documents", help="documents folder (ignored with --squad)")
    parser.add_argument("--squad", help="SQuAD-format file whose paragraphs become the corpus")
    parser.add_argument("--questions", type=int, default=50, help="questions to time")
    parser.add_argument("--reader", choices=["trained", "sentence"], default="trained")
    parser.add_argument(
        "--upload-passages",
        type=int,
        default=1000,
        help="also time questions while an upload of about this many passages is embedded (0: skip)",
    )
    parser.add_argument(
        "--accuracy-questions",
        type=int,
        default=300,
        help="SQuAD v1.1 dev questions each runtime and precision is checked on (0: skip the runtimes)",
    )
    args = parser.parse_args()

    from qa.pipeline import QA
    from qa.reading.stages import stop_rule
    from qa.validation import ask_options

    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        if args.squad:
            documents = scratch / "documents"
            documents.mkdir()
            questions = squad_corpus(args.squad, documents, args.questions)
        else:
            documents = scratch / "documents"  # a copy: the upload timing adds files to it
            shutil.copytree(args.documents, documents)
            lines = Path("eval/qa_set.jsonl").read_text(encoding="utf-8").splitlines()
            questions = [json.loads(line)["question"] for line in lines][: args.questions]
        engine = QA(documents_dir=documents, index_dir=scratch / "index", reader=args.reader)
        began = time.perf_counter()
        engine.embedder.warm_up()
        engine.index_embedder.warm_up()
        engine.reader().warm_up()
        loaded = time.perf_counter() - began
        began = time.perf_counter()
        report = engine.refresh_index(progress=True)
        indexing = time.perf_counter() - began
        embedded, embedding = embedding_alone(engine.index_embedder, engine.store)
        engine.warm_up()  # the index is up to date and the models loaded: this traces them, as a chat's engine
        engine.ask(questions[0])
        timings = [engine.ask(q).timings_ms for q in questions]
        staged = engine.settings
        engine.settings = staged.model_copy(update={"stop_confidence": 1.0})
        every_passage = [engine.ask(q).timings_ms for q in questions]
        engine.settings = staged
        reader = engine.reader()
        sample_text = " ".join(p.passage.text for p in engine.retriever.retrieve(questions[0], 5))
        window_ms = window_latency(reader, questions, [sample_text]) if isinstance(reader, SpanReader) else None
        manifest = engine.store.manifest()
        load = [under_load(engine, (questions * 2)[:16], clients) for clients in (1, 4, 16)]
        busy = None
        if args.upload_passages:
            upload_dir = scratch / "uploads"
            upload_dir.mkdir()
            busy = latency_while_indexing(engine, questions, upload_dir, args.upload_passages)
        cold = cold_start(documents, scratch / "index", questions[0])
        runtimes = []
        if args.accuracy_questions and isinstance(reader, SpanReader):
            runtimes = runtime_rows(documents, scratch / "index", questions[0], sample_text, args.accuracy_questions)

    print(
        f"corpus: {args.squad or args.documents} ({manifest.document_count} documents, {manifest.passage_count} passages)"
    )
    print(f"models loaded in {loaded:.1f} s")
    print(
        f"indexing: {indexing:.1f} s for {report.embedded_passages} passages = "
        f"{report.embedded_passages / indexing:.1f} passages/s (loading, chunking, embedding, saving)"
    )
    indexed_rate, alone_rate = report.embedded_passages / indexing, embedded / embedding
    print(
        f"indexing against embedding alone: {indexed_rate:.1f} against {alone_rate:.1f} passages/s (end to end takes "
        f"{alone_rate / indexed_rate:.2f}x the time of embedding the same passages alone)"
    )
    if runtimes and isinstance(reader, SpanReader):
        fp32 = runtimes[0]["f1"]
        print(
            f"runtimes (reader: ms per full {reader.max_length}-token window alone / in batches; SQuAD v1.1 dev F1, "
            f"closed, always answering, first {args.accuracy_questions} questions; guard: at most 0.5 below fp32):"
        )
        for row in runtimes:
            delta = row["f1"] - fp32
            print(
                f"  {row['runtime']:>5} {row['precision']}: {row['alone']:6.1f} / {row['batched']:5.1f} ms "
                f"({runtimes[0]['alone'] / row['alone']:.2f}x fp32 alone)   F1 {row['f1']:.1f} ({delta:+.1f}: "
                f"{'ok' if delta >= -0.5 else 'FAILS the guard'});   embedder {row['embed_ms']:.1f} ms per text, "
                f"cosine to fp32 mean {row['cosine'][0]:.4f} min {row['cosine'][1]:.4f} "
                f"({'ok' if row['cosine'][0] >= 0.99 else 'FAILS the guard'}){'   <- chosen for the ' + ' and '.join(row['chosen for']) if row['chosen for'] else ''}"
            )
    if window_ms and isinstance(reader, SpanReader):
        runtime, precision = reader.runtime
        print(
            f"reader ({runtime} {precision}): {window_ms[0]:.1f} ms for one full {reader.max_length}-token window, "
            f"{window_ms[1]:.1f} ms per window in batches of {reader.batch_size}"
        )
    for label, measured in (
        (stop_rule(ask_options(engine.settings), engine.reader()).description, timings),
        ("every passage read", every_passage),
    ):
        print(f"warm ask(), {label}:")
        for stage in ("retrieve", "read", "total"):
            values = [t[stage] for t in measured]
            ratio = f" = {statistics.median(values) / window_ms[0]:.2f} full windows" if window_ms else ""
            print(
                f"  {stage:>8}: p50 {statistics.median(values):6.1f} ms   p95 {percentile(values, 0.95):6.1f} ms"
                f"   over {len(values)} questions{ratio if stage == 'total' else ''}"
            )
    print(
        f"cold qa ask (a fresh process, median of 3): {cold['qa ask']:.0f} ms, against {cold['import torch']:.0f} ms "
        f"to import torch (+{(cold['qa ask'] - cold['import torch']) / 1000:.2f} s); start-up parts: "
        + ", ".join(f"{k.strip()} {v:.0f} ms" for k, v in cold.items() if k.startswith("  "))
    )
    alone = load[0].seconds
    for run in load:
        passes = (
            f"; the reader: {run.forward_seconds:.2f} s in {run.passes} forward passes over {run.windows} windows = "
            f"{run.forward_seconds * 1000 / run.windows:.1f} ms a window"
            if run.windows
            else ""
        )
        print(
            f"16 questions from {run.clients:>2} concurrent users: {run.seconds:.2f} s = {16 / run.seconds:.1f} "
            f"questions/s ({run.seconds / alone:.2f} of one after another){passes}"
        )
    if busy:
        latencies, seconds = busy
        idle = statistics.median([t["total"] for t in timings])
        print(
            f"while an upload of about {args.upload_passages} passages was indexed ({seconds:.0f} s): ask() p50 "
            f"{statistics.median(latencies):.0f} ms, p95 {percentile(latencies, 0.95):.0f} ms, max "
            f"{max(latencies):.0f} ms over {len(latencies)} questions = {statistics.median(latencies) / idle:.1f}x "
            f"the idle p50"
        )


if __name__ == "__main__":
    main()
