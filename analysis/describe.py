"""Alt text for every chart, written from the data it shows: what is plotted, the range, and the extremes.

A screen reader hears what a sighted reader sees at a glance, in one or two sentences.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from analysis.labels import GROUP_LABELS, format_date, join_names, plural


def timeline(timelines: pd.DataFrame, names: Mapping[str, str], cutoff) -> str:
    """Alt text, e.g.:

    >>> t = pd.DataFrame({"party_id": ["A", "A", "B"], "date": pd.to_datetime(["2023-08-03", "2024-01-12", "2024-02-01"]),
    ...                     "step": ["negotiations_opened", "signed", "negotiation_round"]})
    >>> timeline(t, {"A": "Aland", "B": "Bland"}, "2024-06-01")
    'Timeline chart, one row per partner (2 partners), from 3 Aug 2023 to 1 Feb 2024. 1 signed; still negotiating at the last date shown: Bland.'
    """
    signed = set(timelines.loc[timelines["step"] == "signed", "party_id"])
    open_ = sorted(set(timelines["party_id"]) - signed)
    tail = f"; still negotiating at the last date shown: {join_names(names.get(p, p) for p in open_)}" if open_ else ""
    return (f"Timeline chart, one row per partner ({plural(timelines['party_id'].nunique(), 'partner')}), from "
            f"{format_date(timelines['date'].min())} to {format_date(timelines['date'].max())}. {len(signed)} signed{tail}.")  # fmt: skip


def durations(durations: pd.DataFrame, names: Mapping[str, str], column: str = "days_opened_to_signed") -> str:
    """Alt text, e.g.:

    >>> d = pd.DataFrame({"party_id": ["A", "B"], "days_opened_to_signed": [30.0, 200.0]})
    >>> durations(d, {"A": "Aland", "B": "Bland"})
    'Bars of the days from opening talks to signature for 2 partners: shortest Aland (30 days), longest Bland (200 days).'
    """
    rows = durations.dropna(subset=[column]).sort_values(column)
    if rows.empty:
        return "No partner has both a dated opening and a signature."
    first, last = rows.iloc[0], rows.iloc[-1]
    return (f"Bars of the days from opening talks to signature for {plural(len(rows), 'partner')}: shortest "
            f"{names.get(first['party_id'], first['party_id'])} ({int(first[column])} days), longest "
            f"{names.get(last['party_id'], last['party_id'])} ({int(last[column])} days).")  # fmt: skip


def km(km) -> str:
    median = "not reached" if pd.isna(km.median_days) else f"{int(round(km.median_days))} days"
    return (f"Step curve of the share of partners without a signed agreement, by days since talks opened, falling from "
            f"100%; the median, where half had signed, is {median}. Partners still negotiating are marked as censored at the "
            f"last report on the bilateral track.")  # fmt: skip


def funnel(funnel: pd.DataFrame) -> str:
    """Alt text, e.g.:

    >>> funnel(pd.DataFrame({"stage": ["joined", "negotiating", "signed"], "parties": [33, 28, 27]}))
    'Three bars: 33 parties joined the declaration, 28 negotiated and 27 signed an agreement.'
    """
    value = dict(zip(funnel["stage"], funnel["parties"], strict=True))
    return (f"Three bars: {value.get('joined', 0)} parties joined the declaration, {value.get('negotiating', 0)} negotiated "
            f"and {value.get('signed', 0)} signed an agreement.")  # fmt: skip


def counts_by_month(by_month: pd.DataFrame, what: str = "agreements signed") -> str:
    """Alt text, e.g.:

    >>> counts_by_month(pd.DataFrame({"month": pd.PeriodIndex(["2024-01", "2024-06"], freq="M"), "agreements": [1, 9]}))
    'Bars of agreements signed per month from Jan 2024 to Jun 2024; the most, 9, in Jun 2024.'
    """
    top = by_month.sort_values(by_month.columns[1], ascending=False).iloc[0]
    month = lambda p: format_date(p.to_timestamp(), "month")  # noqa: E731
    return (f"Bars of {what} per month from {month(by_month['month'].min())} to {month(by_month['month'].max())}; the most, "
            f"{int(top.iloc[1])}, in {month(top['month'])}.")  # fmt: skip


def growth(composition: pd.DataFrame, total: str) -> str:
    first, last = composition["joined_date"].min(), composition["joined_date"].max()
    groups = composition["group"].value_counts()
    parts = ", ".join(f"{n} {GROUP_LABELS.get(g, g)}" for g, n in groups.items())
    return (f"Step chart of the cumulative number of parties to the G7 declaration, from {format_date(first)} to "
            f"{format_date(last)}, rising to {total}, stacked by bloc ({parts}).")  # fmt: skip


def map_(categories: pd.DataFrame, names: Mapping[str, str], what: str) -> str:
    counts = categories["category"].value_counts()
    parts = "; ".join(f"{c}: {n}" for c, n in counts.items())
    return f"Map of Europe and its neighbours showing {what}. {parts}."


def claims(audit: pd.DataFrame) -> str:
    """The claims chart in words: its verdicts counted, in their order and words (data/verdicts.csv).

    >>> claims(pd.DataFrame({"status": ["unexplained", "matches", "matches"]})).split(": ")[-1]
    '2 matches the data, 1 unexplained.'
    """
    from analysis.claims import verdict_label, verdicts

    counts = audit["status"].value_counts()
    order = [v["verdict"] for v in verdicts()]
    shown = [s for s in order if s in counts] + [s for s in counts.index if s not in order]
    parts = ", ".join(f"{int(counts[s])} {verdict_label(s)[:1].lower()}{verdict_label(s)[1:]}" for s in shown)
    return (f"Scatter charts of {plural(len(audit), 'claim')} by date against the data's count, one panel per kind of count, "
            f"each claim marked by its verdict: {parts}.")  # fmt: skip


def heatmap(ranks: pd.DataFrame) -> str:
    return (f"Heatmap of {plural(len(ranks), 'agreement')} (rows) by {plural(ranks.shape[1], 'dimension')} of the clause "
            f"matrix (columns); darker cells are stronger commitments, white cells 'not stated', blank cells not coded.")  # fmt: skip


def commitments(euros: pd.DataFrame, names: Mapping[str, str]) -> str:
    """Alt text, e.g.:

    >>> commitments(pd.DataFrame({"party_id": ["A"], "amount_eur": [2e9], "scope": ["first_year"]}), {"A": "Aland"})
    'Bar chart of 1 headline commitment in euros, grouped by kind; the largest, Aland, about EUR 2.0bn.'
    """
    top = euros.sort_values("amount_eur", ascending=False).iloc[0]
    return (f"Bar chart of {plural(len(euros), 'headline commitment')} in euros, grouped by kind; the largest, "
            f"{names.get(top['party_id'], top['party_id'])}, about EUR {top['amount_eur'] / 1e9:.1f}bn.")  # fmt: skip


def guarantees(meetings: pd.DataFrame, documents: pd.DataFrame, us_steps: pd.DataFrame) -> str:
    return (f"Timeline from 2024 to 2026 in four lanes: bilateral agreements signed; {plural(len(meetings), 'Coalition of the Willing meeting')} "
            f"from {format_date(meetings['meeting_date'].min())} to {format_date(meetings['meeting_date'].max())}; "
            f"{plural(len(documents), 'document')} adopted; and {plural(len(us_steps), 'step')} of the US guarantee talks.")  # fmt: skip
