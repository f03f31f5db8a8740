"""Rules on sources: every source is cited, and an alternative value has its own source and differs."""

from __future__ import annotations

from analysis.validation.engine.tables import Table
from analysis.validation.rules.registry import Facts, rule

#: The tables whose ``alt_*`` columns record a value another source gives.
ALTERNATIVE_TABLES = ("agreements", "signatories", "events", "meetings")


@rule("sources")
def every_source_cited(src: Table, facts: Facts) -> None:
    """Every source is cited by some row (source_id, alt_source_id or other_source_ids)."""
    cited: set[str] = set()
    for table in facts.tables.values():
        for column in ("source_id", "alt_source_id"):
            if column in table.header and table.name != "sources":
                cited.update(table.values(column))
        if "other_source_ids" in table.header:
            for ids in set(table.values("other_source_ids")):
                cited.update(ids.split(";"))
    for row in src.rows:
        if row.get("source_id") and row.get("source_id") not in cited:
            facts.out.add(src, row.line, "source_id", f"'{row.get('source_id')}' is cited by no row: remove it, or cite it")


@rule()
def alternative_sourced_and_different(facts: Facts) -> None:
    """An alternative value (alt_*) needs its source (alt_source_id), and must differ from the value kept."""
    for name in ALTERNATIVE_TABLES:
        if name in facts.tables:
            _check_alternatives(facts.tables[name], facts)


def _check_alternatives(table: Table, facts: Facts) -> None:
    for alt in [c for c in table.header if c.startswith("alt_") and c != "alt_source_id"]:
        main = alt[len("alt_") :]
        for row in table.rows:
            has_alt, has_src = bool(row.get(alt)), bool(row.get("alt_source_id"))
            if has_alt and not has_src:
                facts.out.add(table, row.line, "alt_source_id", f"{alt} is given without its source: fill alt_source_id")
            if has_src and not has_alt:
                facts.out.add(table, row.line, alt, f"alt_source_id is given but {alt} is empty: record the alternative value or drop the source")
            if has_alt and row.get(alt) == row.get(main):
                facts.out.add(table, row.line, alt, f"{alt} equals {main}: an alternative must differ, else leave it empty")


@rule("glossary")
def glossary_phrase_names_one_term(glossary: Table, facts: Facts) -> None:
    """A term's name and each of its other names (``also_called``, separated by ``;``) stand for that term alone, so that
    a report links a phrase to one definition."""
    seen: dict[str, str] = {}
    for line, term_id, term, also in glossary.records("term_id", "term", "also_called"):
        phrases = [p.strip().lower() for p in (also or "").split(";") if p.strip()] + [(term or "").split(" (")[0].strip().lower()]
        for phrase in dict.fromkeys(p for p in phrases if p):
            owner = seen.setdefault(phrase, term_id)
            if owner != term_id:
                facts.out.add(glossary, line, "also_called", f"'{phrase}' also stands for '{owner}': give each phrase to one term")
