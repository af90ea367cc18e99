"""The Office add-in manifest (XML, add-in only manifest format) for Excel on the web, Mac and
Microsoft 365: a shared runtime hosting the BRM custom functions (namespace BRM) and a
**Benefits** ribbon tab whose buttons run the `udfs.ribbon` scripts on the add-in server.

Sideload it, or give it to IT to deploy centrally (Microsoft 365 admin centre > Integrated apps
> Upload custom apps). Each environment needs its own `<Id>` (`--id`).
"""

from __future__ import annotations

from xml.etree import ElementTree as ET

from xl_brm.addin.buttons import BUTTONS, FUNCTION_NAMESPACE, GROUP_ID, GROUP_LABEL, TAB_ID, TAB_LABEL
from xl_brm.addin.icons import SIZES

DEFAULT_ID = "3f6a2b1e-5c44-4d0e-9f4b-7d1e2a9c0b58"
VERSION = "1.0.0.0"
NS = "http://schemas.microsoft.com/office/appforoffice/1.1"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
BT = "http://schemas.microsoft.com/office/officeappbasictypes/1.0"
OV = "http://schemas.microsoft.com/office/taskpaneappversionoverrides"

TASKPANE_PATH = "/taskpane.html"
FUNCTIONS_SCRIPT_PATH = "/xlwings/custom-functions-code.js"
FUNCTIONS_META_PATH = "/xlwings/custom-functions-meta.json"


def icon_path(name: str, size: int) -> str:
    return f"/static/images/{name}-{size}.png"


def manifest_xml(base_url: str, *, addin_id: str = DEFAULT_ID, display_name: str = "xl-brm Benefits") -> str:
    """The manifest for an add-in server reachable at `base_url` (https in production)."""
    base = base_url.rstrip("/")
    for prefix, uri in (("", NS), ("xsi", XSI), ("bt", BT), ("ov", OV)):
        ET.register_namespace(prefix, uri)

    def el(parent: ET.Element, tag: str, ns: str = NS, **attrs: str) -> ET.Element:
        return ET.SubElement(parent, f"{{{ns}}}{tag}", {_attr(k): v for k, v in attrs.items()})

    root = ET.Element(f"{{{NS}}}OfficeApp", {f"{{{XSI}}}type": "TaskPaneApp"})
    ET.SubElement(root, f"{{{NS}}}Id").text = addin_id
    ET.SubElement(root, f"{{{NS}}}Version").text = VERSION
    ET.SubElement(root, f"{{{NS}}}ProviderName").text = "xl-brm"
    ET.SubElement(root, f"{{{NS}}}DefaultLocale").text = "en-GB"
    el(root, "DisplayName", DefaultValue=display_name)
    el(root, "Description", DefaultValue="Validate, compute and submit an NHS benefits register from Excel.")
    el(root, "IconUrl", DefaultValue=base + icon_path("validate", 32))
    el(root, "HighResolutionIconUrl", DefaultValue=base + icon_path("validate", 64))
    el(root, "SupportUrl", DefaultValue=base + "/")
    domains = el(root, "AppDomains")
    ET.SubElement(domains, f"{{{NS}}}AppDomain").text = base
    hosts = el(root, "Hosts")
    el(hosts, "Host", Name="Workbook")
    sets = el(el(root, "Requirements"), "Sets", DefaultMinVersion="1.1")
    el(sets, "Set", Name="SharedRuntime", MinVersion="1.1")
    el(el(root, "DefaultSettings"), "SourceLocation", DefaultValue=base + TASKPANE_PATH)
    ET.SubElement(root, f"{{{NS}}}Permissions").text = "ReadWriteDocument"

    overrides = ET.SubElement(root, f"{{{OV}}}VersionOverrides", {f"{{{XSI}}}type": "VersionOverridesV1_0"})
    host = ET.SubElement(el(overrides, "Hosts", OV), f"{{{OV}}}Host", {f"{{{XSI}}}type": "Workbook"})
    el(el(host, "Runtimes", OV), "Runtime", OV, resid="Taskpane.Url", lifetime="long")
    functions = ET.SubElement(
        el(host, "AllFormFactors", OV), f"{{{OV}}}ExtensionPoint", {f"{{{XSI}}}type": "CustomFunctions"}
    )
    el(el(functions, "Script", OV), "SourceLocation", OV, resid="Functions.Script.Url")
    el(el(functions, "Page", OV), "SourceLocation", OV, resid="Taskpane.Url")
    el(el(functions, "Metadata", OV), "SourceLocation", OV, resid="Functions.Metadata.Url")
    el(functions, "Namespace", OV, resid="Functions.Namespace")

    desktop = el(host, "DesktopFormFactor", OV)
    el(desktop, "FunctionFile", OV, resid="Taskpane.Url")
    surface = ET.SubElement(desktop, f"{{{OV}}}ExtensionPoint", {f"{{{XSI}}}type": "PrimaryCommandSurface"})
    tab = el(surface, "CustomTab", OV, id=TAB_ID)
    group = el(tab, "Group", OV, id=GROUP_ID)
    el(group, "Label", OV, resid="Group.Label")
    _icons(group, el, "validate")
    for button in BUTTONS:
        control = ET.SubElement(group, f"{{{OV}}}Control", {f"{{{XSI}}}type": "Button", "id": button.id})
        el(control, "Label", OV, resid=f"{button.id}.Label")
        tip = el(control, "Supertip", OV)
        el(tip, "Title", OV, resid=f"{button.id}.Label")
        el(tip, "Description", OV, resid=f"{button.id}.Tooltip")
        _icons(control, el, button.icon)
        action = ET.SubElement(control, f"{{{OV}}}Action", {f"{{{XSI}}}type": "ExecuteFunction"})
        ET.SubElement(action, f"{{{OV}}}FunctionName").text = button.action
    el(tab, "Label", OV, resid="Tab.Label")

    resources = el(overrides, "Resources", OV)
    images = el(resources, "Images", BT)
    for name in sorted({"validate", *(b.icon for b in BUTTONS)}):
        for size in (16, 32, 80):
            el(images, "Image", BT, id=f"Icon.{name}.{size}", DefaultValue=base + icon_path(name, size))
    urls = el(resources, "Urls", BT)
    el(urls, "Url", BT, id="Taskpane.Url", DefaultValue=base + TASKPANE_PATH)
    el(urls, "Url", BT, id="Functions.Script.Url", DefaultValue=base + FUNCTIONS_SCRIPT_PATH)
    el(urls, "Url", BT, id="Functions.Metadata.Url", DefaultValue=base + FUNCTIONS_META_PATH)
    short = el(resources, "ShortStrings", BT)
    el(short, "String", BT, id="Functions.Namespace", DefaultValue=FUNCTION_NAMESPACE)
    el(short, "String", BT, id="Tab.Label", DefaultValue=TAB_LABEL)
    el(short, "String", BT, id="Group.Label", DefaultValue=GROUP_LABEL)
    for button in BUTTONS:
        el(short, "String", BT, id=f"{button.id}.Label", DefaultValue=button.label)
    long = el(resources, "LongStrings", BT)
    for button in BUTTONS:
        el(long, "String", BT, id=f"{button.id}.Tooltip", DefaultValue=button.tooltip)

    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + ET.tostring(root, encoding="unicode")


def _attr(name: str) -> str:
    return name


def _icons(parent: ET.Element, el: object, name: str) -> None:
    icon = ET.SubElement(parent, f"{{{OV}}}Icon")
    for size in (16, 32, 80):
        ET.SubElement(icon, f"{{{BT}}}Image", size=str(size), resid=f"Icon.{name}.{size}")


def button_actions(xml: str) -> dict[str, str]:
    """Button id -> ExecuteFunction name, read back from a manifest."""
    root = ET.fromstring(xml)
    out = {}
    for control in root.iter(f"{{{OV}}}Control"):
        name = control.find(f"{{{OV}}}Action/{{{OV}}}FunctionName")
        if name is not None and name.text:
            out[control.attrib["id"]] = name.text
    return out


assert set(SIZES) >= {16, 32, 64, 80}
