"""Rules on what the agreements pledge and their legal terms, and on the claims' English glosses."""

from __future__ import annotations

import re

from analysis.validation.engine.cells import as_date
from analysis.validation.engine.tables import Table
from analysis.validation.rules.registry import Facts, rule

#: Scripts a reader of English cannot read: Greek, Cyrillic, Hebrew and Arabic, Japanese kana, CJK.
NON_LATIN = re.compile(r"[\u0370-\u03ff\u0400-\u04ff\u0590-\u06ff\u3040-\u30ff\u4e00-\u9fff]")


def needs_gloss(text: object, language: object) -> bool:
    """Whether a quote needs an English gloss: its source is not in English, or it is written in a non-Latin script.

    >>> needs_gloss("Шість країн", "en"), needs_gloss("Six countries", "en"), needs_gloss("Six pays", "fr"), needs_gloss(None, "uk")
    (True, False, True, False)
    """
    if not isinstance(text, str) or not text.strip():
        return False
    return bool(NON_LATIN.search(text)) or (isinstance(language, str) and language not in ("", "en"))


@rule("commitments")
def commitment_complete(com: Table, facts: Facts) -> None:
    """A pledge names its agreement in its id, is an amount with its currency or a share of GDP (exactly one), and
    has a whole period (start and end of one precision, in order)."""
    for row in com.rows:
        cid, aid = row.get("commitment_id"), row.get("agreement_id")
        if cid and aid and not cid.startswith(aid + "-"):
            facts.out.add(com, row.line, "commitment_id", f"'{cid}' should start with its agreement '{aid}-'")
        amount, currency, share = row.get("amount"), row.get("currency"), row.get("share_of_gdp_pct")
        if bool(amount) != bool(currency):
            facts.out.add(com, row.line, "currency" if amount else "amount", "amount and currency go together: fill both or neither")
        if bool(amount) == bool(share):
            facts.out.add(com, row.line, "amount", "a pledge is an amount or a share of GDP: fill exactly one of amount and share_of_gdp_pct")
        start, end = row.get("period_start"), row.get("period_end")
        if bool(start) != bool(end):
            facts.out.add(com, row.line, "period_end" if start else "period_start", "period_start and period_end go together: fill both or neither")
        elif start and len(start) != len(end):
            facts.out.add(com, row.line, "period_end", f"period_end ({end}) should have the precision of period_start ({start}): both YYYY or both YYYY-MM")
        elif start and end < start:
            facts.out.add(com, row.line, "period_end", f"the period ends ({end}) before it starts ({start})")


@rule("commitments", "agreements", "exchange_rates")
def commitment_has_a_rate(com: Table, agr: Table, rates: Table, facts: Facts) -> None:
    """An amount in another currency than the euro has the ECB rate of its agreement's signing year."""
    agreements = facts.index("agreements", "agreement_id")
    known = {(currency, year) for _, currency, year in rates.records("currency", "year")}
    for line, aid, amount, currency in com.records("agreement_id", "amount", "currency"):
        signed = as_date(agreements[aid].get("signed_date")) if aid in agreements else None
        if amount and currency and currency != "EUR" and signed and (currency, str(signed.year)) not in known:
            facts.out.add(com, line, "currency", f"no ECB rate for {currency} {signed.year} in {rates.path}: run tools/make_exchange_rates.py with that currency-year")


@rule("legal_terms", "agreements", "clauses")
def legal_terms_quote_what_they_state(terms: Table, agr: Table, clauses: Table, facts: Facts) -> None:
    """Legal terms are for agreements whose text was read; a stated effect or extension has its quote; an agreement
    with no term in years says its term runs from nothing."""
    agreements = facts.index("agreements", "agreement_id")
    coded = {aid for _, aid in clauses.records("agreement_id")}
    for row in terms.rows:
        aid = row.get("agreement_id")
        if aid not in coded:
            facts.out.add(terms, row.line, "agreement_id", f"'{aid}' has no clauses: legal_terms are for agreements whose text was read")
        stated = row.get("comes_into_effect") != "not_stated"
        for column in ("effect_reference", "effect_quote"):
            if stated != bool(row.get(column)):
                facts.out.add(terms, row.line, column, f"{column} is filled exactly when comes_into_effect is not 'not_stated'")
        if (row.get("extension") == "joint_decision") != bool(row.get("extension_quote")):
            facts.out.add(terms, row.line, "extension_quote", "extension_quote is filled exactly when extension is 'joint_decision'")
        years = agreements[aid].get("term_years") if aid in agreements else None
        if aid in agreements and (row.get("term_runs_from") == "not_stated") != (not years):
            facts.out.add(terms, row.line, "term_runs_from", "term_runs_from is 'not_stated' exactly when the agreement has no term_years")


@rule("claims", "sources")
def claim_in_another_language_has_a_gloss(claims: Table, sources: Table, facts: Facts) -> None:
    """A claim quoted in another language than English, or in a non-Latin script, has an English gloss."""
    if "gloss" not in claims.header:
        return
    language = {sid: lang for _, sid, lang in sources.records("source_id", "language")}
    for line, text, source, gloss in claims.records("claim_text", "source_id", "gloss"):
        if needs_gloss(text, language.get(source)) and not gloss.strip():
            facts.out.add(claims, line, "gloss", f"the claim is quoted in {language.get(source) or 'a non-Latin script'}: give its English gloss")
