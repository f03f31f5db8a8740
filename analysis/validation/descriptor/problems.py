"""How a descriptor problem is located: the line of the JSON key in ``datapackage.json`` and its JSON path."""

from __future__ import annotations

from analysis.schema import Descriptor
from analysis.validation.engine.problems import Collector


def json_path(path: tuple) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "-"


class DescriptorProblems:
    """Reports a problem at a place in the descriptor: ``problem(path, message, key)`` (the key inside ``path``
    that is wrong, if any, locates the line)."""

    def __init__(self, desc: Descriptor, where: str, out: Collector):
        self.desc, self.where, self.out = desc, where, out

    def __call__(self, path: tuple, message: str, key: str | None = None) -> None:
        self.out.add(self.where, self.desc.line(path, key), json_path(path + ((key,) if key is not None else ())), message)
