"""Abbreviations the trade types, and what they stand for.

Expansion happens in the analyser on both sides -- in articles and in questions -- so
"thuế NK" in an article matches a question about "thuế nhập khẩu" and the other way
round. Every key is a vowel-less token (after folding), which no Vietnamese syllable is,
so an expansion can never swallow a real word. Ambiguous ones (CP: Chính phủ or cổ phần,
TK: tờ khai or tài khoản, CT: Cục Thuế or chỉ thị) are left out on purpose.
"""

from __future__ import annotations

__all__ = ["ABBREVIATIONS", "PHRASES"]

# Keys: lower-case, diacritics folded (đ → d). Values: canonical Vietnamese.
ABBREVIATIONS: dict[str, str] = {
    # customs and trade
    "hq": "hải quan",
    "tchq": "tổng cục hải quan",
    "xnk": "xuất nhập khẩu",
    "nk": "nhập khẩu",
    "xk": "xuất khẩu",
    "xnc": "xuất nhập cảnh",
    "ktstq": "kiểm tra sau thông quan",
    "ktcn": "kiểm tra chuyên ngành",
    "qlrr": "quản lý rủi ro",
    "gsql": "giám sát quản lý",
    "txnk": "thuế xuất nhập khẩu",
    "dtcbl": "điều tra chống buôn lậu",
    "qltt": "quản lý thị trường",
    "nsw": "một cửa quốc gia",
    "kcn": "khu công nghiệp",
    "dncx": "doanh nghiệp chế xuất",
    "tmdt": "thương mại điện tử",
    # public administration
    "btc": "bộ tài chính",
    "bct": "bộ công thương",
    "tct": "tổng cục thuế",
    "cqt": "cơ quan thuế",
    "ubnd": "ủy ban nhân dân",
    "nhnn": "ngân hàng nhà nước",
    "nsnn": "ngân sách nhà nước",
    "tthc": "thủ tục hành chính",
    "cchc": "cải cách hành chính",
    "dvc": "dịch vụ công",
    "cbcc": "cán bộ công chức",
    "nd": "nghị định",
    "qd": "quyết định",
    # taxes and invoices
    "gtgt": "giá trị gia tăng",
    "tncn": "thu nhập cá nhân",
    "tndn": "thu nhập doanh nghiệp",
    "ttdb": "tiêu thụ đặc biệt",
    "hddt": "hóa đơn điện tử",
    "mst": "mã số thuế",
    "nnt": "người nộp thuế",
    # business
    "dn": "doanh nghiệp",
    "dnnn": "doanh nghiệp nhà nước",
    "tnhh": "trách nhiệm hữu hạn",
    "tmcp": "thương mại cổ phần",
    "sxkd": "sản xuất kinh doanh",
    "bctc": "báo cáo tài chính",
    "tscd": "tài sản cố định",
    "hdld": "hợp đồng lao động",
    "nld": "người lao động",
    "bhxh": "bảo hiểm xã hội",
    "bhyt": "bảo hiểm y tế",
    "bhtn": "bảo hiểm thất nghiệp",
    "cntt": "công nghệ thông tin",
    "htx": "hợp tác xã",
    "bds": "bất động sản",
    "cmnd": "chứng minh nhân dân",
    # places
    "tphcm": "thành phố hồ chí minh",
    "hcm": "hồ chí minh",
    "tp": "thành phố",
    "kv": "khu vực",
}

# Abbreviations written with punctuation inside, matched before tokenising.
# Keys are regular expressions on the normalised text (case-insensitive).
PHRASES: dict[str, str] = {
    r"c\s?/\s?o": "chứng nhận xuất xứ",
}
