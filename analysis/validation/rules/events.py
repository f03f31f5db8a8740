"""Rules on negotiation events: ids that name the partner, talks opened once and first, steps on the right side
of the signature, and who acted.

NOTE: events can run to millions of rows, so these rules walk columns (``Table.records``), not row objects.
Event ids are stable across releases (a later release appends the next free number), so ids are not in date
order; sort by event_date for the order of events.
"""

from __future__ import annotations

import datetime as dt

from analysis.validation.engine.cells import as_date, precision_units, span_of
from analysis.validation.engine.tables import Table
from analysis.validation.rules.registry import Facts, rule

#: What the rules know of each group of event types (data/event_types.csv gives each type its group).
#: Steps that happen before signature, in the order a negotiation goes through them.
PRE_SIGNATURE_GROUPS = ("reported", "opening", "negotiation")
#: Steps that can only follow the opening of talks on the same agreement.
AFTER_OPENING_GROUPS = ("negotiation",)
#: Steps that say who acted (events.side): Ukraine, the partner or both.
SIDED_GROUPS = ("approval", "ratification")
#: Steps that can only follow the signature.
POST_SIGNATURE_GROUPS = ("ratification",)


def kinds(facts: Facts, groups: tuple[str, ...]) -> tuple[str, ...]:
    """The event types (data/event_types.csv) in these groups, in their order."""
    key = ("kinds", groups)
    if key not in facts.memo:
        table = facts.tables.get("event_types")
        rows = table.records("event_type", "group", "position") if table is not None and table.readable else ()
        found = sorted((int(position) if position.isdigit() else 0, kind) for _, kind, group, position in rows if group in groups)
        facts.memo[key] = tuple(kind for _, kind in found)
    return facts.memo[key]


def units(facts: Facts) -> dict[str, str]:
    """``{precision: unit}`` (data/date_precisions.csv): what span each row's date stands for."""
    if "units" not in facts.memo:
        facts.memo["units"] = precision_units(facts.tables)
    return facts.memo["units"]


def _openings(ev: Table, facts: Facts) -> tuple[dict[tuple[str, str], tuple[dt.date, int]], list[tuple[int, str, int]]]:
    """The first opening of talks per (party, agreement): its date and line; and each later opening (line, party, first line)."""
    if "openings" not in facts.memo:
        opened: dict[tuple[str, str], tuple[dt.date, int]] = {}
        again: list[tuple[int, str, int]] = []
        opening = kinds(facts, ("opening",))
        for line, party, aid, kind, day in ev.records("party_id", "agreement_id", "event_type", "event_date"):
            when = as_date(day) if kind in opening else None
            if when:
                if (party, aid) in opened:
                    again.append((line, party, opened[(party, aid)][1]))
                else:
                    opened[(party, aid)] = (when, line)
        facts.memo["openings"] = opened, again
    return facts.memo["openings"]


@rule("events")
def event_id_names_partner(ev: Table, facts: Facts) -> None:
    """An event id starts with the partner's code (``fra-01``)."""
    for line, party, eid in ev.records("party_id", "event_id"):
        if eid and party and not eid.startswith(party.lower() + "-"):
            facts.out.add(ev, line, "event_id", f"'{eid}' should start with the partner code '{party.lower()}-'")


@rule("events")
def talks_opened_once(ev: Table, facts: Facts) -> None:
    """Talks on one agreement with one partner are opened once; later meetings are negotiation rounds."""
    for line, party, first in _openings(ev, facts)[1]:
        facts.out.add(ev, line, "event_type", f"talks with {party} were already opened on line {first}: use negotiation_round")


@rule("events")
def steps_follow_opening(ev: Table, facts: Facts) -> None:
    """A round, an agreed text or a postponement does not come before talks opened."""
    opened, after_opening, unit = _openings(ev, facts)[0], kinds(facts, AFTER_OPENING_GROUPS), units(facts).get
    for line, party, aid, kind, day, precision in ev.records("party_id", "agreement_id", "event_type", "event_date", "date_precision"):
        key = (party, aid)
        if kind not in after_opening or key not in opened:
            continue
        span = span_of(day, unit(precision))
        # NOTE: a month- or year-precise date only conflicts if its whole span lies before the opening.
        if span and span[1] < opened[key][0]:
            facts.out.add(ev, line, "event_date", f"a {kind} on {day} comes before talks opened ({opened[key][0]}, line {opened[key][1]})")


@rule("events")
def event_matches_its_agreement(ev: Table, facts: Facts) -> None:
    """An event on an agreement is with that agreement's partner, and before or after its signature as its type says."""
    agreements = facts.index("agreements", "agreement_id")
    before, after, unit = kinds(facts, PRE_SIGNATURE_GROUPS), kinds(facts, POST_SIGNATURE_GROUPS), units(facts).get
    for line, party, aid, kind, day, precision in ev.records("party_id", "agreement_id", "event_type", "event_date", "date_precision"):
        agreement = agreements.get(aid)
        if agreement is None:
            continue
        if agreement.get("party_id") != party:
            facts.out.add(ev, line, "agreement_id", f"agreement '{aid}' is with {agreement.get('party_id')}, not {party}")
        signed, span = as_date(agreement.get("signed_date")), span_of(day, unit(precision))
        if span and signed and kind in before and span[0] > signed:
            facts.out.add(
                ev, line, "event_date", f"a {kind} on {as_date(day)} comes after the agreement was signed ({signed}): check the date or the agreement_id"
            )
        if span and signed and kind in after and span[1] < signed:
            facts.out.add(ev, line, "event_date", f"{kind} on {as_date(day)} comes before the signature ({signed})")


@rule("events")
def side_only_for_sided_steps(ev: Table, facts: Facts) -> None:
    """Approval, ratification and entry into force say who acted (side); other steps leave side empty."""
    sided = kinds(facts, SIDED_GROUPS)
    shown = ", ".join(sided)
    for line, kind, side in ev.records("event_type", "side"):
        if kind in sided and not side:
            facts.out.add(ev, line, "side", f"a {kind} step needs its side: ukraine, partner or both")
        if side and kind not in sided:
            facts.out.add(ev, line, "side", f"side is only for {shown}; leave it empty for {kind}")


@rule("events")
def signature_is_not_an_event(ev: Table, facts: Facts) -> None:
    """The signature is agreements.signed_date, never an event row."""
    signature = kinds(facts, ("signature",))
    for line, kind in ev.records("event_type"):
        if kind in signature:
            facts.out.add(ev, line, "event_type", f"{kind} is the signature, recorded as agreements.signed_date: not an event")


@rule("events")
def us_track_without_agreement(ev: Table, facts: Facts) -> None:
    """The US guarantee track has no signed agreement yet."""
    for line, track, aid in ev.records("track", "agreement_id"):
        if track == "us_guarantees" and aid:
            facts.out.add(ev, line, "agreement_id", "the US guarantee track has no signed agreement yet: leave agreement_id empty")
