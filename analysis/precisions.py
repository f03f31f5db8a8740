"""What a date's precision means, defined once in ``data/date_precisions.csv``: per precision, the calendar ``unit``
the date stands for and the ``display`` a reader sees.

A date recorded to a unit is the unit's first day (the 1st of the month, 1 January); the fact may fall on any day
up to the unit's last day. The code knows the units (:data:`UNITS`) and the display formats (:data:`DISPLAYS`), the
same closed sets as the enums of ``datapackage.json``; which precision has which unit and display is data.

- :func:`span`, :func:`format_at`, :func:`units` and :func:`displays` read the table (through
  :func:`analysis.labels.vocabulary`, which records the read, or from a date_precisions frame given); a code the
  table does not list, or none, is a day.
- :func:`unit_span`, :func:`anchor_problem` and :func:`show` take the unit or display as given: the validator,
  which reads the table itself, uses them.

Standard library only (the validator imports it).

>>> span(dt.date(2024, 2, 1), "month")
(datetime.date(2024, 2, 1), datetime.date(2024, 2, 29))
>>> format_at(dt.date(2024, 1, 1), "month"), format_at(dt.date(2024, 1, 12), "day"), format_at(dt.date(2025, 1, 1), "year")
('Jan 2024', '12 Jan 2024', '2025')
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import TypeVar

#: The calendar units a date may stand for, finest first (the enum of date_precisions.unit).
UNITS = ("day", "month", "year")
#: How a date may be shown (the enum of date_precisions.display), by the unit of its finest part: ``D`` is the day of
#: the month, ``Mon`` the month's first three letters, ``YYYY`` the year.
DISPLAYS = {"D Mon YYYY": "day", "Mon YYYY": "month", "YYYY": "year"}
#: The vocabulary table and its code column.
TABLE, CODE = "date_precisions", "precision"

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DAY = {"unit": "day", "display": "D Mon YYYY"}
_ISO = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

D = TypeVar("D", bound=dt.date)


# --------------------------------------------------------------------------- given the unit or the display


def last_day(day: dt.date, unit: str) -> dt.date:
    """The last day of the ``unit`` that holds ``day`` (a unit not in :data:`UNITS` is a day).

    >>> last_day(dt.date(2023, 12, 1), "month"), last_day(dt.date(2024, 3, 5), "year")
    (datetime.date(2023, 12, 31), datetime.date(2024, 12, 31))
    """
    if unit == "year":
        return dt.date(day.year, 12, 31)
    if unit == "month":
        following = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
        return following - dt.timedelta(days=1)
    return dt.date(day.year, day.month, day.day)


def unit_span(day: D, unit: str) -> tuple[D, D]:
    """The first and last day a date recorded to ``unit`` may stand for, of the date's own type (a date, a datetime
    or a pandas Timestamp: the end keeps the time of day).

    >>> unit_span(dt.date(2024, 2, 1), "month")
    (datetime.date(2024, 2, 1), datetime.date(2024, 2, 29))
    >>> unit_span(dt.date(2024, 2, 1), "day")
    (datetime.date(2024, 2, 1), datetime.date(2024, 2, 1))
    """
    start = dt.date(day.year, day.month, day.day)
    return day, day + (last_day(start, unit) - start)


def anchor_problem(value: str, precision: str, unit: str | None) -> str | None:
    """The problem with an ISO date ``value`` whose row's ``date_precision`` is ``precision`` of ``unit``: it must be
    the unit's first day. None if it is, if the unit is unknown, or if the value is not an ISO date.

    >>> anchor_problem("2024-01-15", "month", "month")
    "2024-01-15 is not the 1st of its month, but date_precision is 'month': write 2024-01-01 (a month-precise date is the 1st)"
    >>> anchor_problem("2024-03-01", "year_approx", "year")
    "2024-03-01 is not 1 January, but date_precision is 'year_approx' (to the year): write 2024-01-01 (a year-precise date is 1 January)"
    >>> anchor_problem("2024-01-15", "day", "day") is None
    True
    """
    if not _ISO.fullmatch(value):
        return None
    named = f"'{precision}'" + ("" if precision == unit else f" (to the {unit})")
    if unit == "month" and value[8:] != "01":
        return f"{value} is not the 1st of its month, but date_precision is {named}: write {value[:8]}01 (a month-precise date is the 1st)"
    if unit == "year" and value[5:] != "01-01":
        return f"{value} is not 1 January, but date_precision is {named}: write {value[:4]}-01-01 (a year-precise date is 1 January)"
    return None


def show(day: dt.date, display: str) -> str:
    """``day`` as a reader sees it in a :data:`DISPLAYS` format (an unknown format shows the whole date).

    >>> show(dt.date(2024, 1, 12), "D Mon YYYY"), show(dt.date(2024, 1, 12), "Mon YYYY"), show(dt.date(2024, 1, 12), "YYYY")
    ('12 Jan 2024', 'Jan 2024', '2024')
    """
    parts = {"D": str(day.day), "Mon": _MONTHS[day.month - 1], "YYYY": str(day.year)}
    return " ".join(parts[token] for token in (display if display in DISPLAYS else "D Mon YYYY").split(" "))


# --------------------------------------------------------------------------- reading the table


def meanings() -> dict[str, dict[str, str]]:
    """``{precision: {"unit": ..., "display": ...}}`` from the vocabulary (the data folder in use), in its order.

    >>> meanings()["month"]
    {'unit': 'month', 'display': 'Mon YYYY'}
    """
    from analysis.labels import vocabulary  # the loaders (pandas) only when the table is needed

    return {row[CODE]: {"unit": row["unit"], "display": row["display"]} for row in vocabulary(TABLE)}


def units(table=None) -> dict[str, str]:
    """``{precision: unit}`` from the vocabulary, or from ``table`` (a date_precisions DataFrame, as a dataset holds
    it): read it once for many dates (see :func:`span`).

    >>> units()
    {'day': 'day', 'month': 'month', 'year': 'year'}
    """
    if table is not None:
        return dict(zip(table[CODE], table["unit"], strict=True))
    return {code: meaning["unit"] for code, meaning in meanings().items()}


def span(date: D, precision: str | None, known: Mapping[str, str] | None = None) -> tuple[D, D]:
    """The first and last day a date recorded at ``precision`` may stand for, as its unit in the vocabulary says
    (``known``: :func:`units`, when spanning many dates). A missing date spans itself; a precision the vocabulary
    does not list, or none, is a day.

    >>> span(dt.date(2023, 5, 1), "year")
    (datetime.date(2023, 5, 1), datetime.date(2023, 12, 31))
    >>> span(dt.date(2023, 5, 1), None, {"month": "month"})
    (datetime.date(2023, 5, 1), datetime.date(2023, 5, 1))
    """
    if date is None or date != date or precision is None:  # NaT is not equal to itself
        return date, date
    unit = (units() if known is None else known).get(precision, "day")
    return unit_span(date, unit)


def displays(table=None) -> dict[str, str]:
    """``{precision: display}`` from the vocabulary, or from ``table`` (a date_precisions DataFrame): read it once for
    many dates (see :func:`format_at`).

    >>> displays()["year"]
    'YYYY'
    """
    if table is not None:
        return dict(zip(table[CODE], table["display"], strict=True))
    return {code: meaning["display"] for code, meaning in meanings().items()}


def format_at(day: dt.date, precision: str | None, known: Mapping[str, str] | None = None) -> str:
    """``day`` shown as the vocabulary's ``display`` for ``precision`` says (``known``: :func:`displays`, when showing
    many dates); a code it does not list, or none, shows the whole date. See :func:`analysis.labels.format_date` for
    any date-like value.

    >>> format_at(dt.date(2024, 7, 9), None), format_at(dt.date(2024, 7, 1), "month", {"month": "Mon YYYY"})
    ('9 Jul 2024', 'Jul 2024')
    """
    if precision is None:
        return show(day, _DAY["display"])
    return show(day, (displays() if known is None else known).get(precision, _DAY["display"]))
