"""The backtracking analyser: whether a pattern can make a backtracking engine (Python's ``re``, and the tools that
read the descriptor with it) take exponential or high-polynomial time.

It walks the pattern as the standard library parses it (``re._parser``; its constants are private but stable within
a Python version). Characters are reasoned about on a sample alphabet (ASCII and a few others), so it is a
safeguard, not a proof: the validator itself matches patterns with a linear-time engine (see ``patterns``).
"""

from __future__ import annotations

from re import _constants as c

_SAMPLE = [chr(code) for code in range(128)] + ["\xa0", "é", "Ж", "٣", "中", "\u2028"]
_ALL = frozenset(_SAMPLE)
#: A repeat with a higher bound than this counts as unbounded: two such can make a cubic or worse search.
_LONG = 16
_REPEATS = (c.MAX_REPEAT, c.MIN_REPEAT)


def risk(parsed) -> str | None:
    """"exponential" or "polynomial" when a parsed pattern can backtrack catastrophically, else None."""
    if _ambiguous(parsed):
        return "exponential"
    if _chained(parsed):
        return "polynomial"
    return None


def _chained(parsed) -> bool:
    """Whether two long repeats that share characters can each end in more than one place (``.*x.*x.*``,
    ``(\\w+)(\\w+)``, ``[a-z]+-?[a-z]+``): a failing match then tries every way to split the value between them."""
    found: list[frozenset] = []
    _collect(list(parsed), frozenset(), True, found)
    return any(a & b for i, a in enumerate(found) for b in found[i + 1 :])


def _collect(items: list, after: frozenset, after_nullable: bool, found: list[frozenset]) -> None:
    """Append the characters of each long repeat in ``items`` that could stop early: one whose characters overlap
    what may follow it. ``after`` is what may follow the sequence (and whether the match may end there)."""
    for i, (op, av) in enumerate(items):
        rest, rest_nullable = _first(items[i + 1 :])
        follow = rest | after if rest_nullable else rest
        nullable = rest_nullable and after_nullable
        if op in _REPEATS:
            low, high, body = av
            chars = _chars(body)
            if (high == c.MAXREPEAT or high > _LONG) and chars & follow:
                found.append(chars)
            _collect(list(body), _first(body)[0] | follow if high > 1 else follow, nullable, found)
        elif op == c.POSSESSIVE_REPEAT:
            _collect(list(av[2]), follow, nullable, found)
        elif op == c.SUBPATTERN:
            _collect(list(av[3]), follow, nullable, found)
        elif op == c.ATOMIC_GROUP:
            _collect(list(av), follow, nullable, found)
        elif op == c.BRANCH:
            for branch in av[1]:
                _collect(list(branch), follow, nullable, found)


def _ambiguous(seq) -> bool:
    """Whether a parsed pattern nests or chains repeats that can match the same characters (catastrophic backtracking)."""
    repeats = (c.MAX_REPEAT, c.MIN_REPEAT)
    items = list(seq)
    for i, (op, av) in enumerate(items):
        if op in repeats:
            low, high, body = av
            if high > 1:
                first, nullable = _first(body)
                if nullable:
                    return True  # (a*)*: empty repetitions
                for chars in _variable_parts(body):
                    if chars & first:
                        return True  # (a+)+, (a|aa)+: a part of variable length can run on into the next repetition
                if any(_branches_overlap(av2) for op2, av2 in _walk_items(body) if op2 == c.BRANCH):
                    return True  # (a|ab)*
            if high == c.MAXREPEAT and i + 1 < len(items):
                following, _ = _first(items[i + 1 : i + 2])
                if _chars(body) & following and items[i + 1][0] in repeats and items[i + 1][1][1] == c.MAXREPEAT:
                    return True  # \S+\S+: two unbounded repeats share characters
            if _ambiguous(body):
                return True
        elif op in (c.SUBPATTERN,):
            if _ambiguous(av[3]):
                return True
        elif op == c.BRANCH:
            if any(_ambiguous(branch) for branch in av[1]):
                return True
        elif op in (c.POSSESSIVE_REPEAT, c.ATOMIC_GROUP):
            continue  # never backtracks
    return False


def _walk_items(seq):
    for op, av in seq:
        yield op, av
        if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            yield from _walk_items(av[2])
        elif op == c.SUBPATTERN:
            yield from _walk_items(av[3])
        elif op == c.BRANCH:
            for branch in av[1]:
                yield from _walk_items(branch)
        elif op == c.ATOMIC_GROUP:
            yield from _walk_items(av)


def _variable_parts(seq):
    """The characters of each part of a sequence whose length varies: a repeat, an optional part, a branch
    with an empty alternative."""
    for op, av in _walk_items(seq):
        if op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[0] != av[1]:
            yield _chars(av[2])
        elif op == c.BRANCH and any(_first(branch)[1] for branch in av[1]):
            yield frozenset().union(*(_chars(branch) for branch in av[1]))


def _branches_overlap(av) -> bool:
    """Whether two alternatives can start with the same character (or both match nothing)."""
    seen: set[str] = set()
    empty = 0
    for branch in av[1]:
        first, nullable = _first(branch)
        empty += nullable
        if first & seen or empty > 1:
            return True
        seen |= first
    return False


def _first(seq) -> tuple[frozenset, bool]:
    """The sample characters a sequence can start with, and whether it can match the empty string."""
    found: set[str] = set()
    for op, av in seq:
        if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            chars, nullable = _first(av[2])
            nullable = nullable or av[0] == 0
        elif op == c.SUBPATTERN:
            chars, nullable = _first(av[3])
        elif op == c.ATOMIC_GROUP:
            chars, nullable = _first(av)
        elif op == c.BRANCH:
            parts = [_first(branch) for branch in av[1]]
            chars, nullable = frozenset().union(*(p[0] for p in parts)), any(p[1] for p in parts)
        elif op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            chars, nullable = frozenset(), True
        elif op in (c.LITERAL, c.NOT_LITERAL, c.ANY, c.IN):
            chars, nullable = _single(op, av), False
        else:  # back-references and the like: assume the worst
            chars, nullable = _ALL, True
        found |= chars
        if not nullable:
            return frozenset(found), False
    return frozenset(found), True


def _chars(seq) -> frozenset:
    """Every sample character a sequence can consume."""
    found: set[str] = set()
    for op, av in _walk_items(seq):
        if op in (c.LITERAL, c.NOT_LITERAL, c.ANY, c.IN):
            found |= _single(op, av)
        elif op not in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT, c.SUBPATTERN, c.BRANCH, c.ATOMIC_GROUP, c.AT):
            found |= _ALL
    return frozenset(found)


def _single(op, av) -> frozenset:
    if op == c.LITERAL:
        return frozenset({chr(av)})
    if op == c.NOT_LITERAL:
        return _ALL - {chr(av)}
    if op == c.ANY:
        return _ALL - {"\n"}
    negate = False
    found: set[str] = set()
    categories = {
        c.CATEGORY_DIGIT: str.isdecimal,
        c.CATEGORY_NOT_DIGIT: lambda ch: not ch.isdecimal(),
        c.CATEGORY_SPACE: str.isspace,
        c.CATEGORY_NOT_SPACE: lambda ch: not ch.isspace(),
        c.CATEGORY_WORD: lambda ch: ch.isalnum() or ch == "_",
        c.CATEGORY_NOT_WORD: lambda ch: not (ch.isalnum() or ch == "_"),
    }
    for kind, value in av:
        if kind == c.NEGATE:
            negate = True
        elif kind == c.LITERAL:
            found.add(chr(value))
        elif kind == c.RANGE:
            found |= {ch for ch in _SAMPLE if value[0] <= ord(ch) <= value[1]}
        elif kind == c.CATEGORY and value in categories:
            found |= {ch for ch in _SAMPLE if categories[value](ch)}
        else:
            found |= _ALL
    return frozenset(_ALL - found if negate else found)
