"""The agreements side by side: headline commitments as reported, and which cover only the first year.

Pure functions on the ``agreements`` table.
"""

from __future__ import annotations

import math

import pandas as pd

SCOPE_LABELS = {"first_year": "first year only", "annual": "each year", "multi_year": "several years in total"}


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


def commitments(agreements: pd.DataFrame) -> pd.DataFrame:
    """One row per agreement with its headline commitment in words and a flag for first-year-only ones.

    Columns: ``agreement_id``, ``party_id``, ``signed_date``, ``amount`` (text), ``applies_to``
    (year and scope in words), ``first_year_only`` (bool), ``commitment_text``.

    >>> agr = pd.DataFrame({"agreement_id": ["a-2024"], "party_id": ["AAA"], "signed_date": pd.to_datetime(["2024-02-16"]),
    ...     "commitment_amount": [3e9], "commitment_currency": ["EUR"], "commitment_year": pd.array([2024], dtype="Int64"),
    ...     "commitment_scope": ["first_year"], "commitment_text": ["up to EUR 3bn in 2024"]})
    >>> commitments(agr)[["amount", "applies_to", "first_year_only"]].values.tolist()
    [['EUR 3bn', '2024 (first year only)', True]]
    """
    out = agreements[["agreement_id", "party_id", "signed_date", "commitment_text"]].copy()
    out["amount"] = [
        format_amount(a, c) for a, c in zip(agreements["commitment_amount"], agreements["commitment_currency"], strict=True)
    ]
    applies = []
    for year, scope in zip(agreements["commitment_year"], agreements["commitment_scope"], strict=True):
        parts = [str(int(year))] if not pd.isna(year) else []
        if not pd.isna(scope):
            parts.append(f"({SCOPE_LABELS.get(scope, scope)})")
        applies.append(" ".join(parts))
    out["applies_to"] = applies
    out["first_year_only"] = (agreements["commitment_scope"] == "first_year").fillna(False).astype(bool).to_numpy()
    return out[["agreement_id", "party_id", "signed_date", "amount", "applies_to", "first_year_only", "commitment_text"]]


def in_euros(agreements: pd.DataFrame, rates: pd.DataFrame) -> pd.DataFrame:
    """Each headline amount in euros at the ECB annual average for its commitment year.

    ``rates`` is the ``exchange_rates`` table (units of the currency per euro). Amounts already in euros
    keep their value (rate 1). Agreements without an amount, or whose currency and year have no rate,
    are left out. Columns: ``agreement_id``, ``party_id``, ``amount``, ``currency``, ``year``, ``scope``,
    ``rate_per_eur``, ``amount_eur``.

    >>> agr = pd.DataFrame({"agreement_id": ["a-2024", "b-2024", "c-2024"], "party_id": ["AAA", "BBB", "CCC"],
    ...     "commitment_amount": [2.5e9, 1e9, None], "commitment_currency": ["GBP", "EUR", None],
    ...     "commitment_year": pd.array([2024, 2024, None], dtype="Int64"), "commitment_scope": ["first_year", "annual", None]})
    >>> fx = pd.DataFrame({"currency": ["GBP"], "year": pd.array([2024], dtype="Int64"), "rate_per_eur": [0.8466]})
    >>> [round(v / 1e6) for v in in_euros(agr, fx)["amount_eur"]]
    [2953, 1000]
    """
    rows = agreements.dropna(subset=["commitment_amount", "commitment_currency", "commitment_year"])
    out = pd.DataFrame(
        {
            "agreement_id": rows["agreement_id"],
            "party_id": rows["party_id"],
            "amount": rows["commitment_amount"].astype(float),
            "currency": rows["commitment_currency"].astype("string"),
            "year": rows["commitment_year"].astype("Int64"),
            "scope": rows["commitment_scope"].astype("string"),
        }
    )
    lookup = {(c, int(y)): float(r) for c, y, r in zip(rates["currency"], rates["year"], rates["rate_per_eur"], strict=True)}
    out["rate_per_eur"] = [1.0 if c == "EUR" else lookup.get((c, int(y)), math.nan) for c, y in zip(out["currency"], out["year"], strict=True)]
    out = out[out["rate_per_eur"].notna()].copy()
    out["amount_eur"] = out["amount"] / out["rate_per_eur"]
    return out.sort_values("amount_eur", ascending=False, kind="stable").reset_index(drop=True)


def text_sources(agreements: pd.DataFrame, clauses: pd.DataFrame) -> pd.Series:
    """Per agreement, the source that publishes its text: the one the clause matrix was coded from, else the
    agreement's own source (a report of the signing).

    >>> agr = pd.DataFrame({"agreement_id": ["a-2024", "b-2024"], "source_id": ["s-a", "s-b"]})
    >>> cl = pd.DataFrame({"agreement_id": ["a-2024", "a-2024"], "source_id": ["text-a", "text-a"]})
    >>> text_sources(agr, cl).to_dict()
    {'a-2024': 'text-a', 'b-2024': 's-b'}
    """
    coded = clauses.groupby("agreement_id")["source_id"].agg(lambda s: s.mode().iloc[0])
    own = agreements.set_index("agreement_id")["source_id"]
    return coded.reindex(own.index).fillna(own).astype("string")
