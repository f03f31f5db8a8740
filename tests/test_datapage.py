"""The data page (``data.html``) is written for readers: anchors resolve, no maintainer markers or commands, every
table and column described, the vocabularies in words, downloads that exist with the sizes stated, how to cite."""

from __future__ import annotations

import json
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import DATA, ROOT

from analysis import datapage, labels

pytest.importorskip("sqlite_utils")


def render(out: Path) -> str:
    """The data page as the build writes it (the site's common parts, the data copied next to it)."""
    from analysis.build import site

    common = {"release": site.release_of(DATA), "reports": [], "downloads": [], "css": "", "scripts": "", "root": ""}
    site._copy_data(DATA, out, {})
    page = datapage.render(site._environment(), DATA, out, **common)
    (out / "data.html").write_text(page, encoding="utf-8")
    return page


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("site")
    return out, render(out)


class Page(HTMLParser):
    """Ids, links, downloads (href, stated bytes and size), headings and the visible text."""

    def __init__(self, html: str):
        super().__init__()
        self.ids: list[str] = []
        self.links: list[str] = []
        self.downloads: list[dict] = []
        self.headings: list[tuple[str, str]] = []
        self.text: list[str] = []
        self._heading: str | None = None
        self._row: list[str] | None = None
        self._skip = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "a" and "href" in attrs:
            self.links.append(attrs["href"])
            if "download" in attrs:
                self.downloads.append({"href": attrs["href"], "bytes": int(attrs["data-bytes"])})
                self._row = []
        if tag in ("h1", "h2", "h3", "h4"):
            self._heading = tag
            self.headings.append((tag, ""))
        if tag in ("style", "script"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("h1", "h2", "h3", "h4"):
            self._heading = None
        if tag == "tr" and self._row is not None:
            self.downloads[-1]["size"] = self._row[-1].strip()
            self._row = None
        if tag in ("style", "script"):
            self._skip -= 1

    def handle_data(self, data):
        if self._skip:
            return
        self.text.append(data)
        if self._heading:
            tag, text = self.headings[-1]
            self.headings[-1] = (tag, text + data)
        if self._row is not None:
            self._row.append(data)


def descriptor() -> dict:
    return json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))


def test_every_anchor_resolves_and_ids_are_unique(built):
    page = Page(built[1])
    assert len(page.ids) == len(set(page.ids)), sorted({i for i in page.ids if page.ids.count(i) > 1})
    internal = {link[1:] for link in page.links if link.startswith("#")}
    assert {"known-gaps", "data-dictionary", "method", "changelog", "cite", "downloads", "vocabularies"} <= internal
    assert internal <= set(page.ids), sorted(internal - set(page.ids))


def test_no_maintainer_markers_commands_or_double_escapes(built):
    html = built[1]
    text = "".join(Page(html).text)
    assert "<!--" not in html and "&lt;!--" not in html
    assert "&amp;lt;" not in html and "&amp;gt;" not in html  # escaped once, shown as <publisher>
    assert "<publisher>" in text  # the source_id pattern reads as written
    assert not re.search(r"\bgit[ :]", text), re.search(r".{40}\bgit[ :].{40}", text)
    assert "How to add or correct a fact" not in text and "do not edit by hand" not in text
    headings = Page(html).headings
    assert [h for h in headings if h[0] == "h1"] == [("h1", "Data, method and downloads")]


def test_every_table_column_and_vocabulary_value_is_described(built):
    text = " ".join(Page(built[1]).text)
    for resource in descriptor()["resources"]:
        assert resource["description"] in text, resource["name"]
        for field in resource["schema"]["fields"]:
            assert field["description"] in text, (resource["name"], field["name"])
            for value in field.get("constraints", {}).get("enum", []):
                assert value in text
    # each event type in words (its label and meaning, from event_types.csv), not only its code
    for kind in labels.event_types():
        assert kind["label"] in text and kind["event_type"] in text, kind["event_type"]
    assert "Tribunal for the crime of aggression" in text  # a clause value's label, from clause_values.csv


def test_downloads_exist_with_the_stated_sizes(built):
    out, html = built
    files = Page(html).downloads
    names = {f["href"] for f in files}
    package = descriptor()
    assert {f"data/{r['path']}" for r in package["resources"]} | {"data/datapackage.json", "ukraine-security-guarantees.db"} <= names
    assert f"data/ukraine-security-guarantees-{package['version']}.zip" in names
    for f in files:
        path = out / f["href"]
        assert path.is_file(), f["href"]
        assert path.stat().st_size == f["bytes"], f["href"]
        assert f["size"].replace("\u00a0", " ") == datapage.human_size(f["bytes"]), f


def test_the_zip_holds_the_whole_package_and_has_the_same_bytes_again(built, tmp_path):
    out, _ = built
    version = descriptor()["version"]
    archive = out / "data" / f"ukraine-security-guarantees-{version}.zip"
    with zipfile.ZipFile(archive) as z:
        names = set(z.namelist())
        assert z.read(f"ukraine-security-guarantees-{version}/sources.csv") == (DATA / "sources.csv").read_bytes()
    expected = {f"ukraine-security-guarantees-{version}/{r['path']}" for r in descriptor()["resources"]}
    expected |= {f"ukraine-security-guarantees-{version}/{n}" for n in ("datapackage.json", "README.md", "CHANGELOG.md")}
    assert names == expected
    render(tmp_path)
    assert (tmp_path / "data" / archive.name).read_bytes() == archive.read_bytes()
    assert (tmp_path / "ukraine-security-guarantees.db").read_bytes() == (out / "ukraine-security-guarantees.db").read_bytes()


def test_how_to_cite(built):
    text = " ".join(Page(built[1]).text)
    package = descriptor()
    cite = datapage.citation(package)
    assert cite["bibtex"].startswith("@misc{") and f"version = {{{package['version']}}}" in cite["bibtex"]
    for part in (package["title"], package["version"], cite["released_label"], package["contributors"][0]["title"], "DOI"):
        assert part in text, part
    assert "@misc{" in text


def test_citation_cff_carries_the_release_and_its_date():
    cff = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    package = descriptor()
    assert re.search(rf"^version: {re.escape(package['version'])}$", cff, re.M)
    assert re.search(rf"^date-released: {package['created'][:10]}$", cff, re.M)
    assert re.search(rf"^title: \"{re.escape(package['title'])}\"$", cff, re.M)
    assert f'- name: "{package["contributors"][0]["title"]}"' in cff  # the same authors on the data page


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        # a generated block's markers go, its content stays
        ("<!-- x:begin (generated) -->\n| a |\n<!-- x:end -->", "| a |"),
        # a command in parentheses is the maintainer's, not the reader's
        ("Release 1 → 2, by key (`python -m analysis diff git:df2ccbe data --markdown`).", "Release 1 → 2, by key."),
        # prose without either is left alone
        ("Dates are ISO `YYYY-MM-DD`.", "Dates are ISO `YYYY-MM-DD`."),
    ],
)
def test_for_readers(markdown, expected):
    assert datapage.for_readers(markdown) == expected


def test_raw_html_in_the_markdown_is_escaped():
    html = str(datapage.markdown_html("# Title\n\n<script>alert(1)</script> and <img src=x onerror=alert(1)>"))
    assert "<script" not in html and "<img" not in html and "&lt;script&gt;" in html
    assert '<h2 id="title">Title</h2>' in html


def test_each_releases_row_by_row_comparison_is_folded_and_its_notes_are_not(built):
    """The changelog's generated comparisons (some 270 lines of tables for 1.2.0) open from a summary; the release
    notes around them stay in view."""
    _, page = built
    changelog = page[page.index('id="changelog"'):page.index('id="cite"')]
    folded = re.findall(r'<details class="generated">(.*?)</details>', changelog, re.S)
    releases = re.findall(r'<h3 id="release-', changelog)
    assert len(folded) == 2 and len(releases) == 3  # 1.0.0 has no comparison
    assert all("Every row added, removed or changed" in f and "<table>" in f for f in folded)
    outside = re.sub(r'<details class="generated">.*?</details>', "", changelog, flags=re.S)
    assert "The clause matrix was re-checked against every text" in outside
    assert "| table |" not in changelog and "diff:begin" not in changelog
