"""The agreements side by side: which publication of each text was read.

Pure functions on the ``agreements`` table. What each agreement pledges, in euros and per year, is in
``analysis.commitments`` (``format_amount`` is re-exported here for older imports); the clause matrix and its
heatmap's helpers are in ``analysis.clauses``.
"""

from __future__ import annotations

import pandas as pd

from analysis.commitments import format_amount

__all__ = ["format_amount", "text_sources"]


def text_sources(agreements: pd.DataFrame, clauses: pd.DataFrame) -> pd.Series:
    """Per agreement, the source that publishes its text: the one the clause matrix was coded from, else the
    agreement's own source (a report of the signing).

    >>> agr = pd.DataFrame({"agreement_id": ["a-2024", "b-2024"], "source_id": ["s-a", "s-b"]})
    >>> cl = pd.DataFrame({"agreement_id": ["a-2024", "a-2024"], "source_id": ["text-a", "text-a"]})
    >>> text_sources(agr, cl).to_dict()
    {'a-2024': 'text-a', 'b-2024': 's-b'}
    """
    coded = clauses.groupby("agreement_id")["source_id"].agg(lambda s: s.mode().iloc[0])
    own = agreements.set_index("agreement_id")["source_id"]
    return coded.reindex(own.index).fillna(own).astype("string")
