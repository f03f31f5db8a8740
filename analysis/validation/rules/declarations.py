"""Rules on declarations and who joined them: a party joins on or after adoption, on a date its role explains."""

from __future__ import annotations

from analysis.validation.engine.cells import as_date
from analysis.validation.engine.tables import Table
from analysis.validation.rules.registry import Facts, rule


def _roles(facts: Facts, joins: str) -> frozenset[str]:
    """The roles (data/signatory_roles.csv) whose party joins as ``joins`` says: at_adoption, after_adoption or any."""
    key = ("roles", joins)
    if key not in facts.memo:
        table = facts.tables.get("signatory_roles")
        rows = table.records("role", "joins") if table is not None and table.readable else ()
        facts.memo[key] = frozenset(role for _, role, when in rows if when == joins)
    return facts.memo[key]


def _dates(row, facts: Facts):
    decl = facts.index("declarations", "declaration_id").get(row.get("declaration_id"))
    return as_date(row.get("joined_date")), as_date(decl.get("adopted_date")) if decl else None


@rule("signatories")
def joined_not_before_adoption(sig: Table, facts: Facts) -> None:
    """A party cannot join a declaration before it was adopted."""
    for row in sig.rows:
        joined, adopted = _dates(row, facts)
        if joined and adopted and joined < adopted:
            facts.out.add(sig, row.line, "joined_date", f"{joined} is before the declaration was adopted ({adopted}): a party cannot join earlier")


@rule("signatories")
def original_joins_on_adoption(sig: Table, facts: Facts) -> None:
    """An original signatory (a role that joins at_adoption) joins on the adoption date, and its date_basis is 'adoption'."""
    at_adoption = _roles(facts, "at_adoption")
    for row in sig.rows:
        if row.get("role") not in at_adoption:
            continue
        joined, adopted = _dates(row, facts)
        if joined and adopted and joined != adopted:
            facts.out.add(sig, row.line, "joined_date", f"an original signatory joins on the adoption date ({adopted}), not {joined}")
        if row.get("date_basis") != "adoption":
            facts.out.add(sig, row.line, "date_basis", "an original signatory has date_basis 'adoption'")


@rule("signatories")
def date_basis_fits_role(sig: Table, facts: Facts) -> None:
    """A party that acceded (a role that joins after_adoption) has the basis of its own date; for a role that joins at
    any time, 'adoption' means the adoption date."""
    later, either = _roles(facts, "after_adoption"), _roles(facts, "any")
    for row in sig.rows:
        role, basis = row.get("role"), row.get("date_basis")
        if role in later and basis == "adoption":
            facts.out.add(sig, row.line, "date_basis", "a party that acceded joined after adoption: use the basis of its date, not 'adoption'")
        if role in either and basis == "adoption":
            joined, adopted = _dates(row, facts)
            if joined and adopted and joined != adopted:
                facts.out.add(sig, row.line, "joined_date", f"date_basis 'adoption' means the adoption date ({adopted}), not {joined}")


@rule("declarations")
def declaration_dated_as_its_meeting(declarations: Table, facts: Facts) -> None:
    """A declaration adopted at a meeting carries the meeting's date."""
    meetings = facts.index("meetings", "meeting_id")
    for row in declarations.rows:
        meeting = meetings.get(row.get("meeting_id"))
        if meeting is not None and row.get("adopted_date") and row.get("adopted_date") != meeting.get("meeting_date"):
            facts.out.add(
                declarations,
                row.line,
                "adopted_date",
                f"adopted at meeting '{row.get('meeting_id')}' on {meeting.get('meeting_date')}, not {row.get('adopted_date')}",
            )
