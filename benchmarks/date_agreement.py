"""How often two date methods agree where both apply (docs/dates.md).

Usage: ``python benchmarks/date_agreement.py [CORPUS_DIR]`` (default: the shared corpus).
For every article dated by its image URLs it also runs the text and estimate methods
and prints the share that agree within 0, 1, 7, 31 and 365 days.
"""

from __future__ import annotations

import sys

from corpus.dates import SNAPSHOT_LATEST, date_from_text, estimate_date, newest_evidence
from corpus.loader import load_corpus


def main(root: str) -> None:
    """Print agreement figures for `root`."""
    report = load_corpus(root)
    text_gaps: list[int] = []
    estimate_gaps: list[int] = []
    for article in report.articles:
        if article.date_source != "image_url" or article.published is None:
            continue
        texts = [article.title, article.teaser, article.summary, *article.paragraphs]
        years = [ref.year for ref in article.documents]
        day, year = newest_evidence(texts, years, latest=SNAPSHOT_LATEST)
        found = date_from_text(texts, year_hint=year, latest=SNAPSHOT_LATEST)
        if found is not None:
            text_gaps.append(abs((found - article.published).days))
        estimate = estimate_date(day, year)
        if estimate is not None:
            estimate_gaps.append((estimate - article.published).days)
    if text_gaps:
        shares = ", ".join(
            f"±{k}d {sum(g <= k for g in text_gaps) / len(text_gaps):.1%}"
            for k in (0, 1, 7, 31, 365)
        )
        print(f"text vs image ({len(text_gaps)} articles): {shares}")
    if estimate_gaps:
        below = sum(g <= 0 for g in estimate_gaps) / len(estimate_gaps)
        near = sum(abs(g) <= 366 for g in estimate_gaps) / len(estimate_gaps)
        print(
            f"estimate vs image ({len(estimate_gaps)} articles): "
            f"lower bound holds {below:.1%}, within a year {near:.1%}"
        )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/corpus/hddtvn")
