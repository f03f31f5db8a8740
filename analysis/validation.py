"""The validator: checks ``data/`` against ``datapackage.json`` and the project's cross-table rules.

Standard library only (``python -m analysis validate`` must start about as fast as ``import pandas``).
It reads the data and never writes to the data folder. Every problem is collected, none stops the
run, and each reads ``<file>:<line>: <column>: <what is wrong, and what would be right>``.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import math
import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from analysis.schema import DESCRIPTOR, display_path, load_package, resolve_data_dir

_DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_INT_RE = re.compile(r"^-?[0-9]+$")
_NUM_RE = re.compile(r"^-?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?$")

#: Event types that happen before signature, in the order a negotiation goes through them.
PRE_SIGNATURE_EVENTS = ("negotiations_opened", "negotiation_round", "text_agreed", "signing_postponed", "reported_negotiating")
#: Event types that can only follow the opening of talks on the same agreement.
AFTER_OPENING_EVENTS = ("negotiation_round", "text_agreed", "signing_postponed")
#: Event types that say who acted (events.side): Ukraine, the partner or both.
SIDED_EVENTS = ("approved", "ratified", "entered_into_force")
#: Event types that can only follow the signature.
POST_SIGNATURE_EVENTS = ("ratified", "entered_into_force")


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the data, located by file, line and column."""

    path: str
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.column}: {self.message}"


class DataError(ValueError):
    """Raised by the loaders when the data does not validate; carries every problem."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        shown = "\n".join(str(p) for p in self.problems[:50])
        more = len(self.problems) - 50
        tail = f"\n… and {more} more" if more > 0 else ""
        super().__init__(f"the data has {len(self.problems)} problem(s):\n{shown}{tail}")


@dataclass
class Row:
    """A parsed CSV record: its first physical line and its cells by column name."""

    line: int
    cells: dict[str, str]

    def get(self, column: str) -> str:
        return self.cells.get(column, "")


@dataclass
class Table:
    name: str
    path: str  # as shown in messages
    fields: list[dict]
    primary_key: list[str]
    rows: list[Row] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    #: (column, referenced table or "" for itself, referenced column), from the schema's foreignKeys.
    foreign_keys: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class Report:
    """The outcome of a validation run."""

    problems: list[Problem]
    tables: dict[str, Table]

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        rows = sum(len(t.rows) for t in self.tables.values())
        sources = len(self.tables["sources"].rows) if "sources" in self.tables else 0
        return f"data ok: {len(self.tables)} tables, {rows} rows, {sources} sources"


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, table: Table | str, line: int, column: str, message: str) -> None:
        path = table.path if isinstance(table, Table) else table
        self.problems.append(Problem(path, line, column, message))


# --------------------------------------------------------------------------- file level


def _read_text(path: Path, table: Table, out: _Collector) -> str | None:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        out.add(table, 1, "-", f"file is missing: {DESCRIPTOR} lists table '{table.name}' at this path")
        return None
    if raw.startswith(b"\xef\xbb\xbf"):
        out.add(table, 1, "-", "file starts with a byte-order mark: save as UTF-8 without BOM")
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        bad = raw[exc.start : exc.start + 4]
        out.add(table, line, _column_at(raw, exc.start), f"not valid UTF-8 (bytes {bad!r}): re-save the file as UTF-8")
        text = raw.decode("utf-8", errors="replace")
    if "\r" in text:
        line = text[: text.index("\r")].count("\n") + 1
        out.add(table, line, "-", "line ends with CR (Windows line endings): use LF only")
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text and not text.endswith("\n"):
        out.add(table, text.count("\n") + 1, "-", "the last line has no final newline: end the file with LF")
    return text


def _column_at(raw: bytes, offset: int) -> str:
    """Name the column in which byte ``offset`` falls, from the header, for encoding errors."""
    line_start = raw.rfind(b"\n", 0, offset) + 1
    first_line = raw.split(b"\n", 1)[0].replace(b"\r", b"")
    prefix = raw[line_start:offset].replace(b"\r", b"")
    try:
        header = next(csv.reader([first_line.decode("utf-8", "replace")]), [])
        index = len(next(csv.reader([prefix.decode("utf-8", "replace")]), [""])) - 1 if prefix else 0
    except csv.Error:  # the line is too broken to split: name no column rather than guess
        return "-"
    return header[index] if 0 <= index < len(header) else "-"


def _parse(text: str, table: Table, out: _Collector) -> list[tuple[int, list[str]]]:
    """Split the text into records, each with the line on which it starts."""
    records: list[tuple[int, list[str]]] = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    last = 0
    try:
        for record in reader:
            records.append((last + 1, record))
            last = reader.line_num
    except csv.Error as exc:
        line = last + 1
        out.add(
            table,
            line,
            "-",
            f"cannot read this record ({exc}): a quote is unbalanced; quote the whole field and double any quote inside it",
        )
    return records


# --------------------------------------------------------------------------- cell level


def _check_header(header: list[str], table: Table, out: _Collector) -> None:
    expected = [f["name"] for f in table.fields]
    unknown = [h for h in header if h not in expected]
    for name in header:
        if name != name.strip():
            out.add(table, 1, name.strip() or "-", f"column name {name!r} has spaces around it: write {name.strip()!r}")
    for name in unknown:
        missing = [e for e in expected if e not in header]
        guess = difflib.get_close_matches(name.strip(), missing, n=1)
        hint = f": did you mean '{guess[0]}'?" if guess else f": {DESCRIPTOR} defines no such column"
        out.add(table, 1, name or "-", f"unknown column '{name}'{hint}")
    for name in expected:
        if name not in header:
            guess = difflib.get_close_matches(name, unknown, n=1)
            hint = f" (found '{guess[0]}', misspelt?)" if guess else ""
            out.add(table, 1, name, f"column '{name}' is missing{hint}: add it to the header, even if empty")
    if not unknown and set(expected) <= set(header) and header != expected:
        out.add(table, 1, "-", f"columns are out of order: expected {','.join(expected)}")
    seen = set()
    for name in header:
        if name in seen:
            out.add(table, 1, name, f"column '{name}' appears twice in the header")
        seen.add(name)


def _check_cell(value: str, spec: dict, table: Table, line: int, out: _Collector, today: dt.date) -> None:
    name = spec["name"]
    cons = spec.get("constraints", {})
    if value != value.strip():
        out.add(table, line, name, f"{value!r} has spaces around it: write {value.strip()!r}")
        value = value.strip()
    if value == "":
        if cons.get("required"):
            out.add(table, line, name, f"a value is required ({spec.get('description', '')})")
        return
    kind = spec["type"]
    if kind == "date":
        if not _DATE_RE.match(value):
            out.add(table, line, name, f"'{value}' is not a date: write YYYY-MM-DD, e.g. 2023-07-12")
            return
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            out.add(table, line, name, f"'{value}' is not a real calendar date")
            return
        if day > today:
            out.add(table, line, name, f"{value} is in the future (today is {today.isoformat()}): record only what has happened")
        number = None
    elif kind == "integer":
        if not _INT_RE.match(value):
            out.add(table, line, name, f"'{value}' is not a whole number: write digits only, e.g. 10")
            return
        number = int(value)
    elif kind == "number":
        if not _NUM_RE.match(value):
            out.add(table, line, name, f"'{value}' is not a number: write digits with '.' for decimals, no separators")
            return
        number = float(value)
        if not math.isfinite(number):
            out.add(table, line, name, f"'{value}' is not a finite number")
            return
    else:
        number = None
    if "enum" in cons and value not in cons["enum"]:
        by_lower = {v.lower(): v for v in cons["enum"]}
        guess = [by_lower[value.lower()]] if value.lower() in by_lower else difflib.get_close_matches(value, cons["enum"], n=1)
        hint = f" (did you mean '{guess[0]}'?)" if guess else ""
        out.add(table, line, name, f"'{value}' is not allowed{hint}: use one of {', '.join(cons['enum'])}")
    if "pattern" in cons and not re.fullmatch(cons["pattern"], value):
        out.add(table, line, name, f"'{value}' is malformed: it should match {cons['pattern']} ({spec.get('description', '')})")
    if number is not None:
        if "minimum" in cons and number < cons["minimum"]:
            out.add(table, line, name, f"{value} is below the minimum {cons['minimum']}")
        if "maximum" in cons and number > cons["maximum"]:
            out.add(table, line, name, f"{value} is above the maximum {cons['maximum']}")


def _load_table(data_dir: Path, resource: dict, out: _Collector, today: dt.date) -> Table:
    schema = resource["schema"]
    table = Table(
        name=resource["name"],
        path=display_path(data_dir / resource["path"]),
        fields=schema["fields"],
        primary_key=schema.get("primaryKey", []),
        foreign_keys=[(fk["fields"], fk["reference"]["resource"], fk["reference"]["fields"]) for fk in schema.get("foreignKeys", [])],
    )
    text = _read_text(data_dir / resource["path"], table, out)
    if text is None:
        return table
    records = _parse(text, table, out)
    if not records:
        out.add(table, 1, "-", "file is empty: it needs at least the header row")
        return table
    header = records[0][1]
    table.header = header
    _check_header(header, table, out)
    specs = {f["name"]: f for f in table.fields}
    for line, record in records[1:]:
        if record == []:
            out.add(table, line, "-", "blank line: remove it")
            continue
        if len(record) != len(header):
            where = header[len(record)] if len(record) < len(header) else f"field {len(header) + 1}"
            out.add(
                table,
                line,
                where,
                f"row has {len(record)} fields but the header has {len(header)}: "
                "check for a missing or extra comma, or quote fields that contain commas",
            )
            continue
        cells = {h.strip(): v for h, v in zip(header, record)}
        for column, value in cells.items():
            if column in specs:
                _check_cell(value, specs[column], table, line, out, today)
        table.rows.append(Row(line, {k: v.strip() for k, v in cells.items()}))
    _check_keys(table, out)
    return table


def _check_keys(table: Table, out: _Collector) -> None:
    key = table.primary_key
    if not key or not set(key) <= set(table.header):
        return
    seen: dict[tuple, int] = {}
    previous: tuple | None = None
    for row in table.rows:
        value = tuple(row.get(k) for k in key)
        label = ", ".join(key)
        if value in seen:
            out.add(table, row.line, key[0], f"duplicate key ({label}) = {value}: first used on line {seen[value]}")
        else:
            seen[value] = row.line
        if previous is not None and value < previous:
            out.add(table, row.line, key[0], f"rows are not sorted by ({label}): {value} should come before {previous}")
        previous = value
    for spec in table.fields:
        if spec.get("constraints", {}).get("unique") and [spec["name"]] != key:
            _check_unique(table, spec["name"], out)


def _check_unique(table: Table, column: str, out: _Collector) -> None:
    seen: dict[str, int] = {}
    for row in table.rows:
        value = row.get(column)
        if value and value in seen:
            out.add(table, row.line, column, f"'{value}' must be unique: first used on line {seen[value]}")
        seen.setdefault(value, row.line)


# --------------------------------------------------------------------------- cross-table rules


def _check_foreign_keys(tables: dict[str, Table], out: _Collector) -> None:
    for table in tables.values():
        for column, target, target_column in table.foreign_keys:
            ref = tables.get(target or table.name)
            if ref is None:
                continue
            # a key of one column ("party_id") or several (["dimension_id", "value"]): compared as tuples
            columns = tuple(column) if isinstance(column, list) else (column,)
            targets = tuple(target_column) if isinstance(target_column, list) else (target_column,)
            valid = {tuple(r.get(c) for c in targets) for r in ref.rows}
            for row in table.rows:
                value = tuple(row.get(c) for c in columns)
                if all(value) and value not in valid:
                    shown = value[0] if len(value) == 1 else ", ".join(f"{c} '{v}'" for c, v in zip(columns, value))
                    label = " and ".join(targets)
                    out.add(
                        table,
                        row.line,
                        columns[-1],
                        f"'{shown}' is not a {label} in {ref.path}: add it there first, or fix the code"
                        if len(value) == 1
                        else f"{shown} is not a ({label}) pair in {ref.path}: use a value listed there for that dimension",
                    )
        if "other_source_ids" in table.header and "sources" in tables:
            valid = {r.get("source_id") for r in tables["sources"].rows}
            for row in table.rows:
                for sid in filter(None, row.get("other_source_ids").split(";")):
                    if sid not in valid:
                        out.add(table, row.line, "other_source_ids", f"'{sid}' is not a source_id in {tables['sources'].path}")


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _span(row: Row, column: str) -> tuple[dt.date, dt.date] | None:
    """The earliest and latest day a date can mean, given the row's ``date_precision``."""
    day = _date(row.get(column))
    if day is None:
        return None
    precision = row.get("date_precision")
    if precision == "year":
        return day, dt.date(day.year, 12, 31)
    if precision == "month":
        following = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
        return day, following - dt.timedelta(days=1)
    return day, day


def _check_alternatives(table: Table, out: _Collector) -> None:
    """An alternative value needs its source, and must differ from the kept value."""
    pairs = [c for c in table.header if c.startswith("alt_") and c != "alt_source_id"]
    for alt in pairs:
        main = alt[len("alt_") :]
        for row in table.rows:
            has_alt, has_src = bool(row.get(alt)), bool(row.get("alt_source_id"))
            if has_alt and not has_src:
                out.add(table, row.line, "alt_source_id", f"{alt} is given without its source: fill alt_source_id")
            if has_src and not has_alt:
                out.add(
                    table,
                    row.line,
                    alt,
                    f"alt_source_id is given but {alt} is empty: record the alternative value or drop the source",
                )
            if has_alt and row.get(alt) == row.get(main):
                out.add(table, row.line, alt, f"{alt} equals {main}: an alternative must differ, else leave it empty")


def _check_cross_table(tables: dict[str, Table], out: _Collector) -> None:
    declarations = {r.get("declaration_id"): r for r in tables.get("declarations", Table("", "", [], [])).rows}
    agreements = {r.get("agreement_id"): r for r in tables.get("agreements", Table("", "", [], [])).rows}

    if "signatories" in tables:
        sig = tables["signatories"]
        for row in sig.rows:
            decl = declarations.get(row.get("declaration_id"))
            joined, adopted = _date(row.get("joined_date")), _date(decl.get("adopted_date")) if decl else None
            if joined and adopted and joined < adopted:
                out.add(
                    sig,
                    row.line,
                    "joined_date",
                    f"{joined} is before the declaration was adopted ({adopted}): a party cannot join earlier",
                )
            if row.get("role") == "original" and joined and adopted and joined != adopted:
                out.add(
                    sig, row.line, "joined_date", f"an original signatory joins on the adoption date ({adopted}), not {joined}"
                )
            role, basis = row.get("role"), row.get("date_basis")
            if role == "original" and basis != "adoption":
                out.add(sig, row.line, "date_basis", "an original signatory has date_basis 'adoption'")
            if role == "acceded" and basis == "adoption":
                out.add(sig, row.line, "date_basis", "a party that acceded joined after adoption: use the basis of its date, not 'adoption'")
            if role in ("signed", "endorsed") and basis == "adoption" and joined and adopted and joined != adopted:
                out.add(sig, row.line, "joined_date", f"date_basis 'adoption' means the adoption date ({adopted}), not {joined}")

    if "agreements" in tables:
        agr = tables["agreements"]
        for row in agr.rows:
            aid, party = row.get("agreement_id"), row.get("party_id")
            if aid and party and not aid.startswith(party.lower() + "-"):
                out.add(agr, row.line, "agreement_id", f"'{aid}' should start with the partner code '{party.lower()}-'")
            signed = _date(row.get("signed_date"))
            if aid and signed and not aid[4:8] == str(signed.year):
                out.add(agr, row.line, "agreement_id", f"'{aid}' should carry the signing year {signed.year}")
            if bool(row.get("related_agreement_id")) != bool(row.get("relation")):
                out.add(agr, row.line, "relation", "related_agreement_id and relation go together: fill both or neither")
            related = agreements.get(row.get("related_agreement_id"))
            if related is not None:
                earlier = _date(related.get("signed_date"))
                if related.get("party_id") != party:
                    out.add(agr, row.line, "related_agreement_id", "a related agreement must be with the same partner")
                if earlier and signed and earlier >= signed:
                    out.add(
                        agr,
                        row.line,
                        "related_agreement_id",
                        f"the related agreement was signed on {earlier}, not before this one ({signed})",
                    )
            if bool(row.get("commitment_amount")) != bool(row.get("commitment_currency")):
                column = "commitment_currency" if row.get("commitment_amount") else "commitment_amount"
                out.add(agr, row.line, column, "commitment_amount and commitment_currency go together: fill both or neither")
            if row.get("commitment_amount") and not row.get("commitment_scope"):
                out.add(agr, row.line, "commitment_scope", "an amount needs its scope: first_year, annual or multi_year")
        _check_alternatives(agr, out)

    if "events" in tables:
        _check_events(tables["events"], agreements, out)

    for name in ("signatories", "events"):
        if name in tables:
            _check_alternatives(tables[name], out)

    if "memberships" in tables:
        mem = tables["memberships"]
        spells: dict[tuple[str, str], list[tuple[dt.date, dt.date | None, int]]] = defaultdict(list)
        for row in mem.rows:
            joined, left = _date(row.get("joined_date")), _date(row.get("left_date"))
            if joined and left and left <= joined:
                out.add(mem, row.line, "left_date", f"{left} is not after joined_date {joined}")
            if joined:
                spells[(row.get("party_id"), row.get("bloc"))].append((joined, left, row.line))
        for (party, bloc), items in spells.items():
            items.sort(key=lambda item: (item[0], item[2]))
            for (_, left, _), (joined, _, line) in zip(items, items[1:]):
                if left is None or joined < left:
                    out.add(mem, line, "joined_date", f"{party} already in {bloc} on {joined}: membership spells overlap")

    _check_meetings(tables, declarations, out)
    _check_clauses(tables, out)

    if "sources" in tables:
        _check_sources_cited(tables, out)


#: The longest quote the clause matrix keeps (the brief says about 300 characters).
MAX_QUOTE = 400


def _check_meetings(tables: dict[str, Table], declarations: dict[str, Row], out: _Collector) -> None:
    """A declaration adopted at a meeting carries the meeting's date."""
    meetings = {r.get("meeting_id"): r for r in tables["meetings"].rows} if "meetings" in tables else {}
    if "declarations" not in tables:
        return
    for row in tables["declarations"].rows:
        meeting = meetings.get(row.get("meeting_id"))
        if meeting is not None and row.get("adopted_date") and row.get("adopted_date") != meeting.get("meeting_date"):
            out.add(
                tables["declarations"],
                row.line,
                "adopted_date",
                f"adopted at meeting '{row.get('meeting_id')}' on {meeting.get('meeting_date')}, not {row.get('adopted_date')}",
            )


def _check_clauses(tables: dict[str, Table], out: _Collector) -> None:
    """not_stated has no quote; any other value has its quote and reference; a disagreement has its resolution."""
    if "clauses" in tables:
        clauses = tables["clauses"]
        for row in clauses.rows:
            stated = row.get("value") != "not_stated"
            for column in ("quote", "reference"):
                if stated and not row.get(column):
                    out.add(clauses, row.line, column, f"a coded value ({row.get('value')}) needs its {column} from the text")
                if not stated and row.get(column):
                    out.add(clauses, row.line, column, f"not_stated means the text does not say it: leave {column} empty")
            if len(row.get("quote")) > MAX_QUOTE:
                out.add(clauses, row.line, "quote", f"quote is {len(row.get('quote'))} characters: keep the decisive words, at most {MAX_QUOTE}")
    if "clause_checks" in tables:
        checks = tables["clause_checks"]
        for row in checks.rows:
            differ = row.get("first_value") != row.get("second_value")
            if differ and not row.get("resolution"):
                out.add(checks, row.line, "resolution", "the two codings differ: say how the disagreement was settled")
            if not differ and row.get("resolution"):
                out.add(checks, row.line, "resolution", "the two codings agree: there is nothing to settle, leave it empty")


def _check_events(ev: Table, agreements: dict[str, Row], out: _Collector) -> None:
    opened: dict[tuple[str, str], tuple[dt.date, int]] = {}
    for row in ev.rows:
        party, aid = row.get("party_id"), row.get("agreement_id")
        eid = row.get("event_id")
        if eid and party and not eid.startswith(party.lower() + "-"):
            out.add(ev, row.line, "event_id", f"'{eid}' should start with the partner code '{party.lower()}-'")
        when = _date(row.get("event_date"))
        span = _span(row, "event_date")
        if row.get("event_type") == "negotiations_opened" and when:
            key = (party, aid)
            if key in opened:
                out.add(
                    ev,
                    row.line,
                    "event_type",
                    f"talks with {party} were already opened on line {opened[key][1]}: use negotiation_round",
                )
            else:
                opened[key] = (when, row.line)
        agreement = agreements.get(aid)
        if agreement is not None:
            signed = _date(agreement.get("signed_date"))
            if agreement.get("party_id") != party:
                out.add(ev, row.line, "agreement_id", f"agreement '{aid}' is with {agreement.get('party_id')}, not {party}")
            kind = row.get("event_type")
            if span and signed and kind in PRE_SIGNATURE_EVENTS and span[0] > signed:
                out.add(
                    ev,
                    row.line,
                    "event_date",
                    f"a {kind} on {when} comes after the agreement was signed ({signed}): check the date or the agreement_id",
                )
            if span and signed and kind in POST_SIGNATURE_EVENTS and span[1] < signed:
                out.add(ev, row.line, "event_date", f"{kind} on {when} comes before the signature ({signed})")
    for row in ev.rows:
        key = (row.get("party_id"), row.get("agreement_id"))
        span = _span(row, "event_date")
        # NOTE: a month- or year-precise date only conflicts if its whole span lies before the opening.
        if key in opened and span and row.get("event_type") in AFTER_OPENING_EVENTS and span[1] < opened[key][0]:
            out.add(
                ev,
                row.line,
                "event_date",
                f"a {row.get('event_type')} on {row.get('event_date')} comes before talks opened ({opened[key][0]}, line {opened[key][1]})",
            )
    # NOTE: event ids are stable across releases (a later release appends the next free number), so ids are not
    # in date order; sort by event_date for the order of events.
    for row in ev.rows:
        kind, side = row.get("event_type"), row.get("side")
        if kind in SIDED_EVENTS and not side:
            out.add(ev, row.line, "side", f"a {kind} step needs its side: ukraine, partner or both")
        if side and kind not in SIDED_EVENTS:
            out.add(ev, row.line, "side", f"side is only for {', '.join(SIDED_EVENTS)}; leave it empty for {kind}")
        if row.get("track") == "us_guarantees" and row.get("agreement_id"):
            out.add(ev, row.line, "agreement_id", "the US guarantee track has no signed agreement yet: leave agreement_id empty")


def _check_sources_cited(tables: dict[str, Table], out: _Collector) -> None:
    cited: set[str] = set()
    for table in tables.values():
        for column in ("source_id", "alt_source_id"):
            if column in table.header and table.name != "sources":
                cited.update(r.get(column) for r in table.rows)
        if "other_source_ids" in table.header:
            for r in table.rows:
                cited.update(r.get("other_source_ids").split(";"))
    src = tables["sources"]
    for row in src.rows:
        if row.get("source_id") and row.get("source_id") not in cited:
            out.add(src, row.line, "source_id", f"'{row.get('source_id')}' is cited by no row: remove it, or cite it")


# --------------------------------------------------------------------------- entry point


def validate(data_dir: str | os.PathLike | None = None, today: dt.date | None = None) -> Report:
    """Check every table in ``data_dir`` and return a :class:`Report` listing every problem.

    >>> validate().ok
    True
    """
    data_dir = resolve_data_dir(data_dir)
    out = _Collector()
    today = today or dt.date.today()
    descriptor = data_dir / DESCRIPTOR
    try:
        package = load_package(data_dir)
    except FileNotFoundError:
        out.add(display_path(descriptor), 1, "-", "datapackage.json is missing: the data folder needs its descriptor")
        return Report(out.problems, {})
    except ValueError as exc:
        out.add(display_path(descriptor), getattr(exc, "lineno", 1), "-", f"datapackage.json is not valid JSON: {exc}")
        return Report(out.problems, {})
    if not isinstance(package, dict) or not isinstance(package.get("resources"), list):
        out.add(display_path(descriptor), 1, "-", "datapackage.json needs a 'resources' list describing each table")
        return Report(out.problems, {})
    tables: dict[str, Table] = {}
    for resource in package["resources"]:
        table = _load_table(data_dir, resource, out, today)
        tables[table.name] = table
    _check_foreign_keys(tables, out)
    _check_cross_table(tables, out)
    return Report(sorted(set(out.problems), key=lambda p: (p.path, p.line, p.column, p.message)), tables)


def main(data_dir: str | None = None) -> int:
    """Run the validator and print its findings; the exit status is 1 on any problem."""
    report = validate(data_dir)
    if report.ok:
        print(report.summary())
        return 0
    for problem in report.problems:
        print(problem)
    print(f"{len(report.problems)} problem(s) found in {display_path(resolve_data_dir(data_dir))}")
    return 1
