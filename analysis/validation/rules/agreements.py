"""Rules on the bilateral agreements: ids that name the partner and year, related agreements."""

from __future__ import annotations

from analysis.validation.engine.cells import as_date
from analysis.validation.engine.tables import Table
from analysis.validation.rules.registry import Facts, rule


@rule("agreements")
def agreement_id_names_partner_and_year(agr: Table, facts: Facts) -> None:
    """An agreement id starts with the partner's code and carries the signing year (``gbr-2024``)."""
    for row in agr.rows:
        aid, party = row.get("agreement_id"), row.get("party_id")
        if aid and party and not aid.startswith(party.lower() + "-"):
            facts.out.add(agr, row.line, "agreement_id", f"'{aid}' should start with the partner code '{party.lower()}-'")
        signed = as_date(row.get("signed_date"))
        if aid and signed and not aid[4:8] == str(signed.year):
            facts.out.add(agr, row.line, "agreement_id", f"'{aid}' should carry the signing year {signed.year}")


@rule("agreements")
def related_agreement_earlier_with_same_partner(agr: Table, facts: Facts) -> None:
    """A related agreement comes with its relation, is with the same partner, and was signed before."""
    agreements = facts.index("agreements", "agreement_id")
    for row in agr.rows:
        if bool(row.get("related_agreement_id")) != bool(row.get("relation")):
            facts.out.add(agr, row.line, "relation", "related_agreement_id and relation go together: fill both or neither")
        related = agreements.get(row.get("related_agreement_id"))
        if related is None:
            continue
        earlier, signed = as_date(related.get("signed_date")), as_date(row.get("signed_date"))
        if related.get("party_id") != row.get("party_id"):
            facts.out.add(agr, row.line, "related_agreement_id", "a related agreement must be with the same partner")
        if earlier and signed and earlier >= signed:
            facts.out.add(agr, row.line, "related_agreement_id", f"the related agreement was signed on {earlier}, not before this one ({signed})")
