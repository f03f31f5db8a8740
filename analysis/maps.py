"""The signatory map: Natural Earth 1:50m boundaries committed in the repo, nothing downloaded.

Boundaries: ``analysis/assets/world_50m.geojson``, made once by ``tools/make_boundaries.py`` from Natural
Earth (public domain). Crimea is drawn as part of Ukraine (UN GA resolution 68/262), Kosovo is ``XKX``,
and Russia and Fiji are split at the antimeridian. Microstates get a marker, as they are sub-pixel.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from functools import lru_cache

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from analysis.paths import ASSETS
from analysis.plots import _finish

BOUNDARIES = ASSETS / "world_50m.geojson"
#: Parties with no boundary of their own, and why.
NOT_ON_MAP = {"EUU": "the European Union is an organisation, not a territory"}
#: Below this area (square degrees) a country is drawn with a marker as well.
MARKER_AREA = 0.5
EUROPE = (-25.0, 45.0, 34.0, 71.5)
CREDIT = "Boundaries: Made with Natural Earth (1:50m; Crimea shown as part of Ukraine)."


@lru_cache(maxsize=1)
def _read() -> object:
    import geopandas as gpd

    return gpd.read_file(BOUNDARIES)


def load_boundaries():
    """The country boundaries as a GeoDataFrame (``party_id``, ``geometry``), read once per process.

    >>> "UKR" in set(load_boundaries()["party_id"])
    True
    """
    return _read().copy()


def missing_parties(party_ids: Iterable[str], boundaries=None) -> list[str]:
    """Party codes that have no boundary and are not a known exception (:data:`NOT_ON_MAP`).

    >>> missing_parties(["UKR", "XKX", "EUU", "ZZZ"])
    ['ZZZ']
    """
    world = boundaries if boundaries is not None else _read()
    known = set(world["party_id"])
    return sorted({p for p in party_ids if p not in known and p not in NOT_ON_MAP})


def party_at(lon: float, lat: float, boundaries=None) -> str | None:
    """The party whose boundary contains the point, or None (sea).

    >>> party_at(34.10, 44.95)  # Simferopol
    'UKR'
    """
    from shapely.geometry import Point

    world = boundaries if boundaries is not None else _read()
    hit = world[world.contains(Point(lon, lat))]
    return None if hit.empty else str(hit["party_id"].iloc[0])


#: The label of the countries a map does not colour.
OTHER_LABEL = "Other countries (not part of the comparison)"


def plot_map(
    categories: pd.DataFrame,
    colours: Mapping[str, object],
    title: str,
    extent: tuple[float, float, float, float] = EUROPE,
    legend_title: str = "",
    highlight: str | None = "UKR",
    credit: str | None = None,
) -> Figure:
    """A choropleth: each party in ``categories`` (``party_id``, ``category``) filled with ``colours[category]``.

    Other countries are light grey; ``highlight`` (Ukraine by default) is outlined. ``extent`` is
    (lon min, lon max, lat min, lat max) in degrees. Small countries get a marker in their colour.

    >>> fig = plot_map(pd.DataFrame({"party_id": ["POL"], "category": ["joined"]}), {"joined": "#0173b2"}, "Poland")
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    ['joined', 'Other countries (not part of the comparison)']
    """
    world = _read()
    merged = world.merge(categories[["party_id", "category"]], on="party_id", how="left")
    fig, ax = plt.subplots(figsize=(10, 7.2))
    lon0, lon1, lat0, lat1 = extent
    view = merged.cx[lon0 - 5 : lon1 + 5, lat0 - 5 : lat1 + 5]
    view[view["category"].isna()].plot(ax=ax, color="#e8e8e8", edgecolor="white", linewidth=0.4)
    order = [c for c in colours if c in set(categories["category"])]
    for category in order:
        part = view[view["category"] == category]
        if part.empty:
            continue
        part.plot(ax=ax, color=colours[category], edgecolor="white", linewidth=0.4)
        with warnings.catch_warnings():
            # Square degrees are what we mean here: a size threshold for markers, not a real area.
            warnings.filterwarnings("ignore", message="Geometry is in a geographic CRS")
            small = part[part.geometry.area < MARKER_AREA]
        points = small.geometry.representative_point()
        ax.scatter(points.x, points.y, s=40, color=colours[category], edgecolor="#222222", linewidth=0.6, zorder=5)
    if highlight is not None:
        view[view["party_id"] == highlight].plot(ax=ax, facecolor="none", edgecolor="#222222", linewidth=1.1)
    ax.set_xlim(lon0, lon1)
    ax.set_ylim(lat0, lat1)
    ax.set_aspect(1.5)
    ax.set_axis_off()
    handles = [Patch(facecolor=colours[c], label=str(c)) for c in order]
    handles.append(Patch(facecolor="#e8e8e8", edgecolor="#bbbbbb", label=OTHER_LABEL))
    # NOTE: the legend sits beside the map, never on it (it used to cover Iceland).
    ax.legend(handles=handles, title=legend_title, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8,
              title_fontsize=9, frameon=False)  # fmt: skip
    from analysis.labels import credit_line

    return _finish(fig, title, credit or f"{CREDIT} {credit_line()}")


#: The category, and its grey, of the EU and NATO members that have not joined the G7 declaration (3.7:1 on white).
NOT_JOINED = "EU or NATO member, not joined"
NOT_JOINED_COLOUR = "#858585"


def with_outsiders(categories: pd.DataFrame, signatories: pd.DataFrame, memberships: pd.DataFrame, cutoff,
                   declaration_id: str) -> pd.DataFrame:  # fmt: skip
    """``categories`` (``party_id``, ``category``) and, as :data:`NOT_JOINED`, every EU or NATO member that had not
    joined the declaration by ``cutoff`` and has no category yet.

    >>> sig = pd.DataFrame({"declaration_id": ["d"], "party_id": ["POL"], "joined_date": pd.to_datetime(["2024-01-22"]),
    ...                     "role": ["acceded"]})
    >>> mem = pd.DataFrame({"party_id": ["POL", "HUN"], "bloc": ["EU", "EU"], "joined_date": pd.to_datetime(["2004-05-01"] * 2),
    ...                     "left_date": pd.to_datetime([None, None])})
    >>> with_outsiders(pd.DataFrame({"party_id": ["POL"], "category": ["joined"]}), sig, mem, "2024-06-01", "d").values.tolist()
    [['POL', 'joined'], ['HUN', 'EU or NATO member, not joined']]
    """
    from analysis.coalition import not_joined

    outside = set()
    for bloc in ("EU", "NATO"):
        outside |= set(not_joined(signatories, memberships, bloc, cutoff, declaration_id)["party_id"])
    extra = sorted(outside - set(categories["party_id"]))
    return pd.concat([categories[["party_id", "category"]], pd.DataFrame({"party_id": extra, "category": NOT_JOINED})],
                     ignore_index=True)  # fmt: skip


def plot_declaration_map(categories: pd.DataFrame, colours: Mapping[str, object], title: str, legend_title: str = "",
                         credit: str | None = None) -> Figure:  # fmt: skip
    """Europe with each party coloured by its category and the outsiders (:func:`with_outsiders`) in grey: the map of
    notebook 01 and of the index. Every party must have a boundary (:data:`NOT_ON_MAP` excepted).

    >>> fig = plot_declaration_map(pd.DataFrame({"party_id": ["POL", "HUN"], "category": ["joined", NOT_JOINED]}),
    ...                            {"joined": "#0173b2"}, "Poland")
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()][:2]
    ['joined', 'EU or NATO member, not joined']
    """
    missing = missing_parties(categories["party_id"])
    if missing:
        raise ValueError(f"parties without a boundary: {missing}")
    return plot_map(categories, dict(colours) | {NOT_JOINED: NOT_JOINED_COLOUR}, title=title, legend_title=legend_title,
                    extent=EUROPE, credit=credit)  # fmt: skip
