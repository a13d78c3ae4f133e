"""Texts of the operator's tools in the chat: the ``/stats`` chart and ``/feeds``."""

from __future__ import annotations

from bot.platform.texts.common import number

__all__ = [
    "CHART_BROADCASTS",
    "CHART_DAY",
    "CHART_FAILED",
    "CHART_FOUND",
    "CHART_NOTHING",
    "CHART_NOTHING_SHARE",
    "CHART_QUESTIONS",
    "CHART_SENT",
    "CHART_TITLE",
    "FEEDS_EMPTY",
    "FEEDS_EXPORT_CAPTION",
    "FEEDS_HEADER",
    "FEEDS_NEVER_FETCHED",
    "FEEDS_NO_CORPUS",
    "FEEDS_USAGE",
    "FEED_ORIGINS",
    "FEED_REFUSALS",
    "OPML_HINT",
    "chart_caption",
    "feed_added",
    "feed_already",
    "feed_line",
    "feed_not_found",
    "feed_refused",
    "feed_removed",
    "feed_status",
    "feeds_full",
    "opml_imported",
    "opml_refused",
]

# -- the /stats chart -------------------------------------------------------------------------
CHART_TITLE = "Câu hỏi và tin gửi đi, 30 ngày qua"
CHART_QUESTIONS = "Câu hỏi mỗi ngày"
CHART_FOUND = "Có kết quả"
CHART_NOTHING = "Không tìm thấy"
CHART_NOTHING_SHARE = "Tỷ lệ không tìm thấy (%)"
CHART_BROADCASTS = "Tin gửi đi mỗi ngày"
CHART_SENT = "Đã gửi"
CHART_FAILED = "Gửi lỗi"
CHART_DAY = "Ngày"


def chart_caption(questions: int, no_result: int, sent: int, failed: int) -> str:
    """The photo's caption: the 30-day totals the bars add up to."""
    share = f"{100 * no_result / questions:.0f}%" if questions else "0%"
    return (f"30 ngày qua: {number(questions)} câu hỏi, {number(no_result)} câu không tìm "
            f"thấy kết quả ({share}); {number(sent)} tin đã gửi, {number(failed)} tin gửi lỗi.")


# -- /feeds -----------------------------------------------------------------------------------
FEEDS_HEADER = "📰 Nguồn tin (RSS/Atom)"
FEEDS_EMPTY = "Chưa có nguồn tin nào. Thêm bằng /feeds add <địa chỉ>."
FEEDS_NEVER_FETCHED = "chưa lấy tin lần nào"
FEEDS_USAGE = (
    "Cách dùng:\n"
    "/feeds: xem danh sách nguồn tin\n"
    "/feeds add <địa chỉ>: thêm một nguồn RSS/Atom\n"
    "/feeds remove <số>: bỏ nguồn có số thứ tự đó\n"
    "/feeds export: nhận danh sách dưới dạng tệp OPML\n"
    "Gửi một tệp OPML cho bot để nhập nhiều nguồn cùng lúc."
)
FEEDS_NO_CORPUS = (
    "Bot đang dùng bộ bài mẫu đi kèm, nên không lấy tin từ nguồn nào. Hãy đặt "
    "HAIQUAN_CORPUS_DIR trước khi thêm nguồn tin."
)
FEEDS_EXPORT_CAPTION = "Danh sách nguồn tin của bot (OPML)."
OPML_HINT = "Tệp OPML chỉ được nhập khi gửi trong chat riêng với bot."
# Why an address is not taken, by the kind of `corpus.ingest.urls.refuse_url`'s reason.
FEED_REFUSALS = {
    "malformed": "địa chỉ không đúng dạng",
    "scheme": "chỉ nhận địa chỉ bắt đầu bằng http:// hoặc https://",
    "host": "địa chỉ thiếu tên miền",
    "private": "đây là địa chỉ nội bộ, không phải địa chỉ công khai",
    "long": "địa chỉ quá dài",
}
FEED_ORIGINS = {"seed": "cấu hình", "admin": "quản trị viên thêm", "opml": "nhập từ OPML"}


def feed_status(last_success: str | None, last_failure: str | None, failures: int,
                reason: str) -> str:
    """How a feed fared: last success, and the current run of failures with its reason."""
    parts = [f"lấy được lần cuối: {last_success}" if last_success else FEEDS_NEVER_FETCHED]
    if failures:
        parts.append(f"lỗi {number(failures)} lần liên tiếp"
                     + (f", gần nhất {last_failure}" if last_failure else "")
                     + (f" ({reason})" if reason else ""))
    return "; ".join(parts)


def feed_line(position: int, url: str, title: str, origin: str, status: str) -> str:
    """One feed in the /feeds list."""
    name = f"{title} — {url}" if title else url
    return f"{position}. {name}\n   {FEED_ORIGINS.get(origin, origin)}; {status}"


def feed_added(url: str) -> str:
    """A feed was added."""
    return f"Đã thêm nguồn tin {url}. Lần lấy tin tới sẽ đọc nguồn này."


def feed_already(url: str) -> str:
    """The feed is in the list already."""
    return f"Nguồn tin {url} đã có trong danh sách."


def feed_refused(url: str, reason: str) -> str:
    """A URL the ingest would not fetch."""
    return f"Không thêm được {url}: {reason}."


def feed_removed(url: str) -> str:
    """A feed was removed."""
    return f"Đã bỏ nguồn tin {url}."


def feed_not_found(position: str) -> str:
    """No feed has that number."""
    return f"Không có nguồn tin số {position}. Gõ /feeds để xem số thứ tự."


def feeds_full(limit: int) -> str:
    """The list would grow past its limit."""
    return f"Danh sách đã đủ {number(limit)} nguồn tin; hãy bỏ bớt trước khi thêm."


def opml_imported(added: int, already: int, refused: int) -> str:
    """What an OPML import did."""
    return (f"Đã nhập tệp OPML: thêm {number(added)} nguồn tin, {number(already)} nguồn đã "
            f"có sẵn, {number(refused)} địa chỉ bị bỏ qua.")


def opml_refused(reason: str) -> str:
    """An OPML file that could not be read; nothing was changed."""
    return f"Không đọc được tệp OPML ({reason}). Danh sách nguồn tin giữ nguyên."
