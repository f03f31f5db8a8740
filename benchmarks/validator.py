"""The validator on the shipped data: ``python -m analysis validate`` against ``python -c "import pandas"``.

(The validator at scale, on generated data, is :mod:`benchmarks.validation`, run by the hook in ``__main__``.)
"""

from __future__ import annotations

from benchmarks.common import PY, Bench, Results, Row, fmt_s, interleave, ratio, status

TARGET_RATIO = 1.5


def method(results: Results) -> list[str]:
    """How this module measures, for the README."""
    return ['(4) **Validator**: `python -m analysis validate` against `python -c "import pandas"`.']


def run(results: Results) -> None:
    """Measure; append the row and the commands to ``results``."""
    validate = Bench("analysis validate", [PY, "-m", "analysis", "validate"])
    pandas = Bench("import pandas", [PY, "-c", "import pandas"])
    reps = results.reps_cheap
    print(f"4. validate vs import pandas, {reps} run(s) each", flush=True)
    interleave([validate, pandas], reps)
    r = ratio(validate.median, pandas.median)
    ok = None if r is None or validate.errors else r <= TARGET_RATIO
    results.rows.append(
        Row(
            "4",
            "`python -m analysis validate`",
            validate.runs,
            f'`python -c "import pandas"`: {fmt_s(pandas.median)}',
            f"ratio **{r:.2f}**" if r is not None else "n/a",
            f"≤ {TARGET_RATIO}",
            status(ok, validate.errors),
        )
    )
    print(f"   ratio validate/import pandas = {r and round(r, 2)} (target ≤ {TARGET_RATIO}) {status(ok)}")
    results.commands += [validate.command, pandas.command]
