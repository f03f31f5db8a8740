"""The build: execute the notebooks and write self-contained HTML reports plus an index.

``python -m analysis build [--data-dir DIR] [--out DIR] [--jobs N] [--force] [NOTEBOOK ...]``

- Incremental: a report is rebuilt only when one of its inputs changed (the notebook, the code in
  ``analysis/``, the data folder, requirements.txt). That decision uses hashes and the standard
  library only, so "up to date" is answered without importing nbconvert.
- Parallel: notebooks run at once, one kernel each, ``--jobs`` at a time (default: the number of cores).
- Atomic: a failing notebook leaves its previous report in place; the others still build; the exit
  status is 1 and the message names the notebook, the cell and the error.
- Deterministic: the same inputs give byte-identical HTML (no timestamps, fixed hash seed).
- Self-contained and safe: an offline template (no CDN scripts), figures embedded as data URIs,
  outputs sanitized with an allowlist, and code hidden.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from analysis.schema import DATA_DIR_ENV, display_path, load_package, resolve_data_dir

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = ROOT / "notebooks"
DEFAULT_OUT = ROOT / "reports"
PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES = PACKAGE_DIR / "templates"
STATE_FILE = ".build-state.json"
#: Partner profiles: one report per partner from this parameterised notebook (see :func:`profile_jobs`).
PROFILE_NOTEBOOK = "partner_profile.ipynb"
PROFILE_DIR = "partners"
CELL_TIMEOUT_S = 600
#: Assumed duration of a report never built before, for scheduling (seconds).
DEFAULT_SECONDS = 5.0


@dataclass(frozen=True)
class Job:
    """One report to build: a notebook, its parameters, and where the HTML goes (relative to the output folder)."""

    notebook: Path
    output: str
    title: str
    parameters: tuple[tuple[str, str], ...] = ()

    @property
    def name(self) -> str:
        return self.output.removesuffix(".html")


@dataclass
class Outcome:
    job: Job
    ok: bool
    seconds: float
    message: str = ""
    warnings: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- inputs and their hashes


def _hash_files(paths: list[Path], base: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(str(path.relative_to(base)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def _code_files() -> list[Path]:
    return [p for p in PACKAGE_DIR.rglob("*") if p.is_file() and "__pycache__" not in p.parts]


def shared_inputs_key(data_dir: Path) -> str:
    """A hash of everything every report depends on: analysis/ code, the data folder, requirements.txt."""
    parts = [
        _hash_files(_code_files(), PACKAGE_DIR),
        _hash_files([p for p in data_dir.iterdir() if p.is_file()], data_dir),
        _hash_files([ROOT / "requirements.txt"], ROOT) if (ROOT / "requirements.txt").exists() else "",
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def job_key(job: Job, shared: str) -> str:
    digest = hashlib.sha256(shared.encode())
    digest.update(job.notebook.read_bytes())
    digest.update(json.dumps(job.parameters).encode())
    return digest.hexdigest()


# --------------------------------------------------------------------------- which reports


def _title(notebook: Path) -> str:
    """The notebook's first Markdown heading (read as JSON; no nbformat import)."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "markdown":
            for line in "".join(cell.get("source", [])).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return notebook.stem


def notebook_jobs(notebook_dir: Path = NOTEBOOK_DIR) -> list[Job]:
    """One job per numbered notebook (``NN_topic.ipynb``)."""
    notebooks = sorted(p for p in notebook_dir.glob("[0-9][0-9]_*.ipynb"))
    return [Job(p, f"{p.stem}.html", _title(p)) for p in notebooks]


def select(jobs: list[Job], only: list[str] | None) -> list[Job]:
    """The jobs named in ``only``: a notebook (``01_coalition_growth``, with or without ``.ipynb`` or a folder),
    ``partner_profile`` for every profile, or one profile (``partners/GBR``). Unknown names stop the build."""
    if not only:
        return jobs
    wanted = {name.removesuffix(".ipynb").removesuffix(".html") for name in only}
    wanted = {name if name.startswith(PROFILE_DIR + "/") else Path(name).name for name in wanted}
    chosen = [j for j in jobs if j.name in wanted or j.notebook.stem in wanted]
    known = {j.name for j in jobs} | {j.notebook.stem for j in jobs}
    unknown = wanted - known
    if unknown:
        raise SystemExit(f"error: no notebook or report named {', '.join(sorted(unknown))}")
    return chosen


def profile_jobs(data_dir: Path, notebook_dir: Path = NOTEBOOK_DIR) -> list[Job]:
    """One job per partner (anyone with an agreement or a negotiation event), read with the csv module."""
    import csv

    notebook = notebook_dir / PROFILE_NOTEBOOK
    if not notebook.exists():
        return []
    partners: set[str] = set()
    for table in ("agreements", "events"):
        path = data_dir / f"{table}.csv"
        if path.exists():
            with open(path, encoding="utf-8", newline="") as fh:
                partners.update(row["party_id"] for row in csv.DictReader(fh) if row.get("party_id"))
    names = {}
    parties = data_dir / "parties.csv"
    if parties.exists():
        with open(parties, encoding="utf-8", newline="") as fh:
            names = {row["party_id"]: row["party_name"] for row in csv.DictReader(fh)}
    return [
        Job(notebook, f"{PROFILE_DIR}/{code}.html", f"Partner profile: {names.get(code, code)}", (("party_id", code),))
        for code in sorted(partners)
    ]


# --------------------------------------------------------------------------- execution (heavy imports live here)


def _allowed_html() -> dict:
    tags = [
        "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "details", "div", "dl", "dt", "em", "h1", "h2",
        "h3", "h4", "h5", "hr", "i", "li", "ol", "p", "pre", "small", "span", "strong", "sub", "summary", "sup",
        "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
    ]  # fmt: skip
    attributes = {"*": ["class", "id", "title"], "a": ["href", "rel", "class", "title"], "td": ["class", "colspan", "rowspan"],
                  "th": ["class", "colspan", "rowspan", "scope"]}  # fmt: skip
    return {"tags": tags, "attributes": attributes}


def _prepare(job: Job, reset: bool):
    """Read the notebook, inject its parameters, and give cells stable ids (so the HTML does not change)."""
    import nbformat

    nb = nbformat.read(job.notebook, as_version=4)
    if job.parameters:
        assignments = "\n".join(f"{k} = {v!r}" for k, v in job.parameters)
        cell = nbformat.v4.new_code_cell(f"# Parameters injected by the build\n{assignments}")
        cell.metadata["tags"] = ["injected-parameters"]
        position = next((i + 1 for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])), 0)
        nb.cells.insert(position, cell)
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{index}"  # the same ids whether or not the kernel is shared
    if reset:  # a kernel reused for several reports starts each one from an empty namespace
        cell = nbformat.v4.new_code_cell("%reset -f\nimport matplotlib.pyplot\nmatplotlib.pyplot.close('all')")
        cell["id"] = "reset"
        nb.cells.insert(0, cell)
    return nb


def _failure(nb, exc: Exception) -> str:
    """Which cell failed, and with which error, from the executed notebook."""
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if output.get("output_type") == "error":
                return f"cell {index}: {output['ename']}: {output['evalue']}"
    lines = str(exc).strip().splitlines()
    return f"a cell: {lines[-1] if lines else type(exc).__name__}"


def _run_batch(batch: list[Job], data_dir: Path, out_dir: Path) -> list[Outcome]:
    """Execute the jobs one after another in one kernel, exporting each that succeeds."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    env = dict(
        os.environ, **{DATA_DIR_ENV: str(data_dir)}, PYTHONHASHSEED="0", MPLBACKEND="module://matplotlib_inline.backend_inline"
    )
    client = NotebookClient(
        nbformat.v4.new_notebook(),
        timeout=CELL_TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(batch[0].notebook.parent)}},
        record_timing=False,
        extra_arguments=["--IPKernelApp.log_level=ERROR"],  # the kernel's TCP notice is noise on a local build
    )
    outcomes: list[Outcome] = []
    reset = len(batch) > 1
    exporter = _exporter()
    try:
        with client.setup_kernel(env=env):
            for job in batch:
                started = time.perf_counter()
                nb = _prepare(job, reset)
                client.nb = nb
                client.reset_execution_trackers()
                try:
                    for index, cell in enumerate(nb.cells):
                        client.execute_cell(cell, index)
                except CellExecutionError as exc:
                    outcomes.append(Outcome(job, False, time.perf_counter() - started, _failure(nb, exc)))
                    continue
                if reset:
                    nb.cells.pop(0)
                warnings = _export(job, nb, data_dir, out_dir, exporter)
                outcomes.append(Outcome(job, True, time.perf_counter() - started, warnings=warnings))
    except Exception as exc:  # the kernel died or timed out: report it, never a traceback
        done = {o.job for o in outcomes}
        outcomes += [Outcome(j, False, 0.0, f"{type(exc).__name__}: {exc}") for j in batch if j not in done]
    return outcomes


def _exporter():
    """The HTML exporter: offline template, hidden code, sanitized outputs (one per batch: building it is slow)."""
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors.sanitize import SanitizeHTML
    from traitlets.config import Config

    config = Config()
    config.SanitizeHTML.update(_allowed_html())
    config.SanitizeHTML.strip = False
    exporter = HTMLExporter(
        config=config,
        template_name="offline",
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    exporter.register_preprocessor(SanitizeHTML(config=config), enabled=True)
    return exporter


def _export(job: Job, nb, data_dir: Path, out_dir: Path, exporter) -> list[str]:
    """Write the executed notebook as sanitized, offline HTML (atomically); return stderr lines left out."""
    warnings = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            kept = []
            for output in cell.get("outputs", []):
                if output.get("output_type") == "stream" and output.get("name") == "stderr":
                    text = output.get("text", "").strip()
                    warnings.append(text.splitlines()[-1] if text else "")
                    continue
                kept.append(output)
            cell.outputs = kept
    nb.metadata["title"] = job.title

    depth = job.output.count("/")
    version = load_package(data_dir)
    resources = {
        "metadata": {"name": job.title},
        "report_css": (TEMPLATES / "report.css").read_text(encoding="utf-8"),
        "report": {
            "version": version.get("version", "?"),
            "cutoff_date": version.get("cutoff_date", "?"),
            "name": job.title,
            "index_href": "../" * depth + "index.html",
        },
    }
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    target = out_dir / job.output
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".html.tmp")
    tmp.write_text(body, encoding="utf-8")
    os.replace(tmp, target)
    return [w for w in warnings if w]


def _batches(todo: list[Job], workers: int, seconds: dict[str, float] | None = None) -> list[list[Job]]:
    """One kernel per notebook; the runs of one parameterised notebook share a kernel per worker.

    Batches are ordered longest first, by the time each report took last time (unknown: a default),
    so that a slow notebook does not start last and hold up the end of the build.

    >>> a, b = Job(Path("a.ipynb"), "a.html", "A"), Job(Path("b.ipynb"), "b.html", "B")
    >>> [[j.name for j in batch] for batch in _batches([a, b], 2, {"a.html": 2.0, "b.html": 9.0})]
    [['b'], ['a']]
    """
    seconds = seconds or {}
    single = [[j] for j in todo if not j.parameters]
    runs = [j for j in todo if j.parameters]
    chunks = max(1, min(workers, len(runs)))
    batches = single + [runs[i::chunks] for i in range(chunks) if runs[i::chunks]]
    return sorted(batches, key=lambda batch: -sum(seconds.get(j.output, DEFAULT_SECONDS) for j in batch))


# --------------------------------------------------------------------------- index page


def _partner_facts(data_dir: Path) -> dict[str, dict[str, str]]:
    """Per partner: joined, opened, signed dates and stage as of the data's cut-off (for the index table)."""
    from analysis.coalition import G7_DECLARATION
    from analysis.load import data_version, load_dataset
    from analysis.negotiations import partner_status

    ds = load_dataset(data_dir)
    status = partner_status(ds.signatories, ds.events, ds.agreements, data_version(data_dir)["cutoff_date"], G7_DECLARATION)
    facts = {}
    for row in status.to_dict("records"):
        facts[row["party_id"]] = {
            k: (row[k].strftime("%Y-%m-%d") if hasattr(row[k], "strftime") and row[k] == row[k] else None)
            for k in ("joined_date", "opened_date", "signed_date")
        } | {"stage": row["stage"]}
    return facts


def write_index(out_dir: Path, jobs: list[Job], data_dir: Path) -> None:
    """``index.html``: the data release, a link per report, and the partner profiles as a sortable table."""
    package = load_package(data_dir)
    version, cutoff = html.escape(str(package.get("version", "?"))), html.escape(str(package.get("cutoff_date", "?")))
    reports = [j for j in jobs if not j.output.startswith(PROFILE_DIR + "/") and (out_dir / j.output).exists()]
    profiles = sorted(
        (j for j in jobs if j.output.startswith(PROFILE_DIR + "/") and (out_dir / j.output).exists()), key=lambda j: j.title
    )
    items = "\n".join(f'<li><a href="{html.escape(j.output)}">{html.escape(j.title)}</a></li>' for j in reports)
    partner_rows = ""
    facts = _partner_facts(data_dir) if profiles else {}
    for j in profiles:
        code = dict(j.parameters)["party_id"]
        f = facts.get(code, {})
        cells = [
            f'<a href="{html.escape(j.output)}">{html.escape(j.title.removeprefix("Partner profile: "))}</a>',
            html.escape(str(f.get("joined_date") or "–")),
            html.escape(str(f.get("opened_date") or "–")),
            html.escape(str(f.get("signed_date") or "–")),
            html.escape(str(f.get("stage") or "–")),
        ]
        partner_rows += "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>\n"
    partners = ""
    if profiles:
        partners = f"""
<h2>Partner profiles</h2>
<p>One page per partner that signed or negotiated a bilateral security agreement. Click a column heading to sort.</p>
<table class="data-table sortable" id="partners">
<thead><tr><th>Partner</th><th>Joined the declaration</th><th>Talks opened</th><th>Signed</th><th>Stage</th></tr></thead>
<tbody>
{partner_rows}</tbody></table>"""
    sorter = (
        """
<script>
document.querySelectorAll("table.sortable th").forEach(function (th, col) {
  th.style.cursor = "pointer";
  th.addEventListener("click", function () {
    var body = th.closest("table").tBodies[0];
    var asc = th.dataset.asc !== "1";
    th.dataset.asc = asc ? "1" : "0";
    Array.from(body.rows).sort(function (a, b) {
      var x = a.cells[col].textContent, y = b.cells[col].textContent;
      return asc ? x.localeCompare(y) : y.localeCompare(x);
    }).forEach(function (row) { body.appendChild(row); });
  });
});
</script>"""
        if profiles
        else ""
    )
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    script_hash = ""
    if sorter:
        import base64

        digest = hashlib.sha256(sorter.split("<script>")[1].split("</script>")[0].encode()).digest()
        script_hash = f" 'sha256-{base64.b64encode(digest).decode()}'"
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src{script_hash or " 'none'"}; img-src data:; base-uri 'none'; form-action 'none'">
<title>Ukraine's security guarantees: reports</title>
<style>
body {{ font: 15px/1.5 system-ui, sans-serif; max-width: 1000px; margin: 2rem auto; padding: 0 1.5rem; color: #222; }}
{css}
</style>
</head>
<body>
<h1>Ukraine's security guarantees: reports</h1>
<p class="callout">Data version <strong>{version}</strong>, cut-off <strong>{cutoff}</strong>.
Every fact in these reports comes from a sourced row in the project's data; each report ends with its sources and caveats.</p>
<h2>Reports</h2>
<ul>
{items}
</ul>{partners}
{sorter}
</body>
</html>
"""
    tmp = out_dir / "index.html.tmp"
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, out_dir / "index.html")


# --------------------------------------------------------------------------- entry point


def _read_state(out_dir: Path) -> dict[str, dict]:
    """Per report: the hash of the inputs it was built from, and how long it took (for scheduling)."""
    try:
        state = json.loads((out_dir / STATE_FILE).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}
    # An unreadable or old-style entry only means that report is rebuilt.
    return {k: v for k, v in state.items() if isinstance(v, dict)} if isinstance(state, dict) else {}


def main(
    data_dir: str | None = None,
    out_dir: str | None = None,
    jobs: int | None = None,
    force: bool = False,
    only: list[str] | None = None,
    notebook_dir: str | None = None,
) -> int:
    """Build the reports; returns the exit status (0 ok, 1 if any notebook or the data failed)."""
    data = resolve_data_dir(data_dir)
    out = Path(out_dir).resolve() if out_dir else DEFAULT_OUT
    notebooks = Path(notebook_dir).resolve() if notebook_dir else NOTEBOOK_DIR
    out.mkdir(parents=True, exist_ok=True)
    everything = notebook_jobs(notebooks) + profile_jobs(data, notebooks)
    all_jobs = select(everything, only)
    shared = shared_inputs_key(data)
    state = _read_state(out)
    keys = {job.output: job_key(job, shared) for job in all_jobs}
    todo = [
        j for j in all_jobs if force or state.get(j.output, {}).get("key") != keys[j.output] or not (out / j.output).exists()
    ]
    index_missing = not (out / "index.html").exists()
    if not todo and not index_missing:
        print(f"up to date: {len(all_jobs)} report(s) in {display_path(out)}")
        return 0

    if todo:
        from analysis.validation import validate

        report = validate(data)
        if not report.ok:
            for problem in report.problems:
                print(problem)
            print(f"build stopped: the data in {display_path(data)} has {len(report.problems)} problem(s); nothing was rebuilt")
            return 1

    workers = max(1, jobs or os.cpu_count() or 1)
    print(f"building {len(todo)} of {len(all_jobs)} report(s) with {min(workers, max(1, len(todo)))} job(s) at a time")
    failures: list[Outcome] = []
    done = 0
    with ThreadPoolExecutor(max_workers=workers) as pool:
        seconds = {output: entry.get("seconds", DEFAULT_SECONDS) for output, entry in state.items()}
        futures = [pool.submit(_run_batch, batch, data, out) for batch in _batches(todo, workers, seconds)]
        for future in as_completed(futures):
            for outcome in future.result():
                done += 1
                status = "ok" if outcome.ok else "FAILED"
                print(f"[{done}/{len(todo)}] {outcome.job.name}: {status} ({outcome.seconds:.1f} s)", flush=True)
                for warning in outcome.warnings:
                    print(f"    warning (stderr, left out of the report): {warning}")
                if outcome.ok:
                    state[outcome.job.output] = {"key": keys[outcome.job.output], "seconds": round(outcome.seconds, 1)}
                else:
                    failures.append(outcome)
                    state.pop(outcome.job.output, None)
    (out / STATE_FILE).write_text(json.dumps(dict(sorted(state.items())), indent=1) + "\n", encoding="utf-8")
    # The index lists every report in the folder, not only those this run built.
    write_index(out, everything, data)
    for failure in failures:
        kept = "the previous report is kept" if (out / failure.job.output).exists() else "no report written"
        print(
            f"error: notebook {display_path(failure.job.notebook)} ({failure.job.name}) failed at {failure.message}; {kept}",
            file=sys.stderr,
        )
    built = len(todo) - len(failures)
    print(f"{built} report(s) built, {len(failures)} failed; index: {display_path(out / 'index.html')}")
    return 1 if failures else 0
