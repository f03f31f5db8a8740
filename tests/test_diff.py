"""The release diff: hand-made releases with known changes, three real public data packages, and hostile input."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import warm
from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.diff import (
    ReleaseError,
    Table,
    as_csv,
    as_json,
    compare_tables,
    markdown,
    parse_changelog,
    read_release,
    release_notes,
    release_summary,
    render,
)

FIXTURES = Path(__file__).parent / "fixtures" / "diff"


def release(folder: Path, version: str, tables: dict[str, tuple[list[str], str]], descriptor: str = "datapackage.json") -> str:
    """A data folder with a descriptor (version, primary keys) and one CSV per table."""
    folder.mkdir(parents=True, exist_ok=True)
    resources = [{"name": name, "path": f"{name}.csv", "schema": {"primaryKey": key, "fields": []}} for name, (key, _) in tables.items()]
    (folder / descriptor).write_text(json.dumps({"version": version, "resources": resources}), encoding="utf-8")
    for name, (_, text) in tables.items():
        (folder / f"{name}.csv").write_bytes(text.encode("utf-8"))
    return str(folder)


def package(folder: Path, descriptor: object, files: dict[str, bytes] | None = None, name: str = "datapackage.json") -> str:
    """A data folder with the descriptor as given (any shape) and the files as given (bytes)."""
    folder.mkdir(parents=True, exist_ok=True)
    text = descriptor if isinstance(descriptor, str) else json.dumps(descriptor)
    (folder / name).write_text(text, encoding="utf-8")
    for path, data in (files or {}).items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_bytes(data)
    return str(folder)


def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return warm.run(["diff", *args], cwd=ROOT, env=env)


def one_table(old: str, new: str):
    """The comparison of the only table in two releases."""
    (diff,) = compare_tables(read_release(old)[1], read_release(new)[1])
    return diff


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


# --------------------------------------------------------------------------- this project's releases


def test_rows_added_removed_and_changed_by_key(two_releases):
    diffs = {d.table: d for d in compare_tables(read_release(two_releases[0])[1], read_release(two_releases[1])[1])}
    counts = {t: (d.before, d.after, len(d.added), len(d.removed), len(d.changed), d.status) for t, d in diffs.items()}
    assert counts == {
        "events": (2, 3, 1, 0, 1, "changed"),
        "gone": (1, 0, 0, 1, 0, "removed"),
        "meetings": (0, 1, 1, 0, 0, "added"),
        "parties": (3, 3, 1, 1, 1, "changed"),
    }
    assert diffs["events"].changed == [(("gbr-01",), [("date", "2023-08-11", "2023-08-12")])]  # the new column is not a change per row
    assert diffs["events"].columns_added == ["track"] and diffs["events"].compared_by == ["event_id"]
    assert [r.label for r in diffs["parties"].added] == ["USA"] and [r.label for r in diffs["parties"].removed] == ["POL"]


def test_markdown_round_trips_through_the_changelog_reader(two_releases, tmp_path):
    text = markdown(*two_releases)
    assert "Release 1.0.0 → 1.1.0" in text and "| `parties` | `GBR` | `name` | UK | United Kingdom |" in text
    assert "New columns in `events`: `track`" in text and "Removed rows: `gone` `x`, `parties` `POL`." in text
    assert "whole rows" not in text  # every table here has a key
    folder = tmp_path / "with-changelog"
    folder.mkdir()
    (folder / "CHANGELOG.md").write_text(f"# Releases\n\n## 1.1.0\n- One.\n- Two,\n  continued.\n{text}\n## 1.0.0\n- Old.\n", encoding="utf-8")
    assert release_summary(folder)[0] == {"table": "events", "before": 2, "after": 3, "added": 1, "removed": 0, "changed": 1}
    assert release_notes(folder) == ["One.", "Two, continued."]
    assert release_summary(tmp_path) == [] and release_notes(tmp_path) == []  # no changelog


def test_the_changelog_parser_keeps_notes_and_summary_per_release():
    from analysis.diff import BEGIN, END

    text = f"# R\n\n## 1.2.0 (unreleased)\n- New.\n\n## 1.1.0\n- A.\n{BEGIN}\n| `t` | 1 | 2 | 1 | 0 | 0 |\n{END}\n"
    releases = parse_changelog(text)
    assert [(r.heading, r.notes, len(r.summary)) for r in releases] == [("1.2.0 (unreleased)", ["New."], 0), ("1.1.0", ["A."], 1)]


def test_the_landing_page_reads_notes_through_the_one_parser(tmp_path):
    from analysis import landing

    (tmp_path / "CHANGELOG.md").write_text("# R\n## 2.0.0\n- Schema: `x`.\n- *Fixed* a date.\n", encoding="utf-8")
    assert landing.release_notes(tmp_path) == ["Schema: new tables and columns (listed on the data page).", "Fixed a date."]


def test_the_command_line_from_folders_and_errors(two_releases, tmp_path):
    ok = cli(*two_releases)
    assert ok.returncode == 0 and "parties: 3 → 3 rows; 1 added, 1 removed, 1 changed (by party_id)" in ok.stdout
    assert "parties GBR: name: 'UK' → 'United Kingdom'" in ok.stdout
    assert "  added: USA" in ok.stdout and "  removed: POL" in ok.stdout and "  new columns: track" in ok.stdout
    missing = cli(str(tmp_path / "nowhere"), two_releases[1])
    assert missing.returncode == 1 and "is not a data folder" in missing.stderr and "Traceback" not in missing.stderr
    unknown = cli("git:no-such-revision", two_releases[1])
    assert unknown.returncode == 1 and "cannot read data/ at git revision" in unknown.stderr


def test_a_release_compared_with_itself_has_no_changes(two_releases):
    _, new = read_release(two_releases[1])
    assert all(d.status == "unchanged" and not (d.added or d.removed or d.changed) for d in compare_tables(new, new))


def test_names_stop_after_the_limit_and_say_how_many_more(tmp_path):
    old = release(tmp_path / "a", "1", {"t": (["id"], "id\n")})
    new = release(tmp_path / "b", "2", {"t": (["id"], "id\n" + "".join(f"k{i:02}\n" for i in range(25)))})
    out = render(old, new, "text", limit=3)
    assert "  added: k00, k01, k02 and 22 more" in out
    assert "Removed rows: `t` `k00`, `t` `k01` and 23 more in `t`." in render(new, old, "markdown", limit=2)
    assert "  removed: 25 (not named: --limit 0)" in render(new, old, "text", limit=0)


@settings(max_examples=50, deadline=None)
@given(
    old=st.dictionaries(st.text("abc", min_size=1, max_size=3), st.text("xyz", max_size=3), max_size=8),
    new=st.dictionaries(st.text("abc", min_size=1, max_size=3), st.text("xyz", max_size=3), max_size=8),
)
def test_added_removed_changed_partition_the_keys(old, new):
    as_release = lambda d: {"t": Table("t", ["k", "v"], [{"k": k, "v": v} for k, v in d.items()], ["k"])}  # noqa: E731
    (diff,) = compare_tables(as_release(old), as_release(new))
    assert {r.key[0] for r in diff.added} == set(new) - set(old) and {r.key[0] for r in diff.removed} == set(old) - set(new)
    assert {k[0] for k, _ in diff.changed} == {k for k in set(old) & set(new) if old[k] != new[k]}


@settings(max_examples=50, deadline=None)
@given(
    old=st.lists(st.tuples(st.sampled_from("ab"), st.sampled_from("xy")), max_size=8),
    new=st.lists(st.tuples(st.sampled_from("ab"), st.sampled_from("xy")), max_size=8),
)
def test_without_a_key_rows_before_minus_removed_plus_added_are_rows_after(old, new):
    as_release = lambda rows: {"t": Table("t", ["p", "q"], [{"p": p, "q": q} for p, q in rows])}  # noqa: E731
    (diff,) = compare_tables(as_release(old), as_release(new))
    assert diff.before - len(diff.removed) + len(diff.added) == diff.after and not diff.changed
    assert (sorted(old) == sorted(new)) == (not diff.added and not diff.removed)


# --------------------------------------------------------------------------- three public data packages (tests/fixtures/diff/README.md)


@pytest.mark.parametrize(
    ("name", "counts", "added", "removed", "renamed"),
    [
        # FIFA codes of four rows and one Wikidata id changed; no key, so each is one removed and one added
        ("country-codes", (13, 13, 5, 5, 0), [], [], []),
        # Name → Security and Sector → GICS Sub-Industry agree in 13 and 15 of the 15 shared symbols
        ("s-and-p-500", (18, 19, 6, 5, 0), ["GICS Sector", "Headquarters Location", "Date added", "CIK", "Founded"], [],
         [("Name", "Security"), ("Sector", "GICS Sub-Industry")]),
        # an empty phone column added; every row otherwise the same
        ("publicbodies", (129, 129, 0, 0, 0), ["phone"], [], []),
    ],
)  # fmt: skip
def test_real_data_packages_give_the_hand_counts(name, counts, added, removed, renamed):
    diff = one_table(str(FIXTURES / name / "old"), str(FIXTURES / name / "new"))
    assert (diff.before, diff.after, len(diff.added), len(diff.removed), len(diff.changed)) == counts
    assert (diff.columns_added, diff.columns_removed, diff.renamed) == (added, removed, renamed)
    assert diff.compared_by == []  # none of the three declares a primaryKey


def test_the_real_fixtures_are_what_they_claim():
    assert b"\r\n" in (FIXTURES / "country-codes/new/data/country-codes.csv").read_bytes()
    assert b"\r" not in (FIXTURES / "country-codes/old/data/country-codes.csv").read_bytes()
    assert (FIXTURES / "s-and-p-500/new/datapackage.yaml").exists() and not (FIXTURES / "s-and-p-500/new/datapackage.json").exists()
    s_and_p = one_table(str(FIXTURES / "s-and-p-500/old"), str(FIXTURES / "s-and-p-500/new"))
    assert sorted(r.key[0] for r in s_and_p.removed) == ["LUMN", "NKE", "SBNY", "SIVB", "TSLA"]
    assert sorted(r.key[0] for r in s_and_p.added) == ["ALL", "BG", "FICO", "NKE", "PODD", "TSLA"]
    text = render(str(FIXTURES / "country-codes/old"), str(FIXTURES / "country-codes/new"), "markdown")
    assert "Compared as whole rows (no primary key)" in text and "| `country-codes` | 13 | 13 | 5 | 5 | 0 |" in text


# --------------------------------------------------------------------------- shapes of other people's data packages


def test_a_table_without_a_key_counts_changed_rows_as_removed_and_added(tmp_path):
    old = release(tmp_path / "a", "1", {"t": ([], "x,y\n1,a\n2,b\n3,c\n4,d\n")})
    new = release(tmp_path / "b", "2", {"t": ([], "x,y\n1,A\n2,B\n3,C\n4,d\n")})
    diff = one_table(old, new)
    assert (len(diff.added), len(diff.removed), diff.compared_by) == (3, 3, [])
    assert "as whole rows: no primary key" in render(old, new)


def test_identical_rows_without_a_key_are_counted_as_a_multiset(tmp_path):
    old = release(tmp_path / "a", "1", {"t": ([], "x\n1\n1\n2\n")})
    new = release(tmp_path / "b", "2", {"t": ([], "x\n1\n2\n2\n")})
    diff = one_table(old, new)
    assert [r.key for r in diff.removed] == [("1",)] and [r.key for r in diff.added] == [("2",)]


@pytest.mark.parametrize(
    "encode",
    [
        lambda t: b"\xef\xbb\xbf" + t.encode(),  # a byte-order mark
        lambda t: t.replace("\n", "\r\n").encode(),  # CRLF line endings
        lambda t: b"\xef\xbb\xbf" + t.replace("\n", "\r\n").encode(),  # both
    ],
)
def test_a_byte_order_mark_and_crlf_read_as_the_same_table(tmp_path, encode):
    text = "id,name\nFRA,France\nGBR,UK\n"
    old = release(tmp_path / "a", "1", {"t": (["id"], text)})
    new = package(tmp_path / "b", {"resources": [{"name": "t", "path": "t.csv", "schema": {"primaryKey": "id"}}]}, {"t.csv": encode(text)})
    diff = one_table(old, new)
    assert (diff.before, diff.after, diff.status) == (2, 2, "unchanged") and read_release(new)[1]["t"].columns == ["id", "name"]


def test_a_yaml_descriptor_is_read_and_missing_pyyaml_is_a_clear_refusal(tmp_path, monkeypatch):
    yaml_text = "version: '2'\nresources:\n  - name: t\n    path: data/t.csv\n    schema:\n      primaryKey: [id]\n"
    old = release(tmp_path / "a", "1", {"t": (["id"], "id,v\na,1\n")})
    new = package(tmp_path / "b", yaml_text, {"data/t.csv": b"id,v\na,2\n"}, name="datapackage.yaml")
    assert one_table(old, new).changed == [(("a",), [("v", "1", "2")])]
    monkeypatch.setitem(sys.modules, "yaml", None)  # as if PyYAML were not installed
    with pytest.raises(ReleaseError, match=r"datapackage.yaml: reading YAML needs PyYAML"):
        read_release(new)


def test_inline_data_as_arrays_and_as_objects(tmp_path):
    arrays = {"resources": [{"name": "t", "data": [["id", "n"], ["a", 1], ["b", None]], "schema": {"primaryKey": ["id"]}}]}
    objects = {"resources": [{"name": "t", "data": [{"id": "a", "n": 2}, {"id": "c", "n": True}], "schema": {"primaryKey": ["id"]}}]}
    diff = one_table(package(tmp_path / "a", arrays), package(tmp_path / "b", objects))
    assert diff.changed == [(("a",), [("n", "1", "2")])]
    assert [r.cells for r in diff.added] == [{"id": "c", "n": "true"}] and [r.label for r in diff.removed] == ["b"]


def test_duplicate_keys_are_reported_and_their_rows_compared_whole(tmp_path):
    old = release(tmp_path / "a", "1", {"t": (["id"], "id,v\na,1\nb,2\n")})
    new = release(tmp_path / "b", "2", {"t": (["id"], "id,v\na,1\na,9\nb,2\n")})
    diff = one_table(old, new)
    assert diff.duplicates == {"new": {("a",): 2}} and [r.cells for r in diff.added] == [{"id": "a", "v": "9"}]
    assert (diff.before, diff.after, len(diff.removed), len(diff.changed)) == (2, 3, 0, 0)
    assert "duplicate keys in the new release: a (2 rows)" in render(str(tmp_path / "a"), str(tmp_path / "b"))
    assert "Duplicate keys in `t` (new release): `a` (2 rows)." in markdown(old, new)
    assert ["t", "duplicate_key_new", '["a"]', "", "", "2"] in list(csv.reader(io.StringIO(render(old, new, "csv"))))
    assert json.loads(render(old, new, "json"))["tables"][0]["duplicate_keys"] == {"new": [{"key": ["a"], "rows": 2}]}


def test_rows_under_a_duplicated_key_are_matched_as_a_multiset(tmp_path):
    old = release(tmp_path / "a", "1", {"t": (["id"], "id,v\na,1\na,1\na,2\n")})
    new = release(tmp_path / "b", "2", {"t": (["id"], "id,v\na,1\na,3\n")})
    diff = one_table(old, new)
    assert diff.duplicates == {"old": {("a",): 3}, "new": {("a",): 2}}
    assert [r.cells["v"] for r in diff.removed] == ["1", "2"] and [r.cells["v"] for r in diff.added] == ["3"]


def test_a_key_that_changes_between_releases_is_reported(tmp_path):
    old = release(tmp_path / "a", "1", {"t": (["name"], "code,name\nFR,France\nGB,UK\n")})
    new = release(tmp_path / "b", "2", {"t": (["code"], "code,name\nFR,France\nGB,United Kingdom\n")})
    diff = one_table(old, new)
    assert diff.compared_by == ["code"] and diff.changed == [(("GB",), [("name", "UK", "United Kingdom")])]
    assert "  primary key changed: name → code" in render(old, new)
    assert "The primary key of `t` changed: `name` → `code`." in markdown(old, new)
    assert json.loads(render(old, new, "json"))["tables"][0]["primary_key"] == {"old": ["name"], "new": ["code"]}


def test_columns_added_removed_and_renamed_by_key(tmp_path):
    old = release(tmp_path / "a", "1", {"t": (["id"], "id,title,dropped\n1,Alpha,x\n2,Beta,y\n3,Gamma,z\n4,Delta,w\n5,Eps,v\n")})
    new = release(tmp_path / "b", "2", {"t": (["id"], "id,name,extra\n1,Alpha,\n2,Beta,\n3,Gamma,\n4,Delta,\n5,Epsilon,\n")})
    diff = one_table(old, new)
    assert (diff.renamed, diff.columns_added, diff.columns_removed) == ([("title", "name")], ["extra"], ["dropped"])
    assert diff.changed == [(("5",), [("name", "Eps", "Epsilon")])]  # 4 of 5 agree: a rename, and one value changed
    md = markdown(old, new)
    assert "Renamed columns in `t`: `title` → `name`." in md and "Removed columns in `t`: `dropped`." in md


def test_columns_that_agree_only_on_empty_cells_are_not_a_rename(tmp_path):
    old = release(tmp_path / "a", "1", {"t": (["id"], "id,a\n1,\n2,\n")})
    new = release(tmp_path / "b", "2", {"t": (["id"], "id,b\n1,\n2,\n")})
    assert one_table(old, new).renamed == []


# --------------------------------------------------------------------------- output: escaping, JSON, CSV, pipes


def test_control_characters_never_reach_the_terminal_or_the_markdown(tmp_path):
    evil = "k\x1b[2J\x1b]0;owned\x07\nforged line\u202e|`"
    resources = [{"name": n, "path": f"{i}.csv", "schema": {"primaryKey": "id"}} for i, n in enumerate(["t", "u\x1b"])]
    old = package(tmp_path / "a", {"resources": resources[:1]}, {"0.csv": f'id,v\nplain,1\n"{evil}",1\n'.encode()})
    new = package(tmp_path / "b", {"resources": resources}, {"0.csv": f'id,v\nplain,2\n"{evil}",2\n'.encode(), "1.csv": b"id\nx\n"})
    for fmt in ("text", "markdown", "json", "csv"):
        result = cli(old, new, "--format", fmt)
        assert result.returncode == 0, result.stderr
        assert not any(ch in result.stdout for ch in "\x1b\x07\u202e"), fmt
        assert not any(line.startswith("forged line") for line in result.stdout.splitlines()), fmt
    md = cli(old, new, "--markdown").stdout
    assert "| `` k\\x1b[2J\\x1b]0;owned\\x07\\x0aforged line\\u202e\\|` `` | `v` | 1 | 2 |" in md  # a longer fence around the backtick
    assert "| `u\\x1b` | 0 | 1 | 1 | 0 | 0 |" in md
    text = cli(old, new).stdout
    assert "u\\x1b: 0 → 1 rows" in text and "t k\\x1b[2J\\x1b]0;owned\\x07\\x0aforged line\\u202e|`: v: '1' → '2'" in text


def test_markdown_escapes_pipes_and_backticks_in_values(tmp_path):
    old = release(tmp_path / "a", "1", {"t": (["id"], "id,v\na,x|y\n")})
    new = release(tmp_path / "b", "2", {"t": (["id"], "id,v\na,`rm -rf` <b>\n")})
    assert "| `t` | `a` | `v` | x\\|y | \\`rm -rf\\` &lt;b> |" in markdown(old, new)


def test_json_output_has_the_documented_shape(two_releases):
    document = json.loads(render(*two_releases, "json"))
    assert (document["format"], document["format_version"]) == ("analysis-diff", 1)
    assert document["old"] == {"release": two_releases[0], "version": "1.0.0"} and document["new"]["version"] == "1.1.0"
    parties = next(t for t in document["tables"] if t["table"] == "parties")
    assert set(parties) == {"table", "status", "rows_before", "rows_after", "compared_by", "primary_key", "counts", "columns",
                            "duplicate_keys", "added", "removed", "changed", "notes"}  # fmt: skip
    assert parties["counts"] == {"added": 1, "removed": 1, "changed": 1} and parties["compared_by"] == ["party_id"]
    assert parties["added"] == [{"key": ["USA"], "row": {"party_id": "USA", "name": "United States"}}]
    assert parties["changed"] == [{"key": ["GBR"], "fields": [{"column": "name", "old": "UK", "new": "United Kingdom"}]}]
    assert next(t for t in document["tables"] if t["table"] == "events")["columns"] == {"added": ["track"], "removed": [], "renamed": []}
    assert render(*two_releases, "json") == render(*two_releases, "json")  # same inputs, same bytes


def test_csv_output_has_one_line_per_change(two_releases):
    rows = list(csv.reader(io.StringIO(render(*two_releases, "csv"))))
    assert rows[0] == ["table", "change", "key", "column", "old", "new"]
    assert ["events", "column_added", "", "track", "", ""] in rows
    assert ["events", "row_changed", '["gbr-01"]', "date", "2023-08-11", "2023-08-12"] in rows
    assert ["gone", "table_removed", "", "", "", ""] in rows and ["parties", "row_removed", '["POL"]', "", '{"party_id": "POL", "name": "Poland"}', ""] in rows
    assert {r[1] for r in rows[1:]} == {"column_added", "row_added", "row_changed", "row_removed", "table_added", "table_removed"}


def test_as_json_and_as_csv_are_plain_functions_of_the_comparison():
    old = {"t": Table("t", ["id"], [{"id": "a"}], ["id"])}
    new = {"t": Table("t", ["id"], [{"id": "b"}], ["id"])}
    diffs = compare_tables(old, new)
    assert as_csv(diffs).splitlines()[1:] == ['t,row_added,"[""b""]",,,"{""id"": ""b""}"', 't,row_removed,"[""a""]",,"{""id"": ""a""}",']
    assert json.loads(as_json(diffs, {}, {}))["tables"][0]["status"] == "changed"


def test_a_closed_pipe_ends_quietly(tmp_path):
    old = release(tmp_path / "a", "1", {"t": (["id"], "id\n")})
    new = release(tmp_path / "b", "2", {"t": (["id"], "id\n" + "".join(f"row-{i:06}\n" for i in range(20000)))})
    command = f"{sys.executable} -m analysis diff {old} {new} --format json | head -1"
    result = subprocess.run(["bash", "-o", "pipefail", "-c", command], cwd=ROOT, capture_output=True, text=True)
    assert result.stdout == "{\n" and result.stderr == "" and result.returncode == 0


# --------------------------------------------------------------------------- hostile and broken input: one located line, never a traceback


def _refused(result: subprocess.CompletedProcess, *fragments: str) -> None:
    assert result.returncode == 1, result.stdout
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


@pytest.mark.parametrize(
    ("descriptor", "files", "fragments"),
    [
        ('{"resources": [', {}, ["datapackage.json: line 1 column 16: not valid JSON"]),  # broken JSON
        (["a list"], {}, ["the descriptor must be an object", "not list"]),  # descriptor not an object
        ({"resources": {"t": "x.csv"}}, {}, ["resources must be a list of tables, not dict"]),  # resources not a list
        ({"resources": ["t.csv"]}, {}, ["resources[0] is not an object"]),  # a resource not an object
        ({"resources": [{"name": "t", "path": "t.csv"}]}, {}, ["resource 't': t.csv does not exist"]),  # missing file
        ({"resources": [{"name": "t", "path": "../secret.csv"}]}, {}, ["'../secret.csv' leaves the data package folder"]),
        ({"resources": [{"name": "t", "path": "/etc/passwd"}]}, {}, ["'/etc/passwd' leaves the data package folder"]),
        ({"resources": [{"name": "t", "path": "https://example.org/t.csv"}]}, {}, ["is a URL; remote tables are not fetched"]),
        ({"resources": [{"name": "t", "path": "t.csv"}]}, {"t.csv": b"id\nok\n\xff\xfe\n"}, ["t.csv: line 3: not valid UTF-8 (byte 0xff)"]),
        ({"resources": [{"name": "t", "path": "t.csv", "schema": {"primaryKey": 3}}]}, {"t.csv": b"id\n"}, ["primaryKey must be"]),
        ({"resources": [{"name": "t", "data": "a,b"}]}, {}, ["inline data must be a list of rows, not str"]),
        ({"resources": [{"name": "t", "path": "t.csv"}, {"name": "t", "path": "t.csv"}]}, {"t.csv": b"id\n"}, ["a second resource named 't'"]),
        ({"resources": [{"name": "t", "path": "d"}]}, {"d/x.csv": b"id\n"}, ["is a folder"]),  # a table that is a folder
        ({"resources": [{"name": "t", "path": "t.csv"}]}, {"t.csv": b'id\n"unclosed\n' + b"x" * 200_000}, ["t.csv: line", "cannot be read as CSV"]),
    ],
)  # fmt: skip
def test_bad_input_ends_with_one_located_line(tmp_path, two_releases, descriptor, files, fragments):
    bad = package(tmp_path / "bad", descriptor, files)
    _refused(cli(two_releases[0], bad), *fragments)


def test_broken_yaml_is_located(tmp_path, two_releases):
    bad = package(tmp_path / "bad", "resources:\n  - name: t\n   path: x\n", name="datapackage.yaml")
    _refused(cli(two_releases[0], bad), "datapackage.yaml: line 3 column 4: not valid YAML")


def test_a_symbolic_link_out_of_the_folder_is_refused_unread(tmp_path, two_releases):
    secret = tmp_path / "secret.csv"
    secret.write_text("password\nhunter2\n", encoding="utf-8")
    bad = package(tmp_path / "bad", {"resources": [{"name": "t", "path": "t.csv"}]})
    (Path(bad) / "t.csv").symlink_to(secret)
    result = cli(two_releases[0], bad)
    _refused(result, "is a symbolic link to", "outside the data package folder")
    assert "hunter2" not in result.stdout + result.stderr


@pytest.mark.parametrize("rev", ["-h", "--output=/tmp/x", "-", "", "HEAD --all", "HEAD\x1b[2J"])
def test_a_revision_must_be_a_revision(two_releases, rev):
    result = cli(f"git:{rev}", two_releases[1])
    _refused(result, "is not a revision")
    assert "\x1b" not in result.stderr


def test_git_missing_is_one_line(two_releases):
    _refused(cli("git:HEAD", two_releases[1], env={**os.environ, "PATH": "/nonexistent"}), "git is not installed")


# --------------------------------------------------------------------------- releases in git


@pytest.fixture
def repo(tmp_path):
    """A git repository whose data/ holds a table, a table that is a folder, and symbolic links in and out."""
    root = tmp_path / "repo"
    (root / "data" / "folder.csv").mkdir(parents=True)
    (root / "data" / "folder.csv" / "x").write_text("x\n", encoding="utf-8")
    (root / "secret.csv").write_text("password\nhunter2\n", encoding="utf-8")
    (root / "data" / "t.csv").write_text("id,v\na,1\n", encoding="utf-8")
    (root / "data" / "inside.csv").symlink_to("t.csv")
    (root / "data" / "outside.csv").symlink_to("../secret.csv")
    resources = [{"name": n, "path": f"{n}.csv", "schema": {"primaryKey": "id"}} for n in ("t", "inside")]
    (root / "data" / "datapackage.json").write_text(json.dumps({"version": "1", "resources": resources}), encoding="utf-8")
    git = lambda *a: subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *a], cwd=root, check=True, capture_output=True)  # noqa: E731
    git("init", "-q")
    git("add", "-A")
    git("commit", "-qm", "one")
    return root


def test_a_release_at_a_git_revision_follows_links_inside_only(repo):
    _, tables = read_release("git:HEAD", repo)
    assert tables["inside"].rows == tables["t"].rows == [{"id": "a", "v": "1"}]
    for path, message in [("outside.csv", "symbolic link outside the data folder"), ("folder.csv", "is a folder in git"),
                          ("../secret.csv", "leaves the data package folder")]:  # fmt: skip
        descriptor = {"resources": [{"name": "t", "path": path}]}
        (repo / "data" / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", path], cwd=repo, check=True)
        with pytest.raises(ReleaseError, match=message):
            read_release("git:HEAD", repo)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.sampled_from(["", "id", "t.csv", "../t.csv", "x\x1b", "d", "https://x/t.csv"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["name", "path", "data", "schema", "primaryKey",
                                                                                 "fields", "dialect", "delimiter", "resources"]), inner, max_size=4),
    max_leaves=12,
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(descriptor=JSON | st.builds(lambda rs: {"resources": rs}, st.lists(st.dictionaries(st.sampled_from(["name", "path", "data", "schema", "dialect"]), JSON), max_size=3)))
def test_any_descriptor_gives_a_comparison_or_a_release_error(tmp_path_factory, descriptor):
    folder = tmp_path_factory.mktemp("any")
    package(folder, descriptor, {"t.csv": b"id,v\na,1\n", "d/x.csv": b"id\n"})
    try:
        _, tables = read_release(str(folder))
    except ReleaseError as exc:
        assert "\n" not in str(exc)
        return
    for fmt in ("text", "markdown", "json", "csv"):
        assert render(str(folder), str(folder), fmt) is not None and all(d.status == "unchanged" for d in compare_tables(tables, tables))
