"""The card a new directive is announced with, and its "ask the bot" button.

A card says what the document is (kind and number), who issued it, the article's title
and date, two or three sentences of summary and the source link. Its button is a deep
link (``t.me/<bot>?start=d<key>``) that opens the article in a private chat with the
bot -- a URL button works the same in groups, topics and private chats, and the private
chat is where the reader can ask follow-up questions.

Rendering is blocking (the summary uses the sentence splitter): run it off the loop.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.platform import texts
from bot.platform.article_keys import article_key
from bot.platform.cards import site_name
from bot.platform.excerpt import trim
from bot.platform.keyboards import deep_link
from bot.platform.render import Block, Span, safe_url, single_message, to_html
from corpus import Article
from retrieval import split_sentences

__all__ = ["SUMMARY_CHARS", "directive_card", "directive_html", "directive_keyboard", "summary_of"]

SUMMARY_CHARS = 450  # two or three sentences of news prose
TITLE_CHARS = 300


def summary_of(article: Article) -> str:
    """Two or three sentences: of the article's summary if it has one, else of its body.

    Sentences are added while there are fewer than two, or fewer than three that fit
    `SUMMARY_CHARS`; an overlong first sentence is cut at a word.
    """
    source = article.summary or article.teaser or " ".join(article.paragraphs[:3])
    source = " ".join(source.split())
    if not source:
        return ""
    chosen: list[str] = []
    length = 0
    for start, end in split_sentences(source):
        sentence = source[start:end].strip()
        if not sentence:
            continue
        if len(chosen) >= 2 and (len(chosen) >= 3 or length + len(sentence) > SUMMARY_CHARS):
            break
        chosen.append(sentence)
        length += len(sentence) + 1
    return trim(" ".join(chosen), SUMMARY_CHARS + SUMMARY_CHARS // 2)


def directive_card(article: Article, summary: str) -> tuple[Block, ...]:
    """The card as one message; `summary` from `summary_of` (computed off the loop)."""
    ref = article.directive
    heading = [Span(f"🔔 {texts.NEW_DIRECTIVE}: ")]
    heading.append(Span(ref.label if ref else texts.NEW_DIRECTIVE_UNKNOWN, bold=True))
    lines: list[list[Span]] = [heading]
    if ref is not None and ref.issuer:
        lines.append([Span(f"🏛 {texts.issuer_label(ref.issuer)}")])
    lines.append([Span(trim(article.title, TITLE_CHARS), bold=True)])
    if article.published and (
        label := texts.published_label(article.published, article.date_source)
    ):
        lines.append([Span(f"📅 {label}")])
    if summary:
        lines.append([Span(summary)])
    link = safe_url(article.source_url)
    if link is not None:
        lines.append([Span("🔗 "), Span(site_name(link), url=link)])
    spans: list[Span] = []
    for line in lines:
        if spans:
            spans.append(Span("\n"))
        spans += line
    return single_message([tuple(spans)])


def directive_keyboard(bot_username: str, article: Article) -> InlineKeyboardMarkup:
    """The card's button: open the article in a private chat with the bot."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(
        texts.ASK_ABOUT_DIRECTIVE, url=deep_link(bot_username, f"d{article_key(article.id)}"))]])


def directive_html(article: Article, summary: str) -> str:
    """`directive_card` in Telegram HTML."""
    return to_html(directive_card(article, summary))
