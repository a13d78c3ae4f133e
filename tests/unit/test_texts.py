"""The texts catalogue: every text renders, in one spelling convention.

Issue 10: the bot mixed "hủy" (tone on the first vowel, kiểu cũ) with "khoá"/"xoá" (kiểu
mới). The bot writes kiểu cũ throughout, the placement `corpus.normalize.canonical_tones`
produces and most of the corpus uses, so a text is in the convention exactly when
canonical placement leaves it unchanged.
"""

from __future__ import annotations

import datetime as dt
import inspect
import re
import unicodedata

import pytest

from bot.platform import texts
from bot.platform.cards import text_block
from bot.platform.render import to_html
from corpus.normalize import canonical_tones

SAMPLE_ARGUMENTS = {int: 3, float: 2.5, str: "thuế", dt.date: dt.date(2020, 8, 15),
                    bool: True}


def catalogue_strings() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for name in texts.__all__:
        value = getattr(texts, name)
        if isinstance(value, str):
            found.append((name, value))
        elif isinstance(value, dict):
            found += [(f"{name}[{key}]", text) for key, text in value.items()
                      if isinstance(text, str)]
        elif callable(value):
            rendered = render(name, value)
            if rendered is not None:
                found.append((name, rendered))
    return found


def render(name: str, function) -> str | None:
    """Call a text function with sample arguments of its annotated types."""
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return None
    arguments: list[object] = []
    keywords: dict[str, object] = {}
    hints = inspect.get_annotations(function, eval_str=True)
    for parameter in parameters:
        if parameter.default is not inspect.Parameter.empty:
            continue
        kind = hints.get(parameter.name)
        if kind not in SAMPLE_ARGUMENTS:
            return None  # takes structured values: rendered by the handlers' own tests
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY:
            keywords[parameter.name] = SAMPLE_ARGUMENTS[kind]
        else:
            arguments.append(SAMPLE_ARGUMENTS[kind])
    result = function(*arguments, **keywords)
    return result if isinstance(result, str) else None


STRINGS = catalogue_strings()


def test_the_catalogue_is_read_whole():
    assert len(STRINGS) > 80
    assert any(name == "HOI_USAGE" for name, _ in STRINGS)


@pytest.mark.parametrize(("name", "text"), STRINGS, ids=[name for name, _ in STRINGS])
def test_every_text_renders_and_keeps_one_tone_placement(name, text):
    assert text.strip(), name
    assert unicodedata.is_normalized("NFC", text), name
    assert canonical_tones(text) == text, f"{name}: write {canonical_tones(text)!r}"
    assert to_html([text_block(text)])  # renders as a message


def test_the_bot_speaks_of_itself_in_one_voice():
    # Issue 10: some texts said "Tôi", others "bot"; buttons must say "bot" ("Hỏi bot"), so
    # the bot is "bot" everywhere and the user is "bạn".
    offenders = [name for name, text in STRINGS if re.search(r"(?<!\w)tôi(?!\w)", text, re.I)]
    assert offenders == []


def test_buttons_say_what_they_do():
    # "Đọc toàn văn" promised the legal document's full text; the button shows the news
    # article in the chat (a callback, `bot.platform.keyboards.card_keyboard`).
    assert "toàn văn" not in texts.READ_FULL.lower()
    assert "bài" in texts.READ_FULL and "bài" in texts.OPEN_IN_BOT
    assert texts.PREVIOUS.endswith("Trang trước") and texts.MORE.startswith("Trang sau")


def test_the_group_admin_refusal_reads_as_a_rule():
    # "Chỉ quản trị viên ... mới đăng ký" lacked its verb of permission.
    assert texts.SUBSCRIBE_ADMINS_ONLY.startswith("Chỉ quản trị viên của nhóm mới được ")
