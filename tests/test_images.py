"""analysis.images: one function turns a figure into its wide and narrow images, text shown as written."""

from __future__ import annotations

import re

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from analysis import images

matplotlib.use("agg")


def _chart(title: str = "A long title that a phone cannot show on one line without wrapping it", legend: bool = True):
    fig, ax = plt.subplots(figsize=(9, 4), dpi=110)
    ax.plot([1, 2, 3], [1, 4, 9], label="A series with a rather long legend label")
    ax.set_title(title, loc="left")
    ax.set_xlabel("Days")
    if legend:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    fig.text(0.01, 0.005, "Data: a credit line under the chart, as every chart of the reports has one", fontsize=8)
    return fig


def test_render_gives_a_wide_and_a_narrow_image_that_fits_a_phone():
    drawn = images.render(_chart())
    wide, narrow = drawn["wide"], drawn["narrow"]
    assert wide.width > 600
    # drawn 340 CSS px wide: the legend and the credit went under the plot, the title wrapped
    assert narrow.width <= images.NARROW_WIDTH + 10, narrow.width
    # no text under 7.5 pt, which is 11.5 CSS px at 110 dpi: at least 10 px on any phone from 340 px up
    assert narrow.min_text_px >= 11.4


def test_small_text_is_raised_on_the_narrow_image():
    fig = _chart(legend=False)
    fig.axes[0].annotate("a note in 5 pt", xy=(2, 4), fontsize=5)
    drawn = images.render(fig, svg=False)
    assert drawn["wide"].min_text_px == pytest.approx(5 * 110 / 72)
    assert drawn["narrow"].min_text_px == pytest.approx(images.MIN_TEXT_PT * 110 / 72)
    assert drawn["wide"].mime == drawn["narrow"].mime == "image/png"


def test_many_upright_bars_are_turned_on_their_side():
    fig, ax = plt.subplots(figsize=(8, 3.4))
    names = [f"Language {i}" for i in range(20)]
    ax.bar(names, range(20, 0, -1))
    ax.tick_params(axis="x", rotation=45)
    images.make_narrow(fig)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == names  # the names now read down the side
    assert [round(p.get_width()) for p in ax.patches] == list(range(20, 0, -1))
    plt.close(fig)


def test_a_grid_of_panels_becomes_one_column():
    fig, axes = plt.subplots(2, 2, figsize=(10, 7))
    for ax in axes.flat:
        ax.plot([0, 1], [0, 1])
    images.make_narrow(fig)
    columns = {round(ax.get_position().x0, 2) for ax in fig.axes}
    assert len(columns) == 1
    plt.close(fig)


@pytest.mark.parametrize(
    "text",
    [
        "$5bn pledged",  # a lone dollar
        "$x^2$ and $\\frac{1}{2}$",  # mathtext
        "$\\undefinedcommand$",  # mathtext that would fail to parse
        "cost $1 to $2",  # two dollars: a mathtext span
    ],
)
def test_text_from_the_data_shows_as_written(text):
    fig, ax = plt.subplots()
    ax.barh([text], [1])
    ax.set_title(text)
    drawn = images.render(fig, svg=True)
    for image in drawn.values():
        assert image.mime == "image/svg+xml"
        svg = image.data.decode("utf-8")
        # svg.fonttype "none": the text is written into the SVG as text, escaped for XML
        shown = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        assert shown in svg, f"{text!r} is not shown as written"


def test_rendering_is_deterministic():
    first = images.render(_chart())
    second = images.render(_chart())
    assert {k: v.data for k, v in first.items()} == {k: v.data for k, v in second.items()}


def test_picture_is_plain_data_for_a_page():
    shown = images.picture(images.render(_chart()))
    assert shown["media"] == "(max-width: 599.98px)"
    assert set(shown["wide"]) == {"src", "width", "height", "min_text_px"}
    assert re.match(r"^data:image/(png|svg\+xml);base64,[A-Za-z0-9+/=]+$", shown["narrow"]["src"])


def test_a_chart_is_the_smaller_of_its_svg_and_png_and_a_small_svg_needs_no_png(monkeypatch):
    """A chart is served as an SVG when its SVG is under images.SVG_SURE, without drawing the PNG; over it, both are
    drawn and the smaller is served (thousands of points: a PNG). A map is always a PNG."""
    drawn: list[str] = []
    draw = images._draw
    monkeypatch.setattr(images, "_draw", lambda fig, kind: drawn.append(kind) or draw(fig, kind))
    assert images._picture(_chart(), svg=True).mime == "image/svg+xml" and drawn == ["svg"]
    fig, ax = plt.subplots(figsize=(6, 4), dpi=110)
    ax.scatter(range(20_000), [i % 97 for i in range(20_000)], s=1)
    drawn.clear()
    dense = images._picture(fig, svg=True)
    assert drawn == ["svg", "png"] and dense.mime == "image/png"
    fig, ax = plt.subplots(figsize=(4, 4), dpi=110)
    ax.set_aspect("equal")
    ax.set_axis_off()
    drawn.clear()
    assert images._picture(fig, svg=True).mime == "image/png" and drawn == ["png"]


def test_optimise_png_is_lossless_and_smaller():
    import io

    from PIL import Image

    fig = _chart()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=220)
    plt.close(fig)
    raw = buffer.getvalue()
    small = images.optimise_png(raw)
    assert len(small) <= len(raw)
    assert Image.open(io.BytesIO(small)).convert("RGBA").tobytes() == Image.open(io.BytesIO(raw)).convert("RGBA").tobytes()


def test_a_date_axis_gets_fewer_ticks():
    fig, ax = plt.subplots(figsize=(10, 4))
    dates = pd.date_range("2023-01-01", "2026-12-01", freq="MS")
    ax.plot(dates, range(len(dates)))
    images.make_narrow(fig)
    fig.canvas.draw()
    shown = [t for t in ax.get_xticklabels() if t.get_text()]
    assert 2 <= len(shown) <= 5
    plt.close(fig)


def test_chart_colours_stand_out_from_the_page():
    """Every colour of the palette that charts draw data in has at least 3:1 contrast against the white page (WCAG
    1.4.11), and the landing map's categories too (its 'other countries' grey is background, not data)."""
    from analysis.plots import GROUP_COLOURS, PALETTE

    low = {i: round(images.contrast_ratio(c), 2) for i, c in enumerate(PALETTE) if images.contrast_ratio(c) < 3.0}
    assert low == {}, f"palette colours under 3:1 against white: {low}"
    assert all(images.contrast_ratio(c) >= 3.0 for c in GROUP_COLOURS.values())
    assert images.contrast_ratio("#858585") >= 3.0  # the landing map's "EU or NATO member, not joined"


@pytest.mark.parametrize(("colour", "ratio"), [("#000000", 21.0), ("#ffffff", 1.0), ("#767676", 4.54)])
def test_contrast_ratio(colour, ratio):
    assert images.contrast_ratio(colour) == pytest.approx(ratio, abs=0.01)


def test_a_layout_the_narrow_version_cannot_handle_keeps_the_wide_image(monkeypatch):
    def broken(fig, width_px=images.NARROW_WIDTH):
        raise RuntimeError("unexpected layout")

    monkeypatch.setattr(images, "make_narrow", broken)
    with pytest.warns(UserWarning, match="no narrow version"):
        drawn = images.render(_chart())
    assert set(drawn) == {"wide"}
    assert set(images.picture(drawn)) == {"wide", "media"}


def test_a_plot_may_bring_its_own_phone_version():
    """A chart too wide to lay out again (the clause grid) passes its own narrow figure; both figures are closed."""
    import matplotlib.pyplot as plt

    from analysis import images

    wide, ax = plt.subplots(figsize=(9, 4))
    ax.plot([1, 2], [1, 2])
    phone, ax2 = plt.subplots(figsize=(3.4, 5))
    ax2.bar(["a", "b"], [1, 2])
    drawn = images.render(wide, narrow=phone)
    assert drawn["narrow"].width < drawn["wide"].width and drawn["narrow"].height > drawn["narrow"].width
    assert not plt.fignum_exists(wide.number) and not plt.fignum_exists(phone.number)
