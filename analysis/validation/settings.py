"""The validator's limits and the facts about this project's data that the engine needs (standard library only).

The limits are read when they are used, so a test may change one on the package (``analysis.validation``), which
passes it on to this module.
"""

from __future__ import annotations

#: The longest cell accepted, in characters. Longer values are reported, and the rest of the file is still read.
MAX_CELL = 100_000
#: A physical line longer than this (bytes) is cut short as it is read, and its record reported and skipped.
MAX_LINE_BYTES = 8 * 1024 * 1024
#: Problems shown per file and column; the rest are counted in one line.
PROBLEMS_PER_COLUMN = 20
#: Rows checked at a time (a chunk is checked column by column), and the most bytes a chunk may span.
CHUNK_ROWS = 4096
CHUNK_BYTES = 32 * 1024 * 1024
#: The days a pandas ``datetime64[ns]`` column can hold (the loaders' date type).
FIRST_DATE, LAST_DATE = "1677-09-22", "2262-04-11"
#: The range of the loaders' integer type (pandas ``Int64``).
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
#: Significant digits a float64 keeps for any decimal (a number with more would load as a different value).
FLOAT_DIGITS = 15
#: Column types the validator checks and the loaders convert.
TYPES = ("string", "integer", "number", "date", "boolean")
#: Constraints the validator checks; any other key in ``constraints`` is refused rather than silently ignored.
CONSTRAINTS = ("required", "unique", "enum", "pattern", "minimum", "maximum")
#: Field properties that change how a value is read; the validator and the loaders do not implement them.
UNSUPPORTED_FIELD_KEYS = ("missingValues", "trueValues", "falseValues", "decimalChar", "groupChar", "bareNumber", "floatNumber")
#: The CSV dialect every table is read with (Frictionless names); a descriptor may state it, not change it.
DIALECT = {"delimiter": ",", "quoteChar": '"', "doubleQuote": True, "header": True, "lineTerminator": "\n", "skipInitialSpace": False}

#: The date columns that a row's ``date_precision`` governs, by table: the date is the first day of the precision's
#: unit (a month-precise date is the 1st of its month, a year-precise one 1 January; data/README.md). A table with
#: ``date_precision`` must be listed.
PRECISION_DATES = {
    "memberships": ("joined_date",),
    "signatories": ("joined_date",),
    "agreements": ("signed_date",),
    "events": ("event_date",),
    "claims": ("claim_date",),
    "meetings": ("meeting_date",),
}
#: The vocabulary of date precision: its table, code column and unit column. It is read before every other table, so
#: that each date is checked against the unit of its row's precision (analysis.precisions knows the units).
PRECISION_VOCABULARY = ("date_precisions", "precision", "unit")
#: Columns holding several keys separated by ';', each of which must exist in (table, column).
LIST_FOREIGN_KEYS = {"other_source_ids": ("sources", "source_id")}
#: (parties.party_name is kept: the build names each partner's report from the validator's tables.)
#: Free text: checked cell by cell, then dropped, so that a million descriptions are not held in memory. Every
#: other column is kept for the keys and the cross-table rules; a rule that needs one of these must take it out
#: (claims.claim_text is kept: the gloss rule reads it).
FREE_TEXT_COLUMNS = frozenset(
    {
        "title", "excerpt", "publisher", "place", "label", "description", "note", "ukraine_lead",
        "partner_lead", "partner_signatory", "ukraine_signatory", "claimant", "qualifier",
    }
)
