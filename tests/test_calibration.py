"""Calibration: the logistic fit, ECE and reliability bins, on data whose answers are known."""

from __future__ import annotations

import numpy as np
import pytest

from qa.reading.calibration import (
    MARGIN_CAP,
    Calibration,
    CalibrationError,
    confidence_features,
    expected_calibration_error,
    fit_calibration,
    fit_logistic,
    reliability,
)


def test_features_are_the_best_score_and_its_margin_over_the_best_rival():
    assert confidence_features([("Lavrov", 7.5), ("Rogozin", 5.0), ("NATO", 1.0)]) == [7.5, 2.5]
    # a span inside the best one, or holding it, is the same answer, not a rival
    assert confidence_features([("the Pentagon", 7.5), ("Pentagon", 7.0), ("The Pentagon's", 6.0), ("NATO", 1.5)]) == [
        7.5,
        6.0,
    ]
    assert confidence_features([("Lavrov", 30.0), ("Rogozin", 1.0)]) == [30.0, MARGIN_CAP]  # capped
    assert confidence_features([("Lavrov", -2.0)]) == [-2.0, MARGIN_CAP]  # no rival
    with pytest.raises(CalibrationError, match="^a confidence needs at least one candidate answer$"):
        confidence_features([])


def test_the_fit_recovers_the_model_that_made_the_labels():
    rng = np.random.default_rng(0)
    rows = rng.normal(0, 3, size=(40_000, 2))
    truth_weights, truth_bias = np.array([0.8, -0.3]), -1.0
    labels = rng.random(len(rows)) < 1 / (1 + np.exp(-(rows @ truth_weights + truth_bias)))
    weights, bias = fit_logistic(rows, labels, l2=0.0)
    assert np.allclose(weights, truth_weights, atol=0.05)
    assert bias == pytest.approx(truth_bias, abs=0.06)
    calibration = fit_calibration(rows, labels, fitted_on="synthetic")
    assert calibration.fitted_ece < 0.02
    assert calibration.examples == 40_000
    assert calibration.probability(rows[0]) == pytest.approx(calibration.probabilities(rows[:1])[0])


def test_a_fit_needs_both_outcomes_and_matching_rows():
    with pytest.raises(CalibrationError, match="^need both right and wrong answers to fit a calibration$"):
        fit_logistic(np.zeros((3, 2)), np.ones(3))
    with pytest.raises(CalibrationError, match="^need a non-empty table"):
        fit_logistic(np.zeros((3, 2)), np.ones(2))


def test_reliability_bins_and_ece_by_hand():
    probabilities = [0.05, 0.15, 0.15, 0.95, 0.95, 0.95, 0.95]
    labels = [False, True, False, True, True, True, False]
    table = reliability(probabilities, labels)
    assert [(row["low"], row["count"], row["accuracy"]) for row in table] == [
        (0.0, 1, 0.0),
        (0.1, 2, 0.5),
        (0.9, 4, 0.75),
    ]
    # |0 - 0.05| * 1 + |0.5 - 0.15| * 2 + |0.75 - 0.95| * 4, over 7
    assert expected_calibration_error(probabilities, labels) == pytest.approx((0.05 + 0.7 + 0.8) / 7)
    assert reliability([1.0], [True])[0]["high"] == 1.0  # a probability of exactly 1 falls in the last bin


def test_an_overconfident_model_has_a_large_ece():
    rng = np.random.default_rng(1)
    probabilities = rng.uniform(0.9, 1.0, 5000)
    labels = rng.random(5000) < 0.5
    assert expected_calibration_error(probabilities, labels) > 0.4


def test_a_calibration_is_saved_beside_the_weights_and_read_back(tmp_path):
    calibration = Calibration(weights=[0.5, 0.1], bias=-2.0, fitted_on="x", examples=3)
    calibration.save(tmp_path)
    assert Calibration.load(tmp_path) == calibration
    assert Calibration.load(tmp_path / "nowhere") is None
    (tmp_path / "calibration.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(CalibrationError, match="^unreadable calibration .*calibration.json: "):
        Calibration.load(tmp_path)
    with pytest.raises(CalibrationError, match=r"^expected 2 features \(score, margin\), got 1$"):
        calibration.probability([1.0])
