"""The desktop ribbon (customUI14 XML) of the Benefits tab, and its schema check."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree as ET

from xl_brm.addin.buttons import BUTTONS, GROUP_ID, GROUP_LABEL, TAB_ID, TAB_LABEL
from xl_brm.errors import XlBrmError

NAMESPACE = "http://schemas.microsoft.com/office/2009/07/customui"
PART_NAME = "customUI/customUI14.xml"
RELATIONSHIP_TYPE = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
"""The package relationship Office 2010+ uses for a customUI14 part."""
SCHEMA = Path(__file__).parent / "schemas" / "customUI14-subset.xsd"


def customui_xml() -> str:
    """The ribbon XML: one tab, one group, one large button per entry of `BUTTONS`."""
    ET.register_namespace("", NAMESPACE)
    root = ET.Element(f"{{{NAMESPACE}}}customUI")
    ribbon = ET.SubElement(root, f"{{{NAMESPACE}}}ribbon")
    tabs = ET.SubElement(ribbon, f"{{{NAMESPACE}}}tabs")
    tab = ET.SubElement(tabs, f"{{{NAMESPACE}}}tab", id=TAB_ID, label=TAB_LABEL)
    group = ET.SubElement(tab, f"{{{NAMESPACE}}}group", id=GROUP_ID, label=GROUP_LABEL)
    for button in BUTTONS:
        ET.SubElement(
            group,
            f"{{{NAMESPACE}}}button",
            id=button.id,
            label=button.label,
            size="large",
            imageMso=button.image_mso,
            screentip=button.label,
            supertip=button.tooltip,
            onAction=button.vba_callback,
        )
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + ET.tostring(root, encoding="unicode")


def validate_customui(xml: str) -> None:
    """Raise `XlBrmError` unless `xml` is valid against the customUI14 schema (subset)."""
    import xmlschema

    schema = xmlschema.XMLSchema(SCHEMA)
    errors = list(schema.iter_errors(xml))
    if errors:
        first = errors[0]
        raise XlBrmError(
            f"the ribbon XML does not match the customUI14 schema: {first.reason} at {first.path}",
            hint="fix tools/addin_build/customui.py or the BUTTONS list",
        )


def on_actions(xml: str) -> dict[str, str]:
    """Button id -> onAction callback name, read back from ribbon XML."""
    root = ET.fromstring(xml)
    return {
        el.attrib["id"]: el.attrib["onAction"]
        for el in root.iter(f"{{{NAMESPACE}}}button")
        if "onAction" in el.attrib
    }
