"""analysis.calendar on a hand-made record of five agreements, with hand-computed entry, end and status."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from analysis import calendar as cal
from analysis.plots import plot_calendar

S = lambda values: pd.array(values, dtype="string")  # noqa: E731


def _tables() -> dict[str, pd.DataFrame]:
    agreements = pd.DataFrame(
        {
            "agreement_id": S(["aaa-2024", "bbb-2024", "ccc-2024", "ddd-2025", "eee-2024"]),
            "party_id": S(["AAA", "BBB", "CCC", "DDD", "EEE"]),
            "signed_date": pd.to_datetime(["2024-01-12", "2024-02-29", "2024-06-27", "2025-01-21", "2024-05-31"]),
            "term_years": pd.array([10, 10, None, 10, 100], dtype="Int64"),
            "source_id": S(["s1", "s2", "s3", "s4", "s5"]),
            "other_source_ids": S([None, None, None, None, None]),
        }
    )
    terms = pd.DataFrame(
        {
            "agreement_id": S(["aaa-2024", "bbb-2024", "ccc-2024", "ddd-2025"]),  # eee has no text read
            "comes_into_effect": S(["on_signature", "on_signature", "not_stated", "after_notification"]),
            "term_runs_from": S(["signature", "entry_into_force", "not_stated", "entry_into_force"]),
            "extension": S(["joint_decision", "not_stated", "not_stated", "joint_decision"]),
            "extension_reference": S(["Part IX", None, None, "Part V"]),
        }
    )
    clauses = pd.DataFrame(
        {
            "agreement_id": S(["aaa-2024", "aaa-2024", "aaa-2024", "ccc-2024"]),
            "dimension_id": S(["legal_form", "term", "termination", "term"]),
            "value": S(["participants", "fixed_term", "notice_6_months", "open_ended"]),
            "reference": S(["Preamble", "Part IX", "Part IX", "IV"]),
        }
    )
    values = pd.DataFrame(
        {
            "dimension_id": S(["legal_form", "term", "term", "termination"]),
            "value": S(["participants", "fixed_term", "open_ended", "notice_6_months"]),
            "label": S(["Political commitment", "A fixed number of years", "No end date", "Six months' notice"]),
        }
    )
    events = pd.DataFrame(
        {
            "agreement_id": S(["bbb-2024", "bbb-2024", "eee-2024", "eee-2024", None]),
            "track": S(["bilateral_agreement"] * 4 + ["us_guarantees"]),
            "event_type": S(["approved", "entered_into_force", "ratified", "entered_into_force", "negotiation_round"]),
            "side": S(["partner", "both", "ukraine", "both", None]),
            "event_date": pd.to_datetime(["2024-02-20", "2024-03-15", "2025-09-17", "2025-10-15", "2026-02-01"]),
            "date_precision": S(["day", "day", "day", "day", "day"]),
            "source_id": S(["s6", "s7", "s8", "s9", "s10"]),
            "other_source_ids": S([None] * 5),
        }
    )
    sources = pd.DataFrame(
        {
            "source_id": S([f"s{i}" for i in range(1, 11)]),
            "published_date": pd.to_datetime(["2024-01-12", "2024-02-29", None, "2025-01-21", "2024-05-31",
                                              "2024-02-20", "2024-03-15", "2025-09-17", "2025-10-16", "2026-02-01"]),
        }
    )  # fmt: skip
    return {"agreements": agreements, "legal_terms": terms, "clauses": clauses, "clause_values": values, "events": events, "sources": sources}


def test_observed_until_is_the_latest_source_of_the_bilateral_track():
    # s10 (2026-02-01) is cited only by the US guarantee track; s9 (16 Oct 2025) is the latest on the bilateral track
    assert cal.observed_until(_tables()) == pd.Timestamp("2025-10-16")


def test_legal_calendar_entry_end_and_status():
    out = cal.legal_calendar(_tables(), "2030-01-01").set_index("agreement_id")
    # on signature, term from signature: ends on the tenth anniversary of signature
    assert out.loc["aaa-2024", "in_effect_from"] == pd.Timestamp("2024-01-12")
    assert out.loc["aaa-2024", "end_date"] == pd.Timestamp("2034-01-12")
    # a dated entry into force wins over the signing date, and the term runs from it
    assert out.loc["bbb-2024", "in_effect_from"] == pd.Timestamp("2024-03-15") and out.loc["bbb-2024", "effect_basis"] == "event"
    assert out.loc["bbb-2024", "end_date"] == pd.Timestamp("2034-03-15")
    assert out.loc["bbb-2024", "steps"] == "the partner approved 20 Feb 2024; entered into force 15 Mar 2024"
    # no entry-into-effect clause: from signature, flagged; no term: no end
    assert out.loc["ccc-2024", "effect_basis"] == "no_clause" and pd.isna(out.loc["ccc-2024", "end_date"])
    # waits for notifications, none dated: not known
    assert pd.isna(out.loc["ddd-2025", "in_effect_from"]) and out.loc["ddd-2025", "status"] == "unknown"
    # no text read, but a dated entry into force; 100 years whose start is not known: no end date
    assert out.loc["eee-2024", "in_effect_from"] == pd.Timestamp("2025-10-15") and pd.isna(out.loc["eee-2024", "end_date"])
    assert out["status"].to_dict() == {"aaa-2024": "in_force", "bbb-2024": "in_force", "ccc-2024": "in_force",
                                       "ddd-2025": "unknown", "eee-2024": "in_force"}  # fmt: skip
    # sorted by end date, open and unknown ends last (then by signing)
    assert out.index.tolist() == ["aaa-2024", "bbb-2024", "eee-2024", "ccc-2024", "ddd-2025"]
    assert out.loc["aaa-2024", "legal_form_label"] == "Political commitment" and out.loc["aaa-2024", "term_reference"] == "Part IX"


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        ("2024-01-11", []),  # the day before the first signing
        ("2024-01-12", ["aaa-2024"]),  # in effect on the day of signature
        ("2024-03-14", ["aaa-2024"]),  # bbb signed but not yet in force
        ("2025-10-15", ["aaa-2024", "bbb-2024", "eee-2024", "ccc-2024"]),  # no end: by signing date
        ("2034-01-12", ["bbb-2024", "eee-2024", "ccc-2024"]),  # aaa's term ends on its tenth anniversary
    ],
)
def test_in_force(as_of, expected):
    assert cal.in_force(_tables(), as_of)["agreement_id"].tolist() == expected


def test_status_not_yet_and_ended():
    out = cal.legal_calendar(_tables(), "2034-03-01").set_index("agreement_id")["status"]
    assert out["aaa-2024"] == "ended" and out["bbb-2024"] == "in_force"
    assert cal.legal_calendar(_tables(), "2024-03-01").set_index("agreement_id").loc["bbb-2024", "status"] == "not_yet"


def test_ending_between_two_dates_inclusive():
    assert cal.ending(_tables(), "2034-01-01", "2034-12-31")["agreement_id"].tolist() == ["aaa-2024", "bbb-2024"]
    assert cal.ending(_tables(), "2034-01-13", "2034-03-15")["agreement_id"].tolist() == ["bbb-2024"]
    assert cal.ending(_tables(), "2035-01-01", "2099-12-31").empty


def test_calendar_in_words_and_partner_row():
    names = {"AAA": "Aland", "BBB": "Borduria", "DDD": "Dunland"}
    words = cal.calendar_in_words(cal.legal_calendar(_tables(), "2030-01-01"), names).set_index("partner")
    assert words.loc["Aland", "ratification"] == "No: in effect on signature"
    assert words.loc["Aland", "extension"] == "By joint decision (Part IX)"
    assert words.loc["Aland", "termination"] == "Six months' notice (Part IX)"
    assert words.loc["Borduria", "ratification"] == "No: in effect on signature (before it: the partner approved 20 Feb 2024; entered into force 15 Mar 2024)"
    assert words.loc["CCC", "ends"] == "no end date" and "no entry-into-effect clause" in words.loc["CCC", "in_effect_from"]
    assert words.loc["Dunland", "ratification"] == "Yes: each side's internal procedures, then notification (none dated in the sources)"
    assert words.loc["Dunland", "status"] == "Not known" and words.loc["Dunland", "ends"] == "not known"
    row = cal.partner_calendar(_tables(), "BBB", names, "2030-01-01")
    assert len(row) == 1 and row.loc[0, "ends"] == "15 Mar 2034" and row.loc[0, "status"] == "In force"
    assert cal.partner_calendar(_tables(), "ZZZ", names).empty
    # one partner's calendar is the whole calendar's rows for it, its status as of the same day
    full = cal.legal_calendar(_tables())
    for party in ("AAA", "BBB", "DDD", "ZZZ"):
        expected = full[full["party_id"] == party].reset_index(drop=True)
        pd.testing.assert_frame_equal(cal.legal_calendar(_tables(), party_id=party), expected, check_index_type=False)


def test_inputs_are_not_modified():
    tables = _tables()
    before = {k: v.copy() for k, v in tables.items()}
    cal.legal_calendar(tables)
    for name, frame in tables.items():
        pd.testing.assert_frame_equal(frame, before[name])


@pytest.mark.parametrize("narrow", [False, True])
def test_plot_calendar_puts_each_agreement_in_the_month_its_term_ends(narrow):
    calendar = cal.legal_calendar(_tables(), "2030-01-01")
    fig = plot_calendar(calendar, {"AAA": "Aland", "BBB": "Borduria"}, narrow=narrow)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.texts] == ["Aland", "Borduria"]  # Jan and Mar 2034, in date order
    months = [t.get_text().replace("\n", " ") for t in (ax.get_yticklabels() if narrow else ax.get_xticklabels())]
    assert months == ["Jan 2034", "Feb", "Mar"]  # every month from the first end to the last, February empty
    note = " ".join(t.get_text().replace("\n", " ") for t in fig.texts)
    assert "CCC (no end date)" in note and "DDD (end not known)" in note and "EEE (end not known)" in note
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["In force on 1 Jan 2030"]
    from analysis.images import MIN_TEXT_PT, NARROW_WIDTH, min_text_pt

    assert fig.get_size_inches()[0] == (NARROW_WIDTH / plt.rcParams["figure.dpi"] if narrow else 8.5)
    assert min_text_pt(fig) >= MIN_TEXT_PT or not narrow  # a phone shows every text at 7.5 pt or more
    plt.close(fig)


def test_plot_calendar_by_year_when_the_ends_are_far_apart():
    tables = _tables()
    tables["agreements"] = tables["agreements"].assign(term_years=pd.array([10, 20, None, 10, 100], dtype="Int64"))
    fig = plot_calendar(cal.legal_calendar(tables, "2030-01-01"), {})
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == [str(y) for y in range(2034, 2045)]
    plt.close(fig)
