"""qa.reading.stopping: the stop features, the stop model beside the weights, and the rule that picks between them."""

from __future__ import annotations

import pytest

from qa.models import Passage, RetrievedPassage
from qa.reading.calibration import CalibrationError
from qa.reading.stopping import CHAIN_STOP_PROBABILITY, FUSED_LEAD_SCALE, STOP_FILE, StopModel, StopRule, stop_features


def retrieved(score: float, dense_rank: int | None, bm25_rank: int | None) -> RetrievedPassage:
    passage = Passage(id="p", document_id="d", start=0, end=4, text="text")
    return RetrievedPassage(
        passage=passage, title="d", source="d.txt", score=score, dense_rank=dense_rank, bm25_rank=bm25_rank
    )


def test_features_are_the_answer_the_ranks_the_lead_and_agreement():
    passages = [retrieved(2 / 61, 1, 1), retrieved(1 / 61 + 1 / 62, 2, 3)]
    features = stop_features(0.7, 9.5, passages)
    assert features[:4] == [0.7, 9.5, 1.0, 1.0]
    assert features[4] == pytest.approx(FUSED_LEAD_SCALE * (1 / 61 - 1 / 62))
    assert features[5] == 1.0
    alone = stop_features(0.7, 9.5, [retrieved(1 / 62, None, 2)])  # found by one retriever, nothing after it
    assert alone[2:] == [0.0, 0.5, 0.0, 0.0]
    with pytest.raises(ValueError, match="passages"):
        stop_features(0.7, 9.5, [])


def test_the_rule_stops_by_confidence_without_a_model_and_by_the_model_with_one():
    passages = [retrieved(2 / 61, 1, 1), retrieved(1 / 62, 2, None)]
    assert StopRule(confidence=0.6).stops(0.6, 1.0, passages)
    assert not StopRule(confidence=0.6).stops(0.59, 1.0, passages)
    assert not StopRule(confidence=0.6).stops(None, 1.0, passages)  # a reader without calibration never stops
    confident = StopModel(weights=[10, 0, 0, 0, 0, 0], bias=-5)  # P > 0.9 from a confidence of about 0.72
    assert StopRule(confidence=0.0, probability=0.9, model=confident).stops(0.8, 1.0, passages)
    assert not StopRule(confidence=0.0, probability=0.9, model=confident).stops(0.6, 1.0, passages)
    assert not StopRule(confidence=1.0, model=confident).stops(0.99, 1.0, passages)  # 1: every passage
    assert StopRule(confidence=1.0).never_stops and StopRule(probability=1.0, model=confident).never_stops
    assert not StopRule(probability=1.0).never_stops  # without a model the probability plays no part
    with pytest.raises(ValueError, match="^a stop probability is between 0 and 1, got 1.5$"):
        StopRule(probability=1.5)


def test_the_questions_of_a_chain_stop_sooner_but_never_past_what_was_asked():
    passages = [retrieved(2 / 61, 1, 1), retrieved(1 / 62, 2, None)]
    confident = StopModel(weights=[10, 0, 0, 0, 0, 0], bias=-5)  # P > 0.9 from a confidence of about 0.72
    alone = StopRule(confidence=0.0, probability=0.9, model=confident)
    chained = alone.in_a_chain()
    assert chained.probability == CHAIN_STOP_PROBABILITY < 0.9
    assert chained.stops(0.65, 1.0, passages)  # P about 0.82: enough for a question of a chain, not for one alone
    assert not alone.stops(0.65, 1.0, passages)
    assert StopRule(probability=0.5, model=confident).in_a_chain().probability == 0.5  # never more than asked
    assert StopRule(probability=1.0, model=confident).in_a_chain().never_stops  # reading every passage still does
    assert StopRule(probability=0.9).in_a_chain().probability == 0.9  # without a model the probability plays no part


def test_a_stop_model_is_kept_beside_the_weights_apart_from_the_calibration(tmp_path):
    model = StopModel(weights=[1, 2, 3, 4, 5, 6], bias=-1, fitted_on="questions")
    assert model.save(tmp_path).name == STOP_FILE
    assert StopModel.load(tmp_path) == model
    assert StopModel.load(tmp_path / "nothing") is None
    (tmp_path / STOP_FILE).write_text("{", encoding="utf-8")
    with pytest.raises(CalibrationError, match="^unreadable stop model .*stop.json: "):
        StopModel.load(tmp_path)


def test_the_rule_says_in_words_what_it_does():
    model = StopModel(weights=[1, 0, 0, 0, 0, 0], bias=0)
    assert StopRule(confidence=0.6).description == "reading stops at confidence 0.6"
    assert StopRule(probability=0.9, model=model).description == "reading stops when the stop model gives 0.9"
    assert StopRule(confidence=1.0, model=model).description == "every passage read"
