"""Read SQuAD-format question-answering files (v1.1 and v2.0, plain or gzipped)."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from pathlib import Path

from qa.errors import DataError


@dataclass
class SquadQuestion:
    id: str
    question: str
    answers: list[str]
    answer_starts: list[int]
    is_impossible: bool = False

    @property
    def usable(self) -> bool:
        """True when the question has a gold answer or is marked unanswerable (some files carry empty answers)."""
        return self.is_impossible or bool(self.answers)


@dataclass
class SquadParagraph:
    context: str
    questions: list[SquadQuestion] = field(default_factory=list)


@dataclass
class SquadArticle:
    title: str
    paragraphs: list[SquadParagraph] = field(default_factory=list)


def squad_version(path: str | Path) -> str:
    """The ``version`` a SQuAD-format file declares ("1.1", "v2.0", "follow-ups", ...; "" when none)."""
    return str(_read(Path(path)).get("version", ""))


def _read(path: Path) -> dict:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return json.load(handle)


def load_squad(path: str | Path) -> list[SquadArticle]:
    """Load a SQuAD v1.1/v2.0 JSON file (``.json`` or ``.json.gz``) into articles."""
    path = Path(path)
    raw = _read(path)
    if "data" not in raw:
        raise DataError(f"{path} is not a SQuAD-format file: no 'data' key")
    articles = []
    for raw_article in raw["data"]:
        article = SquadArticle(title=raw_article.get("title", ""))
        for raw_paragraph in raw_article["paragraphs"]:
            paragraph = SquadParagraph(context=raw_paragraph["context"])
            for qa in raw_paragraph["qas"]:
                answers = [a for a in qa.get("answers") or [] if a["text"].strip()]
                paragraph.questions.append(
                    SquadQuestion(
                        id=str(qa["id"]),
                        question=qa["question"],
                        answers=[a["text"] for a in answers],
                        answer_starts=[int(a["answer_start"]) for a in answers],
                        is_impossible=bool(qa.get("is_impossible", False)),
                    )
                )
            article.paragraphs.append(paragraph)
        articles.append(article)
    return articles
