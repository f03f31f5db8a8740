"""The map's boundaries: committed, 1:50m, Crimea in Ukraine, no antimeridian smear, every party found."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import analysis as an  # noqa: E402
from analysis import maps  # noqa: E402


@pytest.mark.parametrize(
    ("place", "lon", "lat", "party"),
    [
        ("Simferopol", 34.10, 44.95, "UKR"),  # Crimea is Ukraine (UN GA resolution 68/262)
        ("Sevastopol", 33.52, 44.60, "UKR"),
        ("Kyiv", 30.52, 50.45, "UKR"),
        ("Krasnodar", 38.98, 45.04, "RUS"),  # across the Kerch strait: Russia
        ("Pristina", 21.17, 42.66, "XKX"),  # Kosovo has its own code
        ("Valletta", 14.51, 35.90, "MLT"),  # exists at 1:50m, not at 1:110m
        ("Luxembourg", 6.13, 49.61, "LUX"),
        ("Reykjavik", -21.90, 64.14, "ISL"),
    ],
)
def test_places_fall_in_the_right_country(place, lon, lat, party):
    assert maps.party_at(lon, lat) == party, place


def test_every_party_in_the_data_is_on_the_map_or_a_known_exception():
    assert maps.missing_parties(an.load_parties()["party_id"]) == []
    assert maps.missing_parties(["ZZZ", "EUU"]) == ["ZZZ"]


@pytest.mark.parametrize("party", ["RUS", "FJI"])
def test_no_polygon_crosses_the_antimeridian(party):
    world = maps.load_boundaries()
    geometry = world.loc[world["party_id"] == party, "geometry"].iloc[0]
    for polygon in getattr(geometry, "geoms", [geometry]):
        west, _, east, _ = polygon.bounds
        assert east - west < 180, f"a {party} polygon spans {west}..{east}"


def test_plot_map_colours_each_category_and_marks_small_states():
    categories = pd.DataFrame({"party_id": ["POL", "MLT", "LUX"], "category": ["A", "B", "B"]})
    fig = maps.plot_map(categories, {"A": "#ff0000", "B": "#0000ff"}, title="Test map")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["A", "B", maps.OTHER_LABEL]
    markers = [c for c in ax.collections if c.get_offsets().shape[0] and type(c).__name__ == "PathCollection"]
    assert sum(c.get_offsets().shape[0] for c in markers) == 2  # Malta and Luxembourg get markers, Poland does not
    assert "Natural Earth" in " ".join(t.get_text() for t in fig.texts)
    plt.close(fig)
