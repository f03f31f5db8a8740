"""``python -m benchmarks``: measure, print, and record the results in ``benchmarks/README.md``.

Orchestration only: the parts are :mod:`benchmarks.build`, :mod:`benchmarks.validator` and
:mod:`benchmarks.helpers`, then the hook for :mod:`benchmarks.validation` when it is present;
:mod:`benchmarks.readme` writes the README. A part that breaks is recorded in the notes and the run
goes on: benchmarks report, they never fail (exit status 0; a missed target is marked MISSED).

``python -m benchmarks --quick`` is a smoke run: 1 repetition, the main notebooks only, helpers at 10^4
and 10^5; it writes ``benchmarks/.work/README.md`` so that it never replaces the recorded results.
``python -m benchmarks --helpers N`` is the child process of the helpers benchmark (prints one JSON object).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import subprocess
import sys
import time
import traceback
from collections.abc import Callable

from benchmarks import build, helpers, readme, validator
from benchmarks.common import PY, ROOT, SUBPROCESS_TIMEOUT_S, WORK, Results, Row, env, fmt_s, load_average, machine, show

PARTS = (build, validator, helpers)
#: Developed separately; run when present. Contract: ``run(python: str, workdir: Path) -> list[dict]``, one dict
#: per row with the keys what, measured, compared_with, figure, target, status (and optionally command).
VALIDATION_MODULE = "benchmarks.validation"
VALIDATION_NUMBER = "6"


def run_validation_hook(results: Results) -> list[str]:
    """The hook for :mod:`benchmarks.validation`: append its rows to the table; returns its README paragraph."""
    if importlib.util.find_spec(VALIDATION_MODULE) is None:
        print(f"{VALIDATION_NUMBER}. {VALIDATION_MODULE} is not present: skipped", flush=True)
        results.notes.append("The validator at scale was not measured: `benchmarks/validation.py` is not present.")
        return []
    if results.quick:
        results.notes.append("The validator at scale (`benchmarks/validation.py`) is not run by `--quick`.")
        return []
    print(f"{VALIDATION_NUMBER}. {VALIDATION_MODULE}", flush=True)
    module = importlib.import_module(VALIDATION_MODULE)
    for found in module.run(PY, WORK / "validation"):
        results.rows.append(_validation_row(found))
        if found.get("command"):
            results.commands.append(found["command"])
    summary = (module.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
    return [f"({VALIDATION_NUMBER}) **Validator at scale** (`benchmarks/validation.py`): {summary}"]


def _validation_row(found: dict) -> Row:
    # NOTE: an early draft of the module returns seconds/ok instead of measured/status; either is read.
    measured = found.get("measured") or (fmt_s(found["seconds"]) if "seconds" in found else "n/a")
    verdict = found.get("status") or ({True: "ok", False: "MISSED"}.get(found.get("ok"), "n/a"))
    return Row(
        VALIDATION_NUMBER,
        found.get("what", "n/a"),
        measured,
        found.get("compared_with") or "–",
        found.get("figure", "n/a"),
        found.get("target", "n/a"),
        verdict,
    )


def _guarded(name: str, part: Callable[[Results], list[str] | None], results: Results) -> list[str]:
    """Run one part; an error is printed and noted, and the run goes on."""
    try:
        return part(results) or []
    except Exception:  # a benchmark reports, it never fails
        last = traceback.format_exc().strip().splitlines()[-1]
        print(f"error in {name}: {last}", file=sys.stderr)
        results.notes.append(f"`{name}` stopped with an error: `{last}`.")
        return []


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description="Measure and record in benchmarks/README.md.")
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: 1 repetition, main notebooks only, helpers at 10^4 and 10^5"
    )
    parser.add_argument(
        "--helpers", type=int, metavar="N", help="(the helpers benchmark's child process) time the helpers at N rows"
    )
    args = parser.parse_args(argv)
    if args.helpers:
        print(json.dumps(helpers.child(args.helpers)))
        return 0

    started = time.perf_counter()
    load = load_average()
    results = Results(quick=args.quick, start_load=load[0] if load else 0.0)
    described = machine(argv, load)
    print(f"benchmarks: {described['date']}; {described['nproc']} cores; Python {described['python']}; {described['platform']}")
    if results.quick:
        results.notes.append(
            "A `--quick` smoke run: 1 repetition of everything, the main notebooks only, helpers at 10^4 and 10^5."
        )
    WORK.mkdir(parents=True, exist_ok=True)
    # Warm the disk cache for the heavy imports, untimed, so the first measured run is not the only cold one.
    subprocess.run([PY, "-c", "import nbconvert, nbclient, ipykernel, pandas, matplotlib, seaborn, lifelines, geopandas"],
                   cwd=ROOT, env=env(), capture_output=True, timeout=SUBPROCESS_TIMEOUT_S)  # fmt: skip

    methods: list[str] = []
    for part in PARTS:
        methods += part.method(results)
        _guarded(part.__name__, part.run, results)
    methods += _guarded(VALIDATION_MODULE, run_validation_hook, results)

    total = time.perf_counter() - started
    path = WORK / "README.md" if results.quick else readme.README
    try:
        readme.write(path, results, methods, described, total)
        print(f"results written to {show(path)} ({total:.0f} s in all)")
    except OSError as exc:
        print(f"could not write {show(path)}: {exc}", file=sys.stderr)
    missed = [r for r in results.rows if r.status.startswith("MISSED")]
    print(f"{len(missed)} target(s) MISSED" if missed else "all targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
