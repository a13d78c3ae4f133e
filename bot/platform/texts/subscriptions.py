"""Subscriptions to new directives: replies, settings and the group welcome."""

from __future__ import annotations

__all__ = [
    "ALL_KINDS",
    "ALL_KINDS_BUTTON",
    "CLEAR_FILTERS_WORDS",
    "FILTER_HELP",
    "NOT_SUBSCRIBED",
    "NO_KEYWORDS",
    "RESUBSCRIBE_BUTTON",
    "SAVED",
    "SETTINGS_HEADER",
    "SETTINGS_HEADER_OFF",
    "SUBSCRIBED",
    "SUBSCRIBE_ADMINS_ONLY",
    "UNSUBSCRIBED",
    "UNSUBSCRIBE_BUTTON",
    "destination",
    "dropped_keywords",
    "kind_button",
    "subscription_lines",
    "welcome_group",
]

SUBSCRIBE_ADMINS_ONLY = (
    "Chỉ quản trị viên của nhóm mới được đăng ký, thay đổi hoặc hủy việc nhận văn bản "
    "mới cho nhóm."
)
SUBSCRIBED = "🔔 Đã đăng ký nhận văn bản mới."
SETTINGS_HEADER = "🔔 Nhận văn bản mới: đang bật"
SETTINGS_HEADER_OFF = "🔕 Nhận văn bản mới: đang tắt"
NOT_SUBSCRIBED = "Cuộc trò chuyện này chưa đăng ký nhận văn bản mới. Gõ /dangky để đăng ký."
UNSUBSCRIBED = "🔕 Đã hủy đăng ký nhận văn bản mới. Gõ /dangky để đăng ký lại với bộ lọc cũ."
FILTER_HELP = (
    "Đổi bộ lọc: /dangky <loại văn bản> <từ khóa>, ví dụ «/dangky thông tư» hoặc "
    "«/dangky công văn thuế, xuất xứ». Từ khóa cách nhau bằng dấu phẩy; có dấu hay không "
    "dấu đều được. Gõ /dangky tất cả để bỏ mọi bộ lọc."
)
ALL_KINDS = "mọi loại văn bản"
NO_KEYWORDS = "không lọc"
ALL_KINDS_BUTTON = "Mọi loại văn bản"
UNSUBSCRIBE_BUTTON = "🔕 Hủy đăng ký"
RESUBSCRIBE_BUTTON = "🔔 Đăng ký lại"
SAVED = "Đã lưu."
CLEAR_FILTERS_WORDS = ("tất cả", "tat ca", "mọi", "moi")


def kind_button(label: str, selected: bool) -> str:
    """A kind on the settings keyboard, ticked when it is one of the filters."""
    return f"✅ {label}" if selected else label


def destination(private: bool, topic: bool) -> str:
    """Where cards go."""
    if private:
        return "chat riêng này"
    return "chủ đề (topic) này của nhóm" if topic else "nhóm này"


def subscription_lines(kinds: list[str], keywords: list[str], where: str) -> list[str]:
    """The settings of a subscription, one per line (kinds as readers name them)."""
    return [
        f"Loại văn bản: {', '.join(kinds) if kinds else ALL_KINDS}",
        "Từ khóa: " + (", ".join(f"«{k}»" for k in keywords) if keywords else NO_KEYWORDS),
        f"Gửi vào: {where}",
    ]


def dropped_keywords(keywords: list[str]) -> str:
    """Keywords ignored because too long or too many."""
    shown = ", ".join(f"«{k[:30]}»" for k in keywords[:3])
    return f"Đã bỏ qua từ khóa quá dài hoặc vượt quá số lượng cho phép: {shown}."


def welcome_group(bot_username: str) -> str:
    """What the bot says when it is added to a group."""
    return (
        "Xin chào! Bot tra cứu tin tức hải quan và báo tin khi có văn bản mới (chỉ thị, "
        "công văn, thông tư, quyết định…).\n"
        "• Quản trị viên gõ /dangky để nhóm nhận văn bản mới; /dangky thông tư hay "
        "/dangky công văn thuế để chỉ nhận một phần; /huydangky để ngừng.\n"
        f"• Hỏi bot: /hoi <câu hỏi> hoặc nhắc @{bot_username} kèm câu hỏi."
    )
