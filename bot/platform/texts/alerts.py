"""Texts of the alerts the bot sends its admins on its own (`bot.platform.alerts`).

Feed alerts and failed reloads have their texts with the ingest and the admin commands
(`feed_alert`, `ingest_reload_failed`, `reload_failed`); these are the rest.
"""

from __future__ import annotations

from bot.platform.texts.common import number

__all__ = ["UPDATE_KINDS", "alerts_held_back", "chat_stopped", "unhandled_error"]

# What kind of update a handler was working on when it failed (`bot.platform.error_handler`).
UPDATE_KINDS = {
    "message": "tin nhắn",
    "edited_message": "tin nhắn được sửa",
    "callback_query": "nút bấm",
    "inline_query": "tìm kiếm inline",
    "channel_post": "bài đăng kênh",
    "my_chat_member": "thay đổi thành viên",
    "job": "tác vụ nền",
    "other": "cập nhật khác",
}


def unhandled_error(error_type: str, place: str, kind: str, chat_id: int | None) -> str:
    """An exception no handler caught: its type and where, never its message or the
    user's text (both may hold what the admins should not see)."""
    chat = f", chat {chat_id}" if chat_id is not None else ""
    return (f"❗ Lỗi chưa xử lý: {error_type} tại {place} (khi xử lý {kind}{chat}). "
            "Người dùng đã nhận lời xin lỗi; chi tiết trong nhật ký của bot.")


def chat_stopped(chat_id: int, private: bool, reason: str) -> str:
    """A chat's subscription stopped because Telegram refuses the bot's messages there."""
    where = "chat riêng" if private else "nhóm"
    return (f"🔕 Ngừng gửi tin cho {where} {chat_id}: Telegram từ chối ({reason}). Đăng ký "
            "của chat này đã dừng; chat sẽ nhận tin lại khi đăng ký lại bằng /dangky.")


def alerts_held_back(count: int) -> str:
    """Appended to the next alert after the hourly cap held some back."""
    return (f"(Ngoài ra có {number(count)} cảnh báo khác bị giữ lại vì đã gửi quá nhiều "
            "trong một giờ; xem nhật ký của bot.)")
