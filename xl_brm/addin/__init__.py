"""What the Excel add-ins run: the ribbon's actions on an open workbook, cell tidying for the
cell functions, the desktop add-in and xlwings Lite bundle shipped in the wheel, and
`xl-brm addin` (the Office add-in on xlwings Server). The Excel entry points themselves live
in `udfs`, which builds on this package; nothing here imports `udfs`."""
