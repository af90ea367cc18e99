"""The report page printed to PDF by WeasyPrint (`report` extra): the same HTML, print styles.

WeasyPrint fetches nothing: the page holds its CSS and charts, and the fetcher allows only
data: URIs, so a report never reaches out to the network while it is being made.
"""

from __future__ import annotations

import logging
from pathlib import Path

from xl_brm.errors import XlBrmError


def write_pdf(html: str, target: Path) -> None:
    try:
        from weasyprint import HTML
        from weasyprint.urls import URLFetcher
    except OSError as missing:  # WeasyPrint is installed but the Pango library it draws with is not
        raise XlBrmError(
            f"the PDF needs the Pango library, which WeasyPrint could not load ({missing})",
            hint="install Pango (Debian: apt install libpango-1.0-0 libpangoft2-1.0-0), or write "
            "--out board.xlsx, which needs neither",
        ) from None

    quiet = logging.getLogger("weasyprint")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # NHS.UK CSS uses screen properties print ignores: not news
    try:
        HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf(target)
    finally:
        quiet.setLevel(level)
