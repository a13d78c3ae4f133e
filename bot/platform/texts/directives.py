"""Directive cards: headings, issuers and the follow-up hint."""

from __future__ import annotations

import datetime as dt

from bot.platform.texts.common import article_date_label

__all__ = [
    "ASK_ABOUT_DIRECTIVE",
    "ISSUER_NAMES",
    "NEW_DIRECTIVE",
    "NEW_DIRECTIVE_UNKNOWN",
    "directive_hint",
    "issuer_label",
    "published_label",
]

NEW_DIRECTIVE = "Văn bản mới"
# The card's date is the news article's, not the document's own date of issue, which the
# text does not reliably give: the label says which date it is.
PUBLISHED = "Ngày đăng tin"
NEW_DIRECTIVE_UNKNOWN = "văn bản"
ASK_ABOUT_DIRECTIVE = "💬 Hỏi bot về văn bản này"
ISSUER_NAMES: dict[str, str] = {
    "TCHQ": "Tổng cục Hải quan",
    "CHQ": "Cục Hải quan",
    "BTC": "Bộ Tài chính",
    "CP": "Chính phủ",
    "TTg": "Thủ tướng Chính phủ",
    "QH": "Quốc hội",
    "UBTVQH": "Ủy ban Thường vụ Quốc hội",
    "VPCP": "Văn phòng Chính phủ",
    "BCT": "Bộ Công Thương",
    "TCT": "Tổng cục Thuế",
    "NHNN": "Ngân hàng Nhà nước",
    "BKHĐT": "Bộ Kế hoạch và Đầu tư",
    "BNNPTNT": "Bộ Nông nghiệp và Phát triển nông thôn",
    "BYT": "Bộ Y tế",
    "BGTVT": "Bộ Giao thông vận tải",
    "BTNMT": "Bộ Tài nguyên và Môi trường",
    "BLĐTBXH": "Bộ Lao động - Thương binh và Xã hội",
    "BQP": "Bộ Quốc phòng",
    "BCA": "Bộ Công an",
    "HQHP": "Cục Hải quan Hải Phòng",
    "HQHN": "Cục Hải quan Hà Nội",
    "HQHCM": "Cục Hải quan TP. Hồ Chí Minh",
}


def issuer_label(code: str) -> str:
    """"Tổng cục Hải quan (TCHQ)"; an unknown code as it is."""
    name = ISSUER_NAMES.get(code)
    return f"{name} ({code})" if name else f"Cơ quan ban hành: {code}"


def directive_hint(label: str) -> str:
    """Under an article card opened from a directive card: what to ask next."""
    return f"Bạn có thể hỏi tiếp về văn bản này, ví dụ: «{label} quy định gì?»"


def published_label(day: dt.date, source: str = "") -> str | None:
    """The card's date line: which date it is, then the date (None: nothing to show)."""
    shown = article_date_label(day, source)
    return f"{PUBLISHED}: {shown}" if shown else None
