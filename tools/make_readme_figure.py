"""Regenerate docs/coalition_growth.png, the picture in README.md (run by hand after a data release).

    .venv/bin/python tools/make_readme_figure.py
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402

import analysis as an  # noqa: E402
from analysis import plots  # noqa: E402
from analysis.paths import ROOT  # noqa: E402

OUT = ROOT / "docs" / "coalition_growth.png"
DECLARATION = "g7-jdsu-2023"


def main() -> None:
    plots.use_theme()
    ds = an.load_dataset()
    composition = an.composition_by_bloc(ds.signatories, ds.memberships, ds.parties, DECLARATION)
    members = an.members_as_of(ds.signatories, an.data_version()["cutoff_date"], DECLARATION)
    end = members["joined_date"].max() + pd.Timedelta(days=45)
    fig = plots.plot_growth(composition, ds.milestones, end=end, title=f"{len(members)} parties to the G7 Joint Declaration of Support for Ukraine")
    fig.set_size_inches(8, 4.2)
    fig.savefig(OUT, dpi=90, metadata={"Software": None})
    print(f"wrote {OUT} ({OUT.stat().st_size / 1e3:.0f} kB)")


if __name__ == "__main__":
    main()
