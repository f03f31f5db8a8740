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


#: A desktop and a phone: (viewport width, emulate a mobile device).
WIDTHS = {1280: False, 390: True}


def visit(paths: list[Path], executable: str, width: int = 1280, accessibility: bool = False) -> dict[Path, PageVisit]:
    """Load each file:// page in one browser at ``width`` pixels and report requests, console errors, dialogs,
    images, how wide the page is, and (``accessibility``) axe-core's serious and critical violations.

    At 390 px the browser emulates a phone: a mobile viewport grows to fit wide content, so the page's
    ``scrollWidth`` (not ``innerWidth``) tells whether anything reaches past the screen's edge.
    """
    from playwright.sync_api import sync_playwright

    visits: dict[Path, PageVisit] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(offline=True, viewport={"width": width, "height": 900}, is_mobile=WIDTHS.get(width, False))
        axe = None
        if accessibility:
            from axe_playwright_python.sync_playwright import Axe

            axe = Axe()
        for path in paths:
            record = PageVisit()
            page = context.new_page()
            page.on("requestfailed", lambda r, rec=record: rec.failed_requests.append(r.url))
            page.on(
                "request",
                lambda r, rec=record: rec.external_requests.append(r.url) if not r.url.startswith(("file:", "data:")) else None,
            )
            page.on("console", lambda m, rec=record: rec.console_errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e, rec=record: rec.page_errors.append(str(e)))

            def on_dialog(dialog, rec=record):
                rec.dialogs.append(dialog.message)
                dialog.dismiss()

            page.on("dialog", on_dialog)
            page.goto(path.resolve().as_uri(), wait_until="load")
            page.wait_for_timeout(200)
            record.images = page.evaluate("document.images.length")
            record.broken_images = page.evaluate("Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).length")
            record.title = page.title()
            record.scroll_width = page.evaluate("document.documentElement.scrollWidth")
            record.missing_alt = page.evaluate("Array.from(document.images).filter(i => !i.alt || i.alt.startsWith('No description')).length")
            if axe is not None:
                result = axe.run(page)
                record.serious = [f"{v['id']} ({v['impact']}): {len(v['nodes'])} node(s), e.g. {v['nodes'][0]['target']}"
                                  for v in result.response["violations"] if v["impact"] in ("serious", "critical")]  # fmt: skip
            visits[path] = record
            page.close()
        browser.close()
    return visits
