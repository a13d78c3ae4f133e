"""Which library extracts Vietnamese news pages best? The comparison behind corpus.ingest.

Each extractor reads the six test pages in ``tests/data/ingest/pages/`` (written for this
project in the layouts Vietnamese news sites use: menus, breadcrumbs, a *sapo*, related
-article boxes inside and after the body, comments, galleries, a byline as a bold name
at the end, a data table, an old portal laid out with nested tables). ``expected.json``
lists, per page, a phrase from every body paragraph, phrases of boilerplate that must
stay out, and the title, date and author.

Extractors:

- trafilatura: `bare_extraction` with metadata; default, favor_precision, favor_recall.
- readability-lxml: `Document.summary()` (body) and `short_title()`; no date or author.
- selectolax (lexbor) with generic rules: drop nav/aside/footer/forms and elements whose
  class names boilerplate; the body is the element with most paragraph text; metadata
  from meta tags, JSON-LD, ``<time>``, ``rel=author`` and a date pattern.
- "+ rules" variants: the same plus our Vietnamese-page rules (layout tables unwrapped,
  NFC, `corpus.ingest.extract.tidy_lines`), to separate the library from the rules.
- corpus.ingest: the production extractor (trafilatura + rules + the sapo as summary).

Usage::

    pip install readability-lxml selectolax   # optional; missing ones are reported
    python benchmarks/ingest_extractors.py [--repeat 20]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402
from lxml import html as lxml_html  # noqa: E402

from corpus.dates import parse_date  # noqa: E402
from corpus.ingest.extract import ExtractedArticle, extract_article, tidy_lines  # noqa: E402
from corpus.normalize import normalize_line  # noqa: E402

PAGES = ROOT / "tests" / "data" / "ingest" / "pages"


@dataclass
class Result:
    title: str | None
    date: str | None
    author: str | None
    lines: list[str]


def blocks(root: lxml_html.HtmlElement) -> list[str]:
    """Text of block elements in document order; table rows as ``a | b | c``."""
    lines = []
    for element in root.iter("p", "li", "tr", "h1", "h2", "h3", "h4", "blockquote"):
        if element.tag == "tr":
            cells = [" ".join(c.text_content().split()) for c in element.iter("td", "th")]
            text = " | ".join(cells)
        else:
            text = " ".join(element.text_content().split())
        if text:
            lines.append(text)
    return lines


def unwrap_tables(html: str) -> lxml_html.HtmlElement:
    tree = lxml_html.fromstring(unicodedata.normalize("NFC", html))
    for table in list(tree.iter("table")):
        if table.xpath(".//p|.//div|.//ul|.//ol|.//table|.//h1|.//h2|.//h3|.//form"):
            for element in (table, *table.iter("tbody", "thead", "tfoot", "tr", "td", "th")):
                element.tag = "div"
    return tree


def with_rules(result: Result) -> Result:
    lines = [normalize_line(line) for line in result.lines if line.strip()]
    title = normalize_line(result.title or "")
    author = normalize_line(result.author or "")
    body, byline = tidy_lines(lines, title=title, author=author)
    return Result(title, result.date, author or byline or None, body)


def trafilatura_variant(**options: bool) -> Callable[[str, bool], Result]:
    def run(html: str, rules: bool) -> Result:
        source = lxml_html.tostring(unwrap_tables(html), encoding="unicode") if rules else html
        doc = trafilatura.bare_extraction(source, with_metadata=True, include_comments=False,
                                          include_tables=True, **options)
        if doc is None:
            return Result(None, None, None, [])
        result = Result(doc.title, doc.date, doc.author, (doc.text or "").split("\n"))
        return with_rules(result) if rules else result

    return run


def readability_run(html: str, rules: bool) -> Result:
    from readability import Document

    source = lxml_html.tostring(unwrap_tables(html), encoding="unicode") if rules else html
    document = Document(source)
    body = lxml_html.fromstring(document.summary(html_partial=True))
    result = Result(document.short_title(), None, None, blocks(body))
    return with_rules(result) if rules else result


_BOILERPLATE = re.compile(
    r"comment|related|share|social|tag|breadcrumb|menu|nav|sidebar|footer|header|ads|"
    r"newsletter|xemthem|read-?more|other|most-read|tinmoi|print|gallery|caption|paging|"
    r"next-prev|col-right|left-col|box-title|topbar|logo", re.IGNORECASE)
_DMY = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")


def selectolax_run(html: str, rules: bool) -> Result:
    from selectolax.lexbor import LexborHTMLParser

    source = lxml_html.tostring(unwrap_tables(html), encoding="unicode") if rules else html
    tree = LexborHTMLParser(source)

    def meta(selector: str, attribute: str = "content") -> str | None:
        node = tree.css_first(selector)
        return node.attributes.get(attribute) if node is not None else None

    ld: dict = {}
    for node in tree.css('script[type="application/ld+json"]'):
        try:
            ld = json.loads(node.text())
        except ValueError:
            continue
    h1 = tree.css_first("h1")
    title = meta('meta[property="og:title"]') or (h1.text(strip=True) if h1 else None) or (
        tree.css_first("title").text(strip=True) if tree.css_first("title") else None)
    author = meta('meta[name="author"]') or (ld.get("author") or {}).get("name") or (
        tree.css_first('a[rel="author"]').text(strip=True) if tree.css_first('a[rel="author"]')
        else None)
    date = meta('meta[property="article:published_time"]') or ld.get("datePublished") or meta(
        "time[datetime]", "datetime")
    for node in tree.css("script, style, nav, header, footer, aside, form, noscript, iframe, "
                         "figure, select"):
        node.decompose()
    doomed = [n for n in tree.css("[class], [id]")
              if _BOILERPLATE.search(f"{n.attributes.get('class') or ''} "
                                     f"{n.attributes.get('id') or ''}")]
    for node in doomed:
        node.decompose()
    if date is None and tree.body is not None and (match := _DMY.search(tree.body.text())):
        date = f"{match[3]}-{int(match[2]):02d}-{int(match[1]):02d}"

    def score(node) -> int:
        return sum(len(child.text()) for child in node.iter() if child.tag == "p")

    candidates = tree.css("div, article, section, td, main, body")
    best = max(candidates, key=score) if candidates else None
    lines = []
    if best is not None:
        root = lxml_html.fromstring(best.html or "<div></div>")
        lines = blocks(root)
    result = Result(title, (date or "")[:10] or None, author, lines)
    return with_rules(result) if rules else result


def production_run(html: str, rules: bool) -> Result:
    extracted = extract_article(html.encode("utf-8"), "https://bao.example/bai-viet.html")
    if not isinstance(extracted, ExtractedArticle):
        return Result(None, None, None, [])
    date = extracted.published.isoformat() if extracted.published else None
    return Result(extracted.title, date, extracted.author or None, list(extracted.paragraphs))


def score_page(result: Result, expected: dict) -> dict[str, object]:
    body = normalize_line(" \n ".join(result.lines)).casefold()
    found = sum(1 for phrase in expected["body"] if normalize_line(phrase).casefold() in body)
    leaks = sum(1 for phrase in expected["noise"] if normalize_line(phrase).casefold() in body)
    date = parse_date(result.date or "")
    leaked = [phrase for phrase in expected["noise"] if normalize_line(phrase).casefold() in body]
    missed = [phrase for phrase in expected["body"]
              if normalize_line(phrase).casefold() not in body]
    return {
        "recall": found / len(expected["body"]),
        "leaks": leaks,
        "leaked": leaked,  # type: ignore[dict-item]
        "missed": missed,  # type: ignore[dict-item]
        "title": float(normalize_line(result.title or "") in expected["title"]),
        "date": float(date is not None and date.isoformat() == expected["date"]),
        "author": float((normalize_line(result.author or "") or None) in expected["author"]),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=20, help="timing runs per page")
    args = parser.parse_args()
    expected = json.loads((PAGES / "expected.json").read_text(encoding="utf-8"))
    pages = {name: (PAGES / name).read_text(encoding="utf-8")
             for name in expected if not name.startswith("_")}
    extractors: list[tuple[str, Callable[[str, bool], Result], bool]] = []
    for label, run in (
        ("trafilatura", trafilatura_variant()),
        ("trafilatura precision", trafilatura_variant(favor_precision=True)),
        ("trafilatura recall", trafilatura_variant(favor_recall=True)),
        ("readability-lxml", readability_run),
        ("selectolax rules", selectolax_run),
    ):
        extractors += [(label, run, False), (f"{label} + rules", run, True)]
    extractors.append(("corpus.ingest (production)", production_run, False))

    print(f"{len(pages)} pages, {sum(len(e['body']) for k, e in expected.items() if k[0] != '_')}"
          f" body phrases, {sum(len(e['noise']) for k, e in expected.items() if k[0] != '_')}"
          " boilerplate phrases\n")
    print("| extractor | body recall | boilerplate leaks | title | date | author | ms/page |")
    print("|---|---|---|---|---|---|---|")
    details = []
    for label, run, rules in extractors:
        try:
            results = {name: run(html, rules) for name, html in pages.items()}
        except ImportError as exc:
            print(f"| {label} | not installed ({exc.name}) | | | | | |")
            continue
        started = time.perf_counter()
        for _ in range(args.repeat):
            for html in pages.values():
                run(html, rules)
        ms = (time.perf_counter() - started) * 1000 / (args.repeat * len(pages))
        scores = {name: score_page(results[name], expected[name]) for name in pages}
        total = {key: sum(s[key] for s in scores.values()) for key in
                 ("recall", "leaks", "title", "date", "author")}
        print(f"| {label} | {total['recall'] / len(pages):.0%} | {int(total['leaks'])} | "
              f"{int(total['title'])}/{len(pages)} | {int(total['date'])}/{len(pages)} | "
              f"{int(total['author'])}/{len(pages)} | {ms:.1f} |")
        misses = [
            f"{name.split('-')[0]}: " + ", ".join(
                [f"missed {m!r}" for m in s["missed"]] + [f"leaked {m!r}" for m in s["leaked"]])
            for name, s in scores.items() if s["missed"] or s["leaked"]
        ]
        if misses:
            details.append(f"{label}: " + "; ".join(misses))
    if details:
        print("\nPer page, where not perfect:")
        for line in details:
            print(f"- {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
