"""Partner profiles: one partner's timeline, sources, comparison with the median, and summary."""

from __future__ import annotations

import pandas as pd
import pytest
from frames import D, S

import analysis as an
from analysis import partners


def test_timeline_of_the_united_kingdom():
    ds = an.load_dataset()
    steps = partners.partner_timeline(ds, "GBR")
    assert steps["step"].iloc[0] == "joined" and steps["date"].iloc[0] == pd.Timestamp("2023-07-12")
    signed = steps[steps["step"] == "signed"]
    assert signed["date"].tolist() == [pd.Timestamp("2024-01-12"), pd.Timestamp("2025-01-16")]
    assert steps["date"].is_monotonic_increasing


def test_sources_cover_every_row_about_the_partner():
    ds = an.load_dataset()
    cited = set(partners.partner_sources(ds, "USA")["source_id"])
    usa_rows = pd.concat([ds.events.loc[ds.events["party_id"] == "USA", "source_id"], ds.agreements.loc[ds.agreements["party_id"] == "USA", "source_id"]])
    assert set(usa_rows) <= cited


def test_comparison_with_the_median_partner():
    sig = pd.DataFrame({"declaration_id": ["d"] * 3, "party_id": ["A", "B", "C"], "joined_date": pd.to_datetime(["2023-07-12"] * 3)})
    ev = pd.DataFrame({"party_id": list("ABC"), "event_type": ["negotiations_opened"] * 3,
                       "event_date": pd.to_datetime(["2023-08-01", "2023-09-01", "2023-10-01"]), "agreement_id": [None] * 3})  # fmt: skip
    agr = pd.DataFrame({"agreement_id": ["a-2024", "b-2024"], "party_id": ["A", "B"], "signed_date": pd.to_datetime(["2024-01-01"] * 2)})
    table = partners.compare_with_median({"signatories": sig, "events": ev, "agreements": agr}, "C").set_index("measure")
    # C opened 81 days after joining (12 Jul → 1 Oct); A 20, B 51, C 81: median 51
    assert table.loc["days_joined_to_opened"].tolist() == [81, 51.0, 3]
    assert pd.isna(table.loc["days_opened_to_signed", "partner"])  # C has not signed


# --- profile: one definition per partner fact ----------------------------------------------------------------------


def tiny(**extra):
    """A release of two partners: A signed (opened 1 Mar, signed 1 Jun 2024), B negotiating since talks opened on
    1 Oct 2024; the latest source on the bilateral track is dated 1 Jan 2025, the cut-off is 28 Nov 2026."""
    tables = {
        "parties": pd.DataFrame({"party_id": S(["A", "B", "EUU"]), "party_name": S(["Aland", "Bland", "European Union"])}),
        "sources": pd.DataFrame({"source_id": S(["s1", "s2", "s3", "txt"]), "publisher": S(["P1", "P2", "P3", "Gov"]),
                                 "url": S(["https://p/1", "https://p/2", "https://p/3", "https://gov/t"]),
                                 "published_date": D(["2024-03-01", "2024-10-01", "2025-01-01", "2024-06-01"])}),
        "signatories": pd.DataFrame({"declaration_id": S(["d", "d"]), "party_id": S(["A", "B"]), "role": S(["acceded", "acceded"]),
                                     "joined_date": D(["2023-07-20", "2023-08-01"]), "date_precision": S(["day", "day"])}),
        "events": pd.DataFrame({"event_id": S(["a-1", "b-1", "b-2"]), "party_id": S(["A", "B", "B"]),
                                "track": S(["bilateral_agreement"] * 3),
                                "event_type": S(["negotiations_opened", "negotiations_opened", "negotiation_round"]),
                                "event_date": D(["2024-03-01", "2024-10-01", "2024-12-20"]), "date_precision": S(["day"] * 3),
                                "agreement_id": S([None] * 3), "source_id": S(["s1", "s2", "s3"])}),
        "agreements": pd.DataFrame({"agreement_id": S(["a-2024"]), "party_id": S(["A"]), "title": S(["Agreement"]),
                                    "signed_date": D(["2024-06-01"]), "date_precision": S(["day"]), "place": S(["Kyiv"]),
                                    "term_years": pd.array([10], dtype="Int64"), "relation": S([None]), "source_id": S(["s1"])}),
        "commitments": pd.DataFrame({"commitment_id": S(["a-2024-01"]), "agreement_id": S(["a-2024"]), "kind": S(["non_military"]),
                                     "amount": [2e9], "currency": S(["USD"]), "share_of_gdp_pct": [None], "bound": S(["exact"]),
                                     "basis": S(["total"]), "period_start": S(["2024"]), "period_end": S(["2024"])}),
        "clauses": pd.DataFrame({"agreement_id": S(["a-2024", "a-2024"]), "dimension_id": S(["term", "aid_first_year"]),
                                 "value": S(["open_ended", "unquantified"]), "source_id": S(["txt", "txt"])}),
        "clause_values": pd.DataFrame({"dimension_id": S(["term"]), "value": S(["open_ended"]), "label": S(["No end date"])}),
        "meetings": pd.DataFrame({"meeting_id": S(["m1", "m2"]), "forum": S(["coalition_of_the_willing"] * 2),
                                  "meeting_date": D(["2025-03-02", "2025-04-01"]), "date_precision": S(["day", "day"]),
                                  "place": S(["London", "Paris"]), "description": S(["first", "second"]), "source_id": S(["s3", "s3"])}),
        "meeting_participants": pd.DataFrame({"meeting_id": S(["m1", "m2"]), "party_id": S(["B", "B"]),
                                              "role": S(["co_chair", "took_part"]), "source_id": S(["s3", "s3"])}),
    }
    tables.update(extra)
    return tables


def test_profile_of_a_signer_reads_term_text_and_amount_from_one_place():
    facts = partners.profile(tiny(), "A", "2026-11-28", "d")
    assert facts["stage"] == "signed" and facts["days_opened_to_signed"] == 92  # 1 Mar → 1 Jun 2024: 31 + 30 + 31
    agreement = facts["agreements"][0]
    # the clause matrix's "No end date" wins over the reported 10 years: every page prints the text's term
    assert agreement["term"] == "No end date"
    assert agreement["text"] == "Published by Gov" and agreement["text_url"] == "https://gov/t"
    # the amount pledged is non-military: it must never read as a military promise
    assert agreement["amount_is_military"] is False and agreement["amount"] == "USD 2bn in 2024 (non-military)"
    assert facts["days_at_least"] is None and facts["negotiating_text"] == ""


def test_profile_of_a_partner_still_negotiating_stops_at_the_tracks_last_report():
    facts = partners.profile(tiny(), "B", "2026-11-28", "d")
    assert facts["stage"] == "negotiating" and facts["rounds"] == 1
    assert facts["observed_until"] == pd.Timestamp("2025-01-01")  # the latest source on the track, not the cut-off
    assert facts["days_at_least"] == 92  # 1 Oct 2024 → 1 Jan 2025: 31 + 30 + 31, not the 788 days to the cut-off
    assert facts["negotiating_text"] == "at least 92 days since talks opened, to the last report on the bilateral track, 1 Jan 2025"
    assert facts["last_report"] == pd.Timestamp("2025-01-01")


def test_profile_lists_the_meetings_naming_the_partner_latest_first_in_plain_words():
    meetings = partners.profile(tiny(), "B", "2026-11-28", "d")["meetings"]
    assert meetings["meeting_id"].tolist() == ["m2", "m1"]
    assert meetings["role"].tolist() == ["Took part", "Co-chair"]  # never co_chair


def test_an_agreement_coded_from_a_report_of_the_signing_says_no_text_was_published():
    tables = tiny(agreements=tiny()["agreements"].assign(agreement_id=S(["gbr-2024"])),
                  clauses=tiny()["clauses"].assign(agreement_id=S(["gbr-2024", "gbr-2024"])))
    text = partners.agreement_facts(tables, "gbr-2024")
    assert text["text_published"] is False and text["text"].startswith("No published text found")


@pytest.mark.parametrize("party_id", ["GBR", "EUU", "JPN", "BGR", "AUS", "MNE", "HRV"])
def test_no_partner_duration_runs_past_the_bilateral_tracks_observed_until(party_id):
    from analysis.overview import observed_dates

    ds = an.load_dataset()
    facts = partners.profile(ds, party_id, "2026-11-28")
    until = observed_dates(ds, "2026-11-28")["bilateral"]
    if facts["days_at_least"] is not None:
        assert facts["since_date"] + pd.Timedelta(days=facts["days_at_least"]) <= until
    if facts["days_opened_to_signed"] is not None:
        assert facts["opened_date"] + pd.Timedelta(days=facts["days_opened_to_signed"]) <= until


def test_a_partners_facts_read_only_the_tables_they_need():
    """A profile depends on the bilateral track, not on the claims or the coalition's count of claims: an edited claim
    must not rebuild the 32 profiles (the build keys a report by what it read)."""
    import analysis as an
    from analysis.schema import recording

    ds = an.load_dataset()
    with recording() as record:
        partners.profile(ds, "GBR", an.data_version()["cutoff_date"])
    read = {name.rsplit("/", 1)[-1] for name in record}
    assert "events.csv" in read and "agreements.csv" in read
    assert not read & {"claims.csv", "verdicts.csv", "glossary.csv", "milestones.csv"}, sorted(read)
