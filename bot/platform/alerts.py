"""Alerts to the admins: what went wrong without them, told once, never a flood.

Four paths raise alerts, each where it handles its trouble: an unhandled error
(`bot.platform.error_handler`), a failed automatic reload
(`bot.admin.commands.reload_job`, the reload after a scheduled ingest in
`bot.admin.ingest`), a feed failing round after round
(`bot.admin.ingest_report.admin_notes`), a chat that stopped receiving broadcasts
(`bot.directives.broadcast.Broadcaster`). They all go through one `AdminAlerts`
(``services.alerts``), which:

- sends each alert to every admin's private chat (`notify_admins`); an admin who
  blocked the bot or never opened a chat with it is logged and skipped;
- deduplicates by ``(kind, key)`` within `DEDUP_WINDOW` (a reload failing at every tick
  of the watcher is one alert, not one a minute); `resolve` forgets a key once its
  trouble is over, so the next failure is told again;
- sends at most `PER_HOUR` alerts in any hour; the ones held back are counted, logged and
  mentioned in the next alert that goes out (they are not marked as sent: a trigger that
  fires again once the hour has room is told then);
- scrubs every text of the bot token, the webhook secret and anything token-shaped
  (`bot.platform.logs.redact`), and raises nothing into its caller.

What goes *into* an alert is the callers' business, and they keep users' messages out:
an unhandled error is described by its type, where it was raised, the update kind and the
chat id (`bot.platform.texts.unhandled_error`), never by the exception's message.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.platform import texts
from bot.platform.cards import text_block
from bot.platform.logs import REDACTED, redact
from bot.platform.render import pack, to_html

__all__ = ["DEDUP_WINDOW", "PER_HOUR", "AdminAlerts", "Alert", "notify_admins"]

logger = logging.getLogger(__name__)

DEDUP_WINDOW = 6 * 3600.0  # seconds: the same alert again after this at the earliest
PER_HOUR = 10  # alerts (not messages: each goes to every admin) in any 60 minutes
_HOUR = 3600.0


@dataclass(frozen=True, slots=True)
class Alert:
    """One alert: `kind` and `key` say what it is about (for deduplication), `text` is
    the Vietnamese sentence (plain text)."""

    kind: str
    key: str
    text: str


async def notify_admins(bot: Bot, admin_ids: Iterable[int], text: str) -> int:
    """Post `text` (plain) to every admin's private chat; returns how many got it.

    An admin who never opened a chat with the bot, or blocked it, cannot be written to
    (403); that is logged and skipped, as is any other refusal. Never raises a
    `TelegramError`.
    """
    delivered = 0
    for chunk in pack([text_block(texts.admin_note(redact(text)))]):
        html = to_html(chunk)
        for admin_id in sorted(admin_ids):
            try:
                await bot.send_message(admin_id, html, parse_mode=ParseMode.HTML)
                delivered += 1
            except TelegramError as error:
                logger.warning("could not notify admin %s: %s", admin_id, error)
    return delivered


class AdminAlerts:
    """The bot's one way of alerting its admins (see the module docstring)."""

    def __init__(self, admin_ids: Iterable[int], *, secrets: Iterable[str | None] = (),
                 clock: Callable[[], float] = time.monotonic,
                 window: float = DEDUP_WINDOW, per_hour: int = PER_HOUR) -> None:
        """Nothing is sent until `bind` gives the bot to send with.

        `secrets`: exact strings to scrub besides token-shaped ones (the configured
        token, the webhook secret). `clock`: seconds, monotonic (tests pass their own).
        """
        self.admin_ids = frozenset(admin_ids)
        self._secrets = tuple(s for s in secrets if s)
        self._clock = clock
        self.window = window
        self.per_hour = per_hour
        self._bot: Bot | None = None
        self._seen: dict[tuple[str, str], float] = {}
        self._sent: deque[float] = deque()
        self._held: set[tuple[str, str]] = set()

    def bind(self, bot: Bot) -> None:
        """Send with `bot` from now on (the application's, by `build_application`)."""
        self._bot = bot

    def scrub(self, text: str) -> str:
        """`text` without the configured secrets or anything shaped like a bot token."""
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return redact(text)

    def resolve(self, kind: str, key: object = None) -> None:
        """The trouble is over (a feed is back, a reload worked): the next alert of this
        kind and key (any key, when None) is sent even within the window."""
        if key is None:
            self._seen = {k: t for k, t in self._seen.items() if k[0] != kind}
        else:
            self._seen.pop((kind, str(key)), None)

    async def send(self, alert: Alert) -> bool:
        """`alert` (see `alert`)."""
        return await self.alert(alert.kind, alert.key, alert.text)

    async def alert(self, kind: str, key: object, text: str) -> bool:
        """Tell every admin `text`, unless told within the window or the hour is full.

        Returns whether it was sent. Never raises (but `asyncio.CancelledError`).
        """
        ident = (kind, str(key))
        try:
            now = self._clock()
            self._forget(now)
            if ident in self._seen:
                logger.info("alert %s/%s already sent within %.0f h", kind, ident[1],
                            self.window / 3600)
                return False
            bot = self._bot
            if bot is None or not self.admin_ids:
                logger.warning("alert %s/%s not sent: %s", kind, ident[1],
                               "no bot bound" if bot is None else "no admin ids configured")
                return False
            if len(self._sent) >= self.per_hour:
                self._held.add(ident)
                logger.warning("alert %s/%s held back: %d alerts sent in the last hour "
                               "(%d held back)", kind, ident[1], len(self._sent),
                               len(self._held))
                return False
            # Marked before the first await: a second trigger meanwhile is a duplicate.
            self._seen[ident] = now
            self._sent.append(now)
            held = len(self._held - {ident})
            self._held.clear()
            body = self.scrub(text)
            if held:
                body += "\n" + texts.alerts_held_back(held)
            delivered = await notify_admins(bot, self.admin_ids, body)
        except Exception:  # a bug here must not turn one error into two
            logger.exception("could not send alert %s/%s", kind, ident[1])
            return False
        logger.info("alert %s/%s sent to %d of %d admins", kind, ident[1], delivered,
                    len(self.admin_ids))
        return True

    def _forget(self, now: float) -> None:
        while self._sent and now - self._sent[0] >= _HOUR:
            self._sent.popleft()
        if any(now - t >= self.window for t in self._seen.values()):
            self._seen = {k: t for k, t in self._seen.items() if now - t < self.window}
