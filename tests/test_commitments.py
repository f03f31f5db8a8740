"""analysis.commitments on hand-made pledges with hand-computed euro and per-year figures."""

from __future__ import annotations

import copy
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from analysis.commitments import (
    comparison_group,
    describe_pledge,
    format_period,
    in_euros,
    largest,
    like_with_like,
    period_years,
)

AGREEMENTS = pd.DataFrame(
    {
        "agreement_id": pd.array(["gbr-2024", "nor-2024", "swe-2024", "est-2024", "jpn-2025"], dtype="string"),
        "party_id": pd.array(["GBR", "NOR", "SWE", "EST", "JPN"], dtype="string"),
        "signed_date": pd.to_datetime(["2024-01-12", "2024-05-31", "2024-05-31", "2024-06-27", "2025-01-01"]),
    }
)
RATES = pd.DataFrame(
    {
        "currency": pd.array(["GBP", "NOK", "SEK", "NOK"], dtype="string"),
        "year": pd.array([2024, 2024, 2024, 2023], dtype="Int64"),
        "rate_per_eur": [0.8, 10.0, 12.5, 99.0],  # round numbers, so the expectations are easy to check by hand
    }
)


def _pledges() -> pd.DataFrame:
    s = lambda values: pd.array(values, dtype="string")  # noqa: E731
    return pd.DataFrame(
        {
            "commitment_id": s(["gbr-2024-01", "nor-2024-01", "nor-2024-02", "swe-2024-01", "est-2024-01", "est-2024-02", "jpn-2025-01"]),
            "agreement_id": s(["gbr-2024", "nor-2024", "nor-2024", "swe-2024", "est-2024", "est-2024", "jpn-2025"]),
            "kind": s(["military", "military", "mixed", "military", "military", "non_military", "non_military"]),
            "amount": [2.4e9, 13e9, 75e9, 75e9, np.nan, 56e6, 1e9],
            "currency": s(["GBP", "NOK", "NOK", "SEK", None, "EUR", "JPY"]),
            "share_of_gdp_pct": [np.nan, np.nan, np.nan, np.nan, 0.25, np.nan, np.nan],
            "bound": s(["exact", "at_least", "exact", "exact", "at_least", "exact", "exact"]),
            "basis": s(["total", "total", "total", "total", "per_year", "total", "total"]),
            "period_start": s(["2024-04", "2024", "2023", "2024", "2024", "2024", "2025"]),
            "period_end": s(["2025-03", "2024", "2027", "2026", "2027", "2027", "2025"]),
        }
    )


def test_in_euros_converts_at_the_signing_year_rate_and_annualises():
    out = in_euros(_pledges(), AGREEMENTS, RATES).set_index("commitment_id")
    # GBP 2.4bn / 0.8 = EUR 3bn over Apr 2024-Mar 2025 (12 months = 1 year)
    assert out.loc["gbr-2024-01", "amount_eur"] == pytest.approx(3e9)
    assert out.loc["gbr-2024-01", "years"] == 1.0 and out.loc["gbr-2024-01", "amount_eur_per_year"] == pytest.approx(3e9)
    # NOK at the 2024 rate (signed 2024), not the 2023 rate where the period starts: 75bn / 10 = 7.5bn over 5 years
    assert out.loc["nor-2024-02", "rate_per_eur"] == 10.0
    assert out.loc["nor-2024-02", "amount_eur_per_year"] == pytest.approx(1.5e9)
    # SEK 75bn / 12.5 = 6bn over 2024-2026 = 2bn a year
    assert out.loc["swe-2024-01", "amount_eur_per_year"] == pytest.approx(2e9)
    # euros keep their value: 56m over 4 years = 14m a year
    assert out.loc["est-2024-02", "rate_per_eur"] == 1.0 and out.loc["est-2024-02", "amount_eur_per_year"] == pytest.approx(14e6)
    # a share of GDP has no euro figure; a currency-year without a rate (JPY 2025) has none either
    assert math.isnan(out.loc["est-2024-01", "amount_eur"]) and math.isnan(out.loc["est-2024-01", "amount_eur_per_year"])
    assert math.isnan(out.loc["jpn-2025-01", "rate_per_eur"]) and math.isnan(out.loc["jpn-2025-01", "amount_eur"])
    assert out["party_id"].tolist() == ["GBR", "NOR", "NOR", "SWE", "EST", "EST", "JPN"]
    assert out["rate_year"].tolist() == [2024, 2024, 2024, 2024, 2024, 2024, 2025]


def test_in_euros_keeps_rows_and_does_not_modify_inputs():
    pledges, agreements, rates = _pledges(), AGREEMENTS.copy(), RATES.copy()
    before = copy.deepcopy(pledges)
    out = in_euros(pledges, agreements, rates)
    assert_frame_equal(pledges, before)
    assert_frame_equal(agreements, AGREEMENTS)
    assert out["commitment_id"].tolist() == pledges["commitment_id"].tolist()


def test_like_with_like_ranks_only_within_a_group():
    out = like_with_like(in_euros(_pledges(), AGREEMENTS, RATES))
    assert out[["commitment_id", "group"]].values.tolist() == [
        ["gbr-2024-01", "military_one_year"],  # EUR 3bn, a (financial) year
        ["nor-2024-01", "military_one_year"],  # EUR 1.3bn in 2024, smaller: second
        ["swe-2024-01", "military_per_year"],  # a three-year total is never ranked with one-year pledges
        ["est-2024-02", "non_military"],
        ["nor-2024-02", "mixed"],
        ["est-2024-01", "unranked"],  # share of GDP
        ["jpn-2025-01", "unranked"],  # no rate for JPY 2025
    ]
    assert out.loc[out["commitment_id"] == "swe-2024-01", "pledge"].item() == "SEK 75bn in total, 2024–2026"
    assert largest(out, "military_one_year")["commitment_id"] == "gbr-2024-01"
    assert largest(out, "military_per_year")["commitment_id"] == "swe-2024-01"


def test_largest_of_an_empty_group_is_none():
    out = like_with_like(in_euros(_pledges().iloc[:1], AGREEMENTS, RATES))
    assert largest(out, "mixed") is None


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"kind": "military", "amount_eur": 1.0, "years": 1.0, "basis": "total"}, "military_one_year"),
        ({"kind": "military", "amount_eur": 1.0, "years": 3.0, "basis": "total"}, "military_per_year"),
        ({"kind": "military", "amount_eur": 1.0, "years": 1.0, "basis": "per_year"}, "military_per_year"),  # yearly figure
        ({"kind": "mixed", "amount_eur": 1.0, "years": 1.0, "basis": "total"}, "mixed"),
        ({"kind": "non_military", "amount_eur": 1.0, "years": 5.0, "basis": "total"}, "non_military"),
        ({"kind": "unspecified", "amount_eur": 1.0, "years": 1.0, "basis": "total"}, "unranked"),  # purpose unknown
        ({"kind": "military", "amount_eur": float("nan"), "years": 1.0, "basis": "total"}, "unranked"),  # no euro figure
        ({"kind": "military", "amount_eur": 1.0, "years": float("nan"), "basis": "total"}, "unranked"),  # no period
    ],
)
def test_comparison_group(row, expected):
    assert comparison_group(row) == expected


@pytest.mark.parametrize(
    ("start", "end", "years"),
    [
        ("2024", "2024", 1.0),  # one calendar year
        ("2024", "2026", 3.0),  # inclusive: three years
        ("2024-04", "2025-03", 1.0),  # a financial year
        ("2024-01", "2024-06", 0.5),  # half a year
        ("2023", "2028", 6.0),
    ],
)
def test_period_years(start, end, years):
    assert period_years(start, end) == years


def test_period_years_missing_and_reversed():
    assert math.isnan(period_years(None, "2024")) and math.isnan(period_years(pd.NA, pd.NA))
    with pytest.raises(ValueError, match="ends"):
        period_years("2026", "2024")


@given(st.integers(2000, 2100), st.integers(1, 12), st.integers(0, 240))
def test_period_years_counts_months(year, month, extra):
    start = f"{year}-{month:02d}"
    last = year * 12 + month - 1 + extra
    end = f"{last // 12}-{last % 12 + 1:02d}"
    assert period_years(start, end) == pytest.approx((extra + 1) / 12)


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"amount": 977e6, "currency": "EUR", "bound": "at_least", "basis": "total", "period_start": "2024", "period_end": "2024"},
         "at least EUR 977m in 2024"),
        ({"amount": 3e9, "currency": "EUR", "bound": "up_to", "basis": "total", "period_start": "2024", "period_end": "2024"},
         "up to EUR 3bn in 2024"),
        ({"amount": 75e9, "currency": "SEK", "bound": "exact", "basis": "total", "period_start": "2024", "period_end": "2026"},
         "SEK 75bn in total, 2024–2026"),
        ({"amount": 4e9, "currency": "ISK", "bound": "at_least", "basis": "per_year", "period_start": "2024", "period_end": "2028"},
         "at least ISK 4bn a year, 2024–2028"),
        ({"amount": 2.5e9, "currency": "GBP", "bound": "exact", "basis": "total", "period_start": "2024-04", "period_end": "2025-03"},
         "GBP 2.5bn in Apr 2024–Mar 2025"),
        ({"amount": None, "share_of_gdp_pct": 0.25, "bound": "exact", "basis": "per_year", "period_start": None, "period_end": None},
         "0.25% of GDP a year"),
        ({"amount": 15e6, "currency": "EUR", "bound": "exact", "basis": "total", "period_start": None, "period_end": None},
         "EUR 15m"),  # no period stated
    ],
)  # fmt: skip
def test_describe_pledge(row, expected):
    assert describe_pledge(row) == expected


def test_format_period():
    assert format_period("2023", "2027") == "2023–2027"
    assert format_period(None, None) == ""
