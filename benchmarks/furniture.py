"""How much page furniture reaches the passages the bot quotes.

Counts, over `split_passages` of every article of a corpus, the passages that hold
furniture by plain text search -- independent of the rules in `corpus/furniture.py`, so
that what the rules miss shows here -- and how many lines the parser dropped, by kind.

Usage (the corpus is read where it is)::

    python benchmarks/furniture.py ../shared/corpus/hddtvn
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

# Plain searches, deliberately broader than the parser's rules.
PATTERNS = {
    '"Ảnh:" / "Ảnh minh họa:"': re.compile(r"(?:Ảnh|ẢNH)(?: minh họa)?\s*:"),
    'a ">>" or "►" link line': re.compile(r"(?m)^(?:>>|►)"),
    'a "(ghi)" / "(tổng hợp)" byline': re.compile(r"\((?:ghi|tổng hợp)\)\s*$"),
    '"Xem thêm" / "Đọc thêm" anywhere': re.compile(r"(?i)xem thêm|đọc thêm"),
    '"tải … tại đây" anywhere': re.compile(r"(?i)tải.{0,200}tại đây"),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", type=Path)
    args = parser.parse_args()

    import corpus.markdown as markdown
    from corpus.loader import load_corpus
    from retrieval.passages import split_passages

    dropped: Counter[str] = Counter()
    kind_of, trailing_of = markdown.furniture_kind, markdown.trailing_kind

    def counted(rule):  # count what the parser drops, by kind
        def check(line: str) -> str | None:
            kind = rule(line)
            if kind:
                dropped[kind] += 1
            return kind
        return check

    markdown.furniture_kind, markdown.trailing_kind = counted(kind_of), counted(trailing_of)
    report = load_corpus(args.corpus)
    holding: Counter[str] = Counter()
    passages = 0
    for article in report.articles:
        for passage in split_passages(article):
            passages += 1
            for name, pattern in PATTERNS.items():
                if pattern.search(passage.text):
                    holding[name] += 1
    print(f"{len(report.articles)} articles, {passages} passages")
    print("passages holding:")
    for name in PATTERNS:
        print(f"  {name:<36} {holding[name]:>6}")
    print("lines the parser dropped:", ", ".join(f"{k} {v}" for k, v in dropped.most_common()))


if __name__ == "__main__":
    main()
