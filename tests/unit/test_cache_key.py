"""Cache keys follow the code and settings that produced a cache, not a hand-kept number."""

import ast
import importlib
import sys
from pathlib import Path

import corpus
from corpus import code_version
from retrieval import cache_key, passages
from retrieval.index import Bm25Params
from retrieval.ranking import DEFAULT_RANKING, RankingConfig


def test_passage_limits_are_part_of_both_keys(monkeypatch):
    analysis, index = cache_key.analysis_key(), cache_key.index_key(["a"], DEFAULT_RANKING)
    monkeypatch.setattr(passages, "MAX_CHARS", passages.MAX_CHARS + 1)
    assert cache_key.analysis_key() != analysis
    assert cache_key.index_key(["a"], DEFAULT_RANKING) != index


def test_the_analyser_and_cutter_code_are_part_of_the_key():
    assert {"retrieval.analyzer", "retrieval.passages", "retrieval.abbreviations",
            "retrieval.sentences"} <= set(cache_key.ANALYSIS_MODULES)
    assert {"retrieval.index", "retrieval.store"} <= set(cache_key.INDEX_MODULES)


def test_the_sentence_splitter_s_release_is_part_of_the_analysis_key(monkeypatch):
    """The analysis keeps underthesea's sentence cuts: another release may cut elsewhere."""
    analysis = cache_key.analysis_key()
    real = cache_key.metadata.version
    monkeypatch.setattr(cache_key.metadata, "version",
                        lambda name: "0.0.1" if name == "underthesea" else real(name))
    assert cache_key.analysis_key() != analysis


def test_editing_a_module_changes_its_digest(tmp_path, monkeypatch):
    module = tmp_path / "keyed_module.py"
    module.write_text("LIMIT = 1\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    code_version.source_digest.cache_clear()
    before = code_version.source_digest(("keyed_module",))
    module.write_text("LIMIT = 2\n", encoding="utf-8")
    code_version.source_digest.cache_clear()
    assert code_version.source_digest(("keyed_module",)) != before
    code_version.source_digest.cache_clear()
    sys.modules.pop("keyed_module", None)


def test_index_key_follows_articles_order_and_bm25_parameters():
    base = cache_key.index_key(["a", "b"], DEFAULT_RANKING)
    assert cache_key.index_key(["b", "a"], DEFAULT_RANKING) != base
    assert cache_key.index_key(["a"], DEFAULT_RANKING) != base
    other = RankingConfig(article_bm25=Bm25Params(k1=1.3))
    assert cache_key.index_key(["a", "b"], other) != base
    assert cache_key.index_key(["a", "b"], DEFAULT_RANKING) == base


def _corpus_imports(module: str, seen: set[str]) -> set[str]:
    """`module` and the corpus modules it imports, transitively (read from the source)."""
    if module in seen:
        return seen
    seen.add(module)
    path = Path(corpus.__file__).parent / f"{module.split('.', 1)[1]}.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("corpus."):
            _corpus_imports(node.module, seen)
    return seen


def test_every_module_the_parser_runs_is_part_of_the_parser_key():
    """A new parser module (as `corpus.furniture` was) must not leave the key blind to it."""
    used = _corpus_imports("corpus.parse", set()) | _corpus_imports("corpus.cache", set())
    missing = used - set(code_version.PARSER_MODULES) - {"corpus.errors", "corpus.code_version"}
    assert not missing, f"add to corpus.code_version.PARSER_MODULES: {sorted(missing)}"


def test_the_parser_code_is_part_of_the_analysis_key(monkeypatch):
    before = cache_key.analysis_key()
    monkeypatch.setattr(code_version, "parser_key", lambda: "other parser code")
    monkeypatch.setattr(cache_key, "parser_key", code_version.parser_key)
    assert cache_key.analysis_key() != before
