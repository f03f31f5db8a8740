"""Planning: which reports exist, what each is built from, and whether the one on disk is current.

Standard library only: "up to date" is decided without importing pandas, nbformat or nbconvert.

- A :class:`Job` is one report: a notebook, its parameters and the HTML file it writes.
- A job's *key* hashes everything the report depends on: the notebook, its parameters, the code in
  ``analysis/``, every file in the data folder (subfolders included) and every table the descriptor
  names (wherever its path points), and ``requirements.txt``.
- The :class:`State` file records, per report, the key it was built from and the SHA-256 of the HTML
  written. A report is up to date only when both still match, so a report replaced behind the
  build's back, or left by a build that was killed before it saved, is rebuilt.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from analysis.paths import NOTEBOOK_DIR, PACKAGE_DIR, REPORTS_DIR, ROOT

DEFAULT_OUT = REPORTS_DIR
STATE_FILE = ".build-state.json"
LOCK_FILE = ".build.lock"
#: Set by a build for the process it hands the work to: that folder's lock is already held for it.
LOCK_HELD_ENV = "ANALYSIS_BUILD_LOCK_HELD"
#: Partner profiles: one report per partner from this parameterised notebook (see :func:`profile_jobs`).
PROFILE_NOTEBOOK = "partner_profile.ipynb"
PROFILE_DIR = "partners"
#: Assumed duration of a report never built before, for scheduling (seconds).
DEFAULT_SECONDS = 5.0
#: Bumped when the state file's layout changes: an older state only means a rebuild.
STATE_VERSION = 2


class BuildError(Exception):
    """A problem the build reports as one clear line (no traceback) before it stops."""


@dataclass(frozen=True)
class Job:
    """One report to build: a notebook, its parameters, and where the HTML goes (relative to the output folder)."""

    notebook: Path
    output: str
    title: str
    parameters: tuple[tuple[str, str], ...] = ()

    @property
    def name(self) -> str:
        return self.output.removesuffix(".html")

    @property
    def is_profile(self) -> bool:
        return self.output.startswith(PROFILE_DIR + "/")


# --------------------------------------------------------------------------- which reports


def notebook_title(notebook: Path) -> str:
    """The notebook's first Markdown heading (read as JSON; no nbformat import)."""
    try:
        nb = json.loads(notebook.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BuildError(f"notebook {notebook} cannot be read: {exc}") from None
    for cell in nb.get("cells", []) if isinstance(nb, dict) else []:
        if isinstance(cell, dict) and cell.get("cell_type") == "markdown":
            source = cell.get("source", [])
            for line in ("".join(source) if isinstance(source, list) else str(source)).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return notebook.stem


def notebook_jobs(notebook_dir: Path = NOTEBOOK_DIR) -> list[Job]:
    """One job per numbered notebook (``NN_topic.ipynb``)."""
    notebooks = sorted(p for p in notebook_dir.glob("[0-9][0-9]_*.ipynb"))
    return [Job(p, f"{p.stem}.html", notebook_title(p)) for p in notebooks]


def profile_jobs(partners: dict[str, str], notebook_dir: Path = NOTEBOOK_DIR) -> list[Job]:
    """One job per partner, from ``{party_id: party_name}`` (see :func:`partners_from_tables`).

    >>> [j.output for j in profile_jobs({"GBR": "United Kingdom"}, Path("notebooks"))]
    ['partners/GBR.html']
    """
    notebook = notebook_dir / PROFILE_NOTEBOOK
    if not notebook.exists():
        return []
    return [
        Job(notebook, f"{PROFILE_DIR}/{code}.html", name, (("party_id", code),)) for code, name in sorted(partners.items())
    ]


def partners_from_tables(tables: dict) -> dict[str, str]:
    """Everyone with an agreement or a negotiation event, named, from the validator's parsed tables.

    The build reads the data only through the validator (no second CSV reader).
    """
    names = {row.get("party_id"): row.get("party_name") for row in tables["parties"].rows} if "parties" in tables else {}
    codes = {row.get("party_id") for name in ("agreements", "events") if name in tables for row in tables[name].rows}
    return {code: names.get(code) or code for code in codes if code and code != "UKR"}


def select(jobs: list[Job], only: list[str] | None) -> list[Job]:
    """The jobs named in ``only``: a notebook (``01_coalition_growth``, with or without ``.ipynb`` or a folder),
    ``partner_profile`` for every profile, or one profile (``partners/GBR``). Unknown names stop the build."""
    if not only:
        return jobs
    wanted = {name.removesuffix(".ipynb").removesuffix(".html") for name in only}
    wanted = {name if name.startswith(PROFILE_DIR + "/") else Path(name).name for name in wanted}
    chosen = [j for j in jobs if j.name in wanted or j.notebook.stem in wanted]
    known = {j.name for j in jobs} | {j.notebook.stem for j in jobs}
    unknown = wanted - known
    if unknown:
        raise BuildError(f"no notebook or report named {', '.join(sorted(unknown))}")
    return chosen


# --------------------------------------------------------------------------- inputs and their hashes


def _hash_files(paths: list[Path], base: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(set(paths)):
        try:
            name = str(path.relative_to(base))
        except ValueError:
            name = str(path)
        digest.update(name.encode("utf-8", "surrogateescape"))
        digest.update(b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError as exc:  # unreadable: its absence is part of the key; the validator reports it
            digest.update(f"<unreadable: {exc.strerror}>".encode())
        digest.update(b"\0")
    return digest.hexdigest()


def _files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts and ".ipynb_checkpoints" not in p.parts]


def _descriptor_tables(data_dir: Path) -> list[Path]:
    """The paths the descriptor names, wherever they point (a table outside the folder is still an input)."""
    try:
        package = json.loads((data_dir / "datapackage.json").read_text(encoding="utf-8"))
        resources = package.get("resources", []) if isinstance(package, dict) else []
    except (OSError, ValueError):
        return []
    paths = []
    for resource in resources:
        path = resource.get("path") if isinstance(resource, dict) else None
        if isinstance(path, str) and path:
            candidate = data_dir / path
            if candidate.is_file():
                paths.append(candidate)
    return paths


def inputs_key(data_dir: Path) -> str:
    """A hash of everything every report depends on: analysis/ code, the data, requirements.txt."""
    parts = [
        _hash_files(_files_under(PACKAGE_DIR), PACKAGE_DIR),
        _hash_files(_files_under(data_dir) + _descriptor_tables(data_dir), data_dir) if data_dir.is_dir() else "no data",
        _hash_files([ROOT / "requirements.txt"], ROOT) if (ROOT / "requirements.txt").exists() else "",
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def job_key(job: Job, shared: str) -> str:
    digest = hashlib.sha256(shared.encode())
    digest.update(job.notebook.read_bytes())
    digest.update(json.dumps(job.parameters).encode())
    return digest.hexdigest()


def file_digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def file_stamp(path: Path) -> list[int] | None:
    """Size and modification time (ns): what changes when a file is rewritten, read without reading the file."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return [stat.st_size, stat.st_mtime_ns]


# --------------------------------------------------------------------------- the state file


class State:
    """What the output folder holds: per report its key, the digest of its HTML and how long it took.

    Also the inputs key and report list of the last plan, so that a no-op build needs no data read.
    Saved atomically after every report that lands. Anything odd in the file means a rebuild.
    """

    def __init__(self, out_dir: Path):
        self.path = out_dir / STATE_FILE
        self.reports: dict[str, dict] = {}
        self.plan: dict = {}
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError, UnicodeDecodeError):
            return
        if not isinstance(raw, dict) or raw.get("version") != STATE_VERSION:
            return
        reports = raw.get("reports")
        if isinstance(reports, dict):
            self.reports = {
                k: v
                for k, v in reports.items()
                if isinstance(k, str) and isinstance(v, dict) and isinstance(v.get("key"), str) and isinstance(v.get("sha256"), str)
            }
        plan = raw.get("plan")
        if isinstance(plan, dict) and isinstance(plan.get("inputs"), str) and isinstance(plan.get("partners"), dict):
            if all(isinstance(k, str) and isinstance(v, str) for k, v in plan["partners"].items()):
                self.plan = plan

    def seconds(self, output: str) -> float:
        value = self.reports.get(output, {}).get("seconds")
        return float(value) if isinstance(value, (int, float)) and 0 <= value < 1e6 else DEFAULT_SECONDS

    def is_current(self, out_dir: Path, output: str, key: str) -> bool:
        """The report and every CSV it links are on disk exactly as this build would write them.

        A file whose size and modification time are those recorded when it landed is not read again; any other
        is hashed and compared with the recorded SHA-256 (a file rewritten behind the build's back has a new
        modification time).
        """
        entry = self.reports.get(output)
        if not entry or entry["key"] != key:
            return False
        stamps = entry.get("stamps") if isinstance(entry.get("stamps"), dict) else {}

        def same(name: str, digest: str) -> bool:
            path = out_dir / name
            return (stamps.get(name) is not None and stamps.get(name) == file_stamp(path)) or file_digest(path) == digest

        files = entry.get("downloads", {})
        return same(output, entry["sha256"]) and isinstance(files, dict) and all(same(n, d) for n, d in files.items())

    def landed(self, output: str, key: str, digest: str, seconds: float, downloads: dict[str, str] | None = None,
               out_dir: Path | None = None) -> None:  # fmt: skip
        entry = {"key": key, "sha256": digest, "seconds": round(seconds, 1), "downloads": downloads or {}}
        if out_dir is not None:
            entry["stamps"] = {name: file_stamp(out_dir / name) for name in [output, *(downloads or {})]}
        self.reports[output] = entry
        self.save()

    def forget(self, output: str) -> None:
        if self.reports.pop(output, None) is not None:
            self.save()

    def save(self) -> None:
        body = {"version": STATE_VERSION, "plan": self.plan, "reports": dict(sorted(self.reports.items()))}
        write_atomic(self.path, json.dumps(body, indent=1, sort_keys=True) + "\n")


def write_atomic(target: Path, text: str) -> None:
    """Write a file so that readers see the old or the new content, never a part (temp file + rename)."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


# --------------------------------------------------------------------------- the output folder


def prepare_output(out: Path) -> None:
    """Create the output folder, or say in one line why it cannot be used."""
    if out.exists() and not out.is_dir():
        raise BuildError(f"the output location {out} is a file, not a folder: pass --out with a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BuildError(f"cannot create the output folder {out}: {exc.strerror}") from None
    if not os.access(out, os.W_OK | os.X_OK):
        raise BuildError(f"the output folder {out} is not writable: choose another with --out, or fix its permissions")


class Lock:
    """One build at a time per output folder: a second one is refused with a clear message.

    An advisory ``flock`` on ``.build.lock``: the kernel drops it when the process ends, however it
    ends, so a killed build never leaves a stale lock behind.
    """

    def __init__(self, out: Path):
        self.path = out / LOCK_FILE
        self.handle = None

    def __enter__(self) -> Lock:
        import fcntl

        if os.environ.get(LOCK_HELD_ENV) == str(self.path.parent):
            return self  # the build that started this one holds the lock for it

        try:
            self.handle = open(self.path, "a+", encoding="utf-8")
        except OSError as exc:
            raise BuildError(f"cannot create the lock file {self.path}: {exc.strerror}") from None
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            self.handle.close()
            if exc.errno in (errno.EAGAIN, errno.EACCES):
                raise BuildError(
                    f"another build is writing to {self.path.parent} (it holds {self.path.name}); "
                    "wait for it to finish, or build into another folder with --out"
                ) from None
            raise BuildError(f"cannot lock {self.path}: {exc.strerror}") from None
        return self

    def __exit__(self, *exc) -> None:
        if self.handle is not None:
            self.handle.close()


def schedule(todo: list[Job], seconds: dict[str, float]) -> list[Job]:
    """The order to run the jobs: longest first (by the time each took last time), so that a slow
    notebook does not start last and hold up the end of the build.

    >>> a, b = Job(Path("a.ipynb"), "a.html", "A"), Job(Path("b.ipynb"), "b.html", "B")
    >>> [j.name for j in schedule([a, b], {"a.html": 2.0, "b.html": 9.0})]
    ['b', 'a']
    """
    return sorted(todo, key=lambda j: (-seconds.get(j.output, DEFAULT_SECONDS), j.output))
