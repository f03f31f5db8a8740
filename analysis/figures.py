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
          "of the partners had signed, counting partners still negotiating as 'not yet' (censored) at the last report on the "
          "bilateral track, not at the cut-off.")  # fmt: skip
def _km_median(tables, day):
    from analysis.negotiations import KaplanMeier, time_to_agreement

    survival = time_to_agreement(tables["signatories"], tables["events"], tables["agreements"], day, origin="opened",
                                 declaration_id=G7_DECLARATION, observed_until=bilateral_until(tables, day))  # fmt: skip
    km = KaplanMeier.fit(survival)
    if km.median_days is None or pd.isna(km.median_days):
        return None, "not reached"
    n = int(round(float(km.median_days)))
    return n, labels.days(n)


#: What counts as a summit for the clustering test: the kinds of milestone (data/milestones.csv ``kind``), and the
#: Munich Security Conference (kind ``conference``, milestone ids starting ``msc``). Recovery conferences and the
#: peace summit are not counted: signings were not planned around them.
SUMMIT_KINDS = ("nato_summit", "g7_summit", "eu_council")
SUMMIT_RULE = ("NATO and G7 summits, European Councils and the Munich Security Conference; recovery conferences and the "
               "peace summit do not count")  # fmt: skip


def bilateral_until(tables: Tables, day) -> pd.Timestamp:
    """The date the bilateral track is observed until, never after ``day``."""
    from analysis.overview import observed_dates

    return observed_dates(tables, day, tracks=("bilateral",))["bilateral"]


def summits(milestones: pd.DataFrame) -> pd.DataFrame:
    """The meetings counted as summits (see :data:`SUMMIT_RULE`), oldest first.

    >>> m = pd.DataFrame({"milestone_id": ["msc-2024-munich", "urc-2024-berlin", "g7-x"], "kind": ["conference", "conference", "g7_summit"],
    ...                   "start_date": pd.to_datetime(["2024-02-16", "2024-06-11", "2024-06-13"])})
    >>> summits(m)["milestone_id"].tolist()
    ['msc-2024-munich', 'g7-x']
    """
    kinds = milestones["kind"].isin(SUMMIT_KINDS) | milestones["milestone_id"].str.startswith("msc")
    return milestones[kinds].sort_values("start_date", kind="stable").reset_index(drop=True)


def summit_months(milestones: pd.DataFrame) -> set:
    """The calendar months in which a meeting counted as a summit (:func:`summits`) began."""
    return set(summits(milestones)["start_date"].dt.to_period("M"))


@register("signings_in_summit_months", "Signings that fell in a calendar month in which a NATO, G7 or EU summit or the "
          "Munich Security Conference began, out of all signings.")  # fmt: skip
def _in_summit_months(tables, day):
    signed = _signers(tables, day)["signed_date"]
    n = int(signed.dt.to_period("M").isin(summit_months(tables["milestones"])).sum())
    return (n, len(signed)), labels.share(n, len(signed))


@register("summit_month_baseline", "The baseline for signings in summit months: of the calendar months from the first "
          "signing to the last, how many had a NATO, G7 or EU summit or the Munich Security Conference begin in them.")  # fmt: skip
def _summit_baseline(tables, day):
    signed = _signers(tables, day)["signed_date"]
    months = pd.period_range(signed.min().to_period("M"), signed.max().to_period("M"), freq="M")
    n = int(pd.Series(months).isin(summit_months(tables["milestones"])).sum())
    return (n, len(months)), labels.share(n, len(months))


@register("coalition_meetings", "Meetings of the Coalition of the Willing recorded up to the cut-off (leaders, ministers, "
          "chiefs of staff and planners; related meetings of other forums not counted).")  # fmt: skip
def _coalition_meetings(tables, day):
    meetings = tables["meetings"]
    n = int(((meetings["forum"] == "coalition_of_the_willing") & (meetings["meeting_date"] <= day)).sum())
    return n, labels.plural(n, "meeting")


@register("us_track_steps", "Dated steps recorded on the 2025–26 US security-guarantee track (talks, text agreed, "
          "postponed signing), distinct from the 2024 agreement.")  # fmt: skip
def _us_steps(tables, day):
    events = tables["events"]
    n = int(((events["track"] == "us_guarantees") & (events["event_date"] <= day)).sum())
    return n, labels.plural(n, "step")


@register("paris_declaration_endorsers", "The number of countries reported to have endorsed the Paris Declaration of "
          "6 January 2026 (a reported count: no source lists them).")  # fmt: skip
def _paris(tables, day):
    decl = tables["declarations"].set_index("declaration_id")
    if "paris-declaration-2026" not in decl.index or pd.isna(decl.loc["paris-declaration-2026", "parties_reported"]):
        return None, "not reported"
    n = int(decl.loc["paris-declaration-2026", "parties_reported"])
    return n, labels.plural(n, "country", "countries")


@register("agreements_with_clauses", "Agreements whose text was read and coded in the clause matrix.")
def _coded(tables, day):
    n = int(tables["clauses"]["agreement_id"].nunique())
    return n, labels.plural(n, "agreement")
