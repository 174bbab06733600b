"""Near-miss no-answer questions over a SQuAD file: the yield, the share of each kind and random samples."""

from __future__ import annotations

import argparse
import random
import textwrap
from collections import Counter

from qa.evaluation.squad import load_squad
from qa.training.near_miss import KINDS, file_near_misses


def report(path: str, samples: int, seed: int, per_kind: int = 0) -> str:
    """The yield and kind shares of ``qa.training.near_miss`` over the file at ``path``, then ``samples`` random edits and
    ``per_kind`` random edits of each kind."""
    made = list(file_near_misses(load_squad(path), random.Random(seed)))
    generated = [(context, question, edit) for context, question, edit in made if edit]
    kinds = Counter(edit.kind for _, _, edit in generated)
    lines = [
        f"{path}: {len(made):,} answerable questions, a near miss for {len(generated):,} "
        f"({len(generated) / max(1, len(made)):.1%})",
        "kind shares of the near misses: "
        + ", ".join(f"{kind} {kinds[kind] / max(1, len(generated)):.1%}" for kind in KINDS),
    ]
    rng = random.Random(seed + 1)
    chosen = rng.sample(generated, min(samples, len(generated)))
    for kind in KINDS if per_kind else ():
        of_kind = [made for made in generated if made[2].kind == kind]
        chosen += rng.sample(of_kind, min(per_kind, len(of_kind)))
    for context, question, edit in chosen:
        at = context.lower().find(edit.removed.lower()) if edit.removed else -1
        snippet = context[max(0, at - 80) : at + 120] if at >= 0 else context[:200]
        lines += [
            "",
            f"[{edit.kind}] {question.question} -> {edit.question}",
            f"    answer: {question.answers[0]}",
            textwrap.indent(textwrap.fill("paragraph: ..." + " ".join(snippet.split()) + "...", 110), "    "),
        ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m eval.near_miss", description=__doc__)
    parser.add_argument("--data", nargs="+", required=True, help="SQuAD-format files")
    parser.add_argument("--samples", type=int, default=20, help="random near misses to print per file")
    parser.add_argument("--per-kind", type=int, default=0, help="random near misses to print of each kind, per file")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    print("\n\n".join(report(path, args.samples, args.seed, args.per_kind) for path in args.data))


if __name__ == "__main__":
    main()
