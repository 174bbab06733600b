import math

import pytest

from qa.models import Answer, Passage, RetrievedPassage
from qa.reading.answerability import (
    AnswerabilityModel,
    answerability_features,
    coverage,
    prior_shift,
    question_names,
)
from qa.reading.answers import citation_at


def retrieved(number: int, text: str, dense_rank: int | None, bm25_rank: int | None) -> RetrievedPassage:
    return RetrievedPassage(
        passage=Passage(id=f"p{number}", document_id=f"d{number}", start=0, end=len(text), text=text),
        title=f"d{number}",
        source=f"d{number}.txt",
        score=0.01,
        dense_rank=dense_rank,
        bm25_rank=bm25_rank,
        dense_score=0.5,
    )


def answer_in(found: RetrievedPassage, text: str, score: float, confidence: float) -> Answer:
    start = found.passage.text.index(text)
    return Answer(
        text=text, score=score, confidence=confidence, citations=[citation_at(found, start, start + len(text))]
    )


def test_question_names_are_its_capitalised_words_but_the_first_and_its_numbers():
    assert question_names("Who led the Security Office in 2019?") == ["Security", "Office", "2019"]
    assert question_names("What is the capital?") == []


def test_coverage_counts_the_question_words_and_names_the_passage_holds():
    terms, names = coverage("Who founded Varrowdale in 1602?", "Varrowdale was founded by Edmund Carrow.")
    assert names == pytest.approx(0.5)  # Varrowdale, not 1602
    assert 0 < terms < 1
    assert coverage("what is it?", "anything") == (1.0, 1.0)  # nothing to look for


def test_features_describe_the_cited_passage_and_how_many_others_agree():
    first = retrieved(0, "Varrowdale was founded by Edmund Carrow in 1602.", 1, 2)
    others = [retrieved(n, f"Edmund Carrow is named here too, {n}.", None, 1) for n in range(1, 6)]
    answer = answer_in(first, "Edmund Carrow", 7.0, 0.8)
    features = answerability_features("Who founded Varrowdale?", answer, [first, *others], collection_passages=999)
    assert features[:2] == [0.8, 7.0]
    assert features[2:5] == [0.5, 1.0, 0.5]  # cosine, 1 / dense rank, 1 / BM25 rank of the cited passage
    assert features[6] == 1.0  # its passage names Varrowdale
    assert features[7] == 1.0  # five other passages hold the answer: capped
    assert features[8] == pytest.approx(3.0)  # a collection of 999 passages: log10(1 + 999)


def test_the_model_rates_each_answer_and_keeps_the_reader_order():
    first = retrieved(0, "Alpha and Beta met in Gamma.", 1, 1)
    weak, strong = answer_in(first, "Alpha", 9.0, 0.1), answer_in(first, "Beta", 2.0, 0.9)
    model = AnswerabilityModel(weights=[10.0, 0, 0, 0, 0, 0, 0, 0, 0], bias=-5.0)  # follows the reader's confidence
    rated = model.rated("Who met?", [weak, strong], [first], collection_passages=1)
    assert [a.text for a in rated] == ["Alpha", "Beta"]  # the reader ranks; the model only rates
    assert rated[0].confidence == pytest.approx(1 / (1 + math.exp(4.0)))
    assert rated[1].confidence == pytest.approx(1 / (1 + math.exp(-4.0)))


def test_an_answer_resting_on_two_passages_keeps_the_confidence_its_readings_gave_it():
    first, second = retrieved(0, "Alpha leads the Beta project.", 1, 1), retrieved(1, "Beta won 5 euros.", 2, 2)
    single, chained = answer_in(first, "Alpha", 9.0, 0.3), answer_in(second, "5 euros", 4.0, 0.6)
    chained.supporting = answer_in(first, "Beta", 1.0, 0.1).citations  # where the first passage names the bridge
    model = AnswerabilityModel(weights=[0] * 9, bias=0.0)  # one half, whatever it is shown
    rated = model.rated("What did the project Alpha leads win?", [single, chained], [first, second], 2)
    assert [a.confidence for a in rated] == [0.5, 0.6]


@pytest.mark.parametrize(
    ("fitted", "share", "shift"), [(0.4, 0.5, math.log(1.5)), (0.5, 0.5, 0.0), (0.5, 0.2, -math.log(4))]
)
def test_the_prior_shift_moves_the_odds_of_an_answerable_question(fitted, share, shift):
    assert prior_shift(fitted, share) == pytest.approx(shift)


@pytest.mark.parametrize(("fitted", "share"), [(0.0, 0.5), (0.4, 1.0)])
def test_a_share_of_zero_or_one_is_refused(fitted, share):
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        prior_shift(fitted, share)
