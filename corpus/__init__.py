"""Articles: files, parsing, normalisation, and which ones announce official documents.

The package facade exports what retrieval and the bot need; nothing here knows about
ranking or Telegram.
"""

from corpus.article import Article, DocumentRef, LoadReport, Skipped
from corpus.cache import ArticleCache, write_atomically
from corpus.directives import DIRECTIVE_KINDS, classify_directive, find_references, kind_from_text
from corpus.errors import ArticleParseError, CorpusError
from corpus.kinds import KIND_LABELS, KINDS, DocumentKind
from corpus.loader import default_corpus_dir, default_data_dir, iter_article_files, load_corpus
from corpus.normalize import fold_diacritics, has_diacritics, normalize_line, normalize_text
from corpus.parse import parse_article, render_front_matter

__all__ = [
    "DIRECTIVE_KINDS",
    "KINDS",
    "KIND_LABELS",
    "Article",
    "ArticleCache",
    "ArticleParseError",
    "CorpusError",
    "DocumentKind",
    "DocumentRef",
    "LoadReport",
    "Skipped",
    "classify_directive",
    "default_corpus_dir",
    "default_data_dir",
    "find_references",
    "fold_diacritics",
    "has_diacritics",
    "iter_article_files",
    "kind_from_text",
    "load_corpus",
    "normalize_line",
    "normalize_text",
    "parse_article",
    "render_front_matter",
    "write_atomically",
]
