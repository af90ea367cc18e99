"""Routes the xl-brm Office add-in adds to xlwings Server (it includes `routers/custom.py` of the
project): the ribbon icons, drawn in code by `xl_brm.addin.icons`."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Response
from xlwings_server.config import settings

from xl_brm.addin.buttons import BUTTONS
from xl_brm.addin.icons import SIZES, icon_png

ICONS = frozenset({"pane", *(b.icon for b in BUTTONS)})
router = APIRouter(prefix=settings.app_path)


@router.get("/brm/images/{name}-{size}.png")
async def icon(name: str, size: int) -> Response:
    if name not in ICONS or size not in SIZES:
        raise HTTPException(status_code=404)
    return Response(icon_png(name, size), media_type="image/png")
