"""Planning: which reports exist, what each was built from, and whether the one on disk is current.

Standard library only: "up to date" is decided without importing pandas, nbformat or nbconvert.

- A :class:`Job` is one report: a notebook, its parameters and the HTML file it writes. Every output path is
  built from checked names (letters, digits, ``-``, ``_``) and must resolve inside the output folder
  (:func:`output_path`), whatever the data or the descriptor say.
- What a report depends on is recorded, not declared: the files of the data folder its code actually read
  (noted by the loaders and the safe open in the report's own process, with the SHA-256 of what was served),
  plus its *key*: the notebook, its parameters, the ``analysis/`` code, the environment (requirements, Python,
  the installed distributions) and what the page around it shows (release line, navigation).
- The :class:`State` file records, per report, that key, those reads and the SHA-256 of the HTML and of every
  CSV it links. A report is up to date only when all of them match the files *as they are now*, compared by
  content (never by size and modification time).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

from analysis.paths import NOTEBOOK_DIR, PACKAGE_DIR, REPORTS_DIR, ROOT
from analysis.schema import UnreadableFile, open_data_file

DEFAULT_OUT = REPORTS_DIR
#: Partner profiles: one report per partner from this parameterised notebook (see :func:`profile_jobs`).
PROFILE_NOTEBOOK = "partner_profile.ipynb"
PROFILE_DIR = "partners"
#: Assumed duration of a report never built before, for scheduling (seconds).
DEFAULT_SECONDS = 5.0
#: What a name that becomes part of an output path may contain.
SAFE_NAME = re.compile(r"[A-Za-z0-9_-]{1,100}")
#: What a file name of the output folder may be: a safe name and one extension.
SAFE_FILE = re.compile(r"[A-Za-z0-9_-]{1,100}\.[A-Za-z0-9]{1,10}")


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
    return [Job(p, f"{checked_name(p.stem, 'a notebook')}.html", notebook_title(p)) for p in notebooks]


def profile_jobs(partners: dict[str, str], notebook_dir: Path = NOTEBOOK_DIR) -> list[Job]:
    """One job per partner, from ``{party_id: party_name}`` (see :func:`partners_from_tables`).

    >>> [j.output for j in profile_jobs({"GBR": "United Kingdom"}, Path("notebooks"))]
    ['partners/GBR.html']
    """
    notebook = notebook_dir / PROFILE_NOTEBOOK
    if not notebook.exists():
        return []
    return [
        Job(notebook, f"{PROFILE_DIR}/{checked_name(code, 'a party_id')}.html", name, (("party_id", code),))
        for code, name in sorted(partners.items())
    ]


def checked_name(name: str, what: str) -> str:
    """``name`` if it may become part of an output path (letters, digits, ``-``, ``_``), else :class:`BuildError`.

    >>> checked_name("GBR", "a party_id")
    'GBR'
    >>> checked_name("../../x", "a party_id")
    Traceback (most recent call last):
    ...
    analysis.build.plan.BuildError: a report's file name is built from a party_id, and '../../x' is not a safe name (letters, digits, '-' and '_' only): nothing was built
    """
    if not isinstance(name, str) or not SAFE_NAME.fullmatch(name):
        raise BuildError(f"a report's file name is built from {what}, and {name!r} is not a safe name "
                         "(letters, digits, '-' and '_' only): nothing was built")  # fmt: skip
    return name


def output_path(out: Path, relative: str) -> Path:
    """Where ``relative`` (``partners/GBR.html``) goes in ``out``: every folder a safe name, the file a safe name
    with one extension, and the result inside ``out`` once symbolic links are resolved; else :class:`BuildError`.

    >>> output_path(Path("/tmp/r"), "partners/GBR.html").as_posix()
    '/tmp/r/partners/GBR.html'
    """
    *folders, name = relative.split("/")
    if not all(SAFE_NAME.fullmatch(f) for f in folders) or not SAFE_FILE.fullmatch(name):
        raise BuildError(f"refusing to write {relative!r} into {out}: an output file name is letters, digits, '-' and '_' "
                         "with one extension")  # fmt: skip
    target = out.joinpath(*folders, name)
    try:
        inside = target.resolve().is_relative_to(out.resolve())
    except (OSError, RuntimeError):
        inside = False
    if not inside:
        raise BuildError(f"refusing to write {relative!r}: it resolves outside the output folder {out} (a symbolic link?)")
    return target


def check_locations(out: Path, data: Path) -> None:
    """Refuse an output folder inside the data folder (the build would write into the data, and never be up to date),
    and a data folder that the build would overwrite (the output folder itself, or a folder the build writes)."""
    out, data = out.resolve(), data.resolve()
    if out.is_relative_to(data):
        raise BuildError(f"the output folder {out} is inside the data folder {data}: the build only reads data/; "
                         "choose an --out outside it")  # fmt: skip
    if data == out or any(data.is_relative_to(out / sub) for sub in ("data", "downloads", PROFILE_DIR)):
        raise BuildError(f"the data folder {data} is where the build writes in {out}: choose another --out")


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


# --------------------------------------------------------------------------- inputs and their digests


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
        except OSError as exc:
            digest.update(f"<unreadable: {exc.strerror}>".encode())
        digest.update(b"\0")
    return digest.hexdigest()


def _files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts and ".ipynb_checkpoints" not in p.parts]


def environment_key() -> str:
    """What the environment contributes: requirements.txt, the Python version, and the installed distributions
    (names and versions, from the ``*.dist-info`` folders: a listing, no file read)."""
    digest = hashlib.sha256(sys.version.encode())
    requirements = ROOT / "requirements.txt"
    digest.update(requirements.read_bytes() if requirements.is_file() else b"")
    for key in ("purelib", "platlib"):
        try:
            names = sorted(n for n in os.listdir(sysconfig.get_paths()[key]) if n.endswith(".dist-info"))
        except OSError:
            names = []
        digest.update("\n".join(names).encode())
    return digest.hexdigest()


def base_key() -> str:
    """The ``analysis/`` code (templates and assets included) and the environment: what every report depends on."""
    return hashlib.sha256(f"{_hash_files(_files_under(PACKAGE_DIR), PACKAGE_DIR)}|{environment_key()}".encode()).hexdigest()


def job_key(job: Job, base: str, context: str) -> str:
    """A report's key: the base key, its notebook and parameters, and ``context``, the digest of what the page around
    it shows (:func:`analysis.build.site.context_digest`)."""
    digest = hashlib.sha256(f"{base}|{context}|".encode())
    digest.update(job.notebook.read_bytes())
    digest.update(json.dumps(job.parameters).encode())
    return digest.hexdigest()


def file_digest(path: Path) -> str | None:
    """The SHA-256 of a file of the output folder (or of the package), or None if it cannot be read."""
    try:
        with open(path, "rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError:
        return None


def data_digest(folder: Path, name: str) -> str | None:
    """The SHA-256 of the file ``name`` in ``folder``, read through the validator's safe open; None if it does not
    exist, and a marker that matches no digest if it is unsafe or unreadable (a FIFO never blocks)."""
    try:
        with open_data_file(folder, name) as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except FileNotFoundError:
        return None
    except (OSError, UnreadableFile) as exc:
        return f"unreadable: {exc}"


class Inputs:
    """The digests of the data folder's files, each file read once per build (through the safe open).

    A read is named relative to the data folder (``claims.csv``) when it is directly inside it, else by its
    absolute path.
    """

    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self._digests: dict[str, str | None] = {}

    def name(self, path: str) -> str:
        absolute = Path(path)
        return absolute.name if absolute.parent == self.data_dir else str(absolute)

    def _path(self, name: str) -> tuple[Path, str]:
        path = Path(name) if os.path.isabs(name) else self.data_dir / name
        return path.parent, path.name

    def digest(self, name: str) -> str | None:
        if name not in self._digests:
            self._digests[name] = data_digest(*self._path(name))
        return self._digests[name]

    def now(self, name: str) -> str | None:
        """The digest as the file is at this moment (not the one remembered from earlier in the build)."""
        return data_digest(*self._path(name))

    def match(self, reads: object) -> bool:
        """Whether every recorded read still has the digest it had when it was read."""
        return isinstance(reads, dict) and all(isinstance(n, str) and self.digest(n) == d for n, d in reads.items())

    def changed(self, reads: dict) -> list[str]:
        """The reads whose file changed during the build: what was read differs from the file now (read again), or
        from the file when the build planned (the digest taken then, if it was taken)."""
        return sorted(n for n, d in reads.items() if self.now(n) != d or self._digests.get(n, d) != d)

    def folder_key(self) -> str:
        """Every entry of the data folder by name, kind and content: what decides whether to validate again."""
        try:
            names = sorted(os.listdir(self.data_dir))
        except OSError as exc:
            return f"unreadable: {exc}"
        digest = hashlib.sha256()
        for name in names:
            kind = "file" if (self.data_dir / name).is_file() else "other"
            digest.update(f"{name}\0{kind}\0{self.digest(name) if kind == 'file' else ''}\0".encode("utf-8", "surrogateescape"))
        return digest.hexdigest()


def schedule(todo: list[Job], seconds: dict[str, float]) -> list[Job]:
    """The order to run the jobs: longest first (by the time each took last time), so that a slow
    notebook does not start last and hold up the end of the build.

    >>> a, b = Job(Path("a.ipynb"), "a.html", "A"), Job(Path("b.ipynb"), "b.html", "B")
    >>> [j.name for j in schedule([a, b], {"a.html": 2.0, "b.html": 9.0})]
    ['b', 'a']
    """
    return sorted(todo, key=lambda j: (-seconds.get(j.output, DEFAULT_SECONDS), j.output))
