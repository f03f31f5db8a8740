"""The release diff: hand-made releases with known changes, compared by primary key."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.diff import Change, compare_releases, markdown, new_columns, read_release, release_summary, summary


def release(folder, version: str, tables: dict[str, tuple[list[str], str]]) -> str:
    """A data folder with a descriptor (version, primary keys) and one CSV per table."""
    folder.mkdir(parents=True, exist_ok=True)
    resources = [{"name": name, "path": f"{name}.csv", "schema": {"primaryKey": key, "fields": []}} for name, (key, _) in tables.items()]
    (folder / "datapackage.json").write_text(json.dumps({"version": version, "resources": resources}), encoding="utf-8")
    for name, (_, text) in tables.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return str(folder)


@pytest.fixture
def two_releases(tmp_path):
    old = release(tmp_path / "old", "1.0.0", {
        "parties": (["party_id"], "party_id,name\nFRA,France\nGBR,UK\nPOL,Poland\n"),
        "events": (["event_id"], "event_id,date\nfra-01,2023-09-01\ngbr-01,2023-08-11\n"),
        "gone": (["id"], "id\nx\n"),
    })  # fmt: skip
    new = release(tmp_path / "new", "1.1.0", {
        "parties": (["party_id"], "party_id,name\nFRA,France\nGBR,United Kingdom\nUSA,United States\n"),
        "events": (["event_id"], "event_id,date,track\nfra-01,2023-09-01,bilateral\ngbr-01,2023-08-12,bilateral\ngbr-02,2024-01-10,bilateral\n"),
        "meetings": (["meeting_id"], "meeting_id\nm-1\n"),
    })  # fmt: skip
    return old, new


def test_rows_added_removed_and_changed_by_key(two_releases):
    old, new = (read_release(spec)[1] for spec in two_releases)
    changes = compare_releases(old, new)
    assert [(c.table, c.change, c.key, c.field, c.old, c.new) for c in changes] == [
        ("events", "added", "gbr-02", "", "", ""),
        ("events", "changed", "gbr-01", "date", "2023-08-11", "2023-08-12"),  # the new column is not a change per row
        ("gone", "removed", "x", "", "", ""),
        ("meetings", "added", "m-1", "", "", ""),
        ("parties", "added", "USA", "", "", ""),
        ("parties", "removed", "POL", "", "", ""),
        ("parties", "changed", "GBR", "name", "UK", "United Kingdom"),
    ]
    assert new_columns(old, new) == {"events": ["track"]}
    assert summary(changes, old, new) == [
        {"table": "events", "before": 2, "after": 3, "added": 1, "removed": 0, "changed": 1},
        {"table": "gone", "before": 1, "after": 0, "added": 0, "removed": 1, "changed": 0},
        {"table": "meetings", "before": 0, "after": 1, "added": 1, "removed": 0, "changed": 0},
        {"table": "parties", "before": 3, "after": 3, "added": 1, "removed": 1, "changed": 1},
    ]


def test_markdown_round_trips_through_the_changelog_reader(two_releases, tmp_path):
    text = markdown(*two_releases)
    assert "Release 1.0.0 → 1.1.0" in text and "| `parties` | `GBR` | `name` | UK | United Kingdom |" in text
    assert "New columns in `events`: `track`" in text and "Removed rows: `gone` `x`, `parties` `POL`." in text
    folder = tmp_path / "with-changelog"
    folder.mkdir()
    (folder / "CHANGELOG.md").write_text(f"# Releases\n\n## 1.1.0\n{text}\n", encoding="utf-8")
    assert release_summary(folder)[0] == {"table": "events", "before": 2, "after": 3, "added": 1, "removed": 0, "changed": 1}


def test_the_command_line_from_folders_and_errors(two_releases, tmp_path):
    run = lambda *args: subprocess.run([sys.executable, "-m", "analysis", "diff", *args], cwd=ROOT, capture_output=True, text=True)  # noqa: E731
    ok = run(*two_releases)
    assert ok.returncode == 0 and "parties: 3 → 3 rows; 1 added, 1 removed, 1 changed" in ok.stdout
    assert "parties GBR: name: 'UK' → 'United Kingdom'" in ok.stdout
    missing = run(str(tmp_path / "nowhere"), two_releases[1])
    assert missing.returncode == 1 and "is not a data folder" in missing.stderr and "Traceback" not in missing.stderr
    unknown = run("git:no-such-revision", two_releases[1])
    assert unknown.returncode == 1 and "cannot read data/ at git revision" in unknown.stderr


def test_a_release_compared_with_itself_has_no_changes(two_releases):
    _, new = read_release(two_releases[1])
    assert compare_releases(new, new) == []


@settings(max_examples=50, deadline=None)
@given(
    old=st.dictionaries(st.text("abc", min_size=1, max_size=3), st.text("xyz", max_size=3), max_size=8),
    new=st.dictionaries(st.text("abc", min_size=1, max_size=3), st.text("xyz", max_size=3), max_size=8),
)
def test_added_removed_changed_partition_the_keys(old, new):
    as_release = lambda d: {"t": {"key": ["k"], "rows": {(k,): {"k": k, "v": v} for k, v in d.items()}}}  # noqa: E731
    changes = compare_releases(as_release(old), as_release(new))
    added = {c.key for c in changes if c.change == "added"}
    removed = {c.key for c in changes if c.change == "removed"}
    changed = {c.key for c in changes if c.change == "changed"}
    assert added == set(new) - set(old) and removed == set(old) - set(new)
    assert changed == {k for k in set(old) & set(new) if old[k] != new[k]}
    assert all(isinstance(c, Change) for c in changes)
