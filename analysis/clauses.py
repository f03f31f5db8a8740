"""The clause matrix: what each agreement promises, coded from its text (``clauses``) against the codebook
(``clause_dimensions``, ``clause_values``), and how far two independent coders agreed (``clause_checks``).

Pure functions on DataFrames; inputs are never modified. ``not_stated`` is a finding (the text does not
say it); an agreement and dimension with no row is *not coded*, shown as missing.

>>> dims = pd.DataFrame({"dimension_id": ["air", "nato"], "position": [2, 1], "label": ["Air defence", "NATO"],
...                      "scale": ["nominal", "ordinal"]})
>>> vals = pd.DataFrame({"dimension_id": ["air", "air", "nato", "nato", "nato"],
...                      "value": ["not_stated", "named", "not_stated", "aspiration", "irreversible_path"],
...                      "rank": [0, 1, 0, 1, 2], "label": ["Not named", "Named", "Not mentioned", "Aspiration", "Irreversible"]})
>>> cl = pd.DataFrame({"agreement_id": ["a-1", "a-1", "b-2"], "dimension_id": ["nato", "air", "nato"],
...                    "value": ["irreversible_path", "named", "aspiration"]})
>>> matrix(cl, dims).to_dict("index")["a-1"]
{'nato': 'irreversible_path', 'air': 'named'}
>>> promising(cl, "air", "named")
['a-1']
"""

from __future__ import annotations

from collections import Counter

import pandas as pd

NOT_STATED = "not_stated"


def _ordered_dimensions(dimensions: pd.DataFrame) -> list[str]:
    return dimensions.sort_values("position")["dimension_id"].tolist()


def matrix(clauses: pd.DataFrame, dimensions: pd.DataFrame) -> pd.DataFrame:
    """One row per agreement, one column per dimension (codebook order), the coded value in each cell.

    A cell that was not coded is missing (NA), unlike ``not_stated``.
    """
    wide = clauses.pivot(index="agreement_id", columns="dimension_id", values="value")
    wide = wide.reindex(columns=_ordered_dimensions(dimensions))
    wide.columns.name = None
    return wide.sort_index().astype("string")


def ranks(clauses: pd.DataFrame, values: pd.DataFrame) -> pd.Series:
    """Each coded cell's rank in its dimension (0 = the weakest value of an ordinal dimension)."""
    rank = values.set_index(["dimension_id", "value"])["rank"]
    keys = pd.MultiIndex.from_frame(clauses[["dimension_id", "value"]])
    return pd.Series(rank.reindex(keys).to_numpy(), index=clauses.index, dtype="Int64")


def promising(clauses: pd.DataFrame, dimension_id: str, value: str | None = None, at_least: str | None = None,
              values: pd.DataFrame | None = None) -> list[str]:  # fmt: skip
    """The agreements that promise ``value`` on a dimension, or (ordinal) at least ``at_least``.

    >>> cl = pd.DataFrame({"agreement_id": ["a", "b", "c"], "dimension_id": ["d"] * 3, "value": ["x", "y", "z"]})
    >>> vals = pd.DataFrame({"dimension_id": ["d"] * 3, "value": ["x", "y", "z"], "rank": [0, 1, 2]})
    >>> promising(cl, "d", at_least="y", values=vals)
    ['b', 'c']
    """
    rows = clauses[clauses["dimension_id"] == dimension_id]
    if at_least is not None:
        if values is None:
            raise ValueError("at_least needs the codebook's values (clause_values) for the ranks")
        threshold = values.set_index(["dimension_id", "value"])["rank"].get((dimension_id, at_least))
        if threshold is None:
            raise ValueError(f"{at_least!r} is not a value of {dimension_id!r}")
        rows = rows[ranks(rows, values) >= threshold]
    elif value is not None:
        rows = rows[rows["value"] == value]
    return sorted(rows["agreement_id"].unique().tolist())


def compare(clauses: pd.DataFrame, dimensions: pd.DataFrame, first: str, second: str) -> pd.DataFrame:
    """Two agreements side by side, one row per dimension: each one's value and whether they differ.

    >>> dims = pd.DataFrame({"dimension_id": ["d", "e"], "position": [1, 2], "label": ["D", "E"]})
    >>> cl = pd.DataFrame({"agreement_id": ["a", "b", "a"], "dimension_id": ["d", "d", "e"], "value": ["x", "y", "z"]})
    >>> compare(cl, dims, "a", "b")[["dimension", "a", "b", "same"]].values.tolist()
    [['D', 'x', 'y', False], ['E', 'z', <NA>, False]]
    """
    wide = matrix(clauses, dimensions)
    out = pd.DataFrame({"dimension_id": _ordered_dimensions(dimensions)})
    out["dimension"] = out["dimension_id"].map(dimensions.set_index("dimension_id")["label"])
    for agreement in (first, second):
        column = wide.loc[agreement] if agreement in wide.index else pd.Series(pd.NA, index=wide.columns)
        out[agreement] = out["dimension_id"].map(column).astype("string")
    out["same"] = (out[first] == out[second]).fillna(False).astype(bool)
    return out


def scores(clauses: pd.DataFrame, dimensions: pd.DataFrame, values: pd.DataFrame) -> pd.DataFrame:
    """Per agreement, the sum of its ranks on the ordinal dimensions, out of the most it could score.

    Only dimensions coded for the agreement count; ``coded`` says how many ordinal dimensions that is.

    >>> dims = pd.DataFrame({"dimension_id": ["d", "n"], "position": [1, 2], "label": ["D", "N"], "scale": ["ordinal", "nominal"]})
    >>> vals = pd.DataFrame({"dimension_id": ["d", "d", "d", "n"], "value": ["x", "y", "z", "q"], "rank": [0, 1, 2, 0]})
    >>> cl = pd.DataFrame({"agreement_id": ["a", "a", "b"], "dimension_id": ["d", "n", "d"], "value": ["y", "q", "z"]})
    >>> scores(cl, dims, vals).to_dict("records")
    [{'agreement_id': 'b', 'score': 2, 'out_of': 2, 'coded': 1}, {'agreement_id': 'a', 'score': 1, 'out_of': 2, 'coded': 1}]
    """
    ordinal = set(dimensions.loc[dimensions["scale"] == "ordinal", "dimension_id"])
    rows = clauses[clauses["dimension_id"].isin(ordinal)].copy()
    rows["rank"] = ranks(rows, values)
    top = values[values["dimension_id"].isin(ordinal)].groupby("dimension_id")["rank"].max()
    rows["top"] = rows["dimension_id"].map(top)
    out = rows.groupby("agreement_id").agg(score=("rank", "sum"), out_of=("top", "sum"), coded=("dimension_id", "size")).reset_index()
    out = out.astype({"score": int, "out_of": int, "coded": int})
    return out.sort_values(["score", "agreement_id"], ascending=[False, True]).reset_index(drop=True)


def cohen_kappa(first: list[str], second: list[str]) -> float | None:
    """Cohen's kappa for two coders' values on the same items; None where chance agreement is certain
    (both coders used one and the same value throughout: kappa is undefined, agreement is total).

    >>> cohen_kappa(["a", "a", "b", "b"], ["a", "a", "b", "b"])
    1.0
    >>> cohen_kappa(["a", "b", "a", "b"], ["a", "a", "b", "b"])
    0.0
    >>> cohen_kappa(["a", "a"], ["a", "a"]) is None
    True
    """
    if len(first) != len(second) or not first:
        raise ValueError("two codings of the same, non-empty list of items are needed")
    n = len(first)
    observed = sum(a == b for a, b in zip(first, second)) / n
    ca, cb = Counter(first), Counter(second)
    expected = sum(ca[k] * cb[k] for k in ca.keys() | cb.keys()) / (n * n)
    if expected == 1:
        return None
    return (observed - expected) / (1 - expected)


def agreement_by_dimension(checks: pd.DataFrame, dimensions: pd.DataFrame) -> pd.DataFrame:
    """Per dimension: items coded twice, the share on which the coders agreed, and Cohen's kappa.

    >>> dims = pd.DataFrame({"dimension_id": ["d"], "position": [1], "label": ["D"]})
    >>> ch = pd.DataFrame({"dimension_id": ["d"] * 4, "first_value": list("aabb"), "second_value": list("abab")})
    >>> agreement_by_dimension(ch, dims)[["items", "agreed", "kappa"]].values.tolist()
    [[4, 0.5, 0.0]]
    """
    rows = []
    for dim in _ordered_dimensions(dimensions):
        pairs = checks[checks["dimension_id"] == dim]
        if pairs.empty:
            continue
        first, second = pairs["first_value"].tolist(), pairs["second_value"].tolist()
        rows.append({"dimension_id": dim, "items": len(pairs), "agreed": sum(a == b for a, b in zip(first, second)) / len(pairs),
                     "kappa": cohen_kappa(first, second)})  # fmt: skip
    out = pd.DataFrame(rows, columns=["dimension_id", "items", "agreed", "kappa"])
    out["dimension"] = out["dimension_id"].map(dimensions.set_index("dimension_id")["label"])
    out["kappa"] = out["kappa"].astype("Float64")
    return out[["dimension_id", "dimension", "items", "agreed", "kappa"]]


def kappa_markdown(checks: pd.DataFrame, dimensions: pd.DataFrame) -> str:
    """The agreement table as it stands in data/README.md (a test checks the two agree)."""
    table = agreement_by_dimension(checks, dimensions)
    lines = ["| dimension | items coded twice | agreed | Cohen's kappa |", "|---|---:|---:|---:|"]
    for row in table.to_dict("records"):
        kappa = "– (one value throughout)" if pd.isna(row["kappa"]) else f"{row['kappa']:.2f}"
        lines.append(f"| {row['dimension']} | {row['items']} | {row['agreed']:.0%} | {kappa} |")
    return "\n".join(lines)
