"""A reading asked again while one question is answered is not read again."""

from __future__ import annotations

from qa.models import Passage
from qa.reading.reader import Reader
from qa.reading.remembering import RememberingReader
from qa.testing.reader import ScriptedReader


def passage(number: int, text: str, **given) -> Passage:
    return Passage(
        id=f"d:{number}", document_id="d", start=100 * number, end=100 * number + len(text), text=text, **given
    )


def test_a_reading_asked_again_gives_the_same_spans_without_reading_again():
    scripted = ScriptedReader(("Zoë Brandt", 3.0))
    reader: Reader = RememberingReader(scripted)
    passages = [passage(0, "The chair is Zoë Brandt."), passage(1, "Minutes of the AGM.")]
    first = reader.read("Who chairs it?", passages, top_n=10)
    again = reader.read("Who chairs it?", passages, top_n=10)
    assert first == again and [s.text for s in again] == ["Zoë Brandt"]
    assert scripted.reads == [["d:0", "d:1"]] and reader.windows_read == 2
    again.clear()  # what a caller does with its spans leaves the reading as read
    assert reader.read("Who chairs it?", passages, top_n=10) == first


def test_another_question_passage_or_number_of_spans_is_read():
    scripted = ScriptedReader(("Zoë Brandt", 3.0))
    reader = RememberingReader(scripted)
    text = "The chair is Zoë Brandt."
    reader.read("Who chairs it?", [passage(0, text)])
    reader.read("Who is the chair?", [passage(0, text)])
    reader.read("Who is the chair?", [passage(0, text)], top_n=10)
    reader.read("Who is the chair?", [passage(0, text, headings=((-1, "Committee"),))], top_n=10)
    reader.read("Who is the chair?", [passage(0, text, about="Fairfield Chess Club")], top_n=10)
    reader.read("Who is the chair?", [passage(2, text)], top_n=10)  # the same words elsewhere
    assert len(scripted.reads) == 6 and reader.windows_read == 6


def test_everything_but_reading_is_the_reader_s():
    scripted = ScriptedReader(("Zoë Brandt", 3.0), confidence=0.7)
    reader = RememberingReader(scripted)
    assert reader.confidence([("Zoë Brandt", 3.0)]) == 0.7
    assert (reader.threshold, reader.stop_model, reader.answerability, reader.history_turns) == (0.0, None, None, 0)
    reader.threshold = 1.5
    assert scripted.threshold == 1.5
