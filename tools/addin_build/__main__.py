"""`python -m tools.addin_build`: rebuild the desktop add-in and the xlwings Lite bundle."""

from __future__ import annotations

from tools.addin_build import lite, xlam
from xl_brm.addin.lite import BUNDLE_PATH


def main() -> int:
    report = xlam.build_xlam()
    print(f"wrote {report.path} ({', '.join(report.modules)}: read back identical with olevba)")
    bundle = lite.write_bundle()
    print(f"wrote {BUNDLE_PATH} ({len(bundle.modules)} modules for xlwings Lite)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
