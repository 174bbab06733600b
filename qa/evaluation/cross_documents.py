"""Questions over several small collections, by kind (bridge, two-part, single, unanswerable): F1 and citations."""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from pydantic import BaseModel

from qa.errors import DataError
from qa.evaluation.metrics import score_prediction, window_latency
from qa.evaluation.report import percent
from qa.reading.calibration import is_right

if TYPE_CHECKING:
    from qa.models import AskResult
    from qa.pipeline import QA

KINDS = ("bridge", "two-part", "single", "unanswerable")


class Part(BaseModel):
    """One ask of a two-part question: its acceptable answers and the documents they rest on."""

    answers: list[str]
    documents: list[str] = []


class CollectionQuestion(BaseModel):
    """A question of the set: its collection (a folder beside the set), kind, answers (or parts) and documents."""

    id: str
    collection: str
    kind: str
    question: str
    answers: list[str] = []
    parts: list[Part] = []
    documents: list[str] = []


@dataclass
class KindRecord:
    """How one question was answered."""

    id: str
    kind: str
    question: str
    prediction: str | None
    exact: float
    f1: float
    cited: list[str] = field(default_factory=list)  # the file names the answer cites
    all_cited: bool = False  # every document the gold answer rests on is cited
    seconds: float = 0.0
    windows: int = 0  # reader windows read to answer it


def load(path: Path) -> list[CollectionQuestion]:
    """The set: one CollectionQuestion per line; raises DataError naming the line that is not one."""
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                questions.append(CollectionQuestion.model_validate_json(line))
            except ValueError as error:
                raise DataError(f"{path}:{number}: not a question of a collection ({error})") from None
    return questions


def is_collection_set(path: Path) -> bool:
    """Whether a JSONL file is such a set (its first question names a collection)."""
    with open(path, encoding="utf-8") as handle:
        first = next((line for line in handle if line.strip()), "{}")
    return "collection" in json.loads(first)


def scored(question: CollectionQuestion, result: AskResult) -> tuple[float, float]:
    """(EM, F1) of a result: against the answers, or for a two-part question the mean over its parts of the best
    score of any answered part (or of the whole answer) against that part's answers."""
    if not question.parts:
        return score_prediction(result.answer, question.answers)
    given = [part.text for part in result.parts] or ([result.answer] if result.answer else [])
    scores = [
        max((score_prediction(text, part.answers) for text in given), default=(0.0, 0.0)) for part in question.parts
    ]
    return float(np.mean([s[0] for s in scores])), float(np.mean([s[1] for s in scores]))


def gold_documents(question: CollectionQuestion) -> set[str]:
    return {*question.documents, *(d for part in question.parts for d in part.documents)}


def record(question: CollectionQuestion, result: AskResult, seconds: float, windows: int = 0) -> KindRecord:
    exact, f1 = scored(question, result)
    cited = sorted({Path(c.source).name for c in [*result.citations, *result.supporting]})
    wanted = gold_documents(question)
    return KindRecord(
        id=question.id,
        kind=question.kind,
        question=question.question,
        prediction=result.answer,
        exact=exact,
        f1=f1,
        cited=cited,
        all_cited=bool(wanted) and wanted <= set(cited),
        seconds=seconds,
        windows=windows,
    )


def kind_metrics(records: Sequence[KindRecord]) -> dict[str, float | int | None]:
    """Count, EM, F1, the share answered, and among right answers (F1 ≥ 0.5) the share citing every gold document."""
    right = [r for r in records if is_right(r.f1) and r.prediction is not None]
    return {
        "count": len(records),
        "exact": float(np.mean([r.exact for r in records])),
        "f1": float(np.mean([r.f1 for r in records])),
        "answered": float(np.mean([r.prediction is not None for r in records])),
        "all_cited": float(np.mean([r.all_cited for r in right])) if right else None,
        "p50_ms": float(np.median([r.seconds for r in records])) * 1000,
        "p50_windows_read": float(np.median([r.windows for r in records])),
    }


def evaluate(engine_for: dict[str, QA], questions: list[CollectionQuestion]) -> list[KindRecord]:
    """Ask each question of its collection's engine."""
    from tqdm import tqdm

    records = []
    for question in tqdm(questions, desc="questions", unit="q"):
        engine = engine_for[question.collection]
        read_before, began = engine.reader().windows_read, time.perf_counter()
        result = engine.ask(question.question)
        seconds, windows = time.perf_counter() - began, engine.reader().windows_read - read_before
        records.append(record(question, result, seconds, windows))
    return records


def markdown(by_kind: dict[str, dict], path: Path, window_ms: float) -> str:
    lines = [
        f"Questions over the collections of `{path}`, by kind (an unanswerable question scores 1 when declined; "
        f"warm `ask()` p50, also in reader windows of {window_ms:.1f} ms, one full window read alone in this run; and "
        "the p50 of the windows the reader read, counted):",
        "",
        "| kind | questions | EM | F1 | answered | every gold document cited (right answers) | p50 ms | p50 windows "
        "| windows read, p50 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for kind, m in by_kind.items():
        lines.append(
            f"| {kind} | {m['count']} | {percent(m['exact'])} | {percent(m['f1'])} | {percent(m['answered'])} "
            f"| {percent(m['all_cited'])} | {m['p50_ms']:.0f} | {m['p50_ms'] / window_ms:.1f} "
            f"| {m['p50_windows_read']:.1f} |"
        )
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> dict:
    """``qa eval --data eval/cross_documents.jsonl``: each collection indexed from ``<set>/<collection>/`` into one
    index (a collection each), every question asked, the metrics printed per kind and written to ``args.out``."""
    from qa.documents.loading import load_document, scan_folder
    from qa.evaluation.runners import engine_from_args
    from qa.pipeline import QA

    path = Path(args.data)
    questions = load(path)
    questions = questions[: args.limit] if args.limit else questions
    base = engine_from_args(args)
    index = Path(args.cache) / f"{path.stem}-index"
    engine_for = {
        name: QA(
            settings=base.settings,
            documents_dir=path.with_suffix("") / name,
            index_dir=index,
            embedder=base.embedder,
            index_embedder=base.embedder,
        )
        for name in sorted({q.collection for q in questions})
    }
    for engine in engine_for.values():  # indexed and loaded before the first question is timed
        engine.warm_up()
    records = evaluate(engine_for, questions)
    texts = [load_document(file).text for file in scan_folder(path.with_suffix(""))[0]]
    texts = [" ".join(texts), *texts]  # (documents shorter than a window are read joined)
    window_ms = window_latency(engine_for[questions[0].collection].reader(), [q.question for q in questions], texts)[0]
    present = [kind for kind in KINDS if any(r.kind == kind for r in records)]
    by_kind = {kind: kind_metrics([r for r in records if r.kind == kind]) for kind in present}
    by_kind["all"] = kind_metrics(records)
    report = {
        "dataset": path.stem,
        "data": str(path),
        "window_ms": window_ms,
        "by_kind": by_kind,
        "records": [asdict(r) for r in records],
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    table = markdown(by_kind, path, window_ms)
    (out / f"{path.stem}.md").write_text(table, encoding="utf-8")
    (out / f"{path.stem}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    print(table)
    return report
