"""The passages of every indexed article, cut from the articles when asked for.

The index needs only how many passages each article has; the texts are shown for the
few articles a search returns. Holding them would keep the corpus's text in memory a
second time (the articles already hold it), so they are cut again on demand: cutting is
a few regular expressions over one article, and the cache key covers the cutter's code
and limits, so the cut always matches the index.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from typing import overload

from corpus import Article
from retrieval.passages import passage_texts

__all__ = ["PassageTexts"]


class PassageTexts(Sequence[tuple[str, ...]]):
    """``texts[i]`` is the tuple of passage texts of ``articles[i]``; a few recent
    articles are kept (a reader paging through answers asks for the same ones again)."""

    def __init__(self, articles: Sequence[Article], recent: int = 64) -> None:
        self._articles = articles
        self._recent: OrderedDict[int, tuple[str, ...]] = OrderedDict()
        self._size = recent
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._articles)

    @overload
    def __getitem__(self, position: int) -> tuple[str, ...]: ...

    @overload
    def __getitem__(self, position: slice) -> Sequence[tuple[str, ...]]: ...

    def __getitem__(self, position: int | slice) -> tuple[str, ...] | Sequence[tuple[str, ...]]:
        if isinstance(position, slice):
            return [self[i] for i in range(*position.indices(len(self)))]
        if position < 0:
            position += len(self)
        with self._lock:
            texts = self._recent.get(position)
            if texts is not None:
                self._recent.move_to_end(position)
                return texts
        texts = tuple(passage_texts(self._articles[position]))
        with self._lock:
            self._recent[position] = texts
            while len(self._recent) > self._size:
                self._recent.popitem(last=False)
        return texts

    def __iter__(self) -> Iterator[tuple[str, ...]]:
        for position in range(len(self)):
            yield self[position]
