"""Scan a corpus directory into articles, never letting one bad file cost the others."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
from dataclasses import replace
from pathlib import Path

import platformdirs

from corpus.article import Article, LoadReport, Skipped
from corpus.cache import ArticleCache
from corpus.errors import ArticleParseError, CorpusError
from corpus.parse import parse_article

__all__ = [
    "MAX_FILE_BYTES",
    "default_corpus_dir",
    "default_data_dir",
    "iter_article_files",
    "load_corpus",
]

logger = logging.getLogger(__name__)

# The longest real article (a legal text) is under 1 MB; anything far beyond is not news.
MAX_FILE_BYTES = 4 * 1024 * 1024


def default_corpus_dir() -> Path:
    """The bundled own-words sample corpus, used when no corpus is configured."""
    return Path(__file__).resolve().parent / "sample"


def default_data_dir() -> Path:
    """Where caches, ingest state and the bot's database live when nothing is configured."""
    return Path(platformdirs.user_data_dir("haiquan-bot", appauthor=False))


def iter_article_files(root: Path) -> tuple[list[tuple[str, Path]], list[Skipped]]:
    """Every ``.md`` file under `root` as (article id, path), plus what could not be walked.

    Symlinks are followed, but a directory reached twice (a symlink loop, or two links to
    one folder) is walked once and reported.
    """
    found: list[tuple[str, Path]] = []
    skipped: list[Skipped] = []
    seen_dirs: set[tuple[int, int]] = set()

    def on_error(error: OSError) -> None:
        skipped.append(Skipped(_relative(root, Path(error.filename or root)), _os_reason(error)))

    for dirpath, dirnames, filenames in os.walk(root, followlinks=True, onerror=on_error):
        directory = Path(dirpath)
        try:
            stat = directory.stat()
        except OSError as exc:
            skipped.append(Skipped(_relative(root, directory), _os_reason(exc)))
            dirnames.clear()
            continue
        key = (stat.st_dev, stat.st_ino)
        if key in seen_dirs:
            skipped.append(
                Skipped(_relative(root, directory), "directory already scanned (symlink loop)")
            )
            dirnames.clear()
            continue
        seen_dirs.add(key)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.endswith(".md") and not name.startswith("."):
                path = directory / name
                found.append((_relative(root, path), path))
    return found, skipped


def load_corpus(
    root: Path | str, *, max_bytes: int = MAX_FILE_BYTES, cache: ArticleCache | None = None
) -> LoadReport:
    """Read every article under `root`.

    With a `cache`, a file whose bytes were parsed before is not parsed again; the
    caller decides when to `save` it (it then holds exactly the articles of this scan).

    Raises:
        CorpusError: `root` is missing, not a directory, or holds no ``.md`` file at all.
    """
    root = Path(root)
    if not root.exists():
        raise CorpusError(f"corpus directory not found: {root}")
    if not root.is_dir():
        raise CorpusError(f"corpus path is not a directory: {root}")
    files, skipped = iter_article_files(root)
    if not files:
        raise CorpusError(f"no .md articles in corpus directory: {root}")
    articles: list[Article] = []
    for article_id, path in files:
        try:
            data = _read(path, max_bytes)
            cached = cache.get(hashlib.sha256(data).hexdigest(), article_id) if cache else None
            article = cached or parse_article(data, article_id)
        except ArticleParseError as exc:
            skipped.append(Skipped(article_id, exc.reason))
            continue
        if cache is not None and cached is None:
            cache.put(article)
        articles.append(article)
    for item in skipped:
        logger.warning("skipped %s: %s", item.path, item.reason)
    articles = date_from_corpus(articles)
    return LoadReport(root=str(root), articles=tuple(articles), skipped=tuple(skipped))


def date_from_corpus(articles: list[Article]) -> list[Article]:
    """Give every article still undated the median date of the dated ones from its source.

    The last resort (``date_source="corpus"``) for an article that carries no evidence
    at all (how-to pages with no date, year or cited document): a reader is better
    served by "about when this site published" than by nothing, and the source says
    it is only that. Sources with no dated article borrow the whole corpus' median.
    """
    by_source: dict[str, list[int]] = {}
    for article in articles:
        if article.published is not None:
            by_source.setdefault(article.source, []).append(article.published.toordinal())
    everything = sorted(day for days in by_source.values() for day in days)
    if not everything:
        return articles
    medians = {source: sorted(days)[len(days) // 2] for source, days in by_source.items()}
    fallback = everything[len(everything) // 2]
    return [
        article
        if article.published is not None
        else replace(
            article,
            published=dt.date.fromordinal(medians.get(article.source, fallback)),
            date_source="corpus",
        )
        for article in articles
    ]


def _read(path: Path, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ArticleParseError(f"file too large: {size:,} bytes (limit {max_bytes:,})")
        if not path.is_file():
            raise ArticleParseError("not a regular file")
        return path.read_bytes()
    except OSError as exc:
        raise ArticleParseError(_os_reason(exc)) from None


def _os_reason(error: OSError) -> str:
    return f"cannot read: {error.strerror or error}"


def _relative(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
