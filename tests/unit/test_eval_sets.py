"""Validate the evaluation question sets in ``tests/data/eval/``.

These files are what ranking and declining figures are measured on (issue 11), and a
reranker is trained on them, so a silently broken line, a duplicated id, an answer span that
is a whole article sentence (the corpus's text stays out of the repository) or a question
about a dev-set article (which would leak the set we tune on into the one we report on)
would make every published figure meaningless. The checks against the articles run only
when the shared corpus is present; the format checks always run.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest
from support.paths import DEV_SET, SHARED_CORPUS, TEST_DATA

EVAL_DIR = TEST_DATA / "eval"
QUESTION_FILES = sorted(EVAL_DIR.glob("questions_*.jsonl"))
UNANSWERABLE_FILES = sorted(EVAL_DIR.glob("unanswerable_*.jsonl"))
BROAD_FILES = sorted(EVAL_DIR.glob("broad_*.jsonl"))

VARIANTS = {"accented", "unaccented", "mixed", "abbrev", "tone_old", "tone_new"}
TOPICS = {"customs", "tax", "other"}
KINDS = {"off_domain", "near_domain", "chitchat"}
QUESTION_KEYS = {"id", "query", "relevant", "answer", "variant", "topic"}
UNANSWERABLE_KEYS = {"id", "query", "kind", "variant"}
# A broad question names a topic ("hoàn thuế", "XNK"): a few words at most, and so common
# in the corpus that many articles answer it.
BROAD_MAX_WORDS, BROAD_MIN_ARTICLES = 5, 5
MIN_WORDS, MAX_WORDS = 2, 12


def norm(text: str) -> str:
    """NFC with whitespace collapsed: about 900 articles are stored NFD."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def load_jsonl(path: Path, keys: set[str]) -> list[dict]:
    """Parse one JSON-lines file; every line must be an object with exactly ``keys``.

    Raises ``ValueError`` naming the file and line, so a broken line is found at once.
    """
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        where = f"{path.name}:{number}"
        if not line.strip():
            raise ValueError(f"{where}: empty line")
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{where}: not JSON ({exc})") from None
        if not isinstance(row, dict) or set(row) != keys:
            got = sorted(row) if isinstance(row, dict) else type(row).__name__
            raise ValueError(f"{where}: expected keys {sorted(keys)}, got {got}")
        for key in keys - {"relevant"}:
            if not isinstance(row[key], str) or not row[key].strip():
                raise ValueError(f"{where}: {key!r} must be a non-empty string")
        if "relevant" in keys:
            rel = row["relevant"]
            if (
                not isinstance(rel, list)
                or not rel
                or not all(isinstance(r, str) and r.endswith(".md") for r in rel)
                or len(set(rel)) != len(rel)
            ):
                raise ValueError(f"{where}: 'relevant' must be a list of distinct .md names")
        rows.append(row)
    return rows


def span_problem(answer: str) -> str | None:
    """Why ``answer`` is not a short span (None when it is one)."""
    words = len(norm(answer).split())
    if not MIN_WORDS <= words <= MAX_WORDS:
        return f"{words} words"
    if re.search(r"[.!?…]\s+\S", answer) and not re.search(r"\d\.\s", answer):
        return "contains a sentence break"
    if norm(answer)[-1] in ".!?":
        return "ends like a sentence"
    return None


def is_whole_sentence(answer: str, article: str) -> bool:
    """True when every occurrence of ``answer`` in ``article`` is a sentence on its own."""
    found = False
    for match in re.finditer(re.escape(answer), article):
        found = True
        before = article[: match.start()].rstrip()
        after = article[match.end() :].lstrip()
        starts = not before or before[-1] in ".!?:*#\n"
        ends = not after or after[0] in ".!?"
        if not (starts and ends):
            return False
    return found


@pytest.fixture(scope="module")
def questions() -> list[dict]:
    rows = [row for path in QUESTION_FILES for row in load_jsonl(path, QUESTION_KEYS)]
    assert rows, f"no question files in {EVAL_DIR}"
    return rows


@pytest.fixture(scope="module")
def unanswerable() -> list[dict]:
    rows = [row for path in UNANSWERABLE_FILES for row in load_jsonl(path, UNANSWERABLE_KEYS)]
    assert rows, f"no unanswerable files in {EVAL_DIR}"
    return rows


@pytest.fixture(scope="module")
def broad() -> list[dict]:
    rows = [row for path in BROAD_FILES for row in load_jsonl(path, UNANSWERABLE_KEYS)]
    assert rows, f"no broad files in {EVAL_DIR}"
    return rows


@pytest.fixture(scope="module")
def articles() -> dict[str, str]:
    """Normalised text of the articles the questions name (read once)."""
    if not SHARED_CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {SHARED_CORPUS}")
    return {}


def read_article(cache: dict[str, str], name: str) -> str | None:
    if name not in cache:
        path = SHARED_CORPUS / name
        cache[name] = norm(path.read_text(encoding="utf-8")) if path.is_file() else None
    return cache[name]


def test_a_broken_line_is_reported_with_its_place(tmp_path: Path) -> None:
    good = {"id": "x1", "query": "q", "kind": "chitchat", "variant": "accented"}
    path = tmp_path / "unanswerable_x.jsonl"
    path.write_text(json.dumps(good) + "\n" + '{"id": "x2", "query": \n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"unanswerable_x\.jsonl:2"):
        load_jsonl(path, UNANSWERABLE_KEYS)
    path.write_text(json.dumps({**good, "extra": 1}) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="expected keys"):
        load_jsonl(path, UNANSWERABLE_KEYS)


def test_span_check_refuses_sentences_and_single_words() -> None:
    assert span_problem("đạt 75,5 tỷ đồng") is None
    assert span_problem("Nghị định 15/2018/NĐ-CP") is None
    assert span_problem("tỷ") == "1 words"
    assert span_problem("Lô hàng bị giữ. Chủ hàng bỏ trốn") == "contains a sentence break"
    assert span_problem("Chủ hàng đã bỏ trốn.") == "ends like a sentence"
    assert span_problem(" ".join(["từ"] * 13)) == "13 words"
    assert is_whole_sentence("Chủ hàng bỏ trốn", "Xe bị giữ. Chủ hàng bỏ trốn. Hết")
    assert not is_whole_sentence("hàng bỏ trốn", "Xe bị giữ. Chủ hàng bỏ trốn. Hết")


def test_every_file_parses_and_ids_are_unique(questions, unanswerable, broad) -> None:
    ids = [row["id"] for row in questions + unanswerable + broad]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert not duplicates, f"duplicate ids across files: {duplicates}"


def test_queries_are_unique(questions, unanswerable, broad) -> None:
    queries = [norm(row["query"]).lower() for row in questions + unanswerable + broad]
    duplicates = sorted({q for q in queries if queries.count(q) > 1})
    assert not duplicates, f"duplicate queries: {duplicates}"


def test_labels_come_from_the_known_sets(questions, unanswerable, broad) -> None:
    bad = [
        (r["id"], r["variant"])
        for r in questions + unanswerable + broad
        if r["variant"] not in VARIANTS
    ]
    bad += [(r["id"], r["kind"]) for r in broad if r["kind"] != "broad"]
    bad += [(r["id"], r["topic"]) for r in questions if r["topic"] not in TOPICS]
    bad += [(r["id"], r["kind"]) for r in unanswerable if r["kind"] not in KINDS]
    assert not bad, f"unknown labels: {bad}"


def test_unaccented_questions_have_no_diacritics(questions, unanswerable, broad) -> None:
    def accented(text: str) -> bool:
        return any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", text)) or (
            "đ" in text.lower()
        )

    bad = [
        r["id"]
        for r in questions + unanswerable + broad
        if r["variant"] == "unaccented" and accented(r["query"])
    ]
    assert not bad, f"'unaccented' questions with diacritics: {bad}"


def test_answers_are_short_spans(questions) -> None:
    bad = [(r["id"], span_problem(r["answer"])) for r in questions if span_problem(r["answer"])]
    assert not bad, f"answers that are not short spans: {bad}"


def test_unanswerable_differ_from_the_older_set(unanswerable) -> None:
    older = TEST_DATA / "unanswerable_queries.jsonl"
    old = {
        norm(json.loads(line)["query"]).lower() for line in older.read_text("utf-8").splitlines()
    }
    again = [r["id"] for r in unanswerable if norm(r["query"]).lower() in old]
    assert not again, f"copied from tests/data/unanswerable_queries.jsonl: {again}"


def test_relevant_articles_exist_and_contain_the_answer(questions, articles) -> None:
    missing, absent, sentences = [], [], []
    for row in questions:
        texts = {name: read_article(articles, name) for name in row["relevant"]}
        missing += [(row["id"], n) for n, t in texts.items() if t is None]
        answer = norm(row["answer"])
        holding = [t for t in texts.values() if t is not None and answer in t]
        if not holding:
            absent.append(row["id"])
        elif all(is_whole_sentence(answer, t) for t in holding):
            sentences.append(row["id"])
    assert not missing, f"relevant files not in the corpus: {missing}"
    assert not absent, f"answer span in none of the relevant articles: {absent}"
    assert not sentences, f"answer is a whole sentence of the article: {sentences}"


def test_no_question_is_about_a_dev_article(questions) -> None:
    if not DEV_SET.is_file():
        pytest.skip(f"dev set not found at {DEV_SET}")
    dev = set()
    for line in DEV_SET.read_text(encoding="utf-8").splitlines():
        dev.update(json.loads(line)["relevant"])
    overlap = [(r["id"], n) for r in questions for n in r["relevant"] if n in dev]
    assert not overlap, f"questions about dev-set articles: {overlap}"


def folded_words(text: str) -> str:
    """Lower-case letters and digits without diacritics, one space between words."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.findall(r"\w+", bare))


def test_broad_questions_are_topics_many_articles_answer(broad) -> None:
    long = [r["id"] for r in broad if len(r["query"].split()) > BROAD_MAX_WORDS]
    assert not long, f"broad questions longer than {BROAD_MAX_WORDS} words: {long}"
    if not SHARED_CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {SHARED_CORPUS}")
    texts = [
        f" {folded_words(path.read_text(encoding='utf-8'))} "
        for path in sorted(SHARED_CORPUS.glob("*.md"))
    ]
    rare = []
    for row in broad:
        phrase = f" {folded_words(row['query'])} "
        found = sum(1 for text in texts if phrase in text)
        if found < BROAD_MIN_ARTICLES:
            rare.append((row["id"], found))
    assert not rare, f"broad questions fewer than {BROAD_MIN_ARTICLES} articles name: {rare}"
