"""The site around the reports: the landing page, the data page, downloads and navigation.

Pages are rendered from the Jinja templates in ``analysis/templates/site/`` with autoescaping on, so
every string from the data is escaped. Nothing here loads from the network: scripts are inline and
allowed by their hash in each page's content-security policy.

- :func:`page_context` is what each report's template gets: the release, its place in the reading
  order (previous and next), and links to the index and the data page.
- :func:`write` renders ``index.html``, ``data.html`` and ``glossary.html`` and copies the data package into ``data/``
  next to the reports, so every download works offline.

Like the reports, the release line and the site pages depend on what they read: each is recorded with the
files it read (:func:`analysis.schema.recording`) and is redone only when one of them, the code or the
environment changed (:func:`known_release`, :func:`is_current`).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import os
from pathlib import Path

from analysis.build.plan import Inputs, Job, file_digest, output_path
from analysis.build.state import State, write_atomic
from analysis.paths import TEMPLATES

SITE_TEMPLATES = TEMPLATES / "site"
#: Where the data package is copied, relative to the output folder.
DATA_DOWNLOADS = "data"
#: Where the notebooks' chart and table CSVs land, relative to the output folder.
CHART_DOWNLOADS = "downloads"
SITE_PAGES = ("index.html", "data.html", "glossary.html")
#: The landing page's charts and the partner table, kept between builds: they depend only on the inputs key.
CACHE_FILE = ".site-cache.json"
#: A folder where builds into different output folders share those (same code, same data files: same content).
SHARED_CACHE_ENV = "ANALYSIS_SITE_CACHE"


@functools.cache
def _environment():
    """The site pages' Jinja environment, one per process (it compiles each template once; an edited one is read
    again)."""
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
    "'sha256-LXEWQrcmsEQBYnyp+6wy9chTD7GQPMTbAiWHF5IaSIE='"
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


def known_release(state: State, inputs: Inputs, base: str) -> dict | None:
    """The release line recorded by the last build, if the code, the environment and every file it read are
    unchanged (then no data needs loading to know it); else None."""
    recorded = state.plan.get("release")
    if isinstance(recorded, dict) and recorded.get("key") == base and inputs.match(recorded.get("reads")):
        value = recorded.get("value")
        if isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items() if k != "glossary") \
                and isinstance(value.get("glossary", []), list):  # a state file that says anything else is not trusted
            return value
    return None


def compute_release(data_dir: Path, state: State, inputs: Inputs, base: str) -> dict:
    """The release line, computed now (loads the data), and recorded in the state with what it read."""
    from analysis.schema import recording

    with recording() as record:
        value = release_of(data_dir)
    state.plan["release"] = {"key": base, "reads": {inputs.name(k): v for k, v in record.items()}, "value": value}
    return value


def context_digest(job: Job, everything: list[Job], release: dict) -> str:
    """What the page around a report shows (release line, navigation, footer), as one digest for its key."""
    return hashlib.sha256(json.dumps(page_context(job, everything, release), sort_keys=True, default=str).encode()).hexdigest()


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
    """Per partner with a page: its name, and when it joined, opened talks and signed, from the one definition of
    each partner fact (:func:`analysis.partners.profile`, stages as of the last report on the bilateral track)."""
    from analysis import labels
    from analysis.coalition import G7_DECLARATION
    from analysis.load import data_version, load_dataset
    from analysis.partners import profiles as partner_profiles

    ds = load_dataset(data_dir)
    cutoff = data_version(data_dir)["cutoff_date"]
    jobs = sorted(profiles, key=lambda j: j.title)
    every = partner_profiles(ds, [dict(job.parameters)["party_id"] for job in jobs], cutoff, G7_DECLARATION)
    rows = []
    for job in jobs:
        facts = every[dict(job.parameters)["party_id"]]
        dates = {"joined": (facts["joined_date"], facts["joined_precision"]), "opened": (facts["opened_date"], facts["opened_precision"]),
                 "signed": (facts["signed_date"], facts["agreements"][0]["date_precision"] if facts["agreements"] else "day")}  # fmt: skip
        rows.append(
            {
                "href": job.output,
                "name": job.title,
                **{f"{k}_iso": labels.iso(d) for k, (d, _) in dates.items()},
                **{k: labels.format_date(d, precision) for k, (d, precision) in dates.items()},
                "stage": facts["stage_text"],
            }
        )
    return rows


def _copy_data(data_dir: Path, out: Path, files_written: dict[str, str]) -> list[dict]:
    """Copy the data package next to the reports, each file read through the validator's safe open; return one entry
    per file (name, size, what it is) and record each copy's digest in ``files_written``."""
    from analysis.schema import load_package, read_data_bytes

    package = load_package(data_dir)
    files = [("datapackage.json", "The schema: every column's type, constraints and keys (Frictionless Data Package)")]
    files += [(r["path"], r.get("description", "")) for r in package["resources"]]
    files += [(name, text) for name, text in (("README.md", "The data dictionary, method, conflicts and known gaps"),
                                             ("CHANGELOG.md", "The data releases and what changed")) if (data_dir / name).exists()]  # fmt: skip
    listed = []
    for name, description in files:
        raw = read_data_bytes(data_dir, name)
        relative = f"{DATA_DOWNLOADS}/{name}"
        copy = output_path(out, relative)
        copy.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256(raw).hexdigest()
        if file_digest(copy) != digest:
            tmp = copy.with_name(f".{copy.name}.tmp")
            tmp.write_bytes(raw)
            tmp.replace(copy)
        files_written[relative] = digest
        listed.append({"href": relative, "name": copy.name, "description": description, "kb": max(1, round(len(raw) / 1024))})
    return listed


def _script() -> str:
    return (SITE_TEMPLATES / "tables.js").read_text(encoding="utf-8")


def css() -> str:
    """The stylesheet of every page: the report styles, then the site's (navigation, tables, cards)."""
    return (TEMPLATES / "report.css").read_text(encoding="utf-8") + (SITE_TEMPLATES / "site.css").read_text(encoding="utf-8")


def publish_downloads(folder: Path | None, out: Path) -> dict[str, str]:
    """Move a report's CSV files into ``downloads/`` next to the reports; return their names and digests.

    A name that is not a safe file name (letters, digits, ``-``, ``_``, ``.csv``) stops the build with one line."""
    published: dict[str, str] = {}
    if folder is None or not folder.is_dir():
        return published
    for path in sorted(folder.glob("*.csv")):
        relative = f"{CHART_DOWNLOADS}/{path.name}"
        target = output_path(out, relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        text = path.read_text(encoding="utf-8")
        write_atomic(target, text)
        published[relative] = hashlib.sha256(text.encode()).hexdigest()
    return published


def site_key(base: str, release: dict, everything: list[Job], out: Path) -> str:
    """What the site pages depend on besides the files they read: the code and environment, the release line, and
    which reports are on disk with which title. Not what a report says: no site page shows any of it, so a report
    rebuilt with new content leaves the pages as they are."""
    present = [(j.output, j.title) for j in everything if (out / j.output).exists()]
    return hashlib.sha256(json.dumps([base, release, present], sort_keys=True).encode()).hexdigest()


def is_current(out: Path, state: State, base: str, release: dict | None, everything: list[Job], inputs: Inputs) -> bool:
    """Whether the site pages, the data copies, the zip and the database on disk were written from these inputs and
    these reports, and are unchanged since (compared by content)."""
    recorded = state.plan.get("site")
    if release is None or not isinstance(recorded, dict) or recorded.get("key") != site_key(base, release, everything, out):
        return False
    files = recorded.get("files")
    if not inputs.match(recorded.get("reads")) or not isinstance(files, dict) or not set(SITE_PAGES) <= set(files):
        return False
    if not all(file_digest(out / name) == digest for name, digest in files.items()):
        return False
    made = state.plan.get("downloads")  # the zip and the database, as prepare() recorded them
    made = made.get("files") if isinstance(made, dict) else None
    inside = out.resolve()
    return isinstance(made, dict) and bool(made) and all(
        isinstance(n, str) and (out / n).resolve().is_relative_to(inside) and file_digest(out / n) == d for n, d in made.items()
    )


def _computed(out: Path, data_dir: Path, base: str, everything: list[Job], inputs: Inputs) -> tuple[dict, dict]:
    """The landing page's content and every partner's row, and what computing them read; from the cache when the
    code and every file they read are unchanged. Otherwise, with the same code, a chart drawn from the same parts
    (:func:`analysis.landing.drawn_from`) is taken from the cache too: drawing the charts and the map takes seconds.
    With ``ANALYSIS_SITE_CACHE``, those charts are shared by every build of the same code (:func:`_shared_pictures`)."""
    from analysis import landing
    from analysis.schema import recording

    profiles = [j for j in everything if j.is_profile]
    key = hashlib.sha256(json.dumps([base, [(j.output, j.title) for j in profiles]]).encode()).hexdigest()
    paths = [out / CACHE_FILE]
    shared = None
    if os.environ.get(SHARED_CACHE_ENV):  # one folder for every build on this machine (the test suite sets it)
        paths.append(Path(os.environ[SHARED_CACHE_ENV]) / f"site-{hashlib.sha256((key + inputs.folder_key()).encode()).hexdigest()}.json")
        shared = Path(os.environ[SHARED_CACHE_ENV]) / f"pictures-{hashlib.sha256(base.encode()).hexdigest()}.json"
    pictures: dict = {"old": _read_dict(shared) if shared else {}, "new": {}}
    for path in paths:
        cached = _read_dict(path)
        if cached.get("key") != key:
            continue
        if inputs.match(cached.get("reads")) and {"landing", "partners"} <= set(cached):
            return cached, cached["reads"]
        if isinstance(cached.get("pictures"), dict):  # same code: a chart drawn from the same parts is the same
            pictures["old"].update(cached["pictures"])
    with recording() as record:
        computed = {"landing": landing.content(data_dir, pictures), "partners": _partner_rows(data_dir, profiles) if profiles else []}
    reads = {inputs.name(k): v for k, v in record.items()}
    for path in paths:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, json.dumps({"key": key, "reads": reads, **computed, "pictures": pictures["new"]}))
    if shared:
        _shared_pictures(shared, pictures)
    return computed, reads


#: How many charts the shared folder keeps per version of the code (the most recently drawn or used).
SHARED_PICTURES = 16


def _shared_pictures(path: Path, pictures: dict) -> None:
    """Keep the charts this build drew or used beside those other builds of the same code drew, keyed by what each is
    drawn from, so that a build into another folder, with other reports or other notebooks, draws none of them
    again. The most recently used :data:`SHARED_PICTURES` are kept; builds running at once may each drop the other's
    newest (the file is replaced whole), which costs a drawing, never a wrong chart."""
    kept = {k: v for k, v in _read_dict(path).items() if k not in pictures["new"]}
    kept.update(pictures["new"])
    write_atomic(path, json.dumps(dict(list(kept.items())[-SHARED_PICTURES:])))


def _read_dict(path: Path) -> dict:
    """A JSON object from ``path``, or an empty one if it is missing, unreadable or not an object."""
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _downloads_key(base: str, copied: dict[str, str]) -> str:
    """What the zip and the database are made of: the code and environment, and every file of the data package (by
    the digest of its copy)."""
    return hashlib.sha256(json.dumps([base, copied], sort_keys=True).encode()).hexdigest()


def _downloads_current(out: Path, state: State, key: str, made: list[Path]) -> bool:
    """Whether the zip and the database (``made``) on disk were written from these very files and are unchanged
    since."""
    recorded = state.plan.get("downloads")
    if not isinstance(recorded, dict) or recorded.get("key") != key or not isinstance(recorded.get("files"), dict):
        return False
    names = {str(p.relative_to(out)): p for p in made}
    return set(recorded["files"]) == set(names) and all(file_digest(names[n]) == d for n, d in recorded["files"].items())


def prepare(out: Path, everything: list[Job], data_dir: Path, state: State, base: str, inputs: Inputs) -> dict:
    """What the site pages show that does not depend on which reports landed: the landing page's content and the
    partners' rows, the copies of the data files, the zip and the database, and the data page's content; with what
    it read and wrote. The build calls it while its last reports run (a core is free then); else :func:`write` does.

    The zip and the database (seconds to write) are written again only when a file of the data package, the code or
    the environment changed, or they were changed on disk."""
    from analysis import datapage
    from analysis.schema import load_package, recording

    computed, computed_reads = _computed(out, data_dir, base, everything, inputs)
    files: dict[str, str] = {}
    with recording() as record:
        downloads = _copy_data(data_dir, out, files)
        key = _downloads_key(base, files)
        made = datapage.generated(load_package(data_dir), out)
        reuse = _downloads_current(out, state, key, made)
        page = datapage.context(data_dir, out, write=not reuse)
    if not reuse:
        state.plan["downloads"] = {"key": key, "files": {str(p.relative_to(out)): file_digest(p) for p in made}}
    reads = {**computed_reads, **{inputs.name(k): v for k, v in record.items()}}
    return {"computed": computed, "downloads": downloads, "copies": files, "page": page, "reads": reads}


def write(out: Path, everything: list[Job], data_dir: Path, state: State, base: str, release: dict, inputs: Inputs,
          prepared: dict | None = None) -> None:  # fmt: skip
    """Render the landing page and the data page, copy the downloads, and record what was written and read
    (``prepared``: :func:`prepare`'s result, computed now if not given)."""
    from analysis import datapage

    env = _environment()
    present = [j for j in everything if (out / j.output).exists()]
    reports = [j for j in reading_order(present)]
    prepared = prepared or prepare(out, everything, data_dir, state, base, inputs)
    computed, reads, files = prepared["computed"], prepared["reads"], dict(prepared["copies"])
    on_disk = {j.output for j in present}
    common = {
        "release": release,
        "reports": [{"href": j.output, "title": j.title, "short": short_title(j)} for j in reports],
        "downloads": prepared["downloads"],
        "css": css(),
        "scripts": _script(),
        "root": "",
    }
    data_page = datapage.render(env, data_dir, out, page=prepared["page"], **common)
    pages = {
        "index.html": env.get_template("index.html.j2").render(
            **common, current="index.html", partners=[p for p in computed["partners"] if p["href"] in on_disk], landing=computed["landing"]
        ),
        "data.html": data_page,
        "glossary.html": env.get_template("glossary.html.j2").render(**common, current="glossary.html", terms=release["glossary"]),
    }  # fmt: skip
    from analysis.glossary import link_terms

    index = pages["index.html"]
    start, end = index.find("<main"), index.rfind("</main>")
    if start >= 0 and end > start:  # the landing page links its terms to the glossary, as the reports do
        pages["index.html"] = index[:start] + link_terms(index[start:end], release["glossary"]) + index[end:]
    for name, text in pages.items():
        write_atomic(output_path(out, name), text)
        files[name] = hashlib.sha256(text.encode()).hexdigest()
    state.plan["site"] = {"key": site_key(base, release, everything, out), "reads": reads, "files": files}
    state.save()
