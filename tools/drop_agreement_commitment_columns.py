"""One-off: drop the headline-commitment columns from ``data/agreements.csv`` and ``data/datapackage.json``.

The ``commitments`` table (one row per pledged amount, from the agreements' texts) replaces
``commitment_amount``, ``commitment_currency``, ``commitment_year``, ``commitment_scope`` and
``commitment_text``. Only those columns are dropped; every other cell is written back as read, so the script
can be re-run after merging other edits to ``agreements.csv``. Running it again is a no-op.

    python tools/drop_agreement_commitment_columns.py
    python -m analysis dictionary   # then paste the output between the dictionary markers of data/README.md
"""

from __future__ import annotations

import csv
import io
import json
import sys

from analysis.paths import DATA_DIR

DROP = ("commitment_amount", "commitment_currency", "commitment_year", "commitment_scope", "commitment_text")


def main() -> int:
    table = DATA_DIR / "agreements.csv"
    rows = list(csv.DictReader(io.StringIO(table.read_text(encoding="utf-8"))))
    header = next(csv.reader(io.StringIO(table.read_text(encoding="utf-8"))))
    keep = [c for c in header if c not in DROP]
    package_path = DATA_DIR / "datapackage.json"
    package = json.loads(package_path.read_text(encoding="utf-8"))
    resource = next(r for r in package["resources"] if r["name"] == "agreements")
    fields = resource["schema"]["fields"]
    if keep == header and not any(f["name"] in DROP for f in fields):
        print("nothing to drop: the commitment columns are already gone")
        return 0
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=keep, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    table.write_text(out.getvalue(), encoding="utf-8")
    resource["schema"]["fields"] = [f for f in fields if f["name"] not in DROP]
    package_path.write_text(json.dumps(package, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"dropped {', '.join(c for c in DROP if c in header)} from {table.name} and its schema")
    return 0


if __name__ == "__main__":
    sys.exit(main())
