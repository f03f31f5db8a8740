"""Negotiations: per-partner timelines, durations, the joined → negotiating → signed funnel, and
time to agreement (Kaplan–Meier with censoring).

Pure functions on DataFrames: no I/O, no plotting, inputs are never modified. Signing is read from
``agreements.signed_date``; the other steps from ``events`` (``party_id``, ``event_type``, ``event_date``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis import precisions
from analysis.coalition import DateLike, _for_declaration, _ts
from analysis.labels import step_order

OPENED = "negotiations_opened"
ROUND = "negotiation_round"


#: Stages of the funnel, in order.
FUNNEL_STAGES = ("joined", "negotiating", "signed")


#: The series of bilateral security agreements (events.track); the other track is the 2025-26 US guarantee talks.
BILATERAL = "bilateral_agreement"


def bilateral(events: pd.DataFrame) -> pd.DataFrame:
    """The steps towards the bilateral agreements only (the US guarantee track of 2025-26 left out).

    Frames without a ``track`` column are taken as bilateral throughout.

    >>> ev = pd.DataFrame({"party_id": ["USA", "USA"], "track": ["bilateral_agreement", "us_guarantees"]})
    >>> len(bilateral(ev)), len(bilateral(ev.drop(columns="track")))
    (1, 2)
    """
    if "track" not in events.columns:
        return events
    return events[events["track"] == BILATERAL]


def timelines(events: pd.DataFrame, agreements: pd.DataFrame) -> pd.DataFrame:
    """Every dated step per partner, signing included, in date order.

    Columns: ``party_id``, ``date``, ``step`` (an event type, or ``signed``), ``agreement_id``.

    >>> ev = pd.DataFrame({"party_id": ["USA", "USA"], "event_type": ["negotiations_opened", "negotiation_round"],
    ...     "event_date": pd.to_datetime(["2023-08-03", "2023-09-01"]), "agreement_id": ["usa-2024", "usa-2024"]})
    >>> agr = pd.DataFrame({"agreement_id": ["usa-2024"], "party_id": ["USA"], "signed_date": pd.to_datetime(["2024-06-13"])})
    >>> timelines(ev, agr)["step"].tolist()
    ['negotiations_opened', 'negotiation_round', 'signed']
    """
    steps = bilateral(events)[["party_id", "event_date", "event_type", "agreement_id"]].rename(
        columns={"event_date": "date", "event_type": "step"}
    )
    signed = agreements[["party_id", "signed_date", "agreement_id"]].rename(columns={"signed_date": "date"})
    signed = signed.assign(step="signed")
    out = pd.concat([steps, signed[steps.columns]], ignore_index=True)
    out["step"] = out["step"].astype("string")
    order = step_order()  # the order of steps that fall on the same day (data/event_types.csv)
    out["_order"] = out["step"].map(order).fillna(len(order))
    return out.sort_values(["party_id", "date", "_order"], kind="stable").drop(columns="_order").reset_index(drop=True)


def _dates_of(parties: list, dates: pd.Series) -> np.ndarray:
    """Each party's date from ``dates`` (indexed by party), NaT where it has none, as nanosecond datetimes.

    NOTE: when no party has a date, the lookup yields float NaN, which pandas 3 refuses to cast to a date
    ("Cannot cast DatetimeArray to dtype float64"); ``to_datetime`` takes either.

    >>> [str(d)[:10] for d in _dates_of(["A", "B"], pd.Series(pd.to_datetime(["2024-01-12"]), index=["A"]))]
    ['2024-01-12', 'NaT']
    """
    return pd.to_datetime(dates.reindex(parties)).to_numpy(dtype="datetime64[ns]")


def partner_status(
    signatories: pd.DataFrame,
    events: pd.DataFrame,
    agreements: pd.DataFrame,
    date: DateLike,
    declaration_id: str | None = None,
) -> pd.DataFrame:
    """One row per partner known on ``date``: when it joined, opened talks, and first signed.

    A partner is anyone who had joined the declaration, opened talks or signed by ``date``.
    ``stage`` is the furthest stage reached: ``signed``, ``negotiating`` (talks opened or any
    negotiation step recorded, not yet signed) or ``joined``.

    >>> sig = pd.DataFrame({"declaration_id": ["d", "d"], "party_id": ["AAA", "BBB"],
    ...                     "joined_date": pd.to_datetime(["2023-07-12", "2023-07-20"])})
    >>> ev = pd.DataFrame({"party_id": ["AAA"], "event_type": ["negotiations_opened"],
    ...                    "event_date": pd.to_datetime(["2023-08-03"]), "agreement_id": [None]})
    >>> agr = pd.DataFrame({"agreement_id": ["aaa-2024"], "party_id": ["AAA"], "signed_date": pd.to_datetime(["2024-06-13"])})
    >>> partner_status(sig, ev, agr, "2024-01-01")[["party_id", "stage"]].values.tolist()
    [['AAA', 'negotiating'], ['BBB', 'joined']]
    """
    day = _ts(date)
    joined = _for_declaration(signatories, declaration_id)
    joined = joined[joined["joined_date"] <= day].groupby("party_id")["joined_date"].min()
    events = bilateral(events)
    steps = events[events["event_date"] <= day]
    opened = steps[steps["event_type"] == OPENED].groupby("party_id")["event_date"].min()
    first_step = steps.groupby("party_id")["event_date"].min()
    signed = agreements[agreements["signed_date"] <= day].groupby("party_id")["signed_date"].min()
    parties = sorted(set(joined.index) | set(first_step.index) | set(signed.index))
    out = pd.DataFrame({"party_id": pd.array(parties, dtype="string")})
    out["joined_date"] = _dates_of(parties, joined)
    out["opened_date"] = _dates_of(parties, opened)
    out["signed_date"] = _dates_of(parties, signed)
    negotiating = out["party_id"].isin(first_step.index)
    out["stage"] = np.where(out["signed_date"].notna(), "signed", np.where(negotiating, "negotiating", "joined"))
    out["stage"] = out["stage"].astype("string")
    return out


def funnel(
    signatories: pd.DataFrame,
    events: pd.DataFrame,
    agreements: pd.DataFrame,
    date: DateLike,
    declaration_id: str | None = None,
) -> pd.DataFrame:
    """How many declaration parties had joined, were negotiating, and had signed on ``date``.

    Counts are cumulative stages among the declaration's parties: ``joined`` is every party,
    ``negotiating`` those that had at least opened talks (including those that went on to sign),
    ``signed`` those with a signed agreement. ``outside_declaration`` counts partners that
    negotiated or signed without having joined the declaration.

    >>> sig = pd.DataFrame({"declaration_id": ["d"] * 3, "party_id": ["A", "B", "C"],
    ...                     "joined_date": pd.to_datetime(["2023-07-12"] * 3)})
    >>> ev = pd.DataFrame({"party_id": ["A", "B"], "event_type": ["negotiations_opened"] * 2,
    ...                    "event_date": pd.to_datetime(["2023-08-03", "2023-09-01"]), "agreement_id": [None, None]})
    >>> agr = pd.DataFrame({"agreement_id": ["a-2024"], "party_id": ["A"], "signed_date": pd.to_datetime(["2024-01-12"])})
    >>> funnel(sig, ev, agr, "2024-02-01")[["stage", "parties"]].values.tolist()
    [['joined', 3], ['negotiating', 2], ['signed', 1], ['outside_declaration', 0]]
    """
    status = partner_status(signatories, events, agreements, date, declaration_id)
    inside = status[status["joined_date"].notna()]
    counts = [
        len(inside),
        int(inside["stage"].isin(["negotiating", "signed"]).sum()),
        int((inside["stage"] == "signed").sum()),
        int(status["joined_date"].isna().sum()),
    ]
    return pd.DataFrame({"stage": list(FUNNEL_STAGES) + ["outside_declaration"], "parties": counts})


def durations(
    signatories: pd.DataFrame,
    events: pd.DataFrame,
    agreements: pd.DataFrame,
    declaration_id: str | None = None,
) -> pd.DataFrame:
    """Days between the steps, per partner: joined → talks opened → (first) signature.

    Columns: ``party_id``, ``joined_date``, ``opened_date``, ``signed_date``,
    ``days_joined_to_opened``, ``days_opened_to_signed``, ``days_joined_to_signed`` (nullable integers;
    empty where a step is missing).

    >>> sig = pd.DataFrame({"declaration_id": ["d"], "party_id": ["A"], "joined_date": pd.to_datetime(["2023-07-12"])})
    >>> ev = pd.DataFrame({"party_id": ["A"], "event_type": ["negotiations_opened"],
    ...                    "event_date": pd.to_datetime(["2023-08-03"]), "agreement_id": [None]})
    >>> agr = pd.DataFrame({"agreement_id": ["a-2024"], "party_id": ["A"], "signed_date": pd.to_datetime(["2024-01-12"])})
    >>> [int(v) for v in durations(sig, ev, agr).iloc[0, 4:]]
    [22, 162, 184]
    """
    far_future = pd.Timestamp.max.normalize()
    status = partner_status(signatories, events, agreements, far_future, declaration_id)
    out = status.drop(columns="stage")
    pairs = {
        "days_joined_to_opened": ("joined_date", "opened_date"),
        "days_opened_to_signed": ("opened_date", "signed_date"),
        "days_joined_to_signed": ("joined_date", "signed_date"),
    }
    for name, (a, b) in pairs.items():
        out[name] = (out[b] - out[a]).dt.days.astype("Int64")
    return out


def time_to_agreement(
    signatories: pd.DataFrame,
    events: pd.DataFrame,
    agreements: pd.DataFrame,
    cutoff: DateLike,
    origin: str = "opened",
    declaration_id: str | None = None,
    observed_until: DateLike | None = None,
) -> pd.DataFrame:
    """Survival data for time to a signed agreement, censored at ``cutoff``, or at ``observed_until`` (the date
    the bilateral track is observed until, :func:`analysis.overview.observed_dates`) when that is earlier: after
    the latest source nothing is known, so no partner is counted as still negotiating beyond it.

    ``origin="opened"`` measures from the opening of talks (partners with no recorded opening
    are left out); ``origin="joined"`` from joining the declaration. A partner that had not
    signed by ``cutoff`` is censored there (``signed`` False, duration up to the cut-off); a
    censored partner is never counted as a signer. A partner whose first signature precedes its
    origin is left out (the origin on record belongs to later talks).

    Columns: ``party_id``, ``start_date``, ``end_date``, ``days``, ``signed``.

    >>> sig = pd.DataFrame({"declaration_id": ["d"] * 2, "party_id": ["A", "B"],
    ...                     "joined_date": pd.to_datetime(["2023-07-12"] * 2)})
    >>> ev = pd.DataFrame({"party_id": [], "event_type": [], "event_date": pd.to_datetime([]), "agreement_id": []})
    >>> agr = pd.DataFrame({"agreement_id": ["a-2024"], "party_id": ["A"], "signed_date": pd.to_datetime(["2023-07-22"])})
    >>> time_to_agreement(sig, ev, agr, "2023-08-01", origin="joined")[["party_id", "days", "signed"]].values.tolist()
    [['A', 10, True], ['B', 20, False]]
    >>> time_to_agreement(sig, ev, agr, "2023-08-01", origin="joined", observed_until="2023-07-25")["days"].tolist()
    [10, 13]
    """
    if origin not in ("opened", "joined"):
        raise ValueError(f"origin must be 'opened' or 'joined', not {origin!r}")
    day = _ts(cutoff)
    status = partner_status(signatories, events, agreements, day, declaration_id)
    start = status[f"{origin}_date"]
    rows = status[start.notna()]
    # NOTE: a first signature before the first recorded opening means the opening on record belongs to
    # later talks; the time to that first agreement is unknown, so the partner is left out.
    rows = rows[~(rows["signed_date"] < rows[f"{origin}_date"])]
    signed = rows["signed_date"].notna()
    censor = min(day, _ts(observed_until)) if observed_until is not None and not pd.isna(observed_until) else day
    # NOTE: a step dated after the track's latest source cannot be on record; if one were, it is censored at its start.
    end = rows["signed_date"].where(signed, rows[f"{origin}_date"].clip(lower=censor))
    out = pd.DataFrame(
        {
            "party_id": rows["party_id"].to_numpy(),
            "start_date": rows[f"{origin}_date"].to_numpy(),
            "end_date": end.to_numpy(),
            "signed": signed.to_numpy(),
        }
    )
    out["days"] = (out["end_date"] - out["start_date"]).dt.days.astype("int64")
    return out[["party_id", "start_date", "end_date", "days", "signed"]]


@dataclass(frozen=True)
class KaplanMeier:
    """A Kaplan–Meier fit: the curve with its confidence band, and the median with its interval."""

    table: pd.DataFrame  # days, share_unsigned, ci_lower, ci_upper, at_risk, signed, censored
    median_days: float
    median_ci: tuple[float, float]
    n: int
    n_signed: int
    alpha: float

    @classmethod
    def fit(cls, survival: pd.DataFrame, alpha: float = 0.05) -> KaplanMeier:
        """Fit on ``time_to_agreement`` output (columns ``days`` and ``signed``) with lifelines.

        >>> data = pd.DataFrame({"days": [10, 20, 30, 40], "signed": [True, True, False, True]})
        >>> km = KaplanMeier.fit(data)
        >>> km.table["share_unsigned"].round(3).tolist()
        [1.0, 0.75, 0.5, 0.5, 0.0]
        >>> km.median_days
        20.0
        """
        from lifelines import KaplanMeierFitter
        from lifelines.utils import median_survival_times

        fitter = KaplanMeierFitter(alpha=alpha)
        fitter.fit(survival["days"].to_numpy(), event_observed=survival["signed"].to_numpy(), label="share_unsigned")
        curve = fitter.survival_function_.join(fitter.confidence_interval_)
        curve.columns = ["share_unsigned", "ci_lower", "ci_upper"]
        table = curve.join(fitter.event_table[["at_risk", "observed", "censored"]]).reset_index()
        table = table.rename(columns={"timeline": "days", "observed": "signed"})
        interval = median_survival_times(fitter.confidence_interval_)
        return cls(
            table=table,
            median_days=float(fitter.median_survival_time_),
            median_ci=(float(interval.iloc[0, 0]), float(interval.iloc[0, 1])),
            n=len(survival),
            n_signed=int(survival["signed"].sum()),
            alpha=alpha,
        )


def still_negotiating(
    signatories: pd.DataFrame,
    events: pd.DataFrame,
    agreements: pd.DataFrame,
    observed_until: DateLike,
    declaration_id: str | None = None,
) -> pd.DataFrame:
    """Partners negotiating without a signature as of ``observed_until`` (the bilateral track's latest source), with
    the days from the opening of talks (or, with no dated opening, the first recorded step) to that date: a lower
    bound, since nothing after it is known.

    Columns: ``party_id``, ``since_date`` (the latest day the start could have been), ``since`` (``opened`` or
    ``first_step``), ``days_at_least``, ``since_precision`` (of the start's date); longest first.

    >>> ev = pd.DataFrame({"party_id": ["A", "B"], "event_type": ["negotiations_opened", "reported_negotiating"],
    ...     "event_date": pd.to_datetime(["2024-01-01", "2024-06-01"]), "agreement_id": [None, None]})
    >>> agr = pd.DataFrame({"agreement_id": [], "party_id": [], "signed_date": pd.to_datetime([])})
    >>> sig = pd.DataFrame({"declaration_id": [], "party_id": [], "joined_date": pd.to_datetime([])})
    >>> still_negotiating(sig, ev, agr, "2024-12-31")[["party_id", "since", "days_at_least"]].values.tolist()
    [['A', 'opened', 365], ['B', 'first_step', 213]]
    """
    day = _ts(observed_until)
    status = partner_status(signatories, events, agreements, day, declaration_id)
    rows = status[status["stage"] == "negotiating"]
    steps = bilateral(events)
    steps = steps[steps["event_date"] <= day]
    # NOTE: a step dated only to the month (or year: its precision's unit) may have come at its end: the bound counts
    # from the latest day it could have been, so "at least" stays true; a step seen by ``day`` came by ``day``.
    if "date_precision" in steps.columns:
        known = precisions.units()
        latest = [min(precisions.span(d, p, known)[1], day) for d, p in zip(steps["event_date"], steps["date_precision"], strict=True)]
        steps = steps.assign(event_date=pd.to_datetime(pd.Series(latest, index=steps.index, dtype="datetime64[ns]")))
    first = steps.groupby("party_id")["event_date"].min()
    precision = (steps.sort_values("event_date", kind="stable").groupby("party_id")["date_precision"].first()
                 if "date_precision" in steps.columns else pd.Series(dtype="object"))  # fmt: skip
    opened = steps[steps["event_type"] == OPENED].groupby("party_id")["event_date"].min()
    # NOTE: reindex, not Series.map: pandas 3 cannot map through an empty datetime Series (no partner opened talks)
    since = np.where(rows["opened_date"].notna().to_numpy(), opened.reindex(rows["party_id"]).to_numpy(),
                     first.reindex(rows["party_id"]).to_numpy())  # fmt: skip
    out = pd.DataFrame(
        {
            "party_id": rows["party_id"].to_numpy(),
            "since_date": pd.to_datetime(since).to_numpy(),
            "since": np.where(rows["opened_date"].notna(), "opened", "first_step"),
        }
    )
    # NOTE: with a dated opening the opening's own precision applies; otherwise the first step's.
    opened_precision = (steps[steps["event_type"] == OPENED].sort_values("event_date", kind="stable").groupby("party_id")["date_precision"].first()
                        if "date_precision" in steps.columns else pd.Series(dtype="object"))  # fmt: skip
    out["since_precision"] = [
        (opened_precision if s == "opened" else precision).get(p, "day") for p, s in zip(out["party_id"], out["since"], strict=True)
    ]
    out["days_at_least"] = (day - out["since_date"]).dt.days.astype("int64")
    return out.sort_values(["days_at_least", "party_id"], ascending=[False, True], kind="stable").reset_index(drop=True)
