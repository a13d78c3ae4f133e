"""The kinds of official document, in one table that every package reads.

A kind has an ASCII name (code, storage, callback data), the label readers know it by,
the words that name it in running text, the kind segments of its document codes
("5365/TCHQ-TXNK" is a công văn by its shape, "39/2018/TT-BTC" a thông tư by its "TT")
and the short prefix the analyser indexes numbers under ("#tt39"). Adding a kind is one
row here: the parser, the analyser, the subscription filters and the bot's buttons and
cards all follow.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DIRECTIVE_KINDS", "KINDS", "KIND_LABELS", "DocumentKind", "kind_named"]


@dataclass(frozen=True, slots=True)
class DocumentKind:
    """One kind of official document."""

    name: str  # "thong_tu"
    label: str  # "Thông tư"
    keywords: tuple[str, ...]  # folded words naming it in text: "thong tu", "thong tu lien tich"
    codes: tuple[tuple[str, str], ...]  # folded code segment and its spelling: ("tt", "TT")
    short: str  # the analyser's prefix for "#tt39"


# In the order the bot lists them (subscription buttons, filters).
KINDS: tuple[DocumentKind, ...] = (
    DocumentKind("chi_thi", "Chỉ thị", ("chi thi",), (("ct", "CT"),), "ct"),
    DocumentKind("cong_van", "Công văn", ("cong van", "cong dien", "van ban"),
                 (("cv", "CV"), ("cd", "CĐ")), "cv"),
    DocumentKind("thong_tu", "Thông tư", ("thong tu lien tich", "thong tu"),
                 (("tt", "TT"), ("ttlt", "TTLT")), "tt"),
    DocumentKind("nghi_dinh", "Nghị định", ("nghi dinh",), (("nd", "NĐ"),), "nd"),
    DocumentKind("quyet_dinh", "Quyết định", ("quyet dinh",), (("qd", "QĐ"),), "qd"),
    DocumentKind("nghi_quyet", "Nghị quyết", ("nghi quyet",), (("nq", "NQ"),), "nq"),
    DocumentKind("thong_bao", "Thông báo", ("thong bao",), (("tb", "TB"),), "tb"),
)

# Derived views, for the places that need one field.
KIND_LABELS: dict[str, str] = {kind.name: kind.label for kind in KINDS}
# Every kind is a directive: announced to the chats that subscribed.
DIRECTIVE_KINDS = frozenset(KIND_LABELS)
_BY_NAME = {kind.name: kind for kind in KINDS}


def kind_named(name: str) -> DocumentKind | None:
    """The kind with this ASCII name, if any."""
    return _BY_NAME.get(name)
