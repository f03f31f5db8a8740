"""Display helpers for notebooks: escaped tables, prose with numbers from code, safe links, figure credits.

Every string that comes from the data is HTML-escaped here, and only http(s) links are rendered, so a
``<script>`` or ``onerror=`` placed in a data field shows as text in a report and never runs. The
build's sanitizer is a second line of defence, not the first.
"""

from __future__ import annotations

import html
import numbers
import re
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~$])")
_SAFE_URL = re.compile(r"^https?://[^\s\"'<>]+$", re.IGNORECASE)


class Html(str):
    """A string of trusted HTML that Jupyter displays as HTML."""

    def _repr_html_(self) -> str:
        return str(self)


class Markdown(str):
    """A string of Markdown (with data values already escaped) that Jupyter displays as Markdown."""

    def _repr_markdown_(self) -> str:
        return str(self)


def escape_markdown(value: object) -> str:
    """Escape a value for Markdown prose: HTML-escaped, and Markdown's special characters backslash-escaped.

    >>> escape_markdown("<b>[x](javascript:alert(1))</b>")
    '&lt;b&gt;\\\\[x\\\\]\\\\(javascript:alert\\\\(1\\\\)\\\\)&lt;/b&gt;'
    """
    return _MD_SPECIAL.sub(r"\\\1", html.escape(str(value), quote=False))


def md(template: str, **values: object) -> Markdown:
    """Markdown prose whose ``{placeholders}`` are filled with escaped values.

    The template is the notebook author's (trusted); every value is escaped. Numbers keep the
    template's format spec, e.g. ``{share:.0%}``.

    >>> md("**{n}** parties, first: {name}", n=3, name="<script>")
    '**3** parties, first: &lt;script&gt;'
    """
    safe = {
        k: (v if isinstance(v, numbers.Number) and not isinstance(v, bool) else escape_markdown(v)) for k, v in values.items()
    }
    return Markdown(template.format(**safe))


def link(url: object, text: object | None = None) -> str:
    """An ``<a>`` element for an http(s) url; any other scheme is shown as plain, escaped text.

    >>> link("https://example.org/a?b=1&c=2", "Example")
    '<a href="https://example.org/a?b=1&amp;c=2" rel="noopener noreferrer">Example</a>'
    >>> link("javascript:alert(1)", "x")
    'x'
    """
    label = html.escape(str(url if text is None else text))
    if isinstance(url, str) and _SAFE_URL.fullmatch(url):
        return f'<a href="{html.escape(url, quote=True)}" rel="noopener noreferrer">{label}</a>'
    return label


def _cell(value: object, fmt: str | None) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "–"
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if fmt:
        return html.escape(format(value, fmt))
    return html.escape(str(value))


def table(
    frame: pd.DataFrame,
    caption: str | None = None,
    formats: Mapping[str, str] | None = None,
    links: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
) -> Html:
    """An escaped HTML table of ``frame`` (no index), for reports.

    ``formats`` maps a column to a format spec (``",.0f"``); ``links`` maps a text column to the
    column holding its url (rendered only if http/https); ``labels`` renames headers.

    >>> t = table(pd.DataFrame({"party": ["<b>X</b>"], "n": [1200]}), formats={"n": ",d"})
    >>> "&lt;b&gt;X&lt;/b&gt;" in t and ">1,200<" in t
    True
    """
    formats, links, labels = dict(formats or {}), dict(links or {}), dict(labels or {})
    hidden = set(links.values())
    columns = [c for c in frame.columns if c not in hidden]
    numeric = {c for c in columns if pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])}
    dates = {c for c in columns if pd.api.types.is_datetime64_any_dtype(frame[c])}
    css = {c: ' class="num"' if c in numeric else ' class="date"' if c in dates else "" for c in columns}
    head = "".join(f"<th{css[c]}>{html.escape(str(labels.get(c, c)))}</th>" for c in columns)
    rows = []
    for record in frame.to_dict("records"):
        cells = []
        for c in columns:
            text = _cell(record[c], formats.get(c))
            if c in links and isinstance(record.get(links[c]), str):
                label = record[c] if isinstance(record[c], str) and record[c] else record[links[c]]
                text = link(record[links[c]], label)
            cells.append(f"<td{css[c]}>{text}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return Html(f'<table class="data-table">{cap}<thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>')


@dataclass(frozen=True)
class NotebookContext:
    """What every notebook starts from: the dataset, the release, its cut-off date and party names."""

    ds: Mapping[str, pd.DataFrame]
    release: dict[str, str]
    cutoff: str
    names: dict[str, str]


def setup(data_dir: str | None = None) -> NotebookContext:
    """Configure a notebook for reports (PNG figures at a fixed resolution, the plot theme) and load the data.

    >>> ctx = setup()
    >>> ctx.names["UKR"], ctx.cutoff == ctx.release["cutoff_date"]
    ('Ukraine', True)
    """
    from IPython import get_ipython

    from analysis.load import data_version, load_dataset
    from analysis.overview import party_names
    from analysis.plots import use_theme

    shell = get_ipython()
    if shell is not None:
        shell.run_line_magic("config", "InlineBackend.figure_formats = ['png']")
        shell.run_line_magic("config", "InlineBackend.rc = {'figure.dpi': 110, 'savefig.dpi': 110}")
    use_theme()
    ds = load_dataset(data_dir)
    release = data_version(data_dir)
    return NotebookContext(ds=ds, release=release, cutoff=release["cutoff_date"], names=party_names(ds.parties))
