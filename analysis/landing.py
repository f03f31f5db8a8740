"""What the landing page shows beyond the reports: the headline numbers, the landing charts and the release notes
(the data page is :mod:`analysis.datapage`). Used by the build's ``site`` module; every number comes from
:mod:`analysis.figures`, so the landing page and the reports agree.
"""

from __future__ import annotations

import re

import pandas as pd

from analysis import figures, labels

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
    """The release as the pages print it: version, cut-off, latest source date, citation.

    The latest source is the one definition of :func:`analysis.overview.observed_until` (the whole record: the
    latest source cited on any track), so the footers, the index and the data overview print the same date.
    """
    from analysis.load import data_version, load_dataset
    from analysis.overview import observed_until

    version = data_version(data_dir)
    reach = observed_until(load_dataset(data_dir)).set_index("track")["observed_until"]
    latest = reach.get("record", pd.NaT)
    cutoff_label = labels.format_date(version["cutoff_date"])
    latest_label = labels.format_date(latest) if pd.notna(latest) else ""
    dates = f"Sources were searched up to {labels.long_date(version['cutoff_date'])} (the cut-off)"
    dates += f"; the latest source found is dated {labels.long_date(latest)}." if latest_label else "."
    return {
        "version": version["version"],
        "cutoff_date": version["cutoff_date"],
        "cutoff_label": cutoff_label,
        "latest_source_label": latest_label,
        "dates_sentence": dates,
        "citation": CITATION.format(version=version["version"], cutoff=cutoff_label),
    }


def drawn_from(*parts) -> str:
    """A digest of what a chart is drawn from: tables (every column, value and type, in order), strings, numbers.

    >>> a = pd.DataFrame({"x": [1, 2]})
    >>> drawn_from(a, "title") == drawn_from(a.copy(), "title"), drawn_from(a, "title") == drawn_from(a.assign(x=[1, 3]), "title")
    (True, False)
    """
    import hashlib

    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, pd.DataFrame):
            digest.update(repr((list(part.columns), [str(t) for t in part.dtypes], len(part))).encode())
            digest.update(pd.util.hash_pandas_object(part, index=True).to_numpy().tobytes())
        else:
            digest.update(repr(part).encode())
        digest.update(b"\0")
    return digest.hexdigest()


def _png(draw, parts: tuple, alt: str, caption: str, pictures: dict | None, csv: str | None = None) -> dict:
    """A figure as its wide and narrow images (:func:`analysis.images.render`, as in the reports), with its alt text
    and caption. ``draw`` makes the figure from ``parts``; ``pictures`` (``{"old": …, "new": …}``, from the build)
    holds the images an earlier build drew, by :func:`drawn_from` of their parts: drawn from the same, they are the
    same, and are not drawn again (an edited note in a table the page reads leaves its charts as they were)."""
    from analysis import images

    key = drawn_from(*parts)
    old = (pictures or {}).get("old", {})
    picture = old[key] if key in old else images.picture(images.render(draw(*parts)))
    if pictures is not None:
        pictures.setdefault("new", {})[key] = picture
    return {"picture": picture, "alt": alt, "caption": caption, "csv": csv}


def content(data_dir=None, pictures: dict | None = None) -> dict:
    """The landing page's computed content: headline numbers, the growth chart, what changed (``pictures``: see
    :func:`_png`)."""
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

    def chart(composition, milestones, title, end, credit):
        return plot_growth(composition, milestones, title=title, end=end, credit=credit)

    drawn = (composition, ds.milestones, f"The G7 declaration grew to {parties}",
             composition["joined_date"].max() + pd.Timedelta(days=45), labels.credit_line(data_version(data_dir)["version"]))  # fmt: skip
    first, last = composition["joined_date"].min(), composition["joined_date"].max()
    alt = (f"Step chart of the number of parties to the G7 declaration, from {labels.format_date(first)} to "
           f"{labels.format_date(last)}, rising to {parties}, coloured by bloc (G7, EU, NATO, the EU itself, and neither).")  # fmt: skip
    return {
        "headline": headline,
        "figures": [_png(chart, drawn, alt, "Parties to the G7 Joint Declaration of Support for Ukraine, by the day each joined.", pictures),
                    _map(ds, cutoff, data_version(data_dir)["version"], pictures)],
        "changes": release_notes(data_dir),
    }


def _map(ds, cutoff, version: str, pictures: dict | None = None) -> dict:
    """Where the partners stand: signed an agreement, negotiating, joined the declaration only, or outside it (the same
    map helper as notebook 01, :func:`analysis.maps.plot_declaration_map`).

    Stages are as of the last report on the bilateral track (:func:`analysis.overview.observed_dates`), as on every
    other page; the title counts only the signers drawn on the map and names those that are not.
    """
    from analysis import describe, maps
    from analysis.coalition import G7_DECLARATION
    from analysis.negotiations import bilateral, partner_status
    from analysis.overview import observed_dates, party_names
    from analysis.plots import PALETTE

    names = party_names(ds.parties)
    until = observed_dates(ds, cutoff, tracks=("bilateral",))["bilateral"]
    everyone = partner_status(ds.signatories, bilateral(ds.events), ds.agreements, until, G7_DECLARATION)
    world = maps.load_boundaries()
    west, east, south, north = maps.EUROPE
    from shapely.geometry import box

    view = box(west, south, east, north)
    in_view = set(world.loc[world.geometry.intersects(view), "party_id"])
    status = everyone[everyone["party_id"].isin(in_view)]
    kinds = {"signed": "Signed a bilateral agreement", "negotiating": "Negotiating", "joined": "Joined the declaration only"}
    categories = status.assign(category=status["stage"].map(kinds))[["party_id", "category"]]
    categories = maps.with_outsiders(categories, ds.signatories, ds.memberships, cutoff, G7_DECLARATION)
    colours = {kinds["signed"]: PALETTE[0], kinds["negotiating"]: PALETTE[1], kinds["joined"]: PALETTE[9]}
    signers = everyone.loc[everyone["stage"] == "signed", "party_id"]
    on_map = int(signers.isin(in_view).sum())
    off_map = labels.join_names(labels.with_article(names.get(p, p)) for p in signers[~signers.isin(in_view)])
    off_all = labels.join_names(labels.with_article(names.get(p, p)) for p in everyone.loc[~everyone["party_id"].isin(in_view), "party_id"])
    title = f"{on_map} of the {len(signers)} partners that signed a bilateral agreement are on this map"
    def draw(categories, colours, legend_title, title, credit):
        return maps.plot_declaration_map(categories, colours, legend_title=legend_title, title=title, credit=credit)

    drawn = (categories, colours, f"As of {labels.format_date(until)}", title, f"{maps.CREDIT} {labels.credit_line(version)}")
    return _png(draw, drawn, describe.map_(categories, names, "where each country stands") + f" Signed but off this map: {off_map}.",
                f"Where each country stands at the last report on the bilateral track ({labels.format_date(until)}). "
                f"Off this map: {off_all}.", pictures)


def release_notes(data_dir=None) -> list[str]:
    """The bullet points of the newest release in CHANGELOG.md, as plain text (the list of schema changes, which
    names tables and columns, is summarised: the data page shows it in full)."""
    from analysis.diff import release_notes as changelog_notes

    plain = [re.sub(r"[`*]", "", n) for n in changelog_notes(data_dir)]
    return ["Schema: new tables and columns (listed on the data page)." if n.startswith("Schema") else n for n in plain]

