"""The bot's search call works out the shown page's sentences and highlights on the
search thread, so the event loop only formats (a real `Services` and searcher)."""

from __future__ import annotations

import pytest
from support.bot_harness import make_settings

from bot.chat.answering import search
from bot.platform.cards import PAGE_SIZE
from bot.platform.state import Services

pytestmark = pytest.mark.e2e


async def test_the_page_to_show_is_explained_before_the_search_returns(fake, searcher, tmp_path):
    services = Services.create(make_settings(fake, tmp_path), searcher)
    try:
        hits = await services.search("thủ tục hải quan", 12, slice(3, 6))
        assert len(hits) > 6
        assert [h.explanation.resolved for h in hits] == [3 <= i < 6 for i in range(len(hits))]
        first = await search(services, "thủ tục hải quan")  # a new answer: page one
        assert [h.explanation.resolved for h in first] == [
            i < PAGE_SIZE for i in range(len(first))]
    finally:
        services.close()
