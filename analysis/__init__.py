"""Helpers for the Ukraine security-guarantees dataset: loading, as-of queries, coalition growth,
negotiation timelines, time to agreement, the clause matrix (``analysis.clauses``), commitments in
euros, the guarantees after 2024, and plots.

``import analysis`` is cheap: submodules (and pandas, matplotlib) load on first use.

>>> import analysis
>>> members = analysis.members_as_of(analysis.load_signatories(), "2023-08-03", "g7-jdsu-2023")
>>> len(members)
20
"""

from __future__ import annotations

import importlib

# Public name → submodule that defines it. Resolved lazily (PEP 562) to keep start-up fast.
_EXPORTS = {
    "validate": "validation",
    "DataError": "validation",
    "Dataset": "load",
    "load_table": "load",
    "load_dataset": "load",
    "data_version": "load",
    "load_sources": "load",
    "load_parties": "load",
    "load_memberships": "load",
    "load_declarations": "load",
    "load_signatories": "load",
    "load_agreements": "load",
    "load_events": "load",
    "G7_DECLARATION": "coalition",
    "members_as_of": "coalition",
    "memberships_as_of": "coalition",
    "agreements_as_of": "coalition",
    "growth": "coalition",
    "composition_by_bloc": "coalition",
    "join_waves": "coalition",
    "days_since_adoption": "coalition",
    "not_joined": "coalition",
    "timelines": "negotiations",
    "durations": "negotiations",
    "funnel": "negotiations",
    "time_to_agreement": "negotiations",
    "KaplanMeier": "negotiations",
    "partner_status": "negotiations",
    "party_names": "overview",
    "in_euros": "commitments",
    "bilateral": "negotiations",
    "latest_sources": "overview",
    "observed_until": "overview",
    "still_negotiating": "negotiations",
    "circles": "guarantees",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        module = importlib.import_module(f"analysis.{_EXPORTS[name]}")
        value = getattr(module, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'analysis' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
