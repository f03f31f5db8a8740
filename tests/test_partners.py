"""Partner profiles: one partner's timeline, sources, comparison with the median, and summary."""

from __future__ import annotations

import pandas as pd

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


def test_summary_of_a_partner_still_negotiating():
    ds = an.load_dataset()
    summary = partners.partner_summary(ds, "BGR", "2026-11-28", "g7-jdsu-2023")
    assert summary["stage"] == "negotiating"
    assert summary["opened_date"] == pd.Timestamp("2024-10-25")
    assert summary["agreements"] == 0


def test_comparison_with_the_median_partner():
    sig = pd.DataFrame({"declaration_id": ["d"] * 3, "party_id": ["A", "B", "C"], "joined_date": pd.to_datetime(["2023-07-12"] * 3)})
    ev = pd.DataFrame({"party_id": list("ABC"), "event_type": ["negotiations_opened"] * 3,
                       "event_date": pd.to_datetime(["2023-08-01", "2023-09-01", "2023-10-01"]), "agreement_id": [None] * 3})  # fmt: skip
    agr = pd.DataFrame({"agreement_id": ["a-2024", "b-2024"], "party_id": ["A", "B"], "signed_date": pd.to_datetime(["2024-01-01"] * 2)})
    table = partners.compare_with_median({"signatories": sig, "events": ev, "agreements": agr}, "C").set_index("measure")
    # C opened 81 days after joining (12 Jul → 1 Oct); A 20, B 51, C 81: median 51
    assert table.loc["days_joined_to_opened"].tolist() == [81, 51.0, 3]
    assert pd.isna(table.loc["days_opened_to_signed", "partner"])  # C has not signed
