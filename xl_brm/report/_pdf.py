"""The report page printed to PDF by WeasyPrint (`report` extra): the same HTML, print styles.

WeasyPrint fetches nothing: the page holds its CSS and charts, and the fetcher allows only
data: URIs, so a report never reaches out to the network while it is being made.
"""

from __future__ import annotations

import logging
from pathlib import Path


def write_pdf(html: str, target: Path) -> None:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    quiet = logging.getLogger("weasyprint")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # NHS.UK CSS uses screen properties print ignores: not news
    try:
        HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf(target)
    finally:
        quiet.setLevel(level)
