"""``haiquan-bot ask``: the bot's answer, as plain text in a shell."""

from bot.__main__ import build_parser
from bot.cli import MESSAGE_RULE
from bot.platform.cards import PAGE_SIZE


def ask(*argv: str) -> int:
    args = build_parser().parse_args(["ask", *argv])
    return args.handler(args)


def test_ask_prints_the_answer_with_sources(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("HAIQUAN_CORPUS_DIR", raising=False)
    assert ask("hoan thue hang tai xuat nguyen trang", "--data-dir", str(tmp_path)) == 0
    out = capsys.readouterr().out
    assert out.startswith("🔎 Kết quả 1–3/3 cho «hoan thue hang tai xuat nguyen trang»")
    assert "1. Công văn 6529/TCHQ-TXNK" in out
    assert "🔗 hddtvn.com (https://hddtvn.com/" in out
    assert "<b>" not in out
    assert (tmp_path / "cache").is_dir()  # the data-dir caches are used


def test_ask_top_k_and_nothing_found(tmp_path, capsys):
    assert ask("hoàn thuế", "--top-k", "5", "--data-dir", str(tmp_path)) == 0
    out = capsys.readouterr().out
    assert "Kết quả 1–5/5" in out and "5. " in out and MESSAGE_RULE not in out
    assert ask("zxcvb qwerty asdfgh", "--data-dir", str(tmp_path)) == 0
    assert "Không tìm thấy" in capsys.readouterr().out
    assert PAGE_SIZE == 3
