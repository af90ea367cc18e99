"""xlwings Server settings of the xl-brm Office add-in.

xlwings Server loads this file as its project's `config.py` (the project folder is this one,
`XLWINGS_PROJECT_DIR`, set by `xl-brm addin serve`). These are defaults only: every
`XLWINGS_*` environment variable (or a `.env` file named by `DOTENV_PATH`) still overrides
them, as xlwings Server documents. The Benefits buttons come from `xl_brm.addin.buttons` for the
manifest and task pane.
"""

from __future__ import annotations

from xlwings_server.config import Settings as ServerSettings

from xl_brm.addin.buttons import (
    BUTTONS,
    FUNCTION_NAMESPACE,
    GROUP_ID,
    GROUP_LABEL,
    TAB_ID,
    TAB_LABEL,
    TASKPANE_BUTTON_LABEL,
    Button,
)


class Settings(ServerSettings):
    project_name: str = "xl-brm Benefits"
    functions_namespace: str = FUNCTION_NAMESPACE
    enable_examples: bool = False
    # The task pane needs only xlwings' client and Bootstrap (for its messages); leave out the
    # rest, so the pages load as little as possible.
    enable_htmx: bool = False
    enable_alpinejs_csp: bool = False
    enable_socketio: bool = False
    enable_hotreload: bool = False

    @property
    def benefits_buttons(self) -> tuple[Button, ...]:
        return BUTTONS

    @property
    def benefits_ribbon(self) -> dict[str, str]:
        return {
            "tab_id": TAB_ID,
            "tab_label": TAB_LABEL,
            "group_id": GROUP_ID,
            "group_label": GROUP_LABEL,
            "taskpane_label": TASKPANE_BUTTON_LABEL,
        }
