"""The data package descriptor (``data/datapackage.json``): the one definition of every column.

Standard library only, so that ``python -m analysis validate`` starts fast.
"""

from __future__ import annotations

import hashlib
import json
import json.decoder
import json.scanner
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from analysis.paths import DATA_DIR

#: The repository's own data folder, used when no ``data_dir`` is given.
DEFAULT_DATA_DIR = DATA_DIR

DESCRIPTOR = "datapackage.json"

#: A descriptor larger than this is not plausible (the shipped one is about 40 kB); it is refused unread.
MAX_DESCRIPTOR_BYTES = 10 * 1024 * 1024
#: JSON numbers with more digits than this are refused before Python converts them.
MAX_JSON_NUMBER_DIGITS = 100


#: Environment variable that points the loaders at another data folder (the build sets it for notebooks).
DATA_DIR_ENV = "ANALYSIS_DATA_DIR"


#: A file of the data folder larger than this is refused unread (the largest table is about 0.2 MB; the validator's
#: benchmark at 10⁶ rows writes about 150 MB).
MAX_DATA_FILE_BYTES = 1024 * 1024 * 1024
#: A document (README.md, CHANGELOG.md) larger than this is refused unread (the shipped README is about 50 kB).
MAX_DOCUMENT_BYTES = 16 * 1024 * 1024
#: Set by the build for each report's process: the file where that process appends what it read (see :func:`note_read`).
READS_FILE_ENV = "ANALYSIS_READS_FILE"


class UnreadableFile(ValueError):
    """A file in the data folder that cannot be read safely; the message says why and what would be right.

    ``line`` and ``column`` locate a decoding error (1 and 0 when the whole file is at fault)."""

    def __init__(self, message: str, line: int = 1, column: int = 0):
        super().__init__(message)
        self.line, self.column = line, column


class DescriptorError(ValueError):
    """``datapackage.json`` cannot be read as JSON; ``line`` locates the problem."""

    def __init__(self, message: str, line: int = 1):
        super().__init__(message)
        self.line = line


def resolve_data_dir(data_dir: str | os.PathLike | None = None) -> Path:
    """Return ``data_dir`` as an absolute path; by default ``$ANALYSIS_DATA_DIR``, else the repository's ``data/``.

    >>> resolve_data_dir("/tmp/x").as_posix()
    '/tmp/x'
    """
    if data_dir is None:
        data_dir = os.environ.get(DATA_DIR_ENV) or DEFAULT_DATA_DIR
    try:
        return Path(data_dir).resolve()
    except (OSError, RuntimeError):  # a symlink loop or an unreadable parent: keep the path as given
        return Path(os.path.abspath(data_dir))


def display_path(path: Path) -> str:
    """A path as a person would type it: relative to the working folder when inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except (ValueError, OSError):  # outside the working folder, or the working folder was deleted
        return str(path)


def file_name_problem(name: object) -> str | None:
    """What is wrong with ``name`` as the name of a file in the data folder, or None if it is fine.

    A name is one plain file name: no folders, no ``..``, no absolute path, no URL, no control characters.

    >>> file_name_problem("events.csv") is None
    True
    >>> file_name_problem("../etc/passwd")
    "'../etc/passwd' is not a plain file name: name a file directly in the data folder, e.g. 'events.csv'"
    """
    if not isinstance(name, str) or not name:
        return f"{name!r} is not a file name: write the name of a file in the data folder, e.g. 'events.csv'"
    if len(name) > 255 or not name.isprintable() or "/" in name or "\\" in name or name.startswith("."):
        return f"{name!r} is not a plain file name: name a file directly in the data folder, e.g. 'events.csv'"
    return None


def open_data_file(data_dir: str | os.PathLike, name: str) -> BinaryIO:
    """Open the file ``name`` in ``data_dir`` for reading, binary, refusing anything unsafe.

    Refused with :class:`UnreadableFile` (and never read): a name that is not a plain file name, a symbolic link
    whose target is outside the folder, a folder, a FIFO, a device or a socket (checked on the open descriptor,
    which is opened non-blocking, so a FIFO cannot hang the caller), and a file the process may not read.
    A missing file raises :class:`FileNotFoundError`.
    """
    problem = file_name_problem(name)
    if problem:
        raise UnreadableFile(problem)
    root = os.path.realpath(data_dir)
    real = os.path.realpath(os.path.join(data_dir, name))
    if os.path.dirname(real) != root:
        raise UnreadableFile(f"is a symbolic link to {real}, outside the data folder: copy the file into the folder instead")
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(real, flags)
    except FileNotFoundError:
        raise
    except PermissionError:
        raise UnreadableFile("cannot be read: permission denied (make it readable, e.g. chmod a+r)") from None
    except IsADirectoryError:
        raise UnreadableFile("is a folder, not a file: the descriptor must name a CSV file") from None
    except OSError as exc:
        try:
            mode = os.lstat(real).st_mode
        except OSError:
            mode = stat.S_IFREG
        if not stat.S_ISREG(mode) and not stat.S_ISLNK(mode):  # a socket cannot even be opened
            raise UnreadableFile(f"is {_file_kind(mode)}, not a regular file: replace it with a regular file") from None
        raise UnreadableFile(f"cannot be opened ({exc.strerror or exc}): replace it with a regular file") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise UnreadableFile(f"is {_file_kind(mode)}, not a regular file: replace it with a regular file")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_data_bytes(data_dir: str | os.PathLike, name: str, limit: int = MAX_DATA_FILE_BYTES, note: bool = True) -> bytes:
    """The content of the file ``name`` in ``data_dir``, through :func:`open_data_file` (no symlink out, no FIFO,
    device or folder) and at most ``limit`` bytes (a larger file raises :class:`UnreadableFile`, read no further).

    With ``note`` (the default) the file and the SHA-256 of the bytes returned are recorded as read (:func:`note_read`):
    that is how the build learns what a report read.
    """
    where = display_path(Path(data_dir) / name)
    try:
        with open_data_file(data_dir, name) as fh:
            raw = fh.read(limit + 1)
    except UnreadableFile as exc:
        raise UnreadableFile(f"{where}: {exc}") from None
    if len(raw) > limit:
        raise UnreadableFile(f"{where}: is larger than {limit:,} bytes: no file of this data package is near that size")
    if note:
        note_read(Path(data_dir) / name, content_digest(raw))
    return raw


def decode_text(raw: bytes) -> str:
    """UTF-8 bytes as text (a leading byte-order mark is dropped); :class:`UnreadableFile` with the line and column
    of the first byte that is not UTF-8.

    >>> decode_text(b"a\\nb\\xff").splitlines()
    Traceback (most recent call last):
    ...
    analysis.schema.UnreadableFile: line 2, column 2: is not valid UTF-8 (bytes b'\\xff'): save it as UTF-8
    """
    try:
        return raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        bad = raw[exc.start : exc.start + 4]
        raise UnreadableFile(f"line {line}, column {column}: is not valid UTF-8 (bytes {bad!r}): save it as UTF-8", line, column) from None


def read_data_text(data_dir: str | os.PathLike, name: str, limit: int = MAX_DOCUMENT_BYTES, note: bool = True) -> str | None:
    """A text file of the data folder (``README.md``, ``CHANGELOG.md``) read safely and decoded, or None if it does
    not exist (its absence is recorded as read too). Anything unsafe or undecodable raises :class:`UnreadableFile`."""
    try:
        raw = read_data_bytes(data_dir, name, limit, note)
    except FileNotFoundError:
        if note:
            note_read(Path(data_dir) / name, None)
        return None
    try:
        return decode_text(raw)
    except UnreadableFile as exc:
        raise UnreadableFile(f"{display_path(Path(data_dir) / name)}: {exc}", exc.line, exc.column) from None


def content_digest(raw: bytes) -> str:
    """The SHA-256 of ``raw``, in hex: what identifies a file's content everywhere in the build."""
    return hashlib.sha256(raw).hexdigest()


# --------------------------------------------------------------------------- what a process read

#: A digest recorded for a file that was served with two different contents in one process (it changed meanwhile).
CHANGED = "changed-while-read"
_recorders: list[dict[str, str | None]] = []
_suspended = 0
_sunk: tuple[str, set] = ("", set())
#: Bumped whenever where reads go changes (a recording opens or closes, recording is suspended or resumed).
_generation = 0


def read_token() -> tuple[int, int]:
    """What identifies where reads go now: the process and the :data:`_generation`. A caller that served the same
    file again under the same token need not note it again (the loaders' hot path)."""
    return os.getpid(), _generation


def note_read(path: Path, digest: str | None) -> None:
    """Record that this process used ``path`` with content ``digest`` (None: it did not exist).

    Called by the loaders for every table they serve and by :func:`read_data_bytes`. The record goes to every open
    :func:`recording` and, in a report's process, to the file named by ``$ANALYSIS_READS_FILE`` (one JSON line per
    new path and digest), which the build reads when the report ends.
    """
    global _sunk
    if _suspended:
        return
    key = os.path.abspath(path)
    for record in _recorders:
        record[key] = digest if record.get(key, digest) == digest else CHANGED
    sink = os.environ.get(READS_FILE_ENV)
    if not sink:
        return
    if _sunk[0] != sink:  # a new report's process (a fork inherits the parent's memory): start afresh
        _sunk = (sink, set())
    if (key, digest) in _sunk[1]:
        return
    _sunk[1].add((key, digest))
    with open(sink, "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"path": key, "sha256": digest}) + "\n")


@contextmanager
def recording() -> Iterator[dict[str, str | None]]:
    """Collect what is read inside the block: ``{absolute path: SHA-256 or None}``."""
    global _generation
    record: dict[str, str | None] = {}
    _recorders.append(record)
    _generation += 1
    try:
        yield record
    finally:
        _recorders.remove(record)
        _generation += 1


@contextmanager
def unrecorded() -> Iterator[None]:
    """Reads inside the block are not recorded (the validator reads every file; that is checking, not using)."""
    global _suspended, _generation
    _suspended += 1
    _generation += 1
    try:
        yield
    finally:
        _suspended -= 1
        _generation += 1


def read_sink(path: Path) -> dict[str, str | None]:
    """What a report's process recorded in its reads file (see :func:`note_read`); a path seen with two digests is
    recorded as :data:`CHANGED`."""
    reads: dict[str, str | None] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return reads
    for line in lines:
        try:
            entry = json.loads(line)
            key, digest = entry["path"], entry["sha256"]
        except (ValueError, KeyError, TypeError):
            continue
        reads[key] = digest if reads.get(key, digest) == digest else CHANGED
    return reads


def _file_kind(mode: int) -> str:
    kinds = [(stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket")]
    kinds += [(stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device")]
    return next((label for test, label in kinds if test(mode)), "a special file")


class Descriptor:
    """The parsed descriptor, its text, and where each of its objects starts (for located messages)."""

    def __init__(self, package: object, text: str, duplicates: bool):
        self.package = package
        self.text = text
        self.has_duplicate_keys = duplicates
        self._starts: dict[tuple, int] | None = None
        self._duplicates: list[tuple[tuple, str]] = []

    def _index(self) -> dict[tuple, int]:
        """Parse again, slowly, recording the offset of every object and array by its path (only when a message needs it)."""
        if self._starts is None:
            decoder = _PositionDecoder()
            decoder.decode(self.text)
            self._starts, self._duplicates = decoder.paths(), decoder.duplicate_paths()
        return self._starts

    def line(self, path: tuple = (), key: str | None = None) -> int:
        """The line on which the object at ``path`` (a tuple of keys and indices) starts, or its ``key`` inside it."""
        starts = self._index()
        while path and path not in starts:
            path = path[:-1]
        offset = starts.get(path, 0)
        if key is not None:
            found = self.text.find(json.dumps(key, ensure_ascii=False), offset)
            offset = found if found >= 0 else offset
        return self.text.count("\n", 0, offset) + 1

    def duplicate_keys(self) -> list[tuple[tuple, str]]:
        """Each (object path, key) where a key appears twice in one object (JSON keeps the last silently)."""
        if not self.has_duplicate_keys:
            return []
        self._index()
        return self._duplicates


class _PositionDecoder(json.JSONDecoder):
    """A JSON decoder that records where each object and array starts (the pure-Python scanner, so it can be hooked)."""

    def __init__(self) -> None:
        super().__init__(object_pairs_hook=self._pairs)
        self._offsets: dict[int, int] = {}
        self._dups: dict[int, list[str]] = {}
        self._pending: list[str] = []
        self.parse_object = self._object
        self.parse_array = self._array
        self.scan_once = json.scanner.py_make_scanner(self)
        self._root: object = None

    def _pairs(self, pairs: list) -> dict:
        keys = [k for k, _ in pairs]
        self._pending = sorted({k for k in keys if keys.count(k) > 1})
        return dict(pairs)

    def _object(self, s_and_end, *args, **kwargs):
        value, end = json.decoder.JSONObject(s_and_end, *args, **kwargs)
        self._offsets[id(value)] = s_and_end[1] - 1
        if self._pending:
            self._dups[id(value)], self._pending = self._pending, []
        return value, end

    def _array(self, s_and_end, *args, **kwargs):
        value, end = json.decoder.JSONArray(s_and_end, *args, **kwargs)
        self._offsets[id(value)] = s_and_end[1] - 1
        return value, end

    def decode(self, s, *args, **kwargs):
        self._root = super().decode(s, *args, **kwargs)
        return self._root

    def _walk(self):
        stack = [((), self._root)]
        while stack:
            path, value = stack.pop()
            yield path, value
            items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
            stack.extend((path + (k,), v) for k, v in items if isinstance(v, (dict, list)))

    def paths(self) -> dict[tuple, int]:
        return {path: self._offsets.get(id(value), 0) for path, value in self._walk()}

    def duplicate_paths(self) -> list[tuple[tuple, str]]:
        return [(path, key) for path, value in self._walk() for key in self._dups.get(id(value), [])]


def _no_constant(name: str):
    raise DescriptorError(f"datapackage.json is not valid JSON: {name} is not a JSON value (write a number, or null)")


def _json_int(text: str) -> int:
    if len(text) > MAX_JSON_NUMBER_DIGITS:
        raise DescriptorError(f"datapackage.json holds a {len(text):,}-digit number: no setting needs more than {MAX_JSON_NUMBER_DIGITS} digits")
    return int(text)


def _json_float(text: str) -> float:
    if len(text) > MAX_JSON_NUMBER_DIGITS:
        raise DescriptorError(f"datapackage.json holds a {len(text):,}-character number: no setting needs more than {MAX_JSON_NUMBER_DIGITS}")
    return float(text)


def read_descriptor(data_dir: str | os.PathLike | None = None) -> Descriptor:
    """Read and parse ``datapackage.json`` safely; raise :class:`DescriptorError` (located) if it is not readable JSON.

    A missing descriptor raises :class:`FileNotFoundError`, one that is not a safe regular file :class:`UnreadableFile`.

    >>> read_descriptor().package["resources"][0]["name"]
    'sources'
    """
    directory = resolve_data_dir(data_dir)
    with open_data_file(directory, DESCRIPTOR) as fh:
        raw = fh.read(MAX_DESCRIPTOR_BYTES + 1)
    return parse_descriptor(raw)


def parse_descriptor(raw: bytes) -> Descriptor:
    """Parse the bytes of ``datapackage.json`` (see :func:`read_descriptor`)."""
    if len(raw) > MAX_DESCRIPTOR_BYTES:
        raise DescriptorError(f"datapackage.json is larger than {MAX_DESCRIPTOR_BYTES:,} bytes: a descriptor is a few kilobytes")
    if raw.startswith(b"\xef\xbb\xbf"):
        raise DescriptorError("datapackage.json starts with a byte-order mark: save it as UTF-8 without BOM")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DescriptorError(f"datapackage.json is not valid UTF-8 (bytes {raw[exc.start : exc.start + 4]!r}): save it as UTF-8", line) from None
    duplicates = False

    def pairs(items: list) -> dict:
        nonlocal duplicates
        result = dict(items)
        duplicates = duplicates or len(result) != len(items)
        return result

    decoder = json.JSONDecoder(object_pairs_hook=pairs, parse_constant=_no_constant, parse_int=_json_int, parse_float=_json_float)
    try:
        package = decoder.decode(text)
    except json.JSONDecodeError as exc:
        raise DescriptorError(f"datapackage.json is not valid JSON: {exc}", exc.lineno) from None
    except RecursionError:
        raise DescriptorError("datapackage.json is nested too deeply to read: a descriptor needs a few levels only") from None
    return Descriptor(package, text, duplicates)


_PACKAGES: dict[str, dict] = {}


def load_package(data_dir: str | os.PathLike | None = None) -> dict:
    """Read ``datapackage.json`` from ``data_dir`` through the safe open (parsed once per content: the cache is keyed
    by the SHA-256 of the bytes read, so a rewrite of the same size with its modification time restored is seen).

    >>> [r["name"] for r in load_package()["resources"]][:2]
    ['sources', 'parties']
    """
    directory = resolve_data_dir(data_dir)
    raw = read_data_bytes(directory, DESCRIPTOR, MAX_DESCRIPTOR_BYTES + 1)
    digest = content_digest(raw)
    if digest not in _PACKAGES:
        if len(_PACKAGES) >= 8:
            _PACKAGES.pop(next(iter(_PACKAGES)))
        _PACKAGES[digest] = parse_descriptor(raw).package
    return _PACKAGES[digest]


def table_names(data_dir: str | os.PathLike | None = None) -> list[str]:
    """The names of the tables in the package, in descriptor order.

    >>> "signatories" in table_names()
    True
    """
    return [r["name"] for r in load_package(data_dir)["resources"]]


def get_resource(name: str, data_dir: str | os.PathLike | None = None) -> dict:
    """The descriptor of one table.

    >>> get_resource("parties")["schema"]["primaryKey"]
    ['party_id']
    """
    for resource in load_package(data_dir)["resources"]:
        if resource["name"] == name:
            return resource
    raise KeyError(f"no table named {name!r} in {DESCRIPTOR}; tables: {', '.join(table_names(data_dir))}")




DICTIONARY_BEGIN = "<!-- dictionary:begin (generated by `python -m analysis dictionary`; do not edit by hand) -->"
DICTIONARY_END = "<!-- dictionary:end -->"


def _constraint_text(spec: dict) -> str:
    cons = spec.get("constraints", {})
    parts = ["required" if cons.get("required") else "optional"]
    if cons.get("unique"):
        parts.append("unique")
    if "enum" in cons:
        parts.append("one of " + ", ".join(f"`{v}`" for v in cons["enum"]))
    if "pattern" in cons:
        parts.append(f"pattern `{cons['pattern']}`")
    if "minimum" in cons or "maximum" in cons:
        parts.append(f"range {cons.get('minimum', '…')}–{cons.get('maximum', '…')}")
    return "; ".join(parts).replace("|", "\\|")


def render_dictionary(data_dir: str | os.PathLike | None = None) -> str:
    """The data dictionary in Markdown, generated from ``datapackage.json`` (pasted into data/README.md).

    >>> "| `party_id` | string |" in render_dictionary()
    True
    """
    lines = [DICTIONARY_BEGIN, ""]
    for resource in load_package(data_dir)["resources"]:
        schema = resource["schema"]
        lines += [f"### `{resource['path']}`", "", resource["description"], ""]
        lines.append(f"Key: {', '.join(f'`{k}`' for k in schema['primaryKey'])}.")
        for fk in schema.get("foreignKeys", []):
            target = fk["reference"]["resource"] or resource["name"]
            lines.append(f"`{fk['fields']}` refers to `{target}.{fk['reference']['fields']}`.")
        lines += ["", "| column | type | constraints | meaning |", "|---|---|---|---|"]
        for spec in schema["fields"]:
            lines.append(
                f"| `{spec['name']}` | {spec['type']} | {_constraint_text(spec)} | {spec['description'].replace('|', '/').replace('<', '&lt;').replace('>', '&gt;')} |"
            )
        lines.append("")
    lines.append(DICTIONARY_END)
    return "\n".join(lines)
