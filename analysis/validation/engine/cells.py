"""Cells: the header, each value against its column's type and constraints, and the dates the rules compare."""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import math
import re
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from analysis import precisions
from analysis.schema import DESCRIPTOR
from analysis.validation import settings
from analysis.validation.engine.problems import Collector, show
from analysis.validation.engine.tables import Table
from analysis.validation.patterns import compile_pattern
from analysis.validation.settings import FIRST_DATE, FLOAT_DIGITS, INT64_MAX, INT64_MIN, LAST_DATE

if TYPE_CHECKING:
    from analysis.validation.engine.keys import Context

DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
INT_RE = re.compile(r"-?[0-9]+")
NUM_RE = re.compile(r"-?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?")
#: C0 controls other than tab and line feed, DEL, and C1 controls: never in a value.
CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
#: Bytes that are not UTF-8 reach the cells as surrogate escapes (U+DC80 to U+DCFF), reported with their column.
UNDECODED_RE = re.compile("[\udc80-\udcff]+")
#: Characters a URL may not hold unescaped (RFC 3986 excludes them; they also break out of HTML attributes).
URL_FORBIDDEN_RE = re.compile(r"""[<>"'\\`{}|^\s\x00-\x1f\x7f-\x9f]""")
#: A scheme, then a host (no user@ before it), an optional port, then the path, query or fragment (or nothing).
URL_START_RE = re.compile(r"https?://[^/?#@:]+(:[0-9]+)?([/?#]|$)")


def check_header(header: list[str], table: Table, out: Collector) -> None:
    expected = [f["name"] for f in table.fields]
    unknown = [h for h in header if h not in expected]
    # NOTE: suggestions compare names pairwise, so they are skipped for a header that is clearly not this table's.
    suggest = len(unknown) <= 100

    def shown(name: str) -> str:
        return name if len(name) <= 80 else name[:80] + "…"

    present = set(header)
    missing = [e for e in expected if e not in present]
    undecoded = next((match for name in header if (match := UNDECODED_RE.search(name))), None)
    if undecoded:
        out.add(table, 1, "-", f"not valid UTF-8 (bytes {undecoded_bytes(undecoded.group())!r}): re-save the file as UTF-8")
    for name in header:
        if name != name.strip():
            out.add(table, 1, shown(name.strip()) or "-", f"column name {show(name)} has spaces around it: write {show(name.strip())}")
    for name in unknown:
        guess = difflib.get_close_matches(name.strip(), missing, n=1) if suggest and len(name) <= 100 else []
        hint = f": did you mean '{guess[0]}'?" if guess else f": {DESCRIPTOR} defines no such column"
        out.add(table, 1, shown(name) or "-", f"unknown column {show(name)}{hint}")
    for name in missing:
        guess = difflib.get_close_matches(name, [u for u in unknown if len(u) <= 100], n=1) if suggest else []
        hint = f" (found '{guess[0]}', misspelt?)" if guess else ""
        out.add(table, 1, name, f"column '{name}' is missing{hint}: add it to the header, even if empty")
    if not unknown and not missing and header != expected:
        out.add(table, 1, "-", f"columns are out of order: expected {','.join(expected)}")
    seen = set()
    for name in header:
        if name in seen:
            out.add(table, 1, shown(name), f"column '{shown(name)}' appears twice in the header")
        seen.add(name)


def undecoded_bytes(escaped: str) -> bytes:
    """The bytes behind a run of surrogate escapes (at most four, for the message)."""
    return bytes(ord(ch) - 0xDC00 for ch in escaped[:4])


def pct(ch: str) -> str:
    return "".join(f"%{b:02X}" for b in ch.encode("utf-8"))


class Column:
    """The checks for one column, compiled once; results are cached per distinct value."""

    def __init__(self, spec: dict, index: int, ctx: Context, kept: bool):
        cons = spec.get("constraints", {})
        self.name = spec["name"]
        self.index = index
        self.kept = kept
        self.kind = spec["type"]
        self.description = spec.get("description", "")
        self.required = bool(cons.get("required"))
        self.enum: list[str] | None = cons.get("enum")
        self.enum_set = frozenset(self.enum) if self.enum else None
        self.source = cons.get("pattern")
        self.pattern = cons.get("_pattern") or (compile_pattern(self.source) if self.source else None)
        self.minimum, self.maximum = cons.get("minimum"), cons.get("maximum")
        self.url = self.name == "url" or self.name.endswith("_url")
        self.fast = self.kind == "string" and self.enum is None and not self.url
        self.today, self.cutoff = ctx.today, ctx.cutoff
        self._cache: dict[str, tuple[str, ...]] = {}
        self._intern: dict[str, str] = {}

    def check(self, values: tuple[str, ...], starts: list[int], table: Table, out: Collector) -> Sequence[str]:
        """Report the problems in one chunk of this column; return the values as kept (stripped where reported)."""
        distinct = set(values)
        # Repeated values (codes, dates) are checked once each, from the cache; mostly distinct ones (ids,
        # free text) in one pass over the whole chunk when nothing can be wrong with them.
        if self.fast and len(distinct) * 4 > len(values) and self._plain(values, distinct):
            return self._interned(values, distinct) if self.kept else values
        bad: dict[str, tuple[str, ...]] = {}
        for value in distinct:
            found = self._cache.get(value)
            if found is None:
                found = self.messages(value)
                if len(value) <= 200 and len(self._cache) < 10_000:
                    self._cache[value] = found
            if found:
                bad[value] = found
        if bad:
            get = bad.get
            out.add_many(table, self.name, [(line, m) for value, line in zip(values, starts) for m in get(value, ())])
            if self.kept:
                # Keep the stripped value, so that one slip is one problem; keep nothing of an over-long one.
                values = tuple((v.strip() if len(v) <= settings.MAX_CELL else "") if v in bad else v for v in values)
                distinct = None
        return self._interned(values, distinct) if self.kept else values

    def _plain(self, values: tuple[str, ...], distinct: set[str]) -> bool:
        """A fast pass for a string chunk: True when no value can have a problem (all printable, unpadded,
        present where required, short enough, and matching the pattern)."""
        joined = "".join(values)
        if not joined.isprintable() or tuple(map(str.strip, values)) != values:
            return False
        if (self.required and "" in values) or (len(joined) > settings.MAX_CELL and max(map(len, values)) > settings.MAX_CELL):
            return False
        return self.pattern is None or all(map(self.pattern.fullmatch, filter(None, distinct)))

    def _interned(self, values: Sequence[str], distinct: set[str] | None) -> Sequence[str]:
        """Share repeated values (codes, dates), so a million rows hold a few thousand strings, not millions."""
        distinct = distinct if distinct is not None else set(values)
        if len(distinct) * 2 > len(values):
            return values
        if len(distinct) == 1:  # an empty column, or one code throughout: one string, repeated
            return [next(iter(distinct))] * len(values)
        cache = self._intern
        if len(cache) < 100_000:
            return list(map(cache.setdefault, values, values))
        return [cache.get(v, v) for v in values]

    def messages(self, value: str) -> tuple[str, ...]:
        """Every problem with one cell, each saying what is wrong and what would be right."""
        if self.fast and value and value.isprintable() and value == value.strip() and len(value) <= settings.MAX_CELL:
            if self.pattern is None or self.pattern.fullmatch(value):
                return ()  # the common case, decided without building anything
        if len(value) > settings.MAX_CELL:
            return (f"the value is {len(value):,} characters long, over the limit of {settings.MAX_CELL:,}: shorten it",)
        undecoded = UNDECODED_RE.search(value)
        if undecoded:
            return (f"not valid UTF-8 (bytes {undecoded_bytes(undecoded.group())!r}): re-save the file as UTF-8",)
        control = CONTROL_RE.search(value)
        if control:
            return (
                f"{show(value)} contains the control character {control.group()!r} (character {control.start() + 1}): "
                "remove it; only tab and line feed may appear in a value",
            )
        found: list[str] = []
        stripped = value.strip()
        if stripped != value:
            found.append(f"{show(value)} has spaces around it: write {show(stripped)}")
            value = stripped
        if value == "":
            if self.required:
                found.append(f"a value is required ({self.description})")
            return tuple(found)
        typed = self._typed(value)
        if typed is not None:
            return (*found, typed)
        if self.enum_set is not None and value not in self.enum_set:
            by_lower = {v.lower(): v for v in self.enum}
            if value.lower() in by_lower:
                guess = [by_lower[value.lower()]]
            else:
                guess = difflib.get_close_matches(value, self.enum, n=1) if len(value) <= 100 else []
            hint = f" (did you mean '{guess[0]}'?)" if guess else ""
            found.append(f"{show(value)} is not allowed{hint}: use one of {', '.join(self.enum)}")
        if self.pattern is not None and not self.pattern.fullmatch(value):
            found.append(f"{show(value)} is malformed: it should match {self.source} ({self.description})")
        elif self.url:
            found.extend(self._url(value))
        if self.kind in ("integer", "number"):
            number = int(value) if self.kind == "integer" else float(value)
            if self.minimum is not None and number < self.minimum:
                found.append(f"{value} is below the minimum {self.minimum}")
            if self.maximum is not None and number > self.maximum:
                found.append(f"{value} is above the maximum {self.maximum}")
        return tuple(found)

    def _typed(self, value: str) -> str | None:
        """The problem with a value's type (date, integer, number, boolean), or None if it has the type."""
        kind = self.kind
        if kind == "date":
            if not DATE_RE.fullmatch(value):
                return f"{show(value)} is not a date: write YYYY-MM-DD, e.g. 2023-07-12"
            try:
                day = dt.date.fromisoformat(value)
            except ValueError:
                return f"{show(value)} is not a real calendar date"
            if not FIRST_DATE <= value <= LAST_DATE:
                return f"{value} is outside the dates the loaders can hold ({FIRST_DATE} to {LAST_DATE}, pandas datetime64[ns]): check the year"
            if day > self.today:
                return f"{value} is in the future (today is {self.today.isoformat()}): record only what has happened"
            if self.cutoff is not None and day > self.cutoff:
                return (
                    f"{value} is after the release's cut-off date {self.cutoff.isoformat()} (cutoff_date in {DESCRIPTOR}): "
                    "raise cutoff_date for the release that adds it, or fix the date"
                )
        elif kind == "integer":
            if not INT_RE.fullmatch(value):
                return f"{show(value)} is not a whole number: write digits only, e.g. 10"
            if len(value.lstrip("-").lstrip("0")) > 19 or not INT64_MIN <= int(value) <= INT64_MAX:
                return f"{show(value)} does not fit in a 64-bit integer (the loaders use Int64, {INT64_MIN:,} to {INT64_MAX:,}): check the value"
        elif kind == "number":
            if not NUM_RE.fullmatch(value):
                return f"{show(value)} is not a number: write digits with '.' for decimals, no separators"
            digits = re.split("[eE]", value.lstrip("-"))[0].replace(".", "").strip("0")
            if len(digits) > FLOAT_DIGITS:
                return (
                    f"{show(value)} has {len(digits)} significant digits, more than a float64 keeps ({FLOAT_DIGITS}): "
                    "round it, or the loaded value would differ"
                )
            number = float(value)
            if not math.isfinite(number):
                return f"{show(value)} is not a finite number: it is beyond what a float64 holds (about 1.8e308)"
            if digits and abs(number) < sys.float_info.min:
                return f"{show(value)} is too small for a float64 (it would load as {number!r}): check the exponent"
        elif kind == "boolean" and value not in ("true", "false"):
            return f"{show(value)} is not a boolean: write true or false"
        return None

    def _url(self, value: str) -> list[str]:
        bad = URL_FORBIDDEN_RE.search(value)
        if bad:
            return [
                f"{show(value)} contains {bad.group()!r}, which a URL may not hold as it is: "
                f"percent-encode it ({pct(bad.group())}) or correct the address"
            ]
        if not URL_START_RE.match(value):
            return [f"{show(value)} is not a web address: write http:// or https://, a host name (no user@), then the path"]
        return []


def precision_units(tables: Mapping[str, Table]) -> dict[str, str]:
    """``{precision: unit}`` from the vocabulary of date precision as read (``PRECISION_VOCABULARY``); empty when it
    could not be read. A unit the code does not know is left out: its cell has been reported."""
    name, code, unit = settings.PRECISION_VOCABULARY
    table = tables.get(name)
    if table is None or not table.readable:
        return {}
    codes, found = table.column(code), table.column(unit)
    if codes is None or found is None:
        return {}
    return {c: u for c, u in zip(codes, found) if c and u in precisions.UNITS}


def precision_problem(precision: str, value: str, units: Mapping[str, str]) -> str | None:
    """The problem with a date given its row's ``date_precision``, whose unit (``units``) says which first day it must
    be (data/README.md); None if it is, or if the precision's unit is not known."""
    return precisions.anchor_problem(value, precision, units.get(precision))


@functools.lru_cache(maxsize=65536)
def as_date(value: str) -> dt.date | None:
    """A valid ISO date the loaders can hold, else None (the cell check has reported it)."""
    if not value or not DATE_RE.fullmatch(value) or not FIRST_DATE <= value <= LAST_DATE:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


@functools.lru_cache(maxsize=65536)
def span_of(value: str, unit: str | None) -> tuple[dt.date, dt.date] | None:
    """The first and last day a date recorded to ``unit`` may stand for; None for a date the cell check refused or a
    unit not known (see :func:`precision_units`)."""
    day = as_date(value)
    if day is None or unit is None:
        return None
    return precisions.unit_span(day, unit)
