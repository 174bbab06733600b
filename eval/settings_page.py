"""The page of settings: writes every field of ``qa.config.Settings`` (its QA_* variable, default and description)
to docs/settings.md, with the few variables read outside it.

python -m eval.settings_page            # writes docs/settings.md; --check says whether it is up to date
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from qa.config import Settings

REPO = Path(__file__).resolve().parents[1]
# Read from the environment outside Settings: (variable, default, what it does).
OTHER_VARIABLES = [
    ("QA_HOST", "127.0.0.1", "Interface the chat (`qa serve`, `python app.py`) listens on; `--host`."),
    ("QA_PORT", "7860", "Port of the chat and its JSON API; `--port`."),
    (
        "QA_AUTH",
        "",
        "Sign-in for the chat and the API: `USER:PASSWORD` (several separated by commas) or a file of such lines; "
        "`--auth`. `qa ask` signs in to a running server with its first pair.",
    ),
    (
        "QA_CACHE_DIR",
        "`~/.cache/qa`",
        "Where ONNX models exported from the weights and the text OCR read from scanned pages are kept (else "
        "`$XDG_CACHE_HOME/qa`); `qa cache` says how much, `qa cache --clear` removes it.",
    ),
]

# What the fields without a description do (from the code that reads them).
UNDESCRIBED = {
    "retrieval_mode": "'hybrid' (dense and BM25 fused by reciprocal rank fusion), 'dense' or 'bm25'.",
    "chunk_overlap_sentences": "Sentences a passage shares with the one before it.",
    "max_question_tokens": "Tokens of the question the reader reads (the rest is cut).",
    "max_answer_tokens": "Longest answer span, in reader tokens.",
    "max_question_chars": "Longest question (and history turn) accepted, in characters.",
    "max_document_bytes": "Largest file indexed or uploaded, in bytes.",
}


def default_text(value: Any) -> str:
    """A field's default as the page shows it."""
    if value == "":
        return '""'
    if isinstance(value, Path):
        return f"`{value}`"
    if isinstance(value, int) and not isinstance(value, bool) and value >= 10_000:
        return f"{value:,}"
    return f"`{value}`"


def cell(text: str) -> str:
    """Text fit for one cell of a Markdown table."""
    return " ".join(text.split()).replace("|", "\\|")


def page() -> str:
    """docs/settings.md, from the fields of Settings."""
    lines = [
        "# Settings",
        "",
        "Written by `python -m eval.settings_page` from the fields of `qa.config.Settings` (do not edit by hand).",
        "Each is read from the environment variable in its first column, overridden by the CLI's flags (`qa ask --help`,",
        "`qa serve --help`) and by keyword arguments of `QA(...)` (the field's name: `QA(top_k=8)`).",
        "",
        "| variable | type | default | what it does |",
        "|---|---|---|---|",
    ]
    for name, field in Settings.model_fields.items():
        kind = getattr(field.annotation, "__name__", None) or str(field.annotation)
        kind = kind.replace("typing.", "").replace("pathlib.", "")
        if "Path" in kind:
            kind = "path"
        elif "Literal" in kind:
            kind = " | ".join(str(option) for option in field.annotation.__args__)  # type: ignore[union-attr]
        limits = [
            f"{symbol} {getattr(rule, attribute)}"
            for rule in field.metadata
            for attribute, symbol in (("ge", "≥"), ("le", "≤"))
            if getattr(rule, attribute, None) is not None
        ]
        description = field.description or UNDESCRIBED.get(name, "")
        if limits:
            description = f"{description} ({', '.join(limits)})".strip()
        lines.append(
            f"| `QA_{name.upper()}` | {cell(kind)} | {default_text(field.default)} | {cell(description) or ' '} |"
        )
    lines += [
        "",
        "Read by the chat and the command line, outside `Settings`:",
        "",
        "| variable | default | what it does |",
        "|---|---|---|",
    ]
    lines += [f"| `{name}` | {default or '(none)'} | {cell(what)} |" for name, default, what in OTHER_VARIABLES]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=REPO / "docs" / "settings.md")
    parser.add_argument("--check", action="store_true", help="exit 1 when the page is not what the fields make")
    args = parser.parse_args(argv)
    text = page()
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is out of date: run python -m eval.settings_page", file=sys.stderr)
            return 1
        return 0
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}: {len(Settings.model_fields)} settings")
    return 0


if __name__ == "__main__":
    sys.exit(main())
