"""The project's rules: what must hold across rows and tables beyond the descriptor's types, keys and constraints.

Each rule is one small function registered with ``@rule("table", ...)`` (:mod:`.registry`); it runs when its
tables were read and reports through ``facts.out``. Every rule has a broken example in ``tests/test_validation.py``.
"""

from __future__ import annotations

# The modules register their rules on import, in this order.
from analysis.validation.rules import agreements, clauses, commitments, declarations, events, memberships, precisions, sources  # noqa: F401
from analysis.validation.rules.registry import RULES, Facts, check_rules, rule

__all__ = ["RULES", "Facts", "check_rules", "rule"]
