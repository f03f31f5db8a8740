"""Plain words for reports: labels for codes and columns, dates at their precision, plurals, name lists.

One place decides how the reports say a thing, so every page says it the same way.

>>> format_date("2024-01-01", "month"), format_date("2024-01-12"), format_date("2025-01-01", "year")
('Jan 2024', '12 Jan 2024', '2025')
>>> plural(0, "round"), plural(1, "round"), plural(3, "country", "countries")
('no rounds', '1 round', '3 countries')
>>> join_names(["Sweden", "Austria", "Norway"])
'Austria, Norway and Sweden'
"""

from __future__ import annotations

import datetime as dt
import functools
import math

from analysis import precisions

STAGE_LABELS = {
    "signed": "Signed an agreement",
    "negotiating": "Negotiating",
    "joined": "Joined the declaration only",
}

#: How a legend or table names each bloc group of the G7 declaration's parties (composition_by_bloc).
GROUP_LABELS = {"organisation": "The EU itself", "other": "Neither G7, EU nor NATO"}

#: The funnel's stages (negotiations.FUNNEL_STAGES), cumulative.
FUNNEL_LABELS = {"joined": "Joined the declaration", "negotiating": "Negotiated (signers included)", "signed": "Signed an agreement"}

CLAIM_KIND_LABELS = {
    "declaration_joiners": "countries that joined the G7 declaration",
    "declaration_participants": "participants in the G7 declaration",
    "agreements_signed": "bilateral agreements signed",
    "partners_negotiating": "partners negotiating",
    "coalition_participants": "countries in the Coalition of the Willing",
    "declaration_endorsers": "endorsers of the Paris Declaration",
}

#: ISO 639-1 codes of the sources' languages, in English.
LANGUAGES = {"en": "English", "uk": "Ukrainian", "ru": "Russian", "fr": "French", "pt": "Portuguese", "de": "German", "bg": "Bulgarian",
             "hr": "Croatian", "it": "Italian", "es": "Spanish", "nl": "Dutch", "pl": "Polish", "sr": "Serbian", "el": "Greek",
             "lv": "Latvian", "no": "Norwegian", "nb": "Norwegian", "sv": "Swedish", "fi": "Finnish", "lt": "Lithuanian", "ro": "Romanian",
             "cs": "Czech", "sl": "Slovenian", "is": "Icelandic", "ja": "Japanese", "da": "Danish", "et": "Estonian", "mk": "Macedonian",
             "tr": "Turkish", "ar": "Arabic", "sq": "Albanian", "hu": "Hungarian", "sk": "Slovak", "az": "Azerbaijani", "ka": "Georgian",
             "ko": "Korean", "zh": "Chinese", "he": "Hebrew", "bs": "Bosnian", "me": "Montenegrin", "ga": "Irish", "lb": "Luxembourgish",
             "mt": "Maltese"}  # fmt: skip

def _as_date(value) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, str):
        if not value.strip():
            return None
        return dt.date.fromisoformat(value.strip()[:10])
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp (NaT has no year)
        if value != value:
            return None
        return value.to_pydatetime().date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None


def format_date(value, precision: str | None = None, displays=None) -> str:
    """A date as a reader writes it, at the precision the source gives: ``12 Jan 2024``, ``Jan 2024``, ``2024``, as
    the precision's ``display`` in ``data/date_precisions.csv`` says (:func:`analysis.precisions.format_at`; pass
    ``displays``, :func:`analysis.precisions.displays`, when showing many dates).

    Missing dates are a dash; with no precision (or one the vocabulary does not list) the whole date shows.

    >>> format_date(None), format_date("2023-07-12"), format_date("2023-07-12", None)
    ('–', '12 Jul 2023', '12 Jul 2023')
    """
    day = _as_date(value)
    if day is None:
        return "–"
    return precisions.format_at(day, precision, displays)


_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                "November", "December")


def long_date(value) -> str:
    """A date with its month in full, for sentences: ``28 November 2026``.

    >>> long_date("2026-11-28"), long_date(None)
    ('28 November 2026', '–')
    """
    day = _as_date(value)
    return "–" if day is None else f"{day.day} {_MONTH_NAMES[day.month - 1]} {day.year}"


def iso(value) -> str:
    """``YYYY-MM-DD`` for sorting, or an empty string.

    >>> iso("2024-01-12"), iso(None)
    ('2024-01-12', '')
    """
    day = _as_date(value)
    return day.isoformat() if day else ""


def plural(n: int, singular: str, plural_form: str | None = None, zero: str = "no") -> str:
    """``n`` with the right form of the noun; zero reads as ``no rounds`` (or ``zero`` given).

    >>> plural(2, "day"), plural(0, "agreement", zero="0")
    ('2 days', '0 agreements')
    """
    n = int(n)
    word = singular if n == 1 else (plural_form or singular + "s")
    return f"{zero if n == 0 else f'{n:,}'} {word}"


def days(n) -> str:
    """A whole number of days: ``436 days`` (never ``436.0``).

    >>> days(436.0), days(1)
    ('436 days', '1 day')
    """
    return plural(round(float(n)), "day", zero="0")


def join_names(names, conjunction: str = "and") -> str:
    """Names sorted alphabetically and joined as prose.

    >>> join_names(["B"]), join_names([]), join_names(["b", "a"], "or")
    ('B', '', 'a or b')
    """
    items = sorted({str(n) for n in names}, key=str.casefold)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def share(part: int, whole: int) -> str:
    """``15 of 30 (50%)``: the count first, so the percentage never stands alone.

    >>> share(15, 30), share(0, 0)
    ('15 of 30 (50%)', '0 of 0')
    """
    if not whole:
        return f"{part} of {whole}"
    return f"{part} of {whole} ({part / whole:.0%})"


#: Names that take "the" in a sentence.
_WITH_THE = ("United ", "European ", "Netherlands", "Czech Republic", "Philippines")


def with_article(name: str) -> str:
    """A party's name as it stands in a sentence: ``the United States``, ``Japan``.

    >>> with_article("United States"), with_article("Japan"), with_article("Netherlands")
    ('the United States', 'Japan', 'the Netherlands')
    """
    return f"the {name}" if str(name).startswith(_WITH_THE) else str(name)


def credit_line(version: str | None = None) -> str:
    """The credit under every chart: ``Data: Ukraine's security guarantees, release 1.1.0``.

    >>> credit_line("1.1.0")
    "Data: Ukraine's security guarantees, release 1.1.0"
    """
    if version is None:
        from analysis.load import data_version

        version = data_version()["version"]
    return f"Data: Ukraine's security guarantees, release {version}"


#: Column names as a reader says them, where "replace the underscores" is not enough.
FIELD_LABELS = {"joined_date": "date joined", "signed_date": "date signed", "event_date": "date of the step",
                "meeting_date": "date of the meeting", "parties_reported": "participants reported", "claimed_count": "count claimed"}  # fmt: skip


def field_label(column: str) -> str:
    """A column name in plain words.

    >>> field_label("joined_date"), field_label("place")
    ('date joined', 'place')
    """
    return FIELD_LABELS.get(column, str(column).replace("_", " "))


def language_name(code) -> str:
    """The English name of a source's language code; an unknown code is shown as itself, never dropped.

    >>> language_name("uk"), language_name("xx"), language_name(None)
    ('Ukrainian', 'xx', '–')
    """
    if not isinstance(code, str) or not code:
        return "–"
    return LANGUAGES.get(code, code)


MILESTONE_KINDS = {"nato_summit": "NATO summit", "g7_summit": "G7 summit", "eu_council": "European Council",
                   "conference": "Conference"}  # fmt: skip


def milestone_kind(kind: str) -> str:
    """The plain label of a milestone kind.

    >>> milestone_kind("eu_council"), milestone_kind("new_kind")
    ('European Council', 'New kind')
    """
    return MILESTONE_KINDS.get(kind, str(kind).replace("_", " ").capitalize())


#: The vocabularies kept as tables of their own in ``data/``: each table and its code column. Each row has the code,
#: its ``position`` (the order), its ``label`` in the reports and a ``description`` (its meaning).
VOCABULARIES = {"event_types": "event_type", "signatory_roles": "role", "participant_roles": "role", "date_precisions": "precision",
                "verdicts": "verdict"}  # fmt: skip


def vocabulary(name: str) -> list[dict]:
    """One vocabulary's rows (``data/<name>.csv``, from the data folder in use), in their order: one dict per value
    with its code column, ``position``, ``label``, ``description`` (and any other column of the table).

    >>> [(v["role"], v["label"]) for v in vocabulary("participant_roles")]
    [('host', 'Host'), ('co_chair', 'Co-chair'), ('took_part', 'Took part')]
    """
    from analysis.load import _fingerprint  # only the loaders open CSVs
    from analysis.schema import resolve_data_dir

    data_dir = resolve_data_dir()
    return _vocabulary(name, data_dir, _fingerprint(data_dir))


@functools.lru_cache(maxsize=16)
def _vocabulary(name: str, data_dir, fingerprint: tuple) -> list[dict]:
    from analysis.load import load_table

    frame = load_table(name, data_dir).sort_values(["position", VOCABULARIES[name]])
    return [{k: (None if v != v else v) for k, v in row.items()} for row in frame.to_dict("records")]


def vocabulary_labels(name: str) -> dict[str, str]:
    """``{code: label}`` of one vocabulary, in its order.

    >>> vocabulary_labels("date_precisions")
    {'day': 'To the day', 'month': 'To the month', 'year': 'To the year'}
    """
    return {v[VOCABULARIES[name]]: v["label"] for v in vocabulary(name)}


def vocabulary_label(name: str, code) -> str:
    """The label of ``code`` in one vocabulary; a code it does not list reads as words, never dropped.

    >>> vocabulary_label("signatory_roles", "acceded"), vocabulary_label("participant_roles", "guest_of_honour")
    ('Joined later', 'Guest of honour')
    """
    if not isinstance(code, str) or not code:
        return "–"
    return vocabulary_labels(name).get(code) or code.replace("_", " ").capitalize()


def role_label(role, table: str = "meeting_participants") -> str:
    """A party's role in plain words: at a meeting (``participant_roles.csv``) or, with ``table="signatories"``, on a
    declaration (``signatory_roles.csv``).

    >>> role_label("co_chair"), role_label("original", "signatories")
    ('Co-chair', 'Made it at adoption')
    """
    return vocabulary_label("signatory_roles" if table == "signatories" else "participant_roles", role)


def event_types() -> list[dict]:
    """The vocabulary of steps (``data/event_types.csv``, from the data folder in use), in their order: one dict per
    type with ``event_type``, ``position``, ``label``, ``group`` and ``description``.

    >>> [t["event_type"] for t in event_types()][:3]
    ['reported_negotiating', 'negotiations_opened', 'negotiation_round']
    """
    return vocabulary("event_types")


def step_order() -> dict[str, int]:
    """The order of steps on one day: ``{event_type: position}``.

    >>> step_order()["negotiations_opened"] < step_order()["signed"] < step_order()["ratified"]
    True
    """
    return {t["event_type"]: int(t["position"]) for t in event_types()}


def event_label(event_type: str) -> str:
    """The plain label of an event type (``data/event_types.csv``); a code it does not list reads as words.

    >>> event_label("text_agreed"), event_label("something_new")
    ('Text agreed', 'Something new')
    """
    found = {t["event_type"]: t["label"] for t in event_types()}
    return found.get(event_type) or str(event_type).replace("_", " ").capitalize()


def event_group(event_type: str) -> str | None:
    """The group of an event type (``data/event_types.csv``): what the rules and the plot styles know of it.

    >>> event_group("ratified"), event_group("something_new")
    ('ratification', None)
    """
    return {t["event_type"]: t["group"] for t in event_types()}.get(event_type)
