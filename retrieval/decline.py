"""Whether to answer at all, and how many results to list: one calibrated probability.

The reranker gives every candidate of the first-stage pool a probability of answering
the question. The question is declined when even the best candidate of the fixed pool
is below the model's ``answer_threshold`` -- calibrated on question set A and its
unanswerable questions so that at most 2 % of answerable ones are declined. Otherwise
the results are the candidates in order of probability that stay at or above
``list_threshold`` or cover the question's words as the first stage measures them: a
broad question pages through every article about it, a precise one shows the few that
could answer it.

The decision reads only the first `pool_size` candidates of the first stage, which do
not depend on how many results the caller asked for: `haiquan-bot ask` (3) and the bot
(12) decline the same questions.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from retrieval.analyzer import Terms
from retrieval.rerank import Reranker

__all__ = ["is_small_talk", "select"]

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
) -> list[tuple[int, float]]:
    """(index into the pool, probability) of the hits to show, best first; [] declines.

    After the first, a candidate is listed when its probability reaches the list
    threshold or when it is `covered` (holds enough of the question's words): a broad
    question ("hoàn thuế") has many articles about it, none of which the model, taught on
    questions that each name one article, is sure of.

    `named` (0, 1 or 2: the article holds every document number the question names, in
    its text or also in its title) comes first; an article whose title names them (the
    document's own news) answers even when the model doubts -- a bare "2101/TCHQ-GSQL"
    has too few words for it."""
    if not len(probabilities) or k <= 0:
        return []
    named = np.zeros(len(probabilities)) if named is None else named
    if float(probabilities[:pool_size].max()) < reranker.answer_threshold and not bool(
        (named[:pool_size] >= 2).any()
    ):
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
