"""Reports of an evaluation: the settings it ran with, Markdown tables, JSON and plots (plots need qa[eval])."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from qa.evaluation.metrics import MAX_RANK, RECALL_AT
from qa.extras import require

if TYPE_CHECKING:
    from qa.config import RetrievalMode
    from qa.pipeline import QA


def report_settings(engine: QA, args: argparse.Namespace, measured_modes: list[RetrievalMode], is_squad: bool) -> dict:
    """The settings an evaluation report records: those of ``engine`` and the run's options."""
    settings = engine.settings
    return {
        "reader": settings.reader,
        "reader_model": settings.reader_model,
        "threshold": engine.reader().threshold if args.threshold is None else args.threshold,
        "min_confidence": settings.min_confidence,
        "top_k": settings.top_k,
        "retrieval_mode": settings.retrieval_mode,
        "measured_modes": measured_modes,
        "limit": args.limit,
        "embedding_model": settings.embedding_model,
        "chunk_tokens": settings.chunk_tokens,
        "chunk_overlap_sentences": settings.chunk_overlap_sentences,
        "documents_dir": str(settings.documents_dir) if not is_squad else None,
    }


def percent(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}"


def markdown(report: dict) -> str:
    """The metrics as Markdown tables (EM, F1, accuracies and recalls in percent)."""
    metrics, settings, counts = report["metrics"], report["settings"], report["counts"]
    reader = settings["reader"] + (f" ({settings['reader_model']})" if settings["reader_model"] else "")
    lines = [
        f"# Evaluation: {report['dataset']} ({report['mode']})",
        "",
        f"Data `{report['data']}`; reader {reader}, "
        + (
            f"minimum confidence {settings['min_confidence']:g}; "
            if "calibration" in metrics
            else f"threshold {settings['threshold']:g}; "
        )
        + f"{counts['evaluated']} questions ({counts['answerable']} answerable, {counts['unanswerable']} unanswerable).",
        "",
        "| Metric | Value |",
        "|---|---|",
    ]
    if "exact" in metrics:
        lines += [f"| EM | {percent(metrics['exact'])} |", f"| F1 | {percent(metrics['f1'])} |"]
    if "no_ans_accuracy" in metrics:
        if "has_ans_f1" in metrics:
            lines += [
                f"| HasAns EM | {percent(metrics['has_ans_exact'])} |",
                f"| HasAns F1 | {percent(metrics['has_ans_f1'])} |",
            ]
        lines.append(f"| NoAns accuracy | {percent(metrics['no_ans_accuracy'])} |")
    if "calibration" in metrics:
        rated = metrics["calibration"]
        lines.append(f"| Confidence ECE ({rated['rated']} rated) | {rated['ece']:.3f} |")
    cited = metrics["citations"]
    lines.append(f"| Citation validity | {percent(cited['validity'])} ({cited['valid']}/{cited['checked']}) |")
    if "retrieval" in metrics:
        lines += [
            "",
            f"Retrieval over {metrics['retrieval_questions']} answerable questions:",
            "",
            "| Mode | " + " | ".join(f"R@{k}" for k in RECALL_AT) + " | MRR |",
            "|---" * (len(RECALL_AT) + 2) + "|",
        ]
        for mode, found in metrics["retrieval"].items():
            recalls = " | ".join(percent(found[f"recall@{k}"]) for k in RECALL_AT)
            lines.append(f"| {mode} | {recalls} | {found['mrr']:.3f} |")
    lines += ["", "| Stage | p50 ms | p95 ms |", "|---|---|---|"]
    lines += [f"| {stage} | {t['p50']:.1f} | {t['p95']:.1f} |" for stage, t in metrics["latency_ms"].items()]
    if "threshold_sweep" in report:
        sweep = report["threshold_sweep"]
        found = ", ".join(
            f"{name} {percent(sweep[key])}"
            for name, key in (("HasAns F1", "has_ans_f1"), ("NoAns accuracy", "no_ans_accuracy"))
            if key in sweep
        )
        lines += [
            "",
            f"Best threshold {sweep['threshold']:.4g}: F1 {percent(sweep['f1'])}"
            + (f" ({found})" if found else "")
            + ".",
        ]
    return "\n".join(lines) + "\n"


def require_plotting() -> None:
    """Raise ``MissingExtra`` ("plotting needs matplotlib: pip install 'qa[eval]'") unless matplotlib is installed:
    called before a run that ends with a plot too, so that it fails at once rather than after minutes."""
    require("matplotlib", "eval", "plotting")


def plot(report: dict, path: Path) -> None:
    """Recall@k curves per retrieval mode (open mode), the reliability diagram (a calibrated reader) and a histogram
    of per-question latency, side by side."""
    require_plotting()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    retrieval = report["metrics"].get("retrieval")
    calibration = report["metrics"].get("calibration")
    panels = 1 + bool(retrieval) + bool(calibration)
    figure = Figure(figsize=(5 * panels + 1, 4), layout="constrained")
    FigureCanvasAgg(figure)
    axes = list(figure.subplots(1, panels, squeeze=False)[0])
    if retrieval:
        recall_axes = axes.pop(0)
        for mode, found in retrieval.items():
            recall_axes.plot(range(1, len(found["curve"]) + 1), found["curve"], marker="o", markersize=3, label=mode)
        recall_axes.set(
            title="Retrieval recall@k",
            xlabel="k",
            ylabel="recall",
            ylim=(0, 1.02),
            xticks=[1, *range(5, MAX_RANK + 1, 5)],
        )
        recall_axes.grid(alpha=0.3)
        recall_axes.legend()
    if calibration:
        reliability_axes = axes.pop(0)
        bins = calibration["reliability"]
        reliability_axes.bar(
            [(b["low"] + b["high"]) / 2 for b in bins],
            [b["accuracy"] for b in bins],
            width=[0.9 * (b["high"] - b["low"]) for b in bins],
            alpha=0.6,
            label="share right",
        )
        reliability_axes.plot([b["confidence"] for b in bins], [b["accuracy"] for b in bins], "o-", label="per bin")
        reliability_axes.plot([0, 1], [0, 1], "k--", linewidth=1, label="perfect calibration")
        reliability_axes.set(
            title=f"Reliability (ECE {calibration['ece']:.3f})",
            xlabel="confidence of the best answer",
            ylabel="share right",
            xlim=(0, 1),
            ylim=(0, 1),
        )
        reliability_axes.legend(loc="upper left")
    latency_axes = axes[0]
    for stage in ("total", "read"):
        values = [r["timings_ms"][stage] for r in report["records"] if stage in r["timings_ms"]]
        if values:
            latency_axes.hist(values, bins=30, alpha=0.6, label=stage)
    latency_axes.set(title="Latency per question", xlabel="ms", ylabel="questions")
    if latency_axes.get_legend_handles_labels()[0]:
        latency_axes.legend()
    figure.suptitle(f"{report['dataset']} ({report['mode']})")
    figure.savefig(path, dpi=110)


def write_report(report: dict, out: Path, table: str | None = None) -> None:
    """Write ``<dataset>-<mode>.json/.md/.png`` into ``out`` (the Markdown is ``table``, by default
    ``markdown(report)``), record their paths in ``report["files"]`` and print the Markdown."""
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"{report['dataset']}-{report['mode']}"
    files = {kind: stem.with_name(f"{stem.name}.{kind}") for kind in ("json", "md", "png")}
    report["files"] = {kind: str(path) for kind, path in files.items()}
    table = markdown(report) if table is None else table
    files["md"].write_text(table, encoding="utf-8")
    plot(report, files["png"])
    files["json"].write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    print(table)
