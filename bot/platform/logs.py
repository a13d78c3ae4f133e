"""Logging set-up for the command line, with bot tokens kept out of every line.

python-telegram-bot's HTTP client (httpx) logs each request URL at INFO, and Bot API URLs
contain the token (``…/bot<token>/sendMessage``). Three guards:

1. the ``httpx`` and ``httpcore`` loggers stay at WARNING;
2. a `RedactingFilter` on every root handler replaces anything shaped like a token, and
   each secret registered with `protect`, in the message and the traceback;
3. settings keep the token out of their ``repr``.

User text is logged at DEBUG only (see the handlers).
"""

from __future__ import annotations

import logging
import re
import threading

__all__ = ["REDACTED", "RedactingFilter", "configure_logging", "protect", "redact"]

REDACTED = "<redacted>"
# A bot token: the bot's numeric id, a colon, 30+ URL-safe characters (real ones have 35).
_TOKEN_SHAPE = re.compile(r"\d{3,}:[A-Za-z0-9_-]{30,}")


class RedactingFilter(logging.Filter):
    """Rewrites records so that no registered secret or token-shaped string survives."""

    def __init__(self) -> None:
        """No secret known yet; token-shaped strings are redacted from the start."""
        super().__init__()
        self._secrets: tuple[str, ...] = ()
        self._lock = threading.Lock()

    def add(self, secret: str) -> None:
        """Redact `secret` from now on (empty strings are ignored)."""
        if secret:
            with self._lock:
                self._secrets = (*self._secrets, secret)

    def redact(self, text: str) -> str:
        """`text` without secrets."""
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return _TOKEN_SHAPE.sub(REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        """Format the message now, redacted; keep the record."""
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


_FILTER = RedactingFilter()


def configure_logging(level: int) -> None:
    """Root logging to stderr at `level`, redacted; HTTP and scheduler chatter at WARNING.

    ``force``: importing underthesea already called ``basicConfig`` (an import side
    effect), which would otherwise make this call a silent no-op.
    """
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        force=True)
    for handler in logging.getLogger().handlers:
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)
    for noisy in ("httpx", "httpcore", "apscheduler"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))


def protect(*secrets: str) -> None:
    """Redact these exact strings (the configured token, the webhook secret) everywhere."""
    for secret in secrets:
        _FILTER.add(secret)


def redact(text: str) -> str:
    """`text` without any registered secret or token-shaped string (for non-log output)."""
    return _FILTER.redact(text)
