"""Loading: typed from the schema, cached within a process, bad data raises the validator's messages."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from conftest import DATA

import analysis as an
from analysis import load
from analysis.schema import table_names


def test_types_come_from_the_schema():
    agreements = an.load_agreements()
    assert agreements["signed_date"].dtype == "datetime64[ns]"
    assert agreements["term_years"].dtype == "Int64"
    assert agreements["commitment_amount"].dtype == "float64"
    assert agreements["party_id"].dtype == "string"
    assert pd.isna(agreements.set_index("agreement_id").loc["ita-2024", "commitment_amount"])


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
