"""Benchmark: bf16 passes traced with linear layers over prepacked weights against traced plain, on this CPU."""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")

# (model, rows, tokens): a question embedded, two embedded at once, passages embedded; reader windows
PASSES = (
    ("embedder", 1, 16),
    ("embedder", 2, 24),
    ("embedder", 32, 128),
    ("reader", 1, 224),
    ("reader", 1, 256),
    ("reader", 2, 224),
    ("reader", 16, 128),
)


def batch(rows: int, tokens: int) -> dict:
    """Token ids of ``rows`` texts of ``tokens`` tokens each (the same for every run), none padded."""
    import numpy as np

    ids = np.random.RandomState(0).randint(1000, 20000, size=(rows, tokens))
    return {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": np.zeros_like(ids)}


def median_ms(module, inputs: tuple, repeats: int) -> float:
    """The median milliseconds of ``repeats`` passes of ``module`` on the torch lane, after three not timed."""
    from qa.runtime import forward, on_torch_lane

    for _ in range(3):
        on_torch_lane(forward, module, inputs)
    took = []
    for _ in range(repeats):
        began = time.perf_counter()
        on_torch_lane(forward, module, inputs)
        took.append(time.perf_counter() - began)
    return statistics.median(took) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=2, help="rounds, each timing both versions of every pass")
    parser.add_argument("--repeats", type=int, default=25, help="passes timed per version, pass and round")
    args = parser.parse_args()

    from eval.hostile import cpu_name
    from qa.embedding import Embedder
    from qa.reading.reader import SpanReader
    from qa.runtime import BF16_FLAGS, cpu_flags, packed_linear_function, tensors, traced

    flags = sorted(f for f in cpu_flags() if f in (*BF16_FLAGS, "amx_tile"))
    print(f"CPU: {cpu_name()} ({os.cpu_count()} cores), bf16 flags: {', '.join(flags) or 'none'}")
    if packed_linear_function() is None:
        print("oneDNN does not run bf16 on this CPU (or this PyTorch): nothing is prepacked here.")
        return
    modules = {
        "embedder": Embedder(runtime="torch", precision="bf16").torch_passes.module,
        "reader": SpanReader(runtime="torch", precision="bf16").torch_passes.module,
    }
    short = tensors(batch(1, 32))
    versions = {
        name: {"plain": traced(module, short, prepack=False), "prepacked": traced(module, short)}
        for name, module in modules.items()
    }
    timed: dict[tuple, dict[str, list[float]]] = {p: {"plain": [], "prepacked": []} for p in PASSES}
    for _ in range(args.rounds):
        for name, rows, tokens in PASSES:
            inputs = tensors(batch(rows, tokens))
            for version in ("plain", "prepacked"):
                timed[(name, rows, tokens)][version].append(median_ms(versions[name][version], inputs, args.repeats))
    print(f"\nMedian ms of {args.repeats} passes, traced, in each of {args.rounds} rounds (alternating):\n")
    print("| pass | traced plain | traced prepacked | prepacked / plain |")
    print("|---|---|---|---:|")
    for (name, rows, tokens), times in timed.items():
        plain, packed = times["plain"], times["prepacked"]
        ratio = statistics.median(packed) / statistics.median(plain)
        shown = [", ".join(f"{t:.2f}" for t in ts) for ts in (plain, packed)]
        print(f"| {name}, {rows} x {tokens} tokens | {shown[0]} | {shown[1]} | {ratio:.2f} |")


if __name__ == "__main__":
    main()
