"""Unit and property tests for analysis.report: every data string is escaped, only http(s) links are emitted."""

from __future__ import annotations

import copy
import html
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from analysis.report import Html, Markdown, escape_markdown, link, md, table

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
JS_URL = "javascript:alert(1)"
HTML_PAYLOADS = [SCRIPT, IMG, '"><script>alert(1)</script>', "'><img src=x onerror=alert(1)>"]
PAYLOADS = [*HTML_PAYLOADS, JS_URL]

ALLOWED_TAGS = {"div", "table", "caption", "thead", "tbody", "tr", "th", "td", "a"}
ALLOWED_ATTRS = {"class", "href", "rel", "role", "aria-label", "tabindex", "scope", "data-sort", "data-label"}


def box(inner: str, name: str = "Table") -> str:
    """The scroll box every table comes in (a narrow screen scrolls the table, never the page)."""
    return f'<div class="table-scroll" role="region" aria-label="{name}" tabindex="0">{inner}</div>'


class _Markup(HTMLParser):
    """Collects the tags, attributes and cell texts of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.cells: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)
        if tag in ("td", "th", "caption"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th", "caption") and self._cell is not None:
            self.cells.append("".join(self._cell))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def parse(fragment: str) -> _Markup:
    parser = _Markup()
    parser.feed(fragment)
    parser.close()
    return parser


def hrefs(fragment: str) -> list[str]:
    return [value for name, value in parse(fragment).attrs if name == "href"]


def render_markdown(text: str) -> str:
    """Render Markdown to HTML with mistune, the renderer nbconvert uses for the HTML reports."""
    mistune = pytest.importorskip("mistune")
    return mistune.html(text)


# --- escape_markdown -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("<b>x</b>", "&lt;b&gt;x&lt;/b&gt;"),  # HTML tags
        ("[x](javascript:alert(1))", "\\[x\\]\\(javascript:alert\\(1\\)\\)"),  # a Markdown link
        ("a_b*c*", "a\\_b\\*c\\*"),  # emphasis
        ("AT&T", "AT&amp;T"),  # an ampersand
        ('say "hi"', 'say "hi"'),  # double quotes are plain text in Markdown prose
        ("Côte d'Ivoire", "Côte d'Ivoire"),  # an apostrophe must not become a visible entity
        ("#1 | $5 ~ `x` {y} + !", "\\#1 \\| \\$5 \\~ \\`x\\` \\{y\\} \\+ \\!"),  # the other special characters
        ("back\\slash", "back\\\\slash"),  # a backslash
        (42, "42"),  # not a string
        (None, "None"),  # None is shown as text
        ("plain text, 2024-01-12.", "plain text, 2024-01-12."),  # nothing to escape
    ],
)
def test_escape_markdown(value, expected):
    assert escape_markdown(value) == expected


@pytest.mark.parametrize(
    "payload",
    [
        SCRIPT,
        IMG,
        JS_URL,
        '"><script>alert(1)</script>',  # breaking out of an attribute
        "[x](javascript:alert(1))",  # a Markdown link
        "![x](https://evil.example/x.png)",  # a Markdown image
        "<https://evil.example>",  # an autolink
        "**bold** _it_ `code` # heading",  # formatting
    ],
)
def test_escape_markdown_renders_as_literal_text(payload):
    rendered = render_markdown(escape_markdown(payload))
    assert "<script" not in rendered
    assert "<img" not in rendered
    assert "<a " not in rendered
    # what the reader sees is exactly the value
    assert html.unescape(rendered) == f"<p>{payload}</p>\n"


@pytest.mark.parametrize("value", ["Côte d'Ivoire", "the President's Office"])
def test_escape_markdown_apostrophe_renders_as_apostrophe(value):
    rendered = render_markdown(escape_markdown(value))
    assert html.unescape(rendered) == f"<p>{value}</p>\n"


# --- md --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "values", "expected"),
    [
        ("**{n}** parties", {"n": 3}, "**3** parties"),  # a number is not escaped
        ("{share:.0%} signed", {"share": 0.254}, "25% signed"),  # the template's format spec applies to numbers
        ("{n:,} km", {"n": np.int64(1200)}, "1,200 km"),  # numpy integers are numbers
        ("{x:.1f}", {"x": np.float64(2.25)}, "2.2"),  # numpy floats are numbers (round half to even)
        ("{flag}", {"flag": True}, "True"),  # a bool is escaped as text
        ("first: {name}", {"name": SCRIPT}, "first: &lt;script&gt;alert\\(1\\)&lt;/script&gt;"),
        ("first: {name}", {"name": IMG}, "first: &lt;img src=x onerror=alert\\(1\\)&gt;"),
        ("see {name}", {"name": "[x](javascript:alert(1))"}, "see \\[x\\]\\(javascript:alert\\(1\\)\\)"),
        ("{a} and {b}", {"a": "x_y", "b": "{c}"}, "x\\_y and \\{c\\}"),  # a value's braces are not a placeholder
    ],
)
def test_md(template, values, expected):
    out = md(template, **values)
    assert out == expected
    assert isinstance(out, Markdown)
    assert out._repr_markdown_() == expected


@pytest.mark.parametrize("payload", [*PAYLOADS, "[x](javascript:alert(1))"])
def test_md_payload_never_becomes_markup(payload):
    out = md("Partner: {name}", name=payload)
    assert payload not in out
    rendered = render_markdown(out)
    assert "<script" not in rendered
    assert "<img" not in rendered
    assert "<a " not in rendered


# --- link ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "text", "expected"),
    [
        (
            "https://example.org/a?b=1&c=2",
            "Example",
            '<a href="https://example.org/a?b=1&amp;c=2" rel="noopener noreferrer">Example</a>',
        ),
        (
            "http://example.org",
            None,
            '<a href="http://example.org" rel="noopener noreferrer">http://example.org</a>',
        ),  # the url as text
        ("HTTPS://EXAMPLE.ORG/X", "x", '<a href="HTTPS://EXAMPLE.ORG/X" rel="noopener noreferrer">x</a>'),  # scheme in capitals
        (
            "https://example.org",
            IMG,
            '<a href="https://example.org" rel="noopener noreferrer">&lt;img src=x onerror=alert(1)&gt;</a>',
        ),
        (
            "https://example.org",
            SCRIPT,
            '<a href="https://example.org" rel="noopener noreferrer">&lt;script&gt;alert(1)&lt;/script&gt;</a>',
        ),
        (JS_URL, "x", "x"),  # javascript: is shown as text
        ("JavaScript:alert(1)", None, "JavaScript:alert(1)"),  # in any case, the url itself as text
        (" javascript:alert(1)", "x", "x"),  # a leading space
        ("data:text/html,<script>alert(1)</script>", None, "data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;"),
        ('https://example.org/"onmouseover="alert(1)', "x", "x"),  # a quote would break out of the attribute
        ("https://example.org/'x", "x", "x"),  # a single quote
        ("https://example.org/<script>", "x", "x"),  # a tag in the url
        ("https://exa mple.org", "x", "x"),  # whitespace
        ("//example.org", "x", "x"),  # scheme-relative
        ("ftp://example.org", "x", "x"),  # another scheme
        ("https://", "x", "x"),  # nothing after the scheme
        (None, "x", "x"),  # no url
        (42, None, "42"),  # not a string
        ("vbscript:msgbox(1)", "<b>", "&lt;b&gt;"),  # the text is escaped either way
    ],
)
def test_link(url, text, expected):
    assert link(url, text) == expected


@pytest.mark.parametrize(
    "url",
    [JS_URL, "JAVASCRIPT:alert(1)", "data:text/html;base64,PHNjcmlwdD4=", 'https://x.org/"><script>', "https://ok.example/path"],
)
def test_link_emits_only_http_hrefs(url):
    out = link(url, IMG)
    assert IMG not in out
    assert all(h.startswith(("http://", "https://")) for h in hrefs(out))
    assert len(hrefs(out)) == (1 if url == "https://ok.example/path" else 0)


def test_link_rejects_trailing_newline():
    assert link("https://example.org/\n", "x") == "x"


# --- table -----------------------------------------------------------------------------------------


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "party": pd.array(["<b>X</b>", None], dtype="string"),
            "n": [1200, 35],
            "share": [0.5, np.nan],
            "signed": pd.to_datetime(["2024-01-12", None]),
            "ok": [True, False],
            "url": pd.array(["https://example.org/?a=1&b=2", JS_URL], dtype="string"),
        }
    )


def test_table_full_output():
    out = table(
        _frame(), caption="A & B <i>", formats={"n": ",d", "share": ".0%"}, links={"party": "url"}, labels={"n": "Parties <n>"}
    )
    expected = box(
        '<table class="data-table"><caption>A &amp; B &lt;i&gt;</caption>'
        # the url column is hidden; numbers (not booleans) get class="num"; a label is escaped
        '<thead><tr><th scope="col">party</th><th scope="col" class="num">Parties &lt;n&gt;</th><th scope="col" class="num">share</th>'
        '<th scope="col" class="date">signed</th><th scope="col">ok</th></tr></thead>'
        "<tbody>"
        # numbers and dates carry a sort key; a date reads as a reader writes it; every cell names its column (escaped)
        '<tr><td data-label="party"><a href="https://example.org/?a=1&amp;b=2" rel="noopener noreferrer">&lt;b&gt;X&lt;/b&gt;</a></td>'
        '<td class="num" data-sort="1200" data-label="Parties &lt;n&gt;">1,200</td><td class="num" data-sort="0.5" data-label="share">50%</td>'
        '<td class="date" data-sort="2024-01-12" data-label="signed">12 Jan 2024</td><td data-label="ok">True</td></tr>'
        # missing text: the url as text, and a javascript: url is never a link; NaN and NaT are "–"
        '<tr><td data-label="party">javascript:alert(1)</td><td class="num" data-sort="35" data-label="Parties &lt;n&gt;">35</td>'
        '<td class="num" data-label="share">–</td><td class="date" data-sort="" data-label="signed">–</td>'
        '<td data-label="ok">False</td></tr>'
        "</tbody></table>",
        "A &amp; B &lt;i&gt;",
    )
    assert out == expected
    assert isinstance(out, Html)
    assert out._repr_html_() == expected


def test_table_plain():
    out = table(pd.DataFrame({"a": ["x"], "b": [None]}))
    assert out == box(
        '<table class="data-table"><thead><tr><th scope="col">a</th><th scope="col">b</th></tr></thead>'
        '<tbody><tr><td data-label="a">x</td><td data-label="b">–</td></tr></tbody></table>'
    )


def test_table_empty_frame():
    out = table(pd.DataFrame({"a": pd.Series(dtype="string")}))
    assert out == box('<table class="data-table"><thead><tr><th scope="col">a</th></tr></thead><tbody></tbody></table>')


def test_table_nan_link_text_falls_back_to_url():
    out = table(pd.DataFrame({"t": [np.nan], "u": ["https://e.org"]}), links={"t": "u"})
    assert '<a href="https://e.org" rel="noopener noreferrer">https://e.org</a>' in out


@pytest.mark.parametrize("payload", HTML_PAYLOADS)
def test_table_neutralises_payloads(payload):
    frame = pd.DataFrame({"name": [payload], payload: [payload], "url": [JS_URL], "site": [payload]})
    out = table(frame, caption=payload, links={"site": "url"}, labels={"name": payload})
    assert payload not in out
    assert "<script" not in out.lower()
    markup = parse(out)
    assert set(markup.tags) <= ALLOWED_TAGS
    assert {name for name, _ in markup.attrs} <= ALLOWED_ATTRS
    assert hrefs(out) == []  # the javascript: url is not linked
    # caption, 3 headers (one labelled, one named by the payload), 3 cells: the payload is shown as text
    assert markup.cells == [payload, payload, payload, "site", payload, payload, payload]


def test_table_links_only_http():
    frame = pd.DataFrame({"name": ["a", "b", "c"], "url": ["https://ok.example/1", JS_URL, "http://ok.example/2"]})
    out = table(frame, links={"name": "url"})
    assert hrefs(out) == ["https://ok.example/1", "http://ok.example/2"]


@settings(max_examples=100, deadline=None)
@given(
    cells=st.lists(st.one_of(st.text(), st.sampled_from(PAYLOADS)), min_size=1, max_size=5),
    caption=st.one_of(st.text(min_size=1), st.sampled_from(PAYLOADS)),
    label=st.one_of(st.text(), st.sampled_from(PAYLOADS)),
    url=st.one_of(st.text(), st.sampled_from([*PAYLOADS, "https://ok.example/x"])),
)
def test_table_escapes_arbitrary_text(cells, caption, label, url):
    frame = pd.DataFrame({"text": cells, "linked": cells, "url": [url] * len(cells)})
    out = table(frame, caption=caption, labels={"text": label}, links={"linked": "url"})
    # '<' from the data is always escaped, so no script tag can start, and onerror= is never an attribute
    assert "<script" not in out.lower()
    markup = parse(out)
    assert set(markup.tags) <= ALLOWED_TAGS
    assert "onerror" not in {name for name, _ in markup.attrs}
    assert {name for name, _ in markup.attrs} <= ALLOWED_ATTRS
    assert all(h.startswith(("http://", "https://")) for h in hrefs(out))
    # the text shown is exactly the data: caption, two headers, then two cells per row
    # an empty link text falls back to the url, so that the link stays visible
    assert markup.cells == [caption, label, "linked"] + [c for cell in cells for c in (cell, cell or url)]


def test_table_does_not_modify_input():
    frame = _frame()
    before = copy.deepcopy(frame)
    table(frame, formats={"n": ",d"}, links={"party": "url"})
    assert_frame_equal(frame, before)
