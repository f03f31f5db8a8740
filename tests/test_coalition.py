"""Unit and property tests for analysis.coalition: as-of queries, growth, composition by bloc, waves.

Every expectation is written out by hand; the inputs mirror the loader's dtypes (``string`` ids,
``datetime64[ns]`` dates).
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
from frames import D, S
from hypothesis import given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from analysis.coalition import (
    agreements_as_of,
    composition_by_bloc,
    days_since_adoption,
    growth,
    join_waves,
    members_as_of,
    memberships_as_of,
    not_joined,
)


def signatories(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    """A signatories table from (declaration_id, party_id, joined_date) triples."""
    return pd.DataFrame(
        {
            "declaration_id": S([r[0] for r in rows]),
            "party_id": S([r[1] for r in rows]),
            "joined_date": D([r[2] for r in rows]),
        }
    )


def memberships(rows: list[tuple[str, str, str, str | None]]) -> pd.DataFrame:
    """A memberships table from (party_id, bloc, joined_date, left_date) tuples."""
    return pd.DataFrame(
        {
            "party_id": S([r[0] for r in rows]),
            "bloc": S([r[1] for r in rows]),
            "joined_date": D([r[2] for r in rows]),
            "left_date": D([r[3] for r in rows]),
        }
    )


# Deliberately not in date order, with a tie on 2023-07-12 and a second declaration.
SIG = signatories(
    [
        ("d1", "CCC", "2023-07-20"),
        ("d1", "BBB", "2023-07-12"),
        ("d2", "AAA", "2024-09-25"),
        ("d1", "AAA", "2023-07-12"),
        ("d1", "DDD", "2023-08-10"),
        ("d1", "EEE", "2023-09-20"),
        ("d2", "FFF", "2024-10-02"),
    ]
)

# Finland joined NATO on 2023-04-04, Sweden on 2024-03-07; a party that left the EU on 2020-02-01.
MEM = memberships(
    [
        ("SWE", "NATO", "2024-03-07", None),
        ("FIN", "NATO", "2023-04-04", None),
        ("SWE", "EU", "1995-01-01", None),
        ("FIN", "EU", "1995-01-01", None),
        ("GBR", "EU", "1973-01-01", "2020-02-01"),
    ]
)


# --- members_as_of ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date", "declaration_id", "expected"),
    [
        ("2023-07-11", "d1", []),  # the day before the first join: nobody
        ("2023-07-12", "d1", ["AAA", "BBB"]),  # joining on the date counts; a same-day tie is ordered by party_id
        ("2023-07-19", "d1", ["AAA", "BBB"]),  # between two joins
        ("2023-07-20 23:59", "d1", ["AAA", "BBB", "CCC"]),  # a time of day is ignored (date normalised)
        (pd.Timestamp("2023-08-10"), "d1", ["AAA", "BBB", "CCC", "DDD"]),  # a Timestamp works like a string
        ("2024-09-30", "d2", ["AAA"]),  # another declaration: only its own signatories
        ("2030-01-01", "nope", []),  # an unknown declaration: nobody
        ("2024-12-31", None, ["AAA", "BBB", "CCC", "DDD", "EEE", "AAA", "FFF"]),  # no declaration: every row, by date
    ],
)
def test_members_as_of_party_ids(date, declaration_id, expected):
    assert members_as_of(SIG, date, declaration_id)["party_id"].tolist() == expected


def test_members_as_of_frame():
    expected = signatories([("d1", "AAA", "2023-07-12"), ("d1", "BBB", "2023-07-12"), ("d1", "CCC", "2023-07-20")])
    assert_frame_equal(members_as_of(SIG, "2023-08-09", "d1"), expected)


# --- memberships_as_of -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date", "bloc", "expected"),
    [
        ("2023-04-03", "NATO", []),  # the day before Finland joined NATO
        ("2023-04-04", "NATO", ["FIN"]),  # Finland's accession day counts
        ("2024-03-06", "NATO", ["FIN"]),  # the day before Sweden joined
        ("2024-03-07", "NATO", ["FIN", "SWE"]),  # Sweden's accession day counts
        ("2020-01-31", "EU", ["FIN", "GBR", "SWE"]),  # the day before left_date: still a member
        ("2020-02-01", "EU", ["FIN", "SWE"]),  # on left_date the party is no longer a member
        ("1980-01-01", "EU", ["GBR"]),  # before Finland and Sweden joined the EU
        ("2024-03-07", "G7", []),  # a bloc with no rows
    ],
)
def test_memberships_as_of_bloc(date, bloc, expected):
    assert memberships_as_of(MEM, date, bloc)["party_id"].tolist() == expected


def test_memberships_as_of_all_blocs_frame():
    # No bloc: every membership in force, ordered by bloc then party.
    expected = memberships(
        [
            ("FIN", "EU", "1995-01-01", None),
            ("SWE", "EU", "1995-01-01", None),
            ("FIN", "NATO", "2023-04-04", None),
        ]
    )
    assert_frame_equal(memberships_as_of(MEM, "2023-12-31"), expected)


# --- agreements_as_of ------------------------------------------------------------------------------


def agreements(rows: list[tuple[str, str, str, str | None, str | None]]) -> pd.DataFrame:
    """An agreements table from (agreement_id, party_id, signed_date, related_agreement_id, relation)."""
    return pd.DataFrame(
        {
            "agreement_id": S([r[0] for r in rows]),
            "party_id": S([r[1] for r in rows]),
            "signed_date": D([r[2] for r in rows]),
            "related_agreement_id": S([r[3] for r in rows]),
            "relation": S([r[4] for r in rows]),
        }
    )


AGR = agreements(
    [
        ("gbr-2025", "GBR", "2025-01-16", "gbr-2024", "complements"),
        ("gbr-2024", "GBR", "2024-01-12", None, None),
        ("aaa-2025", "AAA", "2025-03-01", "aaa-2024", "supersedes"),
        ("aaa-2024", "AAA", "2024-02-01", None, None),
    ]
)


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("2024-01-11", []),  # before any signature
        ("2024-01-12", ["gbr-2024"]),  # signed on the date counts
        ("2024-06-01", ["gbr-2024", "aaa-2024"]),  # in signing order
        ("2025-02-01", ["gbr-2024", "aaa-2024", "gbr-2025"]),  # "complements" keeps both agreements
        ("2025-02-28", ["gbr-2024", "aaa-2024", "gbr-2025"]),  # a supersession not yet signed changes nothing
        ("2025-03-01", ["gbr-2024", "gbr-2025", "aaa-2025"]),  # "supersedes" drops the older agreement from its day
    ],
)
def test_agreements_as_of(date, expected):
    assert agreements_as_of(AGR, date)["agreement_id"].tolist() == expected


def test_agreements_as_of_chain_of_supersessions_frame():
    # a1 ← a2 ← a3: only the latest survives.
    chain = agreements(
        [
            ("a3", "AAA", "2026-01-01", "a2", "supersedes"),
            ("a1", "AAA", "2024-01-01", None, None),
            ("a2", "AAA", "2025-01-01", "a1", "supersedes"),
        ]
    )
    assert_frame_equal(agreements_as_of(chain, "2026-06-01"), agreements([("a3", "AAA", "2026-01-01", "a2", "supersedes")]))


# --- growth ----------------------------------------------------------------------------------------


def steps(rows: list[tuple[str, str, int, int]], declaration_dtype: str = "string") -> pd.DataFrame:
    """An expected growth frame from (declaration_id, date, joined, cumulative)."""
    return pd.DataFrame(
        {
            "declaration_id": pd.array([r[0] for r in rows], dtype=declaration_dtype),
            "date": D([r[1] for r in rows]),
            "joined": np.array([r[2] for r in rows], dtype="int64"),
            "cumulative": np.array([r[3] for r in rows], dtype="int64"),
        }
    )


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        # one row per join date; the two 2023-07-12 joins are one step of 2
        (
            {"declaration_id": "d1"},
            [("d1", "2023-07-12", 2, 2), ("d1", "2023-07-20", 1, 3), ("d1", "2023-08-10", 1, 4), ("d1", "2023-09-20", 1, 5)],
        ),
        # several declarations: each has its own cumulative count
        (
            {},
            [
                ("d1", "2023-07-12", 2, 2),
                ("d1", "2023-07-20", 1, 3),
                ("d1", "2023-08-10", 1, 4),
                ("d1", "2023-09-20", 1, 5),
                ("d2", "2024-09-25", 1, 1),
                ("d2", "2024-10-02", 1, 2),
            ],
        ),
        # a window keeps the cumulative count of the joins before it
        (
            {"declaration_id": "d1", "start": "2023-07-15", "end": "2023-08-31"},
            [("d1", "2023-07-20", 1, 3), ("d1", "2023-08-10", 1, 4)],
        ),
        # the window's bounds are inclusive
        (
            {"declaration_id": "d1", "start": "2023-07-20", "end": "2023-08-10"},
            [("d1", "2023-07-20", 1, 3), ("d1", "2023-08-10", 1, 4)],
        ),
        # only an end
        ({"declaration_id": "d1", "end": "2023-07-20"}, [("d1", "2023-07-12", 2, 2), ("d1", "2023-07-20", 1, 3)]),
    ],
)
def test_growth_steps(kwargs, expected):
    assert_frame_equal(growth(SIG, **kwargs), steps(expected))


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        # daily, window starting before the first join: zeros, then the step
        (
            {"freq": "D", "start": "2023-07-11", "end": "2023-07-14"},
            [("d1", "2023-07-11", 0, 0), ("d1", "2023-07-12", 2, 2), ("d1", "2023-07-13", 0, 2), ("d1", "2023-07-14", 0, 2)],
        ),
        # daily, window starting after two joins: they count in the first period's total, not in its "joined"
        (
            {"freq": "D", "start": "2023-07-19", "end": "2023-07-21"},
            [("d1", "2023-07-19", 0, 2), ("d1", "2023-07-20", 1, 3), ("d1", "2023-07-21", 0, 3)],
        ),
        # weekly (weeks end on Sunday): 2023-07-12 is a Wednesday, its week ends 2023-07-16
        (
            {"freq": "W", "end": "2023-08-13"},
            [
                ("d1", "2023-07-16", 2, 2),
                ("d1", "2023-07-23", 1, 3),
                ("d1", "2023-07-30", 0, 3),
                ("d1", "2023-08-06", 0, 3),
                ("d1", "2023-08-13", 1, 4),
            ],
        ),
        # monthly, default window from the first to the last join; date is the month's last day
        ({"freq": "M"}, [("d1", "2023-07-31", 3, 3), ("d1", "2023-08-31", 1, 4), ("d1", "2023-09-30", 1, 5)]),
        # monthly with an end before the last join: later joins are left out
        ({"freq": "M", "end": "2023-08-15"}, [("d1", "2023-07-31", 3, 3), ("d1", "2023-08-31", 1, 4)]),
    ],
)
def test_growth_periods_one_declaration(kwargs, expected):
    assert_frame_equal(growth(SIG, declaration_id="d1", **kwargs), steps(expected, declaration_dtype="object"))


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        # d1's window: three joins before start count in August; d2 has nobody yet
        (
            "2023-08-01",
            "2023-09-30",
            [("d1", "2023-08-31", 1, 4), ("d1", "2023-09-30", 1, 5), ("d2", "2023-08-31", 0, 0), ("d2", "2023-09-30", 0, 0)],
        ),
        # d2's window: d1 is complete (5) and flat; d2 grows 1 → 2
        (
            "2024-09-01",
            "2024-10-31",
            [("d1", "2024-09-30", 0, 5), ("d1", "2024-10-31", 0, 5), ("d2", "2024-09-30", 1, 1), ("d2", "2024-10-31", 1, 2)],
        ),
    ],
)
def test_growth_monthly_several_declarations(start, end, expected):
    assert_frame_equal(growth(SIG, freq="M", start=start, end=end), steps(expected, declaration_dtype="object"))


EMPTY_GROWTH = pd.DataFrame(
    {
        "declaration_id": pd.Series(dtype="string"),
        "date": pd.Series(dtype="datetime64[ns]"),
        "joined": pd.Series(dtype="int64"),
        "cumulative": pd.Series(dtype="int64"),
    }
)


@pytest.mark.parametrize(
    ("frame", "kwargs"),
    [
        (SIG.iloc[:0], {}),  # no rows at all
        (SIG.iloc[:0], {"freq": "M"}),  # no rows, with a frequency
        (SIG, {"declaration_id": "unknown"}),  # a declaration nobody joined
        (SIG, {"declaration_id": "unknown", "freq": "W"}),  # the same, weekly
    ],
)
def test_growth_empty(frame, kwargs):
    assert_frame_equal(growth(frame, **kwargs), EMPTY_GROWTH)


# --- days_since_adoption ---------------------------------------------------------------------------


def test_days_since_adoption():
    sig = signatories(
        [
            ("d1", "AAA", "2023-07-12"),  # on the day of adoption: 0
            ("d1", "BBB", "2023-08-03"),  # 22 days later
            ("d2", "AAA", "2024-10-02"),  # other declaration, adopted 2024-09-25: 7
            ("d3", "CCC", "2024-01-01"),  # a declaration with no adoption date: missing
        ]
    )
    declarations = pd.DataFrame({"declaration_id": S(["d1", "d2"]), "adopted_date": D(["2023-07-12", "2024-09-25"])})
    expected = sig.copy()
    expected["days_since_adoption"] = pd.array([0, 22, 7, None], dtype="Int64")
    assert_frame_equal(days_since_adoption(sig, declarations), expected)


# --- composition_by_bloc ---------------------------------------------------------------------------

COMP_SIG = signatories(
    [
        ("d", "FIN", "2023-07-12"),  # EU since 1995, NATO since 2023-04-04
        ("d", "SWE", "2023-07-12"),  # EU, but NATO only from 2024-03-07
        ("d", "USA", "2023-07-12"),  # G7 and NATO
        ("d", "GBR", "2023-07-12"),  # G7 and NATO; left the EU in 2020
        ("d", "NOR", "2023-07-14"),  # NATO only
        ("d", "EUU", "2023-07-12"),  # no membership; an organisation in the parties table
        ("d", "XXX", "2023-07-20"),  # no membership; a state
        ("d", "ZZZ", "2023-07-14"),  # joined NATO the same day it joined the declaration
        ("d", "YYY", "2023-07-14"),  # left the EU the same day it joined the declaration
        ("other", "NOR", "2023-07-12"),  # another declaration
    ]
)
COMP_MEM = memberships(
    [
        ("FIN", "EU", "1995-01-01", None),
        ("FIN", "NATO", "2023-04-04", None),
        ("SWE", "EU", "1995-01-01", None),
        ("SWE", "NATO", "2024-03-07", None),
        ("USA", "G7", "1975-11-15", None),
        ("USA", "NATO", "1949-08-24", None),
        ("GBR", "G7", "1975-11-15", None),
        ("GBR", "NATO", "1949-08-24", None),
        ("GBR", "EU", "1973-01-01", "2020-02-01"),
        ("NOR", "NATO", "1949-08-24", None),
        ("ZZZ", "NATO", "2023-07-14", None),
        ("YYY", "EU", "2004-05-01", "2023-07-14"),
    ]
)
COMP_PARTIES = pd.DataFrame(
    {
        "party_id": S(["FIN", "SWE", "USA", "GBR", "NOR", "EUU", "XXX", "ZZZ", "YYY"]),
        "party_type": S(["state"] * 5 + ["organisation"] + ["state"] * 3),
    }
)


def test_composition_by_bloc_frame():
    expected = COMP_SIG.iloc[:9].reset_index(drop=True)
    #                       FIN    SWE    USA    GBR    NOR    EUU    XXX    ZZZ    YYY
    expected["in_G7"] = [False, False, True, True, False, False, False, False, False]
    expected["in_EU"] = [True, True, False, False, False, False, False, False, False]
    expected["in_NATO"] = [True, False, True, True, True, False, False, True, False]
    expected["group"] = S(["EU", "EU", "G7", "G7", "NATO", "organisation", "other", "NATO", "other"])
    assert_frame_equal(composition_by_bloc(COMP_SIG, COMP_MEM, COMP_PARTIES, declaration_id="d"), expected)


@pytest.mark.parametrize(
    ("parties", "priority", "expected"),
    [
        # without the parties table an organisation is just "other"
        (None, ("G7", "EU", "NATO"), ["EU", "EU", "G7", "G7", "NATO", "other", "other", "NATO", "other"]),
        # NATO first: Finland, the USA and the UK are labelled NATO
        (COMP_PARTIES, ("NATO", "EU", "G7"), ["NATO", "EU", "NATO", "NATO", "NATO", "organisation", "other", "NATO", "other"]),
        # a priority without NATO: Norway and ZZZ fall through to "other"
        (COMP_PARTIES, ("EU",), ["EU", "EU", "other", "other", "other", "organisation", "other", "other", "other"]),
    ],
)
def test_composition_by_bloc_groups(parties, priority, expected):
    out = composition_by_bloc(COMP_SIG, COMP_MEM, parties, declaration_id="d", priority=priority)
    assert out["group"].tolist() == expected
    assert [c for c in out.columns if c.startswith("in_")] == [f"in_{b}" for b in priority]


def test_composition_by_bloc_all_declarations_judged_at_each_join_date():
    # Norway appears twice (d and "other"); both rows are NATO. Sweden joining after 2024-03-07 would be NATO.
    sig = signatories([("d", "SWE", "2023-07-12"), ("later", "SWE", "2024-03-07"), ("other", "NOR", "2023-07-12")])
    out = composition_by_bloc(sig, COMP_MEM)
    assert out["in_NATO"].tolist() == [False, True, True]
    assert out["group"].tolist() == ["EU", "EU", "NATO"]


def test_composition_by_bloc_party_missing_from_object_parties_table_is_other():
    # Object-dtype parties table: a party it does not list is "other".
    parties = pd.DataFrame({"party_id": ["EUU"], "party_type": ["organisation"]})
    sig = signatories([("d", "EUU", "2023-07-12"), ("d", "XXX", "2023-07-12")])
    assert composition_by_bloc(sig, COMP_MEM, parties)["group"].tolist() == ["organisation", "other"]


def test_composition_by_bloc_party_missing_from_string_parties_table_is_other():
    parties = pd.DataFrame({"party_id": S(["EUU"]), "party_type": S(["organisation"])})
    sig = signatories([("d", "EUU", "2023-07-12"), ("d", "XXX", "2023-07-12")])
    assert composition_by_bloc(sig, COMP_MEM, parties)["group"].tolist() == ["organisation", "other"]


# --- not_joined ------------------------------------------------------------------------------------

NJ_MEM = memberships(
    [
        ("AAA", "EU", "1958-01-01", None),
        ("BBB", "EU", "2004-05-01", None),
        ("CCC", "EU", "2023-07-15", None),
        ("GBR", "EU", "1973-01-01", "2020-02-01"),
        ("NOR", "NATO", "1949-08-24", None),
    ]
)
NJ_SIG = signatories(
    [("d", "AAA", "2023-07-12"), ("d", "BBB", "2023-08-01"), ("d2", "CCC", "2023-07-12"), ("d", "NOR", "2023-07-12")]
)


@pytest.mark.parametrize(
    ("date", "declaration_id", "expected"),
    [
        ("2023-07-12", "d", ["BBB"]),  # CCC not yet an EU member; AAA joined that day
        ("2023-07-20", "d", ["BBB", "CCC"]),  # CCC became a member on 2023-07-15
        ("2023-08-01", "d", ["CCC"]),  # BBB joined on the date itself
        ("2023-08-01", "d2", ["AAA", "BBB"]),  # another declaration: only CCC joined it
        ("2019-01-01", "d", ["AAA", "BBB", "GBR"]),  # before anyone joined; GBR still in the EU
        ("2023-08-01", None, []),  # any declaration: all three current members joined something
    ],
)
def test_not_joined(date, declaration_id, expected):
    assert not_joined(NJ_SIG, NJ_MEM, "EU", date, declaration_id)["party_id"].tolist() == expected


def test_not_joined_frame():
    expected = memberships([("BBB", "EU", "2004-05-01", None), ("CCC", "EU", "2023-07-15", None)])
    assert_frame_equal(not_joined(NJ_SIG, NJ_MEM, "EU", "2023-07-31", "d"), expected)


# --- join_waves ------------------------------------------------------------------------------------

# A → B: 7 days, B → C: 8 days.
GAP_SIG = signatories([("d", "C", "2023-07-27"), ("d", "A", "2023-07-12"), ("d", "B", "2023-07-19")])


@pytest.mark.parametrize(
    ("gap_days", "expected"),
    [
        (7, ["A, B", "C"]),  # a gap of exactly gap_days stays in the wave; gap_days + 1 starts a new one
        (8, ["A, B, C"]),  # both gaps ≤ 8: one wave
        (6, ["A", "B", "C"]),  # both gaps > 6: three waves
    ],
)
def test_join_waves_gap_boundary(gap_days, expected):
    assert join_waves(GAP_SIG, gap_days=gap_days)["party_ids"].tolist() == expected


def test_join_waves_frame():
    expected = pd.DataFrame(
        {
            "wave": np.array([1, 2], dtype="int64"),
            "start_date": D(["2023-07-12", "2023-07-27"]),
            "end_date": D(["2023-07-19", "2023-07-27"]),
            "parties": np.array([2, 1], dtype="int64"),
            "party_ids": S(["A, B", "C"]),
        }
    )
    assert_frame_equal(join_waves(GAP_SIG, "d"), expected)


def test_join_waves_same_day_and_zero_gap():
    # Same-day joins are one wave even with gap_days=0; ties are ordered by party_id.
    sig = signatories([("d", "Y", "2023-07-12"), ("d", "X", "2023-07-12"), ("d", "Z", "2023-07-13")])
    assert join_waves(sig, gap_days=0)["party_ids"].tolist() == ["X, Y", "Z"]


def test_join_waves_with_milestones():
    sig = signatories(
        [
            ("d", "A", "2023-07-05"),
            ("d", "B", "2023-07-12"),
            ("d", "C", "2023-07-14"),
            ("d", "D", "2023-07-27"),
            ("d", "E", "2023-09-01"),
            ("other", "Q", "2023-07-06"),  # another declaration: ignored
        ]
    )
    # Unsorted on purpose; "Kyiv" begins the same day as wave 2 (on or before: 0 days).
    milestones = pd.DataFrame({"start_date": D(["2023-07-27", "2023-07-11"]), "label": S(["Kyiv", "Vilnius"])})
    out = join_waves(sig, "d", milestones=milestones)
    expected = pd.DataFrame(
        {
            "wave": np.array([1, 2, 3], dtype="int64"),
            "start_date": D(["2023-07-05", "2023-07-27", "2023-09-01"]),
            "end_date": D(["2023-07-14", "2023-07-27", "2023-09-01"]),
            "parties": np.array([3, 1, 1], dtype="int64"),
            "party_ids": S(["A, B, C", "D", "E"]),
            # wave 1 began before any milestone; 2023-07-27 → 2023-09-01 is 36 days
            "after_milestone": S([None, "Kyiv", "Kyiv"]),
            "days_after_milestone": pd.array([None, 0, 36], dtype="Int64"),
        }
    )
    assert_frame_equal(out, expected)


def test_join_waves_empty():
    out = join_waves(SIG, "unknown")
    assert out.columns.tolist() == ["wave", "start_date", "end_date", "parties", "party_ids"]
    assert len(out) == 0


# --- inputs are never modified ---------------------------------------------------------------------

MILESTONES = pd.DataFrame({"start_date": D(["2023-07-11"]), "label": S(["Vilnius"])})
DECLARATIONS = pd.DataFrame({"declaration_id": S(["d1", "d2"]), "adopted_date": D(["2023-07-12", "2024-09-25"])})


@pytest.mark.parametrize(
    ("func", "frames", "kwargs"),
    [
        (members_as_of, (SIG,), {"date": "2023-08-01", "declaration_id": "d1"}),
        (memberships_as_of, (MEM,), {"date": "2024-01-01", "bloc": "NATO"}),
        (agreements_as_of, (AGR,), {"date": "2025-06-01"}),
        (growth, (SIG,), {}),
        (growth, (SIG,), {"freq": "W", "start": "2023-07-20"}),
        (days_since_adoption, (SIG, DECLARATIONS), {}),
        (composition_by_bloc, (COMP_SIG, COMP_MEM, COMP_PARTIES), {"declaration_id": "d"}),
        (not_joined, (NJ_SIG, NJ_MEM), {"bloc": "EU", "date": "2023-08-01", "declaration_id": "d"}),
        (join_waves, (SIG,), {"declaration_id": "d1", "milestones": MILESTONES}),
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

joins = st.lists(
    st.tuples(st.sampled_from(["d1", "d2"]), st.integers(min_value=0, max_value=29), st.integers(min_value=0, max_value=150)),
    min_size=1,
    max_size=30,
    unique_by=lambda t: (t[0], t[1]),  # a party joins a declaration once
)


def _frame(rows) -> pd.DataFrame:
    return signatories([(d, f"P{p:02d}", (BASE + pd.Timedelta(days=day)).strftime("%Y-%m-%d")) for d, p, day in rows])


@settings(max_examples=50, deadline=None)
@given(joins)
def test_growth_steps_non_decreasing_and_end_at_party_count(rows):
    sig = _frame(rows)
    out = growth(sig)
    for declaration, part in out.groupby("declaration_id"):
        cumulative = part["cumulative"].tolist()
        assert cumulative == sorted(cumulative)
        assert cumulative[-1] == sum(1 for d, _, _ in rows if d == declaration)
        assert part["joined"].sum() == cumulative[-1]
    assert set(out["declaration_id"]) == {d for d, _, _ in rows}


@settings(max_examples=50, deadline=None)
@given(joins, st.integers(min_value=-5, max_value=160), st.sampled_from(["d1", "d2"]))
def test_members_as_of_agrees_with_growth(rows, offset, declaration):
    sig = _frame(rows)
    date = BASE + pd.Timedelta(days=offset)
    out = growth(sig, declaration)
    before = out[out["date"] <= date]
    from_growth = int(before["cumulative"].iloc[-1]) if len(before) else 0
    assert len(members_as_of(sig, date, declaration)) == from_growth


@settings(max_examples=50, deadline=None)
@given(joins, st.sampled_from(["D", "W", "M"]))
def test_growth_periods_end_at_total(rows, freq):
    sig = _frame(rows)
    out = growth(sig, freq=freq)
    for declaration, part in out.groupby("declaration_id"):
        cumulative = part["cumulative"].tolist()
        assert cumulative == sorted(cumulative)
        assert cumulative[-1] == sum(1 for d, _, _ in rows if d == declaration)
        # every period of the grid appears once per declaration, in order
        assert part["date"].is_monotonic_increasing
        assert part["date"].is_unique
