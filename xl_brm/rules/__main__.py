"""`python -m xl_brm.rules > docs/rules.md` regenerates the rules page."""

from xl_brm.rules import catalogue_markdown

print(catalogue_markdown(), end="")
