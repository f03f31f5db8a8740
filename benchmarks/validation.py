"""``python -m benchmarks.validation``: the validator at scale, side by side with ``pandas.read_csv``.

In a copy of ``data/`` an events table of 1,000,000 rows is generated (10,000 synthetic partners × 100 steps of
negotiation each, merged with the shipped events; the synthetic partners are added to ``parties.csv``), valid in
one copy and broken in every generated row in another (a misspelt event type; every third row also an impossible
date, every fifth a description with a trailing space). Then, each command in its own subprocess, interleaved
(A, B, C, A, B, C, …), medians of 3:

- ``python -m analysis validate --data-dir <valid copy>`` against a ``pandas.read_csv`` of the same
  ``events.csv`` with the loaders' options (``dtype=str, keep_default_na=False, na_values=[""]``), interpreter
  start-up and ``import pandas`` included: the ratio of the medians, and each one's peak memory (maximum resident
  set size of the subprocess, from ``os.wait4``);
- the validator on the broken copy: its time, peak memory, and how many lines it prints.

Targets: ratio ≤ 3, the validator's peak memory under 300 MB, and the broken report a screenful (≤ 100 lines).
Benchmarks report, they never fail. ``run()`` returns the rows; run alone, the module prints them as Markdown.
``python -m benchmarks.validation --generate DIR`` only writes the two folders (``run`` does it in a child process).
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import os
import shutil
import statistics
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from analysis.paths import DATA_DIR as DATA  # noqa: E402
from analysis.paths import ROOT  # noqa: E402

WORKDIR = ROOT / "benchmarks" / ".work" / "validation"

ROWS = 1_000_000
STEPS = 100  # events per synthetic partner: event ids run from <code>-00 to <code>-99
REPS = 3
TARGET_RATIO = 3.0
TARGET_PEAK_BYTES = 300 * 1000 * 1000
TARGET_LINES = 100
TIMEOUT_S = 1200
FIRST_DAY = dt.date(2010, 1, 1)  # synthetic talks run from here, a few days apart, all before the cut-off


# --------------------------------------------------------------------------- the synthetic data


def _codes(taken: set[str], n: int) -> list[str]:
    """``n`` three-letter party codes, in order, none of them a real party's."""
    fresh = ("".join(t) for t in itertools.product(string.ascii_uppercase, repeat=3))
    return list(itertools.islice((c for c in fresh if c not in taken), n))


def _read(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        header, *rows = csv.reader(fh)
    return header, rows


def _write(path: Path, header: list[str], rows) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def make_folders(workdir: Path, rows: int = ROWS) -> tuple[Path, Path]:
    """Two copies of data/ with a ``rows``-row events table: one valid, one with problems in every generated row."""
    header, events = _read(DATA / "events.csv")
    party_header, parties = _read(DATA / "parties.csv")
    sources = [row[0] for row in _read(DATA / "sources.csv")[1]]
    codes = _codes({row[0] for row in parties}, rows // STEPS)
    column = {name: i for i, name in enumerate(header)}

    def synthetic(broken: bool):
        for n, code in enumerate(codes):
            start = FIRST_DAY + dt.timedelta(days=n % 1000)
            for step in range(STEPS):
                row = [""] * len(header)
                row[column["event_id"]] = f"{code.lower()}-{step:02d}"
                row[column["party_id"]] = code
                row[column["event_type"]] = "negotiations_opened" if step == 0 else "negotiation_round"
                row[column["event_date"]] = (start + dt.timedelta(days=3 * step)).isoformat()
                row[column["date_precision"]] = "day"
                if "track" in column:  # release 1.1.0: every step belongs to a track
                    row[column["track"]] = "bilateral_agreement"
                row[column["ukraine_lead"]] = "Ihor Zhovkva (Deputy Head of the Office of the President)"
                row[column["description"]] = f"Round {step} of the talks with {code}: the draft text was discussed and a further round agreed."
                row[column["source_id"]] = sources[(n + step) % len(sources)]
                row[column["note"]] = "" if step % 4 else f"Synthetic row {n * STEPS + step} for the benchmark."
                if broken:
                    row[column["event_type"]] = "negotiation_rnd"
                    if step % 3 == 0:
                        row[column["event_date"]] = row[column["event_date"]][:8] + "32"
                    if step % 5 == 0:
                        row[column["description"]] += " "
                yield row

    folders = []
    for name, broken in (("valid", False), ("broken", True)):
        folder = workdir / name
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(DATA, folder)
        _write(folder / "parties.csv", party_header, sorted(parties + [[c, f"Synthetic partner {c}", "state"] for c in codes]))
        merged = sorted(itertools.chain(events, synthetic(broken)), key=lambda row: row[0])
        _write(folder / "events.csv", header, merged)
        folders.append(folder)
    return folders[0], folders[1]


# --------------------------------------------------------------------------- measuring


def measure(cmd: list[str], cwd: Path) -> dict:
    """Run ``cmd`` once: wall time, peak RSS (this child's own, from wait4), exit status and output lines."""
    env = {k: v for k, v in os.environ.items() if k != "ANALYSIS_DATA_DIR"}
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        deadline = started + TIMEOUT_S
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.005)
        elapsed = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    return {"seconds": elapsed, "peak_bytes": usage.ru_maxrss * 1024, "status": proc.returncode, "output": text}


def _mb(n: float) -> str:
    return f"{n / 1e6:.0f} MB"


def run(python: str, workdir: Path) -> list[dict]:
    """Generate the folders in ``workdir`` and measure; one dict per results row (see the module docstring)."""
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"generating {ROWS:,} events in {workdir} ...", flush=True)
    # NOTE: in a child process, so that this one stays small: a child's peak RSS counts the pages it shares with
    # its parent between fork and exec, which would otherwise hide the figure being measured.
    subprocess.run([python, "-m", "benchmarks.validation", "--generate", str(workdir)], cwd=ROOT, check=True, timeout=TIMEOUT_S)
    valid, broken = workdir / "valid", workdir / "broken"
    events = valid / "events.csv"
    read = (
        "import pandas as pd; "
        f"pd.read_csv({str(events)!r}, dtype=str, keep_default_na=False, na_values=[''], encoding='utf-8')"
    )
    commands = {
        "validate": [python, "-m", "analysis", "validate", "--data-dir", str(valid)],
        "read_csv": [python, "-c", read],
        "broken": [python, "-m", "analysis", "validate", "--data-dir", str(broken)],
    }
    runs: dict[str, list[dict]] = {name: [] for name in commands}
    for rep in range(REPS):
        for name, cmd in commands.items():
            result = measure(cmd, ROOT)
            runs[name].append(result)
            print(f"  [{rep + 1}/{REPS}] {name}: {result['seconds']:.2f} s, {_mb(result['peak_bytes'])}, exit {result['status']}", flush=True)

    def median(name: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[name])

    ratio = median("validate", "seconds") / median("read_csv", "seconds")
    peak = max(r["peak_bytes"] for r in runs["validate"])
    lines = runs["broken"][-1]["output"].splitlines()
    problems = lines[-1] if lines else ""
    size = events.stat().st_size
    valid_ok = all(r["status"] == 0 for r in runs["validate"])
    broken_ok = all(r["status"] == 1 for r in runs["broken"])
    return [
        {
            "what": f"`python -m analysis validate` on {ROWS:,} valid events ({size / 1e6:.0f} MB)",
            "seconds": median("validate", "seconds"),
            "runs": [r["seconds"] for r in runs["validate"]],
            "peak_bytes": peak,
            "compared_with": "`pandas.read_csv` of the same events.csv (loaders' options)",
            "compared_seconds": median("read_csv", "seconds"),
            "compared_peak_bytes": max(r["peak_bytes"] for r in runs["read_csv"]),
            "figure": f"ratio {ratio:.2f}, peak {_mb(peak)}",
            "target": f"ratio ≤ {TARGET_RATIO:g}, peak < {_mb(TARGET_PEAK_BYTES)}",
            "ok": valid_ok and ratio <= TARGET_RATIO and peak < TARGET_PEAK_BYTES,
            "command": " ".join(commands["validate"]),
        },
        {
            "what": f"`python -m analysis validate` on {ROWS:,} broken events",
            "seconds": median("broken", "seconds"),
            "runs": [r["seconds"] for r in runs["broken"]],
            "peak_bytes": max(r["peak_bytes"] for r in runs["broken"]),
            "compared_with": "",
            "compared_seconds": None,
            "compared_peak_bytes": None,
            "figure": f"{len(lines)} lines printed ({problems})",
            "target": f"≤ {TARGET_LINES} lines, exit status 1",
            "ok": broken_ok and len(lines) <= TARGET_LINES,
            "command": " ".join(commands["broken"]),
        },
    ]


def markdown(rows: list[dict]) -> str:
    """The rows as a Markdown table, then the commands."""
    lines = [
        "| What | Median (runs) | Peak RSS | Compared with | Figure | Target | Status |",
        "|------|---------------|----------|---------------|--------|--------|--------|",
    ]
    for row in rows:
        compared = row["compared_with"]
        if row["compared_seconds"] is not None:
            compared += f": {row['compared_seconds']:.2f} s, {_mb(row['compared_peak_bytes'])}"
        runs = ", ".join(f"{t:.2f}" for t in row["runs"])
        lines.append(
            f"| {row['what']} | {row['seconds']:.2f} s ({runs}) | {_mb(row['peak_bytes'])} | {compared or '–'} "
            f"| **{row['figure']}** | {row['target']} | {'ok' if row['ok'] else 'MISSED'} |"
        )
    lines += ["", "```sh", *(row["command"] for row in rows), "```"]
    return "\n".join(lines)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--generate"]:
        make_folders(Path(sys.argv[2]))
    else:
        print(markdown(run(sys.executable, WORKDIR)))
