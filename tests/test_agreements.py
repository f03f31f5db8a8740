"""Unit tests for analysis.agreements: compact amounts (``format_amount``, importable here as before) and the clause
heatmap's helpers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.agreements import format_amount
from analysis.clauses import CLAUSE_CLASSES, clause_classes, heatmap_summary, uniform_dimensions


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


# The clause heatmap's helpers: cell classes, dimensions set apart, and the figure.
VALUES = pd.DataFrame(
    {
        "dimension_id": ["nato"] * 4 + ["air"] * 2 + ["cyber"] * 2,
        "value": ["not_stated", "aspiration", "future", "irreversible", "not_stated", "named", "not_stated", "named"],
        "rank": [0, 1, 2, 3, 0, 1, 0, 1],
    }
)
CLAUSES = pd.DataFrame(
    {
        "agreement_id": ["a", "a", "a", "b", "b", "b", "c", "c"],
        "dimension_id": ["nato", "air", "cyber", "nato", "air", "cyber", "nato", "cyber"],
        "value": ["irreversible", "named", "named", "future", "not_stated", "named", "aspiration", "named"],
    }
)


def test_clause_classes_by_rank():
    out = clause_classes(CLAUSES, VALUES, ["nato", "air"], ["c", "b", "a", "z"])
    assert out.to_dict("index") == {
        "c": {"nato": "weaker", "air": "not_coded"},  # c has no air row
        "b": {"nato": "weaker", "air": "not_stated"},  # rank 2 of 3 is weaker; rank 0 is not stated
        "a": {"nato": "strongest", "air": "strongest"},  # the top rank of each dimension
        "z": {"nato": "not_coded", "air": "not_coded"},  # an agreement with no rows at all
    }
    assert set(out.to_numpy().ravel()) <= set(CLAUSE_CLASSES)


def test_uniform_dimensions_are_set_apart():
    out = uniform_dimensions(CLAUSES, ["nato", "air", "cyber"])
    assert out.values.tolist() == [["cyber", "named", 3]]  # air differs (named / not_stated), nato differs
    assert uniform_dimensions(CLAUSES, ["air"]).empty
    assert list(uniform_dimensions(CLAUSES.iloc[:0], ["air"]).columns) == ["dimension_id", "value", "agreements"]


def test_heatmap_summary_counts_cells():
    out = clause_classes(CLAUSES, VALUES, ["nato", "air"], ["a", "b", "c"])
    text = heatmap_summary(out, uniform_dimensions(CLAUSES, ["cyber"]))
    # a: strongest, strongest; b: weaker, not_stated; c: weaker, not_coded
    assert "3 agreements" in text and "2 cells with the strongest value, 2 with a weaker value, 1 not stated, 1 not coded" in text
    assert "1 dimension on which every agreement says the same is listed" in text


@pytest.mark.parametrize("narrow", [False, True])
def test_clause_heatmap_marks_every_cell_and_names_every_class(narrow):
    from analysis.plots import plot_clause_heatmap

    out = clause_classes(CLAUSES, VALUES, ["nato", "air"], ["a", "b", "c"])
    fig = plot_clause_heatmap(out, CLAUSE_CLASSES, narrow=narrow)
    assert [t.get_text() for t in fig.axes[0].texts] == ["++", "++", "+", "–", "+", "?"]
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == [f"{s}  {CLAUSE_CLASSES[k]}" for k, s in (("strongest", "++"), ("weaker", "+"), ("not_stated", "–"), ("not_coded", "?"))]
    import matplotlib.pyplot as plt

    from analysis.images import MIN_TEXT_PT, NARROW_WIDTH, min_text_pt

    width = fig.get_size_inches()[0]
    # a phone version as wide as the generic one (340 px at the figure's resolution), no text under 7.5 pt
    assert width == NARROW_WIDTH / plt.rcParams["figure.dpi"] and min_text_pt(fig) >= MIN_TEXT_PT if narrow else width >= 7.5
    # the narrow version numbers the columns and names them in a key
    if narrow:
        assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["1", "2"]
        assert any("1 nato" in t.get_text() for t in fig.texts)
    plt.close(fig)
