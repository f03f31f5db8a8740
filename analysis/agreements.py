"""The agreements side by side: which publication of each text was read.

Pure functions on the ``agreements`` table. What each agreement pledges, in euros and per year, is in
``analysis.commitments`` (``format_amount`` is re-exported here for older imports).
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


#: The classes a clause-matrix cell falls in, weakest last, with their names in words (the heatmap's legend).
CLAUSE_CLASSES = {
    "strongest": "The strongest value the codebook allows",
    "weaker": "A weaker value",
    "not_stated": "Not stated in the text",
    "not_coded": "Not coded (no text read)",
}


def clause_classes(clauses: pd.DataFrame, values: pd.DataFrame, dimension_ids: list[str], agreement_ids: list[str]) -> pd.DataFrame:
    """The class (``CLAUSE_CLASSES``) of every cell of the clause matrix: ``strongest`` where the value has the
    dimension's highest rank, ``not_stated`` where its rank is 0, ``weaker`` in between, ``not_coded`` where the
    agreement has no row for the dimension. Rows are ``agreement_ids`` in that order, columns ``dimension_ids``.

    >>> cl = pd.DataFrame({"agreement_id": ["a", "a", "b"], "dimension_id": ["x", "y", "x"], "value": ["top", "no", "mid"]})
    >>> va = pd.DataFrame({"dimension_id": ["x", "x", "x", "y", "y"], "value": ["no", "mid", "top", "no", "yes"],
    ...     "rank": [0, 1, 2, 0, 1]})
    >>> clause_classes(cl, va, ["x", "y"], ["b", "a"]).values.tolist()
    [['weaker', 'not_coded'], ['strongest', 'not_stated']]
    """
    rank = values.set_index(["dimension_id", "value"])["rank"]
    top = values.groupby("dimension_id")["rank"].max()
    coded = clauses[clauses["dimension_id"].isin(dimension_ids)]
    classes = []
    for d, v in zip(coded["dimension_id"], coded["value"], strict=True):
        r = int(rank[(d, v)])
        classes.append("strongest" if r == int(top[d]) else "not_stated" if r == 0 else "weaker")
    table = coded.assign(cls=classes).pivot(index="agreement_id", columns="dimension_id", values="cls")
    table = table.reindex(index=list(agreement_ids), columns=list(dimension_ids)).fillna("not_coded")
    table.index.name, table.columns.name = None, None
    return table.astype(object)


def uniform_dimensions(clauses: pd.DataFrame, dimension_ids: list[str]) -> pd.DataFrame:
    """The dimensions on which every coded agreement has the same value, in ``dimension_ids`` order: columns
    ``dimension_id``, ``value`` and ``agreements`` (how many coded it). A chart shows the others, where the
    agreements differ.

    >>> cl = pd.DataFrame({"agreement_id": ["a", "b", "a", "b"], "dimension_id": ["x", "x", "y", "y"],
    ...     "value": ["named", "named", "named", "not_stated"]})
    >>> uniform_dimensions(cl, ["y", "x"]).values.tolist()
    [['x', 'named', 2]]
    """
    rows = []
    for d in dimension_ids:
        seen = clauses.loc[clauses["dimension_id"] == d, "value"]
        if len(seen) and seen.nunique() == 1:
            rows.append({"dimension_id": d, "value": seen.iloc[0], "agreements": len(seen)})
    return pd.DataFrame(rows, columns=["dimension_id", "value", "agreements"])


def heatmap_summary(classes: pd.DataFrame, same: pd.DataFrame) -> str:
    """Alt text for the clause heatmap: its size, the count of each class, and how many dimensions are set apart.

    >>> c = pd.DataFrame({"X": ["strongest", "weaker"], "Y": ["not_stated", "strongest"]}, index=["A", "B"])
    >>> heatmap_summary(c, pd.DataFrame({"dimension_id": ["z"]}))
    'Grid of 2 agreements (rows, by score) by 2 dimensions (columns) where they differ: 2 cells with the strongest value, 1 with a weaker value, 1 not stated. 1 dimension on which every agreement says the same is listed under the chart.'
    """
    counts = pd.Series(classes.to_numpy().ravel()).value_counts()
    words = {"strongest": "with the strongest value", "weaker": "with a weaker value", "not_stated": "not stated", "not_coded": "not coded"}
    parts = [f"{int(counts[k])} {'cells ' if i == 0 else ''}{w}" for i, (k, w) in enumerate((k, w) for k, w in words.items() if k in counts)]
    n_same = len(same)
    return (f"Grid of {len(classes)} agreements (rows, by score) by {classes.shape[1]} dimensions (columns) where they differ: "
            f"{', '.join(parts)}. {n_same} dimension{' on which' if n_same == 1 else 's on which'} every agreement says the same "
            f"{'is' if n_same == 1 else 'are'} listed under the chart.")  # fmt: skip
