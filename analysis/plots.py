"""Plots: one theme, functions that take data and return a Figure. Saving is the caller's job.

The theme is seaborn's ``whitegrid`` with its colour-blind-safe ``colorblind`` palette (the build
imports seaborn once for every report, so it costs nothing per notebook); every figure carries a
title (the caller states the finding), labelled axes and a source credit under the plot.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from analysis.images import with_contrast
from analysis.labels import GROUP_LABELS, credit_line, event_types
from analysis.negotiations import KaplanMeier

#: seaborn's "colorblind" palette (Okabe–Ito-like), as RGB tuples, each darkened where needed to 3:1 against the white
#: page (WCAG 1.4.11: the orange, light blue, pink and yellow were 1.4 to 2.7:1).
PALETTE = [with_contrast(c) for c in sns.color_palette("colorblind")]
#: A fixed colour per bloc group, so every chart uses the same one.
GROUP_COLOURS = {
    "G7": PALETTE[0],
    "EU": PALETTE[2],
    "NATO": PALETTE[1],
    "organisation": PALETTE[4],
    "other": PALETTE[7],
}
GROUP_ORDER = list(GROUP_COLOURS)
#: Text in the palette's vermilion, darkened to 4.5:1 on white (WCAG 1.4.3; the mark colour is 3.9:1, enough for lines only).
TEXT_VERMILION = with_contrast(PALETTE[3], 4.5)
#: The muted blue-grey of the other partners' bars beside a highlighted one, darkened to 3:1 (was #b8c7d9, 1.7:1).
OTHER_BARS = with_contrast("#b8c7d9")



def use_theme() -> None:
    """Apply the project's plot theme (call once per notebook; plot functions also work without it).

    >>> use_theme(); plt.rcParams["axes.grid"]
    True"""
    sns.set_theme(
        style="whitegrid",
        palette="colorblind",
        rc={
            "axes.edgecolor": ".8",
            "font.size": 11.0,
            "xtick.bottom": False,
            "ytick.left": False,
            "figure.figsize": (9, 4.8),
            "axes.titlesize": 13,
            "axes.titleweight": "bold",
            "axes.titlelocation": "left",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "svg.hashsalt": "ukraine-security-guarantees",
            # text from the data ("$5bn") is shown as written, never parsed as mathtext
            "text.parse_math": False,
        },
    )


class _MonthTicks(mdates.MonthLocator):
    """Month ticks that remember their positions per view interval: matplotlib asks for them dozens of times in
    one draw (each layout pass, each tick label's box), and each answer walks a calendar rule. The ticks are a pure
    function of the interval, so the picture is the same.

    >>> ticks = _MonthTicks(bymonth=[1, 7])
    >>> a, b = (mdates.date2num(pd.Timestamp(d)) for d in ("2023-07-12", "2024-08-01"))
    >>> [mdates.num2date(t).strftime("%Y-%m") for t in ticks.tick_values(mdates.num2date(a), mdates.num2date(b))]
    ['2024-01', '2024-07']
    """

    def tick_values(self, vmin, vmax):
        memo = self.__dict__.setdefault("_memo", {})
        if (vmin, vmax) not in memo:
            memo[(vmin, vmax)] = super().tick_values(vmin, vmax)
        return np.array(memo[(vmin, vmax)])


def _date_axis(ax, months: int | None = None) -> None:
    """Date ticks a reader can place events by: every ``months`` months (labelled "Jan", "Apr" with the year
    once), or automatic when ``months`` is None."""
    if months:
        # quarters (or halves) on calendar boundaries, so that January carries the year
        locator = _MonthTicks(bymonth=range(1, 13, months))
        ax.xaxis.set_minor_locator(_MonthTicks())
    else:
        locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, show_offset=False))


def _finish(fig: Figure, title: str, credit: str | None) -> Figure:
    fig.axes[0].set_title(title)
    fig.text(0.01, 0.005, credit or credit_line(), fontsize=8, color="#555555", ha="left", va="bottom")
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
        labels=[f"{GROUP_LABELS.get(g, g)} ({int(cumulative[g].iloc[-1])})" for g in groups],
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


#: How each group of steps (data/event_types.csv) is drawn: a new event type takes its group's style and its own label.
GROUP_STYLES = {
    "reported": {"marker": "o", "s": 16, "facecolor": "white", "colour": 0},
    "opening": {"marker": ">", "s": 34, "colour": 0},
    "negotiation": {"marker": "o", "s": 16, "colour": 0},
    "approval": {"marker": "^", "s": 30, "colour": 4},
    "signature": {"marker": "D", "s": 34, "colour": 3},
    "ratification": {"marker": "P", "s": 40, "colour": 2},
}
#: Steps drawn apart from the rest of their group, so that each kind of step reads apart and has one legend entry.
STEP_STYLES = {
    "text_agreed": {"marker": "s", "s": 26},
    "signing_postponed": {"marker": "x", "s": 30, "colour": 3},
    "entered_into_force": {"marker": "*", "s": 60},
}
UNFILLED = {"x", "+", "|", "_"}


def step_styles() -> dict[str, dict]:
    """Every step of the vocabulary, in its order, with its style (its group's, then its own) and its label.

    >>> step_styles()["ratified"]["label"], step_styles()["ratified"]["marker"]
    ('Ratified', 'P')
    """
    styles = {}
    for kind in event_types():
        style = GROUP_STYLES.get(kind["group"], GROUP_STYLES["negotiation"]) | STEP_STYLES.get(kind["event_type"], {})
        styles[kind["event_type"]] = style | {"label": kind["label"]}
    return styles


def plot_timeline(
    timelines: pd.DataFrame,
    cutoff: str | pd.Timestamp,
    align: str = "calendar",
    names: Mapping[str, str] | None = None,
    title: str = "From talks to signature",
    start: str | pd.Timestamp | None = None,
    credit: str | None = None,
) -> Figure:
    """Gantt chart: one row per partner, a bar from its first recorded step to signature (or to ``cutoff``).

    ``timelines`` is :func:`analysis.negotiations.timelines` output. ``align="calendar"`` draws dates
    (month ticks, from ``start`` if given); ``align="opened"`` draws each partner on its own clock, in days
    since its talks opened, so durations compare directly (partners with no dated opening are left out).
    Each kind of step has its own marker and one legend entry; an open bar (hatched) means still
    negotiating at the cut-off.

    >>> tl = pd.DataFrame({"party_id": ["AAA", "AAA"], "date": pd.to_datetime(["2023-08-03", "2024-01-12"]),
    ...                    "step": ["negotiations_opened", "signed"], "agreement_id": ["aaa-2024"] * 2})
    >>> len(plot_timeline(tl, "2024-06-01").axes[0].patches)
    1
    >>> plot_timeline(tl, "2024-06-01", align="opened").axes[0].get_xlabel()
    'Days since talks opened'
    """
    if align not in ("calendar", "opened"):
        raise ValueError("align must be 'calendar' or 'opened'")
    cutoff = pd.Timestamp(cutoff)
    names = dict(names or {})
    first_sign = timelines[timelines["step"] == "signed"].groupby("party_id")["date"].min()
    begin = timelines.groupby("party_id")["date"].min()
    opened = timelines[timelines["step"] == "negotiations_opened"].groupby("party_id")["date"].min()
    parties = list(begin.index) if align == "calendar" else list(opened.index)
    if align == "opened":
        order = sorted(parties, key=lambda p: ((first_sign.get(p, cutoff) - opened[p]).days, p))
    else:
        order = sorted(parties, key=lambda p: (first_sign.get(p, cutoff + pd.Timedelta(days=1)), begin[p], p))

    def x(values, party):
        values = pd.to_datetime(pd.Series(values))
        if align == "opened":
            return (values - opened[party]).dt.days.to_numpy()
        return mdates.date2num(values)

    fig, ax = plt.subplots(figsize=(9.5, max(3.5, 0.28 * len(order) + 1.6)))
    styles = step_styles()
    seen: set[str] = set()
    for y, party in enumerate(order):
        rows = timelines[timelines["party_id"] == party]
        origin = opened[party] if align == "opened" else begin[party]
        end = first_sign.get(party, cutoff)
        left, right = x([origin, end], party)
        signed = party in first_sign
        ax.barh(y, right - left, left=left, height=0.5, color=PALETTE[0] if signed else "white", alpha=0.25 if signed else 1,
                edgecolor=PALETTE[0], hatch=None if signed else "///", linewidth=0.8)  # fmt: skip
        for step, style in styles.items():
            points = rows[rows["step"] == step]
            if points.empty:
                continue
            colour = PALETTE[style["colour"]]
            if style["marker"] in UNFILLED:  # a line marker has no face: colour it directly
                paint = {"color": colour}
            else:
                paint = {"facecolors": style.get("facecolor", colour), "edgecolors": colour}
            ax.scatter(x(points["date"], party), np.full(len(points), y), marker=style["marker"], s=style["s"],
                       linewidths=1, zorder=3, **paint)  # fmt: skip
            seen.add(step)
    ax.set_yticks(range(len(order)), [names.get(p, p) for p in order], fontsize=8)
    ax.invert_yaxis()
    if align == "calendar":
        ax.xaxis_date()
        lo = pd.Timestamp(start) if start is not None else timelines["date"].min()
        hi = max(timelines["date"].max(), min(cutoff, timelines["date"].max() + pd.Timedelta(days=60)))
        ax.set_xlim(mdates.date2num(lo - pd.Timedelta(days=10)), mdates.date2num(hi + pd.Timedelta(days=20)))
        _date_axis(ax, months=3)
        ax.set_xlabel("Date")
    else:
        ax.set_xlabel("Days since talks opened")
        ax.set_xlim(left=-10)
    handles = []
    for step, style in styles.items():
        if step in seen:
            colour = PALETTE[style["colour"]]
            handles.append(plt.Line2D([], [], marker=style["marker"], linestyle="", markersize=6, markeredgecolor=colour,
                                      markerfacecolor=style.get("facecolor", colour), label=style["label"]))  # fmt: skip
    if any(p not in first_sign for p in order):
        handles.append(plt.Rectangle((0, 0), 1, 1, facecolor="white", edgecolor=PALETTE[0], hatch="///",
                                     label=f"Still negotiating at {cutoff.day} {cutoff:%b %Y}"))  # fmt: skip
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
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
                    fontsize=9, color=TEXT_VERMILION)  # fmt: skip
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
    colours = [PALETTE[3] if p == party_id else OTHER_BARS for p in rows["party_id"]]
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


#: How the clause heatmap draws each class of cell (``analysis.agreements.CLAUSE_CLASSES``): a fill colour,
#: a short label and its colour, so that a class reads by its mark as well as its colour (and in grey print).
#: Plain marks, not circles: a grid of anti-aliased circles more than doubles the image's size.
CLAUSE_STYLES = {
    "strongest": (PALETTE[0], "++", "white"),
    "weaker": (PALETTE[1], "+", "#222222"),
    "not_stated": ("#e9e9e9", "–", "#444444"),
    "not_coded": ("white", "?", "#888888"),
}


def _narrow_inches() -> float:
    """The width of a plot's own phone version: as wide as :func:`analysis.images.make_narrow` lays charts out
    (``images.NARROW_WIDTH`` CSS px at the figure resolution), so a phone shows its text at its size."""
    from analysis.images import NARROW_WIDTH

    return NARROW_WIDTH / plt.rcParams["figure.dpi"]


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width, break_long_words=False)) or text


def plot_clause_heatmap(
    classes: pd.DataFrame,
    legend: Mapping[str, str],
    title: str = "What each agreement promises",
    credit: str | None = None,
    narrow: bool = False,
) -> Figure:
    """The clause matrix as a grid of categorical cells: one row per agreement (in the order given, e.g. by
    score), one column per dimension; each cell coloured and marked by its class (``CLAUSE_STYLES``), with a
    legend naming every class in words (``legend``: class -> words, e.g. ``analysis.agreements.CLAUSE_CLASSES``).

    ``classes`` has agreement labels as index and dimension labels as columns (``clause_classes`` renamed).
    Dimension labels are written horizontally above the grid, wrapped. ``narrow=True`` draws a phone version
    (``images.NARROW_WIDTH`` px wide): columns are numbered and a key under the grid names them.

    >>> c = pd.DataFrame({"Consult": ["strongest", "not_stated"], "NATO": ["weaker", "not_coded"]}, index=["A", "B"])
    >>> fig = plot_clause_heatmap(c, {"strongest": "Strongest", "weaker": "Weaker", "not_stated": "No", "not_coded": "?"})
    >>> [t.get_text() for t in fig.axes[0].texts]
    ['++', '+', '–', '?']
    """
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    order = list(CLAUSE_STYLES)
    codes = classes.apply(lambda col: col.map(order.index)).to_numpy(dtype=float)
    n_rows, n_cols = codes.shape
    cmap = ListedColormap([CLAUSE_STYLES[k][0] for k in order])
    if narrow:  # every text at least images.MIN_TEXT_PT as drawn on a phone; the title wrapped to the width
        cell, left, top_space, font = 0.2, 1.15, 0.75, 8
        width = _narrow_inches()
    else:
        cell, left, top_space, font = 0.22, 1.6, 0.8, 7.5
        width = max(7.5, left + 0.5 * n_cols + 0.3)
    key_lines = n_cols * 1.1 if narrow else 0
    legend_space = 0.3 * (len(legend) if narrow else (len(legend) + 1) // 2) + 0.2
    height = top_space + cell * n_rows + legend_space + 0.15 * key_lines + 0.95
    fig, ax = plt.subplots(figsize=(width, height))
    ax.imshow(codes, cmap=cmap, vmin=-0.5, vmax=len(order) - 0.5, aspect="auto", interpolation="nearest")
    for i in range(n_rows):
        for j in range(n_cols):
            fill, symbol, ink = CLAUSE_STYLES[order[int(codes[i, j])]]
            ax.text(j, i, symbol, ha="center", va="center", fontsize=font - 0.5, color=ink, fontweight="bold")
    ax.set_xticks(np.arange(n_cols + 1) - 0.5, minor=True)
    ax.set_yticks(np.arange(n_rows + 1) - 0.5, minor=True)
    ax.grid(which="minor", color="white", linewidth=1.2)
    ax.grid(which="major", visible=False)
    ax.tick_params(which="both", length=0)
    ax.xaxis.tick_top()
    if narrow:
        ax.set_xticks(range(n_cols), [str(j + 1) for j in range(n_cols)], fontsize=font)
    else:
        ax.set_xticks(range(n_cols), [_wrap(str(c), 9) for c in classes.columns], fontsize=font - 1.5, linespacing=1.0)
    ax.set_yticks(range(n_rows), [str(r) for r in classes.index], fontsize=font)
    for side in ax.spines.values():
        side.set_visible(False)
    present = [k for k in order if k in set(classes.to_numpy().ravel())]
    handles = [Patch(facecolor=CLAUSE_STYLES[k][0], edgecolor="#999999", label=f"{CLAUSE_STYLES[k][1]}  {legend.get(k, k)}")
               for k in present]  # fmt: skip
    fig.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.01, (0.3 + 0.15 * key_lines) / height),
               ncol=1 if narrow else 2, fontsize=font, frameon=False, handlelength=1.2)  # fmt: skip
    if narrow:  # the key in one column: two side by side do not fit the width
        key = [f"{j + 1} {c}" for j, c in enumerate(classes.columns)]
        fig.text(0.02, 0.28 / height, "\n".join(key), fontsize=font - 0.5, va="bottom", ha="left", linespacing=1.25)
    fig.suptitle(_wrap(title, 32) if narrow else title, x=0.01, ha="left", fontsize=11 if narrow else 13, fontweight="bold")
    fig.text(0.01, 0.005, credit or credit_line(), fontsize=8, color="#555555", ha="left", va="bottom")
    bottom = (legend_space + 0.15 * key_lines + 0.5) / height
    fig.subplots_adjust(left=left / width, right=0.98, top=1 - (top_space + 0.2) / height, bottom=bottom)
    return fig


#: The ranked comparison groups of ``analysis.commitments.COMPARISONS``, each with its colour and a short panel title.
COMMITMENT_PANELS = {
    "military_one_year": (0, "Military aid for one year"),
    "military_per_year": (1, "Military aid over several years, per year"),
    "non_military": (2, "Non-military support, per year"),
    "mixed": (4, "Military and civilian in one figure, per year"),
}
BOUND_PREFIX = {"exact": "", "at_least": "at least ", "up_to": "up to ", "about": "about "}


def _euro_words(value: float) -> str:
    """``€7.1bn``, ``€977m``, ``€1.5m``: three significant figures at most, trailing decimal zeros dropped.

    >>> [_euro_words(v) for v in (7.1e9, 400e6, 100e6, 1.5e6, 2.953e9)]
    ['€7.1bn', '€400m', '€100m', '€1.5m', '€2.95bn']
    """
    scale, suffix = (1e9, "bn") if value >= 0.9995e9 else (1e6, "m")
    digits = 2 if value / scale < 10 else 1 if value / scale < 100 else 0
    text = f"{value / scale:,.{digits}f}"
    return f"€{text.rstrip('0').rstrip('.') if '.' in text else text}{suffix}"


def plot_commitments(like: pd.DataFrame, names: Mapping[str, str] | None = None, title: str = "What the agreements pledge",
                     credit: str | None = None, narrow: bool = False) -> Figure:  # fmt: skip
    """One panel per comparison group (``analysis.commitments.like_with_like``), each ranking its pledges by
    euros per year, so that only like is compared with like: military aid for one year; military aid over
    several years, per year; non-military support; military and civilian support in one figure. Unranked
    pledges (a share of GDP, no period) are not drawn. Each bar is labelled with its figure in words, keeping
    "at least", "up to" and "about"; a per-year figure from a multi-year total says "a year".

    ``narrow=True`` draws a phone version (3.9 in wide, 100 dpi = 390 px): shorter labels, larger type.

    >>> e = pd.DataFrame({"party_id": ["A", "B", "C"], "group": ["military_one_year", "military_one_year", "mixed"],
    ...     "amount_eur_per_year": [2e9, 1e9, 5e8], "bound": ["exact", "at_least", "exact"], "years": [1.0, 1.0, 5.0]})
    >>> fig = plot_commitments(e)
    >>> [[float(p.get_width()) for p in ax.patches] for ax in fig.axes]  # billions, largest first in each panel
    [[2.0, 1.0], [0.5]]
    """
    names = dict(names or {})
    groups = [g for g in COMMITMENT_PANELS if (like["group"] == g).any()]
    sizes = [int((like["group"] == g).sum()) for g in groups]
    width = 3.9 if narrow else 7.5
    per_bar = 0.3 if narrow else 0.2
    fig, axes = plt.subplots(len(groups) or 1, 1, figsize=(width, per_bar * sum(sizes) + 0.75 * len(groups) + 1.2),
                             gridspec_kw={"height_ratios": sizes or [1]}, squeeze=False, sharex=True)  # fmt: skip
    # One scale for every panel, so that a bar's length means the same everywhere; ranks stay within a panel.
    top = max(float(like.loc[like["group"].isin(groups), "amount_eur_per_year"].max()) / 1e9, 1e-9) if groups else 1.0
    font = 9 if narrow else 8
    for ax, group in zip(axes[:, 0], groups, strict=False):
        rows = like[like["group"] == group].sort_values("amount_eur_per_year", ascending=False, kind="stable")
        colour, heading = COMMITMENT_PANELS[group]
        values = rows["amount_eur_per_year"].to_numpy(dtype=float) / 1e9
        bars = ax.barh(range(len(rows)), values, color=PALETTE[colour])
        words = [BOUND_PREFIX.get(b, "") + _euro_words(v) + (" a year" if y > 1 else "")
                 for b, v, y in zip(rows["bound"], rows["amount_eur_per_year"], rows["years"], strict=True)]  # fmt: skip
        ax.bar_label(bars, labels=words, padding=3, fontsize=font)
        ax.set_yticks(range(len(rows)), [names.get(p, p) for p in rows["party_id"]], fontsize=font)
        ax.invert_yaxis()
        ax.set_xlim(0, top * (1.9 if narrow else 1.4))
        ax.grid(False)
        ax.spines["bottom"].set_visible(False)
        ax.set_title(heading, fontsize=font + 2, loc="left", fontweight="bold" if not narrow else "normal")
    axes[-1, 0].set_xlabel("Euros a year, one scale for every panel (ECB annual average rate of the signing year)", fontsize=font)
    for ax in axes[:, 0]:
        ax.set_xticks([])
    fig.suptitle(title, x=0.01, ha="left", fontsize=12 if narrow else 13, fontweight="bold")
    fig.text(0.01, 0.005, credit or credit_line(), fontsize=7 if narrow else 8, color="#555555", ha="left", va="bottom")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return fig


#: How the calendar colours an agreement by its status on the date it is read (``analysis.calendar.STATUS_LABELS``).
CALENDAR_COLOURS = {"in_force": PALETTE[0], "not_yet": PALETTE[1], "ended": PALETTE[7], "unknown": (0.45, 0.45, 0.45)}


def plot_calendar(calendar: pd.DataFrame, names: Mapping[str, str] | None = None, title: str = "When each agreement ends",
                  credit: str | None = None, narrow: bool = False) -> Figure:  # fmt: skip
    """A calendar of when the agreements' terms end (``analysis.calendar.legal_calendar``): one column per month
    from the first to the last end (per year when they span more than three years), each agreement a box with its
    name in the column of its end date, coloured by its status on the date it is read (``as_of``). Agreements with
    no end date (open-ended, or a start or entry into effect not known) are named in a line under the grid.
    Rows are named by a ``label`` column if there is one, else by ``names`` of ``party_id``.

    ``narrow=True`` draws a phone version (``images.NARROW_WIDTH`` px wide): one row per month, names side by side.

    >>> c = pd.DataFrame({"party_id": ["A", "B", "C"], "end_date": pd.to_datetime(["2034-01-12", "2034-03-01", None]),
    ...     "status": ["in_force", "in_force", "unknown"], "term_runs_from": ["signature", "signature", None],
    ...     "as_of": pd.to_datetime(["2025-11-07"] * 3)})
    >>> fig = plot_calendar(c)
    >>> [t.get_text() for t in fig.axes[0].texts]
    ['A', 'B']
    >>> len(fig.axes[0].get_xticklabels())  # Jan, Feb and Mar 2034
    3
    """
    from matplotlib.patches import Patch

    from analysis import labels

    names = dict(names or {})
    shown = calendar["label"] if "label" in calendar else calendar["party_id"].map(lambda p: names.get(p, p))
    frame = calendar.assign(shown=list(shown))
    dated = frame[frame["end_date"].notna()].sort_values(["end_date", "shown"], kind="stable")
    undated = frame[frame["end_date"].isna()]
    first, last = (dated["end_date"].min(), dated["end_date"].max()) if len(dated) else (pd.NaT, pd.NaT)
    by_year = len(dated) and (last.year - first.year) > 3
    if by_year:
        slots = list(range(first.year, last.year + 1))
        slot_of = dated["end_date"].dt.year.tolist()
        slot_names = [str(y) for y in slots]
    elif len(dated):
        start = pd.Period(first, "M")
        slots = list(pd.period_range(start, pd.Period(last, "M"), freq="M"))
        slot_of = [pd.Period(d, "M") for d in dated["end_date"]]
        slot_names = [f"{labels.format_date(p.to_timestamp(), 'month')}" for p in slots]
        slot_names = [n.replace(" ", "\n") if i == 0 or slots[i].month == 1 else n.split(" ")[0] for i, n in enumerate(slot_names)]
    else:
        slots, slot_of, slot_names = [], [], []
    stacks: dict[object, list[tuple[str, str]]] = {s: [] for s in slots}
    for slot, row in zip(slot_of, dated.to_dict("records"), strict=True):
        stacks[slot].append((row["shown"], row["status"]))
    depth = max((len(v) for v in stacks.values()), default=1) or 1
    font = 8
    if narrow:  # months down the page, two names across, wrapping onto more lines; no text under 7.5 pt
        lines = [max(1, (len(stacks[s]) + 1) // 2) for s in slots]
        tops = [sum(lines[:i]) for i in range(len(slots))]
        fig, ax = plt.subplots(figsize=(_narrow_inches(), 0.3 * max(sum(lines), 1) + 1.7))
        for i, slot in enumerate(slots):
            for j, (text, status) in enumerate(stacks[slot]):
                x, y = (j % 2), tops[i] + j // 2
                ax.add_patch(plt.Rectangle((x + 0.03, y + 0.08), 0.94, 0.84, color=CALENDAR_COLOURS.get(status, PALETTE[7])))
                ax.text(x + 0.5, y + 0.5, text, ha="center", va="center", fontsize=font - 0.5, color="white")
        ax.set_xlim(0, 2)
        ax.set_ylim(max(sum(lines), 1), 0)
        ax.set_yticks([t + 0.5 for t in tops], [n.replace("\n", " ") for n in slot_names], fontsize=font)
        ax.set_xticks([])
    else:
        fig, ax = plt.subplots(figsize=(8.5, 0.24 * depth + 1.9))
        for i, slot in enumerate(slots):
            for j, (text, status) in enumerate(stacks[slot]):
                ax.add_patch(plt.Rectangle((i - 0.47, j + 0.06), 0.94, 0.88, color=CALENDAR_COLOURS.get(status, PALETTE[7])))
                ax.text(i, j + 0.5, text, ha="center", va="center", fontsize=font - 2, color="white")
        ax.set_xlim(-0.5, max(len(slots), 1) - 0.5)
        ax.set_ylim(depth, 0)
        ax.set_xticks(range(len(slots)), slot_names, fontsize=font)
        ax.xaxis.tick_top()
        ax.set_yticks([])
    ax.grid(False)
    for side in ax.spines.values():
        side.set_visible(False)
    present = [k for k in CALENDAR_COLOURS if k in set(dated["status"])]
    words = {"in_force": "In force", "not_yet": "Not yet in force", "ended": "Term ended", "unknown": "Not known"}
    as_of = calendar["as_of"].dropna().max() if "as_of" in calendar and calendar["as_of"].notna().any() else None
    when = f" on {labels.format_date(as_of)}" if as_of is not None else ""
    handles = [Patch(color=CALENDAR_COLOURS[k], label=f"{words[k]}{when}") for k in present]
    legend_y = -0.02
    if handles:
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0, legend_y), ncol=len(handles), fontsize=font, frameon=False)
    if len(undated):
        parts = []
        for row in undated.to_dict("records"):
            why = "no end date" if row.get("term_runs_from") == "not_stated" and row.get("status") != "unknown" else "end not known"
            parts.append(f"{row['shown']} ({why})")
        fig.text(0.01, 0.045, _wrap("Not in the calendar: " + "; ".join(parts) + ".", 48 if narrow else 140), fontsize=font, va="bottom")
    ax.set_title(_wrap(title, 30) if narrow else title, fontsize=10 if narrow else 13, fontweight="bold", loc="left", pad=24 if not narrow else 6)
    fig.text(0.01, 0.005, credit or credit_line(), fontsize=font, color="#555555", ha="left", va="bottom")
    fig.tight_layout(rect=(0, 0.1 if len(undated) else 0.03, 1, 1))
    return fig


#: How the claims audit marks each verdict (data/verdicts.csv gives their order and labels): distinct shape and
#: colour, so the verdicts read apart in print too. A verdict not listed here takes ``OTHER_VERDICT``.
VERDICT_STYLES = {
    "matches": ("o", 2),
    "explained": ("s", 1),
    "explained (report lag)": ("^", 1),
    "unexplained": ("X", 3),
    "no list to check against": ("D", 4),
}
OTHER_VERDICT = ("P", 7)


def verdict_styles(statuses=()) -> dict[str, tuple[str, int, str]]:
    """Every verdict of the vocabulary (data/verdicts.csv), in its order, then any other status given: (marker,
    palette colour, label).

    >>> verdict_styles()["unexplained"], list(verdict_styles(["odd"]))[-1]
    (('X', 3, 'Unexplained'), 'odd')
    """
    from analysis.claims import verdict_label, verdicts

    codes = [v["verdict"] for v in verdicts()]
    codes += [s for s in dict.fromkeys(statuses) if s not in codes]
    return {code: (*VERDICT_STYLES.get(code, OTHER_VERDICT), verdict_label(code)) for code in codes}


def plot_claims(panels: list[tuple[str, pd.Series | None, pd.DataFrame]], title: str = "Claims against the data",
                credit: str | None = None) -> Figure:  # fmt: skip
    """One panel per kind of count: the data's count over time (a step line, where there is a list to count)
    and every claim as a point marked by its verdict (see :func:`verdict_styles`).

    ``panels`` is a list of (panel title, the data's series or None, the claims: ``claim_date``,
    ``claimed_count``, ``status``).

    >>> c = pd.DataFrame({"claim_date": pd.to_datetime(["2024-01-01"]), "claimed_count": [3], "status": ["unexplained"]})
    >>> len(plot_claims([("Counted", None, c)]).axes)
    1
    """
    columns = min(2, len(panels))
    rows = -(-len(panels) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(5.0 * columns, 3.6 * rows + 0.9), squeeze=False)
    for ax in axes.flat[len(panels):]:
        ax.set_visible(False)
    seen: set[str] = set()
    styles = verdict_styles([s for _, _, points in panels for s in points["status"]])
    for ax, (label, series, points) in zip(axes.flat, panels):
        if series is not None:
            ax.step(series.index, series.to_numpy(), where="post", color="#333333", linewidth=1.2)
            seen.add("data")
        for status, (marker, colour, _) in styles.items():
            chosen = points[points["status"] == status]
            if len(chosen):
                ax.scatter(chosen["claim_date"], chosen["claimed_count"], marker=marker, color=PALETTE[colour], s=36,
                           edgecolor="white", linewidth=0.5, zorder=3)  # fmt: skip
                seen.add(status)
        ax.set_title(label, fontsize=10, fontweight="normal")
        ax.set_ylabel("Count")
        ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        # NOTE: a panel whose claims fall within a few days would get hour ticks ("00:00"): give it a few months.
        dates = points["claim_date"] if series is None else pd.concat([points["claim_date"], series.index.to_series()])
        if dates.max() - dates.min() < pd.Timedelta(days=120):
            middle = dates.min() + (dates.max() - dates.min()) / 2
            ax.set_xlim(middle - pd.Timedelta(days=90), middle + pd.Timedelta(days=90))
            _date_axis(ax, months=1)
        else:
            _date_axis(ax, months=6)
    handles = [plt.Line2D([], [], color="#333333", label="The data's count")] if "data" in seen else []
    handles += [plt.Line2D([], [], marker=m, linestyle="", color=PALETTE[c], label=name)
                for status, (m, c, name) in styles.items() if status in seen]  # fmt: skip
    fig.legend(handles=handles, loc="lower center", ncol=min(3, len(handles)), fontsize=8, frameon=False,
               bbox_to_anchor=(0.5, 0.02))  # fmt: skip
    fig.suptitle(title, x=0.01, ha="left", fontweight="bold", fontsize=13)
    fig.text(0.01, 0.005, credit or credit_line(), fontsize=8, color="#555555", ha="left", va="bottom")
    fig.tight_layout(rect=(0, 0.08, 1, 0.96))
    return fig


def plot_guarantees_timeline(
    meetings: pd.DataFrame,
    documents: pd.DataFrame,
    us_steps: pd.DataFrame,
    bilateral: pd.DataFrame,
    title: str = "From bilateral agreements to the Coalition of the Willing",
    credit: str | None = None,
) -> Figure:
    """Four lanes on one calendar: bilateral agreements signed, Coalition of the Willing meetings (size as
    reported where known), documents adopted, and the US guarantee talks.

    ``meetings``: ``meeting_date``, ``parties_reported``, ``format``; ``documents``: ``adopted_date``,
    ``label``; ``us_steps``: ``event_date``, ``event_type``; ``bilateral``: ``signed_date``.

    >>> m = pd.DataFrame({"meeting_date": pd.to_datetime(["2025-03-02"]), "parties_reported": pd.array([19], dtype="Int64"),
    ...                   "format": ["in_person"]})
    >>> d = pd.DataFrame({"adopted_date": pd.to_datetime(["2026-01-06"]), "label": ["Paris Declaration"]})
    >>> u = pd.DataFrame({"event_date": pd.to_datetime(["2025-08-18"]), "event_type": ["negotiations_opened"]})
    >>> b = pd.DataFrame({"signed_date": pd.to_datetime(["2024-01-12"])})
    >>> [t.get_text() for t in plot_guarantees_timeline(m, d, u, b).axes[0].get_yticklabels()]
    ['Bilateral agreements signed', 'Coalition of the Willing meetings', 'Documents adopted', 'US guarantee talks']
    """
    lanes = ["Bilateral agreements signed", "Coalition of the Willing meetings", "Documents adopted", "US guarantee talks"]
    fig, ax = plt.subplots(figsize=(10, 4.2))
    ax.scatter(bilateral["signed_date"], np.zeros(len(bilateral)), marker="D", s=30, color=PALETTE[3], zorder=3)
    sizes = meetings["parties_reported"].astype("Float64").fillna(8).to_numpy(dtype=float)
    in_person = meetings["format"] != "video"
    ax.scatter(meetings.loc[in_person, "meeting_date"], np.ones(int(in_person.sum())), s=sizes[in_person.to_numpy()] * 6,
               color=PALETTE[0], alpha=0.6, zorder=3, label="In person or hybrid")  # fmt: skip
    ax.scatter(meetings.loc[~in_person, "meeting_date"], np.ones(int((~in_person).sum())), s=sizes[(~in_person).to_numpy()] * 6,
               facecolors="white", edgecolors=PALETTE[0], zorder=3, label="Video call")  # fmt: skip
    ax.scatter(documents["adopted_date"], np.full(len(documents), 2), marker="s", s=50, color=PALETTE[2], zorder=3)
    for i, row in enumerate(documents.sort_values("adopted_date").itertuples()):
        ax.annotate(row.label, xy=(row.adopted_date, 2), xytext=(-4, -6 - 9 * (i % 3)), textcoords="offset points",
                    fontsize=7, ha="right", va="top")  # fmt: skip
    for step, style in step_styles().items():
        points = us_steps[us_steps["event_type"] == step]
        if len(points):
            colour = PALETTE[style["colour"]]
            ax.scatter(points["event_date"], np.full(len(points), 3), marker=style["marker"], s=style["s"], color=colour, zorder=3)
    ax.set_yticks(range(4), lanes, fontsize=9)
    ax.set_ylim(3.7, -0.7)
    ax.xaxis_date()
    _date_axis(ax, months=3)
    ax.legend(title="Meetings (area: participants as reported)", fontsize=8, title_fontsize=8, loc="upper right",
              bbox_to_anchor=(1.0, -0.12), ncol=2, frameon=False)  # fmt: skip
    return _finish(fig, title, credit)
