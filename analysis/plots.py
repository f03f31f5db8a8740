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
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from analysis.images import with_contrast
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
CREDIT = "Data: ukraine-security-guarantees (sourced rows; see data/sources.csv)"


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


def _date_axis(ax, months: int | None = None) -> None:
    """Date ticks a reader can place events by: every ``months`` months (labelled "Jan", "Apr" with the year
    once), or automatic when ``months`` is None."""
    if months:
        # quarters (or halves) on calendar boundaries, so that January carries the year
        locator = mdates.MonthLocator(bymonth=range(1, 13, months))
        ax.xaxis.set_minor_locator(mdates.MonthLocator())
    else:
        locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, show_offset=False))


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


#: One marker per kind of step, so each kind reads apart from the others and has one legend entry.
STEP_STYLES = {
    "reported_negotiating": {"marker": "o", "s": 16, "facecolor": "white", "label": "Reported negotiating"},
    "negotiations_opened": {"marker": ">", "s": 34, "label": "Talks opened"},
    "negotiation_round": {"marker": "o", "s": 16, "label": "Negotiation round"},
    "text_agreed": {"marker": "s", "s": 26, "label": "Text agreed"},
    "approved": {"marker": "^", "s": 30, "label": "Approved (government or parliament)"},
    "signing_postponed": {"marker": "x", "s": 30, "label": "Signing postponed"},
    "signed": {"marker": "D", "s": 34, "label": "Signed"},
    "ratified": {"marker": "P", "s": 40, "label": "Ratified"},
    "entered_into_force": {"marker": "*", "s": 60, "label": "Entered into force"},
}
UNFILLED = {"x", "+", "|", "_"}
STEP_COLOURS = {"signed": 3, "ratified": 2, "entered_into_force": 2, "signing_postponed": 3, "approved": 4}


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
    seen: set[str] = set()
    for y, party in enumerate(order):
        rows = timelines[timelines["party_id"] == party]
        origin = opened[party] if align == "opened" else begin[party]
        end = first_sign.get(party, cutoff)
        left, right = x([origin, end], party)
        signed = party in first_sign
        ax.barh(y, right - left, left=left, height=0.5, color=PALETTE[0] if signed else "white", alpha=0.25 if signed else 1,
                edgecolor=PALETTE[0], hatch=None if signed else "///", linewidth=0.8)  # fmt: skip
        for step, style in STEP_STYLES.items():
            points = rows[rows["step"] == step]
            if points.empty:
                continue
            colour = PALETTE[STEP_COLOURS.get(step, 0)]
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
    for step, style in STEP_STYLES.items():
        if step in seen:
            colour = PALETTE[STEP_COLOURS.get(step, 0)]
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


def plot_clause_heatmap(
    ranks: pd.DataFrame,
    top: Mapping[str, int],
    title: str = "What each agreement promises",
    credit: str | None = None,
) -> Figure:
    """A heatmap of the clause matrix: one row per agreement, one column per ordinal dimension, each cell
    the value's rank as a share of the strongest (0 = not stated, 1 = the strongest commitment); blank
    where not coded. Drawn with seaborn's ``heatmap``.

    ``ranks`` has agreements as index (labels) and dimension labels as columns; ``top`` gives each
    column's highest rank.

    >>> r = pd.DataFrame({"Consult": [2, 0], "NATO": [1, None]}, index=["A", "B"])
    >>> fig = plot_clause_heatmap(r, {"Consult": 2, "NATO": 3})
    >>> [round(v, 2) for v in fig.axes[0].collections[0].get_array().compressed().tolist()]
    [1.0, 0.33, 0.0]
    """
    share = ranks.astype(float).div(pd.Series(top).reindex(ranks.columns).astype(float), axis=1)
    fig, ax = plt.subplots(figsize=(9.5, max(4.0, 0.26 * len(share) + 2.4)))
    sns.heatmap(share, ax=ax, cmap="Blues", vmin=0, vmax=1, linewidths=0.5, linecolor="white",
                cbar_kws={"label": "Strength of the commitment (0 = not stated, 1 = strongest)", "shrink": 0.6})  # fmt: skip
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.tick_params(axis="x", labelsize=8, rotation=40)
    ax.tick_params(axis="y", labelsize=8, rotation=0)
    for label in ax.get_xticklabels():
        label.set_horizontalalignment("right")
    ax.grid(False)
    return _finish(fig, title, credit)


SCOPE_COLOURS = {"first_year": 0, "annual": 2, "multi_year": 1}
SCOPE_NAMES = {"first_year": "For the first year", "annual": "Each year", "multi_year": "A multi-year total"}


def plot_commitments_eur(euros: pd.DataFrame, names: Mapping[str, str] | None = None,
                         title: str = "Headline commitments in euros", credit: str | None = None) -> Figure:  # fmt: skip
    """Horizontal bars of the headline amounts in euros (``agreements.in_euros``), ranked within each kind
    of commitment: first-year, annual and multi-year amounts are drawn as separate groups, never mixed.

    >>> e = pd.DataFrame({"party_id": ["A", "B"], "scope": ["first_year", "multi_year"], "amount_eur": [2e9, 6e9]})
    >>> [float(p.get_width()) for p in plot_commitments_eur(e).axes[0].patches]  # billions
    [2.0, 6.0]
    """
    names = dict(names or {})
    groups = [s for s in SCOPE_NAMES if s in set(euros["scope"])]
    rows = pd.concat([euros[euros["scope"] == s].sort_values("amount_eur", ascending=False) for s in groups])
    fig, ax = plt.subplots(figsize=(9, max(3.0, 0.3 * len(rows) + 1.6)))
    labels = [f"{names.get(p, p)}" for p in rows["party_id"]]
    colours = [PALETTE[SCOPE_COLOURS[s]] for s in rows["scope"]]
    bars = ax.barh(range(len(rows)), rows["amount_eur"] / 1e9, color=colours)
    ax.bar_label(bars, labels=[f"€{v / 1e9:,.2f}bn" if v >= 1e9 else f"€{v / 1e6:,.0f}m" for v in rows["amount_eur"]],
                 padding=3, fontsize=8)  # fmt: skip
    ax.set_yticks(range(len(rows)), labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("Billion euros (ECB annual average rate of the commitment year)")
    ax.grid(axis="y", visible=False)
    ax.set_xlim(0, rows["amount_eur"].max() / 1e9 * 1.18 if len(rows) else 1)
    ax.legend(handles=[plt.Rectangle((0, 0), 1, 1, color=PALETTE[SCOPE_COLOURS[s]], label=SCOPE_NAMES[s]) for s in groups],
              loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)  # fmt: skip
    return _finish(fig, title, credit)


#: How the claims audit marks each verdict: distinct shape and colour, so the verdicts read apart in print too.
VERDICT_STYLES = {
    "matches": ("o", 2, "Matches the data"),
    "explained": ("s", 1, "Matches another reading"),
    "explained (report lag)": ("^", 1, "Matches a day or so earlier"),
    "unexplained": ("X", 3, "Unexplained"),
    "no list to check against": ("D", 4, "Reported count (no list to check)"),
}


def plot_claims(panels: list[tuple[str, pd.Series | None, pd.DataFrame]], title: str = "Claims against the data",
                credit: str | None = None) -> Figure:  # fmt: skip
    """One panel per kind of count: the data's count over time (a step line, where there is a list to count)
    and every claim as a point marked by its verdict (see ``VERDICT_STYLES``).

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
    for ax, (label, series, points) in zip(axes.flat, panels):
        if series is not None:
            ax.step(series.index, series.to_numpy(), where="post", color="#333333", linewidth=1.2)
            seen.add("data")
        for status, (marker, colour, _) in VERDICT_STYLES.items():
            chosen = points[points["status"] == status]
            if len(chosen):
                ax.scatter(chosen["claim_date"], chosen["claimed_count"], marker=marker, color=PALETTE[colour], s=36,
                           edgecolor="white", linewidth=0.5, zorder=3)  # fmt: skip
                seen.add(status)
        ax.set_title(label, fontsize=10, fontweight="normal")
        ax.set_ylabel("Count")
        _date_axis(ax, months=6)
    handles = [plt.Line2D([], [], color="#333333", label="The data's count")] if "data" in seen else []
    handles += [plt.Line2D([], [], marker=m, linestyle="", color=PALETTE[c], label=name)
                for status, (m, c, name) in VERDICT_STYLES.items() if status in seen]  # fmt: skip
    fig.legend(handles=handles, loc="lower center", ncol=min(3, len(handles)), fontsize=8, frameon=False,
               bbox_to_anchor=(0.5, 0.02))  # fmt: skip
    fig.suptitle(title, x=0.01, ha="left", fontweight="bold", fontsize=13)
    fig.text(0.01, 0.005, credit or CREDIT, fontsize=8, color="#555555", ha="left", va="bottom")
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
    for step, style in STEP_STYLES.items():
        points = us_steps[us_steps["event_type"] == step]
        if len(points):
            colour = PALETTE[STEP_COLOURS.get(step, 0)]
            ax.scatter(points["event_date"], np.full(len(points), 3), marker=style["marker"], s=style["s"], color=colour, zorder=3)
    ax.set_yticks(range(4), lanes, fontsize=9)
    ax.set_ylim(3.7, -0.7)
    ax.xaxis_date()
    _date_axis(ax, months=3)
    ax.legend(title="Meetings (area: participants as reported)", fontsize=8, title_fontsize=8, loc="upper right",
              bbox_to_anchor=(1.0, -0.12), ncol=2, frameon=False)  # fmt: skip
    return _finish(fig, title, credit)
