"""Open a report in headless Chromium with the network blocked, and record what went wrong."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--proxy-server=http://127.0.0.1:9",
    "--host-resolver-rules=MAP * ~NOTFOUND",
]


@dataclass
class PageVisit:
    failed_requests: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    images: int = 0
    broken_images: int = 0
    title: str = ""
    scroll_width: int = 0
    missing_alt: int = 0
    #: axe-core violations of impact "serious" or "critical": "rule-id (impact): n nodes"
    serious: list[str] = field(default_factory=list)
    #: elements that reach past the right edge of the screen outside a box that scrolls: "tag.class (right px)"
    past_edge: list[str] = field(default_factory=list)
    #: per chart image: the smallest text it shows, in CSS px as drawn (its smallest text at natural size times the
    #: ratio of drawn to natural width), and which version the browser chose ("wide" or "narrow")
    chart_text: list[tuple[str, float]] = field(default_factory=list)
    #: table rows (or, on a phone, cards) taller than the screen: "caption: height px"
    tall_rows: list[str] = field(default_factory=list)


#: Elements whose right edge is past the screen's, unless a box between them and the page scrolls (or clips) sideways.
PAST_EDGE = """() => {
  const width = document.documentElement.clientWidth, found = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 1) continue;
    let boxed = false;
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      const x = getComputedStyle(up).overflowX;
      if (x === 'auto' || x === 'scroll' || x === 'hidden' || x === 'clip') { boxed = true; break; }
    }
    if (!boxed) found.push(el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : '') + ' (' + Math.round(box.right) + ' px)');
  }
  return found.slice(0, 10);
}"""

#: Each chart's smallest text as drawn: the image records it at its natural size (data-text: "wide [narrow width]", see
#: analysis.images), and the browser says which version it shows (currentSrc) and how wide it draws it.
CHART_TEXT = """() => Array.from(document.querySelectorAll('img[data-text]')).map(img => {
  const [wide, narrow, narrowWidth] = img.dataset.text.split(' ').map(Number);
  const isNarrow = narrow !== undefined && !Number.isNaN(narrow) && img.currentSrc !== img.src;
  const natural = isNarrow ? narrowWidth : Number(img.getAttribute('width'));
  const drawn = img.getBoundingClientRect().width;
  return [isNarrow ? 'narrow' : 'wide', Math.round((isNarrow ? narrow : wide) * drawn / natural * 10) / 10];
})"""

#: Rows of a data table (cards on a phone) taller than the screen: one long note must not stretch a row into a blank.
TALL_ROWS = """() => Array.from(document.querySelectorAll('table.data-table tbody tr')).filter(tr => tr.getClientRects().length)
  .map(tr => [tr.closest('table').querySelector('caption')?.textContent || 'table', tr.getBoundingClientRect().height])
  .filter(([, h]) => h > window.innerHeight).slice(0, 5).map(([c, h]) => c + ': ' + Math.round(h) + ' px')"""

#: How long a page stays open after its checks when axe-core does not run (axe-core takes about a second a page):
#: time for an error or a request a script makes just after the page loads to be recorded against that page. A wait
#: after every page also lets the browser paint it, which none of the checks needs and which costs more than they do.
LATE_MS = 200

#: A desktop and a phone: (viewport width, emulate a mobile device).
WIDTHS = {1280: False, 390: True}


#: What the phone stylesheet restyles (its ``@media (max-width: 600px)`` blocks): headings, cards, the navigation menu
#: and the tables that become cards. The rest of a page is styled the same at every width, so axe-core checks it in
#: the desktop pass and the phone pass checks only these (colour contrast is most of axe's time).
#: ``tests/test_reports.py::test_the_phone_stylesheet_restyles_only_what_the_phone_check_covers`` keeps this true.
PHONE_SCOPE = {"include": [["h1"], ["h2"], [".card"], ["nav"], [".nav-bar"], [".nav-menu"], [".table-scroll"], ["table.data-table"]]}


def visit(paths: list[Path], executable: str, width: int = 1280, accessibility: bool = False) -> dict[Path, PageVisit]:
    """Load each file:// page in one browser at ``width`` pixels and report requests, console errors, dialogs,
    images, how wide the page is, and (``accessibility``) axe-core's serious and critical violations (on a phone,
    of what the phone stylesheet restyles: :data:`PHONE_SCOPE`).

    At 390 px the browser emulates a phone: a mobile viewport grows to fit wide content, so the page's
    ``scrollWidth`` (not ``innerWidth``) tells whether anything reaches past the screen's edge.
    """
    visits: dict[Path, PageVisit] = {}
    context = launch(executable).new_context(offline=True, viewport={"width": width, "height": 900}, is_mobile=WIDTHS.get(width, False))
    try:
        axe = None
        if accessibility:
            from axe_playwright_python.sync_playwright import Axe

            axe = Axe()
        # One tab opens every page in turn: a navigation replaces the document and its scripts, and a new tab per page
        # cost a renderer's start each (about a third of the check without axe-core). Events go to the page now open.
        page = context.new_page()
        record = PageVisit()

        def on_dialog(dialog):
            record.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("requestfailed", lambda r: record.failed_requests.append(r.url))
        page.on("request", lambda r: record.external_requests.append(r.url) if not r.url.startswith(("file:", "data:")) else None)
        page.on("console", lambda m: record.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: record.page_errors.append(str(e)))
        page.on("dialog", on_dialog)
        for path in paths:
            record = visits[path] = PageVisit()
            page.goto(path.resolve().as_uri(), wait_until="load")
            record.images = page.evaluate("document.images.length")
            record.broken_images = page.evaluate("Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).length")
            record.title = page.title()
            record.scroll_width = page.evaluate("document.documentElement.scrollWidth")
            record.missing_alt = page.evaluate("Array.from(document.images).filter(i => !i.alt || i.alt.startsWith('No description')).length")
            record.past_edge = page.evaluate(PAST_EDGE)
            record.chart_text = [tuple(x) for x in page.evaluate(CHART_TEXT)]
            record.tall_rows = page.evaluate(TALL_ROWS)
            if axe is not None:
                result = axe.run(page, context=PHONE_SCOPE if WIDTHS.get(width) else None)
                record.serious = [f"{v['id']} ({v['impact']}): {len(v['nodes'])} node(s), e.g. {v['nodes'][0]['target']}"
                                  for v in result.response["violations"] if v["impact"] in ("serious", "critical")]  # fmt: skip
            else:
                page.wait_for_timeout(LATE_MS)
        page.goto("about:blank")  # what the last page does as it is left is recorded against it
    finally:
        context.close()
    return visits


_running: dict[str, tuple] = {}


def launch(executable: str):
    """The headless Chromium of this test process: started on first use (a start costs about a second of CPU) and
    ended by :func:`close` as the session ends. Each check opens its own context: its screen, offline, no state
    shared with another check."""
    if executable not in _running:
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        _running[executable] = (playwright, playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True))
    return _running[executable][1]


def close() -> None:
    """End every browser :func:`launch` started."""
    while _running:
        _, (playwright, browser) = _running.popitem()
        browser.close()
        playwright.stop()
