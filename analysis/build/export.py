"""Export: an executed notebook → one self-contained, sanitized HTML report.

- The ``offline`` template (``analysis/templates/offline``) removes every remote script of the lab
  template and sets a content-security policy, so a report opens from ``file://`` with no network.
- Outputs pass an allowlist sanitizer (nbconvert's ``SanitizeHTML``): data that slipped past the
  notebooks' own escaping (``analysis.report``) still cannot run a script.
- Code cells and prompts are hidden; stderr (warnings) is left out of the report and returned so the
  build can print it.
- The first use of each glossary term in a report's prose links to ``glossary.html`` (:func:`link_glossary`), so the
  notebooks need not do it.
"""

from __future__ import annotations

import functools
from pathlib import Path

from analysis.build.plan import Job
from analysis.build.site import css
from analysis.build.state import write_atomic
from analysis.paths import TEMPLATES


def allowed_html() -> dict:
    """The tags and attributes a report's outputs may contain; anything else is escaped."""
    tags = [
        "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "details", "div", "dl", "dt", "em", "figcaption",
        "figure", "h1", "h2", "h3", "h4", "h5", "hr", "i", "li", "nav", "ol", "p", "pre", "small", "span", "strong",
        "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
    ]  # fmt: skip
    attributes = {
        "*": ["class", "id", "title", "aria-label", "role", "tabindex"],
        "a": ["href", "rel", "class", "title", "download"],
        "td": ["class", "colspan", "rowspan", "data-sort", "data-label"],
        "th": ["class", "colspan", "rowspan", "scope"],
        "span": ["class", "data-figure", "data-fact"],
    }  # fmt: skip
    return {"tags": tags, "attributes": attributes}


def make_exporter():
    """The HTML exporter: offline template, hidden code, sanitized outputs.

    One per process and per version of the templates: making it and compiling its templates take about a quarter of
    a second, and it keeps nothing from one notebook to the next, so builds run one after another in a process share
    it. nbconvert keeps its compiled template for good, so an edited template means a new exporter."""
    return _exporter(_template_files())


def _template_files() -> tuple:
    """Every file of the report templates, with its size and time: what the exporter was made from."""
    found = []
    for path in sorted(TEMPLATES.rglob("*")):
        if path.is_file():
            stat = path.stat()
            found.append((str(path), stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns))
    return tuple(found)


@functools.lru_cache(maxsize=1)
def _exporter(templates: tuple):
    from analysis.build.execute import quiet_imports

    quiet_imports()
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors.sanitize import SanitizeHTML
    from traitlets.config import Config

    config = Config()
    config.SanitizeHTML.update(allowed_html())
    config.SanitizeHTML.strip = False
    # A cell tagged remove-in-report is for JupyterLab readers only (the profile's generic heading).
    config.TagRemovePreprocessor.remove_cell_tags = {"remove-in-report"}
    config.TagRemovePreprocessor.enabled = True
    # no code is shown, so pygments' code-highlighting stylesheet (about 4.5 KB a page) is left out
    config.CSSHTMLHeaderPreprocessor.enabled = False
    exporter = HTMLExporter(
        config=config,
        template_name="offline",
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        # NOTE: embed_images re-parses every inline HTML tag on its own, which closes <span data-figure> before its
        # text ("<span ...></span>93 days") and empties every marked figure. Figures are data: URIs already.
        embed_images=False,
    )
    exporter.register_preprocessor(SanitizeHTML(config=config), enabled=True)
    return exporter


def drop_stderr(nb) -> list[str]:
    """Remove stderr streams from the notebook's outputs; return their last lines (for the build log)."""
    warnings = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                text = str(output.get("text", "")).strip()
                if text:
                    warnings.append(text.splitlines()[-1])
                continue
            kept.append(output)
        cell.outputs = kept
    return warnings


def contents(nb) -> list[dict]:
    """The report's sections for its table of contents: each ``## `` heading of a Markdown cell, with the id
    nbconvert gives it (spaces become hyphens)."""
    toc = []
    for cell in nb.cells:
        if cell.cell_type != "markdown" or "remove-in-report" in cell.metadata.get("tags", []):
            continue
        for line in cell.source.splitlines():
            if line.startswith("## "):
                title = line[3:].strip()
                toc.append({"title": title, "id": title.replace(" ", "-")})
    return toc


def link_glossary(body: str, page: dict) -> str:
    """The report with the first use of each glossary term in its running text linked to the glossary page (the part
    between ``<main`` and ``</main>``: not the navigation, the footer or the script)."""
    from analysis.glossary import link_terms

    terms = page.get("release", {}).get("glossary") or []
    start, end = body.find("<main"), body.rfind("</main>")
    if not terms or start < 0 or end < start:
        return body
    return body[:start] + link_terms(body[start:end], terms, f"{page.get('root', '')}glossary.html") + body[end:]


def export(job: Job, nb, out_dir: Path, exporter, page: dict) -> tuple[list[str], str]:
    """Write the executed notebook as sanitized, offline HTML, atomically.

    ``page`` is what the site gives every report (release, navigation, footer; see
    :func:`analysis.build.site.page_context`). Returns the stderr lines left out and the HTML written.
    """
    warnings = drop_stderr(nb)
    nb.metadata["title"] = job.title
    page = dict(page, toc=contents(nb))
    resources = {
        "metadata": {"name": job.title},
        "report_css": css(),
        "report": page,
    }
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    body = link_glossary(body, page)
    target = out_dir / job.output
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, body)
    return warnings, body
