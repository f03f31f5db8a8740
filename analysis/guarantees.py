"""After 2024: the Coalition of the Willing, its documents, the US guarantee track, and who stands in which
circle of Ukraine's security guarantees.

Pure functions on the tables; inputs are never modified.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from analysis.coalition import G7_DECLARATION, members_as_of

COALITION = "coalition_of_the_willing"
US_TRACK = "us_guarantees"
#: The circles, from the oldest commitment to the newest, as the report names them.
CIRCLES = {
    "joined_g7_declaration": "Joined the G7 declaration (2023)",
    "signed_bilateral": "Signed a bilateral agreement (2024–25)",
    "coalition_named": "Named at a Coalition of the Willing meeting (2025–26)",
    "endorsed_2025_26": "Named as signing or endorsing a 2025–26 declaration",
}


def circles(tables: Mapping[str, pd.DataFrame], cutoff) -> pd.DataFrame:
    """One row per party in any circle: whether it stands in each (see ``CIRCLES``), and in how many
    coalition meetings a source names it.

    Only what sources name counts: a coalition member no source names at a meeting is not in that circle
    here, and the Paris Declaration's 35 endorsers, reported only as a number, put no one in the last.

    >>> t = {"signatories": pd.DataFrame({"declaration_id": ["g7-jdsu-2023", "paris"], "party_id": ["FRA", "FRA"],
    ...        "role": ["original", "signed"], "joined_date": pd.to_datetime(["2023-07-12", "2026-01-06"])}),
    ...      "declarations": pd.DataFrame({"declaration_id": ["g7-jdsu-2023", "paris"], "adopted_date": pd.to_datetime(["2023-07-12", "2026-01-06"])}),
    ...      "agreements": pd.DataFrame({"party_id": ["FRA"], "signed_date": pd.to_datetime(["2024-02-16"])}),
    ...      "meetings": pd.DataFrame({"meeting_id": ["m"], "forum": ["coalition_of_the_willing"], "meeting_date": pd.to_datetime(["2025-03-02"])}),
    ...      "meeting_participants": pd.DataFrame({"meeting_id": ["m", "m"], "party_id": ["FRA", "GBR"], "role": ["took_part", "host"]})}
    >>> circles(t, "2026-11-28")[["party_id", "circles", "coalition_meetings"]].values.tolist()
    [['FRA', 4, 1], ['GBR', 1, 1]]
    """
    day = pd.Timestamp(cutoff)
    joined = set(members_as_of(tables["signatories"], day, G7_DECLARATION)["party_id"])
    agreements = tables["agreements"]
    signed = set(agreements.loc[agreements["signed_date"] <= day, "party_id"])
    meetings = tables["meetings"]
    coalition = set(meetings.loc[(meetings["forum"] == COALITION) & (meetings["meeting_date"] <= day), "meeting_id"])
    named = tables["meeting_participants"][tables["meeting_participants"]["meeting_id"].isin(coalition)]
    per_party = named.groupby("party_id")["meeting_id"].nunique()
    recent = tables["declarations"].loc[tables["declarations"]["adopted_date"] >= pd.Timestamp("2025-01-01"), "declaration_id"]
    sig = tables["signatories"]
    endorsed = set(sig.loc[sig["declaration_id"].isin(recent) & sig["role"].isin(["signed", "endorsed"]), "party_id"])
    parties = sorted((joined | signed | set(per_party.index) | endorsed) - {"UKR"})  # Ukraine is the other side
    out = pd.DataFrame({"party_id": pd.array(parties, dtype="string")})
    out["joined_g7_declaration"] = out["party_id"].isin(joined)
    out["signed_bilateral"] = out["party_id"].isin(signed)
    out["coalition_named"] = out["party_id"].isin(per_party.index)
    out["endorsed_2025_26"] = out["party_id"].isin(endorsed)
    out["coalition_meetings"] = out["party_id"].map(per_party).fillna(0).astype(int)
    out["circles"] = out[list(CIRCLES)].sum(axis=1).astype(int)
    return out.sort_values(["circles", "coalition_meetings", "party_id"], ascending=[False, False, True]).reset_index(drop=True)


def circle_counts(table: pd.DataFrame) -> pd.DataFrame:
    """How many parties stand in each circle, and in all of them.

    >>> c = pd.DataFrame({"joined_g7_declaration": [True, True], "signed_bilateral": [True, False],
    ...                   "coalition_named": [True, False], "endorsed_2025_26": [False, False]})
    >>> circle_counts(c)["parties"].tolist()
    [2, 1, 1, 0, 0]
    """
    rows = [{"circle": CIRCLES[c], "parties": int(table[c].sum())} for c in CIRCLES]
    rows.append({"circle": "In every circle", "parties": int(table[list(CIRCLES)].all(axis=1).sum())})
    return pd.DataFrame(rows)


def coalition_meetings(meetings: pd.DataFrame, participants: pd.DataFrame) -> pd.DataFrame:
    """The coalition's meetings in date order, with hosts and co-chairs named and participants counted.

    Columns: the meeting's own, plus ``hosts`` (codes, host then co-chairs) and ``named`` (parties a source names).
    """
    chairs = participants[participants["role"].isin(["host", "co_chair"])].sort_values(["meeting_id", "role", "party_id"])
    hosts = chairs.groupby("meeting_id")["party_id"].agg(list)
    named = participants.groupby("meeting_id")["party_id"].nunique()
    out = meetings.sort_values(["meeting_date", "meeting_id"]).copy()
    out["hosts"] = out["meeting_id"].map(hosts)
    out["named"] = out["meeting_id"].map(named).fillna(0).astype(int)
    return out.reset_index(drop=True)


def us_track(events: pd.DataFrame) -> pd.DataFrame:
    """The 2025–26 US security-guarantee talks, in date order."""
    return events[events["track"] == US_TRACK].sort_values(["event_date", "event_id"]).reset_index(drop=True)


def us_status(events: pd.DataFrame) -> dict:
    """Where the US track stood at the latest step recorded: first and last step, rounds, text agreed, signed.

    >>> ev = pd.DataFrame({"event_id": ["u-1", "u-2"], "track": ["us_guarantees"] * 2, "event_type": ["negotiations_opened", "text_agreed"],
    ...                    "event_date": pd.to_datetime(["2025-08-18", "2026-01-25"])})
    >>> s = us_status(ev); (s["steps"], s["text_agreed"].date().isoformat(), s["signed"])
    (2, '2026-01-25', False)
    """
    track = us_track(events)
    kinds = track["event_type"]
    agreed = track.loc[kinds == "text_agreed", "event_date"]
    return {
        "steps": len(track),
        "first": track["event_date"].min(),
        "last": track["event_date"].max(),
        "rounds": int(kinds.isin(["negotiations_opened", "negotiation_round"]).sum()),
        "text_agreed": agreed.min() if len(agreed) else pd.NaT,
        "postponed": int((kinds == "signing_postponed").sum()),
        "signed": False,  # a signature would be an agreement row; the track has none (the validator keeps it so)
    }


FORMAT_LABELS = {"in_person": "In person", "video": "Video call", "hybrid": "In person and by video"}
FORUM_LABELS = {COALITION: "Coalition of the Willing", "other": "Related meeting"}


def participants_named(participants: pd.DataFrame, meeting_id: str, names: Mapping[str, str]) -> list[str]:
    """The names of the parties a source names at a meeting, sorted.

    >>> p = pd.DataFrame({"meeting_id": ["m", "m", "n"], "party_id": ["FRA", "GBR", "DEU"]})
    >>> participants_named(p, "m", {"FRA": "France", "GBR": "United Kingdom"})
    ['France', 'United Kingdom']
    """
    codes = participants.loc[participants["meeting_id"] == meeting_id, "party_id"].unique()
    return sorted((names.get(c, c) for c in codes), key=str.casefold)


def reported_count(count, qualifier, noun: str | None = None) -> str:
    """A reported count with the source's own qualifier: ``36 (36 representatives ... )``; a dash when none.

    >>> reported_count(19, '"around 19 world leaders"'), reported_count(None, None), reported_count(20, None, "participants")
    ('19 (as reported: "around 19 world leaders")', '–', '20 participants reported')
    """
    if count is None or pd.isna(count):
        return "–"
    text = f"{int(count)} {noun} reported" if noun else f"{int(count)}"
    if isinstance(qualifier, str) and qualifier.strip():
        text += f" (as reported: {qualifier.strip()})"
    return text
