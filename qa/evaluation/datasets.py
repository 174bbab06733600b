"""Question sets: our JSONL, SQuAD files as questions and documents, their cached index, off-collection questions."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from qa.documents.loading import document_id
from qa.evaluation.metrics import contains_answer
from qa.evaluation.squad import SquadArticle
from qa.models import Document, Passage

SQUAD_FILE = re.compile(r"\.json(\.gz)?$")

DATA_SUFFIX = re.compile(r"\.(jsonl|json)(\.gz)?$")


@dataclass
class EvalQuestion:
    """A question to evaluate; no answers means unanswerable. SQuAD questions carry their gold paragraph."""

    id: str
    question: str
    answers: list[str]
    history: list[dict[str, str | None]] = field(default_factory=list)
    context: str | None = None
    document_id: str | None = None

    def is_relevant(self, passage: Passage) -> bool:
        """A passage of the gold paragraph (SQuAD), or one that holds a gold answer (our JSONL)."""
        if self.document_id is not None:
            return passage.document_id == self.document_id
        return contains_answer(passage.text, self.answers)


def load_jsonl(path: Path) -> list[EvalQuestion]:
    """Our question set: one {id, question, answers, history?} object per line."""
    questions = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                row = json.loads(line)
                questions.append(
                    EvalQuestion(
                        id=str(row["id"]),
                        question=row["question"],
                        answers=list(row["answers"]),
                        history=list(row.get("history") or []),
                    )
                )
    return questions


def squad_corpus(articles: list[SquadArticle], file_name: str) -> tuple[list[EvalQuestion], list[Document], int]:
    """The usable questions, one document per distinct paragraph, and how many questions were skipped as unusable."""
    questions: list[EvalQuestion] = []
    documents: dict[str, Document] = {}
    skipped = 0
    for article_number, article in enumerate(articles):
        for paragraph_number, paragraph in enumerate(article.paragraphs):
            gold_id = document_id(paragraph.context)
            documents.setdefault(
                gold_id,
                Document(
                    id=gold_id,
                    title=f"{article.title} #{paragraph_number + 1}",
                    source=f"{file_name}#{article_number}/{paragraph_number}",
                    text=paragraph.context,
                ),
            )
            for question in paragraph.questions:
                if not question.usable:
                    skipped += 1
                    continue
                questions.append(
                    EvalQuestion(
                        id=question.id,
                        question=question.question,
                        answers=[] if question.is_impossible else question.answers,
                        context=paragraph.context,
                        document_id=gold_id,
                    )
                )
    return questions, list(documents.values()), skipped


def corpus_cache_folder(data: Path, settings, cache_dir: Path, articles: Sequence[str] = ()) -> Path:
    """``cache_dir/<hash of the data file and the chunking settings>``: where a SQuAD corpus's local index lives
    (``articles``: the titles, when the corpus is only those articles of the file)."""
    digest = hashlib.sha256()
    with open(data, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    digest.update(
        json.dumps(
            [
                settings.embedding_model,
                settings.chunk_tokens,
                settings.chunk_overlap_sentences,
                settings.runtime,  # the vectors differ a little with the embedder's runtime and precision
                settings.precision,
            ]
        ).encode()
    )
    if articles:
        digest.update(json.dumps(sorted(articles)).encode())
    return cache_dir / digest.hexdigest()[:16]


def off_the_collection(questions: list[EvalQuestion]) -> list[EvalQuestion]:
    """The questions asked of a collection that does not hold their article: none has an answer there."""
    return [replace(q, answers=[], context=None, document_id=None) for q in questions]


def interleaved(first: list[EvalQuestion], second: list[EvalQuestion]) -> list[EvalQuestion]:
    """One of each in turn while both last, then the rest of the longer."""
    mixed = [q for pair in zip(first, second, strict=False) for q in pair]
    shorter = min(len(first), len(second))
    return mixed + first[shorter:] + second[shorter:]
