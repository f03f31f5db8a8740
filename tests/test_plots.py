"""Plots: each returns a Figure whose artists match the data (bars, steps, markers), titled and credited."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from analysis import plots  # noqa: E402
from analysis.images import contrast_ratio  # noqa: E402
from analysis.negotiations import KaplanMeier  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _texts(fig: Figure) -> str:
    return " ".join(t.get_text() for t in fig.findobj(matplotlib.text.Text))


def test_plot_growth_stacks_each_group():
    composition = pd.DataFrame(
        {
            "party_id": ["USA", "DNK", "NOR", "EUU"],
            "joined_date": pd.to_datetime(["2023-07-12", "2023-07-12", "2023-07-14", "2023-07-12"]),
            "group": ["G7", "EU", "NATO", "organisation"],
        }
    )
    milestones = pd.DataFrame({"start_date": pd.to_datetime(["2023-07-11"]), "label": ["NATO summit, Vilnius"]})
    fig = plots.plot_growth(composition, milestones, title="Four parties")
    ax = fig.axes[0]
    assert len(ax.collections) == 4  # one stacked area per group
    total = ax.lines[0]  # the total step line
    assert list(total.get_ydata()) == [3, 4]  # 3 on 12 July, 4 on 14 July
    assert "Four parties" in (ax.get_title(), ax.get_title(loc="left"))  # where the title sits follows the style in force
    assert "NATO summit, Vilnius" in _texts(fig)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["G7 (1)", "EU (1)", "NATO (1)", "The EU itself (1)"]  # plain words, never "organisation"
    assert "Data:" in _texts(fig)


def test_plot_timeline_draws_one_bar_per_partner():
    timelines = pd.DataFrame(
        {
            "party_id": ["AAA", "AAA", "AAA", "BBB"],
            "date": pd.to_datetime(["2023-08-03", "2023-09-01", "2024-01-12", "2024-05-01"]),
            "step": ["negotiations_opened", "negotiation_round", "signed", "negotiations_opened"],
            "agreement_id": ["aaa-2024", "aaa-2024", "aaa-2024", None],
        }
    )
    for align in ("calendar", "opened"):
        fig = plots.plot_timeline(timelines, "2024-06-01", align=align, names={"AAA": "Alpha"})
        ax = fig.axes[0]
        assert len(ax.patches) == 2  # two partners, two bars
        if align == "calendar":
            assert [t.get_text() for t in ax.get_yticklabels()] == ["Alpha", "BBB"]  # signers first
        else:
            # each on its own clock: both bars start at 0, the shorter first
            assert [t.get_text() for t in ax.get_yticklabels()] == ["BBB", "Alpha"]
            assert sorted(round(p.get_x()) for p in ax.patches) == [0, 0]
            widths = sorted(round(p.get_width()) for p in ax.patches)
            assert widths == [31, 162]  # BBB open 1 May → 1 Jun; AAA 3 Aug → 12 Jan
    # one legend entry per kind of step shown, and the open bar
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels == ["Talks opened", "Negotiation round", "Signed", "Still negotiating at 1 Jun 2024"]
    with pytest.raises(ValueError):
        plots.plot_timeline(timelines, "2024-06-01", align="weeks")


def test_plot_km_draws_curve_band_and_median():
    km = KaplanMeier.fit(pd.DataFrame({"days": [10, 20, 30, 40], "signed": [True, True, False, True]}))
    fig = plots.plot_km(km)
    ax = fig.axes[0]
    curve = ax.lines[0]
    assert list(curve.get_ydata()) == pytest.approx([1.0, 0.75, 0.5, 0.5, 0.0])
    assert "median 20 days" in _texts(fig)
    label = next(t for t in ax.texts if t.get_text().startswith("median"))
    assert contrast_ratio(label.get_color()) >= 4.5  # text on white (WCAG 1.4.3)
    assert len(ax.collections) >= 2  # the band and the censored marks


def test_plot_funnel_has_three_labelled_bars():
    funnel = pd.DataFrame({"stage": ["joined", "negotiating", "signed", "outside_declaration"], "parties": [33, 30, 28, 1]})
    fig = plots.plot_funnel(funnel)
    ax = fig.axes[0]
    assert [round(p.get_width()) for p in ax.patches] == [33, 30, 28]
    assert {"33", "30", "28"} <= set(_texts(fig).split())


def test_plot_counts_by_month_fills_empty_months():
    dates = pd.Series(pd.to_datetime(["2024-01-12", "2024-03-01", "2024-03-20"]))
    fig = plots.plot_counts_by_month(dates)
    heights = [p.get_height() for p in fig.axes[0].patches]
    assert heights == [1, 0, 2]  # January, February (none), March


def test_plot_partner_durations_highlights_the_partner():
    durations = pd.DataFrame({"party_id": ["AAA", "BBB", "CCC"], "days_opened_to_signed": pd.array([100, 50, None], dtype="Int64")})
    fig = plots.plot_partner_durations(durations, "AAA", ongoing_days=70)
    bars = fig.axes[0].patches
    assert [round(p.get_width()) for p in bars] == [50, 100, 70]
    assert bars[1].get_facecolor()[:3] == pytest.approx(plots.PALETTE[3])
    assert "median 75" in _texts(fig)
    assert contrast_ratio(bars[0].get_facecolor()) >= 3.0  # the other partners' bars are marks on white (WCAG 1.4.11)
