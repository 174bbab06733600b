"""Command line of the evaluation: ``python -m eval --data FILE [--mode closed|open] ...`` (see ``qa.evaluation.cli``)."""

from __future__ import annotations

import argparse

from qa.evaluation.cli import add_arguments, run


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m eval",
        description="Evaluate answers, retrieval, citations and latency on a JSONL question set or a SQuAD file.",
    )
    add_arguments(parser)
    run(parser.parse_args())


if __name__ == "__main__":
    main()
