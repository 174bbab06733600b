"""What chat wording costs the reader, and what ``plain_question`` and ``phrase_asked`` win back: SQuAD questions read in
their paragraph as asked, reworded as a person types in a chat, and reworded then put plainly.
python -m eval.chat_wording [--data FILE] [--questions 300]"""

from __future__ import annotations

import argparse
import random
import re
from collections.abc import Callable
from pathlib import Path

from tqdm import tqdm

from qa.app.cli import DATA_DIR
from qa.evaluation.metrics import score_prediction
from qa.evaluation.squad import load_squad
from qa.models import Passage
from qa.questions.wording import phrase_asked, plain_question
from qa.reading.reader import Reader

Item = tuple[str, str, list[str]]  # paragraph, question, gold answers
ASKS_WHO_DOES = re.compile(r"^Who (?!(?:is|was|are|were|did|does|do|has|had|have)\b)\w")  # "Who founded X?"
ASKS_WHAT_THE = re.compile(r"^What (?:is|was|are|were) the (?P<phrase>[^?]+)\?$")  # "What is the X?": typed "X?"
WORDINGS: dict[str, tuple[Callable[[str], bool], Callable[[str], str]]] = {
    "What is the name of the person who …?": (
        ASKS_WHO_DOES.match,  # type: ignore[dict-item]
        lambda q: "What is the name of the person who " + q[4:],
    ),
    "Can you tell me …?": (bool, lambda q: "Can you tell me " + q[:1].lower() + q[1:]),
    "Do you know …?": (bool, lambda q: "Do you know " + q[:1].lower() + q[1:]),
    "Quick one - …?": (bool, lambda q: "Quick one - " + q[:1].lower() + q[1:]),
    'a bare noun phrase ("What is the X?" typed "X?")': (
        ASKS_WHAT_THE.match,  # type: ignore[dict-item]
        lambda q: ASKS_WHAT_THE.sub(r"\g<phrase>?", q),
    ),
}


def f1(reader: Reader, items: list[Item], wording: Callable[[str], str]) -> float:
    """Mean F1 of the reader's best span for each question, reworded by ``wording``, read in its own paragraph."""
    scores = []
    for context, question, golds in tqdm(items, desc="reading", unit="q", leave=False):
        passage = Passage(id="p", document_id="d", start=0, end=len(context), text=context)
        spans = reader.read(wording(question), [passage], top_n=10)
        scores.append(score_prediction(spans[0].text if spans else None, golds)[1])
    return 100 * sum(scores) / len(scores)


def main() -> None:
    from eval.hostile import cpu_name
    from qa.pipeline import QA

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DATA_DIR / "squad-v1.1-dev.json.gz")
    parser.add_argument("--questions", type=int, default=300, help="questions of each wording")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    items = [
        (paragraph.context, q.question.strip(), q.answers)
        for article in load_squad(args.data)
        for paragraph in article.paragraphs
        for q in paragraph.questions
        if q.answers
    ]
    random.Random(args.seed).shuffle(items)
    reader = QA().reader()
    print(f"{args.data.name}, {args.questions} questions of each wording, closed reading; CPU: {cpu_name()}\n")
    print("| wording | questions | F1 as asked | F1 reworded | F1 reworded, put plainly |")
    print("|---|---:|---:|---:|---:|")
    for name, (asks, reworded) in WORDINGS.items():
        chosen = [item for item in items if asks(item[1])][: args.questions]
        as_asked, worded = f1(reader, chosen, lambda q: q), f1(reader, chosen, reworded)
        plain = f1(reader, chosen, lambda q, reworded=reworded: phrase_asked(plain_question(reworded(q))))  # type: ignore[misc]
        print(f"| {name} | {len(chosen)} | {as_asked:.1f} | {worded:.1f} | {plain:.1f} |")


if __name__ == "__main__":
    main()
