"""analysis.glossary: the first use of a term in a report's prose links to its definition; nothing else changes."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.glossary import link_terms, terms

TERMS = [
    {"id": "cotw", "phrases": ["Coalition of the Willing"]},
    {"id": "g7", "phrases": ["G7 Joint Declaration of Support for Ukraine", "G7 declaration"]},
    {"id": "agreement", "phrases": ["bilateral security agreement", "security agreement"]},
]


def link(markup: str) -> str:
    return link_terms(markup, TERMS, "../glossary.html")


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        # the first use in prose, not the second
        ("<p>The Coalition of the Willing met; the Coalition of the Willing agreed.</p>",
         '<p>The <a class="term" href="../glossary.html#cotw">Coalition of the Willing</a> met; the Coalition of the Willing agreed.</p>'),
        # any case, kept as written
        ("<p>the coalition of the willing</p>", '<p>the <a class="term" href="../glossary.html#cotw">coalition of the willing</a></p>'),
        # the longest phrase wins
        ("<p>a bilateral security agreement</p>", '<p>a <a class="term" href="../glossary.html#agreement">bilateral security agreement</a></p>'),
        # headings, links, tables, captions and navigation are left alone; the link goes to the first use in prose
        ('<h2>The G7 declaration</h2><a href="x">G7 declaration</a><table><tr><td>G7 declaration</td></tr></table><p>G7 declaration</p>',
         '<h2>The G7 declaration</h2><a href="x">G7 declaration</a><table><tr><td>G7 declaration</td></tr></table>'
         '<p><a class="term" href="../glossary.html#g7">G7 declaration</a></p>'),
        # a line break inside the phrase
        ("<p>Coalition of\nthe Willing</p>", '<p><a class="term" href="../glossary.html#cotw">Coalition of\nthe Willing</a></p>'),
        # whole words only
        ("<p>security agreements-to-be and ProCoalition of the Willingness</p>",
         "<p>security agreements-to-be and ProCoalition of the Willingness</p>"),
        # attributes are never touched, nor is the text of an image's alt
        ('<p title="Coalition of the Willing"><img alt="Coalition of the Willing" src="x">text</p>',
         '<p title="Coalition of the Willing"><img alt="Coalition of the Willing" src="x">text</p>'),
        # a void element inside a skipped one does not end the skipping
        ("<figcaption>G7 declaration<br>G7 declaration</figcaption><p>G7 declaration</p>",
         '<figcaption>G7 declaration<br>G7 declaration</figcaption><p><a class="term" href="../glossary.html#g7">G7 declaration</a></p>'),
        # escaped text from the data stays escaped
        ("<p>&lt;script&gt; G7 declaration</p>", '<p>&lt;script&gt; <a class="term" href="../glossary.html#g7">G7 declaration</a></p>'),
    ],
)
def test_link_terms(markup, expected):
    assert link(markup) == expected


def test_link_terms_with_no_terms_changes_nothing():
    assert link_terms("<p>Coalition of the Willing</p>", []) == "<p>Coalition of the Willing</p>"


def test_terms_keep_only_http_sources_and_sort_by_term():
    glossary = pd.DataFrame({"term_id": ["b", "a"], "term": ["beta (x)", "Alpha"], "also_called": [None, "A;alpha one"],
                             "definition": ["B.", "A."], "source_id": ["s2", "s1"]})  # fmt: skip
    sources = pd.DataFrame({"source_id": ["s1", "s2"], "url": ["https://e.org/a", "javascript:alert(1)"],
                            "publisher": ["E", "F"], "title": ["T", None]})  # fmt: skip
    shown = terms(glossary, sources)
    assert [t["id"] for t in shown] == ["a", "b"]
    assert shown[0]["phrases"] == ["A", "alpha one", "Alpha"]
    assert shown[1]["phrases"] == ["beta"]  # the term without its bracket
    assert shown[0]["source"] == {"url": "https://e.org/a", "publisher": "E", "title": "T"}
    assert shown[1]["source"] is None  # a javascript: address is never a link
