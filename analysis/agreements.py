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
