"""Display helpers for notebooks: escaped tables, prose with numbers from code, safe links, figure credits.

Every string that comes from the data is HTML-escaped here, and only http(s) links are rendered, so a
``<script>`` or ``onerror=`` placed in a data field shows as text in a report and never runs. The
build's sanitizer is a second line of defence, not the first.
"""

from __future__ import annotations

import html
import numbers
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis import labels as words
from analysis import precisions

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

    The template is the notebook author's (trusted); every value is escaped, except :class:`Html` built
    by these helpers (a registered figure's ``<span>``). Numbers keep the template's format spec, e.g.
    ``{share:.0%}``.

    >>> md("**{n}** parties, first: {name}", n=3, name="<script>")
    '**3** parties, first: &lt;script&gt;'
    """
    safe = {
        k: (v if (isinstance(v, numbers.Number) and not isinstance(v, bool)) or isinstance(v, Html) else escape_markdown(v))
        for k, v in values.items()
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


#: A text cell longer than this many characters shows its first words and folds the rest (no quote of the clause
#: matrix is this long), so that no row outgrows a phone's screen.
FOLD_TEXT = 400
#: Where a folded cell is cut: at the last space before this many characters.
FOLD_AT = 220


def fold(escaped: str) -> str:
    """An escaped text cell's first words, and the rest behind a "more" toggle that works without script.

    >>> fold("word " * 60)[:40]
    'word word word word word word word word '
    >>> "<details" in fold("word " * 60), fold("short")
    (True, 'short')
    """
    if len(escaped) <= FOLD_AT:
        return escaped
    cut = escaped.rfind(" ", 0, FOLD_AT)
    cut = cut if cut > 0 else FOLD_AT
    if "&" in escaped[max(0, cut - 8):cut]:  # never cut inside an entity
        cut = escaped.rfind(" ", 0, cut - 8) if escaped.rfind(" ", 0, cut - 8) > 0 else cut
    return f'{escaped[:cut]} <details class="more"><summary>more</summary>{escaped[cut:].lstrip()}</details>'


#: A text cell longer than this many characters gets a wide column (class "long"), so its row stays short.
LONG_TEXT = 120


def _cell(value: object, fmt: str | None, precision: str | None = None, displays: Mapping[str, str] | None = None) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "–"
    if isinstance(value, pd.Timestamp):
        return html.escape(words.format_date(value, precision, displays))
    if fmt:
        return html.escape(format(value, fmt))
    return html.escape(str(value))


def table(
    frame: pd.DataFrame,
    caption: str | None = None,
    formats: Mapping[str, str] | None = None,
    links: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
    dates: Mapping[str, str] | None = None,
    download: str | None = None,
) -> Html:
    """An escaped HTML table of ``frame`` (no index), in a box that scrolls on a narrow screen.

    ``formats`` maps a column to a format spec (``",.0f"``); ``links`` maps a text column to the
    column holding its url (rendered only if http/https); ``labels`` renames headers; ``dates`` maps a
    date column to the column holding its precision (``day``, ``month``, ``year``), so that dates show
    as precisely as they are known (``Jan 2024``). Dates sort by their ISO value. With ``download``
    the table's data is also written as a CSV file next to the report and linked under it.

    >>> t = table(pd.DataFrame({"party": ["<b>X</b>"], "n": [1200]}), formats={"n": ",d"})
    >>> "&lt;b&gt;X&lt;/b&gt;" in t and ">1,200<" in t
    True
    >>> t = table(pd.DataFrame({"d": pd.to_datetime(["2024-01-01"]), "p": ["month"]}), dates={"d": "p"})
    >>> ">Jan 2024<" in t and 'data-sort="2024-01-01"' in t and ">p<" not in t
    True
    """
    formats, links, labels, dates = dict(formats or {}), dict(links or {}), dict(labels or {}), dict(dates or {})
    hidden = set(links.values()) | set(dates.values())
    columns = [c for c in frame.columns if c not in hidden]
    numeric = {c for c in columns if pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])}
    is_date = {c for c in columns if pd.api.types.is_datetime64_any_dtype(frame[c])}
    css = {c: ' class="num"' if c in numeric else ' class="date"' if c in is_date else "" for c in columns}
    head = "".join(f'<th scope="col"{css[c]}>{html.escape(str(labels.get(c, c)))}</th>' for c in columns)
    # each cell names its column, for the stacked cards a phone shows (CSS: td::before { content: attr(data-label) })
    name_of = {c: html.escape(str(labels.get(c, c)), quote=True) for c in columns}
    shown_as = precisions.displays() if dates else None  # the vocabulary read once, not once per cell
    rows = []
    for record in frame.to_dict("records"):
        cells = []
        for c in columns:
            precision = record.get(dates[c]) if c in dates else None
            text = _cell(record[c], formats.get(c), precision if isinstance(precision, str) else None, shown_as)
            if c in links and isinstance(record.get(links[c]), str):
                label = record[c] if isinstance(record[c], str) and record[c] else record[links[c]]
                text = link(record[links[c]], label)
            sort = ""
            if c in is_date:
                sort = f' data-sort="{words.iso(record[c])}"'
            elif c in numeric and not pd.isna(record[c]):
                sort = f' data-sort="{html.escape(str(record[c]))}"'
            kind = css[c] or (' class="long"' if isinstance(record[c], str) and len(record[c]) > LONG_TEXT else "")
            if c not in links and isinstance(record[c], str) and len(record[c]) > FOLD_TEXT:
                text = fold(text)
            cells.append(f'<td{kind}{sort} data-label="{name_of[c]}">{text}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    name = html.escape(caption or "Table", quote=True)
    body = (f'<div class="table-scroll" role="region" aria-label="{name}" tabindex="0"><table class="data-table">{cap}'
            f'<thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>')  # fmt: skip
    if download:
        shown = frame[columns].rename(columns={c: str(labels.get(c, c)) for c in columns})
        body += _download_note(shown, download)
    return Html(body)


# --------------------------------------------------------------------------- downloads and figures

#: Set by the build for each report: where its CSV files go, how the report links them, and its name.
DOWNLOADS_DIR_ENV = "ANALYSIS_DOWNLOADS_DIR"
DOWNLOADS_HREF_ENV = "ANALYSIS_DOWNLOADS_HREF"
REPORT_NAME_ENV = "ANALYSIS_REPORT_NAME"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "data"


def csv_text(frame: pd.DataFrame) -> str:
    """A frame as CSV the way the downloads hold it: UTF-8, LF, ISO dates, no index.

    >>> csv_text(pd.DataFrame({"when": pd.to_datetime(["2024-01-12"]), "n": [1]}))
    'when,n\\n2024-01-12,1\\n'
    """
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].dt.strftime("%Y-%m-%d")
    return out.to_csv(index=False, lineterminator="\n")


def download(frame: pd.DataFrame, name: str) -> str | None:
    """Write ``frame`` as ``<report>--<name>.csv`` for the reports' downloads; return the link, or None
    outside a build (in JupyterLab there is nowhere to put it, and nothing is written)."""
    folder, href = os.environ.get(DOWNLOADS_DIR_ENV), os.environ.get(DOWNLOADS_HREF_ENV, "")
    if not folder:
        return None
    filename = f"{_slug(os.environ.get(REPORT_NAME_ENV, 'report'))}--{_slug(name)}.csv"
    Path(folder, filename).write_text(csv_text(frame), encoding="utf-8")
    return f"{href}{filename}"


def _download_note(frame: pd.DataFrame, name: str, caption: str | None = None) -> str:
    href = download(frame, name)
    parts = [html.escape(caption)] if caption else []
    if href:
        parts.append(f'<a href="{html.escape(href, quote=True)}" download>Download the data (CSV)</a>')
    return f'<p class="chart-note">{" ".join(parts)}</p>' if parts else ""


def figure(fig, alt: str, caption: str | None = None, data: pd.DataFrame | None = None, name: str | None = None,
           narrow=None) -> None:  # fmt: skip
    """Show a Matplotlib figure in a report: a wide and a narrow (phone) image (:func:`analysis.images.render`), with
    alt text that says what the chart shows, a caption, and (with ``data`` and ``name``) its data as a CSV linked under
    it. The report template serves the two with ``<picture>``; JupyterLab shows the wide one.

    The figure is closed, so the notebook does not show it a second time. ``narrow``: the chart's own phone version
    (a figure), when laying the wide one out again for a phone cannot work (see :func:`analysis.images.render`).
    """
    from IPython.display import Image, display

    from analysis import images

    # JupyterLab shows a PNG of the chart; in a build the report serves the picture, so the output's PNG is a stand-in
    preview = images.STAND_IN_PNG if os.environ.get(REPORT_NAME_ENV) else images.preview_png(fig)
    drawn = images.render(fig, narrow=True if narrow is None else narrow)
    wide = drawn["wide"]
    display(Image(data=preview, format="png", width=wide.width, height=wide.height,
                  metadata={"alt": alt, "picture": images.picture(drawn)}))  # fmt: skip
    note = _download_note(data, name or caption or "chart", caption) if data is not None else (
        f'<p class="chart-note">{html.escape(caption)}</p>' if caption else "")  # fmt: skip
    if note:
        display(Html(note))


def card(rows: Mapping[str, object], links: Mapping[str, str] | None = None) -> Html:
    """A two-column card (label, value) for one record, e.g. an agreement in a partner's profile.

    >>> card({"Signed": "12 Jan 2024", "Text": "x"}, links={"Text": "https://e.org"})
    '<dl class="card"><dt>Signed</dt><dd>12 Jan 2024</dd><dt>Text</dt><dd><a href="https://e.org" rel="noopener noreferrer">x</a></dd></dl>'
    """
    links = dict(links or {})
    parts = []
    for label, value in rows.items():
        text = "–" if value is None or (not isinstance(value, str) and pd.isna(value)) or value == "" else str(value)
        shown = link(links[label], text) if label in links else html.escape(text)
        parts.append(f"<dt>{html.escape(str(label))}</dt><dd>{shown}</dd>")
    return Html(f'<dl class="card">{"".join(parts)}</dl>')


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
