"""``python -m retrieval train-reranker|train-decline``: fit `rerank.Reranker` and
`decline.DeclineModel` on our own question sets.

Protocol (docs/benchmarks.md): train and calibrate on set A and its unanswerable
questions only; report on set B, its unanswerable questions and the dev set, which the
model never sees. Every candidate of the first-stage pool of a question is one row,
labelled 1 when it is one of the question's relevant articles; every candidate of an
unanswerable question is labelled 0, which is what teaches the model to doubt.

The answer threshold is then the highest probability that declines at most
`max_declined` of set A's answerable questions (by their best candidate, out of
fold); the list threshold keeps all but the lowest `list_loss` of the relevant results
found in the top ten, and is at most `LIST_FLOOR`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np

from retrieval.decline import DeclineModel
from retrieval.evaluate import Question, answer_in
from retrieval.features import FEATURE_NAMES, window_features
from retrieval.forward import WindowForms
from retrieval.rerank import Linear, Reranker, best_threshold, fit_logistic
from retrieval.searcher import Searcher

__all__ = ["LIST_FLOOR", "collect", "train_decline", "train_reranker"]

# The list threshold is at most this: our questions each name one article, so the
# model is shy of every other one; a broad question ("thu ngân sách") must still page
# through all the articles that are about it, and paging costs the user nothing.
LIST_FLOOR = 0.03


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


def _list_threshold(
    probabilities: np.ndarray, labels: np.ndarray, groups: np.ndarray, n_questions: int,
    loss: float,
) -> float:
    """The probability of the first relevant result within the top ten, per training
    question: listing stops below the `loss` quantile of it, so paging loses at most
    that share of the questions whose answer the ranking had found."""
    firsts = []
    for number in range(n_questions):
        mine = groups == number
        order = np.argsort(-probabilities[mine], kind="stable")[:10]
        relevant = labels[mine][order] > 0
        if relevant.any():
            firsts.append(float(probabilities[mine][order][int(np.argmax(relevant))]))
    return float(np.quantile(firsts, loss)) if firsts else 0.0


def _out_of_fold(
    rows: np.ndarray, labels: np.ndarray, groups: np.ndarray, weight: np.ndarray,
    l2: float, folds: int,
) -> np.ndarray:
    """Each row's probability from a model fitted without its question's fold (a row
    is its own question when `groups` numbers the rows)."""
    fold_of = np.random.default_rng(0).permutation(int(groups.max()) + 1 if len(groups) else 0)
    fold = fold_of[groups] % folds
    result = np.zeros(len(rows))
    for number in range(folds):
        test = fold == number
        if not test.any() or test.all():
            continue
        train = ~test
        mean, scale, weights, bias = fit_logistic(rows[train], labels[train], l2=l2,
                                                  sample_weight=weight[train])
        logits = Linear(mean, scale, weights, bias).logits(rows[test])
        result[test] = 1.0 / (1.0 + np.exp(-np.clip(logits, -30, 30)))
    return result


def train_reranker(
    searcher: Searcher,
    questions: Sequence[Question],
    negatives: Sequence[Question],
    *,
    l2: float = 10.0,
    max_declined: float = 0.015,
    list_loss: float = 0.005,
    folds: int = 5,
) -> Reranker:
    """A model fitted on `questions` (answerable) and `negatives` (unanswerable)."""
    everything = [*questions, *negatives]
    rows, labels, groups = collect(searcher, everything)
    # Each question weighs the same whatever its pool size.
    per_group = np.bincount(groups, minlength=len(everything)).astype(np.float64)
    weight = 1.0 / np.maximum(per_group[groups], 1.0) * 20.0
    mean, scale, weights, bias = fit_logistic(rows, labels, l2=l2, sample_weight=weight)
    # Thresholds come from out-of-fold probabilities: a model is over-confident on the
    # questions it was fitted on, and the thresholds must hold for questions it has not
    # seen.
    probabilities = _out_of_fold(rows, labels, groups, weight, l2, folds)
    n_answerable = len(questions)
    best = np.zeros(len(everything))
    np.maximum.at(best, groups, probabilities)
    answer_threshold = best_threshold(best[:n_answerable].tolist(), best[n_answerable:].tolist(),
                                      max_declined)
    list_threshold = min(answer_threshold, LIST_FLOOR,
                         _list_threshold(probabilities, labels, groups, n_answerable, list_loss))
    info = {
        "trained": dt.datetime.now(tz=dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "questions": n_answerable,
        "unanswerable": len(negatives),
        "rows": len(rows),
        "l2": l2,
        "max_declined": max_declined,
        "list_loss": list_loss,
        "folds": folds,
        # Out of fold, on the training questions themselves:
        "answerable_declined": round(float((best[:n_answerable] < answer_threshold).mean()), 4)
        if n_answerable else None,
        "unanswerable_declined": round(float((best[n_answerable:] < answer_threshold).mean()), 4)
        if negatives else None,
    }
    window = _fit_window(searcher, questions, l2)
    info["window_rows"] = window[1]
    return Reranker(FEATURE_NAMES, mean, scale, weights, bias, answer_threshold,
                    list_threshold, info, window[0])


def _fit_window(
    searcher: Searcher, questions: Sequence[Question], l2: float
) -> tuple[Linear | None, int]:
    """The window model: for each question, the candidate runs of its first relevant
    article, labelled by whether the run holds the answer span; questions whose runs
    all agree teach nothing and are left out."""
    rows, labels = [], []
    for question in questions:
        if not question.answer or not question.relevant:
            continue
        ids, _ = searcher.candidates(question.query)
        article_id = next((i for i in ids if i in set(question.relevant)), None)
        found = searcher.window_runs(question.query, article_id) if article_id else None
        if found is None:
            continue
        facts, runs = found
        marks = [answer_in(text, question.answer) for _, _, _, text in runs]
        if len(set(marks)) < 2:
            continue
        rows.extend(window_features(
            facts, [(t, f, WindowForms.of_text(text, searcher.index.vocab))
                    for t, f, _, text in runs]))
        labels.extend(float(m) for m in marks)
    if len(set(labels)) < 2:
        return None, len(rows)
    mean, scale, weights, bias = fit_logistic(np.asarray(rows), np.asarray(labels), l2=l2)
    return Linear(mean, scale, weights, bias), len(rows)


def train_decline(
    searcher: Searcher,
    answerable: Sequence[Question],
    negatives: Sequence[Question],
    *,
    l2: float = 3.0,
    max_declined: float = 0.01,
    folds: int = 5,
) -> DeclineModel:
    """The decline model, fitted on one pool row per question: `answerable` (questions
    with one answering article and broad ones that many answer) against `negatives`.

    The two classes weigh the same. The threshold declines at most `max_declined` of the
    answerable questions by their out-of-fold probability, so that it holds for
    questions the model has not seen."""
    rows, labels = [], []
    for label, questions in ((1.0, answerable), (0.0, negatives)):
        for question in questions:
            row = searcher.pool_row(question.query)
            if row is not None:  # not searched at all: declined whatever the model says
                rows.append(row)
                labels.append(label)
    x, y = np.asarray(rows), np.asarray(labels)
    if len(set(labels)) < 2:
        raise ValueError("train-decline needs answerable and unanswerable questions")
    weight = np.where(y > 0, len(y) / (2 * y.sum()), len(y) / (2 * (len(y) - y.sum())))
    mean, scale, weights, bias = fit_logistic(x, y, l2=l2, sample_weight=weight)
    out_of_fold = _out_of_fold(x, y, np.arange(len(y)), weight, l2, folds)
    threshold = best_threshold(out_of_fold[y > 0].tolist(), out_of_fold[y == 0].tolist(),
                               max_declined)
    info = {
        "trained": dt.datetime.now(tz=dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "answerable": int(y.sum()),
        "unanswerable": int(len(y) - y.sum()),
        "l2": l2,
        "max_declined": max_declined,
        "folds": folds,
        # Out of fold, on the training questions themselves:
        "answerable_declined": round(float((out_of_fold[y > 0] < threshold).mean()), 4),
        "unanswerable_declined": round(float((out_of_fold[y == 0] < threshold).mean()), 4),
    }
    return DeclineModel(Linear(mean, scale, weights, bias), threshold, info)
