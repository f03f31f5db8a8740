"""The release as a whole: ``version`` and ``cutoff_date``."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from analysis.validation.descriptor.problems import DescriptorProblems
from analysis.validation.engine.cells import DATE_RE, as_date
from analysis.validation.engine.problems import show

SEMVER_RE = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)")


@dataclass
class Release:
    """What the descriptor says about the release as a whole."""

    cutoff: dt.date | None = None


def check_release(package: dict, problem: DescriptorProblems) -> Release:
    release = Release()
    version = package.get("version")
    if version is None:
        problem((), "datapackage.json has no 'version': add the release number, e.g. \"version\": \"1.0.0\"")
    elif not isinstance(version, str) or not SEMVER_RE.fullmatch(version):
        problem((), f"version {show(str(version))} is not MAJOR.MINOR.PATCH: write e.g. \"1.0.0\"", "version")
    cutoff = package.get("cutoff_date")
    if cutoff is None:
        problem((), "datapackage.json has no 'cutoff_date': add the release's cut-off, e.g. \"cutoff_date\": \"2026-11-28\"")
    else:
        day = as_date(cutoff) if isinstance(cutoff, str) and DATE_RE.fullmatch(cutoff) else None
        if day is None:
            problem((), f"cutoff_date {show(str(cutoff))} is not a date: write YYYY-MM-DD, e.g. \"2026-11-28\"", "cutoff_date")
        release.cutoff = day
    return release
