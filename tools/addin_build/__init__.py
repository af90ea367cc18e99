"""Builds the add-in artefacts that ship inside the wheel (`python -m tools.addin_build`):
the desktop add-in `xl_brm/addin/xl_brm.xlam` and the xlwings Lite bundle
`xl_brm/addin/lite_bundle.json`. Needs the `addin-build` extra; a user's install never does."""
