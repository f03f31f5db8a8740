"""The registry of cross-table rules: ``@rule("table", ...)`` adds a function to :data:`RULES`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from analysis.validation.engine.problems import Collector
from analysis.validation.engine.tables import Row, Table


@dataclass(frozen=True)
class Rule:
    """One cross-table rule: its name (the function's), the tables it needs, the check, and what it asks for."""

    name: str
    tables: tuple[str, ...]
    check: Callable[..., None]
    doc: str


#: Every rule, in the order they run (problems are sorted afterwards, so the order does not change the report).
RULES: list[Rule] = []


def rule(*tables: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Register a rule that runs when ``tables`` were all read, called as ``check(*those tables, facts)``."""

    def register(check: Callable[..., None]) -> Callable[..., None]:
        RULES.append(Rule(check.__name__, tables, check, (check.__doc__ or "").strip()))
        return check

    return register


@dataclass
class Facts:
    """What the rules of one run share: every table read, where problems go, and lookups built once."""

    tables: dict[str, Table]
    out: Collector
    memo: dict = field(default_factory=dict)

    def index(self, table: str, key: str) -> dict[str, Row]:
        """The rows of ``table`` by their value of ``key`` (empty when the table is absent; the last row wins)."""
        found = self.memo.get(("index", table, key))
        if found is None:
            rows = self.tables[table].rows if table in self.tables else ()
            found = self.memo[("index", table, key)] = {row.get(key): row for row in rows}
        return found


def check_rules(tables: dict[str, Table], out: Collector) -> None:
    """Run every registered rule whose tables were read."""
    facts = Facts(tables, out)
    for each in RULES:
        if all(name in tables for name in each.tables):
            each.check(*(tables[name] for name in each.tables), facts)
