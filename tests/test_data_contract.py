"""The shipped data: it validates, matches its schema, and says what the record says."""

from __future__ import annotations

import re

import pandas as pd
import pycountry
import pytest
from conftest import DATA, ROOT

import analysis as an
from analysis.schema import DICTIONARY_BEGIN, DICTIONARY_END, load_package, render_dictionary

DECLARATION = "g7-jdsu-2023"
G7 = {"CAN", "FRA", "DEU", "ITA", "JPN", "GBR", "USA"}
#: The twelve countries that had joined by 3 August 2023, per the article this project started from.
JOINED_BY_3_AUG_2023 = {"DNK", "ESP", "NLD", "NOR", "SWE", "CZE", "FIN", "ISL", "BEL", "PRT", "IRL", "ROU"}


@pytest.fixture(scope="module")
def ds():
    return an.load_dataset()


def test_shipped_data_validates():
    report = an.validate()
    assert report.ok, "\n".join(map(str, report.problems))


def test_frictionless_agrees():
    from frictionless import validate

    report = validate(str(DATA / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:20]


def test_every_csv_is_described_and_every_table_exists():
    package = load_package()
    described = {r["path"] for r in package["resources"]}
    on_disk = {p.name for p in DATA.glob("*.csv")}
    assert described == on_disk


def test_data_dictionary_in_readme_is_generated_from_the_schema():
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    start, end = readme.index(DICTIONARY_BEGIN), readme.index(DICTIONARY_END) + len(DICTIONARY_END)
    assert readme[start:end] == render_dictionary(), "data/README.md is stale: paste the output of `python -m analysis dictionary`"


def test_changelog_matches_the_release():
    package = load_package()
    changelog = (DATA / "CHANGELOG.md").read_text(encoding="utf-8")
    newest = re.search(r"^## (\S+) — cut-off (\d{4}-\d{2}-\d{2})$", changelog, re.M)
    assert newest is not None
    assert newest.groups() == (package["version"], package["cutoff_date"])


def test_party_names_come_from_iso_3166(ds):
    for row in ds.parties.itertuples():
        if row.party_id in ("EUU", "XKX"):
            continue
        country = pycountry.countries.get(alpha_3=row.party_id)
        assert country is not None, row.party_id
        assert row.party_name == getattr(country, "common_name", None) or row.party_name == country.name, row.party_id
    assert ds.parties.set_index("party_id").loc["EUU", "party_type"] == "organisation"


def test_snapshot_of_3_august_2023(ds):
    members = an.members_as_of(ds.signatories, "2023-08-03", DECLARATION)
    originals = set(members.loc[members["role"] == "original", "party_id"])
    joiners = set(members.loc[members["role"] == "acceded", "party_id"])
    assert originals == G7 | {"EUU"}
    assert joiners == JOINED_BY_3_AUG_2023
    opened = ds.events[(ds.events["event_type"] == "negotiations_opened") & (ds.events["event_date"] <= "2023-08-03")]
    assert opened["party_id"].tolist() == ["USA"]
    assert opened["event_date"].iloc[0] == pd.Timestamp("2023-08-03")
    assert "Yermak" in opened["ukraine_lead"].iloc[0]


def test_the_uk_signed_first(ds):
    first = ds.agreements.sort_values("signed_date").iloc[0]
    assert (first["party_id"], first["signed_date"]) == ("GBR", pd.Timestamp("2024-01-12"))


def test_uk_100_year_partnership_complements_the_2024_agreement(ds):
    later = ds.agreements.set_index("agreement_id").loc["gbr-2025"]
    assert (later["related_agreement_id"], later["relation"]) == ("gbr-2024", "complements")


def test_ministry_of_defence_count_of_november_2025(ds):
    # The MoD counted 28 agreements, the EU included, in November 2025: 27 countries and the EU.
    # The data agrees once Croatia (not a party to the declaration) is left out and the UK counted once.
    signed = ds.agreements[ds.agreements["signed_date"] <= "2025-11-08"]
    joined = set(ds.signatories.loc[ds.signatories["declaration_id"] == DECLARATION, "party_id"])
    assert signed.loc[signed["party_id"].isin(joined), "party_id"].nunique() == 28
    assert set(signed["party_id"]) - joined == {"HRV"}


def test_every_partner_with_an_agreement_or_talks_is_a_party(ds):
    assert set(ds.agreements["party_id"]) | set(ds.events["party_id"]) <= set(ds.parties["party_id"])


def test_nato_memberships_answer_as_of_questions(ds):
    nato_2023 = set(an.memberships_as_of(ds.memberships, "2023-12-31", "NATO")["party_id"])
    nato_2024 = set(an.memberships_as_of(ds.memberships, "2024-03-07", "NATO")["party_id"])
    assert "FIN" in nato_2023 and "SWE" not in nato_2023
    assert "SWE" in nato_2024 and len(nato_2024) == 32
    assert "GBR" not in set(an.memberships_as_of(ds.memberships, "2020-02-01", "EU")["party_id"])
    assert len(an.memberships_as_of(ds.memberships, "2026-01-01", "EU")) == 27


def test_csv_mechanics():
    for path in DATA.glob("*.csv"):
        raw = path.read_bytes()
        assert b"\r" not in raw, path.name
        assert raw.endswith(b"\n"), path.name
        for number, line in enumerate(raw.decode("utf-8").splitlines(), 1):
            assert line == line.rstrip(), f"{path.name}:{number} trailing space"


def _block(text: str, name: str) -> str:
    return text.split(f"<!-- {name}:begin -->", 1)[1].split(f"<!-- {name}:end -->", 1)[0].strip()


def test_readme_tables_of_coverage_and_coder_agreement_are_up_to_date():
    from analysis import clauses, overview

    readme = (DATA / "README.md").read_text(encoding="utf-8")
    ds = an.load_dataset()
    assert _block(readme, "coverage") == overview.coverage_markdown(ds), "run `python -m analysis coverage` into data/README.md"
    assert _block(readme, "kappa") == clauses.kappa_markdown(ds.clause_checks, ds.clause_dimensions), "run `python -m analysis kappa`"


def test_changelog_diff_is_the_diff_of_the_previous_release_and_the_data():
    from analysis.diff import BEGIN, END, markdown

    changelog = (DATA / "CHANGELOG.md").read_text(encoding="utf-8")
    recorded = changelog.split(BEGIN, 1)[1].split(END, 1)[0]
    command = re.search(r"`python -m analysis diff (\S+) (\S+) --markdown`", recorded)
    assert command, "the generated diff names the command that made it"
    new = command.group(2)
    if new == "data" and re.search(r"^## Unreleased", changelog, re.M):
        # changes since the release are recorded under "Unreleased": the release's diff is of the data as released,
        # i.e. as of the parent of the first commit after the release that opened the "Unreleased" section
        import subprocess

        def git(*args: str) -> str:
            done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
            return done.stdout.strip() if done.returncode == 0 else ""

        heading = re.search(r"^## \S+ — cut-off \d{4}-\d{2}-\d{2}$", changelog, re.M).group(0)
        release = git("log", "-1", "--format=%H", "-S", heading, "--", "data/CHANGELOG.md")
        since = f"{release}..HEAD"
        opened = git("log", "--reverse", "--format=%H", "-S", "## Unreleased", since, "--", "data/CHANGELOG.md") if release else ""
        if not opened:
            pytest.skip("the release and the opening of the Unreleased section are not in the history here")
        new = f"git:{opened.splitlines()[0]}^"
    try:
        fresh = markdown(command.group(1), new)
    except Exception as exc:  # a shallow clone has no history to compare with
        pytest.skip(f"the previous release is not readable here: {exc}")
    assert fresh.split(BEGIN, 1)[1].split(END, 1)[0].replace(f" {new} --markdown", " data --markdown") == recorded


def test_the_exchange_rates_are_the_packaged_ecb_rates():
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "tools/make_exchange_rates.py", "--check"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_clause_quote_is_in_its_agreement_text():
    """Quotes are verbatim: each appears in the working copy of its agreement's text, ignoring whitespace, line breaks
    and quotation-mark style (the texts are in ../shared/agreement-texts/, outside the project: skipped where absent)."""
    texts = ROOT.parent / "shared" / "agreement-texts"
    if not texts.is_dir():
        pytest.skip("the working copies of the agreement texts are not here (../shared/agreement-texts)")

    def norm(text: str) -> str:
        text = re.sub(r"[\u2018\u2019\u201a\u201b\u2032`´]", "'", text)
        text = re.sub(r"[\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033]", '"', text)
        text = text.replace("\u2013", "-").replace("\u2014", "-").replace("\u00ad", "")
        return re.sub(r"\s+", "", text).casefold()

    clauses = an.load_dataset().clauses
    corpus = {path.name.split("-")[0].lower() + "-" + path.name.split("-")[1]: norm(path.read_text(encoding="utf-8"))
              for path in texts.glob("*.txt")}  # fmt: skip
    checked, missing = 0, []
    for row in clauses.dropna(subset=["quote"]).itertuples():
        text = corpus.get(row.agreement_id)
        if text is None:
            continue
        for piece in row.quote.split(" ... "):
            if norm(piece) not in text:
                missing.append(f"{row.agreement_id} {row.dimension_id}: {piece[:60]}")
        checked += 1
    assert checked > 400
    assert missing == [], missing[:10]
