"""Retrieval quality on a question set, per spelling variant, searched as deep as the bot.

The question file is JSON lines with ``id``, ``query``, ``relevant`` (article ids; near
duplicates all listed), ``answer`` (a short span of the article) and ``variant``
(accented, unaccented, abbrev, tone_old, mixed…). Questions the corpus cannot answer
(``{"id", "query", "kind"}`` lines, `--negatives`) measure how often the bot declines,
per ``kind`` (off_domain, near_domain, chitchat…). Broad questions (the same lines,
``kind`` "broad", `--broad`: "hoàn thuế", "buon lau") have many answering articles and no
one relevant: they measure how often the bot wrongly declines a plain topic, per variant.

Every question is searched as deep as a private answer pages (``BOT_DEPTH``, the
reranker's pool), so the figures describe what a user can reach; ranks beyond 10 count
as misses for MRR@10 and Hit@10. Any depth up to the pool gives the same figures: the
pool, its order and the decision to decline do not depend on `k`. This is a measuring
script, not a test: it prints figures.

- MRR@10, Hit@1, Hit@10: rank of the first relevant article;
- AnsHit@1, AnsHit@3: the answer span is inside the passage *shown* for the first (any
  of the first three) hit(s) -- compared with diacritics, case, spaces and punctuation
  ignored, so "54.667 tỷ" matches "54.667 ty" and a line break inside the span;
- declined: the share of questions answered with nothing at all.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from corpus import fold_diacritics, normalize_line
from retrieval.errors import RetrievalError
from retrieval.searcher import POOL, Hit, Searcher

__all__ = [
    "BOT_DEPTH",
    "Evaluation",
    "Outcome",
    "Question",
    "answer_in",
    "declining_cost",
    "evaluate",
    "format_report",
    "read_questions",
]

# How deep the bot searches a private question (bot.platform.cards.MAX_RESULTS is the same pool;
# retrieval cannot import the bot).
BOT_DEPTH = POOL


class _Searches(Protocol):
    def search(self, query: str, k: int = ...) -> list[Hit]: ...


@dataclass(frozen=True, slots=True)
class Question:
    """One evaluation question (an unanswerable one has no `relevant`)."""

    id: str
    query: str
    relevant: tuple[str, ...]
    answer: str
    variant: str
    kind: str = ""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the search returned for one question."""

    rank: int | None  # 1-based rank of the first relevant article, None when absent
    answer_at: tuple[bool, ...]  # per shown hit (first three): passage holds the answer
    declined: bool


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Per-question outcomes; `summary` and `declines` aggregate them."""

    questions: tuple[Question, ...]
    outcomes: dict[str, Outcome]
    negatives: tuple[Question, ...] = ()
    negative_declined: dict[str, bool] | None = None
    broad: tuple[Question, ...] = ()
    broad_declined: dict[str, bool] | None = None

    def summary(self) -> dict[str, dict[str, float]]:
        """Metrics per variant and for ``all``."""
        groups: dict[str, list[Outcome]] = defaultdict(list)
        for question in self.questions:
            outcome = self.outcomes[question.id]
            groups[question.variant].append(outcome)
            groups["all"].append(outcome)
        table: dict[str, dict[str, float]] = {}
        for variant, rows in sorted(groups.items(), key=lambda kv: (kv[0] != "all", kv[0])):
            n = len(rows)
            rr = [1.0 / r.rank if r.rank and r.rank <= 10 else 0.0 for r in rows]
            table[variant] = {
                "n": n,
                "mrr@10": sum(rr) / n,
                "hit@1": sum(r.rank == 1 for r in rows) / n,
                "hit@10": sum(bool(r.rank and r.rank <= 10) for r in rows) / n,
                "anshit@1": sum(bool(r.answer_at[:1] and r.answer_at[0]) for r in rows) / n,
                "anshit@3": sum(any(r.answer_at[:3]) for r in rows) / n,
                "declined": sum(r.declined for r in rows) / n,
            }
        return table

    def declines(self) -> dict[str, dict[str, float]]:
        """For the unanswerable questions: how many, and the share declined, per kind."""
        return _shares(self.negatives, self.negative_declined or {},
                       lambda q: q.kind or "unlabelled")

    def broad_declines(self) -> dict[str, dict[str, float]]:
        """For the broad questions: how many, and the share declined, per variant."""
        return _shares(self.broad, self.broad_declined or {}, lambda q: q.variant)

    def as_json(self) -> dict[str, Any]:
        """Everything `format_report` prints, as data."""
        result: dict[str, Any] = {"answerable": self.summary() if self.questions else {}}
        if self.negatives:
            result["unanswerable"] = self.declines()
        if self.broad:
            result["broad"] = self.broad_declines()
        return result


def _shares(
    questions: Sequence[Question], declined: dict[str, bool], group: Callable[[Question], str]
) -> dict[str, dict[str, float]]:
    """How many, and the share declined, per group and for ``all``."""
    groups: dict[str, list[bool]] = defaultdict(list)
    for question in questions:
        groups[group(question)].append(declined[question.id])
        groups["all"].append(declined[question.id])
    return {
            kind: {"n": len(rows), "declined": sum(rows) / len(rows)}
            for kind, rows in sorted(groups.items(), key=lambda kv: (kv[0] != "all", kv[0]))
        }


def read_questions(path: Path) -> list[Question]:
    """Questions from a JSON-lines file; a malformed line is an error naming its number."""
    questions = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row: dict[str, Any] = json.loads(line)
                questions.append(
                    Question(
                        id=str(row["id"]),
                        query=str(row["query"]),
                        relevant=tuple(row.get("relevant", ())),
                        answer=str(row.get("answer", "")),
                        variant=str(row.get("variant", "all")),
                        kind=str(row.get("kind", "")),
                    )
                )
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                raise RetrievalError(f"{path}:{number}: not a question line ({exc})") from None
    return questions


def _squashed(text: str) -> str:
    """Letters and digits only, folded and lower-cased: spelling-proof comparison."""
    folded = fold_diacritics(normalize_line(text).casefold())
    return "".join(ch for ch in folded if ch.isalnum())


def answer_in(passage: str, answer: str) -> bool:
    """Whether the answer span is in `passage`, ignoring diacritics, case, spaces and
    punctuation (a span typed by a person, a passage cut by the index)."""
    needle = _squashed(answer)
    return bool(needle) and needle in _squashed(passage)


def evaluate(
    searcher: _Searches,
    questions: Sequence[Question],
    negatives: Sequence[Question] = (),
    *,
    broad: Sequence[Question] = (),
    k: int = BOT_DEPTH,
) -> Evaluation:
    """Run every question through `searcher` (`k` deep) and record what it found."""
    outcomes: dict[str, Outcome] = {}
    for question in questions:
        hits = searcher.search(question.query, k=k)
        relevant = set(question.relevant)
        rank = next((i for i, h in enumerate(hits, start=1) if h.article_id in relevant), None)
        found = tuple(answer_in(h.passage, question.answer) for h in hits[:3])
        outcomes[question.id] = Outcome(rank, found, not hits)
    declined = {q.id: not searcher.search(q.query, k=k) for q in negatives}
    broad_declined = {q.id: not searcher.search(q.query, k=k) for q in broad}
    return Evaluation(tuple(questions), outcomes, tuple(negatives), declined, tuple(broad),
                      broad_declined)


def declining_cost(searcher: Searcher, questions: Sequence[Question]) -> tuple[int, int]:
    """(questions whose relevant article the ranking alone puts in its top ten, how many
    of those the answer then loses by declining or by not listing it).

    "The ranking alone" is the reranker's order of the fixed pool, nothing cut: what
    declining and listing could cost in recall, measured instead of assumed."""
    if searcher.reranker is None:
        return 0, 0
    ranked = lost = 0
    for question in questions:
        ids, rows = searcher.candidates(question.query)
        if not ids:
            continue
        order = np.argsort(-searcher.reranker.probabilities(rows), kind="stable")[:10]
        relevant = set(question.relevant)
        if not relevant & {ids[i] for i in order.tolist()}:
            continue
        ranked += 1
        shown = {h.article_id for h in searcher.search(question.query, k=BOT_DEPTH)}
        lost += not shown & relevant
    return ranked, lost


def format_report(evaluation: Evaluation) -> str:
    """Plain-text tables: one row per variant, then one per kind of unanswerable question."""
    lines: list[str] = []
    if evaluation.questions:
        columns = ("MRR@10", "Hit@1", "Hit@10", "AnsHit@1", "AnsHit@3", "declined")
        values = ("mrr@10", "hit@1", "hit@10", "anshit@1", "anshit@3", "declined")
        header = f"{'variant':<12} {'n':>4} " + " ".join(f"{c:>8}" for c in columns)
        lines += [header, "-" * len(header)]
        for variant, row in evaluation.summary().items():
            cells = " ".join(f"{row[v]:>8.3f}" for v in values)
            lines.append(f"{variant:<12} {int(row['n']):>4} {cells}")
    if evaluation.negatives:
        header = f"{'unanswerable':<14} {'n':>4} {'declined':>8}"
        lines += ["", header, "-" * len(header)]
        for kind, row in evaluation.declines().items():
            lines.append(f"{kind:<14} {int(row['n']):>4} {row['declined']:>8.3f}")
    if evaluation.broad:
        header = f"{'broad':<14} {'n':>4} {'declined':>8}"
        lines += ["", header, "-" * len(header)]
        for variant, row in evaluation.broad_declines().items():
            lines.append(f"{variant:<14} {int(row['n']):>4} {row['declined']:>8.3f}")
    return "\n".join(lines)
