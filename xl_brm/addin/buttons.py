"""The four buttons of the Benefits ribbon tab, defined once.

The Office add-in manifest, the task pane's `Office.actions.associate` calls, the desktop
customUI XML and its VBA callbacks are all generated from this list, and the tests check that
each button reaches a `@script` in `udfs.ribbon`.
"""

from __future__ import annotations

from dataclasses import dataclass

TAB_ID = "BrmBenefitsTab"
TAB_LABEL = "Benefits"
GROUP_ID = "BrmRegisterGroup"
GROUP_LABEL = "Benefits register"
FUNCTION_NAMESPACE = "BRM"
"""Office add-in custom functions live under this namespace: `=BRM.VALIDATE(...)`."""


@dataclass(frozen=True, slots=True)
class Button:
    id: str
    """Control id in the manifest and in customUI (letters only: valid as an XML ID and in VBA)."""
    label: str
    script: str
    """Name of the `@script` function in `udfs.ribbon` that does the work."""
    tooltip: str
    image_mso: str
    """Built-in Office icon for the desktop ribbon."""
    icon: str
    """Icon file (under the add-in server's static/images) for the Office add-in."""

    @property
    def action(self) -> str:
        """The Office.js action name (`<FunctionName>` in the manifest): `validate-workbook`."""
        return self.script.replace("_", "-")

    @property
    def vba_callback(self) -> str:
        """The VBA sub the desktop ribbon calls: `BRM_ValidateWorkbook`."""
        return "BRM_" + "".join(part.capitalize() for part in self.script.split("_"))


BUTTONS: tuple[Button, ...] = (
    Button(
        id="BrmValidateWorkbook",
        label="Validate workbook",
        script="validate_workbook",
        tooltip="Check every row against the national rules; list the issues on an Issues sheet "
        "and highlight the cells.",
        image_mso="DataValidation",
        icon="validate",
    ),
    Button(
        id="BrmCompute",
        label="Compute",
        script="compute",
        tooltip="Work out baseline, improvement, realised value, present value and RAG for every "
        "benefit, with a planned-versus-realised summary.",
        image_mso="CalculateNow",
        icon="compute",
    ),
    Button(
        id="BrmSubmitToNational",
        label="Submit to national",
        script="submit_to_national",
        tooltip="Send approved benefits to the national store. Rows with errors are held back and "
        "their cells highlighted.",
        image_mso="FileSendAsAttachment",
        icon="submit",
    ),
    Button(
        id="BrmPullNationalStatus",
        label="Pull national status",
        script="pull_national_status",
        tooltip="Fetch what the national store holds for this trust and show whether each "
        "benefit is up to date there.",
        image_mso="RefreshAll",
        icon="pull",
    ),
)
