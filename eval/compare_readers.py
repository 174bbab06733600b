"""Readers side by side on the same questions: SQuAD v1.1 dev always answering, SQuAD v2.0 dev at each one's best
score threshold, and the time per window."""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

from qa.app.cli import DATA_DIR
from qa.evaluation.datasets import squad_corpus
from qa.evaluation.metrics import answer_metrics, best_threshold
from qa.evaluation.runners import evaluate_closed
from qa.evaluation.squad import load_squad


def compare(readers: list[str], limit: int) -> list[dict]:
    """One row of scores per reader (folders of weights), each read over the first ``limit`` questions of each set."""
    from qa.pipeline import QA

    sets = {}
    for name in ("squad-v1.1-dev", "squad-v2.0-dev"):
        questions, _, _ = squad_corpus(load_squad(DATA_DIR / f"{name}.json.gz"), name)
        sets[name] = questions[:limit] if limit else questions
    rows = []
    for spec in readers:
        folder, _, window = spec.partition("@")
        length = int(window) if window else 256
        engine = QA(
            reader="trained",
            reader_model=folder,
            reader_max_length=length,
            reader_stride=length // 2,
            documents_dir=Path("documents"),
            index_dir=Path("index"),
        )
        began = time.perf_counter()
        closed = evaluate_closed(engine, sets["squad-v1.1-dev"], threshold=-math.inf, min_confidence=0.0)
        seconds = time.perf_counter() - began
        v2 = evaluate_closed(engine, sets["squad-v2.0-dev"], threshold=-math.inf, min_confidence=0.0)
        sweep = best_threshold(v2)
        rows.append(
            {
                "reader": spec,
                "v1.1 EM": 100 * answer_metrics(closed)["exact"],
                "v1.1 F1": 100 * answer_metrics(closed)["f1"],
                "v2.0 best threshold": sweep["threshold"],
                "v2.0 F1": 100 * sweep["f1"],
                "v2.0 HasAns F1": 100 * sweep["has_ans_f1"],
                "v2.0 NoAns": 100 * sweep["no_ans_accuracy"],
                "ms per v1.1 question": 1000 * seconds / len(closed),
            }
        )
        print(json.dumps(rows[-1]), flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "readers", nargs="+", help="folders of readers' weights, each optionally with @LENGTH: its window (default 256)"
    )
    parser.add_argument("--limit", type=int, default=2000, help="questions of each set (0: all)")
    args = parser.parse_args()
    rows = compare(args.readers, args.limit)
    columns = list(rows[0])
    print("| " + " | ".join(columns) + " |\n|" + "---|" * len(columns))
    for row in rows:
        print("| " + " | ".join(f"{v:.1f}" if isinstance(v, float) else str(v) for v in row.values()) + " |")


if __name__ == "__main__":
    main()
