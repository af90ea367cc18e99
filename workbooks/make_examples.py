"""Regenerate the committed workbooks: the template and the example trust registers.

    python workbooks/make_examples.py

Deterministic: the same code gives the same cell values (file timestamps aside).
"""

from __future__ import annotations

from pathlib import Path

from xl_brm.examples import write_examples
from xl_brm.excel import write_template

HERE = Path(__file__).resolve().parent


def main() -> None:
    write_template(HERE / "template.xlsx")
    planted = write_examples(HERE / "examples")
    print(f"wrote {HERE / 'template.xlsx'} and {len(planted)} planted findings in {HERE / 'examples'}")


if __name__ == "__main__":
    main()
