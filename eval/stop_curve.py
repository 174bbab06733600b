"""What reading in stages costs and saves: SQuAD v1.1 dev open, each answer read from the first passage alone and from
every passage, scored at each stop confidence (QA_STOP_CONFIDENCE) in one pass."""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from qa.cli import DATA_DIR
from qa.evaluation import corpus_cache_folder, exact_match, f1_score, squad_corpus
from qa.pipeline import stages
from qa.reading import ReaderSpan, candidates_by_text
from qa.squad import load_squad

STOPS = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0)


@dataclass
class Read:
    """A question's best answer and its confidence, read from the first passage and from all of them."""

    answers: list[str]
    first: str | None
    first_confidence: float | None
    every: str | None
    every_confidence: float | None
    passages: int


def best(reader, spans: list[ReaderSpan]) -> tuple[str | None, float | None]:
    if not spans:
        return None, None
    return spans[0].text, reader.confidence(candidates_by_text(spans))


def read_both(engine, questions) -> list[Read]:
    """Each question read in both of ``read_in_stages``'s stages, keeping both answers."""
    reader = engine.reader()
    reads = []
    for question in tqdm(questions, desc="questions", unit="q"):
        passages = [p.passage for p in engine.retriever.search(question.question, engine.settings.top_k).passages]
        first, *rest = stages(reader, question.question, passages)
        every = rest[0] if rest else first
        reads.append(Read(question.answers, *best(reader, first), *best(reader, every), len(passages)))
    return reads


def curve(reads: list[Read], min_confidence: float, stops=STOPS) -> list[dict]:
    """Per stop confidence: the share of questions stopped after the first passage, passages read per question, and
    EM/F1 always answering and as ``ask`` answers (declining below ``min_confidence``)."""
    rows = []
    for stop in stops:
        stopped = [r.first_confidence is not None and r.first_confidence >= stop and stop < 1 for r in reads]
        picked = [
            (r.first, r.first_confidence) if s else (r.every, r.every_confidence)
            for r, s in zip(reads, stopped, strict=True)
        ]
        always = [f1_score(text or "", r.answers) for r, (text, _) in zip(reads, picked, strict=True)]
        given = [
            f1 if conf is not None and conf >= min_confidence else 0.0
            for f1, (_, conf) in zip(always, picked, strict=True)
        ]
        exact = [exact_match(text or "", r.answers) for r, (text, _) in zip(reads, picked, strict=True)]
        rows.append(
            {
                "stop_confidence": stop,
                "stopped": 100 * sum(stopped) / len(reads),
                "passages read": sum(1 if s else r.passages for r, s in zip(reads, stopped, strict=True)) / len(reads),
                "EM always answering": 100 * sum(exact) / len(reads),
                "F1 always answering": 100 * sum(always) / len(reads),
                "F1 as ask() answers": 100 * sum(given) / len(reads),
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DATA_DIR / "squad-v1.1-dev.json.gz")
    parser.add_argument("--limit", type=int, default=2000, help="questions (0: all)")
    parser.add_argument("--cache", type=Path, default=Path("eval/cache"), help="folder caching the corpus index")
    args = parser.parse_args()

    from qa.pipeline import QA

    settings = QA().settings
    questions, documents, _ = squad_corpus(load_squad(args.data), args.data.name)
    engine = QA(settings=settings, index_dir=corpus_cache_folder(args.data, settings, args.cache))
    engine.index_documents(documents)
    rows = curve(read_both(engine, questions[: args.limit] if args.limit else questions), settings.min_confidence)
    print(f"{args.data.name}, open, first {args.limit or len(questions)} questions, top {settings.top_k} passages")
    print("| " + " | ".join(rows[0]) + " |\n|" + "---|" * len(rows[0]))
    for row in rows:
        print("| " + " | ".join(f"{v:.2f}" if isinstance(v, float) else str(v) for v in row.values()) + " |")
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
