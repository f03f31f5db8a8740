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

import numpy as np
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


#: Bootstrap settings of the published table: resamples of the agreements, and the seed that makes them repeatable.
RESAMPLES = 2000
SEED = 17


def share_agreed(first: list[str], second: list[str]) -> float:
    """The share of items on which two coders chose the same value.

    >>> share_agreed(["a", "a", "b"], ["a", "b", "b"])
    0.6666666666666666
    """
    if len(first) != len(second) or not first:
        raise ValueError("two codings of the same, non-empty list of items are needed")
    return sum(a == b for a, b in zip(first, second)) / len(first)


def _resampled(first: np.ndarray, second: np.ndarray, draws: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The share agreed and Cohen's kappa (NaN where undefined) of every resample: ``draws`` holds one row of item
    positions per resample."""
    a, b = first[draws], second[draws]
    n = draws.shape[1]
    observed = (a == b).mean(axis=1)
    expected = np.zeros(len(draws))
    for value in np.union1d(first, second):
        expected += (a == value).sum(axis=1) * (b == value).sum(axis=1)
    expected /= n * n
    with np.errstate(divide="ignore", invalid="ignore"):
        kappa = np.where(expected < 1, (observed - expected) / (1 - expected), np.nan)
    return observed, kappa


def _interval(values: np.ndarray, level: float) -> tuple[float, float] | None:
    values = values[~np.isnan(values)]
    if len(values) == 0:
        return None
    tail = (1 - level) / 2
    low, high = np.quantile(values, [tail, 1 - tail])
    return float(low), float(high)


def agreement_by_dimension(checks: pd.DataFrame, dimensions: pd.DataFrame, resamples: int = RESAMPLES, seed: int = SEED,
                           level: float = 0.95) -> pd.DataFrame:  # fmt: skip
    """Per dimension: items coded twice, the share on which the coders agreed and Cohen's kappa, each with a bootstrap
    percentile interval.

    The bootstrap resamples *agreements* with replacement (``resamples`` times, from ``seed``, so the table is the same
    on every run): each resample draws as many agreements as were coded twice and recomputes every dimension on the
    same draw. Kappa's interval is taken over the resamples where kappa is defined (a resample in which both coders
    used one and the same value throughout has none); it is empty where the dimension's own kappa is undefined.

    >>> dims = pd.DataFrame({"dimension_id": ["d"], "position": [1], "label": ["D"]})
    >>> ch = pd.DataFrame({"agreement_id": list("wxyz"), "dimension_id": ["d"] * 4, "first_value": list("aabb"),
    ...                    "second_value": list("abab")})
    >>> agreement_by_dimension(ch, dims)[["items", "agreed", "kappa"]].values.tolist()
    [[4, 0.5, 0.0]]
    """
    agreements = sorted(checks["agreement_id"].unique()) if "agreement_id" in checks else []
    position = {agreement: i for i, agreement in enumerate(agreements)}
    draws = np.random.default_rng(seed).integers(0, max(len(agreements), 1), size=(resamples, len(agreements)))
    rows = []
    for dim in _ordered_dimensions(dimensions):
        pairs = checks[checks["dimension_id"] == dim]
        if pairs.empty:
            continue
        first, second = pairs["first_value"].tolist(), pairs["second_value"].tolist()
        kappa = cohen_kappa(first, second)
        row = {"dimension_id": dim, "items": len(pairs), "agreed": share_agreed(first, second), "kappa": kappa,
               "agreed_low": pd.NA, "agreed_high": pd.NA, "kappa_low": pd.NA, "kappa_high": pd.NA}  # fmt: skip
        if agreements and resamples:
            # every agreement coded twice on this dimension: positions of its rows in the shared draw
            rows_of = np.array([position[a] for a in pairs["agreement_id"]])
            if len(set(rows_of)) == len(agreements):
                order = np.argsort(rows_of)
                share, kappas = _resampled(np.array(first)[order], np.array(second)[order], draws)
            else:  # not every agreement was coded on it: resample its own items
                local = np.random.default_rng(seed).integers(0, len(pairs), size=(resamples, len(pairs)))
                share, kappas = _resampled(np.array(first), np.array(second), local)
            row["agreed_low"], row["agreed_high"] = _interval(share, level)
            if kappa is not None and (bounds := _interval(kappas, level)) is not None:
                row["kappa_low"], row["kappa_high"] = bounds
        rows.append(row)
    columns = ["dimension_id", "items", "agreed", "agreed_low", "agreed_high", "kappa", "kappa_low", "kappa_high"]
    out = pd.DataFrame(rows, columns=columns)
    for column in columns[2:]:
        out[column] = out[column].astype("Float64")
    out["dimension"] = out["dimension_id"].map(dimensions.set_index("dimension_id")["label"])
    return out[["dimension_id", "dimension", *columns[1:]]]


def kappa_markdown(checks: pd.DataFrame, dimensions: pd.DataFrame, resamples: int = RESAMPLES, seed: int = SEED) -> str:
    """The agreement table as it stands in data/README.md (a test checks the two agree): per dimension, the share
    agreed and Cohen's kappa with their 95 % bootstrap intervals; where kappa is undefined the share agreed stands."""
    table = agreement_by_dimension(checks, dimensions, resamples=resamples, seed=seed)
    agreements = checks["agreement_id"].nunique() if "agreement_id" in checks else 0
    lines = [
        "| dimension | items coded twice | agreed | agreed, 95 % interval | Cohen's kappa | kappa, 95 % interval |",
        "|---|---:|---:|---:|---:|---:|",
    ]

    def span(low, high, percent: bool) -> str:
        if pd.isna(low):
            return "–"
        return f"{low:.0%}–{high:.0%}" if percent else f"{low:.2f} to {high:.2f}"

    for row in table.to_dict("records"):
        if pd.isna(row["kappa"]):
            kappa = "– (one value throughout)"
        else:
            kappa = f"{row['kappa']:.2f}"
        agreed = span(row["agreed_low"], row["agreed_high"], True)
        kappa_span = span(row["kappa_low"], row["kappa_high"], False)
        lines.append(f"| {row['dimension']} | {row['items']} | {row['agreed']:.0%} | {agreed} | {kappa} | {kappa_span} |")
    lines.append("")
    lines.append(f"Bootstrap: {resamples:,} resamples of the {agreements} agreements coded twice (seed {seed}), "
                 "95 % percentile intervals; kappa's interval over the resamples where it is defined.")  # fmt: skip
    return "\n".join(lines)


# --------------------------------------------------------------------------- the heatmap's cells and alt text


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
