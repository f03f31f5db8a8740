"""Loading: typed from the schema, cached within a process, bad data raises the validator's messages."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil

import pandas as pd
import pytest
from conftest import DATA
from hypothesis import given, settings
from hypothesis import strategies as st

import analysis as an
from analysis import load
from analysis.schema import table_names


def test_types_come_from_the_schema():
    agreements = an.load_agreements()
    assert agreements["signed_date"].dtype == "datetime64[ns]"
    assert agreements["term_years"].dtype == "Int64"
    assert an.load_table("commitments")["amount"].dtype == "float64"
    assert agreements["party_id"].dtype == "string"
    assert pd.isna(an.load_table("commitments").set_index("commitment_id").loc["est-2024-02", "amount"])  # a share of GDP


def test_load_dataset_has_every_table_as_attribute():
    ds = an.load_dataset()
    assert set(ds) == set(table_names())
    assert ds.events is ds["events"]
    with pytest.raises(AttributeError, match="no table 'nope'"):
        _ = ds.nope


def test_loading_is_cached_and_returns_copies(monkeypatch):
    an.load_parties()  # warm the cache
    calls = []
    real = pd.read_csv
    monkeypatch.setattr(load.pd, "read_csv", lambda *a, **k: calls.append(a) or real(*a, **k))
    first = an.load_parties()
    first.loc[0, "party_name"] = "changed"
    second = an.load_parties()
    assert calls == []  # served from the cache
    assert second.loc[0, "party_name"] != "changed"  # a caller's edit does not leak into the cache


def test_a_changed_file_is_read_again(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    assert "NATO summit, Vilnius" in set(load.load_table("milestones", data)["label"])
    path = data / "milestones.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("NATO summit, Vilnius", "NATO summit in Vilnius"), encoding="utf-8")
    labels = set(load.load_table("milestones", data)["label"])
    assert "NATO summit in Vilnius" in labels and "NATO summit, Vilnius" not in labels


def test_bad_data_raises_the_validators_messages(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    path = data / "parties.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("UKR,Ukraine,state", "UKR,Ukraine,country"), encoding="utf-8")
    with pytest.raises(an.DataError) as caught:
        an.load_parties(data)
    assert "parties.csv:" in str(caught.value) and "party_type" in str(caught.value) and "'country' is not allowed" in str(caught.value)
    assert caught.value.problems and all(p.path.endswith("parties.csv") for p in caught.value.problems)


def test_data_version():
    assert an.data_version() == {"version": an.schema.load_package()["version"], "cutoff_date": an.schema.load_package()["cutoff_date"]}


# --------------------------------------------------------------------------- values are loaded exactly as written (issue 12)

#: Text a cell may hold: any character but controls (tab and line feed are fine inside), surrogates, and CR.
CELL_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\x00")
    | st.sampled_from(list(',"\n\t; \'é中\u202e')),
    min_size=1,
    max_size=40,
).filter(lambda v: v == v.strip() and not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", v))


@pytest.fixture
def copy(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    return data


def _set_notes(data, notes: list[str]) -> None:
    path = data / "events.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    column = rows[0].index("note")
    for row, note in zip(rows[1:], notes):
        row[column] = note
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def test_text_round_trips_unaltered(copy):
    # Quotes, commas, newlines, tabs inside, right-to-left marks, any script: loaded exactly as written.
    @settings(max_examples=25, deadline=None, database=None)
    @given(st.lists(CELL_TEXT, min_size=1, max_size=10))
    def check(notes):
        _set_notes(copy, notes)
        loaded = load.load_table("events", copy)["note"].tolist()
        assert loaded[: len(notes)] == notes

    check()


@pytest.mark.parametrize(
    "note",
    ["padded ", " padded", "tab\t", "new line\n", "nul\x00byte", "escape\x1b[0m", "bell\x07"],
    ids=["trailing-space", "leading-space", "trailing-tab", "trailing-newline", "nul", "escape", "bell"],
)
def test_text_the_loaders_would_alter_is_refused(copy, note):
    # Spaces around a value are an error (STYLE: no trailing spaces), never silently stripped; NUL used to truncate.
    _set_notes(copy, [note])
    with pytest.raises(an.DataError, match="events.csv:2: note: "):
        load.load_table("events", copy)


def test_integers_are_loaded_exactly(copy):
    # Through float64 (pd.to_numeric with a missing value in the column) 2**53 + 1 would load as 2**53.
    package = json.loads((copy / "datapackage.json").read_text(encoding="utf-8"))
    spec = next(f for r in package["resources"] if r["name"] == "agreements" for f in r["schema"]["fields"] if f["name"] == "term_years")
    spec["constraints"]["maximum"] = 2**63 - 1
    (copy / "datapackage.json").write_text(json.dumps(package, indent=2), encoding="utf-8")
    path = copy / "agreements.csv"
    for value in (2**53 + 1, 2**63 - 1):
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"^(alb-2025,(?:[^,]*,){7})[0-9]+,", rf"\g<1>{value},", text, count=1, flags=re.M), encoding="utf-8")
        loaded = load.load_table("agreements", copy).set_index("agreement_id")["term_years"]
        assert loaded["alb-2025"] == value and loaded.isna().any()


def test_boolean_columns(copy):
    package = json.loads((copy / "datapackage.json").read_text(encoding="utf-8"))
    parties = next(r for r in package["resources"] if r["name"] == "parties")
    parties["schema"]["fields"].append({"name": "is_state", "type": "boolean", "description": "Whether it is a state."})
    (copy / "datapackage.json").write_text(json.dumps(package, indent=2), encoding="utf-8")
    lines = (copy / "parties.csv").read_text(encoding="utf-8").splitlines()
    body = [f"{line},{'true' if line.endswith(',state') else 'false'}" for line in lines[1:]]
    (copy / "parties.csv").write_text("\n".join([lines[0] + ",is_state", *body]) + "\n", encoding="utf-8")
    loaded = load.load_table("parties", copy)
    assert loaded["is_state"].dtype == "boolean"
    assert (loaded["is_state"] == (loaded["party_type"] == "state")).all()
    (copy / "parties.csv").write_text("\n".join([lines[0] + ",is_state", *(b.replace(",true", ",yes") for b in body)]) + "\n", encoding="utf-8")
    with pytest.raises(an.DataError, match="'yes' is not a boolean: write true or false"):
        load.load_table("parties", copy)


def test_a_folder_that_keeps_changing_while_loading_is_refused(copy, monkeypatch):
    # The folder is fingerprinted before validation and after reading: what was read must be what was validated.
    stamps = iter(range(1000))
    monkeypatch.setattr(load, "_fingerprint", lambda directory: (next(stamps),))
    monkeypatch.setattr(load, "_validated", lambda directory, fingerprint: None)
    with pytest.raises(an.DataError, match="changed while it was loaded"):
        load.load_table("parties", copy)


@pytest.mark.parametrize("what", ["missing", "a file"])
def test_a_data_folder_that_is_not_one(tmp_path, what):
    target = tmp_path / "data"
    if what == "a file":
        target.write_text("x", encoding="utf-8")
    for loader in (lambda: load.load_table("parties", target), lambda: load.load_dataset(target), lambda: load.data_version(target)):
        with pytest.raises(an.DataError, match="the data folder"):
            loader()


# --------------------------------------------------------------------------- one snapshot, keyed by content (issue 19.7)


def _same_size_rewrite(path, old: str, new: str) -> None:
    """Rewrite ``path`` with ``old`` replaced by ``new`` (same length), restoring its modification time."""
    import os

    assert len(old) == len(new)
    info = path.stat()
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert path.stat().st_size == info.st_size and path.stat().st_mtime_ns == info.st_mtime_ns


@pytest.mark.parametrize(
    ("table", "old", "new", "column"),
    [
        ("milestones", "NATO summit, Vilnius", "NATO summit; Vilnius", "label"),
        ("parties", "United Kingdom", "United Kingdoz", "party_name"),
    ],
)
def test_a_same_size_rewrite_with_its_time_restored_is_not_served_stale(copy, table, old, new, column):
    assert old in set(load.load_table(table, copy)[column])
    _same_size_rewrite(copy / f"{table}.csv", old, new)
    assert new in set(load.load_table(table, copy)[column])
    assert new in set(load.load_dataset(copy)[table][column])


def test_a_file_hashed_before_is_not_read_again_until_its_status_changes(copy, monkeypatch):
    """The folder's fingerprint (the loaders' and the vocabularies' cache key) reads a file again only when its
    status changed; the ctime moves on any write, even one that keeps the size and sets the mtime back."""
    monkeypatch.setattr(load, "_RACY_NS", -(10**18))  # as if every file had been still for ages when hashed
    opened = []
    real = load.open_data_file
    monkeypatch.setattr(load, "open_data_file", lambda d, n: opened.append(n) or real(d, n))
    first = load._fingerprint(copy)
    assert "parties.csv" in opened
    opened.clear()
    assert load._fingerprint(copy) == first and opened == []  # nothing read: a stat per file
    _same_size_rewrite(copy / "parties.csv", "United Kingdom", "United Kingdoz")
    second = load._fingerprint(copy)
    assert opened == ["parties.csv"] and second != first
    assert "United Kingdoz" in set(load.load_table("parties", copy)["party_name"])


def test_a_file_changed_just_before_it_was_hashed_is_hashed_again(copy, monkeypatch):
    opened = []
    real = load.open_data_file
    monkeypatch.setattr(load, "open_data_file", lambda d, n: opened.append(n) or real(d, n))
    (copy / "parties.csv").write_bytes((copy / "parties.csv").read_bytes())  # changed now: within the racy window
    load._fingerprint(copy)
    load._fingerprint(copy)
    assert opened.count("parties.csv") == 2


def test_the_descriptor_cache_is_keyed_by_content(copy):
    from analysis.schema import load_package

    version = load_package(copy)["version"]
    same_size = version[:-1] + ("9" if version[-1] != "9" else "8")
    _same_size_rewrite(copy / "datapackage.json", f'"version": "{version}"', f'"version": "{same_size}"')
    assert load_package(copy)["version"] == same_size


@pytest.mark.parametrize(
    "content",
    [
        b"",  # pandas: EmptyDataError
        b"party_id,party_name,party_type\n\"unclosed,x,y\n",  # pandas: ParserError (EOF inside a quoted field)
        b"party_id,party_name\nA,B,C,D\n",  # pandas: ParserError (too many fields)
        b"\xff\xfe not utf-8\n",  # UnicodeDecodeError
    ],
)
def test_pandas_own_errors_become_data_errors(copy, monkeypatch, content):
    # what the validator passed is not what pandas then parses: a table rewritten between the two would do this.
    monkeypatch.setattr(load, "_validated", lambda directory, fingerprint: None)
    (copy / "parties.csv").write_bytes(content)
    with pytest.raises(an.DataError) as caught:
        load.load_table("parties", copy)
    assert caught.value.problems and caught.value.problems[0].path.endswith("parties.csv")
    assert "cannot be loaded" in str(caught.value)


def test_a_table_changed_between_two_tables_reads_is_read_again_as_one_snapshot(copy, monkeypatch):
    # a release checked out half-way through: the first attempt mixes old and new; the loader must notice and retry
    real = load.read_data_bytes
    seen: list[str] = []

    def reading(directory, name, *args, **kwargs):
        seen.append(name)
        if name == "memberships.csv" and seen.count(name) == 1:  # after some tables were read, another changes
            (copy / "milestones.csv").write_text((copy / "milestones.csv").read_text(encoding="utf-8").replace("NATO summit, Vilnius", "NATO summit in Vilnius"), encoding="utf-8")
        return real(directory, name, *args, **kwargs)

    monkeypatch.setattr(load, "read_data_bytes", reading)
    ds = load.load_dataset(copy)
    assert "NATO summit in Vilnius" in set(ds.milestones["label"])  # the snapshot is the new content, all of it
    assert seen.count("memberships.csv") == 2  # the first attempt was thrown away


def test_a_table_that_keeps_changing_is_refused(copy, monkeypatch):
    real = load.read_data_bytes

    def reading(directory, name, *args, **kwargs):
        if name == "parties.csv":  # every attempt: another table changes while this one is read
            with open(copy / "milestones.csv", "a", encoding="utf-8") as fh:
                fh.write("\n")
        return real(directory, name, *args, **kwargs)

    monkeypatch.setattr(load, "read_data_bytes", reading)
    monkeypatch.setattr(load, "_validated", lambda directory, fingerprint: None)
    with pytest.raises(an.DataError, match="changed while it was loaded"):
        load.load_dataset(copy)
    with pytest.raises(an.DataError, match="changed while it was loaded"):
        load.load_table("parties", copy)


def test_a_dataset_records_the_tables_taken_from_it_not_the_ones_loaded(copy):
    from analysis.schema import recording

    with recording() as reads:
        ds = load.load_dataset(copy)
        assert reads == {}  # loading is not using
        _ = ds.claims, ds["parties"]
        _ = list(ds)  # listing the names is not using either
    assert set(reads) == {str(copy / "claims.csv"), str(copy / "parties.csv")}
    import hashlib

    assert reads[str(copy / "claims.csv")] == hashlib.sha256((copy / "claims.csv").read_bytes()).hexdigest()
    with recording() as every:
        _ = dict(load.load_dataset(copy))  # copying it takes every table
    assert len(every) == len(table_names(copy))
    with recording() as one:
        load.load_table("events", copy)
        load.data_version(copy)
    assert set(one) == {str(copy / "events.csv"), str(copy / "datapackage.json")}
