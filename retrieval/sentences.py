"""Sentences of a passage, for the one that best answers a question.

underthesea's `sent_tokenize` (Punkt trained on Vietnamese) does the splitting; it does
not know the initials and abbreviations of our news ("ông N.T.V.", "TP. HCM"), so pieces
too short to be a sentence are joined back to their neighbour.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import re
import threading
from collections.abc import Callable
from pathlib import Path

__all__ = ["split_sentences"]

_LOCK = threading.Lock()


@functools.cache
def _sent_tokenize() -> Callable[[str], list[str]]:
    """underthesea's splitter, loaded on first use.

    Only its sentence module is loaded, from underthesea's installed files: importing
    the package runs its ``__init__``, which loads every pipeline (word segmentation,
    tagging, …) for 90 MB and a second the bot never uses. The module is self-contained
    (the standard library and its own parameter file); should a release move it, the
    package is imported the ordinary way.
    """
    spec = importlib.util.find_spec("underthesea")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        path = Path(location) / "pipeline" / "sent_tokenize" / "__init__.py"
        if path.is_file():
            module_spec = importlib.util.spec_from_file_location(
                "_haiquan_underthesea_sent_tokenize", path
            )
            if module_spec is not None and module_spec.loader is not None:
                module = importlib.util.module_from_spec(module_spec)
                module_spec.loader.exec_module(module)
                return module.sent_tokenize  # type: ignore[no-any-return]
    return _package_sent_tokenize()


def _package_sent_tokenize() -> Callable[[str], list[str]]:
    """underthesea's splitter through the package.

    Importing underthesea calls `logging.basicConfig` (in its trainer module); a library
    must not configure the application's logging, so a handler it adds is taken away.
    """
    root = logging.getLogger()
    before = list(root.handlers)
    from underthesea import sent_tokenize

    for handler in root.handlers[:]:
        if handler not in before:
            root.removeHandler(handler)
    return sent_tokenize  # type: ignore[no-any-return]


_INITIAL_END = re.compile(r"(?:^|[\s.])(?:[A-ZĐ]|TP|Tp|TS|ThS|PGS|GS|St|No)\.$")
# A mark that could end a sentence before the line's end: "?", "!", or a full stop
# that is not inside a number ("1.500", which the splitter never cuts). A line without
# one is a single sentence, and is not handed to the splitter (a per-character loop in
# Python): seven lines in ten of our news, the short ones. The marks that end the line
# end its one sentence.
_INNER_END = re.compile(r"[?!]|(?<!\d)\.|\.(?!\d)")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) spans of the sentences of `text`, in order; lines never share one."""
    spans: list[tuple[int, int]] = []
    for line_start, line in _lines(text):
        pieces = _pieces(line)
        cursor = 0
        open_start: int | None = None
        for piece in pieces:
            found = line.find(piece, cursor)
            if found < 0:
                continue
            cursor = found + len(piece)
            start = found if open_start is None else open_start
            sentence = line[start:cursor]
            if _INITIAL_END.search(sentence) or len(sentence.split()) < 3:
                open_start = start  # "Ông N.T." is not a sentence: join what follows
                continue
            spans.append((line_start + start, line_start + cursor))
            open_start = None
        if open_start is not None:
            if spans and spans[-1][0] >= line_start:
                spans[-1] = (spans[-1][0], line_start + cursor)
            else:
                spans.append((line_start + open_start, line_start + cursor))
    return spans


def _pieces(line: str) -> list[str]:
    """The sentences underthesea cuts `line` into (without asking it when there is
    nothing to cut)."""
    if _INNER_END.search(line.rstrip().rstrip(".?!")) is None:
        return [line.strip()]
    with _LOCK:  # underthesea fills a global model lazily; keep threads off each other
        return _sent_tokenize()(line)


def _lines(text: str) -> list[tuple[int, str]]:
    lines = []
    offset = 0
    for line in text.split("\n"):
        if line.strip():
            lines.append((offset, line))
        offset += len(line) + 1
    return lines
