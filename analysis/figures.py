"""One number, one definition: every figure that appears in more than one place is computed here.

Each figure is registered under a name with a one-sentence definition. Reports print it through
:func:`show` (prose: a ``<span data-figure="name">`` the report test compares across pages) or
:func:`text` (chart titles, alt text), so two pages can never print two values for one figure.

>>> import analysis
>>> ds = analysis.load_dataset()
>>> text("declaration_parties", ds)
'33 parties'
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd

from analysis import labels
from analysis.coalition import G7_DECLARATION, members_as_of

Tables = Mapping[str, pd.DataFrame]


@dataclass(frozen=True)
class Figure:
    """A computed figure: its value, how a report prints it, and what it measures."""

    name: str
    value: object
    text: str
    definition: str


_REGISTRY: dict[str, tuple[str, Callable[[Tables, pd.Timestamp], tuple[object, str]]]] = {}


def register(name: str, definition: str):
    """Register ``fn(tables, cutoff) -> (value, text)`` as the one definition of figure ``name``."""

    def wrap(fn):
        _REGISTRY[name] = (definition, fn)
        return fn

    return wrap


def names() -> list[str]:
    return sorted(_REGISTRY)


def _cutoff(tables: Tables, cutoff) -> pd.Timestamp:
    if cutoff is not None:
        return pd.Timestamp(cutoff)
    from analysis.load import data_version

    return pd.Timestamp(data_version()["cutoff_date"])


def compute(name: str, tables: Tables, cutoff=None) -> Figure:
    """The figure ``name`` computed from ``tables`` as of ``cutoff`` (default: the release's cut-off)."""
    if name not in _REGISTRY:
        raise KeyError(f"no figure named {name!r}; registered: {', '.join(names())}")
    definition, fn = _REGISTRY[name]
    value, shown = fn(tables, _cutoff(tables, cutoff))
    return Figure(name, value, shown, definition)


def text(name: str, tables: Tables, cutoff=None) -> str:
    """How the figure is printed, e.g. ``'95 days'`` (for chart titles and alt text)."""
    return compute(name, tables, cutoff).text


def value(name: str, tables: Tables, cutoff=None):
    return compute(name, tables, cutoff).value


def show(name: str, tables: Tables, cutoff=None):
    """The figure as marked-up prose: ``<span class="figure" data-figure="name">95 days</span>``."""
    from analysis.report import Html

    fig = compute(name, tables, cutoff)
    return Html(f'<span class="figure" data-figure="{html.escape(name)}">{html.escape(fig.text)}</span>')


# --------------------------------------------------------------------------- the figures


def _signers(tables: Tables, day: pd.Timestamp) -> pd.DataFrame:
    agreements = tables["agreements"]
    return agreements[agreements["signed_date"] <= day]


@register("declaration_parties", "Parties to the G7 Joint Declaration of Support for Ukraine at the cut-off: the "
          "original signatories (G7 and EU) and every state that joined later.")  # fmt: skip
def _declaration_parties(tables, day):
    n = len(members_as_of(tables["signatories"], day, G7_DECLARATION))
    return n, labels.plural(n, "party", "parties")


@register("declaration_joiners", "States that joined the G7 declaration after its adoption (not the original signatories).")
def _declaration_joiners(tables, day):
    members = members_as_of(tables["signatories"], day, G7_DECLARATION)
    n = int((members["role"] == "acceded").sum())
    return n, labels.plural(n, "country", "countries")


@register("agreements_signed", "Bilateral security agreements Ukraine signed by the cut-off (the UK's two count twice).")
def _agreements_signed(tables, day):
    n = len(_signers(tables, day))
    return n, labels.plural(n, "agreement")


@register("partners_signed", "Partners with at least one bilateral security agreement signed by the cut-off.")
def _partners_signed(tables, day):
    n = _signers(tables, day)["party_id"].nunique()
    return n, labels.plural(n, "partner")


@register("median_days_opened_to_signed", "Among partners that signed and whose talks opening is dated: the median number "
          "of days from opening talks to the first signature (signers only; partners still negotiating are left out).")  # fmt: skip
def _median_days(tables, day):
    from analysis.negotiations import durations

    d = durations(tables["signatories"], tables["events"], tables["agreements"], G7_DECLARATION)["days_opened_to_signed"].dropna()
    if d.empty:
        return None, "not known"
    n = int(round(float(d.median())))
    return n, labels.days(n)


@register("km_median_days_opened_to_signed", "Kaplan–Meier median: the number of days after opening talks by which half "
          "of the partners had signed, counting partners still negotiating at the cut-off as 'not yet' (censored).")  # fmt: skip
def _km_median(tables, day):
    from analysis.negotiations import KaplanMeier, time_to_agreement

    survival = time_to_agreement(tables["signatories"], tables["events"], tables["agreements"], day, origin="opened",
                                 declaration_id=G7_DECLARATION)  # fmt: skip
    km = KaplanMeier.fit(survival)
    if km.median_days is None or pd.isna(km.median_days):
        return None, "not reached"
    n = int(round(float(km.median_days)))
    return n, labels.days(n)


def summit_months(milestones: pd.DataFrame) -> set:
    """The calendar months in which a NATO, G7 or EU summit, or the Munich Security Conference, began."""
    kinds = milestones["kind"].isin(["nato_summit", "g7_summit", "eu_council"]) | milestones["milestone_id"].str.startswith("msc")
    return set(milestones.loc[kinds, "start_date"].dt.to_period("M"))


@register("signings_in_summit_months", "Signings that fell in a calendar month in which a NATO, G7 or EU summit or the "
          "Munich Security Conference began, out of all signings.")  # fmt: skip
def _in_summit_months(tables, day):
    signed = _signers(tables, day)["signed_date"]
    n = int(signed.dt.to_period("M").isin(summit_months(tables["milestones"])).sum())
    return (n, len(signed)), labels.share(n, len(signed))
