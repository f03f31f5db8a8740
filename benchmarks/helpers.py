"""The helpers (``growth``, ``members_as_of``, ``KaplanMeier.fit``) on a synthetic signature log, one subprocess
per size: seconds at the largest size, the growth exponent (log-log slope of time against n) and the peak memory.

``python -m benchmarks --helpers N`` is the child process (:func:`child`; prints one JSON object).
"""

from __future__ import annotations

import json
import math
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

from benchmarks.common import PY, ROOT, SUBPROCESS_TIMEOUT_S, Results, Row, env, fmt_s, mib, shell, status

SIZES = (10**4, 10**5, 10**6)
QUICK_SIZES = (10**4, 10**5)
PARTIES = 500  # synthetic parties per declaration: 10^6 rows = 2,000 declarations × 500 parties
SEED = 20230712
ORIGIN = "2023-07-12"  # synthetic dates fall in the two years from here
WINDOW_DAYS = 731
CUTOFF = "2025-07-12"  # survival data are censored here (the end of the window)
AS_OF = "2024-07-12"  # members_as_of is asked about the middle of the window
HELPERS = ("growth(freq=None)", 'growth(freq="M")', "members_as_of", "KaplanMeier.fit")

TARGET_HELPER_S = 2.0
TARGET_PEAK_BYTES = 1 << 30


def method(results: Results) -> list[str]:
    """How this module measures, for the README."""
    sizes = QUICK_SIZES if results.quick else SIZES
    return [
        f"(5) **Helpers** on a synthetic signature log (seed {SEED}) of {', '.join(f'{n:,}' for n in sizes)} rows "
        f"(n / {PARTIES} declarations × {PARTIES} parties, joining dates uniform over two years from {ORIGIN}) and "
        "survival data of the same size shaped as `time_to_agreement` returns them (talks opened uniformly over the "
        "same two years, an exponential delay to signature, censored at "
        f'{CUTOFF}): `growth` (`freq=None` and `freq="M"`), `members_as_of` (all declarations, as of {AS_OF}) and '
        "`KaplanMeier.fit`. One subprocess per size; the figures are the time at the largest size, the growth exponent "
        "(least-squares slope of log time against log n: 1.0 is linear, n log n gives about 1.0–1.1) and the peak memory "
        "(maximum resident set size of the process)."
    ]


# --------------------------------------------------------------------------- the child process


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


def child(n: int) -> dict:
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


# --------------------------------------------------------------------------- the parent


def _slope(xs: list[float], ys: list[float]) -> float | None:
    """Least-squares slope of log(y) on log(x)."""
    pts = [(math.log(x), math.log(y)) for x, y in zip(xs, ys) if x > 0 and y and y > 0]
    if len(pts) < 2:
        return None
    mx = sum(p[0] for p in pts) / len(pts)
    my = sum(p[1] for p in pts) / len(pts)
    sxx = sum((p[0] - mx) ** 2 for p in pts)
    return sum((p[0] - mx) * (p[1] - my) for p in pts) / sxx if sxx else None


def run(results: Results) -> None:
    """One child per size; append the rows, the by-size table, notes and commands to ``results``."""
    sizes = QUICK_SIZES if results.quick else SIZES
    print(f"5. helpers on synthetic data of {', '.join(f'{n:,}' for n in sizes)} rows, one subprocess per size", flush=True)
    measured: list[dict] = []
    for n in sizes:
        cmd = [PY, "-m", "benchmarks", "--helpers", str(n)]
        results.commands.append(shell(cmd))
        try:
            proc = subprocess.run(cmd, cwd=ROOT, env=env(), capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            results.notes.append(f"Helpers: n={n:,}: timed out.")
            continue
        try:
            result = json.loads(proc.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            tail = proc.stderr.strip().splitlines()[-1:] or ["no output"]
            results.notes.append(f"Helpers: n={n:,}: exit status {proc.returncode}: {tail[0]}.")
            continue
        measured.append(result)
        line = ", ".join(f"{k} {fmt_s(v)}" for k, v in result["median_s"].items())
        print(f"   n={n:>9,}: {line}; peak RSS {mib(result['maxrss_peak'])}", flush=True)
    largest = next((r for r in measured if r["n"] == sizes[-1]), None)
    for name in HELPERS:
        seconds = largest["median_s"][name] if largest else None
        slope = _slope([r["n"] for r in measured], [r["median_s"][name] for r in measured])
        ok = None if seconds is None else seconds <= TARGET_HELPER_S
        results.rows.append(
            Row(
                "5",
                f"`analysis.{name}` at {sizes[-1]:,} rows",
                f"{fmt_s(seconds)} (median of {largest['reps']})" if largest else "n/a",
                f"growth exponent {sizes[0]:,} → {sizes[-1]:,}: {slope:.2f}" if slope is not None else "growth exponent: n/a",
                f"**{fmt_s(seconds)}**, exponent **{slope:.2f}**" if slope is not None and seconds is not None else "n/a",
                f"≤ {TARGET_HELPER_S:.0f} s",
                status(ok),
            )
        )
        print(
            f"   {name}: {fmt_s(seconds)} at {sizes[-1]:,} (target ≤ {TARGET_HELPER_S} s) {status(ok)}; "
            f"exponent {slope if slope is None else round(slope, 2)}"
        )
    peak = largest["maxrss_peak"] if largest else None
    ok = None if peak is None else peak < TARGET_PEAK_BYTES
    results.rows.append(
        Row(
            "5",
            f"Peak memory of the helper process at {sizes[-1]:,} rows (data + all four helpers)",
            f"{mib(peak)} (max RSS)",
            f"of which the interpreter, imports and data: {mib(largest['maxrss_data'])}" if largest else "n/a",
            f"**{mib(peak)}**",
            "< 1 GiB",
            status(ok),
        )
    )
    print(f"   peak RSS at {sizes[-1]:,}: {mib(peak)} (target < 1 GiB) {status(ok)}")
    if measured:
        results.sections += _by_size(measured)


def _by_size(measured: list[dict]) -> list[str]:
    """The "Helpers by size" section of the README."""
    lines = [
        "",
        "### Helpers by size",
        "",
        "Median seconds per call; peak memory is the process's maximum RSS (interpreter, pandas, lifelines, the data "
        "and every helper), and in brackets the most any single call allocated on top (tracemalloc).",
        "",
        "| rows | declarations × parties | " + " | ".join(f"`{h}`" for h in HELPERS) + " | peak RSS |",
        "|---:|---:|" + "---:|" * len(HELPERS) + "---:|",
    ]
    for r in measured:
        cells = [fmt_s(r["median_s"][h]) for h in HELPERS]
        biggest = max(r["traced_peak"].values())
        lines.append(
            f"| {r['n']:,} | {r['declarations']:,} × {r['parties']} | "
            + " | ".join(cells)
            + f" | {mib(r['maxrss_peak'])} (+{mib(biggest)}) |"
        )
    for part in (measured, measured[-2:]) if len(measured) > 2 else (measured,):
        slopes = [_slope([r["n"] for r in part], [r["median_s"][h] for r in part]) for h in HELPERS]
        lines.append(
            f"| exponent {part[0]['n']:,} → {part[-1]['n']:,} | | "
            + " | ".join("n/a" if s is None else f"{s:.2f}" for s in slopes)
            + " | |"
        )
    if len(measured) > 2:
        lines += [
            "",
            "At the smallest size the fixed cost of each call (pandas set-up, small allocations) is a large part of the "
            "time, so the exponent over the whole range is below the asymptotic one; the last row shows the upper decade alone.",
        ]
    checks = {r["shape_check"] for r in measured if r["shape_check"] != "not run at this size"}
    lines += ["", f"Survival data at {measured[0]['n']:,} rows: {'; '.join(sorted(checks)) or 'not checked'}."]
    return lines
