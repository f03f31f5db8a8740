"""Coalition growth: as-of queries, cumulative growth, composition by bloc, join waves.

Pure functions on DataFrames: no I/O, no plotting, inputs are never modified. They work on any
declaration or treaty signature log with the columns ``declaration_id``, ``party_id`` and
``joined_date`` (memberships: ``party_id``, ``bloc``, ``joined_date``, ``left_date``).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

DateLike = str | pd.Timestamp

#: The declaration this project is about: the G7 Joint Declaration of Support for Ukraine (Vilnius, 12 July 2023).
G7_DECLARATION = "g7-jdsu-2023"

#: Blocs in the order in which a party is labelled when it belongs to several.
BLOC_PRIORITY = ("G7", "EU", "NATO")


def _ts(date: DateLike) -> pd.Timestamp:
    return pd.Timestamp(date).normalize()


def _for_declaration(signatories: pd.DataFrame, declaration_id: str | None) -> pd.DataFrame:
    if declaration_id is None:
        return signatories
    return signatories[signatories["declaration_id"] == declaration_id]


def members_as_of(signatories: pd.DataFrame, date: DateLike, declaration_id: str | None = None) -> pd.DataFrame:
    """The signatories that had joined on or before ``date``, in joining order.

    >>> sig = pd.DataFrame({"declaration_id": ["d"] * 3, "party_id": ["AAA", "BBB", "CCC"],
    ...                     "joined_date": pd.to_datetime(["2023-07-12", "2023-07-20", "2023-08-10"])})
    >>> members_as_of(sig, "2023-08-03", "d")["party_id"].tolist()
    ['AAA', 'BBB']
    """
    rows = _for_declaration(signatories, declaration_id)
    rows = rows[rows["joined_date"] <= _ts(date)]
    return rows.sort_values(["joined_date", "party_id"], kind="stable").reset_index(drop=True)


def memberships_as_of(memberships: pd.DataFrame, date: DateLike, bloc: str | None = None) -> pd.DataFrame:
    """The bloc memberships in force on ``date`` (joined on or before it, not yet left).

    >>> mem = pd.DataFrame({"party_id": ["FIN", "SWE"], "bloc": ["NATO", "NATO"],
    ...                     "joined_date": pd.to_datetime(["2023-04-04", "2024-03-07"]),
    ...                     "left_date": pd.to_datetime([None, None])})
    >>> memberships_as_of(mem, "2023-12-31")["party_id"].tolist()
    ['FIN']
    """
    day = _ts(date)
    active = (memberships["joined_date"] <= day) & (memberships["left_date"].isna() | (memberships["left_date"] > day))
    rows = memberships[active]
    if bloc is not None:
        rows = rows[rows["bloc"] == bloc]
    return rows.sort_values(["bloc", "party_id"], kind="stable").reset_index(drop=True)


def agreements_as_of(agreements: pd.DataFrame, date: DateLike) -> pd.DataFrame:
    """The agreements signed on or before ``date`` and not superseded by then.

    NOTE: "in force" is read as "signed and not superseded". The agreements in this dataset take
    effect on signature unless an ``entered_into_force`` event says otherwise.

    >>> agr = pd.DataFrame({"agreement_id": ["gbr-2024", "gbr-2025"], "party_id": ["GBR", "GBR"],
    ...     "signed_date": pd.to_datetime(["2024-01-12", "2025-01-16"]),
    ...     "related_agreement_id": [None, "gbr-2024"], "relation": [None, "supersedes"]})
    >>> agreements_as_of(agr, "2025-06-01")["agreement_id"].tolist()
    ['gbr-2025']
    """
    day = _ts(date)
    signed = agreements[agreements["signed_date"] <= day]
    superseded = signed.loc[signed["relation"] == "supersedes", "related_agreement_id"]
    rows = signed[~signed["agreement_id"].isin(set(superseded.dropna()))]
    return rows.sort_values(["signed_date", "agreement_id"], kind="stable").reset_index(drop=True)


def growth(
    signatories: pd.DataFrame,
    declaration_id: str | None = None,
    freq: str | None = None,
    start: DateLike | None = None,
    end: DateLike | None = None,
) -> pd.DataFrame:
    """Cumulative number of parties per declaration over time.

    With ``freq=None`` there is one row per date on which someone joined (a step series). With
    ``freq`` set to ``"D"``, ``"W"`` or ``"M"`` there is one row per period, from ``start`` (default:
    the first join) to ``end`` (default: the last join); ``date`` is the period's last day and
    ``cumulative`` the count as of that day, so parties that joined before ``start`` are counted.

    Columns: ``declaration_id``, ``date``, ``joined`` (new parties), ``cumulative``.

    >>> sig = pd.DataFrame({"declaration_id": ["d"] * 3, "party_id": ["A", "B", "C"],
    ...                     "joined_date": pd.to_datetime(["2023-07-12", "2023-07-12", "2023-07-20"])})
    >>> growth(sig)[["date", "joined", "cumulative"]].values.tolist()  # doctest: +NORMALIZE_WHITESPACE
    [[Timestamp('2023-07-12 00:00:00'), 2, 2], [Timestamp('2023-07-20 00:00:00'), 1, 3]]
    >>> growth(sig, freq="M")["cumulative"].tolist()
    [3]
    """
    rows = _for_declaration(signatories, declaration_id)
    columns = ["declaration_id", "date", "joined", "cumulative"]
    if rows.empty:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in zip(columns, ["string", "datetime64[ns]", "int64", "int64"])})
    if freq is None:
        counts = rows.groupby(["declaration_id", "joined_date"], observed=True, sort=True).size()
        out = counts.rename("joined").reset_index().rename(columns={"joined_date": "date"})
        out["cumulative"] = out.groupby("declaration_id", observed=True)["joined"].cumsum()
        if start is not None or end is not None:
            lo = _ts(start) if start is not None else out["date"].min()
            hi = _ts(end) if end is not None else out["date"].max()
            out = out[(out["date"] >= lo) & (out["date"] <= hi)]
        return out[columns].reset_index(drop=True)
    periods = rows["joined_date"].dt.to_period(freq)
    lo = pd.Period(_ts(start), freq) if start is not None else periods.min()
    hi = pd.Period(_ts(end), freq) if end is not None else periods.max()
    clipped = periods.clip(lower=lo)  # joins before the window count in its first period's total
    counts = pd.DataFrame({"declaration_id": rows["declaration_id"], "period": clipped})
    counts = counts[counts["period"] <= hi].groupby(["declaration_id", "period"], observed=True).size()
    grid = pd.MultiIndex.from_product(
        [sorted(rows["declaration_id"].unique()), pd.period_range(lo, hi, freq=freq)], names=["declaration_id", "period"]
    )
    cumulative = counts.reindex(grid, fill_value=0).groupby(level=0).cumsum()
    in_window = rows["joined_date"].dt.to_period(freq)
    joined = (
        pd.DataFrame({"declaration_id": rows["declaration_id"], "period": in_window})
        .groupby(["declaration_id", "period"], observed=True)
        .size()
        .reindex(grid, fill_value=0)
    )
    out = pd.DataFrame({"joined": joined.to_numpy(), "cumulative": cumulative.to_numpy()}, index=grid).reset_index()
    # NOTE: pandas 3 gives a period's end in microseconds; the frame's dates are nanoseconds on either version.
    out["date"] = out["period"].dt.end_time.dt.normalize().astype("datetime64[ns]")
    return out[columns]


def days_since_adoption(signatories: pd.DataFrame, declarations: pd.DataFrame) -> pd.DataFrame:
    """The signatories with ``days_since_adoption``: days from the declaration's adoption to joining.

    >>> sig = pd.DataFrame({"declaration_id": ["d"], "party_id": ["A"], "joined_date": pd.to_datetime(["2023-08-03"])})
    >>> decl = pd.DataFrame({"declaration_id": ["d"], "adopted_date": pd.to_datetime(["2023-07-12"])})
    >>> days_since_adoption(sig, decl)["days_since_adoption"].tolist()
    [22]
    """
    adopted = declarations.set_index("declaration_id")["adopted_date"]
    out = signatories.copy()
    out["days_since_adoption"] = (out["joined_date"] - out["declaration_id"].map(adopted)).dt.days.astype("Int64")
    return out


def composition_by_bloc(
    signatories: pd.DataFrame,
    memberships: pd.DataFrame,
    parties: pd.DataFrame | None = None,
    declaration_id: str | None = None,
    priority: Sequence[str] = BLOC_PRIORITY,
) -> pd.DataFrame:
    """Each signatory with the blocs it belonged to on the day it joined.

    Adds one boolean column ``in_<bloc>`` per bloc in ``priority`` and a ``group`` label: the first
    bloc in ``priority`` the party belonged to, else ``organisation`` (when ``parties`` says so),
    else ``other``. Membership is judged at the join date, so Finland joining in July 2023 is in both the EU and
    NATO (it joined NATO in April 2023) and counts as EU, the first of them; Sweden is in the EU but not NATO.

    >>> sig = pd.DataFrame({"declaration_id": ["d", "d"], "party_id": ["SWE", "NOR"],
    ...                     "joined_date": pd.to_datetime(["2023-07-20", "2023-07-20"])})
    >>> mem = pd.DataFrame({"party_id": ["SWE", "SWE", "NOR"], "bloc": ["EU", "NATO", "NATO"],
    ...     "joined_date": pd.to_datetime(["1995-01-01", "2024-03-07", "1949-08-24"]),
    ...     "left_date": pd.to_datetime([None, None, None])})
    >>> composition_by_bloc(sig, mem)[["party_id", "in_NATO", "group"]].values.tolist()
    [['SWE', False, 'EU'], ['NOR', True, 'NATO']]
    """
    rows = _for_declaration(signatories, declaration_id).reset_index(drop=True)
    pairs = (
        rows[["party_id", "joined_date"]]
        .reset_index()
        .merge(
            memberships[["party_id", "bloc", "joined_date", "left_date"]].rename(columns={"joined_date": "bloc_joined"}),
            on="party_id",
            how="inner",
        )
    )
    active = (pairs["bloc_joined"] <= pairs["joined_date"]) & (
        pairs["left_date"].isna() | (pairs["left_date"] > pairs["joined_date"])
    )
    pairs = pairs[active]
    out = rows.copy()
    group = pd.Series(pd.NA, index=out.index, dtype="object")
    for bloc in priority:
        member = out.index.isin(pairs.loc[pairs["bloc"] == bloc, "index"])
        out[f"in_{bloc}"] = member
        group = group.where(group.notna() | ~member, bloc)
    if parties is not None:
        kinds = out["party_id"].map(parties.set_index("party_id")["party_type"])
        is_organisation = (kinds == "organisation").fillna(False).astype(bool)
        group = group.where(group.notna() | ~is_organisation, "organisation")
    out["group"] = group.fillna("other").astype("string")
    return out


def not_joined(
    signatories: pd.DataFrame,
    memberships: pd.DataFrame,
    bloc: str,
    date: DateLike,
    declaration_id: str | None = None,
) -> pd.DataFrame:
    """The members of ``bloc`` on ``date`` that had not joined the declaration by then.

    >>> sig = pd.DataFrame({"declaration_id": ["d"], "party_id": ["AAA"], "joined_date": pd.to_datetime(["2023-07-12"])})
    >>> mem = pd.DataFrame({"party_id": ["AAA", "BBB"], "bloc": ["EU", "EU"],
    ...     "joined_date": pd.to_datetime(["1958-01-01", "2004-05-01"]), "left_date": pd.to_datetime([None, None])})
    >>> not_joined(sig, mem, "EU", "2024-01-01", "d")["party_id"].tolist()
    ['BBB']
    """
    members = memberships_as_of(memberships, date, bloc)
    joined = set(members_as_of(signatories, date, declaration_id)["party_id"])
    return members[~members["party_id"].isin(joined)].reset_index(drop=True)


def join_waves(
    signatories: pd.DataFrame,
    declaration_id: str | None = None,
    gap_days: int = 7,
    milestones: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Group accessions into waves: a new wave starts when more than ``gap_days`` pass without one.

    Returns one row per wave: ``wave`` (1, 2, …), ``start_date``, ``end_date``, ``parties`` (count),
    ``party_ids`` (comma-separated, in joining order). With ``milestones`` (``start_date``, ``label``),
    also the latest milestone that began on or before the wave and how many days before it
    (``after_milestone``, ``days_after_milestone``).

    >>> sig = pd.DataFrame({"declaration_id": ["d"] * 4, "party_id": ["A", "B", "C", "D"],
    ...     "joined_date": pd.to_datetime(["2023-07-12", "2023-07-15", "2023-09-01", "2023-09-03"])})
    >>> join_waves(sig)[["wave", "parties", "party_ids"]].values.tolist()
    [[1, 2, 'A, B'], [2, 2, 'C, D']]
    """
    rows = _for_declaration(signatories, declaration_id).sort_values(["joined_date", "party_id"], kind="stable")
    gaps = rows["joined_date"].diff().dt.days
    wave = (gaps.isna() | (gaps > gap_days)).cumsum()
    out = (
        rows.assign(wave=wave.to_numpy())
        .groupby("wave")
        .agg(
            start_date=("joined_date", "min"),
            end_date=("joined_date", "max"),
            parties=("party_id", "size"),
            party_ids=("party_id", lambda s: ", ".join(s)),
        )
        .reset_index()
    )
    out["wave"] = out["wave"].astype("int64")
    if milestones is not None and not out.empty:
        ordered = milestones.sort_values("start_date")[["start_date", "label"]].rename(
            columns={"start_date": "milestone_date", "label": "after_milestone"}
        )
        out = pd.merge_asof(out.sort_values("start_date"), ordered, left_on="start_date", right_on="milestone_date")
        out["days_after_milestone"] = (out["start_date"] - out["milestone_date"]).dt.days.astype("Int64")
        out = out.drop(columns="milestone_date")
    return out
