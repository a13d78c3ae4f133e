"""``python -m retrieval eval``: figures per variant and per kind, and the CI floors."""

from __future__ import annotations

import json
from pathlib import Path

from corpus import default_corpus_dir
from retrieval.__main__ import main

DATA = Path(__file__).parent.parent / "data"


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def test_eval_reports_variants_anshit_and_declines_per_kind(tmp_path, capsys):
    negatives = _write(tmp_path / "neg.jsonl", [
        {"id": "n1", "query": "cảm ơn nhé", "kind": "chitchat"},
        {"id": "n2", "query": "ok", "kind": "chitchat"},
        {"id": "n3", "query": "công thức nấu phở bò ngon", "kind": "off_domain"},
    ])
    status = main(["eval", "--corpus", str(default_corpus_dir()), "--queries",
                   str(DATA / "sample_queries.jsonl"), "--negatives", str(negatives), "--json"])
    assert status == 0
    figures = json.loads(capsys.readouterr().out)
    answerable = figures["answerable"]
    assert {"all", "accented", "unaccented", "abbrev"} <= set(answerable)
    assert set(answerable["all"]) == {"n", "mrr@10", "hit@1", "hit@10", "anshit@1",
                                      "anshit@3", "declined"}
    assert figures["unanswerable"]["chitchat"] == {"n": 2, "declined": 1.0}
    assert figures["unanswerable"]["all"]["n"] == 3


def test_eval_floors_fail_the_run(tmp_path, capsys):
    corpus = str(default_corpus_dir())
    queries = str(DATA / "sample_queries.jsonl")
    negatives = str(DATA / "unanswerable_queries.jsonl")
    base = ["eval", "--corpus", corpus, "--queries", queries, "--negatives", negatives]
    assert main([*base, "--min-mrr", "0.5", "--max-declined", "0.5",
                 "--min-neg-declined", "0.1"]) == 0
    assert main([*base, "--min-mrr", "1.01"]) == 1
    assert main([*base, "--min-neg-declined", "1.01"]) == 1
    assert main([*base, "--max-declined", "-0.01"]) == 1
    assert "below the floor" in capsys.readouterr().err
