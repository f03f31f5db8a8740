"""One partner's whole story: joining, negotiating, signing, compared with the median partner, with its sources.

Pure functions on a dataset (a mapping of table name → DataFrame).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from analysis.coalition import DateLike
from analysis.labels import step_order
from analysis.negotiations import durations, partner_status, still_negotiating

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
    # NOTE: a Dataset tells a table's columns from the descriptor without counting the table as read (the build
    # rebuilds a report when a table it read changes: a table without party_id is not read here).
    columns = getattr(tables, "columns_of", lambda name: tables[name].columns)
    for name in list(tables):
        if name == "sources" or "party_id" not in columns(name):
            continue
        frame = tables[name]
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


# --------------------------------------------------------------------------- one definition per partner fact

#: Agreements whose clauses were coded from a report of the signing, not from a published text: no publication of
#: the text was found for them (data/README.md, "The texts read"). Every page says so in the same words.
TEXT_NOT_PUBLISHED = frozenset({"fra-2024", "gbr-2024", "hrv-2024"})

#: Which clause dimension says whether a headline amount is military aid, by the amount's scope.
_AID_DIMENSION = {"first_year": "aid_first_year", "annual": "aid_first_year", "multi_year": "aid_multi_year"}


def _source(tables, source_id) -> tuple[str, str]:
    sources = tables["sources"].set_index("source_id")
    if not isinstance(source_id, str) or source_id not in sources.index:
        return "", ""
    return str(sources.loc[source_id, "publisher"]), str(sources.loc[source_id, "url"])


def _pledges(tables: Mapping[str, pd.DataFrame], agreement_id: str, read: bool) -> tuple[str, bool | None]:
    """What an agreement pledges, in words (the commitments table: every amount its text or source states, with its
    kind), and whether any of it is military aid (None when no text was read and no amount is known)."""
    from analysis import commitments as cm

    pledged = tables["commitments"][tables["commitments"]["agreement_id"] == agreement_id] if "commitments" in tables else None
    if pledged is None or pledged.empty:
        return ("no amount stated in the text" if read else "not known (no text read)"), (False if read else None)
    euros = cm.in_euros(pledged, tables["agreements"], tables["exchange_rates"]) if "exchange_rates" in tables else pledged
    return cm.pledges_in_words(euros, agreement_id), bool((pledged["kind"] == "military").any())


def agreement_facts(tables: Mapping[str, pd.DataFrame], agreement_id: str) -> dict[str, object]:
    """The facts every page prints about one agreement, each in the words every page uses.

    Keys: ``agreement_id``, ``title``, ``signed_date``, ``date_precision``, ``signed`` (text), ``place``, ``term``
    (from the clause matrix where the text was coded, else the reported term), ``text`` (where the text was
    published, or that it was not found), ``text_url``, ``text_published`` (bool), ``amount`` (every amount pledged, in
    words, with its kind; from the commitments table), ``amount_is_military`` (whether any amount is military aid;
    None when no text was read and no amount is known),
    ``source``/``source_url`` (the report of the signing).

    >>> t = {"agreements": pd.DataFrame({"agreement_id": ["x-2024"], "party_id": ["X"], "title": ["T"], "signed_date": pd.to_datetime(["2024-06-13"]),
    ...        "date_precision": ["day"], "place": [None], "term_years": pd.array([10], dtype="Int64"), "source_id": ["s"]}),
    ...      "commitments": pd.DataFrame({"commitment_id": ["x-2024-01"], "agreement_id": ["x-2024"], "kind": ["non_military"],
    ...        "amount": [4.5e9], "currency": ["USD"], "share_of_gdp_pct": [None], "bound": ["exact"], "basis": ["total"],
    ...        "period_start": ["2024"], "period_end": ["2024"]}),
    ...      "clauses": pd.DataFrame({"agreement_id": ["x-2024", "x-2024"], "dimension_id": ["term", "aid_first_year"],
    ...        "value": ["open_ended", "unquantified"], "source_id": ["txt", "txt"]}),
    ...      "clause_values": pd.DataFrame({"dimension_id": ["term"], "value": ["open_ended"], "label": ["No end date"]}),
    ...      "sources": pd.DataFrame({"source_id": ["s", "txt"], "publisher": ["A", "B"], "url": ["https://a", "https://b"]})}
    >>> f = agreement_facts(t, "x-2024")
    >>> f["term"], f["text"], f["amount"]
    ('No end date', 'Published by B', 'USD 4.5bn in 2024 (non-military)')
    """
    from analysis.labels import format_date, plural

    agreements = tables["agreements"].set_index("agreement_id")
    row = agreements.loc[agreement_id]
    clauses = tables["clauses"][tables["clauses"]["agreement_id"] == agreement_id]
    coded = dict(zip(clauses["dimension_id"], clauses["value"], strict=True))
    value_labels = tables["clause_values"].set_index(["dimension_id", "value"])["label"]
    years = row.get("term_years")
    years_text = plural(int(years), "year") if pd.notna(years) else None
    term_value = coded.get("term")
    if term_value in ("fixed_term", "fixed_term_nato_review") and years_text:
        term = years_text + (", ends earlier if Ukraine joins NATO" if term_value == "fixed_term_nato_review" else "")
    elif term_value is not None and term_value not in ("fixed_term", "fixed_term_nato_review"):
        term = str(value_labels.get(("term", term_value), term_value))
    else:
        term = f"{years_text} (as reported)" if years_text else "not stated in the sources read"
    if clauses.empty:
        text, text_id, published = "No text found", None, False
    else:
        text_id = clauses["source_id"].mode().iloc[0]
        publisher, _ = _source(tables, text_id)
        published = agreement_id not in TEXT_NOT_PUBLISHED
        text = f"Published by {publisher}" if published else f"No published text found; clauses coded from a report of the signing by {publisher}"
    amount, military = _pledges(tables, agreement_id, read=not clauses.empty)
    source, source_url = _source(tables, row["source_id"])
    return {
        "agreement_id": agreement_id,
        "title": row["title"],
        "signed_date": row["signed_date"],
        "date_precision": row.get("date_precision", "day"),
        "signed": format_date(row["signed_date"], row.get("date_precision", "day")),
        "place": row["place"] if isinstance(row.get("place"), str) else "place not reported",
        "term": term,
        "text": text,
        "text_url": _source(tables, text_id)[1] if text_id else "",
        "text_published": published,
        "amount": amount,
        "amount_is_military": military,
        "source": source,
        "source_url": source_url,
        "relation": row.get("relation") if isinstance(row.get("relation"), str) else None,
    }


def show_fact(key: str, text: str):
    """A partner fact in prose, marked so that a test can check every page prints it the same way:
    ``<span class="fact" data-fact="gbr-2024:term">10 years</span>``.

    >>> show_fact("BGR:negotiating", "at least 378 days")
    '<span class="fact" data-fact="BGR:negotiating">at least 378 days</span>'
    """
    import html

    from analysis.report import Html

    return Html(f'<span class="fact" data-fact="{html.escape(key, quote=True)}">{html.escape(text)}</span>')


def coalition_meetings_named(tables: Mapping[str, pd.DataFrame], party_id: str) -> pd.DataFrame:
    """The Coalition of the Willing meetings at which a source names the partner, latest first, with its role.

    Columns: ``meeting_id``, ``meeting_date``, ``date_precision``, ``place``, ``role`` (plain words),
    ``description``, ``source``, ``url``.
    """
    from analysis.labels import role_label

    meetings = tables["meetings"][tables["meetings"]["forum"] == "coalition_of_the_willing"]
    named = tables["meeting_participants"][tables["meeting_participants"]["party_id"] == party_id]
    out = named[["meeting_id", "role", "source_id"]].merge(meetings.drop(columns="source_id"), on="meeting_id")
    sources = tables["sources"].set_index("source_id")
    out = out.assign(role=out["role"].map(role_label), source=out["source_id"].map(sources["publisher"]),
                     url=out["source_id"].map(sources["url"]))  # fmt: skip
    columns = ["meeting_id", "meeting_date", "date_precision", "place", "role", "description", "source", "url"]
    return out.sort_values("meeting_date", ascending=False, kind="stable").reset_index(drop=True)[columns]


def profile(tables: Mapping[str, pd.DataFrame], party_id: str, cutoff: DateLike | None = None,
            declaration_id: str | None = "g7-jdsu-2023", reach: pd.DataFrame | None = None) -> dict[str, object]:  # fmt: skip
    """Every fact the pages print about one partner, computed once: status, key dates, agreements (term, text,
    amount), durations bounded by the bilateral track's observed-until date, and the coalition meetings naming it.

    Keys: ``party_id``, ``name``, ``stage`` (``signed``, ``negotiating``, ``joined`` or ``none``, as of
    ``observed_until``), ``stage_text``, ``joined_date``/``joined_precision``/``joined_role``, ``opened_date``/
    ``opened_precision``, ``since_date`` (talks opened, or the first step when no opening is dated), ``since``,
    ``rounds``, ``signed_date``, ``agreements`` (a list of :func:`agreement_facts`), ``days_opened_to_signed``
    (signers), ``days_at_least`` and ``negotiating_text`` (partners still negotiating: a bound to ``observed_until``),
    ``observed_until`` (the bilateral track's latest source), ``observed_phrase``, ``last_report`` (the partner's own
    latest source on its talks), ``meetings`` (:func:`coalition_meetings_named`).

    ``reach`` is :func:`analysis.overview.observed_until` of ``tables``, when the caller has it already (see
    :func:`profiles`).
    """
    from analysis.labels import STAGE_LABELS, days, format_date
    from analysis.overview import observed_until, party_names

    if cutoff is None:
        from analysis.load import data_version

        cutoff = data_version()["cutoff_date"]
    reach = (reach if reach is not None else observed_until(tables, tracks=("bilateral",))).set_index("track")
    track_end = reach.loc["bilateral", "observed_until"]
    until = min(track_end, pd.Timestamp(cutoff)) if pd.notna(track_end) else pd.Timestamp(cutoff)
    status = partner_status(tables["signatories"], tables["events"], tables["agreements"], until, declaration_id)
    row = status[status["party_id"] == party_id]
    stage = row["stage"].iloc[0] if not row.empty else "none"
    get = (lambda c: row[c].iloc[0]) if not row.empty else (lambda c: pd.NaT)  # noqa: E731
    events = tables["events"]
    mine = events[(events["party_id"] == party_id) & (events["event_date"] <= until)]
    mine = mine[mine["track"] == "bilateral_agreement"] if "track" in mine.columns else mine
    opened = mine[mine["event_type"] == "negotiations_opened"].sort_values("event_date")
    sig = tables["signatories"]
    joined = sig[(sig["party_id"] == party_id) & (sig["declaration_id"] == declaration_id)]
    agreements = tables["agreements"][tables["agreements"]["party_id"] == party_id].sort_values("signed_date")
    out: dict[str, object] = {
        "party_id": party_id,
        "name": party_names(tables["parties"]).get(party_id, party_id),
        "stage": stage,
        "stage_text": STAGE_LABELS.get(stage, "No agreement and no talks recorded"),
        "joined_date": joined["joined_date"].min() if len(joined) else pd.NaT,
        "joined_precision": joined["date_precision"].iloc[0] if len(joined) and "date_precision" in joined else "day",
        "joined_role": joined["role"].iloc[0] if len(joined) else None,
        "opened_date": opened["event_date"].iloc[0] if len(opened) else pd.NaT,
        "opened_precision": opened["date_precision"].iloc[0] if len(opened) and "date_precision" in opened else "day",
        "rounds": int((mine["event_type"] == "negotiation_round").sum()),
        "signed_date": get("signed_date"),
        "agreements": [agreement_facts(tables, a) for a in agreements["agreement_id"]],
        "observed_until": until,
        "observed_phrase": f"the last report on {reach.loc['bilateral', 'where']}, {format_date(until)}",
        "meetings": coalition_meetings_named(tables, party_id),
    }
    events = tables["events"]  # only the tables it needs: iterating the mapping would note every table as read
    cited = partner_sources({"events": events[events["track"] == "bilateral_agreement"] if "track" in events else events,
                             "agreements": tables["agreements"], "sources": tables["sources"]}, party_id)  # fmt: skip
    out["last_report"] = cited["published_date"].max() if len(cited) else pd.NaT
    first_signed = get("signed_date")
    out["days_opened_to_signed"] = (
        int((first_signed - out["opened_date"]).days) if pd.notna(first_signed) and pd.notna(out["opened_date"])
        and first_signed >= out["opened_date"] else None
    )  # fmt: skip
    out["days_at_least"], out["since_date"], out["since"], out["negotiating_text"] = None, pd.NaT, None, ""
    if stage == "negotiating":
        ongoing = still_negotiating(tables["signatories"], events, tables["agreements"], until, declaration_id)
        mine_now = ongoing[ongoing["party_id"] == party_id]
        if len(mine_now):
            n = int(mine_now["days_at_least"].iloc[0])
            out["days_at_least"], out["since_date"], out["since"] = n, mine_now["since_date"].iloc[0], mine_now["since"].iloc[0]
            first = mine.sort_values("event_date").iloc[0]
            shown = format_date(first["event_date"], first.get("date_precision", "day"))
            start = "talks opened" if out["since"] == "opened" else f"its first recorded step ({shown})"
            out["negotiating_text"] = f"at least {days(n)} since {start}, to {out['observed_phrase']}"
    return out


def agreement_table(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """:func:`agreement_facts` for every agreement, one row each, in signing order: what the agreements report (03)
    prints, so that it reads as the profiles do (``term``, ``text``, ``amount``, ``amount_is_military``...)."""
    order = tables["agreements"].sort_values(["signed_date", "agreement_id"])["agreement_id"]
    rows = [agreement_facts(tables, a) for a in order]
    return pd.DataFrame(rows)


def profiles(tables: Mapping[str, pd.DataFrame], party_ids, cutoff: DateLike | None = None,
             declaration_id: str | None = "g7-jdsu-2023") -> dict[str, dict[str, object]]:  # fmt: skip
    """:func:`profile` for several partners, computing how far the record reaches once."""
    from analysis.overview import observed_until

    reach = observed_until(tables, tracks=("bilateral",))
    return {p: profile(tables, p, cutoff, declaration_id, reach=reach) for p in party_ids}
