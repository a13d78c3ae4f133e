"""Retrieval quality on a question set: MRR@10, Hit@k and answer-in-passage, by variant.

The question file is JSON lines with ``id``, ``query``, ``relevant`` (article ids; near
duplicates all listed), ``answer`` (a span of the article) and ``variant`` (accented,
unaccented, abbrev, tone_old, mixed…). Optionally, questions the corpus cannot answer
(``{"id", "query"}`` lines) measure how often the "nothing relevant" threshold holds.
This is a measuring script, not a test: it prints figures.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpus import normalize_line
from retrieval.errors import RetrievalError
from retrieval.searcher import Hit, Searcher

__all__ = ["Evaluation", "Question", "evaluate", "format_report", "read_questions"]


@dataclass(frozen=True, slots=True)
class Question:
    """One evaluation question."""

    id: str
    query: str
    relevant: tuple[str, ...]
    answer: str
    variant: str


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Per-question outcomes; `summary` aggregates them per variant."""

    reciprocal_ranks: dict[str, float]
    answer_at: dict[str, tuple[bool, bool]]
    variants: dict[str, str]
    negatives_answered: tuple[str, ...] = ()
    negatives_total: int = 0

    def summary(self) -> dict[str, dict[str, float]]:
        """Metrics per variant and for ``all``."""
        groups: dict[str, list[str]] = defaultdict(list)
        for qid, variant in self.variants.items():
            groups[variant].append(qid)
            groups["all"].append(qid)
        table: dict[str, dict[str, float]] = {}
        for variant, qids in sorted(groups.items(), key=lambda kv: (kv[0] != "all", kv[0])):
            rr = [self.reciprocal_ranks[q] for q in qids]
            table[variant] = {
                "n": len(qids),
                "mrr@10": sum(rr) / len(rr),
                "hit@1": sum(r >= 1.0 for r in rr) / len(rr),
                "hit@5": sum(r >= 1 / 5 for r in rr) / len(rr),
                "hit@10": sum(r > 0 for r in rr) / len(rr),
                "answer@1": sum(self.answer_at[q][0] for q in qids) / len(qids),
                "answer@3": sum(self.answer_at[q][1] for q in qids) / len(qids),
            }
        return table


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
                    )
                )
            except (ValueError, KeyError, TypeError) as exc:
                raise RetrievalError(f"{path}:{number}: not a question line ({exc})") from None
    return questions


def _normal(text: str) -> str:
    return normalize_line(text).casefold()


def _contains_answer(hit: Hit, answer: str) -> bool:
    return bool(answer) and _normal(answer) in _normal(hit.passage)


def evaluate(
    searcher: Searcher, questions: Sequence[Question], negatives: Sequence[Question] = ()
) -> Evaluation:
    """Run every question through `searcher` (top 10) and record what it found."""
    reciprocal: dict[str, float] = {}
    answers: dict[str, tuple[bool, bool]] = {}
    variants: dict[str, str] = {}
    for question in questions:
        hits = searcher.search(question.query, k=10)
        relevant = set(question.relevant)
        rank = next((i for i, h in enumerate(hits, start=1) if h.article_id in relevant), None)
        reciprocal[question.id] = 1.0 / rank if rank else 0.0
        found = [_contains_answer(h, question.answer) for h in hits[:3]]
        answers[question.id] = (bool(found[:1] and found[0]), any(found))
        variants[question.id] = question.variant
    answered = [q.id for q in negatives if searcher.search(q.query, k=10)]
    return Evaluation(reciprocal, answers, variants, tuple(answered), len(negatives))


def format_report(evaluation: Evaluation) -> str:
    """A plain-text table, one row per variant."""
    columns = ("MRR@10", "Hit@1", "Hit@5", "Hit@10", "Ans@1", "Ans@3")
    header = f"{'variant':<12} {'n':>4} " + " ".join(f"{c:>7}" for c in columns)
    lines = [header, "-" * len(header)]
    for variant, row in evaluation.summary().items():
        values = ("mrr@10", "hit@1", "hit@5", "hit@10", "answer@1", "answer@3")
        cells = " ".join(f"{row[v]:>7.3f}" for v in values)
        lines.append(f"{variant:<12} {int(row['n']):>4} {cells}")
    if evaluation.negatives_total:
        lines.append(
            f"unanswerable questions given an answer: {len(evaluation.negatives_answered)}"
            f" of {evaluation.negatives_total}"
        )
    return "\n".join(lines)
