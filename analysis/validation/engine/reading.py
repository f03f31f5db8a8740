"""Reading a table: its bytes inspected on the way in (:class:`Source`), then parsed as CSV and handed to the checks
a chunk of rows at a time."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import BinaryIO

from analysis.schema import DESCRIPTOR, UnreadableFile, display_path, open_data_file
from analysis.validation import settings
from analysis.validation.engine.keys import Checker, Context
from analysis.validation.engine.problems import Collector
from analysis.validation.engine.tables import Table


class Source(io.RawIOBase):
    """A table's bytes on their way to the decoder, inspected a chunk at a time (never line by line).

    It drops a UTF-8 byte-order mark, checks the line endings (:class:`LineEndings`), reports a missing final
    newline; and it cuts a line
    longer than ``MAX_LINE_BYTES`` short (its quotes kept balanced), noting it in ``cut`` so that the record is
    reported and dropped, and memory stays bounded whatever the file holds. Invalid UTF-8 passes through as
    surrogate escapes, which the cell checks report with their line and column.
    """

    def __init__(self, fh: BinaryIO, table: Table, out: Collector):
        self._fh = fh
        self._table = table
        self._out = out
        self.position = 0  # bytes read from the file
        self.lines = 0  # line feeds passed on
        self.cut: list[tuple[int, int]] = []  # (line, its length in bytes) of each line cut short
        self._run = 0  # bytes passed on since the last line feed
        self._dropping = 0  # while cutting a line: its length so far (0: not cutting)
        self._quotes = 0  # quotes in the part of the line dropped
        self.endings = LineEndings(table, out)
        self._last = b"\n"

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while True:
            data = self._fh.read(min(len(buffer), 1 << 20))  # a chunk is always shorter than a line may be
            if not data:
                self._end()
                return 0
            if self.position == 0 and data.startswith(b"\xef\xbb\xbf"):
                data = data[3:]  # a UTF-8 byte-order mark (Excel writes one): allowed, and not part of the header
            self.position += len(data)
            self._last = data[-1:] or self._last
            self.endings.check(data, self.lines)
            data = self._inspect(data)
            if data:
                buffer[: len(data)] = data
                return len(data)

    def _inspect(self, data: bytes) -> bytes:
        # Only the line running on from the last chunk can be too long: every other line ends within this one.
        first = data.find(b"\n")
        if self._dropping or self._run + (len(data) if first < 0 else first) > settings.MAX_LINE_BYTES:
            return self._cut(data)
        last = data.rfind(b"\n")
        if last < 0:
            self._run += len(data)
        else:
            self.lines += data.count(b"\n")
            self._run = len(data) - last - 1
        return data

    def _cut(self, data: bytes) -> bytes:
        """Pass ``data`` on line by line, cutting every line at MAX_LINE_BYTES (the slow path, for long lines)."""
        kept = bytearray()
        position = 0
        while position < len(data):
            end = data.find(b"\n", position)
            piece = data[position : len(data) if end < 0 else end]
            if self._dropping:
                self._dropping += len(piece)
                self._quotes += piece.count(b'"')
            else:
                room = settings.MAX_LINE_BYTES - self._run
                if len(piece) > room:
                    kept += piece[:room]
                    self._dropping, self._quotes = self._run + len(piece), piece[room:].count(b'"')
                    self._run = settings.MAX_LINE_BYTES
                else:
                    kept += piece
                    self._run += len(piece)
            if end < 0:
                break
            kept += self._close_cut() + b"\n"
            self.lines += 1
            self._run = 0
            position = end + 1
        return bytes(kept)

    def _close_cut(self) -> bytes:
        if not self._dropping:
            return b""
        self.cut.append((self.lines + 1, self._dropping))
        balance = b'"' if self._quotes % 2 else b""  # so that the parser's idea of what is quoted stays right
        self._dropping = self._quotes = 0
        return balance

    def _end(self) -> None:
        self.endings.end(self.lines)
        if self.position and self._last not in (b"\n", b"\r"):
            ending = "CR LF" if self.endings.crlf else "LF"
            self._out.add(self._table, self.lines + 1, "-", f"the last line has no final newline: end the file with {ending}")
        self._close_cut()


class LineEndings:
    """The line endings of one table: LF throughout, or CR LF throughout (RFC 4180, and Python's csv writer), as the
    first line sets. The first line that differs is reported, and a CR alone anywhere (a line feed inside a quoted
    value is part of the value, whatever the file's line ending)."""

    def __init__(self, table: Table, out: Collector):
        self._table, self._out = table, out
        self.crlf: bool | None = None  # unknown until the first line feed
        self._done = False  # the first problem is reported; the rest of the file is not checked
        self._pending = False  # the last chunk ended in CR: its LF, if any, starts the next chunk
        self._quoted = False  # inside a quoted value at the end of the last chunk

    def check(self, data: bytes, lines: int) -> None:
        """Check one chunk; ``lines`` is the number of line feeds before it."""
        if self._done or not (self._pending or self.crlf or b"\r" in data):
            if not self._done and self.crlf is None:
                self.crlf = False if b"\n" in data else None
                self._quoted ^= data.count(b'"') % 2 == 1
            return
        text = (b"\r" if self._pending else b"") + data
        self._pending = text.endswith(b"\r")
        body = text[:-1] if self._pending else text
        if self.crlf is None and b"\n" in body:
            self.crlf = body.index(b"\n") > 0 and body[body.index(b"\n") - 1] == 13
        if body.count(b"\r") != body.count(b"\r\n"):
            at = next(i for i in _finds(body, b"\r") if body[i + 1 : i + 2] != b"\n")
            self._report(lines + body.count(b"\n", 0, at) + 1, "line ends with CR alone (or a value holds a CR): end lines with LF, or CR LF")
        elif self.crlf is False and b"\r" in body:
            at = body.index(b"\r")
            self._report(lines + body.count(b"\n", 0, at) + 1, "line ends with CR LF, but the first line with LF alone: use one line ending throughout the file")
        elif self.crlf and body.count(b"\n") != body.count(b"\r\n"):
            self._bare_line_feed(body, lines)
        self._quoted ^= body.count(b'"') % 2 == 1

    def _bare_line_feed(self, body: bytes, lines: int) -> None:
        """In a CR LF file, a line feed alone ends a record only outside quotes: report the first that does."""
        for at in _finds(body, b"\n"):
            if (at == 0 or body[at - 1] != 13) and not (self._quoted ^ (body.count(b'"', 0, at) % 2 == 1)):
                line = lines + body.count(b"\n", 0, at) + 1
                self._report(line, "line ends with LF alone, but the first line with CR LF: use one line ending throughout the file")
                return

    def end(self, lines: int) -> None:
        if self._pending and not self._done:
            self._report(lines + 1, "line ends with CR alone (or a value holds a CR): end lines with LF, or CR LF")

    def _report(self, line: int, message: str) -> None:
        self._done = True
        self._out.add(self._table, line, "-", message)


def _finds(data: bytes, needle: bytes):
    """Every position of ``needle`` in ``data``, in order."""
    at = data.find(needle)
    while at >= 0:
        yield at
        at = data.find(needle, at + 1)


def read_table(data_dir: Path, resource: dict, ctx: Context) -> Table:
    schema = resource["schema"]
    table = Table(
        name=resource["name"],
        path=display_path(data_dir / resource["path"]),
        fields=schema["fields"],
        primary_key=schema["primaryKey"],
        foreign_keys=[(fk["fields"], fk["reference"]["resource"], fk["reference"]["fields"]) for fk in schema["foreignKeys"]],
    )
    out = ctx.out
    try:
        fh = open_data_file(data_dir, resource["path"])
    except FileNotFoundError:
        out.add(table, 1, "-", f"file is missing: {DESCRIPTOR} lists table '{table.name}' at this path")
        table.readable = False
        return table
    except UnreadableFile as exc:
        out.add(table, 1, "-", f"the file {exc}")
        table.readable = False
        return table
    source = Source(fh, table, out)
    # NOTE: csv's field limit is process-wide; it is raised only while a table is read, so that a long value is
    # reported by its cell check (with its column) instead of derailing the parse.
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, settings.MAX_LINE_BYTES + 1))
    try:
        with fh, io.TextIOWrapper(io.BufferedReader(source, 1 << 20), encoding="utf-8", errors="surrogateescape", newline="") as text:
            stream(text, source, table, ctx)
    except OSError as exc:  # an I/O error, or a file that shrank while it was read
        out.add(table, source.lines + 1, "-", f"the file could not be read to the end ({exc.strerror or exc}): check the disk and read it again")
    finally:
        csv.field_size_limit(limit)
    return table


def stream(text: io.TextIOWrapper, source: Source, table: Table, ctx: Context) -> None:
    """Parse the records, check them a chunk at a time, and report records that cannot be read."""
    out = ctx.out
    reader = csv.reader(text, strict=True)
    cut = source.cut  # lines cut short, appended by the source as it reads ahead
    checker: Checker | None = None
    records: list[list[str]] = []
    starts: list[int] = []
    start = 1  # the line on which the next record starts
    chunk_rows, chunk_bytes = settings.CHUNK_ROWS, settings.CHUNK_BYTES
    flush_at = chunk_bytes
    while True:
        try:
            if checker is None:
                for record in reader:
                    if cut and cut[0][0] <= reader.line_num:
                        report_cut(source, start, reader.line_num, table, out)
                    else:
                        checker = Checker(table, record, ctx)
                    start = reader.line_num + 1
                    if checker is not None:
                        break
                else:
                    break
            width = len(checker.header)
            keep, mark = records.append, starts.append
            # NOTE: the hot loop of the validator (once per record): keep it to the cheapest tests.
            for record in reader:
                if len(record) == width and not cut:
                    keep(record)
                    mark(start)
                    if len(records) >= chunk_rows or source.position > flush_at:
                        checker.check(records, starts)
                        records, starts = [], []
                        keep, mark = records.append, starts.append
                        flush_at = source.position + chunk_bytes
                elif cut and cut[0][0] <= reader.line_num:
                    report_cut(source, start, reader.line_num, table, out)
                elif len(record) == width:
                    keep(record)
                    mark(start)
                else:
                    _misshapen(record, start, checker.header, table, out)
                start = reader.line_num + 1
            break
        except csv.Error as exc:
            _unreadable(exc, reader.line_num, start, source, table, out)
            start = reader.line_num + 1
    if cut:
        report_cut(source, start, source.lines + 1, table, out)
    if checker is None:
        out.add(table, 1, "-", "file is empty: it needs at least the header row")
        table.readable = False
        return
    if records:
        checker.check(records, starts)


def _misshapen(record: list[str], start: int, header: list[str], table: Table, out: Collector) -> None:
    """Report a blank line, or a record with more or fewer fields than the header."""
    width = len(header)
    if not record:
        out.add(table, start, "-", "blank line: remove it")
        return
    where = header[len(record)] if len(record) < width else f"field {width + 1}"
    message = "check for a missing or extra comma, or quote fields that contain commas"
    out.add(table, start, where, f"row has {len(record)} fields but the header has {width}: {message}")


def _unreadable(exc: csv.Error, line: int, start: int, source: Source, table: Table, out: Collector) -> None:
    """Report a record the CSV parser gave up on (the parse goes on from the next line)."""
    if source.cut and source.cut[0][0] <= line:
        report_cut(source, start, line, table, out)
    elif "field larger than field limit" in str(exc):
        out.add(table, start, "-", f"a value is longer than {settings.MAX_LINE_BYTES:,} bytes: look for an unbalanced quote that runs on")
    else:
        message = "a quote is unbalanced; quote the whole field and double any quote inside it"
        out.add(table, start, "-", f"cannot read this record ({exc}): {message}")


def report_cut(source: Source, start: int, end: int, table: Table, out: Collector) -> None:
    """Report the lines cut short up to line ``end``; the record holding them is dropped unchecked."""
    while source.cut and source.cut[0][0] <= end:
        line, size = source.cut.pop(0)
        out.add(
            table,
            line,
            "-",
            f"the line is {size:,} bytes long, over the limit of {settings.MAX_LINE_BYTES:,}: the record from line {start} is "
            "skipped unchecked; a row is a few hundred bytes, so look for a missing line break or a runaway value",
        )
