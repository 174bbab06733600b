"""The evaluation's command line: its options (``qa eval``, ``python -m eval``) and the run they ask for."""

from __future__ import annotations

import argparse
import time
from dataclasses import asdict
from pathlib import Path

from qa.errors import DataError, OptionError
from qa.evaluation.datasets import (
    DATA_SUFFIX,
    SQUAD_FILE,
    corpus_cache_folder,
    interleaved,
    load_jsonl,
    off_the_collection,
    squad_corpus,
)
from qa.evaluation.dialogues import run_dialogues
from qa.evaluation.metrics import best_threshold, summarise
from qa.evaluation.report import report_settings, require_plotting, write_report
from qa.evaluation.runners import RETRIEVAL_MODES, engine_from_args, evaluate_closed, evaluate_open, parse_modes
from qa.evaluation.squad import load_squad
from qa.store.protocol import BACKENDS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The evaluation's options, for ``qa eval`` and ``python -m eval``."""
    parser.add_argument(
        "--data",
        type=Path,
        default=Path("eval/qa_set.jsonl"),
        help="our JSONL question set (answered over --documents) or a SQuAD v1.1/v2.0 .json[.gz] file",
    )
    parser.add_argument(
        "--mode",
        choices=("closed", "open"),
        help="SQuAD files: read the gold paragraph only (closed, the default) or retrieve from all "
        "paragraphs (open); JSONL sets are always open",
    )
    parser.add_argument("--documents", type=Path, help="documents folder for a JSONL set")
    parser.add_argument("--index", type=Path, help="index folder for a JSONL set")
    parser.add_argument("--store", choices=sorted(BACKENDS), help="where the index is kept (QA_STORE)")
    parser.add_argument(
        "--store-url",
        help="PostgreSQL URI for --store postgres (QA_STORE_URL); open SQuAD runs "
        "make its database hold exactly that corpus",
    )
    parser.add_argument(
        "--reader",
        choices=("trained", "sentence"),
        help="span reader (trained, the default) or the sentence-similarity baseline",
    )
    parser.add_argument("--reader-model", help="AutoModelForQuestionAnswering path for the span reader")
    parser.add_argument("--threshold", type=float, help="answer threshold (default: the reader's)")
    parser.add_argument("--top-k", type=int, help="passages handed to the reader")
    parser.add_argument("--retrieval", choices=RETRIEVAL_MODES, help="retrieval mode used to answer")
    parser.add_argument(
        "--modes", help="comma-separated retrieval modes to measure recall for (default: the --retrieval mode)"
    )
    parser.add_argument(
        "--limit", type=int, help="evaluate the first N usable questions only (with --dialogues: the first N dialogues)"
    )
    parser.add_argument("--out", type=Path, default=Path("eval/reports"), help="folder for the reports")
    parser.add_argument(
        "--cache", type=Path, default=Path("eval/cache"), help="folder caching the indexes of SQuAD files for open mode"
    )
    parser.add_argument(
        "--retrieval-only", action="store_true", help="open mode: measure retrieval alone, without reading answers"
    )
    parser.add_argument(
        "--off-collection",
        action="store_true",
        help="SQuAD open mode: index every other article only; the questions of the others are asked as unanswerable "
        "(off the collection), interleaved with those of the indexed ones",
    )
    parser.add_argument(
        "--sweep-threshold", action="store_true", help="also find the threshold that maximises overall F1"
    )
    parser.add_argument(
        "--dialogues",
        type=Path,
        help="evaluate follow-up questions on a dialogue JSONL file (eval/dialogues.jsonl) instead of --data: its "
        "sample dialogues over --documents, its SQuAD ones over the articles they name",
    )
    parser.add_argument(
        "--squad-dir",
        type=Path,
        default=Path("../shared/data"),
        help="folder of the SQuAD files that --dialogues names by corpus (<corpus>.json.gz)",
    )


def run(args: argparse.Namespace) -> dict:
    """Evaluate, write ``<data set>-<mode>.json/.md/.png`` into ``args.out``, print the Markdown, return the report."""
    from qa.evaluation import cross_documents
    from qa.evaluation.cross_documents import is_collection_set
    from qa.pipeline import QA

    if getattr(args, "dialogues", None):
        return run_dialogues(args)
    data = Path(args.data)
    if data.suffix == ".jsonl" and is_collection_set(data):  # questions over several collections, by kind
        return cross_documents.run(args)
    require_plotting()
    is_squad = bool(SQUAD_FILE.search(data.name))
    mode = args.mode or ("closed" if is_squad else "open")
    if mode == "closed" and not is_squad:
        raise OptionError("closed mode needs a SQuAD file (its questions carry their gold paragraph)")
    engine = engine_from_args(args)
    settings = engine.settings
    off_collection = is_squad and mode == "open" and getattr(args, "off_collection", False)
    articles = load_squad(data) if is_squad else []
    indexed = articles[::2] if off_collection else articles
    if is_squad and mode == "open" and settings.store == "local":
        titles = [a.title for a in indexed] if off_collection else []
        engine = QA(settings=settings, index_dir=corpus_cache_folder(data, settings, Path(args.cache), titles))
    modes = parse_modes(args.modes, settings.retrieval_mode)
    questions, documents, skipped = squad_corpus(indexed, data.name) if is_squad else (load_jsonl(data), [], 0)
    if off_collection:
        questions = interleaved(questions, off_the_collection(squad_corpus(articles[1::2], data.name)[0]))
    total = len(questions) + skipped
    questions = questions[: args.limit] if args.limit else questions
    if not questions:
        raise DataError(f"no usable questions in {data}")
    if mode == "closed":
        records = evaluate_closed(engine, questions, args.threshold)
    else:
        if is_squad:
            engine.index_documents(documents)
        records = evaluate_open(engine, questions, modes, args.threshold, answer=not args.retrieval_only)
    dataset = DATA_SUFFIX.sub("", data.name)
    report = {
        "dataset": dataset,
        "data": str(data),
        "mode": mode,
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "settings": report_settings(engine, args, modes if mode == "open" else [], is_squad),
        "counts": {
            "questions": total,
            "skipped_unusable": skipped,
            "evaluated": len(records),
            "answerable": sum(not r.is_impossible for r in records),
            "unanswerable": sum(r.is_impossible for r in records),
        },
        "metrics": summarise(records, modes, answered=not (mode == "open" and args.retrieval_only)),
        "records": [asdict(r) for r in records],
    }
    if args.sweep_threshold and "exact" in report["metrics"]:
        report["threshold_sweep"] = best_threshold(records)
    write_report(report, Path(args.out))
    return report
