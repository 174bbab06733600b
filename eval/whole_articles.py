"""How well the confidence holds in long documents: SQuAD articles indexed whole (one document each, 20 passages or
more), their questions asked in open mode. python -m eval.whole_articles [--data FILE] [--articles 20] [--questions 40]"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
from pathlib import Path

import numpy as np
from tqdm import tqdm

from qa.app.cli import DATA_DIR
from qa.evaluation.metrics import score_prediction
from qa.evaluation.squad import SquadArticle, SquadQuestion, load_squad
from qa.pipeline import QA
from qa.reading.answers import LONG_DOCUMENT_PASSAGES
from qa.reading.calibration import expected_calibration_error, is_right, reliability


def write_articles(articles: list[SquadArticle], folder: Path) -> None:
    """Each article as one text file: its paragraphs in order, a blank line between them."""
    for number, article in enumerate(articles):
        text = "\n\n".join(paragraph.context for paragraph in article.paragraphs)
        (folder / f"article-{number:02d}.txt").write_text(text, encoding="utf-8")


def sampled_questions(articles: list[SquadArticle], per_article: int, chance: random.Random) -> list[SquadQuestion]:
    """Up to ``per_article`` questions of each article, drawn at random."""
    questions = []
    for article in articles:
        own = [q for paragraph in article.paragraphs for q in paragraph.questions if q.answers]
        questions += chance.sample(own, min(per_article, len(own)))
    return questions


def in_long_document(engine: QA, question: SquadQuestion) -> tuple[float, bool, float] | None:
    """(confidence, right, F1) of the answer to ``question`` (asked with no minimum confidence), when it is read in
    a long document; None otherwise."""
    result = engine.ask(question.question, min_confidence=0.0)
    if result.confidence is None or not result.citations:
        return None
    cited = result.citations[0].document_id
    passages = next((p.document_passages or 0 for p in result.passages if p.passage.document_id == cited), 0)
    if passages < LONG_DOCUMENT_PASSAGES:
        return None
    f1 = score_prediction(result.answer, question.answers)[1]
    return result.confidence, is_right(f1), f1


def main() -> None:
    from eval.hostile import cpu_name

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DATA_DIR / "squad-v1.1-dev.json.gz")
    parser.add_argument("--articles", type=int, default=20)
    parser.add_argument("--questions", type=int, default=40, help="questions asked per article")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    chance = random.Random(args.seed)
    articles = chance.sample(load_squad(args.data), args.articles)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        documents = Path(folder, "documents")
        documents.mkdir()
        write_articles(articles, documents)
        engine = QA(documents_dir=documents, index_dir=Path(folder, "index"))
        engine.refresh_index()
        engine.warm_up()
        for question in tqdm(sampled_questions(articles, args.questions, chance), desc="asking", unit="q"):
            rows.append(in_long_document(engine, question))
        engine.close()
    found = [row for row in rows if row is not None]
    confidence, right = np.array([r[0] for r in found]), np.array([r[1] for r in found])
    print(f"CPU: {cpu_name()} ({os.cpu_count()} cores); {args.data.name}, {args.articles} articles indexed whole")
    print(f"{len(found)} of {len(rows)} questions answered in a long document ({LONG_DOCUMENT_PASSAGES}+ passages)")
    print(
        f"F1 {100 * np.mean([r[2] for r in found]):.1f}, share right {right.mean():.3f}, "
        f"mean confidence {confidence.mean():.3f}, ECE {expected_calibration_error(confidence, right):.3f}"
    )
    print("| confidence | answers | mean confidence | share right |\n|---|---:|---:|---:|")
    for row in reliability(confidence, right):
        print(
            f"| {row['low']:.1f}–{row['high']:.1f} | {row['count']} | {row['confidence']:.2f} | {row['accuracy']:.2f} |"
        )


if __name__ == "__main__":
    main()
