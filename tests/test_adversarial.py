"""Adversarial input: every malformed data folder we could think of, fed to the validator and the loaders.

Each case copies the shipped ``data/`` into ``tmp_path``, breaks one thing, and asserts that the validator
rejects it cleanly: ``Report.ok`` is False, a problem is located (``file:line: column:``) and says what is
wrong, every problem prints as one escaped line, nothing in the folder is written, and nothing outside it is
read. A sample also runs ``python -m analysis validate`` in a subprocess (exit status 1, no traceback) and the
loaders (``DataError``). A few hostile-looking inputs are valid and must be accepted.

Tally (update it with the cases): inputs tried 206 (``CASES`` 172, ``ACCEPTED`` 11, and 23 in their own tests, 13 of
them patterns under a bound): rejected cleanly 195, accepted 11 (valid on purpose), crashed 0, hung 0. The validator
before issue 12, given the 183 inputs of ``CASES`` and ``ACCEPTED`` through ``python -m analysis validate``: crashed
on 27 (a table or descriptor that is a folder, a socket or a link loop, deep JSON, a field without a name or type, a
bad pattern, a month date in year 9999, a 5,000-digit integer, ...), hung on 3 (FIFOs, /dev/zero), printed malformed
lines for 4, and accepted 53 that it should have refused (the loaders then crashed on them or altered the values).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import warm

from analysis import load
from analysis.paths import ROOT
from analysis.schema import DEFAULT_DATA_DIR, DESCRIPTOR, display_path
from analysis.validation import DataError, Report, validate

REPO = ROOT
#: Where the shipped data puts things, so that the expected locations follow the data as it grows.
PARTY_LINES = len((DEFAULT_DATA_DIR / "parties.csv").read_text(encoding="utf-8").splitlines())  # the header included
RESOURCES = [r["name"] for r in json.loads((DEFAULT_DATA_DIR / DESCRIPTOR).read_text(encoding="utf-8"))["resources"]]
EVENTS = RESOURCES.index("events")


def _shipped(table: str) -> list[dict]:
    import csv

    with open(DEFAULT_DATA_DIR / f"{table}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def R(name: str) -> int:
    """The index of a table in the shipped descriptor."""
    return RESOURCES.index(name)


def F(table: str, column: str) -> int:
    """The index of a column in a table's schema in the shipped descriptor."""
    package = json.loads((DEFAULT_DATA_DIR / DESCRIPTOR).read_text(encoding="utf-8"))
    fields = next(r for r in package["resources"] if r["name"] == table)["schema"]["fields"]
    return [f["name"] for f in fields].index(column)


#: The physical line of Austria in parties.csv (the header is line 1; one line per row).
AUT_LINE = 2 + [r["party_id"] for r in _shipped("parties")].index("AUT")
#: The first row (line 2) of events and signatories, and the first month-precise event, as shipped.
FIRST_EVENT_YEAR = _shipped("events")[0]["event_date"][:4]
FIRST_SIGNATORY_MONTH = _shipped("signatories")[0]["joined_date"][:7]
MONTH_EVENT_LINE = 2 + next(i for i, r in enumerate(_shipped("events")) if r["date_precision"] == "month")
MONTH_EVENT_MONTH = _shipped("events")[MONTH_EVENT_LINE - 2]["event_date"][:7]
LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>[1-9][0-9]*): (?P<column>[^:]+): (?P<message>.+)$")
#: Every case must finish well within this; the alarm turns a hang into a failure.
DEADLINE_S = 30


class Folder:
    """A copy of the shipped data folder to break."""

    def __init__(self, root: Path):
        self.root = root
        shutil.copytree(DEFAULT_DATA_DIR, root)

    def file(self, name: str) -> Path:
        return self.root / (name if name == DESCRIPTOR else f"{name}.csv")

    def shown(self, name: str) -> str:
        """A file's path as the validator shows it."""
        return display_path(self.file(name))

    def lines(self, name: str) -> list[str]:
        return self.file(name).read_text(encoding="utf-8").splitlines(keepends=True)

    def header(self, name: str) -> list[str]:
        return self.lines(name)[0].rstrip("\n").split(",")

    def write(self, name: str, content: str | bytes) -> None:
        self.file(name).write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))

    def edit(self, name: str, line: int, column: str, value: str) -> None:
        """Set one cell (the shipped tables have one physical line per record)."""
        import csv
        import io

        rows = list(csv.reader(io.StringIO(self.file(name).read_text(encoding="utf-8"), newline="")))
        rows[line - 1][rows[0].index(column)] = value
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        self.write(name, buffer.getvalue())

    def replace_file(self, name: str) -> Path:
        """Remove a file so that something else can take its place; return its path."""
        path = self.file(name)
        path.unlink()
        return path

    def descriptor(self, change: Callable[[dict], object]) -> None:
        """Change the descriptor in place (what ``change`` returns is ignored)."""
        path = self.file(DESCRIPTOR)
        package = json.loads(path.read_text(encoding="utf-8"))
        change(package)
        path.write_text(json.dumps(package, indent=2, ensure_ascii=False), encoding="utf-8")

    def descriptor_line(self, needle: str) -> int:
        text = self.file(DESCRIPTOR).read_text(encoding="utf-8")
        return text[: text.index(needle)].count("\n") + 1


def resource(package: dict, name: str) -> dict:
    return next(r for r in package["resources"] if r["name"] == name)


def field(package: dict, table: str, column: str) -> dict:
    return next(f for f in resource(package, table)["schema"]["fields"] if f["name"] == column)


def constraints(package: dict, table: str, column: str) -> dict:
    return field(package, table, column).setdefault("constraints", {})


@contextmanager
def deadline(seconds: int = DEADLINE_S):
    """Fail (rather than hang) if the block takes longer than ``seconds``."""

    def hung(signum, frame):
        raise TimeoutError(f"hung: no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def listing(report: Report) -> str:
    return "\n".join(map(str, report.problems)) or "(no problems)"


def snapshot(folder: Path) -> dict[str, tuple]:
    """Every entry's kind, mode, size and mtime, and a regular file's bytes: what a write would change."""
    result = {}
    for path in sorted(folder.rglob("*")):
        info = path.lstat()
        content = path.read_bytes() if stat.S_ISREG(info.st_mode) else None
        result[str(path.relative_to(folder))] = (info.st_mode, info.st_size, info.st_mtime_ns, content)
    return result


def assert_rejected(report: Report, path: str, line: int | None, column: str | None, fragment: str) -> None:
    """The report fails, holds the located problem, and every problem prints as one well-formed line."""
    assert not report.ok, "accepted, but should have been rejected"
    for problem in report.problems:
        text = str(problem)
        assert LINE.match(text) and "\n" not in text and "\x1b" not in text, repr(text)
    found = [
        p
        for p in report.problems
        if p.path == path and (line is None or p.line == line) and (column is None or p.column == column) and fragment in p.message
    ]
    assert found, f"expected {path}:{line}: {column}: …{fragment}…\ngot:\n{listing(report)}"


# --------------------------------------------------------------------------- the cases


@dataclass(frozen=True)
class Case:
    """One way to break the folder, and the problem that must be reported (line None: any line)."""

    break_it: Callable[[Folder], object]
    file: str
    line: int | None
    column: str | None
    fragment: str


def cell(table: str, line: int, column: str, value: str, fragment: str, where: str | None = None) -> Case:
    return Case(lambda f: f.edit(table, line, column, value), table, line, where or column, fragment)


def raw(table: str, content: bytes | Callable[[Folder], bytes], line: int | None, column: str | None, fragment: str) -> Case:
    return Case(lambda f: f.write(table, content(f) if callable(content) else content), table, line, column, fragment)


def descriptor(change: Callable[[dict], object], column: str | None, fragment: str) -> Case:
    return Case(lambda f: f.descriptor(change), DESCRIPTOR, None, column, fragment)


def events_line(f: Folder, row: str) -> bytes:
    return ("".join(f.lines("events")) + row + "\n").encode()


def set_path(name: str, path: object) -> Callable[[dict], None]:
    return lambda p: resource(p, name).__setitem__("path", path)


def set_constraint(table: str, column: str, key: str, value: object) -> Callable[[dict], None]:
    return lambda p: constraints(p, table, column).__setitem__(key, value)


def nested(depth: int) -> Callable[[Folder], None]:
    def write(f: Folder) -> None:
        f.file(DESCRIPTOR).write_text('{"resources": ' + "[" * depth + "]" * depth + "}", encoding="utf-8")

    return write


def fifo(name: str) -> Callable[[Folder], None]:
    return lambda f: os.mkfifo(f.replace_file(name))


def folder_instead(name: str) -> Callable[[Folder], None]:
    return lambda f: f.replace_file(name).mkdir()


def unix_socket(name: str) -> Callable[[Folder], object]:
    def make(f: Folder) -> socket.socket:
        path = f.replace_file(name)
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(path))
        return sock

    return make


def link_outside(name: str) -> Callable[[Folder], None]:
    def make(f: Folder) -> None:
        outside = f.root.parent / "outside.csv"
        shutil.copyfile(f.file(name), outside)
        f.replace_file(name).symlink_to(outside)

    return make


def link_loop(name: str) -> Callable[[Folder], None]:
    def make(f: Folder) -> None:
        path = f.replace_file(name)
        (f.root / "loop.csv").symlink_to(path)
        path.symlink_to(f.root / "loop.csv")

    return make


EVENTS_HEADER = "event_id,party_id,agreement_id,event_type,event_date,date_precision,ukraine_lead,partner_lead,description,source_id,other_source_ids,alt_event_date,alt_source_id,note"

CASES: dict[str, Case] = {
    # --- file types, permissions and links (tables)
    "table-is-a-folder": Case(folder_instead("parties"), "parties", 1, "-", "is a folder, not a regular file"),
    "table-is-a-fifo": Case(fifo("parties"), "parties", 1, "-", "is a named pipe (FIFO), not a regular file"),
    "table-is-a-socket": Case(unix_socket("parties"), "parties", 1, "-", "is a socket, not a regular file"),
    "table-links-outside": Case(link_outside("parties"), "parties", 1, "-", "outside the data folder: copy the file into the folder"),
    "table-links-to-etc-passwd": Case(lambda f: f.replace_file("parties").symlink_to("/etc/passwd"), "parties", 1, "-", "outside the data folder"),
    "table-links-to-dev-zero": Case(lambda f: f.replace_file("parties").symlink_to("/dev/zero"), "parties", 1, "-", "outside the data folder"),
    "table-dangling-link": Case(lambda f: f.replace_file("parties").symlink_to(f.root / "nowhere.csv"), "parties", 1, "-", "file is missing"),
    "table-link-loop": Case(link_loop("parties"), "parties", 1, "-", "cannot be opened"),
    "table-missing": Case(lambda f: f.replace_file("parties"), "parties", 1, "-", "file is missing: datapackage.json lists table 'parties'"),
    # --- file types, permissions and links (the descriptor)
    "descriptor-is-a-folder": Case(folder_instead(DESCRIPTOR), DESCRIPTOR, 1, "-", "is a folder, not a regular file"),
    "descriptor-is-a-fifo": Case(fifo(DESCRIPTOR), DESCRIPTOR, 1, "-", "is a named pipe (FIFO)"),
    "descriptor-links-outside": Case(link_outside(DESCRIPTOR), DESCRIPTOR, 1, "-", "outside the data folder"),
    "descriptor-missing": Case(lambda f: f.replace_file(DESCRIPTOR), DESCRIPTOR, 1, "-", "datapackage.json is missing"),
    # --- bytes and encodings
    "empty-table": raw("parties", b"", 1, "-", "file is empty: it needs at least the header row"),
    "utf16-table": raw("parties", "party_id,party_name,party_type\nFRA,France,state\n".encode("utf-16"), 1, None, "not valid UTF-8"),
    "latin1-table": raw("parties", "party_id,party_name,party_type\nFRA,Fr\xe4nce,state\n".encode("latin-1"), 2, "party_name", "not valid UTF-8"),
    "png-bytes-as-table": raw("parties", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 1, None, "not valid UTF-8"),
    "gzip-bytes-as-table": raw("parties", b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xff\xff", 1, None, "not valid UTF-8"),
    "overlong-utf8": raw("parties", b"party_id,party_name,party_type\nFRA,\xc0\xafFrance,state\n", 2, "party_name", "not valid UTF-8"),
    "surrogate-utf8": raw("parties", b"party_id,party_name,party_type\nFRA,\xed\xa0\x80,state\n", 2, "party_name", "not valid UTF-8"),
    "bare-cr": raw("parties", lambda f: "".join(f.lines("parties")).replace("\n", "\r").encode(), 1, "-", "line ends with CR"),
    "no-final-newline": raw("parties", lambda f: "".join(f.lines("parties")).rstrip("\n").encode(), PARTY_LINES, "-", "no final newline"),
    "nul-byte-in-text": cell("parties", 2, "party_name", "Alba\x00nia", "contains the control character '\\x00'"),
    "escape-sequence-in-text": cell("sources", 2, "excerpt", "\x1b[31mred\x1b[0m", "contains the control character '\\x1b'"),
    "del-in-text": cell("parties", 2, "party_name", "Alba\x7fnia", "contains the control character '\\x7f'"),
    "c1-control-in-text": cell("parties", 2, "party_name", "Alba\x85nia", "contains the control character '\\x85'"),
    "vertical-tab-in-text": cell("events", 2, "note", "a\x0bb", "contains the control character '\\x0b'"),
    "form-feed-in-id": cell("parties", 2, "party_id", "AL\x0cB", "contains the control character '\\x0c'"),
    "nul-in-header": raw("parties", lambda f: "".join(f.lines("parties")).replace("party_name", "party\x00name", 1).encode(), 1, "party\x00name", "unknown column"),
    # --- spaces: an error everywhere (the loaders never strip, so a value is written as it is meant)
    "trailing-space-in-text": cell("events", 2, "description", "Round one. ", "has spaces around it: write 'Round one.'"),
    "leading-tab-in-text": cell("events", 2, "note", "\tindented", "has spaces around it"),
    "trailing-nbsp-in-text": cell("parties", 2, "party_name", "Albania\xa0", "has spaces around it: write 'Albania'"),
    "trailing-newline-in-text": cell("events", 2, "note", "a note\n", "has spaces around it"),
    "only-spaces-in-required": cell("parties", 2, "party_name", "   ", "a value is required"),
    "spaces-around-a-date": cell("events", 2, "event_date", " 2024-05-10", "has spaces around it: write '2024-05-10'"),
    # --- records
    "unbalanced-quote": raw("parties", lambda f: "".join(f.lines("parties")).replace("AUT,Austria", 'AUT,"Austria', 1).encode(), AUT_LINE, "-", "a quote is unbalanced"),
    "quote-after-closing-quote": raw("parties", lambda f: "".join(f.lines("parties")).replace("AUT,Austria", 'AUT,"Aust"ria', 1).encode(), AUT_LINE, "-", "cannot read this record"),
    "blank-lines": raw("parties", lambda f: ("".join(f.lines("parties")) + "\n" * 10_000).encode(), PARTY_LINES + 1, "-", "blank line: remove it"),
    "ragged-row": raw("parties", lambda f: ("".join(f.lines("parties")) + "ZZZ\n").encode(), PARTY_LINES + 1, "party_name", "row has 1 fields but the header has 3"),
    "100000-fields-in-a-row": raw("parties", lambda f: ("".join(f.lines("parties")) + "," * 100_000 + "\n").encode(), PARTY_LINES + 1, "field 4", "row has 100001 fields"),
    "10000-columns-in-the-header": raw("parties", lambda f: (",".join(f"c{i}" for i in range(10_000)) + "\n").encode(), 1, "party_id", "column 'party_id' is missing"),
    "empty-column-name": raw("parties", lambda f: "".join(f.lines("parties")).replace(",party_type", ",", 1).encode(), 1, "-", "unknown column ''"),
    "duplicate-column": raw("parties", lambda f: "".join(f.lines("parties")).replace("party_type", "party_name", 1).encode(), 1, "party_name", "appears twice in the header"),
    "1mb-cell": cell("sources", 2, "excerpt", "x" * 1_000_000, "1,000,000 characters long, over the limit of 100,000"),
    "1mb-quoted-cell-over-lines": cell("sources", 2, "excerpt", ("y" * 999 + "\n") * 1000, "1,000,000 characters long, over the limit of 100,000"),
    "100001-character-cell": cell("sources", 2, "excerpt", "z" * 100_001, "100,001 characters long, over the limit of 100,000"),
    "9mb-line": raw("parties", lambda f: ("".join(f.lines("parties")) + "ZZZ," + "x" * 9_000_000 + ",state\n").encode(), PARTY_LINES + 1, "-", f"over the limit of 8,388,608: the record from line {PARTY_LINES + 1} is skipped"),
    "9mb-quoted-line": raw("parties", lambda f: ("".join(f.lines("parties")) + 'ZZZ,"' + 'x"' * 4_500_000 + ',state\n').encode(), PARTY_LINES + 1, "-", "over the limit of 8,388,608"),
    "9mb-file-without-a-line-break": raw("parties", b"x" * 9_000_000, 1, "-", "over the limit of 8,388,608"),
    # --- descriptor: bytes, JSON and shape
    "descriptor-empty": Case(lambda f: f.file(DESCRIPTOR).write_bytes(b""), DESCRIPTOR, 1, "-", "not valid JSON"),
    "descriptor-bom": Case(lambda f: f.file(DESCRIPTOR).write_bytes(b"\xef\xbb\xbf{}"), DESCRIPTOR, 1, "-", "byte-order mark"),
    "descriptor-latin1": Case(lambda f: f.file(DESCRIPTOR).write_bytes('{"title": "Caf\xe9"}'.encode("latin-1")), DESCRIPTOR, 1, "-", "not valid UTF-8"),
    "descriptor-over-10mb": Case(lambda f: f.file(DESCRIPTOR).write_bytes(b" " * 11_000_000 + b"{}"), DESCRIPTOR, 1, "-", "larger than 10,485,760 bytes"),
    "descriptor-deeply-nested": Case(nested(100_000), DESCRIPTOR, 1, "-", "nested too deeply"),
    "descriptor-nan": descriptor(set_constraint("claims", "claimed_count", "minimum", float("nan")), "-", "NaN is not a JSON value"),
    "descriptor-infinity": descriptor(set_constraint("claims", "claimed_count", "minimum", float("inf")), "-", "Infinity is not a JSON value"),
    "descriptor-5000-digit-number": descriptor(set_constraint("claims", "claimed_count", "minimum", 10**4000), "-", "4,001-digit number"),
    "descriptor-is-a-list": Case(lambda f: f.file(DESCRIPTOR).write_text("[{}]", encoding="utf-8"), DESCRIPTOR, 1, "-", "not a JSON object"),
    "descriptor-is-null": Case(lambda f: f.file(DESCRIPTOR).write_text("null", encoding="utf-8"), DESCRIPTOR, 1, "-", "not a JSON object"),
    "resources-not-a-list": descriptor(lambda p: p.__setitem__("resources", {"events": {}}), "-", "needs a 'resources' list"),
    "resources-empty": descriptor(lambda p: p.__setitem__("resources", []), "-", "needs a 'resources' list"),
    "resource-not-an-object": descriptor(lambda p: p["resources"].append("events.csv"), f"resources[{len(RESOURCES)}]", "must be an object"),
    "resource-without-schema": descriptor(lambda p: resource(p, "events").pop("schema"), f"resources[{EVENTS}]", "events has no schema"),
    "resource-without-name": descriptor(lambda p: resource(p, "events").pop("name"), f"resources[{EVENTS}]", "the resource name is missing"),
    "resource-name-not-snake-case": descriptor(lambda p: resource(p, "events").__setitem__("name", "Events!"), f"resources[{EVENTS}].name", "is not snake_case"),
    "duplicate-resource-names": descriptor(lambda p: resource(p, "claims").__setitem__("name", "events"), f"resources[{R('claims')}].name", "'events' is used twice"),
    "duplicate-resource-paths": descriptor(lambda p: resource(p, "claims").__setitem__("path", "events.csv"), f"resources[{R('claims')}].path", f"also the path of resources[{EVENTS}]"),
    "duplicate-json-key": Case(
        lambda f: f.file(DESCRIPTOR).write_text(f.file(DESCRIPTOR).read_text(encoding="utf-8").replace('"version"', '"version": "9.9.9",\n  "version"', 1), encoding="utf-8"),
        DESCRIPTOR,
        None,
        "version",
        "appears twice in this object",
    ),
    "fields-not-a-list": descriptor(lambda p: resource(p, "events")["schema"].__setitem__("fields", {"event_id": "string"}), f"resources[{EVENTS}].schema.fields", "must be a non-empty list"),
    "fields-empty": descriptor(lambda p: resource(p, "events")["schema"].__setitem__("fields", []), f"resources[{EVENTS}].schema.fields", "must be a non-empty list"),
    "field-not-an-object": descriptor(lambda p: resource(p, "parties")["schema"]["fields"].append("extra"), "resources[1].schema.fields[3]", "must be an object"),
    "field-without-name": descriptor(lambda p: field(p, "parties", "party_type").pop("name"), "resources[1].schema.fields[2]", "a field has no name"),
    "field-name-not-snake-case": descriptor(lambda p: field(p, "parties", "party_type").__setitem__("name", "Party Type"), "resources[1].schema.fields[2].name", "is not snake_case"),
    "field-defined-twice": descriptor(lambda p: field(p, "parties", "party_type").__setitem__("name", "party_name"), "resources[1].schema.fields[2].name", "defined twice"),
    "field-without-type": descriptor(lambda p: field(p, "parties", "party_type").pop("type"), "resources[1].schema.fields[2]", "parties.party_type has no type"),
    "field-unknown-type": descriptor(lambda p: field(p, "parties", "party_type").__setitem__("type", "strin"), "resources[1].schema.fields[2].type", "'strin' is not one the validator checks"),
    "field-type-not-a-string": descriptor(lambda p: field(p, "parties", "party_type").__setitem__("type", ["string"]), "resources[1].schema.fields[2].type", "is not one the validator checks"),
    "date-format-not-iso": descriptor(lambda p: field(p, "events", "event_date").__setitem__("format", "%d/%m/%Y"), f"resources[{EVENTS}].schema.fields[{F('events', 'event_date')}].format", "'%d/%m/%Y' is not supported"),
    "field-true-values": descriptor(lambda p: field(p, "parties", "party_type").__setitem__("trueValues", ["yes"]), "resources[1].schema.fields[2].trueValues", "not supported"),
    "constraints-not-an-object": descriptor(lambda p: field(p, "parties", "party_type").__setitem__("constraints", ["required"]), "resources[1].schema.fields[2].constraints", "must be an object"),
    "constraint-misspelt": descriptor(set_constraint("parties", "party_type", "requird", True), "resources[1].schema.fields[2].constraints.requird", "did you mean 'required'?"),
    "required-not-a-boolean": descriptor(set_constraint("parties", "party_type", "required", "yes"), "resources[1].schema.fields[2].constraints.required", "must be true or false"),
    "enum-not-a-list": descriptor(set_constraint("parties", "party_type", "enum", "state"), "resources[1].schema.fields[2].constraints.enum", "must be a non-empty list"),
    "enum-empty": descriptor(set_constraint("parties", "party_type", "enum", []), "resources[1].schema.fields[2].constraints.enum", "must be a non-empty list"),
    "enum-of-numbers": descriptor(set_constraint("parties", "party_type", "enum", [1, 2]), "resources[1].schema.fields[2].constraints.enum", "as text"),
    "pattern-does-not-compile": descriptor(set_constraint("parties", "party_id", "pattern", "^[A-Z"), "resources[1].schema.fields[0].constraints.pattern", "not a valid regular expression"),
    "pattern-not-a-string": descriptor(set_constraint("parties", "party_id", "pattern", 3), "resources[1].schema.fields[0].constraints.pattern", "is not a regular expression"),
    "pattern-exponential": descriptor(set_constraint("parties", "party_name", "pattern", "^([A-Za-z]+ ?)+$"), "resources[1].schema.fields[1].constraints.pattern", "exponential time"),
    "pattern-nested-star": descriptor(set_constraint("parties", "party_name", "pattern", "^(a*)*$"), "resources[1].schema.fields[1].constraints.pattern", "exponential time"),
    "pattern-overlapping-alternatives": descriptor(set_constraint("parties", "party_name", "pattern", "^(a|aa)+$"), "resources[1].schema.fields[1].constraints.pattern", "exponential time"),
    "pattern-chained-repeats": descriptor(set_constraint("sources", "url", "pattern", r"^https?://\S+\S+$"), "resources[0].schema.fields[1].constraints.pattern", "exponential time"),
    "pattern-huge-repeat": descriptor(set_constraint("parties", "party_id", "pattern", "^a{99999999999}$"), "resources[1].schema.fields[0].constraints.pattern", "not a valid regular expression"),
    "pattern-on-a-date": descriptor(set_constraint("events", "event_date", "pattern", "^2"), f"resources[{EVENTS}].schema.fields[{F('events', 'event_date')}].constraints.pattern", "applies to string columns only"),
    "minimum-as-text": descriptor(set_constraint("claims", "claimed_count", "minimum", "0"), f"resources[{R('claims')}].schema.fields[{F('claims', 'claimed_count')}].constraints.minimum", "must be a finite whole number"),
    "minimum-above-maximum": descriptor(set_constraint("claims", "claimed_count", "maximum", -1), f"resources[{R('claims')}].schema.fields[{F('claims', 'claimed_count')}].constraints.minimum", "above maximum"),
    "minimum-on-text": descriptor(set_constraint("parties", "party_name", "minimum", 1), f"resources[{R('parties')}].schema.fields[{F('parties', 'party_name')}].constraints.minimum", "integer and number columns only"),
    "primary-key-a-string": descriptor(lambda p: resource(p, "events")["schema"].__setitem__("primaryKey", "event_id"), f"resources[{EVENTS}].schema.primaryKey", "must be a list"),
    "primary-key-unknown-column": descriptor(lambda p: resource(p, "events")["schema"].__setitem__("primaryKey", ["id"]), f"resources[{EVENTS}].schema.primaryKey", "must be a list of this table's columns"),
    "foreign-keys-not-a-list": descriptor(lambda p: resource(p, "events")["schema"].__setitem__("foreignKeys", {"fields": "party_id"}), f"resources[{EVENTS}].schema.foreignKeys", "must be a list"),
    "foreign-key-composite": descriptor(lambda p: resource(p, "events")["schema"]["foreignKeys"][0].__setitem__("fields", ["party_id"]), f"resources[{EVENTS}].schema.foreignKeys[0]", "names one column"),
    "foreign-key-unknown-table": descriptor(lambda p: resource(p, "events")["schema"]["foreignKeys"][0]["reference"].__setitem__("resource", "countries"), f"resources[{EVENTS}].schema.foreignKeys[0].resource", "'countries', which the descriptor does not define"),
    "foreign-key-unknown-column": descriptor(lambda p: resource(p, "events")["schema"]["foreignKeys"][0]["reference"].__setitem__("fields", "code"), f"resources[{EVENTS}].schema.foreignKeys[0].fields", "'code', which is not a column of parties"),
    "foreign-key-without-reference": descriptor(lambda p: resource(p, "events")["schema"]["foreignKeys"][0].pop("reference"), f"resources[{EVENTS}].schema.foreignKeys[0]", "names one column"),
    "missing-values-na": descriptor(lambda p: resource(p, "events")["schema"].__setitem__("missingValues", ["", "NA"]), f"resources[{EVENTS}].schema.missingValues", "only missing value"),
    "dialect-semicolon": descriptor(lambda p: resource(p, "events")["dialect"].__setitem__("delimiter", ";"), f"resources[{EVENTS}].dialect.delimiter", "not supported"),
    "dialect-not-an-object": descriptor(lambda p: resource(p, "events").__setitem__("dialect", ";"), f"resources[{EVENTS}].dialect", "must be an object"),
    "encoding-latin1": descriptor(lambda p: resource(p, "events").__setitem__("encoding", "latin-1"), f"resources[{EVENTS}].encoding", "'latin-1' is not supported"),
    "version-missing": descriptor(lambda p: p.pop("version"), "-", "has no 'version'"),
    "version-not-semver": descriptor(lambda p: p.__setitem__("version", "1.0"), "version", "is not MAJOR.MINOR.PATCH"),
    "version-a-number": descriptor(lambda p: p.__setitem__("version", 1), "version", "is not MAJOR.MINOR.PATCH"),
    "cutoff-missing": descriptor(lambda p: p.pop("cutoff_date"), "-", "has no 'cutoff_date'"),
    "cutoff-not-a-date": descriptor(lambda p: p.__setitem__("cutoff_date", "28/11/2026"), "cutoff_date", "is not a date"),
    "cutoff-impossible-date": descriptor(lambda p: p.__setitem__("cutoff_date", "2026-02-30"), "cutoff_date", "is not a date"),
    "cutoff-a-number": descriptor(lambda p: p.__setitem__("cutoff_date", 20261128), "cutoff_date", "is not a date"),
    # --- paths that leave the folder (the target is never opened: see test_nothing_outside_the_folder_is_opened)
    "path-absolute": descriptor(set_path("parties", "/etc/passwd"), "resources[1].path", "is not a plain file name"),
    "path-parent": descriptor(set_path("parties", "../outside.csv"), "resources[1].path", "is not a plain file name"),
    "path-subfolder": descriptor(set_path("parties", "sub/parties.csv"), "resources[1].path", "is not a plain file name"),
    "path-url": descriptor(set_path("parties", "https://example.org/parties.csv"), "resources[1].path", "is not a plain file name"),
    "path-nul": descriptor(set_path("parties", "parties.csv\x00.txt"), "resources[1].path", "is not a plain file name"),
    "path-list": descriptor(set_path("parties", ["parties.csv"]), "resources[1].path", "is not a file name"),
    "path-null": descriptor(set_path("parties", None), "resources[1].path", "is not a file name"),
    "path-hidden": descriptor(set_path("parties", ".parties.csv"), "resources[1].path", "is not a plain file name"),
    "path-not-csv": descriptor(set_path("parties", "parties.json"), "resources[1].path", "should end in .csv"),
    "path-dot": descriptor(set_path("parties", "."), "resources[1].path", "is not a plain file name"),
    # --- dates
    "month-date-in-year-9999": Case(lambda f: (f.edit("events", 2, "event_date", "9999-12-01"), f.edit("events", 2, "date_precision", "month")), "events", 2, "event_date", "outside the dates the loaders can hold"),
    "date-before-1677": cell("events", 2, "event_date", "1500-01-01", "outside the dates the loaders can hold (1677-09-22 to 2262-04-11"),
    "date-pandas-minimum-minus-one": cell("sources", 2, "published_date", "1677-09-21", "outside the dates the loaders can hold"),
    "date-after-2262": cell("sources", 2, "published_date", "2262-04-12", "outside the dates the loaders can hold"),
    "date-year-zero": cell("sources", 2, "published_date", "0000-01-01", "is not a real calendar date"),
    "date-29-february-2023": cell("sources", 2, "published_date", "2023-02-29", "is not a real calendar date"),
    "date-iso-week": cell("sources", 2, "published_date", "2023-W01-1", "is not a date: write YYYY-MM-DD"),
    "date-compact": cell("sources", 2, "published_date", "20230712", "is not a date: write YYYY-MM-DD"),
    "date-with-time": cell("sources", 2, "published_date", "2023-07-12T00:00", "is not a date"),
    "date-arabic-digits": cell("sources", 2, "published_date", "٢٠٢٣-٠٧-١٢", "is not a date"),
    "date-after-the-cutoff": Case(lambda f: f.descriptor(lambda p: p.__setitem__("cutoff_date", "2024-01-01")), "sources", None, "accessed_date", "after the release's cut-off date 2024-01-01"),
    # --- precision: a month-precise date is the 1st, a year-precise one 1 January (every governed table)
    "month-not-on-the-1st-events": cell("events", MONTH_EVENT_LINE, "event_date", f"{MONTH_EVENT_MONTH}-15", f"is not the 1st of its month, but date_precision is 'month': write {MONTH_EVENT_MONTH}-01"),
    "year-not-on-1-january-events": Case(lambda f: (f.edit("events", 2, "date_precision", "year")), "events", 2, "event_date", f"is not 1 January, but date_precision is 'year': write {FIRST_EVENT_YEAR}-01-01"),
    "month-not-on-the-1st-signatories": Case(lambda f: f.edit("signatories", 2, "date_precision", "month"), "signatories", 2, "joined_date", f"write {FIRST_SIGNATORY_MONTH}-01"),
    "month-not-on-the-1st-agreements": Case(lambda f: f.edit("agreements", 2, "date_precision", "month"), "agreements", 2, "signed_date", "write 2025-01-01"),
    "year-not-on-1-january-memberships": Case(lambda f: f.edit("memberships", 2, "date_precision", "year"), "memberships", 2, "joined_date", "write 2009-01-01"),
    "month-not-on-the-1st-claims": Case(lambda f: f.edit("claims", 2, "date_precision", "month"), "claims", 2, "claim_date", "is not the 1st of its month"),
    # --- integers and numbers past what the loaders hold
    "integer-5000-digits": cell("claims", 2, "claimed_count", "9" * 5000, "does not fit in a 64-bit integer"),
    "integer-2-to-the-63": cell("claims", 2, "claimed_count", str(2**63), "does not fit in a 64-bit integer"),
    "integer-below-int64": cell("agreements", 2, "term_years", str(-(2**63) - 1), "does not fit in a 64-bit integer"),
    "integer-with-exponent": cell("claims", 2, "claimed_count", "1e3", "is not a whole number"),
    "integer-with-plus": cell("claims", 2, "claimed_count", "+5", "is not a whole number"),
    "integer-arabic-digits": cell("claims", 2, "claimed_count", "٣", "is not a whole number"),
    "integer-underscore": cell("claims", 2, "claimed_count", "1_000", "is not a whole number"),
    "number-1e400": cell("commitments", 2, "amount", "1e400", "is not a finite number"),
    "number-nan": cell("commitments", 2, "amount", "nan", "is not a number"),
    "number-inf": cell("commitments", 2, "amount", "inf", "is not a number"),
    "number-minus-infinity": cell("commitments", 2, "amount", "-Infinity", "is not a number"),
    "number-underflow": cell("commitments", 2, "amount", "1e-400", "too small for a float64"),
    "number-subnormal": cell("commitments", 2, "amount", "1e-310", "too small for a float64"),
    "number-17-digits": cell("commitments", 2, "amount", "977000000.00000001", "17 significant digits"),
    "number-hex": cell("commitments", 2, "amount", "0x10", "is not a number"),
    "number-5000-digits": cell("commitments", 2, "amount", "9" * 5000, "5000 significant digits"),
    # --- URLs
    "url-script": cell("sources", 2, "url", 'https://example.org/"><script>alert(1)</script>', "contains '\"', which a URL may not hold"),
    "url-angle-bracket": cell("sources", 2, "url", "https://example.org/<b>", "contains '<'"),
    "url-apostrophe": cell("sources", 2, "url", "https://example.org/it's", "contains \"'\""),
    "url-backslash": cell("sources", 2, "url", "https://example.org\\@evil.example", "contains '\\\\'"),
    "url-space": cell("sources", 2, "url", "https://example.org/a b", "is malformed"),
    "url-javascript": cell("sources", 2, "url", "javascript:alert(1)", "is malformed"),
    "url-no-host": cell("sources", 2, "url", "https:///path", "is not a web address"),
    "url-credentials": cell("sources", 2, "url", "https://user@evil.example/", "is not a web address"),
    "url-nbsp": cell("sources", 2, "url", "https://example.org/a\u00a0b", "is malformed"),
    "url-ideographic-space": cell("sources", 2, "url", "https://example.org/a\u3000b", "is malformed"),
    # --- values that look like codes
    "enum-100k-characters": cell("parties", 2, "party_type", "s" * 100_000, "is not allowed"),
    "enum-homoglyph": cell("parties", 2, "party_type", "stаte", "is not allowed"),
    "id-with-zero-width-space": cell("parties", 2, "party_id", "AL\u200bB", "is malformed"),
    "foreign-key-bidi-override": cell("events", 2, "party_id", "\u202eBEL", "is not a party_id in"),
    "other-source-ids-empty-part": cell("events", 2, "other_source_ids", "a;;b", "is malformed"),
}

#: Hostile-looking input that is valid, and must stay accepted (the rules are not broader than they say).
ACCEPTED: dict[str, Callable[[Folder], object]] = {
    "link-to-a-file-inside": lambda f: (shutil.move(f.file("parties"), f.root / "parties-real.csv"), f.file("parties").symlink_to("parties-real.csv")),
    "100000-character-cell": lambda f: f.edit("sources", 2, "excerpt", "w" * 100_000),
    "newline-and-tab-inside-text": lambda f: f.edit("events", 2, "note", "line one\n\tline two"),
    "quotes-commas-and-unicode": lambda f: f.edit("events", 2, "note", '"Quoted", with commas; Ж中٣ and emoji \U0001f1fa\U0001f1e6'),
    "right-to-left-text": lambda f: f.edit("events", 2, "note", "\u202bمرحبا\u202c and \u200fשלום"),
    "date-on-the-pandas-limits": lambda f: (f.edit("sources", 2, "published_date", "1677-09-22"), f.edit("memberships", 2, "left_date", "")),
    "integer-int64-maximum-with-missing-values": lambda f: f.descriptor(set_constraint("agreements", "term_years", "maximum", 2**63 - 1)),
    "number-with-15-digits": lambda f: f.edit("commitments", 2, "amount", "977000000.000001"),
    "url-with-percent-encoding": lambda f: f.edit("sources", 2, "url", "https://example.org/a%20b?q=%3Cscript%3E#x"),
    # (issue 18) a UTF-8 byte-order mark and CR LF line endings (RFC 4180, Python's csv writer) are accepted.
    "bom": lambda f: f.write("parties", b"\xef\xbb\xbf" + "".join(f.lines("parties")).encode()),
    "crlf": lambda f: f.write("parties", "".join(f.lines("parties")).replace("\n", "\r\n").encode()),
}


@pytest.fixture
def folder(tmp_path: Path) -> Folder:
    return Folder(tmp_path / "data")


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_rejected_cleanly(folder: Folder, case: Case) -> None:
    keep = case.break_it(folder)  # noqa: F841 (a socket must stay bound while the validator looks at it)
    before = snapshot(folder.root)
    with deadline():
        report = validate(folder.root)
    # NOTE: descriptor problems are located by their JSON path here; test_descriptor_problems_are_on_their_line
    # checks that the line points at the offending key.
    assert_rejected(report, folder.shown(case.file), case.line, case.column, case.fragment)
    assert snapshot(folder.root) == before, "the validator wrote to the data folder"


@pytest.mark.parametrize("name", list(ACCEPTED), ids=list(ACCEPTED))
def test_hostile_but_valid_input_is_accepted(folder: Folder, name: str) -> None:
    ACCEPTED[name](folder)
    with deadline():
        report = validate(folder.root)
    assert report.ok, listing(report)


@pytest.mark.parametrize("name", ["integer-int64-maximum-with-missing-values"], ids=["int64-maximum"])
def test_loaded_integers_are_exact(folder: Folder, name: str) -> None:
    # NOTE: through float64 (pd.to_numeric with a missing value) 2**63 - 1 and 2**53 + 1 would change.
    ACCEPTED[name](folder)
    for value in (2**63 - 1, 2**53 + 1):
        folder.edit("agreements", 2, "term_years", str(value))
        loaded = load.load_table("agreements", folder.root).set_index("agreement_id")
        assert loaded.loc["alb-2025", "term_years"] == value
        assert loaded["term_years"].isna().any()


def test_descriptor_problems_are_on_their_line(folder: Folder) -> None:
    folder.descriptor(set_constraint("parties", "party_id", "pattern", "^[A-Z"))
    report = validate(folder.root)
    text = folder.file(DESCRIPTOR).read_text(encoding="utf-8")
    want = text[: text.index('"pattern": "^[A-Z"')].count("\n") + 1
    assert_rejected(report, folder.shown(DESCRIPTOR), want, "resources[1].schema.fields[0].constraints.pattern", "not a valid regular expression")


def test_unreadable_table(folder: Folder, monkeypatch: pytest.MonkeyPatch) -> None:
    target = folder.file("parties")
    if os.geteuid() != 0:
        target.chmod(0)
    else:  # root reads through chmod 000: make the open fail as it would for anyone else
        real_open = os.open

        def refuse(path, flags, *args, **kwargs):
            if os.fspath(path) == os.fspath(target):
                raise PermissionError(13, "Permission denied", os.fspath(path))
            return real_open(path, flags, *args, **kwargs)

        monkeypatch.setattr(os, "open", refuse)
    try:
        report = validate(folder.root)
    finally:
        target.chmod(0o644)
    assert_rejected(report, folder.shown("parties"), 1, "-", "cannot be read: permission denied")


@pytest.mark.parametrize("name", ["table-links-outside", "path-parent", "path-absolute"])
def test_nothing_outside_the_folder_is_opened(folder: Folder, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    (folder.root.parent / "outside.csv").write_text("party_id,party_name,party_type\n", encoding="utf-8")
    CASES[name].break_it(folder)
    opened: list[str] = []
    real_open = os.open

    def spy(path, flags, *args, **kwargs):
        opened.append(os.path.realpath(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", spy)
    assert not validate(folder.root).ok
    root = os.path.realpath(folder.root)
    assert opened and all(os.path.dirname(path) == root for path in opened), opened


def test_missing_and_non_folder_data_dir(tmp_path: Path) -> None:
    assert_rejected(validate(tmp_path / "nowhere"), display_path(tmp_path / "nowhere"), 1, "-", "the data folder does not exist")
    (tmp_path / "file").write_text("x", encoding="utf-8")
    assert_rejected(validate(tmp_path / "file"), display_path(tmp_path / "file"), 1, "-", "the data folder is not a folder")


def test_a_million_problems_make_a_screenful(folder: Folder) -> None:
    body = "".join(f"zz{i:07d},Nowhere,country\n" for i in range(50_000))
    folder.write("parties", "party_id,party_name,party_type\n" + body)
    with deadline():
        report = validate(folder.root)
    # 50,000 bad ids and types (and every reference to a party now dangling): 20 lines per column, then one line.
    assert report.count >= 100_000
    assert len(report.problems) < 200, listing(report)
    assert any(p.message.startswith("… and 49,980 more problems in this column") for p in report.problems), listing(report)


@pytest.mark.parametrize(
    ("name", "after"),
    # (the next record is on line 3, or 1003 after a value of 1,000 lines, or the line after a cut last line)
    [("1mb-cell", ("sources", 3)), ("1mb-quoted-cell-over-lines", ("sources", 1003)), ("9mb-line-then-a-bad-row", ("parties", PARTY_LINES + 2))],
)
def test_checking_goes_on_after_a_long_value_or_line(folder: Folder, name: str, after: tuple[str, int]) -> None:
    table, line = after
    if name == "9mb-line-then-a-bad-row":
        folder.write("parties", "".join(folder.lines("parties")) + 'ZZY,"' + 'x"' * 4_500_000 + ',state\nZZZ,Z,country\n')
    else:
        folder.edit(table, 3, "language", "english")
        CASES[name].break_it(folder)
    report = validate(folder.root)
    shown = [p for p in report.problems if p.path == folder.shown(table) and p.line >= line]
    assert shown and shown[-1].line == line and ("'english' is malformed" in shown[-1].message or "'country' is not allowed" in shown[-1].message), listing(report)


def test_a_long_value_is_cut_short_in_the_message(folder: Folder) -> None:
    folder.edit("parties", 2, "party_type", "s" * 100_000)
    (problem,) = [p for p in validate(folder.root).problems if p.column == "party_type"]
    assert len(str(problem)) < 400 and "(100,000 characters)" in problem.message


# --------------------------------------------------------------------------- the command line and the loaders

#: The cases also run through ``python -m analysis validate`` (exit status 1, located lines, no traceback).
CLI_SAMPLE = ["table-is-a-fifo", "descriptor-is-a-fifo", "descriptor-deeply-nested", "month-date-in-year-9999", "escape-sequence-in-text", "1mb-cell", "path-parent", "pattern-exponential"]
#: The cases also given to the loaders, which must raise DataError (never a pandas error, never a truncated value).
LOADER_SAMPLE = [
    "nul-byte-in-text",
    "table-is-a-fifo",
    "descriptor-is-a-fifo",
    "descriptor-deeply-nested",
    "field-unknown-type",
    "version-missing",
    "month-date-in-year-9999",
    "date-before-1677",
    "integer-2-to-the-63",
    "number-17-digits",
    "trailing-space-in-text",
    "table-links-outside",
    "1mb-cell",
]


def run_cli(data_dir: Path, **env: str) -> subprocess.CompletedProcess:
    """``python -m analysis validate --data-dir data_dir``, its output as bytes (see tests/warm.py)."""
    environment = {k: v for k, v in os.environ.items() if k != "ANALYSIS_DATA_DIR"} | env
    return warm.run(["validate", "--data-dir", str(data_dir)], cwd=REPO, env=environment, timeout=DEADLINE_S, text=False)


@pytest.mark.parametrize("name", CLI_SAMPLE)
def test_cli_rejects_cleanly(folder: Folder, name: str) -> None:
    keep = CASES[name].break_it(folder)  # noqa: F841
    result = run_cli(folder.root)
    out, err = result.stdout.decode("utf-8"), result.stderr.decode("utf-8")
    assert result.returncode == 1, out + err
    assert err == "" and "Traceback" not in out
    *problems, summary = out.splitlines()
    assert problems and all(LINE.match(line) for line in problems), out
    assert "\x1b" not in out and re.match(r"^[0-9,]+ problem\(s\) found in ", summary)
    assert any(CASES[name].fragment in line for line in problems), out


def test_cli_on_a_terminal_that_cannot_show_unicode(folder: Folder) -> None:
    folder.edit("parties", 2, "party_type", "état")
    result = run_cli(folder.root, PYTHONIOENCODING="ascii")
    assert result.returncode == 1 and result.stderr == b"", result.stderr
    assert b"'\\xe9tat' is not allowed" in result.stdout


def test_cli_piped_into_head_is_not_a_traceback(folder: Folder) -> None:
    folder.write("parties", "party_id,party_name,party_type\n" + "".join(f"x{i},y,z\n" for i in range(5000)))
    environment = {k: v for k, v in os.environ.items() if k != "ANALYSIS_DATA_DIR"}
    command = f"{sys.executable} -m analysis validate --data-dir {folder.root} | head -1"
    result = subprocess.run(["sh", "-c", command], cwd=REPO, env=environment, capture_output=True, timeout=DEADLINE_S)
    assert result.stdout.count(b"\n") == 1 and b"Traceback" not in result.stderr, result.stderr


@pytest.mark.parametrize("name", LOADER_SAMPLE)
def test_loaders_raise_data_error(folder: Folder, name: str) -> None:
    keep = CASES[name].break_it(folder)  # noqa: F841
    table = CASES[name].file if CASES[name].file != DESCRIPTOR else "parties"
    with deadline():
        with pytest.raises(DataError) as caught:
            load.load_table(table, folder.root)
        with pytest.raises(DataError):
            load.load_dataset(folder.root)
        with pytest.raises(DataError):
            load.data_version(folder.root)
    assert caught.value.problems and all(LINE.match(str(p)) for p in caught.value.problems)


# --------------------------------------------------------------------------- coverage and kappa (issue 19.10)

#: Broken folders given to ``python -m analysis coverage`` and ``kappa``: one located line on stderr, status 1.
COMMAND_SAMPLE = ["table-is-a-fifo", "descriptor-is-a-fifo", "descriptor-deeply-nested", "nul-byte-in-text",
                  "table-links-outside", "path-parent", "month-date-in-year-9999"]  # fmt: skip


def run_command(command: str, data_dir: Path) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "ANALYSIS_DATA_DIR"} | {"ANALYSIS_DATA_DIR": str(data_dir)}
    return warm.run([command], cwd=REPO, env=environment, timeout=DEADLINE_S)


@pytest.mark.parametrize("command", ["coverage", "kappa"])
@pytest.mark.parametrize("name", COMMAND_SAMPLE)
def test_coverage_and_kappa_end_bad_data_with_one_located_line(folder: Folder, name: str, command: str) -> None:
    keep = CASES[name].break_it(folder)  # noqa: F841
    result = run_command(command, folder.root)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout == "" and "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert LINE.match(lines[0].removeprefix("error: ")), lines[0]  # file:line: column: message


@pytest.mark.parametrize("command", ["coverage", "kappa"])
def test_coverage_and_kappa_on_a_missing_data_folder(tmp_path: Path, command: str) -> None:
    result = run_command(command, tmp_path / "nowhere")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1 and "nowhere" in result.stderr


# --------------------------------------------------------------------------- patterns under a bound (issue 19, item 8)

#: Patterns that the analyser of issue 12 let through, each with a 100-character value on which Python's ``re``
#: ran for more than 20 s (measured with ``re.fullmatch`` in a subprocess). Repeated wildcards with separators,
#: repeats separated by optional parts, and repeated groups side by side.
HANGING_PATTERNS = {
    "wildcards-with-separators": (r"^.*x.*x.*x.*x.*x.*x.*y$", "x" * 100),
    "repeats-with-optional-separators": (r"^[a-z]+-?[a-z]+-?[a-z]+-?[a-z]+-?[a-z]+-?[a-z]+!$", "a" * 100),
    "repeated-groups-side-by-side": (r"^(.*)(.*)(.*)(.*)(.*)(.*)!$", "a" * 100),
    "negated-classes-with-optional-separators": (r"^[^@]*@?[^@]*@?[^@]*@?[^@]*@?[^@]*@?[^@]*@?[^@]*!$", "a" * 100),
    "optional-digits-and-dots": (r"^\d*\.?\d*\.?\d*\.?\d*\.?\d*\.?\d*$", "1" * 99 + "x"),
    "word-groups-side-by-side": (r"^(\w+)(\w+)(\w+)(\w+)(\w+)(\w+)!$", "a" * 100),
}


def _hanging(folder: Folder, name: str) -> str:
    """Give parties.party_name the pattern, and Austria's name the value; return the pattern's JSON path."""
    pattern, value = HANGING_PATTERNS[name]
    folder.descriptor(set_constraint("parties", "party_name", "pattern", pattern))
    folder.edit("parties", AUT_LINE, "party_name", value)
    return f"resources[{R('parties')}].schema.fields[{F('parties', 'party_name')}].constraints.pattern"


@pytest.mark.parametrize("name", list(HANGING_PATTERNS))
def test_pattern_that_hung_is_refused_on_its_line(folder: Folder, name: str) -> None:
    column = _hanging(folder, name)
    with deadline():
        report = validate(folder.root)
    assert_rejected(report, folder.shown(DESCRIPTOR), None, column, "as a power of a value's length")


@pytest.mark.parametrize("name", list(HANGING_PATTERNS))
def test_pattern_is_matched_in_linear_time_even_past_the_analyser(folder: Folder, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    # With the analyser switched off, the pattern reaches the cells: RE2 matches it in linear time, so a value of
    # 100 characters, and one of 100,000, are answered at once.
    from analysis.validation import patterns

    monkeypatch.setattr(patterns, "risk", lambda parsed: None)
    patterns._string_pattern_problem.cache_clear()
    try:
        _hanging(folder, name)
        with deadline(10):
            report = validate(folder.root)
        assert_rejected(report, folder.shown("parties"), AUT_LINE, "party_name", "is malformed")
        pattern, value = HANGING_PATTERNS[name]
        with deadline(10):
            assert not patterns.compile_pattern(pattern).fullmatch(value[0] * 100_000 + value[-1] + "\t")
    finally:
        patterns._string_pattern_problem.cache_clear()


@pytest.mark.parametrize(
    "pattern, fragment",
    [
        (r"^(a)\1$", "cannot be matched in linear time by RE2"),
        (r"^(?=[a-z])[a-z0-9]+$", "cannot be matched in linear time by RE2"),
        (r"^(?![0-9])\w+$", "cannot be matched in linear time by RE2"),
        (r"^[a-z]{1,2000}$", "cannot be matched in linear time by RE2"),
        (r"^a{,3}$", "write {0,n}"),
        (r"^[\S]+$", "inside a character class"),
        (r"^\bword\b$", "ASCII-only word boundary"),
    ],
)
def test_pattern_the_linear_engine_cannot_take_is_refused_on_its_line(folder: Folder, pattern: str, fragment: str) -> None:
    folder.descriptor(set_constraint("parties", "party_name", "pattern", pattern))
    with deadline():
        report = validate(folder.root)
    column = f"resources[{R('parties')}].schema.fields[{F('parties', 'party_name')}].constraints.pattern"
    assert_rejected(report, folder.shown(DESCRIPTOR), folder.descriptor_line(json.dumps(pattern)), column, fragment)


# --------------------------------------------------------------------------- CR LF and a byte-order mark (issue 18, item 5)


def test_a_crlf_copy_with_byte_order_marks_validates_and_loads_as_the_shipped_data(folder: Folder) -> None:
    import csv

    for path in sorted(folder.root.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            csv.writer(fh).writerows(rows)  # Python's default: CR LF
        assert path.read_bytes().startswith(b"\xef\xbb\xbf") and b"\r\n" in path.read_bytes()
    with deadline():
        report = validate(folder.root)
    assert report.ok, listing(report)
    shipped, copied = load.load_dataset(DEFAULT_DATA_DIR), load.load_dataset(folder.root)
    for name in RESOURCES:
        pd_testing = pytest.importorskip("pandas.testing")
        pd_testing.assert_frame_equal(getattr(copied, name), getattr(shipped, name), obj=name)


# --------------------------------------------------------------------------- a new event type is one row (issue 21, item 3)


def test_a_made_up_event_type_is_one_data_edit_and_shows_up_labelled(folder: Folder, monkeypatch: pytest.MonkeyPatch) -> None:
    from analysis import labels, negotiations, plots

    lines = folder.lines("event_types")
    lines.append("parliament_debate,9,Parliamentary debate,negotiation,a debate on the agreement in a parliament\n")
    folder.write("event_types", lines[0] + "".join(sorted(lines[1:])))  # the one edit: a row in event_types.csv
    line = 2 + [r["event_type"] for r in _shipped("events")].index("negotiation_round")
    folder.edit("events", line, "event_type", "parliament_debate")  # ...and the data that uses it
    with deadline():
        report = validate(folder.root)
    assert report.ok, listing(report)
    monkeypatch.setenv("ANALYSIS_DATA_DIR", str(folder.root))
    assert labels.event_label("parliament_debate") == "Parliamentary debate"
    assert labels.step_order()["parliament_debate"] == 9
    style = plots.step_styles()["parliament_debate"]
    assert (style["label"], style["marker"]) == ("Parliamentary debate", plots.GROUP_STYLES["negotiation"]["marker"])
    ds = load.load_dataset(folder.root)
    steps = negotiations.timelines(ds.events, ds.agreements)
    assert "parliament_debate" in set(steps["step"])
    figure = plots.plot_timeline(steps, "2026-11-28")
    legend = [text.get_text() for text in figure.axes[0].get_legend().get_texts()]
    assert "Parliamentary debate" in legend



# --------------------------------------------------------------------------- double coding against the matrix (issue 17)


def test_a_copy_of_the_data_with_a_recoded_cell_breaks_the_double_coding_rule(folder: Folder) -> None:

    # On a copy of the shipped data, a double-coded cell both coders agree on (and nothing re-settled) is re-coded in
    # clauses.csv: the rule names the clause_checks line.
    checks, clauses = _shipped("clause_checks"), _shipped("clauses")
    matrix = {(r["agreement_id"], r["dimension_id"]): (i + 2, r["value"]) for i, r in enumerate(clauses)}
    line, row = next((i + 2, r) for i, r in enumerate(checks)
                     if not r["resolved_value"] and r["first_value"] == r["second_value"] == matrix[(r["agreement_id"], r["dimension_id"])][1])  # fmt: skip
    clause_line, value = matrix[(row["agreement_id"], row["dimension_id"])]
    other = next(v["value"] for v in _shipped("clause_values") if v["dimension_id"] == row["dimension_id"] and v["value"] != value)
    folder.edit("clauses", clause_line, "value", other)
    with deadline():
        report = validate(folder.root)
    assert_rejected(report, folder.shown("clause_checks"), line, "first_value", f"both coded '{value}', but")


# --------------------------------------------------------------------------- roles, precisions and verdicts: one row each


def _vocabulary_entry(folder: Folder, table: str, column: str) -> dict[str, str | None]:
    """What the data page says of one column's values: {code: words}."""
    from analysis import datapage

    package = json.loads(folder.file(DESCRIPTOR).read_text(encoding="utf-8"))
    entry = next(v for v in datapage.vocabularies(package) if (v["table"], v["column"]) == (table, column))
    return {value["code"]: value["label"] for value in entry["values"]}


def _add_row(folder: Folder, name: str, row: str) -> None:
    """The one edit: a row in a vocabulary table, kept in key order."""
    lines = folder.lines(name)
    folder.write(name, lines[0] + "".join(sorted([*lines[1:], row], key=lambda line: line.split(",")[0])))


def test_a_made_up_role_is_one_data_edit_and_shows_up_labelled(folder: Folder, monkeypatch: pytest.MonkeyPatch) -> None:
    from analysis import labels, partners

    _add_row(folder, "participant_roles", "video_link,3,Joined by video,took part by video link\n")
    _add_row(folder, "signatory_roles", "observer,4,Observer,any,named as an observer\n")
    rows = _shipped("meeting_participants")
    line = 2 + [r["role"] for r in rows].index("took_part")
    folder.edit("meeting_participants", line, "role", "video_link")  # ...and the data that uses them
    folder.edit("signatories", 2 + [r["role"] for r in _shipped("signatories")].index("endorsed"), "role", "observer")
    with deadline():
        report = validate(folder.root)
    assert report.ok, listing(report)
    monkeypatch.setenv("ANALYSIS_DATA_DIR", str(folder.root))
    assert labels.role_label("video_link") == "Joined by video"
    assert labels.role_label("observer", "signatories") == "Observer"
    ds = load.load_dataset(folder.root)
    named = partners.coalition_meetings_named(ds, rows[line - 2]["party_id"])
    assert "Joined by video" in set(named["role"])
    assert _vocabulary_entry(folder, "meeting_participants", "role")["video_link"].startswith("Joined by video")
    assert _vocabulary_entry(folder, "signatories", "role")["observer"].startswith("Observer")


def test_a_made_up_date_precision_is_one_data_edit_and_shows_up_labelled(folder: Folder, monkeypatch: pytest.MonkeyPatch) -> None:
    # A new code whose unit is the month (date_precisions.unit) validates, spans, prints and is audited as a month.
    import datetime as dt

    import pandas as pd

    from analysis import claims, labels, negotiations, overview, precisions

    _add_row(folder, "date_precisions", "month_approx,3,About the month,month,Mon YYYY,the source gives the month only and roughly\n")
    rows = _shipped("claims")
    line = 2 + next(i for i, r in enumerate(rows) if r["date_precision"] == "month" and r["counted"] not in claims.UNLISTED)
    claim_id, day = rows[line - 2]["claim_id"], dt.date.fromisoformat(rows[line - 2]["claim_date"])
    folder.edit("claims", line, "date_precision", "month_approx")
    with deadline():
        report = validate(folder.root)
    assert report.ok, listing(report)
    monkeypatch.setenv("ANALYSIS_DATA_DIR", str(folder.root))
    assert labels.vocabulary_labels("date_precisions")["month_approx"] == "About the month"
    counts = overview.date_precision(load.load_dataset(folder.root)).set_index("table")
    assert list(counts.columns) == ["day", "month", "year", "month_approx"] and counts.loc["claims", "month_approx"] == 1
    for table in ("claims", "events", "signatories"):
        assert _vocabulary_entry(folder, table, "date_precision")["month_approx"].startswith("About the month")
    # It spans and prints as its unit says: the month (for 2024-02-01, the 1st to the 29th), shown as the month.
    assert precisions.span(dt.date(2024, 2, 1), "month_approx") == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert labels.format_date(day, "month_approx") == labels.format_date(day, "month") == day.strftime("%b %Y")
    ev = pd.DataFrame({"party_id": ["A"], "event_type": ["negotiations_opened"], "event_date": pd.to_datetime(["2024-02-01"]),
                       "date_precision": ["month_approx"], "agreement_id": [None]})  # fmt: skip
    nobody = pd.DataFrame({"declaration_id": [], "party_id": [], "joined_date": pd.to_datetime([])})
    agreements = pd.DataFrame({"agreement_id": [], "party_id": [], "signed_date": pd.to_datetime([])})
    bound = negotiations.still_negotiating(nobody, ev, agreements, "2024-12-31")
    assert bound["since_date"].tolist() == [pd.Timestamp("2024-02-29")] and bound["days_at_least"].tolist() == [306]
    # ...and the claims audit reads the claim exactly as it read it to the month.
    ds, shipped = load.load_dataset(folder.root), load.load_dataset(DEFAULT_DATA_DIR)
    mine = claims.audit(ds.claims, ds).set_index("claim_id").loc[claim_id]
    before = claims.audit(shipped.claims, shipped).set_index("claim_id").loc[claim_id]
    assert mine.equals(before)
    # A date that is not the 1st is refused, naming the code and its unit.
    folder.edit("claims", line, "claim_date", day.replace(day=15).isoformat())
    with deadline():
        report = validate(folder.root)
    assert_rejected(report, folder.shown("claims"), line, "claim_date", "but date_precision is 'month_approx' (to the month): write")


def test_a_made_up_verdict_is_one_data_edit_and_shows_up_labelled(folder: Folder, monkeypatch: pytest.MonkeyPatch) -> None:
    import pandas as pd

    from analysis import claims, plots

    _add_row(folder, "verdicts", "disputed,5,Disputed by the source,the source itself disputes the count\n")
    with deadline():
        report = validate(folder.root)
    assert report.ok, listing(report)
    monkeypatch.setenv("ANALYSIS_DATA_DIR", str(folder.root))
    assert [v["verdict"] for v in claims.verdicts()][-1] == "disputed"
    assert claims.verdict_label("disputed") == "Disputed by the source"
    points = pd.DataFrame({"claim_date": pd.to_datetime(["2024-01-01", "2024-02-01"]), "claimed_count": [3, 4],
                           "status": ["matches", "disputed"]})  # fmt: skip
    figure = plots.plot_claims([("Counted", None, points)])
    assert [t.get_text() for t in figure.legends[0].get_texts()] == ["Matches the data", "Disputed by the source"]
    assert _vocabulary_entry(folder, "verdicts", "verdict")["disputed"].startswith("Disputed by the source")
