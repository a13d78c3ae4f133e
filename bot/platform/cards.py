"""What the bot shows, as blocks (`bot.platform.render`): results, headers, article cards
and texts.

Everything dynamic (titles, passages, questions, URLs) enters here as plain text and
leaves as spans; escaping and the message limits are `bot.platform.render`'s job. Budgets keep a
page of `PAGE_SIZE` results well inside one message, so pages can be edited in place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from urllib.parse import urlsplit

from bot.platform import texts
from bot.platform.excerpt import (
    ELLIPSIS,
    cut_point,
    highlight_pieces,
    is_boundary,
    split_text,
    trim,
)
from bot.platform.render import MAX_TEXT, Block, Span, safe_url
from bot.store.counters import VIETNAM
from corpus import Article
from retrieval import POOL, Hit, parse_timeframe

__all__ = [
    "ARTICLE_MAX_MESSAGES",
    "GROUP_RESULTS",
    "MAX_RESULTS",
    "PAGE_SIZE",
    "answer_blocks",
    "article_blocks",
    "card_block",
    "header_block",
    "hit_card_block",
    "n_pages",
    "no_results_blocks",
    "result_block",
    "site_name",
    "text_block",
    "truncated_notice",
]

PAGE_SIZE = 3  # results per page in private chats
# Results reachable with "more": the reranker's whole pool (retrieval.POOL); the list
# itself stops where its probability falls below the list threshold.
MAX_RESULTS = POOL
GROUP_RESULTS = 2  # groups get a compact answer
ARTICLE_MAX_MESSAGES = 4  # "read in full" sends at most this many messages
TITLE_CHARS = 300
EXCERPT_CHARS = 450
GROUP_EXCERPT_CHARS = 280
CARD_LEAD_CHARS = 700
QUESTION_CHARS = 80
MAX_BOLD = 20


def text_block(text: str, *, bold: bool = False) -> Block:
    """A fixed text (from `bot.platform.texts`) as one block."""
    return (Span(text, bold=bold),)


def site_name(url: str) -> str:
    """``hddtvn.com`` for ``https://www.hddtvn.com/...``: what a source link reads."""
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.") or url


def _source_spans(url: str) -> list[Span]:
    link = safe_url(url)
    if link is None:
        return []
    return [Span("🔗 "), Span(site_name(link), url=link)]


def _title_span(title: str, rank: int | None) -> Span:
    prefix = f"{rank}. " if rank is not None else ""
    return Span(prefix + trim(title, TITLE_CHARS), bold=True)


def _date_spans(day: dt.date | None, source: str = "") -> list[Span]:
    shown = texts.article_date_label(day, source)
    return [Span(f"📅 {shown}")] if shown else []


def _excerpt_spans(hit: Hit, budget: int) -> list[Span]:
    """The best sentence first, then what follows it, cut at a sentence or word boundary."""
    passage = hit.passage
    start = min(max(hit.sentence[0], 0), len(passage))
    while start < len(passage) and (passage[start].isspace()
                                    or not is_boundary(passage, start)):
        start += 1
    end = cut_point(passage, start, budget)
    spans: list[Span] = []
    if start > 0:
        spans.append(Span(ELLIPSIS))
    runs = highlight_pieces(passage, start, end, hit.highlights, MAX_BOLD)
    if runs and end < len(passage):
        text, bold = runs[-1]
        runs[-1] = (text.rstrip(), bold)
    spans += [Span(text, bold=bold) for text, bold in runs]
    if end < len(passage):
        # "…" right after a cut word; after a full sentence, set apart.
        ended = bool(runs) and runs[-1][0][-1:] in ".!?;…"
        spans.append(Span(f" {ELLIPSIS}" if ended else ELLIPSIS))
    return spans


def _lines(*groups: list[Span]) -> Block:
    """Non-empty groups of spans, one per line."""
    spans: list[Span] = []
    for group in groups:
        if not group:
            continue
        if spans:
            spans.append(Span("\n"))
        spans += group
    return tuple(spans)


def _age_spans(hit: Hit, recent_on: dt.date | None) -> list[Span]:
    """How old the article is, when the question asked for recent news and it is not."""
    if recent_on is None or hit.published is None or hit.date_source == "corpus":
        return []
    years = int((recent_on - hit.published).days // 365.25)
    if years < 1:
        return []
    return [Span(texts.age_note(years, estimated=hit.date_source == "estimated"))]


def result_block(
    hit: Hit, rank: int, *, compact: bool = False, recent_on: dt.date | None = None
) -> Block:
    """One result: title, date, the passage with matched words in bold, the source.

    `recent_on` is today when the question asks for the newest news ("mới nhất", "hôm
    nay"): an old article then says how old it is, so it is not taken for today's.
    """
    budget = GROUP_EXCERPT_CHARS if compact else EXCERPT_CHARS
    return _lines(
        [_title_span(hit.title, rank)],
        _date_spans(hit.published, hit.date_source),
        _age_spans(hit, recent_on),
        _excerpt_spans(hit, budget),
        _source_spans(hit.url),
    )


def header_block(question: str, first: int, last: int, total: int) -> Block:
    """"Results 1–3/7 for «question»", the question cut to a line."""
    shown = trim(" ".join(question.split()), QUESTION_CHARS)
    return (Span("🔎 "), Span(texts.results_header(first, last, total, shown), bold=True))


def n_pages(n_hits: int, page_size: int = PAGE_SIZE) -> int:
    """Pages needed for `n_hits` results (at least one, the "nothing found" page)."""
    return max(1, -(-n_hits // page_size))


def no_results_blocks() -> list[Block]:
    """The honest "nothing found", with ways to ask differently."""
    return [text_block(texts.NO_RESULTS, bold=True), text_block(texts.NO_RESULTS_TIPS)]


def answer_blocks(question: str, hits: Sequence[Hit], page: int, *,
                  page_size: int = PAGE_SIZE, compact: bool = False,
                  today: dt.date | None = None) -> list[Block]:
    """One page of an answer: a header and the page's results (or "nothing found").

    `today` (default: today in Vietnam) dates a recency question's "how old" notes.
    """
    if not hits:
        return no_results_blocks()
    today = today or dt.datetime.now(tz=VIETNAM).date()
    timeframe = parse_timeframe(question, today)
    recent_on = today if timeframe is not None and timeframe.wants_recent else None
    first = page * page_size
    shown = hits[first : first + page_size]
    blocks = [header_block(question, first + 1, first + len(shown), len(hits))]
    blocks += [
        result_block(hit, first + i + 1, compact=compact, recent_on=recent_on)
        for i, hit in enumerate(shown)
    ]
    return blocks


def _article_header(article: Article) -> Block:
    return _lines(
        [_title_span(article.title, None)],
        _date_spans(article.published, article.date_source),
        _source_spans(article.source_url),
    )


def card_block(article: Article) -> Block:
    """An article's card: title, date, source and the beginning of the text."""
    body = " ".join(article.paragraphs)
    lead = trim(body, CARD_LEAD_CHARS)
    return _lines(list(_article_header(article)), [Span(lead)] if lead else [])


def hit_card_block(hit: Hit) -> Block:
    """The message an inline result sends: a result without its rank."""
    return _lines(
        [_title_span(hit.title, None)],
        _date_spans(hit.published, hit.date_source),
        _excerpt_spans(hit, GROUP_EXCERPT_CHARS),
        _source_spans(hit.url),
    )


def article_blocks(article: Article) -> list[Block]:
    """The whole article: its header, then one block per paragraph (long ones split)."""
    blocks = [_article_header(article)]
    for paragraph in article.paragraphs:
        blocks += [text_block(piece) for piece in split_text(paragraph, MAX_TEXT // 2)]
    return blocks


def truncated_notice(article: Article) -> Block:
    """Last block when the article is longer than `ARTICLE_MAX_MESSAGES` messages."""
    return (Span(texts.ARTICLE_TRUNCATED + " "), *_source_spans(article.source_url)[1:])
