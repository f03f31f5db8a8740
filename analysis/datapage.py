"""The data page (``data.html``) for readers: the tables and their columns, the vocabularies in words, the downloads
with their sizes, the method, the known gaps, the changelog and how to cite.

Everything comes from the data package: ``datapackage.json`` (tables, columns, vocabularies, release, contributors),
``README.md`` (the method and the known gaps, without the developer's parts) and ``CHANGELOG.md``. The downloads are
written next to the page: the CSV files and the descriptor (copied by the build), a zip of the whole data package and
the SQLite database, each with the same bytes for the same data.

>>> human_size(999), human_size(21572), human_size(1126400)
('999 bytes', '21.1 KB', '1.1 MB')
>>> slug("When sources disagree")
'when-sources-disagree'
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

#: Where the data package's files are published, relative to the output folder (the build copies them there).
DATA_FOLDER = "data"
#: The sections of data/README.md that explain the method to a reader, in order. The rest of the README is the
#: developer's (how to add a fact, the generated dictionary, which the page shows as HTML tables instead).
METHOD_SECTIONS = (
    "What the dates mean",
    "Event types",
    "Meetings, declarations and who took part",
    "When sources disagree",
    "How far the record reaches",
    "The clause matrix",
    "Agreement between coders",
    "Commitments in euros",
)
GAPS_SECTION = "Known gaps"
#: A DOI is minted when the data is deposited (e.g. Zenodo); until then the page says so.
DOI_PLACEHOLDER = "not yet assigned"
#: A homepage on this host is a placeholder, not an address a reader can visit.
PLACEHOLDER_HOSTS = ("example.org", "example.com")

TYPE_WORDS = {"string": "text", "date": "date (YYYY-MM-DD)", "integer": "whole number", "number": "number",
              "boolean": "true or false", "year": "year"}  # fmt: skip


def human_size(size: int) -> str:
    """A file size as a reader reads it (1 KB = 1,024 bytes), to one decimal."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def slug(text: str) -> str:
    """An anchor for a heading: lower case, words joined by hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# --------------------------------------------------------------------------- Markdown, for readers


def markdown_sections(text: str) -> dict[str, str]:
    """The ``##`` and ``###`` sections of a Markdown file by heading (each with its body, sub-sections excluded)."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        heading = re.match(r"^#{2,3} (.+?)\s*$", line)
        if heading:
            current = sections.setdefault(heading.group(1), [])
            continue
        if current is not None:
            current.append(line)
    return {k: "\n".join(v).strip() for k, v in sections.items()}


def _section(sections: dict[str, str], start: str) -> tuple[str, str] | None:
    for heading, body in sections.items():
        if heading.startswith(start):
            return heading, body
    return None


def for_readers(markdown: str) -> str:
    """Markdown without what only the maintainer needs: HTML comment markers of generated blocks, and commands in
    parentheses (``(`python -m analysis diff git:… --markdown`)``).

    >>> for_readers("<!-- x:begin -->\\nRelease 1 → 2 (`python -m analysis diff git:abc data`).\\n<!-- x:end -->")
    'Release 1 → 2.'
    """
    text = re.sub(r"<!--.*?-->", "", markdown, flags=re.S)
    text = re.sub(r"\s*\((?:run |see |with )?`(?:python|git|make|frictionless)[^`]*`\)", "", text)
    return text.strip()


def markdown_html(markdown: str, shift: int = 1, prefix: str = ""):
    """Markdown rendered as HTML with raw HTML escaped; headings moved down ``shift`` levels, each with an id."""
    import mistune
    from markupsafe import Markup

    class Renderer(mistune.HTMLRenderer):
        def heading(self, text, level, **attrs):
            level = min(level + shift, 6)
            return f'<h{level} id="{prefix}{slug(re.sub(r"<[^>]+>", "", text))}">{text}</h{level}>\n'

    render = mistune.create_markdown(escape=True, renderer=Renderer(escape=True), plugins=["table"])
    rendered = render(markdown)
    # a wide table scrolls in its own box, which a keyboard can reach (axe: scrollable-region-focusable)
    rendered = rendered.replace("<table>", '<div class="md-table" role="region" aria-label="Table" tabindex="0"><table>')
    return Markup(rendered.replace("</table>", "</table></div>"))


GENERATED_DIFF = re.compile(r"<!--\s*diff:begin.*?-->(.*?)<!--\s*diff:end\s*-->", re.S)


def changelog_html(markdown: str):
    """The changelog for readers (:func:`for_readers`), each release's generated row-by-row comparison folded under a
    summary that opens it: the release notes stay in view, and the page stays short on a phone.

    >>> print(changelog_html("## 2.0\\n\\nNotes.\\n\\n<!-- diff:begin -->\\n| a |\\n|---|\\n| 1 |\\n<!-- diff:end -->\\n"))
    <h3 id="release-2-0">2.0</h3>
    <p>Notes.</p>
    <details class="generated"><summary>Every row added, removed or changed, table by table</summary>
    <div class="md-table" role="region" aria-label="Table" tabindex="0"><table>
    ...
    """
    from markupsafe import Markup

    parts, at = [], 0
    for block in GENERATED_DIFF.finditer(markdown):
        parts.append(markdown_html(for_readers(markdown[at:block.start()]), shift=1, prefix="release-"))
        parts.append(Markup('<details class="generated"><summary>Every row added, removed or changed, table by table</summary>\n')
                     + markdown_html(for_readers(block.group(1)), shift=1, prefix="release-") + Markup("</details>\n"))  # fmt: skip
        at = block.end()
    parts.append(markdown_html(for_readers(markdown[at:]), shift=1, prefix="release-"))
    return Markup("").join(parts)


# --------------------------------------------------------------------------- the tables and vocabularies


def tables(package: dict) -> list[dict]:
    """Per table: its name, what one row is, its key and links in words, and its columns."""
    out = []
    for resource in package["resources"]:
        schema = resource["schema"]
        key = schema.get("primaryKey") or []
        links = []
        for fk in schema.get("foreignKeys", []):
            target = fk["reference"].get("resource") or resource["name"]
            fields = [fk["fields"]] if isinstance(fk["fields"], str) else fk["fields"]
            links.append({"fields": ", ".join(fields), "table": target})
        out.append(
            {
                "name": resource["name"],
                "path": resource["path"],
                "anchor": f"table-{resource['name']}",
                "description": resource.get("description", ""),
                "key": [key] if isinstance(key, str) else list(key),
                "links": links,
                "columns": [
                    {
                        "name": f["name"],
                        "type": TYPE_WORDS.get(f["type"], f["type"]),
                        "required": bool(f.get("constraints", {}).get("required")),
                        "allowed": f.get("constraints", {}).get("enum"),
                        "description": f.get("description", ""),
                    }
                    for f in schema["fields"]
                ],
            }
        )
    return out


def vocabularies(package: dict) -> list[dict]:
    """Every closed list of values in words: the column, what it says, and each value's meaning where one is written
    down. A vocabulary kept as a table of its own (``labels.VOCABULARIES``: event types, roles, date precisions, the
    claims audit's verdicts) is listed for each column that refers to it, or for itself when none does (the verdicts
    are computed); then every ``enum`` constraint, with the reports' labels where there are any."""
    from analysis import labels

    known = {("claims", "counted"): labels.CLAIM_KIND_LABELS}
    out = []
    present = {r["name"] for r in package["resources"]}
    for name, code in labels.VOCABULARIES.items():
        if name not in present:
            continue
        values = [{"code": v[code], "label": f"{v['label']}: {v['description']}" if v.get("description") else v["label"]}
                  for v in labels.vocabulary(name)]  # fmt: skip
        users = [(resource, field) for resource in package["resources"] for fk in resource["schema"].get("foreignKeys", [])
                 if fk["reference"].get("resource") == name
                 for field in resource["schema"]["fields"] if field["name"] == fk["fields"]]  # fmt: skip
        target = next(r for r in package["resources"] if r["name"] == name)
        for resource, field in users or [(target, target["schema"]["fields"][0])]:
            out.append({"table": resource["name"], "column": field["name"],
                        "anchor": f"vocabulary-{resource['name']}-{field['name']}".replace("_", "-"),
                        "description": f"{field.get('description', '')} The table {name} lists each value with its meaning.",
                        "values": values})  # fmt: skip
    for resource in package["resources"]:
        for field in resource["schema"]["fields"]:
            values = field.get("constraints", {}).get("enum")
            if not values:
                continue
            words = known.get((resource["name"], field["name"]), {})
            out.append(
                {
                    "table": resource["name"],
                    "column": field["name"],
                    "anchor": f"vocabulary-{resource['name']}-{field['name']}".replace("_", "-"),
                    "description": field.get("description", ""),
                    "values": [{"code": v, "label": words.get(v)} for v in values],
                }
            )
    return out


def clause_codebook(data_dir: Path) -> list[dict]:
    """The clause matrix's vocabulary from its own tables: each dimension's question and its values in rank order."""
    from analysis.load import load_table

    dimensions = load_table("clause_dimensions", data_dir).sort_values("position")
    values = load_table("clause_values", data_dir)
    out = []
    for row in dimensions.to_dict("records"):
        mine = values[values["dimension_id"] == row["dimension_id"]].sort_values(["rank", "value"], na_position="last")
        out.append({"label": row["label"], "question": row["question"], "scale": row["scale"],
                    "values": [{"code": v["value"], "label": v["label"]} for v in mine.to_dict("records")]})  # fmt: skip
    return out


# --------------------------------------------------------------------------- downloads


def write_zip(path: Path, files: list[Path], folder: str) -> None:
    """A zip of ``files`` under ``folder/``, with the same bytes for the same files: names in order, a fixed date
    and fixed permissions."""
    tmp = path.with_name(f".{path.name}.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for file in sorted(files, key=lambda p: p.name):
            info = zipfile.ZipInfo(f"{folder}/{file.name}", date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, file.read_bytes(), compresslevel=9)
    tmp.replace(path)


def generated(package: dict, out: Path) -> list[Path]:
    """The downloads written from the data rather than copied: the zip, the database and its Datasette metadata."""
    from analysis import db

    return [out / DATA_FOLDER / f"{db.DB_NAME}-{package['version']}.zip", out / f"{db.DB_NAME}.db",
            db.metadata_path(out / f"{db.DB_NAME}.db")]  # fmt: skip


def downloads(package: dict, data_dir: Path, out: Path, write: bool = True) -> list[dict]:
    """Write the zip of the data package and the SQLite database next to the page; list every download with its size.

    The CSV files, ``datapackage.json``, ``README.md`` and ``CHANGELOG.md`` are expected in ``out/data/`` (the build
    copies them there); a file missing there is copied from ``data_dir``. With ``write=False`` the zip and the
    database already on disk are listed as they are (the build knows they were written from the same files).
    """
    import shutil

    from analysis import db

    folder = out / DATA_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    items = [("datapackage.json", "The schema: every column's type, constraints, keys and descriptions (Frictionless Data Package)")]
    items += [(r["path"], f"The {r['name']} table (CSV, UTF-8)") for r in package["resources"]]
    items += [("README.md", "The method, the conflicts between sources and the known gaps (Markdown)"),
              ("CHANGELOG.md", "The data releases and what changed (Markdown)")]  # fmt: skip
    files = []
    for name, _ in items:
        copy = folder / name
        if not copy.exists() and (data_dir / name).is_file():
            shutil.copyfile(data_dir / name, copy)
        files.append(copy)
    stem = f"{db.DB_NAME}-{package['version']}"
    archive, database, _ = generated(package, out)
    for old in folder.glob(f"{db.DB_NAME}-*.zip"):
        if old != archive:
            old.unlink()  # an earlier release's archive
    if write:
        write_zip(archive, [f for f in files if f.exists()], stem)
        db.write_database(database, data_dir)
    listed = [{"href": f"{DATA_FOLDER}/{archive.name}", "name": archive.name, "what": "Everything below in one file: every table, the schema, the method and the changelog", "bytes": archive.stat().st_size},
              {"href": database.name, "name": database.name, "what": "Every table as one SQLite database, with keys and full-text search (opens in Datasette, DB Browser for SQLite or any SQLite client)", "bytes": database.stat().st_size}]  # fmt: skip
    for (name, what), path in zip(items, files):
        if path.exists():
            listed.append({"href": f"{DATA_FOLDER}/{name}", "name": name, "what": what, "bytes": path.stat().st_size})
    for item in listed:
        item["size"] = human_size(item["bytes"])
    return listed


# --------------------------------------------------------------------------- citation


def citation(package: dict) -> dict:
    """How to cite the release: authors, title, version, release date, URL, DOI, a sentence and BibTeX.

    >>> c = citation({"title": "T", "version": "1.0.0", "created": "2026-11-28T00:00:00Z", "cutoff_date": "2026-11-28",
    ...               "contributors": [{"title": "A", "role": "author"}], "homepage": "https://example.org/x"})
    >>> c["text"]
    'A (2026). T. Data release 1.0.0, released 28 Nov 2026. URL to be announced. DOI: not yet assigned.'
    >>> print(c["bibtex"].splitlines()[0])
    @misc{t_1_0_0,
    """
    from analysis import labels

    authors = [c["title"] for c in package.get("contributors", []) if c.get("role", "author") == "author"] or ["The contributors"]
    released = (package.get("created") or package.get("cutoff_date") or "")[:10]
    homepage = package.get("homepage", "")
    placeholder = not homepage or any(host in homepage for host in PLACEHOLDER_HOSTS)
    year = released[:4]
    url_text = "URL to be announced" if placeholder else homepage
    text = (f"{' and '.join(authors)} ({year}). {package['title']}. Data release {package['version']}, released "
            f"{labels.format_date(released)}. {url_text}. DOI: {DOI_PLACEHOLDER}.")  # fmt: skip
    key = re.sub(r"[^a-z0-9]+", "_", f"{package.get('name', package['title'])} {package['version']}".lower()).strip("_")
    fields = {
        "author": "{" + " and ".join("{" + a + "}" for a in authors) + "}",
        "title": "{" + package["title"] + "}",
        "year": "{" + year + "}",
        "version": "{" + package["version"] + "}",
        "note": "{Data release " + package["version"] + ", cut-off " + package.get("cutoff_date", "") + "}",
    }
    if not placeholder:
        fields["url"] = "{" + homepage + "}"
    bibtex = f"@misc{{{key},\n" + ",\n".join(f"  {k} = {v}" for k, v in fields.items()) + "\n}"
    return {"authors": authors, "title": package["title"], "version": package["version"], "released": released,
            "released_label": labels.format_date(released), "url": None if placeholder else homepage,
            "doi": DOI_PLACEHOLDER, "text": text, "bibtex": bibtex}  # fmt: skip


# --------------------------------------------------------------------------- the page


def context(data_dir: Path, out: Path, write: bool = True) -> dict:
    """Everything ``data.html.j2`` shows beyond the site's common parts (``write``: see :func:`downloads`)."""
    from analysis.schema import load_package, read_data_text

    package = load_package(data_dir)
    readme = read_data_text(data_dir, "README.md") or ""  # the safe open, noted as read for incremental builds
    changelog = read_data_text(data_dir, "CHANGELOG.md") or ""
    sections = markdown_sections(readme)
    method = []
    for start in METHOD_SECTIONS:
        found = _section(sections, start)
        if found:
            heading, body = found
            method.append({"title": heading, "anchor": slug(heading), "html": markdown_html(for_readers(body), prefix=slug(heading) + "-")})
    gaps = _section(sections, GAPS_SECTION)
    # the changelog without its title and its note to the maintainer (what precedes the first release)
    releases = changelog[changelog.find("\n## ") + 1:] if "\n## " in changelog else changelog
    return {
        "package": package,
        "tables": tables(package),
        "vocabularies": vocabularies(package),
        "codebook": clause_codebook(data_dir),
        "files": downloads(package, data_dir, out, write),
        "method": method,
        "gaps": markdown_html(for_readers(gaps[1]), shift=1, prefix="gaps-") if gaps else None,
        "changelog": changelog_html(releases),
        "cite": citation(package),
    }


def render(env, data_dir: Path, out: Path, page: dict | None = None, **common) -> str:
    """``data.html``: the site's common parts (``common``) and this page's content (``page``, :func:`context`,
    computed now if not given)."""
    page = context(Path(data_dir), Path(out)) if page is None else page
    return env.get_template("data.html.j2").render(**{"current": "data.html", **common}, **page)
