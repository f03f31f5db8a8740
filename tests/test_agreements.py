"""Unit tests for compact amounts (``format_amount``, importable from analysis.agreements as before)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.agreements import format_amount


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
