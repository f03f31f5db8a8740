"""The glossary: terms a reader meets in the reports, each defined from a source (``data/glossary.csv``).

:func:`terms` gives what the glossary page shows; :func:`link_terms` links, in a report's HTML, the first use of each
term to its definition. Pure functions: the build reads the data and writes the pages.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping

import pandas as pd

#: Inside these elements a term is never linked: links, headings, navigation, tables (data, not prose), code.
SKIP = {"a", "h1", "h2", "h3", "h4", "h5", "h6", "caption", "th", "td", "nav", "button", "code", "pre", "script", "style",
        "title", "summary", "figcaption", "header", "footer", "dt", "label", "svg", "picture", "select", "textarea"}  # fmt: skip
#: Elements that have no end tag.
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*?(/?)>")


def terms(glossary: pd.DataFrame, sources: pd.DataFrame) -> list[dict]:
    """Each term with its anchor, definition, the phrases that stand for it, and its source (publisher, title, url),
    in alphabetical order.

    >>> g = pd.DataFrame({"term_id": ["g7"], "term": ["G7 declaration"], "also_called": ["G7 Joint Declaration"],
    ...                   "definition": ["A declaration."], "source_id": ["s1"]})
    >>> s = pd.DataFrame({"source_id": ["s1"], "url": ["https://e.org"], "publisher": ["E"], "title": ["T"]})
    >>> [(t["id"], t["phrases"], t["source"]["url"]) for t in terms(g, s)]
    [('g7', ['G7 Joint Declaration', 'G7 declaration'], 'https://e.org')]
    """
    by_id = sources.set_index("source_id")
    shown = []
    for row in glossary.sort_values("term", key=lambda s: s.str.lower()).to_dict("records"):
        also = row.get("also_called")
        phrases = [p.strip() for p in (also.split(";") if isinstance(also, str) else []) if p.strip()]
        phrases = list(dict.fromkeys([*phrases, str(row["term"]).split(" (")[0]]))
        source = by_id.loc[row["source_id"]] if row["source_id"] in by_id.index else None
        if source is not None and not re.match(r"^https?://[^\s\"'<>]+$", str(source["url"])):
            source = None  # only an http(s) address becomes a link
        shown.append({
            "id": row["term_id"], "term": row["term"], "definition": row["definition"], "phrases": phrases,
            "source": None if source is None else {"url": source["url"], "publisher": source["publisher"],
                                                   "title": source.get("title") if isinstance(source.get("title"), str) else ""},
        })  # fmt: skip
    return shown


def _pattern(phrases: Mapping[str, str]) -> re.Pattern | None:
    if not phrases:
        return None
    ordered = sorted(phrases, key=len, reverse=True)  # the longest phrase wins: "G7 Joint Declaration" before "G7"
    parts = [r"\s+".join(re.escape(html.escape(word, quote=False)) for word in phrase.split()) for phrase in ordered]
    return re.compile(r"(?<![\w-])(" + "|".join(parts) + r")(?![\w-])", re.IGNORECASE)


def link_terms(markup: str, glossary: Iterable[Mapping], href: str = "glossary.html") -> str:
    """``markup`` with the first use of each term in running text linked to ``href#<id>``; headings, links, tables,
    navigation and code are left alone. The text is matched as written in the HTML (already escaped), as whole words,
    ignoring case.

    >>> g = [{"id": "cotw", "phrases": ["Coalition of the Willing"]}]
    >>> link_terms('<h2>Coalition of the Willing</h2><p>The coalition of the willing met. The Coalition of the Willing</p>', g)
    '<h2>Coalition of the Willing</h2><p>The <a class="term" href="glossary.html#cotw">coalition of the willing</a> met. The Coalition of the Willing</p>'
    """
    phrase_to_id = {p.lower(): t["id"] for t in glossary for p in t["phrases"]}
    pattern = _pattern({p: i for p, i in phrase_to_id.items()})
    if pattern is None:
        return markup
    linked: set[str] = set()
    out: list[str] = []
    skipping: list[str] = []
    at = 0

    def text(segment: str) -> str:
        if skipping or len(linked) == len(set(phrase_to_id.values())):
            return segment

        def replace(match: re.Match) -> str:
            term = phrase_to_id.get(html.unescape(" ".join(match.group(1).split())).lower())
            if term is None or term in linked:
                return match.group(0)
            linked.add(term)
            return f'<a class="term" href="{html.escape(href, quote=True)}#{html.escape(term, quote=True)}">{match.group(1)}</a>'

        return pattern.sub(replace, segment)

    for tag in _TAG.finditer(markup):
        out.append(text(markup[at : tag.start()]))
        out.append(tag.group(0))
        at = tag.end()
        closing, name, self_closing = tag.group(1) == "/", tag.group(2).lower(), tag.group(3) == "/"
        if name in VOID or self_closing:
            continue
        if closing:
            if skipping and skipping[-1] == name:
                skipping.pop()
        elif name in SKIP or skipping:
            skipping.append(name)
    out.append(text(markup[at:]))
    return "".join(out)
