"""The build: clean builds with each executor against a sequential nbconvert, and the no-op rebuild.

1. Main notebooks (``notebooks/[0-9][0-9]_*.ipynb``): ``python -m analysis build --force --executor kernel|warm
   <names>`` against a sequential ``jupyter nbconvert --to html --execute`` of the same notebooks.
2. All reports (``python -m analysis build --force``, no names: the main notebooks and one partner profile per
   partner): the kernel and the warm build against the same nbconvert of the main notebooks plus one nbconvert of
   ``partner_profile.ipynb`` per profile. nbconvert cannot inject the partner parameter, so the profile is timed
   once per repetition (with its default partner) and its median multiplied by the number of profiles the build wrote.
3. No-op: the build again, without ``--force``, into the folder the warm build left; it must say "up to date".
3b. One edited row: a copy of ``data/`` with one row of ``claims.csv`` changed before each run; the build into a folder
   built from that copy (it must rebuild only the reports that read ``claims.csv``) against a clean ``--force`` build
   of every report from the same copy, interleaved. ``python -m benchmarks.build`` runs this part alone.

All the clean builds and nbconverts of 1 and 2 run interleaved in one loop, each into a fresh folder in
``benchmarks/.work/``, so that noise on the machine hits every side alike.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from benchmarks.common import (
    NOTEBOOKS,
    PY,
    ROOT,
    WORK,
    Bench,
    Results,
    Row,
    fmt_s,
    fresh,
    interleave,
    last_line,
    ratio,
    show,
    status,
)

TARGET_MAIN_WARM_RATIO = 0.30
TARGET_ALL_WARM_RATIO = 0.15
TARGET_NOOP_S = 0.3
TARGET_INCREMENTAL_RATIO = 0.20
EDITED_TABLE = "claims.csv"
PROFILE_NOTEBOOK = "partner_profile.ipynb"
PROFILE_DIR = "partners"  # where the build writes the profiles, inside its output folder


def method(results: Results) -> list[str]:
    """How this module measures, for the README: one paragraph per part, numbered as in the results table."""
    main = (
        "(1) **Main notebooks**: `python -m analysis build --force --executor kernel <names>` (one Jupyter kernel per "
        "report) and `--executor warm` (one process imports the heavy libraries once, then forks a child per report), "
        "both with jobs = cores, against a sequential `jupyter nbconvert --to html --execute` of the same "
        "`notebooks/[0-9][0-9]_*.ipynb`. Every command runs into its own empty folder in `benchmarks/.work/`."
    )
    every = (
        "(2) **All reports**: `python -m analysis build --force` with no names (the main notebooks and one partner "
        f"profile per partner from `notebooks/{PROFILE_NOTEBOOK}`), with each executor, against the same sequential "
        f"nbconvert of the main notebooks plus one nbconvert of `{PROFILE_NOTEBOOK}` per profile (estimated: see the notes)."
    )
    noop = (
        "(3) **No-op rebuild**: the warm build again without `--force` into the folder it left (it must print "
        "“up to date”; a run that rebuilt because an input changed meanwhile is discarded and repeated): its wall time, "
        "and its ratio to `python -c pass`."
    )
    edit = (
        f"(3b) **One edited row**: a copy of `data/` in `benchmarks/.work/`; before each run one row of `{EDITED_TABLE}` "
        "changes (its note, alternately with and without a suffix). `python -m analysis build --data-dir COPY` into a "
        "folder built from the copy, against `python -m analysis build --force --data-dir COPY` into an emptied folder, "
        "interleaved. The first must rebuild exactly the reports whose recorded reads include the table, no other."
    )
    return [main, noop] if results.quick else [main, every, noop, edit]


# --------------------------------------------------------------------------- the commands


def _build_bench(label: str, out: Path, names: list[str], executor: str | None, force: bool = True) -> Bench:
    """``python -m analysis build`` into ``out``; with ``force``, into an emptied folder each time."""

    def check(proc: subprocess.CompletedProcess) -> str | None:
        if proc.returncode != 0 or "report(s) built, 0 failed" not in proc.stdout:
            return f"build failed (exit {proc.returncode}): {last_line(proc)}"
        return None

    cmd = [PY, "-m", "analysis", "build", *(["--force"] if force else []), "--out", show(out)]
    cmd += ["--executor", executor] if executor else []
    return Bench(label, cmd + names, prepare=fresh(out) if force else None, check=check if force else None)


def _nbconvert_bench(label: str, notebooks: list[str], out: Path) -> Bench:
    """A sequential ``jupyter nbconvert --to html --execute`` of ``notebooks``, run from notebooks/."""

    def check(proc: subprocess.CompletedProcess) -> str | None:
        missing = [n for n in notebooks if not (out / n.replace(".ipynb", ".html")).exists()]
        if proc.returncode != 0 or missing:
            return f"nbconvert failed (exit {proc.returncode}; missing {', '.join(missing) or 'nothing'}): {last_line(proc)}"
        return None

    cmd = [PY, "-m", "jupyter", "nbconvert", "--to", "html", "--execute", "--output-dir", os.path.relpath(out, NOTEBOOKS)]
    return Bench(label, cmd + notebooks, cwd=NOTEBOOKS, prepare=fresh(out), check=check)


def _said(bench: Bench) -> str:
    """The line in which the build said what it builds and how (``building 6 of 6 report(s) … (warm start)``)."""
    return next((line for line in bench.last_stdout.splitlines() if line.startswith("building ")), "nothing")


def _default_partner() -> str:
    """The partner ``partner_profile.ipynb`` runs with when nothing injects one (its parameters cell)."""
    try:
        nb = json.loads((NOTEBOOKS / PROFILE_NOTEBOOK).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "?"
    for cell in nb.get("cells", []):
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            found = re.search(r"party_id\s*=\s*[\"'](\w+)[\"']", "".join(cell.get("source", [])))
            if found:
                return found.group(1)
    return "?"


# --------------------------------------------------------------------------- the rows


def _compare(number: str, what: str, build: Bench, compared: str, baseline: float | None, baseline_errors: list[str],
             target: float | None) -> tuple[Row, bool | None]:  # fmt: skip
    """A row for ``build`` against ``baseline`` seconds; with no ``target`` the ratio is reported only."""
    r = ratio(build.median, baseline)
    errors = build.errors + baseline_errors
    ok = None if r is None or errors or target is None else r <= target
    row = Row(
        number,
        what,
        build.runs,
        compared,
        f"ratio **{r:.2f}**" if r is not None else "n/a",
        f"≤ {target:.2f}" if target is not None else "none (reported)",
        status(ok, errors) if target is not None else "reported" + (f" (error: {'; '.join(errors)})" if errors else ""),
    )
    print(f"   {build.label}: {fmt_s(build.median)}, ratio {r if r is None else round(r, 2)}"
          + (f" (target ≤ {target}) {status(ok)}" if target is not None else ""))  # fmt: skip
    return row, ok


def run(results: Results) -> None:
    """Measure the clean builds and the no-op; append rows, notes and commands to ``results``."""
    main = sorted(p.name for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    names = [n.removesuffix(".ipynb") for n in main]
    nbconvert_main = _nbconvert_bench("nbconvert, main notebooks", main, WORK / "nbconvert-main")
    kernel_main = _build_bench("build --executor kernel, main", WORK / "kernel-main", names, "kernel")
    warm_main = _build_bench("build --executor warm, main", WORK / "warm-main", names, "warm")
    benches = [nbconvert_main, kernel_main, warm_main]
    if not results.quick:
        nbconvert_profile = _nbconvert_bench(f"nbconvert, {PROFILE_NOTEBOOK}", [PROFILE_NOTEBOOK], WORK / "nbconvert-profile")
        kernel_all = _build_bench("build --executor kernel, all reports", WORK / "kernel-all", [], "kernel")
        warm_all = _build_bench("build --executor warm, all reports", WORK / "warm-all", [], "warm")
        benches += [nbconvert_profile, kernel_all, warm_all]
    reps = results.reps_build
    print(f"1. clean builds against sequential nbconvert, {len(benches)} commands interleaved, {reps} run(s) each", flush=True)
    interleave(benches, reps)
    results.commands += [b.command for b in benches]

    cores = os.cpu_count() or 1
    compared = f"sequential nbconvert: {nbconvert_main.runs}"
    missed = False
    for bench, target in ((kernel_main, None), (warm_main, TARGET_MAIN_WARM_RATIO)):
        executor = bench.cmd[bench.cmd.index("--executor") + 1]
        what = f"Clean build of the {len(main)} main reports, {executor} executor (jobs = {cores} cores)"
        row, ok = _compare("1", what, bench, compared, nbconvert_main.median, nbconvert_main.errors, target)
        results.rows.append(row)
        missed |= ok is False
    said = [f"{b.label}: “{_said(b)}”" for b in benches if b.cmd[1:4] == ["-m", "analysis", "build"]]
    results.notes.append(f"Clean builds: the build said, on its last run, {'; '.join(said)}.")

    noop_out, noop_names = WORK / "warm-main", names
    if not results.quick:
        missed |= _all_reports(results, len(main), nbconvert_main, nbconvert_profile, kernel_all, warm_all)
        noop_out, noop_names = WORK / "warm-all", []
    if missed:
        results.notes.append(
            f"Build ratios: with {cores} core(s) at most {cores} report(s) run at once, so parallelism alone gives about "
            f"1/{cores} = {1 / cores:.2f}; anything below that has to come from starting no kernel per report and importing "
            "the libraries once for all of them, and the longest report sets a floor."
        )
        if results.start_load > 0.5:
            results.notes.append(
                f"Build ratios: the 1-minute load average was {results.start_load:.2f} on {cores} core(s) when the run "
                "started; other processes competing for the cores slow a parallel build (which wants every core) more "
                "than the sequential nbconvert (which needs one)."
            )
    _noop(results, noop_out, noop_names)
    if not results.quick:
        incremental(results)


def _all_reports(results: Results, n_main: int, nbconvert_main: Bench, nbconvert_profile: Bench, kernel_all: Bench,
                 warm_all: Bench) -> bool:  # fmt: skip
    """Rows for the builds of every report against the estimated nbconvert; returns whether the target was missed."""
    counts = {
        "kernel": len(list((WORK / "kernel-all" / PROFILE_DIR).glob("*.html"))),
        "warm": len(list((WORK / "warm-all" / PROFILE_DIR).glob("*.html"))),
    }
    profiles = counts["warm"] or counts["kernel"]
    if counts["warm"] != counts["kernel"]:
        results.notes.append(
            f"All reports: the kernel build wrote {counts['kernel']} profile(s) and the warm build {counts['warm']}; "
            f"the baseline counts {profiles}."
        )
    baseline = None
    if nbconvert_main.median is not None and nbconvert_profile.median is not None and profiles:
        baseline = nbconvert_main.median + profiles * nbconvert_profile.median
    compared = (
        f"sequential nbconvert, estimated: {n_main} main notebooks {fmt_s(nbconvert_main.median)} + {profiles} × "
        f"{PROFILE_NOTEBOOK} {nbconvert_profile.runs} = {fmt_s(baseline)}"
    )
    errors = nbconvert_main.errors + nbconvert_profile.errors + ([] if profiles else ["the build wrote no profile"])
    missed = False
    for bench, target in ((kernel_all, None), (warm_all, TARGET_ALL_WARM_RATIO)):
        executor = bench.cmd[bench.cmd.index("--executor") + 1]
        what = (
            f"Clean build of all {n_main + profiles} reports ({n_main} main + {profiles} partner profiles), {executor} executor"
        )
        row, ok = _compare("2", what, bench, compared, baseline, errors, target)
        results.rows.append(row)
        missed |= ok is False
    results.notes.append(
        f"All reports: nbconvert cannot inject the partner parameter, so the baseline is estimated. Each repetition "
        f"runs `{PROFILE_NOTEBOOK}` once with nbconvert (with its default partner, {_default_partner()}); its median "
        f"is multiplied by the number of profiles the build writes ({profiles}, counted as `{PROFILE_DIR}/*.html` in "
        "the build's output folder) and added to the median nbconvert of the main notebooks. Partners with more "
        "agreements and events make longer profiles, so this is an estimate, not a run."
    )
    return missed


def _noop(results: Results, out: Path, names: list[str]) -> None:
    """The build again, without --force, into ``out``; against ``python -c pass``."""

    def check(proc: subprocess.CompletedProcess) -> str | None:
        if proc.returncode != 0:
            return f"exit status {proc.returncode}: {last_line(proc)}"
        return None if "up to date" in proc.stdout else "retry"  # an input changed meanwhile: this run rebuilt

    noop = _build_bench("build (no-op)", out, names, None, force=False)
    noop.check = check
    startup = Bench("python -c pass", [PY, "-c", "pass"])
    reps = results.reps_cheap
    which = "the main reports" if names and not names[0].startswith("-") else "all reports"
    print(f"3. no-op rebuild of {which} vs python start-up, {reps} run(s) each", flush=True)
    _build_bench("build (prime)", out, names, None, force=False).run_once()  # builds what a failed run above left undone, untimed
    interleave([noop, startup], reps)
    if noop.notes:
        results.notes.append(
            "No-op rebuild: at least one run did not say “up to date” (an input changed while the benchmark ran, "
            "e.g. someone edited analysis/ or data/); it was discarded and run again."
        )
    r = ratio(noop.median, startup.median)
    ok = None if noop.median is None or noop.errors else noop.median <= TARGET_NOOP_S
    results.rows.append(
        Row(
            "3",
            f"No-op rebuild of {which} (build again without --force; says “up to date”)",
            noop.runs,
            f"`python -c pass`: {fmt_s(startup.median)}",
            f"**{fmt_s(noop.median)}**, {r:.1f}× start-up" if r is not None else "n/a",
            f"≤ {TARGET_NOOP_S} s",
            status(ok, noop.errors),
        )
    )
    print(f"   no-op = {fmt_s(noop.median)}, {r and round(r, 1)}× python start-up (target ≤ {TARGET_NOOP_S} s) {status(ok)}")
    results.commands += [noop.command, startup.command]


# --------------------------------------------------------------------------- (3b) one edited row


def _edit_one_row(path: Path):
    """A ``prepare`` step: change one row of the table (its ``note``: a suffix added, then removed, in turn)."""
    suffix = " Edited by the benchmark."
    counter = iter(range(10**6))

    def edit() -> None:
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
        column = rows[0].index("note")
        note = rows[1][column].removesuffix(suffix)
        rows[1][column] = note + suffix if next(counter) % 2 == 0 else note
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        path.write_text(buffer.getvalue(), encoding="utf-8")

    return edit


def _readers(out: Path) -> set[str]:
    """The reports whose recorded reads include the edited table (from the build's state file)."""
    try:
        state = json.loads((out / ".build-state.json").read_text(encoding="utf-8"))
        return {name for name, entry in state["reports"].items() if EDITED_TABLE in entry.get("reads", {})}
    except (OSError, ValueError, KeyError, AttributeError):
        return set()


def incremental(results: Results) -> None:
    """(3b): one edited row of claims.csv, the incremental build against a clean full build from the same data."""
    data, out, full = WORK / "edited-data", WORK / "edited-incremental", WORK / "edited-full"
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(ROOT / "data", data)
    readers = set()
    rebuilt_lines: list[str] = []

    def check_incremental(proc: subprocess.CompletedProcess) -> str | None:
        if proc.returncode != 0:
            return f"exit status {proc.returncode}: {last_line(proc)}"
        built = set(re.findall(r"^\[\d+/\d+\] (\S+): ok", proc.stdout, flags=re.M))
        rebuilt_lines.append(_said_in(proc.stdout))
        expected = {name.removesuffix(".html") for name in readers}
        return None if built == expected else f"rebuilt {sorted(built)}, expected the readers of {EDITED_TABLE} {sorted(expected)}"

    prime = Bench("prime", [PY, "-m", "analysis", "build", "--data-dir", show(data), "--out", show(out)])
    print(f"3b. one edited row of {EDITED_TABLE}: incremental build vs clean full build, priming (untimed)", flush=True)
    prime.run_once()
    readers = _readers(out)
    edit = _edit_one_row(data / EDITED_TABLE)
    small = Bench("build after one edited row", [PY, "-m", "analysis", "build", "--data-dir", show(data), "--out", show(out)],
                  prepare=edit, check=check_incremental)  # fmt: skip
    whole = _build_bench("build --force, clean, same data", full, ["--data-dir", show(data)], None)
    interleave([small, whole], results.reps_build)
    r = ratio(small.median, whole.median)
    errors = prime.errors + small.errors + whole.errors
    ok = None if r is None or errors else r <= TARGET_INCREMENTAL_RATIO
    results.rows.append(Row(
        "3b",
        f"Build after one edited row of `{EDITED_TABLE}`: rebuilds only the {len(readers)} report(s) that read it "
        f"({', '.join(sorted(n.removesuffix('.html') for n in readers))}) and the site pages",
        small.runs, f"clean full build of every report: {whole.runs}",
        f"ratio **{r:.2f}**" if r is not None else "n/a", f"≤ {TARGET_INCREMENTAL_RATIO:.2f}", status(ok, errors),
    ))  # fmt: skip
    results.notes.append(f"One edited row: the build said, on its last run, “{rebuilt_lines[-1] if rebuilt_lines else 'nothing'}”.")
    results.commands += [small.command, whole.command]
    print(f"   incremental {fmt_s(small.median)} vs full {fmt_s(whole.median)}: ratio {r and round(r, 2)} "
          f"(target ≤ {TARGET_INCREMENTAL_RATIO}) {status(ok, errors)}")  # fmt: skip


def _said_in(stdout: str) -> str:
    return next((line for line in stdout.splitlines() if line.startswith(("building ", "up to date"))), "nothing")


if __name__ == "__main__":  # this part alone: python -m benchmarks.build [--quick]
    found = Results(quick="--quick" in sys.argv)
    WORK.mkdir(parents=True, exist_ok=True)
    incremental(found)
    _noop(found, WORK / "edited-incremental", ["--data-dir", show(WORK / "edited-data")])
    for row in found.rows:
        print(" | ".join([row.number, row.what, row.measured, row.compared, row.figure, row.target, row.status]))
    for note in found.notes:
        print("note:", note)
