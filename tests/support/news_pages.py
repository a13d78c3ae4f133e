"""Customs news stories written for the ingest tests, and the HTML and feeds that carry them.

All text is our own (invented events in the style of Vietnamese customs news); no
sentence comes from a real outlet or from the licensed shared corpus.
"""

from __future__ import annotations

import datetime as dt
import html
import unicodedata
from dataclasses import dataclass
from email.utils import format_datetime

__all__ = [
    "ENGLISH_PAGE",
    "LIST_PAGE",
    "STORIES",
    "FeedItem",
    "Story",
    "article_page",
    "atom_feed",
    "numbered_story",
    "rss_feed",
]


@dataclass(frozen=True)
class Story:
    slug: str
    title: str
    date: str  # YYYY-MM-DD
    author: str
    lead: str
    paragraphs: tuple[str, ...]


STORIES: tuple[Story, ...] = (
    Story(
        slug="hai-quan-lao-cai-thong-quan-sau-rieng",
        title="Hải quan Lào Cai thông quan gần 800 tấn sầu riêng trong tuần đầu tháng 6",
        date="2024-06-07",
        author="Minh Khôi",
        lead="Lượng sầu riêng xuất khẩu qua cửa khẩu quốc tế đường bộ số II Kim Thành tăng mạnh khi vào chính vụ.",
        paragraphs=(
            "Từ ngày 1 đến ngày 6/6, Chi cục Hải quan cửa khẩu quốc tế Lào Cai đã làm thủ tục xuất khẩu cho 41 xe chở sầu riêng với tổng khối lượng gần 800 tấn, gấp đôi tuần cuối tháng 5.",
            "Để hàng hóa không phải chờ lâu, chi cục bố trí công chức làm việc cả ngày nghỉ, đồng thời ưu tiên phân luồng cho các lô hàng đã có mã số vùng trồng và cơ sở đóng gói được nước nhập khẩu công nhận.",
            "Đại diện chi cục lưu ý doanh nghiệp kiểm tra kỹ chứng thư kiểm dịch thực vật trước khi xe lăn bánh, vì chỉ một sai lệch nhỏ về mã vùng trồng cũng có thể khiến lô hàng bị trả về.",
            "Theo dự báo, sản lượng sầu riêng qua địa bàn sẽ tiếp tục tăng trong tháng 7 khi các tỉnh Tây Nguyên bước vào thu hoạch rộ.",
        ),
    ),
    Story(
        slug="tong-cuc-hai-quan-huong-dan-hoan-thue-gtgt",
        title="Tổng cục Hải quan ban hành Công văn 2345/TCHQ-TXNK hướng dẫn hồ sơ hoàn thuế",
        date="2024-06-10",
        author="Thanh Tâm",
        lead="Công văn 2345/TCHQ-TXNK làm rõ hồ sơ hoàn thuế nhập khẩu đối với hàng hóa phải tái xuất do không đúng hợp đồng.",
        paragraphs=(
            "Ngày 10/6/2024, Tổng cục Hải quan ban hành Công văn 2345/TCHQ-TXNK gửi cục hải quan các tỉnh, thành phố về hồ sơ hoàn thuế nhập khẩu đối với hàng hóa tái xuất trả lại chủ hàng nước ngoài.",
            "Theo hướng dẫn, người nộp thuế cần nộp văn bản đề nghị hoàn thuế, chứng từ thanh toán và văn bản thỏa thuận với bên bán về việc trả lại hàng; cơ quan hải quan không yêu cầu nộp lại các chứng từ đã có trên hệ thống.",
            "Cục hải quan các tỉnh, thành phố được yêu cầu rà soát các hồ sơ đang tồn đọng và giải quyết dứt điểm trong thời hạn quy định, tránh để doanh nghiệp phải đi lại nhiều lần.",
            "Trường hợp phát sinh vướng mắc vượt thẩm quyền, đơn vị báo cáo về Cục Thuế xuất nhập khẩu để được hướng dẫn kịp thời.",
        ),
    ),
    Story(
        slug="bat-giu-lo-hang-my-pham-gia-tai-cang-cat-lai",
        title="Bắt giữ lô mỹ phẩm giả nhãn hiệu tại cảng Cát Lái",
        date="2024-06-12",
        author="Ngọc Bích",
        lead="Hơn 12.000 sản phẩm mỹ phẩm mang nhãn hiệu nổi tiếng được khai là hàng tiêu dùng thông thường.",
        paragraphs=(
            "Qua phân tích thông tin trước khi hàng đến, Chi cục Hải quan cửa khẩu cảng Sài Gòn khu vực I đã dừng thông quan một container khai báo là đồ gia dụng bằng nhựa.",
            "Kết quả kiểm tra thực tế cho thấy bên trong có hơn 12.000 hộp kem dưỡng da, son môi và nước hoa mang nhãn hiệu của các hãng nổi tiếng nhưng không có giấy ủy quyền của chủ sở hữu nhãn hiệu.",
            "Đại diện chủ sở hữu quyền sở hữu trí tuệ sau đó đã giám định và xác nhận toàn bộ số hàng là hàng giả mạo nhãn hiệu.",
            "Cơ quan hải quan đang hoàn tất hồ sơ để xử lý theo quy định, đồng thời mở rộng xác minh các lô hàng trước đó của cùng doanh nghiệp nhập khẩu.",
        ),
    ),
    Story(
        slug="doanh-nghiep-uu-tien-tang-len-hon-100",
        title="Số doanh nghiệp được áp dụng chế độ ưu tiên vượt mốc 100",
        date="2024-06-14",
        author="Hoàng Yến",
        lead="Doanh nghiệp ưu tiên được miễn kiểm tra chứng từ và kiểm tra thực tế hàng hóa trong hầu hết các trường hợp.",
        paragraphs=(
            "Tổng cục Hải quan vừa công nhận thêm ba doanh nghiệp đủ điều kiện áp dụng chế độ ưu tiên, nâng tổng số doanh nghiệp được hưởng chế độ này lên 103.",
            "Các doanh nghiệp mới được công nhận hoạt động trong lĩnh vực điện tử, dệt may và chế biến gỗ, đều có kim ngạch xuất nhập khẩu lớn và lịch sử tuân thủ pháp luật tốt trong hai năm liên tục.",
            "Khi được áp dụng chế độ ưu tiên, doanh nghiệp được làm thủ tục hải quan bằng tờ khai chưa hoàn chỉnh, được ưu tiên xử lý hồ sơ hoàn thuế và được kiểm tra sau thông quan tại trụ sở thay vì phải mang hồ sơ đến cơ quan hải quan.",
            "Ngành hải quan đặt mục tiêu tiếp tục mở rộng đối tượng, đặc biệt là các doanh nghiệp nhỏ có hệ thống quản trị tốt.",
        ),
    ),
)


def numbered_story(number: int) -> Story:
    """A distinct story for load figures: same style, unique numbers and places."""
    port = ("Hải Phòng", "Đà Nẵng", "Quy Nhơn", "Cần Thơ", "Vũng Tàu")[number % 5]
    return Story(
        slug=f"thong-quan-lo-hang-so-{number}",
        title=f"Hải quan {port} thông quan lô hàng thiết bị số {number}",
        date=f"2024-07-{number % 28 + 1:02d}",
        author="Phóng viên thử nghiệm",
        lead=f"Lô thiết bị số {number} được làm thủ tục trong ngày nhờ khai báo điện tử đầy đủ.",
        paragraphs=(
            f"Chi cục Hải quan cửa khẩu cảng {port} vừa hoàn tất thủ tục cho lô thiết bị số {number} gồm {number * 3 + 7} kiện máy móc phục vụ dự án mở rộng nhà máy.",
            f"Doanh nghiệp nhập khẩu đã khai báo đầy đủ thông tin trên hệ thống, nộp thuế điện tử và được phân luồng vàng; thời gian kiểm tra hồ sơ chỉ khoảng {number % 5 + 2} giờ.",
            "Theo lãnh đạo chi cục, việc doanh nghiệp chuẩn bị chứng từ đầy đủ ngay từ đầu giúp rút ngắn đáng kể thời gian thông quan và giảm chi phí lưu bãi.",
            f"Từ đầu năm đến nay, chi cục đã tiếp nhận {1000 + number * 11} tờ khai của các dự án đầu tư trên địa bàn.",
        ),
    )


def article_page(story: Story, *, canonical: str | None = None, nfd: bool = False) -> str:
    """A news page in the usual Vietnamese layout: menu, title, date, lead, body, byline,
    related links, comments and footer."""
    day, month, year = story.date[8:10], story.date[5:7], story.date[:4]
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in story.paragraphs)
    canonical_tag = f'<link rel="canonical" href="{html.escape(canonical)}">' if canonical else ""
    page = f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8">
<title>{html.escape(story.title)} - Tin Hải quan thử nghiệm</title>
{canonical_tag}
<meta property="og:site_name" content="Tin Hải quan thử nghiệm">
</head><body>
<nav class="menu"><a href="/">Trang chủ</a> <a href="/nghiep-vu">Nghiệp vụ</a> <a href="/chong-buon-lau">Chống buôn lậu</a> <a href="/doanh-nghiep">Doanh nghiệp</a></nav>
<main><article>
<h1 class="title">{html.escape(story.title)}</h1>
<div class="meta"><span class="date">{day}/{month}/{year} 08:00</span></div>
<div class="detail-sapo">{html.escape(story.lead)}</div>
<div class="content">
{body}
<p style="text-align:right"><strong>{html.escape(story.author)}</strong></p>
</div>
</article>
<section class="related"><h3>Tin liên quan</h3><ul>
<li><a href="/khac-1.html">Hội nghị tập huấn nghiệp vụ giám sát hải quan năm nay</a></li>
<li><a href="/khac-2.html">Kết quả thu ngân sách tháng trước tại các cửa khẩu phía Nam</a></li>
</ul></section>
<section class="comments"><h3>Bình luận</h3>
<div class="comment"><b>Bạn đọc Hùng</b><p>Mong cơ quan chức năng tiếp tục hỗ trợ doanh nghiệp nhiều hơn nữa.</p></div>
<form><textarea placeholder="Ý kiến của bạn"></textarea><button>Gửi</button></form>
</section></main>
<footer><p>Trang tin thử nghiệm dùng cho kiểm thử phần mềm. Không phải cơ quan báo chí.</p></footer>
</body></html>"""
    return unicodedata.normalize("NFD", page) if nfd else page


ENGLISH_PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Port authority reports record container volumes</title></head><body>
<nav><a href="/">Home</a> <a href="/trade">Trade</a></nav>
<article><h1>Port authority reports record container volumes</h1>
<p>The regional port authority said on Monday that container throughput in the second quarter reached a record level, driven by electronics exports and a recovery in furniture orders.</p>
<p>Officials credited longer opening hours at the customs clearance points and a new electronic booking system for trucks, which cut average waiting times at the gates by almost half.</p>
<p>Shipping lines expect volumes to stay high through the autumn, although freight rates on the main routes to Europe remain volatile and some exporters are delaying contracts.</p>
</article><footer>Test page written for software tests.</footer></body></html>"""

LIST_PAGE = """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">
<title>Tin tức - Hoạt động nghiệp vụ</title></head><body>
<nav><a href="/">Trang chủ</a> <a href="/tin-tuc">Tin tức</a></nav>
<h1>Hoạt động nghiệp vụ</h1>
<ul class="list-news">
<li><a href="/tin/1.html">Hải quan Lào Cai thông quan sầu riêng</a> <span>07/06/2024</span></li>
<li><a href="/tin/2.html">Hướng dẫn hồ sơ hoàn thuế nhập khẩu</a> <span>10/06/2024</span></li>
<li><a href="/tin/3.html">Bắt giữ mỹ phẩm giả tại cảng Cát Lái</a> <span>12/06/2024</span></li>
<li><a href="/tin/4.html">Thêm doanh nghiệp ưu tiên</a> <span>14/06/2024</span></li>
</ul>
<div class="paging"><a href="?page=2">Trang sau</a></div>
<footer>Trang thử nghiệm.</footer></body></html>"""


@dataclass(frozen=True)
class FeedItem:
    link: str | None
    title: str = ""
    guid: str | None = None
    date: str | None = "2024-06-15"
    summary: str = ""
    extra: str = ""  # raw XML added inside the item


def _rfc822(day: str) -> str:
    moment = dt.datetime.fromisoformat(day).replace(hour=8, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    return format_datetime(moment)


def rss_feed(items: list[FeedItem], *, title: str = "Tin Hải quan thử nghiệm", tail: str = "") -> str:
    parts = []
    for item in items:
        fields = [f"<title>{html.escape(item.title)}</title>"]
        if item.link is not None:
            fields.append(f"<link>{html.escape(item.link)}</link>")
        if item.guid is not None:
            fields.append(f'<guid isPermaLink="false">{html.escape(item.guid)}</guid>')
        if item.date:
            fields.append(f"<pubDate>{_rfc822(item.date)}</pubDate>")
        if item.summary:
            fields.append(f"<description>{html.escape(item.summary)}</description>")
        parts.append("<item>" + "".join(fields) + item.extra + "</item>")
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>{html.escape(title)}</title><link>http://example.invalid/</link>"
        "<description>Feed for tests</description>" + "\n".join(parts) + tail + "</channel></rss>"
    )


def atom_feed(items: list[FeedItem], *, title: str = "Tin Hải quan (Atom)") -> str:
    parts = []
    for item in items:
        link = f'<link rel="alternate" href="{html.escape(item.link)}"/>' if item.link else ""
        updated = f"{item.date}T08:00:00+07:00" if item.date else "2024-06-15T08:00:00+07:00"
        parts.append(
            f"<entry><title>{html.escape(item.title)}</title>{link}"
            f"<id>{html.escape(item.guid or item.link or '')}</id>"
            f"<updated>{updated}</updated><published>{updated}</published>"
            f"<author><name>Ban biên tập</name></author>"
            f"<summary>{html.escape(item.summary)}</summary></entry>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{html.escape(title)}</title><id>urn:test:feed</id>"
        "<updated>2024-06-15T08:00:00+07:00</updated>" + "\n".join(parts) + "</feed>"
    )
