"""When reading may stop at the most promising passage: its answer's confidence, or a model that adds the retrievers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import ClassVar

from pydantic import Field

from qa.models import RetrievedPassage
from qa.reading.calibration import Calibration

STOP_FILE = "stop.json"
STOP_FEATURES = ("confidence", "score", "dense_reciprocal_rank", "bm25_reciprocal_rank", "fused_lead", "both_first")
FUSED_LEAD_SCALE = 1000.0  # reciprocal-rank fusion scores (k = 60) differ from the third decimal on
# The stop model's probability at which the questions of a chain stop (at most): each is asked of what a reading named
# (its answer judged after, at the product of both readings' confidences), and every window read for it adds to what
# the whole question costs. At 0.75 against 0.9, the seven sets read 7% fewer windows with no answer lost (0.6 lost 3).
CHAIN_STOP_PROBABILITY = 0.75


def stop_features(confidence: float, score: float, passages: Sequence[RetrievedPassage]) -> list[float]:
    """What the stop model weighs once the first of ``passages`` (hybrid retrieval, best first) is read: its best
    answer's confidence and raw score, the reciprocal of the passage's rank for each retriever (0 when it did not
    find it), its fused score's lead over the next passage (scaled by FUSED_LEAD_SCALE), and whether both
    retrievers ranked it first."""
    if not passages:
        raise ValueError("stop features need the passages read")
    first = passages[0]
    lead = first.score - passages[1].score if len(passages) > 1 else 0.0
    dense = 1.0 / first.dense_rank if first.dense_rank else 0.0
    bm25 = 1.0 / first.bm25_rank if first.bm25_rank else 0.0
    return [float(confidence), float(score), dense, bm25, FUSED_LEAD_SCALE * lead, float(dense == bm25 == 1.0)]


class StopModel(Calibration):
    """P(reading the other passages would not improve the first passage's answer) = sigmoid(bias + weights ·
    ``stop_features``): a logistic model kept beside a reader's weights, fitted by ``python -m eval.stop_curve
    --fit``."""

    FILE: ClassVar[str] = STOP_FILE
    KIND: ClassVar[str] = "stop model"

    features: list[str] = Field(default_factory=lambda: list(STOP_FEATURES))


@dataclass(frozen=True)
class StopRule:
    """When reading stops after the most promising passages. With a stop model (a reader that has one, hybrid
    retrieval): when it gives at least ``probability`` that the others would not improve the answer; without: when the
    answer's confidence reaches ``confidence``. A ``confidence`` of 1 never stops, nor does a ``probability`` of 1
    with a model; a reader without calibration never stops."""

    confidence: float = 0.6
    probability: float = 0.9
    model: StopModel | None = None

    def __post_init__(self) -> None:
        for name in ("confidence", "probability"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"a stop {name} is between 0 and 1, got {value}")

    @property
    def description(self) -> str:
        """The rule in words, for reports: "reading stops when the stop model gives 0.9"."""
        if self.never_stops:
            return "every passage read"
        if self.model is not None:
            return f"reading stops when the stop model gives {self.probability}"
        return f"reading stops at confidence {self.confidence}"

    @property
    def never_stops(self) -> bool:
        return self.confidence >= 1.0 or (self.model is not None and self.probability >= 1.0)

    def in_a_chain(self) -> StopRule:
        """The rule for the questions of a chain: with a stop model, its probability at most CHAIN_STOP_PROBABILITY
        (a rule that never stops still never stops)."""
        if self.model is None or self.never_stops or self.probability <= CHAIN_STOP_PROBABILITY:
            return self
        return replace(self, probability=CHAIN_STOP_PROBABILITY)

    def stops(self, confidence: float | None, score: float, passages: Sequence[RetrievedPassage]) -> bool:
        """Whether the first of ``passages``, whose best answer has this confidence and raw score, is enough."""
        if confidence is None or self.never_stops:
            return False
        if self.model is None:
            return confidence >= self.confidence
        return self.model.probability(stop_features(confidence, score, passages)) >= self.probability
