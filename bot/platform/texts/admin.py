"""Admin commands: refusals, /reload, /stats, /subscribers, /broadcast, /preview."""

from __future__ import annotations

from bot.platform.texts.common import number, seconds_label
from bot.platform.texts.subscriptions import ALL_KINDS

__all__ = [
    "ADDED",
    "ADMIN_ONLY",
    "ADMIN_PRIVATE_ONLY",
    "ANNOUNCEMENT_HEADER",
    "BROADCAST_CANCEL",
    "BROADCAST_CANCELLED",
    "BROADCAST_DONE_BEFORE",
    "BROADCAST_SEND",
    "BROADCAST_USAGE",
    "CHANGED",
    "INACTIVE_HEADER",
    "NO_SUBSCRIBERS",
    "PREVIEW_NOT_DIRECTIVE",
    "PREVIEW_NOT_FOUND",
    "PREVIEW_USAGE",
    "PRIVATE_CHAT",
    "REASONS",
    "RELOAD_BUSY",
    "RELOAD_HEADER_OK",
    "RELOAD_STARTED",
    "REMOVED",
    "SKIPPED_HEADER",
    "STATS_HEADER",
    "SUBSCRIBERS_HEADER",
    "admin_note",
    "broadcast_confirm",
    "broadcast_queued",
    "broadcast_too_long",
    "file_list",
    "inactive_line",
    "preview_matches",
    "reload_broadcast",
    "reload_failed",
    "reload_summary",
    "skipped_line",
    "stats_lines",
    "subscriber_line",
]

ADMIN_ONLY = "Lệnh này chỉ dành cho quản trị viên của bot."
RELOAD_BUSY = "Đang nạp lại dữ liệu; vui lòng chờ lần nạp này xong rồi thử lại."
RELOAD_STARTED = "⏳ Đang nạp lại dữ liệu…"
BROADCAST_USAGE = "Cách dùng: /broadcast <nội dung thông báo>"
BROADCAST_SEND = "✅ Gửi"
BROADCAST_CANCEL = "✖️ Hủy"
BROADCAST_CANCELLED = "Đã hủy thông báo, không gửi đi."
BROADCAST_DONE_BEFORE = "Thông báo này đã được xử lý rồi."
ANNOUNCEMENT_HEADER = "📢 Thông báo"
PREVIEW_USAGE = (
    "Cách dùng: /preview <mã bài viết hoặc số hiệu văn bản>, ví dụ /preview 5575/TCHQ-GSQL"
)
PREVIEW_NOT_FOUND = "Không tìm thấy bài viết hay văn bản này trong dữ liệu."
PREVIEW_NOT_DIRECTIVE = (
    "Bài này không được nhận diện là văn bản nên sẽ không được gửi cho người đăng ký."
)


def reload_failed(reason: str) -> str:
    """A reload that did not happen; the old data keeps serving."""
    return f"❌ Nạp lại thất bại, bot vẫn dùng dữ liệu cũ. Lý do: {reason}"


def broadcast_too_long(limit: int) -> str:
    """An announcement longer than one message can hold."""
    return f"Thông báo quá dài (tối đa {limit} ký tự)."


def broadcast_confirm(subscribers: int) -> str:
    """Above the preview of an announcement."""
    return f"Gửi thông báo dưới đây tới {subscribers} nơi đang đăng ký?"


def broadcast_queued(deliveries: int) -> str:
    """After the admin confirmed."""
    return f"✅ Đang gửi thông báo tới {deliveries} nơi."


def admin_note(text: str) -> str:
    """A note the bot sends to its admins on its own (automatic reloads, ingest)."""
    return f"🛠 {text}"


ADMIN_PRIVATE_ONLY = "Hãy dùng lệnh quản trị trong chat riêng với bot."
RELOAD_HEADER_OK = "✅ Đã nạp lại dữ liệu"
SKIPPED_HEADER = "Tệp bị bỏ qua"
PRIVATE_CHAT = "Chat riêng"
STATS_HEADER = "📊 Thống kê"
SUBSCRIBERS_HEADER = "📋 Nơi đăng ký nhận văn bản mới"
INACTIVE_HEADER = "Đã ngừng"
NO_SUBSCRIBERS = "Chưa có nơi nào đăng ký."
REASONS = {
    "unsubscribed": "tự hủy đăng ký",
    "removed": "bot bị xóa khỏi nhóm",
    "blocked": "người dùng đã chặn bot",
    "forbidden": "Telegram từ chối gửi (403)",
    "migrated": "nhóm đã nâng cấp thành siêu nhóm",
}


def reload_summary(seconds: float, articles: int, passages: int, added: int, changed: int,
                   removed: int, skipped: int) -> str:
    """First lines of a reload report."""
    return (
        f"{RELOAD_HEADER_OK} trong {seconds_label(seconds)}: {number(articles)} bài viết, "
        f"{number(passages)} đoạn.\n"
        f"Thêm {number(added)}, thay đổi {number(changed)}, bị xóa {number(removed)}, "
        f"tệp bị bỏ qua {number(skipped)}."
    )


def reload_broadcast(baseline: bool, queued: int, deliveries: int, repeated: int) -> str:
    """What the reload means for subscribers."""
    if baseline:
        return "Lần nạp đầu cho thư mục này: mọi bài được ghi nhận, không gửi tin nào."
    text = f"Văn bản mới: {number(queued)}, sẽ gửi {number(deliveries)} tin tới người đăng ký."
    if repeated:
        text += f" {number(repeated)} bài nói về văn bản đã báo trước đó, không gửi lại."
    return text


def file_list(label: str, names: list[str], total: int) -> str:
    """"Thêm (12): a.md, b.md, … và 9 tệp khác"."""
    more = f" … và {number(total - len(names))} tệp khác" if total > len(names) else ""
    return f"{label} ({number(total)}): " + ", ".join(names) + more


ADDED = "Thêm"
CHANGED = "Thay đổi"
REMOVED = "Bị xóa"


def skipped_line(path: str, reason: str) -> str:
    """One skipped file and why."""
    return f"• {path}: {reason}"


def stats_lines(*, articles: int, passages: int, directives: int, index_age: str,
                active: int, inactive: int, pending: int, failed: int, sent: int,
                questions: int, no_result: int) -> list[str]:
    """The /stats message, line by line (counts only, no user ids)."""
    return [
        f"Bài viết: {number(articles)} (văn bản: {number(directives)}), "
        f"đoạn: {number(passages)}",
        f"Chỉ mục dựng cách đây {index_age}",
        f"Đăng ký: {number(active)} đang nhận, {number(inactive)} đã ngừng",
        f"Tin chờ gửi: {number(pending)}; gửi lỗi: {number(failed)}; đã gửi: {number(sent)}",
        f"Câu hỏi hôm nay: {number(questions)} (không tìm thấy: {number(no_result)})",
    ]


def subscriber_line(name: str, chat_id: int, kinds: list[str], keywords: list[str],
                    topic: int | None) -> str:
    """One subscription in /subscribers."""
    parts = [f"loại: {', '.join(kinds) if kinds else ALL_KINDS}"]
    if keywords:
        parts.append("từ khóa: " + ", ".join(f"«{k}»" for k in keywords))
    if topic is not None:
        parts.append(f"chủ đề #{topic}")
    return f"• {name} ({chat_id}) — " + "; ".join(parts)


def inactive_line(name: str, chat_id: int, reason: str | None) -> str:
    """One stopped subscription in /subscribers."""
    return f"• {name} ({chat_id}) — {REASONS.get(reason or '', reason or '?')}"


def preview_matches(count: int) -> str:
    """When a document number names several articles."""
    return f"Có {number(count)} bài về văn bản này; đây là bài mới nhất."
