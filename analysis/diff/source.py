"""Where a release's files come from: a folder on disk, or the data folder at a git revision.

Both readers take a path relative to the release folder (as a descriptor writes it) and return its bytes, or None
when it does not exist. Both refuse a path that leaves the folder: ``..``, an absolute path, a URL, or a symbolic
link whose target is outside. Standard library only.
"""

from __future__ import annotations

import os
import posixpath
import subprocess
from pathlib import Path

from analysis.paths import ROOT
from analysis.schema import UnreadableFile, open_data_file

#: A table larger than this is refused unread (the largest table here is well under 1 MB).
MAX_FILE_BYTES = 256 * 1024 * 1024
#: How many symbolic links in a row a path in git may go through before it is refused.
MAX_LINK_HOPS = 8


class ReleaseError(Exception):
    """A release that cannot be read or compared; the message is one located line."""


def check_relative(path: object, where: str) -> str:
    """``path`` as a clean relative POSIX path inside the release folder, or a :class:`ReleaseError`.

    >>> check_relative("data/x.csv", "r")
    'data/x.csv'
    >>> check_relative("../x.csv", "resource 't'")
    Traceback (most recent call last):
    ...
    analysis.diff.source.ReleaseError: resource 't': path '../x.csv' leaves the data package folder (no '..', no absolute paths)
    """
    if not isinstance(path, str) or not path.strip():
        raise ReleaseError(f"{where}: path {path!r} is not a file path (write a path such as 'data/table.csv')")
    if "://" in path:
        raise ReleaseError(f"{where}: path {path!r} is a URL; remote tables are not fetched (download it into the folder)")
    if not path.isprintable():
        raise ReleaseError(f"{where}: path {path!r} holds control characters")
    parts = path.replace("\\", "/").split("/")
    if path.startswith(("/", "\\")) or (len(path) > 1 and path[1] == ":") or ".." in parts:
        raise ReleaseError(f"{where}: path {path!r} leaves the data package folder (no '..', no absolute paths)")
    return posixpath.normpath(path.replace("\\", "/"))


class FolderReader:
    """Files of a data package folder on disk, opened safely (no symlink out, no FIFO, device or folder)."""

    def __init__(self, folder: str):
        self.label = folder
        if not os.path.isdir(folder):
            raise ReleaseError(f"{folder} is not a data folder (give a folder with a datapackage.json, or git:REV)")
        self.root = os.path.realpath(folder)

    def read(self, path: str, where: str, limit: int = MAX_FILE_BYTES) -> bytes | None:
        rel = check_relative(path, where)
        target = os.path.realpath(os.path.join(self.root, rel))
        if os.path.commonpath([self.root, target]) != self.root:
            raise ReleaseError(f"{where}: {self.label}/{rel} is a symbolic link to {target}, outside the data package folder")
        if not os.path.lexists(target):
            return None
        try:
            with open_data_file(os.path.dirname(target), os.path.basename(target)) as fh:
                data = fh.read(limit + 1)
        except FileNotFoundError:
            return None
        except UnreadableFile as exc:
            raise ReleaseError(f"{where}: {self.label}/{rel} {exc}") from None
        except OSError as exc:
            raise ReleaseError(f"{where}: {self.label}/{rel} cannot be read ({exc.strerror or exc})") from None
        if len(data) > limit:
            raise ReleaseError(f"{where}: {self.label}/{rel} is larger than {limit:,} bytes")
        return data


def _git(args: list[str], repo: Path) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", "--literal-pathspecs", *args], cwd=repo, capture_output=True, check=False)
    except FileNotFoundError:
        raise ReleaseError("git is not installed (or not on PATH): compare two folders instead of git:REV") from None
    except OSError as exc:
        raise ReleaseError(f"git cannot run in {repo}: {exc.strerror or exc}") from None


def resolve_revision(rev: str, repo: Path = ROOT) -> str:
    """The commit id ``rev`` names in ``repo``; anything but a revision (an option, an empty string) is refused."""
    if not rev or rev.startswith("-") or not rev.isprintable() or any(c.isspace() for c in rev):
        raise ReleaseError(f"git:{rev!r} is not a revision (write a commit, branch or tag, e.g. git:HEAD~1 or git:df2ccbe)")
    result = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"], repo)
    if result.returncode != 0:
        raise ReleaseError(f"cannot read data/ at git revision {rev!r}: no such commit in {repo}")
    return result.stdout.decode("ascii", "replace").strip()


class GitReader:
    """Files of ``data/`` at a git revision, read with ``git ls-tree`` and ``git cat-file`` (never checked out)."""

    def __init__(self, rev: str, repo: Path = ROOT, folder: str = "data"):
        self.label = f"git:{rev}"
        self.repo, self.folder = Path(repo), folder
        self.commit = resolve_revision(rev, self.repo)

    def _entry(self, rel: str) -> tuple[str, str, str] | None:
        """(mode, type, object id) of ``folder/rel`` at the commit, or None."""
        result = _git(["ls-tree", "-z", "--full-tree", self.commit, "--", f"{self.folder}/{rel}"], self.repo)
        line = result.stdout.split(b"\0", 1)[0].decode("utf-8", "replace")
        if result.returncode != 0 or "\t" not in line:
            return None
        mode, kind, oid = line.split("\t", 1)[0].split()
        return mode, kind, oid

    def read(self, path: str, where: str, limit: int = MAX_FILE_BYTES) -> bytes | None:
        rel = check_relative(path, where)
        for _ in range(MAX_LINK_HOPS):
            entry = self._entry(rel)
            if entry is None:
                return None
            mode, kind, oid = entry
            if kind != "blob":
                raise ReleaseError(f"{where}: {self.folder}/{rel} at {self.label} is a folder in git, not a file")
            data = self._blob(oid, where, rel, limit)
            if mode != "120000":
                return data
            target = posixpath.normpath(posixpath.join(posixpath.dirname(rel), data.decode("utf-8", "replace")))
            if target.startswith(("../", "/")) or target == "..":
                raise ReleaseError(f"{where}: {self.folder}/{rel} at {self.label} is a symbolic link outside the data folder")
            rel = target
        raise ReleaseError(f"{where}: {self.folder}/{path} at {self.label} goes through too many symbolic links")

    def _blob(self, oid: str, where: str, rel: str, limit: int) -> bytes:
        size = _git(["cat-file", "-s", oid], self.repo)
        if size.returncode != 0 or int(size.stdout or 0) > limit:
            raise ReleaseError(f"{where}: {self.folder}/{rel} at {self.label} cannot be read, or is larger than {limit:,} bytes")
        return _git(["cat-file", "blob", oid], self.repo).stdout


def reader(spec: str, repo: Path = ROOT) -> FolderReader | GitReader:
    """The reader for ``spec``: ``git:REV`` (the repository's data/ at that revision) or a folder."""
    if spec.startswith("git:"):
        return GitReader(spec[4:], repo)
    return FolderReader(spec)
