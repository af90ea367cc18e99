"""The buttons of the Benefits ribbon tab, defined once.

The Office add-in's manifest and task pane (templates under udfs/office, fed by
`udfs/office/config.py`), the desktop add-in's customUI XML and VBA callbacks, and the xlwings
Lite main.py are all generated from this list, and the tests check that each button reaches a
`@script` in `udfs.ribbon`. Adding a button is one more entry here plus its `@script`.
The Office add-in adds one more button of its own, which opens the task pane.
"""

from __future__ import annotations

from dataclasses import dataclass

TAB_ID = "BrmBenefitsTab"
TAB_LABEL = "Benefits"
GROUP_ID = "BrmRegisterGroup"
GROUP_LABEL = "Benefits register"
FUNCTION_NAMESPACE = "BRM"
"""Office add-in custom functions live under this namespace: `=BRM.VALIDATE(...)`."""
TASKPANE_BUTTON_LABEL = "Open task pane"
"""The Office add-in's own extra button (ShowTaskpane): the task pane shows every button
again, with room for messages."""


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
    """Icon drawn by `xl_brm.addin.icons` for the Office add-in (an unknown name: a plain tile)."""
    lite: bool = True
    """Offered in xlwings Lite (False for buttons that need what the browser sandbox has not)."""
    not_in_lite: str = "needs the national store over the network"
    """Why a button is not offered in xlwings Lite (xl-brm's sync client cannot reach the store
    from the sandbox)."""

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
        id="BrmBoardReport",
        label="Board report",
        script="board_report",
        tooltip="Write the trust's board report (HTML and PDF: realised against planned, present "
        "value, RAG, trajectories, evidence, data quality) and a Board report sheet with its headline.",
        image_mso="FileSaveAsPdfOrXps",
        icon="report",
        lite=False,
        not_in_lite="prints a PDF, which the browser sandbox cannot",
    ),
    Button(
        id="BrmSubmitToNational",
        label="Submit to national",
        script="submit_to_national",
        tooltip="Send approved benefits to the national store. Rows with errors are held back and "
        "their cells highlighted.",
        image_mso="FileSendAsAttachment",
        icon="submit",
        lite=False,
    ),
    Button(
        id="BrmPullNationalStatus",
        label="Pull national status",
        script="pull_national_status",
        tooltip="Fetch what the national store holds for this trust and show whether each "
        "benefit is up to date there.",
        image_mso="RefreshAll",
        icon="pull",
        lite=False,
    ),
)
