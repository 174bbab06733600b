"""Benchmark: indexing throughput and warm ask() latency on a documents folder or on a SQuAD file's paragraphs."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from qa.reading import SpanReader

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def latency_while_indexing(engine, questions: list[str], upload_dir: Path, passages: int) -> tuple[list[float], float]:
    """ask() latencies (ms) while ``add_documents`` embeds about ``passages`` new passages in another thread, and
    the seconds that upload took."""
    import threading

    from qa.cli import DATA_DIR
    from qa.squad import load_squad

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


def concurrent_seconds(engine, questions: list[str], clients: int) -> float:
    """Seconds for ``clients`` threads to ask ``questions`` between them at once (each takes the next one left), as
    that many chat users would; the reader shares its forward passes among them."""
    from concurrent.futures import ThreadPoolExecutor

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(engine.ask, questions))
    return time.perf_counter() - began


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
    from qa.squad import load_squad

    questions = []
    for a, article in enumerate(load_squad(path)):
        for p, paragraph in enumerate(article.paragraphs):
            (folder / f"{a:03d}-{p:03d}.txt").write_text(paragraph.context, encoding="utf-8")
            questions += [q.question for q in paragraph.questions[:1]]
    return questions[:questions_limit]


def window_latency(reader, question: str, text: str, repeats: int = 20) -> tuple[float, float]:
    """Milliseconds to read one full window alone, and per window when a batch of them is read at once."""
    from qa.models import Passage
    from qa.reading import truncate_question

    asked = truncate_question(reader.tokenizer, question, reader.max_question_tokens)
    room = reader.max_length - len(reader.tokenizer(asked)["input_ids"]) - 1  # [CLS] q [SEP] passage [SEP]
    text = text[: reader.max_length * 20]  # plenty for one window; the tokenizer warns on very long texts
    offsets = reader.tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)["offset_mapping"]
    if len(offsets) < room:
        raise ValueError("the corpus is too short to fill one reader window")
    passage_text = text[: offsets[room - 1][1]]
    passage = Passage(id="bench", document_id="bench", start=0, end=len(passage_text), text=passage_text)

    def timed(passages) -> float:
        reader.read(question, passages)
        began = time.perf_counter()
        for _ in range(repeats):
            reader.read(question, passages)
        return (time.perf_counter() - began) * 1000 / repeats

    return timed([passage]), timed([passage] * reader.batch_size) / reader.batch_size


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
    args = parser.parse_args()

    from qa.pipeline import QA

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
        engine.retriever.warm_up()
        engine.ask(questions[0])
        timings = [engine.ask(q).timings_ms for q in questions]
        reader = engine.reader()
        sample_text = " ".join(p.passage.text for p in engine.retriever.retrieve(questions[0], 5))
        window_ms = window_latency(reader, questions[0], sample_text) if isinstance(reader, SpanReader) else None
        manifest = engine.store.manifest()
        load = [(clients, concurrent_seconds(engine, (questions * 2)[:16], clients)) for clients in (1, 4, 16)]
        busy = None
        if args.upload_passages:
            upload_dir = scratch / "uploads"
            upload_dir.mkdir()
            busy = latency_while_indexing(engine, questions, upload_dir, args.upload_passages)

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
    if window_ms and isinstance(reader, SpanReader):
        print(
            f"reader: {window_ms[0]:.1f} ms for one full {reader.max_length}-token window, {window_ms[1]:.1f} ms "
            f"per window in batches of {reader.batch_size}"
        )
    for stage in ("retrieve", "read", "total"):
        values = [t[stage] for t in timings]
        print(
            f"warm ask() {stage:>8}: p50 {statistics.median(values):6.1f} ms   p95 {percentile(values, 0.95):6.1f} ms"
            f"   over {len(values)} questions"
        )
    alone = load[0][1]
    for clients, seconds in load:
        print(
            f"16 questions from {clients:>2} concurrent users: {seconds:.2f} s = {16 / seconds:.1f} questions/s "
            f"({seconds / alone:.2f} of one after another)"
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
