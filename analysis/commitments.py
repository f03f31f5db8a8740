"""What each agreement pledges, made comparable: amounts in euros, per year, and grouped so that only like is
ranked with like.

Pure functions on the ``commitments`` table (one row per pledged amount), the ``agreements`` table (for the
partner and the signing year) and the ``exchange_rates`` table (ECB annual averages, units per euro).

The comparison groups (``COMPARISONS``) follow one rule: a chart ranks amounts only within a group.

- ``military_one_year``: military pledges for a single year (or a financial year);
- ``military_per_year``: military pledges over several years, as an amount per year;
- ``non_military`` and ``mixed``: each apart, as an amount per year where a period is given;
- ``unranked``: a share of GDP (no sourced GDP to turn it into euros), a pledge without a period, an
  ``unspecified`` kind, or a currency-year without a rate. Listed, never ranked.
"""

from __future__ import annotations

import math

import pandas as pd

#: The comparison groups, in the order the report shows them, with their headings.
COMPARISONS = {
    "military_one_year": "Military aid pledged for one year",
    "military_per_year": "Military aid pledged over several years, per year",
    "non_military": "Non-military support (humanitarian, financial, reconstruction), per year",
    "mixed": "Military and civilian support in one figure, per year",
    "unranked": "Listed, not ranked: a share of GDP, no period stated, or purpose not stated",
}

#: Short names of the groups, for alt text and captions.
GROUP_SHORT = {
    "military_one_year": "Military aid for one year",
    "military_per_year": "Military aid over several years",
    "non_military": "Non-military support",
    "mixed": "Military and civilian support in one figure",
}

KIND_LABELS = {"military": "Military", "non_military": "Non-military", "mixed": "Military and civilian", "unspecified": "Not stated"}
BOUND_WORDS = {"exact": "", "at_least": "at least ", "up_to": "up to ", "about": "about "}

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_amount(amount: float | None, currency: str | None) -> str:
    """A compact amount: ``EUR 7.1bn``, ``EUR 128m``; empty when unknown.

    >>> format_amount(7.1e9, "EUR"), format_amount(128e6, "EUR"), format_amount(None, None)
    ('EUR 7.1bn', 'EUR 128m', '')
    """
    if amount is None or currency is None or (isinstance(amount, float) and math.isnan(amount)) or pd.isna(currency):
        return ""
    for scale, suffix in ((1e9, "bn"), (1e6, "m")):
        if amount >= scale * 0.9995:  # 999.96m reads as 1bn, not 1,000m
            text = f"{amount / scale:,.2f}".rstrip("0").rstrip(".")
            return f"{currency} {text}{suffix}"
    return f"{currency} {amount:,.0f}"


def _month_index(period: str, end: bool) -> int:
    """Months since year 0 of a ``YYYY`` or ``YYYY-MM`` period bound (a year starts in January, ends in December)."""
    year = int(period[:4])
    month = int(period[5:7]) if len(period) > 4 else (12 if end else 1)
    return year * 12 + month - 1


def period_years(start: str | None, end: str | None) -> float:
    """How many years a period covers, inclusive: ``2024``–``2026`` is 3, ``2024-04``–``2025-03`` is 1.0.
    NaN when either bound is missing.

    >>> period_years("2024", "2026"), period_years("2024-04", "2025-03"), period_years("2024", "2024")
    (3.0, 1.0, 1.0)
    >>> period_years(None, "2024")
    nan
    """
    if start is None or end is None or pd.isna(start) or pd.isna(end):
        return math.nan
    months = _month_index(str(end), end=True) - _month_index(str(start), end=False) + 1
    if months <= 0:
        raise ValueError(f"period ends ({end}) before it starts ({start})")
    return months / 12


def format_period(start: str | None, end: str | None) -> str:
    """A period in words at its precision: ``2024``, ``2024–2026``, ``Apr 2024–Mar 2025``; empty when missing.

    >>> format_period("2024", "2024"), format_period("2024", "2026"), format_period("2024-04", "2025-03")
    ('2024', '2024–2026', 'Apr 2024–Mar 2025')
    """
    if start is None or end is None or pd.isna(start) or pd.isna(end):
        return ""

    def words(p: str) -> str:
        return f"{MONTHS[int(p[5:7]) - 1]} {p[:4]}" if len(p) > 4 else p[:4]

    return words(str(start)) if start == end else f"{words(str(start))}–{words(str(end))}"


def describe_pledge(row: pd.Series | dict) -> str:
    """A pledge in words, with its bound and basis: ``at least EUR 977m in 2024``, ``0.25% of GDP a year,
    2024–2027``, ``SEK 75bn in total, 2024–2026``.

    >>> describe_pledge({"amount": 977e6, "currency": "EUR", "share_of_gdp_pct": None, "bound": "at_least",
    ...     "basis": "total", "period_start": "2024", "period_end": "2024"})
    'at least EUR 977m in 2024'
    >>> describe_pledge({"amount": None, "currency": None, "share_of_gdp_pct": 0.25, "bound": "exact",
    ...     "basis": "per_year", "period_start": None, "period_end": None})
    '0.25% of GDP a year'
    """
    amount = row.get("amount")
    if amount is not None and not pd.isna(amount):
        figure = format_amount(float(amount), row.get("currency"))
    else:
        figure = f"{float(row['share_of_gdp_pct']):g}% of GDP"
    text = BOUND_WORDS.get(row.get("bound") or "exact", "") + figure
    period = format_period(row.get("period_start"), row.get("period_end"))
    years = period_years(row.get("period_start"), row.get("period_end"))
    if row.get("basis") == "per_year":
        text += " a year"
        return f"{text}, {period}" if period else text
    if not period:
        return text
    return f"{text} in {period}" if years <= 1 else f"{text} in total, {period}"


def in_euros(commitments: pd.DataFrame, agreements: pd.DataFrame, rates: pd.DataFrame) -> pd.DataFrame:
    """Every pledge with its partner, its amount in euros and its amount per year.

    Each amount is converted at the ECB annual average rate (``rates``: units of the currency per euro) of the
    year the pledge was made, the agreement's signing year; euro amounts keep their value. ``years`` is the
    length of the period (:func:`period_years`); ``amount_eur_per_year`` divides a ``total`` by it and keeps
    a ``per_year`` figure as it is. Shares of GDP, and amounts whose currency-year has no rate, have no euro
    figure (NaN). Adds ``party_id``, ``rate_year``, ``rate_per_eur``, ``amount_eur``, ``years``,
    ``amount_eur_per_year``; keeps every input row and column, in the input order.

    >>> c = pd.DataFrame({"commitment_id": ["a-2024-01", "a-2024-02"], "agreement_id": ["a-2024", "a-2024"],
    ...     "amount": [75e9, 1e9], "currency": ["SEK", "EUR"], "basis": ["total", "per_year"],
    ...     "period_start": ["2024", "2024"], "period_end": ["2026", "2028"]})
    >>> a = pd.DataFrame({"agreement_id": ["a-2024"], "party_id": ["AAA"], "signed_date": pd.to_datetime(["2024-05-31"])})
    >>> fx = pd.DataFrame({"currency": ["SEK"], "year": [2024], "rate_per_eur": [11.4325]})
    >>> [round(v / 1e6) for v in in_euros(c, a, fx)["amount_eur_per_year"]]
    [2187, 1000]
    """
    agr = agreements.set_index("agreement_id")
    out = commitments.copy()
    out["party_id"] = out["agreement_id"].map(agr["party_id"]).astype("string")
    out["rate_year"] = out["agreement_id"].map(pd.to_datetime(agr["signed_date"]).dt.year).astype("Int64")
    lookup = {(str(c), int(y)): float(r) for c, y, r in zip(rates["currency"], rates["year"], rates["rate_per_eur"], strict=True)}
    rate = []
    for currency, year in zip(out["currency"], out["rate_year"], strict=True):
        if currency is None or pd.isna(currency) or pd.isna(year):
            rate.append(math.nan)
        else:
            rate.append(1.0 if currency == "EUR" else lookup.get((str(currency), int(year)), math.nan))
    out["rate_per_eur"] = pd.Series(rate, index=out.index, dtype="float64")
    out["amount_eur"] = pd.to_numeric(out["amount"], errors="coerce").astype("float64") / out["rate_per_eur"]
    out["years"] = pd.Series(
        [period_years(s, e) for s, e in zip(out["period_start"], out["period_end"], strict=True)], index=out.index, dtype="float64"
    )
    per_year = out["amount_eur"].where(out["basis"] == "per_year", out["amount_eur"] / out["years"])
    out["amount_eur_per_year"] = per_year.astype("float64")
    return out


def comparison_group(row: pd.Series | dict) -> str:
    """The group (``COMPARISONS``) a pledge is ranked in, from its kind, period and euro figure.

    >>> base = {"kind": "military", "amount_eur": 1e9, "years": 1.0, "basis": "total"}
    >>> comparison_group(base), comparison_group({**base, "years": 3.0}), comparison_group({**base, "years": float("nan")})
    ('military_one_year', 'military_per_year', 'unranked')
    """
    kind = row.get("kind")
    eur = row.get("amount_eur")
    years = row.get("years")
    if kind not in ("military", "non_military", "mixed") or eur is None or pd.isna(eur) or years is None or pd.isna(years):
        return "unranked"
    if kind == "military":
        return "military_one_year" if years <= 1 and row.get("basis") == "total" else "military_per_year"
    return str(kind)


def like_with_like(euros: pd.DataFrame) -> pd.DataFrame:
    """The pledges of :func:`in_euros` with their comparison ``group``, sorted by group (in ``COMPARISONS``
    order) and, within a ranked group, by the euro figure per year, largest first; unranked rows keep the
    order of their ``commitment_id``. Adds ``group``, ``group_label`` and ``pledge`` (in words).

    >>> e = pd.DataFrame({"commitment_id": ["a", "b", "c"], "kind": ["military", "military", "mixed"],
    ...     "amount": [1e9, 3e9, 1e8], "currency": ["EUR"] * 3, "share_of_gdp_pct": [None] * 3,
    ...     "bound": ["exact"] * 3, "basis": ["total"] * 3, "period_start": ["2024", "2024", None],
    ...     "period_end": ["2024", "2024", None], "amount_eur": [1e9, 3e9, 1e8], "years": [1.0, 1.0, float("nan")],
    ...     "amount_eur_per_year": [1e9, 3e9, float("nan")]})
    >>> like_with_like(e)[["commitment_id", "group"]].values.tolist()
    [['b', 'military_one_year'], ['a', 'military_one_year'], ['c', 'unranked']]
    """
    out = euros.copy()
    out["group"] = [comparison_group(row) for row in out.to_dict("records")]
    out["group_label"] = out["group"].map(COMPARISONS)
    out["pledge"] = [describe_pledge(row) for row in out.to_dict("records")]
    order = {g: i for i, g in enumerate(COMPARISONS)}
    key = out["amount_eur_per_year"].where(out["group"] != "unranked")
    out = out.assign(_g=out["group"].map(order), _v=-key.fillna(0.0))
    out = out.sort_values(["_g", "_v", "commitment_id"], kind="stable").drop(columns=["_g", "_v"])
    return out.reset_index(drop=True)


def largest(euros: pd.DataFrame, group: str) -> pd.Series | None:
    """The largest pledge of a comparison group (by euro figure per year), or None if the group is empty.

    >>> e = pd.DataFrame({"group": ["mixed", "mixed"], "amount_eur_per_year": [1.0, 2.0], "commitment_id": ["a", "b"]})
    >>> largest(e, "mixed")["commitment_id"]
    'b'
    """
    rows = euros[euros["group"] == group]
    if rows.empty:
        return None
    return rows.loc[rows["amount_eur_per_year"].idxmax()]


def pledges_in_words(euros: pd.DataFrame, agreement_id: str) -> str:
    """One agreement's pledges in words, separated by semicolons, with the kind and, for other currencies, the
    euro figure: ``at least NOK 13.5bn in 2024 (military; about EUR 1,161m at the ECB's 2024 average)``.
    Empty when the agreement pledges no amount. ``euros`` is the output of :func:`in_euros`.

    >>> e = pd.DataFrame({"agreement_id": ["a-2024"], "commitment_id": ["a-2024-01"], "kind": ["military"],
    ...     "amount": [2.5e9], "currency": ["GBP"], "share_of_gdp_pct": [None], "bound": ["exact"], "basis": ["total"],
    ...     "period_start": ["2024"], "period_end": ["2024"], "amount_eur": [2.953e9], "rate_year": [2024]})
    >>> pledges_in_words(e, "a-2024")
    "GBP 2.5bn in 2024 (military; about EUR 2,953m at the ECB's 2024 average)"
    """
    rows = euros[euros["agreement_id"] == agreement_id].sort_values("commitment_id")
    parts = []
    for row in rows.to_dict("records"):
        extra = KIND_LABELS.get(row["kind"], str(row["kind"])).lower()
        eur = row.get("amount_eur")
        if row.get("currency") not in (None, "EUR") and not pd.isna(row.get("currency")) and eur is not None and not pd.isna(eur):
            extra += f"; about EUR {eur / 1e6:,.0f}m at the ECB's {int(row['rate_year'])} average"
        parts.append(f"{describe_pledge(row)} ({extra})")
    return "; ".join(parts)


def chart_summary(like: pd.DataFrame, names: dict[str, str]) -> str:
    """Alt text for the chart of :func:`like_with_like`: how many pledges each panel ranks and its largest.

    >>> e = pd.DataFrame({"party_id": ["A", "B"], "group": ["military_one_year", "unranked"], "commitment_id": ["a", "b"],
    ...     "amount_eur_per_year": [2e9, None], "pledge": ["EUR 2bn in 2024", "0.25% of GDP a year"]})
    >>> chart_summary(e, {"A": "Aland"})
    "Bar charts ranking 1 pledge in euros a year within its group. Military aid for one year: 1, the largest Aland's (EUR 2bn in 2024). 1 pledge is listed, not ranked."
    """
    ranked = like[like["group"] != "unranked"]
    parts = [f"Bar charts ranking {len(ranked)} pledge{'s' if len(ranked) != 1 else ''} in euros a year within "
             f"{'their' if len(ranked) != 1 else 'its'} group."]  # fmt: skip
    for group in GROUP_SHORT:
        top = largest(like, group)
        if top is not None:
            count = int((like["group"] == group).sum())
            parts.append(f"{GROUP_SHORT[group]}: {count}, the largest {names.get(top['party_id'], top['party_id'])}'s ({top['pledge']}).")
    unranked = int((like["group"] == "unranked").sum())
    if unranked:
        parts.append(f"{unranked} pledge{'s are' if unranked != 1 else ' is'} listed, not ranked.")
    return " ".join(parts)
