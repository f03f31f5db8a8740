"""The legal calendar of the bilateral agreements: legal form, what each side needed before it applied, when it came
into effect, when its term ends, and whether it is in force on a date.

Pure functions on a mapping of tables (a ``Dataset`` or a dict) with ``agreements``, ``legal_terms``, ``clauses``,
``clause_values``, ``events`` and ``sources``. Nothing here is a new fact: every date is a signing date, a dated
event, or a term counted from one of them, as ``legal_terms`` says.

- **Entry into effect**: the date of an ``entered_into_force`` event if there is one; else the signing date when
  the text says it comes into effect on signature (``legal_terms.comes_into_effect``); else, where the text has no
  such clause, the signing date, flagged as such; else (the text waits for each side's notification) unknown.
- **End of the term**: the start of the term (signature or entry into effect, ``legal_terms.term_runs_from``) plus
  ``agreements.term_years``: the anniversary on which the agreement lapses unless it is extended or ended earlier.
- **In force on a date**: it has come into effect and has not reached the end of its term. No termination is
  recorded in the data (there is no event type for one), so none is assumed.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from analysis import labels

#: How the entry into effect was established, in words.
EFFECT_BASIS = {
    "event": "a dated entry into force",
    "on_signature": "on signature, as the text says",
    "no_clause": "from signature (the text has no entry-into-effect clause)",
    "awaiting": "after each side's notification: no date found",
    "no_text": "no text read and no date found",
}
STATUS_LABELS = {"in_force": "In force", "not_yet": "Not yet in force", "ended": "Term ended", "unknown": "Not known"}
SIDE_WORDS = {"ukraine": "Ukraine", "partner": "the partner", "both": "both sides"}
CALENDAR_EVENTS = ("approved", "ratified", "entered_into_force")


def observed_until(tables: Mapping[str, pd.DataFrame]) -> pd.Timestamp:
    """How far the record of the bilateral track reaches (:func:`analysis.overview.observed_until`, the one
    definition): the latest publication date among the sources its agreements and events cite. NaT if none is dated.

    >>> t = {"sources": pd.DataFrame({"source_id": ["a", "b", "c"], "published_date": pd.to_datetime(["2024-01-02", "2025-03-04", "2026-01-01"])}),
    ...      "agreements": pd.DataFrame({"source_id": ["a"], "other_source_ids": ["b"]}),
    ...      "events": pd.DataFrame({"source_id": ["c"], "track": ["us_guarantees"]})}
    >>> observed_until(t)
    Timestamp('2025-03-04 00:00:00')
    """
    from analysis.overview import observed_until as by_track

    table = by_track(tables, tracks=("bilateral",)).set_index("track")["observed_until"]
    return table.get("bilateral", pd.NaT)


def _clause(tables: Mapping[str, pd.DataFrame], dimension: str) -> pd.DataFrame:
    clauses, values = tables["clauses"], tables["clause_values"]
    rows = clauses[clauses["dimension_id"] == dimension].set_index("agreement_id")
    label = values[values["dimension_id"] == dimension].set_index("value")["label"]
    return pd.DataFrame({"value": rows["value"], "label": rows["value"].map(label), "reference": rows["reference"]})


def _steps(events: pd.DataFrame, agreement_id: str) -> str:
    """The approvals, ratifications and entries into force of one agreement, in words and in date order."""
    rows = events[(events["agreement_id"] == agreement_id) & events["event_type"].isin(CALENDAR_EVENTS)].sort_values("event_date")
    words = []
    for row in rows.to_dict("records"):
        who = SIDE_WORDS.get(row.get("side"), "")
        what = labels.event_label(row["event_type"]).lower()
        when = labels.format_date(row["event_date"], row["date_precision"])
        words.append(f"{who} {what} {when}".strip() if row["event_type"] != "entered_into_force" else f"{what} {when}")
    return "; ".join(words)


#: The columns of :func:`legal_calendar`, in order.
CALENDAR_COLUMNS = ["agreement_id", "party_id", "signed_date", "legal_form", "legal_form_label", "comes_into_effect", "steps",
                    "in_effect_from", "effect_basis", "term_years", "term_runs_from", "term_start", "end_date", "term_label",
                    "term_reference", "termination_label", "termination_reference", "extension", "extension_reference", "status",
                    "as_of"]  # fmt: skip


def legal_calendar(tables: Mapping[str, pd.DataFrame], as_of=None, party_id: str | None = None) -> pd.DataFrame:
    """One row per agreement (``party_id``: that partner's only): its legal form, what had to happen before it
    applied, its entry into effect, its term and end, and its status on ``as_of`` (default: :func:`observed_until`,
    the latest source on the bilateral track, whoever it is about).

    Columns: ``agreement_id``, ``party_id``, ``signed_date``, ``legal_form`` and ``legal_form_label`` (clause
    matrix), ``comes_into_effect`` (legal_terms; missing where no text was read), ``steps`` (approvals,
    ratifications and entry into force from events, in words), ``in_effect_from``, ``effect_basis`` (a key of
    ``EFFECT_BASIS``), ``term_years``, ``term_runs_from``, ``term_start``, ``end_date``, ``term_label`` and
    ``term_reference`` (clause matrix), ``termination_label`` and ``termination_reference`` (clause matrix),
    ``extension``, ``extension_reference``, ``status`` (a key of ``STATUS_LABELS``) and ``as_of``. Sorted by
    end date (open-ended and unknown last), then signing date.
    """
    agreements, terms, events = tables["agreements"], tables["legal_terms"].set_index("agreement_id"), tables["events"]
    as_of = observed_until(tables) if as_of is None else pd.Timestamp(as_of)
    form, term, termination = _clause(tables, "legal_form"), _clause(tables, "term"), _clause(tables, "termination")
    entry_events = events[(events["event_type"] == "entered_into_force") & events["agreement_id"].notna()]
    entered = entry_events.groupby("agreement_id")["event_date"].min()
    if party_id is not None:
        agreements = agreements[agreements["party_id"] == party_id]
    rows = []
    for agr in agreements.sort_values("signed_date", kind="stable").to_dict("records"):
        aid = agr["agreement_id"]
        signed = pd.Timestamp(agr["signed_date"])
        effect = terms["comes_into_effect"].get(aid)
        if aid in entered.index:
            start, basis = pd.Timestamp(entered[aid]), "event"
        elif effect == "on_signature":
            start, basis = signed, "on_signature"
        elif effect == "not_stated":
            start, basis = signed, "no_clause"
        elif effect == "after_notification":
            start, basis = pd.NaT, "awaiting"
        else:
            start, basis = pd.NaT, "no_text"
        runs_from = terms["term_runs_from"].get(aid)
        years = agr.get("term_years")
        term_start = signed if runs_from == "signature" else start if runs_from == "entry_into_force" else pd.NaT
        if pd.isna(years) or pd.isna(term_start):
            end = pd.NaT
        else:
            end = term_start + pd.DateOffset(years=int(years))
        if pd.isna(start):
            status = "unknown"
        elif as_of < start:
            status = "not_yet"
        elif pd.notna(end) and as_of >= end:
            status = "ended"
        else:
            status = "in_force"
        rows.append({
            "agreement_id": aid, "party_id": agr["party_id"], "signed_date": signed,
            "legal_form": form["value"].get(aid), "legal_form_label": form["label"].get(aid),
            "comes_into_effect": effect, "steps": _steps(events, aid),
            "in_effect_from": start, "effect_basis": basis,
            "term_years": years, "term_runs_from": runs_from, "term_start": term_start, "end_date": end,
            "term_label": term["label"].get(aid), "term_reference": term["reference"].get(aid),
            "termination_label": termination["label"].get(aid), "termination_reference": termination["reference"].get(aid),
            "extension": terms["extension"].get(aid), "extension_reference": terms["extension_reference"].get(aid),
            "status": status, "as_of": as_of,
        })  # fmt: skip
    out = pd.DataFrame(rows, columns=CALENDAR_COLUMNS)
    for column in ("signed_date", "in_effect_from", "term_start", "end_date", "as_of"):
        out[column] = pd.to_datetime(out[column])
    out["term_years"] = pd.array(out["term_years"], dtype="Int64")
    return out.sort_values(["end_date", "signed_date"], na_position="last", kind="stable").reset_index(drop=True)


def in_force(tables: Mapping[str, pd.DataFrame], as_of) -> pd.DataFrame:
    """The agreements in force on ``as_of`` (rows of :func:`legal_calendar`): in effect by then, term not ended."""
    calendar = legal_calendar(tables, as_of)
    return calendar[calendar["status"] == "in_force"].reset_index(drop=True)


def ending(tables: Mapping[str, pd.DataFrame], start, end) -> pd.DataFrame:
    """The agreements whose term ends between ``start`` and ``end`` inclusive (rows of :func:`legal_calendar`)."""
    calendar = legal_calendar(tables)
    mask = calendar["end_date"].between(pd.Timestamp(start), pd.Timestamp(end))
    return calendar[mask].reset_index(drop=True)


def ratification_words(row: Mapping) -> str:
    """Whether the sides needed ratification or approval before the agreement applied, and what was given, in words.

    >>> ratification_words({"comes_into_effect": "on_signature", "steps": "the partner approved 9 Apr 2024", "legal_form": "participants"})
    'No: in effect on signature (before it: the partner approved 9 Apr 2024)'
    >>> ratification_words({"comes_into_effect": "after_notification", "steps": "", "legal_form": "participants"})
    "Yes: each side's internal procedures, then notification (none dated in the sources)"
    """
    effect, steps = row.get("comes_into_effect"), row.get("steps") or ""
    if effect == "on_signature":
        return "No: in effect on signature" + (f" (before it: {steps})" if steps else "")
    if effect == "after_notification":
        return "Yes: each side's internal procedures, then notification" + (f" ({steps})" if steps else " (none dated in the sources)")
    if effect == "not_stated":
        return "Not stated in the text" + (f" ({steps})" if steps else "")
    return steps if steps else "No text read"


def calendar_in_words(calendar: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    """The calendar as a reader's table: partner, legal form, ratification, in effect from, term, ends, extension,
    termination, status. Dates at day precision; an open or unknown end says why.

    >>> cal = pd.DataFrame({"party_id": ["AAA"], "legal_form_label": ["Political commitment"], "comes_into_effect": ["on_signature"],
    ...     "steps": [""], "legal_form": ["participants"], "in_effect_from": pd.to_datetime(["2024-01-12"]), "effect_basis": ["on_signature"],
    ...     "term_years": pd.array([10], dtype="Int64"), "term_runs_from": ["signature"], "end_date": pd.to_datetime(["2034-01-12"]),
    ...     "term_label": ["A fixed number of years"], "term_reference": ["Part IX"], "extension": ["not_stated"],
    ...     "extension_reference": [None], "termination_label": ["Six months' notice"], "termination_reference": ["Part IX"],
    ...     "status": ["in_force"]})
    >>> calendar_in_words(cal, {"AAA": "Aland"}).iloc[0].tolist()[:6]
    ['Aland', 'Political commitment', 'No: in effect on signature', '12 Jan 2024', '10 years from signature (Part IX)', '12 Jan 2034']
    """
    out = pd.DataFrame(index=calendar.index)
    out["partner"] = calendar["party_id"].map(lambda p: names.get(p, p))
    out["legal_form"] = calendar["legal_form_label"].fillna("Not coded (no text read)")
    out["ratification"] = [ratification_words(r) for r in calendar.to_dict("records")]
    out["in_effect_from"] = [
        labels.format_date(d) + ("" if b in ("event", "on_signature") else f" ({EFFECT_BASIS[b]})") if pd.notna(d) else EFFECT_BASIS[b]
        for d, b in zip(calendar["in_effect_from"], calendar["effect_basis"], strict=True)
    ]
    terms = []
    for r in calendar.to_dict("records"):
        ref = f" ({r['term_reference']})" if isinstance(r.get("term_reference"), str) and r["term_reference"] else ""
        if pd.notna(r["term_years"]) and r.get("term_runs_from") in ("signature", "entry_into_force"):
            start = "signature" if r["term_runs_from"] == "signature" else "entry into effect"
            terms.append(f"{labels.plural(int(r['term_years']), 'year')} from {start}{ref}")
        elif pd.notna(r["term_years"]):
            terms.append(f"{labels.plural(int(r['term_years']), 'year')}; start not known")
        else:
            terms.append((r.get("term_label") or "Not known") + ref)
    out["term"] = terms
    out["ends"] = [labels.format_date(d) if pd.notna(d) else "no end date" if t == "not_stated" and isinstance(lab, str) else "not known"
                   for d, t, lab in zip(calendar["end_date"], calendar["term_runs_from"], calendar["term_label"], strict=True)]  # fmt: skip
    out["extension"] = [
        (f"By joint decision ({ref})" if isinstance(ref, str) and ref else "By joint decision") if e == "joint_decision"
        else "No clause" if e == "not_stated" else "Not known"
        for e, ref in zip(calendar["extension"], calendar["extension_reference"], strict=True)
    ]  # fmt: skip
    out["termination"] = [
        (f"{lab} ({ref})" if isinstance(ref, str) and ref else lab) if isinstance(lab, str) else "Not known"
        for lab, ref in zip(calendar["termination_label"], calendar["termination_reference"], strict=True)
    ]
    out["status"] = calendar["status"].map(STATUS_LABELS)
    return out


#: The calendar's columns in words (:func:`calendar_in_words`), as the reports head them; ``status`` is headed by
#: the date it holds on.
WORD_LABELS = {"partner": "Partner", "legal_form": "Legal form", "ratification": "Ratification or approval needed",
               "in_effect_from": "In effect from", "term": "Term", "ends": "Term ends", "extension": "Extension",
               "termination": "Termination"}  # fmt: skip


def partner_calendar(tables: Mapping[str, pd.DataFrame], party_id: str, names: Mapping[str, str], as_of=None) -> pd.DataFrame:
    """One partner's rows of the calendar in words (:func:`calendar_in_words`), for its profile page; empty if the
    partner signed no agreement."""
    return calendar_in_words(legal_calendar(tables, as_of, party_id), names).reset_index(drop=True)
