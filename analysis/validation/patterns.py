"""Pattern safety: a descriptor's ``pattern`` never hangs the validator.

A pattern must compile in Python (the tools that read the descriptor use ``re``), must not be one a backtracking
engine runs in exponential or high-polynomial time (:mod:`.backtracking`), and is matched with RE2
(``google-re2``), whose time is linear in the value whatever the pattern. RE2 lacks backreferences and lookaround:
a pattern that uses them is refused with a located message. Python's Unicode classes (``\\d``, ``\\w``, ``\\s``) are
translated to RE2's Unicode properties, so a value matches exactly when it would in Python. Without ``google-re2``
installed, patterns fall back to ``re`` (guarded by the analyser only).
"""

from __future__ import annotations

import functools
import re

from analysis.validation.backtracking import risk
from analysis.validation.engine.problems import show

try:
    import re2
    from re2 import _re2
except ImportError:  # pragma: no cover - google-re2 is pinned in requirements.txt
    re2 = None
else:
    _BOTH = _re2.RE2.Anchor.ANCHOR_BOTH

#: RE2 may use this much memory for one pattern; a larger program is refused.
RE2_MAX_MEM = 8 << 20
#: Python's Unicode classes, as RE2 writes them: (inside a class, outside a class); None where RE2 has no way.
_SPACE = r"\t\n\v\f\r\x{1c}-\x{1f}\x{85}\p{Z}"
_WORD = r"\p{L}\p{N}_"
_CLASSES = {
    "d": (r"\p{Nd}", r"\p{Nd}"),
    "D": (r"\P{Nd}", r"\P{Nd}"),
    "w": (_WORD, f"[{_WORD}]"),
    "W": (None, f"[^{_WORD}]"),
    "s": (_SPACE, f"[{_SPACE}]"),
    "S": (None, f"[^{_SPACE}]"),
    "Z": (None, r"\z"),
}


class Unsupported(ValueError):
    """A pattern RE2 cannot run as Python would; the message says what to write instead."""


def pattern_problem(pattern: object) -> str | None:
    """What is wrong with a descriptor ``pattern``, or None."""
    if not isinstance(pattern, str) or not pattern:
        return f"{pattern!r} is not a regular expression: write it as a string, e.g. \"^[A-Z]{{3}}$\""
    return _string_pattern_problem(pattern)


@functools.lru_cache(maxsize=256)
def _string_pattern_problem(pattern: str) -> str | None:
    if len(pattern) > 1000:
        return f"is {len(pattern):,} characters long: a column's pattern needs far fewer than 1,000"
    try:
        re.compile(pattern)
    except (re.error, RecursionError, OverflowError, ValueError) as exc:
        return f"{show(pattern)} is not a valid regular expression ({exc}): fix its syntax"
    try:
        from re import _parser  # the standard library's own regex parser (private, stable within a Python version)

        found = risk(_parser.parse(pattern))
    except Exception:  # the check is a safeguard; a pattern it cannot analyse is not refused for that
        found = None
    if found == "exponential":
        return (
            f"{show(pattern)} can take exponential time on some values (a repeated part can match the same text in "
            "more than one way, as in (a+)+): make each repetition start with a character the part before it cannot "
            "match, as in ^[a-z0-9]+(-[a-z0-9]+)*$"
        )
    if found == "polynomial":
        return (
            f"{show(pattern)} can take time that grows as a power of a value's length (two repeats, as in .*x.* or "
            "(\\w+)(\\w+), can share the same characters): make each repeat stop at a character the next part must "
            "start with, as in ^[^,]*,[^,]*$"
        )
    try:
        compile_pattern(pattern)
    except Unsupported as exc:
        return f"{show(pattern)} {exc}"
    return None


@functools.lru_cache(maxsize=256)
def compile_pattern(pattern: str):
    """The pattern compiled for matching whole values: an object whose ``fullmatch(value)`` is true when the value
    matches. With RE2 the time is linear in the value; raises :class:`Unsupported` if RE2 cannot run it."""
    if re2 is None:
        return re.compile(pattern)
    options = re2.Options()
    options.log_errors = False
    options.max_mem = RE2_MAX_MEM
    compiled = _re2.RE2(to_re2(pattern).encode("utf-8"), options)
    if not compiled.ok():
        error = compiled.error()
        error = error.decode("utf-8", "replace") if isinstance(error, bytes) else str(error)
        raise Unsupported(
            f"cannot be matched in linear time by RE2 ({error}): write it without backreferences, lookaround, "
            "possessive or atomic groups, and with repeat counts up to 1000"
        )
    return _Linear(compiled)


class _Linear:
    """A pattern compiled by RE2, matched against a whole value (its time is linear in the value)."""

    __slots__ = ("_match",)

    def __init__(self, compiled):
        self._match = compiled.Match

    def fullmatch(self, value: str) -> bool:
        data = value.encode("utf-8", "surrogateescape")
        return self._match(_BOTH, data, 0, len(data))[0][0] >= 0


def to_re2(pattern: str) -> str:
    """``pattern`` in RE2's syntax with Python's meaning: Unicode classes, ``\\Z``, ``\\uXXXX``; raises
    :class:`Unsupported` for what RE2 would read differently (``{,n}``, ``[:`` in a class, Unicode word boundaries)."""
    out: list[str] = []
    i, in_class = 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            i = _escape(pattern, i, in_class, out)
            continue
        if in_class and ch == "]":
            in_class = False
        elif in_class and pattern.startswith("[:", i):
            raise Unsupported("has '[:' inside a character class, which RE2 reads as a POSIX class: escape the '['")
        elif not in_class and ch == "[":
            in_class = True
            out.append(ch)
            i += 1
            for lead in ("^", "]"):  # a leading '^' negates, a leading ']' is a literal
                if pattern.startswith(lead, i):
                    out.append(lead)
                    i += 1
            continue
        elif not in_class and ch == "{" and pattern.startswith("{,", i):
            raise Unsupported("has a repeat written {,n}, which RE2 reads as literal text: write {0,n}")
        out.append(ch)
        i += 1
    return "".join(out)


def _escape(pattern: str, i: int, in_class: bool, out: list[str]) -> int:
    """Translate the escape at ``pattern[i]``; return where the next token starts."""
    letter = pattern[i + 1]
    if letter in _CLASSES:
        inside, outside = _CLASSES[letter]
        written = inside if in_class else outside
        if written is None:
            raise Unsupported(f"uses \\{letter} inside a character class, which RE2 cannot write with Python's meaning: list the characters")
        out.append(written)
        return i + 2
    if letter in "bB":
        raise Unsupported(f"uses \\{letter}, which RE2 reads as an ASCII-only word boundary: spell out the boundary")
    if letter in "uU":
        width = 4 if letter == "u" else 8
        out.append(f"\\x{{{pattern[i + 2 : i + 2 + width]}}}")
        return i + 2 + width
    out.append(pattern[i : i + 2])
    return i + 2
