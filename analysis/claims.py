"""The claims audit: compare dated public counts ("32 countries joined", "28 agreements") with the data.

For each claim, the data is counted as of the claim's date under the plain reading of what was counted,
and under named alternative readings (Kosovo left out, the EU counted or not, the UK's two agreements
counted once, Croatia's agreement outside the declaration). A claim is ``matches`` when the plain reading
agrees, ``explained`` when an alternative does (the explanation names it), ``explained (report lag)`` when a
reading agrees a few days earlier, and ``unexplained`` otherwise. The verdicts' order, labels and meanings are
data, ``data/verdicts.csv`` (:func:`verdicts`); the code computes which one a claim gets.

Pure functions on a dataset (a mapping of table name → DataFrame).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping

import pandas as pd

from analysis import precisions
from analysis.coalition import G7_DECLARATION, _ts
from analysis.validation.rules.commitments import needs_gloss  # one definition, shared with the validator

#: Parties that some official counts leave out, and why (used to name the alternative readings).
KOSOVO = "XKX"  # Ukraine does not recognise Kosovo; its official counts appear to leave it out
EU = "EUU"
#: How many days a claim may trail the event it counts (reports often come a day or two late).
REPORT_LAG_DAYS = 3



def _joiners(tables: Mapping[str, pd.DataFrame], day: pd.Timestamp, declaration_id: str) -> pd.DataFrame:
    sig = tables["signatories"]
    return sig[(sig["declaration_id"] == declaration_id) & (sig["joined_date"] <= day)]


def _signed(tables: Mapping[str, pd.DataFrame], day: pd.Timestamp) -> pd.DataFrame:
    agr = tables["agreements"]
    return agr[agr["signed_date"] <= day]


def _negotiating(tables: Mapping[str, pd.DataFrame], day: pd.Timestamp) -> pd.DataFrame:
    from analysis.negotiations import bilateral

    ev = bilateral(tables["events"])
    talking = set(ev.loc[ev["event_date"] <= day, "party_id"])
    signed = set(_signed(tables, day)["party_id"])
    return pd.DataFrame({"party_id": sorted(talking - signed)})


#: The tables each count reads (its readings change only on their dates).
COUNT_TABLES = {"declaration_joiners": ("signatories",), "declaration_participants": ("signatories",),
                "agreements_signed": ("agreements", "signatories"), "partners_negotiating": ("events", "agreements")}  # fmt: skip


def readings(tables: Mapping[str, pd.DataFrame], counted: str, day: pd.Timestamp, declaration_id: str,
             plain: bool = False) -> list[tuple[str, int]]:  # fmt: skip
    """Every reading of ``counted`` as of ``day``: (label, count), the plain reading first (only it, with ``plain``).

    >>> sig = pd.DataFrame({"declaration_id": ["d"] * 4, "party_id": ["USA", "EUU", "DNK", "XKX"], "role": ["original", "original", "acceded", "acceded"],
    ...                     "joined_date": pd.to_datetime(["2023-07-12"] * 4)})
    >>> readings({"signatories": sig}, "declaration_joiners", pd.Timestamp("2023-08-01"), "d")
    [('countries that joined after adoption', 2), ('joiners without Kosovo', 1)]
    """
    options: list[tuple[str, Callable[[], int]]]
    if counted in ("declaration_joiners", "declaration_participants"):
        rows = _joiners(tables, day, declaration_id)
        joiners = rows[rows["role"] == "acceded"]
        options = [
            ("countries that joined after adoption", lambda: len(joiners)),
            ("joiners without Kosovo", lambda: int((joiners["party_id"] != KOSOVO).sum())),
        ]
        if counted == "declaration_participants":
            options = [
                ("all parties: the G7, the EU and the joiners", lambda: len(rows)),
                ("states only (the EU not counted)", lambda: int((rows["party_id"] != EU).sum())),
                ("states without Kosovo (the EU not counted)", lambda: int((~rows["party_id"].isin([EU, KOSOVO])).sum())),
                ("all parties without Kosovo", lambda: int((rows["party_id"] != KOSOVO).sum())),
            ]
    elif counted == "agreements_signed":
        signed = _signed(tables, day)

        @functools.cache
        def inside() -> pd.DataFrame:  # the agreements with parties to the declaration on that day
            return signed[signed["party_id"].isin(set(_joiners(tables, day, declaration_id)["party_id"]))]

        options = [
            ("agreements signed", lambda: len(signed)),
            ("partners with an agreement (the UK's two counted once)", lambda: signed["party_id"].nunique()),
            ("agreements with parties to the declaration (Croatia left out)", lambda: len(inside())),
            ("partners among the declaration's parties (UK once, Croatia left out)", lambda: inside()["party_id"].nunique()),
            ("partners without the EU (UK once)", lambda: signed.loc[signed["party_id"] != EU, "party_id"].nunique()),
            ("declaration partners without the EU (UK once, Croatia left out)",
             lambda: inside().loc[inside()["party_id"] != EU, "party_id"].nunique()),
        ]  # fmt: skip
    elif counted == "partners_negotiating":
        talking = _negotiating(tables, day)
        options = [
            ("partners with talks recorded and no agreement yet", lambda: len(talking)),
            ("the same without the EU", lambda: int((talking["party_id"] != EU).sum())),
        ]
    elif counted in UNLISTED:
        return []
    else:
        raise ValueError(f"unknown count {counted!r}")
    return [(label, fn()) for label, fn in options[: 1 if plain else None]]


def satisfies(count: int, claimed: int, qualifier: str | None) -> bool:
    """Whether the data's count agrees with a claim, reading its qualifier ("more than", "almost", "over").

    >>> satisfies(31, 30, "more than"), satisfies(28, 30, "almost"), satisfies(30, 30, ""), satisfies(29, 30, None)
    (True, True, True, False)
    >>> satisfies(1, 4, "'almost 30' agreements after these")  # the qualifier is about another number
    False
    """
    text = (qualifier or "").strip().lower()
    # NOTE: only a qualifier that starts with the comparison applies to the number ("almost 30" elsewhere in the
    # qualifier may be about another figure).
    if re.match(r"(more than|over|понад|більше)\b", text):
        return count > claimed
    if re.match(r"at least\b", text):
        return count >= claimed
    if re.match(r"(almost|nearly|about|around|майже)\b", text):
        return claimed - 3 <= count <= claimed
    return count == claimed


def _change_dates(tables: Mapping[str, pd.DataFrame], names: tuple[str, ...] = ("signatories", "agreements", "events")) -> pd.DatetimeIndex:
    """Every date on which a count reading the tables ``names`` can change: joins, signatures, negotiation events."""
    columns = {"signatories": "joined_date", "agreements": "signed_date", "events": "event_date"}
    parts = [tables[t][columns[t]] for t in names if t in tables]
    return pd.DatetimeIndex(pd.concat(parts).dropna().unique()).sort_values() if parts else pd.DatetimeIndex([])


#: Counts the data cannot check: no source lists the members, only reported numbers (meetings.parties_reported,
#: declarations.parties_reported). The audit shows these claims beside each other, without a verdict.
UNLISTED = ("coalition_participants", "declaration_endorsers")
UNLISTED_STATUS = "no list to check against"


def verdicts() -> list[dict]:
    """The verdicts (``data/verdicts.csv``) in their order: ``verdict``, ``position``, ``label``, ``description``.

    >>> [(v["verdict"], v["label"]) for v in verdicts()][:2]
    [('matches', 'Matches the data'), ('explained', 'Matches another reading')]
    """
    from analysis.labels import vocabulary

    return vocabulary("verdicts")


def verdict_label(status) -> str:
    """A verdict in plain words (``data/verdicts.csv``); one the table does not list reads as words.

    >>> verdict_label("unexplained"), verdict_label("no list to check against"), verdict_label("half_explained")
    ('Unexplained', 'Reported count (no list to check)', 'Half explained')
    """
    from analysis.labels import vocabulary_label

    return vocabulary_label("verdicts", status)


def with_verdicts(audit_table: pd.DataFrame) -> pd.DataFrame:
    """The audit with ``verdict`` (its status in plain words), in the verdicts' order, then by date and claim.

    >>> a = pd.DataFrame({"claim_id": ["a", "b"], "claim_date": pd.to_datetime(["2024-01-01"] * 2), "status": ["unexplained", "matches"]})
    >>> with_verdicts(a)[["claim_id", "verdict"]].values.tolist()
    [['b', 'Matches the data'], ['a', 'Unexplained']]
    """
    order = {v["verdict"]: i for i, v in enumerate(verdicts())}
    rank = audit_table["status"].map(lambda s: order.get(s, len(order)))
    out = audit_table.assign(verdict=audit_table["status"].map(verdict_label), _rank=rank)
    return out.sort_values(["_rank", "claim_date", "claim_id"], kind="stable").drop(columns="_rank").reset_index(drop=True)


def _said(claimed: int, qualifier: str) -> str:
    """How the claim put its number: ``"more than 30"``, or ``30``."""
    lead = re.match(r"(more than|over|at least|almost|nearly|about|around)\b", qualifier.strip().lower())
    return f"{lead.group(1)} {claimed}" if lead else f"{claimed}"


def audit(claims: pd.DataFrame, tables: Mapping[str, pd.DataFrame], declaration_id: str = G7_DECLARATION) -> pd.DataFrame:
    """Each claim beside the data's count on its date, with a verdict and the one sentence that explains it.

    Columns: ``claim_id``, ``claim_date``, ``claimant``, ``counted``, ``claimed_count``, ``qualifier``,
    ``data_count`` (the plain reading on the day the verdict rests on: the matching day for a claim dated to a month
    or a year (its precision's unit, data/date_precisions.csv), else the claim's date or the end of its span), ``difference``, ``status``, ``explanation`` (which reading agreed,
    if not the plain one) and ``reason`` (a sentence, for every claim, saying why the verdict is what it is).
    """
    rows = []
    changes = _change_dates(tables)
    # What span each claim's date stands for: its precision's unit (data/date_precisions.csv).
    known = precisions.units(tables["date_precisions"] if "date_precisions" in tables else None)
    for claim in claims.to_dict("records"):
        first, last = precisions.span(_ts(claim["claim_date"]), claim.get("date_precision"), known)
        unit = known.get(claim.get("date_precision"), "day")
        claimed, qualifier = int(claim["claimed_count"]), claim.get("qualifier")
        qualifier = qualifier if isinstance(qualifier, str) else ""
        said = _said(claimed, qualifier)
        base = {"claim_id": claim["claim_id"], "claim_date": claim["claim_date"], "claimant": claim["claimant"],
                "counted": claim["counted"], "claimed_count": claimed, "qualifier": qualifier}  # fmt: skip
        if claim["counted"] in UNLISTED:
            rows.append(base | {"data_count": None, "difference": None, "status": UNLISTED_STATUS,
                                "explanation": "no source lists the members; the data holds reported counts only",
                                "reason": "Not checked: no source lists who was counted, so there is no list to count; the "
                                          "data holds only reported numbers, shown beside each other."})  # fmt: skip
            continue
        spanned = first != last
        when = f"in the {unit} of the claim" if spanned else "on the claim's date"
        status, explanation, reason, day_used = "unexplained", "", "", last
        # Counts only change on dates in the data, so the first day and those dates cover the whole span.
        days = [first, *[d for d in changes if first < d <= last]]
        for day in days:
            found = [(label, n) for label, n in readings(tables, claim["counted"], day, declaration_id) if satisfies(n, claimed, qualifier)]
            if found:
                label, n = found[0]
                plain_label = readings(tables, claim["counted"], day, declaration_id)[0][0]
                status, day_used = ("matches" if label == plain_label else "explained"), day
                explanation = "" if status == "matches" else f"counts {label} ({n})"
                on = f"on {day:%-d %b %Y}" if not spanned else f"on {day:%-d %b %Y} (the claim is dated only to the {unit})"
                if status == "matches":
                    reason = f"{on[0].upper()}{on[1:]}, the data counts {n} ({plain_label}), which agrees with the claim of {said}."
                else:
                    plain_n = readings(tables, claim["counted"], day, declaration_id)[0][1]
                    reason = (f"{on[0].upper()}{on[1:]}, the data counts {n} when read as {label}, which agrees with the claim "
                              f"of {said}; the plain reading ({plain_label}) gives {plain_n}.")  # fmt: skip
                break
        if status == "unexplained":
            for lag in range(1, REPORT_LAG_DAYS + 1):
                day = first - pd.Timedelta(days=lag)
                found = [(label, n) for label, n in readings(tables, claim["counted"], day, declaration_id) if satisfies(n, claimed, qualifier)]
                if found:
                    status, day_used = "explained (report lag)", day
                    days_word = "day" if lag == 1 else "days"
                    explanation = f"counts {found[0][0]} ({found[0][1]}) as of {day:%d %b %Y}, {lag} {days_word} before the claim"
                    reason = (f"On {day:%-d %b %Y}, {lag} {days_word} before the claim, the data counts {found[0][1]} "
                              f"({found[0][0]}), which agrees with the claim of {said}: the claim lags the latest change.")  # fmt: skip
                    break
        plain_label, plain = readings(tables, claim["counted"], day_used, declaration_id)[0]
        if status == "unexplained":
            every = readings(tables, claim["counted"], last, declaration_id)
            nearest = min(every, key=lambda r: (abs(r[1] - claimed), every.index(r)))
            reason = (f"No reading agrees with the claim of {said} {when}: the plain reading ({plain_label}) gives {plain}"
                      + (f", and the nearest other reading ({nearest[0]}) {nearest[1]}." if nearest[0] != plain_label else ".")
                      + (" The data may lack a joining or a signing the claimant counted." if plain < claimed else
                         " The claim counts fewer than the data holds: it may count a narrower group, or predate a change."))  # fmt: skip
        rows.append(base | {"data_count": plain, "difference": claimed - plain, "status": status, "explanation": explanation,
                            "reason": reason})  # fmt: skip
    out = pd.DataFrame(rows)
    for column in ("data_count", "difference"):
        if column in out:
            out[column] = out[column].astype("Int64")
    return out


#: Scripts that are not English at a glance (Cyrillic, Greek, Arabic, Hebrew, CJK): a quote in one needs a gloss.
def missing_glosses(claims: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """The claims whose words need an English gloss (:func:`needs_gloss`) and have none: ``claim_id``, ``language``.

    A table without a ``gloss`` column glosses nothing.

    >>> c = pd.DataFrame({"claim_id": ["a", "b"], "claim_text": ["Шість країн", "Six"], "source_id": ["s", "s"], "gloss": [None, None]})
    >>> missing_glosses(c, pd.DataFrame({"source_id": ["s"], "language": ["uk"]}))["claim_id"].tolist()
    ['a', 'b']
    """
    language = claims["source_id"].map(sources.set_index("source_id")["language"])
    gloss = claims["gloss"] if "gloss" in claims.columns else pd.Series(None, index=claims.index, dtype="object")
    has_gloss = gloss.map(lambda g: isinstance(g, str) and bool(g.strip()))
    need = [needs_gloss(t, lang) for t, lang in zip(claims["claim_text"], language, strict=True)]
    out = claims.assign(language=language)[pd.Series(need, index=claims.index) & ~has_gloss]
    return out[["claim_id", "language"]].reset_index(drop=True)


def count_series(
    tables: Mapping[str, pd.DataFrame], counted: str, dates: pd.DatetimeIndex, declaration_id: str = G7_DECLARATION
) -> pd.Series:
    """The plain reading of ``counted`` on each of ``dates`` (for charts of claims against the data).

    >>> sig = pd.DataFrame({"declaration_id": ["d"] * 2, "party_id": ["USA", "DNK"], "role": ["original", "acceded"],
    ...                     "joined_date": pd.to_datetime(["2023-07-12", "2023-07-20"])})
    >>> count_series({"signatories": sig}, "declaration_participants", pd.to_datetime(["2023-07-15", "2023-07-21"]), "d").tolist()
    [1, 2]
    """
    dates = pd.DatetimeIndex(dates)
    changes = _change_dates(tables, COUNT_TABLES[counted])
    points = dates[:1].union(changes[(changes > dates.min()) & (changes <= dates.max())])
    values = pd.Series([readings(tables, counted, day, declaration_id, plain=True)[0][1] for day in points], index=points)
    return values.reindex(dates, method="ffill")


def with_words(audit_table: pd.DataFrame, claims: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """The audit beside each claim's verbatim words, their language in English, and the English gloss kept apart
    (``gloss``: from claims.csv when it has the column, else empty), plus ``date_precision`` and ``source_id``.

    >>> a = pd.DataFrame({"claim_id": ["c"], "status": ["matches"]})
    >>> c = pd.DataFrame({"claim_id": ["c"], "date_precision": ["day"], "source_id": ["s"], "claim_text": ["Шість"], "gloss": ["Six"]})
    >>> with_words(a, c, pd.DataFrame({"source_id": ["s"], "language": ["uk"]}))[["claim_text", "language", "gloss"]].values.tolist()
    [['Шість', 'Ukrainian', 'Six']]
    """
    from analysis.labels import language_name

    columns = ["claim_id", "date_precision", "source_id", "claim_text"] + (["gloss"] if "gloss" in claims.columns else [])
    out = audit_table.merge(claims[columns], on="claim_id", how="left")
    if "gloss" not in out.columns:
        out["gloss"] = None
    language = out["source_id"].map(sources.set_index("source_id")["language"])
    return out.assign(language=language.map(language_name))
