"""The site around the reports: the landing page, the data page, downloads and navigation.

Pages are rendered from the Jinja templates in ``analysis/templates/site/`` with autoescaping on, so
every string from the data is escaped. Nothing here loads from the network: scripts are inline and
allowed by their hash in each page's content-security policy.

- :func:`page_context` is what each report's template gets: the release, its place in the reading
  order (previous and next), and links to the index and the data page.
- :func:`write` renders ``index.html``, ``data.html`` and ``glossary.html`` and copies the data package into ``data/``
  next to the reports, so every download works offline.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
from pathlib import Path

from analysis.build.plan import Job, State, file_digest, write_atomic
from analysis.paths import TEMPLATES

SITE_TEMPLATES = TEMPLATES / "site"
#: Where the data package is copied, relative to the output folder.
DATA_DOWNLOADS = "data"
#: Where the notebooks' chart and table CSVs land, relative to the output folder.
CHART_DOWNLOADS = "downloads"
SITE_PAGES = ("index.html", "data.html", "glossary.html")
#: The landing page's charts and the partner table, kept between builds: they depend only on the inputs key.
CACHE_FILE = ".site-cache.json"


def _environment():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=FileSystemLoader(str(SITE_TEMPLATES)),
        autoescape=select_autoescape(["html", "j2"], default=True),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["csp_hash"] = script_hash
    return env


def script_hash(script: str) -> str:
    """The CSP source that allows exactly this inline script.

    >>> script_hash("x")
    "'sha256-LHYT4mxGqhMRNnU2e+Bb8gmRzEBM6j8hvw0ieP9TxOY='"
    """
    return f"'sha256-{base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()}'"


def release_of(data_dir: Path) -> dict:
    """The release (:func:`analysis.landing.release`) and the glossary's terms, which every report links."""
    from analysis.landing import release

    return release(data_dir) | {"glossary": glossary_of(data_dir)}


def glossary_of(data_dir: Path) -> list[dict]:
    """The glossary's terms (:func:`analysis.glossary.terms`); none when the data has no glossary table."""
    from analysis.glossary import terms
    from analysis.load import load_dataset

    ds = load_dataset(data_dir)
    return terms(ds["glossary"], ds.sources) if "glossary" in ds else []


def short_title(job: Job) -> str:
    """The report's title for the navigation bar: its first clause.

    >>> short_title(Job(Path("x.ipynb"), "x.html", "From talks to agreements: the negotiations"))
    'From talks to agreements'
    """
    return job.title.split(":")[0].strip()


def reading_order(everything: list[Job]) -> list[Job]:
    """The main reports in notebook order (profiles are reached from the index, not the chain)."""
    return [j for j in everything if not j.is_profile]


def page_context(job: Job, everything: list[Job], release: dict) -> dict:
    """What the report template needs around the notebook: release (:func:`analysis.landing.release`, computed
    once per build), navigation, footer."""
    depth = job.output.count("/")
    up = "../" * depth
    order = reading_order(everything)
    previous = following = None
    if job in order:
        at = order.index(job)
        previous = order[at - 1] if at > 0 else None
        following = order[at + 1] if at + 1 < len(order) else None
    return {
        "version": release["version"],
        "cutoff_date": release["cutoff_date"],
        "release": release,
        "reports": [{"href": f"{up}{j.output}", "short": short_title(j), "current": j == job} for j in order],
        "script": _script(),
        "script_hash": script_hash(_script()),
        "name": job.title,
        "index_href": f"{up}index.html",
        "data_href": f"{up}data.html",
        "root": up,
        "previous": {"title": previous.title, "href": f"{up}{previous.output}"} if previous else None,
        "next": {"title": following.title, "href": f"{up}{following.output}"} if following else None,
        "is_profile": job.is_profile,
    }


# --------------------------------------------------------------------------- the pages


def _partner_rows(data_dir: Path, profiles: list[Job]) -> list[dict]:
    """Per partner with a page: its name, and when it joined, opened talks and signed (as of the cut-off)."""
    from analysis import labels
    from analysis.coalition import G7_DECLARATION
    from analysis.load import data_version, load_dataset
    from analysis.negotiations import partner_status

    ds = load_dataset(data_dir)
    status = partner_status(ds.signatories, ds.events, ds.agreements, data_version(data_dir)["cutoff_date"], G7_DECLARATION)
    facts = {row["party_id"]: row for row in status.to_dict("records")}
    rows = []
    for job in sorted(profiles, key=lambda j: j.title):
        code = dict(job.parameters)["party_id"]
        row = facts.get(code, {})
        rows.append(
            {
                "href": job.output,
                "name": job.title,
                **{f"{k}_iso": labels.iso(row.get(f"{k}_date")) for k in ("joined", "opened", "signed")},
                **{k: labels.format_date(row.get(f"{k}_date")) for k in ("joined", "opened", "signed")},
                "stage": labels.STAGE_LABELS.get(row.get("stage"), row.get("stage") or ""),
            }
        )
    return rows


def _copy_data(data_dir: Path, out: Path) -> list[dict]:
    """Copy the data package next to the reports; return one entry per file (name, size, what it is)."""
    from analysis.schema import load_package

    target = out / DATA_DOWNLOADS
    target.mkdir(parents=True, exist_ok=True)
    package = load_package(data_dir)
    files = [("datapackage.json", "The schema: every column's type, constraints and keys (Frictionless Data Package)")]
    files += [(r["path"], r.get("description", "")) for r in package["resources"]]
    files += [(name, text) for name, text in (("README.md", "The data dictionary, method, conflicts and known gaps"),
                                             ("CHANGELOG.md", "The data releases and what changed")) if (data_dir / name).exists()]  # fmt: skip
    listed = []
    for name, description in files:
        source = data_dir / name
        if source.resolve().parent != data_dir.resolve():
            continue  # only files inside the data folder are published
        copy = target / Path(name).name
        if file_digest(copy) != file_digest(source):
            tmp = copy.with_name(f".{copy.name}.tmp")
            shutil.copyfile(source, tmp)
            tmp.replace(copy)
        listed.append({"href": f"{DATA_DOWNLOADS}/{copy.name}", "name": copy.name, "description": description,
                       "kb": max(1, round(copy.stat().st_size / 1024))})  # fmt: skip
    return listed


def _script() -> str:
    return (SITE_TEMPLATES / "tables.js").read_text(encoding="utf-8")


def css() -> str:
    """The stylesheet of every page: the report styles, then the site's (navigation, tables, cards)."""
    return (TEMPLATES / "report.css").read_text(encoding="utf-8") + (SITE_TEMPLATES / "site.css").read_text(encoding="utf-8")


def publish_downloads(folder: Path | None, out: Path) -> dict[str, str]:
    """Move a report's CSV files into ``downloads/`` next to the reports; return their names and digests."""
    published: dict[str, str] = {}
    if folder is None or not folder.is_dir():
        return published
    target = out / CHART_DOWNLOADS
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(folder.glob("*.csv")):
        text = path.read_text(encoding="utf-8")
        write_atomic(target / path.name, text)
        published[f"{CHART_DOWNLOADS}/{path.name}"] = hashlib.sha256(text.encode()).hexdigest()
    return published


def _site_key(shared: str, everything: list[Job], out: Path, state: State | None = None) -> str:
    """What the site pages depend on: the inputs, and which reports are on disk with which content.

    A report's content is identified by the digest the state recorded when it landed (the freshness check
    compares it with the file), so a no-op build does not hash every report twice.
    """
    recorded = state.reports if state is not None else {}
    present = [
        (j.output, j.title, recorded.get(j.output, {}).get("sha256") or file_digest(out / j.output))
        for j in everything
        if (out / j.output).exists()
    ]
    return hashlib.sha256(json.dumps([shared, present]).encode()).hexdigest()


def is_current(out: Path, state: State, shared: str, everything: list[Job]) -> bool:
    """Whether the site pages on disk were written from these inputs and these reports."""
    recorded = state.plan.get("site")
    if not isinstance(recorded, dict) or recorded.get("key") != _site_key(shared, everything, out, state):
        return False
    return all(file_digest(out / page) == recorded.get(page) for page in SITE_PAGES)


def _computed(out: Path, data_dir: Path, shared: str, everything: list[Job]) -> dict:
    """The landing page's content and every partner's row, from the cache when the inputs are unchanged (drawing the
    charts and the map takes seconds)."""
    from analysis import landing

    path = out / CACHE_FILE
    try:
        cached = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(cached, dict) and cached.get("key") == shared and {"landing", "partners"} <= set(cached):
            return cached
    except (OSError, ValueError):
        pass
    profiles = [j for j in everything if j.is_profile]
    computed = {"key": shared, "landing": landing.content(data_dir), "partners": _partner_rows(data_dir, profiles) if profiles else []}
    write_atomic(path, json.dumps(computed))
    return computed


def write(out: Path, everything: list[Job], data_dir: Path, state: State, shared: str) -> None:
    """Render the landing page and the data page, copy the downloads, and record what was written."""
    from analysis import landing

    env = _environment()
    release = release_of(data_dir)
    present = [j for j in everything if (out / j.output).exists()]
    reports = [j for j in reading_order(present)]
    computed = _computed(out, data_dir, shared, everything)
    on_disk = {j.output for j in present}
    downloads = _copy_data(data_dir, out)
    common = {
        "release": release,
        "reports": [{"href": j.output, "title": j.title, "short": short_title(j)} for j in reports],
        "downloads": downloads,
        "css": css(),
        "scripts": _script(),
        "root": "",
    }
    pages = {
        "index.html": env.get_template("index.html.j2").render(
            **common, current="index.html", partners=[p for p in computed["partners"] if p["href"] in on_disk], landing=computed["landing"]
        ),
        "data.html": env.get_template("data.html.j2").render(**common, current="data.html", method=landing.data_readme_html(data_dir),
                                                             changelog=landing.changelog_html(data_dir)),
        "glossary.html": env.get_template("glossary.html.j2").render(**common, current="glossary.html", terms=release["glossary"]),
    }  # fmt: skip
    from analysis.glossary import link_terms

    index = pages["index.html"]
    start, end = index.find("<main"), index.rfind("</main>")
    if start >= 0 and end > start:  # the landing page links its terms to the glossary, as the reports do
        pages["index.html"] = index[:start] + link_terms(index[start:end], release["glossary"]) + index[end:]
    recorded = {"key": _site_key(shared, everything, out, state)}
    for name, text in pages.items():
        write_atomic(out / name, text)
        recorded[name] = hashlib.sha256(text.encode()).hexdigest()
    state.plan["site"] = recorded
    state.save()
