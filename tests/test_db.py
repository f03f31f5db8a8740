"""The SQLite database (``python -m analysis db``): typed columns, NULL for empty cells, keys, full-text search, the
same bytes from the same data; and Datasette serving it with the metadata (a table page, a join, a search)."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from conftest import DATA, ROOT

from analysis import db as database

pytest.importorskip("sqlite_utils")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return database.write_database(tmp_path_factory.mktemp("db") / "ukraine-security-guarantees.db", DATA)


@pytest.fixture
def connection(built):
    with sqlite3.connect(built) as c:
        yield c


def descriptor() -> dict:
    return json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))


def test_every_table_and_row_is_there(connection):
    for resource in descriptor()["resources"]:
        lines = (DATA / resource["path"]).read_text(encoding="utf-8").count("\n") - 1
        (count,) = connection.execute(f'select count(*) from "{resource["name"]}"').fetchone()
        # a quoted cell may hold a line break, so the line count is an upper bound
        assert 0 < count <= lines, resource["name"]


def test_columns_are_typed_and_empty_cells_are_null(connection):
    types = {row[1]: row[2] for row in connection.execute("pragma table_info(agreements)")}
    assert (types["signed_date"], types["term_years"], types["title"]) == ("TEXT", "INTEGER", "TEXT")
    assert {r[1]: r[2] for r in connection.execute("pragma table_info(commitments)")}["amount"] == "REAL"
    # gbr-2024: a ten-year term, no related agreement (an empty cell); it pledges GBP 2.5bn
    row = connection.execute("select term_years, related_agreement_id, signed_date from agreements "
                             "where agreement_id = 'gbr-2024'").fetchone()  # fmt: skip
    assert row == (10, None, "2024-01-12")
    assert connection.execute("select amount from commitments where agreement_id = 'gbr-2024'").fetchone() == (2_500_000_000.0,)
    assert connection.execute("select count(*) from agreements where note = '' or alt_signed_date = ''").fetchone() == (0,)
    # a column that is empty in every row is still TEXT, not a guessed INTEGER
    assert {r[1]: r[2] for r in connection.execute("pragma table_info(sources)")}["published_date"] == "TEXT"


def test_primary_and_foreign_keys_composite_too(connection):
    pk = [row[1] for row in sorted(connection.execute("pragma table_info(clauses)"), key=lambda r: r[5]) if row[5]]
    assert pk == ["agreement_id", "dimension_id"]
    keys: dict[int, list] = {}
    for row in connection.execute("pragma foreign_key_list(clauses)"):
        keys.setdefault(row[0], []).append((row[2], row[3], row[4]))
    assert [("clause_values", "dimension_id", "dimension_id"), ("clause_values", "value", "value")] in keys.values()
    assert ("parties", "party_id", "party_id") in [(r[2], r[3], r[4]) for r in connection.execute("pragma foreign_key_list(agreements)")]
    assert connection.execute("pragma foreign_key_check").fetchall() == []
    with pytest.raises(sqlite3.IntegrityError):
        connection.execute("insert into parties (party_id, party_name, party_type) values ('GBR', 'again', 'state')")


def test_full_text_search(connection):
    hits = connection.execute("select rowid from sources_fts where sources_fts match 'Vilnius'").fetchall()
    expected = sum("vilnius" in (r[0] + " " + r[1]).lower()
                   for r in connection.execute("select coalesce(title, ''), coalesce(excerpt, '') from sources"))  # fmt: skip
    assert 0 < len(hits) <= expected
    assert connection.execute("select count(*) from claims_fts where claims_fts match 'declaration'").fetchone()[0] > 0
    assert connection.execute("select count(*) from clauses_fts where clauses_fts match 'tribunal'").fetchone()[0] > 0


def test_same_data_same_bytes(built, tmp_path):
    again = database.write_database(tmp_path / built.name, DATA)
    assert again.read_bytes() == built.read_bytes()
    assert database.metadata_path(again).read_bytes() == database.metadata_path(built).read_bytes()


def test_metadata_comes_from_the_descriptor(built):
    meta = json.loads(database.metadata_path(built).read_text(encoding="utf-8"))
    package = descriptor()
    assert meta["title"] == package["title"] and meta["license"] == package["licenses"][0]["title"]
    tables = meta["databases"][built.stem]["tables"]
    assert tables["parties"]["label_column"] == "party_name"
    sources = next(r for r in package["resources"] if r["name"] == "sources")
    assert tables["sources"]["description"] == sources["description"]
    assert tables["sources"]["columns"]["url"] == next(f["description"] for f in sources["schema"]["fields"] if f["name"] == "url")
    assert set(meta["databases"][built.stem]["queries"]) >= {"who_signed_when", "clauses_by_dimension", "meetings_with_participants"}


def test_the_command_line_writes_the_file(tmp_path):
    out = tmp_path / "x.db"
    result = subprocess.run([sys.executable, "-m", "analysis", "db", "--out", str(out)], cwd=tmp_path, capture_output=True,
                            text=True, timeout=300, env=dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert out.exists() and (tmp_path / "x.metadata.json").exists()


def test_a_broken_data_folder_is_a_one_line_error(tmp_path):
    (tmp_path / "datapackage.json").write_text("{", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "analysis", "db", "--data-dir", str(tmp_path), "--out", str(tmp_path / "x.db")],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)  # fmt: skip
    assert result.returncode == 1 and "Traceback" not in result.stderr and "datapackage.json" in result.stderr
    assert not (tmp_path / "x.db").exists()


# --------------------------------------------------------------------------- Datasette


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def datasette(built):
    pytest.importorskip("datasette")
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "datasette", "serve", str(built), "-h", "127.0.0.1", "-p", str(port),
         "-m", str(database.metadata_path(built))],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}/{built.stem}"
    try:
        for _ in range(300):  # wait for it to listen (at most about 30 s on a busy machine)
            if process.poll() is not None:
                raise AssertionError(process.stderr.read().decode())
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/-/versions.json", timeout=2)
                break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _get(url: str):
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.read().decode()


def test_datasette_table_page_shows_descriptions_and_labels(datasette):
    status, page = _get(f"{datasette}/agreements")
    assert status == 200
    assert "One row per" in page  # the table's description from datapackage.json
    status, body = _get(f"{datasette}/agreements.json?_shape=array&_labels=on&agreement_id=gbr-2024")
    assert json.loads(body)[0]["party_id"] == {"value": "GBR", "label": "United Kingdom"}


def test_datasette_json_query_with_a_join(datasette):
    sql = "select p.party_name, a.signed_date from agreements a join parties p using (party_id) order by a.signed_date limit 2"
    status, body = _get(f"{datasette}.json?_shape=array&sql={urllib.parse.quote(sql)}")
    assert status == 200
    assert json.loads(body)[0] == {"party_name": "United Kingdom", "signed_date": "2024-01-12"}
    status, body = _get(f"{datasette}/who_signed_when.json?_shape=array")
    assert json.loads(body)[0]["partner"] == "United Kingdom"


def test_datasette_full_text_search(datasette, connection):
    status, body = _get(f"{datasette}/sources.json?_shape=array&_search=Vilnius&_col=title&_size=max")
    expected = connection.execute("select count(*) from sources_fts where sources_fts match 'Vilnius'").fetchone()[0]
    assert status == 200 and len(json.loads(body)) == expected > 0
