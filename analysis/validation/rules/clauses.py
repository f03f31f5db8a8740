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


@rule("clause_checks", "clauses")
def double_coding_matches_matrix(checks: Table, clauses: Table, facts: Facts) -> None:
    """The resolved value of every double-coded cell equals the value in clauses.csv for the same agreement and
    dimension. The resolved value is ``resolved_value`` when filled, else the value both coders gave.

    NOTE: ``resolution`` is prose, so the rule needs the structured column ``resolved_value``: it runs once
    clause_checks.csv has that column (a table without it is not compared, so that the data can gain the column and
    its fixes in one change).
    """
    if "resolved_value" not in checks.header:
        return
    matrix = {(aid, dim): (value, line) for line, aid, dim, value in clauses.records("agreement_id", "dimension_id", "value")}
    columns = ("agreement_id", "dimension_id", "first_value", "second_value", "resolved_value")
    for line, aid, dim, first, second, resolved in checks.records(*columns):
        if first != second and not resolved:
            facts.out.add(checks, line, "resolved_value", "the two codings differ: record the value they were settled on")
        settled, column = (resolved, "resolved_value") if resolved else (first, "first_value") if first == second else ("", "")
        coded = matrix.get((aid, dim))
        if not settled or not aid or not dim:
            continue
        if coded is None:
            facts.out.add(checks, line, column, f"{aid} is double-coded on {dim}, but {clauses.path} has no row for it: add the coded cell")
        elif coded[0] != settled:
            how = "settled on" if column == "resolved_value" else "both coded"
            facts.out.add(
                checks,
                line,
                column,
                f"{how} '{settled}', but {clauses.path} line {coded[1]} says '{coded[0]}': apply the settled value to the matrix, "
                "or record the later re-coding in resolved_value",
            )
