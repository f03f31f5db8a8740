"""Tests for the validator (``analysis.validation``) and ``python -m analysis validate``.

Each rule is fed a tiny data folder built in ``tmp_path``: the shipped ``datapackage.json`` and a minimal,
hand-written, fully cross-referenced set of tables (``VALID`` below) that validates with zero problems.
A test breaks one thing and asserts the exact problem: file, line, column and the gist of the message.
The real data CSVs are never copied (they change); only ``test_shipped_data_validates`` reads them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import validation
from analysis.paths import ROOT
from analysis.schema import DEFAULT_DATA_DIR, DESCRIPTOR, display_path
from analysis.validation import PRECISION_DATES, Problem, Report, validate

REPO = ROOT
TODAY = dt.date(2025, 6, 1)

# --------------------------------------------------------------------------- the minimal valid folder
# Line numbers used by the tests are the physical lines below (the header is line 1).

VALID: dict[str, str] = {
    "sources": """\
source_id,url,publisher,title,published_date,accessed_date,language,excerpt
s-agreements,https://example.org/agreements,Example Publisher,Agreements,2024-02-16,2025-01-01,en,Signed.
s-claims,https://example.org/claims,Example Publisher,Claims,2023-08-01,2025-01-01,en,One country joined.
s-declaration,https://example.org/declaration,Example Publisher,Declaration,2023-07-12,2025-01-01,en,Adopted.
s-events,https://example.org/events,Example Publisher,Events,,2025-01-01,en,Talks.
s-memberships,https://example.org/memberships,Example Publisher,Memberships,,2025-01-01,en,Members.
s-milestones,https://example.org/milestones,Example Publisher,Milestones,,2025-01-01,en,Summit.
s-other,https://example.org/other,Other Publisher,Other,,2025-01-01,uk,Corroboration.
s-signatories,https://example.org/signatories,Example Publisher,Signatories,2023-08-01,2025-01-01,en,Joined.
""",
    "parties": """\
party_id,party_name,party_type
EUU,European Union,organisation
FRA,France,state
GBR,United Kingdom,state
POL,Poland,state
""",
    "memberships": """\
party_id,bloc,joined_date,date_precision,left_date,source_id,note
FRA,EU,1958-01-01,day,,s-memberships,
GBR,EU,1973-01-01,day,2020-02-01,s-memberships,
POL,EU,2004-05-01,day,,s-memberships,
POL,NATO,1999-03-12,day,,s-memberships,
""",
    "declarations": """\
declaration_id,title,adopted_date,place,meeting_id,parties_reported,parties_qualifier,source_id,other_source_ids,note
g7-jdsu-2023,Joint Declaration of Support for Ukraine,2023-07-12,"Vilnius, Lithuania",,,,s-declaration,s-other,
paris-declaration-2025,Paris Declaration,2025-01-06,"Paris, France",cotw-2025-01-06-paris,35,countries,s-declaration,,
""",
    "signatories": """\
declaration_id,party_id,role,joined_date,date_precision,date_basis,source_id,other_source_ids,alt_joined_date,alt_source_id,note
g7-jdsu-2023,FRA,original,2023-07-12,day,adoption,s-signatories,,,,
g7-jdsu-2023,GBR,original,2023-07-12,day,adoption,s-signatories,,,,
g7-jdsu-2023,POL,acceded,2023-08-01,day,official_announcement,s-signatories,,2023-08-02,s-other,
""",
    "agreements": """\
agreement_id,party_id,title,signed_date,date_precision,place,partner_signatory,ukraine_signatory,term_years,related_agreement_id,relation,source_id,other_source_ids,alt_signed_date,alt_source_id,note
fra-2024,FRA,Agreement on Security Cooperation between France and Ukraine,2024-02-16,day,Paris,,,10,,,s-agreements,,,,
gbr-2024,GBR,UK-Ukraine Agreement on Security Co-operation,2024-01-12,day,Kyiv,,,10,,,s-agreements,,2024-01-13,s-other,
gbr-2025,GBR,100 Year Partnership,2025-01-16,day,Kyiv,,,100,gbr-2024,complements,s-agreements,,,,
""",
    "events": """\
event_id,party_id,agreement_id,track,event_type,side,event_date,date_precision,ukraine_lead,partner_lead,description,source_id,other_source_ids,alt_event_date,alt_source_id,note
fra-01,FRA,fra-2024,bilateral_agreement,negotiations_opened,,2023-09-01,month,,,Talks opened.,s-events,,,,
fra-02,FRA,fra-2024,bilateral_agreement,negotiation_round,,2023-10-05,day,,,A round.,s-events,,,,
fra-03,FRA,fra-2024,bilateral_agreement,text_agreed,,2024-02-01,day,,,Text agreed.,s-events,,,,
fra-04,FRA,fra-2024,bilateral_agreement,ratified,partner,2024-05-01,month,,,Ratified.,s-events,,,,
gbr-01,GBR,gbr-2024,bilateral_agreement,negotiations_opened,,2023-08-02,day,,,Talks opened.,s-events,,2023-08-03,s-other,
gbr-02,GBR,gbr-2024,bilateral_agreement,negotiation_round,,2023-09-14,day,,,A round.,s-events,,,,
pol-01,POL,,bilateral_agreement,negotiations_opened,,2024-03-01,day,,,Talks opened.,s-events,s-other,,,
""",
    "meetings": """\
meeting_id,forum,meeting_date,date_precision,place,format,parties_reported,parties_qualifier,description,source_id,other_source_ids,alt_meeting_date,alt_source_id,note
cotw-2025-01-06-paris,coalition_of_the_willing,2025-01-06,day,"Paris, France",in_person,35,countries,Leaders' summit.,s-declaration,,,,
""",
    "meeting_participants": """\
meeting_id,party_id,role,source_id,note
cotw-2025-01-06-paris,FRA,host,s-declaration,
cotw-2025-01-06-paris,GBR,co_chair,s-declaration,
""",
    "milestones": """\
milestone_id,start_date,end_date,label,kind,place,source_id,other_source_ids,note
nato-summit-2023-vilnius,2023-07-11,2023-07-12,"NATO summit, Vilnius",nato_summit,"Vilnius, Lithuania",s-milestones,,
""",
    "claims": """\
claim_id,claim_date,date_precision,claimant,counted,claimed_count,qualifier,claim_text,gloss,source_id,other_source_ids,note
claim-2023-08-01-yermak-1,2023-08-01,day,Andrii Yermak (Head of the Office of the President),declaration_joiners,1,,One country joined,,s-claims,,
""",
    "clause_dimensions": """\
dimension_id,position,label,question,scale,coding_rule
air_defence,2,Air defence,Does it name air defence?,nominal,named: air defence is named; not_stated: not named.
consultations,1,Consultations,Consult after an attack?,ordinal,within_24_hours / prompt / not_stated.
""",
    "clause_values": """\
dimension_id,value,rank,label
air_defence,named,1,Named
air_defence,not_stated,0,Not named
consultations,not_stated,0,None
consultations,prompt,1,Promptly
consultations,within_24_hours,2,Within 24 hours
""",
    "clauses": """\
agreement_id,dimension_id,value,reference,quote,gloss,source_id,note
fra-2024,air_defence,not_stated,,,,s-agreements,
fra-2024,consultations,within_24_hours,Part IV,consult within 24 hours,,s-agreements,
gbr-2024,air_defence,named,Part I,air defence,,s-agreements,
""",
    "clause_checks": """\
agreement_id,dimension_id,first_value,second_value,resolved_value,resolution
fra-2024,air_defence,not_stated,not_stated,,
fra-2024,consultations,prompt,within_24_hours,within_24_hours,Settled on the text's '24 hours'.
""",
    "commitments": """\
commitment_id,agreement_id,kind,amount,currency,share_of_gdp_pct,bound,basis,period_start,period_end,reference,quote,gloss,source_id,note
fra-2024-01,fra-2024,military,3000000000,EUR,,up_to,total,2024,2024,Part IV,France will provide up to 3 billion euros,,s-agreements,
gbr-2024-01,gbr-2024,military,2500000000,GBP,,exact,total,2024-04,2025-03,,£2.5 billion in military aid in 2024/25,,s-agreements,
""",
    "legal_terms": """\
agreement_id,comes_into_effect,effect_reference,effect_quote,term_runs_from,extension,extension_reference,extension_quote,gloss,source_id,note
fra-2024,on_signature,Part VII,This Agreement will come into effect immediately upon signature.,signature,not_stated,,,,s-agreements,
gbr-2024,on_signature,Part IX,The provisions of this Agreement will come into effect immediately upon signature.,signature,joint_decision,Part IX,The Participants can jointly decide to extend this Agreement.,,s-agreements,
""",
    "exchange_rates": """\
currency,year,rate_per_eur,days,source_id
GBP,2023,0.8699,255,s-agreements
GBP,2024,0.8466,256,s-agreements
GBP,2025,0.8568,255,s-agreements
""",
    "glossary": """\
term_id,term,also_called,definition,source_id
g7-declaration,G7 declaration,Joint Declaration of Support for Ukraine,The declaration the G7 adopted in Vilnius.,s-declaration
""",
    "event_types": """\
event_type,position,label,group,description
approved,4,Approved,approval,
entered_into_force,8,Entered into force,ratification,
negotiation_round,2,Negotiation round,negotiation,
negotiations_opened,1,Talks opened,opening,
ratified,7,Ratified,ratification,
reported_negotiating,0,Reported negotiating,reported,
signed,6,Signed,signature,
signing_postponed,5,Signing postponed,negotiation,
text_agreed,3,Text agreed,negotiation,
""",
    "signatory_roles": """\
role,position,label,joins,description
acceded,1,Joined later,after_adoption,
endorsed,3,Endorsed,any,
original,0,Made it at adoption,at_adoption,
signed,2,Signed,any,
""",
    "participant_roles": """\
role,position,label,description
co_chair,1,Co-chair,
host,0,Host,
took_part,2,Took part,
""",
    "date_precisions": """\
precision,position,label,unit,display,description
day,0,To the day,day,D Mon YYYY,
month,1,To the month,month,Mon YYYY,
year,2,To the year,year,YYYY,
""",
    "verdicts": """\
verdict,position,label,description
explained,1,Matches another reading,
explained (report lag),2,Matches a day or so earlier,
matches,0,Matches the data,
no list to check against,4,Reported count (no list to check),
unexplained,3,Unexplained,
""",
}

VALID_ROWS = sum(text.count("\n") - 1 for text in VALID.values())


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def dump(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


class DataDir:
    """A throw-away data folder: the shipped descriptor and the minimal valid tables."""

    def __init__(self, root: Path):
        self.root = root.resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(DEFAULT_DATA_DIR / DESCRIPTOR, self.root / DESCRIPTOR)
        for name, text in VALID.items():
            self.write(name, text)

    def file(self, name: str) -> Path:
        return self.root / f"{name}.csv"

    def path(self, name: str) -> str:
        """The path as the validator shows it in messages."""
        return display_path(self.root / (name if name == DESCRIPTOR else f"{name}.csv"))

    def text(self, name: str) -> str:
        return self.file(name).read_text(encoding="utf-8")

    def write(self, name: str, content: str | bytes) -> None:
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        self.file(name).write_bytes(data)

    def edit(self, name: str, line: int, column: str, value: str) -> None:
        """Set one cell, addressed by physical line (the valid tables have one line per record)."""
        rows = rows_of(self.text(name))
        rows[line - 1][rows[0].index(column)] = value
        self.write(name, dump(rows))

    def insert(self, name: str, line: int, row: str) -> None:
        """Insert a raw CSV line so that it becomes line ``line``."""
        lines = self.text(name).splitlines(keepends=True)
        lines.insert(line - 1, row + "\n")
        self.write(name, "".join(lines))

    def edit_descriptor(self, change) -> None:
        path = self.root / DESCRIPTOR
        package = json.loads(path.read_text(encoding="utf-8"))
        change(package)
        path.write_text(json.dumps(package, indent=2), encoding="utf-8")

    def validate(self, today: dt.date = TODAY) -> Report:
        return validate(self.root, today=today)


@pytest.fixture
def data(tmp_path: Path) -> DataDir:
    return DataDir(tmp_path / "data")


def _listing(report: Report) -> str:
    return "\n".join(str(p) for p in report.problems) or "(no problems)"


def expect(report: Report, data: DataDir, table: str, line: int, column: str, fragment: str) -> Problem:
    """Assert that the report holds the problem ``<table>:<line>: <column>: …<fragment>…`` and return it."""
    path = data.path(table)
    found = [p for p in report.problems if (p.path, p.line, p.column) == (path, line, column) and fragment in p.message]
    assert found, f"expected {path}:{line}: {column}: …{fragment}…\ngot:\n{_listing(report)}"
    return found[0]


def only(report: Report, data: DataDir, table: str, line: int, column: str, fragment: str) -> Problem:
    """Like :func:`expect`, and the report holds nothing else."""
    problem = expect(report, data, table, line, column, fragment)
    assert report.problems == [problem], f"expected only that problem, got:\n{_listing(report)}"
    return problem


def no_message(report: Report, fragment: str) -> None:
    assert not [p for p in report.problems if fragment in p.message], _listing(report)


# --------------------------------------------------------------------------- the baseline


def test_minimal_valid_folder_has_no_problems(data: DataDir) -> None:
    report = data.validate()
    assert report.problems == [], _listing(report)
    assert report.ok
    assert report.summary() == f"data ok: {len(VALID)} tables, {VALID_ROWS} rows, 8 sources"


def test_minimal_valid_folder_covers_every_table_in_the_descriptor(data: DataDir) -> None:
    package = json.loads((data.root / DESCRIPTOR).read_text(encoding="utf-8"))
    assert sorted(r["name"] for r in package["resources"]) == sorted(VALID)
    for resource in package["resources"]:
        header = rows_of(VALID[resource["name"]])[0]
        assert header == [f["name"] for f in resource["schema"]["fields"]], resource["name"]


def test_shipped_data_validates() -> None:
    report = validate(DEFAULT_DATA_DIR)
    assert report.ok, _listing(report)
    assert report.summary().startswith("data ok:")


def test_problem_reads_path_line_column_message() -> None:
    assert str(Problem("data/x.csv", 7, "party_id", "it is wrong")) == "data/x.csv:7: party_id: it is wrong"


# --------------------------------------------------------------------------- file level


def test_missing_file(data: DataDir) -> None:
    data.file("milestones").unlink()
    report = data.validate()
    expect(report, data, "milestones", 1, "-", "file is missing: datapackage.json lists table 'milestones'")


def test_byte_order_mark_is_accepted(data: DataDir) -> None:
    # (issue 18) Excel and many tools write a UTF-8 byte-order mark; it is not part of the first column's name.
    data.write("parties", b"\xef\xbb\xbf" + VALID["parties"].encode())
    assert data.validate().ok, _listing(data.validate())


def test_invalid_utf8_names_line_and_column(data: DataDir) -> None:
    data.write("parties", VALID["parties"].replace("France", "Fr\xe4nce").encode("latin-1"))
    problem = only(data.validate(), data, "parties", 3, "party_name", "not valid UTF-8")
    assert "\\xe4" in problem.message


def test_invalid_utf8_in_first_column(data: DataDir) -> None:
    data.write("memberships", VALID["memberships"].encode() + b"\xff,EU,2010-01-01,day,,s-memberships,\n")
    expect(data.validate(), data, "memberships", 6, "party_id", "not valid UTF-8")


def test_crlf_line_endings_are_accepted(data: DataDir) -> None:
    # (issue 18) RFC 4180 and Python's csv writer end lines with CR LF.
    data.write("parties", VALID["parties"].replace("\n", "\r\n"))
    assert data.validate().ok, _listing(data.validate())


def test_crlf_on_one_line_is_located(data: DataDir) -> None:
    data.write("parties", VALID["parties"].replace("France,state\n", "France,state\r\n"))
    only(data.validate(), data, "parties", 3, "-", "line ends with CR")


def test_bom_and_crlf_together_are_accepted(data: DataDir) -> None:
    data.write("parties", b"\xef\xbb\xbf" + VALID["parties"].replace("\n", "\r\n").encode())
    assert data.validate().ok, _listing(data.validate())


def test_a_crlf_file_keeps_its_line_numbers(data: DataDir) -> None:
    data.edit("parties", 4, "party_type", "stat")
    data.write("parties", b"\xef\xbb\xbf" + data.text("parties").replace("\n", "\r\n").encode())
    only(data.validate(), data, "parties", 4, "party_type", "'stat' is not allowed")


def test_a_crlf_file_with_one_lf_line_is_located(data: DataDir) -> None:
    text = VALID["parties"].replace("\n", "\r\n").replace("GBR,United Kingdom,state\r\n", "GBR,United Kingdom,state\n")
    data.write("parties", text)
    only(data.validate(), data, "parties", 4, "-", "line ends with LF alone, but the first line with CR LF")


def test_a_line_feed_inside_a_quoted_value_of_a_crlf_file_is_part_of_the_value(data: DataDir) -> None:
    data.edit("claims", 2, "claim_text", "One country\njoined")
    data.write("claims", data.text("claims").replace("\n", "\r\n").replace("country\r\njoined", "country\njoined"))
    report = data.validate()
    assert report.ok, _listing(report)


def test_a_cr_alone_in_a_crlf_file_is_located(data: DataDir) -> None:
    data.write("parties", VALID["parties"].replace("\n", "\r\n").replace("France,state\r\n", "France,state\r"))
    expect(data.validate(), data, "parties", 3, "-", "line ends with CR alone")


def _parties_with_a_line_end_at(offset: int, ending: str) -> tuple[str, int]:
    """A CR LF parties table whose line ending ``ending`` (at one line, returned with the text) starts at byte
    ``offset``: the reader's chunk boundary (1 MiB) falls inside or right after it."""
    lines = ["party_id,party_name,party_type", *VALID["parties"].splitlines()[1:]]
    size = sum(len(line) + 2 for line in lines)
    codes = (f"Z{a}{b}" for a in "ABCDEFGHIJ" for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    while True:  # rows of at most 90,000 characters (a cell holds 100,000), the last one cut to size
        row = f"{next(codes)},{{}},state"
        name = min(90_000, offset - size - len(row.format("")))
        lines.append(row.format("x" * name))
        if size + len(lines[-1]) == offset:
            break
        size += len(lines[-1]) + 2
    text = "".join(line + "\r\n" for line in lines[:-1]) + lines[-1] + ending + f"{next(codes)},Last,state\r\n"
    return text, len(lines)


@pytest.mark.parametrize("offset", [(1 << 20) - 1, 1 << 20, (1 << 20) + 1])
def test_line_endings_across_the_chunk_boundary(data: DataDir, offset: int) -> None:
    text, line = _parties_with_a_line_end_at(offset, "\r\n")
    assert text.encode().index(b"\r\nZ", offset - 1) == offset
    data.write("parties", text)
    assert data.validate().ok, _listing(data.validate())
    data.write("parties", _parties_with_a_line_end_at(offset, "\n")[0])
    only(data.validate(), data, "parties", line, "-", "line ends with LF alone")
    data.write("parties", _parties_with_a_line_end_at(offset, "\r")[0])
    expect(data.validate(), data, "parties", line, "-", "line ends with CR alone")


def test_missing_final_newline(data: DataDir) -> None:
    data.write("parties", VALID["parties"].rstrip("\n"))
    only(data.validate(), data, "parties", 5, "-", "the last line has no final newline")


def test_unbalanced_quote(data: DataDir) -> None:
    data.write("claims", VALID["claims"].replace(",One country joined,", ',"One country joined,'))
    report = data.validate()
    expect(report, data, "claims", 2, "-", "a quote is unbalanced")
    # The unreadable record is lost, so its source is left uncited; nothing else is reported.
    expect(report, data, "sources", 3, "source_id", "'s-claims' is cited by no row")
    assert len(report.problems) == 2, _listing(report)


def test_unbalanced_quote_located_on_the_record_start(data: DataDir) -> None:
    data.write("parties", VALID["parties"].replace("POL,Poland", 'POL,"Poland'))
    expect(data.validate(), data, "parties", 5, "-", "cannot read this record")


def test_empty_file(data: DataDir) -> None:
    data.write("claims", "")
    report = data.validate()
    expect(report, data, "claims", 1, "-", "file is empty: it needs at least the header row")
    expect(report, data, "sources", 3, "source_id", "'s-claims' is cited by no row")
    assert len(report.problems) == 2, _listing(report)


# --------------------------------------------------------------------------- header


def test_unknown_column_with_did_you_mean(data: DataDir) -> None:
    data.write("parties", VALID["parties"].replace("party_name", "party_nme", 1))
    report = data.validate()
    expect(report, data, "parties", 1, "party_nme", "unknown column 'party_nme': did you mean 'party_name'?")
    expect(report, data, "parties", 1, "party_name", "column 'party_name' is missing (found 'party_nme', misspelt?)")
    assert len(report.problems) == 2, _listing(report)


def test_unknown_column_without_a_close_match(data: DataDir) -> None:
    rows = [row + ["colour" if i == 0 else "blue"] for i, row in enumerate(rows_of(VALID["parties"]))]
    data.write("parties", dump(rows))
    only(data.validate(), data, "parties", 1, "colour", "unknown column 'colour': datapackage.json defines no such column")


def test_missing_column(data: DataDir) -> None:
    data.write("parties", dump([row[:2] for row in rows_of(VALID["parties"])]))
    report = data.validate()
    expect(report, data, "parties", 1, "party_type", "column 'party_type' is missing: add it to the header, even if empty")
    no_message(report, "out of order")


def test_out_of_order_columns(data: DataDir) -> None:
    data.write("parties", dump([[a, c, b] for a, b, c in rows_of(VALID["parties"])]))
    only(data.validate(), data, "parties", 1, "-", "columns are out of order: expected party_id,party_name,party_type")


def test_duplicate_column(data: DataDir) -> None:
    data.write("parties", dump([row + [row[2]] for row in rows_of(VALID["parties"])]))
    expect(data.validate(), data, "parties", 1, "party_type", "column 'party_type' appears twice in the header")


def test_spaces_around_a_column_name(data: DataDir) -> None:
    data.write("parties", VALID["parties"].replace("party_id,party_name,", "party_id, party_name,", 1))
    expect(data.validate(), data, "parties", 1, "party_name", "column name ' party_name' has spaces around it: write 'party_name'")


# --------------------------------------------------------------------------- records and cells


def test_blank_line(data: DataDir) -> None:
    data.insert("parties", 3, "")
    only(data.validate(), data, "parties", 3, "-", "blank line: remove it")


def test_ragged_row_too_few_fields(data: DataDir) -> None:
    data.write("parties", VALID["parties"].replace("EUU,European Union,organisation", "EUU,European Union"))
    only(data.validate(), data, "parties", 2, "party_type", "row has 2 fields but the header has 3")


def test_ragged_row_too_many_fields(data: DataDir) -> None:
    data.write("parties", VALID["parties"].replace("EUU,European Union,organisation", "EUU,European Union,organisation,x"))
    only(data.validate(), data, "parties", 2, "field 4", "row has 4 fields but the header has 3")


# (table, line, column, new value, column named in the problem, distinctive part of the message)
CELL_CASES = {
    "spaces-around-value": ("parties", 2, "party_name", "European Union ", "party_name", "'European Union ' has spaces around it: write 'European Union'"),
    "padded-code-is-stripped": ("signatories", 3, "party_id", " GBR", "party_id", "' GBR' has spaces around it: write 'GBR'"),
    "required-missing": ("parties", 2, "party_name", "", "party_name", "a value is required (Short English name"),
    "date-format": ("sources", 2, "published_date", "16/02/2024", "published_date", "'16/02/2024' is not a date: write YYYY-MM-DD"),
    "date-without-zero-padding": ("sources", 2, "published_date", "2024-2-16", "published_date", "is not a date: write YYYY-MM-DD"),
    "impossible-date": ("sources", 2, "published_date", "2023-02-29", "published_date", "'2023-02-29' is not a real calendar date"),
    "future-date": ("sources", 2, "accessed_date", "2025-06-02", "accessed_date", "2025-06-02 is in the future (today is 2025-06-01)"),
    "non-integer-word": ("agreements", 2, "term_years", "ten", "term_years", "'ten' is not a whole number"),
    "non-integer-decimal": ("agreements", 2, "term_years", "10.0", "term_years", "'10.0' is not a whole number"),
    "non-number-separators": ("commitments", 2, "amount", "3,000,000,000", "amount", "'3,000,000,000' is not a number"),
    "non-finite-number": ("commitments", 2, "amount", "1e999", "amount", "'1e999' is not a finite number"),
    "enum-with-suggestion": ("parties", 3, "party_type", "stat", "party_type", "'stat' is not allowed (did you mean 'state'?): use one of state, organisation"),
    "enum-case": ("memberships", 5, "bloc", "NAT", "bloc", "'NAT' is not allowed (did you mean 'NATO'?): use one of G7, EU, NATO"),
    "pattern-event-number-not-padded": ("events", 8, "event_id", "pol-1", "event_id", "'pol-1' is malformed: it should match ^[a-z]{3}-[0-9]{2}$"),
    "pattern-language": ("sources", 2, "language", "eng", "language", "'eng' is malformed: it should match ^[a-z]{2}$"),
    "pattern-url": ("sources", 2, "url", "example.org/agreements", "url", "is malformed: it should match ^https?://"),
    "minimum": ("claims", 2, "claimed_count", "-1", "claimed_count", "-1 is below the minimum 0"),
    "maximum": ("agreements", 2, "term_years", "201", "term_years", "201 is above the maximum 200"),
    "maximum-year": ("exchange_rates", 4, "year", "2101", "year", "2101 is above the maximum 2100"),
    "minimum-number": ("commitments", 2, "amount", "-5", "amount", "-5 is below the minimum 0"),
}


@pytest.mark.parametrize(("table", "line", "column", "value", "where", "fragment"), list(CELL_CASES.values()), ids=list(CELL_CASES))
def test_cell_rule(data: DataDir, table: str, line: int, column: str, value: str, where: str, fragment: str) -> None:
    data.edit(table, line, column, value)
    only(data.validate(), data, table, line, where, fragment)


def test_enum_without_a_close_match_has_no_suggestion(data: DataDir) -> None:
    data.edit("parties", 3, "party_type", "xyz")
    problem = only(data.validate(), data, "parties", 3, "party_type", "'xyz' is not allowed: use one of state, organisation")
    assert "did you mean" not in problem.message


def test_lower_case_party_code(data: DataDir) -> None:
    data.edit("memberships", 3, "party_id", "gbr")
    report = data.validate()
    expect(report, data, "memberships", 3, "party_id", "'gbr' is malformed: it should match ^[A-Z]{3}$")
    expect(report, data, "memberships", 3, "party_id", "'gbr' is not a party_id in")


def test_date_equal_to_today_is_not_in_the_future(data: DataDir) -> None:
    data.edit("sources", 2, "accessed_date", TODAY.isoformat())
    assert data.validate().ok


def test_today_defaults_to_the_real_date(data: DataDir) -> None:
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    data.edit("sources", 2, "accessed_date", tomorrow.isoformat())
    report = validate(data.root)
    expect(report, data, "sources", 2, "accessed_date", f"(today is {dt.date.today().isoformat()})")


# --------------------------------------------------------------------------- keys


def test_duplicate_primary_key(data: DataDir) -> None:
    data.insert("parties", 4, "FRA,France,state")
    only(data.validate(), data, "parties", 4, "party_id", "duplicate key (party_id) = ('FRA',): first used on line 3")


def test_duplicate_composite_key(data: DataDir) -> None:
    data.insert("signatories", 4, "g7-jdsu-2023,GBR,original,2023-07-12,day,adoption,s-signatories,,,,")
    only(
        data.validate(),
        data,
        "signatories",
        4,
        "declaration_id",
        "duplicate key (declaration_id, party_id) = ('g7-jdsu-2023', 'GBR'): first used on line 3",
    )


def test_rows_not_sorted_by_key(data: DataDir) -> None:
    lines = VALID["parties"].splitlines(keepends=True)
    lines[2], lines[3] = lines[3], lines[2]  # GBR before FRA
    data.write("parties", "".join(lines))
    only(data.validate(), data, "parties", 4, "party_id", "rows are not sorted by (party_id): ('FRA',) should come before ('GBR',)")


def test_rows_not_sorted_by_composite_key(data: DataDir) -> None:
    lines = VALID["memberships"].splitlines(keepends=True)
    lines[3], lines[4] = lines[4], lines[3]  # POL NATO before POL EU
    data.write("memberships", "".join(lines))
    only(data.validate(), data, "memberships", 5, "party_id", "rows are not sorted by (party_id, bloc, joined_date)")


def test_unique_constraint_on_a_non_key_column(data: DataDir) -> None:
    # The shipped descriptor puts `unique` on key columns only; add it to a non-key column to reach the rule.
    def unique_names(package: dict) -> None:
        parties = next(r for r in package["resources"] if r["name"] == "parties")
        spec = next(f for f in parties["schema"]["fields"] if f["name"] == "party_name")
        spec.setdefault("constraints", {})["unique"] = True

    data.edit_descriptor(unique_names)
    assert data.validate().ok
    data.edit("parties", 4, "party_name", "France")
    only(data.validate(), data, "parties", 4, "party_name", "'France' must be unique: first used on line 3")


# --------------------------------------------------------------------------- foreign keys


def test_foreign_key_party(data: DataDir) -> None:
    data.edit("memberships", 2, "party_id", "DEU")
    problem = only(data.validate(), data, "memberships", 2, "party_id", "'DEU' is not a party_id in")
    assert data.path("parties") in problem.message


def test_foreign_key_declaration(data: DataDir) -> None:
    data.edit("signatories", 4, "declaration_id", "g7-jdsu-2024")
    problem = only(data.validate(), data, "signatories", 4, "declaration_id", "'g7-jdsu-2024' is not a declaration_id in")
    assert data.path("declarations") in problem.message


def test_foreign_key_source(data: DataDir) -> None:
    data.edit("claims", 2, "source_id", "s-nowhere")
    report = data.validate()
    expect(report, data, "claims", 2, "source_id", "'s-nowhere' is not a source_id in")
    expect(report, data, "sources", 3, "source_id", "'s-claims' is cited by no row")
    assert len(report.problems) == 2, _listing(report)


def test_foreign_key_alt_source(data: DataDir) -> None:
    data.edit("signatories", 4, "alt_source_id", "s-nowhere")
    expect(data.validate(), data, "signatories", 4, "alt_source_id", "'s-nowhere' is not a source_id in")


def test_foreign_key_agreement_self_reference(data: DataDir) -> None:
    data.edit("agreements", 4, "related_agreement_id", "gbr-2023")
    problem = only(data.validate(), data, "agreements", 4, "related_agreement_id", "'gbr-2023' is not a agreement_id in")
    assert data.path("agreements") in problem.message


def test_foreign_key_event_agreement(data: DataDir) -> None:
    data.edit("events", 8, "agreement_id", "pol-2024")
    only(data.validate(), data, "events", 8, "agreement_id", "'pol-2024' is not a agreement_id in")


def test_foreign_key_other_source_ids_list(data: DataDir) -> None:
    data.edit("declarations", 2, "other_source_ids", "s-other;s-missing")
    problem = only(data.validate(), data, "declarations", 2, "other_source_ids", "'s-missing' is not a source_id in")
    assert data.path("sources") in problem.message


def test_other_source_ids_pattern(data: DataDir) -> None:
    data.edit("declarations", 2, "other_source_ids", "s-other; s-claims")
    expect(data.validate(), data, "declarations", 2, "other_source_ids", "is malformed")


# --------------------------------------------------------------------------- signatories


def test_signatory_joined_before_adoption(data: DataDir) -> None:
    data.edit("signatories", 4, "joined_date", "2023-07-01")
    only(data.validate(), data, "signatories", 4, "joined_date", "2023-07-01 is before the declaration was adopted (2023-07-12)")


def test_original_signatory_not_on_adoption_date(data: DataDir) -> None:
    data.edit("signatories", 2, "joined_date", "2023-07-13")
    only(data.validate(), data, "signatories", 2, "joined_date", "an original signatory joins on the adoption date (2023-07-12), not 2023-07-13")


def test_date_basis_adoption_without_role_original(data: DataDir) -> None:
    data.edit("signatories", 4, "date_basis", "adoption")
    report = data.validate()
    expect(report, data, "signatories", 4, "date_basis", "a party that acceded joined after adoption: use the basis of its date, not 'adoption'")
    assert len(report.problems) == 1, _listing(report)


def test_role_original_without_date_basis_adoption(data: DataDir) -> None:
    data.edit("signatories", 3, "date_basis", "official_announcement")
    only(data.validate(), data, "signatories", 3, "date_basis", "an original signatory has date_basis 'adoption'")


# --------------------------------------------------------------------------- agreements


def test_agreement_id_prefix_must_match_partner(data: DataDir) -> None:
    data.edit("agreements", 2, "party_id", "POL")
    report = data.validate()
    expect(report, data, "agreements", 2, "agreement_id", "'fra-2024' should start with the partner code 'pol-'")
    # The FRA events now point at an agreement with another partner.
    expect(report, data, "events", 2, "agreement_id", "agreement 'fra-2024' is with POL, not FRA")


def test_agreement_id_year_must_match_signing_year(data: DataDir) -> None:
    data.edit("agreements", 3, "signed_date", "2023-12-20")
    only(data.validate(), data, "agreements", 3, "agreement_id", "'gbr-2024' should carry the signing year 2023")


def test_event_agreement_with_another_partner(data: DataDir) -> None:
    data.edit("events", 8, "agreement_id", "fra-2024")
    report = data.validate()
    expect(report, data, "events", 8, "agreement_id", "agreement 'fra-2024' is with FRA, not POL")


def test_related_agreement_without_relation(data: DataDir) -> None:
    data.edit("agreements", 4, "relation", "")
    only(data.validate(), data, "agreements", 4, "relation", "related_agreement_id and relation go together: fill both or neither")


def test_relation_without_related_agreement(data: DataDir) -> None:
    data.edit("agreements", 4, "related_agreement_id", "")
    only(data.validate(), data, "agreements", 4, "relation", "related_agreement_id and relation go together")


def test_related_agreement_with_another_partner(data: DataDir) -> None:
    data.edit("agreements", 4, "related_agreement_id", "fra-2024")
    only(data.validate(), data, "agreements", 4, "related_agreement_id", "a related agreement must be with the same partner")


def test_related_agreement_must_be_earlier(data: DataDir) -> None:
    data.edit("agreements", 3, "related_agreement_id", "gbr-2025")
    data.edit("agreements", 3, "relation", "supersedes")
    only(
        data.validate(),
        data,
        "agreements",
        3,
        "related_agreement_id",
        "the related agreement was signed on 2025-01-16, not before this one (2024-01-12)",
    )


def test_agreement_related_to_itself(data: DataDir) -> None:
    data.edit("agreements", 4, "related_agreement_id", "gbr-2025")
    only(data.validate(), data, "agreements", 4, "related_agreement_id", "signed on 2025-01-16, not before this one (2025-01-16)")


# --------------------------------------------------------------------------- alternatives


def test_alt_value_without_alt_source(data: DataDir) -> None:
    data.edit("agreements", 3, "alt_source_id", "")
    only(data.validate(), data, "agreements", 3, "alt_source_id", "alt_signed_date is given without its source: fill alt_source_id")


def test_alt_source_without_alt_value(data: DataDir) -> None:
    data.edit("signatories", 4, "alt_joined_date", "")
    only(data.validate(), data, "signatories", 4, "alt_joined_date", "alt_source_id is given but alt_joined_date is empty")


def test_alt_value_equal_to_main_value(data: DataDir) -> None:
    data.edit("events", 6, "alt_event_date", "2023-08-02")
    only(data.validate(), data, "events", 6, "alt_event_date", "alt_event_date equals event_date: an alternative must differ")


# --------------------------------------------------------------------------- memberships


def test_membership_left_before_joined(data: DataDir) -> None:
    data.edit("memberships", 3, "left_date", "1972-01-01")
    only(data.validate(), data, "memberships", 3, "left_date", "1972-01-01 is not after joined_date 1973-01-01")


def test_membership_left_on_the_day_it_joined(data: DataDir) -> None:
    data.edit("memberships", 3, "left_date", "1973-01-01")
    only(data.validate(), data, "memberships", 3, "left_date", "1973-01-01 is not after joined_date 1973-01-01")


def test_membership_spells_overlap(data: DataDir) -> None:
    data.insert("memberships", 4, "GBR,EU,2019-01-01,day,,s-memberships,")
    only(data.validate(), data, "memberships", 4, "joined_date", "GBR already in EU on 2019-01-01: membership spells overlap")


def test_membership_spell_after_an_open_spell_overlaps(data: DataDir) -> None:
    data.insert("memberships", 3, "FRA,EU,1990-01-01,day,,s-memberships,")
    only(data.validate(), data, "memberships", 3, "joined_date", "FRA already in EU on 1990-01-01")


def test_membership_rejoining_after_leaving_is_fine(data: DataDir) -> None:
    data.insert("memberships", 4, "GBR,EU,2020-02-01,day,,s-memberships,")
    assert data.validate().ok, _listing(data.validate())


def test_duplicate_membership_spell_is_reported_not_a_crash(data: DataDir) -> None:
    data.insert("memberships", 4, "GBR,EU,1973-01-01,day,,s-memberships,")
    expect(data.validate(), data, "memberships", 4, "party_id", "duplicate key (party_id, bloc, joined_date)")


# --------------------------------------------------------------------------- events


def test_event_id_prefix_must_match_partner(data: DataDir) -> None:
    data.edit("events", 8, "event_id", "pox-01")
    only(data.validate(), data, "events", 8, "event_id", "'pox-01' should start with the partner code 'pol-'")


def test_talks_opened_twice(data: DataDir) -> None:
    data.edit("events", 3, "event_type", "negotiations_opened")
    only(data.validate(), data, "events", 3, "event_type", "talks with FRA were already opened on line 2: use negotiation_round")


def test_pre_signature_event_after_signing(data: DataDir) -> None:
    data.edit("events", 4, "event_date", "2024-02-20")
    only(
        data.validate(),
        data,
        "events",
        4,
        "event_date",
        "a text_agreed on 2024-02-20 comes after the agreement was signed (2024-02-16)",
    )


def test_month_precision_pre_signature_event_in_signing_month_is_not_flagged(data: DataDir) -> None:
    data.edit("events", 4, "date_precision", "month")  # text agreed "February 2024", signed 16 February 2024
    assert data.validate().ok, _listing(data.validate())


def test_post_signature_event_before_signing(data: DataDir) -> None:
    data.edit("events", 5, "event_date", "2024-02-10")
    data.edit("events", 5, "date_precision", "day")
    only(data.validate(), data, "events", 5, "event_date", "ratified on 2024-02-10 comes before the signature (2024-02-16)")


def test_month_precision_post_signature_event_in_signing_month_is_not_flagged(data: DataDir) -> None:
    data.edit("events", 5, "event_date", "2024-02-01")  # ratified "February 2024", signed 16 February 2024
    assert data.validate().ok, _listing(data.validate())


def test_round_before_talks_opened(data: DataDir) -> None:
    data.edit("events", 3, "event_date", "2023-08-20")
    report = data.validate()
    expect(report, data, "events", 3, "event_date", "a negotiation_round on 2023-08-20 comes before talks opened (2023-09-01, line 2)")
    assert len(report.problems) == 1, _listing(report)


def test_month_precision_round_in_the_opening_month_is_not_before_the_opening(data: DataDir) -> None:
    # Talks opened 2 August 2023 (day); a round dated "August 2023" (month) may well be after that.
    data.edit("events", 7, "event_date", "2023-08-01")
    data.edit("events", 7, "date_precision", "month")
    no_message(data.validate(), "comes before talks opened")


def test_month_precision_round_in_the_opening_month_passes_validation(data: DataDir) -> None:
    data.edit("events", 7, "event_date", "2023-08-01")
    data.edit("events", 7, "date_precision", "month")
    assert data.validate().problems == []


def test_event_ids_need_not_be_in_date_order(data: DataDir) -> None:
    # ids are stable across releases: an event added later takes the next free number, whatever its date
    data.edit("events", 4, "event_date", "2023-10-01")
    assert data.validate().problems == []


# --------------------------------------------------------------------------- sources


def test_uncited_source(data: DataDir) -> None:
    data.insert("sources", 10, "s-unused,https://example.org/unused,Example Publisher,Unused,,2025-01-01,en,")
    only(data.validate(), data, "sources", 10, "source_id", "'s-unused' is cited by no row: remove it, or cite it")


def test_source_cited_only_as_alt_or_other_counts_as_cited(data: DataDir) -> None:
    # s-other is cited only through other_source_ids and alt_source_id in the valid folder, never as a source_id.
    for name, text in VALID.items():
        rows = rows_of(text)
        if name != "sources" and "source_id" in rows[0]:
            assert "s-other" not in {row[rows[0].index("source_id")] for row in rows[1:]}, name
    assert data.validate().ok


# --------------------------------------------------------------------------- descriptor


def test_missing_descriptor(data: DataDir) -> None:
    (data.root / DESCRIPTOR).unlink()
    report = data.validate()
    only(report, data, DESCRIPTOR, 1, "-", "datapackage.json is missing: the data folder needs its descriptor")
    assert report.tables == {}


def test_invalid_json_descriptor(data: DataDir) -> None:
    (data.root / DESCRIPTOR).write_text('{\n  "name": "x",\n  "resources": [\n}\n', encoding="utf-8")
    only(data.validate(), data, DESCRIPTOR, 4, "-", "datapackage.json is not valid JSON")


def test_descriptor_without_resources_is_reported(data: DataDir) -> None:
    (data.root / DESCRIPTOR).write_text("{}\n", encoding="utf-8")
    expect(data.validate(), data, DESCRIPTOR, 1, "-", "resources")


# --------------------------------------------------------------------------- more input bugs


def test_non_ascii_digits_are_not_a_whole_number(data: DataDir) -> None:
    data.edit("agreements", 2, "term_years", "\u0661\u0660")
    only(data.validate(), data, "agreements", 2, "term_years", "is not a whole number")


def test_invalid_utf8_with_cr_line_endings_is_reported_not_a_crash(data: DataDir) -> None:
    data.write("parties", VALID["parties"].replace("France", "Fr\xe4nce").replace("\n", "\r").encode("latin-1"))
    report = data.validate()
    expect(report, data, "parties", 1, "-", "line ends with CR")
    assert any("not valid UTF-8" in p.message for p in report.problems), _listing(report)


# --------------------------------------------------------------------------- what the loaders could not hold
# (issue 12) Each rule refuses what a loader would crash on or silently alter; tests/test_adversarial.py tries
# many more hostile inputs against the shipped data.

# (table, line, column, new value, distinctive part of the message)
HOLD_CASES = {
    # NUL is where pandas' parser used to truncate a value; other controls would reach the terminal.
    "nul-in-text": ("parties", 2, "party_name", "European\x00Union", "contains the control character '\\x00'"),
    "escape-in-text": ("sources", 2, "excerpt", "\x1b[2J", "contains the control character '\\x1b'"),
    "cell-over-the-limit": ("sources", 2, "excerpt", "x" * 100_001, "100,001 characters long, over the limit of 100,000"),
    "date-before-pandas": ("sources", 2, "published_date", "1677-09-21", "outside the dates the loaders can hold (1677-09-22 to 2262-04-11"),
    "date-after-pandas": ("sources", 2, "published_date", "2262-04-12", "outside the dates the loaders can hold"),
    "integer-past-int64": ("claims", 2, "claimed_count", str(2**63), "does not fit in a 64-bit integer"),
    "integer-with-5000-digits": ("claims", 2, "claimed_count", "9" * 5000, "does not fit in a 64-bit integer"),
    "number-rounded-by-float64": ("commitments", 2, "amount", "3000000000.0000001", "17 significant digits"),
    "number-underflows": ("commitments", 2, "amount", "1e-400", "too small for a float64"),
    "number-nan": ("commitments", 2, "amount", "nan", "is not a number"),
    "url-with-a-quote": ("sources", 2, "url", 'https://example.org/"><script>', "contains '\"', which a URL may not hold"),
    "url-with-user": ("sources", 2, "url", "https://user@example.org/", "is not a web address"),
    "month-date-not-on-the-1st": ("events", 2, "event_date", "2023-09-15", "is not the 1st of its month, but date_precision is 'month': write 2023-09-01"),
}


@pytest.mark.parametrize(("table", "line", "column", "value", "fragment"), list(HOLD_CASES.values()), ids=list(HOLD_CASES))
def test_value_the_loaders_could_not_hold(data: DataDir, table: str, line: int, column: str, value: str, fragment: str) -> None:
    data.edit(table, line, column, value)
    only(data.validate(), data, table, line, column, fragment)


def test_year_precise_date_is_1_january(data: DataDir) -> None:
    data.edit("memberships", 2, "joined_date", "1958-03-25")
    data.edit("memberships", 2, "date_precision", "year")
    only(data.validate(), data, "memberships", 2, "joined_date", "is not 1 January, but date_precision is 'year': write 1958-01-01")


def test_every_table_with_date_precision_names_the_dates_it_governs() -> None:
    package = json.loads((DEFAULT_DATA_DIR / DESCRIPTOR).read_text(encoding="utf-8"))
    with_precision = {r["name"] for r in package["resources"] if any(f["name"] == "date_precision" for f in r["schema"]["fields"])}
    assert with_precision == set(PRECISION_DATES)


# --------------------------------------------------------------------------- what a precision means: its unit and display
# (date_precisions.unit and .display) A made-up code is checked and spanned by its unit, never by its name.


def test_a_made_up_precision_is_checked_by_its_unit(data: DataDir) -> None:
    data.insert("date_precisions", 4, "month_approx,3,About the month,month,Mon YYYY,")
    data.insert("date_precisions", 6, "year_approx,4,About the year,year,YYYY,")
    data.edit("claims", 2, "date_precision", "month_approx")  # 2023-08-01: the 1st
    data.edit("memberships", 2, "date_precision", "year_approx")  # 1958-01-01
    assert data.validate().ok, _listing(data.validate())
    data.edit("claims", 2, "claim_date", "2023-08-15")
    data.edit("memberships", 2, "joined_date", "1958-03-25")
    report = data.validate()
    expect(report, data, "claims", 2, "claim_date", "is not the 1st of its month, but date_precision is 'month_approx' (to the month): write 2023-08-01")
    expect(report, data, "memberships", 2, "joined_date", "is not 1 January, but date_precision is 'year_approx' (to the year): write 1958-01-01")
    assert len(report.problems) == 2, _listing(report)


def test_a_made_up_precision_spans_its_unit(data: DataDir) -> None:
    # gbr-02 (line 7), a round, moved to 1 August 2023: talks opened on 2 August (line 6). To the month, the round may
    # have come later in August; a code whose unit is the day (whatever its name) puts it before the opening.
    data.insert("date_precisions", 4, "month_approx,3,About the month,month,Mon YYYY,")
    data.insert("date_precisions", 3, "day_reported,5,Reported that day,day,D Mon YYYY,")
    data.edit("events", 7, "event_date", "2023-08-01")
    data.edit("events", 7, "date_precision", "month_approx")
    assert data.validate().ok, _listing(data.validate())
    data.edit("events", 7, "date_precision", "day_reported")
    only(data.validate(), data, "events", 7, "event_date", "a negotiation_round on 2023-08-01 comes before talks opened (2023-08-02, line 6)")


def test_a_precision_whose_unit_is_not_a_calendar_unit(data: DataDir) -> None:
    data.edit("date_precisions", 3, "unit", "week")
    # Only the cell: month-precise dates are not checked against a unit the code does not know.
    only(data.validate(), data, "date_precisions", 3, "unit", "'week' is not allowed: use one of day, month, year")


def test_a_precision_whose_display_is_not_a_format(data: DataDir) -> None:
    data.edit("date_precisions", 3, "display", "MM/YYYY")
    only(data.validate(), data, "date_precisions", 3, "display", "'MM/YYYY' is not allowed (did you mean 'YYYY'?): use one of D Mon YYYY, Mon YYYY, YYYY")


def test_a_display_finer_than_the_unit_is_refused(data: DataDir) -> None:
    data.edit("date_precisions", 4, "display", "Mon YYYY")
    only(data.validate(), data, "date_precisions", 4, "display", "'Mon YYYY' shows the month, finer than the unit of 'year' (year), which the source does not give: write YYYY")


def test_the_vocabulary_of_precision_is_read_first_wherever_the_descriptor_lists_it(data: DataDir) -> None:
    def last(package: dict) -> None:
        package["resources"].sort(key=lambda r: r["name"] == "date_precisions")

    data.edit_descriptor(last)
    data.edit("claims", 2, "date_precision", "month")
    data.edit("claims", 2, "claim_date", "2023-08-15")
    report = data.validate()
    only(report, data, "claims", 2, "claim_date", "is not the 1st of its month, but date_precision is 'month': write 2023-08-01")
    assert list(report.tables)[-1] == "date_precisions"  # the report keeps the descriptor's order


@pytest.mark.parametrize(
    ("broken", "column", "fragment"),
    [
        (None, "-", "file is missing: datapackage.json lists table 'date_precisions'"),
        ("precision,position,label,display,description\nday,0,To the day,D Mon YYYY,\nmonth,1,To the month,Mon YYYY,\nyear,2,To the year,YYYY,\n",
         "unit", "column 'unit' is missing"),
    ],
    ids=["missing", "without-unit"],
)
def test_a_missing_or_broken_vocabulary_of_precision_is_one_located_line(data: DataDir, broken: str | None, column: str, fragment: str) -> None:
    if broken is None:
        data.file("date_precisions").unlink()
    else:
        data.write("date_precisions", broken)
    data.edit("claims", 2, "claim_date", "2023-08-15")  # a day: fine whatever the vocabulary says
    only(data.validate(), data, "date_precisions", 1, column, fragment)


def test_date_after_the_cutoff(data: DataDir) -> None:
    data.edit_descriptor(lambda package: package.update(cutoff_date="2025-02-01"))  # after every date in VALID
    assert data.validate().ok
    data.edit("sources", 2, "accessed_date", "2025-02-02")
    only(data.validate(), data, "sources", 2, "accessed_date", "2025-02-02 is after the release's cut-off date 2025-02-01")


@pytest.mark.parametrize(
    ("change", "column", "fragment"),
    [
        (lambda p: p.pop("version"), "-", "has no 'version'"),
        (lambda p: p.update(version="1.0"), "version", "'1.0' is not MAJOR.MINOR.PATCH"),
        (lambda p: p.pop("cutoff_date"), "-", "has no 'cutoff_date'"),
        (lambda p: p.update(cutoff_date="2025-02-30"), "cutoff_date", "'2025-02-30' is not a date"),
    ],
    ids=["no-version", "version-not-semver", "no-cutoff", "cutoff-not-a-date"],
)
def test_release_version_and_cutoff(data: DataDir, change, column: str, fragment: str) -> None:
    data.edit_descriptor(change)
    problem = only(data.validate(), data, DESCRIPTOR, 1 if column == "-" else data_line(data, f'"{column}"'), column, fragment)
    assert problem.path == data.path(DESCRIPTOR)


def data_line(data: DataDir, needle: str) -> int:
    text = (data.root / DESCRIPTOR).read_text(encoding="utf-8")
    return text[: text.index(needle)].count("\n") + 1


def test_problems_are_capped_per_file_and_column(data: DataDir) -> None:
    rows = "".join(f"Z{i:02d},Nowhere,state\n" for i in range(30))
    data.write("parties", VALID["parties"] + rows)
    report = data.validate()
    shown = [p for p in report.problems if p.path == data.path("parties") and p.column == "party_id"]
    assert len(shown) == 21, _listing(report)
    assert [p.line for p in shown[:20]] == list(range(6, 26))
    assert shown[20] == Problem(data.path("parties"), 26, "party_id", "… and 10 more problems in this column")
    assert report.count == len(report.problems) + 10 - 1


@pytest.mark.parametrize("chunk", [1, 2, 3])
def test_chunks_do_not_change_the_report(data: DataDir, monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    # Rows are checked a chunk at a time: keys, order and references must work across chunk boundaries.
    data.insert("parties", 4, "FRA,France,state")  # a duplicate key, out of order
    data.insert("memberships", 5, "GBR,EU,1973-01-01,day,,s-memberships,")  # a duplicate composite key
    data.edit("events", 8, "party_id", "DEU")  # a dangling reference
    data.edit("events", 3, "event_date", "2023-10-15")  # month precision governs line 2 only
    expected = data.validate().problems
    assert len(expected) >= 4, _listing(data.validate())
    monkeypatch.setattr(validation, "CHUNK_ROWS", chunk)
    assert data.validate().problems == expected


def test_a_value_is_escaped_in_the_report() -> None:
    problem = Problem("data/x.csv", 3, "note", "'a\nb\x1b[31m\u202e' is wrong")
    assert str(problem) == "data/x.csv:3: note: 'a\\nb\\x1b[31m\\u202e' is wrong"


def test_rows_keep_all_but_free_text(data: DataDir) -> None:
    events = data.validate().tables["events"]
    row = events.rows[0]
    assert (row.line, row.get("event_id"), row.get("no_such_column")) == (2, "fra-01", "")
    with pytest.raises(KeyError, match="FREE_TEXT_COLUMNS"):
        row.get("description")  # free text: checked, then not kept


# --------------------------------------------------------------------------- every problem in one run


def test_all_problems_are_reported_in_one_run(data: DataDir) -> None:
    data.edit("parties", 3, "party_type", "stat")
    data.edit("claims", 2, "claimed_count", "-1")
    data.edit("milestones", 2, "end_date", "2023-07-32")
    report = data.validate()
    assert len(report.problems) == 3, _listing(report)
    expect(report, data, "parties", 3, "party_type", "'stat' is not allowed")
    expect(report, data, "claims", 2, "claimed_count", "-1 is below the minimum 0")
    expect(report, data, "milestones", 2, "end_date", "'2023-07-32' is not a real calendar date")
    assert len({p.path for p in report.problems}) == 3
    assert report.problems == sorted(report.problems, key=lambda p: (p.path, p.line, p.column, p.message))


def test_several_problems_in_one_file_are_all_reported(data: DataDir) -> None:
    data.edit("sources", 2, "language", "EN")
    data.edit("sources", 5, "url", "ftp://example.org")
    data.edit("sources", 9, "accessed_date", "2030-01-01")
    report = data.validate()
    assert [(p.line, p.column) for p in report.problems] == [(2, "language"), (5, "url"), (9, "accessed_date")], _listing(report)


# --------------------------------------------------------------------------- the command line

PROBLEM_LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+): (?P<column>[^:]+): (?P<message>.+)$")


def run_cli(data_dir: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "ANALYSIS_DATA_DIR"}
    return subprocess.run(
        [sys.executable, "-m", "analysis", "validate", "--data-dir", str(data_dir)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cli_bad_data_exit_1_with_located_messages(data: DataDir) -> None:
    data.edit("parties", 3, "party_type", "stat")
    data.edit("claims", 2, "claimed_count", "-1")
    data.edit("milestones", 2, "end_date", "2023-07-32")
    result = run_cli(data.root)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stderr == ""
    *messages, summary = result.stdout.splitlines()
    assert len(messages) == 3
    parsed = [PROBLEM_LINE.match(line) for line in messages]
    assert all(parsed), messages
    assert [(m["path"], int(m["line"]), m["column"]) for m in parsed] == [
        (data.path("claims"), 2, "claimed_count"),
        (data.path("milestones"), 2, "end_date"),
        (data.path("parties"), 3, "party_type"),
    ]
    assert "did you mean 'state'?" in parsed[2]["message"]
    assert summary.startswith("3 problem(s) found in ")


def test_cli_missing_descriptor_is_a_message_not_a_traceback(data: DataDir) -> None:
    (data.root / DESCRIPTOR).unlink()
    result = run_cli(data.root)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert PROBLEM_LINE.match(result.stdout.splitlines()[0])
    assert "datapackage.json is missing" in result.stdout


def test_cli_good_data_exit_0_with_one_summary_line(data: DataDir) -> None:
    result = run_cli(data.root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0] == f"data ok: {len(VALID)} tables, {VALID_ROWS} rows, 8 sources"


def _snapshot(folder: Path) -> dict[str, tuple]:
    return {
        str(p.relative_to(folder)): (p.is_dir(), p.stat().st_mtime_ns, None if p.is_dir() else p.read_bytes())
        for p in sorted(folder.rglob("*"))
    } | {".": (True, folder.stat().st_mtime_ns, None)}


@pytest.mark.parametrize("broken", [False, True], ids=["good", "bad"])
def test_validator_never_writes_to_the_data_folder(data: DataDir, broken: bool) -> None:
    if broken:
        data.write("parties", b"\xef\xbb\xbf" + VALID["parties"].replace("\n", "\r\n").encode())
        data.edit("claims", 2, "claimed_count", "x")
        data.file("milestones").unlink()
    before = _snapshot(data.root)
    report = data.validate()
    assert report.ok is not broken
    run_cli(data.root)
    assert _snapshot(data.root) == before



def _run(command: str, data_dir: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "ANALYSIS_DATA_DIR"}
    args = [sys.executable, "-m", "analysis", command, "--data-dir", str(data_dir)]
    return subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True, timeout=60)


def _drop(path: tuple) -> callable:
    def change(package: dict) -> None:
        node = package
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]

    return change


#: (issue 19, item 10) Inputs that ended in a traceback, or that the dictionary cannot describe: each gives located
#: lines and exit status 1, for validate and for dictionary; (what breaks it, the problem's line, its column, the gist).
BROKEN_DESCRIPTORS = {
    "broken-json": (lambda d: (d.root / DESCRIPTOR).write_text('{"resources": [', encoding="utf-8"), 1, "-", "not valid JSON"),
    "not-utf-8": (lambda d: (d.root / DESCRIPTOR).write_bytes(b'{"name": "caf\xe9"}'), 1, "-", "not valid UTF-8"),
    "a-list": (lambda d: (d.root / DESCRIPTOR).write_text("[]", encoding="utf-8"), 1, "-", "it is not a JSON object"),
    "fields-an-object": (
        lambda d: d.edit_descriptor(lambda p: p["resources"][1]["schema"].__setitem__("fields", {"party_id": "string"})),
        None,
        "resources[1].schema.fields",
        "must be a non-empty list",
    ),
    "resource-a-string": (lambda d: d.edit_descriptor(lambda p: p["resources"].append("events.csv")), None, None, "must be an object"),
}


@pytest.mark.parametrize("command", ["validate", "dictionary"])
@pytest.mark.parametrize("name", list(BROKEN_DESCRIPTORS))
def test_cli_broken_descriptor_is_located_lines_not_a_traceback(data: DataDir, command: str, name: str) -> None:
    breaker, line, column, fragment = BROKEN_DESCRIPTORS[name]
    breaker(data)
    result = _run(command, data.root)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr == "" and "Traceback" not in result.stdout
    lines = result.stdout.splitlines()
    problems = lines[:-1] if command == "validate" else lines
    parsed = [PROBLEM_LINE.match(text) for text in problems]
    assert parsed and all(parsed), result.stdout
    assert any(
        m["path"] == data.path(DESCRIPTOR) and (line is None or int(m["line"]) == line) and (column is None or m["column"] == column)
        and fragment in m["message"]
        for m in parsed
    ), result.stdout  # fmt: skip


@pytest.mark.parametrize(
    "path, column",
    [(("resources", 1, "description"), "resources[1]"), (("resources", 2, "schema", "fields", 0, "description"), "resources[2].schema.fields[0]")],
)
def test_cli_dictionary_names_what_it_cannot_describe(data: DataDir, path: tuple, column: str) -> None:
    data.edit_descriptor(_drop(path))
    assert data.validate().ok  # a description is optional for the validator...
    result = _run("dictionary", data.root)  # ...but the dictionary needs it
    assert (result.returncode, result.stderr) == (1, ""), result.stdout + result.stderr
    (only_line,) = result.stdout.splitlines()
    match = PROBLEM_LINE.match(only_line)
    assert match and match["column"] == column and "the dictionary needs a description" in match["message"], only_line


def test_cli_dictionary_of_a_good_folder_is_the_generated_dictionary(data: DataDir) -> None:
    from analysis.schema import render_dictionary

    result = _run("dictionary", data.root)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == render_dictionary(data.root) + "\n"


def test_cli_non_utf8_table_is_located_not_a_traceback(data: DataDir) -> None:
    data.write("parties", VALID["parties"].replace("France", "Fr\xe4nce").encode("latin-1"))
    result = _run("validate", data.root)
    assert (result.returncode, result.stderr) == (1, ""), result.stdout + result.stderr
    first = PROBLEM_LINE.match(result.stdout.splitlines()[0])
    assert first and (first["path"], int(first["line"]), first["column"]) == (data.path("parties"), 3, "party_name")


def test_cli_an_unexpected_error_is_one_line_and_status_2(data: DataDir, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    from analysis.validation import cli

    def broken(data_dir):
        raise RuntimeError("a bug\nover two lines")

    monkeypatch.setattr(cli, "validate", broken)
    assert cli.main(str(data.root)) == 2
    out = capsys.readouterr().out
    assert len(out.splitlines()) == 1 and "RuntimeError: a bug\\nover two lines" in out, out

# --------------------------------------------------------------------------- properties

SOURCE_LINES = VALID["sources"].splitlines(keepends=True)


def test_any_unsorted_permutation_is_reported_as_unsorted(tmp_path: Path) -> None:
    data = DataDir(tmp_path / "data")
    header, body = SOURCE_LINES[0], SOURCE_LINES[1:]

    @settings(max_examples=50, deadline=None, database=None)
    @given(st.permutations(body))
    def check(order: list[str]) -> None:
        data.write("sources", header + "".join(order))
        report = data.validate()
        keys = [line.split(",", 1)[0] for line in order]
        descents = {i + 2 for i in range(1, len(keys)) if keys[i] < keys[i - 1]}
        assert {(p.path, p.line, p.column) for p in report.problems} == {(data.path("sources"), n, "source_id") for n in descents}
        assert all("rows are not sorted by (source_id)" in p.message for p in report.problems)
        assert report.ok == (order == body)

    check()


def test_dates_after_today_and_only_those_are_in_the_future(tmp_path: Path) -> None:
    data = DataDir(tmp_path / "data")

    @settings(max_examples=50, deadline=None, database=None)
    @given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
    def check(day: dt.date) -> None:
        data.edit("sources", 2, "published_date", day.isoformat())
        report = data.validate()
        if day > TODAY:
            only(report, data, "sources", 2, "published_date", "is in the future (today is 2025-06-01)")
        else:
            assert report.ok, _listing(report)

    check()


TABLES = sorted(VALID)


def test_garbage_bytes_never_crash_the_validator(tmp_path: Path) -> None:
    data = DataDir(tmp_path / "data")

    garbage = st.one_of(
        st.binary(max_size=300),
        st.tuples(st.sampled_from(TABLES), st.binary(max_size=200)).map(lambda t: VALID[t[0]].split("\n", 1)[0].encode() + b"\n" + t[1]),
    )

    @settings(max_examples=50, deadline=None, database=None)
    @given(st.sampled_from(TABLES), garbage)
    def check(table: str, raw: bytes) -> None:
        data.write(table, raw)
        try:
            report = data.validate()
            assert isinstance(report, Report)
            for problem in report.problems:
                assert Path(problem.path).parent == Path(data.path(table)).parent, problem
                assert problem.line >= 1 and isinstance(problem.column, str) and problem.message
        finally:
            data.write(table, VALID[table])

    check()


def test_spliced_bytes_never_crash_the_validator(tmp_path: Path) -> None:
    data = DataDir(tmp_path / "data")

    @settings(max_examples=50, deadline=None, database=None)
    @given(st.sampled_from(TABLES), st.data())
    def check(table: str, draw) -> None:
        valid = VALID[table].encode()
        at = draw.draw(st.integers(0, len(valid)))
        cut = draw.draw(st.integers(0, 10))
        piece = (draw.draw(st.binary(max_size=12) | st.sampled_from([b'"', b",", b"\n", b"\xef\xbb\xbf", b"\xff", b" "])))
        data.write(table, valid[:at] + piece + valid[at + cut :])
        try:
            assert isinstance(data.validate(), Report)
        finally:
            data.write(table, VALID[table])

    check()


def test_garbage_text_never_crashes_the_validator(tmp_path: Path) -> None:
    data = DataDir(tmp_path / "data")

    @settings(max_examples=50, deadline=None, database=None)
    @given(st.sampled_from(TABLES), st.text(alphabet=st.sampled_from(list(',"\r\n ab-1é\t;')) | st.characters(blacklist_categories=("Cs",)), max_size=200))  # text a file can hold
    def check(table: str, text: str) -> None:
        data.write(table, text)
        try:
            assert isinstance(data.validate(), Report)
        finally:
            data.write(table, VALID[table])

    check()


# --------------------------------------------------------------------------- release 1.1.0: tracks, meetings, clauses


def test_an_approval_needs_its_side(data: DataDir) -> None:
    data.edit("events", 5, "side", "")
    only(data.validate(), data, "events", 5, "side", "a ratified step needs its side: ukraine, partner or both")


def test_side_only_for_approvals_ratifications_and_entry_into_force(data: DataDir) -> None:
    data.edit("events", 3, "side", "ukraine")
    only(data.validate(), data, "events", 3, "side", "side is only for approved, ratified, entered_into_force")


def test_an_unknown_side_is_refused(data: DataDir) -> None:
    data.edit("events", 5, "side", "Ukraine")
    expect(data.validate(), data, "events", 5, "side", "'Ukraine' is not allowed")


def test_the_us_guarantee_track_has_no_agreement(data: DataDir) -> None:
    data.edit("events", 2, "track", "us_guarantees")
    only(data.validate(), data, "events", 2, "agreement_id", "the US guarantee track has no signed agreement yet")


def test_a_postponed_signing_after_the_signature_is_refused(data: DataDir) -> None:
    data.edit("events", 4, "event_type", "signing_postponed")
    data.edit("events", 4, "event_date", "2024-03-01")
    only(data.validate(), data, "events", 4, "event_date", "a signing_postponed on 2024-03-01 comes after the agreement was signed")


def test_a_declaration_adopted_at_a_meeting_carries_its_date(data: DataDir) -> None:
    data.edit("declarations", 3, "adopted_date", "2025-01-07")
    only(data.validate(), data, "declarations", 3, "adopted_date", "adopted at meeting 'cotw-2025-01-06-paris' on 2025-01-06, not 2025-01-07")


def test_a_participant_of_an_unknown_meeting_is_refused(data: DataDir) -> None:
    data.edit("meeting_participants", 3, "meeting_id", "cotw-2025-01-07-paris")
    only(data.validate(), data, "meeting_participants", 3, "meeting_id", "'cotw-2025-01-07-paris' is not a meeting_id")


def test_a_participant_listed_twice_in_one_meeting_is_refused(data: DataDir) -> None:
    data.insert("meeting_participants", 3, "cotw-2025-01-06-paris,GBR,took_part,s-declaration,")
    expect(data.validate(), data, "meeting_participants", 4, "meeting_id", "duplicate key")


def test_a_clause_value_the_dimension_does_not_allow_is_refused(data: DataDir) -> None:
    # "prompt" is a value of consultations, not of air_defence: the composite foreign key catches it
    data.edit("clauses", 4, "value", "prompt")
    only(data.validate(), data, "clauses", 4, "value", "is not a (dimension_id and value) pair")


def test_not_stated_has_no_quote(data: DataDir) -> None:
    data.edit("clauses", 2, "quote", "some words")
    only(data.validate(), data, "clauses", 2, "quote", "not_stated means the text does not say it: leave quote empty")


def test_a_coded_value_needs_its_quote_and_reference(data: DataDir) -> None:
    data.edit("clauses", 3, "quote", "")
    data.edit("clauses", 3, "reference", "")
    report = data.validate()
    expect(report, data, "clauses", 3, "quote", "a coded value (within_24_hours) needs its quote from the text")
    expect(report, data, "clauses", 3, "reference", "a coded value (within_24_hours) needs its reference from the text")
    assert len(report.problems) == 2, _listing(report)


def test_a_quote_longer_than_the_limit_is_refused(data: DataDir) -> None:
    data.edit("clauses", 3, "quote", "x" * 401)
    only(data.validate(), data, "clauses", 3, "quote", "quote is 401 characters")


def test_a_disagreement_between_coders_needs_its_resolution(data: DataDir) -> None:
    data.edit("clause_checks", 3, "resolution", "")
    only(data.validate(), data, "clause_checks", 3, "resolution", "the two codings differ: say how the disagreement was settled")


def test_an_agreement_between_coders_needs_no_resolution(data: DataDir) -> None:
    data.edit("clause_checks", 2, "resolution", "Settled.")
    only(data.validate(), data, "clause_checks", 2, "resolution", "the two codings agree")


def test_a_signed_or_endorsed_party_at_adoption_carries_the_adoption_date(data: DataDir) -> None:
    data.insert("signatories", 5, "paris-declaration-2025,FRA,signed,2025-01-07,day,adoption,s-signatories,,,,")
    only(data.validate(), data, "signatories", 5, "joined_date", "date_basis 'adoption' means the adoption date (2025-01-06), not 2025-01-07")


def test_the_signature_is_not_an_event(data: DataDir) -> None:
    data.edit("events", 4, "event_type", "signed")
    only(data.validate(), data, "events", 4, "event_type", "signed is the signature, recorded as agreements.signed_date")


def test_an_event_type_the_vocabulary_does_not_list_is_refused(data: DataDir) -> None:
    data.edit("events", 3, "event_type", "negotiation_rnd")
    only(data.validate(), data, "events", 3, "event_type", "'negotiation_rnd' is not a event_type in")


def test_a_new_event_type_is_one_row_and_the_rules_follow_its_group(data: DataDir) -> None:
    # One row in event_types.csv makes a new kind of step valid, and its group puts it under the rules.
    data.insert("event_types", 6, "parliament_debate,9,Parliamentary debate,negotiation,")
    data.edit("events", 3, "event_type", "parliament_debate")
    assert data.validate().ok, _listing(data.validate())
    data.edit("events", 3, "event_date", "2023-08-15")  # before talks opened (September 2023)
    only(data.validate(), data, "events", 3, "event_date", "a parliament_debate on 2023-08-15 comes before talks opened")


def test_a_role_its_vocabulary_does_not_list_is_refused(data: DataDir) -> None:
    data.edit("meeting_participants", 3, "role", "co_host")
    only(data.validate(), data, "meeting_participants", 3, "role", "'co_host' is not a role in")


def test_a_signatory_role_is_from_the_signatories_vocabulary_not_the_meetings(data: DataDir) -> None:
    data.edit("signatories", 4, "role", "took_part")  # a meeting role: each table has its own vocabulary
    only(data.validate(), data, "signatories", 4, "role", "'took_part' is not a role in")


def test_a_date_precision_the_vocabulary_does_not_list_is_refused(data: DataDir) -> None:
    data.edit("events", 3, "date_precision", "week")
    only(data.validate(), data, "events", 3, "date_precision", "'week' is not a precision in")


def test_a_new_signatory_role_is_one_row_and_the_rules_follow_when_it_joins(data: DataDir) -> None:
    # A role that joins at adoption falls under the original signatories' rule, read from signatory_roles.joins.
    data.insert("signatory_roles", 4, "founding,4,Founding party,at_adoption,")
    data.edit("signatories", 2, "role", "founding")
    assert data.validate().ok, _listing(data.validate())
    data.edit("signatories", 2, "joined_date", "2023-07-13")
    only(data.validate(), data, "signatories", 2, "joined_date", "an original signatory joins on the adoption date (2023-07-12), not 2023-07-13")


def test_a_new_role_or_precision_is_one_row(data: DataDir) -> None:
    data.insert("participant_roles", 5, "video_link,3,Joined by video,")
    data.edit("meeting_participants", 3, "role", "video_link")
    data.insert("date_precisions", 4, "month_approx,3,About the month,month,Mon YYYY,")
    data.edit("claims", 2, "date_precision", "month_approx")
    assert data.validate().ok, _listing(data.validate())


def test_a_double_coded_cell_settled_on_another_value_than_the_matrix(data: DataDir) -> None:
    # (issue 17) fra-2024 consultations: settled on 'prompt' in clause_checks, coded 'within_24_hours' in clauses.
    data.edit("clause_checks", 3, "resolved_value", "prompt")
    only(data.validate(), data, "clause_checks", 3, "resolved_value", "settled on 'prompt', but")


def test_a_double_coded_cell_both_coders_agree_on_differs_from_the_matrix(data: DataDir) -> None:
    data.edit("clause_checks", 2, "first_value", "named")
    data.edit("clause_checks", 2, "second_value", "named")
    problem = only(data.validate(), data, "clause_checks", 2, "first_value", "both coded 'named', but")
    assert "line 2 says 'not_stated'" in problem.message


def test_a_disagreement_without_its_resolved_value(data: DataDir) -> None:
    data.edit("clause_checks", 3, "resolved_value", "")
    only(data.validate(), data, "clause_checks", 3, "resolved_value", "the two codings differ: record the value")


def test_double_coding_is_compared_only_where_the_structured_column_exists(data: DataDir) -> None:
    def drop_field(package: dict) -> None:
        checks = next(r for r in package["resources"] if r["name"] == "clause_checks")
        checks["schema"]["fields"] = [f for f in checks["schema"]["fields"] if f["name"] != "resolved_value"]

    data.edit_descriptor(drop_field)
    data.write("clause_checks", dump([row[:4] + row[5:] for row in rows_of(data.text("clause_checks"))]))
    data.edit("clause_checks", 3, "second_value", "within_24_hours")  # without resolved_value: agreed, as clauses says
    assert data.validate().ok, _listing(data.validate())


# --- what the agreements pledge, their legal terms, and the claims' glosses (issues 16, 17) --------------------------


def test_commitment_amount_without_currency(data: DataDir) -> None:
    data.edit("commitments", 2, "currency", "")
    only(data.validate(), data, "commitments", 2, "currency", "amount and currency go together")


def test_commitment_amount_and_share_of_gdp(data: DataDir) -> None:
    data.edit("commitments", 2, "share_of_gdp_pct", "0.25")
    only(data.validate(), data, "commitments", 2, "amount", "fill exactly one of amount and share_of_gdp_pct")


def test_commitment_half_a_period(data: DataDir) -> None:
    data.edit("commitments", 2, "period_end", "")
    only(data.validate(), data, "commitments", 2, "period_end", "period_start and period_end go together")


def test_commitment_period_of_two_precisions(data: DataDir) -> None:
    data.edit("commitments", 2, "period_end", "2024-12")
    only(data.validate(), data, "commitments", 2, "period_end", "should have the precision of period_start")


def test_commitment_period_reversed(data: DataDir) -> None:
    data.edit("commitments", 3, "period_end", "2024-01")
    only(data.validate(), data, "commitments", 3, "period_end", "ends (2024-01) before it starts (2024-04)")


def test_commitment_id_of_another_agreement(data: DataDir) -> None:
    data.edit("commitments", 2, "commitment_id", "fra-2025-01")
    only(data.validate(), data, "commitments", 2, "commitment_id", "should start with its agreement 'fra-2024-'")


def test_commitment_currency_without_a_rate(data: DataDir) -> None:
    data.edit("commitments", 3, "currency", "CHF")
    only(data.validate(), data, "commitments", 3, "currency", "no ECB rate for CHF 2024")


def test_legal_terms_effect_stated_without_its_quote(data: DataDir) -> None:
    data.edit("legal_terms", 2, "effect_quote", "")
    only(data.validate(), data, "legal_terms", 2, "effect_quote", "filled exactly when comes_into_effect")


def test_legal_terms_extension_quote_without_extension(data: DataDir) -> None:
    data.edit("legal_terms", 3, "extension", "not_stated")
    only(data.validate(), data, "legal_terms", 3, "extension_quote", "filled exactly when extension is 'joint_decision'")


def test_legal_terms_no_start_for_a_term_in_years(data: DataDir) -> None:
    data.edit("legal_terms", 2, "term_runs_from", "not_stated")
    only(data.validate(), data, "legal_terms", 2, "term_runs_from", "exactly when the agreement has no term_years")


def test_legal_terms_for_an_agreement_whose_text_was_not_read(data: DataDir) -> None:
    data.write("legal_terms", data.text("legal_terms") + "gbr-2025,on_signature,Art. 1,In effect on signature.,signature,not_stated,,,,s-agreements,\n")
    only(data.validate(), data, "legal_terms", 4, "agreement_id", "has no clauses")


def test_a_claim_in_another_script_needs_its_english_gloss(data: DataDir) -> None:
    data.edit("claims", 2, "claim_text", "Одна країна приєдналася")
    only(data.validate(), data, "claims", 2, "gloss", "give its English gloss")
    data.edit("claims", 2, "gloss", "One country joined")
    assert data.validate().ok, _listing(data.validate())


def test_a_glossary_phrase_standing_for_two_terms(data: DataDir) -> None:
    data.write("glossary", data.text("glossary") + "g7-jdsu,Joint declaration,G7 declaration,The same declaration.,s-declaration\n")
    only(data.validate(), data, "glossary", 3, "also_called", "'g7 declaration' also stands for 'g7-declaration'")


# --------------------------------------------------------------------------- every rule has its broken example

#: Each registered cross-table rule (analysis/validation/rules/) and the tests above that break it.
RULE_EXAMPLES = {
    "agreement_id_names_partner_and_year": [test_agreement_id_prefix_must_match_partner, test_agreement_id_year_must_match_signing_year],
    "related_agreement_earlier_with_same_partner": [
        test_related_agreement_without_relation,
        test_relation_without_related_agreement,
        test_related_agreement_with_another_partner,
        test_related_agreement_must_be_earlier,
        test_agreement_related_to_itself,
    ],
    "commitment_complete": [test_commitment_amount_without_currency, test_commitment_amount_and_share_of_gdp, test_commitment_half_a_period,
                            test_commitment_period_of_two_precisions, test_commitment_period_reversed, test_commitment_id_of_another_agreement],
    "commitment_has_a_rate": [test_commitment_currency_without_a_rate],
    "legal_terms_quote_what_they_state": [test_legal_terms_effect_stated_without_its_quote, test_legal_terms_extension_quote_without_extension,
                                          test_legal_terms_no_start_for_a_term_in_years, test_legal_terms_for_an_agreement_whose_text_was_not_read],
    "claim_in_another_language_has_a_gloss": [test_a_claim_in_another_script_needs_its_english_gloss],
    "glossary_phrase_names_one_term": [test_a_glossary_phrase_standing_for_two_terms],
    "clause_quote_fits_value": [test_not_stated_has_no_quote, test_a_coded_value_needs_its_quote_and_reference],
    "clause_quote_short": [test_a_quote_longer_than_the_limit_is_refused],
    "disagreement_resolved": [test_a_disagreement_between_coders_needs_its_resolution, test_an_agreement_between_coders_needs_no_resolution],
    "joined_not_before_adoption": [test_signatory_joined_before_adoption],
    "original_joins_on_adoption": [test_original_signatory_not_on_adoption_date, test_role_original_without_date_basis_adoption],
    "date_basis_fits_role": [test_date_basis_adoption_without_role_original, test_a_signed_or_endorsed_party_at_adoption_carries_the_adoption_date],
    "declaration_dated_as_its_meeting": [test_a_declaration_adopted_at_a_meeting_carries_its_date],
    "event_id_names_partner": [test_event_id_prefix_must_match_partner],
    "talks_opened_once": [test_talks_opened_twice],
    "steps_follow_opening": [test_round_before_talks_opened, test_a_made_up_precision_spans_its_unit],
    "display_within_unit": [test_a_display_finer_than_the_unit_is_refused],
    "event_matches_its_agreement": [
        test_event_agreement_with_another_partner,
        test_pre_signature_event_after_signing,
        test_post_signature_event_before_signing,
        test_a_postponed_signing_after_the_signature_is_refused,
    ],
    "side_only_for_sided_steps": [test_an_approval_needs_its_side, test_side_only_for_approvals_ratifications_and_entry_into_force],
    "us_track_without_agreement": [test_the_us_guarantee_track_has_no_agreement],
    "signature_is_not_an_event": [test_the_signature_is_not_an_event],
    "double_coding_matches_matrix": [
        test_a_double_coded_cell_settled_on_another_value_than_the_matrix,
        test_a_double_coded_cell_both_coders_agree_on_differs_from_the_matrix,
        test_a_disagreement_without_its_resolved_value,
    ],
    "membership_ends_after_start": [test_membership_left_before_joined, test_membership_left_on_the_day_it_joined],
    "membership_spells_do_not_overlap": [test_membership_spells_overlap, test_membership_spell_after_an_open_spell_overlaps],
    "every_source_cited": [test_uncited_source],
    "alternative_sourced_and_different": [test_alt_value_without_alt_source, test_alt_source_without_alt_value, test_alt_value_equal_to_main_value],
}


def test_every_rule_has_a_broken_example() -> None:
    from analysis.validation.rules import RULES

    registered = [rule.name for rule in RULES]
    assert len(set(registered)) == len(registered), "two rules share a name"
    assert sorted(RULE_EXAMPLES) == sorted(registered), "add the new rule's broken example to RULE_EXAMPLES (or drop a removed rule's)"
    for name, tests in RULE_EXAMPLES.items():
        assert tests and all(test.__name__.startswith("test_") for test in tests), name


@pytest.mark.parametrize("name", sorted(RULE_EXAMPLES))
def test_each_broken_example_needs_its_rule(tmp_path: Path, name: str) -> None:
    # With the rule taken out of the registry, every one of its broken examples must fail: each one is caught by
    # this rule, not by another rule or by the engine.
    from analysis.validation.rules import registry

    original = list(registry.RULES)
    registry.RULES[:] = [rule for rule in original if rule.name != name]
    try:
        for i, test in enumerate(RULE_EXAMPLES[name]):
            with pytest.raises(AssertionError):
                test(DataDir(tmp_path / f"data-{i}"))
    finally:
        registry.RULES[:] = original


# --------------------------------------------------------------------------- patterns: RE2 with Python's meaning

#: Patterns with Python's Unicode classes, which RE2 reads as ASCII unless translated (analysis/validation/patterns.py).
CLASS_PATTERNS = [r"^\d+$", r"^\w[\w-]*$", r"^\S+$", r"^[\s,]*\D?$", r"^\W*$", r"^[\d.]+\Z", "^\\u00e9[^\\d]$"]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(CLASS_PATTERNS), st.text(st.characters(blacklist_categories=("Cs", "Cn")), max_size=6))
def test_descriptor_patterns_match_as_in_python(pattern: str, value: str) -> None:
    from analysis.validation.patterns import compile_pattern

    assert bool(compile_pattern(pattern).fullmatch(value)) == bool(re.fullmatch(pattern, value))


@pytest.mark.parametrize("pattern", [r"^\d+$", r"^\w+$", r"^\s+$"])
@pytest.mark.parametrize("value", ["٣٤", "é", "\xa0", "Жx", "1 2", "\u2028"])
def test_unicode_classes_keep_their_python_meaning(pattern: str, value: str) -> None:
    from analysis.validation.patterns import compile_pattern

    assert bool(compile_pattern(pattern).fullmatch(value)) == bool(re.fullmatch(pattern, value)), (pattern, value)
