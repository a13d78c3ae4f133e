"""The Telegram HTML parser used by the fake Bot API and by the bot's render tests."""

import html

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.telegram_html import TelegramHTMLError, parse_html, parse_html_report, utf16_len
from telegram.error import BadRequest

TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\0"))
TAGS = {"b": "bold", "i": "italic", "u": "underline", "s": "strikethrough",
        "tg-spoiler": "spoiler", "code": "code", "strong": "bold", "em": "italic"}


@given(TEXT)
def test_escaped_text_parses_back_to_itself(s):
    assert parse_html(html.escape(s, quote=False)) == (s, [])


@given(TEXT.filter(bool))
def test_bold_wrapper_adds_one_entity_measured_in_utf16(s):
    text, entities = parse_html(f"<b>{html.escape(s)}</b>")
    assert text == s
    assert entities == [{"type": "bold", "offset": 0, "length": utf16_len(s)}]


@given(st.lists(st.tuples(st.sampled_from([None, *TAGS]), TEXT.filter(bool)), max_size=8))
def test_segments_map_to_entities_at_their_utf16_offsets(segments):
    source = "".join(html.escape(part) if tag is None else f"<{tag}>{html.escape(part)}</{tag}>"
                     for tag, part in segments)
    expected, offset = [], 0
    for tag, part in segments:
        if tag is not None:
            expected.append({"type": TAGS[tag], "offset": offset, "length": utf16_len(part)})
        offset += utf16_len(part)
    text, entities = parse_html(source)
    assert text == "".join(part for _, part in segments)
    assert sorted(entities, key=lambda e: e["offset"]) == expected


def test_utf16_len_counts_surrogate_pairs():
    assert utf16_len("") == 0
    assert utf16_len("Hải quan") == 8
    assert utf16_len("😀") == 2
    assert utf16_len("a😀b") == 4


def test_entity_and_character_references_decode():
    assert parse_html("a &lt;b&gt; &amp; &quot;c&quot; &#39;d&#x27; &#128512;") == (
        "a <b> & \"c\" 'd' 😀", [])


def test_supported_tags_and_attributes():
    source = (
        '<strong>1</strong><em>2</em><ins>3</ins><del>4</del><strike>5</strike>'
        '<span class="tg-spoiler">6</span><a href="https://haiquan.gov.vn/tin?id=1&amp;p=2">7</a>'
        "<a href='tg://user?id=42'>8</a><code>9</code>"
        '<pre><code class="language-python">x = 1</code></pre><blockquote>q</blockquote>'
        '<blockquote expandable>e</blockquote><tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
        '<tg-time unix="1700000000" format="wDT">t</tg-time><B>B</B>'
    )
    text, entities = parse_html(source)
    assert text == "12345678\u0039x = 1qe👍tB"
    assert entities == [
        {"type": "bold", "offset": 0, "length": 1},
        {"type": "italic", "offset": 1, "length": 1},
        {"type": "underline", "offset": 2, "length": 1},
        {"type": "strikethrough", "offset": 3, "length": 1},
        {"type": "strikethrough", "offset": 4, "length": 1},
        {"type": "spoiler", "offset": 5, "length": 1},
        {"type": "text_link", "offset": 6, "length": 1,
         "url": "https://haiquan.gov.vn/tin?id=1&p=2"},
        {"type": "text_mention", "offset": 7, "length": 1, "user": {"id": 42}},
        {"type": "code", "offset": 8, "length": 1},
        {"type": "pre", "offset": 9, "length": 5, "language": "python"},
        {"type": "blockquote", "offset": 14, "length": 1},
        {"type": "expandable_blockquote", "offset": 15, "length": 1},
        {"type": "custom_emoji", "offset": 16, "length": 2,
         "custom_emoji_id": "5368324170671202286"},
        {"type": "date_time", "offset": 18, "length": 1, "unix_time": 1700000000,
         "date_time_format": "wDT"},
        {"type": "bold", "offset": 19, "length": 1},
    ]


def test_nested_entities_sorted_like_telegram():
    text, entities = parse_html('<b>Tin <i>mới</i> <a href="https://x.vn">ở đây</a></b>')
    assert text == "Tin mới ở đây"
    assert entities == [
        {"type": "bold", "offset": 0, "length": 13},
        {"type": "italic", "offset": 4, "length": 3},
        {"type": "text_link", "offset": 8, "length": 5, "url": "https://x.vn/"},
    ]


def test_empty_tags_produce_no_entity():
    assert parse_html("a<b></b>c") == ("ac", [])


def test_nesting_that_telegram_drops_is_reported():
    report = parse_html_report("<code><b>x</b></code> <b>a<code>y</code>b</b>")
    assert report.text == "x ayb"
    assert report.entities == [
        {"type": "code", "offset": 0, "length": 1},
        {"type": "bold", "offset": 2, "length": 1},
        {"type": "code", "offset": 3, "length": 1},
        {"type": "bold", "offset": 4, "length": 1},
    ]
    assert report.warnings == ["<b> inside <code> is dropped by Telegram (byte offset 6)"]
    nested = parse_html_report('<a href="https://a.vn"><code>x</code></a>')
    assert [e["type"] for e in nested.entities] == ["text_link"]
    assert nested.warnings


def test_ignored_attribute_is_a_warning_not_an_error():
    report = parse_html_report('<a href="https://a.vn" target="_blank">x</a>')
    assert report.entities[0]["type"] == "text_link"
    assert report.warnings == ['attribute "target" of <a> at byte offset 0 is ignored by Telegram']


@pytest.mark.parametrize(("source", "reason"), [
    ("Hải <div>x</div>", 'Unsupported start tag "div" at byte offset 6'),
    ("a <br/> b", 'Unsupported start tag "br/" at byte offset 2'),
    ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
    ("a<b", "Unclosed start tag at byte offset 1"),
    ("<b>đậm", 'Can\'t find end tag corresponding to start tag "b"'),
    ("x</b>", "Unexpected end tag at byte offset 1"),
    ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
    ("<b>x</b", "Unclosed end tag at byte offset 4"),
    ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ('<a href="x" =1>y</a>', 'Empty attribute name in the tag "a" at byte offset 0'),
    ('<tg-emoji emoji-id="abc">x</tg-emoji>', "Invalid custom emoji identifier specified"),
    ("a\0b", "Text must not contain null bytes"),
    ("a & b", 'Character "&" at byte offset 2 must be escaped as "&amp;"'),
    ("&nbsp;", 'Unsupported HTML entity "&nbsp;" at byte offset 0'),
    ("x &lt y", 'Character reference "&lt" at byte offset 2 must end with ";"'),
    ("&#0;", 'Invalid character reference "&#0;" at byte offset 0'),
    ("&#xD800;", 'Invalid character reference "&#xD800;" at byte offset 0'),
    ('<a href="https://a.vn/?x=1&y=2">l</a>', 'Unsupported HTML entity "&y" at byte offset 26'),
    ("<a>x</a>", 'Tag "a" at byte offset 0 must have a non-empty "href" attribute'),
    ('<a href="javascript:alert(1)">x</a>',
     'Unsupported URL "javascript:alert(1)" in tag "a" at byte offset 0'),
])
def test_errors_are_worded_like_telegram_and_ptb(source, reason):
    with pytest.raises(TelegramHTMLError) as caught:
        parse_html(source)
    error = caught.value
    assert error.reason == reason
    assert error.api_description == f"Bad Request: can't parse entities: {reason}"
    # What a bot sees: PTB's BadRequest built from the Bot API answer.
    assert BadRequest(error.api_description).message == error.description == str(error)


def test_byte_offsets_count_utf8_bytes():
    prefix = "Thông báo hải quan "
    with pytest.raises(TelegramHTMLError) as caught:
        parse_html(f"{prefix}<x>")
    assert len(prefix) == 19
    assert caught.value.reason.endswith(f"at byte offset {len(prefix.encode())}")
    assert len(prefix.encode()) == 23


# -- properties over arbitrary markup ---------------------------------------------------------
MARKUP = st.lists(st.sampled_from([
    "<b>", "</b>", "<i>", "</i>", "<u>", "</u>", "<code>", "</code>", "<pre>", "</pre>",
    '<code class="language-py">', '<a href="https://x.vn">', "</a>", "<blockquote>",
    "</blockquote>", "<blockquote expandable>", '<tg-emoji emoji-id="1">', "</tg-emoji>",
    '<tg-time unix="5">', "</tg-time>", "<tg-spoiler>", "</tg-spoiler>", "</>", "<", ">", "&",
    "&amp;", "&#128512;", "&#x;", "&lt", "<B x=y>", "<b ", '<a href="x', "x", "😀", "ệ", " ", "\n",
]), max_size=14).map("".join)


def _check_entities(text, entities):
    size = utf16_len(text)
    units = text.encode("utf-16-le")
    for entity in entities:
        assert entity["length"] > 0
        assert entity["offset"] >= 0
        assert entity["offset"] + entity["length"] <= size
        for edge in (entity["offset"], entity["offset"] + entity["length"]):
            if 0 < edge < size:  # never inside a surrogate pair
                assert not 0xDC00 <= int.from_bytes(units[2 * edge:2 * edge + 2], "little") <= 0xDFFF
    keys = [(e["offset"], -e["length"]) for e in entities]
    assert keys == sorted(keys)


@given(st.one_of(MARKUP, TEXT))
def test_any_input_parses_consistently_or_raises_telegram_error(source):
    try:
        report = parse_html_report(source)
    except TelegramHTMLError as error:
        rejected = error
    else:
        _check_entities(report.text, report.entities)
        return
    assert rejected.api_description == f"Bad Request: can't parse entities: {rejected.reason}"


NESTED = st.recursive(
    TEXT.filter(bool).map(lambda s: (None, s)),
    lambda inner: st.tuples(st.sampled_from([
        "b", "i", "u", "s", "code", "pre", "blockquote", "tg-spoiler", 'a href="https://a.vn/"',
    ]), st.lists(inner, min_size=1, max_size=3)),
    max_leaves=10,
)


def _render(node):
    tag, body = node
    if tag is None:
        return html.escape(body), body
    inner = [_render(child) for child in body]
    name = tag.split()[0]
    return (f"<{tag}>" + "".join(h for h, _ in inner) + f"</{name}>",
            "".join(t for _, t in inner))


@given(NESTED)
def test_well_formed_nesting_always_parses_and_obeys_the_nesting_rules(node):
    source, expected_text = _render(node)
    report = parse_html_report(source)
    assert report.text == expected_text
    _check_entities(report.text, report.entities)
    spans = [(e["type"], e["offset"], e["offset"] + e["length"]) for e in report.entities]
    formatting = {"bold", "italic", "underline", "strikethrough", "spoiler"}
    for kind, start, end in spans:
        for other, o_start, o_end in spans:
            if (kind, start, end) == (other, o_start, o_end):
                continue
            overlap = start < o_end and o_start < end
            if not overlap:
                continue
            # Only formatting may cross other entities (after being cut around code/pre).
            if kind not in formatting and other not in formatting:
                assert (o_start <= start and end <= o_end) or (start <= o_start and o_end <= end)
            if kind in formatting:
                assert other not in {"code", "pre"}
            if kind == "blockquote":
                assert other != "blockquote"


# -- details of Telegram's behaviour ----------------------------------------------------------
@pytest.mark.parametrize(("source", "reason"), [
    ("<DIV>", 'Unsupported start tag "div" at byte offset 0'),
    ("<b>x</I>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
    ("<b><i>x", 'Can\'t find end tag corresponding to start tag "i"'),
    ("<b>x</b y>", "Unclosed end tag at byte offset 4"),
    ("<b x", 'Unclosed start tag "b" at byte offset 0'),
    ("<b x=", 'Unclosed start tag "b" at byte offset 0'),
    ('<b x="y', "Unclosed start tag at byte offset 0"),
    ("<b ", 'Empty attribute name in the tag "b" at byte offset 0'),
    ("<b />x</b>", 'Empty attribute name in the tag "b" at byte offset 0'),
    ('<a href="x&q', 'Unsupported HTML entity "&q" at byte offset 10'),
    ("<a href=https://a.vn>x</a>", "Unexpected end of name token at byte offset 8"),
    ("&#X41;", 'Invalid character reference "&#" at byte offset 0'),
    ("&#00000065;", 'Invalid character reference "&#00000065;" at byte offset 0'),
    ("&#x0000041;", 'Invalid character reference "&#x0000041;" at byte offset 0'),
    ("&#;", 'Invalid character reference "&#;" at byte offset 0'),
    ("&LT;", 'Unsupported HTML entity "&LT;" at byte offset 0'),
    ("a&amp", 'Character reference "&amp" at byte offset 1 must end with ";"'),
    ('<tg-time unix="5" format="q">x</tg-time>', "Invalid date format used"),
    ('<tg-time format="t">x</tg-time>',
     'Tag "tg-time" at byte offset 0 must have a valid "unix" attribute'),
    ('<a href="http://localhost-only">x</a>',
     'Unsupported URL "http://localhost-only" in tag "a" at byte offset 0'),
])
def test_more_errors(source, reason):
    with pytest.raises(TelegramHTMLError) as caught:
        parse_html(source)
    assert caught.value.reason == reason


def test_lenient_spots_that_telegram_accepts():
    assert parse_html("<b\n>x</b >") == ("x", [{"type": "bold", "offset": 0, "length": 1}])
    assert parse_html("&#0000065;&#x00041;") == ("AA", [])
    assert parse_html("a > b") == ("a > b", [])
    closed = parse_html_report("<b>x</>")
    assert closed.entities == [{"type": "bold", "offset": 0, "length": 1}]
    assert closed.warnings == ["</> at byte offset 4 closes <b>"]
    assert parse_html("<blockquote expandable=1>q</blockquote>")[1][0]["type"] == \
        "expandable_blockquote"


@pytest.mark.parametrize(("href", "entity"), [
    ("https://x.vn", {"type": "text_link", "url": "https://x.vn/"}),
    ("http://x.vn?a=1", {"type": "text_link", "url": "http://x.vn?a=1"}),
    ("http://localhost", {"type": "text_link", "url": "http://localhost/"}),
    ("tg://resolve?domain=abc", {"type": "text_link", "url": "tg://resolve?domain=abc"}),
    ("ton://wallet", {"type": "text_link", "url": "ton://wallet"}),
    ("tg://user?id=5", {"type": "text_mention", "user": {"id": 5}}),
])
def test_link_urls(href, entity):
    assert parse_html(f'<a href="{href}">x</a>')[1] == [{"offset": 0, "length": 1, **entity}]


def test_code_names_the_language_only_when_it_is_the_whole_pre():
    whole = parse_html_report('<pre><code class="language-py">x</code></pre>')
    assert whole.entities == [{"type": "pre", "offset": 0, "length": 1, "language": "py"}]
    assert not whole.warnings
    part = parse_html_report('<pre> <code class="language-py">x</code></pre>')
    assert part.entities == [{"type": "pre", "offset": 0, "length": 2}]
    assert part.warnings == ["<code> inside <pre> is dropped by Telegram (byte offset 6)"]
    plain = parse_html_report('<code class="language-py">x</code>')
    assert plain.entities == [{"type": "code", "offset": 0, "length": 1}]
    assert plain.warnings == [
        'attribute "class" of <code> at byte offset 0 is ignored by Telegram outside <pre>']


def test_nesting_rules_for_quotes_and_indivisible_entities():
    quote_in_quote = parse_html_report("<blockquote><blockquote>x</blockquote></blockquote>")
    assert quote_in_quote.entities == [{"type": "blockquote", "offset": 0, "length": 1}]
    assert quote_in_quote.warnings == [
        "<blockquote> inside <blockquote> is dropped by Telegram (byte offset 12)"]
    link_around_quote = parse_html_report('<a href="https://x.vn"><blockquote>x</blockquote></a>')
    assert [e["type"] for e in link_around_quote.entities] == ["blockquote"]
    assert link_around_quote.warnings
    emoji_with_bold = parse_html('<tg-emoji emoji-id="1"><b>x</b></tg-emoji>')[1]
    assert [e["type"] for e in emoji_with_bold] == ["custom_emoji", "bold"]
    split = parse_html("<i>a<pre>b</pre>c</i>")[1]
    assert split == [{"type": "italic", "offset": 0, "length": 1},
                     {"type": "pre", "offset": 1, "length": 1},
                     {"type": "italic", "offset": 2, "length": 1}]


def test_empty_link_is_reported():
    assert parse_html_report('<a href="https://x.vn"></a>').warnings == [
        "empty <a> at byte offset 0 produces no link"]
