"""How the reader reads documents' layouts: SQuAD paragraphs laid out one sentence a line, plain, numbered as clauses
("2.3  ") and as a list ("3. "), and with a paper's numbered citations ("[4]") after or within each sentence; each
question read over its paragraph. python -m eval.layouts [--data FILE] [--questions 400]"""

from __future__ import annotations

import argparse
import os
import random
from collections.abc import Callable
from pathlib import Path

from tqdm import tqdm

from qa.app.cli import DATA_DIR
from qa.documents.chunking import sentence_spans
from qa.evaluation.metrics import score_prediction
from qa.evaluation.squad import SquadQuestion, load_squad
from qa.models import Passage
from qa.pipeline import QA
from qa.reading.reader import Reader

LAYOUTS: dict[str, Callable[[list[str]], str]] = {
    "paragraph": lambda sentences: " ".join(sentences),
    "a sentence a line": lambda sentences: "\n".join(sentences),
    "clauses (2.1  ...)": lambda sentences: "\n".join(f"2.{n}  {s}" for n, s in enumerate(sentences, 1)),
    "a list (1. ...)": lambda sentences: "\n".join(f"{n}. {s}" for n, s in enumerate(sentences, 1)),
    "cited after each sentence (... [4] .)": lambda sentences: " ".join(
        cited_at_end(s, n) for n, s in enumerate(sentences)
    ),
    "cited within each sentence (... [4] ...)": lambda sentences: " ".join(
        cited_within(s, n) for n, s in enumerate(sentences)
    ),
}


# Under headings, as a report's or a contract's sections are: the article's title above the paragraph's first half and
# again above its second half, plain and numbered as sections ("4. Super Bowl 50"); the reader is given the headings
# as a document's format gives them.
HEADED_LAYOUTS: dict[str, Callable[[list[str], str], tuple[str, tuple[tuple[int, str], ...]]]] = {
    "under headings": lambda sentences, title: under_headings(sentences, [title, title]),
    "under numbered headings (4. ...)": lambda sentences, title: under_headings(
        sentences, [f"4. {title}", f"5. {title}"]
    ),
}


def under_headings(sentences: list[str], titles: list[str]) -> tuple[str, tuple[tuple[int, str], ...]]:
    """The sentences in two halves, each under the next of ``titles`` on a line of its own; the text and its headings
    (offset, title)."""
    half = (len(sentences) + 1) // 2
    text, headings = "", []
    for title, part in zip(titles, (sentences[:half], sentences[half:]), strict=True):
        if part:
            headings.append((len(text), title))
            text += f"{title}\n{' '.join(part)}\n"
    return text.rstrip("\n"), tuple(headings)


def cited_at_end(sentence: str, number: int) -> str:
    """The sentence with a numbered citation before its full stop, as papers print it ("15-45% [1] .")."""
    return f"{sentence[:-1]} [{number + 1}] ." if sentence.endswith(".") else f"{sentence} [{number + 1}]"


def cited_within(sentence: str, number: int) -> str:
    """The sentence with a numbered citation after its middle word (sentences of more than six words)."""
    words = sentence.split(" ")
    if len(words) > 6:
        words.insert(len(words) // 2, f"[{number + 3}]")
    return " ".join(words)


def sentences_of(context: str) -> list[str]:
    """The paragraph's sentences, trimmed."""
    return [context[span.start : span.end].strip() for span in sentence_spans(context)]


def read_over(
    reader: Reader, question: SquadQuestion, text: str, headings: tuple[tuple[int, str], ...] = ()
) -> tuple[float, float]:
    """(EM, F1) of the reader's best span for ``question`` over ``text`` (its ``headings``: offset, title)."""
    passage = Passage(id="laid-out:0", document_id="laid-out", text=text, start=0, end=len(text), headings=headings)
    spans = reader.read(question.question, [passage])
    return score_prediction(spans[0].text if spans else None, question.answers)


def main() -> None:
    from eval.hostile import cpu_name

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DATA_DIR / "squad-v1.1-dev.json.gz")
    parser.add_argument("--questions", type=int, default=400)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    asked = [
        (a.title.replace("_", " "), p.context, q)
        for a in load_squad(args.data)
        for p in a.paragraphs
        for q in p.questions
        if q.answers
    ]
    random.Random(args.seed).shuffle(asked)
    reader = QA().reader()
    totals = {layout: [0.0, 0.0] for layout in [*LAYOUTS, *HEADED_LAYOUTS]}
    for title, context, question in tqdm(asked[: args.questions], desc="reading", unit="q"):
        sentences = sentences_of(context)
        read: list[tuple[str, tuple[str, tuple[tuple[int, str], ...]]]] = [
            (layout, (lay_out(sentences), ())) for layout, lay_out in LAYOUTS.items()
        ]
        read += [(layout, lay_out(sentences, title)) for layout, lay_out in HEADED_LAYOUTS.items()]
        for layout, (text, headings) in read:
            em, f1 = read_over(reader, question, text, headings)
            totals[layout][0] += em
            totals[layout][1] += f1
    count = min(args.questions, len(asked))
    print(f"CPU: {cpu_name()} ({os.cpu_count()} cores); {args.data.name}, {count} questions, each over its paragraph")
    print("| layout | EM | F1 |\n|---|---:|---:|")
    for layout, (em, f1) in totals.items():
        print(f"| {layout} | {100 * em / count:.1f} | {100 * f1 / count:.1f} |")


if __name__ == "__main__":
    main()
