"""One table of document kinds (`corpus.kinds`) that the parser, the analyser and the
bot all read: a kind's row is all it takes for every package to know it."""

from __future__ import annotations

import pytest

from bot.platform.keyboards import settings_keyboard
from corpus import KIND_LABELS, KINDS, find_references, kind_from_text
from retrieval import analyze

CASES = [(kind, code, spelling) for kind in KINDS for code, spelling in kind.codes]


@pytest.mark.parametrize(("kind", "code", "spelling"), CASES,
                         ids=[f"{k.name}-{c}" for k, c, _ in CASES])
def test_every_kind_is_found_by_its_words_and_its_code(kind, code, spelling):
    text = f"{kind.label} số 15/2020/{spelling}-BTC hướng dẫn thủ tục"
    assert [r.kind for r in find_references(text)] == [kind.name]
    assert kind_from_text(f"{kind.label} mới") == kind.name
    assert f"#{kind.short}15" in analyze(text).ids


def test_the_labels_and_the_bot_follow_the_table():
    assert list(KIND_LABELS) == [kind.name for kind in KINDS]
    assert len({kind.short for kind in KINDS}) == len(KINDS)
    # The subscription settings offer one button per kind, labelled from the table.
    markup = settings_keyboard((), active=True)
    labels = " ".join(b.text for row in markup.inline_keyboard for b in row)
    assert all(kind.label in labels for kind in KINDS)
