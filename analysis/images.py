"""A figure becomes its images: the one function the reports and the site pages use (:func:`render`).

Every chart is drawn twice (:func:`render`; :func:`picture` is what a page's ``<picture>`` needs):

- **wide**, as the plot function drew it, for screens of 600 px and more;
- **narrow**, for phones: redrawn :data:`NARROW_WIDTH` CSS pixels wide, with no text under
  :data:`MIN_TEXT_PT` points, fewer ticks, titles and labels wrapped to fit, legends and the credit stacked
  under the plot, labels that would collide replaced by numbers with a key, and a bar chart with many
  categories turned on its side (horizontal bars read better on a tall, thin screen).

The page serves both with ``<picture>`` and a media query, so no script picks them. Each image is an SVG (text kept as text) or,
where that is smaller (maps, dense heatmaps), a 2x PNG, optimised losslessly with oxipng when it is installed. Every image records the smallest text it holds, in CSS pixels at its natural size, so a test
can check what a reader sees: that size times the ratio of the drawn to the natural width.
"""

from __future__ import annotations

import base64
import io
import re
import textwrap
from dataclasses import dataclass

#: The width a narrow chart is drawn at, in CSS pixels: a 390 px phone less the page's margins.
NARROW_WIDTH = 340
#: Below this width (CSS px) the page shows the narrow version.
BREAKPOINT = 600
#: The smallest text on a narrow chart, in points (at 110 dpi: 11.5 CSS px).
MIN_TEXT_PT = 7.5
#: A categorical bar chart with more bars than this is turned into horizontal bars on a phone.
MAX_UPRIGHT_BARS = 10
#: Annotations longer than this many characters become a number with a key under the chart when they collide.
_WRAP_SLACK = 0.9


@dataclass(frozen=True)
class Image:
    """One picture of a chart: its bytes, type, natural size in CSS pixels and smallest text (CSS px)."""

    data: bytes
    mime: str
    width: int
    height: int
    min_text_px: float

    @property
    def src(self) -> str:
        """The image as a ``data:`` URI (the reports are single files)."""
        return f"data:{self.mime};base64," + base64.b64encode(self.data).decode("ascii")

    def as_dict(self) -> dict:
        return {"src": self.src, "width": self.width, "height": self.height, "min_text_px": round(self.min_text_px, 1)}


def contrast_ratio(colour, background="white") -> float:
    """The WCAG contrast ratio of two colours (1 to 21); a chart's marks need 3:1 against the page (WCAG 1.4.11).

    >>> round(contrast_ratio("#767676"), 2)
    4.54
    """
    from matplotlib.colors import to_rgb

    def luminance(c) -> float:
        channels = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in to_rgb(c)]
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    high, low = sorted((luminance(colour), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def with_contrast(colour, ratio: float = 3.0) -> tuple[float, float, float]:
    """The colour, darkened in steps of its own hue until it reaches ``ratio`` against white (unchanged if it does).

    >>> [round(v, 3) for v in with_contrast("#0173b2")] == [round(v, 3) for v in (1 / 255, 115 / 255, 178 / 255)]
    True
    >>> contrast_ratio(with_contrast("#de8f05")) >= 3.0
    True
    """
    import colorsys

    from matplotlib.colors import to_rgb

    rgb = to_rgb(colour)
    hue, light, sat = colorsys.rgb_to_hls(*rgb)
    while contrast_ratio(rgb) < ratio and light > 0:
        light = max(0.0, light - 0.01)
        rgb = colorsys.hls_to_rgb(hue, light, sat)
    return tuple(rgb)


def optimise_png(data: bytes) -> bytes:
    """The same image, losslessly smaller (oxipng), or unchanged when oxipng is not installed.

    >>> optimise_png(b"not a png")
    b'not a png'
    """
    try:
        import oxipng
    except ImportError:
        return data
    try:
        return oxipng.optimize_from_memory(data, level=1, strip=oxipng.StripChunks.safe())
    except Exception:  # noqa: BLE001 - an image oxipng cannot read is served as drawn
        return data


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG, read from its header."""
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def _texts(fig) -> list:
    from matplotlib.text import Text

    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def min_text_pt(fig) -> float:
    """The smallest font size (points) of any visible, non-empty text in the figure."""
    sizes = [t.get_fontsize() for t in _texts(fig)]
    return min(sizes) if sizes else MIN_TEXT_PT


def _draw(fig, kind: str) -> tuple[bytes, str, int, int]:
    """The figure as a 2x PNG or an SVG, cropped to what it draws; its natural size in CSS pixels."""
    buffer = io.BytesIO()
    dpi = fig.get_dpi()
    if kind == "png":
        fig.savefig(buffer, format="png", dpi=dpi * 2, bbox_inches="tight", metadata={"Software": None})
        data = optimise_png(buffer.getvalue())
        width, height = png_size(data)
        return data, "image/png", width // 2, height // 2
    import matplotlib

    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "ukraine-security-guarantees"}):
        fig.savefig(buffer, format="svg", dpi=dpi, bbox_inches="tight", metadata={"Date": None, "Creator": None})
    data = buffer.getvalue()
    text = data.decode("utf-8")
    found = re.search(r'<svg[^>]*width="([\d.]+)pt" height="([\d.]+)pt"', text)
    # drawn at the PNG's size: 1 pt of the figure is dpi/72 CSS px, as in the PNG (an <img> scales an SVG to its width)
    width, height = (round(float(v) * dpi / 72) for v in found.groups()) if found else (0, 0)
    return data, "image/svg+xml", width, height


#: An SVG under this many bytes is served without drawing the PNG to compare: a chart's 2x PNG is larger. Measured on
#: release 1.2.0's build of 5 Dec 2026, drawing both for every chart: no SVG was larger than its PNG; the SVGs ran to
#: 131 kB (the clause heatmap, wide and phone versions, against PNGs of 188 kB), and the smallest ratio of PNG to SVG
#: was 1.43. Drawing and optimising a PNG only to discard it took 0.7-2.5 s a chart.
SVG_SURE = 150_000


def _picture(fig, svg: bool) -> Image:
    """The figure's smaller encoding: an SVG (text as text), or a 2x PNG when that is smaller (maps, dense heatmaps)."""
    best = None
    # a map's thousands of border points make a large SVG that is slow to draw: it is always a PNG
    if svg and not any(ax.get_aspect() != "auto" and not ax.axison for ax in fig.axes):
        best = _draw(fig, "svg")
    if best is None or len(best[0]) > SVG_SURE:
        bitmap = _draw(fig, "png")
        if best is None or len(bitmap[0]) < len(best[0]):
            best = bitmap
    data, mime, width, height = best
    return Image(data, mime, width, height, min_text_pt(fig) * fig.get_dpi() / 72)


#: A 1x1 white PNG: the notebook output's image in a build, where the page shows the picture's images instead.
STAND_IN_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4//8/AAX+Av4N70a4AAAAAElFTkSuQmCC"
)


def preview_png(fig) -> bytes:
    """A quick 1x PNG of the figure as drawn (what JupyterLab shows; the report serves :func:`render`'s images)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight", metadata={"Software": None})
    return buffer.getvalue()


def render(fig, svg: bool = True, narrow=True) -> dict[str, Image]:
    """The chart's images: ``{"wide": Image, "narrow": Image}`` (``narrow`` left out when not asked for).

    The figure is redrawn for the narrow version in place (:func:`make_narrow`) and closed afterwards: render it
    last. ``narrow`` may instead be a figure of its own, the chart's phone version drawn by its plot function (a grid
    too wide to squeeze, e.g. ``plots.plot_clause_heatmap(..., narrow=True)``); it is closed too.

    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(figsize=(9, 4))
    >>> _ = ax.plot([1, 2, 3], [1, 4, 9]); _ = ax.set_title("A line that goes up, with a long title to wrap")
    >>> images = render(fig)
    >>> images["wide"].width > images["narrow"].width, images["narrow"].width <= NARROW_WIDTH + 8
    (True, True)
    >>> images["narrow"].min_text_px >= MIN_TEXT_PT * 110 / 72 - 0.01
    True
    """
    import matplotlib
    import matplotlib.pyplot as plt

    try:
        # NOTE: text from the data ("$5bn", "$x$") shows as written, never as mathematics (nor fails to parse as it)
        with matplotlib.rc_context({"text.parse_math": False}):
            literal(fig)
            images = {"wide": _picture(fig, svg)}
            if narrow is not True and narrow is not False:  # the plot's own phone version
                literal(narrow)
                images["narrow"] = _picture(narrow, svg)
            elif narrow:
                try:
                    make_narrow(fig)
                except Exception as error:  # noqa: BLE001 - a layout this code does not know: the wide image serves
                    import warnings

                    warnings.warn(f"no narrow version of the chart ({type(error).__name__}: {error})", stacklevel=2)
                    return images
                literal(fig)
                images["narrow"] = _picture(fig, svg)
        return images
    finally:
        plt.close(fig)
        if narrow is not True and narrow is not False:
            plt.close(narrow)


def literal(fig) -> None:
    """Every text of the figure drawn as written: ``$`` and mathtext are not interpreted."""
    from matplotlib.text import Text

    for text in fig.findobj(Text):
        text.set_parse_math(False)


def picture(images: dict[str, Image]) -> dict:
    """What a page's ``<picture>`` needs, as plain data (JSON): each image's ``data:`` URI, natural size and smallest
    text in CSS px, and the media query under which the narrow one is shown."""
    shown = {kind: image.as_dict() for kind, image in images.items()}
    return shown | {"media": f"(max-width: {BREAKPOINT - 0.02:g}px)"}


# --------------------------------------------------------------------------- the narrow layout


def _chars(width_px: float, size_pt: float, dpi: float, bold: bool = False) -> int:
    """How many characters of a sans-serif font of ``size_pt`` fit in ``width_px`` (DejaVu Sans: about 0.6 em each)."""
    return max(8, int(width_px * _WRAP_SLACK / (size_pt * dpi / 72 * (0.66 if bold else 0.6))))


def _wrap(text: str, chars: int) -> str:
    return "\n".join(textwrap.fill(line, chars) if len(line) > chars else line for line in text.split("\n"))


def _legends(fig) -> list:
    found = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]
    return found + list(fig.legends)


def _is_colorbar(ax) -> bool:
    return getattr(ax, "_colorbar", None) is not None or ax.get_label() == "<colorbar>"


def _single_column(fig, axes: list) -> None:
    """Put a grid of subplots one under the other (a phone has room for one column)."""
    shown = [ax for ax in axes if ax.get_visible()]
    specs = [ax.get_subplotspec() for ax in shown]
    if len(shown) < 2 or any(s is None for s in specs) or specs[0].get_gridspec().ncols < 2:
        return
    grid = fig.add_gridspec(len(shown), 1)
    for i, ax in enumerate(shown):
        ax.set_subplotspec(grid[i, 0])
    width, height = fig.get_size_inches()
    fig.set_size_inches(width, height / max(1, specs[0].get_gridspec().nrows) * len(shown))


def _bars_on_their_side(ax) -> bool:
    """A vertical bar chart with many named categories, redrawn as horizontal bars; whether it was."""
    from matplotlib.patches import Rectangle

    labels = [t.get_text() for t in ax.get_xticklabels()]
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    if len(bars) <= MAX_UPRIGHT_BARS or len(labels) != len(bars) or ax.lines or ax.collections:
        return False
    if not all(labels) or any(p.get_height() < 0 for p in bars):
        return False
    heights = [p.get_height() for p in bars]
    colours = [p.get_facecolor() for p in bars]
    titles = {loc: ax.get_title(loc=loc) for loc in ("left", "center", "right")}
    xlabel, ylabel = ax.get_xlabel(), ax.get_ylabel()
    ax.clear()
    ax.tick_params(axis="x", rotation=0)
    ax.barh(range(len(bars)), heights, color=colours)
    ax.set_yticks(range(len(bars)), labels)
    ax.invert_yaxis()
    for loc, title in titles.items():
        if title:
            ax.set_title(title, loc=loc)
    ax.set_xlabel(ylabel)
    ax.set_ylabel(xlabel)
    ax.grid(axis="y", visible=False)
    return True


def _fewer_ticks(ax) -> None:
    import matplotlib.dates as mdates
    from matplotlib.ticker import MaxNLocator

    for axis in (ax.xaxis, ax.yaxis):
        locator = axis.get_major_locator()
        if isinstance(locator, (mdates.AutoDateLocator, mdates.RRuleLocator)):
            new = mdates.AutoDateLocator(minticks=2, maxticks=4)
            axis.set_major_locator(new)
            axis.set_major_formatter(mdates.ConciseDateFormatter(new, show_offset=False))
            axis.set_minor_locator(mdates.MonthLocator(bymonth=(1, 7)))
        elif type(locator).__name__ in ("AutoLocator", "MaxNLocator") and axis is ax.xaxis:
            axis.set_major_locator(MaxNLocator(nbins=4, steps=[1, 2, 2.5, 5, 10]))


def _wrap_categories(ax) -> None:
    """Long category names on the y axis (partners, stages) wrapped onto two lines or more."""
    from matplotlib.category import StrCategoryLocator
    from matplotlib.ticker import FixedLocator

    if not isinstance(ax.yaxis.get_major_locator(), (FixedLocator, StrCategoryLocator)):
        return
    labels = [t.get_text() for t in ax.get_yticklabels()]
    if labels and any(len(label) > 22 for label in labels):
        ax.set_yticks(ax.get_yticks(), [_wrap(label, 22) for label in labels])


def make_narrow(fig, width_px: int = NARROW_WIDTH) -> None:
    """Lay the figure out again, in place, for a phone ``width_px`` CSS pixels wide (see the module's notes)."""
    from matplotlib.legend import Legend
    from matplotlib.text import Annotation

    dpi = fig.get_dpi()
    width_in, height_in = fig.get_size_inches()
    plots = [ax for ax in fig.axes if not _is_colorbar(ax)]
    turned = [len(ax.patches) for ax in plots if _bars_on_their_side(ax)]
    bars = _take_colorbars(fig)
    _single_column(fig, plots)
    width_in, height_in = fig.get_size_inches()
    new_width = width_px / dpi
    # keep the rows' height (a timeline's bars need it), but not a wide chart's empty height
    height = max(height_in * 0.8, min(height_in, new_width * 0.9))
    if turned:
        height = max(height, 0.24 * max(turned) + 1.6)
    if len(plots) == 1 and plots[0].get_aspect() != "auto":
        # a map keeps its shape: as high as its width needs, plus room for the title
        ax = plots[0]
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        height = new_width * 0.97 * float(ax.get_aspect()) * abs(y1 - y0) / abs(x1 - x0) + 0.9
    fig.set_size_inches(new_width, height)
    ratio = new_width / width_in
    for ax in plots:
        for points in ax.collections:
            sizes = getattr(points, "get_sizes", lambda: None)()
            if type(points).__name__ == "PathCollection" and sizes is not None and len(sizes):
                points.set_sizes(sizes * max(ratio, 0.35))  # markers as dense as on the wide chart
        for label in ax.get_xticklabels():
            if label.get_rotation() not in (0, 90):
                label.set_rotation(90)
                label.set_horizontalalignment("center")
    for text in _texts(fig):
        if text.get_fontsize() < MIN_TEXT_PT:
            text.set_fontsize(MIN_TEXT_PT)
    for ax in plots:
        _fewer_ticks(ax)
        _wrap_categories(ax)
        if any(isinstance(t, Annotation) for t in ax.texts) and ax.containers:
            low, high = ax.get_xlim()
            ax.set_xlim(low, high + (high - low) * 0.12)  # room for the bars' value labels
    for ax in fig.axes:
        for axis_label in (ax.xaxis.label, ax.yaxis.label):
            axis_label.set_text(_wrap(axis_label.get_text(), _chars(width_px * 0.75, axis_label.get_fontsize(), dpi)))
    # one chart, one title: it moves to the figure's top left and wraps across the whole width
    if len(plots) == 1 and fig._suptitle is None:
        ax = plots[0]
        for title in (ax._left_title, ax.title, ax._right_title):
            if title.get_text():
                fig.suptitle(
                    title.get_text(), x=0.01, ha="left", fontsize=title.get_fontsize(), fontweight=title.get_fontweight()
                )
                title.set_text("")
    else:
        for ax in plots:
            for title in (ax.title, ax._left_title, ax._right_title):
                title.set_text(_wrap(title.get_text(), _chars(width_px * 0.9, title.get_fontsize(), dpi)))
    if fig._suptitle is not None:
        fig._suptitle.set_text(_wrap(fig._suptitle.get_text(), _chars(width_px, fig._suptitle.get_fontsize(), dpi, bold=True)))
    # what goes under the plot, top to bottom: the legends, the key to numbered labels, the credit
    below: list = []
    for legend in _legends(fig):
        handles, labels = legend.legend_handles, [t.get_text() for t in legend.get_texts()]
        title = legend.get_title().get_text()
        size = max(MIN_TEXT_PT, legend.get_texts()[0].get_fontsize() if legend.get_texts() else MIN_TEXT_PT)
        chars = _chars(width_px - 40, size, dpi)
        legend.remove()
        new = Legend(fig, handles, [_wrap(label, chars) for label in labels], loc="upper left", fontsize=size, frameon=False,
                     title=_wrap(title, chars) or None, title_fontsize=size, ncol=1, borderaxespad=0, handlelength=1.5)  # fmt: skip
        new._legend_box.align = "left"
        fig.legends.append(new)
        below.append(new)
    credits = [t for t in fig.texts if t.get_text().strip() and t is not fig._suptitle]
    for text in credits:
        text.set_text(_wrap(text.get_text(), _chars(width_px, text.get_fontsize(), dpi)))
        text.set_verticalalignment("top")
    fig.tight_layout()
    below.extend(bars)
    keys = _number_collisions(fig, [t for ax in plots for t in ax.texts if isinstance(t, Annotation)], width_px)
    if keys is not None:
        below.insert(len([b for b in below if isinstance(b, Legend)]), keys)
    _stack_below(fig, plots, below + credits)


def _number_collisions(fig, annotations: list, width_px: int):
    """Replace annotations that collide with one another or leave their axes by numbers; return the key (a Text)."""
    if not annotations:
        return None
    renderer = fig.canvas.get_renderer()
    crowded = []
    # a short label (a bar's value, "median 95") stays as it is
    annotations = [a for a in annotations if len(a.get_text()) > 12]
    boxes = {id(a): a.get_window_extent(renderer) for a in annotations}
    for a in annotations:
        box, frame = boxes[id(a)], a.axes.get_window_extent(renderer)
        outside = box.x0 < frame.x0 - 1 or box.x1 > frame.x1 + 1
        if outside or any(box.overlaps(boxes[id(b)]) for b in annotations if b is not a):
            crowded.append(a)
    if not crowded:
        return None
    lines = []
    for n, a in enumerate(crowded, start=1):
        lines.append(f"{n}  {' '.join(a.get_text().split())}")
        a.set_text(str(n))
        a.set_horizontalalignment("center")
        if a.anncoords == "offset points":
            a.xyann = (0, a.xyann[1])
    dpi = fig.get_dpi()
    chars = _chars(width_px, MIN_TEXT_PT, dpi)
    text = "\n".join(textwrap.fill(line, chars, subsequent_indent="    ") for line in lines)
    return fig.text(0, 0, text, fontsize=MIN_TEXT_PT, color="#333333", ha="left", va="top")


def _take_colorbars(fig) -> list:
    """Colour scales, taken off the side of the plot (where they would take a third of a phone's width) to be
    drawn across the width under it; what :func:`_stack_below` needs to draw each."""
    taken = []
    for ax in list(fig.axes):
        bar = getattr(ax, "_colorbar", None)
        if bar is None:
            continue
        taken.append({"mappable": bar.mappable, "label": ax.get_ylabel() or ax.get_xlabel()})
        bar.remove()
    return taken


def _stack_below(fig, plots: list, items: list) -> None:
    """Place ``items`` (legends, texts) one under the other below the plots, left-aligned with the figure."""
    from matplotlib.legend import Legend

    renderer = fig.canvas.get_renderer()
    height_px = fig.bbox.height
    bottom = min(ax.get_tightbbox(renderer).y0 for ax in plots if ax.get_visible()) if plots else fig.bbox.y0
    left = 4 / fig.bbox.width
    y = bottom - 6
    for item in items:
        if isinstance(item, dict):  # a colour scale, drawn horizontally across the width
            bar_height = 10
            cax = fig.add_axes((left + 0.02, (y - bar_height) / height_px, 0.9, bar_height / height_px))
            width_px = fig.bbox.width
            label = _wrap(item["label"], _chars(width_px, MIN_TEXT_PT, fig.get_dpi()))
            bar = fig.colorbar(item["mappable"], cax=cax, orientation="horizontal")
            bar.set_label(label, fontsize=MIN_TEXT_PT)
            bar.ax.tick_params(labelsize=MIN_TEXT_PT)
            y -= bar.ax.get_tightbbox(renderer).height + 10
            continue
        if isinstance(item, Legend):
            item.set_bbox_to_anchor((left, y / height_px), transform=fig.transFigure)
            item._loc = 2  # upper left at the anchor
        else:
            item.set_position((left, y / height_px))
            item.set_verticalalignment("top")
            item.set_horizontalalignment("left")
        extent = item.get_window_extent(renderer)
        y -= extent.height + 8
