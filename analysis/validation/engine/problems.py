"""Problems: one located finding (:class:`Problem`), how it is shown, and the collector that caps them per column."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from analysis.validation import settings

if TYPE_CHECKING:
    from analysis.validation.engine.tables import Table


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the data, located by file, line and column."""

    path: str
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        message = self.message if len(self.message) <= 1000 else f"{self.message[:700]} … {self.message[-250:]}"
        column = printable(self.column).replace(":", "\\x3a")
        return f"{printable(self.path)}:{self.line}: {column}: {printable(message)}"


def printable(text: str) -> str:
    """``text`` with every non-printing character (controls, line breaks, bidi overrides) escaped, so one problem
    is one line and a value cannot drive the terminal."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def show(value: str, limit: int = 80) -> str:
    """A value as messages quote it: in quotes, non-printing characters escaped, a long value cut in the middle
    (its ends stay visible: that is where stray spaces are)."""
    if len(value) <= limit:
        return repr(value)
    quote = repr(value)[-1]
    head, tail = repr(value[: limit - 25])[1:-1], repr(value[-20:])[1:-1]
    return f"{quote}{head}…{tail}{quote} ({len(value):,} characters)"


class DataError(ValueError):
    """Raised by the loaders when the data does not validate; carries every problem shown."""

    def __init__(self, problems: list[Problem], count: int | None = None):
        self.problems = list(problems)
        self.count = len(self.problems) if count is None else count
        shown = "\n".join(str(p) for p in self.problems[:50])
        more = len(self.problems) - 50
        tail = f"\n… and {more} more" if more > 0 else ""
        super().__init__(f"the data has {self.count} problem(s):\n{shown}{tail}")


class Slot:
    __slots__ = ("kept", "worst", "hidden", "first_hidden")

    def __init__(self) -> None:
        self.kept: list[Problem] = []
        self.worst: tuple[int, str] | None = None  # set once the slot is full
        self.hidden = 0
        self.first_hidden = 0


class Collector:
    """Collects problems, keeping the first ``PROBLEMS_PER_COLUMN`` (by line) of each file and column."""

    def __init__(self, cap: int | None = None) -> None:
        self.cap = settings.PROBLEMS_PER_COLUMN if cap is None else cap
        self.count = 0
        self._slots: dict[tuple[str, str], Slot] = {}

    def add(self, table: Table | str, line: int, column: str, message: str) -> None:
        path = table if isinstance(table, str) else table.path
        slot = self._slots.get((path, column))
        if slot is None:
            slot = self._slots[(path, column)] = Slot()
        if slot.worst is not None and (line, message) >= slot.worst:
            self._hide(slot, line)
            return
        problem = Problem(path, line, column, message)
        if problem in slot.kept:
            return
        self.count += 1
        slot.kept.append(problem)
        if len(slot.kept) > self.cap:
            evicted = max(slot.kept, key=lambda p: (p.line, p.message))
            slot.kept.remove(evicted)
            self.count -= 1
            self._hide(slot, evicted.line)
        if len(slot.kept) == self.cap:
            slot.worst = max((p.line, p.message) for p in slot.kept)

    def _hide(self, slot: Slot, line: int) -> None:
        self.count += 1
        if not slot.hidden or line < slot.first_hidden:
            slot.first_hidden = line
        slot.hidden += 1

    def add_many(self, table: Table, column: str, found: list[tuple[int, str]]) -> None:
        """Add problems in one column, in line order: once its first lines are full, the rest are only counted."""
        slot = self._slots.get((table.path, column))
        if slot is not None and slot.worst is not None and found and found[0][0] > slot.worst[0]:
            self.count += len(found)
            if not slot.hidden or found[0][0] < slot.first_hidden:
                slot.first_hidden = found[0][0]
            slot.hidden += len(found)
            return
        for line, message in found:
            self.add(table, line, column, message)

    def hidden(self, table: Table | str, line: int, column: str) -> bool:
        """Whether a problem at ``line`` would only be counted (so an expensive message need not be built)."""
        slot = self._slots.get((table if isinstance(table, str) else table.path, column))
        return slot is not None and slot.worst is not None and line > slot.worst[0]

    def problems(self) -> list[Problem]:
        shown = [p for slot in self._slots.values() for p in slot.kept]
        for (path, column), slot in self._slots.items():
            if slot.hidden:
                noun = "problem" if slot.hidden == 1 else "problems"
                shown.append(Problem(path, slot.first_hidden, column, f"… and {slot.hidden:,} more {noun} in this column"))
        return sorted(shown, key=lambda p: (p.path, p.line, p.column, p.message))

