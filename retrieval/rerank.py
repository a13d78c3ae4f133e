"""The second stage: a small logistic model over `features`, shipped as ``reranker.json``.

One probability per (question, candidate): "this article answers the question". It
orders the first-stage pool, and the same calibrated number decides whether to answer
at all (`decline`) and how far the answer pages go. Logistic regression in numpy: a
few dozen weights, trained in seconds on our own question set A (``python -m retrieval
train-reranker``), read at start-up from the package -- nothing is downloaded.

Why pointwise logistic regression rather than a pairwise or tree model: its output is a
probability, which declining needs, and with ~25 features and a few thousand rows a
richer model only learns the training questions (measured: see docs/benchmarks.md).
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from retrieval.errors import RetrievalError
from retrieval.features import FEATURE_NAMES, WINDOW_FEATURE_NAMES

__all__ = ["MODEL_PATH", "Linear", "Reranker", "default_reranker", "fit_logistic"]

logger = logging.getLogger(__name__)

MODEL_PATH = Path(__file__).with_name("reranker.json")


@dataclass(frozen=True, slots=True)
class Linear:
    """Standardised features times weights plus a bias (a logit)."""

    mean: npt.NDArray[np.float64]
    scale: npt.NDArray[np.float64]
    weights: npt.NDArray[np.float64]
    bias: float

    def logits(self, rows: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """One logit per row."""
        return ((rows - self.mean) / self.scale) @ self.weights + self.bias

    def to_json(self) -> dict[str, Any]:
        """As stored in ``reranker.json``."""
        return {"mean": self.mean.tolist(), "scale": self.scale.tolist(),
                "weights": self.weights.tolist(), "bias": self.bias}

    @classmethod
    def from_json(cls, data: dict[str, Any], n: int) -> Linear:
        """Read one; refuses arrays of the wrong length."""
        arrays = [np.asarray(data[k], np.float64) for k in ("mean", "scale", "weights")]
        if any(a.shape != (n,) for a in arrays):
            raise RetrievalError("reranker.json: arrays do not match its features")
        return cls(*arrays, float(data["bias"]))


@dataclass(frozen=True, slots=True)
class Reranker:
    """Standardised features times weights, through the logistic function.

    `answer_threshold`: below it for the best candidate, the bot declines.
    `list_threshold`: further results are listed while at or above it.
    """

    features: tuple[str, ...]
    mean: npt.NDArray[np.float64]
    scale: npt.NDArray[np.float64]
    weights: npt.NDArray[np.float64]
    bias: float
    answer_threshold: float
    list_threshold: float
    info: dict[str, Any]
    # Which passages of an article to show: a linear score over `WINDOW_FEATURE_NAMES`.
    window: Linear | None = None

    def probabilities(self, rows: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """P(answers) for each row of features (columns in `FEATURE_NAMES` order)."""
        z = ((rows - self.mean) / self.scale) @ self.weights + self.bias
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))

    def to_json(self) -> dict[str, Any]:
        """The file's content."""
        return {
            "features": list(self.features),
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "weights": self.weights.tolist(),
            "bias": self.bias,
            "answer_threshold": self.answer_threshold,
            "list_threshold": self.list_threshold,
            "info": self.info,
            **({"window_features": list(WINDOW_FEATURE_NAMES), "window": self.window.to_json()}
               if self.window is not None else {}),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Reranker:
        """Read a model; refuses one whose features are not the code's."""
        features = tuple(data["features"])
        if features != FEATURE_NAMES:
            raise RetrievalError("reranker.json was trained on other features; retrain it")
        arrays = [np.asarray(data[k], np.float64) for k in ("mean", "scale", "weights")]
        if any(a.shape != (len(features),) for a in arrays):
            raise RetrievalError("reranker.json: arrays do not match its features")
        window = None
        if "window" in data:
            if tuple(data.get("window_features", ())) != WINDOW_FEATURE_NAMES:
                raise RetrievalError("reranker.json: window model on other features; retrain it")
            window = Linear.from_json(data["window"], len(WINDOW_FEATURE_NAMES))
        return cls(features, *arrays, float(data["bias"]), float(data["answer_threshold"]),
                   float(data["list_threshold"]), dict(data.get("info", {})), window)

    @classmethod
    def load(cls, path: Path) -> Reranker:
        """Read ``reranker.json`` (or another trained file)."""
        try:
            return cls.from_json(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise RetrievalError(f"{path}: not a reranker model ({exc})") from None

    def save(self, path: Path) -> None:
        """Write the model as JSON (small, reviewable in a diff)."""
        path.write_text(json.dumps(self.to_json(), indent=1) + "\n", encoding="utf-8")


@lru_cache(maxsize=1)
def default_reranker() -> Reranker | None:
    """The model shipped in the package, or None (first stage only) when there is none
    or it no longer fits the code -- logged, and caught by the tests of the shipped file;
    `train-reranker` needs a searcher while the old file is stale."""
    if not MODEL_PATH.is_file():
        return None
    try:
        return Reranker.load(MODEL_PATH)
    except RetrievalError as exc:
        logger.warning("second stage disabled: %s", exc)
        return None


def fit_logistic(
    rows: npt.NDArray[np.float64],
    labels: npt.NDArray[np.float64],
    *,
    l2: float = 1.0,
    sample_weight: npt.NDArray[np.float64] | None = None,
    iterations: int = 50,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64], float]:
    """L2-regularised logistic regression by Newton's method on standardised features.

    Returns (mean, scale, weights, bias). The bias is not penalised.
    """
    mean = rows.mean(axis=0)
    scale = rows.std(axis=0)
    scale[scale < 1e-9] = 1.0
    x = np.hstack([(rows - mean) / scale, np.ones((len(rows), 1))])
    w = np.zeros(x.shape[1])
    sw = np.ones(len(rows)) if sample_weight is None else sample_weight
    penalty = np.full(x.shape[1], l2)
    penalty[-1] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ w, -30, 30)))
        gradient = x.T @ (sw * (p - labels)) + penalty * w
        hessian = (x * (sw * p * (1 - p))[:, None]).T @ x + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if float(np.abs(step).max()) < 1e-8:
            break
    return mean, scale, w[:-1], float(w[-1])


def best_threshold(
    answerable_best: Sequence[float], unanswerable_best: Sequence[float],
    max_answerable_declined: float,
) -> float:
    """The highest threshold declining at most `max_answerable_declined` of answerable
    questions (by their best candidate's probability): as many refusals as that allows."""
    ordered = sorted(answerable_best)
    allowed = math.floor(max_answerable_declined * len(ordered))
    if not ordered:
        return 0.5
    # Declining the `allowed` lowest answerable questions at most.
    threshold = ordered[allowed] if allowed < len(ordered) else ordered[-1]
    return float(threshold)
