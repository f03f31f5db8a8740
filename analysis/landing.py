"""What the site pages show beyond the reports: the headline numbers, the landing charts, the release notes
and the data documentation as HTML. Used by the build's ``site`` module; every number comes from
:mod:`analysis.figures`, so the landing page and the reports agree.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from analysis import figures, labels
from analysis.schema import resolve_data_dir

HEADLINE = ("declaration_parties", "declaration_joiners", "agreements_signed", "partners_signed", "median_days_opened_to_signed")
HEADLINE_LABELS = {
    "declaration_parties": "parties to the G7 declaration, the G7 and the EU included",
    "declaration_joiners": "countries joined it after Vilnius",
    "agreements_signed": "bilateral security agreements signed",
    "partners_signed": "partners have signed one",
    "median_days_opened_to_signed": "from opening talks to signing, for the median signer",
}
CITATION = "Ukraine's security guarantees: declaration signatories, bilateral agreements and negotiations, data release {version} (cut-off {cutoff})."


def release(data_dir=None) -> dict:
    """The release as the pages print it: version, cut-off, latest source date, citation."""
    from analysis.load import data_version, load_dataset
    from analysis.overview import latest_sources

    version = data_version(data_dir)
    reach = latest_sources(load_dataset(data_dir))
    # the latest source on any topic of the record (not the exchange-rate file, which is reference data)
    latest = reach.loc[~reach["what"].str.startswith("Table "), "latest_source"].max()
    cutoff_label = labels.format_date(version["cutoff_date"])
    return {
        "version": version["version"],
        "cutoff_date": version["cutoff_date"],
        "cutoff_label": cutoff_label,
        "latest_source_label": labels.format_date(latest) if pd.notna(latest) else "",
        "citation": CITATION.format(version=version["version"], cutoff=cutoff_label),
    }


def _png(fig, alt: str, caption: str, csv: str | None = None) -> dict:
    """A figure as its wide and narrow images (:func:`analysis.images.render`, as in the reports), with its alt text
    and caption."""
    from analysis import images

    return {"picture": images.picture(images.render(fig)), "alt": alt, "caption": caption, "csv": csv}


def content(data_dir=None) -> dict:
    """The landing page's computed content: headline numbers, the growth chart, what changed."""
    from analysis.coalition import G7_DECLARATION, composition_by_bloc
    from analysis.load import data_version, load_dataset
    from analysis.plots import plot_growth, use_theme

    ds = load_dataset(data_dir)
    cutoff = data_version(data_dir)["cutoff_date"]
    headline = []
    for name in HEADLINE:
        fig = figures.compute(name, ds, cutoff)
        number = fig.text.split(" ")[0] if fig.value is not None else fig.text
        headline.append({"value": fig.text if name == "median_days_opened_to_signed" else number,
                         "label": HEADLINE_LABELS[name], "definition": fig.definition})  # fmt: skip
    use_theme()
    composition = composition_by_bloc(ds.signatories, ds.memberships, ds.parties, G7_DECLARATION)
    parties = figures.text("declaration_parties", ds, cutoff)
    chart = plot_growth(composition, ds.milestones, title=f"The G7 declaration grew to {parties}",
                        end=composition["joined_date"].max() + pd.Timedelta(days=45))  # fmt: skip
    first, last = composition["joined_date"].min(), composition["joined_date"].max()
    alt = (f"Step chart of the number of parties to the G7 declaration, from {labels.format_date(first)} to "
           f"{labels.format_date(last)}, rising to {parties}, coloured by bloc (G7, EU, NATO, other).")  # fmt: skip
    return {
        "headline": headline,
        "figures": [_png(chart, alt, "Parties to the G7 Joint Declaration of Support for Ukraine, by the day each joined."),
                    _map(ds, cutoff)],
        "changes": release_notes(data_dir),
    }


def _map(ds, cutoff) -> dict:
    """Where the partners stand: signed an agreement, negotiating, joined the declaration only, or outside it (the same
    map helper as notebook 01, :func:`analysis.maps.plot_declaration_map`)."""
    from analysis import describe, maps
    from analysis.coalition import G7_DECLARATION
    from analysis.negotiations import bilateral, partner_status
    from analysis.overview import party_names
    from analysis.plots import PALETTE

    names = party_names(ds.parties)
    status = partner_status(ds.signatories, bilateral(ds.events), ds.agreements, cutoff, G7_DECLARATION)
    status = status[status["party_id"].isin(set(maps.load_boundaries()["party_id"]))]
    kinds = {"signed": "Signed a bilateral agreement", "negotiating": "Negotiating", "joined": "Joined the declaration only"}
    categories = status.assign(category=status["stage"].map(kinds))[["party_id", "category"]]
    categories = maps.with_outsiders(categories, ds.signatories, ds.memberships, cutoff, G7_DECLARATION)
    colours = {kinds["signed"]: PALETTE[0], kinds["negotiating"]: PALETTE[1], kinds["joined"]: PALETTE[9]}
    signed = int((categories["category"] == kinds["signed"]).sum())
    fig = maps.plot_declaration_map(categories, colours, legend_title="At the cut-off",
                                    title=f"{signed} countries on this map signed a bilateral agreement")  # fmt: skip
    return _png(fig, describe.map_(categories, names, "where each country stands at the cut-off"),
                "Where each country stands at the cut-off (the EU, Canada, Japan and the US are off this map).")


def release_notes(data_dir=None) -> list[str]:
    """The bullet points of the newest release in CHANGELOG.md, as plain text (the list of schema changes, which
    names tables and columns, is summarised: the data page shows it in full)."""
    path = resolve_data_dir(data_dir) / "CHANGELOG.md"
    if not path.exists():
        return []
    notes: list[str] = []
    in_release = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            if in_release:
                break
            in_release = True
            continue
        if in_release and line.startswith("- "):
            notes.append(line[2:].strip())
        elif in_release and line.startswith("  ") and notes:
            notes[-1] += " " + line.strip()
    plain = [re.sub(r"[`*]", "", n) for n in notes]
    return ["Schema: new tables and columns (listed on the data page)." if n.startswith("Schema") else n for n in plain]


def _markdown_html(path: Path) -> str:
    """A Markdown file of the project's own as HTML (raw HTML in it is escaped, never passed through)."""
    import mistune
    from markupsafe import Markup

    if not path.exists():
        return Markup("<p>Not available.</p>")
    render = mistune.create_markdown(escape=True, plugins=["table"])
    rendered = render(path.read_text(encoding="utf-8"))
    # a wide table scrolls in its own box, which a keyboard can reach (axe: scrollable-region-focusable)
    rendered = rendered.replace("<table>", '<div class="md-table" role="region" aria-label="Table" tabindex="0"><table>')
    return Markup(rendered.replace("</table>", "</table></div>"))


def data_readme_html(data_dir=None) -> str:
    return _markdown_html(resolve_data_dir(data_dir) / "README.md")


def changelog_html(data_dir=None) -> str:
    return _markdown_html(resolve_data_dir(data_dir) / "CHANGELOG.md")
