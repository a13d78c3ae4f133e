"""Admin commands: ``/reload``, ``/stats`` (and its chart), ``/subscribers``, ``/broadcast``,
``/preview``.

Admins are the Telegram user ids in ``HAIQUAN_ADMIN_IDS``. Anyone else gets a short
refusal, and the attempt is logged with the user id (never the message). The commands
answer in the admin's private chat only: their output (subscribers, file names) is not
for a group. An automatic reload that fails is an alert (`bot.platform.alerts`); one that
changed something is a note to every admin (`notify_admins`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
from collections.abc import Awaitable, Callable

from telegram import Message, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, TelegramError

from bot.admin.ingest_report import last_ingest_line, unannounced_block
from bot.admin.reload import (
    RELOAD_FAILED,
    ReloadInProgress,
    ReloadReport,
    begin_reload,
    run_reload,
)
from bot.admin.stats_chart import render_chart
from bot.directives.cards import directive_html, directive_keyboard, summary_of
from bot.platform import texts
from bot.platform.alerts import notify_admins
from bot.platform.cards import text_block
from bot.platform.keyboards import AnnouncementRequest, announcement_keyboard
from bot.platform.render import SEPARATOR, Block, Span, pack, to_html, to_plain, utf16_len
from bot.platform.state import Context, Services
from bot.platform.triggers import command_argument_html, command_of
from bot.store import VIETNAM, local_day
from corpus import KIND_LABELS, Article, find_references
from corpus.ingest import IngestReport, read_last_report

__all__ = [
    "MAX_ANNOUNCEMENT_CHARS",
    "admin_only",
    "broadcast_command",
    "confirm_announcement",
    "notify_admins",
    "preview_command",
    "reload_blocks",
    "reload_command",
    "reload_job",
    "stats_command",
    "subscribers_command",
]

logger = logging.getLogger(__name__)

MAX_ANNOUNCEMENT_CHARS = 3500  # room for the header within one message
_FILES_SHOWN = 15
_SKIPPED_SHOWN = 30

Handler = Callable[[Update, Context], Awaitable[None]]


def admin_only(handler: Handler) -> Handler:
    """Run `handler` for admins in their private chat; refuse everyone else."""

    @functools.wraps(handler)
    async def guarded(update: Update, context: Context) -> None:
        message = update.message
        if message is None:
            return
        user = update.effective_user
        if user is None or user.id not in context.bot_data.services.settings.admin_ids:
            logger.warning("refused /%s from user %s in chat %s", handler.__name__,
                           user.id if user else None, message.chat_id)
            await message.reply_html(to_html([text_block(texts.ADMIN_ONLY)]))
            return
        if message.chat.type != ChatType.PRIVATE:
            await message.reply_html(to_html([text_block(texts.ADMIN_PRIVATE_ONLY)]))
            return
        await handler(update, context)

    return guarded


async def _send_blocks(message: Message, blocks: list[Block]) -> None:
    for chunk in pack(blocks):
        await message.reply_html(to_html(chunk), do_quote=False)


# -- /reload ------------------------------------------------------------------------------
def reload_blocks(report: ReloadReport) -> list[Block]:
    """A reload report: counts, what changed, skipped files with reasons, the broadcast."""
    if not report.ok:
        return [text_block(texts.reload_failed(report.error or "?"))]
    blocks = [text_block(texts.reload_summary(report.seconds, report.articles, report.passages,
                                              len(report.added), len(report.changed),
                                              len(report.removed), len(report.skipped)))]
    for label, names in ((texts.ADDED, report.added), (texts.CHANGED, report.changed),
                         (texts.REMOVED, report.removed)):
        if names:
            blocks.append(text_block(texts.file_list(label, list(names[:_FILES_SHOWN]),
                                                     len(names))))
    if report.skipped:
        lines = [texts.skipped_line(s.path, s.reason) for s in report.skipped[:_SKIPPED_SHOWN]]
        if len(report.skipped) > _SKIPPED_SHOWN:
            lines.append("…")
        blocks.append((Span(f"{texts.SKIPPED_HEADER} ({len(report.skipped)}):", bold=True),
                       Span("\n" + "\n".join(lines))))
    recorded = report.recorded
    if recorded is not None:
        blocks.append(text_block(texts.reload_broadcast(
            recorded.baseline, len(recorded.queued), recorded.deliveries,
            len(recorded.repeated))))
    if failed := unannounced_block(report.unannounced):
        blocks.append(failed)
    return blocks


async def _reload_and_report(services: Services, bot_username: str, message: Message,
                             started: Message) -> None:
    """Run the reload, then turn the "started" message into the report (one message).

    A long report (many skipped files) continues in new messages. If the edit itself fails
    (the admin deleted the message, say), the report is sent as new messages instead.
    """
    report = await run_reload(services, bot_username)
    chunks = pack(reload_blocks(report))
    try:
        await started.edit_text(to_html(chunks[0]), parse_mode=ParseMode.HTML)
    except BadRequest as error:
        logger.warning("could not edit the /reload message: %s", error.message)
        await _send_blocks(message, reload_blocks(report))
        return
    for chunk in chunks[1:]:
        await message.reply_html(to_html(chunk), do_quote=False)


@admin_only
async def reload_command(update: Update, context: Context) -> None:
    """``/reload``: rescan the corpus in the background, then report what changed."""
    message = update.message
    if message is None:
        return
    services = context.bot_data.services
    try:
        await begin_reload(services)
    except ReloadInProgress:
        await message.reply_html(to_html([text_block(texts.RELOAD_BUSY)]))
        return
    try:
        started = await message.reply_html(to_html([text_block(texts.RELOAD_STARTED)]))
    except BaseException:
        services.reload_lock.release()
        raise
    # In the background: the admin's chat stays responsive, and a second /reload in it
    # is refused rather than queued behind this one.
    context.application.create_task(
        _reload_and_report(services, context.bot.username, message, started), update=update)


async def reload_job(context: Context) -> None:
    """A reload from a job (timer, file watcher): admins hear of failures (an alert, once
    per reason until a reload works) and of changes."""
    services = context.bot_data.services
    try:
        await begin_reload(services)
    except ReloadInProgress:
        logger.info("automatic reload skipped: a reload is running")
        return
    report = await run_reload(services, context.bot.username)
    if not report.ok:
        # Keyed by the reason: a watcher failing at every tick alerts once.
        await services.alerts.alert(RELOAD_FAILED, report.error or "?",
                                    texts.reload_failed(report.error or "?"))
        return
    if report.changed_anything or (report.recorded is not None and report.recorded.queued):
        await notify_admins(context.bot, services.settings.admin_ids,
                            to_plain(reload_blocks(report)))


# -- /stats and /subscribers -------------------------------------------------------------
def _last_ingest(services: Services) -> IngestReport | None:
    settings = services.settings
    if settings.data_dir is None:
        return None
    return read_last_report(settings.data_dir, settings.corpus_dir)


@admin_only
async def stats_command(update: Update, context: Context) -> None:
    """``/stats``: corpus, index age, subscriptions, deliveries, today's questions, the
    last ingest round."""
    message = update.message
    if message is None:
        return
    services = context.bot_data.services
    searcher = services.searcher
    now = dt.datetime.now(tz=dt.UTC)
    active, inactive = await services.subscriptions.acounts()
    ledger = await services.ledger.acounts()
    today = await services.counters.afor_day(local_day(now))
    lines = texts.stats_lines(
        articles=len(searcher.articles), passages=searcher.n_passages,
        directives=sum(1 for a in searcher.articles if a.is_directive),
        index_age=texts.age_label((now - searcher.built_at).total_seconds()),
        active=active, inactive=inactive, pending=ledger.open, failed=ledger.failed,
        sent=ledger.sent, questions=today.questions, no_result=today.no_result)
    lines.append(last_ingest_line(await asyncio.to_thread(_last_ingest, services), now))
    await message.reply_html(to_html([(Span(texts.STATS_HEADER, bold=True),
                                       Span("\n" + "\n".join(lines)))]), do_quote=False)
    await _send_chart(message, services, now)


async def _send_chart(message: Message, services: Services, now: dt.datetime) -> None:
    """The 30-day chart (`bot.admin.stats_chart`) as a photo, its totals in the caption."""
    days = await services.counters.alast_days(now.astimezone(VIETNAM).date())
    png = await asyncio.to_thread(render_chart, days)
    caption = texts.chart_caption(sum(d.questions for d in days),
                                  sum(d.no_result for d in days),
                                  sum(d.sent for d in days), sum(d.failed for d in days))
    await message.reply_photo(png, caption=to_html([text_block(caption)]), do_quote=False,
                              filename="thong-ke-30-ngay.png")


@admin_only
async def subscribers_command(update: Update, context: Context) -> None:
    """``/subscribers``: every subscribed chat with its filters; stopped ones after."""
    message = update.message
    if message is None:
        return
    subscriptions = await context.bot_data.services.subscriptions.aall()
    active = [s for s in subscriptions if s.active]
    stopped = [s for s in subscriptions if not s.active]
    blocks: list[Block] = [(Span(f"{texts.SUBSCRIBERS_HEADER} ({len(active)})", bold=True),)]
    if not subscriptions:
        blocks.append(text_block(texts.NO_SUBSCRIBERS))
    blocks += [text_block(texts.subscriber_line(
        s.title or texts.PRIVATE_CHAT, s.chat_id, [KIND_LABELS[k] for k in s.filters.kinds],
        list(s.filters.keywords), s.thread_id)) for s in active]
    if stopped:
        blocks.append((Span(f"{texts.INACTIVE_HEADER} ({len(stopped)})", bold=True),))
        blocks += [text_block(texts.inactive_line(s.title or texts.PRIVATE_CHAT, s.chat_id,
                                                  s.reason)) for s in stopped]
    await _send_blocks(message, blocks)


# -- /broadcast ----------------------------------------------------------------------------
@admin_only
async def broadcast_command(update: Update, context: Context) -> None:
    """``/broadcast <text>``: a draft announcement, sent only after "Gửi" is pressed."""
    message = update.message
    if message is None or update.effective_user is None:
        return
    command = command_of(message)
    text = command[2] if command else ""
    if not text:
        await message.reply_html(to_html([text_block(texts.BROADCAST_USAGE)]))
        return
    if utf16_len(text) > MAX_ANNOUNCEMENT_CHARS:
        await message.reply_html(to_html([text_block(
            texts.broadcast_too_long(MAX_ANNOUNCEMENT_CHARS))]))
        return
    services = context.bot_data.services
    # The admin's own formatting (bold, italic, links) is kept: Telegram checked it as
    # entities already, and text_html renders exactly those.
    html = SEPARATOR.join((to_html([(Span(texts.ANNOUNCEMENT_HEADER, bold=True),)]),
                           command_argument_html(message)))
    item_id = await services.ledger.acreate_announcement(html, update.effective_user.id)
    active, _ = await services.subscriptions.acounts()
    await message.reply_html(to_html([text_block(texts.broadcast_confirm(active))]),
                             do_quote=False)
    await message.reply_html(html, reply_markup=announcement_keyboard(item_id), do_quote=False)


async def confirm_announcement(update: Update, context: Context,
                               request: AnnouncementRequest) -> None:
    """The "Gửi" / "Hủy" buttons under a draft announcement (admins only)."""
    query = update.callback_query
    if query is None or query.message is None:
        return
    services = context.bot_data.services
    if query.from_user.id not in services.settings.admin_ids:
        logger.warning("refused an announcement button from user %s", query.from_user.id)
        await query.answer(texts.ADMIN_ONLY, show_alert=True)
        return
    if request.send:
        queued = await services.ledger.aqueue_announcement(request.item_id)
        note = None if queued is None else texts.broadcast_queued(queued)
        if queued:
            services.broadcaster.wake()
            logger.info("announcement %s queued for %d chats", request.item_id, queued)
    else:
        cancelled = await services.ledger.acancel_announcement(request.item_id)
        note = texts.BROADCAST_CANCELLED if cancelled else None
    await query.answer(note or texts.BROADCAST_DONE_BEFORE)
    if note is not None:
        html = await services.ledger.aitem_html(request.item_id) or ""
        try:
            await context.bot.edit_message_text(
                f"{html}\n\n{to_html([text_block(note)])}",
                chat_id=query.message.chat.id, message_id=query.message.message_id)
        except TelegramError as error:
            logger.warning("could not update the announcement message: %s", error)


# -- /preview ------------------------------------------------------------------------------
def _find_articles(services: Services, text: str) -> list[Article]:
    """By article id or key, else by document number (newest first)."""
    searcher = services.searcher
    exact = searcher.article(text) or services.article_for_key(text)
    if exact is not None:
        return [exact]
    refs = find_references(text, shorthand=True)
    if not refs:
        return []
    found = [a for a in searcher.articles if a.directive is not None
             and any(ref.same_document(a.directive) for ref in refs)]
    return sorted(found, key=lambda a: (a.published or dt.date.min, a.id), reverse=True)


@admin_only
async def preview_command(update: Update, context: Context) -> None:
    """``/preview <article id or document number>``: the card subscribers would get."""
    message = update.message
    if message is None:
        return
    command = command_of(message)
    text = command[2] if command else ""
    if not text:
        await message.reply_html(to_html([text_block(texts.PREVIEW_USAGE)]))
        return
    articles = _find_articles(context.bot_data.services, text.strip())
    if not articles:
        await message.reply_html(to_html([text_block(texts.PREVIEW_NOT_FOUND)]))
        return
    article = articles[0]
    notes = []
    if len(articles) > 1:
        notes.append(texts.preview_matches(len(articles)))
    if not article.is_directive:
        notes.append(texts.PREVIEW_NOT_DIRECTIVE)
    if notes:
        await message.reply_html(to_html([text_block(n) for n in notes]), do_quote=False)
    summary = await asyncio.to_thread(summary_of, article)
    await message.reply_html(directive_html(article, summary), do_quote=False,
                             reply_markup=directive_keyboard(context.bot.username, article))
