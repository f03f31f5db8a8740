"""Rules on bloc memberships: a spell ends after it starts, and one party's spells in one bloc do not overlap."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from analysis.validation.engine.cells import as_date
from analysis.validation.engine.tables import Table
from analysis.validation.rules.registry import Facts, rule


@rule("memberships")
def membership_ends_after_start(mem: Table, facts: Facts) -> None:
    """A party leaves a bloc after it joined."""
    for row in mem.rows:
        joined, left = as_date(row.get("joined_date")), as_date(row.get("left_date"))
        if joined and left and left <= joined:
            facts.out.add(mem, row.line, "left_date", f"{left} is not after joined_date {joined}")


@rule("memberships")
def membership_spells_do_not_overlap(mem: Table, facts: Facts) -> None:
    """A party's spells in one bloc do not overlap: it rejoins only after it left."""
    spells: dict[tuple[str, str], list[tuple[dt.date, dt.date | None, int]]] = defaultdict(list)
    for row in mem.rows:
        joined, left = as_date(row.get("joined_date")), as_date(row.get("left_date"))
        if joined:
            spells[(row.get("party_id"), row.get("bloc"))].append((joined, left, row.line))
    for (party, bloc), items in spells.items():
        items.sort(key=lambda item: (item[0], item[2]))
        for (_, left, _), (joined, _, line) in zip(items, items[1:]):
            if left is None or joined < left:
                facts.out.add(mem, line, "joined_date", f"{party} already in {bloc} on {joined}: membership spells overlap")
