"""Every Vietnamese string the bot says, in one place.

Strings here are plain text: `bot.render` escapes them and adds the formatting, so a
translator can never break a message's HTML. Functions take what varies (numbers, the
bot's username) and return the finished sentence.
"""

from __future__ import annotations

import datetime as dt

__all__ = [
    "ADDED",
    "ADMIN_ONLY",
    "ADMIN_PRIVATE_ONLY",
    "ALL_KINDS",
    "ALL_KINDS_BUTTON",
    "ANNOUNCEMENT_HEADER",
    "ANSWER_GONE",
    "ARTICLE_GONE",
    "ARTICLE_TRUNCATED",
    "ASK_ABOUT_DIRECTIVE",
    "BROADCAST_CANCEL",
    "BROADCAST_CANCELLED",
    "BROADCAST_DONE_BEFORE",
    "BROADCAST_SEND",
    "BROADCAST_USAGE",
    "BUTTON_EXPIRED",
    "CHANGED",
    "CLEAR_FILTERS_WORDS",
    "COMMAND_DESCRIPTIONS",
    "DESCRIPTION",
    "EMPTY_QUESTION",
    "ERROR",
    "EXAMPLES",
    "FILTER_HELP",
    "HOI_USAGE",
    "INACTIVE_HEADER",
    "INLINE_HELP_BUTTON",
    "INLINE_NO_RESULTS",
    "ISSUER_NAMES",
    "MORE",
    "NEW_DIRECTIVE",
    "NEW_DIRECTIVE_UNKNOWN",
    "NOT_SUBSCRIBED",
    "NOT_TEXT",
    "NO_KEYWORDS",
    "NO_RESULTS",
    "NO_RESULTS_TIPS",
    "NO_SUBSCRIBERS",
    "OPEN_IN_BOT",
    "PREVIEW_NOT_DIRECTIVE",
    "PREVIEW_NOT_FOUND",
    "PREVIEW_USAGE",
    "PREVIOUS",
    "PRIVATE_CHAT",
    "READ_FULL",
    "REASONS",
    "RELOAD_BUSY",
    "RELOAD_HEADER_OK",
    "RELOAD_STARTED",
    "REMOVED",
    "RESUBSCRIBE_BUTTON",
    "SAVED",
    "SETTINGS_HEADER",
    "SETTINGS_HEADER_OFF",
    "SHORT_DESCRIPTION",
    "SKIPPED_HEADER",
    "STATS_HEADER",
    "SUBSCRIBED",
    "SUBSCRIBERS_HEADER",
    "SUBSCRIBE_ADMINS_ONLY",
    "UNKNOWN_COMMAND",
    "UNSUBSCRIBED",
    "UNSUBSCRIBE_BUTTON",
    "admin_note",
    "age_label",
    "broadcast_confirm",
    "broadcast_queued",
    "broadcast_too_long",
    "continue_in_private",
    "date_label",
    "destination",
    "directive_hint",
    "dropped_keywords",
    "file_list",
    "group_help",
    "help_text",
    "inactive_line",
    "inline_description",
    "issuer_label",
    "kind_button",
    "number",
    "preview_matches",
    "question_too_long",
    "read_button",
    "reload_broadcast",
    "reload_failed",
    "reload_summary",
    "results_header",
    "seconds_label",
    "skipped_line",
    "stats_lines",
    "subscriber_line",
    "subscription_lines",
    "welcome_group",
]

# Examples in /start and /help: each is answered by the bundled sample corpus, and one is
# typed without diacritics on purpose (tests check both).
EXAMPLES: tuple[str, ...] = (
    "Thông tư 39/2018/TT-BTC quy định gì về kiểm tra hàng xuất khẩu?",
    "hoan thue hang tai xuat nguyen trang",
    "C/O mẫu D điện tử trao đổi với những nước nào?",
    "Hải quan Hải Phòng thu ngân sách năm 2020 được bao nhiêu?",
)

DESCRIPTION = (
    "Bot tra cứu tin tức hải quan cho đại lý, doanh nghiệp xuất nhập khẩu và cán bộ hải "
    "quan. Gửi câu hỏi bằng tiếng Việt (có dấu hay không dấu đều được), bot trả về các "
    "đoạn trích liên quan nhất kèm ngày đăng và đường dẫn nguồn."
)
SHORT_DESCRIPTION = "Hỏi đáp tin tức hải quan: văn bản, thủ tục, thuế XNK, kèm nguồn."

COMMAND_DESCRIPTIONS: dict[str, str] = {
    "start": "Giới thiệu và ví dụ câu hỏi",
    "help": "Hướng dẫn sử dụng",
    "hoi": "Hỏi về tin tức hải quan: /hoi <câu hỏi>",
}

NO_RESULTS = "Không tìm thấy bài viết nào thật sự liên quan đến câu hỏi này."
NO_RESULTS_TIPS = (
    "Bạn có thể thử:\n"
    "• hỏi ngắn gọn theo từ khoá chính, ví dụ «hoàn thuế hàng tái xuất»;\n"
    "• nêu số hiệu văn bản nếu biết, ví dụ «5575/TCHQ-GSQL» hoặc «TT39»;\n"
    "• gõ không dấu (hoan thue) hay viết tắt (XNK, TCHQ, C/O, DN) đều được."
)
NOT_TEXT = (
    "Tôi chỉ đọc được câu hỏi dạng chữ. Hãy gõ câu hỏi về hải quan, ví dụ: "
    "«thủ tục hoàn thuế hàng tái xuất»."
)
EMPTY_QUESTION = "Câu hỏi chưa có nội dung. Hãy gõ vài từ khoá, ví dụ: «C/O mẫu D điện tử»."
UNKNOWN_COMMAND = "Tôi không biết lệnh này. Gõ /help để xem hướng dẫn, hoặc gửi thẳng câu hỏi."
HOI_USAGE = "Cách dùng: /hoi <câu hỏi>, ví dụ: /hoi thủ tục hoàn thuế hàng tái xuất"
ERROR = "Xin lỗi, đã có lỗi khi xử lý yêu cầu của bạn. Vui lòng thử lại sau ít phút."
BUTTON_EXPIRED = "Nút này đã hết hạn. Hãy gửi lại câu hỏi."
ANSWER_GONE = "Câu trả lời này đã hết hạn. Hãy gửi lại câu hỏi."
ARTICLE_GONE = "Bài viết này không còn trong dữ liệu của bot."
ARTICLE_TRUNCATED = "Bài viết còn dài, đọc tiếp tại nguồn:"

MORE = "Thêm kết quả ▶"
PREVIOUS = "◀ Trước"
READ_FULL = "📄 Đọc toàn văn"
OPEN_IN_BOT = "🔎 Mở trong bot"
INLINE_HELP_BUTTON = "Cách hỏi bot"
INLINE_NO_RESULTS = "Không tìm thấy bài viết phù hợp"


def help_text(bot_username: str) -> str:
    """What /start and /help say in a private chat."""
    examples = "\n".join(f"• {example}" for example in EXAMPLES)
    return (
        "Xin chào! Tôi tra cứu tin tức hải quan: văn bản (thông tư, công văn, chỉ thị…), "
        "thủ tục, thuế xuất nhập khẩu, kết quả thu ngân sách, các vụ bắt giữ.\n\n"
        "Gửi câu hỏi bằng tiếng Việt, tôi trả lời bằng các đoạn trích liên quan nhất, kèm "
        "ngày đăng và đường dẫn nguồn. Có dấu hay không dấu, viết tắt (XNK, TCHQ, C/O) hay "
        "số hiệu văn bản đều được.\n\n"
        f"Ví dụ:\n{examples}\n\n"
        f"Trong nhóm: /hoi <câu hỏi>, nhắc @{bot_username} hoặc trả lời tin nhắn của tôi.\n"
        f"Ở bất kỳ cuộc trò chuyện nào: gõ @{bot_username} <câu hỏi> để chèn kết quả.\n"
        "Nhận văn bản mới (chỉ thị, công văn, thông tư…): /dangky; chỉ một phần: "
        "/dangky thông tư hoặc /dangky công văn thuế."
    )


def group_help(bot_username: str) -> str:
    """What /help says in a group: short, the group is not the bot's."""
    return (
        f"Hỏi tôi về tin tức hải quan: /hoi <câu hỏi>, nhắc @{bot_username} kèm câu hỏi, "
        "hoặc trả lời tin nhắn của tôi.\n"
        f"Ví dụ: /hoi {EXAMPLES[1]}\n"
        "Quản trị viên gõ /dangky để nhóm nhận văn bản mới."
    )


def question_too_long(limit: int) -> str:
    """The question is longer than the bot reads."""
    return f"Câu hỏi quá dài (tối đa {limit} ký tự). Hãy hỏi ngắn gọn theo ý chính."


def results_header(first: int, last: int, total: int, question: str) -> str:
    """Above the results: which ones are shown, for which question."""
    shown = f"{first}" if first == last else f"{first}–{last}"
    return f"Kết quả {shown}/{total} cho «{question}»"


def date_label(day: dt.date) -> str:
    """Vietnamese date style: 08/01/2021."""
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def read_button(rank: int) -> str:
    """Button under an answer that shows result `rank` (1-based) in full."""
    return f"📄 Đọc bài {rank}"


def continue_in_private() -> str:
    """URL button under a group answer."""
    return "💬 Xem đầy đủ trong chat riêng"


def inline_description(day: dt.date | None, snippet: str) -> str:
    """Second line of an inline result: date and the start of the best sentence."""
    return f"{date_label(day)} · {snippet}" if day else snippet


# -- subscriptions -----------------------------------------------------------------------
COMMAND_DESCRIPTIONS.update({
    "dangky": "Nhận văn bản mới: /dangky [loại văn bản] [từ khoá]",
    "huydangky": "Ngừng nhận văn bản mới",
    "reload": "Nạp lại dữ liệu bài viết (quản trị)",
    "stats": "Thống kê bot (quản trị)",
    "subscribers": "Danh sách nơi đăng ký (quản trị)",
    "broadcast": "Gửi thông báo tới mọi nơi đăng ký (quản trị)",
    "preview": "Xem trước thẻ văn bản (quản trị)",
})

SUBSCRIBE_ADMINS_ONLY = (
    "Chỉ quản trị viên của nhóm mới đăng ký hoặc thay đổi việc nhận văn bản mới."
)
SUBSCRIBED = "🔔 Đã đăng ký nhận văn bản mới."
SETTINGS_HEADER = "🔔 Nhận văn bản mới: đang bật"
SETTINGS_HEADER_OFF = "🔕 Nhận văn bản mới: đang tắt"
NOT_SUBSCRIBED = "Cuộc trò chuyện này chưa đăng ký nhận văn bản mới. Gõ /dangky để đăng ký."
UNSUBSCRIBED = "🔕 Đã hủy đăng ký nhận văn bản mới. Gõ /dangky để đăng ký lại với bộ lọc cũ."
FILTER_HELP = (
    "Đổi bộ lọc: /dangky <loại văn bản> <từ khoá>, ví dụ «/dangky thông tư» hoặc "
    "«/dangky công văn thuế, xuất xứ». Từ khoá cách nhau bằng dấu phẩy; có dấu hay không "
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
        "Từ khoá: " + (", ".join(f"«{k}»" for k in keywords) if keywords else NO_KEYWORDS),
        f"Gửi vào: {where}",
    ]


def dropped_keywords(keywords: list[str]) -> str:
    """Keywords ignored because too long or too many."""
    shown = ", ".join(f"«{k[:30]}»" for k in keywords[:3])
    return f"Đã bỏ qua từ khoá quá dài hoặc vượt quá số lượng cho phép: {shown}."


def welcome_group(bot_username: str) -> str:
    """What the bot says when it is added to a group."""
    return (
        "Xin chào! Tôi tra cứu tin tức hải quan và báo tin khi có văn bản mới (chỉ thị, "
        "công văn, thông tư, quyết định…).\n"
        "• Quản trị viên gõ /dangky để nhóm nhận văn bản mới; /dangky thông tư hay "
        "/dangky công văn thuế để chỉ nhận một phần; /huydangky để ngừng.\n"
        f"• Hỏi tôi: /hoi <câu hỏi> hoặc nhắc @{bot_username} kèm câu hỏi."
    )


# -- directive cards ---------------------------------------------------------------------
NEW_DIRECTIVE = "Văn bản mới"
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


# -- admin -------------------------------------------------------------------------------
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


def seconds_label(seconds: float) -> str:
    """1,2 giây (Vietnamese decimal comma)."""
    return f"{seconds:.1f}".replace(".", ",") + " giây"


def age_label(seconds: float) -> str:
    """How long ago, roughly: "45 giây", "12 phút", "3 giờ 5 phút", "2 ngày"."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds} giây"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} phút"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} giờ {minutes} phút" if minutes else f"{hours} giờ"
    return f"{hours // 24} ngày"


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
    return f"✅ Đã xếp hàng gửi thông báo tới {deliveries} nơi."


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
    "unsubscribed": "tự hủy",
    "removed": "bot bị xoá khỏi nhóm",
    "blocked": "người dùng chặn bot",
    "forbidden": "Telegram từ chối gửi (403)",
    "migrated": "nhóm đã nâng cấp",
}


def number(value: int) -> str:
    """8.199: Vietnamese thousands separator."""
    return f"{value:,}".replace(",", ".")


def reload_summary(seconds: float, articles: int, passages: int, added: int, changed: int,
                   removed: int, skipped: int) -> str:
    """First lines of a reload report."""
    return (
        f"{RELOAD_HEADER_OK} trong {seconds_label(seconds)}: {number(articles)} bài viết, "
        f"{number(passages)} đoạn.\n"
        f"Thêm {number(added)}, thay đổi {number(changed)}, bị xoá {number(removed)}, "
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
REMOVED = "Bị xoá"


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
        parts.append("từ khoá: " + ", ".join(f"«{k}»" for k in keywords))
    if topic is not None:
        parts.append(f"chủ đề #{topic}")
    return f"• {name} ({chat_id}) — " + "; ".join(parts)


def inactive_line(name: str, chat_id: int, reason: str | None) -> str:
    """One stopped subscription in /subscribers."""
    return f"• {name} ({chat_id}) — {REASONS.get(reason or '', reason or '?')}"


def preview_matches(count: int) -> str:
    """When a document number names several articles."""
    return f"Có {number(count)} bài về văn bản này; đây là bài mới nhất."
