"""Unit tests for analysis.overview: official sources, table summaries, sources, precision, conflicts, gaps."""

from __future__ import annotations

import copy
import warnings

import numpy as np
import pandas as pd
import pytest
from frames import D, S
from pandas.testing import assert_frame_equal

from analysis.overview import (
    conflicts,
    coverage_gaps,
    date_precision,
    is_official,
    official_share,
    party_names,
    sources_by,
    table_summary,
)

# --- is_official -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.president.gov.ua/en/news/x", True),  # a subdomain of an official host
        ("https://gov.uk/x", True),  # the host itself
        ("http://WWW.GOV.UK/guidance", True),  # plain http and upper case
        ("https://www.gov.uk:443/x", True),  # a port is not part of the host
        ("https://www.nato.int/cps/en/natohq/official_texts.htm", True),  # NATO
        ("https://www.pravda.com.ua/eng/news/x", False),  # a newspaper
        ("https://notgov.uk/x", False),  # ends with the name but not at a dot
        ("https://gov.uk.example.com/x", False),  # an official host as a prefix of another domain
        ("https://example.com/?next=https://www.gov.uk/", False),  # an official url in the query string
        ("mailto:press@gov.uk", False),  # no host
        ("gov.uk/x", False),  # no scheme: no host
        ("", False),  # empty
    ],
)
def test_is_official(url, expected):
    assert is_official(url) is expected


# --- table_summary ---------------------------------------------------------------------------------

TABLES = {
    # alt_ columns are never the main date column; the main one may have gaps
    "events": pd.DataFrame(
        {
            "alt_event_date": D(["2020-01-01", None, None]),
            "event_date": D(["2024-01-02", "2023-08-03", None]),
            "note": S(["a", "b", "c"]),
        }
    ),
    # accessed_date is skipped in favour of published_date
    "sources": pd.DataFrame(
        {"accessed_date": D(["2026-11-28", "2026-11-28"]), "published_date": D([None, "2024-05-01"]), "url": S(["u1", "u2"])}
    ),
    # left_date is skipped in favour of joined_date
    "memberships": pd.DataFrame({"left_date": D(["2020-02-01", None]), "joined_date": D(["1973-01-01", "2023-04-04"])}),
    # no date column
    "parties": pd.DataFrame({"party_id": S(["UKR"]), "party_name": S(["Ukraine"])}),
    # a date column with no dates
    "milestones": pd.DataFrame({"start_date": D([None]), "end_date": D(["2024-01-01"])}),
}


def test_table_summary():
    expected = pd.DataFrame(
        {
            "table": ["events", "sources", "memberships", "parties", "milestones"],
            "rows": [3, 2, 2, 1, 1],
            "columns": [3, 3, 2, 2, 2],
            "date_column": ["event_date", "published_date", "joined_date", "", "start_date"],
            "first_date": ["2023-08-03", "2024-05-01", "1973-01-01", "", ""],
            "last_date": ["2024-01-02", "2024-05-01", "2023-04-04", "", ""],
        }
    )
    assert_frame_equal(table_summary(TABLES), expected)


def test_table_summary_no_tables():
    assert table_summary({}).shape == (0, 0)


# --- sources_by ------------------------------------------------------------------------------------

SOURCES = pd.DataFrame(
    {
        "source_id": S(["a", "b", "c", "d", "e"]),
        "url": S(
            [
                "https://www.gov.uk/x",
                "https://news.example/y",
                "https://www.nato.int/z",
                "https://news.example/w",
                "https://rada.gov.ua/v",
            ]
        ),
        "language": S(["en", "uk", "en", None, "fr"]),
    }
)


@pytest.mark.parametrize(
    ("top", "expected"),
    [
        # most first; ties alphabetically, "(none)" for missing values; shares of all sources
        (None, [["en", 2, 0.4], ["(none)", 1, 0.2], ["fr", 1, 0.2], ["uk", 1, 0.2]]),
        # top keeps the share of the whole, not of the top rows
        (2, [["en", 2, 0.4], ["(none)", 1, 0.2]]),
        (10, [["en", 2, 0.4], ["(none)", 1, 0.2], ["fr", 1, 0.2], ["uk", 1, 0.2]]),  # more than there are
    ],
)
def test_sources_by(top, expected):
    out = sources_by(SOURCES, "language", top=top)
    assert out.columns.tolist() == ["language", "sources", "share"]
    assert out.values.tolist() == expected


# --- official_share --------------------------------------------------------------------------------


def test_official_share():
    tables = {
        "agreements": pd.DataFrame({"source_id": S(["a", "b", "c", "a"])}),  # gov.uk, news, nato.int, gov.uk
        "sources": SOURCES,  # the sources table itself is skipped
        "parties": pd.DataFrame({"party_id": S(["UKR"])}),  # no source_id: skipped
        "claims": pd.DataFrame({"source_id": S(["e", "b"])}),  # rada.gov.ua, news
        "events": pd.DataFrame({"source_id": S([])}),  # no rows: share 0.0
    }
    expected = pd.DataFrame(
        {
            "table": ["agreements", "claims", "events"],
            "rows": [4, 2, 0],
            "official": [3, 1, 0],
            "share_official": [0.75, 0.5, 0.0],
        }
    )
    assert_frame_equal(official_share(SOURCES, tables), expected)


def test_official_share_unknown_or_missing_source_counts_as_not_official():
    tables = {"events": pd.DataFrame({"source_id": S(["a", "zzz", None])})}
    expected = pd.DataFrame({"table": ["events"], "rows": [3], "official": [1], "share_official": [1 / 3]})
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)  # as pyproject's filterwarnings does, also outside pytest's config
        out = official_share(SOURCES, tables)
    assert_frame_equal(out, expected)


# --- date_precision --------------------------------------------------------------------------------


def test_date_precision():
    tables = {
        "signatories": pd.DataFrame({"date_precision": S(["day", "day", "month"])}),
        "parties": pd.DataFrame({"party_id": S(["UKR"])}),  # no precision column: skipped
        "events": pd.DataFrame({"date_precision": S(["year", "day"])}),
    }
    expected = pd.DataFrame({"table": ["signatories", "events"], "day": [2, 1], "month": [1, 0], "year": [0, 1]})
    assert_frame_equal(date_precision(tables), expected)


def test_date_precision_no_tables():
    out = date_precision({})
    assert out.columns.tolist() == ["table", "day", "month", "year"]
    assert len(out) == 0


# --- conflicts -------------------------------------------------------------------------------------

CONFLICT_TABLES = {
    "signatories": pd.DataFrame(
        {
            "party_id": S(["PRT", "ESP"]),
            "joined_date": D(["2023-07-12", "2023-07-12"]),
            "alt_joined_date": D(["2023-07-14", None]),  # ESP has no alternative: no row
            "source_id": S(["a", "b"]),
            "alt_source_id": S(["b", None]),
            "note": S(["two dates reported", None]),
        }
    ),
    "events": pd.DataFrame(
        {
            "party_id": S(["BEL"]),
            "event_date": D(["2024-05-10"]),
            "alt_event_date": D(["2024-05-11"]),
            "source_id": S(["c"]),
            "alt_source_id": S(["d"]),
            "note": [np.nan],  # not text: empty note
        }
    ),
    # no party_id column; a number in conflict
    "claims": pd.DataFrame(
        {
            "claimed_count": pd.array([10], dtype="Int64"),
            "alt_claimed_count": pd.array([12], dtype="Int64"),
            "source_id": S(["e"]),
            "alt_source_id": S(["f"]),
        }
    ),
    "parties": pd.DataFrame({"party_id": S(["UKR"])}),  # no alt_ columns
}


def test_conflicts():
    expected = pd.DataFrame(
        {
            "table": ["signatories", "events", "claims"],
            "party_id": ["PRT", "BEL", ""],
            "field": ["joined_date", "event_date", "claimed_count"],
            "kept": ["2023-07-12", "2024-05-10", "10"],
            "alternative": ["2023-07-14", "2024-05-11", "12"],
            "source_id": ["a", "c", "e"],
            "alt_source_id": ["b", "d", "f"],
            "note": ["two dates reported", "", ""],
        }
    )
    assert_frame_equal(conflicts(CONFLICT_TABLES), expected)


def test_conflicts_none():
    out = conflicts({"parties": CONFLICT_TABLES["parties"]})
    assert out.columns.tolist() == ["table", "party_id", "field", "kept", "alternative", "source_id", "alt_source_id", "note"]
    assert len(out) == 0


# --- coverage_gaps ---------------------------------------------------------------------------------

GAP_AGREEMENTS = pd.DataFrame(
    {
        "agreement_id": S(["aaa-2024", "bbb-2024", "ccc-2024", "aaa-2025"]),
        "party_id": S(["AAA", "BBB", "CCC", "AAA"]),
        "place": S(["Kyiv", None, "Paris", None]),
        "partner_signatory": S(["X", None, "Y", "Z"]),
        "term_years": pd.array([10, None, None, 10], dtype="Int64"),
        "commitment_amount": [1e9, np.nan, np.nan, 2e9],
        "commitment_text": S(["EUR 1bn", None, "support as needed", None]),
    }
)
GAP_EVENTS = pd.DataFrame({"party_id": S(["AAA", "CCC", "AAA"])})


def test_coverage_gaps():
    expected = pd.DataFrame(
        {
            # aaa-2024 lacks nothing: no row
            "agreement_id": ["bbb-2024", "ccc-2024", "aaa-2025"],
            "party_id": ["BBB", "CCC", "AAA"],
            "missing": [
                "dated negotiation steps, partner signatory, place, term, headline commitment",  # everything missing
                "term",  # a text without an amount is a headline commitment
                "place",  # events are per party, so AAA's second agreement has them
            ],
        }
    )
    assert_frame_equal(coverage_gaps(GAP_AGREEMENTS, GAP_EVENTS), expected)


def test_coverage_gaps_complete():
    out = coverage_gaps(GAP_AGREEMENTS.iloc[:1], GAP_EVENTS)
    assert out.columns.tolist() == ["agreement_id", "party_id", "missing"]
    assert len(out) == 0


# --- party_names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parties", "expected"),
    [
        (
            pd.DataFrame({"party_id": S(["UKR", "EUU"]), "party_name": S(["Ukraine", "European Union"])}),
            {"UKR": "Ukraine", "EUU": "European Union"},
        ),
        (pd.DataFrame({"party_id": S([]), "party_name": S([])}), {}),  # no parties
    ],
)
def test_party_names(parties, expected):
    assert party_names(parties) == expected


# --- inputs are never modified ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("func", "args"),
    [
        (table_summary, (TABLES,)),
        (sources_by, (SOURCES, "language")),
        (official_share, (SOURCES, {"agreements": pd.DataFrame({"source_id": S(["a", "b"])})})),
        (date_precision, ({"t": pd.DataFrame({"date_precision": S(["day", "month"])})},)),
        (conflicts, (CONFLICT_TABLES,)),
        (coverage_gaps, (GAP_AGREEMENTS, GAP_EVENTS)),
        (party_names, (pd.DataFrame({"party_id": S(["UKR"]), "party_name": S(["Ukraine"])}),)),
    ],
    ids=lambda v: getattr(v, "__name__", None),
)
def test_inputs_not_modified(func, args):
    before = copy.deepcopy(args)
    func(*args)
    for old, new in zip(before, args, strict=True):
        if isinstance(old, pd.DataFrame):
            assert_frame_equal(new, old)
        elif isinstance(old, dict):
            assert list(new) == list(old)
            for name in old:
                assert_frame_equal(new[name], old[name])
        else:
            assert new == old


# --- observed_until: how far each track of the record reaches ------------------------------------------------------


def _reach_tables():
    """Sources dated 2024 to 2026; the exchange-rate table (reference data) cites the newest of them."""
    return {
        "sources": pd.DataFrame({"source_id": S(["a", "b", "c", "d", "fx"]),
                                 "published_date": D(["2024-01-12", "2025-11-07", "2026-03-13", "2026-02-24", "2026-10-30"])}),
        "agreements": pd.DataFrame({"source_id": S(["a"]), "other_source_ids": S([None])}),
        # a bilateral step cites b among its further sources; the US step cites c
        "events": pd.DataFrame({"track": S(["bilateral_agreement", "us_guarantees"]), "source_id": S(["a", "c"]),
                                "other_source_ids": S(["b", None])}),
        "meetings": pd.DataFrame({"meeting_id": S(["m", "x"]), "forum": S(["coalition_of_the_willing", "other"]), "source_id": S(["d", "c"])}),
        "meeting_participants": pd.DataFrame({"meeting_id": S(["m"]), "source_id": S(["d"])}),
        "exchange_rates": pd.DataFrame({"source_id": S(["fx"])}),
    }


def test_observed_until_per_track_and_for_the_whole_record():
    from analysis.overview import observed_until

    table = observed_until(_reach_tables()).set_index("track")["observed_until"]
    assert table.to_dict() == {
        "bilateral": pd.Timestamp("2025-11-07"),  # the further source counts, not only the main one
        "us_guarantees": pd.Timestamp("2026-03-13"),
        "coalition": pd.Timestamp("2026-02-24"),  # the related meeting ("other") citing c does not extend it
        "record": pd.Timestamp("2026-03-13"),  # the latest track; the exchange rates (30 Oct 2026) are reference data
    }


def test_observed_dates_never_pass_the_cutoff():
    from analysis.overview import observed_dates

    dates = observed_dates(_reach_tables(), "2026-01-01")
    assert dates["us_guarantees"] == pd.Timestamp("2026-01-01") and dates["bilateral"] == pd.Timestamp("2025-11-07")


def test_reference_tables_are_marked_and_coverage_prints_the_same_dates():
    from analysis.overview import coverage_markdown, latest_sources

    per_table = latest_sources(_reach_tables()).set_index("table")
    assert bool(per_table.loc["exchange_rates", "reference"]) and not bool(per_table.loc["events", "reference"])
    text = coverage_markdown(_reach_tables())
    assert "| Bilateral agreements and the talks on them | 2 | 7 Nov 2025 |" in text  # one agreement, one bilateral step
    assert "| The whole record (the latest of the tracks) |" in text and "13 Mar 2026 |" in text
    assert "30 Oct 2026 (reference data: does not extend the record)" in text


def test_the_pages_latest_source_is_the_records_observed_until():
    from analysis.landing import release
    from analysis.load import load_dataset
    from analysis.overview import observed_until

    record = observed_until(load_dataset()).set_index("track").loc["record", "observed_until"]
    shown = release()
    assert shown["latest_source_label"] == f"{record.day} {record:%b %Y}"
    from analysis.load import data_version

    cutoff = pd.Timestamp(data_version()["cutoff_date"])
    assert f"Sources were searched up to {cutoff.day} {cutoff:%B %Y} (the cut-off)" in shown["dates_sentence"]


def test_name_sources_replaces_ids_in_notes():
    from analysis.overview import name_sources

    publishers = pd.Series({"belga-2024-06-27-euu-signed": "Belga"})
    assert name_sources("reviewed within 10 years (belga-2024-06-27-euu-signed)", publishers) == "reviewed within 10 years (Belga)"
    assert name_sources("a well-known-thing stays", publishers) == "a well-known-thing stays"  # not a source id: kept
