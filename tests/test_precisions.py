"""What a date precision means (``analysis.precisions``): the span of a unit, its first day, how a date shows, and
the vocabulary read from ``data/date_precisions.csv``."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis import precisions
from analysis.schema import DEFAULT_DATA_DIR, DESCRIPTOR

DAYS = st.dates(min_value=dt.date(1678, 1, 1), max_value=dt.date(2262, 1, 1))


@pytest.mark.parametrize(
    ("day", "unit", "last"),
    [
        (dt.date(2024, 2, 1), "month", dt.date(2024, 2, 29)),  # a leap February
        (dt.date(2023, 2, 1), "month", dt.date(2023, 2, 28)),
        (dt.date(2023, 12, 1), "month", dt.date(2023, 12, 31)),  # the month after is in the next year
        (dt.date(2023, 1, 1), "year", dt.date(2023, 12, 31)),
        (dt.date(2023, 5, 17), "day", dt.date(2023, 5, 17)),
        (dt.date(2023, 5, 17), "fortnight", dt.date(2023, 5, 17)),  # a unit the code does not know is a day
    ],
)
def test_unit_span(day: dt.date, unit: str, last: dt.date) -> None:
    assert precisions.unit_span(day, unit) == (day, last)


def test_unit_span_keeps_the_type_of_the_date() -> None:
    first, last = precisions.unit_span(pd.Timestamp("2024-02-01"), "month")
    assert (first, last) == (pd.Timestamp("2024-02-01"), pd.Timestamp("2024-02-29")) and isinstance(last, pd.Timestamp)


@given(DAYS, st.sampled_from(precisions.UNITS))
def test_a_span_ends_on_the_last_day_of_its_unit(day: dt.date, unit: str) -> None:
    first, last = precisions.unit_span(day, unit)
    after = last + dt.timedelta(days=1)
    assert first == day <= last
    assert {"day": after != last, "month": after.month != last.month, "year": after.year != last.year}[unit]
    assert {"day": last == day, "month": (last.year, last.month) == (day.year, day.month), "year": last.year == day.year}[unit]


@given(DAYS, st.sampled_from(precisions.UNITS))
def test_a_date_is_refused_unless_it_is_the_first_day_of_its_unit(day: dt.date, unit: str) -> None:
    first_day = {"day": True, "month": day.day == 1, "year": (day.month, day.day) == (1, 1)}[unit]
    assert (precisions.anchor_problem(day.isoformat(), unit, unit) is None) == first_day


@pytest.mark.parametrize(
    ("value", "precision", "unit", "expected"),
    [
        ("2023-09-15", "month", "month", "2023-09-15 is not the 1st of its month, but date_precision is 'month': write 2023-09-01 (a month-precise date is the 1st)"),
        ("2023-09-15", "month_approx", "month", "2023-09-15 is not the 1st of its month, but date_precision is 'month_approx' (to the month): write 2023-09-01"),
        ("1958-03-25", "year", "year", "1958-03-25 is not 1 January, but date_precision is 'year': write 1958-01-01 (a year-precise date is 1 January)"),
        ("2023-09-15", "month", None, None),  # the vocabulary could not say: the vocabulary's problem is reported instead
        ("2023-9-15", "month", "month", None),  # not an ISO date: the cell check reports it
    ],
)
def test_anchor_problem(value: str, precision: str, unit: str | None, expected: str | None) -> None:
    found = precisions.anchor_problem(value, precision, unit)
    assert found == expected if expected is None else found.startswith(expected)


@pytest.mark.parametrize(
    ("display", "shown"),
    [("D Mon YYYY", "9 Jul 2024"), ("Mon YYYY", "Jul 2024"), ("YYYY", "2024"), ("DD/MM", "9 Jul 2024")],  # unknown: whole date
)
def test_show(display: str, shown: str) -> None:
    assert precisions.show(dt.date(2024, 7, 9), display) == shown


def test_span_and_format_follow_the_table_not_the_name() -> None:
    # A table given as a dataset holds it: the codes mean what their rows say.
    table = pd.DataFrame({"precision": ["day", "month", "rough"], "unit": ["day", "year", "month"], "display": ["D Mon YYYY", "YYYY", "Mon YYYY"]})
    units, displays = precisions.units(table), precisions.displays(table)
    assert precisions.span(dt.date(2024, 1, 1), "month", units) == (dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert precisions.span(dt.date(2024, 3, 1), "rough", units) == (dt.date(2024, 3, 1), dt.date(2024, 3, 31))
    assert precisions.span(dt.date(2024, 3, 1), "unlisted", units) == (dt.date(2024, 3, 1), dt.date(2024, 3, 1))
    assert precisions.format_at(dt.date(2024, 3, 1), "rough", displays) == "Mar 2024"
    assert precisions.format_at(dt.date(2024, 3, 1), "month", displays) == "2024"
    assert precisions.format_at(dt.date(2024, 3, 1), "unlisted", displays) == "1 Mar 2024"


def test_a_missing_date_spans_itself() -> None:
    assert precisions.span(None, "month", {}) == (None, None)
    first, last = precisions.span(pd.NaT, "month", {"month": "month"})
    assert first is pd.NaT and last is pd.NaT


def test_the_shipped_vocabulary_means_what_it_always_meant() -> None:
    assert precisions.meanings() == {
        "day": {"unit": "day", "display": "D Mon YYYY"},
        "month": {"unit": "month", "display": "Mon YYYY"},
        "year": {"unit": "year", "display": "YYYY"},
    }


def test_the_descriptor_allows_the_units_and_displays_the_code_knows() -> None:
    package = json.loads((DEFAULT_DATA_DIR / DESCRIPTOR).read_text(encoding="utf-8"))
    fields = {f["name"]: f for r in package["resources"] if r["name"] == precisions.TABLE for f in r["schema"]["fields"]}
    assert fields["unit"]["constraints"]["enum"] == list(precisions.UNITS)
    assert fields["display"]["constraints"]["enum"] == list(precisions.DISPLAYS)
    assert list(precisions.DISPLAYS.values()) == list(precisions.UNITS)  # each unit has the display that shows it whole
