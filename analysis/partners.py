"""One partner's whole story: joining, negotiating, signing, compared with the median partner, with its sources.

Pure functions on a dataset (a mapping of table name → DataFrame).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from analysis.coalition import DateLike, _ts
from analysis.labels import step_order
from analysis.negotiations import durations, partner_status, timelines

SOURCE_COLUMNS = ("source_id", "alt_source_id")


def partner_timeline(tables: Mapping[str, pd.DataFrame], party_id: str) -> pd.DataFrame:
    """Every dated step for one partner, joining and signing included, with what happened and who led.

    Columns: ``date``, ``date_precision``, ``step``, ``agreement_id``, ``what``, ``ukraine_lead``,
    ``partner_lead``, ``source_id``, ``track`` (``bilateral_agreement``, or ``us_guarantees`` for the 2025–26
    US talks).

    >>> ds = {"signatories": pd.DataFrame({"declaration_id": ["d"], "party_id": ["AAA"], "joined_date": pd.to_datetime(["2023-07-12"]),
    ...       "date_precision": ["day"], "source_id": ["s1"]}),
    ...       "events": pd.DataFrame({"party_id": ["AAA"], "event_type": ["negotiations_opened"], "event_date": pd.to_datetime(["2023-08-03"]),
    ...       "date_precision": ["day"], "agreement_id": ["aaa-2024"], "description": ["Talks opened."], "ukraine_lead": ["X"],
    ...       "partner_lead": [None], "source_id": ["s2"]}),
    ...       "agreements": pd.DataFrame({"agreement_id": ["aaa-2024"], "party_id": ["AAA"], "signed_date": pd.to_datetime(["2024-01-12"]),
    ...       "date_precision": ["day"], "title": ["Agreement"], "place": ["Kyiv"], "source_id": ["s3"]}),
    ...       "declarations": pd.DataFrame({"declaration_id": ["d"], "title": ["Declaration"]})}
    >>> partner_timeline(ds, "AAA")["step"].tolist()
    ['joined', 'negotiations_opened', 'signed']
    """
    titles = tables["declarations"].set_index("declaration_id")["title"]
    sig = tables["signatories"][tables["signatories"]["party_id"] == party_id]
    joined = pd.DataFrame(
        {
            "date": sig["joined_date"],
            "date_precision": sig["date_precision"],
            "step": "joined",
            "agreement_id": None,
            "what": "Joined: " + sig["declaration_id"].map(titles).astype(str),
            "source_id": sig["source_id"],
        }
    )
    ev = tables["events"][tables["events"]["party_id"] == party_id]
    steps = pd.DataFrame(
        {
            "date": ev["event_date"],
            "date_precision": ev["date_precision"],
            "step": ev["event_type"],
            "agreement_id": ev["agreement_id"],
            "what": ev["description"],
            "ukraine_lead": ev["ukraine_lead"],
            "partner_lead": ev["partner_lead"],
            "source_id": ev["source_id"],
            "track": ev["track"] if "track" in ev else "bilateral_agreement",
        }
    )
    agr = tables["agreements"][tables["agreements"]["party_id"] == party_id]
    place = agr["place"].fillna("place not reported")
    signed = pd.DataFrame(
        {
            "date": agr["signed_date"],
            "date_precision": agr["date_precision"],
            "step": "signed",
            "agreement_id": agr["agreement_id"],
            "what": "Signed: " + agr["title"].astype(str) + " (" + place.astype(str) + ")",
            "source_id": agr["source_id"],
        }
    )
    columns = ["date", "date_precision", "step", "agreement_id", "what", "ukraine_lead", "partner_lead", "source_id", "track"]
    frames = [frame.reindex(columns=columns).astype(object) for frame in (joined, steps, signed) if not frame.empty]
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    out["date"] = pd.to_datetime(out["date"])
    out["track"] = out["track"].fillna("bilateral_agreement")
    order = {"joined": -1} | step_order()
    out["_order"] = out["step"].map(order).fillna(len(order))
    out = out.sort_values(["date", "_order"], kind="stable").drop(columns="_order").reset_index(drop=True)
    return out[columns]


def partner_sources(tables: Mapping[str, pd.DataFrame], party_id: str) -> pd.DataFrame:
    """Every source cited by any row about the partner (main, alternative and further sources), one row each.

    >>> ds = {"sources": pd.DataFrame({"source_id": ["s1", "s2", "s3"], "url": ["https://a", "https://b", "https://c"],
    ...       "publisher": ["A", "B", "C"], "title": ["a", "b", "c"], "published_date": pd.to_datetime(["2024-01-01"] * 3)}),
    ...       "events": pd.DataFrame({"party_id": ["AAA", "BBB"], "source_id": ["s1", "s3"], "other_source_ids": ["s2", None]})}
    >>> partner_sources(ds, "AAA")["source_id"].tolist()
    ['s1', 's2']
    """
    cited: set[str] = set()
    for name, frame in tables.items():
        if name == "sources" or "party_id" not in frame.columns:
            continue
        rows = frame[frame["party_id"] == party_id]
        for column in SOURCE_COLUMNS:
            if column in rows.columns:
                cited.update(rows[column].dropna())
        if "other_source_ids" in rows.columns:
            for value in rows["other_source_ids"].dropna():
                cited.update(filter(None, str(value).split(";")))
    sources = tables["sources"]
    return (
        sources[sources["source_id"].isin(cited)]
        .sort_values(["published_date", "source_id"], na_position="last")
        .reset_index(drop=True)
    )


def compare_with_median(tables: Mapping[str, pd.DataFrame], party_id: str, declaration_id: str | None = None) -> pd.DataFrame:
    """The partner's durations beside the median over all partners that have that duration.

    Rows: ``days_joined_to_opened``, ``days_opened_to_signed``, ``days_joined_to_signed``; columns
    ``measure``, ``partner``, ``median``, ``partners`` (how many have the measure).

    >>> sig = pd.DataFrame({"declaration_id": ["d"] * 3, "party_id": ["A", "B", "C"], "joined_date": pd.to_datetime(["2023-07-12"] * 3)})
    >>> ev = pd.DataFrame({"party_id": list("ABC"), "event_type": ["negotiations_opened"] * 3,
    ...     "event_date": pd.to_datetime(["2023-08-01", "2023-09-01", "2023-10-01"]), "agreement_id": [None] * 3})
    >>> agr = pd.DataFrame({"agreement_id": ["a-2024", "b-2024"], "party_id": ["A", "B"], "signed_date": pd.to_datetime(["2024-01-01"] * 2)})
    >>> compare_with_median({"signatories": sig, "events": ev, "agreements": agr}, "A").to_dict("records")[1]
    {'measure': 'days_opened_to_signed', 'partner': 153, 'median': 137.5, 'partners': 2}
    """
    table = durations(tables["signatories"], tables["events"], tables["agreements"], declaration_id)
    mine = table[table["party_id"] == party_id]
    rows = []
    for measure in ("days_joined_to_opened", "days_opened_to_signed", "days_joined_to_signed"):
        values = table[measure].dropna()
        value = mine[measure].iloc[0] if not mine.empty else pd.NA
        rows.append(
            {
                "measure": measure,
                "partner": None if pd.isna(value) else int(value),
                "median": float(values.median()) if len(values) else None,
                "partners": len(values),
            }
        )
    return pd.DataFrame(rows)


def partner_summary(
    tables: Mapping[str, pd.DataFrame], party_id: str, cutoff: DateLike, declaration_id: str | None = None
) -> dict[str, object]:
    """The headline facts about one partner as of ``cutoff``: stage, key dates, first agreement, rounds.

    >>> sig = pd.DataFrame({"declaration_id": ["d"], "party_id": ["A"], "joined_date": pd.to_datetime(["2023-07-12"])})
    >>> ev = pd.DataFrame({"party_id": ["A"], "event_type": ["negotiations_opened"], "event_date": pd.to_datetime(["2023-08-01"]),
    ...     "agreement_id": [None]})
    >>> agr = pd.DataFrame({"agreement_id": [], "party_id": [], "signed_date": pd.to_datetime([])})
    >>> s = partner_summary({"signatories": sig, "events": ev, "agreements": agr}, "A", "2024-01-01")
    >>> s["stage"], s["negotiating_since"], s["rounds"]
    ('negotiating', Timestamp('2023-08-01 00:00:00'), 0)
    """
    day = _ts(cutoff)
    status = partner_status(tables["signatories"], tables["events"], tables["agreements"], day, declaration_id)
    row = status[status["party_id"] == party_id]
    steps = timelines(tables["events"], tables["agreements"])
    mine = steps[(steps["party_id"] == party_id) & (steps["date"] <= day)]
    first_step = mine.loc[mine["step"] != "signed", "date"].min()
    agreements = tables["agreements"][
        (tables["agreements"]["party_id"] == party_id) & (tables["agreements"]["signed_date"] <= day)
    ]
    return {
        "party_id": party_id,
        "stage": row["stage"].iloc[0] if not row.empty else "none",
        "joined_date": row["joined_date"].iloc[0] if not row.empty else pd.NaT,
        "opened_date": row["opened_date"].iloc[0] if not row.empty else pd.NaT,
        "signed_date": row["signed_date"].iloc[0] if not row.empty else pd.NaT,
        "negotiating_since": first_step if not row.empty and row["stage"].iloc[0] == "negotiating" else pd.NaT,
        "rounds": int((mine["step"] == "negotiation_round").sum()),
        "agreements": len(agreements),
    }
