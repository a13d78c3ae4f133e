"""``python -m retrieval train-reranker``: fit `rerank.Reranker` on a question set.

Protocol (docs/benchmarks.md): train and calibrate on set A and its unanswerable
questions only; report on set B, its unanswerable questions and the dev set, which the
model never sees. Every candidate of the first-stage pool of a question is one row,
labelled 1 when it is one of the question's relevant articles; every candidate of an
unanswerable question is labelled 0, which is what teaches the model to doubt.

The answer threshold is then the highest probability that declines at most
`max_declined` of set A's answerable questions (by their best candidate); the list
threshold keeps all but the lowest `list_loss` of the relevant candidates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np

from retrieval.evaluate import Question
from retrieval.features import FEATURE_NAMES
from retrieval.rerank import Reranker, best_threshold, fit_logistic
from retrieval.searcher import Searcher

__all__ = ["collect", "train_reranker"]


def collect(
    searcher: Searcher, questions: Sequence[Question]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Feature rows, labels and question number of every pool candidate."""
    rows, labels, groups = [], [], []
    for number, question in enumerate(questions):
        ids, features = searcher.candidates(question.query)
        relevant = set(question.relevant)
        for article_id, row in zip(ids, features, strict=True):
            rows.append(row)
            labels.append(1.0 if article_id in relevant else 0.0)
            groups.append(number)
    if not rows:
        return np.zeros((0, len(FEATURE_NAMES))), np.zeros(0), np.zeros(0, np.int64)
    return np.asarray(rows), np.asarray(labels), np.asarray(groups, np.int64)


def train_reranker(
    searcher: Searcher,
    questions: Sequence[Question],
    negatives: Sequence[Question],
    *,
    l2: float = 1.0,
    max_declined: float = 0.015,
    list_loss: float = 0.03,
) -> Reranker:
    """A model fitted on `questions` (answerable) and `negatives` (unanswerable)."""
    everything = [*questions, *negatives]
    rows, labels, groups = collect(searcher, everything)
    # Each question weighs the same whatever its pool size.
    per_group = np.bincount(groups, minlength=len(everything)).astype(np.float64)
    weight = 1.0 / np.maximum(per_group[groups], 1.0) * 20.0
    mean, scale, weights, bias = fit_logistic(rows, labels, l2=l2, sample_weight=weight)
    model = Reranker(FEATURE_NAMES, mean, scale, weights, bias, 0.5, 0.0, {})
    probabilities = model.probabilities(rows) if len(rows) else np.zeros(0)
    n_answerable = len(questions)
    best = np.zeros(len(everything))
    np.maximum.at(best, groups, probabilities)
    answer_threshold = best_threshold(best[:n_answerable].tolist(), best[n_answerable:].tolist(),
                                      max_declined)
    positives = probabilities[labels > 0]
    list_threshold = float(np.quantile(positives, list_loss)) if len(positives) else 0.0
    list_threshold = min(list_threshold, answer_threshold)
    info = {
        "trained": dt.datetime.now(tz=dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "questions": n_answerable,
        "unanswerable": len(negatives),
        "rows": len(rows),
        "l2": l2,
        "max_declined": max_declined,
        "list_loss": list_loss,
    }
    return Reranker(FEATURE_NAMES, mean, scale, weights, bias, answer_threshold,
                    list_threshold, info)
