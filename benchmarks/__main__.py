"""``python -m benchmarks``: measure, print, and record the results in ``benchmarks/README.md``.

1. Clean build of every report (``python -m analysis build --force``, parallel) against a sequential
   ``jupyter nbconvert --to html --execute`` of the same notebooks: ratio of the medians.
2. No-op rebuild (the build again, without ``--force``; it must say "up to date"): wall time, and its
   ratio to ``python -c pass``.
3. ``python -m analysis validate`` against ``python -c "import pandas"``: ratio of the medians.
4. The helpers (``growth``, ``members_as_of``, ``KaplanMeier.fit``) on a synthetic signature log of
   10^4, 10^5 and 10^6 rows, one subprocess per size: seconds at 10^6, the growth exponent (log-log
   slope of time against n) and the peak memory.

Compared commands run interleaved (A, B, A, B, …) so that noise on the shared machine hits both; each
figure is a median. Benchmarks report, they never fail: the exit status is 0 even when a target is
missed (the figure is then marked MISSED).

``python -m benchmarks --helpers N`` is the child process of part 4 (prints one JSON object).
"""

from __future__ import annotations

import json
import math
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "benchmarks"
WORK = HERE / ".work"
README = HERE / "README.md"
NOTEBOOKS = ROOT / "notebooks"
PY = sys.executable

REPS_BUILD = 2
REPS_CHEAP = 5
SIZES = (10**4, 10**5, 10**6)
PARTIES = 500  # synthetic parties per declaration: 10^6 rows = 2,000 declarations × 500 parties
SEED = 20230712
ORIGIN = "2023-07-12"  # synthetic dates fall in the two years from here
WINDOW_DAYS = 731
CUTOFF = "2025-07-12"  # survival data are censored here (the end of the window)
AS_OF = "2024-07-12"  # members_as_of is asked about the middle of the window
SUBPROCESS_TIMEOUT_S = 1200

TARGET_BUILD_RATIO = 0.40
TARGET_NOOP_S = 0.5
TARGET_VALIDATE_RATIO = 1.5
TARGET_HELPER_S = 2.0
TARGET_PEAK_BYTES = 1 << 30

#: The load averages when the run started (before any of our own work), for the notes.
START_LOAD: tuple[float, ...] = (0.0, 0.0, 0.0)

HELPERS = ("growth(freq=None)", 'growth(freq="M")', "members_as_of", "KaplanMeier.fit")


# --------------------------------------------------------------------------- running and timing commands


def _env() -> dict[str, str]:
    """The environment of every measured command: ours, without ANALYSIS_DATA_DIR (the default data/ is used)."""
    env = dict(os.environ)
    env.pop("ANALYSIS_DATA_DIR", None)
    return env


def _show(path: str | Path) -> str:
    """A path as written in the README: relative to the repository when inside it."""
    p = Path(path)
    try:
        return str(p.relative_to(ROOT)) if p.is_absolute() else str(p)
    except ValueError:
        return str(p)


def _shell(cmd: list[str]) -> str:
    return shlex.join([_show(cmd[0]), *cmd[1:]])


@dataclass
class Bench:
    """One measured command: how to run it, how to prepare for a run, and how to judge its output."""

    label: str
    cmd: list[str]
    cwd: Path = ROOT
    prepare: Callable[[], None] | None = None
    # Returns None when the run is good, "retry" to discard the sample and run again, or an error message.
    check: Callable[[subprocess.CompletedProcess], str | None] | None = None
    times: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    last_stdout: str = ""

    @property
    def command(self) -> str:
        """The command as run from the repository root (a subshell ``cd`` when it runs elsewhere)."""
        if self.cwd == ROOT:
            return _shell(self.cmd)
        exe = os.path.relpath(self.cmd[0], self.cwd) if Path(self.cmd[0]).is_relative_to(ROOT) else self.cmd[0]
        return f"(cd {_show(self.cwd)} && {shlex.join([exe, *self.cmd[1:]])})"

    @property
    def median(self) -> float | None:
        return statistics.median(self.times) if self.times else None

    def run_once(self, max_retries: int = 2) -> None:
        for _ in range(max_retries + 1):
            if self.prepare:
                self.prepare()
            started = time.perf_counter()
            try:
                proc = subprocess.run(
                    self.cmd, cwd=self.cwd, env=_env(), capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT_S
                )
            except subprocess.TimeoutExpired:
                self.errors.append(f"timed out after {SUBPROCESS_TIMEOUT_S} s")
                return
            elapsed = time.perf_counter() - started
            self.last_stdout = proc.stdout
            verdict = self.check(proc) if self.check else None
            if verdict is None and proc.returncode != 0:
                tail = (proc.stderr.strip() or proc.stdout.strip()).splitlines()[-1:] or ["no output"]
                verdict = f"exit status {proc.returncode}: {tail[0]}"
            if verdict == "retry":
                self.notes.append("a run was discarded and repeated (see the check for why)")
                continue
            if verdict:
                self.errors.append(verdict)
            self.times.append(elapsed)
            return
        self.errors.append(f"no valid run after {max_retries + 1} attempts")


def interleave(benches: list[Bench], reps: int) -> None:
    """Run A, B, A, B, … ``reps`` times each, printing each sample."""
    for rep in range(reps):
        for bench in benches:
            bench.run_once()
            last = f"{bench.times[-1]:.3f} s" if bench.times else "no time"
            print(f"  [{rep + 1}/{reps}] {bench.label}: {last}", flush=True)


def _fmt_s(seconds: float | None) -> str:
    if seconds is None:
        return "n/a"
    return f"{seconds:.3f} s" if seconds < 10 else f"{seconds:.1f} s"


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def _status(ok: bool | None) -> str:
    return "n/a" if ok is None else ("ok" if ok else "MISSED")


@dataclass
class Row:
    """One line of the results table."""

    number: str
    what: str
    measured: str
    compared: str
    figure: str
    target: str
    status: str


# --------------------------------------------------------------------------- 1 and 2: the build


def _reset(path: Path) -> Callable[[], None]:
    def reset() -> None:
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True, exist_ok=True)

    return reset


def bench_build(rows: list[Row], notes: list[str], commands: list[str]) -> None:
    notebooks = sorted(p.name for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    # The build is given the same notebooks by name, so both sides do the same work: without names it would also
    # build one partner profile per partner from a parameterised notebook, which nbconvert alone cannot run.
    names = [n.removesuffix(".ipynb") for n in notebooks]
    reports = WORK / "reports"
    converted = WORK / "nbconvert"

    def build_ok(proc: subprocess.CompletedProcess) -> str | None:
        if proc.returncode != 0 or "report(s) built" not in proc.stdout:
            tail = (proc.stderr.strip() or proc.stdout.strip()).splitlines()[-1:] or ["no output"]
            return f"build failed (exit {proc.returncode}): {tail[0]}"
        return None

    def nbconvert_ok(proc: subprocess.CompletedProcess) -> str | None:
        missing = [n for n in notebooks if not (converted / n.replace(".ipynb", ".html")).exists()]
        if proc.returncode != 0 or missing:
            tail = proc.stderr.strip().splitlines()[-1:] or ["no output"]
            return f"nbconvert failed (exit {proc.returncode}; missing {', '.join(missing) or 'nothing'}): {tail[0]}"
        return None

    build = Bench(
        "build --force (parallel)",
        [PY, "-m", "analysis", "build", "--force", "--out", _show(reports), *names],
        prepare=_reset(reports),
        check=build_ok,
    )
    nbconvert = Bench(
        "nbconvert --execute (sequential)",
        [
            PY,
            "-m",
            "jupyter",
            "nbconvert",
            "--to",
            "html",
            "--execute",
            "--output-dir",
            os.path.relpath(converted, NOTEBOOKS),
            *notebooks,
        ],
        cwd=NOTEBOOKS,
        prepare=_reset(converted),
        check=nbconvert_ok,
    )
    print(f"1. clean build of {len(notebooks)} notebook(s): build vs sequential nbconvert, {REPS_BUILD} runs each", flush=True)
    interleave([build, nbconvert], REPS_BUILD)
    built = next((line for line in build.last_stdout.splitlines() if line.startswith("building ")), "")
    if built:
        notes.append(f"Clean build: the build said “{built}”.")
    profiles = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb") if p.name not in notebooks)
    if profiles:
        notes.append(
            f"Clean build and no-op: the build is given the {len(notebooks)} numbered notebooks by name, the same ones "
            f"nbconvert runs; {', '.join(profiles)} (the parameterised partner profiles, one report per partner, built "
            "only by `python -m analysis build` with no names) is left out of both sides, since plain nbconvert cannot "
            "inject its parameters."
        )
    ratio = _ratio(build.median, nbconvert.median)
    errors = build.errors + nbconvert.errors
    ok = None if ratio is None or errors else ratio <= TARGET_BUILD_RATIO
    rows.append(
        Row(
            "1",
            f"Clean build of the {len(notebooks)} numbered reports, parallel (jobs = {os.cpu_count()} cores)",
            f"{_fmt_s(build.median)} (runs: {', '.join(_fmt_s(t) for t in build.times)})",
            f"sequential nbconvert: {_fmt_s(nbconvert.median)} (runs: {', '.join(_fmt_s(t) for t in nbconvert.times)})",
            f"ratio **{ratio:.2f}**" if ratio is not None else "n/a",
            f"≤ {TARGET_BUILD_RATIO:.2f}",
            _status(ok) + (f" (error: {'; '.join(errors)})" if errors else ""),
        )
    )
    print(
        f"   ratio build/nbconvert = {ratio if ratio is None else round(ratio, 2)} (target ≤ {TARGET_BUILD_RATIO}) {_status(ok)}"
    )
    if ok is False:
        cores = os.cpu_count() or 1
        notes.append(
            f"Build ratio: with {cores} core(s) at most {cores} notebook kernel(s) run at once, so the ideal ratio is about "
            f"1/{cores} = {1 / cores:.2f} before any overhead; the build also starts one kernel per notebook and the longest "
            "notebook sets a floor. A ratio of 0.40 needs more cores (or faster notebooks)."
        )
        load = START_LOAD[0]
        if load > 0.5:
            notes.append(
                f"Build ratio: the 1-minute load average was {load:.2f} on {cores} core(s) when the run started; other "
                "processes competing for the cores slow the parallel build (which wants every core) more than the "
                "sequential nbconvert (which needs one)."
            )
    commands += [build.command, nbconvert.command]

    # 2. No-op: the same build, without --force, into the same folder; it must say "up to date".
    def noop_ok(proc: subprocess.CompletedProcess) -> str | None:
        if proc.returncode != 0:
            return f"exit status {proc.returncode}"
        return None if "up to date" in proc.stdout else "retry"  # an input changed meanwhile: this run rebuilt

    noop = Bench("build (no-op)", [PY, "-m", "analysis", "build", "--out", _show(reports), *names], check=noop_ok)
    startup = Bench("python -c pass", [PY, "-c", "pass"])
    print(f"2. no-op rebuild vs python start-up, {REPS_CHEAP} runs each", flush=True)
    primer = Bench("build (prime)", noop.cmd)
    primer.run_once()  # a build that failed above leaves reports to build: do it now, untimed
    interleave([noop, startup], REPS_CHEAP)
    if noop.notes:
        notes.append(
            "No-op rebuild: at least one run did not say “up to date” (an input changed while the benchmark ran, "
            "e.g. someone edited analysis/ or data/); it was discarded and run again."
        )
    ratio = _ratio(noop.median, startup.median)
    ok = None if noop.median is None or noop.errors else noop.median <= TARGET_NOOP_S
    rows.append(
        Row(
            "2",
            "No-op rebuild (build again without --force; says “up to date”)",
            f"{_fmt_s(noop.median)} (runs: {', '.join(_fmt_s(t) for t in noop.times)})",
            f"`python -c pass`: {_fmt_s(startup.median)}",
            f"**{_fmt_s(noop.median)}**, {ratio:.1f}× start-up" if ratio is not None else "n/a",
            f"≤ {TARGET_NOOP_S} s",
            _status(ok) + (f" (error: {'; '.join(noop.errors)})" if noop.errors else ""),
        )
    )
    print(
        f"   no-op = {_fmt_s(noop.median)}, {ratio and round(ratio, 1)}× python start-up (target ≤ {TARGET_NOOP_S} s) {_status(ok)}"
    )
    commands += [noop.command, startup.command]


# --------------------------------------------------------------------------- 3: the validator


def bench_validate(rows: list[Row], notes: list[str], commands: list[str]) -> None:
    validate = Bench("analysis validate", [PY, "-m", "analysis", "validate"])
    pandas = Bench("import pandas", [PY, "-c", "import pandas"])
    print(f"3. validate vs import pandas, {REPS_CHEAP} runs each", flush=True)
    interleave([validate, pandas], REPS_CHEAP)
    ratio = _ratio(validate.median, pandas.median)
    ok = None if ratio is None or validate.errors else ratio <= TARGET_VALIDATE_RATIO
    rows.append(
        Row(
            "3",
            "`python -m analysis validate`",
            f"{_fmt_s(validate.median)} (runs: {', '.join(_fmt_s(t) for t in validate.times)})",
            f'`python -c "import pandas"`: {_fmt_s(pandas.median)}',
            f"ratio **{ratio:.2f}**" if ratio is not None else "n/a",
            f"≤ {TARGET_VALIDATE_RATIO}",
            _status(ok) + (f" (error: {'; '.join(validate.errors)})" if validate.errors else ""),
        )
    )
    print(f"   ratio validate/import pandas = {ratio and round(ratio, 2)} (target ≤ {TARGET_VALIDATE_RATIO}) {_status(ok)}")
    commands += [validate.command, pandas.command]


# --------------------------------------------------------------------------- 4: the helpers (child process)


def synthetic(n: int, seed: int = SEED):
    """A signature log of ``n`` rows (n / 500 declarations × 500 parties) and survival data of ``n`` partners.

    Both are typed as the loaders type them. Joining dates are uniform over two years. Each synthetic
    partner opens talks on a uniform date in the same two years and signs after an exponential delay
    (mean 240 days, at least 1); those not signed by the cut-off are censored there, exactly as
    :func:`analysis.time_to_agreement` computes it. Also returns the events and agreements behind the
    survival data when ``n`` is small (for the check that the shapes agree).
    """
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    declarations = max(1, n // PARTIES)
    origin = np.datetime64(ORIGIN)
    decl_names = np.array([f"decl-{i:04d}" for i in range(declarations)])
    party_names = np.array([f"P{i:03d}" for i in range(PARTIES)])
    joined = origin + rng.integers(0, WINDOW_DAYS, declarations * PARTIES).astype("timedelta64[D]")
    signatories = pd.DataFrame(
        {
            "declaration_id": pd.array(np.repeat(decl_names, PARTIES), dtype="string"),
            "party_id": pd.array(np.tile(party_names, declarations), dtype="string"),
            "role": pd.array(np.where(rng.random(declarations * PARTIES) < 0.02, "original", "acceded"), dtype="string"),
            "joined_date": joined.astype("datetime64[ns]"),
        }
    )

    cutoff = np.datetime64(CUTOFF)
    partners = np.array([f"X{i:07d}" for i in range(n)], dtype=object)
    opened = origin + rng.integers(0, WINDOW_DAYS, n).astype("timedelta64[D]")
    signed_on = opened + np.maximum(1, np.ceil(rng.exponential(240.0, n))).astype("int64").astype("timedelta64[D]")
    signed = signed_on <= cutoff
    end = np.where(signed, signed_on, cutoff)
    survival = pd.DataFrame(
        {
            "party_id": partners,
            "start_date": opened.astype("datetime64[ns]"),
            "end_date": end.astype("datetime64[ns]"),
            "days": (end - opened).astype("int64"),
            "signed": signed,
        }
    )
    events = agreements = None
    if n <= 10**4:
        events = pd.DataFrame(
            {
                "party_id": pd.array(partners, dtype="string"),
                "agreement_id": pd.array([f"{p}-a" for p in partners], dtype="string"),
                "event_type": pd.array(["negotiations_opened"] * n, dtype="string"),
                "event_date": opened.astype("datetime64[ns]"),
            }
        )
        agreements = pd.DataFrame(
            {
                "agreement_id": pd.array([f"{p}-a" for p in partners], dtype="string"),
                "party_id": pd.array(partners, dtype="string"),
                "signed_date": signed_on.astype("datetime64[ns]"),
            }
        )
    return signatories, survival, events, agreements


def _maxrss_bytes() -> int:
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # bytes on macOS, KiB on Linux


def helpers_child(n: int) -> dict:
    """Time the helpers on the synthetic data of size ``n``; returns medians, peak RSS and tracemalloc peaks."""
    import gc
    import tracemalloc
    import warnings

    import pandas as pd

    import analysis

    warnings.simplefilter("error", FutureWarning)  # as in the tests: a deprecation is a finding
    baseline = _maxrss_bytes()
    started = time.perf_counter()
    signatories, survival, events, agreements = synthetic(n)
    generated_s = time.perf_counter() - started
    after_data = _maxrss_bytes()
    shape_check = "not run at this size"
    if events is not None:
        from analysis.negotiations import time_to_agreement

        expected = time_to_agreement(signatories, events, agreements, CUTOFF, origin="opened").reset_index(drop=True)
        try:
            pd.testing.assert_frame_equal(expected, survival, check_dtype=True)
            shape_check = "same frame as analysis.time_to_agreement on the synthetic events and agreements"
        except AssertionError as exc:
            shape_check = f"DIFFERS from analysis.time_to_agreement: {str(exc).splitlines()[0]}"

    calls: dict[str, Callable[[], object]] = {
        "growth(freq=None)": lambda: analysis.growth(signatories),
        'growth(freq="M")': lambda: analysis.growth(signatories, freq="M"),
        "members_as_of": lambda: analysis.members_as_of(signatories, AS_OF),
        "KaplanMeier.fit": lambda: analysis.KaplanMeier.fit(survival),
    }
    small_sig, small_survival = signatories.head(1000), survival.head(1000)
    for warm in (  # first calls pay for imports (lifelines) and first-use set-up: done untimed on a small slice
        lambda: analysis.growth(small_sig),
        lambda: analysis.growth(small_sig, freq="M"),
        lambda: analysis.members_as_of(small_sig, AS_OF),
        lambda: analysis.KaplanMeier.fit(small_survival),
    ):
        warm()
    reps = 5 if n <= 10**5 else 3
    times: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(reps):
        for name, call in calls.items():  # interleaved, like the commands
            gc.collect()
            t0 = time.perf_counter()
            call()
            times[name].append(time.perf_counter() - t0)
    peak = _maxrss_bytes()
    traced: dict[str, int] = {}
    for name, call in calls.items():
        gc.collect()
        tracemalloc.start()
        call()
        traced[name] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return {
        "n": n,
        "declarations": len(signatories) // PARTIES,
        "parties": PARTIES,
        "reps": reps,
        "generate_s": generated_s,
        "median_s": {name: statistics.median(t) for name, t in times.items()},
        "times_s": times,
        "maxrss_start": baseline,
        "maxrss_data": after_data,
        "maxrss_peak": peak,
        "traced_peak": traced,
        "signed_share": float(survival["signed"].mean()),
        "shape_check": shape_check,
    }


def _slope(xs: list[float], ys: list[float]) -> float | None:
    """Least-squares slope of log(y) on log(x)."""
    pts = [(math.log(x), math.log(y)) for x, y in zip(xs, ys) if x > 0 and y and y > 0]
    if len(pts) < 2:
        return None
    mx = sum(p[0] for p in pts) / len(pts)
    my = sum(p[1] for p in pts) / len(pts)
    sxx = sum((p[0] - mx) ** 2 for p in pts)
    return sum((p[0] - mx) * (p[1] - my) for p in pts) / sxx if sxx else None


def _mib(b: float | None) -> str:
    return "n/a" if b is None else f"{b / 2**20:.0f} MiB"


def bench_helpers(rows: list[Row], notes: list[str], commands: list[str]) -> list[dict]:
    print(f"4. helpers on synthetic data of {', '.join(f'{n:,}' for n in SIZES)} rows, one subprocess per size", flush=True)
    results: list[dict] = []
    errors: list[str] = []
    for n in SIZES:
        cmd = [PY, "-m", "benchmarks", "--helpers", str(n)]
        commands.append(_shell(cmd))
        try:
            proc = subprocess.run(cmd, cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            errors.append(f"n={n:,}: timed out")
            continue
        try:
            result = json.loads(proc.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            tail = proc.stderr.strip().splitlines()[-1:] or ["no output"]
            errors.append(f"n={n:,}: exit status {proc.returncode}: {tail[0]}")
            continue
        results.append(result)
        line = ", ".join(f"{k} {_fmt_s(v)}" for k, v in result["median_s"].items())
        print(f"   n={n:>9,}: {line}; peak RSS {_mib(result['maxrss_peak'])}", flush=True)
    by_n = {r["n"]: r for r in results}
    largest = by_n.get(SIZES[-1])
    for name in HELPERS:
        seconds = largest["median_s"][name] if largest else None
        slope = _slope([r["n"] for r in results], [r["median_s"][name] for r in results])
        ok = None if seconds is None else seconds <= TARGET_HELPER_S
        rows.append(
            Row(
                "4",
                f"`analysis.{name}` at {SIZES[-1]:,} rows",
                f"{_fmt_s(seconds)} (median of {largest['reps']})" if largest else "n/a",
                f"growth exponent {SIZES[0]:,} → {SIZES[-1]:,}: {slope:.2f}" if slope is not None else "growth exponent: n/a",
                f"**{_fmt_s(seconds)}**, exponent **{slope:.2f}**" if slope is not None and seconds is not None else "n/a",
                f"≤ {TARGET_HELPER_S:.0f} s",
                _status(ok),
            )
        )
        print(
            f"   {name}: {_fmt_s(seconds)} at {SIZES[-1]:,} (target ≤ {TARGET_HELPER_S} s) {_status(ok)}; "
            f"exponent {slope if slope is None else round(slope, 2)}"
        )
    peak = largest["maxrss_peak"] if largest else None
    ok = None if peak is None else peak < TARGET_PEAK_BYTES
    rows.append(
        Row(
            "4",
            f"Peak memory of the helper process at {SIZES[-1]:,} rows (data + all four helpers)",
            f"{_mib(peak)} (max RSS)",
            f"of which the interpreter, imports and data: {_mib(largest['maxrss_data'])}" if largest else "n/a",
            f"**{_mib(peak)}**",
            "< 1 GiB",
            _status(ok),
        )
    )
    print(f"   peak RSS at {SIZES[-1]:,}: {_mib(peak)} (target < 1 GiB) {_status(ok)}")
    for e in errors:
        notes.append(f"Helpers: {e}.")
    return results


# --------------------------------------------------------------------------- the README


def _cmd_output(cmd: list[str], default: str) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout.strip() or default
    except (OSError, subprocess.SubprocessError):
        return default


def write_readme(
    rows: list[Row], helpers: list[dict], notes: list[str], commands: list[str], machine: dict[str, str], total_s: float
) -> None:
    lines = [
        "# Benchmarks",
        "",
        "Generated by `python -m benchmarks` (`make bench`); every run rewrites this file, so do not edit it by hand.",
        "",
        "The machines this runs on are shared and noisy, so absolute times mean little: each figure is measured "
        "**side by side** with a reference in the same run and reported as a **ratio** (or, for the helpers, as a time "
        "at a fixed size together with how it grows with size). Each command runs as a subprocess of the venv's Python "
        "with `ANALYSIS_DATA_DIR` unset (so the default `data/` is used); the compared commands are interleaved "
        f"(A, B, A, B, …) and each figure is the median: {REPS_BUILD} runs for the builds, {REPS_CHEAP} for the cheap commands.",
        "",
        "1. **Clean build**: `python -m analysis build --force` (the notebooks run in parallel, one kernel each, "
        "jobs = cores) against a sequential `jupyter nbconvert --to html --execute` of the same "
        "`notebooks/[0-9][0-9]_*.ipynb`; each run starts from an empty output folder in `benchmarks/.work/`.",
        "2. **No-op rebuild**: the same build again without `--force` into the same folder (it must print "
        "“up to date”; a run that rebuilt because an input changed meanwhile is discarded and repeated): its wall time, "
        "and its ratio to `python -c pass`.",
        '3. **Validator**: `python -m analysis validate` against `python -c "import pandas"`.',
        f"4. **Helpers** on a synthetic signature log (seed {SEED}) of {', '.join(f'{n:,}' for n in SIZES)} rows "
        f"(n / {PARTIES} declarations × {PARTIES} parties, joining dates uniform over two years from {ORIGIN}) and "
        "survival data of the same size shaped as `time_to_agreement` returns them (talks opened uniformly over the "
        "same two years, an exponential delay to signature, censored at "
        f'{CUTOFF}): `growth` (`freq=None` and `freq="M"`), `members_as_of` (all declarations, as of {AS_OF}) and '
        "`KaplanMeier.fit`. One subprocess per size; the figures are the time at the largest size, the growth exponent "
        "(least-squares slope of log time against log n: 1.0 is linear, n log n gives about 1.0–1.1) and the peak memory "
        "(maximum resident set size of the process).",
        "",
        "Benchmarks report, they never fail: `python -m benchmarks` exits 0 and marks a missed target **MISSED**.",
        "",
        "## Results",
        "",
        f"- Date: `{machine['date']}` (`date -u`)",
        f"- Machine: {machine['nproc']} cores (`nproc`), Python {machine['python']}, {machine['platform']}"
        + (f", {machine['cpu']}" if machine.get("cpu") else ""),
        f"- Load average at the start: {machine['load']}",
        f"- Command: `{machine['command']}` (from the repository root); the whole run took {total_s:.0f} s",
        "",
        "| # | What | Measured | Compared with | Figure | Target | Status |",
        "|---|------|----------|---------------|--------|--------|--------|",
    ]
    lines += [f"| {r.number} | {r.what} | {r.measured} | {r.compared} | {r.figure} | {r.target} | {r.status} |" for r in rows]
    if helpers:
        lines += [
            "",
            "### Helpers by size",
            "",
            "Median seconds per call; peak memory is the process's maximum RSS (interpreter, pandas, lifelines, the data "
            "and every helper), and in brackets the most any single call allocated on top (tracemalloc).",
            "",
            "| rows | declarations × parties | " + " | ".join(f"`{h}`" for h in HELPERS) + " | peak RSS |",
            "|---:|---:|" + "---:|" * len(HELPERS) + "---:|",
        ]
        for r in helpers:
            cells = [_fmt_s(r["median_s"][h]) for h in HELPERS]
            biggest = max(r["traced_peak"].values())
            lines.append(
                f"| {r['n']:,} | {r['declarations']:,} × {r['parties']} | "
                + " | ".join(cells)
                + f" | {_mib(r['maxrss_peak'])} (+{_mib(biggest)}) |"
            )
        slopes = [_slope([r["n"] for r in helpers], [r["median_s"][h] for r in helpers]) for h in HELPERS]
        lines.append(
            f"| exponent {SIZES[0]:,} → {SIZES[-1]:,} | | "
            + " | ".join("n/a" if s is None else f"{s:.2f}" for s in slopes)
            + " | |"
        )
        if len(helpers) >= 2:
            upper = [_slope([r["n"] for r in helpers[-2:]], [r["median_s"][h] for r in helpers[-2:]]) for h in HELPERS]
            lines.append(
                f"| exponent {helpers[-2]['n']:,} → {helpers[-1]['n']:,} | | "
                + " | ".join("n/a" if s is None else f"{s:.2f}" for s in upper)
                + " | |"
            )
        lines += [
            "",
            "At the smallest size the fixed cost of each call (pandas set-up, small allocations) is a large part of the "
            "time, so the exponent over the whole range is below the asymptotic one; the last row shows the upper decade alone.",
        ]
        checks = {r["shape_check"] for r in helpers if r["shape_check"] != "not run at this size"}
        lines += ["", f"Survival data at {SIZES[0]:,} rows: {'; '.join(sorted(checks)) or 'not checked'}."]
    if notes:
        lines += ["", "### Notes", ""] + [f"- {n}" for n in notes]
    lines += ["", "### Commands measured", "", "```sh"] + commands + ["```", ""]
    tmp = README.with_suffix(".md.tmp")
    tmp.write_text("\n".join(lines), encoding="utf-8")
    os.replace(tmp, README)


# --------------------------------------------------------------------------- entry point


def _machine() -> dict[str, str]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    global START_LOAD
    try:
        START_LOAD = os.getloadavg()
        load = ", ".join(f"{x:.2f}" for x in START_LOAD)
    except OSError:
        load = "n/a"
    return {
        "date": _cmd_output(["date", "-u"], time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime())),
        "nproc": _cmd_output(["nproc"], str(os.cpu_count())),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": cpu,
        "load": load,
        "command": shlex.join([_show(PY), "-m", "benchmarks", *sys.argv[1:]]),
    }


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "--helpers":
        print(json.dumps(helpers_child(int(argv[1]))))
        return 0
    started = time.perf_counter()
    machine = _machine()
    print(f"benchmarks: {machine['date']}; {machine['nproc']} cores; Python {machine['python']}; {machine['platform']}")
    WORK.mkdir(parents=True, exist_ok=True)
    # Warm the disk cache for the heavy imports, untimed, so the first measured run is not the only cold one.
    subprocess.run([PY, "-c", "import nbconvert, nbclient, ipykernel, pandas, matplotlib, lifelines"], cwd=ROOT, env=_env(),
                   capture_output=True, timeout=SUBPROCESS_TIMEOUT_S)  # fmt: skip
    rows: list[Row] = []
    notes: list[str] = []
    commands: list[str] = []
    helpers: list[dict] = []
    for part in (bench_build, bench_validate, bench_helpers):
        try:
            out = part(rows, notes, commands)
            if part is bench_helpers:
                helpers = out or []
        except Exception:  # a benchmark reports, it never fails: record what broke and go on
            trace = traceback.format_exc().strip().splitlines()
            print(f"error in {part.__name__}: {trace[-1]}", file=sys.stderr)
            notes.append(f"`{part.__name__}` stopped with an error: `{trace[-1]}`.")
    total = time.perf_counter() - started
    missed = [r for r in rows if r.status.startswith("MISSED")]
    try:
        write_readme(rows, helpers, notes, commands, machine, total)
        print(f"results written to {_show(README)} ({total:.0f} s in all)")
    except OSError as exc:
        print(f"could not write {_show(README)}: {exc}", file=sys.stderr)
    print(f"{len(missed)} target(s) MISSED" if missed else "all targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
