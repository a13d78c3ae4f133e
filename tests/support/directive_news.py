"""News pages for the bot's ingest tests: two new directives and one plain news item.

Written for these tests in our own words, in the style of Vietnamese customs news; the
document numbers and events are invented. `publish` (support.ingest_helpers) serves them
on the local news site and gives the feed items.
"""

from __future__ import annotations

from support.news_pages import Story

__all__ = ["CONG_VAN_TAM_NHAP", "NEWS_CAN_THO", "STORIES", "THONG_TU_XUAT_XU"]

CONG_VAN_TAM_NHAP = Story(
    slug="cong-van-4127-kiem-tra-hang-tam-nhap-tai-xuat",
    title="Tổng cục Hải quan ban hành Công văn 4127/TCHQ-GSQL về kiểm tra hàng tạm nhập "
          "tái xuất",
    date="2026-04-02",
    author="Quang Huy",
    lead="Công văn 4127/TCHQ-GSQL yêu cầu các cục hải quan siết chặt việc theo dõi thời hạn "
         "tái xuất đối với hàng tạm nhập.",
    paragraphs=(
        "Ngày 1/4, Tổng cục Hải quan có Công văn 4127/TCHQ-GSQL gửi cục hải quan các tỉnh, "
        "thành phố về việc kiểm tra, giám sát hàng hóa tạm nhập để tái xuất qua các cửa khẩu "
        "đường bộ và cảng biển.",
        "Theo công văn, chi cục hải quan nơi làm thủ tục tạm nhập phải lập danh sách các tờ "
        "khai sắp hết thời hạn lưu giữ tại Việt Nam và nhắc doanh nghiệp hoàn tất thủ tục tái "
        "xuất trước thời hạn ít nhất mười ngày.",
        "Trường hợp quá hạn mà hàng chưa được tái xuất, đơn vị phải xác minh tình trạng lô "
        "hàng, lập biên bản vi phạm và báo cáo kết quả về Cục Giám sát quản lý trước ngày 15 "
        "hằng tháng.",
    ),
)

THONG_TU_XUAT_XU = Story(
    slug="thong-tu-31-xac-dinh-xuat-xu-hang-nhap-khau",
    title="Bộ Tài chính ban hành Thông tư 31/2026/TT-BTC về xác định xuất xứ hàng hóa "
          "nhập khẩu",
    date="2026-04-03",
    author="Thu Hà",
    lead="Thông tư 31/2026/TT-BTC hướng dẫn hồ sơ chứng minh xuất xứ khi doanh nghiệp đề "
         "nghị hưởng thuế suất ưu đãi đặc biệt.",
    paragraphs=(
        "Bộ Tài chính vừa ký ban hành Thông tư 31/2026/TT-BTC quy định việc kiểm tra, xác "
        "định xuất xứ hàng hóa nhập khẩu, có hiệu lực sau 45 ngày kể từ ngày ký.",
        "Thông tư nêu rõ người khai hải quan phải nộp chứng từ chứng nhận xuất xứ bản điện tử "
        "hoặc bản chính tại thời điểm làm thủ tục; trường hợp chưa có, doanh nghiệp được nộp "
        "bổ sung trong thời hạn một năm để được xét lại mức thuế.",
        "Cơ quan hải quan được quyền đề nghị nước xuất khẩu xác minh khi có nghi ngờ về tính "
        "hợp lệ của chứng từ, và trong thời gian chờ kết quả vẫn thông quan hàng hóa theo "
        "mức thuế thông thường.",
    ),
)

NEWS_CAN_THO = Story(
    slug="hai-quan-can-tho-ho-tro-doanh-nghiep-thuy-san",
    title="Hải quan Cần Thơ hỗ trợ doanh nghiệp thủy sản khai báo điện tử",
    date="2026-04-04",
    author="Minh Trí",
    lead="Tổ công tác của Cục Hải quan Cần Thơ đã đến từng nhà máy chế biến để hướng dẫn "
         "khai báo trên hệ thống mới.",
    paragraphs=(
        "Trong tuần qua, Cục Hải quan Cần Thơ cử tổ công tác đến làm việc với mười hai doanh "
        "nghiệp chế biến cá tra xuất khẩu để tháo gỡ vướng mắc khi chuyển sang khai báo trên "
        "hệ thống điện tử mới.",
        "Các doanh nghiệp cho biết thời gian chuẩn bị hồ sơ đã giảm đáng kể, nhất là khâu nộp "
        "chứng từ kiểm dịch, vốn trước đây phải mang bản giấy đến chi cục.",
        "Lãnh đạo cục cho biết sẽ duy trì đường dây nóng trong giờ hành chính và tổ chức thêm "
        "một buổi đối thoại vào cuối quý để lắng nghe ý kiến của cộng đồng doanh nghiệp.",
    ),
)

STORIES: tuple[Story, ...] = (CONG_VAN_TAM_NHAP, THONG_TU_XUAT_XU, NEWS_CAN_THO)
