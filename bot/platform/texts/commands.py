"""What each command does, as the command menus list it (`bot.platform.menus`)."""

from __future__ import annotations

__all__ = ["COMMAND_DESCRIPTIONS"]

COMMAND_DESCRIPTIONS: dict[str, str] = {
    "start": "Giới thiệu và ví dụ câu hỏi",
    "help": "Hướng dẫn sử dụng",
    "hoi": "Hỏi về tin tức hải quan: /hoi <câu hỏi>",
    "dangky": "Nhận văn bản mới: /dangky [loại văn bản] [từ khóa]",
    "huydangky": "Ngừng nhận văn bản mới",
    "reload": "Nạp lại dữ liệu bài viết (quản trị)",
    "stats": "Thống kê bot (quản trị)",
    "subscribers": "Danh sách nơi đăng ký (quản trị)",
    "broadcast": "Gửi thông báo tới mọi nơi đăng ký (quản trị)",
    "preview": "Xem trước thẻ văn bản (quản trị)",
    "ingest": "Lấy tin mới từ các nguồn ngay (quản trị)",
    "feeds": "Xem, thêm, bỏ nguồn tin; nhập/xuất OPML (quản trị)",
}
