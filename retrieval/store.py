"""On-disk caches of the analysed articles and of the built index.

Each cache is one ``.npz`` file (plain arrays, no pickle) written to a temporary file
and renamed over the old one, so a reader sees the old cache or the new one, never half
of either. Every file starts with a JSON header naming its kind and format; a file that
is damaged, foreign or from another analyser version is reported and ignored, and the
caller rebuilds it: a cache can make a start faster, never make it fail.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from corpus import write_atomically
from retrieval.analysis import AnalysedArticle
from retrieval.analyzer import ANALYZER_VERSION, FIELDS
from retrieval.corpus_index import LEVELS, CorpusIndex
from retrieval.index import FieldIndex
from retrieval.passages import MAX_CHARS, MIN_CHARS

__all__ = ["load_analysis", "load_index", "save_analysis", "save_index"]

logger = logging.getLogger(__name__)

_ANALYSIS_KIND = "haiquan-analysis"
_INDEX_KIND = "haiquan-index"
_FORMAT = 1
_PASSAGE_PARAMS = [MIN_CHARS, MAX_CHARS]
_SEPARATOR = "\x1f"  # unit separator: never in normalised article text


def _text_array(items: Iterable[str]) -> npt.NDArray[np.uint8]:
    return np.frombuffer(_SEPARATOR.join(items).encode("utf-8"), dtype=np.uint8)


def _texts(array: npt.NDArray[np.uint8]) -> list[str]:
    text = array.tobytes().decode("utf-8")
    return text.split(_SEPARATOR) if text else []


def _header(kind: str, **extra: Any) -> npt.NDArray[np.uint8]:
    payload = {"kind": kind, "format": _FORMAT, "analyzer": ANALYZER_VERSION, **extra}
    return np.frombuffer(json.dumps(payload).encode("utf-8"), dtype=np.uint8)


def _write_npz(path: Path, arrays: Mapping[str, npt.NDArray[Any]]) -> None:
    buffer = io.BytesIO()
    np.savez(buffer, allow_pickle=False, **arrays)
    write_atomically(path, buffer.getvalue())


@contextlib.contextmanager
def _open_npz(path: Path, kind: str) -> Iterator[tuple[dict[str, Any], Any] | None]:
    """The header and the open archive, or None (logged) when the file cannot serve.

    The file is opened here, not by numpy, so it is closed on every path (numpy leaves
    it open when the zip is damaged)."""
    if not path.exists():
        yield None
        return
    with contextlib.ExitStack() as stack:
        try:
            handle = stack.enter_context(path.open("rb"))
            archive = stack.enter_context(np.load(handle, allow_pickle=False))
            header = json.loads(archive["header"].tobytes())
        except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError) as exc:
            logger.warning("ignoring damaged cache %s: %s", path, exc)
            yield None
            return
        expected = {"kind": kind, "format": _FORMAT, "analyzer": ANALYZER_VERSION}
        if not isinstance(header, dict) or any(header.get(k) != v for k, v in expected.items()):
            logger.info("ignoring cache %s: made by another version or program", path)
            yield None
            return
        yield header, archive


def save_analysis(path: Path, analysed: Mapping[str, AnalysedArticle]) -> None:
    """Store `analysed` (by content hash) in one file, articles sharing one vocabulary."""
    vocab: dict[str, int] = {}
    mappings: dict[int, npt.NDArray[np.int32]] = {}
    tokens, joined, unit_lengths, units_per_article = [], [], [], []
    passages: list[str] = []
    ids: list[list[str]] = []
    hashes = list(analysed)
    for content_hash in hashes:
        article = analysed[content_hash]
        local = mappings.get(id(article.vocab))
        if local is None:
            local = np.array([vocab.setdefault(w, len(vocab)) for w in article.vocab], np.int32)
            mappings[id(article.vocab)] = local
        tokens.append(local[article.tokens] if len(article.tokens) else article.tokens)
        joined.append(article.joined)
        unit_lengths.append(np.diff(article.offsets).astype(np.int32))
        units_per_article.append(len(article.offsets) - 1)
        passages.extend(article.passages)
        ids.extend(list(unit_ids) for unit_ids in article.ids)
    _write_npz(
        path,
        {
            "header": _header(_ANALYSIS_KIND, passages=_PASSAGE_PARAMS, hashes=hashes),
            "vocab": _text_array(vocab),
            "tokens": np.concatenate(tokens) if tokens else np.zeros(0, np.int32),
            "joined": np.concatenate(joined) if joined else np.zeros(0, np.bool_),
            "unit_lengths": np.concatenate(unit_lengths)
            if unit_lengths
            else np.zeros(0, np.int32),
            "units_per_article": np.asarray(units_per_article, np.int32),
            "passages": _text_array(passages),
            "ids": np.frombuffer(json.dumps(ids).encode("utf-8"), dtype=np.uint8),
        },
    )


def load_analysis(path: Path) -> dict[str, AnalysedArticle]:
    """What `save_analysis` wrote, or an empty dict when there is no usable cache."""
    with _open_npz(path, _ANALYSIS_KIND) as opened:
        if opened is None:
            return {}
        return _read_analysis(path, *opened)


def _read_analysis(path: Path, header: dict[str, Any], archive: Any) -> dict[str, AnalysedArticle]:
    try:
        if header.get("passages") != _PASSAGE_PARAMS:
            return {}
        vocab = tuple(_texts(archive["vocab"]))
        tokens = archive["tokens"]
        joined = archive["joined"]
        unit_lengths = archive["unit_lengths"]
        units_per_article = archive["units_per_article"]
        passages = _texts(archive["passages"])
        ids = json.loads(archive["ids"].tobytes())
        return _rebuild(
            header["hashes"], vocab, tokens, joined, unit_lengths, units_per_article, passages, ids
        )
    except (OSError, ValueError, KeyError, IndexError, TypeError, zipfile.BadZipFile) as exc:
        logger.warning("ignoring damaged analysis cache %s: %s", path, exc)
        return {}


def _rebuild(
    hashes: list[str],
    vocab: tuple[str, ...],
    tokens: npt.NDArray[np.int32],
    joined: npt.NDArray[np.bool_],
    unit_lengths: npt.NDArray[np.int32],
    units_per_article: npt.NDArray[np.int32],
    passages: list[str],
    ids: list[list[str]],
) -> dict[str, AnalysedArticle]:
    if len(hashes) != len(units_per_article) or len(tokens) != len(joined):
        raise ValueError("analysis arrays do not fit together")
    if int(unit_lengths.sum()) != len(tokens) or len(ids) != len(unit_lengths):
        raise ValueError("analysis arrays do not fit together")
    if len(tokens) and int(tokens.max()) >= len(vocab):
        raise ValueError("token id outside the vocabulary")
    result: dict[str, AnalysedArticle] = {}
    unit = token = passage = 0
    for content_hash, n_units in zip(hashes, units_per_article.tolist(), strict=True):
        lengths = unit_lengths[unit : unit + n_units]
        n_tokens = int(lengths.sum())
        n_passages = n_units - 1
        result[content_hash] = AnalysedArticle(
            content_hash=content_hash,
            passages=tuple(passages[passage : passage + n_passages]),
            vocab=vocab,
            tokens=tokens[token : token + n_tokens],
            joined=joined[token : token + n_tokens],
            offsets=np.concatenate(([0], np.cumsum(lengths))).astype(np.int32),
            ids=tuple(tuple(x) for x in ids[unit : unit + n_units]),
        )
        unit += n_units
        token += n_tokens
        passage += n_passages
    if passage != len(passages):
        raise ValueError("passage count does not match")
    return result


def save_index(path: Path, index: CorpusIndex, fingerprint: str) -> None:
    """Store a built index under the `fingerprint` of what it was built from."""
    arrays: dict[str, npt.NDArray[Any]] = {
        "header": _header(_INDEX_KIND, fingerprint=fingerprint, vocab_bits=index.vocab_bits),
        "vocab": _text_array(sorted(index.vocab, key=index.vocab.__getitem__)),
        "id_vocab": _text_array(sorted(index.id_vocab, key=index.id_vocab.__getitem__)),
        "article_start": index.article_start,
    }
    for level, fields in index.levels.items():
        for name, field in fields.items():
            for part, array in field.arrays().items():
                arrays[f"{level}.{name}.{part}"] = array
    _write_npz(path, arrays)


def load_index(path: Path, fingerprint: str) -> CorpusIndex | None:
    """The cached index if it was built from exactly `fingerprint`, else None."""
    with _open_npz(path, _INDEX_KIND) as opened:
        if opened is None or opened[0].get("fingerprint") != fingerprint:
            return None
        return _read_index(path, *opened)


def _read_index(path: Path, header: dict[str, Any], archive: Any) -> CorpusIndex | None:
    try:
        article_start = archive["article_start"]
        n_passages, n_articles = int(article_start[-1]), len(article_start) - 1
        units = {"passage": n_passages, "title": n_articles, "article": n_articles}
        levels = {
            level: {
                name: FieldIndex.from_arrays(
                    units[level],
                    {part: archive[f"{level}.{name}.{part}"] for part in FieldIndex.PARTS},
                )
                for name in FIELDS
            }
            for level in LEVELS
        }
        vocab = {word: i for i, word in enumerate(_texts(archive["vocab"]))}
        id_vocab = {term: i for i, term in enumerate(_texts(archive["id_vocab"]))}
        return CorpusIndex(vocab, int(header["vocab_bits"]), id_vocab, levels, article_start)
    except (OSError, ValueError, KeyError, IndexError, TypeError, zipfile.BadZipFile) as exc:
        logger.warning("ignoring damaged index cache %s: %s", path, exc)
        return None
