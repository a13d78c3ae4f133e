"""On-disk caches of the analysed articles and of the built index.

Each cache is one file of plain arrays (no pickle): a JSON header naming its kind, the
key of what produced it (`cache_key`) and where each array lies, then the arrays, each
aligned to 64 bytes. A reader memory-maps the file and views the arrays in place, so a
warm start reads a few kilobytes and a query pages in only the postings it touches (an
``.npz`` cannot be mapped: it is read whole). Files are written to a temporary file and
renamed over the old one, so a reader sees the old cache or the new one, never half of
either; a mapped old file stays valid after the rename. A file that is damaged, foreign
or made from other code or settings is reported and ignored, and the caller rebuilds
it: a cache can make a start faster, never make it fail.
"""

from __future__ import annotations

import json
import logging
import mmap
import os
import tempfile
import zlib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from retrieval.analysis import AnalysedArticle
from retrieval.analyzer import FIELDS
from retrieval.cache_key import analysis_key
from retrieval.corpus_index import LEVELS, CorpusIndex
from retrieval.index import FieldIndex

__all__ = [
    "AnalysisArrays",
    "analysis_arrays",
    "load_analysis",
    "load_index",
    "map_analysis",
    "read_arrays",
    "save_analysis",
    "save_index",
    "write_arrays",
]

logger = logging.getLogger(__name__)

_MAGIC = b"HAIQUAN-ARRAYS-1\n"
_ALIGN = 64
_ANALYSIS_KIND = "haiquan-analysis"
_INDEX_KIND = "haiquan-index"
_SEPARATOR = "\x1f"  # unit separator: never in normalised article text


def _text_array(items: Iterable[str]) -> npt.NDArray[np.uint8]:
    return np.frombuffer(_SEPARATOR.join(items).encode("utf-8"), dtype=np.uint8)


def _texts(array: npt.NDArray[np.uint8]) -> list[str]:
    text = array.tobytes().decode("utf-8")
    return text.split(_SEPARATOR) if text else []


def _narrow(values: npt.NDArray[np.integer]) -> npt.NDArray[np.unsignedinteger]:
    """Non-negative integers in the narrowest unsigned type that holds them."""
    top = int(values.max()) if len(values) else 0
    for dtype in (np.uint8, np.uint16, np.uint32):
        if top <= np.iinfo(dtype).max:
            return values.astype(dtype)
    return values.astype(np.uint64)


def _aligned(offset: int) -> int:
    return -(-offset // _ALIGN) * _ALIGN


def write_arrays(
    path: Path, kind: str, key: str, arrays: Mapping[str, npt.NDArray[Any]], **extra: Any
) -> None:
    """Write `arrays` under a header (`kind`, `key`, `extra`) atomically to `path`."""
    contiguous = {name: np.ascontiguousarray(array) for name, array in arrays.items()}
    layout: dict[str, list[Any]] = {}
    offset = 0
    for name, array in contiguous.items():
        layout[name] = [array.dtype.str, list(array.shape), offset]
        offset = _aligned(offset + array.nbytes)
    header = json.dumps({"kind": kind, "key": key, "arrays": layout, **extra}).encode("utf-8")
    start = _aligned(len(_MAGIC) + 8 + len(header))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(_MAGIC + len(header).to_bytes(8, "little") + header)
            written = len(_MAGIC) + 8 + len(header)
            for name, array in contiguous.items():
                position = start + layout[name][2]
                handle.write(b"\0" * (position - written))
                handle.write(memoryview(array.reshape(-1)).cast("B"))
                written = position + array.nbytes
            handle.flush()
            os.fsync(handle.fileno())
        Path(temp).replace(path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def read_arrays(path: Path, kind: str, key: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The header and the arrays (read-only views of a memory map) of a file that
    `write_arrays` wrote with this `kind` and `key`; None (logged) for any other file."""
    if not path.exists():
        return None
    try:
        with path.open("rb") as handle:
            mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        header, arrays = _parse(mapped, kind)
    except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        logger.warning("ignoring damaged cache %s: %s", path, exc)
        return None
    if header.get("key") != key:
        logger.info("ignoring cache %s: made by other code, settings or articles", path)
        return None
    return header, arrays


def _parse(mapped: mmap.mmap, kind: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and array views of a mapped file; raises ValueError for a foreign one."""
    if mapped[: len(_MAGIC)] != _MAGIC:
        raise ValueError("not an array file")
    size = int.from_bytes(mapped[len(_MAGIC) : len(_MAGIC) + 8], "little")
    header = json.loads(mapped[len(_MAGIC) + 8 : len(_MAGIC) + 8 + size])
    if not isinstance(header, dict) or header.get("kind") != kind:
        raise ValueError("not a cache of this kind")
    start = _aligned(len(_MAGIC) + 8 + size)
    arrays: dict[str, Any] = {}
    for name, (dtype_name, shape, offset) in header["arrays"].items():
        dtype = np.dtype(dtype_name)
        count = int(np.prod(shape, dtype=np.int64))
        if start + offset + count * dtype.itemsize > len(mapped):
            raise ValueError(f"array {name} runs past the end of the file")
        arrays[name] = np.frombuffer(
            mapped, dtype=dtype, count=count, offset=start + offset
        ).reshape(shape)
    return header, arrays


# -- analysed articles -------------------------------------------------------------------


class AnalysisArrays(NamedTuple):
    """Analysed articles laid end to end over one vocabulary: what `save_analysis`
    writes, `map_analysis` reads back (tokens and joins mapped from the file, not read),
    `load_analysis` splits into articles again and `retrieval.forward` reads windows
    from. The units of an article are its passages, then its title."""

    hashes: list[str]  # per article
    vocab: list[str]
    tokens: npt.NDArray[np.unsignedinteger]
    joined: npt.NDArray[np.uint8]  # packed bits, one per token
    unit_lengths: npt.NDArray[np.int64]  # tokens per unit
    units_per_article: npt.NDArray[np.int64]
    unit_chars: npt.NDArray[np.int64]
    unit_flags: npt.NDArray[np.bool_]  # per unit: plain, open start, open end
    # The `cut_code`s of the units that are not plain, in unit order, as UTF-8 laid end
    # to end: cut ``i`` is ``cut_text[cut_ends[i-1]:cut_ends[i]]``.
    cut_text: npt.NDArray[np.uint8]
    cut_ends: npt.NDArray[np.int64]
    # Per unit, how many sentences; then every unit's (start, end) spans, end to end.
    sentence_counts: npt.NDArray[np.unsignedinteger]
    sentences: npt.NDArray[np.unsignedinteger]  # shape (n, 2)


def analysis_arrays(analysed: Sequence[AnalysedArticle]) -> AnalysisArrays:
    """`analysed` (in this order) as one set of arrays."""
    vocab: dict[str, int] = {}
    # Analyses from one cache or one build share a vocabulary tuple; 32 bits, not 64,
    # for the corpus's tokens gathered through it.
    mappings: dict[int, npt.NDArray[np.uint32]] = {}
    tokens, joined, unit_lengths, chars, flags = [], [], [], [], []
    cuts: list[bytes] = []
    counts, sentences = [], []
    for article in analysed:
        local = mappings.get(id(article.vocab))
        if local is None:
            local = np.fromiter((vocab.setdefault(w, len(vocab)) for w in article.vocab),
                                dtype=np.uint32, count=len(article.vocab))
            mappings[id(article.vocab)] = local
        tokens.append(local[article.tokens] if len(article.tokens) else np.zeros(0, np.uint32))
        joined.append(article.joined)
        unit_lengths.append(np.diff(article.offsets))
        chars.append(article.chars)
        flags.append(np.stack([article.plain, article.open_start, article.open_end], axis=1))
        cuts += (code.encode("utf-8") for code in article.cuts)
        counts.append(article.sentence_counts)
        sentences.append(article.sentences)
    del mappings
    all_tokens = np.concatenate(tokens) if tokens else np.zeros(0, np.uint32)
    del tokens
    return AnalysisArrays(
        hashes=[a.content_hash for a in analysed],
        vocab=list(vocab),
        tokens=_narrow(all_tokens),
        joined=np.packbits(np.concatenate(joined) if joined else np.zeros(0, np.bool_)),
        unit_lengths=np.concatenate(unit_lengths).astype(np.int64) if unit_lengths
        else np.zeros(0, np.int64),
        units_per_article=np.asarray([len(a.offsets) - 1 for a in analysed], np.int64),
        unit_chars=np.concatenate(chars).astype(np.int64) if chars else np.zeros(0, np.int64),
        unit_flags=np.concatenate(flags) if flags else np.zeros((0, 3), np.bool_),
        cut_text=np.frombuffer(b"".join(cuts), np.uint8),
        cut_ends=np.cumsum([len(code) for code in cuts], dtype=np.int64),
        sentence_counts=_narrow(np.concatenate(counts) if counts else np.zeros(0, np.int64)),
        sentences=_narrow(np.concatenate(sentences) if sentences
                          else np.zeros((0, 2), np.int64)),
    )


def save_analysis(path: Path, analysed: Mapping[str, AnalysedArticle]) -> None:
    """Store `analysed` (by content hash) in one file, articles sharing one vocabulary."""
    arrays = analysis_arrays(list(analysed.values()))
    ids = [list(unit_ids) for article in analysed.values() for unit_ids in article.ids]
    write_arrays(
        path,
        _ANALYSIS_KIND,
        analysis_key(),
        {
            "vocab": _text_array(arrays.vocab),
            "tokens": arrays.tokens,
            "joined": arrays.joined,
            "unit_lengths": _narrow(arrays.unit_lengths),
            "units_per_article": _narrow(arrays.units_per_article),
            "ids": np.frombuffer(json.dumps(ids).encode("utf-8"), dtype=np.uint8),
            "unit_chars": _narrow(arrays.unit_chars),
            # Per unit: plain, open start, open end (`AnalysedArticle`).
            "unit_flags": np.packbits(arrays.unit_flags.reshape(-1)),
            # Read once at start (the forward index looks cuts up by unit), so it is
            # kept compressed: 2.8 MB of folded forms on the shared corpus, 0.6 MB so.
            "cut_text": np.frombuffer(zlib.compress(arrays.cut_text.tobytes(), 6), np.uint8),
            "cut_ends": _narrow(arrays.cut_ends),
            # Mapped, not read: a search reads the sentences of the three hits it shows.
            "sentence_counts": arrays.sentence_counts,
            "sentences": arrays.sentences,
        },
        hashes=list(analysed),
        n_tokens=len(arrays.tokens),
    )


def map_analysis(path: Path) -> AnalysisArrays | None:
    """The analysis cache at `path` mapped, or None when there is no usable one.

    Token ids are not range-checked here (that would read every page of the file):
    `ForwardIndex` checks the ids of each window it reads."""
    opened = _open_analysis(path)
    return None if opened is None else opened[0]


def load_analysis(path: Path) -> dict[str, AnalysedArticle]:
    """What `save_analysis` wrote, or an empty dict when there is no usable cache."""
    opened = _open_analysis(path)
    if opened is None:
        return {}
    arrays, ids = opened
    try:
        return _rebuild(arrays, json.loads(ids.tobytes()))
    except (ValueError, IndexError, TypeError) as exc:
        logger.warning("ignoring damaged analysis cache %s: %s", path, exc)
        return {}


def _open_analysis(path: Path) -> tuple[AnalysisArrays, npt.NDArray[np.uint8]] | None:
    """The arrays of the analysis cache at `path` and its ids (JSON bytes, unparsed: a
    serving process never reads them), checked to fit together."""
    opened = read_arrays(path, _ANALYSIS_KIND, analysis_key())
    if opened is None:
        return None
    header, raw = opened
    try:
        unit_lengths = raw["unit_lengths"].astype(np.int64)
        arrays = AnalysisArrays(
            hashes=list(header["hashes"]),
            vocab=_texts(raw["vocab"]),
            tokens=raw["tokens"],
            joined=raw["joined"],
            unit_lengths=unit_lengths,
            units_per_article=raw["units_per_article"].astype(np.int64),
            unit_chars=raw["unit_chars"].astype(np.int64),
            unit_flags=_unit_flags(raw["unit_flags"], len(unit_lengths)),
            cut_text=np.frombuffer(zlib.decompress(raw["cut_text"].tobytes()), np.uint8),
            cut_ends=raw["cut_ends"].astype(np.int64),
            sentence_counts=raw["sentence_counts"],
            sentences=raw["sentences"],
        )
        n_tokens = int(header["n_tokens"])
        ids = raw["ids"]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, zlib.error) as exc:
        logger.warning("ignoring damaged analysis cache %s: %s", path, exc)
        return None
    if (len(arrays.tokens) != n_tokens or len(arrays.joined) * 8 < n_tokens
            or int(unit_lengths.sum()) != n_tokens or len(arrays.unit_chars) != len(unit_lengths)
            or int(arrays.units_per_article.sum()) != len(unit_lengths)
            or len(arrays.hashes) != len(arrays.units_per_article)
            or len(arrays.cut_ends) != int((~arrays.unit_flags[:, 0]).sum())
            or np.any(np.diff(arrays.cut_ends, prepend=0) <= 0)
            or (len(arrays.cut_ends) and int(arrays.cut_ends[-1]) != len(arrays.cut_text))
            or len(arrays.sentence_counts) != len(unit_lengths)
            or arrays.sentences.ndim != 2 or arrays.sentences.shape[1:] != (2,)
            or int(arrays.sentence_counts.sum(dtype=np.int64)) != len(arrays.sentences)):
        logger.warning("ignoring damaged analysis cache %s: arrays do not fit together", path)
        return None
    return arrays, ids


def _unit_flags(packed: npt.NDArray[np.uint8], n_units: int) -> npt.NDArray[np.bool_]:
    """The (plain, open start, open end) rows of `n_units` units, as `save_analysis`
    packed them."""
    if len(packed) * 8 < 3 * n_units:
        raise ValueError("analysis flags are short")
    return np.unpackbits(packed, count=3 * n_units).astype(np.bool_).reshape(n_units, 3)


def _rebuild(arrays: AnalysisArrays, ids: list[list[str]]) -> dict[str, AnalysedArticle]:
    """The articles of `arrays` (checked by `_open_analysis`), sharing one vocabulary."""
    if len(ids) != len(arrays.unit_lengths):
        raise ValueError("analysis arrays do not fit together")
    vocab = tuple(arrays.vocab)
    tokens = np.asarray(arrays.tokens)
    if len(tokens) and int(tokens.max()) >= len(vocab):
        raise ValueError("token id outside the vocabulary")
    joined = np.unpackbits(arrays.joined, count=len(tokens)).astype(np.bool_)
    unit_lengths, flags = arrays.unit_lengths, arrays.unit_flags
    chars = arrays.unit_chars.astype(np.int32)
    cut_text = arrays.cut_text.tobytes()
    cut_starts = np.concatenate(([0], arrays.cut_ends[:-1])).tolist()
    cuts = [cut_text[a:b].decode("utf-8")
            for a, b in zip(cut_starts, arrays.cut_ends.tolist(), strict=True)]
    # Cuts before each unit: an article's are ``cuts[before[first]:before[end]]``.
    before = np.concatenate(([0], np.cumsum(~flags[:, 0]))).tolist()
    counts = arrays.sentence_counts.astype(np.int32)
    spans = np.asarray(arrays.sentences, np.int32)
    sentence = 0
    result: dict[str, AnalysedArticle] = {}
    unit = token = 0
    for content_hash, n_units in zip(arrays.hashes, arrays.units_per_article.tolist(),
                                     strict=True):
        lengths = unit_lengths[unit : unit + n_units]
        n_tokens = int(lengths.sum())
        n_sentences = int(counts[unit : unit + n_units].sum())
        result[content_hash] = AnalysedArticle(
            content_hash=content_hash,
            n_passages=n_units - 1,
            vocab=vocab,
            tokens=tokens[token : token + n_tokens],
            joined=joined[token : token + n_tokens],
            offsets=np.concatenate(([0], np.cumsum(lengths))).astype(np.int32),
            ids=tuple(tuple(x) for x in ids[unit : unit + n_units]),
            chars=chars[unit : unit + n_units],
            plain=flags[unit : unit + n_units, 0],
            open_start=flags[unit : unit + n_units, 1],
            open_end=flags[unit : unit + n_units, 2],
            cuts=tuple(cuts[before[unit] : before[unit + n_units]]),
            sentence_counts=counts[unit : unit + n_units],
            sentences=spans[sentence : sentence + n_sentences],
        )
        unit += n_units
        token += n_tokens
        sentence += n_sentences
    return result


# -- the index ---------------------------------------------------------------------------


def save_index(path: Path, index: CorpusIndex, key: str, indexed: Sequence[bool]) -> None:
    """Store a built index under the `key` of what it was built from; `indexed` says which
    of the corpus's articles (in order) are in it (an article without text is not)."""
    arrays: dict[str, npt.NDArray[Any]] = {
        "vocab": _text_array(sorted(index.vocab, key=index.vocab.__getitem__)),
        "id_vocab": _text_array(sorted(index.id_vocab, key=index.id_vocab.__getitem__)),
        "article_start": index.article_start,
        "indexed": np.asarray(indexed, np.bool_),
    }
    scalars: dict[str, dict[str, float]] = {}
    for level, fields in index.levels.items():
        for name, field in fields.items():
            scalars[f"{level}.{name}"] = field.scalars()
            for part, array in field.arrays().items():
                arrays[f"{level}.{name}.{part}"] = array
    write_arrays(path, _INDEX_KIND, key, arrays, vocab_bits=index.vocab_bits, scalars=scalars)


def load_index(path: Path, key: str) -> tuple[CorpusIndex, npt.NDArray[np.bool_]] | None:
    """The cached index, memory-mapped, and its `indexed` mask, if it was built from
    exactly `key`; else None."""
    opened = read_arrays(path, _INDEX_KIND, key)
    if opened is None:
        return None
    header, arrays = opened
    try:
        return _index_from_arrays(header, arrays)
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        logger.warning("ignoring damaged index cache %s: %s", path, exc)
        return None


def _index_from_arrays(
    header: dict[str, Any], arrays: dict[str, Any]
) -> tuple[CorpusIndex, npt.NDArray[np.bool_]]:
    article_start = arrays["article_start"]
    n_passages, n_articles = int(article_start[-1]), len(article_start) - 1
    units = {"passage": n_passages, "title": n_articles, "article": n_articles}
    levels = {
        level: {
            name: FieldIndex.from_arrays(
                units[level],
                {part: arrays[f"{level}.{name}.{part}"] for part in FieldIndex.PARTS},
                header["scalars"][f"{level}.{name}"],
            )
            for name in FIELDS
        }
        for level in LEVELS
    }
    vocab = {word: i for i, word in enumerate(_texts(arrays["vocab"]))}
    id_vocab = {term: i for i, term in enumerate(_texts(arrays["id_vocab"]))}
    indexed = arrays["indexed"]
    if int(indexed.sum()) != n_articles:
        raise ValueError("indexed mask does not match the article count")
    return CorpusIndex(vocab, int(header["vocab_bits"]), id_vocab, levels, article_start), indexed
