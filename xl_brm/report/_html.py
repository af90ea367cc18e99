"""The content model as one self-contained HTML page in NHS.UK style (Jinja2, `report` extra).

Everything the page needs is inside it: NHS.UK frontend's CSS (vendored, no CDN) and the
charts as SVG data URIs, so the page opens offline from an e-mail and prints as it shows.
Each chart has alt text and its figures in a table beside it; numeric cells carry the exact
figure in `data-value` for anyone checking the page against `compute --format json`.
"""

from __future__ import annotations

import base64
from functools import cache
from importlib.resources import files
from typing import Any

from xl_brm.assets import nhsuk_css
from xl_brm.report._charts import chart_svg
from xl_brm.report._content import BLOCKED, Chart, Document, Value, rag_label, shown

RAG_COLOUR = {
    "green": "green",
    "amber": "yellow",
    "red": "red",
    "not_started": "grey",
    "no_data": "white",
    "qualitative": "blue",
    BLOCKED: "purple",
}


def chart_uri(chart: Chart) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(chart_svg(chart)).decode("ascii")


def rag_colour(value: Value) -> str:
    return RAG_COLOUR.get(str(value), "grey")


@cache
def _template() -> Any:
    from jinja2 import Environment, select_autoescape

    folder = files(__package__).joinpath("templates")
    env = Environment(autoescape=select_autoescape(default=True), trim_blocks=False, lstrip_blocks=True)
    env.globals.update(shown=shown, rag_label=rag_label, rag_colour=rag_colour, chart_uri=chart_uri)
    template = env.from_string(folder.joinpath("report.html").read_text(encoding="utf-8"))
    return template, folder.joinpath("report.css").read_text(encoding="utf-8")


def render_html(doc: Document) -> str:
    template, report_css = _template()
    return str(template.render(doc=doc, nhsuk_css=nhsuk_css(), report_css=report_css))
