"""Vendor NHS.UK frontend's compiled CSS into the package (`make vendor`; checked by a test).

Reads `node_modules/nhsuk-frontend` (installed from the npm registry by `npm ci`, pinned in
package-lock.json) and writes `xl_brm/assets/nhsuk-frontend.min.css` so that pages xl-brm
writes or serves never load anything from a CDN: the `@font-face` rules that point at the NHS
font CDN are dropped (pages fall back to Arial, as NHS.UK does when Frutiger is not licensed)
and the icon images the CSS refers to are inlined as data: URIs.

Usage: python tools/vendor_nhsuk.py [--check]
"""

from __future__ import annotations

import base64
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "node_modules" / "nhsuk-frontend"
TARGET = ROOT / "xl_brm" / "assets" / "nhsuk-frontend.min.css"
REMOTE_FONT = re.compile(r"@font-face\{[^}]*https?://[^}]*\}")
LOCAL_ASSET = re.compile(r"url\(/assets/images/([\w.-]+\.svg)\)")


def vendored_css() -> str:
    """The vendored text: a one-line banner naming the version, then the CSS without remote URLs."""
    version = json.loads((PACKAGE / "package.json").read_text(encoding="utf-8"))["version"]
    css = (PACKAGE / "dist" / "nhsuk" / "nhsuk-frontend.min.css").read_text(encoding="utf-8")
    css = REMOTE_FONT.sub("", css)

    def inline(match: re.Match[str]) -> str:
        svg = (PACKAGE / "dist" / "nhsuk" / "assets" / "images" / match.group(1)).read_bytes()
        return f'url("data:image/svg+xml;base64,{base64.b64encode(svg).decode()}")'

    css = LOCAL_ASSET.sub(inline, css)
    if re.search(r"url\((?!\"?data:)", css):
        raise SystemExit("nhsuk-frontend CSS refers to a file this script does not inline")
    return f"/*! nhsuk-frontend {version} (MIT licence), vendored by tools/vendor_nhsuk.py */\n{css}\n"


def main() -> int:
    if not PACKAGE.exists():
        print("node_modules/nhsuk-frontend is missing: run `npm ci` first", file=sys.stderr)
        return 2
    text = vendored_css()
    if "--check" in sys.argv:
        same = TARGET.exists() and TARGET.read_text(encoding="utf-8") == text
        print("vendored CSS is up to date" if same else f"{TARGET} differs: run `make vendor`")
        return 0 if same else 1
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)} ({len(text):,} characters)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
