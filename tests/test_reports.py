"""The exported HTML: every notebook executes, reports are self-contained, escaped, deterministic and open offline."""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from browser import visit
from conftest import DATA, NOTEBOOKS, run_build

MAX_BYTES = 1_500_000
PAYLOAD = '<script>alert("xss")</script><img src=x onerror=alert(1)>'
#: Elements whose src/href the browser loads by itself (a plain <a href> is a link, not a load).
LOADING = {"script": "src", "img": "src", "iframe": "src", "frame": "src", "source": "src", "video": "src", "audio": "src",
           "embed": "src", "object": "data", "link": "href", "track": "src", "input": "src"}  # fmt: skip


class _Loads(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.remote: list[str] = []
        self.bad_links: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.scripts += 1
        key = LOADING.get(tag)
        value = (attrs.get(key) or "") if key else ""
        if value and not value.startswith(("data:", "#")) and re.match(r"^(https?:)?//|^[a-z]+:", value):
            self.remote.append(f"<{tag} {key}={value[:80]}>")
        if tag == "a" and attrs.get("href") and not re.match(r"^(https?://|#|\.{0,2}/?[\w./-]+\.html$)", attrs["href"]):
            self.bad_links.append(attrs["href"])


def static_check(path: Path) -> _Loads:
    parser = _Loads()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def report_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.html"))


def test_every_notebook_has_a_report(built_reports):
    notebooks = sorted(p.stem for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    assert notebooks, "no notebooks found"
    built = {p.stem for p in built_reports.glob("*.html")}
    assert set(notebooks) <= built, f"missing reports: {set(notebooks) - built}"
    assert (built_reports / "index.html").exists()


def test_reports_load_nothing_from_the_network(built_reports):
    for path in report_files(built_reports):
        found = static_check(path)
        assert found.remote == [], f"{path.name} loads remote resources: {found.remote}"
        assert found.bad_links == [], f"{path.name} has non-http(s) links: {found.bad_links}"
        text = path.read_text(encoding="utf-8")
        assert "cdnjs" not in text and "unpkg" not in text and "require.js" not in text, path.name
        assert re.search(r"url\(\s*['\"]?(https?:)?//", text) is None, f"{path.name} has a remote CSS url()"


def test_reports_are_small_and_stamped(built_reports):
    package = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    for path in report_files(built_reports):
        assert path.stat().st_size <= MAX_BYTES, f"{path.name} is {path.stat().st_size:,} bytes"
        text = path.read_text(encoding="utf-8")
        assert package["version"] in text and package["cutoff_date"] in text, f"{path.name} lacks the data version stamp"


def test_reports_hide_code_and_embed_figures(built_reports):
    growth = (built_reports / "01_coalition_growth.html").read_text(encoding="utf-8")
    assert "import analysis" not in growth  # code cells are hidden
    assert growth.count('src="data:image/png;base64,') >= 2  # the growth chart and the map


def test_index_links_every_report(built_reports):
    index = (built_reports / "index.html").read_text(encoding="utf-8")
    for path in built_reports.glob("[0-9][0-9]_*.html"):
        assert f'href="{path.name}"' in index


#: The profiles share one notebook; the browser opens a few of them (the static checks read all).
BROWSER_PROFILES = ("partners/GBR.html", "partners/BGR.html", "partners/USA.html")


def test_reports_open_offline_in_a_browser(built_reports, chromium):
    paths = sorted(built_reports.glob("*.html")) + [built_reports / p for p in BROWSER_PROFILES]
    visits = visit(paths, chromium)
    for path, seen in visits.items():
        name = path.relative_to(built_reports)
        assert seen.failed_requests == [], f"{name}: failed requests {seen.failed_requests}"
        assert seen.external_requests == [], f"{name}: network requests {seen.external_requests}"
        assert seen.console_errors == [] and seen.page_errors == [], f"{name}: {seen.console_errors} {seen.page_errors}"
        assert seen.dialogs == [], f"{name}: dialogs {seen.dialogs}"
        assert seen.broken_images == 0, f"{name}: {seen.broken_images} broken images"
    assert visits[built_reports / "01_coalition_growth.html"].images >= 2


def test_two_builds_give_identical_bytes(built_reports, tmp_path):
    again = tmp_path / "again"
    # A second build of a table-heavy report, the figure- and map-heavy one, and a profile (which shares a kernel).
    run_build("--force", "--out", str(again), "01_coalition_growth", "03_agreements", "partners/GBR")
    built = sorted(p.relative_to(again) for p in again.rglob("*.html") if p.name != "index.html")
    assert [str(p) for p in built] == ["01_coalition_growth.html", "03_agreements.html", "partners/GBR.html"]
    for path in built:
        assert (again / path).read_bytes() == (built_reports / path).read_bytes(), f"{path} differs between builds"


@pytest.fixture(scope="module")
def injected_reports(tmp_path_factory) -> Path:
    """Reports built from a copy of the data with script payloads in every kind of free-text field."""
    data = tmp_path_factory.mktemp("data")
    for item in DATA.iterdir():
        shutil.copy(item, data / item.name)

    def poison(table: str, column: str) -> None:
        path = data / f"{table}.csv"
        import csv
        import io

        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
        for row in rows:
            if row[column]:
                row[column] = row[column] + " " + PAYLOAD
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        path.write_text(out.getvalue(), encoding="utf-8")

    for table, column in [("parties", "party_name"), ("agreements", "title"), ("agreements", "place"), ("agreements", "partner_signatory"),
                          ("agreements", "commitment_text"), ("signatories", "note"), ("milestones", "label"), ("sources", "publisher"),
                          ("events", "description")]:  # fmt: skip
        poison(table, column)
    out = tmp_path_factory.mktemp("injected")
    run_build("--force", "--data-dir", str(data), "--out", str(out), "00_data_overview", "01_coalition_growth", "03_agreements", "partners/GBR")
    return out


def test_injected_script_is_escaped(injected_reports):
    for path in [*injected_reports.glob("[0-9][0-9]_*.html"), injected_reports / "partners" / "GBR.html"]:
        text = path.read_text(encoding="utf-8")
        assert '<script>alert("xss")' not in text, path.name
        assert "<img src=x onerror" not in text and "<img src=\"x\" onerror" not in text, path.name
        assert "alert(1)" in text, f"{path.name}: the payload vanished instead of being shown as text"
        assert static_check(path).scripts == 0, f"{path.name} contains a <script> element"


def test_injected_script_does_not_run(injected_reports, chromium):
    visits = visit(sorted(injected_reports.rglob("*.html")), chromium)
    for path, seen in visits.items():
        assert seen.dialogs == [], f"{path.name}: a script ran ({seen.dialogs})"
        assert seen.external_requests == [], f"{path.name}: {seen.external_requests}"
