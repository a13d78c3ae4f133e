"""Page furniture: the lines of a news page a reader skips, which must never be quoted.

The republishing site keeps, inside the body, what sat around the story on the original
page: photo captions with their credit ("Doanh nghiệp làm thủ tục tại Cục Hải quan Long
An. Ảnh: Nguyễn Huế"), credit lines alone ("Ảnh minh họa: Internet"), links to other
stories ("Xem thêm: …", ">> Đọc thêm: …", "Tin liên quan"), download prompts ("Mời bạn
đọc tải về … TẠI ĐÂY.") and, at the end, the source or the reporter ("Theo TTXVN",
"Tuấn Phong (ghi)"). Quoted as an answer they read as noise, and a caption often repeats
a figure of the story out of its context.

Each rule is narrow on purpose: "Theo Công văn 1812/TCT-CS …:" opens a real paragraph,
and "Nguồn kinh phí …" is a sentence, so "Theo"/"Nguồn" lines count as credits only at
the end of the article, short, without figures, and not opening a list. Everything here
works on one cleaned, normalised line.
"""

from __future__ import annotations

import re

__all__ = [
    "CAPTION_MAX_CHARS",
    "FURNITURE_MAX_CHARS",
    "furniture_kind",
    "strip_credit",
    "trailing_kind",
]

# Longer than this, a line ending in a photo credit is prose the site appended a credit
# to: the credit goes, the prose stays. Captions measured on the corpus: 90 % are under
# 150 characters, 99 % under 215.
CAPTION_MAX_CHARS = 250
# No furniture line is longer than this. A regular expression holds the interpreter lock
# for its whole search, so one run over a megabyte-long line (a pasted page, ingested)
# would stall every other thread, the bot's answers included, for a tenth of a second or
# more; lines are therefore only searched where furniture can be: short lines whole, long
# ones in their last `_TAIL_CHARS` characters (a credit is at most about 110).
FURNITURE_MAX_CHARS = 400
_TAIL_CHARS = 200
# Every rule below needs one of these (lower case): a line without any is story, and the
# parser, which runs beside the bot's answers, skips the expressions for it. Each rule's
# own words are listed; `tests/unit/test_furniture.py` checks every example against both.
_MARKERS = ("ảnh", "xem", "đọc thêm", "liên quan", "chuyên mục", "quan tâm", "tải",
            "download", ">>", "»", "►", "video", "clip", "đồ", "infographic")

# Written capitalised, as the site does: "chụp ảnh: …" inside a sentence is no credit.
_PHOTO = (r"(?:(?:Ảnh|ẢNH|ảnh)(?:\s+minh\s+họa|\s+minh\s+hoạ)?|Nguồn\s+ảnh|Trong\s+ảnh|"
          r"Ảnh\s+chụp)")
# Where a credit starts: after a sentence end or a space ("… . Ảnh: VGP/Thành Chung",
# "….Ảnh: N.Linh"), inside a bracket ("… (Ảnh: THY THƠ).") or after a dash ("… – Ảnh:
# Internet"); lower-case "ảnh" only after a bracket or a dash.
_CREDIT_START = (r"(?:(?:(?<=[.!?…])\s*|\s+)(?=[ẢNT])|\s*[(\[]\s*|\s+[–—-]\s+)"
                 rf"{_PHOTO}\s*:\s*")
# A credit at the end of prose: a name, initials with dots ("T.Bình", "Q.H"), at most one
# bracket ("Hải Âu (CBCC Hải quan Hữu Nghị)").
_CREDIT_TAIL = re.compile(
    rf"{_CREDIT_START}(?:[^.:!?()\[\]]|\.(?=\S)){{1,50}}(?:\([^()]{{1,40}}\))?"
    r"[)\]]?\s*\.?\s*$"
)
# In a caption the credit may describe the photo at length ("Ảnh: Người dân chung cư …").
_CAPTION = re.compile(rf"{_CREDIT_START}.{{1,160}}$")
# A line that is only a credit: "Ảnh: ST", "(Ảnh minh họa)", "Ảnh minh họa- nguồn Internet".
# The word must end there: "Ảnh hưởng của tỷ giá" (influence) is a heading of the story.
_CREDIT_LINE = re.compile(
    rf"^[(\[]?\s*(?:{_PHOTO}|video|clip|đồ\s+họa|infographic)(?:\s*[:.\-–)\]]|$)"
    r"(?:[^.!?]|\.(?=\S)){0,60}[)\]]?\.?$",
    re.IGNORECASE,
)
_RELATED = re.compile(
    r"^\W{0,4}(?:xem\s+thêm|đọc\s+thêm|tin\s+liên\s+quan|bài\s+liên\s+quan|tin\s+cùng\s+"
    r"chuyên\s+mục|có\s+thể\s+bạn\s+quan\s+tâm|tin\s+bài\s+liên\s+quan)\b",
    re.IGNORECASE,
)
# "Chi tiết xem thêm: Cách lập chứng từ …", "các bạn có thể xem thêm: Cách viết hóa đơn",
# "Mời bạn đọc xem thêm:": a pointer to another story, its title after the colon.
_SEE_ALSO = re.compile(
    r"\b(?:xem|đọc)\s+thêm(?:\s+tại\s+đây)?(?:\s+nhé)?\s*:\s*[^.!?]{0,120}$"
    r"|^mời\s+(?:bạn\s+đọc|các\s+bạn|bạn|quý\s+vị)\s+(?:đọc|xem)\s+thêm\b",
    re.IGNORECASE,
)
# ">> Có nên học ngành kế toán…?", "► Mẫu bảng lương": a link to another story. Not "=>"
# or "->": in worked examples they lead a result ("=> Thuế TNDN phải nộp là: …").
_ARROW_LINK = re.compile(r"^(?:>>|»|►)\s*\S")
# One sentence offering a download, ending "… tại đây": "Mời bạn đọc tải về … TẠI ĐÂY.",
# "Các bạn có thể tải về mẫu … tại đây", "Download Phần mềm HTKK 4.2.1 tại đây:".
_DOWNLOAD = re.compile(
    r"^[^.!?]{0,60}?\b(?:tải|download)\b[^.!?]{0,200}\btại\s+đây\b(?:\s+nhé)?(?:\s*:\s*[^.!?]{0,80})?"
    r"\W*$",
    re.IGNORECASE,
)
# At the end only: "Theo TTXVN", "(Theo Báo Hải quan)", "Nguồn: VnExpress".
_SOURCE = re.compile(r"^[(\[]?\s*(?:theo|nguồn)\s*:?\s+(?P<name>[^\d:;!?]{2,60}?)[)\]]?\.?$",
                     re.IGNORECASE)
# At the end only: a reporter's name, "N.Linh", "Quang Hùng - Hải Yến", "Tuấn Phong (ghi)".
_ROLE = re.compile(r"\s*\((?:ghi|tổng\s+hợp|lược\s+dịch|dịch|theo\s+[^)]{1,40})\)\s*\.?$",
                   re.IGNORECASE)
_NAMES = re.compile(r"\s*[-–,&]\s*")


def _is_byline(line: str) -> bool:
    """Names only: one to four capitalised words each, at most three names."""
    names = _NAMES.split(_ROLE.sub("", line).rstrip(" ."))
    if not 1 <= len(names) <= 3:
        return False
    for name in names:
        words = name.replace(".", ". ").split()
        if not 1 <= len(words) <= 4 or not all(
            w[0].isupper() and w.replace(".", "").isalpha() for w in words
        ):
            return False
    return True

def furniture_kind(line: str) -> str | None:
    """What furniture `line` is, anywhere in an article: "caption", "credit",
    "related", "download", or None for a line of the story."""
    if len(line) > FURNITURE_MAX_CHARS:  # furniture is short; and see `_TAIL_CHARS`
        return None
    lower = line.lower()
    if not any(marker in lower for marker in _MARKERS):  # most lines: no regex at all
        return None
    if _RELATED.match(line) or _ARROW_LINK.match(line) or _SEE_ALSO.search(line):
        return "related"
    if _DOWNLOAD.match(line):
        return "download"
    if len(line) <= 80 and _CREDIT_LINE.match(line):
        return "credit"
    if len(line) <= CAPTION_MAX_CHARS and _CAPTION.search(line):
        return "caption"
    return None


def strip_credit(line: str) -> str:
    """`line` without a photo credit at its end (prose longer than a caption)."""
    start = max(0, len(line) - _TAIL_CHARS)
    if "ảnh" not in line[start:].lower():
        return line
    found = _CREDIT_TAIL.search(line, start)
    return line[: found.start()].rstrip() if found else line


def trailing_kind(line: str) -> str | None:
    """What furniture `line` is when it ends the article: "source", "byline" or None."""
    if len(line) > 70 or line.endswith(":"):
        return None
    source = _SOURCE.match(line)
    if source and len(source.group("name").split()) <= 6:
        return "source"
    if _is_byline(line):
        return "byline"
    return None
