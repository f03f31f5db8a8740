"""Plots: one theme, functions that take data and return a Figure. Saving is the caller's job.

Colours come from a colour-blind-safe palette (seaborn's ``colorblind``, written out here because
importing seaborn pulls in SciPy and adds about 1.4 s to every notebook); every figure carries a
title (the caller states the finding), labelled axes and a source credit under the plot.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

from analysis.negotiations import KaplanMeier

#: seaborn's "colorblind" palette (Okabe–Ito-like), as RGB tuples.
PALETTE = [
    to_rgb(c)
    for c in ("#0173b2", "#de8f05", "#029e73", "#d55e00", "#cc78bc", "#ca9161", "#fbafe4", "#949494", "#ece133", "#56b4e9")
]
#: A fixed colour per bloc group, so every chart uses the same one.
GROUP_COLOURS = {
    "G7": PALETTE[0],
    "EU": PALETTE[2],
    "NATO": PALETTE[1],
    "organisation": PALETTE[4],
    "other": PALETTE[7],
}
GROUP_ORDER = list(GROUP_COLOURS)
CREDIT = "Data: ukraine-security-guarantees (sourced rows; see data/sources.csv)"


def use_theme() -> None:
    """Apply the project's plot theme (call once per notebook; plot functions also work without it).

    >>> use_theme(); plt.rcParams["axes.grid"]
    True"""
    plt.rcParams.update(
        {
            # seaborn's "whitegrid" style, without importing seaborn
            "axes.axisbelow": True,
            "axes.edgecolor": ".8",
            "axes.grid": True,
            "axes.labelcolor": ".15",
            "axes.linewidth": 1.25,
            "axes.prop_cycle": plt.cycler(color=PALETTE),
            "font.size": 11.0,
            "grid.color": ".8",
            "patch.edgecolor": "w",
            "text.color": ".15",
            "xtick.bottom": False,
            "xtick.color": ".15",
            "ytick.left": False,
            "ytick.color": ".15",
            "figure.figsize": (9, 4.8),
            "axes.titlesize": 13,
            "axes.titleweight": "bold",
            "axes.titlelocation": "left",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "svg.hashsalt": "ukraine-security-guarantees",
        }
    )


def _date_axis(ax) -> None:
    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _finish(fig: Figure, title: str, credit: str | None) -> Figure:
    fig.axes[0].set_title(title)
    fig.text(0.01, 0.005, credit or CREDIT, fontsize=8, color="#555555", ha="left", va="bottom")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return fig


def plot_growth(
    composition: pd.DataFrame,
    milestones: pd.DataFrame | None = None,
    title: str = "Parties to the declaration over time",
    end: str | pd.Timestamp | None = None,
    credit: str | None = None,
) -> Figure:
    """Step chart of the cumulative number of parties, stacked by bloc group, with milestones marked.

    ``composition`` is :func:`analysis.coalition.composition_by_bloc` output (``joined_date``, ``group``);
    ``milestones`` has ``start_date`` and ``label``. The series runs to ``end`` (default: the last join).

    >>> comp = pd.DataFrame({"party_id": ["USA", "DNK"], "joined_date": pd.to_datetime(["2023-07-12", "2023-07-14"]),
    ...                      "group": ["G7", "EU"]})
    >>> fig = plot_growth(comp, title="Two parties")
    >>> [int(y) for y in fig.axes[0].lines[0].get_ydata()]
    [1, 2]
    """
    dates = pd.DatetimeIndex(sorted(composition["joined_date"].unique()))
    last = pd.Timestamp(end) if end is not None else dates.max()
    steps = dates.append(pd.DatetimeIndex([last])).unique().sort_values()
    groups = [g for g in GROUP_ORDER if g in set(composition["group"])]
    counts = (
        composition.groupby(["joined_date", "group"], observed=True).size().unstack(fill_value=0).reindex(steps, fill_value=0)
    )
    cumulative = counts.reindex(columns=groups, fill_value=0).cumsum()
    fig, ax = plt.subplots()
    ax.stackplot(
        cumulative.index,
        *[cumulative[g].to_numpy() for g in groups],
        labels=[f"{g} ({int(cumulative[g].iloc[-1])})" for g in groups],
        colors=[GROUP_COLOURS[g] for g in groups],
        step="post",
        alpha=0.9,
    )
    total = cumulative.sum(axis=1)
    ax.step(cumulative.index, total, where="post", color="#222222", linewidth=1.2)
    if milestones is not None:
        lo = steps.min() - pd.Timedelta(days=30)
        window = milestones[(milestones["start_date"] >= lo) & (milestones["start_date"] <= last)]
        span = (last - lo).days or 1
        for i, row in enumerate(window.sort_values("start_date").itertuples()):
            ax.axvline(row.start_date, color="#666666", linewidth=0.8, linestyle="--")
            near_right = (row.start_date - lo).days / span > 0.75
            ax.annotate(
                row.label,
                xy=(row.start_date, total.max() * (0.97 - 0.09 * (i % 4))),
                xytext=(-3 if near_right else 3, 0),
                textcoords="offset points",
                fontsize=8,
                color="#333333",
                va="top",
                ha="right" if near_right else "left",
                bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.85},
            )
    ax.set_ylabel("Parties (cumulative)")
    ax.set_xlabel("Date joined")
    ax.set_ylim(0, total.max() * 1.08)
    _date_axis(ax)
    ax.legend(title="Bloc when joining", loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False, fontsize=9)
    return _finish(fig, title, credit)


def plot_timeline(
    timelines: pd.DataFrame,
    cutoff: str | pd.Timestamp,
    align: str = "calendar",
    reference: str | pd.Timestamp | None = None,
    names: Mapping[str, str] | None = None,
    title: str = "From talks to signature",
    credit: str | None = None,
) -> Figure:
    """Gantt chart: one row per partner, a bar from its first recorded step to signature (or to ``cutoff``).

    ``timelines`` is :func:`analysis.negotiations.timelines` output. ``align="calendar"`` draws dates;
    ``align="days"`` draws days since ``reference`` (e.g. the declaration's adoption). Rounds are dots,
    signatures diamonds; an open bar (hatched) means still negotiating at the cut-off.

    >>> tl = pd.DataFrame({"party_id": ["AAA", "AAA"], "date": pd.to_datetime(["2023-08-03", "2024-01-12"]),
    ...                    "step": ["negotiations_opened", "signed"], "agreement_id": ["aaa-2024"] * 2})
    >>> len(plot_timeline(tl, "2024-06-01").axes[0].patches)
    1
    """
    if align not in ("calendar", "days"):
        raise ValueError("align must be 'calendar' or 'days'")
    cutoff = pd.Timestamp(cutoff)
    names = dict(names or {})
    first_sign = timelines[timelines["step"] == "signed"].groupby("party_id")["date"].min()
    start = timelines.groupby("party_id")["date"].min()
    order = sorted(start.index, key=lambda p: (first_sign.get(p, cutoff + pd.Timedelta(days=1)), start[p]))
    origin = pd.Timestamp(reference) if reference is not None else None

    def x(values):
        values = pd.to_datetime(pd.Series(values))
        return (values - origin).dt.days.to_numpy() if align == "days" else mdates.date2num(values)

    fig, ax = plt.subplots(figsize=(9.5, max(3.5, 0.28 * len(order) + 1.4)))
    for y, party in enumerate(order):
        rows = timelines[timelines["party_id"] == party]
        end = first_sign.get(party, cutoff)
        left, right = x([start[party], end])
        signed = party in first_sign
        ax.barh(y, right - left, left=left, height=0.5, color=PALETTE[0] if signed else "white", alpha=0.35 if signed else 1,
                edgecolor=PALETTE[0], hatch=None if signed else "///", linewidth=0.8)  # fmt: skip
        talks = rows[rows["step"] != "signed"]
        ax.scatter(x(talks["date"]), np.full(len(talks), y), s=14, color=PALETTE[0], zorder=3)
        signs = rows[rows["step"] == "signed"]
        ax.scatter(x(signs["date"]), np.full(len(signs), y), marker="D", s=30, color=PALETTE[3], zorder=4)
    ax.set_yticks(range(len(order)), [names.get(p, p) for p in order], fontsize=8)
    ax.invert_yaxis()
    if align == "calendar":
        ax.xaxis_date()
        _date_axis(ax)
        ax.set_xlabel("Date")
    else:
        ax.set_xlabel(f"Days since {origin:%d %b %Y}")
    handles = [
        plt.Line2D([], [], marker="o", linestyle="", color=PALETTE[0], label="Talks opened / round"),
        plt.Line2D([], [], marker="D", linestyle="", color=PALETTE[3], label="Signed"),
        plt.Rectangle(
            (0, 0), 1, 1, facecolor="white", edgecolor=PALETTE[0], hatch="///", label=f"Still negotiating at {cutoff:%d %b %Y}"
        ),
    ]
    ax.legend(handles=handles, loc="lower left", fontsize=8, frameon=True)
    return _finish(fig, title, credit)


def plot_km(km: KaplanMeier, title: str = "Time from opening talks to signature", credit: str | None = None) -> Figure:
    """The Kaplan–Meier curve of the share of partners still without a signed agreement, with its band.

    >>> km = KaplanMeier.fit(pd.DataFrame({"days": [10, 20, 30], "signed": [True, True, False]}))
    >>> plot_km(km).axes[0].get_xlabel()
    'Days since talks opened'
    """
    table = km.table
    fig, ax = plt.subplots()
    ax.step(table["days"], table["share_unsigned"], where="post", color=PALETTE[0], label="Share not yet signed")
    ax.fill_between(table["days"], table["ci_lower"], table["ci_upper"], step="post", color=PALETTE[0], alpha=0.2,
                    label=f"{1 - km.alpha:.0%} confidence band")  # fmt: skip
    censored = table[table["censored"] > 0]
    ax.scatter(
        censored["days"], censored["share_unsigned"], marker="|", s=80, color="#333333", label="Still negotiating (censored)"
    )
    if np.isfinite(km.median_days):
        ax.axvline(km.median_days, color=PALETTE[3], linestyle="--", linewidth=1)
        ax.annotate(f"median {km.median_days:.0f} days", xy=(km.median_days, 0.52), xytext=(4, 0), textcoords="offset points",
                    fontsize=9, color=PALETTE[3])  # fmt: skip
    ax.set_xlabel("Days since talks opened")
    ax.set_ylabel("Share of partners without a signed agreement")
    ax.set_ylim(0, 1.02)
    ax.set_xlim(left=0)
    ax.legend(loc="upper right", fontsize=9)
    return _finish(fig, title, credit)


def plot_funnel(funnel: pd.DataFrame, title: str = "From joining to signing", credit: str | None = None) -> Figure:
    """Horizontal bars for the funnel stages (:func:`analysis.negotiations.funnel`).

    >>> f = pd.DataFrame({"stage": ["joined", "negotiating", "signed"], "parties": [3, 2, 1]})
    >>> [int(p.get_width()) for p in plot_funnel(f).axes[0].patches]
    [3, 2, 1]"""
    stages = funnel[funnel["stage"] != "outside_declaration"]
    labels = {
        "joined": "Joined the declaration",
        "negotiating": "Negotiated (talks recorded, or signed)",
        "signed": "Signed an agreement",
    }
    fig, ax = plt.subplots(figsize=(8, 2.8))
    bars = ax.barh(
        [labels.get(s, s) for s in stages["stage"]], stages["parties"], color=[PALETTE[0], PALETTE[1], PALETTE[3]][: len(stages)]
    )
    ax.bar_label(bars, padding=3)
    ax.invert_yaxis()
    ax.set_xlabel("Parties to the declaration")
    ax.grid(axis="y", visible=False)
    return _finish(fig, title, credit)


def plot_counts_by_month(
    dates: pd.Series,
    milestones: pd.DataFrame | None = None,
    title: str = "Signings by month",
    ylabel: str = "Agreements signed",
    credit: str | None = None,
) -> Figure:
    """Bars of events per calendar month, with summits shaded, to show clustering around them.

    >>> [int(p.get_height()) for p in plot_counts_by_month(pd.Series(pd.to_datetime(["2024-01-05", "2024-03-01"]))).axes[0].patches]
    [1, 0, 1]"""
    months = pd.to_datetime(dates).dt.to_period("M")
    counts = months.value_counts().sort_index()
    full = pd.period_range(counts.index.min(), counts.index.max(), freq="M")
    counts = counts.reindex(full, fill_value=0)
    fig, ax = plt.subplots(figsize=(9, 3.8))
    starts = full.to_timestamp()
    ax.bar(starts, counts.to_numpy(), width=25, align="edge", color=PALETTE[0])
    if milestones is not None:
        shown = milestones[
            (milestones["start_date"] >= starts.min()) & (milestones["start_date"] <= starts.max() + pd.offsets.MonthEnd(1))
        ]
        for i, row in enumerate(shown.sort_values("start_date").itertuples()):
            ax.axvspan(row.start_date, row.end_date + pd.Timedelta(days=1), color=PALETTE[1], alpha=0.35)
            ax.annotate(row.label, xy=(row.start_date, counts.max() * (1.0 - 0.1 * (i % 4))), fontsize=7, rotation=0, va="top")
    ax.set_ylabel(ylabel)
    ax.set_xlabel("Month")
    _date_axis(ax)
    ax.yaxis.get_major_locator().set_params(integer=True)
    return _finish(fig, title, credit)


def plot_partner_durations(
    durations: pd.DataFrame,
    party_id: str,
    names: Mapping[str, str] | None = None,
    measure: str = "days_opened_to_signed",
    title: str = "Days from opening talks to signature",
    ongoing_days: int | None = None,
    credit: str | None = None,
) -> Figure:
    """Bars of one duration for every partner that has it, the given partner highlighted, the median marked.

    ``ongoing_days`` adds a hatched bar for a partner still negotiating (days so far, not a final duration).

    >>> d = pd.DataFrame({"party_id": ["A", "B"], "days_opened_to_signed": [30, 60]})
    >>> len(plot_partner_durations(d, "A").axes[0].patches)
    2
    """
    names = dict(names or {})
    rows = durations[durations[measure].notna()].sort_values(measure)
    labels = [names.get(p, p) for p in rows["party_id"]]
    values = rows[measure].astype(float).tolist()
    colours = [PALETTE[3] if p == party_id else "#b8c7d9" for p in rows["party_id"]]
    fig, ax = plt.subplots(figsize=(8, max(3.0, 0.22 * (len(rows) + 1) + 1.2)))
    ax.barh(labels, values, color=colours)
    if ongoing_days is not None:
        ax.barh(
            [f"{names.get(party_id, party_id)} (still negotiating)"],
            [ongoing_days],
            color="white",
            edgecolor=PALETTE[3],
            hatch="///",
        )
    if len(rows):
        median = float(rows[measure].median())
        ax.axvline(median, color="#333333", linestyle="--", linewidth=1)
        ax.annotate(f"median {median:.0f}", xy=(median, 0), xytext=(4, -2), textcoords="offset points", fontsize=8)
    ax.invert_yaxis()
    ax.tick_params(axis="y", labelsize=8)
    ax.set_xlabel("Days")
    ax.grid(axis="y", visible=False)
    return _finish(fig, title, credit)


def sequential_colours(n: int) -> list[tuple[float, float, float, float]]:
    """``n`` colours from the colour-blind-safe, print-safe viridis map, dark to light.

    >>> len(sequential_colours(3))
    3
    """
    cmap = matplotlib.colormaps["viridis"]
    return [cmap(x) for x in np.linspace(0.1, 0.85, n)] if n > 1 else [cmap(0.3)] * n
