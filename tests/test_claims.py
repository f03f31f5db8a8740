"""The claims audit, tested with claims whose answer is known."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import claims

SIG = pd.DataFrame(
    {
        "declaration_id": ["d"] * 6,
        "party_id": ["USA", "EUU", "DNK", "XKX", "POL", "NOR"],
        "role": ["original", "original", "acceded", "acceded", "acceded", "acceded"],
        "joined_date": pd.to_datetime(["2023-07-12", "2023-07-12", "2023-07-14", "2023-08-21", "2023-08-21", "2023-09-10"]),
    }
)
AGR = pd.DataFrame(
    {
        "agreement_id": ["usa-2024", "gbr-2024", "gbr-2025", "hrv-2024"],
        "party_id": ["USA", "GBR", "GBR", "HRV"],
        "signed_date": pd.to_datetime(["2024-06-13", "2024-01-12", "2025-01-16", "2024-10-09"]),
    }
)
EV = pd.DataFrame({"party_id": ["DNK"], "event_type": ["negotiations_opened"], "event_date": pd.to_datetime(["2024-02-08"])})
TABLES = {"signatories": SIG, "agreements": AGR, "events": EV}


def claim(date, counted, count, qualifier="", precision="day"):
    return {"claim_id": f"c-{date}-{count}", "claim_date": pd.Timestamp(date), "date_precision": precision, "claimant": "X",
            "counted": counted, "claimed_count": count, "qualifier": qualifier}  # fmt: skip


@pytest.mark.parametrize(
    ("item", "status", "explanation"),
    [
        (claim("2023-08-22", "declaration_joiners", 3), "matches", ""),  # DNK, XKX, POL
        (claim("2023-08-22", "declaration_joiners", 2), "explained", "joiners without Kosovo"),
        (claim("2023-08-22", "declaration_participants", 5), "matches", ""),  # USA, EUU + 3
        (claim("2023-08-22", "declaration_participants", 4), "explained", "states only"),  # the EU not counted
        (claim("2023-08-22", "declaration_participants", 3), "explained", "states without Kosovo"),
        (claim("2023-08-22", "declaration_joiners", 2, "more than"), "matches", ""),  # 3 > 2
        (claim("2023-08-22", "declaration_joiners", 9), "unexplained", ""),
        (claim("2023-09-01", "declaration_joiners", 4, precision="month"), "matches", ""),  # NOR joined on 10 Sep
        (claim("2023-08-23", "declaration_joiners", 1), "explained (report lag)", "3 days before"),  # 20 Aug: DNK only
        (claim("2025-02-01", "agreements_signed", 4), "matches", ""),
        (claim("2025-02-01", "agreements_signed", 3), "explained", "the UK's two counted once"),
        (claim("2025-02-01", "agreements_signed", 1), "explained", "parties to the declaration (Croatia left out)"),  # only USA is a party
        (claim("2024-03-01", "partners_negotiating", 1), "matches", ""),
    ],
)
def test_claims_with_known_answers(item, status, explanation):
    result = claims.audit(pd.DataFrame([item]), TABLES, "d").iloc[0]
    assert result["status"] == status
    assert explanation in result["explanation"]


def test_audit_reports_the_plain_count_and_difference():
    result = claims.audit(pd.DataFrame([claim("2023-08-22", "declaration_joiners", 2)]), TABLES, "d").iloc[0]
    assert (result["data_count"], result["difference"]) == (3, -1)


@pytest.mark.parametrize(
    ("count", "claimed", "qualifier", "expected"),
    [
        (31, 30, "more than", True),
        (30, 30, "more than", False),
        (30, 30, "at least", True),
        (27, 30, "almost", True),
        (26, 30, "almost", False),
        (1, 4, "'almost 30' after these", False),  # the qualifier is about another number
        (30, 30, "already", True),  # not a comparison
    ],
)
def test_satisfies(count, claimed, qualifier, expected):
    assert claims.satisfies(count, claimed, qualifier) is expected


def test_unknown_count_is_an_error():
    with pytest.raises(ValueError, match="unknown count"):
        claims.readings(TABLES, "bananas", pd.Timestamp("2024-01-01"), "d")
