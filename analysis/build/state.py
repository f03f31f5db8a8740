"""The build's memory and its output folder: the state file (:class:`State`), atomic writes, and the lock that
lets one build at a time write into a folder (:class:`Lock`).

Standard library only, like :mod:`analysis.build.plan`: "up to date" is decided without importing pandas.
"""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

from analysis.build.plan import DEFAULT_SECONDS, BuildError, Inputs, file_digest

STATE_FILE = ".build-state.json"
LOCK_FILE = ".build.lock"
#: Set by a build for the process it hands the work to: ``FD:PATH``, the inherited descriptor that holds the lock.
LOCK_HELD_ENV = "ANALYSIS_BUILD_LOCK_HELD"
#: Bumped when the state file's layout changes: an older state only means a rebuild.
STATE_VERSION = 3


# --------------------------------------------------------------------------- the state file


def _valid_reads(reads: object) -> bool:
    return isinstance(reads, dict) and all(isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in reads.items())


class State:
    """What the output folder holds: per report its key, what it read, the digests of its HTML and CSV files, and
    how long it took; and the plan (the data key and the partners), the release line and the site pages, each with
    what it read. Saved atomically after every report that lands. Anything odd in the file means a rebuild.
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
                if isinstance(k, str) and isinstance(v, dict) and isinstance(v.get("key"), str)
                and isinstance(v.get("sha256"), str) and _valid_reads(v.get("reads")) and _valid_reads(v.get("downloads"))
            }  # fmt: skip
        plan = raw.get("plan")
        if isinstance(plan, dict) and isinstance(plan.get("data"), str) and isinstance(plan.get("partners"), dict):
            if all(isinstance(k, str) and isinstance(v, str) for k, v in plan["partners"].items()):
                self.plan = plan

    def seconds(self, output: str) -> float:
        value = self.reports.get(output, {}).get("seconds")
        return float(value) if isinstance(value, (int, float)) and 0 <= value < 1e6 else DEFAULT_SECONDS

    def is_current(self, out_dir: Path, output: str, key: str, inputs: Inputs) -> bool:
        """The report was built with this key, every file it read is as it was read, and the report and every CSV it
        links are on disk exactly as written (all compared by content)."""
        entry = self.reports.get(output)
        if not entry or entry["key"] != key or not inputs.match(entry["reads"]):
            return False
        files = {output: entry["sha256"], **entry["downloads"]}
        return all(file_digest(out_dir / name) == digest for name, digest in files.items())

    def landed(self, output: str, key: str, digest: str, seconds: float, downloads: dict[str, str], reads: dict) -> None:
        self.reports[output] = {"key": key, "sha256": digest, "seconds": round(seconds, 1), "downloads": downloads, "reads": reads}
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

    An advisory ``flock`` on ``.build.lock``, held by the process that writes and released only when writing
    stops. A build that hands its work to a new process (:func:`analysis.build.run._delegate`) passes it the
    locked descriptor itself (``LOCK_HELD_ENV`` names it), so the lock lives as long as either process: killing
    the one that started the build does not free the folder while the other still writes. The kernel drops the
    lock when the last holder ends, however it ends, so a killed build never leaves a stale lock behind.
    """

    def __init__(self, out: Path):
        self.path = out / LOCK_FILE
        self.fd: int | None = None

    def _inherited(self) -> int | None:
        """The descriptor handed over by the build that started this process, if it is this folder's lock file."""
        held = os.environ.get(LOCK_HELD_ENV, "")
        number, _, path = held.partition(":")
        if not number.isdigit() or path != str(self.path):
            return None
        try:
            mine, theirs = os.fstat(int(number)), os.stat(self.path)
        except OSError:
            return None
        return int(number) if (mine.st_dev, mine.st_ino) == (theirs.st_dev, theirs.st_ino) else None

    def __enter__(self) -> Lock:
        import fcntl

        fd = self._inherited()
        if fd is None:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            except OSError as exc:
                raise BuildError(f"cannot create the lock file {self.path}: {exc.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # on an inherited descriptor: already ours, succeeds
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EAGAIN, errno.EACCES):
                raise BuildError(
                    f"another build is writing to {self.path.parent} (it holds {self.path.name}); "
                    "wait for it to finish, or build into another folder with --out"
                ) from None
            raise BuildError(f"cannot lock {self.path}: {exc.strerror}") from None
        self.fd = fd
        return self

    def handover(self) -> dict[str, str]:
        """The environment entry that hands this lock to a process started with ``pass_fds=(lock.fd,)``."""
        return {LOCK_HELD_ENV: f"{self.fd}:{self.path}"}

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
