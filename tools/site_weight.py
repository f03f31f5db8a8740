"""How heavy the built site is for a reader: the median and largest page, and the whole folder.

A page's weight is its HTML file: every image and style is inside it. Hidden files (the build's state, cache and
lock, whose names start with a dot) are counted apart: a reader never opens or needs them.

Usage: python tools/site_weight.py [REPORTS_FOLDER]     (default: reports/)
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

#: The targets of issue 20: the median report or profile page, and the whole site.
MEDIAN_PAGE_MAX = 250_000
SITE_MAX = 10_000_000
#: The data package in other formats, offered as downloads (issue 18, after the target was set): the SQLite database,
#: its Datasette metadata and the zip of the CSV files. Reported apart from the site the target bounds.
DATA_DOWNLOADS = ("*.db", "*.metadata.json", "data/*.zip")


def weights(folder: Path) -> dict:
    """The median and largest report or profile page (bytes), the whole site without and with hidden files."""
    files = [p for p in folder.rglob("*") if p.is_file()]
    hidden = [p for p in files if any(part.startswith(".") for part in p.relative_to(folder).parts)]
    downloads = [p for pattern in DATA_DOWNLOADS for p in folder.glob(pattern)]
    pages = [p for p in folder.glob("*.html") if p.name[:2].isdigit()] + sorted((folder / "partners").glob("*.html"))
    sizes = {str(p.relative_to(folder)): p.stat().st_size for p in pages}
    largest = max(sizes, key=sizes.get) if sizes else ""
    return {
        "pages": len(sizes),
        "median_page": int(statistics.median(sizes.values())) if sizes else 0,
        "largest_page": sizes.get(largest, 0),
        "largest_page_name": largest,
        "site": sum(p.stat().st_size for p in files if p not in hidden and p not in downloads),
        "data_downloads": sum(p.stat().st_size for p in downloads),
        "hidden": sum(p.stat().st_size for p in hidden),
    }


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else Path(__file__).resolve().parent.parent / "reports"
    w = weights(folder)
    print(f"{w['pages']} report and profile pages in {folder}")
    print(f"median page   {w['median_page'] / 1000:8.1f} KB  (target {MEDIAN_PAGE_MAX / 1000:.0f} KB)")
    print(f"largest page  {w['largest_page'] / 1000:8.1f} KB  ({w['largest_page_name']})")
    print(
        f"whole site    {w['site'] / 1e6:8.2f} MB  (target {SITE_MAX / 1e6:.0f} MB; build files, hidden: {w['hidden'] / 1000:.0f} KB more)"
    )
    print(f"data downloads {w['data_downloads'] / 1e6:7.2f} MB  (the SQLite database and the zip of the CSV files, beside the site)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
