"""``data/CHANGELOG.md`` read back: the one parser of the release notes and of the generated diff summary.

Used by the data overview notebook (:func:`release_summary`) and the landing page (:func:`release_notes`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from analysis.diff.render import BEGIN, END

SUMMARY_COLUMNS = ("table", "before", "after", "added", "removed", "changed")


@dataclass
class Release:
    """One ``## `` section of the changelog: its heading, its bullet points, and its generated summary table."""

    heading: str
    notes: list[str] = field(default_factory=list)
    summary: list[dict] = field(default_factory=list)


def _summary_row(line: str) -> dict | None:
    cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
    if len(cells) == 6 and all(c.isdigit() for c in cells[1:]):
        return dict(zip(SUMMARY_COLUMNS, [cells[0], *map(int, cells[1:])]))
    return None


def parse_changelog(text: str) -> list[Release]:
    """The releases in a changelog, newest first as written. A release's notes are its bullets before any ``### ``
    heading (the detailed sections that follow are for the data page).

    >>> [(r.heading, r.notes) for r in parse_changelog("# Releases\\n## 1.1.0\\n- a\\n  b\\n- c\\n### More\\n- e\\n## 1.0.0\\n- d\\n")]
    [('1.1.0', ['a b', 'c']), ('1.0.0', ['d'])]
    """
    releases: list[Release] = []
    generated = False
    detail = False  # past a "### " heading: the release's detailed sections, whose bullets are not its notes
    for line in text.splitlines():
        if line.startswith("## "):
            releases.append(Release(line[3:].strip()))
            generated = detail = False
        elif not releases:
            continue
        elif line.strip() in (BEGIN, END):
            generated = line.strip() == BEGIN
        elif generated:
            row = _summary_row(line)
            releases[-1].summary += [row] if row else []
        elif line.startswith("### ") or detail:
            detail = True
        elif line.startswith("- "):
            releases[-1].notes.append(line[2:].strip())
        elif line.startswith("  ") and releases[-1].notes:
            releases[-1].notes[-1] += " " + line.strip()
    return releases


def read_changelog(data_dir=None) -> list[Release]:
    """The releases in ``CHANGELOG.md`` of the data folder (none if it has no changelog), read with the safe open."""
    from analysis.schema import read_data_text, resolve_data_dir

    text = read_data_text(resolve_data_dir(data_dir), "CHANGELOG.md")  # noted as read, for incremental builds
    return parse_changelog(text) if text is not None else []


def release_summary(data_dir=None) -> list[dict]:
    """The summary table of the newest release's changes, read back from the generated part of CHANGELOG.md."""
    return next((r.summary for r in read_changelog(data_dir) if r.summary), [])


def release_notes(data_dir=None) -> list[str]:
    """The bullet points of the newest release in CHANGELOG.md, continuation lines joined."""
    releases = read_changelog(data_dir)
    return releases[0].notes if releases else []
