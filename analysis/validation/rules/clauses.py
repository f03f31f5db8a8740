"""Rules on the clause matrix: a coded value has its quote, a quote is short, and a disagreement is settled."""

from __future__ import annotations

from analysis.validation.engine.tables import Table
from analysis.validation.rules.registry import Facts, rule

#: The longest quote the clause matrix keeps (the brief says about 300 characters).
MAX_QUOTE = 400


@rule("clauses")
def clause_quote_fits_value(clauses: Table, facts: Facts) -> None:
    """not_stated has no quote or reference; any other value has both, from the text."""
    for row in clauses.rows:
        stated = row.get("value") != "not_stated"
        for column in ("quote", "reference"):
            if stated and not row.get(column):
                facts.out.add(clauses, row.line, column, f"a coded value ({row.get('value')}) needs its {column} from the text")
            if not stated and row.get(column):
                facts.out.add(clauses, row.line, column, f"not_stated means the text does not say it: leave {column} empty")


@rule("clauses")
def clause_quote_short(clauses: Table, facts: Facts) -> None:
    """A quote keeps the decisive words: at most MAX_QUOTE characters."""
    for row in clauses.rows:
        if len(row.get("quote")) > MAX_QUOTE:
            facts.out.add(clauses, row.line, "quote", f"quote is {len(row.get('quote'))} characters: keep the decisive words, at most {MAX_QUOTE}")


@rule("clause_checks")
def disagreement_resolved(checks: Table, facts: Facts) -> None:
    """Two codings that differ say how the disagreement was settled; two that agree leave resolution empty."""
    for row in checks.rows:
        differ = row.get("first_value") != row.get("second_value")
        if differ and not row.get("resolution"):
            facts.out.add(checks, row.line, "resolution", "the two codings differ: say how the disagreement was settled")
        if not differ and row.get("resolution"):
            facts.out.add(checks, row.line, "resolution", "the two codings agree: there is nothing to settle, leave it empty")
