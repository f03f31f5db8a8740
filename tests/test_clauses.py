"""The clause matrix helpers on hand-made matrices with hand-computed answers, and kappa's invariants."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import clauses
from analysis.agreements import text_sources

DIMS = pd.DataFrame({"dimension_id": ["consult", "air", "nato"], "position": [1, 3, 2],
                     "label": ["Consultations", "Air defence", "NATO"], "scale": ["ordinal", "nominal", "ordinal"]})  # fmt: skip
VALUES = pd.DataFrame(
    {
        "dimension_id": ["consult"] * 3 + ["air"] * 2 + ["nato"] * 3,
        "value": ["not_stated", "prompt", "within_24_hours", "not_stated", "named", "not_stated", "aspiration", "irreversible_path"],
        "rank": [0, 1, 2, 0, 1, 0, 1, 2],
    }
)
# three agreements: A promises most, B less, C has NATO not coded
CLAUSES = pd.DataFrame(
    {
        "agreement_id": ["a-2024", "a-2024", "a-2024", "b-2024", "b-2024", "b-2024", "c-2024", "c-2024"],
        "dimension_id": ["consult", "air", "nato", "consult", "air", "nato", "consult", "air"],
        "value": ["within_24_hours", "named", "irreversible_path", "prompt", "not_stated", "aspiration", "within_24_hours", "named"],
    }
)


def test_the_matrix_has_one_row_per_agreement_columns_in_codebook_order_and_not_coded_is_missing():
    wide = clauses.matrix(CLAUSES, DIMS)
    assert list(wide.columns) == ["consult", "nato", "air"]  # by position, not by name
    assert list(wide.index) == ["a-2024", "b-2024", "c-2024"]
    assert wide.loc["b-2024", "air"] == "not_stated"  # a finding
    assert pd.isna(wide.loc["c-2024", "nato"])  # not coded


@pytest.mark.parametrize(
    ("dimension", "value", "at_least", "expected"),
    [
        ("consult", "within_24_hours", None, ["a-2024", "c-2024"]),
        ("air", "not_stated", None, ["b-2024"]),
        ("nato", None, "aspiration", ["a-2024", "b-2024"]),  # ordinal: aspiration or stronger; C is not coded
        ("nato", None, "irreversible_path", ["a-2024"]),
        ("consult", "nothing_like_this", None, []),
    ],
)
def test_who_promises_what(dimension, value, at_least, expected):
    assert clauses.promising(CLAUSES, dimension, value, at_least=at_least, values=VALUES) == expected


def test_an_ordinal_threshold_needs_the_codebook_and_a_known_value():
    with pytest.raises(ValueError, match="needs the codebook"):
        clauses.promising(CLAUSES, "nato", at_least="aspiration")
    with pytest.raises(ValueError, match="is not a value"):
        clauses.promising(CLAUSES, "nato", at_least="membership", values=VALUES)


def test_two_agreements_compared_dimension_by_dimension():
    table = clauses.compare(CLAUSES, DIMS, "a-2024", "c-2024")
    assert table["dimension"].tolist() == ["Consultations", "NATO", "Air defence"]
    assert table["a-2024"].tolist() == ["within_24_hours", "irreversible_path", "named"]
    assert table["c-2024"].isna().tolist() == [False, True, False]
    assert table["same"].tolist() == [True, False, True]  # not coded is never "the same"


def test_scores_add_ordinal_ranks_out_of_the_maximum_for_the_dimensions_coded():
    scores = clauses.scores(CLAUSES, DIMS, VALUES).set_index("agreement_id")
    # A: consult 2 + nato 2 = 4 of 4; B: 1 + 1 = 2 of 4; C: consult 2 of 2 (NATO not coded)
    assert scores.loc["a-2024"].tolist() == [4, 4, 2]
    assert scores.loc["b-2024"].tolist() == [2, 4, 2]
    assert scores.loc["c-2024"].tolist() == [2, 2, 1]


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        (list("aabb"), list("aabb"), 1.0),  # perfect agreement
        (list("abab"), list("aabb"), 0.0),  # agreement at chance: po = 0.5, pe = 0.5
        (list("aaab"), list("aaba"), (0.5 - 0.625) / (1 - 0.625)),  # po = 2/4, pe = (3*3 + 1*1) / 16
        (list("aaaa"), list("aaaa"), None),  # one value throughout: undefined
    ],
)
def test_cohen_kappa_by_hand(first, second, expected):
    result = clauses.cohen_kappa(first, second)
    assert result == pytest.approx(expected) if expected is not None else result is None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("xyz"), st.sampled_from("xyz")), min_size=1, max_size=30))
def test_kappa_is_symmetric_bounded_and_one_only_for_total_agreement(pairs):
    first, second = [a for a, _ in pairs], [b for _, b in pairs]
    k = clauses.cohen_kappa(first, second)
    assert k == clauses.cohen_kappa(second, first)
    if k is not None:
        assert -1 - 1e-9 <= k <= 1 + 1e-9
        assert (k == pytest.approx(1.0)) == (first == second)


def test_share_agreed_by_hand():
    assert clauses.share_agreed(list("aabb"), list("abab")) == 0.5
    assert clauses.share_agreed(list("abc"), list("abc")) == 1.0
    with pytest.raises(ValueError, match="same, non-empty"):
        clauses.share_agreed([], [])


def test_agreement_by_dimension_table():
    # four agreements; consultations: po = 2/4, pe = (2*2 + 2*2)/16 = 0.5, kappa 0; air defence: one value throughout
    checks = pd.DataFrame({"agreement_id": list("wxyz") + ["w", "x", "y", "z"], "dimension_id": ["consult"] * 4 + ["air"] * 4,
                           "first_value": list("aabb") + ["n"] * 4, "second_value": list("abab") + ["n"] * 4})  # fmt: skip
    table = clauses.agreement_by_dimension(checks, DIMS)
    assert table["dimension"].tolist() == ["Consultations", "Air defence"]
    assert table["items"].tolist() == [4, 4] and table["agreed"].tolist() == [0.5, 1.0]
    assert table["kappa"].iloc[0] == 0.0 and pd.isna(table["kappa"].iloc[1])
    # total agreement: every resample agrees fully; kappa has no interval where it is undefined
    assert (table["agreed_low"].iloc[1], table["agreed_high"].iloc[1]) == (1.0, 1.0)
    assert pd.isna(table["kappa_low"].iloc[1]) and pd.isna(table["kappa_high"].iloc[1])
    markdown = clauses.kappa_markdown(checks, DIMS)
    assert "| Air defence | 4 | 100% | 100%–100% | – (one value throughout) | – |" in markdown
    assert "2,000 resamples of the 4 agreements coded twice (seed 17)" in markdown


def test_bootstrap_intervals_by_hand_on_two_agreements():
    # w agrees (a, a), x does not (a, b). A resample of two draws {w, w}, {w, x}, {x, w} or {x, x} (each 1/4 but the
    # mixed ones 1/2 together): share agreed 1, 1/2 or 0, so the 95 % interval is 0 to 1. Kappa is 0 on every resample
    # where it is defined ({w, w} has one value throughout: undefined; {x, x}: po = 0, pe = 0), so its interval is 0 to 0.
    checks = pd.DataFrame({"agreement_id": ["w", "x"], "dimension_id": ["consult"] * 2, "first_value": ["a", "a"],
                           "second_value": ["a", "b"]})  # fmt: skip
    row = clauses.agreement_by_dimension(checks, DIMS).iloc[0]
    assert (row["agreed"], row["kappa"]) == (0.5, 0.0)
    assert (row["agreed_low"], row["agreed_high"]) == (0.0, 1.0)
    assert (row["kappa_low"], row["kappa_high"]) == (0.0, 0.0)


def test_the_bootstrap_is_repeatable_from_its_seed():
    checks = pd.DataFrame({"agreement_id": list("uvwxyz"), "dimension_id": ["consult"] * 6, "first_value": list("aabbab"),
                           "second_value": list("abbbaa")})  # fmt: skip
    once = clauses.agreement_by_dimension(checks, DIMS, seed=5)
    pd.testing.assert_frame_equal(once, clauses.agreement_by_dimension(checks, DIMS, seed=5))
    assert clauses.kappa_markdown(checks, DIMS) == clauses.kappa_markdown(checks, DIMS)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("xyz"), st.sampled_from("xyz")), min_size=1, max_size=12), st.booleans())
def test_bootstrap_intervals_are_ordered_bounded_symmetric_and_total_for_identical_codings(pairs, identical):
    first = [a for a, _ in pairs]
    second = first if identical else [b for _, b in pairs]
    agreements = [f"a{i:02d}" for i in range(len(pairs))]
    checks = pd.DataFrame({"agreement_id": agreements, "dimension_id": "consult", "first_value": first, "second_value": second})
    row = clauses.agreement_by_dimension(checks, DIMS, resamples=200).iloc[0]
    assert 0 <= row["agreed_low"] <= row["agreed_high"] <= 1
    if not pd.isna(row["kappa_low"]):
        assert -1 - 1e-9 <= row["kappa_low"] <= row["kappa_high"] <= 1 + 1e-9
    if identical:  # every resample agrees fully: share 1, and kappa 1 wherever it is defined
        assert (row["agreed"], row["agreed_low"], row["agreed_high"]) == (1.0, 1.0, 1.0)
        assert pd.isna(row["kappa"]) or (row["kappa"], row["kappa_low"], row["kappa_high"]) == (1.0, 1.0, 1.0)
    swapped = checks.rename(columns={"first_value": "second_value", "second_value": "first_value"})
    again = clauses.agreement_by_dimension(swapped, DIMS, resamples=200)
    pd.testing.assert_frame_equal(again, clauses.agreement_by_dimension(checks, DIMS, resamples=200))


def test_the_text_of_an_agreement_is_the_one_its_clauses_were_coded_from():
    agreements = pd.DataFrame({"agreement_id": ["a-2024", "b-2024"], "source_id": ["signing-a", "signing-b"]})
    coded = pd.DataFrame({"agreement_id": ["a-2024"] * 3, "source_id": ["text-a", "text-a", "other"]})
    assert text_sources(agreements, coded).to_dict() == {"a-2024": "text-a", "b-2024": "signing-b"}
