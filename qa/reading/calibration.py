"""Confidence as a probability: a logistic model over the reader's scores, fitted and measured (ECE, reliability)."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar, Self, TypeAlias

import numpy as np
from pydantic import BaseModel, Field

from qa.errors import CalibrationError

CALIBRATION_FILE = "calibration.json"
FEATURES = ("score", "margin")
RIGHT_F1 = 0.5  # an answer is right when its SQuAD F1 against a gold answer reaches this
MARGIN_CAP = 10.0  # the gap to the runner-up counts up to this much; with no runner-up, it is this
RELIABILITY_BINS = 10

Numbers: TypeAlias = Sequence[float] | Sequence[bool] | np.ndarray


def percentage(confidence: float) -> str:
    """A probability as a person reads it: '83%'."""
    return f"{100 * confidence:.0f}%"


def shown_confidence(confidence: float | None, score: float) -> str:
    """How a person reads an answer's confidence: a percentage, or the raw score of a reader without calibration."""
    return f"confidence {percentage(confidence)}" if confidence is not None else f"score {score:.2f}"


def is_right(f1: float) -> bool:
    """Whether an answer with this F1 against the gold answers counts as right."""
    return f1 >= RIGHT_F1


def gives_answer(score: float, confidence: float | None, threshold: float, min_confidence: float) -> bool:
    """Whether an answer is given: its confidence reaches ``min_confidence``, or (a reader without calibration)
    its score reaches ``threshold``."""
    return confidence >= min_confidence if confidence is not None else score >= threshold


def confidence_features(candidates: Sequence[tuple[str, float]]) -> list[float]:
    """The calibration features of the best of ``candidates`` ((text, score) pairs, best first): its score, and its
    margin over the best rival, capped at MARGIN_CAP (the cap when there is none). A rival is a candidate whose text
    neither holds nor lies inside the best one's ("the Pentagon" is no rival of "Pentagon")."""
    if not candidates:
        raise CalibrationError("a confidence needs at least one candidate answer")
    text, score = candidates[0]
    folded = text.casefold()
    rivals = [s for t, s in candidates[1:] if t.casefold() not in folded and folded not in t.casefold()]
    margin = min(score - rivals[0], MARGIN_CAP) if rivals else MARGIN_CAP
    return [float(score), float(margin)]


class Calibration(BaseModel):
    """P(answer right) = sigmoid(bias + weights · features), with what it was fitted on."""

    FILE: ClassVar[str] = CALIBRATION_FILE  # its name beside the reader's weights
    KIND: ClassVar[str] = "calibration"  # what its errors call it

    features: list[str] = Field(default_factory=lambda: list(FEATURES))
    weights: list[float]
    bias: float
    fitted_on: str = ""
    examples: int = 0
    positive_share: float = 0.0
    fitted_ece: float = 0.0

    def probability(self, features: Sequence[float]) -> float:
        """The probability that an answer with these features is right."""
        if len(features) != len(self.weights):
            raise CalibrationError(
                f"expected {len(self.weights)} features ({', '.join(self.features)}), got {len(features)}"
            )
        z = self.bias + sum(w * x for w, x in zip(self.weights, features, strict=True))
        return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(np.asarray(rows, dtype=np.float64) @ np.asarray(self.weights) + self.bias)))

    def save(self, folder: Path) -> Path:
        path = Path(folder) / self.FILE
        path.write_text(self.model_dump_json(indent=2) + "\n", encoding="utf-8")
        return path

    @classmethod
    def load(cls, folder: Path) -> Self | None:
        """The model kept beside a reader's weights; None when the reader has none."""
        path = Path(folder) / cls.FILE
        if not path.is_file():
            return None
        try:
            return cls.model_validate(json.loads(path.read_text(encoding="utf-8")))
        except (ValueError, OSError) as error:
            raise CalibrationError(f"unreadable {cls.KIND} {path}: {str(error).splitlines()[0]}") from None


def fit_logistic(
    rows: np.ndarray, labels: np.ndarray, l2: float = 1e-3, iterations: int = 50
) -> tuple[np.ndarray, float]:
    """Weights and bias of a logistic regression (Newton's method, a small L2 penalty on the weights only)."""
    x = np.asarray(rows, dtype=np.float64)
    y = np.asarray(labels, dtype=np.float64)
    if x.ndim != 2 or len(x) != len(y) or not len(y):
        raise CalibrationError(f"need a non-empty table of features and one label per row, got {x.shape} and {y.shape}")
    if y.min() == y.max():
        raise CalibrationError("need both right and wrong answers to fit a calibration")
    design = np.hstack([x, np.ones((len(x), 1))])
    penalty = np.diag([l2] * x.shape[1] + [0.0]) * len(y)
    theta = np.zeros(design.shape[1])
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(design @ theta)))
        gradient = design.T @ (p - y) + penalty @ theta
        hessian = design.T @ (design * (p * (1 - p))[:, None]) + penalty + 1e-9 * np.eye(len(theta))
        step = np.linalg.solve(hessian, gradient)
        theta -= step
        if np.abs(step).max() < 1e-8:
            break
    return theta[:-1], float(theta[-1])


def reliability(probabilities: Numbers, labels: Numbers, bins: int = RELIABILITY_BINS) -> list[dict]:
    """Per equal-width bin of predicted probability: its count, mean prediction and share right (empty bins left out)."""
    p = np.asarray(probabilities, dtype=np.float64)
    y = np.asarray(labels, dtype=np.float64)
    which = np.minimum((p * bins).astype(int), bins - 1)
    table = []
    for b in range(bins):
        chosen = which == b
        if chosen.any():
            table.append(
                {
                    "low": b / bins,
                    "high": (b + 1) / bins,
                    "count": int(chosen.sum()),
                    "confidence": float(p[chosen].mean()),
                    "accuracy": float(y[chosen].mean()),
                }
            )
    return table


def expected_calibration_error(probabilities: Numbers, labels: Numbers, bins: int = RELIABILITY_BINS) -> float:
    """ECE: the count-weighted mean gap between predicted probability and share right over equal-width bins."""
    table = reliability(probabilities, labels, bins)
    total = sum(row["count"] for row in table)
    if not total:
        raise CalibrationError("no predictions to measure")
    return sum(row["count"] * abs(row["accuracy"] - row["confidence"]) for row in table) / total


def fit_calibration(
    rows: np.ndarray, labels: np.ndarray, fitted_on: str, kind: type[Calibration] = Calibration
) -> Calibration:
    """A ``kind`` of model fitted on ``rows`` (its features) and ``labels`` (for a Calibration: answer right or not)."""
    weights, bias = fit_logistic(rows, labels)
    calibration = kind(
        weights=[float(w) for w in weights],
        bias=bias,
        fitted_on=fitted_on,
        examples=len(labels),
        positive_share=float(np.mean(labels)),
    )
    calibration.fitted_ece = expected_calibration_error(calibration.probabilities(rows), labels)
    return calibration
