"""Whether to answer at all, and how many results to list.

Whether to answer is one calibrated probability per question, from a small logistic
model over the whole first-stage pool (`POOL_FEATURE_NAMES`, shipped as
``decline.json``, fitted by ``python -m retrieval train-decline``): how sure the
reranker is of its best candidate and by how much it leads, how much of the question the
best candidates hold (its words, its word pairs, its numbers), how many candidates are
about the question at all -- a broad question ("hoàn thuế") has many articles about it
of which none stands out, an off-topic one has none -- and how much of the question the
corpus has never seen. The reranker's best probability alone cannot tell those two
apart; the pool can. The threshold is calibrated out of fold on our own question sets so
that at most about 1 % of answerable questions are declined.

The results are then the candidates in order of probability that stay at or above the
reranker's ``list_threshold`` or cover the question's words as the first stage measures
them: a broad question pages through every article about it, a precise one shows the few
that could answer it.

Every figure is read from the first `POOL` candidates of the first stage, which do not
depend on how many results the caller asked for: `haiquan-bot ask` (3) and the bot (12)
decline the same questions.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from retrieval.analyzer import Terms
from retrieval.errors import RetrievalError
from retrieval.features import FEATURE_NAMES
from retrieval.rerank import Linear, Reranker

__all__ = [
    "DECLINE_PATH",
    "POOL_FEATURE_NAMES",
    "DeclineModel",
    "default_decline_model",
    "is_small_talk",
    "pool_features",
    "select",
]

logger = logging.getLogger(__name__)

DECLINE_PATH = Path(__file__).with_name("decline.json")

POOL_FEATURE_NAMES: tuple[str, ...] = (
    "best_logit",  # the reranker's logit for its most probable candidate
    "margin",  # how far that logit leads the second's
    "top3_logit",  # mean logit of the three most probable
    "best_coverage",  # highest first-stage coverage of the question's words in the pool
    "covered_share",  # share of the pool covering at least `min_coverage`: broad topics
    "window_coverage",  # of the best candidate: the question's words in its shown passage
    "title_coverage",
    "phrases",  # the question's word pairs in the best candidate
    "proximity",
    "numbers_unfound",  # 1 - the largest share of the question's numbers one candidate holds
    "ids_missing",  # document numbers that no candidate of the pool holds all of
    "unseen",  # share of the question's words the corpus has never seen
    "log_words",  # log(1 + content words of the question)
)
_COLUMN = {name: FEATURE_NAMES.index(name) for name in (
    "coverage", "window_coverage", "title_coverage", "phrases_article", "proximity",
    "numbers_article", "numbers_missing", "ids_missing", "query_unseen",
)}


def pool_features(
    rows: npt.NDArray[np.float64],
    probabilities: npt.NDArray[np.float64],
    *,
    n_words: int,
    min_coverage: float,
) -> npt.NDArray[np.float64]:
    """One row of `POOL_FEATURE_NAMES` for a question, from its pool's reranker rows and
    probabilities (only the first `POOL` of them: the caller cuts)."""
    if not len(rows):
        return np.zeros(len(POOL_FEATURE_NAMES))
    p = np.clip(probabilities, 1e-9, 1 - 1e-9)
    logits = np.log(p / (1 - p))
    order = np.argsort(-logits, kind="stable")
    best = rows[int(order[0])]
    second = float(logits[order[1]]) if len(order) > 1 else float(logits[order[0]]) - 5.0
    # A figure or date no candidate holds is what an invented one looks like ("Thông tư
    # 999/2023"); one the best candidate writes another way ("6-1") is not, hence the
    # whole pool rather than the best. A question without numbers has nothing unfound.
    found = rows[:, _COLUMN["numbers_article"]]
    has_numbers = bool((found > 0).any() or (rows[:, _COLUMN["numbers_missing"]] > 0).any())
    return np.asarray([
        float(logits[order[0]]),
        float(logits[order[0]]) - second,
        float(logits[order[:3]].mean()),
        float(rows[:, _COLUMN["coverage"]].max()),
        float((rows[:, _COLUMN["coverage"]] >= min_coverage).mean()),
        float(best[_COLUMN["window_coverage"]]),
        float(best[_COLUMN["title_coverage"]]),
        float(best[_COLUMN["phrases_article"]]),
        float(best[_COLUMN["proximity"]]),
        1.0 - float(found.max()) if has_numbers else 0.0,
        float(rows[:, _COLUMN["ids_missing"]].min()),
        float(best[_COLUMN["query_unseen"]]),
        math.log1p(n_words),
    ])


@dataclass(frozen=True, slots=True)
class DeclineModel:
    """P(some candidate of the pool answers): below `threshold`, the bot declines."""

    model: Linear
    threshold: float
    info: dict[str, Any]

    def probability(self, row: npt.NDArray[np.float64]) -> float:
        """P(answerable) for one row of `POOL_FEATURE_NAMES`."""
        z = float(self.model.logits(row[None, :])[0])
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def answers(self, row: npt.NDArray[np.float64]) -> bool:
        """Whether a question with this pool is answered."""
        return self.probability(row) >= self.threshold

    def to_json(self) -> dict[str, Any]:
        """The file's content."""
        return {"features": list(POOL_FEATURE_NAMES), "model": self.model.to_json(),
                "threshold": self.threshold, "info": self.info}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DeclineModel:
        """Read a model; refuses one fitted on other features."""
        if tuple(data["features"]) != POOL_FEATURE_NAMES:
            raise RetrievalError("decline.json was trained on other features; retrain it")
        return cls(Linear.from_json(data["model"], len(POOL_FEATURE_NAMES)),
                   float(data["threshold"]), dict(data.get("info", {})))

    @classmethod
    def load(cls, path: Path) -> DeclineModel:
        """Read ``decline.json`` (or another trained file)."""
        try:
            return cls.from_json(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise RetrievalError(f"{path}: not a decline model ({exc})") from None

    def save(self, path: Path) -> None:
        """Write the model as JSON (small, reviewable in a diff)."""
        path.write_text(json.dumps(self.to_json(), indent=1) + "\n", encoding="utf-8")


@lru_cache(maxsize=1)
def default_decline_model() -> DeclineModel | None:
    """The model shipped in the package, or None -- then the reranker's own
    `answer_threshold` on its best candidate decides (logged when the file is stale)."""
    if not DECLINE_PATH.is_file():
        return None
    try:
        return DeclineModel.load(DECLINE_PATH)
    except RetrievalError as exc:
        logger.warning("decline model disabled: %s", exc)
        return None

# Words of conversation rather than of a question ("ok", "cảm ơn nhé", "chào bạn"),
# folded. A message made only of these is not asking anything, whatever articles happen
# to contain the same words (the corpus has a story about "cảm ơn" wallpapers). This is
# no list of topics: any message with one word outside it goes to the ranking.
_SMALL_TALK_WORDS = (
    "ok oke okay okie hi hello helo hey alo chao xin cam on thanks thank tks thx you "
    "bye tam biet nhe nha nhe a ah a u uh um ok vang da ha haha hihi hehe kaka lol "
    "khoe khong ko k ban minh toi em anh chi nhe nhi vay the roi duoc dc tot qua hay "
    "good morning night chuc ngu ngon yes no sorry xl oi ui wow"
)
SMALL_TALK = frozenset(_SMALL_TALK_WORDS.split())


def is_small_talk(terms: Terms) -> bool:
    """Whether a message is chat, not a question: a few words, all of conversation."""
    words = terms.fold
    return bool(words) and len(words) <= 6 and not terms.ids and all(
        word in SMALL_TALK for word in words
    )


def select(
    reranker: Reranker,
    probabilities: npt.NDArray[np.float64],
    *,
    pool_size: int,
    k: int,
    covered: npt.NDArray[np.bool_] | None = None,
    named: npt.NDArray[np.float64] | None = None,
    answers: bool | None = None,
) -> list[tuple[int, float]]:
    """(index into the pool, probability) of the hits to show, best first; [] declines.

    After the first, a candidate is listed when its probability reaches the list
    threshold or when it is `covered` (holds enough of the question's words): a broad
    question ("hoàn thuế") has many articles about it, none of which the model, taught on
    questions that each name one article, is sure of.

    `named` (0, 1 or 2: the article holds every document number the question names, in
    its text or also in its title) comes first; an article whose title names them (the
    document's own news) answers even when the model doubts -- a bare "2101/TCHQ-GSQL"
    has too few words for it.

    `answers` is the decline model's verdict; without one (None), the best candidate's
    probability against the reranker's `answer_threshold` decides."""
    if not len(probabilities) or k <= 0:
        return []
    named = np.zeros(len(probabilities)) if named is None else named
    if answers is None:
        answers = float(probabilities[:pool_size].max()) >= reranker.answer_threshold
    if not answers and not bool((named[:pool_size] >= 2).any()):
        return []
    # Stable: equal keys keep the first stage's order.
    order = np.lexsort((-probabilities, -named))
    chosen: list[tuple[int, float]] = []
    for index in order.tolist():
        probability = float(probabilities[index])
        if chosen and probability < reranker.list_threshold and not named[index] and not (
            covered is not None and covered[index]
        ):
            continue
        chosen.append((index, probability))
        if len(chosen) == k:
            break
    return chosen
