"""What is in the data: row counts, coverage, sources, date precision, recorded conflicts, coverage gaps.

Pure functions on a :class:`analysis.load.Dataset` (a mapping of table name → DataFrame).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from urllib.parse import urlparse

import pandas as pd

from analysis.labels import VOCABULARIES

#: Hosts of official publishers: governments, parliaments, ministries, the EU and NATO. A source on one
#: of these (or a subdomain) counts as official; agencies and newspapers do not.
OFFICIAL_HOSTS = (
    "president.gov.ua", "mod.gov.ua", "mfa.gov.ua", "kmu.gov.ua", "minre.gov.ua", "rada.gov.ua", "gov.uk",
    "parliament.uk", "europa.eu", "nato.int", "state.gov", "whitehouse.gov", "bidenwhitehouse.archives.gov",
    "international.gc.ca", "canada.ca", "regjeringen.no", "government.nl", "netherlandsandyou.nl", "valitsus.ee",
    "vm.ee", "mk.gov.lv", "um.fi", "stm.dk", "governo.it", "eda.admin.ch", "japan.go.jp", "diplo.de", "chd.lu",
    "gov.pl", "gov.si", "vlada.gr", "gov.ie",
)  # fmt: skip


def is_official(url: str) -> bool:
    """True when the url's host is an official publisher's (see :data:`OFFICIAL_HOSTS`).

    >>> is_official("https://www.president.gov.ua/en/news/x"), is_official("https://www.pravda.com.ua/x")
    (True, False)
    """
    host = (urlparse(url).hostname or "").lower()
    return any(host == h or host.endswith("." + h) for h in OFFICIAL_HOSTS)


def _date_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if pd.api.types.is_datetime64_any_dtype(frame[c]) and not c.startswith("alt_")]


def table_summary(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per table: rows, columns, and the span of its main date column.

    >>> t = {"events": pd.DataFrame({"event_date": pd.to_datetime(["2024-01-02", "2023-08-03"])})}
    >>> table_summary(t)[["table", "rows", "first_date", "last_date"]].values.tolist()
    [['events', 2, '2023-08-03', '2024-01-02']]
    """
    rows = []
    for name, frame in tables.items():
        dates = _date_columns(frame)
        main = next((c for c in dates if c not in ("accessed_date", "left_date", "end_date")), None)
        span = frame[main].dropna() if main else pd.Series(dtype="datetime64[ns]")
        rows.append(
            {
                "table": name,
                "rows": len(frame),
                "columns": frame.shape[1],
                "date_column": main or "",
                "first_date": span.min().strftime("%Y-%m-%d") if len(span) else "",
                "last_date": span.max().strftime("%Y-%m-%d") if len(span) else "",
            }
        )
    return pd.DataFrame(rows)


def sources_by(sources: pd.DataFrame, column: str, top: int | None = None) -> pd.DataFrame:
    """Number of sources per value of ``column`` (e.g. ``publisher``, ``language``), most first.

    >>> s = pd.DataFrame({"language": ["en", "uk", "en"]})
    >>> sources_by(s, "language").values.tolist()
    [['en', 2, 0.6666666666666666], ['uk', 1, 0.3333333333333333]]
    """
    counts = sources[column].fillna("(none)").value_counts()
    out = pd.DataFrame({column: counts.index.astype(str), "sources": counts.to_numpy()})
    out = out.sort_values(["sources", column], ascending=[False, True], kind="stable").reset_index(drop=True)
    out["share"] = out["sources"] / out["sources"].sum()
    return out.head(top) if top is not None else out


def official_share(sources: pd.DataFrame, tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Per table: how many rows cite an official source as their main ``source_id``.

    >>> src = pd.DataFrame({"source_id": ["a", "b"], "url": ["https://www.gov.uk/x", "https://news.example/y"]})
    >>> official_share(src, {"t": pd.DataFrame({"source_id": ["a", "b", "b"]})}).values.tolist()
    [['t', 3, 1, 0.3333333333333333]]
    """
    official = dict(zip(sources["source_id"], sources["url"].map(is_official), strict=True))
    rows = []
    for name, frame in tables.items():
        if "source_id" not in frame.columns or name == "sources":
            continue
        flags = frame["source_id"].map(lambda sid: bool(official.get(sid, False)) if isinstance(sid, str) else False).astype(bool)
        rows.append(
            {
                "table": name,
                "rows": len(frame),
                "official": int(flags.sum()),
                "share_official": flags.mean() if len(frame) else 0.0,
            }
        )
    return pd.DataFrame(rows)


def date_precision(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Rows per table and date precision: one column per precision of the vocabulary (``date_precisions``, from
    ``tables`` or else the data folder), in its order.

    >>> date_precision({"t": pd.DataFrame({"date_precision": ["day", "month", "day"]})}).values.tolist()
    [['t', 2, 1, 0]]
    """
    from analysis.labels import vocabulary

    if "date_precisions" in tables:
        precisions = tables["date_precisions"].sort_values(["position", "precision"])["precision"].tolist()
    else:
        precisions = [v["precision"] for v in vocabulary("date_precisions")]
    rows = []
    for name, frame in tables.items():
        if "date_precision" in frame.columns:
            counts = frame["date_precision"].value_counts()
            rows.append({"table": name, **{p: int(counts.get(p, 0)) for p in precisions}})
    return pd.DataFrame(rows, columns=["table", *precisions])


def conflicts(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Every recorded disagreement between sources: the kept value, the alternative, both sources.

    >>> sig = pd.DataFrame({"party_id": ["PRT"], "joined_date": pd.to_datetime(["2023-07-12"]),
    ...     "alt_joined_date": pd.to_datetime(["2023-07-14"]), "source_id": ["a"], "alt_source_id": ["b"], "note": ["n"]})
    >>> conflicts({"signatories": sig})[["table", "party_id", "kept", "alternative"]].values.tolist()
    [['signatories', 'PRT', '2023-07-12', '2023-07-14']]
    """
    rows = []
    for name, frame in tables.items():
        for alt in [c for c in frame.columns if c.startswith("alt_") and c != "alt_source_id"]:
            main = alt.removeprefix("alt_")
            for record in frame[frame[alt].notna()].to_dict("records"):
                rows.append(
                    {
                        "table": name,
                        "party_id": record.get("party_id", ""),
                        "field": main,
                        "kept": _text(record[main]),
                        "alternative": _text(record[alt]),
                        "source_id": record.get("source_id", ""),
                        "alt_source_id": record.get("alt_source_id", ""),
                        "note": record.get("note") if isinstance(record.get("note"), str) else "",
                    }
                )
    return pd.DataFrame(rows, columns=["table", "party_id", "field", "kept", "alternative", "source_id", "alt_source_id", "note"])


def _text(value: object) -> str:
    return value.strftime("%Y-%m-%d") if isinstance(value, pd.Timestamp) else str(value)


def coverage_gaps(agreements: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Per agreement, which facts the data lacks: negotiation history, partner signatory, term, amount, place.

    >>> agr = pd.DataFrame({"agreement_id": ["x-2024"], "party_id": ["XXX"], "place": ["Kyiv"], "partner_signatory": [None],
    ...     "term_years": pd.array([10], dtype="Int64"), "commitment_amount": [None], "commitment_text": [None]})
    >>> coverage_gaps(agr, pd.DataFrame({"party_id": []}))["missing"].tolist()
    ['dated negotiation steps, partner signatory, headline commitment']
    """
    with_events = set(events["party_id"])
    rows = []
    for record in agreements.to_dict("records"):
        missing = []
        if record["party_id"] not in with_events:
            missing.append("dated negotiation steps")
        if pd.isna(record.get("partner_signatory")):
            missing.append("partner signatory")
        if pd.isna(record.get("place")):
            missing.append("place")
        if pd.isna(record.get("term_years")):
            missing.append("term")
        if pd.isna(record.get("commitment_amount")) and pd.isna(record.get("commitment_text")):
            missing.append("headline commitment")
        if missing:
            rows.append({"agreement_id": record["agreement_id"], "party_id": record["party_id"], "missing": ", ".join(missing)})
    return pd.DataFrame(rows, columns=["agreement_id", "party_id", "missing"])


_SOURCE_ID = re.compile(r"\b[a-z0-9]+(?:-[a-z0-9]+){2,}\b")


def name_sources(note: object, publishers: Mapping[str, str] | pd.Series) -> str:
    """A note with every source id in it replaced by the source's publisher, for readers.

    >>> name_sources("per the OP (president-gov-ua-2024-01-12-x)", {"president-gov-ua-2024-01-12-x": "Office of the President"})
    'per the OP (Office of the President)'
    """
    if not isinstance(note, str):
        return ""
    return _SOURCE_ID.sub(lambda m: str(publishers.get(m.group(0), m.group(0))), note)


def party_names(parties: pd.DataFrame) -> dict[str, str]:
    """``party_id`` → ``party_name``, for labels.

    >>> party_names(pd.DataFrame({"party_id": ["UKR"], "party_name": ["Ukraine"]}))
    {'UKR': 'Ukraine'}
    """
    return dict(zip(parties["party_id"], parties["party_name"], strict=True))


#: The tracks of the record, each with the rows that belong to it: (key, what a reader calls it, where it ends
#: in prose, [(table, row filter)]). A track's observed-until date is the latest publication date among the sources
#: its rows cite: after it the record is empty, not known to be quiet. Durations and "still negotiating" on a track
#: stop there.
TRACKS = (
    ("bilateral", "Bilateral agreements and the talks on them", "the bilateral track",
     (("agreements", None), ("events", lambda f: f["track"] == "bilateral_agreement"))),
    ("us_guarantees", "US security-guarantee talks (2025–26)", "the US track",
     (("events", lambda f: f["track"] == "us_guarantees"),)),
    ("coalition", "Coalition of the Willing meetings", "the coalition's meetings",
     (("meetings", lambda f: f["forum"] == "coalition_of_the_willing"),
      ("meeting_participants", None))),
    ("declarations", "Declarations and who joined them", "the declarations",
     (("declarations", None), ("signatories", None))),
    ("claims", "Count claims", "the claims", (("claims", None),)),
)  # fmt: skip
#: Tables of reference facts (exchange rates, summits, bloc memberships, the clause codebook and its coding): their
#: sources do not extend how far the record of events reaches.
REFERENCE_TABLES = ("clause_checks", "clause_dimensions", "clause_values", "clauses", "exchange_rates", "memberships",
                    "milestones", "parties", "sources")  # fmt: skip


def _cited(frame: pd.DataFrame) -> set[str]:
    ids: set[str] = set()
    for column in ("source_id", "alt_source_id"):
        if column in frame:
            ids.update(frame[column].dropna())
    if "other_source_ids" in frame:
        for value in frame["other_source_ids"].dropna():
            ids.update(filter(None, value.split(";")))
    return ids


def _track_rows(tables: Mapping[str, pd.DataFrame], parts) -> dict[str, pd.DataFrame]:
    out = {}
    for name, keep in parts:
        if name not in tables:
            continue
        frame = tables[name]
        if name == "meeting_participants" and "meetings" in out:
            frame = frame[frame["meeting_id"].isin(out["meetings"]["meeting_id"])]
        out[name] = frame[keep(frame)] if keep is not None else frame
    return out


def observed_until(tables: Mapping[str, pd.DataFrame], tracks: Iterable[str] | None = None) -> pd.DataFrame:
    """Per track of the record: its rows and the date it is observed until (the latest source its rows cite).
    ``tracks`` limits it to those tracks (and reads only their tables: a report that needs one track's date does not
    depend on the others'); ``record`` is then the latest of those.

    Columns: ``track``, ``what``, ``where`` (the track in prose), ``rows``, ``observed_until``. The last row,
    ``record``, is the whole record: the latest of the tracks. This is the one definition of "latest source"
    that the reports, the footers and ``python -m analysis coverage`` print.

    >>> t = {"sources": pd.DataFrame({"source_id": ["a", "b"], "published_date": pd.to_datetime(["2024-01-02", "2025-03-04"])}),
    ...      "claims": pd.DataFrame({"source_id": ["a", "b"], "other_source_ids": [None, None]})}
    >>> observed_until(t)[["track", "rows", "observed_until"]].astype(str).values.tolist()
    [['claims', '2', '2025-03-04'], ['record', '2', '2025-03-04']]
    """
    published = tables["sources"].set_index("source_id")["published_date"]
    rows = []
    wanted = None if tracks is None else set(tracks)
    for key, what, where, parts in TRACKS:
        if wanted is not None and key not in wanted:
            continue
        frames = _track_rows(tables, parts)
        if not frames:
            continue
        cited = set().union(*(_cited(f) for f in frames.values()))
        dates = published.reindex(sorted(cited)).dropna()
        rows.append({"track": key, "what": what, "where": where, "rows": sum(len(f) for f in frames.values()),
                     "observed_until": dates.max() if len(dates) else pd.NaT})  # fmt: skip
    out = pd.DataFrame(rows, columns=["track", "what", "where", "rows", "observed_until"])
    out["observed_until"] = pd.to_datetime(out["observed_until"])
    record = {"track": "record", "what": "The whole record (the latest of the tracks)", "where": "the record",
              "rows": int(out["rows"].sum()), "observed_until": out["observed_until"].max()}  # fmt: skip
    out = pd.concat([out, pd.DataFrame([record])], ignore_index=True)
    out["observed_until"] = pd.to_datetime(out["observed_until"])
    out["rows"] = out["rows"].astype(int)
    return out


def observed_dates(tables: Mapping[str, pd.DataFrame], cutoff=None, tracks: Iterable[str] | None = None) -> dict[str, pd.Timestamp]:
    """``track`` → observed-until date, never after ``cutoff`` (a track with no dated source ends at the cut-off);
    ``tracks`` as in :func:`observed_until`.

    >>> t = {"sources": pd.DataFrame({"source_id": ["a"], "published_date": pd.to_datetime(["2025-03-04"])}),
    ...      "claims": pd.DataFrame({"source_id": ["a"]})}
    >>> observed_dates(t, "2025-01-01")["claims"]
    Timestamp('2025-01-01 00:00:00')
    """
    table = observed_until(tables, tracks)
    limit = pd.Timestamp(cutoff) if cutoff is not None else None
    out = {}
    for track, day in zip(table["track"], table["observed_until"], strict=True):
        if pd.isna(day):
            day = limit if limit is not None else pd.NaT
        out[track] = min(day, limit) if limit is not None and pd.notna(day) else day
    return out


def latest_sources(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Per table: the publication date of the latest source its rows cite, how many rows, and whether the table
    is reference data (whose sources do not extend the record: see :data:`REFERENCE_TABLES`).

    >>> t = {"sources": pd.DataFrame({"source_id": ["a", "b"], "published_date": pd.to_datetime(["2024-01-02", "2025-03-04"])}),
    ...      "claims": pd.DataFrame({"source_id": ["a", "b"], "other_source_ids": [None, None]})}
    >>> latest_sources(t)[["table", "rows", "latest_source", "reference"]].astype(str).values.tolist()
    [['claims', '2', '2025-03-04', 'False']]
    """
    published = tables["sources"].set_index("source_id")["published_date"]
    rows = []
    for name in sorted(tables):
        if name in ("sources", "parties", "clause_dimensions", "clause_values", *VOCABULARIES):
            continue
        frame = tables[name]
        dates = published.reindex(sorted(_cited(frame))).dropna()
        rows.append({"table": name, "rows": len(frame), "latest_source": dates.max() if len(dates) else pd.NaT,
                     "reference": name in REFERENCE_TABLES})  # fmt: skip
    out = pd.DataFrame(rows, columns=["table", "rows", "latest_source", "reference"])
    out["latest_source"] = pd.to_datetime(out["latest_source"])
    return out


def coverage_markdown(tables: Mapping[str, pd.DataFrame]) -> str:
    """The coverage tables as they stand in data/README.md (a test checks the two agree): how far each track of the
    record is observed, then the latest source each table cites."""
    from analysis.labels import format_date

    lines = ["| track | rows | observed until (latest source on the track) |", "|---|---:|---|"]
    for row in observed_until(tables).to_dict("records"):
        lines.append(f"| {row['what']} | {row['rows']} | {format_date(row['observed_until'])} |")
    lines += ["", "| table | rows | latest source cited |", "|---|---:|---|"]
    for row in latest_sources(tables).to_dict("records"):
        note = " (reference data: does not extend the record)" if row["reference"] else ""
        lines.append(f"| {row['table']}.csv | {row['rows']} | {format_date(row['latest_source'])}{note} |")
    return "\n".join(lines)
