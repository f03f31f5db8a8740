"""Unit and property tests for analysis.negotiations: timelines, partner status, funnel, durations,
time to agreement and the Kaplan–Meier fit.

Every expectation is written out by hand (day counts are worked out in the comments).
"""

from __future__ import annotations

import copy
import math

import numpy as np
import pandas as pd
import pytest
from frames import D, S
from hypothesis import given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from analysis.negotiations import KaplanMeier, durations, funnel, partner_status, time_to_agreement, timelines


def signatories(rows):
    return pd.DataFrame(
        {"declaration_id": S([r[0] for r in rows]), "party_id": S([r[1] for r in rows]), "joined_date": D([r[2] for r in rows])}
    )


def events(rows):
    """Events from (party_id, event_type, event_date, agreement_id)."""
    return pd.DataFrame(
        {
            "party_id": S([r[0] for r in rows]),
            "event_type": S([r[1] for r in rows]),
            "event_date": D([r[2] for r in rows]),
            "agreement_id": S([r[3] for r in rows]),
        }
    )


def agreements(rows):
    """Agreements from (agreement_id, party_id, signed_date)."""
    return pd.DataFrame(
        {"agreement_id": S([r[0] for r in rows]), "party_id": S([r[1] for r in rows]), "signed_date": D([r[2] for r in rows])}
    )


# AAA: joined, opened, a round, signed (and a later second agreement).
# BBB: joined, a round recorded without an opening.
# CCC: joined; opened only on 2024-03-01.
# DDD: joined only on 2024-05-01.
# EEE: joined another declaration.
# FFF: opened talks without joining the declaration.
# GGG: signed without joining and without recorded talks.
SIG = signatories(
    [
        ("d", "BBB", "2023-07-20"),
        ("d", "AAA", "2023-07-12"),
        ("d", "CCC", "2023-08-01"),
        ("d", "DDD", "2024-05-01"),
        ("d2", "EEE", "2023-07-12"),
    ]
)
EV = events(
    [
        ("AAA", "negotiation_round", "2023-09-01", "aaa-2023"),
        ("AAA", "negotiations_opened", "2023-08-03", "aaa-2023"),
        ("BBB", "negotiation_round", "2023-09-10", None),
        ("CCC", "negotiations_opened", "2024-03-01", None),
        ("FFF", "negotiations_opened", "2023-11-01", None),
    ]
)
AGR = agreements([("aaa-2024", "AAA", "2024-06-01"), ("aaa-2023", "AAA", "2023-12-01"), ("ggg-2023", "GGG", "2023-12-15")])


# --- timelines -------------------------------------------------------------------------------------


def test_timelines():
    ev = events(
        [
            ("USA", "negotiation_round", "2023-09-01", "usa-2024"),
            ("USA", "negotiations_opened", "2023-08-03", "usa-2024"),
            ("FRA", "negotiations_opened", "2023-10-01", "fra-2024"),
        ]
    )
    agr = agreements([("usa-2024", "USA", "2024-06-13"), ("gbr-2024", "GBR", "2024-01-12"), ("fra-2024", "FRA", "2024-02-16")])
    expected = pd.DataFrame(
        {
            "party_id": S(["FRA", "FRA", "GBR", "USA", "USA", "USA"]),
            "date": D(["2023-10-01", "2024-02-16", "2024-01-12", "2023-08-03", "2023-09-01", "2024-06-13"]),
            "step": S(["negotiations_opened", "signed", "signed", "negotiations_opened", "negotiation_round", "signed"]),
            "agreement_id": S(["fra-2024", "fra-2024", "gbr-2024", "usa-2024", "usa-2024", "usa-2024"]),
        }
    )
    assert_frame_equal(timelines(ev, agr), expected)


def test_timelines_no_events():
    agr = agreements([("gbr-2024", "GBR", "2024-01-12")])
    out = timelines(events([]), agr)
    assert out["step"].tolist() == ["signed"]
    assert out["date"].tolist() == [pd.Timestamp("2024-01-12")]


# --- partner_status --------------------------------------------------------------------------------


def status(rows):
    """Expected partner_status from (party_id, joined, opened, signed, stage)."""
    return pd.DataFrame(
        {
            "party_id": S([r[0] for r in rows]),
            "joined_date": D([r[1] for r in rows]),
            "opened_date": D([r[2] for r in rows]),
            "signed_date": D([r[3] for r in rows]),
            "stage": S([r[4] for r in rows]),
        }
    )


def test_partner_status_frame():
    expected = status(
        [
            ("AAA", "2023-07-12", "2023-08-03", "2023-12-01", "signed"),  # first signature only
            ("BBB", "2023-07-20", None, None, "negotiating"),  # a round without an opening still counts
            ("CCC", "2023-08-01", None, None, "joined"),  # its opening is after the date
            ("FFF", None, "2023-11-01", None, "negotiating"),  # outside the declaration
            ("GGG", None, None, "2023-12-15", "signed"),  # outside the declaration
        ]
    )
    assert_frame_equal(partner_status(SIG, EV, AGR, "2024-01-01", "d"), expected)


@pytest.mark.parametrize(
    ("date", "declaration_id", "expected"),
    [
        ("2023-07-11", "d", []),  # before anything happened
        ("2023-07-12", "d", [("AAA", "joined")]),  # joining on the date counts
        ("2023-08-03", "d", [("AAA", "negotiating"), ("BBB", "joined"), ("CCC", "joined")]),  # opening on the date counts
        ("2023-12-01", "d", [("AAA", "signed"), ("BBB", "negotiating"), ("CCC", "joined"), ("FFF", "negotiating")]),
        # all declarations: EEE (d2) is a partner too
        ("2023-07-31", None, [("AAA", "joined"), ("BBB", "joined"), ("EEE", "joined")]),
        # later: CCC opened, DDD joined
        (
            "2024-06-01",
            "d",
            [
                ("AAA", "signed"),
                ("BBB", "negotiating"),
                ("CCC", "negotiating"),
                ("DDD", "joined"),
                ("FFF", "negotiating"),
                ("GGG", "signed"),
            ],
        ),
    ],
)
def test_partner_status_stages(date, declaration_id, expected):
    out = partner_status(SIG, EV, AGR, date, declaration_id)
    assert list(zip(out["party_id"], out["stage"], strict=True)) == expected


# --- funnel ----------------------------------------------------------------------------------------


def funnel_frame(counts):
    return pd.DataFrame({"stage": ["joined", "negotiating", "signed", "outside_declaration"], "parties": counts})


@pytest.mark.parametrize(
    ("date", "counts"),
    [
        ("2023-07-11", [0, 0, 0, 0]),  # nothing yet
        ("2023-09-10", [3, 2, 0, 0]),  # AAA opened, BBB's round on the date counts
        ("2024-01-01", [3, 2, 1, 2]),  # AAA signed; FFF and GGG are outside the declaration
        ("2024-07-01", [4, 3, 1, 2]),  # DDD joined, CCC opened
    ],
)
def test_funnel(date, counts):
    assert_frame_equal(funnel(SIG, EV, AGR, date, "d"), funnel_frame(counts))


def test_funnel_all_declarations():
    # EEE (d2) counts as joined when no declaration is chosen.
    assert_frame_equal(funnel(SIG, EV, AGR, "2024-01-01"), funnel_frame([4, 2, 1, 2]))


# --- durations -------------------------------------------------------------------------------------


def test_durations_frame():
    expected = status(
        [
            ("AAA", "2023-07-12", "2023-08-03", "2023-12-01", None),
            ("BBB", "2023-07-20", None, None, None),
            ("CCC", "2023-08-01", "2024-03-01", None, None),
            ("DDD", "2024-05-01", None, None, None),
            ("FFF", None, "2023-11-01", None, None),
            ("GGG", None, None, "2023-12-15", None),
        ]
    ).drop(columns="stage")
    # AAA: 07-12 → 08-03 = 22; 08-03 → 12-01 = 28 + 30 + 31 + 30 + 1 = 120; 07-12 → 12-01 = 142.
    # CCC: 2023-08-01 → 2024-03-01 = 31 + 30 + 31 + 30 + 31 + 31 + 29 (leap February) = 213.
    expected["days_joined_to_opened"] = pd.array([22, None, 213, None, None, None], dtype="Int64")
    expected["days_opened_to_signed"] = pd.array([120, None, None, None, None, None], dtype="Int64")
    expected["days_joined_to_signed"] = pd.array([142, None, None, None, None, None], dtype="Int64")
    assert_frame_equal(durations(SIG, EV, AGR, "d"), expected)


# --- time_to_agreement -----------------------------------------------------------------------------


def survival(rows):
    """Expected time_to_agreement from (party_id, start, end, days, signed)."""
    return pd.DataFrame(
        {
            "party_id": np.array([r[0] for r in rows], dtype=object),
            "start_date": D([r[1] for r in rows]),
            "end_date": D([r[2] for r in rows]),
            "days": np.array([r[3] for r in rows], dtype="int64"),
            "signed": np.array([r[4] for r in rows], dtype=bool),
        }
    )


@pytest.mark.parametrize(
    ("cutoff", "origin", "expected"),
    [
        # from the opening: AAA 08-03 → 12-01 = 120 days; FFF censored, 11-01 → 2024-01-01 = 29 + 31 + 1 = 61
        (
            "2024-01-01",
            "opened",
            [("AAA", "2023-08-03", "2023-12-01", 120, True), ("FFF", "2023-11-01", "2024-01-01", 61, False)],
        ),
        # cut-off the day before AAA signed: AAA is censored at the cut-off (119 days), not a signer
        (
            "2023-11-30",
            "opened",
            [("AAA", "2023-08-03", "2023-11-30", 119, False), ("FFF", "2023-11-01", "2023-11-30", 29, False)],
        ),
        # signing on the cut-off day counts
        (
            "2023-12-01",
            "opened",
            [("AAA", "2023-08-03", "2023-12-01", 120, True), ("FFF", "2023-11-01", "2023-12-01", 30, False)],
        ),
        # from joining: AAA 142 days; BBB 2023-07-20 → 2024-01-01 = 165; CCC 2023-08-01 → 2024-01-01 = 153
        (
            "2024-01-01",
            "joined",
            [
                ("AAA", "2023-07-12", "2023-12-01", 142, True),
                ("BBB", "2023-07-20", "2024-01-01", 165, False),
                ("CCC", "2023-08-01", "2024-01-01", 153, False),
            ],
        ),
    ],
)
def test_time_to_agreement(cutoff, origin, expected):
    assert_frame_equal(time_to_agreement(SIG, EV, AGR, cutoff, origin=origin, declaration_id="d"), survival(expected))


def test_time_to_agreement_signing_before_opening_is_left_out():
    # HHH signed on 2023-12-20 but its only recorded opening is 2024-02-01 (talks for a later text):
    # the time to its first agreement is unknown, so HHH is left out rather than censored or counted.
    sig = signatories([("d", "HHH", "2023-07-12"), ("d", "III", "2023-07-12")])
    ev = events([("HHH", "negotiations_opened", "2024-02-01", None), ("III", "negotiations_opened", "2024-01-01", None)])
    agr = agreements([("hhh-2023", "HHH", "2023-12-20")])
    out = time_to_agreement(sig, ev, agr, "2024-03-01", origin="opened")
    assert_frame_equal(out, survival([("III", "2024-01-01", "2024-03-01", 60, False)]))


def test_time_to_agreement_empty():
    out = time_to_agreement(SIG, EV, AGR, "2023-07-01")
    assert out.columns.tolist() == ["party_id", "start_date", "end_date", "days", "signed"]
    assert len(out) == 0


@pytest.mark.parametrize("origin", ["signed", "OPENED", ""])  # anything but "opened" / "joined"
def test_time_to_agreement_rejects_unknown_origin(origin):
    with pytest.raises(ValueError, match="origin must be 'opened' or 'joined'"):
        time_to_agreement(SIG, EV, AGR, "2024-01-01", origin=origin)


# --- KaplanMeier -----------------------------------------------------------------------------------


def test_kaplan_meier_five_subjects():
    # days 5 (signed), 10 (signed), 10 (censored), 15 (signed), 20 (censored):
    #   t=5:  5 at risk, 1 signs → S = 4/5 = 0.8
    #   t=10: 4 at risk, 1 signs, 1 censored → S = 0.8 × 3/4 = 0.6
    #   t=15: 2 at risk, 1 signs → S = 0.6 × 1/2 = 0.3
    #   t=20: 1 at risk, censored → S = 0.3
    # Band: exponential Greenwood, V = Σ d/(n(n−d)) / (ln S)², exp(−exp(ln(−ln S) ± z√V)), z = 1.96:
    #   t=5: V = 0.05 / 0.04979 = 1.00416 → (0.2038, 0.9692), etc.
    data = pd.DataFrame({"days": [20, 5, 10, 15, 10], "signed": [False, True, True, True, False]})
    km = KaplanMeier.fit(data)
    expected = pd.DataFrame(
        {
            "days": [0.0, 5.0, 10.0, 15.0, 20.0],
            "share_unsigned": [1.0, 0.8, 0.6, 0.3, 0.3],
            "ci_lower": [1.0, 0.2038, 0.1257, 0.0123, 0.0123],
            "ci_upper": [1.0, 0.9692, 0.8818, 0.7192, 0.7192],
            "at_risk": np.array([5, 5, 4, 2, 1], dtype="int64"),
            "signed": np.array([0, 1, 1, 1, 0], dtype="int64"),
            "censored": np.array([0, 0, 1, 0, 1], dtype="int64"),
        }
    )
    assert_frame_equal(km.table, expected, check_exact=False, atol=5e-5, rtol=0)
    assert km.median_days == 15.0  # first time S ≤ 0.5
    assert km.median_ci == (5.0, math.inf)  # the lower band crosses 0.5 at t=5; the upper never does
    assert (km.n, km.n_signed, km.alpha) == (5, 3, 0.05)


def test_kaplan_meier_alpha_narrows_band():
    # z = 1.645 for alpha = 0.10: at t=5, exp(−exp(ln(−ln 0.8) ± 1.645 × 1.00208)) = (0.3135, 0.9580).
    data = pd.DataFrame({"days": [5, 10, 10, 15, 20], "signed": [True, True, False, True, False]})
    km = KaplanMeier.fit(data, alpha=0.10)
    assert km.table.loc[1, ["ci_lower", "ci_upper"]].round(4).tolist() == [0.3135, 0.958]
    assert km.alpha == 0.10


@pytest.mark.parametrize(
    ("days", "signed", "curve", "median"),
    [
        # the docstring's example: 1 → 3/4 → 1/2 → (censored) 1/2 → 0; median = 20
        ([10, 20, 30, 40], [True, True, False, True], [1.0, 0.75, 0.5, 0.5, 0.0], 20.0),
        # everyone signs: 1 → 3/4 → 1/2 → 1/4 → 0; median = 20
        ([10, 20, 30, 40], [True] * 4, [1.0, 0.75, 0.5, 0.25, 0.0], 20.0),
        # nobody signs: the curve stays at 1 and the median is never reached
        ([5, 10], [False, False], [1.0, 1.0, 1.0], math.inf),
        # a tie of two signatures at t=10 among four: 1 → 1/2 → 1/4 → 0; median = 10
        ([10, 10, 20, 30], [True] * 4, [1.0, 0.5, 0.25, 0.0], 10.0),
    ],
)
def test_kaplan_meier_curves(days, signed, curve, median):
    km = KaplanMeier.fit(pd.DataFrame({"days": days, "signed": signed}))
    assert km.table["share_unsigned"].round(6).tolist() == curve
    assert km.median_days == median
    assert km.n_signed == sum(signed)


def test_kaplan_meier_censored_rows_only():
    km = KaplanMeier.fit(pd.DataFrame({"days": [5, 10], "signed": [False, False]}))
    assert km.table["censored"].tolist() == [0, 1, 1]
    assert km.table["signed"].tolist() == [0, 0, 0]
    assert km.median_ci == (math.inf, math.inf)
    assert (km.n, km.n_signed) == (2, 0)


def test_kaplan_meier_on_time_to_agreement_output():
    # from joining, cut-off 2024-01-01: AAA signed at 142, BBB censored at 165, CCC censored at 153
    surv = time_to_agreement(SIG, EV, AGR, "2024-01-01", origin="joined", declaration_id="d")
    km = KaplanMeier.fit(surv)
    assert km.table["days"].tolist() == [0.0, 142.0, 153.0, 165.0]
    assert km.table["share_unsigned"].round(6).tolist() == [1.0, 0.666667, 0.666667, 0.666667]
    assert (km.n, km.n_signed, km.median_days) == (3, 1, math.inf)


# --- inputs are never modified ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("func", "frames", "kwargs"),
    [
        (timelines, (EV, AGR), {}),
        (partner_status, (SIG, EV, AGR), {"date": "2024-01-01", "declaration_id": "d"}),
        (funnel, (SIG, EV, AGR), {"date": "2024-01-01"}),
        (durations, (SIG, EV, AGR), {}),
        (time_to_agreement, (SIG, EV, AGR), {"cutoff": "2024-01-01", "origin": "joined"}),
        (KaplanMeier.fit, (pd.DataFrame({"days": [5, 10], "signed": [True, False]}),), {}),
    ],
    ids=lambda v: getattr(v, "__name__", None),
)
def test_inputs_not_modified(func, frames, kwargs):
    copies = [copy.deepcopy(f) for f in frames]
    func(*frames, **kwargs)
    for before, after in zip(copies, frames, strict=True):
        assert_frame_equal(after, before)


# --- properties ------------------------------------------------------------------------------------

BASE = pd.Timestamp("2023-07-12")
day_offset = st.integers(min_value=0, max_value=400)

partners = st.lists(
    st.fixed_dictionaries(
        {
            "joined": st.one_of(st.none(), day_offset),
            "opened": st.one_of(st.none(), day_offset),
            "round": st.one_of(st.none(), day_offset),
            "signed": st.one_of(st.none(), day_offset),
        }
    ),
    min_size=1,
    max_size=12,
)


def _day(offset: int) -> str:
    return (BASE + pd.Timedelta(days=offset)).strftime("%Y-%m-%d")


def _tables(specs):
    sig, ev, agr = [], [], []
    for i, p in enumerate(specs):
        party = f"P{i:02d}"
        if p["joined"] is not None:
            sig.append(("d", party, _day(p["joined"])))
        if p["opened"] is not None:
            ev.append((party, "negotiations_opened", _day(p["opened"]), None))
        if p["round"] is not None:
            ev.append((party, "negotiation_round", _day(p["round"]), None))
        if p["signed"] is not None:
            agr.append((f"a{i}", party, _day(p["signed"])))
    return signatories(sig), events(ev), agreements(agr)


@settings(max_examples=50, deadline=None)
@given(partners, day_offset, st.sampled_from(["opened", "joined"]))
def test_censoring_never_creates_signers(specs, cutoff_offset, origin):
    sig, ev, agr = _tables(specs)
    cutoff = BASE + pd.Timedelta(days=cutoff_offset)
    out = time_to_agreement(sig, ev, agr, cutoff, origin=origin)
    signed_by_cutoff = {f"P{i:02d}" for i, p in enumerate(specs) if p["signed"] is not None and p["signed"] <= cutoff_offset}
    for row in out.itertuples():
        if row.party_id not in signed_by_cutoff:
            assert not row.signed
            assert row.end_date == cutoff
        assert row.days >= 0
        assert row.days == (row.end_date - row.start_date).days
        assert row.end_date <= cutoff
    # everyone with an origin on or before the cut-off is in the data, once, unless they signed before it
    expected = {
        f"P{i:02d}"
        for i, p in enumerate(specs)
        if p[origin] is not None and p[origin] <= cutoff_offset and not (p["signed"] is not None and p["signed"] < p[origin])
    }
    assert sorted(out["party_id"]) == sorted(expected)


@settings(max_examples=50, deadline=None)
@given(partners, day_offset)
def test_funnel_stages_non_increasing(specs, date_offset):
    sig, ev, agr = _tables(specs)
    out = funnel(sig, ev, agr, BASE + pd.Timedelta(days=date_offset), "d")
    joined, negotiating, signed, outside = out["parties"].tolist()
    assert joined >= negotiating >= signed >= 0
    assert outside >= 0
    assert joined == sum(1 for p in specs if p["joined"] is not None and p["joined"] <= date_offset)


# --- observed-until: no duration runs past the last report on the track --------------------------------------------


def test_time_to_agreement_censors_at_the_tracks_observed_until_not_the_cutoff():
    sig = signatories([("d", "A", "2023-07-12"), ("d", "B", "2023-07-12")])
    ev = events([("A", "negotiations_opened", "2024-01-01", None), ("B", "negotiations_opened", "2024-10-25", None)])
    agr = agreements([("a", "A", "2024-02-01")])
    out = time_to_agreement(sig, ev, agr, "2026-11-28", observed_until="2025-11-07").set_index("party_id")
    assert out.loc["A", "days"] == 31 and bool(out.loc["A", "signed"])  # a signer keeps its own end
    # B: 25 Oct 2024 → 7 Nov 2025 is 378 days (365 to 25 Oct 2025, then 13), not the 764 days to the cut-off
    assert out.loc["B", "days"] == 378 and not bool(out.loc["B", "signed"])


def test_still_negotiating_is_a_lower_bound_from_the_latest_possible_start():
    from analysis.negotiations import still_negotiating

    ev = events([("A", "negotiations_opened", "2024-10-25", None), ("C", "reported_negotiating", "2025-07-01", None),
                 ("D", "negotiations_opened", "2024-01-01", None)])  # fmt: skip
    ev["date_precision"] = S(["day", "month", "day"])
    sig = signatories([("d", "A", "2023-08-16")])
    out = still_negotiating(sig, ev, agreements([("d1", "D", "2024-05-01")]), "2025-11-07").set_index("party_id")
    assert out.loc["A", "days_at_least"] == 378
    # C is known only to have been negotiating in July 2025: counted from 31 July, so 99 days is "at least"
    assert out.loc["C", "since"] == "first_step" and out.loc["C", "days_at_least"] == 99
    assert out.loc["C", "since_precision"] == "month" and out.loc["A", "since_precision"] == "day"  # shown as "Jul 2025"
    assert "D" not in out.index  # D signed


def test_still_negotiating_spans_each_step_by_its_precisions_unit_up_to_the_day_observed():
    from analysis.negotiations import still_negotiating

    ev = events([("A", "reported_negotiating", "2024-01-01", None), ("B", "reported_negotiating", "2025-11-01", None)])
    ev["date_precision"] = S(["year", "month"])
    out = still_negotiating(signatories([("d", "A", "2023-08-16")]), ev, agreements([]), "2025-11-07").set_index("party_id")
    # A: known to be negotiating in 2024, so from 31 Dec 2024 at the latest: 311 days to 7 Nov 2025
    assert out.loc["A", "since_date"] == pd.Timestamp("2024-12-31") and out.loc["A", "days_at_least"] == 311
    # B: in November 2025, seen by 7 Nov: it started by then, so at least 0 days (not a negative count to 30 Nov)
    assert out.loc["B", "since_date"] == pd.Timestamp("2025-11-07") and out.loc["B", "days_at_least"] == 0


@settings(max_examples=50, deadline=None)
@given(partners, day_offset, day_offset)
def test_no_open_duration_runs_past_observed_until(specs, cutoff_offset, until_offset):
    sig, ev, agr = _tables(specs)
    cutoff, until = BASE + pd.Timedelta(days=cutoff_offset), BASE + pd.Timedelta(days=until_offset)
    out = time_to_agreement(sig, ev, agr, cutoff, origin="opened", observed_until=until)
    for row in out[~out["signed"]].itertuples():
        assert row.end_date <= max(min(cutoff, until), row.start_date)
        assert row.days >= 0
