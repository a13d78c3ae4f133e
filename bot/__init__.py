"""The Telegram bot: glue between python-telegram-bot and `retrieval` (see `bot.platform.app`).

``PTB_TIMEDELTA`` makes python-telegram-bot 22 report ``retry_after`` as a timedelta
instead of warning about the int on every flood-control answer; it must be set before
``telegram`` is imported, hence here.
"""

import os

os.environ.setdefault("PTB_TIMEDELTA", "true")
