"""Tokens never reach a log line, whatever logs them."""

import logging

import pytest

from bot.platform.logs import REDACTED, RedactingFilter

TOKEN = "7654321:AAHfakeTokenValue_with-35-characters-x"  # noqa: S105 - made up


@pytest.fixture
def logged():
    records: list[str] = []
    redactor = RedactingFilter()
    redactor.add("webhook-secret-value")

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(self.format(record))

    handler = Keep()
    handler.addFilter(redactor)
    logger = logging.getLogger("test.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    yield logger, records
    logger.removeHandler(handler)


def test_urls_with_the_token_are_redacted(logged):
    logger, records = logged
    logger.warning("HTTP Request: POST https://api.telegram.org/bot%s/getMe", TOKEN)
    logger.warning("secret %s in %s", "webhook-secret-value", {"x": TOKEN})
    assert TOKEN not in "".join(records) and "webhook-secret-value" not in "".join(records)
    assert records[0] == f"HTTP Request: POST https://api.telegram.org/bot{REDACTED}/getMe"


def test_tracebacks_are_redacted_too(logged):
    logger, records = logged
    def fail() -> None:
        raise RuntimeError(f"failed on /bot{TOKEN}/sendMessage")

    try:
        fail()
    except RuntimeError:
        logger.exception("boom")
    assert TOKEN not in records[0] and REDACTED in records[0]
