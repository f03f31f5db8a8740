"""The exported HTML: every notebook executes, reports are self-contained, escaped, deterministic and open offline."""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from browser import visit
from conftest import DATA, NOTEBOOKS, ROOT, run_build

from analysis.labels import format_date

#: Every test here reads the reports built once per test run (``built_reports``: one build shared by the workers).

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
        if tag == "a" and attrs.get("href") and not re.match(r"^(https?://|#|(\.\./)*[\w./-]+\.(html|csv|json|md|zip|db)(#[\w-]+)?$)", attrs["href"]):
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
        stamp = format_date(package["cutoff_date"])  # the cut-off as a reader writes it: 28 Nov 2026
        assert package["version"] in text and stamp in text, f"{path.name} lacks the data version stamp"


def test_reports_hide_code_and_embed_figures(built_reports):
    growth = (built_reports / "01_coalition_growth.html").read_text(encoding="utf-8")
    assert "import analysis" not in growth  # code cells are hidden
    assert growth.count("<picture>") >= 2  # the growth chart and the map, each a wide and a narrow image


def test_index_links_every_report(built_reports):
    index = (built_reports / "index.html").read_text(encoding="utf-8")
    for path in built_reports.glob("[0-9][0-9]_*.html"):
        assert f'href="{path.name}"' in index


#: The profiles share one notebook; the browser opens a sample of them (the static checks read all): two
#: agreements (UK), signed without joining (Croatia), the EU, still negotiating (Bulgaria), the US track.
BROWSER_PROFILES = ("partners/GBR.html", "partners/HRV.html", "partners/EUU.html", "partners/BGR.html", "partners/USA.html")


#: The smallest chart text a reader may see on a phone, in CSS px.
MIN_CHART_TEXT_PX = 10


@pytest.mark.parametrize("width", [1280, 390])
def test_reports_open_offline_on_any_screen_and_pass_axe(built_reports, chromium, width):
    """Every main report, the index, the data page, the glossary and a sample of profiles, on a desktop and on a phone:
    no network request, console error or dialog; no horizontal scroll of the page and nothing past the screen's edge
    except inside a box that scrolls; alt text on every image; no serious or critical axe-core violation at either
    width; on a phone, every chart drawn in its narrow version with no text under 10 CSS px."""
    paths = sorted(built_reports.glob("*.html")) + [built_reports / p for p in BROWSER_PROFILES]
    visits = visit(paths, chromium, width=width, accessibility=True)
    for path, seen in visits.items():
        name = f"{path.relative_to(built_reports)} at {width} px"
        assert seen.failed_requests == [], f"{name}: failed requests {seen.failed_requests}"
        assert seen.external_requests == [], f"{name}: network requests {seen.external_requests}"
        assert seen.console_errors == [] and seen.page_errors == [], f"{name}: {seen.console_errors} {seen.page_errors}"
        assert seen.dialogs == [], f"{name}: dialogs {seen.dialogs}"
        assert seen.broken_images == 0, f"{name}: {seen.broken_images} broken images"
        assert seen.missing_alt == 0, f"{name}: {seen.missing_alt} image(s) without alt text"
        assert seen.scroll_width <= width, f"{name}: the page is {seen.scroll_width} px wide"
        assert seen.serious == [], f"{name}: axe-core found {seen.serious}"
        assert seen.past_edge == [], f"{name}: past the screen's edge: {seen.past_edge}"
        assert seen.tall_rows == [], f"{name}: table rows taller than the screen: {seen.tall_rows}"
        if width < 600:
            assert all(kind == "narrow" for kind, _ in seen.chart_text), f"{name}: a wide chart on a phone {seen.chart_text}"
            small = [px for _, px in seen.chart_text if px < MIN_CHART_TEXT_PX]
            assert small == [], f"{name}: chart text drawn at {small} px (at least {MIN_CHART_TEXT_PX})"
    assert visits[built_reports / "01_coalition_growth.html"].images >= 2
    assert len(visits[built_reports / "02_negotiations.html"].chart_text) >= 5


def test_the_phone_stylesheet_restyles_only_what_the_phone_check_covers():
    """The phone pass of axe-core checks only what the phone stylesheet restyles (tests/browser.py, PHONE_SCOPE).
    A rule added to a ``max-width`` block must be listed here, with its element in the scope if it changes
    anything axe checks (colour, font size, visibility); the body's padding changes none."""
    found = set()
    for path in (ROOT / "analysis/templates/report.css", ROOT / "analysis/templates/site/site.css"):
        css = path.read_text(encoding="utf-8")
        for media in re.finditer(r"@media\s*\(max-width:[^{]*\{((?:[^{}]*\{[^{}]*\})*)\s*\}", css):
            found |= {" ".join(sel.split()) for sel in re.findall(r"([^{}]+)\{", media.group(1))}
    assert found == {
        "body.jp-Notebook", ".jp-RenderedHTMLCommon h1", ".jp-RenderedHTMLCommon h2", "body.site h1", ".card", ".card dt",
        "body .jp-RenderedHTMLCommon dl.card", "body .jp-RenderedHTMLCommon dl.card dt",
        ".site-header .nav-bar, .report-nav .nav-bar", ".nav-menu", ".site-header .nav-menu nav, .report-nav .nav-menu nav",
        ".nav-menu nav a", ".table-scroll",
        ".table-scroll table.data-table, body .jp-RenderedHTMLCommon .table-scroll table.data-table",
        "table.data-table, table.data-table tbody, table.data-table tr, table.data-table td, table.data-table caption",
        "table.data-table thead", "table.data-table thead tr", "table.data-table thead th", "table.data-table:not(.sortable) thead",
        "table.data-table tbody tr", "table.data-table td, body .jp-RenderedHTMLCommon table.data-table td",
        "table.data-table td.num, body .jp-RenderedHTMLCommon table.data-table td.num, table.data-table td.date",
        "table.data-table td::before",
    }, sorted(found)
    from browser import PHONE_SCOPE

    assert [s[0] for s in PHONE_SCOPE["include"]] == ["h1", "h2", ".card", "nav", ".nav-bar", ".nav-menu", ".table-scroll", "table.data-table"]


def test_a_kernel_build_gives_the_same_bytes_as_the_warm_build(built_reports, tmp_path):
    """Determinism and the warm executor's equivalence in one: the same reports built again, this time with one
    Jupyter kernel per report instead of forks of one warm process, are byte-identical."""
    again = tmp_path / "again"
    # the smallest set with every kind of output: 01 has figures, the map and tables; a profile is a parameterised
    # notebook with a card, a figure and tables
    run_build("--force", "--executor", "kernel", "--out", str(again), "01_coalition_growth", "partners/GBR")
    built = sorted(p.relative_to(again) for p in again.rglob("*.html") if p.name not in ("index.html", "data.html", "glossary.html"))
    assert [str(p) for p in built] == ["01_coalition_growth.html", "partners/GBR.html"]
    for path in built:
        assert (again / path).read_bytes() == (built_reports / path).read_bytes(), f"{path} differs between builds"
    for csv in (again / "downloads").glob("*.csv"):
        assert csv.read_bytes() == (built_reports / "downloads" / csv.name).read_bytes(), csv.name


def test_the_tests_warm_server_builds_the_same_bytes_as_a_users_build(built_reports, tmp_path):
    """The suite's builds fork from a warm server that has imported everything and rehearsed a build (tests/warm.py);
    a report built there, figure and all, is byte-identical to the one the user's build (a fresh interpreter) made."""
    again = tmp_path / "again"
    run_build("--force", "--out", str(again), "partners/GBR")
    assert (again / "partners/GBR.html").read_bytes() == (built_reports / "partners/GBR.html").read_bytes()


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
                          ("commitments", "quote"), ("signatories", "note"), ("milestones", "label"), ("sources", "publisher"),
                          ("events", "description")]:  # fmt: skip
        poison(table, column)
    out = tmp_path_factory.mktemp("injected")
    # the smallest set that shows every poisoned field through every path: tables, chart text drawn as SVG text and
    # the map (01), agreement cards and commitment quotes (03), a profile's cards, prose and source links (GBR); and
    # the index, data and glossary pages
    run_build("--force", "--data-dir", str(data), "--out", str(out), "01_coalition_growth", "03_agreements", "partners/GBR")
    return out


# NOTE: the injected reports are built apart from the session's reports, so these two run on the other worker.
@pytest.mark.xdist_group("injected")
def test_injected_script_is_escaped(injected_reports):
    for path in [*injected_reports.glob("[0-9][0-9]_*.html"), injected_reports / "partners" / "GBR.html"]:
        text = path.read_text(encoding="utf-8")
        assert '<script>alert("xss")' not in text, path.name
        assert "<img src=x onerror" not in text and "<img src=\"x\" onerror" not in text, path.name
        assert "alert(1)" in text, f"{path.name}: the payload vanished instead of being shown as text"
        assert static_check(path).scripts == 1, f"{path.name} contains a <script> element besides the table sorter"


@pytest.mark.xdist_group("injected")
def test_injected_script_does_not_run(injected_reports, chromium):
    visits = visit(sorted(injected_reports.rglob("*.html")), chromium)
    for path, seen in visits.items():
        assert seen.dialogs == [], f"{path.name}: a script ran ({seen.dialogs})"
        assert seen.external_requests == [], f"{path.name}: {seen.external_requests}"


def test_the_browser_check_sees_what_each_page_does_and_blames_that_page(chromium, tmp_path):
    """The check opens every page in one tab: what a page does (a dialog, a script error, a request, a broken image),
    even a tenth of a second after it loads, is recorded against that page and not the next."""
    pages = {
        "1-bad.html": '<img src="https://example.org/x.png" alt="x"><script>alert("now"); undefined_name();</script>',
        "2-late.html": '<p>late</p><script>setTimeout(() => { alert("late"); console.error("late error"); }, 120)</script>',
        "3-clean.html": "<p>nothing happens here</p>",
    }
    for name, body in pages.items():
        (tmp_path / name).write_text(f"<!doctype html><html lang=en><title>{name}</title>{body}</html>", encoding="utf-8")
    seen = visit(sorted(tmp_path.glob("*.html")), chromium)
    bad, late, clean = (seen[tmp_path / name] for name in pages)
    assert bad.dialogs == ["now"] and "undefined_name" in " ".join(bad.page_errors), bad
    assert bad.external_requests == ["https://example.org/x.png"] and bad.broken_images == 1, bad
    assert clean == type(clean)(images=0, title="3-clean.html", scroll_width=clean.scroll_width), clean
    assert late.dialogs == ["late"] and late.console_errors == ["late error"], late


# --------------------------------------------------------------------------- one number per fact, data one click away


def _figures(path: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for name, text in re.findall(r'<span class="figure" data-figure="([a-z0-9_]+)">([^<]*)</span>', path.read_text(encoding="utf-8")):
        found.setdefault(name, set()).add(text)
    return found


def test_a_registered_figure_reads_the_same_in_every_report(built_reports):
    from analysis import figures

    seen: dict[str, dict[str, set[str]]] = {}
    for path in report_files(built_reports):
        for name, texts in _figures(path).items():
            seen.setdefault(name, {})[str(path.relative_to(built_reports))] = texts
    assert set(seen) <= set(figures.names()), f"unregistered figures: {set(seen) - set(figures.names())}"
    assert {"median_days_opened_to_signed", "agreements_signed", "declaration_parties"} <= set(seen)
    for name, pages in seen.items():
        values = set().union(*pages.values())
        assert len(values) == 1, f"{name} reads differently across reports: {pages}"
        assert "" not in values, f"{name} is marked but empty (its text fell out of the span): {pages}"
    # and the profiles, which compare each partner with the median, use the same median as the negotiations report
    assert len(seen["median_days_opened_to_signed"]) > 10


def test_every_download_link_resolves_and_every_table_and_chart_offers_one(built_reports):
    for path in report_files(built_reports):
        text = path.read_text(encoding="utf-8")
        for href in re.findall(r'href="([^"]+\.(?:csv|json|md))"', text):
            assert (path.parent / href).resolve().is_file(), f"{path.name} links a missing download {href}"
    negotiations = (built_reports / "02_negotiations.html").read_text(encoding="utf-8")
    tables = negotiations.count('class="data-table"')
    charts = negotiations.count("<picture>")
    assert negotiations.count("Download the data (CSV)") == tables + charts


def test_the_data_page_offers_the_package_the_method_and_how_to_cite(built_reports):
    page = (built_reports / "data.html").read_text(encoding="utf-8")
    package = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    for resource in package["resources"]:
        assert f'href="data/{resource["path"]}"' in page, resource["path"]
        assert (built_reports / "data" / resource["path"]).read_bytes() == (DATA / resource["path"]).read_bytes()
    assert 'href="data/datapackage.json"' in page and "How to cite" in page and "CC BY 4.0" in page
    assert "Known gaps" in page and "Changelog" in page and package["version"] in page
    for path in report_files(built_reports):
        if path.name not in ("data.html",):
            assert "data.html" in path.read_text(encoding="utf-8"), f"{path.name} does not link the data page"


def test_reports_speak_plain_english(built_reports):
    """No column names or codes in the text a reader sees; one spelling of the President's name."""
    from html.parser import HTMLParser

    class Text(HTMLParser):
        def __init__(self):
            super().__init__()
            self.parts, self.skip = [], 0

        # NOTE: link texts are the sources' own headlines, quoted as published (with their spelling), so they are skipped
        def handle_starttag(self, tag, attrs):
            self.skip += tag in ("style", "script", "a")

        def handle_endtag(self, tag):
            self.skip -= tag in ("style", "script", "a")

        def handle_data(self, data):
            if not self.skip:
                self.parts.append(data)

    # the data page is for data users: its dictionary names every column, as it must
    for path in [*(p for p in built_reports.glob("*.html") if p.name != "data.html"), *(built_reports / p for p in BROWSER_PROFILES)]:
        parser = Text()
        parser.feed(path.read_text(encoding="utf-8"))
        shown = " ".join(parser.parts)
        for word in ("signed_date", "related_agreement_id", "declaration_joiners", "party_id", "event_type", "round(s)", ".0 days",
                     "coalition_of_the_willing", "co_chair", "took_part", "day(s)", "organisation (", "other (",
                     "ukraine-security-guarantees"):
            assert word not in shown, f"{path.name} shows {word!r}"
        assert re.search(r"\bZelensky\b(?!y)", shown.replace("Zelensky's", "")) is None or path.name == "04_claims_audit.html", path.name


def test_imprecise_dates_show_at_their_precision(built_reports):
    negotiations = (built_reports / "partners" / "USA.html").read_text(encoding="utf-8")
    assert ">Jan 2024<" in negotiations  # the US second round, known to the month
    assert ">1 Jan 2024<" not in negotiations


# --------------------------------------------------------------------------- per-partner facts and observed-until


def _facts(path: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for key, text in re.findall(r'<span class="fact" data-fact="([^"]+)">([^<]*)</span>', path.read_text(encoding="utf-8")):
        found.setdefault(key, set()).add(text)
    return found


def check_partner_facts_agree(folder: Path) -> dict[str, dict[str, set[str]]]:
    """Every partner fact marked in a page (partners.show_fact) reads the same on every page; returns what was seen."""
    seen: dict[str, dict[str, set[str]]] = {}
    for path in report_files(folder):
        for key, texts in _facts(path).items():
            seen.setdefault(key, {})[str(path.relative_to(folder))] = texts
    for key, pages in seen.items():
        values = set().union(*pages.values())
        assert len(values) == 1, f"the partner fact {key} reads differently across pages: {pages}"
        assert "" not in values, f"the partner fact {key} is marked but empty: {pages}"
    return seen


def _visible_text(path: Path) -> str:
    text = re.sub(r"<(style|script)\b.*?</\1>", " ", path.read_text(encoding="utf-8"), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text))


def check_durations_stop_at_observed_until(folder: Path) -> int:
    """No page counts days past the observed-until date of its track. For every partner still negotiating, its
    profile's day counts are at most the days from its first dated fact to the bilateral track's last report; every
    page's "N days" is at most the span from the declaration's adoption to the whole record's last report; and no
    page counts "so far" or "to the cut-off". Returns how many pages were scanned."""
    import analysis as an
    from analysis import partners
    from analysis.overview import observed_dates

    ds = an.load_dataset()
    cutoff = an.data_version()["cutoff_date"]
    until = observed_dates(ds, cutoff)
    longest = (until["record"] - pd.Timestamp("2023-07-12")).days
    scanned = 0
    for path in report_files(folder):
        text = _visible_text(path)
        scanned += 1
        assert not re.search(r"\d days? so far|\d days?[^.]{0,30}(at|to) the cut-off", text), f"{path.name} counts days to the cut-off"
        days = [int(n.replace(",", "")) for n in re.findall(r"\b(\d[\d,]*) days\b", text)]
        assert all(n <= longest for n in days), f"{path.name} counts {max(days)} days, past the record's last report"
        # a partner's own open duration ("at least N days", marked or in its tables) ends at the track's last report
        for key, texts in _facts(path).items():
            party, what = key.split(":", 1)
            if what != "negotiating":
                continue
            facts = partners.profile(ds, party, cutoff)
            first = min(d for d in (facts["joined_date"], facts["since_date"]) if pd.notna(d))
            bound = (until["bilateral"] - first).days
            own = [int(n.replace(",", "")) for t in texts for n in re.findall(r"(\d[\d,]*) days", t)]
            assert own and all(n <= bound for n in own), f"{path.name}: {key} runs past {until['bilateral']:%d %b %Y}: {texts}"
        if path.parent.name == "partners":
            facts = partners.profile(ds, path.stem, cutoff)
            if facts["stage"] == "negotiating":
                first = min(d for d in (facts["joined_date"], facts["since_date"]) if pd.notna(d))
                bound = (until["bilateral"] - first).days
                at_least = [int(n.replace(",", "")) for n in re.findall(r"at least (\d[\d,]*) days", text)]
                assert all(n <= bound for n in at_least), f"{path.name}: a bound runs past {until['bilateral']:%d %b %Y}: {at_least}"
    return scanned


def test_a_partner_fact_reads_the_same_on_every_page(built_reports):
    seen = check_partner_facts_agree(built_reports)
    # the answer of the negotiations report and the profile of the partner that has waited longest share one fact
    shared = [key for key, pages in seen.items() if key.endswith(":negotiating") and len(pages) > 1]
    assert shared, f"no partner fact is printed on two pages: {sorted(seen)[:10]}"


def test_no_page_counts_a_duration_past_its_tracks_observed_until(built_reports):
    assert check_durations_stop_at_observed_until(built_reports) > 10


def _page(folder: Path, name: str, body: str) -> None:
    (folder / name).parent.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(f"<html><body><main>{body}</main></body></html>", encoding="utf-8")


def test_the_page_checkers_catch_what_they_look_for(tmp_path):
    span = '<span class="fact" data-fact="BGR:negotiating">{}</span>'
    _page(tmp_path, "a.html", span.format("at least 378 days since talks opened"))
    _page(tmp_path, "partners/BGR.html", span.format("at least 378 days since talks opened"))
    assert check_partner_facts_agree(tmp_path)["BGR:negotiating"].keys() == {"a.html", "partners/BGR.html"}
    assert check_durations_stop_at_observed_until(tmp_path) == 2
    # the same fact in two wordings
    _page(tmp_path, "b.html", span.format("1,200 days so far"))
    with pytest.raises(AssertionError, match="reads differently"):
        check_partner_facts_agree(tmp_path)
    # a duration counted to the cut-off (Bulgaria: 25 Oct 2024 to 28 Nov 2026 is 764 days)
    with pytest.raises(AssertionError, match="so far|cut-off|runs past"):
        check_durations_stop_at_observed_until(tmp_path)
    (tmp_path / "b.html").unlink()
    _page(tmp_path, "c.html", "<p>Bulgaria: 764 days after talks opened, at the cut-off.</p>")
    with pytest.raises(AssertionError, match="cut-off"):
        check_durations_stop_at_observed_until(tmp_path)


def test_on_a_phone_tables_are_cards_that_still_sort_filter_and_fold(built_reports, chromium):
    """At 390 px a table's rows are cards that name each value; the headings sort, the filter filters, a long table
    shows its latest rows first and folds the rest behind a button that counts them; the menu opens without script."""
    from browser import launch

    context = launch(chromium).new_context(offline=True, viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        page = context.new_page()
        page.goto((built_reports / "01_coalition_growth.html").resolve().as_uri(), wait_until="load")
        table = page.locator("table.data-table", has=page.locator("caption", has_text="Parties to the G7 declaration"))
        rows = table.locator("tbody tr")
        total = rows.count()
        assert total > 20
        assert table.locator("tbody tr >> nth=0").evaluate("tr => getComputedStyle(tr).display") == "block"
        label = table.locator("tbody tr >> nth=0 >> td >> nth=0").evaluate("td => getComputedStyle(td, '::before').content")
        assert label == '"Party"'
        # the latest first (the table is written in date order), and all but 10 folded behind a counted button
        first, last = (table.locator(f"tbody tr >> nth={i} >> td >> nth=1").get_attribute("data-sort") for i in (0, total - 1))
        assert first > last
        assert table.locator("tbody tr:visible").count() == 10
        more = page.locator("button.table-more").first
        assert f"Show all {total} rows ({total - 10} more)" in more.inner_text()
        more.click()
        assert table.locator("tbody tr:visible").count() == total
        # sorting by name, then filtering
        table.locator("thead button.sort", has_text="Party").click()
        names = [rows.nth(i).locator("td").first.inner_text() for i in range(3)]
        assert names == sorted(names)
        box = "xpath=ancestor::div[contains(@class, 'table-scroll')]/preceding-sibling::div[contains(@class, 'table-tools')][1]"
        table.locator(box).locator("input.table-filter").fill("Poland")  # the filter above this table
        shown = table.locator("tbody tr:visible")
        assert 1 <= shown.count() < 5
        assert all("poland" in shown.nth(i).inner_text().lower() for i in range(shown.count()))
        # the navigation: a menu, closed, that opens on a tap
        assert page.locator("nav.nav-bar").first.is_hidden()
        page.locator("details.nav-menu summary").click()
        assert page.locator("details.nav-menu nav a", has_text="Glossary").is_visible()
    finally:
        context.close()


# --------------------------------------------------------------------------- weight, glossary


def _site_weight():
    import importlib.util

    from conftest import ROOT

    spec = importlib.util.spec_from_file_location("site_weight", ROOT / "tools" / "site_weight.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_site_is_light(built_reports):
    """The median report or profile page (with its images, which are inside it) and the whole site stay under the
    targets of issue 20; the build's own files are hidden (their names start with a dot)."""
    tool = _site_weight()
    weight = tool.weights(built_reports)
    assert weight["pages"] >= 30
    assert weight["median_page"] <= tool.MEDIAN_PAGE_MAX, weight
    assert weight["site"] <= tool.SITE_MAX, weight
    downloads = (".html", ".db", ".metadata.json")  # the pages, and the SQLite file with its Datasette metadata
    visible = [p.name for p in built_reports.iterdir() if p.is_file() and not p.name.endswith(downloads) and not p.name.startswith(".")]
    assert visible == [], f"files a reader does not need, not hidden: {visible}"
    for path in report_files(built_reports):
        text = path.read_text(encoding="utf-8")
        assert "--jp-" not in text and "jp-OutputArea-prompt {" not in text, f"{path.name} carries JupyterLab's stylesheet"


def test_the_glossary_defines_every_term_with_a_source_and_reports_link_to_it(built_reports):
    import csv

    glossary = (built_reports / "glossary.html").read_text(encoding="utf-8")
    rows = list(csv.DictReader((DATA / "glossary.csv").open(encoding="utf-8")))
    assert len(rows) >= 15
    for row in rows:
        assert f'<dt id="{row["term_id"]}">' in glossary, row["term_id"]
    assert glossary.count('class="source"') == len(rows)
    index = (built_reports / "index.html").read_text(encoding="utf-8")
    assert 'href="glossary.html"' in index
    linked = set()
    for path in report_files(built_reports):
        text = path.read_text(encoding="utf-8")
        for href, term in re.findall(r'<a class="term" href="((?:\.\./)?glossary\.html)#([a-z0-9-]+)"', text):
            assert (path.parent / href).resolve() == (built_reports / "glossary.html").resolve(), f"{path.name}: {href}"
            assert f'id="{term}"' in glossary, f"{path.name} links a term the glossary lacks: {term}"
            linked.add(term)
        # a term is linked once per page, where it first appears
        terms = re.findall(r'<a class="term" href="[^"]+#([a-z0-9-]+)"', text)
        assert len(terms) == len(set(terms)), f"{path.name} links a term twice"
    for name in ("01_coalition_growth.html", "02_negotiations.html", "05_guarantees_after_2024.html", "partners/GBR.html"):
        assert 'class="term"' in (built_reports / name).read_text(encoding="utf-8"), f"{name} links no term"
    assert {"coalition-of-the-willing", "g7-declaration", "security-agreement"} <= linked  # the Compact appears in tables only
