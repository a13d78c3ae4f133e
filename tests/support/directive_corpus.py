"""Small corpora of made-up customs news, written for these tests in our own words.

`make_corpus` writes a few articles (one plain news item, two directives) into a
directory; the ``NEW_*`` articles are what a test drops in later, before ``/reload``.
Document numbers are invented; the links point to example.vn.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class TestArticle:
    """One article file: its name in the corpus and its text."""

    name: str
    title: str
    date: str
    paragraphs: tuple[str, ...]

    @property
    def text(self) -> str:
        slug = self.name.removesuffix(".md")
        front = (f"---\ntitle: {self.title}\nurl: https://tin.example.vn/{slug}\n"
                 f"date: {self.date}\nsource: tin.example.vn\n---\n\n")
        return front + "\n\n".join(self.paragraphs) + "\n"

    def write(self, folder: Path) -> Path:
        path = folder / self.name
        path.write_text(self.text, encoding="utf-8")
        return path


NEWS = TestArticle(
    "da-nang-thu-ngan-sach.md",
    "Hải quan Đà Nẵng thu ngân sách hai tháng đầu năm tăng 12%",
    "2026-03-01",
    ("Hai tháng đầu năm, Cục Hải quan Đà Nẵng thu được hơn 900 tỷ đồng, tăng 12% so với "
     "cùng kỳ nhờ hàng nhập khẩu linh kiện điện tử tăng mạnh.",
     "Đơn vị cho biết sẽ tiếp tục rà soát nợ thuế và hỗ trợ doanh nghiệp khai báo điện tử."),
)
OLD_CONG_VAN = TestArticle(
    "cong-van-2101-qua-canh-duong-bo.md",
    "Công văn 2101/TCHQ-GSQL hướng dẫn khai báo hàng quá cảnh qua cửa khẩu đường bộ",
    "2026-02-10",
    ("Tổng cục Hải quan vừa có Công văn 2101/TCHQ-GSQL gửi các cục hải quan biên giới về "
     "khai báo hàng quá cảnh qua cửa khẩu đường bộ.",
     "Doanh nghiệp vận tải phải khai thông tin lô hàng trước khi phương tiện tới cửa khẩu."),
)
OLD_THONG_TU = TestArticle(
    "thong-tu-15-hoan-thue.md",
    "Thông tư 15/2026/TT-BTC sửa đổi thủ tục hoàn thuế hàng tái xuất",
    "2026-02-20",
    ("Bộ Tài chính ban hành Thông tư 15/2026/TT-BTC sửa đổi hồ sơ hoàn thuế với hàng nhập "
     "khẩu phải tái xuất.",
     "Hồ sơ được nộp qua hệ thống điện tử, thời hạn giải quyết rút xuống còn sáu ngày."),
)
NEW_CONG_VAN = TestArticle(
    "cong-van-3456-seal-dinh-vi.md",
    "Tổng cục Hải quan ban hành Công văn 3456/TCHQ-GSQL về giám sát hàng quá cảnh bằng "
    "seal định vị",
    "2026-03-05",
    ("Ngày 4/3, Tổng cục Hải quan có Công văn 3456/TCHQ-GSQL yêu cầu các cục hải quan dùng "
     "seal định vị điện tử để giám sát container hàng quá cảnh.",
     "Theo công văn, dữ liệu vị trí được gửi về trung tâm giám sát mỗi năm phút. Cán bộ "
     "hải quan phải kiểm tra niêm phong khi container rời cửa khẩu. Doanh nghiệp được "
     "hướng dẫn cách lắp thiết bị trước khi làm thủ tục.",
     "Việc áp dụng bắt đầu từ tháng 4 tại các cửa khẩu phía Bắc."),
)
NEW_THONG_TU = TestArticle(
    "thong-tu-22-thue-phan-bon.md",
    "Bộ Tài chính ban hành Thông tư 22/2026/TT-BTC về thuế xuất khẩu phân bón",
    "2026-03-06",
    ("Thông tư 22/2026/TT-BTC điều chỉnh mức thuế xuất khẩu với một số loại phân bón.",
     "Mức thuế mới áp dụng từ ngày 1/5 và được tính trên trị giá tính thuế của lô hàng."),
)
NEW_CHI_THI = TestArticle(
    "chi-thi-05-chong-buon-lau.md",
    "Chỉ thị 05/CT-TCHQ tăng cường chống buôn lậu dịp cuối năm",
    "2026-03-07",
    ("Tổng cục trưởng Tổng cục Hải quan ký Chỉ thị 05/CT-TCHQ yêu cầu các đơn vị tăng "
     "cường kiểm soát hàng cấm qua biên giới.",
     "Các đội kiểm soát phải trực thường xuyên tại các tuyến đường mòn và lối mở."),
)
NEW_NEWS = TestArticle(
    "hai-phong-bat-giu-thuoc-la.md",
    "Hải quan Hải Phòng bắt giữ container thuốc lá khai sai",
    "2026-03-08",
    ("Đội kiểm soát Hải quan Hải Phòng phát hiện một container khai là gạch men nhưng "
     "chứa thuốc lá điếu.",
     "Vụ việc đang được chuyển cơ quan điều tra xử lý theo quy định."),
)
BROKEN_NAME = "hong-dinh-dang.md"
BROKEN_TEXT = "Bài này không có tiêu đề hợp lệ, cũng không có phần đầu ---\n"


def make_corpus(folder: Path, *articles: TestArticle) -> Path:
    """A corpus directory with `articles` (default: one news item and two directives)."""
    folder.mkdir(parents=True, exist_ok=True)
    for article in articles or (NEWS, OLD_CONG_VAN, OLD_THONG_TU):
        article.write(folder)
    return folder
