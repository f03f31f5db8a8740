"""Rules on the vocabulary of date precision (data/date_precisions.csv): what a precision's date shows."""

from __future__ import annotations

from analysis.precisions import DISPLAYS, UNITS
from analysis.validation.engine.tables import Table
from analysis.validation.rules.registry import Facts, rule


@rule("date_precisions")
def display_within_unit(precisions: Table, facts: Facts) -> None:
    """A precision's display shows no part finer than its unit: a month-precise date shown with a day would invent it."""
    for line, code, unit, display in precisions.records("precision", "unit", "display"):
        shown = DISPLAYS.get(display)
        if unit not in UNITS or shown is None or UNITS.index(shown) >= UNITS.index(unit):
            continue  # an unknown unit or display is reported in its cell
        fits = " or ".join(d for d, finest in DISPLAYS.items() if UNITS.index(finest) >= UNITS.index(unit))
        facts.out.add(
            precisions, line, "display", f"'{display}' shows the {shown}, finer than the unit of '{code}' ({unit}), which the source does not give: write {fits}"
        )
