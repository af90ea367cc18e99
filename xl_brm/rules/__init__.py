"""The one rule catalogue of xl-brm (SPEC §6): codes, severities, messages and their docs.

The checks themselves live in `xl_brm.validate` (and the reader's, the store's and the actuals
import's beside their code), each registered once for its codes (`xl_brm.rules._checks`); they
name rules by code from here, so the cell function, the CLI, the ribbon and the national store
report the same rule the same way.
"""

from xl_brm.rules._catalogue import RULES, RULES_REVISION, RULES_SERIES, RULES_VERSION, STORE_RULES, finding
from xl_brm.rules._docs import catalogue_markdown, rule_markdown
from xl_brm.rules._rule import FAMILIES, Rule

__all__ = [
    "FAMILIES",
    "RULES",
    "RULES_REVISION",
    "RULES_SERIES",
    "RULES_VERSION",
    "STORE_RULES",
    "Rule",
    "catalogue_markdown",
    "finding",
    "rule_markdown",
]
