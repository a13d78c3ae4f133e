"""`redact_url`: what a log line or report may show of a feed address."""

import pytest

from corpus.ingest.urls import redact_url


@pytest.mark.parametrize(("url", "shown"), [
    ("https://user:pass@example.vn/rss", "https://REDACTED@example.vn/rss"),
    ("https://token@example.vn:8443/rss", "https://REDACTED@example.vn:8443/rss"),
    ("https://example.vn/rss?token=abc&lang=vi", "https://example.vn/rss?token=REDACTED&lang=vi"),
    ("https://example.vn/rss?API_KEY=abc", "https://example.vn/rss?API_KEY=REDACTED"),
    ("https://example.vn/rss?key=a&sig=b&access_token=c&x=1",
     "https://example.vn/rss?key=REDACTED&sig=REDACTED&access_token=REDACTED&x=1"),
    ("https://example.vn/tin/a.html?id=7", "https://example.vn/tin/a.html?id=7"),
    ("https://example.vn/rss", "https://example.vn/rss"),
    ("", ""),
    ("http://[::1", "http://[::1"),
])
def test_redact_url(url, shown):
    assert redact_url(url) == shown


def test_redact_url_keeps_no_secret_in_odd_spellings():
    for url in ("https://u:p%40ss@example.vn/rss#frag", "http://a:SECRET@[::1/x",
                "https://example.vn/rss?a=1&token=SECRET&token=SECRET2"):
        assert "SECRET" not in redact_url(url) and "p%40ss" not in redact_url(url)
