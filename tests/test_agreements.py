"""Unit tests for analysis.agreements: compact amounts and the commitments table."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from analysis.agreements import commitments, format_amount


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        (7.1e9, "EUR", "EUR 7.1bn"),  # billions, trailing zeros dropped
        (1e9, "EUR", "EUR 1bn"),  # exactly the billion threshold
        (1_234_567_890.0, "USD", "USD 1.23bn"),  # three significant digits for billions
        (75e9, "SEK", "SEK 75bn"),  # tens of billions
        (128e6, "EUR", "EUR 128m"),  # millions
        (1e6, "EUR", "EUR 1m"),  # exactly the million threshold
        (12_345_678.0, "EUR", "EUR 12.35m"),  # four significant digits for millions
        (999_999.0, "EUR", "EUR 1m"),  # within rounding of a million: reads as a million
        (999_000.0, "EUR", "EUR 999,000"),  # under a million: whole units with separators
        (5_000, "GBP", "GBP 5,000"),  # an int works like a float
        (3_000_000_000, "EUR", "EUR 3bn"),  # an int in billions
        (np.float64(2.5e9), "GBP", "GBP 2.5bn"),  # numpy scalars, as read from a float64 column
        (0.0, "EUR", "EUR 0"),  # zero is a known amount
        (None, "EUR", ""),  # unknown amount
        (float("nan"), "EUR", ""),  # missing amount from a float column
        (np.nan, "EUR", ""),  # numpy NaN
        (3e9, None, ""),  # unknown currency
        (3e9, pd.NA, ""),  # missing currency from a string column
        (3e9, float("nan"), ""),  # missing currency from an object column
    ],
)
def test_format_amount(amount, currency, expected):
    assert format_amount(amount, currency) == expected


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (1e12, "JPY 1,000bn"),  # a trillion (plausible in yen)
        (2.5e12, "JPY 2,500bn"),  # 2.5 trillion
    ],
)
def test_format_amount_trillions(amount, expected):
    assert format_amount(amount, "JPY") == expected


def _agreements() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "agreement_id": pd.array(["deu-2024", "est-2024", "swe-2024", "usa-2024", "xxx-2025"], dtype="string"),
            "party_id": pd.array(["DEU", "EST", "SWE", "USA", "XXX"], dtype="string"),
            "signed_date": pd.Series(pd.to_datetime(["2024-02-16", "2024-06-27", "2024-03-27", "2024-06-13", "2025-01-01"])),
            "commitment_amount": [7.1e9, np.nan, 75e9, np.nan, 5e6],
            "commitment_currency": pd.array(["EUR", None, "SEK", None, "EUR"], dtype="string"),
            "commitment_year": pd.array([2024, None, 2024, None, 2025], dtype="Int64"),
            "commitment_scope": pd.array(["first_year", "annual", "multi_year", None, "per_decade"], dtype="string"),
            "commitment_text": pd.array(
                ["EUR 7.1bn in 2024", "0.25% of GDP a year", "SEK 75bn 2024–2026", None, "x"], dtype="string"
            ),
            "note": pd.array(["n"] * 5, dtype="string"),  # an extra column, not carried over
        }
    )


def test_commitments_frame():
    agr = _agreements()
    expected = pd.DataFrame(
        {
            "agreement_id": agr["agreement_id"],
            "party_id": agr["party_id"],
            "signed_date": agr["signed_date"],
            "amount": ["EUR 7.1bn", "", "SEK 75bn", "", "EUR 5m"],
            "applies_to": [
                "2024 (first year only)",
                "(each year)",  # a scope without a year
                "2024 (several years in total)",
                "",  # neither year nor scope
                "2025 (per_decade)",  # an unknown scope is shown as recorded
            ],
            "first_year_only": [True, False, False, False, False],
            "commitment_text": agr["commitment_text"],
        }
    )
    assert_frame_equal(commitments(agr), expected)


def test_commitments_object_columns():
    # Object dtype with None (not the loader's dtypes) gives the same words and flags.
    agr = pd.DataFrame(
        {
            "agreement_id": ["a", "b"],
            "party_id": ["A", "B"],
            "signed_date": pd.to_datetime(["2024-01-01", "2024-01-02"]),
            "commitment_amount": [3e9, None],
            "commitment_currency": ["EUR", None],
            "commitment_year": [2024.0, np.nan],
            "commitment_scope": ["first_year", None],
            "commitment_text": ["up to EUR 3bn in 2024", None],
        }
    )
    out = commitments(agr)
    assert out["amount"].tolist() == ["EUR 3bn", ""]
    assert out["applies_to"].tolist() == ["2024 (first year only)", ""]
    assert out["first_year_only"].tolist() == [True, False]
    assert out["first_year_only"].dtype == bool


def test_commitments_does_not_modify_input():
    agr = _agreements()
    before = copy.deepcopy(agr)
    commitments(agr)
    assert_frame_equal(agr, before)
