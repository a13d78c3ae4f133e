"""Near-duplicate articles: the same story republished under two file names.

The corpus has 265 ``…-2.md`` files and 51 titles shared by several files; showing the
same story twice wastes a result. Articles with the same title (ignoring case and
diacritics) or the same paragraphs form one group, and search shows one hit per group.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from corpus import Article, fold_diacritics

__all__ = ["duplicate_groups"]


def duplicate_groups(articles: Sequence[Article]) -> npt.NDArray[np.int64]:
    """A group number per article; equal numbers mean the same story."""
    parent = list(range(len(articles)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_with: dict[tuple[str, str], int] = {}
    for i, article in enumerate(articles):
        title_key = " ".join(fold_diacritics(article.title).lower().split())
        body_key = article.text_digest if article.paragraphs else ""
        for key in (("title", title_key), ("body", body_key)):
            if not key[1]:
                continue
            other = first_with.setdefault(key, i)
            if other != i:
                parent[find(i)] = find(other)
    return np.asarray([find(i) for i in range(len(articles))], dtype=np.int64)
