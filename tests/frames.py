"""Column builders for the tiny inline tables in the tests, typed as the loaders type them."""

from __future__ import annotations

import pandas as pd


def S(values) -> pd.arrays.StringArray:
    """A column of the loader's ``string`` dtype."""
    return pd.array(values, dtype="string")


def D(values) -> pd.Series:
    """A column of ``datetime64[ns]`` dates (None → NaT)."""
    return pd.Series(pd.to_datetime(values), dtype="datetime64[ns]")
