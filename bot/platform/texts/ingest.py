"""The news ingest in the bot: ``/ingest`` replies, notes to the admins, the /stats line.

Reason codes come from `corpus.ingest.REASONS` (ASCII, with an English gloss);
`INGEST_REASONS` words each of them for the admins. Times are passed in already
converted to Vietnam time and formatted.
"""

from __future__ import annotations

from bot.platform.texts.admin import RELOAD_HEADER_OK, reload_broadcast
from bot.platform.texts.common import number, seconds_label

__all__ = [
    "FAILED_FEEDS_HEADER",
    "INGEST_BUSY",
    "INGEST_HEADER",
    "INGEST_NOTHING_NEW",
    "INGEST_NO_FEEDS",
    "INGEST_REASONS",
    "LAST_INGEST_NEVER",
    "NEW_ARTICLES_HEADER",
    "SKIPPED_ENTRIES_HEADER",
    "UNANNOUNCED_HEADER",
    "card_failed_note",
    "feed_alert",
    "feed_failure_line",
    "feed_recovered",
    "ingest_failed",
    "ingest_reload_failed",
    "ingest_reloaded",
    "ingest_started",
    "ingest_summary",
    "last_ingest_line",
    "more_items",
    "new_article_line",
    "reason_label",
    "skipped_entry_line",
]

INGEST_REASONS: dict[str, str] = {
    "refused_url": "địa chỉ bị từ chối (không phải http(s) hoặc là địa chỉ nội bộ)",
    "private_address": "tên miền trỏ tới địa chỉ nội bộ (loopback, mạng riêng…), không tải",
    "timeout": "quá thời gian chờ phản hồi",
    "too_large": "dữ liệu vượt quá dung lượng cho phép",
    "redirects": "chuyển hướng quá nhiều lần",
    "http_status": "máy chủ trả về mã lỗi",
    "network": "không kết nối được",
    "not_feed": "không phải nguồn RSS hay Atom",
    "no_link": "mục tin không có đường dẫn",
    "not_html": "không phải trang HTML",
    "bad_html": "trang HTML không đọc được",
    "empty_extraction": "không tìm thấy nội dung chính",
    "not_article": "quá ít chữ, có lẽ là trang danh mục",
    "not_vietnamese": "không phải tiếng Việt",
    "duplicate_url": "đã có trong dữ liệu (trùng địa chỉ)",
    "duplicate_content": "đã có trong dữ liệu (trùng nội dung, khác địa chỉ)",
    "unparseable": "bài trích ra không đọc lại được",
    "name_conflict": "tên tệp đã bị bài khác dùng",
    "write_failed": "không ghi được tệp",
    "internal_error": "lỗi ngoài dự kiến (xem nhật ký)",
}

INGEST_BUSY = "Đang có một lượt lấy tin chạy; vui lòng chờ lượt này xong rồi thử lại."
INGEST_NO_FEEDS = (
    "Chưa có nguồn tin nào. Thêm bằng /feeds add <địa chỉ RSS/Atom>, gửi tệp OPML cho bot, "
    "hoặc khai báo bằng biến môi trường HAIQUAN_FEEDS (cờ --feed URL của lệnh haiquan-bot "
    "run). Thêm --ingest-every PHÚT (HAIQUAN_INGEST_EVERY) để bot tự lấy tin định kỳ."
)
INGEST_HEADER = "📥 Lấy tin xong"
NEW_ARTICLES_HEADER = "Bài mới"
FAILED_FEEDS_HEADER = "Nguồn lỗi"
SKIPPED_ENTRIES_HEADER = "Mục bị bỏ qua"
INGEST_NOTHING_NEW = "Không có bài mới, không cần nạp lại dữ liệu."
LAST_INGEST_NEVER = "Lấy tin: chưa chạy lần nào"
UNANNOUNCED_HEADER = "Văn bản mới chưa gửi được (lỗi tạo thẻ, sẽ thử lại lần nạp sau)"


def card_failed_note(article_id: str) -> str:
    """To the admins: a new directive's card could not be made; the others went out."""
    return (f"⚠️ Không tạo được thẻ thông báo cho văn bản mới {article_id}: chưa gửi cho "
            "người đăng ký (các văn bản khác vẫn được gửi). Bài vẫn dùng để trả lời; bot sẽ "
            "thử lại ở lần nạp dữ liệu sau. Chi tiết trong nhật ký.")


def reason_label(code: str) -> str:
    """A reason code in words; an unknown code as it is."""
    return INGEST_REASONS.get(code, code)


def ingest_started(feeds: int) -> str:
    """The reply to /ingest before the round runs."""
    return f"⏳ Đang lấy tin từ {number(feeds)} nguồn…"


def ingest_summary(*, seconds: float, checked: int, not_modified: int, failed: int,
                   deferred: int, new: int, skipped: int) -> str:
    """The counts of a round, under `INGEST_HEADER`."""
    feeds = (f"Nguồn tin đã kiểm tra: {number(checked)} (không đổi: {number(not_modified)}, "
             f"lỗi: {number(failed)}")
    feeds += f", đang tạm hoãn: {number(deferred)})" if deferred else ")"
    return (f"{feeds}\nBài mới: {number(new)}; mục bị bỏ qua: {number(skipped)}\n"
            f"Thời gian: {seconds_label(seconds)}")


def new_article_line(title: str, article_id: str) -> str:
    """One new article: its title and its file."""
    return f"• {title} ({article_id})" if title else f"• {article_id}"


def feed_failure_line(url: str, reason: str, failures: int, deferred: bool) -> str:
    """A feed that gave nothing usable this round (`reason` already in words)."""
    if deferred:
        return f"• {url}: tạm hoãn sau {number(failures)} lượt lỗi liên tiếp"
    return f"• {url}: {reason}; lỗi {number(failures)} lượt liên tiếp"


def skipped_entry_line(url: str, reason: str, will_retry: bool) -> str:
    """An entry that did not become an article (`reason` already in words)."""
    return f"• {url or '(không có đường dẫn)'}: {reason}" + (
        " — sẽ thử lại lượt sau" if will_retry else "")


def more_items(count: int) -> str:
    """Below a capped list."""
    return f"… và {number(count)} mục khác"


def ingest_reloaded(baseline: bool, queued: int, deliveries: int, repeated: int) -> str:
    """The reload that followed a round with new articles."""
    return f"{RELOAD_HEADER_OK}. {reload_broadcast(baseline, queued, deliveries, repeated)}"


def ingest_reload_failed(reason: str) -> str:
    """New files are written but the index could not be rebuilt."""
    return (f"❌ Bài mới đã được lưu nhưng nạp lại dữ liệu thất bại, bot vẫn dùng dữ liệu cũ "
            f"(lý do: {reason}). Gõ /reload để thử lại.")


def ingest_failed(reason: str) -> str:
    """The round could not run at all (corpus or data directory unusable)."""
    return f"❌ Không chạy được lượt lấy tin: {reason}"


def feed_alert(url: str, failures: int, error: str, next_attempt: str) -> str:
    """To the admins, once per outage of a feed."""
    return (f"⚠️ Nguồn tin {url} lỗi {number(failures)} lượt liên tiếp (lần cuối: {error}). "
            f"Bot sẽ thử lại lúc {next_attempt}.")


def feed_recovered(url: str) -> str:
    """To the admins, when a feed they were warned about works again."""
    return f"✅ Nguồn tin {url} đã hoạt động trở lại."


def last_ingest_line(*, when: str, age: str, new: int, failed: int, checked: int) -> str:
    """The last round, in /stats."""
    return (f"Lấy tin gần nhất: {when} (cách đây {age}): {number(new)} bài mới, "
            f"{number(failed)}/{number(checked)} nguồn lỗi")
