"""A reader double for tests of what reads passages (``qa.reading.reader.Reader``): it finds given answers by script."""

from __future__ import annotations

from collections.abc import Sequence

from qa.models import Passage
from qa.reading.reader import Reader, ReaderSpan


class ScriptedReader:
    """Reads by script: each of ``answers`` ((text, score)) is a span wherever its text stands in a passage it is
    handed (at the passage's document offsets), best first; ``confidence`` is what it says of any best answer (None:
    a reader without calibration). ``reads`` records the passage ids of each call; ``windows_read`` counts the
    passages read, one window each."""

    threshold = 0.0
    stop_model = None
    answerability = None
    history_turns = 0

    def __init__(self, *answers: tuple[str, float], confidence: float | None = None) -> None:
        self.answers = answers
        self.given_confidence = confidence
        self.reads: list[list[str]] = []
        self.windows_read = 0

    def warm_up(self) -> None:
        """Nothing to load."""

    def close(self) -> None:
        """Nothing to end."""

    def read(self, question: str, passages: list[Passage], top_n: int = 5) -> list[ReaderSpan]:
        self.reads.append([p.id for p in passages])
        self.windows_read += len(passages)
        spans = [
            ReaderSpan(p.document_id, p.id, p.start + at, p.start + at + len(text), text, score)
            for p in passages
            for text, score in self.answers
            if (at := p.text.find(text)) >= 0
        ]
        return sorted(spans, key=lambda span: -span.score)[:top_n]

    def confidence(self, candidates: Sequence[tuple[str, float]]) -> float | None:
        return self.given_confidence


def as_reader(reader: ScriptedReader) -> Reader:
    """The double where a ``Reader`` is wanted (mypy checks here that it keeps the protocol)."""
    return reader
