"""Questions and answers: descriptions, help, hints, result headers and buttons."""

from __future__ import annotations

import datetime as dt

from bot.platform.texts.common import article_date_label

__all__ = [
    "ARTICLE_GONE",
    "ARTICLE_TRUNCATED",
    "BUTTON_EXPIRED",
    "DESCRIPTION",
    "EMPTY_QUESTION",
    "ERROR",
    "EXAMPLES",
    "HOI_USAGE",
    "INLINE_HELP_BUTTON",
    "INLINE_NO_RESULTS",
    "LINK_REFUSED",
    "MORE",
    "NOT_TEXT",
    "NO_RESULTS",
    "NO_RESULTS_TIPS",
    "OPEN_IN_BOT",
    "PREVIOUS",
    "READ_FULL",
    "SHORT_DESCRIPTION",
    "UNKNOWN_COMMAND",
    "age_note",
    "continue_in_private",
    "group_help",
    "help_text",
    "inline_description",
    "question_too_long",
    "read_button",
    "results_header",
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

# Said instead of an answer when the reranker judges that no stored article answers
# (off-topic questions, news the corpus does not hold, "ok", "cảm ơn nhé"): nothing
# is shown that could pass for an answer, and the tips say how to ask so that it can.
NO_RESULTS = "Không tìm thấy bài viết nào thật sự trả lời câu hỏi này."
NO_RESULTS_TIPS = (
    "Bot chỉ trả lời từ các tin tức hải quan đã lưu; câu hỏi có thể nằm ngoài phạm vi đó. "
    "Bạn có thể thử:\n"
    "• hỏi ngắn gọn hơn, chỉ giữ từ khóa chính, ví dụ «hoàn thuế hàng tái xuất»;\n"
    "• nêu số hiệu văn bản nếu biết, ví dụ «5575/TCHQ-GSQL» hoặc «TT39»;\n"
    "• nêu tên đơn vị, ví dụ «Cục Hải quan Hải Phòng» hoặc «Chi cục Hải quan Móng Cái»;\n"
    "• gõ không dấu (hoan thue) hay viết tắt (XNK, TCHQ, C/O, DN) đều được."
)
NOT_TEXT = (
    "Bot chỉ đọc được câu hỏi dạng chữ. Hãy gõ câu hỏi về hải quan, ví dụ: "
    "«thủ tục hoàn thuế hàng tái xuất»."
)
EMPTY_QUESTION = "Câu hỏi chưa có nội dung. Hãy gõ vài từ khóa, ví dụ: «C/O mẫu D điện tử»."
UNKNOWN_COMMAND = "Bot không có lệnh này. Gõ /help để xem hướng dẫn, hoặc gửi thẳng câu hỏi."
HOI_USAGE = "Cách dùng: /hoi <câu hỏi>, ví dụ: /hoi thủ tục hoàn thuế hàng tái xuất"
ERROR = "Xin lỗi, đã có lỗi khi xử lý yêu cầu của bạn. Vui lòng thử lại sau ít phút."
BUTTON_EXPIRED = "Nút này đã hết hạn. Hãy gửi lại câu hỏi."
# A shared answer link that is unknown, too old, or someone else's private answer: one
# notice for all three, so it never confirms that a link exists.
LINK_REFUSED = (
    "Liên kết này không mở được: có thể đã hết hạn, không đúng, hoặc là câu trả lời "
    "riêng của người khác. Hãy gửi câu hỏi của bạn để nhận câu trả lời."
)
ARTICLE_GONE = "Bài viết này không còn trong dữ liệu của bot."
ARTICLE_TRUNCATED = "Bài viết còn dài, đọc tiếp tại nguồn:"

MORE = "Trang sau ▶"
PREVIOUS = "◀ Trang trước"
READ_FULL = "📄 Đọc cả bài"
OPEN_IN_BOT = "🔎 Mở bài trong bot"
INLINE_HELP_BUTTON = "Cách hỏi bot"
INLINE_NO_RESULTS = "Không tìm thấy bài viết phù hợp"


def help_text(bot_username: str) -> str:
    """What /start and /help say in a private chat."""
    examples = "\n".join(f"• {example}" for example in EXAMPLES)
    return (
        "Xin chào! Bot tra cứu tin tức hải quan: văn bản (thông tư, công văn, chỉ thị…), "
        "thủ tục, thuế xuất nhập khẩu, kết quả thu ngân sách, các vụ bắt giữ.\n\n"
        "Gửi câu hỏi bằng tiếng Việt, bot trả lời bằng các đoạn trích liên quan nhất, kèm "
        "ngày đăng và đường dẫn nguồn. Có dấu hay không dấu, viết tắt (XNK, TCHQ, C/O) hay "
        "số hiệu văn bản đều được.\n\n"
        f"Ví dụ:\n{examples}\n\n"
        f"Trong nhóm: /hoi <câu hỏi>, nhắc @{bot_username} hoặc trả lời tin nhắn của bot.\n"
        f"Ở bất kỳ cuộc trò chuyện nào: gõ @{bot_username} <câu hỏi> để chèn kết quả.\n"
        "Nhận văn bản mới (chỉ thị, công văn, thông tư…): /dangky; chỉ một phần: "
        "/dangky thông tư hoặc /dangky công văn thuế."
    )


def group_help(bot_username: str) -> str:
    """What /help says in a group: short, the group is not the bot's."""
    return (
        f"Hỏi bot về tin tức hải quan: /hoi <câu hỏi>, nhắc @{bot_username} kèm câu hỏi, "
        "hoặc trả lời tin nhắn của bot.\n"
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


def read_button(rank: int) -> str:
    """Button under an answer that shows result `rank` (1-based) in full."""
    return f"📄 Đọc bài {rank}"


def continue_in_private() -> str:
    """URL button under a group answer."""
    return "💬 Xem đầy đủ trong chat riêng"


def age_note(years: int, *, estimated: bool) -> str:
    """Under a result to a "mới nhất"/"hôm nay" question whose article is old (issue 11).

    An estimated date is a lower bound, so its age is only "about" so many years.
    """
    return f"⏳ Tin đăng cách đây {'khoảng' if estimated else 'hơn'} {years} năm"


def inline_description(day: dt.date | None, snippet: str, source: str = "") -> str:
    """Second line of an inline result: date and the start of the best sentence."""
    shown = article_date_label(day, source)
    return f"{shown} · {snippet}" if shown else snippet
