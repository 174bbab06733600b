"""A reader that reads a question in the same passages once while one question is answered."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from qa.models import Passage
from qa.reading.reader import Reader, ReaderSpan
from qa.reading.stopping import StopModel

if TYPE_CHECKING:
    from qa.reading.answerability import AnswerabilityModel

ReadingKey = tuple[str, int, tuple[tuple[object, ...], ...]]  # a question, top_n, and what each passage gives to read


def reading_key(question: str, passages: list[Passage], top_n: int) -> ReadingKey:
    """What a reading depends on: the question, how many spans it gives, and each passage's place, text, headings,
    table head and what it is read as being about."""
    given = tuple((p.document_id, p.id, p.start, p.text, p.headings, p.table_head, p.about) for p in passages)
    return question, top_n, given


class RememberingReader:
    """``reader`` for the answering of one question: a reading asked again (second hops through two names that lead to
    the same passage, a chain's question asked before and after hops, a part read as the whole was) gives the spans
    read the first time, without reading the windows again. Everything else is ``reader``'s."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader
        self.readings: dict[ReadingKey, list[ReaderSpan]] = {}

    def read(self, question: str, passages: list[Passage], top_n: int = 5) -> list[ReaderSpan]:
        key = reading_key(question, passages, top_n)
        if key not in self.readings:
            self.readings[key] = self.reader.read(question, passages, top_n)
        return list(self.readings[key])

    @property
    def threshold(self) -> float:
        return self.reader.threshold

    @threshold.setter
    def threshold(self, value: float) -> None:
        self.reader.threshold = value

    @property
    def windows_read(self) -> int:
        return self.reader.windows_read

    @windows_read.setter
    def windows_read(self, value: int) -> None:
        self.reader.windows_read = value

    def warm_up(self) -> None:
        self.reader.warm_up()

    def close(self) -> None:
        self.reader.close()

    def confidence(self, candidates: Sequence[tuple[str, float]]) -> float | None:
        return self.reader.confidence(candidates)

    @property
    def stop_model(self) -> StopModel | None:
        return self.reader.stop_model

    @property
    def answerability(self) -> AnswerabilityModel | None:
        return self.reader.answerability

    @property
    def history_turns(self) -> int:
        return self.reader.history_turns
